"""The findings panel and the finding dialogs, driven offscreen on a copy of the sample district.

Edits run for real on the controller's worker thread, so results are awaited with
``qtbot.waitSignal(controller.changed)``; setting up the loop's earlier steps goes straight
through the core (as another laptop's sync would), followed by ``panel.refresh()``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import QDialog

from gridwatch.domain.vocabulary import FINDING_ACTION_TITLES
from gridwatch.storage import queries
from gridwatch.storage.gpkg import blob_to_geometry
from gridwatch.storage.workflow import (
    Actor,
    change_assignment,
    change_finding,
    create_assignments,
    record_finding,
)
from gridwatch.ui import i18n
from gridwatch.ui.findings.panel import (
    FINDING_ACTIONS,
    UUID_ROLE,
    FindingActionDialog,
    FindingDialog,
    FindingsPanel,
    reads_pending,
)
from gridwatch.ui.session import WorkflowController

from ..conftest import make_photo

WAIT = 20_000  # ms
BJ = dt.timezone(dt.timedelta(hours=8))
RED = "#c62828"


# --- the project and its people ------------------------------------------------------------------


def _rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


def person(path, role, n=0) -> Actor:
    """The n-th person of ``role``; an inspector is one who has cells."""
    if role == "inspector":
        rows = _rows(path, "SELECT p.uuid, p.name, p.role FROM inspector p WHERE p.role = 'inspector' AND EXISTS "
                           "(SELECT 1 FROM grid_cell c WHERE c.inspector_uuid = p.uuid) ORDER BY p.name")
    else:
        rows = _rows(path, "SELECT uuid, name, role FROM inspector WHERE role = ? ORDER BY name", (role,))
    return Actor(*rows[n])


def cell_of(path, inspector: Actor):
    code, blob = _rows(path, "SELECT code, geom FROM grid_cell WHERE inspector_uuid = ? ORDER BY code LIMIT 1",
                       (inspector.uuid,))[0]
    return code, blob_to_geometry(blob)


def cell_in_township(path, township_code: str):
    code, blob = _rows(path, "SELECT code, geom FROM grid_cell WHERE township_code = ? ORDER BY code LIMIT 1",
                       (township_code,))[0]
    return code, blob_to_geometry(blob)


def now_exif() -> str:
    return dt.datetime.now(BJ).strftime("%Y:%m:%d %H:%M:%S")



@pytest.fixture
def sample_copy(bare_copy):
    """The sample district without its two months of work: these tests count what they make."""
    return bare_copy

@pytest.fixture
def project(sample_copy, qapp):
    i18n.install("en")
    path = sample_copy
    sup = person(path, "supervisor")
    ins = person(path, "inspector")
    code, geom = cell_of(path, ins)
    yield SimpleNamespace(path=path, sup=sup, ins=ins, cell_code=code, cell=geom, inside=geom.representative_point())
    i18n.install("en")


@pytest.fixture
def controller_for(qtbot, tmp_path, project):
    """``controller_for(actor)``: a WorkflowController on the project with ``actor`` as this laptop's user."""
    made = []

    def make(actor: Actor) -> WorkflowController:
        settings = QSettings(str(tmp_path / f"s{len(made)}.ini"), QSettings.Format.IniFormat)
        settings.setValue("user", actor.name)
        c = WorkflowController(settings)
        c.set_project(project.path)
        assert c.actor is not None and c.actor.uuid == actor.uuid
        made.append(c)
        return c

    yield make
    for c in made:  # let a last edit finish before the project file is removed
        qtbot.waitUntil(lambda c=c: not c.busy, timeout=WAIT)


def task_in_progress(project) -> dict:
    edit = create_assignments(project.path, project.sup, [project.cell_code], "coal_ban")
    uid = edit.created("assignment")[0]
    change_assignment(project.path, project.ins, uid, "start")
    frame = queries.tasks(project.path, assignee_uuid=project.ins.uuid)
    return frame[frame["uuid"] == uid].iloc[0].to_dict()


def make_panel(qtbot, controller) -> FindingsPanel:
    panel = FindingsPanel(controller)
    qtbot.addWidget(panel)
    panel.resize(1100, 800)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def column(panel: FindingsPanel, c: int) -> list[str]:
    return [panel.table.item(r, c).text() for r in range(panel.table.rowCount())]


