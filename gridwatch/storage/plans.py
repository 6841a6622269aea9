"""The work plans' records (issue 17): settings, veto items (一票否决), heavy-pollution warnings and
their site checks, construction-site downgrades.

Every write names the acting person, is refused here (in the core) when their role may not, and is
one transaction with its audit rows; veto items, warnings and downgrades are undoable
:class:`~gridwatch.storage.edits.Edit` s.  Settings live in ``gridwatch_meta`` (``setting.<key>``).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import uuid as _uuid
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ..domain.plans import META_PREFIX, meta_value, settings_from_meta
from ..domain.policy import Action, Actor, require
from ..domain.seasonal import SeasonPlan, season_plan
from ..domain.vocabulary import DUST_GRADES, VETO_ITEMS, WARNING_LEVELS
from ..errors import NotFound, StorageError, ValidationError
from ..times import BEIJING
from .edits import Edit, RowChange, read_row
from .gpkg import connect_readonly, connect_readwrite, gpkg_datetime, sqlite_tables, transaction
from .project import check_project
from .schema import META_TABLE
from .targets import cells_for_features
from .writes import _now, _write

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

# --- settings -----------------------------------------------------------------------------------


def read_settings(path: os.PathLike[str] | str) -> dict[str, Any]:
    """Every setting of the project (its own values, else the plans' defaults)."""
    with closing(connect_readonly(path)) as con:
        rows = con.execute("SELECT key, value FROM gridwatch_meta WHERE key LIKE ?", (META_PREFIX + "%",)).fetchall()
    return settings_from_meta(dict(rows))


def set_settings(path: os.PathLike[str] | str, actor: Actor, values: dict[str, Any],
                 now: Optional[_dt.datetime] = None) -> dict[str, Any]:
    """Store ``values`` (setting key -> value) in one transaction with one audit row each.

    Raises
    ------
    RefusedByRole
        Not a supervisor or administrator.
    ValidationError
        An unknown key or a value the setting does not take; nothing is written.
    """
    require(actor, Action.EDIT_SETTINGS)
    rows = [meta_value(k, v) for k, v in values.items()]
    if not rows:
        raise ValidationError("no setting given: write KEY=VALUE")
    p = Path(path)
    check_project(p)
    stamp = gpkg_datetime(_now(now))
    with closing(connect_readwrite(p)) as con, transaction(con, p):
        for key, text in rows:
            old = con.execute("SELECT value FROM gridwatch_meta WHERE key = ?", (key,)).fetchone()
            if old is None:
                con.execute("INSERT INTO gridwatch_meta (key, value) VALUES (?, ?)", (key, text))
            else:
                con.execute("UPDATE gridwatch_meta SET value = ? WHERE key = ?", (text, key))
            con.execute("INSERT INTO audit_log (uuid, at, user_name, action, table_name, row_uuid, old_values, "
                        "new_values, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (str(_uuid.uuid4()), stamp, actor.name, "set_setting", META_TABLE, key,
                         json.dumps({"value": old[0] if old else None}, ensure_ascii=False),
                         json.dumps({"value": text}, ensure_ascii=False), None))
    return read_settings(p)


def season_plan_of(path: os.PathLike[str] | str, day: _dt.date) -> SeasonPlan:
    """What the project's seasonal calendar sets on ``day`` (patrol intervals, default task kinds)."""
    return season_plan(read_settings(path), day)


def default_task_kind(path: os.PathLike[str] | str, day: _dt.date, target_layer: Optional[str] = None) -> str:
    """The kind a new task gets unless one is chosen: a target layer's own kind (a construction site:
    its dust check ...), else the first task kind the calendar offers in the season of ``day``."""
    from .targets import TARGET_LAYERS

    return TARGET_LAYERS.get(target_layer or "") or season_plan_of(path, day).default_kind


# --- veto items -----------------------------------------------------------------------------------


