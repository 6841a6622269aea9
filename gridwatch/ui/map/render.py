"""Render map layers into images, off the GUI thread.

A layer renders into one or more *parts*: ``(QImage, opacity)`` pairs composited in order.
Lessons measured on this kind of machine shape the code:

* a layer is one image (:class:`~gridwatch.ui.map.images.LayerImage`): fills are drawn opaque into it and
  given the fill alpha once something is drawn over them (drawing semi-transparent antialiased fills directly
  is 8-17x slower); few outlines and markers are composited onto it in numpy with Qt's rounding, so the
  pixels are those of separate images laid on each other, without the view-sized images in between;
  a layer with nothing in view makes no image;
* thousands of outlines go into a few ``QPainterPath`` objects built from numpy in one call each
  (:mod:`gridwatch.ui.map.qtarrays`), in chunks so no single paint call holds the thread for long;
* point markers and density rasters are stamped with numpy (:mod:`gridwatch.mapview.raster`);
  QPainter's ``drawPoints`` of 500k antialiased points takes about 2 s;
* crowded antialiased outlines (segments under 1.5 px) are stroked from a copy simplified for the zoom
  level (:mod:`gridwatch.mapview.lod`): stroking costs per vertex.

Labels, the selection and the highlight are drawn by :mod:`gridwatch.ui.map.marks`; the render pass
that runs them all and the basemap for one view is :mod:`gridwatch.ui.map.renderpass`.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Optional

import numpy as np
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF

from ...layers.base import Style
from ...mapview.data import LayerData
from ...mapview.edges import shared_mask, shared_starts
from ...mapview.lines import Polylines, draw_lines, line_pixels
from ...mapview.lod import outlines_for
from ...mapview.raster import blend_constant, byte_mul
from ...mapview.spans import ranges
from ...mapview.theme import FeatureTheme
from ...mapview.viewport import Viewport
from ...mapview.visible import features_extent, visible_features, visible_pieces
from ...tasks import CancelToken, breathe
from .images import (  # noqa: F401 (re-exported)
    ArrayImage,
    LayerImage,
    Part,
    image_from_array,
    new_image,
    opacity_alpha,
    painting,
    qcolor,
)
from .points import (  # noqa: F401 (re-exported)
    DENSITY_THRESHOLD,
    render_clusters,
    render_points,
    render_stored_points,
)
from .qtarrays import path_from_runs, polygonf

#: Rings per drawPath call: keeps every paint call short (the GUI thread must not stall).
RINGS_PER_CHUNK = 3000

_HATCH = {"diagonal": Qt.BrushStyle.BDiagPattern, "cross": Qt.BrushStyle.DiagCrossPattern}


@functools.lru_cache(maxsize=64)
def hatch_tile(fill: tuple[int, int, int, int], hatch: tuple[int, int, int, int], pattern: str,
               alpha: int) -> QImage:
    """One repeat of a hatched fill at ``alpha``: the fill's colour and the hatch's, drawn opaque by Qt's own
    pattern brush and multiplied by the alpha as Qt composites (a fill with it is exactly the fill and hatch
    drawn opaque and laid on at that opacity).  Patterns repeat every 8 pixels from the image's origin."""
    tile = QImage(8, 8, QImage.Format.Format_ARGB32_Premultiplied)
    with painting(tile) as p:
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        p.fillRect(0, 0, 8, 8, qcolor(fill, 255))
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        p.fillRect(0, 0, 8, 8, QBrush(qcolor(hatch, 255), _HATCH[pattern]))
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationIn)
        p.fillRect(0, 0, 8, 8, QColor(0, 0, 0, alpha))
    return tile


def pattern_origin(vp: Viewport) -> QPointF:
    """Where hatch patterns (8-px tiles) start in view ``vp``: anchored to the map, so a hatch is the same
    whether its layer is drawn for the whole view, for its part of it or with other layers, and moves with
    the map when it is panned."""
    _sx, ox, _sy, oy = vp.affine()  # the pixel of longitude 0, latitude 0
    return QPointF(float(np.floor(ox + 0.5) % 8), float(np.floor(oy + 0.5) % 8))


def _visible_features(layer: LayerData, vp: Viewport) -> np.ndarray:
    return visible_features(layer, vp.extent)


