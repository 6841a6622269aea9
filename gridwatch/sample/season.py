"""The stress district's fire season: March to November of the year before the as-of date, in clusters on
farmland (a June wheat-harvest peak, the main straw-burning peak in October and November).

The bundled sample draws the same numbers (so its district stays the same) but uses the two-month
model of :mod:`gridwatch.sample.fires` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
import shapely

from .shapes import SEASON_YEAR, _days_in_month

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

_MONTH_WEIGHTS = {3: 3.0, 4: 4.0, 5: 3.0, 6: 12.0, 7: 2.0, 8: 1.0, 9: 4.0, 10: 36.0, 11: 30.0}


@dataclass
class Season:
    """A season of detections in projected metres, sorted by ``order``."""

    x: np.ndarray
    y: np.ndarray
    cell: np.ndarray
    source: np.ndarray
    satellite: np.ndarray
    utc: np.ndarray
    confidence: np.ndarray
    frp: np.ndarray
    status: np.ndarray
    order: np.ndarray


def season_fires(rng: np.random.Generator, n_fires: int, cpts: np.ndarray, farmland: np.ndarray, spacing: float,
                 cell_tree: shapely.STRtree, report: Callable[[float], None]) -> Season:
    """``n_fires`` detections of a season (see the module docstring)."""
    n_clusters = max(60, n_fires // 12)
    months = np.array(list(_MONTH_WEIGHTS))
    mw = np.array(list(_MONTH_WEIGHTS.values()))
    c_month = rng.choice(months, size=n_clusters, p=mw / mw.sum())
    c_day = np.minimum(rng.integers(1, 31, size=n_clusters), _days_in_month(c_month))
    c_centre = cpts[farmland[rng.integers(len(farmland), size=n_clusters)]] + rng.normal(0, spacing * 0.4,
                                                                                       (n_clusters, 2))
    c_weight = rng.gamma(1.2, 1.0, size=n_clusters)
    n_try = int(n_fires * 1.08) + 100
    fx = np.empty(0)
    fy = np.empty(0)
    f_cluster = np.empty(0, dtype=np.int64)
    f_cell = np.empty(0, dtype=np.int64)
    while len(f_cell) < n_fires:
        cl = rng.choice(n_clusters, size=n_try, p=c_weight / c_weight.sum())
        xy = c_centre[cl] + rng.normal(0, 260.0, (n_try, 2))
        report(0.2)
        hit = cell_tree.query(shapely.points(xy), predicate="within")
        cell_of = np.full(n_try, -1, dtype=np.int64)
        cell_of[hit[0]] = hit[1]
        ok = cell_of >= 0
        fx = np.concatenate([fx, xy[ok, 0]])
        fy = np.concatenate([fy, xy[ok, 1]])
        f_cluster = np.concatenate([f_cluster, cl[ok]])
        f_cell = np.concatenate([f_cell, cell_of[ok]])
    nf = n_fires
    fx, fy, f_cluster, f_cell = fx[:nf], fy[:nf], f_cluster[:nf], f_cell[:nf]
    report(0.5)
    src = rng.choice(np.array(["VIIRS", "MODIS", "Fengyun", "manual"]), size=nf, p=[0.58, 0.27, 0.12, 0.03])
    day = pd.to_datetime(
        {"year": np.full(nf, SEASON_YEAR), "month": c_month[f_cluster], "day": c_day[f_cluster]}
    ).to_numpy()
    day = day + (rng.integers(0, 3, size=nf) * np.timedelta64(1, "D"))
    # Overpass times in UTC: Terra ~02:30, Aqua/VIIRS/FY ~05:30, VIIRS night pass ~17:30.
    sat = np.empty(nf, dtype=object)
    utc_minutes = np.empty(nf, dtype=np.int64)
    is_modis = src == "MODIS"
    terra = is_modis & (rng.random(nf) < 0.45)
    sat[is_modis] = "Aqua"
    sat[terra] = "Terra"
    utc_minutes[is_modis] = 5 * 60 + 30
    utc_minutes[terra] = 2 * 60 + 30
    is_viirs = src == "VIIRS"
    sat[is_viirs] = rng.choice(np.array(["N", "N20", "N21"], dtype=object), size=int(is_viirs.sum()))
    night = is_viirs & (rng.random(nf) < 0.3)
    utc_minutes[is_viirs] = 5 * 60 + 20
    utc_minutes[night] = 17 * 60 + 40
    is_fy = src == "Fengyun"
    sat[is_fy] = "FY-3D"
    utc_minutes[is_fy] = 5 * 60 + 50
    is_manual = src == "manual"
    sat[is_manual] = None
    utc_minutes[is_manual] = rng.integers(0, 12 * 60, size=int(is_manual.sum()))
    utc_minutes = utc_minutes + rng.integers(-25, 26, size=nf)
    utc = day + utc_minutes * np.timedelta64(1, "m") + rng.integers(0, 60, size=nf) * np.timedelta64(1, "s")
    # Beijing time of a night pass on day D falls on D+1 local; fine for a simulation.
    utc = utc.astype("datetime64[s]")
    conf = np.where(is_viirs, rng.choice([20, 60, 90], size=nf, p=[0.1, 0.7, 0.2]),
                    np.clip(rng.normal(72, 15, nf), 10, 100).round()).astype(np.int64)
    conf[is_manual] = 100
    frp = np.round(rng.lognormal(1.3, 0.9, nf), 1)
    season_end = np.datetime64(f"{SEASON_YEAR}-11-24")
    recent = utc >= season_end
    status = rng.choice(np.array(["burning_confirmed", "no_burning", "outside_cell", "unverified"], dtype=object),
                        size=nf, p=[0.34, 0.52, 0.06, 0.08])
    status[recent] = "unverified"
    order_f = np.argsort(utc, kind="stable")
    report(0.8)
    return Season(fx, fy, f_cell, src, sat, utc, conf, frp, status, order_f)
