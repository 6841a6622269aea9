"""The main window's actions and menus, and their texts."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QToolBar

from .. import i18n
from ..map.canvas import SELECTION_LAYER, MapCanvas
from ..widgets import named

# Texts keep the MainWindow translation context (they are the MainWindow's own).
translate = QCoreApplication.translate


class WindowMenus:
    """Actions, menus and toolbar of the main window and their texts (part of MainWindow)."""

    def _make_shared_bar(self) -> None:
        """A banner over the map while a shared project's snapshot is open: it is read-only, and the
        way to work on it is a working copy."""
        bar = named(QToolBar(self), "sharedProjectBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setStyleSheet("QToolBar#sharedProjectBar { background: #fff3c4; border-bottom: 1px solid #e0c060; }")
        self.shared_label = named(QLabel(bar), "sharedProjectLabel")
        self.shared_label.setWordWrap(True)
        bar.addWidget(self.shared_label)
        self.act_checkout_this = named(QAction(self), "actCheckoutThis",
                                       triggered=lambda: self.show_checkout_dialog(self.project_path))
        bar.addAction(self.act_checkout_this)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        bar.hide()
        self.shared_bar = bar
        from ..sync.live import LiveViewBar

        self.live_bar = LiveViewBar(self)  # a live view of a server district: what it shows, Refresh
        self.live_bar.refreshed.connect(lambda _n: self.reload_project())
        self.workflow.liveSynced.connect(self.reload_project)  # a supervisor's edit went to the server (or back)
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)  # a row of its own, across the window
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.live_bar)
        self.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)

    def _make_actions(self) -> None:
        self.act_open = QAction(self)
        self.act_open.setShortcut(QKeySequence.StandardKey.Open)
        self.act_open.triggered.connect(self.choose_project)
        self.act_import = QAction(self)
        self.act_import.setShortcut("Ctrl+I")
        self.act_import.triggered.connect(self.show_import_dialog)
        self.act_export = named(QAction(self), "actExport")
        self.act_export.setShortcut("Ctrl+E")
        self.act_export.triggered.connect(self.show_export_dialog)
        self.act_checkout = named(QAction(self), "actCheckout", triggered=lambda: self.show_checkout_dialog())
        self.act_city = named(QAction(self), "actCity", triggered=lambda: self.show_city_dialog())
        self.act_open_server = named(QAction(self), "actOpenServer", triggered=lambda: self.show_open_server_dialog())
        self.act_sync = named(QAction(self), "actSync")
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
        self.act_undo = self.workflow.undo_stack.createUndoAction(self, translate("MainWindow", "Undo"))
        self.act_undo.setObjectName("actUndo")
        self.act_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.act_redo = self.workflow.undo_stack.createRedoAction(self, translate("MainWindow", "Redo"))
        self.act_redo.setObjectName("actRedo")
        self.act_redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.act_user = QAction(self)
        self.act_user.triggered.connect(self.choose_user)
        self.act_people = named(QAction(self), "actPeople", triggered=self.show_people_dialog)
        self.act_plan_settings = named(QAction(self), "actPlanSettings", triggered=lambda: self.show_settings_dialog())
        self.act_cell_inspector = named(QAction(self), "actCellInspector", triggered=self.give_selected_cells)
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
        self.act_dashboard = named(QAction(self), "actDashboard")
        self.act_dashboard.triggered.connect(lambda: self.show_bottom_dock(self.dashboard_dock, 0.6))
        self.act_coverage = named(QAction(self), "actCoverage", triggered=lambda: self._show_dock(self.coverage_panel))
        self.act_rules = named(QAction(self), "actRules", triggered=lambda: self._show_dock(self.rules_dock))
        self.act_assessment = named(QAction(self), "actAssessment", triggered=lambda: self.show_assessment_dialog())
        self.act_warning = named(QAction(self), "actWarning", triggered=lambda: self.show_warning_dialog())
        self.act_end_warning = named(QAction(self), "actEndWarning", triggered=lambda: self.end_warning_now())
        self.act_checklist = named(QAction(self), "actChecklist", triggered=lambda: self.show_checklist_dialog())
        self.act_campaign = named(QAction(self), "actCampaign", triggered=lambda: self.show_campaign_dialog())
        self.act_calendar = named(QAction(self), "actCalendar", triggered=lambda: self.show_calendar_dialog())
        self.act_pan = QAction(self, checkable=True)
        self.act_pan.setChecked(True)
        self.act_select = QAction(self, checkable=True)
        self.act_measure = named(QAction(self, checkable=True), "actMeasure")
        tools.addAction(self.act_pan)
        tools.addAction(self.act_select)
        tools.addAction(self.act_measure)
        self.act_measure.triggered.connect(self.start_measuring)
        self.act_my_cells = named(QAction(self), "actMyCells", triggered=self.zoom_to_my_cells)
        self.act_pan.triggered.connect(lambda: self.canvas.set_tool(MapCanvas.PAN))
        self.act_select.triggered.connect(lambda: self.canvas.set_tool(MapCanvas.SELECT))
        for act in (self.act_pan, self.act_select):  # a measurement's text goes with the measure tool
            act.triggered.connect(lambda: self.statusBar().clearMessage())
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
        self.menu_file = named(mb.addMenu(""), "menuFile")
        self.menu_file.addAction(self.act_open)
        self.menu_recent = named(self.menu_file.addMenu(""), "menuRecent")
        self.menu_file.addAction(self.act_import)
        self.menu_file.addAction(self.act_export)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_checkout)
        self.menu_file.addAction(self.act_sync)
        self.menu_file.addAction(self.act_open_server)
        self.menu_file.addAction(self.act_city)
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_edit = named(mb.addMenu(""), "menuEdit")
        self.menu_edit.addAction(self.act_undo)
        self.menu_edit.addAction(self.act_redo)
        self.menu_view = named(mb.addMenu(""), "menuView")
        for act in (self.act_full, self.act_zoom_layer, self.act_zoom_sel, self.act_my_cells, self.act_table):
            self.menu_view.addAction(act)
        self.menu_view.addSeparator()
        for dock in (self.layers_panel, self.search_panel, self.identify_panel, self.task_panel, self.finding_panel,
                     self.conflict_panel, self.rules_dock, self.coverage_panel, self.field_panel, self.dashboard_dock,
                     self.table_dock):
            self.menu_view.addAction(dock.toggleViewAction())
        self.menu_work = named(mb.addMenu(""), "menuWorkflow")
        for act in (self.act_assign, self.act_assign_feature, self.act_fire_checks, self.act_record, self.act_checklist,
                    self.act_campaign, self.act_warning, self.act_end_warning):
            self.menu_work.addAction(act)
        self.menu_work.addSeparator()
        self.menu_work.addAction(self.act_cell_inspector)
        self.menu_analysis = named(mb.addMenu(""), "menuAnalysis")
        for act in (self.act_coverage, self.act_dashboard, self.act_rules, self.act_assessment):
            self.menu_analysis.addAction(act)
        self.menu_tools = named(mb.addMenu(""), "menuTools")
        for act in (self.act_pan, self.act_select, self.act_measure, self.act_clear_sel):
            self.menu_tools.addAction(act)
        self.menu_settings = named(mb.addMenu(""), "menuSettings")
        self.menu_settings.addAction(self.act_user)
        self.menu_settings.addAction(self.act_people)
        self.menu_settings.addAction(self.act_plan_settings)
        self.menu_settings.addAction(self.act_calendar)
        self.menu_language = named(self.menu_settings.addMenu(""), "menuLanguage")
        for act in self.lang_actions.values():
            self.menu_language.addAction(act)
        self.toolbar = named(self.addToolBar(""), "mainToolbar")
        for act in (self.act_open, self.act_full, self.act_zoom_sel, self.act_my_cells, self.act_pan, self.act_select,
                    self.act_measure, self.act_table):
            self.toolbar.addAction(act)
        self.toolbar.addSeparator()
        for act in (self.act_assign, self.act_undo, self.act_redo):
            self.toolbar.addAction(act)
        self.toolbar.addAction(self.act_sync)
        self._rebuild_recent()

    def retranslate(self) -> None:
        """Set every visible text (called at start and whenever the language changes)."""
        self.menu_file.setTitle(translate("MainWindow", "&File"))
        self.menu_recent.setTitle(translate("MainWindow", "Recent projects"))
        self.menu_edit.setTitle(translate("MainWindow", "&Edit"))
        self.menu_work.setTitle(translate("MainWindow", "&Inspections"))
        self.act_user.setText(translate("MainWindow", "Current &user…"))
        self.act_assign.setText(translate("MainWindow", "&Assign inspections for selected cells…"))
        self.act_assign_feature.setText(translate("MainWindow", "Assign inspection for the identified feature…"))
        self.act_assign_feature.setToolTip(translate("MainWindow",
            "A fire point, construction site, mine or zone: its cell; a village or township: all its cells"))
        self.act_fire_checks.setText(translate("MainWindow", "Create &fire-point checks…"))
        self.act_record.setText(translate("MainWindow", "&Record finding for the selected task…"))
        self.act_people.setText(translate("MainWindow", "&People…"))
        self.act_plan_settings.setText(translate("MainWindow", "&Work-plan settings and checklists…"))
        self.act_cell_inspector.setText(translate("MainWindow", "Give selected cells to an inspector…"))
        self.menu_view.setTitle(translate("MainWindow", "&View"))
        self.menu_analysis.setTitle(translate("MainWindow", "&Analysis"))
        self.act_dashboard.setText(translate("MainWindow", "&Dashboard and township ranking"))
        self.act_rules.setText(translate("MainWindow", "&Rule checks…"))
        self.act_assessment.setText(translate("MainWindow", "Township &assessment and bulletin…"))
        self.act_warning.setText(translate("MainWindow", "Declare heavy-pollution &warning…"))
        self.act_end_warning.setText(translate("MainWindow", "&End the heavy-pollution warning now…"))
        self.act_checklist.setText(translate("MainWindow", "Record the &checklist of the selected task…"))
        self.act_campaign.setText(translate("MainWindow", "Ca&mpaigns…"))
        self.act_calendar.setText(translate("MainWindow", "Seasonal &calendar…"))
        self.act_coverage.setText(translate("MainWindow", "Patrol &coverage"))
        self.dashboard_dock.setWindowTitle(translate("MainWindow", "Dashboard"))
        self.menu_tools.setTitle(translate("MainWindow", "&Tools"))
        self.menu_settings.setTitle(translate("MainWindow", "&Settings"))
        self.menu_language.setTitle(translate("MainWindow", "Language"))
        self.toolbar.setWindowTitle(translate("MainWindow", "Main toolbar"))
        self.act_open.setText(translate("MainWindow", "&Open project…"))
        self.act_quit.setText(translate("MainWindow", "&Quit"))
        self.act_import.setText(translate("MainWindow", "&Import data…"))
        self.act_import.setToolTip(translate("MainWindow",
                                             "Import a shapefile, GeoJSON, GeoPackage, KML, CSV or XLSX into a layer"))
        for act in (self.act_import, self.act_assign_feature):
            act.setProperty("usualToolTip", act.toolTip())
        self.act_export.setText(translate("MainWindow", "Export for &briefing…"))
        self.act_export.setToolTip(
            translate("MainWindow",
                      "Maps, the web map, the findings ledger, coverage and ranking tables for briefings"))
        self.act_checkout.setText(translate("MainWindow", "Check &out shared project…"))
        self.shared_label.setText(translate("MainWindow", "This is a shared project: the copy in the shared folder "
                                                          "that laptops sync with. It is open read-only; to work on "
                                                          "it, check out a working copy."))
        self.act_checkout_this.setText(translate("MainWindow", "Check out a working copy…"))
        self.act_checkout.setToolTip(translate("MainWindow",
                                               "Make a working copy of the shared project on this laptop"))
        self.act_open_server.setText(translate("MainWindow", "Open server &district…"))
        self.act_open_server.setToolTip(translate("MainWindow", "Show a district of a PostGIS server here, read-only "
                                                                "and refreshed from the server"))
        self.act_city.setText(translate("MainWindow", "&City view (server)…"))
        self.act_city.setToolTip(translate("MainWindow", "Coverage and the township ranking across the districts "
                                                         "of a PostGIS server"))
        self.act_sync.setText(translate("MainWindow", "S&ync…"))
        self.act_sync.setToolTip(translate("MainWindow",
                                           "Exchange changes between this working copy and the shared project"))
        for act in (self.act_export, self.act_sync):
            act.setProperty("usualToolTip", act.toolTip())
        self.act_full.setText(translate("MainWindow", "Zoom to full extent"))
        self.act_zoom_layer.setText(translate("MainWindow", "Zoom to layer"))
        self.act_zoom_sel.setText(translate("MainWindow", "Zoom to selection"))
        self.act_table.setText(translate("MainWindow", "Attribute table"))
        self.act_clear_sel.setText(translate("MainWindow", "Clear selection"))
        self.act_pan.setText(translate("MainWindow", "Pan"))
        self.act_pan.setToolTip(translate("MainWindow", "Pan: drag to move the map, click to identify"))
        self.act_select.setText(translate("MainWindow", "Select cells"))
        self.act_measure.setText(translate("MainWindow", "Measure"))
        self.act_measure.setToolTip(translate("MainWindow", "Measure a distance, and the area of three points or "
                                                            "more (m², km², mu); right-click or Esc starts again"))
        self.act_my_cells.setText(translate("MainWindow", "My cells"))
        self.act_my_cells.setProperty("usualToolTip", translate("MainWindow", "Zoom to the cells you are "
                                                                              "responsible for"))
        self.act_select.setToolTip(translate(
            "MainWindow", "Select grid cells: click, shift-click to add or remove, drag a rectangle"))
        self.lang_actions["system"].setText(translate("MainWindow", "Follow the system"))
        self.lang_actions["zh_CN"].setText("中文 (简体)")
        self.lang_actions["en"].setText("English")
        for panel in (self.layers_panel, self.search_panel, self.identify_panel, self.table_dock, self.task_panel,
                      self.finding_panel, self.conflict_panel, self.rules_dock):
            panel.retranslate()
        self._retranslate_field()
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

    def set_language(self, setting: str) -> None:
        self.settings.setValue("language", setting)
        self.settings.sync()
        self.language = i18n.install(setting)
        self.lang_actions[setting].setChecked(True)

    def _update_title(self) -> None:
        name = self.data.district_name if self.data is not None else ""
        app = translate("MainWindow", "GridWatch")
        self.setWindowTitle(f"{name} — {app}" if name else app)
