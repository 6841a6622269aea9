"""A big fire-point layer drawn from the project's stored counts and the view's own points looks the same as
the layer held in memory, through the time filter, without reading every point (issue 18)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from gridwatch.layers import LAYERS
from gridwatch.mapview import Viewport
from gridwatch.mapview.data import read_point_layer, set_filter
from gridwatch.mapview.deferred import DeferredPointLayer
from gridwatch.mapview.stored import DensityStore
from gridwatch.storage import Project
from gridwatch.times import in_window
from gridwatch.ui.map.render import render_points


def pixels(parts) -> list[bytes]:
    out = []
    for img, opacity in parts:
        out.append(bytes(img.constBits()) + str(opacity).encode())
    return out


def test_points_from_the_view_draw_the_same_markers_and_clusters_as_points_in_memory(qapp, sample_copy):
    project = Project.open(sample_copy)
    whole = read_point_layer(project, "fire_point")
    lazy = DeferredPointLayer.open(project, "fire_point", DensityStore(sample_copy))
    assert not lazy.loaded and lazy.count == whole.count
    style = LAYERS["fire_point"].style
    xy = whole.point_xy
    busiest = xy[np.argmin(np.hypot(xy[:, 0] - np.median(xy[:, 0]), xy[:, 1] - np.median(xy[:, 1])))]
    views = [
        Viewport.for_bounds((xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max()), 1366, 768),  # clusters
        Viewport.for_bounds((busiest[0] - 0.02, busiest[1] - 0.012, busiest[0] + 0.02, busiest[1] + 0.012), 1366, 768),
    ]
    times = pd.to_datetime(whole.column("detected_utc").astype(object), utc=True)
    last = times.max().to_pydatetime()
    for window in (None, (last - dt.timedelta(days=20, hours=7), last - dt.timedelta(days=2))):
        set_filter(whole, in_window(whole.column("detected_utc"), window) if window else None)
        lazy.set_window(window)
        for vp in views:
            mine, theirs = render_points(lazy, vp, style, None), render_points(whole, vp, style, None)
            assert len(mine) == len(theirs) == 1
            assert pixels(mine) == pixels(theirs)
    assert not lazy.loaded  # drawing never read every point
    # what needs every point reads them then, with the window applied
    assert len(lazy.frame) == whole.count and lazy.loaded
    assert np.array_equal(lazy.visible, whole.visible) and lazy.visible.sum() < whole.count


def test_a_crowded_view_is_a_density_raster_from_the_stored_counts(qapp, sample_copy):
    from gridwatch.storage import density

    project = Project.open(sample_copy)
    store = DensityStore(sample_copy)
    lazy = DeferredPointLayer.open(project, "fire_point", store)
    style = LAYERS["fire_point"].style
    bins = store.bins(3)
    vp = Viewport.for_bounds((bins.xy[:, 0].min(), bins.xy[:, 1].min(), bins.xy[:, 0].max(), bins.xy[:, 1].max()),
                             1366, 768)
    (img, _), = render_points(lazy, vp, style, None, force_density=True)
    # the raster is at the density cell's resolution (3 px), with a coloured cell over each occupied square
    assert (img.width(), img.height()) == ((1366 + 2) // 3, (768 + 2) // 3)
    arr = np.frombuffer(bytes(img.constBits()), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    sx, ox, sy, oy = vp.affine()
    chosen = store.level_for(3 * vp.res)
    fine = store.bins(chosen)
    px = ((fine.xy[:, 0] * sx + ox) // 3).astype(int)
    py = ((fine.xy[:, 1] * sy + oy) // 3).astype(int)
    inside = (px >= 0) & (px < img.width()) & (py >= 0) & (py < img.height())
    assert (arr[py[inside], px[inside], 3] > 0).all()
    # 0.39 degrees across 1366 px: a 3 px cell is 0.00086 degrees, finer than every level's square, so the
    # finest level (1/1024 degree) draws it
    assert 3 * vp.res < 1 / 1024 and chosen == 1 and density.LEVEL_CELLS[chosen] == 1 / 1024
    assert not lazy.loaded


def test_levels_in_between_draw_a_zoomed_density_from_squares_twice_as_wide(qapp, sample_copy, monkeypatch):
    from gridwatch.storage import density

    store = DensityStore(sample_copy)
    project = Project.open(sample_copy)
    lazy = DeferredPointLayer.open(project, "fire_point", store)
    reads: list[int] = []
    real = density.read_level
    monkeypatch.setattr(density, "read_level", lambda con, level: reads.append(level) or real(con, level))
    fine, cell = store.bins(1), density.LEVEL_CELLS[1]
    # A view whose 3 px density cells are 2.5 of the finest squares wide (the next level's are 4)
    x0, y0 = float(np.median(fine.xy[:, 0])), float(np.median(fine.xy[:, 1]))
    res = 2.5 * cell / 3
    vp = Viewport.for_bounds((x0 - 683 * res, y0 - 384 * res, x0 + 683 * res, y0 + 384 * res), 1366, 768)
    assert 2 * cell <= 3 * vp.res < 4 * cell

    between = store.bins_for(3 * vp.res)
    assert between.cell == 2 * cell and len(between.count) < len(fine.count)
    # The same counts: every four finest squares added into the square twice as wide that holds them.
    expected: dict[tuple[int, int], float] = {}
    for x, y, c in zip(fine.ix.tolist(), fine.iy.tolist(), fine.count.tolist()):
        expected[(x // 2, y // 2)] = expected.get((x // 2, y // 2), 0.0) + c
    assert dict(zip(zip(between.ix.tolist(), between.iy.tolist()), between.count.tolist())) == expected
    (img, _), = render_points(lazy, vp, LAYERS["fire_point"].style, None, force_density=True)
    drawn = np.frombuffer(bytes(img.constBits()), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    assert np.array_equal(drawn[:, :img.width()], between.density(vp.affine(), vp.width, vp.height, force=True))
    # Where a stored level fits, it is drawn; each level asked for was read once.
    assert store.bins_for(0.9 * cell) is fine and store.bins_for(4 * cell) is store.bins(2)
    assert sorted(reads) == [1, 2]


def test_a_level_asked_for_by_two_threads_at_once_is_read_once(sample_copy, monkeypatch):
    import threading
    import time

    from gridwatch.storage import density

    store = DensityStore(sample_copy)
    reads: list[int] = []
    real = density.read_level

    def slow(con, level):
        reads.append(level)
        time.sleep(0.2)  # the city's finest level takes seconds
        return real(con, level)

    monkeypatch.setattr(density, "read_level", slow)
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(store.bins(1))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reads == [1] and got[0] is got[1]


def test_squares_west_of_the_meridian_and_south_of_the_equator_keep_their_place_twice_as_wide():
    from gridwatch.mapview.raster import DensityBins

    # Stored squares lie on a grid from 0 degrees: west and south of it their numbers are negative.
    ix = np.array([-3, -2, 5, 116_736, 116_737, -512])
    iy = np.array([10, 10, 10, 38_912, 38_913, -7])
    stored = DensityBins(np.empty((0, 2)), 0.0)
    stored._set(0.0, 0.0, 1 / 1024, ix, iy, np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0]))
    twice = stored.coarser(2)
    got = dict(zip(zip(twice.ix.tolist(), twice.iy.tolist()), twice.count.tolist()))
    assert got == {(-2, 5): 1.0, (-1, 5): 2.0, (2, 5): 4.0, (58_368, 19_456): 24.0, (-256, -4): 32.0}
    assert twice.cell == 2 / 1024
    # each square's centre lies in the square twice as wide that holds it
    for (x, y), (cx, cy) in zip(zip(ix.tolist(), iy.tolist()), zip((ix // 2).tolist(), (iy // 2).tolist())):
        assert cx * twice.cell <= (x + 0.5) * stored.cell < (cx + 1) * twice.cell
        assert cy * twice.cell <= (y + 0.5) * stored.cell < (cy + 1) * twice.cell


def _overlap(a: Viewport, b: Viewport) -> bool:
    return a.extent[0] <= b.extent[2] and b.extent[0] <= a.extent[2] and a.extent[1] <= b.extent[3] \
        and b.extent[1] <= a.extent[3]


def _density(parts) -> np.ndarray:
    (img, _), = parts
    return np.frombuffer(bytes(img.constBits()), np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4).copy()


@pytest.mark.parametrize("indexed_points", [100_000, 0])  # windows read through the index, and scanned
def test_a_zoomed_view_reads_the_finest_counts_of_its_part_of_the_map_and_draws_what_the_whole_level_draws(
        qapp, sample_copy, monkeypatch, indexed_points):
    from gridwatch.mapview import stored
    from gridwatch.storage import density

    monkeypatch.setattr(stored, "INDEXED_POINTS", indexed_points)
    project = Project.open(sample_copy)
    store, whole_store = DensityStore(sample_copy), DensityStore(sample_copy)
    lazy = DeferredPointLayer.open(project, "fire_point", store)
    whole_lazy = DeferredPointLayer.open(project, "fire_point", whole_store)
    style = LAYERS["fire_point"].style
    whole = whole_store.bins(1)  # every finest square: what the map drew from before
    cell = density.LEVEL_CELLS[1]
    x0, y0 = float(np.median(whole.xy[:, 0])), float(np.median(whole.xy[:, 1]))
    res = 0.9 * cell / 3  # 3 px density cells narrower than the finest squares: the finest level draws it
    vp = Viewport.for_bounds((x0 - 80 * res, y0 - 60 * res, x0 + 80 * res, y0 + 60 * res), 160, 120)
    assert store.level_for(3 * vp.res) == 1

    drawn = _density(render_points(lazy, vp, style, None, force_density=True))
    assert np.array_equal(drawn, _density(render_points(whole_lazy, vp, style, None, force_density=True)))
    # drawn from the window's squares (not from the view's points, as where squares hold one point each)
    assert store.bins_for(3 * vp.res, vp.extent).density(vp.affine(), 160, 120, True) is not None
    reads = [rows for what, rows, _ in store.reads if what == "squares"]
    # the coarsest level (to know the map's extent), then the view's window of the finest: a part of it
    assert len(reads) == 2 and 0 < reads[1] < len(whole.count) / 2

    # Panned by a fifth of the view: within the margin read around it, nothing is read again.
    near = vp.pan(32, 24)
    assert np.array_equal(_density(render_points(lazy, near, style, None, force_density=True)),
                          _density(render_points(whole_lazy, near, style, None, force_density=True)))
    assert store.bins_for(3 * near.res, near.extent).density(near.affine(), 160, 120, True) is not None
    assert len([1 for what, _, _ in store.reads if what == "squares"]) == 2
    # Off to the map's farthest fire point: that part is read, and drawn as the whole level draws it.
    fx, fy = whole.xy[np.argmax(np.hypot(whole.xy[:, 0] - x0, whole.xy[:, 1] - y0))]
    far = Viewport.for_bounds((fx - 80 * res, fy - 60 * res, fx + 80 * res, fy + 60 * res), 160, 120)
    assert not _overlap(vp, far)
    assert np.array_equal(_density(render_points(lazy, far, style, None, force_density=True)),
                          _density(render_points(whole_lazy, far, style, None, force_density=True)))
    assert len([1 for what, _, _ in store.reads if what == "squares"]) == 3
    # That view reaches past the map's edge (its centre is the farthest fire point): drawn again, it reads
    # nothing (no square lies beyond the edge), nor does a small pan there.
    assert far.extent[0] < whole.xy[:, 0].min() or far.extent[2] > whole.xy[:, 0].max() \
        or far.extent[1] < whole.xy[:, 1].min() or far.extent[3] > whole.xy[:, 1].max()
    for view in (far, far.pan(8, -6)):
        assert np.array_equal(_density(render_points(lazy, view, style, None, force_density=True)),
                              _density(render_points(whole_lazy, view, style, None, force_density=True)))
    assert len([1 for what, _, _ in store.reads if what == "squares"]) == 3

    # A view showing most of the map reads the whole level, once, and keeps it.
    extent = (whole.xy[:, 0].min(), whole.xy[:, 1].min(), whole.xy[:, 0].max(), whole.xy[:, 1].max())
    assert store.bins(1, extent) is store.bins(1, vp.extent) is store.bins(1)
    assert len(store.bins(1).count) == len(whole.count)


def test_a_view_off_the_map_or_with_few_points_reads_no_finest_counts(qapp, sample_copy):
    from gridwatch.storage import density

    project = Project.open(sample_copy)
    store = DensityStore(sample_copy)
    lazy = DeferredPointLayer.open(project, "fire_point", store)
    style = LAYERS["fire_point"].style
    coarse = store.bins(3)
    east = float(coarse.xy[:, 0].max()) + 0.5  # half a degree east of the last fire point
    y0 = float(np.median(coarse.xy[:, 1]))
    res = 0.9 * density.LEVEL_CELLS[1] / 3
    off = Viewport.for_bounds((east - 80 * res, y0 - 60 * res, east + 80 * res, y0 + 60 * res), 160, 120)
    # Off the map, margin and all: nothing is read, also after a small pan (it used to scan the table each time).
    for view in (off, off.pan(3, 2), off.pan(-20, 15)):
        assert render_points(lazy, view, style, None, force_density=True) == []
    assert [what for what, _, _ in store.reads if what == "squares"] == ["squares"]  # the coarsest level only

    # Zoomed in where a few points are: drawn from the view's points; the finest counts are not read.
    fine = DensityStore(sample_copy).bins(1)
    x0, y1 = float(np.median(fine.xy[:, 0])), float(np.median(fine.xy[:, 1]))
    close = Viewport.for_bounds((x0 - 0.01, y1 - 0.006, x0 + 0.01, y1 + 0.006), 1366, 768)
    views_before = [what for what, _, _ in store.reads].count("view")
    parts = render_points(lazy, close, style, None)
    whole = read_point_layer(project, "fire_point")
    assert parts and pixels(parts) == pixels(render_points(whole, close, style, None))
    assert [what for what, _, _ in store.reads if what == "squares"] == ["squares"]
    assert [what for what, _, _ in store.reads].count("view") == views_before + 1
