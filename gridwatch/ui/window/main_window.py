"""The main window: map, layers, search, identify, attribute table, menus and status bar."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

import numpy as np
import pandas as pd
from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QWidget,
)

from ...domain.policy import Action
from ...domain.vocabulary import ROLE_TITLES, title
from ...errors import GridWatchError, SchemaVersionError
from ...layers import LAYERS
from ...mapview.data import MapData, load_map, update_values
from ...mapview.search import SearchHit, as_text, parent_names, search_places
from ...storage import Project, queries
from ...storage.edits import Edit
from ...storage.workflow import TARGET_LAYERS
from .. import i18n
from ..analysis.coverage_panel import CoveragePanel
from ..analysis.dashboard import DashboardWidget
from ..analysis.rules import RulesDock
from ..data.attribute_table import AttributeTableDock
from ..findings.panel import FindingDialog, FindingsPanel
from ..jobs import Job, queue, run_job
from ..map.canvas import SELECTION_LAYER, MapCanvas
from ..map.panels import IdentifyPanel, LayersPanel, SearchPanel
from ..session import WorkflowController
from ..sync.conflicts import ConflictsPanel
from ..sync.dialogs import is_working_copy
from ..tasks.panel import AssignDialog, FireChecksDialog, TaskPanel
from ..texts import field_title, layer_title, value_title

log = logging.getLogger("gridwatch.ui")
MAX_RECENT = 8
#: Layers hit-tested for identify, topmost first.
#: Findings on the map, coloured by where they are in the loop.
FINDING_COLORS = {"found": QColor(220, 30, 30), "assigned": QColor(245, 140, 0), "rectified": QColor(40, 110, 220),
                  "verified": QColor(30, 160, 80), "closed": QColor(140, 140, 140)}
IDENTIFY_ORDER = ("fire_point", "construction_site", "mine", "grid_cell", "village", "township",
                  "fireworks_ban_zone", "coal_ban_zone")


_LOAD_POOL = queue("load")



def _gate(action: QAction, enabled: bool, refusal: str) -> None:
    """Enable ``action`` or grey it out with the policy's reason as its tooltip (the usual one back after)."""
    usual = action.property("usualToolTip")
    action.setEnabled(enabled)
    action.setToolTip(refusal if not enabled and refusal else (usual or action.text().replace("&", "")))

def load_project(path: Path, upgrade: bool, progress: Any) -> tuple[Path, MapData, pd.DataFrame]:
    """Open a project and prepare its map (on a worker: loading builds CRS objects and arrays)."""
    project = Project.open(path, migrate=upgrade)
    data = load_map(project, progress=progress)
    return path, data, project.read_table("inspector")


