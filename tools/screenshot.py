"""Screenshot of the main window on the sample district, for README.md.

Run under a virtual screen (real X server, not offscreen), from the checkout:

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshot.py --out docs/screenshot.png

It opens the sample in Chinese, selects the cells of one village, identifies a cell and saves the
window as a PNG.  With ``--workflow`` it first runs a day of supervision on the copy (fire-point
checks, a coal-ban round in one village, findings with photos at several steps of the loop) and
shows the task and findings panels as the cell's inspector and as a supervisor
(``--out`` gets ``-tasks`` / ``-findings`` suffixes).

With ``--all DIR`` it shoots the main window, every dock and every dialog as they appear on this
screen (the window at the size GridWatch picks for it), into ``DIR/<width>x<height>-<name>.png``;
``bash tools/screenshots.sh DIR`` does it at 1366x768 and 1600x1000 (see tools/shot_catalog.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _wait(condition, timeout_ms: int = 30_000, required: bool = True) -> None:
    """Run the event loop until ``condition()`` holds (or the time is up)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if condition() else None)
    timer.start(50)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    timer.stop()
    if required and not condition():
        raise SystemExit("timed out waiting for the window")


def _rendered(window) -> bool:
    c = window.canvas
    return c._image is not None and not c.is_rendering and c._image_vp == c.viewport


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--lang", default="zh_CN", choices=["zh_CN", "en"])
    parser.add_argument("--size", default="1500x940")
    parser.add_argument("--workflow", action="store_true", help="screenshots of the workflow panels")
    parser.add_argument("--analysis", action="store_true",
                        help="screenshots of the coverage map, the dashboard and the export dialog")
    parser.add_argument("--all", type=Path, metavar="DIR",
                        help="the main window, every dock and every dialog, as seen on this screen")
    args = parser.parse_args()
    if args.all is not None:
        sys.path.insert(0, str(ROOT / "tools"))
        from shot_catalog import run  # type: ignore[import-not-found]

        realdata = ROOT.parent / "shared" / "realdata"
        for path in run(args.all, args.lang, realdata if realdata.is_dir() else None):
            print(f"wrote {path}")
        return 0
    tmp = tempfile.mkdtemp(prefix="gridwatch-shot-")
    os.environ["GRIDWATCH_CONFIG_DIR"] = str(Path(tmp) / "config")
    os.environ["GRIDWATCH_DATA_DIR"] = str(Path(tmp) / "data")

    from gridwatch.ui.app import create_app, create_window, make_settings

    if args.workflow:
        return workflow_shots(args)
    if args.analysis:
        return analysis_shots(args)
    app = create_app()
    settings = make_settings()
    settings.setValue("language", args.lang)
    settings.sync()
    window = create_window()
    w, h = (int(v) for v in args.size.split("x"))
    window.resize(w, h)
    window.show()

    def rendered() -> bool:
        return _rendered(window)

    wait = _wait
    wait(lambda: window.data is not None)
    wait(rendered)
    cells = window.data.layers["grid_cell"].frame
    villages = window.data.layers["village"].frame
    village = villages[villages["kind"] == "village"].iloc[40]
    chosen = (cells["village_code"] == village["code"]).to_numpy().nonzero()[0]
    window.set_selection(chosen)
    window.show_identify("grid_cell", int(chosen[0]))
    window.search_panel.box.setText(village["name"][:2])
    wait(rendered)
    app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    print(f"wrote {args.out}")
    window.close()
    return 0


