"""The map answers back: what the user points at in a list, the table, identify or search is highlighted."""

from __future__ import annotations

import numpy as np

from .test_main_window import canvas_pixels, wait_render, window  # noqa: F401 - the fixture


def cyan_pixels(w) -> int:
    a = canvas_pixels(w)  # B, G, R
    return int(((a[:, :, 0] > 230) & (a[:, :, 1] > 200) & (a[:, :, 2] < 40)).sum())


def test_selecting_fire_points_in_the_table_highlights_them(window, qtbot):
    fires = window.data.layers["fire_point"].frame
    assert cyan_pixels(window) == 0
    window.show_table("fire_point")
    unchecked = fires.index[fires["status"] == "unverified"][:300]
    window.table_dock.view.selectRow(0)
    window._on_table_selection("fire_point", fires["uuid"].iloc[unchecked].tolist())
    layer, idx = window.canvas.highlighted
    assert layer == "fire_point" and len(idx) == len(unchecked)
    window.canvas.zoom_full()
    wait_render(qtbot, window)
    assert cyan_pixels(window) > 500


def test_identify_highlights_the_feature_and_empty_map_clears_it(window, qtbot):
    mines = window.data.layers["mine"]
    window.canvas.zoom_to(mines.features_bounds(np.array([0])), 0.01)
    wait_render(qtbot, window)
    window.show_identify("mine", 0)
    assert window.canvas.highlighted[0] == "mine"
    wait_render(qtbot, window)
    assert cyan_pixels(window) > 50
    window.canvas.clear_highlight()
    wait_render(qtbot, window)
    assert cyan_pixels(window) == 0


def test_a_site_too_small_to_see_at_district_scale_is_ringed(window, qtbot):
    sites = window.data.layers["construction_site"]
    b = sites.bounds
    area = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    i = int(np.argmin(np.where(area > 0, area, np.inf)))  # the smallest site drawn as an area
    window.canvas.zoom_full()
    wait_render(qtbot, window)
    window.canvas.highlight("construction_site", [i])
    wait_render(qtbot, window)
    assert cyan_pixels(window) > 40  # a ring, not a dot lost among the sites


def test_rule_hits_and_task_cells_are_highlighted(window, qtbot):
    from gridwatch.analysis.rules import RuleHit

    sites = window.data.layers["construction_site"].frame
    hit = RuleHit("site_near_key_area", "construction_site", str(sites["uuid"].iloc[3]), "x", None, None, "", "",
                  (0.0, 0.0, 0.0, 0.0))
    window.rules_dock.panel.hitsSelected.emit([hit])
    layer, idx = window.canvas.highlighted
    assert layer == "construction_site" and idx.tolist() == [3]
    code = str(window.data.layers["grid_cell"].frame["code"].iloc[10])
    window.task_panel.taskSelected.emit({"uuid": "t", "cell_code": code})
    layer, idx = window.canvas.highlighted
    assert layer == "grid_cell" and idx.tolist() == [10]


def test_measure_a_distance_and_an_area_in_metres_and_mu(window, qtbot):
    from PySide6.QtCore import QPoint, Qt

    from .test_main_window import screen_pos

    w = window
    w.act_measure.trigger()
    assert w.canvas.tool == "measure"
    vp = w.canvas.viewport
    lon0, lat0 = vp.to_map(300, 300)
    # three clicks: a right angle of about 1 km x 1 km in the district's Gauss-Kruger metres
    from gridwatch.mapview.measure import measure

    dlon = 1000 / (111_320 * np.cos(np.radians(lat0)))
    dlat = 1000 / 110_950
    points = [(lon0, lat0), (lon0 + dlon, lat0), (lon0 + dlon, lat0 + dlat)]
    for lon, lat in points:
        qtbot.mouseClick(w.canvas, Qt.MouseButton.LeftButton, pos=screen_pos(w, lon, lat))
    assert len(w.canvas.measure_points) == 3
    text = w.canvas.measure_label
    m = measure(w.canvas.measure_points)
    assert 1.9 < m.length_m / 1000 < 2.1
    assert f"Distance: {m.length_m / 1000:.2f} km" in text  # clicks land on pixels: about 2 km
    assert 0.45 < m.area_km2 < 0.55 and f"Area: {m.area_km2:.2f} km² ({m.area_mu:,.0f} mu)" in text
    assert abs(m.area_mu - m.area_m2 / 666.6667) < 1
    qtbot.mouseClick(w.canvas, Qt.MouseButton.RightButton, pos=QPoint(10, 10))
    assert w.canvas.measure_points == []
    w.act_pan.trigger()
    assert w.canvas.tool == "pan"


def test_zoom_to_my_cells(window, qtbot):
    w = window
    assert not w.act_my_cells.isEnabled() and "Choose who you are" in w.act_my_cells.toolTip()
    cells = w.data.layers["grid_cell"].frame
    people = w.workflow.people
    ins = people[people["uuid"].isin(cells["inspector_uuid"])].iloc[0]
    w.workflow.set_user(str(ins["name"]), str(ins["uuid"]))
    assert w.act_my_cells.isEnabled()
    w.act_my_cells.trigger()
    layer, idx = w.canvas.highlighted
    assert layer == "grid_cell" and set(cells["inspector_uuid"].iloc[idx]) == {ins["uuid"]}
    assert len(idx) == int((cells["inspector_uuid"] == ins["uuid"]).sum())
    minx, miny, maxx, maxy = w.canvas.viewport.extent
    b = w.data.layers["grid_cell"].features_bounds(idx)
    assert minx <= b[0] and maxx >= b[2] and miny <= b[1] and maxy >= b[3]
