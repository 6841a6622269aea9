"""One finding walked from assignment to closure, with a rejection, through the real main window:
the supervisor and the inspector take turns on one laptop (Settings > Current user)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QPushButton, QTableWidget, QTreeWidget

from gridwatch.storage import Project, queries
from gridwatch.ui.findings.panel import reads_pending

from ..conftest import make_photo
from .test_main_window import screen_pos, wait_render, window  # noqa: F401 - fixture


@pytest.fixture
def bare_window(window, bare_copy, qtbot):  # noqa: F811 - fixture
    """The main window on the sample district without its two months of work: the walk counts its rows."""
    window.open_project(bare_copy)
    qtbot.waitUntil(lambda: window.project_path == bare_copy and window.data is not None, timeout=30_000)
    wait_render(qtbot, window)
    return window


def people(path):
    return Project.open(path).read_table("inspector")


def wait_saved(qtbot, w, action):
    with qtbot.waitSignal(w.workflow.changed, timeout=20_000):
        action()
    qtbot.waitUntil(lambda: not reads_pending(), timeout=20_000)  # the panels read the edit


def find(w, cls, name):
    widget = w.findChild(cls, name)
    assert widget is not None, name
    return widget


def test_a_finding_goes_round_the_loop_with_a_rejection(qtbot, bare_window, tmp_path):
    window = bare_window
    w = window
    path = w.project_path
    who = people(path)
    sup = who[who["role"] == "supervisor"]["name"].iloc[0]
    cells = w.data.layers["grid_cell"].frame
    index = 5
    cell_code = str(cells["code"].iloc[index])
    ins_uuid = cells["inspector_uuid"].iloc[index]
    ins = who[who["uuid"] == ins_uuid]["name"].iloc[0]
    other = who[(who["role"] == "inspector") & (who["uuid"] != ins_uuid)]["name"].iloc[0]

    # nobody chosen yet: nothing to assign with
    w.set_selection(np.array([index]))
    assert not w.act_assign.isEnabled() and w.user_label.text() == "No user chosen"

    # --- the supervisor assigns a coal-ban check for the selected cell ---------------------------
    w.workflow.set_user(sup)
    assert sup in w.user_label.text() and w.act_assign.isEnabled()
    w.act_assign.trigger()
    dialog = w._assign_dialog
    kind = find(dialog, QComboBox, "assignKind")
    kind.setCurrentIndex(kind.findData("coal_ban"))
    wait_saved(qtbot, w, dialog.accept)
    table = find(w.task_panel, QTableWidget, "taskTable")
    qtbot.waitUntil(lambda: table.rowCount() == 2)  # the office's view: the township's group, then the task
    groups = w.task_panel.group_rows()
    assert len(groups) == 1 and "done 0 of 1 (0%)" in groups[0][2]
    assert ins in [table.item(1, c).text() for c in range(table.columnCount())]

    # --- the inspector starts it and records a finding at a point clicked on the map --------------
    w.workflow.set_user(ins)
    assert not w.act_assign.isEnabled()  # inspectors do not assign
    qtbot.waitUntil(lambda: table.rowCount() == 1)
    w.task_panel.select_task(queries.tasks(path)["uuid"].iloc[0])
    start = find(w.task_panel, QPushButton, "taskStart")
    assert start.isEnabled()
    wait_saved(qtbot, w, lambda: qtbot.mouseClick(start, Qt.MouseButton.LeftButton))
    record = find(w.task_panel, QPushButton, "taskRecordFinding")
    qtbot.waitUntil(record.isEnabled)
    qtbot.mouseClick(record, Qt.MouseButton.LeftButton)
    form = w._finding_dialog
    assert form.isVisible()
    wait_render(qtbot, w)
    spot = w.data.layers["grid_cell"].geoms[index].representative_point()
    qtbot.mouseClick(find(form, QPushButton, "findingPickLocation"), Qt.MouseButton.LeftButton)
    assert not form.isVisible() and w.canvas.tool == w.canvas.PICK
    qtbot.mouseClick(w.canvas, Qt.MouseButton.LeftButton, pos=screen_pos(w, spot.x, spot.y))
    qtbot.waitUntil(form.isVisible)
    assert cell_code in form.findChild(object, "findingLocation").text()
    assert not form.findChild(object, "findingLocationWarning").isVisible()
    category = find(form, QComboBox, "findingCategoryInput")
    category.setCurrentIndex(category.findData("scattered_coal"))
    find(form, QPlainTextEdit, "findingDescription").setPlainText("小卖部销售散煤")
    form.add_photos([make_photo(tmp_path / "before.jpg", lon=spot.x, lat=spot.y, taken_local="2025:11:20 08:30:00")])
    wait_saved(qtbot, w, form.accept)
    found = queries.findings(path)
    assert len(found) == 1 and found["status"][0] == "found" and found["photo_count"][0] == 1
    fid = found["uuid"][0]
    assert len(w.canvas.overlay) == 1  # the finding is on the map
    assert abs(w.canvas.overlay[0][0] - spot.x) < w.canvas.click_tolerance()

    panel = w.finding_panel
    ftable = find(panel, QTableWidget, "findingTable")
    qtbot.waitUntil(lambda: ftable.rowCount() == 1)

    def act(user, action, fill):
        w.workflow.set_user(user)
        panel.select_finding(fid)
        button = find(panel, QPushButton, f"findingAction_{action}")
        qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled())
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        dlg = panel.dialog
        assert dlg.isVisible()
        fill(dlg)
        wait_saved(qtbot, w, dlg.accept)

    # the inspector cannot assign or close
    w.workflow.set_user(ins)
    panel.select_finding(fid)
    assert not find(panel, QPushButton, "findingAction_assign").isEnabled() or \
        not find(panel, QPushButton, "findingAction_assign").isVisible()

    def assign(d):
        find(d, QLineEdit, "actionParty").setText("张三小卖部")
        d.findChild(object, "actionDeadline").setDate(QDate(2025, 11, 27))

    def rectify(name):
        def fill(d):
            find(d, QPlainTextEdit, "actionNote").setPlainText("散煤已清运")
            d.add_photos([make_photo(tmp_path / name, lon=spot.x, lat=spot.y)])
        return fill

    act(sup, "assign", assign)
    act(ins, "rectify", rectify("after1.jpg"))
    def reject(d):
        reason = d.findChild(object, "actionReason")
        (reason.setText if isinstance(reason, QLineEdit) else reason.setPlainText)("仍有散煤堆放")

    act(sup, "reject", reject)
    act(ins, "rectify", rectify("after2.jpg"))
    act(other, "verify", lambda d: find(d, QPlainTextEdit, "actionNote").setPlainText("复查无散煤"))
    act(sup, "close", lambda d: None)

    row = queries.findings(path).set_index("uuid").loc[fid]
    assert row["status"] == "closed" and row["reject_count"] == 1 and row["photo_count"] == 3

    # the findings panel shows the whole history
    history = find(panel, QTreeWidget, "findingHistory")
    qtbot.waitUntil(lambda: history.topLevelItemCount() >= 7)
    whos = [history.topLevelItem(i).text(1) for i in range(history.topLevelItemCount())]
    assert {sup, ins, other} <= set(whos)

    # the cell panel lists the task, the inspection and the closed finding
    w.zoom_to_cell(cell_code)
    records = find(w.identify_panel, QTreeWidget, "cellRecords")
    qtbot.waitUntil(records.isVisible)
    texts = [records.topLevelItem(i).text(0) for i in range(3)]
    assert texts == ["Tasks (1)", "Inspections (1)", "Findings (1)"]
    assert records.topLevelItem(2).child(0).text(1) == "Closed"

    # undo the closing, then redo it
    assert w.act_undo.isEnabled()
    wait_saved(qtbot, w, w.act_undo.trigger)
    assert queries.findings(path)["status"][0] == "verified"
    wait_saved(qtbot, w, w.act_redo.trigger)
    assert queries.findings(path)["status"][0] == "closed"


@pytest.mark.parametrize("role", ["inspector"])
def test_role_limits_show_in_the_menus(qtbot, window, role):  # noqa: F811
    w = window
    who = people(w.project_path)
    w.workflow.set_user(who[who["role"] == role]["name"].iloc[0])
    w.set_selection(np.array([0, 1, 2]))
    assert not w.act_assign.isEnabled() and not w.act_fire_checks.isEnabled() and not w.act_import.isEnabled()
    sup = who[who["role"] == "supervisor"]["name"].iloc[0]
    w.workflow.set_user(sup)
    assert w.act_assign.isEnabled() and w.act_fire_checks.isEnabled() and w.act_import.isEnabled()
