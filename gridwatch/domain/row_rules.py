"""Judging one row change of a working copy: the sync's door, and the server's judge.

:func:`judge_row_change` derives the action from the row itself (a finding's status before -> after
is a lifecycle step; a deleted row is an undo or a removal; an audit row must name its writer) and
asks the same rules as :func:`gridwatch.domain.policy.why_not`.  Split out of
:mod:`gridwatch.domain.policy` (which still offers these names) along its sections.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from .lifecycle import Transition, step_between
from .policy import (
    _CORRECTION_COLUMNS,
    ADMIN_TABLES,
    CAMPAIGN_TABLE,
    CHIEF_FIRE_COLUMNS,
    INSPECTOR_TASK_COLUMNS,
    OFFICE_ROLES,
    PLAN_TABLES,
    Action,
    Actor,
    Refusal,
    Row,
    _a,
    _chief_township,
    _finding_step_rule,
    _outside_township,
    _role_refusal,
    _work_on_task,
    township_of,
    why_not,
)
from .vocabulary import ASSIGNMENT_KINDS, FINDING_CATEGORIES, FIRE_CHECK_RESULTS, FIRE_STATUSES, ROLES


@dataclass(frozen=True)
class RowContext:
    """What the judge knows besides the row: the actor's cells and the project's people.

    ``cells``: codes of the cells the actor is the inspector of; ``township_code``: the actor's
    township (a grid chief's rows must lie in it; when neither this nor the actor's own
    ``township_code`` is known, a chief's rows are judged by role alone); ``people``: uuid -> role
    of every person of the project;
    ``inspections``: uuids of the inspections the actor recorded (an inspector records findings
    under their own inspection, or in their own cells); ``restored``: (table, row uuid) pairs whose
    overridden values a conflict review in the same change set puts back (a reviewer may then set
    any earlier status).
    """

    cells: frozenset[str] = frozenset()
    inspections: frozenset[str] = frozenset()
    township_code: Optional[str] = None
    people: Mapping[str, str] = field(default_factory=dict)
    restored: frozenset[tuple[str, str]] = frozenset()


def _refuse(message: str, key: str, code: str = "refused_by_role", **params: Any) -> Refusal:
    return Refusal(code, message, key, params)


def _changed(before: Row, after: Row) -> set[str]:
    return {k for k in after if before.get(k) != after.get(k)}


def judge_row_change(actor: Actor, table: str, kind: str, before: Optional[Row], after: Optional[Row],
                     context: RowContext = RowContext()) -> Optional[Refusal]:
    """Why ``actor`` may not make this change to one row of ``table`` (None: they may).

    ``kind`` is "insert", "update" or "delete"; ``before`` is the row as it was (None for an
    insert), ``after`` the row as it is now (None for a delete): whole rows, or for an update the
    changed columns only (the rest is taken from ``before``).  The action is read from the row:
    a status change is a lifecycle step (or the undo of one the actor took), whose required
    fields must be filled and whose ``*_by`` column must name the actor.
    """
    if kind not in ("insert", "update", "delete"):
        raise ValueError(f"kind must be insert, update or delete, not {kind!r}")
    if actor.role not in ROLES:
        return _refuse(f"unknown role {actor.role!r}", "role.unknown", role=actor.role)
    old: Row = before or {}
    new: Row = {**old, **after} if after is not None else {}
    if table == "audit_log":
        return _judge_audit(actor, kind, new)
    if table in ADMIN_TABLES:
        return None if actor.role == "admin" else _refuse(f"only an administrator may change {table}",
                                                           "table.admin_only", table=table)
    if table == "finding":
        return _judge_finding(actor, kind, old, new, context)
    if table == "assignment":
        return _judge_task(actor, kind, old, new, context)
    if table in PLAN_TABLES:
        return _judge_plan_row(actor, table, kind, new)
    if table == "checklist_result":
        return _judge_checklist(actor, kind, old, new, context)
    if table == CAMPAIGN_TABLE:
        if actor.role not in OFFICE_ROLES:
            return _role_refusal(actor, OFFICE_ROLES, "start campaigns")
        row = new if kind == "insert" else old
        if actor.role == "chief" and (refusal := _chief_scope(actor, row, context)):
            return refusal
        if kind == "insert" and actor.role != "admin" and new.get("created_by") != actor.uuid:
            return _refuse(f"created_by must name {actor.name}, who starts it", "step.other_person",
                           column="created_by", name=actor.name)
        return None
    if table == "track_point":
        return _judge_track(actor, kind, old, new)
    if actor.role == "admin":
        return None
    if table == "sync_conflict":
        if actor.role == "supervisor" and kind != "delete":
            return None
        if kind == "insert" and new.get("status") == "open":
            return None  # a laptop's sync records a value it settled against the shared project's
        return _refuse("conflicts are recorded by the sync and reviewed by a supervisor", "table.sync_conflict")
    if table == "sync_log":
        return None if kind == "insert" else _refuse("the sync log cannot be changed", "table.sync_log")
    if actor.role == "supervisor":
        return None
    if actor.role == "chief":
        return _judge_chief_row(actor, table, kind, old, new, context)
    return _judge_inspector_row(actor, table, kind, old, new, context)


#: Tables whose rules look at the row for every role but an administrator (or for all: the lifecycles),
#: and whose changes a judge must see in order (a review that restores values).
_LOOKED_AT = frozenset({"finding", "assignment"})
_ROW_RULE_TABLES = ADMIN_TABLES | frozenset(PLAN_TABLES) | frozenset(
    {CAMPAIGN_TABLE, "checklist_result", "track_point", "audit_log", "sync_log", "sync_conflict"})


def passes_unseen(role: str, table: str, kind: str) -> bool:
    """Whether :func:`judge_row_change` lets a person of ``role`` make every ``kind`` change of
    ``table`` whatever the row holds (True: a judge need not look at the row; False: it must).

    The server's judge decides these in SQL, without starting Python (most of a small sync's cost on
    the server), and runs the domain's code for everything else.  It mirrors the branches of
    :func:`judge_row_change` and errs towards False; a test checks it against that function.
    """
    if role not in ROLES or kind not in ("insert", "update", "delete"):
        return False
    if table in _LOOKED_AT or table == "sync_conflict":
        return False  # lifecycle steps; conflict reviews (a restore changes how later rows are judged)
    if role == "admin":
        return True
    if table == "audit_log":
        return kind == "insert" and role != "inspector"
    if table == "sync_log":
        return kind == "insert"
    if table in _ROW_RULE_TABLES:
        return False
    return role == "supervisor"


def _judge_plan_row(actor: Actor, table: str, kind: str, new: Row) -> Optional[Refusal]:
    """Veto items and warnings: set by a supervisor or administrator, in their own name."""
    if actor.role not in ("supervisor", "admin"):
        return _refuse(f"only a supervisor or administrator may change {table}", "table.office_only", table=table)
    by = PLAN_TABLES[table]
    if kind == "insert" and actor.role != "admin" and new.get(by) != actor.uuid:
        return _refuse(f"{by} must name {actor.name}, who sets it", "step.other_person", column=by, name=actor.name)
    return None


def _judge_checklist(actor: Actor, kind: str, old: Row, new: Row, context: RowContext) -> Optional[Refusal]:
    """Checklist items: recorded in the recorder's name with an inspection (an inspector: their own
    inspection or cell; a chief: in their township); afterwards only the link to the finding made of a
    failed item changes."""
    if actor.role in ("supervisor", "admin"):
        return None
    row = new if kind == "insert" else old
    if actor.role == "chief" and (refusal := _chief_scope(actor, row, context)):
        return refusal
    if row.get("recorded_by") != actor.uuid:
        return _refuse("checklist items are recorded by whoever inspects, in their own name", "checklist.other")
    if kind == "update" and not _changed(old, new) <= {"finding_uuid"}:
        return _refuse("a recorded checklist item changes only by becoming a finding", "checklist.columns")
    if actor.role == "inspector" and kind == "insert" and row.get("inspection_uuid") not in context.inspections \
            and row.get("cell_code") not in context.cells:
        return _refuse("checklist items are recorded under the inspector's own inspection", "checklist.other")
    return None


def _chief_scope(actor: Actor, row: Row, context: RowContext) -> Optional[Refusal]:
    """A chief's row must lie in their township (lenient when the judge does not know it)."""
    return _outside_township(actor, [township_of(row)], _chief_township(actor, context.township_code), strict=False)


