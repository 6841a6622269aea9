"""Check out and sync a laptop's working copy with the shared project, never losing an edit.

Files (for a working copy ``LOCAL``):

* ``LOCAL``: the project the app edits, offline for days;
* ``.LOCAL.sync/base.gpkg``: the shared project as it was at the last sync (the common ancestor);
* ``.LOCAL.sync/state.json``: the shared project's path, the user, the shared snapshot's fingerprint
  and the number of the last change-log entry the base holds and, while a sync is under way, which
  stage it reached.

The shared project is a snapshot GeoPackage plus a log of small changeset files (see
:mod:`gridwatch.sync.sharelog`).  A sync: diff base -> LOCAL with pygeodiff (only the tables changed
on either side); refuse what the user's role may not change (those edits stay on the laptop); take
the shared lock; read the log entries others added since the base; rebase our changes onto theirs
(pygeodiff, column by column) and add this sync's ``sync_log`` row; write the result as the next log
entry (temp file, fsync, rename, after checking the lock is still ours); then bring LOCAL and the base
up to date by applying changesets.  When changesets alone cannot decide (a same-field conflict, a row
renumbered into another's place, a refused edit, a snapshot replaced since the last sync) the full
merge runs on files: the shared state rebuilt locally, pygeodiff rebase, the domain rules settle
each conflict and record the overridden value in ``sync_conflict``; its difference from the shared
state is again one log entry.  Now and then a sync folds the log into the snapshot (compaction).
The laptop never opens a shared file as a SQLite database: it copies, adds or replaces whole files.

Crash safety: what a sync sends is kept in the sync folder and the stage is written to
``state.json`` before the entry is written, so a sync killed at any moment is finished (or cleanly
redone) by the next one; the shared project is always exactly before or exactly after.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import os
import shutil
import socket
import sqlite3
import tempfile
import uuid as _uuid
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..errors import Cancelled, GridWatchError, StorageError, SyncError
from ..domain.lifecycle import ASSIGNMENT_STATES, FINDING_STATES
from ..storage.gpkg import (connect_readwrite, fsync_dir, fsync_file, gpkg_datetime, quote_ident, sqlite_tables,
                             transaction)
from ..storage.project import check_project
from ..tasks import CancelToken, ProgressCallback, Steps
from . import sharelog
from .lock import STALE_AFTER_SECONDS, SharedLock

STATE_VERSION = 1


def sync_dir(local: Path) -> Path:
    return local.with_name("." + local.name + ".sync")


@dataclass
class SyncReport:
    """What a sync did, for the summary dialog and the CLI."""

    sent: int = 0
    received: int = 0
    conflicts: int = 0
    refused: int = 0
    messages: list[str] = field(default_factory=list)
    recovered: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        text = (f"sent {self.sent} change(s), received {self.received}, {self.conflicts} conflict(s) settled, "
                f"{self.refused} refused")
        return text + ("; finished an interrupted sync first" if self.recovered else "")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- small file helpers -------------------------------------------------------------------------


def _fingerprint(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _copy_durably(src: Path, dst: Path) -> None:
    """Copy ``src`` to ``dst`` through a temp file beside ``dst``, fsynced, then moved into place."""
    fd, tmp_name = tempfile.mkstemp(prefix="." + dst.name + ".", suffix=".tmp", dir=dst.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(src, tmp)
        fsync_file(tmp)
        os.replace(tmp, dst)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(dst.parent)


def _discard(db: Path) -> None:
    """Delete a working database with its journal: a journal left by a killed sync would otherwise be
    taken for the hot journal of the next file of that name and "rolled back" into it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def _snapshot(src: Path, dst: Path) -> None:
    """A consistent copy of a project that may be open in the app.

    The copy is made while holding a read transaction: in rollback-journal mode no writer can
    commit meanwhile, so the bytes are one consistent state (a plain copy is several times faster
    than SQLite's page-by-page backup).  If the file cannot be read that way (a hot journal left by
    a crash), SQLite's backup API is used instead.
    """
    try:
        with closing(sqlite3.connect(f"file:{src}?mode=ro", uri=True, isolation_level=None)) as s:
            s.execute("BEGIN")
            s.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            shutil.copyfile(src, dst)
            s.execute("COMMIT")
        return
    except sqlite3.Error:
        pass
    with closing(sqlite3.connect(src)) as s, closing(sqlite3.connect(dst)) as d:
        s.backup(d)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    fsync_file(tmp)
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _load_state(local: Path) -> dict:
    path = sync_dir(local) / "state.json"
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SyncError(f"{local}: not a working copy of a shared project; check one out first "
                        "(gridwatch checkout SHARED LOCAL --user NAME)") from None
    except ValueError as exc:
        raise SyncError(f"{path}: sync state is damaged ({exc}); check the project out again") from None
    return state


def _geodiff():  # type: ignore[no-untyped-def]
    import pygeodiff

    return pygeodiff.GeoDiff()


def _geodiff_for(tables: Optional[set[str]]):  # type: ignore[no-untyped-def]
    """A pygeodiff context that compares only ``tables`` (all but the local tracking table if None)."""
    gd = _geodiff()
    if tables is None:
        gd.set_tables_to_skip([DIRTY_TABLE])
    else:
        gd.set_tables_to_include(sorted(tables - {DIRTY_TABLE}) or [SYNC_LOG])
    return gd


# --- change tracking: which tables a working copy changed since its last sync ----------------------

#: Local-only table filled by triggers: the tables edited since the last sync.  Diffing only those
#: (and the tables other syncs changed, from ``sync_log.tables_changed``) keeps a sync of a few
#: edits from comparing a million fire points row by row.
DIRTY_TABLE = "gridwatch_sync_dirty"
SYNC_LOG = "sync_log"


def _data_tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE table_name != ? ORDER BY 1",
                                      (DIRTY_TABLE,))]


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


