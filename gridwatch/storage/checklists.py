"""Checklists recorded with inspections (issue 17): the items of the task's kind, passed or failed,
written with the open inspection of the task; a failed item becomes a finding in one step (one
transaction: the finding, its category from the item, and the link from the item to it)."""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import uuid as _uuid
from contextlib import closing
from typing import TYPE_CHECKING, Any, Mapping, Optional

from ..domain.checklists import ITEM_CATEGORY, checklist_for, item_title
from ..domain.policy import Action, Actor, require
from ..errors import NotFound, ValidationError
from .edits import Edit, RowChange, read_row
from .findings import _cell_geometry, finding_changes
from .gpkg import connect_readonly, gpkg_datetime, sqlite_tables
from .plans import read_settings
from .writes import _need, _now, _write

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd


def task_checklist(path: os.PathLike[str] | str, task_uuid: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The task and the item codes of its kind's checklist (the project's setting)."""
    with closing(connect_readonly(path)) as con:
        task = read_row(con, "assignment", task_uuid)
    if task is None:
        raise NotFound(f"{path}: no task {task_uuid}")
    return task, checklist_for(str(task["kind"]), read_settings(path)["checklists"])


def record_checklist(path: os.PathLike[str] | str, actor: Actor, task_uuid: str,
                     results: Mapping[str, tuple[bool, str]], *, make_findings: bool = False,
                     now: Optional[_dt.datetime] = None) -> Edit:
    """Record the checklist of a task in progress: ``results`` item -> (passed, note), every item of
    the kind's checklist answered.  Whoever may record findings under the task may record it.
    ``make_findings``: every failed item also becomes a finding (as :func:`failed_item_to_finding`),
    in the same transaction.

    Raises
    ------
    ValidationError
        An item not on the checklist, or one left unanswered; nothing is written.
    """
    task, items = task_checklist(path, task_uuid)
    if not items:
        raise ValidationError(f"tasks of kind {task['kind']} have no checklist")
    unknown = [i for i in results if i not in items]
    missing = [i for i in items if i not in results]
    if unknown or missing:
        raise ValidationError("checklist items " + (f"not on the {task['kind']} checklist: {', '.join(unknown)}"
                                                    if unknown else f"left unanswered: {', '.join(missing)}"))
    t = _now(now)
    titles = read_settings(path)["checklist_titles"]

    def build(con: sqlite3.Connection) -> Edit:
        current = _need(con, "assignment", task_uuid, "task")
        require(actor, Action.RECORD_FINDING, current)
        row = con.execute("SELECT uuid FROM inspection WHERE assignment_uuid = ? AND finished_at IS NULL "
                          "ORDER BY started_at DESC", (task_uuid,)).fetchone()
        changes: list[RowChange] = []
        warnings: list[str] = []
        for item in items:
            passed, note = results[item]
            key = str(_uuid.uuid4())
            finding = None
            if make_findings and not passed:
                finding, made, said = _finding_of(con, actor, item, note, current, None, None, 2, "", None, t,
                                                  titles)
                changes += made
                warnings += said
            changes.append(RowChange("checklist_result", key, None, {
                "uuid": key, "assignment_uuid": task_uuid, "inspection_uuid": row[0] if row else None,
                "cell_code": current["cell_code"], "item": item, "passed": bool(passed), "note": note or None,
                "finding_uuid": finding, "recorded_by": actor.uuid, "recorded_at": gpkg_datetime(t)}))
        failed = sum(1 for i in items if not results[i][0])
        return Edit("record_checklist", f"检查清单 {len(items)} 项（不合格 {failed} 项）", changes, warnings=warnings)

    return _write(path, actor, build, t)


def failed_item_to_finding(path: os.PathLike[str] | str, actor: Actor, result_uuid: str, *,
                           longitude: Optional[float] = None, latitude: Optional[float] = None, severity: int = 2,
                           responsible_party: str = "", rectify_deadline: Optional[_dt.date] = None,
                           now: Optional[_dt.datetime] = None) -> Edit:
    """Make a finding of a failed checklist item, in one step: its category is the item's, its
    description the item's title and note; placed at the given point, else inside the task's cell."""
    t = _now(now)
    titles = read_settings(path)["checklist_titles"]

    def build(con: sqlite3.Connection) -> Edit:
        result = _need(con, "checklist_result", result_uuid, "checklist item")
        if result["passed"]:
            raise ValidationError("this checklist item passed: only a failed item becomes a finding")
        if result["finding_uuid"]:
            raise ValidationError("this checklist item already has its finding")
        task = {"uuid": result["assignment_uuid"], "cell_code": result["cell_code"]}
        uid, changes, warnings = _finding_of(con, actor, str(result["item"]), result["note"], task, longitude,
                                             latitude, severity, responsible_party, rectify_deadline, t, titles)
        changes.append(RowChange("checklist_result", result_uuid, {"finding_uuid": None}, {"finding_uuid": uid}))
        return Edit("create", "检查项转为问题", changes, warnings=warnings)

    return _write(path, actor, build, t)


def _finding_of(con: sqlite3.Connection, actor: Actor, item: str, note: Optional[str], task: Mapping[str, Any],
                longitude: Optional[float], latitude: Optional[float], severity: int, responsible_party: str,
                rectify_deadline: Optional[_dt.date], t: _dt.datetime,
                titles: Optional[Mapping[str, str]] = None) -> tuple[str, list[RowChange], list[str]]:
    """A finding of a failed item: the item's category, its title and note as the description, at the
    given point or inside the task's cell."""
    import shapely

    lon, lat = longitude, latitude
    if lon is None or lat is None:
        cell, _ = _cell_geometry(con, str(task["cell_code"]))
        p = shapely.point_on_surface(cell)
        lon, lat = float(p.x), float(p.y)
    text = f"【{item_title(item, titles)}】不合格" + (f"：{note}" if note else "")
    return finding_changes(con, actor, category=ITEM_CATEGORY.get(item, "other"), longitude=lon, latitude=lat,
                           assignment_uuid=task["uuid"], cell_code=task["cell_code"], severity=severity,
                           description=text, rectify_deadline=rectify_deadline,
                           responsible_party=responsible_party, photos=(), t=t)


