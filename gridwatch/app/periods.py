"""Periods of time: the one period control of the map, panels, statistics, dashboard and exports
(:class:`Period`: last 24 h, 7 days, 30 days, this month, a custom range, all), and the lists of days
people type ("7,30" days for coverage).  One parser for the CLI, the settings and the dialogs.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Optional

from ..domain.vocabulary import PERIOD_TITLES, title
from ..errors import ValidationError
from ..times import BEIJING, Window, finding_ends, task_ends  # noqa: F401 - when records end, for overlaps()


def parse_periods(text: object, name: str = "periods") -> tuple[int, ...]:
    """Whole days separated by commas (also the Chinese comma), e.g. ``"7,30"`` -> ``(7, 30)``.

    Raises ValidationError naming ``name`` (the option or field) when a part is not a positive whole number.
    """
    try:
        periods = tuple(int(p) for p in str(text).replace("，", ",").split(",") if p.strip())
    except ValueError:
        periods = ()
    if not periods or min(periods) <= 0:
        raise ValidationError(f"{name} {text!r}: give whole days separated by commas, e.g. 7,30",
                              key="periods.bad", name=name, text=str(text))
    return periods


def parse_pairs(text: object, name: str, example: str) -> dict[str, str]:
    """``KEY=VALUE`` pairs separated by commas (e.g. ``coal_ban_zone=7,other=14``)."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in str(text or "").replace("，", ",").split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise ValidationError(f"{name} {text!r}: give KEY=VALUE pairs, e.g. {example}")
        out[key.strip()] = value.strip()
    return out


# --- the one period control -----------------------------------------------------------------------

#: The periods people pick (last 24 h, 7 days, 30 days, this month, a custom range, all).
PERIOD_KINDS: tuple[str, ...] = tuple(PERIOD_TITLES)
#: What views show first: fire points of the last week.
DEFAULT_KIND = "7d"
_ROLLING = {"24h": _dt.timedelta(hours=24), "7d": _dt.timedelta(days=7), "30d": _dt.timedelta(days=30)}


@dataclass(frozen=True)
class Period:
    """A period of time as people choose it; :meth:`window` turns it into times for a moment ``now``.

    ``kind``: one of :data:`PERIOD_KINDS`.  ``first``/``last``: the Beijing-time days of a custom
    range (both inclusive).  Rolling periods end at ``now``; "this month" runs from the first of the
    Beijing month to ``now``; "all" has no bounds.
    """

    kind: str = DEFAULT_KIND
    first: Optional[_dt.date] = None
    last: Optional[_dt.date] = None

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise ValidationError(f"unknown period {self.kind!r}; periods: {', '.join(PERIOD_KINDS)}",
                                  key="period.unknown", kind=self.kind)
        if self.kind == "custom":
            if self.first is None or self.last is None:
                raise ValidationError("a custom period needs its first and last day", key="period.custom")
            if self.last < self.first:
                raise ValidationError(f"period {self.first} to {self.last}: the last day is before the first",
                                      key="period.reversed", first=str(self.first), last=str(self.last))

    def window(self, now: Optional[_dt.datetime] = None) -> Window:
        """``(start, end)``: aware datetimes (start inclusive, end exclusive); None where unbounded."""
        t = _now(now)
        if self.kind in _ROLLING:
            return t - _ROLLING[self.kind], t
        if self.kind == "month":
            local = t.astimezone(BEIJING)
            return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0), t
        if self.kind == "custom":
            assert self.first is not None and self.last is not None
            start = _dt.datetime.combine(self.first, _dt.time(0), tzinfo=BEIJING)
            return start, _dt.datetime.combine(self.last + _dt.timedelta(days=1), _dt.time(0), tzinfo=BEIJING)
        return None, None

    def title(self, language: str = "zh_CN") -> str:
        """The period's name: 近7天 / Last 7 days, or the custom range."""
        if self.kind == "custom":
            return f"{self.first} 至 {self.last}" if language.startswith("zh") else f"{self.first} – {self.last}"
        return title(PERIOD_TITLES, self.kind, language)

    def label(self, now: Optional[_dt.datetime] = None, language: str = "zh_CN") -> str:
        """What an output prints: the name and the times it covers, in Beijing time."""
        if self.kind in ("all", "custom"):
            return self.title(language)
        start, end = self.window(now)
        assert start is not None and end is not None
        fmt = "%Y-%m-%d %H:%M"
        span = f"{start.astimezone(BEIJING):{fmt}} 至 {end.astimezone(BEIJING):{fmt}}"
        if not language.startswith("zh"):
            return f"{self.title(language)} ({span.replace(' 至 ', ' – ')})"
        return f"{self.title(language)}（{span}）"

    def text(self) -> str:
        """The period as the CLI and settings write it (see :meth:`parse`)."""
        return f"{self.first}..{self.last}" if self.kind == "custom" else self.kind

    @classmethod
    def parse(cls, text: object, name: str = "--period") -> "Period":
        """``24h``, ``7d``, ``30d``, ``month``, ``all`` or ``YYYY-MM-DD..YYYY-MM-DD`` (also a single day).

        Raises ValidationError naming ``name`` when the text is none of these.
        """
        value = str(text or "").strip().lower()
        if value in PERIOD_KINDS and value != "custom":
            return cls(value)
        first, sep, last = value.partition("..")
        try:
            a = _dt.date.fromisoformat(first.strip())
            b = _dt.date.fromisoformat(last.strip()) if sep else a
        except ValueError:
            raise ValidationError(f"{name} {text!r}: give 24h, 7d, 30d, month, all or a range of days "
                                  "YYYY-MM-DD..YYYY-MM-DD", key="period.bad", name=name, text=str(text)) from None
        return cls("custom", a, b)

    def days(self, now: Optional[_dt.datetime] = None, data: Optional[Window] = None) -> list[_dt.date]:
        """The Beijing-time days the period covers (for the day-by-day slider); ``data``: the times the
        data spans, which bound "all"."""
        start, end = self.window(now)
        start = start if start is not None else (data[0] if data else None)
        end = end if end is not None else (data[1] if data else None)
        if start is None or end is None:
            return []
        a = start.astimezone(BEIJING).date()
        b = (end - _dt.timedelta(microseconds=1)).astimezone(BEIJING).date()
        return [a + _dt.timedelta(days=i) for i in range((b - a).days + 1)]


def day_window(day: _dt.date) -> Window:
    """One Beijing-time day as a window."""
    start = _dt.datetime.combine(day, _dt.time(0), tzinfo=BEIJING)
    return start, start + _dt.timedelta(days=1)


def _now(now: Optional[_dt.datetime]) -> _dt.datetime:
    t = now or _dt.datetime.now(_dt.timezone.utc)
    if t.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return t

