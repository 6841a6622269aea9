"""Thin lines rasterised with numpy: 1-pixel polylines without antialiasing (cells, villages).

Every segment is sampled once per pixel along its longer axis (``ceil(length) + 1`` samples, evenly
spaced, rounded to the nearest pixel) and the samples are set in the image: the pixels a non-antialiased
cosmetic pen paints, in a few vectorised steps instead of one long QPainter call holding the interpreter
lock.  A full view of a city's grid is a million segments of 1-4 pixels: those are sampled by
broadcasting, grouped by their number of samples (an ``(s, n)`` array per group, no repeat and no
gathers per sample); longer segments, and segments crossing the view's edges, by the generic path
(one repeat, a gather per sample).  Both compute every sample with the same float32 operations, so
they set the same pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from .raster import RGBA, _premultiplied_bgra

#: Samples per batch of the generic path: short numpy calls keep other threads (the GUI) from waiting
#: long for the interpreter lock, and temporaries stay small.
CHUNK = 100_000
#: Segments per pass (its temporaries stay in the processor's cache: about CHUNK samples at a full view).
SEGMENTS = 32_768
#: Segments of up to this many samples take the broadcast path (0: none, everything the generic path).
SHORT = 16


def _fractions(s: int) -> np.ndarray:
    """``k / (s - 1)`` for the ``s`` samples of a segment, as a column, in float32 (as the generic path)."""
    return (np.arange(s, dtype=np.float32) * np.float32(1.0 / max(s - 1, 1)))[:, None]


_FRACTIONS = [_fractions(s) for s in range(64)]


@dataclass(frozen=True)
class Polylines:
    """Polylines in pixels: vertices ``x``, ``y`` (float64); a segment joins every vertex ``i`` to vertex
    ``i + 1`` except where ``i`` is in ``cut`` (sorted).  Segments below index ``inside`` are known to lie
    within ``[1, width - 2] x [1, height - 2]`` (or are cut): they skip every test against the view."""

    x: np.ndarray
    y: np.ndarray
    cut: np.ndarray
    inside: int = 0

    @classmethod
    def from_runs(cls, x: np.ndarray, y: np.ndarray, run_lengths: np.ndarray, inside_runs: int = 0) -> "Polylines":
        """Consecutive runs of vertices, one polyline each (no segment from one run into the next); the
        first ``inside_runs`` runs lie within the view, one pixel from its edges."""
        ends = np.cumsum(np.asarray(run_lengths, dtype=np.int64))
        inside = int(ends[inside_runs - 1]) if inside_runs else 0
        return cls(x, y, ends[(ends >= 1) & (ends < len(x))] - 1, inside)


def draw_lines(lines: Polylines, color: RGBA, width: int, height: int, out: np.ndarray | None = None) -> np.ndarray:
    """The 1-pixel lines of ``lines`` in ``color`` (opaque or not, set, not blended): into ``out`` or a new
    (height, width, 4) premultiplied BGRA image."""
    img = out if out is not None else np.zeros((height, width, 4), dtype=np.uint8)
    flat = img.view(np.uint32).reshape(-1)
    value = _premultiplied_bgra(np.array([color], dtype=np.uint8)).view(np.uint32)[0, 0]
    for index in line_pixels(lines, width, height):
        flat[index] = value
    return img


def draw_polylines(x: np.ndarray, y: np.ndarray, run_lengths: np.ndarray, color: RGBA, width: int, height: int,
                   out: np.ndarray | None = None) -> np.ndarray:
    """1-pixel lines along polylines: vertices ``(x, y)`` in pixels in consecutive runs (one polyline each);
    see :func:`draw_lines`."""
    return draw_lines(Polylines.from_runs(x, y, run_lengths), color, width, height, out)


def polyline_pixels(x: np.ndarray, y: np.ndarray, run_lengths: np.ndarray, width: int,
                    height: int) -> Iterator[np.ndarray]:
    """The pixels (flat indices, a pixel may come twice) :func:`draw_polylines` sets, in batches."""
    return line_pixels(Polylines.from_runs(x, y, run_lengths), width, height)


def line_pixels(lines: Polylines, width: int, height: int) -> Iterator[np.ndarray]:
    """The pixels (flat indices, a pixel may come twice) of the segments of ``lines``, in batches."""
    x, y = lines.x, lines.y
    n = len(x) - 1
    cut = np.asarray(lines.cut, dtype=np.int64)
    # Segments far outside the view (when zoomed in) are cut to the screen before sampling.
    cap = 2 * (width + height)
    step_type = np.uint16 if cap < 2**16 else np.int64
    short = min(SHORT, len(_FRACTIONS) - 1)
    for a in range(0, max(n, 0), SEGMENTS):
        b = min(a + SEGMENTS, n)
        x0, y0, x1, y1 = x[a:b], y[a:b], x[a + 1:b + 1], y[a + 1:b + 1]
        dx, dy = x1 - x0, y1 - y0
        length = np.maximum(np.abs(dx), np.abs(dy))
        np.ceil(length, out=length)
        length += 1
        np.minimum(length, cap, out=length)
        steps = length.astype(step_type)
        lo, hi = np.searchsorted(cut, (a, b))
        steps[cut[lo:hi] - a] = 0
        # What each segment takes: 0 nothing, 1..short the broadcast path, short + 1 the generic path
        # unchecked, short + 2 the generic path with every sample checked against the view.
        key = np.minimum(steps, short + 1).astype(np.uint8)
        k = min(max(lines.inside - a, 0), b - a)
        if k < b - a:  # segments not known to be inside: wholly off one side of the view, or crossing its edges
            t = slice(k, None)
            p0, q0, p1, q1 = x0[t], y0[t], x1[t], y1[t]
            off = (((p0 < 0) & (p1 < 0)) | ((p0 >= width) & (p1 >= width)) | ((q0 < 0) & (q1 < 0))
                   | ((q0 >= height) & (q1 >= height)))
            inside = ((np.minimum(p0, p1) >= 1) & (np.maximum(p0, p1) <= width - 2) & (np.minimum(q0, q1) >= 1)
                      & (np.maximum(q0, q1) <= height - 2))
            tail = key[t]
            tail[~inside & (tail > 0)] = short + 2
            tail[off] = 0
        counts = np.bincount(key, minlength=short + 3)
        order = np.argsort(key, kind="stable")
        bounds = np.cumsum(counts).tolist()
        if bounds[short] > bounds[0]:
            fast = order[bounds[0]:bounds[short]]
            fx0, fy0 = x0[fast].astype(np.float32), y0[fast].astype(np.float32)
            fdx, fdy = dx[fast].astype(np.float32), dy[fast].astype(np.float32)
            base = bounds[0]
            for s in range(1, short + 1):
                if counts[s]:
                    g = slice(bounds[s - 1] - base, bounds[s] - base)
                    yield _broadcast_pixels(fx0[g], fy0[g], fdx[g], fdy[g], _FRACTIONS[s], width)
        for group, checked in ((order[bounds[short]:bounds[short + 1]], False),
                               (order[bounds[short + 1]:bounds[short + 2]], True)):
            if len(group):
                yield from _generic_pixels(x0[group], y0[group], dx[group], dy[group],
                                           steps[group].astype(np.int64), width, height, checked)


def _broadcast_pixels(x0: np.ndarray, y0: np.ndarray, dx: np.ndarray, dy: np.ndarray, frac: np.ndarray,
                      width: int) -> np.ndarray:
    """The samples of segments inside the view with ``len(frac)`` samples each: an (s, n) array."""
    px = frac * dx
    px += x0
    np.rint(px, out=px)
    py = frac * dy
    py += y0
    np.rint(py, out=py)
    # Whole pixel positions are exact in float32 up to 2**24 pixels.
    py *= np.float32(width)
    py += px
    return py.astype(np.intp).reshape(-1)


def _generic_pixels(x0: np.ndarray, y0: np.ndarray, dx: np.ndarray, dy: np.ndarray, steps: np.ndarray,
                    width: int, height: int, checked: bool) -> Iterator[np.ndarray]:
    """The samples of segments of any length, in batches of about CHUNK samples."""
    ends = np.searchsorted(np.cumsum(steps), np.arange(CHUNK, int(steps.sum()) + CHUNK, CHUNK))
    start = 0
    for end in np.unique(np.minimum(ends + 1, len(steps))).tolist():
        if end <= start:
            continue
        part = slice(start, end)
        yield _segment_pixels(x0[part], y0[part], dx[part], dy[part], steps[part], width, height, checked)
        start = end


def _segment_pixels(x0: np.ndarray, y0: np.ndarray, dx: np.ndarray, dy: np.ndarray, steps: np.ndarray,
                    width: int, height: int, checked: bool) -> np.ndarray:
    total = int(steps.sum())
    if total == 0:
        return np.empty(0, dtype=np.intp)
    # The segment of every sample (one repeat; gathers by it are faster than more repeats).
    seg = np.repeat(np.arange(len(steps), dtype=np.intp), steps)
    frac = np.arange(total, dtype=np.float32)
    frac -= np.take((np.cumsum(steps) - steps).astype(np.float32), seg)
    frac *= np.take((1.0 / np.maximum(steps - 1, 1)).astype(np.float32), seg)
    px = np.take(dx.astype(np.float32), seg)
    px *= frac
    px += np.take(x0.astype(np.float32), seg)
    np.rint(px, out=px)
    py = np.take(dy.astype(np.float32), seg)
    py *= frac
    py += np.take(y0.astype(np.float32), seg)
    np.rint(py, out=py)
    if checked:
        ok = (px >= 0) & (px < width) & (py >= 0) & (py < height)
        px, py = px[ok], py[ok]
    # Whole pixel positions are exact in float32 up to 2**24 pixels.
    py *= np.float32(width)
    py += px
    return py.astype(np.intp)