def ring_paths(layer: LayerData, vp: Viewport, feature_mask: np.ndarray,
               min_pixels: float = 0.0) -> list[QPainterPath]:
    """Outlines of the rings of the features in ``feature_mask``, in screen pixels, chunked."""
    if len(layer.ring_feature) == 0:
        return []
    ring_ok = feature_mask[layer.ring_feature]
    if min_pixels > 0:
        # Rings smaller than a pixel or two add nothing but time at this scale.
        fb = layer.bounds[layer.ring_feature]
        size = np.maximum(fb[:, 2] - fb[:, 0], fb[:, 3] - fb[:, 1]) / vp.res
        ring_ok &= size >= min_pixels
    rings = np.flatnonzero(ring_ok)
    if len(rings) == 0:
        return []
    sx, ox, sy, oy = vp.affine()
    off = layer.ring_offsets
    paths = []
    for start in range(0, len(rings), RINGS_PER_CHUNK):
        chunk = rings[start:start + RINGS_PER_CHUNK]
        lengths = off[chunk + 1] - off[chunk]
        idx = ranges(off[chunk], lengths)
        xy = layer.ring_xy[idx]
        paths.append(path_from_runs(xy[:, 0] * sx + ox, xy[:, 1] * sy + oy, lengths))
        breathe()
    return paths


def _visible_pieces(layer: LayerData, vp: Viewport, feature_mask: np.ndarray, min_pixels: float = 1.5) -> np.ndarray:
    """Pieces of visible features whose bounds meet the view, skipping sub-pixel features."""
    return visible_pieces(layer, vp.extent, vp.res, feature_mask, min_pixels)


#: Visible pieces that are at least this share of the pieces from the first to the last are transformed where
#: they lie (the others cut out), not gathered vertex by vertex.
IN_PLACE_SHARE = 0.75


def _piece_lines(layer: LayerData, vp: Viewport, pieces: np.ndarray, width: int, height: int,
                 once: bool = False) -> Polylines:
    """The outline pieces ``pieces`` (ascending) in screen pixels for the numpy line rasteriser; the pieces
    wholly within ``[1, width - 2] x [1, height - 2]`` come first (their segments need no test).  ``once``:
    segments two rings share are drawn by one of them (see :mod:`~gridwatch.mapview.edges`; only when
    ``pieces`` are those of every feature the view shows)."""
    if len(pieces) == 0:
        return Polylines(np.empty(0), np.empty(0))
    affine = sx, ox, sy, oy = vp.affine()
    first, last = int(pieces[0]), int(pieces[-1])
    span = last - first + 1
    if len(pieces) >= IN_PLACE_SHARE * span:
        # The vertices from the first piece's to the last one's, where they lie: a polyline starts at every
        # ring, and at every vertex of the pieces not drawn (so none of their segments is).
        lo, hi = int(layer.piece_start[first]), int(layer.piece_stop[last])
        hidden = np.ones(span, dtype=bool)
        hidden[pieces - first] = False
        hidden = np.flatnonzero(hidden) + first
        h_start, h_stop = layer.piece_start[hidden] + 1, layer.piece_stop[hidden]
        counts = np.maximum(h_stop - h_start, 0)
        h_starts = ranges(h_start, counts)
        xy = layer.ring_xy[lo:hi]
        inside = hi - lo if _all_inside(layer.piece_bounds, affine, width, height) else 0
        shared = shared_starts(layer) if once else None
        starts = (layer.ring_offsets, h_starts) + ((shared,) if shared is not None else ())
        return Polylines(xy[:, 0], xy[:, 1], starts, inside, affine, lo)
    start, stop = layer.piece_start[pieces], layer.piece_stop[pieces]
    # The pieces' pixel bounds are exactly their vertices' extremes: the same arithmetic, and it is monotonic.
    b = layer.piece_bounds[pieces]
    x_lo, x_hi = b[:, 0] * sx + ox, b[:, 2] * sx + ox
    y_lo, y_hi = b[:, 3] * sy + oy, b[:, 1] * sy + oy
    if sx < 0:
        x_lo, x_hi = x_hi, x_lo
    if sy > 0:
        y_lo, y_hi = y_hi, y_lo
    inside = (x_lo >= 1) & (x_hi <= width - 2) & (y_lo >= 1) & (y_hi <= height - 2)
    order = np.concatenate([np.flatnonzero(inside), np.flatnonzero(~inside)])
    start, stop = start[order], stop[order]
    lengths = stop - start
    idx = ranges(start, lengths)
    lines = Polylines.from_runs(layer.ring_xy[:, 0], layer.ring_xy[:, 1], lengths, int(inside.sum()), affine)
    mask = shared_mask(layer) if once else None
    if mask is not None:
        lines = replace(lines, starts=(*lines.starts, np.flatnonzero(mask[idx])))
    return replace(lines, index=idx)


