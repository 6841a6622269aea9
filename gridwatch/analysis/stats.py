"""Statistics for the monthly bulletin (月通报): inspections per week, findings by category and status,
per-township indicators, fire-point follow-up and the township ranking (考核排名).

Pure pandas over frames (no Qt, no SQL built from values); the ``*_from_project`` functions read
the frames from a project file.  Every statistic covers a *period* ``(start, end)`` of aware
datetimes, ``end`` exclusive; :func:`month_period` gives a Beijing-time calendar month (the
default everywhere is the current Beijing month).  Weeks are Beijing-time weeks starting on
Monday 00:00.  Stored times are UTC ISO text (``2025-11-20T01:00:00.000Z``) or timestamps.

Definitions (what a bulletin reader is told):

* **closed finding** (整改到位): status ``verified`` or ``closed``, as in
  :data:`gridwatch.analysis.coverage.CLOSED_FINDINGS`; **closure rate** = closed / findings
  *found in the period* x 100.
* **overdue finding** (超期问题): still open (found, assigned or rectified) and its rectification
  deadline (a Beijing-time date) is before the reference day, the Beijing date of
  ``min(now, period end)``; counted over all findings, older ones included, by their current status.
* **overdue task** (超期任务): assigned or in progress and its due time is before ``min(now, end)``.
* **coverage** (巡查覆盖率): share of a township's cells with at least one inspection started in
  the period (up to ``now``), computed by :func:`gridwatch.analysis.coverage.coverage`.
* **fire point outcome**: each fire point detected in the period is judged by its check (the
  ``fire_check`` task in ``fire_point.check_uuid``): ``in_time`` (finished no later than its due
  time, or finished with no due time), ``late`` (finished after it), ``cancelled``, ``overdue``
  (still open past its due time), ``pending`` (open, not yet due) or ``no_check``.
  **Checked in time %** = in_time / (in_time + late + cancelled + overdue) x 100; pending checks
  and fire points without a check are not in the denominator (they are counted separately).
* **hours to check** (核查用时): from the fire point's *detection* (``detected_utc``) to its
  check's ``finished_at``, per fire point; the median over finished checks.  Fire points known only
  by their date (day precision: ``detected_local`` is ``YYYY-MM-DD``) are left out of it.
* **persistent heat sources** (持续热源: kilns, plants; :mod:`gridwatch.domain.heat_sources`) are
  not straw or open burning: their detections are left out of every fire count above (they are
  counted apart) unless a check confirmed burning.
* **fires per cell** (the ranking's fire indicator): the period's fire points less those a check
  found no burning at or outside the cell, per cell (issue 17; the assessment,
  :mod:`gridwatch.analysis.assessment`, deducts confirmed burning only).
"""

from __future__ import annotations

import datetime as _dt
import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

import numpy as np

from ..domain.heat_sources import counts_as_burning
from ..domain.vocabulary import FIRE_CLEARED_RESULTS
from ..errors import ValidationError
from ..storage.schema import FINDING_CATEGORIES, FINDING_STATUSES
from ..tasks import CancelToken, ProgressCallback, Steps
from ..times import BEIJING, utc_series

# The ranking lives in .bulletin; these names stay importable from here (panels, exports, tests).
from .bulletin import DEFAULT_WEIGHTS as DEFAULT_WEIGHTS
from .bulletin import INDICATORS as INDICATORS
from .bulletin import indicator_scores as indicator_scores
from .bulletin import parse_weights as parse_weights
from .bulletin import ranking as ranking
from .bulletin import validate_weights as validate_weights
from .coverage import CLOSED_FINDINGS, coverage

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

Period = tuple[_dt.datetime, _dt.datetime]

BEIJING_TZ = "Asia/Shanghai"
OPEN_FINDINGS = ("found", "assigned", "rectified")
OPEN_TASKS = ("assigned", "in_progress")
FIRE_OUTCOMES = ("in_time", "late", "cancelled", "overdue", "pending", "no_check")

