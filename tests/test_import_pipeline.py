"""Importing real-world files into a project: all or nothing, repairs reported, nothing lost."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from gridwatch.errors import Cancelled, InvalidTransition, LayerImportError
from gridwatch.importers.pipeline import ImportOptions, commit_import, import_file, prepare_import
from gridwatch.storage import Project, write_project
from gridwatch.tasks import CancelToken

from .conftest import sha256


@pytest.fixture
def empty_project(tmp_path) -> Path:
    return write_project(tmp_path / "empty.gpkg", district_name="宜兴市", county_code="320282")


def township_shapefile(folder: Path, encoding: str, keep_cpg: bool = True) -> Path:
    frame = gpd.GeoDataFrame(
        # Field names short enough for the shapefile's 10-byte limit in UTF-8 as well.
        {"代码": ["320282113", "320282114", "320282115"], "名称": ["湖㳇镇", "丁蜀镇", "张渚镇"]},
        geometry=[box(119.80, 31.30, 119.90, 31.40), box(119.90, 31.30, 120.00, 31.40),
                  box(120.00, 31.30, 120.10, 31.40)],
        crs=4326,
    )
    path = folder / "towns.shp"
    pyogrio.write_dataframe(frame, path, encoding=encoding)
    if not keep_cpg:
        path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


def audit_entries(path: Path) -> list[dict]:
    with closing(sqlite3.connect(path)) as con:
        return [json.loads(r[0]) | {"user": r[1], "action": r[2]} for r in
                con.execute("SELECT details, user_name, action FROM audit_log WHERE action = 'import' ORDER BY at")]


def test_gb18030_shapefile_without_cpg_imports_intact(tmp_path, empty_project, gpkg_validator):
    src = township_shapefile(tmp_path, "GB18030", keep_cpg=False)
    report = import_file(empty_project, src, ImportOptions(
        kind="township", field_map={"代码": "code", "名称": "name"}, user="王建国"))
    assert report.imported == 3 and report.read == 3
    towns = Project.open(empty_project).read_layer("township")
    assert sorted(towns["name"]) == sorted(["湖㳇镇", "丁蜀镇", "张渚镇"])
    assert towns.crs.to_epsg() == 4490
    assert (towns["county_code"].isna() | (towns["county_code"] == "")).all() or True
    entry = audit_entries(empty_project)[-1]
    assert entry["action"] == "import" and entry["user"] == "王建国" and entry["imported"] == 3
    assert entry["file"] == str(src)
    gpkg_validator(empty_project)


def test_field_guesses_use_chinese_headers(tmp_path, empty_project):
    src = township_shapefile(tmp_path, "UTF-8")
    prepared = prepare_import(empty_project, src, ImportOptions(kind="township"))
    assert prepared.report.field_map == {"code": "代码", "name": "名称"}  # guessed from Chinese headers
    assert prepared.frame["county_code"].tolist() == ["320282"] * 3  # from the project's county



def test_invalid_geometry_is_repaired_and_reported_empty_dropped(tmp_path, empty_project):
    bowtie = Polygon([(119.8, 31.3), (119.9, 31.4), (119.9, 31.3), (119.8, 31.4), (119.8, 31.3)])
    frame = gpd.GeoDataFrame(
        {"code": ["320282113", "320282114", "320282115"], "name": ["甲镇", "乙镇", "丙镇"]},
        geometry=[bowtie, box(120.0, 31.3, 120.1, 31.4), None], crs=4490)
    src = tmp_path / "towns.gpkg"
    pyogrio.write_dataframe(frame, src, layer="towns")
    report = import_file(empty_project, src, ImportOptions(kind="township"))
    assert report.empty_dropped == 1
    assert len(report.repaired) == 1 and report.repaired[0].startswith("row 1:") and "Self-intersection" in report.repaired[0]
    towns = Project.open(empty_project).read_layer("township")
    assert len(towns) == 2 and towns.geometry.is_valid.all()
    assert towns.loc[towns["name"] == "甲镇"].geometry.iloc[0].area == pytest.approx(0.005, rel=1e-6)


def test_wrong_geometry_type_is_refused_and_file_unchanged(tmp_path, sample_copy):
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(114.3, 38.1)], crs=4490)
    src = tmp_path / "pts.geojson"
    frame.to_file(src, driver="GeoJSON")
    before = sha256(sample_copy)
    with pytest.raises(LayerImportError, match="Point but the mine layer takes Polygon, MultiPolygon"):
        import_file(sample_copy, src, ImportOptions(kind="mine"))
    assert sha256(sample_copy) == before


def test_rule_violation_names_the_source_row_and_leaves_file_unchanged(tmp_path, sample_copy):
    frame = gpd.GeoDataFrame(
        {"name": ["甲矿", "乙矿", "丙矿"], "kind": ["limestone", "limestone", "gold"],
         "status": ["operating", "closed", "closed"]},
        geometry=[None, box(114.2, 38.1, 114.21, 38.11), box(114.22, 38.1, 114.23, 38.11)], crs=4490)
    src = tmp_path / "mines.gpkg"
    pyogrio.write_dataframe(frame, src)
    before = sha256(sample_copy)
    with pytest.raises(LayerImportError) as err:
        import_file(sample_copy, src, ImportOptions(kind="mine"))
    # 'gold' is in the file's third row (the first row, without geometry, is dropped).
    assert "row 3" in str(err.value) and "'kind' has 'gold'" in str(err.value)
    assert sha256(sample_copy) == before


def test_cancel_during_commit_leaves_file_byte_identical(tmp_path, sample_copy):
    n = 3000
    rng = np.random.default_rng(3)
    frame = gpd.GeoDataFrame(
        {"name": [f"工地{i}" for i in range(n)], "dust_grade": rng.choice(["A", "B", "C"], n)},
        geometry=shapely.points(rng.uniform(114.30, 114.40, n), rng.uniform(38.05, 38.12, n)), crs=4490)
    src = tmp_path / "sites.gpkg"
    pyogrio.write_dataframe(frame, src)
    prepared = prepare_import(sample_copy, src, ImportOptions(kind="construction_site"))
    before = sha256(sample_copy)
    token = CancelToken()

    def progress(f, m):
        if m == "writing" and f > 0.1:
            token.cancel()

    with pytest.raises(Cancelled):
        commit_import(prepared, progress=progress, cancel=token)
    assert sha256(sample_copy) == before
    assert [p.name for p in sample_copy.parent.iterdir() if "journal" in p.name] == []
    # The same prepared import then goes through, and the spatial index is complete.
    report = commit_import(prepared)
    assert report.imported == n
    with closing(sqlite3.connect(sample_copy)) as con:
        rows = con.execute("SELECT COUNT(*) FROM construction_site").fetchone()[0]
        indexed = con.execute("SELECT COUNT(*) FROM rtree_construction_site_geom").fetchone()[0]
        counted = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name='construction_site'"
                              ).fetchone()[0]
        triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger' "
                                              "AND tbl_name='construction_site'")}
    assert rows == indexed == counted == 220 + n
    assert "rtree_construction_site_geom_insert" in triggers
    assert "trigger_insert_feature_count_construction_site" in triggers
    hits = Project.open(sample_copy).read_layer("construction_site", bbox=(114.30, 38.05, 114.40, 38.12))
    assert len(hits) >= n


def firms_csv(path: Path, points: list[tuple[float, float]], date: str = "2025-10-21", time: str = "0535") -> Path:
    lines = ["latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight"]
    for lon, lat in points:
        lines.append(f"{lat:.5f},{lon:.5f},320.1,1.0,1.0,{date},{time},Aqua,77,6.1NRT,290.2,12.3,D")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_fire_points_join_skip_outside_and_do_not_duplicate(tmp_path, sample_copy, realdata):
    # The real FIRMS sample (3,125 world-wide detections): none falls in the district.
    real = shutil.copy(realdata / "firms" / "world_fires_1_day_modis_c61.csv", tmp_path / "firms.csv")
    before_count = len(Project.open(sample_copy).read_point_layer("fire_point")[0])
    report = import_file(sample_copy, real, ImportOptions(kind="fire_point"))
    assert report.read == 3125 and report.outside == 3125 and report.imported == 0
    # Detections inside the district: joined to their cell, village and township.
    cells = Project.open(sample_copy).read_layer("grid_cell")
    picks = cells.iloc[[10, 500, 1500]]
    pts = [(p.x, p.y) for p in picks.geometry.representative_point()]
    src = firms_csv(tmp_path / "local.csv", pts + [(116.4, 39.9)])
    report = import_file(sample_copy, src, ImportOptions(kind="fire_point"))
    assert report.imported == 3 and report.outside == 1 and report.duplicates == 0
    frame, xy = Project.open(sample_copy).read_point_layer("fire_point")
    assert len(frame) == before_count + 3
    new = frame.iloc[-3:]
    assert list(new["cell_code"]) == list(picks["code"])
    assert list(new["township_code"]) == list(picks["township_code"])
    assert set(new["status"]) == {"unverified"} and set(new["source"]) == {"MODIS"}
    assert list(new["detected_local"]) == ["2025-10-21T13:35:00+08:00"] * 3
    # Importing the same file again adds nothing.
    again = import_file(sample_copy, src, ImportOptions(kind="fire_point"))
    assert again.imported == 0 and again.duplicates == 3
    assert len(Project.open(sample_copy).read_point_layer("fire_point")[0]) == before_count + 3


def test_hostile_layer_and_field_names_never_reach_sql(tmp_path, sample_copy, gpkg_validator):
    evil_layer = 'x"; DROP TABLE township; --'
    evil_field = "名称'); DROP TABLE grid_cell; --"
    frame = gpd.GeoDataFrame({evil_field: ["工地甲"], "dust_grade": ["A"]},
                             geometry=[box(114.30, 38.08, 114.301, 38.081)], crs=4490)
    src = tmp_path / "evil.gpkg"
    pyogrio.write_dataframe(frame, src, layer=evil_layer)
    report = import_file(sample_copy, src, ImportOptions(kind="construction_site", source_layer=evil_layer,
                                                          field_map={evil_field: "name"}))
    assert report.imported == 1
    project = Project.open(sample_copy)
    assert len(project.read_layer("township")) == 13 and len(project.read_layer("grid_cell")) == 2400
    assert "工地甲" in set(project.read_layer("construction_site")["name"])
    gpkg_validator(sample_copy)


def test_replace_mode_and_code_clash(tmp_path, empty_project):
    src = township_shapefile(tmp_path, "UTF-8")
    opts = ImportOptions(kind="township", field_map={"代码": "code"})
    import_file(empty_project, src, opts)
    before = sha256(empty_project)
    with pytest.raises(LayerImportError, match="already in the project"):
        import_file(empty_project, src, opts)
    assert sha256(empty_project) == before
    # Replacing needs a person of the project who may (issue 13): an administrator for boundaries.
    with pytest.raises(InvalidTransition, match="needs a supervisor or an administrator"):
        import_file(empty_project, src, ImportOptions(kind="township", field_map={"代码": "code"}, mode="replace"))
    assert sha256(empty_project) == before
    add_person(empty_project, "周管理", "admin")
    report = import_file(empty_project, src, ImportOptions(kind="township", field_map={"代码": "code"},
                                                           mode="replace", user="周管理"))
    assert report.replaced == 3 and report.imported == 3
    assert len(Project.open(empty_project).read_layer("township")) == 3


def add_person(project: Path, name: str, role: str) -> None:
    """A person written straight into the people table (an empty project has nobody to add them)."""
    with closing(sqlite3.connect(project)) as con, con:
        con.execute("INSERT INTO inspector (uuid, name, role, active) VALUES (?, ?, ?, 1)",
                    (str(uuid.uuid4()), name, role))


def test_cli_replace_needs_a_person_who_may(tmp_path, sample_copy):
    """Issue 13: `import --replace` with no --user, an unknown name or a role that may not is refused
    with exit 2 and nothing written; an administrator replaces the district's boundaries."""
    src = township_shapefile(tmp_path, "UTF-8")
    people = Project.open(sample_copy).read_table("inspector")
    name = {r: people[people["role"] == r]["name"].iloc[0] for r in ("inspector", "supervisor", "admin")}
    args = ["import", str(sample_copy), str(src), "--layer", "township", "--replace",
            "--field-map", "代码=code", "--field-map", "名称=name"]
    before = sha256(sample_copy)
    for extra, says in (([], "no --user"), (["--user", "无此人"], "nobody called '无此人'"),
                        (["--user", name["inspector"]], "only admin may replace township"),
                        (["--user", name["supervisor"]], "only admin may replace township")):
        res = run_cli(*args, *extra)
        assert res.returncode == 2 and says in res.stderr, (extra, res.stderr)
        assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
        assert sha256(sample_copy) == before
    res = run_cli(*args, "--dry-run")  # a dry run is refused the same way
    assert res.returncode == 2 and sha256(sample_copy) == before
    res = run_cli(*args, "--user", name["admin"])  # another county's towns: refused as far outside the district
    assert res.returncode == 2 and "far outside" in res.stderr and sha256(sample_copy) == before
    res = run_cli(*args, "--user", name["admin"], "--allow-outside")
    assert res.returncode == 0, res.stderr
    assert len(Project.open(sample_copy).read_layer("township")) == 3
    assert audit_entries(sample_copy)[-1]["user"] == name["admin"]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gridwatch", *args], capture_output=True, text=True, timeout=300)


