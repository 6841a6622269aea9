"""The lifecycle tables: every legal and every illegal transition, and role refusals."""

from __future__ import annotations

import itertools

import pytest

from gridwatch.domain.lifecycle import (
    ASSIGNMENT_STATES,
    ASSIGNMENT_TRANSITIONS,
    FINDING_STATES,
    FINDING_TRANSITIONS,
    ROLES,
    allowed_actions,
    next_state,
)
from gridwatch.errors import InvalidTransition
from gridwatch.storage.schema import ASSIGNMENT_STATUSES, FINDING_STATUSES

TABLES = {"finding": (FINDING_STATES, FINDING_TRANSITIONS), "assignment": (ASSIGNMENT_STATES, ASSIGNMENT_TRANSITIONS)}


def test_states_match_the_stored_schema():
    assert FINDING_STATES == FINDING_STATUSES
    assert ASSIGNMENT_STATES == ASSIGNMENT_STATUSES


def test_the_closed_loop_with_a_rejection():
    state = "found"
    walk = [("assign", "supervisor"), ("rectify", "inspector"), ("reject", "supervisor"),
            ("rectify", "inspector"), ("verify", "supervisor"), ("close", "supervisor")]
    seen = [state]
    for action, role in walk:
        state = next_state("finding", state, action, role).target
        seen.append(state)
    assert seen == ["found", "assigned", "rectified", "assigned", "rectified", "verified", "closed"]


@pytest.mark.parametrize("kind", list(TABLES))
def test_every_state_action_role_combination(kind):
    states, table = TABLES[kind]
    actions = sorted({t.action for t in table})
    legal = {(t.source, t.action): t for t in table}
    for state, action, role in itertools.product(states, actions, ROLES):
        t = legal.get((state, action))
        if t is not None and role in t.roles:
            assert next_state(kind, state, action, role) is t
        elif t is not None:
            with pytest.raises(InvalidTransition, match=f"{role} may not {action}"):
                next_state(kind, state, action, role)
        else:
            with pytest.raises(InvalidTransition) as err:
                next_state(kind, state, action, role)
            msg = str(err.value)
            assert f"cannot {action} {'an' if kind[0] in 'aeiou' else 'a'} {kind} that is {state}" in msg
            possible = allowed_actions(kind, state)
            assert all(a in msg for a in possible) if possible else "final" in msg


def test_roles_and_unknown_states():
    assert allowed_actions("finding", "found", "inspector") == []
    assert allowed_actions("finding", "rectified") == ["verify", "reject"]
    with pytest.raises(InvalidTransition, match="an inspector may not close a finding"):
        next_state("finding", "verified", "close", "inspector")
    with pytest.raises(InvalidTransition, match="unknown state 'lost'"):
        next_state("finding", "lost", "close", "admin")
    with pytest.raises(InvalidTransition, match="closed is final"):
        next_state("finding", "closed", "reject", "admin")
    with pytest.raises(InvalidTransition, match="unknown role"):
        next_state("finding", "found", "assign", "mayor")