#: Chinese names of the indicators (bulletin, export, dashboard).
INDICATOR_TITLES_ZH = {"coverage": "巡查覆盖率", "closure": "问题整改率", "overdue": "超期问题和任务(每网格)",
                       "fire_in_time": "火点按时核查率", "fires": "火点密度(每网格)"}


# --- times and periods -------------------------------------------------------------------------


def _aware(t: Optional[_dt.datetime], what: str = "now") -> pd.Timestamp:
    ts = pd.Timestamp(t if t is not None else _dt.datetime.now(_dt.timezone.utc))
    if ts.tzinfo is None:
        raise ValueError(f"{what} must be timezone-aware")
    return ts.tz_convert("UTC")


_utc = utc_series  # stored times as UTC timestamps (see gridwatch.times)


def month_period(month: Optional[str | _dt.date] = None, *, now: Optional[_dt.datetime] = None) -> Period:
    """A Beijing-time calendar month as ``(start, end)`` (aware, ``end`` exclusive).

    ``month``: ``"YYYY-MM"`` text or a date in the month; default the month of ``now`` (Beijing time).

    Raises
    ------
    ValidationError
        ``month`` is not ``YYYY-MM``.
    """
    if month is None:
        day = _aware(now).tz_convert(BEIJING_TZ)
        year, mon = day.year, day.month
    elif isinstance(month, _dt.date):
        year, mon = month.year, month.month
    else:
        try:
            parsed = _dt.datetime.strptime(str(month).strip(), "%Y-%m")
        except ValueError:
            raise ValidationError(f"month {month!r}: write it as YYYY-MM, e.g. 2025-11") from None
        year, mon = parsed.year, parsed.month
    start = _dt.datetime(year, mon, 1, tzinfo=BEIJING)
    end = _dt.datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=BEIJING)
    return start, end


def period_label(period: Period) -> str:
    """``2025-11`` for a whole Beijing month, else ``2025-11-03 至 2025-11-09`` (last day inclusive)."""
    start, end = (pd.Timestamp(t).tz_convert(BEIJING_TZ) for t in period)
    if start == start.normalize() and start.day == 1 and (end - pd.DateOffset(months=1)) == start:
        return start.strftime("%Y-%m")
    return f"{start:%Y-%m-%d} 至 {(end - pd.Timedelta(microseconds=1)):%Y-%m-%d}"