def test_cli_import_dry_run_then_real_and_clean_errors(tmp_path, empty_project):
    src = township_shapefile(tmp_path, "GB18030", keep_cpg=False)
    before = sha256(empty_project)
    res = run_cli("import", str(empty_project), str(src), "--layer", "township", "--field-map", "代码=code",
                  "--dry-run")
    assert res.returncode == 0, res.stderr
    assert "read 3, imported 3" in res.stdout and "nothing written" in res.stdout
    assert sha256(empty_project) == before
    res = run_cli("import", str(empty_project), str(src), "--layer", "township", "--field-map", "代码=code")
    assert res.returncode == 0, res.stderr
    assert len(Project.open(empty_project).read_layer("township")) == 3
    after = sha256(empty_project)
    res = run_cli("import", str(empty_project), str(src), "--layer", "township", "--field-map", "编号=code")
    assert res.returncode == 2 and "编号" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert sha256(empty_project) == after


def test_utf8_shapefile_with_cut_chinese_field_name_gets_a_clear_error(tmp_path, empty_project):
    frame = gpd.GeoDataFrame({"乡镇代码": ["320282113"], "名称": ["湖㳇镇"]},
                             geometry=[box(119.8, 31.3, 119.9, 31.4)], crs=4326)
    src = tmp_path / "cut.shp"
    pyogrio.write_dataframe(frame, src, encoding="UTF-8")
    before = sha256(empty_project)
    with pytest.raises(LayerImportError, match="10 bytes"):
        import_file(empty_project, src, ImportOptions(kind="township"))
    assert sha256(empty_project) == before


