"""The bundled sample district: realistic counts, exact tiling, nesting codes, valid GeoPackage."""

from __future__ import annotations

import csv
import datetime as dt

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
    # about 8 MB of district and work and 16 MB of two weeks of patrol tracks
    assert sample_path.stat().st_size < 28 * 1024 * 1024
    gpkg_validator(sample_path)


def test_inspections_of_the_last_two_weeks_have_their_patrol_tracks_with_realistic_gaps(sample_path):
    from gridwatch.analysis.track_coverage import signin_check_from_project
    from gridwatch.sample.tracks import EVERY_S, TRACK_DAYS
    from gridwatch.storage.tracks import read_tracks

    tracks = read_tracks(sample_path)
    assert 20_000 <= len(tracks) <= 60_000 and set(tracks["source"]) == {"gps"}
    bj = dt.timezone(dt.timedelta(hours=8))
    as_of = dt.datetime.combine(generator.BUNDLED_AS_OF, dt.time(0), tzinfo=bj)
    start = as_of - dt.timedelta(days=TRACK_DAYS)
    t = tracks["recorded_at"]
    assert t.min() >= start - dt.timedelta(days=3) and t.max() < as_of + dt.timedelta(days=1)
    # one point every EVERY_S seconds within a track
    steps = tracks.groupby("track_uuid")["recorded_at"].diff().dropna()
    assert (steps == pd.Timedelta(seconds=EVERY_S)).all()
    # each track walks in its inspection's cell
    cells = Project.open(sample_path).read_layer("grid_cell")
    inside = shapely.contains_xy(shapely.union_all(cells.geometry.values), tracks["lon"], tracks["lat"])
    assert inside.mean() > 0.97
    # the 签到 check of the last week: most visits have a track near them, some (a few inspectors never
    # switch the receiver on, others forget it now and then, some walk on another day) do not
    week = signin_check_from_project(sample_path, start=as_of - dt.timedelta(days=7), end=as_of)
    flagged = int((~week["signed_in"]).sum())
    assert len(week) > 500 and 0.04 * len(week) <= flagged <= 0.15 * len(week)
    # older visits than the receivers have no track: all flagged
    old = signin_check_from_project(sample_path, start=start - dt.timedelta(days=14), end=start - dt.timedelta(days=4))
    assert len(old) > 500 and not old["signed_in"].any()


def test_counts_are_those_of_a_real_district(layers):
    assert 8 <= len(layers["township"]) <= 20
    assert 150 <= len(layers["village"]) <= 400
    assert 1500 <= len(layers["grid_cell"]) <= 4000
    assert 20 <= len(layers["mine"]) <= 60
    assert 100 <= len(layers["construction_site"]) <= 400
    # a few dozen straw fires in the season and a few dozen detections of persistent heat sources
    fires = layers["fire_point"]
    assert 50 <= len(fires) <= 300
    assert 20 <= fires["heat_source"].sum() <= 150 and (~fires["heat_source"]).sum() >= 30
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


def test_fire_points_are_the_two_months_before_the_as_of_date(layers):
    f = layers["fire_point"]
    local = f["detected_utc"].dt.tz_convert("Asia/Shanghai")
    assert local.min().date() >= AS_OF - dt.timedelta(days=61) and local.max().date() < AS_OF
    straw = local[~f["heat_source"]]
    assert straw.dt.month.value_counts().idxmax() == 10  # the autumn straw season peaks in October
    last_week = local >= pd.Timestamp(AS_OF - dt.timedelta(days=7), tz="Asia/Shanghai")
    assert last_week.sum() >= 5  # "the last 7 days" is never empty
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


def test_committed_sample_is_what_the_generator_makes(tmp_path, layers, sample_path):
    """README says how the sample was made; regenerating it gives the same district, byte for byte."""
    out = generator.write_sample(tmp_path / "again.gpkg")
    again = Project.open(out).read_all_layers()
    for name, frame in layers.items():
        other = again[name]
        assert list(frame.columns) == list(other.columns), name
        assert frame.drop(columns="geometry").equals(other.drop(columns="geometry")), name
        assert frame.geometry.geom_equals_exact(other.geometry, tolerance=0).all(), name
    assert sha256(out) == sha256(sample_path), "regenerate it: gridwatch sample --out sample_data/... --overwrite"


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