def _all_inside(bounds: np.ndarray, affine: tuple[float, float, float, float], width: int, height: int) -> bool:
    """Whether all of ``bounds`` (rows of min x, min y, max x, max y) lie within ``[1, width - 2] x
    [1, height - 2]`` in pixels (as their vertices transformed: the arithmetic is monotonic)."""
    if not len(bounds):
        return True
    sx, ox, sy, oy = affine
    xs = sorted((float(bounds[:, 0].min()) * sx + ox, float(bounds[:, 2].max()) * sx + ox))
    ys = sorted((float(bounds[:, 1].min()) * sy + oy, float(bounds[:, 3].max()) * sy + oy))
    return xs[0] >= 1 and xs[1] <= width - 2 and ys[0] >= 1 and ys[1] <= height - 2


def piece_polylines(layer: LayerData, vp: Viewport, feature_mask: np.ndarray, once: bool = False) -> list[QPolygonF]:
    """One numpy-filled QPolygonF per visible outline piece, in screen pixels.  ``once``: a piece is cut
    where it runs along a segment another ring draws (see :mod:`~gridwatch.mapview.edges`), so a shared
    boundary is stroked once (only when ``feature_mask`` holds every feature the view shows)."""
    pieces = _visible_pieces(layer, vp, feature_mask)
    if len(pieces) == 0:
        return []
    start, stop = layer.piece_start[pieces], layer.piece_stop[pieces]
    lengths = stop - start
    idx = ranges(start, lengths)
    sx, ox, sy, oy = vp.affine()
    xy = layer.ring_xy[idx]
    x, y = xy[:, 0] * sx + ox, xy[:, 1] * sy + oy
    heads = np.cumsum(lengths) - lengths  # where each piece's polyline starts
    shared = shared_mask(layer) if once else None
    if shared is not None:
        heads = np.union1d(heads, np.flatnonzero(shared[idx]))
    ends = np.append(heads[1:], len(idx))
    return [polygonf(x[a:b], y[a:b]) for a, b in zip(heads.tolist(), ends.tolist()) if b - a >= 2]


def _closed(paths: list[QPainterPath]) -> QPainterPath:
    out = QPainterPath()
    out.setFillRule(Qt.FillRule.OddEvenFill)
    for p in paths:
        out.addPath(p)
    return out


def _add_lines(canvas: LayerImage, lines: Polylines, rgba: tuple[int, int, int, int]) -> None:
    """1-px outlines (numpy, see :mod:`~gridwatch.mapview.lines`) in colour ``rgba`` laid over the layer: an
    image of their own when they are the layer's first part or many; composited onto the layer's pixels in
    numpy when they are few (the same pixels, without a view-sized image and its compositing)."""
    w, h = canvas.width, canvas.height
    opaque = (*rgba[:3], 255)
    opacity = rgba[3] / 255.0
    if opacity <= 0:
        return
    colour = np.array([[opaque[2], opaque[1], opaque[0], 255]], dtype=np.uint8).view(np.uint32)[0, 0]
    value = byte_mul(np.uint32(colour), opacity_alpha(opacity))  # the line's pixel laid on at its opacity
    if opacity >= 1.0 and not canvas.empty:
        # Opaque lines replace the pixels beneath them: set straight into the layer's pixels.
        draw_lines(lines, opaque, w, h, out=canvas.array_for_over())
        return
    arr = None if canvas.empty or len(lines) > FEW_OUTLINE_VERTICES else canvas.array_for_over()
    if arr is None:
        # The layer's first part, or many lines: an image of their own, its pixels written as they are laid
        # on (the layer's first part then needs no opacity later, and an image at full opacity is
        # composited faster than one at an opacity).
        canvas.add_array(draw_lines(lines, opaque, w, h, pixel=int(value)), 1.0)
        return
    pixels = [p for p in line_pixels(lines, w, h) if len(p)]
    if not pixels:
        return
    index = np.concatenate(pixels)
    blend_constant(arr.view(np.uint32).reshape(-1), index, int(value))


