"""Map-ready layer data, prepared once when a project opens (off the GUI thread).

For every layer: the shapely geometries (for hit tests), a spatial index, feature bounds, the
coordinates of every ring or point as flat numpy arrays (so a renderer transforms them to pixels
in one vectorised step), label anchor points and, for categorised styles, the category of each
feature.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Optional

import numpy as np
import shapely

from ..layers import LAYERS
from ..layers.base import LayerSpec
from ..tasks import CancelToken, ProgressCallback, Steps
from .memory import return_freed_memory
from .raster import DensityBins, density_levels

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd

#: Point layers bigger than this get pre-binned density counts for zoomed-out drawing.
DENSITY_BINS_FROM = 100_000

if TYPE_CHECKING:
    from ..storage.project import Project


@dataclass
class LayerData:
    """One layer ready for drawing and querying."""

    name: str
    spec: LayerSpec
    frame: pd.DataFrame  # attributes (a GeoDataFrame for area layers)
    geoms: Optional[np.ndarray]  # shapely geometries; None for point-only layers (see point_xy)
    bounds: np.ndarray  # (n, 4) minx, miny, maxx, maxy per feature
    # Areas: rings as flat coordinates; ring i is xy[offsets[i]:offsets[i+1]], feature ring_feature[i].
    ring_xy: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    ring_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, dtype=np.int64))
    ring_feature: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # Outline pieces: runs of at most PIECE_VERTICES consecutive ring vertices with their own
    # bounds, so a zoomed-in view strokes only the pieces it shows (a township boundary has
    # thousands of vertices; most of them are off screen when zoomed in).
    piece_start: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    piece_stop: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    piece_feature: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    piece_bounds: np.ndarray = field(default_factory=lambda: np.empty((0, 4)))
    # Points (point features, and point parts of mixed layers).
    point_xy: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))
    point_feature: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # Category index per feature into ``categories`` (-1: no category / default colour).
    category: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int16))
    categories: tuple[str, ...] = ()
    #: Points sorted by longitude (indices into point_xy, and their longitudes), so a view
    #: only looks at the slice of points in its longitude range.
    x_order: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    x_sorted: np.ndarray = field(default_factory=lambda: np.empty(0))
    #: Coordinates and categories in that same order: a view's points are one contiguous slice.
    sorted_xy: Optional[np.ndarray] = None
    sorted_category: Optional[np.ndarray] = None
    _labels: Optional[tuple[np.ndarray, np.ndarray, np.ndarray]] = None
    #: The label of every feature when the map read it without the data frame (see ``arearead``).
    _label_values: Optional[np.ndarray] = None
    #: Pre-binned counts of a big point layer at a few resolutions, finest first
    #: (see :class:`~gridwatch.mapview.raster.DensityBins`).
    density_levels: tuple[DensityBins, ...] = ()
    #: Which features are drawn (e.g. fire points of the chosen period); None: all.  Set with
    #: :func:`set_filter`; ``sorted_visible`` is the same in ``x_order``.
    visible: Optional[np.ndarray] = None
    sorted_visible: Optional[np.ndarray] = None

    _tree: Optional[shapely.STRtree] = None
    #: The longitude order above is made on first use (a zoomed-in view), not on the way to the first paint.
    _sort_pending: bool = False
    _sort_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    #: The rest of a big point layer's attributes, read when first asked for (see ``frame``): a callable
    #: returning them indexed by fid, and the fids and column order of the map's own read.
    _rest: Optional[Callable[[], pd.DataFrame]] = None
    _fids: Optional[np.ndarray] = None
    _columns: tuple[str, ...] = ()
    _frame_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _geoms_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def attributes_complete(self) -> bool:
        return self._rest is None

    def complete_attributes(self) -> None:
        """Read the attributes the map did not need (on a worker after the first paint, or when first
        asked for); rows are matched by fid, so a file changed since the map's read cannot shift them."""
        if self._rest is None:
            return
        with self._frame_lock:
            rest_of = self._rest
            if rest_of is None:
                return
            rest = rest_of()
            part = self._frame
            if part is None:  # nothing read but the geometry and what the map draws: the whole frame is the rest
                self._frame = rest
                self._rest = None
                self._fids = None
                return
            fids = self._fids if self._fids is not None else np.arange(len(part))
            rest = rest[~rest.index.duplicated()].reindex(pd.Index(fids)).reset_index(drop=True)
            rest.index = part.index
            full = pd.concat([part, rest[[c for c in rest.columns if c not in part.columns]]], axis=1)
            order = [c for c in self._columns if c in full.columns]
            self._frame = full[order + [c for c in full.columns if c not in order]]
            self._rest = None
            self._fids = None

    def column(self, name: str) -> pd.Series:
        """One attribute column, without reading the rest of a big layer's attributes when the map has it."""
        part = self._frame
        if part is not None and name in part.columns:
            return part[name]
        return self.frame[name]

    def ensure_sorted(self) -> None:
        """Make ``x_order``, ``x_sorted``, ``sorted_xy``, ``sorted_category`` and ``sorted_visible`` if a
        big point layer does not have them yet (thread-safe: renders run on workers)."""
        if not self._sort_pending:
            return
        with self._sort_lock:
            if not self._sort_pending:
                return
            order = np.argsort(self.point_xy[:, 0], kind="stable")
            sorted_xy = self.point_xy[order]
            self.x_sorted = np.ascontiguousarray(sorted_xy[:, 0])
            self.sorted_category = self.category[order] if len(self.category) else None
            self.sorted_visible = (self.visible[self.point_feature][order] if self.visible is not None else None)
            self.sorted_xy = sorted_xy
            self.x_order = order
            self._sort_pending = False

    @property
    def count(self) -> int:
        return len(self.bounds)

    @property
    def tree(self) -> shapely.STRtree:
        """Spatial index, built on first use (not on the way to the first paint)."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms if self.geoms is not None else np.empty(0, dtype=object))
        return self._tree

    def labels(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(anchor xy, text, priority)`` for labelling, computed on first use.

        Anchors lie inside their polygon (``point_on_surface``); bigger features come first.
        Computed lazily: cell labels are only needed when zoomed in, not for the first paint.
        """
        if self._labels is None and self._label_values is not None and self.geoms is not None:
            b = self.bounds
            self._labels = (shapely.get_coordinates(shapely.point_on_surface(self.geoms)), self._label_values,
                            (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]))
        if self._labels is None:
            spec = self.spec
            if not spec.label_field or spec.label_field not in self.frame.columns or self.geoms is None:
                self._labels = (np.empty((0, 2)), np.empty(0, dtype=object), np.empty(0))
            else:
                b = self.bounds
                self._labels = (
                    shapely.get_coordinates(shapely.point_on_surface(self.geoms)),
                    self.frame[spec.label_field].astype(object).to_numpy(),
                    (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]),
                )
        return self._labels

    def lon_slice(self, minx: float, maxx: float) -> tuple[int, int]:
        """``(lo, hi)``: the points with minx <= lon <= maxx are ``sorted_xy[lo:hi]``."""
        lo = int(np.searchsorted(self.x_sorted, minx, side="left"))
        hi = int(np.searchsorted(self.x_sorted, maxx, side="right"))
        return lo, hi

    @property
    def points_only(self) -> bool:
        return self.__dict__.get("_geoms_from") is None and self.geoms is None

    def defer_geometries(self, make: Callable[[], np.ndarray]) -> None:
        """The shapely geometries are made by ``make()`` when first used (hit tests, labels, the spatial index;
        a worker makes them after the first paint), not for the drawing arrays (thread-safe)."""
        self.__dict__["_geoms"] = None
        self.__dict__["_geoms_from"] = make

    def geometry(self, index: int):  # type: ignore[no-untyped-def]
        """The shapely geometry of feature ``index``."""
        if self.geoms is None:
            return shapely.Point(*self.point_xy[index])
        return self.geoms[index]

    @property
    def extent(self) -> Optional[tuple[float, float, float, float]]:
        if not len(self.bounds):
            return None
        b = self.bounds
        return (float(np.nanmin(b[:, 0])), float(np.nanmin(b[:, 1])), float(np.nanmax(b[:, 2])),
                float(np.nanmax(b[:, 3])))

    # --- queries --------------------------------------------------------------------------
    def at_point(self, lon: float, lat: float, tolerance: float) -> np.ndarray:
        """Features under a click: points within ``tolerance`` degrees (nearest first), then
        areas containing the point."""
        if self.geoms is None:
            xy = self.point_xy
            near = np.flatnonzero((np.abs(xy[:, 0] - lon) <= tolerance) & (np.abs(xy[:, 1] - lat) <= tolerance))
            d = np.hypot(xy[near, 0] - lon, xy[near, 1] - lat)
            return near[np.argsort(d, kind="stable")].astype(np.int64)
        pt = shapely.Point(lon, lat)
        area_hits = self.tree.query(pt, predicate="intersects")
        area_hits = area_hits[shapely.get_type_id(self.geoms[area_hits]) != 0]
        near = self.tree.query(pt.buffer(tolerance), predicate="intersects")
        near = near[shapely.get_type_id(self.geoms[near]) == 0]
        if len(near):
            d = shapely.distance(self.geoms[near], pt)
            near = near[np.argsort(d, kind="stable")]
        return np.concatenate([near, area_hits]).astype(np.int64)

    def row(self, index: int) -> pd.Series:
        """Every attribute of feature ``index``."""
        return self.frame.iloc[int(index)]

    def positions_of_uuids(self, uuids: Iterable[str]) -> np.ndarray:
        """Positions of the features with these uuids, in feature order (unknown ones skipped)."""
        frame = self.frame
        if "uuid" not in frame.columns:
            return np.empty(0, dtype=np.int64)
        return np.flatnonzero(frame["uuid"].astype(object).isin(list(uuids)).to_numpy())

    def in_rect(self, minx: float, miny: float, maxx: float, maxy: float) -> np.ndarray:
        """Features intersecting a rectangle, in feature order."""
        if self.geoms is None:
            xy = self.point_xy
            return np.flatnonzero((xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy))
        return np.sort(self.tree.query(shapely.box(minx, miny, maxx, maxy), predicate="intersects"))

    def features_bounds(self, idx: np.ndarray) -> Optional[tuple[float, float, float, float]]:
        if len(idx) == 0:
            return None
        b = self.bounds[idx]
        return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max()))


