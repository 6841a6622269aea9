"""Patrol coverage on the stress district with 200,000 inspections (issue 7 target: <= 1 s).

A copy of the stress district gets 200,000 inspections (random cells, the last 60 days) written
into its `inspection` table; then, in a fresh process, `coverage_from_project` reads the project
and computes every cell's coverage.  Reported: the whole call, and its parts (reading, cell classes
from zones/mines/sites, the coverage itself).
"""

from __future__ import annotations

import shutil

from ._harness import CONFIG, PEAK_RSS, run_snippet

PREPARE = """
import datetime as dt, random, sqlite3, uuid, json
random.seed(7)
con = sqlite3.connect({path!r})
cells = [r[0] for r in con.execute("SELECT code FROM grid_cell")]
people = [r[0] for r in con.execute("SELECT uuid FROM inspector WHERE role = 'inspector'")]
now = dt.datetime(2025, 11, 20, tzinfo=dt.timezone.utc)
rows = []
for i in range({n}):
    t = now - dt.timedelta(seconds=random.randrange(60 * 86400))
    rows.append((str(uuid.uuid4()), None, random.choice(cells), random.choice(people), "patrol",
                 t.strftime("%Y-%m-%dT%H:%M:%S.000Z"), None, None))
with con:
    con.executemany("INSERT INTO inspection (uuid, assignment_uuid, cell_code, inspector_uuid, kind, started_at, "
                    "finished_at, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
con.close()
print(json.dumps({{"inspections": len(rows)}}))
"""

MEASURE = PEAK_RSS + """
import datetime as dt, json, time
t0 = time.perf_counter()
from gridwatch.analysis.coverage import cell_classes, coverage
from gridwatch.storage import Project
t_import = time.perf_counter() - t0
now = dt.datetime(2025, 11, 20, tzinfo=dt.timezone.utc)
t0 = time.perf_counter()
p = Project.open({path!r})
cells = p.read_layer("grid_cell")
zones, mines, sites = p.read_layer("coal_ban_zone"), p.read_layer("mine"), p.read_layer("construction_site")
inspections = p.read_table("inspection", columns=["cell_code", "started_at"])
findings = p.read_layer("finding")[["cell_code", "status"]]
t_read = time.perf_counter() - t0
t0 = time.perf_counter()
classes = cell_classes(cells, zones, mines, sites)
t_classes = time.perf_counter() - t0
t0 = time.perf_counter()
cov = coverage(cells, inspections, findings, now=now, classes=classes)
t_cov = time.perf_counter() - t0
print(json.dumps({{"read": t_read, "classes": t_classes, "coverage": t_cov, "cells": len(cov.cells),
                  "inspections": len(inspections), "overdue": int(cov.cells["overdue"].sum()),
                  "peak_mb": peak_mb()}}))
"""


def run(repeats: int = 3) -> str:
    target = CONFIG.data / "coverage_target.gpkg"
    shutil.copyfile(CONFIG.district, target)
    run_snippet(PREPARE.format(path=str(target), n=CONFIG.size(200_000, 2_000)), timeout=1800)
    runs = [run_snippet(MEASURE.format(path=str(target)), timeout=1800) for _ in range(repeats)]
    target.unlink(missing_ok=True)
    med = {k: sorted(r[k] for r in runs)[len(runs) // 2] for k in ("read", "classes", "coverage", "peak_mb")}
    total = med["read"] + med["classes"] + med["coverage"]
    r = runs[0]
    return (
        "### Coverage, stress district with 200,000 inspections (`benchmarks/bench_coverage.py`)\n\n"
        f"{r['cells']:,} cells, {r['inspections']:,} inspections; medians of {repeats} fresh-process runs.\n\n"
        "| read project s | cell classes s | coverage s | total s | peak MB |\n|---:|---:|---:|---:|---:|\n"
        f"| {med['read']:.2f} | {med['classes']:.2f} | {med['coverage']:.2f} | {total:.2f} | {med['peak_mb']:.0f} |\n"
    )
