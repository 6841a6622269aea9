"""Persistent heat sources among satellite fire points (持续热源: kilns, plants, steel works).

A straw fire burns a field once; an industrial heat source is detected again and again at the same
place.  A fire point is taken for a **heat source** when

* FIRMS says so: its ``type`` is 1 (volcano), 2 (other static land source) or 3 (offshore), or
* detections around it (its ~400 m square and the eight around it, about 1.2 km across) fall on
  at least :data:`MIN_DAYS` different Beijing-time days within :data:`WINDOW_DAYS` days.

Heat sources are drawn differently and kept out of the straw-burning counts unless a check
confirms burning (see :func:`counts_as_burning`).  No SQL, no Qt: plain numpy arrays.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

#: FIRMS ``type`` values that are not vegetation fires (0 = presumed vegetation fire).
NON_VEGETATION_TYPES = (1, 2, 3)
#: Side of the squares detections are counted in, metres (VIIRS pixels are 375 m).
CELL_M = 400.0
#: Different detection days a place needs within the window to be a heat source.
MIN_DAYS = 5
#: The window those days must fall in, days.
WINDOW_DAYS = 30
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LON_EQ = 111_320.0


def beijing_days(detected_utc: np.ndarray) -> np.ndarray:
    """Beijing-time day numbers (days since 1970-01-01) of UTC times (numpy datetime64)."""
    t = np.asarray(detected_utc, dtype="datetime64[s]")
    return ((t + np.timedelta64(8, "h")).astype("datetime64[D]")).astype(np.int64)


def heat_sources(lon: np.ndarray, lat: np.ndarray, day: np.ndarray, source_type: Optional[np.ndarray] = None, *,
                 cell_m: float = CELL_M, min_days: int = MIN_DAYS, window_days: int = WINDOW_DAYS) -> np.ndarray:
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
    gx = (ix - ix0 + 1).astype(np.int64, copy=False)
    gy = (iy - iy0 + 1).astype(np.int64, copy=False)
    width = int(gx[ok].max()) + 2
    cell = np.where(ok, gy * width + gx, -1)
    # the distinct (square, day) pairs, then each square's days joined with its eight neighbours'
    pairs = np.unique(np.stack([cell[ok], day[ok]], axis=1), axis=0)
    offsets = [dy * width + dx for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    near = np.unique(np.concatenate([np.stack([pairs[:, 0] + o, pairs[:, 1]], axis=1) for o in offsets]), axis=0)
    # most distinct days of a square's neighbourhood within any window: sorted by (square, day),
    # count the days from each day on within the window (same square: the key keeps squares apart)
    span = int(near[:, 1].max() - near[:, 1].min()) + window_days + 1
    key = (near[:, 0] - near[:, 0].min()) * span + (near[:, 1] - near[:, 1].min())
    within = np.searchsorted(key, key + window_days - 1, side="right") - np.arange(len(key))
    squares, first = np.unique(near[:, 0], return_index=True)
    most = np.maximum.reduceat(within, first)
    persistent = squares[most >= min_days]
    out[ok] |= np.isin(cell[ok], persistent)
    return out


def counts_as_burning(heat_source: np.ndarray, status: np.ndarray) -> np.ndarray:
    """Fire points that count as straw or open burning: not a heat source, or a check confirmed burning."""
    return ~as_flags(heat_source) | (np.asarray(status, dtype=object) == "burning_confirmed")


def as_flags(values: object) -> np.ndarray:
    """Stored flags (0/1, booleans, None or NaN for unknown) as a boolean array; unknown is False."""
    a = np.asarray(values)
    if a.dtype == object:
        return np.array([bool(v) if v is not None and v == v else False for v in a], dtype=bool)
    return np.nan_to_num(a.astype(float)) != 0
