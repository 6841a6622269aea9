"""Fast loads: many features into one layer in one transaction (the importer's writer).

Bulk loads skip the per-row trigger work (R-tree entries and fire-point density counts through
Python geometry functions, a feature-count UPDATE per row): the triggers are dropped inside the
transaction, the index and the counts are written in bulk, and the triggers are recreated with their
exact original SQL before COMMIT.  A load of at least a quarter of a big table also rebuilds the
table's indexes once and packs its R-tree anew (:mod:`.rtree_pack`).  Fire points' heat-source
flags are worked out before the insert, over the stored points and the new ones, so every new row is
written once.  A rollback restores all of it.  One audit row records the load.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import uuid as _uuid
from contextlib import closing
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import shapely

from ..layers.base import LayerSpec
from ..tasks import Steps
from . import density, rtree_pack
from .gpkg import connect_readwrite, geometry_to_blob, gpkg_datetime, quote_ident, sqlite_tables, transaction
from .heat_sources import refresh_before_adding, refresh_heat_sources, utc_seconds
from .project import GEOMETRY_COLUMN

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: At least this many rows, and a quarter of the table, rebuild the table's indexes once at the end.
BULK_ROWS = 50_000


def _sql_column(series: pd.Series, type_: str) -> list[Any]:
    """A column as SQLite values, converted column-wise (a million rows in well under a second)."""
    missing = series.isna().to_numpy()
    if type_ == "DATETIME":
        ts = pd.to_datetime(series, utc=True).dt.tz_localize(None)
        # numpy writes ISO text in C ('2026-09-01T03:12:00.000'); pandas' strftime took 25 s a million rows
        text = np.datetime_as_string(ts.to_numpy(dtype="datetime64[ns]").astype("datetime64[ms]"), unit="ms")
        values = np.char.add(text, "Z").astype(object)
    elif type_ == "DATE":
        values = np.array([v.isoformat() if hasattr(v, "isoformat") else (None if v is None else str(v)[:10])
                           for v in series.tolist()], dtype=object)
    elif type_ == "BOOLEAN":
        values = series.fillna(False).astype(bool).astype(int).astype(object).to_numpy()
    elif type_ == "INTEGER":
        values = pd.to_numeric(series).fillna(0).astype("int64").astype(object).to_numpy()
    elif type_ == "REAL":
        values = pd.to_numeric(series).fillna(0.0).astype(float).astype(object).to_numpy()
    else:
        values = series.astype(object).to_numpy()
    values = values.copy()
    values[missing] = None
    return values.tolist()


def _geometry_blobs(geoms: np.ndarray, srs_id: int, gtype: str) -> list[bytes]:
    """GeoPackage blobs; points are packed with numpy (29 bytes each), others one by one."""
    if len(geoms) and gtype.upper() == "POINT" and (shapely.get_type_id(geoms) == 0).all() \
            and not shapely.is_empty(geoms).any():
        n = len(geoms)
        rec = np.zeros(n, dtype=[("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"),
                                 ("order", "u1"), ("wkbtype", "<u4"), ("x", "<f8"), ("y", "<f8")])
        rec["magic"] = b"GP"
        rec["flags"] = 0x01  # little endian, no envelope (points need none)
        rec["srs"] = srs_id
        rec["order"] = 1
        rec["wkbtype"] = 1
        rec["x"] = shapely.get_x(geoms)
        rec["y"] = shapely.get_y(geoms)
        raw = rec.tobytes()
        return [raw[i * 29:(i + 1) * 29] for i in range(n)]
    return [geometry_to_blob(g, srs_id, gtype) for g in geoms]


def _now_iso() -> str:
    return gpkg_datetime(_dt.datetime.now(_dt.timezone.utc))


def write_features(path: os.PathLike[str] | str, spec: LayerSpec, frame: Any, *, replace: bool, user: str,
                   details: dict[str, Any], steps: Optional[Steps] = None) -> int:
    """Append ``frame`` (a GeoDataFrame with the layer's fields) to ``spec``'s table, or replace its
    features, with one audit row naming ``user``; all or nothing.  Returns how many were replaced.

    Raises sqlite3.Error (the caller names the file); nothing is written then.
    """
    steps = steps or Steps(None, None, [("write", 4), ("index", 1)])
    replaced = 0
    with closing(connect_readwrite(path)) as con:
        # Each row goes into a B-tree per index (uuid, codes, time): with SQLite's default 2 MB
        # page cache a million random uuid inserts thrash the disk. 256 MB keeps them in memory.
        con.execute("PRAGMA cache_size = -262144")
        tables = sqlite_tables(con)
        table = quote_ident(spec.name, tables)
        cols = [r[1] for r in con.execute("PRAGMA table_info(" + table + ")")]
        rtree_name = f"rtree_{spec.name}_{GEOMETRY_COLUMN}"
        gtype = con.execute("SELECT geometry_type_name FROM gpkg_geometry_columns WHERE table_name = ?",
                            (spec.name,)).fetchone()[0]
        fields = [f for f in spec.fields if f.name in frame.columns]
        names = [GEOMETRY_COLUMN] + [f.name for f in fields]
        insert = ("INSERT INTO " + table + " (" + ", ".join(quote_ident(n, cols) for n in ["fid"] + names)
                  + ") VALUES (" + ", ".join("?" for _ in range(len(names) + 1)) + ")")
        # Bulk loads skip the per-row trigger work (R-tree entries and density counts through Python
        # functions, a feature-count UPDATE per row): the triggers are dropped inside the transaction,
        # the index and the counts are written in bulk, and the triggers are recreated with their exact
        # original SQL before COMMIT. A rollback restores all of it.
        counted = spec.name == "fire_point" and density.present(con)
        set_aside = [rtree_name + "_insert", "trigger_insert_feature_count_" + spec.name]
        set_aside += [density.INSERT_TRIGGER] if counted else []
        triggers = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name IN ("
            + ", ".join("?" for _ in set_aside) + ")", (spec.name, *set_aside)).fetchall()
        counted = counted and density.INSERT_TRIGGER in {t[0] for t in triggers}
        # A big load (a season of fire points) also rebuilds the table's indexes and its R-tree once at
        # the end: sorting a million keys is far faster than a million random B-tree inserts, and a packed
        # R-tree than a million R*Tree insertions. Small imports into big tables keep the indexes.
        existing_rows = con.execute("SELECT COUNT(*) FROM " + table).fetchone()[0]
        bulk = len(frame) >= BULK_ROWS and len(frame) * 4 >= existing_rows
        indexes = con.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (spec.name,),
        ).fetchall() if bulk else []
        with transaction(con, path):
            steps.start("write", "writing")
            if replace:
                replaced = con.execute("SELECT COUNT(*) FROM " + table).fetchone()[0]
                con.execute("DELETE FROM " + table)
            for name, _sql in triggers:
                con.execute("DROP TRIGGER " + quote_ident(name, [t[0] for t in triggers]))
            for name, _sql in indexes:
                con.execute("DROP INDEX " + quote_ident(name, [i[0] for i in indexes]))
            start = (con.execute("SELECT MAX(fid) FROM " + table).fetchone()[0] or 0) + 1
            seq = con.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (spec.name,)).fetchone()
            start = max(start, (seq[0] + 1) if seq else 1)
            geoms = np.asarray(frame.geometry.values, dtype=object)
            n = len(frame)
            fids = np.arange(start, start + n, dtype=np.int64)
            columns: list[list[Any]] = [fids.tolist(), _geometry_blobs(geoms, 4490, gtype)]
            columns += [_sql_column(frame[f.name], f.type) for f in fields]
            if spec.name == "fire_point" and "heat_source" in cols and n:
                # New detections can make a place a persistent heat source: the flags of the stored points
                # and of the new ones, worked out before the insert, so each new row is written once.
                changed, flags = _heat_sources(con, frame, geoms, names, columns)
                details = {**details, "heat_sources_changed": changed}
                if "heat_source" in names:
                    columns[names.index("heat_source") + 1] = flags.astype(int).tolist()
                else:
                    names.append("heat_source")
                    columns.append(flags.astype(int).tolist())
                    insert = ("INSERT INTO " + table + " (" + ", ".join(quote_ident(c, cols) for c in ["fid"] + names)
                              + ") VALUES (" + ", ".join("?" for _ in range(len(names) + 1)) + ")")
            batch = 50_000
            for b0 in range(0, n, batch):
                b1 = min(n, b0 + batch)
                con.executemany(insert, zip(*(col[b0:b1] for col in columns)))
                steps.report(b1 / max(n, 1))
            steps.start("index", "indexing")
            if n:
                bounds = shapely.bounds(geoms)  # minx, miny, maxx, maxy; NaN for empty geometries
                has = np.isfinite(bounds).all(axis=1)
                boxes = bounds[has][:, [0, 2, 1, 3]]
                if not (bulk and rtree_pack.rebuild(con, rtree_name, fids[has], boxes)):
                    rt = quote_ident(rtree_name, sqlite_tables(con))
                    con.executemany("INSERT INTO " + rt + " VALUES (?, ?, ?, ?, ?)",
                                    zip(fids[has].tolist(), *(boxes[:, k].tolist() for k in range(4))))
                if counted:
                    density.add_points(con, fids, shapely.get_x(geoms), shapely.get_y(geoms))
            for _name, sql in indexes:
                con.execute(sql)  # the file's own index definitions, verbatim (unique ones re-check)
            for _name, sql in triggers:
                con.execute(sql)  # the file's own trigger definitions, verbatim
            con.execute(
                "UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM " + table
                + ") WHERE lower(table_name) = lower(?)", (spec.name,))
            ext = con.execute("SELECT MIN(minx), MIN(miny), MAX(maxx), MAX(maxy) FROM "
                              + quote_ident(rtree_name, sqlite_tables(con))).fetchone()
            con.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, last_change = ? "
                        "WHERE table_name = ?", (*ext, _now_iso(), spec.name))
            if spec.name == "fire_point" and "heat_source" in cols and not n:
                details = {**details, "heat_sources_changed": refresh_heat_sources(con)}
            if "replaced" in details:  # the import report's count, known only now
                details = {**details, "replaced": replaced}
            con.execute(
                "INSERT INTO audit_log (uuid, at, user_name, action, table_name, row_uuid, old_values, "
                "new_values, details) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, ?)",
                (str(_uuid.uuid4()), _now_iso(), user, "import", spec.name,
                 json.dumps(details, ensure_ascii=False)),
            )
            steps.report(1.0)
    return replaced


def _heat_sources(con: Any, frame: Any, geoms: np.ndarray, names: list[str], columns: list[list[Any]]
                  ) -> tuple[int, np.ndarray]:
    """Heat-source flags of the stored fire points (changed ones written) and of the rows about to be inserted
    (:func:`~gridwatch.storage.heat_sources.refresh_before_adding`), from the values the rows will be stored with."""
    n = len(geoms)
    xy = np.column_stack([shapely.get_x(geoms), shapely.get_y(geoms)])
    if "detected_utc" in names:  # the stored text, cut as a refresh cuts it
        utc = utc_seconds(np.array([t[:19] if t else t for t in columns[names.index("detected_utc") + 1]],
                                   dtype=object))
    else:
        utc = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    stype = (pd.to_numeric(frame["source_type"]).to_numpy(dtype=float, na_value=np.nan)
             if "source_type" in names else np.full(n, np.nan))
    return refresh_before_adding(con, xy, utc, stype)
