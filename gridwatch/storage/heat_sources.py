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


def _read(con: sqlite3.Connection, has_type: bool) -> tuple[np.ndarray, np.ndarray, list, np.ndarray, np.ndarray]:
    """fid, (n, 2) positions, detection times, stored flags and FIRMS types of every fire point."""
    extra = ", f.source_type" if has_type else ", NULL"
    if "rtree_fire_point_geom" in sqlite_tables(con):
        rows = con.execute("SELECT f.fid, r.minx, r.miny, f.detected_utc, f.heat_source" + extra
                           + " FROM fire_point f LEFT JOIN rtree_fire_point_geom r ON r.id = f.fid").fetchall()
        xy = np.array([(np.nan if r[1] is None else r[1], np.nan if r[2] is None else r[2]) for r in rows],
                      dtype=float).reshape(-1, 2)
    else:
        rows = con.execute("SELECT f.fid, f.geom, NULL, f.detected_utc, f.heat_source" + extra
                           + " FROM fire_point f").fetchall()
        xy = _xy([r[1] for r in rows])
    fid = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    times = [r[3] for r in rows]
    old = np.array([r[4] for r in rows], dtype=object)
    stype = np.array([np.nan if r[5] is None else float(r[5]) for r in rows])
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
    utc = np.array([str(t)[:19] if t else "NaT" for t in times], dtype="datetime64[s]")
    missing = np.isnat(utc)
    xy[missing] = np.nan  # a detection without a time counts nowhere
    day = beijing_days(np.where(missing, np.datetime64(0, "s"), utc))
    new = heat_sources(xy[:, 0], xy[:, 1], day, stype)
    known = np.array([v is not None for v in old], dtype=bool)
    was = np.array([bool(v) if v is not None else False for v in old], dtype=bool)
    changed = known & (was != new)
    con.executemany("UPDATE fire_point SET heat_source = ? WHERE fid = ?",
                    [(int(v), int(f)) for v, f in zip(new[changed | (~known & new)], fid[changed | (~known & new)])])
    if (~known).any():  # the rest of the unknown ones are not heat sources: one statement, not a row at a time
        con.execute("UPDATE fire_point SET heat_source = 0 WHERE heat_source IS NULL")
    return int((changed | ~known).sum())