def dirty_tables(path: Path) -> Optional[set[str]]:
    """Tables a working copy changed since its last sync, or None if it does not track them."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
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


def _their_tables(base: Path, theirs: Path) -> Optional[set[str]]:
    """Tables other syncs changed since our base (from their sync_log rows); None if unknown."""
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b:
        known = {r[0] for r in b.execute("SELECT uuid FROM sync_log")}
    out: set[str] = {SYNC_LOG}
    new = 0
    with closing(sqlite3.connect(f"file:{theirs}?mode=ro", uri=True)) as t:
        for uuid, tables in t.execute("SELECT uuid, tables_changed FROM sync_log"):
            if uuid in known:
                continue
            new += 1
            if not tables:
                return None
            out |= set(json.loads(tables))
    # The shared file changed without any sync recording it (edited directly, e.g. in QGIS):
    # nothing says which tables, so compare them all.
    return out if new else None


# --- check out ----------------------------------------------------------------------------------


def checkout(shared: os.PathLike[str] | str, local: os.PathLike[str] | str, user: str) -> Path:
    """Make ``local`` a working copy of ``shared`` for ``user`` (a person of the project).

    Raises SyncError when the shared project is missing or damaged, ``local`` exists, or the user
    is not an active person of the project.
    """
    sp, lp = Path(shared).resolve(), Path(local).resolve()
    if not sp.is_file():
        raise SyncError(f"{sp}: shared project not found; is the shared folder reachable?")
    if lp.exists():
        raise SyncError(f"{lp}: exists already; choose another name for the working copy")
    if not lp.parent.is_dir():
        raise SyncError(f"{lp.parent}: folder does not exist")
    folder = sync_dir(lp)
    folder.mkdir(exist_ok=True)
    base = folder / "base.gpkg"
    work = Path(tempfile.mkdtemp(prefix="checkout-", dir=folder))
    try:
        with SharedLock(sp, user, wait_seconds=60.0):
            fingerprint = _fingerprint(sp)
            log = sharelog.entries(sp)
            _copy_durably(sp, base)
            if _fingerprint(sp) != fingerprint:
                raise SyncError(f"{sp}: the shared project changed while it was copied; try again")
            meta = check_project(base)
            if meta.get("schema_version") != _current_schema():
                raise SyncError(f"{sp}: the shared project has schema {meta.get('schema_version')}; an administrator "
                                "must open it with this GridWatch to upgrade it first")
            sharelog.apply_entries(base, sharelog.missing_from(base, log), work)
            fsync_file(base)
        _person(base, user)
    except GridWatchError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _copy_durably(base, lp)
    install_tracking(lp)
    _clear_dirty(lp)
    _write_json(folder / "state.json", {"version": STATE_VERSION, "shared": str(sp), "user": user,
                                        "fingerprint": fingerprint, "seq": sharelog.head(log),
                                        "checked_out": _now_text(), "last_sync": None, "pending": None})
    return lp


def _current_schema() -> str:
    from ..storage.schema import SCHEMA_VERSION

    return str(SCHEMA_VERSION)


def _now_text() -> str:
    return gpkg_datetime(_dt.datetime.now(_dt.timezone.utc))


def _person(path: Path, name: str) -> dict[str, Any]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        row = con.execute("SELECT uuid, name, role FROM inspector WHERE name = ? AND (active IS NULL OR active = 1)",
                          (name,)).fetchone()
        if row is None:
            raise SyncError(f"{path}: nobody called {name!r} is an active person of this project")
        cells = {r[0] for r in con.execute("SELECT code FROM grid_cell WHERE inspector_uuid = ?", (row[0],))}
    return {"uuid": row[0], "name": row[1], "role": row[2], "cells": cells}


# --- what a change is, and whether the role may make it --------------------------------------------


@dataclass
class Change:
    table: str
    kind: str  # insert / update / delete
    fid: int
    values: dict[str, Any]  # insert: new row; update: new values of changed columns; delete: old row
    old: dict[str, Any]  # update: old values of the changed columns


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute("PRAGMA table_info(" + quote_ident(table, sqlite_tables(con)) + ")")]


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


def changes_of(diff: Path, columns_from: Path, work: Path) -> list[Change]:
    """The changes of a pygeodiff changeset as :class:`Change` records (column names read from
    ``columns_from``, a project with the same tables)."""
    entries = _diff_entries(diff, work)
    out = []
    with closing(sqlite3.connect(f"file:{columns_from}?mode=ro", uri=True)) as con:
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


#: Tables nobody but an administrator changes: the grid of responsibility and its people.
ADMIN_TABLES = {"township", "village", "grid_cell", "inspector"}
#: What an inspector may change in a task they were assigned.
INSPECTOR_TASK_COLUMNS = {"status", "started_at", "finished_at", "updated_at", "result", "status_note"}
#: Finding columns a verification (by another inspector) touches.
VERIFY_COLUMNS = {"status", "verify_note", "verified_by", "verified_at", "reject_reason", "reject_count", "updated_at"}


def _row(con: sqlite3.Connection, table: str, fid: int) -> Optional[dict[str, Any]]:
    cur = con.execute("SELECT * FROM " + quote_ident(table, sqlite_tables(con)) + " WHERE fid = ?", (fid,))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))


def _fid_uuid(con: sqlite3.Connection, table: str) -> dict[int, str]:
    return dict(con.execute("SELECT fid, uuid FROM " + quote_ident(table, sqlite_tables(con))))


def _align_fids(base: Path, theirs: Path, merged: Path, work: Path, scope: Optional[set[str]]) -> Path:
    """The base to rebase from, with rows moved where the shared file reused their fid.

    pygeodiff matches rows by fid.  When a row was deleted on the shared side and another row was
    renumbered into its fid, it would take "row X became row Z" for an update and put this laptop's
    edits of X into Z.  Here X moves to a fresh fid in a copy of the base and in the merged file, so
    pygeodiff sees a delete of X (against our edit: recorded as a conflict) and an insert of Z.
    """
    moves: dict[str, list[tuple[int, str]]] = {}
    tops: dict[str, int] = {}
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b, \
            closing(sqlite3.connect(f"file:{theirs}?mode=ro", uri=True)) as t, \
            closing(sqlite3.connect(f"file:{merged}?mode=ro", uri=True)) as m:
        for table in _data_tables(b):
            if (scope is not None and table not in scope) or "uuid" not in _columns(b, table):
                continue
            bt, tt, mt = _fid_uuid(b, table), _fid_uuid(t, table), _fid_uuid(m, table)
            bad = [(f, u) for f, u in bt.items() if (f in tt and tt[f] != u) or (f in mt and mt[f] != u)]
            if bad:
                moves[table] = bad
                tops[table] = max([0, *bt, *tt, *mt])
    if not moves:
        return base
    aligned = work / "base-aligned.gpkg"
    shutil.copyfile(base, aligned)
    for path in (aligned, merged):
        with closing(connect_readwrite(path)) as con, transaction(con):
            names = sqlite_tables(con)
            for table, rows in moves.items():
                qt = quote_ident(table, names)
                for k, (f, u) in enumerate(rows, 1):
                    con.execute("UPDATE " + qt + " SET fid = ? WHERE uuid = ? AND fid = ?", (tops[table] + k, u, f))
    return aligned


def _row_by_uuid(con: sqlite3.Connection, table: str, uuid: str) -> Optional[dict[str, Any]]:
    cur = con.execute("SELECT * FROM " + quote_ident(table, sqlite_tables(con)) + " WHERE uuid = ?", (uuid,))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))


def refusal(change: Change, person: dict[str, Any], base: sqlite3.Connection, ours: sqlite3.Connection) -> str:
    """Why ``person`` may not make ``change`` ('' if they may)."""
    role, t = person["role"], change.table
    if role == "admin":
        return ""
    if t in ("sync_conflict", "sync_log") and change.kind != "insert":
        return "" if role == "supervisor" and t == "sync_conflict" else f"only a supervisor reviews {t}"
    if t in ADMIN_TABLES:
        return f"only an administrator may change {t}"
    if role == "supervisor":
        return ""
    # inspectors
    # ownership is judged on the row as it was (an edit may not move a row into the user's cells)
    row = (_row(base, t, change.fid) if change.kind != "insert" else _row(ours, t, change.fid)) or {}
    cells = person["cells"]
    if t == "audit_log":
        return "" if change.kind == "insert" else "the audit log cannot be changed"
    if t == "assignment":
        if change.kind != "update" or row.get("assignee_uuid") != person["uuid"]:
            return "inspectors only work on tasks assigned to them"
        extra = set(change.values) - INSPECTOR_TASK_COLUMNS
        return "" if not extra else f"inspectors may not change {', '.join(sorted(extra))} of a task"
    if t == "inspection":
        return "" if row.get("inspector_uuid") == person["uuid"] or row.get("cell_code") in cells else \
            "inspections are recorded by their inspector"
    if t == "finding":
        if row.get("cell_code") in cells or row.get("found_by") == person["uuid"]:
            return ""
        if change.kind == "update" and set(change.values) <= VERIFY_COLUMNS:
            return ""  # another inspector's verification
        return f"finding in cell {row.get('cell_code')}, not one of {person['name']}'s cells"
    if t == "attachment":
        if row.get("added_by") == person["uuid"]:
            return ""
        return "photos are changed only by whoever added them"
    if t == "fire_point":
        if change.kind == "update" and set(change.values) <= {"status", "check_uuid"} and row.get("cell_code") in cells:
            return ""
        return "inspectors only record check results of fire points in their cells"
    if t == "sync_conflict":
        return "conflicts are recorded by the sync itself"
    if t == "sync_log":
        return ""
    return f"inspectors may not change {t}"


def _revert(ours: sqlite3.Connection, base: sqlite3.Connection, change: Change) -> None:
    """Undo one change in ``ours`` (a copy): back to the base row."""
    tables = sqlite_tables(ours)
    qt = quote_ident(change.table, tables)
    if change.kind == "insert":
        ours.execute("DELETE FROM " + qt + " WHERE fid = ?", (change.fid,))
        return
    row = _row(base, change.table, change.fid)
    if row is None:
        return
    cols = _columns(ours, change.table)
    if change.kind == "update":
        names = [k for k in change.values if k in cols and k != "fid"]
        ours.execute("UPDATE " + qt + " SET " + ", ".join(quote_ident(k, cols) + " = ?" for k in names)
                     + " WHERE fid = ?", [row[k] for k in names] + [change.fid])
    else:
        names = [k for k in row if k in cols]
        ours.execute("INSERT INTO " + qt + " (" + ", ".join(quote_ident(k, cols) for k in names) + ") VALUES ("
                     + ", ".join("?" for _ in names) + ")", [row[k] for k in names])


# --- conflicts --------------------------------------------------------------------------------------

_TASK_RANK = {"assigned": 0, "in_progress": 1, "done": 2, "cancelled": 2}
_FINDING_RANK = {s: i for i, s in enumerate(FINDING_STATES)}
_FIRE_RANK = {"unverified": 0}
assert set(_TASK_RANK) == set(ASSIGNMENT_STATES)


def _json_value(v: Any) -> str:
    if isinstance(v, (bytes, bytearray, memoryview)):
        return json.dumps({"base64": base64.b64encode(bytes(v)).decode("ascii")})
    return json.dumps(v, ensure_ascii=False)


def _winner(table: str, ours: dict[str, Any], theirs: dict[str, Any], columns: list[str]) -> tuple[str, str]:
    """``("ours"|"theirs", rule)`` for a row both sides changed in ``columns``."""
    if "status" in columns and table in ("finding", "assignment", "fire_point"):
        rank = {"finding": _FINDING_RANK, "assignment": _TASK_RANK}.get(table)
        a, b = ours.get("status"), theirs.get("status")
        if rank is None:  # fire points: a check result beats unverified
            ra, rb = int(a != "unverified"), int(b != "unverified")
        else:
            ra, rb = rank.get(a, -1), rank.get(b, -1)
        if ra != rb:
            return ("ours" if ra > rb else "theirs"), "status only moves forward"
    ua, ub = ours.get("updated_at"), theirs.get("updated_at")
    if isinstance(ua, str) and isinstance(ub, str) and ua != ub:
        return ("ours" if ua > ub else "theirs"), "the later edit wins"
    return "ours", "the edit synced last wins"


def _last_editor(con: sqlite3.Connection, row_uuid: Optional[str]) -> str:
    if not row_uuid:
        return ""
    r = con.execute("SELECT user_name FROM audit_log WHERE row_uuid = ? ORDER BY at DESC LIMIT 1",
                    (row_uuid,)).fetchone()
    return r[0] if r else ""


def settle_conflicts(conflict_file: Path, merged: Path, ours: Path, theirs: Path, user: str,
                     sync_uuid: str, base: Optional[Path] = None) -> int:
    """Apply the domain rules to pygeodiff's conflicts and record every overridden value.

    Same-field conflicts are settled column by column (the later edit wins), except a lifecycle
    step against another: then the step further along wins as a whole (its status with the notes,
    people and times that came with it), and every value of the losing step is recorded.
    """
    if not conflict_file.exists():
        return 0
    entries = json.loads(conflict_file.read_text(encoding="utf-8")).get("geodiff", [])
    if not entries:
        return 0
    stamp = _now_text()
    n = 0
    with closing(connect_readwrite(merged)) as m, \
            closing(sqlite3.connect(f"file:{ours}?mode=ro", uri=True)) as o, \
            closing(sqlite3.connect(f"file:{theirs}?mode=ro", uri=True)) as t, \
            closing(sqlite3.connect(f"file:{base or theirs}?mode=ro", uri=True)) as b:
        with transaction(m):
            tables = sqlite_tables(m)
            for e in entries:
                table = e["table"]
                fid = int(e["fid"])
                cols = _columns(m, table)
                changed = [cols[c["column"]] for c in e.get("changes", [])]
                # The fid names the row in the common base; the other files may hold another row under
                # that number (a delete on one side, an insert renumbered into its place): match by uuid.
                anchor = _row(b, table, fid) or _row(o, table, fid) or {}
                row_uuid = anchor.get("uuid")
                if row_uuid is not None and "uuid" in cols:
                    row_o, row_t, row_m = (_row_by_uuid(o, table, row_uuid), _row_by_uuid(t, table, row_uuid),
                                           _row_by_uuid(m, table, row_uuid))
                else:
                    row_o, row_t, row_m = _row(o, table, fid), _row(t, table, fid), _row(m, table, fid)
                mine, other = f"{user} (this sync)", _last_editor(t, row_uuid) or "shared project"
                at_fid = _row(m, table, fid)
                if row_uuid is not None and at_fid is not None and at_fid.get("uuid") != row_uuid:
                    # pygeodiff saw "their delete + an insert renumbered into this fid" as an update
                    # of one row and put our values into the other row: give that row back its own
                    own = _row_by_uuid(t, table, at_fid["uuid"]) if "uuid" in cols else None
                    if own is not None:
                        names = [c for c in changed if c != "fid" and at_fid.get(c) != own.get(c)]
                        if names:
                            m.execute("UPDATE " + quote_ident(table, tables) + " SET "
                                      + ", ".join(quote_ident(c, cols) + " = ?" for c in names) + " WHERE fid = ?",
                                      [own[c] for c in names] + [fid])
                if row_m is None or row_o is None or row_t is None:
                    # an update met a delete: the delete stands; keep the edit visible
                    gone = row_o if row_t is None else row_t
                    for col in changed or ["*"]:
                        m.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, table, row_uuid, col,
                                                     None, _json_value((gone or {}).get(col)),
                                                     "deleted", mine if row_t is None else other,
                                                     "a delete wins over an edit", "open"))
                        n += 1
                    continue
                side, rule = _winner(table, row_o, row_t, changed)
                keep, lose = (row_o, row_t) if side == "ours" else (row_t, row_o)
                if rule == "status only moves forward":
                    # the whole losing step goes: every column it changed takes the winner's value
                    row_b = _row(b, table, fid) or {}
                    changed = sorted(set(changed) | {c for c in cols if c != "fid" and lose.get(c) != row_b.get(c)})
                names = [c for c in changed if c != "fid" and row_m.get(c) != keep.get(c)]
                if names:
                    m.execute("UPDATE " + quote_ident(table, tables) + " SET "
                              + ", ".join(quote_ident(c, cols) + " = ?" for c in names) + " WHERE fid = ?",
                              [keep[c] for c in names] + [row_m["fid"]])
                for col in changed:
                    if keep.get(col) == lose.get(col) or col in _BOOKKEEPING:
                        continue
                    m.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, table, row_uuid, col,
                                                 _json_value(keep.get(col)), _json_value(lose.get(col)),
                                                 mine if side == "ours" else other,
                                                 other if side == "ours" else mine, rule, "open"))
                    n += 1
    return n


def _record_deleted_edits(deleted: list[Change], theirs: Path, merged: Path, user: str, sync_uuid: str) -> int:
    """Our delete of a row someone else edited since our base: the delete stands (no deleted feature
    comes back), and each value of their edit is kept in ``sync_conflict`` so it is not lost unseen."""
    stamp = _now_text()
    n = 0
    with closing(sqlite3.connect(f"file:{theirs}?mode=ro", uri=True)) as t, closing(connect_readwrite(merged)) as m:
        with transaction(m):
            for c in deleted:
                row_uuid = c.values.get("uuid")
                if not row_uuid or "uuid" not in _columns(t, c.table):
                    continue
                row_t = _row_by_uuid(t, c.table, row_uuid)
                if row_t is None or _row_by_uuid(m, c.table, row_uuid) is not None:
                    continue  # deleted there too, or the merge kept the row
                if m.execute("SELECT 1 FROM sync_conflict WHERE sync_uuid = ? AND row_uuid = ?",
                             (sync_uuid, row_uuid)).fetchone() is not None:
                    continue  # already recorded from pygeodiff's conflicts
                editor = _last_editor(t, row_uuid) or "shared project"
                for col, value in row_t.items():
                    if col == "fid" or col in _BOOKKEEPING or value == c.values.get(col):
                        continue
                    m.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, c.table, row_uuid, col, None,
                                                 _json_value(value), "deleted", editor,
                                                 "a delete wins over an edit", "open"))
                    n += 1
    return n


#: Columns that change with every edit: settled like the rest, not worth a reviewer's time.
_BOOKKEEPING = {"updated_at"}

_CONFLICT_INSERT = ("INSERT INTO sync_conflict (uuid, sync_uuid, at, table_name, row_uuid, column_name, kept_value, "
                    "other_value, kept_by, other_by, rule, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


# --- sync ---------------------------------------------------------------------------------------------


#: A sync folds the shared change log into the snapshot GeoPackage when the log holds more entries
#: than this (0: after every sync).  Between compactions a sync writes one small file to the share.
COMPACT_AFTER = 32


@dataclass
class _Ours:
    """This laptop's changes since its base."""

    changes: list[Change]
    refused: list[Change]
    local_fingerprint: list[int]
    diff: Optional[Path] = None  # quick: the base -> LOCAL changeset (nothing refused)
    file: Optional[Path] = None  # full: a snapshot of LOCAL with the refused edits taken out
    tables: Optional[set[str]] = None  # the tables compared (None: all), read from the state diffed
    counter: Optional[int] = None  # quick: LOCAL's SQLite change counter when it was diffed


