"""Rule hits turned into tasks: one per hit not already under an open task, in one undoable action."""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from typing import Any, Optional, Sequence

from ..errors import StorageError, ValidationError
from ..times import BEIJING
from .rules import RULE_TASK_KINDS, RuleHit


def due_time(day: _dt.date) -> _dt.datetime:
    """A due date as a due time: 18:00 Beijing time that day (the end of the working day)."""
    return _dt.datetime.combine(day, _dt.time(18, 0), tzinfo=BEIJING)


def hits_to_assignments(
    project_path: os.PathLike[str] | str,
    actor: Any,
    hits: Sequence[RuleHit],
    *,
    due_at: _dt.datetime | _dt.date,
    priority: int = 1,
    assignee_uuid: Optional[str] = None,
    max_tasks: int = 5000,
    now: Optional[_dt.datetime] = None,
) -> Any:
    """Turn rule hits into tasks in one transaction; returns the undoable Edit.

    One task per hit, in the hit's cell, for the cell's inspector (or ``assignee_uuid``), aimed at
    the hit's feature, with the hit's message as notes: a construction-dust check per site, a mine
    check per mine, a follow-up patrol per overdue finding.  Fire points become one fire-point
    check per cell (each point records the check, so its result flows back to them), or a coal-ban
    check where burning was already confirmed.  Hits whose feature already has an open task (or an
    open fire-point check) are left out and named in ``edit.warnings``; so are hits outside
    every cell.

    Raises
    ------
    InvalidTransition
        The actor is not a supervisor or administrator.
    ValidationError
        No hits, none left to assign (all have open tasks), or more than ``max_tasks`` tasks;
        nothing is written.
    StorageError
        Unknown assignee or cell; nothing is written.
    """
    from ..domain.policy import Action, require
    from ..storage.edits import Edit, RowChange
    from ..storage.gpkg import gpkg_datetime
    from ..storage.workflow import _assignment_rows, _now, _write

    require(actor, Action.ASSIGN_TASKS)
    if not hits:
        raise ValidationError("no rule hits chosen: run the checks and select hits first")
    if not 1 <= int(priority) <= 3:
        raise ValidationError(f"priority must be 1 (high), 2 (normal) or 3 (low), not {priority}")
    due = due_time(due_at) if not isinstance(due_at, _dt.datetime) else due_at
    if due.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    t = _now(now)
    stamp = gpkg_datetime(t)
    due_text = gpkg_datetime(due)
    unique = list({(h.rule, h.uuid): h for h in hits}.values())
    require(actor, Action.ASSIGN_TASKS, {"cell_codes": [h.cell_code for h in unique if h.cell_code]})

    def build(con: sqlite3.Connection) -> Edit:
        open_targets = {r[0] for r in con.execute(
            "SELECT target_uuid FROM assignment WHERE status IN ('assigned', 'in_progress') "
            "AND target_uuid IS NOT NULL")}
        open_tasks = {r[0] for r in con.execute(
            "SELECT uuid FROM assignment WHERE status IN ('assigned', 'in_progress')")}
        warnings: list[str] = []
        skipped_open: list[str] = []
        outside: list[str] = []
        singles: dict[str, list[RuleHit]] = {}
        fire_groups: dict[tuple[str, str], list[RuleHit]] = {}
        fire_checks: dict[str, Optional[str]] = {}
        for h in unique:
            if h.cell_code is None:
                outside.append(h.name)
                continue
            if h.layer == "fire_point":
                row = con.execute("SELECT status, check_uuid FROM fire_point WHERE uuid = ?", (h.uuid,)).fetchone()
                if row is None:
                    raise StorageError(f"{project_path}: fire point {h.uuid} is no longer in the project; "
                                       "run the checks again")
                status, check = row
                if (check and check in open_tasks) or h.uuid in open_targets:
                    skipped_open.append(h.name)
                    continue
                kind = "fire_check" if status == "unverified" else \
                    ("fireworks" if h.rule == "fireworks_ban_period" else "coal_ban")
                fire_checks[h.uuid] = check
                fire_groups.setdefault((kind, h.cell_code), []).append(h)
                continue
            if h.uuid in open_targets:
                skipped_open.append(h.name)
                continue
            singles.setdefault(h.rule, []).append(h)
        if skipped_open:
            warnings.append(f"{len(skipped_open)} 条已有未完成的任务，未重复派发："
                            + "、".join(skipped_open[:5]) + ("等" if len(skipped_open) > 5 else ""))
        if outside:
            warnings.append(f"{len(outside)} 条不在任何网格内，未派发：" + "、".join(outside[:5])
                            + ("等" if len(outside) > 5 else ""))
        changes: list[RowChange] = []
        for rule, group in singles.items():
            kind = RULE_TASK_KINDS[rule]
            rows = _assignment_rows(con, actor, [h.cell_code for h in group], kind, due=due_text,  # type: ignore[misc]
                                    assignee_uuid=assignee_uuid, priority=int(priority), notes="",
                                    target_layer=group[0].layer, targets=[h.uuid for h in group], stamp=stamp)
            for row, h in zip(rows, group):
                row["notes"] = f"【{h.rule_title}】{h.name}：{h.message}"
                changes.append(RowChange("assignment", row["uuid"], None, row))
        for (kind, code), group in sorted(fire_groups.items()):
            row = _assignment_rows(con, actor, [code], kind, due=due_text, assignee_uuid=assignee_uuid,
                                   priority=int(priority), notes="", target_layer="fire_point",
                                   targets=[group[0].uuid], stamp=stamp)[0]
            row["notes"] = (f"【{group[0].rule_title}】{len(group)} 个：" + "；".join(
                h.message.replace("禁煤区内火点，", "").replace("禁燃禁放区内火点，", "") for h in group[:5])
                + ("……" if len(group) > 5 else ""))
            changes.append(RowChange("assignment", row["uuid"], None, row))
            if kind == "fire_check":
                for h in group:
                    changes.append(RowChange("fire_point", h.uuid, {"check_uuid": fire_checks[h.uuid]},
                                             {"check_uuid": row["uuid"]}))
        n = sum(1 for c in changes if c.table == "assignment")
        if n == 0:
            raise ValidationError("nothing to assign: " + ("; ".join(warnings) or "no hits"))
        if n > max_tasks:
            raise ValidationError(f"{len(unique):,} hits would make {n:,} tasks (more than {max_tasks:,} at once); "
                                  "choose one rule, fewer hits or a shorter fire-point period")
        return Edit("create", f"规则检查派发任务 {n} 个", changes,
                    details=f"{len(unique)} rule hits -> {n} tasks", warnings=warnings)

    return _write(project_path, actor, build, now)
