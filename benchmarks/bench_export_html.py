"""HTML map of the stress district's 20,000 cells: GridWatch's export beside folium's plain GeoJson.

Ours: ``export_html(layers=["grid_cell"])`` (popups with township, village, inspector, last inspection and
open findings; coverage colours; Leaflet inlined, so the file works offline).  Baseline, in the same run:
the same cells read with ``Project.read_layer`` and written with ``folium.GeoJson(gdf)`` on a
``folium.Map`` and ``Map.save`` (full-precision coordinates, every attribute, Leaflet and friends linked
from CDNs, no popups).  Each measurement is a fresh process; the two alternate.  Reported: seconds
(read + build + write), file size and peak memory.
"""

from __future__ import annotations

import shutil

from ._harness import CONFIG, PEAK_RSS, Comparison, run_snippet

PREPARE = """
import json
from gridwatch.storage import Project
p = Project.open({path!r}, migrate=True)  # a copy: an older stress district is upgraded, not regenerated
print(json.dumps({{"schema": p.schema_version}}))
"""

OURS = PEAK_RSS + """
import datetime as dt, json, os, time
t0 = time.perf_counter()
from gridwatch.export.html import export_html
t_import = time.perf_counter() - t0
t0 = time.perf_counter()
out = export_html({path!r}, {out!r}, layers=["grid_cell"], now=dt.datetime(2025, 12, 1, tzinfo=dt.timezone.utc))
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "import": t_import, "mb": os.path.getsize(out) / 2**20,
                  "peak_mb": peak_mb()}}))
"""

FOLIUM = PEAK_RSS + """
import json, os, time
t0 = time.perf_counter()
import folium
from gridwatch.storage import Project
t_import = time.perf_counter() - t0
t0 = time.perf_counter()
cells = Project.open({path!r}).read_layer("grid_cell")
m = folium.Map(location=[float(cells.geometry.centroid.y.mean()), float(cells.geometry.centroid.x.mean())],
               zoom_start=11)
folium.GeoJson(cells, name="grid_cell").add_to(m)
m.save({out!r})
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "import": t_import, "mb": os.path.getsize({out!r}) / 2**20,
                  "peak_mb": peak_mb()}}))
"""


def run(repeats: int = 3) -> str:
    target = CONFIG.data / "html_target.gpkg"
    ours_out = CONFIG.data / "html_ours.html"
    folium_out = CONFIG.data / "html_folium.html"
    shutil.copyfile(CONFIG.district, target)
    try:
        run_snippet(PREPARE.format(path=str(target)), timeout=1800)
        cmp = Comparison("HTML map of the stress district's cells")
        for _ in range(repeats):
            cmp.ours.append(run_snippet(OURS.format(path=str(target), out=str(ours_out)), timeout=1800))
            cmp.baseline.append(run_snippet(FOLIUM.format(path=str(target), out=str(folium_out)), timeout=1800))
    finally:
        for f in (target, ours_out, folium_out, *CONFIG.data.glob(target.stem + ".schema-*.backup.gpkg")):
            f.unlink(missing_ok=True)

    def row(name: str, which: str) -> str:
        return (f"| {name} | {cmp.median(which, 'seconds'):.2f} | {cmp.median(which, 'mb'):.1f} | "
                f"{cmp.median(which, 'peak_mb'):.0f} |")

    return (
        "### HTML map, stress district cells (`benchmarks/bench_export_html.py`)\n\n"
        f"20,000 cells; medians of {repeats} fresh-process runs, alternating.  GridWatch: popups (township, village, "
        "inspector, last inspection, open findings), coverage colours, Leaflet inlined (works offline), "
        "coordinates to 6 decimals.  folium: `folium.GeoJson(gdf)` on a `folium.Map`, saved (every attribute, full "
        "precision, no popups, scripts from CDNs).\n\n"
        "| export | seconds (read + build + write) | file MB | peak MB |\n|---|---:|---:|---:|\n"
        + row("GridWatch `export_html(layers=['grid_cell'])`", "ours") + "\n"
        + row("folium `GeoJson(gdf)` + `Map.save`", "baseline") + "\n"
    )


if __name__ == "__main__":  # pragma: no cover
    print(run())
