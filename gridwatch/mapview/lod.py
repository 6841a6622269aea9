"""Outlines simplified per zoom level: where a layer's outline vertices crowd on screen (a city's township
boundaries seen whole: thousands of vertices less than a pixel apart), its antialiased outline is stroked
from a copy simplified to a quarter of a pixel, made once per zoom level (a power of two of the resolution)
and kept with the layer.  Stroking costs per vertex (every vertex is a join); a quarter-pixel change in
where a 2-pixel line runs does not show.  No Qt."""

from __future__ import annotations

import math

import numpy as np
import shapely

from .data import LayerData, make_pieces, set_rings
from .edges import shared_starts
from .spans import ranges

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


def outlines_for(layer: LayerData, res: float, once: bool = False) -> LayerData:
    """``layer`` itself, or a copy whose rings and pieces are simplified for a view of ``res`` degrees per
    pixel when its outlines crowd there (same features, same bounds: feature masks apply to both).

    ``once`` (the outlines of every feature the view shows are drawn): once the layer's shared boundaries
    are known (:func:`~gridwatch.mapview.edges.prepare`), the copy's "rings" are the lines each feature
    draws: its outline cut where a neighbour draws the boundary they share, each line simplified on its
    own (its ends kept, so the lines still meet).  A shared boundary is then stroked once, as it is from
    the layer itself (the city's townships seen whole: 35,900 vertices stroked, 23,000 with this)."""
    if layer.geoms is None or not len(layer.ring_feature) or res <= 0:
        return layer
    if mean_segment(layer) / res >= CROWDED_SEGMENT_PX:
        return layer
    level = math.floor(math.log2(res))  # 2 ** level <= res: the tolerance stays within TOLERANCE_PX
    tolerance = TOLERANCE_PX * 2.0**level
    starts = shared_starts(layer) if once else None
    if starts is not None:
        lines: dict[int, tuple[np.ndarray, LayerData]] = layer.__dict__.setdefault("_lod_lines", {})
        found = lines.get(level)
        if found is None or found[0] is not starts:  # made before the shared boundaries were known
            found = lines[level] = (starts, _simplified_lines(layer, starts, tolerance))
        return found[1]
    cache: dict[int, LayerData] = layer.__dict__.setdefault("_lod", {})
    hit = cache.get(level)
    if hit is None:
        hit = cache[level] = _simplified(layer, tolerance)
    return hit


def _simplified_lines(layer: LayerData, starts: np.ndarray, tolerance: float) -> LayerData:
    """A copy whose rings are the layer's outlines cut at ``starts`` (see :func:`outlines_for`), simplified."""
    xy, off = layer.ring_xy, layer.ring_offsets
    heads = np.union1d(off[:-1], starts)  # a line starts at every ring and where a neighbour takes over
    ends = np.append(heads[1:], len(xy))  # the segment into a head is not this line's
    keep = ends - heads >= 2
    heads, ends = heads[keep], ends[keep]
    run = np.repeat(np.arange(len(heads)), ends - heads)
    idx = ranges(heads, ends - heads)
    geoms = shapely.simplify(shapely.linestrings(xy[idx], indices=run), tolerance, preserve_topology=False)
    coords, which = shapely.get_coordinates(geoms, return_index=True)
    counts = np.bincount(which, minlength=len(geoms))
    kept = counts >= 2  # a line simplified to a point (or nothing) draws nothing
    out = LayerData(name=layer.name, spec=layer.spec, frame=layer.__dict__.get("_frame"), geoms=layer.geoms,
                    bounds=layer.bounds)
    out.ring_xy = np.ascontiguousarray(coords[kept[which]])
    out.ring_offsets = np.concatenate([[0], np.cumsum(counts[kept])]).astype(np.int64)
    ring_of = np.searchsorted(off, heads[kept], side="right") - 1
    out.ring_feature = layer.ring_feature[ring_of]
    if len(out.ring_feature):
        make_pieces(out)
    return out


def _simplified(layer: LayerData, tolerance: float) -> LayerData:
    assert layer.geoms is not None
    geoms = shapely.simplify(layer.geoms, tolerance, preserve_topology=True)
    out = LayerData(name=layer.name, spec=layer.spec, frame=layer.__dict__.get("_frame"), geoms=geoms,
                    bounds=layer.bounds)
    areas = np.unique(layer.ring_feature)
    set_rings(out, geoms, areas)
    return out
