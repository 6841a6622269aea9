"""Screenshots of the main window, every dock and every dialog, as a user sees them on this screen.

Used by ``tools/screenshot.py --all DIR`` (run it once per screen size; ``tools/screenshots.sh`` runs
1366x768 and 1600x1000).  The window opens at the size GridWatch chooses for the screen (nothing is
resized for the picture), and each shot is the whole screen, so whatever does not fit is seen not to.

The project is a working copy of the sample district checked out from a shared folder, with a busy
day of supervision on it (fire-point checks, a coal-ban round, findings at several steps of the loop,
patrols of different ages), a sync conflict a supervisor has to review, and edits not yet synced.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QWidget


def pump(ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition: Callable[[], bool], timeout_ms: int = 30_000) -> bool:
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if condition() else None)
    timer.start(50)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    timer.stop()
    return bool(condition())


def office(root: Path, sample: Path) -> dict[str, Any]:
    """A shared folder, a supervisor's working copy with a day of work and a conflict on it."""
    from screenshot import _people_of_the_month  # type: ignore[import-not-found]

    from gridwatch.storage import Project
    from gridwatch.storage.workflow import Actor, create_assignments, edit_finding, record_finding
    from gridwatch.sync import checkout, sync

    share = root / "share"
    share.mkdir(parents=True)
    shared = share / "鹿泉区.gpkg"
    shutil.copyfile(sample, shared)
    _moved_to_today(shared)  # as the first run moves the shipped sample: its month of work ends yesterday
    people = Project.open(shared).read_table("inspector")
    sups = people[people["role"] == "supervisor"].sort_values("name")
    sup = Actor(str(sups["uuid"].iloc[0]), str(sups["name"].iloc[0]), "supervisor")
    sup2 = Actor(str(sups["uuid"].iloc[1]), str(sups["name"].iloc[1]), "supervisor")
    (root / "a").mkdir()
    (root / "b").mkdir()
    mine = checkout(shared, root / "a" / "鹿泉区.gpkg", sup.name)
    other = checkout(shared, root / "b" / "鹿泉区.gpkg", sup2.name)
    now = dt.datetime.now(dt.timezone.utc)
    cell = Project.open(mine).read_layer("grid_cell").iloc[10]
    c = cell.geometry.representative_point()
    fid = record_finding(mine, sup, cell_code=cell["code"], category="scattered_polluter", longitude=c.x,
                         latitude=c.y, description="废品收购站露天焚烧电线", now=now - dt.timedelta(days=3)
                         ).created("finding")[0]
    sync(mine)
    sync(other)
    edit_finding(mine, sup, fid, description="废品收购站露天焚烧电线，已责令停止", now=now - dt.timedelta(days=2))
    edit_finding(other, sup2, fid, description="废品收购站焚烧电线，站主称已停业",
                 now=now - dt.timedelta(days=2, hours=-3))
    sync(mine)
    sync(other)
    sync(mine)
    # the sample's own month: an inspector with open tasks, and a finding rejected once (what follows is
    # still on the laptop: not yet synced)
    month = _people_of_the_month(mine)
    who = people.set_index("name")
    ins_row = who.loc[month["inspector"]]
    inspector = Actor(str(ins_row["uuid"] if "uuid" in ins_row else ins_row.name), month["inspector"], "inspector")
    cells = Project.open(mine).read_layer("grid_cell")
    village = str(cells.loc[cells["code"] == month["cell"], "village_code"].iloc[0]) \
        if "village_code" in cells.columns else str(month["cell"])[:12]
    fresh = cells.iloc[200:203]
    create_assignments(mine, sup, fresh["code"].tolist(), "unannounced")
    record_finding(mine, sup, cell_code=fresh["code"].iloc[0], category="catering_fumes",
                   longitude=fresh.geometry.iloc[0].representative_point().x,
                   latitude=fresh.geometry.iloc[0].representative_point().y, description="夜市烧烤摊无油烟净化")
    demo = {"village": village, "inspector0": inspector, "finding": month["finding"], "supervisor": sup}
    return {"path": mine, "shared": shared, "supervisor": sup, "demo": demo}


def _moved_to_today(path: Path) -> None:
    from gridwatch.sample.generator import BUNDLED_AS_OF
    from gridwatch.storage.timeshift import shift_project_times
    from gridwatch.userdata import beijing_today

    today = beijing_today()
    shift_project_times(path, (today - BUNDLED_AS_OF).days, as_of=today)


