"""Layer definitions: every kind has a schema, style and label field; rules catch bad rows."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
from shapely.geometry import LineString, Point, box

from gridwatch.layers import GROUPS, LAYERS, layer_spec


def test_every_layer_kind_is_complete():
    assert list(LAYERS) == ["township", "village", "grid_cell", "coal_ban_zone", "fireworks_ban_zone", "mine",
                            "construction_site", "key_area", "fire_point"]
    for spec in LAYERS.values():
        assert spec.fields[0].name == "uuid" and spec.fields[0].unique
        assert spec.group in GROUPS
        assert spec.title_zh and spec.title_en
        assert spec.label_field is None or spec.label_field in spec.field_names
        if spec.style.category_field:
            field = spec.field(spec.style.category_field)
            flagged = {spec.style.flag_category[1]} if spec.style.flag_category else set()  # e.g. heat sources
            assert set(field.choices or ()) | flagged == set(spec.style.categories), spec.name
            if spec.style.flag_category:
                assert spec.style.flag_category[0] in spec.field_names


def cells(**overrides):
    data = {
        "uuid": ["a1b2c3d4-0000-4000-8000-000000000001", "a1b2c3d4-0000-4000-8000-000000000002"],
        "code": ["130110100201001", "130110100201002"],
        "name": ["西营村1号网格", "西营村2号网格"],
        "village_code": ["130110100201", "130110100201"],
        "township_code": ["130110100", "130110100"],
        "level": ["grid", "special"],
        "inspector_uuid": [None, None],
    }
    data.update(overrides)
    return gpd.GeoDataFrame(data, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4490)


def test_valid_cells_pass():
    assert layer_spec("grid_cell").validate(cells()) == []


def test_problems_name_the_row_and_field():
    spec = layer_spec("grid_cell")
    problems = spec.validate(cells(level=["grid", "zone"], code=["130110100201001", "130110999201002"]))
    assert any("row 2" in p and "'level'" in p and "allowed: grid, special" in p for p in problems)
    assert any("row 2" in p and "does not nest in village_code" in p for p in problems)
    problems = spec.validate(cells(name=["西营村1号网格", " "]))
    assert problems == ["grid_cell row 2 (code 130110100201002): field 'name' is empty"]
    dup = cells(uuid=["a1b2c3d4-0000-4000-8000-000000000001"] * 2)
    assert any("repeated" in p for p in spec.validate(dup))


def test_missing_required_field_and_wrong_geometry():
    spec = layer_spec("grid_cell")
    assert spec.validate(cells().drop(columns="village_code")) == [
        "grid_cell: required field 'village_code' is missing; map a source column to it"
    ]
    bad = cells()
    bad.loc[0, "geometry"] = LineString([(0, 0), (1, 1)])
    assert any("geometry is a LineString; this layer takes Polygon, MultiPolygon" in p for p in spec.validate(bad))


def test_fire_point_and_site_rules():
    fire = layer_spec("fire_point")
    frame = gpd.GeoDataFrame(
        {"uuid": ["a1b2c3d4-0000-4000-8000-000000000003"], "detected_utc": [None], "detected_local": ["x"],
         "source": ["Sentinel"], "status": ["unverified"]},
        geometry=[Point(114, 38)], crs=4490,
    )
    problems = fire.validate(frame)
    assert any("'detected_utc' is empty" in p for p in problems)
    assert any("'source' has 'Sentinel'" in p for p in problems)
    site = layer_spec("construction_site")
    frame = gpd.GeoDataFrame(
        {"uuid": ["a1b2c3d4-0000-4000-8000-000000000004"], "name": ["工地"], "dust_grade": ["A"],
         "start_date": [dt.date(2025, 5, 1)], "end_date": [dt.date(2025, 1, 1)]},
        geometry=[Point(114, 38)], crs=4490,
    )
    assert any("end_date 2025-01-01 is before start_date 2025-05-01" in p for p in site.validate(frame))


def test_fireworks_zone_needs_a_ban_period():
    spec = layer_spec("fireworks_ban_zone")
    frame = gpd.GeoDataFrame(
        {"uuid": ["a1b2c3d4-0000-4000-8000-000000000005"], "name": ["城区"], "legal_basis": ["通告"],
         "in_force_from": [dt.date(2020, 1, 1)], "ban_all_year": [False], "ban_period_start": [None],
         "ban_period_end": [None]},
        geometry=[box(0, 0, 1, 1)], crs=4490,
    )
    assert any("give ban_period_start and ban_period_end" in p for p in spec.validate(frame))
    frame["ban_period_start"], frame["ban_period_end"] = "12-20", "13-10"
    assert any("'ban_period_end'" in p for p in spec.validate(frame))


def test_numbers_in_code_columns_are_refused():
    """Spreadsheets turn codes into numbers (130110100 -> 130110100.0); that must not pass."""
    frame = cells()
    frame["township_code"] = frame["township_code"].astype(object)
    frame.loc[1, "township_code"] = 130110100
    problems = layer_spec("grid_cell").validate(frame)
    assert any("row 2" in p and "'township_code' value 130110100 does not match" in p for p in problems)


def test_key_areas_are_points_or_polygons_of_a_known_kind():
    spec = layer_spec("key_area")
    ok = gpd.GeoDataFrame({"uuid": ["a1b2c3d4-0000-4000-8000-000000000001", "a1b2c3d4-0000-4000-8000-000000000002"],
                           "name": ["国控站点", "第一中学"], "kind": ["national_station", "school"],
                           "buffer_m": [3000.0, None]},
                          geometry=[Point(114.3, 38.1), box(114.31, 38.1, 114.32, 38.11)], crs=4490)
    assert spec.validate(ok) == []
    assert spec.group in GROUPS and spec.geometry_type == "GEOMETRY"
    bad = ok.assign(kind=["national_station", "park"])
    assert any("'kind'" in p and "park" in p for p in spec.validate(bad))
    line = ok.set_geometry([Point(114.3, 38.1), LineString([(114.3, 38.1), (114.4, 38.1)])], crs=4490)
    assert any("LineString" in p for p in spec.validate(line))
