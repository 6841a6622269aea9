"""Point layers on the map: markers coloured by category, clusters with counts, or a density raster,
from points in memory or, for a big fire-point layer, from the project's stored counts and the view's own
points (split from :mod:`.render`, which re-exports these)."""

from __future__ import annotations

from typing import Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from ...app.store import LEVEL_CELLS
from ...layers import palette
from ...layers.base import Style
from ...mapview.clusters import CLUSTER_FROM_SCALE, CLUSTER_MIN_POINTS, Clusters, cluster_points, cluster_radius
from ...mapview.data import LayerData, categories_of
from ...mapview.deferred import DeferredPointLayer
from ...mapview.raster import DensityBins, density_image, splat_markers
from ...mapview.stored import VIEW_POINTS_MAX
from ...mapview.viewport import Viewport
from ...tasks import CancelToken
from .images import LayerImage, Part, image_from_array, new_image, painting, qcolor

#: Above this many points on screen a point layer is drawn as a density raster.
DENSITY_THRESHOLD = 50_000


def render_points(layer: LayerData, vp: Viewport, style: Style, cancel: Optional[CancelToken],
                  force_density: Optional[bool] = None, into: Optional[LayerImage] = None) -> list[Part]:
    """Markers coloured by category, or a density raster when too many points are on screen.  Markers are
    stamped onto ``into`` (the layer's image, holding its fills) when it is given and not empty."""
    if isinstance(layer, DeferredPointLayer) and layer.store is not None:
        return render_stored_points(layer, vp, style, cancel, force_density, into)
    if len(layer.point_xy) == 0:
        return []
    sx, ox, sy, oy = vp.affine()
    minx, miny, maxx, maxy = vp.extent
    pad = 6 * vp.res / vp.kx
    # The coarsest pre-binned level finer than a density cell (3 px), if the view has fewer of its
    # bins than points: a crowded view then costs O(bins), not O(points).
    fit = [b for b in layer.density_levels if b.cell <= 3 * vp.res]
    bins = fit[-1] if fit and layer.visible is None else None  # pre-binned counts know no filter
    if force_density is not False and bins is not None:
        image = _bins_image(bins, vp, force_density)
        if image is not None:
            return image
    layer.ensure_sorted()
    if layer.sorted_xy is not None:
        lo, hi = layer.lon_slice(minx - pad, maxx + pad)
    else:
        lo, hi = 0, len(layer.point_xy)
    if layer.sorted_xy is not None:
        xy = layer.sorted_xy[lo:hi]
        cats_all = layer.sorted_category[lo:hi] if layer.sorted_category is not None else None
        shown = layer.sorted_visible[lo:hi] if layer.sorted_visible is not None else None
    else:
        xy = layer.point_xy
        cats_all = layer.category[layer.point_feature] if len(layer.category) else None
        shown = layer.visible[layer.point_feature] if layer.visible is not None else None
    return _points_image(layer.name, layer.categories, xy, cats_all, shown, vp, style, cancel, force_density, into)


def _bins_image(bins: DensityBins, vp: Viewport, force_density: Optional[bool]) -> Optional[list[Part]]:
    """A density raster from pre-counted bins, if the view holds fewer bins than points and is crowded
    (or a density raster is forced); else None."""
    arr = bins.density(vp.affine(), vp.width, vp.height, bool(force_density), DENSITY_THRESHOLD)
    if arr is not None:
        return [(image_from_array(arr), 1.0)]  # compose scales the bin raster to the view
    return None


def render_stored_points(layer: DeferredPointLayer, vp: Viewport, style: Style, cancel: Optional[CancelToken],
                         force_density: Optional[bool] = None, into: Optional[LayerImage] = None) -> list[Part]:
    """A big point layer whose points are not all in memory: a time period from the period's points; all of
    them zoomed out from the project's stored counts, zoomed in from the view's points (read through the
    spatial index).  Drawn as the layer in memory would be: markers, clusters or a density raster."""
    store = layer.store
    assert store is not None
    if store.total == 0:
        return []
    drawn = layer.drawn_codes(cancel)
    if drawn is not None:
        cats, xy = drawn  # the period's points: numbers only (no data frame on the way to the first paint)
    else:
        pad = 6 * vp.res / vp.kx
        minx, miny, maxx, maxy = vp.extent
        view = (minx - pad, miny - pad, maxx + pad, maxy + pad)
        # At most the points of the coarsest squares the view touches, known without reading the finer counts:
        # a density raster needs more than DENSITY_THRESHOLD of them (unless forced).
        near = None if force_density else store.in_view(view)
        if near is None or (force_density is None and near > DENSITY_THRESHOLD):
            image = _bins_image(store.bins_for(3 * vp.res, vp.extent), vp, force_density)
            if image is not None:
                return image
        # too many to read for one view: the finest counts
        if (store.in_view(view) if near is None else near) > VIEW_POINTS_MAX:
            finest = min(LEVEL_CELLS, key=lambda lv: LEVEL_CELLS[lv])
            return _bins_image(store.bins(finest, view), vp, True) or []
        frame, xy = store.view_points(view)
        _, cats = categories_of(layer.spec, frame)
    if cancel is not None:
        cancel.raise_if_cancelled()
    if not len(xy):
        return []
    return _points_image(layer.name, layer.categories, xy, cats, None, vp, style, cancel, force_density, into)


