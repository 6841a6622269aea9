"""Bulletin statistics and the township ranking against a small hand-computed district (issue 7).

The district: three townships, eight cells; November 2025 (Beijing time) is the period and "now" is
Thursday 2025-11-20 12:00 Beijing (04:00 UTC).  Every expected number is worked out by hand in the
comments next to it; the same district is also written as a real GeoPackage so the project readers
and the exports are checked against the same hand counts.
"""

from __future__ import annotations

import datetime as dt
import uuid

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridwatch.analysis.stats import (
    DEFAULT_WEIGHTS,
    dashboard_stats,
    findings_by_category_status,
    fire_followup,
    fire_followup_from_project,
    inspections_per_week,
    month_period,
    parse_weights,
    period_label,
    ranking,
    ranking_from_project,
    township_summary,
    township_summary_from_project,
    validate_weights,
)
from gridwatch.errors import ValidationError

UTC = dt.timezone.utc
BJ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2025, 11, 20, 4, 0, tzinfo=UTC)  # Thursday 20 Nov, 12:00 Beijing
NOV = month_period("2025-11")

T1, T2, T3 = "130110100", "130110101", "130110102"
NAMES = {T1: "一镇", T2: "二镇", T3: "三镇"}
# cells: T1 has A, B; T2 has C, D, E, F; T3 has G, H
A, B = T1 + "001001", T1 + "001002"
C, D, E, F = T2 + "001001", T2 + "001002", T2 + "001003", T2 + "001004"
G, H = T3 + "001001", T3 + "001002"
CELLS = [A, B, C, D, E, F, G, H]


def z(text: str) -> str:
    """UTC ISO text as GridWatch stores it."""
    return text + ".000Z"


def cells_frame() -> pd.DataFrame:
    return pd.DataFrame({"code": CELLS, "township_code": [c[:9] for c in CELLS], "inspector_uuid": "P1"})


def inspections_frame() -> pd.DataFrame:
    return pd.DataFrame({"cell_code": [A, A, C, D, E, G], "started_at": [
        z("2025-11-03T02:00:00"),  # A, in November
        z("2025-11-10T02:00:00"),  # A again: still one covered cell
        z("2025-10-31T16:30:00"),  # C: 1 Nov 00:30 Beijing -> in November
        z("2025-10-31T15:30:00"),  # D: 31 Oct 23:30 Beijing -> October, not counted
        z("2025-11-21T00:00:00"),  # E: after now -> not counted
        z("2025-11-12T08:00:00"),  # G
    ]})


def findings_frame() -> pd.DataFrame:
    rows = [
        # uuid, cell, category, status, found_at (UTC), rectify_deadline (Beijing date)
        ("f1", A, "scattered_coal", "closed", "2025-11-05T02:00:00", "2025-11-10"),
        ("f2", A, "scattered_coal", "assigned", "2025-11-06T02:00:00", "2025-11-15"),  # overdue: 15 < 20 Nov
        ("f3", B, "construction_dust", "rectified", "2025-11-07T02:00:00", "2025-11-20"),  # due today: not overdue
        ("f7", B, "other", "found", "2025-11-19T01:00:00", None),
        ("f8", B, "construction_dust", "closed", "2025-11-09T00:00:00", "2025-11-12"),
        ("f4", C, "open_burning", "verified", "2025-11-08T02:00:00", "2025-11-12"),  # verified counts as closed
        ("f5", C, "open_burning", "found", "2025-10-20T02:00:00", "2025-10-30"),  # October: overdue backlog
        ("f6", D, "other", "found", "2025-11-18T02:00:00", None),
    ]
    return pd.DataFrame([(u, c, k, s, z(t), d) for u, c, k, s, t, d in rows],
                        columns=["uuid", "cell_code", "category", "status", "found_at", "rectify_deadline"])