def _get_frame(self: LayerData) -> pd.DataFrame:
    """Every attribute of the layer (a big point layer's are completed on first access)."""
    if self._rest is not None:
        self.complete_attributes()
    return self._frame


def _set_frame(self: LayerData, frame: pd.DataFrame) -> None:
    self._frame = frame


def _get_geoms(self: LayerData) -> Optional[np.ndarray]:
    """The layer's shapely geometries (made on first use when deferred: see ``defer_geometries``)."""
    if self.__dict__.get("_geoms_from") is not None:
        with self._geoms_lock:
            make = self.__dict__.get("_geoms_from")
            if make is not None:
                self.__dict__["_geoms"] = make()
                self.__dict__["_geoms_from"] = None
    return self.__dict__.get("_geoms")


def _set_geoms(self: LayerData, geoms: Optional[np.ndarray]) -> None:
    self.__dict__["_geoms"] = geoms
    self.__dict__["_geoms_from"] = None


LayerData.geoms = property(_get_geoms, _set_geoms)  # type: ignore[assignment,method-assign]

# ``frame`` is a field of the constructor and a property: a big point layer's attributes are read in two
# steps (the map's first, the rest after the first paint), and whoever reads ``frame`` gets them all.
LayerData.frame = property(_get_frame, _set_frame)  # type: ignore[assignment,method-assign]