def checklist_results(path: os.PathLike[str] | str, task_uuid: Optional[str] = None, *,
                      cell_code: Optional[str] = None, finding_uuid: Optional[str] = None) -> pd.DataFrame:
    """Recorded checklist items (of one task, one cell, or the one a finding came from), oldest
    first; an older project: none."""
    cols = ["uuid", "assignment_uuid", "inspection_uuid", "cell_code", "item", "passed", "note", "finding_uuid",
            "recorded_by", "recorded_at"]
    with closing(connect_readonly(path)) as con:
        if "checklist_result" not in sqlite_tables(con):
            return pd.DataFrame(columns=cols)
        sql = "SELECT " + ", ".join(cols) + " FROM checklist_result WHERE 1 = 1"
        args: list[Any] = []
        for clause, value in ((" AND assignment_uuid = ?", task_uuid), (" AND cell_code = ?", cell_code),
                              (" AND finding_uuid = ?", finding_uuid)):
            if value is not None:
                sql += clause
                args.append(value)
        cur = con.execute(sql + " ORDER BY recorded_at, fid", args)
        return pd.DataFrame(cur.fetchall(), columns=cols, dtype=object)


def finding_origin(path: os.PathLike[str] | str, finding_uuid: str) -> Optional[dict[str, Any]]:
    """The checklist item a finding was made of and the inspection it was recorded with (None for a
    finding recorded otherwise): item, note, recorded_at, inspection_uuid, kind, inspector_name,
    started_at, finished_at (the inspection's, None when the item was recorded without one)."""
    with closing(connect_readonly(path)) as con:
        if "checklist_result" not in sqlite_tables(con):
            return None
        cur = con.execute(
            "SELECT c.item, c.note, c.recorded_at, c.inspection_uuid, COALESCE(i.kind, a.kind), p.name, i.started_at, "
            "i.finished_at FROM checklist_result c LEFT JOIN inspection i ON i.uuid = c.inspection_uuid "
            "LEFT JOIN assignment a ON a.uuid = c.assignment_uuid "
            "LEFT JOIN inspector p ON p.uuid = COALESCE(i.inspector_uuid, c.recorded_by) "
            "WHERE c.finding_uuid = ? ORDER BY c.recorded_at LIMIT 1", (finding_uuid,))
        row = cur.fetchone()
    if row is None:
        return None
    keys = ("item", "note", "recorded_at", "inspection_uuid", "kind", "inspector_name", "started_at", "finished_at")
    return dict(zip(keys, row))
