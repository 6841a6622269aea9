"""Low-level GeoPackage access with Python's sqlite3.

GDAL (through pyogrio) writes whole layers; small edits, metadata and checks go through sqlite3.
Three rules hold everywhere:

* values are bound as ``?`` parameters; table and column names go through :func:`quote_ident`,
  which only accepts names present in the schema;
* connections that write register the ``ST_*`` functions GDAL's R-tree triggers call, so an
  edited geometry keeps the spatial index right;
* a file is inspected before SQLite opens it, so a file that is not a GeoPackage or is truncated
  gets a clear error and is never touched.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import struct
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from ..errors import DamagedProject, DataSourceError, SharedProjectError, StorageError, UnfinishedWrite
from .failures import (
    SQLITE_BUSY,
    SQLITE_CANTOPEN,
    SQLITE_IOERR,
    SQLITE_LOCKED,
    SQLITE_READONLY,
    busy_timeout,
    file_problem,
    locked,
    sqlite_code,
)
from .filehead import read_head
from .gate import sqlite_writing
from .geoblob import (  # noqa: F401  (re-exported: the geometry blobs half of this module)
    blob_envelope,
    blob_points_xy,
    blob_to_geometry,
    conform_geometry,
    geometry_to_blob,
    register_gpkg_functions,
    wkb_points_xy,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
#: ``PRAGMA application_id`` values of GeoPackage 1.0 ('GP10'), 1.1 ('GP11') and 1.2+ ('GPKG').
GPKG_APPLICATION_IDS = {0x47503130, 0x47503131, 0x47504B47}


def inspect_file(path: os.PathLike[str] | str) -> None:
    """Raise :class:`DataSourceError` unless ``path`` looks like an intact SQLite file.

    Reads only the 100-byte database header: the magic string, the page size and the page count
    recorded in the header, which must match the file size (a copy cut short by a full disk or an
    interrupted transfer fails here before SQLite sees it).
    """
    p = Path(path)
    if not p.exists():
        raise DataSourceError(f"{p}: file not found")
    if p.is_dir():
        raise DataSourceError(f"{p}: is a folder, not a GeoPackage file")
    if not p.is_file():  # a pipe or a device: reading it could wait for ever
        raise DataSourceError(f"{p}: is not a regular file (a pipe, device or socket), not a GeoPackage")
    try:
        size, header = read_head(p)  # not open + close: that would drop this process's locks on the file
    except OSError as exc:
        raise DataSourceError(f"{p}: cannot be read ({exc.strerror})") from exc
    try:
        _check_header(p, size, header)
    except DamagedProject as first:
        if size == 0 or not header.startswith(SQLITE_MAGIC) or len(header) < 100:
            raise
        # A writer in the middle of its commit writes the header (the new page count) before the pages that
        # grow the file: look again while SQLite's read lock keeps writers out (another program's, or one of
        # this process that pygeodiff's SQLite runs beside ours)
        again = _header_under_read_lock(p)
        if again is None:
            raise first from None
        _check_header(p, *again)


def _header_under_read_lock(p: Path) -> Optional[tuple[int, bytes]]:
    """``(size, header)`` of ``p`` read while an SQLite read transaction is open on it (None: SQLite cannot
    open it)."""
    try:
        with closing(sqlite3.connect(p.resolve().as_uri() + "?mode=ro", uri=True, timeout=busy_timeout())) as con:
            con.execute("BEGIN")
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            got = read_head(p)
            con.execute("COMMIT")
            return got
    except (sqlite3.Error, OSError):
        return None


def _check_header(p: Path, size: int, header: bytes) -> None:
    if size == 0:
        raise DamagedProject(f"{p}: file is empty, not a GeoPackage")
    if not header.startswith(SQLITE_MAGIC):
        raise DamagedProject(f"{p}: not a GeoPackage (it is not an SQLite database file)")
    if len(header) < 100:
        raise DamagedProject(f"{p}: truncated GeoPackage (only {size} bytes); restore it from a backup")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    page_count = struct.unpack(">I", header[28:32])[0]
    change_counter = struct.unpack(">I", header[24:28])[0]
    valid_for = struct.unpack(">I", header[92:96])[0]
    # The in-header page count is only trustworthy when valid-for matches the change counter
    # (SQLite >= 3.7.0 keeps them equal); older writers leave it stale.
    if page_count and change_counter == valid_for:
        expected = page_count * page_size
        if size < expected:
            raise DamagedProject(
                f"{p}: truncated GeoPackage ({size} of {expected} bytes); restore it from a backup"
            )
    if size % page_size:
        raise DamagedProject(
            f"{p}: damaged GeoPackage (size {size} is not a whole number of {page_size}-byte pages); "
            "restore it from a backup"
        )


log = logging.getLogger("gridwatch.storage")


def roll_back_hot_journal(path: os.PathLike[str] | str, *, copy_of: Optional[os.PathLike[str] | str] = None) -> bool:
    """Finish what a writer killed mid-transaction left: SQLite rolls its journal back when the file is
    next opened for writing (a read-only connection cannot, and fails with "attempt to write a readonly
    database").  The file is then exactly as before that transaction; nothing committed is lost.
    Returns whether a journal was rolled back.  A shared project's snapshot is left alone (only syncs
    write it; they read it from a copy).

    ``copy_of``: ``path`` is a local copy of that shared project's snapshot (with its journal), rolled back
    without a note (the share itself keeps its journal until ``gridwatch doctor`` rolls it back).

    Raises :class:`~gridwatch.errors.UnfinishedWrite` when the journal cannot be rolled back because the
    file or its folder is read-only (saying what happened and that nothing is lost), and
    :class:`~gridwatch.errors.FileLocked` when a writer still holds the file (then the journal is its
    own, not a left-over).
    """
    journal = Path(str(path) + "-journal")
    try:
        if journal.stat().st_size == 0 or not Path(path).is_file():
            return False
    except OSError:
        return False
    if is_shared_snapshot(path):
        return False
    # A writer of this process (pygeodiff's SQLite cannot show its lock to ours) finishes first: its journal
    # is no left-over (see .gate)
    with sqlite_writing(path):
        return _roll_back(path, journal, copy_of is None)


def _roll_back(path: os.PathLike[str] | str, journal: Path, note: bool) -> bool:
    before = _journal_signature(journal)
    if before is None:
        return False
    try:
        with closing(sqlite3.connect(os.fspath(path), timeout=busy_timeout())) as con:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        code = sqlite_code(exc)
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            raise locked(path) from exc
        if code in (SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_IOERR):
            folder = Path(path).parent
            raise UnfinishedWrite(
                f"{path}: a program stopped in the middle of writing this file; its unfinished change is in "
                f"{journal.name} beside it, and GridWatch undoes it when it opens the file for writing, but the "
                f"file or its folder {folder} is read-only. Nothing is lost: copy {Path(path).name} together "
                f"with {journal.name} to a folder you may write to and open the copy there (or make the folder "
                "writable)", key="file.unfinished_write", path=str(path), journal=journal.name,
                folder=str(folder)) from exc
        return False  # not an SQLite file: the caller's checks say what it is
    rolled = before is not None and _journal_signature(journal) is None  # SQLite deletes a journal it rolled back
    if rolled and note:  # (a copy of a shared snapshot is checked quietly: the share is unchanged)
        log.warning("%s: a program stopped in the middle of writing this file; its unfinished change was rolled "
                    "back, so the file is as it was before that change (nothing saved is lost)", path)
    return rolled


def _journal_signature(journal: Path) -> Optional[tuple[int, int]]:
    try:
        st = journal.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns) if st.st_size else None


def connect_readonly(path: os.PathLike[str] | str) -> sqlite3.Connection:
    """Open ``path`` read-only; SQLite can then neither write it nor create a journal beside it.

    A journal left by a killed writer is rolled back first (:func:`roll_back_hot_journal`)."""
    roll_back_hot_journal(path)
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    con = None
    try:
        con = sqlite3.connect(uri, uri=True, timeout=busy_timeout())
        con.execute("PRAGMA query_only = ON")
        con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # a lock or a journal shows here, not later
    except sqlite3.Error as exc:
        if con is not None:
            con.close()
        if sqlite_code(exc) == SQLITE_READONLY and is_shared_snapshot(path) and _journal_signature(
                Path(str(path) + "-journal")) is not None:
            raise UnfinishedWrite(
                f"{path}: a program stopped in the middle of writing this shared project; its unfinished change "
                f"is in the journal beside it, which only `gridwatch doctor {path}` rolls back on the share. "
                "Nothing is lost: run it, then try again") from exc
        raise file_problem(path, exc, "opened") from exc
    return con


#: Beside a shared project's snapshot GeoPackage lies its change log, ``<name>-changes``.
SHARED_LOG_SUFFIX = "-changes"


def is_shared_snapshot(path: os.PathLike[str] | str) -> bool:
    """Whether ``path`` is the snapshot of a shared project (a shared folder's GeoPackage): laptops
    check out working copies of it and sync; nobody edits it directly."""
    p = Path(path)
    return Path(str(p) + SHARED_LOG_SUFFIX).is_dir()


SHARED_READ_ONLY = ("{path}: this is a shared project (the shared folder's copy that laptops sync with); GridWatch "
                    "opens it read-only. To edit, check out a working copy (File > Check out, or gridwatch checkout "
                    "SHARED LOCAL --user NAME) and sync it")


def connect_readwrite(path: os.PathLike[str] | str) -> sqlite3.Connection:
    """Open ``path`` for writing with the functions GDAL's triggers need.

    The connection is in autocommit mode (``isolation_level=None``); use :func:`transaction` for
    every write so that it is one all-or-nothing transaction.  A shared project's snapshot is
    refused (:data:`SHARED_READ_ONLY`): an edit there would not fit the change log laptops sync with.
    """
    if is_shared_snapshot(path):
        raise SharedProjectError(SHARED_READ_ONLY.format(path=path), key="project.shared_read_only")
    try:
        con = sqlite3.connect(os.fspath(path), isolation_level=None, timeout=busy_timeout())
    except sqlite3.Error as exc:
        raise file_problem(path, exc, "opened for writing") from exc
    register_gpkg_functions(con)
    # Files may live on a share or travel on a USB stick: no WAL (it needs shared memory and
    # does not work over network file systems).
    try:
        con.execute("PRAGMA journal_mode = DELETE")
    except sqlite3.Error as exc:
        con.close()
        raise file_problem(path, exc, "opened for writing") from exc
    return con


class transaction:
    """``with transaction(con):`` runs the block in ``BEGIN IMMEDIATE`` ... ``COMMIT``/``ROLLBACK``.

    With ``path`` an SQLite failure (full disk, read-only file, another writer's lock) becomes the
    GridWatch error that says so (:func:`~gridwatch.storage.failures.file_problem`).  A failed
    commit is rolled back if SQLite has not done so itself; the rollback never hides the error
    that caused it (SQLite ends a transaction on its own after some errors, such as a full disk, and
    a second ROLLBACK would only say "no transaction is active").
    """

    def __init__(self, con: sqlite3.Connection, path: Optional[os.PathLike[str] | str] = None) -> None:
        self.con = con
        self.path = path
        self.gate: Optional[AbstractContextManager[None]] = None

    def __enter__(self) -> sqlite3.Connection:
        # no GDAL read of this file in this process while the transaction writes it (see .gate)
        self.gate = sqlite_writing(_database_file(self.con))
        self.gate.__enter__()
        try:
            self.con.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self._open_gate()
            if self.path is None:
                raise
            raise file_problem(self.path, exc) from exc
        except BaseException:
            self._open_gate()
            raise
        return self.con

    def _open_gate(self) -> None:
        if self.gate is not None:
            gate, self.gate = self.gate, None
            gate.__exit__(None, None, None)

    def __exit__(self, exc_type, exc, tb) -> None:  # type: ignore[no-untyped-def]
        try:
            self._finish(exc_type, exc)
        finally:
            self._open_gate()

    def _finish(self, exc_type, exc) -> None:  # type: ignore[no-untyped-def]
        if exc_type is None:
            try:
                self.con.execute("COMMIT")
                return
            except sqlite3.Error as commit_error:
                self._roll_back()
                if self.path is None:
                    raise
                raise file_problem(self.path, commit_error) from commit_error
        self._roll_back()
        if self.path is not None and isinstance(exc, sqlite3.Error):
            raise file_problem(self.path, exc) from exc

    def _roll_back(self) -> None:
        if self.con.in_transaction:
            try:
                self.con.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite gave up the transaction itself; the original error is what matters


def _database_file(con: sqlite3.Connection) -> str:
    """The file of ``con``'s main database ("" for one in memory)."""
    row = con.execute("PRAGMA database_list").fetchone()
    return (row[2] or "") if row else ""


def table_names(con: sqlite3.Connection) -> set[str]:
    """Names of the tables registered in ``gpkg_contents``."""
    return {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}


def column_names(con: sqlite3.Connection, table: str) -> list[str]:
    """Columns of ``table`` (which must be a table of the schema)."""
    sql = "PRAGMA table_info(" + quote_ident(table, sqlite_tables(con)) + ")"
    return [r[1] for r in con.execute(sql)]


def sqlite_tables(con: sqlite3.Connection) -> set[str]:
    """Every table and view name in the database."""
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}


def quote_ident(name: str, allowed: Iterable[str]) -> str:
    """Quote identifier ``name`` for SQL after checking it is one of ``allowed``.

    Identifiers cannot be bound as parameters, so every table or column name that reaches SQL
    passes through here: an unknown name is refused rather than quoted blindly.
    """
    if name not in set(allowed):
        raise StorageError(f"unknown table or column name {name!r}")
    return '"' + name.replace('"', '""') + '"'


def rows_by_fid(
    con: sqlite3.Connection, table: str, fids: list[int], allowed: Iterable[str]
) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` (checked against ``allowed``) whose fid is in ``fids``, as a dict by column,
    read 500 fids a query."""
    qt = quote_ident(table, allowed)
    for k in range(0, len(fids), 500):
        part = fids[k:k + 500]
        cur = con.execute("SELECT * FROM " + qt + " WHERE fid IN (" + ",".join("?" for _ in part) + ")", part)
        cols = [d[0] for d in cur.description]
        for r in cur:
            yield dict(zip(cols, r))


def where_set(sql: str, args: list[Any], clauses: Iterable[tuple[str, Any]]) -> str:
    """``sql`` with each clause whose value is set (truthy) appended, and that value added to ``args``.

    A clause is a literal SQL fragment with one ``?`` (``" AND a.cell_code = ?"``): the names in it are
    written in the code, never taken from data, and every value is bound as a parameter.
    """
    for clause, value in clauses:
        if value:
            sql += clause
            args.append(value)
    return sql


def index_sql(con: sqlite3.Connection, table: str, column: str, unique: bool = False) -> str:
    """``CREATE [UNIQUE] INDEX IF NOT EXISTS idx_<table>_<column>`` for a checked table and column."""
    tables = sqlite_tables(con)
    qt = quote_ident(table, tables)
    qc = quote_ident(column, [r[1] for r in con.execute("PRAGMA table_info(" + qt + ")")])
    index_name = '"' + f"idx_{table}_{column}".replace('"', '""') + '"'
    kind = "UNIQUE INDEX" if unique else "INDEX"
    return "CREATE " + kind + " IF NOT EXISTS " + index_name + " ON " + qt + " (" + qc + ")"


def gpkg_datetime(t: "object") -> str:
    """A timezone-aware datetime as GeoPackage DATETIME text: UTC, milliseconds, ``Z``."""
    import datetime as _dt

    assert isinstance(t, _dt.datetime)
    u = t.astimezone(_dt.timezone.utc)
    return u.strftime("%Y-%m-%dT%H:%M:%S.") + f"{u.microsecond // 1000:03d}Z"


def fsync_file(path: os.PathLike[str] | str) -> None:
    """Flush ``path`` and its directory entry to disk."""
    fd = os.open(os.fspath(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(Path(path).parent)


def fsync_dir(folder: os.PathLike[str] | str) -> None:
    """Flush a folder's entries (a rename into it) to disk; quietly skipped where unsupported."""
    try:
        fd = os.open(os.fspath(folder), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


#: Edits of at least this many rows count each table's features once at the end (see counted_once).
BULK_ROWS = 1000


@contextmanager
def counted_once(con: sqlite3.Connection, tables: Iterable[str]) -> Iterator[None]:
    """Inside the caller's transaction: GDAL's per-row feature-count triggers of ``tables`` are set aside and
    each table's ``gpkg_ogr_contents.feature_count`` is recounted once at the end.

    Those triggers run an UPDATE of ``gpkg_ogr_contents`` for every inserted or deleted row: two thirds of
    the time of inserting 20,000 audited tasks.  GDAL itself sets them aside for bulk loads the same way.
    If the body fails, the caller's rollback restores them with everything else.
    """
    names = sqlite_tables(con)
    saved: list[tuple[str, str, str]] = []
    for table in tables:
        for kind in ("insert", "delete"):
            trigger = f"trigger_{kind}_feature_count_{table}"
            row = con.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ? AND tbl_name = ?",
                              (trigger, table)).fetchone()
            if row is not None and row[0]:
                saved.append((table, trigger, row[0]))
    for table, trigger, _sql in saved:
        con.execute("DROP TRIGGER " + quote_ident(trigger, [trigger]))
    yield
    for table in dict.fromkeys(t for t, _trigger, _sql in saved):
        con.execute("UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM " + quote_ident(table, names)
                    + ") WHERE lower(table_name) = lower(?)", (table,))
    for _table, _trigger, sql in saved:
        con.execute(sql)  # the trigger's own definition, as GDAL wrote it