def _township(con: sqlite3.Connection, code_or_name: str) -> tuple[str, str]:
    rows = con.execute("SELECT code, name FROM township WHERE code = ? OR name = ?",
                       (code_or_name, code_or_name)).fetchall()
    if len(rows) != 1:
        raise NotFound(f"no township with code or name {code_or_name!r}" if not rows else
                       f"{len(rows)} townships are called {code_or_name!r}; give the code")
    return rows[0][0], rows[0][1]


def set_veto(path: os.PathLike[str] | str, actor: Actor, township: str, item: str, occurred_on: _dt.date,
             reason: str, now: Optional[_dt.datetime] = None) -> Edit:
    """Record a veto item (一票否决) against ``township`` (code or name) on ``occurred_on``: every
    assessment period containing that day puts the township last.  ``reason`` is required."""
    require(actor, Action.SET_VETO)
    if item not in VETO_ITEMS:
        raise ValidationError(f"unknown veto item {item!r}; items: {', '.join(VETO_ITEMS)}")
    if not str(reason or "").strip():
        raise ValidationError("a veto item needs a reason (what happened, the evidence)", key="veto.reason")
    t = _now(now)

    def build(con: sqlite3.Connection) -> Edit:
        code, name = _township(con, township)
        row = {"uuid": str(_uuid.uuid4()), "township_code": code, "item": item,
               "occurred_on": occurred_on.isoformat(), "reason": str(reason).strip(), "set_by": actor.uuid,
               "set_at": gpkg_datetime(t)}
        return Edit("set_veto", f"一票否决 {name}", [RowChange("assessment_veto", row["uuid"], None, row)],
                    details=str(reason).strip())

    return _write(path, actor, build, t)


def lift_veto(path: os.PathLike[str] | str, actor: Actor, veto_uuid: str, reason: str,
              now: Optional[_dt.datetime] = None) -> Edit:
    """Lift a veto item (the row is removed; its values and ``reason`` stay in the audit log)."""
    require(actor, Action.SET_VETO)
    if not str(reason or "").strip():
        raise ValidationError("lifting a veto item needs a reason", key="veto.lift_reason")

    def build(con: sqlite3.Connection) -> Edit:
        row = read_row(con, "assessment_veto", veto_uuid)
        if row is None:
            raise NotFound(f"no veto item {veto_uuid}")
        return Edit("lift_veto", "撤销一票否决", [RowChange("assessment_veto", veto_uuid, row, None)],
                    details=str(reason).strip())

    return _write(path, actor, build, now)


def vetoes(path: os.PathLike[str] | str) -> pd.DataFrame:
    """Every veto item (an older project without the table: none)."""
    cols = ["uuid", "township_code", "item", "occurred_on", "reason", "set_by", "set_at"]
    with closing(connect_readonly(path)) as con:
        if "assessment_veto" not in sqlite_tables(con):
            return pd.DataFrame(columns=cols)
        cur = con.execute("SELECT " + ", ".join(cols) + " FROM assessment_veto ORDER BY occurred_on, township_code")
        return pd.DataFrame(cur.fetchall(), columns=cols, dtype=object)


# --- heavy-pollution warnings ---------------------------------------------------------------------


def active_sites(con: sqlite3.Connection, day: _dt.date) -> list[tuple[str, str]]:
    """``(uuid, name)`` of the construction sites under way on ``day`` (started, not finished)."""
    d = day.isoformat()
    return [(r[0], r[1]) for r in con.execute(
        "SELECT uuid, name FROM construction_site WHERE (start_date IS NULL OR start_date <= ?) "
        "AND (end_date IS NULL OR end_date >= ?) ORDER BY name", (d, d))]


def stops_earthwork(level: str, stop_level: str = "orange") -> bool:
    """Whether a warning of ``level`` stops earthwork (from ``stop_level`` up: orange and red by default)."""
    return WARNING_LEVELS.index(level) >= WARNING_LEVELS.index(stop_level)


