"""Settings > Work-plan settings (issue 17): the office's values (deductions per fire point by kind,
reporting deadline days, the warning level that stops earthwork, the fireworks-ban days) and the
checklists per task kind (add, rename, remove, reorder items).  Supervisors and administrators
only (asked of the domain policy); every value is checked by the domain before anything is
written, and the write is one transaction with an audit row per changed setting
(:func:`gridwatch.storage.plans.set_settings`, on the one worker runner).  The seasonal calendar
is not edited here."""

from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QWidget,
)

from ...app.store import plans
from ...domain.checklists import item_title
from ...domain.plans import SETTINGS, validate_setting
from ...domain.policy import Action
from ...domain.vocabulary import CHECKLIST_ITEM_TITLES, KIND_TITLES, WARNING_LEVEL_TITLES, title
from ...errors import GridWatchError
from .. import i18n
from ..jobs import Job, run_job
from ..session import error_label
from ..widgets import column, fill, fit_to_screen, hbox, named, retranslate_safely

#: Settings the checklist tab edits (the form shows the others with a single value).
CHECKLIST_KEYS = ("checklists", "checklist_titles")


def form_keys() -> list[str]:
    """The settings the form edits: every single value of the plans' table (numbers, the warning
    level); mappings (the checklists, a calendar) are edited elsewhere."""
    return [k for k, s in SETTINGS.items() if k not in CHECKLIST_KEYS and not isinstance(s.default, (dict, list))]


