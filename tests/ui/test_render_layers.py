"""A layer is drawn into one image, its parts (fills, outlines, markers) one over the other, and the map looks
exactly as when every part had an image of its own laid on the others; a layer with nothing in view makes no
image; toggling a layer recomposes the others from the cache; the fire density from stored counts is the
same raster; crowded outlines are simplified for their zoom level within a quarter pixel."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from PySide6.QtGui import QColor, QPainter

from gridwatch.mapview import Viewport, raster
from gridwatch.mapview import lines as L
from gridwatch.mapview.data import load_map, prepare_layer
from gridwatch.mapview.lod import TOLERANCE_PX, outlines_for
from gridwatch.storage import Project
from gridwatch.ui.map import render as R
from gridwatch.ui.map.images import ArrayImage, LayerImage, new_image, painting


@pytest.fixture(scope="module")
def data(sample_path):
    return load_map(Project.open(sample_path))


def _pixels(img) -> np.ndarray:
    img = img.convertToFormat(img.Format.Format_ARGB32_Premultiplied)
    return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4).copy()


def _fill(p: QPainter, rng: np.random.Generator, w: int, h: int) -> None:
    p.setPen(QColor(0, 0, 0, 0))
    for _ in range(12):
        x, y = rng.uniform(0, w - 60), rng.uniform(0, h - 40)
        p.fillRect(int(x), int(y), int(rng.uniform(10, 60)), int(rng.uniform(10, 40)),
                   QColor(*rng.integers(0, 256, 3).tolist()))


@pytest.mark.parametrize("fill_alpha, line_alpha", [(50, 255), (160, 200), (255, 170), (1, 1)])
def test_parts_drawn_into_one_image_are_the_parts_laid_on_each_other(qapp, fill_alpha, line_alpha):
    w, h = 320, 200
    rng = np.random.default_rng(fill_alpha)
    x = rng.uniform(-20, w + 20, 300)
    y = rng.uniform(-20, h + 20, 300)
    runs = np.full(60, 5)
    px, py = rng.uniform(0, w, 40), rng.uniform(0, h, 40)
    cats = rng.integers(0, 3, 40)
    palette = np.array([[213, 94, 0, 230], [0, 114, 178, 120], [240, 228, 66, 255]], dtype=np.uint8)
    stroke = (90, 60, 30, line_alpha)

    # Each part in an image of its own, laid on each other by QPainter (how the layers were drawn before).
    fill = new_image(w, h)
    with painting(fill) as p:
        _fill(p, np.random.default_rng(1), w, h)
    lines = L.draw_polylines(x, y, runs, (*stroke[:3], 255), w, h)
    marks = raster.splat_markers(px, py, cats, palette, w, h, radius=3.5, outline=(40, 40, 40, 255))
    expected = new_image(w, h)
    with painting(expected) as p:
        for img, opacity in ((fill, fill_alpha / 255), (ArrayImage(lines), line_alpha / 255), (ArrayImage(marks), 1.0)):
            p.setOpacity(opacity)
            p.drawImage(0, 0, img)

    # One image: the fill painted straight into it, outlines and markers composited onto it in numpy.
    canvas = LayerImage(w, h)
    with canvas.painter(fill_alpha / 255) as p:
        _fill(p, np.random.default_rng(1), w, h)
    R._add_lines(canvas, L.Polylines.from_runs(x, y, runs), stroke)
    raster.splat_markers(px, py, cats, palette, w, h, radius=3.5, outline=(40, 40, 40, 255),
                         out=canvas.array_for_over())
    [(img, opacity)] = canvas.parts()
    assert opacity == 1.0
    assert np.array_equal(_pixels(img), _pixels(expected))  # not a shade different


def test_few_markers_stamped_at_once_are_the_markers_stamped_offset_by_offset(monkeypatch):
    rng = np.random.default_rng(7)
    px, py = rng.uniform(-8, 208, 3000), rng.uniform(-8, 108, 3000)
    px[:50], py[:50] = 100.0, 50.0  # markers on top of each other: the later one wins either way
    cats = rng.integers(0, 3, 3000)
    palette = np.array([[255, 0, 0, 255], [0, 0, 255, 128], [0, 255, 0, 200]], dtype=np.uint8)
    at_once = raster.splat_markers(px, py, cats, palette, 200, 100, radius=2.5)
    monkeypatch.setattr(raster, "MARKER_WRITES", 0)
    one_by_one = raster.splat_markers(px, py, cats, palette, 200, 100, radius=2.5)
    assert np.array_equal(at_once, one_by_one) and at_once[:, :, 3].any()


def test_every_layer_is_one_image_and_a_layer_with_nothing_in_view_makes_none(qapp, data):
    vp = Viewport.for_bounds(data.extent, 1200, 800)
    for view in (vp, vp.zoom(4.0), vp.zoom(16.0).pan(300, 100)):
        for name, layer in data.layers.items():
            parts = R.render_layer(layer, view)
            full = [img for img, _ in parts if (img.width(), img.height()) == (view.width, view.height)]
            assert len(full) <= 1, name  # fills, outlines and markers in one image
    minx, miny, maxx, maxy = data.extent
    away = Viewport.for_bounds((maxx + 1.0, maxy + 1.0, maxx + 1.1, maxy + 1.1), 1200, 800)
    for name, layer in data.layers.items():
        assert R.render_layer(layer, away) == [], name


def test_a_zoomed_view_shows_the_markers_of_every_site_in_it(qapp, data):
    sites = data.layers["construction_site"]
    vp = Viewport.for_bounds(data.extent, 1200, 800).zoom(4.0)
    img = _pixels(R.compose(R.render_layer(sites, vp), vp.width, vp.height)).astype(int)
    background = np.array([246, 250, 250, 255])  # B, G, R, A of the map's background
    px, py = vp.to_screen(sites.point_xy[:, 0], sites.point_xy[:, 1])
    inside = (px >= 4) & (px < vp.width - 4) & (py >= 4) & (py < vp.height - 4)
    assert inside.sum() >= 3
    for x, y in zip(np.round(px[inside]).astype(int), np.round(py[inside]).astype(int)):
        assert np.abs(img[y, x] - background).max() > 30, (x, y)  # a marker there, not the bare map


def test_hiding_a_layer_recomposes_the_others_without_drawing_them_again(qtbot, data):
    from gridwatch.ui.map.canvas import MapCanvas
    from gridwatch.ui.map.renderpass import stack_members

    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 600)
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.set_data(data)
    # A new view draws the layers under the fire points into one image.
    stacks = [stack_members(k) for k in canvas._parts if stack_members(k)]
    assert len(stacks) == 1 and {"township", "grid_cell", "mine"} <= set(stacks[0])
    shown = _pixels(canvas._image)
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.set_layer_visible("grid_cell", False)
    hidden = _pixels(canvas._image)
    assert (np.abs(hidden.astype(int) - shown).max(axis=2) > 8).sum() > 1000  # the cells' outlines are gone
    # Hiding one of them has the view's layers drawn one by one: from then on one is hidden or shown alone.
    before = {n: v for n, v in canvas._parts.items() if n in data.layers}
    assert "grid_cell" not in before and {"township", "village", "mine"} <= set(before)
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.set_layer_visible("grid_cell", True)
    after = canvas._parts
    for name, (vp, parts) in before.items():  # the very images drawn before: laid on the map again
        assert [id(img) for img, _ in after[name][1]] == [id(img) for img, _ in parts], name
    again = _pixels(canvas._image).astype(int)
    # The same map as the stack drew: "over" is associative, up to Qt's rounding (and where two fills of
    # one layer overlap: the stack shows both).
    diff = np.abs(again - shown).max(axis=2)
    assert (diff > 2).mean() < 1e-4, int((diff > 2).sum())
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.set_layer_visible("grid_cell", False)
    assert np.array_equal(_pixels(canvas._image), hidden)
    for name, (vp, parts) in before.items():
        assert [id(img) for img, _ in canvas._parts[name][1]] == [id(img) for img, _ in parts], name


def test_the_density_of_stored_counts_is_the_raster_of_their_centres(qapp):
    rng = np.random.default_rng(4)
    xy = np.column_stack([rng.normal(114.3, 0.05, 60_000), rng.normal(38.1, 0.04, 60_000)])
    made = raster.DensityBins(xy, cell=0.0, max_bins=1024)
    # The same counts as a project stores them, read in no particular order.
    shuffled = rng.permutation(len(made.count))
    stored = raster.DensityBins(np.empty((0, 2)), 0.0)
    stored._set(*made.origin, made.cell, made.ix[shuffled], made.iy[shuffled], made.count[shuffled])
    vp = Viewport.for_bounds((114.1, 37.95, 114.5, 38.25), 800, 500)
    views = (vp, vp.zoom(4.0), vp.zoom(4.0).pan(333, -77), vp.zoom(0.3), vp.zoom(16.0, 10, 10),
             vp.resized(801, 603), vp.zoom(3.0).pan(0, 240), vp.zoom(8.0).pan(-500, 100))
    for bins, view in [(b, v) for b in (made, stored) for v in views]:
        sx, ox, sy, oy = view.affine()
        bx, by = bins.xy[:, 0] * sx + ox, bins.xy[:, 1] * sy + oy
        inside = (bx >= 0) & (bx < view.width) & (by >= 0) & (by < view.height)
        expected = raster.density_image(bx[inside], by[inside], view.width, view.height,
                                        weights=bins.count[inside], upsample=False)
        got = bins.density(view.affine(), view.width, view.height, force=True)
        if not inside.any() or inside.sum() >= bins.count[inside].sum():
            assert got is None
        else:
            assert got is not None and np.array_equal(got, expected)


def test_crowded_outlines_are_simplified_within_a_quarter_pixel_and_others_are_not():
    import geopandas as gpd

    t = np.linspace(0, 2 * np.pi, 4000, endpoint=False)
    ring = np.column_stack([114.3 + 0.1 * np.cos(t) * (1 + 0.02 * np.sin(40 * t)), 38.1 + 0.1 * np.sin(t)])
    frame = gpd.GeoDataFrame({"code": ["1"], "name": ["镇"], "county_code": ["1"]},
                             geometry=[shapely.Polygon(ring)], crs="EPSG:4490")
    layer = prepare_layer("township", frame)
    close = Viewport.for_bounds((114.19, 37.99, 114.41, 38.21), 4000, 4000)  # segments ~2.6 px apart
    assert outlines_for(layer, close.res) is layer
    far = Viewport.for_bounds((114.19, 37.99, 114.41, 38.21), 300, 300)
    simple = outlines_for(layer, far.res)
    assert simple is not layer and len(simple.ring_xy) < len(layer.ring_xy) / 2
    assert outlines_for(layer, far.res) is simple  # made once per zoom level
    assert shapely.hausdorff_distance(layer.geoms[0].exterior, simple.geoms[0].exterior) <= TOLERANCE_PX * far.res
    assert np.array_equal(simple.bounds, layer.bounds) and np.array_equal(simple.piece_feature[:1], [0])


@pytest.mark.parametrize("alpha", [1, 30, 50, 128, 160, 254, 255])
def test_fills_written_with_their_alpha_are_the_opaque_fills_laid_on_at_it(qapp, alpha):
    """Plain fills (mines, sites, themed cells) are written with their alpha in place, no pass over the
    image: the pixels are exactly those of the fills drawn opaque and laid on at that opacity, also where
    a later fill covers an earlier one."""
    w, h = 240, 160
    expected_fill = new_image(w, h)
    with painting(expected_fill) as p:
        _fill(p, np.random.default_rng(alpha), w, h)
    expected = new_image(w, h)
    with painting(expected) as p:
        p.setOpacity(alpha / 255)
        p.drawImage(0, 0, expected_fill)

    canvas = LayerImage(w, h)
    from gridwatch.ui.map.images import opacity_alpha

    a = opacity_alpha(alpha / 255)
    with canvas.source_painter() as p:
        rng = np.random.default_rng(alpha)
        for _ in range(12):  # the same rectangles as _fill, in colours of alpha a
            x, y = rng.uniform(0, w - 60), rng.uniform(0, h - 40)
            p.fillRect(int(x), int(y), int(rng.uniform(10, 60)), int(rng.uniform(10, 40)),
                       QColor(*rng.integers(0, 256, 3).tolist(), a))
    [(img, opacity)] = canvas.parts()
    assert opacity == 1.0
    assert np.array_equal(_pixels(img), _pixels(expected))
    with canvas.source_painter() as p:
        assert p is None  # the layer has pixels: later parts are laid over them


@pytest.mark.parametrize("pattern", ["diagonal", "cross"])
@pytest.mark.parametrize("alpha", [30, 50, 70, 200])
def test_a_hatched_fill_in_one_pass_is_the_fill_and_hatch_laid_on_at_its_alpha(qapp, pattern, alpha):
    """Coal-ban and fireworks zones: fill and hatch written with their alpha in one pass (a tile of both) have
    exactly the pixels of the fill and the hatch drawn opaque, laid on at the zone's alpha."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QBrush, QPolygonF

    from gridwatch.ui.map.images import opacity_alpha

    w, h = 157, 93
    fill, stroke = (150, 95, 40, alpha), (120, 72, 20, 255)
    shape = QPolygonF([QPointF(3.3, 5.1), QPointF(150.2, 12.7), QPointF(120.9, 88.4), QPointF(20.5, 70.2)])
    opaque = new_image(w, h)
    with painting(opaque) as p:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(*fill[:3]))
        p.drawPolygon(shape)
        p.setBrush(QBrush(QColor(*stroke[:3]), R._HATCH[pattern]))
        p.drawPolygon(shape)
    expected = new_image(w, h)
    with painting(expected) as p:
        p.setOpacity(alpha / 255)
        p.drawImage(0, 0, opaque)

    canvas = LayerImage(w, h)
    with canvas.source_painter() as p:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(R.hatch_tile(fill, stroke, pattern, opacity_alpha(alpha / 255))))
        p.drawPolygon(shape)
    [(img, _)] = canvas.parts()
    got = _pixels(img)
    assert np.array_equal(got, _pixels(expected))
    assert len(np.unique(got.reshape(-1, 4), axis=0)) == 3  # outside, fill, hatch