def _scope(dirty: Optional[set[str]], person: dict[str, Any]) -> Optional[set[str]]:
    """The tables to compare: those the laptop's triggers marked (None: all).  Like the base, the
    tracking table lives on the laptop: role checks at sync stop mistakes, stale windows and scripts
    going through the API, not someone editing the files of their own laptop by hand (that takes a
    server, which GridWatch does without); comparing every table for inspectors would cost a full
    diff of a million fire points per sync and protect nothing the base does not already expose."""
    if dirty is not None and person["role"] != "admin":
        return dirty | ADMIN_TABLES  # grid and people: compared for everyone but administrators
    return dirty


def _heal(db: Path) -> None:
    """Roll back a journal left by a process killed while writing ``db`` (a read-only connection
    cannot, and would fail on the hot journal)."""
    if Path(str(db) + "-journal").exists() and db.exists():
        with closing(sqlite3.connect(db, timeout=10.0)) as con:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()


def _quick_changes(lp: Path, base: Path, work: Path, person: dict[str, Any]) -> Optional[_Ours]:
    """Diff base -> LOCAL without copying LOCAL: None if an edit landed meanwhile (three tries) or
    the role refuses something (then the full path with a snapshot takes over).  The tables to
    compare are read between the same two fingerprints as the diff, so they describe that state."""
    for _ in range(3):
        fp, counter = _fingerprint(lp), _change_counter(lp)
        tables = _scope(dirty_tables(lp), person)
        diff = work / "ours.diff"
        diff.unlink(missing_ok=True)
        with _geodiff_tmp(work):
            _geodiff_for(tables).create_changeset(str(base), str(lp), str(diff))
        changes = changes_of(diff, base, work)
        with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b, \
                closing(sqlite3.connect(f"file:{lp}?mode=ro", uri=True)) as o:
            if any(refusal(c, person, b, o) for c in changes):
                return None
        if _fingerprint(lp) == fp and _change_counter(lp) == counter:
            return _Ours(changes, [], fp, diff=diff, tables=tables, counter=counter)
    return None


