"""Check out and sync a laptop's working copy with the shared project, never losing an edit.

Files (for a working copy ``LOCAL``):

* ``LOCAL``: the project the app edits, offline for days;
* ``.LOCAL.sync/base.gpkg``: the shared project as it was at the last sync (the common ancestor);
* ``.LOCAL.sync/state.json``: the shared project's path, the user, the shared snapshot's identity
  and the number (and sync) of the last change-log entry the base holds and, while a sync is under
  way, which stage it reached.

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

This module runs a sync as its stages, over one :class:`~gridwatch.sync.files.SyncContext`:
:mod:`~gridwatch.sync.prepare` (this laptop's changes, the share as found, the merge),
:mod:`~gridwatch.sync.settle` (fids aligned by uuid, conflicts by the domain rules),
:mod:`~gridwatch.sync.permissions` (what the role may send), :mod:`~gridwatch.sync.finish` (the
laptop and base brought up to date, interrupted syncs recovered), with :mod:`~gridwatch.sync.history`
(what the share holds, rollbacks), :mod:`~gridwatch.sync.restore` (what a rollback lost, put back),
:mod:`~gridwatch.sync.workcopy` (the working copy's lock and in-place update), :mod:`~gridwatch.sync.lock`
and :mod:`~gridwatch.sync.sharelog` (the shared folder's lock and change log).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid as _uuid
from pathlib import Path
from typing import Any, Optional

from ..errors import Cancelled, GridWatchError, SyncError
from ..storage.gpkg import fsync_dir
from ..storage.project import check_project
from ..tasks import CancelToken, ProgressCallback, Steps
from . import history, sharelog
from .changes import (  # noqa: F401
    DIRTY_TABLE,
    SYNC_LOG,
    Change,
    _clear_dirty,
    _clear_dirty_if,
    changes_of,
    dirty_tables,
    install_tracking,
    list_changes,
)
from .files import (  # noqa: F401
    STATE_VERSION,
    SyncContext,
    SyncReport,
    _copy_durably,
    _current_schema,
    _discard,
    _heal,
    _integrity,
    _load_state,
    _now_text,
    _write_json,
    sync_dir,
)
from .finish import COPY_BASE_ABOVE, _copy_base, _finish_any, _recover  # noqa: F401
from .lock import STALE_AFTER_SECONDS, SharedLock
from .permissions import _person, judge_changes  # noqa: F401
from .pg.address import is_server_address
from .prepare import (  # noqa: F401
    _full_changes,
    _Ours,
    _prepare_full,
    _prepare_quick,
    _quick_changes,
    _read_share,
    _rebuild_shared,
)
from .settle import settle_conflicts  # noqa: F401
from .workcopy import WorkingCopyLock

# --- small file helpers -------------------------------------------------------------------------




















# --- change tracking: which tables a working copy changed since its last sync ----------------------











# --- check out ----------------------------------------------------------------------------------


def checkout(shared: os.PathLike[str] | str, local: os.PathLike[str] | str, user: str) -> Path:
    """Make ``local`` a working copy of ``shared`` for ``user`` (a person of the project).

    Raises SyncError when the shared project is missing or damaged, ``local`` exists, or the user
    is not an active person of the project.  A PostgreSQL address checks out from the server
    (:mod:`gridwatch.sync.pg.store`).
    """
    if is_server_address(shared):
        from .pg.store import checkout as server_checkout

        return server_checkout(str(shared), local, user)
    sp, lp = Path(shared).resolve(), Path(local).resolve()
    if not sp.is_file():
        raise SyncError(f"{sp}: shared project not found; is the shared folder reachable?")
    check_project(sp)  # its problems named on the shared file itself, not on a copy of it (every door)
    if lp.exists():
        raise SyncError(f"{lp}: exists already; choose another name for the working copy")
    if not lp.parent.is_dir():
        raise SyncError(f"{lp.parent}: folder does not exist")
    folder = sync_dir(lp)
    folder.mkdir(exist_ok=True)
    base = folder / "base.gpkg"
    work = Path(tempfile.mkdtemp(prefix="checkout-", dir=folder))
    try:
        with SharedLock(sp, user, wait_seconds=60.0) as lock:
            snap = history.read_snapshot(sp, work)
            log = sharelog.entries(sp)
            tmp = work / "base.gpkg"
            history.copy_snapshot(sp, tmp)
            _integrity(tmp, sp)
            meta = check_project(tmp)
            if meta.get("schema_version") != _current_schema():
                raise SyncError(f"{sp}: the shared project has schema {meta.get('schema_version')}; an administrator "
                                "must open it with this GridWatch to upgrade it first")
            sharelog.apply_entries(tmp, sharelog.missing_from(tmp, log), work, tolerant=True)
            _copy_durably(tmp, base)
            try:
                sharelog.log_dir(sp).mkdir(exist_ok=True)  # marks the file as a shared project (is_shared_snapshot)
            except OSError:
                pass  # a read-only share: checked out all the same; the first sync that can write makes it
            if dirty_tables(tmp) is None and snap.open_elsewhere is None:
                # First checkout of a plain GeoPackage: the snapshot gets the change triggers that
                # reveal edits made to it by other programs (written as a compaction: temp file, rename).
                try:
                    snap = history.read_snapshot(sp, work)
                    snap.identity = _compact_from(sp, tmp, sharelog.head(log), lock, work)
                except SyncError:
                    pass  # a read-only share: checked out all the same
        _person(base, user)
    except GridWatchError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _copy_durably(base, lp)
    install_tracking(lp)
    _clear_dirty(lp)
    # A share whose snapshot or log is not as its syncs left it starts this copy on the full path.
    _write_json(folder / "state.json", {"version": STATE_VERSION, "shared": str(sp), "user": user,
                                        "snapshot_id": snap.identity, "seq": sharelog.head(log),
                                        "seq_uuid": log[-1].sync_uuid if log else None,
                                        "checked_out": _now_text(), "last_sync": None, "pending": None})
    return lp








# --- what a change is, and whether the role may make it --------------------------------------------


















# --- conflicts --------------------------------------------------------------------------------------





# --- sync ---------------------------------------------------------------------------------------------


#: A sync folds the shared change log into the snapshot GeoPackage when the log holds more entries
#: than this (0: after every sync).  Between compactions a sync writes one small file to the share.
COMPACT_AFTER = 32




















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

    Every door (CLI, app, scripts) gets the same one-line errors: a damaged, foreign or locked working
    copy is named before the sync starts, and what the operating system or SQLite reports about the
    working copy later (a full or read-only disk) is said in those words.

    Raises
    ------
    SyncError
        The shared folder is unreachable, another sync holds the lock, a file is damaged; the
        laptop's edits are untouched and the next sync picks up from here.
    GridWatchError
        The working copy cannot be read or written (damaged, locked, read-only, full disk).
    Cancelled
        Cancelled before anything was sent.
    """
    from ..storage.failures import file_problem

    lp = Path(local)
    if lp.exists():
        check_project(lp)
    try:
        return _sync(lp, progress=progress, cancel=cancel, lock_wait=lock_wait, stale_after=stale_after,
                     compact_after=compact_after)
    except sqlite3.Error as exc:
        raise file_problem(lp, exc, "synced") from exc
    except OSError as exc:  # the working copy's own files (the share's problems are SyncErrors already)
        name = Path(str(exc.filename)).resolve() if exc.filename else None
        if exc.errno is None or (name is not None and lp.resolve().parent not in (name, *name.parents)):
            raise
        raise file_problem(lp, exc, "synced") from exc


