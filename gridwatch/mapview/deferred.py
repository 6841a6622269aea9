"""The map's big fire-point layer (:class:`DeferredPointLayer`): drawn from a :class:`~gridwatch.mapview.stored.
DensityStore`, its points read only when something needs them.  Split from :mod:`gridwatch.mapview.stored`.
No Qt."""

from __future__ import annotations

import threading
from contextlib import closing
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional

import numpy as np

from ..layers import LAYERS
from ..storage import density
from ..tasks import CancelToken
from ..times import Window, in_window
from .data import LayerData, _get_frame, read_point_layer, set_filter
from .stored import DensityStore

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Points read one by one that a deferred layer keeps (a click's box, a check's points) before it forgets them.
KNOWN_MAX = 20_000

#: What a deferred layer reads on first use: every point's coordinates, categories and order.
_HEAVY = ("bounds", "point_xy", "point_feature", "category", "x_order", "x_sorted", "sorted_xy", "sorted_category")


class DeferredPointLayer(LayerData):
    """A big point layer drawn from a :class:`DensityStore`; its points are read when first needed.

    Drawing never needs them (the renderer asks the store for counts, the view's or the period's points);
    nor do a click (:meth:`at_point`: the points of a small box), the identified point's attributes
    (:meth:`row`), a highlight (:meth:`points_xy`) or a list's points (:meth:`positions_of_uuids`): they read
    those few rows, and keep them.  Positions are those of the whole layer in fid order, as :meth:`load`
    reads it.  Whatever needs every point (``frame``, ``point_xy``) reads them then, once.  The time filter
    is a window (:meth:`set_window`), not a mask over points the layer does not hold.
    """

    store: Optional[DensityStore] = None
    window: Optional[Window] = None
    #: The window whose points a worker is reading (see :meth:`drawn_points`); None: none is.
    pending_window: Optional[Window] = None
    #: The window whose points the map drew last (None: every point, from the stored counts).
    shown_window: Optional[Window] = None
    _project: Any = None

    @classmethod
    def open(cls, project: Any, name: str, store: DensityStore) -> "DeferredPointLayer":
        spec = LAYERS[name]
        layer = cls(name=name, spec=spec, frame=None, geoms=None, bounds=np.empty((0, 4)))
        layer.store, layer._project = store, project
        style = spec.style
        layer.categories = tuple(style.categories) if style.category_field else ()
        layer.__dict__["_loaded"] = False
        layer.__dict__["_load_lock"] = threading.Lock()
        layer.__dict__["_known"] = {}
        layer.__dict__["_known_lock"] = threading.Lock()
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

    # --- single points, without the load: a click, a check's points, the identified point -------------------
    def at_point(self, lon: float, lat: float, tolerance: float) -> np.ndarray:
        """The points drawn within ``tolerance`` degrees of a click, nearest first.  Before the load: the
        points of that small box, read through the R-tree (the window's only: the layer has no ``visible``
        mask yet), then the exact pick; the load reads none of them again."""
        if self.loaded or self.store is None:
            return LayerData.at_point(self, lon, lat, tolerance)
        fids, xy, frame = self.store.near((lon - tolerance, lat - tolerance, lon + tolerance, lat + tolerance))
        near = np.flatnonzero((np.abs(xy[:, 0] - lon) <= tolerance) & (np.abs(xy[:, 1] - lat) <= tolerance))
        if self.window is not None and len(near) and "detected_utc" in frame.columns:
            near = near[in_window(frame["detected_utc"].iloc[near], self.window)]
        positions = self._remember(fids[near], xy[near], frame.iloc[near].reset_index(drop=True))
        d = np.hypot(xy[near, 0] - lon, xy[near, 1] - lat)
        return positions[np.lexsort((positions, d))].astype(np.int64)

    def row(self, index: int) -> pd.Series:
        """Every attribute of point ``index`` (before the load: read with it by a click, or now by itself)."""
        if self.loaded:
            return LayerData.row(self, index)
        xy, frame, i = self._lookup(np.array([int(index)]))[int(index)]
        return frame.iloc[i]

    def points_xy(self, indices: np.ndarray) -> np.ndarray:
        """``(n, 2)`` coordinates of points ``indices`` (unknown positions left out)."""
        idx = np.asarray(indices, dtype=np.int64).ravel()
        if self.loaded:
            idx = idx[(idx >= 0) & (idx < self.count)]
            return self.point_xy[idx]
        found = self._lookup(idx)
        return np.array([found[int(i)][0] for i in idx if int(i) in found]).reshape(-1, 2)

    def features_bounds(self, idx: np.ndarray) -> Optional[tuple[float, float, float, float]]:
        if self.loaded:
            return LayerData.features_bounds(self, idx)
        xy = self.points_xy(idx)
        if not len(xy):
            return None
        return (float(xy[:, 0].min()), float(xy[:, 1].min()), float(xy[:, 0].max()), float(xy[:, 1].max()))

    def positions_of_uuids(self, uuids: Iterable[str]) -> np.ndarray:
        """Positions of the points with these uuids (before the load: those rows only, through the index)."""
        if self.loaded or self.store is None:
            return LayerData.positions_of_uuids(self, uuids)
        found = self.store.fids_of_uuids(list(uuids))
        fids, xy, frame = self.store.rows(np.array(list(found.values()), dtype=np.int64))
        return np.sort(self._remember(fids, xy, frame))

    def update_values(self, column: str, values_by_uuid: dict[str, object]) -> int:
        """After an edit of these points (before the load): the rows read one by one are read again when next
        wanted, and the period's points take their new category (a few rows found by uuid, not the period
        read again).  Returns how many points were edited."""
        keys = set(values_by_uuid)
        with self.__dict__["_known_lock"]:
            known: dict = self.__dict__["_known"]
            stale = [p for p, (_, frame, i) in known.items() if frame["uuid"].iloc[i] in keys]
            for p in stale:
                del known[p]
        style = self.spec.style
        window = self.window
        if self.store is not None and column == style.category_field and window is not None \
                and self.store.cached_window(window) is not None:
            found = self.store.fids_of_uuids(list(keys))
            self.store.restyle_window(np.array(list(found.values()), dtype=np.int64),
                                      [values_by_uuid[u] for u in found])
        return len(values_by_uuid)

    def _remember(self, fids: np.ndarray, xy: np.ndarray, frame: pd.DataFrame) -> np.ndarray:
        """Keep points read one by one (their positions in the layer are returned)."""
        assert self.store is not None
        positions = self.store.positions(fids) if len(fids) else np.empty(0, dtype=np.int64)
        with self.__dict__["_known_lock"]:
            known: dict = self.__dict__["_known"]
            if len(known) + len(positions) > KNOWN_MAX:
                known.clear()
            for i, p in enumerate(positions.tolist()):
                known[p] = (xy[i], frame, i)
        return positions

    def _lookup(self, positions: np.ndarray) -> dict[int, tuple[np.ndarray, pd.DataFrame, int]]:
        """What is known of points ``positions``, the unknown ones read now (by their fids)."""
        assert self.store is not None
        with self.__dict__["_known_lock"]:
            known: dict = self.__dict__["_known"]
            out = {p: known[p] for p in positions.tolist() if p in known}
        missing = np.array([p for p in positions.tolist() if p not in out], dtype=np.int64)
        if len(missing):
            fids = self.store.fids_at(missing)
            fids, xy, frame = self.store.rows(fids[fids >= 0])
            for p, i in zip(self._remember(fids, xy, frame).tolist(), range(len(fids))):
                out[p] = (xy[i], frame, i)
        return out

    def drawn_points(self, cancel: Optional[CancelToken] = None) -> Optional[tuple[pd.DataFrame, np.ndarray]]:
        """What the map draws: the points of the window, or None for every point (from the stored counts).
        While a worker reads the window's points (``pending_window``), what the map drew before stands in:
        the previous window's points, or the stored counts."""
        assert self.store is not None
        return self._drawn(self.store.window_points, self.store.cached_window, cancel)

    def drawn_codes(self, cancel: Optional[CancelToken] = None) -> Optional[tuple[np.ndarray, np.ndarray]]:
        """What the map draws as ``(category code, xy)`` (see :meth:`drawn_points`; no pandas)."""
        assert self.store is not None
        return self._drawn(self.store.window_codes, self.store.cached_codes, cancel)

    def _drawn(self, read: Callable[[Window, Optional[CancelToken]], Any], cached: Callable[[Window], Any],
               cancel: Optional[CancelToken]) -> Any:
        """The window's points through ``read`` (or, while a worker reads them, ``cached`` of the window
        shown before); None for every point."""
        window = self.window
        if window is None:
            self.shown_window = None
            return None
        if window != self.pending_window:
            got = read(window, cancel)
        else:
            got = cached(window)
            if got is None:
                shown = self.shown_window
                return cached(shown) if shown is not None else None
        self.shown_window = window
        return got

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
