"""The main window: map, layers, search, identify, attribute table, menus and status bar."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTabBar,
    QWidget,
)

from ...app.store import Project
from ...app.syncstate import is_working_copy
from ...errors import SchemaVersionError
from ...mapview import edges
from ...mapview.data import MapData, load_map
from ...mapview.memory import return_freed_memory
from ...mapview.search import search_index
from .. import i18n
from ..analysis.coverage_panel import CoveragePanel
from ..analysis.rules import RulesDock
from ..data.attribute_table import AttributeTableDock
from ..findings.panel import FindingsPanel
from ..jobs import Job, queue, run_job, stop_jobs
from ..map.canvas import SELECTION_LAYER, MapCanvas
from ..map.panels import IdentifyPanel, LayersPanel, SearchPanel
from ..session import WorkflowController
from ..sync.conflicts import ConflictsPanel
from ..tasks.panel import TaskPanel
from ..widgets import named, retranslate_safely
from .field import WindowField
from .mapping import WindowMapping
from .menus import WindowMenus
from .period import WindowPeriod
from .screens import WindowScreens
from .selection import IDENTIFY_ORDER, WindowSelection  # noqa: F401 - IDENTIFY_ORDER re-exported
from .syncbar import WindowSyncStatus
from .warning_map import WindowWarning
from .work import WindowWork

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

log = logging.getLogger("gridwatch.ui")
MAX_RECENT = 8


if TYPE_CHECKING:
    from ..analysis.dashboard import DashboardWidget

_LOAD_POOL = queue("load")
#: Background work after opening a project waits for the map's first paint, at most this long.
FIRST_PAINT_WAIT_MS = 4000


def complete_map(data: MapData) -> None:
    """What the first paint did not wait for: every layer's attributes and shapely geometries (clicks, labels),
    the search index, the boundaries neighbouring areas share (drawn once from then on)."""
    for layer in data.layers.values():
        layer.complete_attributes()
        if not layer.points_only:
            layer.geoms  # noqa: B018 - made now, on this worker, not on the GUI thread's first click
    search_index(data)
    for layer in data.layers.values():
        if len(layer.ring_feature):
            edges.prepare(layer)
    return_freed_memory()  # the temporary arrays of the steps above (a city's: a few hundred MB)


def load_project(path: Path, upgrade: bool, progress: Any) -> tuple[Path, MapData, Project]:
    """Open a project and prepare its map (on a worker: loading builds CRS objects and arrays)."""
    # The whole-table reads of the thorough check wait for the first paint (0.6 s of the 10x city's open, 19 s
    # when the file is not in the page cache): the first pages of every table are checked now.
    project = Project.open(path, migrate=upgrade, thorough=False)
    data = load_map(project, progress=progress)
    return path, data, project


class MainWindow(QMainWindow, WindowMenus, WindowWork, WindowMapping, WindowScreens, WindowSyncStatus, WindowPeriod,
                 WindowField, WindowSelection, WindowWarning):
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
        self._inspectors: Optional[pd.DataFrame] = None  # the open project's people, read after its first paint
        self._project: Optional[Project] = None
        self.selected = np.empty(0, dtype=np.int64)
        self.language = i18n.resolve(str(settings.value("language", "system")))
        #: Ask who is working when a project opens and nobody is chosen (tests of other things turn it off).
        self.ask_user_on_start = str(settings.value("ask_user_on_start", "true")).lower() not in ("false", "0")

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
        # The dashboard (pyqtgraph: 0.4 s of imports) is made when it is first shown, not on the way to
        # the first painted map.
        self._dashboard: Optional["DashboardWidget"] = None
        self.dashboard_dock = named(QDockWidget(self), "dashboardDock")
        self.dashboard_dock.visibilityChanged.connect(lambda shown: shown and self.dashboard)
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
        self._make_field()  # basemap, GPS, patrol tracks
        self._make_warning_map()  # a warning in force: frame, banner and site checks on the canvas
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.field_panel)
        self.tabifyDockWidget(self.coverage_panel, self.field_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dashboard_dock)
        self.dashboard_dock.hide()
        self.task_panel.raise_()
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.table_dock)
        self.table_dock.hide()
        self.scroll_dock_bodies([self.identify_panel, self.task_panel, self.finding_panel, self.conflict_panel,
                                 self.rules_dock, self.coverage_panel, self.layers_panel, self.field_panel],
                                shrink_lists=(self.identify_panel,))
        self.resizeDocks([self.search_panel, self.layers_panel], [180, 520], Qt.Orientation.Vertical)
        self.resizeDocks([self.layers_panel, self.identify_panel], [250, 300], Qt.Orientation.Horizontal)

        self.coord_label = named(QLabel(), "coordLabel")
        self.scale_label = named(QLabel(), "scaleLabel")
        self.selection_label = named(QLabel(), "selectionLabel")
        self.user_label = named(QLabel(), "userLabel")
        self.progress = named(QProgressBar(), "loadProgress")
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self._make_sync_status()
        sb = self.statusBar()
        sb.addWidget(self.coord_label, 1)
        sb.addPermanentWidget(self.sync_label)
        sb.addPermanentWidget(self.user_label)
        sb.addPermanentWidget(self.selection_label)
        sb.addPermanentWidget(self.scale_label)
        sb.addPermanentWidget(self.progress)

        self._make_actions()
        self._make_shared_bar()
        self._make_period_bar()
        self._connect()
        self.retranslate()
        self.resize(1400, 900)

    # --- actions and menus --------------------------------------------------------------------


    @property
    def dashboard(self) -> "DashboardWidget":
        """The dashboard in its dock, made on first use."""
        if self._dashboard is None:
            from ..analysis.dashboard import DashboardWidget

            self._dashboard = DashboardWidget(self.workflow, self.settings)
            self._dashboard.only_when_visible = True
            self.dashboard_dock.setWidget(self._dashboard)
        return self._dashboard

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802 - Qt API
        if not self.confirm_close():  # edits unsynced for more than a day: asked first
            event.ignore()
            return
        if self.isVisible():
            self.save_window_state()
        # Every background job (loading, coverage, dashboard, rule checks, rendering) is cancelled and
        # joined before the window goes: none is left inside pyarrow or GDAL when the app exits.
        self.canvas.shutdown()
        if not stop_jobs(timeout=15.0):
            log.warning("background jobs still running after the window closed")
        super().closeEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        # polished, not added: a child being added is not yet a QTabBar (it is still being constructed)
        if event.type() == QEvent.Type.ChildPolished and isinstance(event.child(), QTabBar):
            QTimer.singleShot(0, self.tidy_dock_tabs)  # a new dock tab bar: whole titles, scroll buttons
        return super().event(event)


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
        self.canvas.measureCleared.connect(self._measure_cleared)
        self.canvas.rectangleSelected.connect(self._on_rectangle)
        self.canvas.renderFailed.connect(lambda m: self.statusBar().showMessage(self.tr("Drawing failed: ") + m, 8000))
        # The first paint's follow-up runs from the event loop, after the map is on screen and whoever else
        # waited for the render heard of it (the panels' work takes the GUI thread for a while).
        self._first_paint_timer = QTimer(self)
        self._first_paint_timer.setSingleShot(True)
        self._first_paint_timer.setInterval(0)
        self._first_paint_timer.timeout.connect(self._after_first_paint)
        self.canvas.renderFinished.connect(self._on_render_ended)
        self.canvas.renderFailed.connect(self._on_render_ended)
        self.search_panel.queryChanged.connect(self._on_search)
        self.search_panel.placeChosen.connect(self.go_to_place)
        self.table_dock.selectionChangedByUser.connect(self._on_table_selection)
        wf = self.workflow
        wf.changed.connect(self._on_workflow_changed)
        wf.changed.connect(lambda _edit: self.schedule_sync_status())
        wf.failed.connect(self._on_workflow_failed)
        wf.warned.connect(self._on_workflow_warned)
        wf.userChanged.connect(self._update_user)
        wf.userChanged.connect(self._update_recording)  # a track is recorded for the user's task in progress
        wf.changed.connect(lambda edit: self._update_recording()
                           if any(c.table == "assignment" for c in edit.changes) else None)
        wf.busyChanged.connect(lambda busy: self._update_actions())
        wf.busyChanged.connect(lambda busy: self.statusBar().showMessage(self.tr("Saving…")) if busy
                               else self.statusBar().clearMessage())
        self.task_panel.zoomToCell.connect(self.zoom_to_cell)
        self.task_panel.recordFindingRequested.connect(self.record_finding)
        self.task_panel.currentTaskChanged.connect(lambda task: self._update_actions())
        self.task_panel.currentTaskChanged.connect(self.highlight_check_fires)
        self.task_panel.taskSelected.connect(self._on_task_selected)
        self.rules_dock.panel.hitsSelected.connect(self._on_hits_selected)
        self.search_panel.hitHighlighted.connect(self._on_search_current)
        self.finding_panel.zoomToFinding.connect(lambda lon, lat: self.canvas.zoom_to((lon, lat, lon, lat), 0.01))
        self.coverage_panel.bind_map(self.canvas, self.layers_panel)
        self.coverage_panel.cellsChosen.connect(self._select_cells_where)
        self.coverage_panel.assignRequested.connect(lambda codes, text: self._open_assign(codes, description=text))
        self.rules_dock.panel.zoomToBounds.connect(lambda a, b, c, d: self.canvas.zoom_to((a, b, c, d), 0.005))
        self.finding_panel.findingSelected.connect(lambda uuid: self._update_overlay())
        self.identify_panel.recordChosen.connect(self._on_record_chosen)
        self.conflict_panel.showRowRequested.connect(lambda table, uuid: self.show_on_map(table, [uuid]))
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

    @property
    def inspectors(self) -> pd.DataFrame:
        """The open project's people (read after the map's first paint; empty before)."""
        if self._inspectors is None:
            self._inspectors = pd.DataFrame()
        return self._inspectors

    @inspectors.setter
    def inspectors(self, frame: pd.DataFrame) -> None:
        self._inspectors = frame

    def _on_load_done(self, job: Job, result: tuple[Path, MapData, Project]) -> None:
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
        dialog.imported.connect(lambda report: self.reload_project())
        self._import_dialog = dialog
        dialog.open()

    def show_checkout_dialog(self, shared: Optional[Path] = None) -> None:
        """File > Check out shared project: make a working copy, then open it as its user."""
        from ..sync.dialogs import CheckoutDialog

        dialog = CheckoutDialog(self.settings, self)
        if shared is not None:
            dialog.set_shared(Path(shared))
        dialog.checkedOut.connect(lambda path, d=dialog: self._open_checkout(path, d.user()))
        self._checkout_dialog = dialog
        dialog.open()

    def show_open_server_dialog(self) -> None:
        """File > Open server district: a PostGIS district shown live and read-only (gridwatch.ui.sync.live)."""
        from ..sync.live import OpenServerDialog

        dialog = OpenServerDialog(self.settings, self)
        dialog.opened.connect(self.open_project)
        self._open_server_dialog = dialog
        dialog.open()

    def show_city_dialog(self) -> None:
        """File > City view: the districts of a PostGIS server side by side (read live)."""
        from ..sync.city import CityDialog

        self._city_dialog = CityDialog(self.settings, self)
        self._city_dialog.show()

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
        dialog.synced.connect(lambda report: self.reload_project())
        dialog.synced.connect(lambda report: self.note_sync_result(None))
        dialog.failed.connect(lambda message, d=dialog: None if d.cancelled else self.note_sync_result(message))
        self._sync_dialog = dialog
        dialog.open()

    def reload_project(self) -> None:
        """The open project changed as a whole (an import, a sync): its map layers are read again in the
        background; the session reads its people again and the panels refresh from that change event
        (the user, the period, the window's layout and the layer settings stay)."""
        if self.project_path is not None:
            self.open_project(self.project_path)

    def _on_loaded(self, path: Path, data: MapData, project: Project) -> None:
        """A project's map is read: the map is set up and drawn first, in one render; the session, the panels,
        the people and every background job wait for that first paint (:meth:`_after_first_paint`): two
        cores, and the GUI thread's work of the panels (reading tasks, findings and people) would keep the
        first render waiting for the interpreter."""
        self.progress.hide()
        self.statusBar().clearMessage()
        self.project_path = path
        self.data = data
        self._project = project
        self.selected = np.empty(0, dtype=np.int64)
        self._waiting_for_paint = True
        self.coverage_panel.hold()
        QTimer.singleShot(FIRST_PAINT_WAIT_MS, self._after_first_paint)  # in case no render comes
        with self.canvas.one_render():
            self.canvas.set_data(data)
            for name, item in self.layers_panel.items.items():
                self.canvas.states[name].visible = item.checkState(0) == Qt.CheckState.Checked
            self._refresh_basemaps()  # the basemap is part of the first paint
            self._period_map_loaded()  # the period's fire points (the first paint reads them itself)
        self._remember(path)
        self._update_title()
        self._update_selection_label()

    def _finish_loading(self) -> None:
        """After the first paint: the session and the panels follow the project the map shows."""
        path = self.project_path
        if path is None:
            return
        self.identify_panel.retranslate()
        if self.table_dock.isVisible():
            self.show_table(self._table_layer or SELECTION_LAYER)
        if self.workflow.path is not None and Path(self.workflow.path) == Path(path):
            self.workflow.reload()  # the same file changed as a whole: the session and panels hear it as a change
        else:
            self.workflow.set_project(path)
            self.coverage_panel.set_project(path)
        # the people the session just read (not read again through GDAL on this thread: a city's 21,777 people
        # and GDAL's first import held the window 0.9 s)
        self.inspectors = self.workflow.people
        self.shared_bar.setVisible(bool(self.workflow.read_only) and not self.workflow.live)
        self.live_bar.set_project(path)
        self._field_loaded()
        self.refresh_sync_status()
        self._overlay_rows = None  # the new project's findings are read again
        self._period_loaded()  # the panels show the period's tasks and findings, the map its findings
        self._update_actions()
        self.projectLoaded.emit(str(path))
        if self.ask_user_on_start:
            self._ask_user_if_nobody()

    def _on_render_ended(self, _outcome: object) -> None:
        if getattr(self, "_waiting_for_paint", False):
            self._first_paint_timer.start()

    def _after_first_paint(self) -> None:
        """The map of a newly opened project is painted (or could not be): the session and the panels are set
        up, then background work starts (the panels' jobs, attributes and search, the office's upkeep)."""
        if not getattr(self, "_waiting_for_paint", False):
            return
        self._waiting_for_paint = False
        self._finish_loading()
        self.coverage_panel.release()
        data = self.data
        if data is not None:
            # The attributes the map did not need (a million fire points' codes and ids), then the names and
            # their pinyin, ready before the first identify, table or search (on a worker).
            run_job(lambda progress, cancel, data=data: complete_map(data), "complete-map", executor=_LOAD_POOL)
            path = self.project_path
            # every table read whole, as an open always checked: a damaged page says so now, not mid-session
            run_job(lambda progress, cancel: Project.open(path), "check", failed=self._on_check_failed, tag=path)
            self.office_upkeep()  # the office's copy: ended warnings' summaries, campaign rounds that began

    def _on_check_failed(self, job: Job, message: str, kind: str) -> None:
        """The thorough check after the first paint found the open project damaged: said as an open's failure."""
        if kind != "cancelled" and self.project_path is not None and Path(job.tag) == Path(self.project_path):
            self._on_failed(job.tag, f"{job.tag}: {message}" if kind == "bug" else message)

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