def visible_actions(panel: FindingsPanel) -> set[str]:
    return {a for a, b in panel.action_buttons.items() if b.isVisibleTo(panel) and b.isEnabled()}


def history_rows(panel: FindingsPanel) -> list[tuple[str, ...]]:
    tree = panel.history
    return [tuple(tree.topLevelItem(i).text(c) for c in range(5)) for i in range(tree.topLevelItemCount())]


def click_ok(qtbot, controller, button) -> None:
    assert button.isEnabled()
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    shown(qtbot)


def shown(qtbot) -> None:
    """Wait until the findings panels read the list again after the edit (on a worker) and show it."""
    qtbot.waitUntil(lambda: not reads_pending(), timeout=WAIT)


# --- recording ------------------------------------------------------------------------------------


def test_an_inspector_records_a_finding_with_photos_under_a_task(qtbot, project, controller_for, tmp_path):
    controller = controller_for(project.ins)
    panel = make_panel(qtbot, controller)
    assert panel.objectName() == "findingDock" and panel.windowTitle() == "Findings"
    assert panel.table.rowCount() == 0
    task = task_in_progress(project)
    p = project.inside
    dlg = FindingDialog(controller, task=task, cell_code=project.cell_code, cell_geometry=project.cell,
                        longitude=p.x, latitude=p.y)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.objectName() == "findingDialog" and dlg.windowTitle() == "Record finding"
    assert dlg.findChild(type(dlg.location), "findingLocation").text().startswith(f"{p.x:.6f}, {p.y:.6f}")
    assert project.cell_code in dlg.location.text()
    assert not dlg.location_warning.isVisibleTo(dlg)
    assert dlg.category.currentData() == "scattered_coal"  # what a coal-ban check usually finds

    good = make_photo(tmp_path / "coal.jpg", lon=p.x, lat=p.y, taken_local=now_exif())
    far = make_photo(tmp_path / "far.jpg", lon=p.x + 0.05, lat=p.y, taken_local="2025:11:20 08:30:00")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"this is not a jpeg")
    dlg.add_photos([good, far, broken])
    assert dlg.photo_list.count() == 2 and len(dlg.photos) == 2
    assert not dlg.photo_list.item(0).icon().isNull()
    assert "⚠" not in dlg.photo_list.item(0).text()
    assert "⚠" in dlg.photo_list.item(1).text()  # far from the cell and long before the task started
    assert "米" in dlg.photo_list.item(1).toolTip() and "far.jpg" in dlg.photo_list.item(1).toolTip()
    assert dlg.photo_error.isVisibleTo(dlg) and "broken.jpg" in dlg.photo_error.text()
    dlg.add_photos([good])  # the same photo twice
    assert dlg.photo_list.count() == 2 and "coal.jpg" in dlg.photo_error.text()

    dlg.category.setCurrentIndex(dlg.category.findData("scattered_coal"))
    dlg.severity.setCurrentIndex(dlg.severity.findData(3))
    qtbot.keyClicks(dlg.description, "<b>x</b> coal heap")
    dlg.deadline_enabled.setChecked(True)
    dlg.deadline.setDate(QDate(2026, 12, 31))
    qtbot.keyClicks(dlg.party, "Farm & Co")
    with qtbot.waitSignal(controller.warned, timeout=WAIT) as warned:
        click_ok(qtbot, controller, dlg.ok_button)
    assert any("far.jpg" in w for w in warned.args[0])
    assert dlg.result() == QDialog.DialogCode.Accepted and not dlg.isVisible()

    stored = queries.findings(project.path)
    assert len(stored) == 1
    row = stored.iloc[0]
    assert row["uuid"] == dlg.recorded_uuid and row["category"] == "scattered_coal" and row["severity"] == 3
    assert row["cell_code"] == project.cell_code and row["rectify_deadline"] == "2026-12-31"
    assert row["responsible_party"] == "Farm & Co" and row["photo_count"] == 2 and row["flagged_photos"] == 1

    # the panel lists and selects it, with both thumbnails
    assert panel.table.rowCount() == 1
    assert panel.selected_finding()["uuid"] == dlg.recorded_uuid
    assert panel.table.item(0, 0).data(UUID_ROLE) == dlg.recorded_uuid
    assert column(panel, 9) == ["2 ⚠"] and column(panel, 1) == ["Found"] and column(panel, 3) == ["Grave"]
    assert panel.photos.count() == 2
    captions = [panel.photos.item(i).text() for i in range(2)]
    assert all(c.startswith("Before") for c in captions) and "⚠" in captions[1] and "⚠" not in captions[0]
    assert not panel.photos.item(0).icon().isNull()
    text = panel.detail.text()
    assert "&lt;b&gt;x&lt;/b&gt; coal heap" in text and "<b>x</b>" not in text
    assert "Farm &amp; Co" in text and project.ins.name in text

    # a double-click on a thumbnail shows the photo; on the row, the map goes there
    panel.photos.itemDoubleClicked.emit(panel.photos.item(0))
    viewer = panel.viewer
    assert viewer is not None and viewer.objectName() == "photoViewer" and viewer.isVisible()
    assert not viewer.pixmap.isNull() and viewer.pixmap.width() == 640
    viewer.close()
    rect = panel.table.visualItemRect(panel.table.item(0, 2))
    with qtbot.waitSignal(panel.zoomToFinding, timeout=WAIT) as zoom:
        # a real double-click: QTest's DblClick event alone lacks the press the view checks for
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert zoom.args == [pytest.approx(p.x), pytest.approx(p.y)]


