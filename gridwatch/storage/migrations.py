"""Schema migrations: back up, then migrate in one transaction.

``MIGRATIONS[v]`` upgrades a project from schema version ``v`` to ``v + 1`` on an open sqlite3
connection inside the caller's transaction.  :func:`migrate_project` copies the file to a backup
beside it first, then runs every needed step and the version bump as one transaction: a failure
rolls everything back and leaves the project exactly as it was (and the backup in place).
"""

from __future__ import annotations

import datetime as _dt
import os
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


#: ``version -> step`` upgrading a project from ``version`` to ``version + 1``.
MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1_to_v2}


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
