"""A big fire-point layer the map does not hold in memory: zoomed out it is drawn from the project's stored
density counts, zoomed in from the points of the view (read through the GeoPackage's spatial index), and a
time period from the points of that period (read through the index on their time).  No Qt.

Opening a district of a million fire points used to read every point and bin it before the first paint (1.1 s
and most of the memory).  With the counts stored in the project (schema 6, :mod:`gridwatch.storage.density`)
the open reads none; the points themselves are read only by what needs every one of them (the attribute
table, a click on the map, a highlight), on first use.
"""

from __future__ import annotations

import datetime as _dt
import threading
from contextlib import closing
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd

from ..layers import LAYERS
from ..storage import density
from ..times import Window, in_window
from .raster import DensityBins

#: Points in a view up to which the view's points are read and drawn one by one (markers or clusters);
#: above it the stored counts draw a density raster.
VIEW_POINTS_MAX = 150_000


def _stored_text(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


class DensityStore:
    """The stored counts and the reads of one project's fire points (thread-safe: renders run on workers).
    What was read for a level or a time window is kept until the project is loaded again."""

    def __init__(self, path: Path, layer: str = "fire_point") -> None:
        self.path = Path(path)
        self.layer = layer
        self._lock = threading.Lock()
        self._bins: dict[int, DensityBins] = {}
        self._window: Optional[tuple[Window, pd.DataFrame, np.ndarray]] = None
        with closing(self._connect()) as con:
            self.total = density.total(con)

    def _connect(self):  # type: ignore[no-untyped-def]
        from ..storage.gpkg import connect_readonly

        return connect_readonly(self.path)

    def time_span(self) -> Optional[tuple[_dt.datetime, _dt.datetime]]:
        """First and last detection time (UTC), from the index on ``detected_utc``."""
        from ..times import parse_stored_time

        with closing(self._connect()) as con:
            lo, hi = density.time_span(con)
        first, last = parse_stored_time(lo), parse_stored_time(hi)
        return (first, last) if first is not None and last is not None else None

    def level_for(self, max_cell: float) -> int:
        """The coarsest level whose squares are at most ``max_cell`` degrees (the finest if none is)."""
        fit = [lv for lv, cell in density.LEVEL_CELLS.items() if cell <= max_cell]
        if fit:
            return max(fit, key=lambda lv: density.LEVEL_CELLS[lv])
        return min(density.LEVEL_CELLS, key=lambda lv: density.LEVEL_CELLS[lv])

    def bins(self, level: int) -> DensityBins:
        """The stored counts of ``level`` (every point)."""
        with self._lock:
            hit = self._bins.get(level)
        if hit is not None:
            return hit
        with closing(self._connect()) as con:
            ix, iy, count = density.read_level(con, level)
        out = DensityBins(np.empty((0, 2)), 0.0)
        out._set(0.0, 0.0, density.LEVEL_CELLS[level], ix, iy, count)
        with self._lock:
            self._bins[level] = out
        return out

    def in_view(self, extent: tuple[float, float, float, float]) -> float:
        """At most how many points lie in ``extent`` (from the coarsest counts: squares the view touches)."""
        coarse = self.bins(max(density.LEVEL_CELLS, key=lambda lv: density.LEVEL_CELLS[lv]))
        half = coarse.cell / 2
        minx, miny, maxx, maxy = extent
        near = ((coarse.xy[:, 0] + half >= minx) & (coarse.xy[:, 0] - half <= maxx)
                & (coarse.xy[:, 1] + half >= miny) & (coarse.xy[:, 1] - half <= maxy))
        return float(coarse.count[near].sum())

    def window_points(self, window: Window) -> tuple[pd.DataFrame, np.ndarray]:
        """The map's attributes and coordinates of the points detected in ``window`` (through the time index;
        the last window's are kept)."""
        with self._lock:
            hit = self._window
        if hit is not None and hit[0] == window:
            return hit[1], hit[2]
        start, end = window
        lo = _stored_text(start - _dt.timedelta(seconds=1)) if start is not None else ""
        hi = _stored_text(end + _dt.timedelta(seconds=1)) if end is not None else "~"
        with closing(self._connect()) as con:
            xy, rows = density.points_between(con, lo, hi)
        frame = pd.DataFrame(rows, columns=["status", "heat_source", "detected_utc"])
        if len(frame):
            keep = in_window(frame["detected_utc"], window)  # exact, whatever the stored text's precision
            frame, xy = frame[keep].reset_index(drop=True), xy[keep]
        with self._lock:
            self._window = (window, frame, xy)
        return frame, xy

    def view_points(self, extent: tuple[float, float, float, float]) -> tuple[pd.DataFrame, np.ndarray]:
        """The map's attributes and coordinates of the points inside ``extent`` (through the R-tree)."""
        import pyogrio

        from ..storage.gpkg import wkb_points_xy
        from .data import map_columns

        meta, table = pyogrio.read_arrow(self.path, layer=self.layer, columns=map_columns(LAYERS[self.layer]),
                                         bbox=extent)
        geom_name = meta.get("geometry_name") or "wkb_geometry"
        xy = wkb_points_xy(table.column(geom_name))
        frame = table.drop_columns([geom_name]).to_pandas(types_mapper=pd.ArrowDtype)
        return frame, xy


# --- the layer ------------------------------------------------------------------------------------

from .data import LayerData, _get_frame, read_point_layer, set_filter  # noqa: E402  (data imports this lazily)

#: What a deferred layer reads on first use: every point's coordinates, categories and order.
_HEAVY = ("bounds", "point_xy", "point_feature", "category", "x_order", "x_sorted", "sorted_xy", "sorted_category")


class DeferredPointLayer(LayerData):
    """A big point layer drawn from a :class:`DensityStore`; its points are read when first needed.

    Drawing never needs them (the renderer asks the store for counts or the view's points); whatever needs
    every point (``frame``, ``point_xy``, a click's ``at_point``, a highlight) reads them then, once.
    The time filter is a window (:meth:`set_window`), not a mask over points the layer does not hold.
    """

    store: Optional[DensityStore] = None
    window: Optional[Window] = None
    _project: Any = None

    @classmethod
    def open(cls, project: Any, name: str, store: DensityStore) -> "DeferredPointLayer":
        spec = LAYERS[name]
        layer = cls(name=name, spec=spec, frame=pd.DataFrame(), geoms=None, bounds=np.empty((0, 4)))
        layer.store, layer._project = store, project
        style = spec.style
        layer.categories = tuple(style.categories) if style.category_field else ()
        layer.__dict__["_loaded"] = False
        layer.__dict__["_load_lock"] = threading.Lock()
        return layer

    @property
    def loaded(self) -> bool:
        return bool(self.__dict__.get("_loaded", True))

    def load(self) -> None:
        """Read every point (thread-safe; once)."""
        if self.loaded:
            return
        with self.__dict__["_load_lock"]:
            if self.loaded:
                return
            full = read_point_layer(self._project, self.name, bins=False)
            for n in _HEAVY:
                self.__dict__["_d_" + n] = full.__dict__.get("_d_" + n, getattr(full, n))
            for n in ("_frame", "_rest", "_fids", "_columns", "_sort_pending", "categories"):
                self.__dict__[n] = getattr(full, n)
            self.__dict__["_loaded"] = True
            if self.window is not None and self.window != (None, None):
                set_filter(self, in_window(self.column("detected_utc"), self.window))

    def set_window(self, window: Optional[Window]) -> None:
        """Draw the points detected in ``window`` (None or (None, None): all)."""
        self.window = None if window is None or window == (None, None) else window
        if self.loaded:
            set_filter(self, in_window(self.column("detected_utc"), self.window) if self.window else None)

    @property
    def count(self) -> int:
        return len(self.bounds) if self.loaded else (self.store.total if self.store is not None else 0)

    @property
    def extent(self) -> Optional[tuple[float, float, float, float]]:
        return LayerData.extent.fget(self) if self.loaded else None  # type: ignore[attr-defined]

    def complete_attributes(self) -> None:
        if self.loaded:
            LayerData.complete_attributes(self)

    def column(self, name: str) -> pd.Series:
        self.load()
        return LayerData.column(self, name)


def _heavy(name: str) -> property:
    private = "_d_" + name

    def get(self: DeferredPointLayer) -> Any:
        if not self.loaded:
            self.load()
        return self.__dict__[private]

    def put(self: DeferredPointLayer, value: Any) -> None:
        self.__dict__[private] = value

    return property(get, put)


def _deferred_frame(self: DeferredPointLayer) -> pd.DataFrame:
    if not self.loaded:
        self.load()
    return _get_frame(self)


def _set_deferred_frame(self: DeferredPointLayer, frame: pd.DataFrame) -> None:
    self.__dict__["_frame"] = frame


for _name in _HEAVY:
    setattr(DeferredPointLayer, _name, _heavy(_name))
DeferredPointLayer.frame = property(_deferred_frame, _set_deferred_frame)  # type: ignore[assignment,method-assign]


def deferred_layer(project: Any, name: str) -> Optional[DeferredPointLayer]:
    """The deferred layer for point layer ``name`` of ``project`` if the project stores its density counts and
    it has enough points to need them (see :data:`~gridwatch.mapview.data.DENSITY_BINS_FROM`); else None."""
    from ..storage.gpkg import connect_readonly
    from .data import DENSITY_BINS_FROM

    if name != "fire_point":
        return None
    with closing(connect_readonly(project.path)) as con:
        if not density.present(con):
            return None
    store = DensityStore(project.path, name)
    if store.total <= DENSITY_BINS_FROM:
        return None
    return DeferredPointLayer.open(project, name, store)
