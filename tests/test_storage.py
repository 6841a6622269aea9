"""Writing, reading and migrating project files: atomic, valid, lossless."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from gridwatch.errors import Cancelled, CRSError, SchemaVersionError, StorageError, ValidationError
from gridwatch.layers import LAYERS
from gridwatch.storage import Project, check_project, migrations, write_project
from gridwatch.storage.gpkg import (
    blob_envelope,
    connect_readwrite,
    geometry_to_blob,
    quote_ident,
    sqlite_tables,
    transaction,
)
from gridwatch.storage.schema import REQUIRED_TABLES, SCHEMA_VERSION, WORKFLOW_TABLES
from gridwatch.tasks import CancelToken

from .conftest import sha256


def township_frame(names=("湖㳇镇", "㮾梨街道"), crs=4490) -> gpd.GeoDataFrame:
    n = len(names)
    return gpd.GeoDataFrame(
        {
            "uuid": [f"00000000-0000-4000-8000-{i:012d}" for i in range(n)],
            "code": [f"320282{100 + i:03d}" for i in range(n)],
            "name": list(names),
            "county_code": ["320282"] * n,
        },
        geometry=[box(119.8 + i * 0.1, 31.3, 119.9 + i * 0.1, 31.4) for i in range(n)],
        crs=crs,
    )


def test_empty_project_has_every_table_and_is_valid(tmp_path, gpkg_validator):
    path = write_project(tmp_path / "empty.gpkg", district_name="测试区", county_code="000000")
    gpkg_validator(path)
    meta = check_project(path)
    assert meta["schema_version"] == str(SCHEMA_VERSION) and meta["crs"] == "EPSG:4490" and meta["district_name"] == "测试区"
    project = Project.open(path)
    for name, spec in LAYERS.items():
        frame = project.read_layer(name)
        assert len(frame) == 0
        assert set(spec.field_names) <= set(frame.columns)
    with closing(sqlite3.connect(path)) as con:
        assert {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")} >= set(REQUIRED_TABLES)
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        srs = {r[0] for r in con.execute("SELECT DISTINCT srs_id FROM gpkg_geometry_columns")}
        assert srs == {4490}


def test_chinese_names_outside_gbk_survive(tmp_path):
    path = write_project(tmp_path / "p.gpkg", district_name="宜兴市", county_code="320282",
                         layers={"township": township_frame()})
    names = Project.open(path).read_layer("township")["name"].tolist()
    assert names == ["湖㳇镇", "㮾梨街道"]


def test_invalid_rows_are_refused_naming_row_and_field(tmp_path):
    frame = township_frame()
    frame.loc[1, "code"] = "12345"
    target = tmp_path / "p.gpkg"
    with pytest.raises(ValidationError) as err:
        write_project(target, district_name="x", county_code="320282", layers={"township": frame})
    assert "row 2" in str(err.value) and "'code'" in str(err.value)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temp file left behind


def test_failed_overwrite_leaves_old_file_byte_identical(tmp_path, sample_copy):
    before = sha256(sample_copy)
    bad = township_frame()
    bad.loc[0, "uuid"] = bad.loc[1, "uuid"]
    with pytest.raises(ValidationError, match="repeated"):
        write_project(sample_copy, district_name="x", county_code="320282", layers={"township": bad},
                      overwrite=True)
    assert sha256(sample_copy) == before
    assert sorted(p.name for p in sample_copy.parent.iterdir()) == [sample_copy.name]


def test_existing_file_is_not_overwritten_by_default(tmp_path, sample_copy):
    before = sha256(sample_copy)
    with pytest.raises(StorageError, match="file exists"):
        write_project(sample_copy, district_name="x", county_code="320282")
    assert sha256(sample_copy) == before


def test_wrong_crs_is_refused(tmp_path):
    frame = township_frame().to_crs(3857)
    with pytest.raises(CRSError, match="EPSG:3857"):
        write_project(tmp_path / "p.gpkg", district_name="x", county_code="320282", layers={"township": frame})


def test_cancel_mid_write_leaves_nothing(tmp_path):
    token = CancelToken()
    seen = []

    def progress(fraction, message):
        seen.append(message)
        if message.startswith("writing village"):
            token.cancel()

    target = tmp_path / "p.gpkg"
    with pytest.raises(Cancelled):
        write_project(target, district_name="x", county_code="320282", layers={"township": township_frame()},
                      progress=progress, cancel=token)
    assert any(m.startswith("writing township") for m in seen)
    assert list(tmp_path.iterdir()) == []


def test_sqlite_edits_keep_the_spatial_index_right(bare_copy, gpkg_validator):
    """Writes through plain sqlite3 (as the workflow will do) run GDAL's R-tree triggers."""
    sample_copy = bare_copy
    new_geom = box(114.30, 38.05, 114.31, 38.06)
    with closing(connect_readwrite(sample_copy)) as con:
        with transaction(con):
            fid = con.execute("SELECT fid FROM township ORDER BY fid LIMIT 1").fetchone()[0]
            con.execute("UPDATE township SET geom = ? WHERE fid = ?", (geometry_to_blob(new_geom, 4490, "MULTIPOLYGON"), fid))
            con.execute(
                "INSERT INTO finding (geom, uuid, cell_code, category, status) VALUES (?, ?, ?, ?, ?)",
                (geometry_to_blob(Point(114.3, 38.1), 4490), "11111111-1111-4111-8111-111111111111",
                 "130110100001001", "open_burning", "found"),
            )
        rt = con.execute("SELECT minx, maxx, miny, maxy FROM rtree_township_geom WHERE id = ?", (fid,)).fetchone()
        pt = con.execute("SELECT minx, miny FROM rtree_finding_geom").fetchall()
    assert rt == pytest.approx((114.30, 114.31, 38.05, 38.06), abs=1e-4)  # rtree stores float32, rounded outward
    assert pt == [pytest.approx((114.3, 38.1), abs=1e-4)]
    project = Project.open(sample_copy)
    assert project.read_layer("finding").geometry.iloc[0].equals(Point(114.3, 38.1))
    assert len(project.read_layer("township", bbox=(114.301, 38.051, 114.302, 38.052))) >= 1
    gpkg_validator(sample_copy)


