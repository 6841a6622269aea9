"""Drawing a project's basemap beneath the layers: a tile package or OpenStreetMap themes, into a QImage.

The canvas's render pass (:mod:`gridwatch.ui.map.renderpass`) asks a :class:`BasemapDrawer` for a
viewport; its result is cached for that viewport like a layer's.  Tiles come reprojected from
:mod:`gridwatch.basemap.tiles`, and a tile package draws *progressively*: the render pass starts
reading the view's tiles on the drawer's own worker (:meth:`BasemapDrawer.start_loading`), draws
the layers meanwhile, and composites whatever is decoded by then (:meth:`BasemapDrawer.draw_available`:
tiles not read yet stand in from a neighbouring zoom level, scaled), so the map never waits for
PNG decoding; when the tiles are in, the canvas recomposes (layers cached) with the whole basemap,
and the drawer reads the neighbouring zoom levels of the view in the background
(:meth:`BasemapDrawer.prefetch`).  OSM themes are drawn with QPainter in muted
colours so the project's layers stay readable on top: water pale blue, settlements light sand,
rivers blue, roads white with a grey casing (major wider, paths dashed), settlement names in grey.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Optional

import numpy as np
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

from ...basemap.registry import Basemap
from ...mapview.viewport import Viewport
from ...tasks import CancelToken
from ..jobs import queue
from .qtarrays import polygonf
from .render import image_from_array, new_image, painting

WATER = QColor(170, 211, 223)
AREA = QColor(236, 228, 210)
RIVER = QColor(120, 170, 210)
CASING = QColor(170, 170, 165)
ROAD = QColor(255, 255, 255)
LABEL = QColor(90, 90, 90)
#: Road widths in pixels by class (casing adds two).
ROAD_WIDTH = {"major": 4.0, "minor": 2.2, "path": 1.0}


#: Tiles read and decoded here, one at a time, beside the render workers.
_LOADER = queue("basemap-tiles", 1)


def _low_priority(work, *args):  # type: ignore[no-untyped-def]
    """Run ``work`` on this worker thread at a lower scheduling priority (Linux: the thread's nice value), so
    reading tiles beside a render never slows the layers the user waits for on a busy two-core laptop."""
    if not getattr(_low_priority_set, "done", False):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):  # not Linux, or not allowed: normal priority
            pass
        _low_priority_set.done = True
    return work(*args)


_low_priority_set = threading.local()


class BasemapDrawer:
    """Draws one registered basemap of a project for any viewport (thread-safe: one draw at a time)."""

    def __init__(self, project: Path, entry: Basemap) -> None:
        self.entry = entry
        self.path = entry.path(project)
        self._lock = threading.Lock()
        self._load_cancel: Optional[CancelToken] = None
        self._tiles = None
        self._themes: dict[str, object] = {}
        if entry.kind == "tiles":
            from ...basemap.tiles import TileRenderer, open_tiles

            self._tiles = TileRenderer(open_tiles(self.path), entry.datum)
        else:
            from ...basemap.osm import load_osm_basemap

            self._themes = dict(load_osm_basemap(self.path))
            self._trees = {k: shapely.STRtree(np.asarray(v.geometry.values, dtype=object))
                           for k, v in self._themes.items()}

    def close(self) -> None:
        if self._load_cancel is not None:
            self._load_cancel.cancel()  # a load or prefetch stops at its next tile
        if self._tiles is not None:
            self._tiles.source.close()  # waits for a tile being read (see the sources' close)

    @property
    def progressive(self) -> bool:
        """Whether the render pass may composite this basemap before its tiles are all read (tiles only)."""
        return self._tiles is not None

    def __call__(self, vp: Viewport, cancel: CancelToken) -> Optional[QImage]:
        """The whole basemap of ``vp`` (reading every tile it needs first)."""
        with self._lock:
            if self._tiles is not None:
                arr = self._tiles.render_bgra(vp.extent, vp.width, vp.height, cancel)
                return image_from_array(arr)
            return self._draw_osm(vp, cancel)

    def start_loading(self, vp: Viewport) -> Optional[Future]:
        """Read the tiles ``vp`` needs on the drawer's worker (a load for an earlier view is given up);
        None when they are all read already.  The future's result is the number of tiles read."""
        if self._tiles is None:
            return None
        keys = self._tiles.missing(self._tiles.tiles_for(vp.extent, vp.width, vp.height))
        if not keys:
            return None
        return self._submit(keys)

    def prefetch(self, vp: Viewport) -> Optional[Future]:
        """Read, in the background, the tiles the next zoom out (the coarser level: the whole view) and the
        next zoom in (the finer level: the middle half of the view, where a zoom in lands) will need."""
        if self._tiles is None:
            return None
        t = self._tiles
        inner = vp.zoom(2.0)
        keys = t.tiles_for(vp.extent, vp.width, vp.height, -1) + t.tiles_for(inner.extent, inner.width,
                                                                               inner.height, 0)
        keys = t.missing(keys)
        return self._submit(keys) if keys else None

    def _submit(self, keys: list[tuple[int, int, int]]) -> Future:
        if self._load_cancel is not None:
            self._load_cancel.cancel()
        cancel = self._load_cancel = CancelToken()
        tiles = self._tiles
        assert tiles is not None
        return _LOADER.submit(_low_priority, tiles.load, keys, cancel)

    def draw_available(self, vp: Viewport, cancel: CancelToken) -> tuple[Optional[QImage], bool]:
        """The basemap of ``vp`` from the tiles decoded so far (stand-ins from other zoom levels where a
        tile is not read yet) and whether it is complete; never reads a tile."""
        if self._tiles is None:
            return self(vp, cancel), True
        arr, complete = self._tiles.render_available(vp.extent, vp.width, vp.height, cancel)
        return image_from_array(arr), complete

    def _visible(self, theme: str, vp: Viewport):  # type: ignore[no-untyped-def]
        frame = self._themes.get(theme)
        if frame is None or not len(frame):
            return None, np.empty(0, dtype=np.int64)
        idx = self._trees[theme].query(shapely.box(*vp.extent))
        return frame, np.sort(idx)

    def _draw_osm(self, vp: Viewport, cancel: CancelToken) -> QImage:
        img = new_image(vp.width, vp.height)
        sx, ox, sy, oy = vp.affine()
        with painting(img) as p:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            for theme, colour in (("areas", AREA), ("water", WATER)):
                frame, idx = self._visible(theme, vp)
                if frame is None:
                    continue
                path = QPainterPath()
                path.setFillRule(Qt.FillRule.OddEvenFill)
                for g in frame.geometry.values[idx]:
                    for ring in _rings(g):
                        xy = shapely.get_coordinates(ring)
                        path.addPolygon(polygonf(xy[:, 0] * sx + ox, xy[:, 1] * sy + oy))
                p.fillPath(path, colour)
            cancel.raise_if_cancelled()
            frame, idx = self._visible("rivers", vp)
            if frame is not None:
                p.setPen(QPen(RIVER, 1.6))
                for g in frame.geometry.values[idx]:
                    for line in _lines(g):
                        xy = shapely.get_coordinates(line)
                        p.drawPolyline(polygonf(xy[:, 0] * sx + ox, xy[:, 1] * sy + oy))
            frame, idx = self._visible("roads", vp)
            if frame is not None:
                classes = frame["class"].to_numpy()[idx]
                geoms = frame.geometry.values[idx]
                order = np.argsort([{"path": 0, "minor": 1, "major": 2}.get(c, 0) for c in classes], kind="stable")
                polys = [(classes[i], [polygonf(*(lambda xy: (xy[:, 0] * sx + ox, xy[:, 1] * sy + oy))(
                    shapely.get_coordinates(line))) for line in _lines(geoms[i])]) for i in order]
                for casing in (True, False):
                    for cls, lines in polys:
                        width = ROAD_WIDTH.get(cls, 1.0)
                        if cls == "path":
                            if casing:
                                continue
                            pen = QPen(QColor(150, 130, 110), 1.0, Qt.PenStyle.DashLine)
                        else:
                            pen = QPen(CASING if casing else ROAD, width + (2.0 if casing else 0.0))
                        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                        p.setPen(pen)
                        for line in lines:
                            p.drawPolyline(line)
            cancel.raise_if_cancelled()
            self._labels(p, vp, sx, ox, sy, oy)
        return img

    def _labels(self, p: QPainter, vp: Viewport, sx: float, ox: float, sy: float, oy: float) -> None:
        font = QFont()
        font.setPixelSize(11)
        p.setFont(font)
        placed: list[QRectF] = []
        for theme in ("places", "roads", "rivers"):
            frame, idx = self._visible(theme, vp)
            if frame is None:
                continue
            names = frame["name"].to_numpy()[idx]
            geoms = frame.geometry.values[idx]
            for name, g in zip(names, geoms):
                if not isinstance(name, str) or not name:
                    continue
                pt = g if g.geom_type == "Point" else g.interpolate(0.5, normalized=True)
                x, y = pt.x * sx + ox, pt.y * sy + oy
                rect = p.fontMetrics().boundingRect(name)
                box = QRectF(x - rect.width() / 2 - 2, y - rect.height() / 2 - 1, rect.width() + 4, rect.height() + 2)
                if not QRectF(0, 0, vp.width, vp.height).contains(box) or any(box.intersects(b) for b in placed):
                    continue
                placed.append(box)
                p.setPen(QPen(QColor(255, 255, 255, 220), 3))
                path = QPainterPath()
                path.addText(QPointF(box.left() + 2, box.bottom() - 3), font, name)
                p.strokePath(path, QPen(QColor(255, 255, 255, 220), 3))
                p.fillPath(path, QColor(RIVER if theme == "rivers" else LABEL))


def _rings(g):  # type: ignore[no-untyped-def]
    if g is None or g.is_empty:
        return []
    polys = list(g.geoms) if g.geom_type == "MultiPolygon" else [g] if g.geom_type == "Polygon" else []
    out = []
    for poly in polys:
        out.append(poly.exterior)
        out.extend(poly.interiors)
    return out


def _lines(g):  # type: ignore[no-untyped-def]
    if g is None or g.is_empty:
        return []
    if g.geom_type == "LineString":
        return [g]
    if g.geom_type == "MultiLineString":
        return list(g.geoms)
    return []


def drawer_for(project: Optional[Path], entry: Optional[Basemap]) -> Optional[BasemapDrawer]:
    """A drawer for ``entry`` of ``project`` (None for no basemap)."""
    if project is None or entry is None:
        return None
    return BasemapDrawer(Path(project), entry)
