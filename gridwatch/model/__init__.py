"""Domain model of the supervision workflow: lifecycles and roles (no storage, no Qt)."""

from .lifecycle import (
    ASSIGNMENT_TRANSITIONS,
    FINDING_TRANSITIONS,
    Transition,
    allowed_actions,
    next_state,
)

__all__ = ["ASSIGNMENT_TRANSITIONS", "FINDING_TRANSITIONS", "Transition", "allowed_actions", "next_state"]