def assignments_frame() -> pd.DataFrame:
    rows = [
        # uuid, kind, cell, status, due (UTC), finished (UTC)
        ("a1", "patrol", B, "assigned", "2025-11-19T00:00:00", None),  # T1 overdue task
        ("a2", "patrol", E, "in_progress", "2025-11-25T00:00:00", None),
        ("a3", "patrol", F, "done", "2025-11-01T00:00:00", "2025-11-02T00:00:00"),
        ("k1", "fire_check", A, "done", "2025-11-04T02:00:00", "2025-11-03T14:00:00"),  # in time
        ("k2", "fire_check", C, "done", "2025-11-06T00:00:00", "2025-11-06T06:00:00"),  # 6 h late
        ("k3", "fire_check", D, "assigned", "2025-11-19T00:00:00", None),  # overdue: T2 overdue task too
        ("k4", "fire_check", E, "assigned", "2025-11-21T00:00:00", None),  # not yet due: pending
    ]
    return pd.DataFrame([(u, k, c, s, z(d), z(f) if f else None) for u, k, c, s, d, f in rows],
                        columns=["uuid", "kind", "cell_code", "status", "due_at", "finished_at"])


def fire_frame() -> pd.DataFrame:
    rows = [
        # uuid, township, check, detected (UTC)
        ("p1", T1, "k1", "2025-11-03T02:00:00"),  # finished 14:00 -> 12 h, in time
        ("p2", T1, "k1", "2025-11-03T04:00:00"),  # 10 h, in time
        ("p3", T2, "k2", "2025-11-05T00:00:00"),  # finished 6 Nov 06:00 -> 30 h, late
        ("p4", T2, "k3", "2025-11-18T00:00:00"),  # overdue
        ("p5", T2, "k4", "2025-11-19T12:00:00"),  # pending
        ("p6", T2, None, "2025-11-10T00:00:00"),  # no check
        ("p7", T2, None, "2025-10-20T00:00:00"),  # October: outside the period
    ]
    return pd.DataFrame([(u, t, k, z(d)) for u, t, k, d in rows],
                        columns=["uuid", "township_code", "check_uuid", "detected_utc"])


def summary() -> pd.DataFrame:
    return township_summary(cells_frame(), findings_frame(), assignments_frame(), fire_frame(),
                            inspections_frame(), period=NOV, now=NOW, township_names=NAMES)


# --- periods and weeks ----------------------------------------------------------------------------


def test_a_month_is_a_beijing_calendar_month():
    start, end = month_period("2025-12")
    assert start == dt.datetime(2025, 12, 1, tzinfo=BJ) and end == dt.datetime(2026, 1, 1, tzinfo=BJ)
    # 1 Nov 00:30 Beijing is still 31 Oct in UTC: the default month follows Beijing time
    assert month_period(now=dt.datetime(2025, 10, 31, 16, 30, tzinfo=UTC))[0] == dt.datetime(2025, 11, 1, tzinfo=BJ)
    assert period_label(NOV) == "2025-11"
    assert period_label((dt.datetime(2025, 11, 3, tzinfo=BJ), dt.datetime(2025, 11, 10, tzinfo=BJ))) \
        == "2025-11-03 至 2025-11-09"
    with pytest.raises(ValidationError, match="YYYY-MM"):
        month_period("2025-13")


