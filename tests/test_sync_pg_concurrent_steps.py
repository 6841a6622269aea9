"""Steps of one finding taken offline on two laptops, settled by the server as the shared folder
settles them (issue 19; found by the PostGIS torture).

The server's judge used to judge every step from the row as the server holds it now.  A step taken
offline was taken from the state its author saw: when another laptop moved the row meanwhile, that
state is one of the row's earlier versions on the server.  The judge now finds that version (by the
step's audit entry's old values, in the history the server keeps itself) and judges the step from it;
the outcome is settled by the domain's one conflict rule (a status only moves forward, otherwise the
later edit wins; the losing step recorded in ``sync_conflict``).  A state the row never had on the
server cannot be claimed: such a step is refused as before.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import sqlite3
from contextlib import closing
from typing import Any

import psycopg
import pytest
from psycopg import sql

from gridwatch.storage.workflow import (
    change_assignment,
    change_finding,
    create_assignments,
    edit_finding,
    record_finding,
)
from gridwatch.sync import checkout, sync

from .conftest import make_photo
from .test_sync_pg import district, rows_by_key, sample_path, server  # noqa: F401  (fixtures)

DEADLINE = _dt.date(2026, 12, 31)


def finding_on_server(pg_cluster, db: str, uuid: str) -> dict[str, Any]:
    with server(pg_cluster, db) as con:
        cur = con.execute("SELECT * FROM d130110.finding WHERE uuid = %s", (uuid,))
        return dict(zip([d.name for d in cur.description], cur.fetchone()))


def conflicts_on_server(pg_cluster, db: str, uuid: str) -> list[dict[str, Any]]:
    with server(pg_cluster, db) as con:
        cur = con.execute("SELECT * FROM d130110.sync_conflict WHERE row_uuid = %s", (uuid,))
        return [dict(zip([d.name for d in cur.description], r)) for r in cur.fetchall()]


def _same(a: dict, b: dict) -> bool:
    return {k: v for k, v in a.items() if k != "fid"} == {k: v for k, v in b.items() if k != "fid"}


def _found_finding(district) -> str:
    """A finding the inspector recorded under a task the supervisor assigned, on the server and both laptops."""
    a, b, sup, insp, cell = district["a"], district["b"], district["sup"], district["insp"], district["cell"]
    task = create_assignments(a, sup, [cell], "patrol").created("assignment")[0]
    sync(a)
    sync(b)
    change_assignment(b, insp, task, "start")
    f = record_finding(b, insp, category="scattered_coal", longitude=114.3, latitude=38.1, assignment_uuid=task,
                       description="散煤堆放").created("finding")[0]
    assert sync(b).refused == 0
    sync(a)
    return f


def _rectified(district, pg_cluster, tmp_path):
    """A rectified finding on the server, the first supervisor's laptop, and a second supervisor's."""
    a, b, sup, insp, db = district["a"], district["b"], district["sup"], district["insp"], district["db"]
    f = _found_finding(district)
    change_finding(a, sup, f, "assign", responsible_party="某煤站", rectify_deadline=DEADLINE)
    assert sync(a).refused == 0
    sync(b)
    change_finding(b, insp, f, "rectify", note="已清运", after_photos=[make_photo(tmp_path / "after.jpg")])
    assert sync(b).refused == 0
    sync(a)
    sup2 = next(p for p in district["who"].values() if p.role == "supervisor" and p.uuid != sup.uuid)
    (tmp_path / "sup2").mkdir()
    c = checkout(pg_cluster.url(db, user=sup2.name), tmp_path / "sup2" / "project.gpkg", sup2.name)
    assert rows_by_key(c, "finding")[f]["status"] == "rectified"
    return f, c, sup2


def test_a_verify_and_a_reject_taken_offline_on_two_laptops_settle_as_the_step_further_along(
        district, pg_cluster, tmp_path):
    """Supervisor 1 rejects the rectification (back to assigned) and syncs; supervisor 2, offline, verified
    it.  Supervisor 2's sync keeps the verification (the step further along); the server accepts it, as
    taken from "rectified", a state the row had; the rejection is recorded in ``sync_conflict``."""
    a, sup, db = district["a"], district["sup"], district["db"]
    f, c, sup2 = _rectified(district, pg_cluster, tmp_path)
    change_finding(a, sup, f, "reject", reason="照片看不清")  # offline, both
    change_finding(c, sup2, f, "verify", note="现场核查已清运")
    assert sync(a).refused == 0
    assert finding_on_server(pg_cluster, db, f)["status"] == "assigned"

    rep = sync(c)
    assert rep.refused == 0, rep.messages
    row = finding_on_server(pg_cluster, db, f)
    assert row["status"] == "verified" and row["verified_by"] == sup2.uuid
    lost = {r["column_name"]: r for r in conflicts_on_server(pg_cluster, db, f)}
    assert lost["status"]["rule"] == "status only moves forward"
    assert json.loads(lost["reject_reason"]["other_value"]) == "照片看不清"
    with server(pg_cluster, db) as con:  # both steps are in the server's history
        actions = [r[0] for r in con.execute("SELECT action FROM d130110.audit_log WHERE row_uuid = %s", (f,))]
    assert actions.count("reject") == 1 and actions.count("verify") == 1

    assert sync(a).refused == 0
    assert sync(c).refused == 0
    assert _same(rows_by_key(a, "finding")[f], rows_by_key(c, "finding")[f])
    assert rows_by_key(a, "finding")[f]["status"] == "verified"


def test_a_verify_and_close_taken_offline_stand_over_another_verification_synced_first(
        district, pg_cluster, tmp_path):
    """Found by the PostGIS torture (seed 3): supervisor 1 verifies, supervisor 2 verifies a moment later
    and syncs, supervisor 1 then closes the finding and syncs.  The folder's merge keeps supervisor 1's
    two steps as a whole (closed is further along than verified, so their verification comes with it);
    the server settles the two steps as one run against the row as it is now, the same way, instead of
    settling the verification alone (the later one would win) and then refusing the close's row."""
    a, sup, db = district["a"], district["sup"], district["db"]
    f, c, sup2 = _rectified(district, pg_cluster, tmp_path)
    change_finding(a, sup, f, "verify", note="主管一核查")
    change_finding(c, sup2, f, "verify", note="主管二核查")
    assert sync(c).refused == 0
    change_finding(a, sup, f, "close")

    rep = sync(a)
    assert rep.refused == 0, rep.messages
    row = finding_on_server(pg_cluster, db, f)
    assert row["status"] == "closed" and row["closed_by"] == sup.uuid
    assert row["verified_by"] == sup.uuid and row["verify_note"] == "主管一核查"
    lost = {r["column_name"]: r for r in conflicts_on_server(pg_cluster, db, f)}
    assert json.loads(lost["verify_note"]["other_value"]) == "主管二核查"
    assert sync(c).refused == 0 and sync(a).refused == 0
    assert _same(rows_by_key(a, "finding")[f], rows_by_key(c, "finding")[f])


