"""File > Open server district (issue 19): a PostGIS district in the window, live and read-only."""

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
    sup = who["supervisor"]
    address = pg_cluster.url("liveui", user=sup.name)
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
    laptop = checkout(address, tmp_path / "laptop.gpkg", sup.name)
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
