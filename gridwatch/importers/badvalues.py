"""Values a layer does not allow, in a file being imported: replaced by what the user mapped them to,
or their rows left out and listed row by row (the import dialog's "skip or map bad values")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..layers.base import LayerSpec

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

__all__ = ["apply_value_map", "leave_out_bad_rows"]


def apply_value_map(out: pd.DataFrame, spec: LayerSpec, value_map: Mapping[str, Mapping[str, Any]]
                    ) -> pd.DataFrame:
    """Replace values the user mapped (``{"dust_grade": {"D": "C"}}``), compared as text."""
    for name, mapping in (value_map or {}).items():
        if name not in out.columns or name not in spec.field_names or not mapping:
            continue
        text = out[name].astype(object).map(lambda v: None if v is None or (isinstance(v, float) and v != v)
                                             else str(v))
        wanted = {str(k): v for k, v in mapping.items()}
        hit = text.isin(list(wanted)).to_numpy(dtype=bool)
        if hit.any():
            col = out[name].astype(object).copy()
            col[hit] = text[hit].map(wanted)
            out[name] = col
    return out


def leave_out_bad_rows(out: pd.DataFrame, spec: LayerSpec, skipped: list[dict[str, Any]],
                       bad_values: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Drop rows with a coded value the layer does not allow or an empty required field; list each in
    ``skipped`` (by its row in the file: ``{"row", "field", "value"}``) and count the bad values per
    field in ``bad_values``."""
    bad_rows = np.zeros(len(out), dtype=bool)
    rows = out["__row"].to_numpy() if "__row" in out.columns else np.arange(1, len(out) + 1)
    for f in spec.fields:
        if f.name == "uuid" or f.name not in out.columns:
            continue
        col = out[f.name]
        missing = col.isna().to_numpy(dtype=bool) | col.astype(object).map(
            lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
        bad = missing.copy() if f.required else np.zeros(len(out), dtype=bool)
        if f.choices is not None:
            bad |= ~missing & ~col.isin(f.choices).to_numpy(dtype=bool)
        for i in np.flatnonzero(bad):
            value = "" if missing[i] else str(col.iloc[i])
            skipped.append({"row": int(rows[i]), "field": f.name, "value": value})
            counts = bad_values.setdefault(f.name, {})
            counts[value] = counts.get(value, 0) + 1
        bad_rows |= bad
    return out.loc[~bad_rows].copy() if bad_rows.any() else out