def _period(period: Optional[Period], now: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    start, end = period if period is not None else month_period(now=now.to_pydatetime())
    s, e = _aware(start, "period start"), _aware(end, "period end")
    if e <= s:
        raise ValidationError(f"period {s} to {e}: the end must be after the start")
    return s, e


def beijing_week_start(times: pd.Series) -> pd.Series:
    """The Beijing-time Monday 00:00 of each UTC time (tz-aware Asia/Shanghai timestamps)."""
    local = _utc(times).dt.tz_convert(BEIJING_TZ)
    return local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")


def week_starts(now: _dt.datetime, weeks: int = 12, *, period: Optional[Period] = None) -> pd.DatetimeIndex:
    """Beijing-time week starts (Mondays): the ``weeks`` weeks ending with the week of ``now``, or
    every week that overlaps ``period`` when it is given."""
    if period is not None:
        s, e = _aware(period[0], "period start"), _aware(period[1], "period end")
        first = beijing_week_start(pd.Series([s])).iloc[0]
        last = beijing_week_start(pd.Series([e - pd.Timedelta(microseconds=1)])).iloc[0]
    else:
        if weeks < 1:
            raise ValidationError(f"weeks must be at least 1, not {weeks}")
        last = beijing_week_start(pd.Series([_aware(now)])).iloc[0]
        first = last - pd.Timedelta(weeks=weeks - 1)
    return pd.date_range(first, last, freq="7D", tz=BEIJING_TZ)


# --- inspections and findings ----------------------------------------------------------------


def inspections_per_week(inspections: pd.DataFrame, now: Optional[_dt.datetime] = None, weeks: int = 12, *,
                         period: Optional[Period] = None) -> pd.DataFrame:
    """Inspections started per Beijing-time week (Monday start), zero-filled.

    ``inspections`` has ``started_at``.  The weeks are the ``weeks`` weeks ending with the week of
    ``now`` (or those overlapping ``period``); inspections after ``now`` are not counted.
    Returns columns ``week_start`` (Beijing Monday 00:00) and ``inspections``.
    """
    t = _aware(now)
    index = week_starts(t.to_pydatetime(), weeks, period=period)
    at = _utc(inspections["started_at"]) if len(inspections) else pd.Series([], dtype="datetime64[ns, UTC]")
    at = at[at.notna() & (at <= t)]
    if period is not None:
        s, e = _period(period, t)
        at = at[(at >= s) & (at < e)]
    counts = beijing_week_start(at).value_counts() if len(at) else pd.Series([], dtype=int)
    out = pd.DataFrame({"week_start": index})
    out["inspections"] = [int(counts.get(w, 0)) for w in index]
    return out


def findings_by_category_status(findings: pd.DataFrame, *, period: Optional[Period] = None) -> pd.DataFrame:
    """Findings counted by category (rows, in :data:`FINDING_CATEGORIES` order) and status (columns,
    in lifecycle order), zero-filled; only those found in ``period`` when it is given."""
    f = findings
    if period is not None and len(f):
        at = _utc(f["found_at"])
        s, e = _aware(period[0], "period start"), _aware(period[1], "period end")
        f = f[(at >= s) & (at < e)]
    table = pd.crosstab(f["category"], f["status"]) if len(f) else pd.DataFrame()
    cats = list(FINDING_CATEGORIES) + sorted(set(map(str, table.index)) - set(FINDING_CATEGORIES))
    out = table.reindex(index=cats, columns=list(FINDING_STATUSES), fill_value=0).fillna(0).astype(int)
    out.index.name, out.columns.name = "category", "status"
    return out


# --- fire-point follow-up -----------------------------------------------------------------------


def fire_outcomes(fire_points: pd.DataFrame, assignments: pd.DataFrame, now: Optional[_dt.datetime] = None
                  ) -> pd.DataFrame:
    """Each fire point with its check's due and finish times, ``outcome`` (see the module docstring)
    and ``hours_to_check`` (detection to the check's finish; NaN unless finished).

    ``fire_points``: uuid, detected_utc, township_code, check_uuid.  ``assignments``: uuid, status,
    due_at, finished_at.
    """
    t = _aware(now)
    fp = pd.DataFrame({"uuid": fire_points["uuid"].to_numpy(),
                       "township_code": fire_points["township_code"].astype(object).to_numpy(),
                       "check_uuid": fire_points["check_uuid"].astype(object).to_numpy(),
                       "detected": _utc(fire_points["detected_utc"]).to_numpy()})
    fp["detected"] = pd.to_datetime(fp["detected"], utc=True)
    checks = pd.DataFrame({"check_uuid": assignments["uuid"].astype(object).to_numpy() if len(assignments) else [],
                           "check_status": assignments["status"].astype(object).to_numpy() if len(assignments) else [],
                           "due": _utc(assignments["due_at"]).to_numpy() if len(assignments) else [],
                           "finished": _utc(assignments["finished_at"]).to_numpy() if len(assignments) else []})
    checks["due"] = pd.to_datetime(checks["due"], utc=True)
    checks["finished"] = pd.to_datetime(checks["finished"], utc=True)
    out = fp.merge(checks, on="check_uuid", how="left")
    has = out["check_status"].notna()
    done = has & out["finished"].notna()
    outcome = np.full(len(out), "no_check", dtype=object)
    in_time = done & (out["due"].isna() | (out["finished"] <= out["due"]))
    outcome[(done & ~in_time).to_numpy()] = "late"
    outcome[in_time.to_numpy()] = "in_time"
    open_ = has & ~done & (out["check_status"] != "cancelled")
    outcome[(has & ~done & (out["check_status"] == "cancelled")).to_numpy()] = "cancelled"
    outcome[(open_ & out["due"].notna() & (out["due"] < t)).to_numpy()] = "overdue"
    outcome[(open_ & ~(out["due"].notna() & (out["due"] < t))).to_numpy()] = "pending"
    out["outcome"] = outcome
    out["hours_to_check"] = (out["finished"] - out["detected"]).dt.total_seconds() / 3600.0
    if "detected_local" in fire_points.columns:
        # A detection known only by its date (day precision) has no hour to count from.
        day_only = fire_points["detected_local"].astype(str).str.len().to_numpy() == 10
        out.loc[day_only, "hours_to_check"] = np.nan
    return out


def _fire_table(outcomes: pd.DataFrame, key: Optional[pd.Series]) -> pd.DataFrame:
    """Per-group fire counts (or one row for the whole frame when ``key`` is None)."""
    groups = key if key is not None else pd.Series("all", index=outcomes.index)
    counts = pd.crosstab(groups, outcomes["outcome"]).reindex(columns=list(FIRE_OUTCOMES), fill_value=0) \
        if len(outcomes) else pd.DataFrame(columns=list(FIRE_OUTCOMES))
    counts = counts.fillna(0).astype(int)
    counts.insert(0, "fire_points", counts.sum(axis=1).astype(int))
    judged = counts[["in_time", "late", "cancelled", "overdue"]].sum(axis=1)
    counts["checks_due"] = judged.astype(int)
    counts["fire_in_time_pct"] = (counts["in_time"] / judged.where(judged > 0) * 100.0).round(1)
    finished = outcomes[outcomes["outcome"].isin(("in_time", "late"))]
    if len(finished):
        fkey = groups.loc[finished.index]
        counts["median_hours_to_check"] = finished["hours_to_check"].groupby(fkey).median().round(1)
    else:
        counts["median_hours_to_check"] = np.nan
    return counts


@dataclass
class FireFollowup:
    """Fire-point follow-up for a period.

    ``weekly``: fire points detected per Beijing week (rows, index = week start) and township
    (columns, codes), zero-filled.  ``townships``: per township fire_points, the outcome counts
    (:data:`FIRE_OUTCOMES`), checks_due, fire_in_time_pct and median_hours_to_check (from
    detection).  ``total``: the same over the district (a Series).
    """

    weekly: pd.DataFrame
    townships: pd.DataFrame
    total: pd.Series
    period: Period
    now: _dt.datetime
    #: Fire points per Beijing week (rows) by outcome (columns, :data:`FIRE_OUTCOMES`), zero-filled.
    weekly_outcomes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame())
    #: Detections of persistent heat sources in the period, left out of everything above.
    heat_sources: int = 0


