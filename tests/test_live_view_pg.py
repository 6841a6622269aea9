"""The office's live view of a PostGIS district (issue 19): a GeoPackage read from the server and refreshed
with what changed there; read-only for everyone but supervisors and administrators, whose edits go to the
server at once (refused ones taken back)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from gridwatch.app.liveview import is_live_view, live_info, open_live_view, refresh_live_view
from gridwatch.app.session import Session
from gridwatch.domain.policy import Action
from gridwatch.errors import SyncError
from gridwatch.storage.workflow import create_assignments
from gridwatch.sync import checkout, sync
from gridwatch.sync.pg.publish import publish
from gridwatch.sync.pg.store import download

from .test_sync_pg import first_cell, people, rows_by_key


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    from .conftest import bare_sample_in

    return bare_sample_in(tmp_path_factory.mktemp("bare"))


def count(path: Path, table: str) -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def test_a_live_view_shows_the_server_and_follows_it_read_only(pg_cluster, sample_path, tmp_path):
    import psycopg

    pg_cluster.create_database("live")
    publish(sample_path, pg_cluster.url("live"), logins=True)
    who = people(sample_path)
    sup, chief = who["supervisor"], who["chief"]
    # a township chief's view: read-only (a supervisor's is read-write, below)
    view = open_live_view(pg_cluster.url("live", user=chief.name), tmp_path / "views")
    assert is_live_view(view) and live_info(view)["district"] == "d130110"
    server = tmp_path / "server.gpkg"
    with psycopg.connect(f"host={pg_cluster.folder} user=gridwatch dbname=live") as con:
        download(con, "d130110", server)
    for table in ("grid_cell", "inspector", "fire_point", "assignment"):
        assert rows_by_key(view, table) == rows_by_key(server, table), table
    # the app opens it read-only, and says why in the words of a live view
    session = Session(view, chief.name)
    assert session.read_only and session.live
    assert not session.may(Action.ASSIGN_TASKS)
    refusal = session.why_not(Action.ASSIGN_TASKS)
    assert refusal is not None and refusal.key == "project.live_read_only" and "live view" in refusal.message
    # a supervisor's laptop syncs two new inspections: a refresh brings them (and only reads what changed)
    laptop = checkout(pg_cluster.url("live", user=sup.name), tmp_path / "laptop.gpkg", sup.name)
    cell = first_cell(sample_path, who["inspector"])
    new = [create_assignments(laptop, sup, [cell], "patrol").created("assignment")[0] for _ in range(2)]
    sync(laptop)
    before = live_info(view)["server_seq"]
    info = refresh_live_view(view)
    assert info["server_seq"] > before and info["changed"] >= 2
    assert set(new) <= set(rows_by_key(view, "assignment"))
    assert count(view, "assignment") == count(laptop, "assignment") == 2
    # nothing changed since: a refresh reads nothing; opening the same district again refreshes that file
    assert refresh_live_view(view)["changed"] == 0
    assert open_live_view(pg_cluster.url("live", user=chief.name), tmp_path / "views") == view
    # a plain project is no live view; refreshing one is one line
    assert not is_live_view(sample_path)
    with pytest.raises(SyncError, match="not a live view"):
        refresh_live_view(sample_path)


# --- a supervisor's live view is read-write: each edit goes to the server at once -----------------------------

def _admin(pg_cluster, db: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"host={pg_cluster.folder} user=gridwatch dbname={db}", autocommit=True)


@pytest.fixture
def served(pg_cluster, sample_path, tmp_path):  # type: ignore[no-untyped-def]
    """The sample with one finding a supervisor recorded (状态 found), published with a login per person."""
    import shutil
    import uuid

    from gridwatch.storage.findings import record_finding

    db = "rw" + uuid.uuid4().hex[:8]
    source = tmp_path / "district.gpkg"
    shutil.copyfile(sample_path, source)
    who = people(source)
    sup, insp = who["supervisor"], who["inspector"]
    cell = first_cell(source, insp)
    finding = record_finding(source, sup, category="scattered_coal", longitude=114.3, latitude=38.1, cell_code=cell,
                             description="散煤").created("finding")[0]
    pg_cluster.create_database(db)
    publish(source, pg_cluster.url(db), logins=True)
    return {"db": db, "sup": sup, "insp": insp, "cell": cell, "finding": finding, "who": who}


def _server_row(pg_cluster, db: str, table: str, uuid: str, columns: str):  # type: ignore[no-untyped-def]
    with _admin(pg_cluster, db) as con:
        return con.execute(f"SELECT {columns} FROM d130110.{table} WHERE uuid = %s", (uuid,)).fetchone()


def _view_row(view: Path, table: str, uuid: str, columns: str):  # type: ignore[no-untyped-def]
    with closing(sqlite3.connect(f"file:{view}?mode=ro", uri=True)) as con:
        return con.execute(f"SELECT {columns} FROM {table} WHERE uuid = ?", (uuid,)).fetchone()


def test_a_supervisors_live_view_sends_each_edit_to_the_server_at_once(pg_cluster, served, tmp_path):
    import datetime as dt

    from gridwatch.app.liveview import is_editable_live_view
    from gridwatch.storage.findings import change_finding

    sup, db = served["sup"], served["db"]
    view = open_live_view(pg_cluster.url(db, user=sup.name), tmp_path / "views")
    info = live_info(view)
    assert is_editable_live_view(view) and info["user"] == sup.name and info["role"] == "supervisor"
    # the person is the login's, whoever this computer's settings name
    session = Session(view, served["insp"].name)
    assert session.live and session.live_editable and not session.read_only
    assert session.actor is not None and session.actor.uuid == sup.uuid
    assert session.may(Action.ASSIGN_TASKS) and session.why_not(Action.ASSIGN_TASKS) is None
    # a task: on the server at once, seen by a second connection, its audit row stamped with the login
    task = session.run(create_assignments, [served["cell"]], "patrol").created("assignment")[0]
    assert _server_row(pg_cluster, db, "assignment", task, "cell_code, status") == (served["cell"], "assigned")
    with _admin(pg_cluster, db) as con:
        stamps = con.execute("SELECT gw_db_user, user_name FROM d130110.audit_log WHERE row_uuid = %s",
                             (task,)).fetchall()
    assert stamps == [(sup.name, sup.name)]
    # the finding assigned for rectification (交办): on the server at once, audit row stamped too
    f = served["finding"]
    session.run(change_finding, f, "assign", rectify_deadline=dt.date(2026, 12, 31), responsible_party="某厂")
    assert _server_row(pg_cluster, db, "finding", f, "status, responsible_party") == ("assigned", "某厂")
    with _admin(pg_cluster, db) as con:
        users = {r[0] for r in con.execute("SELECT gw_db_user FROM d130110.audit_log WHERE row_uuid = %s", (f,))}
    assert sup.name in users
    # nothing is left waiting on the view: it holds what the server holds
    assert _view_row(view, "finding", f, "status") == ("assigned",)
    assert count(view, "assignment") == 1
    from gridwatch.app.syncstate import sync_status

    assert not sync_status(view).has_pending
    # opening the district again syncs the same working copy
    assert open_live_view(pg_cluster.url(db, user=sup.name), tmp_path / "views") == view
    assert live_info(view)["editable"]


def test_an_inspectors_live_view_stays_read_only(pg_cluster, served, tmp_path):
    from gridwatch.app.liveview import is_editable_live_view
    from gridwatch.app.syncstate import is_working_copy

    insp = served["insp"]
    view = open_live_view(pg_cluster.url(served["db"], user=insp.name), tmp_path / "views")
    assert is_live_view(view) and not is_editable_live_view(view) and not is_working_copy(view)
    session = Session(view, insp.name)
    assert session.live and session.read_only and not session.live_editable
    assert not session.may(Action.RECORD_FINDING) and not session.may(Action.START_TASK)
    refusal = session.why_not(Action.RECORD_FINDING)
    assert refusal is not None and refusal.key == "project.live_read_only"
    # an edit asked for anyway (a script, a stale button) is refused before anything is written
    from gridwatch.errors import RefusedByRole

    before = rows_by_key(view, "assignment")
    chief = Session(view, served["who"]["chief"].name)
    with pytest.raises(RefusedByRole) as caught:
        chief.run(create_assignments, [served["cell"]], "patrol")
    assert caught.value.key == "project.live_read_only"
    assert rows_by_key(view, "assignment") == before


def test_a_server_refusal_puts_the_row_back_and_says_why_in_chinese(pg_cluster, served, tmp_path):
    import datetime as dt

    from gridwatch.domain.messages import message_text
    from gridwatch.storage.findings import change_finding

    sup, db, f = served["sup"], served["db"], served["finding"]
    view = open_live_view(pg_cluster.url(db, user=sup.name), tmp_path / "views")
    session = Session(view, "")
    # the district's administrator freezes findings on the server (a trigger of their own)
    with _admin(pg_cluster, db) as con:
        con.execute("CREATE FUNCTION d130110.freeze() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "RAISE EXCEPTION '年终盘点期间问题已冻结' USING ERRCODE = 'GW403'; END $$")
        con.execute("CREATE TRIGGER gw_0_freeze BEFORE UPDATE ON d130110.finding FOR EACH ROW "
                    "EXECUTE FUNCTION d130110.freeze()")
    with pytest.raises(SyncError) as caught:
        session.run(change_finding, f, "assign", rectify_deadline=dt.date(2026, 12, 31), responsible_party="某厂")
    assert caught.value.key == "live.refused"
    text = message_text(caught.value, "zh_CN")
    assert text.startswith("服务器拒绝了这项修改，界面已恢复为服务器上的当前状态") and "年终盘点期间问题已冻结" in text
    # the view shows the server's state: the finding still found, no audit row of the refused step
    assert _server_row(pg_cluster, db, "finding", f, "status") == ("found",)
    assert _view_row(view, "finding", f, "status") == ("found",)
    assert session.undo_stack == []
    from gridwatch.app.syncstate import sync_status

    assert not sync_status(view).has_pending
    with _admin(pg_cluster, db) as con:
        con.execute("DROP TRIGGER gw_0_freeze ON d130110.finding")
        # the supervisor is made an inspector on the server while the view still says supervisor
        con.execute("UPDATE d130110.inspector SET role = 'inspector' WHERE uuid = %s", (sup.uuid,))
    with pytest.raises(SyncError) as caught:
        session.run(change_finding, f, "assign", rectify_deadline=dt.date(2026, 12, 31), responsible_party="某厂")
    # the domain words the reason, from the server's state the view shows again
    text = message_text(caught.value, "zh_CN")
    assert caught.value.key == "live.refused" and "网格员" in text and "交办" in text, text
    assert _view_row(view, "finding", f, "status") == ("found",)
    assert _view_row(view, "inspector", sup.uuid, "role") == ("inspector",)


def test_a_live_edit_with_the_server_out_of_reach_is_taken_back(pg_cluster, served, tmp_path):
    import json

    from gridwatch.sync import sync_dir

    sup, db = served["sup"], served["db"]
    view = open_live_view(pg_cluster.url(db, user=sup.name), tmp_path / "views")
    session = Session(view, "")
    state_file = sync_dir(view) / "state.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    real = state["shared"]
    state["shared"] = f"postgresql://{sup.name}@/{db}?host={tmp_path}&district=d130110"  # no server there
    state_file.write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(SyncError) as caught:
        session.run(create_assignments, [served["cell"]], "patrol")
    assert caught.value.key == "live.offline"
    from gridwatch.domain.messages import message_text

    assert message_text(caught.value, "zh_CN").startswith("无法连接服务器，这项修改没有保存")
    assert count(view, "assignment") == 0
    state["shared"] = real
    state_file.write_text(json.dumps(state), encoding="utf-8")
    task = session.run(create_assignments, [served["cell"]], "patrol").created("assignment")[0]
    assert _server_row(pg_cluster, db, "assignment", task, "status") == ("assigned",)


def test_a_password_given_with_the_address_serves_the_views_edits_and_is_never_written(pg_cluster, served, tmp_path):
    """A login that must give its password (scram): the address carries it; the edits and refreshes after
    the opening use it from memory; neither the view's sidecar nor its sync state holds it."""
    import time
    from urllib.parse import quote

    from psycopg import sql

    from gridwatch.sync import sync_dir
    from gridwatch.sync.pg.publish import add_login

    login, password = "gw_live_pw", "冬防 secret"
    hba = pg_cluster.data / "pg_hba.conf"
    before = hba.read_text()
    with _admin(pg_cluster, served["db"]) as con:
        with con.cursor() as cur:
            add_login(cur, "d130110", login, served["sup"].uuid, "supervisor", password)
        hba.write_text(f"local all {login} scram-sha-256\n" + before)
        con.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)
    try:
        address = f"postgresql://{login}:{quote(password)}@/{served['db']}?host={quote(str(pg_cluster.folder))}"
        view = open_live_view(address, tmp_path / "views")
        session = Session(view, "")
        task = session.run(create_assignments, [served["cell"]], "patrol").created("assignment")[0]
        assert _server_row(pg_cluster, served["db"], "assignment", task, "status") == ("assigned",)
        assert refresh_live_view(view)["changed"] == 0
        for written in (Path(str(view) + ".live.json"), sync_dir(view) / "state.json"):
            text = written.read_text(encoding="utf-8")
            assert login in text and password not in text and quote(password) not in text
    finally:
        hba.write_text(before)
        with _admin(pg_cluster, served["db"]) as con:
            con.execute("SELECT pg_reload_conf()")
            con.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(login)))
