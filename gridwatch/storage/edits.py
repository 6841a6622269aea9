"""Reversible edits: every workflow write is a list of row changes, applied in one transaction.

An :class:`Edit` records, for each row it touches, the values before and after (``None`` for a
row that did not exist / no longer exists).  Applying it writes the rows and one audit-log row per
change in a single transaction; its :meth:`Edit.inverse` undoes it the same way.  Before writing,
every row is checked to still hold the values the edit expects, so an undo never overwrites a
change that arrived in between (from another window or a sync): it is refused instead.

This is the command object of the app's undo/redo: the UI keeps a stack of applied edits.
"""

from __future__ import annotations

import datetime as _dt
import json
import sqlite3
import uuid as _uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from ..errors import StorageError
from .gpkg import BULK_ROWS, counted_once, gpkg_datetime, quote_ident, sqlite_tables

Row = Mapping[str, Any]


@dataclass(frozen=True)
class RowChange:
    """One row of ``table`` (by ``uuid``): its values before and after (None = absent)."""

    table: str
    uuid: str
    before: Optional[Row]
    after: Optional[Row]

    def inverse(self) -> "RowChange":
        return RowChange(self.table, self.uuid, self.after, self.before)

    def changed_columns(self) -> list[str]:
        if self.before is None:
            return list(self.after or {})
        if self.after is None:
            return list(self.before)
        return [k for k in self.after if self.before.get(k) != self.after.get(k)]


@dataclass
class Edit:
    """A user's action as row changes: ``action`` names it in the audit log, ``title`` in the UI."""

    action: str
    title: str
    changes: list[RowChange] = field(default_factory=list)
    details: str = ""
    #: Warnings the user should see (a location outside the cell, a photo far from it ...).
    warnings: list[str] = field(default_factory=list)
    #: One audit row for the whole edit instead of one per row (a patrol track removed: its hundreds
    #: of points are one step of one person; ``details`` says which track and how many points).
    one_audit_row: bool = False

    def created(self, table: str) -> list[str]:
        """Uuids of the rows of ``table`` this edit creates."""
        return [c.uuid for c in self.changes if c.table == table and c.before is None and c.after is not None]

    def inverse(self) -> "Edit":
        return Edit("undo " + self.action, self.title, [c.inverse() for c in reversed(self.changes)], self.details,
                    one_audit_row=self.one_audit_row)

    def __len__(self) -> int:
        return len(self.changes)


def _audit_value(v: Any) -> Any:
    if isinstance(v, (bytes, bytearray, memoryview)):
        return f"<{len(v)} bytes>"
    return v


def _audit_json(row: Optional[Row], cols: list[str]) -> Optional[str]:
    if row is None:
        return None
    return json.dumps({k: _audit_value(row.get(k)) for k in cols if k in row}, ensure_ascii=False)


def read_row(con: sqlite3.Connection, table: str, uuid: str,
             tables: Optional[set[str]] = None) -> Optional[dict[str, Any]]:
    """Every column but ``fid`` of the row with ``uuid`` in ``table``, or None."""
    qt = quote_ident(table, tables if tables is not None else sqlite_tables(con))
    cur = con.execute("SELECT * FROM " + qt + " WHERE uuid = ?", (uuid,))
    row = cur.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cur.description]
    return {k: v for k, v in zip(names, row) if k != "fid"}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, memoryview):
        a = bytes(a)
    if isinstance(b, memoryview):
        b = bytes(b)
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-12 * max(1.0, abs(a), abs(b))
    return a == b


def _current_rows(con: sqlite3.Connection, table: str, qt: str, uuids: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(uuids), 500):
        chunk = uuids[i:i + 500]
        cur = con.execute("SELECT * FROM " + qt + " WHERE uuid IN (" + ",".join("?" for _ in chunk) + ")", chunk)
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            rec = {k: v for k, v in zip(names, row) if k != "fid"}
            out[rec["uuid"]] = rec
    return out