@pytest.mark.parametrize("close", [False, True], ids=["edit-verify", "edit-verify-close"])
def test_an_edit_and_a_verification_taken_offline_stand_over_a_rejection_synced_first(
        district, pg_cluster, tmp_path, close):
    """Found by the PostGIS torture (seed 7): supervisor 2, offline, corrects the description of a rectified
    finding and verifies it [and closes it]; supervisor 1 rejected it and synced first.  The correction
    alone would fit the row as the server holds it (assigned), so the judge used to take it from there and
    then refused the verification ("cannot move a finding from assigned to verified"); it is now taken from
    "rectified", the state supervisor 2 saw, and the run stands over the rejection (a status only moves
    forward), as the shared folder settles it; the rejection is recorded in ``sync_conflict``."""
    a, sup, db = district["a"], district["sup"], district["db"]
    f, c, sup2 = _rectified(district, pg_cluster, tmp_path)
    change_finding(a, sup, f, "reject", reason="照片看不清")
    edit_finding(c, sup2, f, description="散煤堆放约两吨")
    change_finding(c, sup2, f, "verify", note="现场核查已清运")
    if close:
        change_finding(c, sup2, f, "close")
    assert sync(a).refused == 0
    assert finding_on_server(pg_cluster, db, f)["status"] == "assigned"

    rep = sync(c)
    assert rep.refused == 0, rep.messages
    row = finding_on_server(pg_cluster, db, f)
    assert row["status"] == ("closed" if close else "verified")
    assert row["description"] == "散煤堆放约两吨"
    assert row["verified_by"] == sup2.uuid and row["verify_note"] == "现场核查已清运"
    assert row["reject_reason"] is None and row["reject_count"] == 0
    assert (row["closed_by"] == sup2.uuid) if close else row["closed_by"] is None
    lost = {r["column_name"]: r for r in conflicts_on_server(pg_cluster, db, f)}
    assert lost["status"]["rule"] == "status only moves forward"
    assert json.loads(lost["status"]["other_value"]) == "assigned"
    assert json.loads(lost["reject_reason"]["other_value"]) == "照片看不清"
    with server(pg_cluster, db) as con:  # every step is in the server's history
        actions = [r[0] for r in con.execute("SELECT action FROM d130110.audit_log WHERE row_uuid = %s", (f,))]
    assert actions.count("reject") == 1 and actions.count("verify") == 1 and actions.count("close") == int(close)

    assert sync(a).refused == 0 and sync(c).refused == 0
    assert _same(rows_by_key(a, "finding")[f], rows_by_key(c, "finding")[f])
    assert rows_by_key(a, "finding")[f]["description"] == "散煤堆放约两吨"


