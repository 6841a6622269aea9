"""Marks drawn over the layers, off the GUI thread: place names (labels with a halo), the selection and
the highlight of what the user is looking at.  Split from :mod:`gridwatch.ui.map.render`, whose
helpers (images on numpy memory, ring paths) they use."""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

from ...layers import palette
from ...mapview.data import LayerData, MapData
from ...mapview.labels import PlacedLabel, place_labels
from ...mapview.viewport import Viewport
from ...tasks import breathe
from .render import Part, _closed, _visible_features, new_image, painting, ring_paths

# --- labels --------------------------------------------------------------------------------

LABEL_FONT_PX = {"township": 17, "village": 13, "grid_cell": 11, "mine": 11, "construction_site": 11}


_FONTS: dict[str, QFont] = {}


def label_font(layer: str) -> QFont:
    cached = _FONTS.get(layer)
    if cached is not None:
        return QFont(cached)
    font = QFont()
    font.setFamilies(["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "Source Han Sans SC", "sans-serif"])
    font.setPixelSize(LABEL_FONT_PX.get(layer, 11))
    if layer == "township":
        font.setBold(True)
    _FONTS[layer] = QFont(font)
    return font


def labels_for(data: MapData, vp: Viewport, visible: list[str]) -> list[tuple[str, PlacedLabel]]:
    """Place labels of the visible labelled layers, top layer first, with no overlaps."""
    occupied: list[tuple[float, float, float, float]] = []
    out: list[tuple[str, PlacedLabel]] = []
    scale = vp.scale_denominator
    # Township names matter most, then key areas (monitoring stations), villages, sources, cells.
    for name in ("township", "key_area", "village", "mine", "construction_site", "grid_cell"):
        layer = data.layers.get(name)
        if layer is None or name not in visible or layer.count == 0:
            continue
        limit = layer.spec.style.label_max_scale
        if limit is None or scale > limit:
            continue
        label_xy, label_text, label_priority = layer.labels()
        metrics = QFontMetricsF(label_font(name))

        def size(text: str, m: QFontMetricsF = metrics) -> tuple[float, float]:
            return m.horizontalAdvance(text), m.height()

        sx, ox, sy, oy = vp.affine()
        px = label_xy[:, 0] * sx + ox
        py = label_xy[:, 1] * sy + oy
        for lab in place_labels(px, py, label_text, label_priority, size, vp.width, vp.height,
                                occupied=occupied):
            out.append((name, lab))
    return out


def render_labels(data: MapData, vp: Viewport, visible: list[str]) -> Optional[QImage]:
    """Labels with a white halo so they read on any background (None: no label to place here).  When they
    take a small part of the view (zoomed in: a few names), the image is of that part only, placed by its
    ``target`` rectangle (see :func:`~gridwatch.ui.map.render.compose`): no view-sized image to clear and lay
    on for a few words."""
    placed = labels_for(data, vp, visible)
    if not placed:
        return None
    colors = {"township": QColor(70, 20, 100), "village": QColor(50, 50, 50), "grid_cell": QColor(90, 90, 90)}
    white = QColor(255, 255, 255, 235)
    fonts = {name: label_font(name) for name, _ in placed}
    metrics = {name: QFontMetricsF(f) for name, f in fonts.items()}
    at = []
    x0, y0, x1, y1 = float("inf"), float("inf"), float("-inf"), float("-inf")
    for name, lab in placed:
        m = metrics[name]
        advance = m.horizontalAdvance(lab.text)
        x = lab.x - advance / 2
        y = lab.y + (m.ascent() - m.descent()) / 2
        at.append((x, y))
        x0, x1 = min(x0, x), max(x1, x + advance)
        y0, y1 = min(y0, y - m.ascent()), max(y1, y + m.descent())
    # The halo reaches a pixel around the text; glyphs may overhang their advance by a few.
    left, top = max(0, int(x0) - LABEL_PAD), max(0, int(y0) - LABEL_PAD)
    right, bottom = min(vp.width, int(x1) + LABEL_PAD + 1), min(vp.height, int(y1) + LABEL_PAD + 1)
    crop = right > left and bottom > top and (right - left) * (bottom - top) <= LABEL_CROP_SHARE * vp.width * vp.height
    if not crop:
        left, top, right, bottom = 0, 0, vp.width, vp.height
    img = new_image(right - left, bottom - top)
    with painting(img) as p:
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        p.translate(-left, -top)
        # drawText goes through Qt's glyph cache; a halo of 8 offset white copies is far cheaper
        # than stroking text outlines as paths.
        offsets = [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)]
        for (name, lab), (x, y) in zip(placed, at):
            p.setFont(fonts[name])
            p.setPen(white)
            for dx, dy in offsets:
                p.drawText(QPointF(x + dx, y + dy), lab.text)
            p.setPen(colors.get(name, QColor(40, 40, 40)))
            p.drawText(QPointF(x, y), lab.text)
            breathe()
    if crop:
        img.target = QRectF(left, top, right - left, bottom - top)  # type: ignore[attr-defined]
    return img


#: Pixels kept around the labels' text in a cropped label image (halo, overhanging glyphs).
LABEL_PAD = 6
#: Labels within this share of the view are drawn into an image of their part of it.
LABEL_CROP_SHARE = 0.6


# --- selection highlight --------------------------------------------------------------------


def render_selection(layer: LayerData, vp: Viewport, selected: np.ndarray) -> list[Part]:
    """Selected features: a translucent fill and a bold outline."""
    if len(selected) == 0:
        return []
    mask = np.zeros(layer.count, dtype=bool)
    mask[selected] = True
    mask &= _visible_features(layer, vp)
    if not mask.any():
        return []
    fill = new_image(vp.width, vp.height)
    with painting(fill) as p:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        path = _closed(ring_paths(layer, vp, mask))
        p.fillPath(path, QColor(*palette.SELECTION_FILL))
    line = new_image(vp.width, vp.height)
    with painting(line) as p:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(QColor(*palette.SELECTION_LINE), 2.0)
        pen.setCosmetic(True)
        p.setPen(pen)
        for path in ring_paths(layer, vp, mask):
            p.drawPath(path)
        if len(layer.point_xy):
            sx, ox, sy, oy = vp.affine()
            on = mask[layer.point_feature]
            for x, y in layer.point_xy[on][:5000]:
                p.drawEllipse(QPointF(x * sx + ox, y * sy + oy), 6.0, 6.0)
    return [(fill, 0.35), (line, 1.0)]


#: Highlighted features: a dark halo under a bright line, so they read on every fill and theme.
HIGHLIGHT_HALO = QColor(*palette.HIGHLIGHT_HALO)
HIGHLIGHT_LINE = QColor(*palette.HIGHLIGHT)
#: Point features highlighted one by one; beyond this many, the first ones (the map says how many).
MAX_HIGHLIGHT_POINTS = 20_000
#: Highlighted areas smaller than this on screen (pixels) also get a ring around them.
TINY_AREA_PX = 10.0


def render_highlight(layer: LayerData, vp: Viewport, features: np.ndarray) -> list[Part]:
    """Features the user is looking at (identified, chosen in a list, search hits): areas outlined
    with a halo and lightly filled, points ringed, on top of every layer."""
    if len(features) == 0 or layer.count == 0:
        return []
    if not getattr(layer, "loaded", True):  # a big fire-point layer drawn from the file: only these points' places
        xy = layer.points_xy(np.asarray(features, dtype=np.int64)[:MAX_HIGHLIGHT_POINTS])  # type: ignore[attr-defined]
        img = new_image(vp.width, vp.height)
        with painting(img) as p:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            _ring_points(p, xy, vp)
        return [(img, 1.0)]
    mask = np.zeros(layer.count, dtype=bool)
    mask[np.asarray(features, dtype=np.int64)] = True
    mask &= _visible_features(layer, vp)
    if not mask.any():
        return []
    img = new_image(vp.width, vp.height)
    with painting(img) as p:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rings = ring_paths(layer, vp, mask)
        if rings:
            p.fillPath(_closed(rings), QColor(0, 229, 255, 60))
            for color, width in ((HIGHLIGHT_HALO, 5.0), (HIGHLIGHT_LINE, 2.5)):
                pen = QPen(color, width)
                pen.setCosmetic(True)
                pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                p.setPen(pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                for path in rings:
                    p.drawPath(path)
        sx, ox, sy, oy = vp.affine()
        # Areas a few pixels across at this scale (a site or mine on the district map) are ringed too,
        # or the highlight would be lost among them.
        tiny = np.flatnonzero(mask)[:MAX_HIGHLIGHT_POINTS] if rings else np.empty(0, dtype=np.int64)
        if len(tiny):
            b = layer.bounds[tiny]
            small = (np.abs((b[:, 2] - b[:, 0]) * sx) < TINY_AREA_PX) \
                & (np.abs((b[:, 3] - b[:, 1]) * sy) < TINY_AREA_PX)
            b = b[small]
            path = QPainterPath()
            cx, cy = (b[:, 0] + b[:, 2]) / 2 * sx + ox, (b[:, 1] + b[:, 3]) / 2 * sy + oy
            for x, y in zip(cx.tolist(), cy.tolist()):
                path.addEllipse(QPointF(x, y), 9.0, 9.0)
            for color, width in ((HIGHLIGHT_HALO, 4.0), (HIGHLIGHT_LINE, 2.0)):
                p.setPen(QPen(color, width))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPath(path)
        if len(layer.point_xy):
            _ring_points(p, layer.point_xy[mask[layer.point_feature]][:MAX_HIGHLIGHT_POINTS], vp)
    return [(img, 1.0)]


def _ring_points(p: QPainter, xy: np.ndarray, vp: Viewport) -> None:
    """Highlight rings around points ``xy`` (map coordinates) on the view."""
    sx, ox, sy, oy = vp.affine()
    px, py = xy[:, 0] * sx + ox, xy[:, 1] * sy + oy
    on = (px >= -10) & (px <= vp.width + 10) & (py >= -10) & (py <= vp.height + 10)
    path = QPainterPath()
    for x, y in zip(px[on].tolist(), py[on].tolist()):
        path.addEllipse(QPointF(x, y), 7.0, 7.0)
    for color, width in ((HIGHLIGHT_HALO, 4.0), (HIGHLIGHT_LINE, 2.0)):
        p.setPen(QPen(color, width))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
