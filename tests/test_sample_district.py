"""The bundled sample district: realistic counts, exact tiling, nesting codes, valid GeoPackage."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest
import shapely

from gridwatch.crs import measuring_epsg
from gridwatch.layers import LAYERS
from gridwatch.sample import generator
from gridwatch.storage import Project

from .conftest import sha256


@pytest.fixture(scope="module")
def layers(sample_path):
    return Project.open(sample_path).read_all_layers()


@pytest.fixture(scope="module")
def projected(layers):
    epsg = measuring_epsg(tuple(layers["township"].total_bounds))
    return {k: v.to_crs(epsg) for k, v in layers.items() if k in ("township", "village", "grid_cell")}


def test_sample_is_small_and_valid_geopackage(sample_path, gpkg_validator):
    assert sample_path.stat().st_size < 10 * 1024 * 1024
    gpkg_validator(sample_path)


def test_counts_are_those_of_a_real_district(layers):
    assert 8 <= len(layers["township"]) <= 20
    assert 150 <= len(layers["village"]) <= 400
    assert 1500 <= len(layers["grid_cell"]) <= 4000
    assert 20 <= len(layers["mine"]) <= 60
    assert 100 <= len(layers["construction_site"]) <= 400
    assert len(layers["fire_point"]) >= 1000
    assert len(layers["coal_ban_zone"]) >= 1 and len(layers["fireworks_ban_zone"]) >= 1


def test_every_layer_passes_its_own_validation(layers):
    for name, frame in layers.items():
        assert LAYERS[name].validate(frame.reset_index(drop=True)) == [], name


def test_townships_are_the_real_ones_of_one_county(layers, realdata):
    with open(realdata / "china" / "streets_township_names_2023.csv", encoding="utf-8") as fh:
        real = {r["code"]: r for r in csv.DictReader(fh)}
    t = layers["township"]
    assert t["county_code"].nunique() == 1
    county = t["county_code"].iloc[0]
    for code, name in zip(t["code"], t["name"]):
        assert code in real, code
        assert real[code]["name"] == name and real[code]["areaCode"] == county
    assert len(t) == sum(1 for r in real.values() if r["areaCode"] == county)


def test_codes_nest(layers):
    t, v, c = layers["township"], layers["village"], layers["grid_cell"]
    assert set(v["township_code"]) <= set(t["code"])
    assert all(vc.startswith(tc) and len(vc) == 12 for vc, tc in zip(v["code"], v["township_code"]))
    assert set(c["village_code"]) <= set(v["code"])
    assert all(cc.startswith(vc) and len(cc) == 15 for cc, vc in zip(c["code"], c["village_code"]))
    village_township = dict(zip(v["code"], v["township_code"]))
    assert all(village_township[vc] == tc for vc, tc in zip(c["village_code"], c["township_code"]))
    assert set(v["code"]) == set(c["village_code"]), "every village has cells"


def test_every_row_has_a_unique_uuid(layers):
    seen: set[str] = set()
    for name, frame in layers.items():
        ids = frame["uuid"].tolist()
        assert len(set(ids)) == len(ids), name
        assert not (seen & set(ids)), name
        seen |= set(ids)


def _assert_tiles(parts: pd.Series, whole, what: str) -> None:
    geoms = np.asarray(parts)
    assert shapely.coverage_is_valid(geoms), f"{what}: parts overlap or their edges do not match"
    union = shapely.coverage_union_all(geoms)
    assert union.symmetric_difference(whole).area < 1e-6 * whole.area, f"{what}: gaps against the parent"
    assert abs(sum(g.area for g in geoms) - whole.area) < 1e-6 * whole.area, f"{what}: areas do not add up"


def test_cells_tile_their_villages_exactly(projected):
    cells, villages = projected["grid_cell"], projected["village"]
    by_village = cells.groupby("village_code").geometry
    for code, geom in zip(villages["code"], villages.geometry):
        _assert_tiles(by_village.get_group(code), geom, f"village {code}")


def test_villages_tile_townships_and_nothing_overlaps(projected):
    t, v, c = projected["township"], projected["village"], projected["grid_cell"]
    by_t = v.groupby("township_code").geometry
    for code, geom in zip(t["code"], t.geometry):
        _assert_tiles(by_t.get_group(code), geom, f"township {code}")
    # The whole district: no two cells overlap anywhere, no two townships overlap.
    assert shapely.coverage_is_valid(np.asarray(c.geometry))
    assert shapely.coverage_is_valid(np.asarray(t.geometry))
    pairs = c.sindex.query(c.geometry, predicate="overlaps")
    assert pairs.shape[1] == 0


def test_district_is_not_a_chessboard(projected):
    cells = projected["grid_cell"]
    areas = cells.area
    # Irregular cells of varied size (denser in town), many vertices, not axis-aligned squares.
    assert areas.std() / areas.mean() > 0.3
    n_vertices = shapely.get_num_coordinates(np.asarray(cells.geometry))
    assert np.median(n_vertices) >= 6
    town = projected["township"]
    assert (shapely.get_num_coordinates(np.asarray(town.geometry)) > 40).all()


def test_town_centre_zones_mines_and_fires_are_where_they_belong(layers, projected):
    t = layers["township"]
    seat = t[t["code"].str.endswith("100")].geometry.iloc[0]
    coal = layers["coal_ban_zone"].geometry.union_all()
    fireworks = layers["fireworks_ban_zone"].geometry.union_all()
    assert coal.intersects(seat.representative_point()) or coal.intersection(seat).area > 0.3 * seat.area
    assert fireworks.intersection(seat).area > 0.2 * seat.area
    # Communities (urban) cluster in the town; their cells are smaller than rural ones.
    cells = projected["grid_cell"].merge(layers["village"][["code", "kind"]], left_on="village_code",
                                         right_on="code", suffixes=("", "_v"))
    by_kind = cells.groupby("kind").geometry.apply(lambda g: g.area.mean())
    assert by_kind["community"] < 0.7 * by_kind["village"]
    # Mines sit in the hilly west of the district.
    district_x = t.geometry.union_all().centroid.x
    assert layers["mine"].geometry.representative_point().x.mean() < district_x
    assert set(layers["mine"]["status"]) == {"operating", "closed", "rehabilitating"}
    assert set(layers["construction_site"]["dust_grade"]) == {"A", "B", "C"}
    assert set(layers["construction_site"].geometry.geom_type) >= {"Point", "Polygon"}


def test_key_areas_are_monitoring_stations_and_a_school_with_sites_around_them(layers):
    keys = layers["key_area"]
    assert sorted(keys["kind"]) == ["city_station", "national_station", "provincial_station", "school"]
    assert sorted(keys.geometry.geom_type) == ["Point", "Point", "Point", "Polygon"]
    district = layers["township"].geometry.union_all()
    assert keys.geometry.within(district).all()
    epsg = measuring_epsg(tuple(layers["township"].total_bounds))
    sites = layers["construction_site"].to_crs(epsg)
    near = sites.geometry.apply(lambda g: keys.to_crs(epsg).distance(g).min() <= 3000)
    # Enough sites within 3 km for the rule checks to find some below grade A, and some that are A.
    assert (near & (sites["dust_grade"] != "A")).sum() >= 20 and (near & (sites["dust_grade"] == "A")).sum() >= 5


def test_fire_season_peaks_in_october_november(layers):
    f = layers["fire_point"]
    months = f["detected_utc"].dt.tz_convert("Asia/Shanghai").dt.month
    share = months.isin([10, 11]).mean()
    assert share > 0.5
    counts = months.value_counts()
    assert counts.idxmax() in (10, 11)
    # Local time is UTC + 8 hours, written as ISO text with the offset.
    local = pd.to_datetime(f["detected_local"].str[:19])
    assert ((local - f["detected_utc"].dt.tz_localize(None)) == pd.Timedelta(hours=8)).all()
    assert f["detected_local"].str.endswith("+08:00").all()


def test_fire_points_carry_the_cell_they_fall_in(layers):
    f, c = layers["fire_point"], layers["grid_cell"]
    hits = c.sindex.query(f.geometry, predicate="within")
    found = pd.Series(c["code"].to_numpy()[hits[1]], index=hits[0])
    assert len(found) == len(f)
    assert (f["cell_code"].to_numpy()[found.index] == found.to_numpy()).all()
    assert (f["cell_code"].str[:12] == f["village_code"]).all()
    assert (f["village_code"].str[:9] == f["township_code"]).all()


def test_inspectors_and_responsible_cells(layers, sample_path):
    people = Project.open(sample_path).read_table("inspector")
    roles = people["role"].value_counts()
    assert roles["inspector"] >= 3 and roles["supervisor"] >= 1 and roles["admin"] >= 1
    cells = layers["grid_cell"]
    assert set(cells["inspector_uuid"]) <= set(people.loc[people["role"] == "inspector", "uuid"])


def test_committed_sample_is_what_the_generator_makes(tmp_path, layers):
    """README says how the sample was made; regenerating it gives the same district."""
    out = generator.write_sample(tmp_path / "again.gpkg")
    again = Project.open(out).read_all_layers()
    for name, frame in layers.items():
        other = again[name]
        assert list(frame.columns) == list(other.columns), name
        assert frame.drop(columns="geometry").equals(other.drop(columns="geometry")), name
        assert frame.geometry.geom_equals_exact(other.geometry, tolerance=0).all(), name


def test_same_seed_same_bytes_other_seed_other_district(tmp_path):
    a = generator.write_sample(tmp_path / "a.gpkg", seed=7)
    b = generator.write_sample(tmp_path / "b.gpkg", seed=7)
    c = generator.write_sample(tmp_path / "c.gpkg", seed=8)
    assert sha256(a) == sha256(b)
    assert sha256(a) != sha256(c)
    ca = Project.open(a).read_layer("grid_cell")
    cc = Project.open(c).read_layer("grid_cell")
    assert not ca.geometry.iloc[:50].geom_equals(cc.geometry.iloc[:50]).all()


def test_vendored_township_list_matches_realdata(realdata):
    from gridwatch.sample.names import load_townships

    vendored = load_townships(generator.TOWNSHIP_CSV)
    with open(realdata / "china" / "streets_township_names_2023.csv", encoding="utf-8") as fh:
        real = sorted((r["code"], r["name"]) for r in csv.DictReader(fh) if r["areaCode"] == generator.COUNTY_CODE)
    assert vendored == real
