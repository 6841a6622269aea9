"""The policy: may() for actions, judge_row_change() for one row of a working copy (the sync's door).

No project file here: rows are plain dicts, as the sync hands them over.
"""

from __future__ import annotations

import pytest

from gridwatch.domain.messages import message_text
from gridwatch.domain.policy import Action, Actor, RowContext, judge_row_change, may, require, why_not
from gridwatch.errors import InvalidStep, RefusedByRole

INSP = Actor("u-insp", "李网格", "inspector")
OTHER = Actor("u-other", "王网格", "inspector")
SUP = Actor("u-sup", "文督查", "supervisor")
ADMIN = Actor("u-admin", "周管理", "admin")
PEOPLE = {a.uuid: a.role for a in (INSP, OTHER, SUP, ADMIN)}
MINE = RowContext(cells=frozenset({"130110100001001"}), people=PEOPLE)
CELL = "130110100001001"


def finding(**values):
    row = {"uuid": "f-1", "cell_code": CELL, "category": "scattered_coal", "status": "found", "found_by": SUP.uuid,
           "found_at": "2025-11-20T01:00:00Z", "updated_at": "2025-11-20T01:00:00Z", "inspection_uuid": None,
           "rectify_deadline": None, "responsible_party": None, "assigned_by": None, "rectify_note": None,
           "rectified_by": None, "rectified_at": None, "verify_note": None, "verified_by": None, "verified_at": None,
           "reject_reason": None, "reject_count": 0, "closed_by": None, "closed_at": None, "description": "散煤"}
    row.update(values)
    return row


def task(**values):
    row = {"uuid": "t-1", "kind": "patrol", "cell_code": CELL, "assignee_uuid": INSP.uuid, "status": "assigned",
           "created_by": SUP.uuid, "created_at": "2025-11-20T01:00:00Z", "updated_at": "2025-11-20T01:00:00Z",
           "started_at": None, "finished_at": None, "result": None, "status_note": None, "cancelled_at": None,
           "priority": 2, "notes": "", "due_at": None}
    row.update(values)
    return row


# --- the three sync holes of issue 13 -----------------------------------------------------------------


def test_inspector_moving_a_finding_found_to_closed_naming_a_supervisor_is_refused():
    before = finding()
    after = dict(before, status="closed", closed_by=SUP.uuid, closed_at="2025-11-21T01:00:00Z")
    refusal = judge_row_change(INSP, "finding", "update", before, after, MINE)
    assert refusal is not None and refusal.code == "invalid_step"
    assert "from found to closed" in refusal.message
    # even one legal step at a time: closing is a supervisor's, and names its taker
    verified = finding(status="verified", verified_by=OTHER.uuid)
    assert judge_row_change(INSP, "finding", "update", verified, dict(verified, status="closed",
                                                                       closed_by=SUP.uuid, closed_at="x"), MINE)


def test_inspector_deleting_a_supervisors_finding_in_their_own_cell_is_refused():
    refusal = judge_row_change(INSP, "finding", "delete", finding(found_by=SUP.uuid), None, MINE)
    assert refusal is not None and refusal.code == "refused_by_role"
    # their own, still found, is the undo of recording it
    assert judge_row_change(INSP, "finding", "delete", finding(found_by=INSP.uuid), None, MINE) is None
    assert judge_row_change(INSP, "finding", "delete", finding(found_by=INSP.uuid, status="assigned"), None, MINE)


def test_inspector_inserting_an_audit_row_under_another_name_is_refused():
    row = {"uuid": "a-1", "at": "2025-11-20T01:00:00Z", "user_name": SUP.name, "action": "edit",
           "table_name": "finding", "row_uuid": "f-1"}
    refusal = judge_row_change(INSP, "audit_log", "insert", None, row, MINE)
    assert refusal is not None and SUP.name in refusal.message
    assert judge_row_change(INSP, "audit_log", "insert", None, dict(row, user_name=INSP.name), MINE) is None
    for kind, before, after in (("update", row, dict(row, action="x")), ("delete", row, None)):
        assert judge_row_change(INSP, "audit_log", kind, before, after, MINE) is not None
        assert judge_row_change(SUP, "audit_log", kind, before, after, MINE) is not None


