"""Workflow records in the project: assignments (and, later, inspections and findings).

Every write is one transaction that also writes its audit-log rows, and every write names the
acting person; what their role may not do is refused here, in the core, whatever the UI shows.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import uuid as _uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

import pandas as pd

from ..errors import InvalidTransition, StorageError
from .gpkg import connect_readonly, connect_readwrite, gpkg_datetime, transaction
from .project import check_project
from .schema import ASSIGNMENT_KINDS


@dataclass(frozen=True)
class Actor:
    """The person doing something: their inspector-table row."""

    uuid: str
    name: str
    role: str


def find_actor(path: os.PathLike[str] | str, name: str) -> Actor:
    """The active person called ``name`` in the project's people table."""
    with closing(connect_readonly(path)) as con:
        row = con.execute("SELECT uuid, name, role FROM inspector WHERE name = ? AND (active IS NULL OR active = 1)",
                          (name,)).fetchone()
    if row is None:
        raise StorageError(f"{path}: nobody called {name!r} in the people table; ask an administrator to add them")
    return Actor(*row)


def _require(actor: Actor, roles: Sequence[str], what: str) -> None:
    if actor.role not in roles:
        raise InvalidTransition(f"{actor.name} is {actor.role!s}; only a {' or '.join(roles)} may {what}")


def create_assignments(
    path: os.PathLike[str] | str,
    actor: Actor,
    cell_codes: Iterable[str],
    kind: str,
    *,
    due_at: Optional[_dt.datetime] = None,
    assignee_uuid: Optional[str] = None,
    priority: int = 2,
    notes: str = "",
    target_layer: Optional[str] = None,
    target_uuids: Optional[Sequence[Optional[str]]] = None,
    now: Optional[_dt.datetime] = None,
) -> list[str]:
    """Create one ``kind`` inspection per cell, for the cell's inspector unless ``assignee_uuid``.

    Hundreds of cells go in one transaction with one audit row each.  Returns the new uuids.

    Raises
    ------
    InvalidTransition
        The actor is not a supervisor or administrator.
    StorageError
        Unknown kind, cell codes or assignee; nothing is written.
    """
    _require(actor, ("supervisor", "admin"), "assign inspections")
    if kind not in ASSIGNMENT_KINDS:
        raise StorageError(f"unknown inspection kind {kind!r}; kinds: {', '.join(ASSIGNMENT_KINDS)}")
    codes = list(dict.fromkeys(cell_codes))
    if not codes:
        raise StorageError("no cells chosen: select cells on the map first")
    targets = list(target_uuids) if target_uuids is not None else [None] * len(codes)
    if len(targets) != len(codes):
        raise StorageError("one target per cell is needed")
    p = Path(path)
    check_project(p)
    stamp = gpkg_datetime(now or _dt.datetime.now(_dt.timezone.utc))
    due = gpkg_datetime(due_at) if due_at is not None else None
    with closing(connect_readwrite(p)) as con:
        placeholders = ",".join("?" for _ in codes)
        cells = dict(con.execute("SELECT code, inspector_uuid FROM grid_cell WHERE code IN (" + placeholders + ")",
                                 codes).fetchall()) if len(codes) <= 900 else _cells_by_chunks(con, codes)
        unknown = [c for c in codes if c not in cells]
        if unknown:
            raise StorageError(f"{p}: unknown cell code(s) {', '.join(unknown[:5])}"
                               + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""))
        people = dict(con.execute("SELECT uuid, role FROM inspector").fetchall())
        if assignee_uuid is not None and assignee_uuid not in people:
            raise StorageError(f"{p}: no person with uuid {assignee_uuid}")
        rows, audit, out = [], [], []
        for code, target in zip(codes, targets):
            who = assignee_uuid or cells[code]
            if who is None:
                raise StorageError(f"{p}: cell {code} has no inspector; choose an assignee")
            uid = str(_uuid.uuid4())
            out.append(uid)
            values = {"uuid": uid, "kind": kind, "cell_code": code, "target_layer": target_layer,
                      "target_uuid": target, "assignee_uuid": who, "due_at": due, "priority": priority,
                      "notes": notes, "status": "assigned", "created_by": actor.uuid, "created_at": stamp,
                      "updated_at": stamp}
            rows.append(tuple(values.values()))
            audit.append((str(_uuid.uuid4()), stamp, actor.name, "create", "assignment", uid, None,
                          json.dumps(values, ensure_ascii=False), None))
        with transaction(con):
            con.executemany(
                "INSERT INTO assignment (uuid, kind, cell_code, target_layer, target_uuid, assignee_uuid, due_at, "
                "priority, notes, status, created_by, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            con.executemany(
                "INSERT INTO audit_log (uuid, at, user_name, action, table_name, row_uuid, old_values, new_values, "
                "details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", audit)
    return out


def _cells_by_chunks(con, codes: list[str]) -> dict[str, Optional[str]]:  # type: ignore[no-untyped-def]
    out: dict[str, Optional[str]] = {}
    for i in range(0, len(codes), 900):  # SQLite's default limit on bound parameters
        chunk = codes[i:i + 900]
        out.update(con.execute("SELECT code, inspector_uuid FROM grid_cell WHERE code IN ("
                               + ",".join("?" for _ in chunk) + ")", chunk).fetchall())
    return out


def fire_check_groups(fires: pd.DataFrame) -> pd.DataFrame:
    """Unverified fire points grouped one per cell per Beijing-time day.

    ``fires`` has columns uuid, cell_code, detected_local (ISO text with +08:00) and status.
    Returns one row per (cell_code, day) with the list of fire-point uuids and the first detection.
    """
    todo = fires[(fires["status"] == "unverified") & fires["cell_code"].notna()].copy()
    todo["day"] = todo["detected_local"].astype(str).str[:10]
    grouped = todo.sort_values("detected_local").groupby(["cell_code", "day"], sort=True)
    return grouped.agg(fire_uuids=("uuid", list), first_detected=("detected_local", "first"),
                       count=("uuid", "size")).reset_index()
