"""Who the syncing user is and whether their role may make a change (edits refused stay on the
laptop)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, Optional

from ..errors import SyncError
from ..storage.gpkg import quote_ident, sqlite_tables
from .changes import Change
from .rows import _columns, _row


def _person(path: Path, name: str) -> dict[str, Any]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        row = con.execute("SELECT uuid, name, role FROM inspector WHERE name = ? AND (active IS NULL OR active = 1)",
                          (name,)).fetchone()
        if row is None:
            raise SyncError(f"{path}: nobody called {name!r} is an active person of this project")
        cells = {r[0] for r in con.execute("SELECT code FROM grid_cell WHERE inspector_uuid = ?", (row[0],))}
    return {"uuid": row[0], "name": row[1], "role": row[2], "cells": cells}


#: Tables nobody but an administrator changes: the grid of responsibility and its people.
ADMIN_TABLES = {"township", "village", "grid_cell", "inspector"}


#: What an inspector may change in a task they were assigned.
INSPECTOR_TASK_COLUMNS = {"status", "started_at", "finished_at", "updated_at", "result", "status_note"}


#: Finding columns a verification (by another inspector) touches.
VERIFY_COLUMNS = {"status", "verify_note", "verified_by", "verified_at", "reject_reason", "reject_count", "updated_at"}


def refusal(change: Change, person: dict[str, Any], base: sqlite3.Connection, ours: sqlite3.Connection) -> str:
    """Why ``person`` may not make ``change`` ('' if they may)."""
    role, t = person["role"], change.table
    if role == "admin":
        return ""
    if t in ("sync_conflict", "sync_log") and change.kind != "insert":
        return "" if role == "supervisor" and t == "sync_conflict" else f"only a supervisor reviews {t}"
    if t in ADMIN_TABLES:
        return f"only an administrator may change {t}"
    if role == "supervisor":
        return ""
    # inspectors
    # ownership is judged on the row as it was (an edit may not move a row into the user's cells)
    row = (_row(base, t, change.fid) if change.kind != "insert" else _row(ours, t, change.fid)) or {}
    cells = person["cells"]
    if t == "audit_log":
        return "" if change.kind == "insert" else "the audit log cannot be changed"
    if t == "assignment":
        if change.kind != "update" or row.get("assignee_uuid") != person["uuid"]:
            return "inspectors only work on tasks assigned to them"
        extra = set(change.values) - INSPECTOR_TASK_COLUMNS
        return "" if not extra else f"inspectors may not change {', '.join(sorted(extra))} of a task"
    if t == "inspection":
        return "" if row.get("inspector_uuid") == person["uuid"] or row.get("cell_code") in cells else \
            "inspections are recorded by their inspector"
    if t == "finding":
        if row.get("cell_code") in cells or row.get("found_by") == person["uuid"]:
            return ""
        if change.kind == "update" and set(change.values) <= VERIFY_COLUMNS:
            return ""  # another inspector's verification
        return f"finding in cell {row.get('cell_code')}, not one of {person['name']}'s cells"
    if t == "attachment":
        if row.get("added_by") == person["uuid"]:
            return ""
        return "photos are changed only by whoever added them"
    if t == "fire_point":
        if change.kind == "update" and set(change.values) <= {"status", "check_uuid"} and row.get("cell_code") in cells:
            return ""
        return "inspectors only record check results of fire points in their cells"
    if t == "sync_conflict":
        return "conflicts are recorded by the sync itself"
    if t == "sync_log":
        return ""
    return f"inspectors may not change {t}"


def _revert(ours: sqlite3.Connection, base: sqlite3.Connection, change: Change) -> None:
    """Undo one change in ``ours`` (a copy): back to the base row."""
    tables = sqlite_tables(ours)
    qt = quote_ident(change.table, tables)
    if change.kind == "insert":
        ours.execute("DELETE FROM " + qt + " WHERE fid = ?", (change.fid,))
        return
    row = _row(base, change.table, change.fid)
    if row is None:
        return
    cols = _columns(ours, change.table)
    if change.kind == "update":
        names = [k for k in change.values if k in cols and k != "fid"]
        ours.execute("UPDATE " + qt + " SET " + ", ".join(quote_ident(k, cols) + " = ?" for k in names)
                     + " WHERE fid = ?", [row[k] for k in names] + [change.fid])
    else:
        names = [k for k in row if k in cols]
        ours.execute("INSERT INTO " + qt + " (" + ", ".join(quote_ident(k, cols) for k in names) + ") VALUES ("
                     + ", ".join("?" for _ in names) + ")", [row[k] for k in names])


def _scope(dirty: Optional[set[str]], person: dict[str, Any]) -> Optional[set[str]]:
    """The tables to compare: those the laptop's triggers marked (None: all).  Like the base, the
    tracking table lives on the laptop: role checks at sync stop mistakes, stale windows and scripts
    going through the API, not someone editing the files of their own laptop by hand (that takes a
    server, which GridWatch does without); comparing every table for inspectors would cost a full
    diff of a million fire points per sync and protect nothing the base does not already expose."""
    if dirty is not None and person["role"] != "admin":
        return dirty | ADMIN_TABLES  # grid and people: compared for everyone but administrators
    return dirty
