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
