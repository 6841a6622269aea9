"""The dashboard (统计看板): inspections per week, findings by category and status, closure rate and
overdue per township, fire-point follow-up, and the township ranking for the monthly bulletin with
weights the office sets.

A plain widget; the main window puts it in a dock.  The statistics are computed by
:func:`gridwatch.analysis.stats.dashboard_stats` on a Python thread (not QThreadPool: pyproj can
crash on reused Qt pool threads, see main_window) and the charts are redrawn when they arrive.  It
follows the project: every edit the :class:`~gridwatch.ui.session.WorkflowController` applies
(or undoes) schedules a refresh, debounced so a burst of edits reloads once.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QDate, QEvent, QSettings, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...analysis import stats
from ...domain.vocabulary import CATEGORY_TITLES, FINDING_STATUS_TITLES, title
from ...errors import GridWatchError
from ...layers.palette import FINDING_STATUS
from .. import i18n
from ..jobs import Job, run_job
from ..widgets import fill, hbox, named, retranslate_safely, settings_of, weight_spin
from .ranking_view import RANKING_COLUMNS, fill_ranking, ranking_headers
from .refreshing import Refreshing

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

log = logging.getLogger("gridwatch.ui")

#: Fonts that hold Chinese glyphs, in order of preference (as the map labels use).
CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei",
                "sans-serif"]
#: Finding states as on the map (the one palette, gridwatch.layers.palette).
STATUS_COLORS = {status: "#%02x%02x%02x" % rgba[:3] for status, rgba in FINDING_STATUS.items()}
FIRE_COLORS = {"in_time": "#43a047", "late": "#fdd835", "cancelled": "#9e9e9e", "overdue": "#e53935",
               "pending": "#90caf9", "no_check": "#6d4c41"}
CHARTS = ("weeks", "findings", "townships", "fires")
REFRESH_DELAY_MS = 500


def chart_font(pixel_size: int = 12) -> QFont:
    font = QFont()
    font.setFamilies(CJK_FAMILIES)
    font.setPixelSize(pixel_size)
    return font


class ChartPanel(QWidget):
    """A titled pyqtgraph chart with a "Save image…" button."""

    def __init__(self, name: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("chart_" + name)
        self.name = name
        self.title = named(QLabel(), "chartTitle")
        font = chart_font(14)
        font.setBold(True)
        self.title.setFont(font)
        self.note = named(QLabel(), "chartNote")
        self.note.setWordWrap(True)
        self.save_button = named(QPushButton(), "saveImage")
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("w")
        self.graphics.setMinimumHeight(240)
        head = hbox((self.title, 1), self.save_button, stretch=False)
        fill(self, head, (self.graphics, 1), self.note, margins=4)

    def add_plot(self, row: int = 0, col: int = 0) -> pg.PlotItem:
        plot = self.graphics.addPlot(row=row, col=col)
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.2)
        for side in ("left", "bottom", "top", "right"):
            axis = plot.getAxis(side)
            axis.setStyle(tickFont=chart_font(12))
            axis.setPen(pg.mkPen("#555"))
            axis.setTextPen(pg.mkPen("#222"))
        return plot


def _legend(panel: "ChartPanel", row: int = 1, col: int = 0, columns: int = 3) -> pg.LegendItem:
    """A legend in its own row under the plot (never over the bars)."""
    legend = pg.LegendItem(labelTextColor="#222", labelTextSize="9pt", colCount=columns)
    panel.graphics.addItem(legend, row=row, col=col)
    return legend


def _add_legend_entry(legend: pg.LegendItem, color: str, text: str) -> None:
    sample = pg.BarGraphItem(x=[0], height=[1], width=1, brush=color, pen=pg.mkPen(color))
    legend.addItem(sample, text)
    # LegendItem draws labels with LabelItem (HTML): give it the Chinese-capable font too.
    label = legend.items[-1][1]
    label.item.setFont(chart_font(12))


#: Settings key of the dashboard's period.
PERIOD_KEY = "dashboard/period"


class DashboardWidget(QWidget, Refreshing):
    """Charts and the township ranking of the open project (see the module docstring).

    ``set_project(path)`` loads a project, ``refresh()`` reloads it; ``refreshed`` is emitted after
    the charts were redrawn from new statistics.
    """

    refreshed = Signal()
    loadFailed = Signal(str)

    def __init__(self, controller: Optional[Any] = None, settings: Optional[QSettings] = None,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.controller = controller
        self.settings = settings_of(controller, settings)
        self.path: Optional[Path] = None
        self.data: Optional[stats.Dashboard] = None
        self.ranking_frame = pd.DataFrame()
        self.weeks = 12
        self.now: Optional[_dt.datetime] = None  # fixed "now" for tests and reproducible bulletins; None = clock
        self._init_refreshing(REFRESH_DELAY_MS)

        # header: the period (the one period control; statistics start with the last 30 days, the
        # dashboard remembers its own choice), status
        from ..period import PeriodControl
        from ..window.period import saved_period

        self.period_control = PeriodControl(self, saved_period(self.settings, PERIOD_KEY, "30d"), "dashboardPeriod")
        self.period_control.periodChanged.connect(self._period_chosen)
        self.month_label = QLabel()
        self.month_edit = named(QDateEdit(), "month")  # a whole month, for the monthly bulletin
        self.month_edit.setDisplayFormat("yyyy-MM")
        self.month_edit.setCalendarPopup(False)
        today = _dt.datetime.now(stats.BEIJING)
        self.month_edit.setDate(QDate(today.year, today.month, 1))
        self.month_edit.dateChanged.connect(lambda _d: self._month_chosen())
        self.month_label.hide()
        self.month_edit.hide()
        self.refresh_button = named(QPushButton(), "refresh", clicked=self.refresh)
        self.status = named(QLabel(), "status")
        self.status.setWordWrap(True)
        head = hbox(self.period_control, self.month_label, self.month_edit, self.refresh_button, (self.status, 1),
                    stretch=False)

        # charts
        self.charts: dict[str, ChartPanel] = {name: ChartPanel(name) for name in CHARTS}
        for panel in self.charts.values():
            panel.save_button.clicked.connect(lambda _c=False, p=panel: self.choose_image_file(p.name))
        self.week_plot = self.charts["weeks"].add_plot()
        self.week_bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush="#1e88e5", pen=pg.mkPen("#1565c0"))
        self.week_plot.addItem(self.week_bars)
        self.finding_plot = self.charts["findings"].add_plot()
        self.finding_legend = _legend(self.charts["findings"])
        self.finding_bars: dict[str, pg.BarGraphItem] = {}
        for status in STATUS_COLORS:
            bar = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7, brush=STATUS_COLORS[status],
                                  pen=pg.mkPen("#ffffff"))
            self.finding_plot.addItem(bar)
            self.finding_bars[status] = bar
        self.finding_plot.getViewBox().invertY(True)
        self.closure_plot = self.charts["townships"].add_plot(0, 0)
        self.overdue_plot = self.charts["townships"].add_plot(0, 1)
        self.overdue_plot.setYLink(self.closure_plot)
        self.overdue_plot.getAxis("left").setStyle(showValues=False)
        self.closure_plot.getViewBox().invertY(True)
        self.closure_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7, brush="#43a047", pen=pg.mkPen("#2e7d32"))
        self.closure_plot.addItem(self.closure_bars)
        self.overdue_findings_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7, brush="#e53935",
                                                     pen=pg.mkPen("#ffffff"))
        self.overdue_tasks_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.7, brush="#fb8c00",
                                                  pen=pg.mkPen("#ffffff"))
        self.overdue_plot.addItem(self.overdue_findings_bars)
        self.overdue_plot.addItem(self.overdue_tasks_bars)
        self.overdue_legend = _legend(self.charts["townships"], 1, 1, 2)
        self.fire_plot = self.charts["fires"].add_plot()
        self.fire_legend = _legend(self.charts["fires"])
        self.fire_bars: dict[str, pg.BarGraphItem] = {}
        for outcome in stats.FIRE_OUTCOMES:
            bar = pg.BarGraphItem(x=[], y0=[], height=[], width=0.7, brush=FIRE_COLORS[outcome],
                                  pen=pg.mkPen("#ffffff"))
            self.fire_plot.addItem(bar)
            self.fire_bars[outcome] = bar

        # ranking: weights and table
        self.ranking_box = QGroupBox()
        self.weight_spins: dict[str, QDoubleSpinBox] = {}
        self.weight_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        for key, default in stats.DEFAULT_WEIGHTS.items():
            spin = weight_spin(key, self._stored_weight(key, default))
            spin.valueChanged.connect(lambda _v, k=key: self._weight_changed(k))
            label = QLabel()
            form.addRow(label, spin)
            self.weight_spins[key] = spin
            self.weight_labels[key] = label
        self.weight_error = named(QLabel(), "weightError")
        self.weight_error.setStyleSheet("color: #c62828")
        self.weight_error.setWordWrap(True)
        self.weight_error.hide()
        self.reset_weights = named(QPushButton(), "resetWeights", clicked=self._reset_weights)
        self.save_ranking_button = named(QPushButton(), "saveRanking", clicked=self.choose_ranking_file)
        self.ranking_table = named(QTableWidget(0, len(RANKING_COLUMNS)), "ranking")
        self.ranking_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.ranking_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.ranking_table.verticalHeader().hide()
        self.ranking_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.ranking_table.setMinimumHeight(260)
        weights_col = QVBoxLayout()
        weights_col.addLayout(form)
        weights_col.addWidget(self.weight_error)
        weights_col.addWidget(self.reset_weights)
        weights_col.addWidget(self.save_ranking_button)
        weights_col.addStretch(1)
        box = QHBoxLayout(self.ranking_box)
        box.addLayout(weights_col)
        box.addWidget(self.ranking_table, 1)

        grid = QGridLayout()
        grid.addWidget(self.charts["weeks"], 0, 0)
        grid.addWidget(self.charts["findings"], 0, 1)
        grid.addWidget(self.charts["townships"], 1, 0)
        grid.addWidget(self.charts["fires"], 1, 1)
        grid.addWidget(self.ranking_box, 2, 0, 1, 2)
        self.plan_banner = named(QLabel(), "dashboardPlans")  # season, warning in force, deadlines (issue 17)
        self.plan_banner.setWordWrap(True)
        inner = QWidget()
        fill(inner, head, self.plan_banner, (grid, 1))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self._follow(controller, self._follow_controller_project)

    # --- texts ----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.month_label.setText(self.tr("Month (Beijing time):"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.charts["weeks"].title.setText(self.tr("Inspections per week"))
        self.charts["findings"].title.setText(self.tr("Findings of the period by category and status"))
        self.charts["townships"].title.setText(self.tr("Closure rate (%) and overdue per township"))
        self.charts["fires"].title.setText(self.tr("Fire points per week and their checks"))
        for panel in self.charts.values():
            panel.save_button.setText(self.tr("Save image…"))
        self.ranking_box.setTitle(self.tr("Township assessment ranking: fire points by kind, shared ranks, vetoes "
                                          "last"))
        names = {"coverage": self.tr("Coverage"), "closure": self.tr("Closure rate"),
                 "overdue": self.tr("Overdue per cell (fewer is better)"),
                 "fire_in_time": self.tr("Fire checks in time"),
                 "fires": self.tr("Fire points per cell (fewer is better)")}
        for key, label in self.weight_labels.items():
            label.setText(names[key])
        self.reset_weights.setText(self.tr("Default weights"))
        self.save_ranking_button.setText(self.tr("Export ranking…"))
        self.ranking_table.setHorizontalHeaderLabels(ranking_headers())
        self.week_plot.setLabel("left", self.tr("Inspections"))
        self.finding_plot.setLabel("bottom", self.tr("Findings"))
        self.closure_plot.setLabel("bottom", self.tr("Closure rate (%)"))
        self.overdue_plot.setLabel("bottom", self.tr("Overdue"))
        self.fire_plot.setLabel("left", self.tr("Fire points"))
        if self.data is not None:
            self._draw()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # --- loading --------------------------------------------------------------------------------
    def set_project(self, path: Optional[os.PathLike[str] | str]) -> None:
        """Show the statistics of ``path`` (None: clear)."""
        self.path = Path(path) if path is not None else None
        self.data = None
        if self.path is None:
            self._generation += 1
            self._clear()
            return
        self.refresh()

    def _follow_controller_project(self) -> None:
        path = getattr(self.controller, "path", None)
        if path is not None and (self.path is None or Path(path) != self.path):
            self.set_project(path)

    def month(self) -> str:
        """The period as a file name part: ``2026-11`` for a whole month, else its text (``7d``)."""
        p = self.period_control.period()
        if p.kind == "custom" and p.first is not None and p.last is not None and p.first.day == 1 \
                and (p.last + _dt.timedelta(days=1)).day == 1 and p.first.month == p.last.month:
            return f"{p.first:%Y-%m}"
        return p.text().replace("..", "_")

    def _period_chosen(self, period: Any) -> None:
        self.settings.setValue(PERIOD_KEY, period.text())
        self.refresh()

    def _month_chosen(self) -> None:
        """A whole Beijing month (the monthly bulletin's period) in the period control."""
        from ...app.periods import Period

        d = self.month_edit.date()
        first = _dt.date(d.year(), d.month(), 1)
        last = (first.replace(day=28) + _dt.timedelta(days=4)).replace(day=1) - _dt.timedelta(days=1)
        self.period_control.set_period(Period("custom", first, last))

    def period(self) -> tuple[_dt.datetime, _dt.datetime]:
        """The statistics' period as times: the period control's window (an open start: 2000)."""
        now = self.now or _dt.datetime.now(_dt.timezone.utc)
        start, end = self.period_control.period().window(now)
        return start or _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc), end or now

    #: In the main window the dashboard is a hidden dock most of the time: it then only notes that
    #: its charts are stale and recomputes when it is shown.
    only_when_visible = False
    _stale = False

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Recompute the statistics of the project on a worker thread; the charts follow."""
        self._debounce.stop()
        if self.path is None:
            return
        if self.only_when_visible and not self.isVisible():
            self._stale = True
            return
        self._stale = False
        generation = self._next_generation()
        path, now, weeks = self.path, self.now, self.weeks
        period = self.period()
        self._loading = True
        self.status.setText(self.tr("Updating…"))
        run_job(lambda progress, cancel: stats.dashboard_stats(path, now=now, period=period, weeks=weeks,
                                                               progress=progress, cancel=cancel),
                "dashboard", succeeded=self._on_loaded, failed=self._on_failed, tag=generation)

    def _on_loaded(self, job: Job, data: stats.Dashboard) -> None:
        if not self._answered(job):
            return
        self.data = data
        from .plans import banner_text

        self.plan_banner.setText(banner_text(self.path, self.now, i18n.current()))
        self._say_updated(self.tr("Updated at %s"))
        self._draw()
        self.refreshed.emit()

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        self._say_failed(job, self.tr("Statistics could not be computed: %s"), message)

    # --- drawing --------------------------------------------------------------------------------
    def _clear(self) -> None:
        self.week_bars.setOpts(x=[], height=[])
        for bar in list(self.finding_bars.values()) + list(self.fire_bars.values()):
            bar.setOpts(x=[], x0=[], y=[], y0=[], width=[], height=[])
        self.ranking_table.setRowCount(0)
        self.status.setText("")

    def _draw(self) -> None:
        data = self.data
        if data is None:
            return
        lang = i18n.current()
        self._draw_weeks(data)
        self._draw_findings(data, lang)
        self._draw_townships(data)
        self._draw_fires(data, lang)
        self._rerank()

    def _week_ticks(self, weeks: pd.Index) -> list[list[tuple[float, str]]]:
        step = max(1, int(np.ceil(len(weeks) / 8)))  # at most ~8 labels
        return [[(float(i), w.strftime("%m-%d")) for i, w in enumerate(weeks) if i % step == 0 or i == len(weeks) - 1]]

    def _draw_weeks(self, data: stats.Dashboard) -> None:
        frame = data.per_week
        x = np.arange(len(frame), dtype=float)
        self.week_bars.setOpts(x=x, height=frame["inspections"].to_numpy(dtype=float), width=0.7)
        self.week_plot.getAxis("bottom").setTicks(self._week_ticks(pd.Index(frame["week_start"])))
        self.week_plot.setXRange(-0.6, max(0.6, len(frame) - 0.4), padding=0)
        self.week_plot.setYRange(0, max(1.0, float(frame["inspections"].max() if len(frame) else 0)) * 1.1,
                                 padding=0)
        total = int(frame["inspections"].sum())
        self.charts["weeks"].note.setText(
            self.tr("%d inspections in %d weeks (weeks start on Monday, Beijing time)") % (total, len(frame)))

    def _draw_findings(self, data: stats.Dashboard, lang: str) -> None:
        table = data.by_category_status
        y = np.arange(len(table), dtype=float)
        left = np.zeros(len(table))
        self.finding_legend.clear()
        for status, bar in self.finding_bars.items():
            values = table[status].to_numpy(dtype=float) if status in table.columns else np.zeros(len(table))
            bar.setOpts(x0=left.copy(), y=y, width=values, height=0.7)
            left += values
            _add_legend_entry(self.finding_legend, STATUS_COLORS[status], title(FINDING_STATUS_TITLES, status, lang))
        labels = [(float(i), title(CATEGORY_TITLES, c, lang)) for i, c in enumerate(table.index)]
        self.finding_plot.getAxis("left").setTicks([labels])
        self.finding_plot.setYRange(-0.6, len(table) - 0.4, padding=0)
        self.finding_plot.setXRange(0, max(1.0, float(left.max() if len(left) else 0)) * 1.35, padding=0)
        total = int(table.to_numpy().sum())
        self.charts["findings"].note.setText(self.tr("%d findings found in %s")
                                             % (total, stats.period_label(data.period)))

    def _draw_townships(self, data: stats.Dashboard) -> None:
        towns = data.townships
        y = np.arange(len(towns), dtype=float)
        closure = towns["closure_pct"].astype(float).fillna(0.0).to_numpy()
        self.closure_bars.setOpts(x0=np.zeros(len(towns)), y=y, width=closure, height=0.7)
        late_f = towns["findings_overdue"].to_numpy(dtype=float)
        late_t = towns["tasks_overdue"].to_numpy(dtype=float)
        self.overdue_findings_bars.setOpts(x0=np.zeros(len(towns)), y=y, width=late_f, height=0.7)
        self.overdue_tasks_bars.setOpts(x0=late_f, y=y, width=late_t, height=0.7)
        self.overdue_legend.clear()
        _add_legend_entry(self.overdue_legend, "#e53935", self.tr("Overdue findings"))
        _add_legend_entry(self.overdue_legend, "#fb8c00", self.tr("Overdue tasks"))
        names = [(float(i), str(n)) for i, n in enumerate(towns["name"].fillna(towns["township_code"]))]
        self.closure_plot.getAxis("left").setTicks([names])
        self.closure_plot.setYRange(-0.6, len(towns) - 0.4, padding=0)
        self.closure_plot.setXRange(0, 100, padding=0.02)
        most = float((late_f + late_t).max()) if len(towns) else 0.0
        self.overdue_plot.setXRange(0, max(1.0, most) * 1.6, padding=0)
        no_findings = int(towns["closure_pct"].isna().sum())
        self.charts["townships"].note.setText(
            self.tr("Closure: findings of %s verified or closed; %d townships had no findings (shown as 0). "
                    "Overdue: open and past the deadline.") % (stats.period_label(data.period), no_findings))

    def _draw_fires(self, data: stats.Dashboard, lang: str) -> None:
        weekly = data.fires.weekly_outcomes
        x = np.arange(len(weekly), dtype=float)
        bottom = np.zeros(len(weekly))
        self.fire_legend.clear()
        names = {"in_time": self.tr("Checked in time"), "late": self.tr("Checked late"),
                 "cancelled": self.tr("Check cancelled"), "overdue": self.tr("Check overdue"),
                 "pending": self.tr("Check not yet due"), "no_check": self.tr("No check")}
        for outcome, bar in self.fire_bars.items():
            values = weekly[outcome].to_numpy(dtype=float) if outcome in weekly.columns else np.zeros(len(weekly))
            bar.setOpts(x=x, y0=bottom.copy(), height=values, width=0.7)
            bottom += values
            _add_legend_entry(self.fire_legend, FIRE_COLORS[outcome], names[outcome])
        self.fire_plot.getAxis("bottom").setTicks(self._week_ticks(weekly.index))
        self.fire_plot.setXRange(-0.6, max(0.6, len(weekly) - 0.4), padding=0)
        self.fire_plot.setYRange(0, max(1.0, float(bottom.max() if len(bottom) else 0)) * 1.45, padding=0)
        total = data.fires.total
        pct = total.get("fire_in_time_pct")
        hours = total.get("median_hours_to_check")
        self.charts["fires"].note.setText(
            self.tr("%d fire points in %d weeks; checked in time: %s; median hours from detection to check: %s")
            % (int(total.get("fire_points", 0)), len(weekly), "-" if pd.isna(pct) else f"{pct:.1f}%",
               "-" if pd.isna(hours) else f"{hours:.1f}")
            + ("; " + self.tr("%n detection(s) of persistent heat sources left out", "", data.fires.heat_sources)
               if data.fires.heat_sources else ""))

    # --- ranking --------------------------------------------------------------------------------
    def weights(self) -> dict[str, float]:
        return {k: float(s.value()) for k, s in self.weight_spins.items()}

    def _stored_weight(self, key: str, default: float) -> float:
        value = self.settings.value("dashboard/weight_" + key, default)
        try:
            return max(0.0, float(value))
        except (TypeError, ValueError):
            return default

    def _weight_changed(self, key: str) -> None:
        self.settings.setValue("dashboard/weight_" + key, float(self.weight_spins[key].value()))
        self._rerank()

    def _reset_weights(self) -> None:
        for key, value in stats.DEFAULT_WEIGHTS.items():
            self.weight_spins[key].setValue(value)

    def _rerank(self) -> None:
        """Rank again with the weights shown (no reload: the statistics are kept)."""
        if self.data is None:
            return
        try:
            frame = self.data.ranking(self.weights())
        except GridWatchError:
            self.weight_error.setText(self.tr("Give at least one weight above zero; the ranking shown is the last "
                                              "valid one."))
            self.weight_error.show()
            return
        self.weight_error.hide()
        self.ranking_frame = frame
        fill_ranking(self.ranking_table, frame)

    def ranking_names(self) -> list[str]:
        """Township names in the ranking table's order (top first)."""
        return [self.ranking_table.item(r, 1).text() for r in range(self.ranking_table.rowCount())]

    # --- saving -----------------------------------------------------------------------------------
    def choose_image_file(self, chart: str) -> None:
        start = str((self.path.parent if self.path else Path.home()) / f"{chart}-{self.month()}.png")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save chart as image"), start,
                                              self.tr("PNG images (*.png)"))
        if path:
            try:
                self.save_chart_image(chart, path)
            except GridWatchError as exc:
                self.status.setText(i18n.error_text(exc))

    def save_chart_image(self, chart: str, path: os.PathLike[str] | str) -> Path:
        """Write chart ``chart`` (one of :data:`CHARTS`) to a PNG at its on-screen size, its title and
        period printed above it.

        The image is written beside ``path`` and moved into place: an existing file is replaced
        whole or left as it was.
        """
        from .chart_image import save_chart

        t = self.now or _dt.datetime.now(_dt.timezone.utc)
        period = self.tr("Period: %s") % self.period_control.period().label(t, i18n.current())
        target = save_chart(self.charts[chart].graphics.ci, path, self.charts[chart].title.text(), period)
        self.status.setText(self.tr("Saved %s") % str(target))
        return target

    def choose_ranking_file(self) -> None:
        if self.path is None:
            return
        start = str(self.path.parent / f"考核排名-{self.month()}.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export ranking"), start,
                                              self.tr("Excel workbooks (*.xlsx);;CSV files (*.csv)"))
        if path:
            try:
                self.export_ranking(path)
            except GridWatchError as exc:
                self.status.setText(i18n.error_text(exc))

    def export_ranking(self, path: os.PathLike[str] | str, weights: Optional[Mapping[str, float]] = None) -> Path:
        """Write the ranking of the shown month with the shown weights (.xlsx or .csv)."""
        from ...export.tables import ranking_sheets, write_tables

        if self.path is None:
            raise GridWatchError("no project is open")
        p = self.period_control.period()
        t = self.now or _dt.datetime.now(_dt.timezone.utc)
        sheets = ranking_sheets(self.path, weights=weights or self.weights(), now=self.now,
                                period_of=(p.window(t), p.label(t, "zh_CN")))
        out = write_tables(sheets, path)
        self.status.setText(self.tr("Saved %s") % str(out))
        return out
