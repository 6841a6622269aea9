"""The office's live view of a PostGIS district (issue 19): a read-only GeoPackage read from the server and
refreshed with what changed there, opened by the app as a project nobody can edit."""

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
    sup = who["supervisor"]
    view = open_live_view(pg_cluster.url("live", user=sup.name), tmp_path / "views")
    assert is_live_view(view) and live_info(view)["district"] == "d130110"
    server = tmp_path / "server.gpkg"
    with psycopg.connect(f"host={pg_cluster.folder} user=gridwatch dbname=live") as con:
        download(con, "d130110", server)
    for table in ("grid_cell", "inspector", "fire_point", "assignment"):
        assert rows_by_key(view, table) == rows_by_key(server, table), table
    # the app opens it read-only, and says why in the words of a live view
    session = Session(view, sup.name)
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
    assert open_live_view(pg_cluster.url("live", user=sup.name), tmp_path / "views") == view
    # a plain project is no live view; refreshing one is one line
    assert not is_live_view(sample_path)
    with pytest.raises(SyncError, match="not a live view"):
        refresh_live_view(sample_path)
