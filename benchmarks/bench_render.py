"""Map speed on the stress district (20,000 cells, 1,000,000 fire points), 1600 x 1000 pixels.

* full re-render of the whole district view, and of a view zoomed to 1/16 of the area: all layers,
  labels and compositing, as the canvas's render job does it (fire points become a density raster
  when zoomed out);
* a pan frame: the canvas painting its last image at a new offset;
* the GUI thread's longest stall while a full render runs on the worker pool (a 1 ms timer on the
  GUI thread records the gaps between its ticks);
* open project to first full paint, in a fresh process, with its peak memory;
* QGIS 3.22 rendering the same GeoPackage headless (Debian python3-qgis, separate process,
  ``benchmarks/qgis_render.py``), for the ratio.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess

from ._harness import CONFIG, PEAK_RSS, ROOT, run_snippet

RENDER = PEAK_RSS + """
import json, os, statistics, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gridwatch.storage import Project
from gridwatch.mapview.data import load_map
from gridwatch.mapview import Viewport
from gridwatch.tasks import CancelToken
from gridwatch.ui.map.canvas import LayerState, MapCanvas, RenderRequest, render
from gridwatch.ui.jobs import Job
import numpy as np
data = load_map(Project.open({path!r}))
vp = Viewport.for_bounds(data.extent, 1600, 1000)
order = list(data.layers)
# The canvas as the app sets it up (interpreter switch interval, garbage-collector freeze).
canvas = MapCanvas()
canvas.resize(1600, 1000)
canvas.show()
loop = QEventLoop()
canvas.renderFinished.connect(lambda s: loop.quit())
canvas.set_data(data)
loop.exec()

def request_for(view, gen=1):
    return RenderRequest(gen, view, order, {{n: LayerState() for n in order}}, np.empty(0, dtype=np.int64), 0)

def timed(view, n):
    out = []
    for i in range(n):
        req = request_for(view)
        t = time.perf_counter(); render(data, req, CancelToken()); out.append(time.perf_counter() - t)
    return out

timed(vp, 1)  # warm caches (fonts, numpy)
full = timed(vp, {repeats})
zoom = timed(vp.zoom(4.0), {repeats})  # 1/4 width x 1/4 height = 1/16 of the area

# Pan frames: the canvas paints its cached image at the dragged offset.
frames = []
for i in range(60):
    canvas.viewport = canvas.viewport.pan(7, 3)
    t = time.perf_counter(); canvas.repaint(); frames.append(time.perf_counter() - t)

# GUI stall while a full render runs on the pool.
stalls = []
for i in range(5):
    req = request_for(vp, gen=100 + i)
    job = Job(lambda progress, cancel, req=req: render(data, req, cancel), "render")
    ticks = []
    timer = QTimer(); timer.setInterval(1)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    done = []
    job.succeeded.connect(lambda j, r: done.append(1))
    timer.start()
    t0 = time.perf_counter()
    job.start()
    while not job.done:
        app.processEvents()
        time.sleep(0.0005)
    timer.stop()
    gaps = np.diff([t0] + ticks) if ticks else np.array([time.perf_counter() - t0])
    stalls.append(float(gaps.max()))
print(json.dumps({{"full": full, "zoom16": zoom, "pan_frame_median": statistics.median(frames),
                  "pan_frame_max": max(frames), "stall_max": max(stalls), "stalls": stalls}}))
