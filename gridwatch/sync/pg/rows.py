"""Rows between the server and GeoPackage files: pulling what changed since a server sequence into a
local file, and pushing a sync's row changes in one transaction with row versions.

Rows are matched by their ``uuid`` (``key`` in the metadata table), never by fid: the server numbers
the rows it receives itself (a bigserial fid QGIS can use), and a laptop's new rows take the server's
fid when they come back, as rows renumbered by a merge do with a shared folder.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from ...domain.row_rules import passes_unseen
from ...storage.gpkg import connect_readwrite, quote_ident, sqlite_tables, transaction
from .geom import as_gpkg_value, blobs_from_wkb, gpkg_to_ewkb
from .policy_sql import REFUSED
from .schema import TableDef, lock_key, pg_type

#: Runs of at least this many updates or deletes of one shape go as one set-based statement
#: (:meth:`Pusher._apply_set`): half the server's time of a 10,000-edit push, against one statement a row.
SET_BASED_FROM = 50
#: Pushes of at most this many row changes are first sent at once (:meth:`Pusher._push_at_once`).
AT_ONCE_UP_TO = 20


class Stale(Exception):
    """A row changed on the server since the laptop pulled: pull again, merge again."""


@dataclass
class Op:
    """One row change a sync sends: ``values`` the whole row (insert) or the changed columns (update)."""

    table: str
    kind: str  # insert / update / delete
    key: str
    values: dict[str, Any] = field(default_factory=dict)


def _select_list(t: TableDef) -> Any:
    from psycopg import sql

    parts: list[sql.Composable] = []
    for c in t.names:
        if c == t.geom:
            parts.append(sql.SQL("ST_AsBinary({}, 'NDR')").format(sql.Identifier(c)))
        else:
            parts.append(sql.Identifier(c))
    return sql.SQL(", ").join(parts)


def _to_gpkg_rows(t: TableDef, rows: list[tuple],
                  envelopes: Optional[list[tuple[Any, float, float, float, float]]] = None) -> list[list[Any]]:
    """Server rows as the GeoPackage stores them; ``envelopes``: filled with ``(fid, minx, maxx, miny,
    maxy)`` of each non-empty geometry (the R-tree's rows)."""
    out = [list(r) for r in rows]
    if out:
        for i, v in enumerate(out[0]):
            # one Python type per column: a column is converted only if its first value may need it
            if isinstance(v, memoryview) or (v is None and t.names[i] != t.geom):
                for r in out:
                    r[i] = as_gpkg_value(r[i])
    if t.geometry and out:
        i = t.names.index(t.geometry[0])
        found: Optional[list[tuple[int, float, float, float, float]]] = [] if envelopes is not None else None
        blobs = blobs_from_wkb([r[i] for r in out], t.geometry[2], found)
        for r, b in zip(out, blobs):
            r[i] = b
        if envelopes is not None and found is not None:
            f = t.names.index("fid")
            envelopes.extend((out[k][f], *box) for k, *box in found)
    return out


def watermark(cur: Any, schema: str) -> int:
    """The last change number the current snapshot sees (changes are numbered in commit order)."""
    from psycopg import sql

    cur.execute(sql.SQL("SELECT coalesce(max(seq), 0) FROM {}.gw_change").format(sql.Identifier(schema)))
    return int(cur.fetchone()[0])


def changed_since(cur: Any, schema: str, since: int) -> dict[str, set[str]]:
    """Keys of the rows changed after change number ``since``, by table."""
    from psycopg import sql

    cur.execute(sql.SQL("SELECT DISTINCT tbl, row_key FROM {}.gw_change WHERE seq > %s").format(sql.Identifier(schema)),
                (since,))
    out: dict[str, set[str]] = {}
    for tbl, key in cur.fetchall():
        out.setdefault(tbl, set()).add(key)
    return out


def fetch_rows(cur: Any, schema: str, t: TableDef, keys: Optional[Iterable[str]] = None,
               chunk: int = 20000, envelopes: Optional[list[tuple[Any, float, float, float, float]]] = None
               ) -> Iterable[list[list[Any]]]:
    """The server's rows of ``t`` (all, or those with ``keys``) in the GeoPackage's column order, in chunks."""
    from psycopg import sql

    q = sql.SQL("SELECT {} FROM {}.{}").format(_select_list(t), sql.Identifier(schema), sql.Identifier(t.name))
    if keys is None:
        cur.execute(q + sql.SQL(" ORDER BY fid"))
    else:
        cur.execute(q + sql.SQL(" WHERE {} = ANY(%s)").format(sql.Identifier(t.key)), (sorted(keys),))
    while True:
        rows = cur.fetchmany(chunk)
        if not rows:
            return
        yield _to_gpkg_rows(t, rows, envelopes)


def write_rows(path: Path, tables: list[TableDef], changed: dict[str, set[str]],
               rows: dict[str, list[list[Any]]]) -> int:
    """Make the rows ``changed`` (keys by table) in the GeoPackage ``path`` what the server holds:
    ``rows`` (absent keys were deleted there).  One transaction; returns the rows written."""
    with closing(connect_readwrite(path)) as con, transaction(con):
        return write_rows_into(con, tables, changed, rows)


#: The name under which a sync attaches the base to the working copy's connection, to write both in
#: one transaction (SQLite commits attached databases atomically through a super-journal).
ATTACHED_BASE = "gwbase"


def write_rows_into(con: sqlite3.Connection, tables: list[TableDef], changed: dict[str, set[str]],
                    rows: dict[str, list[list[Any]]], attached: Optional[str] = None) -> int:
    """:func:`write_rows` on an open connection; the caller holds the transaction.  Every changed key
    is deleted first, then the server's rows inserted, so server fids never meet a local row's.

    ``attached``: write into that attached database (:data:`ATTACHED_BASE`) instead of the main one."""
    n = 0
    by_name = {t.name: t for t in tables}
    prefix = "" if attached is None else quote_ident(attached, (ATTACHED_BASE,)) + "."
    names = sqlite_tables(con) if attached is None else {
        r[0] for r in con.execute("SELECT name FROM " + prefix + "sqlite_master WHERE type IN ('table','view')")}
    todo = [(by_name[t], keys) for t, keys in changed.items() if t in by_name and t in names]
    for t, keys in todo:
        qt = prefix + quote_ident(t.name, names)
        qk = quote_ident(t.key, t.names)
        keys_l = sorted(keys)
        for i in range(0, len(keys_l), 500):
            part = keys_l[i:i + 500]
            con.execute("DELETE FROM " + qt + " WHERE " + qk + " IN (" + ",".join("?" for _ in part) + ")", part)
    for t, _keys in todo:
        new = rows.get(t.name, [])
        if new:
            qt = prefix + quote_ident(t.name, names)
            cols = ", ".join(quote_ident(c, t.names) for c in t.names)
            con.executemany("INSERT INTO " + qt + " (" + cols + ") VALUES (" + ",".join("?" for _ in t.names) + ")",
                            new)
            n += len(new)
    return n


def read_changes(con: Any, schema: str, tables: list[TableDef], since: int,
                 skip: Optional[Callable[[str, str, int], bool]] = None
                 ) -> tuple[int, dict[str, set[str]], dict[str, list[list[Any]]]]:
    """The server's rows changed after ``since`` (one snapshot): (change number, keys by table, rows).

    ``skip(table, key, last change number)``: rows not to read (the caller holds them as they are)."""
    from psycopg import sql

    by_name = {t.name: t for t in tables}
    with con.transaction(), con.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        mark = watermark(cur, schema)
        changed: dict[str, set[str]] = {}
        if mark > since:
            cur.execute(sql.SQL("SELECT tbl, row_key, max(seq) FROM {}.gw_change WHERE seq > %s GROUP BY 1, 2").format(
                sql.Identifier(schema)), (since,))
            for tbl, key, last in cur.fetchall():
                if skip is None or not skip(tbl, key, int(last)):
                    changed.setdefault(tbl, set()).add(key)
        rows: dict[str, list[list[Any]]] = {}
        for table, keys in changed.items():
            if table in by_name:
                rows[table] = [r for part in fetch_rows(cur, schema, by_name[table], keys) for r in part]
    return mark, changed, rows


def pull(con: Any, schema: str, tables: list[TableDef], target: Path, since: int) -> tuple[int, dict[str, set[str]]]:
    """Bring the GeoPackage ``target`` (the server's state through ``since``) to the server's state now.

    Returns the new change number and the keys that changed, by table.  Read in one snapshot."""
    mark, changed, rows = read_changes(con, schema, tables, since)
    if changed:
        write_rows(target, tables, changed, rows)
    return mark, changed


# --- pushing --------------------------------------------------------------------------------------------


class Refused(Exception):
    """The server refused one row change (the judge, row-level security or a constraint)."""


def _refusal(exc: Exception) -> Optional[str]:
    """The server's reason if ``exc`` is a refusal of the change (None: something else went wrong)."""
    import psycopg

    state = getattr(exc, "sqlstate", None)
    if state == REFUSED or isinstance(exc, (psycopg.errors.InsufficientPrivilege, psycopg.errors.CheckViolation,
                                            psycopg.errors.NotNullViolation)):
        diag = getattr(exc, "diag", None)
        text = (diag.message_primary if diag is not None else None) or str(exc).splitlines()[0]
        return text.removeprefix("plpy.Error: ")
    return None


class Pusher:
    """Sends one sync's row changes in one transaction, under the district's change lock; updates and
    deletes apply only to the row version the laptop merged against (``gw_version <= mark``)."""

    def __init__(self, con: Any, schema: str, tables: list[TableDef], mark: int, role: Optional[str] = None) -> None:
        self.con, self.schema, self.mark = con, schema, mark
        self.role = role  # the login's role as the laptop knows it: None, unknown (the judge is warmed)
        self.tables = {t.name: t for t in tables}
        self._statements: dict[tuple[str, str, tuple[str, ...]], Any] = {}

    def _shape(self, op: Op) -> tuple[str, str, tuple[str, ...]]:
        """(table, kind, columns): ops of one shape run the same statement."""
        t = self.tables[op.table]
        cols = tuple(c for c in op.values if c != "fid" and c in t.names)
        if op.kind == "update":
            cols = tuple(c for c in cols if c != t.key)
        elif op.kind == "delete":
            cols = ()
        return op.table, op.kind, cols

    def _statement(self, shape: tuple[str, str, tuple[str, ...]]) -> Any:
        """The statement of ``shape`` (built once per shape: a push of 10,000 edits has a handful)."""
        from psycopg import sql

        q = self._statements.get(shape)
        if q is not None:
            return q
        table, kind, cols = shape
        t = self.tables[table]
        T = sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(t.name))
        marks = [sql.SQL("ST_GeomFromEWKB(%s)") if c == t.geom else sql.SQL("%s") for c in cols]
        if kind == "insert":
            q = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING 1").format(
                T, sql.SQL(", ").join(sql.Identifier(c) for c in cols), sql.SQL(", ").join(marks))
        elif kind == "update":
            q = sql.SQL("UPDATE {} SET {} WHERE {} = %s AND gw_version <= %s RETURNING 1").format(
                T, sql.SQL(", ").join(sql.SQL("{} = ").format(sql.Identifier(c)) + m for c, m in zip(cols, marks)),
                sql.Identifier(t.key))
        else:
            q = sql.SQL("DELETE FROM {} WHERE {} = %s AND gw_version <= %s RETURNING 1").format(
                T, sql.Identifier(t.key))
        self._statements[shape] = q
        return q

    def _args(self, op: Op, cols: tuple[str, ...]) -> list[Any]:
        t = self.tables[op.table]
        args = [(None if op.values[c] is None else gpkg_to_ewkb(op.values[c], t.geometry[2]))  # type: ignore[index]
                if c == t.geom else op.values[c] for c in cols]
        if op.kind != "insert":
            args += [op.key, self.mark]
        return args

    def _missed(self, cur: Any, op: Op) -> None:
        """An update or delete that matched no row: the row changed since (stale), or the server hides
        it from this login (refused), or (a delete) it is gone already."""
        from psycopg import sql

        t = self.tables[op.table]
        cur.execute(sql.SQL("SELECT gw_version FROM {}.{} WHERE {} = %s").format(
            sql.Identifier(self.schema), sql.Identifier(t.name), sql.Identifier(t.key)), (op.key,))
        row = cur.fetchone()
        if row is None:
            if op.kind == "delete":
                return
            raise Stale(f"{op.table} {op.key} was deleted on the server")
        if int(row[0]) > self.mark:
            raise Stale(f"{op.table} {op.key} changed on the server")
        raise Refused(f"{op.kind} in {op.table} refused: this login may not change that row")

    def _apply(self, cur: Any, ops: list[Op]) -> None:
        """Run ``ops`` in order; runs of the same statement (a table, a kind, the same columns) go as one
        pipelined ``executemany``, each statement's RETURNING telling whether it matched its row."""
        import psycopg

        i = 0
        while i < len(ops):
            shape = self._shape(ops[i])
            batch = [ops[i]]
            j = i + 1
            while j < len(ops) and len(batch) < 2000 and self._shape(ops[j]) == shape:
                batch.append(ops[j])
                j += 1
            try:
                matched: Optional[list[bool]] = None
                if len(batch) >= SET_BASED_FROM and shape[1] in ("update", "delete"):
                    matched = self._apply_set(cur, shape, batch)
                if matched is None:
                    q = self._statement(shape)
                    params = [self._args(op, shape[2]) for op in batch]
                    if len(batch) == 1:
                        cur.execute(q, params[0])
                        matched = [cur.rowcount != 0]
                    else:
                        cur.executemany(q, params, returning=True)
                        matched = []
                        while True:
                            matched.append(cur.fetchone() is not None)
                            if not cur.nextset():
                                break
            except psycopg.errors.UniqueViolation:
                raise Stale(f"{ops[i].table} {ops[i].key}: a row of that key exists on the server already") from None
            except psycopg.Error as exc:
                why = _refusal(exc)
                if why is not None:
                    raise Refused(why) from None
                raise
            for op, hit in zip(batch, matched):
                if not hit:
                    self._missed(cur, op)
            i = j

    def _apply_set(self, cur: Any, shape: tuple[str, str, tuple[str, ...]], batch: list[Op]) -> Optional[list[bool]]:
        """A run of updates (or deletes) of one shape as ONE statement: the rows sent as a JSON array read
        into the table's own row type (``jsonb_populate_recordset``: every value converted by its column's
        type, as an INSERT would), joined by key, with the same row-version condition; the server's
        triggers (judge, row versions, change log) fire for every row as for single statements.  Returns
        for each op whether it matched its row; None (nothing sent) for a value JSON cannot carry as the
        single statements do (a non-finite float, a float in an integer column): those go one by one."""
        import json
        import math

        from psycopg import sql

        table, kind, cols = shape
        t = self.tables[table]
        floats_ok = {c for c, typ in t.columns if c in cols and pg_type(t, c, typ) == "double precision"}
        T = sql.SQL("{}.{}").format(sql.Identifier(self.schema), sql.Identifier(t.name))
        K = sql.Identifier(t.key)
        rows = []
        for op in batch:
            row = {t.key: op.key}
            for c in cols:
                v = op.values[c]
                if isinstance(v, float) and (c not in floats_ok or not math.isfinite(v)):
                    return None
                if isinstance(v, (bytes, memoryview)):
                    v = gpkg_to_ewkb(v, t.geometry[2]).hex() if c == t.geom else "\\x" + bytes(v).hex()  # type: ignore[index]
                row[c] = v
            rows.append(row)
        source = sql.SQL("jsonb_populate_recordset(NULL::{}, %s::jsonb) AS v").format(T)
        if kind == "update":
            q = sql.SQL("UPDATE {} AS t SET {} FROM {} WHERE t.{} = v.{} AND t.gw_version <= %s RETURNING t.{}").format(
                T, sql.SQL(", ").join(sql.SQL("{} = v.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in cols),
                source, K, K, K)
        else:
            q = sql.SQL("DELETE FROM {} AS t USING {} WHERE t.{} = v.{} AND t.gw_version <= %s RETURNING t.{}").format(
                T, source, K, K, K)
        cur.execute(q, (json.dumps(rows, ensure_ascii=False), self.mark))
        hit = {str(r[0]) for r in cur.fetchall()}
        return [op.key in hit for op in batch]

    def _warm(self, ops: list[Op], judge: bool) -> None:
        """The session's start-up for this push, before the district's change lock, so that it runs beside
        other laptops' pushes instead of inside the lock they queue for: each statement's tables, indexes,
        policies and triggers loaded (EXPLAIN: planned, not run), the judge's fast path compiled and
        its queries planned (``gw_unjudged``), and if the domain's code will judge a row, PL/Python with
        that code loaded (``gw_judge_warm``).  In a fresh session that is ~10 ms of the server's CPU per
        one-edit push, against ~2 ms left for the writes themselves.  Nothing is written; a district
        published before these functions existed starts them at its first row, as before (an error
        here only ends the warming)."""
        import psycopg
        from psycopg import sql

        S = sql.Identifier(self.schema)
        shapes: dict[tuple[str, str, tuple[str, ...]], Op] = {}
        for op in ops:
            shapes.setdefault(self._shape(op), op)
        plans: list[tuple[Any, Any]] = [(sql.SQL("EXPLAIN ") + self._statement(shape), self._args(op, shape[2]))
                                        for shape, op in shapes.items()]
        plans.append((sql.SQL("EXPLAIN INSERT INTO {}.sync_log (uuid) VALUES (%s)").format(S), ("-",)))
        for table, kind in dict.fromkeys((op.table, op.kind) for op in ops):
            key = next((op.key for op in ops if (op.table, op.kind) == (table, kind)), None)
            plans.append((sql.SQL("SELECT {}.gw_unjudged(%s, %s, %s)").format(S),
                          (table, kind, key if self.tables[table].key == "uuid" else None)))
        # PL/Python in a transaction of its own: whatever fails in the other part does not keep it from starting
        for part in ([[(sql.SQL("SELECT {}.gw_judge_warm()").format(S), None)]] if judge else []) + [plans]:
            with self.con.pipeline() as pipeline, self.con.cursor() as cur:
                try:
                    for q, args in part:
                        cur.execute(q, args)
                    pipeline.sync()
                except psycopg.Error:
                    pass
            if self.con.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                self.con.rollback()  # nothing written: what was loaded stays in the session

    def _push_at_once(self, ops: list[Op], finish: Any) -> bool:
        """The push in two round trips (psycopg's pipeline): the district's change lock, then every
        statement, the finish and the commit sent together, so that the lock other laptops queue for is
        held for the server's work and one answer, not for a round trip per statement to a laptop waiting
        for a CPU among 50 others.  An update or delete that matches no row fails its statement here (a
        division by zero on the count it changed), so nothing after it runs and the transaction rolls back.
        False (nothing written) when any statement failed: stale, refused, or a delete of a row gone
        already; the caller then pushes statement by statement, which tells which and why."""
        import psycopg
        from psycopg import sql

        failed = False
        with self.con.pipeline() as pipeline, self.con.cursor() as cur:
            try:
                with self.con.transaction():
                    cur.execute("SELECT pg_advisory_xact_lock(4711, %s)", (lock_key(self.schema),))
                    # the lock is ours before the writes and the COMMIT go: a sync killed after sending
                    # them has its COMMIT run with the lock held, so the next sync's check whether it
                    # landed (:func:`landed`, under the lock) waits for it
                    pipeline.sync()
                    for op in ops:
                        shape = self._shape(op)
                        q = self._statement(shape)
                        if op.kind != "insert":
                            q = sql.SQL("WITH m AS ({}) SELECT 1 / (SELECT count(*)::int FROM m)").format(q)
                        cur.execute(q, self._args(op, shape[2]))
                    finish(cur, [], later=True)
                finish.collect()
            except psycopg.Error:  # (caught in the pipeline: it ends cleanly, rolled back)
                failed = True
        if failed:
            if self.con.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                self.con.rollback()
            return False
        return True

    def push(self, groups: list[list[Op]], finish: Any) -> list[tuple[list[Op], str]]:
        """Apply ``groups`` (a row change with its audit rows; a group is refused whole) and then
        ``finish(cur, refused)`` (the sync's log row and conflicts), in one transaction.

        Returns the refused groups with the server's reason.  Raises Stale (nothing written) when a row
        changed since the pull."""
        from psycopg import sql

        seen: set[tuple[str, str]] = set()
        for op in (op for g in groups for op in g):
            if (op.table, op.key) in seen:
                raise AssertionError(f"two changes of {op.table} {op.key} in one push: {groups}")
            seen.add((op.table, op.key))
        refused: list[tuple[list[Op], str]] = []
        ops = [op for g in groups for op in g]
        # the domain's code will judge some row: PL/Python is started before the lock too
        self._warm(ops, self.role is None or not all(passes_unseen(self.role, op.table, op.kind) for op in ops))
        if len(ops) <= AT_ONCE_UP_TO and self._push_at_once(ops, finish):
            return refused
        for attempt in ("batch", "one by one"):
            refused = []
            try:
                with self.con.transaction(), self.con.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(4711, %s)", (lock_key(self.schema),))
                    if attempt == "batch":
                        self._apply(cur, [op for g in groups for op in g])
                    else:
                        for g in groups:
                            try:
                                with self.con.transaction():
                                    self._apply(cur, g)
                            except Refused as exc:
                                refused.append((g, str(exc)))
                    for g, why in refused:
                        head = g[-1]
                        cur.execute(sql.SQL("INSERT INTO {}.gw_sync_refused (sync_uuid, tbl, row_key, message) "
                                            "VALUES (%s, %s, %s, %s)").format(sql.Identifier(self.schema)),
                                    (finish.sync_uuid, head.table, head.key, why))
                    finish(cur, refused)
                return refused
            except Refused:
                if attempt == "batch":
                    continue  # find which groups the server refuses, and send the rest
                raise
        return refused


def refused_of(con: Any, schema: str, sync_uuid: str) -> list[tuple[str, str, str]]:
    """(table, key, reason) of the changes the server refused in sync ``sync_uuid``."""
    from psycopg import sql

    with con.cursor() as cur:
        cur.execute(sql.SQL("SELECT tbl, row_key, message FROM {}.gw_sync_refused WHERE sync_uuid = %s").format(
            sql.Identifier(schema)), (sync_uuid,))
        return [tuple(r) for r in cur.fetchall()]


def landed(con: Any, schema: str, sync_uuid: str) -> bool:
    """Whether sync ``sync_uuid`` committed.  Asked under the district's change lock: the session of
    a sync killed while it pushed may still be finishing on the server (its last statement, even its
    COMMIT, had been sent); it holds that lock from its first write to its end, so once we have the
    lock it has committed or rolled back for good."""
    from psycopg import sql

    with con.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(4711, %s)", (lock_key(schema),))
        cur.execute(sql.SQL("SELECT 1 FROM {}.sync_log WHERE uuid = %s").format(sql.Identifier(schema)), (sync_uuid,))
        found = cur.fetchone() is not None
    con.rollback()
    return found


def row_dict(con: sqlite3.Connection, table: str, fid: int,
             names: Optional[set[str]] = None) -> Optional[dict[str, Any]]:
    """The row ``fid`` of ``table`` (``names``: the database's tables, when the caller read them once)."""
    cur = con.execute("SELECT * FROM " + quote_ident(table, names if names is not None else sqlite_tables(con))
                      + " WHERE fid = ?", (fid,))
    r = cur.fetchone()
    return None if r is None else dict(zip([d[0] for d in cur.description], r))



def row_by_key(con: sqlite3.Connection, table: str, key_column: str, key: str) -> Optional[dict[str, Any]]:
    names = sqlite_tables(con)
    cur = con.execute("SELECT * FROM " + quote_ident(table, names) + " WHERE "
                      + quote_ident(key_column, ("uuid", "key")) + " = ?", (key,))
    r = cur.fetchone()
    return None if r is None else dict(zip([d[0] for d in cur.description], r))
