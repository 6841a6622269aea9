"""The main window's period: the bar above the map and what follows it (part of MainWindow).

The period (saved in the settings; fire points default to the last 7 days) filters the fire points
and findings on the map, the tasks and findings in their panels and the identified cell's records,
and sets the coverage panel's days (a past range: coverage as of its last day); the day slider
narrows the map to one day of it.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QToolBar

from ...app.periods import Period, finding_ends
from ...errors import GridWatchError
from ...mapview.data import set_filter
from ...mapview.deferred import DeferredPointLayer
from ...times import Window, in_window, overlaps, utc_series
from ..jobs import Job, queue, run_job
from ..map.timebar import TimeBar
from ..widgets import named

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

#: A period's fire points, read from the file (one period at a time; a newer one cancels the read).
_PERIOD_POOL = queue("period-points")


def saved_period(settings: Any, key: str = "period", default: str = "7d") -> Period:
    """The period of the last session (settings ``key``), else ``default`` (the map: the last 7 days)."""
    try:
        return Period.parse(settings.value(key, default) or default)
    except GridWatchError:
        return Period.parse(default)


class WindowPeriod:
    """The period bar and the map's time filter (part of MainWindow)."""

    time_bar: TimeBar

    def _make_period_bar(self) -> None:
        self.time_bar = TimeBar(self, saved_period(self.settings))
        bar = named(QToolBar(self), "periodToolbar")
        bar.setMovable(False)
        bar.addWidget(self.time_bar)
        # a heavy-pollution warning in force, beside the period (issue 17; hidden without one)
        self.warning_label = named(QLabel(), "mapWarning")
        self.warning_label.setStyleSheet("color: #b34700; font-weight: bold; padding: 0 8px;")
        self.warning_action = bar.addWidget(self.warning_label)
        self.warning_action.setVisible(False)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.period_toolbar = bar
        self.time_bar.periodChanged.connect(self._on_period_changed)
        self.time_bar.windowChanged.connect(lambda window: self.apply_map_window())

    def period(self) -> Period:
        return self.time_bar.period()

    def _on_period_changed(self, period: Period) -> None:
        self.settings.setValue("period", period.text())
        for panel in (self.task_panel, self.finding_panel, self.coverage_panel):
            panel.set_period(period, self.time_bar.pinned_now())
        self._refresh_cell_records()

    def _period_map_loaded(self) -> None:
        """A project's map is set: the days its data spans bound "all"; the map shows the period's fire points
        (before the first paint; the panels follow in :meth:`_period_loaded`)."""
        span = None
        layer = self.data.layers.get("fire_point") if self.data is not None else None
        if isinstance(layer, DeferredPointLayer) and layer.store is not None:
            # drawn from stored counts: the span from the time index, no point read
            found = layer.store.time_span()
            span = (found[0], found[1] + _dt.timedelta(seconds=1)) if found else None
        elif self.data is not None and "fire_point" in self.data.layers and self.data.layers["fire_point"].count:
            col = self.data.layers["fire_point"].column("detected_utc")
            # A million fire points read as Arrow timestamps: min and max without converting them
            # (converting through Python objects took 1.7 s on the GUI thread before the first paint).
            arrow_times = isinstance(col.dtype, pd.ArrowDtype) and pd.api.types.is_datetime64_any_dtype(col.dtype)
            times = col if arrow_times else utc_series(col)
            first, last = times.min(), times.max()
            if not pd.isna(first) and not pd.isna(last):
                span = (pd.Timestamp(first).tz_convert("UTC").to_pydatetime(),
                        pd.Timestamp(last).tz_convert("UTC").to_pydatetime() + _dt.timedelta(seconds=1))
        self.time_bar.set_data_span(span)
        self.apply_map_window(first=True, overlay=False)

    def _period_loaded(self) -> None:
        """After the first paint: the warning in force, the panels' period and the findings on the map."""
        self.show_warning()
        for panel in (self.task_panel, self.finding_panel, self.coverage_panel):
            panel.set_period(self.period(), self.time_bar.pinned_now())
        self._update_overlay()

    def map_window(self) -> Window:
        return self.time_bar.window()

    def findings_on_map(self, found: pd.DataFrame) -> np.ndarray:
        """Which findings the map shows: those recorded on the slider's day, or those open at some
        time in the period (an overdue finding of last month is still on this week's map)."""
        window = self.map_window()
        if self.time_bar.day() is not None:
            return in_window(found["found_at"], window)
        return overlaps(found["found_at"], finding_ends(found), window)

    def apply_map_window(self, first: bool = False, overlay: bool = True) -> None:
        """Show the fire points of the period (or the slider's day) and the findings of it (``first``: of a
        project just opened, whose first paint draws the period's points itself; ``overlay``: the findings
        too, else they follow later)."""
        if self.data is None or "fire_point" not in self.data.layers:
            return
        layer = self.data.layers["fire_point"]
        window = self.map_window()
        if isinstance(layer, DeferredPointLayer):
            layer.set_window(window)  # drawn from stored counts and the view's points: a window, not a mask
            if not first:  # the first paint reads them in its own job: nothing drawn before could stand in
                self._read_period_points(layer)
            self.canvas.refresh_layer("fire_point")
            if overlay:
                self._update_overlay()
            return
        mask: Optional[np.ndarray] = None
        if window != (None, None):
            mask = in_window(layer.column("detected_utc"), window)
        set_filter(layer, mask)
        self.canvas.refresh_layer("fire_point")
        if overlay:
            self._update_overlay()

    def _read_period_points(self, layer: DeferredPointLayer) -> None:
        """The points of the layer's window are read on a worker (a long period is most of a million points);
        the map draws what it drew before until they are in, then the period's points."""
        old = getattr(self, "_period_job", None)
        if old is not None and old.running:
            old.cancel()  # another period since: its points are not wanted any more
        window, store = layer.window, layer.store
        if window is None or store is None or layer.loaded or store.cached_window(window) is not None:
            layer.pending_window = None
            return
        layer.pending_window = window
        self._period_job = run_job(lambda progress, cancel: store.window_points(window, cancel), "period-points",
                                   succeeded=self._on_period_points, failed=self._on_period_points_failed,
                                   executor=_PERIOD_POOL, tag=(layer, window))

    def _on_period_points(self, job: Job, _result: object) -> None:
        layer, window = job.tag
        if self.data is not None and self.data.layers.get("fire_point") is layer and layer.pending_window == window:
            layer.pending_window = None
            self.canvas.refresh_layer("fire_point")

    def _on_period_points_failed(self, job: Job, message: str, kind: str) -> None:
        if kind != "cancelled":  # the map's own render reads them then (and says so if it cannot)
            self._on_period_points(job, None)
