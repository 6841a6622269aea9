"""A district published by an earlier GridWatch (issue 19): the server records which server schema built
it; a laptop's sync against an older one is refused with a message that names the district and the
command; ``gridwatch server-upgrade`` makes the constraints, judge, policies and triggers again from the
current domain, keeping every row, the history and the conflicts."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from contextlib import closing

import psycopg
import pytest
from psycopg import sql

from gridwatch.domain.messages import message_text
from gridwatch.domain.policy import Actor
from gridwatch.domain.vocabulary import FIRE_CHECK_RESULTS, FIRE_STATUSES
from gridwatch.errors import SyncError
from gridwatch.storage.workflow import (
    change_assignment,
    create_assignments,
    create_fire_checks,
    edit_finding,
    record_finding,
)
from gridwatch.sync import checkout, sync, sync_dir
from gridwatch.sync.pg import store
from gridwatch.sync.pg.publish import publish
from gridwatch.sync.pg.schema import SERVER_SCHEMA_VERSION
from gridwatch.sync.pg.upgrade import missing_codes, recorded_version, upgrade

from .conftest import ROOT
from .test_sync_pg import _forge, first_cell, people

D = "d130110"


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The sample district without its two months of work: these tests count the rows they make."""
    from .conftest import bare_sample_in

    return bare_sample_in(tmp_path_factory.mktemp("bare"))


def admin(pg_cluster, db: str) -> psycopg.Connection:
    return psycopg.connect(f"host={pg_cluster.folder} user=gridwatch dbname={db}", autocommit=True)


def server_state(pg_cluster, db: str) -> dict:
    """Every row count of the district (its tables, change table, history, logins, refusals) and its
    sync conflicts as they are."""
    with admin(pg_cluster, db) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                                           "AND table_type = 'BASE TABLE' AND table_name NOT IN "
                                           "('gw_domain_source', 'gw_unseen', 'gw_project') ORDER BY 1", (D,))]
        counts = {n: con.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(D), sql.Identifier(n)))
                  .fetchone()[0] for n in names}
        conflicts = con.execute(sql.SQL("SELECT to_jsonb(c) - 'gw_version' FROM {}.sync_conflict c ORDER BY uuid")
                                .format(sql.Identifier(D))).fetchall()
    return {"counts": counts, "conflicts": [r[0] for r in conflicts]}


def generated(pg_cluster, db: str) -> dict:
    """What publishing generates in the district's schema: policies, triggers, CHECK constraints, functions,
    the fast path's rows, the domain code's modules."""
    with admin(pg_cluster, db) as con:
        def rows(q: str) -> list:
            return sorted(tuple(r) for r in con.execute(q, (D,)).fetchall())

        return {
            "policies": rows("SELECT tablename, policyname, cmd, roles::text, qual, with_check FROM pg_policies "
                             "WHERE schemaname = %s"),
            "triggers": rows("SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c "
                             "ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
                             "AND NOT t.tgisinternal"),
            "checks": rows("SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_class "
                           "c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
                           "AND k.contype = 'c'"),
            "functions": rows("SELECT p.proname, pg_get_function_identity_arguments(p.oid), p.prosrc FROM pg_proc p "
                              "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %s"),
            "rls": rows("SELECT c.relname, c.relrowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = "
                        "c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'"),
            "unseen": sorted(con.execute(sql.SQL("SELECT * FROM {}.gw_unseen").format(sql.Identifier(D))).fetchall()),
            "modules": sorted(con.execute(sql.SQL("SELECT ord, module, source FROM {}.gw_domain_source").format(
                sql.Identifier(D))).fetchall()),
        }


def make_older(pg_cluster, db: str) -> None:
    """The district as GridWatch published it before issue 17's ``industrial_heat`` and before the server
    recorded its schema: the code lists' CHECK constraints without the code, no record."""
    with admin(pg_cluster, db) as con:
        for table, column, codes in (("assignment", "result", FIRE_CHECK_RESULTS),
                                     ("fire_point", "status", FIRE_STATUSES)):
            name = sql.Identifier(f"{table}_{column}_codes")
            T = sql.SQL("{}.{}").format(sql.Identifier(D), sql.Identifier(table))
            con.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(T, name))
            con.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({} IS NULL OR {} IN ({}))").format(
                T, name, sql.Identifier(column), sql.Identifier(column),
                sql.SQL(", ").join(sql.Literal(c) for c in codes if c != "industrial_heat")))
        con.execute(sql.SQL("DELETE FROM {}.gw_project WHERE key IN ('server_schema', 'domain_digest')").format(
            sql.Identifier(D)))


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gridwatch", *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=subprocess.DEVNULL)


