"""What the findings panel and dialogs share: code titles in cells, photo lists, the photo picker and viewer."""

from __future__ import annotations

import datetime as _dt
import html
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QDate, QIODevice, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTableWidgetItem,
    QWidget,
)

from ...app.store import Edit, queries
from ...errors import GridWatchError
from ...photos import Photo, describe_flags, read_photo
from ...times import BEIJING
from .. import i18n
from ..session import error_label
from ..widgets import fill, named

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

#: The loop's actions in the order their buttons appear.
FINDING_ACTIONS = ("assign", "rectify", "verify", "reject", "close")


#: Item data role holding a finding's (column 0 of the table) or a photo's uuid.
UUID_ROLE = Qt.ItemDataRole.UserRole


#: Item data role holding the value a table column sorts by.
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


RED = QColor("#c62828")


_ERROR_STYLE = "color: #c62828;"


_WARN = "⚠"


_IMAGE_PATTERNS = "*.jpg *.jpeg *.png *.webp *.tif *.tiff *.bmp *.gif *.JPG *.JPEG *.PNG"


#: What an inspection kind usually finds: the category preselected when recording under a task.
_KIND_CATEGORY = {"coal_ban": "scattered_coal", "fire_check": "open_burning",
                  "construction_dust": "construction_dust", "fireworks": "fireworks", "mine": "mine_dust"}


#: Finding columns the history leaves out (locations, bookkeeping, blobs, stamps shown as the time).
_HISTORY_SKIP = {"fid", "uuid", "geom", "updated_at", "found_at", "rectified_at", "verified_at", "closed_at",
                 "inspection_uuid", "data", "thumbnail", "sha256", "mime_type", "created_at"}


#: Finding columns the history shows for a newly recorded finding.
_CREATE_SHOWN = ("status", "category", "severity", "description", "rectify_deadline", "responsible_party",
                 "location_note")


_PEOPLE_COLUMNS = {"found_by", "assigned_by", "rectified_by", "verified_by", "closed_by", "added_by"}


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        if value is pd.NA or value is pd.NaT:
            return True
    except TypeError:  # pragma: no cover
        pass
    return isinstance(value, str) and not value.strip()


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value)


def _int(value: Any, default: int = 0) -> int:
    try:
        return default if _blank(value) else int(value)
    except (TypeError, ValueError):
        return default


def _float(value: Any) -> Optional[float]:
    try:
        return None if _blank(value) else float(value)
    except (TypeError, ValueError):
        return None


def _esc(value: Any) -> str:
    """User text for a rich-text label: escaped, line breaks kept."""
    return html.escape(_text(value)).replace("\n", "<br>")


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _serious(flags: Iterable[str]) -> list[str]:
    """Flags a supervisor must look at (far from the cell, outside the task time); not the no_* ones."""
    return [f for f in flags if f and not f.startswith("no_")]


def _split_flags(value: Any) -> list[str]:
    return [f for f in _text(value).split(",") if f]


def _thumbnail_icon(data: Any, size: int = 128) -> QIcon:
    pm = QPixmap()
    if data is not None and not _blank(data):
        pm.loadFromData(bytes(data))
    if pm.isNull():
        pm = QPixmap(size, size)
        pm.fill(QColor("#dddddd"))
    return QIcon(pm)


def cell_geometry(path: Optional[Path], cell_code: str) -> Any:
    """The grid cell's polygon (lon/lat) read from the project, or None."""
    return queries.cell_geometry(path, cell_code) if path is not None else None


