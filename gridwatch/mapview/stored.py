"""What the map reads of a big fire-point layer it does not hold in memory (:class:`DensityStore`): zoomed out,
the project's stored density counts; zoomed in, the points of the view (through the GeoPackage's spatial
index); a time period, the points of that period (through the index on their time).  The layer drawn from
them is :class:`gridwatch.mapview.deferred.DeferredPointLayer`.  No Qt.

Opening a district of a million fire points used to read every point and bin it before the first paint (1.1 s
and most of the memory).  With the counts stored in the project (schema 6, :mod:`gridwatch.storage.density`)
the open reads none.  A click reads the points of a small box around it, a list's or a check's points are
read by their uuids, and the points themselves are read only by what needs every one of them (the attribute
table), on first use; the UI does each of these on a worker.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections import deque
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from ..layers import LAYERS
from ..storage import density, gdalread
from ..tasks import CancelToken
from ..times import Window
from .raster import DensityBins
from .squares import Extent, Squares, holds, squares_extent, squares_window

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: A window of counts holding at most this many fire points is read through the table's index, a bigger one by
#: scanning the table (see :func:`gridwatch.storage.density.read_window`).
INDEXED_POINTS = 100_000
#: Points in a view up to which the view's points are read and drawn one by one (markers or clusters);
#: above it the stored counts draw a density raster.
VIEW_POINTS_MAX = 150_000


def _stored_text(t: _dt.datetime) -> str:
    return t.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_MS = _dt.timedelta(milliseconds=1)


def _ms_from(t: Optional[_dt.datetime], unbounded: int) -> int:
    """``t`` as milliseconds since 1970, rounded up: a time stored to the millisecond is at or after ``t``
    exactly when its milliseconds are at or after these (``unbounded`` for None)."""
    if t is None:
        return unbounded
    delta = t - _EPOCH
    return delta // _MS + (1 if delta % _MS else 0)


class DensityStore:
    """The stored counts and the reads of one project's fire points (thread-safe: renders run on workers).
    What was read for a level or a time window is kept until the project is loaded again."""

    def __init__(self, path: Path, layer: str = "fire_point") -> None:
        self.path = Path(path)
        self.layer = layer
        self._lock = threading.Lock()
        self._reading = threading.Lock()
        self._bins: dict[int, DensityBins] = {}
        #: Levels in between the stored ones, by their squares' width (see :meth:`bins_for`).
        self._between: dict[float, DensityBins] = {}
        #: The last window of a level read for a view: ``(level, squares read, counts, counts twice as wide)``.
        self._square_window: Optional[tuple[int, Squares, DensityBins, DensityBins]] = None
        #: The last window's points: ``(window, fids, category codes, flags, xy)`` (numbers only: the map draws
        #: them without pandas; :meth:`window_points` makes its data frame when asked).
        self._window: Optional[tuple[Window, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = None
        self._fid_span: Optional[tuple[Optional[int], Optional[int], int]] = None
        #: What was read from the file, latest last: ``(what, rows, thread name)`` ("window", "view", "near",
        #: "rows"); a click shows here as the few rows of its box, read on a worker.
        self.reads: deque[tuple[str, int, str]] = deque(maxlen=256)
        with closing(self._connect()) as con:
            self.total = density.total(con)

    def _note(self, what: str, rows: int) -> None:
        self.reads.append((what, int(rows), threading.current_thread().name))

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
        return density.finest_level()

    def bins(self, level: int, extent: Optional[Extent] = None) -> DensityBins:
        """The stored counts of ``level``: every square, or (``extent``: what a view shows) at least the squares
        of ``extent`` (see :meth:`bins_for`)."""
        return self._level(level, extent)[0]

    def _level(self, level: int, extent: Optional[Extent]) -> tuple[DensityBins, DensityBins]:
        """``(counts, counts twice as wide)`` of ``level``: the whole level, or a window of it around ``extent``
        when that is a small part of the map (only the finest level, the big one, is read in windows)."""
        with self._lock:
            hit = self._bins.get(level)
            if hit is not None:
                return hit, self._between[2 * hit.cell]
        window = None
        if extent is not None and level == density.finest_level():
            window = squares_window(level, extent, self.bins(density.coarsest_level()))
        # One read at a time: two renders asking for the same counts (the map's and an export's) read them once
        # (the city's finest level: 3 million squares, 3 s).
        with self._reading:
            with self._lock:
                hit = self._bins.get(level)
                if hit is not None:
                    return hit, self._between[2 * hit.cell]
                kept = self._square_window
            if window is not None:
                need, read, touches = window
                if kept is not None and kept[0] == level and holds(kept[1], need):
                    return kept[2], kept[3]
                ix = iy = np.empty(0, dtype=np.int64)
                count = np.empty(0)
                if touches:
                    # Through the index when the window holds few points (each square found is a lookup of
                    # its row), else by scanning the table.
                    indexed = self.in_view(squares_extent(level, read)) <= INDEXED_POINTS
                    with closing(self._connect()) as con:
                        ix, iy, count = density.read_window(con, level, (read[0], read[2]), (read[1], read[3]),
                                                            indexed)
                    self._note("squares", len(count))
                # the counts twice as wide are complete: the window starts and ends on whole squares of them
                out, between = _counts(level, ix, iy, count)
                with self._lock:
                    self._square_window = (level, read, out, between)
                return out, between
            with closing(self._connect()) as con:
                ix, iy, count = density.read_level(con, level)
            self._note("squares", len(count))
            out, between = _counts(level, ix, iy, count)
            with self._lock:
                self._bins[level] = out
                self._between[2 * out.cell] = between
                if self._square_window is not None and self._square_window[0] == level:
                    self._square_window = None
            return out, between

    def bins_for(self, max_cell: float, extent: Optional[Extent] = None) -> DensityBins:
        """The counts a density raster with cells ``max_cell`` degrees wide is drawn from: the coarsest squares at
        most that wide, of the stored levels and of those in between.  A level in between each stored one and
        the next, of squares twice as wide (1/512, 1/128 and 1/32 degree), is made from the stored counts
        when they are read (the city's finest: 0.3 s beside the 3 s read): a view whose density cells fall
        between two stored levels adds four times fewer squares (the 10x city zoomed to 1/16 of its area:
        0.78 million of the finest squares, 7.6 -> 2.5 ms).

        ``extent``: the view's; the finest level is then read for the part of the map around it only, when that
        is a small part (the 10x city zoomed to 1/16 of its area: 4.7 s for the first view when the whole level
        was read, ~1 s for its window)."""
        best, twice = self._level(self.level_for(max_cell), extent)
        with self._lock:
            between = list(self._between.values())
        for bins in between + [twice]:
            if best.cell < bins.cell <= max_cell:
                best = bins
        return best

    def in_view(self, extent: tuple[float, float, float, float]) -> float:
        """At most how many points lie in ``extent`` (from the coarsest counts: squares the view touches)."""
        coarse = self.bins(density.coarsest_level())
        half = coarse.cell / 2
        minx, miny, maxx, maxy = extent
        near = ((coarse.xy[:, 0] + half >= minx) & (coarse.xy[:, 0] - half <= maxx)
                & (coarse.xy[:, 1] + half >= miny) & (coarse.xy[:, 1] - half <= maxy))
        return float(coarse.count[near].sum())

    def cached_window(self, window: Window) -> Optional[tuple[pd.DataFrame, np.ndarray]]:
        """The points of ``window`` if they are read (None: they are not)."""
        with self._lock:
            hit = self._window
        return (self._frame_of(hit), hit[4]) if hit is not None and hit[0] == window else None

    def _frame_of(self, hit: tuple[Window, np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> pd.DataFrame:
        """The map's attributes of a window's points: fid, the category (a categorical of the style's) and flag."""
        _, fids, codes, flags, xy = hit
        style = LAYERS[self.layer].style
        columns: dict[str, Any] = {"fid": fids}
        if style.category_field:
            columns[style.category_field] = pd.Categorical.from_codes(codes, categories=list(style.categories))
        if style.flag_category is not None:
            columns[style.flag_category[0]] = flags
        return pd.DataFrame(columns, index=pd.RangeIndex(len(xy)))

    def window_points(self, window: Window, cancel: Optional[CancelToken] = None) -> tuple[pd.DataFrame, np.ndarray]:
        """The map's attributes (the category, as a categorical of the style's, and the flag) and coordinates
        of the points detected in ``window`` (through the time index, exact to the millisecond; the last
        window's are kept).  ``cancel`` stops a long read between its batches."""
        hit = self._read_window(window, cancel)
        return self._frame_of(hit), hit[4]

    def window_codes(self, window: Window, cancel: Optional[CancelToken] = None) -> tuple[np.ndarray, np.ndarray]:
        """``(category code, xy)`` of the points detected in ``window`` as the map draws them (a point of a
        heat source takes the flag's category unless its status keeps its own), without pandas."""
        _, _, codes, flags, xy = self._read_window(window, cancel)
        return drawn_codes(LAYERS[self.layer].style, codes, flags), xy

    def cached_codes(self, window: Window) -> Optional[tuple[np.ndarray, np.ndarray]]:
        """:meth:`window_codes` of ``window`` if its points are read (None: they are not)."""
        with self._lock:
            hit = self._window
        if hit is None or hit[0] != window:
            return None
        return drawn_codes(LAYERS[self.layer].style, hit[2], hit[3]), hit[4]

    def _read_window(self, window: Window, cancel: Optional[CancelToken] = None
                     ) -> tuple[Window, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        with self._lock:
            hit = self._window
        if hit is not None and hit[0] == window:
            return hit
        start, end = window
        lo = _stored_text(start - _dt.timedelta(seconds=1)) if start is not None else ""
        hi = _stored_text(end + _dt.timedelta(seconds=1)) if end is not None else "~"
        style = LAYERS[self.layer].style
        categories = tuple(style.categories) if style.category_field else ()
        with closing(self._connect()) as con:
            fids, xy, codes, flags = density.points_between(con, lo, hi, _ms_from(start, -(1 << 62)),
                                                      _ms_from(end, 1 << 62), categories,
                                                      cancel.raise_if_cancelled if cancel is not None else None)
        self._note("window", len(xy))
        hit = (window, fids, codes, flags, xy)
        with self._lock:
            self._window = hit
        return hit

    def view_points(self, extent: tuple[float, float, float, float]) -> tuple[pd.DataFrame, np.ndarray]:
        """The map's attributes and coordinates of the points inside ``extent`` (through the R-tree)."""
        from ..storage.gpkg import wkb_points_xy
        from .data import map_columns

        meta, table = gdalread.read_arrow(self.path, layer=self.layer, columns=map_columns(LAYERS[self.layer]),
                                         bbox=extent)
        geom_name = meta.get("geometry_name") or "wkb_geometry"
        xy = wkb_points_xy(table.column(geom_name))
        frame = table.drop_columns([geom_name]).to_pandas(types_mapper=pd.ArrowDtype)
        self._note("view", len(frame))
        return frame, xy

    # --- single points: a click's, a check's, an identified one's ---------------------------------
    def near(self, box: tuple[float, float, float, float]) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        """``(fids, xy, attributes)`` of the points inside ``box`` (every attribute; through the R-tree): what
        a click reads, the few points around it, not the layer."""
        return self._read_rows("near", bbox=box)

    def rows(self, fids: np.ndarray) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        """``(fids, xy, attributes)`` of the points with these fids, in fid order."""
        wanted = np.unique(np.asarray(fids, dtype=np.int64))
        if not len(wanted):
            return wanted, np.empty((0, 2)), pd.DataFrame()
        return self._read_rows("rows", fids=wanted)

    def _read_rows(self, what: str, **where: Any) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
        from ..storage.gpkg import wkb_points_xy

        meta, table = gdalread.read_arrow(self.path, layer=self.layer, return_fids=True, **where)
        geom_name = meta.get("geometry_name") or "wkb_geometry"
        fid_name = meta.get("fid_column") or "fid"
        fids = np.asarray(table.column(fid_name).to_numpy(), dtype=np.int64) if fid_name in table.column_names \
            else np.asarray(where.get("fids", []), dtype=np.int64)
        xy = wkb_points_xy(table.column(geom_name))
        frame = table.drop_columns([c for c in (geom_name, fid_name) if c in table.column_names]) \
            .to_pandas(types_mapper=pd.ArrowDtype)
        self._note(what, len(frame))
        order = np.argsort(fids, kind="stable")
        return fids[order], xy[order], frame.iloc[order].reset_index(drop=True)

    def fids_of_uuids(self, uuids: list[str]) -> dict[str, int]:
        """The fids of the points with these uuids, by uuid (through the index on ``uuid``)."""
        with closing(self._connect()) as con:
            return density.fids_of_uuids(con, uuids)

    def restyle_window(self, fids: np.ndarray, values: list[Any]) -> int:
        """Points ``fids`` of the period read have these category values now (an edit): they are drawn so
        without reading the period again.  Returns how many of them the period holds."""
        with self._lock:
            hit = self._window
        style = LAYERS[self.layer].style
        if hit is None or not style.category_field:
            return 0
        window, window_fids, codes, flags, xy = hit
        order = np.argsort(window_fids, kind="stable")
        wanted = np.asarray(fids, dtype=np.int64)
        at = np.searchsorted(window_fids[order], wanted)
        found = (at < len(order)) & (window_fids[order][np.minimum(at, len(order) - 1)] == wanted) \
            if len(order) else np.zeros(len(wanted), dtype=bool)
        if not found.any():
            return 0
        pos = order[at[found]]
        cats = list(style.categories)
        codes = codes.copy()
        codes[pos] = [cats.index(v) if v in cats else -1 for v, ok in zip(values, found) if ok]
        with self._lock:
            if self._window is hit:  # not replaced meanwhile by another period's points
                self._window = (window, window_fids, codes, flags, xy)
        return int(found.sum())

    def _span(self, con: Any) -> tuple[Optional[int], Optional[int], int]:
        with self._lock:
            span = self._fid_span
        if span is None:
            span = density.fid_span(con)
            with self._lock:
                self._fid_span = span
        return span

    def positions(self, fids: np.ndarray) -> np.ndarray:
        """The positions of points ``fids`` in the whole layer as :meth:`DeferredPointLayer.load` reads it
        (fid order): the fid less the first when the fids run without gaps, else counted through the key."""
        fids = np.asarray(fids, dtype=np.int64)
        with closing(self._connect()) as con:
            lo, hi, n = self._span(con)
            if lo is not None and hi is not None and hi - lo + 1 == n:
                return fids - lo
            return np.asarray(density.fid_ranks(con, fids.tolist()), dtype=np.int64)

    def fids_at(self, positions: np.ndarray) -> np.ndarray:
        """The fids of the points at ``positions`` (see :meth:`positions`); -1 past the end."""
        positions = np.asarray(positions, dtype=np.int64)
        with closing(self._connect()) as con:
            lo, hi, n = self._span(con)
            if lo is not None and hi is not None and hi - lo + 1 == n:
                return np.where((positions >= 0) & (positions < n), positions + lo, -1)
            found = density.fids_at(con, positions.tolist())
        return np.array([-1 if f is None else f for f in found], dtype=np.int64)


def _counts(level: int, ix: np.ndarray, iy: np.ndarray, count: np.ndarray) -> tuple[DensityBins, DensityBins]:
    """Stored counts of ``level`` read as ``(counts, counts twice as wide)`` (see :meth:`DensityStore.bins_for`)."""
    out = DensityBins(np.empty((0, 2)), 0.0)
    out._set(0.0, 0.0, density.LEVEL_CELLS[level], ix, iy, count)
    return out, out.coarser(2)


def drawn_codes(style: Any, codes: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """The category each point is drawn in: its status's, or the flag's category for a point flagged (a heat
    source) whose status is not one the flag keeps (as :meth:`~gridwatch.layers.base.Style.flagged` decides
    for a data frame)."""
    from ..domain.heat_sources import as_flags

    codes = np.asarray(codes, dtype=np.int16)
    cats = list(style.categories)
    if style.flag_category is None or style.flag_category[1] not in cats or not style.category_field:
        return codes
    keep_codes = [cats.index(k) for k in style.flag_keeps if k in cats]
    flagged = as_flags(np.asarray(flags, dtype=np.float64)) & ~np.isin(codes, keep_codes)
    return np.where(flagged, cats.index(style.flag_category[1]), codes).astype(np.int16)