def _demo_day(path: Path, photos: Path) -> dict:
    """Supervision on the sample copy: what a district office has after a busy day."""
    import datetime as dt

    from PIL import Image, ImageDraw

    from gridwatch.storage import Project
    from gridwatch.storage.workflow import (
        Actor,
        change_assignment,
        change_finding,
        create_assignments,
        create_fire_checks,
        record_finding,
    )

    project = Project.open(path)
    people = project.read_table("inspector")
    sup_row = people[people["role"] == "supervisor"].iloc[0]
    sup = Actor(sup_row["uuid"], sup_row["name"], "supervisor")
    cells = project.read_layer("grid_cell")
    villages = project.read_layer("village")
    village = villages[villages["kind"] == "village"].iloc[40]
    mine = cells[cells["village_code"] == village["code"]]
    now = dt.datetime.now(dt.timezone.utc)
    create_fire_checks(path, sup, now=now - dt.timedelta(hours=30))
    task_ids = create_assignments(path, sup, mine["code"].tolist(), "coal_ban", due_at=now + dt.timedelta(days=2),
                                  notes="冬季禁煤巡查：重点查小卖部、农户散煤", now=now - dt.timedelta(hours=5)
                                  ).created("assignment")
    photos.mkdir(parents=True, exist_ok=True)
    out = {"village": village, "cells": mine, "supervisor": sup}
    cats = ["scattered_coal", "scattered_coal", "open_burning", "catering_fumes"]
    for n, (code, task) in enumerate(zip(mine["code"].iloc[:4], task_ids[:4])):
        cell = mine[mine["code"] == code].iloc[0]
        ins_row = people[people["uuid"] == cell["inspector_uuid"]].iloc[0]
        ins = Actor(ins_row["uuid"], ins_row["name"], "inspector")
        out["inspector"] = ins
        change_assignment(path, ins, task, "start", now=now - dt.timedelta(hours=3))
        c = cell.geometry.representative_point()
        img = Image.new("RGB", (800, 600), (90 + 30 * n, 80, 60))
        ImageDraw.Draw(img).rectangle([200, 250, 600, 500], fill=(40, 40, 40))
        exif = Image.Exif()
        exif.get_ifd(0x8769)[0x9003] = (now - dt.timedelta(hours=2)).astimezone(
            dt.timezone(dt.timedelta(hours=8))).strftime("%Y:%m:%d %H:%M:%S")
        shot = photos / f"IMG_{n:04d}.jpg"
        img.save(shot, exif=exif)
        fid = record_finding(path, ins, assignment_uuid=task, category=cats[n], severity=1 + n % 3,
                             description=["村东小卖部仍在销售散煤", "农户院内堆放散煤约2吨", "田间秸秆焚烧痕迹",
                                          "饭店油烟净化器未开启"][n],
                             longitude=c.x + (0.004 if n == 2 else 0), latitude=c.y,
                             responsible_party=["东头小卖部", "村民张某", "", "老王饭店"][n], photos=[shot],
                             now=now - dt.timedelta(hours=2)).created("finding")[0]
        if n in (0, 1, 3):
            change_finding(path, sup, fid, "assign", rectify_deadline=(now + dt.timedelta(days=3 - 5 * (n == 3))).date(),
                           responsible_party=["东头小卖部", "村民张某", "", "老王饭店"][n], now=now - dt.timedelta(hours=1))
        if n == 0:
            change_finding(path, ins, fid, "rectify", note="散煤已全部清运", after_photos=[shot],
                           now=now - dt.timedelta(minutes=40))
            change_finding(path, sup, fid, "reject", reason="复查发现后院仍有散煤", now=now - dt.timedelta(minutes=20))
            out["finding"] = fid
            out["inspector0"] = ins
            out["cell0"] = code
    return out


def workflow_shots(args) -> int:

    from gridwatch.ui.app import create_app, create_window, make_settings
    from gridwatch.userdata import ensure_sample_project

    path = ensure_sample_project()
    demo = _demo_day(Path(path), Path(os.environ["GRIDWATCH_DATA_DIR"]) / "photos")
    app = create_app()
    settings = make_settings()
    settings.setValue("language", args.lang)
    settings.setValue("user", demo["inspector0"].name)
    settings.sync()
    window = create_window()
    w, h = (int(v) for v in args.size.split("x"))
    window.resize(w, h)
    window.show()

    def wait(condition, timeout_ms: int = 30_000) -> None:
        _wait(condition, timeout_ms, required=False)

    def rendered() -> bool:
        return _rendered(window)

    wait(lambda: window.data is not None)
    wait(rendered)
    window.resizeDocks([window.task_panel], [620], Qt.Orientation.Horizontal)
    window.zoom_to_cell(demo["cell0"])
    window.canvas.zoom_by(0.25)
    tasks = window.task_panel
    tasks.raise_()
    first = tasks.table.item(0, 0)
    if first is not None:
        tasks.table.selectRow(0)
    wait(rendered)
    wait(lambda: False, 800)
    stem = args.out.with_suffix("")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(f"{stem}-tasks.png")
    window.workflow.set_user(demo["supervisor"].name)
    window.finding_panel.raise_()
    window.finding_panel.select_finding(demo["finding"])
    wait(rendered)
    wait(lambda: False, 800)
    window.grab().save(f"{stem}-findings.png")
    tabs = window.finding_panel.findChild(object, "findingTabs")
    if tabs is not None:
        tabs.setCurrentIndex(1)
        wait(lambda: False, 300)
        window.grab().save(f"{stem}-history.png")
    print(f"wrote {stem}-tasks.png, {stem}-findings.png, {stem}-history.png")
    window.close()
    return 0


