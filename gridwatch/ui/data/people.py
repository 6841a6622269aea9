"""People (人员) and who is responsible for which cells: Settings > People and 督查 > Give cells.

Administrators add people, change them and deactivate them (never delete: the history keeps
naming them); everyone else sees the list read-only.  Every change goes through
:meth:`WorkflowController.run <gridwatch.ui.session.WorkflowController.run>` (undoable); the
controller re-reads its people after an edit of them, before ``changed`` reaches these dialogs.
A form stays open until its edit is applied, so a refused name is corrected, not typed again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...app.store import Edit, save_person, set_cell_inspector
from ...domain.policy import Action
from ...domain.vocabulary import ROLE_TITLES, title
from ...domain.vocabulary import ROLES as VOCABULARY_ROLES
from .. import i18n
from ..session import PendingEdit, error_label
from ..widgets import fill, named, record_table, retranslate_safely

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

__all__ = ["PeopleDialog", "PersonForm", "CellInspectorDialog", "UUID_ROLE"]

#: Item data role holding a person's uuid (column 0 of the people table).
UUID_ROLE = Qt.ItemDataRole.UserRole
ROLES = VOCABULARY_ROLES  # 网格员, 网格长 (needs a township), 督查员, 管理员


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    return str(value).strip()


def _active(value: Any) -> bool:
    """Whether a person's ``active`` value means active (empty means active, as in the core)."""
    text = _text(value)
    if not text:
        return True
    try:
        return float(text) != 0
    except ValueError:
        return text.lower() not in ("false", "no")


