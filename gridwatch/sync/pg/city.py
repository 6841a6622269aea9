"""City view: patrol coverage and the township ranking across the districts of one PostGIS database.

A city office supervising several districts reads every district published to one database (one
schema each) live, without checking any of them out: per district the bulletin's indicators for a
month (cells, coverage, findings and their closure, overdue findings and tasks, fire checks in time),
and one ranking of every township of every district with the same indicators and weights as a
district's own bulletin (:func:`gridwatch.analysis.bulletin.ranking`).  Each district is read in one
read-only snapshot; the login reads what the server lets it see (row-level security): a district the
login may not read is listed in ``skipped`` with the server's reason, never guessed.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

import pandas as pd

from ...analysis.stats import Period, ProjectFrames, frame_queries, month_period, ranking, township_summary
from ...tasks import CancelToken, ProgressCallback, Steps
from .address import PasswordPrompt, connect, parse

#: The district-level columns of :class:`CityView` ``districts``.
DISTRICT_COLUMNS = ("district", "name", "townships", "cells", "inspections", "covered_cells", "coverage_pct",
                    "findings", "findings_closed", "closure_pct", "findings_overdue", "tasks_overdue",
                    "fire_points", "fire_in_time", "checks_due", "fire_in_time_pct")


@dataclass
class CityView:
    """The districts of one database side by side, and their townships ranked together."""

    districts: pd.DataFrame  # DISTRICT_COLUMNS, sorted by coverage (best first)
    townships: pd.DataFrame  # district, district_name + the ranking's columns, sorted by rank
    period: Period
    skipped: list[str] = field(default_factory=list)  # "district: why" for districts this login cannot read


def district_schemas(con: Any) -> list[str]:
    """Every GridWatch district (schema) of the database, in name order, readable or not."""
    with con.cursor() as cur:
        # the catalog, not information_schema: a district this login may not read is still listed (and skipped)
        cur.execute("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relname = 'gw_project' AND c.relkind = 'r' ORDER BY 1")
        found = [r[0] for r in cur.fetchall()]
    con.rollback()
    return found


def read_district(con: Any, schema: str) -> tuple[str, ProjectFrames]:
    """The district's name and the statistics' frames, read in one read-only snapshot."""
    from psycopg import sql

    frames: dict[str, pd.DataFrame] = {}
    with con.transaction(), con.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        # the queries name tables without a schema: the district's schema first, nothing else
        cur.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema)))
        cur.execute("SELECT value FROM gridwatch_meta WHERE key = 'district_name'")
        row = cur.fetchone()
        cur.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                    "AND table_name = 'fire_point'", (schema,))
        fire_columns = [r[0] for r in cur.fetchall()]
        for name, query in frame_queries(fire_columns):
            cur.execute(query)
            frames[name] = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description], dtype=object)
    towns = frames.pop("townships")
    return (row[0] if row else schema), ProjectFrames(township_names=dict(zip(towns["code"], towns["name"])), **frames)


def _district_row(district: str, name: str, summary: pd.DataFrame) -> dict[str, Any]:
    """One district's indicators from its townships' (sums, and rates over the sums)."""
    s = {c: int(summary[c].sum()) for c in ("cells", "inspections", "covered_cells", "findings", "findings_closed",
                                              "findings_overdue", "tasks_overdue", "fire_points", "fire_in_time",
                                              "checks_due")}

    def pct(part: int, whole: int) -> float:
        return round(part / whole * 100.0, 1) if whole else float("nan")

    return {"district": district, "name": name, "townships": len(summary), **s,
            "coverage_pct": pct(s["covered_cells"], s["cells"]),
            "closure_pct": pct(s["findings_closed"], s["findings"]),
            "fire_in_time_pct": pct(s["fire_in_time"], s["checks_due"])}


def city_view(address: str, *, month: Optional[str] = None, now: Optional[_dt.datetime] = None,
              weights: Optional[Mapping[str, float]] = None, prompt: Optional[PasswordPrompt] = None,
              progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None) -> CityView:
    """The city view of every district in the database at ``address`` for ``month`` (``YYYY-MM``;
    default this Beijing month).  A ``?district=`` in the address is ignored: the city sees them all."""
    import psycopg

    period = month_period(month, now=now)
    addr = parse(address)
    con = connect(addr, prompt=prompt)
    rows: list[dict[str, Any]] = []
    summaries: list[pd.DataFrame] = []
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
                name, f = read_district(con, schema)
            except psycopg.errors.InsufficientPrivilege as exc:
                skipped.append(f"{schema}: {str(exc).strip().splitlines()[0]}")
                continue
            summary = township_summary(f.cells, f.findings, f.assignments, f.fire_points, f.inspections,
                                       period=period, now=now, township_names=f.township_names)
            rows.append(_district_row(schema, name, summary))
            summary.insert(0, "district_name", name)
            summary.insert(0, "district", schema)
            summaries.append(summary)
            steps.report(1.0)
    finally:
        con.close()
    districts = pd.DataFrame(rows, columns=list(DISTRICT_COLUMNS))
    if len(districts):
        districts = districts.sort_values(["coverage_pct", "district"], ascending=[False, True], na_position="last",
                                          kind="mergesort").reset_index(drop=True)
    towns = pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame(columns=["district", "district_name",
                                                                                             "township_code", "name"])
    ranked = ranking(towns, weights) if len(towns) else towns
    return CityView(districts=districts, townships=ranked, period=period, skipped=skipped)
