"""Workflow records in the project: assignments, fire-point checks, inspections, findings, photos.

Every write is one transaction that also writes its audit-log rows, and every write names the
acting person; what their role may not do is refused here, in the core, whatever the UI shows.
Each write returns the :class:`~gridwatch.storage.edits.Edit` it applied, which the app keeps for
undo/redo (:func:`undo` / :func:`redo`).
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import uuid as _uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Callable, Iterable, Optional, Sequence

import pandas as pd

from ..domain.lifecycle import next_state
from ..domain.policy import EDITABLE_FINDING_FIELDS, Action, Actor, require
from ..errors import InvalidTransition, NotFound, StorageError, ValidationError
from ..photos import Photo, describe_flags, photo_flags, read_photo
from ..times import parse_stored_time
from .edits import Edit, RowChange, apply_edit, read_row
from .gpkg import blob_to_geometry, connect_readonly, connect_readwrite, geometry_to_blob, gpkg_datetime, transaction
from .project import check_project
from .schema import ASSIGNMENT_KINDS, FINDING_CATEGORIES, FIRE_CHECK_RESULTS

PROJECT_SRS = 4490
#: Default time allowed for a fire-point check.
FIRE_CHECK_DEADLINE = _dt.timedelta(hours=24)


def find_actor(path: os.PathLike[str] | str, name: str) -> Actor:
    """The active person called ``name`` in the project's people table."""
    with closing(connect_readonly(path)) as con:
        row = con.execute("SELECT uuid, name, role FROM inspector WHERE name = ? AND (active IS NULL OR active = 1)",
                          (name,)).fetchone()
    if row is None:
        raise NotFound(f"{path}: nobody called {name!r} in the people table; ask an administrator to add them")
    return Actor(*row)


def _now(now: Optional[_dt.datetime]) -> _dt.datetime:
    t = now or _dt.datetime.now(_dt.timezone.utc)
    if t.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return t


def _write(path: os.PathLike[str] | str, actor: Actor, build: Callable[[sqlite3.Connection], Edit],
           now: Optional[_dt.datetime] = None) -> Edit:
    """Open the project, build the edit from its current rows and apply it, all in one transaction."""
    p = Path(path)
    check_project(p)
    with closing(connect_readwrite(p)) as con:
        # Random uuid keys touch pages all over their indexes: a 64 MB page cache keeps a bulk edit
        # (20,000 tasks) from re-reading them from disk.
        con.execute("PRAGMA cache_size = -65536")
        with transaction(con):
            edit = build(con)
            apply_edit(con, edit, actor.name, at=_now(now))
    return edit


def undo(path: os.PathLike[str] | str, actor: Actor, edit: Edit) -> Edit:
    """Undo ``edit`` (refused if a row it touched has changed since); returns the inverse edit."""
    inverse = edit.inverse()
    return _write(path, actor, lambda con: inverse)


def redo(path: os.PathLike[str] | str, actor: Actor, edit: Edit) -> Edit:
    """Apply ``edit`` again after an undo."""
    again = Edit("redo " + edit.action, edit.title, list(edit.changes), edit.details)
    return _write(path, actor, lambda con: again)


def _need(con: sqlite3.Connection, table: str, uuid: str, what: str) -> dict[str, Any]:
    row = read_row(con, table, uuid)
    if row is None:
        raise NotFound(f"no {what} {uuid} in the project")
    return row


# --- assignments ------------------------------------------------------------------------------


def _cells(con: sqlite3.Connection, codes: list[str]) -> dict[str, Optional[str]]:
    out: dict[str, Optional[str]] = {}
    for i in range(0, len(codes), 900):  # SQLite's default limit on bound parameters
        chunk = codes[i:i + 900]
        out.update(con.execute("SELECT code, inspector_uuid FROM grid_cell WHERE code IN ("
                               + ",".join("?" for _ in chunk) + ")", chunk).fetchall())
    return out