def fire_followup(fire_points: pd.DataFrame, assignments: pd.DataFrame, now: Optional[_dt.datetime] = None,
                  weeks: int = 12, *, period: Optional[Period] = None,
                  township_names: Optional[Mapping[str, str]] = None) -> FireFollowup:
    """Fire points per township and per Beijing week, share checked within the deadline and the
    median hours from detection to the check's finish.

    Covers the fire points detected in ``period`` (default: the ``weeks`` weeks ending with the
    week of ``now``) and not after ``now``.  ``township_names`` lists the townships to show
    (all of them, even without fire points) and adds a ``name`` column.
    """
    t = _aware(now)
    index = week_starts(t.to_pydatetime(), weeks, period=period)
    fire_points, heat = straw_fires(fire_points)
    if period is None:
        s, e = index[0].tz_convert("UTC"), min(index[-1] + pd.Timedelta(weeks=1), t + pd.Timedelta(microseconds=1))
        per: Period = (s.to_pydatetime(), (index[-1] + pd.Timedelta(weeks=1)).to_pydatetime())
    else:
        s, e = _period(period, t)
        per = (s.to_pydatetime(), e.to_pydatetime())
    out = fire_outcomes(fire_points, assignments, t.to_pydatetime())
    out = out[out["detected"].notna() & (out["detected"] >= s) & (out["detected"] < e) & (out["detected"] <= t)]
    codes = sorted(set(township_names or {}) | set(out["township_code"].dropna().astype(str)))
    town_key = out["township_code"].fillna("").astype(str)
    weekly = pd.crosstab(beijing_week_start(out["detected"]), town_key) if len(out) else pd.DataFrame()
    weekly = weekly.reindex(index=index, columns=codes, fill_value=0).fillna(0).astype(int)
    weekly.index.name, weekly.columns.name = "week_start", "township_code"
    by_outcome = pd.crosstab(beijing_week_start(out["detected"]), out["outcome"]) if len(out) else pd.DataFrame()
    by_outcome = by_outcome.reindex(index=index, columns=list(FIRE_OUTCOMES), fill_value=0).fillna(0).astype(int)
    by_outcome.index.name, by_outcome.columns.name = "week_start", None
    towns = _fire_table(out, town_key).reindex(codes)
    ints = ["fire_points", *FIRE_OUTCOMES, "checks_due"]
    towns[ints] = towns[ints].fillna(0).astype(int)
    towns.index.name = "township_code"
    towns.columns.name = None
    towns = towns.reset_index()
    if township_names is not None:
        towns.insert(1, "name", towns["township_code"].map(dict(township_names)))
    total = _fire_table(out, None)
    total_row = total.iloc[0] if len(total) else pd.Series(
        {"fire_points": 0, **{k: 0 for k in FIRE_OUTCOMES}, "checks_due": 0, "fire_in_time_pct": np.nan,
         "median_hours_to_check": np.nan})
    if len(heat):
        when = _utc(heat["detected_utc"])
        heat = heat[when.notna() & (when >= s) & (when < e) & (when <= t)]
    return FireFollowup(weekly=weekly, townships=towns, total=total_row, period=per, now=t.to_pydatetime(),
                        weekly_outcomes=by_outcome, heat_sources=len(heat))


