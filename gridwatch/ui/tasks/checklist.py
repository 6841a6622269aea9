"""Record the checklist of the selected task (issue 17): one row per item of the task kind's list
(passed ticked by default, a note), and whether failed items become findings at once.  The write
goes through the workflow controller (one undoable edit, refused by the core when the role may not)."""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QTableWidget,
    QWidget,
)

from ...app.store import record_checklist
from ...domain.checklists import item_title
from ...domain.vocabulary import KIND_TITLES, title
from ...errors import GridWatchError
from .. import i18n
from ..session import PendingEdit, error_label
from ..widgets import fill, named, record_table, retranslate_safely


def _renamed(controller: Any) -> dict[str, str]:
    """The office's own item titles (setting ``checklist_titles``; none without a project)."""
    from ...app.store import read_settings

    path = getattr(controller, "path", None)
    try:
        return dict(read_settings(path)["checklist_titles"]) if path is not None else {}
    except GridWatchError:
        return {}


class ChecklistDialog(QDialog):
    """The checklist of one task: item, passed, note."""

    def __init__(self, controller: Any, task: dict[str, Any], items: tuple[str, ...],
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("checklistDialog")
        self.controller = controller
        self.task = task
        self.items = items
        self.titles = _renamed(controller)
        self.explain = named(QLabel(), "checklistExplain")
        self.explain.setWordWrap(True)
        self.table = record_table(named(QTableWidget(len(items), 3), "checklistTable"))
        self.passed: list[QCheckBox] = []
        self.notes: list[QLineEdit] = []
        for row, item in enumerate(items):
            label = QLabel(item_title(item, self.titles, i18n.current()))
            box = named(QCheckBox(), f"checklistPassed_{item}")
            box.setChecked(True)
            note = named(QLineEdit(), f"checklistNote_{item}")
            self.table.setCellWidget(row, 0, label)
            self.table.setCellWidget(row, 1, box)
            self.table.setCellWidget(row, 2, note)
            self.passed.append(box)
            self.notes.append(note)
        self.make_findings = named(QCheckBox(), "checklistFindings")
        self.make_findings.setChecked(True)
        self.error = error_label("checklistError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        fill(self, self.explain, (self.table, 1), self.make_findings, self.error, self.buttons)
        self.pending = PendingEdit(controller, self, lambda e: e.action == "record_checklist", self.error,
                                   on_refused=lambda: self.buttons.button(
                                       QDialogButtonBox.StandardButton.Ok).setEnabled(True))
        self.resize(720, 120 + 34 * len(items))
        self.retranslate()

    def retranslate(self) -> None:
        kind = title(KIND_TITLES, self.task.get("kind"), i18n.current())
        self.setWindowTitle(self.tr("Checklist: %s") % kind)
        self.explain.setText(self.tr("Untick what is not in order and say what you saw. Cell %s.")
                             % str(self.task.get("cell_code", "")))
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("In order"), self.tr("Note")])
        for row, item in enumerate(self.items):
            label = self.table.cellWidget(row, 0)
            if isinstance(label, QLabel):
                label.setText(item_title(item, self.titles, i18n.current()))
        self.make_findings.setText(self.tr("Record a finding for every item not in order"))
        self.table.resizeColumnsToContents()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def results(self) -> dict[str, tuple[bool, str]]:
        return {item: (box.isChecked(), note.text().strip())
                for item, box, note in zip(self.items, self.passed, self.notes)}

    def accept(self) -> None:
        self.error.hide()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.pending.start()
        self.controller.run(record_checklist, str(self.task["uuid"]), self.results(),
                            make_findings=self.make_findings.isChecked())
