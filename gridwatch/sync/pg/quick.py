"""The quick path of a sync with the server, when the changes merge row by row: no file is copied.

Most syncs send a few edits of rows nobody else touched since.  Then the laptop's changes come
straight from the base -> working copy changeset (:func:`gridwatch.sync.prepare._quick_changes`, judged
by the domain as always; any refusal takes the full path), the rows the server changed since are read
in one snapshot, and the edits go to the server as they are; the server's rows (others' and ours, with
the server's fids) are written into the working copy and the base in one transaction (both or neither).
A row both this laptop and the server updated is merged here as the files' merge merges it
(:func:`merge_rows`: the columns each side changed, the domain's conflict rule for a column both
changed, the conflict recorded); a row deleted or inserted on both sides, or two lifecycle steps of one
row, go to the full merge with files.  A row that changes on the server between the read and the push
is read and merged again (up to :data:`gridwatch.sync.pg.store.RETRIES` times).
The working copy is written only if nothing was committed to it since it was diffed (SQLite's change
counter, under its write lock); else, and whenever the server refuses something, the full landing with
files takes over (:func:`gridwatch.sync.pg.store._land`), which keeps every local edit.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid as _uuid
from pathlib import Path
from typing import Any, Optional

from ...storage.gate import sqlite_writing
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
    """Sync without files if the changes can be merged row by row; False (nothing sent, nothing changed)
    otherwise."""
    from .store import RETRIES, _land

    lp, state, report = ctx.lp, ctx.state, ctx.report
    ours = _quick_changes(ctx)
    if ours is None or ours.diff is None or ours.counter is None:
        return False
    since = int(state["server_seq"])
    by_name = {t.name: t for t in tables}
    ops: list[R.Op] = []
    audits: dict[str, list[R.Op]] = {}
    loose: list[R.Op] = []
    mine: dict[str, set[str]] = {}
    rows_of: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}  # an update's (base, ours) rows
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
                rows_of[(c.table, key)] = (old or {}, new or {})
            if c.table == "audit_log":
                target = (new or {}).get("row_uuid")
                (audits.setdefault(target, []) if target else loose).append(op)
            else:
                ops.append(op)
    if ctx.readers is not None:
        ctx.readers.close()  # from here on this sync writes the files (the full path opens its own)
        ctx.readers = None
    if _fingerprint(lp) != ours.local_fingerprint or _change_counter(lp) != ours.counter:
        return False
    folder = sync_dir(lp)
    for _attempt in range(RETRIES):
        steps.start("download", "reading the server's changes")
        mark, changed, rows = R.read_changes(con, schema, tables, since)
        sync_uuid = str(_uuid.uuid4())
        both = {(table, k) for table, keys in mine.items() for k in keys & changed.get(table, set())}
        to_send, conflicts = ops, []
        if both:
            merged = merge_rows(con, schema, by_name, both, ops, rows_of, rows, sync_uuid, ctx.user)
            if merged is None:
                return False  # a delete or insert both sides made, a lifecycle step against another: the full merge
            to_send, conflicts = merged
        report.sent = len(ours.changes)
        report.conflicts = len(conflicts)
        report.received = sum(len(k) for t, k in changed.items() if t not in (SYNC_LOG, "audit_log"))
        sent_tables = {c.table for c in ours.changes} | {SYNC_LOG} | ({"sync_conflict"} if conflicts else set())
        log_row = _log_row(sync_uuid, ctx.user, report, sent_tables)
        shutil.copyfile(ours.diff, folder / "pending-ours.diff")
        state["pending"] = {"sync_uuid": sync_uuid, "stage": "pushing", "mode": "quick", "fast": False,
                            "scope": sorted(set(mine) | set(changed) | {SYNC_LOG, "sync_conflict"}),
                            "report": report.to_dict()}
        _write_json(folder / "state.json", state)
        steps.start("upload", "sending to the server")
        try:
            pusher = R.Pusher(con, schema, tables, mark, ctx.person["role"])
            finish = U.Finish(schema, sync_uuid, log_row, conflicts, report)
            refused = pusher.push(U.group(list(to_send), {k: list(v) for k, v in audits.items()}, list(loose), lp),
                                  finish)
        except R.Stale:
            # a row this sync sends changed on the server after it was read: read again, merge again
            state["pending"] = None
            _write_json(folder / "state.json", state)
            (folder / "pending-ours.diff").unlink(missing_ok=True)
            continue
        break
    else:
        return False
    steps._cancel = None  # the server has our changes: finish regardless
    steps.start("finish", "updating this laptop")
    reasons = [(g[-1].table, g[-1].key, why) for g, why in refused]
    U.refused_report(report, reasons)
    # rows merged with the server's are read back from it (both files take the merged row); the others
    # were sent as they are
    settled = [op for op in to_send if (op.table, op.key) not in both]
    if refused or not _land_quick(con, schema, tables, lp, state, since, ours.counter, settled, finish.version,
                                  read=(mark, changed, rows)):
        sent_from_diff(lp)
        _land(con, schema, tables, lp, state, reasons)
    (folder / "pending-ours.diff").unlink(missing_ok=True)
    return True


def merge_rows(con: Any, schema: str, by_name: dict[str, TableDef], both: set[tuple[str, str]], ops: list[R.Op],
               rows_of: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]],
               server_rows: dict[str, list[list[Any]]], sync_uuid: str,
               user: str) -> Optional[tuple[list[R.Op], list[dict[str, Any]]]]:
    """Our row changes merged with the server's where both sides updated a row (``both``), as the files'
    merge does it (:func:`gridwatch.sync.settle.settle_conflicts`): a column only one side changed takes
    that side's value; one both changed to different values is decided by the domain's conflict rule
    (:func:`gridwatch.domain.settle.winner`) and recorded as a conflict.  Returns the operations to send
    (a merged row as its difference from the server's row) and the conflict rows; None when the full
    merge must decide: a row deleted or inserted on either side, a key or log table, a lifecycle step
    against another (the losing step goes as a whole)."""
    from ...domain.settle import STATUS_RULE, winner
    from ..rows import _BOOKKEEPING, _json_value

    server: dict[tuple[str, str], dict[str, Any]] = {}
    for table, k in both:
        t = by_name.get(table)
        if t is None or t.key != "uuid" or table in (SYNC_LOG, "audit_log", "sync_conflict"):
            return None
        if (table, k) not in rows_of:  # not an update of ours
            return None
        i = t.names.index(t.key)
        row = next((r for r in server_rows.get(table, ()) if str(r[i]) == k), None)
        if row is None:
            return None  # deleted on the server
        server[(table, k)] = dict(zip(t.names, row))
    out: list[R.Op] = []
    conflicts: list[dict[str, Any]] = []
    stamp = _now_text()
    for op in ops:
        if (op.table, op.key) not in both:
            out.append(op)
            continue
        t = by_name[op.table]
        base, ours = rows_of[(op.table, op.key)]
        theirs = server[(op.table, op.key)]
        cols = [c for c in t.names if c not in ("fid", t.key)]
        mine = {c for c in cols if c in op.values}
        clash = sorted(c for c in cols if c in mine and theirs.get(c) != base.get(c) and theirs.get(c) != ours.get(c))
        merged = dict(theirs)
        merged.update({c: ours.get(c) for c in mine if c not in clash})
        if clash:
            side, rule = winner(op.table, ours, theirs, clash)
            if rule == STATUS_RULE:
                return None
            keep, lose = (ours, theirs) if side == "ours" else (theirs, ours)
            merged.update({c: keep.get(c) for c in clash})
            me = f"{user} (this sync)"
            other = _last_editor(con, schema, op.key) or "shared project"
            for c in clash:
                if keep.get(c) == lose.get(c) or c in _BOOKKEEPING:
                    continue
                conflicts.append({"uuid": str(_uuid.uuid4()), "sync_uuid": sync_uuid, "at": stamp,
                                  "table_name": op.table, "row_uuid": op.key, "column_name": c,
                                  "kept_value": _json_value(keep.get(c)), "other_value": _json_value(lose.get(c)),
                                  "kept_by": me if side == "ours" else other,
                                  "other_by": other if side == "ours" else me, "rule": rule, "status": "open"})
        values = {c: merged.get(c) for c in cols if merged.get(c) != theirs.get(c)}
        if values:  # else the server's row is the merged row: nothing of it to send (its audit rows go alone)
            out.append(R.Op(op.table, "update", op.key, values))
    return out, conflicts


def _last_editor(con: Any, schema: str, row_uuid: str) -> str:
    """Who last edited ``row_uuid`` on the server, by its audit rows (the files' merge names them so)."""
    from psycopg import sql

    with con.cursor() as cur:
        cur.execute(sql.SQL("SELECT user_name FROM {}.audit_log WHERE row_uuid = %s ORDER BY at DESC LIMIT 1").format(
            sql.Identifier(schema)), (row_uuid,))
        r = cur.fetchone()
    con.rollback()
    return str(r[0]) if r and r[0] is not None else ""


def _newer(tables: list[TableDef], first: tuple[int, dict[str, set[str]], dict[str, list[list[Any]]]],
           then: tuple[int, dict[str, set[str]], dict[str, list[list[Any]]]]
           ) -> tuple[int, dict[str, set[str]], dict[str, list[list[Any]]]]:
    """Two reads of the server's changes, the second since the first's change number, as one read since
    the first's start: a row the second read names is as the second read found it (or deleted)."""
    by_name = {t.name: t for t in tables}
    _mark, changed, rows = first
    mark, changed2, rows2 = then
    out_changed = {t: set(k) for t, k in changed.items()}
    for t, keys in changed2.items():
        out_changed.setdefault(t, set()).update(keys)
    out_rows: dict[str, list[list[Any]]] = {}
    for t in out_changed:
        if t not in by_name:
            continue
        i = by_name[t].names.index(by_name[t].key)
        newer = changed2.get(t, set())
        out_rows[t] = [r for r in rows.get(t, []) if str(r[i]) not in newer] + rows2.get(t, [])
    return mark, out_changed, out_rows


def _rows_named(con: sqlite3.Connection, names: set[str], changes: list[Any]) -> dict[tuple[str, int], dict[str, Any]]:
    """The rows ``changes`` name in ``con``, by (table, fid)."""
    fids: dict[str, list[int]] = {}
    for c in changes:
        if c.table in names:
            fids.setdefault(c.table, []).append(c.fid)
    return {(table, row["fid"]): row for table, part in fids.items() for row in rows_by_fid(con, table, part, names)}


def _land_quick(con: Any, schema: str, tables: list[TableDef], lp: Path, state: dict, since: int,
                counter: int, ops: list[R.Op], ours_until: Optional[int],
                read: Optional[tuple[int, dict[str, set[str]], dict[str, list[list[Any]]]]] = None) -> bool:
    """The server's rows since ``since`` into the working copy (if untouched since it was diffed) and
    the base.  Rows this sync updated or deleted that nobody changed after it are not read back: the
    working copy holds them as the server does, and the base gets them from the sync's own operations.
    ``ours_until``: the row version of the sync's log row, the last row it wrote.  ``read``: what the sync
    read of the server before it pushed (change number, keys, rows since ``since``): only what changed
    after it is read again (with 50 laptops syncing at once, the later ones read the earlier ones' rows
    once, not twice).  False: the working copy was edited meanwhile (nothing written to it)."""
    if ours_until is None:
        return False
    settled = {(op.table, op.key) for op in ops if op.kind in ("update", "delete")}
    skip = lambda t, k, last: (t, k) in settled and last <= ours_until  # noqa: E731
    if read is None:
        mark, changed, rows = R.read_changes(con, schema, tables, since, skip=skip)
    else:
        mark, changed, rows = _newer(tables, read, R.read_changes(con, schema, tables, read[0], skip=skip))
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
    with sqlite_writing(lp):  # no GDAL read of it in this process meanwhile (storage.gate)
        header = Header(lp)  # read without closing a descriptor (see workcopy.Header)
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


