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
import os
import sqlite3
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Optional

from ..errors import StorageError
from .gpkg import BULK_ROWS, counted_once, gpkg_datetime, quote_ident, sqlite_tables

Row = Mapping[str, Any]


def new_uuids(n: int) -> list[str]:
    """``n`` random version-4 UUID strings (as ``str(uuid.uuid4())``, from ``os.urandom``), made in one go:
    a bulk edit needs one per row and one per audit row."""
    import numpy as np

    from ..layers.base import uuid_strings

    if n <= 0:
        return []
    return uuid_strings(np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16))


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
    """What the audit log says of a value JSON cannot hold: a blob (a geometry, a photo) by its size."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return f"<{len(v)} bytes>"
    raise TypeError(f"{type(v).__name__} is not an audit value")


#: One encoder for every audit row (``json.dumps`` with options builds a new one per call); the C encoder
#: calls ``_audit_value`` only for the blobs it cannot write itself.
_AUDIT_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_audit_value)


def _audit_json(row: Optional[Row], cols: list[str]) -> Optional[str]:
    if row is None:
        return None
    if isinstance(row, dict) and list(row) == cols:
        return _AUDIT_ENCODER.encode(row)  # a whole row (created or deleted): as it is
    return _AUDIT_ENCODER.encode({k: row.get(k) for k in cols if k in row})


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
            rec = dict(zip(names, row))
            rec.pop("fid", None)
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
        before = ch.before
        if ch.after is None and isinstance(before, dict) and before.items() <= now_row.items():
            continue  # a row to delete, exactly as it was (compared in C, the common case)
        check = ch.changed_columns() if ch.after is not None else before
        moved = [k for k in check if now_row.get(k) != before.get(k)]
        moved = [k for k in moved if not _same(now_row.get(k), before.get(k))]  # blobs, floats: compared with care
        if moved:
            raise StorageError(f"{ch.table} {ch.uuid} was changed meanwhile ({', '.join(moved)}); reload and try again")

    # 2. write, batching runs of changes of the same shape (a big edit counts its tables' features once)
    with ExitStack() as bulk:
        if len(edit.changes) >= BULK_ROWS:
            bulk.enter_context(counted_once(con, [*by_table, "audit_log"]))
            counts = {t: len(u) for t, u in by_table.items()}
            counts["audit_log"] = counts.get("audit_log", 0) + len(edit.changes)
            bulk.enter_context(indexes_rebuilt(con, counts))
        _write_changes(con, edit, user_name, stamp, action, quoted, columns)


@contextmanager
def indexes_rebuilt(con: sqlite3.Connection, rows: Mapping[str, int]) -> Iterator[None]:
    """Inside the caller's transaction: a table that gets at least a quarter of its size in changed rows
    (``rows[table]``, at least :data:`~.gpkg.BULK_ROWS`) has its indexes set aside while they are written and
    built again once at the end, with the file's own definitions, verbatim.

    Sorting 20,000 keys once is faster than 20,000 random inserts into each B-tree (the importer's
    bulk loads do the same).  The ``uuid`` index stays: updates and deletes find their rows through it.
    A unique index re-checks its column when it is built; if the body fails, the caller's rollback
    restores everything.
    """
    names = sqlite_tables(con)
    saved: list[tuple[str, str]] = []
    for table, n in rows.items():
        if n < BULK_ROWS or table not in names:
            continue
        # MAX(rowid) is read from the B-tree's edge (no scan) and is never below the row count.
        size = con.execute("SELECT MAX(rowid) FROM " + quote_ident(table, names)).fetchone()[0] or 0
        if n * 4 < size:
            continue
        for index, sql, column in con.execute(
                "SELECT m.name, m.sql, i.name FROM sqlite_master m, pragma_index_info(m.name) i "
                "WHERE m.type = 'index' AND m.tbl_name = ? AND m.sql IS NOT NULL", (table,)).fetchall():
            if column != "uuid" and all(index != s[0] for s in saved):
                saved.append((index, sql))
    for index, _sql in saved:
        con.execute("DROP INDEX " + quote_ident(index, [index]))
    yield
    for _index, sql in saved:
        con.execute(sql)  # the index's own definition, as the schema wrote it


def _write_changes(con: sqlite3.Connection, edit: Edit, user_name: str, stamp: str, action: Optional[str],
                   quoted: dict[str, str], columns: dict[str, list[str]]) -> None:
    batch_key: Optional[tuple[str, str, tuple[str, ...]]] = None
    batch: list[Any] = []
    sql_cache: dict[tuple[str, str, tuple[str, ...]], str] = {}

    def flush() -> None:
        if batch_key is not None and batch:
            con.executemany(sql_cache[batch_key], batch)
        batch.clear()

    audit: list[tuple[Optional[str], ...]] = []
    audit_uuids = iter(new_uuids(len(edit.changes)))
    said = action or edit.action
    details = edit.details or None
    encode = _AUDIT_ENCODER.encode
    for ch in edit.changes:
        before, after = ch.before, ch.after
        if before is None and after is not None:
            names = tuple(after)
            key = ("insert", ch.table, names)
            if key not in sql_cache:
                cols = columns[ch.table]
                sql_cache[key] = ("INSERT INTO " + quoted[ch.table] + " ("
                                  + ", ".join(quote_ident(k, cols) for k in names)
                                  + ") VALUES (" + ", ".join("?" for _ in names) + ")")
            values: Any = tuple(after.values()) if isinstance(after, dict) else tuple(after[k] for k in names)
            # A new row: every value, as it is (what _audit_json would make of the whole row, without copying it)
            old_json, new_json = None, (encode(after) if isinstance(after, dict) else _audit_json(after, list(names)))
        elif after is None:
            key = ("delete", ch.table, ())
            sql_cache.setdefault(key, "DELETE FROM " + quoted[ch.table] + " WHERE uuid = ?")
            values = (ch.uuid,)
            old_json, new_json = (encode(before) if isinstance(before, dict)
                                  else _audit_json(before, list(before or {}))), None
        else:
            changed = ch.changed_columns()
            if not changed:
                continue
            names = tuple(changed)
            key = ("update", ch.table, names)
            if key not in sql_cache:
                cols = columns[ch.table]
                sql_cache[key] = ("UPDATE " + quoted[ch.table] + " SET "
                                  + ", ".join(quote_ident(k, cols) + " = ?" for k in names) + " WHERE uuid = ?")
            values = [after[k] for k in names] + [ch.uuid]
            old_json, new_json = _audit_json(before, changed), _audit_json(after, changed)
        if key != batch_key:
            flush()
            batch_key = key
        batch.append(values)
        if edit.one_audit_row:
            if not audit:  # one row for the edit, naming what ``details`` says
                audit.append((next(audit_uuids), stamp, user_name, said, ch.table, None, None, None, details))
            continue
        audit.append((next(audit_uuids), stamp, user_name, said, ch.table, ch.uuid, old_json, new_json, details))
    flush()
    if audit:
        con.executemany(
            "INSERT INTO audit_log (uuid, at, user_name, action, table_name, row_uuid, old_values, new_values, "
            "details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", audit)