def straw_fires(fire_points: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(counted, left out)``: fire points that count as straw or open burning, and the detections of
    persistent heat sources (kilns, plants) that do not, unless a check confirmed burning there."""
    if "heat_source" not in fire_points.columns or not len(fire_points):
        return fire_points, fire_points.iloc[0:0]
    counted = counts_as_burning(fire_points["heat_source"].to_numpy(dtype=object),
                                fire_points["status"].to_numpy(dtype=object) if "status" in fire_points.columns
                                else np.full(len(fire_points), None, dtype=object))
    return fire_points[counted], fire_points[~counted]


#: Columns of :func:`township_summary`, in order.
SUMMARY_COLUMNS = ("township_code", "name", "cells", "inspections", "covered_cells", "coverage_pct", "findings",
                   "findings_closed", "closure_pct", "findings_overdue", "tasks_overdue", "overdue_per_cell",
                   "fire_points", "fire_in_time", "checks_due", "fire_in_time_pct", "median_hours_to_check",
                   "fires_per_cell")


# --- townships --------------------------------------------------------------------------------


def township_summary(
    cells: pd.DataFrame,
    findings: pd.DataFrame,
    assignments: pd.DataFrame,
    fire_points: pd.DataFrame,
    inspections: pd.DataFrame,
    *,
    period: Optional[Period] = None,
    now: Optional[_dt.datetime] = None,
    township_names: Optional[Mapping[str, str]] = None,
) -> pd.DataFrame:
    """One row per township: the bulletin's indicators for ``period`` (default: this Beijing month).

    Inputs: ``cells`` (code, township_code), ``findings`` (cell_code, status, found_at,
    rectify_deadline), ``assignments`` (uuid, cell_code, status, due_at, finished_at),
    ``fire_points`` (uuid, detected_utc, township_code, check_uuid), ``inspections`` (cell_code,
    started_at).  A finding's or task's township is its cell's.

    Columns: township_code, name, cells, inspections, covered_cells, coverage_pct, findings,
    findings_closed, closure_pct, findings_overdue, tasks_overdue, overdue_per_cell, fire_points,
    fire_in_time, checks_due, fire_in_time_pct, median_hours_to_check, fires_per_cell.
    Percentages have one decimal; a rate with nothing to count is NaN.  Definitions: module docstring.
    """
    t = _aware(now)
    s, e = _period(period, t)
    ref = min(t, e)  # overdue is judged at the period's end, or now for the running month
    # A deadline (a Beijing date) has passed when it is before the Beijing day of ``ref``; at the
    # period's (exclusive) end that is the day after the period, so its last day's deadlines count.
    ref_day = ref.tz_convert(BEIJING_TZ).date().isoformat()
    town_of = pd.Series(cells["township_code"].astype(str).to_numpy(), index=cells["code"].astype(str).to_numpy())
    codes = sorted(set(township_names or {}) | set(town_of.unique()))
    out = pd.DataFrame({"township_code": codes})
    if township_names is not None:
        out["name"] = out["township_code"].map(dict(township_names))
    else:
        out["name"] = out["township_code"]
    key = out["township_code"]

    def per_town(frame_codes: pd.Series) -> pd.Series:
        """Counts per township of rows whose cell codes are ``frame_codes``."""
        towns = frame_codes.astype(str).map(town_of)
        return key.map(towns.value_counts()).fillna(0).astype(int)

    # coverage: cells inspected in [start, ref]
    ins_at = _utc(inspections["started_at"]) if len(inspections) else pd.Series([], dtype="datetime64[ns, UTC]")
    ins = inspections[(ins_at >= s) & (ins_at <= ref)] if len(inspections) else inspections
    out["cells"] = key.map(town_of.value_counts()).fillna(0).astype(int)
    out["inspections"] = per_town(ins["cell_code"]) if len(ins) else 0
    if ref > s:
        days = max(1, math.ceil((ref - s).total_seconds() / 86400.0))
        cell_frame = pd.DataFrame({"code": town_of.index, "township_code": town_of.to_numpy(),
                                   "inspector_uuid": cells.get("inspector_uuid", pd.Series([None] * len(cells)))
                                   .to_numpy()})
        cov = coverage(cell_frame, ins[["cell_code", "started_at"]] if len(ins) else
                       pd.DataFrame({"cell_code": [], "started_at": []}), now=ref.to_pydatetime(), periods=(days,))
        covered = cov.townships.set_index("township_code")[f"covered_{days}d"]
        out["covered_cells"] = key.map(covered).fillna(0).astype(int)
    else:
        out["covered_cells"] = 0
    out["coverage_pct"] = (out["covered_cells"] / out["cells"].where(out["cells"] > 0) * 100.0).round(1)

    # findings found in the period, closed among them; overdue over all findings
    if len(findings):
        found_at = _utc(findings["found_at"])
        recent = findings[(found_at >= s) & (found_at < e) & (found_at <= t)]
        closed = recent[recent["status"].isin(CLOSED_FINDINGS)]
        deadline = findings["rectify_deadline"].astype(object).where(findings["rectify_deadline"].notna(), None)
        deadline_text = deadline.map(lambda v: None if v is None else str(v)[:10])
        late = findings[findings["status"].isin(OPEN_FINDINGS) & deadline_text.notna()
                        & (deadline_text.fillna("9999") < ref_day) & (found_at <= ref)]
        out["findings"] = per_town(recent["cell_code"])
        out["findings_closed"] = per_town(closed["cell_code"])
        out["findings_overdue"] = per_town(late["cell_code"])
    else:
        out["findings"] = out["findings_closed"] = out["findings_overdue"] = 0
    out["closure_pct"] = (out["findings_closed"] / out["findings"].where(out["findings"] > 0) * 100.0).round(1)

    if len(assignments):
        due = _utc(assignments["due_at"])
        late_tasks = assignments[assignments["status"].isin(OPEN_TASKS) & due.notna() & (due < ref)]
        out["tasks_overdue"] = per_town(late_tasks["cell_code"])
    else:
        out["tasks_overdue"] = 0
    out["overdue_per_cell"] = ((out["findings_overdue"] + out["tasks_overdue"])
                               / out["cells"].where(out["cells"] > 0)).round(4)

    fires = fire_followup(fire_points, assignments, t.to_pydatetime(), period=(s.to_pydatetime(), e.to_pydatetime()),
                          township_names={c: c for c in codes}).townships.set_index("township_code")
    out["fire_points"] = key.map(fires["fire_points"]).fillna(0).astype(int)
    out["fire_in_time"] = key.map(fires["in_time"]).fillna(0).astype(int)
    out["checks_due"] = key.map(fires["checks_due"]).fillna(0).astype(int)
    out["fire_in_time_pct"] = key.map(fires["fire_in_time_pct"]).astype(float)
    out["median_hours_to_check"] = key.map(fires["median_hours_to_check"]).astype(float)
    # the ranking's fire indicator: detections a check found no burning at (or outside the cell) do not
    # count against the township (issue 17; gridwatch.analysis.assessment deducts confirmed ones only)
    cleared = out["fire_points"] * 0
    if "status" in fire_points.columns and len(fire_points):
        counted, _ = straw_fires(fire_points)
        when = _utc(counted["detected_utc"])
        gone = counted[(when >= s) & (when < e) & (when <= t) & counted["status"].isin(FIRE_CLEARED_RESULTS)]
        cleared = key.map(gone["township_code"].astype(str).value_counts()).fillna(0).astype(int)
    out["fires_per_cell"] = ((out["fire_points"] - cleared) / out["cells"].where(out["cells"] > 0)).round(4)
    return out[list(SUMMARY_COLUMNS)]


# --- reading a project --------------------------------------------------------------------------


@dataclass
class ProjectFrames:
    """The frames the statistics need, read once from a project."""

    cells: pd.DataFrame
    township_names: dict[str, str]
    inspections: pd.DataFrame
    findings: pd.DataFrame
    assignments: pd.DataFrame
    fire_points: pd.DataFrame


_READS: tuple[tuple[str, str], ...] = (
    ("cells", "SELECT code, township_code, inspector_uuid FROM grid_cell"),
    ("townships", "SELECT code, name FROM township"),
    ("inspections", "SELECT cell_code, started_at FROM inspection"),
    ("findings", "SELECT uuid, cell_code, category, status, found_at, rectify_deadline FROM finding"),
    ("assignments", "SELECT uuid, kind, cell_code, status, due_at, created_at, finished_at FROM assignment"),
    ("fire_points", "SELECT uuid, detected_utc, detected_local, township_code, cell_code, check_uuid, status{heat} "
                    "FROM fire_point"),
)


def frame_queries(columns_of_fire_point: Iterable[str]) -> list[tuple[str, str]]:
    """What :func:`read_frames` reads (name, query on the project's tables), given the names of the
    fire-point table's columns (schema 4 has ``heat_source``: persistent heat sources are left out of
    the fire counts).  The city view runs the same queries on each district of a PostGIS database
    (gridwatch.sync.pg.city)."""
    heat = ", heat_source" if "heat_source" in set(columns_of_fire_point) else ""
    return [(name, sql.replace("{heat}", heat)) for name, sql in _READS]


def read_frames(path: os.PathLike[str] | str, *, progress: Optional[ProgressCallback] = None,
                cancel: Optional[CancelToken] = None) -> ProjectFrames:
    """Read the statistics' inputs from a project (read-only; reports progress, honours ``cancel``)."""
    from contextlib import closing

    from ..storage.gpkg import connect_readonly
    from ..storage.project import check_project

    check_project(path)
    steps = Steps(progress, cancel, [(name, 1) for name, _ in _READS])
    frames: dict[str, pd.DataFrame] = {}
    with closing(connect_readonly(path)) as con:
        fire_columns = [r[1] for r in con.execute("PRAGMA table_info(fire_point)")]
        for name, sql in frame_queries(fire_columns):
            steps.start(name, f"reading {name}")
            cur = con.execute(sql)
            frames[name] = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description], dtype=object)
            steps.report(1.0)
    towns = frames.pop("townships")
    return ProjectFrames(township_names=dict(zip(towns["code"], towns["name"])), **frames)


