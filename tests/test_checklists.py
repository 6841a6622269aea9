"""Checklists recorded with inspections and a failed item made a finding in one step (issue 17),
on a copy of the sample district without its work."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from gridwatch.domain.checklists import DEFAULT_CHECKLISTS
from gridwatch.domain.policy import Actor, RowContext, judge_row_change
from gridwatch.errors import InvalidTransition, ValidationError
from gridwatch.storage import plans
from gridwatch.storage.checklists import checklist_results, failed_item_to_finding, record_checklist
from gridwatch.storage.workflow import change_assignment, create_assignments, find_actor, undo


def rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


@pytest.fixture
def started(bare_copy):
    """A construction-dust check of a cell, started by the cell's inspector."""
    sup_name, = rows(bare_copy, "SELECT name FROM inspector WHERE role = 'supervisor' LIMIT 1")[0]
    code, who = rows(bare_copy, "SELECT c.code, p.name FROM grid_cell c JOIN inspector p ON p.uuid = "
                                "c.inspector_uuid LIMIT 1")[0]
    sup, inspector = find_actor(bare_copy, sup_name), find_actor(bare_copy, who)
    task = create_assignments(bare_copy, sup, [code], "construction_dust").created("assignment")[0]
    change_assignment(bare_copy, inspector, task, "start")
    return bare_copy, sup, inspector, task, code


def test_the_six_100_percent_checklist_and_a_failed_item_as_a_finding(started):
    path, sup, inspector, task, code = started
    answers = {item: (True, "") for item in DEFAULT_CHECKLISTS["construction_dust"]}
    answers["fencing"] = (False, "东侧围挡倒塌约20米")
    with pytest.raises(ValidationError, match="left unanswered: sealed_transport"):
        record_checklist(path, inspector, task, {k: v for k, v in answers.items() if k != "sealed_transport"})
    with pytest.raises(ValidationError, match="not on the construction_dust checklist: stoves"):
        record_checklist(path, inspector, task, {**answers, "stoves": (True, "")})
    edit = record_checklist(path, inspector, task, answers)
    assert edit.title == "检查清单 6 项（不合格 1 项）"
    results = checklist_results(path, task)
    assert list(results["item"]) == list(DEFAULT_CHECKLISTS["construction_dust"])
    assert results["inspection_uuid"].notna().all()  # with the inspection the start opened
    failed = results[results["item"] == "fencing"]["uuid"].iloc[0]
    passed = results[results["item"] == "covering"]["uuid"].iloc[0]
    with pytest.raises(ValidationError, match="passed"):
        failed_item_to_finding(path, inspector, passed)
    made = failed_item_to_finding(path, inspector, failed)
    finding = made.created("finding")[0]
    assert rows(path, "SELECT category, description, cell_code, status, inspection_uuid IS NOT NULL FROM finding "
                      "WHERE uuid = ?", (finding,)) == \
        [("construction_dust", "【工地周边围挡】不合格：东侧围挡倒塌约20米", code, "found", 1)]
    assert rows(path, "SELECT finding_uuid FROM checklist_result WHERE uuid = ?", (failed,)) == [(finding,)]
    with pytest.raises(ValidationError, match="already has its finding"):
        failed_item_to_finding(path, inspector, failed)
    undo(path, inspector, made)  # the finding and the link go together
    assert rows(path, "SELECT COUNT(*) FROM finding") == [(0,)]
    assert rows(path, "SELECT finding_uuid FROM checklist_result WHERE uuid = ?", (failed,)) == [(None,)]


def test_who_records_and_the_office_edits_the_lists(started):
    path, sup, inspector, task, code = started
    other = find_actor(path, rows(path, "SELECT name FROM inspector WHERE role = 'inspector' AND uuid != ? LIMIT 1",
                                  (inspector.uuid,))[0][0])
    answers = {item: (True, "") for item in DEFAULT_CHECKLISTS["construction_dust"]}
    with pytest.raises(InvalidTransition, match="assigned to someone else"):
        record_checklist(path, other, task, answers)
    # the office shortens the construction sites' list for the district: two items
    plans.set_settings(path, sup, {"checklists": {"construction_dust": ["fencing", "covering"],
                                                  "coal_ban": ["coal_burnt"]}})
    edit = record_checklist(path, inspector, task, {"fencing": (True, ""), "covering": (False, "裸土未覆盖")})
    assert len(edit.created("checklist_result")) == 2
    with pytest.raises(ValidationError, match="checklists"):
        plans.set_settings(path, sup, {"checklists": {"construction_dust": ["no_such_item"]}})
    # the sync's judge
    row = {"uuid": "r", "cell_code": code, "inspection_uuid": "i1", "recorded_by": inspector.uuid, "passed": False}
    mine = RowContext(inspections=frozenset({"i1"}))
    assert judge_row_change(inspector, "checklist_result", "insert", None, row, mine) is None
    assert judge_row_change(other, "checklist_result", "insert", None, {**row, "recorded_by": other.uuid},
                            RowContext()) is not None
    assert judge_row_change(inspector, "checklist_result", "update", row, {"passed": True}, mine).key == \
        "checklist.columns"
    assert judge_row_change(inspector, "checklist_result", "update", row, {"finding_uuid": "f"}, mine) is None
    assert judge_row_change(Actor("c", "张", "chief", "999999999"), "checklist_result", "insert", None,
                            {**row, "recorded_by": "c"}, RowContext()).key == "township.other"


def test_a_coal_ban_patrol_records_and_makes_findings_in_one_step_also_from_the_cli(bare_copy, capsys):
    from gridwatch.cli import main

    sup_name, = rows(bare_copy, "SELECT name FROM inspector WHERE role = 'supervisor' LIMIT 1")[0]
    code, who = rows(bare_copy, "SELECT c.code, p.name FROM grid_cell c JOIN inspector p ON p.uuid = "
                                "c.inspector_uuid LIMIT 1")[0]
    sup, inspector = find_actor(bare_copy, sup_name), find_actor(bare_copy, who)
    task = create_assignments(bare_copy, sup, [code], "coal_ban").created("assignment")[0]
    assert main(["checklist", str(bare_copy), "--task", task, "--user", who, "--fail", "coal_burnt=两户燃用散煤"]) == 2
    assert "start it before recording findings" in capsys.readouterr().err  # the task is not started yet
    change_assignment(bare_copy, inspector, task, "start")
    assert main(["checklist", str(bare_copy), "--task", task, "--user", who, "--fail", "coal_burnt=两户燃用散煤",
                 "--fail", "stoves", "--findings"]) == 0
    out = capsys.readouterr().out
    assert "3 items: 1 passed, 2 failed; 2 findings recorded" in out
    assert sorted(rows(bare_copy, "SELECT category, description FROM finding")) == [
        ("scattered_coal", "【无散煤燃用】不合格：两户燃用散煤"), ("scattered_coal", "【无燃煤炉具】不合格")]
    assert rows(bare_copy, "SELECT COUNT(*) FROM checklist_result WHERE finding_uuid IS NOT NULL") == [(2,)]
