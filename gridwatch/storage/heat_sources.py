"""Keeping the fire points' ``heat_source`` flag current (the rule is :mod:`gridwatch.domain.heat_sources`).

Whether a detection is a persistent heat source depends on the other detections at its place, so
the flag is recomputed over the whole layer whenever fire points arrive (an import, the schema-4
migration); only rows whose flag changes are written.  Positions come from the point blobs read
in one go by numpy (or, for other geometry blobs, from the layer's R-tree: points' bounds are the point
to float32 precision, about a metre), so a million fire points are read without decoding a geometry
in Python.
"""

from __future__ import annotations

import sqlite3
import struct
from operator import itemgetter
from typing import Any, Optional, Sequence

import numpy as np

from ..domain.heat_sources import beijing_days, heat_sources
from .gpkg import blob_envelope, column_names, sqlite_tables


def _xy(blobs: list[Optional[bytes]]) -> np.ndarray:
    """(n, 2) coordinates of GeoPackage point blobs (NaN for NULL or empty)."""
    n = len(blobs)
    xy = np.full((n, 2), np.nan)
    for i, b in enumerate(blobs):
        if b is None:
            continue
        if len(b) == 29 and b[:2] == b"GP" and b[3] == 1 and b[8:13] == b"\x01\x01\x00\x00\x00":
            # little endian, no envelope, a 2D WKB point: as GridWatch and GDAL write fire points
            xy[i] = struct.unpack_from("<2d", b, 13)
            continue
        env = blob_envelope(b)
        if env is not None:
            xy[i] = (env[0], env[2])
    return xy


_POINT_BLOB = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"), ("order", "u1"),
                        ("wkbtype", "<u4"), ("x", "<f8"), ("y", "<f8")])


def _plain_points(blobs: Sequence[Any]) -> Optional[np.ndarray]:
    """(n, 2) coordinates when every blob is a 29-byte little-endian 2D point without envelope (as GridWatch
    and GDAL write fire points), read by numpy in one go; else None."""
    if not blobs or not all(isinstance(b, bytes) for b in blobs) or set(map(len, blobs)) != {29}:
        return None
    rec = np.frombuffer(b"".join(blobs), dtype=_POINT_BLOB)
    if not ((rec["magic"] == b"GP").all() and (rec["flags"] == 1).all() and (rec["order"] == 1).all()
            and (rec["wkbtype"] == 1).all()):
        return None
    return np.column_stack([rec["x"], rec["y"]])


def _read(con: sqlite3.Connection, has_type: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                             np.ndarray, bool]:
    """fid, (n, 2) positions, detection times (``datetime64[s]``, NaT where none), stored flags and FIRMS types of
    every fire point, and whether the positions came from the R-tree (some geometry not a plain point blob)."""
    extra = ", source_type" if has_type else ", NULL"
    # Column by column in C (zip, numpy): a million rows, not a million Python loops over them.
    rows = con.execute("SELECT fid, substr(detected_utc, 1, 19), heat_source" + extra
                       + ", geom FROM fire_point ORDER BY fid").fetchall()
    cols = [list(map(itemgetter(k), rows)) for k in range(5)]  # a column at a time (zip(*rows): 7x slower)
    del rows
    fid = np.array(cols[0], dtype=np.int64)
    xy = _plain_points(cols[4])  # every geometry a plain point blob (the usual case): read in one go
    cols[4] = []
    from_tree = False
    if xy is None and "rtree_fire_point_geom" in sqlite_tables(con):
        # the R-tree read whole (a scan, not a lookup per row), matched to the rows by fid
        tree = np.array(con.execute("SELECT id, minx, miny FROM rtree_fire_point_geom ORDER BY id").fetchall(),
                        dtype=float).reshape(-1, 3)
        xy = np.full((len(fid), 2), np.nan)
        from_tree = True
        if len(tree):
            pos = np.searchsorted(tree[:, 0], fid)
            found = (pos < len(tree)) & (tree[np.minimum(pos, len(tree) - 1), 0] == fid)
            xy[found] = tree[pos[found], 1:3]
    elif xy is None:
        blobs = dict(con.execute("SELECT fid, geom FROM fire_point").fetchall())
        xy = _xy([blobs.get(int(f)) for f in fid])
    old = np.array(cols[2], dtype=object)
    stype = np.array(cols[3], dtype=float)  # NULL -> NaN
    return fid, xy, utc_seconds(np.array(cols[1], dtype=object)), old, stype, from_tree


