"""What a sync sends to the server: the merged file's difference from the server's state as row
operations by key, grouped with their audit rows, and the end of the push (conflicts, log row); and
taking server-refused rows out of what was sent, so they stay on the laptop."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, Optional

from ...storage.gpkg import connect_readwrite, quote_ident, sqlite_tables, transaction
from ..changes import SYNC_LOG, _geodiff_for, _geodiff_tmp, changes_of
from ..files import SyncReport
from ..prepare import _Ours
from . import rows as R
from .schema import TableDef

#: Tables whose rows are sent before the others (the grid and people first; the logs last).
_ORDER = ("gridwatch_meta", "inspector", "township", "village", "grid_cell")


class Finish:
    """The end of a push: the sync's conflicts and its ``sync_log`` row (counts as the server decided)."""

    def __init__(self, schema: str, sync_uuid: str, log_row: dict[str, Any], conflicts: list[dict[str, Any]],
                 report: SyncReport) -> None:
        self.schema, self.sync_uuid, self.log_row, self.conflicts, self.report = (schema, sync_uuid, log_row,
                                                                                  conflicts, report)
        self.version: Optional[int] = None  # the log row's row version: the last number the push wrote
        self._pending: Any = None

    def __call__(self, cur: Any, refused: list[tuple[list[R.Op], str]], *, later: bool = False) -> None:
        """The conflicts and the log row written with ``cur``; ``later``: the log row's version is read by
        :meth:`collect` (a push sent at once, in a pipeline: read after the commit was sent)."""
        import json

        from psycopg import sql

        if self.conflicts:
            cur.execute(sql.SQL("SELECT {}.gw_record_conflicts(%s, %s::jsonb)").format(sql.Identifier(self.schema)),
                        (self.sync_uuid, json.dumps(self.conflicts, ensure_ascii=False)))
        row = dict(self.log_row)
        n = sum(1 for g, _ in refused for op in g if op.table != "audit_log")
        row["refused"] = int(row.get("refused") or 0) + n
        row["sent"] = max(0, int(row.get("sent") or 0) - n)
        if n:
            row["details"] = "; ".join(filter(None, [row.get("details"), f"{n} change(s) refused by the server"]))
        cols = [c for c in row if c != "fid"]
        cur.execute(sql.SQL("INSERT INTO {}.sync_log ({}) VALUES ({}) RETURNING gw_version").format(
            sql.Identifier(self.schema), sql.SQL(", ").join(sql.Identifier(c) for c in cols),
            sql.SQL(", ").join(sql.Placeholder() for _ in cols)), [row[c] for c in cols])
        if later:
            self._pending = cur
        else:
            self.version = int(cur.fetchone()[0])

    def collect(self) -> None:
        """The log row's version, from the cursor :meth:`__call__` wrote it with (``later``)."""
        if self._pending is not None:
            self.version = int(self._pending.fetchone()[0])
            self._pending = None


def refused_report(report: SyncReport, refused: list[tuple[str, str, str]]) -> None:
    data = [r for r in refused if r[0] != "audit_log"]
    report.refused += len(data)
    report.sent = max(0, report.sent - len(data))
    for table, key, why in refused[:20]:
        report.messages.append(f"refused by the server: {table} {key}: {why}")


def operations(tables: list[TableDef], theirs: Path, merged: Path, work: Path, ours: _Ours,
               scope: Optional[set[str]] = None) -> tuple[list[list[R.Op]], dict[str, Any], list[dict[str, Any]]]:
    """The merged file's difference from the server's state as row operations by key, grouped (a row's
    change with its audit rows), plus the sync's log row and the conflicts it recorded."""
    by_name = {t.name: t for t in tables}
    diff = work / "upload.diff"
    diff.unlink(missing_ok=True)
    with _geodiff_tmp(work):
        _geodiff_for(scope).create_changeset(str(theirs), str(merged), str(diff))
    changes = changes_of(diff, merged, work)
    ops: list[R.Op] = []
    log_row: dict[str, Any] = {}
    conflicts: list[dict[str, Any]] = []
    audits: dict[str, list[R.Op]] = {}
    loose: list[R.Op] = []
    touched: dict[str, set[int]] = {}
    for c in changes:
        if c.table in by_name:
            touched.setdefault(c.table, set()).add(c.fid)
    with closing(sqlite3.connect(merged)) as m, closing(sqlite3.connect(theirs)) as t:
        for table, fids in sorted(touched.items()):
            tdef = by_name[table]
            # rows are matched by key, not by fid: the merge may have put a row at another fid than the
            # server's copy has it (pygeodiff renumbers inserts), which is no change of that row
            keys: set[str] = set()
            for fid in fids:
                for con in (m, t):
                    row = R.row_dict(con, table, fid)
                    if row is not None and row.get(tdef.key) is not None:
                        keys.add(str(row[tdef.key]))
            for key in sorted(keys):
                new, old = R.row_by_key(m, table, tdef.key, key), R.row_by_key(t, table, tdef.key, key)
                if new is None and old is None:
                    continue
                if new is None:
                    ops.append(R.Op(table, "delete", key))
                    continue
                if table == SYNC_LOG and old is None:
                    log_row = new
                    continue
                if table == "sync_conflict" and old is None:
                    conflicts.append({k: (None if v is None else str(v)) for k, v in new.items() if k != "fid"})
                    continue
                if old is None:
                    op = R.Op(table, "insert", key, new)
                else:
                    changed = {k: v for k, v in new.items() if k != "fid" and old.get(k) != v}
                    if not changed:
                        continue
                    op = R.Op(table, "update", key, changed)
                if table == "audit_log":
                    target = new.get("row_uuid")
                    (audits.setdefault(target, []) if target else loose).append(op)
                else:
                    ops.append(op)
    return group(ops, audits, loose, ours.file), log_row, conflicts


