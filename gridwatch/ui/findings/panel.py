"""Findings (问题): the list with filters, one finding's details, photos and history, the loop's
steps (交办 assign, 整改 rectify, 核查 verify, 驳回 reject, 销号 close) and recording a new one.

Everything here reads the project read-only on the GUI thread (short queries) and writes only
through :meth:`WorkflowController.run <gridwatch.ui.session.WorkflowController.run>`, which
applies the edit on a worker thread and puts it on the undo stack.  Dialogs stay open until the
edit is applied, so nothing the user typed is lost when the core refuses it; the refusal is
shown inside the dialog.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from pathlib import Path
from typing import Any, Iterable, Optional

import pandas as pd
import shapely
from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QDate, QEvent, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.policy import Action
from ...domain.vocabulary import (
    CATEGORY_TITLES,
    FINDING_ACTION_TITLES,
    FINDING_STATUS_TITLES,
    KIND_TITLES,
    SEVERITY_TITLES,
    title,
)
from ...errors import GridWatchError
from ...photos import Photo, describe_flags, photo_flags, read_photo
from ...storage import queries
from ...storage.edits import Edit
from ...storage.schema import FINDING_CATEGORIES, FINDING_STATUSES
from ...storage.workflow import change_finding, edit_finding, record_finding
from ...times import BEIJING
from ...times import beijing_text as beijing
from ...times import parse_stored_time as parse_time
from .. import i18n
from ..session import PendingEdit, error_label
from ..texts import field_title

__all__ = [
    "FindingsPanel",
    "FindingActionDialog",
    "FindingDialog",
    "FindingEditDialog",
    "PhotoViewer",
    "FINDING_ACTIONS",
    "UUID_ROLE",
]

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


# --------------------------------------------------------------------------------------------
# small helpers


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


# --------------------------------------------------------------------------------------------
# reading photos in dialogs


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


# --------------------------------------------------------------------------------------------
# photo viewer


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
        self.image = QLabel()
        self.image.setObjectName("photoViewerImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(200, 150)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.caption = QLabel(caption)
        self.caption.setObjectName("photoViewerCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        lay = QVBoxLayout(self)
        lay.addWidget(self.image, 1)
        lay.addWidget(self.caption)
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


# --------------------------------------------------------------------------------------------
# one step of the loop


class FindingActionDialog(QDialog, _PhotoPicker):
    """Take one step of a finding's loop: what the step needs, then OK runs ``change_finding``.

    The dialog stays open until the controller reports the edit applied (it then accepts) or
    refused (the message is shown in ``actionError`` and OK is enabled again).
    """

    def __init__(self, controller: Any, finding: dict[str, Any], action: str,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        if action not in FINDING_ACTIONS:
            raise ValueError(f"unknown finding action {action!r}")
        self.setObjectName("findingActionDialog")
        self.controller = controller
        self.finding = dict(finding)
        self.uuid = str(finding["uuid"])
        self.action = action
        self._cell = None

        self.summary = QLabel()
        self.summary.setObjectName("actionSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        form = QFormLayout()
        self.labels: dict[str, QLabel] = {}
        self.deadline: Optional[QDateEdit] = None
        self.party: Optional[QLineEdit] = None
        self.note: Optional[QPlainTextEdit] = None
        self.reason: Optional[QPlainTextEdit] = None
        self.confirm: Optional[QLabel] = None
        self.remove_photo_button: Optional[QPushButton] = None

        if action == "assign":
            self.deadline = QDateEdit()
            self.deadline.setObjectName("actionDeadline")
            self.deadline.setCalendarPopup(True)
            self.deadline.setDisplayFormat("yyyy-MM-dd")
            known = _to_date(finding.get("rectify_deadline"))
            self.deadline.setDate(_qdate(known) if known else QDate.currentDate().addDays(7))
            self.party = QLineEdit(_text(finding.get("responsible_party")))
            self.party.setObjectName("actionParty")
            self.party.textChanged.connect(self._update_ok)
            form.addRow(self._label("deadline"), self.deadline)
            form.addRow(self._label("party"), self.party)
        elif action == "rectify":
            self.note = self._text_box("actionNote")
            self._init_photos("actionPhotos", "actionError", "actionAddPhotos")
            self._cell = cell_geometry(controller.path, _text(finding.get("cell_code")))
            self.remove_photo_button = QPushButton()
            self.remove_photo_button.setObjectName("actionRemovePhoto")
            self.remove_photo_button.clicked.connect(self.remove_selected_photos)
            form.addRow(self._label("note"), self.note)
            row = QHBoxLayout()
            row.addWidget(self.add_photos_button)
            row.addWidget(self.remove_photo_button)
            row.addStretch(1)
            form.addRow(self._label("photos"), row)
            form.addRow(self.photo_list)
        elif action == "verify":
            self.note = self._text_box("actionNote")
            form.addRow(self._label("note"), self.note)
        elif action == "reject":
            self.reason = self._text_box("actionReason")
            form.addRow(self._label("reason"), self.reason)
        else:
            self.confirm = QLabel()
            self.confirm.setObjectName("actionConfirm")
            self.confirm.setWordWrap(True)
            form.addRow(self.confirm)
        if action != "rectify":
            self.photo_error = error_label("actionError")
        self._waiting = PendingEdit(controller, self,
                                    lambda edit: edit.action == self.action and _changes(edit, self.uuid),
                                    self.photo_error, self._update_ok)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("actionButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addLayout(form)
        lay.addWidget(self.photo_error)
        lay.addWidget(self.buttons)
        self.resize(480, 420 if action == "rectify" else 240)
        self.retranslate()
        self._update_ok()

    def _label(self, key: str) -> QLabel:
        label = QLabel()
        self.labels[key] = label
        return label

    def _text_box(self, name: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setObjectName(name)
        box.setTabChangesFocus(True)
        box.setMinimumHeight(70)
        box.textChanged.connect(self._update_ok)
        return box

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate(self) -> None:
        titles = {"assign": self.tr("Assign for rectification"), "rectify": self.tr("Record rectification"),
                  "verify": self.tr("Verify"), "reject": self.tr("Reject"), "close": self.tr("Close")}
        lang = i18n.current()
        self.setWindowTitle(titles[self.action])
        place = " · ".join(x for x in (_text(self.finding.get("township_name")),
                                       _text(self.finding.get("village_name")),
                                       _text(self.finding.get("cell_name")) or _text(self.finding.get("cell_code")))
                           if x)
        self.summary.setText(" · ".join(x for x in (title(CATEGORY_TITLES, self.finding.get("category"), lang),
                                                    title(FINDING_STATUS_TITLES, self.finding.get("status"), lang),
                                                    place) if x)
                             + ("\n" + _short(_text(self.finding.get("description")), 120)
                                if _text(self.finding.get("description")) else ""))
        texts = {"deadline": self.tr("Rectification deadline"), "party": self.tr("Responsible party"),
                 "note": self.tr("Verification note") if self.action == "verify" else self.tr("What was done"),
                 "photos": self.tr("Photos after rectification"), "reason": self.tr("Reason for rejecting")}
        for key, label in self.labels.items():
            label.setText(texts[key])
        if self.party is not None:
            self.party.setPlaceholderText(self.tr("Company, household or office that must rectify"))
        if self.action == "rectify":
            self.add_photos_button.setText(self.tr("Add photos…"))
            assert self.remove_photo_button is not None
            self.remove_photo_button.setText(self.tr("Remove photo"))
            assert self.note is not None
            self.note.setPlaceholderText(self.tr("What was done to rectify the problem"))
        if self.reason is not None:
            self.reason.setPlaceholderText(self.tr("Why the rectification is not accepted"))
        if self.confirm is not None:
            self.confirm.setText(self.tr("Close this finding? Closed findings can no longer be changed."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- photos (rectify) ------------------------------------------------------------------------
    def _flags_for(self, photo: Photo) -> list[str]:
        now = _dt.datetime.now(_dt.timezone.utc)
        return photo_flags(photo, cell=self._cell, window=(now - _dt.timedelta(days=60), now))

    def _photos_changed(self) -> None:
        self._update_ok()

    # --- OK -------------------------------------------------------------------------------------
    def is_complete(self) -> bool:
        """Whether what this step needs is filled in."""
        if self.action == "assign":
            return bool(self.party is not None and self.party.text().strip())
        if self.action == "rectify":
            return bool(self.note is not None and self.note.toPlainText().strip() and self.photos)
        if self.action == "verify":
            return bool(self.note is not None and self.note.toPlainText().strip())
        if self.action == "reject":
            return bool(self.reason is not None and self.reason.toPlainText().strip())
        return True

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self.is_complete() and not self._waiting.active)

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``change_finding`` for what is filled in."""
        if self.action == "assign":
            assert self.deadline is not None and self.party is not None
            return {"rectify_deadline": self.deadline.date().toPython(),
                    "responsible_party": self.party.text().strip()}
        if self.action == "rectify":
            assert self.note is not None
            return {"note": self.note.toPlainText().strip(), "after_photos": list(self.photos)}
        if self.action == "verify":
            assert self.note is not None
            return {"note": self.note.toPlainText().strip()}
        if self.action == "reject":
            assert self.reason is not None
            return {"reason": self.reason.toPlainText().strip()}
        return {}

    def accept(self) -> None:
        """OK: run the step; the dialog closes once the controller reports it applied."""
        self.submit()

    def submit(self) -> None:
        if not self.is_complete() or self._waiting.active:
            return
        self._waiting.start()
        self._update_ok()
        self.photo_error.hide()
        self.controller.run(change_finding, self.uuid, self.action, **self.arguments())


