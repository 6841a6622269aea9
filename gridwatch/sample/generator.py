"""Deterministic generator of a realistic sample district (and of a stress district).

The district is 鹿泉区 (county 130110, Shijiazhuang, Hebei) with its 13 real township names and
codes; everything else is synthetic but shaped like the real thing:

* grid cells are a Voronoi tessellation of seeds that are denser in the town centre, relaxed
  once (Lloyd) so cells are compact; the district outline, the townships and the villages are
  unions of whole cells, grown from seed cells by a randomised shortest-path race on the cell
  adjacency graph.  Cells therefore tile their villages exactly (shared vertices are the very
  same coordinates) and boundaries are irregular, like real ones;
* hills in the west (mountain townships, 乡, mines), the town centre in the east-centre
  (communities, construction sites, the ban zones), farmland elsewhere (fire points in clusters,
  peaking in the straw-burning months of October and November, with a smaller June peak).

Geometry is built in the CGCS2000 Gauss-Kruger zone of the district and stored in EPSG:4490.
The same ``seed`` gives the same district.  ``scale="stress"`` makes a district of 20,000 cells
and 1,000,000 fire points for benchmarks.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np
import shapely
import shapely.affinity
from pyproj import Transformer
from shapely.geometry import MultiPoint, Polygon, box

from ..crs import PROJECT_EPSG, gauss_kruger_epsg
from ..layers.base import uuids_from_rng
from ..storage.project import write_project
from ..tasks import CancelToken, ProgressCallback, Steps
from . import names as nm
from .month import Place, living_month
from .people import make_people
from .season import Season, season_fires
from .shapes import (
    _adjacency,
    _blob,
    _connected_core,
    _dedupe,
    _grow,
    _hill_score,
    _key_areas,
    _order_key,
    _spread_seeds,
    _township_of,
)

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd

COUNTY_CODE = "130110"
COUNTY_NAME = "鹿泉区"
COUNTY_SHORT = "鹿泉"
CITY_NAME = "石家庄市"
#: Approximate centre of the real county (lon, lat), CGCS2000 degrees.
CENTRE_LONLAT = (114.31, 38.09)
TOWNSHIP_CSV = Path(__file__).with_name(f"townships_{COUNTY_CODE}.csv")
#: Fixed time stamp written into generated files, so the same seed gives the same bytes.
GENERATED_AT = _dt.datetime(2026, 12, 1, tzinfo=_dt.timezone.utc)
#: The bundled sample's as-of date: its two months of work end the day before.  On first run the
#: user's copy is moved in time so that they end yesterday (``storage.timeshift``).
BUNDLED_AS_OF = _dt.date(2026, 12, 1)


@dataclass(frozen=True)
class Scale:
    """Size of a generated district."""

    name: str
    n_cells: int
    n_villages: int
    n_mines: int
    n_sites: int
    n_fires: int
    area_km2: float


SCALES: dict[str, Scale] = {
    "default": Scale("default", 2400, 230, 36, 220, 4200, 603.0),
    "stress": Scale("stress", 20000, 1800, 60, 400, 1_000_000, 603.0 * 20000 / 2400),
    #: The stress district in miniature (its fire points still above the map's density-bin
    #: threshold): every benchmark runs on it in the test suite, so none of them rots unseen.
    "tiny": Scale("tiny", 1200, 110, 8, 40, 120_000, 603.0 * 1200 / 2400),
}



@dataclass
class District:
    """A generated district: layer frames in EPSG:4490 plus workflow tables."""

    layers: dict[str, gpd.GeoDataFrame]
    tables: dict[str, pd.DataFrame]
    scale: Scale
    seed: int


# --------------------------------------------------------------------------------------------
# the generator


def generate_district(
    scale: str = "default",
    seed: int = 2025,
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> District:
    """Generate the sample district in memory; see the module docstring.

    Parameters
    ----------
    scale : {"default", "stress"}
        ``default``: about 2,400 cells, 230 villages, 4,200 fire points (the bundled sample);
        ``stress``: 20,000 cells and 1,000,000 fire points.
    seed : int
        Random seed; the same seed gives the same district.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    sc = SCALES[scale]
    rng = np.random.default_rng(seed)
    steps = Steps(progress, cancel, [("cells", 3), ("regions", 3), ("features", 2), ("fires", 4), ("frames", 3)])

    # --- outline, density and seeds (projected metres) ------------------------------------
    steps.start("cells", "tessellating grid cells")
    proj_epsg = gauss_kruger_epsg(CENTRE_LONLAT[0])
    to_proj = Transformer.from_crs(PROJECT_EPSG, proj_epsg, always_xy=True)
    cx, cy = to_proj.transform(*CENTRE_LONLAT)
    R = float(np.sqrt(sc.area_km2 * 1e6 / np.pi))
    ks = np.arange(2, 7)
    amp = rng.uniform(0.03, 0.10, size=len(ks)) / np.sqrt(ks)
    phase = rng.uniform(0, 2 * np.pi, size=len(ks))

    def rim(theta: np.ndarray) -> np.ndarray:
        return R * (1 + (amp[:, None] * np.cos(ks[:, None] * theta[None, :] + phase[:, None])).sum(0))

    town = np.array([cx + 0.18 * R, cy + 0.04 * R])
    r_urban = 0.2 * R

    def density(xy: np.ndarray) -> np.ndarray:
        d = np.hypot(xy[:, 0] - town[0], xy[:, 1] - town[1])
        return 1.0 + 3.0 * np.exp(-((d / r_urban) ** 2))

    def rho(xy: np.ndarray) -> np.ndarray:
        th = np.arctan2(xy[:, 1] - cy, xy[:, 0] - cx)
        return np.hypot(xy[:, 0] - cx, xy[:, 1] - cy) / rim(th)

    rmax = float(rim(np.linspace(0, 2 * np.pi, 720)).max())
    spacing = float(np.sqrt(sc.area_km2 * 1e6 / sc.n_cells))
    half = rmax + 5 * spacing
    bx0, by0, bx1, by1 = cx - half, cy - half, cx + half, cy + half
    mc = rng.uniform([bx0, by0], [bx1, by1], size=(200_000, 2))
    dmc = density(mc)
    inside_mc = rho(mc) < 1
    box_area = (bx1 - bx0) * (by1 - by0)
    lam = sc.n_cells / (dmc[inside_mc].mean() * inside_mc.mean() * box_area)
    n_box = int(round(lam * dmc.mean() * box_area))
    pts_list = []
    have = 0
    while have < n_box:
        cand = rng.uniform([bx0, by0], [bx1, by1], size=(n_box, 2))
        keep = rng.uniform(0, 4.0, size=n_box) < density(cand)
        pts_list.append(cand[keep])
        have += int(keep.sum())
    pts = np.concatenate(pts_list)[:n_box]
    frame_box = box(bx0, by0, bx1, by1)
    # One Lloyd relaxation step: compact cells, density gradient kept.
    vor = shapely.voronoi_polygons(MultiPoint(pts), extend_to=frame_box, ordered=True)
    cells_all = shapely.intersection(np.asarray(vor.geoms), frame_box)
    pts = shapely.get_coordinates(shapely.centroid(cells_all))
    steps.report(0.4)
    vor = shapely.voronoi_polygons(MultiPoint(pts), extend_to=frame_box, ordered=True)
    cells_all = np.asarray(vor.geoms)
    adj = _adjacency(pts)
    steps.report(0.7)

    # The district is the n_cells seeds deepest inside the outline, kept connected.
    order = np.argsort(rho(pts), kind="stable")
    inside = np.zeros(len(pts), dtype=bool)
    inside[order[: sc.n_cells]] = True
    inside = _connected_core(inside, adj, order, sc.n_cells)
    # No district cell may be an unbounded border cell of the diagram.
    border = np.zeros(len(pts), dtype=bool)
    border_cells = shapely.intersects(cells_all, frame_box.exterior)
    border[border_cells] = True
    if (inside & border).any():
        raise RuntimeError("district reaches the tessellation frame; increase the margin")
    idx = np.flatnonzero(inside)
    cpts = pts[idx]
    cgeom = cells_all[idx]
    local = np.full(len(pts), -1, dtype=np.int64)
    local[idx] = np.arange(len(idx))
    cadj = [local[adj[i]][local[adj[i]] >= 0] for i in idx]
    ncell = len(idx)
    steps.report(1.0)

    # --- townships and villages ------------------------------------------------------------
    steps.start("regions", "growing townships and villages")
    townships = nm.load_townships(TOWNSHIP_CSV)
    n_t = len(townships)
    allowed = np.ones(ncell, dtype=bool)
    d_town = np.hypot(cpts[:, 0] - town[0], cpts[:, 1] - town[1])
    seat_i = next((i for i, (code, _) in enumerate(townships) if code.endswith("100")), 0)
    devzone_i = [i for i, (code, _) in enumerate(townships) if code[6] == "5"]
    fixed = [int(np.argmin(d_town))]
    for _ in devzone_i:
        target = town + np.array([0.30 * R, -0.05 * R])
        fixed.append(int(np.argmin(np.hypot(cpts[:, 0] - target[0], cpts[:, 1] - target[1]))))
    seeds_t = _spread_seeds(np.arange(ncell), cpts, n_t, fixed, rng)
    # Give names to seeds: the seat to the town centre, development zones next to it, the
    # mountain townships (乡, codes 2xx) to the westernmost of the remaining seeds.
    others = [i for i in range(n_t) if i != seat_i and i not in devzone_i]
    rest_seeds = sorted(seeds_t[1 + len(devzone_i):], key=lambda s: cpts[s, 0])
    mountain = [i for i in others if townships[i][0][6] == "2"]
    plain = [i for i in others if townships[i][0][6] != "2"]
    seed_of = {seat_i: seeds_t[0]}
    for k, i in enumerate(devzone_i):
        seed_of[i] = seeds_t[1 + k]
    for i, s in zip(mountain + plain, rest_seeds):
        seed_of[i] = s
    t_seeds = [seed_of[i] for i in range(n_t)]
    speed = np.ones(n_t)
    speed[seat_i] = 0.45
    for i in devzone_i:
        speed[i] = 0.5
    t_label = _grow(t_seeds, allowed, cadj, cpts, rng, speed)
    steps.report(0.3)

    hill = _hill_score(cpts, cx, cy, R, rng) > 0.28
    v_label = np.full(ncell, -1, dtype=np.int64)
    village_rows: list[dict] = []
    taken: set[str] = set()
    next_v = 0
    for ti, (tcode, tname) in enumerate(townships):
        members = np.flatnonzero(t_label == ti)
        nv = max(2, int(round(sc.n_villages * len(members) / ncell)))
        nv = min(nv, len(members))
        vseeds = _spread_seeds(members, cpts, nv, [], rng)
        mask = np.zeros(ncell, dtype=bool)
        mask[members] = True
        lab = _grow(vseeds, mask, cadj, cpts, rng)
        for k in range(nv):
            cells_k = np.flatnonzero(lab == k)
            if len(cells_k) == 0:
                continue
            v_label[cells_k] = next_v
            village_rows.append({"township_index": ti, "cells": cells_k})
            next_v += 1
        steps.report(0.3 + 0.5 * (ti + 1) / n_t)

    cell_geoms = cgeom
    v_geoms = np.array([shapely.coverage_union_all(cell_geoms[v["cells"]]) for v in village_rows], dtype=object)
    t_geoms = np.array(
        [shapely.coverage_union_all(cell_geoms[t_label == ti]) for ti in range(n_t)], dtype=object
    )
    steps.report(1.0)

    # --- names and codes -------------------------------------------------------------------
    steps.start("features", "naming villages, mines and sites")
    v_cent = shapely.get_coordinates(shapely.centroid(v_geoms))
    v_urban = np.hypot(v_cent[:, 0] - town[0], v_cent[:, 1] - town[1]) < 0.8 * r_urban
    v_hill = _hill_score(v_cent, cx, cy, R, rng=None) > 0.28
    v_codes = [""] * len(village_rows)
    v_names = [""] * len(village_rows)
    for ti, (tcode, _) in enumerate(townships):
        vi = np.array([i for i, v in enumerate(village_rows) if v["township_index"] == ti])
        order_v = vi[_order_key(v_geoms[vi])]
        n_comm, n_vil = 1, 200
        for i in order_v:
            if v_urban[i]:
                v_codes[i] = f"{tcode}{n_comm:03d}"
                v_names[i] = nm.community_name(rng, taken)
                n_comm += 1
            else:
                v_codes[i] = f"{tcode}{n_vil:03d}"
                v_names[i] = nm.village_name(rng, bool(v_hill[i]), taken)
                n_vil += 1
    cell_codes = [""] * ncell
    cell_names = [""] * ncell
    for i, v in enumerate(village_rows):
        cells_v = v["cells"][_order_key(cell_geoms[v["cells"]])]
        for n, c in enumerate(cells_v, start=1):
            cell_codes[c] = f"{v_codes[i]}{n:03d}"
            cell_names[c] = f"{v_names[i]}{n}号网格"

    # People: a grid chief per township and the district office (supervisors, an administrator) from
    # this stream; the village grid inspectors from their own (sample.people).
    people_uuid = uuids_from_rng(rng, n_t + 3)
    office_rows = []
    for ti, (tcode, _) in enumerate(townships):
        office_rows.append({"uuid": people_uuid[ti], "name": nm.person_name(rng), "role": "chief",
                            "phone": f"13{rng.integers(0, 10**9):09d}", "township_code": tcode, "active": True})
    for k, role in enumerate(["supervisor", "supervisor", "admin"]):
        office_rows.append({"uuid": people_uuid[n_t + k], "name": nm.person_name(rng), "role": role,
                            "phone": f"0311-8{rng.integers(0, 10**6):06d}", "township_code": None, "active": True})
    village_cells = [v["cells"][_order_key(cell_geoms[v["cells"]])] for v in village_rows]
    people = make_people(np.random.default_rng([seed, 4]), office_rows, v_codes, village_cells, ncell)

    district_geom = shapely.coverage_union_all(t_geoms)
    cell_tree = shapely.STRtree(cell_geoms)

    # Mines in the hills.
    hill_cells = np.flatnonzero(hill)
    mines: list[Polygon] = []
    tries = 0
    while len(mines) < sc.n_mines and tries < sc.n_mines * 200 and len(hill_cells):
        tries += 1
        c = cpts[hill_cells[rng.integers(len(hill_cells))]] + rng.normal(0, spacing * 0.3, 2)
        poly = _blob(c[0], c[1], rng.uniform(120, 420), rng, n=18, roughness=0.3)
        if not district_geom.contains(poly) or any(poly.distance(m) < 150 for m in mines):
            continue
        mines.append(poly)
    mine_geoms = np.array(mines, dtype=object)
    mine_status = rng.choice(["operating", "closed", "rehabilitating"], size=len(mines), p=[0.35, 0.35, 0.30])
    mine_kind = rng.choice(["limestone", "sand_gravel", "clay", "granite", "dolomite", "other"],
                           size=len(mines), p=[0.45, 0.2, 0.1, 0.1, 0.1, 0.05])
    mine_t = _township_of(mine_geoms, t_geoms)
    cell_level = np.array(["grid"] * ncell, dtype=object)
    if len(mines):
        mc_idx = cell_tree.query(shapely.centroid(mine_geoms), predicate="within")
        cell_level[mc_idx[1]] = "special"  # the "+1" special cells that hold a mine
    steps.report(0.5)

    # Construction sites around the town and along the plains.
    sites: list = []
    site_area = []
    town_zone = district_geom
    while len(sites) < sc.n_sites:
        if rng.random() < 0.78:
            c = town + rng.normal(0, 0.33 * R, 2)
        else:
            c = rng.uniform([cx - R, cy - R], [cx + R, cy + R])
        p = shapely.Point(c)
        if not town_zone.contains(p) or _hill_score(np.array([c]), cx, cy, R, rng=None)[0] > 0.4:
            continue
        if rng.random() < 0.6:
            w, h = rng.uniform(80, 420), rng.uniform(60, 300)
            rect = shapely.affinity.rotate(box(c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2),
                                           rng.uniform(0, 90))
            if not town_zone.contains(rect):
                continue
            sites.append(rect)
            site_area.append(rect.area)
        else:
            sites.append(p)
            site_area.append(float(np.round(rng.uniform(2000, 60000), -2)))
    site_geoms = np.array(sites, dtype=object)
    site_t = _township_of(site_geoms, t_geoms)
    steps.report(1.0)

    # --- fire points -----------------------------------------------------------------------
    steps.start("fires", "simulating a fire season")
    farmland = np.flatnonzero(~hill & (d_town > 1.2 * r_urban))
    # The season's draws are made at every scale, so the rest of the district stays the same; the
    # bundled sample replaces the season by its two months (sample.month).
    season = season_fires(rng, sc.n_fires, cpts, farmland, spacing, cell_tree, steps.report)

    # --- frames ----------------------------------------------------------------------------
    steps.start("frames", "converting to CGCS2000")
    to_geo = Transformer.from_crs(proj_epsg, PROJECT_EPSG, always_xy=True)

    def geo(geoms: np.ndarray) -> gpd.GeoSeries:
        return gpd.GeoSeries(shapely.transform(np.asarray(geoms), lambda c: np.column_stack(
            to_geo.transform(c[:, 0], c[:, 1]))), crs=PROJECT_EPSG)

    t_codes = [c for c, _ in townships]
    t_uuid = uuids_from_rng(rng, n_t)
    township_df = gpd.GeoDataFrame(
        {"uuid": t_uuid, "code": t_codes, "name": [n for _, n in townships], "county_code": COUNTY_CODE},
        geometry=geo(t_geoms),
    )
    v_order = np.argsort(np.array(v_codes))
    village_df = gpd.GeoDataFrame(
        {
            "uuid": uuids_from_rng(rng, len(village_rows)),
            "code": np.array(v_codes, dtype=object)[v_order],
            "name": np.array(v_names, dtype=object)[v_order],
            "township_code": np.array([t_codes[v["township_index"]] for v in village_rows], dtype=object)[v_order],
            "kind": np.where(v_urban, "community", "village").astype(object)[v_order],
        },
        geometry=geo(v_geoms[v_order]).reset_index(drop=True),
    )
    c_order = np.argsort(np.array(cell_codes))
    cell_v = np.empty(ncell, dtype=np.int64)
    for i, v in enumerate(village_rows):
        cell_v[v["cells"]] = i
    cell_df = gpd.GeoDataFrame(
        {
            "uuid": uuids_from_rng(rng, ncell),
            "code": np.array(cell_codes, dtype=object)[c_order],
            "name": np.array(cell_names, dtype=object)[c_order],
            "village_code": np.array([v_codes[i] for i in cell_v], dtype=object)[c_order],
            "township_code": np.array([t_codes[t] for t in t_label], dtype=object)[c_order],
            "level": cell_level[c_order],
            "inspector_uuid": people.cell_inspector[c_order],
        },
        geometry=geo(cell_geoms[c_order]).reset_index(drop=True),
    )
    steps.report(0.3)

    # Zones: the coal ban covers the villages of the plain around the town; the fireworks ban
    # the built-up core all year and the development zone in the Spring Festival season.
    coal_villages = (np.hypot(v_cent[:, 0] - town[0], v_cent[:, 1] - town[1]) < 0.5 * R) & ~v_hill
    coal = shapely.coverage_union_all(v_geoms[coal_villages])
    core = shapely.union_all(cell_geoms[d_town < 1.05 * r_urban]).buffer(300).buffer(-300).simplify(25)
    core = core.intersection(district_geom)
    fw_geoms = [core]
    fw_rows = [{"name": f"{COUNTY_NAME}城区禁燃禁放区", "ban_all_year": True, "ban_period_start": None,
                "ban_period_end": None, "in_force_from": _dt.date(2018, 1, 1)}]
    for i in devzone_i:
        dz = t_geoms[i].buffer(-60).simplify(40)
        if not dz.is_empty:
            fw_geoms.append(dz)
            fw_rows.append({"name": f"{townships[i][1]}禁燃禁放区", "ban_all_year": False,
                            "ban_period_start": "12-20", "ban_period_end": "03-10",
                            "in_force_from": _dt.date(2020, 12, 1)})
    coal_df = gpd.GeoDataFrame(
        {"uuid": uuids_from_rng(rng, 1), "name": [f"{COUNTY_NAME}高污染燃料禁燃区(禁煤区)"],
         "legal_basis": [f"{CITY_NAME}人民政府关于调整高污染燃料禁燃区的通告(示例)"],
         "in_force_from": [_dt.date(2017, 10, 1)], "in_force_to": [None]},
        geometry=geo(np.array([coal], dtype=object)),
    )
    fw_df = gpd.GeoDataFrame(
        {"uuid": uuids_from_rng(rng, len(fw_rows)), "name": [r["name"] for r in fw_rows],
         "legal_basis": [f"{CITY_NAME}烟花爆竹安全管理规定(示例)"] * len(fw_rows),
         "in_force_from": [r["in_force_from"] for r in fw_rows], "in_force_to": [None] * len(fw_rows),
         "ban_all_year": [r["ban_all_year"] for r in fw_rows],
         "ban_period_start": [r["ban_period_start"] for r in fw_rows],
         "ban_period_end": [r["ban_period_end"] for r in fw_rows]},
        geometry=geo(np.array(fw_geoms, dtype=object)),
    )
    mine_names = [f"{COUNTY_SHORT}{townships[t][1][:2]}{k + 1}号{nm.mine_word(kd)}"
                  for k, (t, kd) in enumerate(zip(mine_t, mine_kind))]
    mine_df = gpd.GeoDataFrame(
        {"uuid": uuids_from_rng(rng, len(mines)), "name": mine_names, "kind": mine_kind.astype(object),
         "status": mine_status.astype(object),
         "operator": [nm.company_name(rng, COUNTY_SHORT, "建材") for _ in mines],
         "township_code": [t_codes[t] for t in mine_t]},
        geometry=geo(mine_geoms),
    )
    grade = rng.choice(np.array(["A", "B", "C"], dtype=object), size=len(sites), p=[0.5, 0.35, 0.15])
    start = [_dt.date(2024, 3, 1) + _dt.timedelta(days=int(d)) for d in rng.integers(0, 940, size=len(sites))]
    end = [s + _dt.timedelta(days=int(d)) for s, d in zip(start, rng.integers(180, 900, size=len(sites)))]
    site_names = [f"{townships[t][1].replace('河北鹿泉', '')[:4]}{rng.choice(nm.SITE_KINDS)}" for t in site_t]
    site_names = _dedupe(site_names)
    area = np.round(np.array(site_area), 0)
    site_df = gpd.GeoDataFrame(
        {"uuid": uuids_from_rng(rng, len(sites)), "name": site_names,
         "developer": [nm.company_name(rng, COUNTY_SHORT, str(rng.choice(["房地产开发", "建设工程", "城建投资"])))
                       for _ in sites],
         "area_m2": area, "dust_grade": grade,
         "online_monitor": (area > 10000) & (rng.random(len(sites)) < 0.8) | (rng.random(len(sites)) < 0.15),
         "start_date": start, "end_date": end, "township_code": [t_codes[t] for t in site_t]},
        geometry=geo(site_geoms),
    )
    # schema 5: video monitoring on most monitored sites over 8,000 m² (no draw: the other columns stay
    # as they were); monitored sites of 5,000-8,000 m² without video are the plans' rule's hits
    site_df["video_monitor"] = site_df["online_monitor"].to_numpy() & (area > 8000)
    key_df = _key_areas(seed, town, R, district_geom, t_geoms, [n for _, n in townships],
                        [c for c, _ in townships], geo)
    steps.report(0.6)
    cell_code_arr = np.array(cell_codes, dtype=object)
    village_of_cell = np.array(v_codes, dtype=object)[cell_v]
    township_of_cell = np.array(t_codes, dtype=object)[t_label]
    tables: dict[str, pd.DataFrame] = {"inspector": people.table}
    if sc.name == "default":
        place = Place(cpts, farmland, np.flatnonzero(hill), np.flatnonzero(~hill & (d_town < 1.6 * r_urban)
                                                                          & (d_town > 0.6 * r_urban)),
                      spacing, cell_tree, cell_code_arr, village_of_cell, township_of_cell, to_geo)
        month = living_month(seed, BUNDLED_AS_OF, place, cell_df, coal_df, mine_df, site_df, people.table)
        fire_df, site_df = month.fires, month.sites
        tables.update(month.tables)
    else:
        fire_df = _season_frame(season, rng, to_geo, cell_code_arr, village_of_cell, township_of_cell)
    steps.report(1.0)
    return District(
        layers={
            "township": township_df,
            "village": village_df,
            "grid_cell": cell_df,
            "coal_ban_zone": coal_df,
            "fireworks_ban_zone": fw_df,
            "mine": mine_df,
            "construction_site": site_df,
            "key_area": key_df,
            "fire_point": fire_df,
        },
        tables=tables,
        scale=sc,
        seed=seed,
    )