def _full_changes(lp: Path, base: Path, folder: Path, work: Path, person: dict[str, Any],
                  report: SyncReport) -> _Ours:
    """Snapshot LOCAL into the sync folder, diff it, and take out what the role may not change."""
    ours = folder / "pending.gpkg"
    _discard(ours)
    _discard(folder / "pending-sent.gpkg")
    local_fp = _fingerprint(lp)  # before the copy: an edit made meanwhile shows as a change
    _snapshot(lp, ours)
    tables = _scope(dirty_tables(ours), person)  # from the snapshot: the state that is diffed
    changes = list_changes(base, ours, work, tables)
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b, closing(connect_readwrite(ours)) as o:
        reasons = [(c, refusal(c, person, b, o)) for c in changes]
        refused = [c for c, why in reasons if why]
        if refused:
            with transaction(o):
                for c in refused:
                    _revert(o, b, c)
            for c, why in reasons:
                if why and len(report.messages) < 20:
                    report.messages.append(f"refused: {c.kind} in {c.table}: {why}")
    return _Ours(changes, refused, local_fp, file=ours, tables=tables)


def _concat(parts: list[Path], out: Path) -> Optional[Path]:
    parts = [p for p in parts if p is not None and p.exists() and _geodiff().has_changes(str(p))]
    if not parts:
        return None
    if len(parts) == 1:
        shutil.copyfile(parts[0], out)
    else:
        _geodiff().concat_changes([str(p) for p in parts], str(out))
    return out


