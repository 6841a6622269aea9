"""File > City view (issue 19): the districts of one PostGIS database side by side, read live."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTableWidget

from gridwatch.sync.pg.publish import publish
from gridwatch.ui.sync.city import CityDialog

from ..test_city_pg import _patrol

WAIT = 60_000  # ms


def find(parent, cls, name):
    w = parent.findChild(cls, name)
    assert w is not None, name
    return w


def test_city_view_lists_the_districts_and_ranks_their_townships(pg_cluster, sample_path, qtbot, tmp_path):
    busy, quiet = tmp_path / "busy.gpkg", tmp_path / "quiet.gpkg"
    shutil.copyfile(sample_path, busy)
    shutil.copyfile(sample_path, quiet)
    _patrol(busy)
    _patrol(quiet, skip_town="130110100")
    pg_cluster.create_database("cityui")
    publish(busy, pg_cluster.url("cityui"), district="busy")
    publish(quiet, pg_cluster.url("cityui"), district="quiet")
    dialog = CityDialog(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show()
    address, month = find(dialog, QLineEdit, "cityAddress"), find(dialog, QLineEdit, "cityMonth")
    show, error = find(dialog, QPushButton, "cityShow"), find(dialog, QLabel, "cityError")
    # not a server, then not a month: one line each, nothing read
    address.setText(str(busy))
    qtbot.mouseClick(show, Qt.MouseButton.LeftButton)
    assert error.isVisible() and "postgresql://" in error.text()
    address.setText(pg_cluster.url("cityui"))
    month.setText("2025-13")
    qtbot.mouseClick(show, Qt.MouseButton.LeftButton)
    assert error.isVisible() and "YYYY-MM" in error.text()
    month.setText("2025-11")
    qtbot.mouseClick(show, Qt.MouseButton.LeftButton)
    districts, towns = find(dialog, QTableWidget, "cityDistricts"), find(dialog, QTableWidget, "cityTownships")
    qtbot.waitUntil(lambda: districts.rowCount() == 2, timeout=WAIT)
    assert not error.isVisible()
    assert [districts.item(i, 2).text() for i in range(2)] == ["busy", "quiet"]
    assert districts.item(0, 1).text() == "鹿泉区" and districts.item(0, 0).text() == "1"
    assert float(districts.item(0, 5).text()) > float(districts.item(1, 5).text())  # coverage
    assert towns.rowCount() == 26
    assert towns.item(0, 0).text() == "1="  # the twins of the two copies score the same: a shared rank
    assert "2025-11" in find(dialog, QLabel, "cityStatus").text()
    # a server that is not there: said in the dialog, which stays usable
    address.setText(f"postgresql://x@/nowhere?host={tmp_path}")
    qtbot.mouseClick(show, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: error.isVisible(), timeout=WAIT)
    assert "cannot connect" in error.text() and show.isEnabled()
