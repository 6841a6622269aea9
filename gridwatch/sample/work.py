"""Two months of supervision work in the sample district, ending the day before its as-of date.

* **Routine patrols** (日常巡查): every inspector walks their cells, less often than the patrol rule
  asks (cells in the coal-ban zone weekly, others every two weeks), each at their own pace; one
  township lags (it starts late and patrols slowly) and a few cells, mostly there, are never
  visited.
* **Tasks from the office**: construction-dust and mine checks, unannounced visits (暗访) by the
  district supervisors, coal-ban checks by the township grid chiefs once heating starts
  (15 November), and a fire-point check per cell and detection day at each morning's run.  Most
  are done in time, some late, some still open past their due time, a few cancelled.
* **Findings** along the closed loop: recorded during inspections with photos (EXIF time and GPS),
  assigned by the township's chief or a supervisor with a deadline, rectified with an after-photo,
  verified or rejected, closed by the district; some never rectified (overdue).
* **Syncs** of the field laptops in the sync log, with a few conflicts; a construction site
  downgraded to grade C after a grave dust finding.

Every row a step writes comes with its audit entry, as the app writes them.  Same random state,
same rows; every time is relative to the as-of date.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import shapely

from ..layers.base import uuids_from_rng
from ..photos import photo_flags, read_photo
from ..storage.gpkg import geometry_to_blob, gpkg_datetime
from .photos import scene_photo
from .texts import (
    CANCEL_REASONS,
    FINDING_TEXTS,
    REJECT_REASONS,
    RESPONSIBLE,
    VERIFY_NOTES,
    patrol_category,
)

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd

BJ = _dt.timezone(_dt.timedelta(hours=8))
DAYS = 61
#: Heating starts in Hebei on 15 November: coal-ban checks from then on.
HEATING_DAY = (11, 15)
#: Patrol interval (days) a cell's inspector keeps, by cell class, before their own pace.
PATROL_DAYS = {"mine_or_grade_c_site": 7.0, "coal_ban_zone": 7.0, "other": 14.0}
_FIRE_RESULTS = (("burning_confirmed", 0.45), ("no_burning", 0.45), ("outside_cell", 0.10))


def _t(t: _dt.datetime) -> str:
    return gpkg_datetime(t)


@dataclass
class WorkInput:
    """What the work happens in (frames in EPSG:4490)."""

    as_of: _dt.date
    cells: gpd.GeoDataFrame  # code, village_code, township_code, inspector_uuid, cell_class
    people: pd.DataFrame
    fires: gpd.GeoDataFrame  # uuid, detected_utc, cell_code, heat_source
    sites: gpd.GeoDataFrame
    mines: gpd.GeoDataFrame
    township_codes: list[str]
    lagging: str  # the township that lags behind


@dataclass
class Work:
    """Rows of the workflow tables, and what the work changed in the layers."""

    tables: dict[str, pd.DataFrame]
    fire_status: dict[str, tuple[str, Optional[str]]]  # fire uuid -> (status, check uuid)
    site_grades: dict[str, str]  # site uuid -> new dust grade
    counts: dict[str, int] = field(default_factory=dict)


class _Log:
    """Rows and their audit entries, written as the app writes them."""

    def __init__(self, rng: np.random.Generator, names: dict[str, str]) -> None:
        self.rng = rng
        self.names = names
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in (
            "assignment", "inspection", "finding", "attachment", "audit_log", "sync_log", "sync_conflict")}
        self._uuids: list[str] = []

    def uuid(self) -> str:
        if not self._uuids:
            self._uuids = list(reversed(uuids_from_rng(self.rng, 512)))
        return self._uuids.pop()

    def audit(self, at: _dt.datetime, who: str, action: str, table: str, row: str, old: Optional[dict],
              new: Optional[dict], details: Optional[str] = None) -> None:
        def js(v: Optional[dict]) -> Optional[str]:
            if v is None:
                return None
            return json.dumps({k: (f"<{len(x)} bytes>" if isinstance(x, bytes) else x) for k, x in v.items()},
                              ensure_ascii=False)

        self.rows["audit_log"].append({"uuid": self.uuid(), "at": _t(at), "user_name": self.names[who],
                                       "action": action, "table_name": table, "row_uuid": row,
                                       "old_values": js(old), "new_values": js(new), "details": details})


def _step(log: _Log, table: str, row: dict, at: _dt.datetime, who: str, action: str, **values: Any) -> None:
    """Change ``row`` (in place) by a step, with its audit entry (old and new of the changed columns)."""
    values.setdefault("updated_at", _t(at))
    old = {k: row.get(k) for k in values}
    row.update(values)
    log.audit(at, who, action, table, row["uuid"], old, dict(values))


class _Office:
    """Who works where: inspectors per cell, chiefs per township, the district supervisors."""

    def __init__(self, inp: WorkInput) -> None:
        p = inp.people[inp.people["active"].astype(bool)]
        self.supervisors = p.loc[p["role"] == "supervisor", "uuid"].tolist()
        self.chief = dict(zip(p.loc[p["role"] == "chief", "township_code"], p.loc[p["role"] == "chief", "uuid"]))
        self.holder = dict(zip(inp.cells["code"], inp.cells["inspector_uuid"]))
        self.geom = dict(zip(inp.cells["code"], inp.cells.geometry))


def generate_work(inp: WorkInput, rng: np.random.Generator) -> Work:
    """The two months of work in ``inp``'s district (see the module docstring)."""
    names = dict(zip(inp.people["uuid"], inp.people["name"]))
    log = _Log(rng, names)
    office = _Office(inp)
    end = _dt.datetime.combine(inp.as_of, _dt.time(0), tzinfo=BJ)
    start = end - _dt.timedelta(days=DAYS)
    pace = {u: rng.uniform(1.4, 2.7) for u in inp.people["uuid"]}
    _patrols(inp, rng, log, start, end, pace)
    tasks = _office_tasks(inp, rng, log, office, start, end)
    fire_status = _fire_checks(inp, rng, log, office, start, end, tasks)
    site_grades = _findings(inp, rng, log, office, end, tasks)
    _syncs(inp, rng, log, office, start, end)
    tables = {name: pd.DataFrame(rows) for name, rows in log.rows.items()}
    counts = {name: len(rows) for name, rows in log.rows.items()}
    return Work(tables, fire_status, site_grades, counts)


