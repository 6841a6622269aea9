"""Fire-point density counts stored in the project (schema 6): how many fire points lie in each square of a
fixed grid at three zoom levels, so the map draws a district's million fire points zoomed out from a few
thousand stored counts instead of reading and binning every point when the project opens.

The table ``fire_density`` (a GeoPackage attributes table) holds one row per (level, square) with at least one
detection.  Squares lie on a fixed grid of the CGCS2000 degrees: level ``L``'s square is :data:`LEVEL_CELLS`
``[L]`` degrees wide, square ``(ix, iy)`` covers ``[ix * cell, (ix + 1) * cell) x [iy * cell, (iy + 1) * cell)``;
the grid does not depend on the data, so an import or a sync only touches the squares of its own points.
``fire_density_point`` remembers each point's finest square, so a deletion needs no geometry function.
(A time period is drawn from the points of the period, read through the index on ``detected_utc``; a
per-day breakdown of the counts would have been as big as the points themselves: a season of a stress
district's detections falls on 950,000 different square-days.)

Triggers on ``fire_point`` keep the counts current for every writer (GridWatch's edits, GDAL and QGIS editing the
file; a plain SQLite client can still delete); GridWatch's import sets the insert trigger aside inside its
transaction and adds its points' counts square by square (:func:`add_points`).  pygeodiff applies changesets
with triggers off: the sync then calls :func:`refresh` for the fire points it touched.  The tables are derived data: the
sync never sends them, and :func:`recount` rebuilds them from scratch.
"""

from __future__ import annotations

import sqlite3
from typing import Callable, Iterable, Optional

import numpy as np

from .gpkg import quote_ident, sqlite_tables

TABLE = "fire_density"  # schema.DENSITY_TABLE
#: Square size in degrees per level, finest first (about 100 m, 400 m and 1.7 km at 38°N).  The map
#: takes the coarsest level finer than its density raster's cell (3 px), as it did with the levels it
#: used to bin from the points on every open.
LEVEL_CELLS: dict[int, float] = {1: 1.0 / 1024, 2: 1.0 / 256, 3: 1.0 / 64}
#: Squares per degree of each level (the inverse of the cell, an exact power of two).
_PER_DEGREE = {level: int(round(1.0 / cell)) for level, cell in LEVEL_CELLS.items()}
#: Shift that makes ``CAST(x * k + _SHIFT AS INTEGER) - _SHIFT`` the floor of ``x * k`` for any
#: longitude (SQLite's CAST truncates towards zero).
_SHIFT = 1 << 20
#: Per fire point, its finest square: what a delete takes off the counts without parsing the geometry (so a
#: plain SQLite client without GDAL's functions can still delete points).
POINTS_TABLE = "fire_density_point"  # schema.DENSITY_POINTS_TABLE

_TRIGGERS = ("fire_density_insert", "fire_density_delete", "fire_density_update")
_FINEST = min(LEVEL_CELLS, key=lambda lv: LEVEL_CELLS[lv])

# The statements below are made once, from the constants above only (table and trigger names, whole
# numbers); values always go in as placeholders.


def _square(coord: str, level: int) -> str:
    return ("(CAST(" + coord + " * " + str(_PER_DEGREE[level]) + " + " + str(_SHIFT) + " AS INTEGER) - "
            + str(_SHIFT) + ")")


def _coarser(col: str, level: int) -> str:
    """The square of ``level`` holding finest square ``col`` (exact: the levels are powers of two apart)."""
    ratio = _PER_DEGREE[_FINEST] // _PER_DEGREE[level]
    if ratio == 1:
        return col
    return "((" + col + " + " + str(_SHIFT * ratio) + ") / " + str(ratio) + " - " + str(_SHIFT) + ")"


def _has_geom(row: str) -> str:
    return row + ".geom IS NOT NULL AND NOT ST_IsEmpty(" + row + ".geom)"


