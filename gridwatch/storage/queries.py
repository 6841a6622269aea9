"""Reading the workflow: task lists, findings lists, a cell's records, a row's history, photos.

Every list comes back as a DataFrame with the names people need next to the codes (township,
village, cell, assignee) and the derived ``overdue`` flag.  All read-only.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from contextlib import closing
from typing import TYPE_CHECKING, Any, Optional

from ..times import BEIJING
from .gpkg import blob_to_geometry, connect_readonly, gpkg_datetime, where_set

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

_OPEN_TASK = ("assigned", "in_progress")
_OPEN_FINDING = ("found", "assigned", "rectified")


def read_frame(con: Any, sql: str, args: list[Any]) -> pd.DataFrame:
    """The rows of ``sql`` as a DataFrame with the query's column names."""
    cur = con.execute(sql, args)
    return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def _now(now: Optional[_dt.datetime]) -> _dt.datetime:
    return now or _dt.datetime.now(_dt.timezone.utc)


def tasks(
    path: os.PathLike[str] | str,
    *,
    assignee_uuid: Optional[str] = None,
    due_today: bool = False,
    overdue_only: bool = False,
    open_only: bool = False,
    cell_code: Optional[str] = None,
    now: Optional[_dt.datetime] = None,
) -> pd.DataFrame:
    """Tasks with cell, village, township and assignee names, ``overdue`` and ``fire_count``.

    ``due_today`` is the Beijing-time calendar day of ``now``; overdue means still open after its
    due time.  Sorted: overdue first, then by due time.
    """
    t = _now(now)
    sql = ("SELECT a.uuid, a.kind, a.status, a.cell_code, c.name AS cell_name, v.name AS village_name, "
           "tw.name AS township_name, c.township_code, a.assignee_uuid, p.name AS assignee_name, a.due_at, "
           "a.priority, a.notes, a.result, a.target_layer, a.target_uuid, a.created_at, a.started_at, "
           "a.finished_at, a.cancelled_at, a.status_note, "
           "(SELECT COUNT(*) FROM fire_point fp WHERE fp.check_uuid = a.uuid) AS fire_count, "
           "(SELECT COUNT(*) FROM finding f JOIN inspection i ON f.inspection_uuid = i.uuid "
           " WHERE i.assignment_uuid = a.uuid) AS finding_count "
           "FROM assignment a LEFT JOIN grid_cell c ON c.code = a.cell_code "
           "LEFT JOIN village v ON v.code = c.village_code LEFT JOIN township tw ON tw.code = c.township_code "
           "LEFT JOIN inspector p ON p.uuid = a.assignee_uuid WHERE 1 = 1")
    args: list[Any] = []
    sql = where_set(sql, args, ((" AND a.assignee_uuid = ?", assignee_uuid), (" AND a.cell_code = ?", cell_code)))
    if open_only or overdue_only or due_today:
        sql += " AND a.status IN (?, ?)"
        args += list(_OPEN_TASK)
    if overdue_only:
        sql += " AND a.due_at IS NOT NULL AND a.due_at < ?"
        args.append(gpkg_datetime(t))
    if due_today:
        day = t.astimezone(BEIJING).replace(hour=0, minute=0, second=0, microsecond=0)
        sql += " AND a.due_at >= ? AND a.due_at < ?"
        args += [gpkg_datetime(day), gpkg_datetime(day + _dt.timedelta(days=1))]
    with closing(connect_readonly(path)) as con:
        out = read_frame(con, sql, args)
    stamp = gpkg_datetime(t)
    out["overdue"] = out["status"].isin(_OPEN_TASK) & out["due_at"].notna() & (out["due_at"].fillna("") < stamp)
    return out.sort_values(["overdue", "due_at", "cell_code"], ascending=[False, True, True],
                           na_position="last").reset_index(drop=True)


