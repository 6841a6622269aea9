"""The map canvas: a widget that shows the last rendered image and renders the next one off the
GUI thread.

Interaction never waits for rendering: panning moves and zooming scales the last composite image
(one ``drawImage`` per frame), and a render of the new view starts after a short pause.  Renders
run on the global thread pool; each layer's parts are cached for the viewport they were drawn
for, so toggling a layer or changing its opacity only recomposes.  A render that is overtaken by
a newer one is cancelled and its result dropped.
"""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from dataclasses import replace
from typing import Callable, Iterator, Optional

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF, QWheelEvent
from PySide6.QtWidgets import QWidget

from ...layers import LAYERS
from ...mapview.data import MapData
from ...mapview.memory import RENDER_BLOCKS, reuse_blocks_up_to
from ...mapview.theme import FeatureTheme
from ...mapview.viewport import Viewport, nice_scale_bar
from ...tasks import CancelToken
from ..jobs import Job, queue
from .renderpass import SELECTION_LAYER, LayerState, RenderRequest, RenderResult, render, stack_members

__all__ = ["SELECTION_LAYER", "LayerState", "MapCanvas", "RenderRequest", "RenderResult", "render"]

#: Render jobs run on a Python thread, not Qt's QThreadPool: pyproj 3.7 can crash on reused
#: threads that Python did not create (pyproj issue 1509), and a job may touch a CRS.
_JOB_POOL = queue("render")