# --- findings: the loop, step by step ------------------------------------------------------------------


def step(before, **values):
    return before, dict(before, **values)


def test_each_legal_finding_step_by_the_right_person_is_accepted():
    found = finding()
    assigned = dict(found, status="assigned", rectify_deadline="2025-12-01", responsible_party="某厂",
                    assigned_by=SUP.uuid)
    rectified = dict(assigned, status="rectified", rectify_note="已清理", rectified_by=INSP.uuid, rectified_at="t")
    verified = dict(rectified, status="verified", verify_note="属实", verified_by=OTHER.uuid, verified_at="t")
    closed = dict(verified, status="closed", closed_by=SUP.uuid, closed_at="t")
    other_ctx = RowContext(cells=frozenset(), people=PEOPLE)
    assert judge_row_change(SUP, "finding", "update", found, assigned, RowContext()) is None
    assert judge_row_change(INSP, "finding", "update", assigned, rectified, MINE) is None
    assert judge_row_change(OTHER, "finding", "update", rectified, verified, other_ctx) is None
    assert judge_row_change(SUP, "finding", "update", verified, closed, RowContext()) is None
    rejected = dict(rectified, status="assigned", reject_reason="照片不清", reject_count=1, verified_by=OTHER.uuid,
                    verified_at="t")
    assert judge_row_change(OTHER, "finding", "update", rectified, rejected, other_ctx) is None


def test_finding_steps_are_refused_for_the_wrong_person_or_without_what_they_need():
    found = finding()
    assigned = dict(found, status="assigned", rectify_deadline="2025-12-01", responsible_party="某厂",
                    assigned_by=SUP.uuid)
    # an inspector may not assign; a supervisor's step must name the supervisor
    assert judge_row_change(INSP, "finding", "update", found, assigned, MINE).code == "refused_by_role"
    assert judge_row_change(ADMIN, "finding", "update", found, assigned, RowContext()).code == "refused_by_role"
    # what the step must fill
    missing = dict(assigned, responsible_party=None)
    assert judge_row_change(SUP, "finding", "update", found, missing, RowContext()).code == "invalid_step"
    # rectifying in another inspector's cell
    rectified = dict(assigned, status="rectified", rectify_note="已清理", rectified_by=OTHER.uuid, rectified_at="t")
    assert "another inspector's cell" in judge_row_change(OTHER, "finding", "update", assigned, rectified,
                                                          RowContext()).message
    # verifying one's own rectification
    mine = dict(assigned, status="rectified", rectify_note="已清理", rectified_by=INSP.uuid, rectified_at="t")
    verified = dict(mine, status="verified", verify_note="属实", verified_by=INSP.uuid, verified_at="t")
    assert "may not verify" in judge_row_change(INSP, "finding", "update", mine, verified, MINE).message
    # a step that also changes what the step does not touch
    sneaky = dict(mine, category="other")
    assert judge_row_change(INSP, "finding", "update", assigned, sneaky, MINE) is not None


def test_undoing_ones_own_step_is_accepted_and_someone_elses_is_not():
    found = finding()
    assigned = dict(found, status="assigned", rectify_deadline="2025-12-01", responsible_party="某厂",
                    assigned_by=SUP.uuid)
    back = dict(assigned, status="found", assigned_by=None)
    assert judge_row_change(SUP, "finding", "update", assigned, back, RowContext()) is None
    assert judge_row_change(ADMIN, "finding", "update", assigned, back, RowContext()) is not None
    # a conflict review that restores the overridden status
    restoring = RowContext(restored=frozenset({("finding", "f-1")}))
    assert judge_row_change(ADMIN, "finding", "update", assigned, back, restoring) is None


