"""Row-level helpers shared by the sync's merge, settle and repair steps: reading rows by fid or
uuid, the domain rule that decides between two versions of a row, and the conflict record."""

from __future__ import annotations

import base64
import json
import sqlite3
from typing import Any, Optional

from ..domain.lifecycle import ASSIGNMENT_STATES, FINDING_STATES
from ..storage.gpkg import quote_ident, sqlite_tables
from ..storage.schema import DENSITY_POINTS_TABLE, DENSITY_TABLE
from .history import DIRTY_TABLE


def _data_tables(con: sqlite3.Connection) -> list[str]:
    # Local tracking and derived tables (the fire-point density, recounted by triggers in every copy) are
    # never synced.
    return [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE table_name NOT IN (?, ?, ?) "
                                      "ORDER BY 1", (DIRTY_TABLE, DENSITY_TABLE, DENSITY_POINTS_TABLE))]



def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute("PRAGMA table_info(" + quote_ident(table, sqlite_tables(con)) + ")")]



def _row(con: sqlite3.Connection, table: str, fid: int) -> Optional[dict[str, Any]]:
    cur = con.execute("SELECT * FROM " + quote_ident(table, sqlite_tables(con)) + " WHERE fid = ?", (fid,))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))


def _fid_uuid(con: sqlite3.Connection, table: str) -> dict[int, str]:
    return dict(con.execute("SELECT fid, uuid FROM " + quote_ident(table, sqlite_tables(con))))



def _row_by_uuid(con: sqlite3.Connection, table: str, uuid: str) -> Optional[dict[str, Any]]:
    cur = con.execute("SELECT * FROM " + quote_ident(table, sqlite_tables(con)) + " WHERE uuid = ?", (uuid,))
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))



_TASK_RANK = {"assigned": 0, "in_progress": 1, "done": 2, "cancelled": 2}
_FINDING_RANK = {s: i for i, s in enumerate(FINDING_STATES)}
_FIRE_RANK = {"unverified": 0}
assert set(_TASK_RANK) == set(ASSIGNMENT_STATES)


def _json_value(v: Any) -> str:
    if isinstance(v, (bytes, bytearray, memoryview)):
        return json.dumps({"base64": base64.b64encode(bytes(v)).decode("ascii")})
    return json.dumps(v, ensure_ascii=False)


def _winner(table: str, ours: dict[str, Any], theirs: dict[str, Any], columns: list[str]) -> tuple[str, str]:
    """``("ours"|"theirs", rule)`` for a row both sides changed in ``columns``."""
    if "status" in columns and table in ("finding", "assignment", "fire_point"):
        rank = {"finding": _FINDING_RANK, "assignment": _TASK_RANK}.get(table)
        a, b = ours.get("status"), theirs.get("status")
        if rank is None:  # fire points: a check result beats unverified
            ra, rb = int(a != "unverified"), int(b != "unverified")
        else:
            ra, rb = rank.get(a, -1), rank.get(b, -1)
        if ra != rb:
            return ("ours" if ra > rb else "theirs"), "status only moves forward"
    ua, ub = ours.get("updated_at"), theirs.get("updated_at")
    if isinstance(ua, str) and isinstance(ub, str) and ua != ub:
        return ("ours" if ua > ub else "theirs"), "the later edit wins"
    return "ours", "the edit synced last wins"


def _last_editor(con: sqlite3.Connection, row_uuid: Optional[str]) -> str:
    if not row_uuid:
        return ""
    r = con.execute("SELECT user_name FROM audit_log WHERE row_uuid = ? ORDER BY at DESC LIMIT 1",
                    (row_uuid,)).fetchone()
    return r[0] if r else ""



#: Columns that change with every edit: settled like the rest, not worth a reviewer's time.
_BOOKKEEPING = {"updated_at"}

_CONFLICT_INSERT = ("INSERT INTO sync_conflict (uuid, sync_uuid, at, table_name, row_uuid, column_name, kept_value, "
                    "other_value, kept_by, other_by, rule, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


