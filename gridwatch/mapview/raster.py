"""Point layers rasterised with numpy: markers for a few points, a density raster for many.

Drawing half a million markers with QPainter takes seconds; stamping a small disc into an RGBA
array with numpy takes milliseconds.  Images are premultiplied ARGB32 in native byte order
(B, G, R, A bytes on little-endian machines), ready to wrap as a ``QImage`` without copying.
"""

from __future__ import annotations

import functools
from typing import Optional

import numpy as np

from .spans import ranges

RGBA = tuple[int, int, int, int]


def _premultiplied_bgra(colors: np.ndarray) -> np.ndarray:
    """(n, 4) RGBA uint8 -> (n, 4) premultiplied B, G, R, A uint8."""
    c = colors.astype(np.float32)
    a = c[:, 3:4] / 255.0
    out = np.empty_like(colors, dtype=np.uint8)
    out[:, 0] = np.round(c[:, 2] * a[:, 0])
    out[:, 1] = np.round(c[:, 1] * a[:, 0])
    out[:, 2] = np.round(c[:, 0] * a[:, 0])
    out[:, 3] = colors[:, 3]
    return out


@functools.lru_cache(maxsize=32)
def _disc_offsets(radius: float) -> tuple[np.ndarray, np.ndarray]:
    """The pixel offsets of a disc of ``radius`` (made once per radius: markers of a layer share one)."""
    r = int(np.ceil(radius))
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    inside = dx * dx + dy * dy <= radius * radius + 0.5
    ox, oy = dx[inside], dy[inside]
    ox.flags.writeable = oy.flags.writeable = False
    return ox, oy


def byte_mul(p: np.ndarray | np.uint32, a: np.ndarray | int) -> np.ndarray:
    """Every byte of premultiplied pixels ``p`` (uint32) times ``a / 255`` (0..255 per pixel), rounded as
    Qt's raster engine rounds (``BYTE_MUL``), so a blend here gives the pixels QPainter's would."""
    a = np.asarray(a).astype(np.uint32)
    t = (p & 0xFF00FF) * a
    t = ((t + ((t >> 8) & 0xFF00FF) + 0x800080) >> 8) & 0xFF00FF
    u = ((p >> 8) & 0xFF00FF) * a
    u = (u + ((u >> 8) & 0xFF00FF) + 0x800080) & 0xFF00FF00
    return t | u


def blend_over(flat: np.ndarray, index: np.ndarray, value: np.ndarray) -> None:
    """Composite premultiplied pixels ``value`` (uint32, one per index) over ``flat[index]`` ("source over",
    the rounding of Qt's raster engine).  An index may repeat if its value does: every copy is blended from
    the pixel as it was, so the pixel is blended once."""
    if not len(index):
        return
    dst = flat[index]
    flat[index] = value + byte_mul(dst, 255 - (value >> 24))


@functools.lru_cache(maxsize=16)
def _byte_mul_table(a: int) -> np.ndarray:
    """:func:`byte_mul` of every pair of bytes (a 16-bit half of a pixel) by ``a / 255``: 65,536 entries."""
    t = np.arange(1 << 16, dtype=np.uint32)
    table = byte_mul(t, a).astype(np.uint16)  # the high byte of each 16-bit half is a channel of its own
    table.flags.writeable = False
    return table


def blend_constant(flat: np.ndarray, index: np.ndarray, value: int) -> None:
    """:func:`blend_over` of one premultiplied pixel ``value`` over every ``flat[index]``: the pixels beneath
    scaled two bytes at a time through a table (two gathers instead of a dozen passes of arithmetic), then
    the value added (no byte overflows: premultiplied).  The same pixels as :func:`blend_over`."""
    if not len(index):
        return
    value = int(value)
    beneath = np.take(flat, index)
    scaled = np.take(_byte_mul_table(255 - (value >> 24)), beneath.view(np.uint16)).view(np.uint32)
    scaled += np.uint32(value)
    flat[index] = scaled


