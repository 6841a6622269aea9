"""The supervision workflow in a real project file: assignments, fire-point checks, findings with
photos, the closed loop, role refusals, audit history, undo/redo."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pandas as pd
import pytest
import shapely

from gridwatch.errors import InvalidTransition, StorageError, ValidationError
from gridwatch.storage import Project, queries
from gridwatch.storage.gpkg import blob_to_geometry
from gridwatch.storage.workflow import (
    Actor,
    change_assignment,
    change_finding,
    create_assignments,
    create_fire_checks,
    find_actor,
    fire_check_groups,
    record_finding,
    redo,
    undo,
)

from .conftest import make_photo, sha256

BJ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2025, 11, 20, 9, 0, tzinfo=BJ)


def people(path):
    return Project.open(path).read_table("inspector")


def actor_of(path, role, n=0) -> Actor:
    row = people(path).query("role == @role").iloc[n]
    return Actor(row["uuid"], row["name"], role)


def cell_of(path, inspector: Actor):
    cells = Project.open(path).read_layer("grid_cell")
    return cells[cells["inspector_uuid"] == inspector.uuid].iloc[0]


def test_a_supervisor_assigns_a_thousand_cells_in_one_go(bare_copy, gpkg_validator):
    sup = find_actor(bare_copy, actor_of(bare_copy, "supervisor").name)
    cells = Project.open(bare_copy).read_layer("grid_cell")
    codes = cells["code"].iloc[:1000].tolist()
    due = dt.datetime(2025, 12, 5, 17, 0, tzinfo=BJ)
    edit = create_assignments(bare_copy, sup, codes, "patrol", due_at=due, notes="冬季禁煤巡查")
    ids = edit.created("assignment")
    assert len(ids) == 1000 == len(set(ids))
    table = Project.open(bare_copy).read_table("assignment")
    assert len(table) == 1000
    merged = table.merge(cells[["code", "inspector_uuid"]], left_on="cell_code", right_on="code")
    assert (merged["assignee_uuid"] == merged["inspector_uuid"]).all()  # default: the cell's inspector
    assert set(table["status"]) == {"assigned"} and set(table["notes"]) == {"冬季禁煤巡查"}
    assert (table["due_at"] == pd.Timestamp("2025-12-05T09:00:00Z")).all()
    with closing(sqlite3.connect(bare_copy)) as con:
        audited = con.execute("SELECT COUNT(*) FROM audit_log WHERE table_name='assignment' AND action='create' "
                              "AND user_name = ?", (sup.name,)).fetchone()[0]
    assert audited == 1000
    gpkg_validator(bare_copy)


def test_an_inspector_may_not_assign_and_nothing_is_written(bare_copy):
    ins = actor_of(bare_copy, "inspector")
    before = sha256(bare_copy)
    with pytest.raises(InvalidTransition, match="only a chief or supervisor or admin may assign"):
        create_assignments(bare_copy, ins, ["130110100001001"], "patrol")
    with pytest.raises(InvalidTransition, match="only a chief or supervisor or admin may create fire-point checks"):
        create_fire_checks(bare_copy, ins)
    assert sha256(bare_copy) == before


def test_unknown_cells_and_people_are_refused(bare_copy):
    sup = actor_of(bare_copy, "supervisor")
    before = sha256(bare_copy)
    with pytest.raises(StorageError, match="unknown cell code"):
        create_assignments(bare_copy, sup, ["999999999999999"], "patrol")
    with pytest.raises(StorageError, match="nobody called"):
        find_actor(bare_copy, "不存在的人")
    with pytest.raises(StorageError, match="unknown inspection kind"):
        create_assignments(bare_copy, sup, ["130110100001001"], "picnic")
    assert sha256(bare_copy) == before


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


def test_fire_point_checks_are_tasks_whose_result_flows_back(bare_copy, gpkg_validator):
    sup = actor_of(bare_copy, "supervisor")
    fires = Project.open(bare_copy).read_layer("fire_point")
    todo = fires[(fires["status"] == "unverified") & fires["cell_code"].notna()]
    edit = create_fire_checks(bare_copy, sup, deadline=dt.timedelta(hours=12), now=NOW)
    checks = queries.tasks(bare_copy, now=NOW)
    assert len(checks) == len(edit.created("assignment")) == todo.groupby(
        ["cell_code", todo["detected_local"].str[:10]]).ngroups
    assert set(checks["kind"]) == {"fire_check"} and checks["fire_count"].sum() == len(todo)
    assert (pd.to_datetime(checks["due_at"]) == pd.Timestamp(NOW + dt.timedelta(hours=12))).all()
    with pytest.raises(StorageError, match="no unverified fire points without a check"):
        create_fire_checks(bare_copy, sup, now=NOW)  # not twice for the same fire points

    check = checks.sort_values("fire_count").iloc[-1]
    inspector = Actor(check["assignee_uuid"], check["assignee_name"], "inspector")
    change_assignment(bare_copy, inspector, check["uuid"], "start", now=NOW)
    with pytest.raises(ValidationError, match="needs its result"):
        change_assignment(bare_copy, inspector, check["uuid"], "finish", now=NOW)
    change_assignment(bare_copy, inspector, check["uuid"], "finish", result="burning_confirmed", now=NOW)
    after = Project.open(bare_copy).read_layer("fire_point")
    mine = after[after["check_uuid"] == check["uuid"]]
    assert len(mine) == check["fire_count"] and set(mine["status"]) == {"burning_confirmed"}
    others = after[after["check_uuid"].notna() & (after["check_uuid"] != check["uuid"])]
    assert set(others["status"]) == {"unverified"}
    done = queries.tasks(bare_copy, now=NOW).set_index("uuid").loc[check["uuid"]]
    assert done["status"] == "done" and done["result"] == "burning_confirmed" and done["finished_at"]
    gpkg_validator(bare_copy)


def test_task_list_filters_mine_due_today_and_overdue(bare_copy):
    sup = actor_of(bare_copy, "supervisor")
    ins = actor_of(bare_copy, "inspector")
    mine = Project.open(bare_copy).read_layer("grid_cell").query("inspector_uuid == @ins.uuid")["code"].tolist()
    create_assignments(bare_copy, sup, mine[:2], "patrol", due_at=NOW + dt.timedelta(hours=3), now=NOW)
    create_assignments(bare_copy, sup, mine[2:3], "coal_ban", due_at=NOW - dt.timedelta(days=1), now=NOW)
    theirs = cell_of(bare_copy, actor_of(bare_copy, "inspector", 1))["code"]
    create_assignments(bare_copy, sup, [theirs], "mine", due_at=NOW + dt.timedelta(days=5), now=NOW)
    assert len(queries.tasks(bare_copy, assignee_uuid=ins.uuid, now=NOW)) == 3
    assert len(queries.tasks(bare_copy, assignee_uuid=ins.uuid, due_today=True, now=NOW)) == 2
    late = queries.tasks(bare_copy, overdue_only=True, now=NOW)
    assert late["kind"].tolist() == ["coal_ban"] and late["overdue"].all()
    assert queries.tasks(bare_copy, now=NOW)["overdue"].iloc[0]  # overdue first


@pytest.fixture
def started(bare_copy):
    """A supervisor assigns a coal-ban check; the cell's inspector starts it."""
    sup = actor_of(bare_copy, "supervisor")
    ins = actor_of(bare_copy, "inspector")
    cell = cell_of(bare_copy, ins)
    edit = create_assignments(bare_copy, sup, [cell["code"]], "coal_ban", due_at=NOW + dt.timedelta(days=1),
                              now=NOW - dt.timedelta(hours=2))
    task = edit.created("assignment")[0]
    change_assignment(bare_copy, ins, task, "start", now=NOW - dt.timedelta(hours=1))
    return bare_copy, sup, ins, cell, task


