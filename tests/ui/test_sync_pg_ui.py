"""File > Check out accepts a PostGIS server's address (issue 19), and File > Sync syncs with it."""

from __future__ import annotations

import json
import socket
import sqlite3
from contextlib import closing

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from gridwatch.sync import sync_dir
from gridwatch.sync.pg.publish import publish
from gridwatch.ui.sync.dialogs import CheckoutDialog, SyncDialog


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The sample district without its two months of work: these tests count the rows they make."""
    from ..conftest import bare_sample_in

    return bare_sample_in(tmp_path_factory.mktemp("bare"))

WAIT = 30_000  # ms


def find(parent, cls, name):
    w = parent.findChild(cls, name)
    assert w is not None, name
    return w


def test_check_out_from_a_server_address_and_sync(pg_cluster, sample_path, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    pg_cluster.create_database("ui")
    publish(sample_path, pg_cluster.url("ui"), logins=True)
    with closing(sqlite3.connect(sample_path)) as con:
        sup = con.execute("SELECT name FROM inspector WHERE role = 'supervisor' ORDER BY name").fetchone()[0]
        active = con.execute("SELECT COUNT(*) FROM inspector WHERE active IS NULL OR active = 1").fetchone()[0]
    dialog = CheckoutDialog(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show()
    # a server that is not there: one line in the dialog, nothing to choose
    find(dialog, QLineEdit, "checkoutShared").setText(f"postgresql://x@/nowhere?host={tmp_path}")
    dialog.load_people()
    error = find(dialog, QLabel, "checkoutError")
    qtbot.waitUntil(lambda: not dialog.reading_people, timeout=WAIT)
    assert error.isVisible() and "cannot connect" in error.text()
    # the district on the server: its people, the working copy named after the district
    find(dialog, QLineEdit, "checkoutShared").setText(pg_cluster.url("ui", user=sup))
    dialog.load_people()
    qtbot.waitUntil(lambda: not dialog.reading_people, timeout=WAIT)
    assert not error.isVisible()
    combo = find(dialog, QComboBox, "checkoutUser")
    assert combo.count() == active  # the district's active people, read from the server
    combo.setCurrentIndex(combo.findData(sup))
    assert find(dialog, QLineEdit, "checkoutLocal").text().endswith("d130110.gpkg")
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    with qtbot.waitSignal(dialog.checkedOut, timeout=WAIT) as got:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    local = got.args[0]
    state = json.loads((sync_dir(local) / "state.json").read_text(encoding="utf-8"))
    assert state["kind"] == "postgis" and state["user"] == sup and "district=d130110" in state["shared"]
    sync_dialog = SyncDialog(local)
    qtbot.addWidget(sync_dialog)
    sync_dialog.show()
    with qtbot.waitSignal(sync_dialog.synced, timeout=WAIT) as done:
        sync_dialog.start()
    assert done.args[0].refused == 0


def test_a_server_that_does_not_answer_leaves_the_checkout_dialog_usable(qtbot, tmp_path):
    """The people of a server are read on a worker: while a server keeps the connection waiting (here a
    socket that accepts and never speaks), the dialog stays responsive, says what it is doing and cannot
    check out; when the server gives up, one line says why."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.settimeout(30)
    dialog = CheckoutDialog(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show()
    find(dialog, QLineEdit, "checkoutShared").setText(f"postgresql://x@127.0.0.1:{srv.getsockname()[1]}/db")
    dialog.load_people()
    assert dialog.reading_people  # back on the GUI thread while the server is asked
    conn, _ = srv.accept()  # the worker's connection, left waiting
    qtbot.wait(300)  # the dialog keeps handling events meanwhile
    assert dialog.reading_people
    assert "Reading the people" in find(dialog, QLabel, "checkoutStatus").text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    find(dialog, QLineEdit, "checkoutLocal").setText(str(tmp_path / "typed.gpkg"))  # typing still works
    conn.close()
    srv.close()
    qtbot.waitUntil(lambda: not dialog.reading_people, timeout=WAIT)
    error = find(dialog, QLabel, "checkoutError")
    assert error.isVisible() and error.text().startswith("Cannot read the people of this server's district:")
    assert find(dialog, QLabel, "checkoutStatus").text() == ""
    assert find(dialog, QComboBox, "checkoutUser").count() == 0
