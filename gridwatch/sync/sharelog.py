"""The shared project as a snapshot GeoPackage plus a log of small changeset files.

A sync must cost what its changes cost, not what the project weighs: rewriting a 400 MB shared
GeoPackage for one edited row takes seconds on a share.  So the shared folder holds

* ``district.gpkg``: the snapshot, a complete GeoPackage (QGIS opens it) holding every sync up to
  the last compaction;
* ``district.gpkg-changes/NNNNNNNN-<sync uuid>.diff``: one pygeodiff changeset per sync since then,
  numbered in the order they landed.  Each is written to a temp file, fsynced and renamed into place
  while the sync holds the lock, so an entry is there whole or not at all.

The shared project is the snapshot with the entries it does not hold yet applied in order (each
entry carries its sync's ``sync_log`` row, so "already in the snapshot" is a lookup by uuid).  Now and
then a sync *compacts*: it writes its own copy of the whole state as the new snapshot (temp file,
fsync, ``os.replace``) and deletes the entries the snapshot now holds except the newest, whose number
keeps the count going.  The laptop never opens a shared file as a database: entries are copied, the
snapshot is copied or replaced whole.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import SyncError
from ..storage.gpkg import fsync_dir, fsync_file
from .lock import share_problem

_NAME = re.compile(r"^(\d{8})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.diff$")


@dataclass(frozen=True)
class Entry:
    seq: int
    sync_uuid: str
    path: Path


def log_dir(shared: Path) -> Path:
    return shared.with_name(shared.name + "-changes")


def entries(shared: Path) -> list[Entry]:
    """The log's entries in the order they landed (empty when there is no log yet)."""
    folder = log_dir(shared)
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise SyncError(f"{folder}: cannot read the shared change log ({exc.strerror}); is the shared folder "
                        "reachable?") from None
    out = []
    for name in names:
        m = _NAME.match(name)
        if m:
            out.append(Entry(int(m.group(1)), m.group(2), folder / name))
    out.sort(key=lambda e: (e.seq, e.sync_uuid))
    return out


def head(log: list[Entry]) -> int:
    return log[-1].seq if log else 0


def find(log: list[Entry], sync_uuid: str) -> Optional[Entry]:
    return next((e for e in log if e.sync_uuid == sync_uuid), None)


def append(shared: Path, seq: int, sync_uuid: str, changeset: Path, lock) -> Entry:  # type: ignore[no-untyped-def]
    """Add ``changeset`` as entry ``seq`` (the caller holds ``lock``): temp file, fsync, rename.

    The lock token is checked right before the rename and again after it: a sync frozen for minutes
    between the two (a laptop suspended) whose lock was taken over meanwhile takes its entry back if
    another sync wrote the same number, so the log never keeps two entries of one number that way."""
    folder = log_dir(shared)
    target = folder / f"{seq:08d}-{sync_uuid}.diff"
    what = "cannot write to the shared change log"
    try:
        folder.mkdir(exist_ok=True)
        if any(e.seq == seq for e in entries(shared)):
            raise SyncError(f"{folder}: entry {seq} exists already (another sync took the lock over); nothing was "
                            "sent, sync again")
    except OSError as exc:
        raise SyncError(share_problem(exc, shared, what)) from None
    _put(shared, changeset, folder, ".entry-", target, stat.S_IMODE(shared.stat().st_mode) & 0o666, lock, what,
         f"{shared}: the sync lock was taken over while this sync was stalled; nothing was sent, sync again")
    try:
        fsync_dir(folder)
    except OSError:
        pass  # the rename is done; a folder fsync the share does not support is not a failure
    if not lock.still_mine() and sum(1 for e in entries(shared) if e.seq == seq) > 1:
        target.unlink(missing_ok=True)
        raise SyncError(f"{shared}: the sync lock was taken over while this sync was stalled; nothing was sent, "
                        "sync again")
    return Entry(seq, sync_uuid, target)


