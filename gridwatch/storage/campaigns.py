"""Campaigns (专项行动, issue 17): one action makes a campaign's tasks from its template (the cells
of the coal-ban zone every week for the winter, the fireworks-ban zone every three days through the
Spring Festival ban ...), and its progress round by round and by township.  The tasks name the
campaign as their target (``target_layer = "campaign"``).

Starting a campaign makes the tasks of the rounds begun so far (at least the first); each later round's
tasks are made when it begins, by the district office (on opening the project, after a sync, by
``gridwatch campaign advance`` or the campaign view's button): a winter's coal-ban campaign no longer
writes thirteen weeks of tasks (thousands) on its first day, lists show only the work at hand, and each
round covers the cells as they are when it begins."""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import uuid as _uuid
from contextlib import closing
from typing import TYPE_CHECKING, Any, Optional

from ..domain.campaigns import TEMPLATES, default_days, rounds
from ..domain.policy import Action, Actor, require
from ..domain.vocabulary import CAMPAIGN_TITLES, title
from ..errors import NotFound, ValidationError
from ..times import BEIJING
from .edits import Edit, RowChange
from .gpkg import blob_to_geometry, connect_readonly, gpkg_datetime, sqlite_tables
from .plans import active_sites, read_settings
from .targets import cells_for_features
from .writes import _now, _write

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: More tasks than this at once are refused (choose a township or a shorter period).
MAX_TASKS = 50_000


def campaign_cells(path: os.PathLike[str] | str, cells: str, first_day: _dt.date,
                   township_code: Optional[str] = None) -> list[str]:
    """Codes of the cells a campaign covers: those whose area meets a zone in force on ``first_day``
    (``coal_ban_zone`` / ``fireworks_ban_zone``), those holding a construction site under way
    (``active_sites``) or ``all``; within ``township_code`` when given."""
    import shapely

    with closing(connect_readonly(path)) as con:
        rows = con.execute("SELECT code, township_code, geom FROM grid_cell ORDER BY code").fetchall()
        if township_code:
            rows = [r for r in rows if r[1] == township_code]
        if cells == "all":
            return [r[0] for r in rows]
        if cells == "active_sites":
            sites = [u for u, _ in active_sites(con, first_day)]
        elif cells in ("coal_ban_zone", "fireworks_ban_zone"):
            table = "coal_ban_zone" if cells == "coal_ban_zone" else "fireworks_ban_zone"
            day = first_day.isoformat()
            zones = [blob_to_geometry(r[0]) for r in con.execute(
                "SELECT geom FROM " + table + " WHERE (in_force_from IS NULL OR in_force_from <= ?) "  # noqa: S608
                "AND (in_force_to IS NULL OR in_force_to >= ?)", (day, day))]
            zones = [z for z in zones if z is not None and not z.is_empty]
            if not zones:
                return []
            zone = shapely.union_all(zones)
            out = []
            for code, _, blob in rows:
                g = blob_to_geometry(blob)
                if g is not None and g.intersects(zone) and g.intersection(zone).area > 0:
                    out.append(code)
            return out
        else:
            raise ValidationError(f"unknown campaign cells {cells!r}")
    wanted = {r[0] for r in rows}
    return sorted({c for c, _ in cells_for_features(path, "construction_site", sites)} & wanted) if sites else []


#: Namespace of the campaign tasks' uuids: a round's task for a cell has the same uuid on every
#: laptop, so two office laptops that both create a round make the same rows and the sync, which
#: aligns rows by uuid, keeps one of each.
ROUND_NAMESPACE = _uuid.UUID("5d4c2f0e-7a61-4c1b-9a8e-3f1d2b6c9e17")


def round_task_uuid(campaign_uuid: str, round_no: int, cell_code: str) -> str:
    """The uuid of round ``round_no``'s task for ``cell_code`` of a campaign (the same everywhere)."""
    return str(_uuid.uuid5(ROUND_NAMESPACE, f"{campaign_uuid}/{round_no}/{cell_code}"))


def _round_due(end: _dt.date) -> str:
    return gpkg_datetime(_dt.datetime.combine(end, _dt.time(23, 59), BEIJING))


def _round_rows(con: sqlite3.Connection, actor: Actor, info: dict[str, Any], round_no: int, cells: list[str],
                end: _dt.date, stamp: str) -> list[RowChange]:
    from .workflow import _assignment_rows

    name = title(CAMPAIGN_TITLES, info["template"])
    tasks = _assignment_rows(con, actor, cells, info["kind"], due=_round_due(end), assignee_uuid=None, priority=2,
                             notes=f"【{name}】第 {round_no} 轮", target_layer="campaign",
                             targets=[info["uuid"]] * len(cells), stamp=stamp)
    for r in tasks:
        r["uuid"] = round_task_uuid(info["uuid"], round_no, r["cell_code"])
    return [RowChange("assignment", r["uuid"], None, r) for r in tasks]


