"""禁燃禁放区 fireworks-ban zone: no sale or setting-off of fireworks.

The ban period is given as month-day bounds (``MM-DD``) that may wrap over New Year, for example
``12-01`` to ``03-15``; ``ban_all_year`` marks a zone where the ban holds every day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd



from ._zone import ZONE_FIELDS
from .base import POLYGONS, Field, Style, layer_spec, row_label

_MMDD = r"(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"


def _period_given(frame: pd.DataFrame) -> list[str]:
    out: list[str] = []
    if "ban_all_year" not in frame.columns:
        return out
    for i, all_year in enumerate(frame["ban_all_year"].tolist()):
        start = frame["ban_period_start"].iloc[i] if "ban_period_start" in frame else None
        end = frame["ban_period_end"].iloc[i] if "ban_period_end" in frame else None
        if not all_year and not (isinstance(start, str) and isinstance(end, str)):
            out.append(
                f"fireworks_ban_zone {row_label(frame, i)}: give ban_period_start and "
                "ban_period_end (MM-DD) or set ban_all_year"
            )
    return out


SPEC = layer_spec(
    "fireworks_ban_zone", ("禁燃禁放区", "Fireworks-ban zones"), "zones", POLYGONS,
    ZONE_FIELDS + (Field("ban_all_year", "BOOLEAN", "全年禁放", "Banned all year"),
                   Field("ban_period_start", "TEXT", "禁放起始(月-日)", "Ban period start (MM-DD)", pattern=_MMDD),
                   Field("ban_period_end", "TEXT", "禁放截止(月-日)", "Ban period end (MM-DD)", pattern=_MMDD)),
    # wine, not red: red-orange is the fire points' "not yet checked" (gridwatch.layers.palette)
    Style(stroke=(136, 34, 85, 255), stroke_width=1.2, fill=(136, 34, 85, 30), hatch="cross"),
    rules=(_period_given,),
)
