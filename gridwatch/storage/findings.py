"""Findings: recording one with its photos, each step of its loop, corrections, and where a point lies."""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import uuid as _uuid
from typing import Any, Optional, Sequence

from ..domain.lifecycle import next_state
from ..domain.policy import EDITABLE_FINDING_FIELDS, Action, Actor, require
from ..errors import StorageError, ValidationError
from ..photos import Photo, describe_flags, photo_flags, read_photo
from ..times import parse_stored_time
from .edits import Edit, RowChange, read_row
from .gpkg import blob_to_geometry, geometry_to_blob, gpkg_datetime
from .schema import FINDING_CATEGORIES
from .writes import _need, _now, _write

PROJECT_SRS = 4490


#: The policy's action for each finding step.
_FINDING_ACTIONS = {"assign": Action.ASSIGN_FINDING, "rectify": Action.RECTIFY_FINDING,
                    "verify": Action.VERIFY_FINDING, "reject": Action.REJECT_FINDING, "close": Action.CLOSE_FINDING}


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
    loaded = [p if isinstance(p, Photo) else read_photo(p) for p in photos]  # bad files fail before any write

    def build(con: sqlite3.Connection) -> Edit:
        _, changes, warnings = finding_changes(
            con, actor, category=category, longitude=longitude, latitude=latitude, assignment_uuid=assignment_uuid,
            cell_code=cell_code, severity=severity, description=description, rectify_deadline=rectify_deadline,
            responsible_party=responsible_party, photos=loaded, t=t)
        return Edit("create", "记录问题", changes, warnings=warnings)

    return _write(path, actor, build, now)


def finding_changes(con: sqlite3.Connection, actor: Actor, *, category: str, longitude: float, latitude: float,
                    assignment_uuid: Optional[str], cell_code: Optional[str], severity: int, description: str,
                    rectify_deadline: Optional[_dt.date], responsible_party: str, photos: Sequence[Photo],
                    t: _dt.datetime) -> tuple[str, list[RowChange], list[str]]:
    """The rows of a new finding (and its photos) on ``con``: ``(uuid, changes, warnings)``; the checks
    of :func:`record_finding` (who may, where) included.  Other writes that make a finding in the same
    transaction (a failed checklist item) build it here."""
    import shapely

    stamp = gpkg_datetime(t)
    loaded = list(photos)
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
        require(actor, Action.RECORD_FINDING, {"cell_code": code} if code else None)
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
    return uid, changes, warnings


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
