"""City view: patrol coverage and the township ranking across the districts of one PostGIS database.

A city office supervising several districts reads every district published to one database (one
schema each) live, without checking any of them out: per district the bulletin's indicators for a
month (cells, coverage, findings and their closure, overdue findings and tasks, fire checks in time),
and one assessment ranking of every township of every district with the work plans' rules of a
district's own assessment (issue 17, :func:`gridwatch.analysis.assessment.assess`, the same code): fire
points counted by kind of burning with their deductions (each district's own amounts), the weighted
indicator score, equal scores sharing a rank, townships with a veto item in the month last.  The
districts are ranked the same way from their townships' sums (no veto: veto items are a township's;
``vetoed`` counts them).  Townships are told apart by district and code (two districts may use the
same codes).  Each district is read in one read-only snapshot; the login reads what the server lets
it see (row-level security): a district the login may not read is listed in ``skipped`` with the
server's reason, never guessed.

One rule for the whole city: the straw-equivalent of an "other" fire point in the fires indicator
takes the districts' deductions when they all have the same, else the plans' defaults (said in
``notes``).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping, Optional

from ...analysis.assessment import AssessmentPeriod, assess, fire_counts
from ...analysis.stats import Period, ProjectFrames, frame_queries, month_period, township_summary
from ...domain.plans import META_PREFIX, SETTINGS, settings_from_meta
from ...tasks import CancelToken, ProgressCallback, Steps
from .address import PasswordPrompt, connect, parse

if TYPE_CHECKING:
    import pandas as pd
else:
    from ...lazy import pd

#: The district-level columns of :class:`CityView` ``districts``.
DISTRICT_COLUMNS = ("district", "name", "townships", "cells", "inspections", "covered_cells", "coverage_pct",
                    "findings", "findings_closed", "closure_pct", "findings_overdue", "tasks_overdue",
                    "fire_points", "fire_in_time", "checks_due", "fire_in_time_pct")
#: Columns summed from a district's townships for the district's own assessment row.
_SUMS = ("cells", "inspections", "covered_cells", "findings", "findings_closed", "findings_overdue", "tasks_overdue",
         "fire_points", "fire_in_time", "checks_due")
_FIRES = ("fires_straw", "fires_other", "fires_unverified", "fires_not_counted", "deduction_yuan")


@dataclass
class CityView:
    """The districts of one database side by side, and their townships ranked together."""

    districts: pd.DataFrame  # DISTRICT_COLUMNS + the assessment's (score, rank, tied, fires, vetoed), by rank
    townships: pd.DataFrame  # district, district_name + the assessment's columns, in its order (vetoed last)
    period: Period
    skipped: list[str] = field(default_factory=list)  # "district: why" for districts this login cannot read
    notes: list[str] = field(default_factory=list)  # how the city's one rule was chosen (settings that differ)


def district_schemas(con: Any) -> list[str]:
    """Every GridWatch district (schema) of the database, in name order, readable or not."""
    with con.cursor() as cur:
        # the catalog, not information_schema: a district this login may not read is still listed (and skipped)
        cur.execute("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relname = 'gw_project' AND c.relkind = 'r' ORDER BY 1")
        found = [r[0] for r in cur.fetchall()]
    con.rollback()
    return found


@dataclass
class DistrictData:
    """What the city view reads of one district: its name, the statistics' frames, the work plans'
    settings and veto items."""

    name: str
    frames: ProjectFrames
    settings: dict[str, Any]
    vetoes: pd.DataFrame


_VETO_COLUMNS = ["township_code", "item", "occurred_on", "reason"]


def read_district(con: Any, schema: str) -> DistrictData:
    """The district's name, frames, settings and vetoes, read in one read-only snapshot."""
    from psycopg import sql

    frames: dict[str, pd.DataFrame] = {}
    with con.transaction(), con.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # the queries name tables without a schema: the district's schema first, nothing else
        cur.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema)))
        cur.execute("SELECT value FROM gridwatch_meta WHERE key = 'district_name'")
        row = cur.fetchone()
        cur.execute("SELECT key, value FROM gridwatch_meta WHERE key LIKE %s", (META_PREFIX + "%",))
        settings = settings_from_meta(dict(cur.fetchall()))
        cur.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name IN ('fire_point', 'assessment_veto')", (schema,))
        columns = cur.fetchall()
        fire_columns = [c for t, c in columns if t == "fire_point"]
        for name, query in frame_queries(fire_columns):
            cur.execute(query)
            frames[name] = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description], dtype=object)
        if any(t == "assessment_veto" for t, _c in columns):
            cur.execute("SELECT township_code, item, occurred_on, reason FROM assessment_veto "
                        "ORDER BY occurred_on, township_code")
            vetoes = pd.DataFrame(cur.fetchall(), columns=_VETO_COLUMNS, dtype=object)
        else:  # published before the work plans' tables
            vetoes = pd.DataFrame(columns=_VETO_COLUMNS)
    towns = frames.pop("townships")
    return DistrictData((row[0] if row else schema),
                        ProjectFrames(township_names=dict(zip(towns["code"], towns["name"])), **frames),
                        settings, vetoes)


def _pct(part: int, whole: int) -> float:
    return round(part / whole * 100.0, 1) if whole else float("nan")