def _daytime(t: _dt.datetime, rng: np.random.Generator) -> _dt.datetime:
    """``t``, or the next working morning when it falls outside the working day (08:00-18:30 Beijing)."""
    local = t.astimezone(BJ)
    if 8 <= local.hour < 18 or (local.hour == 18 and local.minute < 30):
        return t
    day = local.replace(hour=0, minute=0, second=0, microsecond=0) + _dt.timedelta(days=local.hour >= 18)
    return day + _dt.timedelta(hours=float(rng.uniform(8.2, 10.5)))


def _local(day: _dt.datetime, minutes: float) -> _dt.datetime:
    return day + _dt.timedelta(minutes=float(minutes))


def _patrols(inp: WorkInput, rng: np.random.Generator, log: _Log, start: _dt.datetime, end: _dt.datetime,
             pace: dict[str, float]) -> None:
    """Routine patrols: no task, the inspector's own round of their cells."""
    cells = inp.cells
    never = rng.random(len(cells)) < np.where(cells["township_code"] == inp.lagging, 0.12, 0.015)
    for code, town, who, cls, skip in zip(cells["code"], cells["township_code"], cells["inspector_uuid"],
                                          cells["cell_class"], never):
        if skip or who is None:
            continue
        every = PATROL_DAYS[str(cls)] * pace[who] * (2.2 if town == inp.lagging else 1.0)
        first = start + _dt.timedelta(days=18 if town == inp.lagging else 0)
        t = first + _dt.timedelta(days=float(rng.uniform(0, every)))
        while t < end:
            day = t.replace(hour=0, minute=0, second=0, microsecond=0)
            if day.weekday() == 6 and rng.random() < 0.7:
                day += _dt.timedelta(days=1)
            began = _local(day, rng.uniform(8.5 * 60, 17 * 60))
            done = began + _dt.timedelta(minutes=float(rng.uniform(15, 50)))
            if done < end:
                log.rows["inspection"].append({"uuid": log.uuid(), "assignment_uuid": None, "cell_code": code,
                                               "inspector_uuid": who, "kind": "patrol", "started_at": _t(began),
                                               "finished_at": _t(done), "notes": "日常巡查"})
            t = day + _dt.timedelta(days=float(every * rng.uniform(0.6, 1.4)))


