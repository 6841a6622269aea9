"""Import 1,000,000 FIRMS fire points into the stress district (cell join, duplicate check, one
transaction) beside ``ogr2ogr`` loading the same CSV into a new GeoPackage (no join) in the same run.

The CSV is made once into benchmarks/data/: real FIRMS MODIS layout (13 columns, zero-padded
acq_time), points scattered over the district's extent (some fall outside it and are counted,
not stored), dates in 2026 so none duplicates the district's own 2025 season.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import time

import numpy as np

from ._harness import CONFIG, PEAK_RSS, run_snippet


def csv_path():  # type: ignore[no-untyped-def]
    return CONFIG.data / ("firms_1m.csv" if not CONFIG.tiny else "firms_tiny.csv")

IMPORT = PEAK_RSS + """
import json, time
t0 = time.perf_counter()
from gridwatch.importers.pipeline import ImportOptions, import_file
report = import_file({project!r}, {csv!r}, ImportOptions(kind="fire_point", user="benchmark"))
print(json.dumps({{"seconds": time.perf_counter() - t0, "peak_mb": peak_mb(), "imported": report.imported,
                  "outside": report.outside, "duplicates": report.duplicates, "read": report.read}}))
"""


def make_csv(n: int = 1_000_000) -> None:
    CSV = csv_path()
    if CSV.exists():
        return
    import pyogrio

    info = pyogrio.read_info(CONFIG.district, layer="grid_cell", force_total_bounds=True)
    minx, miny, maxx, maxy = info["total_bounds"]
    rng = np.random.default_rng(11)
    lon = rng.uniform(minx, maxx, n)
    lat = rng.uniform(miny, maxy, n)
    day = rng.integers(0, 60, n)
    dates = (np.datetime64("2026-09-01") + day.astype("timedelta64[D]")).astype(str)  # past, not future
    minutes = rng.integers(0, 24 * 60, n)
    acq_time = np.char.zfill((minutes // 60 * 100 + minutes % 60).astype(str), 4)
    sat = rng.choice(np.array(["Terra", "Aqua"]), n)
    conf = rng.integers(0, 101, n).astype(str)
    frp = np.round(rng.lognormal(1.3, 0.9, n), 1).astype(str)
    header = "latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight"
    lines = np.char.add(np.char.add(np.round(lat, 5).astype(str), ","), np.round(lon, 5).astype(str))
    tail = np.char.add(np.char.add(",320.5,1.0,1.0,", dates), ",")
    rows = [header]
    body = np.char.add(np.char.add(np.char.add(np.char.add(lines, tail), acq_time), ","), sat)
    body = np.char.add(np.char.add(np.char.add(np.char.add(body, ","), conf), ",6.1NRT,290.0,"), frp)
    body = np.char.add(body, ",D")
    rows += body.tolist()
    tmp = CSV.with_suffix(".tmp")
    tmp.write_text("\n".join(rows) + "\n", encoding="utf-8")
    os.replace(tmp, CSV)


def ogr2ogr_once() -> float:
    CSV = csv_path()
    out = CONFIG.data / "ogr2ogr_out.gpkg"
    out.unlink(missing_ok=True)
    t0 = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "GPKG", str(out), str(CSV), "-nln", "fire", "-a_srs", "EPSG:4326",
                    "-oo", "X_POSSIBLE_NAMES=longitude", "-oo", "Y_POSSIBLE_NAMES=latitude",
                    "-oo", "KEEP_GEOM_COLUMNS=NO"], check=True, capture_output=True)
    return time.perf_counter() - t0


def run(repeats: int = 3) -> str:
    make_csv(CONFIG.size(1_000_000, 2_000))
    CSV = csv_path()
    if shutil.which("ogr2ogr") is None:
        return "### FIRMS import\n\nogr2ogr not installed (Debian gdal-bin): no baseline this run.\n"
    ours, base = [], []
    for _ in range(repeats):
        copy = CONFIG.data / "import_target.gpkg"
        shutil.copyfile(CONFIG.district, copy)
        ours.append(run_snippet(IMPORT.format(project=str(copy), csv=str(CSV)), timeout=3600))
        base.append(ogr2ogr_once())
    for scratch in (CONFIG.data / "import_target.gpkg", CONFIG.data / "ogr2ogr_out.gpkg"):
        scratch.unlink(missing_ok=True)
    o = statistics.median(r["seconds"] for r in ours)
    b = statistics.median(base)
    peak = max(r["peak_mb"] for r in ours)
    r0 = ours[0]
    version = subprocess.run(["ogr2ogr", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"### Import {r0['read']:,} FIRMS rows into the {CONFIG.scale} district (`benchmarks/bench_import.py`)\n\n"
        f"{r0['read']:,} rows read; {r0['imported']:,} imported, {r0['outside']:,} outside the district, "
        f"{r0['duplicates']:,} duplicates; {repeats} interleaved runs, medians.\n\n"
        "| | median s | peak MB |\n|---|---:|---:|\n"
        f"| GridWatch `gridwatch import --layer fire_point` (parse, cell join, duplicate check, one transaction) "
        f"| {o:.2f} | {peak:.0f} |\n"
        f"| `ogr2ogr` CSV -> new GeoPackage, no join ({version}) | {b:.2f} | |\n"
        f"| **ratio GridWatch / ogr2ogr** | **{o / b:.2f}** | (target ≤ 1.2; peak ≤ 2048 MB) |\n"
    )
