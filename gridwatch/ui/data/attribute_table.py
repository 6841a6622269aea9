"""Attribute table: a sortable, filterable view of one layer's rows, synced with the map selection.

Layers can hold a million rows (the stress district's fire points), so nothing here touches rows
one by one in Python except the few cells Qt actually paints:

* :class:`FrameTableModel` keeps the frame untouched and shows it through ``_rows``, a numpy array
  of frame positions in view order.  Sorting is one stable pandas/numpy argsort of the column,
  filtering one vectorised ``str.contains`` per text column; both only rebuild ``_rows``.
  ``QSortFilterProxyModel`` is deliberately not used: its C++ sort calls back into Python for
  every comparison, which takes minutes on a million rows.
* :class:`AttributeTableDock` wraps the model in a dock with a filter box and a count, and turns
  table selections into lists of feature ``uuid`` values (and back) so the map and the table can
  share one selection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np
from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QLocale,
    QObject,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QWidget,
)

from ..jobs import Job, queue, run_job
from ..widgets import fill, named, retranslate_safely
from .frame_model import FrameTableModel, HeaderFor, _geometry_columns, _sorted_unique, format_value

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

#: One filter at a time, in order (a newer text supersedes the one running).
_FILTER_POOL = queue("filter")

__all__ = ["FrameTableModel", "AttributeTableDock", "format_value"]


class AttributeTableDock(QDockWidget):
    """Dock showing one layer's attribute table with a filter box, kept in sync with the map.

    The selection is exchanged as uuid lists: :attr:`selectionChangedByUser` reports what the
    user selects in the table, :meth:`select_uuids` shows a selection made elsewhere.  The dock
    remembers the last selection it was given or reported, so a filter that hides selected rows
    and is then cleared shows them selected again.
    """

    #: (layer name, uuids of the selected rows in view order), only for user actions.
    selectionChangedByUser = Signal(str, list)

    #: Frames at least this long are filtered after a pause in typing, not on every key.
    DEBOUNCE_ROWS = 200_000
    DEBOUNCE_MS = 300
    #: Frames at least this long are filtered on a worker thread (the window keeps answering).
    OFF_THREAD_ROWS = 50_000

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("attributeTableDock")
        self._layer = ""
        self._title = ""
        self._applying = False
        self._sticky = np.zeros(0, dtype=np.intp)  # frame positions of the shared selection

        self._model = FrameTableModel(parent=self)

        self._filter = named(QLineEdit(), "attributeFilter")
        self._filter.setClearButtonEnabled(True)
        self._count = named(QLabel(), "attributeCount")
        self._count.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._show_ids = named(QCheckBox(), "attributeShowIds")
        self._show_ids.toggled.connect(lambda _on: self._reshow())
        self._frame: Optional[pd.DataFrame] = None
        self._header_for: Optional[HeaderFor] = None
        self._ids: tuple[str, ...] = ()
        self._filter_job: Optional[Job] = None

        view = named(QTableView(), "attributeView")
        view.setModel(self._model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # QTableView has no setUniformRowHeights; fixed-size rows are its equivalent: every row
        # one line high and no row ever measured, however many there are.
        row_height = view.fontMetrics().height() + 6
        vheader = view.verticalHeader()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(row_height)
        vheader.setMinimumSectionSize(row_height)
        hheader = view.horizontalHeader()
        hheader.setDefaultSectionSize(120)
        hheader.setMaximumSectionSize(360)
        hheader.setResizeContentsPrecision(200)
        hheader.setHighlightSections(False)
        hheader.setSortIndicatorClearable(True)  # third click returns to frame order
        hheader.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        view.setSortingEnabled(True)
        self._view = view

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self._filter, 1)
        top.addWidget(self._count)
        top.addWidget(self._show_ids)
        body = QWidget()
        fill(body, top, (view, 1), margins=4)
        self.setWidget(body)

        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.timeout.connect(self._apply_filter)
        self._filter.textChanged.connect(self._on_filter_text_changed)
        self._filter.returnPressed.connect(self._apply_filter)
        view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._model.modelReset.connect(self._update_count)
        self.retranslate()

    # -- public API --------------------------------------------------------------------------

    @property
    def model(self) -> FrameTableModel:
        return self._model

    @property
    def view(self) -> QTableView:
        return self._view

    @property
    def layer_name(self) -> str:
        """Name of the layer shown, '' before :meth:`set_layer`."""
        return self._layer

    def set_layer(self, layer_name: str, frame: pd.DataFrame, header_for: Optional[HeaderFor] = None,
                  *, title: Optional[str] = None, ids: Sequence[str] = ("uuid",)) -> None:
        """Show ``frame`` as layer ``layer_name``; its ``ids`` columns (uuids) only when the user asks.

        Showing the same layer again (its data changed) keeps the filter, the sort and the
        selected features; another layer starts unfiltered, unsorted and unselected.
        """
        self._frame, self._header_for = frame, header_for
        self._ids = tuple(c for c in ids if c in frame.columns)
        self._show_ids.setVisible(bool(self._ids))
        hidden_ids = () if self._show_ids.isChecked() else self._ids
        same = layer_name == self._layer
        selected = self._model.uuids_of_positions(self._sticky) if same and self._sticky.size else []
        sort_column, sort_order = -1, Qt.SortOrder.AscendingOrder
        if same and self._model.sort_column >= 0:
            name = self._model.column_names[self._model.sort_column]
            hidden = set(_geometry_columns(frame)) | set(hidden_ids)
            shown = [str(c) for c in frame.columns if c not in hidden]
            if name in shown:
                sort_column, sort_order = shown.index(name), self._model.sort_order
        filter_text = self._filter.text() if same else ""

        self._filter_timer.stop()
        self._layer = layer_name
        self._title = title if title is not None else layer_name
        self._sticky = np.zeros(0, dtype=np.intp)
        self._applying = True
        try:
            self._cancel_filter_job()
            self._model.set_frame(frame, header_for, sort_column=sort_column, sort_order=sort_order,
                                  filter_text=filter_text, hidden=hidden_ids)
            with _SignalsBlocked(self._filter):
                self._filter.setText(filter_text)
            with _SignalsBlocked(self._view.horizontalHeader()):
                self._view.horizontalHeader().setSortIndicator(sort_column, sort_order)
        finally:
            self._applying = False
        self._view.resizeColumnsToContents()
        self._view.scrollToTop()
        self.retranslate()
        if selected:
            self._select_positions(self._model.positions_of_uuids(selected), scroll=True)

    def _reshow(self) -> None:
        """The ids were shown or hidden: the same layer again (filter, sort and selection kept)."""
        if self._frame is not None and self._layer:
            self.set_layer(self._layer, self._frame, self._header_for, title=self._title, ids=self._ids)

    @Slot(str, list)
    def select_uuids(self, layer_name: str, uuids: list[str]) -> None:
        """Select the rows of ``uuids`` (a selection made elsewhere, e.g. on the map).

        Ignored unless ``layer_name`` is the layer shown.  Does not emit
        :attr:`selectionChangedByUser`.  Rows hidden by the filter are selected once visible.
        """
        if layer_name != self._layer or not self._layer:
            return
        positions = self._model.positions_of_uuids(uuids) if self._model.has_uuid \
            else np.zeros(0, dtype=np.intp)
        self._select_positions(positions, scroll=True)

    def selected_uuids(self) -> list[str]:
        """uuids of the rows selected in the table, in view order."""
        return self._model.uuids_of_positions(self._model.positions_of_rows(self._selected_view_rows()))

    def set_filter_text(self, text: str) -> None:
        """Filter now (as if typed and Enter pressed)."""
        with _SignalsBlocked(self._filter):
            self._filter.setText(text)
        self._apply_filter()

    def retranslate(self) -> None:
        """Reset every translatable text; called on a language change."""
        title = self.tr("Attribute table")
        self.setWindowTitle(f"{title} — {self._title}" if self._title else title)
        self._filter.setPlaceholderText(self.tr("Filter…"))
        self._filter.setToolTip(self.tr("Show only rows containing this text in any column"))
        self._show_ids.setText(self.tr("Show IDs"))
        self._show_ids.setToolTip(self.tr("Show the internal identifiers (UUIDs) of the rows"))
        self._model.refresh_headers()
        self._update_count()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # -- filtering ---------------------------------------------------------------------------

    def _on_filter_text_changed(self, _text: str) -> None:
        if self._model.total_count >= self.DEBOUNCE_ROWS:
            self._filter_timer.start(self.DEBOUNCE_MS)
        else:
            self._apply_filter()

    def _apply_filter(self) -> None:
        """Filter, then select again the remembered selection's rows that are still shown.

        A big table (a district's fire points) is filtered on a worker: the count says "Filtering…"
        and the window keeps answering; a newer text supersedes a running filter."""
        self._filter_timer.stop()
        text = self._filter.text()
        if text.strip() == self._model.filter_text:
            self._cancel_filter_job()
            self._update_count()
            return
        if self._model.total_count >= self.OFF_THREAD_ROWS:
            self._cancel_filter_job()
            model = self._model
            self._filter_job = run_job(lambda _progress, _cancel: model.filter_mask(text), "filter",
                                       succeeded=self._on_filtered, executor=_FILTER_POOL, tag=text)
            self._count.setText(self.tr("Filtering…"))
            return
        self._show_filtered(text.strip(), None)

    def _on_filtered(self, job: Job, result: tuple[str, Optional[np.ndarray]]) -> None:
        if job is not self._filter_job:
            return  # superseded by newer text or another layer
        self._filter_job = None
        needle, mask = result
        if needle != self._filter.text().strip():
            return
        self._show_filtered(needle, mask, computed=True)

    def _show_filtered(self, needle: str, mask: Optional[np.ndarray], computed: bool = False) -> None:
        self._applying = True
        try:
            if computed:
                self._model.set_filter_mask(needle, mask)
            else:
                self._model.set_filter(needle)
        finally:
            self._applying = False
        self._select_positions(self._sticky, scroll=True)
        self._update_count()

    def _cancel_filter_job(self) -> None:
        if self._filter_job is not None:
            self._filter_job.cancel()
            self._filter_job = None

    @property
    def filtering(self) -> bool:
        """A filter is being computed on a worker."""
        return self._filter_job is not None

    def _update_count(self) -> None:
        shown, total = self._model.rowCount(), self._model.total_count
        if self._model.filter_text:
            locale = QLocale()
            text = self.tr("{shown} of {total} features").format(
                shown=locale.toString(shown), total=locale.toString(total))
        else:
            text = self.tr("%Ln feature(s)", "", total)
        self._count.setText(text)

    # -- selection ---------------------------------------------------------------------------

    def _selected_view_rows(self) -> np.ndarray:
        """Selected view rows, sorted, from the selection's ranges (not one index per cell)."""
        selection = self._view.selectionModel().selection()
        mask = np.zeros(self._model.rowCount(), dtype=bool)
        for i in range(selection.count()):
            span = selection.at(i)
            if span.isValid():
                mask[span.top():span.bottom() + 1] = True
        return np.flatnonzero(mask)

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._applying or not self._layer:
            return
        positions = self._model.positions_of_rows(self._selected_view_rows())
        self._sticky = _sorted_unique(positions, self._model.total_count)
        self.selectionChangedByUser.emit(self._layer, self._model.uuids_of_positions(positions)
                                         if self._model.has_uuid else [])

    def _select_positions(self, positions: np.ndarray, *, scroll: bool) -> None:
        """Select the shown rows among frame ``positions`` as one selection of row runs."""
        self._sticky = _sorted_unique(positions, self._model.total_count)
        model = self._model
        rows = model.view_rows_of_positions(self._sticky)
        selection = model.row_selection(rows)
        last_column = model.columnCount() - 1
        selection_model = self._view.selectionModel()
        # No Rows flag: the ranges already span whole rows, and Qt expands Rows selections with a
        # quadratic duplicate check (seconds for 20,000 scattered rows).
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self._applying = True
        try:
            selection_model.select(selection, flags)
            if rows.size and last_column >= 0:
                first = model.index(int(rows[0]), max(self._view.currentIndex().column(), 0))
                selection_model.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
                if scroll:
                    self._view.scrollTo(first)
        finally:
            self._applying = False


class _SignalsBlocked:
    """Context manager blocking a QObject's signals (a programmatic change is not user input)."""

    def __init__(self, obj: QObject) -> None:
        self._obj = obj
        self._was = False

    def __enter__(self) -> QObject:
        self._was = self._obj.blockSignals(True)
        return self._obj

    def __exit__(self, *exc: object) -> None:
        self._obj.blockSignals(self._was)