def _their_summary(theirs: Optional[Path], base: Path, work: Path,
                   our_deletes: frozenset[tuple[str, int]] = frozenset()) -> tuple[bool, int, int]:
    """(safe for the quick path, changes others sent, highest sync_log fid) of the incoming changes.

    Not safe either: a row we deleted that others edited (the delete wins, and the full merge
    records the edit it overrides).

    Not safe: a row whose uuid changed under the same fid (a row deleted and another renumbered into
    its place): pygeodiff would take it for one row, so the full merge (which moves such rows apart)
    handles it."""
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b:
        top = b.execute("SELECT COALESCE(MAX(fid), 0) FROM sync_log").fetchone()[0]
        if theirs is None:
            return True, 0, top
        uuid_col: dict[str, Optional[int]] = {}
        log_cols = _columns(b, SYNC_LOG)
        received = 0
        for e in _diff_entries(theirs, work):
            t = e["table"]
            if t not in uuid_col:
                cols = _columns(b, t) if t in sqlite_tables(b) else []
                uuid_col[t] = cols.index("uuid") if "uuid" in cols else None
            if e["type"] == "update" and uuid_col[t] is not None and any(
                    c["column"] == uuid_col[t] for c in e["changes"]):
                return False, 0, top
            if e["type"] == "update" and our_deletes:
                pk = next((c.get("old", c.get("new")) for c in e["changes"] if c["column"] == 0), None)
                if pk is not None and (t, int(pk)) in our_deletes:
                    return False, 0, top
            if t == SYNC_LOG and e["type"] == "insert":
                row = {log_cols[c["column"]]: c.get("new") for c in e["changes"]}
                received += int(row.get("sent") or 0)
                top = max(top, int(row["fid"]))
    return True, received, top


def _log_row_changeset(base: Path, work: Path, fid: int, row: dict[str, Any]) -> Path:
    """A changeset that inserts one sync_log row (made by diffing two one-table databases)."""
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b:
        create = b.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (SYNC_LOG,)).fetchone()[0]
        cols = _columns(b, SYNC_LOG)
    before, after = work / "log-before.sqlite", work / "log-after.sqlite"
    for p in (before, after):
        _discard(p)
        with closing(sqlite3.connect(p)) as con:
            con.execute(create)
            con.commit()
    names = ["fid", *[k for k in row if k in cols and k != "fid"]]
    with closing(sqlite3.connect(after)) as con:
        con.execute("INSERT INTO " + SYNC_LOG + " (" + ", ".join(quote_ident(n, cols) for n in names) + ") VALUES ("
                    + ", ".join("?" for _ in names) + ")", [fid, *[row[n] for n in names[1:]]])
        con.commit()
    out = work / "log-row.diff"
    _geodiff().create_changeset(str(before), str(after), str(out))
    return out


def _log_row(sync_uuid: str, user: str, report: SyncReport, tables: set[str]) -> dict[str, Any]:
    return {"uuid": sync_uuid, "at": _now_text(), "user_name": user, "host": socket.gethostname(),
            "sent": report.sent, "received": report.received, "conflicts": report.conflicts,
            "refused": report.refused, "details": "; ".join(report.messages[:5]) or None,
            "tables_changed": json.dumps(sorted(tables))}


def sync(
    local: os.PathLike[str] | str,
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    lock_wait: float = 60.0,
    stale_after: float = STALE_AFTER_SECONDS,
    compact_after: Optional[int] = None,
) -> SyncReport:
    """Sync the working copy ``local`` with its shared project (see the module docstring).

    Raises
    ------
    SyncError
        The shared folder is unreachable, another sync holds the lock, a file is damaged; the
        laptop's edits are untouched and the next sync picks up from here.
    Cancelled
        Cancelled before anything was sent.
    """
    import time

    t0 = time.perf_counter()
    lp = Path(local).resolve()
    folder = sync_dir(lp)
    state = _load_state(lp)
    shared = Path(state["shared"])
    report = SyncReport()
    steps = Steps(progress, cancel, [("check", 1), ("lock", 1), ("download", 3), ("merge", 3), ("upload", 3),
                                     ("finish", 2)])
    steps.start("check", "checking local edits")
    for old in folder.glob("work-*"):
        shutil.rmtree(old, ignore_errors=True)
    work = folder / f"work-{_uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        for db in (lp, folder / "base.gpkg"):
            _heal(db)
        if state.get("pending"):
            _recover(lp, state, report)
        user = state["user"]
        base = folder / "base.gpkg"
        # who the user is and which cells are theirs: from the base (the shared project as last
        # synced), never from the laptop's own copy, where the role could have been edited
        person = _person(base, user)
        ours: Optional[_Ours] = None
        if state.get("seq") is not None:
            ours = _quick_changes(lp, base, work, person)
        if ours is None:
            ours = _full_changes(lp, base, folder, work, person, report)
        steps.report(1.0)

        steps.start("lock", "waiting for the shared project")
        if not shared.exists():
            raise SyncError(f"{shared}: shared project not reachable; your edits are safe on this laptop, "
                            "sync again when the shared folder is back")
        with SharedLock(shared, user, wait_seconds=lock_wait, stale_after=stale_after, cancel=cancel) as lock:
            steps.start("download", "reading the shared project")
            snap_fp = _fingerprint(shared)
            log = sharelog.entries(shared)
            seq = state.get("seq")
            new = [e for e in log if seq is not None and e.seq > seq]
            # the base is the snapshot we knew plus every entry up to ``seq``: still true if the snapshot
            # was not replaced since (a compaction or someone writing it directly) and no entry is missing
            in_step = seq is not None and snap_fp == state.get("fingerprint") and \
                [e.seq for e in new] == list(range(seq + 1, seq + 1 + len(new)))
            quick = None
            if ours.diff is not None and in_step:
                quick = _prepare_quick(base, ours, new, work, user, report, lp, steps)
            if quick is None:
                if ours.file is None:  # the quick path gave up: snapshot now, under the lock
                    ours = _full_changes(lp, base, folder, work, person, report)
                upload = _prepare_full(shared, base, ours, log, new, in_step, work, folder, user, report,
                                       ours.tables, steps)
                mode = "file"
            else:
                upload, mode = quick, "log"
            steps.report(1.0)
            if cancel is not None and cancel.cancelled:
                raise Cancelled("sync cancelled; nothing was sent")

            steps.start("upload", "writing the shared project")
            sync_uuid = upload["sync_uuid"]
            new_seq = sharelog.head(log) + 1
            fsync_dir(folder)
            state["pending"] = {"sync_uuid": sync_uuid, "stage": "uploading", "mode": mode,
                                "local_fingerprint": ours.local_fingerprint, "local_counter": ours.counter,
                                "report": report.to_dict(),
                                "fast": upload.get("fast", False), "seq": new_seq, "snapshot": snap_fp}
            _write_json(folder / "state.json", state)
            sharelog.append(shared, new_seq, sync_uuid, upload["changeset"], lock)
            steps._cancel = None  # the shared project has our changes: from here on, finish regardless
            state["seq"], state["fingerprint"] = new_seq, snap_fp
            state["pending"]["stage"] = "uploaded"
            _write_json(folder / "state.json", state)
        steps.start("finish", "updating this laptop")
        _finish_any(lp, state)
        _maybe_compact(shared, lp, state, COMPACT_AFTER if compact_after is None else compact_after,
                       stale_after)
        report.seconds = time.perf_counter() - t0
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _prepare_quick(base: Path, ours: _Ours, new: list[sharelog.Entry], work: Path, user: str,
                   report: SyncReport, lp: Path, steps: Steps) -> Optional[dict[str, Any]]:
    """Changesets only: rebase ours onto the entries others sent, add the sync_log row.  None when
    the full merge must decide (conflicts, rows renumbered into another's place)."""
    assert ours.diff is not None
    folder = sync_dir(lp)
    theirs = _concat(sharelog.fetch(new, work), work / "theirs.diff")
    steps.report(1.0)
    steps.start("merge", "merging")
    deletes = frozenset((c.table, c.fid) for c in ours.changes if c.kind == "delete")
    safe, received, top = _their_summary(theirs, base, work, deletes)
    if not safe:
        return None
    rebased = ours.diff
    if theirs is not None and _geodiff().has_changes(str(ours.diff)):
        rebased = work / "rebased.diff"
        conflicts = work / "quick-conflicts.json"
        gd = _geodiff()
        try:
            with _geodiff_tmp(work):
                gd.create_rebased_changeset_ex("sqlite", "", str(base), str(ours.diff), str(theirs), str(rebased),
                                               str(conflicts))
        except Exception:  # noqa: BLE001 - anything pygeodiff cannot rebase goes to the full merge
            return None
        if conflicts.exists() and json.loads(conflicts.read_text(encoding="utf-8") or "{}").get("geodiff"):
            return None
        if gd.changes_count(str(rebased)) != gd.changes_count(str(ours.diff)):
            return None
    report.received = received
    sync_uuid = str(_uuid.uuid4())
    tables = {c.table for c in ours.changes} | {SYNC_LOG}
    report.sent = len(ours.changes)
    row = _log_row_changeset(base, work, top + 1, _log_row(sync_uuid, user, report, tables))
    upload = _concat([rebased, row], work / "upload.diff")
    assert upload is not None
    # kept in the sync folder until the laptop is updated: a sync killed after the upload finishes from them
    for name, src in (("pending-ours.diff", ours.diff), ("pending-theirs.diff", theirs),
                      ("pending-up.diff", upload)):
        dst = folder / name
        dst.unlink(missing_ok=True)
        if src is not None:
            shutil.copyfile(src, dst)
            fsync_file(dst)
    return {"sync_uuid": sync_uuid, "changeset": folder / "pending-up.diff"}


