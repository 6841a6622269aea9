"""Satellite fire points (火点): turn a raw fire table into the columns of the ``fire_point`` layer.

Two families of files arrive in practice:

* NASA FIRMS downloads (MODIS C6.1, VIIRS 375 m; near-real-time, archive and area downloads):
  ``latitude, longitude, acq_date, acq_time, satellite, confidence, frp`` plus instrument-specific
  columns.  ``acq_date``/``acq_time`` are UTC.  VIIRS confidence is a class (``l``/``n``/``h``).
* Spreadsheets from the provincial satellite centre with Chinese headers (``中心经度``,
  ``监测时间``, ``卫星``, ``置信度`` ...), whose times are Beijing time unless the header or the
  value says UTC.

:func:`normalize_fire_table` accepts either as read from the file (CSV read with ``dtype=str``, or
cells read with openpyxl, which may be numbers and datetimes) and returns one frame with fixed
column names and dtypes, plus notes for the person importing.  Everything is vectorised: columns
with few distinct values (dates, times, satellites, confidence) are parsed once per distinct value
and spread back with the factorised codes, so a million FIRMS rows take well under a second.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import LayerImportError
from .parsing import header_key, parse_degrees

__all__ = ["COLUMNS", "CONFIDENCE_CLASSES", "normalize_fire_table"]

#: Columns of the frame :func:`normalize_fire_table` returns, in order.
COLUMNS = ("longitude", "latitude", "detected_utc", "source", "satellite", "confidence", "frp", "row")

#: Confidence recorded for the VIIRS classes (FIRMS gives ``l``/``n``/``h``).
CONFIDENCE_CLASSES = {"low": 20, "nominal": 60, "high": 90}

#: Minutes east of UTC assumed for Chinese sheets whose times are not marked.
BEIJING_OFFSET_MIN = 480

_NS_PER_S = 1_000_000_000
_NS_PER_MIN = 60 * _NS_PER_S
_NS_PER_DAY = 86_400 * _NS_PER_S
_NAT = np.iinfo(np.int64).min
_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)
_EXCEL_MIN, _EXCEL_MAX = 25_569, 73_051  # 1970-01-01 .. 2100-01-01 as Excel day serials
_MAX_LISTED = 5

# --------------------------------------------------------------------------------------------
# Column recognition
# --------------------------------------------------------------------------------------------

#: Header aliases per role, most specific first, compared after :func:`_header_keys`.
_ALIASES: dict[str, tuple[str, ...]] = {
    "longitude": ("longitude", "lon", "lng", "long", "经度", "中心经度", "中心点经度", "火点经度", "东经",
                  "经度坐标", "centerlongitude", "centrelongitude", "centerlon", "centrelon"),
    "latitude": ("latitude", "lat", "纬度", "中心纬度", "中心点纬度", "火点纬度", "北纬", "纬度坐标",
                 "centerlatitude", "centrelatitude", "centerlat", "centrelat"),
    "date": ("acqdate", "date", "日期", "监测日期", "发现日期", "观测日期", "过境日期", "检测日期"),
    "time": ("acqtime", "time", "时间", "监测时间", "发现时间", "观测时间", "过境时间", "卫星过境时间",
             "检测时间", "时刻"),
    "datetime": ("detectedutc", "detectedlocal", "datetime", "acqdatetime", "timestamp", "监测时间",
                 "发现时间", "观测时间", "过境时间", "卫星过境时间", "检测时间", "发生时间", "成像时间",
                 "日期时间", "监测日期时间", "时间", "time"),
    "satellite": ("satellite", "sat", "satellitename", "platform", "卫星", "卫星名称", "卫星名", "卫星标识",
                  "卫星平台", "卫星类型"),
    "instrument": ("instrument", "sensor", "传感器", "仪器", "载荷"),
    "source": ("source", "datasource", "数据源", "来源", "数据来源", "资料来源", "火点来源"),
    "confidence": ("confidence", "conf", "置信度", "可信度", "置信水平", "置信度等级", "可信度等级"),
    "frp": ("frp", "fireradiativepower", "火点强度", "火辐射功率", "辐射功率", "火点辐射功率", "火点功率",
            "强度"),
    "type": ("type",),
}

#: Second pass: a header containing one of these fragments.
_CONTAINS: dict[str, tuple[str, ...]] = {
    "longitude": ("longitude", "经度"),
    "latitude": ("latitude", "纬度"),
    "date": ("日期",),
    "time": ("时间",),
    "datetime": ("时间", "datetime"),
    "satellite": ("卫星", "satellite"),
    "source": ("数据源", "来源"),
    "confidence": ("置信", "可信", "confidence"),
    "frp": ("frp", "辐射功率", "火点强度"),
}

_UNIT_SUFFIX = re.compile(r"(?:/)?(?:°|度数|degrees?|deg|mw|兆瓦|%|utc|gmt|bjt|北京时间|世界时)$")


def _header_keys(header: Any) -> tuple[str, str]:
    """The header's key as written and without a trailing unit (``经度°``, ``FRP/MW``)."""
    return header_key(header), header_key(header, _UNIT_SUFFIX)


