"""CSV and XLSX tables of points: coordinate columns found by name (经度/纬度, lon/lat, x/y), values in
degrees or DMS, text encodings detected."""

from __future__ import annotations

import codecs
import io
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np
import shapely
from pyproj import CRS as _ProjCRS

from ..errors import LayerImportError
from .crs_guess import _finite, _resolve_crs
from .encodings import _gdal_name, chosen_codec
from .parsing import header_key, parse_degrees
from .target import _FORMAT_BY_SUFFIX, SourceInfo, _layer_error, _listing, _Target
from .zips import check_archive

if TYPE_CHECKING:
    import geopandas
    import pandas as pd
else:
    from ..lazy import gpd as geopandas
    from ..lazy import pd


def _match_name(wanted: Any, names: Sequence[str]) -> Optional[str]:
    w = str(wanted)
    if w in names:
        return w
    for cand in (w, Path(w).stem if Path(w).suffix.lower() in _FORMAT_BY_SUFFIX else w):
        folded = [n for n in names if n.casefold() == cand.casefold()]
        if len(folded) == 1:
            return folded[0]
    return None


_X_EXACT = ["longitude", "lon", "lng", "long", "经度", "中心经度", "中心点经度", "东经", "经度坐标", "gps经度",
            "x", "xcoord", "x坐标", "pointx", "坐标x", "横坐标"]


_Y_EXACT = ["latitude", "lat", "纬度", "中心纬度", "中心点纬度", "北纬", "纬度坐标", "gps纬度",
            "y", "ycoord", "y坐标", "pointy", "坐标y", "纵坐标"]


_X_PART = ("经度", "longitude")


_Y_PART = ("纬度", "latitude")


#: Units and datums written after a coordinate column's name (``经度°``, ``lon_deg``, ``x_wgs84``).
_COORD_UNITS = re.compile(r"(°|度数|degrees?|deg|dd|wgs84|cgcs2000)$")


def _norm_header(name: str) -> str:
    return header_key(name, _COORD_UNITS)


def _find_coord_columns(columns: list[str], x_field: Optional[str], y_field: Optional[str], label: str
                        ) -> tuple[Optional[str], Optional[str], list[str]]:
    """(x column, y column, notes); None where nothing matches."""
    notes: list[str] = []
    for given, what in ((x_field, "x_field"), (y_field, "y_field")):
        if given is not None and given not in columns:
            stripped = [c for c in columns if c.strip() == str(given).strip()]
            if len(stripped) != 1:
                err = LayerImportError(f"{label} has no column {given!r} (given as {what}); its columns are "
                                       f"{_listing(columns)}.")
                err.fields = list(columns)  # type: ignore[attr-defined]
                raise err

    def resolve(given: Optional[str]) -> Optional[str]:
        if given is None:
            return None
        return given if given in columns else next(c for c in columns if c.strip() == str(given).strip())

    def pick(exact: list[str], partial: tuple[str, ...], avoid: Optional[str]) -> Optional[str]:
        normed = {c: _norm_header(c) for c in columns if c != avoid}
        for want in exact:
            hits = [c for c, n in normed.items() if n == want]
            if hits:
                return hits[0]
        hits = [c for c, n in normed.items() if any(p in n for p in partial)]
        return hits[0] if len(hits) >= 1 else None

    x = resolve(x_field)
    y = resolve(y_field)
    if x is None:
        x = pick(_X_EXACT, _X_PART, y)
    if y is None:
        y = pick(_Y_EXACT, _Y_PART, x)
    if x is not None and y is not None and (x_field is None or y_field is None):
        others = [c for c in columns if c not in (x, y) and
                  (_norm_header(c) in _X_EXACT + _Y_EXACT or any(p in _norm_header(c) for p in _X_PART + _Y_PART))]
        if others:
            notes.append(f"{label}: coordinates read from columns {x!r} and {y!r} (other candidates: "
                         f"{_listing(others)}); choose others with x_field/y_field.")
    return x, y, notes


