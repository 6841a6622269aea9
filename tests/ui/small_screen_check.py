"""Child process of test_small_screen.py: open GridWatch as a user would on the screen Qt was given
(a 1366x768 offscreen screen) and report, as JSON, what does not fit.

Run: QT_QPA_PLATFORM="offscreen:configfile=SCREEN.json" python small_screen_check.py SAMPLE FIRMS_CSV
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="gridwatch-fit-"))
    os.environ["GRIDWATCH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["GRIDWATCH_DATA_DIR"] = str(tmp / "data")
    from PySide6.QtCore import QEventLoop, QRect, QTimer
    from PySide6.QtWidgets import QAbstractButton, QDialog, QTabBar

    from gridwatch.ui.app import create_app, create_window, make_settings

    project = tmp / "district.gpkg"
    shutil.copyfile(sys.argv[1], project)
    app = create_app()
    s = make_settings()
    s.setValue("language", "zh_CN")
    s.sync()
    w = create_window(project)
    w.show_default()

    def pump(cond, ms=60_000):
        loop = QEventLoop()
        t = QTimer()
        t.timeout.connect(lambda: loop.quit() if cond() else None)
        t.start(20)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        t.stop()

    pump(lambda: w.data is not None)
    pump(lambda: False, 300)
    screen = app.primaryScreen().availableGeometry()
    problems: list[str] = []

    def inside(widget, outer: QRect, what: str) -> None:
        if not widget.isVisible():
            return
        top_left = widget.mapToGlobal(widget.rect().topLeft())
        r = QRect(top_left, widget.size())
        if not outer.contains(r):
            problems.append(f"{what}: {r.getRect()} not inside {outer.getRect()}")

    def check_window(when: str) -> None:
        g = w.frameGeometry()
        if not screen.contains(g):
            problems.append(f"{when}: window {g.getRect()} off the screen {screen.getRect()}")
        for label in (w.user_label, w.scale_label, w.selection_label):
            inside(label, screen, f"{when}: status bar {label.objectName()}")
        if not w.task_panel.visibleRegion().isEmpty():  # the raised tab (others are parked off screen)
            for b in (w.task_panel.start_button, w.task_panel.cancel_button):
                inside(b, screen, f"{when}: task button {b.objectName()}")
        area = w.identify_panel.widget()  # the dock's body scrolls only when its lists are at their least
        view = area.viewport()
        if not w.dashboard_dock.isVisible():  # (with the dashboard open the side docks are short: they scroll)
            inside(w.identify_panel.history_button, QRect(view.mapToGlobal(view.rect().topLeft()), view.size()),
                   f"{when}: identify's history button (scrolled away)")
        for bar in w.findChildren(QTabBar):
            if bar.parent() is w and bar.elideMode().name != "ElideNone":
                problems.append(f"{when}: dock tabs elided")

    check_window("first start")
    picker = w._user_picker
    inside(picker, screen, "user picker")
    sup = w.workflow.people[w.workflow.people["role"] == "supervisor"].iloc[0]
    picker.choose(str(sup["uuid"]))
    cells = w.data.layers["grid_cell"].frame
    w.set_selection(cells.index[:6].to_numpy())
    w.show_identify("grid_cell", 0)
    for dock in (w.task_panel, w.finding_panel, w.conflict_panel, w.rules_dock, w.coverage_panel):
        dock.raise_()
        pump(lambda: False, 100)
        check_window(f"with the {dock.objectName()} tab")
    w.act_dashboard.trigger()
    pump(lambda: False, 300)
    if w.dashboard_dock.height() < 250:
        problems.append(f"dashboard dock only {w.dashboard_dock.height()} px high")
    check_window("with the dashboard")
    w.dashboard_dock.hide()
    openers = [("import", w.show_import_dialog, "_import_dialog"), ("export", w.show_export_dialog, "_export_dialog"),
               ("assign", w.assign_selected_cells, "_assign_dialog"),
               ("fire checks", w.show_fire_checks_dialog, "_fire_dialog"),
               ("people", w.show_people_dialog, "_people_dialog"),
               ("history", lambda: w.show_history(str(cells["uuid"].iloc[0])), "_history_dialog"),
               ("user", w.choose_user, "_user_picker"), ("checkout", w.show_checkout_dialog, "_checkout_dialog"),
               ("city", w.show_city_dialog, "_city_dialog")]
    sizes = {}
    for name, open_it, attr in openers:
        open_it()
        d: QDialog = getattr(w, attr)
        if name == "import" and len(sys.argv) > 2:
            d.set_file(sys.argv[2])
            pump(lambda d=d: d.preview_frame is not None and not d.busy_working())
        pump(lambda: False, 200)
        sizes[name] = [d.width(), d.height()]
        inside(d, screen, f"dialog {name}")
        for b in d.findChildren(QAbstractButton):
            if b.isVisibleTo(d) and b.text():
                inside(b, screen, f"dialog {name}: button {b.text()!r}")
        d.close()
    w._close_confirmed = True
    w.canvas.shutdown()
    print(json.dumps({"screen": screen.getRect(), "window": w.frameGeometry().getRect(), "dialogs": sizes,
                      "problems": problems}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