def group(ops: list[R.Op], audits: dict[str, list[R.Op]], loose: list[R.Op],
          laptop: Optional[Path]) -> list[list[R.Op]]:
    """Row changes in sending order, each with its audit rows (in the order the laptop wrote them)."""
    written_at: dict[str, int] = {}
    if laptop is not None and audits:
        with closing(sqlite3.connect(laptop)) as o:
            wanted = {a.key for rows in audits.values() for a in rows}
            written_at = {u: f for f, u in o.execute("SELECT fid, uuid FROM audit_log") if u in wanted}

    def written(a: R.Op) -> tuple[int, str, int]:
        return (written_at.get(a.key, 1 << 62), str(a.values.get("at") or ""), int(a.values.get("fid") or 0))

    order = {name: i for i, name in enumerate(_ORDER)}
    ops.sort(key=lambda o: (order.get(o.table, len(order)), o.table == "sync_conflict"))
    groups: list[list[R.Op]] = []
    for op in ops:
        # a row's audit rows in the order the laptop wrote them (the server replays them as steps): by
        # their fids in the laptop's own copy, as the merge may have renumbered them out of order
        groups.append(sorted(audits.pop(op.key, []), key=written) + [op])
    for rest in audits.values():
        groups.extend([a] for a in rest)
    groups.extend([a] for a in loose)
    return groups


def revert(sent: Path, base: Path, tables: list[TableDef], refused: list[tuple[str, str, str]]) -> None:
    """Take the server-refused rows (and their audit rows) out of what was sent: back to the base's row,
    so that the finish puts them back on the laptop as edits not yet synced."""

    by_name = {t.name: t for t in tables}
    with closing(connect_readwrite(sent)) as s, closing(sqlite3.connect(base)) as b, transaction(s):
        names = sqlite_tables(s)
        for table, key, _why in refused:
            t = by_name.get(table)
            if t is None:
                continue
            qt, qk = quote_ident(table, names), quote_ident(t.key, t.names)
            s.execute("DELETE FROM " + qt + " WHERE " + qk + " = ?", (key,))
            cur = b.execute("SELECT * FROM " + qt + " WHERE " + qk + " = ?", (key,))
            row = cur.fetchone()
            if row is not None:
                cols = [d[0] for d in cur.description]
                taken = s.execute("SELECT 1 FROM " + qt + " WHERE fid = ?", (row[cols.index("fid")],)).fetchone()
                if taken:  # a new row of the laptop took its fid: rows are matched by key from here on
                    row = tuple(v for c, v in zip(cols, row) if c != "fid")
                    cols = [c for c in cols if c != "fid"]
                s.execute("INSERT INTO " + qt + " (" + ", ".join(quote_ident(c, t.names) for c in cols) + ") VALUES ("
                          + ", ".join("?" for _ in cols) + ")", row)
            if table != "audit_log" and t.key == "uuid":
                # its audit rows of this sync go with it (those the base holds are the server's)
                known = {r[0] for r in b.execute("SELECT uuid FROM audit_log WHERE row_uuid = ?", (key,))}
                for (uid,) in s.execute("SELECT uuid FROM audit_log WHERE row_uuid = ?", (key,)).fetchall():
                    if uid not in known:
                        s.execute("DELETE FROM audit_log WHERE uuid = ?", (uid,))


