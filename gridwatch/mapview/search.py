"""Find townships, villages and grid cells by name (Chinese partial match) or code."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import MapData

SEARCH_LAYERS = ("township", "village", "grid_cell")


@dataclass(frozen=True)
class SearchHit:
    layer: str
    index: int  # feature position in the layer
    code: str
    name: str
    bounds: tuple[float, float, float, float]


def search_places(data: MapData, text: str, limit: int = 50) -> list[SearchHit]:
    """Places whose name contains ``text`` or whose code starts with it.

    Exact name or code matches come first, then townships before villages before cells, then
    shorter names.  Digits-only text matches codes; anything else matches names.
    """
    text = text.strip()
    if not text:
        return []
    hits: list[tuple[tuple, SearchHit]] = []
    for rank, name in enumerate(SEARCH_LAYERS):
        layer = data.layers.get(name)
        if layer is None or layer.count == 0:
            continue
        frame = layer.frame
        names = frame["name"].astype(str)
        codes = frame["code"].astype(str)
        if text.isdigit():
            mask = codes.str.startswith(text)
        else:
            mask = names.str.contains(text, regex=False, case=False)
        idx = np.flatnonzero(mask.to_numpy(dtype=bool))
        for i in idx[: limit * 4]:
            exact = names.iloc[i] == text or codes.iloc[i] == text
            key = (0 if exact else 1, rank, len(names.iloc[i]), codes.iloc[i])
            b = layer.bounds[i]
            hits.append((key, SearchHit(name, int(i), codes.iloc[i], names.iloc[i],
                                        (float(b[0]), float(b[1]), float(b[2]), float(b[3])))))
    hits.sort(key=lambda kv: kv[0])
    return [h for _, h in hits[:limit]]


def parent_names(data: MapData, layer: str, index: int) -> dict[str, str]:
    """Names of the township and village a feature belongs to (by its codes)."""
    frame = data.layers[layer].frame
    row = frame.iloc[index]
    out: dict[str, str] = {}
    for parent, col in (("township", "township_code"), ("village", "village_code")):
        code = row.get(col) if col in frame.columns else None
        pl = data.layers.get(parent)
        if isinstance(code, str) and pl is not None:
            match = pl.frame.loc[pl.frame["code"] == code, "name"]
            if len(match):
                out[parent] = str(match.iloc[0])
    return out


def as_text(value: object) -> str:
    """A value as a user reads it in a panel."""
    if value is None:
        return ""
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if value.tzinfo else "")
    if isinstance(value, (bool, np.bool_)):
        return "✓" if value else "✗"
    return str(value)