# --- the living two months (issue 15) ----------------------------------------------------------

AS_OF = generator.BUNDLED_AS_OF


@pytest.fixture(scope="module")
def tables(sample_path):
    project = Project.open(sample_path)
    return {name: project.read_table(name) for name in ("inspector", "assignment", "inspection", "attachment",
                                                         "audit_log", "sync_log", "sync_conflict")} | {
        "finding": project.read_layer("finding")}


def test_people_are_organised_by_village_with_a_chief_per_township(layers, tables):
    people = tables["inspector"]
    active = people[people["active"].astype(bool)]
    inspectors = active[active["role"] == "inspector"]
    villages, cells = layers["village"], layers["grid_cell"]
    per_village = inspectors.groupby("village_code").size().reindex(villages["code"]).fillna(0)
    assert (per_village >= 1).all() and (per_village == 1).mean() > 0.6 and per_village.max() <= 3
    chiefs = active[active["role"] == "chief"]
    assert sorted(chiefs["township_code"]) == sorted(layers["township"]["code"])
    assert 2 <= (active["role"] == "supervisor").sum() <= 5 and (active["role"] == "admin").sum() >= 1
    assert people["name"][people["active"].astype(bool)].is_unique
    # every cell is held by an active inspector of its own village
    holder = cells.merge(people, left_on="inspector_uuid", right_on="uuid", suffixes=("", "_p"))
    assert len(holder) == len(cells) and (holder["role"] == "inspector").all()
    assert (holder["village_code"] == holder["village_code_p"]).all()
    mobiles = people["phone"][people["role"].isin(["inspector", "chief"])]
    assert mobiles.str.fullmatch(r"1\d\d\*{4}\d{4}").all()  # masked, as bulletins print them


