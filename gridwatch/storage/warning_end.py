"""The end of a heavy-pollution warning (issue 17): a supervisor ends it early, or its end time
passes; either way its summary (sites under way, checked, breaches found, unchecked) is produced at
that moment and kept.

Where the summary is kept: one row of the audit log (``action = "warning_summary"``, ``row_uuid`` the
warning, ``details`` the summary as JSON).  The audit log is append-only (nobody can alter a summary
afterwards), travels with every sync, and needs no schema change.  A summary belongs to the warning's
end time it was produced for (``ends_at`` in the JSON): a warning ended early and then put back by
undo gets a new summary when it ends again.  Two office laptops that both record one are both kept
(rows never collide); readers take the first.

Who records: the district office (supervisors and administrators, asked of the domain policy): when
they end a warning, and for warnings whose end time has passed, when the office's copy is opened,
synced, or runs ``gridwatch warning --list``.
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

from ..domain.policy import Action, Actor, may, require
from ..errors import NotFound, StorageError
from ..times import beijing_text
from .edits import Edit, RowChange, read_row
from .gpkg import connect_readonly, connect_readwrite, gpkg_datetime, sqlite_tables, transaction
from .plans import warning_in_force, warning_summary, warnings
from .project import check_project
from .writes import _now, _write

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

SUMMARY_ACTION = "warning_summary"
SITE_COLUMNS = ["uuid", "name", "township_code", "cell_code", "checked", "breaches"]


def _summary_json(row: dict[str, Any], sites: pd.DataFrame, *, ends_at: str, ended_early: bool,
                  actor: Actor, produced_at: str) -> str:
    checked = int(sites["checked"].sum()) if len(sites) else 0
    records = [{k: (bool(v) if k == "checked" else int(v) if k == "breaches" else (None if pd.isna(v) else str(v)))
                for k, v in r.items()} for r in sites[SITE_COLUMNS].to_dict("records")] if len(sites) else []
    return json.dumps({
        "warning_uuid": row["uuid"], "level": row["level"], "starts_at": row["starts_at"], "ends_at": ends_at,
        "ended_early": ended_early, "produced_at": produced_at, "produced_by": actor.name,
        "sites_under_way": len(sites), "checked": checked,
        "breaches": int(sites["breaches"].sum()) if len(sites) else 0, "unchecked": len(sites) - checked,
        "sites": records}, ensure_ascii=False)


def _insert_summary(con: sqlite3.Connection, actor: Actor, warning_uuid: str, text: str, stamp: str) -> None:
    con.execute("INSERT INTO audit_log (uuid, at, user_name, action, table_name, row_uuid, old_values, new_values, "
                "details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (str(_uuid.uuid4()), stamp, actor.name, SUMMARY_ACTION, "pollution_warning", warning_uuid, None,
                 None, text))


def end_warning(path: os.PathLike[str] | str, actor: Actor, warning_uuid: str, *, reason: str = "",
                now: Optional[_dt.datetime] = None) -> Edit:
    """End a warning in force now (its end time becomes ``now``) and keep its summary, in one
    transaction (undoable: undo puts the old end time back; the summary stays in the audit log).

    Raises
    ------
    RefusedByRole
        Not a supervisor or administrator.
    NotFound
        No such warning.
    StorageError
        The warning has not started yet, or has ended already.
    """
    require(actor, Action.DECLARE_WARNING)
    t = _now(now)
    stamp = gpkg_datetime(t)
    with closing(connect_readonly(path)) as con:
        row = read_row(con, "pollution_warning", warning_uuid) if "pollution_warning" in sqlite_tables(con) else None
    if row is None:
        raise NotFound(f"{path}: no heavy-pollution warning {warning_uuid}")
    if str(row["starts_at"]) > stamp:
        raise StorageError(f"the warning starts at {beijing_text(row['starts_at'])} (Beijing time); it cannot end "
                           "before it starts (undo the declaration instead)", key="warning.not_started",
                           starts=beijing_text(row["starts_at"]))
    if str(row["ends_at"]) <= stamp:
        raise StorageError(f"the warning ended at {beijing_text(row['ends_at'])} (Beijing time) already",
                           key="warning.ended", ends=beijing_text(row["ends_at"]))
    _, sites = warning_summary(path, warning_uuid, end=stamp)

    def build(con: sqlite3.Connection) -> Edit:
        _insert_summary(con, actor, warning_uuid, _summary_json(row, sites, ends_at=stamp, ended_early=True,
                                                                actor=actor, produced_at=stamp), stamp)
        return Edit("end_warning", "解除重污染天气预警", [RowChange("pollution_warning", warning_uuid,
                                                             {"ends_at": row["ends_at"]}, {"ends_at": stamp})],
                    details=str(reason or "").strip())

    return _write(path, actor, build, t)


def stored_summaries(path: os.PathLike[str] | str) -> dict[str, dict[str, Any]]:
    """The kept summary of each ended warning (warning uuid -> summary), the first produced for the
    warning's present end time."""
    frame = warnings(path)
    if not len(frame):
        return {}
    ends = dict(zip(frame["uuid"], frame["ends_at"]))
    out: dict[str, dict[str, Any]] = {}
    with closing(connect_readonly(path)) as con:
        for key, text in con.execute("SELECT row_uuid, details FROM audit_log WHERE action = ? ORDER BY at, fid",
                                     (SUMMARY_ACTION,)):
            try:
                summary = json.loads(text)
            except (TypeError, ValueError):
                continue
            if key in ends and key not in out and summary.get("ends_at") == ends[key]:
                out[key] = summary
    return out


