"""People and who holds which cells (administrators)."""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import uuid as _uuid
from typing import Optional, Sequence

from ..domain.policy import Action, Actor, require
from ..domain.vocabulary import ROLES
from ..errors import InvalidTransition, StorageError, ValidationError
from .edits import Edit, RowChange
from .writes import _need, _write


def _cells(con: sqlite3.Connection, codes: list[str]) -> dict[str, Optional[str]]:
    out: dict[str, Optional[str]] = {}
    for i in range(0, len(codes), 900):  # SQLite's default limit on bound parameters
        chunk = codes[i:i + 900]
        out.update(con.execute("SELECT code, inspector_uuid FROM grid_cell WHERE code IN ("
                               + ",".join("?" for _ in chunk) + ")", chunk).fetchall())
    return out


def save_person(
    path: os.PathLike[str] | str,
    actor: Actor,
    *,
    name: str,
    role: str,
    phone: str = "",
    township_code: Optional[str] = None,
    village_code: Optional[str] = None,
    active: bool = True,
    person_uuid: Optional[str] = None,
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """Add a person (``person_uuid`` None) or change one; administrators only.

    Names must be unique among active people (they are how a laptop names its user).  People are
    deactivated, never deleted, so the history keeps naming them.  A township grid chief needs
    their township; a grid inspector's village (``village_code``) says where they work (its township
    follows from the code; None leaves a person's village as it is, "" clears it).
    """
    require(actor, Action.MANAGE_PEOPLE)
    name = name.strip()
    if not name:
        raise ValidationError("a person needs a name")
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    if village_code and not township_code:
        township_code = village_code[:9]
    if role == "chief" and not township_code:
        raise ValidationError(f"{name} is a township grid chief: choose their township")

    def build(con: sqlite3.Connection) -> Edit:
        clash = con.execute("SELECT uuid FROM inspector WHERE name = ? AND (active IS NULL OR active = 1) "
                            "AND uuid IS NOT ?", (name, person_uuid)).fetchone()
        if clash and active:
            raise ValidationError(f"someone called {name} is already active; add a distinguishing mark")
        if township_code and con.execute("SELECT 1 FROM township WHERE code = ?", (township_code,)).fetchone() is None:
            raise ValidationError(f"unknown township code {township_code}")
        if village_code and con.execute("SELECT 1 FROM village WHERE code = ? AND township_code = ?",
                                        (village_code, township_code)).fetchone() is None:
            raise ValidationError(f"unknown village code {village_code} in township {township_code}")
        values = {"name": name, "role": role, "phone": phone.strip() or None, "township_code": township_code or None,
                  "active": 1 if active else 0}
        if village_code is not None and _has_column(con, "inspector", "village_code"):
            values["village_code"] = village_code or None  # None keeps the village; "" clears it
        if person_uuid is None:
            uid = str(_uuid.uuid4())
            return Edit("create", f"添加人员 {name}", [RowChange("inspector", uid, None, {"uuid": uid, **values})])
        before = _need(con, "inspector", person_uuid, "person")
        if before["uuid"] == actor.uuid and (role != "admin" or not active):
            raise InvalidTransition("administrators cannot remove their own administrator role; ask another one")
        if not active and before.get("active", 1):
            cells = con.execute("SELECT COUNT(*) FROM grid_cell WHERE inspector_uuid = ?", (person_uuid,)).fetchone()[0]
            if cells:
                raise ValidationError(f"{before['name']} is the inspector of {cells} cells; give the cells to someone "
                                      "else first")
        change = RowChange("inspector", person_uuid, before, dict(before, **values))
        if not change.changed_columns():
            raise ValidationError("nothing changed")
        return Edit("edit", f"修改人员 {name}", [change])

    return _write(path, actor, build, now)


def _has_column(con: sqlite3.Connection, table: str, column: str) -> bool:
    return any(r[1] == column for r in con.execute("SELECT * FROM pragma_table_info(?)", (table,)))


def set_cell_inspector(
    path: os.PathLike[str] | str,
    actor: Actor,
    cell_codes: Sequence[str],
    inspector_uuid: str,
    *,
    now: Optional[_dt.datetime] = None,
) -> Edit:
    """Make ``inspector_uuid`` the inspector of these cells (administrators: the grid is theirs).

    Open tasks keep their assignee; new tasks go to the new inspector.
    """
    require(actor, Action.SET_CELL_INSPECTOR)
    codes = list(dict.fromkeys(cell_codes))
    if not codes:
        raise ValidationError("no cells chosen: select cells on the map first")

    def build(con: sqlite3.Connection) -> Edit:
        person = _need(con, "inspector", inspector_uuid, "person")
        if person["role"] != "inspector" or person.get("active") == 0:
            raise ValidationError(f"{person['name']} is not an active inspector")
        cells = _cells(con, codes)
        unknown = [c for c in codes if c not in cells]
        if unknown:
            raise StorageError(f"unknown cell code(s) {', '.join(unknown[:5])}")
        changes = []
        for code in codes:
            uid = con.execute("SELECT uuid FROM grid_cell WHERE code = ?", (code,)).fetchone()[0]
            if cells[code] != inspector_uuid:
                changes.append(RowChange("grid_cell", uid, {"inspector_uuid": cells[code]},
                                         {"inspector_uuid": inspector_uuid}))
        if not changes:
            raise ValidationError(f"{person['name']} is already the inspector of these cells")
        return Edit("edit", f"网格员调整 {len(changes)} 个网格", changes)

    return _write(path, actor, build, now)
