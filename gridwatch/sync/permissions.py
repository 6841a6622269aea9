"""What the syncing user's role may send: every row a working copy changed is judged by the domain
policy (:func:`gridwatch.domain.policy.judge_row_change`), the one place that decides who may do
what, so the sync checks what the app checks.

A working copy sends the net change of each row since its base, which may be several steps (a
finding recorded, assigned and rectified between two syncs).  Each step the app took is in the audit
log, so the sync replays a row's new audit entries in order from the base row and judges every step
as the person its audit entry names (on an inspector's laptop that must be the inspector); what the
final row holds beyond the audited steps (an edit made by hand, with sqlite3) is judged as one more
change by the syncing user.  A change without audit entries is judged as it stands.  Audit entries
of a refused change stay on the laptop with it.

These checks run on the laptop, whose base file an inspector can edit as easily as the working copy:
they stop mistakes, stale windows, scripts and hand edits of the working copy, not someone who
rewrites the sync's own files (that takes a server).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any, Optional

from ..domain.policy import Actor
from ..domain.row_rules import RowContext, judge_row_change
from ..domain.steps import judge_steps
from ..errors import SyncError
from ..storage.gpkg import quote_ident, rows_by_fid, sqlite_tables
from .changes import Change
from .history import ro_uri
from .rows import _columns, _row

#: Tables nobody but an administrator changes: the grid of responsibility and its people.
ADMIN_TABLES = {"township", "village", "grid_cell", "inspector"}

def _person(path: Path, name: str, con: Optional[sqlite3.Connection] = None) -> dict[str, Any]:
    """Who ``name`` is in the project ``path`` (``con``: a read-only connection of it, left open)."""
    from contextlib import closing

    if con is None:
        with closing(sqlite3.connect(ro_uri(path), uri=True)) as own:
            return _person(path, name, own)
    row = con.execute("SELECT uuid, name, role FROM inspector WHERE name = ? AND (active IS NULL OR active = 1)",
                      (name,)).fetchone()
    if row is None:
        raise SyncError(f"{path}: nobody called {name!r} is an active person of this project")
    cells = {r[0] for r in con.execute("SELECT code FROM grid_cell WHERE inspector_uuid = ?", (row[0],))}
    return {"uuid": row[0], "name": row[1], "role": row[2], "cells": cells}


def _scope(dirty: Optional[set[str]], person: dict[str, Any]) -> Optional[set[str]]:
    """The tables to compare: those the laptop's triggers marked (None: all), and for everyone but
    administrators the grid and its people, which nobody else may change."""
    if dirty is not None and person["role"] != "admin":
        return dirty | ADMIN_TABLES
    return dirty



def _actor(person: dict[str, Any], base: sqlite3.Connection) -> tuple[Actor, dict[str, Actor], dict[str, str]]:
    """The syncing person as the domain sees them, the active people by name, and every role by uuid."""
    # a grid chief's rows must lie in their township (schema 4: the person's township_code)
    has_town = any(r[1] == "township_code" for r in base.execute("PRAGMA table_info(inspector)"))
    town = base.execute("SELECT township_code FROM inspector WHERE uuid = ?", (person["uuid"],)).fetchone() \
        if has_town else None
    actor = Actor(person["uuid"], person["name"], person["role"], str(town[0]) if town and town[0] else None)
    people = dict(base.execute("SELECT uuid, role FROM inspector"))
    by_name = {name: Actor(uuid, name, role) for uuid, name, role in
               base.execute("SELECT uuid, name, role FROM inspector WHERE active IS NULL OR active = 1")}
    return actor, by_name, people


def _context(person: dict[str, Any], actor: Actor, people: dict[str, str], con: sqlite3.Connection,
             restored: frozenset = frozenset()) -> RowContext:
    mine = {r[0] for r in con.execute("SELECT uuid FROM inspection WHERE inspector_uuid = ?", (actor.uuid,))} \
        if "inspection" in sqlite_tables(con) else set()
    return RowContext(cells=frozenset(person["cells"]), inspections=frozenset(mine), people=people,
                      restored=restored)


def judge_now(con: sqlite3.Connection, person: dict[str, Any], table: str, before: dict[str, Any],
              after: dict[str, Any]) -> Optional[str]:
    """Why ``person`` may not change ``before`` into ``after`` as the row stands in ``con`` (None: they
    may): used when an edit made during a sync meets a row the shared project moved meanwhile."""
    actor, _by_name, people = _actor(person, con)
    why = judge_row_change(actor, table, "update", before, after, _context(person, actor, people, con))
    return None if why is None else why.message

def judge_changes(changes: list[Change], person: dict[str, Any], base: sqlite3.Connection,
                  ours: sqlite3.Connection) -> dict[int, str]:
    """Why each refused change may not be sent (index into ``changes`` -> reason); the rest may."""
    actor, by_name, people = _actor(person, base)
    tables = sqlite_tables(ours)
    # the sync's new audit entries, per row, in the order they were written
    audits: dict[str, list[dict[str, Any]]] = defaultdict(list)
    audit_of: dict[int, str] = {}
    for i, c in enumerate(changes):
        if c.table == "audit_log" and c.kind == "insert":
            row = _row(ours, "audit_log", c.fid)
            if row is not None and row.get("row_uuid"):
                audits[row["row_uuid"]].append(row)
                audit_of[i] = row["row_uuid"]
    for rows in audits.values():
        rows.sort(key=lambda r: r["fid"])
    restored = set()
    if "sync_conflict" in tables:
        for c in changes:
            if c.table == "sync_conflict" and c.kind == "update" and c.values.get("status") == "restored":
                row = _row(ours, "sync_conflict", c.fid)
                if row is not None:
                    restored.add((row["table_name"], row["row_uuid"]))
    context = _context(person, actor, people, ours, frozenset(restored))
    refused: dict[int, str] = {}
    refused_rows: set[str] = set()
    before_rows = _rows_by_fid(base, [c for c in changes if c.kind != "insert"])
    after_rows = _rows_by_fid(ours, [c for c in changes if c.kind != "delete"])
    for i, c in enumerate(changes):
        if c.table == "audit_log":
            continue
        before = before_rows.get((c.table, c.fid)) if c.kind != "insert" else None
        after = after_rows.get((c.table, c.fid)) if c.kind != "delete" else None
        uid = (before or after or {}).get("uuid")
        steps = audits.get(uid, []) if uid else []
        why = _judge_steps(actor, by_name, c, before, after, steps, context, _columns(ours, c.table)) if steps else \
            judge_row_change(actor, c.table, c.kind, before, after, context)
        if why is not None:
            refused[i] = why.message if hasattr(why, "message") else str(why)
            if uid:
                refused_rows.add(uid)
    for i, c in enumerate(changes):
        if c.table != "audit_log":
            continue
        if i in audit_of and audit_of[i] in refused_rows:
            refused[i] = "the change it records was refused"
            continue
        before = before_rows.get((c.table, c.fid)) if c.kind != "insert" else None
        after = after_rows.get((c.table, c.fid)) if c.kind != "delete" else None
        why = judge_row_change(actor, "audit_log", c.kind, before, after, context)
        if why is not None:
            refused[i] = why.message
    return refused


def _rows_by_fid(con: sqlite3.Connection, changes: list[Change]) -> dict[tuple[str, int], dict[str, Any]]:
    """The rows the changes name, read 500 at a time per table (a sync of 10,000 edits reads them in
    twenty queries, not 10,000)."""
    names = sqlite_tables(con)
    by_table: dict[str, list[int]] = defaultdict(list)
    for c in changes:
        if c.table in names:
            by_table[c.table].append(c.fid)
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for table, fids in by_table.items():
        for row in rows_by_fid(con, table, fids, names):
            out[(table, row["fid"])] = row
    return out


def _judge_steps(actor: Actor, by_name: dict[str, Actor], c: Change, before: Optional[dict[str, Any]],
                 after: Optional[dict[str, Any]], steps: list[dict[str, Any]], context: RowContext,
                 cols: list[str]) -> Any:
    """Replay a row's audited steps from the base row, judging each as its writer (the domain's
    :func:`~gridwatch.domain.steps.judge_steps`, which the PostgreSQL server runs too)."""
    return judge_steps(actor, by_name, c.table, c.kind, before, after, steps, context, cols)


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
        names = [k for k in row if k in cols and k != "fid"]
        ours.execute("UPDATE " + qt + " SET " + ", ".join(quote_ident(k, cols) + " = ?" for k in names)
                     + " WHERE fid = ?", [row[k] for k in names] + [change.fid])
    else:
        names = [k for k in row if k in cols]
        ours.execute("INSERT INTO " + qt + " (" + ", ".join(quote_ident(k, cols) for k in names) + ") VALUES ("
                     + ", ".join("?" for _ in names) + ")", [row[k] for k in names])
