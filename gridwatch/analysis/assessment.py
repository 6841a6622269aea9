"""The township assessment (考核) of the work plans: fire points by kind of burning with their
deductions, monthly / quarterly / yearly views, change against the previous period, explicit ties
and veto items (issue 17).  Pure pandas over frames; :func:`assessment_from_project` reads a project.

Fire points detected in the period count per township (its ``township_code``) by their check:

* ``straw`` (确认秸秆焚烧, ``burning_confirmed``) and ``other`` (确认其他焚烧, ``burning_other``): counted,
  deducted ``deduction_straw_yuan`` / ``deduction_other_yuan`` each (plans: 50万元 and 10万元);
* ``unverified`` (未核查, persistent heat sources left out): shown apart, not deducted;
* ``industrial_heat`` (核查为工业热源: a check found a kiln, plant or steel works): shown apart, not
  counted;
* ``not_counted``: checked as no burning, outside the cell, or a recognised persistent heat source
  never checked.

The score is the bulletin's weighted indicator score (:func:`gridwatch.analysis.bulletin.ranking`)
with its fire indicator taken from the counted fire points only: *straw-equivalents per cell*
(straw + other x other/straw deduction) scored against the worst township.  Equal displayed scores
share a rank ("1, 2, 2, 4", ``tied``).  A township with a veto item dated in the period is put last
(after every township with a score; vetoed townships share the last rank) whatever its score.
``rank_change`` is the previous period's rank minus this one's (positive: moved up).
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Optional

import numpy as np

from ..domain.heat_sources import as_flags
from ..domain.plans import SETTINGS
from ..domain.vocabulary import (
    ASSESSMENT_FIRE_KIND_TITLES,
    FIRE_RESULT_ASSESSMENT_KIND,
    VETO_ITEM_TITLES,
    title,
)
from ..errors import ValidationError
from ..times import BEIJING, utc_series
from .bulletin import ranking

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

Period = tuple[_dt.datetime, _dt.datetime]
#: The kinds in display order (the vocabulary's ASSESSMENT_FIRE_KIND_TITLES).
FIRE_KINDS = tuple(ASSESSMENT_FIRE_KIND_TITLES)


@dataclass(frozen=True)
class AssessmentPeriod:
    """A month, quarter or year of the assessment (Beijing time)."""

    kind: str  # month | quarter | year
    year: int
    number: int = 1  # month 1-12, quarter 1-4; 1 for a year

    @property
    def label(self) -> str:
        return {"month": f"{self.year}-{self.number:02d}", "quarter": f"{self.year}-Q{self.number}",
                "year": f"{self.year}"}[self.kind]

    @property
    def label_zh(self) -> str:
        return {"month": f"{self.year}年{self.number}月", "quarter": f"{self.year}年第{self.number}季度",
                "year": f"{self.year}年"}[self.kind]

    def _first_month(self) -> int:
        return {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]

    def _months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    def window(self) -> Period:
        """``(start, end)``: aware Beijing-time datetimes, end exclusive."""
        m0 = self._first_month() - 1 + 12 * self.year
        m1 = m0 + self._months()
        start = _dt.datetime(m0 // 12, m0 % 12 + 1, 1, tzinfo=BEIJING)
        end = _dt.datetime(m1 // 12, m1 % 12 + 1, 1, tzinfo=BEIJING)
        return start, end

    def days(self) -> tuple[_dt.date, _dt.date]:
        s, e = self.window()
        return s.date(), (e - _dt.timedelta(days=1)).date()

    def previous(self) -> "AssessmentPeriod":
        if self.kind == "year":
            return AssessmentPeriod("year", self.year - 1)
        per_year = 12 if self.kind == "month" else 4
        n = self.year * per_year + self.number - 2
        return AssessmentPeriod(self.kind, n // per_year, n % per_year + 1)


def parse_assessment_period(text: str) -> AssessmentPeriod:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year).

    Raises ValidationError saying how to write it."""
    s = str(text).strip().upper()
    try:
        if len(s) == 4 and s.isdigit():
            return AssessmentPeriod("year", int(s))
        year, _, rest = s.partition("-")
        if rest.startswith("Q") and rest[1:].isdigit() and 1 <= int(rest[1:]) <= 4:
            return AssessmentPeriod("quarter", int(year), int(rest[1:]))
        if rest.isdigit() and 1 <= int(rest) <= 12 and len(year) == 4:
            return AssessmentPeriod("month", int(year), int(rest))
    except ValueError:
        pass
    raise ValidationError(f"assessment period {text!r}: write a month 2026-11, a quarter 2026-Q4 or a year 2026",
                          key="assessment.period", text=str(text))


