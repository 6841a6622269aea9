"""The detection time of every row of a fire table, from one date-and-time column or a date column and a time
column, with its precision.

Chinese satellite-centre sheets often give only the date (``2017-01-14`` in 时间, an Excel date cell or an
Excel day number, or a date column whose time column is empty): such a row has *day precision*.  It is
placed at the start of that day in the column's time zone and flagged, so it is stored and shown as a
date and the checks and statistics treat it as a day, never as a detection at midnight.  A value that is
written but cannot be read as a date stays an error, and so does a row without any date.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .fire_fields import _factorize, _spread
from .fire_times import _NAT, _NS_PER_DAY, _parse_full, _parse_tod, _TimeState

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd


@dataclass
class RowTimes:
    """Per row: wall-clock time (ns, NaT where none), the offset its value declares (minutes, -9999 when
    unmarked), day precision, no date at all, and a value that cannot be read."""

    wall: np.ndarray
    offset: np.ndarray
    day_only: np.ndarray
    missing: np.ndarray
    unreadable: np.ndarray
    #: The raw cells of a row, for messages.
    describe: Callable[[int], str]


def _midnight(ns: np.ndarray) -> np.ndarray:
    return np.where(ns == _NAT, _NAT, (ns // _NS_PER_DAY) * _NS_PER_DAY)


def date_and_time(date_col: pd.Series, time_col: pd.Series, state: _TimeState,
                  shown: Callable[[Any], str]) -> RowTimes:
    """Rows of a date column plus a time-of-day column (FIRMS acq_date + acq_time, 日期 + 时间)."""
    dcodes, duniq = _factorize(date_col)
    tcodes, tuniq = _factorize(time_col)
    d_ns, d_off, _d_has, d_empty = _parse_full(duniq, state)
    t_ns, t_full, t_off, t_bad, t_empty = _parse_tod(tuniq, state)
    row_d = _spread(_midnight(d_ns), dcodes, _NAT, np.int64)
    row_d_empty = _spread(d_empty, dcodes, True, bool)
    row_t = _spread(t_ns, tcodes, _NAT, np.int64)
    row_full = _spread(t_full, tcodes, False, bool)
    row_t_bad = _spread(t_bad, tcodes, True, bool) & ~_spread(t_empty, tcodes, True, bool)
    row_t_empty = _spread(t_empty, tcodes, True, bool)
    has_date = row_d != _NAT
    day_only = has_date & row_t_empty & ~row_full
    wall = np.where(row_full, row_t, np.where(day_only, row_d, row_d + np.where(row_t == _NAT, 0, row_t)))
    missing = ~row_full & row_d_empty
    unreadable = ~row_full & ~missing & (~has_date | row_t_bad)
    wall = np.where(missing | unreadable, _NAT, wall)
    t_off_row = _spread(t_off, tcodes, -9999, np.int64)
    offset = np.where(t_off_row != -9999, t_off_row, _spread(d_off, dcodes, -9999, np.int64))
    date_raw, time_raw = date_col.reset_index(drop=True), time_col.reset_index(drop=True)
    return RowTimes(wall, offset, day_only, missing, unreadable,
                    lambda r: f"{shown(date_raw.iat[r])}, {shown(time_raw.iat[r])}")


def one_column(col: pd.Series, state: _TimeState, shown: Callable[[Any], str]) -> RowTimes:
    """Rows of one column holding the date and, where known, the time of day (监测时间, 时间, datetime)."""
    codes, uniq = _factorize(col)
    ns, off, has_time, empty = _parse_full(uniq, state)
    # Date cells of a spreadsheet arrive as datetimes at 00:00: a column where every one of them is at
    # midnight holds dates, one with any other time holds times (one of which may be at midnight).
    is_obj = np.array([isinstance(u, (_dt.datetime, np.datetime64)) for u in uniq], dtype=bool)
    objects_timed = bool((is_obj & has_time).any())
    precise = has_time | (is_obj & objects_timed)
    ok = ns != _NAT
    wall = _spread(np.where(ok, ns, _NAT), codes, _NAT, np.int64)
    day_only = _spread(ok & ~precise, codes, False, bool)
    wall = np.where(day_only, _midnight(wall), wall)
    missing = _spread(empty, codes, True, bool)
    unreadable = (wall == _NAT) & ~missing
    raw = col.reset_index(drop=True)
    return RowTimes(wall, _spread(off, codes, -9999, np.int64), day_only, missing, unreadable,
                    lambda r: shown(raw.iat[r]))


def day_text(wall: np.ndarray, day_only: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` (the date as the file gives it) for day-precision rows, None for the others."""
    out = np.full(len(wall), None, dtype=object)
    idx = np.flatnonzero(day_only & (wall != _NAT))
    if len(idx):
        days = pd.to_datetime(wall[idx], unit="ns").strftime("%Y-%m-%d")
        out[idx] = np.asarray(days, dtype=object)
    return out