def _arrow_coordinates(values: pd.Series) -> Optional[np.ndarray]:
    """Floats (NaN for blanks) of a column of Arrow text whose every other cell Arrow reads as a finite decimal
    number; None for anything else (text with degrees, NaN, Infinity, cells that are not text), which then takes
    :func:`_coordinates`' general path and its messages.  A million FIRMS rows: a tenth of pandas' time."""
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(values.array.__arrow_array__())
    if text.null_count:
        return None
    try:
        out = pc.cast(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    floats = np.array(out.to_numpy(zero_copy_only=False), dtype=float)  # a writable copy; blanks NaN
    blank = np.asarray(pc.is_null(out).to_numpy(zero_copy_only=False), dtype=bool)
    return floats if np.isfinite(floats[~blank]).all() else None


def _coordinates(values: pd.Series, column: str, label: str, rows: np.ndarray, row_word: str) -> np.ndarray:
    """Floats (NaN for blanks); raise naming the row and column of the first unreadable value."""
    fast = _arrow_coordinates(values)
    if fast is not None:
        return fast
    s = values.astype(str).str.strip()
    blank = (s == "").to_numpy()
    out = np.array(pd.to_numeric(s.where(~blank, None), errors="coerce"), dtype=float)  # a writable copy
    bad = np.nonzero(~blank & ~np.isfinite(out))[0]
    for i in bad:
        v = parse_degrees(s.iloc[i])
        if v is None:
            raise LayerImportError(f"{label}: {row_word} {int(rows[i])}, column {column!r}: {s.iloc[i]!r} is not a "
                                   "coordinate (expected decimal degrees such as 116.3975, or 116°23′51″); correct "
                                   "it or clear the cell.")
        out[i] = v
    return out


def _detect_text_encoding(data: bytes, label: str, encoding: Optional[str]) -> tuple[str, str, str, list[str]]:
    """(text, encoding name, encoding_source, notes) for a CSV file's bytes."""
    notes: list[str] = []
    if encoding is not None:
        codec = chosen_codec(label, encoding, "GB18030, UTF-8 or Big5")
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        try:
            return data.decode(codec), _gdal_name(codec), "user", notes
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise LayerImportError(f"{label} does not decode as {_gdal_name(codec)} (the encoding you chose): "
                                   f"line {line} has bytes it cannot read. Choose another encoding, or leave it "
                                   "empty to detect it.") from e
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8", "detected", notes
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise LayerImportError(f"{label} starts with a UTF-8 marker but line {line} is not UTF-8; save it again "
                                   "as 'CSV UTF-8' and retry.") from e
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16", "detected", notes
        except UnicodeDecodeError as e:
            raise LayerImportError(f"{label} looks like UTF-16 text but does not decode as such; save it again as "
                                   "'CSV UTF-8' and retry.") from e
    try:
        return data.decode("utf-8"), "UTF-8", "detected", notes
    except UnicodeDecodeError as e:
        utf_error = e
    try:
        text = data.decode("gb18030")
        notes.append(f"{label} is not UTF-8; its text decodes as GB18030 (Chinese GBK/GB2312 and beyond): read as "
                     "GB18030.")
        return text, "GB18030", "detected", notes
    except UnicodeDecodeError:
        line = data[: utf_error.start].count(b"\n") + 1
        raise LayerImportError(f"{label} decodes neither as UTF-8 nor as GB18030 (line {line} first goes wrong); "
                               "save it again as 'CSV UTF-8', or choose its encoding (--encoding).") from utf_error


#: A line with nothing but blanks (the file's last line break aside).
_BLANK_LINE = re.compile(r"\n[ \t\r]*(?:\n|$)")


def _read_plain_csv(text: str, sep: str) -> Optional[pd.DataFrame]:
    """A plain table (no quotes, no blank lines, every row as wide as the header: a FIRMS download) read by
    Arrow's CSV reader straight into text columns, or None for anything else (read as before).

    A million FIRMS rows: Python's reader made thirteen million string objects and then Arrow strings of
    them; Arrow reads the text itself.  Row numbers are then the line numbers (the header is row 1).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as pacsv

    body = text.rstrip("\r\n")
    if '"' in body or _BLANK_LINE.search(body) or "\n" not in body:
        return None
    names = [c.strip() for c in body.split("\n", 1)[0].rstrip("\r").split(sep)]
    if len(set(names)) != len(names) or not all(names):
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=sep, quote_char=False, newlines_in_values=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=[],
                                                 strings_can_be_null=False))
    except (pa.ArrowInvalid, ValueError):
        return None
    if table.num_rows:
        blank = None
        for col in table.columns:
            empty = pc.equal(pc.utf8_trim_whitespace(col), "")
            blank = empty if blank is None else pc.and_(blank, empty)
        if pc.any(blank).as_py():  # a row of empty cells: the usual reader drops it and keeps the numbering
            return None
    text_type = pd.StringDtype("pyarrow", na_value=np.nan)
    return table.to_pandas(types_mapper=lambda t: text_type if t == pa.string() else None)


def _read_csv_table(t: _Target, encoding: Optional[str], max_rows: Optional[int]
                    ) -> tuple[pd.DataFrame, str, str, list[str]]:
    try:
        data = t.path.read_bytes()
    except OSError as e:
        raise LayerImportError(f"{t.label} could not be read: {e}") from e
    text, enc, enc_source, notes = _detect_text_encoding(data, t.label, encoding)
    del data
    first_line = text.split("\n", 1)[0]
    if t.path.suffix.lower() == ".tsv":
        sep = "\t"
    else:
        counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
        sep = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    if not text.strip():
        return pd.DataFrame(), enc, enc_source, notes
    fast = _read_plain_csv(text, sep) if max_rows is None else None
    if fast is not None:
        fast.attrs["rows"] = np.arange(2, len(fast) + 2)
        return fast, enc, enc_source, notes
    try:
        # Blank lines are read too (and dropped below), so every row keeps the number a spreadsheet
        # program shows for it: the header is row 1, a quoted cell over several lines is one row.
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                         nrows=max_rows, skipinitialspace=False, skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as e:
        raise LayerImportError(f"{t.label} is not a well-formed table: {e}. Open it in Excel or WPS, check the rows "
                               "named, and save it again as CSV.") from e
    df.columns = [str(c).strip() for c in df.columns]
    rows = np.arange(2, len(df) + 2)
    if len(df.columns):
        blank = (df.apply(lambda col: col.str.strip() == "") if len(df) else df.astype(bool)).all(axis=1).to_numpy()
        df = df.loc[~blank].reset_index(drop=True)
        rows = rows[~blank]
    df.attrs["rows"] = rows
    return df, enc, enc_source, notes


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if hasattr(v, "isoformat"):
        text = v.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text.replace("T", " ")
    return str(v)


def _read_xlsx_table(t: _Target, layer: Optional[str], x_field: Optional[str], y_field: Optional[str],
                     max_rows: Optional[int]) -> tuple[pd.DataFrame, list[str], str, int, list[str]]:
    """(table, sheet names, chosen sheet, Excel row number of the first data row, notes)."""
    import openpyxl

    notes: list[str] = []
    check_archive(t.path, "Excel workbook")  # an .xlsx is a zip: the zip-bomb limits first
    try:
        wb = openpyxl.load_workbook(t.path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for damaged or foreign files
        raise LayerImportError(f"{t.label} could not be opened as an Excel workbook ({type(e).__name__}: {e}); save "
                               "it again as .xlsx from Excel or WPS.") from e
    try:
        sheets = list(wb.sheetnames)

        def rows_of(name: str, limit: Optional[int] = None) -> list[tuple]:
            out = []
            for row in wb[name].iter_rows(values_only=True):
                out.append(row)
                if limit is not None and len(out) >= limit:
                    break
            return out

        def header_at(rows: list[tuple]) -> Optional[int]:
            """Index of the header row: the first of the top 20 naming coordinate columns."""
            for i, row in enumerate(rows[:20]):
                cols = [_cell_text(v).strip() for v in row]
                if any(cols):
                    x, y, _ = _find_coord_columns([c for c in cols if c], x_field if x_field in cols else None,
                                                  y_field if y_field in cols else None, t.label)
                    if x is not None and y is not None:
                        return i
            return None

        if layer is not None:
            match = _match_name(layer, sheets)
            if match is None:
                raise _layer_error(f"{t.label} has no sheet {layer!r}; its sheets are {_listing(sheets)}. Choose "
                                   "one with --source-layer NAME.", sheets)
            sheet = match
        elif len(sheets) == 1:
            sheet = sheets[0]
        else:
            heads = {s: rows_of(s, 20) for s in sheets}
            used = [s for s in sheets if any(any(_cell_text(v).strip() for v in r) for r in heads[s])]
            with_coords = [s for s in used if header_at(heads[s]) is not None]
            if len(used) == 1:
                sheet = used[0]
            elif len(with_coords) == 1:
                sheet = with_coords[0]
                notes.append(f"{t.label}: read sheet {sheet!r}, the only one with coordinate columns.")
            else:
                raise _layer_error(f"{t.label} has {len(used)} sheets with data: {_listing(used)}; choose one with "
                                   "--source-layer NAME.", sheets)
        rows = rows_of(sheet, None if max_rows is None else max_rows + 21)
    finally:
        wb.close()
    nonblank = [i for i, r in enumerate(rows) if any(_cell_text(v).strip() for v in r)]
    if not nonblank:
        return pd.DataFrame(), sheets, sheet, 2, notes
    h = header_at(rows)
    if h is None:
        h = nonblank[0]
    elif h != nonblank[0]:
        notes.append(f"{t.label}: sheet {sheet!r} has its header on row {h + 1}; the rows above it were skipped.")
    header = [_cell_text(v).strip() for v in rows[h]]
    body = rows[h + 1:]
    width = max([len(header)] + [len(r) for r in body])
    # drop trailing columns with neither a header nor data
    used_cols = [j for j in range(width) if (j < len(header) and header[j]) or
                 any(j < len(r) and r[j] is not None and _cell_text(r[j]).strip() for r in body)]
    names: list[str] = []
    for j in used_cols:
        base = header[j] if j < len(header) and header[j] else f"column_{j + 1}"
        name, k = base, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    # trailing blank rows are not data
    while body and not any(_cell_text(v).strip() for v in body[-1]):
        body.pop()
    if max_rows is not None:
        body = body[:max_rows]
    data = {name: [_cell_text(r[j]) if j < len(r) else "" for r in body] for name, j in zip(names, used_cols)}
    df = pd.DataFrame(data, columns=names, dtype=str)
    df.attrs["rows"] = np.arange(h + 2, h + 2 + len(df))  # the row numbers Excel and WPS show
    return df, sheets, sheet, h + 2, notes


def _load_table(t: _Target, encoding: Optional[str], user_crs: Optional[_ProjCRS], x_field: Optional[str],
                y_field: Optional[str], max_features: Optional[int],
                assumed: Optional[tuple[_ProjCRS, str]] = None) -> tuple[SourceInfo, geopandas.GeoDataFrame]:
    notes = t.notes
    if t.fmt == "csv":
        df, enc, enc_source, more = _read_csv_table(t, encoding, max_features)
        layers = [t.path.stem]
        layer = t.path.stem
        if t.layer is not None and _match_name(t.layer, layers) is None:
            raise _layer_error(f"{t.label} is a single table, {layer!r}; it has no layer {t.layer!r}.", layers)
        first_row, row_word = 2, "row"
    else:
        if encoding is not None:
            notes.append(f"XLSX text is always Unicode; the encoding {encoding!r} was not used.")
        df, layers, layer, first_row, more = _read_xlsx_table(t, t.layer, x_field, y_field, max_features)
        enc, enc_source, row_word = None, "utf-8", "row"
        row_word = f"sheet {layer!r} row"
    notes.extend(more)
    columns = [str(c) for c in df.columns]
    x_col, y_col, more = _find_coord_columns(columns, x_field, y_field, t.label)
    notes.extend(more)
    if x_col is None or y_col is None:
        missing = "longitude (x)" if x_col is None else "latitude (y)"
        err = LayerImportError(
            f"{t.label}: no {missing} column found among {_listing(columns) or 'no columns'}. "
            "Name the columns 经度/纬度 (or longitude/latitude), or choose them with x_field/y_field.")
        err.fields = columns  # type: ignore[attr-defined]
        raise err
    if x_col == y_col:
        raise LayerImportError(f"{t.label}: the same column {x_col!r} was chosen for x and y; choose two columns.")
    rows = np.asarray(df.attrs.get("rows", np.arange(first_row, first_row + len(df))))
    xs = _coordinates(df[x_col], x_col, t.label, rows, row_word)
    ys = _coordinates(df[y_col], y_col, t.label, rows, row_word)
    one_missing = np.nonzero(np.isnan(xs) != np.isnan(ys))[0]
    if len(one_missing):
        i = int(one_missing[0])
        col = x_col if np.isnan(xs[i]) else y_col
        raise LayerImportError(f"{t.label}: {row_word} {int(rows[i])} has a value in only one coordinate column "
                               f"({col!r} is empty); fill it or clear both.")
    has = ~np.isnan(xs)
    if (~has).any():
        notes.append(f"{t.label}: {int((~has).sum()):,} rows have no coordinates; they are kept without a location.")
    bounds = _finite((xs[has].min(), ys[has].min(), xs[has].max(), ys[has].max())) if has.any() else None
    swap_hint = f" (swap the headers of columns {x_col!r} and {y_col!r} in the file)"
    crs_text, crs_source = _resolve_crs(t.label, None, "file", bounds, user_crs, notes,
                                        missing_why=" (tables carry none)", swap_hint=swap_hint, assumed=assumed)
    geoms = np.full(len(df), None, dtype=object)
    if has.any():
        geoms[has] = shapely.points(xs[has], ys[has])
    geom_name = "geometry"
    while geom_name in df.columns:
        geom_name = "_" + geom_name
    series = geopandas.GeoSeries(geoms, index=df.index)
    if geom_name == "geometry":
        frame = geopandas.GeoDataFrame(df, geometry=series, crs=crs_text)
    else:
        frame = geopandas.GeoDataFrame(df.assign(**{geom_name: series}), geometry=geom_name, crs=crs_text)
    frame.attrs["rows"] = rows
    info = SourceInfo(path=t.user_path, format=t.fmt, layers=list(layers), layer=layer, feature_count=len(df),
                      geometry_type="Point", fields=columns, encoding=enc, encoding_source=enc_source,
                      crs=crs_text, crs_source=crs_source, notes=notes)
    return info, frame
