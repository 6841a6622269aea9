"""Write an NMEA 0183 log of a walk through the sample district (tests/data/patrol_walk.nmea).

The walk: the grid inspector of the sample's first village cell goes from cell to cell of their
village at walking pace (1.3 m/s), one GGA+RMC pair every 5 seconds, with a metre or two of
receiver noise, starting at 09:00 Beijing time on the sample's as-of date.  The same command gives
the same file.

    .venv/bin/python tools/make_nmea_log.py [--project sample_data/luquan_sample.gpkg] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime as _dt
from pathlib import Path

import numpy as np
from pyproj import Transformer

from gridwatch.crs import measuring_epsg
from gridwatch.importers.nmea import Fix, fix_sentences
from gridwatch.storage import Project

ROOT = Path(__file__).resolve().parents[1]


def walk(project_path: Path, step_s: float = 5.0, speed: float = 1.3, seed: int = 7) -> tuple[str, list[Fix]]:
    project = Project.open(project_path)
    cells = project.read_layer("grid_cell").sort_values("code")
    person = cells["inspector_uuid"].dropna().iloc[0]
    mine = cells[cells["inspector_uuid"] == person]
    epsg = measuring_epsg(tuple(cells.total_bounds))
    pts = mine.to_crs(epsg).geometry.representative_point()
    xy = np.column_stack([pts.x, pts.y])
    order = [0]  # nearest neighbour round through the cells
    left = list(range(1, len(xy)))
    while left:
        last = xy[order[-1]]
        j = min(left, key=lambda k: float(np.hypot(*(xy[k] - last))))
        order.append(j)
        left.remove(j)
    route = xy[order]
    seg = np.hypot(*np.diff(route, axis=0).T)
    total = float(seg.sum())
    n = int(total / (speed * step_s)) + 1
    s = np.linspace(0.0, total, n)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    x = np.interp(s, cum, route[:, 0])
    y = np.interp(s, cum, route[:, 1])
    rng = np.random.default_rng(seed)
    x += rng.normal(0, 1.5, n)
    y += rng.normal(0, 1.5, n)
    lon, lat = Transformer.from_crs(epsg, 4490, always_xy=True).transform(x, y)
    as_of = _dt.date.fromisoformat(project.meta.get("as_of", _dt.date.today().isoformat()))
    t0 = _dt.datetime(as_of.year, as_of.month, as_of.day, 1, 0, tzinfo=_dt.timezone.utc)  # 09:00 Beijing
    fixes = [Fix(t0 + _dt.timedelta(seconds=step_s * i), float(lon[i]), float(lat[i]),
                 float(round(3.0 + rng.random() * 4.0, 1)), speed, int(8 + rng.integers(0, 6)))
             for i in range(n)]
    return str(person), fixes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", default=str(ROOT / "sample_data" / "luquan_sample.gpkg"))
    ap.add_argument("--out", default=str(ROOT / "tests" / "data" / "patrol_walk.nmea"))
    args = ap.parse_args()
    person, fixes = walk(Path(args.project))
    lines = []
    for f in fixes:
        lines += fix_sentences(f)
    Path(args.out).write_text("\r\n".join(lines) + "\r\n", encoding="ascii")
    print(f"{args.out}: {len(fixes)} fixes of {person}, {fixes[0].time.isoformat()} to {fixes[-1].time.isoformat()}")


if __name__ == "__main__":
    main()
