"""Workflow records in the project: assignments, fire-point checks, inspections, findings, photos.

This module holds the tasks (assignments and fire-point checks) and is the one import for every
workflow edit: findings (:mod:`.findings`), people (:mod:`.people`), what to inspect
(:mod:`.targets`), the write itself with undo/redo (:mod:`.writes`).

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
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

from ..domain.lifecycle import next_state
from ..domain.policy import EDITABLE_FINDING_FIELDS, Action, Actor, require
from ..errors import StorageError, ValidationError
from .edits import Edit, RowChange, new_uuids
from .findings import add_photos, cell_at, change_finding, edit_finding, record_finding
from .gpkg import connect_readonly, gpkg_datetime, where_set
from .people import _cells, save_person, set_cell_inspector
from .schema import ASSIGNMENT_KINDS, FIRE_CHECK_RESULTS
from .targets import TARGET_LAYERS, cells_for_features, cells_in_area
from .writes import _need, _now, _write, find_actor, redo, undo

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

__all__ = [
    "Actor", "EDITABLE_FINDING_FIELDS", "FIRE_CHECK_DEADLINE", "TARGET_LAYERS", "add_photos", "cell_at",
    "cells_for_features", "cells_in_area", "change_assignment", "change_finding", "create_assignments",
    "create_fire_checks", "edit_finding", "find_actor", "fire_check_groups", "fire_check_preview", "fire_check_since",
    "last_fire_check_run", "record_finding",
    "redo", "save_person", "set_cell_inspector", "undo",
]

#: Default time allowed for a fire-point check.
FIRE_CHECK_DEADLINE = _dt.timedelta(hours=24)


# --- assignments ------------------------------------------------------------------------------


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
    for code, target, uid in zip(codes, targets, new_uuids(len(codes))):
        who = assignee_uuid or cells[code]
        if who is None:
            raise StorageError(f"cell {code} has no inspector; choose an assignee")
        rows.append({"uuid": uid, "kind": kind, "cell_code": code, "target_layer": target_layer,
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
    require(actor, Action.ASSIGN_TASKS)  # a role that may assign at all; the cells are judged below
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
    require(actor, Action.ASSIGN_TASKS, {"cell_codes": codes})  # a township grid chief: their township only
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
    if actor.role == "chief" and township_code is None:
        township_code = actor.township_code  # a township grid chief checks the fire points of their township
    require(actor, Action.CREATE_FIRE_CHECKS, {"township_code": township_code})
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
    sql = where_set(sql, args, ((" AND township_code = ?", township_code),))
    if since is not None:
        # A detection known only by its date (detected_local 'YYYY-MM-DD', detected_utc the start of that day)
        # counts when its day reaches into the period.
        sql += " AND (detected_utc >= ? OR (length(detected_local) = 10 AND detected_utc > ?))"
        args += [gpkg_datetime(since), gpkg_datetime(since - _dt.timedelta(days=1))]
    return pd.DataFrame(con.execute(sql, args).fetchall(), columns=["uuid", "cell_code", "detected_local", "status"])


#: By default a run of fire-point checks takes the detections since the last run, at most this far back.
FIRE_CHECK_WINDOW = _dt.timedelta(hours=24)


def last_fire_check_run(path: os.PathLike[str] | str) -> Optional[_dt.datetime]:
    """When fire-point checks were last created (the newest check's creation time), or None."""
    from ..times import parse_stored_time

    with closing(connect_readonly(path)) as con:
        row = con.execute("SELECT MAX(created_at) FROM assignment WHERE kind = 'fire_check'").fetchone()
    return parse_stored_time(row[0]) if row else None


def fire_check_since(path: os.PathLike[str] | str, *, now: Optional[_dt.datetime] = None,
                     window: _dt.timedelta = FIRE_CHECK_WINDOW) -> tuple[_dt.datetime, Optional[_dt.datetime]]:
    """``(since, last run)``: the default start of the detections a new run of checks takes.

    Only detections since the last run, and at most ``window`` back (24 hours unless adjusted): one
    click checks the new detections of the day, never a season's archive.
    """
    t = _now(now)
    last = last_fire_check_run(path)
    since = t - window
    return (max(since, last) if last is not None and last < t else since), last


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
    its ``result`` (one of the vocabulary's ``FIRE_CHECK_RESULTS``: straw or other burning confirmed,
    no burning, outside the cell, an industrial heat source), which is written to every fire
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


# --- what to inspect ----------------------------------------------------------------------------


# --- corrections, people and the grid's inspectors ----------------------------------------------