def test_the_closed_loop_with_photos_rejection_and_history(started, tmp_path, gpkg_validator):
    path, sup, ins, cell, task = started
    centre = cell.geometry.representative_point()
    evidence = make_photo(tmp_path / "IMG_0001.jpg", lon=centre.x, lat=centre.y, taken_local="2025:11:20 08:30:00")
    edit = record_finding(path, ins, assignment_uuid=task, category="scattered_coal", severity=2,
                          description="村东头小卖部散煤销售", longitude=centre.x, latitude=centre.y,
                          responsible_party="张三小卖部", photos=[evidence], now=NOW)
    fid = edit.created("finding")[0]
    assert edit.warnings == []
    # photos travel inside the project, byte for byte, with EXIF time and position
    photos = queries.attachments(path, fid, with_data=True)
    assert len(photos) == 1 and bytes(photos["data"][0]) == evidence.read_bytes()
    assert photos["taken_at"][0] == "2025-11-20T00:30:00.000Z"
    assert photos["longitude"][0] == pytest.approx(centre.x, abs=1e-5)
    assert photos["latitude"][0] == pytest.approx(centre.y, abs=1e-5)
    assert bytes(photos["thumbnail"][0])[:2] == b"\xff\xd8" and photos["flags"][0] is None

    other = actor_of(path, "inspector", 1)
    with pytest.raises(InvalidTransition, match="inspector may not assign"):
        change_finding(path, ins, fid, "assign", rectify_deadline=dt.date(2025, 11, 25))
    with pytest.raises(ValidationError, match="needs a rectification deadline"):
        change_finding(path, sup, fid, "assign", now=NOW)
    change_finding(path, sup, fid, "assign", rectify_deadline=dt.date(2025, 11, 25), now=NOW)
    after1 = make_photo(tmp_path / "after1.jpg", lon=centre.x, lat=centre.y, taken_local="2025:11:21 10:00:00")
    with pytest.raises(ValidationError, match="after-photo"):
        change_finding(path, ins, fid, "rectify", note="已清理", now=NOW)
    with pytest.raises(InvalidTransition, match="another inspector's cell"):
        change_finding(path, other, fid, "rectify", note="已清理", after_photos=[after1], now=NOW)
    change_finding(path, ins, fid, "rectify", note="散煤已清理", after_photos=[after1],
                   now=NOW + dt.timedelta(days=1, hours=2))
    with pytest.raises(InvalidTransition, match="may not verify"):
        change_finding(path, ins, fid, "verify", note="ok")  # not by the one who recorded the rectification
    with pytest.raises(ValidationError, match="needs a reason"):
        change_finding(path, sup, fid, "reject")
    change_finding(path, sup, fid, "reject", reason="现场仍有散煤堆放", now=NOW + dt.timedelta(days=2))
    with pytest.raises(InvalidTransition, match="cannot close a finding that is assigned"):
        change_finding(path, sup, fid, "close")
    after2 = make_photo(tmp_path / "after2.jpg", lon=centre.x, lat=centre.y, taken_local="2025:11:23 09:00:00")
    change_finding(path, ins, fid, "rectify", note="已全部清运", after_photos=[after2], now=NOW + dt.timedelta(days=3))
    change_finding(path, other, fid, "verify", note="复查无散煤", now=NOW + dt.timedelta(days=3, hours=4))
    with pytest.raises(InvalidTransition, match="inspector may not close"):
        change_finding(path, ins, fid, "close")
    change_finding(path, sup, fid, "close", now=NOW + dt.timedelta(days=4))

    row = queries.findings(path, now=NOW).set_index("uuid").loc[fid]
    assert row["status"] == "closed" and row["reject_count"] == 1 and row["reject_reason"] == "现场仍有散煤堆放"
    assert row["photo_count"] == 3
    hist = queries.history(path, fid)
    steps = hist[hist["table_name"] == "finding"]
    assert steps["action"].tolist() == ["create", "assign", "rectify", "reject", "rectify", "verify", "close"]
    assert [n.get("status") for n in steps["new"]] == ["found", "assigned", "rectified", "assigned", "rectified",
                                                       "verified", "closed"]
    assert steps["user_name"].tolist() == [ins.name, sup.name, ins.name, sup.name, ins.name, other.name, sup.name]
    assert steps["old"].iloc[3]["status"] == "rectified" and steps["details"].iloc[3] == "现场仍有散煤堆放"
    assert (hist["table_name"] == "attachment").sum() == 3
    gpkg_validator(path)