def _new_task(log: _Log, kind: str, code: str, assignee: str, creator: str, created: _dt.datetime,
              due: _dt.datetime, *, priority: int = 2, notes: str = "", target: tuple[Optional[str], Optional[str]]
              = (None, None)) -> dict[str, Any]:
    row = {"uuid": log.uuid(), "kind": kind, "cell_code": code, "target_layer": target[0], "target_uuid": target[1],
           "assignee_uuid": assignee, "due_at": _t(due), "priority": priority, "notes": notes, "status": "assigned",
           "created_by": creator, "created_at": _t(created), "updated_at": _t(created), "started_at": None,
           "finished_at": None, "cancelled_at": None, "result": None, "status_note": None}
    log.rows["assignment"].append(row)
    log.audit(created, creator, "create", "assignment", row["uuid"], None, row)
    return row


def _work_task(log: _Log, rng: np.random.Generator, task: dict[str, Any], end: _dt.datetime, *,
               created: _dt.datetime, due: _dt.datetime, late: float = 0.08, never: float = 0.05,
               stuck: float = 0.03, result: Optional[str] = None) -> Optional[dict[str, Any]]:
    """Start and finish ``task`` the way people do (or not); returns its inspection, if started."""
    r = rng.random()
    if r < never:
        return None
    span = (due - created).total_seconds() / 3600
    if r < never + late:
        began = due + _dt.timedelta(hours=float(rng.uniform(2, 40)))
    else:
        began = created + _dt.timedelta(hours=float(rng.uniform(0.5, max(1.0, 0.8 * span))))
        if began.astimezone(BJ).hour < 7 or began.astimezone(BJ).hour > 19:  # field work is done by day
            began = began.astimezone(BJ).replace(hour=int(rng.integers(8, 11)), minute=int(rng.integers(0, 60)))
            if began < created:
                began += _dt.timedelta(days=1)
    if began >= end:
        return None
    who = task["assignee_uuid"]
    _step(log, "assignment", task, began, who, "start", status="in_progress", started_at=_t(began))
    ins = {"uuid": log.uuid(), "assignment_uuid": task["uuid"], "cell_code": task["cell_code"], "inspector_uuid": who,
           "kind": task["kind"], "started_at": _t(began), "finished_at": None, "notes": None}
    log.rows["inspection"].append(ins)
    log.audit(began, who, "start", "inspection", ins["uuid"], None, ins)
    done = began + _dt.timedelta(minutes=float(rng.uniform(25, 100)))
    # left in progress: only lately (older ones were finished, however late)
    if (rng.random() < stuck and began > end - _dt.timedelta(days=5)) or done >= end:
        return ins
    values: dict[str, Any] = {"status": "done", "finished_at": _t(done)}
    if result is not None:
        values["result"] = result
    _step(log, "assignment", task, done, who, "finish", **values)
    old = {"finished_at": None}
    ins["finished_at"] = _t(done)
    log.audit(done, who, "finish", "inspection", ins["uuid"], old, {"finished_at": ins["finished_at"]})
    return ins


def _cancel(log: _Log, rng: np.random.Generator, task: dict[str, Any], when: _dt.datetime,
            reason: Optional[str] = None) -> None:
    _step(log, "assignment", task, when, task["created_by"], "cancel", status="cancelled", cancelled_at=_t(when),
          status_note=reason or str(rng.choice(CANCEL_REASONS)))


