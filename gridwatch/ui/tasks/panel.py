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
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDockWidget,
    QGridLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...app.periods import Period, task_ends
from ...app.store import ASSIGNMENT_STATUSES, change_assignment, queries
from ...domain.vocabulary import KIND_TITLES, TASK_STATUS_TITLES, title
from ...times import beijing_text as _beijing_text
from ...times import overlaps, short_time
from ..session import TASK_STEP_ACTIONS, WorkflowController
from ..widgets import KeyItem, column, named, record_table, set_texts
from .dialogs import AssignDialog, FireChecksDialog, _lang
from .groups import COLLAPSE_FROM, GROUPINGS, make_groups, progress_of
from .steps import TaskSteps

__all__ = ["TaskPanel", "AssignDialog", "FireChecksDialog", "FILTERS", "COLUMNS"]

#: Filter codes of the task list, in menu order.
FILTERS = ("mine", "due_today", "overdue", "open", "all")
#: Columns of the task table: what a narrow dock shows first (the cell, who, when), then the rest.
COLUMNS = ("cell", "assignee", "due", "status", "kind", "township", "village", "fires", "findings", "notes")
UUID_ROLE = Qt.ItemDataRole.UserRole
#: The group key of a group's header row (its first cell).
GROUP_ROLE = Qt.ItemDataRole.UserRole + 1
#: The cell code of a task's cell item (the item shows the cell's name).
CELL_ROLE = Qt.ItemDataRole.UserRole + 2
OVERDUE_COLOR = QColor("#c62828")
GROUP_BACKGROUND = QColor("#e8eef5")


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


def due_text(text: Any) -> str:
    """A due time in Beijing time, with the year only when it is not this year."""
    return short_time(text)


#: Tables whose rows the task list shows or counts.
TASK_TABLES = frozenset({"assignment", "inspection", "fire_point", "grid_cell", "inspector", "village", "township"})


def touches_tasks(edit: Any) -> bool:
    """Whether ``edit`` changes what the task list shows: its tables, or findings made or removed (counted)."""
    for c in getattr(edit, "changes", ()):
        if c.table in TASK_TABLES or (c.table == "finding" and (c.before is None or c.after is None)):
            return True
    return False


def _count(value: Any) -> int:
    v = _clean(value)
    try:
        return int(v) if v is not None else 0
    except (TypeError, ValueError):
        return 0


