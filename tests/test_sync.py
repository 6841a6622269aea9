"""Sync between laptops' working copies and a shared project: merges, conflicts, roles, crashes."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pygeodiff
import pytest

from gridwatch.errors import SyncError
from gridwatch.storage import Project, queries
from gridwatch.storage.workflow import (
    Actor,
    change_assignment,
    change_finding,
    create_assignments,
    record_finding,
    set_cell_inspector,
)
from gridwatch.sync import checkout, engine, finish, read_lock, sharelog, sync, sync_dir
from gridwatch.sync.engine import compact_shared
from gridwatch.sync.lock import SharedLock

from .conftest import clear_work, make_photo, sha256

NOW = dt.datetime(2025, 11, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


# --- pygeodiff's own merge fixtures ----------------------------------------------------------------


def _rows(path: Path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as con:
        return con.execute("SELECT fid, name, rating FROM simple ORDER BY fid").fetchall()


@pytest.mark.parametrize("case, a, b, merged", [
    ("2_inserts", "inserted_1_A", "inserted_1_B", "merged_1_A_1_B"),
    ("2_updates_2", "updated_A", "updated_B", "merged_A_B"),
    ("2_updates", "updated_A", "updated_B", "merged_1_A_1_B"),
    ("2_deletes", "deleted_A", "deleted_B", "merged_A_B"),
])
def test_geodiff_fixtures_give_their_expected_merges(tmp_path, realdata, case, a, b, merged):
    root = realdata / "sync-geodiff"
    mine = tmp_path / "mine.gpkg"
    shutil.copyfile(root / case / f"{b}.gpkg", mine)
    pygeodiff.GeoDiff().rebase(str(root / "base.gpkg"), str(root / case / f"{a}.gpkg"), str(mine),
                               str(tmp_path / "c.json"))
    assert _rows(mine) == _rows(root / case / f"{merged}.gpkg")
    assert (tmp_path / "c.json").exists() == (case == "2_updates")  # same column both sides: one conflict


def test_geodiff_delete_against_update_keeps_the_delete_and_reports_it(tmp_path, realdata):
    root = realdata / "sync-geodiff"
    mine = tmp_path / "mine.gpkg"
    shutil.copyfile(root / "delete_update" / "updated_B.gpkg", mine)
    pygeodiff.GeoDiff().rebase(str(root / "base.gpkg"), str(root / "delete_update" / "deleted_A.gpkg"), str(mine),
                               str(tmp_path / "c.json"))
    theirs = {r[0] for r in _rows(root / "delete_update" / "deleted_A.gpkg")}
    assert {r[0] for r in _rows(mine)} == theirs


# --- GridWatch sync ---------------------------------------------------------------------------------


def people(path):
    return Project.open(path).read_table("inspector")


def actor(path, role, n=0) -> Actor:
    row = people(path).query("role == @role").iloc[n]
    return Actor(row["uuid"], row["name"], role)


@pytest.fixture
def office(tmp_path, sample_path, monkeypatch):
    """A shared folder with the district project, and laptops checked out from it.

    Every sync folds the change log into the shared GeoPackage here, so the tests can read the
    shared file itself; the change log between compactions has tests of its own."""
    monkeypatch.setattr(engine, "COMPACT_AFTER", 0)
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)
    clear_work(shared)  # the tests count the syncs, tasks and conflicts they make

    def laptop(name: str, user: str) -> Path:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        return checkout(shared, folder / "project.gpkg", user)

    return shared, laptop


def inspector_with_cell(path):
    cells = Project.open(path).read_layer("grid_cell")
    cell = cells.iloc[10]
    row = people(path).set_index("uuid").loc[cell["inspector_uuid"]]
    return Actor(cell["inspector_uuid"], row["name"], "inspector"), cell


def test_checkout_then_edits_travel_both_ways_with_photos(office, tmp_path, gpkg_validator):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    ins, cell = inspector_with_cell(shared)
    office_pc = laptop("office", sup.name)
    field_pc = laptop("field", ins.name)
    task = create_assignments(office_pc, sup, [cell["code"]], "coal_ban", now=NOW).created("assignment")[0]
    r1 = sync(office_pc)
    assert r1.sent >= 2 and r1.refused == 0 and r1.conflicts == 0  # task + audit row
    r2 = sync(field_pc)
    assert r2.received >= 2
    assert task in set(queries.tasks(field_pc)["uuid"])
    change_assignment(field_pc, ins, task, "start", now=NOW)
    c = cell.geometry.representative_point()
    photo = make_photo(tmp_path / "p.jpg", lon=c.x, lat=c.y, taken_local="2025:11:20 09:10:00")
    fid = record_finding(field_pc, ins, assignment_uuid=task, category="scattered_coal", longitude=c.x,
                         latitude=c.y, photos=[photo], now=NOW).created("finding")[0]
    sync(field_pc)
    sync(office_pc)
    got = queries.attachments(office_pc, fid, with_data=True)
    assert len(got) == 1 and bytes(got["data"][0]) == photo.read_bytes()  # photos travel with findings
    with closing(sqlite3.connect(shared)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        log = con.execute("SELECT user_name, sent FROM sync_log ORDER BY at").fetchall()
    assert [u for u, _ in log] == [sup.name, ins.name, ins.name, sup.name]
    assert read_lock(shared) is None
    gpkg_validator(shared)
    gpkg_validator(office_pc)


def test_same_field_conflict_status_moves_forward_and_is_recorded(office):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    sup2 = actor(shared, "supervisor", 1)
    ins, cell = inspector_with_cell(shared)
    a, b, f = laptop("a", sup.name), laptop("b", sup2.name), laptop("f", ins.name)
    task = create_assignments(a, sup, [cell["code"]], "patrol", now=NOW).created("assignment")[0]
    sync(a)
    sync(f)
    change_assignment(f, ins, task, "start", now=NOW)
    c = cell.geometry.representative_point()
    fid = record_finding(f, ins, assignment_uuid=task, category="other", longitude=c.x, latitude=c.y,
                         responsible_party="某店", rectify_deadline=dt.date(2025, 12, 1), now=NOW).created("finding")[0]
    sync(f)
    sync(a)
    sync(b)
    # both supervisors act on the same finding offline: one assigns it, the other corrects its description
    change_finding(a, sup, fid, "assign", now=NOW + dt.timedelta(hours=1))
    from gridwatch.storage.workflow import edit_finding

    edit_finding(b, sup2, fid, description="改过的描述", now=NOW + dt.timedelta(hours=2))
    sync(a)
    report = sync(b)
    row = queries.findings(shared).set_index("uuid").loc[fid]
    assert row["status"] == "assigned"  # the step taken on a is not undone by b's later edit
    assert row["description"] == "改过的描述"  # different columns merge
    # only the bookkeeping time stamp clashed: settled (later edit), nothing for a reviewer
    assert report.conflicts == 0
    with closing(sqlite3.connect(shared)) as con:
        assert con.execute("SELECT COUNT(*) FROM sync_conflict WHERE row_uuid = ?", (fid,)).fetchone()[0] == 0
    sync(a)
    assert sha_tables(a) == sha_tables(shared) == sha_tables(b)


def sha_tables(path):
    with closing(sqlite3.connect(path)) as con:
        out = {}
        for t in ("assignment", "finding", "attachment", "inspection", "fire_point", "sync_conflict"):
            out[t] = sorted(con.execute("SELECT uuid, * FROM " + t).fetchall(), key=lambda r: r[0])
            out[t] = [r[:1] + r[2:] for r in out[t]]  # fids may differ between copies
    return out


def test_refused_edits_stay_on_the_laptop(office):
    shared, laptop = office
    ins, cell = inspector_with_cell(shared)
    f = laptop("f", ins.name)
    before = sha256(shared)
    # an inspector edits the grid itself on their copy (e.g. with a script): refused at sync
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    with closing(connect_readwrite(f)) as con, transaction(con):
        con.execute("UPDATE township SET name = name || '（改）' WHERE fid = 1")
    report = sync(f)
    assert report.refused == 1 and "only an administrator may change township" in report.messages[0]
    with closing(sqlite3.connect(shared)) as con:
        assert not con.execute("SELECT COUNT(*) FROM township WHERE name LIKE '%（改）'").fetchone()[0]
    with closing(sqlite3.connect(f)) as con:
        assert con.execute("SELECT COUNT(*) FROM township WHERE name LIKE '%（改）'").fetchone()[0] == 1
    assert sha256(shared) != before  # the sync itself is recorded
    again = sync(f)
    assert again.refused == 1  # still refused, still kept


def test_admin_changes_to_the_grid_reach_everyone(office):
    shared, laptop = office
    admin = actor(shared, "admin")
    ins, cell = inspector_with_cell(shared)
    other = actor(shared, "inspector", 3)
    a, f = laptop("a", admin.name), laptop("f", ins.name)
    set_cell_inspector(a, admin, [cell["code"]], other.uuid)
    assert sync(a).refused == 0
    sync(f)
    cells = Project.open(f).read_layer("grid_cell").set_index("code")
    assert cells.loc[cell["code"], "inspector_uuid"] == other.uuid


@pytest.mark.parametrize("compact_after", [0, 100], ids=["compact-every-sync", "change-log"])
def test_a_sync_killed_before_or_after_its_change_lands_finishes_next_time(office, monkeypatch, compact_after):
    shared, laptop = office
    monkeypatch.setattr(engine, "COMPACT_AFTER", compact_after)
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    codes = Project.open(a).read_layer("grid_cell")["code"].iloc[:3].tolist()
    create_assignments(a, sup, codes, "patrol", now=NOW)
    shared_before = sha256(shared)
    real_replace = os.replace
    log = sharelog.log_dir(shared)

    def dying_replace(src, dst):
        if Path(dst).parent == log or Path(dst) == shared:
            raise KeyboardInterrupt("killed")  # stands for SIGKILL at the worst moment
        return real_replace(src, dst)

    monkeypatch.setattr(engine.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        sync(a, stale_after=0.5)
    monkeypatch.setattr(engine.os, "replace", real_replace)
    assert sha256(shared) == shared_before and sharelog.entries(shared) == []  # exactly before
    assert len(queries.tasks(a)) == 3  # the laptop's edits are intact
    report = sync(a, stale_after=0.5, lock_wait=5)
    compact_shared(shared)
    assert report.recovered and len(queries.tasks(shared)) == 3

    # killed right after the change landed, before the laptop was updated
    create_assignments(a, sup, codes[:1], "mine", now=NOW)

    def dying_finish(lp, state):
        raise KeyboardInterrupt("killed after upload")

    monkeypatch.setattr(engine, "_finish_any", dying_finish)
    with pytest.raises(KeyboardInterrupt):
        sync(a)
    monkeypatch.setattr(engine, "_finish_any", _real_finish_any)
    assert compact_shared(shared) == 1
    assert len(queries.tasks(shared)) == 4  # exactly after
    report = sync(a)
    assert report.recovered and report.sent == 0  # nothing sent twice
    compact_shared(shared)
    assert len(queries.tasks(shared)) == 4 == len(queries.tasks(a))
    assert sha_tables(a) == sha_tables(shared)
    with closing(sqlite3.connect(shared)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*) FROM assignment GROUP BY uuid HAVING COUNT(*) > 1").fetchall() == []

    # killed while folding the log into the shared file: before or after, never half
    monkeypatch.setattr(engine, "COMPACT_AFTER", 0)
    create_assignments(a, sup, codes[1:2], "mine", now=NOW)
    before = sha256(shared)
    monkeypatch.setattr(engine.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        compact_shared(shared)  # nothing to fold yet: returns before replacing anything
        sync(a, stale_after=0.5)
    monkeypatch.setattr(engine.os, "replace", real_replace)
    assert sha256(shared) == before
    sync(a, stale_after=0.5, lock_wait=5)
    assert len(queries.tasks(shared)) == 5 == len(queries.tasks(a))


_real_finish_any = engine._finish_any


def test_locks_wait_and_stale_ones_are_taken_over(office):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    held = SharedLock(shared, "someone")
    held.acquire()
    try:
        with pytest.raises(SyncError, match="another sync is running .someone"):
            sync(a, lock_wait=0.5)
    finally:
        held.release()
    # a lock left by a killed sync: its heartbeat stops and it turns stale
    dead = SharedLock(shared, "killed")
    dead._try_create()
    old = os.path.getmtime(dead.path) - 600
    os.utime(dead.path, (old, old))
    report = sync(a, lock_wait=5)
    assert report.refused == 0 and read_lock(shared) is None


def test_the_shared_folder_vanishing_leaves_everything_safe(office):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    create_assignments(a, sup, ["130110100001001"], "patrol", now=NOW)
    moved = shared.parent.with_name("share-offline")
    shared.parent.rename(moved)
    with pytest.raises(SyncError, match="not reachable; your edits are safe"):
        sync(a)
    moved.rename(shared.parent)
    assert len(queries.tasks(a)) == 1
    assert sync(a).sent >= 1 and len(queries.tasks(shared)) == 1


def test_checkout_refuses_unknown_users_and_existing_files(office, tmp_path):
    shared, laptop = office
    with pytest.raises(SyncError, match="nobody called '路人'"):
        checkout(shared, tmp_path / "x.gpkg", "路人")
    assert not (tmp_path / "x.gpkg").exists() and not sync_dir(tmp_path / "x.gpkg").exists()
    existing = tmp_path / "y.gpkg"
    existing.write_bytes(b"mine")
    with pytest.raises(SyncError, match="exists already"):
        checkout(shared, existing, actor(shared, "supervisor").name)
    assert existing.read_bytes() == b"mine"


def test_verify_against_reject_offline_keeps_the_step_further_along_and_records_the_other(office, tmp_path):
    shared, laptop = office
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    ins, cell = inspector_with_cell(shared)
    a, b, f = laptop("a", sup.name), laptop("b", sup2.name), laptop("f", ins.name)
    task = create_assignments(a, sup, [cell["code"]], "patrol", now=NOW).created("assignment")[0]
    sync(a)
    sync(f)
    change_assignment(f, ins, task, "start", now=NOW)
    c = cell.geometry.representative_point()
    fid = record_finding(f, ins, assignment_uuid=task, category="other", longitude=c.x, latitude=c.y,
                         responsible_party="某店", rectify_deadline=dt.date(2025, 12, 1), now=NOW).created("finding")[0]
    sync(f)
    sync(a)
    change_finding(a, sup, fid, "assign", now=NOW)
    sync(a)
    sync(f)
    after = make_photo(tmp_path / "after.jpg", lon=c.x, lat=c.y)
    change_finding(f, ins, fid, "rectify", note="已整改", after_photos=[after], now=NOW + dt.timedelta(hours=1))
    sync(f)
    sync(a)
    sync(b)
    # offline, the same afternoon: a verifies, b (later) rejects
    change_finding(a, sup, fid, "verify", note="现场已整改", now=NOW + dt.timedelta(hours=3))
    change_finding(b, sup2, fid, "reject", reason="照片不清楚", now=NOW + dt.timedelta(hours=4))
    sync(a)
    report = sync(b)
    assert report.conflicts >= 1
    row = queries.findings(shared).set_index("uuid").loc[fid]
    assert row["status"] == "verified"  # a finding's status only moves forward
    with closing(sqlite3.connect(shared)) as con:
        got = dict(con.execute("SELECT column_name, other_value FROM sync_conflict WHERE row_uuid = ? AND rule = ?",
                               (fid, "status only moves forward")).fetchall())
    assert got["status"] == '"assigned"' and got["reject_reason"] == '"照片不清楚"'
    assert row["reject_reason"] is None and row["reject_count"] == 0 and row["verify_note"] == "现场已整改"
    sync(a)
    sync(f)
    assert sha_tables(a) == sha_tables(b) == sha_tables(f) == sha_tables(shared)


def test_a_supervisor_restores_an_overridden_value(office):
    from gridwatch.storage.workflow import edit_finding
    from gridwatch.sync.conflicts import conflicts, review_conflict

    shared, laptop = office
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    ins, cell = inspector_with_cell(shared)
    a, b = laptop("a", sup.name), laptop("b", sup2.name)
    c = cell.geometry.representative_point()
    fid = record_finding(a, sup, cell_code=cell["code"], category="other", longitude=c.x, latitude=c.y,
                         description="原描述", now=NOW).created("finding")[0]
    sync(a)
    sync(b)
    edit_finding(a, sup, fid, description="A 的描述", now=NOW + dt.timedelta(hours=1))
    edit_finding(b, sup2, fid, description="B 的描述", now=NOW + dt.timedelta(hours=2))
    sync(a)
    sync(b)  # b's edit is later: it wins; a's is recorded
    sync(a)
    assert queries.findings(a).set_index("uuid").loc[fid, "description"] == "B 的描述"
    open_ = conflicts(a)
    row = open_[open_["column_name"] == "description"].iloc[0]
    assert row["rule"] == "the later edit wins" and "A 的描述" in row["other_value"]
    with pytest.raises(Exception, match="only a supervisor or admin reviews"):
        review_conflict(a, ins, row["uuid"], "restore")
    review_conflict(a, sup, row["uuid"], "restore")
    assert queries.findings(a).set_index("uuid").loc[fid, "description"] == "A 的描述"
    assert conflicts(a, status="restored")["uuid"].tolist() == [row["uuid"]]
    sync(a)
    sync(b)
    assert queries.findings(b).set_index("uuid").loc[fid, "description"] == "A 的描述"


def test_cli_checkout_sync_and_conflicts(office, tmp_path, capsys, monkeypatch):
    from gridwatch.cli import main

    shared, laptop = office
    sup = actor(shared, "supervisor")
    local = tmp_path / "cli" / "p.gpkg"
    local.parent.mkdir()
    assert main(["checkout", str(shared), str(local), "--user", sup.name]) == 0
    assert "checked out" in capsys.readouterr().out
    create_assignments(local, sup, ["130110100001001"], "patrol", now=NOW)
    assert main(["sync", str(local), "--json"]) == 0
    import json

    report = json.loads(capsys.readouterr().out)
    assert report["sent"] >= 2 and report["refused"] == 0
    assert main(["conflicts", str(shared)]) == 0
    assert "0 conflict(s)" in capsys.readouterr().out
    assert main(["sync", str(tmp_path / "nothing.gpkg")]) == 2
    assert "not a working copy" in capsys.readouterr().err
    # between compactions the sync lands in the change log; `gridwatch compact` folds it in
    monkeypatch.setattr(engine, "COMPACT_AFTER", 100)
    create_assignments(local, sup, ["130110100001002"], "patrol", now=NOW)
    assert main(["sync", str(local)]) == 0
    assert "130110100001002" not in set(queries.tasks(shared)["cell_code"])
    capsys.readouterr()
    assert main(["compact", str(shared)]) == 0
    assert "1 synced change(s) folded in" in capsys.readouterr().out
    assert "130110100001002" in set(queries.tasks(shared)["cell_code"])
    assert main(["compact", str(shared)]) == 0 and "already holds every sync" in capsys.readouterr().out


def test_syncs_compare_only_the_tables_that_changed(office):
    """Triggers record which tables a laptop edited; sync_log says which tables each sync changed."""
    shared, laptop = office
    sup = actor(shared, "supervisor")
    a, b = laptop("a", sup.name), laptop("b", actor(shared, "supervisor", 1).name)
    assert engine.dirty_tables(a) == set()
    create_assignments(a, sup, ["130110100001001"], "patrol", now=NOW)
    assert engine.dirty_tables(a) == {"assignment", "audit_log"}
    sync(a)
    assert engine.dirty_tables(a) == set()
    with closing(sqlite3.connect(shared)) as con:
        tables = con.execute("SELECT tables_changed FROM sync_log").fetchone()[0]
    assert set(json.loads(tables)) == {"assignment", "audit_log", "sync_log"}
    # an edit made outside GridWatch (a script) is tracked by the triggers as well
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    with closing(connect_readwrite(b)) as con, transaction(con):
        con.execute("UPDATE mine SET operator = '某矿业公司' WHERE fid = 1")
    assert engine.dirty_tables(b) == {"mine"}
    report = sync(b)
    assert report.sent == 1 and report.received == 2  # a's task and its audit row came in
    with closing(sqlite3.connect(shared)) as con:
        assert con.execute("SELECT operator FROM mine WHERE fid = 1").fetchone()[0] == "某矿业公司"
        assert con.execute("SELECT COUNT(*) FROM assignment").fetchone()[0] == 1


def test_an_edit_against_a_delete_never_lands_on_another_row(office):
    """A finding deleted on one laptop (undo) while assigned on another; meanwhile a third laptop's new
    finding may take the deleted one's fid in the shared file.  The assignment must not land on it."""
    from gridwatch.storage.workflow import undo

    shared, laptop = office
    sup = actor(shared, "supervisor")
    ins, cell = inspector_with_cell(shared)
    cells = Project.open(shared).read_layer("grid_cell")
    other_cell = cells[cells["inspector_uuid"] != ins.uuid].iloc[0]
    row = people(shared).set_index("uuid").loc[other_cell["inspector_uuid"]]
    ins2 = Actor(other_cell["inspector_uuid"], row["name"], "inspector")
    s, i, u = laptop("s", sup.name), laptop("i", ins.name), laptop("u", ins2.name)
    tasks = create_assignments(s, sup, [cell["code"], other_cell["code"]], "patrol", now=NOW).created("assignment")
    sync(s)
    sync(i)
    sync(u)
    change_assignment(i, ins, tasks[0], "start", now=NOW)
    change_assignment(u, ins2, tasks[1], "start", now=NOW)
    c = cell.geometry.representative_point()
    made = record_finding(i, ins, assignment_uuid=tasks[0], category="other", longitude=c.x, latitude=c.y, now=NOW)
    x = made.created("finding")[0]
    sync(i)
    sync(s)  # the supervisor now has X
    undo(i, ins, made)  # the inspector takes X back
    sync(i)
    c2 = other_cell.geometry.representative_point()
    z = record_finding(u, ins2, assignment_uuid=tasks[1], category="fireworks", longitude=c2.x, latitude=c2.y,
                       description="Z 的描述", now=NOW).created("finding")[0]
    sync(u)
    change_finding(s, sup, x, "assign", rectify_deadline=dt.date(2025, 12, 24), responsible_party="X 的责任方",
                   now=NOW + dt.timedelta(hours=1))
    sync(s)
    found = queries.findings(shared).set_index("uuid")
    assert x not in found.index  # the delete stands
    assert found.loc[z, "status"] == "found" and found.loc[z, "responsible_party"] is None
    assert found.loc[z, "description"] == "Z 的描述" and found.loc[z, "category"] == "fireworks"
    with closing(sqlite3.connect(shared)) as con:
        kept = con.execute("SELECT COUNT(*) FROM sync_conflict WHERE row_uuid = ?", (x,)).fetchone()[0]
    assert kept >= 1  # the assignment is recorded, not silently dropped


