"""The task panel, the assign dialog and the fire-check dialog on a real copy of the sample district:
assigning cells, filtering the list, starting/finishing/cancelling as inspectors and supervisors,
fire-point checks whose result reaches their fire points, and undo."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QDateTime, QSettings, Qt, QTime, QTimeZone
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLineEdit, QPlainTextEdit

from gridwatch.storage import Project
from gridwatch.storage.queries import BEIJING
from gridwatch.storage.schema import FIRE_CHECK_RESULTS
from gridwatch.storage.workflow import fire_check_groups
from gridwatch.ui import i18n
from gridwatch.ui.session import WorkflowController
from gridwatch.ui.tasks.panel import COLUMNS, AssignDialog, FireChecksDialog, TaskPanel

WAIT = 15000
RED = "#c62828"



@pytest.fixture
def sample_copy(bare_copy):
    """The sample district without its two months of work: these tests count what they make."""
    return bare_copy

@pytest.fixture
def english(qapp):
    before = i18n.current()
    i18n.install("en")
    yield
    i18n.install(before)


@pytest.fixture
def people(sample_copy):
    return Project.open(sample_copy).read_table("inspector")


@pytest.fixture
def controller(sample_copy, tmp_path, people, english):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("user", people[people["role"] == "supervisor"]["name"].iloc[0])
    ctl = WorkflowController(settings)
    ctl.set_project(sample_copy)
    assert ctl.actor is not None and ctl.actor.role == "supervisor"
    yield ctl
    ctl.undo_stack.clear()


@pytest.fixture
def panel(controller, qtbot):
    p = TaskPanel(controller)
    qtbot.addWidget(p)
    p.resize(1100, 500)
    p.show()
    p.set_grouping("")  # a flat list: rows are tasks (grouping has its own tests)
    return p


def inspectors(people):
    return people[people["role"] == "inspector"].sort_values("name").reset_index(drop=True)


def cells_of(path, inspector_uuid, n):
    cells = Project.open(path).read_layer("grid_cell")
    return sorted(cells[cells["inspector_uuid"] == inspector_uuid]["code"].iloc[:n].tolist())


def col(panel, name):
    if name == "cell":  # the cell column shows the cell's name; its code is the item's data
        return [panel.cell_code_at(r) for r in range(panel.table.rowCount())]
    c = COLUMNS.index(name)
    return [panel.table.item(r, c).text() for r in range(panel.table.rowCount())]


def row_color(panel, row):
    return {panel.table.item(row, c).foreground().color().name() for c in range(panel.table.columnCount())}


def assign(qtbot, controller, codes, *, due: QDateTime | None = None, kind: str | None = None,
           description: str = "") -> AssignDialog:
    dlg = AssignDialog(controller, codes, description=description)
    qtbot.addWidget(dlg)
    dlg.show()
    if due is not None:
        dlg.due_edit.setDateTime(due)
    if kind is not None:
        dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData(kind))
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return dlg


def select(qtbot, panel, uuid):
    row = panel.row_of(uuid)
    assert row >= 0
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.table.visualItemRect(panel.table.item(row, COLUMNS.index("cell"))).center())
    assert panel.selected_task()["uuid"] == uuid


def task_uuid(panel, cell_code):
    row = col(panel, "cell").index(cell_code)
    return panel.table.item(row, 0).data(Qt.ItemDataRole.UserRole)


def test_assigning_three_cells_lists_three_tasks(panel, controller, people, sample_copy, qtbot):
    assert panel.objectName() == "taskDock" and panel.windowTitle() == "Tasks"
    assert panel.filter.objectName() == "taskFilter" and panel.filter.currentData() == "open"
    assert [panel.filter.itemData(i) for i in range(panel.filter.count())] == \
        ["mine", "due_today", "overdue", "open", "all"]
    assert panel.table.rowCount() == 0 and panel.count_label.text() == "0 tasks"
    assert [panel.table.horizontalHeaderItem(i).text() for i in range(len(COLUMNS))] == [
        "Cell", "Assignee", "Due", "Status", "Kind", "Township", "Village", "Fire points", "Findings", "Notes"]
    for b in (panel.start_button, panel.record_button, panel.finish_button, panel.cancel_button):
        assert not b.isEnabled()

    inspector = inspectors(people).iloc[0]
    codes = cells_of(sample_copy, inspector["uuid"], 3)
    dlg = AssignDialog(controller, codes, description="已选 3 个网格 · 铜冶镇")
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.objectName() == "assignDialog" and dlg.windowTitle() == "Assign inspections"
    assert dlg.description_label.text() == "已选 3 个网格 · 铜冶镇"
    assert "3 cells" in dlg.count_label.text()
    # the default kind is the seasonal calendar's for the due date's season (tomorrow; in December coal_ban)
    from gridwatch.domain.seasonal import season_plan
    from gridwatch.domain.vocabulary import KIND_TITLES

    due = dlg.due_edit.dateTime().toTimeZone(dlg.due_edit.timeZone()).date()
    kind = season_plan({}, dt.date(due.year(), due.month(), due.day())).default_kind
    assert dlg.kind_combo.currentData() == kind and dlg.kind_combo.currentText() == KIND_TITLES[kind][1]
    assert dlg.assignee_combo.itemData(0) is None
    assert dlg.assignee_combo.itemText(0) == "Each cell's own inspector"
    roles = [dlg.assignee_combo.itemText(i).rsplit("(", 1)[1] for i in range(1, dlg.assignee_combo.count())]
    active = people[people["active"].fillna(1).astype(bool)]
    n = {r: int((active["role"] == r).sum()) for r in ("inspector", "chief", "supervisor")}
    assert roles == (["Grid inspector)"] * n["inspector"] + ["Township grid chief)"] * n["chief"]
                     + ["District supervisor)"] * n["supervisor"])
    assert dlg.priority_combo.currentData() == 2 and dlg.priority_combo.currentText() == "Normal"
    beijing = QTimeZone(8 * 3600)
    tomorrow = QDateTime(QDateTime.currentDateTime().toTimeZone(beijing).date().addDays(1), QTime(18, 0), beijing)
    assert dlg.due_edit.dateTime() == tomorrow and dlg.due_edit.calendarPopup()  # Beijing time
    assert dlg.due_edit.displayFormat() == "yyyy-MM-dd HH:mm"

    dlg.kind_combo.setCurrentIndex(dlg.kind_combo.findData("unannounced"))
    dlg.priority_combo.setCurrentIndex(dlg.priority_combo.findData(1))
    dlg.notes_edit.setPlainText("检查散煤  堆放")
    v = dlg.values()
    assert v["kind"] == "unannounced" and v["priority"] == 1 and v["assignee_uuid"] is None
    assert v["due_at"].tzinfo is not None and v["due_at"].utcoffset() == dt.timedelta(0)
    assert v["due_at"].timestamp() == tomorrow.toSecsSinceEpoch()
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        dlg.accept()
    assert not dlg.isVisible()

    qtbot.waitUntil(lambda: panel.table.rowCount() == 3, timeout=WAIT)
    assert col(panel, "cell") == codes
    assert set(col(panel, "kind")) == {"Unannounced visit"}
    assert set(col(panel, "status")) == {"Assigned"}
    assert set(col(panel, "assignee")) == {inspector["name"]}
    assert set(col(panel, "notes")) == {"检查散煤 堆放"}
    assert all(col(panel, "township")) and all(col(panel, "village"))
    assert set(col(panel, "fires")) == {""} and set(col(panel, "findings")) == {"0"}
    due_bj = dt.datetime.fromtimestamp(tomorrow.toSecsSinceEpoch(), dt.timezone.utc).astimezone(BEIJING)
    assert set(col(panel, "due")) == {due_bj.strftime("%m-%d %H:%M")}
    assert panel.count_label.text() == "3 tasks"
    stored = Project.open(sample_copy).read_table("assignment")
    assert {panel.table.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(3)} == set(stored["uuid"])
    assert set(stored["priority"]) == {1} and set(stored["kind"]) == {"unannounced"}

    # the table is read-only and selects whole rows
    uuid = task_uuid(panel, codes[1])
    with qtbot.waitSignal(panel.taskSelected, timeout=WAIT) as sig:
        select(qtbot, panel, uuid)
    assert sig.args[0]["uuid"] == uuid and sig.args[0]["cell_code"] == codes[1]
    assert len(panel.table.selectedItems()) == len(COLUMNS)
    assert not panel.table.item(0, 9).flags() & Qt.ItemFlag.ItemIsEditable


def test_assign_dialog_defaults_to_the_target_layers_kind(controller, people, sample_copy, qtbot):
    fires = Project.open(sample_copy).read_layer("fire_point").iloc[:2]
    dlg = AssignDialog(controller, fires["cell_code"].tolist(), target_layer="fire_point",
                       target_uuids=fires["uuid"].tolist())
    qtbot.addWidget(dlg)
    assert dlg.kind_combo.currentData() == "fire_check"
    assert dlg.values()["target_uuids"] == fires["uuid"].tolist()
    assert "2 tasks" in dlg.count_label.text()
    empty = AssignDialog(controller, [])
    qtbot.addWidget(empty)
    assert not empty.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_filters_overdue_due_today_and_mine(panel, controller, people, sample_copy, qtbot):
    a, b = inspectors(people).iloc[0], inspectors(people).iloc[1]
    late = cells_of(sample_copy, a["uuid"], 2)
    soon = cells_of(sample_copy, b["uuid"], 1)
    assign(qtbot, controller, late, due=QDateTime.currentDateTime().addDays(-1))
    soon_due = QDateTime.currentDateTime().addSecs(600)
    assign(qtbot, controller, soon, due=soon_due)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 3, timeout=WAIT)

    # open tasks: overdue first, in red, saying so
    assert col(panel, "status") == ["Assigned · overdue", "Assigned · overdue", "Assigned"]
    assert sorted(col(panel, "cell")[:2]) == late
    assert row_color(panel, 0) == {RED} and row_color(panel, 1) == {RED} and RED not in row_color(panel, 2)
    assert panel.count_label.text() == "3 tasks, 2 overdue"

    panel.set_filter("overdue")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=WAIT)
    assert sorted(col(panel, "cell")) == late and set(col(panel, "assignee")) == {a["name"]}

    panel.set_filter("due_today")
    soon_day = dt.datetime.fromtimestamp(soon_due.toSecsSinceEpoch(), dt.timezone.utc).astimezone(BEIJING).date()
    if soon_day == dt.datetime.now(BEIJING).date():
        qtbot.waitUntil(lambda: col(panel, "cell") == soon, timeout=WAIT)

    panel.set_filter("all")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 3, timeout=WAIT)
    panel.table.sortItems(COLUMNS.index("cell"), Qt.SortOrder.DescendingOrder)
    assert col(panel, "cell") == sorted(late + soon, reverse=True)

    # an inspector sees their own tasks first
    controller.set_user(b["name"])
    qtbot.waitUntil(lambda: panel.filter.currentData() == "mine", timeout=WAIT)
    qtbot.waitUntil(lambda: col(panel, "cell") == soon, timeout=WAIT)
    controller.set_user(a["name"])
    qtbot.waitUntil(lambda: sorted(col(panel, "cell")) == late, timeout=WAIT)


def test_an_inspector_starts_their_task_but_not_another(panel, controller, people, sample_copy, qtbot):
    a, b = inspectors(people).iloc[0], inspectors(people).iloc[1]
    mine, theirs = cells_of(sample_copy, a["uuid"], 1)[0], cells_of(sample_copy, b["uuid"], 1)[0]
    assign(qtbot, controller, [mine, theirs])
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=WAIT)

    # b starts their task, then a takes over the laptop
    controller.set_user(b["name"])
    qtbot.waitUntil(lambda: col(panel, "cell") == [theirs], timeout=WAIT)
    select(qtbot, panel, task_uuid(panel, theirs))
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: col(panel, "status") == ["In progress"], timeout=WAIT)

    controller.set_user(a["name"])
    qtbot.waitUntil(lambda: col(panel, "cell") == [mine], timeout=WAIT)
    uuid = task_uuid(panel, mine)
    select(qtbot, panel, uuid)
    assert panel.start_button.isEnabled()
    assert not panel.finish_button.isEnabled() and not panel.record_button.isEnabled()
    assert not panel.cancel_button.isEnabled()  # inspectors never cancel
    with qtbot.waitSignal(panel.currentTaskChanged, timeout=WAIT,
                          check_params_cb=lambda t: t is not None and t["status"] == "in_progress") as sig:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert sig.args[0]["uuid"] == uuid and sig.args[0]["started_at"]
    qtbot.waitUntil(lambda: col(panel, "status") == ["In progress"], timeout=WAIT)
    assert panel.selected_task()["uuid"] == uuid  # still selected after the refresh
    assert panel.selected_task()["status"] == "in_progress"
    assert panel.finish_button.isEnabled() and panel.record_button.isEnabled()
    assert not panel.start_button.isEnabled() and not panel.cancel_button.isEnabled()
    with qtbot.waitSignal(panel.recordFindingRequested, timeout=WAIT) as sig:
        qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert sig.args[0]["uuid"] == uuid and sig.args[0]["cell_code"] == mine

    # b's task, in progress: a may look but not finish, record or cancel it
    panel.set_filter("all")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=WAIT)
    select(qtbot, panel, task_uuid(panel, theirs))
    for button in (panel.start_button, panel.finish_button, panel.record_button, panel.cancel_button):
        assert not button.isEnabled()
    panel.finish_selected()
    assert panel.dialog is None

    # double-clicking a task asks the map to show its cell
    row = panel.row_of(task_uuid(panel, theirs))
    pos = panel.table.visualItemRect(panel.table.item(row, 2)).center()
    with qtbot.waitSignal(panel.zoomToCell, timeout=WAIT) as sig:
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)  # a real double-click
        qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)  # starts with a press
    assert sig.args == [theirs]

    # a supervisor may finish it
    controller.set_user(people[people["role"] == "supervisor"]["name"].iloc[0])
    panel.set_filter("all")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=WAIT)
    select(qtbot, panel, task_uuid(panel, theirs))
    assert panel.finish_button.isEnabled() and panel.cancel_button.isEnabled()


def test_cancelling_needs_a_reason_and_a_supervisor(panel, controller, people, sample_copy, qtbot):
    a = inspectors(people).iloc[0]
    codes = cells_of(sample_copy, a["uuid"], 2)
    assign(qtbot, controller, codes)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=WAIT)
    uuid = task_uuid(panel, codes[0])
    select(qtbot, panel, uuid)
    assert panel.cancel_button.isEnabled() and panel.cancel_button.text() == "Cancel task…"
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    dlg = panel.dialog
    assert dlg.objectName() == "cancelDialog" and dlg.isVisible()
    reason = dlg.findChild(QLineEdit, "cancelReason")
    ok = dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    reason.setText("   ")
    assert not ok.isEnabled()
    reason.clear()
    qtbot.keyClicks(reason, "dup")  # typing enables OK (QTest cannot type Chinese)
    assert ok.isEnabled()
    reason.setText("重复派发")
    assert ok.isEnabled()
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        ok.click()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=WAIT)  # no longer open
    panel.set_filter("all")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=WAIT)
    row = panel.row_of(uuid)
    assert panel.table.item(row, COLUMNS.index("status")).text() == "Cancelled"
    assert "重复派发" in panel.table.item(row, COLUMNS.index("status")).toolTip()
    stored = Project.open(sample_copy).read_table("assignment").set_index("uuid")
    assert stored.loc[uuid, "status"] == "cancelled" and stored.loc[uuid, "status_note"].strip() == "重复派发"

    # an inspector may not cancel, even their own task
    controller.set_user(a["name"])
    qtbot.waitUntil(lambda: panel.filter.currentData() == "mine", timeout=WAIT)
    other = task_uuid(panel, codes[1])
    select(qtbot, panel, other)
    assert panel.start_button.isEnabled() and not panel.cancel_button.isEnabled()
    panel.cancel_selected()
    assert panel.dialog is not dlg or not dlg.isVisible()
    assert Project.open(sample_copy).read_table("assignment").set_index("uuid").loc[other, "status"] == "assigned"


def test_fire_checks_and_a_finished_check_writes_its_result(panel, controller, people, sample_copy, qtbot):
    towns = Project.open(sample_copy).read_layer("township")
    townships = list(zip(towns["code"], towns["name"]))
    fires = Project.open(sample_copy).read_layer("fire_point")
    month_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=30)
    todo = fires[(fires["status"] == "unverified") & fires["check_uuid"].isna() & fires["cell_code"].notna()
                 & (fires["township_code"] == "130110101") & (fires["detected_utc"] >= month_ago)]
    groups = fire_check_groups(todo)
    assert len(groups) > 1

    dlg = FireChecksDialog(controller, townships)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.objectName() == "fireChecksDialog"
    assert "not yet in a check" in dlg.explain.text()
    assert dlg.deadline.value() == 24 and (dlg.deadline.minimum(), dlg.deadline.maximum()) == (1, 168)
    # by default: the detections since the last run, at most the last 24 hours (no run yet here)
    assert dlg.window_hours.value() == 24 and not dlg.before_last.isChecked()
    assert "No checks were created before" in dlg.last_run_label.text()
    assert dlg.township.itemText(0) == "All townships" and dlg.township.itemData(0) is None
    dlg.township.setCurrentIndex(dlg.township.findData("130110101"))
    dlg.window_hours.setValue(24 * 30)  # a month back, for this test
    dlg.deadline.setValue(48)
    before = dt.datetime.now(dt.timezone.utc)
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dlg.isVisible()
    qtbot.waitUntil(lambda: panel.table.rowCount() == len(groups), timeout=WAIT)
    assert set(col(panel, "kind")) == {"Fire-point check"}
    assert sum(int(x) for x in col(panel, "fires")) == len(todo)
    assert sorted(col(panel, "cell")) == sorted(groups["cell_code"])
    due = (before + dt.timedelta(hours=48)).astimezone(BEIJING)
    assert set(col(panel, "due")) <= {due.strftime("%m-%d %H:%M"),
                                      (due + dt.timedelta(minutes=1)).strftime("%m-%d %H:%M")}

    # the cell's inspector starts and finishes one check with its result
    uuid = panel.table.item(0, 0).data(Qt.ItemDataRole.UserRole)
    task = panel.task_at(0)
    assignee = people.set_index("uuid").loc[task["assignee_uuid"], "name"]
    controller.set_user(assignee)
    qtbot.waitUntil(lambda: panel.row_of(uuid) >= 0, timeout=WAIT)
    select(qtbot, panel, uuid)
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.table.item(panel.row_of(uuid), COLUMNS.index("status")).text() == "In progress", timeout=WAIT)
    qtbot.mouseClick(panel.finish_button, Qt.MouseButton.LeftButton)
    fin = panel.dialog
    assert fin.objectName() == "fireResultDialog" and fin.isVisible()
    result = fin.findChild(QComboBox, "fireResult")
    assert [result.itemData(i) for i in range(result.count())] == [None, *FIRE_CHECK_RESULTS]
    assert [result.itemText(i) for i in range(1, result.count())] == \
        ["Straw burning confirmed", "Other burning confirmed", "No burning found", "Outside the cell",
         "Industrial heat source (checked)"]  # issue 17: a kiln or plant found on site, never counted
    # nothing preselected: Finish waits for the inspector's answer (burning counts against the township)
    finish = fin.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert result.currentIndex() == 0 and result.currentData() is None and not finish.isEnabled()
    result.setCurrentIndex(result.findData("burning_confirmed"))
    assert finish.isEnabled()
    fin.findChild(QPlainTextEdit, "finishNotes").setPlainText("现场确认秸秆焚烧")
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        fin.accept()
    qtbot.waitUntil(lambda: panel.table.item(panel.row_of(uuid), COLUMNS.index("status")).text() == "Done", timeout=WAIT)
    assert not panel.finish_button.isEnabled()

    after = Project.open(sample_copy).read_layer("fire_point")
    checked = after[after["check_uuid"] == uuid]
    assert len(checked) == int(panel.table.item(panel.row_of(uuid), COLUMNS.index("fires")).text()) > 0
    assert set(checked["status"]) == {"burning_confirmed"}
    others = after[after["check_uuid"].notna() & (after["check_uuid"] != uuid)]
    assert set(others["status"]) == {"unverified"}
    stored = Project.open(sample_copy).read_table("assignment").set_index("uuid")
    assert stored.loc[uuid, "result"] == "burning_confirmed"
    ins = Project.open(sample_copy).read_table("inspection")
    assert ins[ins["assignment_uuid"] == uuid]["notes"].tolist() == ["现场确认秸秆焚烧"]


def test_finishing_a_patrol_uses_the_plain_finish_dialog(panel, controller, people, sample_copy, qtbot):
    codes = cells_of(sample_copy, inspectors(people).iloc[2]["uuid"], 1)
    assign(qtbot, controller, codes)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=WAIT)
    uuid = task_uuid(panel, codes[0])
    select(qtbot, panel, uuid)
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        panel.start_button.click()
    qtbot.waitUntil(lambda: col(panel, "status") == ["In progress"], timeout=WAIT)
    panel.finish_button.click()
    assert panel.dialog.objectName() == "finishDialog"
    assert panel.dialog.findChild(QComboBox, "fireResult") is None
    panel.dialog.findChild(QPlainTextEdit, "finishNotes").setPlainText("无异常")
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        panel.dialog.accept()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=WAIT)  # done: no longer open
    panel.set_filter("all")
    assert col(panel, "status") == ["Done"]


def test_undo_removes_the_created_tasks(panel, controller, people, sample_copy, qtbot):
    codes = cells_of(sample_copy, inspectors(people).iloc[0]["uuid"], 3)
    assign(qtbot, controller, codes)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 3, timeout=WAIT)
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        controller.undo_stack.undo()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 0, timeout=WAIT)
    assert Project.open(sample_copy).read_table("assignment").empty
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        controller.undo_stack.redo()
    qtbot.waitUntil(lambda: col(panel, "cell") == codes, timeout=WAIT)


def test_titles_follow_the_language(panel, controller, people, sample_copy, qtbot, monkeypatch):
    codes = cells_of(sample_copy, inspectors(people).iloc[0]["uuid"], 1)
    assign(qtbot, controller, codes, due=QDateTime.currentDateTime().addDays(-2), kind="patrol")
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=WAIT)
    monkeypatch.setattr(i18n, "_current", ["zh_CN"])
    panel.retranslate()
    assert col(panel, "kind") == ["巡查"]
    assert col(panel, "status")[0].startswith("待检查 · ")


def test_no_project_means_an_empty_list(qtbot, tmp_path, english):
    ctl = WorkflowController(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    p = TaskPanel(ctl)
    qtbot.addWidget(p)
    assert p.table.rowCount() == 0 and p.count_label.text() == "No project open"
    assert p.selected_task() is None and not p.select_task("nope")
    for b in (p.start_button, p.record_button, p.finish_button, p.cancel_button):
        assert not b.isEnabled()


def test_the_office_sees_tasks_grouped_with_progress_per_township_and_inspector(controller, people, sample_copy,
                                                                               qtbot):
    from gridwatch.storage.workflow import change_assignment, create_assignments

    panel = TaskPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(420, 600)  # a narrow dock
    panel.show()
    assert panel.grouping() == "township"  # a supervisor's default
    cells = Project.open(sample_copy).read_layer("grid_cell")
    towns = sorted(cells["township_code"].unique())[:2]
    codes = {t: cells[cells["township_code"] == t]["code"].iloc[:4].tolist() for t in towns}
    sup = controller.actor
    due = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)
    created = create_assignments(sample_copy, sup, codes[towns[0]] + codes[towns[1]], "patrol",
                                 due_at=due).created("assignment")
    tasks = Project.open(sample_copy).read_table("assignment").set_index("uuid")
    done = [u for u in created if tasks.loc[u, "cell_code"] in codes[towns[0]]][:1]
    change_assignment(sample_copy, sup, done[0], "start")
    change_assignment(sample_copy, sup, done[0], "finish")
    panel.refresh()
    groups = panel.group_rows()
    assert len(groups) == 2
    first = next(text for _, key, text in groups if key == towns[0])
    assert "3 task(s) listed" in first and "done 1 of 4 (25%)" in first  # progress over all its tasks
    # the visible columns say which cell, who and when
    row = panel.row_of(created[1])
    texts = [panel.table.item(row, c).text() for c in range(3)]
    assert texts[0] == cells.set_index("code").loc[panel.cell_code_at(row), "name"] and texts[1] and texts[2]
    # a group opens and closes with a click; selecting a task in a closed group opens it
    key = groups[0][1]
    panel.toggle_group(key, False)
    hidden = [r for r in range(panel.table.rowCount()) if panel.table.isRowHidden(r)]
    listed = 3 if key == towns[0] else 4  # the finished task is not open
    assert len(hidden) == listed and panel.group_rows()[0][2].startswith("▸")
    uuid = panel.table.item(hidden[0], 0).data(Qt.ItemDataRole.UserRole)
    assert panel.select_task(uuid) and not panel.table.isRowHidden(panel.row_of(uuid))
    assert panel.selected_task()["uuid"] == uuid
    # by inspector: one group per assignee, with their progress
    panel.set_grouping("assignee")
    texts = [t for _, _, t in panel.group_rows()]
    assert len(texts) == len({tasks.loc[u, "assignee_uuid"] for u in created})
    assert any("done 1 of 1 (100%)" in t or "done 1 of" in t for t in texts)
    # a group header is no task
    assert panel.task_at(panel.group_rows()[0][0]) is None


def test_the_assign_dialog_takes_beijing_time_on_a_laptop_set_to_utc(controller, qtbot, monkeypatch):
    """17:00 typed is 17:00 Beijing time (09:00 UTC) whatever the laptop's own time zone."""
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        dlg = AssignDialog(controller, ["130110100001001"])
        qtbot.addWidget(dlg)
        dlg.due_edit.setDateTime(QDateTime(QDate(2026, 12, 20), QTime(17, 0), QTimeZone(8 * 3600)))
        assert dlg.due_edit.text().endswith("17:00")
        assert dlg.due_at() == dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.timezone.utc)
        label = dlg.form.labelForField(dlg.due_edit).text()
        assert "Beijing" in label and "Beijing" in dlg.due_edit.toolTip()
        # the default: tomorrow 18:00 in Beijing
        fresh = AssignDialog(controller, ["130110100001001"])
        qtbot.addWidget(fresh)
        beijing_now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
        due = fresh.due_at().astimezone(dt.timezone(dt.timedelta(hours=8)))
        assert (due.hour, due.minute) == (18, 0) and due.date() == beijing_now.date() + dt.timedelta(days=1)
    finally:
        monkeypatch.undo()
        time.tzset()