class _Columns:
    """Which input column plays which role."""

    def __init__(self, headers: Sequence[Any]):
        self.headers = [str(h) for h in headers]
        both = [_header_keys(h) for h in headers]
        self.keys = [k for k, _ in both]
        self.stripped = [k for _, k in both]
        self.used: set[int] = set()
        self.found: dict[str, int] = {}

    def find(self, role: str) -> int | None:
        free = [i for i in range(len(self.keys)) if i not in self.used]
        hit: list[int] = []
        for alias in _ALIASES.get(role, ()):
            hit = [i for i in free if alias in (self.keys[i], self.stripped[i])]
            if hit:
                break
        if not hit:
            for frag in _CONTAINS.get(role, ()):
                hit = [i for i in free if frag in self.keys[i]]
                if hit:
                    break
        if not hit:
            return None
        if role in ("datetime", "time", "date"):
            # Of "监测时间(UTC)" and "监测时间(北京时间)" prefer the UTC one.
            hit.sort(key=lambda i: _header_offset(self.headers[i]) != 0)
        self.used.add(hit[0])
        self.found[role] = hit[0]
        return hit[0]

    def has_key(self, *keys: str) -> bool:
        return any(k in self.keys for k in keys)


def _header_offset(header: str) -> int | None:
    """Minutes east of UTC that a time column's header declares, or None."""
    text = unicodedata.normalize("NFKC", header).upper()
    m = re.search(r"(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", text)
    if m:
        minutes = int(m[2]) * 60 + int(m[3] or 0)
        return minutes if m[1] == "+" else -minutes
    if re.search(r"北京|BJT|东八区|東八區|本地|当地|LOCAL|(?<![A-Z])CST(?![A-Z])", text):
        return BEIJING_OFFSET_MIN
    if re.search(r"UTC|GMT|世界时|世界時|格林", text):
        return 0
    return None


# --------------------------------------------------------------------------------------------
# Cell helpers
# --------------------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, np.floating) and bool(np.isnan(value))


def _text(value: Any) -> str | None:
    """Cell as stripped NFKC text, None when empty."""
    if _is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return text or None


def _shown(value: Any) -> str:
    """A cell value for an error message."""
    if _is_missing(value) or (isinstance(value, str) and not value.strip()):
        return "empty"
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return repr(value.isoformat(sep=" ") if isinstance(value, _dt.datetime) else value.isoformat())
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


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


def _rows_list(rows: np.ndarray, numbers: np.ndarray, describe: Callable[[int], str]) -> str:
    shown = ", ".join(f"row {int(numbers[r])} ({describe(int(r))})" for r in rows[:_MAX_LISTED])
    more = len(rows) - _MAX_LISTED
    return shown + (f" and {more:,} more" if more > 0 else "")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


# --------------------------------------------------------------------------------------------
# Numbers (coordinates, FRP)
# --------------------------------------------------------------------------------------------

