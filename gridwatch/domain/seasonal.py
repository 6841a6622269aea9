"""The seasonal calendar that sets the district's work (issue 17): per season of the plans, how often
each class of grid cell must be patrolled and which task kinds the office offers first.  No SQL, no Qt.

The calendar is the setting ``calendar`` (:mod:`gridwatch.domain.plans`; stored per district in
``gridwatch_meta`` as ``setting.calendar``).  Its value maps each season key of
:data:`gridwatch.domain.calendar.SEASONS` to ``{"intervals": {cell class: days}, "task_kinds": [kind,
...]}``; the first task kind is the default kind of a new task dated in that season.

Defaults, from the plans' campaigns (README "Seasonal calendar"):

* winter prevention period (冬防期, December-February): coal-ban zone cells weekly ("禁煤区散煤复烧
  每周巡查"); fireworks-ban zone cells every three days *during the fireworks ban* (春节 to 元宵);
  ordinary cells monthly;
* spring dust (扬尘, March-April): cells holding a construction site under way weekly;
* summer ozone (May-September): ordinary intervals;
* autumn straw-burning ban (秸秆禁烧, October-November): fire-prone cells (a fire point detected there
  in the past year, not checked as no burning) weekly;
* all year: cells with a mine or a grade-C site twice a week; construction sites every two weeks.

A cell may fall in several classes; its interval is the shortest among them, and its class the one
giving it.  The fireworks-ban zone's interval applies only on days of the fireworks ban period.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import ValidationError
from .calendar import SEASONS, in_fireworks_ban, season_of
from .vocabulary import KIND_TITLES

#: Cell classes of the patrol calendar, in the order that breaks ties (the stricter first).
CELL_CLASSES: tuple[str, ...] = ("mine_or_grade_c_site", "coal_ban_zone", "fireworks_ban_zone", "construction_site",
                                 "fire_prone", "other")

#: The plans' calendar (days between patrols per cell class; default task kinds), per season.
DEFAULT_CALENDAR: dict[str, dict[str, Any]] = {
    "winter": {"intervals": {"mine_or_grade_c_site": 3.5, "coal_ban_zone": 7.0, "fireworks_ban_zone": 3.0,
                             "construction_site": 14.0, "fire_prone": 30.0, "other": 30.0},
               "task_kinds": ["coal_ban", "fireworks", "patrol"]},
    "dust": {"intervals": {"mine_or_grade_c_site": 3.5, "coal_ban_zone": 30.0, "fireworks_ban_zone": 30.0,
                           "construction_site": 7.0, "fire_prone": 30.0, "other": 30.0},
             "task_kinds": ["construction_dust", "mine", "patrol"]},
    "ozone": {"intervals": {"mine_or_grade_c_site": 3.5, "coal_ban_zone": 30.0, "fireworks_ban_zone": 30.0,
                            "construction_site": 14.0, "fire_prone": 30.0, "other": 30.0},
              "task_kinds": ["patrol", "unannounced"]},
    "autumn": {"intervals": {"mine_or_grade_c_site": 3.5, "coal_ban_zone": 30.0, "fireworks_ban_zone": 30.0,
                             "construction_site": 14.0, "fire_prone": 7.0, "other": 30.0},
               "task_kinds": ["fire_check", "patrol"]},
}

MAX_DAYS = 366.0


#: Titles of the cell classes: key -> (Chinese, English).
CELL_CLASS_TITLES: dict[str, tuple[str, str]] = {
    "mine_or_grade_c_site": ("有矿山或C级工地的网格", "Cells with a mine or grade-C site"),
    "coal_ban_zone": ("禁煤区网格", "Cells in the coal-ban zone"),
    "fireworks_ban_zone": ("禁燃禁放区网格（禁放期）", "Cells in the fireworks-ban zone (ban period)"),
    "construction_site": ("有在建工地的网格", "Cells with a construction site under way"),
    "fire_prone": ("火点易发网格（近一年有火点）", "Fire-prone cells (a fire point in the past year)"),
    "other": ("其他网格", "Other cells"),
}


def _season_zh(key: str) -> str:
    return next((s.title_zh for s in SEASONS if s.key == key), key)


def check_calendar(value: Any) -> dict[str, dict[str, Any]]:
    """``value`` as a complete calendar: every season, every cell class (missing ones from the
    defaults), intervals of more than 0 and at most 366 days, at least one known task kind.

    Raises
    ------
    ValidationError
        Naming the season and the cell class, interval or task kind at fault (translated by key).
    """
    seasons = ", ".join(DEFAULT_CALENDAR)
    if not isinstance(value, Mapping):
        raise ValidationError(f"the calendar is a mapping of seasons ({seasons}) to intervals and task_kinds",
                              key="calendar.shape")
    unknown = [k for k in value if k not in DEFAULT_CALENDAR]
    if unknown:
        raise ValidationError(f"calendar: unknown season {unknown[0]!r}; seasons: {seasons}", key="calendar.season",
                              season=unknown[0])
    out: dict[str, dict[str, Any]] = {}
    for season, default in DEFAULT_CALENDAR.items():
        given = value.get(season) or {}
        where = {"season": season, "season_zh": _season_zh(season)}
        if not isinstance(given, Mapping) or not isinstance(given.get("intervals") or {}, Mapping):
            raise ValidationError(f"calendar, season {season}: give intervals (cell class: days) and task_kinds",
                                  key="calendar.shape")
        intervals = dict(default["intervals"])
        for key, days in dict(given.get("intervals") or {}).items():
            if key not in CELL_CLASSES:
                raise ValidationError(f"calendar, season {season}: unknown cell class {key!r}; classes: "
                                      f"{', '.join(CELL_CLASSES)}", key="calendar.class", cls=key, **where)
            try:
                d = float(days)
            except (TypeError, ValueError):
                d = float("nan")
            if not 0 < d <= MAX_DAYS:  # NaN fails too
                raise ValidationError(f"calendar, season {season}, {key}: the interval must be more than 0 and at "
                                      f"most {MAX_DAYS:g} days, not {days!r}", key="calendar.days", days=days,
                                      class_zh=CELL_CLASS_TITLES[key][0], **where)
            intervals[key] = d
        kinds = given.get("task_kinds") or default["task_kinds"]
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        bad = [k for k in kinds if k not in KIND_TITLES]
        if bad:
            raise ValidationError(f"calendar, season {season}: unknown task kind {bad[0]!r}; kinds: "
                                  f"{', '.join(KIND_TITLES)}", key="calendar.kind", kind=bad[0], **where)
        out[season] = {"intervals": intervals, "task_kinds": list(dict.fromkeys(kinds))}
    return out


@dataclass(frozen=True)
class SeasonPlan:
    """What the calendar sets on one day: the season, each cell class's interval (days) in force and
    the task kinds offered first."""

    day: _dt.date
    season: str
    intervals: dict[str, float]
    task_kinds: tuple[str, ...]
    fireworks_ban: bool

    @property
    def default_kind(self) -> str:
        return self.task_kinds[0]

    def rules(self) -> tuple[tuple[str, float], ...]:
        """The patrol rule for :func:`gridwatch.analysis.coverage.coverage`: ``(class, days)`` in
        :data:`CELL_CLASSES` order; outside the fireworks ban the fireworks-ban zone is no class of
        its own."""
        return tuple((k, self.intervals[k]) for k in CELL_CLASSES
                     if k in self.intervals and (k != "fireworks_ban_zone" or self.fireworks_ban))


def season_plan(settings: Mapping[str, Any], day: _dt.date) -> SeasonPlan:
    """What the district's calendar (``settings["calendar"]``, else the defaults) sets on ``day``."""
    calendar = settings.get("calendar") or DEFAULT_CALENDAR
    season = season_of(day)
    entry = calendar.get(season.key) or DEFAULT_CALENDAR[season.key]
    ban = in_fireworks_ban(day, int(settings.get("fireworks_days_before", 7)),
                           int(settings.get("fireworks_days_after", 14)))
    return SeasonPlan(day, season.key, {k: float(v) for k, v in entry["intervals"].items()},
                      tuple(entry["task_kinds"]), ban)