def _tidy(log: _Log, rng: np.random.Generator, task: dict[str, Any], due: _dt.datetime, end: _dt.datetime) -> None:
    """A task nobody started is cancelled by the office a week or so after its due time (and sent
    again); only the recent ones are still open and overdue."""
    when = due + _dt.timedelta(days=float(rng.uniform(5, 10)))
    if task["status"] == "assigned" and when < end:
        _cancel(log, rng, task, when, "逾期未开展，已另行派发")


def _cell_of(inp: WorkInput, geoms: Any) -> list[Optional[str]]:
    pts = shapely.point_on_surface(np.asarray(geoms, dtype=object))
    hit = shapely.STRtree(np.asarray(inp.cells.geometry.values, dtype=object)).query(pts, predicate="within")
    out: list[Optional[str]] = [None] * len(pts)
    codes = inp.cells["code"].to_numpy()
    for i, j in zip(*hit):
        out[int(i)] = str(codes[int(j)])
    return out


def _office_tasks(inp: WorkInput, rng: np.random.Generator, log: _Log, office: _Office, start: _dt.datetime,
                  end: _dt.datetime) -> list[tuple[dict[str, Any], Optional[dict[str, Any]]]]:
    """Construction-dust and mine checks, unannounced visits, coal-ban checks: (task, inspection)."""
    out: list[tuple[dict[str, Any], Optional[dict[str, Any]]]] = []

    def day_at(d: int, hour: float) -> _dt.datetime:
        return start + _dt.timedelta(days=int(d), hours=float(hour))

    def run(kind: str, code: str, assignee: str, creator: str, created: _dt.datetime, days: int,
            target: tuple[Optional[str], Optional[str]] = (None, None), notes: str = "") -> None:
        due = (created + _dt.timedelta(days=days)).replace(hour=18, minute=0, second=0, microsecond=0)
        town = code[:9]
        task = _new_task(log, kind, code, assignee, creator, created, due, target=target, notes=notes,
                         priority=1 if kind == "unannounced" else 2)
        if rng.random() < 0.04:
            _cancel(log, rng, task, created + _dt.timedelta(hours=float(rng.uniform(3, 40))))
            out.append((task, None))
            return
        lag = town == inp.lagging
        out.append((task, _work_task(log, rng, task, end, created=created, due=due, late=0.25 if lag else 0.08,
                                     never=0.15 if lag else 0.05)))
        _tidy(log, rng, task, due, end)

    sup = office.supervisors
    site_cells = _cell_of(inp, inp.sites.geometry)
    checked = [i for i in rng.permutation(len(inp.sites)) if inp.sites["dust_grade"].iloc[i] != "A"
               and site_cells[i] is not None][:45]
    for i in checked:
        code = site_cells[i]
        assert code is not None
        for d in sorted(rng.choice(DAYS - 2, size=int(rng.integers(1, 4)), replace=False)):
            run("construction_dust", code, office.holder[code], str(rng.choice(sup)), day_at(d, rng.uniform(8.5, 11)),
                3, ("construction_site", inp.sites["uuid"].iloc[i]), f"工地扬尘检查：{inp.sites['name'].iloc[i]}")
    mine_cells = _cell_of(inp, inp.mines.geometry)
    for i, code in enumerate(mine_cells):
        if code is None:
            continue
        for d in sorted(rng.choice(DAYS - 2, size=int(rng.integers(1, 3)), replace=False)):
            creator = office.chief.get(code[:9]) if rng.random() < 0.5 else str(rng.choice(sup))
            run("mine", code, office.holder[code], creator or str(rng.choice(sup)), day_at(d, rng.uniform(8.5, 11)),
                5, ("mine", inp.mines["uuid"].iloc[i]), f"矿山扬尘检查：{inp.mines['name'].iloc[i]}")
    codes = inp.cells["code"].to_numpy()
    for k in range(30):  # the district's unannounced visits: a supervisor goes in person
        who = str(rng.choice(sup))
        code = str(codes[rng.integers(len(codes))])
        run("unannounced", code, who, who, day_at(int(rng.integers(0, DAYS - 1)), rng.uniform(8, 10)), 2,
            notes="暗访：不提前通知")
    heating = (_dt.datetime(end.year if end.month > 11 else end.year - 1, *HEATING_DAY, tzinfo=BJ) - start).days
    coal = inp.cells[inp.cells["cell_class"] == "coal_ban_zone"]
    for week_day in range(max(heating, 0), DAYS - 1, 7):
        for town, group in coal.groupby("township_code"):
            chief = office.chief.get(str(town))
            if chief is None:
                continue
            for code in rng.choice(group["code"].to_numpy(), size=min(4, len(group)), replace=False):
                run("coal_ban", str(code), office.holder[str(code)], chief,
                    day_at(week_day + int(rng.integers(0, 2)), rng.uniform(8.5, 10)), 3, notes="散煤复烧排查")
    return out


