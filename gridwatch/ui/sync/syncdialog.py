"""File > Sync (:class:`SyncDialog`): :func:`gridwatch.sync.sync` on a worker thread with progress, cancel and
a summary; every error (share unreachable, lock held, damaged file) is shown inside the dialog, which stays usable."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...app.sharing import sync
from ...app.syncstate import read_state
from ...tasks import CancelToken
from ..jobs import Job
from ..map.panels import beijing_time
from ..widgets import named, retranslate_safely
from .common import _POOL, _error_label, _show_error

log = logging.getLogger("gridwatch.ui")


# --- sync --------------------------------------------------------------------------------------------------


class SyncDialog(QDialog):
    """File > Sync: send this laptop's edits to the shared project and receive everyone else's."""

    synced = Signal(object)  # SyncReport
    failed = Signal(str)

    def __init__(self, local: Path, parent: Optional[QWidget] = None, *, lock_wait: float = 60.0) -> None:
        super().__init__(parent)
        self.setObjectName("syncDialog")
        self.local = Path(local)
        self.lock_wait = lock_wait
        self.report: Any = None
        self._job: Optional[Job] = None
        self._close_when_done = False
        self._message_code = ""
        #: The last sync was cancelled by the user (its ``failed`` is no failure to report).
        self.cancelled = False

        self.shared_label = named(QLabel(), "syncShared")
        self.shared_label.setWordWrap(True)
        self.shared_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.user_label = named(QLabel(), "syncUser")
        self.last_label = named(QLabel(), "syncLast")
        self.progress = named(QProgressBar(), "syncProgress")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.message = named(QLabel(), "syncMessage")
        self.error = _error_label("syncError")
        self.summary = named(QLabel(), "syncSummary")
        self.summary.setWordWrap(True)
        self.summary.hide()
        self.refused = named(QListWidget(), "syncRefused")
        self.refused.setWordWrap(True)
        self.refused.hide()
        self.start_button = named(QPushButton(), "syncStart", clicked=self.start)
        self.cancel_button = named(QPushButton(), "syncCancel", clicked=self.cancel)
        self.close_button = named(QPushButton(), "syncClose", clicked=self.reject)
        for b in (self.start_button, self.cancel_button, self.close_button):
            b.setAutoDefault(False)
        self.start_button.setDefault(True)

        form = QFormLayout()
        self._labels = [QLabel(), QLabel(), QLabel(), QLabel()]
        form.addRow(self._labels[0], self.shared_label)
        form.addRow(self._labels[1], self.user_label)
        form.addRow(self._labels[2], self.last_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.progress)
        lay.addWidget(self.message)
        lay.addWidget(self.error)
        lay.addWidget(self.summary)
        lay.addWidget(self._labels[3])
        lay.addWidget(self.refused, 1)
        lay.addStretch(0)
        lay.addLayout(buttons)
        self._labels[3].hide()

        self.retranslate()
        self.resize(600, 340)
        self._update_buttons()

    # --- texts ------------------------------------------------------------------------------------
    def _step_text(self, code: str) -> str:
        steps = {
            "checking local edits": self.tr("Checking this laptop's edits…"),
            "waiting for the shared project": self.tr("Waiting for the shared project…"),
            "reading the shared project": self.tr("Reading the shared project…"),
            "merging": self.tr("Merging…"),
            "writing the shared project": self.tr("Writing the shared project…"),
            "updating this laptop": self.tr("Updating this laptop…"),
            "connecting to the server": self.tr("Connecting to the server…"),
            "reading the server's changes": self.tr("Reading the server's changes…"),
            "sending to the server": self.tr("Sending to the server…"),
        }
        return steps.get(code, code)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Sync with the shared project"))
        self._labels[0].setText(self.tr("Shared project:"))
        self._labels[1].setText(self.tr("User:"))
        self._labels[2].setText(self.tr("Last sync:"))
        self._labels[3].setText(self.tr("Kept on this laptop (your role may not change these):"))
        self.start_button.setText(self.tr("&Sync now"))
        self.cancel_button.setText(self.tr("Cancel sync"))
        self.close_button.setText(self.tr("Close"))
        self.show_state()
        if self._message_code:
            self.message.setText(self._step_text(self._message_code))
        if self.report is not None:
            self._show_report(self.report)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def show_state(self) -> None:
        """The shared path, the user and the last sync time from the working copy's sync state."""
        state = read_state(self.local)
        if not state:
            self.shared_label.setText("")
            self.user_label.setText("")
            self.last_label.setText("")
            if not self.running:
                _show_error(self.error, self.tr("This project is not a working copy of a shared project; "
                                                "check one out first (File > Check out shared project)."))
            return
        self.shared_label.setText(str(state.get("shared") or ""))
        self.user_label.setText(str(state.get("user") or ""))
        last = state.get("last_sync")
        self.last_label.setText(beijing_time(last, "%Y-%m-%d %H:%M:%S") if last else self.tr("never"))

    def _show_report(self, report: Any) -> None:
        text = (self.tr("Sent %1 change(s), received %2, %3 conflict(s) settled, %4 refused.")
                .replace("%1", str(report.sent)).replace("%2", str(report.received))
                .replace("%3", str(report.conflicts)).replace("%4", str(report.refused)))
        if report.recovered:
            text += " " + self.tr("An interrupted sync was finished first.")
        if getattr(report, "rolled_back", False):
            text += " " + self.tr("The shared project had gone back in time (an older copy of the shared folder "
                                  "was put back); what it had lost was sent again from this laptop.")
        if report.conflicts:
            text += " " + self.tr("Supervisors review the conflicts in the Sync conflicts panel.")
        self.summary.setText(text)
        self.summary.show()
        self.refused.clear()
        self.refused.addItems([str(m) for m in report.messages])
        self.refused.setVisible(bool(report.messages))
        self._labels[3].setVisible(bool(report.messages))

    # --- running ------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._job is not None and not self._job.done

    def _update_buttons(self) -> None:
        running = self._job is not None
        self.start_button.setEnabled(not running and bool(read_state(self.local)))
        self.cancel_button.setEnabled(running and not self._job.cancel_token.cancelled)  # type: ignore[union-attr]
        self.close_button.setEnabled(not running)

    def start(self) -> None:
        """Sync now on a worker thread (never two at once)."""
        if self._job is not None or not read_state(self.local):
            return
        _show_error(self.error, "")
        self.summary.hide()
        self.refused.clear()
        self.refused.hide()
        self._labels[3].hide()
        self.report = None
        self.progress.setValue(0)
        local, lock_wait = self.local, self.lock_wait

        def work(progress: Callable[[float, str], None], cancel: CancelToken) -> Any:
            return sync(local, progress=progress, cancel=cancel, lock_wait=lock_wait)

        job = Job(work, "sync", executor=_POOL)
        job.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        job.succeeded.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._job = job
        self._message_code = "checking local edits"
        self.message.setText(self._step_text(self._message_code))
        self._update_buttons()
        job.start()

    def cancel(self) -> None:
        """Ask the running sync to stop; nothing is sent unless the shared project was already written."""
        if self._job is not None and not self._job.cancel_token.cancelled:
            self._job.cancel()
            self.message.setText(self.tr("Cancelling…"))
            self._message_code = ""
        self._update_buttons()

    def _on_progress(self, job: Job, fraction: float, message: str) -> None:
        self.progress.setValue(int(round(max(0.0, min(1.0, fraction)) * 100)))
        self._message_code = message
        self.message.setText(self._step_text(message))

    def _on_done(self, job: Job, report: Any) -> None:
        self._job = None
        self.report = report
        self.progress.setValue(100)
        self._message_code = ""
        self.message.setText(self.tr("Sync finished."))
        self._show_report(report)
        self.show_state()
        self._update_buttons()
        self.synced.emit(report)
        if self._close_when_done:
            super().reject()

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        self._job = None
        self.progress.setValue(0)
        self._message_code = ""
        if kind == "cancelled":
            self.message.setText(self.tr("Sync cancelled; nothing was sent."))
        else:
            self.message.setText(self.tr("Sync failed. Your edits are safe on this laptop."))
            _show_error(self.error, message)
        self.show_state()
        self._update_buttons()
        self.cancelled = kind == "cancelled"
        self.failed.emit(message)
        if self._close_when_done:
            super().reject()

    def reject(self) -> None:
        if self._job is not None:  # closing during a sync cancels it; the dialog closes when it has stopped
            self._close_when_done = True
            self.cancel()
            return
        super().reject()
