"""The conflict rule: which of two versions of a row stands when two people changed it meanwhile.

A finding's or a task's status only moves forward along its lifecycle: of two lifecycle steps taken
concurrently, the one further along stands as a whole (its status with the notes, people and times
that came with it), the other is lost as a whole; a fire point's check result beats "unverified".
Otherwise the later edit wins, column by column.  Whatever loses is recorded by the sync in
``sync_conflict`` for a supervisor to review.

Pure Python: the shared folder's merge (:mod:`gridwatch.sync.settle`, :mod:`gridwatch.sync.replay`)
and the PostgreSQL server's judge (:func:`gridwatch.domain.steps.judge_steps`, run on the server)
ask this one module.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .vocabulary import ASSIGNMENT_STATUSES, FINDING_STATUSES

Row = Mapping[str, Any]

#: How far along its lifecycle a state is (a final state of a task is as far as the other).
RANK: dict[str, dict[str, int]] = {
    "finding": {state: i for i, state in enumerate(FINDING_STATUSES)},
    "assignment": {"assigned": 0, "in_progress": 1, "done": 2, "cancelled": 2},
}
assert set(RANK["assignment"]) == set(ASSIGNMENT_STATUSES)
#: Tables whose rows move along a lifecycle (the server keeps their earlier versions).
LIFECYCLE_TABLES = tuple(RANK)
#: The rule that decides a status conflict (the losing step goes as a whole).
STATUS_RULE = "status only moves forward"


def winner(table: str, ours: Row, theirs: Row, columns: Sequence[str]) -> tuple[str, str]:
    """``("ours"|"theirs", rule)`` for a row both sides changed in ``columns``."""
    if "status" in columns and table in ("finding", "assignment", "fire_point"):
        rank = RANK.get(table)
        a, b = ours.get("status"), theirs.get("status")
        if rank is None:  # fire points: a check result beats unverified
            ra, rb = int(a != "unverified"), int(b != "unverified")
        else:
            ra, rb = rank.get(str(a), -1), rank.get(str(b), -1)
        if ra != rb:
            return ("ours" if ra > rb else "theirs"), STATUS_RULE
    ua, ub = ours.get("updated_at"), theirs.get("updated_at")
    if isinstance(ua, str) and isinstance(ub, str) and ua != ub:
        return ("ours" if ua > ub else "theirs"), "the later edit wins"
    return "ours", "the edit synced last wins"


def settle_step(table: str, now: Row, seen: Row, step: Row) -> dict[str, Any]:
    """The row after a step taken from ``seen`` (an earlier version of the row: the state its author
    saw), when the row is ``now`` meanwhile: ``step`` is ``seen`` with the step's values.

    What the step changed that nobody changed since stands; where the row moved on in a column the
    step changed too, :func:`winner` decides (the step further along as a whole, else the later edit
    per column)."""
    mine = {k for k in step if step.get(k) != seen.get(k)}
    theirs = {k for k in now if k in seen and now.get(k) != seen.get(k)}  # (a version may lack BLOBs)
    clash = sorted(k for k in mine & theirs if now.get(k) != step.get(k))
    out = dict(now)
    out.update({k: step[k] for k in mine if k not in clash})
    if not clash:
        return out
    side, rule = winner(table, step, now, clash)
    if rule == STATUS_RULE:
        # a lifecycle step against another: the losing one goes whole
        if side == "theirs":
            return dict(now)
        out.update({k: step.get(k) for k in theirs | mine})
        return out
    if side == "ours":
        out.update({k: step[k] for k in clash})
    return out


def matching_version(old: Row, versions: Sequence[Row]) -> Row | None:
    """The first of ``versions`` that holds every value of ``old`` (a step's audit entry's old values:
    the state its author saw); values noted by size (BLOBs) match any."""
    wanted = {k: v for k, v in old.items() if not _noted(v)}
    for v in versions:
        if all(_same(v.get(k), want) for k, want in wanted.items() if k in v):
            if any(k in v for k in wanted):
                return v
    return None


def _noted(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("<") and value.endswith(" bytes>")


def _same(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return False