def apply_edit(con: sqlite3.Connection, edit: Edit, user_name: str, *, at: Optional[_dt.datetime] = None,
               action: Optional[str] = None) -> None:
    """Write ``edit`` and its audit rows on ``con``; the caller holds the transaction.

    Every row is first checked against the values the edit starts from; then the rows are written
    in batches (one statement per run of same-shaped changes), in the edit's order.

    Raises
    ------
    StorageError
        A row no longer holds the values the edit starts from (changed meanwhile); the caller's
        transaction must be rolled back.
    """
    tables = sqlite_tables(con)
    stamp = gpkg_datetime(at or _dt.datetime.now(_dt.timezone.utc))
    seen: set[tuple[str, str]] = set()
    by_table: dict[str, list[str]] = {}
    for ch in edit.changes:
        if (ch.table, ch.uuid) in seen:
            raise StorageError(f"{ch.table} {ch.uuid} appears twice in one edit")
        seen.add((ch.table, ch.uuid))
        by_table.setdefault(ch.table, []).append(ch.uuid)
    quoted = {t: quote_ident(t, tables) for t in by_table}
    columns = {t: [r[1] for r in con.execute("PRAGMA table_info(" + quoted[t] + ")")] for t in by_table}
    current: dict[str, dict[str, dict[str, Any]]] = {t: _current_rows(con, t, quoted[t], u)
                                                     for t, u in by_table.items()}

    # 1. every row must still be as the edit expects
    for ch in edit.changes:
        now_row = current[ch.table].get(ch.uuid)
        if ch.before is None:
            if now_row is not None:
                raise StorageError(f"{ch.table} {ch.uuid} already exists; the project changed meanwhile")
            continue
        if now_row is None:
            raise StorageError(f"{ch.table} {ch.uuid} no longer exists; it was deleted meanwhile")
        check = ch.changed_columns() if ch.after is not None else list(ch.before)
        moved = [k for k in check if not _same(now_row.get(k), ch.before.get(k))]
        if moved:
            raise StorageError(f"{ch.table} {ch.uuid} was changed meanwhile ({', '.join(moved)}); reload and try again")

    # 2. write, batching runs of changes of the same shape (a big edit counts its tables' features once)
    with ExitStack() as bulk:
        if len(edit.changes) >= BULK_ROWS:
            bulk.enter_context(counted_once(con, [*by_table, "audit_log"]))
        _write_changes(con, edit, user_name, stamp, action, quoted, columns)


def _write_changes(con: sqlite3.Connection, edit: Edit, user_name: str, stamp: str, action: Optional[str],
                   quoted: dict[str, str], columns: dict[str, list[str]]) -> None:
    batch_key: Optional[tuple[str, str, tuple[str, ...]]] = None
    batch: list[list[Any]] = []
    sql_cache: dict[tuple[str, str, tuple[str, ...]], str] = {}

    def flush() -> None:
        if batch_key is not None and batch:
            con.executemany(sql_cache[batch_key], batch)
        batch.clear()

    audit: list[tuple[Optional[str], ...]] = []
    for ch in edit.changes:
        qt, cols = quoted[ch.table], columns[ch.table]
        changed = ch.changed_columns()
        if ch.before is None and ch.after is not None:
            names = tuple(ch.after)
            key = ("insert", ch.table, names)
            if key not in sql_cache:
                sql_cache[key] = ("INSERT INTO " + qt + " (" + ", ".join(quote_ident(k, cols) for k in names)
                                  + ") VALUES (" + ", ".join("?" for _ in names) + ")")
            values = [ch.after[k] for k in names]
        elif ch.after is None:
            key = ("delete", ch.table, ())
            sql_cache.setdefault(key, "DELETE FROM " + qt + " WHERE uuid = ?")
            values = [ch.uuid]
        else:
            if not changed:
                continue
            names = tuple(changed)
            key = ("update", ch.table, names)
            if key not in sql_cache:
                sql_cache[key] = ("UPDATE " + qt + " SET " + ", ".join(quote_ident(k, cols) + " = ?" for k in names)
                                  + " WHERE uuid = ?")
            values = [ch.after[k] for k in names] + [ch.uuid]
        if key != batch_key:
            flush()
            batch_key = key
        batch.append(values)
        if edit.one_audit_row:
            if not audit:  # one row for the edit, naming what ``details`` says
                audit.append((str(_uuid.uuid4()), stamp, user_name, action or edit.action, ch.table, None, None,
                               None, edit.details or None))
            continue
        audit.append((str(_uuid.uuid4()), stamp, user_name, action or edit.action, ch.table, ch.uuid,
                      _audit_json(ch.before, changed), _audit_json(ch.after, changed), edit.details or None))
    flush()
    if audit:
        con.executemany(
            "INSERT INTO audit_log (uuid, at, user_name, action, table_name, row_uuid, old_values, new_values, "
            "details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", audit)