def _fire_checks(inp: WorkInput, rng: np.random.Generator, log: _Log, office: _Office, start: _dt.datetime,
                 end: _dt.datetime, tasks: list) -> dict[str, tuple[str, Optional[str]]]:
    """Each morning's run: one check per cell and Beijing day for the night's and yesterday's detections."""
    fires = inp.fires
    utc = pd.to_datetime(fires["detected_utc"], utc=True)
    local = utc.dt.tz_convert("Asia/Shanghai")
    status: dict[str, tuple[str, Optional[str]]] = {}
    covered = np.zeros(len(fires), dtype=bool)
    # a heat source's first days are checked; then the office knows the kiln and stops sending checks
    plant_days: dict[int, set] = {}
    for day in range(DAYS):
        run_at = start + _dt.timedelta(days=day, hours=8, minutes=float(rng.uniform(30, 55)))
        if run_at >= end:
            break
        window = (~covered & (utc <= pd.Timestamp(run_at)) & (utc > pd.Timestamp(run_at - _dt.timedelta(hours=48)))
                  ).to_numpy()
        idx = np.flatnonzero(window)
        runner = office.supervisors[day % len(office.supervisors)]
        groups: dict[tuple[str, str], list[int]] = {}
        for i in idx:
            plant = int(fires["plant"].iloc[i])
            bj_day = str(local.iloc[i].date())
            if plant >= 0:
                seen = plant_days.setdefault(plant, set())
                if len(seen | {bj_day}) > 2:
                    covered[i] = True  # a known heat source: left unverified, recognised on the map
                    continue
                seen.add(bj_day)
            groups.setdefault((str(fires["cell_code"].iloc[i]), bj_day), []).append(int(i))
        for (code, bj_day), members in sorted(groups.items()):
            covered[members] = True
            first = local.iloc[members[0]]
            created = run_at + _dt.timedelta(minutes=len(log.rows["assignment"]) % 5)
            due = created + _dt.timedelta(hours=24)
            task = _new_task(log, "fire_check", code, office.holder[code], runner, created, due, priority=1,
                             notes=f"{bj_day} 火点 {len(members)} 个，首次监测 {first:%H:%M}",
                             target=("fire_point", str(fires["uuid"].iloc[members[0]])))
            heat = bool(fires["heat_source"].iloc[members[0]])
            result = "industrial_heat" if heat else str(rng.choice([r for r, _ in _FIRE_RESULTS],
                                                              p=[p for _, p in _FIRE_RESULTS]))
            ins = _work_task(log, rng, task, end, created=created, due=due, late=0.12, never=0.05, stuck=0.02,
                             result=result)
            _tidy(log, rng, task, due, end)
            tasks.append((task, ins))
            for m in members:
                uid = str(fires["uuid"].iloc[m])
                status[uid] = (task["result"] if task["status"] == "done" else "unverified", task["uuid"])
    return status


