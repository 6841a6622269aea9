"""Export for briefings (File > Export for briefing…): maps, the interactive HTML map and tables.

The dialog offers five exports, each with its own options, an output file and a preview:

- map (地图): :func:`~gridwatch.export.maps.export_map` or ``export_atlas``; PDF or PNG;
- web map (交互式网页地图): :func:`~gridwatch.export.html.export_html`; HTML;
- findings ledger (整改台账): :func:`~gridwatch.export.tables.ledger_sheets`; XLSX or CSV;
- coverage table (覆盖率表): :func:`~gridwatch.analysis.coverage.coverage_from_project` and
  :func:`~gridwatch.export.tables.coverage_sheets`; XLSX or CSV;
- monthly ranking (月通报排名): :func:`~gridwatch.export.tables.ranking_sheets`; XLSX or CSV.

These are the functions ``gridwatch export ...`` calls, so a file made here equals the file the
command line makes with the same options.

Previews: a map is rendered as page 1 at :data:`PREVIEW_DPI` by the same ``export_map`` into a
temporary PNG; a table shows the first :data:`PREVIEW_ROWS` rows of a sheet and the row count; the
HTML map lists its layers, their feature counts and the file size.  Previews are refreshed
:data:`PREVIEW_DELAY_MS` after the last option change.

Every preview and export runs on a plain Python thread (``threading.Thread``), never on a
``QThreadPool`` thread: pyproj keeps a per-thread PROJ context that dangles on reused Qt pool
threads (pyproj issue #1509) and every map reprojects.  Results come back through queued signals
and carry a generation number, so a late preview of options the user has since changed is dropped.
Matplotlib's cached font objects are not thread-safe, so map previews and map exports take turns
(:data:`gridwatch.app.exports.RENDER_LOCK`).  The core writes every file to a temp file beside the target and moves it
into place: a failed or cancelled export leaves an existing file as it was.
"""

from __future__ import annotations

import datetime as _dt
import logging
import numbers
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QDate, QEvent, QSettings, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...app.exports import locked_render as _locked_render
from ...app.exports import map_spec, run_export, table_sheets
from ...app.periods import parse_periods
from ...errors import GridWatchError
from ...tasks import CancelToken, ProgressCallback
from .. import i18n
from ..jobs import Job, jobs_running
from ..texts import layer_title

__all__ = ["ExportDialog", "KINDS", "FORMATS", "PREVIEW_DPI", "PREVIEW_ROWS", "workers_running"]

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


# --------------------------------------------------------------------------------------------
# worker threads


def workers_running() -> bool:
    """True while any export-dialog preview or export is still running (tests wait for this)."""
    return jobs_running("export-preview") or any(jobs_running("export-" + k) for k in KINDS)


# --------------------------------------------------------------------------------------------
# widgets


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