def _prepare_full(shared: Path, base: Path, ours: _Ours, log: list[sharelog.Entry], new: list[sharelog.Entry],
                  in_step: bool, work: Path, folder: Path, user: str, report: SyncReport,
                  mine_tables: Optional[set[str]], steps: Steps) -> dict[str, Any]:
    """The whole merge on files: the shared state rebuilt locally, pygeodiff rebase, domain rules."""
    assert ours.file is not None
    if in_step and not new:
        theirs = base
    else:
        theirs = work / "theirs.gpkg"
        if in_step:
            shutil.copyfile(base, theirs)
            sharelog.apply_entries(theirs, new, work)
        else:  # the snapshot was replaced (compacted, or written directly): start from it
            shutil.copyfile(shared, theirs)
            _integrity(theirs, shared)
            sharelog.apply_entries(theirs, sharelog.missing_from(theirs, log), work)
        report.received = _received(base, theirs)
    steps.report(1.0)
    steps.start("merge", "merging")
    merged = ours.file
    sent_state = folder / "pending-sent.gpkg"
    fast = theirs == base and not ours.refused
    sent_view = merged
    if not fast:
        # keep what is sent, to put the laptop's refused or newer edits back on top afterwards
        shutil.copyfile(merged, sent_state)
        sent_view = sent_state
    sync_uuid = str(_uuid.uuid4())
    sent_tables = {c.table for c in ours.changes if not any(c is r for r in ours.refused)}
    theirs_tables: Optional[set[str]] = set()
    if theirs != base:
        conflicts = work / "conflicts.json"
        theirs_tables = _their_tables(base, theirs)
        scope = None if mine_tables is None or theirs_tables is None else mine_tables | theirs_tables
        rebase_from = _align_fids(base, theirs, merged, work, scope)
        with _geodiff_tmp(work):
            _geodiff_for(scope).rebase(str(rebase_from), str(theirs), str(merged), str(conflicts))
        report.conflicts = settle_conflicts(conflicts, merged, sent_view, theirs, user, sync_uuid, rebase_from)
        deleted = [c for c in ours.changes if c.kind == "delete" and not any(c is r for r in ours.refused)]
        if deleted:
            report.conflicts += _record_deleted_edits(deleted, theirs, merged, user, sync_uuid)
        if report.conflicts:
            sent_tables.add("sync_conflict")
    report.refused = len(ours.refused)
    report.sent = len(ours.changes) - len(ours.refused)
    _log_sync(merged, sync_uuid, user, report, sent_tables | {SYNC_LOG})
    _clear_dirty(merged)
    # what goes to the share: the merged file's difference from the shared state
    scope_up = None if mine_tables is None or theirs_tables is None else \
        mine_tables | theirs_tables | sent_tables | {SYNC_LOG, "sync_conflict"}
    upload = work / "upload.diff"
    with _geodiff_tmp(work):
        _geodiff_for(scope_up).create_changeset(str(theirs), str(merged), str(upload))
    fsync_file(merged)
    if not fast:
        fsync_file(sent_state)
    dst = folder / "pending-up.diff"
    shutil.copyfile(upload, dst)
    fsync_file(dst)
    return {"sync_uuid": sync_uuid, "changeset": dst, "fast": fast}


def _finish_any(lp: Path, state: dict) -> None:
    if state["pending"].get("mode") == "log":
        _finish_log(lp, state)
    else:
        _finish(lp, state)
    for name in ("pending-ours.diff", "pending-theirs.diff", "pending-up.diff"):
        (sync_dir(lp) / name).unlink(missing_ok=True)


