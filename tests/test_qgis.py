"""Files GridWatch writes open in real QGIS with all their layers, without warnings.

QGIS's Python bindings come from Debian (python3-qgis, installed by ``scripts/setup.sh --test``)
and run under the system interpreter, so the check runs ``tools/qgis_open_check.py`` there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from gridwatch.layers import LAYERS
from gridwatch.storage import write_project

from .conftest import ROOT, sha256

SYSTEM_PYTHON = "/usr/bin/python3"


def qgis_check(path: Path, tmp_path: Path) -> dict:
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail("QGIS Python bindings missing: run `bash scripts/setup.sh --test` (installs python3-qgis)")
    before = sha256(path)
    res = subprocess.run(
        [SYSTEM_PYTHON, str(ROOT / "tools" / "qgis_open_check.py"), str(path), "--json",
         "--render", str(tmp_path / "render.png")],
        capture_output=True, text=True, timeout=600, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert sha256(path) == before, "QGIS changed the file"
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return json.loads(res.stdout)


def _gdal_warnings(report: dict) -> list[str]:
    return [m["message"] for m in report["messages"] if "Warning" in m["message"] or "ERROR" in m["message"]]


def test_sample_opens_in_qgis_with_every_layer(sample_path, tmp_path):
    copy = tmp_path / "sample.gpkg"
    shutil.copyfile(sample_path, copy)
    report = qgis_check(copy, tmp_path)
    assert report["ok"]
    names = {layer["name"].split(" [")[0] for layer in report["layers"] if layer["valid"]}
    assert set(LAYERS) <= names
    assert _gdal_warnings(report) == []
    assert (tmp_path / "render.png").stat().st_size > 10_000


def test_a_schema_2_project_upgraded_with_key_areas_opens_in_qgis(tmp_path, gpkg_validator):
    """The key-area layer the 2 -> 3 migration creates (by hand, not by GDAL) opens in QGIS with its features."""
    from gridwatch.importers.pipeline import ImportOptions, import_file
    from gridwatch.storage import Project

    from .test_storage import _key_area_file

    path = tmp_path / "v2.gpkg"
    shutil.copyfile(ROOT / "tests" / "data" / "project_schema_v2.gpkg", path)
    Project.open(path, migrate=True)
    for backup in tmp_path.glob("*.backup.gpkg"):
        backup.unlink()
    import_file(path, _key_area_file(tmp_path), ImportOptions(kind="key_area", field_map={"名称": "name", "类型": "kind"},
                                                               user="script", allow_outside=True))  # 3 townships left
    gpkg_validator(path)
    report = qgis_check(path, tmp_path)
    assert report["ok"] and _gdal_warnings(report) == []
    keys = [layer for layer in report["layers"] if layer["name"].split(" [")[0] == "key_area" and layer["valid"]]
    # QGIS splits the mixed layer into its points (2 stations) and polygons (1 school), and opens it whole.
    assert sorted(layer["feature_count"] for layer in keys if layer.get("form") == "sublayer") == [1, 2]
    assert [layer["feature_count"] for layer in keys if layer.get("form") != "sublayer"] == [3]


def test_empty_project_opens_in_qgis(tmp_path):
    path = write_project(tmp_path / "empty.gpkg", district_name="空项目", county_code="000000")
    report = qgis_check(path, tmp_path)
    assert report["ok"] and _gdal_warnings(report) == []


def test_project_after_the_workflow_opens_in_qgis(sample_copy, tmp_path, gpkg_validator):
    """Tasks, fire-check results, a finding with photos taken round the loop, undo: still QGIS-clean."""
    import datetime as dt

    from gridwatch.storage import Project
    from gridwatch.storage.workflow import (
        Actor,
        change_assignment,
        change_finding,
        create_assignments,
        create_fire_checks,
        record_finding,
        undo,
    )

    from .conftest import make_photo

    people = Project.open(sample_copy).read_table("inspector")
    sup_row = people[people["role"] == "supervisor"].iloc[0]
    sup = Actor(sup_row["uuid"], sup_row["name"], "supervisor")
    cells = Project.open(sample_copy).read_layer("grid_cell")
    cell = cells.iloc[0]
    ins_row = people[people["uuid"] == cell["inspector_uuid"]].iloc[0]
    ins = Actor(ins_row["uuid"], ins_row["name"], "inspector")
    create_fire_checks(sample_copy, sup)
    task = create_assignments(sample_copy, sup, [cell["code"]], "coal_ban").created("assignment")[0]
    change_assignment(sample_copy, ins, task, "start")
    c = cell.geometry.representative_point()
    photo = make_photo(tmp_path / "p.jpg", lon=c.x, lat=c.y, taken_local="2025:11:20 08:30:00")
    fid = record_finding(sample_copy, ins, assignment_uuid=task, category="scattered_coal", longitude=c.x,
                         latitude=c.y, photos=[photo]).created("finding")[0]
    change_finding(sample_copy, sup, fid, "assign", rectify_deadline=dt.date(2025, 12, 1), responsible_party="某商户")
    extra = record_finding(sample_copy, ins, assignment_uuid=task, category="other", longitude=c.x, latitude=c.y)
    undo(sample_copy, ins, extra)
    gpkg_validator(sample_copy)
    report = qgis_check(sample_copy, tmp_path)
    assert report["ok"] and _gdal_warnings(report) == []
    findings = [layer for layer in report["layers"] if layer["name"].split(" [")[0] == "finding" and layer["valid"]]
    before = len(Project.open(sample_copy).read_layer("finding"))  # the sample's own, and the one recorded here
    assert findings and findings[0]["feature_count"] == before


def test_shared_project_after_syncs_opens_in_qgis(sample_path, tmp_path, gpkg_validator):
    """The shared file a sync wrote (whole-file replace; change-tracking triggers inside) stays QGIS-clean."""
    import datetime as dt

    from gridwatch.storage import Project
    from gridwatch.storage.workflow import Actor, create_assignments
    from gridwatch.sync import checkout, sync

    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)
    people = Project.open(shared).read_table("inspector")
    sup = people[people["role"] == "supervisor"].iloc[0]
    (tmp_path / "a").mkdir()
    local = checkout(shared, tmp_path / "a" / "p.gpkg", sup["name"])
    create_assignments(local, Actor(sup["uuid"], sup["name"], "supervisor"), ["130110100001001"], "patrol",
                       now=dt.datetime(2025, 11, 20, tzinfo=dt.timezone.utc))
    sync(local)
    for path in (shared, local):  # the shared file and the laptop's working copy
        gpkg_validator(path)
        report = qgis_check(path, tmp_path)
        assert report["ok"] and _gdal_warnings(report) == []
