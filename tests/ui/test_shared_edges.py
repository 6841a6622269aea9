"""A boundary two neighbouring areas share is drawn once, not once per area: the same grid lines from half the
segments, a shared township boundary no darker than an outer one, a sliver's shared edge still drawn by its
bigger neighbour when the sliver is too small to draw, nothing skipped once the rings change, and the app finds
the shared boundaries after its first paint."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from PySide6.QtGui import QColor

from gridwatch.mapview import Viewport, edges
from gridwatch.mapview import lines as L
from gridwatch.mapview.data import load_map, prepare_layer, shape_layer
from gridwatch.storage import Project
from gridwatch.ui.map import render as R


def _layer(name: str, polygons: list[shapely.Polygon]):
    frame = gpd.GeoDataFrame({"code": [str(i) for i in range(len(polygons))]}, geometry=polygons, crs="EPSG:4490")
    return prepare_layer(name, frame)


def _pixels(layer, vp: Viewport) -> np.ndarray:
    img = R.compose(R.render_layer(layer, vp), vp.width, vp.height, background=QColor(0, 0, 0, 0))
    return np.frombuffer(img.constBits(), np.uint8).reshape(vp.height, vp.width, 4).copy()


def _samples(layer, vp: Viewport) -> int:
    """Pixels the line rasteriser is handed for the layer's outlines in ``vp`` (a pixel may come twice)."""
    pieces = R._visible_pieces(layer, vp, R._visible_features(layer, vp))
    lines = R._piece_lines(layer, vp, pieces, vp.width, vp.height, True)
    return sum(len(p) for p in L.line_pixels(lines, vp.width, vp.height))


def _grid(n: int, x0: float = 114.0, y0: float = 38.0, step: float = 0.01) -> list[shapely.Polygon]:
    return [shapely.box(x0 + i * step, y0 + j * step, x0 + (i + 1) * step, y0 + (j + 1) * step)
            for j in range(n) for i in range(n)]


def test_a_grid_draws_the_same_lines_from_each_shared_edge_once(qapp):
    layer = _layer("grid_cell", _grid(4))
    vp = Viewport.for_bounds((113.995, 37.995, 114.045, 38.045), 500, 500)
    before, samples_before = _pixels(layer, vp), _samples(layer, vp)
    assert edges.shared_starts(layer) is None  # not looked for yet: every ring drawn whole

    shared = edges.prepare(layer)

    assert len(shared) == 24  # a 4 x 4 grid's inner edges: 2 x 3 x 4, each drawn by one of its two cells
    assert np.array_equal(_pixels(layer, vp), before) and (before[:, :, 3] > 0).any()
    assert _samples(layer, vp) < 0.7 * samples_before
    # Zoomed in (outline pieces gathered one by one rather than drawn where they lie): the same too.
    close = Viewport.for_bounds((114.008, 38.008, 114.022, 38.022), 400, 400)
    edges_off = _layer("grid_cell", _grid(4))
    assert np.array_equal(_pixels(layer, close), _pixels(edges_off, close))


def test_a_cell_too_small_to_draw_leaves_its_shared_edges_to_its_bigger_neighbour(qapp):
    # A tiny cell in the corner of a big one; it comes first: were the first ring to draw each shared edge,
    # its edges would go missing where it is too small to draw (under 1.5 px).
    tiny = shapely.box(114.0, 38.0, 114.0003, 38.0003)
    big = shapely.box(114.0, 38.0, 114.02, 38.02).difference(tiny)
    layer = _layer("grid_cell", [tiny, big])
    vp = Viewport.for_bounds((113.99, 37.99, 114.03, 38.03), 400, 400)  # the tiny cell is 3 px: drawn
    far = Viewport.for_bounds((113.96, 37.96, 114.06, 38.06), 400, 400)  # 1.2 px: not drawn
    expected = [_pixels(_layer("grid_cell", [tiny, big]), v) for v in (vp, far)]

    shared = edges.prepare(layer)

    assert len(shared) == 2
    assert np.array_equal(_pixels(layer, vp), expected[0])
    assert np.array_equal(_pixels(layer, far), expected[1])


def test_a_shared_township_boundary_is_stroked_once_no_darker_than_an_outer_one(qapp):
    west = shapely.box(114.0, 38.0, 114.02, 38.02)
    east = shapely.box(114.02, 38.0, 114.03, 38.02)  # smaller: the west township draws the shared boundary
    vp = Viewport.for_bounds((113.993, 37.99, 114.037, 38.03), 443, 400)  # boundary between pixel centres
    both = _layer("township", [west, east])
    alone = _layer("township", [west])
    twice = _pixels(both, vp)

    edges.prepare(both)
    once = _pixels(both, vp)

    sx, ox, sy, oy = vp.affine()
    x = int(114.02 * sx + ox)
    band = slice(x - 3, x + 4)
    rows = slice(int(38.015 * sy + oy), int(38.005 * sy + oy))  # away from the corners
    assert (once[rows, x, 3] > 0).all()
    assert np.array_equal(once[rows, band], _pixels(alone, vp)[rows, band])
    # Stroked twice, the antialiased edge pixels came out darker than the outer boundary's.
    assert not np.array_equal(twice[rows, band], once[rows, band])