def _rounds_begun(plan: list[tuple[_dt.date, _dt.date]], today: _dt.date) -> list[int]:
    """Numbers (from 1) of the rounds that have begun by ``today``; the first one always (a campaign
    starting later shows its first round's tasks at once)."""
    return [n for n, (a, _) in enumerate(plan, 1) if n == 1 or a <= today]


def start_campaign(path: os.PathLike[str] | str, actor: Actor, template: str, *,
                   first_day: Optional[_dt.date] = None, last_day: Optional[_dt.date] = None,
                   township_code: Optional[str] = None, now: Optional[_dt.datetime] = None) -> Edit:
    """Start a campaign: its row and the tasks of its rounds begun by today (at least the first; one
    per cell, for the cell's inspector, due 23:59 Beijing time on the round's last day), in one
    transaction.  Later rounds are made when they begin (:func:`advance_campaigns`).  Days default to
    the template's season (or the fireworks ban) from today; a township grid chief's campaign covers
    their township.

    Raises
    ------
    RefusedByRole
        The actor may not assign (or not in that township).
    ValidationError
        Unknown template, no cells, last day before the first, too many tasks in a round.
    """
    require(actor, Action.ASSIGN_TASKS)
    t = _now(now)
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ValidationError(f"unknown campaign {template!r}; campaigns: {', '.join(TEMPLATES)}")
    if actor.role == "chief" and township_code is None:
        township_code = actor.township_code
    settings = read_settings(path)
    today = t.astimezone(BEIJING).date()
    a, b = default_days(spec, today, settings["fireworks_days_before"], settings["fireworks_days_after"])
    first, last = first_day or a, last_day or b
    if last < first:
        raise ValidationError(f"the campaign's last day {last} is before its first day {first}")
    plan = rounds(first, last, spec.every_days)
    begun = _rounds_begun(plan, today)
    cells_of = {n: campaign_cells(path, spec.cells, plan[n - 1][0], township_code) for n in begun}
    if not cells_of[1]:
        raise ValidationError(f"{title(CAMPAIGN_TITLES, template)}: no cells to cover ({spec.cells})")
    total = sum(len(c) for c in cells_of.values())
    if total > MAX_TASKS:
        raise ValidationError(f"{len(begun)} rounds begun, {total:,} tasks, more than {MAX_TASKS:,} at once; choose a "
                              "township or a later first day")
    require(actor, Action.ASSIGN_TASKS, {"cell_codes": sorted({c for v in cells_of.values() for c in v})})
    name = f"{title(CAMPAIGN_TITLES, template)}（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）"

    def build(con: sqlite3.Connection) -> Edit:
        key = str(_uuid.uuid4())
        stamp = gpkg_datetime(t)
        row = {"uuid": key, "template": template, "title": name, "kind": spec.kind, "first_day": first.isoformat(),
               "last_day": last.isoformat(), "every_days": spec.every_days, "township_code": township_code,
               "created_by": actor.uuid, "created_at": stamp}
        changes = [RowChange("campaign", key, None, row)]
        for n in begun:
            changes += _round_rows(con, actor, row, n, cells_of[n], plan[n - 1][1], stamp)
        made = f"{name}：{len(plan)} 轮，已建 {len(begun)} 轮 {len(changes) - 1} 个任务"
        return Edit("start_campaign", made, changes)

    return _write(path, actor, build, t)


def advance_campaigns(path: os.PathLike[str] | str, actor: Actor, *, campaign_uuid: Optional[str] = None,
                      now: Optional[_dt.datetime] = None) -> Edit:
    """Create the tasks of every round that has begun by today and has none yet, of every campaign
    (or of ``campaign_uuid``), in one transaction.  Idempotent: a round with any task is made
    already; the tasks' uuids are the same on every laptop (:func:`round_task_uuid`).  The cells are
    taken on the round's first day (sites under way then, zones in force then).

    Raises
    ------
    RefusedByRole
        Not the district office (supervisors and administrators make the rounds).
    """
    require(actor, Action.CREATE_CAMPAIGN_ROUNDS)
    t = _now(now)
    today = t.astimezone(BEIJING).date()
    frame = campaigns(path)
    if campaign_uuid is not None:
        frame = frame[frame["uuid"] == campaign_uuid]
        if not len(frame):
            raise NotFound(f"{path}: no campaign {campaign_uuid}")
    with closing(connect_readonly(path)) as con:
        made = set(con.execute("SELECT target_uuid, due_at FROM assignment WHERE target_layer = 'campaign' "
                               "GROUP BY target_uuid, due_at").fetchall())
    todo: list[tuple[dict[str, Any], int, _dt.date, list[str]]] = []
    for info in frame.to_dict("records"):
        plan = rounds(_dt.date.fromisoformat(info["first_day"]), _dt.date.fromisoformat(info["last_day"]),
                      int(info["every_days"]))
        spec = TEMPLATES.get(str(info["template"]))
        if spec is None:
            continue
        for n in _rounds_begun(plan, today):
            if (info["uuid"], _round_due(plan[n - 1][1])) in made:
                continue
            cells = campaign_cells(path, spec.cells, plan[n - 1][0], info["township_code"] or None)
            if cells:
                todo.append((info, n, plan[n - 1][1], cells))

    def build(con: sqlite3.Connection) -> Edit:
        stamp = gpkg_datetime(t)
        changes: list[RowChange] = []
        for info, n, end, cells in todo:
            changes += _round_rows(con, actor, info, n, cells, end, stamp)
        rounds_text = "、".join(f"{title(CAMPAIGN_TITLES, i['template'])}第 {n} 轮" for i, n, _, _ in todo)
        return Edit("advance_campaigns", f"专项行动新一轮任务：{rounds_text or '无'}（{len(changes)} 个）", changes)

    if not todo:
        return Edit("advance_campaigns", "专项行动新一轮任务：无", [])
    return _write(path, actor, build, t)