class Shooter:
    """Takes the screenshots: ``shoot(name)`` saves the whole screen as ``DIR/WxH-name.png``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        screen = QGuiApplication.primaryScreen()
        self.size = screen.size()
        self.prefix = f"{self.size.width()}x{self.size.height()}"
        self.written: list[Path] = []

    def shoot(self, name: str, widget: QWidget | None = None) -> None:
        pump(400)
        screen = QGuiApplication.primaryScreen()
        pixmap = screen.grabWindow(0) if widget is None else widget.grab()
        path = self.out / f"{self.prefix}-{name}.png"
        pixmap.save(str(path))
        self.written.append(path)


def _dialog(window: Any, attr: str) -> QDialog | None:
    d = getattr(window, attr, None)
    return d if isinstance(d, QDialog) else None


def _close(d: QWidget | None) -> None:
    if d is not None:
        d.close()
        pump(100)


def catalog(window: Any, shot: Shooter, setup: dict[str, Any], realdata: Path | None) -> None:
    """Every dock and every dialog, one after another."""
    from gridwatch.ui.findings.panel import FindingsPanel

    w = window
    rendered = lambda: (w.canvas._image is not None and not w.canvas.is_rendering  # noqa: E731
                        and w.canvas._image_vp == w.canvas.viewport)
    wait_for(rendered)
    # first start: who is working on this laptop?
    picker = getattr(w, "_user_picker", None)
    if picker is not None and picker.isVisible():
        shot.shoot("user-picker")
        picker.choose(setup["supervisor"].name)
        pump(300)
    cells = w.data.layers["grid_cell"].frame
    village = setup["demo"]["village"]
    chosen = (cells["village_code"] == village).to_numpy().nonzero()[0]
    w.set_selection(chosen)
    w.show_identify("grid_cell", int(chosen[0]))
    w.search_panel.box.setText("hlz")  # pinyin initials of 获鹿镇
    wait_for(rendered)
    shot.shoot("main")
    # the measure tool over a few cells
    b = w.data.layers["grid_cell"].features_bounds(chosen)
    w.canvas.zoom_to(b, 0.01)
    wait_for(rendered)
    w.act_measure.trigger()
    (x0, y0, x1, y1) = b
    for lon, lat in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        w._measure_click(lon, lat)
    wait_for(rendered)
    shot.shoot("map-measure")
    w.act_pan.trigger()
    w.canvas.zoom_full()
    wait_for(rendered)
    for dock, name in ((w.task_panel, "tasks"), (w.finding_panel, "findings"), (w.conflict_panel, "conflicts"),
                       (w.rules_dock, "rules"), (w.coverage_panel, "coverage")):
        dock.show()
        dock.raise_()
        if name == "rules":
            w.rules_dock.panel.run()
            wait_for(lambda: not w.rules_dock.panel.running, 60_000)
            if w.rules_dock.panel.table.rowCount():
                w.rules_dock.panel.table.selectRow(0)
        if name == "coverage":
            wait_for(lambda: w.coverage_panel.coverage is not None and not w.coverage_panel.loading, 60_000)
            w.coverage_panel.set_map_mode(True)
            wait_for(rendered)
        if name == "findings" and setup["demo"].get("finding"):
            w.finding_panel.select_finding(setup["demo"]["finding"])
        if name == "conflicts" and w.conflict_panel.table.rowCount():
            w.conflict_panel.table.selectRow(0)
        if name == "tasks":
            groups = w.task_panel.group_rows()
            if groups:
                w.task_panel.toggle_group(groups[0][1], True)
                w.task_panel.table.selectRow(groups[0][0] + 1)
        wait_for(rendered)
        shot.shoot("dock-" + name)
    w.coverage_panel.set_map_mode(False)
    w.task_panel.raise_()
    w.act_dashboard.trigger()
    wait_for(lambda: w.dashboard.data is not None and not w.dashboard.loading, 60_000)
    shot.shoot("dock-dashboard")
    w.dashboard_dock.hide()
    w.show_table("fire_point")
    frame = w.data.layers["fire_point"].frame
    w.table_dock.select_uuids("fire_point", frame["uuid"].iloc[:40].tolist())
    w._on_table_selection("fire_point", frame["uuid"].iloc[:40].tolist())
    wait_for(rendered)
    shot.shoot("dock-attribute-table")
    w.table_dock.hide()
    w.canvas.clear_highlight()

    # dialogs of the File menu
    w.show_import_dialog()
    d = w._import_dialog
    if realdata is not None:
        d.set_file(realdata / "firms" / "world_fires_1_day_modis_c61.csv")
        wait_for(lambda: d.preview_frame is not None, 60_000)
    shot.shoot("dialog-import")
    _close(d)
    w.show_export_dialog()
    d = w._export_dialog
    wait_for(lambda: not d.preview_busy and not d.preview_image.image().isNull(), 60_000)
    shot.shoot("dialog-export")
    _close(d)
    w.show_sync_dialog()
    shot.shoot("dialog-sync")
    _close(_dialog(w, "_sync_dialog"))
    w.show_checkout_dialog(setup["shared"])
    shot.shoot("dialog-checkout")
    _close(_dialog(w, "_checkout_dialog"))
    # the Inspections menu
    w.assign_selected_cells()
    shot.shoot("dialog-assign")
    _close(_dialog(w, "_assign_dialog"))
    w.show_fire_checks_dialog()
    shot.shoot("dialog-fire-checks")
    _close(_dialog(w, "_fire_dialog"))
    w.show_people_dialog()
    shot.shoot("dialog-people")
    _close(_dialog(w, "_people_dialog"))
    w.give_selected_cells()
    shot.shoot("dialog-cell-inspector")
    _close(_dialog(w, "_cell_inspector_dialog"))
    w.show_history(str(cells["uuid"].iloc[int(chosen[0])]))
    shot.shoot("dialog-history")
    _close(_dialog(w, "_history_dialog"))
    # the task steps, as the cell's inspector
    ins = setup["demo"]["inspector0"]
    w.workflow.set_user(ins.name)
    pump(300)
    w.task_panel.set_filter("mine")
    tp = w.task_panel
    rows = [r for r in range(tp.table.rowCount()) if (tp.task_at(r) or {}).get("status") == "in_progress"]
    if rows:
        tp.select_task(str(tp.task_at(rows[0])["uuid"]))
        w.record_finding(tp.selected_task())
        shot.shoot("dialog-record-finding")
        _close(_dialog(w, "_finding_dialog"))
        tp.finish_selected()
        shot.shoot("dialog-finish-task")
        _close(tp.dialog)
    fp: FindingsPanel = w.finding_panel
    fp.show()
    fp.raise_()
    if setup["demo"].get("finding") and fp.select_finding(setup["demo"]["finding"]):
        d = fp.start_action("rectify")
        if d is not None:
            shot.shoot("dialog-finding-rectify")
            _close(d)
    w.workflow.set_user(setup["supervisor"].name)
    pump(300)
    tp.set_filter("open")
    listed = [t for t in (tp.task_at(r) for r in range(tp.table.rowCount())) if t is not None]
    if listed:
        tp.select_task(str(listed[0]["uuid"]))
        tp.cancel_selected()
        shot.shoot("dialog-cancel-task")
        _close(tp.dialog)
    if setup["demo"].get("finding") and fp.select_finding(setup["demo"]["finding"]):
        for action in ("assign", "verify", "reject", "close"):
            d = fp.start_action(action)
            if d is not None:
                shot.shoot("dialog-finding-" + action)
                _close(d)
        d = fp.start_edit()
        if d is not None:
            shot.shoot("dialog-finding-edit")
            _close(d)
        viewer = fp.open_photo(str(fp._attachments["uuid"].iloc[0])) if len(fp._attachments) else None
        if viewer is not None:
            shot.shoot("dialog-photo")
            _close(viewer)
    plan_settings(w, shot)
    w.choose_user()
    picker = getattr(w, "_user_picker", None)
    if picker is not None:
        shot.shoot("dialog-user")
        _close(picker)


def plan_settings(w: Any, shot: Shooter) -> None:
    """Settings > Work-plan settings and checklists (issue 17): both tabs, the construction sites'
    six items on the second (the supervisor is the user)."""
    w.show_settings_dialog()
    d = _dialog(w, "_settings_dialog")
    if d is None:
        return
    shot.shoot("dialog-plan-settings")
    d.tabs.setCurrentIndex(1)
    d.kind.setCurrentIndex(d.kind.findData("construction_dust"))
    d.items.setCurrentRow(0)
    shot.shoot("dialog-checklists")
    _close(d)


def run(out: Path, lang: str, realdata: Path | None) -> list[Path]:
    """Build the office, open the window as a user would, shoot everything; returns the files."""
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="gridwatch-shots-"))
    os.environ["GRIDWATCH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["GRIDWATCH_DATA_DIR"] = str(tmp / "data")
    from gridwatch.ui.app import create_app, create_window, make_settings

    root = Path(__file__).resolve().parent.parent
    setup = office(tmp / "office", root / "sample_data" / "luquan_sample.gpkg")
    app = create_app()
    settings = make_settings()
    settings.setValue("language", lang)
    settings.sync()
    window = create_window(setup["path"])
    window.show_default()
    wait_for(lambda: window.data is not None, 60_000)
    shooter = Shooter(out)
    try:
        catalog(window, shooter, setup, realdata)
    finally:
        window.canvas.shutdown()
        window.hide()
        window.deleteLater()
        app.processEvents()
    return shooter.written