#: Outlines with up to this many vertices are composited onto a layer's fills in numpy (sites, mines,
#: zones); more (a themed grid) are drawn into an image of their own, laid over the fills by QPainter.
FEW_OUTLINE_VERTICES = 20_000


def render_areas(layer: LayerData, vp: Viewport, style: Style, cancel: Optional[CancelToken],
                 canvas: Optional[LayerImage] = None, visible: Optional[np.ndarray] = None,
                 once: bool = True) -> list[Part]:
    """Fills (drawn opaque, laid on at the fill alpha) and outlines of an area layer, into ``canvas`` (the
    layer's image; a new one when None); returns the canvas's parts.  ``visible``: the features the view
    shows (tested when None); ``once``: they are all of them, so a boundary two of them share is drawn by
    one (False when ``visible`` leaves some out: each draws its own)."""
    canvas = canvas if canvas is not None else LayerImage(vp.width, vp.height)
    if len(layer.ring_feature) == 0:  # a point layer: nothing to fill or stroke
        return canvas.parts()
    visible = _visible_features(layer, vp) if visible is None else visible
    if not visible.any():
        return canvas.parts()
    has_fill = style.fill is not None or bool(style.categories)
    if has_fill:
        alpha = 255
        groups: list[tuple[tuple[int, int, int, int], np.ndarray]] = []
        if style.categories and len(layer.category):
            for ci, cat in enumerate(layer.categories):
                rgba = style.categories[cat]
                alpha = rgba[3]
                groups.append((rgba, visible & (layer.category == ci)))
            other = visible & (layer.category < 0)
            if other.any() and style.fill is not None:
                groups.append((style.fill, other))
        elif style.fill is not None:
            alpha = style.fill[3]
            groups.append((style.fill, visible))
        # Written with their alpha in place: plain fills in their colour, hatched ones with a tile of the fill
        # and its hatch (the pixels of the fill and hatch drawn opaque and laid on at the alpha, in one pass).
        direct = canvas.fills_in_place
        fill_alpha = opacity_alpha(alpha / 255.0) if direct else 255
        with (canvas.source_painter() if direct
              else canvas.painter(alpha / 255.0)) as p:
            assert p is not None
            # Fills without antialiasing: the (antialiased) outline is drawn over their edges.
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrushOrigin(pattern_origin(vp))
            for rgba, mask in groups:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                if not mask.any():
                    continue
                path = _closed(ring_paths(layer, vp, mask))
                if style.hatch and direct:
                    p.fillPath(path, QBrush(hatch_tile(rgba, style.stroke, style.hatch, fill_alpha)))
                else:
                    p.fillPath(path, QBrush(qcolor(rgba, fill_alpha)))
                    if style.hatch:
                        p.fillPath(path, QBrush(qcolor(style.stroke, 255), _HATCH[style.hatch]))
                breathe()
    if style.stroke_width < 1.5:
        # Thin outlines (cells, villages): 1-px lines rasterised with numpy, crisp and fast, and
        # no long QPainter call holding the interpreter lock while the GUI thread waits.
        pieces = _visible_pieces(layer, vp, visible)
        _add_lines(canvas, _piece_lines(layer, vp, pieces, canvas.width, canvas.height, once), style.stroke)
        return canvas.parts()
    with canvas.painter(style.stroke[3] / 255.0) as p:
        # Thicker boundaries (townships) need antialiasing to look smooth.
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(qcolor(style.stroke, 255), style.stroke_width)
        pen.setCosmetic(True)
        # Bevelled joins: at two pixels wide they look as round ones do (a few pixels of a shade differ at
        # sharp corners) and stroke in half the time (a round join is an arc of segments at every vertex).
        pen.setJoinStyle(Qt.PenJoinStyle.BevelJoin)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        # Antialiased strokes: one polyline per piece is 3-4x faster than one big path; crowded
        # outlines (a city's townships seen whole) from a copy simplified for this zoom level.
        for poly in piece_polylines(outlines_for(layer, vp.res, once), vp, visible, once):
            p.drawPolyline(poly)
            breathe()
    return canvas.parts()