def _to_float(col: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, empty, bad): float64 values (NaN where empty or bad) and the two masks."""
    values = None
    if isinstance(col.dtype, pd.StringDtype) or col.dtype == object:
        try:  # Arrow's parser is several times faster than to_numeric; it refuses the whole column
            import pyarrow as pa  # on one bad cell, and object columns of non-text cells (numbers
            import pyarrow.compute as pc  # from a spreadsheet): then take the general path

            if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
                arrow = col.array.__arrow_array__()
            else:
                arrow = pa.array(col.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
            values = pc.cast(arrow, pa.float64()).to_numpy(zero_copy_only=False)
        except Exception:  # noqa: BLE001 - any failure: take the general path
            values = None
    if values is None:
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    values = np.array(values, dtype=np.float64, copy=True)
    empty = np.zeros(len(values), dtype=bool)
    bad = np.zeros(len(values), dtype=bool)
    idx = np.flatnonzero(~np.isfinite(values))
    if len(idx):
        sub = col.iloc[idx]
        codes, uniques = _factorize(sub)
        parsed = [parse_degrees(_text(u), loose=True) for u in uniques]
        is_empty = [_text(u) is None for u in uniques]
        got = _spread([np.nan if p is None else p for p in parsed], codes, np.nan, np.float64)
        emp = _spread(is_empty, codes, True, bool)
        values[idx] = got
        empty[idx] = emp
        bad[idx] = ~emp & ~np.isfinite(got)
        values[idx[bad[idx]]] = np.nan
    return values, empty, bad


# --------------------------------------------------------------------------------------------
# Times
# --------------------------------------------------------------------------------------------

_CN_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_VALUE_TZ = re.compile(r"[zZ]$|[+-]\d{2}:?\d{2}$|UTC|GMT|世界时|北京时间|BJT")


def _value_offset(text: str) -> tuple[str, int | None]:
    """Strip a time-zone marker from a time value: (rest, minutes east of UTC or None)."""
    t = text
    m = re.search(r"(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", t, re.I)
    if m:
        minutes = int(m[2]) * 60 + int(m[3] or 0)
        return (t[:m.start()] + t[m.end():]).strip(" ()"), minutes if m[1] == "+" else -minutes
    m = re.search(r"\(?\s*(北京时间|BJT)\s*\)?", t)
    if m:
        return (t[:m.start()] + t[m.end():]).strip(), BEIJING_OFFSET_MIN
    m = re.search(r"\(?\s*(UTC|GMT|世界时)\s*\)?", t, re.I)
    if m:
        return (t[:m.start()] + t[m.end():]).strip(), 0
    m = re.match(r"^(.*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(?:([zZ])|([+-])(\d{2}):?(\d{2}))$", t)
    if m:
        if m[2]:
            return m[1], 0
        minutes = int(m[4]) * 60 + int(m[5])
        return m[1], minutes if m[3] == "+" else -minutes
    return t, None


def _wall_ns(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: float = 0.0) -> int | None:
    try:
        base = _dt.datetime(year, month, day, hour, minute)
    except ValueError:
        return None
    if not 0 <= second < 60:
        return None
    return int(pd.Timestamp(base).value) + int(round(second * _NS_PER_S))


_ISO_LIKE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}(?:\.\d+)?))?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:[T\s]*(\d{2})(\d{2})(\d{2})?)?$")


def _full_from_text(text: str) -> tuple[int, int | None, bool] | None:
    """A date-and-time written as text: (wall-clock ns, offset or None, has time of day)."""
    t, offset = _value_offset(text)
    t = t.translate(_CN_DIGITS)
    t = re.sub(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?", r"\1-\2-\3 ", t)
    t = re.sub(r"(\d{1,2})\s*[时時点點]\s*(\d{1,2})\s*分?(?:\s*(\d{1,2})\s*秒)?",
               lambda m: f"{m[1]}:{m[2]}" + (f":{m[3]}" if m[3] else ""), t)
    t = re.sub(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", t.strip())
    t = re.sub(r"\s+", " ", t).strip()
    m = _ISO_LIKE.match(t) or _COMPACT.match(t)
    if m:
        has_time = m[4] is not None
        ns = _wall_ns(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), float(m[6] or 0))
        return None if ns is None else (ns, offset, has_time)
    if not re.search(r"\d{4}", t):  # no year: a bare time, not a date
        return None
    try:  # anything else dateutil understands ("Oct 20 2025 1:35 PM")
        ts = pd.Timestamp(t)
    except (ValueError, TypeError, OverflowError):
        return None
    if ts is pd.NaT:
        return None
    if ts.tzinfo is not None:
        offset = int(ts.utcoffset().total_seconds() // 60)
        ts = ts.tz_localize(None)
    return int(ts.as_unit("ns").value), offset, bool(re.search(r"\d:\d", t))


class _TimeState:
    """What happened while reading times, for the notes."""

    def __init__(self) -> None:
        self.excel_serials = 0
        self.value_zones = 0


def _full_from_object(value: Any, state: _TimeState) -> tuple[int, int | None, bool] | None:
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, _dt.datetime):  # includes pd.Timestamp
        ts = pd.Timestamp(value)
        offset = None
        if ts.tzinfo is not None:
            offset = int(ts.utcoffset().total_seconds() // 60)
            ts = ts.tz_localize(None)
        has_time = (ts.hour, ts.minute, ts.second, ts.microsecond) != (0, 0, 0, 0)
        return int(ts.as_unit("ns").value), offset, has_time
    if isinstance(value, _dt.date):
        return int(pd.Timestamp(value).as_unit("ns").value), None, False
    if isinstance(value, (bool, np.bool_, _dt.time, _dt.timedelta)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        if _EXCEL_MIN <= v < _EXCEL_MAX:
            state.excel_serials += 1
            whole = int(v)
            ns = int(pd.Timestamp(_EXCEL_EPOCH + _dt.timedelta(days=whole)).value)
            ns += int(round((v - whole) * 86_400)) * _NS_PER_S
            return ns, None, v != whole
        if v.is_integer() and 19_700_101 <= v <= 21_001_231:  # 20251020
            return _full_from_text(str(int(v)))
        if v.is_integer() and 197_001_010_000 <= v <= 21_001_231_235_959:  # 202510201335(00)
            return _full_from_text(str(int(v)))
        return None
    text = _text(value)
    return None if text is None else _full_from_text(text)


def _parse_full(uniques: list[Any], state: _TimeState) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per distinct value: wall ns (NaT if bad), offset minutes (-9999 = unmarked), has time, empty."""
    n = len(uniques)
    ns = np.full(n, _NAT, dtype=np.int64)
    off = np.full(n, -9999, dtype=np.int64)
    has_time = np.zeros(n, dtype=bool)
    empty = np.zeros(n, dtype=bool)
    str_idx = [i for i, u in enumerate(uniques) if isinstance(u, str)]
    done: set[int] = set()
    if len(str_idx) > 64:  # many distinct texts: let pandas parse the plain ISO ones in one go
        texts = pd.Series([uniques[i] for i in str_idx], dtype=object)
        plain = ~texts.str.contains(_VALUE_TZ, regex=True)
        parsed = pd.to_datetime(texts.where(plain), format="ISO8601", errors="coerce")
        parsed_ns = parsed.to_numpy().astype("datetime64[ns]").view(np.int64)
        timed = texts.str.contains(r"\d:\d", regex=True).to_numpy()
        for k, i in enumerate(str_idx):
            if parsed_ns[k] != _NAT:
                ns[i], has_time[i] = parsed_ns[k], timed[k]
                done.add(i)
    for i, u in enumerate(uniques):
        if i in done:
            continue
        if _text(u) is None and not isinstance(u, (_dt.date, _dt.time, np.datetime64)):
            empty[i] = True
            continue
        got = _full_from_object(u, state)
        if got is not None:
            ns[i], o, has_time[i] = got
            if o is not None:
                off[i] = o
                state.value_zones += 1
    return ns, off, has_time, empty


