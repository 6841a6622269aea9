"""What changed: pygeodiff changesets read as row changes, and the change tracking a working copy
carries (which tables were edited since its last sync)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import uuid as _uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..storage.gate import sqlite_writing
from ..storage.gpkg import connect_readwrite, quote_ident, sqlite_tables, transaction
from ..storage.schema import DENSITY_POINTS_TABLE, DENSITY_TABLE
from . import history
from .rows import _columns, _data_tables
from .workcopy import Header

#: One pygeodiff context kept for the life of the process: pygeodiff loads its C library (dlopen and
#: some 200 function signatures, ~5 ms of CPU) whenever no context holds it, which was twice per sync.
_KEEP_LIBRARY: list[Any] = []


def _geodiff(skip_derived: bool = True):  # type: ignore[no-untyped-def]
    """A pygeodiff context that never compares the derived tables (each copy recounts them itself)."""
    import pygeodiff

    if not _KEEP_LIBRARY:
        keeper = pygeodiff.GeoDiff()
        keeper.set_tables_to_skip([])  # loads the library; later contexts share it while this one lives
        _KEEP_LIBRARY.append(keeper)
        import atexit

        atexit.register(_KEEP_LIBRARY.clear)  # unloaded while Python can still import (pygeodiff's __del__ does)
    gd = pygeodiff.GeoDiff()
    if skip_derived:
        gd.set_tables_to_skip(list(SKIPPED))
    return gd


def _geodiff_errors() -> type[Exception]:
    import pygeodiff

    return pygeodiff.GeoDiffLibError


def _geodiff_for(tables: Optional[set[str]]):  # type: ignore[no-untyped-def]
    """A pygeodiff context that compares only ``tables`` (all but the local tracking table if None)."""
    gd = _geodiff(skip_derived=tables is None)
    if tables is not None:
        gd.set_tables_to_include(sorted(tables - set(SKIPPED)) or [SYNC_LOG])
    return gd


#: Local-only table filled by triggers: the tables edited since the last sync.  Diffing only those
#: (and the tables other syncs changed, from ``sync_log.tables_changed``) keeps a sync of a few
#: edits from comparing a million fire points row by row.
DIRTY_TABLE = history.DIRTY_TABLE
#: Tables no changeset carries: the local tracking table and the fire-point density counts (derived: the
#: triggers recount them in every copy that applies the fire points' changes).
SKIPPED = (DIRTY_TABLE, DENSITY_TABLE, DENSITY_POINTS_TABLE)


SYNC_LOG = "sync_log"


def install_tracking(path: Path) -> None:
    """Create the tracking table and its triggers in a working copy (idempotent)."""
    with closing(connect_readwrite(path)) as con, transaction(con):
        if DIRTY_TABLE not in sqlite_tables(con):
            # A registered GeoPackage attributes table with an integer key: an unregistered table with
            # a text key crashes QGIS 3.22 when it lists the file's tables.
            con.execute("CREATE TABLE " + DIRTY_TABLE + " (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
                        "table_name TEXT NOT NULL UNIQUE)")
            con.execute("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                        "VALUES (?, 'attributes', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                        (DIRTY_TABLE, DIRTY_TABLE, "GridWatch sync: tables edited on this laptop since its last sync"))
        tables = sqlite_tables(con)
        for t in _data_tables(con):
            qt = quote_ident(t, tables)
            for op in ("INSERT", "UPDATE", "DELETE"):
                name = '"' + ("gw_dirty_" + op.lower() + "_" + t).replace('"', '""') + '"'
                literal = "'" + t.replace("'", "''") + "'"
                con.execute("CREATE TRIGGER IF NOT EXISTS " + name + " AFTER " + op + " ON " + qt + " BEGIN "
                            "INSERT OR IGNORE INTO " + DIRTY_TABLE + " (table_name) VALUES (" + literal + "); END")


def dirty_tables(path: Path, con: Optional[sqlite3.Connection] = None) -> Optional[set[str]]:
    """Tables a working copy changed since its last sync, or None if it does not track them (``con``: a
    read-only connection of ``path``, left open)."""
    if con is None:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as own:
            return dirty_tables(path, own)
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (DIRTY_TABLE,)).fetchone() is None:
        return None
    n_triggers = con.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE "
                             "'gw_dirty_%'").fetchone()[0]
    if n_triggers < 3 * len(_data_tables(con)):
        return None  # a table without its triggers: cannot trust the record
    return {r[0] for r in con.execute("SELECT table_name FROM " + DIRTY_TABLE)}


def _clear_dirty(path: Path) -> None:
    with closing(connect_readwrite(path)) as con, transaction(con):
        if con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (DIRTY_TABLE,)).fetchone() is not None:
            con.execute("DELETE FROM " + DIRTY_TABLE)


def _clear_dirty_if(db: Path, counter: int) -> bool:
    """Clear the tracking table if nothing wrote to ``db`` since its change counter was ``counter``;
    checked and cleared under SQLite's write lock, so no edit can slip in between."""
    with sqlite_writing(db):  # no GDAL read of it in this process meanwhile (storage.gate)
        header = Header(db)  # read without closing a descriptor (see workcopy.Header)
        try:
            with closing(connect_readwrite(db)) as con:
                con.execute("BEGIN IMMEDIATE")
                try:
                    if header.counter() != counter:
                        con.execute("ROLLBACK")
                        return False
                    con.execute("DELETE FROM " + DIRTY_TABLE)
                    con.execute("COMMIT")
                    return True
                except BaseException:
                    if con.in_transaction:
                        con.execute("ROLLBACK")
                    raise
        finally:
            header.close()


