"""Writing a workflow edit: the acting person, one transaction with the rows and their audit rows, undo and redo."""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, Callable, Optional

from ..domain.policy import Actor
from ..errors import NotFound
from .edits import Edit, apply_edit, read_row
from .gpkg import connect_readonly, connect_readwrite, transaction
from .project import check_project


def find_actor(path: os.PathLike[str] | str, name: str) -> Actor:
    """The active person called ``name`` in the project's people table."""
    with closing(connect_readonly(path)) as con:
        row = con.execute("SELECT uuid, name, role, township_code FROM inspector WHERE name = ? "
                          "AND (active IS NULL OR active = 1)", (name,)).fetchone()
    if row is None:
        raise NotFound(f"{path}: nobody called {name!r} in the people table; ask an administrator to add them")
    return Actor(*row)


def _now(now: Optional[_dt.datetime]) -> _dt.datetime:
    t = now or _dt.datetime.now(_dt.timezone.utc)
    if t.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return t


def _write(path: os.PathLike[str] | str, actor: Actor, build: Callable[[sqlite3.Connection], Edit],
           now: Optional[_dt.datetime] = None) -> Edit:
    """Open the project, build the edit from its current rows and apply it, all in one transaction."""
    p = Path(path)
    check_project(p, thorough=False)
    with closing(connect_readwrite(p)) as con:
        # Random uuid keys touch pages all over their indexes: a 64 MB page cache keeps a bulk edit
        # (20,000 tasks) from re-reading them from disk.
        con.execute("PRAGMA cache_size = -65536")
        with transaction(con, p):
            edit = build(con)
            apply_edit(con, edit, actor.name, at=_now(now))
    return edit


def undo(path: os.PathLike[str] | str, actor: Actor, edit: Edit) -> Edit:
    """Undo ``edit`` (refused if a row it touched has changed since); returns the inverse edit."""
    inverse = edit.inverse()
    return _write(path, actor, lambda con: inverse)


def redo(path: os.PathLike[str] | str, actor: Actor, edit: Edit) -> Edit:
    """Apply ``edit`` again after an undo."""
    again = Edit("redo " + edit.action, edit.title, list(edit.changes), edit.details,
                 one_audit_row=edit.one_audit_row)
    return _write(path, actor, lambda con: again)


def _need(con: sqlite3.Connection, table: str, uuid: str, what: str) -> dict[str, Any]:
    row = read_row(con, table, uuid)
    if row is None:
        raise NotFound(f"no {what} {uuid} in the project")
    return row