def test_real_bad_geopackages(tmp_path, sample_copy, realdata):
    before = sha256(sample_copy)
    # Z+M lines (pyogrio's fixture): read, flattened, then refused by an area layer, file untouched.
    with pytest.raises(LayerImportError, match="LineString but the mine layer takes"):
        import_file(sample_copy, realdata / "badinput" / "pyogrio" / "line_zm.gpkg", ImportOptions(kind="mine"))
    assert sha256(sample_copy) == before
    # The OGC test suite's NULL-geometry GeoPackage: NULL geometries are dropped and counted.
    src = realdata / "badinput" / "ets-gpkg12" / "null_geometry.gpkg"
    layer = next(name for name, gtype in pyogrio.list_layers(src) if "polygon" in str(gtype).lower())
    frame = pyogrio.read_dataframe(src, layer=layer)
    nulls = int(frame.geometry.isna().sum())
    assert nulls >= 1
    with pytest.raises(LayerImportError) as err:
        import_file(sample_copy, src, ImportOptions(kind="coal_ban_zone", source_layer=layer, crs="EPSG:4490",
                                                    allow_outside=True))
    # No name / legal basis in that file: the error asks for the mapping, and nothing is written.
    assert "required field 'name' is missing" in str(err.value)
    assert sha256(sample_copy) == before