def _sync(
    local: Path,
    *,
    progress: Optional[ProgressCallback],
    cancel: Optional[CancelToken],
    lock_wait: float,
    stale_after: float,
    compact_after: Optional[int],
) -> SyncReport:
    import time

    t0 = time.perf_counter()
    lp = Path(local).resolve()
    state = _load_state(lp)
    if is_server_address(state["shared"]):
        from .pg.store import sync as server_sync

        return server_sync(lp, progress=progress, cancel=cancel, lock_wait=lock_wait)
    shared = Path(state["shared"])
    report = SyncReport()
    steps = Steps(progress, cancel, [("check", 1), ("lock", 1), ("download", 3), ("merge", 3), ("upload", 3),
                                     ("finish", 2)])
    steps.start("check", "checking local edits")
    with WorkingCopyLock(lp, wait_seconds=lock_wait, cancel=cancel):
        state = _load_state(lp)  # as the sync that ran before this one left it
        return _sync_locked(lp, state, shared, report, steps, t0, cancel=cancel, lock_wait=lock_wait,
                            stale_after=stale_after, compact_after=compact_after)


def _sync_locked(lp: Path, state: dict, shared: Path, report: SyncReport, steps: Steps, t0: float, *,
                 cancel: Optional[CancelToken], lock_wait: float, stale_after: float,
                 compact_after: Optional[int]) -> SyncReport:
    import time

    folder = sync_dir(lp)
    for pattern in ("work-*", "finish-*", "compact-*", "recover-*"):  # left by syncs that were killed
        for old in folder.glob(pattern):
            shutil.rmtree(old, ignore_errors=True)
    work = folder / f"work-{_uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        for db in (lp, folder / "base.gpkg"):
            _heal(db)
        if state.get("pending"):
            _recover(lp, state, report)
        ctx = SyncContext(lp, state, work, report, steps)
        # who the user is and which cells are theirs: from the base (the shared project as last
        # synced), never from the laptop's own copy, where the role could have been edited
        ctx.person = _person(ctx.base, ctx.user)
        ours: Optional[_Ours] = None
        if state.get("seq") is not None:
            ours = _quick_changes(ctx)
        if ours is None:
            ours = _full_changes(ctx)
        steps.report(1.0)

        steps.start("lock", "waiting for the shared project")
        if not shared.exists():
            raise SyncError(f"{shared}: shared project not reachable; your edits are safe on this laptop, "
                            "sync again when the shared folder is back")
        with _shared_lock(lp, state, wait_seconds=lock_wait, stale_after=stale_after, cancel=cancel) as lock:
            steps.start("download", "reading the shared project")
            view = _read_share(ctx)
            report.messages.extend(view.snapshot.notes)
            quick = None
            if ours.diff is not None and view.in_step:
                quick = _prepare_quick(ctx, ours, view.new)
            if quick is None:
                if ours.file is None:  # the quick path gave up: snapshot now, under the lock
                    ours = _full_changes(ctx)
                upload = _prepare_full(ctx, ours, view)
                mode = "file"
            else:
                upload, mode = quick, "log"
            steps.report(1.0)
            if cancel is not None and cancel.cancelled:
                raise Cancelled("sync cancelled; nothing was sent")

            steps.start("upload", "writing the shared project")
            sync_uuid = upload["sync_uuid"]
            new_seq = sharelog.head(view.log) + 1
            fsync_dir(folder)
            state["pending"] = {"sync_uuid": sync_uuid, "stage": "uploading", "mode": mode,
                                "local_fingerprint": ours.local_fingerprint, "local_counter": ours.counter,
                                "report": report.to_dict(), "fast": upload.get("fast", False), "seq": new_seq,
                                "scope": upload.get("scope"),
                                "snapshot_id": view.snapshot.identity}
            _write_json(folder / "state.json", state)
            sharelog.append(shared, new_seq, sync_uuid, upload["changeset"], lock)
            steps._cancel = None  # the shared project has our changes: from here on, finish regardless
            state["seq"], state["seq_uuid"], state["snapshot_id"] = new_seq, sync_uuid, view.snapshot.identity
            state.pop("fingerprint", None)
            state["pending"]["stage"] = "uploaded"
            _write_json(folder / "state.json", state)
            # a share that went back in time, or that holds changes that no longer fit, is tidied at once
            tidy = upload.get("repaired", False) and view.snapshot.open_elsewhere is None
        steps.start("finish", "updating this laptop")
        _finish_any(lp, state)
        _maybe_compact(shared, lp, state, 0 if tidy else COMPACT_AFTER if compact_after is None else compact_after,
                       stale_after)
        report.seconds = time.perf_counter() - t0
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)