def test_a_location_outside_the_cell_is_flagged_and_recorded_with_a_warning(qtbot, project, controller_for):
    controller = controller_for(project.sup)
    panel = make_panel(qtbot, controller)
    minx, miny, maxx, maxy = project.cell.bounds
    outside = (maxx + 0.02, maxy + 0.02)
    dlg = FindingDialog(controller, task=None, cell_code=project.cell_code, cell_geometry=project.cell,
                        longitude=outside[0], latitude=outside[1])
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.location_warning.isVisibleTo(dlg)
    assert dlg.location_warning.text() == f"The location is outside cell {project.cell_code}"
    assert f"{outside[0]:.6f}, {outside[1]:.6f}" in dlg.location.text()
    with qtbot.waitSignal(dlg.pickLocationRequested, timeout=WAIT):
        qtbot.mouseClick(dlg.pick_location, Qt.MouseButton.LeftButton)
    dlg.set_location(project.inside.x, project.inside.y)
    assert not dlg.location_warning.isVisibleTo(dlg)
    dlg.set_location(*outside)
    assert dlg.location_warning.isVisibleTo(dlg)
    assert dlg.arguments()["cell_code"] == project.cell_code and dlg.arguments()["assignment_uuid"] is None
    assert dlg.arguments()["rectify_deadline"] is None  # the deadline is optional and off by default
    click_ok(qtbot, controller, dlg.ok_button)
    assert panel.table.rowCount() == 1
    assert column(panel, 9) == ["0 ⚠"]
    assert "位置在网格" in panel.table.item(0, 9).toolTip()
    assert f'<span style="color:{RED}">⚠ 位置在网格 {project.cell_code} 之外' in panel.detail.text()


def test_a_refused_recording_keeps_the_dialog_open_with_the_reason(qtbot, project, controller_for):
    controller = controller_for(project.ins)  # an inspector without a task may not record
    dlg = FindingDialog(controller, task=None, cell_code=project.cell_code, cell_geometry=project.cell,
                        longitude=project.inside.x, latitude=project.inside.y)
    qtbot.addWidget(dlg)
    dlg.show()
    with qtbot.waitSignal(controller.failed, timeout=WAIT):
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and dlg.error.isVisibleTo(dlg) and "task in progress" in dlg.error.text()
    assert dlg.ok_button.isEnabled()
    assert queries.findings(project.path).empty


# --- the list ---------------------------------------------------------------------------------------