def test_roles_at_sync_come_from_the_shared_project_not_the_laptop(office):
    """An inspector who edits their own role, or moves another cell's finding into their cell, is refused."""
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    shared, laptop = office
    sup = actor(shared, "supervisor")
    ins, cell = inspector_with_cell(shared)
    cells = Project.open(shared).read_layer("grid_cell")
    foreign = cells[cells["inspector_uuid"] != ins.uuid].iloc[0]
    s, f = laptop("s", sup.name), laptop("f", ins.name)
    c = foreign.geometry.representative_point()
    fid = record_finding(s, sup, cell_code=foreign["code"], category="other", longitude=c.x, latitude=c.y,
                         description="别人的问题", now=NOW).created("finding")[0]
    sync(s)
    sync(f)
    with closing(connect_readwrite(f)) as con, transaction(con):
        con.execute("UPDATE inspector SET role = 'admin' WHERE uuid = ?", (ins.uuid,))
        con.execute("UPDATE township SET name = name || '（改）' WHERE fid = 1")
        con.execute("UPDATE finding SET description = '改了', cell_code = ? WHERE uuid = ?", (cell["code"], fid))
    report = sync(f)
    assert report.refused == 3
    with closing(sqlite3.connect(shared)) as con:
        assert con.execute("SELECT role FROM inspector WHERE uuid = ?", (ins.uuid,)).fetchone()[0] == "inspector"
        assert not con.execute("SELECT COUNT(*) FROM township WHERE name LIKE '%（改）'").fetchone()[0]
        assert con.execute("SELECT description FROM finding WHERE uuid = ?", (fid,)).fetchone()[0] == "别人的问题"