def test_corrections_of_a_finding_follow_edit_rules():
    mine = finding(found_by=INSP.uuid)
    assert judge_row_change(INSP, "finding", "update", mine, {"description": "更正"}, MINE) is None
    assert judge_row_change(INSP, "finding", "update", finding(), {"description": "更正"}, MINE) is not None
    assert judge_row_change(SUP, "finding", "update", finding(status="assigned"), {"severity": 3}, MINE) is None
    assert judge_row_change(SUP, "finding", "update", finding(status="closed"), {"severity": 3}, MINE) is not None
    # loop fields change only by steps
    assert judge_row_change(SUP, "finding", "update", finding(), {"closed_by": SUP.uuid}, MINE) is not None


def test_a_rejection_by_the_rectifier_is_not_taken_for_an_undo():
    rectified = finding(status="rectified", rectify_note="已清理", rectified_by=INSP.uuid, rectified_at="t",
                        rectify_deadline="2025-12-01", responsible_party="某厂", assigned_by=SUP.uuid)
    rejected = dict(rectified, status="assigned", reject_reason="不彻底", reject_count=1, verified_by=INSP.uuid,
                    verified_at="t")
    assert judge_row_change(INSP, "finding", "update", rectified, rejected, MINE) is not None
    undone = dict(rectified, status="assigned", rectify_note=None, rectified_by=None, rectified_at=None)
    assert judge_row_change(INSP, "finding", "update", rectified, undone, MINE) is None


def test_new_findings():
    new = finding(found_by=INSP.uuid, inspection_uuid="i-1", cell_code="130110100002001")
    assert judge_row_change(INSP, "finding", "insert", None, new, MINE) is not None  # not their inspection
    theirs = RowContext(cells=MINE.cells, inspections=frozenset({"i-1"}), people=PEOPLE)
    assert judge_row_change(INSP, "finding", "insert", None, new, theirs) is None
    assert judge_row_change(INSP, "finding", "insert", None, dict(new, cell_code=CELL, inspection_uuid=None),
                            MINE) is None
    assert judge_row_change(INSP, "finding", "insert", None, dict(new, found_by=SUP.uuid), theirs) is not None
    assert judge_row_change(INSP, "finding", "insert", None, dict(new, status="closed"), theirs) is not None
    elsewhere = dict(new, inspection_uuid=None, cell_code="130110100002001")
    assert judge_row_change(INSP, "finding", "insert", None, elsewhere, MINE) is not None
    assert judge_row_change(SUP, "finding", "insert", None, dict(elsewhere, found_by=SUP.uuid), MINE) is None


# --- tasks, fire points, tables ----------------------------------------------------------------------


def test_task_rows():
    t = task()
    started = dict(t, status="in_progress", started_at="t", updated_at="t2")
    assert judge_row_change(INSP, "assignment", "update", t, started, MINE) is None
    assert judge_row_change(OTHER, "assignment", "update", t, started, MINE) is not None  # not theirs
    assert judge_row_change(INSP, "assignment", "update", t, dict(t, due_at="2030-01-01"), MINE) is not None
    assert judge_row_change(INSP, "assignment", "update", started, t, MINE) is None  # undo of their start
    cancelled = dict(t, status="cancelled", status_note="重复", cancelled_at="t")
    assert judge_row_change(INSP, "assignment", "update", t, cancelled, MINE) is not None
    assert judge_row_change(SUP, "assignment", "update", t, cancelled, MINE) is None
    assert judge_row_change(SUP, "assignment", "update", t, dict(t, status="done", finished_at="t"), MINE)
    fire = task(kind="fire_check", status="in_progress", started_at="t")
    done = dict(fire, status="done", finished_at="t")
    assert judge_row_change(INSP, "assignment", "update", fire, done, MINE).code == "invalid_step"  # no result
    assert judge_row_change(INSP, "assignment", "update", fire, dict(done, result="no_burning"), MINE) is None
    assert judge_row_change(INSP, "assignment", "insert", None, t, MINE) is not None
    assert judge_row_change(SUP, "assignment", "insert", None, t, MINE) is None
    assert judge_row_change(SUP, "assignment", "insert", None, dict(t, created_by=ADMIN.uuid), MINE) is not None
    assert judge_row_change(INSP, "assignment", "delete", t, None, MINE) is not None
    assert judge_row_change(SUP, "assignment", "delete", t, None, MINE) is None


