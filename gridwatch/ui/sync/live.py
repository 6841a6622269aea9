"""File > Open server district: the office's live view of a PostGIS district.

* :class:`OpenServerDialog`: the server's address (with ``?district=…`` when the database holds several),
  credentials from the usual PostgreSQL places as for a check-out; the district is read on a worker job
  (:func:`gridwatch.app.liveview.open_live_view`) and opened in the window like a project file.
* :class:`LiveViewBar`: while a live view is open, a banner over the map says so (which district, which
  server, read-only, when it was last refreshed) with a Refresh button; it also refreshes on a timer.
  A refresh reads only what changed on the server, on a worker job, then the map and panels reload.

Who edits is the server login's person: a supervisor's or administrator's view is read-write, each
action sent to the server at once (:func:`gridwatch.app.liveview.live_edit`; a refusal is shown and the
view reloads with the server's state); anyone else's is read-only (to work, check out a working copy
and sync).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ...app.liveview import is_server_address, live_info, open_live_view, refresh_live_view
from ...tasks import CancelToken
from ..jobs import Job, queue
from ..map.panels import beijing_time
from ..widgets import named, retranslate_safely
from .common import _error_label, _show_error

# One live-view job at a time (opening or refreshing), beside syncs and check-outs.
_POOL = queue("live-view")

# How often an open live view refreshes itself (ms).
REFRESH_EVERY_MS = 5 * 60 * 1000


def _clock(text: Optional[str]) -> str:
    """A stored UTC time as the Beijing ``HH:MM`` people read."""
    return beijing_time(text, "%H:%M") if text else "–"


class OpenServerDialog(QDialog):
    """The address of a server district; OK reads it (on a worker) and emits ``opened(path)``."""

    opened = Signal(object)  # Path of the live view

    def __init__(self, settings: QSettings, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("openServerDialog")
        self.settings = settings
        self._job: Optional[Job] = None
        self.address_edit = named(QLineEdit(), "liveAddress", returnPressed=self.start)
        self.address_edit.textChanged.connect(lambda _t: self._update_buttons())
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.error = _error_label("liveError")
        self.status = named(QLabel(), "liveStatus")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("liveButtons")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        self._label = QLabel()
        self._label.setBuddy(self.address_edit)
        form.addRow(self._label, self.address_edit)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.status)
        lay.addStretch(1)
        lay.addWidget(self.buttons)
        self.retranslate()
        self.resize(620, 220)
        self.address_edit.setText(str(settings.value("live/address", "") or settings.value("sync/shared", "") or ""))
        if not is_server_address(self.address_edit.text().strip()):
            self.address_edit.clear()
        self._update_buttons()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Open server district"))
        self.intro.setText(self.tr("Show a district of a PostGIS server in this window as it is on the server now; "
                                   "it refreshes every few minutes and with Refresh. Supervisors and administrators "
                                   "edit it: each action goes to the server at once. Everyone else sees it read-only "
                                   "(to edit, check out a working copy and sync)."))
        self._label.setText(self.tr("&Server:"))
        self.address_edit.setPlaceholderText(self.tr("postgresql://HOST/DATABASE?district=SCHEMA (your login from "
                                                     ".pgpass, the service file or PGPASSWORD)"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Open"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    @property
    def running(self) -> bool:
        return self._job is not None

    def _update_buttons(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(
            not self.running and bool(self.address_edit.text().strip()))
        self.address_edit.setEnabled(not self.running)

    def start(self) -> None:
        """OK: read the district on a worker; ``opened`` then the dialog closes."""
        address = self.address_edit.text().strip()
        if self.running or not address:
            return
        if not is_server_address(address):
            _show_error(self.error, self.tr("Not a server address: write it as postgresql://HOST/DATABASE (or "
                                            "service=NAME)."))
            return
        _show_error(self.error, "")

        def work(progress: Callable[[float, str], None], cancel: CancelToken) -> Path:
            return open_live_view(address)

        self._job = Job(work, "live-view", executor=_POOL, tag=address)
        self._job.succeeded.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._job.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self.status.setText(self.tr("Reading the district from the server…"))
        self._update_buttons()
        self._job.start()

    def _on_done(self, job: Job, path: Path) -> None:
        self._job = None
        self.status.setText("")
        self.settings.setValue("live/address", str(job.tag))
        self.settings.sync()
        self._update_buttons()
        self.opened.emit(Path(path))
        self.accept()

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        self._job = None
        self.status.setText("")
        _show_error(self.error, self.tr("Cannot open the server district:") + " " + message)
        self._update_buttons()

    def reject(self) -> None:
        if self.running:  # reading: it ends on its own (an unreachable server within its time-out)
            return
        super().reject()


class LiveViewBar(QToolBar):
    """The banner of an open live view: what it shows, when it was refreshed, Refresh; a timer
    refreshes it too.  ``refreshed(changed)`` after a refresh that brought changes (the window
    reloads the project then)."""

    refreshed = Signal(int)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("liveViewBar")
        self.setMovable(False)
        self.setFloatable(False)
        self.setStyleSheet("QToolBar#liveViewBar { background: #dcedff; border-bottom: 1px solid #7aa7d8; }")
        self.label = named(QLabel(self), "liveViewLabel")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)  # the whole row
        self.addWidget(self.label)
        self.act_refresh = named(QAction(self), "actLiveRefresh", triggered=self.refresh)
        self.addAction(self.act_refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_EVERY_MS)
        self.timer.timeout.connect(self.refresh)
        self.path: Optional[Path] = None
        self.info: Optional[dict[str, Any]] = None
        self.problem = ""
        self._job: Optional[Job] = None
        self.hide()
        self.retranslate()

    def set_project(self, path: Optional[Path]) -> None:
        """The window opened ``path``: shown (and refreshing) if it is a live view, hidden otherwise."""
        info = live_info(path) if path is not None else None
        self.path = Path(path) if info is not None and path is not None else None
        self.info = info
        if info is None:
            self.timer.stop()
            self.problem = ""
            self.hide()
            return
        self.timer.start()
        self.show()
        self.retranslate()

    @property
    def refreshing(self) -> bool:
        """True until a refresh's outcome is shown (tests wait for this)."""
        return self._job is not None

    def refresh(self) -> None:
        """Pull what changed on the server (on a worker); the window reloads when something did."""
        if self.path is None or self.refreshing:
            return
        path = self.path

        def work(progress: Callable[[float, str], None], cancel: CancelToken) -> dict[str, Any]:
            return refresh_live_view(path)

        self._job = Job(work, "live-view", executor=_POOL, tag=path)
        self._job.succeeded.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._job.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self.act_refresh.setEnabled(False)
        self.label.setText(self.tr("Refreshing from the server…"))
        self._job.start()

    def _on_done(self, job: Job, info: dict[str, Any]) -> None:
        self._job = None
        self.act_refresh.setEnabled(True)
        if job.tag != self.path:
            return  # another project was opened meanwhile
        self.info, self.problem = info, ""
        self.retranslate()
        if info.get("changed"):
            self.refreshed.emit(int(info["changed"]))

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        self._job = None
        self.act_refresh.setEnabled(True)
        if job.tag != self.path:
            return
        self.problem = message
        self.retranslate()

    def retranslate(self) -> None:
        self.act_refresh.setText(self.tr("Refresh"))
        self.act_refresh.setToolTip(self.tr("Read what changed on the server since the last refresh"))
        if self.info is None:
            self.label.setText("")
            return
        district = str(self.info.get("name") or self.info.get("district") or "")
        if self.info.get("name") and self.info.get("district") and self.info["name"] != self.info["district"]:
            district += f" ({self.info['district']})"
        if self.info.get("editable"):
            text = self.tr("Live server view of %1 on %2, as %4: each of your edits goes to the server at once "
                           "(refused ones are taken back); refreshed at %3 and every few minutes.")
        else:
            text = self.tr("Live server view of %1 on %2: read-only, refreshed at %3 and every few minutes. To edit, "
                           "check out a working copy.")
        text = text.replace("%1", district).replace(
            "%2", str(self.info.get("server") or self.info.get("address") or "")).replace(
            "%3", _clock(self.info.get("refreshed"))).replace("%4", str(self.info.get("user") or ""))
        if self.problem:
            text += " " + self.tr("The last refresh failed: %1").replace("%1", self.problem)
        self.label.setText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)
