"""The map engine without Qt: viewport maths, labels, rasters, hit tests, search."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gridwatch.mapview import Viewport
from gridwatch.mapview.data import load_map
from gridwatch.mapview.labels import place_labels
from gridwatch.mapview.raster import DensityBins, density_image, density_levels, splat_markers
from gridwatch.mapview.search import search_places
from gridwatch.mapview.viewport import nice_scale_bar
from gridwatch.storage import Project


@pytest.fixture(scope="module")
def data(sample_path):
    return load_map(Project.open(sample_path))


def test_viewport_round_trip_zoom_anchor_and_fit():
    vp = Viewport.for_bounds((114.0, 37.9, 114.6, 38.3), 800, 600)
    lon, lat = vp.to_map(123.0, 456.0)
    assert vp.to_screen(lon, lat) == pytest.approx((123.0, 456.0))
    z = vp.zoom(2.0, 100.0, 50.0)
    assert z.to_screen(*vp.to_map(100.0, 50.0)) == pytest.approx((100.0, 50.0))
    assert z.res == pytest.approx(vp.res / 2)
    e = vp.extent
    assert e[0] <= 114.0 and e[2] >= 114.6 and e[1] <= 37.9 and e[3] >= 38.3
    # True proportions: 1 km east-west and 1 km north-south span the same pixels.
    km_lon = 1 / (111.32 * np.cos(np.radians(38.1)))
    km_lat = 1 / 111.32
    x0, y0 = vp.to_screen(114.3, 38.1)
    x1, _ = vp.to_screen(114.3 + km_lon, 38.1)
    _, y1 = vp.to_screen(114.3, 38.1 + km_lat)
    assert abs(x1 - x0) == pytest.approx(abs(y1 - y0), rel=0.01)
    # Panning by a drag moves the map with the mouse.
    p = vp.pan(10, 0)
    assert p.to_screen(*vp.to_map(200.0, 200.0)) == pytest.approx((210.0, 200.0))
    resized = vp.resized(1600, 600)
    assert resized.res == vp.res and resized.cx == vp.cx


def test_scale_bar_is_round_and_fits():
    metres, pixels, label = nice_scale_bar(19.3, max_pixels=160)
    assert metres in (1000, 2000, 2500, 3000) or str(int(metres))[0] in "125"
    assert pixels <= 160 and label.endswith("km")


def test_labels_never_overlap_and_stay_bounded():
    rng = np.random.default_rng(1)
    n = 5000
    px = rng.uniform(0, 800, n)
    py = rng.uniform(0, 600, n)
    texts = [f"村{i}" for i in range(n)]
    placed = place_labels(px, py, texts, rng.random(n), lambda t: (12.0 * len(t), 14.0), 800, 600)
    assert 20 < len(placed) < 800 * 600 / (24 * 14)
    boxes = np.array([p.box for p in placed])
    for i in range(len(boxes)):
        a = boxes[i]
        other = boxes[i + 1:]
        overlap = (a[0] < other[:, 2]) & (other[:, 0] < a[2]) & (a[1] < other[:, 3]) & (other[:, 1] < a[3])
        assert not overlap.any()
    assert (boxes[:, 0] >= 0).all() and (boxes[:, 2] <= 800).all()


def test_higher_priority_labels_win():
    px = np.array([100.0, 105.0])
    py = np.array([100.0, 100.0])
    placed = place_labels(px, py, ["小村", "大镇"], np.array([1.0, 5.0]), lambda t: (30.0, 14.0), 400, 300)
    assert [p.text for p in placed] == ["大镇"]


def test_markers_land_on_their_points_with_their_colours():
    palette = np.array([[255, 0, 0, 255], [0, 0, 255, 255]], dtype=np.uint8)
    img = splat_markers(np.array([10.0, 50.0]), np.array([20.0, 30.0]), np.array([0, 1]), palette, 64, 48,
                        radius=2, outline=None)
    assert tuple(img[20, 10]) == (0, 0, 255, 255)  # BGRA: red
    assert tuple(img[30, 50]) == (255, 0, 0, 255)  # blue
    assert img[0, 0, 3] == 0 and img[25, 30, 3] == 0


def test_density_counts_and_prebinned_density_agree():
    rng = np.random.default_rng(2)
    xy = np.column_stack([rng.normal(114.3, 0.01, 20000), rng.normal(38.1, 0.01, 20000)])
    vp = Viewport.for_bounds((114.25, 38.05, 114.35, 38.15), 300, 300)
    sx, ox, sy, oy = vp.affine()
    direct = density_image(xy[:, 0] * sx + ox, xy[:, 1] * sy + oy, 300, 300)
    bins = DensityBins(xy, cell=0.0, max_bins=4096)
    assert bins.count.sum() == len(xy)
    binned = density_image(bins.xy[:, 0] * sx + ox, bins.xy[:, 1] * sy + oy, 300, 300, weights=bins.count)
    covered_direct = direct[:, :, 3] > 0
    covered_binned = binned[:, :, 3] > 0
    assert (covered_direct == covered_binned).mean() > 0.97
    assert covered_direct[150, 150]  # the cluster centre is dense


def test_coarser_density_levels_are_the_points_binned_at_that_size():
    # Coarser levels are made from the finest bins (one pass over a million points, not three): they must
    # hold what binning the points themselves at the coarser cell gives, bin for bin.
    rng = np.random.default_rng(5)
    xy = np.column_stack([rng.normal(114.3, 0.05, 50000), rng.normal(38.1, 0.03, 50000)])
    levels = density_levels(xy, finest=1024, factor=4, levels=3)
    for level, max_bins in zip(levels, (1024, 256, 64)):
        direct = DensityBins(xy, cell=0.0, max_bins=max_bins)
        assert level.cell == pytest.approx(direct.cell)
        assert level.count.sum() == len(xy)
        got = dict(zip(map(tuple, np.round(level.xy / level.cell).astype(np.int64).tolist()), level.count))
        want = dict(zip(map(tuple, np.round(direct.xy / direct.cell).astype(np.int64).tolist()), direct.count))
        assert got == want


def test_hit_tests_agree_with_shapely(data):
    cells = data.layers["grid_cell"]
    frame = cells.frame
    pt = frame.geometry.iloc[50].representative_point()
    assert cells.at_point(pt.x, pt.y, 0.0).tolist() == [50]
    box = (114.30, 38.08, 114.33, 38.10)
    expected = np.flatnonzero(frame.intersects(shapely.box(*box)))
    assert cells.in_rect(*box).tolist() == expected.tolist()
    fires = data.layers["fire_point"]
    assert fires.points_only
    x, y = fires.point_xy[123]
    assert fires.at_point(x + 1e-5, y, 1e-3)[0] == 123
    inside = fires.in_rect(*box)
    xy = fires.point_xy
    brute = np.flatnonzero((xy[:, 0] >= box[0]) & (xy[:, 0] <= box[2]) & (xy[:, 1] >= box[1]) & (xy[:, 1] <= box[3]))
    assert inside.tolist() == brute.tolist()


def test_search_by_chinese_partial_name_and_code(data):
    hits = search_places(data, "获鹿")
    assert hits[0].layer == "township" and hits[0].name == "获鹿镇"
    village = data.layers["village"].frame.iloc[10]
    hits = search_places(data, village["name"])
    assert hits[0].layer == "village" and hits[0].code == village["code"]  # exact match first
    hits = search_places(data, village["code"])
    assert hits[0].code == village["code"]
    assert all(h.code.startswith(village["code"]) for h in hits)
    assert search_places(data, "   ") == []
    assert search_places(data, "不存在的地名") == []


def test_search_finds_every_layer_by_pinyin_initials_and_full_pinyin(data, sample_path):
    from gridwatch.mapview.search import PERSON, pinyin_keys, search_all
    from gridwatch.storage import Project

    assert pinyin_keys("获鹿镇") == ("hlz", "huoluzhen")
    assert pinyin_keys("许铺村1号网格")[0] == "xpc1hwg"
    for query in ("hlz", "HLZ", "huolu", "获鹿"):
        hits = search_all(data, query).hits
        assert hits[0].layer == "township" and hits[0].name == "获鹿镇", query
    # sources, stations and zones by name
    mine = str(data.layers["mine"].frame["name"].iloc[0])
    assert search_all(data, mine).hits[0].layer == "mine"
    site = str(data.layers["construction_site"].frame["name"].iloc[5])
    assert search_all(data, site).hits[0].layer == "construction_site"
    station = search_all(data, pinyin_keys("监测站")[0]).hits
    assert {h.layer for h in station} == {"key_area"} and len(station) >= 3
    # people: their cells
    people = Project.open(sample_path).read_table("inspector")
    cells = data.layers["grid_cell"].frame
    person = people[people["uuid"].isin(cells["inspector_uuid"])].iloc[0]
    hit = next(h for h in search_all(data, str(person["name"]), people).hits if h.kind == PERSON)
    assert hit.name == person["name"] and len(hit.indices) == int((cells["inspector_uuid"] == person["uuid"]).sum())
    assert set(cells["inspector_uuid"].iloc[list(hit.indices)]) == {person["uuid"]}


def test_search_says_when_results_are_cut(data):
    from gridwatch.mapview.search import search_all

    result = search_all(data, "130", limit=50)
    assert len(result.hits) == 50 and result.total > 2000 and result.cut
    assert not search_all(data, "获鹿镇").cut


def test_polylines_rasterise_the_expected_pixels():
    from gridwatch.mapview.lines import draw_polylines

    # A horizontal run and a diagonal run; no segment joins the end of one to the start of the next.
    x = np.array([2.0, 12.0, 20.0, 25.0])
    y = np.array([3.0, 3.0, 10.0, 15.0])
    img = draw_polylines(x, y, np.array([2, 2]), (255, 0, 0, 255), 32, 20)
    lit = img[:, :, 3] > 0
    assert lit[3, 2:13].all() and lit[3].sum() == 11
    assert all(lit[10 + k, 20 + k] for k in range(6))
    assert lit.sum() == 11 + 6  # nothing between (12, 3) and (20, 10)
    # Segments partly off screen are clipped, not wrapped around.
    img = draw_polylines(np.array([-50.0, 50.0]), np.array([5.0, 5.0]), np.array([2]), (0, 0, 0, 255), 32, 20)
    assert (img[5, :, 3] > 0).all() and (img[:5, :, 3] == 0).all() and (img[6:, :, 3] == 0).all()


def test_dense_points_cluster_with_counts_that_add_up():
    from gridwatch.mapview.clusters import cluster_points, cluster_radius

    rng = np.random.default_rng(7)
    # two dense spots 200 px apart and one lone point; a third of the points need attention
    px = np.concatenate([rng.normal(100, 5, 300), rng.normal(300, 5, 120), [500.0]])
    py = np.concatenate([rng.normal(100, 5, 300), rng.normal(100, 5, 120), [400.0]])
    attention = np.arange(len(px)) % 3 == 0
    c = cluster_points(px, py, attention, cell=56.0)
    assert c.count.sum() == len(px) and c.attention.sum() == attention.sum()
    assert len(c) <= 10  # a handful of circles, not 421 dots
    biggest = int(np.argmax(c.count))
    assert abs(c.x[biggest] - 100) < 30 and abs(c.y[biggest] - 100) < 30
    assert 1 in c.count.tolist()  # the lone point stays a cluster of one
    r = cluster_radius(np.array([1, 10, 1000, 10**6]))
    assert (np.diff(r) >= 0).all() and r.min() >= 6 and r.max() <= 17


def test_a_big_point_layer_is_ordered_by_longitude_on_first_use_with_its_filter():
    import pandas as pd

    from gridwatch.mapview.data import DENSITY_BINS_FROM, prepare_point_layer, set_filter

    n = DENSITY_BINS_FROM + 5000
    rng = np.random.default_rng(9)
    xy = np.column_stack([rng.uniform(114.0, 114.6, n), rng.uniform(38.0, 38.3, n)])
    status = np.where(rng.random(n) < 0.3, "unverified", "no_burning")
    layer = prepare_point_layer("fire_point", pd.DataFrame({"status": status}), xy)
    assert layer.density_levels and len(layer.x_order) == 0  # nothing sorted on the way to the first paint
    shown = rng.random(n) < 0.5
    set_filter(layer, shown)  # a period chosen before anything was sorted
    layer.ensure_sorted()
    assert np.all(np.diff(layer.x_sorted) >= 0)
    assert np.array_equal(layer.sorted_xy, xy[layer.x_order])
    assert np.array_equal(layer.sorted_visible, shown[layer.x_order])
    assert np.array_equal(layer.sorted_category, layer.category[layer.x_order])


def test_fire_points_draw_from_their_map_columns_and_read_the_rest_when_asked(sample_copy):
    import sqlite3

    import pandas as pd

    from gridwatch.mapview.data import load_map
    from gridwatch.storage import Project

    project = Project.open(sample_copy)
    data = load_map(project)
    fires = data.layers["fire_point"]
    assert not fires.attributes_complete  # the first paint does not wait for ids and codes
    assert len(fires.column("status")) == fires.count and not fires.attributes_complete
    whole, _ = project.read_point_layer("fire_point")
    # A fire point deleted after the map was read (a sync): the rest still lines up by fid.
    con = sqlite3.connect(sample_copy)
    with con:
        gone_fid = con.execute("SELECT fid FROM fire_point ORDER BY fid LIMIT 1 OFFSET 10").fetchone()[0]
        con.execute("DELETE FROM fire_point WHERE fid = ?", (gone_fid,))
    con.close()
    frame = fires.frame
    assert fires.attributes_complete and list(frame.columns) == list(whole.columns)
    assert len(frame) == fires.count
    gone = frame.index[10]
    kept = frame.drop(index=gone)
    pd.testing.assert_frame_equal(kept, whole.drop(index=gone), check_dtype=False)
    assert pd.isna(frame.loc[gone, "uuid"]) and frame.loc[gone, "status"] == whole.loc[gone, "status"]


def test_density_shades_looked_up_per_count_are_the_shades_computed_per_bin():
    from gridwatch.mapview import raster

    rng = np.random.default_rng(8)
    counts = np.where(rng.random((90, 120)) < 0.6, rng.integers(1, 400, (90, 120)), 0).astype(np.float64)
    looked_up = raster._density_colors(counts, 90, 120, (230, 60, 0, 255))  # 400 kinds, ~6,500 bins
    flat = counts.reshape(-1)
    occupied = np.flatnonzero(flat > 0)
    direct = np.zeros((90, 120, 4), dtype=np.uint8)
    direct.reshape(-1, 4)[occupied] = raster._shades(flat[occupied].astype(np.float32), counts.max(),
                                                      (230, 60, 0, 255))
    assert np.array_equal(looked_up, direct)
    assert len(np.unique(looked_up.reshape(-1, 4), axis=0)) > 100  # many shades, not one
    fractional = counts / 3.0  # weights that are not whole points: computed per bin
    assert raster._density_colors(fractional, 90, 120, (230, 60, 0, 255)) is not None
