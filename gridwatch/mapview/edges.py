"""Edges two rings share, drawn once: neighbouring grid cells (and villages) run along the same boundary, and
drawing every ring's outline whole draws half of a grid's segments twice (measured on the stress district: 49.6 %
of the cells' segments, 48.9 % of the villages').  No Qt.

A segment is shared when another ring has one with the same two end points (either way round, the coordinates
equal to the bit).  Of each such group one is drawn: the one of the biggest feature (bounds' longer side), then
of the first ring, so a feature drawn at a zoom level (a view skips features under a pixel or two wide) draws
its shared segments, or the bigger neighbour it shares them with does.  The others are marked: their outline is
cut at them, the way a polyline starts (see :class:`~gridwatch.mapview.lines.Polylines`).

Found once per layer by :func:`prepare` (the stress district's grid: about 40 ms; a city's: 0.6 s), on a worker
after the first paint, and kept with the layer until its rings are replaced; until then every ring is drawn whole
(the same lines).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from .data import LayerData
from .visible import _cached

#: Odd 64-bit multipliers mixing a segment's four coordinates into one hash (collisions are checked).
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9),
        np.uint64(0xD6E8FEB86659FD93))


def prepare(layer: LayerData) -> np.ndarray:
    """Find the layer's shared segments (see :func:`shared_starts`) now and keep them with it: a long step for a
    big grid, run on a worker after the first paint (the map draws every ring whole until then)."""
    starts = _cached(layer, _KEY, _sources(layer), lambda: _shared_starts(*_sources(layer)))

    def make() -> np.ndarray:
        mask = np.zeros(len(layer.ring_xy), dtype=bool)
        mask[starts] = True
        return mask

    _cached(layer, _MASK_KEY, (starts,), make)
    return starts


def shared_starts(layer: LayerData) -> Optional[np.ndarray]:
    """Vertex numbers ``v`` (ascending) whose segment from vertex ``v - 1`` another ring draws: outlines start
    anew at them.  None until :func:`prepare` has found them for the layer's current rings."""
    hit = layer.__dict__.get(_KEY)
    if hit is None or any(a is not b for a, b in zip(hit[0], _sources(layer))):
        return None
    return hit[1]


def shared_mask(layer: LayerData) -> Optional[np.ndarray]:
    """A flag per vertex: True where :func:`shared_starts` has it (None when that is None)."""
    starts = shared_starts(layer)
    hit = layer.__dict__.get(_MASK_KEY)
    if starts is None or hit is None or hit[0][0] is not starts:
        return None
    return hit[1]


_KEY, _MASK_KEY = "_shared_starts", "_shared_mask"


def _sources(layer: LayerData) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return layer.ring_xy, layer.ring_offsets, layer.ring_feature, layer.bounds


#: Segments looked at together: a big grid's are split into bands of their western end's longitude (a
#: segment and its copies fall in one band), so the arrays of a search stay small (the city's grid: 1.2
#: million segments, about 250 MB of temporary arrays at once before).
BAND_SEGMENTS = 150_000


def _shared_starts(xy: np.ndarray, offsets: np.ndarray, ring_feature: np.ndarray,
                   bounds: np.ndarray) -> np.ndarray:
    n = len(xy)
    if n < 2 or len(offsets) < 3:  # one ring shares nothing with another
        return np.empty(0, dtype=np.int64)
    # Segment i joins vertex i to i + 1, but where vertex i + 1 starts a ring.
    keep = np.ones(n - 1, dtype=bool)
    inner = offsets[1:-1]
    keep[inner[(inner > 0) & (inner < n)] - 1] = False
    seg = np.flatnonzero(keep)
    del keep
    with np.errstate(invalid="ignore"):
        size = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])  # per feature
    size[np.isnan(size)] = -np.inf
    bands = len(seg) // BAND_SEGMENTS + 1
    if bands == 1:
        return _band_shared(xy, seg, offsets, ring_feature, size)
    west = np.minimum(xy[seg, 0], xy[seg + 1, 0]) + 0.0  # -0.0 and 0.0 are one coordinate
    cuts = np.quantile(west[np.isfinite(west)], np.linspace(0, 1, bands + 1)[1:-1]) if np.isfinite(west).any() \
        else np.empty(0)
    band = np.searchsorted(cuts, west)
    del west
    found = [_band_shared(xy, seg[band == k], offsets, ring_feature, size) for k in range(bands)]
    return np.sort(np.concatenate(found))


def _band_shared(xy: np.ndarray, seg: np.ndarray, offsets: np.ndarray, ring_feature: np.ndarray,
                 feature_size: np.ndarray) -> np.ndarray:
    """The vertex numbers that start anew after the shared segments ``seg`` (ascending) of others."""
    if len(seg) < 2:
        return np.empty(0, dtype=np.int64)
    a, b = xy[seg], xy[seg + 1]
    # Each segment's end points in one order (the smaller x, then the smaller y, first).
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    keys = np.empty((len(seg), 4), dtype=np.float64)
    keys[:, :2] = np.where(swap[:, None], b, a)
    keys[:, 2:] = np.where(swap[:, None], a, b)
    del a, b, swap
    keys += 0.0  # -0.0 and 0.0 are one coordinate
    bits = keys.view(np.uint64)
    h = bits[:, 0] * _MIX[0]
    for i in range(1, 4):
        h ^= (bits[:, i] * _MIX[i]) + (h >> np.uint64(29))
    order = np.argsort(h, kind="stable")
    hs = h[order]
    maybe = np.flatnonzero(hs[1:] == hs[:-1])  # order[maybe] and order[maybe + 1] have one hash
    del h, hs
    if len(maybe) == 0:
        return np.empty(0, dtype=np.int64)
    same = np.zeros(len(seg), dtype=bool)  # same[k]: the k-th in hash order has the key of the one before
    same[maybe + 1] = (keys[order[maybe]] == keys[order[maybe + 1]]).all(axis=1)
    del keys, bits
    # Runs of equal keys in hash order (equal hashes with other keys between them: one run each, as a key's
    # copies are adjacent unless another key collides with it, which splits the run and only draws more).
    first = ~same
    run = np.cumsum(first) - 1
    run_start = np.flatnonzero(first)
    sizes = np.diff(np.append(run_start, len(seg)))
    multi = sizes[run] > 1
    if not multi.any():
        return np.empty(0, dtype=np.int64)
    members = order[multi]  # segments (indices into seg) in runs of two or more, run by run
    member_run = run[multi]
    ring = np.searchsorted(offsets, seg[members], side="right") - 1
    size = feature_size[ring_feature[ring]]
    starts = np.flatnonzero(np.r_[True, member_run[1:] != member_run[:-1]])
    biggest = np.maximum.reduceat(size, starts)
    counts = np.diff(np.append(starts, len(members)))
    candidate = size == np.repeat(biggest, counts)
    lowest = np.minimum.reduceat(np.where(candidate, members, np.iinfo(np.int64).max), starts)
    owner = members == np.repeat(lowest, counts)
    return np.sort(seg[members[~owner]] + 1)