class TaskPanel(QDockWidget, TaskSteps):
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
        self.group_label = QLabel()
        self.group = named(QComboBox(), "taskGroup")
        for code in GROUPINGS:
            self.group.addItem(code, code)
        self.count_label = named(QLabel(), "taskCount")
        self.count_label.setWordWrap(True)
        self.collapsed: set[str] = set()
        self._grouping_shown = ""
        self._group_chosen = False

        self.table = record_table(named(QTableWidget(0, len(COLUMNS)), "taskTable"))
        self.table.verticalHeader().setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSortIndicator(COLUMNS.index("due"), Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)

        self.start_button = named(QPushButton(), "taskStart")
        self.record_button = named(QPushButton(), "taskRecordFinding")
        self.finish_button = named(QPushButton(), "taskFinish")
        self.cancel_button = named(QPushButton(), "taskCancel")

        top = QGridLayout()
        top.addWidget(self.filter_label, 0, 0)
        top.addWidget(self.filter, 0, 1)
        top.addWidget(self.group_label, 1, 0)
        top.addWidget(self.group, 1, 1)
        top.setColumnStretch(1, 1)
        buttons = QGridLayout()  # two rows: the four steps fit a narrow dock
        for i, b in enumerate((self.start_button, self.record_button, self.finish_button, self.cancel_button)):
            buttons.addWidget(b, i // 2, i % 2)
        self.setWidget(column(top, self.count_label, (self.table, 1), buttons, margins=4))

        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.group.currentIndexChanged.connect(lambda _i: self._on_group_changed())
        self.table.cellClicked.connect(self._on_cell_clicked)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.itemDoubleClicked.connect(self._on_double)
        self.start_button.clicked.connect(self.start_selected)
        self.record_button.clicked.connect(self._record_finding)
        self.finish_button.clicked.connect(self.finish_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        controller.changed.connect(self._on_edit)
        controller.userChanged.connect(self._on_user_changed)
        controller.reloaded.connect(self.refresh)
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
        self.group_label.setText(self.tr("Group:"))
        groups = {"township": self.tr("By township"), "assignee": self.tr("By inspector"),
                  "status": self.tr("By state"), "": self.tr("No groups")}
        for i in range(self.group.count()):
            self.group.setItemText(i, groups[str(self.group.itemData(i))])
        self.group.setToolTip(self.tr("Group the tasks; each group shows its progress (done of all its tasks). "
                                      "Click a group to open or close it."))
        self.table.setHorizontalHeaderLabels([
            self.tr("Cell"), self.tr("Assignee"), self.tr("Due"), self.tr("Status"), self.tr("Kind"),
            self.tr("Township"), self.tr("Village"), self.tr("Fire points"), self.tr("Findings"), self.tr("Notes")])
        self.table.horizontalHeaderItem(COLUMNS.index("due")).setToolTip(self.tr("Due time, Beijing time"))
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
        inspector = actor is not None and actor.role == "inspector"
        self.filter.blockSignals(True)
        self.filter.setCurrentIndex(FILTERS.index("mine" if inspector else "open"))
        self.filter.blockSignals(False)
        # an inspector's own list is short; the office sees its townships first, each with its progress
        if not self._group_chosen:
            self.group.blockSignals(True)
            self.group.setCurrentIndex(GROUPINGS.index("" if inspector else "township"))
            self.group.blockSignals(False)

    def grouping(self) -> str:
        """How the list is grouped: township, assignee, status, or '' (a flat list)."""
        return str(self.group.currentData() or "")

    def set_grouping(self, code: str) -> None:
        """Group the list as the user would (refreshes it)."""
        self.group.setCurrentIndex(GROUPINGS.index(code))

    def _on_group_changed(self) -> None:
        self._group_chosen = True  # the user's choice stays when the user changes
        self.collapsed.clear()
        self.refresh()

    def _on_edit(self, edit: Any) -> None:
        """Re-read the list when an edit can change it: a finding's loop step (most steps of a day) cannot,
        and skipping it keeps a step's feedback fast."""
        if edit is None or touches_tasks(edit):
            self.refresh()

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
        grouping = self.grouping()
        if grouping != self._grouping_shown:
            self.collapsed.clear()
        self._filling = True
        try:
            self.table.setSortingEnabled(False)
            self.table.clearSelection()
            self.table.clearSpans()
            self.table.setRowCount(0)
            if grouping:
                self._fill_groups(records, grouping)
            else:
                self.table.setRowCount(len(records))
                for row, rec in enumerate(records):
                    for col, item in enumerate(self._items(rec)):
                        self.table.setItem(row, col, item)
                self.table.setSortingEnabled(True)  # sorts by the user's column, due time at first
            self._grouping_shown = grouping
            for c in range(3):
                self.table.resizeColumnToContents(c)
            self._selected_uuid = None
            if keep is not None and keep in self._rows:
                self.select_task(keep, emit=False)
        finally:
            self._filling = False
        self._update_count(records)
        self._update_buttons()

    def _fill_groups(self, records: list[dict[str, Any]], grouping: str) -> None:
        """Group header rows (with progress over all the group's tasks) and the tasks under them."""
        lang = _lang()
        groups = make_groups(records, grouping, lang)
        path = self.controller.path
        everything = records if self.current_filter() == "all" or path is None else \
            [{k: _clean(v) for k, v in r.items()} for r in queries.tasks(path).to_dict("records")]
        progress = progress_of(everything, grouping, lang)
        if not self._grouping_shown == grouping and len(records) >= COLLAPSE_FROM:
            self.collapsed = {g.key for g in groups}
        self.table.setRowCount(len(records) + len(groups))
        row = 0
        bold = QFont(self.table.font())
        bold.setBold(True)
        for g in groups:
            header = QTableWidgetItem(self._group_text(g, progress.get(g.key), grouping))
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setData(GROUP_ROLE, g.key)
            header.setFont(bold)
            header.setBackground(QBrush(GROUP_BACKGROUND))
            header.setToolTip(self.tr("Click to open or close the group"))
            self.table.setItem(row, 0, header)
            self.table.setSpan(row, 0, 1, len(COLUMNS))
            row += 1
            for rec in g.records:
                for col, item in enumerate(self._items(rec)):
                    self.table.setItem(row, col, item)
                self.table.setRowHidden(row, g.key in self.collapsed)
                row += 1

    def _group_text(self, group: Any, progress: Any, grouping: str) -> str:
        opened = "▸" if group.key in self.collapsed else "▾"
        label = group.label or (self.tr("(no township)") if grouping == "township" else
                                self.tr("(each cell's inspector)") if grouping == "assignee" else "—")
        text = f"{opened} {label} · " + self.tr("%n task(s) listed", "", len(group.records))
        if progress is not None and grouping != "status":
            text += " · " + (self.tr("done %1 of %2 (%3%)").replace("%1", str(progress.done))
                             .replace("%2", str(progress.counted)).replace("%3", str(progress.percent)))
            if progress.overdue:
                text += " · " + self.tr("%n overdue", "", progress.overdue)
        return text

    def group_rows(self) -> list[tuple[int, str, str]]:
        """``(row, key, text)`` of the group header rows (empty for a flat list)."""
        out = []
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.data(GROUP_ROLE) is not None:
                out.append((r, str(item.data(GROUP_ROLE)), item.text()))
        return out

    def toggle_group(self, key: str, open_: Optional[bool] = None) -> None:
        """Open or close a group (``open_`` None: the other way round)."""
        closing = (key not in self.collapsed) if open_ is None else not open_
        if closing:
            self.collapsed.add(key)
        else:
            self.collapsed.discard(key)
        current = None
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.data(GROUP_ROLE) is not None:
                current = str(item.data(GROUP_ROLE))
                if current == key:
                    text = item.text()
                    item.setText(("▸" if closing else "▾") + text[1:])
            elif current == key:
                self.table.setRowHidden(r, closing)

    def _on_cell_clicked(self, row: int, column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None and item.data(GROUP_ROLE) is not None:
            self.toggle_group(str(item.data(GROUP_ROLE)))

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
        code = str(rec.get("cell_code") or "")
        items = [
            KeyItem(str(rec.get("cell_name") or code), code),
            KeyItem(str(rec.get("assignee_name") or "")),
            KeyItem(due_text(due), (0 if overdue else 1, due or "9999")),
            KeyItem(status, (order, 0 if overdue else 1)),
            KeyItem(title(KIND_TITLES, rec.get("kind"), lang)),
            KeyItem(str(rec.get("township_name") or "")),
            KeyItem(str(rec.get("village_name") or "")),
            KeyItem(str(fires) if fires else "", fires),
            KeyItem(str(findings), findings),
            KeyItem(notes),
        ]
        items[0].setData(UUID_ROLE, rec["uuid"])
        items[0].setData(CELL_ROLE, code)
        items[0].setToolTip(self.tr("Cell %s; double-click to show it on the map") % code)
        if due:
            items[2].setToolTip(self.tr("Due %s (Beijing time)") % beijing_text(due, "%Y-%m-%d %H:%M"))
        if rec.get("status_note"):
            items[3].setToolTip(str(rec["status_note"]))
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
    def cell_code_at(self, row: int) -> str:
        """The cell code of the task in ``row`` ('' for a group row)."""
        item = self.table.item(row, 0)
        return str(item.data(CELL_ROLE) or "") if item is not None else ""

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
            if self.table.isRowHidden(row):  # in a closed group: open it
                for r in range(row, -1, -1):
                    head = self.table.item(r, 0)
                    if head is not None and head.data(GROUP_ROLE) is not None:
                        self.toggle_group(str(head.data(GROUP_ROLE)), True)
                        break
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
        usual = {self.start_button: self.tr("Start the selected task: you are now inspecting its cell"),
                 self.finish_button: self.tr("Finish the selected task"),
                 self.cancel_button: self.tr("Cancel the selected task, giving a reason (supervisors only)"),
                 self.record_button: self.tr("Record a problem found while inspecting the selected task")}
        steps = {self.start_button: "start", self.finish_button: "finish", self.cancel_button: "cancel",
                 self.record_button: "finish"}
        for button, step in steps.items():
            button.setToolTip(usual[button] if button.isEnabled() else self._why_not(task, step, button, idle))

    def _why_not(self, task: Optional[dict[str, Any]], step: str, button: QPushButton, idle: bool) -> str:
        """Why a step button is greyed, in words."""
        if task is None:
            return self.tr("Select a task in the list first")
        if not idle:
            return self.tr("An edit is being saved")
        why = self.controller.refusal(TASK_STEP_ACTIONS[step], task)
        if why:
            return why
        if button is self.record_button:
            return self.tr("Start the task first: findings are recorded while inspecting")
        state = title(TASK_STATUS_TITLES, task.get("status"), _lang())
        return self.tr("Not possible while the task is \u201c%s\u201d") % state

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
