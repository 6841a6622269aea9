"""City view (issue 19): coverage and the township ranking across the districts of one PostGIS database."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from gridwatch.analysis.stats import month_period, township_summary_from_project
from gridwatch.sync.pg.city import city_view
from gridwatch.sync.pg.publish import publish

from .conftest import ROOT

NOW = dt.datetime(2025, 11, 20, 4, 0, tzinfo=dt.timezone.utc)  # the sample's as-of week
MONTH = "2025-11"


def _patrol(path, skip_town=None) -> None:
    """Inspections in November: every third cell of every township (not ``skip_town``'s)."""
    import uuid

    with closing(sqlite3.connect(path)) as con, con:
        cells = con.execute("SELECT code, township_code, inspector_uuid FROM grid_cell ORDER BY code").fetchall()
        con.executemany("INSERT INTO inspection (uuid, cell_code, inspector_uuid, kind, started_at, finished_at) "
                        "VALUES (?, ?, ?, 'patrol', '2025-11-10T02:00:00.000Z', '2025-11-10T03:00:00.000Z')",
                        [(str(uuid.uuid4()), code, who) for i, (code, town, who) in enumerate(cells)
                         if i % 3 == 0 and town != skip_town])


@pytest.fixture(scope="module")
def city(pg_cluster, sample_path, tmp_path_factory):
    """Two districts in one database: the sample patrolled in November, and a copy of it whose first
    township was not patrolled at all."""
    folder = tmp_path_factory.mktemp("city")
    busy, quiet = folder / "busy.gpkg", folder / "quiet.gpkg"
    shutil.copyfile(sample_path, busy)
    shutil.copyfile(sample_path, quiet)
    with closing(sqlite3.connect(quiet)) as con:
        town = con.execute("SELECT min(code) FROM township").fetchone()[0]
    _patrol(busy)
    _patrol(quiet, skip_town=town)
    pg_cluster.create_database("city")
    publish(busy, pg_cluster.url("city"), district="busy", logins=True)
    publish(quiet, pg_cluster.url("city"), district="quiet")
    return {"sample": busy, "quiet": quiet, "town": town}


def test_city_view_shows_every_district_and_ranks_all_townships_together(city, pg_cluster):
    view = city_view(pg_cluster.url("city"), month=MONTH, now=NOW)
    assert view.skipped == []
    assert view.period == month_period(MONTH, now=NOW)
    d = view.districts.set_index("district")
    assert list(view.districts["district"]) == ["busy", "quiet"]  # best coverage first
    for district, source in (("busy", city["sample"]), ("quiet", city["quiet"])):
        own = township_summary_from_project(source, period=view.period, now=NOW)
        assert d.loc[district, "townships"] == len(own)
        assert d.loc[district, "cells"] == own["cells"].sum()
        assert d.loc[district, "covered_cells"] == own["covered_cells"].sum()
        assert d.loc[district, "findings"] == own["findings"].sum()
        assert d.loc[district, "coverage_pct"] == round(own["covered_cells"].sum() / own["cells"].sum() * 100, 1)
    assert d.loc["quiet", "coverage_pct"] < d.loc["busy", "coverage_pct"]
    t = view.townships
    assert len(t) == 2 * d.loc["busy", "townships"]
    assert set(t["district"]) == {"busy", "quiet"} and t["district_name"].notna().all()
    assert list(t["rank"].dropna()) == sorted(t["rank"].dropna())
    # the township nobody patrolled ranks last of the city, and behind its twin in the other district
    unpatrolled = t[(t["district"] == "quiet") & (t["township_code"] == city["town"])].iloc[0]
    twin = t[(t["district"] == "busy") & (t["township_code"] == city["town"])].iloc[0]
    assert unpatrolled["coverage_pct"] == 0 and twin["coverage_pct"] > 0
    assert unpatrolled["rank"] > twin["rank"]


def test_a_login_sees_only_the_districts_the_server_lets_it_read(city, pg_cluster):
    with closing(sqlite3.connect(city["sample"])) as con:
        sup = con.execute("SELECT name FROM inspector WHERE role = 'supervisor' ORDER BY name").fetchone()[0]
    view = city_view(pg_cluster.url("city", user=sup), month=MONTH, now=NOW)
    assert list(view.districts["district"]) == ["busy"]
    assert len(view.skipped) == 1 and view.skipped[0].startswith("quiet: ")
    assert set(view.townships["district"]) == {"busy"}


def test_cli_city(city, pg_cluster):
    res = subprocess.run([sys.executable, "-m", "gridwatch", "city", pg_cluster.url("city"), "--month", MONTH,
                          "--json"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert [d["district"] for d in out["districts"]] == ["busy", "quiet"]
    assert len(out["townships"]) == 2 * out["districts"][0]["townships"] and out["skipped"] == []
    res = subprocess.run([sys.executable, "-m", "gridwatch", "city", pg_cluster.url("city"), "--month", MONTH],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert "2 district(s), 2025-11" in res.stdout and "鹿泉区" in res.stdout