def test_inspections_per_week_use_beijing_weeks_starting_monday():
    ins = pd.DataFrame({"started_at": [
        z("2025-11-03T02:00:00"),  # Mon 3 Nov 10:00 Beijing -> week of 3 Nov
        z("2025-11-09T17:00:00"),  # Sun 9 Nov in UTC, but Mon 10 Nov 01:00 Beijing -> week of 10 Nov
        z("2025-11-16T15:30:00"),  # Sun 16 Nov 23:30 Beijing -> still the week of 10 Nov
        z("2025-11-16T16:10:00"),  # Mon 17 Nov 00:10 Beijing -> week of 17 Nov
        z("2025-11-02T15:59:00"),  # Sun 2 Nov 23:59 Beijing -> week of 27 Oct, before the 3 weeks
        z("2025-11-20T05:00:00"),  # after now -> not counted
    ]})
    out = inspections_per_week(ins, NOW, weeks=3)
    assert [w.strftime("%Y-%m-%d %a") for w in out["week_start"]] == ["2025-11-03 Mon", "2025-11-10 Mon",
                                                                      "2025-11-17 Mon"]
    assert out["inspections"].tolist() == [1, 2, 1]
    # twelve weeks by default, zero-filled
    assert inspections_per_week(ins, NOW)["inspections"].tolist() == [0] * 8 + [1, 1, 2, 1]


def test_findings_by_category_and_status():
    table = findings_by_category_status(findings_frame(), period=NOV)  # f5 (October) left out
    assert list(table.columns) == ["found", "assigned", "rectified", "verified", "closed"]
    assert table.loc["scattered_coal"].tolist() == [0, 1, 0, 0, 1]  # f2 assigned, f1 closed
    assert table.loc["construction_dust"].tolist() == [0, 0, 1, 0, 1]  # f3, f8
    assert table.loc["open_burning"].tolist() == [0, 0, 0, 1, 0]  # f4 (f5 is October)
    assert table.loc["other"].tolist() == [2, 0, 0, 0, 0]  # f7, f6
    assert int(table.to_numpy().sum()) == 7 and table.loc["fireworks"].sum() == 0
    assert int(findings_by_category_status(findings_frame()).to_numpy().sum()) == 8  # no period: all


# --- townships and fire points --------------------------------------------------------------------


def test_township_summary_matches_the_hand_count():
    s = summary().set_index("township_code")
    assert s.loc[T1, "name"] == "一镇"
    assert s["cells"].tolist() == [2, 4, 2]
    # inspections in November up to now: T1 A, A; T2 C (1 Nov 00:30 Beijing); D is October, E after now
    assert s["inspections"].tolist() == [2, 1, 1]
    assert s["covered_cells"].tolist() == [1, 1, 1]
    assert s["coverage_pct"].tolist() == [50.0, 25.0, 50.0]  # 1/2, 1/4, 1/2
    # found in November: T1 f1 f2 f3 f7 f8 = 5, closed f1 f8 = 2 -> 40 %; T2 f4 f6 = 2, f4 verified -> 50 %
    assert s["findings"].tolist() == [5, 2, 0]
    assert s["findings_closed"].tolist() == [2, 1, 0]
    assert s.loc[T1, "closure_pct"] == 40.0 and s.loc[T2, "closure_pct"] == 50.0 and pd.isna(s.loc[T3, "closure_pct"])
    # overdue findings: T1 f2 (15 Nov < 20 Nov); T2 f5 (October, still found); f3 is due today
    assert s["findings_overdue"].tolist() == [1, 1, 0]
    # overdue tasks: T1 a1 (due 19 Nov); T2 k3 (due 19 Nov); a2, k4 not yet due, a3 done
    assert s["tasks_overdue"].tolist() == [1, 1, 0]
    assert s["overdue_per_cell"].tolist() == [1.0, 0.5, 0.0]  # (1+1)/2, (1+1)/4, 0/2
    # fire points in November: T1 p1 p2; T2 p3 p4 p5 p6 (p7 is October)
    assert s["fire_points"].tolist() == [2, 4, 0]
    assert s["fire_in_time"].tolist() == [2, 0, 0]
    assert s["checks_due"].tolist() == [2, 2, 0]  # T2: p3 late + p4 overdue; p5 pending and p6 unchecked left out
    assert s.loc[T1, "fire_in_time_pct"] == 100.0 and s.loc[T2, "fire_in_time_pct"] == 0.0
    assert s.loc[T1, "median_hours_to_check"] == 11.0  # median of 12 h and 10 h
    assert s.loc[T2, "median_hours_to_check"] == 30.0
    assert s["fires_per_cell"].tolist() == [1.0, 1.0, 0.0]


