"""Keeping the fire points' ``heat_source`` flag current (the rule is :mod:`gridwatch.domain.heat_sources`).

Whether a detection is a persistent heat source depends on the other detections at its place, so
the flag is recomputed over the whole layer whenever fire points arrive (an import, the schema-4
migration); only rows whose flag changes are written.
"""

from __future__ import annotations

import sqlite3
import struct
from typing import Optional

import numpy as np

from ..domain.heat_sources import beijing_days, heat_sources
from .gpkg import blob_envelope, column_names


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


def refresh_heat_sources(con: sqlite3.Connection) -> int:
    """Recompute ``fire_point.heat_source`` for every fire point inside the caller's transaction.

    Returns how many rows changed.  A project without the column (schema before 4) is left alone.
    """
    cols = column_names(con, "fire_point")
    if "heat_source" not in cols:
        return 0
    has_type = "source_type" in cols
    rows = con.execute("SELECT fid, geom, detected_utc, heat_source" + (", source_type" if has_type else "")
                       + " FROM fire_point").fetchall()
    if not rows:
        return 0
    fid = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    xy = _xy([r[1] for r in rows])
    utc = np.array([str(r[2])[:19] if r[2] else "NaT" for r in rows], dtype="datetime64[s]")
    old = np.array([bool(r[3]) if r[3] is not None else None for r in rows], dtype=object)
    stype = np.array([np.nan if not has_type or r[4] is None else float(r[4]) for r in rows])
    missing = np.isnat(utc)
    xy[missing] = np.nan  # a detection without a time counts nowhere
    day = beijing_days(np.where(missing, np.datetime64(0, "s"), utc))
    new = heat_sources(xy[:, 0], xy[:, 1], day, stype)
    changed = np.array([o is None or bool(o) != n for o, n in zip(old, new)], dtype=bool)
    if changed.any():
        con.executemany("UPDATE fire_point SET heat_source = ? WHERE fid = ?",
                        [(int(v), int(f)) for v, f in zip(new[changed], fid[changed])])
    return int(changed.sum())
