"""The work plans' rule checks added in issue 17 (run by :func:`gridwatch.analysis.rules.check_rules`):

``big_site_unmonitored``
    Construction sites of 5,000 m² or more (``area_m2``, else the footprint's area) under way today
    without both online monitoring and video ("5000平方米以上建筑工地安装在线监测和视频监控"); a site
    whose video monitoring is not recorded counts as without.
``mine_in_built_up``
    Open-pit mines not closed (operating, or of unknown status) inside or touching a built-up area
    (a key area of kind ``built_up``, 城市建成区) ("关闭市区建成区周边露天矿山").
``fireworks_ban_period``
    Fire points (unless checked as no burning or outside the cell) and fireworks or open-burning
    findings in a fireworks-ban zone during the fireworks ban around the Spring Festival
    (:func:`gridwatch.domain.calendar.fireworks_ban_period`), within the checked period.

Pure functions over frames, like :mod:`.rules`.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from ..domain.calendar import fireworks_ban_periods_between
from ..domain.vocabulary import CATEGORY_TITLES, FIRE_CLEARED_RESULTS, FIRE_STATUS_TITLES, MINE_STATUS_TITLES, title
from ..times import BEIJING, parse_stored_time

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: The plans' threshold for online monitoring and video on a construction site, m².
BIG_SITE_M2 = 5000.0
#: Mine statuses that still need closing.
CLOSED_MINES = ("closed",)
#: Finding categories the fireworks ban is about.
FIREWORKS_CATEGORIES = ("fireworks", "open_burning")


def _flag(v: Any) -> Optional[bool]:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return None
    return bool(v)


def big_sites_unmonitored(sites: Any, places: Any, *, today: _dt.date, min_area_m2: float = BIG_SITE_M2) -> list:
    """Sites of ``min_area_m2`` or more under way on ``today`` without online monitoring and video."""
    from .rule_helpers import _bounds, _date, _metric_epsg
    from .rules import RuleHit

    if sites is None or not len(sites):
        return []
    sites = sites.reset_index(drop=True)
    area = pd.to_numeric(sites.get("area_m2"), errors="coerce").to_numpy(dtype=float) if "area_m2" in sites.columns \
        else np.full(len(sites), np.nan)
    if np.isnan(area).any():
        measured = np.asarray(sites.to_crs(_metric_epsg(sites)).geometry.area, dtype=float)
        area = np.where(np.isnan(area), measured, area)
    geoms = np.asarray(sites.geometry.values, dtype=object)
    cells, towns = places.cells_of(geoms)
    bounds = _bounds(geoms)
    hits = []
    for i, row in enumerate(sites.itertuples(index=False)):
        start, end = _date(getattr(row, "start_date", None)), _date(getattr(row, "end_date", None))
        if area[i] < min_area_m2 or (start is not None and start > today) or (end is not None and end < today):
            continue
        online, video = _flag(getattr(row, "online_monitor", None)), _flag(getattr(row, "video_monitor", None))
        missing = [w for w, ok in (("在线监测", online), ("视频监控", video)) if not ok]
        if not missing:
            continue
        unknown = [w for w, ok in (("在线监测", online), ("视频监控", video)) if ok is None]
        town = getattr(row, "township_code", None) or towns[i]
        msg = f"占地 {area[i]:,.0f} m²，未安装{'和'.join(missing)}（{min_area_m2:,.0f} m² 以上须安装）"
        if unknown:
            msg += f"；{'、'.join(unknown)}未登记"
        hits.append(RuleHit(rule="big_site_unmonitored", layer="construction_site", uuid=str(row.uuid),
                            name=str(row.name), cell_code=cells[i], township_code=town,
                            township=places.township(town), message=msg,
                            bounds=tuple(float(v) for v in bounds[i]), value=float(area[i])))
    hits.sort(key=lambda h: (-h.value, h.name))
    return hits


def mines_in_built_up(mines: Any, key_areas: Any, places: Any, *, margin_m: float = 0.0) -> list:
    """Mines not closed inside, touching or within ``margin_m`` of a built-up area."""
    import shapely

    from .rule_helpers import _bounds, _metric_epsg
    from .rules import RuleHit

    if mines is None or key_areas is None or not len(mines) or not len(key_areas) or "kind" not in key_areas.columns:
        return []
    built = key_areas[key_areas["kind"].astype(object) == "built_up"].reset_index(drop=True)
    if not len(built):
        return []
    mines = mines.reset_index(drop=True)
    status = mines["status"].astype(object).to_numpy() if "status" in mines.columns else \
        np.full(len(mines), None, dtype=object)
    epsg = _metric_epsg(mines, built)
    m_m = np.asarray(mines.to_crs(epsg).geometry.values, dtype=object)
    b_m = np.asarray(built.to_crs(epsg).geometry.values, dtype=object)
    geoms = np.asarray(mines.geometry.values, dtype=object)
    cells, towns = places.cells_of(geoms)
    bounds = _bounds(geoms)
    hits = []
    for i in range(len(mines)):
        if status[i] in CLOSED_MINES:
            continue
        dist = shapely.distance(b_m, m_m[i])
        j = int(np.argmin(dist))
        d = float(dist[j])
        if d > margin_m + 1e-6:
            continue
        where = "位于" if shapely.within(m_m[i], b_m[j]) else ("紧邻" if d <= 1e-6 else f"距 {d:,.0f} 米")
        st = title(MINE_STATUS_TITLES, status[i]) if status[i] in MINE_STATUS_TITLES else "状态未知"
        town = (mines["township_code"].iloc[i] if "township_code" in mines.columns else None) or towns[i]
        hits.append(RuleHit(rule="mine_in_built_up", layer="mine", uuid=str(mines["uuid"].iloc[i]),
                            name=str(mines["name"].iloc[i]), cell_code=cells[i], township_code=town,
                            township=places.township(town),
                            message=f"{where}城市建成区「{built['name'].iloc[j]}」，{st}（建成区周边露天矿山应关闭）",
                            bounds=tuple(float(v) for v in bounds[i]), value=d,
                            related_uuid=str(built["uuid"].iloc[j])))
    hits.sort(key=lambda h: (h.value, h.name))
    return hits


def fireworks_in_ban_period(fires: pd.DataFrame, fire_xy: np.ndarray, findings: Any, zones: Any, places: Any, *,
                            since: _dt.datetime, until: _dt.datetime, days_before: int = 7,
                            days_after: int = 14) -> list:
    """Fire points and fireworks / open-burning findings in a fireworks-ban zone during a ban period."""
    import shapely

    from .rules import RuleHit

    if zones is None or not len(zones):
        return []
    periods = fireworks_ban_periods_between(since.astimezone(BEIJING).date(), until.astimezone(BEIJING).date(),
                                            days_before, days_after)
    if not periods:
        return []
    zone_geoms = np.asarray(zones.geometry.values, dtype=object)
    tree = shapely.STRtree(zone_geoms)

    def in_ban(t: Optional[_dt.datetime]) -> Optional[tuple[_dt.date, _dt.date]]:
        if t is None or t < since or t > until:
            return None
        day = t.astimezone(BEIJING).date()
        return next((p for p in periods if p[0] <= day <= p[1]), None)

    hits = []
    if fires is not None and len(fires):
        pts = shapely.points(fire_xy[:, 0], fire_xy[:, 1])
        inside = np.zeros(len(fires), dtype=bool)
        q = tree.query(pts, predicate="intersects")
        inside[q[0]] = True
        status = fires["status"].astype(object).to_numpy()
        for i in np.flatnonzero(inside):
            if status[i] in FIRE_CLEARED_RESULTS:
                continue
            when = parse_stored_time(fires["detected_utc"].iloc[i])
            ban = in_ban(when)
            if ban is None or when is None:
                continue
            cell = fires["cell_code"].iloc[i] if "cell_code" in fires.columns else None
            town = fires["township_code"].iloc[i] if "township_code" in fires.columns else None
            hits.append(RuleHit(
                rule="fireworks_ban_period", layer="fire_point", uuid=str(fires["uuid"].iloc[i]),
                name=f"火点 {when.astimezone(BEIJING):%m-%d %H:%M}", cell_code=cell, township_code=town,
                township=places.township(town),
                message=(f"禁燃禁放区内火点，{when.astimezone(BEIJING):%Y-%m-%d %H:%M} 监测，禁放期 {ban[0]:%m-%d} 至 "
                         f"{ban[1]:%m-%d}，{title(FIRE_STATUS_TITLES, status[i])}"),
                bounds=(float(fire_xy[i, 0]), float(fire_xy[i, 1]), float(fire_xy[i, 0]), float(fire_xy[i, 1])),
                value=float((until - when).total_seconds() / 86400.0), status=str(status[i])))
    if findings is not None and len(findings):
        f = findings[findings["category"].isin(FIREWORKS_CATEGORIES)].reset_index(drop=True)
        geoms = np.asarray(f.geometry.values, dtype=object)
        for i in range(len(f)):
            g = geoms[i]
            if g is None or g.is_empty or not len(tree.query(g, predicate="intersects")):
                continue
            when = parse_stored_time(f["found_at"].iloc[i])
            ban = in_ban(when)
            if ban is None or when is None:
                continue
            cell = f["cell_code"].iloc[i]
            town = str(cell)[:9] if cell else None
            cat = title(CATEGORY_TITLES, f["category"].iloc[i])
            hits.append(RuleHit(
                rule="fireworks_ban_period", layer="finding", uuid=str(f["uuid"].iloc[i]),
                name=f"{cat}：{str(f['description'].iloc[i] or '')[:20]}", cell_code=cell, township_code=town,
                township=places.township(town),
                message=(f"禁燃禁放区内{cat}问题，{when.astimezone(BEIJING):%Y-%m-%d} 发现，"
                         f"禁放期 {ban[0]:%m-%d} 至 {ban[1]:%m-%d}"),
                bounds=tuple(float(v) for v in g.bounds), value=float((until - when).total_seconds() / 86400.0)))
    hits.sort(key=lambda h: (h.value, h.uuid))
    return hits