def test_a_past_month_judges_overdue_at_its_end():
    # October: f5 (deadline 30 Oct) is overdue at 1 Nov 00:00 Beijing; nothing else was due by then
    s = township_summary(cells_frame(), findings_frame(), assignments_frame(), fire_frame(), inspections_frame(),
                         period=month_period("2025-10"), now=NOW, township_names=NAMES).set_index("township_code")
    assert s["findings_overdue"].tolist() == [0, 1, 0]
    assert s["tasks_overdue"].tolist() == [0, 0, 0]
    assert s["findings"].tolist() == [0, 1, 0]  # f5
    assert s["inspections"].tolist() == [0, 1, 0]  # D on 31 Oct 23:30 Beijing
    assert s["fire_points"].tolist() == [0, 1, 0]  # p7, never checked
    assert pd.isna(s.loc[T2, "fire_in_time_pct"])


def test_fire_followup_per_township_and_week():
    fu = fire_followup(fire_frame(), assignments_frame(), NOW, weeks=3, township_names=NAMES)
    # weeks of 3, 10 and 17 Nov (Beijing): p1 p2 p3 | p6 | p4 p5
    assert [w.strftime("%m-%d") for w in fu.weekly.index] == ["11-03", "11-10", "11-17"]
    assert fu.weekly[T1].tolist() == [2, 0, 0]
    assert fu.weekly[T2].tolist() == [1, 1, 2]
    assert fu.weekly[T3].tolist() == [0, 0, 0]
    # by outcome: week 3 Nov p1 p2 in time, p3 late | 10 Nov p6 unchecked | 17 Nov p4 overdue, p5 pending
    assert fu.weekly_outcomes.loc[:, ["in_time", "late", "overdue", "pending", "no_check"]].to_numpy().tolist() == [
        [2, 1, 0, 0, 0], [0, 0, 0, 0, 1], [0, 0, 1, 1, 0]]
    t = fu.townships.set_index("township_code")
    assert t.loc[T2, ["fire_points", "in_time", "late", "overdue", "pending", "no_check"]].tolist() == [4, 0, 1, 1, 1, 1]
    assert fu.total["fire_points"] == 6 and fu.total["in_time"] == 2
    assert fu.total["fire_in_time_pct"] == 50.0  # 2 in time of 4 due (p1 p2 | p3 p4)
    assert fu.total["median_hours_to_check"] == 12.0  # median of 10, 12, 30


# --- ranking ----------------------------------------------------------------------------------------


def test_ranking_with_the_default_weights():
    r = ranking(summary())
    assert DEFAULT_WEIGHTS == {"coverage": 0.30, "closure": 0.25, "overdue": 0.15, "fire_in_time": 0.15,
                               "fires": 0.15}
    s = r.set_index("township_code").loc[[T1, T2, T3]]
    # indicator scores: overdue per cell 1.0 / 0.5 / 0 against the worst 1.0 -> 0, 50, 100;
    # fires per cell 1.0 / 1.0 / 0 -> 0, 0, 100
    assert s["score_overdue"].tolist() == [0.0, 50.0, 100.0] and s["score_fires"].tolist() == [0.0, 0.0, 100.0]
    # T1: .3*50 + .25*40 + .15*0 + .15*100 + .15*0 = 15 + 10 + 15 = 40.0
    # T2: .3*25 + .25*50 + .15*50 + .15*0 + .15*0 = 7.5 + 12.5 + 7.5 = 27.5
    # T3: closure and fire checks cannot be measured: (.3*50 + .15*100 + .15*100) / (.3 + .15 + .15) = 45 / .6 = 75.0
    assert s["score"].to_dict() == {T3: 75.0, T1: 40.0, T2: 27.5}
    assert r["township_code"].tolist() == [T3, T1, T2] and r["rank"].tolist() == [1, 2, 3]