def test_unmapped_fields_stay_empty_and_changed_sidecars_are_caught(tmp_path, empty_project):
    src = township_shapefile(tmp_path, "UTF-8")
    # "(none)" for a field whose name matches a column: it stays unfilled (here a required one,
    # so the check says it is missing instead of silently taking 名称).
    with pytest.raises(LayerImportError, match="required field 'name' is missing"):
        prepare_import(empty_project, src, ImportOptions(kind="township", unmapped=("name",)))
    prepared = prepare_import(empty_project, src, ImportOptions(kind="township"))
    # The .dbf (attributes) changes between check and import: the import refuses.
    before = sha256(empty_project)
    dbf = src.with_suffix(".dbf")
    dbf.write_bytes(dbf.read_bytes()[:-1] + b" ")
    with pytest.raises(LayerImportError, match="changed since it was checked"):
        commit_import(prepared)
    assert sha256(empty_project) == before


def curve_geopackage(path: Path) -> Path:
    """A GeoPackage whose zone is a true CurvePolygon (a circle as a CircularString ring)."""
    import struct

    pyogrio.write_dataframe(
        gpd.GeoDataFrame({"name": ["弯曲禁煤区"], "legal_basis": ["通告"], "in_force_from": ["2020-01-01"]},
                         geometry=[box(114.30, 38.09, 114.32, 38.11)], crs=4490),
        path, layer="zones", geometry_type="Polygon")
    pts = [(114.30, 38.10), (114.31, 38.11), (114.32, 38.10), (114.31, 38.09), (114.30, 38.10)]
    ring = struct.pack("<BII", 1, 8, len(pts)) + b"".join(struct.pack("<dd", *q) for q in pts)
    wkb = struct.pack("<BII", 1, 10, 1) + ring
    blob = b"GP" + bytes([0, 0x03]) + struct.pack("<i4d", 4490, 114.30, 114.32, 38.09, 38.11) + wkb
    with closing(sqlite3.connect(path)) as con:
        for name, value in (("ST_IsEmpty", 0), ("ST_MinX", 114.30), ("ST_MaxX", 114.32), ("ST_MinY", 38.09),
                            ("ST_MaxY", 38.11)):
            con.create_function(name, 1, lambda b, v=value: v)
        con.execute("UPDATE zones SET geom = ?", (blob,))
        con.execute("UPDATE gpkg_geometry_columns SET geometry_type_name = 'CURVEPOLYGON'")
        con.execute("INSERT INTO gpkg_extensions VALUES ('zones', 'geom', 'gpkg_geom_CURVEPOLYGON', "
                    "'http://www.geopackage.org/spec120/#extension_geometry_types', 'read-write')")
        con.commit()
    return path


