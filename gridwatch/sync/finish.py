"""After the shared project has a sync's change: the working copy and the base brought up to date,
and an interrupted sync finished or discarded."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid as _uuid
from contextlib import closing
from pathlib import Path
from typing import Optional

from ..errors import StorageError, SyncError
from ..storage.gate import geodiff_writing
from ..storage.gpkg import (
    connect_readwrite,
    fsync_dir,
    fsync_file,
    quote_ident,
    transaction,
)
from . import history, sharelog
from .changes import (
    SYNC_LOG,
    _clear_dirty_if,
    _concat,
    _geodiff,
    _geodiff_for,
    _geodiff_tmp,
    apply_changes,
    changes_of,
    dirty_tables,
    install_tracking,
    refresh_density,
)
from .files import (
    SyncReport,
    _change_counter,
    _discard,
    _fingerprint,
    _now_text,
    _snapshot,
    _write_json,
    sync_dir,
)
from .replay import replay_by_uuid
from .workcopy import Header, update_in_place


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
                            with geodiff_writing(lp):  # pygeodiff's SQLite alone on it (storage.gate)
                                gd.apply_changeset(str(lp), str(step))
                            refresh_density(lp, step, work)  # pygeodiff applies with the triggers off
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
                        apply_changes(gd, sent_state, ours, work)
                    if theirs_or_none is not None:
                        apply_changes(gd, pending, theirs, work)
                    apply_changes(gd, pending, up, work)
                p["mode"], p["fast"] = "file", False
                p["scope"] = sorted({c.table for f in (ours, theirs_or_none, up) if f is not None
                                     for c in changes_of(f, base, work)} | {SYNC_LOG})
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
                    apply_changes(gd, base, step, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    state["pending"] = None
    state["last_sync"] = _now_text()
    _write_json(folder / "state.json", state)


#: Above this many changes the base is refreshed by copying the just-updated LOCAL (one file copy)
#: instead of applying the changes a second time.
COPY_BASE_ABOVE = 2000


def _copy_base(lp: Path, base: Path, p: dict, work: Path) -> bool:
    """Make the base a copy of LOCAL, which equals the shared project right after the sync updated it:
    only if LOCAL is untouched since (its fingerprint then) and the copy holds this sync."""
    want = p.get("local_after")
    if want is None or _fingerprint(lp) != want[:-1]:
        return False
    tmp = base.with_name("base-next.gpkg")
    _discard(tmp)
    header = Header(lp)
    try:
        if header.counter() != want[-1]:
            return False
        _snapshot(lp, tmp)
        if header.counter() != want[-1] or not sharelog.holds(tmp, p["sync_uuid"]):
            _discard(tmp)
            return False
    finally:
        header.close()
    fsync_file(tmp)
    os.replace(tmp, base)
    fsync_dir(base.parent)
    return True


def _finish(lp: Path, state: dict) -> None:
    """After the shared file has our changes: LOCAL and the base become the merged project, keeping
    edits the sync refused and edits made on the laptop while it ran."""
    folder = sync_dir(lp)
    pending, sent_state = folder / "pending.gpkg", folder / "pending-sent.gpkg"
    p = state["pending"]
    if p["stage"] == "uploaded" and sharelog.holds(lp, p["sync_uuid"]):
        p["stage"] = "local_done"  # killed after the laptop was updated, before that was recorded
    if p["stage"] == "uploaded":
        if not sent_state.exists():  # a fast sync: what was sent is the merged file minus its log row
            _discard(sent_state)
            shutil.copyfile(pending, sent_state)
            with closing(connect_readwrite(sent_state)) as con, transaction(con):
                con.execute("DELETE FROM sync_log WHERE uuid = ?", (p["sync_uuid"],))
        scope = p.get("scope")
        work = Path(tempfile.mkdtemp(prefix="finish-", dir=folder))

        def result_for(mine: Path) -> Path:
            # local = merged + (local - what was sent), replayed row by row by uuid: the merge may have
            # renumbered this laptop's new rows, so fids cannot be trusted here
            result = work / "result.gpkg"
            _discard(result)
            shutil.copyfile(pending, result)
            install_tracking(result)  # the replayed edits must be marked for the next sync
            replay_by_uuid(sent_state, mine, result, work, dirty_tables(mine), user=state.get("user") or "",
                           sync_uuid=p["sync_uuid"])
            return result

        def rows_to_write(mine: Path, result: Path) -> list[tuple[str, str, int]]:
            tables = None if scope is None else set(scope) | (dirty_tables(mine) or set()) | (dirty_tables(result)
                                                                                               or set())
            d = work / f"finish-{_uuid.uuid4().hex}.diff"
            with _geodiff_tmp(work):
                _geodiff_for(tables).create_changeset(str(mine), str(result), str(d))
            return [(c.table, c.kind, c.fid) for c in changes_of(d, result, work)]

        try:
            update_in_place(lp, lambda dst: _snapshot(lp, dst), result_for, rows_to_write, work)
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
                landed = p["sync_uuid"] in history.read_snapshot(shared, work).syncs
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
            state["seq"], state["seq_uuid"] = p["seq"], p["sync_uuid"]
            state["snapshot_id"] = p.get("snapshot_id")
        else:  # written by an older GridWatch that replaced the whole shared file
            state["seq"], state["snapshot_id"] = None, None
        _write_json(folder / "state.json", state)
    _finish_any(lp, state)
    if not (folder / "base.gpkg").exists():
        raise StorageError(f"{lp}: sync base missing after recovery; check the project out again")
