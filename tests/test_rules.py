"""Rule checks against a small hand-measured district, hits turned into tasks, `gridwatch rules`.

The district is drawn in metres in the CGCS2000 Gauss-Kruger zone the rules measure in
(EPSG:4547, CM 114E) and stored in EPSG:4490, so every distance below is exact by construction:
four 5 km cells A B / C D (A south-west), a national monitoring station S at (2000, 2000) and a
school campus, the square (7000..8000, 7000..8000), as key areas.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Point, box

from gridwatch.analysis.rule_tasks import hits_to_assignments
from gridwatch.analysis.rules import (
    CellLocator,
    check_rules,
    sites_near_key_areas,
)
from gridwatch.errors import Cancelled, InvalidTransition, ValidationError
from gridwatch.storage import Project, write_project
from gridwatch.storage.workflow import Actor, undo
from gridwatch.tasks import CancelToken

NOW = dt.datetime(2025, 11, 20, 4, 0, tzinfo=dt.timezone.utc)  # 12:00 Beijing time
TODAY = dt.date(2025, 11, 20)
X0, Y0 = 520_000.0, 4_215_000.0
_TO_GEO = Transformer.from_crs(4547, 4490, always_xy=True)
TOWN, VILLAGE = "130110100", "130110100201"
CELL = {k: VILLAGE + f"{i:03d}" for i, k in enumerate("ABCD", 1)}
P1, P2, SUP, ADMIN = (f"00000000-0000-4000-8000-00000000000{i}" for i in range(1, 5))


def uid(n: int) -> str:
    return f"10000000-0000-4000-8000-{n:012d}"


def geo(g):
    """A shape given in local metres (origin X0, Y0 in EPSG:4547) in EPSG:4490."""
    return shapely.transform(g, lambda c: np.column_stack(_TO_GEO.transform(X0 + c[:, 0], Y0 + c[:, 1])))


def ago(days: float) -> pd.Timestamp:
    return pd.Timestamp(NOW - dt.timedelta(days=days))


def frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=[geo(g) for g in geoms], crs=4490)


def utc_times(values: list) -> pd.Series:
    return pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[ms, UTC]")


SITES = [  # (n, name, grade, geometry in metres, end date)
    (1, "东侧工地2.9公里", "B", Point(4900, 2000), None),  # 2.9 km from S: hit
    (2, "北侧工地3.1公里", "B", Point(2000, 5100), None),  # 3.1 km: no hit
    (3, "A级工地", "A", Point(1000, 2000), None),  # 1 km but grade A: no hit
    (4, "学校南工地", "C", Point(7500, 5500), None),  # 1.5 km from the school's south edge: hit
    (5, "学校内工地", "B", Point(7500, 7500), None),  # inside the school campus: hit at 0 m
    (6, "边缘2.95公里工地", "C", box(4950, 1900, 5450, 2100), None),  # centre 3.2 km, edge 2.95 km: hit
    (7, "已完工工地", "C", Point(2500, 2000), dt.date(2025, 10, 1)),  # finished before today: no hit
    # issue 17, far from every key area: area (m²) and online monitoring / video in SITE_EXTRA
    (8, "大工地监控齐全", "B", Point(9000, 500), None),  # 20,000 m², both: no hit
    (9, "4999平米工地", "B", Point(9500, 500), None),  # under 5,000 m²: no hit
    (10, "5000平米无视频工地", "B", Point(9800, 500), None),  # 5,000 m², no video: hit
]
#: n -> (area_m2, online_monitor, video_monitor); the others: area from the footprint (points: 0;
#: site 6, 500 x 200 m = 100,000 m²: a hit, nothing recorded), nothing recorded.
SITE_EXTRA = {8: (20000.0, True, True), 9: (4999.0, False, False), 10: (5000.0, True, False)}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp_path = tmp_path_factory.mktemp("rules")
    cells = [box(0, 0, 5000, 5000), box(5000, 0, 10000, 5000), box(0, 5000, 5000, 10000),
             box(5000, 5000, 10000, 10000)]
    layers = {
        "township": frame([{"uuid": uid(900), "code": TOWN, "name": "测试镇", "county_code": "130110"}],
                          [box(0, 0, 10000, 10000)]),
        "village": frame([{"uuid": uid(901), "code": VILLAGE, "name": "测试村", "township_code": TOWN,
                           "kind": "village"}], [box(0, 0, 10000, 10000)]),
        "grid_cell": frame([{"uuid": uid(910 + i), "code": CELL[k], "name": f"{k}网格", "village_code": VILLAGE,
                             "township_code": TOWN, "level": "grid", "inspector_uuid": P1 if k in "AB" else P2}
                            for i, k in enumerate("ABCD")], cells),
        "key_area": frame([
            {"uuid": uid(100), "name": "测试国控站", "kind": "national_station", "buffer_m": 3000.0},
            {"uuid": uid(101), "name": "测试中学", "kind": "school", "buffer_m": None},
            # issue 17: built-up areas (not dust-control key areas: the site 1.4 km from the first is no hit);
            # the first touches the operating mine 300 at its corner, the second covers the closed mine 302
            {"uuid": uid(102), "name": "城区", "kind": "built_up", "buffer_m": None},
            {"uuid": uid(103), "name": "东城区", "kind": "built_up", "buffer_m": None}],
            [Point(2000, 2000), box(7000, 7000, 8000, 8000), box(0, 6500, 1000, 10000),
             box(5800, 800, 7000, 2000)]),
        "construction_site": frame(
            [{"uuid": uid(n), "name": name, "dust_grade": g, "township_code": TOWN, "end_date": end,
              **dict(zip(("area_m2", "online_monitor", "video_monitor"), SITE_EXTRA.get(n, (None, None, None))))}
             for n, name, g, _, end in SITES], [s[3] for s in SITES]),
        "coal_ban_zone": frame([{"uuid": uid(200), "name": "禁煤区", "legal_basis": "通告",
                                 "in_force_from": dt.date(2017, 10, 1), "in_force_to": None}],
                               [box(0, 0, 5000, 2500)]),
        "mine": frame([
            {"uuid": uid(300), "name": "29天前检查的矿", "kind": "limestone", "status": "operating"},
            {"uuid": uid(301), "name": "31天前检查的矿", "kind": "limestone", "status": "operating"},
            {"uuid": uid(302), "name": "从未检查的矿", "kind": "clay", "status": "closed"},
            {"uuid": uid(303), "name": "按任务检查的矿", "kind": "clay", "status": "rehabilitating"}],
            [box(1000, 6000, 1500, 6500), box(6000, 9000, 6500, 9500), box(6000, 1000, 6500, 1500),
             box(3000, 3500, 3500, 4000)]),
    }
    fires = [  # (n, y in metres at x 2500, days ago, status)
        (400, 2490, 5, "unverified"),  # 10 m inside the zone: hit
        (401, 2510, 5, "unverified"),  # 10 m outside: no hit
        (402, 1000, 40, "unverified"),  # inside but before the 30-day period: no hit
        (403, 1200, 3, "no_burning"),  # inside, checked, no burning: no hit
        (404, 1500, 3, "burning_confirmed"),  # inside, burning confirmed: hit
    ]
    layers["fire_point"] = frame(
        [{"uuid": uid(n), "detected_utc": ago(d), "detected_local": (ago(d) + pd.Timedelta(hours=8)).strftime(
            "%Y-%m-%dT%H:%M:%S+08:00"), "source": "VIIRS", "satellite": "N20", "confidence": 80, "frp": 3.0,
          "cell_code": CELL["A"], "village_code": VILLAGE, "township_code": TOWN, "status": st}
         for n, _, d, st in fires], [Point(2500, y) for _, y, _, _ in fires])
    layers["fire_point"]["detected_utc"] = utc_times(layers["fire_point"]["detected_utc"].tolist())
    people = pd.DataFrame([
        {"uuid": P1, "name": "网格员甲", "role": "inspector", "active": True},
        {"uuid": P2, "name": "网格员乙", "role": "inspector", "active": True},
        {"uuid": SUP, "name": "督查员", "role": "supervisor", "active": True},
        {"uuid": ADMIN, "name": "管理员", "role": "admin", "active": True}])
    assignments = pd.DataFrame([{"uuid": uid(500), "kind": "mine", "cell_code": CELL["C"], "target_layer": "mine",
                                 "target_uuid": uid(303), "assignee_uuid": P1, "status": "done",
                                 "priority": 2, "created_at": ago(12)}])
    assignments["created_at"] = utc_times(assignments["created_at"].tolist())
    inspections = pd.DataFrame([  # (cell, days ago, assignment)
        {"uuid": uid(600), "cell_code": CELL["C"], "inspector_uuid": P2, "kind": "patrol", "started_at": ago(29)},
        {"uuid": uid(601), "cell_code": CELL["D"], "inspector_uuid": P2, "kind": "patrol", "started_at": ago(31)},
        {"uuid": uid(602), "cell_code": CELL["C"], "inspector_uuid": P2, "kind": "mine", "started_at": ago(10),
         "assignment_uuid": uid(500)},  # in cell C, under a task aimed at the mine in cell A
        {"uuid": uid(603), "cell_code": CELL["A"], "inspector_uuid": P1, "kind": "patrol", "started_at": ago(45)},
    ])
    findings_extra = {"severity": 2, "reject_count": 0}
    inspections["started_at"] = utc_times(inspections["started_at"].tolist())
    findings = frame([
        {"uuid": uid(700), "cell_code": CELL["A"], "category": "construction_dust", "status": "assigned",
         "rectify_deadline": TODAY - dt.timedelta(days=3), "responsible_party": "某建设公司", "description": "裸土未苫盖"},
        {"uuid": uid(701), "cell_code": CELL["A"], "category": "scattered_coal", "status": "assigned",
         "rectify_deadline": TODAY + dt.timedelta(days=1)},  # not yet due
        {"uuid": uid(702), "cell_code": CELL["B"], "category": "other", "status": "rectified",
         "rectify_deadline": TODAY - dt.timedelta(days=9)},  # rectified: waits for verification, not overdue
        {"uuid": uid(703), "cell_code": CELL["D"], "category": "open_burning", "status": "found",
         "rectify_deadline": TODAY - dt.timedelta(days=1)},
        {"uuid": uid(704), "cell_code": CELL["D"], "category": "other", "status": "closed",
         "rectify_deadline": TODAY - dt.timedelta(days=20)}],
        [Point(100, 100), Point(200, 200), Point(6000, 100), Point(6000, 6000), Point(6100, 6100)])
    for col, value in findings_extra.items():
        findings[col] = value
    return write_project(tmp_path / "rules.gpkg", district_name="测试区", county_code="130110", layers=layers,
                         tables={"inspector": people, "assignment": assignments, "inspection": inspections,
                                 "finding": findings})


@pytest.fixture
def district(built, tmp_path) -> Path:
    """A fresh copy of the hand-made district for each test."""
    path = tmp_path / "rules.gpkg"
    shutil.copyfile(built, path)
    return path


def by_name(hits):
    return {h.name: h for h in hits}


def test_sites_near_key_areas_measured_by_hand(district):
    hits = check_rules(district, now=NOW, rules=["site_near_key_area"]).hits
    found = by_name(hits)
    assert set(found) == {"东侧工地2.9公里", "学校南工地", "学校内工地", "边缘2.95公里工地"}
    assert found["东侧工地2.9公里"].value == pytest.approx(2900, abs=0.01)
    assert found["东侧工地2.9公里"].message == "距国控站点「测试国控站」2.9 公里，扬尘等级 B（3.0 公里内须达 A 级）"
    assert found["东侧工地2.9公里"].cell_code == CELL["A"] and found["东侧工地2.9公里"].township == "测试镇"
    assert found["东侧工地2.9公里"].related_uuid == uid(100)
    # A polygon key area is measured to its edge; a site inside it is at 0 m.
    assert found["学校南工地"].value == pytest.approx(1500, abs=0.01)
    assert "距学校「测试中学」1.5 公里，扬尘等级 C" in found["学校南工地"].message
    assert found["学校内工地"].value == 0 and found["学校内工地"].message.startswith("位于学校「测试中学」范围内")
    # A site footprint is measured from its nearest edge (its centre is 3.2 km away).
    assert found["边缘2.95公里工地"].value == pytest.approx(2950, abs=0.01)
    assert found["边缘2.95公里工地"].cell_code == CELL["B"]  # the footprint's point inside lies east of 5 km
    assert found["学校内工地"].bounds[0] == pytest.approx(geo(Point(7500, 7500)).x)


def test_radius_can_be_set_for_every_key_area_or_per_key_area(district):
    wider = by_name(check_rules(district, now=NOW, radius_m=3200, rules=["site_near_key_area"]).hits)
    assert "北侧工地3.1公里" in wider and "3.2 公里内须达 A 级" in wider["北侧工地3.1公里"].message
    narrow = by_name(check_rules(district, now=NOW, radius_m=1000, rules=["site_near_key_area"]).hits)
    assert set(narrow) == {"学校内工地"}
    # A key area's own radius: a school held to 1 km no longer flags the site 1.5 km away.
    project = Project.open(district)
    keys = project.read_layer("key_area")
    keys.loc[keys["name"] == "测试中学", "buffer_m"] = 1000.0
    places = CellLocator(project.read_layer("grid_cell"), {TOWN: "测试镇"})
    own = by_name(sites_near_key_areas(project.read_layer("construction_site"), keys, places, today=TODAY))
    assert set(own) == {"东侧工地2.9公里", "学校内工地", "边缘2.95公里工地"}
    with pytest.raises(ValidationError, match="radius"):
        check_rules(district, now=NOW, radius_m=0, rules=["site_near_key_area"])


def test_fire_points_inside_the_coal_ban_zone_in_the_period(district):
    hits = check_rules(district, now=NOW, rules=["fire_in_coal_ban"]).hits
    assert sorted(h.uuid for h in hits) == [uid(400), uid(404)]
    h = {x.uuid: x for x in hits}
    assert h[uid(404)].message == "禁煤区内火点，2025-11-17 12:00 监测，确认秸秆焚烧" and h[uid(404)].value == 3
    assert h[uid(400)].status == "unverified" and h[uid(400)].cell_code == CELL["A"]
    assert h[uid(400)].related_uuid == uid(200)
    # A longer period reaches the fire 40 days back.
    longer = check_rules(district, now=NOW, fire_days=45, rules=["fire_in_coal_ban"]).hits
    assert sorted(x.uuid for x in longer) == [uid(400), uid(402), uid(404)]


def test_mines_not_inspected_for_30_days(district):
    hits = by_name(check_rules(district, now=NOW, mine_days=30, rules=["mine_not_inspected"]).hits)
    # 29 days ago: fine; 31 days ago: flagged; never: flagged; inspected under a task aimed at it: fine.
    assert set(hits) == {"31天前检查的矿", "从未检查的矿"}
    assert hits["31天前检查的矿"].message == "已 31 天未检查（上次 2025-10-20，要求 30 天内），生产中"
    assert hits["31天前检查的矿"].cell_code == CELL["D"]
    assert hits["从未检查的矿"].message.startswith("从未检查") and hits["从未检查的矿"].cell_code == CELL["B"]
    stricter = by_name(check_rules(district, now=NOW, mine_days=7, rules=["mine_not_inspected"]).hits)
    assert set(stricter) == {"29天前检查的矿", "31天前检查的矿", "从未检查的矿", "按任务检查的矿"}


def test_findings_overdue_for_rectification(district):
    hits = {h.uuid: h for h in check_rules(district, now=NOW, rules=["finding_overdue"]).hits}
    assert set(hits) == {uid(700), uid(703)}
    assert hits[uid(700)].message == "整改期限 2025-11-17，已逾期 3 天，状态 已交办，责任主体 某建设公司"
    assert hits[uid(700)].name == "扬尘：裸土未苫盖" and hits[uid(700)].township == "测试镇"
    assert hits[uid(703)].value == 1


def test_check_rules_reports_progress_and_can_be_cancelled(district):
    seen = []
    report = check_rules(district, now=NOW, progress=lambda f, m: seen.append(f))
    assert report.counts() == {"site_near_key_area": 4, "fire_in_coal_ban": 2, "mine_not_inspected": 2,
                               "finding_overdue": 2, "big_site_unmonitored": 2, "mine_in_built_up": 1,
                               "fireworks_ban_period": 0}
    assert seen[-1] == pytest.approx(1.0) and all(b >= a - 1e-9 for a, b in zip(seen, seen[1:]))
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        check_rules(district, now=NOW, cancel=token)


def _tasks(path):
    with closing(sqlite3.connect(path)) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("SELECT * FROM assignment WHERE status = 'assigned'")]


def test_every_hit_becomes_a_task_in_one_undoable_action(district):
    sup = Actor(SUP, "督查员", "supervisor")
    hits = check_rules(district, now=NOW).hits
    edit = hits_to_assignments(district, sup, hits, due_at=dt.date(2025, 11, 25), now=NOW)
    tasks = {t["target_uuid"]: t for t in _tasks(district)}
    # 4 sites, 2 mines, 2 findings, 2 fire cells/kinds; 2 big sites (site 6 is hit by two rules: two tasks
    # aimed at it), the mine in the built-up area
    assert len(edit.created("assignment")) == 13 and len(tasks) == 12
    assert tasks[uid(1)]["kind"] == "construction_dust" and tasks[uid(1)]["cell_code"] == CELL["A"]
    assert tasks[uid(1)]["assignee_uuid"] == P1 and tasks[uid(1)]["priority"] == 1
    assert tasks[uid(1)]["due_at"] == "2025-11-25T10:00:00.000Z"  # 18:00 Beijing time
    assert tasks[uid(1)]["notes"].startswith("【重点区域周边工地未达A级】东侧工地2.9公里：距国控站点")
    assert tasks[uid(301)]["kind"] == "mine" and tasks[uid(301)]["assignee_uuid"] == P2
    assert tasks[uid(700)]["kind"] == "patrol" and tasks[uid(700)]["target_layer"] == "finding"
    # The unverified fire point gets a fire-point check it is linked to; the confirmed one a coal-ban check.
    assert tasks[uid(400)]["kind"] == "fire_check" and tasks[uid(404)]["kind"] == "coal_ban"
    fires = Project.open(district).read_layer("fire_point").set_index("uuid")
    assert fires.loc[uid(400), "check_uuid"] == tasks[uid(400)]["uuid"]
    assert pd.isna(fires.loc[uid(404), "check_uuid"])
    # Running it again assigns nothing twice.
    with pytest.raises(ValidationError, match="已有未完成的任务"):
        hits_to_assignments(district, sup, check_rules(district, now=NOW).hits, due_at=dt.date(2025, 11, 25))
    undo(district, sup, edit)
    assert _tasks(district) == []
    assert Project.open(district).read_layer("fire_point")["check_uuid"].isna().all()


def test_only_supervisors_and_admins_assign_hits(district):
    hits = check_rules(district, now=NOW).hits
    with pytest.raises(InvalidTransition, match="supervisor or admin"):
        hits_to_assignments(district, Actor(P1, "网格员甲", "inspector"), hits, due_at=dt.date(2025, 11, 25))
    assert _tasks(district) == []
    with pytest.raises(ValidationError, match="no rule hits"):
        hits_to_assignments(district, Actor(ADMIN, "管理员", "admin"), [], due_at=dt.date(2025, 11, 25))
    with pytest.raises(ValidationError, match="more than 3 at once"):
        hits_to_assignments(district, Actor(ADMIN, "管理员", "admin"), hits, due_at=dt.date(2025, 11, 25), max_tasks=3)
    assert _tasks(district) == []
    edit = hits_to_assignments(district, Actor(ADMIN, "管理员", "admin"), hits[:1], due_at=dt.date(2025, 11, 25),
                               assignee_uuid=P2)
    assert [t["assignee_uuid"] for t in _tasks(district)] == [P2] and len(edit.created("assignment")) == 1


def test_the_sample_district_has_sites_near_key_areas(sample_path):
    from gridwatch.sample.generator import BUNDLED_AS_OF

    as_of = dt.datetime.combine(BUNDLED_AS_OF, dt.time(0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    report = check_rules(sample_path, now=as_of)
    sites = report.by_rule("site_near_key_area")
    assert len(sites) >= 10
    assert all(h.value <= 3000 and "须达 A 级" in h.message and h.cell_code for h in sites)
    assert {h.message[1:5] for h in sites} >= {"国控站点"[:4]}
    assert len(report.by_rule("fire_in_coal_ban")) > 0  # kilns and straw fires on the plain around the town
    assert len(report.by_rule("finding_overdue")) > 0  # the month left some findings past their deadline
    # before the month's work, every mine was unvisited
    before = check_rules(sample_path, now=as_of - dt.timedelta(days=61))
    assert len(before.by_rule("mine_not_inspected")) == 36


# --- `gridwatch rules` ----------------------------------------------------------------------------


def test_cli_lists_hits_by_rule_with_a_count_line(district, capsys):
    from gridwatch.cli import main

    assert main(["rules", str(district), "--radius-km", "3", "--mine-days", "30", "--fire-days", "3650"]) == 0
    out = capsys.readouterr().out
    assert "重点区域周边工地未达A级 (Sites near key areas below grade A): 4" in out
    assert "东侧工地2.9公里" in out and "学校南工地" in out and "北侧工地3.1公里" not in out
    # Run at today's date, a year after the district's times: every fire of the 10-year period, every
    # mine (none inspected within 30 days of today) and every open finding with a deadline is a hit.
    assert out.strip().splitlines()[-1] == ("17 hits: site_near_key_area 4, fire_in_coal_ban 3, "
                                            "mine_not_inspected 4, finding_overdue 3, big_site_unmonitored 2, "
                                            "mine_in_built_up 1, fireworks_ban_period 0")
    assert main(["rules", str(district), "--json", "--rule", "mine_not_inspected", "--mine-days", "7"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"mine_not_inspected": 4} and len(data["hits"]) == 4
    assert {h["layer"] for h in data["hits"]} == {"mine"} and all(len(h["bounds"]) == 4 for h in data["hits"])


def test_cli_assigns_hits(district, capsys):
    from gridwatch.cli import main

    assert main(["rules", str(district), "--rule", "site_near_key_area", "--assign", "--user", "网格员甲",
                 "--due", "2025-11-25"]) == 2
    assert "only a chief or supervisor or admin" in capsys.readouterr().err
    assert main(["rules", str(district), "--rule", "site_near_key_area", "--assign", "--user", "督查员"]) == 2
    assert "--due" in capsys.readouterr().err
    assert _tasks(district) == []
    assert main(["rules", str(district), "--rule", "site_near_key_area", "--assign", "--user", "督查员",
                 "--due", "2025-11-25"]) == 0
    out = capsys.readouterr().out
    assert "created 4 tasks for 4 hits, due 2025-11-25 23:59 (Beijing time)" in out
    assert sorted(t["kind"] for t in _tasks(district)) == ["construction_dust"] * 4


# --- the rules of issue 17 --------------------------------------------------------------------------


def test_big_sites_without_online_monitoring_and_video(district):
    hits = by_name(check_rules(district, now=NOW, rules=["big_site_unmonitored"]).hits)
    assert set(hits) == {"边缘2.95公里工地", "5000平米无视频工地"}
    assert hits["5000平米无视频工地"].message == "占地 5,000 m²，未安装视频监控（5,000 m² 以上须安装）"
    assert hits["5000平米无视频工地"].value == 5000 and hits["5000平米无视频工地"].cell_code == CELL["B"]
    # no area recorded: the footprint's, 500 x 200 m; nothing recorded about monitoring
    assert hits["边缘2.95公里工地"].value == pytest.approx(100_000, rel=1e-3)
    assert hits["边缘2.95公里工地"].message.endswith("未安装在线监测和视频监控（5,000 m² 以上须安装）；在线监测、视频监控未登记")


def test_open_pit_mines_in_or_touching_the_built_up_area(district):
    hits = check_rules(district, now=NOW, rules=["mine_in_built_up"]).hits
    assert [(h.name, h.value, h.related_uuid) for h in hits] == [("29天前检查的矿", 0.0, uid(102))]
    assert hits[0].message == "紧邻城市建成区「城区」，生产中（建成区周边露天矿山应关闭）"  # touching at a corner
    # the closed mine inside 东城区 is no hit; with a margin of 600 m none more (the next mine is 5 km away)
    from gridwatch.analysis.plan_rules import mines_in_built_up

    project = Project.open(district)
    places = CellLocator(project.read_layer("grid_cell"), {TOWN: "测试镇"})
    wide = mines_in_built_up(project.read_layer("mine"), project.read_layer("key_area"), places, margin_m=600)
    assert [h.name for h in wide] == ["29天前检查的矿"]


def test_fire_points_and_findings_in_the_fireworks_ban_zone_during_the_ban(district):
    """The 2026 ban runs from 2026-02-10 (小年) to 2026-03-03 (元宵), Beijing days."""
    from gridwatch.analysis.plan_rules import fireworks_in_ban_period

    project = Project.open(district)
    places = CellLocator(project.read_layer("grid_cell"), {TOWN: "测试镇"})
    zone = frame([{"uuid": uid(210), "name": "禁放区", "legal_basis": "通告", "in_force_from": dt.date(2018, 1, 1)}],
                 [box(5000, 0, 10000, 5000)])
    when = ["2026-02-09T15:59:00Z", "2026-02-09T16:00:00Z", "2026-03-03T15:59:00Z", "2026-03-03T16:00:00Z",
            "2026-02-17T04:00:00Z", "2026-02-17T04:00:00Z"]
    xs = [6000, 6000, 6000, 6000, 4000, 6000]  # the fifth is outside the zone
    status = ["unverified"] * 5 + ["no_burning"]  # the sixth was checked: no burning
    fires = pd.DataFrame({"uuid": [uid(800 + i) for i in range(6)], "detected_utc": when, "status": status,
                          "cell_code": CELL["B"], "township_code": TOWN})
    xy = np.array([[geo(Point(x, 100)).x, geo(Point(x, 100)).y] for x in xs])
    findings = frame([
        {"uuid": uid(850), "cell_code": CELL["B"], "category": "fireworks", "found_at": "2026-02-17T02:00:00Z",
         "description": "销售烟花"},
        {"uuid": uid(851), "cell_code": CELL["B"], "category": "scattered_coal", "found_at": "2026-02-17T02:00:00Z",
         "description": "散煤"}], [Point(6000, 200), Point(6000, 300)])
    since, until = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2026, 4, 1, tzinfo=dt.timezone.utc)
    hits = fireworks_in_ban_period(fires, xy, findings, zone, places, since=since, until=until)
    # 23:59 on 9 February (Beijing) is before the ban, 00:00 on the 10th in it; 23:59 on 3 March in it,
    # 00:00 on the 4th after it; a coal finding is not about fireworks
    assert sorted(h.uuid for h in hits) == [uid(801), uid(802), uid(850)]
    assert {h.layer for h in hits} == {"fire_point", "finding"}
    assert "禁放期 02-10 至 03-03" in hits[0].message
    # a shorter ban (春节 to 正月初七) set for the district leaves only the finding of 17 February
    short = fireworks_in_ban_period(fires, xy, findings, zone, places, since=since, until=until,
                                    days_before=0, days_after=6)
    assert [h.uuid for h in short] == [uid(850)]