#: The judge as GridWatch published it before the fix above: a step that fits the row as it is was
#: judged from there, whatever state its author saw.
_FIXED = "if history is not None and table in LIFECYCLE_TABLES and old and (\n" \
         "                    why is not None or matching_version(old, [b]) is None):"
_BEFORE_FIX = "if why is not None and history is not None and table in LIFECYCLE_TABLES and old:"


def test_a_district_published_with_the_old_judge_gets_the_fixed_one_from_server_upgrade(
        district, pg_cluster, tmp_path):
    """The judge runs the domain code the server stored when the district was published (its own copy:
    ``gw_domain_source``), so a district published before the fix keeps refusing the run above, whatever
    GridWatch the laptops run; ``gridwatch server-upgrade`` stores this GridWatch's code, and the laptop's
    sync then stands."""
    from gridwatch.domain import steps
    from gridwatch.sync.pg.policy_sql import domain_digest
    from gridwatch.sync.pg.upgrade import upgrade

    a, sup, db = district["a"], district["sup"], district["db"]
    source = inspect.getsource(steps)
    assert source.count(_FIXED) == 1, "the fix's condition changed: update _FIXED"
    with server(pg_cluster, db) as con:  # the district as the GridWatch before the fix published it
        con.execute("UPDATE d130110.gw_domain_source SET source = %s, code = NULL, magic = NULL "
                    "WHERE module = 'domain.steps'", (source.replace(_FIXED, _BEFORE_FIX),))
        con.execute("UPDATE d130110.gw_project SET value = 'before-issue19e' WHERE key = 'domain_digest'")
    f, c, sup2 = _rectified(district, pg_cluster, tmp_path)
    change_finding(a, sup, f, "reject", reason="照片看不清")
    edit_finding(c, sup2, f, description="散煤堆放约两吨")
    change_finding(c, sup2, f, "verify", note="现场核查已清运")
    assert sync(a).refused == 0

    def push() -> None:
        """What supervisor 2's sync pushes for the finding (its two steps, then its row), by hand."""
        with closing(sqlite3.connect(f"file:{c}?mode=ro", uri=True)) as lite:
            audits = lite.execute("SELECT uuid, at, user_name, action, old_values, new_values FROM audit_log "
                                  "WHERE row_uuid = ? AND action IN ('edit', 'verify') ORDER BY fid", (f,)).fetchall()
        mine = rows_by_key(c, "finding")[f]
        cols = ["status", "description", "verify_note", "verified_by", "verified_at", "reject_reason",
                "reject_count", "updated_at"]
        with psycopg.connect(f"host={pg_cluster.folder} user={sup2.name} dbname={db}") as con:
            for row in audits:
                con.execute("INSERT INTO d130110.audit_log (uuid, at, user_name, action, table_name, row_uuid, "
                            "old_values, new_values) VALUES (%s, %s, %s, %s, 'finding', %s, %s, %s)",
                            (*row[:4], f, *row[4:]))
            con.execute(sql.SQL("UPDATE d130110.finding SET {} WHERE uuid = %s").format(sql.SQL(", ").join(
                sql.SQL("{} = %s").format(sql.Identifier(k)) for k in cols)), [mine[k] for k in cols] + [f])
            con.rollback()  # a probe: nothing stays

    with pytest.raises(psycopg.Error) as caught:  # the old judge refuses it
        push()
    assert caught.value.sqlstate == "GW403" and "from assigned to verified" in str(caught.value)

    up = upgrade(pg_cluster.url(db))
    assert up.judge_changed and "the judge's domain code replaced" in up.summary()
    with server(pg_cluster, db) as con:
        assert con.execute("SELECT source FROM d130110.gw_domain_source WHERE module = 'domain.steps'").fetchone()[0] \
            == source
        assert con.execute("SELECT value FROM d130110.gw_project WHERE key = 'domain_digest'").fetchone()[0] \
            == domain_digest()
    push()  # the new one lets it through (rolled back: the laptop's sync sends it)
    rep = sync(c)
    assert rep.refused == 0, rep.messages
    row = finding_on_server(pg_cluster, db, f)
    assert row["status"] == "verified" and row["description"] == "散煤堆放约两吨"
    lost = {r["column_name"]: r for r in conflicts_on_server(pg_cluster, db, f)}
    assert json.loads(lost["reject_reason"]["other_value"]) == "照片看不清"
    assert sync(a).refused == 0 and sync(c).refused == 0
    assert _same(rows_by_key(a, "finding")[f], rows_by_key(c, "finding")[f])


