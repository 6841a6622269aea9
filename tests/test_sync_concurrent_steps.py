"""Edits made on a laptop while its own sync runs, on rows the shared project moved meanwhile (issue 12).

Found by the long sync torture: an inspector rejected a rectification on the laptop while its sync was
landing a supervisor's verification of the same finding.  The rejection was written over the landed
verification, leaving the laptop with a step nobody can take ("verified -> assigned"); every later
sync refused it, so the laptops never agreed again.  Such an edit is concurrent with the share's and
is settled like any conflict: the step further along stands, the other is recorded in
``sync_conflict`` (and reaches the share), and the next sync refuses nothing.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing

from gridwatch.storage.findings import change_finding, edit_finding, record_finding
from gridwatch.storage.workflow import change_assignment, create_assignments
from gridwatch.sync import finish, sync

from .conftest import make_photo
from .test_sync_faults import NOW, actor, cell_of, finding_here, office, owner_of, shared_state  # noqa: F401


def finding(path, uuid) -> dict:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        cur = con.execute("SELECT * FROM finding WHERE uuid = ?", (uuid,))
        return dict(zip([d[0] for d in cur.description], cur.fetchone()))


def conflicts(path, uuid) -> list[dict]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        cur = con.execute("SELECT * FROM sync_conflict WHERE row_uuid = ?", (uuid,))
        return [dict(zip([d[0] for d in cur.description], r)) for r in cur]


def during_own_sync(monkeypatch, edit) -> None:
    """Make ``edit`` happen on the working copy while its sync is landing the merged project."""
    original = finish._finish_log
    done = []

    def landing(*args, **kwargs):
        if not done:
            done.append(edit())
        return original(*args, **kwargs)

    monkeypatch.setattr(finish, "_finish_log", landing)


def done_edits(path, uuid, action) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return con.execute("SELECT count(*) FROM audit_log WHERE row_uuid = ? AND action = ?",
                           (uuid, action)).fetchone()[0]


def _same_row(a: dict, b: dict) -> bool:
    return {k: v for k, v in a.items() if k != "fid"} == {k: v for k, v in b.items() if k != "fid"}


def test_a_rejection_made_while_the_sync_lands_a_verification_is_settled_not_refused_forever(
        office, tmp_path, monkeypatch):
    shared, laptop = office
    sup1, sup2 = actor(shared, "supervisor", 0), actor(shared, "supervisor", 1)
    cell = cell_of(shared, 10)
    owner = owner_of(shared, cell)
    s1 = laptop("s1", sup1.name)
    field = laptop("field", owner.name)
    f = finding_here(s1, sup1, cell, "散煤堆放")
    change_finding(s1, sup1, f, "assign", responsible_party="某煤站", rectify_deadline=NOW.date(), now=NOW)
    sync(s1)
    sync(field)
    photo = make_photo(tmp_path / "after.jpg")
    change_finding(field, owner, f, "rectify", note="已清运", after_photos=[photo], now=NOW)
    sync(field)
    sync(s1)
    s2 = laptop("s2", sup2.name)
    assert finding(s2, f)["status"] == "rectified"
    change_finding(s2, sup2, f, "verify", note="现场核查已清运", now=NOW)
    sync(s2)  # the share: verified

    # supervisor 1 still sees "rectified" and rejects it while the sync lands the verification
    during_own_sync(monkeypatch, lambda: change_finding(s1, sup1, f, "reject", reason="照片看不清", now=NOW))
    sync(s1)
    monkeypatch.undo()
    assert done_edits(s1, f, "reject") == 1  # it did happen during the sync

    row = finding(s1, f)
    assert row["status"] == "verified" and row["reject_reason"] is None  # the step further along stands
    lost = {c["column_name"]: c for c in conflicts(s1, f)}
    assert json.loads(lost["reject_reason"]["other_value"]) == "照片看不清"
    assert lost["status"]["rule"] == "status only moves forward"

    again = sync(s1)
    assert again.refused == 0, again.messages
    state = shared_state(shared, tmp_path)
    assert finding(state, f)["status"] == "verified"
    assert "照片看不清" in {json.loads(c["other_value"]) for c in conflicts(state, f) if c["other_value"]}
    with closing(sqlite3.connect(state)) as con:  # the rejection is in the history too
        assert con.execute("SELECT count(*) FROM audit_log WHERE row_uuid = ? AND action = 'reject'",
                           (f,)).fetchone()[0] == 1
    sync(s2)
    assert _same_row(finding(s1, f), finding(s2, f))
    assert sync(s1).refused == 0


def test_a_correction_made_while_the_sync_lands_an_assignment_is_recorded_not_refused_forever(
        office, tmp_path, monkeypatch):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    cell = cell_of(shared, 10)
    owner = owner_of(shared, cell)
    office_pc = laptop("office", sup.name)
    task = create_assignments(office_pc, sup, [cell["code"]], "patrol", now=NOW).created("assignment")[0]
    sync(office_pc)
    field = laptop("field", owner.name)
    change_assignment(field, owner, task, "start", now=NOW)
    p = cell.geometry.representative_point()
    f = record_finding(field, owner, category="open_burning", longitude=p.x, latitude=p.y, assignment_uuid=task,
                       description="露天焚烧垃圾", now=NOW).created("finding")[0]
    sync(field)
    sync(office_pc)
    change_finding(office_pc, sup, f, "assign", responsible_party="村委会", rectify_deadline=NOW.date(), now=NOW)
    sync(office_pc)

    # the inspector corrects the description (allowed while it is "found", as they see it) during the sync
    during_own_sync(monkeypatch, lambda: edit_finding(field, owner, f, description="露天焚烧秸秆", now=NOW))
    sync(field)
    monkeypatch.undo()
    assert done_edits(field, f, "edit") == 1

    row = finding(field, f)
    assert row["status"] == "assigned" and row["description"] == "露天焚烧垃圾"
    lost = {c["column_name"]: c for c in conflicts(field, f)}
    assert json.loads(lost["description"]["other_value"]) == "露天焚烧秸秆"
    assert lost["description"]["rule"].startswith("the row moved on meanwhile")

    again = sync(field)
    assert again.refused == 0, again.messages
    state = shared_state(shared, tmp_path)
    assert "露天焚烧秸秆" in {json.loads(c["other_value"]) for c in conflicts(state, f) if c["other_value"]}
    sync(office_pc)
    assert _same_row(finding(field, f), finding(office_pc, f))


def test_an_edit_and_a_verification_taken_offline_stand_over_a_rejection_synced_first(office, tmp_path):
    """The shared folder's side of the PostGIS torture's case (seed 7; the server's in
    tests/test_sync_pg_concurrent_steps.py, same name): supervisor 1 rejects a rectification and syncs;
    supervisor 2, offline, had corrected the description and verified it.  The verification (further
    along) stands as a whole with the correction, the rejection is recorded: what the server now does."""
    shared, laptop = office
    sup1, sup2 = actor(shared, "supervisor", 0), actor(shared, "supervisor", 1)
    cell = cell_of(shared, 10)
    owner = owner_of(shared, cell)
    s1 = laptop("s1", sup1.name)
    field = laptop("field", owner.name)
    f = finding_here(s1, sup1, cell, "散煤堆放")
    change_finding(s1, sup1, f, "assign", responsible_party="某煤站", rectify_deadline=NOW.date(), now=NOW)
    sync(s1)
    sync(field)
    change_finding(field, owner, f, "rectify", note="已清运", after_photos=[make_photo(tmp_path / "after.jpg")],
                   now=NOW)
    sync(field)
    sync(s1)
    s2 = laptop("s2", sup2.name)
    change_finding(s1, sup1, f, "reject", reason="照片看不清")  # offline, both
    edit_finding(s2, sup2, f, description="散煤堆放约两吨")
    change_finding(s2, sup2, f, "verify", note="现场核查已清运")
    assert sync(s1).refused == 0

    rep = sync(s2)
    assert rep.refused == 0, rep.messages
    state = shared_state(shared, tmp_path)
    row = finding(state, f)
    assert row["status"] == "verified" and row["description"] == "散煤堆放约两吨"
    assert row["verified_by"] == sup2.uuid and row["reject_reason"] is None and row["reject_count"] == 0
    lost = {c["column_name"]: c for c in conflicts(state, f)}
    assert lost["status"]["rule"] == "status only moves forward"
    assert json.loads(lost["reject_reason"]["other_value"]) == "照片看不清"
    assert sync(s1).refused == 0
    assert _same_row(finding(s1, f), finding(s2, f))