def findings(
    path: os.PathLike[str] | str,
    *,
    status: Optional[str] = None,
    category: Optional[str] = None,
    township: Optional[str] = None,
    overdue_only: bool = False,
    cell_code: Optional[str] = None,
    now: Optional[_dt.datetime] = None,
) -> pd.DataFrame:
    """Findings with place names, finder, location, photo counts and ``overdue``.

    ``township`` matches a township code or name (or part of the name).  Overdue: not yet
    verified or closed after its rectification deadline (Beijing-time day).
    """
    t = _now(now)
    sql = ("SELECT f.uuid, f.status, f.category, f.severity, f.description, f.cell_code, c.name AS cell_name, "
           "v.name AS village_name, tw.name AS township_name, c.township_code, f.rectify_deadline, "
           "f.responsible_party, f.found_by, p.name AS found_by_name, f.found_at, f.updated_at, f.location_note, "
           "f.rectify_note, f.verify_note, f.reject_reason, f.reject_count, f.inspection_uuid, f.geom, "
           "f.verified_at, f.closed_at, "
           "(SELECT COUNT(*) FROM attachment a WHERE a.finding_uuid = f.uuid) AS photo_count, "
           "(SELECT COUNT(*) FROM attachment a WHERE a.finding_uuid = f.uuid "
           " AND (a.flags LIKE '%far_from_cell%' OR a.flags LIKE '%outside_task_time%')) AS flagged_photos "
           "FROM finding f LEFT JOIN grid_cell c ON c.code = f.cell_code "
           "LEFT JOIN village v ON v.code = c.village_code LEFT JOIN township tw ON tw.code = c.township_code "
           "LEFT JOIN inspector p ON p.uuid = f.found_by WHERE 1 = 1")
    args: list[Any] = []
    sql = where_set(sql, args, ((" AND f.status = ?", status), (" AND f.category = ?", category),
                                (" AND f.cell_code = ?", cell_code)))
    if township:
        sql += " AND (c.township_code = ? OR tw.name LIKE ? ESCAPE '\\')"
        like = "%" + township.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        args += [township, like]
    with closing(connect_readonly(path)) as con:
        out = read_frame(con, sql, args)
    today = t.astimezone(BEIJING).date().isoformat()
    out["overdue"] = (out["status"].isin(_OPEN_FINDING) & out["rectify_deadline"].notna()
                      & (out["rectify_deadline"].fillna("9999") < today))
    pts = [blob_to_geometry(b) for b in out["geom"]]
    out["longitude"] = [p.x if p is not None and not p.is_empty else None for p in pts]
    out["latitude"] = [p.y if p is not None and not p.is_empty else None for p in pts]
    out = out.drop(columns=["geom"])
    if overdue_only:
        out = out[out["overdue"]]
    return out.sort_values(["overdue", "found_at"], ascending=[False, False]).reset_index(drop=True)


def inspections(path: os.PathLike[str] | str, *, cell_code: Optional[str] = None) -> pd.DataFrame:
    """Inspection visits with the inspector's name, newest first."""
    sql = ("SELECT i.uuid, i.assignment_uuid, i.cell_code, i.kind, i.inspector_uuid, p.name AS inspector_name, "
           "i.started_at, i.finished_at, i.notes, "
           "(SELECT COUNT(*) FROM finding f WHERE f.inspection_uuid = i.uuid) AS finding_count "
           "FROM inspection i LEFT JOIN inspector p ON p.uuid = i.inspector_uuid WHERE 1 = 1")
    args: list[Any] = []
    sql = where_set(sql, args, ((" AND i.cell_code = ?", cell_code),))
    with closing(connect_readonly(path)) as con:
        out = read_frame(con, sql + " ORDER BY i.started_at DESC", args)
    return out


def history(path: os.PathLike[str] | str, row_uuid: str, *, with_attachments: bool = True) -> pd.DataFrame:
    """Every audit-log entry of one row (and, for a finding, of its photos), oldest first.

    Columns: at, user_name, action, table_name, row_uuid, old (dict), new (dict), details.
    """
    sql = "SELECT at, user_name, action, table_name, row_uuid, old_values, new_values, details FROM audit_log " \
          "WHERE row_uuid = ?"
    args: list[Any] = [row_uuid]
    if with_attachments:
        sql += " OR row_uuid IN (SELECT uuid FROM attachment WHERE finding_uuid = ?)"
        args.append(row_uuid)
    with closing(connect_readonly(path)) as con:
        out = read_frame(con, sql + " ORDER BY at, rowid", args)
    out["old"] = [json.loads(v) if isinstance(v, str) else {} for v in out.pop("old_values")]
    out["new"] = [json.loads(v) if isinstance(v, str) else {} for v in out.pop("new_values")]
    return out


def attachments(path: os.PathLike[str] | str, finding_uuid: str, *, with_data: bool = False) -> pd.DataFrame:
    """Photos of a finding with thumbnails (and the full image bytes when ``with_data``)."""
    cols = ("uuid, role, filename, mime_type, sha256, taken_at, longitude, latitude, created_at, thumbnail, "
            "flags, added_by")
    if with_data:
        cols += ", data"
    with closing(connect_readonly(path)) as con:
        return read_frame(con, "SELECT " + cols + " FROM attachment WHERE finding_uuid = ? ORDER BY created_at, fid",
                      [finding_uuid])


def people(path: os.PathLike[str] | str) -> pd.DataFrame:
    """The people table with how many cells each inspector has (``village_code``: None before schema 4)."""
    with closing(connect_readonly(path)) as con:
        has_village = any(r[1] == "village_code" for r in con.execute("PRAGMA table_info(inspector)"))
        out = read_frame(con, "SELECT p.uuid, p.name, p.role, p.phone, p.township_code, "
                     + ("p.village_code, " if has_village else "NULL AS village_code, ")
                     + "p.active, (SELECT COUNT(*) FROM grid_cell c WHERE c.inspector_uuid = p.uuid) AS cell_count "
                     "FROM inspector p ORDER BY p.role, p.name", [])
    return out


