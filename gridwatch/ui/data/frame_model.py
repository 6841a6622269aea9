"""A pandas frame as a Qt table model: formatting, sorting and filtering a million rows with numpy."""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

HeaderFor = Callable[[str], str]


#: Shown for True in boolean columns; False and missing values show nothing.
CHECK_MARK = "✓"


_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


_CENTER = int(Qt.AlignmentFlag.AlignCenter)


_DISPLAY = Qt.ItemDataRole.DisplayRole


_ALIGN = Qt.ItemDataRole.TextAlignmentRole


_TOOLTIP = Qt.ItemDataRole.ToolTipRole


#: Characters a datetime or date text can contain; other needles cannot match those columns.
_DATETIME_CHARS = re.compile(r"[0-9:\- ]+")


#: Cell text longer than this gets the full text as a tooltip (the column may elide it).
_TOOLTIP_MIN_CHARS = 24


def _is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA: the values shown as an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


def format_float(value: float) -> str:
    """Shortest text that round-trips, rounded to 6 decimals: 1500.0 -> '1500', 0.1 -> '0.1'.

    Very small and very large magnitudes fall back to 6 significant digits so that 1e-9 does not
    read as '0'.
    """
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    magnitude = abs(value)
    if magnitude != 0.0 and (magnitude < 1e-4 or magnitude >= 1e15):
        return f"{value:.6g}"
    return np.format_float_positional(value, precision=6, unique=True, trim="-")


def format_value(value: Any) -> str:
    """Display text of any single value, used for cells of mixed (object) columns and tooltips.

    Datetimes read 'YYYY-MM-DD HH:MM:SS' in their own time zone (UTC values stay UTC), dates are
    ISO, booleans a check mark or nothing, missing values nothing.
    """
    if _is_missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return CHECK_MARK if value else ""
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return format_float(float(value))
    if isinstance(value, np.datetime64):
        return str(np.datetime_as_string(value.astype("datetime64[s]"), unit="s")).replace("T", " ")
    if isinstance(value, _dt.datetime):  # includes pd.Timestamp; before date: datetime is a date
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return str(value)


def _argsort(key: pd.Series, ascending: bool) -> np.ndarray:
    """Stable order of ``key`` (positions), missing values last in both directions."""
    key = key.reset_index(drop=True)
    ordered = key.sort_values(ascending=ascending, kind="stable", na_position="last")
    return ordered.index.to_numpy(dtype=np.intp)


