"""The server's step judge (:func:`gridwatch.domain.steps.judge_steps`) on steps a laptop took offline
while the row moved on on the server (issue 19; found by the PostGIS torture, seed 7).

A supervisor offline edits a rectified finding (its description: no status change) and verifies it
[and closes it]; meanwhile another supervisor rejected it on the server (rectified -> assigned).  The
plain edit would also be allowed on the row as the server holds it now, so the judge used to take it
from there; the verification then came from "assigned" and the whole change was refused ("cannot move
a finding from assigned to verified"), where the shared folder's merge settles the two as a conflict
(a status only moves forward: the verification stands, the rejection is recorded).  The judge now
takes a step whose old values are not the row's from the state its author saw (a version the row had),
and the author's run of steps is settled as a whole against the row as it is now.

Rows are plain dicts as the server's trigger hands them over; the audit entries are what the app
writes (the changed columns' old and new values, as JSON).
"""

from __future__ import annotations

import json
from typing import Any, Optional

from gridwatch.domain.policy import Actor
from gridwatch.domain.row_rules import RowContext
from gridwatch.domain.steps import judge_steps

SUP1 = Actor("u-sup1", "文督查", "supervisor")
SUP2 = Actor("u-sup2", "段督查", "supervisor")
INSP = Actor("u-insp", "李网格", "inspector")
BY_NAME = {a.name: a for a in (SUP1, SUP2, INSP)}
CONTEXT = RowContext(people={a.uuid: a.role for a in (SUP1, SUP2, INSP)})
CELL = "130110100001001"
COLS = ["uuid", "cell_code", "category", "severity", "description", "status", "rectify_deadline",
        "responsible_party", "found_by", "found_at", "updated_at", "assigned_by", "rectify_note", "rectified_by",
        "rectified_at", "verify_note", "verified_by", "verified_at", "reject_reason", "reject_count", "closed_by",
        "closed_at"]

FOUND = {"uuid": "f-1", "cell_code": CELL, "category": "scattered_coal", "severity": 2, "description": "散煤堆放",
         "status": "found", "rectify_deadline": None, "responsible_party": None, "found_by": INSP.uuid,
         "found_at": "2026-12-01T01:00:00.000Z", "updated_at": "2026-12-01T01:00:00.000Z", "assigned_by": None,
         "rectify_note": None, "rectified_by": None, "rectified_at": None, "verify_note": None, "verified_by": None,
         "verified_at": None, "reject_reason": None, "reject_count": 0, "closed_by": None, "closed_at": None}
ASSIGNED = {**FOUND, "status": "assigned", "rectify_deadline": "2026-12-31", "responsible_party": "某煤站",
            "assigned_by": SUP1.uuid, "updated_at": "2026-12-02T01:00:00.000Z"}
RECTIFIED = {**ASSIGNED, "status": "rectified", "rectify_note": "已清运", "rectified_by": INSP.uuid,
             "rectified_at": "2026-12-03T01:00:00.000Z", "updated_at": "2026-12-03T01:00:00.000Z"}
#: the server's earlier versions of the row, newest first (its own record: no laptop writes it)
HISTORY = [RECTIFIED, ASSIGNED, FOUND]


def rejected(by: Actor = SUP1, at: str = "2026-12-04T01:00:00.000Z") -> dict[str, Any]:
    """The row as the server holds it after ``by`` rejected the rectification."""
    return {**RECTIFIED, "status": "assigned", "reject_reason": "照片看不清", "reject_count": 1,
            "verified_by": by.uuid, "verified_at": at, "updated_at": at}


