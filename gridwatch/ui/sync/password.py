"""The app's password prompt for PostGIS servers (issue 19).

Credentials come from where every PostgreSQL client looks (``.pgpass``, the service file,
``PGPASSWORD``, the address).  When the server asks for a password none of them has, the core's
connection (:func:`gridwatch.sync.pg.address.connect`, run by a check-out, a sync, a live view or the
city view on a worker job) calls the prompt installed here: :class:`PasswordDialog` is shown on the
GUI thread (the worker waits for the answer without holding the GUI thread:
:func:`gridwatch.ui.jobs.ask_on_gui_thread`).  The core keeps a password the server accepted in
memory for the rest of the session, so the next sync does not ask again; it is never written to a
file or the settings.  Cancel: the connection is not made and the job says so
(``pg.password_cancelled``), nothing was done.
"""

from __future__ import annotations

from typing import Callable, Optional
from urllib.parse import unquote, urlsplit

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...app.sharing import set_password_prompt
from ..jobs import ask_on_gui_thread, prepare_asking
from ..widgets import named, retranslate_safely


def login_of(where: str) -> str:
    """The login named in a server address ('' when the address names none)."""
    if where.lower().startswith(("postgres://", "postgresql://")):
        return unquote(urlsplit(where).username or "")
    for word in where.split():
        if word.lower().startswith("user="):
            return word.split("=", 1)[1]
    return ""


class PasswordDialog(QDialog):
    """Which server and login ask for a password (the address without any password), a masked field,
    OK / Cancel."""

    def __init__(self, where: str, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setObjectName("pgPasswordDialog")
        self.where = where
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.address = named(QLabel(where), "pgPasswordAddress")
        self.address.setWordWrap(True)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.login = named(QLabel(login_of(where)), "pgPasswordLogin")
        self.field = named(QLineEdit(), "pgPassword")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.setObjectName("pgPasswordButtons")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        self._labels = [QLabel(), QLabel(), QLabel()]
        form.addRow(self._labels[0], self.address)
        if self.login.text():
            form.addRow(self._labels[1], self.login)
        form.addRow(self._labels[2], self.field)
        self._labels[2].setBuddy(self.field)
        lay = QVBoxLayout(self)
        lay.addWidget(self.intro)
        lay.addLayout(form)
        lay.addWidget(self.note)
        lay.addWidget(self.buttons)
        self.retranslate()
        self.resize(520, 200)
        self.field.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Server password"))
        self.intro.setText(self.tr("The server asks for the password of this login (it is not in .pgpass, the "
                                   "service file or PGPASSWORD)."))
        self._labels[0].setText(self.tr("Server:"))
        self._labels[1].setText(self.tr("Login:"))
        self._labels[2].setText(self.tr("&Password:"))
        self.note.setText(self.tr("GridWatch keeps it in memory until it closes, so that the next sync does not "
                                  "ask again; it is never saved."))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)

    def password(self) -> str:
        return self.field.text()


def _show(where: str, reply: Callable[[Optional[str]], None]) -> None:
    """On the GUI thread: the dialog, application-modal but not blocking; ``reply`` gets the password
    (None: cancelled, or the dialog went away unanswered)."""
    parent = QApplication.activeModalWidget() or QApplication.activeWindow()
    dialog = PasswordDialog(where, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)

    def finished(result: int) -> None:
        reply(dialog.password() if result == QDialog.DialogCode.Accepted and dialog.password() else None)

    dialog.finished.connect(finished)
    dialog.destroyed.connect(lambda *_: reply(None))
    dialog.open()


def ask_password(where: str) -> Optional[str]:
    """The app's password prompt (any thread): the password typed for ``where``, or None (cancelled)."""
    return ask_on_gui_thread(lambda reply: _show(where, reply), None) or None


def install_password_prompt() -> None:
    """Make :func:`ask_password` the prompt of every server connection of this process (call it on the
    GUI thread: the app does when it starts)."""
    prepare_asking()
    set_password_prompt(ask_password)


def remove_password_prompt() -> None:
    """No prompt any more (connections that need a password say so); passwords given are forgotten."""
    from ...app.sharing import forget_passwords

    set_password_prompt(None)
    forget_passwords()
