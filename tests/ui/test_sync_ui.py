"""Checking out, syncing and reviewing sync conflicts through the real dialogs and panel, with real
syncs between laptops' working copies and a shared folder in tmp_path."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
)

from gridwatch.storage import Project, queries
from gridwatch.storage.workflow import Actor, create_assignments, edit_finding, record_finding
from gridwatch.sync import checkout, sync, sync_dir
from gridwatch.sync.engine import compact_shared
from gridwatch.ui import i18n
from gridwatch.ui.session import WorkflowController
from gridwatch.ui.sync.conflicts import ConflictsPanel
from gridwatch.ui.sync.dialogs import CheckoutDialog, SyncDialog, jobs_running

from ..conftest import clear_work, sha256
from .test_main_window import window  # noqa: F401 - fixture

WAIT = 30_000  # ms
NOW = dt.datetime(2025, 11, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def people(path):
    return Project.open(path).read_table("inspector")


def actor(path, role, n=0) -> Actor:
    who = people(path)
    row = who[who["role"] == role].sort_values("name").iloc[n]
    return Actor(str(row["uuid"]), str(row["name"]), role)


def find(widget, cls, name):
    child = widget.findChild(cls, name)
    assert child is not None, name
    return child



@pytest.fixture
def sample_copy(bare_copy):
    """The sample district without its two months of work: these tests count what they make."""
    return bare_copy

@pytest.fixture
def office(tmp_path, sample_path, qapp, qtbot, monkeypatch):
    """A shared folder with the district project; ``laptop(name, user)`` checks out a working copy."""
    from gridwatch.sync import engine

    monkeypatch.setattr(engine, "COMPACT_AFTER", 0)  # every sync folds the change log into the shared file
    i18n.install("en")
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)
    clear_work(shared)  # the tests count the conflicts they make

    def laptop(name: str, user: str) -> Path:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        return checkout(shared, folder / "project.gpkg", user)

    yield shared, laptop
    qtbot.waitUntil(lambda: not jobs_running(), timeout=WAIT)


@pytest.fixture
def controller_for(qtbot, tmp_path):
    made = []

    def make(path: Path, who: Actor) -> WorkflowController:
        settings = QSettings(str(tmp_path / f"s{len(made)}.ini"), QSettings.Format.IniFormat)
        settings.setValue("user", who.name)
        c = WorkflowController(settings)
        c.set_project(path)
        assert c.actor is not None and c.actor.uuid == who.uuid
        made.append(c)
        return c

    yield make
    for c in made:
        qtbot.waitUntil(lambda c=c: not c.busy, timeout=WAIT)


# --- check out ----------------------------------------------------------------------------------------


def test_checkout_dialog_lists_the_shared_projects_people_and_checks_out(office, qtbot, tmp_path, monkeypatch):
    shared, _ = office
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    before = sha256(shared)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    dialog = CheckoutDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing chosen yet

    # a missing shared file: said inline, nothing to choose
    find(dialog, QLineEdit, "checkoutShared").setText(str(tmp_path / "nowhere" / "district.gpkg"))
    dialog.load_people()
    error = find(dialog, QLabel, "checkoutError")
    assert error.isVisible() and "not found" in error.text()
    assert find(dialog, QComboBox, "checkoutUser").count() == 0 and not ok.isEnabled()

    # the real shared file: its active people, read without changing it
    dialog.set_shared(shared)
    assert not error.isVisible()
    combo = find(dialog, QComboBox, "checkoutUser")
    who = people(shared)
    active = who[who["active"].fillna(1) != 0]
    assert sorted(combo.itemData(i) for i in range(combo.count())) == sorted(active["name"])
    assert sha256(shared) == before
    # the working copy goes to the user data folder by default, named after the shared file
    assert Path(find(dialog, QLineEdit, "checkoutLocal").text()) == tmp_path / "data" / "district.gpkg"

    sup = actor(shared, "supervisor")
    combo.setCurrentIndex(combo.findData(sup.name))
    assert sup.name in combo.currentText() and "District supervisor" in combo.currentText()
    local = tmp_path / "laptop" / "mine.gpkg"
    local.parent.mkdir()
    line = find(dialog, QLineEdit, "checkoutLocal")
    line.clear()
    qtbot.keyClicks(line, str(local))
    assert ok.isEnabled()
    with qtbot.waitSignal(dialog.checkedOut, timeout=WAIT) as got:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert got.args[0] == local and local.exists()
    state = json.loads((sync_dir(local) / "state.json").read_text(encoding="utf-8"))
    assert state["user"] == sup.name and state["shared"] == str(shared.resolve())
    assert not dialog.isVisible() and dialog.user() == sup.name
    assert settings.value("sync/shared") == str(shared)


def test_checkout_errors_stay_in_the_dialog(office, qtbot, tmp_path):
    shared, _ = office
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    dialog = CheckoutDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_shared(shared)
    taken = tmp_path / "taken.gpkg"
    taken.write_bytes(b"mine")
    dialog.local_edit.setText(str(taken))
    dialog._local_auto = False
    dialog.start()
    error = find(dialog, QLabel, "checkoutError")
    qtbot.waitUntil(lambda: error.isVisible(), timeout=WAIT)
    assert "exists already" in error.text()
    assert dialog.isVisible() and dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    assert taken.read_bytes() == b"mine"


# --- sync ------------------------------------------------------------------------------------------------


def test_sync_dialog_sends_edits_and_shows_a_summary(office, qtbot):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    local = laptop("office", sup.name)
    code = str(Project.open(local).read_layer("grid_cell")["code"].iloc[3])
    create_assignments(local, sup, [code], "patrol", now=NOW)
    dialog = SyncDialog(local)
    qtbot.addWidget(dialog)
    dialog.show()
    assert find(dialog, QLabel, "syncShared").text() == str(shared.resolve())
    assert find(dialog, QLabel, "syncLast").text() == "never"
    start = find(dialog, QPushButton, "syncStart")
    cancel = find(dialog, QPushButton, "syncCancel")
    assert start.isEnabled() and not cancel.isEnabled()
    progress = find(dialog, QProgressBar, "syncProgress")
    seen: list[int] = []
    progress.valueChanged.connect(seen.append)
    with qtbot.waitSignal(dialog.synced, timeout=WAIT) as got:
        qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
        assert not start.isEnabled() and cancel.isEnabled()  # never two syncs at once
        dialog.start()  # ignored while running
    report = got.args[0]
    assert report.sent > 0 and report.refused == 0
    assert progress.value() == 100 and len(seen) >= 3
    summary = find(dialog, QLabel, "syncSummary")
    assert summary.isVisible() and summary.text().startswith("Sent " + str(report.sent) + " change(s)")
    assert find(dialog, QLabel, "syncLast").text() not in ("", "never")
    assert not find(dialog, QLabel, "syncError").isVisible()
    assert start.isEnabled() and not cancel.isEnabled()
    assert code in set(queries.tasks(shared)["cell_code"])


def test_refused_edits_are_listed(office, qtbot):
    shared, laptop = office
    ins = actor(shared, "inspector")
    local = laptop("field", ins.name)
    sup = actor(shared, "supervisor")
    code = str(Project.open(local).read_layer("grid_cell")["code"].iloc[2])
    create_assignments(local, sup, [code], "patrol", now=NOW)  # an inspector's laptop may not assign
    dialog = SyncDialog(local)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.synced, timeout=WAIT) as got:
        dialog.start()
    assert got.args[0].refused > 0
    refused = find(dialog, QListWidget, "syncRefused")
    assert refused.isVisible() and refused.count() > 0 and "refused" in refused.item(0).text()
    assert "refused" in find(dialog, QLabel, "syncSummary").text()


def test_a_vanished_share_is_reported_inline_and_the_laptop_is_untouched(office, qtbot, tmp_path):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    local = laptop("office", sup.name)
    code = str(Project.open(local).read_layer("grid_cell")["code"].iloc[4])
    create_assignments(local, sup, [code], "patrol", now=NOW)
    before = sha256(local)
    shared.parent.rename(tmp_path / "share-gone")
    dialog = SyncDialog(local)
    qtbot.addWidget(dialog)
    dialog.show()
    failures: list[str] = []
    dialog.failed.connect(failures.append)
    with qtbot.waitSignal(dialog.failed, timeout=WAIT):
        qtbot.mouseClick(find(dialog, QPushButton, "syncStart"), Qt.MouseButton.LeftButton)
    error = find(dialog, QLabel, "syncError")
    assert error.isVisible() and "not reachable" in error.text() and "c62828" in error.styleSheet()
    assert failures and "not reachable" in failures[0]
    assert sha256(local) == before
    assert not find(dialog, QLabel, "syncSummary").isVisible()
    assert dialog.isVisible() and find(dialog, QPushButton, "syncStart").isEnabled()  # try again later

    # the share is back: the same dialog syncs
    (tmp_path / "share-gone").rename(shared.parent)
    with qtbot.waitSignal(dialog.synced, timeout=WAIT):
        dialog.start()
    assert not error.isVisible() and code in set(queries.tasks(shared)["cell_code"])


def test_a_held_lock_is_reported_and_cancel_stops_the_wait(office, qtbot):
    from gridwatch.sync.lock import SharedLock

    shared, laptop = office
    sup = actor(shared, "supervisor")
    local = laptop("office", sup.name)
    before = sha256(shared)
    with SharedLock(shared, "someone else"):
        dialog = SyncDialog(local, lock_wait=0.5)
        qtbot.addWidget(dialog)
        dialog.show()
        with qtbot.waitSignal(dialog.failed, timeout=WAIT) as got:
            dialog.start()
        assert find(dialog, QLabel, "syncError").isVisible() and got.args[0]
        # a long wait, cancelled by the user
        dialog.lock_wait = 60.0
        with qtbot.waitSignal(dialog.failed, timeout=WAIT):
            dialog.start()
            qtbot.waitUntil(lambda: "Waiting" in find(dialog, QLabel, "syncMessage").text(), timeout=WAIT)
            qtbot.mouseClick(find(dialog, QPushButton, "syncCancel"), Qt.MouseButton.LeftButton)
        assert "cancelled" in find(dialog, QLabel, "syncMessage").text()
    assert sha256(shared) == before


# --- conflicts ----------------------------------------------------------------------------------------------


def make_conflict(office):
    """Two supervisors' laptops edit one finding's description offline; b syncs last and wins."""
    shared, laptop = office
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b = laptop("a", sup.name), laptop("b", sup2.name)
    cell = Project.open(a).read_layer("grid_cell").iloc[10]
    c = cell.geometry.representative_point()
    fid = record_finding(a, sup, cell_code=cell["code"], category="other", longitude=c.x, latitude=c.y,
                         description="原描述", now=NOW).created("finding")[0]
    sync(a)
    sync(b)
    edit_finding(a, sup, fid, description="A 的描述", now=NOW + dt.timedelta(hours=1))
    edit_finding(b, sup2, fid, description="B 的描述", now=NOW + dt.timedelta(hours=2))
    sync(a)
    sync(b)
    sync(a)
    return a, sup, fid


def test_conflicts_panel_lists_and_restores_an_overridden_value(office, qtbot, controller_for):
    a, sup, fid = make_conflict(office)
    assert queries.findings(a).set_index("uuid").loc[fid, "description"] == "B 的描述"
    c = controller_for(a, sup)
    panel = ConflictsPanel(c)
    qtbot.addWidget(panel)
    panel.show()
    table = find(panel, QTableWidget, "conflictTable")
    assert panel.windowTitle() == "Sync conflicts" and panel.objectName() == "conflictDock"
    rows = [[table.item(r, k).text() for k in range(table.columnCount())] for r in range(table.rowCount())]
    desc = [r for r in rows if r[2] == "Description"]
    assert len(desc) == 1, rows
    row = desc[0]
    assert row[1] == "Finding" and row[3] == "Open"  # one record: singular
    assert re.fullmatch(r"\d\d-\d\d \d\d:\d\d", row[0])  # the sync's time, Beijing time, this year
    accept, restore = find(panel, QPushButton, "conflictAccept"), find(panel, QPushButton, "conflictRestore")
    table.selectRow(rows.index(row))
    # the selected conflict: kept and overwritten side by side, who wrote each, the rule that decided
    assert find(panel, QPlainTextEdit, "conflictKeptValue").toPlainText() == "B 的描述"
    assert find(panel, QPlainTextEdit, "conflictOtherValue").toPlainText() == "A 的描述"
    kept_by, other_by = find(panel, QLabel, "conflictKeptBy").text(), find(panel, QLabel, "conflictOtherBy").text()
    assert kept_by and other_by and kept_by != other_by
    assert "The later edit wins" in find(panel, QLabel, "conflictRule").text()
    assert re.search(r"20\d\d-\d\d-\d\d \d\d:\d\d", find(panel, QLabel, "conflictWhen").text())
    assert restore.isEnabled() and accept.isEnabled()
    with qtbot.waitSignal(panel.showRowRequested, timeout=WAIT) as shown:
        find(panel, QPushButton, "conflictShowOnMap").click()
    assert shown.args == ["finding", fid]
    with qtbot.waitSignal(c.changed, timeout=WAIT):
        qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    assert queries.findings(a).set_index("uuid").loc[fid, "description"] == "A 的描述"
    # restored: gone from the open list, shown under all with its new status
    assert all(table.item(r, 2).text() != "Description" for r in range(table.rowCount()))
    status = find(panel, QComboBox, "conflictStatus")
    status.setCurrentIndex(status.findData(None))
    texts = [[table.item(r, k).text() for k in range(table.columnCount())] for r in range(table.rowCount())]
    assert [r[3] for r in texts if r[2] == "Description"] == ["Restored"]
    table.selectRow([r[2] for r in texts].index("Description"))
    assert not restore.isEnabled()  # already reviewed
    assert "Restored by" in find(panel, QLabel, "conflictWhen").text()
    # undoable like any edit
    with qtbot.waitSignal(c.changed, timeout=WAIT):
        c.undo_stack.undo()
    assert queries.findings(a).set_index("uuid").loc[fid, "description"] == "B 的描述"
    texts = [[table.item(r, k).text() for k in range(table.columnCount())] for r in range(table.rowCount())]
    assert [r[3] for r in texts if r[2] == "Description"] == ["Open"]


def test_a_short_conflicts_dock_keeps_its_buttons_in_view_and_nothing_overlaps(office, qtbot, controller_for):
    """As on a 1366x768 laptop, below the identify dock: the details scroll, the buttons stay."""
    from PySide6.QtCore import QRect

    from gridwatch.ui.widgets import scrolled

    a, sup, fid = make_conflict(office)
    panel = ConflictsPanel(controller_for(a, sup))
    qtbot.addWidget(panel)
    panel.setWidget(scrolled(panel.widget()))  # as the main window's docks scroll their bodies
    panel.show()
    table = find(panel, QTableWidget, "conflictTable")
    table.selectRow([table.item(r, 2).text() for r in range(table.rowCount())].index("Description"))

    def rect(w):
        return QRect(w.mapTo(panel, w.rect().topLeft()), w.size())

    for height in (300, 340, 420):
        panel.resize(316, height)
        qtbot.wait(50)
        body = rect(panel.widget().viewport())
        for name in ("conflictAccept", "conflictRestore"):
            assert body.contains(rect(find(panel, QPushButton, name))), (height, name)
        kept, by = find(panel, QPlainTextEdit, "conflictKeptValue"), find(panel, QLabel, "conflictKeptBy")
        assert kept.height() >= kept.minimumHeight() and not rect(kept).intersects(rect(by)), height


def test_conflicts_panel_shows_titles_and_refuses_inspectors(office, qtbot, controller_for):
    a, sup, fid = make_conflict(office)
    ins = actor(a, "inspector")
    c = controller_for(a, ins)
    panel = ConflictsPanel(c)
    qtbot.addWidget(panel)
    table = find(panel, QTableWidget, "conflictTable")
    assert table.rowCount() >= 1
    for r in range(table.rowCount()):
        table.selectRow(r)
        assert not find(panel, QPushButton, "conflictAccept").isEnabled()
        assert not find(panel, QPushButton, "conflictRestore").isEnabled()
    # values as people read them: coded statuses by title, blobs by size
    assert panel.value_text("finding", "status", json.dumps("rectified")) == "Rectified"
    assert panel.value_text("assignment", "status", json.dumps("in_progress")) == "In progress"
    assert panel.value_text("attachment", "data", json.dumps({"base64": "AAECAw=="})) == "<4 bytes>"
    assert panel.value_text("finding", "description", None) == ""


# --- the main window ------------------------------------------------------------------------------------


def test_sync_is_only_offered_for_a_working_copy(window):  # noqa: F811
    w = window
    assert w.findChild(ConflictsPanel, "conflictDock") is w.conflict_panel
    assert w.conflict_panel.toggleViewAction() in w.menu_view.actions()
    assert w.act_checkout in w.menu_file.actions() and w.act_sync in w.menu_file.actions()
    assert w.act_sync in w.toolbar.actions()
    assert w.act_sync.shortcut().toString() == "Ctrl+Shift+S"
    assert w.project_path is not None and not w.act_sync.isEnabled()  # the sample is no working copy
    assert w.act_checkout.isEnabled()


def test_checking_out_in_the_window_opens_the_working_copy_as_its_user(window, qtbot, tmp_path):  # noqa: F811
    w = window
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(w.project_path, shared)
    sup = actor(shared, "supervisor")
    w.act_checkout.trigger()
    dialog = w._checkout_dialog
    assert dialog.isVisible()
    dialog.set_shared(shared)
    dialog.user_combo.setCurrentIndex(dialog.user_combo.findData(sup.name))
    local = Path(dialog.local_edit.text())
    assert local.parent == tmp_path / "data"
    with qtbot.waitSignal(w.projectLoaded, timeout=WAIT):
        dialog.start()
    assert w.project_path == local and w.workflow.actor is not None and w.workflow.actor.name == sup.name
    assert w.act_sync.isEnabled()

    # an edit, then File > Sync: the dialog syncs and the window reloads the project
    code = str(w.data.layers["grid_cell"].frame["code"].iloc[1])
    create_assignments(local, w.workflow.actor, [code], "patrol", now=NOW)
    w.act_sync.trigger()
    sd = w._sync_dialog
    assert sd.isVisible() and sd.isModal()
    with qtbot.waitSignal(w.projectLoaded, timeout=WAIT):
        sd.start()
    assert sd.report.sent > 0
    compact_shared(shared)  # the shared file with the change log folded in
    assert code in set(queries.tasks(shared)["cell_code"])
    qtbot.waitUntil(lambda: not jobs_running(), timeout=WAIT)


def test_a_shared_project_opens_read_only_with_a_banner_that_offers_a_working_copy(window, qtbot, tmp_path):  # noqa: F811
    w = window
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(w.project_path, shared)
    sup = actor(shared, "supervisor")
    checkout(shared, tmp_path / "first.gpkg", sup.name)  # now it is a shared project (its change log beside it)
    before = sha256(shared)
    w.workflow.set_user(sup.name)
    assert not w.shared_bar.isVisible()
    with qtbot.waitSignal(w.projectLoaded, timeout=WAIT):
        w.open_project(shared)
    assert w.shared_bar.isVisible() and "read-only" in w.shared_label.text()
    assert w.workflow.read_only and w.workflow.actor is not None and w.workflow.actor.name == sup.name
    # a supervisor may assign, import and manage people in a working copy, not here
    from gridwatch.domain.policy import Action

    assert not w.workflow.may(Action.ASSIGN_TASKS) and not w.act_import.isEnabled()
    assert not w.act_fire_checks.isEnabled() and "shared project" in w.act_fire_checks.toolTip()
    w.act_checkout_this.trigger()
    dialog = w._checkout_dialog
    assert dialog.isVisible() and dialog.shared_path() == shared
    dialog.reject()
    assert sha256(shared) == before
    # the sample (no change log beside it) is an ordinary project again
    with qtbot.waitSignal(w.projectLoaded, timeout=WAIT):
        w.open_project(tmp_path / "first.gpkg")
    assert not w.shared_bar.isVisible() and w.workflow.may(Action.ASSIGN_TASKS)
