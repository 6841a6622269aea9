"""``gridwatch sample --scale city``: counties under real county codes, written one at a time, codes nesting,
density counts current, a valid GeoPackage (two tiny counties here; the benchmark writes the ten)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from gridwatch.sample.city import CITY_CODE, write_city
from gridwatch.storage import Project

from .test_density import assert_counts_current


def test_a_two_county_city_nests_its_codes_and_keeps_its_counts(tmp_path, gpkg_validator):
    path = write_city(tmp_path / "city.gpkg", counties=2, scale="tiny")
    project = Project.open(path)
    assert project.meta["county_code"] == CITY_CODE
    townships = project.read_layer("township")
    assert set(townships["county_code"]) == {"130110", "130102"}
    assert all(c.startswith(cc) and len(c) == 9 for c, cc in zip(townships["code"], townships["county_code"]))
    villages = project.read_layer("village", columns=["code", "township_code"])
    assert all(v.startswith(t) and len(v) == 12 for v, t in zip(villages["code"], villages["township_code"]))
    cells = project.read_layer("grid_cell", columns=["code", "village_code"])
    assert len(cells) == 2 * 1200 and cells["code"].is_unique
    assert all(c.startswith(v) and len(c) == 15 for c, v in zip(cells["code"], cells["village_code"]))
    fires, _ = project.read_point_layer("fire_point", columns=["cell_code"])
    assert {c[:6] for c in fires["cell_code"]} == {"130110", "130102"}
    # the second county lies beside the first, not on it
    first = townships[townships["county_code"] == "130110"].total_bounds
    second = townships[townships["county_code"] == "130102"].total_bounds
    assert second[0] > first[2]
    with closing(sqlite3.connect(path)) as con:
        n = con.execute("SELECT COUNT(*) FROM fire_point").fetchone()[0]
        assert con.execute('SELECT SUM("count") FROM fire_density WHERE level = 3').fetchone()[0] == n == len(fires)
    assert_counts_current(path)
    gpkg_validator(path)
