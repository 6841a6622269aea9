"""The session: which project is open, who is working, what they did (undo/redo), and change events.

The CLI makes one per command; the UI keeps one for the window and bridges its events to Qt
signals (panels refresh from them instead of reopening the project).  Workflow edits are applied
by :meth:`Session.execute` (on any thread) and recorded by :meth:`Session.record` (where the
listeners live); :meth:`Session.run` does both.  No Qt.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..domain import policy
from ..domain.policy import Action, Actor, Refusal
from ..errors import RefusedByRole
from ..storage import queries
from ..storage.edits import Edit
from ..storage.gpkg import SHARED_READ_ONLY, is_shared_snapshot
from ..storage.workflow import find_actor, redo, undo
from .events import Event
from .liveview import LIVE_READ_ONLY, live_edit, live_info

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

EditFunction = Callable[..., Edit]


class Session:
    """One project, one person at the keyboard, their edits, and who listens."""

    def __init__(self, path: Optional[os.PathLike[str] | str] = None, user: str = "") -> None:
        self.path: Optional[Path] = None
        self.actor: Optional[Actor] = None
        #: A shared project's snapshot (the shared folder's copy laptops sync with): only read.
        self.read_only = False
        #: A live view of a server district (:mod:`gridwatch.app.liveview`), refreshed from the server.
        self.live = False
        #: A supervisor's live view: each edit goes to the server at once (else a live view is only read).
        self.live_editable = False
        self._people: Optional[pd.DataFrame] = None  # nobody until a project is open (see ``people``)
        self.undo_stack: list[Edit] = []
        self.redo_stack: list[Edit] = []
        #: An edit was applied, undone or redone (its rows, as written).
        self.changed: Event[Edit] = Event()
        #: The person at the keyboard changed (or their role did).
        self.user_changed: Event[Optional[Actor]] = Event()
        #: Another project was opened, or the open one was replaced as a whole (import, sync).
        self.project_changed: Event[Optional[Path]] = Event()
        if path is not None:
            self.open(path, user)

    @property
    def people(self) -> pd.DataFrame:
        """The open project's people (uuid, name, role, active, ...); none before a project is open (the frame
        is made when first asked for: the app's window opens without importing pandas)."""
        if self._people is None:
            self._people = pd.DataFrame(columns=["uuid", "name", "role", "active"])
        return self._people

    @people.setter
    def people(self, frame: pd.DataFrame) -> None:
        self._people = frame

    # --- project and person -----------------------------------------------------------------------
    def open(self, path: Optional[os.PathLike[str] | str], user: str = "", user_uuid: str = "") -> None:
        """Open ``path`` (None: close) as ``user`` (a name of its people table, or nobody); ``user_uuid``
        tells apart people of the same name (张伟 and 张伟)."""
        self.path = Path(path) if path is not None else None
        info = live_info(self.path) if self.path is not None else None
        self.live = info is not None
        self.live_editable = bool(info and info.get("editable"))
        self.read_only = self.path is not None and (is_shared_snapshot(self.path) or
                                                    (self.live and not self.live_editable))
        if self.live_editable and info is not None:  # the person behind the server login, whoever the settings name
            user, user_uuid = str(info.get("user") or ""), str(info.get("user_uuid") or "")
        self.undo_stack.clear()
        self.redo_stack.clear()
        self.people = queries.people(self.path) if self.path is not None else self.people.iloc[0:0]
        self.actor = self._person(user, user_uuid)
        self.project_changed.emit(self.path)
        self.user_changed.emit(self.actor)

    def reload(self) -> None:
        """The project file changed as a whole (an import, a sync): read people again, keep the user."""
        if self.path is None:
            return
        name, uuid = (self.actor.name, self.actor.uuid) if self.actor else ("", "")
        self.people = queries.people(self.path)
        before, self.actor = self.actor, self._person(name, uuid)
        self.project_changed.emit(self.path)
        if before != self.actor:
            self.user_changed.emit(self.actor)

    def _person(self, name: str, uuid: str = "") -> Optional[Actor]:
        """The active person with ``uuid`` if there is one, else the first active one called ``name``."""
        if not (name or uuid) or not len(self.people):
            return None
        active = self.people[self.people["active"].fillna(1) != 0]
        rows = active[active["uuid"] == uuid] if uuid else active.iloc[0:0]
        if not len(rows) and name:
            rows = active[active["name"] == name]
        return _actor(rows.iloc[0]) if len(rows) else None

    def set_user(self, name: str, uuid: str = "") -> Optional[Actor]:
        """Make ``name`` (``uuid``: which of several of that name) the person at the keyboard.  Edits
        belong to who made them, so another person starts with an empty history; the same person
        chosen again keeps theirs."""
        actor = self._person(name, uuid)
        if actor is not None and actor == self.actor:
            return actor
        if self.live_editable:  # the server judges the login's person: nobody else works in this view
            return self.actor
        self.undo_stack.clear()
        self.redo_stack.clear()
        self.actor = actor
        self.user_changed.emit(self.actor)
        return self.actor

    def find_person(self, name: str) -> Actor:
        """The active person called ``name`` (NotFound otherwise)."""
        if self.path is None:
            raise RefusedByRole("no project is open")
        return find_actor(self.path, name)

    def people_changed(self) -> None:
        """People (or who holds which cells) were edited: read them again; the user stays (even renamed)."""
        if self.path is None:
            return
        before = self.actor
        self.people = queries.people(self.path)
        if before is not None:
            row = self.people[self.people["uuid"] == before.uuid]
            active = len(row) and (row["active"].fillna(1).iloc[0] != 0)
            self.actor = _actor(row.iloc[0]) if active else None
        if self.actor != before:
            self.user_changed.emit(self.actor)

    # --- the policy, for the person at the keyboard -----------------------------------------------------
    def may(self, action: Action | str, target: Optional[dict[str, Any]] = None) -> bool:
        return not self.read_only and self.actor is not None and policy.may(self.actor, action, target)

    def why_not(self, action: Action | str, target: Optional[dict[str, Any]] = None) -> Optional[Refusal]:
        if self.live and self.read_only:
            return Refusal("not_allowed", LIVE_READ_ONLY.format(path=self.path), "project.live_read_only")
        if self.read_only:
            return Refusal("not_allowed", SHARED_READ_ONLY.format(path=self.path), "project.shared_read_only")
        return policy.why_not(self.actor, action, target)

    # --- edits ------------------------------------------------------------------------------------
    def execute(self, fn: EditFunction, *args: Any, **kwargs: Any) -> Edit:
        """Apply ``fn(path, actor, *args, **kwargs)`` (a storage.workflow function); not yet recorded."""
        if self.path is None or self.actor is None:
            raise RefusedByRole("choose who you are first (the current user)", key="actor.missing")
        if self.live and self.read_only:  # nobody writes a read-only live view, whatever door they come by
            raise RefusedByRole(LIVE_READ_ONLY.format(path=self.path), key="project.live_read_only")
        if self.live_editable:  # sent to the server at once; refused there: taken out again (SyncError)
            return live_edit(self.path, self.actor, fn, *args, **kwargs)
        return fn(self.path, self.actor, *args, **kwargs)

    def record(self, edit: Edit) -> None:
        """An applied edit: onto the undo stack, and tell the listeners."""
        self.undo_stack.append(edit)
        self.redo_stack.clear()
        self._announce(edit)

    def run(self, fn: EditFunction, *args: Any, **kwargs: Any) -> Edit:
        """:meth:`execute` then :meth:`record`."""
        edit = self.execute(fn, *args, **kwargs)
        self.record(edit)
        return edit

    def undo_edit(self, edit: Edit) -> Edit:
        """Undo ``edit`` in the project (refused if its rows changed since); returns the rows as written."""
        applied = self.execute(undo, edit)
        self._announce(applied)
        return applied

    def redo_edit(self, edit: Edit) -> Edit:
        """Apply ``edit`` again after an undo."""
        applied = self.execute(redo, edit)
        self._announce(applied)
        return applied

    def undo(self) -> Optional[Edit]:
        """Undo the last edit (None if there is none)."""
        return self._replay(self.undo_stack, self.redo_stack, self.undo_edit)

    def redo(self) -> Optional[Edit]:
        """Redo the last undone edit (None if there is none)."""
        return self._replay(self.redo_stack, self.undo_stack, self.redo_edit)

    def _replay(self, source: list[Edit], target: list[Edit], apply: Callable[[Edit], Edit]) -> Optional[Edit]:
        """Apply the last edit of ``source`` (undo or redo) and move it to ``target`` once it is applied."""
        if not source:
            return None
        applied = apply(source[-1])
        target.append(source.pop())
        return applied

    def _announce(self, edit: Edit) -> None:
        if touches_people(edit):
            self.people_changed()
        self.changed.emit(edit)


def _actor(row: pd.Series) -> Actor:
    """The Actor of a people row (a chief's township comes with it: the policy keeps their work inside it)."""
    town = row.get("township_code")
    return Actor(str(row["uuid"]), str(row["name"]), str(row["role"]),
                 str(town) if isinstance(town, str) and town else None)


def touches_people(edit: Edit) -> bool:
    """Whether ``edit`` changed people or who holds which cells (the user's own row may be among them)."""
    return any(c.table == "inspector"
               or (c.table == "grid_cell" and "inspector_uuid" in (c.after or c.before or {}))
               for c in edit.changes)
