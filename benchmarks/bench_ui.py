"""What a user waits for in the window: a finding's loop step, and filtering the attribute table.

Real widgets (offscreen Qt), a fresh process per project.  For each measurement two numbers:

* **until shown**: from the click (the step's OK, the filter text) until the window shows the result
  (the findings list and the selected finding with their new status; the table's rows);
* **longest GUI block**: the longest the GUI thread was busy without answering, measured by a 2 ms
  timer (what the user feels as a frozen window).

Targets (issue 16): a finding step under 100 ms, or off the GUI thread with feedback; the attribute
filter under 100 ms or off the GUI thread with feedback ("Filtering…").
"""

from __future__ import annotations

import shutil

from ._harness import CONFIG, PEAK_RSS, ROOT, run_snippet

SNIPPET = PEAK_RSS + """
import datetime as dt, json, os, shutil, statistics, tempfile, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
tmp = tempfile.mkdtemp()
os.environ["GRIDWATCH_CONFIG_DIR"] = tmp + "/c"
os.environ["GRIDWATCH_DATA_DIR"] = tmp + "/d"
path = {path!r}
from PySide6.QtCore import QEventLoop, QTimer
from gridwatch.storage import Project
from gridwatch.storage.workflow import Actor, change_assignment, change_finding, create_assignments, record_finding
from gridwatch.ui.app import create_app, create_window, make_settings
from gridwatch.ui.findings.panel import reads_pending
people = Project.open(path).read_table("inspector")
sup = people[people.role == "supervisor"].iloc[0]
S = Actor(sup.uuid, sup["name"], "supervisor")
cells = Project.open(path).read_layer("grid_cell", columns=["code", "inspector_uuid"])
cell = cells[cells.inspector_uuid.notna()].iloc[5]
c = cell.geometry.representative_point()
ins = people[people.uuid == cell.inspector_uuid].iloc[0]
I = Actor(ins.uuid, ins["name"], "inspector")
task = create_assignments(path, S, [cell.code], "patrol").created("assignment")[0]
change_assignment(path, I, task, "start")
N = {steps}
fids = [record_finding(path, I, assignment_uuid=task, category="other", longitude=c.x, latitude=c.y,
                       description="bench").created("finding")[0] for _ in range(N)]
app = create_app()
s = make_settings(); s.setValue("user", sup["name"]); s.setValue("ask_user_on_start", False); s.sync()
w = create_window(path); w.resize(1366, 740); w.show()

def pump(cond, ms=120000):
    loop = QEventLoop(); t = QTimer(); t.timeout.connect(lambda: loop.quit() if cond() else None); t.start(1)
    QTimer.singleShot(ms, loop.quit); loop.exec(); t.stop()

pump(lambda: w.data is not None)
pump(lambda: not w.canvas.is_rendering and w.canvas._image is not None)
pump(lambda: False, 1000)
ticks = []
beat = QTimer(); beat.timeout.connect(lambda: ticks.append(time.perf_counter())); beat.start(2)

def measured(action, done):
    ticks.clear(); ticks.append(time.perf_counter())
    t0 = time.perf_counter(); action(); pump(done); t1 = time.perf_counter()
    pump(lambda: False, 30)
    gaps = [b - a for a, b in zip(ticks, ticks[1:])] or [t1 - t0]
    return t1 - t0, max(gaps)

w.finding_panel.raise_()
steps, blocks = [], []
for fid in fids:
    w.finding_panel.select_finding(fid)
    pump(lambda: False, 50)
    def shown(fid=fid):
        row = w.finding_panel.selected_finding() or {{}}
        return not reads_pending() and not w.workflow.busy and row.get("status") == "assigned"
    total, block = measured(lambda fid=fid: w.workflow.run(change_finding, fid, "assign",
                                                           rectify_deadline=dt.date.today() + dt.timedelta(days=3),
                                                           responsible_party="bench"), shown)
    steps.append(total); blocks.append(block)
out = {{"step_ms": 1000 * statistics.median(steps), "step_block_ms": 1000 * statistics.median(blocks),
        "findings": len(w.finding_panel.frame)}}
w.show_table("fire_point")
pump(lambda: False, 300)
dock = w.table_dock
rows = dock.model.total_count
ftimes, fblocks = [], []
for text in ("未核查", "确认", "MODIS", ""):
    want = text.strip()
    total, block = measured(lambda text=text: dock.set_filter_text(text),
                            lambda want=want: not dock.filtering and dock.model.filter_text == want)
    ftimes.append(total); fblocks.append(block)
out.update({{"filter_ms": 1000 * statistics.median(ftimes), "filter_block_ms": 1000 * statistics.median(fblocks),
             "rows": rows, "peak_mb": peak_mb()}})
w.canvas.shutdown()
print(json.dumps(out))
"""


def run(steps: int = 5) -> str:
    steps = CONFIG.size(steps, 1)
    lines = []
    for label, source in (("sample district", ROOT / "sample_data" / "luquan_sample.gpkg"),
                          (f"{CONFIG.scale} district", CONFIG.district)):
        if not source.exists() or (CONFIG.tiny and source != CONFIG.district):
            continue
        target = CONFIG.data / "ui_target.gpkg"
        shutil.copyfile(source, target)
        r = run_snippet(SNIPPET.format(path=str(target), steps=steps), timeout=3600)
        target.unlink(missing_ok=True)
        lines.append(f"| {label} | {r['step_ms']:.0f} | {r['step_block_ms']:.0f} | {r['rows']:,} | "
                     f"{r['filter_ms']:.0f} | {r['filter_block_ms']:.0f} | {r['peak_mb']:.0f} |")
    return (
        "### The window's answers (`benchmarks/bench_ui.py`)\n\n"
        f"A finding's loop step (assign for rectification; median of {steps}) and filtering the fire points'\n"
        "attribute table (median of 4 texts), real widgets offscreen: until the result is shown, and the\n"
        "longest the GUI thread did not answer (target under 100 ms, or off the GUI thread with feedback).\n\n"
        "| project | step ms | step GUI block ms | fire points | filter ms | filter GUI block ms | peak MB |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n" + "\n".join(lines) + "\n"
    )
