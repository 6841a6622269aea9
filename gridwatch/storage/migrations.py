"""Schema migrations: back up, then migrate in one transaction.

``MIGRATIONS[v]`` upgrades a project from schema version ``v`` to ``v + 1`` on an open sqlite3
connection inside the caller's transaction.  :func:`migrate_project` copies the file to a backup
beside it first, then runs every needed step and the version bump as one transaction: a failure
rolls everything back and leaves the project exactly as it was (and the backup in place).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Callable, Optional

from ..errors import SchemaVersionError, StorageError
from .gpkg import (
    connect_readonly,
    connect_readwrite,
    fsync_file,
    index_sql,
    quote_ident,
    sqlite_tables,
    transaction,
)
from .schema import META_TABLE, SCHEMA_VERSION

#: Columns schema 2 added, by table (frozen: later schemas add steps of their own).
_V2_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "assignment": (("started_at", "DATETIME"), ("finished_at", "DATETIME"), ("cancelled_at", "DATETIME"),
                   ("result", "TEXT"), ("status_note", "TEXT")),
    "finding": (("location_note", "TEXT"), ("assigned_by", "TEXT"), ("rectify_note", "TEXT"),
                ("rectified_by", "TEXT"), ("rectified_at", "DATETIME"), ("verify_note", "TEXT"),
                ("verified_by", "TEXT"), ("verified_at", "DATETIME"), ("reject_reason", "TEXT"),
                ("reject_count", "INTEGER"), ("closed_by", "TEXT"), ("closed_at", "DATETIME")),
    "attachment": (("thumbnail", "BLOB"), ("flags", "TEXT"), ("added_by", "TEXT")),
    "fire_point": (("check_uuid", "TEXT"),),
}
_V2_TYPES = {"TEXT", "DATETIME", "INTEGER", "BLOB"}


def _v1_to_v2(con: sqlite3.Connection) -> None:
    """Schema 2: task results and timestamps, the finding loop's who/when/why, photo flags,
    and the link from a fire point to its check task."""
    tables = sqlite_tables(con)
    for table, columns in _V2_COLUMNS.items():
        qt = quote_ident(table, tables)
        present = [r[1] for r in con.execute("PRAGMA table_info(" + qt + ")")]
        for name, type_ in columns:
            if name in present:
                continue
            assert type_ in _V2_TYPES
            # ADD COLUMN only appends to the table definition: no rewrite, even for a million fire points.
            con.execute("ALTER TABLE " + qt + " ADD COLUMN " + '"' + name.replace('"', '""') + '" ' + type_)
    con.execute(index_sql(con, "fire_point", "check_uuid"))
    from .schema import WORKFLOW_TABLES

    for name in ("sync_conflict", "sync_log"):
        _create_attribute_table(con, name, WORKFLOW_TABLES[name])


_SQL_TYPES = {"TEXT": "TEXT", "INTEGER": "INTEGER", "REAL": "REAL", "BOOLEAN": "BOOLEAN", "DATE": "DATE",
              "DATETIME": "DATETIME", "BLOB": "BLOB"}


def _create_attribute_table(con: sqlite3.Connection, name: str, spec) -> None:  # type: ignore[no-untyped-def]
    """A GeoPackage attributes table as GDAL makes one (fid key, registered in gpkg_contents)."""
    if name in sqlite_tables(con):
        return
    ident = '"' + name.replace('"', '""') + '"'
    cols = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL']
    for f in spec.fields:
        cols.append('"' + f.name.replace('"', '""') + '" ' + _SQL_TYPES[f.type])
    con.execute("CREATE TABLE " + ident + " (" + ", ".join(cols) + ")")
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                "VALUES (?, 'attributes', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                (name, name, spec.title_zh + " " + spec.title_en))
    if "gpkg_ogr_contents" in sqlite_tables(con):
        con.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, 0)", (name,))
    for f in spec.fields:
        if f.unique:
            con.execute(index_sql(con, name, f.name, unique=True))
    for col in spec.indexed:
        con.execute(index_sql(con, name, col))


#: Columns of the key-area layer as schema 3 created it (frozen: later schemas add steps of their own).
_V3_KEY_AREA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("uuid", "TEXT"), ("name", "TEXT"), ("kind", "TEXT"), ("buffer_m", "REAL"), ("township_code", "TEXT"),
    ("note", "TEXT"),
)


def _v2_to_v3(con: sqlite3.Connection) -> None:
    """Schema 3: the key-area layer (重点区域: monitoring stations, schools ...), points or polygons."""
    _create_feature_table(con, "key_area", "GEOMETRY", _V3_KEY_AREA_COLUMNS, description="重点区域 Key areas",
                          unique=("uuid",), indexed=("kind",))


def _project_srs_id(con: sqlite3.Connection) -> int:
    """The srs_id the project's other layers use (EPSG:4490 in every GridWatch project)."""
    row = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?", ("grid_cell",)).fetchone()
    if row is None:
        row = con.execute("SELECT srs_id FROM gpkg_geometry_columns ORDER BY table_name LIMIT 1").fetchone()
    if row is None:
        raise sqlite3.OperationalError("no geometry layer to take the project's CRS from")
    return int(row[0])