def test_blob_envelope_round_trip():
    poly = box(1, 2, 3, 4)
    assert shapely.from_wkb(geometry_to_blob(poly, 4490, "MULTIPOLYGON")[40:]).geom_type == "MultiPolygon"
    with pytest.raises(StorageError, match="Point cannot be stored in a MULTIPOLYGON layer"):
        geometry_to_blob(Point(1, 2), 4490, "MULTIPOLYGON")
    assert blob_envelope(geometry_to_blob(poly, 4490)) == (1, 3, 2, 4)
    assert blob_envelope(geometry_to_blob(Point(5, 6), 4490)) == (5, 5, 6, 6)
    assert blob_envelope(geometry_to_blob(shapely.Point(), 4490)) is None
    assert blob_envelope(None) is None


def test_identifiers_are_checked_before_quoting(sample_copy):
    with closing(sqlite3.connect(sample_copy)) as con:
        tables = sqlite_tables(con)
    assert quote_ident("grid_cell", tables) == '"grid_cell"'
    for evil in ('grid_cell"; DROP TABLE township; --', "nosuchtable", ""):
        with pytest.raises(StorageError):
            quote_ident(evil, tables)


# ---- migrations ----------------------------------------------------------------------------


def _set_version(path: Path, version: int) -> None:
    with closing(sqlite3.connect(path)) as con, con:
        con.execute("UPDATE gridwatch_meta SET value = ? WHERE key = 'schema_version'", (str(version),))


