"""Import dialog: bring a shapefile, GeoJSON, GeoPackage, KML, CSV or XLSX file into a layer.

The user picks a file and a target layer; the dialog previews the file (first 200 features as a
table and a small map, the detected encoding and coordinate system), proposes a field mapping,
then **Check** runs :func:`~gridwatch.importers.pipeline.prepare_import` (nothing is written) and
shows its summary, and only then **Import** runs
:func:`~gridwatch.importers.pipeline.commit_import` (one transaction; cancel rolls it back).

Every file read and the write run on worker threads (see :mod:`gridwatch.ui.jobs` for why these are Python
threads rather than ``QThreadPool`` ones); results
come back through queued signals and are matched to the request that started them, so a late
answer about options the user has since changed is dropped.  Any option change after a
successful check disables Import until the file is checked again.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd
import shapely
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...crs import PROJECT_EPSG
from ...errors import CRSError
from ...importers.pipeline import (
    ImportOptions,
    ImportReport,
    PreparedImport,
    commit_import,
    guess_field_map,
    prepare_import,
)
from ...layers import LAYERS
from ...tasks import CancelToken
from .. import jobs as _jobs
from ..jobs import Job, queue
from ..texts import field_title, layer_title
from .attribute_table import FrameTableModel

__all__ = ["ImportDialog", "PREVIEW_ROWS", "preview_image"]

log = logging.getLogger("gridwatch.ui")

#: Source features shown in the preview table and map.
PREVIEW_ROWS = 200
#: Size of the preview map in pixels.
MAP_SIZE = (300, 210)
#: Encodings offered besides "Auto"; the box is editable for anything else.
ENCODINGS = ("UTF-8", "GB18030", "GBK")

_ERROR_STYLE = "color: #c62828;"
_EPSG = re.compile(r"^\s*(?:epsg\s*:?\s*)?(\d{4,6})\s*(?:\(.*\))?\s*$", re.IGNORECASE)
_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")


# --------------------------------------------------------------------------------------------
# worker jobs


#: Worker threads of import dialogs (previews, checks and imports; two at a time).
_WORKERS = queue("import", 2)
def _job(work: Any, what: str) -> Job:
    """A job of this dialog on its two worker threads; ``handled`` once the dialog took its outcome."""
    job = Job(work, "import", executor=_WORKERS)
    job.what = what  # type: ignore[attr-defined]
    job.handled = False  # type: ignore[attr-defined]
    return job


def jobs_running() -> bool:
    """True while any import-dialog worker is still running (tests wait for this)."""
    return _jobs.jobs_running("import")


# --------------------------------------------------------------------------------------------
# preview (computed on the worker)


@dataclass
class _Preview:
    info: Any  # gridwatch.importers.sources.SourceInfo
    frame: Any  # GeoDataFrame, first PREVIEW_ROWS features as read
    image: QImage
    fields: list[str]


def _field_names(info: Any, frame: Any) -> list[str]:
    """Source field names from ``info.fields`` (names, (name, type) pairs or objects)."""
    names: list[str] = []
    for f in list(getattr(info, "fields", None) or []):
        if isinstance(f, str):
            names.append(f)
        elif isinstance(f, (tuple, list)) and f:
            names.append(str(f[0]))
        elif hasattr(f, "name"):
            names.append(str(f.name))
        else:
            names.append(str(f))
    if not names and frame is not None:
        geom = getattr(frame, "_geometry_column_name", None)
        names = [str(c) for c in frame.columns if c != geom and getattr(frame[c].dtype, "name", "") != "geometry"]
    return names


def preview_image(frame: Any, width: int = MAP_SIZE[0], height: int = MAP_SIZE[1]) -> QImage:
    """Draw ``frame``'s geometries (reprojected to EPSG:4490) fitted into a ``width`` x ``height`` image."""
    img = QImage(max(1, width), max(1, height), QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor(250, 250, 246))
    if frame is None or len(frame) == 0 or getattr(frame, "geometry", None) is None:
        return img
    geo = frame.geometry
    if geo.crs is not None:
        try:
            if geo.crs.to_epsg() != PROJECT_EPSG:
                geo = geo.to_crs(PROJECT_EPSG)
        except Exception:  # noqa: BLE001 - an odd CRS: draw the coordinates as they are
            log.info("preview: cannot reproject %s to EPSG:%s", geo.crs, PROJECT_EPSG, exc_info=True)
    geoms = np.asarray(geo.values, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return img
    geoms = shapely.force_2d(geoms)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return img
    geographic = -180.0 <= minx and maxx <= 360.0 and -90.0 <= miny and maxy <= 90.0
    kx = math.cos(math.radians((miny + maxy) / 2)) if geographic else 1.0
    span = 0.005 if geographic else 500.0  # a single point or a thin strip still gets a frame
    w, h = max((maxx - minx) * kx, span), max(maxy - miny, span)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    margin = 10
    scale = min((width - 2 * margin) / w, (height - 2 * margin) / h)

    def poly(coords: np.ndarray) -> QPolygonF:
        xs = width / 2 + (coords[:, 0] - cx) * kx * scale
        ys = height / 2 - (coords[:, 1] - cy) * scale
        return QPolygonF([QPointF(float(x), float(y)) for x, y in zip(xs, ys)])

    p = QPainter(img)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        stroke = QPen(QColor(30, 90, 160), 1.2)
        fill = QColor(60, 130, 210, 90)
        for part in shapely.get_parts(geoms):
            t = shapely.get_type_id(part)
            if t == 3:  # polygon
                path = QPainterPath()
                path.setFillRule(Qt.FillRule.OddEvenFill)
                for ring in [part.exterior, *part.interiors]:
                    path.addPolygon(poly(shapely.get_coordinates(ring)))
                    path.closeSubpath()
                p.setPen(stroke)
                p.setBrush(fill)
                p.drawPath(path)
            elif t in (1, 2):  # line, ring
                p.setPen(stroke)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPolyline(poly(shapely.get_coordinates(part)))
            elif t == 0:  # point
                pt = poly(shapely.get_coordinates(part))[0]
                p.setPen(QPen(QColor(120, 30, 0), 1.0))
                p.setBrush(QColor(255, 110, 0, 220))
                p.drawEllipse(pt, 3.5, 3.5)
    finally:
        p.end()
    return img


def _read_preview(path: Path, layer: Optional[str], encoding: Optional[str], crs: Optional[str],
                  cancel: CancelToken) -> _Preview:
    from ...importers.sources import inspect_source, read_source

    info = inspect_source(path, layer=layer, encoding=encoding, crs=crs)
    cancel.raise_if_cancelled()
    frame = read_source(path, layer=getattr(info, "layer", None) or layer, encoding=encoding, crs=crs,
                        max_features=PREVIEW_ROWS)
    frame = frame.iloc[:PREVIEW_ROWS]
    cancel.raise_if_cancelled()
    image = preview_image(frame)
    return _Preview(info, frame, image, _field_names(info, frame))


# --------------------------------------------------------------------------------------------
# the dialog


@dataclass(frozen=True)
class _Snapshot:
    """Everything the check depends on; Import needs the snapshot the check was made with."""

    file: str
    kind: str
    source_layer: Optional[str]
    encoding: Optional[str]
    crs: Optional[str]
    mode: str
    field_map: tuple[tuple[str, str], ...]


class ImportDialog(QDialog):
    """Preview, map, check and import one file into one layer of the project at ``project_path``."""

    #: Emitted with the :class:`~gridwatch.importers.pipeline.ImportReport` once the import is written.
    imported = Signal(object)

    def __init__(self, project_path: Path, parent: Optional[QWidget] = None, user: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.project_path = Path(project_path)
        self.user = user
        self.prepared: Optional[PreparedImport] = None
        self.report: Optional[ImportReport] = None
        self.preview_frame: Any = None
        self.preview_info: Any = None
        self.preview_qimage: Optional[QImage] = None
        self._source_fields: list[str] = []
        self._detected_encoding: Optional[str] = None
        self._crs_auto_text = ""
        self._crs_detected: Optional[tuple[str, str]] = None  # (crs, source)
        self._preview_key: Optional[tuple] = None
        self._preview_job: Optional[Job] = None
        self._check_job: Optional[Job] = None
        self._checked: Optional[_Snapshot] = None
        self._import_job: Optional[Job] = None
        self._building = False

        # -- widgets -------------------------------------------------------------------------
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("importFile")
        self.browse_button = QPushButton()
        self.browse_button.setObjectName("importBrowse")
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("importKind")
        for kind in LAYERS:
            self.kind_combo.addItem(layer_title(kind), kind)
        self.layer_combo = QComboBox()
        self.layer_combo.setObjectName("importSourceLayer")
        self.layer_combo.setEnabled(False)
        self.encoding_combo = QComboBox()
        self.encoding_combo.setObjectName("importEncoding")
        self.encoding_combo.setEditable(True)
        self.encoding_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.encoding_combo.addItem("", None)
        for enc in ENCODINGS:
            self.encoding_combo.addItem(enc, enc)
        self.crs_edit = QLineEdit()
        self.crs_edit.setObjectName("importCrs")
        self.append_radio = QRadioButton()
        self.append_radio.setObjectName("importAppend")
        self.append_radio.setChecked(True)
        self.replace_radio = QRadioButton()
        self.replace_radio.setObjectName("importReplace")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.append_radio)
        self.mode_group.addButton(self.replace_radio)

        self.busy = QProgressBar()
        self.busy.setObjectName("importBusy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.preview_model = FrameTableModel(parent=self)
        self.preview_table = QTableView()
        self.preview_table.setObjectName("importPreviewTable")
        self.preview_table.setModel(self.preview_model)
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.verticalHeader().setDefaultSectionSize(22)
        self.preview_map = QLabel()
        self.preview_map.setObjectName("importPreviewMap")
        self.preview_map.setFixedSize(*MAP_SIZE)
        self.preview_map.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview_map.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notes_label = QLabel()
        self.notes_label.setObjectName("importNotes")
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.field_table = QTableWidget(0, 2)
        self.field_table.setObjectName("importFieldMap")
        self.field_table.verticalHeader().hide()
        self.field_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.field_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.field_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.field_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.field_hint = QLabel()
        self.field_hint.setObjectName("importFieldHint")
        self.field_hint.setWordWrap(True)
        self._map_combos: dict[str, QComboBox] = {}

        self.summary_label = QLabel()
        self.summary_label.setObjectName("importSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.hide()
        self.check_button = QPushButton()
        self.check_button.setObjectName("importCheck")
        self.check_button.setEnabled(False)
        self.import_button = QPushButton()
        self.import_button.setObjectName("importRun")
        self.import_button.setEnabled(False)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("importCancel")
        self.cancel_button.setEnabled(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        # Enter in the file, encoding or CRS box applies that box; it must not press a button
        # (QDialog's auto-default would open Browse… or close the dialog).
        for button in (self.browse_button, self.check_button, self.import_button, self.cancel_button,
                       *self.buttons.buttons()):
            button.setAutoDefault(False)
            button.setDefault(False)

        # -- layout --------------------------------------------------------------------------
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        mode_row = QHBoxLayout()
        mode_row.addWidget(self.append_radio)
        mode_row.addWidget(self.replace_radio)
        mode_row.addStretch(1)
        self.form = QFormLayout()
        self._form_labels = [QLabel() for _ in range(6)]
        for label, field in zip(self._form_labels, (file_row, self.kind_combo, self.layer_combo,
                                                   self.encoding_combo, self.crs_edit, mode_row)):
            self.form.addRow(label, field)
            if isinstance(field, QWidget):
                label.setBuddy(field)
        self._form_labels[0].setBuddy(self.file_edit)
        self._form_labels[5].setBuddy(self.append_radio)
        self.options_box = QWidget()
        self.options_box.setLayout(self.form)

        self.preview_box = QGroupBox()
        pv = QHBoxLayout(self.preview_box)
        left = QVBoxLayout()
        left.addWidget(self.preview_table, 1)
        notes_row = QHBoxLayout()
        notes_row.addWidget(self.notes_label, 1)
        notes_row.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignTop)
        left.addLayout(notes_row)
        pv.addLayout(left, 1)
        map_column = QVBoxLayout()
        map_column.addWidget(self.preview_map)
        map_column.addStretch(1)
        pv.addLayout(map_column)

        self.map_box = QGroupBox()
        mv = QVBoxLayout(self.map_box)
        mv.addWidget(self.field_hint)
        mv.addWidget(self.field_table)

        actions = QHBoxLayout()
        actions.addWidget(self.check_button)
        actions.addWidget(self.import_button)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.options_box)
        layout.addWidget(self.preview_box, 3)
        layout.addWidget(self.map_box, 2)
        layout.addWidget(self.summary_label)
        layout.addLayout(actions)

        # -- behaviour -----------------------------------------------------------------------
        self.browse_button.clicked.connect(self.browse)
        self.file_edit.editingFinished.connect(self._on_file_edited)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.layer_combo.currentIndexChanged.connect(self._on_source_option_changed)
        self.encoding_combo.currentIndexChanged.connect(self._on_source_option_changed)
        self.encoding_combo.lineEdit().editingFinished.connect(self._on_source_option_changed)
        self.crs_edit.editingFinished.connect(self._on_source_option_changed)
        self.append_radio.toggled.connect(self._update_state)
        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.run_import)
        self.cancel_button.clicked.connect(self.cancel)

        self.retranslate()
        self._rebuild_field_map()
        self.resize(1000, 860)

    # -- public API ---------------------------------------------------------------------------

    def set_file(self, path: Path | str) -> None:
        """Choose the file to import: resets layer, encoding and CRS to automatic and previews it."""
        text = str(path)
        self.file_edit.setText(text)
        self._source_changed(text)

    def set_kind(self, kind: str) -> None:
        """Choose the target layer kind (a key of ``LAYERS``)."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def mode(self) -> str:
        return "replace" if self.replace_radio.isChecked() else "append"

    def source_layer(self) -> Optional[str]:
        """The layer of the file chosen, None while the file's only (or default) layer is used."""
        if self.layer_combo.count() <= 1 or self.layer_combo.currentIndex() < 0:
            return None  # nothing to choose: the reader opens the file's only layer
        return self.layer_combo.currentText() or None

    def _file_text(self) -> str:
        """The file box's path, without the quotes a path copied from Explorer comes with."""
        text = self.file_edit.text().strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            text = text[1:-1].strip()
        return text

    def encoding(self) -> Optional[str]:
        """The encoding the user chose, None for automatic detection."""
        text = self.encoding_combo.currentText().strip()
        if not text or text == self.encoding_combo.itemText(0):
            return None
        return text

    def crs(self) -> Optional[str]:
        """The CRS the user typed ("4490" and "EPSG:4547" both work), None for automatic."""
        text = self.crs_edit.text().strip()
        if not text or text == self._crs_auto_text:
            return None
        m = _EPSG.match(text)
        if m:
            return f"EPSG:{m.group(1)}"
        return _SUFFIX.sub("", text) or None

    def field_map(self) -> dict[str, str]:
        """``{source field: target field}`` as chosen in the mapping table ("(none)" rows left out)."""
        out: dict[str, str] = {}
        for target, combo in self._map_combos.items():
            src = combo.currentData()
            if src is not None:
                out[str(src)] = target
        return out

    def options(self) -> ImportOptions:
        """The import options the widgets describe now."""
        return ImportOptions(kind=self.kind(), source_layer=self.source_layer(), field_map=self.field_map(),
                             encoding=self.encoding(), crs=self.crs(), mode=self.mode(), user=self.user,
                             unmapped=self.unmapped_fields())

    def unmapped_fields(self) -> tuple[str, ...]:
        """Layer fields set to "(none)": left empty even when a column's name would match."""
        return tuple(t for t, combo in self._map_combos.items() if combo.currentData() is None)

    def busy_working(self) -> bool:
        """True while a preview, check or import of this dialog is running."""
        return any(j is not None and not j.handled
                   for j in (self._preview_job, self._check_job, self._import_job))

    # -- file and preview ---------------------------------------------------------------------

    def browse(self) -> None:
        start = self._file_text() or str(self.project_path.parent)
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a file to import"), start,
            ";;".join([
                self.tr("All supported files (*.shp *.zip *.geojson *.json *.gpkg *.kml *.kmz *.csv *.xlsx)"),
                self.tr("Shapefiles (*.shp *.zip)"),
                self.tr("GeoJSON (*.geojson *.json)"),
                self.tr("GeoPackage (*.gpkg)"),
                self.tr("KML (*.kml *.kmz)"),
                self.tr("CSV tables (*.csv)"),
                self.tr("Excel workbooks (*.xlsx)"),
                self.tr("All files (*)"),
            ]))
        if path:
            self.set_file(path)

    def _on_file_edited(self) -> None:
        text = self._file_text()
        if self._preview_key is None or text != self._preview_key[0]:
            self._source_changed(text)

    def _source_changed(self, text: str) -> None:
        """A new file: forget what the last one detected and preview this one."""
        self._building = True
        try:
            self.layer_combo.clear()
            self.layer_combo.setEnabled(False)
            self.encoding_combo.setCurrentIndex(0)
            self.encoding_combo.setEditText(self.encoding_combo.itemText(0))
            self._detected_encoding = None
            self._crs_detected = None
            self._crs_auto_text = ""
            self.crs_edit.clear()
        finally:
            self._building = False
        self._retranslate_auto_texts()
        self._preview_key = None
        self._start_preview()
        self._update_state()

    def _on_source_option_changed(self, *_args: Any) -> None:
        if self._building:
            return
        if not self._file_text():
            self._update_state()
            return
        self._start_preview()
        self._update_state()

    def _start_preview(self) -> None:
        text = self._file_text()
        key = (text, self.source_layer(), self.encoding(), self.crs())
        if key == self._preview_key:
            return
        self._preview_key = key
        if self._preview_job is not None:
            self._preview_job.cancel()  # superseded: its answer will be dropped
            self._preview_job = None
        if not text:
            self._show_preview_error("")
            return
        path = Path(text)
        if not path.exists():
            self._show_preview_error(self.tr("File not found: %s") % text)
            return
        _file, layer, encoding, crs = key
        job = _job(lambda _progress, cancel: _read_preview(path, layer, encoding, crs, cancel),
                   f"preview of {path}")
        job.succeeded.connect(self._on_preview_done, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._on_preview_failed, Qt.ConnectionType.QueuedConnection)
        self._preview_job = job
        self.busy.show()
        self.busy.setToolTip(self.tr("Reading %s…") % path.name)
        job.start()

    def _on_preview_done(self, job: Job, result: _Preview) -> None:
        job.handled = True
        if job is not self._preview_job:
            return
        self.busy.hide()
        info = result.info
        self.preview_info = info
        self.preview_frame = result.frame
        self.preview_qimage = result.image
        self._building = True
        try:
            layers = [str(x) for x in (getattr(info, "layers", None) or [])]
            current = getattr(info, "layer", None)
            if [self.layer_combo.itemText(i) for i in range(self.layer_combo.count())] != layers:
                self.layer_combo.clear()
                self.layer_combo.addItems(layers)
            if current is not None and str(current) in layers:
                self.layer_combo.setCurrentIndex(layers.index(str(current)))
            self.layer_combo.setEnabled(len(layers) > 1)
            if self.encoding() is None:
                self._detected_encoding = getattr(info, "encoding", None)
            crs_text = _crs_string(getattr(info, "crs", None))
            if crs_text and self.crs() is None:
                self._crs_detected = (crs_text, str(getattr(info, "crs_source", "") or ""))
        finally:
            self._building = False
        self._retranslate_auto_texts()
        # The key now names the layer the file actually opened (the combo may have been empty).
        self._preview_key = (self._file_text(), self.source_layer(), self.encoding(), self.crs())
        self.preview_model.set_frame(result.frame)
        self.preview_table.resizeColumnsToContents()
        self.preview_map.setPixmap(QPixmap.fromImage(result.image))
        self.notes_label.setStyleSheet("")
        self.notes_label.setText(self._describe(info, len(result.frame)))
        if result.fields != self._source_fields:
            self._source_fields = list(result.fields)
            self._rebuild_field_map()
        self._update_state()

    def _on_preview_failed(self, job: Job, message: str, how: str) -> None:
        exc = job.error
        job.handled = True
        if job is not self._preview_job or how == "cancelled":
            return
        choices = [str(x) for x in (getattr(exc, "layers", None) or [])]
        if how == "bug":
            message = self.tr("Unexpected error while reading the file (details are in the log): ") + message
        elif choices and self.source_layer() is None:
            # Several layers and none chosen: offer them and let the user pick (nothing is guessed).
            self._offer_layers(choices)
            self._show_preview_error(self.tr("This file holds several layers; choose one under "
                                             "\u201cLayer in the file\u201d.") + "\n" + message)
            self._update_state()
            return
        elif isinstance(exc, CRSError):
            message += "\n" + self._crs_hint()
        self._show_preview_error(message)
        self._update_state()

    def _crs_hint(self) -> str:
        return self.tr("Type the coordinate system of the file in the \u201cCoordinate system\u201d box, "
                       "e.g. 4490 or EPSG:4547.")

    def _offer_layers(self, layers: list[str]) -> None:
        self._building = True
        try:
            self.layer_combo.clear()
            self.layer_combo.addItems(layers)
            self.layer_combo.setCurrentIndex(-1)  # shows the placeholder until the user picks
            self.layer_combo.setEnabled(True)
        finally:
            self._building = False

    def _show_preview_error(self, message: str) -> None:
        self.busy.hide()
        self.preview_info = None
        self.preview_frame = None
        self.preview_model.set_frame(pd.DataFrame())
        self.preview_map.clear()
        self.notes_label.setStyleSheet(_ERROR_STYLE if message else "")
        self.notes_label.setText(message)
        if self._source_fields:
            self._source_fields = []
            self._rebuild_field_map()

    def _describe(self, info: Any, shown: int) -> str:
        lines = []
        count = getattr(info, "feature_count", None)
        fmt = getattr(info, "format", None) or ""
        gtype = getattr(info, "geometry_type", None) or self.tr("none")
        if count is not None and count >= 0:
            lines.append(self.tr("{format}: {count} features, geometry {geometry} (first {shown} shown)").format(
                format=fmt, count=f"{int(count):,}", geometry=gtype, shown=shown))
        else:
            lines.append(self.tr("{format}: geometry {geometry} ({shown} features shown)").format(
                format=fmt, geometry=gtype, shown=shown))
        enc = getattr(info, "encoding", None)
        if enc:
            lines.append(self.tr("Encoding: {encoding} ({how})").format(
                encoding=enc, how=self._encoding_source_text(getattr(info, "encoding_source", ""))))
        crs = _crs_string(getattr(info, "crs", None))
        lines.append(self.tr("Coordinate system: {crs} ({how})").format(
            crs=crs or self.tr("unknown"), how=self._crs_source_text(getattr(info, "crs_source", ""))))
        lines += [str(n) for n in (getattr(info, "notes", None) or [])]
        return "\n".join(lines)

    def _crs_source_text(self, source: Any) -> str:
        """How the CRS was found, in words ("from file", "guessed", …)."""
        s = str(source or "").strip().lower()
        if s in ("prj", "file"):
            return self.tr("from file")
        if s == "guessed":
            return self.tr("guessed")
        if s == "user":
            return self.tr("as entered")
        if s == "missing":
            return self.tr("missing")
        return str(source)

    def _encoding_source_text(self, source: Any) -> str:
        """How the text encoding was found, in words."""
        s = str(source or "").strip().lower()
        if s == "cpg":
            return self.tr("from the .cpg file")
        if s == "detected":
            return self.tr("detected")
        if s == "cpg-wrong-detected":
            return self.tr("detected; the .cpg file names a wrong one")
        if s == "user":
            return self.tr("as chosen")
        if s == "utf-8":
            return self.tr("always UTF-8 in this format")
        return str(source)

    # -- field mapping ------------------------------------------------------------------------

    def _on_kind_changed(self, *_args: Any) -> None:
        self._rebuild_field_map()
        self._update_state()

    def _rebuild_field_map(self) -> None:
        spec = LAYERS[self.kind()]
        fields = [f for f in spec.fields if f.name != "uuid"]
        guesses = guess_field_map(spec, self._source_fields) if self._source_fields else {}
        self._building = True
        try:
            for combo in self._map_combos.values():
                # Replaced cell widgets are only deleted later: unname them now so that nothing
                # (findChild, a test, an accessibility tool) finds a stale box meanwhile.
                combo.setObjectName("")
                combo.blockSignals(True)
            self.field_table.setRowCount(0)
            self.field_table.setRowCount(len(fields))
            self._map_combos = {}
            for row, f in enumerate(fields):
                item = QTableWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, f.name)
                item.setToolTip(f.name)
                self.field_table.setItem(row, 0, item)
                combo = QComboBox()
                combo.setObjectName(f"importMap_{f.name}")
                combo.addItem("", None)
                for src in self._source_fields:
                    combo.addItem(src, src)
                guess = guesses.get(f.name)
                if guess is not None:
                    combo.setCurrentIndex(combo.findData(guess))
                combo.currentIndexChanged.connect(self._update_state)
                self.field_table.setCellWidget(row, 1, combo)
                self._map_combos[f.name] = combo
        finally:
            self._building = False
        self.field_table.setEnabled(self.kind() != "fire_point")
        self._retranslate_field_map()

    # -- check --------------------------------------------------------------------------------

    def _snapshot(self) -> _Snapshot:
        fmap = {} if self.kind() == "fire_point" else self.field_map()
        return _Snapshot(self._file_text(), self.kind(), self.source_layer(), self.encoding(),
                         self.crs(), self.mode(), tuple(sorted(fmap.items())))

    def _duplicate_sources(self) -> list[str]:
        seen: dict[str, int] = {}
        for combo in self._map_combos.values():
            src = combo.currentData()
            if src is not None:
                seen[str(src)] = seen.get(str(src), 0) + 1
        return [s for s, n in seen.items() if n > 1]

    def check(self) -> None:
        """Run prepare_import on a worker; shows the summary and enables Import when it succeeds."""
        if self._importing():
            return
        snap = self._snapshot()
        if not snap.file:
            self._show_summary(self.tr("Choose a file first."), error=True)
            return
        dup = self._duplicate_sources() if self.kind() != "fire_point" else []
        if dup:
            self._show_summary(self.tr("Each source field can fill only one layer field; used twice: %s")
                               % ", ".join(dup), error=True)
            return
        self.prepared = None
        self._checked = None
        if self._check_job is not None:
            self._check_job.cancel()  # superseded: its answer will be dropped
        options = ImportOptions(kind=snap.kind, source_layer=snap.source_layer, field_map=dict(snap.field_map),
                                encoding=snap.encoding, crs=snap.crs, mode=snap.mode, user=self.user,
                                unmapped=self.unmapped_fields() if snap.kind != "fire_point" else ())
        project, source = self.project_path, Path(snap.file)
        job = _job(lambda progress, cancel: (snap, prepare_import(project, source, options,
                                                                  progress=progress, cancel=cancel)),
                   f"checking {source} for {snap.kind}")
        job.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        job.succeeded.connect(self._on_check_done, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._on_check_failed, Qt.ConnectionType.QueuedConnection)
        self._check_job = job
        self._show_summary(self.tr("Checking %s…") % source.name)
        self.progress.setValue(0)
        self.progress.show()
        job.start()
        self._update_state()

    def _on_check_done(self, job: Job, result: tuple[_Snapshot, PreparedImport]) -> None:
        job.handled = True
        if job is not self._check_job:
            return
        self.progress.hide()
        snap, prepared = result
        if snap != self._snapshot():  # the options changed while checking: that check is stale
            self._show_summary(self.tr("The options changed during the check; check again."))
            self._update_state()
            return
        self.prepared = prepared
        self._checked = snap
        r = prepared.report
        lines = [r.summary(), "",
                 self.tr("Geometries repaired: {repaired}; outside the district: {outside}; "
                         "already in the project: {duplicates}").format(
                     repaired=len(r.repaired), outside=r.outside, duplicates=r.duplicates)]
        if r.repaired:
            lines += ["  " + x for x in r.repaired[:5]]
            if len(r.repaired) > 5:
                lines.append("  " + self.tr("(and %s more)") % (len(r.repaired) - 5))
        if snap.kind != "fire_point":
            # The core fills fields it matches by name even when the box says "(none)": say so.
            chosen = dict((dst, src) for src, dst in snap.field_map)
            for target, source in sorted((r.field_map or {}).items()):
                if target not in chosen and target in self._map_combos:
                    lines.append(self.tr("{field} is filled from the column {column} (matched by name).").format(
                        field=field_title(snap.kind, target), column=source))
        if snap.mode == "replace":
            lines.append(self.tr("Replace: every feature now in {layer} is deleted before the import.").format(
                layer=layer_title(snap.kind)))
        if r.imported == 0:
            lines.append(self.tr("Nothing to import."))
        self._show_summary("\n".join(lines))
        self._update_state()

    def _on_check_failed(self, job: Job, message: str, how: str) -> None:
        exc = job.error
        job.handled = True
        if job is not self._check_job:
            return
        self.progress.hide()
        if how == "cancelled":
            self._show_summary(self.tr("Check cancelled."))
        elif how == "bug":
            self._show_summary(self.tr("Unexpected error while checking the file (details are in the log): ")
                               + message, error=True)
        else:
            if isinstance(exc, CRSError):
                message += "\n" + self._crs_hint()
            self._show_summary(self.tr("This file cannot be imported as it is:") + "\n" + message, error=True)
        self._update_state()

    # -- import -------------------------------------------------------------------------------

    def run_import(self) -> None:
        """Write the checked rows (commit_import) on a worker; accepts the dialog when done."""
        if not self._import_allowed():
            return
        prepared = self.prepared
        assert prepared is not None
        job = _job(lambda progress, cancel: commit_import(prepared, progress=progress, cancel=cancel),
                   f"importing {prepared.source} into {prepared.options.kind}")
        job.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        job.succeeded.connect(self._on_import_done, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._on_import_failed, Qt.ConnectionType.QueuedConnection)
        self._import_job = job
        self.progress.setValue(0)
        self.progress.show()
        self._show_summary(self.tr("Importing into %s…") % layer_title(prepared.options.kind))
        job.start()
        self._update_state()

    def cancel(self) -> None:
        """Stop the running check or import (an import is rolled back: nothing is written)."""
        for job in (self._import_job, self._check_job):
            if job is not None and not job.handled:
                job.cancel()
        self.cancel_button.setEnabled(False)

    def _on_import_done(self, job: Job, report: ImportReport) -> None:
        job.handled = True
        self.progress.setValue(100)
        self.progress.hide()
        self.report = report
        self._import_job_done()
        self.imported.emit(report)
        self.accept()

    def _on_import_failed(self, job: Job, message: str, how: str) -> None:
        job.handled = True
        self.progress.hide()
        self._import_job_done()
        self.prepared = None
        self._checked = None
        if how == "cancelled":
            self._show_summary(self.tr("Import cancelled: nothing was written."), error=True)
        elif how == "bug":
            self._show_summary(self.tr("Unexpected error while importing (details are in the log); "
                                       "the project is unchanged: ") + message, error=True)
        else:
            self._show_summary(self.tr("Import failed:") + "\n" + message + "\n"
                               + self.tr("Check the file again before importing."), error=True)
        self._update_state()

    def _import_job_done(self) -> None:
        self.options_box.setEnabled(True)
        self.field_table.setEnabled(self.kind() != "fire_point")

    def _on_progress(self, job: Job, fraction: float, message: str) -> None:
        if job is not self._import_job and job is not self._check_job or job.handled:
            return
        self.progress.setValue(int(round(100 * max(0.0, min(1.0, fraction)))))
        self.progress.setFormat(f"%p% {message}" if message else "%p%")

    # -- state --------------------------------------------------------------------------------

    def _importing(self) -> bool:
        return self._import_job is not None and not self._import_job.handled

    def _checking(self) -> bool:
        return self._check_job is not None and not self._check_job.handled

    def _import_allowed(self) -> bool:
        return (self.prepared is not None and self._checked is not None and not self._importing()
                and not self._checking() and self._checked == self._snapshot())

    def _update_state(self, *_args: Any) -> None:
        """Enable buttons for the current state; any option change after a check disables Import."""
        if self._building:
            return
        if self.prepared is not None and self._checked is not None and self._checked != self._snapshot():
            # An option changed since the check: its result does not hold any more.
            self.prepared = None
            self._checked = None
            self._show_summary(self.tr("Options changed since the check: check the file again."))
        if self._checking() and self._check_job is not None:
            pass  # a stale running check is caught when it reports (its snapshot differs)
        importing = self._importing()
        self.options_box.setEnabled(not importing)
        self.field_table.setEnabled(not importing and self.kind() != "fire_point")
        self.check_button.setEnabled(bool(self._file_text()) and not importing)
        self.import_button.setEnabled(self._import_allowed())
        self.cancel_button.setEnabled(importing or self._checking())
        self.buttons.setEnabled(not importing)

    def _show_summary(self, text: str, error: bool = False) -> None:
        self.summary_label.setStyleSheet(_ERROR_STYLE if error else "")
        self.summary_label.setProperty("error", error)
        self.summary_label.setText(text)

    def reject(self) -> None:
        if self._importing():
            # Closing must not abandon a write half way: cancel it; the dialog reports the rollback.
            self.cancel()
            return
        for job in (self._preview_job, self._check_job):
            if job is not None and not job.done:
                job.cancel()
        super().reject()

    # -- language -----------------------------------------------------------------------------

    def retranslate(self) -> None:
        """Reset every translatable text; called on a language change."""
        self.setWindowTitle(self.tr("Import a file"))
        labels = [self.tr("&File:"), self.tr("Import &into layer:"), self.tr("&Layer in the file:"),
                  self.tr("Text &encoding:"), self.tr("Coordinate &system:"), self.tr("Mode:")]
        for label, text in zip(self._form_labels, labels):
            label.setText(text)
        self.browse_button.setText(self.tr("Browse…"))
        self.file_edit.setPlaceholderText(self.tr("Shapefile, GeoJSON, GeoPackage, KML, CSV or Excel file"))
        for i in range(self.kind_combo.count()):
            self.kind_combo.setItemText(i, layer_title(str(self.kind_combo.itemData(i))))
        self.layer_combo.setPlaceholderText(self.tr("Choose a layer"))
        self.crs_edit.setPlaceholderText(self.tr("Detected from the file; type e.g. 4490 or EPSG:4547"))
        self.crs_edit.setToolTip(self.tr("The coordinate system of the file's coordinates. Leave as detected, "
                                         "or type an EPSG code such as 4490 or EPSG:4547."))
        self.encoding_combo.setToolTip(self.tr("Text encoding of the file's attributes (shapefiles, CSV)"))
        self.append_radio.setText(self.tr("Add to the layer"))
        self.replace_radio.setText(self.tr("Replace the layer"))
        self.preview_box.setTitle(self.tr("Preview (first %s features)") % PREVIEW_ROWS)
        self.preview_map.setToolTip(self.tr("The features above, drawn in EPSG:4490"))
        self.map_box.setTitle(self.tr("Fields"))
        self.check_button.setText(self.tr("Check"))
        self.check_button.setToolTip(self.tr("Read and validate the file; nothing is written"))
        self.import_button.setText(self.tr("Import"))
        self.import_button.setToolTip(self.tr("Write the checked features into the project"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._retranslate_auto_texts()
        self._retranslate_field_map()

    def _retranslate_auto_texts(self) -> None:
        """The 'Auto (detected: …)' encoding item and the detected CRS text."""
        was_auto = self.encoding() is None
        enc = self._detected_encoding
        auto = self.tr("Auto (detected: %s)") % enc if enc else self.tr("Auto")
        self._building, building = True, self._building
        try:
            self.encoding_combo.setItemText(0, auto)
            if was_auto:
                self.encoding_combo.setCurrentIndex(0)
                self.encoding_combo.setEditText(auto)
            user_crs = self.crs()
            if self._crs_detected is not None:
                crs, source = self._crs_detected
                self._crs_auto_text = f"{crs} ({self._crs_source_text(source)})"
            else:
                self._crs_auto_text = ""
            if user_crs is None:
                self.crs_edit.setText(self._crs_auto_text)
        finally:
            self._building = building

    def _retranslate_field_map(self) -> None:
        self.field_table.setHorizontalHeaderLabels([self.tr("Layer field"), self.tr("Column in the file")])
        kind = self.kind()
        spec = LAYERS[kind]
        for row in range(self.field_table.rowCount()):
            item = self.field_table.item(row, 0)
            if item is None:
                continue
            name = str(item.data(Qt.ItemDataRole.UserRole))
            f = spec.field(name)
            item.setText(field_title(kind, name) + (" *" if f.required else ""))
            combo = self._map_combos.get(name)
            if combo is not None:
                combo.setItemText(0, self.tr("(none)"))
        if kind == "fire_point":
            self.field_hint.setText(self.tr("Fire point files are read by their column names (longitude, "
                                            "latitude, acquisition date and time, satellite); cells, villages "
                                            "and townships are filled from the map."))
        else:
            self.field_hint.setText(self.tr("Choose the column of the file that fills each layer field; "
                                            "* marks required fields."))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _crs_string(crs: Any) -> str:
    """'EPSG:4326' for a pyproj CRS, an EPSG int or text; '' when unknown."""
    if crs is None:
        return ""
    if isinstance(crs, int):
        return f"EPSG:{crs}"
    if hasattr(crs, "to_epsg"):
        try:
            code = crs.to_epsg()
        except Exception:  # noqa: BLE001
            code = None
        if code:
            return f"EPSG:{code}"
        return crs.to_string() if hasattr(crs, "to_string") else str(crs)
    return str(crs)