def _to_date(value: Any) -> Optional[_dt.date]:
    text = _text(value)[:10]
    try:
        return _dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _qdate(d: _dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _changes(edit: Edit, finding_uuid: str) -> bool:
    """Whether ``edit`` writes the finding ``finding_uuid``."""
    return any(c.table == "finding" and c.uuid == finding_uuid for c in edit.changes)


class _SortItem(QTableWidgetItem):
    """A table cell that sorts by its :data:`SORT_ROLE` value (times, numbers) rather than its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:  # type: ignore[override]
        a, b = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if a is None or b is None:
            return super().__lt__(other)
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)


def _photo_caption_item(caption: str, tooltip: str, thumbnail: Any, flagged: bool) -> QListWidgetItem:
    item = QListWidgetItem(_thumbnail_icon(thumbnail), caption + (f" {_WARN}" if flagged else ""))
    item.setToolTip(tooltip)
    if flagged:
        item.setForeground(QBrush(RED))
    return item


def _photo_list(name: str) -> QListWidget:
    lst = QListWidget()
    lst.setObjectName(name)
    lst.setViewMode(QListWidget.ViewMode.IconMode)
    lst.setIconSize(QSize(128, 128))
    lst.setGridSize(QSize(150, 170))
    lst.setResizeMode(QListWidget.ResizeMode.Adjust)
    lst.setMovement(QListWidget.Movement.Static)
    lst.setWordWrap(True)
    lst.setMinimumHeight(180)
    return lst


class _PhotoPicker:
    """Shared by the dialogs that take photos: read files, keep :class:`Photo` objects, show them.

    Its texts use the translation context ``FindingPhotos`` (``self.tr`` would look them up under
    each dialog's class name, which lupdate cannot know for a mixin).
    """

    photos: list[Photo]
    photo_flags_list: list[list[str]]

    def _init_photos(self, list_name: str, error_name: str, button_name: str) -> None:
        self.photos = []
        self.photo_flags_list = []
        self.photo_list = _photo_list(list_name)
        self.photo_error = error_label(error_name)
        self.add_photos_button = QPushButton()
        self.add_photos_button.setObjectName(button_name)
        self.add_photos_button.clicked.connect(self.choose_photos)

    # overridden by the dialogs
    def _flags_for(self, photo: Photo) -> list[str]:
        return []

    def _photos_changed(self) -> None:
        pass

    def choose_photos(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self,  # type: ignore[arg-type]
            QCoreApplication.translate("FindingPhotos", "Add photos"),
            "",
            QCoreApplication.translate("FindingPhotos", "Images") + f" ({_IMAGE_PATTERNS})",
        )
        if paths:
            self.add_photos(paths)

    def add_photos(self, paths: Iterable[str | Path]) -> list[Photo]:
        """Read ``paths`` as photos and add them; files that cannot be read are named in the error label.

        Returns the photos added.
        """
        added: list[Photo] = []
        errors: list[str] = []
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            for p in paths:
                try:
                    photo = read_photo(p)
                except GridWatchError as exc:
                    errors.append(i18n.error_text(exc))
                    continue
                if any(q.sha256 == photo.sha256 for q in self.photos):
                    errors.append(QCoreApplication.translate("FindingPhotos", "%s: this photo is already added")
                                  % photo.filename)
                    continue
                flags = self._flags_for(photo)
                self.photos.append(photo)
                self.photo_flags_list.append(flags)
                added.append(photo)
                self.photo_list.addItem(self._photo_item(photo, flags))
        finally:
            QApplication.restoreOverrideCursor()
        self.photo_error.setText("\n".join(errors))
        self.photo_error.setVisible(bool(errors))
        self._photos_changed()
        return added

    def remove_selected_photos(self) -> None:
        rows = sorted((self.photo_list.row(i) for i in self.photo_list.selectedItems()), reverse=True)
        for r in rows:
            self.photo_list.takeItem(r)
            del self.photos[r]
            del self.photo_flags_list[r]
        self._photos_changed()

    def _photo_item(self, photo: Photo, flags: list[str]) -> QListWidgetItem:
        if photo.taken_at is not None:
            local = photo.taken_at.astimezone(BEIJING)
            when, taken = local.strftime("%m-%d %H:%M"), local.strftime("%Y-%m-%d %H:%M:%S")
        else:
            when = QCoreApplication.translate("FindingPhotos", "no time")
            taken = QCoreApplication.translate("FindingPhotos", "unknown")
        tip = [photo.filename, QCoreApplication.translate("FindingPhotos", "Taken: %s") % taken]
        if photo.has_position:
            tip.append(QCoreApplication.translate("FindingPhotos", "Position: %.6f, %.6f")
                       % (photo.longitude, photo.latitude))
        else:
            tip.append(QCoreApplication.translate("FindingPhotos", "Position: unknown"))
        if flags:
            tip.append(describe_flags(flags))
        return _photo_caption_item(when, "\n".join(tip), photo.thumbnail, bool(_serious(flags)))


class PhotoViewer(QDialog):
    """One photo at full resolution, scaled to fit the window."""

    def __init__(self, data: bytes, caption: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoViewer")
        buf = QBuffer()
        buf.setData(QByteArray(bytes(data)))
        buf.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buf)
        reader.setAutoTransform(True)  # EXIF orientation, as the thumbnail has it
        image = reader.read()
        buf.close()
        self.pixmap = QPixmap.fromImage(image)
        self.image = named(QLabel(), "photoViewerImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(200, 150)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.caption = named(QLabel(caption), "photoViewerCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        fill(self, (self.image, 1), self.caption)
        self.setWindowTitle(caption.splitlines()[0] if caption else "")
        if self.pixmap.isNull():
            self.image.setText(self.tr("This photo cannot be shown."))
        screen = QGuiApplication.primaryScreen()
        avail = screen.availableGeometry().size() * 0.8 if screen is not None else QSize(1000, 750)
        size = self.pixmap.size() if not self.pixmap.isNull() else QSize(400, 300)
        size = size.scaled(avail, Qt.AspectRatioMode.KeepAspectRatio) if (
            size.width() > avail.width() or size.height() > avail.height()) else size
        self.resize(max(size.width(), 300), max(size.height() + 60, 240))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._rescale()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if not self.pixmap.isNull():
            self.image.setPixmap(self.pixmap.scaled(self.image.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                    Qt.TransformationMode.SmoothTransformation))
