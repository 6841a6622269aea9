"""The workflow controller: who is working, running workflow edits off the GUI thread, undo/redo.

Every workflow write goes through :meth:`WorkflowController.run`: the core function runs on a
worker thread (the window stays responsive while photos are read and rows written), then the
applied :class:`~gridwatch.storage.edits.Edit` is pushed on the undo stack.  Undo and redo call the
core again, which refuses them if the rows changed meanwhile.  A dialog that makes an edit waits
for it with a :class:`PendingEdit` and shows a refusal in an :func:`error_label`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QDialog, QLabel

from ..app.session import Session
from ..app.store import Edit
from ..app.titles import edit_title
from ..domain import policy
from ..domain.lifecycle import allowed_actions
from ..domain.messages import message_text
from ..domain.policy import Action, Actor
from ..domain.vocabulary import ROLE_TITLES, title
from ..errors import GridWatchError
from . import i18n
from .jobs import Job, queue
from .widgets import named

log = logging.getLogger("gridwatch.ui")

# One worker, so edits are applied in the order the user made them.  A Python thread rather than
# QThreadPool (pyproj issue 1509, see main_window).
_EDIT_POOL = queue("edit")

#: The policy's action for each loop step of a finding and each task step.
FINDING_STEP_ACTIONS = {"assign": Action.ASSIGN_FINDING, "rectify": Action.RECTIFY_FINDING,
                        "verify": Action.VERIFY_FINDING, "reject": Action.REJECT_FINDING, "close": Action.CLOSE_FINDING}
TASK_STEP_ACTIONS = {"start": Action.START_TASK, "finish": Action.FINISH_TASK, "cancel": Action.CANCEL_TASK}


class _EditCommand(QUndoCommand):
    """An applied edit on the undo stack; undo/redo call the core on the GUI thread (short writes)."""

    def __init__(self, controller: "WorkflowController", edit: Edit) -> None:
        super().__init__(edit_title(edit, i18n.current()))
        self.controller = controller
        self.edit = edit
        self._first = True  # the edit was already applied by the worker

    def undo(self) -> None:
        self.controller._replay(True, self)

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.controller._replay(False, self)


class _FromSession:
    """An attribute of the controller that is its session's own (read and written through)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: Optional[type] = None) -> Any:
        return self if obj is None else getattr(obj.session, self.name)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj.session, self.name, value)