def _create_feature_table(con: sqlite3.Connection, name: str, geometry_type: str,
                          columns: tuple[tuple[str, str], ...], *, description: str,
                          unique: tuple[str, ...] = (), indexed: tuple[str, ...] = ()) -> None:
    """An empty GeoPackage feature table as GDAL writes one.

    The table (``fid`` key, ``geom`` column), its ``gpkg_contents`` and ``gpkg_geometry_columns``
    rows, the R-tree spatial index with GDAL's six triggers and its ``gpkg_extensions`` row, and,
    when the file keeps OGR feature counts, the count row and triggers.  Runs inside the caller's
    transaction; a table that already exists is left alone.
    """
    # Names come from this module, never from users; they still must be plain identifiers, since
    # trigger bodies cannot take bound parameters.
    for ident in (name, *(c for c, _ in columns)):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", ident):
            raise sqlite3.OperationalError(f"not a plain identifier: {ident!r}")
    tables = sqlite_tables(con)
    if name in tables:
        return
    srs_id = _project_srs_id(con)

    def q(ident: str) -> str:
        return '"' + ident.replace('"', '""') + '"'

    t, g = q(name), q("geom")
    rtree_name = f"rtree_{name}_geom"
    rt = q(rtree_name)
    cols = ['"fid" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL', '"geom" ' + geometry_type.upper()]
    for col, type_ in columns:
        cols.append(q(col) + " " + _SQL_TYPES[type_])
    con.execute("CREATE TABLE " + t + " ( " + ", ".join(cols) + ")")
    con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change, srs_id) "
                "VALUES (?, 'features', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?)",
                (name, name, description, srs_id))
    con.execute("INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) "
                "VALUES (?, 'geom', ?, ?, 0, 0)", (name, geometry_type.upper(), srs_id))
    # The spatial index and its triggers, worded as GDAL words them (QGIS and GDAL recognise them).
    con.execute("CREATE VIRTUAL TABLE " + rt + " USING rtree(id, minx, maxx, miny, maxy)")
    bbox = "(NEW.\"fid\",ST_MinX(NEW." + g + "), ST_MaxX(NEW." + g + "),ST_MinY(NEW." + g + "), ST_MaxY(NEW." + g + "))"
    triggers = {
        "insert": ("AFTER INSERT ON " + t + " WHEN (new." + g + " NOT NULL AND NOT ST_IsEmpty(NEW." + g + ")) "
                   "BEGIN INSERT OR REPLACE INTO " + rt + " VALUES " + bbox + "; END"),
        "update1": ("AFTER UPDATE OF " + g + " ON " + t + " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW." + g
                    + " NOTNULL AND NOT ST_IsEmpty(NEW." + g + ")) BEGIN INSERT OR REPLACE INTO " + rt + " VALUES "
                    + bbox + "; END"),
        "update2": ("AFTER UPDATE OF " + g + " ON " + t + " WHEN OLD.\"fid\" = NEW.\"fid\" AND (NEW." + g
                    + " ISNULL OR ST_IsEmpty(NEW." + g + ")) BEGIN DELETE FROM " + rt + " WHERE id = OLD.\"fid\"; END"),
        "update3": ("AFTER UPDATE ON " + t + " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW." + g + " NOTNULL AND NOT "
                    "ST_IsEmpty(NEW." + g + ")) BEGIN DELETE FROM " + rt + " WHERE id = OLD.\"fid\"; "
                    "INSERT OR REPLACE INTO " + rt + " VALUES " + bbox + "; END"),
        "update4": ("AFTER UPDATE ON " + t + " WHEN OLD.\"fid\" != NEW.\"fid\" AND (NEW." + g + " ISNULL OR "
                    "ST_IsEmpty(NEW." + g + ")) BEGIN DELETE FROM " + rt
                    + " WHERE id IN (OLD.\"fid\", NEW.\"fid\"); END"),
        "delete": ("AFTER DELETE ON " + t + " WHEN old." + g + " NOT NULL BEGIN DELETE FROM " + rt
                   + " WHERE id = OLD.\"fid\"; END"),
    }
    for suffix, body in triggers.items():
        con.execute("CREATE TRIGGER " + q(f"{rtree_name}_{suffix}") + " " + body)
    con.execute("INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                "VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', "
                "'write-only')", (name,))
    if "gpkg_ogr_contents" in tables:
        con.execute("INSERT INTO gpkg_ogr_contents (table_name, feature_count) VALUES (?, 0)", (name,))
        # Files written by GDAL versions that keep the count with triggers get them for this table too.
        if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' "
                       "AND name LIKE 'trigger_insert_feature_count_%'").fetchone():
            lit = "'" + name.replace("'", "''") + "'"
            con.execute("CREATE TRIGGER " + q(f"trigger_insert_feature_count_{name}") + " AFTER INSERT ON " + t
                        + " BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count + 1 "
                        "WHERE lower(table_name) = lower(" + lit + "); END")
            con.execute("CREATE TRIGGER " + q(f"trigger_delete_feature_count_{name}") + " AFTER DELETE ON " + t
                        + " BEGIN UPDATE gpkg_ogr_contents SET feature_count = feature_count - 1 "
                        "WHERE lower(table_name) = lower(" + lit + "); END")
    for col in unique:
        con.execute(index_sql(con, name, col, unique=True))
    for col in indexed:
        con.execute(index_sql(con, name, col))