class _Column:
    """One shown column: how to format a cell, sort the column and search it, decided once.

    ``kind`` is one of text, int, float, bool, datetime, date or object (anything else, formatted
    value by value).  The per-kind choice keeps cell formatting cheap and lets sorting and
    filtering run as single vectorised calls.
    """

    __slots__ = ("name", "kind", "series", "values", "tz", "_search_text", "_iso")

    def __init__(self, name: str, series: pd.Series) -> None:
        self.name = name
        self.tz: Optional[str] = None
        self._search_text: Optional[pd.Series] = None
        self._iso: Optional[np.ndarray] = None
        series = series.reset_index(drop=True)
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            series = series.astype(object)
            dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            self.kind = "bool"
        elif pd.api.types.is_integer_dtype(dtype):
            self.kind = "int"
        elif pd.api.types.is_float_dtype(dtype):
            self.kind = "float"
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            self.kind = "datetime"
            tz = getattr(dtype, "tz", None)
            wall = series
            if tz is not None:
                self.tz = str(tz)
                # Wall-clock time in the column's own zone: UTC values are shown in UTC.
                wall = series.dt.tz_localize(None)
            self.values = wall.to_numpy().astype("datetime64[s]")
            self.series = series  # full precision, sorts by instant
            return
        elif isinstance(dtype, pd.StringDtype):
            self.kind = "text"
        elif dtype == object:  # noqa: E721 - numpy's object dtype compares equal to the type
            inferred = pd.api.types.infer_dtype(series, skipna=True)
            if inferred in ("string", "empty"):
                self.kind = "text"
                series = series.astype("str")
            elif inferred == "date":
                try:
                    self.values = series.to_numpy(dtype="datetime64[D]")
                    self.kind = "date"
                    self.series = pd.Series(self.values)
                    return
                except (TypeError, ValueError):
                    self.kind = "object"
            else:
                self.kind = "object"
        else:
            self.kind = "object"
        self.series = series
        # numpy arrays index fastest; extension arrays (str, nullable ints) are read cell by cell.
        numpy_backed = isinstance(series.dtype, np.dtype)
        self.values = series.to_numpy() if numpy_backed else series.array

    # -- cells -------------------------------------------------------------------------------

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "float")

    def text(self, pos: int) -> str:
        """Display text of the cell at frame position ``pos``."""
        value = self.values[pos]
        kind = self.kind
        if kind == "text":
            return value if isinstance(value, str) else ""
        if kind == "datetime":
            if np.isnat(value):
                return ""
            return str(np.datetime_as_string(value, unit="s")).replace("T", " ")
        if kind == "date":
            return "" if np.isnat(value) else str(np.datetime_as_string(value, unit="D"))
        return format_value(value)

    # -- sorting -----------------------------------------------------------------------------

    def order(self, ascending: bool) -> np.ndarray:
        """Frame positions sorted by this column (stable, missing values last)."""
        if self.kind == "object":
            try:
                return _argsort(self.series, ascending)
            except TypeError:  # mixed types that do not compare: sort what the user reads
                return _argsort(self._display_strings(), ascending)
        return _argsort(self.series, ascending)

    # -- searching ---------------------------------------------------------------------------

    def matches(self, needle: str, number: Optional[float]) -> Optional[np.ndarray]:
        """Boolean mask of rows whose cell matches ``needle``, or None when none can.

        Text matches case-insensitively as a substring.  Numbers match when they equal the typed
        number as displayed (six decimals); datetimes and dates as a substring of their text.
        """
        kind = self.kind
        if kind == "text":
            return self.series.str.contains(needle, case=False, regex=False, na=False) \
                .to_numpy(dtype=bool, na_value=False)
        if kind in ("int", "float"):
            if number is None:
                return None
            if kind == "int":
                if not float(number).is_integer():
                    return None
                hit = self.series == int(number)
            else:
                values = self.series.to_numpy(dtype="float64", na_value=np.nan)
                return np.isclose(values, number, rtol=1e-12, atol=5e-7)
            return hit.to_numpy(dtype=bool, na_value=False)
        if kind == "bool":
            if needle != CHECK_MARK:
                return None
            return self.series.to_numpy(dtype=bool, na_value=False)
        if kind in ("datetime", "date"):
            if not _DATETIME_CHARS.fullmatch(needle):
                return None
            if self._iso is None:
                # ISO text differs from the display text only by 'T' for ' ' at position 10.
                unit = "s" if kind == "datetime" else "D"
                self._iso = np.datetime_as_string(self.values, unit=unit)
            found = np.strings.find(self._iso, needle.replace(" ", "T")) >= 0
            return found & ~np.isnat(self.values)
        return self._display_strings().str.contains(needle, case=False, regex=False, na=False) \
            .to_numpy(dtype=bool, na_value=False)

    def _display_strings(self) -> pd.Series:
        """Display text of every cell of a mixed column, built once on first search or sort.

        This is the one per-row Python loop; it only runs for object columns that are neither
        text nor dates, which GridWatch layers do not have.
        """
        if self._search_text is None:
            self._search_text = pd.Series([format_value(v) for v in self.series], dtype="str")
        return self._search_text


def _sorted_unique(values: np.ndarray, size: int) -> np.ndarray:
    """Sorted distinct values of ``values`` (all in ``range(size)``) via a mask: O(size).

    Faster than np.unique (a sort or hash) for the large selections of a million-row table.
    """
    mask = np.zeros(size, dtype=bool)
    mask[np.asarray(values, dtype=np.intp)] = True
    return np.flatnonzero(mask)