def test_a_fresh_district_records_this_server_schema(pg_cluster, sample_path):
    pg_cluster.create_database("upfresh")
    publish(sample_path, pg_cluster.url("upfresh"))
    with admin(pg_cluster, "upfresh") as con, con.cursor() as cur:
        assert recorded_version(cur, D) == SERVER_SCHEMA_VERSION
        assert missing_codes(cur, D) == []
    ok, _fixed, problems = store.doctor(pg_cluster.url("upfresh"))
    assert problems == [] and any(f"server schema {SERVER_SCHEMA_VERSION}" in line for line in ok)


def test_an_older_server_is_named_with_its_command_and_the_upgrade_keeps_every_row(pg_cluster, sample_path, tmp_path):
    db = "upgrade"
    pg_cluster.create_database(db)
    publish(sample_path, pg_cluster.url(db), logins=True)
    sup = people(sample_path)["supervisor"]
    with closing(sqlite3.connect(sample_path)) as con:  # the inspector of the cell of the latest fire point
        uuid, name, latest = con.execute(
            "SELECT i.uuid, i.name, max(f.detected_utc) FROM fire_point f JOIN grid_cell g ON g.code = f.cell_code "
            "JOIN inspector i ON i.uuid = g.inspector_uuid WHERE i.role = 'inspector' AND coalesce(i.active, 1) = 1 "
            "GROUP BY i.uuid ORDER BY 3 DESC LIMIT 1").fetchone()
    insp = Actor(uuid, name, "inspector")
    (tmp_path / "sup").mkdir()
    (tmp_path / "insp").mkdir()
    a = checkout(pg_cluster.url(db, user=sup.name), tmp_path / "sup" / "p.gpkg", sup.name)
    b = checkout(pg_cluster.url(db, user=insp.name), tmp_path / "insp" / "p.gpkg", insp.name)

    # history worth keeping: a task, a finding, a same-field conflict recorded on the server
    task = create_assignments(a, sup, [first_cell(sample_path, insp)], "patrol").created("assignment")[0]
    sync(a)
    sync(b)
    change_assignment(b, insp, task, "start")
    finding = record_finding(b, insp, category="scattered_coal", longitude=114.3, latitude=38.1,
                             assignment_uuid=task, description="原描述").created("finding")[0]
    sync(b)
    sync(a)
    edit_finding(a, sup, finding, description="主管的描述")
    edit_finding(b, insp, finding, description="网格员的描述")
    sync(b)
    assert sync(a).conflicts >= 1
    # a fire-point check of the inspector's cells, finished on the laptop as an industrial heat source
    since = dt.datetime.fromisoformat(latest.replace("Z", "+00:00")) - dt.timedelta(hours=1)
    checks = create_fire_checks(a, sup, since=since, now=since + dt.timedelta(hours=2)).created("assignment")
    assert sync(a).refused == 0
    sync(b)
    with closing(sqlite3.connect(b)) as con:
        (check,) = con.execute("SELECT uuid FROM assignment WHERE assignee_uuid = ? AND kind = 'fire_check' "
                               "AND uuid IN (%s)" % ",".join("?" * len(checks)), (insp.uuid, *checks)).fetchone()
    change_assignment(b, insp, check, "start")
    change_assignment(b, insp, check, "finish", result="industrial_heat", notes="石灰窑")

    make_older(pg_cluster, db)
    before = server_state(pg_cluster, db)
    state_before = (sync_dir(b) / "state.json").read_text(encoding="utf-8")

    # the laptop's sync: refused before anything is sent, with the district and the command
    with pytest.raises(SyncError) as caught:
        sync(b)
    err = caught.value
    assert err.key == "pg.server_outdated"
    text = str(err)
    assert f"district {D}" in text and "server schema 1" in text and f"needs {SERVER_SCHEMA_VERSION}" in text
    assert "assignment.result: industrial_heat" in text and "fire_point.status: industrial_heat" in text
    assert f"gridwatch server-upgrade 'postgresql:///{db}?host=" in text and f"--district {D}" in text
    assert insp.name not in err.params["command"]  # the administrator's command, not the laptop's login
    zh = message_text(err, "zh_CN")
    assert zh.startswith(f"服务器上的区 {D} 是用较早版本的 GridWatch 建立的") and "industrial_heat" in zh
    assert "gridwatch server-upgrade" in zh and "本机上的修改都还在" in zh
    assert server_state(pg_cluster, db) == before
    assert (sync_dir(b) / "state.json").read_text(encoding="utf-8") == state_before
    with closing(sqlite3.connect(b)) as con:
        assert con.execute("SELECT status, result FROM assignment WHERE uuid = ?", (check,)).fetchone() == \
            ("done", "industrial_heat")  # still on the laptop
    ok, _fixed, problems = store.doctor(pg_cluster.url(db))
    assert any("server-upgrade" in p for p in problems)

    # only the district's administrator upgrades it
    res = cli("server-upgrade", pg_cluster.url(db, user=sup.name), "--district", D)
    assert res.returncode == 2 and f"login {sup.name} may not upgrade district {D}" in res.stderr, res.stderr
    assert server_state(pg_cluster, db) == before
    with admin(pg_cluster, db) as con, con.cursor() as cur:
        assert recorded_version(cur, D) == 1 and len(missing_codes(cur, D)) == 2

    res = cli("server-upgrade", pg_cluster.url(db), "--district", D)
    assert res.returncode == 0, res.stderr
    assert f"district {D}: server schema 1 -> {SERVER_SCHEMA_VERSION}" in res.stdout
    assert "assignment.result: industrial_heat" in res.stdout
    assert f"{before['counts']['sync_conflict']} sync conflicts kept" in res.stdout
    after = server_state(pg_cluster, db)
    assert after == before  # every row, the change table, the history, the conflicts as they were
    assert before["counts"]["sync_conflict"] >= 1 and before["counts"]["gw_history"] >= 1
    with admin(pg_cluster, db) as con, con.cursor() as cur:
        assert recorded_version(cur, D) == SERVER_SCHEMA_VERSION and missing_codes(cur, D) == []

    # what the upgrade made is what publishing makes today
    pg_cluster.create_database("uptoday")
    publish(sample_path, pg_cluster.url("uptoday"))
    assert generated(pg_cluster, db) == generated(pg_cluster, "uptoday")

    # the sync now goes through, judged by the server
    rep = sync(b)
    assert rep.refused == 0, rep.messages
    with admin(pg_cluster, db) as con:
        assert con.execute(sql.SQL("SELECT status, result FROM {}.assignment WHERE uuid = %s").format(
            sql.Identifier(D)), (check,)).fetchone() == ("done", "industrial_heat")
        assert con.execute(sql.SQL("SELECT DISTINCT status FROM {}.fire_point WHERE check_uuid = %s").format(
            sql.Identifier(D)), (check,)).fetchall() == [("industrial_heat",)]
        assert con.execute(sql.SQL("SELECT count(*) FROM {}.sync_conflict").format(sql.Identifier(D))).fetchone()[0] \
            == before["counts"]["sync_conflict"]
    sync(a)
    with closing(sqlite3.connect(a)) as con:
        assert con.execute("SELECT result FROM assignment WHERE uuid = ?", (check,)).fetchone() == ("industrial_heat",)
    # and it still refuses what the person may not do: an inspector who made themselves an administrator
    # on the laptop (working copy and base) renames a cell
    for f in (b, sync_dir(b) / "base.gpkg"):
        _forge(f, "UPDATE inspector SET role = 'admin' WHERE uuid = ?", (insp.uuid,))
    cell = first_cell(sample_path, insp)
    _forge(b, "UPDATE grid_cell SET name = '被改的网格' WHERE code = ?", (cell,))
    assert sync(b).refused == 1
    with admin(pg_cluster, db) as con:
        assert con.execute(sql.SQL("SELECT name FROM {}.grid_cell WHERE code = %s").format(sql.Identifier(D)),
                           (cell,)).fetchone()[0] != "被改的网格"


def test_an_upgrade_of_a_current_district_changes_nothing_and_a_second_is_the_same(pg_cluster, sample_path):
    pg_cluster.create_database("uptwice")
    publish(sample_path, pg_cluster.url("uptwice"))
    before, made = server_state(pg_cluster, "uptwice"), generated(pg_cluster, "uptwice")
    rep = upgrade(pg_cluster.url("uptwice"))
    assert rep.district == D and rep.from_version == SERVER_SCHEMA_VERSION and rep.codes_added == []
    assert not rep.judge_changed
    res = cli("server-upgrade", pg_cluster.url("uptwice"), "--all")
    assert res.returncode == 0 and f"district {D}: server schema {SERVER_SCHEMA_VERSION} -> " in res.stdout, res.stderr
    assert server_state(pg_cluster, "uptwice") == before and generated(pg_cluster, "uptwice") == made