def campaigns(path: os.PathLike[str] | str) -> pd.DataFrame:
    """Every campaign, latest first (an older project: none)."""
    cols = ["uuid", "template", "title", "kind", "first_day", "last_day", "every_days", "township_code",
            "created_by", "created_at"]
    with closing(connect_readonly(path)) as con:
        if "campaign" not in sqlite_tables(con):
            return pd.DataFrame(columns=cols)
        cur = con.execute("SELECT " + ", ".join(cols) + " FROM campaign ORDER BY created_at DESC")
        return pd.DataFrame(cur.fetchall(), columns=cols, dtype=object)


def campaign_progress(path: os.PathLike[str] | str, campaign_uuid: str,
                      now: Optional[_dt.datetime] = None) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """``(campaign, rounds, townships)``: per round and per township the tasks, done, open, overdue
    (open past their due time) and cancelled, and the share done (%)."""
    t = gpkg_datetime(_now(now))
    with closing(connect_readonly(path)) as con:
        row = con.execute("SELECT uuid, template, title, kind, first_day, last_day, every_days FROM campaign "
                          "WHERE uuid = ?", (campaign_uuid,)).fetchone() if "campaign" in sqlite_tables(con) else None
        if row is None:
            raise NotFound(f"{path}: no campaign {campaign_uuid}")
        cur = con.execute("SELECT a.cell_code, a.status, a.due_at, c.township_code, tw.name FROM assignment a "
                          "LEFT JOIN grid_cell c ON c.code = a.cell_code LEFT JOIN township tw ON "
                          "tw.code = c.township_code WHERE a.target_layer = 'campaign' AND a.target_uuid = ?",
                          (campaign_uuid,))
        tasks = pd.DataFrame(cur.fetchall(), columns=["cell_code", "status", "due_at", "township_code", "township"])
    info = dict(zip(["uuid", "template", "title", "kind", "first_day", "last_day", "every_days"], row))
    plan = rounds(_dt.date.fromisoformat(info["first_day"]), _dt.date.fromisoformat(info["last_day"]),
                  int(info["every_days"]))
    due_round = {gpkg_datetime(_dt.datetime.combine(end, _dt.time(23, 59), BEIJING)): n
                 for n, (_, end) in enumerate(plan, 1)}
    tasks["round"] = tasks["due_at"].map(due_round)
    tasks["done"] = tasks["status"] == "done"
    tasks["cancelled"] = tasks["status"] == "cancelled"
    tasks["open"] = tasks["status"].isin(("assigned", "in_progress"))
    tasks["overdue"] = tasks["open"] & (tasks["due_at"] < t)

    def table(key: str) -> pd.DataFrame:
        g = tasks.groupby(key, dropna=False)
        out = pd.DataFrame({"tasks": g.size(), "done": g["done"].sum(), "open": g["open"].sum(),
                            "overdue": g["overdue"].sum(), "cancelled": g["cancelled"].sum()}).astype(int)
        out["done_pct"] = (out["done"] / out["tasks"].where(out["tasks"] > 0) * 100).round(1)
        return out.reset_index()

    # every planned round, those not made yet (they begin later) with no tasks
    by_round = table("round").set_index("round").reindex(range(1, len(plan) + 1))
    for col in ("tasks", "done", "open", "overdue", "cancelled"):
        by_round[col] = by_round[col].fillna(0).astype(int)
    by_round = by_round.rename_axis("round").reset_index()
    by_round.insert(1, "first_day", by_round["round"].map(lambda n: plan[int(n) - 1][0].isoformat()))
    by_round.insert(2, "last_day", by_round["round"].map(lambda n: plan[int(n) - 1][1].isoformat()))
    by_round["made"] = by_round["tasks"] > 0
    return info, by_round, table("township")