def declare_warning(path: os.PathLike[str] | str, actor: Actor, level: str, starts_at: _dt.datetime,
                    ends_at: _dt.datetime, *, note: str = "", now: Optional[_dt.datetime] = None) -> Edit:
    """Declare a heavy-pollution warning; from the earthwork level up (orange, by default) one
    construction-dust check per site under way on the first day, in the site's cell, for the
    cell's inspector, due 23:59 Beijing time that day, in the same transaction.

    Raises
    ------
    RefusedByRole
        Not a supervisor or administrator.
    ValidationError
        Unknown level, or the end is not after the start.
    """
    require(actor, Action.DECLARE_WARNING)
    if level not in WARNING_LEVELS:
        raise ValidationError(f"unknown warning level {level!r}; levels: {', '.join(WARNING_LEVELS)}")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("warning times must be timezone-aware")
    if ends_at <= starts_at:
        raise ValidationError("the warning must end after it starts")
    t = _now(now)
    settings = read_settings(path)
    day = starts_at.astimezone(BEIJING).date()
    with closing(connect_readonly(path)) as con:
        sites = active_sites(con, day) if stops_earthwork(level, settings["earthwork_stop_level"]) else []
    placed = cells_for_features(path, "construction_site", [u for u, _ in sites]) if sites else []
    due = _dt.datetime.combine(day, _dt.time(23, 59), BEIJING)
    from ..domain.vocabulary import WARNING_LEVEL_TITLES

    words = WARNING_LEVEL_TITLES[level][0]
    task_note = f"{words}：停止工地土石方作业，当日检查" + (f"；{note}" if note else "")

    def build(con: sqlite3.Connection) -> Edit:
        from .workflow import _assignment_rows

        key = str(_uuid.uuid4())
        row = {"uuid": key, "level": level, "starts_at": gpkg_datetime(starts_at),
               "ends_at": gpkg_datetime(ends_at), "note": note or None, "declared_by": actor.uuid,
               "declared_at": gpkg_datetime(t)}
        changes = [RowChange("pollution_warning", key, None, row)]
        if placed:
            tasks = _assignment_rows(con, actor, [c for c, _ in placed], "construction_dust",
                                     due=gpkg_datetime(due), assignee_uuid=None, priority=1, notes=task_note,
                                     target_layer="construction_site", targets=[u for _, u in placed],
                                     stamp=gpkg_datetime(t))
            changes += [RowChange("assignment", r["uuid"], None, r) for r in tasks]
        return Edit("declare_warning", f"发布{words}（工地检查 {len(placed)} 个）", changes, details=note)

    return _write(path, actor, build, t)


def warnings(path: os.PathLike[str] | str) -> pd.DataFrame:
    """Every warning, latest first (an older project: none)."""
    cols = ["uuid", "level", "starts_at", "ends_at", "note", "declared_by", "declared_at"]
    with closing(connect_readonly(path)) as con:
        if "pollution_warning" not in sqlite_tables(con):
            return pd.DataFrame(columns=cols)
        cur = con.execute("SELECT " + ", ".join(cols) + " FROM pollution_warning ORDER BY starts_at DESC")
        return pd.DataFrame(cur.fetchall(), columns=cols, dtype=object)


def warning_in_force(path: os.PathLike[str] | str, now: Optional[_dt.datetime] = None) -> Optional[dict[str, Any]]:
    """The most severe warning in force at ``now`` (None: none)."""
    t = gpkg_datetime(_now(now))
    frame = warnings(path)
    live = frame[(frame["starts_at"] <= t) & (frame["ends_at"] > t)] if len(frame) else frame
    if not len(live):
        return None
    live = live.assign(rank=live["level"].map(WARNING_LEVELS.index)).sort_values("rank", ascending=False)
    return {k: v for k, v in live.iloc[0].to_dict().items() if k != "rank"}


