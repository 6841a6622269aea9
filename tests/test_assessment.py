"""The township assessment of the work plans (issue 17) on a hand-made district, and the plans'
calendar: every expected number is worked out by hand next to it."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from gridwatch.analysis.assessment import (
    AssessmentPeriod,
    assess,
    fire_counts,
    parse_assessment_period,
)
from gridwatch.domain.calendar import fireworks_ban_period, report_deadlines, season_of, spring_festival
from gridwatch.domain.plans import meta_value, settings_from_meta, validate_setting
from gridwatch.errors import ValidationError

UTC = dt.timezone.utc
T1, T2, T3, T4 = "130110100", "130110101", "130110102", "130110103"
NOV = AssessmentPeriod("month", 2026, 11)


def fire(town: str, status: str, when: str = "2026-11-10T03:00:00.000Z", heat: bool = False) -> dict:
    return {"uuid": f"{town}-{status}-{when}", "township_code": town, "status": status, "detected_utc": when,
            "heat_source": heat}


def fires_frame() -> pd.DataFrame:
    rows = [fire(T1, "burning_confirmed"), fire(T1, "burning_confirmed")]                   # T1: 2 straw
    rows += [fire(T2, "burning_other", f"2026-11-1{i}T03:00:00.000Z") for i in range(5)]    # T2: 5 other
    rows += [fire(T3, "burning_confirmed")]                                                # T3: 1 straw,
    rows += [fire(T3, "unverified", f"2026-11-0{i}T03:00:00.000Z") for i in range(1, 4)]  # 3 unverified,
    rows += [fire(T3, "no_burning", f"2026-11-2{i}T03:00:00.000Z") for i in range(4)]     # 4 no burning,
    rows += [fire(T3, "unverified", "2026-11-05T03:00:00.000Z", heat=True)]               # a heat source
    rows += [fire(T3, "outside_cell")]                                                     # not counted
    # outside November (Beijing time): 2026-10-31 15:59 UTC is 23:59 on 31 October in Beijing
    rows += [fire(T4, "burning_confirmed", "2026-10-31T15:59:00.000Z"),
             fire(T4, "burning_confirmed", "2026-11-30T16:00:00.000Z")]  # 1 December 00:00 Beijing
    return pd.DataFrame(rows)


def summary() -> pd.DataFrame:
    """Ten cells per township; the other indicators do not matter (weights: fires only)."""
    return pd.DataFrame({"township_code": [T1, T2, T3, T4], "name": ["一镇", "二镇", "三镇", "四镇"],
                         "cells": [10, 10, 10, 10], "coverage_pct": 50.0, "closure_pct": 50.0,
                         "overdue_per_cell": 0.0, "fire_in_time_pct": 50.0, "fire_points": 99,
                         "fires_per_cell": 9.9})


NO_VETO = pd.DataFrame(columns=["township_code", "item", "occurred_on", "reason"])


def test_fire_points_count_by_kind_of_burning_with_the_plans_deductions():
    counts = fire_counts(fires_frame(), NOV.window(), [T1, T2, T3, T4]).set_index("township_code")
    assert counts.loc[T1, ["fires_straw", "fires_other", "fires_unverified", "fires_not_counted"]].tolist() == [2, 0, 0, 0]
    assert counts.loc[T2, ["fires_straw", "fires_other"]].tolist() == [0, 5]
    # T3: one straw; three unverified (the unverified heat source is not counted); four no burning,
    # the heat source and the one outside the cell are not counted: 6
    assert counts.loc[T3, ["fires_straw", "fires_other", "fires_unverified", "fires_not_counted"]].tolist() == [1, 0, 3, 6]
    assert counts.loc[T4].sum() == 0  # both just outside November in Beijing time
    # 50万元 per straw fire point, 10万元 per other: T1 2 x 50 = 100万, T2 5 x 10 = 50万, T3 50万
    assert counts["deduction_yuan"].tolist() == [1_000_000, 500_000, 500_000, 0]
    cheaper = fire_counts(fires_frame(), NOV.window(), [T1, T2], {"deduction_straw_yuan": 300_000})
    assert cheaper["deduction_yuan"].tolist() == [600_000, 500_000]


def test_ranking_with_deductions_ties_and_a_veto():
    counts = fire_counts(fires_frame(), NOV.window(), [T1, T2, T3, T4])
    # straw-equivalents per cell (other = 10/50 of a straw point): T1 2/10 = 0.2, T2 5 x 0.2 / 10 = 0.1,
    # T3 1/10 = 0.1, T4 0; scored 100 x (1 - x / 0.2): T1 0, T2 50, T3 50, T4 100
    plain = assess(summary(), counts, NO_VETO, NOV, weights={"fires": 1})
    assert plain[["township_code", "score", "rank", "tied"]].values.tolist() == [
        [T4, 100.0, 1, False], [T2, 50.0, 2, True], [T3, 50.0, 2, True], [T1, 0.0, 4, False]]
    assert plain.set_index("township_code").loc[T3, "fire_points"] == 1  # counted ones only, not the 10 raw
    veto = pd.DataFrame({"township_code": [T4, T1], "item": ["falsified_data", "other"],
                         "occurred_on": ["2026-11-15", "2026-10-31"], "reason": ["监测数据造假", "上月"]})
    ranked = assess(summary(), counts, veto, NOV, weights={"fires": 1})
    # T4 is vetoed in November: last whatever its score; T1's item is dated in October: not this month
    assert ranked[["township_code", "rank", "tied"]].values.tolist() == [
        [T2, 1, True], [T3, 1, True], [T1, 3, False], [T4, 4, False]]
    assert ranked.set_index("township_code").loc[T4, "veto"] == "监测数据造假：监测数据造假"
    assert pd.isna(ranked.set_index("township_code").loc[T1, "veto"])
    # the quarter holding October and November sees both items: both last, sharing the rank
    q4 = assess(summary(), counts, veto, AssessmentPeriod("quarter", 2026, 4), weights={"fires": 1})
    assert q4[["township_code", "rank"]].values.tolist() == [[T2, 1], [T3, 1], [T1, 3], [T4, 3]]
    # change against the previous period: ranks T1 1, T2 2, T3 3, T4 4 before
    before = pd.DataFrame({"township_code": [T1, T2, T3, T4], "rank": [1, 2, 3, 4], "score": [90.0, 60.0, 50.0, 10.0]})
    moved = assess(summary(), counts, veto, NOV, weights={"fires": 1}, previous=before).set_index("township_code")
    assert moved["rank_change"].tolist() == [1, 2, -2, 0]  # T2 2->1, T3 3->1, T1 1->3, T4 4->4
    assert moved["score_change"].tolist() == [-10.0, 0.0, -90.0, 90.0]


def test_assessment_periods_and_their_previous():
    assert parse_assessment_period("2026-11") == NOV
    q = parse_assessment_period("2026-q1")
    assert q.window() == (dt.datetime(2026, 1, 1, tzinfo=q.window()[0].tzinfo), dt.datetime(2026, 4, 1, tzinfo=q.window()[0].tzinfo))
    assert q.previous().label == "2025-Q4" and AssessmentPeriod("month", 2026, 1).previous().label == "2025-12"
    assert parse_assessment_period("2026").days() == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert parse_assessment_period("2026").label_zh == "2026年" and q.label_zh == "2026年第1季度"
    for bad in ("2026-13", "2026-Q5", "11/2026", ""):
        with pytest.raises(ValidationError, match="2026-Q4"):
            parse_assessment_period(bad)


@pytest.mark.parametrize("year, new_year, lantern, xiaonian", [
    (2025, dt.date(2025, 1, 29), dt.date(2025, 2, 12), dt.date(2025, 1, 22)),
    (2026, dt.date(2026, 2, 17), dt.date(2026, 3, 3), dt.date(2026, 2, 10)),
    (2027, dt.date(2027, 2, 6), dt.date(2027, 2, 20), dt.date(2027, 1, 30)),
])
def test_the_fireworks_ban_runs_from_xiaonian_to_the_lantern_festival(year, new_year, lantern, xiaonian):
    assert spring_festival(year) == new_year
    assert fireworks_ban_period(year) == (xiaonian, lantern)  # 腊月二十三 to 正月十五, both inclusive
    assert fireworks_ban_period(year, 0, 0) == (new_year, new_year)


def test_seasons_deadlines_and_settings():
    assert [season_of(dt.date(2026, m, 1)).key for m in (12, 1, 3, 5, 9, 10, 11)] == \
        ["winter", "winter", "dust", "ozone", "ozone", "autumn", "autumn"]
    assert report_deadlines(dt.date(2026, 12, 6)) == [("township_report", dt.date(2026, 12, 25)),
                                                      ("bulletin", dt.date(2026, 12, 28))]
    assert report_deadlines(dt.date(2026, 12, 26)) == [("bulletin", dt.date(2026, 12, 28)),
                                                       ("township_report", dt.date(2027, 1, 25))]
    assert settings_from_meta({})["deduction_straw_yuan"] == 500_000
    key, text = meta_value("deduction_other_yuan", "80000")
    assert settings_from_meta({key: text, "setting.bulletin_day": '"abc"'})["deduction_other_yuan"] == 80_000
    assert settings_from_meta({"setting.bulletin_day": '"abc"'})["bulletin_day"] == 28  # bad value: the default
    with pytest.raises(ValidationError, match="deduction_straw_yuan"):
        validate_setting("deduction_straw_yuan", -1)
    with pytest.raises(ValidationError, match="unknown setting"):
        validate_setting("nope", 1)