def _judge_chief_row(actor: Actor, table: str, kind: str, old: Row, new: Row,
                     context: RowContext) -> Optional[Refusal]:
    """A township grid chief: inspections and fire-point checks of their township, their own photos."""
    row = old if kind != "insert" else new
    if table == "inspection":
        return _chief_scope(actor, row, context) or (
            _chief_scope(actor, new, context) if kind == "update" else None)
    if table == "fire_point":
        if kind == "update" and _changed(old, new) <= CHIEF_FIRE_COLUMNS and new.get("status") in FIRE_STATUSES:
            return _chief_scope(actor, row, context)
        return _refuse("grid chiefs only record check results of fire points in their township", "fire_point.chief")
    if table == "attachment":
        if row.get("added_by") == actor.uuid:
            return None
        return _refuse("photos are changed only by whoever added them", "attachment.other")
    return _refuse(f"grid chiefs may not change {table}", "table.not_chief", table=table)


def why_not_record_track(actor: Actor, inspector_uuid: str) -> Optional[Refusal]:
    """Why ``actor`` may not record or import a patrol track of person ``inspector_uuid`` (None: they may)."""
    return judge_row_change(actor, "track_point", "insert", None, {"inspector_uuid": inspector_uuid})


def why_not_remove_track(actor: Actor, track: Row) -> Optional[Refusal]:
    """Why ``actor`` may not remove a patrol track (``track``: a point of it, with ``inspector_uuid`` and
    ``source``); None: they may."""
    return judge_row_change(actor, "track_point", "delete", track, None)


