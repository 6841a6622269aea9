"""The coverage panel (巡查覆盖): how recently every cell was patrolled, against its patrol rule.

Per township and per inspector: coverage % over a period (last 7 or 30 days, or a custom number
of days), cells never inspected, cells overdue under the patrol rule (the district's seasonal
calendar, or the panel's own intervals kept in QSettings) and open findings; a switch colours the
map's cells by days since their last inspection (never inspected hatched, overdue outlined), with
the classes and their counts as the grid-cell layer's legend.

The numbers come from :func:`gridwatch.analysis.coverage.coverage_from_project`, on a plain Python
thread (never QThreadPool: pyproj crashes on reused Qt pool threads), recomputed (debounced) after
every edit the :class:`~gridwatch.ui.session.WorkflowController` applies.  A row click emits
:attr:`CoveragePanel.cellsChosen`; :meth:`CoveragePanel.bind_map` connects canvas and layers panel.
"""

from __future__ import annotations

import datetime as _dt
import logging
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...analysis.coverage import (
    CELL_CLASS_TITLES,
    DEFAULT_RULES,
    Coverage,
    coverage_from_project,
    rules_from_intervals,
)
from ...domain.calendar import season_of
from ...domain.policy import Action
from ...domain.seasonal import rules_text
from ...domain.vocabulary import COVERAGE_BASES, COVERAGE_BASIS_TITLES, title
from ...errors import GridWatchError
from ...mapview.theme import FeatureTheme
from ...times import BEIJING
from .. import i18n
from ..jobs import Job, in_process, run_job
from ..widgets import named, number_item, retranslate_safely, settings_of
from .coverage_map import CELL_LAYER, CoverageMap
from .refreshing import Refreshing

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

log = logging.getLogger("gridwatch.ui")

#: Periods always computed (the choices of the period box); a custom period is added to them.
PERIODS = (7, 30)
REFRESH_DELAY_MS = 400
SETTINGS_INTERVAL = "coverage/interval_"
SETTINGS_MAP_MODE = "coverage/map_mode"
SETTINGS_CALENDAR = "coverage/follow_calendar"
#: Table columns: key of the aggregate frame (``{d}`` is the period in days).
COLUMNS = ("name", "cells", "covered_{d}d", "coverage_{d}d", "never_inspected", "overdue", "open_findings")
KEY_ROLE = Qt.ItemDataRole.UserRole + 7


