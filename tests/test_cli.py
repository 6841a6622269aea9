"""``gridwatch info`` and ``gridwatch sample`` as a user runs them."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from gridwatch.cli import main
from gridwatch.layers import LAYERS

from .conftest import sha256


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """Run the installed entry point the way a user does."""
    return subprocess.run([sys.executable, "-m", "gridwatch", *args], capture_output=True, text=True, timeout=300)


def test_info_lists_all_eight_feature_layers(sample_path):
    res = run_cli("info", str(sample_path))
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for name in LAYERS:
        assert name in out
    assert "鹿泉区" in out and "EPSG:4490" in out and "MULTIPOLYGON" in out and "POINT" in out


def test_info_json_has_plausible_counts_crs_and_extent(sample_path, capsys):
    assert main(["info", str(sample_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    layers = {li["name"]: li for li in data["layers"]}
    assert list(layers) == list(LAYERS)
    assert 8 <= layers["township"]["feature_count"] <= 20
    assert 1500 <= layers["grid_cell"]["feature_count"] <= 4000
    assert 50 <= layers["fire_point"]["feature_count"] <= 500  # a few dozen straw fires and heat sources a month
    for li in layers.values():
        assert li["crs"] == "EPSG:4490"
        minx, miny, maxx, maxy = li["extent"]
        assert 113 < minx < maxx < 116 and 37 < miny < maxy < 39  # Shijiazhuang area
    assert layers["fire_point"]["geometry_type"] == "POINT"
    assert {t["name"] for t in data["tables"]} >= {"inspector", "assignment", "inspection", "finding",
                                                    "attachment", "audit_log"}


def _bad_files(tmp_path: Path, sample_path: Path, realdata: Path) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.gpkg"
    text.write_text("这不是 GeoPackage\n", encoding="utf-8")
    empty = tmp_path / "empty.gpkg"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.gpkg"
    data = sample_path.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    corrupt = tmp_path / "corrupt.gpkg"
    blob = bytearray(data)
    page = 4096
    for start in range(20 * page, len(blob) - page, 7 * page):  # scribble over interior pages
        blob[start + 8:start + 400] = b"\xff" * 392
    corrupt.write_bytes(bytes(blob))
    plain_gpkg = tmp_path / "not_gridwatch.gpkg"
    shutil.copyfile(realdata / "badinput" / "pyogrio" / "test_gpkg_nulls.gpkg", plain_gpkg)
    other_sqlite = tmp_path / "app.sqlite"
    with closing(sqlite3.connect(other_sqlite)) as con:
        con.execute("CREATE TABLE t (x)")
        con.commit()
    shapefile_part = tmp_path / "boundary.shp"
    shapefile_part.write_bytes(b"\x00\x00\x27\x0a" + b"\x00" * 96)
    missing_tables = tmp_path / "missing.gpkg"
    shutil.copyfile(sample_path, missing_tables)
    with closing(sqlite3.connect(missing_tables)) as con:
        con.execute("DROP TABLE audit_log")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = 'audit_log'")
        con.commit()
    return {
        "text": (text, "not a GeoPackage"),
        "empty": (empty, "empty"),
        "truncated": (truncated, "truncated"),
        "corrupt": (corrupt, "damaged"),
        "plain": (plain_gpkg, "not a GridWatch project"),
        "sqlite": (other_sqlite, "not a GeoPackage"),
        "shapefile": (shapefile_part, "not a GeoPackage"),
        "missing_table": (missing_tables, "missing table(s) audit_log"),
    }


@pytest.mark.parametrize(
    "kind", ["text", "empty", "truncated", "corrupt", "plain", "sqlite", "shapefile", "missing_table"]
)
def test_bad_file_gives_one_line_error_and_stays_byte_identical(kind, tmp_path, sample_path, realdata):
    path, expected = _bad_files(tmp_path, sample_path, realdata)[kind]
    before = sha256(path)
    siblings = sorted(p.name for p in tmp_path.iterdir())
    res = run_cli("info", str(path))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert str(path) in lines[0] and expected in lines[0], lines[0]
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == siblings  # no journal or lock left


def test_missing_file_and_folder(tmp_path, capsys):
    assert main(["info", str(tmp_path / "nope.gpkg")]) == 2
    assert "file not found" in capsys.readouterr().err
    assert main(["info", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_sample_command_writes_a_project_and_refuses_to_clobber(tmp_path, capsys):
    out = tmp_path / "d.gpkg"
    assert main(["sample", "--out", str(out), "--seed", "3", "--quiet"]) == 0
    before = sha256(out)
    assert main(["info", str(out), "--json"]) == 0
    capsys.readouterr()
    assert main(["sample", "--out", str(out), "--seed", "4", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "file exists" in err and str(out) in err
    assert sha256(out) == before


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "info" in out and "sample" in out and "open" in out


def test_open_refuses_a_bad_file_before_any_window(tmp_path, capsys):
    bad = tmp_path / "x.gpkg"
    bad.write_text("no")
    assert main(["open", str(bad)]) == 2
    assert "not a GeoPackage" in capsys.readouterr().err


def test_output_piped_into_head_ends_quietly(sample_path, monkeypatch, tmp_path, capsys):
    """`gridwatch info ... | head -1`: the reader goes away; no traceback, exit 0."""
    sink = open(tmp_path / "sink", "w")

    class ClosedPipe:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            pass

        def fileno(self):
            return sink.fileno()

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["info", str(sample_path)]) == 0
    sink.close()
    assert "Traceback" not in capsys.readouterr().err