def _findings(inp: WorkInput, rng: np.random.Generator, log: _Log, office: _Office, end: _dt.datetime,
              tasks: list) -> dict[str, str]:
    """Findings recorded during inspections, and how far each went along the loop by the as-of date."""
    by_task = {t["uuid"]: t for t, _ in tasks}
    chance = {"patrol": 0.019, "construction_dust": 0.3, "mine": 0.25, "coal_ban": 0.2, "unannounced": 0.4,
              "fire_check": 0.0}
    site_of = dict(zip(inp.sites["uuid"], range(len(inp.sites))))
    downgraded: dict[str, str] = {}
    candidates: list[tuple[int, _dt.datetime, str]] = []
    for ins in list(log.rows["inspection"]):
        task = by_task.get(ins["assignment_uuid"]) if ins["assignment_uuid"] else None
        kind = ins["kind"]
        p = chance[kind]
        if task is not None and kind == "fire_check" and task.get("result") == "burning_confirmed":
            p = 0.5
        if rng.random() >= p:
            continue
        began = pd.Timestamp(ins["started_at"]).to_pydatetime()
        found = began + _dt.timedelta(minutes=float(rng.uniform(8, 20)))
        if found >= end:
            continue
        category = {"construction_dust": "construction_dust", "mine": "mine_dust", "coal_ban": "scattered_coal",
                    "fire_check": "open_burning"}.get(kind) or patrol_category(rng, found.astimezone(BJ))
        finding = _record(inp, rng, log, office, ins, task, category, found)
        _loop(inp, rng, log, office, finding, end)
        if task is not None and task.get("target_layer") == "construction_site":
            site = inp.sites.iloc[site_of[task["target_uuid"]]]
            if site["dust_grade"] == "B":
                candidates.append((-int(finding["severity"]), found, str(site["uuid"])))
    if candidates:  # the gravest dust finding on a grade-B site: the site is downgraded the next day
        _, found, site_uuid = min(candidates)
        downgraded[site_uuid] = "C"
        log.audit(found + _dt.timedelta(days=1), office.supervisors[0], "edit", "construction_site", site_uuid,
                  {"dust_grade": "B"}, {"dust_grade": "C"}, details="扬尘治理不达标，降为C级")
    return downgraded


def _point_in(rng: np.random.Generator, cell: Any) -> shapely.Point:
    minx, miny, maxx, maxy = cell.bounds
    for _ in range(50):
        p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if cell.contains(p):
            return p
    return cell.representative_point()


def _photo(inp: WorkInput, rng: np.random.Generator, log: _Log, finding: dict[str, Any], role: str,
           at: _dt.datetime, who: str, pt: shapely.Point, window: Optional[tuple[_dt.datetime, _dt.datetime]],
           cell: Any) -> None:
    taken = (at - _dt.timedelta(minutes=float(rng.uniform(1, 6)))).astimezone(BJ).replace(tzinfo=None)
    r = rng.random()
    lon, lat = (None, None) if r < 0.03 else (pt.x + rng.normal(0, 0.0001), pt.y + rng.normal(0, 0.0001))
    if 0.03 <= r < 0.05:  # taken somewhere else (an old photo, or the wrong place)
        lon, lat = pt.x + 0.016, pt.y + 0.009
    data = scene_photo(rng, finding["category"], taken, lon, lat, after=role == "after")
    name = f"IMG_{taken:%Y%m%d_%H%M%S}.jpg"
    photo = read_photo(data, name)
    flags = photo_flags(photo, cell=cell, window=window)
    row = {"uuid": log.uuid(), "finding_uuid": finding["uuid"], "role": role, "filename": name,
           "mime_type": photo.mime_type, "sha256": photo.sha256,
           "taken_at": _t(photo.taken_at) if photo.taken_at else None, "longitude": photo.longitude,
           "latitude": photo.latitude, "data": data, "created_at": _t(at), "thumbnail": photo.thumbnail,
           "flags": ",".join(flags) or None, "added_by": who}
    log.rows["attachment"].append(row)
    log.audit(at, who, "create" if role == "evidence" else "rectify", "attachment", row["uuid"], None, row)