def _judge_track(actor: Actor, kind: str, old: Row, new: Row) -> Optional[Refusal]:
    """Patrol tracks are evidence of where somebody walked: added, and removed when too old or wrong, never
    edited (an administrator excepted).  A grid inspector records and removes only their own tracks; the
    office (chiefs, supervisors) imports phone tracks for anybody; a supervisor removes any track (the
    removal is audited and synced), a chief only imported ones (a recording is the inspector's evidence)."""
    if actor.role in ("admin", "supervisor") and kind != "update":
        return None
    if actor.role == "admin":
        return None
    if kind == "update":
        return _refuse("patrol tracks are not edited; remove a wrong track and import it again", "track.no_edit")
    row = new if kind == "insert" else old
    if row.get("inspector_uuid") == actor.uuid:
        return None
    if actor.role == "chief" and (kind == "insert" or row.get("source") != "gps"):
        return None
    return _refuse(f"{actor.name} may only record or remove their own patrol tracks", "track.other",
                   name=actor.name)


def _judge_audit(actor: Actor, kind: str, new: Row) -> Optional[Refusal]:
    if actor.role == "admin":
        return None
    if kind != "insert":
        return _refuse("the audit log cannot be changed", "audit.append_only")
    if actor.role == "inspector" and new.get("user_name") != actor.name:
        return _refuse(f"{actor.name} may not write audit entries in the name of {new.get('user_name')!r}",
                       "audit.other_name", name=actor.name, other=new.get("user_name"))
    return None


def _judge_inspector_row(actor: Actor, table: str, kind: str, old: Row, new: Row,
                         context: RowContext) -> Optional[Refusal]:
    row = old if kind != "insert" else new  # ownership is judged on the row as it was
    if table == "inspection":
        if kind == "insert" and new.get("inspector_uuid") != actor.uuid:
            return _refuse("inspections are recorded by their inspector", "inspection.other")
        if row.get("inspector_uuid") == actor.uuid or (kind == "update" and row.get("cell_code") in context.cells):
            return None
        return _refuse("inspections are recorded by their inspector", "inspection.other")
    if table == "attachment":
        if row.get("added_by") == actor.uuid:
            return None
        return _refuse("photos are changed only by whoever added them", "attachment.other")
    if table == "fire_point":
        extra = _changed(old, new) - {"status"} if kind == "update" else {"*"}
        if not extra and row.get("cell_code") in context.cells and new.get("status") in FIRE_STATUSES:
            return None
        return _refuse("inspectors only record check results of fire points in their cells", "fire_point.other")
    return _refuse(f"inspectors may not change {table}", "table.not_inspector", table=table)


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
