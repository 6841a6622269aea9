"""The main window's supervision work: who is working, assigning, recording findings, showing records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QMessageBox

from ...app.store import TARGET_LAYERS, Edit, checklist_results, queries, read_settings
from ...app.syncstate import is_working_copy
from ...domain.checklists import item_title
from ...domain.policy import Action
from ...errors import GridWatchError
from ...layers.palette import FINDING_STATUS
from ...mapview.data import update_values
from ...times import finding_ends, overlaps, task_ends
from .. import i18n
from ..findings.panel import FindingDialog
from ..map.canvas import SELECTION_LAYER, MapCanvas
from ..tasks.panel import AssignDialog, FireChecksDialog
from ..texts import feature_title

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

# Texts keep the MainWindow translation context (they are the MainWindow's own).
translate = QCoreApplication.translate

#: Findings on the map, coloured by the step of their loop.
FINDING_COLORS = {status: QColor(*rgba) for status, rgba in FINDING_STATUS.items()}


def _gate(action: QAction, enabled: bool, refusal: str) -> None:
    """Enable ``action`` or grey it out with the policy's reason as its tooltip (the usual one back after)."""
    usual = action.property("usualToolTip")
    action.setEnabled(enabled)
    action.setToolTip(refusal if not enabled and refusal else (usual or action.text().replace("&", "")))


