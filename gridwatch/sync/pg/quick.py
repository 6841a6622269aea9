"""The quick path of a sync with the server, when nothing can clash: no file is copied.

Most syncs send a few edits of rows nobody else touched since.  Then the laptop's changes come
straight from the base -> working copy changeset (:func:`gridwatch.sync.prepare._quick_changes`, judged
by the domain as always; any refusal takes the full path), the rows the server changed since are read
in one snapshot, and if none of them is a row this laptop changed, there is nothing to merge: the edits
go to the server as they are, and the server's rows (others' and ours, with the server's fids) are
written into the working copy and the base in one transaction (both or neither).  The working copy is written
only if nothing was committed to it since it was diffed (SQLite's change counter, under its write lock);
else, and whenever the server refuses something, the full landing with files takes over
(:func:`gridwatch.sync.pg.store._land`), which keeps every local edit.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid as _uuid
from pathlib import Path
from typing import Any, Optional

from ...storage.gpkg import connect_readwrite, quote_ident, rows_by_fid, sqlite_tables
from ..changes import DIRTY_TABLE, SYNC_LOG, _geodiff, _geodiff_tmp, apply_changes
from ..files import SyncContext, _change_counter, _discard, _fingerprint, _now_text, _write_json, sync_dir
from ..prepare import _quick_changes
from ..settle import _log_row
from ..workcopy import Header
from . import rows as R
from . import upload as U
from .schema import TableDef


def sent_from_diff(lp: Path) -> None:
    """``pending-sent.gpkg`` (what a quick sync sent) rebuilt as the base plus its changeset."""
    folder = sync_dir(lp)
    sent = folder / "pending-sent.gpkg"
    _discard(sent)
    shutil.copyfile(folder / "base.gpkg", sent)
    diff = folder / "pending-ours.diff"
    if diff.exists() and _geodiff().has_changes(str(diff)):
        with _geodiff_tmp(folder):
            apply_changes(_geodiff(), sent, diff, diff.parent)


def sync_quick(con: Any, schema: str, tables: list[TableDef], ctx: SyncContext, steps: Any) -> bool:
    """Sync without merging if nothing can clash; False (nothing sent, nothing changed) otherwise."""
    from .store import _land

    lp, state, report = ctx.lp, ctx.state, ctx.report
    ours = _quick_changes(ctx)
    if ours is None or ours.diff is None or ours.counter is None:
        return False
    since = int(state["server_seq"])
    steps.start("download", "reading the server's changes")
    mark, changed, _rows = R.read_changes(con, schema, tables, since)
    by_name = {t.name: t for t in tables}
    ops: list[R.Op] = []
    audits: dict[str, list[R.Op]] = {}
    loose: list[R.Op] = []
    mine: dict[str, set[str]] = {}
    with ctx.reading(lp) as w, ctx.reading(ctx.base) as b:
        w_names, b_names = sqlite_tables(w), sqlite_tables(b)
        # the rows the changes name, read 500 at a time per table (10,000 edits: 40 queries, not 20,000)
        olds = _rows_named(b, b_names, [c for c in ours.changes if c.table in by_name and c.kind != "insert"])
        news = _rows_named(w, w_names, [c for c in ours.changes if c.table in by_name and c.kind != "delete"])
        for c in ours.changes:
            t = by_name.get(c.table)
            if t is None:
                continue
            old = olds.get((c.table, c.fid)) if c.kind != "insert" else None
            new = news.get((c.table, c.fid)) if c.kind != "delete" else None
            if (c.kind != "insert" and old is None) or (c.kind != "delete" and new is None):
                return False
            if old is not None and new is not None and old.get(t.key) != new.get(t.key):
                return False  # a row renumbered into another's place: the merge decides
            key = str((new or old or {})[t.key])
            if key in mine.get(c.table, set()):
                return False  # two rows of one key (a row renumbered): the full merge decides
            mine.setdefault(c.table, set()).add(key)
            if c.kind == "delete":
                op = R.Op(c.table, "delete", key)
            elif c.kind == "insert":
                op = R.Op(c.table, "insert", key, new or {})
            else:
                op = R.Op(c.table, "update", key, {k: v for k, v in (new or {}).items() if k in c.values})
            if c.table == "audit_log":
                target = (new or {}).get("row_uuid")
                (audits.setdefault(target, []) if target else loose).append(op)
            else:
                ops.append(op)
    if ctx.readers is not None:
        ctx.readers.close()  # from here on this sync writes the files (the full path opens its own)
        ctx.readers = None
    if any(keys & changed.get(table, set()) for table, keys in mine.items()):
        return False  # a row both sides changed: the full merge and the conflict rules decide
    if _fingerprint(lp) != ours.local_fingerprint or _change_counter(lp) != ours.counter:
        return False
    groups = U.group(ops, audits, loose, lp)
    sync_uuid = str(_uuid.uuid4())
    report.sent = len(ours.changes)
    report.received = sum(len(k) for t, k in changed.items() if t not in (SYNC_LOG, "audit_log"))
    log_row = _log_row(sync_uuid, ctx.user, report, {c.table for c in ours.changes} | {SYNC_LOG})
    folder = sync_dir(lp)
    shutil.copyfile(ours.diff, folder / "pending-ours.diff")
    state["pending"] = {"sync_uuid": sync_uuid, "stage": "pushing", "mode": "quick", "fast": False,
                        "scope": sorted(set(mine) | set(changed) | {SYNC_LOG, "sync_conflict"}),
                        "report": report.to_dict()}
    _write_json(folder / "state.json", state)
    steps.start("upload", "sending to the server")
    try:
        pusher = R.Pusher(con, schema, tables, mark, ctx.person["role"])
        finish = U.Finish(schema, sync_uuid, log_row, [], report)
        refused = pusher.push(groups, finish)
    except R.Stale:
        state["pending"] = None
        _write_json(folder / "state.json", state)
        (folder / "pending-ours.diff").unlink(missing_ok=True)
        return False
    steps._cancel = None  # the server has our changes: finish regardless
    steps.start("finish", "updating this laptop")
    reasons = [(g[-1].table, g[-1].key, why) for g, why in refused]
    U.refused_report(report, reasons)
    if refused or not _land_quick(con, schema, tables, lp, state, since, ours.counter, ops, finish.version):
        sent_from_diff(lp)
        _land(con, schema, tables, lp, state, reasons)
    (folder / "pending-ours.diff").unlink(missing_ok=True)
    return True


def _rows_named(con: sqlite3.Connection, names: set[str], changes: list[Any]) -> dict[tuple[str, int], dict[str, Any]]:
    """The rows ``changes`` name in ``con``, by (table, fid)."""
    fids: dict[str, list[int]] = {}
    for c in changes:
        if c.table in names:
            fids.setdefault(c.table, []).append(c.fid)
    return {(table, row["fid"]): row for table, part in fids.items() for row in rows_by_fid(con, table, part, names)}


def _land_quick(con: Any, schema: str, tables: list[TableDef], lp: Path, state: dict, since: int,
                counter: int, ops: list[R.Op], ours_until: Optional[int]) -> bool:
    """The server's rows since ``since`` into the working copy (if untouched since it was diffed) and
    the base.  Rows this sync updated or deleted that nobody changed after it are not read back: the
    working copy holds them as the server does, and the base gets them from the sync's own operations.
    ``ours_until``: the row version of the sync's log row, the last row it wrote.
    False: the working copy was edited meanwhile (nothing written to it)."""
    if ours_until is None:
        return False
    settled = {(op.table, op.key) for op in ops if op.kind in ("update", "delete")}
    mark, changed, rows = R.read_changes(con, schema, tables, since,
                                         skip=lambda t, k, last: (t, k) in settled and last <= ours_until)
    # The working copy and the base in ONE transaction (the base attached to the working copy's
    # connection: SQLite commits both or neither, through a super-journal).  Two transactions left a
    # window the torture found: killed after the working copy took the server's rows and before the
    # base (or state.json) said so, the recovery landed the sync again from the old base, and the
    # laptop's change number moved past rows its copy never stored.  Now a sync killed anywhere here
    # finds both files before (the recovery lands it again, the copy untouched) or both after (the
    # base holds the sync's log row; the next pull reads again from the old change number, which
    # rewrites the same rows).  In the base: the sync's own updates and deletes as sent (its inserts
    # come back with the server's fids among the rows read), then the server's rows.
    folder = sync_dir(lp)
    by_name = {t.name: t for t in tables}
    header = Header(lp)  # opened before the lock, closed after it (see workcopy.Header)
    try:
        w = connect_readwrite(lp)
        try:
            w.execute("ATTACH DATABASE ? AS " + R.ATTACHED_BASE, (str(folder / "base.gpkg"),))
            w.execute("PRAGMA " + R.ATTACHED_BASE + ".journal_mode = DELETE")
            w.execute("BEGIN IMMEDIATE")
            if header.counter() != counter:
                w.execute("ROLLBACK")
                return False
            R.write_rows_into(w, tables, changed, rows)
            w.execute("DELETE FROM " + DIRTY_TABLE)
            prefix = R.ATTACHED_BASE + "."
            names = {r[0] for r in w.execute("SELECT name FROM " + prefix + "sqlite_master WHERE type = 'table'")}
            for op in ops:
                if (op.table, op.key) not in settled or op.table not in by_name:
                    continue
                t = by_name[op.table]
                qt, qk = prefix + quote_ident(t.name, names), quote_ident(t.key, t.names)
                if op.kind == "delete":
                    w.execute("DELETE FROM " + qt + " WHERE " + qk + " = ?", (op.key,))
                    continue
                cols = [c for c in op.values if c not in ("fid", t.key) and c in t.names]
                if cols:
                    w.execute("UPDATE " + qt + " SET " + ", ".join(quote_ident(c, t.names) + " = ?" for c in cols)
                              + " WHERE " + qk + " = ?", [op.values[c] for c in cols] + [op.key])
            R.write_rows_into(w, tables, changed, rows, attached=R.ATTACHED_BASE)
            w.execute("COMMIT")
        except BaseException:
            if w.in_transaction:
                w.execute("ROLLBACK")
            raise
        finally:
            w.close()
    finally:
        header.close()
    state["server_seq"] = mark
    state["pending"] = None
    state["last_sync"] = _now_text()
    _write_json(folder / "state.json", state)
    return True