def _count_sql(fid: str, sign: int) -> list[str]:
    """Add (``sign`` 1) or take off (-1) the point ``fid`` of the points table from every level's counts."""
    out = []
    for level in LEVEL_CELLS:
        lv, ix, iy = str(level), _coarser("ix", level), _coarser("iy", level)
        if sign > 0:
            out.append("INSERT INTO " + TABLE + ' (level, ix, iy, "count") SELECT ' + lv + ", " + ix + ", " + iy
                       + ", 1 FROM " + POINTS_TABLE + " WHERE fid = " + fid
                       + ' ON CONFLICT (level, ix, iy) DO UPDATE SET "count" = "count" + 1;')
        else:
            # scalar subqueries: constants to the planner, so the square is found through the unique index
            one = " FROM " + POINTS_TABLE + " WHERE fid = " + fid + ")"
            where = "level = " + lv + " AND ix = (SELECT " + ix + one + " AND iy = (SELECT " + iy + one
            out.append("UPDATE " + TABLE + ' SET "count" = "count" - 1 WHERE ' + where + ";")
            out.append("DELETE FROM " + TABLE + ' WHERE "count" <= 0 AND ' + where + ";")
    return out


def _point_sql(row: str) -> str:
    """Record ``row``'s finest square in the points table."""
    return ("INSERT OR REPLACE INTO " + POINTS_TABLE + " (fid, ix, iy) VALUES (" + row + ".fid, "
            + _square("ST_MinX(" + row + ".geom)", _FINEST) + ", " + _square("ST_MinY(" + row + ".geom)", _FINEST)
            + ");")


def _point_select(where: str) -> str:
    return ("SELECT fid, " + _square("ST_MinX(geom)", _FINEST) + ", " + _square("ST_MinY(geom)", _FINEST)
            + " FROM fire_point WHERE " + _has_geom("fire_point") + where)


_CREATE_COUNTS = ("CREATE TABLE " + TABLE + " (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, level INTEGER NOT NULL, "
                  'ix INTEGER NOT NULL, iy INTEGER NOT NULL, "count" INTEGER NOT NULL)')
_CREATE_INDEX = "CREATE UNIQUE INDEX idx_" + TABLE + "_square ON " + TABLE + " (level, ix, iy)"
_CREATE_POINTS = ("CREATE TABLE " + POINTS_TABLE + " (fid INTEGER PRIMARY KEY NOT NULL, ix INTEGER NOT NULL, "
                  "iy INTEGER NOT NULL)")
_TRIGGER_SQL = (
    "CREATE TRIGGER fire_density_insert AFTER INSERT ON fire_point WHEN " + _has_geom("NEW") + " BEGIN "
    + _point_sql("NEW") + " " + " ".join(_count_sql("NEW.fid", 1)) + " END",
    "CREATE TRIGGER fire_density_delete AFTER DELETE ON fire_point BEGIN " + " ".join(_count_sql("OLD.fid", -1))
    + " DELETE FROM " + POINTS_TABLE + " WHERE fid = OLD.fid; END",
    # Only a move changes the counts (a status or time change touches nothing).
    "CREATE TRIGGER fire_density_update AFTER UPDATE OF geom ON fire_point BEGIN "
    + " ".join(_count_sql("OLD.fid", -1)) + " DELETE FROM " + POINTS_TABLE + " WHERE fid = OLD.fid; "
    + "INSERT INTO " + POINTS_TABLE + " (fid, ix, iy) SELECT NEW.fid, " + _square("ST_MinX(NEW.geom)", _FINEST)
    + ", " + _square("ST_MinY(NEW.geom)", _FINEST) + " WHERE " + _has_geom("NEW") + "; "
    + " ".join(_count_sql("NEW.fid", 1)) + " END",
)
_RECOUNT_POINTS = "INSERT INTO " + POINTS_TABLE + " (fid, ix, iy) " + _point_select("") + " ORDER BY fid"
_RECOUNT_LEVEL = {level: ("INSERT INTO " + TABLE + ' (level, ix, iy, "count") SELECT ' + str(level) + ", "
                          + _coarser("ix", level) + " AS sx, " + _coarser("iy", level) + " AS sy, COUNT(*) FROM "
                          + POINTS_TABLE + " GROUP BY sx, sy ORDER BY sx, sy") for level in LEVEL_CELLS}