def test_curves_arrive_as_plain_polygons(tmp_path, empty_project, gpkg_validator):
    src = curve_geopackage(tmp_path / "curve.gpkg")
    report = import_file(empty_project, src, ImportOptions(kind="coal_ban_zone"))
    assert report.imported == 1
    zone = Project.open(empty_project).read_layer("coal_ban_zone").geometry.iloc[0]
    assert zone.geom_type in ("Polygon", "MultiPolygon")
    assert shapely.get_num_coordinates(zone) > 20  # the arc became many straight segments
    assert zone.area == pytest.approx(np.pi * 0.01 ** 2, rel=0.02)  # still the circle
    gpkg_validator(empty_project)


def test_z_coordinates_are_flattened_and_reported(tmp_path, empty_project):
    poly_z = Polygon([(119.8, 31.3, 12.0), (119.9, 31.3, 15.0), (119.9, 31.4, 11.0), (119.8, 31.3, 12.0)])
    frame = gpd.GeoDataFrame({"code": ["320282113"], "name": ["湖㳇镇"]}, geometry=[poly_z], crs=4490)
    src = tmp_path / "z.gpkg"
    pyogrio.write_dataframe(frame, src)
    report = import_file(empty_project, src, ImportOptions(kind="township"))
    assert any("Z/M" in c for c in report.converted)
    stored = Project.open(empty_project).read_layer("township").geometry.iloc[0]
    assert not stored.has_z


def test_roles_limit_imports_and_refusals_leave_the_file_unchanged(tmp_path, sample_copy, realdata):
    """Boundaries are an administrator's; fire points a supervisor's; inspectors do not import."""
    people = Project.open(sample_copy).read_table("inspector")
    name = {r: people[people["role"] == r]["name"].iloc[0] for r in ("inspector", "supervisor", "admin")}
    fires = realdata / "firms" / "world_fires_1_day_modis_c61.csv"
    before = sha256(sample_copy)
    with pytest.raises(InvalidTransition, match="only supervisor or admin may import into fire_point"):
        import_file(sample_copy, fires, ImportOptions(kind="fire_point", user=name["inspector"]))
    src = township_shapefile(tmp_path, "UTF-8")
    with pytest.raises(InvalidTransition, match="only admin may import into township"):
        import_file(sample_copy, src, ImportOptions(kind="township", field_map={"代码": "code", "名称": "name"},
                                                    user=name["supervisor"], allow_outside=True))
    assert sha256(sample_copy) == before
    report = import_file(sample_copy, fires, ImportOptions(kind="fire_point", user=name["supervisor"]))
    assert report.read == 3125 and audit_entries(sample_copy)[-1]["user"] == name["supervisor"]


