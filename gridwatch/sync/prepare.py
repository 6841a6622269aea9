"""Preparing what a sync sends: this laptop's changes, the shared state as found under the lock,
and the merge (changesets only when they can decide, else on files)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid as _uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..storage.gate import geodiff_using
from ..storage.gpkg import connect_readwrite, fsync_file, transaction
from . import history, sharelog
from .changes import (
    SYNC_LOG,
    Change,
    _clear_dirty,
    _concat,
    _geodiff,
    _geodiff_errors,
    _geodiff_for,
    _geodiff_tmp,
    changes_of,
    dirty_tables,
    list_changes,
    recount_density,
)
from .files import (
    SyncContext,
    _change_counter,
    _discard,
    _fingerprint,
    _integrity,
    _now_text,
    _snapshot,
)
from .permissions import _revert, _scope, judge_changes
from .restore import restore_lost
from .settle import (
    _align_fids,
    _log_row,
    _log_row_changeset,
    _log_sync,
    _received,
    _record_deleted_edits,
    _their_summary,
    _their_tables,
    settle_conflicts,
)


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


def _quick_changes(ctx: SyncContext) -> Optional[_Ours]:
    """Diff base -> LOCAL without copying LOCAL: None if an edit landed meanwhile (three tries) or
    the role refuses something (then the full path with a snapshot takes over).  The tables to
    compare are read between the same two fingerprints as the diff, so they describe that state."""
    lp, base, work, person = ctx.lp, ctx.base, ctx.work, ctx.person
    for _ in range(3):
        fp, counter = _fingerprint(lp), _change_counter(lp)
        with ctx.reading(lp) as o:
            tables = _scope(dirty_tables(lp, o), person)
        diff = work / "ours.diff"
        diff.unlink(missing_ok=True)
        try:
            with geodiff_using(lp), _geodiff_tmp(work):  # pygeodiff's SQLite alone on it
                _geodiff_for(tables).create_changeset(str(base), str(lp), str(diff))
        except _geodiff_errors():
            # pygeodiff read the file while another program was writing it ("database is locked",
            # "table does not exist"): try again, then fall back to a consistent copy
            import time

            time.sleep(0.2)
            continue
        with ctx.reading(base) as b, ctx.reading(lp) as o:
            changes = changes_of(diff, base, work, b)
            if judge_changes(changes, person, b, o):
                return None
        if _fingerprint(lp) == fp and _change_counter(lp) == counter:
            return _Ours(changes, [], fp, diff=diff, tables=tables, counter=counter)
    return None


def _full_changes(ctx: SyncContext) -> _Ours:
    """Snapshot LOCAL into the sync folder, diff it, and take out what the role may not change."""
    lp, base, folder, work, person, report = ctx.lp, ctx.base, ctx.folder, ctx.work, ctx.person, ctx.report
    ours = folder / "pending.gpkg"
    _discard(ours)
    _discard(folder / "pending-sent.gpkg")
    local_fp = _fingerprint(lp)  # before the copy: an edit made meanwhile shows as a change
    _snapshot(lp, ours)
    tables = _scope(dirty_tables(ours), person)  # from the snapshot: the state that is diffed
    changes = list_changes(base, ours, work, tables)
    with closing(sqlite3.connect(f"file:{base}?mode=ro", uri=True)) as b, closing(connect_readwrite(ours)) as o:
        reasons = judge_changes(changes, person, b, o)
        refused = [c for i, c in enumerate(changes) if i in reasons]
        if refused:
            with transaction(o):
                for c in refused:
                    _revert(o, b, c)
            for i, c in enumerate(changes):
                if i in reasons and len(report.messages) < 20:
                    report.messages.append(f"refused: {c.kind} in {c.table}: {reasons[i]}")
    return _Ours(changes, refused, local_fp, file=ours, tables=tables)


@dataclass
class _ShareView:
    """The shared project as a sync finds it under the lock."""

    snapshot: history.Snapshot
    log: list[sharelog.Entry]
    new: list[sharelog.Entry]  # entries after the base's (meaningful when in_step)
    in_step: bool  # the base is the snapshot we knew plus the log up to state["seq"]: changesets suffice
    lost: set[str]  # syncs the base holds that the share does not (a rollback)


def _read_share(ctx: SyncContext) -> _ShareView:
    """Read the snapshot (content, not file times) and the log, and decide whether the base is still
    the shared state we knew.  Not if the snapshot was replaced (a compaction, a copy put back) or
    edited by another program, if the entry our base ends with is gone or two entries share a
    number (the share went back in time, two syncs wrote at once), or if the share lacks syncs our
    base holds."""
    shared, base, state, work = ctx.shared, ctx.base, ctx.state, ctx.work
    snap = history.read_snapshot(shared, work)
    log = sharelog.entries(shared)
    seq, seq_uuid = state.get("seq"), state.get("seq_uuid")
    numbers = [e.seq for e in log]
    lost = history.lost_syncs(base, snap.syncs | {e.sync_uuid for e in log})
    new = [e for e in log if seq is not None and e.seq > seq]
    in_step = (seq is not None and snap.identity == state.get("snapshot_id") and snap.open_elsewhere is None
               and len(numbers) == len(set(numbers)) and not lost
               and (seq == 0 or any(e.seq == seq and e.sync_uuid == seq_uuid for e in log))
               and [e.seq for e in new] == list(range(seq + 1, seq + 1 + len(new))))
    return _ShareView(snap, log, new, in_step, lost)


def _prepare_quick(ctx: SyncContext, ours: _Ours, new: list[sharelog.Entry]) -> Optional[dict[str, Any]]:
    """Changesets only: rebase ours onto the entries others sent, add the sync_log row.  None when
    the full merge must decide (conflicts, rows renumbered into another's place)."""
    assert ours.diff is not None
    base, work, user, report, steps, folder = ctx.base, ctx.work, ctx.user, ctx.report, ctx.steps, ctx.folder
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


def _prepare_full(ctx: SyncContext, ours: _Ours, view: _ShareView) -> dict[str, Any]:
    """The whole merge on files: the shared state rebuilt locally, what a rollback lost put back,
    pygeodiff rebase, domain rules."""
    assert ours.file is not None
    shared, base, work, folder, user, report, steps = (ctx.shared, ctx.base, ctx.work, ctx.folder, ctx.user,
                                                       ctx.report, ctx.steps)
    mine_tables = ours.tables
    sync_uuid = str(_uuid.uuid4())
    repaired = False
    as_shared: Optional[Path] = None  # the shared state as others see it, when the merge uses a repaired copy
    if view.in_step and not view.new:
        theirs = base
    else:
        theirs = work / "theirs.gpkg"
        if view.in_step:
            shutil.copyfile(base, theirs)
            sharelog.apply_entries(theirs, view.new, work)
        else:  # the snapshot was replaced, edited or put back: rebuild the shared state from it
            theirs, skipped = _rebuild_shared(shared, view.log, work)
            lost = history.lost_syncs(base, history.sync_uuids(theirs))
            repaired = bool(skipped or lost or view.snapshot.edited_tables or
                            [e.seq for e in view.log] != sorted({e.seq for e in view.log}))
            if skipped:
                report.messages.append(f"{len(skipped)} change file(s) of the shared project no longer fit it and "
                                       "were set aside; the laptops that hold them send them again")
            if lost:
                as_shared = theirs
                theirs = work / "theirs-restored.gpkg"
                shutil.copyfile(as_shared, theirs)
                restored, conflicts = restore_lost(base, theirs, user, sync_uuid, _now_text(),
                                                   view.snapshot.edited_tables)
                report.rolled_back = True
                report.conflicts += conflicts
                report.sent += restored
                report.messages.insert(0, history.ROLLBACK_MESSAGE.format(n=len(lost)))
        report.received = _received(base, theirs)
    steps.report(1.0)
    steps.start("merge", "merging")
    merged = ours.file
    sent_state = folder / "pending-sent.gpkg"
    fast = theirs == base and not ours.refused
    sent_view = merged
    if repaired:
        mine_tables = None  # compare every table: the shared state changed in ways no sync recorded
    if not fast:
        # keep what is sent, to put the laptop's refused or newer edits back on top afterwards
        shutil.copyfile(merged, sent_state)
        sent_view = sent_state
    sent_tables = {c.table for c in ours.changes if not any(c is r for r in ours.refused)}
    theirs_tables: Optional[set[str]] = set()
    if theirs != base:
        conflicts = work / "conflicts.json"
        theirs_tables = _their_tables(base, theirs)
        scope = None if mine_tables is None or theirs_tables is None else mine_tables | theirs_tables
        rebase_from = _align_fids(base, theirs, merged, work, scope)
        with _geodiff_tmp(work):
            _geodiff_for(scope).rebase(str(rebase_from), str(theirs), str(merged), str(conflicts))
        recount_density(merged, scope)  # pygeodiff rebased with the triggers off
        report.conflicts += settle_conflicts(conflicts, merged, sent_view, theirs, user, sync_uuid, rebase_from)
        deleted = [c for c in ours.changes if c.kind == "delete" and not any(c is r for r in ours.refused)]
        if deleted:
            report.conflicts += _record_deleted_edits(deleted, theirs, merged, user, sync_uuid)
        if report.conflicts:
            sent_tables.add("sync_conflict")
    report.refused = len(ours.refused)
    report.sent += len(ours.changes) - len(ours.refused)
    _log_sync(merged, sync_uuid, user, report, sent_tables | {SYNC_LOG})
    _clear_dirty(merged)
    # what goes to the share: the merged file's difference from the shared state
    scope_up = None if mine_tables is None or theirs_tables is None else \
        mine_tables | theirs_tables | sent_tables | {SYNC_LOG, "sync_conflict"}
    upload = work / "upload.diff"
    with _geodiff_tmp(work):
        _geodiff_for(scope_up).create_changeset(str(as_shared or theirs), str(merged), str(upload))
    fsync_file(merged)
    if not fast:
        fsync_file(sent_state)
    dst = folder / "pending-up.diff"
    shutil.copyfile(upload, dst)
    fsync_file(dst)
    return {"sync_uuid": sync_uuid, "changeset": dst, "fast": fast, "repaired": repaired,
            "scope": None if scope_up is None else sorted(scope_up)}


def _rebuild_shared(shared: Path, log: list[sharelog.Entry], work: Path) -> tuple[Path, list[sharelog.Entry]]:
    """The shared state as a local file: the snapshot (with what another program left in its journal
    folded in) plus the entries it does not hold, skipping those that no longer fit."""
    theirs = work / "theirs.gpkg"
    history.copy_snapshot(shared, theirs)
    _integrity(theirs, shared)
    skipped = sharelog.apply_entries(theirs, sharelog.missing_from(theirs, log), work, tolerant=True)
    return theirs, skipped
