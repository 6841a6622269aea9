"""Open the stress district and read every layer into GeoDataFrames.

Baseline in the same run: ``geopandas.read_file(path, layer=..., engine="pyogrio",
use_arrow=True)`` for the same layers of the same file. Runs alternate between the two, each in
a fresh process; the table reports medians and the ratio GridWatch / baseline.
"""

from __future__ import annotations

from ._harness import CONFIG, PEAK_RSS, Comparison, run_snippet

OURS = PEAK_RSS + """
import json, time
t0 = time.perf_counter()
from gridwatch.storage import Project
p = Project.open({path!r})
layers = p.read_all_layers()
t = time.perf_counter() - t0
print(json.dumps({{"seconds": t, "peak_mb": peak_mb(), "rows": sum(len(v) for v in layers.values())}}))
"""

BASELINE = PEAK_RSS + """
import json, time
t0 = time.perf_counter()
import geopandas
from gridwatch.layers import LAYERS
layers = {{n: geopandas.read_file({path!r}, layer=n, engine="pyogrio", use_arrow=True) for n in LAYERS}}
t = time.perf_counter() - t0
print(json.dumps({{"seconds": t, "peak_mb": peak_mb(), "rows": sum(len(v) for v in layers.values())}}))
"""


def run(repeats: int = 5) -> str:
    comp = Comparison("open + read every layer")
    for _ in range(repeats):
        comp.ours.append(run_snippet(OURS.format(path=str(CONFIG.district))))
        comp.baseline.append(run_snippet(BASELINE.format(path=str(CONFIG.district))))
    assert comp.ours[0]["rows"] == comp.baseline[0]["rows"]
    o, b = comp.median("ours", "seconds"), comp.median("baseline", "seconds")
    om, bm = comp.median("ours", "peak_mb"), comp.median("baseline", "peak_mb")
    return (
        "### Open the stress district and read every layer (20,000 cells, 1,000,000 fire points)\n\n"
        f"{comp.ours[0]['rows']:,} features, {repeats} interleaved runs each, fresh process per run "
        "(time includes importing the libraries).\n\n"
        "| | median s | peak MB |\n|---|---:|---:|\n"
        f"| GridWatch `Project.open(...).read_all_layers()` | {o:.2f} | {om:.0f} |\n"
        f"| baseline `geopandas.read_file(engine='pyogrio', use_arrow=True)` | {b:.2f} | {bm:.0f} |\n"
        f"| **ratio GridWatch / baseline** | **{o / b:.2f}** | {om / bm:.2f} |\n"
    )
