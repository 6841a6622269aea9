"""The laptop's working copy while it syncs: one sync at a time, and its file updated in place.

The working copy is a live database: the app, a second window or a script may write to it while
its sync runs.  So a sync

* holds a local lock (``.LOCAL.sync/sync.lock``, an OS file lock that dies with its process): a
  second sync of the same copy waits for the first, or says clearly that one is running;
* never replaces the working copy's file (a program that has it open would go on writing into the
  replaced file, and lose those edits).  It writes the rows the sync changed into the file itself,
  in one transaction, after checking under SQLite's write lock that nothing was committed since the
  state it merged: an edit is either in what the sync merged, or committed after and kept for the
  next sync.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import time
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import SyncError
from ..storage.filehead import change_counter, read_head
from ..storage.gate import sqlite_writing
from ..storage.gpkg import connect_readwrite, quote_ident, rows_by_fid, sqlite_tables
from .history import DIRTY_TABLE, ro_uri

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the lock file is created exclusively instead
    fcntl = None  # type: ignore[assignment]


def sync_folder(local: Path) -> Path:
    return local.with_name("." + local.name + ".sync")


class WorkingCopyLock:
    """``with WorkingCopyLock(local):`` one sync of a working copy at a time on this computer."""

    def __init__(self, local: Path, *, wait_seconds: float = 60.0, cancel: Any = None) -> None:
        self.path = sync_folder(Path(local)) / "sync.lock"
        self.wait_seconds = wait_seconds
        self.cancel = cancel
        self.fd: Optional[int] = None

    def _holder(self) -> str:
        try:
            held = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return ""
        return f" (process {held.get('pid', '?')} on {held.get('host', '?')} since {held.get('since', '?')})"

    def acquire(self) -> None:
        self.path.parent.mkdir(exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if self.cancel is not None and getattr(self.cancel, "cancelled", False):
                    os.close(fd)
                    from ..errors import Cancelled

                    raise Cancelled("sync cancelled while another sync of this working copy was running") from None
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise SyncError(f"{self.path.parent.parent}: a sync of this working copy is already running"
                                    f"{self._holder()}; wait for it to finish") from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "since": time.strftime("%Y-%m-%d %H:%M:%S")}).encode("utf-8"))
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            try:
                os.ftruncate(self.fd, 0)
            except OSError:
                pass
            os.close(self.fd)  # closing the descriptor releases the OS lock
            self.fd = None

    def __enter__(self) -> "WorkingCopyLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class Header:
    """A database's change counter, read again and again (:func:`~gridwatch.storage.filehead.change_counter`:
    read without closing a descriptor of the file while locks of this process are on it)."""

    def __init__(self, db: Path) -> None:
        self.db = db
        read_head(db, 28)  # a file that cannot be read says so here

    def counter(self) -> int:
        return change_counter(self.db)

    def close(self) -> None:
        """Nothing to close: the descriptor stays with :mod:`gridwatch.storage.filehead`."""


def consistent_copy(src: Path, dst: Path) -> None:
    """A consistent copy of a database other programs may be writing, made through SQLite (its backup
    API reads under a read lock and starts over if a writer commits meanwhile).  A plain file copy
    would close a descriptor of the file, which drops this process's SQLite locks on it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    with closing(sqlite3.connect(ro_uri(src), uri=True, timeout=30.0)) as s, closing(sqlite3.connect(dst)) as d:
        s.backup(d)


def _rows(con: sqlite3.Connection, table: str, fids: list[int]) -> dict[int, dict[str, Any]]:
    return {row["fid"]: row for row in rows_by_fid(con, table, fids, sqlite_tables(con))}