def _demo_patrols(path: Path, supervisor) -> int:  # type: ignore[no-untyped-def]
    """Patrols of different ages in three townships (the rest never visited), for a coverage map."""
    import datetime as dt

    import numpy as np

    from gridwatch.storage import Project
    from gridwatch.storage.workflow import change_assignment, create_assignments

    cells = Project.open(path).read_layer("grid_cell")
    towns = sorted(cells["township_code"].unique())
    now = dt.datetime.now(dt.timezone.utc)
    rng = np.random.default_rng(7)
    n = 0
    for town, share in ((towns[0], 0.9), (towns[1], 0.7), (towns[4], 0.35), (towns[7], 0.5)):
        chosen = cells[cells["township_code"] == town].sample(frac=share, random_state=1)["code"].tolist()
        ages = rng.choice([1, 3, 5, 6, 9, 12, 18, 25, 40], size=len(chosen))
        for age in sorted(set(ages.tolist()), reverse=True):
            codes = [c for c, a in zip(chosen, ages) if a == age]
            t = now - dt.timedelta(days=float(age))
            for task in create_assignments(path, supervisor, codes, "patrol",
                                           now=t - dt.timedelta(hours=1)).created("assignment"):
                change_assignment(path, supervisor, task, "start", now=t)
                n += 1
    return n


def analysis_shots(args) -> int:  # type: ignore[no-untyped-def]
    """Coverage map with its panel, the dashboard, the export dialog (``-coverage``, ``-dashboard``,
    ``-export`` suffixes)."""
    from gridwatch.ui.app import create_app, create_window, make_settings
    from gridwatch.userdata import ensure_sample_project

    path = Path(ensure_sample_project())
    demo = _demo_day(path, Path(os.environ["GRIDWATCH_DATA_DIR"]) / "photos")
    _demo_patrols(path, demo["supervisor"])
    app = create_app()
    settings = make_settings()
    settings.setValue("language", args.lang)
    settings.setValue("user", demo["supervisor"].name)
    settings.sync()
    window = create_window()
    w, h = (int(v) for v in args.size.split("x"))
    window.resize(w, h)
    window.show()

    def wait(condition, timeout_ms: int = 30_000) -> None:  # type: ignore[no-untyped-def]
        _wait(condition, timeout_ms, required=False)

    def rendered() -> bool:
        return _rendered(window)

    wait(lambda: window.data is not None)
    wait(rendered)
    stem = args.out.with_suffix("")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    panel = window.coverage_panel
    window.act_coverage.trigger()
    window.resizeDocks([panel], [560], Qt.Orientation.Horizontal)
    panel.set_map_mode(True)
    wait(lambda: panel.coverage is not None and not panel.loading)
    wait(lambda: False, 500)
    wait(rendered)
    window.grab().save(f"{stem}-coverage.png")
    panel.set_map_mode(False)
    window.act_dashboard.trigger()
    dock = window.dashboard_dock
    dock.setFloating(True)
    dock.resize(1400, 1000)
    wait(lambda: window.dashboard.data is not None and not window.dashboard.loading)
    wait(lambda: False, 800)
    dock.grab().save(f"{stem}-dashboard.png")
    window.dashboard_dock.hide()
    window.show_export_dialog()
    dialog = window._export_dialog
    dialog.resize(1180, 760)
    wait(lambda: not dialog.preview_busy and not dialog.preview_image.image().isNull(), 60_000)
    wait(lambda: False, 500)
    dialog.grab().save(f"{stem}-export.png")
    print(f"wrote {stem}-coverage.png, {stem}-dashboard.png, {stem}-export.png")
    dialog.close()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
