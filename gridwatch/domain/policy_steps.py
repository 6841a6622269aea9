"""The sync's judge of lifecycle rows (part of :mod:`gridwatch.domain.policy`, split from it to keep
modules small): a task's or finding's status change is a lifecycle step (or the undo of one the actor
took) whose required fields must be filled and whose ``*_by`` column must name the actor; inspectors
change only their own task's working columns.  :func:`gridwatch.domain.policy.judge_row_change` calls
:func:`_judge_task` and :func:`_judge_finding`.  No SQL, no Qt."""

from __future__ import annotations

from typing import Optional

from .lifecycle import Transition, step_between
from .policy import (
    _CORRECTION_COLUMNS,
    INSPECTOR_TASK_COLUMNS,
    OFFICE_ROLES,
    Action,
    Actor,
    Refusal,
    Row,
    RowContext,
    _a,
    _changed,
    _chief_scope,
    _finding_step_rule,
    _refuse,
    _role_refusal,
    _work_on_task,
    why_not,
)
from .vocabulary import ASSIGNMENT_KINDS, FINDING_CATEGORIES, FIRE_CHECK_RESULTS


def _who_may(actor: Actor, t: Transition) -> Optional[Refusal]:
    if actor.role in t.roles:
        return None
    who = " or ".join(t.roles)
    return _refuse(f"{_a(actor.role)} {actor.role} may not {t.action} (state {t.source}); this needs {_a(who)} {who}",
                   "step.role", role=actor.role, action=t.action, roles=t.roles)


def _step_refusal(actor: Actor, kind: str, t: Transition, old: Row, new: Row) -> Optional[Refusal]:
    """A forward step: who may take it, what it must fill, and it names its taker."""
    refusal = _who_may(actor, t)
    if refusal is None and kind == "assignment":
        refusal = _work_on_task(actor, old, f"{t.action} this task")
    if refusal is None and kind == "finding":
        refusal = _finding_step_rule(actor, t.action, old)
    if refusal is not None:
        return refusal
    empty = [c for c in t.fills if new.get(c) in (None, "")]
    if kind == "assignment" and t.action == "finish" and new.get("kind") == "fire_check" \
            and new.get("result") not in FIRE_CHECK_RESULTS:
        empty.append("result")
    if empty:
        return _refuse(f"{t.action} needs {', '.join(empty)}", "step.missing", "invalid_step", action=t.action,
                       missing=empty)
    if t.by and new.get(t.by) != actor.uuid:
        return _refuse(f"{t.by} must name {actor.name}, who takes the step", "step.other_person", "refused_by_role",
                       column=t.by, name=actor.name)
    return None


#: Columns every step may touch besides its own.
_STEP_BOOKKEEPING = frozenset({"status", "updated_at", "reject_count"})


def _status_change(actor: Actor, kind: str, old: Row, new: Row,
                   restored: bool) -> tuple[Optional[Refusal], Optional[Transition]]:
    """A status change is a forward step, the undo of one the actor took, or refused: (refusal, the step)."""
    a, b = str(old.get("status")), str(new.get("status"))
    forward = step_between(kind, a, b)
    refusal = _step_refusal(actor, kind, forward, old, new) if forward is not None else None
    if forward is not None and refusal is None:
        return None, forward
    back = step_between(kind, b, a)
    # an undo puts back only what the undone step wrote (a rejection is not the undo of a rectification)
    undo_only = _changed(old, new) <= set(back.fills if back else ()) | _STEP_BOOKKEEPING
    if back is not None and undo_only and _who_may(actor, back) is None:
        took = old.get(back.by) == actor.uuid if back.by else \
            (kind != "assignment" or _work_on_task(actor, old, "undo") is None)
        if took:
            return None, back
    if restored and actor.role in ("supervisor", "admin"):
        return None, None
    if refusal is not None:
        return refusal, forward
    return _refuse(f"cannot move {_a(kind)} {kind} from {a} to {b}", "step.invalid", "invalid_step", kind=kind,
                   source=a, target=b), None


