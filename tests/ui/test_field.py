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
    for i in range(70):  # a fix every 5 s: every other one is kept
        window._on_position(c.x + i * 1e-5, c.y, 6.0, t0 + dt.timedelta(seconds=5 * i))
    window.stop_gps()  # writes what is left
    qtbot.waitUntil(lambda: len(read_tracks(window.project_path)) >= 35, timeout=20_000)
    got = read_tracks(window.project_path)
    mine = got[got["source"] == "gps"]
    assert len(mine) == 35 and mine["track_uuid"].nunique() == 1
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
    assert "35" in fp.track_label.text()


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
    assert len(out) >= 1 and not out["signed_in"].any()  # the sample has no tracks: every visit is flagged
    layer, idx = window.canvas.highlighted
    assert layer == "grid_cell" and len(idx) == out["cell_code"].nunique()
    assert str(len(out)) in fp.track_label.text()
