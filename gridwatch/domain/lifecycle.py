"""The closed loop of a finding, and the life of an assignment, as one table each.

A finding is found (发现), assigned for rectification (交办), rectified (整改), verified (核查) and
closed (销号); a verification that fails rejects it back to rectification (驳回).  A township grid chief
(网格长) takes the office's steps within the township; closing (销号) stays with the district office.  Every state
change in GridWatch goes through :func:`next_state`, which refuses anything not in the table with a
message naming the current state and the allowed actions, and refuses actions the user's role may
not take.  The sync issue applies the same table to edits arriving from laptops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import InvalidStep, RefusedByRole
from .vocabulary import ASSIGNMENT_STATUSES, FINDING_STATUSES, ROLES


@dataclass(frozen=True)
class Transition:
    """One legal step: ``action`` takes a record from ``source`` to ``target``."""

    source: str
    action: str
    target: str
    roles: tuple[str, ...]  # who may take it
    needs: tuple[str, ...] = ()  # what must come with it (checked by the caller's form)
    title_zh: str = ""
    #: Row columns the step must leave filled (judged on a row change, e.g. by the sync).
    fills: tuple[str, ...] = ()
    #: The column naming who took the step: it must name the person taking it.
    by: str = ""


FINDING_TRANSITIONS: tuple[Transition, ...] = (
    Transition("found", "assign", "assigned", ("chief", "supervisor", "admin"),
               ("rectify_deadline", "responsible_party"), "交办",
               ("rectify_deadline", "responsible_party", "assigned_by"), "assigned_by"),
    Transition("assigned", "rectify", "rectified", ("inspector", "chief", "supervisor", "admin"),
               ("after_photo", "note"), "整改", ("rectify_note", "rectified_by", "rectified_at"), "rectified_by"),
    Transition("rectified", "verify", "verified", ("chief", "supervisor", "admin", "inspector"), ("note",), "核查通过",
               ("verify_note", "verified_by", "verified_at"), "verified_by"),
    Transition("rectified", "reject", "assigned", ("chief", "supervisor", "admin", "inspector"), ("reason",), "驳回",
               ("reject_reason", "verified_by", "verified_at"), "verified_by"),
    Transition("verified", "close", "closed", ("supervisor", "admin"), (), "销号", ("closed_by", "closed_at"),
               "closed_by"),
)

ASSIGNMENT_TRANSITIONS: tuple[Transition, ...] = (
    Transition("assigned", "start", "in_progress", ("inspector", "chief", "supervisor", "admin"), (), "开始检查",
               ("started_at",)),
    Transition("in_progress", "finish", "done", ("inspector", "chief", "supervisor", "admin"), (), "完成",
               ("finished_at",)),
    Transition("assigned", "cancel", "cancelled", ("chief", "supervisor", "admin"), ("reason",), "撤销",
               ("status_note", "cancelled_at")),
    Transition("in_progress", "cancel", "cancelled", ("chief", "supervisor", "admin"), ("reason",), "撤销",
               ("status_note", "cancelled_at")),
)

FINDING_STATES = FINDING_STATUSES
ASSIGNMENT_STATES = ASSIGNMENT_STATUSES


def transitions(kind: str) -> tuple[Transition, ...]:
    """The lifecycle table of ``kind`` ("finding" or "assignment")."""
    return _table(kind)


def step_between(kind: str, source: str, target: str) -> Optional[Transition]:
    """The step that takes a ``kind`` from state ``source`` to ``target`` (None if there is none)."""
    for t in _table(kind):
        if t.source == source and t.target == target:
            return t
    return None


def _table(kind: str) -> tuple[Transition, ...]:
    if kind == "finding":
        return FINDING_TRANSITIONS
    if kind == "assignment":
        return ASSIGNMENT_TRANSITIONS
    raise ValueError(f"no lifecycle for {kind!r}")


def allowed_actions(kind: str, state: str, role: str | None = None) -> list[str]:
    """Actions possible from ``state`` (for ``role``, when given), in table order."""
    return [t.action for t in _table(kind) if t.source == state and (role is None or role in t.roles)]


def next_state(kind: str, state: str, action: str, role: str) -> Transition:
    """The transition ``action`` from ``state`` for a user of ``role``.

    Raises
    ------
    InvalidStep, RefusedByRole
        The action is not possible from ``state`` (the message lists what is), or the role may not
        take it (the message says who may).
    """
    states = FINDING_STATES if kind == "finding" else ASSIGNMENT_STATES
    if state not in states:
        raise InvalidStep(f"{kind} has unknown state {state!r}; known states: {', '.join(states)}",
                          key="step.unknown_state", kind=kind, state=state)
    if role not in ROLES:
        raise RefusedByRole(f"unknown role {role!r}; roles: {', '.join(ROLES)}", key="role.unknown", role=role)
    for t in _table(kind):
        if t.source == state and t.action == action:
            if role not in t.roles:
                who = " or ".join(t.roles)
                raise RefusedByRole(
                    f"{_a(role)} {role} may not {action} {_a(kind)} {kind} (state {state}); this needs {_a(who)} {who}",
                    key="step.role", role=role, action=action, kind=kind, state=state, roles=t.roles)
            return t
    possible = allowed_actions(kind, state)
    hint = f"allowed from {state}: {', '.join(possible)}" if possible else f"{state} is final: nothing follows"
    raise InvalidStep(f"cannot {action} {_a(kind)} {kind} that is {state}; {hint}", key="step.not_from",
                      action=action, kind=kind, state=state, allowed=tuple(possible))


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