def _judge_finding(actor: Actor, kind: str, old: Row, new: Row, context: RowContext) -> Optional[Refusal]:
    if kind == "insert":
        if new.get("status") != "found":
            return _refuse("a new finding starts as found", "finding.insert_status", "invalid_step")
        if new.get("found_by") != actor.uuid:
            return _refuse(f"found_by must name {actor.name}, who records the finding", "step.other_person",
                           column="found_by", name=actor.name)
        if new.get("category") not in FINDING_CATEGORIES:
            return _refuse(f"unknown finding category {new.get('category')!r}", "finding.category", "invalid_step")
        if actor.role == "inspector" and new.get("inspection_uuid") not in context.inspections \
                and new.get("cell_code") not in context.cells:
            return _refuse(f"{actor.name} is an inspector: findings are recorded under a task in progress",
                           "finding.needs_task", name=actor.name)
        return _chief_scope(actor, new, context)
    if actor.role == "chief" and (refusal := _chief_scope(actor, old, context) or _chief_scope(actor, new, context)):
        return refusal
    if kind == "delete":
        if actor.role == "admin" or (old.get("found_by") == actor.uuid and old.get("status") == "found"):
            return None
        return _refuse("a finding is deleted only by whoever recorded it, while it is still found",
                       "finding.delete")
    changed = _changed(old, new)
    restored = ("finding", str(old.get("uuid"))) in context.restored
    # whose cell it is, for the rectification rule: the actor's own cells are in the context
    old = {**old, "cell_inspector_uuid": actor.uuid if old.get("cell_code") in context.cells else None}
    if "status" in changed:
        refusal, t = _status_change(actor, "finding", old, new, restored)
        if refusal is not None:
            return refusal
        allowed = set(t.fills if t else ()) | _STEP_BOOKKEEPING
        if actor.role != "inspector":
            allowed |= _CORRECTION_COLUMNS
        extra = changed - allowed
        if extra and not restored:
            return _refuse(f"a {t.action if t else 'status'} step may not change {', '.join(sorted(extra))}",
                           "step.extra_columns", "invalid_step", columns=sorted(extra))
        return None
    if restored and actor.role in ("supervisor", "admin"):
        return None
    if not changed <= _CORRECTION_COLUMNS:
        loop = sorted(changed - _CORRECTION_COLUMNS)
        return _refuse(f"{', '.join(loop)} of a finding change only by its loop steps", "finding.loop_columns",
                       "invalid_step", columns=loop)
    return why_not(actor, Action.EDIT_FINDING, old)


def _judge_task(actor: Actor, kind: str, old: Row, new: Row, context: RowContext) -> Optional[Refusal]:
    if actor.role == "chief" and (refusal := _chief_scope(actor, new if kind == "insert" else old, context)
                                  or (_chief_scope(actor, new, context) if kind == "update" else None)):
        return refusal
    if kind == "insert":
        if actor.role not in OFFICE_ROLES:
            return _role_refusal(actor, OFFICE_ROLES, "assign inspections")
        if new.get("status") != "assigned" or new.get("kind") not in ASSIGNMENT_KINDS:
            return _refuse("a new task is assigned, of a known kind", "task.insert", "invalid_step")
        if new.get("created_by") != actor.uuid:
            return _refuse(f"created_by must name {actor.name}, who assigns the task", "step.other_person",
                           column="created_by", name=actor.name)
        if context.people and new.get("assignee_uuid") not in context.people:
            return _refuse("the task's assignee is not a person of the project", "task.assignee")
        return None
    if kind == "delete":
        if actor.role == "admin" or (actor.role in OFFICE_ROLES and old.get("created_by") == actor.uuid):
            return None
        return _refuse("a task is deleted only by whoever assigned it (cancel it instead)", "task.delete")
    changed = _changed(old, new)
    if actor.role == "inspector":
        refusal = _work_on_task(actor, old, "change this task")
        if refusal is not None:
            return refusal
        extra = changed - INSPECTOR_TASK_COLUMNS
        if extra:
            return _refuse(f"inspectors may not change {', '.join(sorted(extra))} of a task", "task.columns",
                           columns=sorted(extra))
    if "status" in changed:
        return _status_change(actor, "assignment", old, new,
                              ("assignment", str(old.get("uuid"))) in context.restored)[0]
    return None
