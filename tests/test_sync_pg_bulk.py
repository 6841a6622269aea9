"""Big pushes to the PostGIS server (issue 19's 10,000-edit sync): runs of one shape go as one set-based
statement (:meth:`gridwatch.sync.pg.rows.Pusher._apply_set`) with the same guarantees as one statement a
row: row versions, the server's judge on every row, one transaction."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import psycopg
import pytest

from gridwatch.storage.gpkg import connect_readwrite, transaction
from gridwatch.sync import sync, sync_dir
from gridwatch.sync.pg import rows as R
from gridwatch.sync.pg.schema import read_tables

from .test_sync_pg import district, rows_by_key, sample_path, server  # noqa: F401  (fixtures)

D = "d130110"


def _sites(path, n: int) -> list[tuple[str, str, bytes]]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return con.execute("SELECT uuid, developer, geom FROM construction_site ORDER BY fid LIMIT ?", (n,)).fetchall()


def _server_sites(pg_cluster, db: str) -> dict[str, tuple]:
    with server(pg_cluster, db) as con:
        return {u: (dev, area, v, wkb) for u, dev, area, v, wkb in con.execute(
            f"SELECT uuid, developer, area_m2, gw_version, ST_AsEWKB(geom) FROM {D}.construction_site")}


def test_a_sync_of_many_edits_lands_every_row_with_new_versions(district, pg_cluster):
    """60 developers and areas changed, 55 sites moved (geometry) and 52 deleted on the supervisor's laptop:
    one sync; the server holds exactly the laptop's rows, each with a new row version and a change number,
    and the inspector's laptop receives them."""
    a, b, db = district["a"], district["b"], district["db"]
    sites = _sites(a, 200)
    assert len(sites) >= 168
    before = _server_sites(pg_cluster, db)
    with connect_readwrite(a) as con, transaction(con):
        for i, (u, _dev, _g) in enumerate(sites[:60]):
            con.execute("UPDATE construction_site SET developer = ?, area_m2 = ? WHERE uuid = ?",
                        (f"开发商 {i}", 1000.5 + i, u))
        for u, _dev, _g in sites[60:115]:  # the geometry of another site: a move, in the GeoPackage's blob
            con.execute("UPDATE construction_site SET geom = ? WHERE uuid = ?", (sites[-1][2], u))
        for u, _dev, _g in sites[115:167]:
            con.execute("DELETE FROM construction_site WHERE uuid = ?", (u,))
    rep = sync(a)
    assert (rep.sent, rep.refused) == (167, 0)
    after = _server_sites(pg_cluster, db)
    for i, (u, _dev, _g) in enumerate(sites[:60]):
        assert after[u][:2] == (f"开发商 {i}", 1000.5 + i) and after[u][2] > before[u][2]
    moved_to = before[sites[-1][0]][3]
    for u, _dev, _g in sites[60:115]:
        assert after[u][3] == moved_to and after[u][2] > before[u][2]
    assert not any(u in after for u, _dev, _g in sites[115:167])
    assert after[sites[167][0]] == before[sites[167][0]]  # a row nobody touched
    with server(pg_cluster, db) as con:
        logged = {r[0] for r in con.execute(f"SELECT row_key FROM {D}.gw_change WHERE tbl = 'construction_site'")}
    assert {u for u, _dev, _g in sites[:167]} <= logged
    assert rows_by_key(a, "construction_site") == rows_by_key(sync_dir(a) / "base.gpkg", "construction_site")
    sync(b)
    assert rows_by_key(b, "construction_site") == rows_by_key(a, "construction_site")


def _pusher(pg_cluster, db: str, login: str, laptop, mark: int | None = None) -> R.Pusher:
    con = psycopg.connect(f"host={pg_cluster.folder} user={login} dbname={db}")
    if mark is None:
        with con.cursor() as cur:
            mark = R.watermark(cur, D)
        con.rollback()
    return R.Pusher(con, D, read_tables(sync_dir(laptop) / "base.gpkg"), mark)


class _Finish:
    sync_uuid = "00000000-0000-4000-8000-000000000001"

    def __call__(self, cur, refused) -> None:  # type: ignore[no-untyped-def]
        self.refused = refused


def test_a_big_push_of_rows_changed_since_the_pull_writes_nothing(district, pg_cluster):
    """The set-based statement keeps the row-version condition: one of 60 rows changed on the server after
    the laptop's pull, and the push is stale with none of the 60 written."""
    a, db, sup = district["a"], district["db"], district["sup"]
    sites = _sites(a, 60)
    pusher = _pusher(pg_cluster, db, sup.name, a)
    with server(pg_cluster, db) as con:
        con.execute(f"UPDATE {D}.construction_site SET developer = 'meanwhile' WHERE uuid = %s", (sites[30][0],))
    before = _server_sites(pg_cluster, db)
    ops = [[R.Op("construction_site", "update", u, {"developer": "late"})] for u, _dev, _g in sites]
    with pytest.raises(R.Stale):
        pusher.push(ops, _Finish())
    pusher.con.close()
    assert _server_sites(pg_cluster, db) == before


def test_a_big_push_the_server_refuses_is_refused_row_by_row_and_writes_nothing(district, pg_cluster):
    """An inspector's login sending 60 construction-site edits (map layers only the grid's managers edit):
    the set-based statement is refused by the server, the push finds each refused group, and no site
    changes."""
    b, db, insp = district["b"], district["db"], district["insp"]
    sites = _sites(b, 60)
    before = _server_sites(pg_cluster, db)
    pusher = _pusher(pg_cluster, db, insp.name, b)
    finish = _Finish()
    refused = pusher.push([[R.Op("construction_site", "update", u, {"developer": "x"})] for u, _d, _g in sites],
                          finish)
    pusher.con.close()
    assert len(refused) == 60 and finish.refused == refused
    assert _server_sites(pg_cluster, db) == before