def test_migration_backs_up_then_migrates(sample_copy, monkeypatch, gpkg_validator):
    _set_version(sample_copy, 0)
    original = sha256(sample_copy)

    def add_column(con):
        con.execute("ALTER TABLE grid_cell ADD COLUMN patrol_class TEXT")

    monkeypatch.setitem(migrations.MIGRATIONS, 0, add_column)
    project = Project.open(sample_copy, migrate=True)
    assert project.schema_version == SCHEMA_VERSION
    backups = list(sample_copy.parent.glob("*.backup.gpkg"))
    assert len(backups) == 1 and sha256(backups[0]) == original
    assert "patrol_class" in Project.open(sample_copy).read_layer("grid_cell").columns
    gpkg_validator(sample_copy)


def test_a_schema_1_project_is_upgraded_to_the_current_schema(tmp_path, gpkg_validator):
    """A real file written by GridWatch schema 1 (tests/data) gains every current column, keeps its rows."""
    src = Path(__file__).parent / "data" / "project_schema_v1.gpkg"
    path = tmp_path / "old.gpkg"
    shutil.copyfile(src, path)
    with pytest.raises(SchemaVersionError, match="older"):
        Project.open(path)
    project = Project.open(path, migrate=True)
    assert project.schema_version == SCHEMA_VERSION
    with closing(sqlite3.connect(path)) as con:
        for name, spec in list(LAYERS.items()) + list(WORKFLOW_TABLES.items()):
            cols = {r[0] for r in con.execute("SELECT name FROM pragma_table_info(?)", (name,))}
            assert set(spec.field_names) <= cols, (name, set(spec.field_names) - cols)
        assert con.execute("SELECT COUNT(*) FROM grid_cell").fetchone()[0] == 249
        assert con.execute("SELECT COUNT(*) FROM fire_point WHERE check_uuid IS NULL").fetchone()[0] == 9
        assert con.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'idx_fire_point_check_uuid'").fetchone()[0]
    assert len(list(tmp_path.glob("old.schema-v1.*.backup.gpkg"))) == 1
    gpkg_validator(path)
    # v1 -> v3 in one go: the key-area layer is there, empty, as a spatial layer.
    assert project.read_layer("key_area").empty and project.info().layers[-2].name == "key_area"


def _key_area_file(tmp_path: Path) -> Path:
    """Two monitoring stations and a school campus, as a supervisor's GeoJSON."""
    src = gpd.GeoDataFrame(
        {"名称": ["国控站点甲", "省控站点乙", "第一中学"], "类型": ["national_station", "provincial_station", "school"],
         "buffer_m": [3000.0, 3000.0, 2000.0]},
        geometry=[Point(114.36, 38.02), Point(114.37, 38.03), box(114.35, 38.01, 114.352, 38.012)], crs=4490)
    path = tmp_path / "key_areas.geojson"
    src.to_file(path, driver="GeoJSON")
    return path


