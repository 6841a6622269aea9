"""In the field: the basemap beneath the map, a replayed GPS position, tracks recorded and shown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from gridwatch.basemap.demo import demo_tiles
from gridwatch.storage import queries
from gridwatch.storage.tilepackages import write_mbtiles
from gridwatch.storage.tracks import read_tracks

from .test_main_window import canvas_pixels, wait_render, window  # noqa: F401 - the fixture

LOG = Path(__file__).resolve().parent.parent / "data" / "patrol_walk.nmea"


def _blue_dots(w) -> int:
    img = w.canvas.grab().toImage()
    img = img.convertToFormat(img.Format.Format_RGB32)
    a = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return int(((a[..., 2] < 20) & (abs(a[..., 1].astype(int) - 114) < 12) & (abs(a[..., 0].astype(int) - 178) < 12)).sum())


def _inspector_with_task_in_progress(w):
    tasks = queries.tasks(w.project_path)
    t = tasks[tasks["status"] == "in_progress"].iloc[0]
    people = w.inspectors.set_index("uuid")
    return people.loc[t["assignee_uuid"], "name"], t.to_dict()


def test_a_replayed_gps_position_shows_where_i_am_and_places_a_finding(window, qtbot):
    name, task = _inspector_with_task_in_progress(window)
    window.workflow.set_user(name)
    window.start_gps("replay", str(LOG))
    qtbot.waitUntil(lambda: window.gps.last is not None, timeout=10_000)
    lon, lat, acc, _t = window.gps.last
    assert abs(lon - 114.3286) < 0.001 and abs(lat - 38.1128) < 0.001 and 0 < acc < 50
    code, cell_name = window.cell_at(lon, lat)
    assert code in window.field_panel.gps_label.text() and "°N" in window.field_panel.gps_label.text()
    window.locate_me()
    wait_render(qtbot, window)
    vp = window.canvas.viewport
    assert abs(vp.cx - lon) < 1e-6 and abs(vp.cy - lat) < 1e-6
    with_dot = _blue_dots(window)
    window.gps_overlay.position, here = None, window.gps_overlay.position
    assert with_dot > _blue_dots(window) + 60  # the position and its accuracy circle
    window.gps_overlay.position = here
    # a finding recorded now is placed where I stand, not at the cell's centre
    window.record_finding(task)
    dialog = window._finding_dialog
    assert (dialog.longitude, dialog.latitude) == (lon, lat)
    dialog.reject()
    window.stop_gps()
    assert not window.gps.running and window.field_panel.gps_button.text() == "Start"


def test_a_basemap_is_drawn_beneath_the_layers(window, qtbot, tmp_path):
    window.layers_panel.set_visible("grid_cell", False)
    window.layers_panel.set_visible("village", False)
    wait_render(qtbot, window)
    bbox = tuple(window.data.layers["grid_cell"].extent)
    before = canvas_pixels(window)
    path = write_mbtiles(tmp_path / "demo.mbtiles", {"name": "演示", "format": "png", "minzoom": "9",
                                                     "maxzoom": "10"}, demo_tiles(bbox, (9, 10)))
    window.add_basemap_file(str(path))
    qtbot.waitUntil(lambda: window.field_panel.basemap_combo.count() == 2, timeout=20_000)
    assert window.field_panel.basemap_combo.currentIndex() == 1 and window.canvas.basemap is not None
    wait_render(qtbot, window)
    after = canvas_pixels(window)
    assert any(k.startswith("basemap:") for k in window.canvas._parts)
    background = (after[..., 0] == 246) & (after[..., 1] == 250) & (after[..., 2] == 250)
    assert background.mean() < 0.5 * ((before[..., 0] == 246) & (before[..., 1] == 250)).mean()
    # no basemap again: the plain background is back
    window.choose_basemap(0)
    wait_render(qtbot, window)
    assert window.canvas.basemap is None
    # a GCJ-02 package is refused with the reason in the panel
    gcj = write_mbtiles(tmp_path / "amap.mbtiles", {"name": "高德卫星", "format": "png", "minzoom": "9",
                                                   "maxzoom": "9"}, demo_tiles(bbox, (9,)))
    window.add_basemap_file(str(gcj))
    qtbot.waitUntil(lambda: "GCJ-02" in window.field_panel.basemap_note.text(), timeout=20_000)
    assert window.field_panel.basemap_combo.count() == 2


def test_a_track_is_recorded_while_my_task_is_in_progress_and_shown_per_day(window, qtbot):
    name, task = _inspector_with_task_in_progress(window)
    window.workflow.set_user(name)
    window._update_recording()
    assert window._recording_task is not None and "Recording" in window.field_panel.track_label.text()
    window.field_panel.interval.setValue(10)
    t0 = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(minutes=20)
    cells = window.data.layers["grid_cell"]
    c = cells.geoms[int(np.flatnonzero(cells.frame["code"].to_numpy() == task["cell_code"])[0])].representative_point()
    before = read_tracks(window.project_path)  # the sample's own tracks of the last two weeks
    for i in range(70):  # a fix every 5 s: every other one is kept
        window._on_position(c.x + i * 1e-5, c.y, 6.0, t0 + dt.timedelta(seconds=5 * i))
    window.stop_gps()  # writes what is left
    qtbot.waitUntil(lambda: len(read_tracks(window.project_path)) >= len(before) + 35, timeout=20_000)
    got = read_tracks(window.project_path)
    mine = got[~got["track_uuid"].isin(set(before["track_uuid"]))]
    assert len(got) == len(before) + 35 and len(mine) == 35 and mine["track_uuid"].nunique() == 1
    assert set(mine["assignment_uuid"]) == {task["uuid"]} and set(mine["inspector_uuid"]) == {task["assignee_uuid"]}
    assert (pd.Series(mine["recorded_at"]).diff().dropna() == pd.Timedelta(seconds=10)).all()
    # shown on the map for that person and day
    fp = window.field_panel
    fp.person_combo.setCurrentIndex(fp.person_combo.findData(task["assignee_uuid"]))
    day = t0.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    from PySide6.QtCore import QDate

    fp.day_edit.setDate(QDate(day.year, day.month, day.day))
    window.show_tracks()
    qtbot.waitUntil(lambda: len(window.gps_overlay.tracks) == 1, timeout=10_000)
    same_day = before[(before["inspector_uuid"] == task["assignee_uuid"])
                      & (before["recorded_at"].dt.tz_convert("Asia/Shanghai").dt.date == day)]
    assert f"{35 + len(same_day)} points" in fp.track_label.text()


def test_the_signin_check_flags_inspections_with_no_track_and_highlights_their_cells(window, qtbot):
    from PySide6.QtCore import QDate

    ins = queries.inspections(window.project_path)
    ins = ins[pd.to_datetime(ins["started_at"], utc=True).notna()]
    t = pd.to_datetime(ins["started_at"], utc=True, format="ISO8601")
    day = t.max().tz_convert("Asia/Shanghai").date()
    fp = window.field_panel
    fp.person_combo.setCurrentIndex(0)  # everybody
    fp.day_edit.setDate(QDate(day.year, day.month, day.day))
    window.signin_check()
    qtbot.waitUntil(lambda: getattr(window, "last_signin", None) is not None, timeout=20_000)
    out = window.last_signin
    # the sample's last day: most visits have their patrol track, a few do not
    flagged = out[~out["signed_in"]]
    assert len(out) >= 20 and 1 <= len(flagged) < len(out) / 2
    layer, idx = window.canvas.highlighted
    assert layer == "grid_cell" and len(idx) == flagged["cell_code"].nunique()
    assert str(len(out)) in fp.track_label.text()


def test_a_track_is_removed_from_the_dock_by_whom_the_policy_lets_and_undone(window, qtbot, monkeypatch):
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    tracks = read_tracks(window.project_path)
    first = tracks.iloc[0]
    person, track = first["inspector_uuid"], first["track_uuid"]
    n = int((tracks["track_uuid"] == track).sum())
    day = first["recorded_at"].tz_convert("Asia/Shanghai").date()
    people = window.inspectors
    fp = window.field_panel

    def choose(user_uuid: str) -> None:
        row = people[people["uuid"] == user_uuid].iloc[0]
        window.workflow.set_user(row["name"], row["uuid"])
        fp.person_combo.setCurrentIndex(fp.person_combo.findData(person))
        fp.day_edit.setDate(QDate(day.year, day.month, day.day))

    # another inspector may not remove it: nothing offered, and the dock says why
    choose(people[(people["role"] == "inspector") & (people["uuid"] != person)]["uuid"].iloc[0])
    assert len(window.removable_tracks()) == 0
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: said.append(a[2]))
    window.remove_track()
    assert said and "remove your own" in said[0]
    assert (read_tracks(window.project_path)["track_uuid"] == track).sum() == n
    # the inspector removes their own track of that day (asked which, when there are several)
    choose(person)
    offered = window.removable_tracks()
    assert track in set(offered["track_uuid"]) and set(offered["inspector_uuid"]) == {person}
    at = list(offered["track_uuid"]).index(track)
    asked: list[list[str]] = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (asked.append(a[3]), (a[3][at], True))[1])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.remove_track()
    qtbot.waitUntil(lambda: track not in set(read_tracks(window.project_path)["track_uuid"]), timeout=20_000)
    qtbot.waitUntil(lambda: f"Track removed: {n} points" in fp.track_label.text(), timeout=10_000)
    assert not asked or len(asked[0]) == len(offered)
    stack = window.workflow.undo_stack
    assert stack.count() == 1 and f"Remove patrol track ({n} points)" in stack.undoText()
    # Edit > Undo brings every point back
    stack.undo()
    qtbot.waitUntil(lambda: (read_tracks(window.project_path)["track_uuid"] == track).sum() == n, timeout=20_000)
    assert f"Track restored: {n} points" in fp.track_label.text()
