"""Opening a project paints its map first: nothing heavy is imported before the first painted map, and the
panels fill after it (issue 18).

Each case runs in a fresh interpreter, as the app starts: what an earlier test imported would hide an import.
The small sample district is drawn as a big district is (from its stored density counts and the period's fire
points, not a data frame of every point): the threshold for that is lowered in the child process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT, SAMPLE, moved_to_today, sha256

#: Libraries the first paint does without (0.7 s of imports of a 1.5 s budget, the dashboard's charts).
HEAVY = ("pandas", "geopandas", "pyogrio", "pyqtgraph")

OPEN = r"""
import json, sys, time
from PySide6.QtCore import QEventLoop, QTimer
import gridwatch.mapview.data as map_data
map_data.DENSITY_BINS_FROM = 0  # drawn as a big district is: stored counts and the period's points
from gridwatch.ui.app import create_app, create_window
HEAVY = %r
imported = [m for m in HEAVY if m in sys.modules]
app = create_app()
w = create_window(sys.argv[1])
w.resize(1200, 800)
w.show()
loop = QEventLoop()
w.canvas.renderFinished.connect(lambda s: loop.quit())
w.projectFailed.connect(lambda m: loop.quit())
QTimer.singleShot(60000, loop.quit)
loop.exec()
image = w.canvas._image
at_paint = {
    "heavy": [m for m in HEAVY if m in sys.modules],
    "painted": image is not None,
    "colours": len(set(image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)))
    if image is not None else 0,
    "findings": w.finding_panel.table.rowCount(),
    "tasks": w.task_panel.table.rowCount(),
    "coverage_held": w.coverage_panel.held,
}
loaded = []
w.projectLoaded.connect(loaded.append)
end = time.monotonic() + 60
while time.monotonic() < end and not (loaded and w.finding_panel.table.rowCount() and w.task_panel.table.rowCount()):
    app.processEvents()
    time.sleep(0.01)
after = {"loaded": bool(loaded), "findings": w.finding_panel.table.rowCount(),
         "tasks": w.task_panel.table.rowCount(), "user": w.user_label.text(),
         "people": len(w.workflow.people)}
w.close()
print(json.dumps({"imported": imported, "at_paint": at_paint, "after": after}))
"""


def _open_in_fresh_process(project: Path, config: Path) -> dict:
    config.mkdir(parents=True, exist_ok=True)
    (config / "gridwatch.ini").write_text("[General]\nask_user_on_start=false\nlanguage=en\n", encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GRIDWATCH_CONFIG_DIR": str(config),
           "GRIDWATCH_DATA_DIR": str(config.parent / "data"), "PYTHONPATH": str(ROOT)}
    res = subprocess.run([sys.executable, "-c", OPEN % (HEAVY,), str(project)], capture_output=True, text=True,
                         timeout=300, cwd=ROOT, env=env)
    assert res.returncode == 0, res.stderr[-4000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.fixture
def recent_sample(tmp_path: Path) -> Path:
    """A copy of the sample district with its work, moved in time so that its last fire points and findings
    are of yesterday (the map's default period, the last 7 days, holds some)."""
    import shutil

    path = tmp_path / "project.gpkg"
    shutil.copyfile(SAMPLE, path)
    return moved_to_today(path)


def test_the_map_is_painted_before_anything_heavy_is_imported_and_the_panels_fill_after_it(recent_sample, tmp_path):
    got = _open_in_fresh_process(recent_sample, tmp_path / "config")
    assert got["imported"] == [], "importing the app module imported " + ", ".join(got["imported"])
    first = got["at_paint"]
    assert first["painted"] and first["colours"] > 3, "the first paint drew the district"
    assert first["heavy"] == [], "the way to the first painted map imported " + ", ".join(first["heavy"])
    # The panels' reads wait for the first paint (two cores: they would slow it) ...
    assert first["findings"] == 0 and first["tasks"] == 0 and first["coverage_held"]
    # ... and then show the project: its findings and tasks, its people.
    after = got["after"]
    assert after["loaded"], "projectLoaded after the first paint"
    assert after["findings"] > 0 and after["tasks"] > 0 and after["people"] > 0


def test_opening_reads_the_project_and_never_writes_it(recent_sample, tmp_path):
    """The open (the map's own reads straight from the file included) leaves the project byte-identical: the
    10x city district is opened read-only by the benchmarks."""
    before, mtime = sha256(recent_sample), recent_sample.stat().st_mtime_ns
    _open_in_fresh_process(recent_sample, tmp_path / "config")
    assert sha256(recent_sample) == before and recent_sample.stat().st_mtime_ns == mtime
    assert not Path(str(recent_sample) + "-journal").exists() and not Path(str(recent_sample) + "-wal").exists()


def _damage_deep_pages(path: Path, table: str) -> None:
    """Overwrite the last leaf page of ``table`` and of each of its indexes with garbage: the first pages are
    intact (a quick look at the file finds nothing), a whole read of the table fails."""
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        size = con.execute("PRAGMA page_size").fetchone()[0]
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE tbl_name = ? AND type IN "
                                           "('table', 'index')", (table,))]
        pages = [con.execute("SELECT MAX(pageno) FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (n,)).fetchone()[0]
                 for n in names]
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * size)
            f.write(b"\xa5" * size)


def test_a_damaged_page_deep_in_a_table_is_reported_after_the_map_is_drawn(qtbot, tmp_path, monkeypatch):
    """The whole-table check of an open runs after the first paint: a project damaged deep in its change log
    still shows its map first, then says it is damaged (as opening it always said)."""
    import shutil

    monkeypatch.setenv("GRIDWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    from gridwatch.ui import i18n
    from gridwatch.ui.app import create_app, make_settings
    from gridwatch.ui.window.main_window import MainWindow

    path = tmp_path / "damaged.gpkg"
    shutil.copyfile(SAMPLE, path)
    _damage_deep_pages(path, "audit_log")
    create_app()
    i18n.install("en")
    settings = make_settings()
    settings.setValue("ask_user_on_start", False)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    outcome: list[str] = []
    w.canvas.renderFinished.connect(lambda s: outcome.append("painted"))
    w.projectFailed.connect(lambda m: outcome.append(m))
    w.open_project(path)
    qtbot.waitUntil(lambda: len(outcome) >= 2, timeout=60_000)
    w.close()
    assert outcome[0] == "painted" and w.canvas._image is not None
    assert "damaged GeoPackage" in outcome[1] and "restore it from a backup" in outcome[1]
    box = w.findChild(type(w._error_box), "openErrorDialog")
    assert box is not None and "damaged" in box.text()