def test_a_schema_2_project_gains_the_key_area_layer_as_gdal_would_write_it(tmp_path, gpkg_validator):
    """tests/data/project_schema_v2.gpkg: the schema-2 sample (before key areas) cut down to three
    townships; its key_area table after the upgrade matches what GDAL writes for the same kind of layer."""
    import pyogrio

    from gridwatch.importers.pipeline import ImportOptions, import_file

    path = tmp_path / "v2.gpkg"
    shutil.copyfile(Path(__file__).parent / "data" / "project_schema_v2.gpkg", path)
    assert check_project(path)["schema_version"] == "2"  # an older, intact project: readable, not yet current
    with pytest.raises(SchemaVersionError, match="older"):
        Project.open(path)
    project = Project.open(path, migrate=True)
    assert project.schema_version == SCHEMA_VERSION == 6
    assert len(list(tmp_path.glob("v2.schema-v2.*.backup.gpkg"))) == 1
    with closing(sqlite3.connect(path)) as con:
        assert con.execute("SELECT data_type, identifier, srs_id FROM gpkg_contents WHERE table_name = 'key_area'"
                           ).fetchone() == ("features", "key_area", 4490)
        assert con.execute("SELECT column_name, geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns "
                           "WHERE table_name = 'key_area'").fetchone() == ("geom", "GEOMETRY", 4490, 0, 0)
        assert con.execute("SELECT extension_name, scope FROM gpkg_extensions WHERE table_name = 'key_area'"
                           ).fetchall() == [("gpkg_rtree_index", "write-only")]

        def triggers(table: str) -> list[str]:
            return sorted(sql.replace(table, "T") for (sql,) in con.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,)))

        # The spatial-index and feature-count triggers are GDAL's, word for word.
        assert triggers("key_area") == triggers("construction_site") and len(triggers("key_area")) == 8
        cols = [(r[1], r[2]) for r in con.execute("PRAGMA table_info(key_area)")]
        assert cols[:2] == [("fid", "INTEGER"), ("geom", "GEOMETRY")]
        assert [c for c, _ in cols[2:]] == list(LAYERS["key_area"].field_names)
    gpkg_validator(path)
    info = pyogrio.read_info(path, layer="key_area")
    assert info["geometry_type"] == "Unknown" and info["crs"] == "EPSG:4490" and info["features"] == 0

    # Key areas, points and a polygon, import into the new layer; the spatial index follows.
    people = project.read_table("inspector")
    inspector = people[people["role"] == "inspector"]["name"].iloc[0]
    supervisor = people[people["role"] == "supervisor"]["name"].iloc[0]
    source = _key_area_file(tmp_path)
    # The cut-down project holds three townships; the school lies 6 km beyond them.
    options = dict(kind="key_area", field_map={"名称": "name", "类型": "kind"}, allow_outside=True)
    with pytest.raises(Exception, match="only supervisor or admin may import into key_area"):
        import_file(path, source, ImportOptions(**options, user=inspector))
    report = import_file(path, source, ImportOptions(**options, user=supervisor))
    assert report.imported == 3
    gpkg_validator(path)
    areas = pyogrio.read_dataframe(path, layer="key_area")
    assert sorted(areas["name"]) == ["国控站点甲", "省控站点乙", "第一中学"]
    assert sorted(areas.geometry.geom_type) == ["Point", "Point", "Polygon"]
    assert areas.set_index("name").loc["第一中学", "buffer_m"] == 2000.0
    with closing(sqlite3.connect(path)) as con:
        assert con.execute("SELECT COUNT(*) FROM rtree_key_area_geom").fetchone()[0] == 3
        assert con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'key_area'"
                           ).fetchone()[0] == 3
        hit = con.execute("SELECT k.name FROM key_area k JOIN rtree_key_area_geom r ON r.id = k.fid "
                          "WHERE r.minx <= 114.351 AND r.maxx >= 114.351 AND r.miny <= 38.011 AND r.maxy >= 38.011"
                          ).fetchall()
        assert hit == [("第一中学",)]


