"""Keeping the fire points' ``heat_source`` flag current (the rule is :mod:`gridwatch.domain.heat_sources`).

Whether a detection is a persistent heat source depends on the other detections at its place, so
the flag is recomputed over the whole layer whenever fire points arrive (an import, the schema-4
migration); only rows whose flag changes are written.  Positions come from the layer's R-tree
(points: their bounds are the point, to float32 precision: about a metre), so a million fire
points are read without decoding a geometry in Python.
"""

from __future__ import annotations

import sqlite3
import struct
from typing import Optional

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


def _read(con: sqlite3.Connection, has_type: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                             np.ndarray]:
    """fid, (n, 2) positions, detection times, stored flags and FIRMS types of every fire point."""
    extra = ", source_type" if has_type else ", NULL"
    # Column by column in C (zip, numpy): a million rows, not a million Python loops over them.
    rows = con.execute("SELECT fid, substr(detected_utc, 1, 19), heat_source" + extra
                       + " FROM fire_point ORDER BY fid").fetchall()
    cols = list(zip(*rows)) if rows else [(), (), (), ()]
    del rows
    fid = np.array(cols[0], dtype=np.int64)
    if "rtree_fire_point_geom" in sqlite_tables(con):
        # the R-tree read whole (a scan, not a lookup per row), matched to the rows by fid
        tree = np.array(con.execute("SELECT id, minx, miny FROM rtree_fire_point_geom ORDER BY id").fetchall(),
                        dtype=float).reshape(-1, 3)
        xy = np.full((len(fid), 2), np.nan)
        if len(tree):
            pos = np.searchsorted(tree[:, 0], fid)
            found = (pos < len(tree)) & (tree[np.minimum(pos, len(tree) - 1), 0] == fid)
            xy[found] = tree[pos[found], 1:3]
    else:
        blobs = dict(con.execute("SELECT fid, geom FROM fire_point").fetchall())
        xy = _xy([blobs.get(int(f)) for f in fid])
    times = np.array(cols[1], dtype=object)
    old = np.array(cols[2], dtype=object)
    stype = np.array(cols[3], dtype=float)  # NULL -> NaN
    return fid, xy, times, old, stype


def refresh_heat_sources(con: sqlite3.Connection) -> int:
    """Recompute ``fire_point.heat_source`` for every fire point inside the caller's transaction.

    Returns how many rows changed.  Unknown flags (NULL) become 0 or 1.  A project without the
    column (schema before 4) is left alone.
    """
    cols = column_names(con, "fire_point")
    if "heat_source" not in cols:
        return 0
    fid, xy, times, old, stype = _read(con, "source_type" in cols)
    if not len(fid):
        return 0
    times = times.copy()
    times[(times == None) | (times == "")] = "NaT"  # noqa: E711 - element-wise: NULL or empty text is no time
    utc = times.astype("datetime64[s]")
    missing = np.isnat(utc)
    xy[missing] = np.nan  # a detection without a time counts nowhere
    day = beijing_days(np.where(missing, np.datetime64(0, "s"), utc))
    new = heat_sources(xy[:, 0], xy[:, 1], day, stype)
    known = old != None  # noqa: E711 - element-wise
    was = np.where(known, old, 0).astype(bool)
    changed = known & (was != new)
    con.executemany("UPDATE fire_point SET heat_source = ? WHERE fid = ?",
                    [(int(v), int(f)) for v, f in zip(new[changed | (~known & new)], fid[changed | (~known & new)])])
    if (~known).any():  # the rest of the unknown ones are not heat sources: one statement, not a row at a time
        con.execute("UPDATE fire_point SET heat_source = 0 WHERE heat_source IS NULL")
    return int((changed | ~known).sum())
