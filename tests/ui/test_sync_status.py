"""Pending edits and the last sync always in view, and a warning before closing with edits unsynced
for more than a day (a real working copy of a real shared folder)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from gridwatch.app.syncstate import sync_status
from gridwatch.storage import Project
from gridwatch.storage.workflow import Actor, create_assignments
from gridwatch.sync import checkout, sync

from ..conftest import SAMPLE
from .test_main_window import wait_render


@pytest.fixture
def laptop(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(SAMPLE, shared)
    people = Project.open(shared).read_table("inspector")
    row = people[people["role"] == "supervisor"].iloc[0]
    who = Actor(str(row["uuid"]), str(row["name"]), "supervisor")
    (tmp_path / "laptop").mkdir()
    return checkout(shared, tmp_path / "laptop" / "district.gpkg", who.name), who


def test_pending_edits_are_counted_per_action_since_the_last_sync(laptop):
    path, who = laptop
    st = sync_status(path)
    assert st.working_copy and st.pending == 0 and st.last_sync is None and not st.has_pending
    codes = Project.open(path).read_layer("grid_cell")["code"].iloc[:30].tolist()
    create_assignments(path, who, codes, "patrol")  # 30 tasks, one action
    create_assignments(path, who, codes[:2], "coal_ban")
    st = sync_status(path)
    assert st.pending == 2 and st.has_pending and not st.stale()
    sync(path)
    st = sync_status(path)
    assert st.pending == 0 and not st.has_pending and st.last_sync is not None
    assert st.last_result["sent"] >= 32 and st.last_result["user_name"] == who.name
    create_assignments(path, who, codes[:1], "patrol")
    st = sync_status(path)
    now = dt.datetime.now(dt.timezone.utc)
    assert st.pending == 1 and not st.stale(now)
    assert st.stale(now + dt.timedelta(hours=25)) and not st.stale(now + dt.timedelta(hours=25), dt.timedelta(days=2))
    assert not sync_status(SAMPLE).working_copy  # a project that is not a working copy


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, laptop):
    path, who = laptop
    monkeypatch.setenv("GRIDWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    from gridwatch.ui import i18n
    from gridwatch.ui.app import create_app, create_window, make_settings

    create_app()
    i18n.install("en")
    settings = make_settings()
    settings.setValue("user", who.name)
    settings.sync()
    w = create_window(path)
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    qtbot.waitUntil(lambda: w.data is not None, timeout=30_000)
    wait_render(qtbot, w)
    yield w, path, who
    w._close_confirmed = True
    w.close()


def test_the_status_bar_shows_pending_edits_and_the_last_sync(window, qtbot):
    w, path, who = window
    label = w.sync_label
    assert label.isVisible() and "Everything synced" in label.text() and "never synced" in label.text()
    code = str(w.data.layers["grid_cell"].frame["code"].iloc[5])
    with qtbot.waitSignal(w.workflow.changed, timeout=10_000):
        w.workflow.run(create_assignments, [code], "patrol")
    qtbot.waitUntil(lambda: "1 edit(s) not yet synced" in label.text(), timeout=5000)  # just after the edit
    sync(path)
    w.refresh_sync_status()
    assert "Everything synced" in label.text() and "last sync" in label.text() and "(sent 2, received 0)" in label.text()  # the task and its audit row
    w.note_sync_result("the shared folder is not reachable")
    assert "last attempt failed" in label.text() and "not reachable" in label.toolTip()
    w.note_sync_result(None)
    assert "failed" not in label.text()


def test_closing_with_edits_unsynced_for_a_day_asks_first(window, qtbot):
    w, path, who = window
    code = str(w.data.layers["grid_cell"].frame["code"].iloc[5])
    create_assignments(path, Actor(who.uuid, who.name, who.role), [code], "patrol")
    w.refresh_sync_status()
    assert "1 edit(s) not yet synced" in w.sync_label.text()
    w.close()  # the edit is fresh: no question
    assert not w.isVisible()
    w.show()
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=30)
    w.clock = lambda: later  # a day and more later, still not synced
    w.refresh_sync_status()
    assert "font-weight" in w.sync_label.styleSheet() and "b71c1c" in w.sync_label.styleSheet()
    w.close()
    assert w.isVisible()  # not closed: asked first
    box = w._close_box
    assert box.isVisible() and "1 edit" in box.text() and "1 day" in box.text()
    from PySide6.QtWidgets import QPushButton

    box.findChild(QPushButton, "closeAnyway").click()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=5000)
