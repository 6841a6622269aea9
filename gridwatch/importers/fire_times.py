"""Times in fire tables: full date-times (text, Excel serials, datetimes) and times of day, with the UTC
offset a header or value declares; parsed once per distinct value."""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Minutes east of UTC assumed for Chinese sheets whose times are not marked.
BEIJING_OFFSET_MIN = 480

_EXCEL_MIN, _EXCEL_MAX = 25_569, 73_051  # 1970-01-01 .. 2100-01-01 as Excel day serials


_NS_PER_S = 1_000_000_000


_NS_PER_MIN = 60 * _NS_PER_S


_NS_PER_DAY = 86_400 * _NS_PER_S


_NAT = np.iinfo(np.int64).min


_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)


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
    if text is not None and re.fullmatch(r"\d{5}(?:\.\d+)?", text):
        return _full_from_object(float(text), state)  # an Excel day number written out as text (CSV, XLSX text)
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
