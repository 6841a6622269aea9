"""Patrol coverage against a small hand-computed district (issue 7 groundwork)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridwatch.analysis.coverage import DEFAULT_RULES, cell_classes, coverage, coverage_from_project

NOW = dt.datetime(2025, 11, 20, 12, 0, tzinfo=dt.timezone.utc)


def ago(days: float) -> str:
    return (NOW - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture
def district():
    cells = gpd.GeoDataFrame({
        "code": ["A", "B", "C", "D"], "township_code": ["T1", "T1", "T2", "T2"],
        "inspector_uuid": ["P1", "P1", "P2", "P2"],
        "geometry": [box(114.0 + i * 0.01, 38.0, 114.01 + i * 0.01, 38.01) for i in range(4)]}, crs=4490)
    zones = gpd.GeoDataFrame({"geometry": [box(114.002, 38.002, 114.008, 38.008)]}, crs=4490)  # inside A
    mines = gpd.GeoDataFrame({"geometry": [box(114.012, 38.002, 114.018, 38.008)]}, crs=4490)  # inside B
    sites = gpd.GeoDataFrame({"dust_grade": ["C", "A"],
                              "geometry": [Point(114.025, 38.005), Point(114.035, 38.005)]}, crs=4490)  # C, D
    inspections = pd.DataFrame({"cell_code": ["A", "A", "B", "D"], "started_at": [ago(2), ago(10), ago(5), ago(20)]})
    findings = pd.DataFrame({"cell_code": ["A", "B"], "status": ["found", "closed"]})
    return cells, zones, mines, sites, inspections, findings


def test_cell_classes_follow_the_rule(district):
    cells, zones, mines, sites, *_ = district
    classes = cell_classes(cells, zones, mines, sites)
    assert classes.tolist() == ["coal_ban_zone", "mine_or_grade_c_site", "mine_or_grade_c_site", "other"]


def test_coverage_numbers_match_the_hand_count(district):
    cells, zones, mines, sites, inspections, findings = district
    cov = coverage(cells, inspections, findings, now=NOW, classes=cell_classes(cells, zones, mines, sites),
                   township_names={"T1": "一镇", "T2": "二镇"})
    c = cov.cells.set_index("code")
    assert c["days_since"].round(3).tolist()[:2] == [2.0, 5.0] and pd.isna(c.loc["C", "days_since"])
    assert c["inspections_7d"].tolist() == [1, 1, 0, 0]
    assert c["inspections_30d"].tolist() == [2, 1, 0, 1]
    assert c["interval_days"].tolist() == [7.0, 3.5, 3.5, 14.0]
    assert c["overdue"].tolist() == [False, True, True, True]  # B: 5 > 3.5; C never; D: 20 > 14
    assert c["open_findings"].tolist() == [1, 0, 0, 0]
    t = cov.townships.set_index("township_code")
    assert t.loc["T1", "name"] == "一镇"
    assert t["coverage_7d"].tolist() == [100.0, 0.0] and t["coverage_30d"].tolist() == [100.0, 50.0]
    assert t["never_inspected"].tolist() == [0, 1] and t["overdue"].tolist() == [1, 2]
    p = cov.inspectors.set_index("inspector_uuid")
    assert p["coverage_30d"].tolist() == [100.0, 50.0]


def test_a_never_inspected_district_and_future_inspections(district):
    cells, *_ = district
    future = pd.DataFrame({"cell_code": ["A"], "started_at": [(NOW + dt.timedelta(days=1)).isoformat()]})
    cov = coverage(cells, future, now=NOW)
    assert cov.cells["never_inspected"].all() and cov.cells["overdue"].all()
    assert cov.townships["coverage_7d"].tolist() == [0.0, 0.0]


def test_coverage_of_the_sample_project(sample_path):
    cov = coverage_from_project(sample_path, now=NOW)
    assert len(cov.cells) == 2400 and cov.townships["cells"].sum() == 2400
    # 20 Nov is in the autumn straw-burning season: the calendar has coal-ban cells monthly like the others,
    # cells with a site under way every two weeks
    assert set(cov.cells["cell_class"]) == {"construction_site", "mine_or_grade_c_site", "other"}
    assert dict(cov.rules)["coal_ban_zone"] == 30.0
    fixed = coverage_from_project(sample_path, now=NOW, rules=DEFAULT_RULES)  # a rule given wins over the calendar
    assert set(fixed.cells["cell_class"]) == {"coal_ban_zone", "mine_or_grade_c_site", "other"}
    assert cov.cells["never_inspected"].all()  # the sample has no inspections yet
    assert cov.townships["name"].notna().all()


def test_coverage_export_to_xlsx_and_csv(bare_copy, tmp_path, capsys):
    sample_copy = bare_copy
    """`gridwatch export coverage`: Chinese titles, one sheet per level; an existing file is replaced whole."""

    import openpyxl

    from gridwatch.cli import main
    from gridwatch.storage import Project
    from gridwatch.storage.workflow import Actor, change_assignment, create_assignments

    people = Project.open(sample_copy).read_table("inspector")
    sup = people[people["role"] == "supervisor"].iloc[0]
    cells = Project.open(sample_copy).read_layer("grid_cell")
    cell = cells.iloc[0]
    ins = people[people["uuid"] == cell["inspector_uuid"]].iloc[0]
    task = create_assignments(sample_copy, Actor(sup["uuid"], sup["name"], "supervisor"), [cell["code"]],
                              "patrol").created("assignment")[0]
    change_assignment(sample_copy, Actor(ins["uuid"], ins["name"], "inspector"), task, "start")
    out = tmp_path / "coverage.xlsx"
    out.write_bytes(b"old")
    assert main(["export", "coverage", str(sample_copy), "--out", str(out)]) == 0
    assert "1 cells inspected in the last 7 days" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["乡镇覆盖率", "网格员覆盖率", "网格巡查"]
    header = [c.value for c in book["网格巡查"][1]]
    assert "网格编码" in header and "近7天检查次数" in header and "超期未巡" in header
    rows = list(book["网格巡查"].iter_rows(min_row=2, values_only=True))
    inspected = [r for r in rows if r[header.index("近7天检查次数")] == 1]
    assert len(inspected) == 1 and inspected[0][header.index("网格编码")] == cell["code"]
    assert inspected[0][header.index("网格员")] == ins["name"]
    towns = list(book["乡镇覆盖率"].iter_rows(min_row=2, values_only=True))
    assert len(towns) == 13 and sum(r[2] for r in towns) == 2400  # 网格数 per township
    csv = tmp_path / "coverage.csv"
    assert main(["export", "coverage", str(sample_copy), "--out", str(csv), "--days", "30"]) == 0
    text = csv.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("乡镇代码,名称,网格数,近30天已检查网格,近30天覆盖率(%)")
    assert main(["export", "coverage", str(sample_copy), "--out", str(tmp_path / "x.pdf")]) == 2
    assert "export to .xlsx or .csv" in capsys.readouterr().err
    # the patrol rule per cell class: intervals change the overdue column, unknown classes are refused
    weekly = tmp_path / "weekly.xlsx"
    assert main(["export", "coverage", str(sample_copy), "--out", str(weekly), "--intervals",
                 "other=1,coal_ban_zone=1,mine_or_grade_c_site=1"]) == 0
    cells_sheet = openpyxl.load_workbook(weekly)["网格巡查"]
    head = [c.value for c in cells_sheet[1]]
    assert {r[head.index("巡查周期(天)")] for r in cells_sheet.iter_rows(min_row=2, values_only=True)} == {1}
    capsys.readouterr()
    assert main(["export", "coverage", str(sample_copy), "--out", str(weekly), "--intervals", "farm=3"]) == 2
    assert "unknown cell class 'farm'" in capsys.readouterr().err


# --- coverage classes for maps (days since the last inspection) -----------------------------------


def test_coverage_classes_boundaries_are_inclusive_and_never_stands_apart():
    from gridwatch.analysis.coverage import COVERAGE_CLASSES, coverage_class_counts, coverage_classes

    days = [0.0, 7.0, 7.01, 14.0, 14.5, 30.0, 30.01, 400.0, float("nan")]
    cells = pd.DataFrame({"code": [f"c{i}" for i in range(len(days))], "days_since": days,
                          "never_inspected": [d != d for d in days]}, index=range(10, 10 + len(days)))
    cls = coverage_classes(cells)
    assert cls.tolist() == ["within_7", "within_7", "within_14", "within_14", "within_30", "within_30", "over_30",
                            "over_30", "never"]
    assert cls.index.tolist() == cells.index.tolist()  # aligned with the cells
    assert list(cls.cat.categories) == [c.key for c in COVERAGE_CLASSES]  # legend order
    assert coverage_class_counts(cells).tolist() == [2, 2, 2, 2, 1]
    # a cell flagged never inspected is 'never' whatever its number says; counts list empty classes too
    flagged = cells.assign(never_inspected=True)
    assert set(coverage_classes(flagged)) == {"never"}
    assert coverage_class_counts(flagged).tolist() == [0, 0, 0, 0, 9]
    never = COVERAGE_CLASSES[-1]
    assert never.key == "never" and never.hatch and never.title("zh_CN") == "从未巡查"
    assert never.title("en") == "Never inspected"
    assert len({c.rgba for c in COVERAGE_CLASSES}) == len(COVERAGE_CLASSES)


def test_coverage_classes_of_a_computed_coverage(district):
    from gridwatch.analysis.coverage import coverage_classes

    cells, zones, mines, sites, inspections, findings = district
    extra = pd.DataFrame({"cell_code": ["C"], "started_at": [ago(7.0)]})  # exactly 7 days: still within 7
    cov = coverage(cells, pd.concat([inspections, extra]), findings, now=NOW,
                   classes=cell_classes(cells, zones, mines, sites))
    assert coverage_classes(cov).tolist() == ["within_7", "within_7", "within_7", "within_30"]
    later = coverage(cells, inspections, findings, now=NOW + dt.timedelta(days=5.01))  # A: 7.01 days, C never
    assert coverage_classes(later).tolist() == ["within_14", "within_14", "never", "within_30"]


def test_rules_from_intervals_keep_defaults_and_refuse_nonsense():
    from gridwatch.analysis.coverage import DEFAULT_RULES, rules_from_intervals
    from gridwatch.errors import ValidationError

    assert rules_from_intervals({}) == DEFAULT_RULES
    assert dict(rules_from_intervals({"coal_ban_zone": 3}))["coal_ban_zone"] == 3.0
    for bad in ({"coal_ban_zone": 0}, {"coal_ban_zone": "x"}, {"coal": 7}, {"other": float("nan")}):
        with pytest.raises(ValidationError, match="patrol rule"):
            rules_from_intervals(bad)


def test_coverage_theme_follows_the_map_layer_order(district):
    from gridwatch.mapview.theme import coverage_theme

    cells, zones, mines, sites, inspections, findings = district
    cov = coverage(cells, inspections, findings, now=NOW, classes=cell_classes(cells, zones, mines, sites))
    theme = coverage_theme(["D", "C", "A", "NEW"], cov)  # the map's own order; NEW is unknown to the coverage
    assert theme.classes.tolist() == [2, 4, 0, -1]  # D 20 days (15-30), C never, A 2 days, NEW no fill
    # outlined: D, visited 20 days ago under a 14-day rule; C (never) is overdue too but its class marks it
    assert theme.emphasis.tolist() == [True, False, False, False]
    assert theme.counts() == [1, 0, 1, 0, 1] and theme.emphasised() == 1