class WorkflowController(QObject):
    """The UI's side of the :class:`~gridwatch.app.session.Session`: edits on a worker thread, the
    Qt undo stack, and the session's change events as Qt signals (panels refresh from ``changed``)."""

    changed = Signal(object)  # the Edit applied (or undone/redone)
    failed = Signal(str)  # a message for the user
    warned = Signal(list)  # warnings of an applied edit (location outside the cell, flagged photos)
    busyChanged = Signal(bool)
    userChanged = Signal()
    #: The open project changed as a whole (an import, a sync): panels read it again.
    reloaded = Signal()
    #: An edit of a supervisor's live view went to the server, or was refused there and taken out again:
    #: the view now holds the server's state (server row numbers, others' edits): the window reads it again.
    liveSynced = Signal()

    def __init__(self, settings: QSettings, parent: Optional[QObject] = None,
                 session: Optional[Session] = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.session = session or Session()
        self.session.changed.connect(self.changed.emit)
        self.session.user_changed.connect(self._user_changed)
        self.undo_stack = named(QUndoStack(self), "undoStack")
        self._jobs: list[Any] = []

    # --- the session's state ------------------------------------------------------------------------
    path = _FromSession()
    actor = _FromSession()
    people = _FromSession()
    read_only = _FromSession()  # a shared project's snapshot: only read (laptops sync working copies of it)
    live = _FromSession()  # a live view of a server district, refreshed from the server
    live_editable = _FromSession()  # a supervisor's live view: each edit goes to the server at once

    # --- project and user ------------------------------------------------------------------------
    def set_project(self, path: Optional[Path]) -> None:
        """A project was opened: read its people and find the user the settings name."""
        self.undo_stack.clear()
        self.session.open(path, str(self.settings.value("user", "") or ""),
                          str(self.settings.value("user_uuid", "") or ""))

    def reload(self) -> None:
        """The open project file changed as a whole (an import, a sync): the session reads it again
        (people, the user) and every panel hears ``reloaded``; edits made before cannot be undone."""
        self.undo_stack.clear()
        self.session.reload()
        self.reloaded.emit()

    def reload_people(self) -> None:
        """Read the people again after an edit of them (or of who holds which cells); keeps the undo stack.

        ``userChanged`` is emitted only when the current user's own row changed (a renamed admin
        stays the user; role-dependent UI follows a changed role).
        """
        self.session.people_changed()

    def _user_changed(self, actor: Optional[Actor]) -> None:
        if actor is not None and (actor.name != str(self.settings.value("user", "") or "")
                                  or actor.uuid != str(self.settings.value("user_uuid", "") or "")):
            self.settings.setValue("user", actor.name)  # renamed: still this laptop's user
            self.settings.setValue("user_uuid", actor.uuid)
            self.settings.sync()
        self.userChanged.emit()

    def set_user(self, name: str, uuid: str = "") -> None:
        """Make ``name`` (a person of the project; ``uuid`` says which of several of that name) this
        laptop's user, remembered in the settings.  Another person starts with an empty undo history
        (edits belong to who made them); choosing the same person again keeps it."""
        before = self.actor
        self.settings.setValue("user", name)
        self.settings.setValue("user_uuid", uuid)
        self.settings.sync()
        actor = self.session.set_user(name, uuid)
        if actor is None or actor != before:
            self.undo_stack.clear()

    def user_label(self) -> str:
        if self.actor is None:
            return ""
        return f"{self.actor.name} ({title(ROLE_TITLES, self.actor.role, i18n.current())})"

    def may(self, action: Action | str, target: Optional[dict[str, Any]] = None) -> bool:
        """Whether the current user may take ``action`` on ``target`` (:func:`gridwatch.domain.policy.may`;
        nobody edits a shared project's snapshot)."""
        return self.session.may(action, target)

    def refusal(self, action: Action | str, target: Optional[dict[str, Any]] = None) -> str:
        """Why the current user may not take ``action`` (translated, for a tooltip); '' if they may."""
        if self.actor is None and not self.read_only:
            return self.tr("Choose who you are first (Settings > Current user).")
        why = self.session.why_not(action, target)
        return "" if why is None else message_text(why, i18n.current())

    def finding_actions(self, status: str, finding: Optional[dict[str, Any]] = None) -> list[str]:
        """Loop actions the current user may take on a finding in ``status``."""
        if self.actor is None or self.read_only:
            return []
        target = dict(finding or {}, status=status)  # with cell_inspector_uuid (queries.finding_row)
        return [a for a in allowed_actions("finding", status)
                if policy.may(self.actor, FINDING_STEP_ACTIONS[a], target)]

    def task_actions(self, task: dict[str, Any]) -> list[str]:
        """Steps the current user may take on ``task``."""
        if self.actor is None or self.read_only:
            return []
        return [a for a in allowed_actions("assignment", task["status"])
                if policy.may(self.actor, TASK_STEP_ACTIONS[a], task)]

    # --- running edits -----------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def run(self, fn: Callable[..., Edit], *args: Any, **kwargs: Any) -> None:
        """Run ``fn(path, actor, *args, **kwargs)`` on the worker; then push it on the undo stack."""
        if self.path is None or self.actor is None:
            self.failed.emit(self.tr("Choose who you are first (Settings > Current user)."))
            return
        session = self.session
        job = Job(lambda progress, cancel: session.execute(fn, *args, **kwargs), "edit", executor=_EDIT_POOL)
        job.succeeded.connect(self._on_done)
        job.failed.connect(self._on_failed)
        self._jobs.append(job)
        self.busyChanged.emit(True)
        job.start()

    def _finish(self, job: Any) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        self.busyChanged.emit(self.busy)

    def _on_done(self, job: Job, edit: Edit) -> None:
        self._finish(job)
        self.undo_stack.push(_EditCommand(self, edit))
        self.session.record(edit)  # people re-read if touched, then ``changed``
        if edit.warnings:
            self.warned.emit(list(edit.warnings))
        if self.live_editable:
            self.liveSynced.emit()

    def _on_failed(self, job: Job, message: str, kind: str) -> None:
        self._finish(job)
        self.failed.emit(message)
        if self.live_editable and str(getattr(job.error, "key", None) or "").startswith("live."):
            self.liveSynced.emit()  # taken out again: the server's state is shown

    def _replay(self, undoing: bool, command: _EditCommand) -> None:
        assert self.path is not None and self.actor is not None
        try:
            # the edit as written: an undo's inverse, so listeners see the restored values as 'after'
            if undoing:
                self.session.undo_edit(command.edit)
            else:
                self.session.redo_edit(command.edit)
        except GridWatchError as exc:
            # The rows moved on (another edit or a sync): this history can no longer be replayed.
            self.failed.emit(self.tr("Cannot undo or redo: %s") % message_text(exc, i18n.current()))
            QTimer.singleShot(0, self.undo_stack.clear)


def error_label(name: str) -> QLabel:
    """The hidden red label, named ``name``, in which a dialog shows why an edit was refused."""
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet("color: #c62828;")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.hide()
    return label


class PendingEdit(QObject):
    """The edit a dialog made through the controller: the dialog stays open until *this* edit is applied.

    :meth:`start` listens to the controller; call it before ``controller.run``, which may refuse at
    once.  The first applied edit that ``matches`` ends the wait and goes to ``on_applied`` (by
    default the dialog closes).  A refusal ends it too: the message is shown in ``error``, then
    ``on_refused`` runs (it enables OK again).  Closing the dialog ends the wait.
    """

    def __init__(self, controller: Any, dialog: QDialog, matches: Callable[[Edit], bool], error: QLabel,
                 on_refused: Callable[[], None], on_applied: Optional[Callable[[Edit], None]] = None) -> None:
        super().__init__(dialog)
        self.controller = controller
        self.active = False
        self._matches = matches
        self._error = error
        self._on_refused = on_refused
        self._on_applied = on_applied or (lambda _edit: QDialog.accept(dialog))  # not the dialog's own accept (OK)
        dialog.finished.connect(self.stop)

    def start(self) -> None:
        if not self.active:
            self.controller.changed.connect(self._changed)
            self.controller.failed.connect(self._failed)
        self.active = True

    def stop(self) -> None:
        if self.active:
            self.controller.changed.disconnect(self._changed)
            self.controller.failed.disconnect(self._failed)
        self.active = False

    def awaits(self, edit: Edit) -> bool:
        """Whether ``edit`` is the one waited for."""
        return self.active and self._matches(edit)

    def _changed(self, edit: Edit) -> None:
        if self.awaits(edit):
            self.stop()
            self._on_applied(edit)

    def _failed(self, message: str) -> None:
        if not self.active:
            return
        self.stop()
        self._error.setText(message)
        self._error.show()
        self._on_refused()