# --------------------------------------------------------------------------------------------
# the panel


class FindingsPanel(QDockWidget):
    """Findings of the open project: filters, table, the selected finding's details, photos,
    history and the loop steps the current user may take."""

    zoomToFinding = Signal(float, float)  # longitude, latitude (double-click a row)
    findingSelected = Signal(str)  # uuid

    COLUMNS = ("found", "status", "category", "severity", "township", "village", "cell", "party", "deadline",
               "photos")

    def __init__(self, controller: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingDock")
        self.controller = controller
        self.frame = pd.DataFrame()
        self.dialog: Optional[FindingActionDialog] = None
        self.viewer: Optional[PhotoViewer] = None
        self._townships_of: Optional[Path] = None
        self._current: Optional[str] = None
        self._row: Optional[dict[str, Any]] = None
        self._history = pd.DataFrame()
        self._attachments = pd.DataFrame()

        # filters
        self.category_filter = QComboBox()
        self.category_filter.setObjectName("findingCategoryFilter")
        self.category_filter.addItem("", None)
        for code in FINDING_CATEGORIES:
            self.category_filter.addItem("", code)
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("findingStatusFilter")
        self.status_filter.addItem("", None)
        for code in FINDING_STATUSES:
            self.status_filter.addItem("", code)
        self.township_filter = QComboBox()
        self.township_filter.setObjectName("findingTownshipFilter")
        self.township_filter.addItem("", None)
        self.overdue_filter = QCheckBox()
        self.overdue_filter.setObjectName("findingOverdueFilter")
        for combo in (self.category_filter, self.status_filter, self.township_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.refresh)
        self.overdue_filter.toggled.connect(self.refresh)

        # table
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setObjectName("findingTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the query's order
        self.table.setSortingEnabled(True)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.cellDoubleClicked.connect(self._on_double_click)
        self.count = QLabel()
        self.count.setObjectName("findingCount")

        # actions
        self.action_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for a in FINDING_ACTIONS:
            b = QPushButton()
            b.setObjectName(f"findingAction_{a}")
            b.clicked.connect(lambda _=False, a=a: self.start_action(a))
            b.hide()
            self.action_buttons[a] = b
            actions.addWidget(b)
        self.edit_button = QPushButton()  # correct the details (FindingEditDialog)
        self.edit_button.setObjectName("findingEdit")
        self.edit_button.clicked.connect(lambda _=False: self.start_edit())
        self.edit_button.hide()
        self.edit_dialog: Optional[FindingEditDialog] = None
        actions.addWidget(self.edit_button)
        actions.addStretch(1)

        # details
        self.detail = QLabel()
        self.detail.setObjectName("findingDetail")
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.photos = _photo_list("findingPhotos")
        self.photos.itemDoubleClicked.connect(self._on_photo_double_click)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.detail)
        detail_box = QWidget()
        dl = QVBoxLayout(detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(scroll, 1)
        dl.addWidget(self.photos)
        self.history = QTreeWidget()
        self.history.setObjectName("findingHistory")
        self.history.setColumnCount(5)
        self.history.setRootIsDecorated(False)
        self.history.setWordWrap(True)
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("findingTabs")
        self.tabs.addTab(detail_box, "")
        self.tabs.addTab(self.history, "")

        filters = QHBoxLayout()
        self.filter_labels = [QLabel(), QLabel(), QLabel()]
        for label, combo in zip(self.filter_labels, (self.category_filter, self.status_filter,
                                                      self.township_filter)):
            filters.addWidget(label)
            filters.addWidget(combo)
        filters.addWidget(self.overdue_filter)
        filters.addStretch(1)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(filters)
        tl.addWidget(self.table, 1)
        tl.addWidget(self.count)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addLayout(actions)
        bl.addWidget(self.tabs, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.setObjectName("findingSplitter")
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)
        self.setWidget(box)

        controller.changed.connect(self._on_edit)
        controller.userChanged.connect(self.refresh)
        controller.busyChanged.connect(self._on_busy)
        self.retranslate()
        self.refresh()

    # --- texts -------------------------------------------------------------------------------------
    def action_text(self, action: str) -> str:
        return {"assign": self.tr("Assign for rectification"), "rectify": self.tr("Record rectification"),
                "verify": self.tr("Verify"), "reject": self.tr("Reject"), "close": self.tr("Close")}[action]

    def retranslate(self) -> None:
        lang = i18n.current()
        self.setWindowTitle(self.tr("Findings"))
        self.filter_labels[0].setText(self.tr("Category"))
        self.filter_labels[1].setText(self.tr("Status"))
        self.filter_labels[2].setText(self.tr("Township"))
        for combo, table in ((self.category_filter, CATEGORY_TITLES), (self.status_filter, FINDING_STATUS_TITLES)):
            combo.setItemText(0, self.tr("All"))
            for i in range(1, combo.count()):
                combo.setItemText(i, title(table, combo.itemData(i), lang))
        self.township_filter.setItemText(0, self.tr("All"))
        self.overdue_filter.setText(self.tr("Overdue only"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Found"), self.tr("Status"), self.tr("Category"), self.tr("Severity"), self.tr("Township"),
            self.tr("Village"), self.tr("Cell"), self.tr("Responsible party"), self.tr("Deadline"),
            self.tr("Photos")])
        self.history.setHeaderLabels([self.tr("Time"), self.tr("Who"), self.tr("Action"), self.tr("Changes"),
                                      self.tr("Details")])
        self.tabs.setTabText(0, self.tr("Details"))
        self.tabs.setTabText(1, self.tr("History"))
        for a, b in self.action_buttons.items():
            b.setText(self.action_text(a))
        self.edit_button.setText(self.tr("Edit…"))
        self.edit_button.setToolTip(self.tr("Correct the category, severity, description, party or deadline"))
        self._fill_table()
        self._show_details()

    # --- reading -------------------------------------------------------------------------------
    def _load_townships(self) -> None:
        path = self.controller.path
        if path == self._townships_of:
            return
        self._townships_of = path
        keep = self.township_filter.currentData()
        self.township_filter.blockSignals(True)
        while self.township_filter.count() > 1:
            self.township_filter.removeItem(1)
        if path is not None:
            try:
                rows = queries.townships(path)
            except Exception:  # noqa: BLE001 - a damaged project: no township filter rather than no panel
                rows = []
            for code, name in rows:
                self.township_filter.addItem(_text(name) or _text(code), code)
        i = self.township_filter.findData(keep) if keep is not None else 0
        self.township_filter.setCurrentIndex(max(i, 0))
        self.township_filter.blockSignals(False)

    def refresh(self) -> None:
        """Read the findings again (filters applied); keeps the selected finding when it is still listed."""
        self._load_townships()
        path = self.controller.path
        if path is None:
            self.frame = pd.DataFrame()
        else:
            self.frame = queries.findings(path, status=self.status_filter.currentData(),
                                          category=self.category_filter.currentData(),
                                          township=self.township_filter.currentData(),
                                          overdue_only=self.overdue_filter.isChecked())
        self._fill_table()
        self._on_selection(force=True)

    def _fill_table(self) -> None:
        lang = i18n.current()
        keep = self._current
        t = self.table
        t.blockSignals(True)
        sorting = t.isSortingEnabled()
        t.setSortingEnabled(False)
        t.clearContents()
        t.setRowCount(len(self.frame))
        for r, row in enumerate(self.frame.to_dict("records")):
            overdue = bool(row.get("overdue"))
            status = title(FINDING_STATUS_TITLES, row.get("status"), lang)
            if overdue:
                status += " · " + self.tr("overdue")
            found = parse_time(row.get("found_at"))
            photos = _int(row.get("photo_count"))
            flagged = _int(row.get("flagged_photos"))
            warn = flagged > 0 or bool(_text(row.get("location_note")))
            cells = [
                (found.astimezone(BEIJING).strftime("%m-%d %H:%M") if found else "",
                 _text(row.get("found_at"))),
                (status, (0 if overdue else 1, FINDING_STATUSES.index(row["status"])
                          if row.get("status") in FINDING_STATUSES else 9)),
                (title(CATEGORY_TITLES, row.get("category"), lang), None),
                (title(SEVERITY_TITLES, _int(row.get("severity"), 2), lang), _int(row.get("severity"))),
                (_text(row.get("township_name")), None),
                (_text(row.get("village_name")), None),
                (_text(row.get("cell_name")) or _text(row.get("cell_code")), None),
                (_text(row.get("responsible_party")), None),
                (_text(row.get("rectify_deadline")), _text(row.get("rectify_deadline")) or "9999"),
                (f"{photos} {_WARN}" if warn else str(photos), photos * 2 + (1 if warn else 0)),
            ]
            for c, (text, key) in enumerate(cells):
                item = _SortItem(text)
                if key is not None:
                    item.setData(SORT_ROLE, key)
                t.setItem(r, c, item)
            t.item(r, 0).setData(UUID_ROLE, row["uuid"])
            t.item(r, 0).setToolTip(beijing(row.get("found_at")))
            t.item(r, 6).setToolTip(_text(row.get("cell_code")))
            if overdue:
                t.item(r, 1).setForeground(QBrush(RED))
                t.item(r, 8).setForeground(QBrush(RED))
            if warn:
                t.item(r, 9).setForeground(QBrush(RED))
                tip = []
                if flagged:
                    tip.append(self.tr("%d photo(s) taken far from the cell or outside the task time") % flagged)
                if _text(row.get("location_note")):
                    tip.append(_text(row.get("location_note")))
                t.item(r, 9).setToolTip("\n".join(tip))
        t.setSortingEnabled(sorting)
        # keep the selection
        t.clearSelection()
        if keep is not None:
            r = self._row_of(keep)
            if r is not None:
                t.selectRow(r)
        t.blockSignals(False)
        n = len(self.frame)
        overdue_n = int(self.frame["overdue"].sum()) if n and "overdue" in self.frame else 0
        if n <= 2000:  # beyond that the user sizes columns; measuring every row would stall
            t.resizeColumnsToContents()
        if self.controller.path is None:
            self.count.setText(self.tr("No project open"))
        elif overdue_n:
            self.count.setText(self.tr("%n finding(s)", "", n) + ", " + self.tr("%n overdue", "", overdue_n))
        else:
            self.count.setText(self.tr("%n finding(s)", "", n))

    def _row_of(self, uuid: str) -> Optional[int]:
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.data(UUID_ROLE) == uuid:
                return r
        return None

    # --- selection ---------------------------------------------------------------------------------
    def select_finding(self, uuid: str) -> bool:
        """Select the finding ``uuid`` in the table (scrolled into view); False when it is not listed."""
        r = self._row_of(uuid)
        if r is None:
            return False
        self.table.selectRow(r)
        self.table.scrollToItem(self.table.item(r, 0))
        return True

    def selected_finding(self) -> Optional[dict[str, Any]]:
        """The selected finding: its list row with every column of its ``finding`` row; None if none."""
        return dict(self._row) if self._row is not None else None

    def _selected_uuid(self) -> Optional[str]:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return str(item.data(UUID_ROLE)) if item is not None else None

    def _on_selection(self, force: bool = False) -> None:
        uuid = self._selected_uuid()
        changed = uuid != self._current
        if not changed and not force:
            return
        self._current = uuid
        self._row = None
        if uuid is not None and len(self.frame):
            match = self.frame[self.frame["uuid"] == uuid]
            if len(match):
                row = match.iloc[0].to_dict()
                full = self._read_finding(uuid)
                for k, v in full.items():
                    if k != "geom" and k not in row:
                        row[k] = v
                self._row = row
        self._load_details()
        if changed and uuid is not None:
            self.findingSelected.emit(uuid)

    def _read_finding(self, uuid: str) -> dict[str, Any]:
        if self.controller.path is None:
            return {}
        return queries.finding_row(self.controller.path, uuid)

    def _load_details(self) -> None:
        path = self.controller.path
        if self._row is None or path is None:
            self._history = pd.DataFrame()
            self._attachments = pd.DataFrame()
        else:
            self._history = queries.history(path, self._row["uuid"])
            self._attachments = queries.attachments(path, self._row["uuid"])
        self._show_details()

    def _on_edit(self, edit: Edit) -> None:
        self.refresh()
        created = edit.created("finding") if edit is not None else []
        if created and edit.action == "create":
            self.select_finding(created[0])

    def _on_double_click(self, row: int, column: int) -> None:
        item = self.table.item(row, 0)
        if item is None:
            return
        match = self.frame[self.frame["uuid"] == item.data(UUID_ROLE)]
        if len(match):
            lon, lat = _float(match.iloc[0]["longitude"]), _float(match.iloc[0]["latitude"])
            if lon is not None and lat is not None:
                self.zoomToFinding.emit(lon, lat)

    # --- details -------------------------------------------------------------------------------------
    def _person(self, uuid: Any) -> str:
        people = self.controller.people
        if _blank(uuid) or people is None or not len(people):
            return _text(uuid)
        match = people[people["uuid"] == uuid]
        return _text(match.iloc[0]["name"]) if len(match) else _text(uuid)

    def _show_details(self) -> None:
        row = self._row
        self._show_actions()
        self.photos.clear()
        self.history.clear()
        if row is None:
            self.detail.setText(self.tr("Select a finding to see its details.") if len(self.frame)
                                else "")
            return
        self.detail.setText(self._detail_html(row))
        self._show_photos()
        self._show_history()

    def _detail_html(self, row: dict[str, Any]) -> str:
        lang = i18n.current()
        red = 'style="color:#c62828"'
        # tr() outside f-strings: lupdate does not see calls inside them
        overdue_text = html.escape(self.tr("overdue"))
        place_label = html.escape(self.tr("Place"))
        location_label = html.escape(self.tr("Location"))
        rejected_text = self.tr("rejected %d times")
        f = lambda col: html.escape(field_title("finding", col))  # noqa: E731
        status = html.escape(title(FINDING_STATUS_TITLES, row.get("status"), lang))
        if row.get("overdue"):
            status = f'<span {red}>{status} · {overdue_text}</span>'
        head = " · ".join([html.escape(title(CATEGORY_TITLES, row.get("category"), lang)),
                           html.escape(title(SEVERITY_TITLES, _int(row.get("severity"), 2), lang)), status])
        place = " / ".join(_esc(row.get(k)) for k in ("township_name", "village_name", "cell_name")
                           if _text(row.get(k)))
        lines = [f"<b>{head}</b>",
                 f"{place_label}: {place} ({_esc(row.get('cell_code'))})"]
        lon, lat = _float(row.get("longitude")), _float(row.get("latitude"))
        if lon is not None and lat is not None:
            lines.append(f"{location_label}: {lon:.6f}, {lat:.6f}")
        if _text(row.get("location_note")):
            lines.append(f'<span {red}>{_WARN} {_esc(row.get("location_note"))}</span>')
        lines.append(f"{f('found_by')}: {_esc(self._person(row.get('found_by')))} · "
                     f"{html.escape(beijing(row.get('found_at')))}")
        if _text(row.get("description")):
            lines.append(f"{f('description')}: {_esc(row.get('description'))}")
        if _text(row.get("responsible_party")):
            lines.append(f"{f('responsible_party')}: {_esc(row.get('responsible_party'))}")
        if _text(row.get("rectify_deadline")):
            deadline = _esc(row.get("rectify_deadline"))
            if row.get("overdue"):
                deadline = f'<span {red}>{deadline} ({overdue_text})</span>'
            lines.append(f"{f('rectify_deadline')}: {deadline}")
        if _text(row.get("assigned_by")):
            lines.append(f"{f('assigned_by')}: {_esc(self._person(row.get('assigned_by')))}")
        if _text(row.get("rectify_note")):
            who = _esc(self._person(row.get("rectified_by")))
            when = html.escape(beijing(row.get("rectified_at")))
            lines.append(f"{f('rectify_note')}: {_esc(row.get('rectify_note'))} ({who} {when})")
        if _text(row.get("reject_reason")):
            count = _int(row.get("reject_count"))
            lines.append(f'<span {red}>{f("reject_reason")}: {_esc(row.get("reject_reason"))}'
                         + (f" ({html.escape(rejected_text % count)})" if count > 1 else "")
                         + "</span>")
        if _text(row.get("verify_note")):
            who = _esc(self._person(row.get("verified_by")))
            when = html.escape(beijing(row.get("verified_at")))
            lines.append(f"{f('verify_note')}: {_esc(row.get('verify_note'))} ({who} {when})")
        if _text(row.get("closed_by")):
            lines.append(f"{f('closed_by')}: {_esc(self._person(row.get('closed_by')))} "
                         f"{html.escape(beijing(row.get('closed_at')))}")
        return "<br>".join(lines)

    def _on_busy(self, busy: bool) -> None:
        self._show_actions()

    def _show_actions(self) -> None:
        allowed = (self.controller.finding_actions(str(self._row["status"]), self._row)
                   if self._row is not None else [])
        busy = bool(getattr(self.controller, "busy", False))
        for a, b in self.action_buttons.items():
            b.setVisible(a in allowed)
            b.setEnabled(a in allowed and not busy)
        editable = self.may_edit(self._row)
        self.edit_button.setVisible(editable)
        self.edit_button.setEnabled(editable and not busy)

    def may_edit(self, row: Optional[dict[str, Any]]) -> bool:
        """Whether the current user may correct this finding (the core checks the same again)."""
        return row is not None and bool(self.controller.may(Action.EDIT_FINDING, row))

    def start_edit(self) -> Optional[FindingEditDialog]:
        """Open the correction dialog on the selected finding (non-blocking, kept as ``self.edit_dialog``)."""
        if not self.may_edit(self._row):
            return None
        assert self._row is not None
        if self.edit_dialog is not None:
            self.edit_dialog.deleteLater()
        self.edit_dialog = FindingEditDialog(self.controller, self._row, self)
        self.edit_dialog.open()
        return self.edit_dialog

    def _show_photos(self) -> None:
        lang_before = self.tr("Before", "photo taken before rectification (整改前)")
        lang_after = self.tr("After", "photo taken after rectification (整改后)")
        for row in self._attachments.to_dict("records"):
            flags = _split_flags(row.get("flags"))
            taken = beijing(row.get("taken_at"), "%m-%d %H:%M")
            caption = (lang_after if row.get("role") == "after" else lang_before) + (f" · {taken}" if taken else "")
            tip = [_text(row.get("filename")),
                   self.tr("Taken: %s") % (beijing(row.get("taken_at"), "%Y-%m-%d %H:%M:%S") or self.tr("unknown"))]
            lon, lat = _float(row.get("longitude")), _float(row.get("latitude"))
            tip.append(self.tr("Position: %.6f, %.6f") % (lon, lat) if lon is not None and lat is not None
                       else self.tr("Position: unknown"))
            if flags:
                tip.append(describe_flags(flags))
            item = _photo_caption_item(caption, "\n".join(tip), row.get("thumbnail"), bool(_serious(flags)))
            item.setData(UUID_ROLE, row["uuid"])
            self.photos.addItem(item)

    def _on_photo_double_click(self, item: QListWidgetItem) -> None:
        self.open_photo(str(item.data(UUID_ROLE)))

    def open_photo(self, attachment_uuid: str) -> Optional[PhotoViewer]:
        """Show one photo of the selected finding at full size (a non-blocking dialog, ``self.viewer``)."""
        if self.controller.path is None or self._row is None:
            return None
        frame = queries.attachments(self.controller.path, self._row["uuid"], with_data=True)
        match = frame[frame["uuid"] == attachment_uuid]
        if not len(match):
            return None
        row = match.iloc[0]
        caption = "\n".join(x for x in (
            _text(row["filename"]),
            beijing(row["taken_at"], "%Y-%m-%d %H:%M:%S"),
            describe_flags(_split_flags(row["flags"]))) if x)
        if self.viewer is not None:
            self.viewer.deleteLater()
        self.viewer = PhotoViewer(bytes(row["data"]), caption, self)
        self.viewer.open()
        return self.viewer

    def _history_value(self, col: str, value: Any) -> str:
        lang = i18n.current()
        if _blank(value):
            return ""
        if col == "status":
            return title(FINDING_STATUS_TITLES, value, lang)
        if col == "category":
            return title(CATEGORY_TITLES, value, lang)
        if col == "severity":
            return title(SEVERITY_TITLES, _int(value, 2), lang)
        if col in _PEOPLE_COLUMNS:
            return self._person(value)
        return _short(_text(value))

    def _finding_changes(self, old: dict[str, Any], new: dict[str, Any], created: bool) -> list[str]:
        out = []
        for col in (_CREATE_SHOWN if created else list(new or old)):
            if col in _HISTORY_SKIP or col in _PEOPLE_COLUMNS:  # who did it is in its own column
                continue
            a = self._history_value(col, old.get(col)) if not created else ""
            b = self._history_value(col, new.get(col))
            if created and not b:
                continue
            if a == b:
                continue
            label = field_title("finding", col)
            out.append(f"{label} {a} → {b}" if a else f"{label} → {b}")
        return out

    def _action_title(self, action: str, has_finding: bool) -> str:
        lang = i18n.current()
        prefix = None
        base = action
        for p in ("undo ", "redo "):
            if action.startswith(p):
                prefix, base = p.strip(), action[len(p):]
        if base == "create":
            text = self.tr("Recorded") if has_finding else self.tr("Photos added")
        else:
            text = title(FINDING_ACTION_TITLES, base, lang)
        if prefix == "undo":
            return self.tr("Undo: %s") % text
        if prefix == "redo":
            return self.tr("Redo: %s") % text
        return text

    def _show_history(self) -> None:
        groups: list[tuple[tuple[Any, ...], list[dict[str, Any]]]] = []
        for rec in self._history.to_dict("records"):
            key = (rec.get("at"), rec.get("user_name"), rec.get("action"), _text(rec.get("details")))
            if groups and groups[-1][0] == key:
                groups[-1][1].append(rec)
            else:
                groups.append((key, [rec]))
        uuid = self._row["uuid"] if self._row is not None else None
        for (at, user, action, details), recs in groups:
            changes: list[str] = []
            photos_added: list[str] = []
            photos_removed: list[str] = []
            has_finding = False
            for rec in recs:
                old = rec.get("old") or {}
                new = rec.get("new") or {}
                if rec.get("table_name") == "finding" and rec.get("row_uuid") == uuid:
                    has_finding = True
                    if new and not old:
                        changes += self._finding_changes({}, new, created=True)
                    elif old and not new:
                        changes.append(self.tr("Deleted"))
                    else:
                        changes += self._finding_changes(old, new, created=False)
                elif rec.get("table_name") == "attachment":
                    name = _text(new.get("filename") or old.get("filename"))
                    (photos_added if new and not old else photos_removed).append(name)
            if photos_added:
                changes.append(self.tr("Photos +%d") % len(photos_added))
            if photos_removed:
                changes.append(self.tr("Photos −%d") % len(photos_removed))
            act = _text(action)
            base = act.split(" ", 1)[1] if act.startswith(("undo ", "redo ")) else act
            item = QTreeWidgetItem(self.history, [beijing(at), _text(user),
                                                  self._action_title(act, has_finding or base != "create"),
                                                  "; ".join(changes), _text(details)])
            if photos_added or photos_removed:
                item.setToolTip(3, "\n".join(photos_added + photos_removed))
            item.setToolTip(4, _text(details))

    # --- actions -----------------------------------------------------------------------------------------
    def start_action(self, action: str) -> Optional[FindingActionDialog]:
        """Open the dialog for ``action`` on the selected finding (non-blocking, kept as ``self.dialog``)."""
        row = self._row
        if row is None or action not in self.controller.finding_actions(str(row["status"]), row):
            return None
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = FindingActionDialog(self.controller, row, action, self)
        self.dialog.open()
        return self.dialog


# --------------------------------------------------------------------------------------------
# recording a finding


class FindingDialog(QDialog, _PhotoPicker):
    """Record a finding at a point: category, severity, description, photos, deadline and party.

    Under an inspector's task in progress (``task``, a row of ``queries.tasks``) or, for a
    supervisor, directly in the cell ``cell_code``.  ``pickLocationRequested`` asks the main
    window to let the user click the map; it then calls :meth:`set_location`.
    """

    pickLocationRequested = Signal()
    findingRecorded = Signal(str)  # uuid of the new finding

    def __init__(self, controller: Any, *, task: Optional[dict[str, Any]], cell_code: str, cell_geometry: Any,
                 longitude: float, latitude: float, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingDialog")
        self.controller = controller
        self.task = dict(task) if task is not None else None
        self.cell_code = str(task["cell_code"]) if task is not None and _text(task.get("cell_code")) else cell_code
        self.cell_geometry = cell_geometry
        self.longitude = float(longitude)
        self.latitude = float(latitude)
        self.recorded_uuid: Optional[str] = None
        self._window = self._task_window()

        self.category = QComboBox()
        self.category.setObjectName("findingCategoryInput")
        for code in FINDING_CATEGORIES:
            self.category.addItem("", code)
        if self.task is not None and self.task.get("kind") in _KIND_CATEGORY:
            self.category.setCurrentIndex(self.category.findData(_KIND_CATEGORY[self.task["kind"]]))
        self.severity = QComboBox()
        self.severity.setObjectName("findingSeverity")
        for level in (1, 2, 3):
            self.severity.addItem("", level)
        self.severity.setCurrentIndex(1)
        self.description = QPlainTextEdit()
        self.description.setObjectName("findingDescription")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(70)
        self.context = QLabel()
        self.context.setObjectName("findingContext")
        self.context.setWordWrap(True)
        self.context.setTextFormat(Qt.TextFormat.PlainText)
        self.location = QLabel()
        self.location.setObjectName("findingLocation")
        self.location.setTextFormat(Qt.TextFormat.PlainText)
        self.location_warning = QLabel()
        self.location_warning.setObjectName("findingLocationWarning")
        self.location_warning.setStyleSheet(_ERROR_STYLE)
        self.location_warning.setWordWrap(True)
        self.location_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.location_warning.hide()
        self.pick_location = QPushButton()
        self.pick_location.setObjectName("findingPickLocation")
        self.pick_location.clicked.connect(self.pickLocationRequested)
        self._init_photos("findingPhotoList", "findingPhotoError", "findingAddPhotos")
        self.remove_photo_button = QPushButton()
        self.remove_photo_button.setObjectName("findingRemovePhoto")
        self.remove_photo_button.clicked.connect(self.remove_selected_photos)
        self.deadline_enabled = QCheckBox()
        self.deadline_enabled.setObjectName("findingDeadlineEnabled")
        self.deadline = QDateEdit()
        self.deadline.setObjectName("findingDeadline")
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setDate(QDate.currentDate().addDays(7))
        self.deadline.setEnabled(False)
        self.deadline_enabled.toggled.connect(self.deadline.setEnabled)
        self.party = QLineEdit()
        self.party.setObjectName("findingParty")
        self.error = error_label("findingError")
        self._waiting = PendingEdit(controller, self,
                                    lambda edit: edit.action == "create" and bool(edit.created("finding")),
                                    self.error, lambda: self.ok_button.setEnabled(True), self._recorded)

        self.labels = {k: QLabel() for k in ("category", "severity", "description", "location", "photos",
                                             "deadline", "party")}
        form = QFormLayout()
        form.addRow(self.context)
        form.addRow(self.labels["category"], self.category)
        form.addRow(self.labels["severity"], self.severity)
        form.addRow(self.labels["description"], self.description)
        loc = QHBoxLayout()
        loc.addWidget(self.location, 1)
        loc.addWidget(self.pick_location)
        form.addRow(self.labels["location"], loc)
        form.addRow(self.location_warning)
        ph = QHBoxLayout()
        ph.addWidget(self.add_photos_button)
        ph.addWidget(self.remove_photo_button)
        ph.addStretch(1)
        form.addRow(self.labels["photos"], ph)
        form.addRow(self.photo_list)
        form.addRow(self.photo_error)
        dl = QHBoxLayout()
        dl.addWidget(self.deadline_enabled)
        dl.addWidget(self.deadline)
        dl.addStretch(1)
        form.addRow(self.labels["deadline"], dl)
        form.addRow(self.labels["party"], self.party)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("findingButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.resize(560, 640)
        self.retranslate()
        self.set_location(self.longitude, self.latitude)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate(self) -> None:
        lang = i18n.current()
        self.setWindowTitle(self.tr("Record finding"))
        for i in range(self.category.count()):
            self.category.setItemText(i, title(CATEGORY_TITLES, self.category.itemData(i), lang))
        for i in range(self.severity.count()):
            self.severity.setItemText(i, title(SEVERITY_TITLES, self.severity.itemData(i), lang))
        texts = {"category": self.tr("Category"), "severity": self.tr("Severity"),
                 "description": self.tr("Description"), "location": self.tr("Location"),
                 "photos": self.tr("Photos"), "deadline": self.tr("Rectification deadline"),
                 "party": self.tr("Responsible party")}
        for k, label in self.labels.items():
            label.setText(texts[k])
        if self.task is not None:
            self.context.setText(self.tr("Task: %s in cell %s") % (title(KIND_TITLES, self.task.get("kind"), lang),
                                                                  self.cell_code))
        else:
            self.context.setText(self.tr("Recorded directly in cell %s (no task)") % self.cell_code)
        self.description.setPlaceholderText(self.tr("What was found, where exactly, who is involved"))
        self.pick_location.setText(self.tr("Pick on map"))
        self.pick_location.setToolTip(self.tr("Click the map to place the finding"))
        self.add_photos_button.setText(self.tr("Add photos…"))
        self.remove_photo_button.setText(self.tr("Remove photo"))
        self.deadline_enabled.setText(self.tr("Set a deadline"))
        self.party.setPlaceholderText(self.tr("Company, household or office that must rectify"))
        self._show_location()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- location ---------------------------------------------------------------------------------------
    def set_location(self, longitude: float, latitude: float) -> None:
        """Move the finding to ``(longitude, latitude)`` (lon/lat degrees), e.g. after a click on the map."""
        self.longitude = float(longitude)
        self.latitude = float(latitude)
        self._show_location()
        if not self.isVisible() or not self.isActiveWindow():
            self.raise_()
            self.activateWindow()

    def location_outside(self) -> bool:
        """Whether the point lies outside the cell (recorded anyway, with a warning)."""
        if self.cell_geometry is None or shapely.is_empty(self.cell_geometry):
            return False
        return not self.cell_geometry.covers(shapely.Point(self.longitude, self.latitude))

    def _show_location(self) -> None:
        self.location.setText(f"{self.longitude:.6f}, {self.latitude:.6f} · " + self.tr("cell %s") % self.cell_code)
        outside = self.location_outside()
        self.location_warning.setText(self.tr("The location is outside cell %s") % self.cell_code if outside else "")
        self.location_warning.setVisible(outside)

    # --- photos -------------------------------------------------------------------------------------------
    def _task_window(self) -> Optional[tuple[_dt.datetime, _dt.datetime]]:
        if self.task is None:
            return None
        start = parse_time(self.task.get("started_at")) or parse_time(self.task.get("created_at"))
        if start is None:
            return None
        return start, max(_dt.datetime.now(_dt.timezone.utc), start)

    def _flags_for(self, photo: Photo) -> list[str]:
        window = self._window
        if window is not None:  # the task goes on while the dialog is open
            window = (window[0], max(window[1], _dt.datetime.now(_dt.timezone.utc)))
        return photo_flags(photo, cell=self.cell_geometry, window=window)

    # --- OK ----------------------------------------------------------------------------------------------
    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``record_finding`` for what is filled in."""
        return {
            "assignment_uuid": str(self.task["uuid"]) if self.task is not None else None,
            "cell_code": None if self.task is not None else self.cell_code,
            "category": self.category.currentData(),
            "severity": int(self.severity.currentData()),
            "description": self.description.toPlainText().strip(),
            "longitude": self.longitude,
            "latitude": self.latitude,
            "rectify_deadline": self.deadline.date().toPython() if self.deadline_enabled.isChecked() else None,
            "responsible_party": self.party.text().strip(),
            "photos": list(self.photos),
        }

    def accept(self) -> None:
        """OK: record the finding; the dialog closes once the controller reports it applied."""
        self.submit()

    def submit(self) -> None:
        if self._waiting.active:
            return
        self._waiting.start()
        self.ok_button.setEnabled(False)
        self.error.hide()
        self.controller.run(record_finding, **self.arguments())

    def _recorded(self, edit: Edit) -> None:
        self.recorded_uuid = edit.created("finding")[0]
        self.findingRecorded.emit(self.recorded_uuid)
        super().accept()  # the edit is applied: close


# --------------------------------------------------------------------------------------------
# correcting a finding


class FindingEditDialog(QDialog):
    """Correct a recorded finding's category, severity, description, party and deadline.

    OK sends only what changed to ``edit_finding``; like the other dialogs it stays open until
    the edit is applied, and shows a refusal in ``editError``.
    """

    def __init__(self, controller: Any, finding: dict[str, Any], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingEditDialog")
        self.controller = controller
        self.finding = dict(finding)
        self.uuid = str(finding["uuid"])
        self.category = QComboBox()
        self.category.setObjectName("editCategory")
        for code in FINDING_CATEGORIES:
            self.category.addItem("", code)
        self.category.setCurrentIndex(max(0, self.category.findData(finding.get("category"))))
        self.severity = QComboBox()
        self.severity.setObjectName("editSeverity")
        for level in (1, 2, 3):
            self.severity.addItem("", level)
        self.severity.setCurrentIndex(max(0, self.severity.findData(_int(finding.get("severity"), 2))))
        self.description = QPlainTextEdit(_text(finding.get("description")))
        self.description.setObjectName("editDescription")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(70)
        self.party = QLineEdit(_text(finding.get("responsible_party")))
        self.party.setObjectName("editParty")
        known = _to_date(finding.get("rectify_deadline"))
        self.deadline_enabled = QCheckBox()
        self.deadline_enabled.setObjectName("editDeadlineEnabled")
        self.deadline_enabled.setChecked(known is not None)
        self.deadline = QDateEdit()
        self.deadline.setObjectName("editDeadline")
        self.deadline.setCalendarPopup(True)
        self.deadline.setDisplayFormat("yyyy-MM-dd")
        self.deadline.setDate(_qdate(known) if known else QDate.currentDate().addDays(7))
        self.deadline.setEnabled(known is not None)
        self.deadline_enabled.toggled.connect(self.deadline.setEnabled)
        self.error = error_label("editError")
        self._waiting = PendingEdit(controller, self,
                                    lambda edit: edit.action == "edit" and _changes(edit, self.uuid),
                                    self.error, self._update_ok)
        self.labels = {k: QLabel() for k in ("category", "severity", "description", "deadline", "party")}
        form = QFormLayout()
        form.addRow(self.labels["category"], self.category)
        form.addRow(self.labels["severity"], self.severity)
        form.addRow(self.labels["description"], self.description)
        dl = QHBoxLayout()
        dl.addWidget(self.deadline_enabled)
        dl.addWidget(self.deadline)
        dl.addStretch(1)
        form.addRow(self.labels["deadline"], dl)
        form.addRow(self.labels["party"], self.party)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("editButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for signal in (self.category.currentIndexChanged, self.severity.currentIndexChanged,
                       self.description.textChanged, self.party.textChanged, self.deadline_enabled.toggled,
                       self.deadline.dateChanged):
            signal.connect(self._update_ok)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.resize(520, 380)
        self.retranslate()
        self._update_ok()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def retranslate(self) -> None:
        lang = i18n.current()
        self.setWindowTitle(self.tr("Correct finding"))
        for i in range(self.category.count()):
            self.category.setItemText(i, title(CATEGORY_TITLES, self.category.itemData(i), lang))
        for i in range(self.severity.count()):
            self.severity.setItemText(i, title(SEVERITY_TITLES, self.severity.itemData(i), lang))
        texts = {"category": self.tr("Category"), "severity": self.tr("Severity"),
                 "description": self.tr("Description"), "deadline": self.tr("Rectification deadline"),
                 "party": self.tr("Responsible party")}
        for k, label in self.labels.items():
            label.setText(texts[k])
        self.deadline_enabled.setText(self.tr("Set a deadline"))
        self.party.setPlaceholderText(self.tr("Company, household or office that must rectify"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def changes(self) -> dict[str, Any]:
        """The keyword arguments of ``edit_finding``: only the fields that differ from the finding."""
        f = self.finding
        out: dict[str, Any] = {}
        if self.category.currentData() != f.get("category"):
            out["category"] = self.category.currentData()
        if int(self.severity.currentData()) != _int(f.get("severity"), 2):
            out["severity"] = int(self.severity.currentData())
        if self.description.toPlainText().strip() != _text(f.get("description")):
            out["description"] = self.description.toPlainText().strip()
        if self.party.text().strip() != _text(f.get("responsible_party")):
            out["responsible_party"] = self.party.text().strip() or None
        deadline = self.deadline.date().toPython() if self.deadline_enabled.isChecked() else None
        if deadline != _to_date(f.get("rectify_deadline")):
            out["rectify_deadline"] = deadline
        return out

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.changes()) and not self._waiting.active)

    def accept(self) -> None:
        """OK: save the corrections; the dialog closes once the controller reports them applied."""
        changes = self.changes()
        if not changes or self._waiting.active:
            return
        self._waiting.start()
        self._update_ok()
        self.error.hide()
        self.controller.run(edit_finding, self.uuid, **changes)
