"""The main window: map, layers, search, identify, attribute table, menus and status bar."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import pandas as pd
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
from ...layers import LAYERS
from ...mapview.data import MapData, load_map
from ...mapview.search import PERSON, SearchHit, as_text, parent_names, search_all, search_index
from ...times import short_time
from .. import i18n
from ..analysis.coverage_panel import CoveragePanel
from ..analysis.rules import RulesDock
from ..data.attribute_table import AttributeTableDock
from ..data.display import display_frame
from ..findings.panel import FindingDialog, FindingsPanel
from ..jobs import Job, queue, run_job, stop_jobs
from ..map.canvas import SELECTION_LAYER, MapCanvas
from ..map.panels import IdentifyPanel, LayersPanel, SearchPanel
from ..session import WorkflowController
from ..sync.conflicts import ConflictsPanel
from ..tasks.panel import TaskPanel
from ..texts import feature_title, layer_title, table_header, value_title
from ..widgets import named
from .field import WindowField
from .mapping import WindowMapping
from .menus import WindowMenus
from .period import WindowPeriod
from .screens import WindowScreens
from .syncbar import WindowSyncStatus
from .work import WindowWork

log = logging.getLogger("gridwatch.ui")
MAX_RECENT = 8
#: Layers hit-tested for identify, topmost first.
#: Findings on the map, coloured by where they are in the loop.
IDENTIFY_ORDER = ("fire_point", "construction_site", "mine", "grid_cell", "village", "township",
                  "fireworks_ban_zone", "coal_ban_zone")


if TYPE_CHECKING:
    from ..analysis.dashboard import DashboardWidget

_LOAD_POOL = queue("load")
#: Background work after opening a project waits for the map's first paint, at most this long.
FIRST_PAINT_WAIT_MS = 4000


def complete_map(data: MapData) -> None:
    """What the first paint did not wait for: every layer's attributes, the search index."""
    for layer in data.layers.values():
        layer.complete_attributes()
    search_index(data)


def load_project(path: Path, upgrade: bool, progress: Any) -> tuple[Path, MapData, pd.DataFrame]:
    """Open a project and prepare its map (on a worker: loading builds CRS objects and arrays)."""
    project = Project.open(path, migrate=upgrade)
    data = load_map(project, progress=progress)
    return path, data, project.read_table("inspector")


