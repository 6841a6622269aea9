"""Stored times and how people read them.

GridWatch stores DATETIMEs as UTC ISO text (``2025-11-20T01:00:00.000Z``); inspectors, panels and
bulletins read Beijing time.  One parser and one formatter for every panel, dialog and command.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Optional

#: China Standard Time (UTC+8), used for every time shown to people.
BEIJING = _dt.timezone(_dt.timedelta(hours=8))


def parse_stored_time(value: Any) -> Optional[_dt.datetime]:
    """A stored time (ISO text, a datetime or a pandas Timestamp) as an aware datetime (naive = UTC).

    None for missing values (None, NaN, NaT, empty text) and for text that is not a time.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp (NaT included)
        if value != value:
            return None
        value = value.to_pydatetime()
    if isinstance(value, _dt.datetime):
        t = value
    else:
        text = str(value).strip()
        if not text:
            return None
        try:
            t = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    return t if t.tzinfo is not None else t.replace(tzinfo=_dt.timezone.utc)


def beijing_text(value: Any, fmt: str = "%Y-%m-%d %H:%M", *, keep_invalid: bool = False) -> str:
    """A stored time as Beijing-time text; '' when missing (the text itself if unparseable and
    ``keep_invalid``)."""
    t = parse_stored_time(value)
    if t is None:
        if keep_invalid and isinstance(value, str) and value.strip():
            return value
        return ""
    return t.astimezone(BEIJING).strftime(fmt)


def short_time(value: Any, now: Optional[_dt.datetime] = None, *, seconds: bool = False) -> str:
    """A stored time as Beijing time for lists: 'MM-DD HH:MM' this year, 'YYYY-MM-DD HH:MM' another year
    ('' when missing; the text itself when it is not a time)."""
    t = parse_stored_time(value)
    if t is None:
        return value if isinstance(value, str) else ""
    local = t.astimezone(BEIJING)
    this_year = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(BEIJING).year
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return local.strftime(("%m-%d " if local.year == this_year else "%Y-%m-%d ") + clock)