class ExportDialog(QDialog):
    """Export maps, the HTML map and the briefing tables of one project (see the module docstring).

    Parameters
    ----------
    project_path : path-like, optional
        The project (.gpkg); default the controller's project.
    settings : QSettings, optional
        Where the last output folder is remembered; default the controller's settings.
    parent : QWidget, optional
    controller : WorkflowController, optional
        The main window's controller (its project and settings).

    ``now`` (attribute, default None = the clock) fixes the moment the exports describe.
    ``exported`` is emitted with the written path; ``previewUpdated`` after a preview was shown.
    """

    exported = Signal(object)
    previewUpdated = Signal()
    exportFinished = Signal(object)  # the written path, or None after an error or cancel

    def __init__(self, project_path: Optional[os.PathLike[str] | str] = None, settings: Optional[QSettings] = None,
                 parent: Optional[QWidget] = None, controller: Optional[Any] = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.controller = controller
        if project_path is None and controller is not None:
            project_path = getattr(controller, "path", None)
        if project_path is None:
            raise GridWatchError("no project is open: open a project before exporting")
        self.project_path = Path(project_path)
        self.settings = settings if settings is not None else (
            controller.settings if controller is not None else QSettings())
        self.now: Optional[_dt.datetime] = None
        self.district = ""
        self.townships: list[tuple[str, str]] = []
        self._load_townships()
        self._paths: dict[str, str] = {}  # output path per kind (the user may switch kinds and back)
        self._preview_gen = 0
        self._preview_worker: Optional[Job] = None
        self._shown_key: Optional[tuple[str, str]] = None  # options of the preview on screen
        self._export_gen = 0
        self._export_worker: Optional[Job] = None
        self._sheets: dict[str, Any] = {}
        self.last_written: Optional[Path] = None
        self.preview_message = ""
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(PREVIEW_DELAY_MS)
        self._debounce.timeout.connect(self.refresh_preview)

        self._build()
        self.retranslate()
        if controller is not None and hasattr(controller, "changed"):
            controller.changed.connect(self._project_changed)  # an edit elsewhere: the preview follows
        kind = str(self.settings.value(KIND_KEY, "map") or "map")
        self.kind_list.setCurrentRow(KINDS.index(kind) if kind in KINDS else 0)  # shows it (_kind_changed)
        self.resize(1180, 760)

    # --- project facts --------------------------------------------------------------------------
    def _load_townships(self) -> None:
        from ...storage import Project

        project = Project.open(self.project_path)
        self.district = project.district_name or ""
        towns = project.read_layer("township", columns=["code", "name"])
        pairs = sorted(zip(towns["code"].astype(str), towns["name"].astype(str)))
        self.townships = [(c, n) for c, n in pairs]

    # --- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        from ...analysis import stats
        from ...export.html import HTML_LAYERS
        from ...layers import LAYERS
        from ...storage.schema import FINDING_STATUSES

        style = self.style()
        icons = {"map": QStyle.StandardPixmap.SP_FileDialogDetailedView,
                 "html": QStyle.StandardPixmap.SP_DriveNetIcon,
                 "ledger": QStyle.StandardPixmap.SP_FileDialogListView,
                 "coverage": QStyle.StandardPixmap.SP_FileDialogInfoView,
                 "ranking": QStyle.StandardPixmap.SP_ArrowUp}
        self.kind_list = QListWidget()
        self.kind_list.setObjectName("kinds")
        self.kind_list.setIconSize(QSize(20, 20))
        self.kind_list.setSpacing(2)
        self.kind_list.setFixedWidth(205)
        for kind in KINDS:
            item = QListWidgetItem(style.standardIcon(icons[kind]), "")
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setSizeHint(QSize(195, 34))
            self.kind_list.addItem(item)
        self.kind_list.currentRowChanged.connect(lambda _r: self._kind_changed())

        # map options
        self.map_title = QLineEdit()
        self.map_title.setObjectName("mapTitle")
        self.map_title.setClearButtonEnabled(True)
        self.paper = QComboBox()
        self.paper.setObjectName("paper")
        for p in ("A4", "A3"):
            self.paper.addItem(p, p)
        self.orientation = QComboBox()
        self.orientation.setObjectName("orientation")
        self.orientation.addItem("", "portrait")
        self.orientation.addItem("", "landscape")
        self.dpi = QComboBox()
        self.dpi.setObjectName("dpi")
        self.dpi.addItem("150 dpi", 150)
        self.dpi.addItem("300 dpi", 300)
        self.dpi.setCurrentIndex(1)
        self.map_extent = self._township_combo("mapExtent")
        self.theme = QComboBox()
        self.theme.setObjectName("theme")
        self.theme.addItem("", "layers")
        self.theme.addItem("", "coverage")
        self.map_layers = _check_list()
        self.map_layers.setObjectName("mapLayers")
        for name in LAYERS:
            item = QListWidgetItem(layer_title(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setCheckState(Qt.CheckState.Checked)
            self.map_layers.addItem(item)
        self.atlas = QCheckBox()
        self.atlas.setObjectName("atlas")
        self.map_form = QFormLayout()
        self._rows: dict[str, QLabel] = {}
        self._add_row(self.map_form, "title", self.map_title)
        self._add_row(self.map_form, "paper", self.paper)
        self._add_row(self.map_form, "orientation", self.orientation)
        self._add_row(self.map_form, "dpi", self.dpi)
        self._add_row(self.map_form, "extent", self.map_extent)
        self._add_row(self.map_form, "theme", self.theme)
        self._add_row(self.map_form, "map_layers", self.map_layers)
        self.map_form.addRow("", self.atlas)

        # HTML options
        self.html_township = self._township_combo("htmlTownship")
        self.html_layers = _check_list()
        self.html_layers.setObjectName("htmlLayers")
        for name in HTML_LAYERS:
            if name == "fire_point":
                continue  # follows the fire-days box (the core needs a period for fire points)
            item = QListWidgetItem(layer_title(name) if name in LAYERS else "")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setCheckState(Qt.CheckState.Checked)
            self.html_layers.addItem(item)
        self.html_fires = QCheckBox()
        self.html_fires.setObjectName("htmlFires")
        self.fire_days = QSpinBox()
        self.fire_days.setObjectName("fireDays")
        self.fire_days.setRange(1, 366)
        self.fire_days.setValue(7)
        self.fire_days.setEnabled(False)
        self.html_fires.toggled.connect(self.fire_days.setEnabled)
        fires_row = QHBoxLayout()
        fires_row.addWidget(self.html_fires)
        fires_row.addWidget(self.fire_days)
        fires_row.addStretch(1)
        self.html_form = QFormLayout()
        self._add_row(self.html_form, "html_township", self.html_township)
        self._add_row(self.html_form, "html_layers", self.html_layers)
        self._add_row(self.html_form, "fires", fires_row)

        # ledger options
        self.ledger_status = _check_list()
        self.ledger_status.setObjectName("ledgerStatus")
        for status in FINDING_STATUSES:
            item = QListWidgetItem("")
            item.setData(Qt.ItemDataRole.UserRole, status)
            item.setCheckState(Qt.CheckState.Checked)
            self.ledger_status.addItem(item)
        self.ledger_township = self._township_combo("ledgerTownship")
        self.status_all = QPushButton()
        self.status_all.setObjectName("statusAll")
        self.status_all.clicked.connect(lambda: self._set_statuses(FINDING_STATUSES))
        self.status_open = QPushButton()
        self.status_open.setObjectName("statusOpen")
        self.status_open.clicked.connect(lambda: self._set_statuses(stats.OPEN_FINDINGS))
        status_buttons = QHBoxLayout()
        status_buttons.addWidget(self.status_all)
        status_buttons.addWidget(self.status_open)
        status_buttons.addStretch(1)
        self.ledger_form = QFormLayout()
        self._add_row(self.ledger_form, "status", self.ledger_status)
        self.ledger_form.addRow("", status_buttons)
        self._add_row(self.ledger_form, "ledger_township", self.ledger_township)

        # coverage options
        self.periods = QLineEdit("7,30")
        self.periods.setObjectName("periods")
        self.coverage_form = QFormLayout()
        self._add_row(self.coverage_form, "periods", self.periods)

        # ranking options
        self.month = QDateEdit()
        self.month.setObjectName("month")
        self.month.setDisplayFormat("yyyy-MM")
        today = _dt.datetime.now(stats.BEIJING)
        self.month.setDate(QDate(today.year, today.month, 1))
        self.weights: dict[str, QDoubleSpinBox] = {}
        self.ranking_form = QFormLayout()
        self._add_row(self.ranking_form, "month", self.month)
        self.weights_box = QGroupBox()
        weights_form = QFormLayout(self.weights_box)
        self.ranking_form.addRow(self.weights_box)
        for key, default in stats.DEFAULT_WEIGHTS.items():
            spin = QDoubleSpinBox()
            spin.setObjectName("weight_" + key)
            spin.setRange(0.0, 10.0)
            spin.setSingleStep(0.05)
            spin.setDecimals(2)
            spin.setValue(default)
            self.weights[key] = spin
            self._add_row(weights_form, "weight_" + key, spin)
        self.reset_weights = QPushButton()
        self.reset_weights.setObjectName("resetWeights")
        self.reset_weights.clicked.connect(self._reset_weights)
        reset_row = QHBoxLayout()
        reset_row.addStretch(1)
        reset_row.addWidget(self.reset_weights)
        weights_form.addRow(reset_row)

        for lst in (self.map_layers, self.html_layers, self.ledger_status):
            _fit_height(lst)
        self.options_stack = QStackedWidget()
        for form in (self.map_form, self.html_form, self.ledger_form, self.coverage_form, self.ranking_form):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            page = QWidget()
            outer = QVBoxLayout(page)
            outer.setContentsMargins(0, 0, 0, 0)
            outer.addLayout(form)
            outer.addStretch(1)
            self.options_stack.addWidget(page)
        self.options_box = QGroupBox()
        QVBoxLayout(self.options_box).addWidget(self.options_stack)

        # output file
        self.format = QComboBox()
        self.format.setObjectName("format")
        self.out_edit = QLineEdit()
        self.out_edit.setObjectName("outPath")
        self.browse = QPushButton()
        self.browse.setObjectName("browse")
        self.browse.clicked.connect(self.choose_file)
        self.output_box = QGroupBox()
        out_form = QFormLayout(self.output_box)
        file_row = QHBoxLayout()
        file_row.addWidget(self.out_edit, 1)
        file_row.addWidget(self.browse)
        self._add_row(out_form, "format", self.format)
        self._add_row(out_form, "file", file_row)
        self.format.currentIndexChanged.connect(lambda _i: self._format_changed())

        # preview
        self.preview_image = _ScaledImage()
        self.preview_image.setObjectName("previewImage")
        self.preview_image.setStyleSheet("background: #eceff1; border: 1px solid #cfd8dc;")
        self.preview_table = QTableWidget(0, 0)
        self.preview_table.setObjectName("previewTable")
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.setAlternatingRowColors(True)
        self.preview_table.verticalHeader().setDefaultSectionSize(22)
        self.preview_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview_table.horizontalHeader().setStretchLastSection(True)
        self.preview_table.verticalHeader().hide()
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheet")
        self.sheet_combo.currentIndexChanged.connect(lambda _i: self._show_sheet())
        self.sheet_label = QLabel()
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(self.sheet_label)
        sheet_row.addWidget(self.sheet_combo, 1)
        table_page = QWidget()
        tp = QVBoxLayout(table_page)
        tp.setContentsMargins(0, 0, 0, 0)
        tp.addLayout(sheet_row)
        tp.addWidget(self.preview_table, 1)
        self.preview_stack = QStackedWidget()
        self.preview_stack.addWidget(self.preview_image)
        self.preview_stack.addWidget(table_page)
        self.preview_info = QLabel()
        self.preview_info.setObjectName("previewInfo")
        self.preview_info.setWordWrap(True)
        self.preview_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_box = QGroupBox()
        pv = QVBoxLayout(self.preview_box)
        pv.addWidget(self.preview_stack, 1)
        pv.addWidget(self.preview_info)

        # progress, result, buttons
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("cancelExport")
        self.cancel_button.clicked.connect(self.cancel_export)
        self.cancel_button.hide()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder = QPushButton()
        self.open_folder.setObjectName("openFolder")
        self.open_folder.clicked.connect(self.open_output_folder)
        self.open_folder.hide()
        self.export_button = QPushButton()
        self.export_button.setObjectName("exportButton")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        left = QVBoxLayout()
        left.addWidget(self.options_box, 1)
        left.addWidget(self.output_box)
        middle = QWidget()
        middle.setLayout(left)
        middle.setMinimumWidth(400)
        body = QHBoxLayout()
        body.addWidget(self.kind_list)
        body.addWidget(middle, 0)
        body.addWidget(self.preview_box, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.open_folder)
        buttons.addSpacing(12)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addLayout(body, 1)
        lay.addWidget(line)
        lay.addLayout(progress_row)
        lay.addLayout(buttons)

        # any option change refreshes the preview (debounced)
        for combo in (self.paper, self.orientation, self.dpi, self.map_extent, self.html_township,
                      self.ledger_township):
            combo.currentIndexChanged.connect(lambda _i: self._options_changed())
        self.theme.currentIndexChanged.connect(lambda _i: self._theme_changed())
        self.map_title.textChanged.connect(lambda _t: self._options_changed())
        self.periods.textChanged.connect(lambda _t: self._options_changed())
        self.month.dateChanged.connect(lambda _d: self._options_changed())
        self.atlas.toggled.connect(lambda _b: self._atlas_changed())
        self.html_fires.toggled.connect(lambda _b: self._options_changed())
        self.fire_days.valueChanged.connect(lambda _v: self._options_changed())
        for spin in self.weights.values():
            spin.valueChanged.connect(lambda _v: self._options_changed())
        for lst in (self.map_layers, self.html_layers, self.ledger_status):
            lst.itemChanged.connect(lambda _item: self._options_changed())

    def _township_combo(self, name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.addItem("", "")
        for code, town in self.townships:
            combo.addItem(town, code)
            combo.setItemData(combo.count() - 1, code, Qt.ItemDataRole.ToolTipRole)
        combo.setMaxVisibleItems(20)
        return combo

    def _add_row(self, form: QFormLayout, key: str, field: Any) -> None:
        label = QLabel()
        self._rows[key] = label
        if isinstance(field, QWidget):
            label.setBuddy(field)
        form.addRow(label, field)

    # --- texts ----------------------------------------------------------------------------------
    def kind_title(self, kind: str) -> str:
        return {"map": self.tr("Map (PNG/PDF)"), "html": self.tr("Web map (HTML)"),
                "ledger": self.tr("Findings ledger"), "coverage": self.tr("Coverage table"),
                "ranking": self.tr("Monthly ranking")}[kind]

    def retranslate(self) -> None:
        from ...analysis import stats
        from ...domain.vocabulary import FINDING_STATUS_TITLES, title

        lang = i18n.current()
        self.setWindowTitle(self.tr("Export for briefing"))
        for i, kind in enumerate(KINDS):
            self.kind_list.item(i).setText(self.kind_title(kind))
        self.options_box.setTitle(self.tr("Options"))
        self.output_box.setTitle(self.tr("Output file"))
        self.preview_box.setTitle(self.tr("Preview"))
        r = self._rows
        r["title"].setText(self.tr("Title:"))
        self.map_title.setPlaceholderText(self.tr("Default: district, township and map name"))
        r["paper"].setText(self.tr("Paper:"))
        r["orientation"].setText(self.tr("Orientation:"))
        r["dpi"].setText(self.tr("Resolution:"))
        self.dpi.setToolTip(self.tr("Pixels per inch of a PNG (300 for print); a PDF is vector"))
        self.orientation.setItemText(0, self.tr("Portrait"))
        self.orientation.setItemText(1, self.tr("Landscape"))
        r["extent"].setText(self.tr("Extent:"))
        r["theme"].setText(self.tr("Theme:"))
        self.theme.setItemText(0, self.tr("Layers in the map's styles"))
        self.theme.setItemText(1, self.tr("Patrol coverage (days since the last inspection)"))
        r["map_layers"].setText(self.tr("Layers:"))
        self.atlas.setText(self.tr("Atlas: an overview page, then one page per township (PDF)"))
        r["html_township"].setText(self.tr("Township:"))
        r["html_layers"].setText(self.tr("Layers:"))
        for i in range(self.html_layers.count()):
            item = self.html_layers.item(i)
            key = item.data(Qt.ItemDataRole.UserRole)
            item.setText(self.tr("Findings") if key == "finding" else layer_title(key))
        r["fires"].setText(self.tr("Fire points:"))
        self.html_fires.setText(self.tr("Add those detected in the last"))
        self.fire_days.setSuffix(self.tr(" days"))
        r["status"].setText(self.tr("Status:"))
        for i in range(self.ledger_status.count()):
            item = self.ledger_status.item(i)
            item.setText(title(FINDING_STATUS_TITLES, item.data(Qt.ItemDataRole.UserRole), lang))
        r["ledger_township"].setText(self.tr("Township:"))
        self.status_all.setText(self.tr("All"))
        self.status_open.setText(self.tr("Open only"))
        self.status_open.setToolTip(self.tr("Found, assigned and rectified: not yet verified or closed"))
        r["periods"].setText(self.tr("Periods (days):"))
        self.periods.setToolTip(self.tr("Whole days separated by commas, e.g. 7,30"))
        r["month"].setText(self.tr("Month (Beijing time):"))
        names = {"coverage": self.tr("Coverage"), "closure": self.tr("Closure rate"),
                 "overdue": self.tr("Overdue per cell (fewer is better)"),
                 "fire_in_time": self.tr("Fire checks in time"),
                 "fires": self.tr("Fire points per cell (fewer is better)")}
        self.weights_box.setTitle(self.tr("Weights of the indicators"))
        for key in stats.DEFAULT_WEIGHTS:
            r["weight_" + key].setText(names[key])
        self.reset_weights.setText(self.tr("Default weights"))
        for combo in (self.map_extent, self.html_township, self.ledger_township):
            combo.setItemText(0, self.tr("Whole district (%s)") % self.district if self.district
                              else self.tr("Whole district"))
        r["format"].setText(self.tr("Format:"))
        r["file"].setText(self.tr("File:"))
        self.browse.setText(self.tr("Browse…"))
        self.sheet_label.setText(self.tr("Sheet:"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.open_folder.setText(self.tr("Open folder"))
        self.export_button.setText(self.tr("Export"))
        self.close_button.setText(self.tr("Close"))
        self._update_atlas_enabled()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- options --------------------------------------------------------------------------------
    def kind(self) -> str:
        item = self.kind_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else "map"

    def set_kind(self, kind: str) -> None:
        self.kind_list.setCurrentRow(KINDS.index(kind))

    def options(self) -> dict[str, Any]:
        """The options of the current export, as the core functions take them."""
        kind = self.kind()
        if kind == "map":
            return {"title": self.map_title.text().strip(), "paper": self.paper.currentData(),
                    "orientation": self.orientation.currentData(), "dpi": int(self.dpi.currentData()),
                    "extent": self.map_extent.currentData() or "district", "theme": self.theme.currentData(),
                    "layers": _checked(self.map_layers),
                    "atlas": self.atlas.isChecked() and self.suffix() == ".pdf"}
        if kind == "html":
            return {"township": self.html_township.currentData() or None, "layers": _checked(self.html_layers),
                    "fire_days": self.fire_days.value() if self.html_fires.isChecked() else None}
        if kind == "ledger":
            statuses = _checked(self.ledger_status)
            return {"statuses": statuses if len(statuses) < self.ledger_status.count() else None,
                    "township": self.ledger_township.currentData() or None, "all_statuses": statuses}
        if kind == "coverage":
            return {"periods_text": self.periods.text()}
        d = self.month.date()
        return {"month": f"{d.year():04d}-{d.month():02d}",
                "weights": {k: float(s.value()) for k, s in self.weights.items()}}

    def _core_options(self, kind: str, options: dict[str, Any]) -> dict[str, Any]:
        """``options`` checked and completed; GridWatchError names a wrong one."""
        from ...analysis import stats

        out = dict(options)
        if kind == "map" and not out["layers"]:
            raise GridWatchError(self.tr("Choose at least one layer for the map."))
        if kind == "html" and not out["layers"] and out.get("fire_days") is None:
            raise GridWatchError(self.tr("Choose at least one layer for the web map."))
        if kind == "ledger" and not out["all_statuses"]:
            raise GridWatchError(self.tr("Choose at least one finding status for the ledger."))
        if kind == "coverage":
            out["periods"] = parse_periods(out["periods_text"])
        if kind == "ranking":
            stats.validate_weights(out["weights"])
        return out

    def _options_changed(self) -> None:
        if self.kind() == "map":
            self._update_atlas_enabled()
        self._schedule_preview()

    def _theme_changed(self) -> None:
        from ...export.maps import DEFAULT_LAYERS

        _set_checked(self.map_layers, DEFAULT_LAYERS[self.theme.currentData()])
        self._options_changed()

    def _atlas_changed(self) -> None:
        self._update_atlas_enabled()
        self._update_default_name()
        self._schedule_preview()

    def _update_atlas_enabled(self) -> None:
        pdf = self.kind() == "map" and self.suffix() == ".pdf"
        self.atlas.setEnabled(pdf)
        self.atlas.setToolTip("" if pdf else self.tr("An atlas is a multi-page PDF: choose the PDF format"))
        self.map_extent.setEnabled(not (pdf and self.atlas.isChecked()))

    def _set_statuses(self, statuses: Any) -> None:
        _set_checked(self.ledger_status, statuses)
        self._options_changed()

    def _reset_weights(self) -> None:
        from ...analysis import stats

        for key, spin in self.weights.items():
            spin.setValue(stats.DEFAULT_WEIGHTS[key])

    def _kind_changed(self) -> None:
        kind = self.kind()
        previous = getattr(self, "_shown_kind", None)
        if previous is not None:
            self._paths[previous] = self.out_edit.text()
        self._shown_kind = kind
        self.settings.setValue(KIND_KEY, kind)
        self.options_stack.setCurrentIndex(KINDS.index(kind))
        self.format.blockSignals(True)
        self.format.clear()
        for suffix in FORMATS[kind]:
            self.format.addItem(suffix[1:].upper(), suffix)
        self.format.blockSignals(False)
        saved = self._paths.get(kind)
        if saved:
            self.out_edit.setText(saved)
            i = self.format.findData(Path(saved).suffix.lower())
            if i >= 0:
                self.format.blockSignals(True)
                self.format.setCurrentIndex(i)
                self.format.blockSignals(False)
        else:
            self.out_edit.setText(str(self._default_path(kind)))
        self.preview_stack.setCurrentIndex(0 if kind == "map" else 1)
        self.sheet_combo.setVisible(kind != "html")
        self.sheet_label.setVisible(kind != "html")
        self._update_atlas_enabled()
        self._clear_result()
        self.refresh_preview()

    # --- output file ----------------------------------------------------------------------------
    def suffix(self) -> str:
        return str(self.format.currentData() or FORMATS[self.kind()][0])

    def _folder(self) -> Path:
        folder = str(self.settings.value(FOLDER_KEY, "") or "")
        if folder and Path(folder).is_dir():
            return Path(folder)
        return self.project_path.parent

    def _default_path(self, kind: str) -> Path:
        now = (self.now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone(_dt.timedelta(hours=8)))
        word = _FILE_WORDS["atlas" if kind == "map" and self.atlas.isChecked() else kind]
        if kind == "ranking":
            d = self.month.date()
            stamp = f"{d.year():04d}{d.month():02d}"
        else:
            stamp = now.strftime("%Y%m%d")
        parts = [p for p in (self.district, word, stamp) if p]
        suffix = self.suffix() if self.suffix() in FORMATS[kind] else FORMATS[kind][0]
        return self._folder() / ("_".join(parts) + suffix)

    def _update_default_name(self) -> None:
        """After the atlas box changes: a default-looking file name follows it."""
        current = Path(self.out_edit.text())
        if any(w in current.name for w in (_FILE_WORDS["map"], _FILE_WORDS["atlas"])):
            self.out_edit.setText(str(current.parent / self._default_path("map").name))

    def output_path(self) -> Optional[Path]:
        text = self.out_edit.text().strip()
        if not text:
            return None
        path = Path(os.path.expanduser(text))
        if not path.is_absolute():
            path = self._folder() / path
        if path.suffix.lower() != self.suffix() and not (self.suffix() == ".html" and path.suffix.lower() == ".htm"):
            path = path.with_name(path.name + self.suffix()) if path.suffix.lower() not in _FILTERS \
                else path.with_suffix(self.suffix())
        return path

    def _format_changed(self) -> None:
        text = self.out_edit.text().strip()
        if text:
            path = Path(text)
            if path.suffix.lower() in _FILTERS:
                self.out_edit.setText(str(path.with_suffix(self.suffix())))
        self._update_atlas_enabled()
        self._schedule_preview()

    def choose_file(self) -> None:
        """Browse…: a save-file dialog starting in the last export folder."""
        current = self.output_path() or self._default_path(self.kind())
        filters = ";;".join(_FILTERS[s] for s in FORMATS[self.kind()])
        path, chosen = QFileDialog.getSaveFileName(self, self.tr("Export to"), str(current), filters,
                                                   _FILTERS[self.suffix()])
        if not path:
            return
        suffix = next((s for s, f in _FILTERS.items() if f == chosen), self.suffix())
        p = Path(path)
        if p.suffix.lower() not in FORMATS[self.kind()]:
            p = p.with_name(p.name + suffix)
        i = self.format.findData(p.suffix.lower() if p.suffix.lower() != ".htm" else ".html")
        if i >= 0:
            self.format.setCurrentIndex(i)
        self.out_edit.setText(str(p))
        self.settings.setValue(FOLDER_KEY, str(p.parent))

    # --- preview --------------------------------------------------------------------------------
    def _project_changed(self, *_args: Any) -> None:
        if getattr(self.controller, "path", None) not in (None, self.project_path):
            return
        self._shown_key = None
        self._schedule_preview()

    def _schedule_preview(self) -> None:
        self._debounce.start()

    def refresh_preview(self) -> None:
        """Compute the preview of the current options on a worker thread (stale ones are dropped)."""
        self._debounce.stop()
        if self._preview_worker is not None:
            self._preview_worker.cancel()
        self._preview_gen += 1
        kind = self.kind()
        path, now = self.project_path, self.now
        try:
            options = self._core_options(kind, self.options())
        except GridWatchError as exc:
            self._preview_worker = None
            self._show_preview_error(i18n.error_text(exc))
            return
        key = (kind, repr(sorted((k, v) for k, v in options.items() if k != "dpi")))
        if key == self._shown_key:
            # only the resolution or the file format changed: same picture, new description
            self._preview_worker = None
            self.preview_info.setStyleSheet("")
            if kind == "map":
                self.preview_info.setText(self._map_info(options))
            elif kind != "html":
                self._show_sheet()
            self.preview_message = self.preview_info.text()
            self.previewUpdated.emit()
            return
        self._shown_key = None
        self.preview_info.setStyleSheet("")
        self.preview_info.setText(self.tr("Updating the preview…"))

        if kind == "map":
            def work(progress: ProgressCallback, cancel: CancelToken) -> Any:
                from ...export.maps import export_map

                spec = replace(map_spec(options, now), dpi=PREVIEW_DPI)
                with tempfile.TemporaryDirectory(prefix="gridwatch-preview-") as folder:
                    out = _locked_render(cancel, lambda: export_map(path, Path(folder) / "page1.png", spec,
                                                                    cancel=cancel))
                    image = QImage(str(out))  # QImage (not QPixmap) may be made on a worker thread
                return ("map", image, options, key)
        elif kind == "html":
            def work(progress: ProgressCallback, cancel: CancelToken) -> Any:
                from ...export.html import build_layers, render_html

                layers, facts = build_layers(path, layers=options["layers"], township=options.get("township"),
                                             fire_days=options.get("fire_days"), now=now)
                cancel.raise_if_cancelled()
                size = len(render_html(layers, facts).encode("utf-8"))
                return ("html", [(layer.title, len(layer)) for layer in layers], size, key)
        else:
            def work(progress: ProgressCallback, cancel: CancelToken) -> Any:
                return ("table", table_sheets(kind, path, options, now), key)

        worker = Job(work, "export-preview", tag=self._preview_gen)
        worker.succeeded.connect(self._preview_done, Qt.ConnectionType.QueuedConnection)
        worker.failed.connect(self._preview_failed, Qt.ConnectionType.QueuedConnection)
        self._preview_worker = worker
        worker.start()

    @property
    def preview_busy(self) -> bool:
        """True while a preview is scheduled or being computed."""
        # _preview_worker is cleared on the GUI thread when its (queued) result has been shown
        return self._debounce.isActive() or self._preview_worker is not None

    def _preview_done(self, job: Job, result: Any) -> None:
        if job.tag != self._preview_gen:
            return
        self._preview_worker = None
        what = result[0]
        self._shown_key = result[-1]
        if what == "map":
            image, options = result[1], result[2]
            self.preview_image.set_image(QPixmap.fromImage(image))
            self.preview_info.setText(self._map_info(options))
        elif what == "html":
            rows, size = result[1], result[2]
            self._fill_table([self.tr("Layer"), self.tr("Features")], [[t, n] for t, n in rows])
            total = sum(n for _, n in rows)
            self.preview_info.setText(self.tr("%1 layers, %2 features; the file will be about %3 and opens "
                                              "offline in any browser.").replace("%1", str(len(rows)))
                                      .replace("%2", str(total)).replace("%3", _size_text(size)))
        else:
            self._sheets = result[1]
            self.sheet_combo.blockSignals(True)
            self.sheet_combo.clear()
            self.sheet_combo.addItems(list(self._sheets))
            self.sheet_combo.blockSignals(False)
            self._show_sheet()
        self.preview_message = self.preview_info.text()
        self.previewUpdated.emit()

    def _map_info(self, options: dict[str, Any]) -> str:
        from ...export.maps import PAPER_MM

        short, long = PAPER_MM[options["paper"]]
        w_mm, h_mm = (short, long) if options["orientation"] == "portrait" else (long, short)
        paper = "%s %s" % (options["paper"], self.orientation.currentText())
        if self.suffix() == ".png":
            px = (round(w_mm / 25.4 * options["dpi"]), round(h_mm / 25.4 * options["dpi"]))
            return self.tr("Page 1 shown at %1 dpi. The PNG will be %2 at %3 dpi (%4 × %5 pixels).") \
                .replace("%1", str(PREVIEW_DPI)).replace("%2", paper).replace("%3", str(options["dpi"])) \
                .replace("%4", str(px[0])).replace("%5", str(px[1]))
        pages = 1 + len(self.townships) if options.get("atlas") else 1
        return self.tr("Page 1 shown at %1 dpi. The PDF will be %2, %3 page(s), vector with text you can "
                       "search.").replace("%1", str(PREVIEW_DPI)).replace("%2", paper).replace("%3", str(pages))

    def _show_sheet(self) -> None:
        name = self.sheet_combo.currentText()
        frame = self._sheets.get(name)
        if frame is None:
            return
        head = frame.head(PREVIEW_ROWS)
        rows = [[v for v in row] for row in head.itertuples(index=False, name=None)]
        self._fill_table([str(c) for c in frame.columns], rows)
        n = len(frame)
        info = [self.tr("Sheet %1: %2 rows.").replace("%1", name).replace("%2", str(n))]
        if n > PREVIEW_ROWS:
            info.append(self.tr("The first %1 rows are shown.").replace("%1", str(PREVIEW_ROWS)))
        if self.suffix() == ".csv":
            info.append(self.tr("A CSV file holds only the first sheet (%1).").replace("%1", next(iter(self._sheets))))
        elif len(self._sheets) > 1:
            info.append(self.tr("The workbook has %1 sheets: %2.").replace("%1", str(len(self._sheets)))
                        .replace("%2", "、".join(self._sheets)))
        self.preview_info.setText(" ".join(info))
        self.preview_message = info

    def _fill_table(self, header: list[str], rows: list[list[Any]]) -> None:
        t = self.preview_table
        t.clear()
        t.setColumnCount(len(header))
        t.setRowCount(len(rows))
        t.setHorizontalHeaderLabels(header)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
                if text in ("<NA>", "NaT", "nan"):
                    text = ""
                item = QTableWidgetItem(text)
                if isinstance(value, numbers.Real) and not isinstance(value, bool):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                t.setItem(i, j, item)
        t.resizeColumnsToContents()
        for j in range(t.columnCount()):
            t.setColumnWidth(j, max(56, min(t.columnWidth(j), 260)))

    def _preview_failed(self, job: Job, message: str, kind: str) -> None:
        if job.tag != self._preview_gen:
            return
        self._preview_worker = None
        if kind == "cancelled":
            return
        self._show_preview_error(message)

    def _show_preview_error(self, message: str) -> None:
        self._shown_key = None
        self.preview_info.setStyleSheet(_ERROR_STYLE)
        self.preview_info.setText(self.tr("No preview: %s") % message)
        self.preview_message = self.preview_info.text()
        self.previewUpdated.emit()

    # --- export ---------------------------------------------------------------------------------
    @property
    def exporting(self) -> bool:
        return self._export_worker is not None

    def start_export(self) -> None:
        """Export: check the options and the file name, then write on a worker thread."""
        if self.exporting:
            return
        kind = self.kind()
        self._clear_result()
        typed = Path(self.out_edit.text().strip()).suffix.lower()
        if typed != self.suffix() and typed in FORMATS[kind]:
            self.format.setCurrentIndex(self.format.findData(typed))  # "报告.csv" typed: CSV it is
        out = self.output_path()
        if out is None:
            self._show_error(self.tr("Choose the file to write."))
            return
        try:
            options = self._core_options(kind, self.options())
        except GridWatchError as exc:
            self._show_error(self.tr("Cannot export to %1: %2").replace("%1", str(out))
                             .replace("%2", i18n.error_text(exc)))
            return
        if self.out_edit.text().strip() != str(out):
            self.out_edit.setText(str(out))
        path, now = self.project_path, self.now
        self._export_gen += 1
        worker = Job(lambda progress, cancel: run_export(kind, path, out, options, now=now, progress=progress,
                                                         cancel=cancel), "export-" + kind, tag=self._export_gen)
        worker.progressed.connect(self._export_progress, Qt.ConnectionType.QueuedConnection)
        worker.succeeded.connect(self._export_done, Qt.ConnectionType.QueuedConnection)
        worker.failed.connect(self._export_failed, Qt.ConnectionType.QueuedConnection)
        worker.out = out  # type: ignore[attr-defined]
        self._export_worker = worker
        self._set_busy(True)
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Exporting to %s…") % out.name)
        worker.start()

    def cancel_export(self) -> None:
        """Cancel: the export stops at its next step; an existing file is left as it was."""
        if self._export_worker is not None:
            self._export_worker.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling…"))

    def _set_busy(self, busy: bool) -> None:
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.export_button.setEnabled(not busy)
        self.kind_list.setEnabled(not busy)
        self.options_box.setEnabled(not busy)
        self.output_box.setEnabled(not busy)

    def _export_progress(self, job: Job, fraction: float, message: str) -> None:
        if job.tag != self._export_gen or self._export_worker is None:
            return
        self.progress.setValue(int(round(max(0.0, min(1.0, fraction)) * 1000)))
        self.progress.setFormat((message.replace("%", "％") + "  " if message else "") + "%p%")

    def _export_done(self, job: Job, result: Any) -> None:
        if job.tag != self._export_gen:
            return
        self._export_worker = None
        self._set_busy(False)
        out = Path(result)
        self.last_written = out
        self.settings.setValue(FOLDER_KEY, str(out.parent))
        try:
            size = _size_text(out.stat().st_size)
        except OSError:
            size = ""
        self.status.setStyleSheet(_OK_STYLE)
        self.status.setText(self.tr("Written: %1 (%2)").replace("%1", str(out)).replace("%2", size))
        self.open_folder.show()
        self.exported.emit(out)
        self.exportFinished.emit(out)

    def _export_failed(self, job: Job, message: str, kind: str) -> None:
        if job.tag != self._export_gen or self._export_worker is None:
            return
        out = getattr(self._export_worker, "out", None)
        self._export_worker = None
        self._set_busy(False)
        if kind == "cancelled":
            self.status.setStyleSheet("")
            self.status.setText(self.tr("Export cancelled; %s was not changed.") % (out.name if out else ""))
        else:
            if out is not None and str(out) in message:  # core messages name the file themselves
                self._show_error(self.tr("Could not write: %s") % message)
            else:
                self._show_error(self.tr("Could not write %1: %2").replace("%1", str(out)).replace("%2", message))
        self.exportFinished.emit(None)

    def _show_error(self, text: str) -> None:
        self.status.setStyleSheet(_ERROR_STYLE)
        self.status.setText(text)

    def _clear_result(self) -> None:
        self.status.setText("")
        self.status.setStyleSheet("")
        self.open_folder.hide()

    def open_output_folder(self) -> None:
        """Open folder: the folder of the written file in the system's file manager."""
        if self.last_written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_written.parent)))

    # --- closing --------------------------------------------------------------------------------
    def done(self, result: int) -> None:  # noqa: D401 - Qt API
        """Closing cancels a running preview or export (an existing file stays as it was)."""
        self._debounce.stop()
        if self._preview_worker is not None:
            self._preview_worker.cancel()
        if self._export_worker is not None:
            self._export_worker.cancel()
        super().done(result)
