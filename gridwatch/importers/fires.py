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
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import LayerImportError
from .fire_fields import (
    _MANUAL,
    _MODIS,
    _UNKNOWN,
    _VIIRS,
    CONFIDENCE_CLASSES,
    _factorize,
    _parse_confidence,
    _satellite_info,
    _source_code,
    _spread,
)
from .fire_rows import date_and_time, day_text, one_column
from .fire_times import (
    _NS_PER_MIN,
    BEIJING_OFFSET_MIN,
    _header_offset,
    _is_missing,
    _text,
    _TimeState,
)
from .parsing import header_key, parse_degrees

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

__all__ = ["COLUMNS", "CONFIDENCE_CLASSES", "looks_like_fire_table", "normalize_fire_table"]

#: Columns of the frame :func:`normalize_fire_table` returns, in order.
COLUMNS = ("longitude", "latitude", "detected_utc", "source", "satellite", "confidence", "frp", "source_type",
           "row", "day")


_MAX_LISTED = 5

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


# --------------------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    """A cell value for an error message."""
    if _is_missing(value) or (isinstance(value, str) and not value.strip()):
        return "empty"
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return repr(value.isoformat(sep=" ") if isinstance(value, _dt.datetime) else value.isoformat())
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _rows_list(rows: np.ndarray, numbers: np.ndarray, describe: Callable[[int], str]) -> str:
    shown = ", ".join(f"row {int(numbers[r])} ({describe(int(r))})" for r in rows[:_MAX_LISTED])
    more = len(rows) - _MAX_LISTED
    return shown + (f" and {more:,} more" if more > 0 else "")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


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

_SOURCE_CODES = ("", "MODIS", "VIIRS", "Fengyun", "manual")


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
        "source_type": pd.Series([], dtype="Int64"),
        "row": pd.Series([], dtype=np.int64),
        "day": pd.Series([], dtype=object),
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
    (float64 MW, NaN when not given), ``row`` (the row as a spreadsheet program shows it: the
    caller's ``__row`` column, else the header is row 1 and the first data row row 2) and ``day``
    (``YYYY-MM-DD`` for a row that gives only the date of detection, stored with day precision;
    ``detected_utc`` is then the start of that day; None for rows with a time of day).  Completely
    blank rows are skipped (and said so in the notes); every other row is kept, in order.
    ``notes`` are remarks for the person importing: which column was used for what, how times
    and confidence classes were read.

    Raises :class:`~gridwatch.errors.LayerImportError` when a needed column is missing, or when
    any row has an empty or unreadable coordinate, no date or one that cannot be read, a coordinate out of range, or a
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

    row_numbers = np.arange(2, n + 2, dtype=np.int64)  # as a spreadsheet shows them: the header is row 1
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
        times = date_and_time(column(i_date), column(i_time), state, _shown)
        header_text = cols.headers[i_date] + " " + cols.headers[i_time]
        firms = cols.keys[i_date] == "acqdate" or cols.keys[i_time] == "acqtime"
        time_cols = f"columns {cols.headers[i_date]!r} + {cols.headers[i_time]!r}"
    else:
        i_full = i_date if i_date is not None else i_dt
        assert i_full is not None
        times = one_column(column(i_full), state, _shown)
        header_text = cols.headers[i_full]
        firms = False
        time_cols = f"column {cols.headers[i_full]!r}"
    wall, row_off, day_only = times.wall, times.offset, times.day_only & keep
    problems = []
    for mask, what in ((times.unreadable, "a time that cannot be read as a date"), (times.missing, "no date")):
        rows = np.flatnonzero(keep & mask)
        if len(rows):
            problems.append(f"{_plural(len(rows), 'row')} with {what} in {time_cols}: "
                            f"{rows_list(rows, times.describe)}")
    if problems:
        raise fail("; ".join(problems) + "; a fire point needs its detection date (and its time of day when "
                   "known): correct or remove these rows")
    if day_only.any():
        k = int(day_only.sum())
        notes.append(f"{_plural(k, 'row')} give{'s' if k == 1 else ''} only the date of detection, no time of day: "
                     "stored with day precision (shown as the date alone; checks and statistics count them on "
                     "that day and leave them out of hours-to-check)")

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
                   f"{rows_list(rows, times.describe)}; check the date and that the cells hold dates, "
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

    stype = np.full(n, np.nan)
    if i_type is not None and firms:
        tcodes2, tuniq2 = _factorize(column(i_type))
        kinds = _spread([_text(u) for u in tuniq2], tcodes2, None, object)
        # kept as the fire point's source_type: type 2 marks a persistent heat source (domain.heat_sources)
        stype = pd.to_numeric(pd.Series(kinds, dtype=object), errors="coerce").to_numpy(dtype=float)
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
        "source_type": pd.array(np.where(np.isnan(stype[idx]), pd.NA, stype[idx]), dtype="Int64"),
        "row": row_numbers[idx],
        "day": day_text(wall, day_only)[idx],
    })
    return frame, notes


def looks_like_fire_table(headers: Sequence[Any]) -> bool:
    """Whether a table's header is a satellite fire-point table (NASA FIRMS MODIS/VIIRS, a provincial
    centre's sheet): longitude and latitude, a detection date or time, and a fire measure (brightness,
    FRP, confidence or satellite).  A list of sites with coordinates is not."""
    cols = _Columns(headers)
    if cols.find("longitude") is None or cols.find("latitude") is None:
        return False
    if cols.find("date") is None and cols.find("datetime") is None and cols.find("time") is None:
        return False
    measures = ("frp", "confidence", "satellite")
    return any(cols.find(role) is not None for role in measures) or \
        cols.has_key("brightness", "brightti4", "brightti5", "brightt31")