class PersonForm(QDialog):
    """One person's name, role, phone, township and whether they are active (add or change).

    OK emits ``submitted`` with the arguments of ``save_person``; the people dialog saves them and
    closes the form (:meth:`saved`) or shows the refusal in it (:meth:`show_error`).
    """

    submitted = Signal(dict)

    def __init__(self, townships: list[tuple[str, str]], person: Optional[dict[str, Any]] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("personForm")
        self.pending = False
        self.person = dict(person) if person is not None else None
        self.name = named(QLineEdit(_text(self.person.get("name")) if self.person else ""), "personName")
        self.role = named(QComboBox(), "personRole")
        for code in ROLES:
            self.role.addItem("", code)
        self.role.setCurrentIndex(max(0, self.role.findData(self.person.get("role") if self.person else "inspector")))
        self.phone = named(QLineEdit(_text(self.person.get("phone")) if self.person else ""), "personPhone")
        self.township = named(QComboBox(), "personTownship")
        self.township.addItem("—", None)
        for code, name in townships:
            self.township.addItem(str(name), str(code))
        current = _text(self.person.get("township_code")) if self.person else ""
        self.township.setCurrentIndex(max(0, self.township.findData(current)) if current else 0)
        self.active = named(QCheckBox(), "personActive")
        self.active.setChecked(_active(self.person.get("active")) if self.person else True)
        self.error = error_label("personError")
        self.labels = [QLabel() for _ in range(4)]
        form = QFormLayout()
        for label, widget in zip(self.labels, (self.name, self.role, self.phone, self.township)):
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow(self.active)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("personButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(lambda _t: self._update_ok())
        fill(self, form, self.error, self.buttons)
        self.retranslate()
        self._update_ok()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate(self) -> None:
        lang = i18n.current()
        self.setWindowTitle(self.tr("Add person") if self.person is None else self.tr("Change person"))
        for label, text in zip(self.labels, (self.tr("&Name:"), self.tr("&Role:"), self.tr("&Phone:"),
                                             self.tr("&Township:"))):
            label.setText(text)
        for i in range(self.role.count()):
            self.role.setItemText(i, title(ROLE_TITLES, self.role.itemData(i), lang))
        self.active.setText(self.tr("Active"))
        self.active.setToolTip(self.tr("Inactive people keep their history but can no longer work or be chosen"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.name.text().strip()) and not self.pending)

    def values(self) -> dict[str, Any]:
        """The keyword arguments of ``save_person``."""
        return {"name": self.name.text().strip(), "role": str(self.role.currentData()),
                "phone": self.phone.text().strip(), "township_code": self.township.currentData(),
                "active": self.active.isChecked(),
                "person_uuid": str(self.person["uuid"]) if self.person is not None else None}

    def accept(self) -> None:
        """OK: the people dialog saves; this form closes once the edit is applied."""
        if self.pending or not self.name.text().strip():
            return
        self.set_pending(True)
        self.error.hide()
        self.submitted.emit(self.values())

    def set_pending(self, pending: bool) -> None:
        self.pending = pending
        self._update_ok()

    def show_error(self, message: str) -> None:
        self.set_pending(False)
        self.error.setText(message)
        self.error.show()

    def saved(self) -> None:
        self.set_pending(False)
        super().accept()


class PeopleDialog(QDialog):
    """The project's people; administrators add, change and deactivate them."""

    def __init__(self, controller: Any, townships: list[tuple[str, str]], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("peopleDialog")
        self.controller = controller
        self.townships = [(str(c), str(n)) for c, n in townships]
        self._township_names = dict(self.townships)
        self.form: Optional[PersonForm] = None
        self._listening = False

        self.table = record_table(named(QTableWidget(0, 6), "peopleTable"))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.edit_selected())
        self.add_button = named(QPushButton(), "peopleAdd", clicked=self.add_person)
        self.edit_button = named(QPushButton(), "peopleEdit", clicked=self.edit_selected)
        self.deactivate_button = named(QPushButton(), "peopleDeactivate", clicked=self.deactivate_selected)
        self.hint = named(QLabel(), "peopleHint")
        self.hint.setWordWrap(True)
        self.error = error_label("peopleError")
        self._waiting = PendingEdit(controller, self, lambda edit: any(c.table == "inspector" for c in edit.changes),
                                    self.error, self._refused, self._saved)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.deactivate_button):
            row.addWidget(b)
        row.addStretch(1)
        fill(self, self.hint, (self.table, 1), row, self.error, self.close_buttons)
        self.resize(720, 520)
        self._listen(True)
        self.retranslate()

    # --- texts and the list ----------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("People"))
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Role"), self.tr("Phone"),
                                              self.tr("Township"), self.tr("Active"), self.tr("Cells")])
        self.add_button.setText(self.tr("Add…"))
        self.edit_button.setText(self.tr("Change…"))
        self.deactivate_button.setText(self.tr("Deactivate"))
        self.deactivate_button.setToolTip(self.tr("Deactivated people keep their history; give their cells to "
                                                  "someone else first"))
        self.hint.setText(self.tr("Only an administrator may change people"))
        self.fill()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def may_change(self) -> bool:
        return bool(self.controller.may(Action.MANAGE_PEOPLE))

    def fill(self) -> None:
        """List the controller's people (it re-reads them after every edit of people or cells)."""
        lang = i18n.current()
        keep = self.selected_uuid()
        people = self.controller.people
        t = self.table
        t.blockSignals(True)
        t.clearContents()
        t.setRowCount(len(people))
        for r, p in enumerate(people.to_dict("records")):
            active = _active(p.get("active"))
            code = _text(p.get("township_code"))
            cells = p.get("cell_count")
            texts = [_text(p.get("name")), title(ROLE_TITLES, p.get("role"), lang), _text(p.get("phone")),
                     self._township_names.get(code, code), self.tr("Yes") if active else self.tr("No"),
                     str(int(cells)) if _text(cells) else ""]
            for c, text in enumerate(texts):
                item = QTableWidgetItem(text)
                if not active:
                    item.setForeground(QBrush(QColor("gray")))
                t.setItem(r, c, item)
            t.item(r, 0).setData(UUID_ROLE, str(p["uuid"]))
            t.item(r, 5).setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        t.clearSelection()
        if keep is not None:
            for r in range(t.rowCount()):
                if t.item(r, 0).data(UUID_ROLE) == keep:
                    t.selectRow(r)
        t.blockSignals(False)
        t.resizeColumnsToContents()
        self._update_buttons()

    def selected_uuid(self) -> Optional[str]:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(UUID_ROLE)) if item is not None else None

    def select_person(self, uuid: str) -> bool:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(UUID_ROLE) == uuid:
                self.table.selectRow(r)
                return True
        return False

    def selected_person(self) -> Optional[dict[str, Any]]:
        uuid = self.selected_uuid()
        people = self.controller.people
        if uuid is None or not len(people):
            return None
        match = people[people["uuid"] == uuid]
        return match.iloc[0].to_dict() if len(match) else None

    def _update_buttons(self) -> None:
        admin = self.may_change()
        person = self.selected_person()
        free = admin and not self._waiting.active and not getattr(self.controller, "busy", False)
        self.hint.setVisible(not admin)
        self.add_button.setEnabled(free)
        self.edit_button.setEnabled(free and person is not None)
        self.deactivate_button.setEnabled(free and person is not None and _active(person.get("active")))

    # --- changing people ---------------------------------------------------------------------------
    def add_person(self) -> Optional[PersonForm]:
        return self._open_form(None)

    def edit_selected(self) -> Optional[PersonForm]:
        person = self.selected_person()
        return self._open_form(person) if person is not None else None

    def _open_form(self, person: Optional[dict[str, Any]]) -> Optional[PersonForm]:
        if not self.may_change():
            return None
        if self.form is not None:
            self.form.deleteLater()
        self.form = PersonForm(self.townships, person, self)
        self.form.submitted.connect(self._save)
        self.form.open()
        return self.form

    def deactivate_selected(self) -> None:
        """Deactivate the selected person with their current details (undoable)."""
        person = self.selected_person()
        if person is None or not self.may_change() or not _active(person.get("active")):
            return
        self._save({"name": _text(person.get("name")), "role": _text(person.get("role")),
                    "phone": _text(person.get("phone")), "township_code": _text(person.get("township_code")) or None,
                    "active": False, "person_uuid": str(person["uuid"])})

    def _save(self, values: dict[str, Any]) -> None:
        self._waiting.start()
        self.error.hide()
        self._update_buttons()
        self.controller.run(save_person, **values)

    def _listen(self, on: bool) -> None:
        if on == self._listening:
            return
        self._listening = on
        signals = ((self.controller.changed, self._on_changed), (self.controller.userChanged, self.fill))
        for signal, slot in signals:
            if on:
                signal.connect(slot)
            else:
                signal.disconnect(slot)

    def _on_changed(self, edit: Edit) -> None:
        if not self._waiting.awaits(edit):  # the saved edit goes to _saved
            self.fill()

    def _saved(self, edit: Edit) -> None:
        created = edit.created("inspector")
        if self.form is not None and self.form.pending:
            self.form.saved()
        self.fill()
        if created:
            self.select_person(created[0])

    def _refused(self) -> None:
        if self.form is not None and self.form.pending:
            self.form.show_error(self.error.text())
        self._update_buttons()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        self._listen(True)
        self.fill()
        super().showEvent(event)

    def done(self, result: int) -> None:
        self._listen(False)
        super().done(result)


