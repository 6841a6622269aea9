"""A layer's attribute rows as people read them: titles for codes, Beijing time, names for people, ids
kept for the selection but not shown unless asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...layers import LAYERS
from ..texts import value_title

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

#: Beijing time (UTC+8) as a fixed offset: the one time zone lists show.
_BEIJING = "UTC+08:00"


def display_frame(layer: str, frame: pd.DataFrame, people: Optional[pd.DataFrame] = None
                  ) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """``(rows to show, id columns)``: a shallow copy of ``frame`` with coded values as their titles,
    times in Beijing time, inspectors by name; the id columns (uuids) are for hiding until asked.

    Vectorised per column (a million fire points take a fraction of a second); the frame itself is
    never changed.
    """
    spec = LAYERS.get(layer)
    out = frame.copy(deep=False)
    ids = [c for c in out.columns if c == "uuid" or (c.endswith("_uuid") and c != "inspector_uuid")]
    for col in list(out.columns):
        field = spec.field(col) if spec is not None and col in spec.field_names else None
        series = out[col]
        if field is not None and field.choices:
            codes = pd.Series(list(field.choices), dtype=object)
            out[col] = series.astype(object).map(dict(zip(codes, codes.map(value_title)))).fillna(
                series.astype(object))
        elif pd.api.types.is_datetime64_any_dtype(series.dtype) or _arrow_timestamp(series):
            ts = pd.to_datetime(series, utc=True, errors="coerce")
            out[col] = ts.dt.tz_convert(_BEIJING)
        elif col == "inspector_uuid" and people is not None and len(people):
            names = dict(zip(people["uuid"].astype(str), people["name"].astype(str)))
            out[col] = series.astype(object).map(names)
    if "detected_utc" in out.columns and "detected_local" in out.columns:
        # the same instant twice: the Beijing-time column above says it (the ISO text is kept for ids)
        ids.append("detected_local")
    return out, tuple(ids)


def _arrow_timestamp(series: pd.Series) -> bool:
    return "timestamp" in str(series.dtype)