def _marker_writes(x: np.ndarray, y: np.ndarray, cols: np.ndarray, radius: float, width: int,
                   height: int) -> tuple[np.ndarray, np.ndarray]:
    """``(pixel index, colour)`` of one disc per point, in the order the loop below writes them: offset by
    offset, every point for each offset (later writes win)."""
    ox, oy = _disc_offsets(radius)
    xx, yy = (x[None, :] + ox[:, None]).ravel(), (y[None, :] + oy[:, None]).ravel()
    ok = (xx >= 0) & (xx < width) & (yy >= 0) & (yy < height)
    return yy[ok] * width + xx[ok], np.broadcast_to(cols[None, :], (len(ox), len(x))).ravel()[ok]


#: Up to this many pixel writes markers are stamped in one scatter per pass (few markers: sources, sites);
#: beyond, one scatter per disc offset (many fire points: the temporaries stay small).
MARKER_WRITES = 200_000


def splat_markers(
    px: np.ndarray,
    py: np.ndarray,
    color_index: np.ndarray,
    palette: np.ndarray,
    width: int,
    height: int,
    radius: float = 2.5,
    outline: RGBA | None = (60, 20, 0, 255),
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Draw a filled disc per point; returns an (height, width, 4) premultiplied BGRA image.

    ``color_index`` picks a row of ``palette`` ((k, 4) RGBA) per point.  Later points are drawn
    over earlier ones, so put the most important last.  With ``out`` (an image holding a layer's fills and
    outlines) the markers are composited over it, as if drawn into an image of their own and laid on top.
    """
    img = out if out is not None else np.zeros((height, width, 4), dtype=np.uint8)
    if len(px) == 0:
        return img
    # One uint32 per pixel: a disc offset (or a pass, for few markers) is a single scatter over all points.
    flat = img.view(np.uint32).reshape(-1)
    x = np.round(px).astype(np.int64)
    y = np.round(py).astype(np.int64)
    r_out = int(np.ceil(radius + (1.0 if outline is not None else 0.0)))
    keep = (x >= -r_out) & (x < width + r_out) & (y >= -r_out) & (y < height + r_out)
    x, y, ci = x[keep], y[keep], color_index[keep]
    colors = _premultiplied_bgra(np.asarray(palette, dtype=np.uint8)).view(np.uint32).reshape(-1)
    passes = []
    if outline is not None:
        ring = _premultiplied_bgra(np.array([outline], np.uint8)).view(np.uint32).reshape(-1)[0]
        passes.append((radius + 1.0, np.full(len(x), ring, dtype=np.uint32)))
    passes.append((radius, colors[ci]))
    writes = sum(len(x) * len(_disc_offsets(rad)[0]) for rad, _ in passes)
    if writes <= MARKER_WRITES:
        # Few markers (sources, sites): every pixel write of a pass in one scatter.
        stamps = [_marker_writes(x, y, cols, rad, width, height) for rad, cols in passes]
        index = np.concatenate([w[0] for w in stamps])
        value = np.concatenate([w[1] for w in stamps])
        if out is None:
            flat[index] = value
        else:  # over what the layer holds: each pixel's last write (read back from a scratch) blended once
            scratch = np.empty(width * height, dtype=np.uint32)
            scratch[index] = value
            blend_over(flat, index, scratch[index])
        return img
    if out is not None:  # many markers over a layer's fills: stamped apart, then laid over it
        own = splat_markers(px, py, color_index, palette, width, height, radius, outline)
        mine = own.view(np.uint32).reshape(-1)
        index = np.flatnonzero(mine)
        blend_over(flat, index, mine[index])
        return img
    interior = (x >= r_out) & (x < width - r_out) & (y >= r_out) & (y < height - r_out)
    xi, yi = x[interior], y[interior]
    base = yi * width + xi
    xe, ye = x[~interior], y[~interior]
    for rad, cols in passes:
        ci_in, ci_edge = cols[interior], cols[~interior]
        ox, oy = _disc_offsets(rad)
        for dx, dy in zip(ox.tolist(), oy.tolist()):
            flat[base + (dy * width + dx)] = ci_in
            if len(xe):
                xx, yy = xe + dx, ye + dy
                ok = (xx >= 0) & (xx < width) & (yy >= 0) & (yy < height)
                flat[yy[ok] * width + xx[ok]] = ci_edge[ok]
    return img


def density_image(
    px: np.ndarray,
    py: np.ndarray,
    width: int,
    height: int,
    cell: int = 3,
    color: RGBA = (230, 60, 0, 255),
    weights: np.ndarray | None = None,
    upsample: bool = True,
) -> np.ndarray:
    """Density of points in ``cell`` x ``cell`` pixel bins as a translucent heat raster.

    With ``upsample=False`` the raster is returned at bin resolution (``ceil(height / cell)`` x
    ``ceil(width / cell)``) for the caller to scale when drawing.

    Opacity grows with the logarithm of the count, so single detections stay visible and dense
    clusters saturate instead of hiding everything else.
    """
    gw = (width + cell - 1) // cell
    gh = (height + cell - 1) // cell
    img = np.zeros((height, width, 4) if upsample else (gh, gw, 4), dtype=np.uint8)
    if len(px) == 0:
        return img
    gx = np.floor(px / cell).astype(np.int64)
    gy = np.floor(py / cell).astype(np.int64)
    ok = (gx >= 0) & (gx < gw) & (gy >= 0) & (gy < gh)
    w = None if weights is None else weights[ok]
    counts = np.bincount(gy[ok] * gw + gx[ok], weights=w, minlength=gw * gh).reshape(gh, gw)
    tile = _density_colors(counts, gh, gw, color)
    if tile is None:
        return img
    if not upsample:
        return tile
    img[:] = np.repeat(np.repeat(tile, cell, axis=0), cell, axis=1)[:height, :width]
    return img


def _density_colors(counts: np.ndarray, gh: int, gw: int, color: RGBA) -> Optional[np.ndarray]:
    """The heat raster of bin counts (gh, gw); None when every count is 0."""
    top = counts.max()
    if top == 0:
        return None
    # Colours of the occupied bins only (empty bins stay transparent): a zoomed-in view or a district that
    # fills part of its view colours a fraction of the raster.
    flat = counts.reshape(-1)
    occupied = np.flatnonzero(flat > 0)
    c = flat[occupied]
    tile = np.zeros((gh, gw, 4), dtype=np.uint8)
    whole = c.astype(np.int64)
    if top < len(occupied) and np.array_equal(whole, c):
        # Counts of whole points, fewer kinds than bins: each count's shade made once and looked up (the
        # same arithmetic per value, so the same pixels).
        table = _shades(np.arange(int(top) + 1, dtype=np.float32), top, color)
        tile.reshape(-1).view(np.uint32)[occupied] = table.view(np.uint32).reshape(-1)[whole]
    else:
        tile.reshape(-1, 4)[occupied] = _shades(c.astype(np.float32), top, color)
    return tile


def _shades(c: np.ndarray, top: float, color: RGBA) -> np.ndarray:
    """Premultiplied BGRA shades (n, 4) of counts ``c`` (float32) on a scale up to ``top``."""
    level = np.log1p(c) * np.float32(1.0 / np.log1p(top))
    alpha = np.float32(0.35) + np.float32(0.65) * level
    # Colour shifts from orange to deep red as density grows.
    r = color[0] * (1 - 0.3 * level) + 200 * 0.3 * level
    g = color[1] * (1 - level)
    b = color[2] * (1 - level)
    shades = np.stack([b * alpha, g * alpha, r * alpha, 255 * alpha], axis=-1)
    return np.ascontiguousarray(shades.round().astype(np.uint8))


def _column_row_order(col: np.ndarray, row: np.ndarray, key: np.ndarray) -> np.ndarray:
    """The order of bins by column, then row (``key``): two radix sorts of 16-bit numbers when the columns and
    rows fit them (a district's finest level: 3 million bins in 0.3 s, a sort of the 64-bit keys 0.9 s)."""
    if int(col.max()) < 65536 and int(row.max()) < 65536:
        by_row = np.argsort(row.astype(np.uint16), kind="stable")
        return by_row[np.argsort(col[by_row].astype(np.uint16), kind="stable")]
    return np.argsort(key, kind="stable")


class DensityBins:
    """Points pre-counted on a fine grid, so a zoomed-out density raster costs O(bins).

    ``xy`` holds the centre of every occupied bin and ``count`` its number of points; ``cell`` is
    the bin size in degrees (a density raster from the bins is exact to half a bin).
    """

    def __init__(self, xy: np.ndarray, cell: float, max_bins: int = 2048) -> None:
        self.cell = 0.0
        self.count = np.empty(0)
        self._xy: Optional[np.ndarray] = None
        #: Grid origin and the occupied bins' integer positions (coarser levels are made from them).
        self.origin = (0.0, 0.0)
        self.ix = np.empty(0, dtype=np.int64)
        self.iy = np.empty(0, dtype=np.int64)
        #: Each bin's column and row as one sortable number (rows ``_span`` to a column), see :meth:`window`.
        self._key = np.empty(0, dtype=np.int64)
        self._span = 1
        if len(xy) == 0:
            return
        finite = np.isfinite(xy).all(axis=1)
        if not finite.all():
            xy = xy[finite]
        minx, miny = xy.min(axis=0)
        maxx, maxy = xy.max(axis=0)
        size = max(maxx - minx, maxy - miny, 1e-9)
        cell = max(cell, size / max_bins)
        nx = int(np.ceil((maxx - minx) / cell)) + 1
        inv = 1.0 / cell
        ix = ((xy[:, 0] - minx) * inv).astype(np.int64)
        iy = ((xy[:, 1] - miny) * inv).astype(np.int64)
        counts = np.bincount(iy * nx + ix)
        occupied = np.flatnonzero(counts)
        self._set(float(minx), float(miny), cell, occupied % nx, occupied // nx, counts[occupied])

    def _set(self, minx: float, miny: float, cell: float, ix: np.ndarray, iy: np.ndarray, count: np.ndarray) -> None:
        """Set the bins, in column order and by row within a column (see :meth:`window`; stored counts are
        read in column order)."""
        ix, iy = ix.astype(np.int64, copy=False), iy.astype(np.int64, copy=False)
        self._key = np.empty(0, dtype=np.int64)
        self._span = 1
        if len(ix):
            self._x0, self._y0 = int(ix.min()), int(iy.min()) - 1  # key 0: column x0, the row before y0
            self._span = int(iy.max()) - self._y0 + 2  # a row either side of the occupied ones (see window)
            key = (ix - self._x0) * self._span + (iy - self._y0)
            if len(key) > 1 and (np.diff(key) < 0).any():
                order = _column_row_order(ix - self._x0, iy - self._y0, key)
                ix, iy, count, key = ix[order], iy[order], count[order], key[order]
            self._key = key
        self.origin = (minx, miny)
        self.cell = cell
        self.ix, self.iy = ix, iy
        self.count = np.array(count, dtype=np.float64)  # a copy: never a view keeping a bigger array alive
        self._xy = None

    @property
    def xy(self) -> np.ndarray:
        """The centre of every bin (made when first asked for: a density raster needs only the columns and
        rows; the city's finest counts would hold 50 MB more)."""
        xy = self._xy
        if xy is None:
            minx, miny = self.origin
            xy = self._xy = np.column_stack([minx + (self.ix + 0.5) * self.cell, miny + (self.iy + 0.5) * self.cell])
        return xy

    def columns(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ix, iy, count)`` of the bins in columns ``lo <= ix <= hi`` (the bins are in column order: a view
        narrower than the bins' extent looks at its columns only)."""
        if not len(self.count) or (lo <= self.ix[0] and hi >= self.ix[-1]):
            return self.ix, self.iy, self.count
        start = int(np.searchsorted(self.ix, lo, side="left"))
        stop = int(np.searchsorted(self.ix, hi, side="right"))
        return self.ix[start:stop], self.iy[start:stop], self.count[start:stop]

    def window(self, lo: int, hi: int, row_lo: int, row_hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ix, iy, count)`` of the bins in columns ``lo..hi`` and rows ``row_lo..row_hi`` (in column order):
        a zoomed-in view looks at its own bins only, found by one search per column.  Bins outside the rows
        may come too when the rows hold most of the bins."""
        ix, iy, count = self.columns(lo, hi)
        if not len(count):
            return ix, iy, count
        r0, r1 = max(row_lo - self._y0, 0), min(row_hi - self._y0, self._span - 1)
        if r1 < r0:
            e = ix[:0]
            return e, e, count[:0]
        if r1 - r0 + 1 >= 0.7 * (self._span - 2):
            return ix, iy, count  # nearly every row: the searches cost more than they save
        cols = np.arange(max(lo, int(ix[0])), min(hi, int(ix[-1])) + 1, dtype=np.int64) - self._x0
        base = cols * self._span
        starts = np.searchsorted(self._key, base + r0, side="left")
        stops = np.searchsorted(self._key, base + r1, side="right")
        lengths = stops - starts
        idx = ranges(starts, lengths)
        return self.ix[idx], self.iy[idx], self.count[idx]

    def density(self, vp_affine: tuple[float, float, float, float], width: int, height: int,
                force: bool = False, threshold: float = 0.0, cell: int = 3) -> Optional[np.ndarray]:
        """The density raster (at bin resolution, see :func:`density_image`) of the bins in a view of
        ``width`` x ``height`` pixels with affine ``(sx, ox, sy, oy)`` (lon/lat to pixels): exactly
        :func:`density_image` of the bins' centres inside the view weighted by their counts, if the view
        holds fewer bins than points and more than ``threshold`` points (or ``force``); else None.

        A bin's pixel column depends on its grid column only: the columns and rows of the view are
        transformed once each, and every bin only looks its own up."""
        sx, ox, sy, oy = vp_affine
        c, (x_origin, y_origin) = self.cell, self.origin
        # The columns whose centres the view may show (one more each side); bins outside are cut below.
        # The rows likewise (sy < 0: the view's top row is its largest latitude).
        r_a, r_b = (-oy / sy - y_origin) / c - 0.5, ((height - oy) / sy - y_origin) / c - 0.5
        ix, iy, count = self.window(int(np.floor((-ox / sx - x_origin) / c - 0.5)) - 1,
                                    int(np.ceil(((width - ox) / sx - x_origin) / c - 0.5)) + 1,
                                    int(np.floor(min(r_a, r_b))) - 1, int(np.ceil(max(r_a, r_b))) + 1)
        if not len(count):
            return None
        gw, gh = (width + cell - 1) // cell, (height + cell - 1) // cell
        xs, ys = int(ix.min()), int(iy.min())
        bx = (x_origin + (np.arange(xs, int(ix.max()) + 1) + 0.5) * c) * sx + ox  # as the centres in ``xy``
        by = (y_origin + (np.arange(ys, int(iy.max()) + 1) + 0.5) * c) * sy + oy
        col_ok, row_ok = (bx >= 0) & (bx < width), (by >= 0) & (by < height)
        col_g, row_g = np.floor(bx / cell).astype(np.int64), np.floor(by / cell).astype(np.int64)
        ci, ri = ix - xs, iy - ys
        inside = np.take(col_ok, ci) & np.take(row_ok, ri)
        weights = count[inside]
        on_screen = weights.sum()
        if not (int(len(weights)) < on_screen and (force or on_screen > threshold)):
            return None
        key = np.take(row_g, ri[inside]) * gw + np.take(col_g, ci[inside])
        counts = np.bincount(key, weights=weights, minlength=gw * gh).reshape(gh, gw)
        return _density_colors(counts, gh, gw, (230, 60, 0, 255))

    def coarser(self, factor: int) -> "DensityBins":
        """The same counts on a grid ``factor`` times coarser (same origin): O(occupied bins), the
        points are not read again.  Exactly what binning the points at that cell size gives."""
        out = DensityBins(np.empty((0, 2)), 0.0)
        if len(self.count) == 0:
            return out
        cx, cy = self.ix // factor, self.iy // factor
        # Columns and rows from the smallest ones: stored squares lie on a grid from 0 degrees, so a square
        # west of the meridian or south of the equator has a negative number.
        x0, y0 = int(cx.min()), int(cy.min())
        nx = int(cx.max()) - x0 + 1
        key = (cy - y0) * nx + (cx - x0)
        uniq, inverse = np.unique(key, return_inverse=True)
        counts = np.bincount(inverse, weights=self.count)
        out._set(self.origin[0], self.origin[1], self.cell * factor, uniq % nx + x0, uniq // nx + y0, counts)
        return out


def density_levels(xy: np.ndarray, finest: int = 2048, factor: int = 4, levels: int = 3) -> tuple[DensityBins, ...]:
    """Pre-binned counts at ``levels`` resolutions, finest first (``finest`` bins across the extent,
    then each ``factor`` times coarser): one pass over the points, the rest from the bins."""
    first = DensityBins(xy, cell=0.0, max_bins=finest)
    out = [first]
    for _ in range(levels - 1):
        out.append(out[-1].coarser(factor))
    return tuple(out)
