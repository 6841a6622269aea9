"""A big fire-point layer drawn from the file (issue 18): a click, a period, a list's fire points and the
attribute table never read every fire point on the GUI thread.  The bundled sample's 129 fire points stand in
for a million: the layer is drawn from the stored counts from 50 points on (instead of 100,000)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from contextlib import closing

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gridwatch.app.periods import Period
from gridwatch.mapview.deferred import DeferredPointLayer
from gridwatch.times import BEIJING
from gridwatch.ui.texts import table_header, value_title

from .test_main_window import canvas_pixels, screen_pos, wait_render
from .test_map_highlight import cyan_pixels

WAIT = 30_000


def fire_points(path) -> list[dict]:
    """Every fire point of the file, read here with plain SQLite: fid, uuid, lon/lat, time, status."""
    with closing(sqlite3.connect(path)) as con:
        rows = con.execute("SELECT fid, uuid, geom, detected_utc, status FROM fire_point ORDER BY fid").fetchall()
    out = []
    for fid, uuid, blob, when, status in rows:
        x, y = np.frombuffer(blob[8:], "<f8", count=2, offset=5)  # GeoPackage header, then a WKB point
        out.append({"fid": fid, "uuid": uuid, "x": float(x), "y": float(y), "status": status,
                    "time": dt.datetime.fromisoformat(when.replace("Z", "+00:00"))})
    return out


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, sample_copy):
    monkeypatch.setenv("GRIDWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("gridwatch.mapview.data.DENSITY_BINS_FROM", 50)  # the sample's points count as many
    from gridwatch.ui import i18n
    from gridwatch.ui.app import create_app, make_settings
    from gridwatch.ui.window.main_window import MainWindow

    create_app()
    i18n.install("en")
    settings = make_settings()
    settings.setValue("ask_user_on_start", False)
    settings.setValue("period", "all")
    settings.sync()
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1300, 850)
    w.show()
    w.open_project(sample_copy)
    qtbot.waitUntil(lambda: w.data is not None, timeout=WAIT)
    wait_render(qtbot, w)
    layer = w.data.layers["fire_point"]
    assert isinstance(layer, DeferredPointLayer) and not layer.loaded
    yield w
    w.close()
    i18n.install("en")


def reads_since(store, n: int) -> list[tuple[str, int, str]]:
    return list(store.reads)[n:]


def lonely_point(points: list[dict]) -> dict:
    """The fire point farthest from any other (a click on it can only mean it)."""
    xy = np.array([[p["x"], p["y"]] for p in points])
    d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(d, np.inf)
    return points[int(np.argmax(d.min(axis=1)))]


def click_on(qtbot, w, lon: float, lat: float) -> None:
    qtbot.mouseClick(w.canvas, Qt.MouseButton.LeftButton, pos=screen_pos(w, lon, lat))


def test_a_click_reads_only_the_points_of_its_box_on_a_worker_and_identifies_the_point(window, qtbot,
                                                                                      sample_copy):
    w = window
    layer = w.data.layers["fire_point"]
    store = layer.store
    points = fire_points(sample_copy)
    target = lonely_point(points)
    w.canvas.zoom_to((target["x"] - 0.01, target["y"] - 0.01, target["x"] + 0.01, target["y"] + 0.01))
    wait_render(qtbot, w)
    before = len(store.reads)
    click_on(qtbot, w, target["x"] + 2 * w.canvas.viewport.res, target["y"])  # 2 px beside it: still a hit
    qtbot.waitUntil(lambda: w.identified is not None, timeout=WAIT)

    assert w.identified == ("fire_point", points.index(target))  # its position in the layer (fid order)
    assert w.identify_panel._uuid == target["uuid"]
    assert w.identify_panel.values()[table_header("fire_point", "status")] == value_title(target["status"])
    # what it read: the points of one small box around the click, on the identify worker
    tol = w.canvas.click_tolerance()
    lon, lat = target["x"] + 2 * w.canvas.viewport.res, target["y"]
    in_box = sum(1 for p in points if abs(p["x"] - lon) <= tol and abs(p["y"] - lat) <= tol)
    read = reads_since(store, before)
    assert [(what, rows) for what, rows, _ in read] == [("near", in_box)]
    assert in_box < len(points) / 20
    assert read[0][2].startswith("gridwatch-identify") and read[0][2] != threading.main_thread().name
    assert not layer.loaded  # no point was read besides them
    # the identified point is ringed on the map
    wait_render(qtbot, w)
    assert w.canvas.highlighted[0] == "fire_point"
    assert cyan_pixels(w) > 20

    # an empty spot: nothing identified, the highlight goes (the cells below are hidden)
    w.layers_panel.set_visible("grid_cell", False)
    for name in ("village", "township", "fireworks_ban_zone", "coal_ban_zone"):
        w.layers_panel.set_visible(name, False)
    click_on(qtbot, w, target["x"] + 0.006, target["y"] + 0.006)
    qtbot.waitUntil(lambda: w.identified is None, timeout=WAIT)
    assert w.canvas.highlighted is None


def test_the_position_a_click_gives_is_the_row_of_the_whole_layer(window, qtbot, sample_copy):
    """What a click finds is the same point once every point is read (the attribute table, on a worker)."""
    w = window
    layer = w.data.layers["fire_point"]
    points = fire_points(sample_copy)
    target = lonely_point(points)
    w.canvas.zoom_to((target["x"] - 0.01, target["y"] - 0.01, target["x"] + 0.01, target["y"] + 0.01))
    wait_render(qtbot, w)
    click_on(qtbot, w, target["x"], target["y"])
    qtbot.waitUntil(lambda: w.identified is not None, timeout=WAIT)
    _, index = w.identified
    w.show_table("fire_point")  # every point: read on a worker, then the table
    assert not layer.loaded
    qtbot.waitUntil(lambda: layer.loaded and w.table_dock.isVisible(), timeout=WAIT)
    assert layer.frame["uuid"].iloc[index] == target["uuid"]
    assert len(layer.frame) == len(points)
    # clicks now hit the points in memory: the same answer
    w.identified = None
    click_on(qtbot, w, target["x"], target["y"])
    qtbot.waitUntil(lambda: w.identified is not None, timeout=WAIT)
    assert w.identified == ("fire_point", index)


def test_a_click_does_not_identify_a_fire_point_the_period_hides(window, qtbot, sample_copy):
    w = window
    points = fire_points(sample_copy)
    target = lonely_point(points)
    day = target["time"].astimezone(BEIJING).date()
    w.time_bar.control.set_period(Period("custom", day + dt.timedelta(days=1), day + dt.timedelta(days=3)))
    w.canvas.zoom_to((target["x"] - 0.01, target["y"] - 0.01, target["x"] + 0.01, target["y"] + 0.01))
    wait_render(qtbot, w)
    click_on(qtbot, w, target["x"], target["y"])
    qtbot.waitUntil(lambda: w.identified is not None, timeout=WAIT)
    assert w.identified[0] == "grid_cell"  # the cell under it: the point is not on the map this period
    w.time_bar.control.set_period(Period("custom", day, day))
    wait_render(qtbot, w)
    click_on(qtbot, w, target["x"], target["y"])
    qtbot.waitUntil(lambda: w.identified[0] == "fire_point", timeout=WAIT)
    assert w.identify_panel._uuid == target["uuid"]


def test_a_period_is_read_on_a_worker_and_the_map_shows_it_when_it_is_in(window, qtbot, sample_copy):
    w = window
    layer = w.data.layers["fire_point"]
    store = layer.store
    points = fire_points(sample_copy)
    days = sorted(p["time"].astimezone(BEIJING).date() for p in points)
    first, last = days[len(days) // 4], days[len(days) // 2]
    w.canvas.zoom_full()
    wait_render(qtbot, w)
    assert layer.shown_window is None  # "all": the stored counts
    drawn_before = canvas_pixels(w)
    before = len(store.reads)

    period = Period("custom", first, last)
    w.time_bar.control.set_period(period)
    window_ = period.window()
    # the handler only dispatched the read (the map draws what it drew until it is in)
    assert layer.window == window_ and layer.pending_window == window_
    qtbot.waitUntil(lambda: layer.pending_window is None, timeout=WAIT)
    wait_render(qtbot, w)
    assert layer.shown_window == window_
    read = reads_since(store, before)
    want = sum(1 for p in points if window_[0] <= p["time"] < window_[1])
    assert [(what, rows) for what, rows, _ in read if what == "window"] == [("window", want)]
    assert 0 < want < len(points)
    assert [who for what, _, who in read if what == "window"][0].startswith("gridwatch-period-points")
    assert threading.main_thread().name not in [who for _, _, who in read]  # nothing read on the GUI thread
    assert not np.array_equal(canvas_pixels(w), drawn_before)  # the period's points, not all of them
    frame, xy = store.cached_window(window_)
    assert sorted(map(tuple, xy)) == sorted((p["x"], p["y"]) for p in points if window_[0] <= p["time"] < window_[1])

    # back to a period already read: drawn at once, nothing read again
    w.time_bar.control.set_period(Period("all"))
    w.time_bar.control.set_period(period)
    assert layer.pending_window is None
    wait_render(qtbot, w)
    assert [what for what, _, _ in reads_since(store, before) if what == "window"] == ["window"]
    assert not layer.loaded


def test_a_newer_period_overtakes_one_being_read(window, qtbot, sample_copy):
    w = window
    layer = w.data.layers["fire_point"]
    points = fire_points(sample_copy)
    days = sorted(p["time"].astimezone(BEIJING).date() for p in points)
    one, two = Period("custom", days[0], days[len(days) // 2]), Period("custom", days[len(days) // 2], days[-1])
    w.time_bar.control.set_period(one)
    w.time_bar.control.set_period(two)
    assert layer.pending_window == two.window()
    qtbot.waitUntil(lambda: layer.pending_window is None, timeout=WAIT)
    wait_render(qtbot, w)
    assert layer.shown_window == two.window()


def test_fire_points_shown_from_a_list_are_found_on_a_worker_and_highlighted(window, qtbot, sample_copy):
    w = window
    layer = w.data.layers["fire_point"]
    points = fire_points(sample_copy)
    chosen = [points[3], points[40], points[100]]
    assert w.show_on_map("fire_point", [p["uuid"] for p in chosen], zoom=True)
    qtbot.waitUntil(lambda: w.canvas.highlighted is not None, timeout=WAIT)
    layer_name, idx = w.canvas.highlighted
    assert layer_name == "fire_point" and idx.tolist() == [3, 40, 100]
    wait_render(qtbot, w)
    assert cyan_pixels(w) > 50
    xs, ys = [p["x"] for p in chosen], [p["y"] for p in chosen]
    minx, miny, maxx, maxy = w.canvas.viewport.extent
    assert minx <= min(xs) and max(xs) <= maxx and miny <= min(ys) and max(ys) <= maxy  # zoomed to them
    assert not layer.loaded
    assert [what for what, _, _ in layer.store.reads if what == "rows"] == ["rows"]


def test_while_a_period_is_read_the_map_draws_what_it_drew_before(qapp, sample_copy):
    from gridwatch.mapview.stored import DensityStore
    from gridwatch.storage import Project

    store = DensityStore(sample_copy)
    layer = DeferredPointLayer.open(Project.open(sample_copy), "fire_point", store)
    points = fire_points(sample_copy)
    times = sorted(p["time"] for p in points)
    one = (times[10], times[60])
    two = (times[50], times[120])
    # every point shown (the stored counts), then a period being read: still the stored counts, nothing read
    layer.set_window(one)
    layer.pending_window = one
    assert layer.drawn_points() is None and len(store.reads) == 0
    # its points are in: drawn
    store.window_points(one)
    frame, xy = layer.drawn_points()
    assert len(xy) == sum(1 for t in times if one[0] <= t < one[1]) and layer.shown_window == one
    # the next period being read: the previous one's points stand in; read, its own
    layer.set_window(two)
    layer.pending_window = two
    assert len(layer.drawn_points()[1]) == len(xy) and len(store.reads) == 1
    layer.pending_window = None  # (a failed read: the map reads it itself)
    assert len(layer.drawn_points()[1]) == sum(1 for t in times if two[0] <= t < two[1])
    assert [what for what, _, _ in store.reads] == ["window", "window"]


def test_an_edit_of_a_fire_point_recolours_the_period_read_without_reading_it_again(qapp, sample_copy):
    from gridwatch.mapview.data import update_values
    from gridwatch.mapview.stored import DensityStore
    from gridwatch.storage import Project
    from gridwatch.storage.gpkg import connect_readwrite

    store = DensityStore(sample_copy)
    layer = DeferredPointLayer.open(Project.open(sample_copy), "fire_point", store)
    points = fire_points(sample_copy)
    times = sorted(p["time"] for p in points)
    window = (times[0], times[-1] + dt.timedelta(seconds=1))
    layer.set_window(window)
    frame, _ = layer.drawn_points()
    target = next(p for p in points if p["status"] == "unverified")
    at = int(np.flatnonzero(frame["fid"].to_numpy() == target["fid"])[0])
    assert frame["status"].iloc[at] == "unverified"
    index = points.index(target)
    assert layer.row(index)["status"] == "unverified"  # read by itself (and kept)
    # a fire check's result written to the file, then the window's edit handler
    with closing(connect_readwrite(sample_copy)) as con, con:
        con.execute("UPDATE fire_point SET status = 'no_burning' WHERE fid = ?", (target["fid"],))
    before = len(store.reads)
    assert update_values(layer, "status", {target["uuid"]: "no_burning"}) == 1
    frame, _ = layer.drawn_points()
    assert frame["status"].iloc[at] == "no_burning"
    assert (frame["status"] == "no_burning").sum() == sum(p["status"] == "no_burning" for p in points) + 1
    assert layer.row(index)["status"] == "no_burning"  # read again
    assert [what for what, _, _ in reads_since(store, before)] == ["rows"] and not layer.loaded


def test_a_project_opens_with_the_periods_points_in_its_first_paint(window, qtbot, sample_copy):
    """Nothing drawn before could stand in for the period: the first paint reads its points itself (on a
    render worker), not the stored counts of every point first."""
    w = window
    points = fire_points(sample_copy)
    days = sorted(p["time"].astimezone(BEIJING).date() for p in points)
    period = Period("custom", days[len(days) // 3], days[2 * len(days) // 3])
    w.time_bar.control.set_period(period)
    old = w.data
    w.reload_project()
    qtbot.waitUntil(lambda: w.data is not old, timeout=WAIT)
    layer = w.data.layers["fire_point"]
    assert layer.window == period.window() and layer.pending_window is None
    wait_render(qtbot, w)
    assert layer.shown_window == period.window()
    # read by the render job's thread (the layers are drawn there), never by the GUI thread
    assert [who for what, _, who in layer.store.reads if what == "window"][0].startswith("gridwatch-render")
