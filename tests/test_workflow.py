"""Assignments in the project: bulk creation, role refusals, audit rows, fire-point grouping."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pandas as pd
import pytest

from gridwatch.errors import InvalidTransition, StorageError
from gridwatch.storage import Project
from gridwatch.storage.workflow import Actor, create_assignments, find_actor, fire_check_groups

from .conftest import sha256


def people(path):
    return Project.open(path).read_table("inspector")


def test_a_supervisor_assigns_a_thousand_cells_in_one_go(sample_copy, gpkg_validator):
    who = people(sample_copy)
    sup = who[who["role"] == "supervisor"].iloc[0]
    actor = find_actor(sample_copy, sup["name"])
    cells = Project.open(sample_copy).read_layer("grid_cell")
    codes = cells["code"].iloc[:1000].tolist()
    due = dt.datetime(2025, 12, 5, 17, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    ids = create_assignments(sample_copy, actor, codes, "patrol", due_at=due, notes="冬季禁煤巡查")
    assert len(ids) == 1000 == len(set(ids))
    table = Project.open(sample_copy).read_table("assignment")
    assert len(table) == 1000
    merged = table.merge(cells[["code", "inspector_uuid"]], left_on="cell_code", right_on="code")
    assert (merged["assignee_uuid"] == merged["inspector_uuid"]).all()  # default: the cell's inspector
    assert set(table["status"]) == {"assigned"} and set(table["notes"]) == {"冬季禁煤巡查"}
    assert (table["due_at"] == pd.Timestamp("2025-12-05T09:00:00Z")).all()
    with closing(sqlite3.connect(sample_copy)) as con:
        audited = con.execute("SELECT COUNT(*) FROM audit_log WHERE table_name='assignment' AND action='create' "
                              "AND user_name = ?", (sup["name"],)).fetchone()[0]
    assert audited == 1000
    gpkg_validator(sample_copy)


def test_an_inspector_may_not_assign_and_nothing_is_written(sample_copy):
    who = people(sample_copy)
    ins = who[who["role"] == "inspector"].iloc[0]
    actor = Actor(ins["uuid"], ins["name"], "inspector")
    before = sha256(sample_copy)
    with pytest.raises(InvalidTransition, match="only a supervisor or admin may assign"):
        create_assignments(sample_copy, actor, ["130110100001001"], "patrol")
    assert sha256(sample_copy) == before


def test_unknown_cells_and_people_are_refused(sample_copy):
    sup = people(sample_copy).query("role == 'supervisor'").iloc[0]
    actor = Actor(sup["uuid"], sup["name"], "supervisor")
    before = sha256(sample_copy)
    with pytest.raises(StorageError, match="unknown cell code"):
        create_assignments(sample_copy, actor, ["999999999999999"], "patrol")
    with pytest.raises(StorageError, match="nobody called"):
        find_actor(sample_copy, "不存在的人")
    with pytest.raises(StorageError, match="unknown inspection kind"):
        create_assignments(sample_copy, actor, ["130110100001001"], "picnic")
    assert sha256(sample_copy) == before


def test_fire_points_group_one_check_per_cell_per_day(sample_path):
    frame, _ = Project.open(sample_path).read_point_layer("fire_point")
    fires = pd.DataFrame({c: pd.Series(frame[c]).astype(object) for c in ("uuid", "cell_code", "detected_local", "status")})
    groups = fire_check_groups(fires)
    todo = fires[fires["status"] == "unverified"]
    assert groups["count"].sum() == len(todo)
    assert not groups.duplicated(["cell_code", "day"]).any()
    assert len(groups) < len(todo)  # clustered detections share a task
    one = groups.iloc[0]
    members = todo[todo["uuid"].isin(one["fire_uuids"])]
    assert set(members["cell_code"]) == {one["cell_code"]}
    assert set(members["detected_local"].str[:10]) == {one["day"]}