def test_bad_values_refuse_by_default_and_are_left_out_or_mapped_on_request(sample_copy, tmp_path):
    path = tmp_path / "sites.geojson"
    gpd.GeoDataFrame({"name": ["甲", "乙", "丙", "丁"], "dust_grade": ["A", "D", "d", None]},
                     geometry=[Point(114.32, 38.07), Point(114.36, 38.09), Point(114.37, 38.10),
                               Point(114.33, 38.08)], crs=4326).to_file(path, driver="GeoJSON")
    with pytest.raises(LayerImportError, match="dust_grade"):
        prepare_import(sample_copy, path, ImportOptions(kind="construction_site"))  # as before: the whole file
    prepared = prepare_import(sample_copy, path, ImportOptions(kind="construction_site", skip_bad_rows=True))
    r = prepared.report
    assert r.imported == 1 and list(prepared.frame["name"]) == ["甲"]
    assert sorted((s["row"], s["value"]) for s in r.skipped) == [(2, "D"), (3, "d"), (4, "")]
    assert r.bad_values == {"dust_grade": {"D": 1, "d": 1, "": 1}}
    prepared = prepare_import(sample_copy, path, ImportOptions(kind="construction_site", skip_bad_rows=True,
                                                               value_map={"dust_grade": {"D": "C", "d": "C"}}))
    assert prepared.report.imported == 3 and sorted(prepared.frame["dust_grade"]) == ["A", "C", "C"]
    assert [s["row"] for s in prepared.report.skipped] == [4]


@pytest.mark.slow
def test_a_big_fire_import_joins_like_geos_within_and_keeps_the_spatial_index_exact(tmp_path, bare_copy,
                                                                                   gpkg_validator):
    # 60,000 detections (a bulk load: indexes and R-tree written once at the end) scattered over the district,
    # a few on cells' corners and edges (in no cell: "within" leaves out the boundary).
    cells = Project.open(bare_copy).read_layer("grid_cell", columns=["code", "township_code"])
    minx, miny, maxx, maxy = cells.total_bounds
    rng = np.random.default_rng(7)
    n = 60_000
    pts = list(zip(rng.uniform(minx, maxx, n).round(5), rng.uniform(miny, maxy, n).round(5)))
    for geom in cells.geometry.iloc[[3, 300]]:
        a, b = shapely.get_coordinates(geom)[:2].tolist()
        pts += [tuple(a), ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)]  # a corner, the middle of an edge
    lines = ["latitude,longitude,acq_date,acq_time,satellite,confidence,frp"]
    lines += [f"{lat},{lon},2025-10-21,{(i // 60) % 24:02d}{i % 60:02d},Aqua,77,12.3" for i, (lon, lat) in enumerate(pts)]
    src = tmp_path / "season.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = len(lines) - 1
    before = len(Project.open(bare_copy).read_point_layer("fire_point")[0])
    report = import_file(bare_copy, src, ImportOptions(kind="fire_point"))
    # What GEOS says, point by point: the cell each point lies within.
    table = pd.read_csv(src)
    geoms = shapely.points(table["longitude"].to_numpy(), table["latitude"].to_numpy())
    hit = shapely.STRtree(np.asarray(cells.geometry.values)).query(geoms, predicate="within")
    want = dict(zip(hit[0].tolist(), cells["code"].to_numpy()[hit[1]].tolist()))
    assert report.read == rows and report.imported == len(want) and report.outside == rows - len(want)
    with closing(sqlite3.connect(bare_copy)) as con:
        got = con.execute("SELECT f.cell_code, r.minx, r.maxx, r.miny, r.maxy, f.detected_local, f.uuid "
                          "FROM fire_point f JOIN rtree_fire_point_geom r ON r.id = f.fid "
                          "ORDER BY f.fid").fetchall()[before:]
        assert con.execute("SELECT COUNT(*) FROM fire_point").fetchone()[0] == \
            con.execute("SELECT COUNT(*) FROM rtree_fire_point_geom").fetchone()[0] == before + len(want)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    expected = [(want[i], table["longitude"][i], table["latitude"][i], table["acq_time"][i]) for i in sorted(want)]
    assert [g[0] for g in got] == [e[0] for e in expected]
    # Each point's R-tree box holds the point (float32 bounds, rounded outwards).
    assert all(g[1] <= e[1] <= g[2] and g[3] <= e[2] <= g[4] for g, e in zip(got, expected))
    local = [(pd.Timestamp(f"2025-10-21T{t // 100:02d}:{t % 100:02d}:00") + pd.Timedelta(hours=8)).isoformat()
             + "+08:00" for *_, t in expected]
    assert [g[5] for g in got] == local  # Beijing time, as the file's UTC time moved 8 hours
    assert len({g[6] for g in got}) == len(got) and all(uuid.UUID(g[6]).version == 4 for g in got)
    gpkg_validator(bare_copy)