def test_two_months_of_work_with_gaps_a_lagging_township_and_every_state_of_the_loop(sample_path, layers, tables):
    from gridwatch.analysis import stats

    ins, findings, tasks = tables["inspection"], tables["finding"], tables["assignment"]
    assert 3000 <= len(ins) <= 12000
    started = ins["started_at"].dt.tz_convert("Asia/Shanghai")
    assert started.max().date() >= AS_OF - dt.timedelta(days=2) and started.max().date() < AS_OF
    assert started.min().date() >= AS_OF - dt.timedelta(days=61)
    never = set(layers["grid_cell"]["code"]) - set(ins["cell_code"])
    assert 20 <= len(never) <= 300
    # findings: about 200, in every state, some rejected, some overdue
    assert 120 <= len(findings) <= 300
    assert set(findings["status"]) == {"found", "assigned", "rectified", "verified", "closed"}
    assert (findings["reject_count"] > 0).sum() >= 5
    deadline = pd.to_datetime(findings["rectify_deadline"].astype(object))
    overdue = findings["status"].isin(["found", "assigned", "rectified"]) & (deadline.dt.date < AS_OF)
    assert overdue.sum() >= 5
    # tasks: done in time, done late, open past their due time, cancelled; fire-point checks among them
    assert {"fire_check", "construction_dust", "mine", "coal_ban", "unannounced"} <= set(tasks["kind"])
    assert {"assigned", "in_progress", "done", "cancelled"} <= set(tasks["status"])
    due = tasks["due_at"]
    assert (tasks["status"].eq("done") & (tasks["finished_at"] > due)).sum() >= 5  # late
    assert (tasks["status"].isin(["assigned", "in_progress"]) & (due < pd.Timestamp(AS_OF, tz="UTC"))).sum() >= 3
    # a ranking with distinct ranks, and one township clearly behind in coverage
    end = dt.datetime.combine(AS_OF, dt.time(0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    summary = stats.township_summary_from_project(sample_path, period=(end - dt.timedelta(days=30), end), now=end)
    ranked = stats.ranking(summary)
    assert ranked["rank"].is_unique and ranked["score"].is_unique
    coverage = summary.set_index("name")["coverage_pct"]
    assert coverage.min() < coverage.median() - 20
    # photos carry EXIF time and position, read back as their columns say
    photos = tables["attachment"]
    assert len(photos) >= len(findings) and photos["taken_at"].notna().mean() > 0.9
    from gridwatch.photos import read_photo

    row = photos.iloc[0]
    photo = read_photo(bytes(row["data"]), row["filename"])
    assert photo.taken_at == row["taken_at"].to_pydatetime() and photo.longitude == pytest.approx(row["longitude"])
    assert photos["flags"].fillna("").str.contains("far_from_cell").sum() >= 1


def test_syncs_conflicts_and_a_downgraded_site_are_in_the_logs(layers, tables):
    assert len(tables["sync_log"]) >= 20 and (tables["sync_log"]["conflicts"] > 0).sum() >= 3
    conflicts = tables["sync_conflict"]
    assert len(conflicts) >= 3 and "open" in set(conflicts["status"]) and set(conflicts["sync_uuid"]) <= set(
        tables["sync_log"]["uuid"])
    audit = tables["audit_log"]
    down = audit[(audit["table_name"] == "construction_site") & audit["new_values"].str.contains('"C"')]
    assert len(down) == 1
    site = layers["construction_site"].set_index("uuid").loc[down["row_uuid"].iloc[0]]
    assert site["dust_grade"] == "C"
    # every step of a finding has its audit entry, naming who took it
    people = dict(zip(tables["inspector"]["uuid"], tables["inspector"]["name"]))
    closed = tables["finding"][tables["finding"]["status"] == "closed"].iloc[0]
    steps = audit[audit["row_uuid"] == closed["uuid"]]
    assert list(steps["action"])[:2] == ["create", "assign"] and list(steps["action"])[-1] == "close"
    assert steps["user_name"].iloc[-1] == people[closed["closed_by"]]


def test_as_of_moves_every_date_and_the_first_run_copy_ends_yesterday(tmp_path, sample_path, tables):
    from gridwatch.cli import main
    from gridwatch.userdata import ensure_sample_project

    later = AS_OF + dt.timedelta(days=40)
    out = tmp_path / "later.gpkg"
    assert main(["sample", "--out", str(out), "--as-of", later.isoformat(), "--quiet"]) == 0
    moved = Project.open(out)
    assert moved.meta["as_of"] == later.isoformat()
    ins = moved.read_table("inspection")
    shift = pd.Timedelta(days=40)
    assert (ins["started_at"] == tables["inspection"]["started_at"] + shift).all()
    assert (moved.read_layer("finding")["found_at"] == tables["finding"]["found_at"] + shift).all()
    photo = moved.read_table("attachment").iloc[0]
    from gridwatch.photos import read_photo

    assert read_photo(bytes(photo["data"])).taken_at == tables["attachment"]["taken_at"].iloc[0] + shift
    # the first run: the bundled file copied and moved so that its month ends yesterday, bundled untouched
    before = sha256(sample_path)
    today = dt.date(2027, 3, 9)
    copy = ensure_sample_project(tmp_path / "data", sample_path, today=today)
    assert sha256(sample_path) == before
    first = Project.open(copy)
    assert first.meta["as_of"] == today.isoformat()
    last = first.read_table("inspection")["started_at"].dt.tz_convert("Asia/Shanghai").max().date()
    assert last == today - dt.timedelta(days=1) or last == today - dt.timedelta(days=2)
    assert ensure_sample_project(tmp_path / "data", sample_path, today=today + dt.timedelta(days=5)) == copy
    assert Project.open(copy).meta["as_of"] == today.isoformat()  # an existing copy keeps the user's work
    with pytest.raises(SystemExit):
        main(["sample", "--out", str(tmp_path / "x.gpkg"), "--as-of", "2026-13-01"])