def _tod_from_hms(h: int, m: int, s: float = 0.0) -> int | None:
    if 0 <= h < 24 and 0 <= m < 60 and 0 <= s < 60:
        return h * 3_600 * _NS_PER_S + m * _NS_PER_MIN + int(round(s * _NS_PER_S))
    return None


def _tod_from_number(v: float) -> int | None:
    if v < 0:
        return None
    if not v.is_integer():
        if v < 1:  # Excel stores a time of day as a fraction of a day
            return int(round(v * 86_400)) * _NS_PER_S
        return None
    iv = int(v)
    if iv <= 2359:  # FIRMS acq_time: HHMM, not always zero padded
        return _tod_from_hms(iv // 100, iv % 100)
    if 10_000 <= iv <= 235_959:  # HHMMSS
        return _tod_from_hms(iv // 10_000, iv // 100 % 100, iv % 100)
    return None


def _parse_tod(uniques: list[Any], state: _TimeState) -> tuple[np.ndarray, ...]:
    """Per distinct time-of-day value: (ns of day or wall ns, is full datetime, offset, bad, empty)."""
    n = len(uniques)
    ns = np.full(n, _NAT, dtype=np.int64)
    full = np.zeros(n, dtype=bool)
    off = np.full(n, -9999, dtype=np.int64)
    empty = np.zeros(n, dtype=bool)
    for i, u in enumerate(uniques):
        got: int | None = None
        if isinstance(u, _dt.time):
            got = _tod_from_hms(u.hour, u.minute, u.second + u.microsecond / 1e6)
        elif isinstance(u, (_dt.timedelta, pd.Timedelta)):
            t = int(pd.Timedelta(u).value)
            got = t if 0 <= t < _NS_PER_DAY else None
        elif isinstance(u, (_dt.datetime, np.datetime64)):
            ts = pd.Timestamp(u)
            if ts.year < 1901:  # a bare time stored on Excel's day zero
                got = _tod_from_hms(ts.hour, ts.minute, ts.second + ts.microsecond / 1e6)
            else:
                r = _full_from_object(u, state)
                if r is not None:
                    ns[i], full[i] = r[0], True
                    if r[1] is not None:
                        off[i] = r[1]
                continue
        elif isinstance(u, (bool, np.bool_)):
            got = None
        elif isinstance(u, (int, float, np.integer, np.floating)):
            if _is_missing(u):
                empty[i] = True
                continue
            got = _tod_from_number(float(u))
        else:
            text = _text(u)
            if text is None:
                empty[i] = True
                continue
            t, o = _value_offset(text)
            t = t.translate(_CN_DIGITS).strip()
            if o is not None:
                off[i] = o
                state.value_zones += 1
            if re.fullmatch(r"\d{1,4}(?:\.0+)?", t) or re.fullmatch(r"\d{6}", t):
                got = _tod_from_number(float(t))
            else:
                m = re.fullmatch(r"(\d{1,2})\s*[:时時点點]\s*(\d{1,2})"
                                 r"(?:\s*[:分]\s*(\d{1,2}(?:\.\d+)?)\s*秒?)?\s*分?", t)
                if m:
                    got = _tod_from_hms(int(m[1]), int(m[2]), float(m[3] or 0))
                elif re.search(r"\d{4}\s*[-/.年]", t):
                    r = _full_from_text(text)
                    if r is not None and r[2]:
                        ns[i], full[i] = r[0], True
                        if r[1] is not None:
                            off[i] = r[1]
                    continue
        if got is not None:
            ns[i] = got
    return ns, full, off, ns == _NAT, empty


# --------------------------------------------------------------------------------------------
# Satellite, source, confidence
# --------------------------------------------------------------------------------------------

_SOURCE_CODES = ("", "MODIS", "VIIRS", "Fengyun", "manual")
_MODIS, _VIIRS, _FENGYUN, _MANUAL, _UNKNOWN = 1, 2, 3, 4, 5


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


# --------------------------------------------------------------------------------------------
# The entry point
# --------------------------------------------------------------------------------------------


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "longitude": pd.Series([], dtype=np.float64),
        "latitude": pd.Series([], dtype=np.float64),
        "detected_utc": pd.Series([], dtype="datetime64[ms, UTC]"),
        "source": pd.Series([], dtype=object),
        "satellite": pd.Series([], dtype=object),
        "confidence": pd.Series([], dtype="Int64"),
        "frp": pd.Series([], dtype=np.float64),
        "row": pd.Series([], dtype=np.int64),
    })


