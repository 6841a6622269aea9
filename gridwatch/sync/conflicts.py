"""Reviewing sync conflicts: every value a sync overrode, and putting it back.

A supervisor sees each conflict (which row and field, the value kept and the one overridden, whose
they were, the rule that decided) and either accepts it or restores the overridden value.  Both
are ordinary workflow edits: audited, undoable, and synced like any other.
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import os
import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING, Any, Optional

from ..errors import InvalidTransition, StorageError, ValidationError
from ..storage.edits import Edit, RowChange, read_row
from ..storage.gpkg import connect_readonly, gpkg_datetime, where_set
from ..storage.queries import read_frame
from ..storage.workflow import Actor, _write

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

REVIEWERS = ("supervisor", "admin")


def decode_value(text: Optional[str]) -> Any:
    """A value stored in ``sync_conflict`` (JSON; blobs as ``{"base64": ...}``).

    Text that is not valid JSON (the table edited by another program) is returned as it is stored."""
    if text is None:
        return None
    try:
        v = json.loads(text)
        if isinstance(v, dict) and set(v) == {"base64"}:
            return base64.b64decode(v["base64"], validate=True)
    except (TypeError, ValueError):  # JSONDecodeError, binascii.Error
        return text
    return v


def conflicts(path: os.PathLike[str] | str, *, status: Optional[str] = "open") -> pd.DataFrame:
    """Recorded conflicts, newest first (``status`` None: all)."""
    sql = ("SELECT uuid, sync_uuid, at, table_name, row_uuid, column_name, kept_value, other_value, kept_by, "
           "other_by, rule, status, reviewed_by, reviewed_at FROM sync_conflict")
    args: list[Any] = []
    sql = where_set(sql, args, ((" WHERE status = ?", status),))
    with closing(connect_readonly(path)) as con:
        return read_frame(con, sql + " ORDER BY at DESC, rowid", args)


def review_conflict(
    path: os.PathLike[str] | str,
    actor: Actor,
    conflict_uuid: str,
    action: str,
    *,
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """``action`` "accept" (the kept value stays) or "restore" (the overridden value comes back).

    Restoring a value of a row that was deleted is refused with a message; restoring a finding's
    status that the lifecycle would not allow is allowed (it was a real state) but audited.
    """
    if actor.role not in REVIEWERS:
        raise InvalidTransition(f"{actor.name} is {actor.role}; only a supervisor or admin reviews sync conflicts")
    if action not in ("accept", "restore"):
        raise ValidationError(f"unknown review action {action!r}: accept or restore")
    stamp = gpkg_datetime(now or _dt.datetime.now(_dt.timezone.utc))

    def build(con: sqlite3.Connection) -> Edit:
        c = read_row(con, "sync_conflict", conflict_uuid)
        if c is None:
            raise StorageError(f"no sync conflict {conflict_uuid}")
        if c["status"] != "open":
            raise InvalidTransition(f"this conflict was already {c['status']} by {c['reviewed_by']}")
        changes = [RowChange("sync_conflict", conflict_uuid, c,
                             dict(c, status="accepted" if action == "accept" else "restored",
                                  reviewed_by=actor.name, reviewed_at=stamp))]
        if action == "restore":
            row = read_row(con, c["table_name"], c["row_uuid"]) if c["row_uuid"] else None
            if row is None or c["kept_value"] is None:
                raise StorageError("the row was deleted; its values are kept here for the record only")
            col = c["column_name"]
            if col not in row:
                raise StorageError(f"{c['table_name']} has no field {col}")
            after = dict(row)
            after[col] = decode_value(c["other_value"])
            if "updated_at" in row and col != "updated_at":
                after["updated_at"] = stamp
            changes.append(RowChange(c["table_name"], c["row_uuid"], row, after))
        return Edit("review " + action, "同步冲突 " + ("确认" if action == "accept" else "恢复"), changes)

    return _write(path, actor, build, now)
