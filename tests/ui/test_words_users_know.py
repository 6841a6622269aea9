"""Words users know: titles for codes, Beijing time, no uuids unless asked, one noun per feature."""

from __future__ import annotations

import datetime as dt

import numpy as np
from PySide6.QtCore import Qt

from .test_main_window import window  # noqa: F401 - the fixture


def test_the_attribute_table_shows_titles_and_beijing_time_not_codes_and_uuids(window):  # noqa: F811
    w = window
    frame = w.data.layers["fire_point"].frame
    w.show_table("fire_point")
    model = w.table_dock.model
    heads = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "UUID" not in heads and "Detected (Beijing time)" in heads and "Detected (UTC)" not in heads
    status = heads.index("Verification status")
    detected = heads.index("Detected (Beijing time)")
    texts = {model.data(model.index(r, status)) for r in range(min(500, model.rowCount()))}
    assert "Not yet checked" in texts and "unverified" not in texts
    first = model.data(model.index(0, detected))
    utc = frame["detected_utc"].iloc[model.position_of_row(0)]
    beijing = (utc.to_pydatetime() + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert first == beijing and "T" not in first
    # the selection still works by uuid, with the ids hidden
    w._on_table_selection("fire_point", frame["uuid"].iloc[:3].tolist())
    assert w.canvas.highlighted[0] == "fire_point"


def test_identify_reads_beijing_time_titles_and_no_ids(window):  # noqa: F811
    w = window
    frame = w.data.layers["fire_point"].frame
    i = int(np.flatnonzero(frame["status"].to_numpy() == "unverified")[0])
    w.show_identify("fire_point", i)
    values = w.identify_panel.values()
    assert values["Verification status"] == "Not yet checked"
    shown = values["Detected (Beijing time)"]
    local = (frame["detected_utc"].iloc[i].to_pydatetime() + dt.timedelta(hours=8))
    this_year = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).year
    assert shown == local.strftime("%m-%d %H:%M" if local.year == this_year else "%Y-%m-%d %H:%M")
    assert not any("+08:00" in v or "T0" in v for v in values.values())
    assert "Check task" not in values and "UUID" not in values
    assert values["Township"] and "Townships" not in values  # one township, not the layer's name
    w.show_identify("township", 0)
    assert w.identify_panel.title.text().startswith("Township: ")


def test_search_lines_name_what_each_hit_is_in_the_singular(window):  # noqa: F811
    from gridwatch.mapview.search import search_all

    w = window
    result = search_all(w.data, "hlz", w.workflow.people)
    lines = [w.search_panel.hit_text(h) for h in result.hits]
    assert any("  ·  Township  ·  " in t for t in lines), lines[:5]
    assert not any("Townships" in t or "Construction sites" in t for t in lines)


def test_the_undo_menu_names_edits_in_english(window, qtbot):  # noqa: F811
    from gridwatch.storage.workflow import create_fire_checks

    w = window
    sup = w.workflow.people[w.workflow.people["role"] == "supervisor"].iloc[0]
    w.workflow.set_user(str(sup["name"]), str(sup["uuid"]))
    with qtbot.waitSignal(w.workflow.changed, timeout=30_000):
        w.workflow.run(create_fire_checks)
    text = w.act_undo.text()
    assert text.startswith("Undo ") and "fire-point check" in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_every_greyed_action_says_why(window):  # noqa: F811
    """No user yet, nothing selected: every greyed menu action and task button explains itself."""
    from PySide6.QtWidgets import QMenu

    w = window
    w._update_actions()
    greyed = []
    for menu in w.menuBar().findChildren(QMenu):
        for act in menu.actions():
            if act.isSeparator() or act.menu() is not None or act.isEnabled() or not act.text():
                continue
            if act in (w.act_undo, w.act_redo):
                continue  # Qt's undo actions say what they would undo
            greyed.append(act)
            tip = act.toolTip().replace("&", "")
            assert tip and tip != act.text().replace("&", ""), f"{act.text()!r} is greyed without a reason"
    assert w.act_assign in greyed and "Choose who you are" in w.act_assign.toolTip()
    # a supervisor with nothing selected: told to select cells
    sup = w.workflow.people[w.workflow.people["role"] == "supervisor"].iloc[0]
    w.workflow.set_user(str(sup["name"]), str(sup["uuid"]))
    assert not w.act_assign.isEnabled() and "Select cells on the map first" in w.act_assign.toolTip()
    assert "working copy" in w.act_sync.toolTip()
    w.set_selection(np.array([1, 2]))
    assert w.act_assign.isEnabled()
    # the task buttons with no task selected
    for b in (w.task_panel.start_button, w.task_panel.finish_button, w.task_panel.cancel_button,
              w.task_panel.record_button):
        assert not b.isEnabled() and b.toolTip() == "Select a task in the list first"