PIECE_VERTICES = 64


def make_pieces(data: LayerData) -> None:
    """Cut every ring into pieces of <= PIECE_VERTICES vertices sharing their end vertices."""
    off = data.ring_offsets
    lengths = off[1:] - off[:-1]
    step = PIECE_VERTICES - 1
    n_pieces = np.maximum(1, np.ceil((lengths - 1) / step)).astype(np.int64)
    ring_of_piece = np.repeat(np.arange(len(lengths)), n_pieces)
    k = np.arange(len(ring_of_piece)) - np.repeat(np.cumsum(n_pieces) - n_pieces, n_pieces)
    start = off[ring_of_piece] + k * step
    stop = np.minimum(start + PIECE_VERTICES, off[ring_of_piece + 1])  # exclusive
    data.piece_start, data.piece_stop = start, stop
    data.piece_feature = data.ring_feature[ring_of_piece]
    # Bounds of each piece: min/max over its vertices via reduceat on the flat coordinates.
    idx = np.repeat(start, stop - start) + (np.arange((stop - start).sum())
                                            - np.repeat(np.cumsum(stop - start) - (stop - start), stop - start))
    xy = data.ring_xy[idx]
    seg = np.cumsum(stop - start) - (stop - start)
    data.piece_bounds = np.column_stack([
        np.minimum.reduceat(xy[:, 0], seg), np.minimum.reduceat(xy[:, 1], seg),
        np.maximum.reduceat(xy[:, 0], seg), np.maximum.reduceat(xy[:, 1], seg),
    ])