class MainWindow(QMainWindow):
    """GridWatch's main window."""

    projectLoaded = Signal(str)
    projectFailed = Signal(str)
    selectionChanged = Signal(int)

    def __init__(self, settings: QSettings, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.settings = settings
        self.project_path: Optional[Path] = None
        self.data: Optional[MapData] = None
        self.inspectors = pd.DataFrame()
        self.selected = np.empty(0, dtype=np.int64)
        self.language = i18n.resolve(str(settings.value("language", "system")))

        self.canvas = MapCanvas(self)
        self.setCentralWidget(self.canvas)
        self.layers_panel = LayersPanel(self)
        self.search_panel = SearchPanel(self)
        self.identify_panel = IdentifyPanel(self)
        self.table_dock = AttributeTableDock(self)
        self.workflow = WorkflowController(settings, self)
        self.task_panel = TaskPanel(self.workflow, self)
        self.finding_panel = FindingsPanel(self.workflow, self)
        self.conflict_panel = ConflictsPanel(self.workflow, self)
        self.rules_dock = RulesDock(self.workflow, self)
        self.coverage_panel = CoveragePanel(self.workflow, settings, self)
        self.dashboard = DashboardWidget(self.workflow, settings)
        self.dashboard.only_when_visible = True
        self.dashboard_dock = QDockWidget(self)
        self.dashboard_dock.setObjectName("dashboardDock")
        self.dashboard_dock.setWidget(self.dashboard)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.search_panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.layers_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.identify_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.task_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.finding_panel)
        self.tabifyDockWidget(self.task_panel, self.finding_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.conflict_panel)
        self.tabifyDockWidget(self.finding_panel, self.conflict_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.rules_dock)
        self.tabifyDockWidget(self.conflict_panel, self.rules_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.coverage_panel)
        self.tabifyDockWidget(self.rules_dock, self.coverage_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dashboard_dock)
        self.dashboard_dock.hide()
        self.task_panel.raise_()
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.table_dock)
        self.table_dock.hide()
        self.resizeDocks([self.search_panel, self.layers_panel], [180, 520], Qt.Orientation.Vertical)
        self.resizeDocks([self.layers_panel, self.identify_panel], [250, 300], Qt.Orientation.Horizontal)

        self.coord_label = QLabel()
        self.coord_label.setObjectName("coordLabel")
        self.scale_label = QLabel()
        self.scale_label.setObjectName("scaleLabel")
        self.selection_label = QLabel()
        self.selection_label.setObjectName("selectionLabel")
        self.user_label = QLabel()
        self.user_label.setObjectName("userLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("loadProgress")
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        sb = self.statusBar()
        sb.addWidget(self.coord_label, 1)
        sb.addPermanentWidget(self.user_label)
        sb.addPermanentWidget(self.selection_label)
        sb.addPermanentWidget(self.scale_label)
        sb.addPermanentWidget(self.progress)

        self._make_actions()
        self._connect()
        self.retranslate()
        self.resize(1400, 900)

    # --- actions and menus --------------------------------------------------------------------
    def _make_actions(self) -> None:
        self.act_open = QAction(self)
        self.act_open.setShortcut(QKeySequence.StandardKey.Open)
        self.act_open.triggered.connect(self.choose_project)
        self.act_import = QAction(self)
        self.act_import.setShortcut("Ctrl+I")
        self.act_import.triggered.connect(self.show_import_dialog)
        self.act_export = QAction(self)
        self.act_export.setObjectName("actExport")
        self.act_export.setShortcut("Ctrl+E")
        self.act_export.triggered.connect(self.show_export_dialog)
        self.act_checkout = QAction(self)
        self.act_checkout.setObjectName("actCheckout")
        self.act_checkout.triggered.connect(self.show_checkout_dialog)
        self.act_sync = QAction(self)
        self.act_sync.setObjectName("actSync")
        self.act_sync.setShortcut("Ctrl+Shift+S")
        self.act_sync.setEnabled(False)
        self.act_sync.triggered.connect(self.show_sync_dialog)
        self.act_quit = QAction(self)
        self.act_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.act_quit.triggered.connect(self.close)
        self.act_full = QAction(self)
        self.act_full.setShortcut("Ctrl+Shift+F")
        self.act_full.triggered.connect(self.canvas.zoom_full)
        self.act_zoom_layer = QAction(self)
        self.act_zoom_layer.triggered.connect(lambda: self.zoom_to_layer(self.layers_panel.current_layer()))
        self.act_zoom_sel = QAction(self)
        self.act_zoom_sel.triggered.connect(self.zoom_to_selection)
        self.act_table = QAction(self)
        self.act_table.triggered.connect(lambda: self.show_table(self.layers_panel.current_layer() or SELECTION_LAYER))
        self.act_clear_sel = QAction(self)
        self.act_clear_sel.triggered.connect(lambda: self.set_selection(np.empty(0, dtype=np.int64)))
        self.act_undo = self.workflow.undo_stack.createUndoAction(self, self.tr("Undo"))
        self.act_undo.setObjectName("actUndo")
        self.act_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.act_redo = self.workflow.undo_stack.createRedoAction(self, self.tr("Redo"))
        self.act_redo.setObjectName("actRedo")
        self.act_redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.act_user = QAction(self)
        self.act_user.triggered.connect(self.choose_user)
        self.act_people = QAction(self)
        self.act_people.setObjectName("actPeople")
        self.act_people.triggered.connect(self.show_people_dialog)
        self.act_cell_inspector = QAction(self)
        self.act_cell_inspector.setObjectName("actCellInspector")
        self.act_cell_inspector.triggered.connect(self.give_selected_cells)
        self.act_assign = QAction(self)
        self.act_assign.setShortcut("Ctrl+Shift+A")
        self.act_assign.triggered.connect(self.assign_selected_cells)
        self.act_assign_feature = QAction(self)
        self.act_assign_feature.triggered.connect(self.assign_identified)
        self.act_fire_checks = QAction(self)
        self.act_fire_checks.triggered.connect(self.show_fire_checks_dialog)
        self.act_record = QAction(self)
        self.act_record.triggered.connect(lambda: self.record_finding(self.task_panel.selected_task()))
        tools = QActionGroup(self)
        self.act_dashboard = QAction(self)
        self.act_dashboard.setObjectName("actDashboard")
        self.act_dashboard.triggered.connect(lambda: self._show_dock(self.dashboard_dock))
        self.act_coverage = QAction(self)
        self.act_coverage.setObjectName("actCoverage")
        self.act_coverage.triggered.connect(lambda: self._show_dock(self.coverage_panel))
        self.act_rules = QAction(self)
        self.act_rules.setObjectName("actRules")
        self.act_rules.triggered.connect(lambda: self._show_dock(self.rules_dock))
        self.act_pan = QAction(self, checkable=True)
        self.act_pan.setChecked(True)
        self.act_select = QAction(self, checkable=True)
        tools.addAction(self.act_pan)
        tools.addAction(self.act_select)
        self.act_pan.triggered.connect(lambda: self.canvas.set_tool(MapCanvas.PAN))
        self.act_select.triggered.connect(lambda: self.canvas.set_tool(MapCanvas.SELECT))
        self.canvas.set_tool(MapCanvas.PAN)
        langs = QActionGroup(self)
        self.lang_actions: dict[str, QAction] = {}
        for code in i18n.LANGUAGES:
            act = QAction(self, checkable=True)
            act.setData(code)
            act.triggered.connect(lambda checked=False, c=code: self.set_language(c))
            langs.addAction(act)
            self.lang_actions[code] = act
        self.lang_actions[str(self.settings.value("language", "system"))].setChecked(True)

        mb = self.menuBar()
        self.menu_file = mb.addMenu("")
        self.menu_file.setObjectName("menuFile")
        self.menu_file.addAction(self.act_open)
        self.menu_recent = self.menu_file.addMenu("")
        self.menu_recent.setObjectName("menuRecent")
        self.menu_file.addAction(self.act_import)
        self.menu_file.addAction(self.act_export)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_checkout)
        self.menu_file.addAction(self.act_sync)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_edit = mb.addMenu("")
        self.menu_edit.setObjectName("menuEdit")
        self.menu_edit.addAction(self.act_undo)
        self.menu_edit.addAction(self.act_redo)
        self.menu_view = mb.addMenu("")
        self.menu_view.setObjectName("menuView")
        for act in (self.act_full, self.act_zoom_layer, self.act_zoom_sel, self.act_table):
            self.menu_view.addAction(act)
        self.menu_view.addSeparator()
        for dock in (self.layers_panel, self.search_panel, self.identify_panel, self.task_panel, self.finding_panel,
                     self.conflict_panel, self.rules_dock, self.coverage_panel, self.dashboard_dock, self.table_dock):
            self.menu_view.addAction(dock.toggleViewAction())
        self.menu_work = mb.addMenu("")
        self.menu_work.setObjectName("menuWorkflow")
        for act in (self.act_assign, self.act_assign_feature, self.act_fire_checks, self.act_record):
            self.menu_work.addAction(act)
        self.menu_work.addSeparator()
        self.menu_work.addAction(self.act_cell_inspector)
        self.menu_analysis = mb.addMenu("")
        self.menu_analysis.setObjectName("menuAnalysis")
        for act in (self.act_coverage, self.act_dashboard, self.act_rules):
            self.menu_analysis.addAction(act)
        self.menu_tools = mb.addMenu("")
        self.menu_tools.setObjectName("menuTools")
        for act in (self.act_pan, self.act_select, self.act_clear_sel):
            self.menu_tools.addAction(act)
        self.menu_settings = mb.addMenu("")
        self.menu_settings.setObjectName("menuSettings")
        self.menu_settings.addAction(self.act_user)
        self.menu_settings.addAction(self.act_people)
        self.menu_language = self.menu_settings.addMenu("")
        self.menu_language.setObjectName("menuLanguage")
        for act in self.lang_actions.values():
            self.menu_language.addAction(act)
        self.toolbar = self.addToolBar("")
        self.toolbar.setObjectName("mainToolbar")
        for act in (self.act_open, self.act_full, self.act_zoom_sel, self.act_pan, self.act_select, self.act_table):
            self.toolbar.addAction(act)
        self.toolbar.addSeparator()
        for act in (self.act_assign, self.act_undo, self.act_redo):
            self.toolbar.addAction(act)
        self.toolbar.addAction(self.act_sync)
        self._rebuild_recent()

    def retranslate(self) -> None:
        """Set every visible text (called at start and whenever the language changes)."""
        self.menu_file.setTitle(self.tr("&File"))
        self.menu_recent.setTitle(self.tr("Recent projects"))
        self.menu_edit.setTitle(self.tr("&Edit"))
        self.menu_work.setTitle(self.tr("&Inspections"))
        self.act_user.setText(self.tr("Current &user…"))
        self.act_assign.setText(self.tr("&Assign inspections for selected cells…"))
        self.act_assign_feature.setText(self.tr("Assign inspection for the identified feature…"))
        self.act_assign_feature.setToolTip(self.tr(
            "A fire point, construction site, mine or zone: its cell; a village or township: all its cells"))
        self.act_fire_checks.setText(self.tr("Create &fire-point checks…"))
        self.act_record.setText(self.tr("&Record finding for the selected task…"))
        self.act_people.setText(self.tr("&People…"))
        self.act_cell_inspector.setText(self.tr("Give selected cells to an inspector…"))
        self.menu_view.setTitle(self.tr("&View"))
        self.menu_analysis.setTitle(self.tr("&Analysis"))
        self.act_dashboard.setText(self.tr("&Dashboard and township ranking"))
        self.act_rules.setText(self.tr("&Rule checks…"))
        self.act_coverage.setText(self.tr("Patrol &coverage"))
        self.dashboard_dock.setWindowTitle(self.tr("Dashboard"))
        self.menu_tools.setTitle(self.tr("&Tools"))
        self.menu_settings.setTitle(self.tr("&Settings"))
        self.menu_language.setTitle(self.tr("Language"))
        self.toolbar.setWindowTitle(self.tr("Main toolbar"))
        self.act_open.setText(self.tr("&Open project…"))
        self.act_quit.setText(self.tr("&Quit"))
        self.act_import.setText(self.tr("&Import data…"))
        self.act_import.setToolTip(self.tr("Import a shapefile, GeoJSON, GeoPackage, KML, CSV or XLSX into a layer"))
        for act in (self.act_import, self.act_assign_feature):
            act.setProperty("usualToolTip", act.toolTip())
        self.act_export.setText(self.tr("Export for &briefing…"))
        self.act_export.setToolTip(
            self.tr("Maps, the web map, the findings ledger, coverage and ranking tables for briefings"))
        self.act_checkout.setText(self.tr("Check &out shared project…"))
        self.act_checkout.setToolTip(self.tr("Make a working copy of the shared project on this laptop"))
        self.act_sync.setText(self.tr("S&ync…"))
        self.act_sync.setToolTip(self.tr("Exchange changes between this working copy and the shared project"))
        self.act_full.setText(self.tr("Zoom to full extent"))
        self.act_zoom_layer.setText(self.tr("Zoom to layer"))
        self.act_zoom_sel.setText(self.tr("Zoom to selection"))
        self.act_table.setText(self.tr("Attribute table"))
        self.act_clear_sel.setText(self.tr("Clear selection"))
        self.act_pan.setText(self.tr("Pan"))
        self.act_pan.setToolTip(self.tr("Pan: drag to move the map, click to identify"))
        self.act_select.setText(self.tr("Select cells"))
        self.act_select.setToolTip(self.tr("Select grid cells: click, shift-click to add or remove, drag a rectangle"))
        self.lang_actions["system"].setText(self.tr("Follow the system"))
        self.lang_actions["zh_CN"].setText("中文 (简体)")
        self.lang_actions["en"].setText("English")
        for panel in (self.layers_panel, self.search_panel, self.identify_panel, self.table_dock, self.task_panel,
                      self.finding_panel, self.conflict_panel, self.rules_dock):
            panel.retranslate()
        self._update_user()
        self._update_title()
        self._update_selection_label()
        self._update_scale()
        self._rebuild_recent()

    def show_export_dialog(self) -> None:
        """File > Export for briefing: maps, web map and tables of the open project."""
        if self.project_path is None:
            return
        from ..data.export_dialog import ExportDialog

        dialog = ExportDialog(self.project_path, self.settings, self, controller=self.workflow)
        self._export_dialog = dialog
        dialog.open()

    def _select_cells_where(self, column: str, value: str) -> None:
        """Select and show the cells whose ``column`` is ``value`` (a coverage-table row)."""
        if self.data is None:
            return
        frame = self.data.layers[SELECTION_LAYER].frame
        self.set_selection(np.flatnonzero(frame[column].fillna("").astype(str).to_numpy() == value))
        self.zoom_to_selection()

    def _show_dock(self, dock: QDockWidget) -> None:
        dock.show()
        dock.raise_()

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt API
        self.canvas.shutdown()
        super().closeEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_language(self, setting: str) -> None:
        self.settings.setValue("language", setting)
        self.settings.sync()
        self.language = i18n.install(setting)
        self.lang_actions[setting].setChecked(True)

    def _update_title(self) -> None:
        name = self.data.district_name if self.data is not None else ""
        app = self.tr("GridWatch")
        self.setWindowTitle(f"{name} — {app}" if name else app)

    # --- wiring -----------------------------------------------------------------------------
    def _connect(self) -> None:
        lp = self.layers_panel
        lp.visibilityChanged.connect(self.canvas.set_layer_visible)
        lp.opacityChanged.connect(self.canvas.set_layer_opacity)
        lp.orderChanged.connect(self.canvas.set_order)
        lp.zoomToLayerRequested.connect(self.zoom_to_layer)
        self.canvas.cursorMoved.connect(self._show_cursor)
        self.canvas.viewportChanged.connect(lambda vp: self._update_scale())
        self.canvas.clicked.connect(self._on_click)
        self.canvas.rectangleSelected.connect(self._on_rectangle)
        self.canvas.renderFailed.connect(lambda m: self.statusBar().showMessage(self.tr("Drawing failed: ") + m, 8000))
        self.search_panel.queryChanged.connect(self._on_search)
        self.search_panel.placeChosen.connect(self.go_to_place)
        self.table_dock.selectionChangedByUser.connect(self._on_table_selection)
        wf = self.workflow
        wf.changed.connect(self._on_workflow_changed)
        wf.failed.connect(self._on_workflow_failed)
        wf.warned.connect(self._on_workflow_warned)
        wf.userChanged.connect(self._update_user)
        wf.busyChanged.connect(lambda busy: self._update_actions())
        wf.busyChanged.connect(lambda busy: self.statusBar().showMessage(self.tr("Saving…")) if busy
                               else self.statusBar().clearMessage())
        self.task_panel.zoomToCell.connect(self.zoom_to_cell)
        self.task_panel.recordFindingRequested.connect(self.record_finding)
        self.task_panel.currentTaskChanged.connect(lambda task: self._update_actions())
        self.finding_panel.zoomToFinding.connect(lambda lon, lat: self.canvas.zoom_to((lon, lat, lon, lat), 0.01))
        self.coverage_panel.bind_map(self.canvas, self.layers_panel)
        self.coverage_panel.cellsChosen.connect(self._select_cells_where)
        self.coverage_panel.assignRequested.connect(lambda codes, text: self._open_assign(codes, description=text))
        self.rules_dock.panel.zoomToBounds.connect(lambda a, b, c, d: self.canvas.zoom_to((a, b, c, d), 0.005))
        self.finding_panel.findingSelected.connect(lambda uuid: self._update_overlay())
        self.identify_panel.recordChosen.connect(self._on_record_chosen)
        self.identify_panel.historyRequested.connect(self.show_history)
        self.selectionChanged.connect(lambda n: self._update_actions())

    # --- projects -----------------------------------------------------------------------------
    def choose_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open project"), str(self.project_path or ""),
                                              self.tr("GridWatch projects (*.gpkg)"))
        if path:
            self.open_project(Path(path))

    def open_project(self, path: Path, upgrade: bool = False) -> None:
        """Open ``path`` in the background; the map shows it when it is ready.

        ``upgrade``: migrate an older project (after a backup) instead of refusing it.
        """
        self.progress.setValue(0)
        self.progress.show()
        self.statusBar().showMessage(self.tr("Opening %s…") % str(path))
        path = Path(path)
        self._load_job = run_job(lambda progress, cancel: load_project(path, upgrade, progress), "load",
                                 succeeded=self._on_load_done, failed=self._on_load_failed,
                                 progressed=self._on_load_progress, executor=_LOAD_POOL, tag=path)

    def _on_load_progress(self, job: Job, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 100))

    def _on_load_done(self, job: Job, result: tuple[Path, MapData, pd.DataFrame]) -> None:
        self._on_loaded(*result)

    def _on_load_failed(self, job: Job, message: str, kind: str) -> None:
        exc = job.error
        if isinstance(exc, SchemaVersionError) and "older" in str(exc):
            self._on_outdated(job.tag, str(exc))  # an older schema that can be upgraded
        else:
            self._on_failed(job.tag, f"{job.tag}: {message}" if kind == "bug" else message)

    def show_import_dialog(self) -> None:
        """File > Import data: the Import dialog on the open project; the map reloads afterwards."""
        if self.project_path is None:
            return
        from ..data.import_dialog import ImportDialog

        dialog = ImportDialog(self.project_path, self, user=str(self.settings.value("user", "")))
        dialog.imported.connect(lambda report: self.open_project(self.project_path))
        self._import_dialog = dialog
        dialog.open()

    def show_checkout_dialog(self) -> None:
        """File > Check out shared project: make a working copy, then open it as its user."""
        from ..sync.dialogs import CheckoutDialog

        dialog = CheckoutDialog(self.settings, self)
        dialog.checkedOut.connect(lambda path, d=dialog: self._open_checkout(path, d.user()))
        self._checkout_dialog = dialog
        dialog.open()

    def _open_checkout(self, path: Path, user: str) -> None:
        if user:  # the working copy's user becomes this laptop's user when it has loaded
            self.settings.setValue("user", user)
            self.settings.sync()
        self.open_project(Path(path))

    def show_sync_dialog(self) -> None:
        """File > Sync: window-modal, so no edit is made while the working copy is synced; the project
        is reloaded after a sync (map, panels, people)."""
        if self.project_path is None or not is_working_copy(self.project_path) or self.workflow.busy:
            return
        from ..sync.dialogs import SyncDialog

        if getattr(self, "_sync_dialog", None) is not None:
            self._sync_dialog.deleteLater()
        dialog = SyncDialog(self.project_path, self)
        dialog.synced.connect(lambda report: self.open_project(self.project_path))
        self._sync_dialog = dialog
        dialog.open()

    def _on_loaded(self, path: Path, data: MapData, inspectors: pd.DataFrame) -> None:
        self.progress.hide()
        self.statusBar().clearMessage()
        self.project_path = path
        self.data = data
        self.inspectors = inspectors
        self.selected = np.empty(0, dtype=np.int64)
        self.canvas.set_data(data)
        for name, item in self.layers_panel.items.items():
            self.canvas.states[name].visible = item.checkState(0) == Qt.CheckState.Checked
        self._remember(path)
        self._update_title()
        self._update_selection_label()
        self.identify_panel.retranslate()
        if self.table_dock.isVisible():
            self.show_table(self._table_layer or SELECTION_LAYER)
        self.workflow.set_project(path)
        self.coverage_panel.set_project(path)
        self._update_overlay()
        self._update_actions()
        self.projectLoaded.emit(str(path))

    def _on_outdated(self, path: Path, message: str) -> None:
        self.progress.hide()
        self.statusBar().clearMessage()
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Upgrade project?"),
                          self.tr("This project was made by an older GridWatch. Upgrade it to open it? "
                                  "A backup copy is saved beside it first.") + "\n\n" + str(path),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setObjectName("upgradeDialog")
        box.buttonClicked.connect(lambda b: self.open_project(path, upgrade=True)
                                  if box.standardButton(b) == QMessageBox.StandardButton.Yes else None)
        self._upgrade_box = box
        box.open()

    def _on_failed(self, path: Path, message: str) -> None:
        self.progress.hide()
        self.statusBar().clearMessage()
        self.projectFailed.emit(message)
        box = QMessageBox(QMessageBox.Icon.Critical, self.tr("Cannot open project"),
                          self.tr("GridWatch could not open this project.") + "\n\n" + message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("openErrorDialog")
        box.open()
        self._error_box = box

    def _remember(self, path: Path) -> None:
        recent = [str(path)] + [p for p in self.recent_projects() if p != str(path)]
        self.settings.setValue("recent", recent[:MAX_RECENT])
        self.settings.sync()
        self._rebuild_recent()

    def recent_projects(self) -> list[str]:
        value = self.settings.value("recent", [])
        if isinstance(value, str):
            return [value]
        return [str(v) for v in (value or [])]

    def _rebuild_recent(self) -> None:
        self.menu_recent.clear()
        for p in self.recent_projects():
            act = self.menu_recent.addAction(p)
            act.triggered.connect(lambda checked=False, path=p: self.open_project(Path(path)))
        self.menu_recent.setEnabled(bool(self.recent_projects()))

    # --- status bar ---------------------------------------------------------------------------
    def _show_cursor(self, lon: float, lat: float) -> None:
        self.coord_label.setText(self.tr("CGCS2000  %1°E  %2°N").replace("%1", f"{lon:.5f}")
                                 .replace("%2", f"{lat:.5f}"))

    def _update_scale(self) -> None:
        vp = self.canvas.viewport
        if vp is not None:
            self.scale_label.setText(self.tr("Scale 1:%1").replace("%1", f"{vp.scale_denominator:,.0f}"))

    def _update_user(self) -> None:
        label = self.workflow.user_label()
        self.user_label.setText(self.tr("User: %s") % label if label else self.tr("No user chosen"))
        self._update_actions()

    def _update_selection_label(self) -> None:
        n = len(self.selected)
        self.selection_label.setText(self.tr("%n cell(s) selected", "", n) if n else "")

    # --- identify and selection ---------------------------------------------------------------
    def identify_at(self, lon: float, lat: float) -> Optional[tuple[str, int]]:
        """The topmost visible feature at a map position: ``(layer, index)`` or None."""
        if self.data is None:
            return None
        tol = self.canvas.click_tolerance()
        for name in IDENTIFY_ORDER:
            layer = self.data.layers.get(name)
            if layer is None or not self.canvas.states[name].visible or layer.count == 0:
                continue
            hits = layer.at_point(lon, lat, tol)
            if len(hits):
                return name, int(hits[0])
        return None

    def show_identify(self, name: str, index: int) -> None:
        assert self.data is not None
        frame = self.data.layers[name].frame
        row = frame.iloc[index]
        rows: list[tuple[str, str]] = []
        if name in ("grid_cell", "village", "fire_point"):
            parents = parent_names(self.data, name, index)
            if "township" in parents:
                rows.append((layer_title("township"), parents["township"]))
            if "village" in parents and name != "village":
                rows.append((layer_title("village"), parents["village"]))
        for col in frame.columns:
            if col in ("geometry", "uuid"):
                continue
            value = row[col]
            if col.endswith("inspector_uuid") and isinstance(value, str) and len(self.inspectors):
                match = self.inspectors.loc[self.inspectors["uuid"] == value, "name"]
                text = str(match.iloc[0]) if len(match) else value
            elif LAYERS[name].field(col).choices if col in LAYERS[name].field_names else False:
                text = value_title(value)
            else:
                text = as_text(value)
            rows.append((field_title(name, col), text))
        label = row.get("name") if "name" in frame.columns else row.get("detected_local", "")
        self.identify_panel.show_feature(f"{layer_title(name)}: {label}", rows, uuid=str(row.get("uuid", "")))
        self.identified = (name, index)
        if name == "grid_cell" and self.project_path is not None:
            self._show_cell_records(str(row["code"]))
        self._update_actions()

    def _on_click(self, lon: float, lat: float, shift: bool) -> None:
        if self.data is None:
            return
        if self.canvas.tool == MapCanvas.PICK:
            self._finish_pick(lon, lat)
            return
        if self.canvas.tool == MapCanvas.SELECT:
            cells = self.data.layers[SELECTION_LAYER].at_point(lon, lat, 0.0)
            if len(cells) == 0:
                if not shift:
                    self.set_selection(np.empty(0, dtype=np.int64))
                return
            cell = int(cells[0])
            if shift:
                if cell in self.selected:
                    self.set_selection(self.selected[self.selected != cell])
                else:
                    self.set_selection(np.append(self.selected, cell))
            else:
                self.set_selection(np.array([cell]))
            self.show_identify(SELECTION_LAYER, cell)
            return
        hit = self.identify_at(lon, lat)
        if hit is None:
            self.identify_panel.clear_feature()
        else:
            self.show_identify(*hit)

    def _on_rectangle(self, minx: float, miny: float, maxx: float, maxy: float, shift: bool) -> None:
        if self.data is None:
            return
        cells = self.data.layers[SELECTION_LAYER].in_rect(minx, miny, maxx, maxy)
        self.set_selection(np.union1d(self.selected, cells) if shift else cells)

    def set_selection(self, indices: np.ndarray, from_table: bool = False) -> None:
        self.selected = np.unique(np.asarray(indices, dtype=np.int64))
        self.canvas.set_selection(self.selected)
        self._update_selection_label()
        if not from_table and self.data is not None and self._table_layer == SELECTION_LAYER:
            uuids = self.data.layers[SELECTION_LAYER].frame["uuid"].to_numpy()[self.selected].tolist()
            self.table_dock.select_uuids(SELECTION_LAYER, uuids)
        self.selectionChanged.emit(len(self.selected))

    def selected_codes(self) -> list[str]:
        if self.data is None:
            return []
        return self.data.layers[SELECTION_LAYER].frame["code"].to_numpy()[self.selected].tolist()

    def zoom_to_selection(self) -> None:
        if self.data is not None and len(self.selected):
            self.canvas.zoom_to(self.data.layers[SELECTION_LAYER].features_bounds(self.selected))

    def zoom_to_layer(self, name: Optional[str]) -> None:
        if self.data is not None and name in self.data.layers:
            self.canvas.zoom_to(self.data.layers[name].extent)

    # --- workflow -------------------------------------------------------------------------------
    identified: Optional[tuple[str, int]] = None
    _pick_dialog: Optional[FindingDialog] = None

    def choose_user(self) -> None:
        """Settings > Current user: who works on this laptop (a person of the project)."""
        people = self.workflow.people
        if self.project_path is None or people.empty:
            return
        active = people[people["active"].fillna(1) != 0]
        items = [f"{n} ({title(ROLE_TITLES, r, i18n.current())})" for n, r in zip(active["name"], active["role"])]
        current = items.index(self.workflow.user_label()) if self.workflow.user_label() in items else 0
        item, ok = QInputDialog.getItem(self, self.tr("Current user"), self.tr("Who is working on this laptop?"),
                                        items, current, False)
        if ok and item:
            self.workflow.set_user(str(active["name"].iloc[items.index(item)]))

    def _update_actions(self) -> None:
        wf = self.workflow
        has_data = self.data is not None
        may_assign = wf.may(Action.ASSIGN_TASKS)
        _gate(self.act_assign, may_assign and has_data and len(self.selected) > 0, wf.refusal(Action.ASSIGN_TASKS))
        target = self.identified[0] if self.identified else None
        _gate(self.act_assign_feature, may_assign and has_data and target in (*TARGET_LAYERS, "village", "township"),
              wf.refusal(Action.ASSIGN_TASKS))
        _gate(self.act_fire_checks, wf.may(Action.CREATE_FIRE_CHECKS) and has_data,
              wf.refusal(Action.CREATE_FIRE_CHECKS))
        task = self.task_panel.selected_task()
        _gate(self.act_record, task is not None and wf.may(Action.RECORD_FINDING, task),
              wf.refusal(Action.RECORD_FINDING, task) if task is not None else "")
        self.act_people.setEnabled(self.project_path is not None and has_data)
        self.act_export.setEnabled(self.project_path is not None and has_data)
        _gate(self.act_cell_inspector, wf.may(Action.SET_CELL_INSPECTOR) and has_data and len(self.selected) > 0,
              wf.refusal(Action.SET_CELL_INSPECTOR))
        # importing changes the district's layers: not for inspectors (no user chosen yet: allowed)
        _gate(self.act_import, self.project_path is not None
              and (wf.actor is None or wf.may(Action.IMPORT_LAYER, {"layer": ""})),
              wf.refusal(Action.IMPORT_LAYER, {"layer": ""}) if wf.actor is not None else "")
        # sync a working copy, never while an edit is being written
        self.act_sync.setEnabled(self.data is not None and is_working_copy(self.project_path) and not wf.busy)

    def assign_selected_cells(self) -> None:
        codes = self.selected_codes()
        if codes:
            self._open_assign(codes, description=self.tr("%n selected cell(s)", "", len(codes)))

    def assign_identified(self) -> None:
        """Assign an inspection for the identified feature (its cell) or village/township (all its cells)."""
        if self.identified is None or self.data is None or self.project_path is None:
            return
        from ...storage.workflow import cells_for_features, cells_in_area

        name, index = self.identified
        row = self.data.layers[name].frame.iloc[index]
        try:
            if name in ("village", "township"):
                codes = cells_in_area(self.project_path, **{name: str(row["code"])})
                self._open_assign(codes, description=f"{layer_title(name)} {row['name']}")
            else:
                pairs = cells_for_features(self.project_path, name, [str(row["uuid"])])
                label = row.get("name") if "name" in row.index else row.get("detected_local", "")
                self._open_assign([c for c, _ in pairs], target_layer=name, target_uuids=[u for _, u in pairs],
                                  description=f"{layer_title(name)} {label}")
        except GridWatchError as exc:
            self._on_workflow_failed(i18n.error_text(exc))

    def _open_assign(self, codes: list[str], **kwargs) -> None:  # type: ignore[no-untyped-def]
        dialog = AssignDialog(self.workflow, codes, parent=self, **kwargs)
        self._assign_dialog = dialog
        dialog.open()

    def show_fire_checks_dialog(self) -> None:
        if self.data is None or "township" not in self.data.layers:
            return
        tw = self.data.layers["township"].frame
        dialog = FireChecksDialog(self.workflow, list(zip(tw["code"].astype(str), tw["name"].astype(str))), self)
        self._fire_dialog = dialog
        dialog.open()

    def show_people_dialog(self) -> None:
        """Settings > People: everyone of the project; administrators change them."""
        if self.data is None or self.project_path is None:
            return
        from ..data.people import PeopleDialog

        tw = self.data.layers["township"].frame if "township" in self.data.layers else pd.DataFrame()
        townships = list(zip(tw["code"].astype(str), tw["name"].astype(str))) if len(tw) else []
        if getattr(self, "_people_dialog", None) is not None:
            self._people_dialog.deleteLater()
        dialog = PeopleDialog(self.workflow, townships, self)
        self._people_dialog = dialog
        dialog.open()

    def give_selected_cells(self) -> None:
        """Make one inspector responsible for the selected cells (administrators)."""
        codes = self.selected_codes()
        if not codes:
            return
        from ..data.people import CellInspectorDialog

        dialog = CellInspectorDialog(self.workflow, codes, self)
        self._cell_inspector_dialog = dialog
        dialog.open()

    def zoom_to_cell(self, code: str) -> None:
        if self.data is None:
            return
        cells = self.data.layers[SELECTION_LAYER]
        pos = np.flatnonzero(cells.frame["code"].to_numpy() == code)
        if len(pos):
            self.canvas.zoom_to(cells.features_bounds(pos))
            self.show_identify(SELECTION_LAYER, int(pos[0]))

    def record_finding(self, task: Optional[dict]) -> None:
        """Open the Record finding form for a task in progress, located at its cell's centre."""
        if task is None or self.data is None:
            return
        cells = self.data.layers[SELECTION_LAYER]
        pos = np.flatnonzero(cells.frame["code"].to_numpy() == task["cell_code"])
        if not len(pos):
            return
        geom = cells.geoms[int(pos[0])]
        centre = geom.representative_point()
        dialog = FindingDialog(self.workflow, task=task, cell_code=task["cell_code"], cell_geometry=geom,
                               longitude=centre.x, latitude=centre.y, parent=self)
        dialog.pickLocationRequested.connect(lambda d=dialog: self._start_pick(d))
        self._finding_dialog = dialog
        self.canvas.zoom_to(cells.features_bounds(pos))
        dialog.open()

    def _start_pick(self, dialog: FindingDialog) -> None:
        """Hide the form, let the user click the finding's location on the map, then show it again."""
        self._pick_dialog = dialog
        self._tool_before_pick = self.canvas.tool
        dialog.hide()
        self.canvas.set_tool(MapCanvas.PICK)
        self.statusBar().showMessage(self.tr("Click the finding's location on the map"))

    def _finish_pick(self, lon: float, lat: float) -> None:
        dialog, self._pick_dialog = self._pick_dialog, None
        self.canvas.set_tool(getattr(self, "_tool_before_pick", MapCanvas.PAN))
        self.statusBar().clearMessage()
        if dialog is not None:
            dialog.set_location(lon, lat)
            dialog.open()

    def _on_workflow_changed(self, edit: Edit) -> None:
        """An edit (or its undo/redo) was written: update fire-point colours, cells' inspectors, findings,
        the cell panel."""
        cells_changed = False
        if self.data is not None:
            for table, column in (("fire_point", "status"), ("grid_cell", "inspector_uuid")):
                if table not in self.data.layers:
                    continue
                # an undo carries the inverse changes: 'after' is the restored state either way
                values = {ch.uuid: ch.after[column] for ch in edit.changes
                          if ch.table == table and ch.after is not None and column in ch.after}
                if values and update_values(self.data.layers[table], column, values):
                    self.canvas.refresh_layer(table)
                    cells_changed = cells_changed or table == SELECTION_LAYER
        if any(ch.table == "inspector" for ch in edit.changes):
            self.inspectors = self.workflow.people  # the controller re-read them (uuid, name, ...)
        self._update_overlay()
        if self.identified is not None and self.identified[0] == SELECTION_LAYER and self.data is not None:
            if cells_changed:
                self.show_identify(*self.identified)  # the cell's inspector, then its records
            else:
                code = str(self.data.layers[SELECTION_LAYER].frame["code"].iloc[self.identified[1]])
                self._show_cell_records(code)
        self._update_actions()

    def _on_workflow_failed(self, message: str) -> None:
        from PySide6.QtWidgets import QApplication

        if QApplication.activeModalWidget() is not None:  # the open form shows the refusal itself
            self.statusBar().showMessage(message, 15000)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Not saved"), message, QMessageBox.StandardButton.Ok,
                          self)
        box.setObjectName("workflowErrorDialog")
        self._workflow_box = box
        box.open()

    def _on_workflow_warned(self, warnings: list) -> None:
        text = "\n".join(str(w) for w in warnings)
        self.statusBar().showMessage(text.replace("\n", "; "), 15000)
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Saved, with warnings"),
                          self.tr("The finding was saved. Please check:") + "\n\n" + text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("workflowWarningDialog")
        self._workflow_box = box
        box.open()

    def _update_overlay(self) -> None:
        if self.project_path is None:
            self.canvas.set_overlay([])
            return
        try:
            found = queries.findings(self.project_path)
        except GridWatchError:
            return
        chosen = self.finding_panel.selected_finding()
        chosen_uuid = chosen["uuid"] if chosen else None
        points = [(float(lon), float(lat), FINDING_COLORS.get(st, QColor(0, 0, 0)), u == chosen_uuid)
                  for u, st, lon, lat in zip(found["uuid"], found["status"], found["longitude"], found["latitude"])
                  if lon is not None and lat is not None and lon == lon]
        self.canvas.set_overlay(points)

    def _show_cell_records(self, code: str) -> None:
        """The cell panel: the cell's tasks, inspections and findings under its attributes."""
        assert self.project_path is not None
        try:
            t = queries.tasks(self.project_path, cell_code=code)
            i = queries.inspections(self.project_path, cell_code=code)
            f = queries.findings(self.project_path, cell_code=code)
        except GridWatchError as exc:
            self.statusBar().showMessage(i18n.error_text(exc), 8000)
            return
        self.identify_panel.show_records(t, i, f)

    def _on_record_chosen(self, kind: str, uuid: str) -> None:
        if kind == "finding":
            self.finding_panel.show()
            self.finding_panel.raise_()
            self.finding_panel.select_finding(uuid)
        elif kind == "task":
            self.task_panel.show()
            self.task_panel.raise_()
            self.task_panel.select_task(uuid)

    def show_history(self, uuid: str) -> None:
        """The audit log of one feature or record: who changed what, when."""
        if self.project_path is None or not uuid:
            return
        from ..map.panels import HistoryDialog

        dialog = HistoryDialog(queries.history(self.project_path, uuid), self)
        self._history_dialog = dialog
        dialog.open()

    # --- search -------------------------------------------------------------------------------
    def _on_search(self, text: str) -> None:
        if self.data is not None:
            self.search_panel.show_hits(search_places(self.data, text))

    def go_to_place(self, hit: SearchHit) -> None:
        self.canvas.zoom_to(hit.bounds)
        self.show_identify(hit.layer, hit.index)

    # --- attribute table ------------------------------------------------------------------------
    _table_layer: Optional[str] = None

    def show_table(self, name: str) -> None:
        if self.data is None or name not in self.data.layers:
            return
        frame = self.data.layers[name].frame
        self._table_layer = name
        self.table_dock.set_layer(name, frame, header_for=lambda col, n=name: field_title(n, col),
                                  title=layer_title(name))
        self.table_dock.show()
        if name == SELECTION_LAYER and len(self.selected):
            uuids = frame["uuid"].to_numpy()[self.selected].tolist()
            self.table_dock.select_uuids(name, uuids)

    def _on_table_selection(self, layer: str, uuids: list) -> None:
        if self.data is None:
            return
        frame = self.data.layers[layer].frame
        positions = np.flatnonzero(frame["uuid"].isin(uuids).to_numpy())
        if layer == SELECTION_LAYER:
            self.set_selection(positions, from_table=True)
        if len(positions):
            self.canvas.zoom_to(self.data.layers[layer].features_bounds(positions))
