"""Always in view: the edits this laptop has not yet synced and how the last sync went; a warning before
closing with edits that have waited more than a day (part of MainWindow)."""

from __future__ import annotations

import datetime as _dt
from typing import Optional

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton

from ...app.syncstate import SyncStatus, sync_status
from ...times import BEIJING
from ..widgets import named

translate = QCoreApplication.translate

_STYLE = {"ok": "color: #1b5e20;", "pending": "color: #8a5a00; font-weight: bold;",
          "stale": "color: #b71c1c; font-weight: bold;", "none": "color: #555;"}


def when_text(t: Optional[_dt.datetime], now: Optional[_dt.datetime] = None) -> str:
    """A time in Beijing time, short: today 'HH:MM', this year 'MM-DD HH:MM', else with the year."""
    if t is None:
        return ""
    now = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(BEIJING)
    local = t.astimezone(BEIJING)
    if local.date() == now.date():
        return local.strftime("%H:%M")
    return local.strftime("%m-%d %H:%M" if local.year == now.year else "%Y-%m-%d %H:%M")


class WindowSyncStatus:
    """The status bar's sync label and the close warning (part of MainWindow)."""

    def _make_sync_status(self) -> None:
        self.sync_label = named(QLabel(), "syncStatusLabel")
        self.sync_label.hide()
        self.sync_status = SyncStatus()
        self._close_confirmed = False
        #: The time now (tests move it on to see a day pass).
        self.clock = lambda: _dt.datetime.now(_dt.timezone.utc)
        self._sync_timer = QTimer(self)
        self._sync_timer.setInterval(60_000)  # a pending edit turns "more than a day old" while the app is open
        self._sync_timer.timeout.connect(self.refresh_sync_status)
        self._sync_timer.start()
        # after an edit: read once the burst of edits is over, not on the way of the edit's feedback
        self._sync_soon = QTimer(self)
        self._sync_soon.setSingleShot(True)
        self._sync_soon.setInterval(400)
        self._sync_soon.timeout.connect(self.refresh_sync_status)

    def schedule_sync_status(self) -> None:
        """Refresh the sync label shortly (edits come in bursts)."""
        self._sync_soon.start()

    def refresh_sync_status(self) -> None:
        """Read the working copy's pending edits and last sync again and show them."""
        self.sync_status = sync_status(self.project_path) if self.project_path is not None else SyncStatus()
        self._show_sync_status()

    def _show_sync_status(self) -> None:
        st = self.sync_status
        label = self.sync_label
        if not st.working_copy or self.workflow.live:  # a live view: its banner says how it stands
            label.hide()
            return
        if st.pending:
            n = st.pending  # a plain name: lupdate reads the count argument only so
            pending = translate("MainWindow", "%n edit(s) not yet synced", "", n)
        elif st.changed_tables:
            pending = translate("MainWindow", "Changes not yet synced")
        else:
            pending = translate("MainWindow", "Everything synced")
        if st.last_sync is None:
            last = translate("MainWindow", "never synced")
        else:
            last = translate("MainWindow", "last sync %1").replace("%1", when_text(st.last_sync, self.clock()))
            r = st.last_result
            if r and "error" not in r:
                last += " " + translate("MainWindow", "(sent %1, received %2)") \
                    .replace("%1", str(r.get("sent") or 0)).replace("%2", str(r.get("received") or 0))
        failed = self._last_sync_failure()
        if failed:
            last += " · " + translate("MainWindow", "last attempt failed")
        label.setText(f"{pending} · {last}")
        kind = "stale" if st.stale(self.clock()) else ("pending" if st.has_pending else "ok")
        if failed and kind == "ok":
            kind = "pending"
        label.setStyleSheet(_STYLE[kind])
        tip = [translate("MainWindow", "Edits on this laptop reach the others when you sync (File > Sync).")]
        if st.oldest_pending is not None:
            tip.append(translate("MainWindow", "Oldest unsynced edit: %1 (Beijing time)")
                       .replace("%1", when_text(st.oldest_pending, self.clock())))
        if failed:
            tip.append(translate("MainWindow", "Last attempt: %1").replace("%1", failed))
        label.setToolTip("\n".join(tip))
        label.show()

    # --- failures of the sync dialog, remembered per project on this laptop ----------------------------
    def _failure_key(self) -> str:
        return "sync_failed/" + str(self.project_path).replace("/", "|")

    def _last_sync_failure(self) -> str:
        text = str(self.settings.value(self._failure_key(), "") or "")
        return text

    def note_sync_result(self, message: Optional[str]) -> None:
        """A sync from the dialog ended: None when it went through, else its message (kept until one does)."""
        if message:
            stamp = when_text(self.clock(), self.clock())
            self.settings.setValue(self._failure_key(), f"{stamp} {message}")
        else:
            self.settings.remove(self._failure_key())
        self.settings.sync()
        self.refresh_sync_status()

    # --- closing ------------------------------------------------------------------------------------
    def confirm_close(self) -> bool:
        """True if the window may close now; with edits unsynced for more than a day it asks first
        (the dialog stays open as ``self._close_box``; Close anyway closes, Sync now opens the sync)."""
        if self._close_confirmed or self.project_path is None:
            return True
        self.refresh_sync_status()
        st = self.sync_status
        now = self.clock()
        if not st.stale(now):
            return True
        waiting = now - (st.oldest_pending or st.last_sync or st.checked_out or now)
        days = max(1, int(waiting.total_seconds() // 86400))
        text = translate("MainWindow", "%1 edit(s) on this laptop have not been synced for %2 day(s). Other "
                                       "laptops and the office do not see them until you sync.") \
            .replace("%1", str(max(1, st.pending))).replace("%2", str(days))
        box = QMessageBox(QMessageBox.Icon.Warning, translate("MainWindow", "Edits not yet synced"), text,
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("unsyncedCloseDialog")
        sync_now = named(box.addButton(translate("MainWindow", "Sync now…"), QMessageBox.ButtonRole.AcceptRole),
                         "closeSyncNow")
        close_anyway = named(box.addButton(translate("MainWindow", "Close anyway"),
                                           QMessageBox.ButtonRole.DestructiveRole), "closeAnyway")
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(sync_now)

        def chosen(button: QPushButton) -> None:
            if button is close_anyway:
                self._close_confirmed = True
                QTimer.singleShot(0, self.close)
            elif button is sync_now:
                QTimer.singleShot(0, self.show_sync_dialog)

        box.buttonClicked.connect(chosen)
        self._close_box = box
        box.open()
        return False

