"""Tasks: the task list dock (start, finish, cancel), the assign dialog and the fire-check dialog.

Every write goes through :meth:`~gridwatch.ui.session.WorkflowController.run` (worker thread,
undo stack); the panel re-reads the task list whenever the controller reports a change, the user
changes or the filter changes.  Which buttons are enabled follows
:meth:`~gridwatch.ui.session.WorkflowController.task_actions`; the core refuses the same things
again.
"""

from __future__ import annotations

import datetime as _dt
import math
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...app.periods import Period, task_ends
from ...domain.vocabulary import KIND_TITLES, RESULT_TITLES, TASK_STATUS_TITLES, title
from ...storage import queries
from ...storage.schema import ASSIGNMENT_STATUSES, FIRE_CHECK_RESULTS
from ...storage.workflow import (
    change_assignment,
)
from ...times import beijing_text as _beijing_text
from ...times import overlaps
from ..session import WorkflowController
from ..widgets import KeyItem, column, fill, hbox, named, record_table, set_texts
from .dialogs import AssignDialog, FireChecksDialog, _lang

__all__ = ["TaskPanel", "AssignDialog", "FireChecksDialog", "FILTERS", "COLUMNS"]

#: Filter codes of the task list, in menu order.
FILTERS = ("mine", "due_today", "overdue", "open", "all")
#: Columns of the task table.
COLUMNS = ("due", "status", "kind", "township", "village", "cell", "assignee", "fires", "findings", "notes")
UUID_ROLE = Qt.ItemDataRole.UserRole
OVERDUE_COLOR = QColor("#c62828")