_REFRESH_TAKE_OFF = tuple(s.rstrip(";") for s in _count_sql("?", -1))
_REFRESH_PUT_ON = tuple(s.rstrip(";") for s in _count_sql("?", 1))
_REFRESH_FORGET = "DELETE FROM " + POINTS_TABLE + " WHERE fid = ?"
_REFRESH_POINT = "INSERT INTO " + POINTS_TABLE + " (fid, ix, iy) " + _point_select(" AND fid = ?")
#: In column order (the map slices a zoomed view's columns): the order of the square index, no sort.
_READ_LEVEL = 'SELECT ix, iy, "count" FROM ' + TABLE + " WHERE level = ? ORDER BY ix, iy"
#: The finest level, most of the table, is read by scanning the table: through the index every square is
#: a lookup of its row (the 10x city's 3.1 million squares: 24 s through the index, 7 s scanned).
_READ_FINEST = 'SELECT ix, iy, "count" FROM ' + TABLE + " NOT INDEXED WHERE level = ?"
#: A window of a level (the squares a view shows): scanned too.  Through the index each square found is a lookup
#: of its row: the 10x city's finest squares in a quarter of its extent, 0.78 million, took 3.0 s through the
#: index and 1.1 s scanned.
_WINDOW = " WHERE level = ? AND ix BETWEEN ? AND ? AND iy BETWEEN ? AND ?"
_READ_WINDOW = 'SELECT ix, iy, "count" FROM ' + TABLE + " NOT INDEXED" + _WINDOW
#: A window of few squares, through the index (scanning the city's table takes 0.6 s whatever it finds).
_READ_WINDOW_INDEXED = 'SELECT ix, iy, "count" FROM ' + TABLE + _WINDOW
_TOTAL = 'SELECT COALESCE(SUM("count"), 0) FROM ' + TABLE + " WHERE level = ?"


def finest_level() -> int:
    """The level of the smallest squares (the most rows)."""
    return _FINEST


def coarsest_level() -> int:
    """The level of the biggest squares (the fewest rows)."""
    return max(LEVEL_CELLS, key=lambda lv: LEVEL_CELLS[lv])


def _register(con: sqlite3.Connection, name: str, description: str, stamp: Optional[str]) -> None:
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                "VALUES (?, 'attributes', ?, ?, coalesce(?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
                (name, name, description, stamp))
    if "gpkg_ogr_contents" in sqlite_tables(con):
        con.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, NULL)", (name,))


def create(con: sqlite3.Connection, stamp: Optional[str] = None) -> None:
    """Create the tables (registered in gpkg_contents as attributes: QGIS 3.22 crashes listing unregistered
    tables), their index and the triggers on ``fire_point``, and count the points already there.
    Idempotent; runs in the caller's transaction.  ``stamp``: the tables' ``last_change`` in gpkg_contents
    (default now; a generator passes its own, so the same seed gives the same bytes)."""
    tables = sqlite_tables(con)
    if TABLE not in tables:
        con.execute(_CREATE_COUNTS)
        con.execute(_CREATE_INDEX)
        _register(con, TABLE, "火点密度汇总 Fire-point density per zoom level (derived, kept by triggers)",
                  stamp)
    if POINTS_TABLE not in tables:
        con.execute(_CREATE_POINTS)
        _register(con, POINTS_TABLE, "火点密度索引 Fire-point density: each point's square (derived)", stamp)
    for name in _TRIGGERS:
        con.execute("DROP TRIGGER IF EXISTS " + quote_ident(name, _TRIGGERS))
    for sql in _TRIGGER_SQL:
        con.execute(sql)
    recount(con)


