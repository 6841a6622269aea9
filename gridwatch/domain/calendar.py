"""The seasons of the work plans, the fireworks ban around the lunar New Year and the monthly
reporting deadlines (issue 17).  No SQL, no Qt.

Seasons (the plans' calendar of campaigns; README "Rules from the work plans"):

* December-February: scattered coal and fireworks, the winter prevention period (冬防期);
* March-April: dust (扬尘);
* May-September: VOCs and ozone (臭氧);
* October-November: straw burning and particulates (秸秆禁烧、颗粒物).

The fireworks ban period runs from ``days_before`` days before the Spring Festival (春节, lunar 1/1;
by default 7 days: 腊月二十三, the northern 小年) to ``days_after`` days after it (by default 14:
正月十五, 元宵), both inclusive, computed for any year 1900-2099 with :mod:`lunardate`.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from lunardate import LunarDate

from ..errors import ValidationError


@dataclass(frozen=True)
class Season:
    """A season of the plans: its months, focus, default task kinds and finding categories."""

    key: str
    months: tuple[int, ...]
    title_zh: str
    title_en: str
    focus_zh: str
    task_kinds: tuple[str, ...]
    categories: tuple[str, ...]


SEASONS: tuple[Season, ...] = (
    Season("winter", (12, 1, 2), "冬防期", "Winter prevention period", "散煤、烟花爆竹",
           ("coal_ban", "fireworks", "patrol"), ("scattered_coal", "fireworks")),
    Season("dust", (3, 4), "春季扬尘", "Spring dust", "扬尘",
           ("construction_dust", "mine", "patrol"), ("construction_dust", "mine_dust")),
    Season("ozone", (5, 6, 7, 8, 9), "夏季臭氧", "Summer ozone", "VOCs、臭氧",
           ("patrol", "unannounced"), ("vocs", "catering_fumes", "open_air_bbq")),
    Season("autumn", (10, 11), "秋季秸秆禁烧", "Autumn straw-burning ban", "秸秆焚烧、颗粒物",
           ("fire_check", "patrol"), ("open_burning",)),
)


def season_of(day: _dt.date) -> Season:
    """The season ``day`` falls in."""
    return next(s for s in SEASONS if day.month in s.months)


def spring_festival(year: int) -> _dt.date:
    """The Gregorian date of the Spring Festival (lunar 1/1) of ``year``."""
    if not 1900 <= year <= 2099:
        raise ValidationError(f"year {year}: lunar dates are known for 1900 to 2099", key="lunar.year", year=year)
    return LunarDate(year, 1, 1).to_solar_date()


def fireworks_ban_period(year: int, days_before: int = 7, days_after: int = 14) -> tuple[_dt.date, _dt.date]:
    """First and last day (inclusive) of the fireworks ban around the Spring Festival of ``year``."""
    day = spring_festival(year)
    return day - _dt.timedelta(days=days_before), day + _dt.timedelta(days=days_after)


def fireworks_ban_periods_between(first: _dt.date, last: _dt.date, days_before: int = 7,
                                  days_after: int = 14) -> list[tuple[_dt.date, _dt.date]]:
    """The ban periods overlapping the days ``first``..``last`` (inclusive)."""
    out = []
    for year in range(first.year, last.year + 2):
        if not 1900 <= year <= 2099:
            continue
        a, b = fireworks_ban_period(year, days_before, days_after)
        if a <= last and b >= first:
            out.append((a, b))
    return out


def in_fireworks_ban(day: _dt.date, days_before: int = 7, days_after: int = 14) -> bool:
    """Whether ``day`` lies in a fireworks ban period."""
    return bool(fireworks_ban_periods_between(day, day, days_before, days_after))


def report_deadlines(today: _dt.date, township_day: int = 25, bulletin_day: int = 28) -> list[tuple[str, _dt.date]]:
    """The next reporting deadlines from ``today``: ("township_report" | "bulletin", date), soonest
    first.  A deadline still today counts as next."""
    out = []
    for key, dom in (("township_report", township_day), ("bulletin", bulletin_day)):
        day = today.replace(day=dom)
        if day < today:
            day = (today.replace(day=1) + _dt.timedelta(days=32)).replace(day=dom)
        out.append((key, day))
    return sorted(out, key=lambda kv: kv[1])