def _categories(spec: LayerSpec, frame: pd.DataFrame) -> tuple[tuple[str, ...], np.ndarray]:
    style = spec.style
    if not style.category_field or style.category_field not in frame.columns:
        return (), np.full(len(frame), -1, dtype=np.int16)
    cats = tuple(style.categories)
    col = frame[style.category_field]
    if isinstance(col.dtype, pd.CategoricalDtype) and tuple(col.cat.categories) == cats:
        codes = col.cat.codes.to_numpy()  # a period's points read with their category (the stored view)
    elif isinstance(col.dtype, pd.ArrowDtype):
        # Arrow-backed column (fast point path): hash lookup in Arrow, 20x faster than pandas here.
        import pyarrow as pa
        import pyarrow.compute as pc

        idx = pc.index_in(pa.array(col.array), value_set=pa.array(list(cats)))
        codes = pc.fill_null(idx, -1).to_numpy(zero_copy_only=False)
    else:
        codes = pd.Index(list(cats)).get_indexer(col.astype(object).to_numpy())
    flagged = style.flagged(frame)  # e.g. persistent heat sources among fire points
    if flagged is not None and style.flag_category is not None and style.flag_category[1] in cats:
        codes = np.where(flagged, cats.index(style.flag_category[1]), codes)
    return cats, codes.astype(np.int16)


#: Category index per feature from a layer's attributes (public: the map's stored fire points use it too).
categories_of = _categories


