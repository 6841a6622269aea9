"""In the field (issue 20): track import, coverage by track, and the map's render with a basemap.

* A 50,000-point GPX track (gpxpy-written, one point a second) imported into a copy of the sample
  district with :func:`gridwatch.importers.tracks.import_track` (target: <= 2 s).
* A month of tracks of every inspector of the sample: every inspection of the sample's last 30 days
  gets a 30-minute walk in its cell, a point every 10 s (about 180 per visit); one visit in ten has
  none (for the sign-in check).  Then, in a fresh process, ``coverage_from_project(basis="tracks")``
  (reads the tracks, finds the walked cells, computes the coverage; target <= 2 s), and the
  sign-in check of the month's inspections.
* The sample district's full view (1600x1000) rendered by the canvas's render pass with and
  without a raster basemap (a generated MBTiles over the district): the first view of a zoom level
  with nothing decoded (the image the user sees first, while the tiles are read beside the layers,
  and the time until every tile is drawn), the next view (tiles cached), and a zoom in after a
  pause (the neighbouring levels read in the background); target: with <= 1.5x without.
"""

from __future__ import annotations

import shutil

from ._harness import CONFIG, PEAK_RSS, ROOT, run_snippet

SAMPLE = ROOT / "sample_data" / "luquan_sample.gpkg"

IMPORT = PEAK_RSS + """
import datetime as dt, json, time, gpxpy, gpxpy.gpx
g = gpxpy.gpx.GPX(); trk = gpxpy.gpx.GPXTrack(); seg = gpxpy.gpx.GPXTrackSegment()
t0 = dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.timezone.utc)
for i in range(50_000):
    seg.points.append(gpxpy.gpx.GPXTrackPoint(38.05 + (i % 5000) * 2e-6, 114.25 + i * 1e-6,
                                              time=t0 + dt.timedelta(seconds=i)))
trk.segments.append(seg); g.tracks.append(trk)
open({gpx!r}, "w", encoding="utf-8").write(g.to_xml())
from gridwatch.importers.tracks import import_track
from gridwatch.storage.writes import find_actor
from gridwatch.storage import Project
people = Project.open({path!r}).read_table("inspector")
sup = find_actor({path!r}, people[people.role == "supervisor"].name.iloc[0])
person = people[people.role == "inspector"].uuid.iloc[0]
t = time.perf_counter()
track, n = import_track({path!r}, sup, {gpx!r}, inspector_uuid=person)
print(json.dumps({{"seconds": time.perf_counter() - t, "points": n, "peak_mb": peak_mb()}}))
"""

MONTH = """
import datetime as dt, json, numpy as np, pandas as pd, shapely
from gridwatch.storage import Project
from gridwatch.storage.tracks import TrackPoints, add_track
from gridwatch.storage.writes import find_actor
p = Project.open({path!r})
cells = p.read_layer("grid_cell").set_index("code")
ins = p.read_table("inspection", columns=["cell_code", "inspector_uuid", "started_at"])
ins["t"] = pd.to_datetime(ins["started_at"], utc=True, format="ISO8601")
end = ins["t"].max()
month = ins[ins["t"] > end - pd.Timedelta(days=30)].reset_index(drop=True)
people = p.read_table("inspector")
sup = find_actor({path!r}, people[people.role == "supervisor"].name.iloc[0])
rng = np.random.default_rng(3)
lon, lat, times, who = [], [], [], []
for r in month.itertuples():
    if rng.random() < 0.1 or r.cell_code not in cells.index:
        continue
    g = cells.loc[r.cell_code].geometry
    c = g.representative_point()
    x0, y0, x1, y1 = g.bounds
    n = 180
    steps = rng.normal(0, 1, (n, 2)) * [(x1 - x0) / 40, (y1 - y0) / 40]
    xy = np.cumsum(steps, axis=0) + [c.x, c.y]
    xy[:, 0] = np.clip(xy[:, 0], x0, x1); xy[:, 1] = np.clip(xy[:, 1], y0, y1)
    lon.append(xy[:, 0]); lat.append(xy[:, 1])
    times.append(r.t.to_datetime64().astype("datetime64[ns]") + (np.arange(n) * 10).astype("timedelta64[s]"))
    who.append(np.full(n, r.inspector_uuid, dtype=object))
lon, lat, times, who = map(np.concatenate, (lon, lat, times, who))
total = 0
for person in np.unique(who):
    k = who == person
    add_track({path!r}, sup, TrackPoints(lon[k], lat[k], times[k], np.full(int(k.sum()), 6.0)),
              inspector_uuid=str(person), source="gpx")
    total += int(k.sum())
print(json.dumps({{"points": total, "visits": len(month), "people": int(len(np.unique(who))),
                  "end": end.isoformat()}}))
"""