def test_locations_and_photos_away_from_the_cell_are_flagged(started, tmp_path):
    path, sup, ins, cell, task = started
    c = cell.geometry.representative_point()
    far = make_photo(tmp_path / "far.jpg", lon=c.x + 0.05, lat=c.y, taken_local="2025:11:20 08:40:00")
    old = make_photo(tmp_path / "old.jpg", lon=c.x, lat=c.y, taken_local="2025:10:01 08:40:00")
    bare = make_photo(tmp_path / "bare.jpg")
    outside = shapely.Point(c.x + 0.05, c.y)
    edit = record_finding(path, ins, assignment_uuid=task, category="open_burning", longitude=outside.x,
                          latitude=outside.y, photos=[far, old, bare], now=NOW)
    text = " ".join(edit.warnings)
    assert f"位置在网格 {cell['code']} 之外" in text
    assert "far.jpg" in text and "old.jpg" in text and "bare.jpg" not in text
    fid = edit.created("finding")[0]
    flags = dict(zip(queries.attachments(path, fid)["filename"], queries.attachments(path, fid)["flags"]))
    assert flags["far.jpg"].startswith("far_from_cell:") and int(flags["far.jpg"].split(":")[1]) > 3000
    assert flags["old.jpg"] == "outside_task_time"
    assert set(flags["bare.jpg"].split(",")) == {"no_time", "no_position"}
    row = queries.findings(path, now=NOW).set_index("uuid").loc[fid]
    assert row["location_note"].startswith(f"位置在网格 {cell['code']} 之外") and row["flagged_photos"] == 2
    assert row["longitude"] == pytest.approx(outside.x)