def test_roles_of_an_old_project_after_the_migration_to_schema_4(tmp_path):
    """An old project (schema 2: one inspector per township, 2 supervisors, an administrator) keeps
    working: every role keeps its code and meaning (inspector = 网格员 of their cells, supervisor = the
    district's 督查员, admin), an inspector whose cells lie in one village gets that village, fire
    points get their heat-source flag; an administrator then names a township grid chief (网格长),
    who assigns inside the township only."""
    from gridwatch.domain.policy import Action, Actor, may
    from gridwatch.errors import RefusedByRole
    from gridwatch.storage.workflow import create_assignments, find_actor, save_person

    path = tmp_path / "old.gpkg"
    shutil.copyfile(Path(__file__).parent / "data" / "project_schema_v2.gpkg", path)
    with closing(sqlite3.connect(path)) as con:
        roles_before = sorted(con.execute("SELECT uuid, role FROM inspector").fetchall())
        holders = con.execute("SELECT inspector_uuid, COUNT(DISTINCT village_code), MIN(village_code) "
                              "FROM grid_cell GROUP BY inspector_uuid").fetchall()
    with closing(connect_readwrite(path)) as con, transaction(con):  # one inspector now holds one village only
        one, _, village = holders[0]
        con.execute("UPDATE grid_cell SET inspector_uuid = ? WHERE inspector_uuid = ? AND village_code != ?",
                    (holders[1][0], one, village))
    project = Project.open(path, migrate=True)
    assert project.schema_version == SCHEMA_VERSION
    people = project.read_table("inspector")
    assert sorted(zip(people["uuid"], people["role"])) == roles_before  # nobody's role changed
    by_uuid = people.set_index("uuid")
    assert by_uuid.loc[one, "village_code"] == village  # all their cells in one village: that village
    assert pd.isna(by_uuid.loc[holders[1][0], "village_code"])  # cells in several villages: none claimed
    fires = project.read_layer("fire_point")
    assert fires["heat_source"].notna().all() and "source_type" in fires.columns

    admin = people[people["role"] == "admin"].iloc[0]
    sup = people[people["role"] == "supervisor"].iloc[0]
    admin_actor = Actor(admin["uuid"], admin["name"], "admin")
    cells = project.read_layer("grid_cell")
    town, other_town = sorted(cells["township_code"].unique())[:2]
    with pytest.raises(ValidationError, match="choose their township"):
        save_person(path, admin_actor, name="王网格长", role="chief")
    chief_uuid = save_person(path, admin_actor, name="王网格长", role="chief", township_code=town).created("inspector")[0]
    chief = find_actor(path, "王网格长")
    assert chief == Actor(chief_uuid, "王网格长", "chief", town)
    mine = cells[cells["township_code"] == town]["code"].iloc[:2].tolist()
    theirs = cells[cells["township_code"] == other_town]["code"].iloc[:1].tolist()
    assert may(chief, Action.ASSIGN_TASKS) and not may(chief, Action.CLOSE_FINDING, {"status": "verified"})
    assert len(create_assignments(path, chief, mine, "patrol").created("assignment")) == 2
    before = sha256(path)
    with pytest.raises(RefusedByRole, match=f"grid chief of township {town} and may not act in township"):
        create_assignments(path, chief, mine + theirs, "patrol")
    assert sha256(path) == before
    # the district supervisor still assigns anywhere
    assert len(create_assignments(path, Actor(sup["uuid"], sup["name"], "supervisor"), theirs, "patrol")
               .created("assignment")) == 1


def test_failed_migration_leaves_project_unchanged(sample_copy, monkeypatch):
    _set_version(sample_copy, 0)
    original = sha256(sample_copy)

    def broken(con):
        con.execute("ALTER TABLE grid_cell ADD COLUMN half_done TEXT")
        con.execute("ALTER TABLE no_such_table ADD COLUMN x TEXT")

    monkeypatch.setitem(migrations.MIGRATIONS, 0, broken)
    with pytest.raises(StorageError, match="project is unchanged"):
        Project.open(sample_copy, migrate=True)
    assert sha256(sample_copy) == original
    assert len(list(sample_copy.parent.glob("*.backup.gpkg"))) == 1


def test_older_project_without_migration_step_is_refused_untouched(sample_copy):
    _set_version(sample_copy, 0)
    original = sha256(sample_copy)
    with pytest.raises(SchemaVersionError, match="no migration from schema version 0"):
        Project.open(sample_copy, migrate=True)
    with pytest.raises(SchemaVersionError, match="older"):
        Project.open(sample_copy)
    assert sha256(sample_copy) == original
    assert list(sample_copy.parent.glob("*.backup.gpkg")) == []


def test_newer_project_is_refused(sample_copy):
    _set_version(sample_copy, 99)
    with pytest.raises(SchemaVersionError, match="newer GridWatch"):
        check_project(sample_copy)


def test_reading_all_layers_reports_progress_and_can_be_cancelled(sample_path):
    token = CancelToken()
    reports = []

    def progress(f, m):
        reports.append(f)
        if len(reports) == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        Project.open(sample_path).read_all_layers(progress=progress, cancel=token)
    done = Project.open(sample_path).read_all_layers(progress=lambda f, m: reports.append(f))
    assert set(done) == set(LAYERS)
    assert reports[-1] == pytest.approx(1.0)