#: Columns schema 4 added, by table (frozen).
_V4_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "inspector": (("village_code", "TEXT"),),
    "fire_point": (("source_type", "INTEGER"), ("heat_source", "BOOLEAN")),
}


def _v3_to_v4(con: sqlite3.Connection) -> None:
    """Schema 4: people as the work plans organise them, and persistent heat sources among fire points.

    Roles keep their codes: ``inspector`` is the village grid inspector (网格员, still holding the
    same cells; their village is filled in when all their cells lie in one village),
    ``supervisor`` the district supervisor (督查员), ``admin`` the administrator.  The new role
    ``chief`` (township grid chief, 网格长) is given by an administrator afterwards.  Every fire
    point's ``heat_source`` flag is computed from the detections already in the project.
    """
    from .heat_sources import refresh_heat_sources

    tables = sqlite_tables(con)
    for table, columns in _V4_COLUMNS.items():
        qt = quote_ident(table, tables)
        present = [r[1] for r in con.execute("PRAGMA table_info(" + qt + ")")]
        for name, type_ in columns:
            if name not in present:
                assert type_ in _SQL_TYPES and re.fullmatch(r"[a-z_]+", name)
                con.execute("ALTER TABLE " + qt + " ADD COLUMN " + '"' + name + '" ' + type_)
    con.execute("UPDATE inspector SET village_code = (SELECT MIN(c.village_code) FROM grid_cell c "
                "WHERE c.inspector_uuid = inspector.uuid) WHERE role = 'inspector' AND village_code IS NULL "
                "AND (SELECT COUNT(DISTINCT c.village_code) FROM grid_cell c "
                "WHERE c.inspector_uuid = inspector.uuid) = 1")
    con.execute("UPDATE inspector SET township_code = substr(village_code, 1, 9) "
                "WHERE township_code IS NULL AND village_code IS NOT NULL")
    refresh_heat_sources(con)