class _shared_lock:
    """The shared lock for a working copy's sync.  A lock the sync could not remove (the share turned
    read-only or vanished) is remembered in the sync state, so this laptop's next sync takes it over
    at once instead of everybody waiting for it to turn stale."""

    def __init__(self, lp: Path, state: dict, **kw: Any) -> None:
        self.lp, self.state = lp, state
        self.lock = SharedLock(Path(state["shared"]), state["user"], own_tokens=state.get("orphan_locks"), **kw)

    def __enter__(self) -> SharedLock:
        self.lock.acquire()
        return self.lock

    def __exit__(self, *exc: object) -> None:
        released = self.lock.release()
        orphans = [t for t in self.state.get("orphan_locks", []) if t != self.lock.token]
        if self.lock.took_over is not None:
            orphans = [t for t in orphans if t != self.lock.took_over.get("token")]
        if not released:
            orphans.append(self.lock.token)
        if orphans != self.state.get("orphan_locks", []):
            self.state["orphan_locks"] = orphans[-5:]
            try:
                _write_json(sync_dir(self.lp) / "state.json", self.state)
            except OSError:
                pass






















def _maybe_compact(shared: Path, lp: Path, state: dict, compact_after: int, stale_after: float) -> None:
    """Fold the change log into the snapshot when it grew long (skipped when someone else is syncing)."""
    try:
        if len(sharelog.entries(shared)) <= compact_after:
            return
        with _shared_lock(lp, state, wait_seconds=2.0, stale_after=stale_after) as lock:
            work = Path(tempfile.mkdtemp(prefix="compact-", dir=sync_dir(lp)))
            try:
                log = sharelog.entries(shared)
                snap = history.read_snapshot(shared, work)
                if sharelog.head(log) != state.get("seq") or snap.identity != state.get("snapshot_id") \
                        or snap.open_elsewhere:
                    return  # someone synced since (our base is not the whole shared state), or a program has it open
                state["snapshot_id"] = _compact_from(shared, sync_dir(lp) / "base.gpkg", state["seq"], lock, work)
                _write_json(sync_dir(lp) / "state.json", state)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    except (SyncError, OSError, sqlite3.Error):
        return  # the next sync compacts instead


