"""Fire points of the sample's two months: a few dozen straw fires and a few persistent heat sources.

A district sees a few dozen real straw fires a month in the autumn season (after the maize
harvest, peaking in the second half of October), in small clusters on farmland, plus industrial
heat sources (two lime kilns, a brick kiln, a cement plant) that the satellites detect again and
again at the same place.  Overpass times follow the satellites: VIIRS about 13:30 and 01:30
Beijing time, MODIS Terra 10:30 and Aqua 13:30, Fengyun-3D about 13:50.  MODIS detections carry
FIRMS's ``type`` (0 vegetation fire, 2 other static land source), as archive files do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

#: Straw-fire clusters over the two months, and the persistent heat sources.
N_CLUSTERS = 30
HEAT_SOURCES = (("lime_kiln", "hill"), ("lime_kiln", "hill"), ("brick_kiln", "plain"), ("cement", "plain"))
#: Chance that a satellite sees a heat source on a given day (clouds, overpass angle).
HEAT_DAILY = 0.25


@dataclass
class Fires:
    """Generated detections in projected metres, their cell and their times (UTC)."""

    x: np.ndarray
    y: np.ndarray
    cell: np.ndarray
    utc: np.ndarray  # datetime64[s]
    source: np.ndarray
    satellite: np.ndarray
    confidence: np.ndarray
    frp: np.ndarray
    source_type: np.ndarray  # float, NaN where the product has no type
    plant: np.ndarray  # index into HEAT_SOURCES, -1 for straw fires


def _pass(rng: np.random.Generator, source: str) -> tuple[str | None, int]:
    """(satellite, minutes after Beijing midnight) of one detection by ``source``."""
    if source == "VIIRS":
        sat = str(rng.choice(["N", "N20", "N21"]))
        return sat, (13 * 60 + 20 if rng.random() < 0.75 else 60 + 40) + int(rng.integers(-25, 26))
    if source == "MODIS":
        terra = rng.random() < 0.45
        return ("Terra" if terra else "Aqua"), (10 * 60 + 30 if terra else 13 * 60 + 30) + int(rng.integers(-20, 21))
    if source == "Fengyun":
        return "FY-3D", 13 * 60 + 50 + int(rng.integers(-20, 21))
    return None, int(rng.integers(8 * 60, 18 * 60))  # reported by someone on the ground


def living_fires(rng: np.random.Generator, first_day: np.datetime64, n_days: int, farmland: np.ndarray,
                 hills: np.ndarray, plain: np.ndarray, spacing: float, cell_tree: shapely.STRtree) -> Fires:
    """Detections of ``n_days`` days from ``first_day`` (a Beijing-time date).

    ``farmland``, ``hills``, ``plain``: candidate positions (projected metres) for straw fires,
    hill kilns and plain industry; ``cell_tree`` finds the cell of each detection.
    """
    xs: list[float] = []
    ys: list[float] = []
    days: list[int] = []
    sources: list[str] = []
    plants: list[int] = []
    # straw fires: clusters on farmland, most in the second half of October; two on the last day
    d = np.arange(n_days)
    weight = np.exp(-(((d - 20) / 11.0) ** 2)) + 0.12
    c_day = rng.choice(d, size=N_CLUSTERS, p=weight / weight.sum())
    c_day[:2] = n_days - 1
    for k in range(N_CLUSTERS):
        centre = farmland[rng.integers(len(farmland))] + rng.normal(0, spacing * 0.3, 2)
        for _ in range(1 + int(rng.poisson(1.2))):
            xy = centre + rng.normal(0, 250.0, 2)
            xs.append(float(xy[0]))
            ys.append(float(xy[1]))
            days.append(int(min(n_days - 1, c_day[k] + (rng.random() < 0.25))))
            sources.append(str(rng.choice(["VIIRS", "MODIS", "Fengyun", "manual"], p=[0.6, 0.25, 0.12, 0.03])))
            plants.append(-1)
    # heat sources: the same place, day after day
    for p, (_, where) in enumerate(HEAT_SOURCES):
        pool = hills if where == "hill" else plain
        site = pool[rng.integers(len(pool))] + rng.normal(0, spacing * 0.2, 2)
        seen = np.flatnonzero(rng.random(n_days) < HEAT_DAILY)
        for day in seen:
            xy = site + rng.normal(0, 90.0, 2)  # geolocation scatter of a point source
            xs.append(float(xy[0]))
            ys.append(float(xy[1]))
            days.append(int(day))
            sources.append("VIIRS" if rng.random() < 0.7 else "MODIS")
            plants.append(p)
    x, y = np.array(xs), np.array(ys)
    hit = cell_tree.query(shapely.points(x, y), predicate="within")
    cell = np.full(len(x), -1, dtype=np.int64)
    cell[hit[0]] = hit[1]
    keep = cell >= 0  # a detection just outside the district is not the district's
    n = int(keep.sum())
    src = np.array(sources, dtype=object)[keep]
    plant = np.array(plants, dtype=np.int64)[keep]
    sat = np.empty(n, dtype=object)
    minutes = np.empty(n, dtype=np.int64)
    for i, s in enumerate(src):
        sat[i], minutes[i] = _pass(rng, str(s))
    local = (first_day + np.array(days, dtype=np.int64)[keep].astype("timedelta64[D]")).astype("datetime64[s]") \
        + minutes.astype("timedelta64[m]") + rng.integers(0, 60, n).astype("timedelta64[s]")
    utc = local - np.timedelta64(8, "h")
    heat = plant >= 0
    conf = np.where(src == "VIIRS", rng.choice([20, 60, 90], size=n, p=[0.1, 0.65, 0.25]),
                    np.clip(rng.normal(75, 12, n), 30, 100).round()).astype(np.int64)
    conf[src == "manual"] = 100
    frp = np.round(np.where(heat, rng.lognormal(2.3, 0.5, n), rng.lognormal(1.0, 0.8, n)), 1)
    stype = np.full(n, np.nan)
    modis = src == "MODIS"
    stype[modis] = np.where(heat[modis], 2.0, 0.0)
    order = np.argsort(utc, kind="stable")
    return Fires(x[keep][order], y[keep][order], cell[keep][order], utc[order], src[order], sat[order],
                 conf[order], frp[order], stype[order], plant[order])