def _assignment_rows(con: sqlite3.Connection, actor: Actor, codes: list[str], kind: str, *, due: Optional[str],
                     assignee_uuid: Optional[str], priority: int, notes: str, target_layer: Optional[str],
                     targets: Sequence[Optional[str]], stamp: str) -> list[dict[str, Any]]:
    cells = _cells(con, codes)
    unknown = [c for c in codes if c not in cells]
    if unknown:
        raise StorageError(f"unknown cell code(s) {', '.join(unknown[:5])}"
                           + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""))
    people = dict(con.execute("SELECT uuid, role FROM inspector").fetchall())
    if assignee_uuid is not None and assignee_uuid not in people:
        raise StorageError(f"no person with uuid {assignee_uuid}")
    rows = []
    for code, target in zip(codes, targets):
        who = assignee_uuid or cells[code]
        if who is None:
            raise StorageError(f"cell {code} has no inspector; choose an assignee")
        rows.append({"uuid": str(_uuid.uuid4()), "kind": kind, "cell_code": code, "target_layer": target_layer,
                     "target_uuid": target, "assignee_uuid": who, "due_at": due, "priority": priority,
                     "notes": notes, "status": "assigned", "created_by": actor.uuid, "created_at": stamp,
                     "updated_at": stamp})
    return rows