def shortest_class(memberships: Mapping[str, Any], rules: tuple[tuple[str, float], ...]) -> list[str]:
    """Per cell, the class giving the shortest interval among those it belongs to.

    ``memberships``: class -> sequence of booleans (one per cell); "other" applies to every cell."""
    days = dict(rules)
    n = len(next(iter(memberships.values()))) if memberships else 0
    out = []
    for i in range(n):
        best, best_days = "other", days.get("other", 30.0)
        for key in CELL_CLASSES:
            if key == "other" or key not in days or key not in memberships or not memberships[key][i]:
                continue
            if days[key] < best_days:
                best, best_days = key, days[key]
        out.append(best)
    return out


def rules_text(rules: tuple[tuple[str, float], ...], titles: Mapping[str, tuple[str, str]], season: str,
               language: str = "zh_CN") -> str:
    """One line naming the season and each cell class's interval (for the coverage panel)."""
    from .calendar import SEASONS as _seasons

    s = next(x for x in _seasons if x.key == season)
    zh = language.startswith("zh")
    parts = [f"{titles[k][0] if zh else titles[k][1]} {d:g}{' 天' if zh else ' d'}" for k, d in rules if k in titles]
    return (s.title_zh if zh else s.title_en) + ("：" if zh else ": ") + ("，" if zh else ", ").join(parts)
