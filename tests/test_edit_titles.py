"""An edit is named in the user's language (no "Undo 火点核查任务 507 个" in the English UI)."""

from __future__ import annotations

import datetime as dt

from gridwatch.app.titles import edit_title
from gridwatch.storage import Project
from gridwatch.storage.edits import Edit, RowChange
from gridwatch.storage.workflow import Actor, change_assignment, create_assignments, create_fire_checks


def test_edits_are_named_in_both_languages(sample_copy):
    people = Project.open(sample_copy).read_table("inspector")
    row = people[people["role"] == "supervisor"].iloc[0]
    sup = Actor(row["uuid"], row["name"], "supervisor")
    fire = create_fire_checks(sample_copy, sup, now=dt.datetime.now(dt.timezone.utc))
    n = len(fire.created("assignment"))
    assert edit_title(fire, "zh_CN") == fire.title == f"火点核查任务 {n} 个"
    assert edit_title(fire, "en") == f"{n} fire-point check(s)"
    codes = Project.open(sample_copy).read_layer("grid_cell")["code"].iloc[:3].tolist()
    made = create_assignments(sample_copy, sup, codes, "coal_ban")
    assert edit_title(made, "en") == "Assign 3 task(s): Coal-ban check"
    assert edit_title(made, "zh_CN") == "派发禁煤检查任务 3 个"
    started = change_assignment(sample_copy, sup, made.created("assignment")[0], "start")
    assert edit_title(started, "en") == "Start (task)" and edit_title(started, "zh_CN") == "开始检查 任务"
    undone = started.inverse()
    assert edit_title(undone, "en") == "Start (task)"  # the undo menu says "Undo" itself
    review = Edit("review restore", "同步冲突 恢复", [RowChange("sync_conflict", "u", {}, {})])
    assert edit_title(review, "en") == "Restore overwritten value"
    for e in (fire, made, started, review):
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in edit_title(e, "en"))