def test_inspectors_work_only_on_their_own_tasks(started, tmp_path):
    path, sup, ins, cell, task = started
    other = actor_of(path, "inspector", 1)
    before = sha256(path)
    c = cell.geometry.representative_point()
    with pytest.raises(InvalidTransition, match="assigned to someone else"):
        record_finding(path, other, assignment_uuid=task, category="other", longitude=c.x, latitude=c.y)
    with pytest.raises(InvalidTransition, match="assigned to someone else"):
        change_assignment(path, other, task, "finish")
    with pytest.raises(InvalidTransition, match="inspector may not cancel"):
        change_assignment(path, ins, task, "cancel", reason="x")
    with pytest.raises(InvalidTransition, match="recorded under a task"):
        record_finding(path, ins, cell_code=cell["code"], category="other", longitude=c.x, latitude=c.y)
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a photo")
    with pytest.raises(ValidationError, match="notes.jpg"):
        record_finding(path, ins, assignment_uuid=task, category="other", longitude=c.x, latitude=c.y, photos=[bad])
    assert sha256(path) == before


def test_undo_and_redo_restore_rows_and_refuse_when_changed_meanwhile(started, tmp_path, gpkg_validator):
    path, sup, ins, cell, task = started
    c = cell.geometry.representative_point()
    photo = make_photo(tmp_path / "p.jpg", lon=c.x, lat=c.y, taken_local="2025:11:20 08:40:00")
    edit = record_finding(path, ins, assignment_uuid=task, category="catering_fumes", longitude=c.x,
                          latitude=c.y, photos=[photo], now=NOW)
    fid = edit.created("finding")[0]
    undo(path, ins, edit)
    assert queries.findings(path).empty and queries.attachments(path, fid).empty
    redo(path, ins, edit)
    again = queries.findings(path)
    assert again["uuid"].tolist() == [fid] and len(queries.attachments(path, fid)) == 1
    assign = change_finding(path, sup, fid, "assign", rectify_deadline=dt.date(2025, 12, 1),
                            responsible_party="饭店", now=NOW)
    undo(path, sup, assign)
    assert queries.findings(path)["status"].tolist() == ["found"]
    redo(path, sup, assign)
    # someone else moves the finding on; undoing the stale edit must not overwrite it
    change_finding(path, ins, fid, "rectify", note="装了油烟净化器", after_photos=[photo], now=NOW)
    before = sha256(path)
    with pytest.raises(StorageError, match="changed meanwhile"):
        undo(path, sup, assign)
    assert sha256(path) == before
    hist = queries.history(path, fid)
    assert {"undo create", "redo create", "undo assign", "redo assign"} <= set(hist["action"])
    gpkg_validator(path)