def test_fire_points_admin_tables_and_others():
    fp = {"uuid": "p-1", "cell_code": CELL, "status": "unverified", "check_uuid": "t-1"}
    assert judge_row_change(INSP, "fire_point", "update", fp, {"status": "burning_confirmed"}, MINE) is None
    assert judge_row_change(INSP, "fire_point", "update", fp, {"status": "on fire"}, MINE) is not None
    assert judge_row_change(INSP, "fire_point", "update", fp, {"confidence": 0}, MINE) is not None
    assert judge_row_change(INSP, "fire_point", "update", dict(fp, cell_code="x"), {"status": "no_burning"},
                            MINE) is not None
    assert judge_row_change(INSP, "fire_point", "delete", fp, None, MINE) is not None
    assert judge_row_change(SUP, "fire_point", "delete", fp, None, MINE) is None
    for table in ("township", "village", "grid_cell", "inspector"):
        assert judge_row_change(SUP, table, "update", {"uuid": "x"}, {"name": "y"}, MINE) is not None
        assert judge_row_change(ADMIN, table, "update", {"uuid": "x"}, {"name": "y"}, MINE) is None
    assert judge_row_change(INSP, "mine", "insert", None, {"uuid": "m"}, MINE) is not None
    assert judge_row_change(SUP, "mine", "insert", None, {"uuid": "m"}, MINE) is None
    photo = {"uuid": "ph", "added_by": INSP.uuid}
    assert judge_row_change(INSP, "attachment", "insert", None, photo, MINE) is None
    assert judge_row_change(OTHER, "attachment", "delete", photo, None, MINE) is not None
    assert judge_row_change(INSP, "sync_conflict", "insert", None, {"uuid": "c"}, MINE) is not None
    assert judge_row_change(SUP, "sync_conflict", "update", {"uuid": "c"}, {"status": "accepted"}, MINE) is None
    assert judge_row_change(INSP, "sync_log", "insert", None, {"uuid": "s"}, MINE) is None


def test_may_require_and_the_refusal_messages():
    assert may(SUP, Action.ASSIGN_TASKS) and not may(INSP, Action.ASSIGN_TASKS)
    assert not may(None, Action.ASSIGN_TASKS) and may(None, Action.IMPORT_LAYER, {"layer": "mine"})
    assert not may(None, Action.REPLACE_LAYER, {"layer": "mine"})
    assert may(SUP, Action.REPLACE_LAYER, {"layer": "mine"}) and not may(SUP, Action.REPLACE_LAYER,
                                                                        {"layer": "township"})
    with pytest.raises(RefusedByRole, match="only a chief or supervisor or admin may assign inspections"):
        require(INSP, Action.ASSIGN_TASKS)
    with pytest.raises(InvalidStep, match="cannot close a finding that is found"):
        require(SUP, Action.CLOSE_FINDING, finding())
    refusal = why_not(INSP, Action.ASSIGN_TASKS)
    assert message_text(refusal, "zh_CN") == "李网格是网格员；只有网格长或督查员或管理员可以派发检查任务"
    assert message_text(refusal, "en") == refusal.message
    try:
        require(SUP, Action.CLOSE_FINDING, finding())
    except InvalidStep as exc:
        assert message_text(exc, "zh_CN") == "问题当前为“发现”，不能销号；可以：交办"


def test_every_error_code_has_a_chinese_title_and_errors_keep_their_english_text():
    from gridwatch.domain.messages import CODE_TITLES_ZH
    from gridwatch.errors import ERROR_CODES, DamagedProject, NotFound

    assert set(ERROR_CODES) <= set(CODE_TITLES_ZH)
    exc = NotFound("no task t-1 in the project")
    assert str(exc) == "no task t-1 in the project"  # the CLI prints this, as before
    assert message_text(exc, "zh_CN") == "未找到：no task t-1 in the project"
    assert DamagedProject("x").code == "damaged_project"
