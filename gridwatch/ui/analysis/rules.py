"""Rule checks (规则检查): run the work plans' rules, list the hits, zoom to one, assign them.

The checks run on a plain Python thread (never ``QThreadPool``: pyproj crashes on reused pool
threads) and report back through a signal; a new run cancels the one before.  Assigning goes
through :meth:`WorkflowController.run <gridwatch.ui.session.WorkflowController.run>` as one
undoable edit (:func:`gridwatch.analysis.rules.hits_to_assignments`).
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
from pathlib import Path
from typing import Any, Optional

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...analysis.rule_tasks import hits_to_assignments
from ...analysis.rules import RULES, RuleHit, RuleReport, check_rules
from ...domain.policy import Action
from ...times import BEIJING
from .. import i18n
from ..jobs import Job, run_job
from ..session import WorkflowController
from ..widgets import KeyItem, fill, hbox, named, retranslate_safely

__all__ = ["RulesPanel", "RulesDock", "COLUMNS"]

log = logging.getLogger("gridwatch.ui")

#: Rows the list shows at most (a season of fire points can flag 100,000; Assign all still takes every hit).
MAX_ROWS = 2000
#: Columns of the hit table.
COLUMNS = ("rule", "name", "township", "cell", "message")
HIT_ROLE = Qt.ItemDataRole.UserRole
#: Title of the edit hits_to_assignments makes (how the panel recognises its own edit).
EDIT_TITLE_PREFIX = "规则检查派发任务"
ERROR_STYLE = "color: #c62828;"


def rule_title(rule: str) -> str:
    zh, en = RULES.get(rule, (rule, rule))
    return zh if i18n.current().startswith("zh") else en


class RulesPanel(QWidget):
    """Parameters, Run, the hit list with a rule filter, and Assign selected / Assign all."""

    #: lon/lat bounds (minx, miny, maxx, maxy) of a double-clicked hit's feature.
    zoomToBounds = Signal(float, float, float, float)
    #: The double-clicked hit (a :class:`~gridwatch.analysis.rules.RuleHit`): layer, uuid, cell_code ...
    hitActivated = Signal(object)
    #: The checks finished (the :class:`~gridwatch.analysis.rules.RuleReport`).
    checked = Signal(object)
    #: The selected hits changed (a list of RuleHit): the map highlights them.
    hitsSelected = Signal(list)

    def __init__(self, controller: WorkflowController, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("rulesPanel")
        self.controller = controller
        self.report: Optional[RuleReport] = None
        self._path: Optional[Path] = controller.path
        self._job: Optional[Job] = None  # the run whose result is awaited
        self._jobs: list[Job] = []
        self._assigning = False
        #: The time the checks run at (None: now); tests and replays set it.
        self.now: Optional[_dt.datetime] = None

        self.rule_combo = named(QComboBox(), "rulesFilter")
        self.rule_combo.addItem("", None)
        for rule in RULES:
            self.rule_combo.addItem("", rule)
        self.same_radius = named(QCheckBox(), "rulesSameRadius")
        self.radius = named(QDoubleSpinBox(), "rulesRadiusKm")
        self.radius.setRange(0.1, 50.0)
        self.radius.setDecimals(1)
        self.radius.setSingleStep(0.5)
        self.radius.setValue(3.0)
        self.radius.setEnabled(False)
        self.same_radius.toggled.connect(self.radius.setEnabled)
        self.mine_days = named(QSpinBox(), "rulesMineDays")
        self.mine_days.setRange(1, 730)
        self.mine_days.setValue(30)
        self.fire_days = named(QSpinBox(), "rulesFireDays")
        self.fire_days.setRange(1, 3650)
        self.fire_days.setValue(30)
        self.run_button = named(QPushButton(), "rulesRun", clicked=self._on_run_clicked)
        self.status = named(QLabel(), "rulesStatus")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        self.table = named(QTableWidget(0, len(COLUMNS)), "rulesTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        # Rule, then nearest / longest overdue first, until the user sorts by another column.
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for c in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemDoubleClicked.connect(self._on_double)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemSelectionChanged.connect(lambda: self.hitsSelected.emit(self.selected_hits()))
        self.rule_combo.currentIndexChanged.connect(self._on_filter)

        self.due = named(QDateEdit(), "rulesDue")
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.due.setDate(QDate.currentDate().addDays(3))
        self.assign_selected = named(QPushButton(), "rulesAssignSelected")
        self.assign_selected.clicked.connect(lambda: self.assign(self.selected_hits()))
        self.assign_all = named(QPushButton(), "rulesAssignAll", clicked=lambda: self.assign(self.shown_hits()))
        self.downgrade = named(QPushButton(), "rulesDowngrade", clicked=self.show_downgrade_dialog)

        self._labels = [QLabel() for _ in range(4)]
        form = QFormLayout()
        radius_row = QHBoxLayout()
        radius_row.setContentsMargins(0, 0, 0, 0)
        radius_row.addWidget(self.same_radius)
        radius_row.addWidget(self.radius)
        radius_row.addStretch(1)
        radius_box = QWidget()
        radius_box.setLayout(radius_row)
        for label, widget in zip(self._labels, (radius_box, self.mine_days, self.fire_days, self.rule_combo)):
            label.setBuddy(widget)
            form.addRow(label, widget)
        run_row = hbox(self.run_button, (self.status, 1), stretch=False)
        self.due_label = QLabel()
        self.due_label.setBuddy(self.due)
        assign_row = QHBoxLayout()
        assign_row.addWidget(self.due_label)
        assign_row.addWidget(self.due)
        assign_row.addStretch(1)
        assign_row.addWidget(self.assign_selected)
        assign_row.addWidget(self.assign_all)
        assign_row.addWidget(self.downgrade)
        fill(self, form, run_row, (self.table, 1), assign_row, margins=4)

        controller.userChanged.connect(self._on_user_changed)
        controller.changed.connect(self._on_edit)
        controller.reloaded.connect(self._on_reloaded)
        controller.failed.connect(self._on_edit_failed)
        controller.busyChanged.connect(lambda busy: self._update_buttons())
        self.retranslate()

    # --- texts ------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.rule_combo.setItemText(0, self.tr("All rules"))
        for i in range(1, self.rule_combo.count()):
            self.rule_combo.setItemText(i, rule_title(self.rule_combo.itemData(i)))
        self._update_filter_counts()
        self.same_radius.setText(self.tr("Same for every key area:"))
        self.same_radius.setToolTip(self.tr("Unchecked: each key area's own control radius (3 km unless set)"))
        self.radius.setSuffix(" " + self.tr("km"))
        for label, text in zip(self._labels, (self.tr("Key-area radius:"), self.tr("Mines inspected within:"),
                                              self.tr("Fire points of the last:"), self.tr("Show:"))):
            label.setText(text)
        self.mine_days.setSuffix(" " + self.tr("days"))
        self.fire_days.setSuffix(" " + self.tr("days"))
        self.due_label.setText(self.tr("Tasks due:"))
        self.assign_selected.setText(self.tr("Assign selected"))
        self.assign_all.setText(self.tr("Assign all shown"))
        self.downgrade.setText(self.tr("Downgrade site…"))
        self.table.setHorizontalHeaderLabels([self.tr("Rule"), self.tr("Name"), self.tr("Township"),
                                              self.tr("Cell"), self.tr("Details")])
        self._update_buttons()
        if self.report is not None and self._job is None and not self._assigning:
            self._show_counts()
        elif self.report is None and self._job is None and not self.status.text():
            self.status.setText(self.tr("Run the checks to list what the rules flag."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
            self._fill()
        super().changeEvent(event)

    # --- running the checks -----------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._job is not None

    def parameters(self) -> dict[str, Any]:
        """The keyword arguments of ``check_rules`` the controls say."""
        return {"radius_m": self.radius.value() * 1000.0 if self.same_radius.isChecked() else None,
                "mine_days": int(self.mine_days.value()), "fire_days": int(self.fire_days.value())}

    def _on_run_clicked(self) -> None:
        if self.running:
            self.cancel()
        else:
            self.run()

    def run(self) -> None:
        """Run the checks on the open project on a worker thread (cancelling a run in progress)."""
        path = self.controller.path
        if path is None:
            self._set_status(self.tr("Open a project first."), error=True)
            return
        self.cancel()
        params = self.parameters()
        now = self.now
        self._job = run_job(lambda progress, cancel: check_rules(path, now=now, cancel=cancel, progress=progress,
                                                                 **params),
                            "rules", succeeded=self._on_done, failed=self._on_failed, progressed=self._on_progress)
        self._jobs = [j for j in self._jobs if j.running] + [self._job]
        self._set_status(self.tr("Checking…"))
        self._update_buttons()

    def cancel(self) -> None:
        """Stop a run in progress (its result is dropped)."""
        if self._job is not None:
            self._job.cancel()
            self._job = None
            self._set_status(self.tr("Stopped."))
            self._update_buttons()

    def wait(self, timeout: float = 30.0) -> None:
        """Wait for the worker threads to end (tests, closing)."""
        end = time.monotonic() + timeout
        while any(j.running for j in self._jobs) and time.monotonic() < end:
            time.sleep(0.01)

    def _on_progress(self, job: Job, fraction: float, message: str) -> None:
        if job is self._job:
            self._set_status(self.tr("Checking… %s%%") % int(round(fraction * 100)))

    def _on_done(self, job: Job, report: RuleReport) -> None:
        if job is not self._job:
            return  # a cancelled or superseded run
        self._job = None
        self.report = report
        self._update_filter_counts()
        self._fill()
        self._show_counts()
        self._update_buttons()
        self.checked.emit(report)

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        if job is not self._job:
            return
        self._job = None
        message = "" if kind == "cancelled" else message
        self._set_status(message or self.tr("Stopped."), error=bool(message))
        self._update_buttons()

    def _show_counts(self) -> None:
        if self.report is None:
            return
        counts = self.report.counts()
        parts = ["%s %s" % (rule_title(r), counts[r]) for r in RULES]
        text = self.tr("%s hits: %s") % (len(self.report.hits), "; ".join(parts))
        if len(self.shown_hits()) > MAX_ROWS:
            text += " " + self.tr("(the list shows the first %s; choose a rule to narrow it)") % MAX_ROWS
        self._set_status(text)

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(ERROR_STYLE if error else "")

    # --- the list ---------------------------------------------------------------------------------
    def _update_filter_counts(self) -> None:
        counts = self.report.counts() if self.report is not None else None
        for i in range(1, self.rule_combo.count()):
            rule = self.rule_combo.itemData(i)
            text = rule_title(rule)
            self.rule_combo.setItemText(i, f"{text} ({counts[rule]})" if counts is not None else text)
        if counts is not None:
            self.rule_combo.setItemText(0, self.tr("All rules") + f" ({sum(counts.values())})")

    def shown_hits(self) -> list[RuleHit]:
        """The hits the filter shows, in the report's order."""
        if self.report is None:
            return []
        rule = self.rule_combo.currentData()
        return [h for h in self.report.hits if rule is None or h.rule == rule]

    def selected_hits(self) -> list[RuleHit]:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        out = []
        for r in rows:
            item = self.table.item(r, 0)
            if item is not None and isinstance(item.data(HIT_ROLE), RuleHit):
                out.append(item.data(HIT_ROLE))
        return out

    def _fill(self) -> None:
        hits = self.shown_hits()[:MAX_ROWS]
        self.table.setSortingEnabled(False)
        self.table.clearContents()
        self.table.setRowCount(len(hits))
        order = {r: i for i, r in enumerate(RULES)}
        for row, h in enumerate(hits):
            key = (order.get(h.rule, 99), h.value)
            items = [KeyItem(rule_title(h.rule), key), KeyItem(h.name), KeyItem(h.township), KeyItem(h.cell_code or ""),
                     KeyItem(h.message, key)]
            if h.rule in ("mine_not_inspected", "finding_overdue"):  # longest overdue first within the rule
                items[0].key = items[4].key = (order.get(h.rule, 99), -h.value)
            items[0].setData(HIT_ROLE, h)
            items[4].setToolTip(h.message)
            items[1].setToolTip(h.name)
            for c, item in enumerate(items):
                self.table.setItem(row, c, item)
        self.table.setSortingEnabled(True)
        self._update_buttons()

    def _on_filter(self) -> None:
        self._fill()
        if self.report is not None and self._job is None and not self._assigning:
            self._show_counts()

    def _on_double(self, item: QTableWidgetItem) -> None:
        first = self.table.item(item.row(), 0)
        hit = first.data(HIT_ROLE) if first is not None else None
        if not isinstance(hit, RuleHit):
            return
        self.hitActivated.emit(hit)
        if all(v == v for v in hit.bounds):  # no NaN: the feature has a location
            self.zoomToBounds.emit(*hit.bounds)

    # --- assigning ----------------------------------------------------------------------------------
    def due_at(self) -> _dt.datetime:
        """The chosen due date at 18:00 Beijing time."""
        d = self.due.date()
        return _dt.datetime(d.year(), d.month(), d.day(), 18, 0, tzinfo=BEIJING)

    def assign(self, hits: list[RuleHit]) -> None:
        """One undoable edit: a task per hit (fire points: a check per cell)."""
        if not hits:
            self._set_status(self.tr("Select hits in the list first."), error=True)
            return
        if not self.controller.may(Action.ASSIGN_TASKS):
            self._set_status(self.tr("Only a supervisor or administrator may assign inspections."), error=True)
            return
        self._assigning = True
        self._set_status(self.tr("Assigning %s hits…") % len(hits))
        self._update_buttons()
        self.controller.run(hits_to_assignments, list(hits), due_at=self.due_at(), priority=1)

    def _on_edit(self, edit: Any) -> None:
        if not self._assigning or not str(getattr(edit, "title", "")).startswith(EDIT_TITLE_PREFIX):
            return
        self._assigning = False
        n = len(edit.created("assignment"))
        text = self.tr("Assigned %s tasks (Edit > Undo takes them back).") % n
        if edit.warnings:
            text += " " + " ".join(edit.warnings)
        self._set_status(text)
        self._update_buttons()

    def _on_edit_failed(self, message: str) -> None:
        if self._assigning:
            self._assigning = False
            self._set_status(message, error=True)
            self._update_buttons()

    # --- project and user ---------------------------------------------------------------------------
    def _on_reloaded(self) -> None:
        """The project changed as a whole (an import, a sync): the hits shown may be stale; checked again."""
        if self.report is not None:
            self._path = None  # forget the hits, as for another project
            self._on_user_changed()

    def _on_user_changed(self) -> None:
        if self.controller.path != self._path:  # another project: its hits are not these
            self._path = self.controller.path
            self.cancel()
            self.report = None
            self._update_filter_counts()
            self.rule_combo.setItemText(0, self.tr("All rules"))
            self._fill()
            self._set_status(self.tr("Run the checks to list what the rules flag."))
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.run_button.setText(self.tr("Stop") if self.running else self.tr("Run checks"))
        self.run_button.setEnabled(self.controller.path is not None)
        may = self.controller.may(Action.ASSIGN_TASKS) and not self.running and not self._assigning \
            and not self.controller.busy
        self.assign_selected.setEnabled(may and bool(self.table.selectionModel().selectedRows()))
        self.assign_all.setEnabled(may and self.table.rowCount() > 0)
        refusal = "" if self.controller.may(Action.ASSIGN_TASKS) else \
            self.tr("Only a supervisor or administrator may assign inspections.")
        self.assign_selected.setToolTip(refusal)
        how = self.tr("One task per hit, in the hit's cell, for the cell's inspector; fire points: one check per cell")
        self.assign_all.setToolTip(refusal or how)
        sites = [h for h in self.selected_hits() if h.layer == "construction_site"]
        why = self.controller.refusal(Action.DOWNGRADE_SITE)
        self.downgrade.setEnabled(not why and len(sites) == 1 and not self.controller.busy)
        self.downgrade.setToolTip(why or self.tr("Lower the selected site's dust grade, with the reason (audited)"))

    def show_downgrade_dialog(self) -> None:
        """Downgrade the selected construction site (及时降级) with a reason."""
        from .plans import DowngradeDialog

        sites = [h for h in self.selected_hits() if h.layer == "construction_site"]
        if len(sites) == 1:
            self._downgrade_dialog = DowngradeDialog(self.controller, sites[0].uuid, sites[0].name, self)
            self._downgrade_dialog.open()


class RulesDock(QDockWidget):
    """The rules panel in a dock (object name ``rulesDock``)."""

    def __init__(self, controller: WorkflowController, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("rulesDock")
        self.panel = RulesPanel(controller, self)
        self.setWidget(self.panel)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Rule checks"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)
