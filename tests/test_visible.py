"""Which features and outline pieces a view shows (gridwatch.mapview.visible): exactly the tests on the
layer's bounds, also after the layer's arrays are replaced (an edit, a reload)."""

from __future__ import annotations

import numpy as np

from gridwatch.layers import LAYERS
from gridwatch.mapview.data import LayerData
from gridwatch.mapview.visible import visible_features, visible_pieces


def _layer(rng: np.random.Generator, n: int) -> LayerData:
    lo = rng.uniform(114.0, 115.0, (n, 2))
    size = rng.uniform(0.0, 0.05, (n, 2))
    bounds = np.column_stack([lo, lo + size])
    bounds[rng.random(n) < 0.05] = np.nan  # empty geometries
    layer = LayerData(name="grid_cell", spec=LAYERS["grid_cell"], frame=None, geoms=None, bounds=bounds)
    pieces = 3 * n
    layer.piece_feature = np.sort(rng.integers(0, n, pieces))
    layer.piece_start = np.arange(pieces) * 4
    layer.piece_stop = layer.piece_start + 4
    pb = bounds[layer.piece_feature].copy()
    pb[:, :2] += rng.uniform(0, 0.01, (pieces, 2))
    layer.piece_bounds = pb
    return layer


def _expected(layer: LayerData, extent, res, mask, min_pixels):
    minx, miny, maxx, maxy = extent
    b, pb = layer.bounds, layer.piece_bounds
    features = (b[:, 2] >= minx) & (b[:, 0] <= maxx) & (b[:, 3] >= miny) & (b[:, 1] <= maxy)
    fb = b[layer.piece_feature]
    ok = (mask[layer.piece_feature] & (pb[:, 2] >= minx) & (pb[:, 0] <= maxx) & (pb[:, 3] >= miny)
          & (pb[:, 1] <= maxy))
    ok &= np.maximum(fb[:, 2] - fb[:, 0], fb[:, 3] - fb[:, 1]) / res >= min_pixels
    return features, np.flatnonzero(ok)


def test_the_features_and_pieces_a_view_shows():
    rng = np.random.default_rng(3)
    layer = _layer(rng, 2000)
    for _ in range(20):
        x, y = rng.uniform(113.9, 115.0), rng.uniform(113.9, 115.0) - 0.0
        extent = (x, 114.0 + (y - 113.9) / 2, x + rng.uniform(0.01, 0.6), 114.6)
        res = rng.uniform(1e-5, 1e-3)
        mask = rng.random(len(layer.bounds)) < 0.8
        features, pieces = _expected(layer, extent, res, mask, 1.5)
        assert np.array_equal(visible_features(layer, extent), features)
        assert np.array_equal(visible_pieces(layer, extent, res, mask), pieces)


def test_replaced_bounds_are_seen():
    rng = np.random.default_rng(4)
    layer = _layer(rng, 500)
    extent = (114.2, 114.2, 114.6, 114.6)
    mask = np.ones(500, dtype=bool)
    visible_features(layer, extent), visible_pieces(layer, extent, 1e-4, mask)  # cached
    moved = layer.bounds + 10.0  # an edit moves every feature out of the view
    layer.bounds = moved
    layer.piece_bounds = layer.piece_bounds + 10.0
    assert not visible_features(layer, extent).any()
    assert len(visible_pieces(layer, extent, 1e-4, mask)) == 0


def test_the_extent_of_some_or_all_features():
    from gridwatch.mapview.visible import features_extent

    rng = np.random.default_rng(5)
    layer = _layer(rng, 800)
    b = layer.bounds
    for mask in (np.ones(800, dtype=bool), rng.random(800) < 0.1, np.isnan(b[:, 0])):
        picked = b[mask]
        got = features_extent(layer, mask)
        if np.isnan(picked[:, 0]).all():
            assert got is None
        else:
            assert got == (np.nanmin(picked[:, 0]), np.nanmin(picked[:, 1]), np.nanmax(picked[:, 2]),
                           np.nanmax(picked[:, 3]))
    layer.bounds = b + 1.0  # replaced: the whole layer's extent follows
    assert features_extent(layer, np.ones(800, dtype=bool))[0] == np.nanmin(b[:, 0]) + 1.0
