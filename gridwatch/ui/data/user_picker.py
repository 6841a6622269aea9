"""Who is working on this laptop: the user picker (first start and Settings > Current user).

People are listed with their role, township and the last digits of their phone, so two 张伟 are told
apart; nobody is preselected on first start.  A person may protect their choice with a PIN kept on this
laptop only (hashed, see :mod:`gridwatch.app.pins`): a guard against picking the wrong person by a
slip, not a security boundary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...app.pins import check_pin, hash_pin, phone_tail, valid_pin
from ...domain.vocabulary import ROLE_TITLES, title
from ...mapview.search import TextMatcher
from .. import i18n
from ..widgets import fill, fit_to_screen, named, record_table, retranslate_safely

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

__all__ = ["UserPicker", "pin_key"]

UUID_ROLE = Qt.ItemDataRole.UserRole
ROLE_ORDER = {"inspector": 0, "supervisor": 1, "admin": 2}


def pin_key(uuid: str) -> str:
    """Settings key of a person's PIN hash on this laptop."""
    return f"pins/{uuid}"


def _text(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


class UserPicker(QDialog):
    """Choose who works on this laptop; ``chosen(name, uuid)`` when confirmed."""

    chosen = Signal(str, str)

    def __init__(self, people: pd.DataFrame, townships: dict[str, str], settings: QSettings,
                 current_uuid: str = "", first_start: bool = False, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("userPicker")
        self.settings = settings
        self.first_start = first_start
        active = people[people["active"].fillna(1) != 0] if "active" in people.columns else people
        self.people = active.assign(_order=active["role"].map(ROLE_ORDER).fillna(9)) \
            .sort_values(["_order", "name"]).reset_index(drop=True)
        self.townships = dict(townships)

        self.intro = named(QLabel(), "userPickerIntro")
        self.intro.setWordWrap(True)
        self.filter = named(QLineEdit(), "userFilter")
        self.filter.setClearButtonEnabled(True)
        self.table = record_table(named(QTableWidget(0, 4), "userTable"))
        self.table.setSortingEnabled(False)
        # columns sized to the first rows' texts: measuring all of a city's 21,777 people took seconds
        self.table.horizontalHeader().setResizeContentsPrecision(500)
        self.pin_label = QLabel()
        self.pin = named(QLineEdit(), "userPin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(8)
        self.set_pin = named(QCheckBox(), "userSetPin")
        self.new_pin = named(QLineEdit(), "userNewPin")
        self.new_pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_pin.setMaxLength(8)
        self.new_pin.setEnabled(False)
        self.clear_pin = named(QPushButton(), "userClearPin")
        self.note = named(QLabel(), "userPinNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        self.error = named(QLabel(), "userPickerError")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.form = QFormLayout()
        self.form.addRow(self.pin_label, self.pin)
        self.form.addRow(self.set_pin, self.new_pin)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.addButton(self.clear_pin, QDialogButtonBox.ButtonRole.ResetRole)
        fill(self, self.intro, self.filter, (self.table, 1), self.form, self.note, self.error, self.buttons)

        self.filter.textChanged.connect(lambda _t: self._apply_filter())
        self.table.itemSelectionChanged.connect(self._update)
        self.table.itemDoubleClicked.connect(lambda _i: self.accept())
        self.pin.textChanged.connect(lambda _t: self._update())
        self.set_pin.toggled.connect(self.new_pin.setEnabled)
        self.set_pin.toggled.connect(lambda _c: self._update())
        self.new_pin.textChanged.connect(lambda _t: self._update())
        self.clear_pin.clicked.connect(self._clear_pin)
        self._fill()
        if current_uuid and not first_start:
            self.select_uuid(current_uuid)
        self.retranslate()
        self._update()
        fit_to_screen(self, 620, 560)

    # --- texts ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Who is working on this laptop?"))
        if self.first_start:
            self.intro.setText(self.tr("Welcome. Choose yourself in the list: your tasks, what you may do and the "
                                       "change history follow from it. You can change it later in Settings > "
                                       "Current user."))
        else:
            self.intro.setText(self.tr("Choose who is working on this laptop."))
        self.filter.setPlaceholderText(self.tr("Find: name, pinyin initials, township or phone digits"))
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Role"), self.tr("Township"),
                                              self.tr("Phone ends in")])
        self.pin_label.setText(self.tr("PIN:"))
        self.pin.setPlaceholderText(self.tr("This person protected their choice with a PIN"))
        self.set_pin.setText(self.tr("Set a new PIN:"))
        self.new_pin.setPlaceholderText(self.tr("4 to 8 digits (optional)"))
        self.clear_pin.setText(self.tr("Remove PIN"))
        self.clear_pin.setToolTip(self.tr("Remove the selected person's PIN on this laptop (asks for it first)"))
        self.note.setText(self.tr("A PIN is kept on this laptop only, hashed. It guards against choosing the "
                                  "wrong person by a slip; it is not a password and does not protect the data."))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Work as this person"))
        self._fill_texts()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # --- the list ------------------------------------------------------------------------------
    def _column(self, name: str) -> list[Any]:
        return self.people[name].tolist() if name in self.people.columns else [None] * len(self.people)

    def _fill(self) -> None:
        """One row a person: their name and phone's last digits now, role and township in
        :meth:`_fill_texts` (they follow the language).  A city lists 21,777 people: the texts are made from
        the columns (not row by row through pandas) and each cell is one plain item (the table is not
        sorted): the city's picker opened in 1.9 s, now 0.8 s."""
        self._uuids = [str(u) for u in self._column("uuid")]
        self._row_of = {u: r for r, u in enumerate(self._uuids)}
        self._names = [_text(v) for v in self._column("name")]
        self._phones = [phone_tail(v) for v in self._column("phone")]
        self.table.setRowCount(len(self._uuids))
        for r, (uuid, name, phone) in enumerate(zip(self._uuids, self._names, self._phones)):
            first = QTableWidgetItem(name)  # read-only: the table edits nothing (record_table)
            first.setData(UUID_ROLE, uuid)
            self.table.setItem(r, 0, first)
            self.table.setItem(r, 1, QTableWidgetItem(""))
            self.table.setItem(r, 2, QTableWidgetItem(""))
            self.table.setItem(r, 3, QTableWidgetItem(phone))
        self._hidden = [False] * len(self._uuids)
        self._matchers: list[TextMatcher] = []

    def _fill_texts(self) -> None:
        lang = i18n.current()
        roles = [title(ROLE_TITLES, v, lang) for v in self._column("role")]
        towns = [self.townships.get(_text(v), "") for v in self._column("township_code")]
        pinned = self._pinned()
        tip = self.tr("Protected by a PIN on this laptop")
        table = self.table
        for r, (role, town) in enumerate(zip(roles, towns)):
            table.item(r, 1).setText(role)
            table.item(r, 2).setText(town)
            table.item(r, 0).setToolTip(tip if self._uuids[r] in pinned else "")
        self.table.resizeColumnsToContents()
        # what the filter searches: every column's text, lowered and put in pinyin once
        self._matchers = [TextMatcher(texts) for texts in (self._names, roles, towns, self._phones)]

    def _apply_filter(self) -> None:
        """Rows whose texts the filter does not find are hidden (the searches in Python over the texts kept
        from :meth:`_fill_texts`, only the rows that change shown or hidden)."""
        text = self.filter.text().strip()
        found = [m.found(text) for m in self._matchers]
        for r, hits in enumerate(zip(*found)):
            hidden = bool(text) and not any(hits)
            if hidden != self._hidden[r]:
                self._hidden[r] = hidden
                self.table.setRowHidden(r, hidden)

    def select_uuid(self, uuid: str) -> bool:
        r = self._row_of.get(uuid)
        if r is None:
            return False
        self.table.selectRow(r)
        return True

    def selected(self) -> Optional[dict[str, Any]]:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        uuid = self.table.item(rows[0].row(), 0).data(UUID_ROLE)
        match = self.people[self.people["uuid"] == uuid]
        return match.iloc[0].to_dict() if len(match) else None

    # --- PINs ------------------------------------------------------------------------------------
    def has_pin(self, uuid: str) -> bool:
        return bool(self.settings.value(pin_key(uuid), ""))

    def _pinned(self) -> set[str]:
        """The people with a PIN on this laptop (one look at the settings, not one per person)."""
        self.settings.beginGroup(pin_key("").rstrip("/"))
        try:
            return {key for key in self.settings.childKeys() if self.settings.value(key, "")}
        finally:
            self.settings.endGroup()

    def _pin_ok(self, person: dict[str, Any]) -> bool:
        stored = str(self.settings.value(pin_key(str(person["uuid"])), "") or "")
        return not stored or check_pin(self.pin.text(), stored)

    def _clear_pin(self) -> None:
        person = self.selected()
        if person is None or not self.has_pin(str(person["uuid"])):
            return
        if not self._pin_ok(person):
            self._show_error(self.tr("Type the person's PIN first."))
            return
        self.settings.remove(pin_key(str(person["uuid"])))
        self.settings.sync()
        self.pin.clear()
        self._fill_texts()
        self._update()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def _update(self) -> None:
        person = self.selected()
        protected = person is not None and self.has_pin(str(person["uuid"]))
        self.pin.setEnabled(protected)
        self.pin_label.setEnabled(protected)
        self.clear_pin.setEnabled(protected)
        new = self.new_pin.text()
        ok = person is not None and (not self.set_pin.isChecked() or valid_pin(new))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        if person is None:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(self.tr("Choose a person first"))
        elif self.set_pin.isChecked() and not valid_pin(new):
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(self.tr("A PIN is 4 to 8 digits"))
        else:
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip("")
        self._show_error("")

    # --- choosing ---------------------------------------------------------------------------------
    def choose(self, name_or_uuid: str, pin: str = "") -> bool:
        """Choose a person as the user would (tests and scripts); True when accepted."""
        match = self.people[(self.people["uuid"] == name_or_uuid) | (self.people["name"] == name_or_uuid)]
        if not len(match) or not self.select_uuid(str(match["uuid"].iloc[0])):
            return False
        self.pin.setText(pin)
        self.accept()
        return self.result() == QDialog.DialogCode.Accepted

    def accept(self) -> None:
        person = self.selected()
        if person is None:
            return
        if not self._pin_ok(person):
            self._show_error(self.tr("Wrong PIN for %s.") % _text(person.get("name")))
            self.pin.selectAll()
            self.pin.setFocus()
            return
        if self.set_pin.isChecked():
            if not valid_pin(self.new_pin.text()):
                self._show_error(self.tr("A PIN is 4 to 8 digits"))
                return
            self.settings.setValue(pin_key(str(person["uuid"])), hash_pin(self.new_pin.text()))
            self.settings.sync()
        self.chosen.emit(_text(person.get("name")), str(person["uuid"]))
        super().accept()
