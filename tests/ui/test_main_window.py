"""The real main window, driven offscreen as a user drives it."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QInputMethodEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from gridwatch.storage import Project

from ..conftest import SAMPLE, sha256


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    from gridwatch.ui import i18n
    from gridwatch.ui.app import create_app, create_window, make_settings

    create_app()
    i18n.install("en")
    settings = make_settings()
    settings.setValue("ask_user_on_start", False)  # the first-start picker has its own tests
    settings.sync()
    bundled_before = sha256(SAMPLE)
    w = create_window()
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitUntil(lambda: w.data is not None, timeout=30_000)
    wait_render(qtbot, w)
    yield w
    w.close()
    assert sha256(SAMPLE) == bundled_before, "the bundled sample must never be modified"
    i18n.install("en")


def wait_render(qtbot, w):
    qtbot.waitUntil(lambda: not w.canvas.is_rendering and w.canvas._image is not None, timeout=30_000)
    qtbot.waitUntil(lambda: w.canvas._image_vp == w.canvas.viewport, timeout=30_000)


def type_text(qtbot, widget, text: str) -> None:
    """Type like a user: ASCII as key presses, Chinese as an input-method commit (as a pinyin
    IME delivers it; QTest cannot synthesise key presses for CJK characters)."""
    widget.setFocus()
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def screen_pos(w, lon, lat) -> QPoint:
    x, y = w.canvas.viewport.to_screen(lon, lat)
    return QPoint(int(round(x)), int(round(y)))


def canvas_pixels(w) -> np.ndarray:
    img = w.canvas._image.convertToFormat(w.canvas._image.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return arr[:, : img.width(), :3].copy()


def test_first_run_opens_a_copy_of_the_sample(window, tmp_path):
    assert window.project_path == tmp_path / "data" / "luquan_sample.gpkg"
    assert window.project_path.exists()
    assert "鹿泉区" in window.windowTitle()
    assert window.recent_projects()[0] == str(window.project_path)
    assert window.canvas._image is not None


def test_toggling_a_layer_changes_the_map(window, qtbot):
    before = canvas_pixels(window)
    # Unverified fire points (and clusters holding some) are vermillion (213, 94, 0); pixels are B, G, R.
    # The map shows the last 7 days' (a few).
    orange = lambda a: int(((a[:, :, 0] < 40) & (a[:, :, 1] > 75) & (a[:, :, 1] < 115) & (a[:, :, 2] > 195)
                            & (a[:, :, 2] < 230)).sum())
    assert orange(before) > 50
    window.layers_panel.set_visible("fire_point", False)
    assert window.canvas.states["fire_point"].visible is False
    wait_render(qtbot, window)
    after = canvas_pixels(window)
    assert orange(after) < orange(before) / 20
    window.layers_panel.set_visible("fire_point", True)
    wait_render(qtbot, window)
    assert orange(canvas_pixels(window)) > orange(after)


def test_clicking_a_cell_identifies_it(window, qtbot):
    # Hide the points so the click lands on the cell and not on a fire point or site.
    for name in ("fire_point", "construction_site", "mine"):
        window.layers_panel.set_visible(name, False)
    wait_render(qtbot, window)
    cells = window.data.layers["grid_cell"].frame
    row = cells.iloc[100]
    point = row.geometry.representative_point()
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=screen_pos(window, point.x, point.y))
    values = window.identify_panel.values()
    assert values["Name"] == row["name"]
    assert values["Code"] == row["code"]
    project = Project.open(window.project_path)
    towns = project.read_layer("township")
    villages = project.read_layer("village")
    people = project.read_table("inspector")
    assert values["Township"] == towns.loc[towns["code"] == row["township_code"], "name"].iloc[0]
    assert values["Village"] == villages.loc[villages["code"] == row["village_code"], "name"].iloc[0]
    assert values["Inspector"] == people.loc[people["uuid"] == row["inspector_uuid"], "name"].iloc[0]
    assert row["name"] in window.identify_panel.title.text()


def test_rectangle_and_shift_click_select_cells(window, qtbot):
    window.act_select.trigger()
    assert window.canvas.tool == "select"
    vp = window.canvas.viewport
    p0, p1 = QPoint(vp.width // 2 - 60, vp.height // 2 - 40), QPoint(vp.width // 2 + 60, vp.height // 2 + 40)
    qtbot.mousePress(window.canvas, Qt.MouseButton.LeftButton, pos=p0)
    qtbot.mouseMove(window.canvas, pos=QPoint(p0.x() + 30, p0.y() + 20))
    qtbot.mouseMove(window.canvas, pos=p1)
    qtbot.mouseRelease(window.canvas, Qt.MouseButton.LeftButton, pos=p1)
    lon0, lat1 = vp.to_map(p0.x(), p0.y())
    lon1, lat0 = vp.to_map(p1.x(), p1.y())
    cells = window.data.layers["grid_cell"].frame
    expected = set(np.flatnonzero(cells.intersects(shapely.box(lon0, lat0, lon1, lat1))))
    assert len(expected) > 5
    assert set(window.selected.tolist()) == expected
    assert str(len(expected)) in window.selection_label.text()
    wait_render(qtbot, window)
    px = canvas_pixels(window)
    yellowish = int(((px[:, :, 0] < 170) & (px[:, :, 1] > 200) & (px[:, :, 2] > 200)).sum())
    assert yellowish > 1000, "selected cells are highlighted"
    # Shift-click a cell outside the rectangle: it joins the selection; again: it leaves.
    outside = next(i for i in range(len(cells)) if i not in expected)
    pt = cells.geometry.iloc[outside].representative_point()
    window.canvas.zoom_to(cells.geometry.iloc[outside].bounds, min_size=0.01)
    wait_render(qtbot, window)
    pos = screen_pos(window, pt.x, pt.y)
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, pos=pos)
    assert outside in window.selected and len(window.selected) == len(expected) + 1
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, pos=pos)
    assert outside not in window.selected and len(window.selected) == len(expected)
    # A plain click selects just that cell.
    qtbot.mouseClick(window.canvas, Qt.MouseButton.LeftButton, pos=pos)
    assert window.selected.tolist() == [outside]


def test_search_a_township_by_chinese_name_moves_the_view(window, qtbot):
    towns = window.data.layers["township"].frame
    target = towns[towns["name"] == "黄壁庄镇"].iloc[0]
    before = window.canvas.viewport
    type_text(qtbot, window.search_panel.box, "黄壁")
    assert window.search_panel.box.text() == "黄壁"
    assert window.search_panel.results.count() >= 1
    assert window.search_panel.hits[0].name == "黄壁庄镇"
    qtbot.keyClick(window.search_panel.box, Qt.Key.Key_Return)
    after = window.canvas.viewport
    minx, miny, maxx, maxy = target.geometry.bounds
    assert minx <= after.cx <= maxx and miny <= after.cy <= maxy
    assert after.res < before.res  # zoomed in
    e = after.extent
    assert e[0] <= minx and e[2] >= maxx and e[1] <= miny and e[3] >= maxy  # whole township shown
    assert window.identify_panel.values()["Name"] == "黄壁庄镇"


def test_search_by_code_and_partial_village_name(window, qtbot):
    villages = window.data.layers["village"].frame
    name = villages["name"].iloc[5]
    type_text(qtbot, window.search_panel.box, name[:2])
    assert any(h.name == name for h in window.search_panel.hits) or len(window.search_panel.hits) == 50
    window.search_panel.box.clear()
    code = villages["code"].iloc[5]
    qtbot.keyClicks(window.search_panel.box, code)
    assert window.search_panel.hits[0].code == code


def test_switching_language_changes_the_menus(window, qtbot):
    assert window.menu_file.title() == "&File"
    window.lang_actions["zh_CN"].trigger()
    qtbot.waitUntil(lambda: window.menu_file.title() != "&File", timeout=5000)
    assert window.menu_file.title() == "文件(&F)"
    assert window.menu_view.title() == "视图(&V)"
    assert window.layers_panel.windowTitle() == "图层"
    assert window.layers_panel.items["township"].text(0) == "乡镇/街道"
    assert window.act_select.text() == "选择网格"
    assert window.settings.value("language") == "zh_CN"
    # Field titles are translated per layer: a cell's "Code" is 网格编码, a township's 乡镇代码.
    window.show_identify("grid_cell", 0)
    assert "网格编码" in window.identify_panel.values() and "乡镇代码" in window.identify_panel.values()
    window.show_identify("township", 0)
    assert "乡镇代码" in window.identify_panel.values() and "网格编码" not in window.identify_panel.values()
    window.lang_actions["en"].trigger()
    qtbot.waitUntil(lambda: window.menu_file.title() == "&File", timeout=5000)
    assert window.layers_panel.items["township"].text(0) == "Townships"


def test_missing_or_corrupt_project_shows_a_readable_dialog(window, qtbot, tmp_path):
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(SAMPLE.read_bytes()[:50_000])
    with qtbot.waitSignal(window.projectFailed, timeout=10_000) as sig:
        window.open_project(bad)
    assert "truncated" in sig.args[0] and str(bad) in sig.args[0]
    box = window.findChild(QMessageBox, "openErrorDialog")
    assert box is not None and box.isVisible()
    assert "truncated" in box.text() and "Traceback" not in box.text()
    box.close()
    with qtbot.waitSignal(window.projectFailed, timeout=10_000) as sig:
        window.open_project(tmp_path / "nowhere.gpkg")
    assert "file not found" in sig.args[0]
    assert window.data is not None  # the open project stays open


def test_attribute_table_selection_follows_the_map(window, qtbot):
    window.show_table("grid_cell")
    assert window.table_dock.isVisible()
    window.set_selection(np.array([3, 4, 5]))
    view = window.table_dock.view
    rows = {i.row() for i in view.selectionModel().selectedRows()}
    assert len(rows) == 3
    model = window.table_dock.model
    frame = window.data.layers["grid_cell"].frame
    assert {model.uuid_at(r) for r in rows} == set(frame["uuid"].iloc[[3, 4, 5]])


def test_pan_by_drag_and_zoom_around_the_cursor(window, qtbot):
    vp = window.canvas.viewport
    start = QPoint(vp.width // 2, vp.height // 2)
    qtbot.mousePress(window.canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(window.canvas, pos=start + QPoint(50, 0))
    qtbot.mouseMove(window.canvas, pos=start + QPoint(100, 30))
    qtbot.mouseRelease(window.canvas, Qt.MouseButton.LeftButton, pos=start + QPoint(100, 30))
    moved = window.canvas.viewport
    assert moved.cx < vp.cx and moved.cy > vp.cy  # dragging right and down shows the west and north
    assert moved.res == vp.res
    anchor = QPointF(200, 150)
    lon, lat = moved.to_map(anchor.x(), anchor.y())
    event = QWheelEvent(anchor, window.canvas.mapToGlobal(anchor), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(window.canvas, event)
    zoomed = window.canvas.viewport
    assert zoomed.res == pytest.approx(moved.res / 1.25**2)
    assert zoomed.to_screen(lon, lat) == pytest.approx((anchor.x(), anchor.y()), abs=1e-6)
    wait_render(qtbot, window)
    # True proportions: a degree of longitude is cos(latitude) as wide as one of latitude.
    assert zoomed.kx == pytest.approx(np.cos(np.radians(38.1)), abs=0.01)
    window.act_full.trigger()
    full = window.canvas.viewport
    ext = window.data.extent
    e = full.extent
    assert e[0] <= ext[0] and e[2] >= ext[2] and e[1] <= ext[1] and e[3] >= ext[3]


def test_cursor_coordinates_and_scale_in_status_bar(window, qtbot):
    vp = window.canvas.viewport
    qtbot.mouseMove(window.canvas, pos=QPoint(100, 100))
    lon, lat = vp.to_map(100, 100)
    assert f"{lon:.5f}" in window.coord_label.text() and f"{lat:.5f}" in window.coord_label.text()
    assert "1:" in window.scale_label.text()


def test_file_menu_opens_the_import_dialog_on_the_open_project(window, qtbot):
    from gridwatch.ui.data.import_dialog import ImportDialog

    assert window.act_import in window.menu_file.actions()
    window.act_import.trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_analysis_menu_coverage_rule_checks_dashboard_and_export(window, qtbot):
    """The Analysis menu shows the coverage panel (a township row selects its cells on the map), the
    rule checks and the dashboard; File > Export for briefing (Ctrl+E) opens the export dialog."""
    w = window
    titles = [a.text() for a in w.menu_analysis.actions()]
    assert titles == ["Patrol &coverage", "&Dashboard and township ranking", "&Rule checks…",
                      "Township &assessment and bulletin…"]
    w.act_coverage.trigger()
    panel = w.coverage_panel
    assert panel.isVisible()
    qtbot.waitUntil(lambda: panel.coverage is not None and not panel.loading, timeout=30_000)
    table = panel.township_table
    assert table.rowCount() == 13
    rect = table.visualItemRect(table.item(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    cells = w.data.layers["grid_cell"].frame
    code = str(cells.iloc[w.selected[0]]["township_code"]) if len(w.selected) else None
    want = panel.coverage.townships.set_index("township_code")["cells"]
    assert code is not None and len(w.selected) == int(want[code])
    assert set(cells.iloc[w.selected]["township_code"]) == {code}

    w.act_rules.trigger()
    assert w.rules_dock.isVisible()
    assert not w.dashboard_dock.isVisible() and w.dashboard.data is None  # hidden: nothing computed
    w.act_dashboard.trigger()
    assert w.dashboard_dock.isVisible()
    qtbot.waitUntil(lambda: w.dashboard.data is not None and not w.dashboard.loading, timeout=30_000)

    assert w.act_export.isEnabled() and w.act_export.shortcut().toString() == "Ctrl+E"
    w.act_export.trigger()
    dialog = w._export_dialog
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: not dialog.preview_busy, timeout=60_000)
    assert not dialog.preview_image.image().isNull()
    dialog.close()


def test_a_project_changed_as_a_whole_refreshes_the_panels_from_the_change_event(window, qtbot):
    """After an import or a sync the map layers are read again, but the session is not reopened: it
    reads its people again and the panels refresh from its ``reloaded`` event; the user stays."""
    from gridwatch.storage.workflow import create_assignments

    w = window
    session = w.workflow.session
    people = w.workflow.people
    sup = people[people["role"] == "supervisor"].iloc[0]
    w.workflow.set_user(str(sup["name"]))
    w.task_panel.set_filter("all")
    w.task_panel.set_grouping("")
    assert w.task_panel.row_of("no such task") == -1
    opened: list[object] = []
    session.project_changed.connect(opened.append)
    reopened: list[object] = []
    w.workflow.session.open = lambda *a, **k: reopened.append(a)  # type: ignore[method-assign]
    # another program (a sync, an import) adds a task to the open file
    actor = w.workflow.actor
    cell = str(w.data.layers["grid_cell"].frame["code"].iloc[7])
    edit = create_assignments(w.project_path, actor, [cell], "patrol")
    new_uuid = edit.created("assignment")[0]
    with qtbot.waitSignal(w.workflow.reloaded, timeout=30_000):
        w.reload_project()
    assert not reopened and opened == [w.project_path]  # the session's change event, not a new session
    assert w.workflow.session is session and w.workflow.actor == actor
    qtbot.waitUntil(lambda: w.task_panel.row_of(new_uuid) >= 0, timeout=30_000)


def test_a_warning_in_force_shows_beside_the_period(window, qtbot):
    """Issue 17: a heavy-pollution warning declared now shows on the map's period bar; undone, it goes."""
    import datetime as dt

    from gridwatch.storage import plans

    w = window
    assert not w.warning_action.isVisible()
    people = w.workflow.people
    w.workflow.set_user(str(people[people["role"] == "supervisor"]["name"].iloc[0]))
    now = dt.datetime.now(dt.timezone.utc)
    with qtbot.waitSignal(w.workflow.changed, timeout=30_000):
        w.workflow.run(plans.declare_warning, "red", now - dt.timedelta(hours=1), now + dt.timedelta(days=1))
    assert w.warning_action.isVisible() and w.warning_label.text().startswith("⚠ Red warning until")
    assert "earthwork stopped" in w.warning_label.text()
    with qtbot.waitSignal(w.workflow.changed, timeout=30_000):
        w.workflow.undo_stack.undo()
    assert not w.warning_action.isVisible()