def record_ended_warnings(path: os.PathLike[str] | str, actor: Optional[Actor],
                          now: Optional[_dt.datetime] = None) -> list[str]:
    """Keep the summary of every warning whose end time has passed and has none yet (the office's
    copy only: anyone else gets ``[]`` and nothing is written).  Returns the warnings' uuids."""
    if actor is None or not may(actor, Action.DECLARE_WARNING):
        return []
    t = _now(now)
    stamp = gpkg_datetime(t)
    frame = warnings(path)
    if not len(frame):
        return []
    kept = stored_summaries(path)
    due = [r for r in frame.to_dict("records") if str(r["ends_at"]) <= stamp and r["uuid"] not in kept]
    if not due:
        return []
    texts = []
    for row in due:
        _, sites = warning_summary(path, row["uuid"])
        texts.append((row["uuid"], _summary_json(row, sites, ends_at=str(row["ends_at"]), ended_early=False,
                                                 actor=actor, produced_at=stamp)))
    p = Path(path)
    check_project(p)
    with closing(connect_readwrite(p)) as con, transaction(con, p):
        for key, text in texts:
            _insert_summary(con, actor, key, text, stamp)
    return [k for k, _ in texts]


def summary_sheets(summary: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """A kept summary as tables with Chinese titles (for ``write_tables``): the warning, its sites."""
    from ..domain.vocabulary import WARNING_LEVEL_TITLES, title

    head = pd.DataFrame([{
        "预警级别": title(WARNING_LEVEL_TITLES, summary["level"]), "开始时间": beijing_text(summary["starts_at"]),
        "结束时间": beijing_text(summary["ends_at"]), "提前解除": "是" if summary["ended_early"] else "否",
        "在建工地": summary["sites_under_way"], "已检查": summary["checked"], "发现问题": summary["breaches"],
        "未检查": summary["unchecked"], "汇总时间": beijing_text(summary["produced_at"]),
        "汇总人": summary["produced_by"]}])
    sites = pd.DataFrame(summary["sites"], columns=SITE_COLUMNS)
    sites = pd.DataFrame({"工地": sites["name"], "乡镇代码": sites["township_code"], "网格": sites["cell_code"],
                          "已检查": sites["checked"].map({True: "是", False: "否"}), "发现问题": sites["breaches"]})
    return {"预警": head, "工地检查": sites}


def warning_on_map(path: os.PathLike[str] | str,
                   now: Optional[_dt.datetime] = None) -> Optional[tuple[dict[str, Any], pd.DataFrame]]:
    """The warning in force at ``now`` and its sites under way with their checks so far (what the map
    shows); None without one."""
    t = _now(now)
    warning = warning_in_force(path, t)
    if warning is None:
        return None
    _, sites = warning_summary(path, str(warning["uuid"]), end=gpkg_datetime(t))
    return warning, sites