def test_cancel_needs_a_reason_and_is_time_stamped(started):
    path, sup, ins, cell, task = started
    with pytest.raises(ValidationError, match="needs a reason"):
        change_assignment(path, sup, task, "cancel", now=NOW)
    change_assignment(path, sup, task, "cancel", reason="重复派发", now=NOW)
    row = queries.tasks(path, now=NOW).set_index("uuid").loc[task]
    assert row["status"] == "cancelled" and row["status_note"] == "重复派发" and not row["overdue"]
    assert queries.tasks(path, open_only=True, now=NOW).empty
    hist = queries.history(path, task)
    assert hist["action"].tolist() == ["create", "start", "cancel"]
    assert [h.get("status") for h in hist["new"]] == ["assigned", "in_progress", "cancelled"]


def test_finding_location_is_a_real_point_geometry(started):
    path, sup, ins, cell, task = started
    c = cell.geometry.representative_point()
    edit = record_finding(path, ins, assignment_uuid=task, category="fireworks", longitude=c.x, latitude=c.y, now=NOW)
    layer = Project.open(path).read_layer("finding")
    assert layer.crs.to_epsg() == 4490 and len(layer) == 1
    assert layer.geometry.iloc[0].equals_exact(c, 1e-9) and layer["uuid"].iloc[0] == edit.created("finding")[0]
    with closing(sqlite3.connect(path)) as con:
        blob = con.execute("SELECT geom FROM finding").fetchone()[0]
        in_index = con.execute("SELECT COUNT(*) FROM rtree_finding_geom").fetchone()[0]
    assert blob_to_geometry(blob).equals_exact(c, 1e-9) and in_index == 1


def test_findings_can_be_corrected_by_their_finder_then_by_supervisors(started):
    from gridwatch.storage.workflow import edit_finding

    path, sup, ins, cell, task = started
    c = cell.geometry.representative_point()
    fid = record_finding(path, ins, assignment_uuid=task, category="other", longitude=c.x, latitude=c.y,
                         description="散媒", now=NOW).created("finding")[0]
    edit_finding(path, ins, fid, description="散煤", category="scattered_coal", now=NOW)
    row = queries.findings(path).set_index("uuid").loc[fid]
    assert row["description"] == "散煤" and row["category"] == "scattered_coal"
    moved = edit_finding(path, ins, fid, longitude=c.x + 0.05, latitude=c.y, now=NOW)
    assert moved.warnings and "之外" in moved.warnings[0]
    change_finding(path, sup, fid, "assign", rectify_deadline=dt.date(2025, 12, 1), responsible_party="店主", now=NOW)
    with pytest.raises(InvalidTransition, match="only correct findings they recorded, before"):
        edit_finding(path, ins, fid, severity=3)
    edit_finding(path, sup, fid, severity=3, responsible_party="店主王某", now=NOW)
    with pytest.raises(ValidationError, match="cannot edit status"):
        edit_finding(path, sup, fid, status="closed")
    hist = queries.history(path, fid)
    edits = hist[hist["action"] == "edit"]
    assert len(edits) == 3 and edits["old"].iloc[0]["description"] == "散媒" and edits["new"].iloc[0]["description"] == "散煤"