class MainWindow(QMainWindow, WindowMenus, WindowWork, WindowMapping, WindowScreens, WindowSyncStatus, WindowPeriod,
                 WindowField):
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
            self.retranslate()
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
        self.canvas.renderFinished.connect(lambda _s: self._after_first_paint())
        self.canvas.renderFailed.connect(lambda _m: self._after_first_paint())
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

    def _on_loaded(self, path: Path, data: MapData, inspectors: pd.DataFrame) -> None:
        reloaded = self.project_path is not None and Path(path) == Path(self.project_path)
        self.progress.hide()
        self.statusBar().clearMessage()
        self.project_path = path
        self.data = data
        self.inspectors = inspectors
        self.selected = np.empty(0, dtype=np.int64)
        # The map is painted first; the panels' background work waits for it (two cores: a coverage
        # computation started now would take one of them from the first render).
        self._waiting_for_paint = True
        self.coverage_panel.hold()
        QTimer.singleShot(FIRST_PAINT_WAIT_MS, self._after_first_paint)  # in case no render comes
        self.canvas.set_data(data)
        for name, item in self.layers_panel.items.items():
            self.canvas.states[name].visible = item.checkState(0) == Qt.CheckState.Checked
        self._remember(path)
        self._update_title()
        self._update_selection_label()
        self.identify_panel.retranslate()
        if self.table_dock.isVisible():
            self.show_table(self._table_layer or SELECTION_LAYER)
        if reloaded:  # the same file changed as a whole: the session and the panels hear it as a change
            self.workflow.reload()
        else:
            self.workflow.set_project(path)
            self.coverage_panel.set_project(path)
        self.shared_bar.setVisible(bool(self.workflow.read_only) and not self.workflow.live)
        self.live_bar.set_project(path)
        self._field_loaded()
        self.refresh_sync_status()
        self._overlay_rows = None  # the new project's findings are read by the period's first redraw
        self._period_loaded()  # the map and the panels show the period's fire points and findings
        if self._overlay_rows is None:  # no fire-point layer to filter: the findings still go on the map
            self._update_overlay()
        self._update_actions()
        self.projectLoaded.emit(str(path))
        if self.ask_user_on_start:
            self._ask_user_if_nobody()

    def _after_first_paint(self) -> None:
        """The map of a newly opened project is painted (or could not be): background work starts."""
        if not getattr(self, "_waiting_for_paint", False):
            return
        self._waiting_for_paint = False
        self.coverage_panel.release()
        data = self.data
        if data is not None:
            # The attributes the map did not need (a million fire points' codes and ids), then the names and
            # their pinyin, ready before the first identify, table or search (on a worker).
            run_job(lambda progress, cancel, data=data: complete_map(data), "complete-map", executor=_LOAD_POOL)

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
            if layer.visible is not None:  # not what the period hides
                hits = [h for h in hits if layer.visible[int(h)]]
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
                rows.append((feature_title("township"), parents["township"]))
            if "village" in parents and name != "village":
                rows.append((feature_title("village"), parents["village"]))
        spec = LAYERS[name]
        for col in frame.columns:
            if col in ("geometry", "uuid") or (col.endswith("_uuid") and col != "inspector_uuid"):
                continue  # ids: the change history and the table's "Show IDs" have them
            if col == "detected_local" and "detected_utc" in frame.columns:
                continue  # the same instant, shown once in Beijing time below
            value = row[col]
            field = spec.field(col) if col in spec.field_names else None
            if col.endswith("inspector_uuid") and isinstance(value, str) and len(self.inspectors):
                match = self.inspectors.loc[self.inspectors["uuid"] == value, "name"]
                text = str(match.iloc[0]) if len(match) else value
            elif field is not None and field.choices:
                text = value_title(value)
            elif field is not None and field.type == "DATETIME":
                text = short_time(value)
            else:
                text = as_text(value)
            rows.append((table_header(name, col), text))
        label = row.get("name") if "name" in frame.columns else row.get("detected_local", "")
        self.identify_panel.show_feature(f"{feature_title(name)}: {label}", rows, uuid=str(row.get("uuid", "")))
        self.identified = (name, index)
        self.canvas.highlight(name, [index])
        if name == "grid_cell" and self.project_path is not None:
            self._show_cell_records(str(row["code"]))
        self._update_actions()

    def _on_click(self, lon: float, lat: float, shift: bool) -> None:
        if self.data is None:
            return
        if self.canvas.tool == MapCanvas.PICK:
            self._finish_pick(lon, lat)
            return
        if self.canvas.tool == MapCanvas.MEASURE:
            self._measure_click(lon, lat)
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
            self.identified = None
            self.canvas.clear_highlight()
            self._update_actions()
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


    # --- search -------------------------------------------------------------------------------
    def _on_search(self, text: str) -> None:
        if self.data is not None:
            self.search_panel.show_hits(search_all(self.data, text, self.workflow.people))

    def go_to_place(self, hit: SearchHit) -> None:
        """Show a search hit: zoom to it and identify it (a person: their cells, highlighted)."""
        if hit.kind == PERSON:
            if hit.indices:
                self.canvas.zoom_to(hit.bounds)
            self.canvas.highlight(hit.layer, list(hit.indices))
            self.statusBar().showMessage(self.search_panel.hit_text(hit), 8000)
            return
        self.canvas.zoom_to(hit.bounds)
        self.show_identify(hit.layer, hit.index)

    # --- attribute table ------------------------------------------------------------------------
    _table_layer: Optional[str] = None

    def show_table(self, name: str) -> None:
        if self.data is None or name not in self.data.layers:
            return
        frame = self.data.layers[name].frame
        self._table_layer = name
        shown, ids = display_frame(name, frame, self.workflow.people)
        self.table_dock.set_layer(name, shown, header_for=lambda col, n=name: table_header(n, col),
                                  title=layer_title(name), ids=ids)
        if not self.table_dock.isVisible():
            self.show_bottom_dock(self.table_dock, 0.38)
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
        self.canvas.highlight(layer, positions)
        if len(positions):
            self.canvas.zoom_to(self.data.layers[layer].features_bounds(positions))