def _clean(value: Any) -> Any:
    """A DataFrame cell as plain Python: NaN becomes None, numpy scalars become Python ones."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (AttributeError, ValueError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def beijing_text(text: Any, fmt: str = "%m-%d %H:%M") -> str:
    """A stored UTC time ('2025-11-20T10:00:00.000Z') as Beijing time ('11-20 18:00'); '' if none."""
    return _beijing_text(text, fmt)


def _count(value: Any) -> int:
    v = _clean(value)
    try:
        return int(v) if v is not None else 0
    except (TypeError, ValueError):
        return 0


class TaskPanel(QDockWidget):
    """The task list of the open project, with its filter and the start/finish/cancel buttons."""

    zoomToCell = Signal(str)  # cell code of a double-clicked task
    recordFindingRequested = Signal(dict)  # the selected task (in progress, the user's to work on)
    taskSelected = Signal(dict)  # the task the user selected
    #: The selected task (dict) or None, whenever the selection or the selected task's row changes
    #: (e.g. it was started, so Record finding now applies); for keeping menu actions current.
    currentTaskChanged = Signal(object)

    def __init__(self, controller: WorkflowController, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("taskDock")
        self.controller = controller
        self.dialog: Optional[QDialog] = None
        self.frame: Any = None  # the last task DataFrame shown
        self._rows: dict[str, dict[str, Any]] = {}
        self._filling = False
        self._selected_uuid: Optional[str] = None
        self._current: Optional[dict[str, Any]] = None  # what currentTaskChanged last said
        #: The period of the window's period bar: tasks alive in it (assigned before its end, not done
        #: or cancelled before its start); None: all.
        self._period: Optional[Period] = None
        self._period_now: Optional[_dt.datetime] = None

        self.filter_label = QLabel()
        self.filter = named(QComboBox(), "taskFilter")
        for code in FILTERS:
            self.filter.addItem(code, code)
        self.filter.setCurrentIndex(FILTERS.index("open"))
        self.count_label = named(QLabel(), "taskCount")

        self.table = record_table(named(QTableWidget(0, len(COLUMNS)), "taskTable"))
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)

        self.start_button = named(QPushButton(), "taskStart")
        self.record_button = named(QPushButton(), "taskRecordFinding")
        self.finish_button = named(QPushButton(), "taskFinish")
        self.cancel_button = named(QPushButton(), "taskCancel")

        top = hbox(self.filter_label, (self.filter, 1), self.count_label, stretch=False)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.record_button, self.finish_button, self.cancel_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.setWidget(column(top, (self.table, 1), buttons, margins=4))

        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.itemDoubleClicked.connect(self._on_double)
        self.start_button.clicked.connect(self.start_selected)
        self.record_button.clicked.connect(self._record_finding)
        self.finish_button.clicked.connect(self.finish_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        controller.changed.connect(lambda _edit: self.refresh())
        controller.userChanged.connect(self._on_user_changed)
        controller.busyChanged.connect(lambda _busy: self._update_buttons())

        self._apply_default_filter()
        self.retranslate()  # also fills the table

    # --- texts ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Reset every translatable text (and the titles in the table); called on a language change."""
        self.setWindowTitle(self.tr("Tasks"))
        self.filter_label.setText(self.tr("Show:"))
        names = {"mine": self.tr("My tasks"), "due_today": self.tr("Due today"), "overdue": self.tr("Overdue"),
                 "open": self.tr("All open tasks"), "all": self.tr("All tasks")}
        for i in range(self.filter.count()):
            self.filter.setItemText(i, names[str(self.filter.itemData(i))])
        self.table.setHorizontalHeaderLabels([
            self.tr("Due"), self.tr("Status"), self.tr("Kind"), self.tr("Township"), self.tr("Village"),
            self.tr("Cell"), self.tr("Assignee"), self.tr("Fire points"), self.tr("Findings"), self.tr("Notes")])
        self.table.horizontalHeaderItem(0).setToolTip(self.tr("Due time, Beijing time"))
        self.table.setToolTip(self.tr("Double-click a task to show its cell on the map"))
        self.start_button.setText(self.tr("Start inspection"))
        self.start_button.setToolTip(self.tr("Start the selected task: you are now inspecting its cell"))
        self.record_button.setText(self.tr("Record finding…"))
        self.record_button.setToolTip(self.tr("Record a problem found while inspecting the selected task"))
        set_texts(self.finish_button, self.tr("Finish…"), self.tr("Finish the selected task"))
        self.cancel_button.setText(self.tr("Cancel task…"))
        self.cancel_button.setToolTip(self.tr("Cancel the selected task, giving a reason (supervisors only)"))
        self.refresh()

    # --- the list -----------------------------------------------------------------------------
    def current_filter(self) -> str:
        return str(self.filter.currentData())

    def set_filter(self, code: str) -> None:
        """Choose a filter as the user would (refreshes the list)."""
        self.filter.setCurrentIndex(FILTERS.index(code))

    def _apply_default_filter(self) -> None:
        actor = self.controller.actor
        code = "mine" if actor is not None and actor.role == "inspector" else "open"
        self.filter.blockSignals(True)
        self.filter.setCurrentIndex(FILTERS.index(code))
        self.filter.blockSignals(False)

    def _on_user_changed(self) -> None:
        self._apply_default_filter()
        self.refresh()

    def set_period(self, period: Optional[Period], now: Optional[_dt.datetime] = None) -> None:
        """List the tasks of ``period`` (see :func:`gridwatch.times.overlaps`); None: all."""
        self._period, self._period_now = period, now
        self.refresh()

    def _query(self) -> Any:
        path = self.controller.path
        if path is None:
            return None
        f = self.current_filter()
        if f == "mine":
            actor = self.controller.actor
            if actor is None:
                return None
            frame = queries.tasks(path, assignee_uuid=actor.uuid)
        else:
            frame = queries.tasks(path, due_today=f == "due_today", overdue_only=f == "overdue", open_only=f == "open")
        if self._period is not None and len(frame):
            frame = frame[overlaps(frame["created_at"], task_ends(frame), self._period.window(self._period_now))]
        actor = self.controller.actor
        if actor is not None and actor.role == "chief" and actor.township_code and f != "mine" and len(frame):
            frame = frame[frame["township_code"] == actor.township_code]  # a grid chief's whole township
        return frame.reset_index(drop=True)

    def refresh(self) -> None:
        """Re-read the tasks with the current filter, keeping the selected task selected."""
        keep = self._selected_uuid
        frame = self._query()
        self.frame = frame
        records = [] if frame is None else [{k: _clean(v) for k, v in r.items()} for r in frame.to_dict("records")]
        self._rows = {str(r["uuid"]): r for r in records}
        self._filling = True
        try:
            self.table.setSortingEnabled(False)
            self.table.clearSelection()
            self.table.setRowCount(0)
            self.table.setRowCount(len(records))
            for row, rec in enumerate(records):
                for col, item in enumerate(self._items(rec)):
                    self.table.setItem(row, col, item)
            self.table.setSortingEnabled(True)  # sorts by the user's column, due time at first
            self._selected_uuid = None
            if keep is not None and keep in self._rows:
                self.select_task(keep, emit=False)
        finally:
            self._filling = False
        self._update_count(records)
        self._update_buttons()

    def _items(self, rec: dict[str, Any]) -> list[KeyItem]:
        lang = _lang()
        overdue = bool(rec.get("overdue"))
        status = title(TASK_STATUS_TITLES, rec.get("status"), lang)
        if overdue:
            status = status + " · " + self.tr("overdue")
        order = ASSIGNMENT_STATUSES.index(rec["status"]) if rec.get("status") in ASSIGNMENT_STATUSES else 9
        fires, findings = _count(rec.get("fire_count")), _count(rec.get("finding_count"))
        notes = " ".join(str(rec.get("notes") or "").split())
        due = rec.get("due_at")
        items = [
            KeyItem(beijing_text(due), (0 if overdue else 1, due or "9999")),
            KeyItem(status, (order, 0 if overdue else 1)),
            KeyItem(title(KIND_TITLES, rec.get("kind"), lang)),
            KeyItem(str(rec.get("township_name") or "")),
            KeyItem(str(rec.get("village_name") or "")),
            KeyItem(str(rec.get("cell_code") or "")),
            KeyItem(str(rec.get("assignee_name") or "")),
            KeyItem(str(fires) if fires else "", fires),
            KeyItem(str(findings), findings),
            KeyItem(notes),
        ]
        items[0].setData(UUID_ROLE, rec["uuid"])
        if due:
            items[0].setToolTip(self.tr("Due %s (Beijing time)") % beijing_text(due, "%Y-%m-%d %H:%M"))
        if rec.get("cell_name"):
            items[5].setToolTip(str(rec["cell_name"]))
        if rec.get("status_note"):
            items[1].setToolTip(str(rec["status_note"]))
        if notes:
            items[9].setToolTip(str(rec.get("notes")))
        if overdue:
            brush = QBrush(OVERDUE_COLOR)
            for item in items:
                item.setForeground(brush)
        return items

    def _update_count(self, records: list[dict[str, Any]]) -> None:
        if self.controller.path is None:
            self.count_label.setText(self.tr("No project open"))
            return
        overdue = sum(1 for r in records if r.get("overdue"))
        if overdue:
            self.count_label.setText(self.tr("%s tasks, %s overdue") % (len(records), overdue) + self._period_note())
        else:
            self.count_label.setText(self.tr("%s tasks") % len(records) + self._period_note())

    def _period_note(self) -> str:
        return f" · {self._period.title(_lang())}" if self._period is not None and self._period.kind != "all" else ""

    # --- selection --------------------------------------------------------------------------------
    def row_of(self, uuid: str) -> int:
        """The table row showing task ``uuid`` (-1 when not listed)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(UUID_ROLE) == uuid:
                return row
        return -1

    def task_at(self, row: int) -> Optional[dict[str, Any]]:
        item = self.table.item(row, 0)
        if item is None:
            return None
        rec = self._rows.get(str(item.data(UUID_ROLE)))
        return dict(rec) if rec is not None else None

    def selected_task(self) -> Optional[dict[str, Any]]:
        """The selected task as a dict of its row (uuid, kind, status, cell_code, …), or None."""
        if self._selected_uuid is None or self._selected_uuid not in self._rows:
            return None
        return dict(self._rows[self._selected_uuid])

    def select_task(self, uuid: str, *, emit: bool = True) -> bool:
        """Select task ``uuid`` if it is listed (and scroll to it); False when it is not."""
        row = self.row_of(uuid)
        if row < 0:
            return False
        filling, self._filling = self._filling, True
        try:
            self.table.selectRow(row)
            self.table.scrollToItem(self.table.item(row, 0))
        finally:
            self._filling = filling
        changed = self._selected_uuid != uuid
        self._selected_uuid = uuid
        self._update_buttons()
        if emit and changed:
            self.taskSelected.emit(dict(self._rows[uuid]))
        return True

    def _on_selection(self) -> None:
        if self._filling:
            return
        rows = {i.row() for i in self.table.selectedItems()}
        task = self.task_at(min(rows)) if rows else None
        uuid = task["uuid"] if task else None
        changed = uuid != self._selected_uuid
        self._selected_uuid = uuid
        self._update_buttons()
        if task is not None and changed:
            self.taskSelected.emit(task)

    def _on_double(self, item: QTableWidgetItem) -> None:
        task = self.task_at(item.row())
        if task is not None and task.get("cell_code"):
            self.zoomToCell.emit(str(task["cell_code"]))

    def _update_buttons(self) -> None:
        task = self.selected_task()
        if task != self._current:
            self._current = task
            self.currentTaskChanged.emit(dict(task) if task is not None else None)
        actions = self.controller.task_actions(task) if task is not None else []
        idle = not self.controller.busy
        self.start_button.setEnabled(idle and "start" in actions)
        self.finish_button.setEnabled(idle and "finish" in actions)
        self.cancel_button.setEnabled(idle and "cancel" in actions)
        self.record_button.setEnabled(task is not None and task.get("status") == "in_progress"
                                      and "finish" in actions)

    # --- actions ----------------------------------------------------------------------------------
    def _record_finding(self) -> None:
        task = self.selected_task()
        if task is not None:
            self.recordFindingRequested.emit(task)

    def start_selected(self) -> None:
        task = self.selected_task()
        if task is None or "start" not in self.controller.task_actions(task):
            return
        self.controller.run(change_assignment, task["uuid"], "start")

    def _new_dialog(self, name: str, window_title: str) -> QDialog:
        if self.dialog is not None:
            self.dialog.deleteLater()
        dlg = QDialog(self)
        dlg.setObjectName(name)
        dlg.setWindowTitle(window_title)
        self.dialog = dlg
        return dlg

    def _task_label(self, task: dict[str, Any]) -> QLabel:
        text = " · ".join(s for s in (title(KIND_TITLES, task.get("kind"), _lang()), str(task.get("cell_code") or ""),
                                      str(task.get("cell_name") or ""), str(task.get("assignee_name") or "")) if s)
        label = QLabel(text)
        label.setWordWrap(True)
        return label

    def finish_selected(self) -> None:
        """Open the finish dialog of the selected task (with its result for a fire-point check)."""
        task = self.selected_task()
        if task is None or "finish" not in self.controller.task_actions(task):
            return
        uuid = task["uuid"]
        fire = task.get("kind") == "fire_check"
        dlg = self._new_dialog("fireResultDialog" if fire else "finishDialog",
                               self.tr("Finish fire-point check") if fire else self.tr("Finish task"))
        form = QFormLayout()
        result_combo: Optional[QComboBox] = None
        if fire:
            # no result is preselected: a confirmed burning counts against the township, so it is
            # never what a hurried click on Finish records
            result_combo = named(QComboBox(), "fireResult")
            result_combo.addItem(self.tr("— choose what you found —"), None)
            for code in FIRE_CHECK_RESULTS:
                result_combo.addItem(title(RESULT_TITLES, code, _lang()), code)
            result_combo.setCurrentIndex(0)
            form.addRow(self.tr("Result:"), result_combo)
            n = _count(task.get("fire_count"))
            hint = QLabel(self.tr("The result is written to the %s fire point(s) of this check.") % n)
            hint.setWordWrap(True)
            form.addRow(hint)
        notes = named(QPlainTextEdit(), "finishNotes")
        notes.setPlaceholderText(self.tr("What you found (optional)"))
        form.addRow(self.tr("Notes:"), notes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Finish"))
        buttons.accepted.connect(dlg.accept)
        buttons.rejected.connect(dlg.reject)
        fill(dlg, self._task_label(task), form, buttons)
        if result_combo is not None:
            finish = buttons.button(QDialogButtonBox.StandardButton.Ok)
            finish.setEnabled(False)
            result_combo.currentIndexChanged.connect(
                lambda _i: finish.setEnabled(result_combo.currentData() is not None))

        def done() -> None:
            result = str(result_combo.currentData()) if result_combo is not None else None
            self.controller.run(change_assignment, uuid, "finish", result=result, notes=notes.toPlainText().strip())

        dlg.accepted.connect(done)
        dlg.open()

    def cancel_selected(self) -> None:
        """Open the cancel dialog of the selected task (a reason is required)."""
        task = self.selected_task()
        if task is None or "cancel" not in self.controller.task_actions(task):
            return
        uuid = task["uuid"]
        dlg = self._new_dialog("cancelDialog", self.tr("Cancel task"))
        reason = named(QLineEdit(), "cancelReason")
        reason.setPlaceholderText(self.tr("Why the task is cancelled (required)"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Cancel task"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Keep task"))
        ok.setEnabled(False)
        reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(dlg.accept)
        buttons.rejected.connect(dlg.reject)
        form = QFormLayout()
        form.addRow(self.tr("Reason:"), reason)
        fill(dlg, self._task_label(task), form, buttons)

        def done() -> None:
            text = reason.text().strip()
            if text:
                self.controller.run(change_assignment, uuid, "cancel", reason=text)

        dlg.accepted.connect(done)
        dlg.open()


