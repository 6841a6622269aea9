"""Coverage by patrol track, and the sign-in (签到) check of reported inspections.

A cell counts as *walked* on a Beijing-time day when the tracks of that day stay in it at least
``TrackRules.min_minutes`` (time between consecutive points, gaps longer than ``max_gap_s`` not
counted, each interval credited to the cell of its first point), or when a band of
``buffer_m`` either side of the tracks covers at least ``min_fraction`` of its area.  The band is
measured on a raster of ``2 buffer_m / 5`` pixels (a band is then five pixels wide) in the
district's Gauss-Kruger metres: each cell's pixels are labelled once, and each day's track points
(densified to half a pixel) stamp a disc of ``buffer_m`` around them.

The walks feed :func:`gridwatch.analysis.coverage.coverage` as visits (one per cell and day, at
the time the walk entered the cell), so the panel, the maps and the exports count reported
inspections, tracks, or both in the same way.

The sign-in check flags an inspection when no track point of its inspector lies within
``signin_distance_m`` of its cell between ``signin_window_min`` minutes before it started and as
long after it finished.

Pure numpy/shapely/pandas; :func:`walks_from_project` and :func:`signin_check_from_project` read a
project through storage.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

import numpy as np
import shapely

from ..crs import measuring_epsg
from ..domain.tracks import TrackRules

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

_BEIJING_NS = np.int64(8 * 3600 * 10**9)
_DAY_NS = np.int64(86400 * 10**9)


@dataclass
class CellRaster:
    """Grid cells burnt into a raster of metres: ``labels[row, col]`` is a cell's index or -1."""

    labels: np.ndarray
    x0: float
    y0: float  # top edge
    res: float
    pixels_per_cell: np.ndarray
    epsg: int


def _to_metres(lon: np.ndarray, lat: np.ndarray, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    tr = Transformer.from_crs(4490, epsg, always_xy=True)
    x, y = tr.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x), np.asarray(y)


def cell_raster(cells, res: float) -> CellRaster:  # type: ignore[no-untyped-def]
    """Label raster of ``cells`` (a GeoDataFrame in EPSG:4490) at ``res`` metres.

    Each cell's rings are filled into a 32-bit integer image with Pillow's polygon fill (C speed;
    holes filled back with -1), so labelling a district's thousands of cells takes tens of milliseconds.
    """
    from PIL import Image, ImageDraw

    epsg = measuring_epsg(tuple(cells.total_bounds))
    geoms = np.asarray(cells.to_crs(epsg).geometry.values, dtype=object)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    width = int(np.ceil((maxx - minx) / res)) + 1
    height = int(np.ceil((maxy - miny) / res)) + 1
    img = Image.new("I", (width, height), -1)
    draw = ImageDraw.Draw(img)

    def pixels(ring) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
        xy = shapely.get_coordinates(ring)
        return list(zip(((xy[:, 0] - minx) / res - 0.5).tolist(), ((maxy - xy[:, 1]) / res - 0.5).tolist()))

    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        polys = list(g.geoms) if g.geom_type == "MultiPolygon" else [g]
        for poly in polys:
            draw.polygon(pixels(poly.exterior), fill=i)
        for poly in polys:
            for hole in poly.interiors:
                draw.polygon(pixels(hole), fill=-1)
    labels = np.asarray(img, dtype=np.int32).copy()
    counts = np.bincount(labels[labels >= 0].ravel(), minlength=len(geoms))
    return CellRaster(labels, float(minx), float(maxy), float(res), counts, epsg)


def _beijing_day(ns: np.ndarray) -> np.ndarray:
    return (ns + _BEIJING_NS) // _DAY_NS


