"""The one period control: last 24 h, 7 days, 30 days, this month, a custom range, all.

The same small widget sits above the map (with the day-by-day slider, :mod:`.map.timebar`), in the
dashboard and in the export dialog; it edits a :class:`~gridwatch.app.periods.Period` and says so
with :attr:`PeriodControl.periodChanged`.  Titles come from the vocabulary (Chinese or English).
"""

from __future__ import annotations

import datetime as _dt
from typing import Optional

from PySide6.QtCore import QDate, QEvent, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QWidget

from ..app.periods import DEFAULT_KIND, PERIOD_KINDS, Period
from ..domain.vocabulary import PERIOD_TITLES, title
from . import i18n
from .widgets import named, retranslate_safely


def _qdate(day: _dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(q: QDate) -> _dt.date:
    return _dt.date(q.year(), q.month(), q.day())


class PeriodControl(QWidget):
    """A period picker: a list of periods and, for a custom range, its first and last day."""

    periodChanged = Signal(object)  # Period

    def __init__(self, parent: Optional[QWidget] = None, period: Optional[Period] = None,
                 name: str = "period") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.label = QLabel()
        self.combo = named(QComboBox(), name + "Kind")
        for kind in PERIOD_KINDS:
            self.combo.addItem(kind, kind)
        self.first = named(QDateEdit(), name + "First")
        self.last = named(QDateEdit(), name + "Last")
        self.dash = QLabel("–")
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        today = _dt.date.today()
        self.first.setDate(_qdate(today - _dt.timedelta(days=6)))
        self.last.setDate(_qdate(today))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        for w in (self.label, self.combo, self.first, self.dash, self.last):
            row.addWidget(w)
        row.addStretch(1)
        self._period = period or Period(DEFAULT_KIND)
        self._show(self._period)
        self.combo.currentIndexChanged.connect(lambda _i: self._edited())
        self.first.dateChanged.connect(lambda _d: self._edited())
        self.last.dateChanged.connect(lambda _d: self._edited())
        self.retranslate()

    def period(self) -> Period:
        return self._period

    def set_period(self, period: Period) -> None:
        """Show ``period`` (as a user would have chosen it); emits :attr:`periodChanged` if it changed."""
        if period == self._period:
            return
        self._period = period
        self._show(period)
        self.periodChanged.emit(period)

    def _show(self, period: Period) -> None:
        for w in (self.combo, self.first, self.last):
            w.blockSignals(True)
        self.combo.setCurrentIndex(PERIOD_KINDS.index(period.kind))
        if period.kind == "custom":
            assert period.first is not None and period.last is not None
            self.first.setDate(_qdate(period.first))
            self.last.setDate(_qdate(period.last))
        for w in (self.combo, self.first, self.last):
            w.blockSignals(False)
        custom = period.kind == "custom"
        for w in (self.first, self.dash, self.last):
            w.setVisible(custom)

    def _edited(self) -> None:
        kind = str(self.combo.currentData())
        if kind == "custom":
            a, b = _pydate(self.first.date()), _pydate(self.last.date())
            if b < a:  # keep the range the right way round while the user edits it
                a, b = b, a
            period = Period("custom", a, b)
        else:
            period = Period(kind)
        for w in (self.first, self.dash, self.last):
            w.setVisible(kind == "custom")
        if period != self._period:
            self._period = period
            self.periodChanged.emit(period)

    def retranslate(self) -> None:
        lang = i18n.current()
        self.label.setText(self.tr("Period:"))
        for i, kind in enumerate(PERIOD_KINDS):
            self.combo.setItemText(i, title(PERIOD_TITLES, kind, lang))
        self.combo.setToolTip(self.tr("Which time the map, lists and outputs show (Beijing time)"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)
