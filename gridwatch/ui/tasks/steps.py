"""The task panel's step dialogs: finishing a task (with a fire-point check's result) and cancelling one
(part of TaskPanel)."""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
)

from ...app.store import FIRE_CHECK_RESULTS, change_assignment
from ...domain.vocabulary import KIND_TITLES, RESULT_TITLES, title
from ..widgets import fill, named
from .dialogs import _lang


def _count(value: Any) -> int:
    """A count from a list row (None or NaN: 0)."""
    try:
        return int(value) if value is not None and value == value else 0
    except (TypeError, ValueError):
        return 0


# Texts keep the TaskPanel translation context (they are the TaskPanel's own).
translate = QCoreApplication.translate


class TaskSteps:
    """Finish and cancel dialogs of the selected task (part of TaskPanel)."""

    def _new_dialog(self, name: str, window_title: str) -> QDialog:
        if self.dialog is not None:
            self.dialog.deleteLater()
        dlg = QDialog(self)
        dlg.setObjectName(name)
        dlg.setWindowTitle(window_title)
        self.dialog = dlg
        return dlg

    def _task_label(self, task: dict[str, Any]) -> QLabel:
        text = " · ".join(s for s in (title(KIND_TITLES, task.get("kind"), _lang()), str(task.get("cell_code") or ""),
                                      str(task.get("cell_name") or ""), str(task.get("assignee_name") or "")) if s)
        label = QLabel(text)
        label.setWordWrap(True)
        return label

    def finish_selected(self) -> None:
        """Open the finish dialog of the selected task (with its result for a fire-point check)."""
        task = self.selected_task()
        if task is None or "finish" not in self.controller.task_actions(task):
            return
        uuid = task["uuid"]
        fire = task.get("kind") == "fire_check"
        heading = translate("TaskPanel", "Finish fire-point check") if fire else translate("TaskPanel", "Finish task")
        dlg = self._new_dialog("fireResultDialog" if fire else "finishDialog", heading)
        form = QFormLayout()
        result_combo: Optional[QComboBox] = None
        if fire:
            # no result is preselected: a confirmed burning counts against the township, so it is
            # never what a hurried click on Finish records
            result_combo = named(QComboBox(), "fireResult")
            result_combo.addItem(translate("TaskPanel", "— choose what you found —"), None)
            for code in FIRE_CHECK_RESULTS:
                result_combo.addItem(title(RESULT_TITLES, code, _lang()), code)
            result_combo.setCurrentIndex(0)
            form.addRow(translate("TaskPanel", "Result:"), result_combo)
            n = _count(task.get("fire_count"))
            hint = QLabel(translate("TaskPanel", "The result is written to the %s fire point(s) of this check.") % n)
            hint.setWordWrap(True)
            form.addRow(hint)
        notes = named(QPlainTextEdit(), "finishNotes")
        notes.setPlaceholderText(translate("TaskPanel", "What you found (optional)"))
        form.addRow(translate("TaskPanel", "Notes:"), notes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(translate("TaskPanel", "Finish"))
        buttons.accepted.connect(dlg.accept)
        buttons.rejected.connect(dlg.reject)
        fill(dlg, self._task_label(task), form, buttons)
        if result_combo is not None:
            finish = buttons.button(QDialogButtonBox.StandardButton.Ok)
            finish.setEnabled(False)
            result_combo.currentIndexChanged.connect(
                lambda _i: finish.setEnabled(result_combo.currentData() is not None))

        def done() -> None:
            result = str(result_combo.currentData()) if result_combo is not None else None
            self.controller.run(change_assignment, uuid, "finish", result=result, notes=notes.toPlainText().strip())

        dlg.accepted.connect(done)
        dlg.open()

    def cancel_selected(self) -> None:
        """Open the cancel dialog of the selected task (a reason is required)."""
        task = self.selected_task()
        if task is None or "cancel" not in self.controller.task_actions(task):
            return
        uuid = task["uuid"]
        dlg = self._new_dialog("cancelDialog", translate("TaskPanel", "Cancel task"))
        reason = named(QLineEdit(), "cancelReason")
        reason.setPlaceholderText(translate("TaskPanel", "Why the task is cancelled (required)"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(translate("TaskPanel", "Cancel task"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(translate("TaskPanel", "Keep task"))
        ok.setEnabled(False)
        reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(dlg.accept)
        buttons.rejected.connect(dlg.reject)
        form = QFormLayout()
        form.addRow(translate("TaskPanel", "Reason:"), reason)
        fill(dlg, self._task_label(task), form, buttons)

        def done() -> None:
            text = reason.text().strip()
            if text:
                self.controller.run(change_assignment, uuid, "cancel", reason=text)

        dlg.accepted.connect(done)
        dlg.open()
