"""Every benchmark runs, at a tiny scale: a benchmark that stops working fails here, not months later.

Smoke tests only: each runs ``python -m benchmarks --scale tiny --only NAME`` (the very code
``scripts/bench.sh`` runs on the stress district) on a district generated once into a temporary
folder, and checks that it wrote its section with numbers.  Nothing is timed against a target
(speed is measured by ``scripts/bench.sh``, not by the test suite).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Benchmark -> the heading its section starts with (the machine line comes before every section).
BENCHMARKS = {
    "open": "### Open the",
    "render": "### Map rendering",
    "import": "### Import",
    "workflow": "### Workflow",
    "sync": "### Sync",
    "coverage": "### Coverage",
    "html": "### HTML map",
    "maps": "### PDF township atlas",
    "ui": "### The window's answers",
    "pg": "### PostGIS shared project",
    "field": "### In the field",
}


def _run(args: list[str], data: Path, results: Path, timeout: int = 900) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "GRIDWATCH_CONFIG_DIR": str(data / "config"), "GRIDWATCH_DATA_DIR": str(data / "userdata")}
    return subprocess.run([sys.executable, "-m", "benchmarks", "--scale", "tiny", "--repeats", "1",
                           "--data", str(data), "--results", str(results), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A benchmark data folder with the tiny district (generated through the benchmarks' own path)."""
    data = tmp_path_factory.mktemp("bench")
    res = _run(["--only", "open"], data, data / "first.md")
    assert res.returncode == 0, res.stderr[-3000:]
    assert (data / "tiny.gpkg").exists()
    text = (data / "first.md").read_text(encoding="utf-8")
    assert "### Generate the tiny district" in text
    return data


@pytest.mark.slow
@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_benchmark_runs_at_tiny_scale(name: str, tiny_data: Path, tmp_path: Path) -> None:
    if name == "pg" and shutil.which("pg_ctl") is None and not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
        pytest.skip("PostgreSQL is not installed (scripts/setup.sh --test installs it)")
    results = tmp_path / "RESULTS.md"
    res = _run(["--only", name], tiny_data, results)
    assert res.returncode == 0, f"benchmark {name} failed:\n{res.stderr[-4000:]}"
    text = results.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results")
    assert "Machine: " in text
    section = text[text.index(BENCHMARKS[name]):]
    # A table with a measured number in a cell.
    assert re.search(r"^\|.*\|\s*\**\d[\d,.]*\**( ms| s| MB)?\s*\|", section, re.M), section
    # Scratch files are cleaned up; only the district (and the benchmark's own inputs) stay.
    assert not list(tiny_data.glob("*_target.gpkg"))
    if name == "render":
        # QGIS renders the same file beside GridWatch in the same run, when it is installed (the suite's setup installs it).
        probe = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True)
        if probe.returncode == 0:
            assert "QGIS 3." in section and "QGIS / GridWatch full render" in section
            assert re.search(r"^\| open to first painted map .*\| [\d.]+ s \|$", section, re.M), section