def normalize_fire_table(table: pd.DataFrame, *, name: str = "") -> tuple[pd.DataFrame, list[str]]:
    """Bring a raw fire-point table into the ``fire_point`` layer's columns.

    ``table`` is the file as read: a CSV read with ``dtype=str``, or rows read with openpyxl
    (cells may be numbers, datetimes, times).  ``name`` (usually the file name) starts every
    error message.

    Returns ``(frame, notes)``.  ``frame`` has exactly :data:`COLUMNS`: ``longitude`` and
    ``latitude`` (float64, WGS 84 degrees), ``detected_utc`` (datetime64[ms, UTC]), ``source``
    (one of MODIS/VIIRS/Fengyun/manual), ``satellite`` (standard name such as Terra, Aqua, N, N20,
    N21, FY-3D; None when not given), ``confidence`` (Int64 0-100, <NA> when not given), ``frp``
    (float64 MW, NaN when not given) and ``row`` (1-based data row in the source: row 1 is the
    first line under the header).  Completely blank rows are skipped (and said so in the notes);
    every other row is kept, in order.  ``notes`` are remarks for the person importing: which
    column was used for what, how times and confidence classes were read.

    Raises :class:`~gridwatch.errors.LayerImportError` when a needed column is missing, or when
    any row has an empty or unreadable coordinate or time, a coordinate out of range, or a
    confidence/FRP that is not a number; the message names the column and up to five rows with
    their values.
    """
    where = name or "fire table"

    def fail(message: str) -> LayerImportError:
        return LayerImportError(f"{where}: {message}")

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"normalize_fire_table expects a pandas DataFrame, not {type(table).__name__}")
    # Columns named "__..." are bookkeeping added by the caller (the import pipeline's "__row").
    internal = [str(c).startswith("__") for c in table.columns]
    cols = _Columns(list(table.columns))
    cols.used.update(i for i, hide in enumerate(internal) if hide)
    present = ", ".join(repr(str(h)) for h, hide in zip(table.columns, internal) if not hide) or "none"
    notes: list[str] = []

    def missing(role: str, shown: str, target: str) -> LayerImportError:
        looked = ", ".join(_ALIASES[role][:6])
        return fail(f"no {shown} column found (looked for {looked}, ...; the file has {present}); "
                    f"rename the column or pass --field-map SRC={target}")

    i_lon = cols.find("longitude")
    if i_lon is None:
        raise missing("longitude", "longitude", "longitude")
    i_lat = cols.find("latitude")
    if i_lat is None:
        raise missing("latitude", "latitude", "latitude")
    i_date = cols.find("date")
    i_time = cols.find("time") if i_date is not None else None
    i_dt = cols.find("datetime") if i_date is None else None
    if i_date is None and i_dt is None:
        if cols.has_key("acqtime"):
            raise fail("has acq_time but no acq_date column; FIRMS files need both (rename the date "
                       "column to acq_date or pass --field-map SRC=acq_date)")
        raise fail(f"no time column found (looked for acq_date + acq_time, 监测时间, 发现时间, 时间, "
                   f"日期 + 时间, datetime, detected_utc, ...; the file has {present}); rename the column or "
                   f"pass --field-map SRC=detected_local (Beijing time) or SRC=detected_utc (UTC)")
    i_sat = cols.find("satellite")
    i_ins = cols.find("instrument")
    i_src = cols.find("source")
    i_conf = cols.find("confidence")
    i_frp = cols.find("frp")
    i_type = cols.find("type")

    used = [f"{role}←{cols.headers[i]!r}" for role, i in cols.found.items()]
    notes.append("columns used: " + ", ".join(used))

    n = len(table)
    if n == 0:
        notes.append("the table has no rows")
        return _empty_frame(), notes

    row_numbers = np.arange(1, n + 1, dtype=np.int64)
    if "__row" in table.columns:
        given = pd.to_numeric(table["__row"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if given.ndim == 1 and np.isfinite(given).all():
            row_numbers = given.astype(np.int64)

    def rows_list(rows: np.ndarray, describe: Callable[[int], str]) -> str:
        return _rows_list(rows, row_numbers, describe)

    def column(i: int) -> pd.Series:
        return table.iloc[:, i].reset_index(drop=True)

    # ---- coordinates --------------------------------------------------------------------------
    lon, lon_empty, lon_bad = _to_float(column(i_lon))
    lat, lat_empty, lat_bad = _to_float(column(i_lat))

    # Completely blank rows (spreadsheets often carry some at the end) are not data.
    keep = np.ones(n, dtype=bool)
    cand = np.flatnonzero(lon_empty & lat_empty)
    if len(cand):
        sub = table.iloc[cand, [i for i, hide in enumerate(internal) if not hide]]
        blank = np.array([all(_text(v) is None for v in r) for r in sub.itertuples(index=False)], dtype=bool)
        keep[cand[blank]] = False
        if blank.any():
            notes.append(f"skipped {_plural(int(blank.sum()), 'blank row')}")

    for label, i, vals, emp, bad, limit in (("longitude", i_lon, lon, lon_empty, lon_bad, 180),
                                            ("latitude", i_lat, lat, lat_empty, lat_bad, 90)):
        raw = column(i)
        rows = np.flatnonzero(keep & (emp | bad))
        if len(rows):
            raise fail(f"{_plural(len(rows), 'row')} with an empty or unreadable {label} in column "
                       f"{cols.headers[i]!r}: {rows_list(rows, lambda r: _shown(raw.iat[r]))}; "
                       f"a fire point needs its position: correct or remove these rows")
        rows = np.flatnonzero(keep & (np.abs(vals) > limit))
        if len(rows):
            hint = ""
            if label == "latitude" and (np.abs(lat[rows]) <= 180).all() and (np.abs(lon[rows]) <= 90).all():
                hint = " (longitude and latitude look swapped: check which column is which)"
            raise fail(f"{_plural(len(rows), 'row')} with a {label} outside -{limit}..{limit} in column "
                       f"{cols.headers[i]!r}: {rows_list(rows, lambda r: repr(float(vals[r])))}{hint}; "
                       f"coordinates must be WGS 84 degrees")

    # ---- times --------------------------------------------------------------------------------
    state = _TimeState()
    if i_date is not None and i_time is not None:
        dcodes, duniq = _factorize(column(i_date))
        tcodes, tuniq = _factorize(column(i_time))
        d_ns, d_off, _d_has, _d_empty = _parse_full(duniq, state)
        t_ns, t_full, t_off, t_bad, _t_empty = _parse_tod(tuniq, state)
        d_day = np.where(d_ns == _NAT, _NAT, (d_ns // _NS_PER_DAY) * _NS_PER_DAY)
        row_d = _spread(d_day, dcodes, _NAT, np.int64)
        row_t = _spread(t_ns, tcodes, _NAT, np.int64)
        row_full = _spread(t_full, tcodes, False, bool)
        row_tbad = _spread(t_bad, tcodes, True, bool)
        wall = np.where(row_full, row_t, row_d + row_t)
        time_bad = row_tbad | (~row_full & (row_d == _NAT))
        row_off = np.where(_spread(t_off, tcodes, -9999, np.int64) != -9999,
                           _spread(t_off, tcodes, -9999, np.int64), _spread(d_off, dcodes, -9999, np.int64))
        header_text = cols.headers[i_date] + " " + cols.headers[i_time]
        firms = cols.keys[i_date] == "acqdate" or cols.keys[i_time] == "acqtime"
        time_cols = f"columns {cols.headers[i_date]!r} + {cols.headers[i_time]!r}"
        date_raw, time_raw = column(i_date), column(i_time)

        def describe_time(r: int) -> str:
            return f"{_shown(date_raw.iat[r])}, {_shown(time_raw.iat[r])}"
    else:
        i_full = i_date if i_date is not None else i_dt
        assert i_full is not None
        fcodes, funiq = _factorize(column(i_full))
        f_ns, f_off, f_has, _f_empty = _parse_full(funiq, state)
        is_obj = np.array([isinstance(u, (_dt.datetime, np.datetime64)) for u in funiq], dtype=bool)
        if i_date is not None and len(funiq) and not f_has.any():
            raise fail(f"column {cols.headers[i_full]!r} holds dates without a time of day and no time column "
                       f"was found; add the detection time (e.g. a 时间 column) and import again")
        # A text value without a time of day ("2025-10-20") cannot place a fire in time.
        f_ok = (f_ns != _NAT) & (f_has | is_obj)
        wall = _spread(np.where(f_ok, f_ns, _NAT), fcodes, _NAT, np.int64)
        time_bad = wall == _NAT
        row_off = _spread(f_off, fcodes, -9999, np.int64)
        header_text = cols.headers[i_full]
        firms = False
        time_cols = f"column {cols.headers[i_full]!r}"
        full_raw = column(i_full)

        def describe_time(r: int) -> str:
            return _shown(full_raw.iat[r])

    rows = np.flatnonzero(keep & time_bad)
    if len(rows):
        raise fail(f"{_plural(len(rows), 'row')} with an empty or unreadable time in {time_cols}: "
                   f"{rows_list(rows, describe_time)}; a fire point needs its detection date and time: "
                   f"correct or remove these rows")

    header_off = _header_offset(header_text)
    if header_off is not None:
        default_off = header_off
        if header_off == 0:
            notes.append(f"times read as UTC (the header of {time_cols} says so)")
        elif header_off == BEIJING_OFFSET_MIN:
            notes.append(f"times read as Beijing time (UTC+8) as the header of {time_cols} says, "
                         f"converted to UTC")
        else:
            notes.append(f"times read as UTC{header_off / 60:+g} as the header of {time_cols} says, "
                         f"converted to UTC")
    elif firms:
        default_off = 0
        notes.append("times read as UTC (FIRMS acq_date/acq_time are UTC)")
    else:
        default_off = BEIJING_OFFSET_MIN
        notes.append(f"times read as Beijing time (UTC+8) from {time_cols} and converted to UTC; "
                     f"if they are already UTC, put 'UTC' in the column header")
    if state.value_zones:
        notes.append(f"{_plural(state.value_zones, 'distinct time value')} carried their own time zone "
                     f"(UTC / +08:00 / 北京时间) and were converted accordingly")
    if state.excel_serials:
        notes.append(f"{_plural(state.excel_serials, 'time')} given as Excel day numbers were converted")
    offsets = np.where(row_off == -9999, default_off, row_off)
    utc = np.where(keep, wall - offsets * _NS_PER_MIN, 0)

    lo = int(pd.Timestamp("1970-01-01").value)
    hi = int((pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)).value)
    rows = np.flatnonzero(keep & ((utc < lo) | (utc > hi)))
    if len(rows):
        raise fail(f"{_plural(len(rows), 'row')} with a time before 1970 or in the future in {time_cols}: "
                   f"{rows_list(rows, describe_time)}; check the date and that the cells hold dates, "
                   f"not bare times")

    # ---- satellite and source -----------------------------------------------------------------
    src = np.zeros(n, dtype=np.int8)
    how: dict[str, int] = {}
    unknown_text: list[str] = []

    def take(codes_row: np.ndarray, label: str) -> None:
        fill = (src == 0) & (codes_row != 0) & (codes_row != _UNKNOWN)
        if fill.any():
            src[fill] = codes_row[fill]
            how[label] = how.get(label, 0) + int((fill & keep).sum())

    satellite = np.full(n, None, dtype=object)
    sat_codes_row = None
    renamed: list[str] = []
    if i_sat is not None:
        scodes, suniq = _factorize(column(i_sat))
        info = [_satellite_info(u) for u in suniq]
        satellite = _spread([s for s, _ in info], scodes, None, object)
        sat_codes_row = _spread([c for _, c in info], scodes, 0, np.int8)
        for u, (s, _c) in zip(suniq, info):
            t = _text(u)
            if s is not None and t != s and len(renamed) < 8:
                renamed.append(f"{t}→{s}")
    for i, label in ((i_ins, f"column {cols.headers[i_ins]!r}" if i_ins is not None else ""),
                     (i_src, f"column {cols.headers[i_src]!r}" if i_src is not None else "")):
        if i is None:
            continue
        ccodes, cuniq = _factorize(column(i))
        per = [_source_code(u) for u in cuniq]
        row_codes = _spread(per, ccodes, 0, np.int8)
        take(row_codes, label)
        for u, c in zip(cuniq, per):
            if c == _UNKNOWN and len(unknown_text) < 5:
                unknown_text.append(repr(_text(u)))
    if sat_codes_row is not None:
        take(sat_codes_row, f"satellite names in {cols.headers[i_sat]!r}")
    if cols.has_key("brightti4", "brightti5"):
        take(np.full(n, _VIIRS, dtype=np.int8), "FIRMS VIIRS columns (bright_ti4)")
    elif cols.has_key("brightness", "brightt31"):
        take(np.full(n, _MODIS, dtype=np.int8), "FIRMS MODIS columns (brightness/bright_t31)")
    manual_rows = int(((src == 0) & keep).sum())
    src[src == 0] = _MANUAL
    if renamed:
        notes.append("satellite names standardised: " + ", ".join(renamed))
    if how:
        decided = "; ".join(f"{label} ({_plural(c, 'row')})" for label, c in how.items() if c)
        notes.append(f"source decided from {decided}")
    if manual_rows:
        shown = f" (unrecognised: {', '.join(unknown_text)})" if unknown_text else ""
        notes.append(f"{_plural(manual_rows, 'row')} had no recognisable source or satellite{shown}: "
                     f"recorded as source 'manual'")
    if sat_codes_row is not None:
        odd = [s for s, c in info if c == _UNKNOWN][:5]
        if odd:
            notes.append(f"satellite names kept as written (not a known MODIS/VIIRS/Fengyun satellite): "
                         f"{', '.join(map(repr, odd))}")
    source = np.array(_SOURCE_CODES, dtype=object)[src]

    # ---- confidence and FRP -------------------------------------------------------------------
    if i_conf is not None:
        conf, _c_empty, c_bad, c_note, scaled = _parse_confidence(column(i_conf))
        rows = np.flatnonzero(keep & c_bad)
        if len(rows):
            raw = column(i_conf)
            listed = rows_list(rows, lambda r: _shown(raw.iat[r]))
            raise fail(f"{_plural(len(rows), 'row')} with a confidence that is neither a number 0-100 nor "
                       f"l/n/h in column {cols.headers[i_conf]!r}: {listed}; correct the values or leave them empty")
        if c_note:
            notes.append(c_note)
        if scaled:
            notes.append(f"confidence in {cols.headers[i_conf]!r} given as 0-1: multiplied by 100")
    else:
        conf = np.full(n, np.nan)
        notes.append("no confidence column: confidence left empty")
    if i_frp is not None:
        frp, _f_empty, f_bad = _to_float(column(i_frp))
        rows = np.flatnonzero(keep & f_bad)
        if len(rows):
            raw = column(i_frp)
            raise fail(f"{_plural(len(rows), 'row')} with an FRP that is not a number in column "
                       f"{cols.headers[i_frp]!r}: {rows_list(rows, lambda r: _shown(raw.iat[r]))}; "
                       f"correct the values (MW) or leave them empty")
    else:
        frp = np.full(n, np.nan)

    if i_type is not None and firms:
        tcodes2, tuniq2 = _factorize(column(i_type))
        kinds = _spread([_text(u) for u in tuniq2], tcodes2, None, object)
        other = int((keep & np.isin(kinds, ["1", "2", "3"])).sum())
        if other:
            notes.append(f"{_plural(other, 'row')} are FIRMS type 1-3 (volcano, other static land source, "
                         f"offshore) rather than vegetation fires; they were kept")

    # ---- assemble -----------------------------------------------------------------------------
    idx = np.flatnonzero(keep)
    detected = pd.Series((utc[idx] // 1_000_000).astype("datetime64[ms]")).dt.tz_localize("UTC")
    conf_k = conf[idx]
    confidence = pd.array(np.where(np.isnan(conf_k), 0, conf_k).astype(np.int64), dtype="Int64")
    confidence[np.isnan(conf_k)] = pd.NA
    frame = pd.DataFrame({
        "longitude": lon[idx],
        "latitude": lat[idx],
        "detected_utc": detected,
        "source": pd.Series(source[idx], dtype=object),
        "satellite": pd.Series(satellite[idx], dtype=object),
        "confidence": confidence,
        "frp": frp[idx].astype(np.float64),
        "row": row_numbers[idx],
    })
    return frame, notes
