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

from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QImage
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
    QVBoxLayout,
    QWidget,
)

from ...app.imports import ImportOptions, ImportReport, PreparedImport
from ...layers import LAYERS
from ..jobs import Job
from ..texts import field_title, layer_title
from ..widgets import fill, fit_to_screen, hbox, named, retranslate_safely, scrolled, set_texts
from .frame_model import FrameTableModel
from .import_parts import (
    _EPSG,
    _ERROR_STYLE,
    _SUFFIX,
    ENCODINGS,
    MAP_SIZE,
    PREVIEW_ROWS,
    _Snapshot,
    preview_image,
)
from .import_run import ImportRunning
from .import_source import ImportSource

__all__ = ["ImportDialog", "PREVIEW_ROWS", "preview_image"]


# --------------------------------------------------------------------------------------------
# the dialog


class ImportDialog(QDialog, ImportSource, ImportRunning):
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
        #: The user chose the layer themselves: a fire-point file no longer switches it.
        self._kind_chosen = False
        #: Replacements of values the layer does not allow: {field: {value in the file: code}}.
        self.value_map: dict[str, dict[str, str]] = {}

        # -- widgets -------------------------------------------------------------------------
        self.file_edit = named(QLineEdit(), "importFile")
        self.browse_button = named(QPushButton(), "importBrowse")
        self.kind_combo = named(QComboBox(), "importKind")
        for kind in LAYERS:
            self.kind_combo.addItem(layer_title(kind), kind)
        self.layer_combo = named(QComboBox(), "importSourceLayer")
        self.layer_combo.setEnabled(False)
        self.encoding_combo = named(QComboBox(), "importEncoding")
        self.encoding_combo.setEditable(True)
        self.encoding_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.encoding_combo.addItem("", None)
        for enc in ENCODINGS:
            self.encoding_combo.addItem(enc, enc)
        self.crs_edit = named(QLineEdit(), "importCrs")
        self.append_radio = named(QRadioButton(), "importAppend")
        self.append_radio.setChecked(True)
        self.replace_radio = named(QRadioButton(), "importReplace")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.append_radio)
        self.mode_group.addButton(self.replace_radio)

        self.busy = named(QProgressBar(), "importBusy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setMaximumHeight(12)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.preview_model = FrameTableModel(parent=self)
        self.preview_table = named(QTableView(), "importPreviewTable")
        self.preview_table.setModel(self.preview_model)
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.verticalHeader().setDefaultSectionSize(22)
        self.preview_map = named(QLabel(), "importPreviewMap")
        self.preview_map.setFixedSize(*MAP_SIZE)
        self.preview_map.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview_map.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.notes_label = named(QLabel(), "importNotes")
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.field_table = named(QTableWidget(0, 2), "importFieldMap")
        self.field_table.verticalHeader().hide()
        self.field_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.field_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.field_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.field_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.field_hint = named(QLabel(), "importFieldHint")
        self.field_hint.setWordWrap(True)
        self._map_combos: dict[str, QComboBox] = {}

        self.summary_label = named(QLabel(), "importSummary")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.summary_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # values the layer does not allow, row by row: leave those rows out or map each value
        self.bad_box = named(QGroupBox(), "importBadValues")
        self.bad_hint = named(QLabel(), "importBadHint")
        self.bad_hint.setWordWrap(True)
        self.bad_table = named(QTableWidget(0, 4), "importBadTable")
        self.bad_table.verticalHeader().hide()
        self.bad_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.bad_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.bad_table.horizontalHeader().setStretchLastSection(True)
        fill(self.bad_box, self.bad_hint, self.bad_table)
        self.bad_box.hide()
        self.progress = named(QProgressBar(), "importProgress")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.hide()
        self.check_button = named(QPushButton(), "importCheck")
        self.check_button.setEnabled(False)
        self.import_button = named(QPushButton(), "importRun")
        self.import_button.setEnabled(False)
        self.cancel_button = named(QPushButton(), "importCancel")
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
        file_row = hbox((self.file_edit, 1), self.browse_button, stretch=False)
        mode_row = hbox(self.append_radio, self.replace_radio)
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
        fill(self.map_box, self.field_hint, self.field_table)

        actions = QHBoxLayout()
        actions.addWidget(self.check_button)
        actions.addWidget(self.import_button)
        actions.addWidget(self.cancel_button)
        actions.addWidget(self.progress, 1)
        actions.addWidget(self.buttons)

        # Everything but the summary and the buttons scrolls: on a 1366x768 screen Check and Import stay in view.
        body = QWidget()
        fill(body, self.options_box, (self.preview_box, 3), (self.map_box, 2), self.bad_box, margins=0)
        self.body_scroll = named(scrolled(body), "importBody")
        self.summary_scroll = named(scrolled(self.summary_label), "importSummaryScroll")
        self.summary_scroll.setMaximumHeight(150)
        fill(self, (self.body_scroll, 1), self.summary_scroll, actions)

        # -- behaviour -----------------------------------------------------------------------
        self.browse_button.clicked.connect(self.browse)
        self.file_edit.editingFinished.connect(self._on_file_edited)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.kind_combo.activated.connect(lambda _i: setattr(self, "_kind_chosen", True))
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
        fit_to_screen(self, 1000, 860)

    # -- public API ---------------------------------------------------------------------------

    def set_file(self, path: Path | str) -> None:
        """Choose the file to import: resets layer, encoding and CRS to automatic and previews it."""
        text = str(path)
        self.file_edit.setText(text)
        self._source_changed(text)

    def set_kind(self, kind: str) -> None:
        """Choose the target layer kind (a key of ``LAYERS``), as the user would."""
        self._kind_chosen = True
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
                             unmapped=self.unmapped_fields(), value_map=self.value_map_now(), skip_bad_rows=True)

    def value_map_now(self) -> dict[str, dict[str, str]]:
        """The replacements chosen for values the layer does not allow (rows left out otherwise)."""
        return {f: dict(m) for f, m in self.value_map.items() if m}

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


    # -- field mapping ------------------------------------------------------------------------

    def _on_kind_changed(self, *_args: Any) -> None:
        self.value_map.clear()
        self.bad_box.hide()
        self._rebuild_field_map()
        self._update_state()


    # -- check --------------------------------------------------------------------------------


    # -- import -------------------------------------------------------------------------------


    # -- state --------------------------------------------------------------------------------


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
        if self.prepared is not None and self.prepared.report.imported == 0:
            self.import_button.setToolTip(self.tr("Nothing to import: the check found no feature to write"))
        else:
            self.import_button.setToolTip(self.tr("Write the checked features into the project"))
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
        set_texts(self.check_button, self.tr("Check"), self.tr("Read and validate the file; nothing is written"))
        set_texts(self.import_button, self.tr("Import"), self.tr("Write the checked features into the project"))
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
            retranslate_safely(self)
        super().changeEvent(event)
