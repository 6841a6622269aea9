"""Patrol coverage: how recently each cell was inspected, against how often it must be.

For every grid cell: the time of its last inspection, days since then, inspections in the recent
periods (default 7 and 30 days), open findings, and the patrol interval its class requires (a
configurable rule: cells touching the coal-ban zone weekly; cells with a mine or a grade-C
construction site twice a week; others every two weeks).  A cell is overdue when it was never
inspected or its last inspection is older than its interval.  Aggregates per township and per
inspector give the coverage percentage (cells inspected within the period).

Pure pandas/shapely over frames (no Qt, no SQL built here); :func:`coverage_from_project` reads
the frames from a project file.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np

from ..domain.seasonal import CELL_CLASS_TITLES as _CLASS_TITLES

# not fire-prone: checked as no burning, outside the cell or an industrial heat source
from ..domain.vocabulary import FIRE_CLEARED_RESULTS as NOT_FIRE_PRONE
from ..layers.palette import COVERAGE, COVERAGE_NEVER_HATCH, COVERAGE_OVERDUE
from ..tasks import ProgressCallback, no_progress

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Patrol interval (days) per cell class, checked in this order; the first class a cell has wins.
DEFAULT_RULES: tuple[tuple[str, float], ...] = (
    ("mine_or_grade_c_site", 3.5),  # twice a week
    ("coal_ban_zone", 7.0),  # weekly
    ("other", 14.0),  # every two weeks
)

CLOSED_FINDINGS = ("verified", "closed")

#: Titles of the cell classes of the patrol rule: key -> (Chinese, English).
CELL_CLASS_TITLES = _CLASS_TITLES


@dataclass(frozen=True)
class CoverageClass:
    """One class of "days since the last inspection" for coverage maps and their legends.

    A cell whose last inspection is ``d`` days old belongs to the first class with
    ``d <= max_days``; ``max_days`` None is unbounded.  The ``never`` class holds the cells
    never inspected.  ``rgba`` is the fill; ``hatch`` ("cross"/"diagonal") is drawn over it in
    ``hatch_rgba`` so the class also stands out in greyscale print.
    """

    key: str
    max_days: Optional[float]
    rgba: tuple[int, int, int, int]
    title_zh: str
    title_en: str
    hatch: Optional[str] = None
    hatch_rgba: tuple[int, int, int, int] = (255, 255, 255, 255)

    def title(self, lang: str = "zh") -> str:
        """The legend text in ``lang`` ("zh..." Chinese, anything else English)."""
        return self.title_zh if lang.startswith("zh") else self.title_en


#: Classes of days since the last inspection, in legend order (the last one: never inspected).
#: Shared by the app's map, the PDF/PNG maps and the HTML map so they all read alike.
#: Colours from the one palette (gridwatch.layers.palette): a sequential blue, never inspected grey.
COVERAGE_CLASSES: tuple[CoverageClass, ...] = (
    CoverageClass("within_7", 7.0, COVERAGE["within_7"], "7天内", "Within 7 days"),
    CoverageClass("within_14", 14.0, COVERAGE["within_14"], "8–14天", "8–14 days"),
    CoverageClass("within_30", 30.0, COVERAGE["within_30"], "15–30天", "15–30 days"),
    CoverageClass("over_30", None, COVERAGE["over_30"], "30天以上", "Over 30 days"),
    CoverageClass("never", None, COVERAGE["never"], "从未巡查", "Never inspected", hatch="diagonal",
                  hatch_rgba=COVERAGE_NEVER_HATCH),
)
#: Outline of the cells visited before but overdue now under their patrol rule (the never-inspected
#: cells are overdue too; their own class already marks them, so they are not outlined).
OVERDUE_OUTLINE: tuple[int, int, int, int] = COVERAGE_OVERDUE
OVERDUE_TITLE: tuple[str, str] = ("曾巡查但超期", "Visited, now overdue")


@dataclass
class Coverage:
    """Per-cell table and aggregates for one moment and its periods."""

    cells: pd.DataFrame
    townships: pd.DataFrame
    inspectors: pd.DataFrame
    periods: tuple[int, ...]
    now: _dt.datetime
    rules: tuple[tuple[str, float], ...] = field(default=DEFAULT_RULES)


def cell_memberships(cells, coal_ban_zones=None, mines=None, sites=None, *,  # type: ignore[no-untyped-def]
                     fireworks_ban_zones=None, fires=None, day: Optional[_dt.date] = None) -> dict[str, np.ndarray]:
    """Which cells belong to each class of the patrol calendar (booleans aligned with ``cells``).

    ``coal_ban_zone`` / ``fireworks_ban_zone``: the cell meets a zone; ``mine_or_grade_c_site``: it
    meets a mine or a grade-C site; ``construction_site``: it meets a site under way on ``day``
    (``start_date``/``end_date``; without ``day`` every site); ``fire_prone``: a fire point was
    detected in it (``cell_code``) in the 366 days up to the end of ``day``, unless checked as no
    burning, outside the cell or an industrial heat source (``FIRE_CLEARED_RESULTS``).  Frames in one
    CRS; missing ones mean no cell belongs.
    """
    import shapely

    geoms = np.asarray(cells.geometry.values, dtype=object)
    tree = shapely.STRtree(geoms)

    def touched(frame) -> np.ndarray:  # type: ignore[no-untyped-def]
        hit = np.zeros(len(cells), dtype=bool)
        if frame is None or len(frame) == 0:
            return hit
        _, cell_idx = tree.query(np.asarray(frame.geometry.values, dtype=object), predicate="intersects")
        hit[np.unique(cell_idx)] = True
        return hit

    out = {"coal_ban_zone": touched(coal_ban_zones), "fireworks_ban_zone": touched(fireworks_ban_zones)}
    grade_c = sites[sites["dust_grade"] == "C"] if sites is not None and len(sites) else None
    out["mine_or_grade_c_site"] = touched(mines) | touched(grade_c)
    active = sites
    if sites is not None and len(sites) and day is not None:
        d = day.isoformat()
        start = sites["start_date"].astype(object).where(sites["start_date"].notna(), None) \
            if "start_date" in sites.columns else pd.Series([None] * len(sites), index=sites.index)
        end = sites["end_date"].astype(object).where(sites["end_date"].notna(), None) \
            if "end_date" in sites.columns else pd.Series([None] * len(sites), index=sites.index)
        keep = [(s is None or str(s)[:10] <= d) and (e is None or str(e)[:10] >= d) for s, e in zip(start, end)]
        active = sites[np.asarray(keep, dtype=bool)]
    out["construction_site"] = touched(active)
    prone = np.zeros(len(cells), dtype=bool)
    if fires is not None and len(fires) and "cell_code" in fires.columns:
        f = fires[~fires["status"].isin(NOT_FIRE_PRONE)] if "status" in fires.columns else fires
        if day is not None and "detected_utc" in f.columns:
            at = _as_utc(f["detected_utc"])
            end_t = pd.Timestamp(day + _dt.timedelta(days=1)).tz_localize("Asia/Shanghai").tz_convert("UTC")
            f = f[(at < end_t) & (at >= end_t - pd.Timedelta(days=366))]
        prone = cells["code"].astype(str).isin(set(f["cell_code"].dropna().astype(str))).to_numpy()
    out["fire_prone"] = prone
    return out


def cell_classes(cells, coal_ban_zones=None, mines=None, sites=None, *,  # type: ignore[no-untyped-def]
                 rules: Sequence[tuple[str, float]] = DEFAULT_RULES, fireworks_ban_zones=None, fires=None,
                 day: Optional[_dt.date] = None):
    """Class of every cell (index aligned with ``cells``) under ``rules``: among the classes the cell
    belongs to (:func:`cell_memberships`) and ``rules`` names, the one with the shortest interval
    ("other" when none).  With :data:`DEFAULT_RULES` a mine or grade-C site wins over the coal-ban
    zone.

    ``cells``, ``coal_ban_zones``, ``mines``, ``sites`` are GeoDataFrames in one CRS; sites need a
    ``dust_grade`` column.  A cell "has" a mine or site when they intersect.
    """
    from ..domain.seasonal import shortest_class

    member = cell_memberships(cells, coal_ban_zones, mines, sites, fireworks_ban_zones=fireworks_ban_zones,
                              fires=fires, day=day)
    out = shortest_class(member, tuple(rules)) if len(cells) else []
    return pd.Series(np.asarray(out, dtype=object), index=cells.index, name="cell_class")


def _as_utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, errors="coerce", format="ISO8601")


def coverage(
    cells: pd.DataFrame,
    inspections: pd.DataFrame,
    findings: Optional[pd.DataFrame] = None,
    *,
    now: Optional[_dt.datetime] = None,
    periods: Sequence[int] = (7, 30),
    rules: Sequence[tuple[str, float]] = DEFAULT_RULES,
    classes: Optional[pd.Series] = None,
    township_names: Optional[dict[str, str]] = None,
    inspector_names: Optional[dict[str, str]] = None,
) -> Coverage:
    """Coverage of ``cells`` (code, township_code, inspector_uuid) by ``inspections``
    (cell_code, started_at ISO text), with open ``findings`` (cell_code, status) counted.

    ``classes``: each cell's class (see :func:`cell_classes`; default "other" everywhere).
    """
    t = pd.Timestamp(now or _dt.datetime.now(_dt.timezone.utc))
    if t.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    t = t.tz_convert("UTC")
    rule_days = dict(rules)
    out = pd.DataFrame({"code": cells["code"].astype(str).to_numpy(),
                        "township_code": cells["township_code"].astype(str).to_numpy(),
                        "inspector_uuid": cells["inspector_uuid"].to_numpy()})
    out["cell_class"] = (classes.to_numpy() if classes is not None else "other")
    out["interval_days"] = out["cell_class"].map(rule_days).fillna(rule_days.get("other", 14.0))
    if len(inspections):
        ins = pd.DataFrame({"cell_code": inspections["cell_code"].astype(str).reset_index(drop=True),
                            "at": _as_utc(inspections["started_at"]).reset_index(drop=True)})
    else:
        ins = pd.DataFrame({"cell_code": pd.Series([], dtype=object),
                            "at": pd.Series([], dtype="datetime64[ns, UTC]")})
    ins = ins[ins["at"].notna() & (ins["at"] <= t)]
    last = ins.groupby("cell_code")["at"].max()
    out["last_inspection"] = pd.Series(last.reindex(out["code"].to_numpy()).array, index=out.index)
    out["days_since"] = (t - out["last_inspection"]).dt.total_seconds() / 86400.0
    for days in periods:
        # inclusive, like the classes and the overdue rule: a visit exactly 7 days ago is "within 7 days"
        recent = ins[ins["at"] >= t - pd.Timedelta(days=days)]
        out[f"inspections_{days}d"] = out["code"].map(recent.groupby("cell_code").size()).fillna(0).astype(int)
    if findings is not None and len(findings):
        open_f = findings[~findings["status"].isin(CLOSED_FINDINGS)]
        out["open_findings"] = out["code"].map(open_f.groupby("cell_code").size()).fillna(0).astype(int)
    else:
        out["open_findings"] = 0
    out["never_inspected"] = out["last_inspection"].isna()
    out["overdue"] = out["never_inspected"] | (out["days_since"] > out["interval_days"])

    def aggregate(key: str, names: Optional[dict[str, str]]) -> pd.DataFrame:
        g = out.groupby(key, dropna=False)
        agg = pd.DataFrame({"cells": g.size()})
        for days in periods:
            visited = out[f"inspections_{days}d"] > 0
            agg[f"covered_{days}d"] = visited.groupby(out[key], dropna=False).sum().astype(int)
            agg[f"coverage_{days}d"] = (agg[f"covered_{days}d"] / agg["cells"] * 100.0).round(1)
        agg["never_inspected"] = g["never_inspected"].sum().astype(int)
        agg["overdue"] = g["overdue"].sum().astype(int)
        agg["open_findings"] = g["open_findings"].sum().astype(int)
        agg = agg.reset_index()
        if names is not None:
            agg.insert(1, "name", agg[key].map(names))
        return agg

    return Coverage(cells=out, townships=aggregate("township_code", township_names),
                    inspectors=aggregate("inspector_uuid", inspector_names), periods=tuple(periods),
                    now=t.to_pydatetime(), rules=tuple(rules))


def coverage_from_project(path: os.PathLike[str] | str, *, now: Optional[_dt.datetime] = None,
                          periods: Sequence[int] = (7, 30),
                          rules: Optional[Sequence[tuple[str, float]]] = None,
                          basis: str = "reported", track_rules=None,  # type: ignore[no-untyped-def]
                          progress: Optional[ProgressCallback] = None) -> Coverage:
    """:func:`coverage` of a project file (cell classes from its zones, mines, sites and fire points).

    ``rules``: the patrol interval per cell class; by default the district's seasonal calendar on
    ``now``'s Beijing day (:func:`gridwatch.domain.seasonal.season_plan`: coal-ban cells weekly in
    the winter, construction-site cells weekly in the spring dust season ...).

    ``basis``: what counts as a visit (:data:`~gridwatch.domain.vocabulary.COVERAGE_BASES`): the
    reported inspections, the cells walked by patrol track (see
    :mod:`gridwatch.analysis.track_coverage`, with ``track_rules``), or both.

    ``progress(fraction, message)`` hears of each step (the coverage panel runs this in a child process).
    """
    from ..domain.vocabulary import COVERAGE_BASES
    from ..storage import Project

    if basis not in COVERAGE_BASES:
        raise ValueError(f"coverage basis must be one of {', '.join(COVERAGE_BASES)}, not {basis!r}")
    from ..domain.seasonal import season_plan
    from ..storage.plans import read_settings
    from ..times import BEIJING

    report = progress or no_progress
    report(0.0, "reading the grid")
    project = Project.open(path)
    cells = project.read_layer("grid_cell")
    day = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(BEIJING).date()
    if rules is None:
        rules = season_plan(read_settings(path), day).rules()
    fires = None
    if any(k == "fire_prone" for k, _ in rules):  # the cells with a counted fire point in the year up to `day`
        from ..storage.queries import fire_cells_between

        end_t = _dt.datetime.combine(day + _dt.timedelta(days=1), _dt.time(), tzinfo=BEIJING)
        fires = pd.DataFrame({"cell_code": fire_cells_between(path, end_t - _dt.timedelta(days=366), end_t,
                                                              NOT_FIRE_PRONE)})
    report(0.3, "classing the cells")
    classes = cell_classes(cells, project.read_layer("coal_ban_zone"), project.read_layer("mine"),
                           project.read_layer("construction_site"), rules=rules,
                           fireworks_ban_zones=project.read_layer("fireworks_ban_zone"), fires=fires, day=day)
    report(0.6, "reading the visits")
    inspections = visits_by_basis(path, cells, project.read_table("inspection", columns=["cell_code", "started_at"]),
                                  basis, now=now, days=max([*periods, *(d for _, d in rules)]) * 3,
                                  track_rules=track_rules)
    findings = project.read_layer("finding")[["cell_code", "status"]]
    towns = project.read_layer("township")
    people = project.read_table("inspector")
    report(0.8, "computing the coverage")
    out = coverage(cells, inspections, findings, now=now, periods=periods, rules=rules, classes=classes,
                   township_names=dict(zip(towns["code"], towns["name"])),
                   inspector_names=dict(zip(people["uuid"], people["name"])))
    report(1.0, "done")
    return out


def visits_by_basis(path: os.PathLike[str] | str, cells: pd.DataFrame, inspections: pd.DataFrame, basis: str, *,
                    now: Optional[_dt.datetime] = None, days: float = 90,
                    track_rules=None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """The visits (``cell_code``, ``started_at``) that count for ``basis``: the reported ``inspections``,
    the cells walked by patrol track in the last ``days`` (see :mod:`gridwatch.analysis.track_coverage`), or
    both."""
    from ..domain.vocabulary import COVERAGE_BASES

    if basis not in COVERAGE_BASES:
        raise ValueError(f"coverage basis must be one of {', '.join(COVERAGE_BASES)}, not {basis!r}")
    if basis == "reported":
        return inspections
    from ..domain.tracks import TrackRules
    from ..storage.tracks import read_tracks
    from .track_coverage import walks, walks_as_visits

    t_end = pd.Timestamp(now or _dt.datetime.now(_dt.timezone.utc))
    visits = walks_as_visits(walks(cells, read_tracks(path, start=(t_end - pd.Timedelta(days=days)).to_pydatetime(),
                                                      end=t_end.to_pydatetime(), columns=()),
                                   track_rules or TrackRules()))
    visits["started_at"] = [pd.Timestamp(v).isoformat() for v in visits["started_at"]]
    return visits if basis == "tracks" else pd.concat([inspections, visits], ignore_index=True)


def coverage_classes(cov: "Coverage | pd.DataFrame") -> pd.Series:
    """Class of days since the last inspection of every cell (see :data:`COVERAGE_CLASSES`).

    Parameters
    ----------
    cov : Coverage or DataFrame
        A :class:`Coverage` or its ``cells`` frame (``days_since``; NaN means never inspected).

    Returns
    -------
    Series
        Categorical with the class keys as categories in legend order, index aligned with the
        cells.  Bounds are inclusive: exactly 7 days is "within_7", 7.01 days "within_14".
    """
    cells = cov.cells if isinstance(cov, Coverage) else cov
    days = pd.to_numeric(cells["days_since"], errors="coerce").to_numpy(dtype=float)
    bounded = [c for c in COVERAGE_CLASSES if c.max_days is not None]
    open_ended = next(c for c in COVERAGE_CLASSES if c.max_days is None and c.key != "never")
    keys = np.array([c.key for c in bounded] + [open_ended.key], dtype=object)
    limits = np.array([c.max_days for c in bounded], dtype=float)
    known = ~np.isnan(days)
    out = np.full(len(days), "never", dtype=object)
    out[known] = keys[np.searchsorted(limits, days[known], side="left")]
    if "never_inspected" in cells.columns:  # the flag wins over a (stale) number
        out[cells["never_inspected"].fillna(False).to_numpy(dtype=bool)] = "never"
    order = [c.key for c in COVERAGE_CLASSES]
    return pd.Series(pd.Categorical(out, categories=order), index=cells.index, name="coverage_class")


def coverage_class_counts(cov: "Coverage | pd.DataFrame") -> pd.Series:
    """Cells per coverage class, every class listed (zeros included), in legend order."""
    return coverage_classes(cov).value_counts(sort=False).reindex([c.key for c in COVERAGE_CLASSES],
                                                                 fill_value=0).astype(int)


def rules_from_intervals(intervals: dict[str, float]) -> tuple[tuple[str, float], ...]:
    """Patrol rule with the intervals (days) given per cell class; classes not given keep the default.

    Raises
    ------
    ValidationError
        An unknown class, or an interval that is not a positive number of days.
    """
    from ..errors import ValidationError

    defaults = dict(DEFAULT_RULES)
    for key, days in intervals.items():
        if key not in CELL_CLASS_TITLES:
            raise ValidationError(f"patrol rule: unknown cell class {key!r}; classes: {', '.join(CELL_CLASS_TITLES)}")
        try:
            value = float(days)
        except (TypeError, ValueError):
            raise ValidationError(f"patrol rule for {key}: {days!r} is not a number of days") from None
        if not value > 0:
            raise ValidationError(f"patrol rule for {key}: the interval must be more than 0 days, not {days!r}")
    out = [(key, float(intervals.get(key, default))) for key, default in DEFAULT_RULES]
    return tuple(out + [(key, float(days)) for key, days in intervals.items() if key not in defaults])
