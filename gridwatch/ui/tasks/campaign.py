"""Inspections > Campaigns (专项行动, issue 17): start one from its template (the rounds begun so far,
one task per cell, through the workflow controller: undoable, refused by the core when the role may
not), make the rounds that have begun since (the office), and follow each campaign's progress round
by round, the rounds still to come included (read on the worker)."""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Optional

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...app.store import campaigns as camp
from ...domain.campaigns import TEMPLATES, default_days
from ...domain.policy import Action
from ...domain.vocabulary import CAMPAIGN_TITLES, title
from ...times import BEIJING
from .. import i18n
from ..jobs import Job, run_job
from ..session import PendingEdit, error_label
from ..widgets import fill, fit_to_screen, hbox, named, record_table, retranslate_safely

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd


def _qdate(day: _dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(q: QDate) -> _dt.date:
    return _dt.date(q.year(), q.month(), q.day())


class CampaignDialog(QDialog):
    """Start a campaign; the campaigns of the project and the progress of the chosen one."""

    def __init__(self, controller: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("campaignDialog")
        self.controller = controller
        self.now: Optional[_dt.datetime] = None  # tests pin the moment
        self.template = named(QComboBox(), "campaignTemplate")
        for key in TEMPLATES:
            self.template.addItem("", key)
        self.first = named(QDateEdit(), "campaignFirst")
        self.last = named(QDateEdit(), "campaignLast")
        for edit in (self.first, self.last):
            edit.setDisplayFormat("yyyy-MM-dd")
        self.start_button = named(QPushButton(), "campaignStart", clicked=self.start)
        self.error = error_label("campaignError")
        self.chosen = named(QComboBox(), "campaignChosen")
        # the rounds that have begun since: made by the office (also on opening the project, after a sync)
        self.advance_button = named(QPushButton(), "campaignAdvance", clicked=self.advance)
        self.rounds = record_table(named(QTableWidget(0, 7), "campaignRounds"))
        self.status = named(QLabel(), "campaignStatus")
        self.status.setWordWrap(True)
        self._labels = [QLabel() for _ in range(3)]
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        fill(self, hbox(self._labels[0], self.template, self._labels[1], self.first, self.last, self.start_button),
             self.error, hbox(self._labels[2], (self.chosen, 1), self.advance_button, stretch=False), (self.rounds, 1),
             self.status,
             buttons)
        self.template.currentIndexChanged.connect(self._template_chosen)
        self.chosen.currentIndexChanged.connect(self.show_progress)
        self.pending = PendingEdit(controller, self, lambda e: e.action == "start_campaign", self.error,
                                   on_refused=lambda: self.start_button.setEnabled(True),
                                   on_applied=self._started)
        self.advancing = PendingEdit(controller, self, lambda e: e.action == "advance_campaigns", self.error,
                                     on_refused=lambda: self.advance_button.setEnabled(True),
                                     on_applied=self._started)
        self._job: Optional[Job] = None
        self.progress: Optional[tuple[Any, pd.DataFrame, pd.DataFrame]] = None
        fit_to_screen(self, 900, 560)
        self._template_chosen()
        self.retranslate()
        self.reload()

    def _today(self) -> _dt.date:
        return (self.now or _dt.datetime.now(_dt.timezone.utc)).astimezone(BEIJING).date()

    def _template_chosen(self) -> None:
        a, b = default_days(TEMPLATES[str(self.template.currentData())], self._today())
        self.first.setDate(_qdate(a))
        self.last.setDate(_qdate(b))

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Campaigns"))
        for i, key in enumerate(TEMPLATES):
            self.template.setItemText(i, title(CAMPAIGN_TITLES, key, i18n.current()))
        self._labels[0].setText(self.tr("Template:"))
        self._labels[1].setText(self.tr("From, to:"))
        self._labels[2].setText(self.tr("Progress of:"))
        self.start_button.setText(self.tr("Start campaign"))
        why = self.controller.refusal(Action.ASSIGN_TASKS) if self.controller is not None else ""
        self.start_button.setEnabled(not why)
        self.start_button.setToolTip(why or self.tr("One task per cell per round, for each cell's inspector"))
        self.advance_button.setText(self.tr("Make the rounds that have begun"))
        why_not = self.controller.refusal(Action.CREATE_CAMPAIGN_ROUNDS) if self.controller is not None else ""
        self.advance_button.setEnabled(not why_not)
        self.advance_button.setToolTip(why_not or self.tr("Each round's tasks are made when the round begins; the "
                                                          "office's copy does it when the project opens"))
        self.rounds.setHorizontalHeaderLabels([self.tr("Round"), self.tr("From"), self.tr("To"), self.tr("Tasks"),
                                               self.tr("Done"), self.tr("Overdue"), self.tr("Done (%)")])

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def reload(self) -> None:
        """List the project's campaigns (latest first) and show the first one's progress."""
        path = self.controller.path if self.controller is not None else None
        frame = camp.campaigns(path) if path is not None else pd.DataFrame()
        self.chosen.blockSignals(True)
        self.chosen.clear()
        for _, r in frame.iterrows():
            self.chosen.addItem(str(r["title"]), str(r["uuid"]))
        self.chosen.blockSignals(False)
        self.show_progress()

    def start(self) -> None:
        self.error.hide()
        self.start_button.setEnabled(False)
        self.pending.start()
        self.controller.run(camp.start_campaign, str(self.template.currentData()),
                            first_day=_pydate(self.first.date()), last_day=_pydate(self.last.date()))

    def advance(self) -> None:
        self.error.hide()
        self.advance_button.setEnabled(False)
        self.advancing.start()
        self.controller.run(camp.advance_campaigns)

    def _started(self, edit: Any) -> None:
        self.start_button.setEnabled(True)
        self.advance_button.setEnabled(not self.controller.refusal(Action.CREATE_CAMPAIGN_ROUNDS))
        self.status.setText(edit.title)
        self.reload()

    def show_progress(self) -> None:
        key = self.chosen.currentData()
        path = self.controller.path if self.controller is not None else None
        if key is None or path is None:
            self.rounds.setRowCount(0)
            return
        now = self.now
        self._job = run_job(lambda progress, cancel: camp.campaign_progress(path, str(key), now=now),
                            "campaign", succeeded=self._on_progress, failed=self._on_failed)

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        # a bound method, not a lambda: Qt drops the connection when this widget is deleted first
        self.status.setText(message)

    def _on_progress(self, job: Job, result: Any) -> None:
        if job is not self._job:
            return
        self.progress = result
        _, by_round, towns = result
        self.rounds.setRowCount(len(by_round))
        for i, (_, r) in enumerate(by_round.iterrows()):
            pct = "" if pd.isna(r["done_pct"]) else f"{r['done_pct']:.1f}"
            made = bool(r["made"])
            for j, text in enumerate((str(r["round"]), r["first_day"], r["last_day"],
                                      str(r["tasks"]) if made else self.tr("when it begins"),
                                      str(r["done"]) if made else "", str(r["overdue"]) if made else "", pct)):
                item = QTableWidgetItem(str(text))
                if j >= 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.rounds.setItem(i, j, item)
        self.rounds.resizeColumnsToContents()
        done, total = int(by_round["done"].sum()), int(by_round["tasks"].sum())
        self.status.setText(self.tr("%1 of %2 tasks done in %3 townships; rounds made: %4 of %5")
                            .replace("%1", f"{done:,}").replace("%2", f"{total:,}").replace("%3", str(len(towns)))
                            .replace("%4", str(int(by_round["made"].sum()))).replace("%5", str(len(by_round))))