def _record(inp: WorkInput, rng: np.random.Generator, log: _Log, office: _Office, ins: dict, task: Optional[dict],
            category: str, found: _dt.datetime) -> dict[str, Any]:
    code = ins["cell_code"]
    cell = office.geom[code]
    pt = _point_in(rng, cell)
    severity = int(rng.choice([1, 2, 3], p=[0.45, 0.4, 0.15]))
    text = FINDING_TEXTS[category]
    row = {"uuid": log.uuid(), "inspection_uuid": ins["uuid"], "cell_code": code, "category": category,
           "severity": severity, "description": str(rng.choice(text)), "status": "found", "rectify_deadline": None,
           "responsible_party": None, "found_by": ins["inspector_uuid"], "found_at": _t(found),
           "updated_at": _t(found), "location_note": None, "assigned_by": None, "rectify_note": None,
           "rectified_by": None, "rectified_at": None, "verify_note": None, "verified_by": None, "verified_at": None,
           "reject_reason": None, "reject_count": 0, "closed_by": None, "closed_at": None,
           "geom": geometry_to_blob(pt, 4490, "Point")}
    log.rows["finding"].append(row)
    log.audit(found, row["found_by"], "create", "finding", row["uuid"], None, row)
    window = None
    if task is not None and task.get("started_at"):
        began = pd.Timestamp(task["started_at"]).to_pydatetime()
        fin = pd.Timestamp(task["finished_at"]).to_pydatetime() if task.get("finished_at") else found
        window = (began, max(fin, found))
    for _ in range(1 + (rng.random() < 0.3)):
        _photo(inp, rng, log, row, "evidence", found, row["found_by"], pt, window, cell)
    row["_pt"], row["_cell"] = pt, cell
    return row


def _loop(inp: WorkInput, rng: np.random.Generator, log: _Log, office: _Office, f: dict[str, Any],
          end: _dt.datetime) -> None:
    """Assign, rectify, verify (or reject), close: each step only if it happens before ``end``."""
    pt, cell = f.pop("_pt"), f.pop("_cell")
    town = f["cell_code"][:9]
    lag = town == inp.lagging
    # most are assigned within a day or so; some wait on the office for days
    wait = rng.uniform(2, 30) if rng.random() < 0.7 else rng.uniform(48, 190)
    t = _daytime(pd.Timestamp(f["found_at"]).to_pydatetime() + _dt.timedelta(hours=float(wait)), rng)
    if t >= end:
        return
    assigner = office.chief.get(town) if rng.random() < 0.7 else None
    assigner = assigner or str(rng.choice(office.supervisors))
    days = {1: 15, 2: 7, 3: 3}[int(f["severity"])]
    deadline = (t.astimezone(BJ) + _dt.timedelta(days=days)).date()
    _step(log, "finding", f, t, assigner, "assign", status="assigned", rectify_deadline=deadline.isoformat(),
          responsible_party=str(rng.choice(RESPONSIBLE[f["category"]])), assigned_by=assigner)
    rectifier = office.holder[f["cell_code"]]
    due = _dt.datetime.combine(deadline, _dt.time(18), tzinfo=BJ)
    for attempt in range(3):
        r = rng.random()
        if r < (0.2 if lag else 0.08):
            return  # never rectified: overdue once its deadline passes
        span = max((due - t).total_seconds(), 3600.0)
        t = t + _dt.timedelta(seconds=float(rng.uniform(0.2, 0.9) * span)) if r > 0.15 else \
            due + _dt.timedelta(days=float(rng.uniform(1, 4)))
        t = _daytime(t, rng)
        if t >= end:
            return
        _photo(inp, rng, log, f, "after", t, rectifier, pt, None, cell)
        _step(log, "finding", f, t, rectifier, "rectify", status="rectified", rectify_note="已按要求整改完毕",
              rectified_by=rectifier, rectified_at=_t(t))
        t = _daytime(t + _dt.timedelta(days=float(rng.uniform(1, 6))), rng)
        if t >= end:
            return
        checker = office.chief.get(town) if rng.random() < 0.6 else None
        checker = checker if checker and checker != rectifier else str(rng.choice(office.supervisors))
        if rng.random() < (0.15 if attempt == 0 else 0.05):
            _step(log, "finding", f, t, checker, "reject", status="assigned", reject_reason=str(rng.choice(
                REJECT_REASONS)), reject_count=int(f["reject_count"]) + 1, verified_by=checker, verified_at=_t(t))
            due = t + _dt.timedelta(days=3)
            continue
        _step(log, "finding", f, t, checker, "verify", status="verified", verify_note=str(rng.choice(VERIFY_NOTES)),
              verified_by=checker, verified_at=_t(t))
        t = _daytime(t + _dt.timedelta(days=float(rng.uniform(1, 5))), rng)
        if t < end:
            closer = str(rng.choice(office.supervisors))
            _step(log, "finding", f, t, closer, "close", status="closed", closed_by=closer, closed_at=_t(t))
        return