COVERAGE = PEAK_RSS + """
import datetime as dt, json, time
from gridwatch.analysis.coverage import coverage_from_project
from gridwatch.analysis.track_coverage import signin_check_from_project
now = dt.datetime.fromisoformat({end!r}) + dt.timedelta(hours=2)
t = time.perf_counter()
cov = coverage_from_project({path!r}, now=now, basis="tracks", periods=(7, 30))
t_cov = time.perf_counter() - t
t = time.perf_counter()
chk = signin_check_from_project({path!r}, start=now - dt.timedelta(days=30), end=now)
t_sign = time.perf_counter() - t
print(json.dumps({{"coverage": t_cov, "signin": t_sign, "walked_30d": int((cov.cells["inspections_30d"] > 0).sum()),
                  "flagged": int((~chk["signed_in"]).sum()), "checked": len(chk), "peak_mb": peak_mb()}}))
"""

RENDER = """
import json, os, time, statistics
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
app = QApplication([])
import numpy as np
from gridwatch.mapview.data import load_map
from gridwatch.mapview.viewport import Viewport
from gridwatch.storage import Project
from gridwatch.tasks import CancelToken
from gridwatch.basemap.demo import demo_tiles
from gridwatch.storage.tilepackages import write_mbtiles
from gridwatch.basemap.registry import Basemap
from gridwatch.ui.map import canvas as C
from gridwatch.ui.map.basemap import _LOADER, BasemapDrawer
from pathlib import Path
data = load_map(Project.open({path!r}))
bbox = tuple(data.layers["grid_cell"].extent)
folder = Path({path!r}).with_name(Path({path!r}).stem + ".basemaps"); folder.mkdir(exist_ok=True)
write_mbtiles(folder / "demo.mbtiles", {{"name": "demo", "format": "png", "minzoom": "8", "maxzoom": "14"}},
              demo_tiles(bbox, range(8, 15)))
entry = Basemap("demo", "tiles", "demo.mbtiles")
vp0 = Viewport.for_bounds(data.extent, 1600, 1000)
states = {{n: C.LayerState() for n in data.layers}}
def request(vp, basemap, cached=None):
    return C.RenderRequest(1, vp, list(data.layers), states, np.empty(0, dtype="int64"), 0, cached=cached or {{}},
                           basemap=basemap, basemap_version=1)
def once(vp, basemap):
    t = time.perf_counter(); res = C.render(data, request(vp, basemap), CancelToken())
    return time.perf_counter() - t, res
def settled():
    _LOADER.submit(lambda: None).result()  # the tile worker has read what it was given (prefetch)
once(vp0, None)  # warm up the layers' code paths
plain, first, complete, warm, zoom_plain, zoom_first = [], [], [], [], [], []
pending_first = pending_zoom = 0
for i in range({repeats}):
    vp = vp0.zoom(1.0 + 0.01 * i)
    plain.append(once(vp, None)[0])
    drawer = BasemapDrawer(Path({path!r}), entry)  # a new drawer: nothing decoded yet
    t = time.perf_counter()
    res = C.render(data, request(vp, drawer), CancelToken())
    first.append(time.perf_counter() - t)
    if res.basemap_pending is not None:  # the canvas renders again when the tiles are in (layers cached)
        pending_first += 1
        res.basemap_pending.result()
        res = C.render(data, request(vp, drawer, res.parts), CancelToken())
    assert res.basemap_pending is None
    complete.append(time.perf_counter() - t)
    drawer.prefetch(vp)  # as the canvas does once the view is painted whole
    settled()
    warm.append(once(vp.pan(40, 25), drawer)[0])
    settled()  # a user's pause: the neighbouring zoom levels are read meanwhile
    zin = vp.zoom(2.0)
    zoom_plain.append(once(zin, None)[0])
    s, res = once(zin, drawer)
    zoom_first.append(s)
    pending_zoom += res.basemap_pending is not None
    drawer.close()
m = statistics.median
print(json.dumps({{"plain": m(plain), "first": m(first), "complete": m(complete), "warm": m(warm),
                  "zoom": m(zoom_first), "zoom_plain": m(zoom_plain), "pending_first": pending_first, "pending_zoom": pending_zoom}}))
"""