def downgrade_site(path: os.PathLike[str] | str, actor: Actor, site_uuid: str, grade: str, reason: str,
                   now: Optional[_dt.datetime] = None) -> Edit:
    """Downgrade a construction site's dust grade (及时降级) with a reason (kept in the audit log)."""
    require(actor, Action.DOWNGRADE_SITE)
    if grade not in DUST_GRADES:
        raise ValidationError(f"unknown dust grade {grade!r}; grades: {', '.join(DUST_GRADES)}")
    if not str(reason or "").strip():
        raise ValidationError("a downgrade needs a reason (what the check found)")

    def build(con: sqlite3.Connection) -> Edit:
        row = read_row(con, "construction_site", site_uuid)
        if row is None:
            raise NotFound(f"no construction site {site_uuid}")
        old = str(row.get("dust_grade"))
        if old not in DUST_GRADES or DUST_GRADES.index(grade) <= DUST_GRADES.index(old):
            raise StorageError(f"construction site {row.get('name')} is grade {old}; a downgrade goes to a lower "
                               f"grade ({', '.join(DUST_GRADES[DUST_GRADES.index(old) + 1:]) or 'none left'})"
                               if old in DUST_GRADES else f"construction site {row.get('name')} has no grade")
        return Edit("downgrade_site", f"工地降级 {row.get('name')} {old}→{grade}",
                    [RowChange("construction_site", site_uuid, {"dust_grade": old}, {"dust_grade": grade})],
                    details=str(reason).strip())

    return _write(path, actor, build, now)


def warning_summary(path: os.PathLike[str] | str, warning_uuid: str,
                    end: Optional[str] = None) -> tuple[dict[str, Any], pd.DataFrame]:
    """The warning and, per construction site under way on its first day, whether it was checked
    while the warning was in force (a construction-dust task aimed at the site finished, or a
    construction-dust inspection in the site's cell) and the breaches found (construction-dust
    findings in the site's cell found meanwhile).  Columns: uuid, name, township_code, cell_code,
    checked, breaches.  ``end`` (stored time text): count up to then instead of the warning's end (a
    warning ended early)."""
    with closing(connect_readonly(path)) as con:
        row = read_row(con, "pollution_warning", warning_uuid) if "pollution_warning" in sqlite_tables(con) else None
        if row is None:
            raise NotFound(f"{path}: no heavy-pollution warning {warning_uuid}")
        start, end = str(row["starts_at"]), min(str(row["ends_at"]), end or str(row["ends_at"]))
        first = (pd.Timestamp(start).tz_convert(BEIJING) if pd.Timestamp(start).tzinfo else
                 pd.Timestamp(start).tz_localize("UTC").tz_convert(BEIJING)).date()
        sites = active_sites(con, first)
        if not sites:
            return row, pd.DataFrame(columns=["uuid", "name", "township_code", "cell_code", "checked", "breaches"])
        done_targets = {r[0] for r in con.execute(
            "SELECT target_uuid FROM assignment WHERE kind = 'construction_dust' AND status = 'done' "
            "AND finished_at >= ? AND finished_at < ?", (start, end))}
        inspected = {r[0] for r in con.execute(
            "SELECT cell_code FROM inspection WHERE kind = 'construction_dust' AND started_at >= ? "
            "AND started_at < ?", (start, end))}
        breaches: dict[str, int] = dict(con.execute(
            "SELECT cell_code, COUNT(*) FROM finding WHERE category = 'construction_dust' AND found_at >= ? "
            "AND found_at < ? GROUP BY cell_code", (start, end)).fetchall())
        towns = dict(con.execute("SELECT uuid, township_code FROM construction_site").fetchall())
    cells = dict((u, c) for c, u in cells_for_features(path, "construction_site", [u for u, _ in sites]))
    out = pd.DataFrame({"uuid": [u for u, _ in sites], "name": [n for _, n in sites]})
    out["township_code"] = out["uuid"].map(towns)
    out["cell_code"] = out["uuid"].map(cells)
    out["checked"] = [u in done_targets or cells.get(u) in inspected for u in out["uuid"]]
    out["breaches"] = [int(breaches.get(cells.get(u) or "", 0)) for u in out["uuid"]]
    return row, out