def test_the_filters_narrow_the_list(qtbot, project, controller_for):
    sup = project.sup
    a_code, a_geom = cell_in_township(project.path, "130110100")  # 获鹿镇
    b_code, b_geom = cell_in_township(project.path, "130110101")  # 铜冶镇

    def record(code, geom, category):
        pt = geom.representative_point()
        return record_finding(project.path, sup, category=category, longitude=pt.x, latitude=pt.y,
                              cell_code=code).created("finding")[0]

    f_found = record(a_code, a_geom, "scattered_coal")
    f_late = record(b_code, b_geom, "open_burning")
    f_due = record(a_code, a_geom, "construction_dust")
    change_finding(project.path, sup, f_late, "assign", rectify_deadline=dt.date(2025, 1, 10),
                   responsible_party="某村委会")
    change_finding(project.path, sup, f_due, "assign", rectify_deadline=dt.date.today() + dt.timedelta(days=30),
                   responsible_party="某建筑公司")

    panel = make_panel(qtbot, controller_for(sup))
    assert panel.table.rowCount() == 3
    assert panel.table.item(0, 0).data(UUID_ROLE) == f_late  # overdue first
    assert panel.table.item(0, 1).text() == "Assigned for rectification · overdue"
    assert panel.table.item(0, 1).foreground().color().name() == RED
    assert panel.count.text() == "3 finding(s), 1 overdue"
    assert panel.count.objectName() == "findingCount"

    combo = panel.status_filter
    assert combo.objectName() == "findingStatusFilter" and combo.itemText(0) == "All"
    combo.setCurrentIndex(combo.findData("assigned"))
    assert sorted(panel.table.item(r, 0).data(UUID_ROLE) for r in range(panel.table.rowCount())) == \
        sorted([f_late, f_due])
    panel.overdue_filter.setChecked(True)
    assert [panel.table.item(r, 0).data(UUID_ROLE) for r in range(panel.table.rowCount())] == [f_late]
    combo.setCurrentIndex(0)
    assert panel.table.rowCount() == 1
    panel.overdue_filter.setChecked(False)
    assert panel.table.rowCount() == 3

    cat = panel.category_filter
    assert cat.objectName() == "findingCategoryFilter"
    cat.setCurrentIndex(cat.findData("open_burning"))
    assert [panel.table.item(r, 0).data(UUID_ROLE) for r in range(panel.table.rowCount())] == [f_late]
    assert column(panel, 2) == ["Straw or open burning"]
    cat.setCurrentIndex(0)

    town = panel.township_filter
    assert town.objectName() == "findingTownshipFilter"
    assert town.itemText(town.findData("130110100")) == "获鹿镇" and town.count() == 14
    town.setCurrentIndex(town.findData("130110100"))
    assert sorted(panel.table.item(r, 0).data(UUID_ROLE) for r in range(panel.table.rowCount())) == \
        sorted([f_found, f_due])
    assert set(column(panel, 4)) == {"获鹿镇"}

    # the columns sort by value: severity by level, the found time by the full timestamp
    town.setCurrentIndex(0)
    change_finding(project.path, sup, f_found, "assign", rectify_deadline=dt.date(2030, 1, 1),
                   responsible_party="x")
    panel.refresh()
    panel.table.sortItems(0, Qt.SortOrder.AscendingOrder)
    assert [panel.table.item(r, 0).data(UUID_ROLE) for r in range(3)] == [f_found, f_late, f_due]
    panel.table.sortItems(8, Qt.SortOrder.DescendingOrder)
    assert column(panel, 8)[0] == "2030-01-01"
    town.setCurrentIndex(town.findData("130110100"))

    # the selection survives a refresh that still lists it, and goes when the filter hides it
    assert panel.select_finding(f_due)
    panel.refresh()
    assert panel.selected_finding()["uuid"] == f_due
    town.setCurrentIndex(town.findData("130110101"))
    assert panel.selected_finding() is None and panel.table.rowCount() == 1