def test_only_administrators_manage_people_and_the_grid(bare_copy, gpkg_validator):
    from gridwatch.storage.workflow import save_person, set_cell_inspector

    admin = actor_of(bare_copy, "admin")
    sup = actor_of(bare_copy, "supervisor")
    ins = actor_of(bare_copy, "inspector")
    before = sha256(bare_copy)
    with pytest.raises(InvalidTransition, match="only an admin may manage people"):
        save_person(bare_copy, sup, name="新人", role="inspector")
    with pytest.raises(InvalidTransition, match="only an admin may change who is responsible"):
        set_cell_inspector(bare_copy, sup, ["130110100001001"], ins.uuid)
    assert sha256(bare_copy) == before
    new = save_person(bare_copy, admin, name="李新", role="inspector", phone="13800000000").created("inspector")[0]
    with pytest.raises(ValidationError, match="already active"):
        save_person(bare_copy, admin, name="李新", role="inspector")
    mine = Project.open(bare_copy).read_layer("grid_cell").query("inspector_uuid == @ins.uuid")["code"].tolist()[:3]
    moved = set_cell_inspector(bare_copy, admin, mine, new)
    cells = Project.open(bare_copy).read_layer("grid_cell").set_index("code")
    assert (cells.loc[mine, "inspector_uuid"] == new).all()
    with pytest.raises(ValidationError, match="inspector of 3 cells"):
        save_person(bare_copy, admin, name="李新", role="inspector", active=False, person_uuid=new)
    undo(bare_copy, admin, moved)
    cells = Project.open(bare_copy).read_layer("grid_cell").set_index("code")
    assert (cells.loc[mine, "inspector_uuid"] == ins.uuid).all()
    save_person(bare_copy, admin, name="李新", role="inspector", active=False, person_uuid=new)
    with pytest.raises(StorageError, match="nobody called"):
        find_actor(bare_copy, "李新")  # deactivated people cannot act, but stay in the history
    assert "李新" in set(Project.open(bare_copy).read_table("inspector")["name"])
    gpkg_validator(bare_copy)


def test_fire_check_preview_limits_and_recent_only(bare_copy):
    from gridwatch.storage.workflow import fire_check_preview

    sup = actor_of(bare_copy, "supervisor")
    fires = Project.open(bare_copy).read_layer("fire_point")
    todo = fires[(fires["status"] == "unverified") & fires["cell_code"].notna()]
    points, checks = fire_check_preview(bare_copy)
    assert points == len(todo) and checks == todo.groupby(["cell_code", todo["detected_local"].str[:10]]).ngroups
    before = sha256(bare_copy)
    with pytest.raises(ValidationError, match=f"would make {checks:,} checks"):
        create_fire_checks(bare_copy, sup, max_checks=3)
    assert sha256(bare_copy) == before
    last = pd.to_datetime(todo["detected_utc"]).max()
    since = (last - pd.Timedelta(days=2)).to_pydatetime()
    recent = todo[pd.to_datetime(todo["detected_utc"]) >= last - pd.Timedelta(days=2)]
    p, c = fire_check_preview(bare_copy, since=since)
    assert p == len(recent) and 0 < p < points
    edit = create_fire_checks(bare_copy, sup, since=since)
    assert len(edit.created("assignment")) == c
    assert fire_check_preview(bare_copy, since=since) == (0, 0)


def test_assigning_every_cell_then_undoing_keeps_the_geopackage_feature_counts(bare_copy, gpkg_validator,
                                                                               monkeypatch):
    # A big edit sets GDAL's per-row feature-count triggers aside and counts once (storage.gpkg.counted_once):
    # the counts QGIS and GDAL read stay right, and the triggers are back as they were.
    def state():
        with closing(sqlite3.connect(bare_copy)) as con:
            triggers = sorted(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
            counts = dict(con.execute("SELECT table_name, feature_count FROM gpkg_ogr_contents "
                                      "WHERE table_name IN ('assignment', 'audit_log')").fetchall())
            rows = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("assignment", "audit_log")}
        return triggers, counts, rows

    from gridwatch.storage import edits

    bulk_tables = []
    real = edits.counted_once

    def counted(con, tables):
        bulk_tables.append(sorted(tables))
        return real(con, tables)

    monkeypatch.setattr(edits, "counted_once", counted)
    triggers_before, _, _ = state()
    sup = find_actor(bare_copy, actor_of(bare_copy, "supervisor").name)
    codes = Project.open(bare_copy).read_layer("grid_cell")["code"].tolist()
    assert len(codes) >= 2000
    edit = create_assignments(bare_copy, sup, codes, "coal_ban")
    triggers, counts, rows = state()
    assert triggers == triggers_before and counts == rows and rows["assignment"] == len(codes)
    undo(bare_copy, sup, edit)
    triggers, counts, rows = state()
    assert triggers == triggers_before and counts == rows and rows["assignment"] == 0
    assert bulk_tables == [["assignment", "audit_log"]] * 2  # both big edits counted once
    # A later single-row edit is counted by the triggers again.
    create_assignments(bare_copy, sup, codes[:1], "patrol")
    _, counts, rows = state()
    assert counts == rows and rows["assignment"] == 1
    gpkg_validator(bare_copy)


