"""Patrol tracks (巡查轨迹) of the sample district: the walks behind its inspections.

Most inspections of the last :data:`TRACK_DAYS` days come with the track the inspector's laptop
recorded (source ``gps``, a point every :data:`EVERY_S` seconds: the app's *Record every* set to two
minutes, as a district keeps its file small): a walk between a few points of the cell at a walking
pace with GPS noise, from a few minutes before the inspection started to a few minutes after it
finished.  Some have none, so the 签到 check has what it finds in a real district: a few
inspectors never switch their receiver on (:data:`NO_RECEIVER` of them), the others forget it now
and then (:data:`FORGET`), and some walk the round on another day than the one they report
(:data:`OTHER_DAY`: the track is there, an hour off its inspection or more).  Tracks began
:data:`TRACK_DAYS` days before the as-of date (the receivers were handed out then): older
inspections have none, and the 签到 check and the coverage by track look at the weeks since.

Same seed, same tracks; one audit row per track, as the app writes it when the GPS stops.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from ..layers.base import uuids_from_rng
from ..storage.gpkg import gpkg_datetime

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd

#: Days before the as-of date the laptops began recording tracks.
TRACK_DAYS = 14
#: Seconds between two recorded points.
EVERY_S = 120
#: Inspectors who never switch their receiver on.
NO_RECEIVER = 6
#: Share of the other inspections with no track (the receiver forgotten).
FORGET = 0.05
#: Share walked on another day than reported (a track, but not near the inspection's time).
OTHER_DAY = 0.02
#: Walking pace, metres a second, and the GPS noise, metres (1 sigma).
PACE_M_S = 1.1
NOISE_M = 6.0
M_PER_DEG_LAT = 111_320.0


def sample_tracks(rng: np.random.Generator, inspections: pd.DataFrame, cells: dict[str, Any],
                  names: dict[str, str], as_of: _dt.date) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]]]:
    """Track points (the ``track_point`` table, EPSG:4490) and their audit rows for ``inspections``
    (rows as the app writes them: ISO times), walking in ``cells`` (code -> polygon in degrees)."""
    start = pd.Timestamp(as_of, tz="Asia/Shanghai") - pd.Timedelta(days=TRACK_DAYS)
    began = pd.to_datetime(inspections["started_at"], utc=True, format="ISO8601")
    done = pd.to_datetime(inspections["finished_at"], utc=True, format="ISO8601")
    people = sorted(set(inspections["inspector_uuid"]))
    silent = set(rng.choice(people, size=min(NO_RECEIVER, len(people)), replace=False).tolist())
    cols: dict[str, list[Any]] = {k: [] for k in ("track_uuid", "inspector_uuid", "assignment_uuid", "t", "acc")}
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    audit: list[dict[str, Any]] = []
    for i in np.argsort(began.to_numpy(), kind="stable"):
        row = inspections.iloc[int(i)]
        t0, t1 = began.iloc[int(i)], done.iloc[int(i)]
        cell = cells.get(row["cell_code"])
        r = rng.random()  # drawn for every inspection: one more or less changes no other walk
        if cell is None or pd.isna(t1) or t0 < start or row["inspector_uuid"] in silent or r < FORGET:
            continue
        shift = pd.Timedelta(0)
        if r < FORGET + OTHER_DAY:
            shift = pd.Timedelta(days=int(rng.choice([-2, -1, 1])), minutes=int(rng.integers(-180, 180)))
        lead = pd.Timedelta(seconds=int(rng.integers(60, 480)))
        t_start, t_stop = t0 - lead + shift, t1 + lead + shift
        x, y = _walk(rng, cell, (t_stop - t_start).total_seconds())
        n = len(x)
        times = t_start + pd.to_timedelta(np.arange(n) * EVERY_S, unit="s")
        track = uuids_from_rng(rng, 1)[0]
        xs.append(x)
        ys.append(y)
        cols["track_uuid"] += [track] * n
        cols["inspector_uuid"] += [row["inspector_uuid"]] * n
        cols["assignment_uuid"] += [row["assignment_uuid"]] * n
        cols["t"].append(times.tz_convert("UTC"))
        cols["acc"].append(np.round(rng.uniform(3.0, 12.0, n), 1))
        audit.append({"uuid": uuids_from_rng(rng, 1)[0], "at": gpkg_datetime(times[-1].to_pydatetime()),
                      "user_name": names[row["inspector_uuid"]], "action": "import", "table_name": "track_point",
                      "row_uuid": None, "old_values": None, "new_values": None,
                      "details": json.dumps({"track_uuid": track, "inspector_uuid": row["inspector_uuid"],
                                             "points": n, "source": "gps"}, ensure_ascii=False)})
    n_all = len(cols["track_uuid"])
    times_all = (pd.DatetimeIndex(np.concatenate([t.to_numpy() for t in cols["t"]])) if cols["t"]
                 else pd.DatetimeIndex([], tz="UTC"))
    frame = gpd.GeoDataFrame({
        "uuid": uuids_from_rng(rng, n_all),
        "track_uuid": cols["track_uuid"],
        "inspector_uuid": cols["inspector_uuid"],
        "assignment_uuid": cols["assignment_uuid"],
        "recorded_at": pd.Series(times_all, dtype="datetime64[ns, UTC]").astype("datetime64[ms, UTC]"),
        "accuracy_m": np.concatenate(cols["acc"]) if cols["acc"] else np.empty(0),
        "source": "gps",
    }, geometry=gpd.GeoSeries(shapely.points(np.concatenate(xs), np.concatenate(ys)) if xs else [],
                              crs="EPSG:4490"))
    return frame, audit


def _walk(rng: np.random.Generator, cell: Any, seconds: float) -> tuple[np.ndarray, np.ndarray]:
    """Positions (degrees) every :data:`EVERY_S` seconds of a walk of ``seconds`` between a few points of
    ``cell``: there and back along its lanes, at a walking pace that stops now and then, with GPS noise."""
    n = max(2, int(seconds // EVERY_S) + 1)
    minx, miny, maxx, maxy = cell.bounds
    kx = np.cos(np.radians((miny + maxy) / 2)) * M_PER_DEG_LAT
    stops: list[tuple[float, float]] = []
    for _ in range(20):
        px, py = rng.uniform(minx, maxx, 12), rng.uniform(miny, maxy, 12)
        inside = shapely.contains_xy(cell, px, py)
        stops += list(zip(px[inside].tolist(), py[inside].tolist()))
        if len(stops) >= 6:
            break
    if len(stops) < 6:  # a sliver of a cell: walk about its inner point
        c = cell.representative_point()
        stops += [(c.x, c.y)] * (6 - len(stops))
    k = int(rng.integers(3, 7))
    way = np.array(stops[:k] + stops[:1])  # a round back to where the walk began
    seg = np.hypot(np.diff(way[:, 0]) * kx, np.diff(way[:, 1]) * M_PER_DEG_LAT)
    along = np.concatenate([[0.0], np.cumsum(seg)])
    # metres walked by each point: a walking pace, standing still a fifth of the minutes (looking, talking)
    step = PACE_M_S * EVERY_S * (rng.random(n - 1) > 0.2) * rng.uniform(0.6, 1.3, n - 1)
    walked = np.concatenate([[0.0], np.cumsum(step)]) % max(along[-1], 1.0)
    x = np.interp(walked, along, way[:, 0]) + rng.normal(0, NOISE_M, n) / kx
    y = np.interp(walked, along, way[:, 1]) + rng.normal(0, NOISE_M, n) / M_PER_DEG_LAT
    return x, y
