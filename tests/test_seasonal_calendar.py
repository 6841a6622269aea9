"""The seasonal calendar sets the work (issue 17): per season the patrol interval of each cell class
(coverage's overdue follows it) and the default task kind (the assign command follows the due date's
season); editable per district, checked with Chinese messages, refused to inspectors."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gridwatch.analysis.coverage import cell_classes, coverage, coverage_from_project
from gridwatch.domain.messages import message_text
from gridwatch.domain.plans import settings_from_meta
from gridwatch.domain.seasonal import season_plan
from gridwatch.errors import InvalidTransition, ValidationError
from gridwatch.storage import plans
from gridwatch.storage.workflow import Actor, change_assignment, create_assignments, find_actor

BJ = dt.timezone(dt.timedelta(hours=8))
DEFAULTS = settings_from_meta({})


def rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


def test_the_plans_calendar_by_day():
    winter = season_plan(DEFAULTS, dt.date(2026, 12, 6))
    assert (winter.season, winter.default_kind, winter.fireworks_ban) == ("winter", "coal_ban", False)
    assert winter.rules() == (("mine_or_grade_c_site", 3.5), ("coal_ban_zone", 7.0), ("construction_site", 14.0),
                              ("fire_prone", 30.0), ("other", 30.0))
    # the Spring Festival of 2027 is 6 Feb: the ban runs 30 Jan to 20 Feb, the fireworks-ban zone every 3 days
    ban = season_plan(DEFAULTS, dt.date(2027, 2, 1))
    assert ban.fireworks_ban and dict(ban.rules())["fireworks_ban_zone"] == 3.0
    assert "fireworks_ban_zone" not in dict(season_plan(DEFAULTS, dt.date(2027, 2, 21)).rules())
    dust = season_plan(DEFAULTS, dt.date(2027, 3, 15))
    assert (dust.default_kind, dict(dust.rules())["construction_site"], dict(dust.rules())["coal_ban_zone"]) == \
        ("construction_dust", 7.0, 30.0)
    autumn = season_plan(DEFAULTS, dt.date(2026, 10, 10))
    assert (autumn.default_kind, dict(autumn.rules())["fire_prone"]) == ("fire_check", 7.0)
    assert season_plan(DEFAULTS, dt.date(2026, 7, 1)).task_kinds == ("patrol", "unannounced")


def _square(x: float):
    return shapely.box(x, 0.0, x + 1.0, 1.0)


def _frame(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs="EPSG:4490")


@pytest.fixture
def district():
    """Four cells in a row, 0..3: the coal-ban zone over 0-1, the fireworks-ban zone over 1-2, a site
    under way (2026-11-01 to 2027-06-30) in 2, a finished site (ended 2026-05-01) and a fire point of
    2026-09-01 in 3, a fire point checked as no burning in 0."""
    cells = _frame([_square(x) for x in range(4)], code=["C0", "C1", "C2", "C3"], township_code=["T"] * 4,
                   inspector_uuid=[None] * 4)
    inner = lambda a, b: shapely.box(a + 0.1, 0.1, b - 0.1, 0.9)  # noqa: E731 - inside cells a..b-1 only
    coal = _frame([inner(0, 2)])
    fireworks = _frame([inner(1, 3)])
    sites = _frame([inner(2, 3), inner(3, 4)], dust_grade=["A", "B"], start_date=["2026-11-01", "2025-01-01"],
                   end_date=["2027-06-30", "2026-05-01"])
    fires = pd.DataFrame({"cell_code": ["C3", "C0"], "status": ["unverified", "no_burning"],
                          "detected_utc": ["2026-09-01T03:00:00Z", "2026-09-02T03:00:00Z"]})
    return cells, coal, fireworks, sites, fires


@pytest.mark.parametrize("day, expected", [
    # winter outside the ban: coal 7 for C0, C1; the site 14 for C2; C3's fire point keeps 30 = other
    (dt.date(2026, 12, 6), ["coal_ban_zone", "coal_ban_zone", "construction_site", "other"]),
    # in the fireworks ban the zone's 3 days beat coal's 7 (C1) and the site's 14 (C2)
    (dt.date(2027, 2, 1), ["coal_ban_zone", "fireworks_ban_zone", "fireworks_ban_zone", "other"]),
    # spring dust: the site's 7 days; coal 30 is no shorter than other
    (dt.date(2027, 3, 15), ["other", "other", "construction_site", "other"]),
    # autumn: C3 had a fire point within the year (C0's was no burning); C2's site starts on 1 Nov and
    # C3's ended in May: neither counts yet / any more
    (dt.date(2026, 10, 10), ["other", "other", "other", "fire_prone"]),
])
def test_a_cell_takes_the_shortest_interval_of_its_classes(district, day, expected):
    cells, coal, fireworks, sites, fires = district
    rules = season_plan(DEFAULTS, day).rules()
    got = cell_classes(cells, coal, None, sites, rules=rules, fireworks_ban_zones=fireworks, fires=fires, day=day)
    assert got.tolist() == expected


def test_overdue_follows_the_season(district):
    cells, coal, fireworks, sites, fires = district
    # every cell last inspected 10 days before noon of the day
    for day, overdue in ((dt.date(2026, 12, 6), [True, True, False, False]),  # coal 7 < 10; site 14, other 30
                         (dt.date(2027, 3, 15), [False, False, True, False])):  # the site's 7 < 10
        now = dt.datetime.combine(day, dt.time(12), BJ)
        visits = pd.DataFrame({"cell_code": ["C0", "C1", "C2", "C3"],
                               "started_at": [(now - dt.timedelta(days=10)).isoformat()] * 4})
        rules = season_plan(DEFAULTS, day).rules()
        classes = cell_classes(cells, coal, None, sites, rules=rules, fireworks_ban_zones=fireworks, fires=fires,
                               day=day)
        cov = coverage(cells, visits, now=now, rules=rules, classes=classes)
        assert cov.cells["overdue"].tolist() == overdue
        assert cov.cells["interval_days"].tolist() == [dict(rules)[c] for c in classes]


def _inspect(path, actor: Actor, code: str, when: dt.datetime) -> None:
    task = create_assignments(path, actor, [code], "patrol", now=when - dt.timedelta(hours=1)).created("assignment")[0]
    change_assignment(path, actor, task, "start", now=when)


def test_the_projects_calendar_drives_coverage_and_is_checked(bare_copy):
    from gridwatch.storage import Project

    sup = find_actor(bare_copy, rows(bare_copy, "SELECT name FROM inspector WHERE role = 'supervisor'")[0][0])
    inspector = find_actor(bare_copy, rows(bare_copy, "SELECT name FROM inspector WHERE role = 'inspector'")[0][0])
    now = dt.datetime(2026, 12, 6, 12, tzinfo=BJ)
    p = Project.open(bare_copy)
    cells = p.read_layer("grid_cell")
    cls = cell_classes(cells, p.read_layer("coal_ban_zone"), p.read_layer("mine"), p.read_layer("construction_site"),
                       rules=season_plan(DEFAULTS, now.date()).rules(),
                       fireworks_ban_zones=p.read_layer("fireworks_ban_zone"), day=now.date())
    coal = cells.loc[cls == "coal_ban_zone", "code"].iloc[0]
    other = cells.loc[cls == "other", "code"].iloc[0]
    _inspect(bare_copy, sup, coal, now - dt.timedelta(days=10))
    _inspect(bare_copy, sup, other, now - dt.timedelta(days=20))

    def overdue(code: str) -> bool:
        c = coverage_from_project(bare_copy, now=now).cells.set_index("code")
        return bool(c.loc[code, "overdue"])

    # the winter: coal-ban cells weekly (10 days: overdue), ordinary cells monthly (20 days: not)
    assert overdue(coal) and not overdue(other)
    plans.set_settings(bare_copy, sup, {"calendar": {"winter": {"intervals": {"coal_ban_zone": 14, "other": 15}}}})
    assert not overdue(coal) and overdue(other)
    stored = plans.read_settings(bare_copy)["calendar"]
    assert stored["winter"]["intervals"]["coal_ban_zone"] == 14.0 and stored["dust"] == DEFAULTS["calendar"]["dust"]
    assert rows(bare_copy, "SELECT action, row_uuid FROM audit_log WHERE action = 'set_setting'")[-1] == \
        ("set_setting", "setting.calendar")
    # bad values: nothing written, a message naming the season and class in Chinese
    cases = [({"winter": {"intervals": {"coal_ban_zone": 0}}}, "季节日历（冬防期）：禁煤区网格的巡查间隔须大于 0 天且不超过 366 天，不能是“0”"),
             ({"spring": {}}, "季节日历：没有季节“spring”"),
             ({"dust": {"intervals": {"farmland": 7}}}, "季节日历（春季扬尘）：没有网格类别“farmland”"),
             ({"ozone": {"task_kinds": ["swim"]}}, "季节日历（夏季臭氧）：没有任务类型“swim”")]
    for value, zh in cases:
        with pytest.raises(ValidationError) as info:
            plans.set_settings(bare_copy, sup, {"calendar": value})
        assert message_text(info.value, "zh_CN").startswith(zh)
    assert plans.read_settings(bare_copy)["calendar"] == stored
    with pytest.raises(InvalidTransition, match="change the assessment and calendar settings"):
        plans.set_settings(bare_copy, inspector, {"calendar": {}})


def test_cli_calendar_and_the_assign_default_kind(bare_copy, capsys):
    from gridwatch.cli import main

    sup = rows(bare_copy, "SELECT name FROM inspector WHERE role = 'supervisor'")[0][0]
    code = rows(bare_copy, "SELECT code FROM grid_cell ORDER BY code LIMIT 1")[0][0]
    assert main(["calendar", str(bare_copy), "--date", "2026-12-06"]) == 0
    out = capsys.readouterr().out
    assert "2026-12-06: 冬防期" in out and "new tasks default to coal_ban" in out
    line = next(x for x in out.splitlines() if x.startswith("冬防期"))
    assert line.split()[1:] == ["12,1,2", "3.5", "7", "3", "14", "30", "30", "coal_ban,fireworks,patrol"]
    # the assign command: the season of the due date decides the kind
    assert main(["assign", str(bare_copy), "--user", sup, "--cells", code, "--due", "2026-12-20"]) == 0
    assert "kind: coal_ban" in capsys.readouterr().out
    assert main(["assign", str(bare_copy), "--user", sup, "--cells", code, "--due", "2027-03-10"]) == 0
    assert "kind: construction_dust" in capsys.readouterr().out
    # the district changes its winter: patrols first, coal-ban cells every 5 days
    assert main(["calendar", str(bare_copy), "--user", sup, "--interval", "winter:coal_ban_zone=5",
                 "--kinds", "winter=patrol,coal_ban", "--date", "2026-12-06"]) == 0
    out = capsys.readouterr().out
    assert "calendar changed" in out and "new tasks default to patrol" in out
    assert main(["assign", str(bare_copy), "--user", sup, "--cells", code, "--due", "2026-12-21"]) == 0
    assert "kind: patrol" in capsys.readouterr().out
    assert [r[0] for r in rows(bare_copy, "SELECT kind FROM assignment ORDER BY due_at")][-3:] == \
        ["coal_ban", "patrol", "construction_dust"]
    # a wrong edit is refused with the season and class named; nothing changes
    assert main(["calendar", str(bare_copy), "--user", sup, "--interval", "winter:coal_ban_zone=-1"]) != 0
    assert "season winter, coal_ban_zone: the interval must be more than 0" in capsys.readouterr().err
    assert main(["calendar", str(bare_copy), "--user", sup, "--reset"]) == 0
    assert plans.read_settings(bare_copy)["calendar"] == DEFAULTS["calendar"]


def test_a_project_s_fire_prone_cells_come_from_its_file_without_reading_every_point(sample_copy):
    """coverage_from_project asks the file for the cells with a counted fire point in the year up to the
    day (a city's ten million points are never held in memory); the answer is the one a reader of the whole
    fire-point table gets by hand."""
    from contextlib import closing

    from gridwatch.analysis.coverage import coverage_from_project
    from gridwatch.storage.gpkg import connect_readwrite

    day = dt.date(2026, 10, 10)  # autumn: the straw-burning season makes fire-prone cells weekly
    now = dt.datetime.combine(day, dt.time(12), BJ)
    with closing(connect_readwrite(sample_copy)) as con, con:
        # one cell's every fire point checked as an industrial heat source: not fire-prone any more
        heat_cell = con.execute("SELECT cell_code FROM fire_point WHERE cell_code IS NOT NULL "
                                "AND detected_utc >= '2026-01-01' GROUP BY cell_code ORDER BY COUNT(*) DESC "
                                "LIMIT 1").fetchone()[0]
        con.execute("UPDATE fire_point SET status = 'industrial_heat' WHERE cell_code = ?", (heat_cell,))
        rows = con.execute("SELECT cell_code, status, detected_utc FROM fire_point").fetchall()
    end = pd.Timestamp(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), BJ)).tz_convert("UTC")
    by_hand = {c for c, s, t in rows if c and s not in ("no_burning", "outside_cell", "industrial_heat")
               and t and end - pd.Timedelta(days=366) <= pd.Timestamp(t) < end}
    assert by_hand and heat_cell not in by_hand
    rules = season_plan(DEFAULTS, day).rules()
    cov = coverage_from_project(sample_copy, now=now, rules=rules)
    got = cov.cells.loc[cov.cells["cell_class"] == "fire_prone", "code"].astype(str)
    # a fire-prone cell may also be in a class with a shorter interval; every cell it names is by hand's
    assert set(got) <= by_hand and heat_cell not in set(got)
    assert len(got) >= len(by_hand) // 2