@dataclass
class Change:
    table: str
    kind: str  # insert / update / delete
    fid: int
    values: dict[str, Any]  # insert: new row; update: new values of changed columns; delete: old row
    old: dict[str, Any]  # update: old values of the changed columns


def list_changes(base: Path, modified: Path, work: Path, tables: Optional[set[str]] = None) -> list[Change]:
    """The changes base -> modified as :class:`Change` records (column names resolved).

    ``tables``: only these (the tables known to have changed), None for all.
    """
    gd = _geodiff_for(tables)
    diff = work / f"{_uuid.uuid4().hex}.diff"
    with _geodiff_tmp(work):
        gd.create_changeset(str(base), str(modified), str(diff))
    return changes_of(diff, modified, work)


def _diff_entries(diff: Path, work: Path) -> list[dict[str, Any]]:
    gd = _geodiff()
    if not gd.has_changes(str(diff)):
        return []
    js = work / f"{_uuid.uuid4().hex}.json"
    gd.list_changes(str(diff), str(js))
    try:
        return json.loads(js.read_text(encoding="utf-8")).get("geodiff", [])
    finally:
        js.unlink(missing_ok=True)


def changes_of(diff: Path, columns_from: Path, work: Path, con: Optional[sqlite3.Connection] = None) -> list[Change]:
    """The changes of a pygeodiff changeset as :class:`Change` records (column names read from
    ``columns_from``, a project with the same tables; ``con``: a read-only connection of it, left open)."""
    if con is None:
        with closing(sqlite3.connect(f"file:{columns_from}?mode=ro", uri=True)) as own:
            return changes_of(diff, columns_from, work, own)
    entries = _diff_entries(diff, work)
    out = []
    cols_of: dict[str, list[str]] = {}
    for e in entries:
        t = e["table"]
        if t not in cols_of:
            cols_of[t] = _columns(con, t)
        cols = cols_of[t]
        new = {cols[c["column"]]: c.get("new") for c in e["changes"] if "new" in c}
        old = {cols[c["column"]]: c.get("old") for c in e["changes"] if "old" in c}
        pk = old.get(cols[0], new.get(cols[0]))
        kind = e["type"]
        values = new if kind != "delete" else old
        out.append(Change(t, kind, int(pk), values, old if kind == "update" else {}))
    return out


def fire_point_fids(diff: Path, work: Path) -> Optional[set[int]]:
    """The fids of the fire points a changeset inserts, updates or deletes (None: too many to list, recount)."""
    from ..storage.density import REFRESH_RECOUNT_FROM

    gd = _geodiff()
    js = work / f"{_uuid.uuid4().hex}.json"
    try:
        gd.list_changes_summary(str(diff), str(js))
        summary = json.loads(js.read_text(encoding="utf-8")).get("geodiff_summary", [])
    finally:
        js.unlink(missing_ok=True)
    n = sum(int(t.get("insert", 0)) + int(t.get("update", 0)) + int(t.get("delete", 0))
            for t in summary if t.get("table") == "fire_point")
    if n == 0:
        return set()
    if n >= REFRESH_RECOUNT_FROM:
        return None
    fids = set()
    for e in _diff_entries(diff, work):
        if e["table"] == "fire_point":
            key = next(c for c in e["changes"] if c["column"] == 0)
            fids.add(int(key.get("old", key.get("new"))))
    return fids


def apply_changes(gd: Any, db: Path, diff: Path, work: Path) -> None:
    """Apply a changeset to ``db`` with pygeodiff, then bring the fire-point density counts up to date for
    the fire points it touched (pygeodiff applies with the database's triggers off)."""
    gd.apply_changeset(str(db), str(diff))
    refresh_density(db, diff, work)


def refresh_density(db: Path, diff: Path, work: Path) -> None:
    """The density counts of ``db`` for the fire points changeset ``diff`` touched (one transaction)."""
    from ..storage import density

    fids = fire_point_fids(diff, work)
    if fids is not None and not fids:
        return
    with closing(connect_readwrite(db)) as con, transaction(con):
        density.refresh(con, fids)


def recount_density(db: Path, scope: Optional[set[str]]) -> None:
    """Recount the fire-point density of ``db`` after pygeodiff rebased changes into it (with the triggers
    off, renumbering inserted rows), if the rebase could have touched fire points (``scope`` None: any)."""
    from ..storage import density

    if scope is not None and "fire_point" not in scope:
        return
    with closing(connect_readwrite(db)) as con, transaction(con):
        density.refresh(con, None)


def _concat(parts: list[Path], out: Path) -> Optional[Path]:
    parts = [p for p in parts if p is not None and p.exists() and _geodiff().has_changes(str(p))]
    if not parts:
        return None
    if len(parts) == 1:
        shutil.copyfile(parts[0], out)
    else:
        _geodiff().concat_changes([str(p) for p in parts], str(out))
    return out


#: TMPDIR is one per process: the syncs of one process (threads: the app's sync beside a live view's,
#: many laptops synced from one process) take turns at geodiff's temp files.
_TMPDIR_LOCK = threading.RLock()


class _geodiff_tmp:
    """pygeodiff names its temp files from an unseeded rand(): two syncs on one computer would share
    them.  Point its TMPDIR at this sync's own work folder while it runs, one thread at a time (two
    threads saving and restoring the variable crosswise left it naming a finished sync's removed
    folder, and every later geodiff call of the process failed)."""

    def __init__(self, folder: Path) -> None:
        self.value = str(folder) + os.sep  # geodiff prepends TMPDIR without a separator
        self.old: Optional[str] = None

    def __enter__(self) -> None:
        _TMPDIR_LOCK.acquire()
        self.old = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = self.value

    def __exit__(self, *exc: object) -> None:
        try:
            if self.old is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = self.old
        finally:
            _TMPDIR_LOCK.release()