def run(repeats: int = 5) -> str:
    CONFIG.data.mkdir(parents=True, exist_ok=True)
    target = CONFIG.data / "field_import.gpkg"
    imports = []
    for _ in range(repeats):
        shutil.copyfile(SAMPLE, target)
        imports.append(run_snippet(IMPORT.format(path=str(target), gpx=str(CONFIG.data / "track50k.gpx"))))
    month = CONFIG.data / "field_month.gpkg"
    shutil.copyfile(SAMPLE, month)
    made = run_snippet(MONTH.format(path=str(month)), timeout=3600)
    covs = [run_snippet(COVERAGE.format(path=str(month), end=made["end"])) for _ in range(repeats)]
    render = run_snippet(RENDER.format(path=str(month), repeats=repeats))
    for p in (target, month, CONFIG.data / "track50k.gpx"):
        p.unlink(missing_ok=True)
    shutil.rmtree(month.with_name(month.stem + ".basemaps"), ignore_errors=True)

    def med(rows, key):
        vals = sorted(r[key] for r in rows)
        return vals[len(vals) // 2]

    c0 = covs[0]
    return (
        "### In the field: tracks, coverage by track, basemap render (`benchmarks/bench_field.py`)\n\n"
        f"Medians of {repeats} fresh-process runs on the sample district.\n\n"
        "| measurement | seconds | target |\n|---|---:|---:|\n"
        f"| import a {imports[0]['points']:,}-point GPX track | {med(imports, 'seconds'):.2f} | <= 2 |\n"
        f"| coverage by track, a month of every inspector's tracks ({made['points']:,} points, "
        f"{made['people']} people) | {med(covs, 'coverage'):.2f} | <= 2 |\n"
        f"| sign-in check of the month's {c0['checked']:,} inspections | {med(covs, 'signin'):.2f} | - |\n"
        f"| full view 1600x1000 without basemap | {render['plain']:.3f} | - |\n"
        f"| with a raster basemap, first view of a zoom level: the image shown (tiles still read: "
        f"{render['pending_first']} of {repeats}) | {render['first']:.3f} ({render['first'] / render['plain']:.2f}x) | "
        f"<= 1.5x ({1.5 * render['plain']:.3f}) |\n"
        f"| the same until every tile is drawn (tiles decoded, composed again) | {render['complete']:.3f} "
        f"({render['complete'] / render['plain']:.2f}x) | - |\n"
        f"| next view (tiles cached) | {render['warm']:.3f} ({render['warm'] / render['plain']:.2f}x) | <= 1.5x |\n"
        f"| zoom in a level after a pause (neighbouring levels read in the background; tiles still read: "
        f"{render['pending_zoom']} of {repeats}) | {render['zoom']:.3f} ({render['zoom'] / render['zoom_plain']:.2f}x "
        f"the zoomed view without basemap, {render['zoom_plain']:.3f}) | <= 1.5x |\n\n"
        f"Cells walked in 30 days: {c0['walked_30d']:,}; inspections with no track near: {c0['flagged']:,} "
        f"(one visit in ten was given none). Peak memory of the coverage run: {med(covs, 'peak_mb'):.0f} MB.\n"
    )
