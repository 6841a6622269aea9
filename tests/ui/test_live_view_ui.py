"""File > Open server district (issue 19): a PostGIS district in the window, live; read-only but for supervisors
and administrators, whose edits go to the server at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from gridwatch.storage.workflow import create_assignments
from gridwatch.sync import checkout, sync
from gridwatch.sync.pg.publish import publish

from ..test_sync_pg import first_cell, people

WAIT = 60_000  # ms


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    from ..conftest import bare_sample_in

    return bare_sample_in(tmp_path_factory.mktemp("bare"))


def find(parent, cls, name):
    w = parent.findChild(cls, name)
    assert w is not None, name
    return w


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    from gridwatch.ui import i18n
    from gridwatch.ui.app import create_app
    from gridwatch.ui.window.main_window import MainWindow

    create_app()
    i18n.install("en")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("ask_user_on_start", False)
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    yield w
    w.close()


def test_open_a_server_district_live_and_refresh_it(pg_cluster, sample_path, qtbot, tmp_path, window):
    pg_cluster.create_database("liveui")
    publish(sample_path, pg_cluster.url("liveui"), logins=True)
    who = people(sample_path)
    sup, chief = who["supervisor"], who["chief"]
    address = pg_cluster.url("liveui", user=chief.name)  # a township chief's view: read-only
    window.show_open_server_dialog()
    dialog = window._open_server_dialog
    edit, error = find(dialog, QLineEdit, "liveAddress"), find(dialog, QLabel, "liveError")
    # a file path is no server address; an unreachable server is one line in the dialog, which stays open
    edit.setText(str(sample_path))
    dialog.start()
    assert error.isVisible() and "postgresql://" in error.text()
    edit.setText(f"postgresql://x@/nowhere?host={tmp_path}")
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.running, timeout=WAIT)
    assert error.isVisible() and error.text().startswith("Cannot open the server district:") and dialog.isVisible()
    edit.setText(address)
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    # the district on the map and in the panels, a banner that says what it is, nothing editable
    bar = window.live_bar
    assert bar.isVisible() and not window.shared_bar.isVisible()
    label = find(window, QLabel, "liveViewLabel").text()
    assert "d130110" in label and "鹿泉区" in label and "read-only" in label and "local/liveui" in label
    assert window.workflow.read_only and window.workflow.live
    assert len(window.data.layers["grid_cell"].frame) > 0
    assert not window.act_assign.isEnabled() and not window.act_import.isEnabled()
    # a supervisor's laptop syncs; Refresh brings it into the window
    laptop = checkout(pg_cluster.url("liveui", user=sup.name), tmp_path / "laptop.gpkg", sup.name)
    create_assignments(laptop, sup, [first_cell(sample_path, who["inspector"])], "patrol")
    sync(laptop)
    assert len(window.task_panel.frame) == 0
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT):
        bar.act_refresh.trigger()
    qtbot.waitUntil(lambda: not bar.refreshing, timeout=WAIT)
    assert bar.problem == ""
    qtbot.waitUntil(lambda: len(window.task_panel.frame) == 1, timeout=WAIT)  # the new inspection
    # the refresh failing (the server gone) is said in the banner, the view stays open
    bar.info = {**bar.info, "address": f"postgresql://x@/nowhere?host={tmp_path}&district=d130110"}
    side = Path(str(bar.path) + ".live.json")
    side.write_text(json.dumps(bar.info), encoding="utf-8")
    bar.refresh()
    qtbot.waitUntil(lambda: not bar.refreshing, timeout=WAIT)
    assert "The last refresh failed" in find(window, QLabel, "liveViewLabel").text()
    assert window.project_path == bar.path


def test_a_supervisor_edits_the_server_through_the_live_view(pg_cluster, sample_path, qtbot, tmp_path, window):
    """In Chinese: the supervisor's live view is read-write; a task goes to the server at once; a refusal on
    the server is said in Chinese and the window shows the server's state again."""
    import psycopg
    from PySide6.QtWidgets import QApplication

    from gridwatch.storage.workflow import change_assignment
    from gridwatch.ui import i18n

    i18n.install("zh_CN")
    pg_cluster.create_database("liverw")
    publish(sample_path, pg_cluster.url("liverw"), logins=True)
    who = people(sample_path)
    sup, insp = who["supervisor"], who["inspector"]
    window.show_open_server_dialog()
    dialog = window._open_server_dialog
    find(dialog, QLineEdit, "liveAddress").setText(pg_cluster.url("liverw", user=sup.name))
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT):
        dialog.start()
    wf = window.workflow
    assert wf.live and wf.live_editable and not wf.read_only and wf.actor.uuid == sup.uuid
    label = find(window, QLabel, "liveViewLabel").text()
    assert "鹿泉区" in label and sup.name in label and "服务器" in label and "只读" not in label
    from gridwatch.domain.policy import Action

    assert wf.may(Action.ASSIGN_TASKS) and wf.may(Action.SET_VETO)
    assert not window.act_import.isEnabled() and "工作副本" in window.act_import.toolTip()  # single actions only
    assert not window.sync_label.isVisible()  # the banner says how the view stands
    # a task assigned in the window: on the server at once, the window reloads with the server's rows
    cell = first_cell(sample_path, insp)
    with qtbot.waitSignal(window.projectLoaded, timeout=WAIT):
        wf.run(create_assignments, [cell], "patrol")
    qtbot.waitUntil(lambda: window.task_panel.frame is not None and len(window.task_panel.frame) == 1, timeout=WAIT)
    task = str(window.task_panel.frame["uuid"].iloc[0])
    admin = f"host={pg_cluster.folder} user=gridwatch dbname=liverw"
    with psycopg.connect(admin) as con:
        assert con.execute("SELECT status FROM d130110.assignment WHERE uuid = %s", (task,)).fetchone() == ("assigned",)
        assert con.execute("SELECT gw_db_user FROM d130110.audit_log WHERE row_uuid = %s",
                           (task,)).fetchone() == (sup.name,)
    shot = Path(__file__).resolve().parents[2] / "docs" / "live-view-1366.png"
    window.resize(1366, 768)
    qtbot.wait(300)
    assert window.grab().save(str(shot))
    # the district's administrator stops task changes on the server: cancelling is refused there
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute("CREATE FUNCTION d130110.no_cancel() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    "RAISE EXCEPTION '检查任务由区督查办统一调度，暂停撤销' USING ERRCODE = 'GW403'; END $$")
        con.execute("CREATE TRIGGER gw_0_no_cancel BEFORE UPDATE ON d130110.assignment FOR EACH ROW "
                    "EXECUTE FUNCTION d130110.no_cancel()")
    with qtbot.waitSignal(wf.failed, timeout=WAIT) as failed, qtbot.waitSignal(window.projectLoaded, timeout=WAIT):
        wf.run(change_assignment, task, "cancel", reason="重复派发")
    message = failed.args[0]
    assert message.startswith("服务器拒绝了这项修改，界面已恢复为服务器上的当前状态") and "暂停撤销" in message
    qtbot.waitUntil(lambda: window.task_panel.frame is not None and len(window.task_panel.frame) == 1, timeout=WAIT)
    assert list(window.task_panel.frame["status"]) == ["assigned"]  # the server's state, not the cancel
    box = window._workflow_box
    assert box.isVisible() and "暂停撤销" in box.text()
    box.close()
    QApplication.processEvents()
