"""Findings (问题): the list with filters, one finding's details, photos and history, the loop's
steps (交办 assign, 整改 rectify, 核查 verify, 驳回 reject, 销号 close) and recording a new one.

Everything here reads the project read-only on the GUI thread (short queries) and writes only
through :meth:`WorkflowController.run <gridwatch.ui.session.WorkflowController.run>`, which
applies the edit on a worker thread and puts it on the undo stack.  Dialogs stay open until the
edit is applied, so nothing the user typed is lost when the core refuses it; the refusal is
shown inside the dialog.
"""

from __future__ import annotations

import datetime as _dt
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTabWidget,
    QTreeWidget,
    QWidget,
)

from ...app.periods import Period, finding_ends
from ...app.store import FINDING_CATEGORIES, FINDING_STATUSES, Edit, queries
from ...domain.vocabulary import (
    CATEGORY_TITLES,
    FINDING_STATUS_TITLES,
    SEVERITY_TITLES,
    title,
)
from ...times import BEIJING, overlaps
from ...times import beijing_text as beijing
from ...times import parse_stored_time as parse_time
from .. import i18n
from ..jobs import Job, queue, run_job
from ..widgets import column, fill, named, record_table
from .common import (
    _WARN,
    FINDING_ACTIONS,
    RED,
    SORT_ROLE,
    UUID_ROLE,
    PhotoViewer,
    _float,
    _int,
    _photo_list,
    _SortItem,
    _text,
)
from .details import FindingDetails
from .dialogs import FindingActionDialog, FindingDialog, FindingEditDialog

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

from ...lazy import EmptyFrame, frame_read

__all__ = [
    "FindingsPanel",
    "FindingActionDialog",
    "FindingDialog",
    "FindingEditDialog",
    "PhotoViewer",
    "FINDING_ACTIONS",
    "UUID_ROLE",
]


# --------------------------------------------------------------------------------------------
# the panel


#: Reads of the findings after an edit, one at a time and in order.
_READ_POOL = queue("findings")


def reads_pending() -> bool:
    """Whether a findings panel still has a read after an edit to show (tests wait for False)."""
    return any(p._refresh_job is not None for p in list(FindingsPanel._live) if _alive(p))


def _alive(panel: "FindingsPanel") -> bool:
    try:
        panel.objectName()
    except RuntimeError:  # the C++ widget is gone: its read will never be shown
        return False
    return True