def test_changing_the_weights_changes_the_order_and_ties_share_a_rank():
    s = summary()
    closure = ranking(s, {"closure": 1})  # T2 50 > T1 40; T3 has no findings: no score, last, no rank
    assert closure["township_code"].tolist() == [T2, T1, T3]
    assert closure["score"].tolist()[:2] == [50.0, 40.0] and pd.isna(closure["score"].iloc[2])
    assert closure["rank"].tolist()[:2] == [1, 2] and pd.isna(closure["rank"].iloc[2])
    cov = ranking(s, {"coverage": 2.0})  # T1 50 = T3 50 > T2 25: a tie, listed by code
    assert cov["township_code"].tolist() == [T1, T3, T2] and cov["rank"].tolist() == [1, 1, 3]
    # weights need not sum to 1: {coverage 1, fires 1} = mean of the two
    both = ranking(s, {"coverage": 1, "fires": 1}).set_index("township_code")["score"]
    assert both.to_dict() == {T3: 75.0, T1: 25.0, T2: 12.5}  # (50+100)/2, (50+0)/2, (25+0)/2


def test_bad_weights_are_refused_with_a_clear_message():
    with pytest.raises(ValidationError, match="zero or positive"):
        validate_weights({"coverage": -0.1, "closure": 1})
    with pytest.raises(ValidationError, match="sum to 0"):
        validate_weights({"coverage": 0, "closure": 0})
    with pytest.raises(ValidationError, match="unknown ranking weight 'speed'.*coverage, closure"):
        validate_weights({"speed": 1})
    with pytest.raises(ValidationError, match="not a number"):
        parse_weights("coverage=abc")
    assert parse_weights("coverage=0.5, closure=0.5") == {"coverage": 0.5, "closure": 0.5}
    assert validate_weights({"coverage": 3, "closure": 1})["coverage"] == 0.75


# --- the same district as a project file -------------------------------------------------------