def walks(cells, tracks: pd.DataFrame, rules: TrackRules = TrackRules(),  # type: ignore[no-untyped-def]
          raster: Optional[CellRaster] = None) -> pd.DataFrame:
    """Cells walked per Beijing-time day.

    Parameters
    ----------
    cells : GeoDataFrame
        Grid cells (``code``) in EPSG:4490.
    tracks : DataFrame
        Track points: ``inspector_uuid``, ``recorded_at`` (UTC), ``lon``, ``lat`` (see
        :func:`gridwatch.storage.tracks.read_tracks`).

    Returns
    -------
    DataFrame
        One row per cell and day with a track in it: ``cell_code``, ``day`` (date), ``minutes``
        (time in the cell), ``fraction`` (share of the cell within ``buffer_m`` of the tracks),
        ``walked`` (either rule met), ``started_at`` (UTC: the first point in the cell that day),
        ``inspectors`` (how many people's tracks).
    """
    cols = ["cell_code", "day", "minutes", "fraction", "walked", "started_at", "inspectors"]
    if len(tracks) == 0 or len(cells) == 0:
        return pd.DataFrame({c: [] for c in cols})
    raster = raster or cell_raster(cells, max(rules.buffer_m * 2.0 / 5.0, 4.0))
    codes = cells["code"].astype(str).to_numpy()
    who = pd.factorize(tracks["inspector_uuid"])[0]
    t_ns = tracks["recorded_at"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64)
    order = np.lexsort((t_ns, who))  # by person, then time (read_tracks gives them so: a cheap check)
    lon, lat = tracks["lon"].to_numpy(float), tracks["lat"].to_numpy(float)
    if (np.diff(order) != 1).any():
        who, t_ns, lon, lat = who[order], t_ns[order], lon[order], lat[order]
    x, y = _to_metres(lon, lat, raster.epsg)
    h, w = raster.labels.shape
    col = np.floor((x - raster.x0) / raster.res).astype(np.int64)
    row = np.floor((raster.y0 - y) / raster.res).astype(np.int64)
    inside = (col >= 0) & (col < w) & (row >= 0) & (row < h)
    cell = np.full(len(x), -1, dtype=np.int64)
    cell[inside] = raster.labels[row[inside], col[inside]]
    day = _beijing_day(t_ns)
    # dwell: the interval to the next point of the same person, same day, not too long
    dt = np.zeros(len(t_ns))
    if len(t_ns) > 1:
        d = np.diff(t_ns) / 1e9
        same = (who[1:] == who[:-1]) & (day[1:] == day[:-1]) & (d <= rules.max_gap_s) & (d >= 0)
        dt[:-1] = np.where(same, d, 0.0)
    ok = cell >= 0
    # per (cell, day): time in it, the first point, how many people; with integer keys and numpy
    day0 = int(day.min())
    key = cell[ok] * np.int64(int(day.max()) - day0 + 1) + (day[ok] - day0)
    keys, inv = np.unique(key, return_inverse=True)
    minutes = np.bincount(inv, weights=dt[ok]) / 60.0
    first = np.full(len(keys), np.iinfo(np.int64).max)
    np.minimum.at(first, inv, t_ns[ok])
    nwho = np.int64(int(who.max()) + 1)
    pairs = np.unique(inv.astype(np.int64) * nwho + who[ok])  # (cell-day, person) once each
    people = np.bincount(pairs // nwho, minlength=len(keys))
    kcell, kday = np.divmod(keys, np.int64(int(day.max()) - day0 + 1))
    out = pd.DataFrame({"minutes": minutes, "t": first, "inspectors": people},
                       index=pd.MultiIndex.from_arrays([kcell, kday + day0], names=["cell", "day"]))
    bands: list[pd.DataFrame] = []
    # band coverage per day: stamp discs of buffer_m around densified points on the raster
    # a disc of whole pixels as wide as the band: 2 * radius + 1 pixels of 2 * buffer_m / 5 metres
    radius = max(1, int(round((2.0 * rules.buffer_m / raster.res - 1.0) / 2.0)))
    oy, ox = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    disc = (ox**2 + oy**2) <= radius**2 + radius
    flat_labels = raster.labels.ravel()
    ox, oy = ox[disc], oy[disc]
    for d in np.unique(day):
        sel = day == d
        px, py, pw = _densify(x[sel], y[sel], who[sel], t_ns[sel], rules.max_gap_s, raster.res / 2.0)
        pc = np.floor((px - raster.x0) / raster.res).astype(np.int64)
        pr = np.floor((raster.y0 - py) / raster.res).astype(np.int64)
        keep = (pc >= -radius) & (pc < w + radius) & (pr >= -radius) & (pr < h + radius)
        pc, pr = pc[keep], pr[keep]
        # the day's point pixels, each once (a mask of the raster plus a margin for the disc)
        wide, tall = w + 2 * radius, h + 2 * radius
        seen = np.zeros(wide * tall, dtype=bool)
        seen[(pr + radius) * wide + (pc + radius)] = True
        pr, pc = np.divmod(np.flatnonzero(seen), wide)
        pr, pc = pr - radius, pc - radius
        rr = (pr[:, None] + oy[None, :]).ravel()
        cc = (pc[:, None] + ox[None, :]).ravel()
        good = (rr >= 0) & (rr < h) & (cc >= 0) & (cc < w)
        covered = np.zeros(h * w, dtype=bool)
        covered[rr[good] * w + cc[good]] = True
        lab = flat_labels[covered]
        lab = lab[lab >= 0]
        hit = np.bincount(lab, minlength=len(raster.pixels_per_cell))
        touched = np.nonzero(hit)[0]
        frac = np.minimum(1.0, hit[touched] / np.maximum(raster.pixels_per_cell[touched], 1))
        bands.append(pd.DataFrame({"cell": touched.astype(np.int64), "day": np.full(len(touched), d, dtype=np.int64),
                                   "band": frac}))
    band = pd.concat(bands, ignore_index=True).set_index(["cell", "day"])["band"] if bands else pd.Series(
        [], dtype=float)
    out = out.join(band, how="outer")
    out["fraction"] = out["band"].fillna(0.0)
    out["minutes"] = out["minutes"].fillna(0.0)
    out["inspectors"] = out["inspectors"].fillna(0)
    out = out.drop(columns="band").reset_index()
    out["walked"] = (out["minutes"] >= rules.min_minutes) | (out["fraction"] >= rules.min_fraction)
    out["cell_code"] = codes[out["cell"].to_numpy(dtype=np.int64)]
    out["day"] = [(_dt.date(1970, 1, 1) + _dt.timedelta(days=int(d))) for d in out["day"]]
    # a cell only touched by the band has no point in it: its visit time is the day's noon, Beijing time
    noon = (out["day"].map(lambda d: (d - _dt.date(1970, 1, 1)).days).to_numpy(dtype=np.int64) * _DAY_NS
            + np.int64(4 * 3600 * 10**9))
    tt = out["t"].to_numpy(dtype=float)
    t_final = np.where(np.isnan(tt), noon.astype(float), tt).astype(np.int64)
    out["started_at"] = pd.to_datetime(t_final, utc=True)
    out["inspectors"] = out["inspectors"].astype(int)
    return out[cols].sort_values(["day", "cell_code"]).reset_index(drop=True)


def _densify(x: np.ndarray, y: np.ndarray, who: np.ndarray, t: np.ndarray, max_gap_s: float,
             step: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points along each person's track no more than ``step`` apart (across gaps: not joined)."""
    if len(x) < 2:
        return x, y, who
    dx, dy = np.diff(x), np.diff(y)
    joined = (who[1:] == who[:-1]) & (np.diff(t) / 1e9 <= max_gap_s)
    n = np.where(joined, np.ceil(np.hypot(dx, dy) / step).astype(np.int64), 0)
    n = np.minimum(n, 2000)  # a jump of kilometres is a glitch, not a walk
    total = int(n.sum())
    if total == 0:
        return x, y, who
    seg = np.repeat(np.arange(len(n)), n)
    k = np.arange(total) - np.repeat(np.cumsum(n) - n, n)
    f = (k + 0.5) / n[seg]
    return (np.concatenate([x, x[seg] + dx[seg] * f]), np.concatenate([y, y[seg] + dy[seg] * f]),
            np.concatenate([who, who[seg]]))


def walks_as_visits(walked: pd.DataFrame) -> pd.DataFrame:
    """The walked cells as visits for :func:`gridwatch.analysis.coverage.coverage` (``cell_code``, ``started_at``)."""
    if len(walked) == 0:
        return pd.DataFrame({"cell_code": pd.Series([], dtype=object), "started_at": pd.Series([], dtype=object)})
    w = walked[walked["walked"]]
    return pd.DataFrame({"cell_code": w["cell_code"].to_numpy(), "started_at": w["started_at"].to_numpy()})


def signin_check(cells, inspections: pd.DataFrame, tracks: pd.DataFrame,  # type: ignore[no-untyped-def]
                 rules: TrackRules = TrackRules()) -> pd.DataFrame:
    """Every inspection with whether a track of its inspector came near its cell at that time.

    Returns ``inspections`` with ``signed_in`` (bool), ``nearest_m`` (the nearest track point of the
    window to the cell, NaN when there was none) and ``track_points`` (points in the window).
    """
    out = inspections.copy()
    out["signed_in"] = False
    out["nearest_m"] = np.nan
    out["track_points"] = 0
    if len(out) == 0:
        return out
    epsg = measuring_epsg(tuple(cells.total_bounds))
    geoms = dict(zip(cells["code"].astype(str), np.asarray(cells.to_crs(epsg).geometry.values, dtype=object)))
    window = pd.Timedelta(minutes=rules.signin_window_min)
    starts = pd.to_datetime(out["started_at"], utc=True, errors="coerce", format="ISO8601")
    ends = pd.to_datetime(out["finished_at"], utc=True, errors="coerce", format="ISO8601") \
        if "finished_at" in out.columns else starts
    ends = ends.fillna(starts)
    if len(tracks):
        x, y = _to_metres(tracks["lon"].to_numpy(), tracks["lat"].to_numpy(), epsg)
        t = tracks["recorded_at"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]").view(np.int64)
        by_person = {k: np.asarray(v) for k, v in tracks.groupby("inspector_uuid", observed=True).indices.items()}
    else:
        by_person = {}
    for i, (cell, person, s, e) in enumerate(zip(out["cell_code"].astype(str), out["inspector_uuid"], starts, ends)):
        idx = by_person.get(person)
        g = geoms.get(cell)
        if idx is None or g is None or pd.isna(s):
            continue
        lo, hi = (s - window).value, (e + window).value
        sel = idx[(t[idx] >= lo) & (t[idx] <= hi)]
        out.iat[i, out.columns.get_loc("track_points")] = len(sel)
        if not len(sel):
            continue
        d = shapely.distance(g, shapely.points(x[sel], y[sel]))
        nearest = float(np.min(d))
        out.iat[i, out.columns.get_loc("nearest_m")] = round(nearest, 1)
        out.iat[i, out.columns.get_loc("signed_in")] = nearest <= rules.signin_distance_m
    return out


def walks_from_project(path: os.PathLike[str] | str, *, start: Optional[_dt.datetime] = None,
                       end: Optional[_dt.datetime] = None, rules: TrackRules = TrackRules()) -> pd.DataFrame:
    """:func:`walks` of a project's cells and tracks in ``[start, end)``."""
    from ..storage import Project
    from ..storage.tracks import read_tracks

    project = Project.open(path)
    return walks(project.read_layer("grid_cell", columns=["code"]),
                 read_tracks(path, start=start, end=end, columns=()), rules)


def signin_check_from_project(path: os.PathLike[str] | str, *, start: Optional[_dt.datetime] = None,
                              end: Optional[_dt.datetime] = None, rules: TrackRules = TrackRules()) -> pd.DataFrame:
    """:func:`signin_check` of the project's inspections that started in ``[start, end)``."""
    from ..storage import Project
    from ..storage.tracks import read_tracks

    project = Project.open(path)
    ins = project.read_table("inspection", columns=["uuid", "cell_code", "inspector_uuid", "kind", "started_at",
                                                    "finished_at"])
    s = pd.to_datetime(ins["started_at"], utc=True, errors="coerce", format="ISO8601")
    keep = s.notna()
    if start is not None:
        keep &= s >= pd.Timestamp(start)
    if end is not None:
        keep &= s < pd.Timestamp(end)
    ins = ins[keep].reset_index(drop=True)
    pad = _dt.timedelta(minutes=rules.signin_window_min, days=1)
    tracks = read_tracks(path, start=(start - pad) if start else None, end=(end + pad) if end else None, columns=())
    return signin_check(project.read_layer("grid_cell", columns=["code"]), ins, tracks, rules)