def current_period(kind: str, today: _dt.date) -> AssessmentPeriod:
    """The month, quarter or year holding ``today``."""
    if kind == "month":
        return AssessmentPeriod("month", today.year, today.month)
    if kind == "quarter":
        return AssessmentPeriod("quarter", today.year, (today.month - 1) // 3 + 1)
    if kind == "year":
        return AssessmentPeriod("year", today.year)
    raise ValidationError(f"assessment kind {kind!r}: month, quarter or year")


def fire_kinds(fire_points: pd.DataFrame) -> np.ndarray:
    """Each fire point's kind for the assessment (:data:`FIRE_KINDS`)."""
    status = fire_points["status"].astype(object).to_numpy() if "status" in fire_points.columns else \
        np.full(len(fire_points), "unverified", dtype=object)
    heat = as_flags(fire_points["heat_source"].to_numpy(dtype=object)) if "heat_source" in fire_points.columns \
        else np.zeros(len(fire_points), dtype=bool)
    out = np.full(len(fire_points), "not_counted", dtype=object)
    for result, kind in FIRE_RESULT_ASSESSMENT_KIND.items():  # the domain says how each check result counts
        out[status == result] = kind
    out[(status == "unverified") & ~heat] = "unverified"
    return out


def fire_counts(fire_points: pd.DataFrame, period: Period, township_codes: list[str],
                settings: Optional[Mapping[str, Any]] = None) -> pd.DataFrame:
    """Per township: fire points detected in ``period`` by kind and the deduction in yuan."""
    cfg = {k: s.default for k, s in SETTINGS.items()} | dict(settings or {})
    s, e = (pd.Timestamp(t).tz_convert("UTC") for t in period)
    out = pd.DataFrame({"township_code": township_codes})
    if len(fire_points):
        when = utc_series(fire_points["detected_utc"])
        fp = fire_points[(when >= s) & (when < e)]
        kinds = pd.Series(fire_kinds(fp), index=fp.index)
        table = pd.crosstab(fp["township_code"].astype(str), kinds)
    else:
        table = pd.DataFrame()
    for k in FIRE_KINDS:
        col = table[k] if k in table.columns else pd.Series(dtype=int)
        out["fires_" + k] = out["township_code"].map(col).fillna(0).astype(int)
    out["deduction_yuan"] = (out["fires_straw"] * float(cfg["deduction_straw_yuan"])
                             + out["fires_other"] * float(cfg["deduction_other_yuan"]))
    return out


def assess(summary: pd.DataFrame, fires: pd.DataFrame, vetoes: pd.DataFrame, period: "AnyPeriod",
           *, weights: Optional[Mapping[str, float]] = None, settings: Optional[Mapping[str, Any]] = None,
           previous: Optional[pd.DataFrame] = None) -> pd.DataFrame:
    """The assessment ranking of one period (see the module docstring).

    ``summary``: :func:`gridwatch.analysis.stats.township_summary` of the period; ``fires``:
    :func:`fire_counts`; ``vetoes``: township_code, item, occurred_on, reason; ``previous``: this
    function's result for the previous period (for ``prev_rank``, ``rank_change``, ``score_change``).
    """
    cfg = {k: s.default for k, s in SETTINGS.items()} | dict(settings or {})
    merged = summary.merge(fires, on="township_code", how="left")
    straw = float(cfg["deduction_straw_yuan"]) or 1.0
    equiv = merged["fires_straw"] + merged["fires_other"] * (float(cfg["deduction_other_yuan"]) / straw)
    merged["fire_points"] = merged["fires_straw"] + merged["fires_other"]
    merged["fires_per_cell"] = (equiv / merged["cells"].where(merged["cells"] > 0)).round(4)
    out = ranking(merged, weights)
    first, last = period.days()
    veto = vetoes.copy()
    if len(veto):
        day = veto["occurred_on"].astype(str).str[:10]
        veto = veto[(day >= first.isoformat()) & (day <= last.isoformat())]
    text = {code: "；".join(f"{title(VETO_ITEM_TITLES, r.item)}：{r.reason}" for r in grp.itertuples())
            for code, grp in veto.groupby("township_code")} if len(veto) else {}
    out["veto"] = out["township_code"].map(text)
    vetoed = out["veto"].notna()
    scored = out["score"].notna() & ~vetoed
    out["rank"] = out["score"].where(scored).rank(method="min", ascending=False).astype("Int64")
    out.loc[vetoed, "rank"] = int(scored.sum()) + 1
    counts = out["rank"].value_counts()
    out["tied"] = out["rank"].map(counts).fillna(0).astype(int) > 1
    out["_order"] = np.where(vetoed, 1, np.where(scored, 0, 2))
    out = out.sort_values(["_order", "rank", "township_code"], kind="mergesort").drop(columns="_order")
    if previous is not None and len(previous):
        prev = previous.set_index("township_code")
        out["prev_rank"] = out["township_code"].map(prev["rank"]).astype("Int64")
        out["rank_change"] = (out["prev_rank"] - out["rank"]).astype("Int64")
        out["score_change"] = (out["score"] - out["township_code"].map(prev["score"])).round(1)
    else:
        out["prev_rank"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["rank_change"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["score_change"] = np.nan
    out["period"] = period.label
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class WindowPeriod:
    """Any other window of the period control (the last 7 days, a custom range, everything), assessed
    as a month is; its previous period is the window of the same length just before it."""

    start: _dt.datetime
    end: _dt.datetime
    kind: str = "window"

    def _span(self, sep: str) -> str:
        s, e = self.start.astimezone(BEIJING), self.end.astimezone(BEIJING)
        return f"{s:%Y-%m-%d %H:%M}{sep}{e:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return self._span(" – ")

    @property
    def label_zh(self) -> str:
        return self._span(" 至 ")

    def window(self) -> Period:
        return self.start, self.end

    def days(self) -> tuple[_dt.date, _dt.date]:
        return (self.start.astimezone(BEIJING).date(),
                (self.end - _dt.timedelta(microseconds=1)).astimezone(BEIJING).date())

    def previous(self) -> "WindowPeriod":
        return WindowPeriod(self.start - (self.end - self.start), self.start)


AnyPeriod = AssessmentPeriod | WindowPeriod


def period_for_window(start: _dt.datetime, end: _dt.datetime) -> AnyPeriod:
    """The assessment period of a window: the month, quarter or year it starts (so far: "this month"
    ends now), else a :class:`WindowPeriod`."""
    s = start.astimezone(BEIJING)
    if (s.day, s.hour, s.minute, s.second, s.microsecond) == (1, 0, 0, 0, 0):
        for p in (AssessmentPeriod("month", s.year, s.month), AssessmentPeriod("quarter", s.year, (s.month + 2) // 3),
                  AssessmentPeriod("year", s.year)):
            if p.window()[0] == s and end <= p.window()[1]:
                return p
    return WindowPeriod(start, end)


@dataclass
class AssessmentInputs:
    """What the assessment of a period and of the one before needs, read once: ranking again with
    other weights (the dashboard's spin boxes) costs no read."""

    period: AnyPeriod
    summary: pd.DataFrame
    fires: pd.DataFrame
    vetoes: pd.DataFrame
    settings: dict[str, Any]
    previous_summary: Optional[pd.DataFrame] = None
    previous_fires: Optional[pd.DataFrame] = None

    def rank(self, weights: Optional[Mapping[str, float]] = None) -> pd.DataFrame:
        """:func:`assess` of the period with the change against the previous one (when there is one)."""
        before = None
        if self.previous_summary is not None and self.previous_fires is not None:
            before = assess(self.previous_summary, self.previous_fires, self.vetoes, self.period.previous(),
                            weights=weights, settings=self.settings)
        return assess(self.summary, self.fires, self.vetoes, self.period, weights=weights, settings=self.settings,
                      previous=before)


def assessment_inputs(frames: Any, period: AnyPeriod, *, now: _dt.datetime, settings: Mapping[str, Any],
                      vetoes: pd.DataFrame, with_previous: bool = True,
                      summary: Optional[pd.DataFrame] = None) -> AssessmentInputs:
    """The inputs of the assessment of ``period`` from a project's frames
    (:func:`gridwatch.analysis.stats.read_frames`); ``summary``: the period's township summary when
    the caller has it already.  The previous period is left out when it starts after ``now`` or
    before 2001 (the period control's "everything")."""
    from .stats import township_summary

    codes = sorted(frames.township_names)
    cfg = dict(settings)

    def summary_of(window: Period) -> pd.DataFrame:
        return township_summary(frames.cells, frames.findings, frames.assignments, frames.fire_points,
                                frames.inspections, period=window, now=now, township_names=frames.township_names)

    window = period.window()
    out = AssessmentInputs(period=period, summary=summary if summary is not None else summary_of(window),
                           fires=fire_counts(frames.fire_points, window, codes, cfg), vetoes=vetoes, settings=cfg)
    before = period.previous().window()
    if with_previous and _dt.datetime(2001, 1, 1, tzinfo=BEIJING) <= before[0] < now:
        out.previous_summary = summary_of(before)
        out.previous_fires = fire_counts(frames.fire_points, before, codes, cfg)
    return out


@dataclass
class Assessment:
    """An assessment ranking with what it was computed from."""

    period: AnyPeriod
    table: pd.DataFrame
    settings: dict[str, Any]
    now: _dt.datetime


def assessment_from_project(path: os.PathLike[str] | str, period: AssessmentPeriod, *,
                            weights: Optional[Mapping[str, float]] = None, now: Optional[_dt.datetime] = None,
                            with_previous: bool = True, progress: Any = None, cancel: Any = None) -> Assessment:
    """The assessment of ``period`` on a project (read-only), with the change against the previous one."""
    from ..storage.plans import read_settings, vetoes
    from .stats import read_frames

    t = now or _dt.datetime.now(_dt.timezone.utc)
    f = read_frames(path, progress=progress, cancel=cancel)
    settings = read_settings(path)
    inputs = assessment_inputs(f, period, now=t, settings=settings, vetoes=vetoes(path), with_previous=with_previous)
    return Assessment(period=period, table=inputs.rank(weights), settings=settings, now=t)
