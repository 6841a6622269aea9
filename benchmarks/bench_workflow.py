"""Supervision workflow on the stress district (20,000 cells, 1,000,000 fire points).

Each step runs in a fresh process on a fresh copy of the district: assigning 1,000 cells and all
20,000 in one action, undoing the 20,000, fire-point checks for one township and for the whole
district's last day of detections, a season's archive of one township (refused: more
than 5,000 checks at once), and the task list the panel shows afterwards.
The issue sets no target here; these numbers say what a supervisor waits for.
"""

from __future__ import annotations

import shutil

from ._harness import CONFIG, PEAK_RSS, run_snippet

STEP = PEAK_RSS + """
import json, time
from gridwatch.storage import Project, queries
from gridwatch.storage.workflow import Actor, create_assignments, create_fire_checks, undo
path = {path!r}
people = Project.open(path).read_table("inspector")
sup = people[people["role"] == "supervisor"].iloc[0]
actor = Actor(sup["uuid"], sup["name"], "supervisor")
import sqlite3
con = sqlite3.connect(path)
codes = [r[0] for r in con.execute("SELECT code FROM grid_cell ORDER BY code")]
township = con.execute("SELECT township_code FROM fire_point WHERE status = 'unverified' AND cell_code IS NOT NULL "
                       "GROUP BY township_code ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
con.close()
out = {{}}
step = {step!r}
t0 = time.perf_counter()
if step == "assign_1000":
    e = create_assignments(path, actor, codes[:1000], "patrol")
    out["rows"] = len(e.created("assignment"))
elif step == "assign_all_undo":
    e = create_assignments(path, actor, codes, "coal_ban")
    out["rows"] = len(e.created("assignment"))
    out["seconds_create"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    undo(path, actor, e)
    out["seconds_undo"] = time.perf_counter() - t1
elif step == "fire_recent":
    import datetime as dt
    con = sqlite3.connect(path)
    last = con.execute("SELECT MAX(detected_utc) FROM fire_point").fetchone()[0]
    con.close()
    since = dt.datetime.fromisoformat(last.replace("Z", "+00:00")) - dt.timedelta(days=1)
    e = create_fire_checks(path, actor, since=since)
    out["rows"] = len(e.created("assignment"))
    out["points"] = len(e) - out["rows"]
elif step == "fire_township":
    from gridwatch.errors import ValidationError
    try:
        create_fire_checks(path, actor, township_code=township)
        out["rows"] = -1
    except ValidationError as exc:
        out["rows"] = 0
        out["refused"] = str(exc).split(";")[0]
out["seconds"] = time.perf_counter() - t0
t1 = time.perf_counter()
out["task_list_rows"] = len(queries.tasks(path, open_only=True))
out["seconds_task_list"] = time.perf_counter() - t1
out["peak_mb"] = peak_mb()
print(json.dumps(out))
"""


def run(repeats: int = 1) -> str:
    target = CONFIG.data / "workflow_target.gpkg"
    rows = []
    for step, label in (("assign_1000", "assign 1,000 cells (patrol), one action"),
                        ("assign_all_undo", "assign all 20,000 cells, then undo it"),
                        ("fire_recent", "fire-point checks, last day of detections, whole district"),
                        ("fire_township", "fire-point checks, a season in the busiest township (refused)")):
        shutil.copyfile(CONFIG.district, target)
        r = run_snippet(STEP.format(path=str(target), step=step), timeout=7200)
        extra = ""
        if "seconds_undo" in r:
            extra = f"create {r['seconds_create']:.2f} s, undo {r['seconds_undo']:.2f} s"
        if "points" in r:
            extra = f"{r['points']:,} fire points"
        if "refused" in r:
            extra = "refused: " + r["refused"]
        rows.append(f"| {label} | {r['rows']:,} | {r['seconds']:.2f} | {extra} | {r['seconds_task_list']:.2f} "
                    f"| {r['peak_mb']:.0f} |")
    target.unlink(missing_ok=True)
    return (
        "### Workflow on the stress district (`benchmarks/bench_workflow.py`)\n\n"
        "One run per step, fresh process and fresh copy of the district each; every action is one\n"
        "transaction with one audit row per changed row (undoable).\n\n"
        "| step | tasks | seconds | detail | open-task list s | peak MB |\n|---|---:|---:|---|---:|---:|\n"
        + "\n".join(rows) + "\n"
    )