def _district_row(district: str, name: str, summary: pd.DataFrame) -> dict[str, Any]:
    """One district's indicators from its townships' (sums, and rates over the sums)."""
    s = {c: int(summary[c].sum()) for c in _SUMS}
    return {"district": district, "name": name, "townships": len(summary), **s,
            "coverage_pct": _pct(s["covered_cells"], s["cells"]),
            "closure_pct": _pct(s["findings_closed"], s["findings"]),
            "fire_in_time_pct": _pct(s["fire_in_time"], s["checks_due"])}


def _city_settings(read: list[DistrictData], notes: list[str]) -> dict[str, Any]:
    """The deductions the city's fires indicator weighs "other" fire points with (see the module docstring)."""
    keys = ("deduction_straw_yuan", "deduction_other_yuan")
    seen = {tuple(d.settings.get(k) for k in keys) for d in read}
    if len(seen) == 1:
        return dict(zip(keys, seen.pop()))
    notes.append("the districts' fire-point deductions differ: the city ranking weighs other burning against "
                 "straw burning with the plans' defaults (each district's own deductions are counted in yuan)")
    return {k: SETTINGS[k].default for k in keys}


def _key(district: str, codes: pd.Series) -> pd.Series:
    """A township's key across the city: district and code (districts may use the same codes)."""
    return district + "/" + codes.astype(str)


def city_view(address: str, *, month: Optional[str] = None, now: Optional[_dt.datetime] = None,
              weights: Optional[Mapping[str, float]] = None, prompt: Optional[PasswordPrompt] = None,
              progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None) -> CityView:
    """The city view of every district in the database at ``address`` for ``month`` (``YYYY-MM``;
    default this Beijing month).  A ``?district=`` in the address is ignored: the city sees them all."""
    import psycopg

    period = month_period(month, now=now)
    start = pd.Timestamp(period[0])
    month_of = AssessmentPeriod("month", start.year, start.month)
    addr = parse(address)
    con = connect(addr, prompt=prompt)
    read: list[tuple[str, DistrictData]] = []
    skipped: list[str] = []
    try:
        schemas = district_schemas(con)
        steps = Steps(progress, cancel, [(s, 1) for s in schemas] or [("none", 1)])
        for schema in schemas:
            steps.start(schema, f"reading district {schema}")
            try:
                with con.cursor() as cur:
                    cur.execute("SELECT has_schema_privilege(%s, 'USAGE')", (schema,))
                    usable = cur.fetchone()[0]
                con.rollback()
                if not usable:
                    skipped.append(f"{schema}: this login has no access to the district (ask its administrator)")
                    continue
                read.append((schema, read_district(con, schema)))
            except psycopg.errors.InsufficientPrivilege as exc:
                skipped.append(f"{schema}: {str(exc).strip().splitlines()[0]}")
                continue
            steps.report(1.0)
    finally:
        con.close()
    notes: list[str] = []
    settings = _city_settings([d for _s, d in read], notes) if read else {}
    rows: list[dict[str, Any]] = []
    summaries, fires, vetoes = [], [], []
    for schema, d in read:
        f = d.frames
        summary = township_summary(f.cells, f.findings, f.assignments, f.fire_points, f.inspections,
                                   period=period, now=now, township_names=f.township_names)
        fire = fire_counts(f.fire_points, month_of.window(), list(summary["township_code"]), d.settings)
        rows.append({**_district_row(schema, d.name, summary),
                     **{c: fire[c].sum() for c in _FIRES}})
        for frame in (summary, fire, d.vetoes):
            frame.insert(0, "code", frame["township_code"].astype(str))
            frame["township_code"] = _key(schema, frame["code"])
        summary.insert(0, "district_name", d.name)
        summary.insert(0, "district", schema)
        summaries.append(summary)
        fires.append(fire.drop(columns="code"))
        vetoes.append(d.vetoes)
    if not read:
        return CityView(districts=pd.DataFrame(columns=list(DISTRICT_COLUMNS)),
                        townships=pd.DataFrame(columns=["district", "district_name", "township_code", "name"]),
                        period=period, skipped=skipped, notes=notes)
    towns = assess(pd.concat(summaries, ignore_index=True), pd.concat(fires, ignore_index=True),
                   pd.concat(vetoes, ignore_index=True), month_of, weights=weights, settings=settings)
    towns["township_code"] = towns.pop("code")
    districts = _rank_districts(pd.DataFrame(rows), towns, month_of, weights, settings)
    return CityView(districts=districts, townships=towns, period=period, skipped=skipped, notes=notes)


def _rank_districts(rows: pd.DataFrame, towns: pd.DataFrame, month_of: AssessmentPeriod,
                    weights: Optional[Mapping[str, float]], settings: Mapping[str, Any]) -> pd.DataFrame:
    """The districts assessed with the townships' code (their sums; no veto), best first."""
    summary = rows.rename(columns={"district": "township_code"})
    summary["overdue_per_cell"] = ((summary["findings_overdue"] + summary["tasks_overdue"])
                                   / summary["cells"].where(summary["cells"] > 0)).round(4)
    fire = summary[["township_code", *_FIRES]].copy()
    no_veto = pd.DataFrame(columns=_VETO_COLUMNS)
    ranked = assess(summary.drop(columns=list(_FIRES)), fire, no_veto, month_of, weights=weights, settings=settings)
    ranked = ranked.rename(columns={"township_code": "district"})
    vetoed = towns[towns["veto"].notna()].groupby("district").size()
    ranked["vetoed"] = ranked["district"].map(vetoed).fillna(0).astype(int)
    return ranked.reset_index(drop=True)
