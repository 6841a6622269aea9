"""A heavy-pollution warning on the real main window's map (issue 17): a frame in the warning's colour, a
banner with its level and the site checks so far, each site under way marked checked or not; a supervisor
ends it from the menu and its summary is kept; the office's upkeep on opening makes begun campaign rounds."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import numpy as np
from PySide6.QtWidgets import QMessageBox

from gridwatch.layers.palette import WARNING_LEVEL
from gridwatch.storage import plans
from gridwatch.storage.warning_end import stored_summaries
from gridwatch.storage.workflow import find_actor

from .test_main_window import window  # noqa: F401 - the real main window fixture

WAIT = 30_000


def rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


def grab(w) -> np.ndarray:
    img = w.canvas.grab().toImage().convertToFormat(w.canvas.grab().toImage().Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return arr[:, : img.width(), 2::-1].copy()  # B, G, R -> R, G, B


def near(arr: np.ndarray, rgb, tol: int = 12) -> np.ndarray:
    return (np.abs(arr.astype(int) - np.array(rgb[:3])) <= tol).all(axis=-1)


def test_an_orange_warning_on_the_map_and_ending_it(window, qtbot, monkeypatch):
    path = window.project_path
    sup_name = rows(path, "SELECT name FROM inspector WHERE role = 'supervisor' ORDER BY name")[0][0]
    window.workflow.set_user(sup_name)
    sup = find_actor(path, sup_name)
    now = dt.datetime.now(dt.timezone.utc)
    edit = plans.declare_warning(path, sup, "orange", now - dt.timedelta(hours=2), now + dt.timedelta(days=1))
    key = edit.created("pollution_warning")[0]
    n = len(edit.created("assignment"))
    assert n > 0 and not near(grab(window), WARNING_LEVEL["orange"]).any()
    window.show_warning()
    qtbot.waitUntil(lambda: window.warning_overlay.state is not None, timeout=WAIT)
    state = window.warning_overlay.state
    assert state.level == "orange" and len(state.sites) == n and not any(c for _, _, c in state.sites)
    assert f"Sites under way: {n}, checked 0, unchecked {n}" in state.banner
    assert window.warning_label.text().startswith("⚠ Orange warning")
    pixels = grab(window)
    h, w = pixels.shape[:2]
    frame = near(pixels, WARNING_LEVEL["orange"])
    # the frame: the outer 6 pixels of every edge are orange (the banner adds more at the top)
    assert frame[h // 2, 1] and frame[h // 2, w - 2] and frame[h - 2, w // 2] and frame[1, w // 4]
    assert frame.sum() > 2 * 6 * (w + h) * 0.9
    # one site's check is done: it turns green on the map, the banner counts it
    target = rows(path, "SELECT target_uuid FROM assignment WHERE kind = 'construction_dust' AND status = 'assigned' "
                        "ORDER BY target_uuid LIMIT 1")[0][0]
    with closing(sqlite3.connect(path)) as con, con:
        con.execute("UPDATE assignment SET status = 'done', finished_at = ? WHERE target_uuid = ? AND kind = "
                    "'construction_dust'", (now.strftime("%Y-%m-%dT%H:%M:%S.000Z"), target))
    window.show_warning()
    qtbot.waitUntil(lambda: "checked 1," in window.warning_overlay.state.banner, timeout=WAIT)
    assert sum(1 for _, _, c in window.warning_overlay.state.sites if c) == 1
    # the supervisor ends it from the menu: the frame goes, the summary is kept
    window._update_actions()
    assert window.act_end_warning.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.act_end_warning.trigger()
    qtbot.waitUntil(lambda: key in stored_summaries(path), timeout=WAIT)
    qtbot.waitUntil(lambda: window.warning_overlay.state is None and not window.warning_label.isVisible(),
                    timeout=WAIT)
    s = stored_summaries(path)[key]
    assert (s["sites_under_way"], s["checked"], s["unchecked"], s["ended_early"]) == (n, 1, n - 1, True)
    assert not window.warning_label.isVisible() and not near(grab(window), WARNING_LEVEL["orange"])[h // 2, 1]
    window._update_actions()
    assert not window.act_end_warning.isEnabled()


def test_an_inspector_cannot_end_it(window, qtbot):
    path = window.project_path
    sup = find_actor(path, rows(path, "SELECT name FROM inspector WHERE role = 'supervisor' LIMIT 1")[0][0])
    now = dt.datetime.now(dt.timezone.utc)
    plans.declare_warning(path, sup, "red", now - dt.timedelta(hours=1), now + dt.timedelta(hours=5))
    window.workflow.set_user(rows(path, "SELECT name FROM inspector WHERE role = 'inspector' LIMIT 1")[0][0])
    window.show_warning()
    qtbot.waitUntil(lambda: window.warning_overlay.state is not None, timeout=WAIT)
    window._update_actions()
    assert not window.act_end_warning.isEnabled()
    assert "declare heavy-pollution warnings" in window.act_end_warning.toolTip()
    assert near(grab(window), WARNING_LEVEL["red"]).sum() > 1000


def test_opening_the_office_copy_makes_the_rounds_that_began(window, qtbot):
    from gridwatch.storage.campaigns import start_campaign

    path = window.project_path
    sup_name = rows(path, "SELECT name FROM inspector WHERE role = 'supervisor' ORDER BY name")[0][0]
    window.workflow.set_user(sup_name)
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    edit = start_campaign(path, find_actor(path, sup_name), "winter_coal_ban", first_day=today - dt.timedelta(days=7),
                          last_day=today + dt.timedelta(days=6),
                          now=dt.datetime.combine(today - dt.timedelta(days=7), dt.time(9), dt.timezone.utc))
    key, n = edit.created("campaign")[0], len(edit.created("assignment"))
    window.reload_project()  # as after a sync
    qtbot.waitUntil(lambda: rows(path, "SELECT COUNT(*) FROM assignment WHERE target_uuid = ?", (key,)) == [(2 * n,)],
                    timeout=WAIT)
    qtbot.waitUntil(lambda: "created" in window.statusBar().currentMessage(), timeout=WAIT)
