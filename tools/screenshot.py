"""Screenshot of the main window on the sample district, for README.md.

Run under a virtual screen (real X server, not offscreen), from the checkout:

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/screenshot.py --out docs/screenshot.png

It opens the sample in Chinese (its first-run copy, moved so that its two months of work end
yesterday), selects the cells of one village, identifies a cell and saves the window as a PNG.
With ``--workflow`` it shows the task panel as an inspector with open tasks, the findings panel
with a rejected finding and the sync conflicts as a supervisor; with ``--analysis`` the coverage
map, the dashboard and the export dialog (``--out`` gets suffixes).  Everything shown is the
shipped sample's own month: nothing is added for the pictures.

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


def _people_of_the_month(path: Path) -> dict:
    """Who to show the shipped sample's month as: an inspector with open tasks, a supervisor, and a
    finding that was rejected once and is back with its inspector."""
    from gridwatch.storage import queries

    people = queries.people(path).set_index("uuid")
    tasks = queries.tasks(path, open_only=True)
    mine = tasks[tasks["kind"] != "fire_check"].iloc[0]
    findings = queries.findings(path)
    rejected = findings[(findings["reject_count"] > 0) & (findings["status"] == "assigned")]
    rejected = rejected if len(rejected) else findings[findings["reject_count"] > 0]
    supervisors = people[people["role"] == "supervisor"]
    return {"inspector": str(people.loc[mine["assignee_uuid"], "name"]), "task": str(mine["uuid"]),
            "cell": str(mine["cell_code"]), "supervisor": str(supervisors["name"].iloc[0]),
            "finding": str(rejected["uuid"].iloc[0])}


def workflow_shots(args) -> int:
    """The task panel as an inspector, the findings panel and the sync conflicts as a supervisor, on the
    shipped sample's month (``-tasks``, ``-findings``, ``-history``, ``-conflicts`` suffixes)."""
    from gridwatch.app.periods import Period
    from gridwatch.ui.app import create_app, create_window, make_settings
    from gridwatch.userdata import ensure_sample_project

    path = ensure_sample_project()
    demo = _people_of_the_month(Path(path))
    app = create_app()
    settings = make_settings()
    settings.setValue("language", args.lang)
    settings.setValue("user", demo["inspector"])
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
    window.zoom_to_cell(demo["cell"])
    window.canvas.zoom_by(0.25)
    tasks = window.task_panel
    tasks.raise_()
    tasks.select_task(demo["task"])
    wait(rendered)
    wait(lambda: False, 800)
    stem = args.out.with_suffix("")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(f"{stem}-tasks.png")
    window.workflow.set_user(demo["supervisor"])
    window.time_bar.control.set_period(Period("30d"))  # the month: the rejected finding was found earlier
    window.finding_panel.raise_()
    window.finding_panel.select_finding(demo["finding"])
    chosen = window.finding_panel.selected_finding()
    if chosen and chosen.get("longitude") == chosen.get("longitude"):
        lon, lat = float(chosen["longitude"]), float(chosen["latitude"])
        window.canvas.zoom_to((lon, lat, lon, lat), 0.006)
        cells = window.data.layers["grid_cell"].at_point(lon, lat, 0.0)
        if len(cells):  # the finding's own cell in the identify panel, not the task's of the picture before
            window.show_identify("grid_cell", int(cells[0]))
    wait(rendered)
    wait(lambda: False, 800)
    window.grab().save(f"{stem}-findings.png")
    tabs = window.finding_panel.findChild(object, "findingTabs")
    if tabs is not None:
        tabs.setCurrentIndex(1)
        wait(lambda: False, 300)
        window.grab().save(f"{stem}-history.png")
    window.conflict_panel.show()
    window.conflict_panel.raise_()
    wait(lambda: False, 800)
    window.grab().save(f"{stem}-conflicts.png")
    print(f"wrote {stem}-tasks.png, {stem}-findings.png, {stem}-history.png, {stem}-conflicts.png")
    window.close()
    return 0


def analysis_shots(args) -> int:  # type: ignore[no-untyped-def]
    """Coverage map with its panel, the dashboard, the export dialog (``-coverage``, ``-dashboard``,
    ``-export`` suffixes)."""
    from gridwatch.ui.app import create_app, create_window, make_settings
    from gridwatch.userdata import ensure_sample_project

    path = Path(ensure_sample_project())
    demo = _people_of_the_month(path)
    app = create_app()
    settings = make_settings()
    settings.setValue("language", args.lang)
    settings.setValue("user", demo["supervisor"])
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