def test_no_project_means_an_empty_panel(qtbot, tmp_path, qapp):
    i18n.install("en")
    controller = WorkflowController(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    panel = make_panel(qtbot, controller)
    assert panel.table.rowCount() == 0 and panel.selected_finding() is None
    assert panel.township_filter.count() == 1 and not visible_actions(panel)


# --- the loop ------------------------------------------------------------------------------------------


def test_action_buttons_follow_the_role_and_a_supervisor_assigns(qtbot, project, controller_for):
    pt = project.inside
    uid = record_finding(project.path, project.sup, category="scattered_coal", longitude=pt.x, latitude=pt.y,
                         cell_code=project.cell_code, description="散煤堆放").created("finding")[0]
    controller = controller_for(project.ins)
    panel = make_panel(qtbot, controller)
    assert panel.select_finding(uid)
    assert visible_actions(panel) == set()  # an inspector neither assigns nor closes
    assert not panel.action_buttons["assign"].isVisibleTo(panel)
    assert panel.start_action("assign") is None

    controller.set_user(project.sup.name)
    assert panel.selected_finding()["uuid"] == uid
    assert visible_actions(panel) == {"assign"}
    assign = panel.findChild(type(panel.action_buttons["assign"]), "findingAction_assign")
    assert assign.text() == FINDING_ACTION_TITLES["assign"][1]
    qtbot.mouseClick(assign, Qt.MouseButton.LeftButton)
    dlg = panel.dialog
    assert isinstance(dlg, FindingActionDialog) and dlg.objectName() == "findingActionDialog" and dlg.isVisible()
    deadline = dlg.findChild(type(dlg.deadline), "actionDeadline")
    party = dlg.findChild(type(dlg.party), "actionParty")
    assert deadline.date() == QDate.currentDate().addDays(7)
    assert party.text() == "" and not dlg.ok_button.isEnabled()
    qtbot.keyClicks(party, "   ")
    assert not dlg.ok_button.isEnabled()
    party.clear()
    qtbot.keyClicks(party, "<i>Village</i> committee")
    assert dlg.ok_button.isEnabled()
    deadline.setDate(QDate(2026, 12, 20))
    click_ok(qtbot, controller, dlg.ok_button)
    assert not dlg.isVisible() and dlg.result() == QDialog.DialogCode.Accepted

    row = queries.findings(project.path).iloc[0]
    assert row["status"] == "assigned" and row["rectify_deadline"] == "2026-12-20"
    assert row["responsible_party"] == "<i>Village</i> committee"
    assert panel.selected_finding()["status"] == "assigned"
    assert column(panel, 1) == ["Assigned for rectification"] and column(panel, 8) == ["2026-12-20"]
    assert "&lt;i&gt;Village&lt;/i&gt; committee" in panel.detail.text()
    assert visible_actions(panel) == {"rectify"}
    hist = history_rows(panel)
    assert [h[1] for h in hist] == [project.sup.name, project.sup.name]
    assert [h[2] for h in hist] == ["Recorded", "Assign for rectification"]
    assert "Status → Found" in hist[0][3]
    assert "Status Found → Assigned for rectification" in hist[1][3]
    assert "Rectification deadline → 2026-12-20" in hist[1][3]


def test_rectify_needs_a_note_and_a_photo_and_the_history_shows_the_loop(qtbot, project, controller_for, tmp_path):
    task = task_in_progress(project)
    pt = project.inside
    uid = record_finding(project.path, project.ins, category="scattered_coal", longitude=pt.x, latitude=pt.y,
                         assignment_uuid=task["uuid"], description="散煤").created("finding")[0]
    change_finding(project.path, project.sup, uid, "assign", rectify_deadline=dt.date.today(),
                   responsible_party="王某")
    controller = controller_for(project.ins)
    panel = make_panel(qtbot, controller)
    assert panel.select_finding(uid)
    assert visible_actions(panel) == {"rectify"}
    qtbot.mouseClick(panel.action_buttons["rectify"], Qt.MouseButton.LeftButton)
    dlg = panel.dialog
    assert dlg.action == "rectify" and not dlg.ok_button.isEnabled()
    note = dlg.findChild(type(dlg.note), "actionNote")
    qtbot.keyClicks(note, "Coal removed, stove replaced")
    assert not dlg.ok_button.isEnabled()  # still needs an after-photo
    bad = tmp_path / "after.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    dlg.add_photos([bad])
    error = dlg.findChild(type(dlg.photo_error), "actionError")
    assert error.isVisibleTo(dlg) and "after.png" in error.text() and not dlg.ok_button.isEnabled()
    dlg.add_photos([make_photo(tmp_path / "after.jpg", lon=pt.x, lat=pt.y, taken_local=now_exif())])
    assert not error.isVisibleTo(dlg) and dlg.findChild(type(dlg.photo_list), "actionPhotos").count() == 1
    assert dlg.ok_button.isEnabled()
    note.clear()
    assert not dlg.ok_button.isEnabled()
    qtbot.keyClicks(note, "Coal removed")
    click_ok(qtbot, controller, dlg.ok_button)
    assert panel.selected_finding()["status"] == "rectified"
    assert panel.selected_finding()["rectified_by"] == project.ins.uuid
    assert [panel.photos.item(i).text().split(" · ")[0] for i in range(panel.photos.count())] == ["After"]
    # nobody checks their own rectification
    assert visible_actions(panel) == set()

    controller.set_user(project.sup.name)
    assert visible_actions(panel) == {"verify", "reject"}
    qtbot.mouseClick(panel.action_buttons["reject"], Qt.MouseButton.LeftButton)
    dlg = panel.dialog
    reason = dlg.findChild(type(dlg.reason), "actionReason")
    assert not dlg.ok_button.isEnabled()
    qtbot.keyClicks(reason, "Stove still in use")
    click_ok(qtbot, controller, dlg.ok_button)
    assert panel.selected_finding()["status"] == "assigned"
    assert "Stove still in use" in panel.detail.text()

    hist = history_rows(panel)
    assert [(h[1], h[2]) for h in hist] == [
        (project.ins.name, "Recorded"),
        (project.sup.name, "Assign for rectification"),
        (project.ins.name, "Record rectification"),
        (project.sup.name, "Reject"),
    ]
    assert "Photos +1" in hist[2][3] and "Rectification note → Coal removed" in hist[2][3]
    assert hist[2][4] == "Coal removed" and hist[3][4] == "Stove still in use"
    assert "Status Rectified → Assigned for rectification" in hist[3][3]
    assert all(len(h[0]) == len("2026-01-01 08:00") for h in hist)

    # undo shows in the history too
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        controller.undo_stack.undo()
    shown(qtbot)
    assert panel.selected_finding()["status"] == "rectified"
    assert history_rows(panel)[-1][2] == "Undo: Reject"

    # verify needs a note; close is for supervisors only
    qtbot.mouseClick(panel.action_buttons["verify"], Qt.MouseButton.LeftButton)
    dlg = panel.dialog
    assert not dlg.ok_button.isEnabled()
    qtbot.keyClicks(dlg.findChild(type(dlg.note), "actionNote"), "Checked on site")
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        dlg.accept()  # accept() is OK: it runs the step, and closes once it is applied
    shown(qtbot)
    assert not dlg.isVisible() and dlg.result() == QDialog.DialogCode.Accepted
    assert visible_actions(panel) == {"close"}
    controller.set_user(project.ins.name)
    assert visible_actions(panel) == set()
    controller.set_user(project.sup.name)
    qtbot.mouseClick(panel.action_buttons["close"], Qt.MouseButton.LeftButton)
    dlg = panel.dialog
    assert dlg.findChild(type(dlg.summary), "actionConfirm").text() and dlg.ok_button.isEnabled()
    click_ok(qtbot, controller, dlg.ok_button)
    assert panel.selected_finding()["status"] == "closed" and visible_actions(panel) == set()
    assert history_rows(panel)[-1][2] == "Close"


def test_action_titles_match_the_model(qtbot, project, controller_for):
    panel = make_panel(qtbot, controller_for(project.sup))
    for a in FINDING_ACTIONS:
        assert panel.action_buttons[a].objectName() == f"findingAction_{a}"
        assert panel.action_buttons[a].text() == FINDING_ACTION_TITLES[a][1]


def test_titles_follow_the_language(qtbot, project, controller_for):
    pt = project.inside
    uid = record_finding(project.path, project.sup, category="open_burning", longitude=pt.x, latitude=pt.y,
                         cell_code=project.cell_code).created("finding")[0]
    change_finding(project.path, project.sup, uid, "assign", rectify_deadline=dt.date(2025, 1, 1),
                   responsible_party="某村")
    panel = make_panel(qtbot, controller_for(project.sup))
    panel.select_finding(uid)
    i18n.install("zh_CN")
    panel.retranslate()
    assert column(panel, 1)[0].startswith("已交办 · ") and column(panel, 2) == ["秸秆/露天焚烧"]
    assert panel.status_filter.itemText(panel.status_filter.findData("closed")) == "已销号"
    assert [h[2] for h in history_rows(panel)][-1] == "交办"
    assert "状态 发现 → 已交办" in history_rows(panel)[-1][3]
    assert panel.selected_finding()["uuid"] == uid