def _season_frame(season: Season, rng: np.random.Generator, to_geo: Transformer, cell_codes: np.ndarray,
                  village_of_cell: np.ndarray, township_of_cell: np.ndarray) -> gpd.GeoDataFrame:
    """The stress district's fire points: a whole season, checked long ago but for the last days."""
    fo = season.order
    utc_sorted = pd.DatetimeIndex(season.utc[fo]).tz_localize("UTC")
    local = (utc_sorted + pd.Timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    fx_g, fy_g = to_geo.transform(season.x[fo], season.y[fo])
    fcell = season.cell[fo]
    return gpd.GeoDataFrame(
        {
            "uuid": uuids_from_rng(rng, len(fo)),
            "detected_utc": utc_sorted.astype("datetime64[ms, UTC]"),
            "detected_local": np.asarray(local, dtype=object),
            "source": season.source[fo].astype(object),
            "satellite": season.satellite[fo],
            "confidence": season.confidence[fo],
            "frp": season.frp[fo],
            "cell_code": cell_codes[fcell],
            "village_code": village_of_cell[fcell],
            "township_code": township_of_cell[fcell],
            "status": season.status[fo],
        },
        geometry=gpd.GeoSeries(shapely.points(np.column_stack([fx_g, fy_g])), crs=PROJECT_EPSG),
    )


def write_sample(
    path: os.PathLike[str] | str,
    scale: str = "default",
    seed: int = 2025,
    *,
    as_of: Optional[_dt.date] = None,
    overwrite: bool = False,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Path:
    """Generate a district and write it as a project at ``path`` (atomically).

    ``as_of``: the day after the generated work ends (default :data:`BUNDLED_AS_OF`); the district is
    made as of the bundled date and moved by whole days (:func:`~gridwatch.storage.timeshift.
    shift_project_times`), exactly as the first-run copy of the bundled file is, so both agree.
    """
    from ..errors import StorageError
    from ..storage.gpkg import fsync_file
    from ..storage.timeshift import shift_project_times

    target = Path(path)
    if target.exists() and not overwrite:
        raise StorageError(f"{target}: file exists; choose another name or allow overwriting")
    days = (as_of - BUNDLED_AS_OF).days if as_of is not None else 0
    steps = Steps(progress, cancel, [("generate", 3), ("write", 1 if scale == "default" else 2), ("shift", 0.2)])
    steps.start("generate", "generating district")
    district = generate_district(scale, seed, progress=lambda f, m: steps.report(f, m), cancel=cancel)
    steps.start("write", "writing GeoPackage")
    command = f"gridwatch sample --scale {scale} --seed {seed}" + (f" --as-of {as_of.isoformat()}" if days else "")
    out = target if not days else target.with_name(f".{target.stem}.{os.getpid()}.as-of.tmp.gpkg")
    try:
        write_project(
            out,
            district_name=COUNTY_NAME,
            county_code=COUNTY_CODE,
            layers=district.layers,
            tables=district.tables,
            overwrite=overwrite or out != target,
            created_at=GENERATED_AT + _dt.timedelta(days=days),
            extra_meta={"generator": command, "as_of": BUNDLED_AS_OF.isoformat()},
            progress=lambda f, m: steps.report(f, m),
            cancel=cancel,
        )
        if days:
            steps.start("shift", "moving the dates")
            shift_project_times(out, days, as_of=as_of)
            fsync_file(out)
            os.replace(out, target)
    except BaseException:
        if out != target:
            out.unlink(missing_ok=True)
        raise
    return target
