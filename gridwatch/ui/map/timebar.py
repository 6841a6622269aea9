"""The bar above the map: the period control and a day-by-day slider with play.

The period filters fire points and findings on the map and the tasks and findings in the panels; the
slider then steps through the days of the period (the first position is the whole period), showing
the fire points detected and the findings recorded on one Beijing-time day; Play walks through them.
"""

from __future__ import annotations

import datetime as _dt
from typing import Optional

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from ...app.periods import Period, day_window
from ...times import Window
from ..period import PeriodControl
from ..widgets import named, retranslate_safely

# Milliseconds a day stays on screen while playing.
PLAY_STEP_MS = 900


class TimeBar(QWidget):
    """Period control + day slider + play; says which window the map shows."""

    periodChanged = Signal(object)  # Period: the panels follow it
    windowChanged = Signal(object)  # Window: the map shows fire points and findings of it
    # The day the slider shows (None: the whole period).
    dayChanged = Signal(object)

    def __init__(self, parent: Optional[QWidget] = None, period: Optional[Period] = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeBar")
        self.control = PeriodControl(self, period, "mapPeriod")
        self.slider = named(QSlider(Qt.Orientation.Horizontal), "daySlider")
        self.slider.setMinimumWidth(160)
        self.slider.setPageStep(1)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.play = named(QToolButton(), "dayPlay")
        self.play.setCheckable(True)
        self.day_label = named(QLabel(), "dayLabel")
        self.day_label.setMinimumWidth(150)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(self.control)
        row.addSpacing(8)
        row.addWidget(self.play)
        row.addWidget(self.slider, 1)
        row.addWidget(self.day_label)
        self._now: Optional[_dt.datetime] = None  # None: the clock (tests pin it)
        self._span: Optional[Window] = None  # the times the data spans (bounds "all")
        self._days: list[_dt.date] = []
        self._timer = QTimer(self)
        self._timer.setInterval(PLAY_STEP_MS)
        self._timer.timeout.connect(self._step)
        self.control.periodChanged.connect(self._on_period)
        self.slider.valueChanged.connect(self._on_slider)
        self.play.toggled.connect(self._on_play)
        self._fill_days()
        self.retranslate()

    # --- model ----------------------------------------------------------------------------------
    def period(self) -> Period:
        return self.control.period()

    def now(self) -> _dt.datetime:
        return self._now or _dt.datetime.now(_dt.timezone.utc)

    def pinned_now(self) -> Optional[_dt.datetime]:
        """The moment set with :meth:`set_now`, or None: the clock (the panels read it each time)."""
        return self._now

    def set_now(self, now: Optional[_dt.datetime]) -> None:
        """Pin the moment rolling periods end at (tests, screenshots); None: the clock."""
        self._now = now
        self._fill_days()
        self.periodChanged.emit(self.period())
        self._emit_window()

    def set_data_span(self, span: Optional[Window]) -> None:
        """The first and last time of the data, which bound the days of "all"."""
        self._span = span
        self._fill_days()

    def day(self) -> Optional[_dt.date]:
        """The day the slider shows, None for the whole period."""
        v = self.slider.value()
        return self._days[v - 1] if 0 < v <= len(self._days) else None

    def window(self) -> Window:
        """What the map shows: the chosen day, or the whole period."""
        day = self.day()
        return day_window(day) if day is not None else self.period().window(self.now())

    def set_day(self, day: Optional[_dt.date]) -> None:
        """Show one day of the period (None: the whole period), as moving the slider would."""
        self.slider.setValue(self._days.index(day) + 1 if day in self._days else 0)

    # --- behaviour ------------------------------------------------------------------------------
    def _fill_days(self) -> None:
        self._days = self.period().days(self.now(), self._span)
        self.slider.blockSignals(True)
        self.slider.setRange(0, len(self._days))
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self.slider.setEnabled(bool(self._days))
        self.play.setEnabled(bool(self._days))
        self._show_day()

    def _on_period(self, period: Period) -> None:
        self.play.setChecked(False)
        self._fill_days()
        self.periodChanged.emit(period)
        self._emit_window()

    def _on_slider(self, _value: int) -> None:
        self._show_day()
        self.dayChanged.emit(self.day())
        self._emit_window()

    def _emit_window(self) -> None:
        self.windowChanged.emit(self.window())

    def _show_day(self) -> None:
        day = self.day()
        if day is None:
            self.day_label.setText(self.tr("All %n day(s)", "", len(self._days)) if self._days else "")
        else:
            self.day_label.setText(f"{day:%Y-%m-%d}  " + self.tr("day %1 of %2")
                                   .replace("%1", str(self._days.index(day) + 1)).replace("%2", str(len(self._days))))

    def _on_play(self, playing: bool) -> None:
        if playing:
            if self.slider.value() >= len(self._days):
                self.slider.setValue(0)
            self._step()
            self._timer.start()
        else:
            self._timer.stop()
        self.play.setText(self.tr("Pause") if playing else self.tr("Play"))

    def _step(self) -> None:
        if self.slider.value() >= len(self._days):
            self.play.setChecked(False)
            return
        self.slider.setValue(self.slider.value() + 1)

    def retranslate(self) -> None:
        self.control.retranslate()
        self.play.setText(self.tr("Pause") if self.play.isChecked() else self.tr("Play"))
        self.play.setToolTip(self.tr("Step through the period day by day"))
        self.slider.setToolTip(self.tr("Left end: the whole period; then one day at a time"))
        self._show_day()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)