class CellInspectorDialog(QDialog):
    """Give the chosen cells to one active inspector (administrators)."""

    def __init__(self, controller: Any, cell_codes: list[str], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("cellInspectorDialog")
        self.controller = controller
        self.cell_codes = list(dict.fromkeys(str(c) for c in cell_codes))
        self.label = named(QLabel(), "cellInspectorLabel")
        self.combo = named(QComboBox(), "cellInspectorCombo")
        people = controller.people
        if len(people):
            active = people[(people["role"] == "inspector") & (people["active"].fillna(1) != 0)]
            for p in active.sort_values("name").to_dict("records"):
                self.combo.addItem("", str(p["uuid"]))
        self.error = error_label("cellInspectorError")
        self._waiting = PendingEdit(controller, self, lambda edit: any(c.table == "grid_cell" for c in edit.changes),
                                    self.error, self._update_ok)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("cellInspectorButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        fill(self, self.label, self.combo, self.error, self.buttons)
        self.retranslate()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Give cells to an inspector"))
        self.label.setText(self.tr("Give %n cell(s) to:", "", len(self.cell_codes)))
        people = self.controller.people
        names = dict(zip(people["uuid"], people["name"])) if len(people) else {}
        counts = dict(zip(people["uuid"], people["cell_count"])) if "cell_count" in people.columns else {}
        for i in range(self.combo.count()):
            uid = self.combo.itemData(i)
            n = int(counts.get(uid, 0) or 0)
            self.combo.setItemText(i, self.tr("%1 (%n cell(s))", "", n).replace("%1", str(names.get(uid, ""))))
        if not self.cell_codes:
            refusal = self.tr("No cells chosen: select cells on the map first.")
        elif not self.controller.may(Action.SET_CELL_INSPECTOR):
            refusal = self.tr("Only an administrator may change who is responsible for cells.")
        elif not self.combo.count():
            refusal = self.tr("There is no active inspector.")
        else:
            refusal = ""
        self._refusal = refusal
        if refusal:
            self.error.setText(refusal)
        self.error.setVisible(bool(refusal))
        self._update_ok()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(not self._refusal and not self._waiting.active)

    def accept(self) -> None:
        """OK: give the cells; the dialog closes once the edit is applied."""
        uid = self.combo.currentData()
        if self._refusal or self._waiting.active or uid is None:
            return
        self._waiting.start()
        self._update_ok()
        self.error.hide()
        self.controller.run(set_cell_inspector, self.cell_codes, str(uid))