def _syncs(inp: WorkInput, rng: np.random.Generator, log: _Log, office: _Office, start: _dt.datetime,
           end: _dt.datetime) -> None:
    """Field laptops syncing with the shared project, a few of them with conflicts to review."""
    people = inp.people[inp.people["active"].astype(bool)]
    laptops = list(rng.choice(people.loc[people["role"] == "inspector", "uuid"].to_numpy(), size=10, replace=False))
    laptops += office.supervisors + list(office.chief.values())[:3]
    syncs = []
    for who in laptops:
        t = start + _dt.timedelta(days=float(rng.uniform(0, 6)))
        while t < end:
            at = t.replace(hour=int(rng.integers(17, 21)), minute=int(rng.integers(0, 60)))
            if at < end:
                syncs.append((at, who))
            t += _dt.timedelta(days=float(rng.uniform(5, 12)))
    syncs.sort()
    findings = [f for f in log.rows["finding"] if f["status"] != "found"]
    tasks = [t for t in log.rows["assignment"] if t["status"] in ("assigned", "in_progress")]
    conflict_at = set(rng.choice(len(syncs), size=min(5, len(syncs)), replace=False).tolist())
    for k, (at, who) in enumerate(syncs):
        row = {"uuid": log.uuid(), "at": _t(at), "user_name": log.names[who],
               "host": f"GW-{laptops.index(who) + 1:02d}",
               "sent": int(rng.integers(0, 40)), "received": int(rng.integers(5, 400)), "conflicts": 0,
               "refused": 0, "details": None, "tables_changed": json.dumps(["assignment", "inspection", "finding"])}
        log.rows["sync_log"].append(row)
        # a conflict is about a row that existed then (gpkg times compare as text)
        known = [f for f in findings if f["found_at"] < row["at"]]
        if k in conflict_at and known:
            f = known[int(rng.integers(len(known)))]
            other = str(rng.choice(office.supervisors))
            row["conflicts"] = 1
            status = ["open", "open", "accepted", "accepted", "restored"][len(log.rows["sync_conflict"]) % 5]
            column, rule, kept, lost = ("description", "the later edit wins", f["description"],
                                        f["description"] + "（补充：现场已拍照）")
            open_then = [t for t in tasks if t["created_at"] < row["at"]]
            if len(log.rows["sync_conflict"]) == 1 and open_then:
                t = open_then[int(rng.integers(len(open_then)))]
                column, rule, kept = "notes", "the later edit wins", t["notes"]
                lost = (t["notes"] or "") + "；请带执法记录仪"
                f = t
            log.rows["sync_conflict"].append({
                "uuid": log.uuid(), "sync_uuid": row["uuid"], "at": row["at"],
                "table_name": "assignment" if "kind" in f else "finding", "row_uuid": f["uuid"], "column_name": column,
                "kept_value": json.dumps(kept, ensure_ascii=False), "other_value": json.dumps(lost, ensure_ascii=False),
                "kept_by": f"{log.names[who]} (this sync)", "other_by": log.names[other], "rule": rule,
                "status": status, "reviewed_by": None if status == "open" else log.names[office.supervisors[0]],
                "reviewed_at": None if status == "open" else _t(at + _dt.timedelta(days=1))})
        elif rng.random() < 0.03:
            row["refused"] = 1
            row["details"] = "1 change refused: inspectors may not change grid_cell"