def _put(shared: Path, source: Path, folder: Path, prefix: str, target: Path, mode: int, lock,  # type: ignore[no-untyped-def]
         what: str, taken_over: str) -> None:
    """Copy ``source`` onto the share as ``target``: a temp file in ``folder`` (leftovers of killed writes
    with the same prefix are cleared: the caller holds ``lock``), fsynced, the lock checked, renamed."""
    try:
        for leftover in folder.glob(prefix + "*.tmp"):
            leftover.unlink(missing_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise SyncError(share_problem(exc, shared, what)) from None
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(source, tmp)
        os.chmod(tmp, mode)
        fsync_file(tmp)
        if not lock.still_mine():
            raise SyncError(taken_over)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        if not isinstance(exc, OSError):
            raise
        if isinstance(exc, FileNotFoundError) and shared.parent.exists() and not lock.still_mine():
            # stalled so long that another sync took the lock over and cleared our temp file away
            raise SyncError(taken_over) from None
        raise SyncError(share_problem(exc, shared, what)) from None


def holds(db: Path, sync_uuid: str) -> bool:
    """Whether the project file ``db`` holds the sync ``sync_uuid`` (its sync_log row)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        return con.execute("SELECT 1 FROM sync_log WHERE uuid = ?", (sync_uuid,)).fetchone() is not None


def missing_from(db: Path, log: list[Entry]) -> list[Entry]:
    """The entries ``db`` does not hold yet (a snapshot holds a prefix of the log)."""
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as con:
        known = {r[0] for r in con.execute("SELECT uuid FROM sync_log")}
    return [e for e in log if e.sync_uuid not in known]


def fetch(log: list[Entry], work: Path) -> list[Path]:
    """Copy entries off the share into ``work`` (one deleted by a compaction meanwhile: SyncError)."""
    out = []
    for e in log:
        local = work / e.path.name
        try:
            shutil.copyfile(e.path, local)
        except FileNotFoundError:
            raise SyncError(f"{e.path}: a change of the shared project vanished while it was read (a compaction "
                            "ran meanwhile); sync again") from None
        out.append(local)
    return out


def apply_entries(db: Path, log: list[Entry], work: Path, *, tolerant: bool = False) -> list[Entry]:
    """Apply entries to the local file ``db`` in order (each copied off the share first).

    ``tolerant``: an entry that does not fit the state (the share went back in time, two syncs wrote
    the same number, the snapshot was edited by another program) is skipped instead of failing; each
    apply is all or nothing, and the laptops that hold a skipped sync send it again.  Returns the
    entries skipped."""
    import pygeodiff

    from .changes import refresh_density

    gd = pygeodiff.GeoDiff()
    skipped = []
    for e, local in zip(log, fetch(log, work)):
        try:
            gd.apply_changeset(str(db), str(local))
            refresh_density(db, local, work)  # pygeodiff applies with the triggers off
        except pygeodiff.GeoDiffLibError as exc:
            if tolerant:
                skipped.append(e)
                continue
            raise SyncError(f"{e.path}: this change of the shared project cannot be applied ({exc}); the shared "
                            "folder may be damaged; run gridwatch doctor on it") from exc
        finally:
            local.unlink(missing_ok=True)
    return skipped


def compact(shared: Path, source: Path, seq: int, lock, *, held: frozenset[str] | set[str]) -> None:  # type: ignore[no-untyped-def]
    """Make ``source`` (the whole shared state through entry ``seq``) the new snapshot and delete the
    entries it holds but the newest, whose number keeps the count going.  Entries it does not hold
    (they no longer fitted the shared state; their laptops send them again) are moved to
    ``unapplied/`` in the log folder, for ``gridwatch doctor``.  The caller holds ``lock``."""
    try:
        mode = stat.S_IMODE(shared.stat().st_mode)
    except OSError as exc:
        raise SyncError(share_problem(exc, shared, "cannot write the compacted shared project")) from None
    _put(shared, source, shared.parent, "." + shared.name + ".", shared, mode, lock,
         "cannot write the compacted shared project",
         f"{shared}: the sync lock was taken over; the shared project was not compacted")
    folder = log_dir(shared)
    try:
        fsync_dir(shared.parent)
        for e in entries(shared):
            if e.seq >= seq:
                continue
            if e.sync_uuid in held:
                e.path.unlink(missing_ok=True)
            else:
                aside = folder / UNAPPLIED
                aside.mkdir(exist_ok=True)
                os.replace(e.path, aside / e.path.name)
        fsync_dir(folder)
    except OSError:
        pass  # the snapshot is in place; entries it holds are skipped by everyone, the next compaction tidies


#: Where compaction puts change files that no longer fitted the shared state.
UNAPPLIED = "unapplied"