def township_summary_from_project(path: os.PathLike[str] | str, *, period: Optional[Period] = None,
                                  now: Optional[_dt.datetime] = None) -> pd.DataFrame:
    """:func:`township_summary` of a project file."""
    f = read_frames(path)
    return township_summary(f.cells, f.findings, f.assignments, f.fire_points, f.inspections, period=period,
                            now=now, township_names=f.township_names)


def fire_followup_from_project(path: os.PathLike[str] | str, *, now: Optional[_dt.datetime] = None,
                               weeks: int = 12, period: Optional[Period] = None) -> FireFollowup:
    """:func:`fire_followup` of a project file."""
    f = read_frames(path)
    return fire_followup(f.fire_points, f.assignments, now, weeks, period=period, township_names=f.township_names)


def ranking_from_project(path: os.PathLike[str] | str, *, weights: Optional[Mapping[str, float]] = None,
                         month: Optional[str] = None, now: Optional[_dt.datetime] = None) -> pd.DataFrame:
    """:func:`ranking` of a project's townships for ``month`` (``YYYY-MM``; default this Beijing month)."""
    return ranking(township_summary_from_project(path, period=month_period(month, now=now), now=now), weights)


@dataclass
class Dashboard:
    """Everything the dashboard shows, computed together from one read of the project."""

    per_week: pd.DataFrame
    by_category_status: pd.DataFrame
    townships: pd.DataFrame
    fires: FireFollowup
    frames: ProjectFrames
    period: Period
    now: _dt.datetime
    weeks: int = 12
    notes: list[str] = field(default_factory=list)
    #: The assessment's inputs (issue 17): the ranking is the assessment's, not the bare indicators'.
    assessment: Any = None

    def ranking(self, weights: Optional[Mapping[str, float]] = None) -> pd.DataFrame:
        """The assessment ranking with ``weights`` (cheap: re-ranks what was computed): fire points by
        kind with their deductions, shared ranks, vetoed townships last, the change against the
        previous period (:func:`gridwatch.analysis.assessment.assess`)."""
        if self.assessment is None:
            return ranking(self.townships, weights)
        return self.assessment.rank(weights)