def _finish_log(lp: Path, state: dict) -> None:
    """After a quick sync landed: apply (undo ours, theirs, what was sent) to LOCAL in one changeset,
    and (theirs, what was sent) to the base.  Each step is one transaction and is skipped when the
    file already holds this sync's log row, so a sync killed anywhere here finishes next time."""
    folder = sync_dir(lp)
    p = state["pending"]
    base = folder / "base.gpkg"
    ours, theirs, up = folder / "pending-ours.diff", folder / "pending-theirs.diff", folder / "pending-up.diff"
    theirs_or_none = theirs if theirs.exists() else None
    work = Path(tempfile.mkdtemp(prefix="finish-", dir=folder))
    try:
        import pygeodiff

        gd = _geodiff()
        if p["stage"] == "uploaded":
            done = sharelog.holds(lp, p["sync_uuid"])
            step: Optional[Path] = None
            recorded = p.get("local_counter")
            applied = -1
            if not done and _fingerprint(lp) == p["local_fingerprint"] and _change_counter(lp) == recorded:
                inverse: Optional[Path] = None
                if gd.has_changes(str(ours)):
                    inverse = work / "ours-inverse.diff"
                    gd.invert_changeset(str(ours), str(inverse))
                step = _concat([inverse, theirs_or_none, up], work / "local.diff")  # type: ignore[list-item]
                try:
                    if step is not None:
                        with _geodiff_tmp(work):
                            gd.apply_changeset(str(lp), str(step))
                    applied = _change_counter(lp)
                    done = True
                except pygeodiff.GeoDiffLibError:
                    done = False  # edited meanwhile after all: the row-by-row way below
            if done:
                # The tracking table is cleared only if nothing but our own apply wrote to LOCAL
                # (SQLite's file change counter counts write transactions): an edit made meanwhile,
                # or after an earlier run of this step was killed, keeps its tables marked.
                if step is not None and recorded is not None and applied == recorded + 1 \
                        and _clear_dirty_if(lp, applied):
                    # LOCAL is exactly the shared project now: the base may be refreshed by copying it
                    p["local_after"] = [*_fingerprint(lp), applied + 1]
            else:
                # The laptop was edited while the sync ran: rebuild the merged and sent files and let
                # the full finish replay the laptop's newer edits on top by uuid.
                pending, sent_state = folder / "pending.gpkg", folder / "pending-sent.gpkg"
                for f in (pending, sent_state):
                    _discard(f)
                    shutil.copyfile(base, f)
                with _geodiff_tmp(work):
                    if _geodiff().has_changes(str(ours)):
                        gd.apply_changeset(str(sent_state), str(ours))
                    if theirs_or_none is not None:
                        gd.apply_changeset(str(pending), str(theirs))
                    gd.apply_changeset(str(pending), str(up))
                p["mode"], p["fast"] = "file", False
                _write_json(folder / "state.json", state)
                _finish(lp, state)
                return
            p["stage"] = "local_done"
            _write_json(folder / "state.json", state)
        if not sharelog.holds(base, p["sync_uuid"]):
            step = _concat([theirs_or_none, up], work / "base.diff")  # type: ignore[list-item]
            assert step is not None
            if gd.changes_count(str(step)) < COPY_BASE_ABOVE or not _copy_base(lp, base, p, work):
                with _geodiff_tmp(work):
                    gd.apply_changeset(str(base), str(step))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    state["pending"] = None
    state["last_sync"] = _now_text()
    _write_json(folder / "state.json", state)


#: Above this many changes the base is refreshed by copying the just-updated LOCAL (one file copy)
#: instead of applying the changes a second time.
COPY_BASE_ABOVE = 2000


def _clear_dirty_if(db: Path, counter: int) -> bool:
    """Clear the tracking table if nothing wrote to ``db`` since its change counter was ``counter``;
    checked and cleared under SQLite's write lock, so no edit can slip in between."""
    with closing(connect_readwrite(db)) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            if _change_counter(db) != counter:
                con.execute("ROLLBACK")
                return False
            con.execute("DELETE FROM " + DIRTY_TABLE)
            con.execute("COMMIT")
            return True
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise


def _change_counter(db: Path) -> int:
    """SQLite's file change counter (header bytes 24-27): +1 for every committed write transaction."""
    with open(db, "rb") as fh:
        header = fh.read(28)
    return int.from_bytes(header[24:28], "big")


def _copy_base(lp: Path, base: Path, p: dict, work: Path) -> bool:
    """Make the base a copy of LOCAL, which equals the shared project right after the sync updated it:
    only if LOCAL is untouched since (its fingerprint then) and the copy holds this sync."""
    want = p.get("local_after")
    if want is None or [*_fingerprint(lp), _change_counter(lp)] != want:
        return False
    tmp = base.with_name("base-next.gpkg")
    _discard(tmp)
    _snapshot(lp, tmp)
    if _change_counter(tmp) != want[-1] or not sharelog.holds(tmp, p["sync_uuid"]):
        _discard(tmp)
        return False
    fsync_file(tmp)
    os.replace(tmp, base)
    fsync_dir(base.parent)
    return True


def _maybe_compact(shared: Path, lp: Path, state: dict, compact_after: int, stale_after: float) -> None:
    """Fold the change log into the snapshot when it grew long (skipped when someone else is syncing)."""
    try:
        if len(sharelog.entries(shared)) <= compact_after:
            return
        with SharedLock(shared, state["user"], wait_seconds=2.0, stale_after=stale_after) as lock:
            log = sharelog.entries(shared)
            if sharelog.head(log) != state.get("seq") or _fingerprint(shared) != state.get("fingerprint"):
                return  # someone synced since: our base is not the whole shared state any more
            state["fingerprint"] = sharelog.compact(shared, sync_dir(lp) / "base.gpkg", state["seq"], lock)
            _write_json(sync_dir(lp) / "state.json", state)
    except (SyncError, OSError):
        return  # the next sync compacts instead


def compact_shared(shared: os.PathLike[str] | str, *, user: str = "gridwatch compact",
                   lock_wait: float = 60.0) -> int:
    """Fold the shared change log into the snapshot GeoPackage (``gridwatch compact``): afterwards
    the shared file alone holds every sync, for QGIS or a backup.  Returns the entries folded in."""
    sp = Path(shared).resolve()
    if not sp.is_file():
        raise SyncError(f"{sp}: shared project not found; is the shared folder reachable?")
    with SharedLock(sp, user, wait_seconds=lock_wait) as lock:
        log = sharelog.entries(sp)
        if not log:
            return 0
        work = Path(tempfile.mkdtemp(prefix="gridwatch-compact-"))
        try:
            state = work / "state.gpkg"
            shutil.copyfile(sp, state)
            _integrity(state, sp)
            missing = sharelog.missing_from(state, log)
            if not missing:
                return 0
            sharelog.apply_entries(state, missing, work)
            sharelog.compact(sp, state, sharelog.head(log), lock)
            return len(missing)
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _integrity(copy: Path, shared: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as con:
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise SyncError(f"{shared}: the shared project is damaged ({exc}); nothing was changed") from exc
    if ok != "ok":
        raise SyncError(f"{shared}: the shared project is damaged ({ok}); nothing was changed")


def _received(base: Path, theirs: Path) -> int:
    """Changes others sent since our base: their syncs' logged counts (no second full diff)."""
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b:
        known = {r[0] for r in b.execute("SELECT uuid FROM sync_log")}
    with closing(sqlite3.connect(f"file:{theirs}?mode=ro", uri=True)) as t:
        rows = t.execute("SELECT uuid, sent FROM sync_log").fetchall()
    return int(sum((sent or 0) for uuid, sent in rows if uuid not in known))


def _log_sync(merged: Path, sync_uuid: str, user: str, report: SyncReport, tables: set[str]) -> None:
    with closing(connect_readwrite(merged)) as con, transaction(con):
        con.execute("INSERT INTO sync_log (uuid, at, user_name, host, sent, received, conflicts, refused, details, "
                    "tables_changed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (sync_uuid, _now_text(), user, socket.gethostname(), report.sent, report.received,
                     report.conflicts, report.refused, "; ".join(report.messages[:5]) or None,
                     json.dumps(sorted(tables))))