class MapCanvas(QWidget):
    """Pan, zoom, click and rectangle-select over a rendered map."""

    cursorMoved = Signal(float, float)  # lon, lat
    viewportChanged = Signal(object)  # Viewport
    clicked = Signal(float, float, bool)  # lon, lat, shift held
    rectangleSelected = Signal(float, float, float, float, bool)  # min lon, min lat, max lon, max lat, shift
    renderFinished = Signal(float)  # seconds
    renderFailed = Signal(str)
    measureCleared = Signal()  # right-click or Esc with the measure tool
    #: The basemap tiles a render lacked are read (emitted from the tile worker; queued to the GUI thread).
    _basemapArrived = Signal(int)  # the render's generation

    PAN, SELECT, PICK, MEASURE = "pan", "select", "pick", "measure"

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        # Renders run on worker threads that hold the interpreter lock while they draw; with
        # CPython's default 5 ms switch interval the GUI thread can wait that long for every
        # bytecode slice. 0.2 ms keeps pans and the progress bar smooth during a render.
        sys.setswitchinterval(0.0002)
        self.setObjectName("mapCanvas")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(320, 240)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.data: Optional[MapData] = None
        self.viewport: Optional[Viewport] = None
        self.order: list[str] = list(LAYERS)
        self.states: dict[str, LayerState] = {n: LayerState() for n in LAYERS}
        self.selection = np.empty(0, dtype=np.int64)
        self._selection_version = 0
        #: What the user is looking at: (layer, feature indices) drawn over every layer.
        self.highlighted: Optional[tuple[str, np.ndarray]] = None
        self._highlight_version = 0
        #: Thematic fills replacing a layer's style (e.g. grid cells by days since inspection).
        self.themes: dict[str, FeatureTheme] = {}
        self.tool = self.PAN
        #: Workflow markers drawn over the map: (lon, lat, colour, highlighted).
        self.overlay: list[tuple[float, float, QColor, bool]] = []
        #: The basemap beneath the layers: a callable (viewport, cancel) -> QImage run on a render worker.
        self.basemap: Optional[Callable[[Viewport, CancelToken], Optional[QImage]]] = None
        self._basemap_version = 0
        #: Extra drawing over the map each frame (GPS position, patrol tracks): callables (painter, viewport).
        self.overlay_painters: list[Callable[[QPainter, Viewport], None]] = []
        #: The measure tool's points (lon/lat) and what they measure, drawn over the map.
        self.measure_points: list[tuple[float, float]] = []
        self.measure_label = ""
        self._cursor: Optional[tuple[float, float]] = None
        self._image: Optional[QImage] = None
        self._image_vp: Optional[Viewport] = None
        self._parts: dict[str, tuple[Viewport, list]] = {}
        self._generation = 0
        self._jobs: list[Job] = []
        self._cancel: Optional[CancelToken] = None
        self._press: Optional[QPointF] = None
        self._press_vp: Optional[Viewport] = None
        self._drag_rect: Optional[QRectF] = None
        self._dragging = False
        self._rendering = False
        self.last_render_seconds = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self._start_render)
        self._basemapArrived.connect(self._on_basemap_arrived, Qt.ConnectionType.QueuedConnection)
        #: Whether the image on screen holds basemap stand-ins while its tiles are read.
        self.basemap_pending = False
        #: Inside :meth:`one_render`: renders asked for wait for its end (and whether one was asked for).
        self._held = 0
        self._held_render = False

    # --- model ------------------------------------------------------------------------------
    def set_data(self, data: MapData) -> None:
        self.data = data
        # A project's layers live until the next one opens. Freezing them takes their (many)
        # objects out of the cyclic garbage collector's scans, which otherwise run on a render
        # thread and stall the GUI for tens of milliseconds.  (The collection before it took 0.1 s of
        # the open while pandas was imported by then; 30 ms without it.)
        gc.collect()
        gc.freeze()
        self.order = [n for n in LAYERS if n in data.layers]
        self._parts.clear()
        self.themes.clear()  # a theme indexes the features of the previous data
        self._image = None
        self.selection = np.empty(0, dtype=np.int64)
        self._selection_version += 1
        self.highlighted = None
        self._highlight_version += 1
        self.viewport = Viewport.for_bounds(data.extent, max(1, self.width()), max(1, self.height()))
        self.viewportChanged.emit(self.viewport)
        self.request_render(immediate=True)

    def set_layer_visible(self, name: str, visible: bool) -> None:
        self.states[name].visible = visible
        self.request_render(immediate=True)

    def set_layer_opacity(self, name: str, opacity: float) -> None:
        self.states[name].opacity = max(0.0, min(1.0, opacity))
        self.request_render(immediate=True)

    def set_order(self, order: list[str]) -> None:
        """Drawing order, bottom layer first."""
        self.order = [n for n in order if n in self.states]
        self.request_render(immediate=True)

    def set_selection(self, indices: np.ndarray) -> None:
        self.selection = np.unique(np.asarray(indices, dtype=np.int64))
        self._selection_version += 1
        self.request_render(immediate=True)

    def highlight(self, layer: str, indices: object) -> None:
        """Highlight features ``indices`` (positions in the layer's frame) of ``layer`` on the map.

        One thing is highlighted at a time: this replaces any earlier highlight, of any layer.  Empty
        ``indices`` clear it.  Used for what the user is looking at: the identified feature, rows
        chosen in the attribute table or a list, search hits, rule-check hits, a task's cell.
        """
        idx = np.unique(np.asarray(indices, dtype=np.int64).ravel())
        if self.data is not None and layer in self.data.layers:
            idx = idx[(idx >= 0) & (idx < self.data.layers[layer].count)]
        new = (layer, idx) if len(idx) else None
        old = self.highlighted
        if (new is None and old is None) or (new is not None and old is not None and old[0] == new[0]
                                             and np.array_equal(old[1], new[1])):
            return
        self.highlighted = new
        self._highlight_version += 1
        self.request_render(immediate=True)

    def clear_highlight(self) -> None:
        """Nothing highlighted."""
        if self.highlighted is not None:
            self.highlighted = None
            self._highlight_version += 1
            self.request_render(immediate=True)

    def highlighted_indices(self, layer: str) -> np.ndarray:
        """Feature indices of ``layer`` highlighted now (empty when another layer or nothing is)."""
        if self.highlighted is None or self.highlighted[0] != layer:
            return np.empty(0, dtype=np.int64)
        return self.highlighted[1]

    def set_tool(self, tool: str) -> None:
        self.tool = tool
        self.setCursor(Qt.CursorShape.OpenHandCursor if tool == self.PAN else Qt.CursorShape.CrossCursor)
        if tool != self.MEASURE and self.measure_points:
            self.set_measure([], "")

    def set_measure(self, points: list[tuple[float, float]], label: str) -> None:
        """The measured path (lon/lat) and its text, drawn over the map without re-rendering it."""
        self.measure_points = list(points)
        self.measure_label = label
        self.update()

    def set_overlay(self, points: list[tuple[float, float, QColor, bool]]) -> None:
        """Markers (findings) drawn on top of the map, without re-rendering it."""
        self.overlay = list(points)
        self.update()

    def set_basemap(self, draw: Optional[Callable[[Viewport, CancelToken], Optional[QImage]]]) -> None:
        """Draw ``draw(viewport, cancel)`` beneath every layer (None: no basemap); it runs on a render worker."""
        self.basemap = draw
        self._basemap_version += 1
        self.request_render(immediate=True)

    def set_layer_theme(self, name: str, theme: Optional[FeatureTheme]) -> None:
        """Fill layer ``name`` by ``theme`` (None: back to the layer's own style) and redraw it."""
        if theme is None:
            if self.themes.pop(name, None) is None:
                return
        else:
            self.themes[name] = theme
        self.refresh_layer(name)

    def refresh_layer(self, name: str) -> None:
        """Redraw layer ``name`` after its values changed (e.g. fire-point check results)."""
        self._parts = {k: v for k, v in self._parts.items() if k != name and name not in stack_members(k)}
        self.request_render(immediate=True)

    # --- view changes -----------------------------------------------------------------------
    def set_viewport(self, vp: Viewport, immediate: bool = False) -> None:
        self.viewport = vp
        self.viewportChanged.emit(vp)
        self.update()
        self.request_render(immediate=immediate)

    def zoom_to(self, bounds: Optional[tuple[float, float, float, float]], min_size: float = 0.002) -> None:
        """Show ``bounds`` (lon/lat); tiny bounds (a point) get a sensible minimum size."""
        if bounds is None or self.viewport is None:
            return
        minx, miny, maxx, maxy = bounds
        if maxx - minx < min_size and maxy - miny < min_size:
            cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
            minx, maxx, miny, maxy = cx - min_size, cx + min_size, cy - min_size, cy + min_size
        self.set_viewport(self.viewport.fit((minx, miny, maxx, maxy)), immediate=True)

    def zoom_full(self) -> None:
        if self.data is not None:
            self.zoom_to(self.data.extent)

    def zoom_by(self, factor: float, anchor: Optional[QPointF] = None) -> None:
        if self.viewport is None:
            return
        ax, ay = (anchor.x(), anchor.y()) if anchor is not None else (None, None)
        self.set_viewport(self.viewport.zoom(factor, ax, ay))

    # --- rendering ----------------------------------------------------------------------------
    @contextmanager
    def one_render(self) -> Iterator[None]:
        """Every render asked for inside is one render at the end (a newly opened project's map is set up
        in several steps: data, layer visibility, the period, the basemap; each would restart the render)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._held_render:
                self._held_render = False
                self.request_render(immediate=True)

    def request_render(self, immediate: bool = False) -> None:
        if self._held:
            self._held_render = True
            return
        if self.data is None or self.viewport is None:
            return
        if immediate:
            self._timer.stop()
            self._start_render()
        else:
            self._timer.start()

    def _start_render(self) -> None:
        if self.data is None or self.viewport is None:
            return
        if self._cancel is not None:
            self._cancel.cancel()
        # a render's images and arrays reuse the pages the last one freed (gridwatch.mapview.memory)
        reuse_blocks_up_to(max(RENDER_BLOCKS, 4 * self.viewport.width * self.viewport.height))
        self._generation += 1
        self._cancel = CancelToken()
        req = RenderRequest(
            generation=self._generation,
            viewport=self.viewport,
            order=list(self.order),
            states={n: replace(s) for n, s in self.states.items()},
            selection=self.selection.copy(),
            selection_version=self._selection_version,
            cached=dict(self._parts),
            themes=dict(self.themes),
            highlight=self.highlighted,
            highlight_version=self._highlight_version,
            basemap=self.basemap,
            basemap_version=self._basemap_version,
        )
        data, cancel = self.data, self._cancel
        job = Job(lambda progress, _cancel: render(data, req, cancel), "render", executor=_JOB_POOL,
                  tag=req.generation)
        job.succeeded.connect(self._on_rendered, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._jobs = [j for j in self._jobs if j.running] + [job]
        self._rendering = True
        job.start()

    def _on_rendered(self, job: Job, result: RenderResult) -> None:
        if result.generation != self._generation:
            return  # overtaken by a newer view
        self._rendering = False
        self._image = result.image
        self._image_vp = result.viewport
        self._parts = {k: v for k, v in result.parts.items() if v[0] == result.viewport}
        self.last_render_seconds = result.seconds
        self.basemap_pending = result.basemap_pending is not None
        if result.basemap_pending is not None:
            generation = result.generation
            result.basemap_pending.add_done_callback(lambda _f: self._emit_basemap_arrived(generation))
        elif hasattr(self.basemap, "prefetch"):
            # painted whole: the zoom levels next to this one are read in the background (a zoom in or out
            # then draws at once)
            self.basemap.prefetch(result.viewport)  # type: ignore[union-attr]
        self.update()
        self.renderFinished.emit(result.seconds)

    def _emit_basemap_arrived(self, generation: int) -> None:
        try:
            self._basemapArrived.emit(generation)
        except RuntimeError:  # the canvas was closed while its tiles were read
            pass

    def _on_basemap_arrived(self, generation: int) -> None:
        """The tiles the last render lacked are in: compose again (the layers come from the cache)."""
        if generation == self._generation and not self._timer.isActive():
            self.request_render(immediate=True)

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        if kind == "cancelled":
            return  # overtaken by a newer view
        if job.tag == self._generation:
            self._rendering = False
            self.renderFailed.emit(message)

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Cancel rendering and wait for running jobs (before the widget goes away)."""
        self._timer.stop()
        if self._cancel is not None:
            self._cancel.cancel()
        for job in self._jobs:
            job.cancel()
        for job in self._jobs:
            job.wait(timeout_ms / 1000.0)
        self._jobs.clear()

    @property
    def is_rendering(self) -> bool:
        """Whether a render is due or running, or the image waits for basemap tiles being read."""
        return self._rendering or self._timer.isActive() or self.basemap_pending

    # --- painting -----------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(250, 250, 246))
        if self._image is not None and self._image_vp is not None and self.viewport is not None:
            src, cur = self._image_vp, self.viewport
            if src == cur:
                p.drawImage(0, 0, self._image)
            else:
                # Preview: place the old image where its corners fall in the new view.
                x0, y0 = cur.to_screen(*src.to_map(0.0, 0.0))
                x1, y1 = cur.to_screen(*src.to_map(float(src.width), float(src.height)))
                p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                p.drawImage(QRectF(QPointF(x0, y0), QPointF(x1, y1)), self._image)
        elif self.data is None:
            p.setPen(QColor(120, 120, 120))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.tr("No project open"))
        if self.overlay and self.viewport is not None:
            self._paint_overlay(p)
        for paint in self.overlay_painters if self.viewport is not None else ():
            paint(p, self.viewport)
        if self.tool == self.MEASURE and self.viewport is not None:
            self._paint_measure(p)
        if self._drag_rect is not None:
            pen = QPen(QColor(0, 120, 215), 1.0, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.setBrush(QColor(0, 120, 215, 40))
            p.drawRect(self._drag_rect)
        self._paint_scale_bar(p)
        p.end()

    def _paint_overlay(self, p: QPainter) -> None:
        assert self.viewport is not None
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        w, h = self.width(), self.height()
        for lon, lat, color, highlighted in self.overlay:
            x, y = self.viewport.to_screen(lon, lat)
            if not (-10 <= x <= w + 10 and -10 <= y <= h + 10):
                continue
            r = 8.0 if highlighted else 6.0
            diamond = QPolygonF([QPointF(x, y - r), QPointF(x + r, y), QPointF(x, y + r), QPointF(x - r, y)])
            p.setPen(QPen(QColor(20, 20, 20) if highlighted else QColor(255, 255, 255), 2.0 if highlighted else 1.2))
            p.setBrush(color)
            p.drawPolygon(diamond)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _paint_measure(self, p: QPainter) -> None:
        assert self.viewport is not None
        pts = [QPointF(*self.viewport.to_screen(lon, lat)) for lon, lat in self.measure_points]
        if pts and self._cursor is not None:
            pts_live = pts + [QPointF(*self.viewport.to_screen(*self._cursor))]
        else:
            pts_live = pts
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if len(pts) >= 3:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(213, 94, 0, 50))
            p.drawPolygon(QPolygonF(pts))
        for color, width in ((QColor(255, 255, 255, 230), 5.0), (QColor(213, 94, 0), 2.0)):
            pen = QPen(color, width)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            if len(pts_live) >= 2:
                p.drawPolyline(QPolygonF(pts_live))
        p.setPen(QPen(QColor(255, 255, 255), 1.5))
        p.setBrush(QColor(213, 94, 0))
        for pt in pts:
            p.drawEllipse(pt, 4.0, 4.0)
        if self.measure_label:
            font = QFont()
            font.setPixelSize(13)
            p.setFont(font)
            rect = p.fontMetrics().boundingRect(0, 0, 420, 200, Qt.TextFlag.TextWordWrap, self.measure_label)
            box = QRectF(12, 12, rect.width() + 16, rect.height() + 10)
            p.setPen(QPen(QColor(120, 120, 120), 1))
            p.setBrush(QColor(255, 255, 255, 235))
            p.drawRoundedRect(box, 4, 4)
            p.setPen(QColor(20, 20, 20))
            p.drawText(box.adjusted(8, 5, -8, -5), Qt.TextFlag.TextWordWrap, self.measure_label)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _paint_scale_bar(self, p: QPainter) -> None:
        if self.viewport is None:
            return
        metres, pixels, label = nice_scale_bar(self.viewport.metres_per_pixel)
        x0, y0 = 16.0, self.height() - 20.0
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.setPen(QPen(QColor(255, 255, 255, 220), 5))
        p.drawLine(QPointF(x0, y0), QPointF(x0 + pixels, y0))
        p.setPen(QPen(QColor(30, 30, 30), 2))
        p.drawLine(QPointF(x0, y0), QPointF(x0 + pixels, y0))
        p.drawLine(QPointF(x0, y0 - 5), QPointF(x0, y0))
        p.drawLine(QPointF(x0 + pixels, y0 - 5), QPointF(x0 + pixels, y0))
        font = QFont()
        font.setPixelSize(12)
        p.setFont(font)
        p.drawText(QPointF(x0 + 2, y0 - 7), label)
        # North arrow: the map is always north-up.
        nx, ny = self.width() - 24.0, 36.0
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setBrush(QColor(30, 30, 30))
        p.drawPolygon([QPointF(nx, ny - 18), QPointF(nx - 7, ny), QPointF(nx, ny - 5), QPointF(nx + 7, ny)])
        p.drawText(QPointF(nx - 4, ny + 14), "N")

    # --- events -------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if self.viewport is not None:
            self.viewport = self.viewport.resized(self.width(), self.height())
            self.viewportChanged.emit(self.viewport)
            self.request_render()
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25**steps, event.position())
        event.accept()

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and self.tool == self.MEASURE:
            self.measureCleared.emit()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.RightButton and self.tool == self.MEASURE:
            self.measureCleared.emit()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position()
            self._press_vp = self.viewport
            self._dragging = False
            if self.tool == self.PAN:
                self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self.viewport is not None:
            lon, lat = self.viewport.to_map(pos.x(), pos.y())
            self.cursorMoved.emit(float(lon), float(lat))
            if self.tool == self.MEASURE and self.measure_points:
                self._cursor = (float(lon), float(lat))
                self.update()
        if self._press is None or self._press_vp is None:
            return
        delta = pos - self._press
        if not self._dragging and abs(delta.x()) + abs(delta.y()) < 4:
            return
        self._dragging = True
        if self.tool in (self.PAN, self.MEASURE):  # measuring: a drag still pans
            self.viewport = self._press_vp.pan(delta.x(), delta.y())
            self.viewportChanged.emit(self.viewport)
            self.update()
            self.request_render()
        else:
            self._drag_rect = QRectF(self._press, pos).normalized()
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton or self._press is None or self.viewport is None:
            return
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        pos = event.position()
        if not self._dragging:
            lon, lat = self.viewport.to_map(pos.x(), pos.y())
            self.clicked.emit(float(lon), float(lat), shift)
        elif self.tool == self.SELECT and self._drag_rect is not None:
            r = self._drag_rect
            lon0, lat1 = self.viewport.to_map(r.left(), r.top())
            lon1, lat0 = self.viewport.to_map(r.right(), r.bottom())
            self.rectangleSelected.emit(float(lon0), float(lat0), float(lon1), float(lat1), shift)
        elif self.tool in (self.PAN, self.MEASURE):
            self.request_render(immediate=True)
        self._press = None
        self._press_vp = None
        self._drag_rect = None
        self._dragging = False
        self.set_tool(self.tool)
        self.update()

    def click_tolerance(self, pixels: float = 5.0) -> float:
        """Degrees that ``pixels`` span at the current zoom (for picking points)."""
        return (self.viewport.res if self.viewport is not None else 0.001) * pixels
