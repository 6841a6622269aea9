"""The sync's files on the laptop: the sync folder, its state, durable copies, the report."""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import sqlite3
import tempfile
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from ..errors import SyncError
from ..storage.filehead import change_counter as _change_counter  # noqa: F401  (the sync's name)
from ..storage.gpkg import fsync_dir, fsync_file, gpkg_datetime
from .workcopy import consistent_copy

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
    rolled_back: bool = False  # the shared project had gone back in time; what it lost was sent again
    seconds: float = 0.0

    def summary(self) -> str:
        text = (f"sent {self.sent} change(s), received {self.received}, {self.conflicts} conflict(s) settled, "
                f"{self.refused} refused")
        return text + ("; finished an interrupted sync first" if self.recovered else "")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    """A consistent copy of a project that may be open in the app (see workcopy.consistent_copy)."""
    try:
        consistent_copy(src, dst)
    except sqlite3.OperationalError:
        # a hot journal left by a crash: a read-write connection rolls it back first
        with closing(sqlite3.connect(src, timeout=30.0)) as s, closing(sqlite3.connect(dst)) as d:
            s.backup(d)


def _write_json(path: Path, data: dict) -> None:
    """``data`` into ``path`` durably: a new file flushed, renamed over the old, the rename flushed (the
    new file's own name need not reach the disk before the rename: two flushes of the folder were one
    too many, on every sync)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(data, ensure_ascii=False, indent=1))
        f.flush()
        os.fsync(f.fileno())
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


def _now_text() -> str:
    return gpkg_datetime(_dt.datetime.now(_dt.timezone.utc))


def _current_schema() -> str:
    from ..storage.schema import SCHEMA_VERSION

    return str(SCHEMA_VERSION)


def _integrity(copy: Path, shared: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{copy}?mode=ro", uri=True)) as con:
            ok = con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise SyncError(f"{shared}: the shared project is damaged ({exc}); nothing was changed") from exc
    if ok != "ok":
        raise SyncError(f"{shared}: the shared project is damaged ({ok}); nothing was changed")


def _heal(db: Path) -> None:
    """Roll back a journal left by a process killed while writing ``db`` (a read-only connection
    cannot, and would fail on the hot journal)."""
    if Path(str(db) + "-journal").exists() and db.exists():
        with closing(sqlite3.connect(db, timeout=10.0)) as con:
            con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()


class Readers:
    """Read-only connections of a sync's files, opened once per file for the sync's preparing steps.

    SQLite parses a file's whole schema when a connection first reads it (a district's 270 tables,
    indexes and triggers: ~3 ms of CPU); a one-edit sync opened the base and the working copy a dozen
    times.  Reads outside a transaction see each file as last committed, as a new connection would.
    Closed (:meth:`close`) before the sync writes those files."""

    def __init__(self) -> None:
        self._open: dict[str, sqlite3.Connection] = {}

    def get(self, path: Path) -> sqlite3.Connection:
        from .history import ro_uri

        key = str(Path(path).resolve())
        con = self._open.get(key)
        if con is None:
            con = self._open[key] = sqlite3.connect(ro_uri(Path(key)), uri=True)
        return con

    def close(self) -> None:
        for con in self._open.values():
            con.close()
        self._open.clear()


@dataclass
class SyncContext:
    """One sync of one working copy: its files, who syncs and what the sync reports.  The steps of
    a sync (prepare, merge, upload, finish) take it instead of a dozen loose arguments."""

    lp: Path  # the working copy
    state: dict  # its sync state (state.json), updated as the sync goes
    work: Path  # this sync's temp folder inside the sync folder
    report: SyncReport
    steps: Any  # gridwatch.tasks.Steps
    person: dict = field(default_factory=dict)  # who syncs: uuid, name, role, cells (read from the base)
    readers: Optional[Readers] = None  # the sync's cached read-only connections (None: each step opens its own)

    @contextmanager
    def reading(self, path: Path) -> Iterator[sqlite3.Connection]:
        """A read-only connection of ``path``: the cached one, or one of its own closed afterwards."""
        if self.readers is not None:
            yield self.readers.get(path)
            return
        from .history import ro_uri

        with closing(sqlite3.connect(ro_uri(Path(path)), uri=True)) as con:
            yield con

    @property
    def folder(self) -> Path:
        return sync_dir(self.lp)

    @property
    def base(self) -> Path:
        return self.folder / "base.gpkg"

    @property
    def shared(self) -> Path:
        return Path(self.state["shared"])

    @property
    def user(self) -> str:
        return str(self.state["user"])
