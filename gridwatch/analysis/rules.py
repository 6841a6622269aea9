"""Rule checks the work plans call for, and turning their hits into tasks in one action.

Four rules, each a pure function over frames (no Qt, no SQL built here):

``site_near_key_area``
    Construction sites within the control radius (3 km unless the key area sets its own) of a key
    area (monitoring station, school ...) that are not dust grade A.  Distances are measured in the
    district's CGCS2000 Gauss-Kruger zone, in metres, between the site (point or footprint) and the
    key area (point, or polygon: 0 inside it).  Sites finished before today are not counted.
``fire_in_coal_ban``
    Fire points detected in a period (default the last 30 days) inside a coal-ban zone in force
    that day, unless a check found no burning.
``mine_not_inspected``
    Mines with no inspection for more than N days (never inspected counts): an inspection of the
    cell the mine lies in, or of a task aimed at the mine itself.
``finding_overdue``
    Findings still waiting for rectification (found or assigned) whose rectification deadline has
    passed (Beijing date).

:func:`check_rules` runs them on a project file; :func:`hits_to_assignments` makes one task per
hit (fire points: one check per cell) as a single undoable :class:`~gridwatch.storage.edits.Edit`.
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Iterable, Optional

import numpy as np

from ..domain.vocabulary import (
    CATEGORY_TITLES,
    FINDING_STATUS_TITLES,
    FIRE_STATUS_TITLES,
    KEY_AREA_KIND_TITLES,
    MINE_STATUS_TITLES,
    title,
)
from ..errors import ValidationError
from ..tasks import CancelToken, ProgressCallback, Steps
from ..times import BEIJING, parse_stored_time

# the helpers live in rule_helpers (re-exported: plan_rules and callers import them from here)
from .rule_helpers import CellLocator, _bounds, _date, _km, _metric_epsg, _text, _utc_ns  # noqa: F401

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Control radius around a key area that sets none of its own.
DEFAULT_RADIUS_M = 3000.0

#: Findings still waiting for rectification.
OPEN_FOR_RECTIFICATION = ("found", "assigned")


#: Rule id -> (Chinese title, English title), in the order they are listed.
RULES: dict[str, tuple[str, str]] = {
    "site_near_key_area": ("重点区域周边工地未达A级", "Sites near key areas below grade A"),
    "fire_in_coal_ban": ("禁煤区内火点", "Fire points in the coal-ban zone"),
    "mine_not_inspected": ("矿山超期未检查", "Mines not inspected"),
    "finding_overdue": ("问题整改逾期", "Findings overdue for rectification"),
    # issue 17 (gridwatch.analysis.plan_rules)
    "big_site_unmonitored": ("5000㎡以上工地未装在线监测和视频",
                             "Sites of 5,000 m² or more without monitoring and video"),
    "mine_in_built_up": ("建成区周边露天矿山未关闭", "Open-pit mines in or touching the built-up area"),
    "fireworks_ban_period": ("禁放期禁燃禁放区内火点和问题", "Fire points and findings in the fireworks ban"),
}


#: Task kind each rule's hits become (fire points already confirmed burning: a coal-ban check).
RULE_TASK_KINDS: dict[str, str] = {
    "site_near_key_area": "construction_dust",
    "fire_in_coal_ban": "fire_check",
    "mine_not_inspected": "mine",
    "finding_overdue": "patrol",
    "big_site_unmonitored": "construction_dust",
    "mine_in_built_up": "mine",
    "fireworks_ban_period": "fireworks",
}


@dataclass(frozen=True)
class RuleHit:
    """One feature a rule flags.

    ``bounds`` (lon/lat, minx, miny, maxx, maxy) is where the map zooms; ``value`` the rule's
    number (metres to the key area, days since the last inspection, days overdue; for fire points
    days since detection); ``related_uuid`` the key area or zone involved.
    """

    rule: str
    layer: str
    uuid: str
    name: str
    cell_code: Optional[str]
    township_code: Optional[str]
    township: str
    message: str
    bounds: tuple[float, float, float, float]
    value: float = 0.0
    related_uuid: Optional[str] = None
    #: Fire points: their verification status (decides fire check or coal-ban check).
    status: Optional[str] = None

    @property
    def rule_title(self) -> str:
        return RULES.get(self.rule, (self.rule, self.rule))[0]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["bounds"] = list(self.bounds)
        out["rule_title"] = self.rule_title
        return out


@dataclass
class RuleReport:
    """What :func:`check_rules` found, with the parameters it used."""

    hits: list[RuleHit]
    now: _dt.datetime
    radius_m: Optional[float]
    mine_days: int
    fire_days: int

    def counts(self) -> dict[str, int]:
        """Hits per rule, every rule listed (0 when it found nothing)."""
        out = {r: 0 for r in RULES}
        for h in self.hits:
            out[h.rule] = out.get(h.rule, 0) + 1
        return out

    def by_rule(self, rule: str) -> list[RuleHit]:
        return [h for h in self.hits if h.rule == rule]


# --- the rules ------------------------------------------------------------------------------------


def sites_near_key_areas(
    sites: Any,
    key_areas: Any,
    places: CellLocator,
    *,
    radius_m: Optional[float] = None,
    today: Optional[_dt.date] = None,
) -> list[RuleHit]:
    """Sites not grade A within the control radius of a key area (nearest key area reported).

    ``radius_m`` None: each key area's own ``buffer_m`` (3 km when empty); a number: that radius
    for every key area.  Sites whose ``end_date`` is before ``today`` are finished and skipped.
    """
    import shapely

    if sites is None or key_areas is None or not len(sites) or not len(key_areas):
        return []
    sites = sites.reset_index(drop=True)
    if "kind" in key_areas.columns:  # a built-up area is not a key area with a dust-control radius
        key_areas = key_areas[key_areas["kind"].astype(object) != "built_up"]
    key_areas = key_areas.reset_index(drop=True)
    if not len(key_areas):
        return []
    grade = sites["dust_grade"].astype(object).to_numpy() if "dust_grade" in sites.columns else \
        np.full(len(sites), None, dtype=object)
    candidate = grade != "A"
    if today is not None and "end_date" in sites.columns:
        ended = np.array([(d is not None and d < today) for d in map(_date, sites["end_date"].tolist())], dtype=bool)
        candidate &= ~ended
    if not candidate.any():
        return []
    epsg = _metric_epsg(sites, key_areas)
    s_geo = np.asarray(sites.geometry.values, dtype=object)
    s_m = np.asarray(sites.to_crs(epsg).geometry.values, dtype=object)
    k_m = np.asarray(key_areas.to_crs(epsg).geometry.values, dtype=object)
    if radius_m is None:
        own = pd.to_numeric(key_areas["buffer_m"], errors="coerce").to_numpy(dtype=float) \
            if "buffer_m" in key_areas.columns else np.full(len(key_areas), np.nan)
        radius = np.where(np.isfinite(own) & (own > 0), own, DEFAULT_RADIUS_M)
    else:
        if not radius_m > 0:
            raise ValidationError(f"the radius must be positive, not {radius_m}")
        radius = np.full(len(key_areas), float(radius_m))
    idx = np.flatnonzero(candidate)
    tree = shapely.STRtree(s_m[idx])
    pairs = tree.query(k_m, predicate="dwithin", distance=radius)
    if pairs.shape[1] == 0:
        return []
    key_i, site_i = pairs[0], idx[pairs[1]]
    dist = shapely.distance(k_m[key_i], s_m[site_i])
    ok = dist <= radius[key_i]
    key_i, site_i, dist = key_i[ok], site_i[ok], dist[ok]
    # Nearest key area per site.
    order = np.lexsort((dist, site_i))
    first = np.unique(site_i[order], return_index=True)
    site_sel, pick = first[0], order[first[1]]
    cells, towns = places.cells_of(s_geo[site_sel])
    bounds = _bounds(s_geo[site_sel])
    names = sites["name"].astype(object).to_numpy()
    uuids = sites["uuid"].astype(object).to_numpy()
    own_town = sites["township_code"].astype(object).to_numpy() if "township_code" in sites.columns else None
    k_names = key_areas["name"].astype(object).to_numpy()
    k_kinds = key_areas["kind"].astype(object).to_numpy() if "kind" in key_areas.columns else \
        np.full(len(key_areas), "other", dtype=object)
    k_uuids = key_areas["uuid"].astype(object).to_numpy()
    hits = []
    for j, (s, p) in enumerate(zip(site_sel, pick)):
        k = key_i[p]
        d = float(dist[p])
        kind = str(k_kinds[k])
        kind_zh = title(KEY_AREA_KIND_TITLES, kind) if kind in KEY_AREA_KIND_TITLES and kind != "other" else "重点区域"
        if d == 0:
            where = (f"{kind_zh}「{k_names[k]}」在工地范围内" if k_m[k].geom_type == "Point"
                     else f"位于{kind_zh}「{k_names[k]}」范围内")
        else:
            where = f"距{kind_zh}「{k_names[k]}」" + (f"{_km(d)} 公里" if d >= 1000 else f"{int(d)} 米")
        g = _text(grade[s]) or "未定级"
        town = _text(own_town[s]) if own_town is not None else None
        town = town or towns[j]
        hits.append(RuleHit(
            rule="site_near_key_area", layer="construction_site", uuid=str(uuids[s]), name=str(names[s]),
            cell_code=cells[j], township_code=town, township=places.township(town),
            message=f"{where}，扬尘等级 {g}（{_km(radius[k])} 公里内须达 A 级）",
            bounds=tuple(float(v) for v in bounds[j]), value=d, related_uuid=str(k_uuids[k])))
    hits.sort(key=lambda h: (h.value, h.name))
    return hits


def fires_in_coal_ban(
    fires: pd.DataFrame,
    fire_xy: np.ndarray,
    zones: Any,
    places: CellLocator,
    *,
    since: _dt.datetime,
    until: _dt.datetime,
) -> list[RuleHit]:
    """Fire points detected in ``[since, until]`` inside a coal-ban zone in force that day.

    ``fires`` has uuid, detected_utc, detected_local, status, cell_code, township_code (and
    optionally check_uuid, satellite); ``fire_xy`` their lon/lat.  Points a check found not burning
    are not hits.
    """
    import shapely

    if fires is None or not len(fires) or zones is None or not len(zones):
        return []
    fires = fires.reset_index(drop=True)
    xy = np.asarray(fire_xy, dtype=float).reshape(-1, 2)
    t_ns = _utc_ns(fires["detected_utc"])
    lo = np.datetime64(since.astimezone(_dt.timezone.utc).replace(tzinfo=None), "ns")
    hi = np.datetime64(until.astimezone(_dt.timezone.utc).replace(tzinfo=None), "ns")
    checked_clean = (fires["status"] == "no_burning").to_numpy(dtype=bool, na_value=False)
    # A detection known only by its date (day precision) counts when its day reaches into the window.
    day_only = (fires["detected_local"].astype(str).str.len() == 10).to_numpy() if "detected_local" in fires.columns \
        else np.zeros(len(fires), dtype=bool)
    starts_in = (t_ns >= lo) | (day_only & (t_ns + np.timedelta64(1, "D") > lo))
    take = ~np.isnat(t_ns) & starts_in & (t_ns <= hi) & ~checked_clean
    idx = np.flatnonzero(take)
    if not len(idx):
        return []
    zone_of = np.full(len(idx), -1, dtype=np.int64)
    day = (t_ns[idx] + np.timedelta64(8, "h")).astype("datetime64[D]")  # Beijing date of the detection
    starts = zones["in_force_from"].tolist() if "in_force_from" in zones.columns else [None] * len(zones)
    ends = zones["in_force_to"].tolist() if "in_force_to" in zones.columns else [None] * len(zones)
    for z, (geom, start, end) in enumerate(zip(zones.geometry.tolist(), starts, ends)):
        if geom is None or geom.is_empty:
            continue
        shapely.prepare(geom)
        ok = (zone_of < 0) & shapely.intersects_xy(geom, xy[idx, 0], xy[idx, 1])  # the boundary counts as inside
        s, e = _date(start), _date(end)
        if s is not None:
            ok &= day >= np.datetime64(s)
        if e is not None:
            ok &= day <= np.datetime64(e)
        zone_of[ok] = z
    inside = zone_of >= 0
    rows = idx[inside]
    if not len(rows):
        return []
    sub = fires.iloc[rows]

    def col(name: str) -> list[Any]:
        return sub[name].astype(object).tolist() if name in sub.columns else [None] * len(rows)

    z_uuids = zones["uuid"].astype(object).to_numpy()[zone_of[inside]]
    ages = (np.datetime64(hi, "ns") - t_ns[rows]) / np.timedelta64(1, "s") / 86400.0
    hits = []
    for k, (uid, local, status, check, sat, cell, town) in enumerate(zip(
            col("uuid"), col("detected_local"), col("status"), col("check_uuid"), col("satellite"), col("cell_code"),
            col("township_code"))):
        i = rows[k]
        when = (_text(local) or "")[:16].replace("T", " ")
        if not when:
            when = pd.Timestamp(t_ns[i], tz="UTC").tz_convert(BEIJING).strftime("%Y-%m-%d %H:%M")
        st = str(status)
        extra = "，已在核查任务中" if _text(check) else ""
        sat = _text(sat)
        town = _text(town)
        hits.append(RuleHit(
            rule="fire_in_coal_ban", layer="fire_point", uuid=str(uid),
            name=f"火点 {when}" + (f" ({sat})" if sat else ""),
            cell_code=_text(cell), township_code=town, township=places.township(town),
            message=f"禁煤区内火点，{when} 监测，{title(FIRE_STATUS_TITLES, st)}{extra}",
            bounds=(float(xy[i, 0]), float(xy[i, 1]), float(xy[i, 0]), float(xy[i, 1])),
            value=round(float(ages[k]), 2), related_uuid=str(z_uuids[k]), status=st))
    hits.sort(key=lambda h: (h.value, h.uuid))
    return hits


def mines_not_inspected(
    mines: Any,
    inspections: pd.DataFrame,
    assignments: Optional[pd.DataFrame],
    places: CellLocator,
    *,
    days: int,
    now: _dt.datetime,
) -> list[RuleHit]:
    """Mines whose last inspection is more than ``days`` days before ``now`` (or never).

    An inspection counts for a mine when it was made in the mine's cell (the cell holding a point
    inside the mine) or under a task aimed at the mine.  Its time is when it finished (when it
    started, while still open).
    """
    if mines is None or not len(mines):
        return []
    if days < 0:
        raise ValidationError(f"the number of days must not be negative, not {days}")
    mines = mines.reset_index(drop=True)
    geoms = np.asarray(mines.geometry.values, dtype=object)
    cells, towns = places.cells_of(geoms)
    last_by_cell: dict[str, _dt.datetime] = {}
    last_by_target: dict[str, _dt.datetime] = {}
    target_of: dict[str, str] = {}
    if assignments is not None and len(assignments):
        for a_uuid, layer, target in zip(assignments["uuid"].tolist(), assignments["target_layer"].tolist(),
                                         assignments["target_uuid"].tolist()):
            if _text(layer) == "mine" and _text(target):
                target_of[str(a_uuid)] = str(target)
    if inspections is not None and len(inspections):
        fin = inspections["finished_at"].tolist() if "finished_at" in inspections.columns else [None] * len(inspections)
        a_col = inspections["assignment_uuid"].tolist() if "assignment_uuid" in inspections.columns else \
            [None] * len(inspections)
        for code, started, finished, a_uuid in zip(inspections["cell_code"].tolist(),
                                                   inspections["started_at"].tolist(), fin, a_col):
            when = parse_stored_time(finished) or parse_stored_time(started)
            if when is None or when > now:
                continue
            c = _text(code)
            if c and (c not in last_by_cell or when > last_by_cell[c]):
                last_by_cell[c] = when
            target = target_of.get(_text(a_uuid) or "")
            if target and (target not in last_by_target or when > last_by_target[target]):
                last_by_target[target] = when
    limit = _dt.timedelta(days=days)
    bounds = _bounds(geoms)
    own_town = mines["township_code"].astype(object).to_numpy() if "township_code" in mines.columns else None
    status = mines["status"].astype(object).to_numpy() if "status" in mines.columns else None
    hits = []
    for i, (uid, name) in enumerate(zip(mines["uuid"].tolist(), mines["name"].tolist())):
        times = [t for t in (last_by_cell.get(cells[i] or ""), last_by_target.get(str(uid))) if t is not None]
        last = max(times) if times else None
        if last is not None and now - last <= limit:
            continue
        st = title(MINE_STATUS_TITLES, str(status[i])) if status is not None and status[i] in MINE_STATUS_TITLES else ""
        if last is None:
            msg, value = f"从未检查（超过 {days} 天要求）", float("inf")
        else:
            age = (now - last).days
            msg = f"已 {age} 天未检查（上次 {last.astimezone(BEIJING):%Y-%m-%d}，要求 {days} 天内）"
            value = float(age)
        if st:
            msg += f"，{st}"
        town = (_text(own_town[i]) if own_town is not None else None) or towns[i]
        hits.append(RuleHit(
            rule="mine_not_inspected", layer="mine", uuid=str(uid), name=str(name), cell_code=cells[i],
            township_code=town, township=places.township(town), message=msg,
            bounds=tuple(float(v) for v in bounds[i]), value=value))
    hits.sort(key=lambda h: (-h.value, h.name))
    return hits


def findings_overdue(findings: Any, places: CellLocator, *, today: _dt.date) -> list[RuleHit]:
    """Findings found or assigned whose rectification deadline is before ``today``."""
    if findings is None or not len(findings):
        return []
    findings = findings.reset_index(drop=True)
    geoms = np.asarray(findings.geometry.values, dtype=object) if "geometry" in findings.columns else None
    hits = []
    for i, row in enumerate(findings.itertuples(index=False)):
        status = getattr(row, "status", None)
        deadline = _date(getattr(row, "rectify_deadline", None))
        if status not in OPEN_FOR_RECTIFICATION or deadline is None or deadline >= today:
            continue
        late = (today - deadline).days
        cell = _text(getattr(row, "cell_code", None))
        town = cell[:9] if cell and len(cell) >= 9 else None
        code = str(getattr(row, "category", ""))
        category = title(CATEGORY_TITLES, code) if code in CATEGORY_TITLES else "问题"
        desc = _text(getattr(row, "description", None))
        name = category + (f"：{desc[:20]}" if desc else "")
        party = _text(getattr(row, "responsible_party", None))
        g = geoms[i] if geoms is not None else None
        b = tuple(float(v) for v in g.bounds) if g is not None and not g.is_empty else (math.nan,) * 4
        hits.append(RuleHit(
            rule="finding_overdue", layer="finding", uuid=str(row.uuid), name=name, cell_code=cell,
            township_code=town, township=places.township(town),
            message=(f"整改期限 {deadline.isoformat()}，已逾期 {late} 天，状态 {title(FINDING_STATUS_TITLES, status)}"
                     + (f"，责任主体 {party}" if party else "")),
            bounds=b, value=float(late)))  # type: ignore[arg-type]
    hits.sort(key=lambda h: (-h.value, h.name))
    return hits


# --- a project file -------------------------------------------------------------------------------


def _plan_rule(rule: str, project: Any, places: CellLocator, t: _dt.datetime, today: _dt.date,
               fire_days: int) -> list[RuleHit]:
    from ..storage.plans import read_settings
    from . import plan_rules

    if rule == "big_site_unmonitored":
        return plan_rules.big_sites_unmonitored(project.read_layer("construction_site"), places, today=today)
    if rule == "mine_in_built_up":
        return plan_rules.mines_in_built_up(project.read_layer("mine"), project.read_layer("key_area"), places)
    cfg = read_settings(project.path)
    frame, xy = project.read_point_layer("fire_point")
    return plan_rules.fireworks_in_ban_period(
        frame, xy, project.read_layer("finding"), project.read_layer("fireworks_ban_zone"), places,
        since=t - _dt.timedelta(days=fire_days), until=t, days_before=cfg["fireworks_days_before"],
        days_after=cfg["fireworks_days_after"])


def check_rules(
    project_path: os.PathLike[str] | str,
    *,
    radius_m: Optional[float] = None,
    mine_days: int = 30,
    fire_days: int = 30,
    now: Optional[_dt.datetime] = None,
    rules: Optional[Iterable[str]] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> RuleReport:
    """Run the rule checks on the project at ``project_path`` (read-only).

    Parameters
    ----------
    radius_m : float, optional
        Control radius around every key area in metres; None (default) uses each key area's own
        ``buffer_m``, 3000 m when it has none.
    mine_days : int
        A mine is flagged when not inspected for more than this many days.
    fire_days : int
        Fire points detected in the last ``fire_days`` days (up to ``now``) are checked.
    now : datetime, optional
        Timezone-aware "now" (default: the current time); "today" is its Beijing date.
    rules : iterable of str, optional
        Only these rule ids (default: all of :data:`RULES`).

    Raises
    ------
    DataSourceError, SchemaVersionError
        The file is not a current GridWatch project.
    Cancelled
        ``cancel`` was set.
    """
    from ..storage import Project

    t = now or _dt.datetime.now(_dt.timezone.utc)
    if t.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    wanted = list(RULES) if rules is None else [r for r in RULES if r in set(rules)]
    unknown = set(rules or ()) - set(RULES)
    if unknown:
        raise ValidationError(f"unknown rule(s) {', '.join(sorted(unknown))}; rules: {', '.join(RULES)}")
    today = t.astimezone(BEIJING).date()
    steps = Steps(progress, cancel, [("read", 2)] + [(r, 1) for r in wanted])
    steps.start("read", "reading the project")
    project = Project.open(project_path)
    cells = project.read_layer("grid_cell", columns=["code", "township_code"])
    steps.report(0.6)
    towns = project.read_layer("township", columns=["code", "name"])
    places = CellLocator(cells, dict(zip(towns["code"], towns["name"])))
    steps.report(1.0)
    hits: list[RuleHit] = []
    for rule in wanted:
        steps.start(rule, RULES[rule][1])
        if rule == "site_near_key_area":
            hits += sites_near_key_areas(project.read_layer("construction_site"), project.read_layer("key_area"),
                                         places, radius_m=radius_m, today=today)
        elif rule == "fire_in_coal_ban":
            frame, xy = project.read_point_layer("fire_point")
            hits += fires_in_coal_ban(frame, xy, project.read_layer("coal_ban_zone"), places,
                                      since=t - _dt.timedelta(days=fire_days), until=t)
        elif rule == "mine_not_inspected":
            hits += mines_not_inspected(
                project.read_layer("mine"),
                project.read_table("inspection", columns=["cell_code", "assignment_uuid", "started_at", "finished_at"]),
                project.read_table("assignment", columns=["uuid", "target_layer", "target_uuid"]),
                places, days=mine_days, now=t)
        elif rule == "finding_overdue":
            hits += findings_overdue(project.read_layer("finding"), places, today=today)
        else:
            hits += _plan_rule(rule, project, places, t, today, fire_days)
        steps.report(1.0)
    return RuleReport(hits=hits, now=t, radius_m=radius_m, mine_days=mine_days, fire_days=fire_days)