def test_an_interrupted_sync_waits_for_the_share_instead_of_forgetting(office, monkeypatch):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    create_assignments(a, sup, ["130110100001001"], "patrol", now=NOW)
    real = sharelog.append

    def share_drops(*args, **kwargs):
        real(*args, **kwargs)
        raise OSError("share dropped right after the upload")

    monkeypatch.setattr(sharelog, "append", share_drops)
    with pytest.raises(OSError):
        sync(a)
    monkeypatch.setattr(sharelog, "append", real)
    moved = shared.parent.with_name("share-away")
    shared.parent.rename(moved)
    with pytest.raises(SyncError, match="interrupted sync will be finished"):
        sync(a)
    moved.rename(shared.parent)
    (shared.parent / (shared.name + ".lock")).unlink(missing_ok=True)  # the dead sync's lock
    report = sync(a)
    assert report.recovered and report.sent == 0
    assert len(queries.tasks(shared)) == 1 == len(queries.tasks(a))


# --- the shared change log between compactions ---------------------------------------------------------


@pytest.mark.parametrize("copy_base_above", [0, 2000], ids=["base copied from the laptop", "base patched"])
def test_between_compactions_a_sync_writes_one_small_change_file_and_everyone_converges(office, monkeypatch,
                                                                                        copy_base_above):
    """Change-log mode: the shared GeoPackage is not rewritten; each sync adds one small file; new rows
    made on two laptops at once (same fids) and edits of the same rows in other columns merge; a
    checkout made meanwhile sees everything; a compaction folds it all into the shared file."""
    shared, laptop = office
    monkeypatch.setattr(engine, "COMPACT_AFTER", 100)
    monkeypatch.setattr(finish, "COPY_BASE_ABOVE", copy_base_above)
    copies = []
    real_copy = finish._copy_base
    monkeypatch.setattr(finish, "_copy_base", lambda *args: copies.append(real_copy(*args)) or copies[-1])
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    ins, cell = inspector_with_cell(shared)
    a, b, f = laptop("a", sup.name), laptop("b", sup2.name), laptop("f", ins.name)
    full_merges = []
    real_full = engine._prepare_full
    monkeypatch.setattr(engine, "_prepare_full", lambda *args: full_merges.append(1) or real_full(*args))
    snapshot = sha256(shared)
    codes = Project.open(a).read_layer("grid_cell")["code"].iloc[20:24].tolist()
    # both supervisors create tasks offline: the new rows have the same fids on both laptops
    ta = create_assignments(a, sup, codes[:2], "patrol", now=NOW).created("assignment")
    tb = create_assignments(b, sup2, codes[2:], "mine", now=NOW).created("assignment")
    task = create_assignments(a, sup, [cell["code"]], "patrol", now=NOW).created("assignment")[0]
    ra, rb = sync(a), sync(b)
    assert ra.sent > 0 and rb.received == ra.sent  # b got a's tasks (and their audit rows)
    assert sha256(shared) == snapshot  # the shared GeoPackage was not rewritten
    log = sharelog.entries(shared)
    assert [e.seq for e in log] == [1, 2] and all(e.path.stat().st_size < 20_000 for e in log)
    sync(a)
    sync(f)
    # the inspector works on the task while a supervisor corrects the same task's note
    change_assignment(f, ins, task, "start", now=NOW)
    c = cell.geometry.representative_point()
    found = record_finding(f, ins, assignment_uuid=task, category="other", longitude=c.x, latitude=c.y,
                           description="散煤堆放", now=NOW).created("finding")[0]
    sync(f)
    # a checkout made now starts from the snapshot and replays the log
    late = laptop("late", sup2.name)
    assert {*ta, *tb, task} <= set(queries.tasks(late)["uuid"]) and found in set(queries.findings(late)["uuid"])
    for lp in (a, b, f, late, a, b, f, late):
        sync(lp)
    assert sha256(shared) == snapshot
    assert full_merges == []  # no clash: every sync merged changesets only, no whole-file copy
    assert (copies and all(copies)) if copy_base_above == 0 else not copies
    assert compact_shared(shared) > 0 and sha256(shared) != snapshot
    assert len(sharelog.entries(shared)) == 1  # the newest stays: it keeps the count going
    assert sha_tables(a) == sha_tables(b) == sha_tables(f) == sha_tables(late) == sha_tables(shared)
    with closing(sqlite3.connect(shared)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n_logs = con.execute("SELECT COUNT(*), COUNT(DISTINCT uuid) FROM sync_log").fetchone()
        assert n_logs[0] == n_logs[1] == 13  # one row per sync
    # after a compaction by someone else, the next syncs still converge
    change_assignment(f, ins, task, "finish", result="no_problem", now=NOW + dt.timedelta(hours=1))
    sync(f)
    sync(a)
    assert queries.tasks(a).set_index("uuid").loc[task, "status"] == "done"


def test_a_same_field_clash_in_change_log_mode_takes_the_full_merge_and_is_recorded(office, monkeypatch):
    from gridwatch.storage.workflow import edit_finding

    shared, laptop = office
    monkeypatch.setattr(engine, "COMPACT_AFTER", 100)
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b = laptop("a", sup.name), laptop("b", sup2.name)
    fid = record_finding(a, sup, cell_code="130110100001001", category="other", longitude=114.3, latitude=38.1,
                         description="原描述", now=NOW).created("finding")[0]
    sync(a)
    sync(b)
    edit_finding(a, sup, fid, description="A 的描述", now=NOW + dt.timedelta(hours=1))
    edit_finding(b, sup2, fid, description="B 的描述", now=NOW + dt.timedelta(hours=2))
    sync(a)
    report = sync(b)
    assert report.conflicts == 1
    sync(a)
    assert queries.findings(a).set_index("uuid").loc[fid, "description"] == "B 的描述"  # the later edit wins
    compact_shared(shared)
    with closing(sqlite3.connect(shared)) as con:
        kept, other = con.execute("SELECT kept_value, other_value FROM sync_conflict WHERE row_uuid = ?",
                                  (fid,)).fetchone()
    assert (json.loads(kept), json.loads(other)) == ("B 的描述", "A 的描述")
    assert sha_tables(a) == sha_tables(b) == sha_tables(shared)


def test_an_edit_made_after_a_sync_killed_in_its_last_step_is_still_sent(office, monkeypatch):
    """Killed after the laptop got the merged changes but before that was recorded; the user goes on
    editing; the next sync finishes the old one without forgetting which tables the new edit touched."""
    shared, laptop = office
    monkeypatch.setattr(engine, "COMPACT_AFTER", 100)
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    create_assignments(a, sup, ["130110100001001"], "patrol", now=NOW)
    real = finish._write_json

    def dying_write(path, data):
        p = data.get("pending")
        if p and p.get("stage") == "local_done":
            raise KeyboardInterrupt("killed after the laptop was updated")
        return real(path, data)

    monkeypatch.setattr(finish, "_write_json", dying_write)
    with pytest.raises(KeyboardInterrupt):
        sync(a)
    monkeypatch.setattr(finish, "_write_json", real)
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    with closing(connect_readwrite(a)) as con, transaction(con):
        con.execute("UPDATE mine SET operator = 'corrected after the crash' WHERE fid = 1")
    assert "mine" in engine.dirty_tables(a)
    report = sync(a)
    assert report.recovered
    compact_shared(shared)
    with closing(sqlite3.connect(shared)) as con:
        assert con.execute("SELECT operator FROM mine WHERE fid = 1").fetchone()[0] == "corrected after the crash"
    assert sha_tables(a) == sha_tables(shared)


def test_an_edit_made_while_a_quick_sync_updates_the_laptop_is_sent(office, monkeypatch):
    """The app commits between the sync's own write to the laptop and its clearing of the change
    tracking: the tracking is kept, the edit is sent next time, and the base never takes it in."""
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    shared, laptop = office
    monkeypatch.setattr(engine, "COMPACT_AFTER", 100)
    monkeypatch.setattr(finish, "COPY_BASE_ABOVE", 0)
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b = laptop("a", sup.name), laptop("b", sup2.name)
    create_assignments(a, sup, ["130110100001001"], "patrol", now=NOW)
    create_assignments(b, sup2, ["130110100001002"], "patrol", now=NOW)
    sync(b)
    real = finish._clear_dirty_if

    def app_edits_first(db, counter):
        if Path(db) == a:
            with closing(connect_readwrite(a)) as con, transaction(con):
                con.execute("UPDATE mine SET operator = 'edited during the sync' WHERE fid = 1")
        return real(db, counter)

    monkeypatch.setattr(finish, "_clear_dirty_if", app_edits_first)
    sync(a)
    monkeypatch.setattr(finish, "_clear_dirty_if", real)
    with closing(sqlite3.connect(sync_dir(a) / "base.gpkg")) as con:
        assert con.execute("SELECT operator FROM mine WHERE fid = 1").fetchone()[0] != "edited during the sync"
    assert "mine" in engine.dirty_tables(a)
    assert sync(a).sent >= 1
    sync(b)
    compact_shared(shared)
    for path in (shared, b):
        with closing(sqlite3.connect(path)) as con:
            assert con.execute("SELECT operator FROM mine WHERE fid = 1").fetchone()[0] == "edited during the sync"


def test_an_edit_made_while_a_sync_waits_compares_the_tables_of_the_state_it_sends(office, monkeypatch):
    """The quick path gives up under the lock (here: forced) and the full merge snapshots the laptop
    then: the tables it compares come from that snapshot, so an edit made meanwhile goes too."""
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    shared, laptop = office
    monkeypatch.setattr(engine, "COMPACT_AFTER", 100)
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    create_assignments(a, sup, ["130110100001001"], "patrol", now=NOW)

    def edit_then_give_up(*args):
        with closing(connect_readwrite(a)) as con, transaction(con):
            con.execute("UPDATE mine SET operator = 'edited while waiting' WHERE fid = 1")
        return None

    monkeypatch.setattr(engine, "_prepare_quick", edit_then_give_up)
    report = sync(a)
    assert report.sent >= 2  # the task, its audit row and the mine
    compact_shared(shared)
    with closing(sqlite3.connect(shared)) as con:
        assert con.execute("SELECT operator FROM mine WHERE fid = 1").fetchone()[0] == "edited while waiting"
    assert sha_tables(a) == sha_tables(shared)


def test_a_journal_left_by_a_killed_write_to_the_laptop_is_rolled_back_before_syncing(office, tmp_path):
    """SIGKILL in the middle of a write leaves a hot journal; the next sync rolls it back instead of
    failing on it, and the half-written change is gone."""
    import signal
    import subprocess
    import sys

    shared, laptop = office
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    child = (
        "import os, signal\n"
        "from gridwatch.storage.gpkg import connect_readwrite\n"
        f"con = connect_readwrite({str(a)!r})\n"
        "con.execute('PRAGMA cache_size = 1')\n"
        "con.execute('BEGIN')\n"
        "con.execute(\"UPDATE fire_point SET status = 'half written'\")\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run([sys.executable, "-c", child])
    assert proc.returncode == -signal.SIGKILL
    assert Path(str(a) + "-journal").exists()
    report = sync(a)
    assert report.refused == 0
    with closing(sqlite3.connect(a)) as con:
        assert con.execute("SELECT COUNT(*) FROM fire_point WHERE status = 'half written'").fetchone()[0] == 0
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.parametrize("compact_after", [0, 100], ids=["compact-every-sync", "change-log"])
def test_a_delete_wins_over_an_edit_made_elsewhere_and_the_edit_is_recorded(office, monkeypatch, compact_after):
    from gridwatch.storage.workflow import edit_finding, undo

    shared, laptop = office
    monkeypatch.setattr(engine, "COMPACT_AFTER", compact_after)
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b = laptop("a", sup.name), laptop("b", sup2.name)
    made = record_finding(a, sup, cell_code="130110100001001", category="other", longitude=114.3, latitude=38.1,
                          description="原描述", now=NOW)
    fid = made.created("finding")[0]
    sync(a)
    sync(b)
    edit_finding(b, sup2, fid, description="B 补充的描述", now=NOW + dt.timedelta(hours=1))
    sync(b)
    undo(a, sup, made)  # a takes its finding back offline: it has not seen b's edit
    report = sync(a)
    assert report.conflicts >= 1
    sync(b)
    compact_shared(shared)
    assert fid not in set(queries.findings(shared)["uuid"])  # the deleted finding does not come back
    with closing(sqlite3.connect(shared)) as con:
        rows = con.execute("SELECT column_name, other_value, rule FROM sync_conflict WHERE row_uuid = ?",
                           (fid,)).fetchall()
    assert ("description", json.dumps("B 补充的描述", ensure_ascii=False), "a delete wins over an edit") in rows
    assert sha_tables(a) == sha_tables(b) == sha_tables(shared)