def test_undoing_a_bulk_assignment_restores_exactly_the_tasks_before_and_the_audit_says_so(bare_copy,
                                                                                        gpkg_validator):
    # A big edit writes its rows with the table's other indexes set aside and built again at the end
    # (storage.edits.indexes_rebuilt): the tasks, their audit rows and every index must come out exactly right.
    sup = find_actor(bare_copy, actor_of(bare_copy, "supervisor").name)
    codes = Project.open(bare_copy).read_layer("grid_cell")["code"].tolist()
    earlier = create_assignments(bare_copy, sup, codes[:3], "patrol", now=NOW)

    def snapshot():
        with closing(sqlite3.connect(bare_copy)) as con:
            rows = con.execute("SELECT * FROM assignment ORDER BY uuid").fetchall()
            indexes = sorted(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                         "AND tbl_name IN ('assignment', 'audit_log')").fetchall())
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # every index agrees with its table
        return rows, indexes

    rows_before, indexes_before = snapshot()
    edit = create_assignments(bare_copy, sup, codes, "coal_ban", now=NOW)
    created = edit.created("assignment")
    assert len(created) == len(codes) == len(set(created)) and not set(created) & set(earlier.created("assignment"))
    rows_during, indexes = snapshot()
    assert indexes == indexes_before and len(rows_during) == len(codes) + 3
    with closing(sqlite3.connect(bare_copy)) as con:  # the cell and inspector of each task, found through indexes
        by_cell = con.execute("SELECT COUNT(*) FROM assignment INDEXED BY idx_assignment_cell_code "
                              "WHERE cell_code = ?", (codes[0],)).fetchone()[0]
        assert by_cell == 2  # the earlier patrol and the coal-ban check
    undo(bare_copy, sup, edit)
    rows_after, indexes = snapshot()
    assert rows_after == rows_before and indexes == indexes_before
    with closing(sqlite3.connect(bare_copy)) as con:
        audit = pd.read_sql("SELECT action, table_name, row_uuid, old_values, new_values FROM audit_log", con)
    made = audit[audit["action"] == "create"]
    unmade = audit[audit["action"] == "undo create"]
    assert set(made["row_uuid"]) == set(created) | set(earlier.created("assignment"))
    assert set(unmade["row_uuid"]) == set(created) and len(unmade) == len(codes)
    assert unmade["new_values"].isna().all() and made["old_values"].isna().all()
    one = unmade.set_index("row_uuid").loc[created[0]]
    import json

    gone = json.loads(one["old_values"])  # the task as it was when undone, every field
    assert gone["uuid"] == created[0] and gone["cell_code"] == codes[0] and gone["kind"] == "coal_ban"
    assert gone["status"] == "assigned" and gone["created_by"] == sup.uuid
    assert json.loads(made.set_index("row_uuid").loc[created[0], "new_values"]) == gone
    gpkg_validator(bare_copy)


def test_audit_values_name_blobs_by_size_and_new_uuids_are_version_4():
    import uuid

    from gridwatch.storage.edits import _audit_json, new_uuids

    row = {"uuid": "u1", "geom": b"GP\x00\x01" + bytes(25), "photo": memoryview(b"abc"), "note": "整改完成"}
    assert _audit_json(row, list(row)) == '{"uuid": "u1", "geom": "<29 bytes>", "photo": "<3 bytes>", "note": "整改完成"}'
    assert _audit_json(row, ["note", "geom"]) == '{"note": "整改完成", "geom": "<29 bytes>"}'
    made = new_uuids(500)
    assert len(set(made)) == 500 and all(str(uuid.UUID(u)) == u and uuid.UUID(u).version == 4 for u in made)
    assert new_uuids(0) == []