def render_themed_areas(layer: LayerData, vp: Viewport, style: Style, theme: FeatureTheme,
                        cancel: Optional[CancelToken], canvas: Optional[LayerImage] = None,
                        visible: Optional[np.ndarray] = None, once: bool = True) -> list[Part]:
    """An area layer filled by a :class:`~gridwatch.mapview.theme.FeatureTheme`: the fills (classes,
    hatches), the layer's own thin outlines, then a bold outline of the emphasised features; into
    ``canvas`` (a new one when None); returns the canvas's parts.  ``visible``, ``once``: see
    :func:`render_areas`."""
    canvas = canvas if canvas is not None else LayerImage(vp.width, vp.height)
    if len(layer.ring_feature) == 0:
        return canvas.parts()
    visible = _visible_features(layer, vp) if visible is None else visible
    if not visible.any():
        return canvas.parts()
    direct = not any(theme.hatches) and canvas.fills_in_place  # see render_areas
    fill_alpha = opacity_alpha(theme.fill_opacity) if direct else 255
    with (canvas.source_painter() if direct
          else canvas.painter(theme.fill_opacity)) as p:
        assert p is not None
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrushOrigin(pattern_origin(vp))
        for ci, rgba in enumerate(theme.colors):
            if cancel is not None:
                cancel.raise_if_cancelled()
            mask = visible & (theme.classes == ci)
            if not mask.any():
                continue
            path = _closed(ring_paths(layer, vp, mask))
            p.fillPath(path, QBrush(qcolor(rgba, fill_alpha)))
            hatch = theme.hatches[ci]
            if hatch:
                p.fillPath(path, QBrush(qcolor(theme.hatch_colors[ci], 255), _HATCH[hatch]))
    # The layer's usual thin outlines keep neighbouring cells of one class apart.
    pieces = _visible_pieces(layer, vp, visible)
    _add_lines(canvas, _piece_lines(layer, vp, pieces, canvas.width, canvas.height, once),
               theme.outline or style.stroke)
    if theme.emphasis is not None:
        strong = visible & theme.emphasis
        if strong.any():
            with canvas.painter(theme.emphasis_color[3] / 255.0) as p:
                # Unantialiased: thousands of cells stroke fast, and the bold line reads crisply.
                p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                pen = QPen(qcolor(theme.emphasis_color, 255), theme.emphasis_width)
                pen.setCosmetic(True)
                pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                for path in ring_paths(layer, vp, strong, min_pixels=3.0):
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    p.drawPath(path)
    return canvas.parts()


#: A layer whose features on screen fill less than this share of the view is drawn into an image of
#: just their part of it (zoomed in, a few mines or sites need not paint and composite a whole view).
CROP_MAX_SHARE = 0.6
#: Pixels around the features' bounds kept in a cropped image (markers, strokes, hatches).
CROP_PAD = 12


def crop_rect(layer: LayerData, vp: Viewport,
              visible: Optional[np.ndarray] = None) -> Optional[tuple[int, int, int, int]]:
    """``(x0, y0, width, height)`` of the view's pixels the layer's visible features can touch, when
    that is a small enough part of the view to draw on its own; None: draw the whole view."""
    if layer.count == 0 or layer.density_levels or layer.name == "fire_point":
        return None  # density rasters and clusters are laid on the view's own grid
    rect = pixel_rect(layer, vp, _visible_features(layer, vp) if visible is None else visible)
    if rect is None or rect.width() * rect.height() > CROP_MAX_SHARE * vp.width * vp.height:
        return None
    return rect.x(), rect.y(), rect.width(), rect.height()


def pixel_rect(layer: LayerData, vp: Viewport, mask: np.ndarray, pad: int = CROP_PAD) -> Optional[QRect]:
    """The view's pixels the features in ``mask`` can touch (their bounds, ``pad`` pixels around them for
    strokes, markers and hatches); None when none is in view."""
    if not mask.any():
        return None
    extent = features_extent(layer, mask)
    if extent is None:
        return None
    minx, miny, maxx, maxy = extent
    sx, ox, sy, oy = vp.affine()
    x0 = max(0, int(np.floor(minx * sx + ox)) - pad)
    x1 = min(vp.width, int(np.ceil(maxx * sx + ox)) + pad)
    y0 = max(0, int(np.floor(maxy * sy + oy)) - pad)
    y1 = min(vp.height, int(np.ceil(miny * sy + oy)) + pad)
    if x1 <= x0 or y1 <= y0:
        return None
    return QRect(x0, y0, x1 - x0, y1 - y0)