def test_a_correction_made_offline_while_the_office_assigned_the_finding_is_kept(district, pg_cluster):
    """The inspector corrects the description of their finding while it is "found" on their laptop; the
    office assigned it meanwhile.  The shared folder keeps both (different columns); so does the server:
    the correction was allowed from the state the inspector saw, a state the row had."""
    a, b, sup, insp, db = district["a"], district["b"], district["sup"], district["insp"], district["db"]
    f = _found_finding(district)
    change_finding(a, sup, f, "assign", responsible_party="某煤站", rectify_deadline=DEADLINE)
    assert sync(a).refused == 0
    edit_finding(b, insp, f, description="散煤堆放约两吨")  # offline: the inspector still sees "found"

    rep = sync(b)
    assert rep.refused == 0, rep.messages
    row = finding_on_server(pg_cluster, db, f)
    assert row["status"] == "assigned" and row["responsible_party"] == "某煤站"
    assert row["description"] == "散煤堆放约两吨"
    assert sync(a).refused == 0
    assert _same(rows_by_key(a, "finding")[f], rows_by_key(b, "finding")[f])
    assert sync(b).refused == 0


def _push_as(pg_cluster, db: str, login: str, audit: dict[str, Any], update: dict[str, Any], uuid: str) -> None:
    """What a laptop's push does, by hand: a step's audit row, then the row's update, in one transaction."""
    with psycopg.connect(f"host={pg_cluster.folder} user={login} dbname={db}") as con:
        con.execute("INSERT INTO d130110.audit_log (uuid, at, user_name, action, table_name, row_uuid, old_values, "
                    "new_values) VALUES (%s, '2026-12-06T08:00:00Z', %s, %s, 'finding', %s, %s, %s)",
                    (audit["uuid"], audit["user_name"], audit["action"], uuid, json.dumps(audit["old"]),
                     json.dumps(audit["new"])))
        cols = sorted(update)
        con.execute("UPDATE d130110.finding SET " + ", ".join(f'"{c}" = %s' for c in cols) + " WHERE uuid = %s",
                    [update[c] for c in cols] + [uuid])


def test_a_step_from_a_state_the_row_never_had_is_still_refused(district, pg_cluster):
    """A supervisor's push claims a verification taken from "rectified" of a finding that was never
    rectified on the server: refused (nobody can invent a state); so is an inspector's correction
    claimed from a version of the row that never existed."""
    a, b, sup, insp, db = district["a"], district["b"], district["sup"], district["insp"], district["db"]
    f = _found_finding(district)
    change_finding(a, sup, f, "assign", responsible_party="某煤站", rectify_deadline=DEADLINE)
    assert sync(a).refused == 0
    now = "2026-12-06T08:00:00Z"
    with pytest.raises(psycopg.Error) as caught:
        _push_as(pg_cluster, db, sup.name,
                 {"uuid": "forged-verify", "user_name": sup.name, "action": "verify",
                  "old": {"status": "rectified", "updated_at": now}, "new": {"status": "verified", "updated_at": now,
                                                                            "verified_by": sup.uuid}},
                 {"status": "verified", "verified_by": sup.uuid, "verified_at": now, "verify_note": "伪造",
                  "updated_at": now}, f)
    assert caught.value.sqlstate == "GW403"
    with pytest.raises(psycopg.Error) as caught:
        _push_as(pg_cluster, db, insp.name,
                 {"uuid": "forged-edit", "user_name": insp.name, "action": "edit",
                  "old": {"description": "从未有过的描述", "updated_at": now},
                  "new": {"description": "伪造的描述", "updated_at": now}},
                 {"description": "伪造的描述", "updated_at": now}, f)
    assert caught.value.sqlstate == "GW403"
    row = finding_on_server(pg_cluster, db, f)
    assert row["status"] == "assigned" and row["description"] == "散煤堆放"