def U(name: str) -> str:
    """A stable uuid for a map-layer row (layers check the uuid form)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "gridwatch-test/" + name))


def _square(i: int, j: int = 0):
    return box(114.0 + i * 0.01, 38.0 + j * 0.01, 114.01 + i * 0.01, 38.01 + j * 0.01)


def write_district(path):
    """The hand-computed district as a real GeoPackage."""
    from gridwatch.storage import write_project

    crs = 4490
    towns = gpd.GeoDataFrame({"uuid": [U(f"t{i}") for i in range(3)], "code": [T1, T2, T3],
                              "name": [NAMES[T1], NAMES[T2], NAMES[T3]], "county_code": "130110",
                              "geometry": [_square(0), _square(2), _square(6)]}, crs=crs)
    villages = gpd.GeoDataFrame({"uuid": [U("v1"), U("v2"), U("v3")], "code": [T1 + "001", T2 + "001", T3 + "001"],
                                 "name": ["甲村", "乙村", "丙村"], "township_code": [T1, T2, T3],
                                 "kind": "village", "geometry": [_square(0), _square(2), _square(6)]}, crs=crs)
    cells = gpd.GeoDataFrame({"uuid": [U(f"c{i}") for i in range(8)], "code": CELLS,
                              "name": [f"网格{c}" for c in "ABCDEFGH"], "village_code": [c[:12] for c in CELLS],
                              "township_code": [c[:9] for c in CELLS], "level": "grid", "inspector_uuid": "P1",
                              "geometry": [_square(i) for i in range(8)]}, crs=crs)
    fires = fire_frame().assign(uuid=lambda f: f["uuid"].map(U))
    fires = gpd.GeoDataFrame({**{k: fires[k] for k in fires.columns}, "detected_local": fires["detected_utc"],
                              "source": "VIIRS", "status": "unverified", "confidence": 80,
                              "frp": 5.0,
                              "geometry": [Point(114.005, 38.005)] * len(fires)}, crs=crs)
    people = pd.DataFrame({"uuid": ["P1", "P2"], "name": ["张三", "李督查"], "role": ["inspector", "supervisor"],
                           "active": [1, 1]})
    tasks = assignments_frame().assign(assignee_uuid="P1", priority=2)
    ins = inspections_frame().assign(uuid=[f"i{i}" for i in range(6)], inspector_uuid="P1", kind="patrol")
    found = findings_frame()
    found = gpd.GeoDataFrame({**{k: found[k] for k in found.columns}, "found_by": "P1", "severity": 2,
                              "reject_count": [0, 0, 0, 0, 2, 0, 0, 0],
                              "description": ["=1+2", "+cmd", "-5 吨", "@SUM(A1)", "正常描述", "x", "y", "z"],
                              "geometry": [Point(114.005, 38.005)] * len(found)}, crs=crs)
    return write_project(path, district_name="测试区", county_code="130110",
                         layers={"township": towns, "village": villages, "grid_cell": cells, "fire_point": fires},
                         tables={"inspector": people, "assignment": tasks, "inspection": ins, "finding": found})


@pytest.fixture
def district_file(tmp_path):
    return write_district(tmp_path / "district.gpkg")


def test_project_readers_give_the_hand_counts(district_file):
    s = township_summary_from_project(district_file, period=NOV, now=NOW)
    assert s.drop(columns=["name"]).equals(summary().drop(columns=["name"]))
    assert s["name"].tolist() == ["一镇", "二镇", "三镇"]
    r = ranking_from_project(district_file, month="2025-11", now=NOW)
    assert r["township_code"].tolist() == [T3, T1, T2] and r["score"].tolist() == [75.0, 40.0, 27.5]
    fu = fire_followup_from_project(district_file, now=NOW, weeks=3)
    assert fu.weekly[T2].tolist() == [1, 1, 2]
    dash = dashboard_stats(district_file, now=NOW, weeks=3)
    assert dash.period == NOV
    # the weeks November overlaps (27 Oct to 24 Nov), counting November's inspections: one on 1-2 Nov |
    # A 3 Nov | A 10 Nov, G 12 Nov | E is after now | -
    assert [w.strftime("%m-%d") for w in dash.per_week["week_start"]] == ["10-27", "11-03", "11-10", "11-17", "11-24"]
    assert dash.per_week["inspections"].tolist() == [1, 1, 2, 0, 0] and dash.weeks == 5
    # a period of all time: the last `weeks` weeks
    everything = dashboard_stats(district_file, now=NOW, weeks=3, period=(dt.datetime(2000, 1, 1, tzinfo=UTC), NOW))
    assert everything.per_week["inspections"].tolist() == [1, 2, 0] and len(everything.fires.weekly) == 3
    assert int(dash.by_category_status.to_numpy().sum()) == 7
    assert dash.ranking({"closure": 1})["township_code"].tolist() == [T2, T1, T3]


def test_fire_points_checked_as_no_burning_do_not_count_against_the_township():
    """Issue 17: the ranking's fire indicator leaves out detections a check found no burning at or
    outside the cell; they stay in the fire follow-up (they were checked)."""
    fires = fire_frame()
    fires["status"] = ["burning_confirmed", "no_burning", "outside_cell", "unverified", "unverified",
                       "burning_other", "unverified"]
    s = township_summary(cells_frame(), findings_frame(), assignments_frame(), fires, inspections_frame(),
                         period=NOV, now=NOW, township_names=NAMES).set_index("township_code")
    assert s["fire_points"].tolist() == [2, 4, 0]  # every November detection is still followed up
    # T1: p1 counts, p2 checked no burning -> 1 / 2 cells; T2: p3 outside the cell -> 3 / 4 cells
    assert s["fires_per_cell"].tolist() == [0.5, 0.75, 0.0]