def render_layer(layer: LayerData, vp: Viewport, style: Optional[Style] = None,
                 cancel: Optional[CancelToken] = None, theme: Optional[FeatureTheme] = None) -> list[Part]:
    """All parts of one layer for viewport ``vp``; areas filled by ``theme`` when one is given
    (and it was made for this layer's features).

    Cost follows what is visible: when the layer's features on screen cover a small part of the view,
    its parts are images of that part only, placed by their ``target`` rectangle (see :func:`compose`).
    """
    # The features the view shows are those its window (the part cropped to them) shows: tested once.
    visible = _visible_features(layer, vp) if len(layer.ring_feature) else None
    rect = crop_rect(layer, vp, visible)
    if rect is None:
        return flatten(_render_layer(layer, vp, style, cancel, theme, visible), vp.width, vp.height)
    x0, y0, w, h = rect
    parts = flatten(_render_layer(layer, vp.window(x0, y0, w, h), style, cancel, theme, visible), w, h)
    for img, _opacity in parts:
        img.target = QRectF(x0, y0, w, h)  # type: ignore[attr-defined]
    return parts


def flatten(parts: list[Part], width: int, height: int) -> list[Part]:
    """A layer's parts (fill, outlines, markers) as one image: the canvas keeps one image per layer
    for its cache, not two or three, and the final composite stacks fewer (the same pixels: "over"
    is associative).  Parts at bin resolution (density rasters) are kept as they are."""
    full = [(img, o) for img, o in parts if img.width() == width and img.height() == height]
    if len(parts) < 2 or len(full) != len(parts):
        return parts
    out = new_image(width, height)
    with painting(out) as p:
        for img, opacity in parts:
            if opacity <= 0:
                continue
            p.setOpacity(min(1.0, opacity))
            p.drawImage(0, 0, img)
    return [(out, 1.0)]


def _render_layer(layer: LayerData, vp: Viewport, style: Optional[Style] = None,
                  cancel: Optional[CancelToken] = None, theme: Optional[FeatureTheme] = None,
                  visible: Optional[np.ndarray] = None) -> list[Part]:
    canvas = LayerImage(vp.width, vp.height)
    extra = draw_layer(canvas, layer, vp, style, cancel, theme, visible)
    return canvas.parts() + extra


def draw_layer(canvas: LayerImage, layer: LayerData, vp: Viewport, style: Optional[Style] = None,
               cancel: Optional[CancelToken] = None, theme: Optional[FeatureTheme] = None,
               visible: Optional[np.ndarray] = None) -> list[Part]:
    """Draw one layer into ``canvas`` (its own image, or a stack of layers: see
    :attr:`~gridwatch.ui.map.images.LayerImage.stacked`); returns the parts at bin resolution (density
    rasters) left to lay on apart, none on a stack (they are scaled onto it)."""
    style = style or layer.spec.style
    if theme is not None and theme.count == layer.count:
        render_themed_areas(layer, vp, style, theme, cancel, canvas, visible)
    else:
        render_areas(layer, vp, style, cancel, canvas, visible)
    # Markers go onto the layer's image; a density raster (at bin resolution) stays a part of its own.
    extra = []
    for img, opacity in render_points(layer, vp, style, cancel, into=canvas):
        if canvas.stacked or (img.width() == vp.width and img.height() == vp.height):
            canvas.add(img, opacity)
        else:
            extra.append((img, opacity))
    return extra


def compose(parts: list[Part], width: int, height: int, background: QColor = QColor(250, 250, 246)) -> QImage:
    """Stack parts bottom to top onto an opaque background.

    A part covers the whole view (scaled to it: density rasters are made at bin resolution), or the
    rectangle in its ``target`` attribute (a layer drawn for its part of the view only)."""
    out = QImage(max(1, width), max(1, height), QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(background)
    with painting(out) as p:
        for img, opacity in parts:
            if opacity <= 0:
                continue
            p.setOpacity(min(1.0, opacity))
            target = getattr(img, "target", None)
            p.drawImage(target if target is not None else QRectF(0, 0, width, height), img)
    return out