def _compact_from(shared: Path, state_file: Path, seq: int, lock: SharedLock, work: Path) -> str:
    """Make a copy of ``state_file`` (the whole shared state through entry ``seq``) the snapshot, with
    the change triggers that reveal edits made to it by other programs.  Returns its identity."""
    snap = work / "snapshot-next.gpkg"
    _discard(snap)
    shutil.copyfile(state_file, snap)
    install_tracking(snap)
    _clear_dirty(snap)
    identity = history.read_snapshot(snap, work).identity
    sharelog.compact(shared, snap, seq, lock, held=history.sync_uuids(snap))
    return identity


def _check_snapshot(sp: Path) -> None:
    """The shared snapshot is a GridWatch project of this schema: checked on a local copy (with what a
    program writing it now, or one that died writing it, left in its journal settled there)."""
    work = Path(tempfile.mkdtemp(prefix="gridwatch-check-"))
    try:
        copy = work / sp.name
        history.copy_snapshot(sp, copy)
        try:
            meta = check_project(copy)
        except GridWatchError as exc:
            raise type(exc)(str(exc).replace(str(copy), str(sp))) from None
        if meta.get("schema_version") != _current_schema():
            raise SyncError(f"{sp}: the shared project has schema {meta.get('schema_version')}; this GridWatch "
                            f"uses schema {_current_schema()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def compact_shared(shared: os.PathLike[str] | str, *, user: str = "gridwatch compact",
                   lock_wait: float = 60.0) -> int:
    """Fold the shared change log into the snapshot GeoPackage (``gridwatch compact``): afterwards
    the shared file alone holds every sync, for QGIS or a backup.  Returns the entries folded in
    (a PostGIS shared project has nothing to fold: 0)."""
    if is_server_address(shared):
        return 0
    sp = Path(shared).resolve()
    if not sp.is_file():
        raise SyncError(f"{sp}: shared project not found; is the shared folder reachable?")
    _check_snapshot(sp)  # a damaged, foreign or newer file is said so, even with nothing to fold
    with SharedLock(sp, user, wait_seconds=lock_wait) as lock:
        log = sharelog.entries(sp)
        if not log:
            return 0
        work = Path(tempfile.mkdtemp(prefix="gridwatch-compact-"))
        try:
            snap = history.read_snapshot(sp, work)
            if snap.open_elsewhere:
                raise SyncError(f"{sp}: the shared project is open for writing in another program "
                                f"({snap.open_elsewhere} beside it); close that program, then compact")
            pending = [e for e in log if e.sync_uuid not in snap.syncs]
            if not pending and not snap.edited_tables:
                return 0
            state, skipped = _rebuild_shared(sp, log, work)
            _compact_from(sp, state, sharelog.head(log), lock, work)
            return len(pending) - len(skipped)
        finally:
            shutil.rmtree(work, ignore_errors=True)










            # an update of a row deleted meanwhile: the delete stands (as in a sync's own merge)