def create_assignments(
    path: os.PathLike[str] | str,
    actor: Actor,
    cell_codes: Iterable[str],
    kind: str,
    *,
    due_at: Optional[_dt.datetime] = None,
    assignee_uuid: Optional[str] = None,
    priority: int = 2,
    notes: str = "",
    target_layer: Optional[str] = None,
    target_uuids: Optional[Sequence[Optional[str]]] = None,
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """Create one ``kind`` inspection per cell, for the cell's inspector unless ``assignee_uuid``.

    Hundreds of cells go in one transaction with one audit row each.  The new uuids are
    ``edit.created("assignment")``.

    Raises
    ------
    RefusedByRole
        The actor is not a supervisor or administrator.
    StorageError
        Unknown kind, cell codes or assignee; nothing is written.
    """
    require(actor, Action.ASSIGN_TASKS)
    if kind not in ASSIGNMENT_KINDS:
        raise StorageError(f"unknown inspection kind {kind!r}; kinds: {', '.join(ASSIGNMENT_KINDS)}")
    codes = list(cell_codes)
    targets = list(target_uuids) if target_uuids is not None else [None] * len(codes)
    if target_uuids is None:
        codes = list(dict.fromkeys(codes))
        targets = [None] * len(codes)
    if not codes:
        raise StorageError("no cells chosen: select cells on the map first")
    if len(targets) != len(codes):
        raise StorageError("one target per cell is needed")
    if not 1 <= int(priority) <= 3:
        raise StorageError(f"priority must be 1 (high), 2 (normal) or 3 (low), not {priority}")
    stamp = gpkg_datetime(_now(now))
    due = gpkg_datetime(due_at) if due_at is not None else None

    def build(con: sqlite3.Connection) -> Edit:
        rows = _assignment_rows(con, actor, codes, kind, due=due, assignee_uuid=assignee_uuid, priority=priority,
                                notes=notes, target_layer=target_layer, targets=targets, stamp=stamp)
        return Edit("create", f"派发任务 {len(rows)} 个", [RowChange("assignment", r["uuid"], None, r) for r in rows])

    return _write(path, actor, build, now)


def create_fire_checks(
    path: os.PathLike[str] | str,
    actor: Actor,
    *,
    deadline: _dt.timedelta = FIRE_CHECK_DEADLINE,
    township_code: Optional[str] = None,
    since: Optional[_dt.datetime] = None,
    max_checks: int = 5000,
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """One fire-point check per cell per Beijing-time day for the unverified fire points not yet in a check.

    ``township_code`` and ``since`` (detections from then on) narrow the points; more than
    ``max_checks`` checks in one action are refused (a season's archive is not checked on site).

    Each check is due ``deadline`` from now and goes to the cell's inspector; every fire point of
    the group records the check (``fire_point.check_uuid``) so the check's result flows back.
    """
    require(actor, Action.CREATE_FIRE_CHECKS)
    t = _now(now)
    stamp = gpkg_datetime(t)
    due = gpkg_datetime(t + deadline)

    def build(con: sqlite3.Connection) -> Edit:
        fires = _fire_todo(con, township_code, since)
        if fires.empty:
            raise StorageError("no unverified fire points without a check" + (
                f" in township {township_code}" if township_code else "") + (
                " since " + since.isoformat()[:10] if since else "") + "; nothing to create")
        groups = fire_check_groups(fires)
        if len(groups) > max_checks:
            raise ValidationError(
                f"{len(fires):,} fire points would make {len(groups):,} checks (more than {max_checks:,} at once); "
                "choose a township or only recent detections")
        codes = groups["cell_code"].tolist()
        notes = [f"{g.day} 火点 {g.count} 个，首次监测 {str(g.first_detected)[11:16]}" for g in groups.itertuples()]
        rows = _assignment_rows(con, actor, codes, "fire_check", due=due, assignee_uuid=None, priority=1,
                                notes="", target_layer="fire_point",
                                targets=[u[0] for u in groups["fire_uuids"]], stamp=stamp)
        changes = []
        for row, note, members in zip(rows, notes, groups["fire_uuids"]):
            row["notes"] = note
            changes.append(RowChange("assignment", row["uuid"], None, row))
            for fid in members:
                changes.append(RowChange("fire_point", fid, {"check_uuid": None}, {"check_uuid": row["uuid"]}))
        return Edit("create", f"火点核查任务 {len(rows)} 个", changes,
                    details=f"{len(fires)} fire points in {len(rows)} checks")

    return _write(path, actor, build, now)


def _fire_todo(con: sqlite3.Connection, township_code: Optional[str], since: Optional[_dt.datetime]) -> pd.DataFrame:
    sql = ("SELECT uuid, cell_code, detected_local, status FROM fire_point "
           "WHERE status = 'unverified' AND check_uuid IS NULL AND cell_code IS NOT NULL")
    args: list[Any] = []
    if township_code:
        sql += " AND township_code = ?"
        args.append(township_code)
    if since is not None:
        sql += " AND detected_utc >= ?"
        args.append(gpkg_datetime(since))
    return pd.DataFrame(con.execute(sql, args).fetchall(), columns=["uuid", "cell_code", "detected_local", "status"])


def fire_check_preview(path: os.PathLike[str] | str, *, township_code: Optional[str] = None,
                       since: Optional[_dt.datetime] = None) -> tuple[int, int]:
    """``(fire points, checks)`` that :func:`create_fire_checks` would make now (read-only)."""
    with closing(connect_readonly(path)) as con:
        fires = _fire_todo(con, township_code, since)
    return len(fires), (len(fire_check_groups(fires)) if len(fires) else 0)


def fire_check_groups(fires: pd.DataFrame) -> pd.DataFrame:
    """Unverified fire points grouped one per cell per Beijing-time day.

    ``fires`` has columns uuid, cell_code, detected_local (ISO text with +08:00) and status.
    Returns one row per (cell_code, day) with the list of fire-point uuids and the first detection.
    """
    todo = fires[(fires["status"] == "unverified") & fires["cell_code"].notna()].copy()
    todo["day"] = todo["detected_local"].astype(str).str[:10]
    grouped = todo.sort_values("detected_local").groupby(["cell_code", "day"], sort=True)
    return grouped.agg(fire_uuids=("uuid", list), first_detected=("detected_local", "first"),
                       count=("uuid", "size")).reset_index()


#: The policy's action for each task step.
_TASK_ACTIONS = {"start": Action.START_TASK, "finish": Action.FINISH_TASK, "cancel": Action.CANCEL_TASK}
#: The policy's action for each finding step.
_FINDING_ACTIONS = {"assign": Action.ASSIGN_FINDING, "rectify": Action.RECTIFY_FINDING,
                    "verify": Action.VERIFY_FINDING, "reject": Action.REJECT_FINDING, "close": Action.CLOSE_FINDING}


def change_assignment(
    path: os.PathLike[str] | str,
    actor: Actor,
    assignment_uuid: str,
    action: str,
    *,
    reason: str = "",
    result: Optional[str] = None,
    notes: str = "",
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """Start, finish or cancel a task (see :data:`~gridwatch.domain.lifecycle.ASSIGNMENT_TRANSITIONS`).

    Starting opens an inspection record; finishing closes it.  Finishing a fire-point check needs
    its ``result`` (burning_confirmed, no_burning or outside_cell), which is written to every fire
    point of the check.  Cancelling needs a ``reason``.
    """
    t = _now(now)
    stamp = gpkg_datetime(t)

    def build(con: sqlite3.Connection) -> Edit:
        a = _need(con, "assignment", assignment_uuid, "task")
        step = next_state("assignment", a["status"], action, actor.role)  # unknown actions: the lifecycle's message
        require(actor, _TASK_ACTIONS[action], a)
        after = dict(a, status=step.target, updated_at=stamp)
        changes: list[RowChange] = []
        if action == "start":
            after["started_at"] = stamp
            ins = {"uuid": str(_uuid.uuid4()), "assignment_uuid": a["uuid"], "cell_code": a["cell_code"],
                   "inspector_uuid": actor.uuid, "kind": a["kind"], "started_at": stamp, "finished_at": None,
                   "notes": None}
            changes.append(RowChange("inspection", ins["uuid"], None, ins))
        elif action == "finish":
            after["finished_at"] = stamp
            if a["kind"] == "fire_check":
                if result not in FIRE_CHECK_RESULTS:
                    raise ValidationError("a fire-point check needs its result: " + ", ".join(FIRE_CHECK_RESULTS))
                after["result"] = result
                for (fid, status) in con.execute("SELECT uuid, status FROM fire_point WHERE check_uuid = ?",
                                                 (a["uuid"],)).fetchall():
                    changes.append(RowChange("fire_point", fid, {"status": status}, {"status": result}))
            for row in con.execute("SELECT uuid FROM inspection WHERE assignment_uuid = ? AND finished_at IS NULL",
                                   (a["uuid"],)).fetchall():
                ins = _need(con, "inspection", row[0], "inspection")
                changes.append(RowChange("inspection", row[0], ins,
                                         dict(ins, finished_at=stamp, notes=notes or ins["notes"])))
        elif action == "cancel":
            if not reason.strip():
                raise ValidationError("cancelling a task needs a reason")
            after["cancelled_at"] = stamp
            after["status_note"] = reason.strip()
        changes.insert(0, RowChange("assignment", a["uuid"], a, after))
        return Edit(action, f"{step.title_zh} 任务", changes, details=reason or notes or (result or ""))

    return _write(path, actor, build, now)


# --- findings ---------------------------------------------------------------------------------


def _cell_geometry(con: sqlite3.Connection, code: str):  # type: ignore[no-untyped-def]
    row = con.execute("SELECT geom, inspector_uuid FROM grid_cell WHERE code = ?", (code,)).fetchone()
    if row is None:
        raise StorageError(f"unknown cell code {code}")
    return blob_to_geometry(row[0]), row[1]


def cell_at(con: sqlite3.Connection, lon: float, lat: float) -> Optional[str]:
    """Code of the grid cell containing ``(lon, lat)``, found through the layer's R-tree."""
    import shapely

    pt = shapely.Point(lon, lat)
    rows = con.execute(
        "SELECT c.code, c.geom FROM grid_cell c JOIN rtree_grid_cell_geom r ON c.fid = r.id "
        "WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?", (lon, lon, lat, lat)).fetchall()
    for code, blob in rows:
        if blob_to_geometry(blob).covers(pt):
            return code
    return None


def _attachment_row(photo: Photo, finding_uuid: str, role: str, flags: list[str], actor: Actor,
                    stamp: str) -> dict[str, Any]:
    return {"uuid": str(_uuid.uuid4()), "finding_uuid": finding_uuid, "role": role, "filename": photo.filename,
            "mime_type": photo.mime_type, "sha256": photo.sha256,
            "taken_at": gpkg_datetime(photo.taken_at) if photo.taken_at else None,
            "longitude": photo.longitude, "latitude": photo.latitude, "data": photo.data, "created_at": stamp,
            "thumbnail": photo.thumbnail, "flags": ",".join(flags) or None, "added_by": actor.uuid}


def _task_window(a: Optional[dict[str, Any]], t: _dt.datetime) -> Optional[tuple[_dt.datetime, _dt.datetime]]:
    if a is None:
        return None
    start = parse_stored_time(a.get("started_at")) or parse_stored_time(a.get("created_at"))
    end = parse_stored_time(a.get("finished_at")) or max(t, parse_stored_time(a.get("due_at")) or t)
    return (start, end) if start else None


def _photos(con: sqlite3.Connection, photos: Sequence[Photo | str | os.PathLike[str]], finding_uuid: str, role: str,
            cell_code: str, task: Optional[dict[str, Any]], actor: Actor, t: _dt.datetime,
            warnings: list[str]) -> list[RowChange]:
    cell, _ = _cell_geometry(con, cell_code)
    window = _task_window(task, t)
    if role == "after":  # an after-photo belongs to the rectification, taken up to now
        window = (t - _dt.timedelta(days=60), t)
    out = []
    for item in photos:
        photo = item if isinstance(item, Photo) else read_photo(item)
        flags = photo_flags(photo, cell=cell, window=window)
        serious = [f for f in flags if not f.startswith("no_")]
        if serious:
            warnings.append(f"{photo.filename}: {describe_flags(serious)}")
        row = _attachment_row(photo, finding_uuid, role, flags, actor, gpkg_datetime(t))
        out.append(RowChange("attachment", row["uuid"], None, row))
    return out


def record_finding(
    path: os.PathLike[str] | str,
    actor: Actor,
    *,
    category: str,
    longitude: float,
    latitude: float,
    assignment_uuid: Optional[str] = None,
    cell_code: Optional[str] = None,
    severity: int = 2,
    description: str = "",
    rectify_deadline: Optional[_dt.date] = None,
    responsible_party: str = "",
    photos: Sequence[Photo | str | os.PathLike[str]] = (),
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """Record a finding (状态: found) with its location and evidence photos.

    Inspectors record under a task of theirs that is in progress; supervisors may also record
    directly in a cell.  A location outside the cell is accepted with a warning
    (``edit.warnings``), as are photos taken far from the cell or outside the task's time (their
    flags are stored with them).
    """
    if category not in FINDING_CATEGORIES:
        raise ValidationError(f"unknown finding category {category!r}; categories: {', '.join(FINDING_CATEGORIES)}")
    if not 1 <= int(severity) <= 3:
        raise ValidationError(f"severity must be 1 (minor), 2 (serious) or 3 (grave), not {severity}")
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise ValidationError(f"location {longitude}, {latitude} is not a longitude/latitude")
    t = _now(now)
    stamp = gpkg_datetime(t)
    loaded = [p if isinstance(p, Photo) else read_photo(p) for p in photos]  # bad files fail before any write

    def build(con: sqlite3.Connection) -> Edit:
        import shapely

        task = None
        inspection_uuid = None
        code = cell_code
        if assignment_uuid is not None:
            task = _need(con, "assignment", assignment_uuid, "task")
            require(actor, Action.RECORD_FINDING, task)
            code = task["cell_code"]
            row = con.execute("SELECT uuid FROM inspection WHERE assignment_uuid = ? AND finished_at IS NULL "
                              "ORDER BY started_at DESC", (assignment_uuid,)).fetchone()
            inspection_uuid = row[0] if row else None
        else:
            require(actor, Action.RECORD_FINDING, None)
        if code is None:
            raise ValidationError("a finding needs its task or its cell")
        cell, _ = _cell_geometry(con, code)
        warnings: list[str] = []
        location_note = None
        if not cell.covers(shapely.Point(longitude, latitude)):
            inside = cell_at(con, longitude, latitude)
            location_note = (f"位置在网格 {code} 之外" + (f"（位于网格 {inside}）" if inside else "（不在任何网格内）"))
            warnings.append(location_note)
        uid = str(_uuid.uuid4())
        row = {"uuid": uid, "inspection_uuid": inspection_uuid, "cell_code": code, "category": category,
               "severity": int(severity), "description": description, "status": "found",
               "rectify_deadline": rectify_deadline.isoformat() if rectify_deadline else None,
               "responsible_party": responsible_party or None, "found_by": actor.uuid, "found_at": stamp,
               "updated_at": stamp, "location_note": location_note, "reject_count": 0,
               "geom": geometry_to_blob(shapely.Point(longitude, latitude), PROJECT_SRS, "Point")}
        changes = [RowChange("finding", uid, None, row)]
        changes += _photos(con, loaded, uid, "evidence", code, task, actor, t, warnings)
        return Edit("create", "记录问题", changes, warnings=warnings)

    return _write(path, actor, build, now)


def add_photos(path: os.PathLike[str] | str, actor: Actor, finding_uuid: str,
               photos: Sequence[Photo | str | os.PathLike[str]], *, role: str = "evidence",
               now: Optional[_dt.datetime] = None) -> Edit:
    """Attach more photos to a finding (evidence, or ``role="after"`` for a rectification)."""
    if role not in ("evidence", "after"):
        raise ValidationError(f"photo role must be evidence or after, not {role!r}")
    t = _now(now)
    loaded = [p if isinstance(p, Photo) else read_photo(p) for p in photos]

    def build(con: sqlite3.Connection) -> Edit:
        f = _need(con, "finding", finding_uuid, "finding")
        require(actor, Action.ADD_PHOTOS, f)
        warnings: list[str] = []
        task = _finding_task(con, f)
        changes = _photos(con, loaded, finding_uuid, role, f["cell_code"], task, actor, t, warnings)
        return Edit("create", "添加照片", changes, warnings=warnings)

    return _write(path, actor, build, now)


def _finding_task(con: sqlite3.Connection, f: dict[str, Any]) -> Optional[dict[str, Any]]:
    if not f.get("inspection_uuid"):
        return None
    row = con.execute("SELECT assignment_uuid FROM inspection WHERE uuid = ?", (f["inspection_uuid"],)).fetchone()
    return read_row(con, "assignment", row[0]) if row and row[0] else None


def change_finding(
    path: os.PathLike[str] | str,
    actor: Actor,
    finding_uuid: str,
    action: str,
    *,
    note: str = "",
    reason: str = "",
    rectify_deadline: Optional[_dt.date] = None,
    responsible_party: Optional[str] = None,
    after_photos: Sequence[Photo | str | os.PathLike[str]] = (),
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """Move a finding along its loop (交办 assign, 整改 rectify, 核查 verify, 驳回 reject, 销号 close).

    What each step needs: assign a rectification deadline and the responsible party (given here or
    recorded with the finding); rectify an after-photo and a note; verify a note, by a supervisor
    or an inspector other than the one who recorded the rectification; reject a reason.
    """
    t = _now(now)
    stamp = gpkg_datetime(t)
    loaded = [p if isinstance(p, Photo) else read_photo(p) for p in after_photos]

    def build(con: sqlite3.Connection) -> Edit:
        f = _need(con, "finding", finding_uuid, "finding")
        step = next_state("finding", f["status"], action, actor.role)  # unknown actions: the lifecycle's message
        _, owner = _cell_geometry(con, f["cell_code"])
        require(actor, _FINDING_ACTIONS[action], dict(f, cell_inspector_uuid=owner))
        after = dict(f, status=step.target, updated_at=stamp)
        warnings: list[str] = []
        changes: list[RowChange] = []
        if action == "assign":
            if rectify_deadline is not None:
                after["rectify_deadline"] = rectify_deadline.isoformat()
            if responsible_party is not None:
                after["responsible_party"] = responsible_party.strip() or None
            missing = [n for n, k in (("a rectification deadline", "rectify_deadline"),
                                      ("the responsible party", "responsible_party")) if not after.get(k)]
            if missing:
                raise ValidationError("assigning for rectification needs " + " and ".join(missing))
            after["assigned_by"] = actor.uuid
        elif action == "rectify":
            if not note.strip():
                raise ValidationError("a rectification needs a note saying what was done")
            if not loaded:
                raise ValidationError("a rectification needs at least one after-photo")
            after.update(rectify_note=note.strip(), rectified_by=actor.uuid, rectified_at=stamp)
            changes += _photos(con, loaded, finding_uuid, "after", f["cell_code"], None, actor, t, warnings)
        elif action == "verify":
            if not note.strip():
                raise ValidationError("a verification needs a note")
            after.update(verify_note=note.strip(), verified_by=actor.uuid, verified_at=stamp)
        elif action == "reject":
            if not reason.strip():
                raise ValidationError("a rejection needs a reason")
            after.update(reject_reason=reason.strip(), reject_count=int(f.get("reject_count") or 0) + 1,
                         verified_by=actor.uuid, verified_at=stamp)
        elif action == "close":
            after.update(closed_by=actor.uuid, closed_at=stamp)
        changes.insert(0, RowChange("finding", finding_uuid, f, after))
        return Edit(action, f"{step.title_zh} 问题", changes, details=(reason or note).strip(), warnings=warnings)

    return _write(path, actor, build, now)


# --- what to inspect ----------------------------------------------------------------------------

#: Feature layers whose features can be the target of a task, with the task kind they suggest.
TARGET_LAYERS = {"fire_point": "fire_check", "construction_site": "construction_dust", "mine": "mine",
                 "coal_ban_zone": "coal_ban", "fireworks_ban_zone": "fireworks"}


def cells_in_area(path: os.PathLike[str] | str, *, village: Optional[str] = None,
                  township: Optional[str] = None) -> list[str]:
    """Codes of the cells of a village or township, given by code or exact name.

    Raises StorageError naming the village/township when nothing matches (or a name is ambiguous).
    """
    if (village is None) == (township is None):
        raise ValueError("give a village or a township")
    table, value = ("village", village) if village is not None else ("township", township)
    column = "village_code" if table == "village" else "township_code"
    with closing(connect_readonly(path)) as con:
        if table == "village":
            codes = [r[0] for r in con.execute("SELECT code FROM village WHERE code = ? OR name = ?", (value, value))]
        else:
            codes = [r[0] for r in con.execute("SELECT code FROM township WHERE code = ? OR name = ?", (value, value))]
        if not codes:
            raise StorageError(f"{path}: no {table} with code or name {value!r}")
        if len(codes) > 1:
            raise StorageError(f"{path}: {len(codes)} {table}s are called {value!r}; give the code "
                               f"({', '.join(codes[:5])})")
        sql = ("SELECT code FROM grid_cell WHERE village_code = ? ORDER BY code" if column == "village_code"
               else "SELECT code FROM grid_cell WHERE township_code = ? ORDER BY code")
        return [r[0] for r in con.execute(sql, (codes[0],))]


def cells_for_features(path: os.PathLike[str] | str, layer: str, uuids: Sequence[str]) -> list[tuple[str, str]]:
    """``(cell_code, feature_uuid)`` for features of a target layer: the cell each lies in.

    A fire point knows its cell; a site, mine or zone is placed by a point inside it (a zone or a
    large site spanning cells goes to the cell holding that point).  Features outside every cell
    are refused by name.
    """
    if layer not in TARGET_LAYERS:
        raise StorageError(f"tasks cannot target layer {layer!r}; layers: {', '.join(TARGET_LAYERS)}")
    out: list[tuple[str, str]] = []
    missing: list[str] = []
    with closing(connect_readonly(path)) as con:
        for uid in dict.fromkeys(uuids):
            if layer == "fire_point":
                row = con.execute("SELECT cell_code, geom FROM fire_point WHERE uuid = ?", (uid,)).fetchone()
            elif layer == "construction_site":
                row = con.execute("SELECT NULL, geom FROM construction_site WHERE uuid = ?", (uid,)).fetchone()
            elif layer == "mine":
                row = con.execute("SELECT NULL, geom FROM mine WHERE uuid = ?", (uid,)).fetchone()
            elif layer == "coal_ban_zone":
                row = con.execute("SELECT NULL, geom FROM coal_ban_zone WHERE uuid = ?", (uid,)).fetchone()
            else:
                row = con.execute("SELECT NULL, geom FROM fireworks_ban_zone WHERE uuid = ?", (uid,)).fetchone()
            if row is None:
                raise StorageError(f"{path}: no {layer} feature {uid}")
            code = row[0]
            if code is None and row[1] is not None:
                p = blob_to_geometry(row[1]).representative_point()
                code = cell_at(con, p.x, p.y)
            if code is None:
                missing.append(uid)
            else:
                out.append((code, uid))
    if missing:
        raise StorageError(f"{path}: {len(missing)} {layer} feature(s) lie outside every grid cell "
                           f"({', '.join(missing[:3])}); assign their nearest cell by hand")
    return out


# --- corrections, people and the grid's inspectors ----------------------------------------------

def edit_finding(
    path: os.PathLike[str] | str,
    actor: Actor,
    finding_uuid: str,
    *,
    now: Optional[_dt.datetime] = None,
    longitude: Optional[float] = None,
    latitude: Optional[float] = None,
    **values: Any,
) -> Edit:
    """Correct a finding's details (category, severity, description, party, deadline, location).

    Whoever recorded it may correct it while it is still ``found``; supervisors and administrators
    until it is closed.  Every change is audited with old and new values.
    """
    unknown = [k for k in values if k not in EDITABLE_FINDING_FIELDS]
    if unknown:
        raise ValidationError(f"cannot edit {', '.join(unknown)}; editable: {', '.join(EDITABLE_FINDING_FIELDS)}")
    if "category" in values and values["category"] not in FINDING_CATEGORIES:
        raise ValidationError(f"unknown finding category {values['category']!r}")
    if "severity" in values and not 1 <= int(values["severity"]) <= 3:
        raise ValidationError("severity must be 1, 2 or 3")
    if isinstance(values.get("rectify_deadline"), _dt.date):
        values["rectify_deadline"] = values["rectify_deadline"].isoformat()
    stamp = gpkg_datetime(_now(now))

    def build(con: sqlite3.Connection) -> Edit:
        import shapely

        f = _need(con, "finding", finding_uuid, "finding")
        require(actor, Action.EDIT_FINDING, f)
        after = dict(f, **values)
        warnings: list[str] = []
        if longitude is not None and latitude is not None:
            cell, _ = _cell_geometry(con, f["cell_code"])
            pt = shapely.Point(longitude, latitude)
            after["geom"] = geometry_to_blob(pt, PROJECT_SRS, "Point")
            after["location_note"] = None
            if not cell.covers(pt):
                inside = cell_at(con, longitude, latitude)
                after["location_note"] = (f"位置在网格 {f['cell_code']} 之外"
                                          + (f"（位于网格 {inside}）" if inside else "（不在任何网格内）"))
                warnings.append(after["location_note"])
        change = RowChange("finding", finding_uuid, f, after)
        if not change.changed_columns():
            raise ValidationError("nothing changed")
        after["updated_at"] = stamp
        return Edit("edit", "修改问题", [change], warnings=warnings)

    return _write(path, actor, build, now)


def save_person(
    path: os.PathLike[str] | str,
    actor: Actor,
    *,
    name: str,
    role: str,
    phone: str = "",
    township_code: Optional[str] = None,
    active: bool = True,
    person_uuid: Optional[str] = None,
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """Add a person (``person_uuid`` None) or change one; administrators only.

    Names must be unique among active people (they are how a laptop names its user).  People are
    deactivated, never deleted, so the history keeps naming them.
    """
    require(actor, Action.MANAGE_PEOPLE)
    name = name.strip()
    if not name:
        raise ValidationError("a person needs a name")
    if role not in ("inspector", "supervisor", "admin"):
        raise ValidationError(f"unknown role {role!r}; roles: inspector, supervisor, admin")

    def build(con: sqlite3.Connection) -> Edit:
        clash = con.execute("SELECT uuid FROM inspector WHERE name = ? AND (active IS NULL OR active = 1) "
                            "AND uuid IS NOT ?", (name, person_uuid)).fetchone()
        if clash and active:
            raise ValidationError(f"someone called {name} is already active; add a distinguishing mark")
        if township_code and con.execute("SELECT 1 FROM township WHERE code = ?", (township_code,)).fetchone() is None:
            raise ValidationError(f"unknown township code {township_code}")
        values = {"name": name, "role": role, "phone": phone.strip() or None, "township_code": township_code or None,
                  "active": 1 if active else 0}
        if person_uuid is None:
            uid = str(_uuid.uuid4())
            return Edit("create", f"添加人员 {name}", [RowChange("inspector", uid, None, {"uuid": uid, **values})])
        before = _need(con, "inspector", person_uuid, "person")
        if before["uuid"] == actor.uuid and (role != "admin" or not active):
            raise InvalidTransition("administrators cannot remove their own administrator role; ask another one")
        if not active and before.get("active", 1):
            cells = con.execute("SELECT COUNT(*) FROM grid_cell WHERE inspector_uuid = ?", (person_uuid,)).fetchone()[0]
            if cells:
                raise ValidationError(f"{before['name']} is the inspector of {cells} cells; give the cells to someone "
                                      "else first")
        change = RowChange("inspector", person_uuid, before, dict(before, **values))
        if not change.changed_columns():
            raise ValidationError("nothing changed")
        return Edit("edit", f"修改人员 {name}", [change])

    return _write(path, actor, build, now)


def set_cell_inspector(
    path: os.PathLike[str] | str,
    actor: Actor,
    cell_codes: Sequence[str],
    inspector_uuid: str,
    *,
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """Make ``inspector_uuid`` the inspector of these cells (administrators: the grid is theirs).

    Open tasks keep their assignee; new tasks go to the new inspector.
    """
    require(actor, Action.SET_CELL_INSPECTOR)
    codes = list(dict.fromkeys(cell_codes))
    if not codes:
        raise ValidationError("no cells chosen: select cells on the map first")

    def build(con: sqlite3.Connection) -> Edit:
        person = _need(con, "inspector", inspector_uuid, "person")
        if person["role"] != "inspector" or person.get("active") == 0:
            raise ValidationError(f"{person['name']} is not an active inspector")
        cells = _cells(con, codes)
        unknown = [c for c in codes if c not in cells]
        if unknown:
            raise StorageError(f"unknown cell code(s) {', '.join(unknown[:5])}")
        changes = []
        for code in codes:
            uid = con.execute("SELECT uuid FROM grid_cell WHERE code = ?", (code,)).fetchone()[0]
            if cells[code] != inspector_uuid:
                changes.append(RowChange("grid_cell", uid, {"inspector_uuid": cells[code]},
                                         {"inspector_uuid": inspector_uuid}))
        if not changes:
            raise ValidationError(f"{person['name']} is already the inspector of these cells")
        return Edit("edit", f"网格员调整 {len(changes)} 个网格", changes)

    return _write(path, actor, build, now)
