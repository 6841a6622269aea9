"""PDF township atlas of the sample district (issue target: <= 30 s).

A copy of the bundled sample district (upgraded to the current schema if it is older) is exported,
in a fresh process each run, as an A4 PDF atlas with every layer: an overview page, then one page
per township.  Reported: the whole `export_atlas` call (reading, drawing every page, writing), the
import of the map code (matplotlib) separately, pages, file size and peak memory.
"""

from __future__ import annotations

import shutil

from ._harness import CONFIG, PEAK_RSS, ROOT, run_snippet

SAMPLE = ROOT / "sample_data" / "luquan_sample.gpkg"

PREPARE = """
import json
from gridwatch.storage import Project
Project.open({path!r}, migrate=True)
print(json.dumps({{"ok": True}}))
"""

MEASURE = PEAK_RSS + """
import datetime as dt, json, os, time
t0 = time.perf_counter()
from gridwatch.export.maps import MapSpec, export_atlas
from gridwatch.export.fonts import find_cjk_font
find_cjk_font()
t_import = time.perf_counter() - t0
now = dt.datetime(2025, 11, 20, tzinfo=dt.timezone.utc)
pages = []
t0 = time.perf_counter()
out = export_atlas({path!r}, {out!r}, MapSpec(now=now), progress=lambda f, m: pages.append(m))
t_atlas = time.perf_counter() - t0
import subprocess
info = subprocess.run(["pdfinfo", out], capture_output=True, text=True).stdout
n = int(next(l.split()[-1] for l in info.splitlines() if l.startswith("Pages:")))
print(json.dumps({{"import": t_import, "atlas": t_atlas, "pages": n, "mb": os.path.getsize(out) / 2**20,
                  "peak_mb": peak_mb()}}))
"""


def run(repeats: int = 3) -> str:
    target = CONFIG.data / "export_sample.gpkg"
    out = CONFIG.data / "export_atlas.pdf"
    shutil.copyfile(SAMPLE, target)
    run_snippet(PREPARE.format(path=str(target)), timeout=600)
    runs = [run_snippet(MEASURE.format(path=str(target), out=str(out)), timeout=1800) for _ in range(repeats)]
    for leftover in [target, out, *CONFIG.data.glob("export_sample.schema-v*.backup.gpkg")]:
        leftover.unlink(missing_ok=True)
    med = {k: sorted(r[k] for r in runs)[len(runs) // 2] for k in ("import", "atlas", "mb", "peak_mb")}
    r = runs[0]
    return (
        "### PDF township atlas of the sample district (`benchmarks/bench_export.py`)\n\n"
        f"A4 portrait, every layer, {r['pages']} pages (overview + one per township); "
        f"medians of {repeats} fresh-process runs.\n\n"
        "| import matplotlib + font s | export_atlas s | pages | PDF MB | peak MB |\n|---:|---:|---:|---:|---:|\n"
        f"| {med['import']:.2f} | {med['atlas']:.1f} | {r['pages']} | {med['mb']:.1f} | {med['peak_mb']:.0f} |\n"
    )


if __name__ == "__main__":  # pragma: no cover
    print(run())