class WindowWork:
    """The Inspections menu's work and the panels' workflow signals (part of MainWindow)."""

    def choose_user(self, first_start: bool = False) -> None:
        """Settings > Current user (and the first start): who works on this laptop, a person of the project
        shown with role, township and phone tail; nobody preselected on the first start."""
        from ..data.user_picker import UserPicker

        people = self.workflow.people
        if self.project_path is None or people.empty:
            return
        townships = {}
        if self.data is not None and "township" in self.data.layers:
            tw = self.data.layers["township"].frame
            townships = dict(zip(tw["code"].astype(str), tw["name"].astype(str)))
        old = getattr(self, "_user_picker", None)
        if old is not None:
            old.deleteLater()
        actor = self.workflow.actor
        picker = UserPicker(people, townships, self.settings, current_uuid=actor.uuid if actor else "",
                            first_start=first_start, parent=self)
        picker.chosen.connect(lambda name, uuid: self.workflow.set_user(name, uuid))
        self._user_picker = picker
        picker.open()

    def _ask_user_if_nobody(self) -> None:
        """First start on a project (nobody chosen, or the chosen person is not in it): ask who is working."""
        wf = self.workflow
        if wf.actor is None and not wf.read_only and not wf.people.empty:
            self.choose_user(first_start=True)

    def _update_actions(self) -> None:
        """Enable what the user may do now; a greyed action says why in its tooltip."""
        wf = self.workflow
        has_data = self.data is not None
        no_project = translate("MainWindow", "Open a project first") if not has_data else ""
        select_first = translate("MainWindow", "Select cells on the map first (the Select cells tool)")
        may_assign = wf.may(Action.ASSIGN_TASKS)
        _gate(self.act_assign, may_assign and has_data and len(self.selected) > 0,
              wf.refusal(Action.ASSIGN_TASKS) or no_project or select_first)
        target = self.identified[0] if self.identified else None
        _gate(self.act_assign_feature, may_assign and has_data and target in (*TARGET_LAYERS, "village", "township"),
              wf.refusal(Action.ASSIGN_TASKS) or no_project
              or translate("MainWindow", "Click a fire point, site, mine, zone, village or township on the map first"))
        _gate(self.act_fire_checks, wf.may(Action.CREATE_FIRE_CHECKS) and has_data,
              wf.refusal(Action.CREATE_FIRE_CHECKS) or no_project)
        task = self.task_panel.selected_task()
        _gate(self.act_record, task is not None and wf.may(Action.RECORD_FINDING, task),
              wf.refusal(Action.RECORD_FINDING, task) if task is not None
              else translate("MainWindow", "Select a task in progress in the Tasks panel first"))
        _gate(self.act_warning, wf.may(Action.DECLARE_WARNING) and has_data,
              wf.refusal(Action.DECLARE_WARNING) or no_project)
        self.gate_end_warning(_gate)
        _gate(self.act_assessment, self.project_path is not None and has_data, no_project)
        _gate(self.act_campaign, self.project_path is not None and has_data, no_project)
        _gate(self.act_calendar, self.project_path is not None and has_data, no_project)  # edits: supervisors
        _gate(self.act_checklist, task is not None and task.get("kind") in self._checklist_kinds()
              and wf.may(Action.RECORD_FINDING, task),
              (wf.refusal(Action.RECORD_FINDING, task) or translate("MainWindow", "This kind of task has no checklist"))
              if task is not None else translate("MainWindow", "Select a task in progress in the Tasks panel first"))
        _gate(self.act_people, self.project_path is not None and has_data, no_project)
        _gate(self.act_plan_settings, wf.may(Action.EDIT_SETTINGS) and has_data,
              wf.refusal(Action.EDIT_SETTINGS) or no_project)
        _gate(self.act_export, self.project_path is not None and has_data, no_project)
        _gate(self.act_cell_inspector, wf.may(Action.SET_CELL_INSPECTOR) and has_data and len(self.selected) > 0,
              wf.refusal(Action.SET_CELL_INSPECTOR) or no_project or select_first)
        # importing changes the district's layers: not for inspectors (no user chosen yet: allowed)
        # a live view sends single actions to the server: layers are imported into a working copy and synced
        _gate(self.act_import, self.project_path is not None and not wf.read_only and not wf.live
              and (wf.actor is None or wf.may(Action.IMPORT_LAYER, {"layer": ""})),
              (wf.refusal(Action.IMPORT_LAYER, {"layer": ""}) if wf.actor is not None or wf.read_only else "")
              or (translate("MainWindow", "In a live server view each action goes to the server on its own; "
                                          "import layers into a checked-out working copy and sync it")
                  if wf.live else "") or no_project)
        mine = len(self.my_cells()) if has_data else 0
        _gate(self.act_my_cells, mine > 0,
              translate("MainWindow", "Choose who you are first (Settings > Current user).") if wf.actor is None
              else translate("MainWindow", "%1 is responsible for no cells").replace("%1", wf.actor.name))
        # sync a working copy, never while an edit is being written
        copy = is_working_copy(self.project_path)
        _gate(self.act_sync, has_data and copy and not wf.busy,
              no_project or (translate("MainWindow", "Only a working copy of a shared project is synced; check one out "
                                              "first (File > Check out shared project)") if not copy
                             else translate("MainWindow", "An edit is being saved; sync when it is done")))

    def assign_selected_cells(self) -> None:
        codes = self.selected_codes()
        n = len(codes)  # a plain name: lupdate reads the count argument only so
        if codes:
            self._open_assign(codes, description=translate("MainWindow", "%n selected cell(s)", "", n))

    def assign_identified(self) -> None:
        """Assign an inspection for the identified feature (its cell) or village/township (all its cells)."""
        if self.identified is None or self.data is None or self.project_path is None:
            return
        from ...app.store import cells_for_features, cells_in_area

        name, index = self.identified
        row = self.data.layers[name].row(index)
        try:
            if name in ("village", "township"):
                codes = cells_in_area(self.project_path, **{name: str(row["code"])})
                self._open_assign(codes, description=f"{feature_title(name)} {row['name']}")
            else:
                pairs = cells_for_features(self.project_path, name, [str(row["uuid"])])
                label = row.get("name") if "name" in row.index else row.get("detected_local", "")
                self._open_assign([c for c, _ in pairs], target_layer=name, target_uuids=[u for _, u in pairs],
                                  description=f"{feature_title(name)} {label}")
        except GridWatchError as exc:
            self._on_workflow_failed(i18n.error_text(exc))

    def _open_assign(self, codes: list[str], **kwargs) -> None:  # type: ignore[no-untyped-def]
        tw = self.data.layers["township"].frame if self.data is not None and "township" in self.data.layers else None
        townships = dict(zip(tw["code"].astype(str), tw["name"].astype(str))) if tw is not None else {}
        dialog = AssignDialog(self.workflow, codes, townships=townships, parent=self, **kwargs)
        self._assign_dialog = dialog
        dialog.open()

    def show_fire_checks_dialog(self) -> None:
        if self.data is None or "township" not in self.data.layers:
            return
        tw = self.data.layers["township"].frame
        dialog = FireChecksDialog(self.workflow, list(zip(tw["code"].astype(str), tw["name"].astype(str))), self)
        self._fire_dialog = dialog
        dialog.open()

    def show_assessment_dialog(self) -> None:
        """Analysis > Township assessment (考核) and its Word bulletin."""
        if self.data is None or "township" not in self.data.layers:
            return
        from ..analysis.plans import AssessmentDialog

        tw = self.data.layers["township"].frame
        self._assessment_dialog = AssessmentDialog(self.workflow, list(zip(tw["code"].astype(str),
                                                                           tw["name"].astype(str))), self)
        self._assessment_dialog.open()
        self._assessment_dialog.compute()

    def _checklist_kinds(self) -> tuple[str, ...]:
        from ...app.store import read_settings
        from ...domain.plans import settings_from_meta

        try:
            return tuple(read_settings(self.project_path)["checklists"]) if self.project_path else ()
        except GridWatchError:
            return tuple(settings_from_meta({})["checklists"])

    def show_checklist_dialog(self) -> None:
        """Inspections > Record the checklist of the selected task (a task in progress)."""
        task = self.task_panel.selected_task()
        if task is None or self.project_path is None:
            return
        from ...app.store import task_checklist
        from ..tasks.checklist import ChecklistDialog

        row, items = task_checklist(self.project_path, str(task["uuid"]))
        self._checklist_dialog = ChecklistDialog(self.workflow, row, items, self)
        self._checklist_dialog.open()

    def show_campaign_dialog(self) -> None:
        """Inspections > Campaigns: start one from its template, follow its progress."""
        if self.project_path is None:
            return
        from ..tasks.campaign import CampaignDialog

        self._campaign_dialog = CampaignDialog(self.workflow, self)
        self._campaign_dialog.open()

    def show_settings_dialog(self) -> None:
        """Settings > Work-plan settings and checklists (supervisors and administrators)."""
        if self.project_path is None:
            return
        from ..analysis.settings_dialog import SettingsDialog

        self._settings_dialog = SettingsDialog(self.workflow, self)
        # the dashboard's ranking reads the deductions: a dashboard already made reloads
        self._settings_dialog.saved.connect(lambda: self._dashboard is not None and self._dashboard.refresh())
        self._settings_dialog.open()

    def show_calendar_dialog(self) -> None:
        """Settings > Seasonal calendar: everyone sees it, supervisors and administrators change it."""
        from ..analysis.calendar_dialog import CalendarDialog

        self._calendar_dialog = CalendarDialog(self.workflow, self)
        self._calendar_dialog.saved.connect(self.coverage_panel.schedule_refresh)
        self._calendar_dialog.saved.connect(lambda: self.dashboard.refresh())
        self._calendar_dialog.open()

    def show_warning_dialog(self) -> None:
        """Inspections > Declare a heavy-pollution warning (supervisors)."""
        from ..analysis.plans import WarningDialog

        self._warning_dialog = WarningDialog(self.workflow, self)
        self._warning_dialog.open()

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
        """Open the Record finding form for a task in progress, located where the GPS says I am (a fresh
        position), else at its cell's centre."""
        if task is None or self.data is None:
            return
        cells = self.data.layers[SELECTION_LAYER]
        pos = np.flatnonzero(cells.frame["code"].to_numpy() == task["cell_code"])
        if not len(pos):
            return
        geom = cells.geoms[int(pos[0])]
        centre = geom.representative_point()
        here = self.gps_position()  # where I stand, when the GPS has a fresh position
        lon, lat = here if here is not None else (centre.x, centre.y)
        dialog = FindingDialog(self.workflow, task=task, cell_code=task["cell_code"], cell_geometry=geom,
                               longitude=lon, latitude=lat, parent=self)
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
        self.statusBar().showMessage(translate("MainWindow", "Click the finding's location on the map"))

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
        if any(ch.table == "pollution_warning" for ch in edit.changes):
            self.show_warning()  # declared, or undone: the bar beside the period follows
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
        self._update_overlay(edit)
        if self.identified is not None and self.identified[0] == SELECTION_LAYER and self.data is not None:
            if cells_changed:
                self.show_identify(*self.identified)  # the cell's inspector, then its records
            else:
                code = str(self.data.layers[SELECTION_LAYER].frame["code"].iloc[self.identified[1]])
                self._show_cell_records(code)
        self._update_actions()

    def highlight_check_fires(self, task: Optional[dict]) -> None:
        """The fire points of the selected fire-point check, marked on the map (cleared otherwise)."""
        if self.data is None or "fire_point" not in self.data.layers:
            return
        uuids: list[str] = []
        if task and task.get("kind") == "fire_check" and self.project_path is not None:
            try:
                uuids = queries.check_fire_points(self.project_path, str(task["uuid"]))
            except GridWatchError:
                uuids = []
        self.find_positions("fire_point", uuids, self._mark_check_fires, purpose="check-fires")

    def _mark_check_fires(self, idx: np.ndarray) -> None:
        if len(idx) or len(self.canvas.highlighted_indices("fire_point")):  # another highlight stays
            self.canvas.highlight("fire_point", idx)

    def _on_workflow_failed(self, message: str) -> None:
        from PySide6.QtWidgets import QApplication

        if QApplication.activeModalWidget() is not None:  # the open form shows the refusal itself
            self.statusBar().showMessage(message, 15000)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, translate("MainWindow",
                                                              "Not saved"), message, QMessageBox.StandardButton.Ok,
                          self)
        box.setObjectName("workflowErrorDialog")
        self._workflow_box = box
        box.open()

    def _on_workflow_warned(self, warnings: list) -> None:
        text = "\n".join(str(w) for w in warnings)
        self.statusBar().showMessage(text.replace("\n", "; "), 15000)
        box = QMessageBox(QMessageBox.Icon.Information, translate("MainWindow", "Saved, with warnings"),
                          translate("MainWindow", "The finding was saved. Please check:") + "\n\n" + text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("workflowWarningDialog")
        self._workflow_box = box
        box.open()

    def _update_overlay(self, edit: Optional[Edit] = None, reread: bool = False) -> None:
        """The findings on the map: read once per project (or when ``reread``), then kept up to date from
        each edit's rows (a loop step changes a status, nothing else); a selection or another period only
        redraws them.  The map shows the period's (or the slider's day's) findings and the chosen one."""
        if self.project_path is None:
            self._overlay_rows = pd.DataFrame()
            self.canvas.set_overlay([])
            return
        rows: Optional[pd.DataFrame] = getattr(self, "_overlay_rows", None)
        if reread or rows is None or getattr(self, "_overlay_of", None) != self.project_path:
            rows = None
        elif edit is not None:
            for c in edit.changes:
                if c.table != "finding":
                    continue
                status = str((c.after or {}).get("status"))
                if (c.after is not None and c.before is not None and c.uuid in rows.index
                        and c.after.get("geom") == c.before.get("geom") and status not in ("verified", "closed")):
                    rows.loc[c.uuid, "status"] = status  # the common step: same point, another status
                else:  # new, deleted, moved, or ended (its end time matters to the period): read again
                    rows = None
                    break
        if rows is None:
            try:
                found = queries.findings(self.project_path)
            except GridWatchError:
                return
            keep = [c for c in ("uuid", "status", "longitude", "latitude", "found_at", "verified_at", "closed_at")
                    if c in found.columns]
            rows = found[keep].copy()
            rows = rows[rows["longitude"].notna() & rows["latitude"].notna()].set_index("uuid", drop=False)
            self._overlay_of = self.project_path
        self._overlay_rows = rows
        chosen = self.finding_panel.selected_finding()
        chosen_uuid = chosen["uuid"] if chosen else None
        shown = self.findings_on_map(rows.reset_index(drop=True)) if len(rows) else []
        self.canvas.set_overlay([(float(lon), float(lat), FINDING_COLORS.get(st, QColor(0, 0, 0)), u == chosen_uuid)
                                 for u, st, lon, lat, on in zip(rows["uuid"], rows["status"], rows["longitude"],
                                                                rows["latitude"], shown)
                                 if on or u == chosen_uuid])

    def _show_cell_records(self, code: str) -> None:
        """The cell panel: the cell's tasks, inspections and findings of the period (those alive in
        it: an open task or finding older than the period stays) under its attributes."""
        assert self.project_path is not None
        try:
            t = queries.tasks(self.project_path, cell_code=code)
            i = queries.inspections(self.project_path, cell_code=code)
            f = queries.findings(self.project_path, cell_code=code)
            c = checklist_results(self.project_path, cell_code=code)
            names = read_settings(self.project_path)["checklist_titles"]
            c["title"] = [item_title(str(x), names, i18n.current()) for x in c["item"]]
        except GridWatchError as exc:
            self.statusBar().showMessage(i18n.error_text(exc), 8000)
            return
        window = self.period().window(self.time_bar.pinned_now())
        t = t[overlaps(t["created_at"], task_ends(t), window)]
        i = i[overlaps(i["started_at"], i["finished_at"], window)]
        f = f[overlaps(f["found_at"], finding_ends(f), window)]
        self._records_cell = code
        self.identify_panel.show_records(t, i, f, c)

    def _refresh_cell_records(self) -> None:
        """The period changed: the cell panel (if it shows a cell's records) follows it."""
        code = getattr(self, "_records_cell", None)
        if code and self.project_path is not None and self.identify_panel.showing_records():
            self._show_cell_records(code)

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
