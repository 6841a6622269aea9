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
    assert list(view.districts["district"]) == ["busy", "quiet"]  # the better coverage ranks first
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


# --- the work plans' assessment across districts (issue 17's rules, issue 19's city) ---------------------------

PLAN_NOW = dt.datetime(2026, 12, 6, 4, 0, tzinfo=dt.timezone.utc)
FIRES_ONLY = {"fires": 1.0}  # the ranking weighs the fires indicator alone: every score is worked out by hand


def _fires(path, town: str, statuses: list[str]) -> None:
    """Every fire point moved out of November 2026 (unverified); then one fire point of ``town`` detected on
    10 November per status in ``statuses``."""
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    with closing(connect_readwrite(path)) as con, transaction(con):
        con.execute("UPDATE fire_point SET detected_utc = '2025-01-15T03:00:00.000Z', status = 'unverified'")
        fids = [r[0] for r in con.execute("SELECT fid FROM fire_point ORDER BY fid LIMIT ?", (len(statuses),))]
        for fid, status in zip(fids, statuses):
            con.execute("UPDATE fire_point SET township_code = ?, status = ?, detected_utc = "
                        "'2026-11-10T03:00:00.000Z' WHERE fid = ?", (town, status, fid))


@pytest.fixture(scope="module")
def plans_city(pg_cluster, tmp_path_factory):
    """Two copies of the sample as districts "east" and "west" of one database (the same township codes):

    * east: township T1 two confirmed straw burnings in November 2026 (2 x 500,000 yuan);
    * west: township T1 five other burnings (its own deduction 200,000 yuan each), township T2 a veto
      item on 15 November (concealed fire points) and no fire point.
    """
    import datetime as _d

    from gridwatch.storage.plans import set_settings, set_veto

    from .conftest import bare_sample_in
    from .test_sync_pg import people

    folder = tmp_path_factory.mktemp("plans-city")
    for name in ("e", "w"):
        (folder / name).mkdir()
    east, west = bare_sample_in(folder / "e"), bare_sample_in(folder / "w")
    with closing(sqlite3.connect(east)) as con:
        towns = [r[0] for r in con.execute("SELECT code FROM township ORDER BY code")]
        cells = dict(con.execute("SELECT township_code, count(*) FROM grid_cell GROUP BY township_code"))
    t1, t2 = towns[0], towns[1]
    _fires(east, t1, ["burning_confirmed"] * 2)
    _fires(west, t1, ["burning_other"] * 5)
    sup = people(west)["supervisor"]
    set_veto(west, sup, t2, "concealed_fire", _d.date(2026, 11, 15), "瞒报火点两处")
    set_settings(west, sup, {"deduction_other_yuan": 200000})
    pg_cluster.create_database("plancity")
    publish(east, pg_cluster.url("plancity"), district="east")
    publish(west, pg_cluster.url("plancity"), district="west")
    return {"towns": towns, "cells": cells, "t1": t1, "t2": t2}


def test_city_ranking_follows_the_work_plans_assessment_across_districts(plans_city, pg_cluster):
    view = city_view(pg_cluster.url("plancity"), month="2026-11", now=PLAN_NOW, weights=FIRES_ONLY)
    t1, t2, k = plans_city["t1"], plans_city["t2"], len(plans_city["towns"])
    t = view.townships.set_index(["district", "township_code"])
    assert len(t) == 2 * k  # the same codes in two districts: told apart by district
    # fire points by kind with each district's own deductions
    assert t.loc[("east", t1), ["fires_straw", "fires_other"]].tolist() == [2, 0]
    assert t.loc[("east", t1), "deduction_yuan"] == 2 * 500_000
    assert t.loc[("west", t1), ["fires_straw", "fires_other"]].tolist() == [0, 5]
    assert t.loc[("west", t1), "deduction_yuan"] == 5 * 200_000
    # the districts' deductions differ: the city weighs other burning with the plans' 100,000 / 500,000 = 0.2
    assert len(view.notes) == 1 and "differ" in view.notes[0]
    # straw-equivalents per cell: east T1 2/n (the city's worst: score 0), west T1 5 x 0.2 / n = half of it (50)
    assert t.loc[("east", t1), "score"] == 0.0
    assert t.loc[("west", t1), "score"] == 50.0
    # the 2k - 3 townships with no burning share rank 1 (100 points); then west T1, then east T1
    clean = t[t["score"] == 100.0]
    assert len(clean) == 2 * k - 2  # west T2 scores 100 too, but its veto puts it last
    assert set(clean.drop(index=("west", t2))["rank"]) == {1} and clean.drop(index=("west", t2))["tied"].all()
    assert t.loc[("west", t1), "rank"] == 2 * k - 2 and not t.loc[("west", t1), "tied"]
    assert t.loc[("east", t1), "rank"] == 2 * k - 1
    # the veto: last of the city whatever its score, with the item and reason
    assert t.loc[("west", t2), "rank"] == 2 * k and "瞒报火点" in t.loc[("west", t2), "veto"]
    assert (view.townships.iloc[-1]["district"], view.townships.iloc[-1]["township_code"]) == ("west", t2)
    assert list(view.townships["rank"]) == sorted(view.townships["rank"])
    # the districts with the same code: the same number of cells; west 1 straw-equivalent, east 2: west first
    d = view.districts.set_index("district")
    assert list(view.districts["district"]) == ["west", "east"]
    assert d.loc["west", "score"] == 50.0 and d.loc["east", "score"] == 0.0
    assert d.loc["west", "rank"] == 1 and d.loc["east", "rank"] == 2
    assert d.loc["west", "vetoed"] == 1 and d.loc["east", "vetoed"] == 0
    assert d.loc["east", "deduction_yuan"] == 1_000_000 and d.loc["west", "deduction_yuan"] == 1_000_000
    assert d.loc["east", "cells"] == d.loc["west", "cells"] == sum(plans_city["cells"].values())