class SettingsDialog(QDialog):
    """The work-plan settings and checklists of the open project (see the module docstring)."""

    #: The settings were written (the dashboard and the checklist action read them again).
    saved = Signal()

    def __init__(self, controller: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.controller = controller
        path = controller.path if controller is not None else None
        self.current: dict[str, Any] = plans.read_settings(path) if path is not None else \
            {k: s.default for k, s in SETTINGS.items()}
        self.tabs = named(QTabWidget(), "settingsTabs")
        # values
        self.editors: dict[str, QWidget] = {}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for key in form_keys():
            editor = self._editor(key, self.current[key])
            self.editors[key] = editor
            self.labels[key] = QLabel()
            self.labels[key].setBuddy(editor)
            form.addRow(self.labels[key], editor)
        self.values_note = named(QLabel(), "settingsNote")
        self.values_note.setWordWrap(True)
        self.tabs.addTab(column(form, self.values_note, (QWidget(), 1), margins=8), "")
        # checklists: kind, its items, and the actions on them
        self.lists: dict[str, list[str]] = {k: list(v) for k, v in dict(self.current["checklists"]).items()}
        self.titles: dict[str, str] = dict(self.current["checklist_titles"])
        self.kind = named(QComboBox(), "checklistKind")
        for code in KIND_TITLES:
            self.kind.addItem("", code)
        self.items = named(QListWidget(), "checklistItems")
        self.add_choice = named(QComboBox(), "checklistAddItem")
        self.add_button = named(QPushButton(), "checklistAdd", clicked=self.add_item)
        self.remove_button = named(QPushButton(), "checklistRemove", clicked=self.remove_item)
        self.up_button = named(QPushButton(), "checklistUp", clicked=lambda: self.move_item(-1))
        self.down_button = named(QPushButton(), "checklistDown", clicked=lambda: self.move_item(1))
        self.rename_edit = named(QLineEdit(), "checklistRenameText")
        self.rename_button = named(QPushButton(), "checklistRename", clicked=self.rename_item)
        self.checklist_note = named(QLabel(), "checklistNote")
        self.checklist_note.setWordWrap(True)
        self._kind_label = QLabel()
        buttons = column(self.up_button, self.down_button, self.remove_button, (QWidget(), 1))
        self.tabs.addTab(column(hbox(self._kind_label, (self.kind, 1), stretch=False),
                                hbox((self.items, 1), buttons, stretch=False),
                                hbox((self.add_choice, 1), self.add_button, stretch=False),
                                hbox((self.rename_edit, 1), self.rename_button, stretch=False),
                                self.checklist_note, margins=8), "")
        self.error = error_label("settingsError")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        fill(self, (self.tabs, 1), self.error, self.buttons)
        self.kind.currentIndexChanged.connect(self._show_kind)
        self.items.currentRowChanged.connect(self._item_chosen)
        first = next((i for i in range(self.kind.count()) if self.kind.itemData(i) in self.lists), 0)
        self.kind.setCurrentIndex(first)
        self._job: Optional[Job] = None
        fit_to_screen(self, 760, 560)
        self.retranslate()

    # --- the form -----------------------------------------------------------------------------
    def _editor(self, key: str, value: Any) -> QWidget:
        default = SETTINGS[key].default
        if isinstance(default, float):
            spin = QDoubleSpinBox()
            spin.setRange(0.0, 1e10)
            spin.setDecimals(0)
            spin.setSingleStep(10_000)
            spin.setGroupSeparatorShown(True)
            spin.setValue(float(value))
            return named(spin, "setting_" + key)
        if isinstance(default, int):
            ispin = QSpinBox()
            ispin.setRange(-999, 999)  # the domain says what the setting takes (a clear error on Save)
            ispin.setValue(int(value))
            return named(ispin, "setting_" + key)
        if isinstance(default, str) and default in WARNING_LEVEL_TITLES:
            combo = QComboBox()
            for code in WARNING_LEVEL_TITLES:
                combo.addItem("", code)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            return named(combo, "setting_" + key)
        return named(QLineEdit(str(value)), "setting_" + key)

    def form_values(self) -> dict[str, Any]:
        """The form's values by setting key (as typed: the domain checks them on Save)."""
        out: dict[str, Any] = {}
        for key, editor in self.editors.items():
            if isinstance(editor, (QDoubleSpinBox, QSpinBox)):
                out[key] = editor.value()
            elif isinstance(editor, QComboBox):
                out[key] = editor.currentData()
            elif isinstance(editor, QLineEdit):
                out[key] = editor.text().strip()
        return out

    # --- the checklists -----------------------------------------------------------------------
    def kind_code(self) -> str:
        return str(self.kind.currentData())

    def _show_kind(self) -> None:
        lang = i18n.current()
        items = self.lists.get(self.kind_code(), [])
        row = self.items.currentRow()
        self.items.clear()
        for code in items:
            entry = QListWidgetItem(item_title(code, self.titles, lang))
            entry.setData(Qt.ItemDataRole.UserRole, code)
            self.items.addItem(entry)
        self.add_choice.clear()
        for code in CHECKLIST_ITEM_TITLES:
            if code not in items:
                self.add_choice.addItem(item_title(code, self.titles, lang), code)
        self.items.setCurrentRow(min(row, len(items) - 1) if items else -1)
        self._item_chosen()

    def _item_chosen(self) -> None:
        row = self.items.currentRow()
        n = self.items.count()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < n - 1)
        self.rename_button.setEnabled(row >= 0)
        self.add_button.setEnabled(self.add_choice.count() > 0)
        self.rename_edit.setText(self.items.item(row).text() if row >= 0 else "")

    def add_item(self) -> None:
        code = self.add_choice.currentData()
        if code is None:
            return
        self.lists.setdefault(self.kind_code(), []).append(str(code))
        self._show_kind()
        self.items.setCurrentRow(self.items.count() - 1)

    def remove_item(self) -> None:
        row = self.items.currentRow()
        if row >= 0:
            del self.lists[self.kind_code()][row]
            self._show_kind()

    def move_item(self, step: int) -> None:
        row = self.items.currentRow()
        items = self.lists.get(self.kind_code(), [])
        if 0 <= row < len(items) and 0 <= row + step < len(items):
            items[row], items[row + step] = items[row + step], items[row]
            self._show_kind()
            self.items.setCurrentRow(row + step)

    def rename_item(self) -> None:
        """The district's own name for the selected item (every kind's list shows it; an empty name or
        the vocabulary's own title goes back to the vocabulary's)."""
        row = self.items.currentRow()
        if row < 0:
            return
        code = str(self.items.item(row).data(Qt.ItemDataRole.UserRole))
        text = self.rename_edit.text().strip()
        if not text or text == title(CHECKLIST_ITEM_TITLES, code, "zh_CN"):
            self.titles.pop(code, None)
        else:
            self.titles[code] = text
        self._show_kind()
        self.items.setCurrentRow(row)

    def checklist_values(self) -> dict[str, Any]:
        return {"checklists": {k: list(v) for k, v in self.lists.items() if v}, "checklist_titles": dict(self.titles)}

    # --- saving -------------------------------------------------------------------------------
    def changed_values(self) -> dict[str, Any]:
        """Every setting whose value differs from the project's, checked by the domain.

        Raises
        ------
        ValidationError
            The first value a setting does not take (the message names the setting and what it takes).
        """
        out: dict[str, Any] = {}
        for key, value in {**self.form_values(), **self.checklist_values()}.items():
            checked = validate_setting(key, value)
            before = validate_setting(key, self.current[key])
            if checked != before:
                out[key] = value
        return out

    def accept(self) -> None:
        self.error.hide()
        try:
            values = self.changed_values()
        except GridWatchError as exc:
            self._show_error(i18n.error_text(exc))
            return
        if not values:
            QDialog.accept(self)
            return
        path, actor = self.controller.path, self.controller.actor
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self._job = run_job(lambda progress, cancel: plans.set_settings(path, actor, values), "settings",
                            succeeded=self._on_saved, failed=self._on_failed)

    def _on_saved(self, job: Job, result: Any) -> None:
        if job is self._job:
            self.current = dict(result)
            self.saved.emit()
            QDialog.accept(self)

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        if job is self._job:
            self._show_error(message)
            self._gate()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def _gate(self) -> None:
        """Saving is the supervisor's and the administrator's (asked of the domain policy)."""
        why = self.controller.refusal(Action.EDIT_SETTINGS) if self.controller is not None else ""
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(not why)
        save.setToolTip(why)
        if why:
            self._show_error(why)

    def retranslate(self) -> None:
        lang = i18n.current()
        self.setWindowTitle(self.tr("Work-plan settings"))
        self.tabs.setTabText(0, self.tr("Assessment and deadlines"))
        self.tabs.setTabText(1, self.tr("Checklists"))
        for key, label in self.labels.items():
            s = SETTINGS[key]
            label.setText((s.title_zh if lang.startswith("zh") else s.title_en) + ":")
        for editor in self.editors.values():
            if isinstance(editor, QComboBox):
                for i in range(editor.count()):
                    editor.setItemText(i, title(WARNING_LEVEL_TITLES, editor.itemData(i), lang))
        self.values_note.setText(self.tr("The plans' defaults: straw burning 500,000 yuan and other burning 100,000 "
                                         "yuan per fire point; townships report by the 25th, the bulletin by the "
                                         "28th; orange and red warnings stop earthwork. The seasonal calendar is "
                                         "set elsewhere."))
        for i in range(self.kind.count()):
            self.kind.setItemText(i, title(KIND_TITLES, self.kind.itemData(i), lang))
        self._kind_label.setText(self.tr("Task kind:"))
        self.add_button.setText(self.tr("Add item"))
        self.remove_button.setText(self.tr("Remove"))
        self.up_button.setText(self.tr("Move up"))
        self.down_button.setText(self.tr("Move down"))
        self.rename_button.setText(self.tr("Rename"))
        self.rename_edit.setPlaceholderText(self.tr("The item's name in this district"))
        self.checklist_note.setText(self.tr("Inspections of this kind record these items in this order; a failed "
                                            "item becomes a finding of its category. A renamed item keeps its "
                                            "category and is renamed in every list."))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self._show_kind()
        self._gate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)
