"""Outlines simplified per zoom level: where a layer's outline vertices crowd on screen (a city's township
boundaries seen whole: thousands of vertices less than a pixel apart), its antialiased outline is stroked
from a copy simplified to a quarter of a pixel, made once per zoom level (a power of two of the resolution)
and kept with the layer.  Stroking costs per vertex (every vertex is a join); a quarter-pixel change in
where a 2-pixel line runs does not show.  No Qt."""

from __future__ import annotations

import math

import numpy as np
import shapely

from .data import LayerData, set_rings

#: Outlines are simplified when their segments are on average shorter than this many pixels.
CROWDED_SEGMENT_PX = 1.5
#: How far (pixels) a simplified outline may run from the original.
TOLERANCE_PX = 0.25


def mean_segment(layer: LayerData) -> float:
    """The mean length (degrees) of the segments of the layer's outlines (computed once)."""
    hit = layer.__dict__.get("_mean_segment")
    if hit is None:
        xy, off = layer.ring_xy, layer.ring_offsets
        if len(xy) < 2:
            hit = math.inf
        else:
            d = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
            within = np.ones(len(d), dtype=bool)
            ends = off[1:-1] - 1  # the step from a ring's last vertex to the next ring's first
            within[ends[(ends >= 0) & (ends < len(d))]] = False
            hit = float(d[within].mean()) if within.any() else math.inf
        layer.__dict__["_mean_segment"] = hit
    return hit


def outlines_for(layer: LayerData, res: float) -> LayerData:
    """``layer`` itself, or a copy whose rings and pieces are simplified for a view of ``res`` degrees per
    pixel when its outlines crowd there (same features, same bounds: feature masks apply to both)."""
    if layer.geoms is None or not len(layer.ring_feature) or res <= 0:
        return layer
    if mean_segment(layer) / res >= CROWDED_SEGMENT_PX:
        return layer
    level = math.floor(math.log2(res))  # 2 ** level <= res: the tolerance stays within TOLERANCE_PX
    cache: dict[int, LayerData] = layer.__dict__.setdefault("_lod", {})
    hit = cache.get(level)
    if hit is None:
        hit = cache[level] = _simplified(layer, TOLERANCE_PX * 2.0**level)
    return hit


def _simplified(layer: LayerData, tolerance: float) -> LayerData:
    assert layer.geoms is not None
    geoms = shapely.simplify(layer.geoms, tolerance, preserve_topology=True)
    out = LayerData(name=layer.name, spec=layer.spec, frame=layer.__dict__.get("_frame"), geoms=geoms,
                    bounds=layer.bounds)
    areas = np.unique(layer.ring_feature)
    set_rings(out, geoms, areas)
    return out
