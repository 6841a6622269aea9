"""Campaign templates (专项行动) of the work plans (issue 17).  No SQL, no Qt.

A template says which cells (those touching the coal-ban zone, the fireworks-ban zone, holding a
construction site under way, or every cell), which task kind, how often (a round every N days) and
when (the season's months, or the lunar fireworks ban).  Starting a campaign makes one task per
target cell per round, due at 23:59 Beijing time on the round's last day.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Optional

from .calendar import SEASONS, fireworks_ban_period
from .vocabulary import CAMPAIGN_TITLES


@dataclass(frozen=True)
class CampaignTemplate:
    key: str
    kind: str  # task kind
    cells: str  # coal_ban_zone | fireworks_ban_zone | active_sites | all
    every_days: int
    season: Optional[str]  # a season of the calendar (its months), or None: the fireworks ban period


TEMPLATES: dict[str, CampaignTemplate] = {t.key: t for t in (
    CampaignTemplate("winter_coal_ban", "coal_ban", "coal_ban_zone", 7, "winter"),
    CampaignTemplate("fireworks_ban", "fireworks", "fireworks_ban_zone", 3, None),
    CampaignTemplate("spring_dust", "construction_dust", "active_sites", 7, "dust"),
    CampaignTemplate("straw_burning", "patrol", "all", 7, "autumn"),
)}
assert set(TEMPLATES) == set(CAMPAIGN_TITLES)


def default_days(template: CampaignTemplate, today: _dt.date, days_before: int = 7,
                 days_after: int = 14) -> tuple[_dt.date, _dt.date]:
    """The campaign's first and last day by default: the season holding ``today`` or the next one
    (from ``today`` if it has begun), or the next (or current) fireworks ban."""
    if template.season is None:
        for year in (today.year, today.year + 1):
            a, b = fireworks_ban_period(year, days_before, days_after)
            if b >= today:
                return max(a, today), b
    season = next(s for s in SEASONS if s.key == template.season)
    months = season.months
    for year in (today.year - 1, today.year, today.year + 1):
        first = _dt.date(year, months[0], 1)
        m_last = months[-1]
        y_last = year + (1 if m_last < months[0] else 0)
        last = (_dt.date(y_last + (m_last == 12), m_last % 12 + 1, 1) - _dt.timedelta(days=1))
        if last >= today:
            return max(first, today), last
    raise AssertionError("a season recurs every year")  # pragma: no cover


def rounds(first: _dt.date, last: _dt.date, every_days: int) -> list[tuple[_dt.date, _dt.date]]:
    """The rounds ``(first day, last day)`` of a campaign: every ``every_days`` days, the last one cut
    at ``last``."""
    out = []
    day = first
    while day <= last:
        end = min(last, day + _dt.timedelta(days=every_days - 1))
        out.append((day, end))
        day = end + _dt.timedelta(days=1)
    return out