def _points_image(name: str, categories: tuple[str, ...], xy: np.ndarray, cats_all: Optional[np.ndarray],
                  shown: Optional[np.ndarray], vp: Viewport, style: Style, cancel: Optional[CancelToken],
                  force_density: Optional[bool], into: Optional[LayerImage] = None) -> list[Part]:
    """Points in map coordinates (their category each, and which are shown) as markers, clusters or a
    density raster, whichever suits how many the view holds."""
    sx, ox, sy, oy = vp.affine()
    px = xy[:, 0] * sx + ox
    py = xy[:, 1] * sy + oy
    on = (px >= -5) & (px < vp.width + 5) & (py >= -5) & (py < vp.height + 5)
    if shown is not None:
        on &= shown
    n_on = int(on.sum())
    if cancel is not None:
        cancel.raise_if_cancelled()
    if n_on == 0:
        return []  # nothing of the layer in view: no image to fill, keep and composite
    dense = n_on > DENSITY_THRESHOLD if force_density is None else force_density
    if dense:
        arr = density_image(px[on], py[on], vp.width, vp.height, upsample=False)
        return [(image_from_array(arr), 1.0)]
    cats = cats_all[on] if cats_all is not None else np.full(n_on, -1, dtype=np.int16)
    if (name == "fire_point" and force_density is None and n_on >= CLUSTER_MIN_POINTS
            and vp.scale_denominator >= CLUSTER_FROM_SCALE):
        # Zoomed out, thousands of fire points are one smudge: clusters with counts say how many, where.
        first = categories[0] if categories else ""
        attention = cats == 0 if first == "unverified" else np.zeros(n_on, dtype=bool)
        return [(render_clusters(cluster_points(px[on], py[on], attention), vp.width, vp.height), 1.0)]
    default = style.fill or (style.categories[next(iter(style.categories))] if style.categories else (230, 90, 0, 230))
    palette = np.array([style.categories[c] for c in categories] + [default], dtype=np.uint8)
    ci = np.where(cats >= 0, cats, len(palette) - 1).astype(np.int64)
    # Draw the categories that need attention last, so they stay on top: unchecked fire points
    # (category 0) over checked ones, grade C sites (last category) over grade A.
    order = np.argsort(-ci if name == "fire_point" else ci, kind="stable")
    radius = max(1.5, style.marker_size / 2.0 - 0.5)
    onto = into.array_for_over() if into is not None else None
    arr = splat_markers(px[on][order], py[on][order], ci[order], palette, vp.width, vp.height, radius=radius,
                        outline=qcolor(style.stroke).getRgb(), out=onto)
    return [] if onto is not None else [(image_from_array(arr), 1.0)]


def render_clusters(c: Clusters, width: int, height: int) -> QImage:
    """Clusters as circles sized by their count, with the count; vermillion when some of their points
    are not yet checked, grey when all are."""
    img = new_image(width, height)
    radius = cluster_radius(c.count)
    attention = QColor(*palette.FIRE_STATUS["unverified"][:3])
    settled = QColor(*palette.FIRE_STATUS["no_burning"][:3])
    font = QFont()
    font.setPixelSize(11)
    font.setBold(True)
    with painting(img) as p:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setFont(font)
        order = np.argsort(c.attention > 0, kind="stable")  # clusters needing attention on top
        for i in order.tolist():
            x, y, r, n = float(c.x[i]), float(c.y[i]), float(radius[i]), int(c.count[i])
            p.setPen(QPen(QColor(255, 255, 255), 1.5))
            p.setBrush(attention if c.attention[i] else settled)
            p.drawEllipse(QPointF(x, y), r, r)
            if n > 1:
                p.setPen(QColor(255, 255, 255) if c.attention[i] else QColor(30, 30, 30))
                p.drawText(QRectF(x - r, y - r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, f"{n:,}")
    return img
