"""The export dialog's form: building its widgets and their texts."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
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
    QSpinBox,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.vocabulary import COVERAGE_BASES
from .. import i18n
from ..texts import layer_title
from ..widgets import fill, hbox, named, weight_spin
from .export_parts import (
    KINDS,
    _check_list,
    _fit_height,
    _ScaledImage,
)

# Texts keep the ExportDialog translation context (they are the ExportDialog's own).
translate = QCoreApplication.translate


class ExportForm:
    """Widgets of the export dialog and their texts (part of ExportDialog)."""

    def _build(self) -> None:
        from ...analysis import stats
        from ...app.store import FINDING_STATUSES
        from ...export.html_layers import HTML_LAYERS
        from ...layers import LAYERS

        style = self.style()
        icons = {"map": QStyle.StandardPixmap.SP_FileDialogDetailedView,
                 "html": QStyle.StandardPixmap.SP_DriveNetIcon,
                 "ledger": QStyle.StandardPixmap.SP_FileDialogListView,
                 "coverage": QStyle.StandardPixmap.SP_FileDialogInfoView,
                 "ranking": QStyle.StandardPixmap.SP_ArrowUp}
        self.kind_list = named(QListWidget(), "kinds")
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
        self.map_title = named(QLineEdit(), "mapTitle")
        self.map_title.setClearButtonEnabled(True)
        self.paper = named(QComboBox(), "paper")
        for p in ("A4", "A3"):
            self.paper.addItem(p, p)
        self.orientation = named(QComboBox(), "orientation")
        self.orientation.addItem("", "portrait")
        self.orientation.addItem("", "landscape")
        self.dpi = named(QComboBox(), "dpi")
        self.dpi.addItem("150 dpi", 150)
        self.dpi.addItem("300 dpi", 300)
        self.dpi.setCurrentIndex(1)
        self.map_extent = self._township_combo("mapExtent")
        self.theme = named(QComboBox(), "theme")
        self.theme.addItem("", "layers")
        self.theme.addItem("", "coverage")
        self.map_basis = named(QComboBox(), "mapCoverageBasis")  # what counts as a patrol on a coverage map
        for basis in COVERAGE_BASES:
            self.map_basis.addItem("", basis)
        self.map_layers = named(_check_list(), "mapLayers")
        for name in LAYERS:
            item = QListWidgetItem(layer_title(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setCheckState(Qt.CheckState.Checked)
            self.map_layers.addItem(item)
        self.atlas = named(QCheckBox(), "atlas")
        self.map_form = QFormLayout()
        self._rows: dict[str, QLabel] = {}
        self._add_row(self.map_form, "title", self.map_title)
        self._add_row(self.map_form, "paper", self.paper)
        self._add_row(self.map_form, "orientation", self.orientation)
        self._add_row(self.map_form, "dpi", self.dpi)
        self._add_row(self.map_form, "extent", self.map_extent)
        self._add_row(self.map_form, "theme", self.theme)
        self._add_row(self.map_form, "map_basis", self.map_basis)
        self._add_row(self.map_form, "map_layers", self.map_layers)
        self.map_form.addRow("", self.atlas)

        # HTML options
        self.html_township = self._township_combo("htmlTownship")
        self.html_layers = named(_check_list(), "htmlLayers")
        for name in HTML_LAYERS:
            if name == "fire_point":
                continue  # follows the fire-days box (the core needs a period for fire points)
            item = QListWidgetItem(layer_title(name) if name in LAYERS else "")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setCheckState(Qt.CheckState.Checked)
            self.html_layers.addItem(item)
        self.html_fires = named(QCheckBox(), "htmlFires")
        self.fire_days = named(QSpinBox(), "fireDays")
        self.fire_days.setRange(1, 366)
        self.fire_days.setValue(7)
        self.fire_days.setEnabled(False)
        self.fire_days.hide()  # the period above says which fire points
        fires_row = hbox(self.html_fires, self.fire_days)
        self.html_theme = named(QComboBox(), "htmlTheme")
        self.html_theme.addItem("", "coverage")
        self.html_theme.addItem("", "plain")
        self.html_basis = named(QComboBox(), "htmlCoverageBasis")
        for basis in COVERAGE_BASES:
            self.html_basis.addItem("", basis)
        self.html_form = QFormLayout()
        self._add_row(self.html_form, "html_township", self.html_township)
        self._add_row(self.html_form, "html_theme", self.html_theme)
        self._add_row(self.html_form, "html_basis", self.html_basis)
        self._add_row(self.html_form, "html_layers", self.html_layers)
        self._add_row(self.html_form, "fires", fires_row)

        # ledger options
        self.ledger_status = named(_check_list(), "ledgerStatus")
        for status in FINDING_STATUSES:
            item = QListWidgetItem("")
            item.setData(Qt.ItemDataRole.UserRole, status)
            item.setCheckState(Qt.CheckState.Checked)
            self.ledger_status.addItem(item)
        self.ledger_township = self._township_combo("ledgerTownship")
        self.status_all = named(QPushButton(), "statusAll", clicked=lambda: self._set_statuses(FINDING_STATUSES))
        self.status_open = named(QPushButton(), "statusOpen", clicked=lambda: self._set_statuses(stats.OPEN_FINDINGS))
        status_buttons = hbox(self.status_all, self.status_open)
        self.ledger_form = QFormLayout()
        self._add_row(self.ledger_form, "status", self.ledger_status)
        self.ledger_form.addRow("", status_buttons)
        self._add_row(self.ledger_form, "ledger_township", self.ledger_township)

        # coverage options
        self.periods = named(QLineEdit("7,30"), "periods")
        self.coverage_form = QFormLayout()
        self._add_row(self.coverage_form, "periods", self.periods)
        self.basis = named(QComboBox(), "coverageBasisExport")  # reported inspections, patrol tracks or both
        for basis in COVERAGE_BASES:
            self.basis.addItem("", basis)
        self._add_row(self.coverage_form, "basis", self.basis)

        # ranking options
        self.month = named(QDateEdit(), "month")
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
            spin = weight_spin(key, default)
            self.weights[key] = spin
            self._add_row(weights_form, "weight_" + key, spin)
        self.reset_weights = named(QPushButton(), "resetWeights", clicked=self._reset_weights)
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
        self.format = named(QComboBox(), "format")
        self.out_edit = named(QLineEdit(), "outPath")
        self.browse = named(QPushButton(), "browse", clicked=self.choose_file)
        self.output_box = QGroupBox()
        out_form = QFormLayout(self.output_box)
        file_row = hbox((self.out_edit, 1), self.browse, stretch=False)
        self._add_row(out_form, "format", self.format)
        self._add_row(out_form, "file", file_row)
        self.format.currentIndexChanged.connect(lambda _i: self._format_changed())

        # preview
        self.preview_image = named(_ScaledImage(), "previewImage")
        self.preview_image.setStyleSheet("background: #eceff1; border: 1px solid #cfd8dc;")
        self.preview_table = named(QTableWidget(0, 0), "previewTable")
        self.preview_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview_table.setAlternatingRowColors(True)
        self.preview_table.verticalHeader().setDefaultSectionSize(22)
        self.preview_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.preview_table.horizontalHeader().setStretchLastSection(True)
        self.preview_table.verticalHeader().hide()
        self.sheet_combo = named(QComboBox(), "sheet", currentIndexChanged=lambda _i: self._show_sheet())
        self.sheet_label = QLabel()
        sheet_row = hbox(self.sheet_label, (self.sheet_combo, 1), stretch=False)
        table_page = QWidget()
        fill(table_page, sheet_row, (self.preview_table, 1), margins=0)
        self.preview_stack = QStackedWidget()
        self.preview_stack.addWidget(self.preview_image)
        self.preview_stack.addWidget(table_page)
        self.preview_info = named(QLabel(), "previewInfo")
        self.preview_info.setWordWrap(True)
        self.preview_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview_box = QGroupBox()
        fill(self.preview_box, (self.preview_stack, 1), self.preview_info)

        # progress, result, buttons
        self.progress = named(QProgressBar(), "progress")
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = named(QPushButton(), "cancelExport", clicked=self.cancel_export)
        self.cancel_button.hide()
        self.status = named(QLabel(), "status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_folder = named(QPushButton(), "openFolder", clicked=self.open_output_folder)
        self.open_folder.hide()
        self.export_button = named(QPushButton(), "exportButton")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.start_export)
        self.close_button = named(QPushButton(), "closeButton")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

        # the period of every export (fire points, findings, ledger): the map window's at first
        from ..period import PeriodControl
        from ..window.period import saved_period

        self.period_control = PeriodControl(None, saved_period(self.settings), "exportPeriod")
        self.period_control.periodChanged.connect(lambda _p: self._options_changed())
        left = QVBoxLayout()
        left.addWidget(self.period_control)
        left.addWidget(self.options_box, 1)
        left.addWidget(self.output_box)
        middle = QWidget()
        middle.setLayout(left)
        middle.setMinimumWidth(400)
        body = hbox(self.kind_list, (middle, 0), (self.preview_box, 1), stretch=False)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        progress_row = hbox((self.progress, 1), self.cancel_button, stretch=False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.open_folder)
        buttons.addSpacing(12)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        fill(self, (body, 1), line, progress_row, buttons)

        # any option change refreshes the preview (debounced)
        for combo in (self.paper, self.orientation, self.dpi, self.map_extent, self.html_township, self.html_theme,
                      self.ledger_township, self.map_basis, self.html_basis):
            combo.currentIndexChanged.connect(lambda _i: self._options_changed())
        self.theme.currentIndexChanged.connect(lambda _i: self._theme_changed())
        self.map_basis.setEnabled(self.theme.currentData() == "coverage")  # only a coverage map counts visits
        self.html_theme.currentIndexChanged.connect(
            lambda _i: self.html_basis.setEnabled(self.html_theme.currentData() == "coverage"))
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

    def kind_title(self, kind: str) -> str:
        return {"map": translate("ExportDialog", "Map (PNG/PDF)"),
                "html": translate("ExportDialog", "Web map (HTML)"),
                "ledger": translate("ExportDialog", "Findings ledger"),
                "coverage": translate("ExportDialog", "Coverage table"),
                "ranking": translate("ExportDialog", "Monthly ranking")}[kind]

    def retranslate(self) -> None:
        from ...analysis import stats
        from ...domain.vocabulary import COVERAGE_BASES, COVERAGE_BASIS_TITLES, FINDING_STATUS_TITLES, title

        lang = i18n.current()
        self.setWindowTitle(translate("ExportDialog", "Export for briefing"))
        for i, kind in enumerate(KINDS):
            self.kind_list.item(i).setText(self.kind_title(kind))
        self.options_box.setTitle(translate("ExportDialog", "Options"))
        self.output_box.setTitle(translate("ExportDialog", "Output file"))
        self.preview_box.setTitle(translate("ExportDialog", "Preview"))
        r = self._rows
        r["title"].setText(translate("ExportDialog", "Title:"))
        self.map_title.setPlaceholderText(translate("ExportDialog", "Default: district, township and map name"))
        r["paper"].setText(translate("ExportDialog", "Paper:"))
        r["orientation"].setText(translate("ExportDialog", "Orientation:"))
        r["dpi"].setText(translate("ExportDialog", "Resolution:"))
        self.dpi.setToolTip(translate("ExportDialog", "Pixels per inch of a PNG (300 for print); a PDF is vector"))
        self.orientation.setItemText(0, translate("ExportDialog", "Portrait"))
        self.orientation.setItemText(1, translate("ExportDialog", "Landscape"))
        r["extent"].setText(translate("ExportDialog", "Extent:"))
        r["theme"].setText(translate("ExportDialog", "Theme:"))
        self.theme.setItemText(0, translate("ExportDialog", "Layers in the map's styles"))
        self.theme.setItemText(1, translate("ExportDialog", "Patrol coverage (days since the last inspection)"))
        r["map_layers"].setText(translate("ExportDialog", "Layers:"))
        self.atlas.setText(translate("ExportDialog", "Atlas: an overview page, then one page per township (PDF)"))
        r["html_township"].setText(translate("ExportDialog", "Township:"))
        r["html_layers"].setText(translate("ExportDialog", "Layers:"))
        r["html_theme"].setText(translate("ExportDialog", "Cells coloured by:"))
        self.html_theme.setItemText(0, translate("ExportDialog", "Days since the last patrol"))
        self.html_theme.setItemText(1, translate("ExportDialog", "Nothing (plain cells)"))
        self.html_theme.setToolTip(translate("ExportDialog", "What the grid cells' colour shows on the web map"))
        for i in range(self.html_layers.count()):
            item = self.html_layers.item(i)
            key = item.data(Qt.ItemDataRole.UserRole)
            item.setText(translate("ExportDialog", "Findings") if key == "finding" else layer_title(key))
        r["fires"].setText(translate("ExportDialog", "Fire points:"))
        self.html_fires.setText(translate("ExportDialog", "Add those detected in the period"))
        self.fire_days.setSuffix(translate("ExportDialog", " days"))
        r["status"].setText(translate("ExportDialog", "Status:"))
        for i in range(self.ledger_status.count()):
            item = self.ledger_status.item(i)
            item.setText(title(FINDING_STATUS_TITLES, item.data(Qt.ItemDataRole.UserRole), lang))
        r["ledger_township"].setText(translate("ExportDialog", "Township:"))
        self.status_all.setText(translate("ExportDialog", "All"))
        self.status_open.setText(translate("ExportDialog", "Open only"))
        self.status_open.setToolTip(
            translate("ExportDialog", "Found, assigned and rectified: not yet verified or closed"))
        r["periods"].setText(translate("ExportDialog", "Periods (days):"))
        r["basis"].setText(translate("ExportDialog", "Visits counted:"))
        r["map_basis"].setText(translate("ExportDialog", "Visits counted:"))
        r["html_basis"].setText(translate("ExportDialog", "Visits counted:"))
        for combo in (self.basis, self.map_basis, self.html_basis):
            for i, basis in enumerate(COVERAGE_BASES):
                combo.setItemText(i, title(COVERAGE_BASIS_TITLES, basis, lang))
        self.periods.setToolTip(translate("ExportDialog", "Whole days separated by commas, e.g. 7,30"))
        r["month"].setText(translate("ExportDialog", "Month (Beijing time):"))
        names = {"coverage": translate("ExportDialog", "Coverage"),
                 "closure": translate("ExportDialog", "Closure rate"),
                 "overdue": translate("ExportDialog", "Overdue per cell (fewer is better)"),
                 "fire_in_time": translate("ExportDialog", "Fire checks in time"),
                 "fires": translate("ExportDialog", "Fire points per cell (fewer is better)")}
        self.weights_box.setTitle(translate("ExportDialog", "Weights of the indicators"))
        for key in stats.DEFAULT_WEIGHTS:
            r["weight_" + key].setText(names[key])
        self.reset_weights.setText(translate("ExportDialog", "Default weights"))
        for combo in (self.map_extent, self.html_township, self.ledger_township):
            combo.setItemText(0, translate("ExportDialog", "Whole district (%s)") % self.district if self.district
                              else translate("ExportDialog", "Whole district"))
        r["format"].setText(translate("ExportDialog", "Format:"))
        r["file"].setText(translate("ExportDialog", "File:"))
        self.browse.setText(translate("ExportDialog", "Browse…"))
        self.sheet_label.setText(translate("ExportDialog", "Sheet:"))
        self.cancel_button.setText(translate("ExportDialog", "Cancel"))
        self.open_folder.setText(translate("ExportDialog", "Open folder"))
        self.export_button.setText(translate("ExportDialog", "Export"))
        self.close_button.setText(translate("ExportDialog", "Close"))
        self._update_atlas_enabled()
