"""The main window's supervision work: who is working, assigning, recording findings, showing records."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QInputDialog,
    QMessageBox,
)

from ...domain.policy import Action
from ...domain.vocabulary import ROLE_TITLES, title
from ...errors import GridWatchError
from ...mapview.data import update_values
from ...storage import queries
from ...storage.edits import Edit
from ...storage.workflow import TARGET_LAYERS
from ...times import finding_ends, overlaps, task_ends
from .. import i18n
from ..findings.panel import FindingDialog
from ..map.canvas import SELECTION_LAYER, MapCanvas
from ..sync.dialogs import is_working_copy
from ..tasks.panel import AssignDialog, FireChecksDialog
from ..texts import layer_title

# Texts keep the MainWindow translation context (they are the MainWindow's own).
translate = QCoreApplication.translate

#: Findings on the map, coloured by the step of their loop.
FINDING_COLORS = {"found": QColor(220, 30, 30), "assigned": QColor(245, 140, 0), "rectified": QColor(40, 110, 220),
                  "verified": QColor(30, 160, 80), "closed": QColor(140, 140, 140)}


def _gate(action: QAction, enabled: bool, refusal: str) -> None:
    """Enable ``action`` or grey it out with the policy's reason as its tooltip (the usual one back after)."""
    usual = action.property("usualToolTip")
    action.setEnabled(enabled)
    action.setToolTip(refusal if not enabled and refusal else (usual or action.text().replace("&", "")))


class WindowWork:
    """The Inspections menu's work and the panels' workflow signals (part of MainWindow)."""

    def choose_user(self) -> None:
        """Settings > Current user: who works on this laptop (a person of the project)."""
        people = self.workflow.people
        if self.project_path is None or people.empty:
            return
        active = people[people["active"].fillna(1) != 0]
        items = [f"{n} ({title(ROLE_TITLES, r, i18n.current())})" for n, r in zip(active["name"], active["role"])]
        current = items.index(self.workflow.user_label()) if self.workflow.user_label() in items else 0
        item, ok = QInputDialog.getItem(self, translate("MainWindow", "Current user"),
                                        translate("MainWindow", "Who is working on this laptop?"),
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
        _gate(self.act_import, self.project_path is not None and not wf.read_only
              and (wf.actor is None or wf.may(Action.IMPORT_LAYER, {"layer": ""})),
              wf.refusal(Action.IMPORT_LAYER, {"layer": ""}) if wf.actor is not None or wf.read_only else "")
        # sync a working copy, never while an edit is being written
        self.act_sync.setEnabled(self.data is not None and is_working_copy(self.project_path) and not wf.busy)

    def assign_selected_cells(self) -> None:
        codes = self.selected_codes()
        if codes:
            self._open_assign(codes, description=translate("MainWindow", "%n selected cell(s)", "", len(codes)))

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
        frame = self.data.layers["fire_point"].frame
        idx = np.flatnonzero(frame["uuid"].astype(object).isin(uuids).to_numpy()) if uuids else []
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
        shown = self.findings_on_map(found)  # the period's (or the slider's day's) findings
        points = [(float(lon), float(lat), FINDING_COLORS.get(st, QColor(0, 0, 0)), u == chosen_uuid)
                  for u, st, lon, lat, on in zip(found["uuid"], found["status"], found["longitude"],
                                                 found["latitude"], shown)
                  if lon is not None and lat is not None and lon == lon and (on or u == chosen_uuid)]
        self.canvas.set_overlay(points)

    def _show_cell_records(self, code: str) -> None:
        """The cell panel: the cell's tasks, inspections and findings of the period (those alive in
        it: an open task or finding older than the period stays) under its attributes."""
        assert self.project_path is not None
        try:
            t = queries.tasks(self.project_path, cell_code=code)
            i = queries.inspections(self.project_path, cell_code=code)
            f = queries.findings(self.project_path, cell_code=code)
        except GridWatchError as exc:
            self.statusBar().showMessage(i18n.error_text(exc), 8000)
            return
        window = self.period().window(self.time_bar.pinned_now())
        t = t[overlaps(t["created_at"], task_ends(t), window)]
        i = i[overlaps(i["started_at"], i["finished_at"], window)]
        f = f[overlaps(f["found_at"], finding_ends(f), window)]
        self._records_cell = code
        self.identify_panel.show_records(t, i, f)

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