def _rings(geoms: np.ndarray, type_id: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring of polygons ``geoms`` as flat coordinates: ``(xy, offsets, feature)`` (ring i is
    ``xy[offsets[i]:offsets[i+1]]``, of feature ``owners[...]``).  Polygons and multipolygons go through one
    ragged-array conversion (no shapely object per part and ring: 1.3 s for the 10x city's 200,000 cells)."""
    if len(geoms) and bool(np.isin(type_id, (3, 6)).all()):
        _, coords, offsets = shapely.to_ragged_array(geoms)
        ring_offsets = offsets[0]
        if len(offsets) == 3:  # multipolygons: rings -> polygons -> features
            ring_part = np.repeat(np.arange(len(offsets[1]) - 1), np.diff(offsets[1]))
            part_owner = np.repeat(np.arange(len(offsets[2]) - 1), np.diff(offsets[2]))
            ring_owner = part_owner[ring_part]
        else:  # polygons only
            ring_owner = np.repeat(np.arange(len(offsets[1]) - 1), np.diff(offsets[1]))
        return (np.ascontiguousarray(coords[:, :2], dtype=np.float64), ring_offsets.astype(np.int64),
                owners[ring_owner].astype(np.int64))
    parts, part_owner = shapely.get_parts(geoms, return_index=True)  # MultiPolygon -> Polygons
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    ring_owner = part_owner[ring_part]
    counts = shapely.get_num_coordinates(rings)
    return (shapely.get_coordinates(rings), np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            owners[ring_owner].astype(np.int64))


def set_rings(data: LayerData, geoms: np.ndarray, areas: np.ndarray) -> None:
    """The rings (flat coordinates) and outline pieces of the area features ``areas`` of ``geoms``."""
    data.ring_xy, data.ring_offsets, data.ring_feature = _rings(geoms[areas], shapely.get_type_id(geoms[areas]),
                                                                areas)
    make_pieces(data)


def prepare_layer(name: str, frame: gpd.GeoDataFrame) -> LayerData:
    """Build :class:`LayerData` for layer ``name`` from its frame (EPSG:4490)."""
    spec = LAYERS[name]
    geoms = np.asarray(frame.geometry.values, dtype=object) if len(frame) else np.empty(0, dtype=object)
    bounds = shapely.bounds(geoms) if len(geoms) else np.empty((0, 4))
    data = LayerData(name=name, spec=spec, frame=frame, geoms=geoms, bounds=bounds)
    data.categories, data.category = _categories(spec, frame)
    return shape_layer(data)


def shape_layer(data: LayerData) -> LayerData:
    """The drawing arrays of a layer with its ``geoms``: rings and outline pieces of areas, point coordinates."""
    geoms = data.geoms
    if geoms is None or not len(geoms):
        return data
    type_id = shapely.get_type_id(geoms)
    is_point = type_id == 0
    areas = np.flatnonzero(~is_point)
    if len(areas):
        data.ring_xy, data.ring_offsets, data.ring_feature = _rings(geoms[areas], type_id[areas], areas)
        make_pieces(data)
    points = np.flatnonzero(is_point)
    if len(points):
        data.point_xy = shapely.get_coordinates(geoms[points])
        data.point_feature = points.astype(np.int64)
    return data


def prepare_point_layer(name: str, frame: pd.DataFrame, xy: np.ndarray, bins: bool = True) -> LayerData:
    """Build :class:`LayerData` for a point-only layer from attributes and coordinates (``bins``: with
    density levels binned from the points when there are many; a layer drawn from stored counts has none)."""
    spec = LAYERS[name]
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    data = LayerData(name=name, spec=spec, frame=frame, geoms=None,
                     bounds=np.column_stack([xy, xy]) if len(xy) else np.empty((0, 4)))
    data.point_xy = xy
    data.point_feature = np.arange(len(xy), dtype=np.int64)
    data.categories, data.category = _categories(spec, frame)
    if len(xy) > DENSITY_BINS_FROM:
        if bins:
            data.density_levels = density_levels(xy)  # 2048, 512 and 128 bins across: one pass over the points
        data._sort_pending = True  # the longitude order: on first use (zoomed in), see ensure_sorted
    return data


def map_columns(spec: LayerSpec) -> list[str]:
    """The attributes the map needs to draw a point layer: its category, its flag and its time."""
    style = spec.style
    names = [style.category_field, style.flag_category[0] if style.flag_category else None, "detected_utc"]
    fields = set(spec.field_names)
    return [n for n in dict.fromkeys(names) if n and n in fields]


def read_point_layer(project: "Project", name: str, bins: bool = True) -> LayerData:
    """A point layer for the map: geometry and the map's attributes now, the rest when first wanted
    (``LayerData.frame``; the window reads them after its first paint)."""
    from ..storage import gdalread

    spec = LAYERS[name]
    wanted = map_columns(spec)
    columns = tuple(gdalread.read_info(project.path, layer=name)["fields"])
    rest = [c for c in columns if c not in wanted]
    if not wanted or not rest:
        frame, xy = project.read_point_layer(name)
        return prepare_point_layer(name, frame, xy, bins)
    frame, xy = project.read_point_layer(name, columns=wanted, with_fids=True)
    fids = frame.index.to_numpy()
    frame = frame.reset_index(drop=True)
    data = prepare_point_layer(name, frame, xy, bins)
    data._fids, data._columns = fids, columns
    data._rest = lambda: project.read_attributes(name, rest)
    return data


def set_filter(data: LayerData, mask: Optional[np.ndarray]) -> int:
    """Draw only the features where ``mask`` is true (None: all); returns how many are drawn."""
    if mask is None:
        with data._sort_lock:
            data.visible = data.sorted_visible = None
        return data.count
    m = np.asarray(mask, dtype=bool)
    if len(m) != data.count:
        raise ValueError(f"{data.name}: a filter needs one flag per feature ({data.count}), not {len(m)}")
    with data._sort_lock:  # not while a render is making the longitude order
        data.visible = m
        data.sorted_visible = m[data.point_feature][data.x_order] if len(data.x_order) else None
    return int(m.sum())


def update_values(data: LayerData, column: str, values_by_uuid: dict[str, object]) -> int:
    """Set ``column`` of the features with these uuids (after an edit) and refresh their colours.

    Returns how many features changed.  Cheap: one vectorised lookup, no reload of the layer.  A layer
    drawn from the file (a deferred fire-point layer whose points are not read) updates what it read of them
    (see :meth:`~gridwatch.mapview.deferred.DeferredPointLayer.update_values`); its views are read anew.
    """
    if not getattr(data, "loaded", True):
        return data.update_values(column, values_by_uuid)  # type: ignore[attr-defined]
    if not values_by_uuid or column not in data.frame.columns or "uuid" not in data.frame.columns:
        return 0
    uuids = data.frame["uuid"].astype(object).to_numpy()
    keys = list(values_by_uuid)
    pos = pd.Index(uuids).get_indexer(keys)
    found = pos >= 0
    if not found.any():
        return 0
    col = data.frame[column]
    new = col.astype(object).to_numpy().copy()
    for k, i in zip(np.asarray(keys, dtype=object)[found], pos[found]):
        new[i] = values_by_uuid[k]
    data.frame[column] = pd.Series(new, index=data.frame.index, dtype=object)
    if data.spec.style.category_field == column:
        with data._sort_lock:
            data.categories, data.category = _categories(data.spec, data.frame)
            if len(data.x_order) and len(data.category):
                data.sorted_category = data.category[data.x_order]
    return int(found.sum())


@dataclass
class MapData:
    """Every layer of a project, ready for the map."""

    layers: dict[str, LayerData]
    district_name: str = ""

    @property
    def extent(self) -> tuple[float, float, float, float]:
        exts = [d.extent for d in self.layers.values() if d.extent is not None]
        if not exts:
            return (73.5, 18.0, 135.0, 53.5)  # China, for an empty project
        a = np.array(exts)
        return (float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()), float(a[:, 3].max()))


def load_map(
    project: "Project",
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> MapData:
    """Read and prepare every map layer of ``project``; point layers take the fast path."""
    from concurrent.futures import ThreadPoolExecutor

    from .arearead import read_area_layer

    steps = Steps(progress, cancel, [(n, 1) for n, s in LAYERS.items() if s.geometry_type != "Point"]
                  + [("points", 1)])
    layers: dict[str, LayerData] = {}
    point_names = [n for n, s in LAYERS.items() if s.geometry_type == "Point"]

    def read_points() -> dict[str, LayerData]:
        from .deferred import deferred_layer

        out: dict[str, LayerData] = {}
        for name in point_names:
            # A big fire-point layer with stored density counts is drawn from them: no point is read now.
            out[name] = deferred_layer(project, name) or read_point_layer(project, name)
        return out

    # GDAL and numpy release the GIL: the big point layer loads beside the polygon layers.
    with ThreadPoolExecutor(max_workers=1) as pool:
        points = pool.submit(read_points)
        for name, spec in LAYERS.items():
            if spec.geometry_type == "Point":
                continue
            steps.start(name, name)
            # geometry and what the map draws, straight from the file (no data frame: pandas is not imported
            # on the way to the first paint); the usual read for what that cannot read
            layers[name] = read_area_layer(project, name) or prepare_layer(name, project.read_layer(name))
            steps.report(1.0)
        steps.start("points", "fire points")
        layers.update(points.result())
        steps.report(1.0)
    return_freed_memory()  # what reading a million rows left in the heap
    return MapData(layers={n: layers[n] for n in LAYERS}, district_name=project.district_name)