def test_a_few_labels_zoomed_in_are_drawn_in_their_part_of_the_view_with_the_same_pixels(qapp, data, monkeypatch):
    from gridwatch.ui.map import marks as M

    full = Viewport.for_bounds(data.extent, 1600, 1000)
    names = ["township", "village", "grid_cell"]
    for vp in (full, full.zoom(4.0), full.zoom(4.0, 1200, 0), full.zoom(16.0, 800, 0)):
        img = M.render_labels(data, vp, names)
        if img is None:
            continue
        monkeypatch.setattr(M, "LABEL_CROP_SHARE", 0.0)  # every label image the view's size, as before
        whole = M.render_labels(data, vp, names)
        monkeypatch.undo()
        assert getattr(whole, "target", None) is None
        transparent = QColor(0, 0, 0, 0)
        got = _pixels(R.compose([(img, 1.0)], vp.width, vp.height, transparent))
        assert np.array_equal(got, _pixels(R.compose([(whole, 1.0)], vp.width, vp.height, transparent)))
        assert got[:, :, 3].any()
    # The district's edge across the view: its names in a part of it, drawn in a small image.
    edge = M.render_labels(data, full.zoom(4.0, 1200, 0), names)
    assert edge is not None and edge.width() * edge.height() <= 0.3 * 1600 * 1000