def utc_seconds(times: np.ndarray) -> np.ndarray:
    """Stored ``detected_utc`` texts cut to their first 19 characters (``2026-09-11T22:55:00``) as
    ``datetime64[s]``; NULL or empty text is NaT."""
    times = np.asarray(times, dtype=object).copy()
    times[(times == None) | (times == "")] = "NaT"  # noqa: E711 - element-wise: NULL or empty text is no time
    return times.astype("datetime64[s]")


def refresh_heat_sources(con: sqlite3.Connection) -> int:
    """Recompute ``fire_point.heat_source`` for every fire point inside the caller's transaction.

    Returns how many rows changed.  Unknown flags (NULL) become 0 or 1.  A project without the
    column (schema before 4) is left alone.
    """
    cols = column_names(con, "fire_point")
    if "heat_source" not in cols:
        return 0
    return _refresh(con, "source_type" in cols, None)[0]


def refresh_before_adding(con: sqlite3.Connection, xy: np.ndarray, utc: np.ndarray, stype: np.ndarray
                          ) -> tuple[int, np.ndarray]:
    """:func:`refresh_heat_sources` for a bulk load, run before its rows are inserted (in its transaction): the flags
    are computed over the stored fire points and the new ones (positions ``xy`` (n, 2), times ``utc`` as
    ``datetime64[s]`` cut as :func:`utc_seconds` cuts stored ones, FIRMS types ``stype``, NaN where none), exactly as
    a refresh after the insert computes them (the new rows get the highest fids, so they come last).  Stored rows
    whose flag changes are written; the new rows' flags are returned, to be inserted with them, so the load need not
    write its rows twice nor read them back.  Returns (rows changed, counting the new heat sources; the new flags).
    """
    cols = column_names(con, "fire_point")
    return _refresh(con, "source_type" in cols, (np.asarray(xy, dtype=float).reshape(-1, 2), np.asarray(utc),
                                                 np.asarray(stype, dtype=float)))


def _refresh(con: sqlite3.Connection, has_type: bool,
             adding: Optional[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[int, np.ndarray]:
    fid, xy, utc, old, stype, from_tree = _read(con, has_type)
    if adding is not None:
        new_xy, new_utc, new_stype = adding
        if from_tree:  # the stored positions are the R-tree's (32-bit floats, rounded down): the new ones alike
            from .rtree_pack import round_down

            new_xy = np.column_stack([round_down(new_xy[:, 0]), round_down(new_xy[:, 1])]).astype(float)
        xy = np.concatenate([xy, new_xy])
        utc = np.concatenate([utc, new_utc.astype("datetime64[s]")])
        stype = np.concatenate([stype, new_stype])
    if not len(xy):
        return 0, np.zeros(0, dtype=bool)
    missing = np.isnat(utc)
    xy[missing] = np.nan  # a detection without a time counts nowhere
    day = beijing_days(np.where(missing, np.datetime64(0, "s"), utc))
    flags = heat_sources(xy[:, 0], xy[:, 1], day, stype)
    stored, added = flags[:len(fid)], flags[len(fid):]
    known = old != None  # noqa: E711 - element-wise
    was = np.where(known, old, 0).astype(bool)
    write = (known & (was != stored)) | ~known
    order = np.argsort(fid, kind="stable")  # rows by fid (as read), so a run of rows is a run of fids
    fid, stored, write = fid[order], stored[order], write[order]
    con.executemany("UPDATE fire_point SET heat_source = ? WHERE fid BETWEEN ? AND ?", _runs(fid, stored, write))
    return int(write.sum()) + int(added.sum()), added


def _runs(fid: np.ndarray, value: np.ndarray, write: np.ndarray) -> list[tuple[int, int, int]]:
    """``(value, first fid, last fid)`` for each run of consecutive rows to write with the same value.

    A season of detections in one place can turn a million rows into heat sources at once: a few
    range updates instead of a million single-row ones.  ``fid`` is sorted and holds every row, so
    the rows between a run's first and last fid are exactly the run's rows.
    """
    if not write.any():
        return []
    key = np.where(write, value.astype(np.int8), -1)  # -1: a row left as it is
    starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
    ends = np.concatenate((starts[1:], [len(key)])) - 1
    keep = key[starts] >= 0
    return list(zip(key[starts][keep].astype(int).tolist(), fid[starts][keep].astype(int).tolist(),
                    fid[ends][keep].astype(int).tolist()))