"""

OPEN = PEAK_RSS + """
import json, os, time
t0 = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEventLoop, QTimer
from gridwatch.ui.app import create_app, create_window
app = create_app()
w = create_window({path!r})
w.resize(1600, 1000)
w.show()
loop = QEventLoop()
w.canvas.renderFinished.connect(lambda s: loop.quit())
w.projectFailed.connect(lambda m: loop.quit())
QTimer.singleShot(60000, loop.quit)
loop.exec()
t = time.perf_counter() - t0
ok = w.canvas._image is not None
w.close()
print(json.dumps({{"seconds": t, "peak_mb": peak_mb(), "ok": ok}}))
"""


def qgis(repeats: int) -> dict | None:
    script = ROOT / "benchmarks" / "qgis_render.py"
    probe = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True)
    if probe.returncode != 0 or not script.exists():
        return None
    res = subprocess.run(
        ["/usr/bin/python3", str(script), str(CONFIG.district), "--width", "1600", "--height", "1000",
         "--repeats", str(repeats), "--json"],
        capture_output=True, text=True, timeout=3600, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if res.returncode != 0:
        raise RuntimeError(f"QGIS benchmark failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def run(repeats: int = 5) -> str:
    env_dir = ROOT / "benchmarks" / "data" / "userdata"
    os.environ["GRIDWATCH_CONFIG_DIR"] = str(env_dir / "config")
    os.environ["GRIDWATCH_DATA_DIR"] = str(env_dir / "data")
    r = run_snippet(RENDER.format(path=str(CONFIG.district), repeats=repeats))
    opens = [run_snippet(OPEN.format(path=str(CONFIG.district))) for _ in range(CONFIG.size(3, 1))]
    q = qgis(max(3, repeats // 2))
    full, zoom = statistics.median(r["full"]), statistics.median(r["zoom16"])
    open_s = statistics.median(o["seconds"] for o in opens)
    peak = max(o["peak_mb"] for o in opens)
    ms = lambda s: f"{s * 1000:.0f} ms"  # noqa: E731
    lines = [
        "### Map rendering, stress district, 1600 x 1000 (`benchmarks/bench_render.py`)",
        "",
        f"{repeats} runs each; medians. Targets from the desktop-app issue in brackets.",
        "",
        "| measurement | GridWatch | target |",
        "|---|---:|---:|",
        f"| full re-render, whole district (density raster for fire points) | {ms(full)} | ≤ 300 ms |",
        f"| full re-render, zoomed to 1/16 of the area | {ms(zoom)} | ≤ 80 ms |",
        f"| pan frame from the cached image (median / max of 60) | {r['pan_frame_median'] * 1000:.1f} / "
        f"{r['pan_frame_max'] * 1000:.1f} ms | ≤ 5 ms |",
        f"| longest GUI-thread stall while a full render runs (max of 5) | {ms(r['stall_max'])} | ≤ 20 ms |",
        f"| open project to first full paint (median of 3, fresh process) | {open_s:.2f} s | ≤ 3 s |",
        f"| peak memory, open + first paint | {peak:.0f} MB | ≤ 2048 MB |",
    ]
    if q is not None:
        lines += [
            "",
            f"QGIS {q['qgis_version']} headless on the same GeoPackage, same size, antialiased, no labels "
            f"(`benchmarks/qgis_render.py`, medians of {q['repeats']}):",
            "",
            "| QGIS measurement | QGIS | GridWatch | QGIS / GridWatch |",
            "|---|---:|---:|---:|",
            f"| full view, sequential renderer | {ms(q['full_view_s'])} | {ms(full)} | **{q['full_view_s'] / full:.1f}x** |",
            f"| full view, parallel renderer (2 cores) | {ms(q['full_view_parallel_s'])} | {ms(full)} | "
            f"{q['full_view_parallel_s'] / full:.1f}x |",
            f"| 1/16 of the area, sequential | {ms(q['zoom16_s'])} | {ms(zoom)} | {q['zoom16_s'] / zoom:.1f}x |",
            f"| full view from memory layers | {ms(q['from_memory_full_view_s'])} | {ms(full)} | "
            f"{q['from_memory_full_view_s'] / full:.1f}x |",
            f"| full view, render cache hit | {q['cache_hit_s'] * 1000:.1f} ms | "
            f"{r['pan_frame_median'] * 1000:.1f} ms (pan frame) | |",
        ]
    else:
        lines += ["", "QGIS not available (install python3-qgis): no ratio this run."]
    return "\n".join(lines) + "\n"
