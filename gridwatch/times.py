"""Stored times and how people read them.

GridWatch stores DATETIMEs as UTC ISO text (``2025-11-20T01:00:00.000Z``); inspectors, panels and
bulletins read Beijing time.  One parser and one formatter for every panel, dialog and command.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    import pandas as pd

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


#: A period as times: ``(start, end)``, aware datetimes, start inclusive, end exclusive; None where open.
Window = tuple[Optional[_dt.datetime], Optional[_dt.datetime]]


def utc_series(series: "pd.Series") -> "pd.Series":
    """Stored times (ISO text or timestamps) as UTC timestamps, same index; NaT for missing or unreadable ones."""
    import pandas as pd

    if len(series) == 0:
        return pd.Series([], dtype="datetime64[ns, UTC]", index=series.index)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.dt.tz_localize("UTC")
    text = series.astype(object).where(series.notna(), None)
    return pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")


def _utc_times(values: Any) -> Any:
    import pandas as pd

    return utc_series(pd.Series(values).reset_index(drop=True))


def in_window(times: Any, window: Optional[Window]) -> Any:
    """Boolean numpy array: which stored times (ISO text, timestamps) fall in ``window``.

    A missing time is outside every bounded window; with no window (or ``(None, None)``) all are in.
    """
    import numpy as np
    import pandas as pd

    if window is None or (window[0] is None and window[1] is None):
        return np.ones(len(times), dtype=bool)
    if isinstance(getattr(times, "dtype", None), pd.ArrowDtype) and pd.api.types.is_datetime64_any_dtype(times.dtype):
        t = times  # Arrow timestamps compare without conversion: a million rows in milliseconds
    else:
        t = _utc_times(times)
    ok = t.notna().to_numpy(dtype=bool).copy()
    if window[0] is not None:
        ok &= (t >= _utc_bound(window[0])).fillna(False).to_numpy(dtype=bool)
    if window[1] is not None:
        ok &= (t < _utc_bound(window[1])).fillna(False).to_numpy(dtype=bool)
    return ok


def _utc_bound(t: Any) -> Any:
    """A window's bound as a UTC timestamp: Arrow compares a million UTC times with a bound in Beijing time
    (a custom period's) one Python object at a time, 10 s instead of 20 ms."""
    import pandas as pd

    ts = pd.Timestamp(t)
    return ts.tz_convert("UTC") if ts.tzinfo is not None else ts


def overlaps(starts: Any, ends: Any, window: Optional[Window]) -> Any:
    """Which records lived during ``window``: begun before its end, and not ended before its start.

    ``starts``: when each record began (a task created, a finding found); ``ends``: when it ended
    (done, cancelled, closed), missing while it is still open.  An open record older than the
    window is in it: an overdue finding found a month ago is still on the table this week.
    """
    import numpy as np

    s = _utc_times(starts)
    e = _utc_times(ends)
    if window is None or (window[0] is None and window[1] is None):
        return np.ones(len(s), dtype=bool)
    ok = np.ones(len(s), dtype=bool)
    if window[1] is not None:
        ok &= (s < window[1]).fillna(True).to_numpy()
    if window[0] is not None:
        ok &= (e.isna() | (e >= window[0])).fillna(True).to_numpy()
    return ok


def finding_ends(found: "pd.DataFrame") -> "pd.Series":
    """When each finding left the table: verified or closed (None while it is open), for
    :func:`gridwatch.times.overlaps` (columns status, verified_at, closed_at)."""
    return _ends(found, (("closed", "closed_at"), ("verified", "verified_at")))


def task_ends(tasks: "pd.DataFrame") -> "pd.Series":
    """When each task ended: done or cancelled (None while it is open)."""
    return _ends(tasks, (("done", "finished_at"), ("cancelled", "cancelled_at")))


def _ends(frame: "pd.DataFrame", ending: tuple[tuple[str, str], ...]) -> "pd.Series":
    """Per row, the time column of the ending status it is in (``(status, column)`` pairs; a later pair
    wins), None for a row in none of them or whose column the frame lacks."""
    import pandas as pd

    end = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    for status, column in ending:
        if column in frame.columns:
            end = end.where(frame["status"] != status, frame[column])
    return end
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
