"""Helpers of the rule checks (:mod:`gridwatch.analysis.rules`, :mod:`gridwatch.analysis.plan_rules`):
reading values and times out of frames, bounds, the measuring CRS, and finding the grid cell a
feature lies in.  Split out of ``rules.py`` to keep each module short; no Qt, no SQL."""

from __future__ import annotations

import datetime as _dt
import math
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from ..crs import measuring_epsg

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

# --- helpers --------------------------------------------------------------------------------------


def _text(value: Any) -> Optional[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    s = str(value).strip()
    return s or None


def _date(value: Any) -> Optional[_dt.date]:
    """A DATE value (date, Timestamp or ISO text) as a date."""
    if value is None or _text(value) is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if hasattr(value, "to_pydatetime"):
        return None if value != value else value.to_pydatetime().date()
    text = _text(value)
    if text is None:
        return None
    try:
        return _dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def _utc_ns(col: pd.Series) -> np.ndarray:
    """A column of times (Arrow timestamps, datetimes or ISO text) as UTC ``datetime64[ns]``, NaT if missing."""
    if isinstance(col.dtype, pd.ArrowDtype):
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.chunked_array(col.array._pa_array)  # noqa: SLF001 - zero-copy view of the Arrow data
        if pa.types.is_timestamp(arr.type):
            # Arrow timestamps are UTC instants whatever their zone label: a cast, no parsing.
            return pc.cast(arr, pa.timestamp("ns", tz="UTC")).to_numpy(zero_copy_only=False).astype("datetime64[ns]")
        col = col.astype(object)
    t = pd.to_datetime(col, utc=True, errors="coerce", format="mixed")
    return t.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")


def _km(metres: float) -> str:
    """Kilometres with one decimal, never rounded up (2.97 km reads 2.9, not a misleading 3.0)."""
    return f"{math.floor(max(0.0, metres) / 100.0) / 10.0:.1f}"


def _bounds(geoms: np.ndarray) -> np.ndarray:
    import shapely

    if len(geoms) == 0:
        return np.empty((0, 4))
    return shapely.bounds(geoms)


def _metric_epsg(*frames: Any) -> int:
    boxes = [f.total_bounds for f in frames if f is not None and len(f)]
    if not boxes:
        return measuring_epsg((114.0, 38.0, 114.0, 38.0))
    b = np.array(boxes)
    return measuring_epsg((float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())))


class CellLocator:
    """Finds the grid cell a feature lies in (by a point inside it, as task targeting does) and
    township names."""

    def __init__(self, cells: Any, township_names: Optional[dict[str, str]] = None) -> None:
        import shapely

        self.cells = cells
        self.geoms = np.asarray(cells.geometry.values, dtype=object) if cells is not None and len(cells) else \
            np.empty(0, dtype=object)
        self.tree = shapely.STRtree(self.geoms) if len(self.geoms) else None
        self.codes = cells["code"].astype(object).to_numpy() if len(self.geoms) else np.empty(0, dtype=object)
        self.towns = (cells["township_code"].astype(object).to_numpy() if len(self.geoms)
                      and "township_code" in cells.columns else np.empty(0, dtype=object))
        self.township_names = dict(township_names or {})

    def cells_of(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(cell code, township code) per geometry (None outside every cell)."""
        import shapely

        n = len(geoms)
        codes = np.full(n, None, dtype=object)
        towns = np.full(n, None, dtype=object)
        if self.tree is None or n == 0:
            return codes, towns
        reps = shapely.point_on_surface(geoms)
        hit = self.tree.query(reps, predicate="intersects")
        # The first cell found per feature (a point on a shared edge touches two cells).
        order = np.lexsort((hit[1], hit[0]))
        first = np.unique(hit[0][order], return_index=True)
        feat, pos = first[0], order[first[1]]
        codes[feat] = self.codes[hit[1][pos]]
        if len(self.towns):
            towns[feat] = self.towns[hit[1][pos]]
        return codes, towns

    def township(self, code: Optional[str]) -> str:
        return self.township_names.get(code or "", "") if code else ""
