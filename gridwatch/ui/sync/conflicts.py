"""The sync conflicts panel: what syncs decided, for a supervisor to accept or restore."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...app import sharing
from ...domain.policy import Action
from ...domain.vocabulary import (
    CATEGORY_TITLES,
    CONFLICT_STATUS_TITLES,
    FINDING_STATUS_TITLES,
    KIND_TITLES,
    ROLE_TITLES,
    TASK_STATUS_TITLES,
    title,
)
from ...times import short_time
from .. import i18n
from ..map.panels import beijing_time
from ..texts import feature_title, field_title, value_title
from ..widgets import column, fill, hbox, named, record_table, scrolled, set_texts

if TYPE_CHECKING:
    pass
else:
    pass

from ...lazy import EmptyFrame, frame_read

log = logging.getLogger("gridwatch.ui")


UUID_ROLE = Qt.ItemDataRole.UserRole + 1


STATUS_ROLE = Qt.ItemDataRole.UserRole + 2


class ConflictsPanel(QDockWidget):
    """Sync conflicts of the open project: every value a sync overrode; accept or restore it.

    The list says when, what and its review status; the selected conflict is shown below with the kept
    and the overwritten value side by side, who wrote each, and the rule that decided.
    """

    COLUMNS = ("time", "table", "field", "status")
    #: The conflicts listed (empty until read).
    frame = EmptyFrame()
    #: The record of the selected conflict, to show on the map: (table, row uuid).
    showRowRequested = Signal(str, str)

    def __init__(self, controller: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflictDock")
        self.controller = controller

        self.status_filter = named(QComboBox(), "conflictStatus")
        self.status_filter.addItem("", "open")
        self.status_filter.addItem("", None)
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.filter_label = QLabel()
        self.filter_label.setBuddy(self.status_filter)
        self.table = record_table(named(QTableWidget(0, len(self.COLUMNS)), "conflictTable"))
        self.table.setWordWrap(False)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.count = named(QLabel(), "conflictCount")
        self.accept_button = named(QPushButton(), "conflictAccept", clicked=lambda _=False: self.review("accept"))
        self.restore_button = named(QPushButton(), "conflictRestore", clicked=lambda _=False: self.review("restore"))
        self.map_button = named(QPushButton(), "conflictShowOnMap", clicked=lambda _=False: self._show_row())

        # the selected conflict: kept and overwritten side by side
        self.heading = named(QLabel(), "conflictHeading")
        self.heading.setWordWrap(True)
        self.kept_title, self.other_title = named(QLabel(), "conflictKeptTitle"), named(QLabel(), "conflictOtherTitle")
        self.kept_value, self.other_value = _value_box("conflictKeptValue"), _value_box("conflictOtherValue")
        self.kept_who, self.other_who = named(QLabel(), "conflictKeptBy"), named(QLabel(), "conflictOtherBy")
        for w in (self.kept_who, self.other_who):
            w.setWordWrap(True)
        self.kept_title.setStyleSheet("font-weight: bold; color: #1b5e20;")
        self.other_title.setStyleSheet("font-weight: bold; color: #b71c1c;")
        sides = QGridLayout()
        sides.setContentsMargins(0, 0, 0, 0)
        for c, widgets in enumerate(((self.kept_title, self.kept_value, self.kept_who),
                                     (self.other_title, self.other_value, self.other_who))):
            for r, w in enumerate(widgets):
                sides.addWidget(w, r, c)
        sides.setColumnStretch(0, 1)
        sides.setColumnStretch(1, 1)
        self.rule_label = named(QLabel(), "conflictRule")
        self.rule_label.setWordWrap(True)
        self.when_label = named(QLabel(), "conflictWhen")
        self.when_label.setWordWrap(True)
        self.details = named(QGroupBox(), "conflictDetails")
        fill(self.details, self.heading, sides, self.rule_label, self.when_label, margins=6)

        top = QHBoxLayout()
        top.addWidget(self.filter_label)
        top.addWidget(self.status_filter)
        top.addStretch(1)
        top.addWidget(self.count)
        split = named(QSplitter(Qt.Orientation.Vertical), "conflictSplitter")
        split.addWidget(self.table)
        # (in a scroll area: the splitter knows nothing of wrapped text and would squeeze the boxes together)
        split.addWidget(named(scrolled(self.details, shrink_lists=True), "conflictDetailsScroll"))
        # The list is short (a few conflicts to review); the selected one below gets the room.
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(2 * rows + self.table.horizontalHeader().sizeHint().height() + 4)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([self.table.minimumHeight(), 1000])
        # the buttons under the details, always in view however short the dock
        self.setWidget(column(top, (split, 1), hbox(self.accept_button, self.restore_button, self.map_button),
                              margins=4))

        self.table.itemSelectionChanged.connect(self._show_selected)
        controller.changed.connect(lambda _edit: self.refresh())
        controller.userChanged.connect(self.refresh)
        controller.reloaded.connect(self.refresh)
        controller.busyChanged.connect(lambda _busy: self._update_buttons())
        self.retranslate()
        self.refresh()

    # --- texts -------------------------------------------------------------------------------------
    def rule_text(self, rule: str) -> str:
        return {
            "status only moves forward": self.tr("Status only moves forward"),
            "the later edit wins": self.tr("The later edit wins"),
            "the edit synced last wins": self.tr("The edit synced last wins"),
            "a delete wins over an edit": self.tr("A delete wins over an edit"),
        }.get(rule, rule)

    def rule_explanation(self, rule: str) -> str:
        return {
            "status only moves forward": self.tr("A finding or task only moves forward in its loop: the step "
                                                 "further along was kept, with its notes, people and times."),
            "the later edit wins": self.tr("Both changed this field; the edit made later (by its time) was kept."),
            "the edit synced last wins": self.tr("Both changed this field at the same time; the edit synced last "
                                                 "was kept."),
            "a delete wins over an edit": self.tr("The record was deleted on one side; the delete stands and the "
                                                  "edit is kept here for the record."),
        }.get(rule, "")

    def status_text(self, status: str) -> str:
        return title(CONFLICT_STATUS_TITLES, status, i18n.current())

    def who_text(self, who: Any) -> str:
        text = "" if who is None else str(who)
        if text == "shared project":
            return self.tr("the shared project")
        if text == "deleted":
            return self.tr("deleted")
        if text.endswith(" (this sync)"):
            return text[: -len(" (this sync)")] + " " + self.tr("(this sync)")
        return text

    def value_text(self, table: str, column: str, stored: Any) -> str:
        """A stored conflict value as people read it."""
        try:
            v = sharing.decode_value(stored)
        except (ValueError, TypeError):
            return str(stored)
        if v is None:
            return ""
        if isinstance(v, (bytes, bytearray)):
            return self.tr("<%1 bytes>").replace("%1", str(len(v)))
        lang = i18n.current()
        if column == "status" and table == "finding":
            return title(FINDING_STATUS_TITLES, v, lang)
        if column == "status" and table == "assignment":
            return title(TASK_STATUS_TITLES, v, lang)
        if column == "category" and table == "finding":
            return title(CATEGORY_TITLES, v, lang)
        if column == "kind" and table == "assignment":
            return title(KIND_TITLES, v, lang)
        if column == "role" and table == "inspector":
            return title(ROLE_TITLES, v, lang)
        if isinstance(v, bool):
            return self.tr("yes") if v else self.tr("no")
        if isinstance(v, str) and len(v) >= 20 and v[4:5] == "-" and v.endswith("Z"):
            return beijing_time(v)
        if isinstance(v, (dict, list)):
            return json.dumps(v, ensure_ascii=False)
        return value_title(v) if isinstance(v, str) else str(v)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sync conflicts"))
        self.filter_label.setText(self.tr("Show:"))
        self.status_filter.setItemText(0, self.tr("Open conflicts"))
        self.status_filter.setItemText(1, self.tr("All conflicts"))
        self.table.setHorizontalHeaderLabels([self.tr("Time"), self.tr("Record"), self.tr("Field"),
                                              self.tr("Status")])
        self.details.setTitle(self.tr("Selected conflict"))
        self.kept_title.setText(self.tr("Kept (in the project now)"))
        self.other_title.setText(self.tr("Overwritten (not in the project)"))
        set_texts(self.map_button, self.tr("Show on map"), self.tr("Show the record this conflict is about"))
        set_texts(self.accept_button, self.tr("&Accept"), self.tr("The kept value stays; the conflict is closed"))
        self.restore_button.setText(self.tr("&Restore overridden value"))
        self.restore_button.setToolTip(self.tr("Put the overridden value back (an edit you can undo)"))
        self._fill_table()

    # --- reading ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the conflicts again (keeps the selected one when it is still listed)."""
        path = self.controller.path
        frame = None  # nothing listed (read as an empty frame)
        if path is not None:
            try:
                frame = sharing.conflicts(path, status=self.status_filter.currentData())
            except Exception as exc:  # noqa: BLE001 - an old or damaged project: an empty list
                log.info("reading sync conflicts of %s failed: %s", path, exc)
                frame = None
        self.frame = frame
        self._fill_table()

    def _fill_table(self) -> None:
        keep = self.selected_uuid()
        t = self.table
        t.blockSignals(True)
        t.clearContents()
        rows = self.frame.to_dict("records") if frame_read(self, "frame") else []  # nothing read yet: no pandas
        t.setRowCount(len(rows))
        select = -1
        for r, row in enumerate(rows):
            table, column = str(row.get("table_name") or ""), str(row.get("column_name") or "")
            kept = self.value_text(table, column, row.get("kept_value"))
            if row.get("kept_value") is None and row.get("kept_by") == "deleted":
                kept = self.tr("(row deleted)")
            other = self.value_text(table, column, row.get("other_value"))
            texts = [
                short_time(row.get("at")),
                feature_title(table),
                field_title(table, column) if column != "*" else self.tr("(whole row)"),
                self.status_text(str(row.get("status") or "")),
            ]
            for c, text in enumerate(texts):
                t.setItem(r, c, QTableWidgetItem(text))
            t.item(r, 0).setData(UUID_ROLE, row["uuid"])
            t.item(r, 0).setData(STATUS_ROLE, row.get("status"))
            t.item(r, 0).setToolTip(beijing_time(row.get("at"), "%Y-%m-%d %H:%M:%S"))
            tip = self.tr("Kept: %1\nOverwritten: %2").replace("%1", kept).replace("%2", other)
            for c in (1, 2):
                t.item(r, c).setToolTip(tip)
            if row.get("status") == "open":
                t.item(r, 3).setForeground(QBrush(QColor("#c62828")))
            if row["uuid"] == keep:
                select = r
        if select >= 0:
            t.selectRow(select)
        t.blockSignals(False)
        t.resizeColumnsToContents()
        n = len(rows)
        self.count.setText(self.tr("%n conflict(s)", "", n))
        if select < 0 and n:
            t.selectRow(0)  # the details show something from the start
        self._show_selected()
        self._update_buttons()

    def selected_row(self) -> dict[str, Any]:
        """The selected conflict's record ({} if none)."""
        uuid = self.selected_uuid()
        if uuid is None or not len(self.frame):
            return {}
        match = self.frame[self.frame["uuid"] == uuid]
        return match.iloc[0].to_dict() if len(match) else {}

    def _show_selected(self) -> None:
        """The selected conflict below the list: kept and overwritten side by side, who, when, the rule."""
        row = self.selected_row()
        self.details.setEnabled(bool(row))
        if not row:
            self.heading.setText(self.tr("Select a conflict to see both values."))
            for w in (self.kept_value, self.other_value):
                w.setPlainText("")
            for w in (self.kept_who, self.other_who, self.rule_label, self.when_label):
                w.setText("")
            return
        table, column = str(row.get("table_name") or ""), str(row.get("column_name") or "")
        field = field_title(table, column) if column != "*" else self.tr("(whole row)")
        self.heading.setText(f"{feature_title(table)} · {field}")
        self.heading.setToolTip(str(row.get("row_uuid") or ""))
        kept = self.value_text(table, column, row.get("kept_value"))
        if row.get("kept_value") is None and row.get("kept_by") == "deleted":
            kept = self.tr("(row deleted)")
        self.kept_value.setPlainText(kept)
        self.other_value.setPlainText(self.value_text(table, column, row.get("other_value")))
        self.kept_who.setText(self.tr("from %s") % self.who_text(row.get("kept_by")))
        self.other_who.setText(self.tr("from %s") % self.who_text(row.get("other_by")))
        rule = str(row.get("rule") or "")
        self.rule_label.setText(self.tr("Rule: %s") % self.rule_text(rule) + "\n" + self.rule_explanation(rule))
        when = self.tr("Decided by the sync of %s (Beijing time)") % beijing_time(row.get("at"))
        if row.get("status") != "open" and row.get("reviewed_by"):
            when += "\n" + (self.tr("%1 by %2, %3").replace("%1", self.status_text(str(row.get("status"))))
                            .replace("%2", str(row.get("reviewed_by")))
                            .replace("%3", beijing_time(row.get("reviewed_at"))))
        self.when_label.setText(when)

    def _show_row(self) -> None:
        row = self.selected_row()
        if row.get("row_uuid"):
            self.showRowRequested.emit(str(row.get("table_name") or ""), str(row["row_uuid"]))

    def selected_uuid(self) -> Optional[str]:
        return self._selected(UUID_ROLE)

    def selected_status(self) -> Optional[str]:
        return self._selected(STATUS_ROLE)

    def _selected(self, role: int) -> Optional[str]:
        """The ``role`` data of the selected conflict's first cell."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        item = self.table.item(rows[0].row(), 0) if rows else None
        return item.data(role) if item is not None else None

    def select_conflict(self, uuid: str) -> bool:
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(UUID_ROLE) == uuid:
                self.table.selectRow(r)
                return True
        return False

    def may_review(self) -> bool:
        return bool(self.controller.may(Action.REVIEW_CONFLICTS))

    def _update_buttons(self) -> None:
        ok = self.may_review() and self.selected_status() == "open" and not self.controller.busy
        self.accept_button.setEnabled(ok)
        self.restore_button.setEnabled(ok)
        row = self.selected_row()
        self.map_button.setEnabled(bool(row.get("row_uuid")))
        if not self.may_review():
            why = self.controller.refusal(Action.REVIEW_CONFLICTS)
            for b in (self.accept_button, self.restore_button):
                b.setToolTip(why)
        else:
            self.accept_button.setToolTip(self.tr("The kept value stays; the conflict is closed"))
            self.restore_button.setToolTip(self.tr("Put the overridden value back (an edit you can undo)"))

    # --- reviewing ------------------------------------------------------------------------------------
    def review(self, action: str) -> None:
        """Accept the selected conflict or restore its overridden value (an undoable edit)."""
        uuid = self.selected_uuid()
        if uuid is None or not self.may_review() or self.selected_status() != "open":
            return
        self.accept_button.setEnabled(False)
        self.restore_button.setEnabled(False)
        self.controller.run(sharing.review_conflict, uuid, action)


def _value_box(name: str) -> QPlainTextEdit:
    """A read-only box for one side's value (long descriptions wrap and scroll)."""
    box = named(QPlainTextEdit(), name)
    box.setReadOnly(True)
    box.setMaximumHeight(96)
    box.setMinimumHeight(44)
    return box
