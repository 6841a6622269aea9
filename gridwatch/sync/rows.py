"""Row-level helpers shared by the sync's merge, settle and repair steps: reading rows by fid or
uuid, the domain rule that decides between two versions of a row, and the conflict record."""

from __future__ import annotations

import base64
import json
import sqlite3
from typing import Any, Optional

from ..domain.settle import winner
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



def _json_value(v: Any) -> str:
    if isinstance(v, (bytes, bytearray, memoryview)):
        return json.dumps({"base64": base64.b64encode(bytes(v)).decode("ascii")})
    return json.dumps(v, ensure_ascii=False)


#: ``("ours"|"theirs", rule)`` for a row both sides changed in some columns: the domain's conflict rule.
_winner = winner


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


