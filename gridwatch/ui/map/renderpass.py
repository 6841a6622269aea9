"""One render of the map for a viewport, on a worker: the layers, the basemap beneath them, the
selection, highlight and labels over them, composited into one image.

Each layer's parts are cached by the canvas for the viewport they were drawn for, so a new request
only draws what changed.  The basemap pass runs beside the layers: a tile package's tiles are read
on the basemap drawer's own worker while the layers draw, and the composite takes whatever is
decoded by then (tiles still being read stand in from a neighbouring zoom level): the map never
waits for PNG decoding.  The result then says the basemap is pending (``basemap_pending``: a future
that completes when the tiles are in), and the canvas renders again (layers from the cache) with
the whole basemap.  Split from :mod:`gridwatch.ui.map.canvas`.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
from PySide6.QtGui import QImage

from ...mapview.data import MapData
from ...mapview.theme import FeatureTheme
from ...mapview.viewport import Viewport
from ...tasks import CancelToken
from ..jobs import queue
from . import marks as M
from . import render as R
from .images import LayerImage

SELECTION_LAYER = "grid_cell"


@dataclass
class LayerState:
    """What the user set for one layer in the layers panel."""

    visible: bool = True
    opacity: float = 1.0


@dataclass
class RenderRequest:
    generation: int
    viewport: Viewport
    order: list[str]  # bottom to top
    states: dict[str, LayerState]
    selection: np.ndarray
    selection_version: int
    cached: dict[str, tuple[Viewport, list]] = field(default_factory=dict)
    labels: bool = True
    themes: dict[str, FeatureTheme] = field(default_factory=dict)
    #: Highlighted features: (layer, feature indices), drawn over everything.
    highlight: Optional[tuple[str, np.ndarray]] = None
    highlight_version: int = 0
    #: The basemap, drawn beneath every layer (see MapCanvas.set_basemap): a callable
    #: (viewport, cancel) -> QImage, or a progressive drawer (see :mod:`gridwatch.ui.map.basemap`).
    basemap: Optional[Callable[[Viewport, CancelToken], Optional[QImage]]] = None
    basemap_version: int = 0


@dataclass
class RenderResult:
    generation: int
    viewport: Viewport
    image: QImage
    parts: dict[str, tuple[Viewport, list]]
    seconds: float
    #: The basemap's tiles still being read (the image holds stand-ins): done when they are in.
    basemap_pending: Optional[Future] = None


#: A plain basemap (drawn whole, not from tiles) is drawn here beside the layers.
_BASEMAP_POOL = queue("basemap", 1)
#: Read a tile basemap's missing tiles once the layers are drawn rather than beside them: on a busy
#: two-core machine decoding beside the layers slowed the first image (measured 1.7-1.9x the render
#: without a basemap, against 1.1x when the decoding waits for the layers).
LOAD_AFTER_LAYERS = True


def render(data: MapData, req: RenderRequest, cancel: CancelToken) -> RenderResult:
    """Render the layers of one request into per-layer parts and a composite (on a worker)."""
    t0 = time.perf_counter()
    vp = req.viewport
    parts: dict[str, tuple[Viewport, list]] = {}

    def fresh(key: str) -> Optional[tuple[Viewport, list]]:
        cached = req.cached.get(key)
        return cached if cached is not None and cached[0] == vp else None

    shown = [n for n in req.order if req.states[n].visible]
    # Runs of layers drawn into one image, when the whole view is new (a zoom, a pan); in a view drawn
    # before, a run is still the image drawn for it, else its layers are drawn one by one, so that hiding,
    # showing or redrawing one of them later redraws no other.
    new_view = not any(cached[0] == vp for cached in req.cached.values())
    stacks = {k: run for k, run in stack_runs(data, req).items() if new_view or fresh(k) is not None}
    stacked = {n: k for k, run in stacks.items() for n in run}
    todo = []
    for name in shown:
        key = stacked.get(name, name)
        cached = fresh(key)
        if cached is not None:
            parts[key] = cached
        else:
            todo.append(name)
    base = BasemapPass(req, vp, cancel)
    # The layers one after the other on this thread: drawing holds Python's interpreter lock most of the
    # time (Qt calls, numpy steps too short to run beside it), and two threads handing it to each other took
    # longer than one doing it all (stress district's 1/16 zoom: 42-51 ms on two threads, 32-37 ms on one;
    # full views the same).
    drawn: dict[str, LayerImage] = {}
    for name in todo:
        cancel.raise_if_cancelled()
        layer, theme = data.layers[name], req.themes.get(name)
        key = stacked.get(name)
        if key is None:
            parts[name] = (vp, R.render_layer(layer, vp, None, cancel, theme))
            continue
        canvas = drawn.setdefault(key, LayerImage(vp.width, vp.height, stacked=True))
        if canvas.empty or theme is not None or not layer.spec.style.hatch:
            R.draw_layer(canvas, layer, vp, None, cancel, theme)
        else:
            # Hatched fills are laid over pixels slowly by Qt (a pattern blended pixel by pixel: the stress
            # district's coal-ban zones 5.5 ms drawn over the layers beneath, 3.6 ms drawn on their own):
            # the layer is drawn as on its own and its image laid on the stack.
            for img, opacity in R.render_layer(layer, vp, None, cancel, theme):
                canvas.add(img, opacity)
    for key, canvas in drawn.items():
        parts[key] = (vp, canvas.parts())
    if req.labels:
        label_image = M.render_labels(data, vp, shown)
        parts["labels"] = (vp, [(label_image, 1.0)] if label_image is not None else [])
    base_parts = base.finish(parts)
    key = f"selection:{req.selection_version}"
    cached = req.cached.get(key)
    if cached is not None and cached[0] == vp:
        parts[key] = cached
    elif SELECTION_LAYER in data.layers:
        parts[key] = (vp, M.render_selection(data.layers[SELECTION_LAYER], vp, req.selection))
    cancel.raise_if_cancelled()
    stack = list(base_parts)  # the basemap first, beneath everything
    laid = set()
    for name in shown:
        part_key = stacked.get(name, name)  # a stack's layers are all at full opacity
        if part_key in parts and part_key not in laid:
            laid.add(part_key)
            opacity = req.states[name].opacity
            stack += [(img, o * opacity) for img, o in parts[part_key][1]]
    stack += parts.get(key, (vp, []))[1]
    if req.highlight is not None and req.highlight[0] in data.layers:
        hkey = f"highlight:{req.highlight_version}"
        cached = req.cached.get(hkey)
        if cached is not None and cached[0] == vp:
            parts[hkey] = cached
        else:
            parts[hkey] = (vp, M.render_highlight(data.layers[req.highlight[0]], vp, req.highlight[1]))
        stack += parts[hkey][1]
    stack += parts.get("labels", (vp, []))[1]
    image = R.compose(stack, vp.width, vp.height)
    return RenderResult(req.generation, vp, image, parts, time.perf_counter() - t0, base.pending)


#: Layers never drawn into a stack with others: the fire points are redrawn on their own whenever the
#: time bar's period changes.
ALONE = frozenset({"fire_point"})
STACK_PREFIX = "stack:"


def stack_key(names: list[str]) -> str:
    """The cache key of the image the layers ``names`` (bottom to top) are drawn into together."""
    return STACK_PREFIX + "|".join(names)


def stack_members(key: str) -> list[str]:
    """The layers drawn into the image cached under ``key`` (none when it is not a stack's)."""
    return key[len(STACK_PREFIX):].split("|") if key.startswith(STACK_PREFIX) else []


def stack_runs(data: MapData, req: RenderRequest) -> dict[str, list[str]]:
    """Runs of layers drawn together into one image, by cache key: two or more next to each other (hidden
    layers between them draw nothing), all at full opacity, none of them :data:`ALONE`.

    A zoom or pan then draws the map's layers into one or two images instead of one each: fewer view-sized
    images to clear and to composite (on the stress district's 1/16 zoom, 11 images composited took
    6-7 ms of 40).  The run is cached as a whole: when one of its layers is redrawn (its values or
    theme changed), hidden, shown or given another opacity, the view's layers are drawn one by one
    instead (see :func:`render`), and from then on each is redrawn alone."""
    runs: list[list[str]] = [[]]
    for name in req.order:
        state = req.states[name]
        if not state.visible:
            continue
        if state.opacity >= 1.0 and name not in ALONE and name in data.layers:
            runs[-1].append(name)
        elif runs[-1]:
            runs.append([])
    return {stack_key(run): run for run in runs if len(run) >= 2}


class BasemapPass:
    """The basemap of one render: started before the layers, finished after them."""

    def __init__(self, req: RenderRequest, vp: Viewport, cancel: CancelToken) -> None:
        self.req, self.vp, self.cancel = req, vp, cancel
        self.key = f"basemap:{req.basemap_version}"
        self.cached = req.cached.get(self.key)
        self.pending: Optional[Future] = None
        self._future: Optional[Future] = None
        self._loading: Optional[Future] = None
        drawer = req.basemap
        self.needed = drawer is not None and not (self.cached is not None and self.cached[0] == vp)
        self.progressive = self.needed and bool(getattr(drawer, "progressive", False))
        if self.progressive and not LOAD_AFTER_LAYERS:
            self._loading = drawer.start_loading(vp)  # type: ignore[union-attr]
        elif self.needed and not self.progressive:
            # a plain drawer (OSM themes) draws beside the layers, and the composite waits for it
            self._future = _BASEMAP_POOL.submit(drawer, vp, cancel)  # type: ignore[arg-type]

    def finish(self, parts: dict[str, tuple[Viewport, list]]) -> list[R.Part]:
        """The basemap's parts for the composite; a complete basemap goes into ``parts`` (the cache)."""
        drawer, vp = self.req.basemap, self.vp
        if drawer is None:
            return []
        if not self.needed:
            assert self.cached is not None
            parts[self.key] = self.cached
            return list(self.cached[1])
        if not self.progressive:
            assert self._future is not None
            img = self._future.result()
            parts[self.key] = (vp, [(img, 1.0)] if img is not None else [])
            return list(parts[self.key][1])
        img, complete = drawer.draw_available(vp, self.cancel)  # type: ignore[attr-defined]
        drawn = [(img, 1.0)] if img is not None else []
        if complete:
            parts[self.key] = (vp, drawn)  # the canvas reads the neighbouring levels after the paint (prefetch)
            return drawn
        # Stand-ins are not cached: the next render of this view draws the tiles read by then.
        loading = self._loading
        if loading is None or loading.done():
            loading = drawer.start_loading(vp)  # type: ignore[attr-defined]
        self.pending = loading
        return drawn
