"""Persistent heat sources among satellite fire points (持续热源: kilns, plants, steel works).

A straw fire burns a field once; an industrial heat source is detected again and again at the same
place.  A fire point is taken for a **heat source** when

* FIRMS says so: its ``type`` is 1 (volcano), 2 (other static land source) or 3 (offshore), or
* detections around it (its 250 m square and the eight around it, 750 m across) fall on at least
  :data:`MIN_DAYS` different Beijing-time days within :data:`WINDOW_DAYS` days, at least
  :data:`MIN_SPAN_DAYS` days apart from first to last (a kiln burns for weeks; a field burns once,
  and the fields around it within a few days).

Heat sources are drawn differently and kept out of the straw-burning counts unless a check
confirms burning (see :func:`counts_as_burning`).  No SQL, no Qt: plain numpy arrays.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from .vocabulary import FIRE_BURNING_RESULTS

#: FIRMS ``type`` values that are not vegetation fires (0 = presumed vegetation fire).
NON_VEGETATION_TYPES = (1, 2, 3)
#: Side of the squares detections are counted in, metres (a kiln's detections scatter by a VIIRS
#: pixel, 375 m, at most; a place is a square and its eight neighbours, 750 m across).
CELL_M = 250.0
#: Different detection days a place needs within the window to be a heat source ...
MIN_DAYS = 6
#: ... the window those days must fall in, days ...
WINDOW_DAYS = 30
#: ... and how far apart its first and last of them must be: a kiln burns for weeks, a field once,
#: and neighbouring fields within days of each other.
MIN_SPAN_DAYS = 10
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQ = 111_320.0


def beijing_days(detected_utc: np.ndarray) -> np.ndarray:
    """Beijing-time day numbers (days since 1970-01-01) of UTC times (numpy datetime64)."""
    t = np.asarray(detected_utc, dtype="datetime64[s]")
    return ((t + np.timedelta64(8, "h")).astype("datetime64[D]")).astype(np.int64)


def heat_sources(lon: np.ndarray, lat: np.ndarray, day: np.ndarray, source_type: Optional[np.ndarray] = None, *,
                 cell_m: float = CELL_M, min_days: int = MIN_DAYS, window_days: int = WINDOW_DAYS,
                 min_span_days: int = MIN_SPAN_DAYS) -> np.ndarray:
    """Which detections are persistent heat sources (boolean array, one per detection).

    Parameters
    ----------
    lon, lat : arrays of float
        Positions in degrees (CGCS2000/WGS84).
    day : array of int
        Beijing-time day number of each detection (:func:`beijing_days`).
    source_type : array of float, optional
        FIRMS ``type`` where known (NaN or negative where not).
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    day = np.asarray(day, dtype=np.int64)
    n = len(lon)
    out = np.zeros(n, dtype=bool)
    if source_type is not None:
        st = np.asarray(source_type, dtype=float)
        out |= np.isin(st, NON_VEGETATION_TYPES)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if n == 0 or not ok.any():
        return out
    lat0 = float(np.nanmean(lat[ok]))
    x = lon * _M_PER_DEG_LON_EQ * np.cos(np.radians(lat0))
    y = lat * _M_PER_DEG_LAT
    ix = np.floor(x / cell_m)
    iy = np.floor(y / cell_m)
    ix0, iy0 = np.nanmin(ix[ok]), np.nanmin(iy[ok])
    gx = (ix[ok] - ix0 + 1).astype(np.int64)
    gy = (iy[ok] - iy0 + 1).astype(np.int64)
    width = int(gx.max()) + 2
    cell = gy * width + gx
    d0 = int(day[ok].min())
    span = int(day[ok].max()) - d0 + window_days + 1  # keys of one square never reach the next square's
    # the distinct (square, day) keys, then each square's days joined with its eight neighbours'
    pairs = _distinct(cell * span + (day[ok] - d0))
    near = _distinct(np.concatenate([pairs + (dy * width + dx) * span for dy in (-1, 0, 1) for dx in (-1, 0, 1)]))
    square, d = np.divmod(near, span)
    # for each (square, day): the distinct days of that square from this day on within the window
    within = np.searchsorted(near, near + window_days - 1, side="right") - np.arange(len(near))
    last = near[np.minimum(np.searchsorted(near, near + window_days - 1, side="right") - 1, len(near) - 1)] % span
    qualifies = (within >= min_days) & (last - d >= min_span_days)
    out[ok] |= np.isin(cell, _distinct(square[qualifies]))
    return out


def _distinct(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array (a sort beats a hash table for millions of keys)."""
    a = np.sort(a)
    return a[np.concatenate(([True], a[1:] != a[:-1]))] if len(a) else a


def counts_as_burning(heat_source: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Fire points that count as straw or open burning: not a heat source, or a check confirmed
    burning; never one a check found to be an industrial heat source."""
    st = np.asarray(status, dtype=object)
    return (~as_flags(heat_source) | np.isin(st, FIRE_BURNING_RESULTS)) & (st != "industrial_heat")


def as_flags(values: object) -> np.ndarray:
    """Stored flags (0/1, booleans, None or NaN for unknown) as a boolean array; unknown is False."""
    a = np.asarray(values)
    if a.dtype == object:
        return np.array([bool(v) if v is not None and v == v else False for v in a], dtype=bool)
    return np.nan_to_num(a.astype(float)) != 0
