"""File > Check out shared project (:class:`CheckoutDialog`): the shared project (a file or a server address),
where the laptop's working copy goes and who works on it (the people are read read-only);
:func:`gridwatch.app.field.checkout_with_basemaps` runs as a job of the "sync" queue."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Optional

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...app.field import checkout_with_basemaps
from ...app.sharing import is_server_address, server_people, sync_dir
from ...app.store import queries
from ...domain.vocabulary import (
    ROLE_TITLES,
    title,
)
from ...tasks import CancelToken
from ...userdata import user_data_dir
from .. import i18n
from ..jobs import Job
from ..widgets import hbox, named, retranslate_safely
from .common import _PEOPLE_POOL, _POOL, PERSON_ROLE, _error_label, _show_error

log = logging.getLogger("gridwatch.ui")


# --- check out ------------------------------------------------------------------------------------------


def read_people(shared: Path) -> list[tuple[str, str]]:
    """Active people of a project file ``(name, role)``, read read-only (never written)."""
    return queries.active_people(shared)


class CheckoutDialog(QDialog):
    """File > Check out shared project: make a working copy of the shared project on this laptop."""

    checkedOut = Signal(object)  # Path of the new working copy

    def __init__(self, settings: QSettings, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("checkoutDialog")
        self.settings = settings
        self._job: Optional[Job] = None
        self._people_of: Optional[Path | str] = None
        self._local_auto = True  # the working copy path follows the shared file until the user edits it
        self._district: Optional[str] = None  # a server's district, once its people were read
        self._people_job: Optional[Job] = None  # reading a server's people
        self._people_asks = False  # ... with the password prompt

        self.shared_edit = named(QLineEdit(), "checkoutShared")
        self.browse_shared = named(QPushButton(), "checkoutBrowseShared", clicked=self.choose_shared)
        self.local_edit = named(QLineEdit(), "checkoutLocal", textEdited=self._on_local_edited)
        self.browse_local = named(QPushButton(), "checkoutBrowseLocal", clicked=self.choose_local)
        self.user_combo = named(QComboBox(), "checkoutUser", currentIndexChanged=lambda _i: self._update_buttons())
        self.error = _error_label("checkoutError")
        self.status = named(QLabel(), "checkoutStatus")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("checkoutButtons")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        for b in (self.browse_shared, self.browse_local):
            b.setAutoDefault(False)

        # the shared path is read when typing pauses (and at once after Browse)
        self._people_timer = QTimer(self)
        self._people_timer.setSingleShot(True)
        self._people_timer.setInterval(300)
        self._people_timer.timeout.connect(lambda: self.load_people(ask=False))  # typing: no password prompt
        self.shared_edit.textChanged.connect(lambda _t: self._people_timer.start())
        self.shared_edit.editingFinished.connect(self.load_people)

        shared_row = hbox((self.shared_edit, 1), self.browse_shared, stretch=False)
        local_row = hbox((self.local_edit, 1), self.browse_local, stretch=False)
        form = QFormLayout()
        self._labels = [QLabel(), QLabel(), QLabel()]
        form.addRow(self._labels[0], shared_row)
        form.addRow(self._labels[1], local_row)
        form.addRow(self._labels[2], self.user_combo)
        for label, w in zip(self._labels, (self.shared_edit, self.local_edit, self.user_combo)):
            label.setBuddy(w)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.status)
        lay.addStretch(1)
        lay.addWidget(self.buttons)

        self.retranslate()
        self.resize(640, 260)
        last = str(settings.value("sync/shared", "") or "")
        if last:
            self.shared_edit.setText(last)
            self.load_people(ask=False)
        self._update_buttons()

    # --- texts ------------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Check out shared project"))
        self.intro.setText(self.tr("Make a working copy of the shared project on this laptop. Work on it offline, "
                                   "then use File > Sync to exchange changes with the shared project."))
        self._labels[0].setText(self.tr("&Shared project:"))
        self._labels[1].setText(self.tr("&Working copy:"))
        self._labels[2].setText(self.tr("&You are:"))
        self.browse_shared.setText(self.tr("Browse…"))
        self.browse_local.setText(self.tr("Browse…"))
        self.shared_edit.setPlaceholderText(self.tr("The district's project file in the shared folder, or a server: "
                                                    "postgresql://HOST/DATABASE"))
        self.local_edit.setPlaceholderText(self.tr("Where this laptop keeps its copy"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Check out"))
        lang = i18n.current()
        for i in range(self.user_combo.count()):
            name, role = self.user_combo.itemData(i), self.user_combo.itemData(i, PERSON_ROLE)
            self.user_combo.setItemText(i, name + " (" + title(ROLE_TITLES, role, lang) + ")")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    # --- choosing ------------------------------------------------------------------------------------
    def shared_path(self) -> Optional[Path | str]:
        """The shared project file, or a PostGIS server's address (``postgresql://…``, ``service=…``)."""
        text = self.shared_edit.text().strip()
        if is_server_address(text):
            return text
        return Path(text).expanduser() if text else None

    def local_path(self) -> Optional[Path]:
        text = self.local_edit.text().strip()
        return Path(text).expanduser() if text else None

    def user(self) -> str:
        """The chosen person's name ('' if none)."""
        data = self.user_combo.currentData()
        return str(data) if data else ""

    def set_shared(self, path: Path) -> None:
        """Choose the shared project file (as Browse does) and read its people."""
        self.shared_edit.setText(str(path))
        self.load_people()

    def choose_shared(self) -> None:
        start = str(self.shared_path() or "")
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Shared project"), start,
                                              self.tr("GridWatch projects (*.gpkg)"))
        if path:
            self.set_shared(Path(path))

    def choose_local(self) -> None:
        start = str(self.local_path() or user_data_dir())
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Working copy"), start,
                                              self.tr("GridWatch projects (*.gpkg)"))
        if path:
            self._local_auto = False
            self.local_edit.setText(path)
            self._update_buttons()

    def _on_local_edited(self, _text: str) -> None:
        self._local_auto = False
        self._update_buttons()

    def _default_local(self, shared: Path | str) -> Path:
        folder = user_data_dir()
        if isinstance(shared, str):  # a server: the district's name
            shared = Path(self._district or "district")
        name = shared.name if shared.suffix.lower() == ".gpkg" else shared.name + ".gpkg"
        candidate = folder / name
        n = 2
        while candidate.exists() or sync_dir(candidate).exists():
            candidate = folder / (Path(name).stem + "-" + str(n) + ".gpkg")
            n += 1
        return candidate

    def load_people(self, ask: bool = True) -> None:
        """Read the people of the chosen shared file (read-only) into the user list.  A server's people
        are read on a worker (an unreachable server takes its time to say so): the list fills when
        they arrive, the dialog stays usable meanwhile.  ``ask``: a server that wants a password asks
        for it (:mod:`.password`); not while the address is being typed (the dialog then says to press
        Enter)."""
        self._people_timer.stop()
        shared = self.shared_path()
        # (a server still being read without the password prompt is read again when asked to prompt)
        if shared == self._people_of and not (ask and self._people_job is not None and not self._people_asks):
            return
        self._people_of = shared
        self._people_job = None  # the outcome of a server still being asked is no longer wanted
        if isinstance(shared, str):  # a PostGIS server: its district's people, on a worker
            self._fill_people(shared, [], "")
            self._people_of = shared  # (asked: not again until it answers or the address changes)
            self.status.setText(self.tr("Reading the people of the server's district…"))

            def work(progress: Callable[[float, str], None], cancel: CancelToken) -> tuple[str, list]:
                return server_people(shared, ask=ask)

            self._people_asks = ask
            self._people_job = Job(work, "checkout-people", executor=_PEOPLE_POOL, tag=shared)
            self._people_job.succeeded.connect(self._on_people, Qt.ConnectionType.QueuedConnection)
            self._people_job.failed.connect(self._on_people_failed, Qt.ConnectionType.QueuedConnection)
            self._people_job.start()
            return
        people: list[tuple[str, str]] = []
        message = ""
        if shared is not None:
            if not shared.is_file():
                message = self.tr("Shared project not found; is the shared folder reachable?")
            else:
                try:
                    people = read_people(shared)
                except Exception as exc:  # noqa: BLE001 - not a project: say so, stay usable
                    log.info("reading people of %s failed: %s", shared, exc)
                    message = self.tr("This file is not a GridWatch project:") + " " + i18n.error_text(exc)
                else:
                    if not people:
                        message = self.tr("This project has no active people; an administrator must add them first.")
        self._fill_people(shared, people, message)

    @property
    def reading_people(self) -> bool:
        """True until a server's people (or why they cannot be read) are shown (tests wait for this)."""
        return self._people_job is not None

    def _on_people(self, job: Job, result: tuple[str, list[tuple[str, str]]]) -> None:
        if job is not self._people_job:
            return  # the address changed meanwhile
        self._people_job = None
        self._district, people = result
        self._fill_people(job.tag, people, "" if people else
                          self.tr("This project has no active people; an administrator must add them first."))

    def _on_people_failed(self, job: Job, message: str, kind: str) -> None:
        if job is not self._people_job:
            return
        self._people_job = None
        if getattr(job.error, "key", None) == "pg.password_needed":
            message = self.tr("The server asks for the password of this login: press Enter in the shared project "
                              "field to give it.")
        else:
            message = self.tr("Cannot read the people of this server's district:") + " " + message
        self._fill_people(job.tag, [], message)

    def _fill_people(self, shared: Optional[Path | str], people: list[tuple[str, str]], message: str) -> None:
        """The user list from ``people`` of ``shared``, ``message`` below it (empty: none)."""
        keep = self.user()
        self.user_combo.blockSignals(True)
        self.user_combo.clear()
        lang = i18n.current()
        for name, role in people:
            self.user_combo.addItem(name + " (" + title(ROLE_TITLES, role, lang) + ")", name)
            self.user_combo.setItemData(self.user_combo.count() - 1, role, PERSON_ROLE)
        if people:
            i = self.user_combo.findData(keep) if keep else -1
            if i < 0:
                i = self.user_combo.findData(str(self.settings.value("user", "") or ""))
            self.user_combo.setCurrentIndex(max(i, 0))
        if shared is not None and self._local_auto and (isinstance(shared, str) or shared.name) \
                and (people or not isinstance(shared, str)):
            self.local_edit.setText(str(self._default_local(shared)))
        self.user_combo.blockSignals(False)
        if not self.user_combo.count():
            self._people_of = None  # read it again next time (the share may come back)
        if not self.running:
            self.status.setText("")
        _show_error(self.error, message)
        self._update_buttons()

    def _update_buttons(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        running = self.running
        ok.setEnabled(not running and bool(self.user()) and self.local_path() is not None
                      and self.shared_path() is not None)
        for w in (self.shared_edit, self.local_edit, self.user_combo, self.browse_shared, self.browse_local):
            w.setEnabled(not running)

    # --- checking out ---------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._job is not None and not self._job.done

    def start(self) -> None:
        """OK: check out on a worker thread; ``checkedOut`` then the dialog closes."""
        self.load_people()
        shared, local, user = self.shared_path(), self.local_path(), self.user()
        if self.running or shared is None or local is None or not user:
            return
        _show_error(self.error, "")
        data_dir = user_data_dir()

        def work(progress: Callable[[float, str], None], cancel: CancelToken) -> Path:
            if local.parent == data_dir:
                data_dir.mkdir(parents=True, exist_ok=True)
            return checkout_with_basemaps(shared, local, user)  # the basemaps travel too

        job = Job(work, "checkout", executor=_POOL)
        job.succeeded.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self._job = job
        self.status.setText(self.tr("Copying the shared project…"))
        self._update_buttons()
        job.start()

    def _on_done(self, job: Job, path: Path) -> None:
        self._job = None
        self.status.setText("")
        self.settings.setValue("sync/shared", str(self.shared_path() or ""))
        self.settings.sync()
        self._update_buttons()
        self.checkedOut.emit(Path(path))
        self.accept()

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        self._job = None
        self.status.setText("")
        _show_error(self.error, message)
        self._update_buttons()

    def reject(self) -> None:
        if self.running:  # a copy half way: let it finish (it cleans up after itself on errors)
            return
        super().reject()