def active_people(path: os.PathLike[str] | str) -> list[tuple[str, str]]:
    """``(name, role)`` of the active people, by role and name (e.g. of a shared file, read-only)."""
    with closing(connect_readonly(path)) as con:
        rows = con.execute("SELECT name, role FROM inspector WHERE active IS NULL OR active = 1 "
                           "ORDER BY role, name").fetchall()
    return [(str(n), str(r)) for n, r in rows if n]


def townships(path: os.PathLike[str] | str) -> list[tuple[str, str]]:
    """``(code, name)`` of every township, by code."""
    with closing(connect_readonly(path)) as con:
        return [(str(c), "" if n is None else str(n))
                for c, n in con.execute("SELECT code, name FROM township ORDER BY code").fetchall()]


def cell_geometry(path: os.PathLike[str] | str, cell_code: str) -> Any:
    """The grid cell's polygon (lon/lat), or None if there is no such cell."""
    with closing(connect_readonly(path)) as con:
        row = con.execute("SELECT geom FROM grid_cell WHERE code = ?", (cell_code,)).fetchone()
    return blob_to_geometry(row[0]) if row and row[0] is not None else None


def finding_row(path: os.PathLike[str] | str, uuid: str) -> dict[str, Any]:
    """Every column of one finding plus ``cell_inspector_uuid`` (who holds its cell), for the policy; {} if none."""
    with closing(connect_readonly(path)) as con:
        cur = con.execute("SELECT f.*, c.inspector_uuid AS cell_inspector_uuid FROM finding f "
                          "LEFT JOIN grid_cell c ON c.code = f.cell_code WHERE f.uuid = ?", (uuid,))
        row = cur.fetchone()
        return {} if row is None else dict(zip([d[0] for d in cur.description], row))


def check_fire_points(path: os.PathLike[str] | str, check_uuid: str) -> list[str]:
    """Uuids of the fire points a fire-point check covers (to show them on the map)."""
    with closing(connect_readonly(path)) as con:
        return [str(r[0]) for r in con.execute("SELECT uuid FROM fire_point WHERE check_uuid = ? ORDER BY fid",
                                               (check_uuid,))]
def edits_since(path: os.PathLike[str] | str, since: Optional[str]) -> tuple[int, Optional[str]]:
    """``(edits, oldest time)`` recorded in the audit log after ``since`` (a stored UTC time; None: all).

    An edit is one action of one person at one time (its rows share the audit stamp): creating 500
    fire-point checks is one edit, as the user made it.
    """
    sql = "SELECT COUNT(*), MIN(at) FROM (SELECT DISTINCT at, user_name, action FROM audit_log"
    args: list[Any] = []
    sql = where_set(sql, args, ((" WHERE at > ?", since),))
    with closing(connect_readonly(path)) as con:
        n, oldest = con.execute(sql + ")", args).fetchone()
    return int(n or 0), oldest


def last_sync_entry(path: os.PathLike[str] | str, user: Optional[str] = None) -> dict[str, Any]:
    """The newest ``sync_log`` row (of ``user``'s syncs when given) as a dict; {} if there is none."""
    sql = "SELECT at, user_name, host, sent, received, conflicts, refused FROM sync_log"
    args: list[Any] = []
    sql = where_set(sql, args, ((" WHERE user_name = ?", user),))
    with closing(connect_readonly(path)) as con:
        cur = con.execute(sql + " ORDER BY at DESC LIMIT 1", args)
        row = cur.fetchone()
        return {} if row is None else dict(zip([d[0] for d in cur.description], row))


def fire_cells_between(path: os.PathLike[str] | str, start: _dt.datetime, end: _dt.datetime,
                       not_status: tuple[str, ...] = ()) -> list[str]:
    """Codes of the cells with a fire point detected in ``start <= t < end`` whose status is not one of
    ``not_status`` (through the index on ``detected_utc``; no point is held in memory: a city's ten million
    points would be)."""
    sql = ("SELECT DISTINCT cell_code FROM fire_point WHERE detected_utc >= ? AND detected_utc < ? "
           "AND cell_code IS NOT NULL")
    args: list[Any] = [gpkg_datetime(start), gpkg_datetime(end)]
    if not_status:
        sql += " AND status NOT IN (" + ", ".join("?" * len(not_status)) + ")"
        args += list(not_status)
    with closing(connect_readonly(path)) as con:
        return [str(r[0]) for r in con.execute(sql, args)]