class CoveragePanel(QDockWidget, Refreshing, CoverageMap):
    """Patrol coverage per township and inspector, patrol rule, and the coverage map switch."""

    #: Select the cells whose ``column`` (township_code / inspector_uuid) equals ``value`` ('' = none).
    cellsChosen = Signal(str, str)
    #: The map colours cells by days since the last visit (True) or draws them plainly.
    mapModeChanged = Signal(bool)
    #: Assign inspections for these cell codes; the text describes them for the dialog.
    assignRequested = Signal(list, str)
    refreshed = Signal()
    loadFailed = Signal(str)

    def __init__(self, controller: Optional[Any] = None, settings: Optional[QSettings] = None,
                 parent: Optional[QWidget] = None, *, now: Optional[_dt.datetime] = None) -> None:
        super().__init__(parent)
        self.setObjectName("coverageDock")
        self.controller = controller
        self.settings = settings_of(controller, settings)
        self.path: Optional[Path] = None
        self.coverage: Optional[Coverage] = None
        self.theme: Optional[FeatureTheme] = None
        #: Fixed "now" for tests and reproducible reports; None: the clock.
        self.now: Optional[_dt.datetime] = now
        #: The end of a past period the window chose (a custom range): coverage as of then; None: now.
        self.period_end: Optional[_dt.datetime] = None
        self._canvas: Any = None
        self._layers_panel: Any = None
        self._init_refreshing(REFRESH_DELAY_MS)
        #: A refresh was skipped while nobody looked (panel hidden, map switch off): run it when shown.
        self._stale = False
        #: Refreshes wait (the window's first paint of a project comes first: two cores); release() runs one.
        self.held = False

        # period
        self.period_label = QLabel()
        self.period_box = named(QComboBox(), "coveragePeriod")
        for days in (*PERIODS, 0):
            self.period_box.addItem("", days)
        self.custom_days = named(QSpinBox(), "coverageCustomDays")
        self.custom_days.setRange(1, 366)
        self.custom_days.setValue(14)
        self.custom_days.setEnabled(False)
        self.period_box.currentIndexChanged.connect(self._period_changed)
        self.custom_days.valueChanged.connect(lambda _v: self._period_changed())
        self.refresh_button = named(QPushButton(), "coverageRefresh", clicked=self.refresh)
        head = QHBoxLayout()
        head.addWidget(self.period_label)
        head.addWidget(self.period_box)
        head.addWidget(self.custom_days)
        # what counts as a visit: reported inspections, patrol tracks, or both
        self.basis_box = named(QComboBox(), "coverageBasis")
        for basis in COVERAGE_BASES:
            self.basis_box.addItem("", basis)
        self.basis_box.setCurrentIndex(max(0, self.basis_box.findData(str(self.settings.value("coverage/basis",
                                                                                                 "reported")))))
        self.basis_box.currentIndexChanged.connect(self._basis_changed)
        head.addWidget(self.basis_box)
        head.addStretch(1)
        head.addWidget(self.refresh_button)

        # map switch, summary
        self.map_mode = named(QCheckBox(), "coverageMapMode")
        self.map_mode.setChecked(str(self.settings.value(SETTINGS_MAP_MODE, "false")).lower() == "true")
        self.map_mode.toggled.connect(self._map_mode_toggled)
        self.summary = named(QLabel(), "coverageSummary")
        self.summary.setWordWrap(True)
        self.status = named(QLabel(), "coverageStatus")
        self.status.setWordWrap(True)

        # tables
        self.township_table = self._make_table("coverageTownships")
        self.inspector_table = self._make_table("coverageInspectors")
        self.township_table.cellClicked.connect(lambda r, c: self._row_chosen(self.township_table, "township_code"))
        self.inspector_table.cellClicked.connect(lambda r, c: self._row_chosen(self.inspector_table, "inspector_uuid"))
        self.tabs = named(QTabWidget(), "coverageTabs")
        self.tabs.addTab(self.township_table, ""), self.tabs.addTab(self.inspector_table, "")
        self.tabs.currentChanged.connect(lambda _i: self._update_assign())
        self.assign_button = named(QPushButton(), "coverageAssign")
        self.assign_button.setEnabled(False)
        self.assign_button.clicked.connect(self._assign_overdue)

        # patrol rule
        self.rule_box = named(QGroupBox(), "coverageRule")
        form = QFormLayout(self.rule_box)
        self.interval_spins: dict[str, QDoubleSpinBox] = {}
        self.interval_labels: dict[str, QLabel] = {}
        defaults = dict(DEFAULT_RULES)
        for key in ("coal_ban_zone", "mine_or_grade_c_site", "other"):
            spin = QDoubleSpinBox()
            spin.setObjectName("interval_" + key)
            spin.setRange(0.5, 366.0)
            spin.setSingleStep(0.5)
            spin.setDecimals(1)
            spin.setValue(self._stored_interval(key, defaults[key]))
            spin.valueChanged.connect(lambda value, k=key: self._interval_changed(k, value))
            label = QLabel()
            label.setWordWrap(True)
            form.addRow(label, spin)
            self.interval_spins[key] = spin
            self.interval_labels[key] = label
        self.default_rule = named(QPushButton(), "coverageDefaultRule", clicked=self.reset_intervals)
        form.addRow(self.default_rule)
        # the district's seasonal calendar sets the intervals (the spins are a what-if when it is off)
        self.calendar_check = named(QCheckBox(), "coverageFollowCalendar")
        self.calendar_check.setChecked(str(self.settings.value(SETTINGS_CALENDAR, "true")).lower() == "true")
        self.calendar_check.toggled.connect(self._calendar_toggled)
        self.calendar_label = named(QLabel(wordWrap=True), "coverageCalendar")
        form.insertRow(0, self.calendar_check)
        form.insertRow(1, self.calendar_label)
        self._calendar_toggled(self.calendar_check.isChecked(), refresh=False)

        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(head)
        lay.addWidget(self.map_mode)
        lay.addWidget(self.summary)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.assign_button)
        lay.addWidget(self.rule_box)
        lay.addWidget(self.status)
        self.setWidget(box)

        self._follow(controller, self._follow_controller)

    def _make_table(self, name: str) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setObjectName(name)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setSortingEnabled(True)
        table.itemSelectionChanged.connect(self._update_assign)
        return table

    # --- texts ----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Patrol coverage"))
        self.period_label.setText(self.tr("Period:"))
        self.period_box.setItemText(0, self.tr("Last 7 days"))
        self.period_box.setItemText(1, self.tr("Last 30 days"))
        self.period_box.setItemText(2, self.tr("Custom"))
        self.custom_days.setSuffix(self.tr(" days"))
        self.refresh_button.setText(self.tr("Refresh"))
        for i, basis in enumerate(COVERAGE_BASES):
            self.basis_box.setItemText(i, title(COVERAGE_BASIS_TITLES, basis, i18n.current()))
        self.basis_box.setToolTip(self.tr("What counts as a visit: reported inspections, cells walked by patrol "
                                          "track, or either"))
        self.map_mode.setText(self.tr("Colour cells by days since last visit"))
        self.map_mode.setToolTip(self.tr("Never-inspected cells are hatched; cells visited before but overdue "
                                         "now get a bold outline"))
        self.tabs.setTabText(0, self.tr("Townships"))
        self.tabs.setTabText(1, self.tr("Inspectors"))
        self.assign_button.setText(self.tr("Assign overdue cells…"))
        self.assign_button.setToolTip(self.tr("Assign patrols for the overdue cells of the chosen township or "
                                              "inspector"))
        self.rule_box.setTitle(self.tr("Patrol interval per cell class (days)"))
        self.calendar_check.setText(self.tr("Follow the district's seasonal calendar"))
        self.default_rule.setText(self.tr("Default intervals"))
        for spin in self.interval_spins.values():
            spin.setSuffix(self.tr(" days"))
        self._update_rule_labels()
        self._set_headers()
        if self.coverage is not None:
            self._show()
        if self.theme is not None and self._layers_panel is not None:
            self._layers_panel.set_legend(CELL_LAYER, self.legend_entries())

    def _set_headers(self) -> None:
        common = [self.tr("Cells"), self.tr("Inspected"), self.tr("Coverage %"),
                  self.tr("Never inspected"), self.tr("Overdue"), self.tr("Open findings")]
        self.township_table.setHorizontalHeaderLabels([self.tr("Township")] + common)
        self.inspector_table.setHorizontalHeaderLabels([self.tr("Inspector")] + common)

    def _update_rule_labels(self) -> None:
        lang = i18n.current()
        if self.coverage is not None and self.calendar_check.isChecked():
            day = self.coverage.now.astimezone(BEIJING).date()
            self.calendar_label.setText(rules_text(self.coverage.rules, CELL_CLASS_TITLES, season_of(day).key, lang))
        counts = dict(self.coverage.cells["cell_class"].value_counts()) if self.coverage is not None else {}
        for key, label in self.interval_labels.items():
            zh, en = CELL_CLASS_TITLES[key]
            text = zh if lang.startswith("zh") else en
            if key in counts:
                text += "  " + self.tr("(%d cells)") % int(counts[key])
            label.setText(text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            QTimer.singleShot(0, self.refresh)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # --- settings -------------------------------------------------------------------------------
    def _stored_interval(self, key: str, default: float) -> float:
        try:
            value = float(self.settings.value(SETTINGS_INTERVAL + key, default))
        except (TypeError, ValueError):
            return default
        return value if value > 0 else default

    def intervals(self) -> dict[str, float]:
        """Patrol interval (days) per cell class as set in the panel."""
        return {key: float(spin.value()) for key, spin in self.interval_spins.items()}

    def rules(self) -> Optional[tuple[tuple[str, float], ...]]:
        """The patrol rule for :func:`~gridwatch.analysis.coverage.coverage` (None: the seasonal calendar)."""
        return None if self.calendar_check.isChecked() else rules_from_intervals(self.intervals())

    def _calendar_toggled(self, on: bool, refresh: bool = True) -> None:
        for spin in self.interval_spins.values():
            spin.setEnabled(not on)
        self.default_rule.setEnabled(not on)
        self.calendar_label.setVisible(on)
        if refresh:
            self.settings.setValue(SETTINGS_CALENDAR, bool(on))
            self.schedule_refresh()

    def _interval_changed(self, key: str, value: float) -> None:
        self.settings.setValue(SETTINGS_INTERVAL + key, float(value))
        self.settings.sync()
        self.schedule_refresh()

    def reset_intervals(self) -> None:
        for key, days in DEFAULT_RULES:
            self.interval_spins[key].setValue(days)

    def period_days(self) -> int:
        days = int(self.period_box.currentData())
        return days if days > 0 else int(self.custom_days.value())

    def set_period(self, period: Any, now: Optional[_dt.datetime] = None) -> None:
        """Follow the window's period (the one period control): its days up to its end (now, or the
        last day of a custom range, then coverage as of that day).  "All" keeps the panel's own choice."""
        t = now or self.now or _dt.datetime.now(_dt.timezone.utc)
        start, end = period.window(t)
        if start is None or end is None:
            return
        days = max(1, math.ceil((end - start).total_seconds() / 86400.0 - 1e-9))
        period_end = end if end < t else None
        if period_end != self.period_end:
            self.period_end = period_end
            self.coverage = None  # computed for another moment
        index = self.period_box.findData(days)
        if index < 0:
            index = self.period_box.findData(0)
            self.custom_days.blockSignals(True)
            self.custom_days.setValue(days)
            self.custom_days.blockSignals(False)
        if index == self.period_box.currentIndex():
            self._period_changed()
        else:
            self.period_box.setCurrentIndex(index)

    def _period_changed(self, *_args: Any) -> None:
        self.custom_days.setEnabled(int(self.period_box.currentData()) == 0)
        self._set_headers()
        if self.coverage is not None and self.period_days() in self.coverage.periods:
            self._show()
        else:
            self.schedule_refresh()

    # --- project and loading --------------------------------------------------------------------
    def set_project(self, path: Optional[os.PathLike[str] | str]) -> None:
        """Show the coverage of ``path`` (None: clear); the same project is recomputed (it was reloaded)."""
        new = Path(path) if path is not None else None
        if new != self.path:
            self.coverage = None
            self.theme = None
            self._clear()
        self.path = new
        if new is None:
            self._newest(None)
            self._apply_map()
            return
        self.refresh()

    def hold(self) -> None:
        """Hold refreshes until :meth:`release` (which then runs one if any was asked for)."""
        self.held = True

    def release(self) -> None:
        if self.held:
            self.held = False
            if self._stale:
                self.refresh()

    def _follow_controller(self) -> None:
        self._update_assign()  # the user (and what they may do) may have changed
        path = getattr(self.controller, "path", None)
        if path is not None and (self.path is None or Path(path) != self.path):
            self.set_project(path)

    def _basis_changed(self, _index: int) -> None:
        self.settings.setValue("coverage/basis", str(self.basis_box.currentData()))
        self.refresh()

    def refresh(self) -> None:
        """Recompute the coverage of the project on a worker thread; tables and map follow.

        Skipped while the panel is hidden and the map switch is off (done when the panel is shown)."""
        self._debounce.stop()
        if self.path is None:
            return
        if self.held:
            self._stale = True
            return
        if not (self.isVisible() or self.map_mode.isChecked()):
            self._stale = True
            return
        self._stale = False
        generation = self._next_generation()
        path, now = self.path, self.period_end or self.now
        periods = tuple(sorted({*PERIODS, self.period_days()}))
        try:
            rules = self.rules()
        except GridWatchError as exc:
            self.status.setText(i18n.error_text(exc))
            return
        self._loading = True
        self.status.setText(self.tr("Updating…"))
        basis = str(self.basis_box.currentData())
        # in a child process: the analysis never holds the GUI's interpreter lock (pans stay smooth)
        work = in_process(coverage_from_project, path, now=now, periods=periods, rules=rules, basis=basis,
                          with_progress=True)
        self._newest(run_job(work, "coverage", succeeded=self._on_loaded, failed=self._on_failed,
                             progressed=self._on_progress, tag=generation))

    def _on_progress(self, job: Job, fraction: float, message: str) -> None:
        if job is self._job and self._loading:
            self.status.setText(self.tr("Updating… %d%%") % round(100 * fraction))

    def _on_loaded(self, job: Job, cov: Coverage) -> None:
        if not self._answered(job):
            return
        self.coverage = cov
        self._say_updated(self.tr("Updated at %s"))
        self._update_rule_labels()
        self._show()
        self._apply_map()
        self.refreshed.emit()

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        self._say_failed(job, self.tr("Coverage could not be computed: %s"), message)

    # --- tables ---------------------------------------------------------------------------------
    def _clear(self) -> None:
        for table in (self.township_table, self.inspector_table):
            table.setRowCount(0)
        self.summary.setText("")
        self.status.setText("")
        self._update_assign()

    def _show(self) -> None:
        cov = self.coverage
        if cov is None:
            return
        days = self.period_days()
        if days not in cov.periods:
            self.schedule_refresh()
            return
        self._set_headers()
        cells = cov.cells
        covered = int((cells[f"inspections_{days}d"] > 0).sum())
        total = len(cells)
        pct = covered / total * 100.0 if total else 0.0
        text = self.tr("Last %d days: %d of %d cells inspected (%.1f%%); never inspected %d; overdue %d; "
                       "open findings %d") % (days, covered, total, pct, int(cells["never_inspected"].sum()),
                                             int(cells["overdue"].sum()), int(cells["open_findings"].sum()))
        if self.period_end is not None:  # a past period: as of its last day
            last = (self.period_end - _dt.timedelta(microseconds=1)).astimezone(BEIJING).date()
            text = self.tr("Up to %s") % last.isoformat() + " · " + text
        self.summary.setText(text)
        self._fill(self.township_table, cov.townships, "township_code", days)
        self._fill(self.inspector_table, cov.inspectors, "inspector_uuid", days)
        self._update_assign()

    def _fill(self, table: QTableWidget, frame: pd.DataFrame, key: str, days: int) -> None:
        chosen = self._chosen_key(table)
        sort_col = table.horizontalHeader().sortIndicatorSection()
        sort_order = table.horizontalHeader().sortIndicatorOrder()
        table.setSortingEnabled(False)
        table.clearContents()
        table.setRowCount(len(frame))
        none = self.tr("(no inspector)")
        for r, row in enumerate(frame.itertuples(index=False)):
            values = row._asdict()
            value = values[key]
            code = "" if value is None or (isinstance(value, float) and value != value) else str(value)
            name = values.get("name")
            text = str(name) if isinstance(name, str) and name else (code or none)
            first = QTableWidgetItem(text)
            first.setData(KEY_ROLE, code)
            if code:
                first.setToolTip(code)
            table.setItem(r, 0, first)
            for c, col in enumerate(COLUMNS[1:], start=1):
                v = values[col.format(d=days)]
                table.setItem(r, c, number_item(float(v) if "coverage" in col else int(v)))
        table.setSortingEnabled(True)
        if 0 <= sort_col < table.columnCount():
            table.sortItems(sort_col, sort_order)
        if chosen is not None:
            for r in range(table.rowCount()):
                if table.item(r, 0).data(KEY_ROLE) == chosen:
                    table.selectRow(r)
                    break

    def table_rows(self, which: str = "townships") -> list[list[Any]]:
        """What a table shows, row by row (names as text, numbers as numbers), in its current order."""
        table = self.township_table if which == "townships" else self.inspector_table
        return [[table.item(r, 0).text()] + [table.item(r, c).data(Qt.ItemDataRole.DisplayRole)
                                              for c in range(1, table.columnCount())]
                for r in range(table.rowCount())]

    @staticmethod
    def _chosen_key(table: QTableWidget) -> Optional[str]:
        rows = table.selectionModel().selectedRows() if table.selectionModel() is not None else []
        if not rows:
            return None
        item = table.item(rows[0].row(), 0)
        return None if item is None else str(item.data(KEY_ROLE))

    def _row_chosen(self, table: QTableWidget, column: str) -> None:
        key = self._chosen_key(table)
        if key is not None:
            self.cellsChosen.emit(column, key)

    def _current_choice(self) -> Optional[tuple[str, str, str]]:
        """``(column, value, label)`` of the row chosen in the visible table."""
        if self.tabs.currentIndex() == 0:
            table, column = self.township_table, "township_code"
        else:
            table, column = self.inspector_table, "inspector_uuid"
        key = self._chosen_key(table)
        if key is None:
            return None
        rows = table.selectionModel().selectedRows()
        return column, key, table.item(rows[0].row(), 0).text()

    def overdue_codes(self, column: str, value: str) -> list[str]:
        """Codes of the overdue cells whose ``column`` is ``value`` ('' = empty)."""
        if self.coverage is None:
            return []
        cells = self.coverage.cells
        match = cells[column].fillna("").astype(str) == value
        return cells.loc[match & cells["overdue"], "code"].astype(str).tolist()

    def _update_assign(self) -> None:
        may = self.controller is None or self.controller.may(Action.ASSIGN_TASKS)
        choice = self._current_choice()
        self.assign_button.setEnabled(bool(may and choice is not None and self.overdue_codes(*choice[:2])))

    def _assign_overdue(self) -> None:
        choice = self._current_choice()
        if choice is None:
            return
        column, value, label = choice
        codes = self.overdue_codes(column, value)
        if codes:
            self.assignRequested.emit(codes, self.tr("Overdue cells of %s (%d)") % (label, len(codes)))

    # --- the map --------------------------------------------------------------------------------
    def set_map_mode(self, on: bool) -> None:
        self.map_mode.setChecked(on)

    def _map_mode_toggled(self, on: bool) -> None:
        self.settings.setValue(SETTINGS_MAP_MODE, bool(on))
        self.settings.sync()
        if on and (self.coverage is None or self._stale):
            self.refresh()
        self._apply_map()
        self.mapModeChanged.emit(on)