def _finish(lp: Path, state: dict) -> None:
    """After the shared file has our changes: LOCAL and the base become the merged project, keeping
    edits the sync refused and edits made on the laptop while it ran."""
    folder = sync_dir(lp)
    pending, sent_state = folder / "pending.gpkg", folder / "pending-sent.gpkg"
    p = state["pending"]
    if p["stage"] == "uploaded" and sharelog.holds(lp, p["sync_uuid"]):
        p["stage"] = "local_done"  # killed after the laptop was updated, before that was recorded
    if p["stage"] == "uploaded":
        unchanged = _fingerprint(lp) == p["local_fingerprint"] and p["report"]["refused"] == 0
        if unchanged and p.get("fast"):
            # nobody else synced: the laptop already holds everything but this sync's log row
            _copy_log_row(pending, lp, p["sync_uuid"])
            _clear_dirty(lp)
        elif unchanged:
            _copy_durably(pending, lp)
            install_tracking(lp)  # a merged file rebuilt from the base has no triggers yet
        else:
            if not sent_state.exists():  # a fast sync: what was sent is the merged file minus its log row
                _discard(sent_state)
                shutil.copyfile(pending, sent_state)
                with closing(connect_readwrite(sent_state)) as con, transaction(con):
                    con.execute("DELETE FROM sync_log WHERE uuid = ?", (p["sync_uuid"],))
            work = Path(tempfile.mkdtemp(prefix="finish-", dir=folder))
            try:
                mine = work / "local.gpkg"
                _snapshot(lp, mine)
                result = work / "result.gpkg"
                shutil.copyfile(pending, result)
                install_tracking(result)  # the replayed edits must be marked for the next sync
                # local = merged + (local - what was sent), replayed row by row by uuid: the merge may
                # have renumbered this laptop's new rows, so fids cannot be trusted here
                _replay_by_uuid(sent_state, mine, result, work)
                _copy_durably(result, lp)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        p["stage"] = "local_done"
        _write_json(folder / "state.json", state)
    if pending.exists():
        os.replace(pending, folder / "base.gpkg")
        fsync_dir(folder)
    # else: killed after the base was replaced, before the state was cleared: only that is left
    _discard(sent_state)
    state["pending"] = None
    state["last_sync"] = _now_text()
    _write_json(folder / "state.json", state)


def _replay_by_uuid(before: Path, after: Path, target: Path, work: Path) -> None:
    """Apply the edits ``before`` -> ``after`` to ``target``, finding rows by uuid, not by fid.

    Used to put back on the laptop what it holds beyond what was sent (refused edits, edits made
    while the sync ran or after it was killed).  Writing through the target's triggers marks the
    replayed tables as edited, so the next sync sends them.
    """
    changes = list_changes(before, after, work, None)
    if not changes:
        return
    with closing(sqlite3.connect(f"file:{before}?mode=ro", uri=True)) as b, \
            closing(sqlite3.connect(f"file:{after}?mode=ro", uri=True)) as a, \
            closing(connect_readwrite(target)) as t, transaction(t):
        names = sqlite_tables(t)
        for c in changes:
            if c.table not in names:
                continue
            cols = _columns(t, c.table)
            if "uuid" not in cols:
                continue  # only GridWatch's own tables are edited on a laptop, and all carry a uuid
            qt = quote_ident(c.table, names)
            if c.kind == "delete":
                row = _row(b, c.table, c.fid)
                if row is not None:
                    t.execute("DELETE FROM " + qt + " WHERE uuid = ?", (row["uuid"],))
                continue
            row = _row(a, c.table, c.fid)
            if row is None:
                continue
            exists = t.execute("SELECT 1 FROM " + qt + " WHERE uuid = ?", (row["uuid"],)).fetchone() is not None
            try:
                if c.kind == "insert" and not exists:
                    keys = [k for k in row if k != "fid" and k in cols]
                    t.execute("INSERT INTO " + qt + " (" + ", ".join(quote_ident(k, cols) for k in keys)
                              + ") VALUES (" + ", ".join("?" for _ in keys) + ")", [row[k] for k in keys])
                elif exists:
                    keys = [k for k in (c.values if c.kind == "update" else row)
                            if k not in ("fid", "uuid") and k in cols]
                    if keys:
                        t.execute("UPDATE " + qt + " SET " + ", ".join(quote_ident(k, cols) + " = ?" for k in keys)
                                  + " WHERE uuid = ?", [row[k] for k in keys] + [row["uuid"]])
            except sqlite3.IntegrityError as exc:
                # It clashes with a row that came from the shared project (a code used twice): keep the
                # edit visible in the conflicts table instead of failing every sync from now on.
                t.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), None, _now_text(), c.table, row["uuid"], "*", None,
                                             _json_value({k: v for k, v in row.items()
                                                          if not isinstance(v, (bytes, memoryview))}),
                                             None, "this laptop", f"could not be put back on this laptop ({exc})",
                                             "open"))
            # an update of a row deleted meanwhile: the delete stands (as in a sync's own merge)


class _geodiff_tmp:
    """pygeodiff names its temp files from an unseeded rand(): two syncs on one computer would share
    them.  Point its TMPDIR at this sync's own work folder while it runs."""

    def __init__(self, folder: Path) -> None:
        self.value = str(folder) + os.sep  # geodiff prepends TMPDIR without a separator
        self.old: Optional[str] = None

    def __enter__(self) -> None:
        self.old = os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = self.value

    def __exit__(self, *exc: object) -> None:
        if self.old is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = self.old


def _copy_log_row(src: Path, dst: Path, sync_uuid: str) -> None:
    with closing(sqlite3.connect(f"file:{src}?mode=ro", uri=True)) as s:
        cur = s.execute("SELECT * FROM sync_log WHERE uuid = ?", (sync_uuid,))
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
    with closing(connect_readwrite(dst)) as d, transaction(d):
        if d.execute("SELECT 1 FROM sync_log WHERE uuid = ?", (sync_uuid,)).fetchone() is None:
            cols = [r[1] for r in d.execute("PRAGMA table_info(sync_log)")]
            d.execute("INSERT INTO sync_log (" + ", ".join(quote_ident(n, cols) for n in names) + ") VALUES ("
                      + ", ".join("?" for _ in names) + ")", row)


def _recover(lp: Path, state: dict, report: SyncReport) -> None:
    """Finish or discard a sync that was interrupted (killed, crashed, share vanished)."""
    folder = sync_dir(lp)
    p = state["pending"]
    shared = Path(state["shared"])
    report.recovered = True
    if p["stage"] == "uploading":
        # Did our change reach the share?  Its log then holds our entry, or (compacted since) the
        # snapshot holds our sync's log row.
        if not shared.exists():
            raise SyncError(f"{shared}: shared project not reachable; an interrupted sync will be finished when it "
                            "is back (your edits are safe on this laptop)")
        landed = sharelog.find(sharelog.entries(shared), p["sync_uuid"]) is not None
        if not landed:
            work = Path(tempfile.mkdtemp(prefix="recover-", dir=folder))
            try:
                copy = work / "shared.gpkg"
                shutil.copyfile(shared, copy)
                landed = sharelog.holds(copy, p["sync_uuid"])
            except sqlite3.DatabaseError:
                landed = False
            finally:
                shutil.rmtree(work, ignore_errors=True)
        if not landed:
            for name in ("pending.gpkg", "pending-sent.gpkg"):
                _discard(folder / name)
            for name in ("pending-ours.diff", "pending-theirs.diff", "pending-up.diff"):
                (folder / name).unlink(missing_ok=True)
            state["pending"] = None
            _write_json(folder / "state.json", state)
            return
        p["stage"] = "uploaded"
        if "seq" in p:
            state["seq"], state["fingerprint"] = p["seq"], p.get("snapshot")
        else:  # written by an older GridWatch that replaced the whole shared file
            state["seq"], state["fingerprint"] = None, None
        _write_json(folder / "state.json", state)
    _finish_any(lp, state)
    if not (folder / "base.gpkg").exists():
        raise StorageError(f"{lp}: sync base missing after recovery; check the project out again")
