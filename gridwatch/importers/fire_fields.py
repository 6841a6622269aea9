"""Satellite, data source and confidence of fire points, as FIRMS and the provincial centre write them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .fire_times import (
    _CN_DIGITS,
    _text,
)

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Confidence recorded for the VIIRS classes (FIRMS gives ``l``/``n``/``h``).
CONFIDENCE_CLASSES = {"low": 20, "nominal": 60, "high": 90}

#: Data source codes while parsing (the layer's codes come from the vocabulary at the end).
_MODIS, _VIIRS, _FENGYUN, _MANUAL, _UNKNOWN = 1, 2, 3, 4, 5


def _factorize(col: pd.Series) -> tuple[np.ndarray, list[Any]]:
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), list(np.asarray(uniques, dtype=object))


def _spread(per_unique: Sequence[Any], codes: np.ndarray, missing: Any, dtype: Any) -> np.ndarray:
    """Per-row values from per-distinct-value results; code -1 (NA) gets ``missing``."""
    table = np.empty(len(per_unique) + 1, dtype=dtype)
    for i, v in enumerate(per_unique):
        table[i] = v
    table[-1] = missing
    return table[codes]


def _satellite_info(value: Any) -> tuple[str | None, int]:
    """(standard satellite name, source code) for a satellite cell."""
    text = _text(value)
    if text is None:
        return None, 0
    cn = text.translate(_CN_DIGITS)
    up = cn.upper()
    compact = re.sub(r"[\s_\-/]", "", up)
    m = re.search(r"(?:FY|风云|風雲)\s*-?\s*([1-4])\s*号?\s*([A-Z])?", up)
    if m:
        return f"FY-{m[1]}{m[2] or ''}", _FENGYUN
    if "风云" in text or "風雲" in text or compact.startswith("FY") or "FENGYUN" in compact:
        return text, _FENGYUN
    if compact in ("T", "TERRA", "EOSTERRA") or "TERRA" in compact:
        return "Terra", _MODIS
    if compact in ("A", "AQUA", "EOSAQUA") or "AQUA" in compact:
        return "Aqua", _MODIS
    if compact in ("N21", "J2", "NOAA21", "JPSS2") or re.search(r"NOAA21|JPSS2", compact):
        return "N21", _VIIRS
    if compact in ("N20", "1", "J1", "NOAA20", "JPSS1") or re.search(r"NOAA20|JPSS1", compact):
        return "N20", _VIIRS
    if compact in ("N", "NPP", "SNPP", "SUOMINPP") or "NPP" in compact:
        return "N", _VIIRS
    if "MODIS" in compact:
        return text, _MODIS
    if "VIIRS" in compact or "NOAA" in compact:
        return text, _VIIRS
    return text, _UNKNOWN


def _source_code(value: Any) -> int:
    """Source code for a 数据源 / instrument cell (0 empty, _UNKNOWN unrecognised)."""
    text = _text(value)
    if text is None:
        return 0
    up = re.sub(r"[\s_\-/]", "", text.upper())
    if "风云" in text or "風雲" in text or "FY" in up or "FENGYUN" in up:
        return _FENGYUN
    if "MODIS" in up or "TERRA" in up or "AQUA" in up:
        return _MODIS
    if "VIIRS" in up or "NPP" in up or "NOAA" in up or "JPSS" in up:
        return _VIIRS
    if "MANUAL" in up or any(w in text for w in ("人工", "上报", "手工", "巡查", "群众")):
        return _MANUAL
    return _UNKNOWN


_CONF_WORDS = {
    "l": "low", "low": "low", "低": "low", "低置信度": "low", "低可信": "low", "较低": "low",
    "n": "nominal", "nominal": "nominal", "m": "nominal", "medium": "nominal", "中": "nominal",
    "中等": "nominal", "一般": "nominal", "正常": "nominal",
    "h": "high", "high": "high", "高": "high", "高置信度": "high", "高可信": "high", "较高": "high",
}


def _parse_confidence(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, str | None, bool]:
    """(values float with NaN, empty, bad, class spelling note or None, scaled from 0-1)."""
    codes, uniques = _factorize(col)
    nums: list[float] = []
    classes: dict[str, list[str]] = {"low": [], "nominal": [], "high": []}
    is_num = []
    for u in uniques:
        text = _text(u)
        if text is None:
            nums.append(np.nan)
            is_num.append(False)
            continue
        word = _CONF_WORDS.get(text.lower())
        if word is not None:
            nums.append(float(CONFIDENCE_CLASSES[word]))
            if text not in classes[word]:
                classes[word].append(text)
            is_num.append(False)
            continue
        try:
            v = float(text.rstrip("%").strip()) if not isinstance(u, (bool, np.bool_)) else np.nan
        except ValueError:
            v = np.nan
        nums.append(v if np.isfinite(v) else np.nan)
        is_num.append(bool(np.isfinite(v)))
    arr = np.array(nums, dtype=np.float64)
    numeric = np.array(is_num, dtype=bool)
    scaled = False
    if numeric.any():
        nv = arr[numeric]
        if nv.max() <= 1 and bool(((nv > 0) & (nv < 1)).any()):
            arr[numeric] = nv * 100
            scaled = True
    ok = np.isfinite(arr) & (arr >= 0) & (arr <= 100)
    empties = [_text(u) is None for u in uniques]
    values = _spread(np.where(ok, np.rint(arr), np.nan), codes, np.nan, np.float64)
    empty = _spread(empties, codes, True, bool)
    bad = ~empty & np.isnan(values)
    note = None
    if any(classes.values()):
        spelled = "/".join(v[0] for v in classes.values() if v)
        mapped = ", ".join(f"{k}={CONFIDENCE_CLASSES[k]}" for k, v in classes.items() if v)
        note = f"confidence given as {spelled}: mapped {mapped}"
    return values, empty, bad, note, scaled