class FindingsPanel(QDockWidget, FindingDetails):
    """Findings of the open project: filters, table, the selected finding's details, photos,
    history and the loop steps the current user may take."""

    zoomToFinding = Signal(float, float)  # longitude, latitude (double-click a row)
    findingSelected = Signal(str)  # uuid
    #: The list was read again after an edit (on a worker) and shown.
    refreshed = Signal()
    #: Live panels (for :func:`reads_pending`).
    _live: "weakref.WeakSet[FindingsPanel]" = weakref.WeakSet()

    COLUMNS = ("found", "status", "category", "severity", "township", "village", "cell", "party", "deadline",
               "photos")
    #: The findings listed, the chosen one's history and attachments (empty until read after the first paint).
    frame = EmptyFrame()
    _history = EmptyFrame()
    _attachments = EmptyFrame()

    def __init__(self, controller: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingDock")
        self.controller = controller
        self.dialog: Optional[FindingActionDialog] = None
        self.viewer: Optional[PhotoViewer] = None
        self._townships_of: Optional[Path] = None
        self._current: Optional[str] = None
        self._row: Optional[dict[str, Any]] = None
        self._refresh_job: Optional[Job] = None
        FindingsPanel._live.add(self)

        # filters
        self.category_filter = named(QComboBox(), "findingCategoryFilter")
        self.category_filter.addItem("", None)
        for code in FINDING_CATEGORIES:
            self.category_filter.addItem("", code)
        self.status_filter = named(QComboBox(), "findingStatusFilter")
        self.status_filter.addItem("", None)
        for code in FINDING_STATUSES:
            self.status_filter.addItem("", code)
        self.township_filter = named(QComboBox(), "findingTownshipFilter")
        self.township_filter.addItem("", None)
        self.overdue_filter = named(QCheckBox(), "findingOverdueFilter")
        for combo in (self.category_filter, self.status_filter, self.township_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.refresh)
        self.overdue_filter.toggled.connect(self.refresh)

        # table
        self.table = record_table(named(QTableWidget(0, len(self.COLUMNS)), "findingTable"))
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the query's order
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.cellDoubleClicked.connect(self._on_double_click)
        # a few rows always show, even in a short dock (the panel scrolls to the details then)
        self.table.setMinimumHeight(5 * self.table.verticalHeader().defaultSectionSize() + 30)
        self.count = named(QLabel(), "findingCount")

        # actions
        self.action_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for a in FINDING_ACTIONS:
            b = QPushButton()
            b.setObjectName(f"findingAction_{a}")
            b.clicked.connect(lambda _=False, a=a: self.start_action(a))
            b.hide()
            self.action_buttons[a] = b
            actions.addWidget(b)
        self.edit_button = QPushButton()  # correct the details (FindingEditDialog)
        self.edit_button.setObjectName("findingEdit")
        self.edit_button.clicked.connect(lambda _=False: self.start_edit())
        self.edit_button.hide()
        self.edit_dialog: Optional[FindingEditDialog] = None
        actions.addWidget(self.edit_button)
        # the assignment notice (交办单) of the finding as a Word document (issue 17)
        self.notice_button = named(QPushButton(), "findingNotice", clicked=lambda: self.choose_notice_file())
        self.notice_button.hide()
        actions.addWidget(self.notice_button)
        actions.addStretch(1)

        # details
        self.detail = named(QLabel(), "findingDetail")
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.photos = _photo_list("findingPhotos")
        self.photos.itemDoubleClicked.connect(self._on_photo_double_click)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        detail_box = column((scroll, 1), self.photos)
        self.history = named(QTreeWidget(), "findingHistory")
        self.history.setColumnCount(5)
        self.history.setRootIsDecorated(False)
        self.history.setWordWrap(True)
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tabs = named(QTabWidget(), "findingTabs")
        self.tabs.addTab(detail_box, "")
        self.tabs.addTab(self.history, "")

        # Two rows of filters: a narrow dock (1366x768 screens) still shows every choice in full.
        filters = QGridLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        self.filter_labels = [QLabel(), QLabel(), QLabel()]
        places = ((0, 0), (0, 2), (1, 0))
        for (row, col), label, combo in zip(places, self.filter_labels, (self.category_filter, self.status_filter,
                                                                         self.township_filter)):
            label.setBuddy(combo)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            filters.addWidget(label, row, col)
            filters.addWidget(combo, row, col + 1)
        filters.addWidget(self.overdue_filter, 1, 2, 1, 2)
        filters.setColumnStretch(1, 1)
        filters.setColumnStretch(3, 1)
        top = column(filters, (self.table, 1), self.count)
        bottom = QWidget()
        fill(bottom, actions, (self.tabs, 1), margins=0)
        split = named(QSplitter(Qt.Orientation.Vertical), "findingSplitter")
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        self.setWidget(column(split, margins=4))

        controller.changed.connect(self._on_edit)
        controller.userChanged.connect(self._on_user_changed)
        controller.reloaded.connect(self._on_user_changed)  # townships and findings read again
        controller.busyChanged.connect(self._on_busy)
        self.retranslate()
        self.refresh()

    # --- texts -------------------------------------------------------------------------------------
    def action_text(self, action: str) -> str:
        return {"assign": self.tr("Assign for rectification"), "rectify": self.tr("Record rectification"),
                "verify": self.tr("Verify"), "reject": self.tr("Reject"), "close": self.tr("Close")}[action]

    def retranslate(self) -> None:
        lang = i18n.current()
        self.setWindowTitle(self.tr("Findings"))
        self.filter_labels[0].setText(self.tr("Category"))
        self.filter_labels[1].setText(self.tr("Status"))
        self.filter_labels[2].setText(self.tr("Township"))
        for combo, table in ((self.category_filter, CATEGORY_TITLES), (self.status_filter, FINDING_STATUS_TITLES)):
            combo.setItemText(0, self.tr("All"))
            for i in range(1, combo.count()):
                combo.setItemText(i, title(table, combo.itemData(i), lang))
        self.township_filter.setItemText(0, self.tr("All"))
        self.overdue_filter.setText(self.tr("Overdue only"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Found"), self.tr("Status"), self.tr("Category"), self.tr("Severity"), self.tr("Township"),
            self.tr("Village"), self.tr("Cell"), self.tr("Responsible party"), self.tr("Deadline"),
            self.tr("Photos")])
        self.history.setHeaderLabels([self.tr("Time"), self.tr("Who"), self.tr("Action"), self.tr("Changes"),
                                      self.tr("Details")])
        self.tabs.setTabText(0, self.tr("Details"))
        self.tabs.setTabText(1, self.tr("History"))
        for a, b in self.action_buttons.items():
            b.setText(self.action_text(a))
        self.edit_button.setText(self.tr("Edit…"))
        self.notice_button.setText(self.tr("Notice (Word)…"))
        self.notice_button.setToolTip(self.tr("The assignment notice of this finding: cell, place, photo, deadline, "
                                              "responsible party"))
        self.edit_button.setToolTip(self.tr("Correct the category, severity, description, party or deadline"))
        self._fill_table()
        self._show_details()

    # --- reading -------------------------------------------------------------------------------
    def _on_user_changed(self, *_args: Any) -> None:
        """A township grid chief sees their township's findings first (the filter stays changeable)."""
        actor = self.controller.actor
        self._load_townships()
        if actor is not None and actor.role == "chief" and actor.township_code:
            i = self.township_filter.findData(actor.township_code)
            if i >= 0 and i != self.township_filter.currentIndex():
                self.township_filter.setCurrentIndex(i)  # refreshes
                return
        self.refresh()

    def _load_townships(self) -> None:
        path = self.controller.path
        if path == self._townships_of:
            return
        self._townships_of = path
        keep = self.township_filter.currentData()
        self.township_filter.blockSignals(True)
        while self.township_filter.count() > 1:
            self.township_filter.removeItem(1)
        if path is not None:
            try:
                rows = queries.townships(path)
            except Exception:  # noqa: BLE001 - a damaged project: no township filter rather than no panel
                rows = []
            for code, name in rows:
                self.township_filter.addItem(_text(name) or _text(code), code)
        i = self.township_filter.findData(keep) if keep is not None else 0
        self.township_filter.setCurrentIndex(max(i, 0))
        self.township_filter.blockSignals(False)

    _period: Optional[Period] = None
    _period_now: Optional[_dt.datetime] = None

    def set_period(self, period: Optional[Period], now: Optional[_dt.datetime] = None) -> None:
        """List the findings open at some time in ``period`` (recorded before its end, not verified or
        closed before its start); None: all."""
        self._period, self._period_now = period, now
        self.refresh()

    def refresh(self) -> None:
        """Read the findings again (filters applied); keeps the selected finding when it is still listed."""
        self._load_townships()
        path = self.controller.path
        if path is None:
            self.frame = None  # no project: nothing listed (read as an empty frame)
        else:
            self.frame = queries.findings(path, status=self.status_filter.currentData(),
                                          category=self.category_filter.currentData(),
                                          township=self.township_filter.currentData(),
                                          overdue_only=self.overdue_filter.isChecked())
            if self._period is not None and len(self.frame):  # open at some time in the period
                alive = overlaps(self.frame["found_at"], finding_ends(self.frame),
                                 self._period.window(self._period_now))
                self.frame = self.frame[alive].reset_index(drop=True)
        self._fill_table()
        self._on_selection(force=True)

    def _fill_table(self) -> None:
        lang = i18n.current()
        keep = self._current
        t = self.table
        t.blockSignals(True)
        sorting = t.isSortingEnabled()
        t.setSortingEnabled(False)
        t.clearContents()
        rows = self.frame.to_dict("records") if frame_read(self, "frame") else []  # nothing read yet: no pandas
        t.setRowCount(len(rows))
        for r, row in enumerate(rows):
            overdue = bool(row.get("overdue"))
            status = title(FINDING_STATUS_TITLES, row.get("status"), lang)
            if overdue:
                status += " · " + self.tr("overdue")
            found = parse_time(row.get("found_at"))
            photos = _int(row.get("photo_count"))
            flagged = _int(row.get("flagged_photos"))
            warn = flagged > 0 or bool(_text(row.get("location_note")))
            cells = [
                (found.astimezone(BEIJING).strftime("%m-%d %H:%M") if found else "",
                 _text(row.get("found_at"))),
                (status, (0 if overdue else 1, FINDING_STATUSES.index(row["status"])
                          if row.get("status") in FINDING_STATUSES else 9)),
                (title(CATEGORY_TITLES, row.get("category"), lang), None),
                (title(SEVERITY_TITLES, _int(row.get("severity"), 2), lang), _int(row.get("severity"))),
                (_text(row.get("township_name")), None),
                (_text(row.get("village_name")), None),
                (_text(row.get("cell_name")) or _text(row.get("cell_code")), None),
                (_text(row.get("responsible_party")), None),
                (_text(row.get("rectify_deadline")), _text(row.get("rectify_deadline")) or "9999"),
                (f"{photos} {_WARN}" if warn else str(photos), photos * 2 + (1 if warn else 0)),
            ]
            for c, (text, key) in enumerate(cells):
                item = _SortItem(text)
                if key is not None:
                    item.setData(SORT_ROLE, key)
                t.setItem(r, c, item)
            t.item(r, 0).setData(UUID_ROLE, row["uuid"])
            t.item(r, 0).setToolTip(beijing(row.get("found_at")))
            t.item(r, 6).setToolTip(_text(row.get("cell_code")))
            if overdue:
                t.item(r, 1).setForeground(QBrush(RED))
                t.item(r, 8).setForeground(QBrush(RED))
            if warn:
                t.item(r, 9).setForeground(QBrush(RED))
                tip = []
                if flagged:
                    tip.append(self.tr("%d photo(s) taken far from the cell or outside the task time") % flagged)
                if _text(row.get("location_note")):
                    tip.append(_text(row.get("location_note")))
                t.item(r, 9).setToolTip("\n".join(tip))
        t.setSortingEnabled(sorting)
        # keep the selection
        t.clearSelection()
        if keep is not None:
            r = self._row_of(keep)
            if r is not None:
                t.selectRow(r)
        t.blockSignals(False)
        n = len(rows)
        overdue_n = int(self.frame["overdue"].sum()) if n and "overdue" in self.frame else 0
        if n <= 2000:  # beyond that the user sizes columns; measuring every row would stall
            t.resizeColumnsToContents()
        if self.controller.path is None:
            self.count.setText(self.tr("No project open"))
        elif overdue_n:
            self.count.setText(self.tr("%n finding(s)", "", n) + ", " + self.tr("%n overdue", "", overdue_n)
                               + self._period_note())
        else:
            self.count.setText(self.tr("%n finding(s)", "", n) + self._period_note())

    def _period_note(self) -> str:
        if self._period is None or self._period.kind == "all":
            return ""
        return f" · {self._period.title(i18n.current())}"

    def _row_of(self, uuid: str) -> Optional[int]:
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.data(UUID_ROLE) == uuid:
                return r
        return None

    # --- selection ---------------------------------------------------------------------------------
    def select_finding(self, uuid: str) -> bool:
        """Select the finding ``uuid`` in the table (scrolled into view); False when it is not listed."""
        r = self._row_of(uuid)
        if r is None:
            return False
        self.table.selectRow(r)
        self.table.scrollToItem(self.table.item(r, 0))
        return True

    def selected_finding(self) -> Optional[dict[str, Any]]:
        """The selected finding: its list row with every column of its ``finding`` row; None if none."""
        return dict(self._row) if self._row is not None else None

    def _selected_uuid(self) -> Optional[str]:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(UUID_ROLE)) if item is not None else None

    def _on_selection(self, force: bool = False) -> None:
        uuid = self._selected_uuid()
        changed = uuid != self._current
        if not changed and not force:
            return
        self._current = uuid
        self._row = None
        if uuid is not None and len(self.frame):
            match = self.frame[self.frame["uuid"] == uuid]
            if len(match):
                row = match.iloc[0].to_dict()
                full = self._read_finding(uuid)
                for k, v in full.items():
                    if k != "geom" and k not in row:
                        row[k] = v
                self._row = row
        self._load_details()
        if changed and uuid is not None:
            self.findingSelected.emit(uuid)

    def _read_finding(self, uuid: str) -> dict[str, Any]:
        if self.controller.path is None:
            return {}
        return queries.finding_row(self.controller.path, uuid)

    def _load_details(self) -> None:
        path = self.controller.path
        if self._row is None or path is None:
            self._history = None  # none chosen: nothing (read as empty frames)
            self._attachments = None
        else:
            self._history = queries.history(path, self._row["uuid"])
            self._attachments = queries.attachments(path, self._row["uuid"])
        self._show_details()

    def _on_edit(self, edit: Edit) -> None:
        """An edit was written: read the list (and the selected finding's rows) again on a worker, so the
        step's feedback is not held up; the count says "Updating…" meanwhile."""
        created = edit.created("finding") if edit is not None else []
        select = created[0] if created and edit.action == "create" else self._current
        path = self.controller.path
        if path is None:
            self.refresh()
            return
        filters = dict(status=self.status_filter.currentData(), category=self.category_filter.currentData(),
                       township=self.township_filter.currentData(), overdue_only=self.overdue_filter.isChecked())

        def read(_progress: Any, _cancel: Any) -> tuple[Any, ...]:
            frame = queries.findings(path, **filters)
            if select is None or not (frame["uuid"] == select).any():
                return frame, select, {}, pd.DataFrame(), pd.DataFrame()
            return (frame, select, queries.finding_row(path, select), queries.history(path, select),
                    queries.attachments(path, select))

        self._refresh_job = run_job(read, "findings", succeeded=self._on_read, failed=self._on_read_failed,
                                    executor=_READ_POOL, tag=path)
        self.count.setText(self.tr("Updating…"))

    def _on_read(self, job: Job, result: tuple[Any, ...]) -> None:
        if job is not self._refresh_job or job.tag != self.controller.path:
            return  # a newer edit's read follows
        self._refresh_job = None
        frame, select, full, history, attachments = result
        before = self._current
        self.frame = frame
        self._current = select
        self._fill_table()
        self._row = None
        if select is not None and full:
            row = frame[frame["uuid"] == select].iloc[0].to_dict()
            row.update({k: v for k, v in full.items() if k != "geom" and k not in row})
            self._row = row
            self.select_finding(select)
        self._history, self._attachments = history, attachments
        self._show_details()
        if self._row is not None and select != before:
            self.findingSelected.emit(select)  # a finding just recorded is the one shown
        self.refreshed.emit()

    def _on_read_failed(self, job: Job, message: str, kind: str) -> None:
        if job is self._refresh_job:
            self._refresh_job = None
            self.refresh()  # the error, if any, shows as it would without a worker

    def _on_double_click(self, row: int, column: int) -> None:
        item = self.table.item(row, 0)
        if item is None:
            return
        match = self.frame[self.frame["uuid"] == item.data(UUID_ROLE)]
        if len(match):
            lon, lat = _float(match.iloc[0]["longitude"]), _float(match.iloc[0]["latitude"])
            if lon is not None and lat is not None:
                self.zoomToFinding.emit(lon, lat)

    # --- the assignment notice ---------------------------------------------------------------------
    def choose_notice_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self._row is not None:
            name, _ = QFileDialog.getSaveFileName(self, self.tr("Save the assignment notice"), "交办单.docx",
                                                  self.tr("Word documents (*.docx)"))
            if name:
                self.write_notice(Path(name))

    def write_notice(self, out: Path) -> None:
        """The selected finding's assignment notice, written on the worker through the one export runner."""
        from ...app.exports import run_export

        path, key = self.controller.path, (self._row or {}).get("uuid")
        if path is None or key is None:
            return
        run_job(lambda progress, cancel: run_export("notice", path, out, {"finding": key}), "notice",
                succeeded=self._notice_written, failed=self._notice_failed)

    def _notice_written(self, job: Job, written: Any) -> None:
        self.count.setText(self.tr("Wrote %s") % str(written))

    def _notice_failed(self, job: Job, message: str, kind: str) -> None:
        self.count.setText(message)
