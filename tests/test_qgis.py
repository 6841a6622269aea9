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


def test_empty_project_opens_in_qgis(tmp_path):
    path = write_project(tmp_path / "empty.gpkg", district_name="空项目", county_code="000000")
    report = qgis_check(path, tmp_path)
    assert report["ok"] and _gdal_warnings(report) == []
