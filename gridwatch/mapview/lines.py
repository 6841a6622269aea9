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

from ..tasks import breathe
from .raster import RGBA, _premultiplied_bgra
from .spans import run_ids

#: Samples per batch of the generic path: short numpy calls keep other threads (the GUI) from waiting
#: long for the interpreter lock, and temporaries stay small.
CHUNK = 100_000
#: Segments per pass.  Big passes: the map renders layers on two threads, and every numpy call of a pass
#: gives the interpreter lock to the other thread (drawing with Qt, which keeps it) and waits to get it back;
#: 16,384 segments a pass took a city's grid 190 ms beside the other layers, 131,072 about 120 ms (numpy
#: works without the lock, so the GUI thread is not kept waiting by a long call).
SEGMENTS = 131072
#: Segments of up to this many samples take the broadcast path (0: none, everything the generic path).
SHORT = 16
#: A group of short segments with fewer samples than this takes the generic path (with the others).
FEW_SAMPLES = 2048


def _fractions(s: int) -> np.ndarray:
    """``k / (s - 1)`` for the ``s`` samples of a segment, as a column, in float32 (as the generic path)."""
    return (np.arange(s, dtype=np.float32) * np.float32(1.0 / max(s - 1, 1)))[:, None]


_FRACTIONS = [_fractions(s) for s in range(64)]


@dataclass(frozen=True)
class Polylines:
    """Polylines: vertices ``x``, ``y`` (float64); a segment joins every vertex to the next except where a
    polyline starts.  Vertex ``i`` is numbered ``base + i``; every array of ``starts`` (each sorted) lists
    vertex numbers where a polyline starts (no segment joins the vertex before).  Segments below index
    ``inside`` (vertex ``i`` to ``i + 1``, ``i < inside``) are known to lie within ``[1, width - 2] x
    [1, height - 2]`` or to be cut: they skip every test against the view."""

    x: np.ndarray
    y: np.ndarray
    starts: tuple[np.ndarray, ...] = ()
    inside: int = 0
    #: ``(sx, ox, sy, oy)``: the pixels are ``x * sx + ox``, ``y * sy + oy`` (map coordinates transformed
    #: a batch at a time); None: ``x``, ``y`` are pixels.
    affine: tuple[float, float, float, float] | None = None
    base: int = 0
    #: The vertices as indices into ``x``, ``y`` (gathered a batch at a time); None: all of them.
    index: np.ndarray | None = None

    def __len__(self) -> int:
        """The number of vertices."""
        return len(self.x) if self.index is None else len(self.index)

    def pixels(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """The pixel coordinates of vertices ``start:stop``."""
        if self.index is None:
            x, y = self.x[start:stop], self.y[start:stop]
        else:
            index = self.index[start:stop]
            x, y = self.x[index], self.y[index]
        if self.affine is None:
            return x, y
        sx, ox, sy, oy = self.affine
        return x * sx + ox, y * sy + oy

    @classmethod
    def from_runs(cls, x: np.ndarray, y: np.ndarray, run_lengths: np.ndarray, inside_runs: int = 0,
                  affine: tuple[float, float, float, float] | None = None) -> "Polylines":
        """Consecutive runs of vertices, one polyline each (no segment from one run into the next); the
        first ``inside_runs`` runs lie within the view, one pixel from its edges."""
        ends = np.cumsum(np.asarray(run_lengths, dtype=np.int64))
        inside = int(ends[inside_runs - 1]) if inside_runs else 0
        return cls(x, y, (ends,), inside, affine)


def draw_lines(lines: Polylines, color: RGBA, width: int, height: int, out: np.ndarray | None = None,
               pixel: int | None = None) -> np.ndarray:
    """The 1-pixel lines of ``lines`` in ``color`` (opaque or not, set, not blended), or set to the premultiplied
    BGRA value ``pixel`` when given: into ``out`` or a new (height, width, 4) premultiplied BGRA image."""
    img = out if out is not None else np.zeros((height, width, 4), dtype=np.uint8)
    flat = img.view(np.uint32).reshape(-1)
    value = (np.uint32(pixel) if pixel is not None
             else _premultiplied_bgra(np.array([color], dtype=np.uint8)).view(np.uint32)[0, 0])
    for index in line_pixels(lines, width, height):
        flat[index] = value
        breathe()
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
    n = len(lines) - 1
    base = lines.base
    short = min(SHORT, len(_FRACTIONS) - 1)
    for a in range(0, max(n, 0), SEGMENTS):
        b = min(a + SEGMENTS, n)
        x, y = lines.pixels(a, b + 1)
        x0, y0, x1, y1 = x[:-1], y[:-1], x[1:], y[1:]
        dx, dy = x1 - x0, y1 - y0
        # ceil(length): a segment takes ceil(length) + 1 samples.
        length = np.abs(dx)
        np.maximum(length, np.abs(dy), out=length)
        np.ceil(length, out=length)
        # What each segment takes: 0 nothing, 1..short samples the broadcast path, short + 1 the generic
        # path unchecked, short + 2 the generic path with every sample checked against the view.
        key = np.empty(b - a, dtype=np.uint8)
        np.minimum(length, short, out=key, casting="unsafe")
        key += 1
        for starts in lines.starts:  # no segment into the first vertex of a polyline
            first = base + a + 1
            cut = starts[np.searchsorted(starts, first):np.searchsorted(starts, base + b, side="right")]
            key[cut - first] = 0
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
        few = np.flatnonzero((counts[1:short + 1] > 0)
                             & (counts[1:short + 1] * np.arange(1, short + 1) < FEW_SAMPLES)) + 1
        if len(few):  # groups too small to be worth their numpy calls: the generic path (unchecked)
            kind = np.arange(short + 3, dtype=np.uint8)
            kind[few] = short + 1
            key = kind[key]
            counts = np.bincount(key, minlength=short + 3)
        kinds = np.flatnonzero(counts[1:]) + 1
        if len(kinds) <= 6:  # a few kinds (a full view: segments of 2-5 samples): a pass over the keys each
            groups = [(int(s), np.flatnonzero(key == s)) for s in kinds.tolist()]
        else:  # many: one stable sort of the keys (a radix sort of bytes)
            order = np.argsort(key, kind="stable")
            bounds = np.cumsum(counts).tolist()
            groups = [(s, order[bounds[s - 1]:bounds[s]]) for s in kinds.tolist()]
        for s, group in groups:
            if s <= short:
                yield _broadcast_pixels(x0[group], y0[group], dx[group], dy[group], _FRACTIONS[s], width)
            else:
                # Segments far outside the view (when zoomed in) are cut to the screen before sampling.
                steps = np.minimum(length[group] + 1, 2 * (width + height)).astype(np.int64)
                yield from _generic_pixels(x0[group], y0[group], dx[group], dy[group], steps, width, height,
                                           s == short + 2)


def _broadcast_pixels(x0: np.ndarray, y0: np.ndarray, dx: np.ndarray, dy: np.ndarray, frac: np.ndarray,
                      width: int) -> np.ndarray:
    """The samples of segments inside the view with ``len(frac)`` samples each: an (s, n) array."""
    px = frac * dx.astype(np.float32)
    px += x0.astype(np.float32)
    np.rint(px, out=px)
    py = frac * dy.astype(np.float32)
    py += y0.astype(np.float32)
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
    seg = run_ids(steps)
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
