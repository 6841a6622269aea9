"""Which features and outline pieces of a layer a view shows, tested on columns of their bounds kept with
the layer (contiguous copies made once: a test over a strided column of a city grid's 200,000 bounds, and
the gather of every piece's feature bounds, cost more than the tests themselves).  No Qt."""

from __future__ import annotations

from typing import Any

import numpy as np

from .data import LayerData

Extent = tuple[float, float, float, float]


def _cached(layer: LayerData, key: str, sources: tuple[np.ndarray, ...], make: Any) -> Any:
    """``make()``, kept in the layer until one of ``sources`` is replaced (arrays are replaced, never
    changed in place)."""
    hit = layer.__dict__.get(key)
    if hit is None or len(hit[0]) != len(sources) or any(a is not b for a, b in zip(hit[0], sources)):
        hit = (sources, make())
        layer.__dict__[key] = hit
    return hit[1]


def _columns(b: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(np.ascontiguousarray(b[:, i]) for i in range(4))


def visible_features(layer: LayerData, extent: Extent) -> np.ndarray:
    """The features whose bounds meet ``extent`` (min x, min y, max x, max y)."""
    b = layer.bounds
    x0, y0, x1, y1 = _cached(layer, "_feature_columns", (b,), lambda: _columns(b))
    minx, miny, maxx, maxy = extent
    ok = x1 >= minx
    ok &= x0 <= maxx
    ok &= y1 >= miny
    ok &= y0 <= maxy
    return ok


def visible_pieces(layer: LayerData, extent: Extent, res: float, feature_mask: np.ndarray,
                   min_pixels: float = 1.5) -> np.ndarray:
    """The outline pieces (ascending) of the features in ``feature_mask`` whose bounds meet ``extent``, but
    those of features smaller than ``min_pixels`` at ``res`` degrees a pixel."""
    if len(layer.piece_start) == 0:
        return np.empty(0, dtype=np.int64)
    pb, fb, pf = layer.piece_bounds, layer.bounds, layer.piece_feature

    def make() -> tuple[np.ndarray, ...]:
        f = fb[pf]
        return (*_columns(pb), np.maximum(f[:, 2] - f[:, 0], f[:, 3] - f[:, 1]))

    x0, y0, x1, y1, size = _cached(layer, "_piece_columns", (pb, fb, pf), make)
    minx, miny, maxx, maxy = extent
    ok = feature_mask[pf]
    ok &= x1 >= minx
    ok &= x0 <= maxx
    ok &= y1 >= miny
    ok &= y0 <= maxy
    ok &= size / res >= min_pixels
    return np.flatnonzero(ok)


def features_extent(layer: LayerData, mask: np.ndarray) -> Extent | None:
    """The bounds (min x, min y, max x, max y) of the features in ``mask`` (None: none has any)."""
    b = layer.bounds
    cols = _cached(layer, "_feature_columns", (b,), lambda: _columns(b))
    if mask.all():
        out = _cached(layer, "_extent", (b,), lambda: tuple(
            float(f(c)) if len(c) and not np.isnan(c).all() else np.nan
            for f, c in zip((np.nanmin, np.nanmin, np.nanmax, np.nanmax), cols)))
    else:
        picked = [c[mask] for c in cols]
        if not len(picked[0]) or np.isnan(picked[0]).all():
            return None
        out = (float(np.nanmin(picked[0])), float(np.nanmin(picked[1])), float(np.nanmax(picked[2])),
               float(np.nanmax(picked[3])))
    return None if np.isnan(out[0]) else out