def take(row: dict[str, Any], who: Actor, action: str, **values: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """``who`` changes ``row`` (the app's edit): (the audit entry it writes, the row after it)."""
    after = {**row, **values}
    changed = [k for k in after if after[k] != row.get(k)]
    audit = {"user_name": who.name, "action": action,
             "old_values": json.dumps({k: row.get(k) for k in changed}, ensure_ascii=False),
             "new_values": json.dumps({k: after[k] for k in changed}, ensure_ascii=False)}
    return audit, after


def offline_run(close: bool = False) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Supervisor 2, offline from "rectified": corrects the description, verifies [and closes]."""
    a1, row = take(RECTIFIED, SUP2, "edit", description="散煤堆放约两吨", updated_at="2026-12-05T01:00:00.000Z")
    a2, row = take(row, SUP2, "verify", status="verified", verify_note="现场核查已清运", verified_by=SUP2.uuid,
                   verified_at="2026-12-05T02:00:00.000Z", updated_at="2026-12-05T02:00:00.000Z")
    steps = [a1, a2]
    if close:
        a3, row = take(row, SUP2, "close", status="closed", closed_by=SUP2.uuid,
                       closed_at="2026-12-05T03:00:00.000Z", updated_at="2026-12-05T03:00:00.000Z")
        steps.append(a3)
    return steps, row


def judge(now: dict[str, Any], sent: dict[str, Any], steps: list[dict[str, Any]],
          history: Optional[list[dict[str, Any]]] = HISTORY):
    return judge_steps(SUP2, BY_NAME, "finding", "update", now, sent, steps, CONTEXT, COLS,
                       (lambda: history) if history is not None else None)


def test_an_edit_and_a_verification_taken_offline_stand_over_a_rejection_synced_first():
    steps, mine = offline_run()
    # the laptop's merge: the verification is further along than the rejection and stands as a whole
    # (with the correction); what the rejection wrote goes to sync_conflict
    assert mine["status"] == "verified" and mine["reject_reason"] is None
    why = judge(rejected(), mine, steps)
    assert why is None, why.message


def test_an_edit_a_verification_and_a_close_taken_offline_stand_over_a_rejection_synced_first():
    steps, mine = offline_run(close=True)
    assert mine["status"] == "closed"
    why = judge(rejected(), mine, steps)
    assert why is None, why.message


def test_a_run_from_a_state_the_row_never_had_is_still_refused():
    """The correction claims a description the row never had: no version of the row is the state its
    author saw, so the verification is judged from the row as it is (assigned), and refused."""
    steps, mine = offline_run()
    forged = json.loads(steps[0]["old_values"])
    forged["description"] = "从未有过的描述"
    steps[0] = {**steps[0], "old_values": json.dumps(forged, ensure_ascii=False)}
    why = judge(rejected(), mine, steps)
    assert why is not None and "from assigned to verified" in why.message


def test_the_server_further_along_keeps_its_row_over_an_offline_edit_and_rejection():
    """The other way round: supervisor 1 verified on the server; supervisor 2 offline corrected the
    description and rejected.  The verification stands as a whole, the laptop's merge sends the
    server's row back, and the judge lets it (nothing of the lost run is claimed)."""
    now = {**RECTIFIED, "status": "verified", "verify_note": "核查通过", "verified_by": SUP1.uuid,
           "verified_at": "2026-12-04T01:00:00.000Z", "updated_at": "2026-12-04T01:00:00.000Z"}
    a1, row = take(RECTIFIED, SUP2, "edit", description="散煤堆放约两吨", updated_at="2026-12-05T01:00:00.000Z")
    a2, row = take(row, SUP2, "reject", status="assigned", reject_reason="照片看不清", reject_count=1,
                   verified_by=SUP2.uuid, verified_at="2026-12-05T02:00:00.000Z", updated_at="2026-12-05T02:00:00.000Z")
    assert judge(now, dict(now), [a1, a2]) is None
    # a laptop claiming the rejection's status over the verification is refused (verified -> assigned)
    why = judge(now, {**now, "status": "assigned"}, [a1, a2])
    assert why is not None


def test_an_edit_taken_from_the_row_as_it_is_is_judged_as_before():
    """No concurrent change: the steps' old values are the row's; nothing is settled."""
    a1, row = take(RECTIFIED, SUP2, "edit", description="散煤堆放约两吨", updated_at="2026-12-05T01:00:00.000Z")
    a2, row = take(row, SUP2, "verify", status="verified", verify_note="核查", verified_by=SUP2.uuid,
                   verified_at="2026-12-05T02:00:00.000Z", updated_at="2026-12-05T02:00:00.000Z")
    assert judge(RECTIFIED, row, [a1, a2]) is None
    # an inspector's close of it is refused (closing is the office's)
    a3, closed = take(row, INSP, "close", status="closed", closed_by=INSP.uuid, closed_at="2026-12-05T03:00:00.000Z",
                      updated_at="2026-12-05T03:00:00.000Z")
    why = judge_steps(INSP, BY_NAME, "finding", "update", row, closed, [a3], CONTEXT, COLS, lambda: [RECTIFIED])
    assert why is not None and why.code == "refused_by_role"