#: Longest period the dashboard's weekly charts follow week by week (longer: the last ``weeks`` weeks).
MAX_WEEKLY = _dt.timedelta(weeks=26)


def dashboard_stats(path: os.PathLike[str] | str, *, now: Optional[_dt.datetime] = None,
                    period: Optional[Period] = None, weeks: int = 12,
                    progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None) -> Dashboard:
    """The dashboard's statistics for ``period`` (default this Beijing month): findings, township
    indicators, and the weekly inspections and fire follow-up over the weeks the period overlaps
    (counting what falls in it); a period longer than :data:`MAX_WEEKLY` (all of the project's
    time) gives the last ``weeks`` weeks instead."""
    t = _aware(now)
    per = period or month_period(now=t.to_pydatetime())
    s, e = _period(per, t)
    weekly = per if e - s <= pd.Timedelta(MAX_WEEKLY) else None
    steps = Steps(progress, cancel, [("read", 3), ("stats", 1)])
    steps.start("read", "reading the project")
    f = read_frames(path, progress=lambda frac, msg: steps.report(frac, msg), cancel=cancel)
    steps.start("stats", "computing statistics")
    per_week = inspections_per_week(f.inspections, t.to_pydatetime(), weeks, period=weekly)
    by_cat = findings_by_category_status(f.findings, period=per)
    towns = township_summary(f.cells, f.findings, f.assignments, f.fire_points, f.inspections, period=per,
                             now=t.to_pydatetime(), township_names=f.township_names)
    steps.report(0.5)
    fires = fire_followup(f.fire_points, f.assignments, t.to_pydatetime(), weeks, period=weekly,
                          township_names=f.township_names)
    steps.report(0.7)
    from ..storage.plans import read_settings, vetoes
    from .assessment import assessment_inputs, period_for_window

    ps, pe = _period(per, t)
    assessed = assessment_inputs(f, period_for_window(ps.to_pydatetime(), pe.to_pydatetime()), now=t.to_pydatetime(),
                                 settings=read_settings(path), vetoes=vetoes(path), summary=towns)
    steps.report(1.0)
    return Dashboard(per_week=per_week, by_category_status=by_cat, townships=towns, fires=fires, frames=f,
                     period=per, now=t.to_pydatetime(), weeks=len(per_week), assessment=assessed)
