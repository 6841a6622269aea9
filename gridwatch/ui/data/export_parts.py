"""Parts of the export dialog: its exports and formats, list widgets, the scaled preview image, worker bookkeeping."""

from __future__ import annotations

import logging
from typing import Any, Optional

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListWidget,
    QSizePolicy,
    QWidget,
)

from ..jobs import jobs_running

log = logging.getLogger("gridwatch.ui")


#: The exports, in the order of the list on the left.
KINDS = ("map", "html", "ledger", "coverage", "ranking")


#: File suffixes each export writes (the first is the default).
FORMATS: dict[str, tuple[str, ...]] = {
    "map": (".pdf", ".png"),
    "html": (".html",),
    "ledger": (".xlsx", ".csv"),
    "coverage": (".xlsx", ".csv"),
    "ranking": (".xlsx", ".csv"),
}


#: Resolution of the map preview (an A4 page is about 500 x 700 pixels).
PREVIEW_DPI = 60


#: Rows of a table shown in the preview.
PREVIEW_ROWS = 50


#: Pause after the last option change before the preview is refreshed.
PREVIEW_DELAY_MS = 400


#: QSettings keys.
FOLDER_KEY = "export/folder"


KIND_KEY = "export/kind"


_ERROR_STYLE = "color: #c62828;"


_OK_STYLE = "color: #2e7d32;"


_FILTERS = {".pdf": "PDF (*.pdf)", ".png": "PNG (*.png)", ".html": "HTML (*.html *.htm)",
            ".xlsx": "Excel (*.xlsx)", ".csv": "CSV (*.csv)"}


#: Part of the default file name per export (the files are Chinese documents).
_FILE_WORDS = {"map": "网格化环境监管图", "atlas": "乡镇图集", "html": "交互式地图", "ledger": "整改台账",
               "coverage": "巡查覆盖率", "ranking": "考核排名"}


def workers_running() -> bool:
    """True while any export-dialog preview or export is still running (tests wait for this)."""
    return jobs_running("export-preview") or any(jobs_running("export-" + k) for k in KINDS)


class _ScaledImage(QLabel):
    """A label showing a pixmap scaled to fit (aspect kept), rescaled when resized."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)

    def set_image(self, pixmap: QPixmap) -> None:
        self._pixmap = pixmap
        self._rescale()

    def image(self) -> QPixmap:
        return self._pixmap

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap.isNull():
            self.setPixmap(QPixmap())
            return
        size = self.size() - QSize(8, 8)
        self.setPixmap(self._pixmap.scaled(size, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))


def _check_list() -> QListWidget:
    lst = QListWidget()
    lst.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    lst.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    return lst


def _fit_height(lst: QListWidget) -> None:
    """Make a short check list exactly as tall as its items (no scroll bar, no empty space)."""
    rows = lst.count()
    row = max(18, lst.sizeHintForRow(0)) if rows else 18
    lst.setFixedHeight(min(rows, 10) * (row + 2 * lst.spacing()) + 2 * lst.frameWidth() + 4)


def _checked(lst: QListWidget) -> list[str]:
    return [lst.item(i).data(Qt.ItemDataRole.UserRole) for i in range(lst.count())
            if lst.item(i).checkState() == Qt.CheckState.Checked]


def _set_checked(lst: QListWidget, keys: Any) -> None:
    keys = set(keys)
    lst.blockSignals(True)
    for i in range(lst.count()):
        item = lst.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in keys
                           else Qt.CheckState.Unchecked)
    lst.blockSignals(False)


def _size_text(n: float) -> str:
    if n >= 2 ** 20:
        return f"{n / 2 ** 20:.1f} MB"
    return f"{max(1, round(n / 1024))} KB"