def _parse_number(text: str) -> Optional[float]:
    """The number typed in the filter box, if it is one (finite)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _geometry_columns(frame: pd.DataFrame) -> list[str]:
    """Columns holding geometries: never shown (drawn on the map instead)."""
    names = [c for c in frame.columns if getattr(frame[c].dtype, "name", "") == "geometry"]
    active = getattr(frame, "_geometry_column_name", None)
    for candidate in (active, "geometry"):
        if candidate is not None and candidate in frame.columns and candidate not in names:
            names.append(candidate)
    return names


class FrameTableModel(QAbstractTableModel):
    """Read-only table model over a DataFrame, sorted and filtered by rebuilding an index array.

    ``_rows[view_row]`` is the frame position shown at ``view_row``; ``_inverse`` maps back
    (-1 for rows hidden by the filter).  The frame itself is never copied or reordered.
    """

    def __init__(self, frame: Optional[pd.DataFrame] = None, header_for: Optional[HeaderFor] = None,
                 parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self._columns: list[_Column] = []
        self._headers: list[str] = []
        self._header_for: Optional[HeaderFor] = None
        self._n = 0
        self._order = np.zeros(0, dtype=np.intp)
        self._mask: Optional[np.ndarray] = None
        self._rows = np.zeros(0, dtype=np.intp)
        self._row_count = 0
        self._inverse = np.zeros(0, dtype=np.intp)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter_text = ""
        self._uuid_index: Optional[pd.Index] = None
        self._uuid_column: Optional[_Column] = None
        if frame is not None:
            self.set_frame(frame, header_for)
        else:  # empty until a frame is set: no data frame made (pandas is imported when a table first fills)
            self._header_for = header_for

    # -- content -----------------------------------------------------------------------------

    def set_frame(self, frame: pd.DataFrame, header_for: Optional[HeaderFor] = None, *,
                  sort_column: int = -1, sort_order: Qt.SortOrder = Qt.SortOrder.AscendingOrder,
                  filter_text: str = "", hidden: Sequence[str] = ()) -> None:
        """Show ``frame`` (geometry columns and ``hidden`` ones left out), optionally sorted and
        filtered, in one reset.  A hidden ``uuid`` column still ties rows to features."""
        self.beginResetModel()
        try:
            left_out = set(_geometry_columns(frame)) | set(hidden)
            shown = [c for c in frame.columns if c not in left_out]
            self._columns = [_Column(str(c), frame[c]) for c in shown]
            self._header_for = header_for
            self._headers = self._make_headers()
            self._n = len(frame)
            self._uuid_index = None
            self._uuid_column = next((c for c in self._columns if c.name == "uuid"), None)
            if self._uuid_column is None and "uuid" in frame.columns:
                self._uuid_column = _Column("uuid", frame["uuid"])
            self._mask = None
            self._filter_text = ""
            self._sort_column, self._sort_order = -1, Qt.SortOrder.AscendingOrder
            self._order = np.arange(self._n, dtype=np.intp)
            if 0 <= sort_column < len(self._columns):
                self._sort_column, self._sort_order = sort_column, sort_order
                self._order = self._columns[sort_column].order(sort_order == Qt.SortOrder.AscendingOrder)
            self._filter_text, self._mask = self._compute_mask(filter_text)
            self._rebuild_rows()
        finally:
            self.endResetModel()

    def set_header_for(self, header_for: Optional[HeaderFor]) -> None:
        """Change how field names become column headings (e.g. on a language change)."""
        self._header_for = header_for
        self.refresh_headers()

    def refresh_headers(self) -> None:
        """Ask ``header_for`` again: its answer may depend on the current language."""
        self._headers = self._make_headers()
        if self._columns:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._columns) - 1)

    def _make_headers(self) -> list[str]:
        labels = []
        for column in self._columns:
            label = column.name
            if self._header_for is not None:
                try:
                    label = str(self._header_for(column.name))
                except LookupError:  # a column the layer spec does not describe: show its name
                    label = column.name
            labels.append(label)
        return labels

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self._columns]

    @property
    def has_uuid(self) -> bool:
        """Whether rows carry a feature ``uuid`` (shown or not)."""
        return self._uuid_column is not None

    @property
    def total_count(self) -> int:
        """Rows in the frame, shown or not."""
        return self._n

    @property
    def filter_text(self) -> str:
        return self._filter_text

    @property
    def sort_column(self) -> int:
        """Column the view is sorted by, -1 for frame order."""
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    # -- Qt model interface ------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        # Qt calls this from C++ for every index it builds: keep it to a cached int.
        return 0 if parent.isValid() else self._row_count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < self._row_count and 0 <= col < len(self._columns)):
            return None
        column = self._columns[col]
        if role == _DISPLAY:
            return column.text(int(self._rows[row]))
        if role == _ALIGN:
            if column.numeric:
                return _RIGHT
            if column.kind == "bool":
                return _CENTER
            return None
        if role == _TOOLTIP:
            text = column.text(int(self._rows[row]))
            if column.kind == "datetime" and text and column.tz is not None:
                return f"{text} ({column.tz})"
            return text if len(text) >= _TOOLTIP_MIN_CHARS else None
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._columns):
                return None
            if role == _DISPLAY:
                return self._headers[section]
            if role == _TOOLTIP:
                return self._columns[section].name
            return None
        if role == _DISPLAY and 0 <= section < self._row_count:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Stable sort by ``column`` (missing values last); -1 restores frame order.

        Emits layoutAboutToBeChanged/layoutChanged and moves persistent indexes so the view keeps
        its selection and current cell on the same features.
        """
        if not 0 <= column < len(self._columns):
            column, order = -1, Qt.SortOrder.AscendingOrder
        if column == self._sort_column and order == self._sort_order:
            return
        # PySide6 exposes only the argument-less overloads (no VerticalSortHint).
        self.layoutAboutToBeChanged.emit()
        old_persistent = self.persistentIndexList()
        old_positions = self._positions_of_indexes(old_persistent)
        if column < 0:
            self._order = np.arange(self._n, dtype=np.intp)
        else:
            self._order = self._columns[column].order(order == Qt.SortOrder.AscendingOrder)
        self._sort_column, self._sort_order = column, order
        self._rebuild_rows()
        if old_persistent:
            new_rows = self._inverse[old_positions].tolist()
            # createIndex, not index(): no rowCount/columnCount round trips into Python.
            new_indexes = [self.createIndex(r, i.column()) if r >= 0 else QModelIndex()
                           for r, i in zip(new_rows, old_persistent)]
            self.changePersistentIndexList(old_persistent, new_indexes)
        self.layoutChanged.emit()

    def _positions_of_indexes(self, indexes: Sequence[QModelIndex]) -> np.ndarray:
        rows = np.fromiter((i.row() for i in indexes), dtype=np.intp, count=len(indexes))
        return self._rows[rows] if rows.size else rows

    # -- filtering ---------------------------------------------------------------------------

    def set_filter(self, text: str) -> None:
        """Show only rows where some column's text contains ``text`` (case-insensitive).

        Empty text shows every row.  The current sort order is kept.  Numbers match when equal to
        the typed number.  Resets the model: callers restore the selection afterwards.
        """
        text, mask = self._compute_mask(text)
        if text == self._filter_text:
            return
        self.beginResetModel()
        self._filter_text, self._mask = text, mask
        self._rebuild_rows()
        self.endResetModel()

    def filter_mask(self, text: str) -> tuple[str, Optional[np.ndarray]]:
        """``(needle, mask)`` of the rows ``text`` keeps; reads the columns only, so a worker may run it."""
        return self._compute_mask(text)

    def set_filter_mask(self, text: str, mask: Optional[np.ndarray]) -> None:
        """Show the rows of a mask :meth:`filter_mask` computed (elsewhere) for ``text``."""
        if text == self._filter_text or (mask is not None and len(mask) != self._n):
            return
        self.beginResetModel()
        self._filter_text, self._mask = text, mask
        self._rebuild_rows()
        self.endResetModel()

    def _compute_mask(self, text: str) -> tuple[str, Optional[np.ndarray]]:
        needle = text.strip()
        if not needle:
            return "", None
        number = _parse_number(needle)
        mask = np.zeros(self._n, dtype=bool)
        for column in self._columns:
            hit = column.matches(needle, number)
            if hit is not None:
                mask |= hit
        return needle, mask

    def _rebuild_rows(self) -> None:
        order = self._order
        self._rows = order if self._mask is None else order[self._mask[order]]
        self._inverse = np.full(self._n, -1, dtype=np.intp)
        self._inverse[self._rows] = np.arange(self._rows.size, dtype=np.intp)
        self._row_count = int(self._rows.size)

    # -- positions and uuids -----------------------------------------------------------------

    def position_of_row(self, view_row: int) -> int:
        """Frame position (0-based, as in ``frame.iloc``) of the row shown at ``view_row``."""
        return int(self._rows[view_row])

    def view_row_of_position(self, pos: int) -> int:
        """View row showing frame position ``pos``, or -1 when the filter hides it."""
        if not 0 <= pos < self._n:
            return -1
        return int(self._inverse[pos])

    def positions_of_rows(self, view_rows: np.ndarray) -> np.ndarray:
        """Frame positions of many view rows at once."""
        return self._rows[np.asarray(view_rows, dtype=np.intp)]

    def view_rows_of_positions(self, positions: np.ndarray) -> np.ndarray:
        """Sorted view rows showing ``positions``; hidden positions are dropped."""
        rows = self._inverse[np.asarray(positions, dtype=np.intp)]
        return _sorted_unique(rows[rows >= 0], self._row_count)

    def row_selection(self, view_rows: np.ndarray) -> QItemSelection:
        """Whole-row selection of sorted, unique ``view_rows``: one range per run of rows."""
        selection = QItemSelection()
        rows = np.asarray(view_rows, dtype=np.intp)
        last_column = len(self._columns) - 1
        if rows.size == 0 or last_column < 0:
            return selection
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        starts = rows[np.concatenate(([0], breaks))].tolist()
        ends = rows[np.concatenate((breaks - 1, [rows.size - 1]))].tolist()
        create = self.createIndex
        for start, end in zip(starts, ends):
            selection.select(create(start, 0), create(end, last_column))
        return selection

    def uuid_at(self, view_row: int) -> str:
        """The ``uuid`` of the feature shown at ``view_row``."""
        return self._require_uuid().text(self.position_of_row(view_row))

    def uuids_of_positions(self, positions: np.ndarray) -> list[str]:
        """``uuid`` values of frame positions, in the given order."""
        column = self._require_uuid()
        values = column.series.take(np.asarray(positions, dtype=np.intp))
        return values.fillna("").astype(object).tolist()

    def positions_of_uuids(self, uuids: Sequence[str]) -> np.ndarray:
        """Frame positions of ``uuids``; unknown uuids are ignored."""
        column = self._require_uuid()
        if len(uuids) == 0 or self._n == 0:
            return np.zeros(0, dtype=np.intp)
        if self._uuid_index is None:
            self._uuid_index = pd.Index(column.series)
        if self._uuid_index.is_unique:
            found = self._uuid_index.get_indexer(pd.Index(list(uuids), dtype=column.series.dtype))
            return _sorted_unique(found[found >= 0], self._n)
        return np.flatnonzero(column.series.isin(list(uuids)).to_numpy(dtype=bool, na_value=False))

    def _require_uuid(self) -> _Column:
        if self._uuid_column is None:
            raise KeyError("this table has no 'uuid' column")
        return self._uuid_column