def write_rows(con: sqlite3.Connection, changes: list[tuple[str, str, int]], source: Path) -> None:
    """Make the rows named by ``changes`` ((table, insert|update|delete, fid), a diff of the file behind
    ``con`` to ``source``) what they are in ``source``.  The caller holds the transaction."""
    names = sqlite_tables(con)
    by_table: dict[str, list[tuple[str, int]]] = {}
    for table, kind, fid in changes:
        by_table.setdefault(table, []).append((kind, fid))
    with closing(sqlite3.connect(ro_uri(source), uri=True)) as src:
        for table, items in by_table.items():
            qt = quote_ident(table, names)
            cols = [r[1] for r in con.execute("PRAGMA table_info(" + qt + ")")]
            wanted = _rows(src, table, [f for k, f in items if k != "delete"])
            here = _rows(con, table, [f for k, f in items if k == "update"])
            # an update that changes a unique value (a row renumbered into another's place) is written
            # as delete + insert, after every delete, so no unique index sees two rows at once
            renumbered = {f for k, f in items if k == "update" and "uuid" in cols and f in wanted and f in here
                          and wanted[f].get("uuid") != here[f].get("uuid")}
            gone = [f for k, f in items if k == "delete" or f in renumbered]
            for i in range(0, len(gone), 500):
                part = gone[i:i + 500]
                con.execute("DELETE FROM " + qt + " WHERE fid IN (" + ",".join("?" for _ in part) + ")", part)
            for kind, fid in items:
                row = wanted.get(fid)
                if kind == "delete" or row is None:
                    continue
                keys = [k for k in row if k in cols]
                if kind == "insert" or fid in renumbered:
                    con.execute("INSERT INTO " + qt + " (" + ", ".join(quote_ident(k, cols) for k in keys)
                                + ") VALUES (" + ", ".join("?" for _ in keys) + ")", [row[k] for k in keys])
                else:
                    keys = [k for k in keys if k != "fid"]
                    con.execute("UPDATE " + qt + " SET " + ", ".join(quote_ident(k, cols) + " = ?" for k in keys)
                                + " WHERE fid = ?", [row[k] for k in keys] + [fid])


def update_in_place(local: Path, snapshot: Callable[[Path], None], make_result: Callable[[Path], Path],
                    diff: Callable[[Path, Path], list[tuple[str, str, int]]], work: Path) -> None:
    """Bring the working copy ``local`` to ``make_result(mine)``, where ``mine`` is a consistent copy of
    ``local``, by writing the differing rows into ``local`` in one transaction.

    Optimistic first: the result is computed from a copy, and written only if ``local`` has not
    changed since (SQLite's change counter, checked under its write lock).  After two tries the
    write lock is taken first and held while the result is computed, so a busy laptop cannot keep
    a sync from finishing.  The tracking table ends as the result's (tables with edits not yet sent).
    """
    mine = work / "local-now.gpkg"
    header = Header(local)
    con = connect_readwrite(local)
    try:
        for attempt in range(3):
            locked = attempt == 2
            # the gate (no GDAL read of the file in this process meanwhile, see storage.gate) is held from
            # BEGIN to COMMIT or ROLLBACK, not while an optimistic try computes the result
            with ExitStack() as gate:
                if locked:
                    gate.enter_context(sqlite_writing(local))
                    con.execute("BEGIN IMMEDIATE")
                counter = header.counter()
                snapshot(mine)
                if not locked and header.counter() != counter:
                    continue
                result = make_result(mine)
                changes = diff(mine, result)
                if not locked:
                    gate.enter_context(sqlite_writing(local))
                    con.execute("BEGIN IMMEDIATE")
                try:
                    if header.counter() != counter:
                        con.execute("ROLLBACK")
                        continue  # an edit was committed meanwhile: merge again from the file as it is now
                    write_rows(con, changes, result)
                    if DIRTY_TABLE in sqlite_tables(con):
                        with closing(sqlite3.connect(ro_uri(result), uri=True)) as r:
                            has = r.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (DIRTY_TABLE,)).fetchone()
                            dirty = [row[0] for row in r.execute("SELECT table_name FROM " + DIRTY_TABLE)] \
                                if has else []
                        con.execute("DELETE FROM " + DIRTY_TABLE)
                        con.executemany("INSERT OR IGNORE INTO " + DIRTY_TABLE + " (table_name) VALUES (?)",
                                        [(t,) for t in dirty])
                    con.execute("COMMIT")
                    return
                except BaseException:
                    if con.in_transaction:
                        con.execute("ROLLBACK")  # inside the gate: a rollback writes the file too
                    raise
    finally:
        con.close()
        header.close()
    raise SyncError(f"{local}: could not be updated after the sync")  # pragma: no cover - the last try is locked