#: Columns of the patrol-track layer as schema 5 created it (frozen).
_V5_TRACK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("uuid", "TEXT"), ("track_uuid", "TEXT"), ("inspector_uuid", "TEXT"), ("assignment_uuid", "TEXT"),
    ("recorded_at", "DATETIME"), ("accuracy_m", "REAL"), ("source", "TEXT"),
)


def _v4_to_v5(con: sqlite3.Connection) -> None:
    """Schema 5: the assessment's veto items (一票否决), heavy-pollution warnings, checklist results and
    campaigns as attributes tables (registered in gpkg_contents, so the sync carries them), the construction
    sites' video monitoring (unknown, NULL, on existing sites) (issue 17), and the patrol-track layer
    (巡查轨迹), one point per recorded position, synced like the rest (issue 20)."""
    from .schema import PLAN_TABLES_V5, WORKFLOW_TABLES

    for name in PLAN_TABLES_V5:
        _create_attribute_table(con, name, WORKFLOW_TABLES[name])
    tables = sqlite_tables(con)
    qt = quote_ident("construction_site", tables)
    if "video_monitor" not in [r[1] for r in con.execute("PRAGMA table_info(" + qt + ")")]:
        con.execute("ALTER TABLE " + qt + ' ADD COLUMN "video_monitor" BOOLEAN')
    if "track_point" not in tables:
        _create_feature_table(con, "track_point", "POINT", _V5_TRACK_COLUMNS, description="巡查轨迹 Patrol tracks",
                              unique=("uuid",), indexed=("inspector_uuid", "recorded_at", "track_uuid"))


def _v5_to_v6(con: sqlite3.Connection) -> None:
    """Schema 6: the fire points' density counts per zoom level and day (issue 18), kept by triggers and
    counted here from the points already in the project (:mod:`gridwatch.storage.density`)."""
    from . import density

    density.create(con)


#: ``version -> step`` upgrading a project from ``version`` to ``version + 1``.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4,
                                                               4: _v4_to_v5, 5: _v5_to_v6}


def _schema_version(path: Path) -> int:
    with closing(connect_readonly(path)) as con:
        q = "SELECT value FROM " + quote_ident(META_TABLE, sqlite_tables(con)) + " WHERE key = ?"
        row = con.execute(q, ("schema_version",)).fetchone()
    if row is None:
        raise SchemaVersionError(f"{path}: no schema_version in {META_TABLE}")
    return int(row[0])


def backup_path(path: Path, version: int, now: Optional[_dt.datetime] = None) -> Path:
    """Where the pre-migration backup of ``path`` goes: beside it, never overwriting."""
    stamp = (now or _dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.stem}.schema-v{version}.{stamp}.backup.gpkg")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.schema-v{version}.{stamp}-{n}.backup.gpkg")
        n += 1
    return candidate


def migrate_project(
    path: os.PathLike[str] | str, *, target: int = SCHEMA_VERSION
) -> Optional[Path]:
    """Upgrade the project at ``path`` to schema ``target``.

    Returns the backup's path, or None if the project was already current.

    Raises
    ------
    SchemaVersionError
        The project is newer than ``target`` or a step is missing; nothing is changed.
    StorageError
        A step failed; the transaction was rolled back and the project is unchanged.
    """
    p = Path(path)
    version = _schema_version(p)
    if version == target:
        return None
    if version > target:
        raise SchemaVersionError(
            f"{p}: schema version {version} is newer than {target}; update GridWatch to open it"
        )
    missing = [v for v in range(version, target) if v not in MIGRATIONS]
    if missing:
        raise SchemaVersionError(
            f"{p}: no migration from schema version {missing[0]} to {missing[0] + 1}; "
            "this file cannot be upgraded by this GridWatch"
        )
    backup = backup_path(p, version)
    shutil.copy2(p, backup)
    fsync_file(backup)
    with closing(connect_readwrite(p)) as con:
        try:
            with transaction(con):
                for v in range(version, target):
                    MIGRATIONS[v](con)
                q = "UPDATE " + quote_ident(META_TABLE, sqlite_tables(con)) + " SET value = ? WHERE key = ?"
                con.execute(q, (str(target), "schema_version"))
        except sqlite3.Error as exc:
            raise StorageError(
                f"{p}: upgrading from schema version {version} failed ({exc}); the project is unchanged "
                f"and a backup is at {backup}"
            ) from exc
    return backup