def test_changed_rings_are_drawn_whole_until_their_shared_edges_are_found_again(qapp):
    layer = _layer("grid_cell", _grid(3))
    edges.prepare(layer)
    vp = Viewport.for_bounds((113.995, 37.995, 114.035, 38.035), 400, 400)
    # One cell moved (an edited boundary): the layer's rings are made anew.
    moved = _grid(3)
    moved[4] = shapely.affinity.translate(moved[4], 0.002, 0.0)
    layer.geoms = np.asarray(moved, dtype=object)
    layer.bounds = shapely.bounds(layer.geoms)
    shape_layer(layer)
    assert edges.shared_starts(layer) is None and edges.shared_mask(layer) is None
    fresh = _layer("grid_cell", moved)
    assert np.array_equal(_pixels(layer, vp), _pixels(fresh, vp))


def test_a_big_grid_is_searched_in_bands_and_finds_the_same_shared_edges(sample_path, monkeypatch):
    grid = load_map(Project.open(sample_path)).layers["grid_cell"]
    whole = edges._shared_starts(grid.ring_xy, grid.ring_offsets, grid.ring_feature, grid.bounds)
    monkeypatch.setattr(edges, "BAND_SEGMENTS", 500)  # the sample's grid in a dozen bands
    assert len(grid.ring_xy) > 12 * 500
    banded = edges._shared_starts(grid.ring_xy, grid.ring_offsets, grid.ring_feature, grid.bounds)
    assert len(whole) > 0 and np.array_equal(banded, whole)


def test_the_app_finds_the_shared_boundaries_after_its_first_paint(qapp, sample_path):
    from gridwatch.ui.window.main_window import complete_map

    data = load_map(Project.open(sample_path))
    grid = data.layers["grid_cell"]
    assert edges.shared_starts(grid) is None  # not on the way to the first paint
    complete_map(data)
    shared = edges.shared_starts(grid)
    assert shared is not None and len(shared) > 0.3 * (len(grid.ring_xy) - len(grid.ring_feature))


def _wiggly_grid(n: int, vertices: int = 400) -> list[shapely.Polygon]:
    """An n x n grid of squares whose sides are wiggly lines of many vertices, neighbours sharing them exactly."""
    step = 0.01
    t = np.linspace(0.0, 1.0, vertices)
    wiggle = 0.0003 * np.sin(t * np.pi * 40) * np.sin(t * np.pi) ** 2  # none near the corners

    def side(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        # the same points whichever square walks it (and in which direction)
        a, b = (x0, y0), (x1, y1)
        flip = a > b
        if flip:
            a, b = b, a
        dx, dy = b[0] - a[0], b[1] - a[1]
        pts = np.column_stack([a[0] + dx * t - dy / step * wiggle, a[1] + dy * t + dx / step * wiggle])
        return pts[::-1] if flip else pts

    polys = []
    for j in range(n):
        for i in range(n):
            x0, y0 = 114.0 + i * step, 38.0 + j * step
            x1, y1 = 114.0 + (i + 1) * step, 38.0 + (j + 1) * step  # the neighbour's x0, y0 to the bit
            ring = np.concatenate([side(x0, y0, x1, y0)[:-1], side(x1, y0, x1, y1)[:-1],
                                   side(x1, y1, x0, y1)[:-1], side(x0, y1, x0, y0)])
            polys.append(shapely.Polygon(ring))
    return polys


def test_crowded_township_lines_simplified_for_a_zoom_level_draw_each_shared_boundary_once(qapp):
    from gridwatch.mapview.lod import TOLERANCE_PX, outlines_for

    layer = _layer("township", _wiggly_grid(3))
    far = Viewport.for_bounds((113.99, 37.99, 114.04, 38.04), 200, 200)  # vertices crowd: a copy simplified
    rings = outlines_for(layer, far.res, once=True)
    assert rings is not layer and len(rings.ring_offsets) - 1 == 9  # the shared boundaries not known yet
    edges.prepare(layer)
    lines = outlines_for(layer, far.res, once=True)
    assert lines is not rings and outlines_for(layer, far.res, once=True) is lines  # made once a zoom level
    assert outlines_for(layer, far.res) is rings  # not every feature drawn: each ring whole

    def drawn(copy) -> shapely.MultiLineString:
        off = copy.ring_offsets
        return shapely.MultiLineString([copy.ring_xy[a:b] for a, b in zip(off[:-1], off[1:]) if b - a >= 2])

    whole = shapely.MultiLineString([p.exterior for p in _wiggly_grid(3)])
    # Each boundary once: 3 x 3 squares have 36 sides, 24 of them distinct.
    assert abs(drawn(lines).length / drawn(rings).length - 24 / 36) < 0.01
    assert drawn(rings).length / whole.length > 0.95  # (the simplified wiggles are a little shorter)
    # Within the tolerance of the outlines, and every part of them drawn.
    assert shapely.hausdorff_distance(drawn(lines), whole) <= TOLERANCE_PX * far.res
    assert len(lines.ring_xy) < 0.75 * len(rings.ring_xy)  # the vertices stroked
    # The map: the same lines as the simplified rings give, a shared boundary not darker.
    once, twice = _pixels(layer, far), _pixels(_layer("township", _wiggly_grid(3)), far)
    assert (once[:, :, 3] > 0).sum() > 0.95 * (twice[:, :, 3] > 0).sum()
    assert once[:, :, 3].astype(int).sum() < twice[:, :, 3].astype(int).sum()
