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
c0 = time.process_time()
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
    out["cpu"] = time.process_time() - c0
elif step == "finding_loop":
    import datetime as dt, statistics
    from PIL import Image
    from gridwatch.storage.gpkg import blob_to_geometry
    from gridwatch.storage.workflow import change_assignment, change_finding, record_finding
    con = sqlite3.connect(path)
    code, owner, blob = con.execute("SELECT code, inspector_uuid, geom FROM grid_cell WHERE inspector_uuid IS NOT NULL "
                                    "ORDER BY code LIMIT 1 OFFSET 5").fetchone()
    ins = Actor(*con.execute("SELECT uuid, name, role FROM inspector WHERE uuid = ?", (owner,)).fetchone())
    other = Actor(*con.execute("SELECT uuid, name, role FROM inspector WHERE role = 'inspector' AND uuid != ? "
                               "ORDER BY name LIMIT 1", (owner,)).fetchone())
    con.close()
    pt = blob_to_geometry(blob).representative_point()
    photo = {photo!r}
    Image.new("RGB", (640, 480), (100, 120, 90)).save(photo)
    task = create_assignments(path, actor, [code], "patrol").created("assignment")[0]
    change_assignment(path, ins, task, "start")
    wall = {{k: [] for k in ("record", "assign", "rectify", "verify", "close")}}
    cpu = {{k: [] for k in wall}}
    def timed(name, fn):
        w, c = time.perf_counter(), time.process_time()
        r = fn()
        wall[name].append(time.perf_counter() - w); cpu[name].append(time.process_time() - c)
        return r
    for _ in range({loops}):
        fid = timed("record", lambda: record_finding(path, ins, assignment_uuid=task, category="other",
                                                     longitude=pt.x, latitude=pt.y, description="bench"
                                                     ).created("finding")[0])
        timed("assign", lambda: change_finding(path, actor, fid, "assign", rectify_deadline=dt.date(2026, 12, 20),
                                               responsible_party="bench"))
        timed("rectify", lambda: change_finding(path, ins, fid, "rectify", note="done", after_photos=[photo]))
        timed("verify", lambda: change_finding(path, other, fid, "verify", note="ok"))
        timed("close", lambda: change_finding(path, actor, fid, "close"))
    out["rows"] = {loops}
    out["steps_ms"] = {{k: 1000 * statistics.median(v) for k, v in wall.items()}}
    out["steps_cpu_ms"] = {{k: 1000 * statistics.median(v) for k, v in cpu.items()}}
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
        r = run_snippet(STEP.format(path=str(target), step=step, photo="", loops=0), timeout=7200)
        extra = ""
        if "seconds_undo" in r:
            extra = f"create {r['seconds_create']:.2f} s, undo {r['seconds_undo']:.2f} s"
        if "points" in r:
            extra = f"{r['points']:,} fire points"
        if "refused" in r:
            extra = "refused: " + r["refused"]
        if "cpu" in r:
            extra += f" (CPU {r['cpu']:.2f} s)"
        rows.append(f"| {label} | {r['rows']:,} | {r['seconds']:.2f} | {extra} | {r['seconds_task_list']:.2f} "
                    f"| {r['peak_mb']:.0f} |")
    shutil.copyfile(CONFIG.district, target)
    photo = CONFIG.data / "workflow_after.jpg"
    loops = CONFIG.size(7, 1)
    r = run_snippet(STEP.format(path=str(target), step="finding_loop", photo=str(photo), loops=loops), timeout=3600)
    target.unlink(missing_ok=True)
    photo.unlink(missing_ok=True)
    steps = "\n".join(f"| {name} | {r['steps_ms'][name]:.0f} | {r['steps_cpu_ms'][name]:.0f} |"
                       for name in ("record", "assign", "rectify", "verify", "close"))
    return (
        "### Workflow on the stress district (`benchmarks/bench_workflow.py`)\n\n"
        "One run per step, fresh process and fresh copy of the district each; every action is one\n"
        "transaction with one audit row per changed row (undoable).\n\n"
        "| step | tasks | seconds | detail | open-task list s | peak MB |\n|---|---:|---:|---|---:|---:|\n"
        + "\n".join(rows) + "\n\n"
        f"One finding through its loop, {loops} times (a fresh finding each time; median ms per step, each step\n"
        "one transaction with its audit rows; the rectification carries a 640x480 after-photo; target ≤ 100 ms):\n\n"
        "| step | ms | CPU ms |\n|---|---:|---:|\n" + steps + "\n"
    )