def recount(con: sqlite3.Connection) -> None:
    """Rebuild every count from the fire points' geometries (``ST_MinX``, as in the triggers; not the R-tree,
    whose boxes are rounded outwards to 32-bit floats and could put a point near a square's edge in the next)."""
    con.execute("DELETE FROM " + TABLE)
    con.execute("DELETE FROM " + POINTS_TABLE)
    if "fire_point" not in sqlite_tables(con):
        return
    con.execute(_RECOUNT_POINTS)
    for level in LEVEL_CELLS:
        con.execute(_RECOUNT_LEVEL[level])


def present(con: sqlite3.Connection) -> bool:
    """Whether the project keeps density counts (schema 6 and later)."""
    tables = sqlite_tables(con)
    return TABLE in tables and POINTS_TABLE in tables


def total(con: sqlite3.Connection) -> int:
    """How many fire points the counts hold (each is in one square of every level)."""
    return int(con.execute(_TOTAL, (max(LEVEL_CELLS),)).fetchone()[0])


def read_level(con: sqlite3.Connection, level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(ix, iy, count)`` of every occupied square of level ``level`` (coarser levels in column order)."""
    if level not in LEVEL_CELLS:
        raise ValueError(f"no density level {level}")
    return _read(con.execute(_READ_FINEST if level == _FINEST else _READ_LEVEL, (level,)))


def read_window(con: sqlite3.Connection, level: int, ix: tuple[int, int], iy: tuple[int, int],
                indexed: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(ix, iy, count)`` of the occupied squares of level ``level`` in columns ``ix[0]..ix[1]`` and rows
    ``iy[0]..iy[1]`` (both ends included; in no particular order), through the index (``indexed``: few
    squares) or by scanning the table (many)."""
    if level not in LEVEL_CELLS:
        raise ValueError(f"no density level {level}")
    sql = _READ_WINDOW_INDEXED if indexed else _READ_WINDOW
    return _read(con.execute(sql, (level, int(ix[0]), int(ix[1]), int(iy[0]), int(iy[1]))))


def _read(cur: sqlite3.Cursor) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # In batches: the rows as Python tuples are ~150 bytes a square (the city's finest level, 3 million
    # squares, took 0.45 GB read at once); as numbers, 24.
    ix, iy, count = [], [], []
    while True:
        rows = cur.fetchmany(READ_BATCH)
        if not rows:
            break
        a = np.array(rows, dtype=np.float64)
        ix.append(a[:, 0].astype(np.int64))
        iy.append(a[:, 1].astype(np.int64))
        count.append(a[:, 2].copy())
    if not ix:
        e = np.empty(0, dtype=np.int64)
        return e, e.copy(), np.empty(0)
    return np.concatenate(ix), np.concatenate(iy), np.concatenate(count)


#: Squares read at a time by :func:`read_level`.
READ_BATCH = 65_536


def time_span(con: sqlite3.Connection) -> tuple[Optional[str], Optional[str]]:
    """The first and last stored detection time (text as stored; through the index on ``detected_utc``).

    Two subqueries: SQLite answers a lone MIN or MAX from one end of the index, but MIN and MAX in one
    SELECT scan the whole index (5 s for the 10x city's ten million points, on the GUI thread at open)."""
    row = con.execute("SELECT (SELECT MIN(detected_utc) FROM fire_point WHERE detected_utc IS NOT NULL), "
                      "(SELECT MAX(detected_utc) FROM fire_point WHERE detected_utc IS NOT NULL)").fetchone()
    return (row[0], row[1]) if row else (None, None)


def squares(xy: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
    """The level's ``(ix, iy)`` of points ``xy`` (the same squares the triggers count them in)."""
    k = float(_PER_DEGREE[level])
    return np.floor(xy[:, 0] * k).astype(np.int64), np.floor(xy[:, 1] * k).astype(np.int64)


INSERT_TRIGGER = _TRIGGERS[0]
_ADD_POINT = "INSERT OR REPLACE INTO " + POINTS_TABLE + " (fid, ix, iy) VALUES (?, ?, ?)"
_ADD_COUNT = ("INSERT INTO " + TABLE + ' (level, ix, iy, "count") VALUES (?, ?, ?, ?) ON CONFLICT (level, ix, iy) '
              'DO UPDATE SET "count" = "count" + excluded."count"')


def finest_squares(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The finest level's ``(ix, iy)`` of points ``(x, y)``, computed as the triggers' SQL computes them: the same
    double multiplication and addition, then SQLite's CAST (truncation; positive here by the shift)."""
    k, shift = float(_PER_DEGREE[_FINEST]), float(_SHIFT)
    return ((np.asarray(x, dtype=np.float64) * k + shift).astype(np.int64) - _SHIFT,
            (np.asarray(y, dtype=np.float64) * k + shift).astype(np.int64) - _SHIFT)


def add_points(con: sqlite3.Connection, fids: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """Count new fire points ``fids`` at ``(x, y)`` (NaN: no geometry) as the insert trigger would, for a bulk
    writer that set :data:`INSERT_TRIGGER` aside inside its transaction: each point's finest square recorded and
    every level's counts raised square by square, one statement per square instead of four per point."""
    ok = np.isfinite(x) & np.isfinite(y)
    fids = np.asarray(fids, dtype=np.int64)[ok]
    if not len(fids):
        return
    ix, iy = finest_squares(np.asarray(x)[ok], np.asarray(y)[ok])
    con.executemany(_ADD_POINT, zip(fids.tolist(), ix.tolist(), iy.tolist()))
    for level in LEVEL_CELLS:
        ratio = _PER_DEGREE[_FINEST] // _PER_DEGREE[level]
        sx = (ix + _SHIFT * ratio) // ratio - _SHIFT  # as _coarser: SQLite's integer division of a positive number
        sy = (iy + _SHIFT * ratio) // ratio - _SHIFT
        x0, y0 = sx.min(), sy.min()
        width = int(sy.max() - y0) + 1
        squares, counts = np.unique((sx - x0) * width + (sy - y0), return_counts=True)
        qx, qy = np.divmod(squares, width)
        con.executemany(_ADD_COUNT, zip([level] * len(squares), (qx + x0).tolist(), (qy + y0).tolist(),
                                        counts.tolist()))


#: Above this many changed fire points a refresh recounts everything (one pass beats many small ones).
REFRESH_RECOUNT_FROM = 50_000


def refresh(con: sqlite3.Connection, fids: Optional[Iterable[int]]) -> None:
    """Bring the counts up to date for fire points ``fids`` after a writer that bypassed the triggers
    (pygeodiff applying or rebasing a changeset disables them); None: recount everything.  Runs in the
    caller's transaction."""
    if not present(con):
        return
    if fids is None:
        recount(con)
        return
    wanted = sorted(set(int(f) for f in fids))
    if len(wanted) >= REFRESH_RECOUNT_FROM:
        recount(con)
        return
    for fid in wanted:
        for stmt in _REFRESH_TAKE_OFF:
            con.execute(stmt, (fid,) * stmt.count("?"))
        con.execute(_REFRESH_FORGET, (fid,))
        con.execute(_REFRESH_POINT, (fid,))
        for stmt in _REFRESH_PUT_ON:
            con.execute(stmt, (fid,) * stmt.count("?"))


#: The stored time as whole milliseconds since 1970 (SQLite reads the ISO text with its ``Z``): a period's bounds are
#: compared exactly, as the map's timestamps (milliseconds) compare with them in memory.
_MS = "CAST(ROUND((julianday(detected_utc) - 2440587.5) * 86400000.0) AS INTEGER)"
_COUNT_BETWEEN = "SELECT COUNT(*) FROM fire_point WHERE detected_utc >= ? AND detected_utc < ?"
#: Rows fetched at a time: a worker reading a long period lets the GUI thread in between (the interpreter lock).
FETCH_ROWS = 20_000


def _between_sql(n_categories: int) -> str:
    code = "CASE status " + " ".join("WHEN ? THEN " + str(i) for i in range(n_categories)) + " ELSE -1 END" \
        if n_categories else "-1"
    return ("SELECT fid, geom, " + code + ", heat_source FROM fire_point WHERE detected_utc >= ? AND detected_utc < ? "
            "AND geom IS NOT NULL AND " + _MS + " >= ? AND " + _MS + " < ?")


def points_between(con: sqlite3.Connection, first: str, end: str, start_ms: int, end_ms: int,
                   categories: tuple[str, ...] = (), check: Optional[Callable[[], None]] = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The fire points detected from ``start_ms`` up to (not including) ``end_ms`` (milliseconds since 1970,
    exact), found through the time index between stored texts ``first`` and ``end`` (a little wider):
    ``(fid, xy, status, heat_source)``, the status as its position in ``categories`` (-1: another or none) and the
    flag as a number (NaN: none).  Numbers only, fetched a few thousand rows at a time: a long period (most of
    a million points) is read on a worker without holding up the GUI thread.  ``check()`` runs between the
    batches (a cancelled read raises there)."""
    from .gpkg import blob_points_xy

    cur = con.execute(_between_sql(len(categories)), (*categories, first, end, int(start_ms), int(end_ms)))
    fids, xy = [np.empty(0, dtype=np.int64)], [np.empty((0, 2))]
    codes, flags = [np.empty(0, dtype=np.int16)], [np.empty(0)]
    while True:
        if check is not None:
            check()
        rows = cur.fetchmany(FETCH_ROWS)
        if not rows:
            break
        fid, geoms, code, flag = zip(*rows)
        fids.append(np.array(fid, dtype=np.int64))
        xy.append(blob_points_xy(list(geoms)))
        codes.append(np.array(code, dtype=np.int16))
        flags.append(np.array(flag, dtype=np.float64))  # None: NaN
    return np.concatenate(fids), np.concatenate(xy), np.concatenate(codes), np.concatenate(flags)


def count_between(con: sqlite3.Connection, first: str, end: str) -> int:
    """How many fire points are stored with ``first <= detected_utc < end`` (through the time index)."""
    return int(con.execute(_COUNT_BETWEEN, (first, end)).fetchone()[0])


# --- single fire points: a click's, a check's (the map reads them without reading the layer) ---------------

_MIN_FID = "SELECT MIN(fid) FROM fire_point"
_MAX_FID = "SELECT MAX(fid) FROM fire_point"
_COUNT_ALL = "SELECT COUNT(*) FROM fire_point"
_RANK = "SELECT COUNT(*) FROM fire_point WHERE fid < ?"
_FID_AT = "SELECT fid FROM fire_point ORDER BY fid LIMIT 1 OFFSET ?"


def fid_span(con: sqlite3.Connection) -> tuple[Optional[int], Optional[int], int]:
    """``(first fid, last fid, rows)`` of the fire points (the ends through the primary key)."""
    lo = con.execute(_MIN_FID).fetchone()[0]
    hi = con.execute(_MAX_FID).fetchone()[0]
    return lo, hi, int(con.execute(_COUNT_ALL).fetchone()[0])


def fid_ranks(con: sqlite3.Connection, fids: Iterable[int]) -> list[int]:
    """How many fire points have a smaller fid than each of ``fids`` (its position in fid order)."""
    return [int(con.execute(_RANK, (int(f),)).fetchone()[0]) for f in fids]


def fids_at(con: sqlite3.Connection, positions: Iterable[int]) -> list[Optional[int]]:
    """The fid at each position in fid order (None past the end)."""
    out: list[Optional[int]] = []
    for p in positions:
        row = con.execute(_FID_AT, (int(p),)).fetchone()
        out.append(int(row[0]) if row else None)
    return out


def fids_of_uuids(con: sqlite3.Connection, uuids: Iterable[str]) -> dict[str, int]:
    """The fids of the fire points with these uuids (through the unique index on ``uuid``), by uuid."""
    wanted = [str(u) for u in uuids]
    out: dict[str, int] = {}
    for k in range(0, len(wanted), 500):
        part = wanted[k:k + 500]
        out.update((str(r[0]), int(r[1])) for r in con.execute(
            "SELECT uuid, fid FROM fire_point WHERE uuid IN (" + ",".join("?" for _ in part) + ")", part))
    return out
