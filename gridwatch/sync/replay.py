"""Put back on the laptop what it holds beyond what a sync sent: refused edits, edits made while the
sync ran, edits made after a sync was killed.

The merged project may have moved a row meanwhile (another laptop verified the finding this laptop
rejected while its own sync ran).  Such an edit is concurrent with the share's: it is settled here by
the same domain rule as any conflict (a status only moves forward, otherwise the later edit wins; a
losing lifecycle step goes as a whole) and every overridden value is recorded in ``sync_conflict``,
instead of being written over the share's step.  Written over it, the laptop's row would say
"rejected" on top of "closed", a step nobody can take, and every later sync would refuse it.
"""

from __future__ import annotations

import sqlite3
import uuid as _uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Optional

from ..errors import SyncError
from ..storage.gpkg import connect_readwrite, quote_ident, sqlite_tables, transaction
from .changes import list_changes
from .files import _now_text
from .permissions import _person, judge_now
from .rows import _BOOKKEEPING, _CONFLICT_INSERT, _columns, _json_value, _last_editor, _row, _row_by_uuid, _winner


def replay_by_uuid(before: Path, after: Path, target: Path, work: Path, tables: Optional[set[str]] = None, *,
                   user: str = "", sync_uuid: Optional[str] = None) -> int:
    """Apply the edits ``before`` -> ``after`` to ``target``, finding rows by uuid, not by fid (the
    merge may have renumbered this laptop's new rows).  Returns the conflicts recorded.

    ``before`` is what was sent, so a row of ``target`` that differs from it was changed by the shared
    project meanwhile: an edit of such a row is settled against the share's, never written over it.
    Writing through the target's triggers marks the replayed tables as edited, so the next sync sends
    them (with the conflict records).
    """
    changes = list_changes(before, after, work, tables)
    if not changes:
        return 0
    stamp = _now_text()
    recorded = 0
    try:
        person: Optional[dict[str, Any]] = _person(target, user) if user else None
    except SyncError:
        person = None  # not a person of the project (any more): the next sync's judge says so
    with closing(sqlite3.connect(f"file:{before}?mode=ro", uri=True)) as b, \
            closing(sqlite3.connect(f"file:{after}?mode=ro", uri=True)) as a, \
            closing(connect_readwrite(target)) as t, transaction(t):
        names = sqlite_tables(t)
        for c in changes:
            if c.table not in names:
                continue
            cols = _columns(t, c.table)
            if "uuid" not in cols:
                continue  # only GridWatch's own tables are edited on a laptop, and all carry a uuid
            qt = quote_ident(c.table, names)
            if c.kind == "delete":
                row = _row(b, c.table, c.fid)
                if row is not None:
                    t.execute("DELETE FROM " + qt + " WHERE uuid = ?", (row["uuid"],))
                continue
            row = _row(a, c.table, c.fid)
            if row is None:
                continue
            current = _row_by_uuid(t, c.table, row["uuid"])
            try:
                if c.kind == "insert" and current is None:
                    keys = [k for k in row if k != "fid" and k in cols]
                    t.execute("INSERT INTO " + qt + " (" + ", ".join(quote_ident(k, cols) for k in keys)
                              + ") VALUES (" + ", ".join("?" for _ in keys) + ")", [row[k] for k in keys])
                elif current is not None:
                    sent = _row(b, c.table, c.fid) if c.kind == "update" else None
                    keys = [k for k in (c.values if c.kind == "update" else row)
                            if k not in ("fid", "uuid") and k in cols]
                    values = {k: row[k] for k in keys}
                    if sent is not None and sent.get("uuid") == row["uuid"]:
                        values, found = _settle(t, c.table, cols, sent, row, current, keys, user,
                                                sync_uuid, stamp, person)
                        recorded += found
                    names_set = [k for k in values if current.get(k) != values[k]]
                    if names_set:
                        t.execute("UPDATE " + qt + " SET " + ", ".join(quote_ident(k, cols) + " = ?"
                                                                        for k in names_set)
                                  + " WHERE uuid = ?", [values[k] for k in names_set] + [row["uuid"]])
            except sqlite3.IntegrityError as exc:
                # It clashes with a row that came from the shared project (a code used twice): keep the
                # edit visible in the conflicts table instead of failing every sync from now on.
                t.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), None, _now_text(), c.table, row["uuid"], "*", None,
                                             _json_value({k: v for k, v in row.items()
                                                          if not isinstance(v, (bytes, memoryview))}),
                                             None, "this laptop", f"could not be put back on this laptop ({exc})",
                                             "open"))
                recorded += 1
    return recorded


def _settle(t: sqlite3.Connection, table: str, cols: list[str], sent: dict[str, Any], mine: dict[str, Any],
            current: dict[str, Any], keys: list[str], user: str, sync_uuid: Optional[str],
            stamp: str, person: Optional[dict[str, Any]]) -> tuple[dict[str, Any], int]:
    """The values of ``mine`` (the laptop's edit of a row, from ``sent``) to write over ``current``
    (the merged row), settled by the domain rule where the share changed the same columns meanwhile;
    the conflicts recorded in ``t``."""
    theirs = {k for k in cols if k != "fid" and current.get(k) != sent.get(k)}
    if not theirs - _BOOKKEEPING:
        return {k: mine[k] for k in keys}, 0
    clash = [k for k in keys if k in theirs and current.get(k) != mine.get(k)]
    side, rule = _winner(table, mine, current, clash) if clash else ("ours", "")
    if rule == "status only moves forward":
        # a lifecycle step against another: the losing step goes as a whole
        settled = sorted(set(keys) | theirs)
    else:
        settled = clash
    keep, lose = (mine, current) if side == "ours" else (current, mine)
    values = {k: mine[k] for k in keys if k not in settled}
    values.update({k: keep[k] for k in settled})
    if person is not None and any(current.get(k) != v for k, v in values.items() if k not in _BOOKKEEPING):
        # what is left of the edit must still be one its author may make on the row as it now is (an
        # inspector's correction of a finding the office assigned meanwhile is not): else it goes
        why = judge_now(t, person, table, current, {**current, **values})
        if why is not None:
            settled, side, rule = sorted(set(keys)), "theirs", f"the row moved on meanwhile: {why}"
            keep, lose = current, mine
            values = {}
    me, other = f"{user} (this laptop)", _last_editor(t, current.get("uuid")) or "shared project"
    n = 0
    for k in settled:
        if k in _BOOKKEEPING or keep.get(k) == lose.get(k):
            continue
        t.execute(_CONFLICT_INSERT, (str(_uuid.uuid4()), sync_uuid, stamp, table, current.get("uuid"), k,
                                     _json_value(keep.get(k)), _json_value(lose.get(k)),
                                     me if side == "ours" else other, other if side == "ours" else me, rule, "open"))
        n += 1
    return values, n
