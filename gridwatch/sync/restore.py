"""Put back into the shared state what a rollback of the share took away, from a laptop's base.

When the share went back in time (see :mod:`gridwatch.sync.history`), the laptop's base still holds
the rows the lost syncs carried.  Before the usual merge, those rows go back into the rebuilt shared
state, matched by uuid (fids may have been reused meanwhile), so that the merge does not take the
rollback for deletes and reverts made by others, and the upload sends them again:

* a row the base has and the share lacks is put back, unless the share's audit log records that
  someone deleted it after the rollback (a real delete stands);
* a row both hold with other values: if only the lost syncs changed it (the share's audit log has
  no edit of it that the base lacks), the base's values go back silently; if both sides changed it,
  the domain rule decides (a status only moves forward, otherwise the later edit wins) and every
  overridden value is recorded in ``sync_conflict``.

Tables without a uuid (project metadata) and the local tracking table are left alone.
"""

from __future__ import annotations

import sqlite3
import uuid as _uuid
from contextlib import closing
from pathlib import Path
from typing import Any

from ..storage.gpkg import connect_readwrite, quote_ident, sqlite_tables, transaction
from .history import ro_uri
from .rows import (
    _BOOKKEEPING,
    _CONFLICT_INSERT,
    _columns,
    _data_tables,
    _json_value,
    _winner,
)


def _rows_by_uuid(con: sqlite3.Connection, table: str) -> dict[str, dict[str, Any]]:
    cur = con.execute("SELECT * FROM " + quote_ident(table, sqlite_tables(con)))
    names = [d[0] for d in cur.description]
    return {r["uuid"]: r for r in (dict(zip(names, row)) for row in cur) if r.get("uuid")}


def _audit(con: sqlite3.Connection) -> dict[str, tuple[str, str, bool]]:
    """audit uuid -> (table, row uuid, is a delete)."""
    return {u: (t, r, n is None) for u, t, r, n in
            con.execute("SELECT uuid, table_name, row_uuid, new_values FROM audit_log")}


def restore_lost(base: Path, theirs: Path, user: str, sync_uuid: str, stamp: str,
                 edited_tables: frozenset[str] | set[str] = frozenset()) -> tuple[int, int]:
    """Write into ``theirs`` (a local file: the rebuilt shared state) what ``base`` holds and the share
    lost.  Returns (rows put back or corrected, conflicts recorded).

    ``edited_tables``: tables another program edited in the shared file directly; such edits leave no
    audit row, so a value there that differs from the base is settled by the domain rule and the
    overridden value recorded, never overwritten silently."""
    restored = conflicts = 0
    with closing(sqlite3.connect(ro_uri(base), uri=True)) as b, closing(connect_readwrite(theirs)) as t:
        a_base, a_theirs = _audit(b), _audit(t)
        # edits the share recorded after the rollback, per row; and the rows the lost syncs edited
        theirs_new: dict[str, bool] = {}
        for u, (_table, row, is_delete) in a_theirs.items():
            if u not in a_base and row:
                theirs_new[row] = theirs_new.get(row, False) or is_delete
        lost_edit = {row for u, (_table, row, _d) in a_base.items() if u not in a_theirs and row}
        # deletes the lost syncs made: the rows came back with the older copy and must go again
        lost_delete = {row for u, (_table, row, d) in a_base.items() if u not in a_theirs and row and d}
        with transaction(t):
            names = sqlite_tables(t)
            for table in _data_tables(b):
                if table not in names or "uuid" not in _columns(b, table):
                    continue
                cols = _columns(t, table)
                qt = quote_ident(table, names)
                mine, their = _rows_by_uuid(b, table), _rows_by_uuid(t, table)
                for u in [u for u in their if u not in mine and u in lost_delete]:
                    if theirs_new.get(u) is not None:
                        # edited on the share after the rollback: a delete wins over an edit, the edit is kept
                        for c, v in their[u].items():
                            if c != "fid" and c not in _BOOKKEEPING:
                                t.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, table, u, c, None,
                                                             _json_value(v), "deleted", "shared project",
                                                             "a delete wins over an edit", "open"))
                                conflicts += 1
                    t.execute("DELETE FROM " + qt + " WHERE uuid = ?", (u,))
                    del their[u]
                    restored += 1
                used = {r["fid"] for r in their.values()}
                top = max(used | {r["fid"] for r in mine.values()} | {0})
                for u, row in mine.items():
                    other = their.get(u)
                    if other is None:
                        if theirs_new.get(u):
                            continue  # deleted on the share after the rollback: the delete stands
                        keys = [k for k in row if k in cols]
                        values = dict(row)
                        if values["fid"] in used:
                            top += 1
                            values["fid"] = top
                        try:
                            t.execute("SAVEPOINT put_back")
                            t.execute("INSERT INTO " + qt + " (" + ", ".join(quote_ident(k, cols) for k in keys)
                                      + ") VALUES (" + ", ".join("?" for _ in keys) + ")", [values[k] for k in keys])
                            t.execute("RELEASE put_back")
                        except sqlite3.IntegrityError as exc:
                            t.execute("ROLLBACK TO put_back")
                            t.execute("RELEASE put_back")
                            t.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, table, u, "*", None,
                                                         _json_value({k: v for k, v in row.items()
                                                                      if not isinstance(v, (bytes, memoryview))}),
                                                         None, user,
                                                         f"could not be put back after the rollback ({exc})", "open"))
                            conflicts += 1
                            continue
                        used.add(values["fid"])
                        restored += 1
                        continue
                    differ = [c for c in cols if c != "fid" and c in row and row[c] != other.get(c)]
                    if not differ:
                        continue
                    if (u in theirs_new and u in lost_edit) or table in edited_tables:
                        side, rule = _winner(table, row, other, differ)
                    elif u in theirs_new:
                        continue  # only the share changed it since: the base is just older
                    else:
                        side, rule = "ours", ""
                    if side == "ours":
                        t.execute("UPDATE " + qt + " SET " + ", ".join(quote_ident(c, cols) + " = ?" for c in differ)
                                  + " WHERE uuid = ?", [row[c] for c in differ] + [u])
                        restored += 1
                    if rule:
                        keep, lose = (row, other) if side == "ours" else (other, row)
                        for c in differ:
                            if c in _BOOKKEEPING:
                                continue
                            t.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, table, u, c,
                                                         _json_value(keep.get(c)), _json_value(lose.get(c)),
                                                         f"{user} (this sync)" if side == "ours" else "shared project",
                                                         "shared project" if side == "ours" else
                                                         f"{user} (lost in the rollback)", rule, "open"))
                            conflicts += 1
    return restored, conflicts
