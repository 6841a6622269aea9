"""The one period control on a hand-made project with known counts per period: the map's fire points and
findings, the day slider, the task and finding panels, and every export printing its period (issue 15)."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
from PySide6.QtCore import QSettings
from shapely.geometry import Point, box

from gridwatch.app.exports import run_export
from gridwatch.app.periods import Period
from gridwatch.storage import write_project
from gridwatch.ui import i18n

BJ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 6, 10, 0, tzinfo=BJ)
WAIT = 30_000
#: Fire points detected this long before NOW (hours), and how many each period holds.
FIRE_HOURS = [1, 30, 50, 24 * 10, 24 * 40, 24 * 100]
EXPECTED_FIRES = {"24h": 1, "7d": 3, "30d": 4, "month": 3, "all": 6}


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def ago(hours: float) -> pd.Timestamp:
    return pd.Timestamp(NOW - dt.timedelta(hours=hours)).tz_convert("UTC")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """One township, one village, two cells; fire points, findings and tasks at known times before NOW
    (shared by this module; the fire-check test adds checks to it: later tests that count tasks make
    their own with :func:`make_project`)."""
    return make_project(tmp_path_factory.mktemp("period") / "district.gpkg")


def make_project(path: Path) -> Path:
    """The hand-made project of :func:`project` at ``path``."""
    town = gpd.GeoDataFrame({"uuid": [uid(1)], "code": ["130110100"], "name": ["一镇"], "county_code": ["130110"]},
                            geometry=[box(114.0, 38.0, 114.02, 38.01)], crs=4490)
    village = gpd.GeoDataFrame({"uuid": [uid(2)], "code": ["130110100201"], "name": ["一村"],
                                "township_code": ["130110100"], "kind": ["village"]},
                               geometry=[box(114.0, 38.0, 114.02, 38.01)], crs=4490)
    codes = ["130110100201001", "130110100201002"]
    cells = gpd.GeoDataFrame({"uuid": [uid(3), uid(4)], "code": codes, "name": ["甲格", "乙格"],
                              "village_code": ["130110100201"] * 2, "township_code": ["130110100"] * 2,
                              "level": ["grid"] * 2, "inspector_uuid": [uid(20)] * 2},
                             geometry=[box(114.0, 38.0, 114.01, 38.01), box(114.01, 38.0, 114.02, 38.01)], crs=4490)
    people = pd.DataFrame({"uuid": [uid(20), uid(21), uid(22)], "name": ["李网格", "赵网格长", "文督查"],
                           "role": ["inspector", "chief", "supervisor"], "active": [True] * 3,
                           "township_code": ["130110100", "130110100", None],
                           "village_code": ["130110100201", None, None]})
    n = len(FIRE_HOURS)
    fires = gpd.GeoDataFrame({
        "uuid": [uid(30 + i) for i in range(n)],
        "detected_utc": pd.Series([ago(h) for h in FIRE_HOURS]).astype("datetime64[ms, UTC]"),
        "detected_local": [ago(h).tz_convert(BJ).strftime("%Y-%m-%dT%H:%M:%S+08:00") for h in FIRE_HOURS],
        "source": ["VIIRS"] * n, "confidence": [80] * n, "status": ["unverified"] * n, "cell_code": [codes[0]] * n,
        "township_code": ["130110100"] * n, "village_code": ["130110100201"] * n,
    }, geometry=[Point(114.001 + 0.001 * i, 38.005) for i in range(n)], crs=4490)
    found = [ago(24 * 40), ago(24 * 20), ago(24 * 3)]
    findings = gpd.GeoDataFrame({
        "uuid": [uid(40), uid(41), uid(42)], "cell_code": codes[:1] * 3,
        "category": ["scattered_coal", "other", "open_burning"], "severity": [2, 1, 2],
        "description": ["四十天前发现，仍未整改", "二十天前发现，十五天前销号", "三天前发现"],
        "status": ["assigned", "closed", "found"], "rectify_deadline": [dt.date(2026, 11, 1), None, None],
        "found_by": [uid(20)] * 3, "found_at": pd.Series(found).astype("datetime64[ms, UTC]"),
        "closed_at": pd.Series([pd.NaT, ago(24 * 15), pd.NaT]).astype("datetime64[ms, UTC]"), "reject_count": [0] * 3,
    }, geometry=[Point(114.005, 38.005)] * 3, crs=4490)
    created = [ago(24 * 40), ago(24 * 20), ago(24 * 2)]
    tasks = pd.DataFrame({
        "uuid": [uid(50), uid(51), uid(52)], "kind": ["patrol"] * 3, "cell_code": codes[:1] * 3,
        "assignee_uuid": [uid(20)] * 3, "status": ["assigned", "done", "assigned"], "priority": [2] * 3,
        "created_by": [uid(22)] * 3, "created_at": pd.Series(created).astype("datetime64[ms, UTC]"),
        "due_at": pd.Series([ago(24 * 38), ago(24 * 18), ago(-24)]).astype("datetime64[ms, UTC]"),
        "finished_at": pd.Series([pd.NaT, ago(24 * 19), pd.NaT]).astype("datetime64[ms, UTC]"),
    })
    visits = pd.DataFrame({  # the done task's patrol, 19 days ago
        "uuid": [uid(60)], "assignment_uuid": [uid(51)], "cell_code": codes[:1], "kind": ["patrol"],
        "inspector_uuid": [uid(20)], "started_at": pd.Series([ago(24 * 19 + 1)]).astype("datetime64[ms, UTC]"),
        "finished_at": pd.Series([ago(24 * 19)]).astype("datetime64[ms, UTC]"),
    })
    write_project(path, district_name="测试区", county_code="130110",
                  layers={"township": town, "village": village, "grid_cell": cells, "fire_point": fires},
                  tables={"inspector": people, "finding": findings, "assignment": tasks, "inspection": visits})
    return path


def test_periods_and_their_labels():
    assert Period("7d").window(NOW) == (NOW - dt.timedelta(days=7), NOW)
    assert Period("month").window(NOW)[0] == dt.datetime(2026, 12, 1, tzinfo=BJ)
    assert Period("all").window(NOW) == (None, None)
    custom = Period.parse("2026-11-01..2026-11-30")
    assert custom.window(NOW) == (dt.datetime(2026, 11, 1, tzinfo=BJ), dt.datetime(2026, 12, 1, tzinfo=BJ))
    assert Period("7d").label(NOW) == "近7天（2026-11-29 10:00 至 2026-12-06 10:00）"
    assert Period("24h").label(NOW, "en") == "Last 24 hours (2026-12-05 10:00 – 2026-12-06 10:00)"
    assert custom.label(NOW) == "2026-11-01 至 2026-11-30" and Period("all").label(NOW) == "全部"
    assert len(custom.days(NOW)) == 30 and Period.parse("2026-11-05").days(NOW) == [dt.date(2026, 11, 5)]
    with pytest.raises(Exception, match="give 24h, 7d, 30d, month, all"):
        Period.parse("last week")


@pytest.fixture
def window(project, qtbot, tmp_path):
    from gridwatch.ui.app import create_app
    from gridwatch.ui.window.main_window import MainWindow

    create_app()
    i18n.install("en")
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("user", "文督查")
    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.time_bar.set_now(NOW.astimezone(dt.timezone.utc))
    w.open_project(project)
    qtbot.waitUntil(lambda: w.data is not None and w.workflow.path == project, timeout=WAIT)
    yield w
    w.close()


def shown_fires(w) -> list[str]:
    layer = w.data.layers["fire_point"]
    mask = layer.visible if layer.visible is not None else np.ones(layer.count, dtype=bool)
    return layer.frame["uuid"].astype(object).to_numpy()[mask].tolist()


def test_the_map_and_panels_follow_the_period(window, qtbot):
    w = window
    assert w.period().kind == "7d"  # fire points default to the last 7 days
    assert len(shown_fires(w)) == EXPECTED_FIRES["7d"]
    for kind, n in EXPECTED_FIRES.items():
        w.time_bar.control.set_period(Period(kind))
        assert len(shown_fires(w)) == n, kind
    # findings on the map: those open at some time in the period (the old open one stays)
    w.time_bar.control.set_period(Period("7d"))
    assert len(w.canvas.overlay) == 2  # 40 days old but still assigned, and the new one; not the closed one
    w.time_bar.control.set_period(Period("30d"))
    assert len(w.canvas.overlay) == 3  # closed 15 days ago: it was open in the last 30 days
    w.time_bar.control.set_period(Period("7d"))
    # the panels: tasks and findings alive in the period
    w.task_panel.set_filter("all")
    w.task_panel.set_grouping("")  # a flat list: one row per task
    qtbot.waitUntil(lambda: w.task_panel.table.rowCount() == 2, timeout=WAIT)  # not the one done 19 days ago
    assert w.task_panel.count_label.text().endswith("Last 7 days")
    qtbot.waitUntil(lambda: w.finding_panel.table.rowCount() == 2, timeout=WAIT)
    w.time_bar.control.set_period(Period("all"))
    qtbot.waitUntil(lambda: w.task_panel.table.rowCount() == 3 and w.finding_panel.table.rowCount() == 3,
                    timeout=WAIT)
    assert w.settings.value("period") == "all"  # remembered for the next start and the export dialog
    # the identified cell's records: its tasks, inspections and findings alive in the period
    cell = int(np.flatnonzero(w.data.layers["grid_cell"].frame["code"].astype(str) == "130110100201001")[0])
    w.show_identify("grid_cell", cell)

    def records() -> list[str]:
        tree = w.identify_panel.records
        return [tree.topLevelItem(k).text(0) for k in range(tree.topLevelItemCount())]

    assert records() == ["Tasks (3)", "Inspections (1)", "Findings (3)"]
    w.time_bar.control.set_period(Period("7d"))
    assert records() == ["Tasks (2)", "Inspections (0)", "Findings (2)"]  # the patrol was 19 days ago
    w.time_bar.control.set_period(Period("30d"))
    assert records() == ["Tasks (3)", "Inspections (1)", "Findings (3)"]
    w.time_bar.control.set_period(Period("7d"))


def test_the_day_slider_steps_through_the_days_of_the_period(window, qtbot):
    w = window
    bar = w.time_bar
    assert bar.day() is None and bar.slider.maximum() == 8  # the window of 7 days touches 8 Beijing days
    three_days_ago = (NOW - dt.timedelta(hours=50)).date()
    bar.set_day(three_days_ago)
    assert bar.day() == three_days_ago and "2026-12-04" in bar.day_label.text()
    assert len(shown_fires(w)) == 1
    bar.set_day((NOW - dt.timedelta(days=3)).date())  # the day the new finding was recorded
    assert len(w.canvas.overlay) == 1
    # play walks to the last day and stops there
    bar.set_day(None)
    bar.play.setChecked(True)
    qtbot.waitUntil(lambda: not bar.play.isChecked(), timeout=20 * bar._timer.interval())
    assert bar.day() == NOW.date()


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_every_export_prints_its_period(project, tmp_path):
    now = NOW.astimezone(dt.timezone.utc)
    label = Period("7d").label(now)
    html = run_export("html", project, tmp_path / "map.html", {"period": Period("7d")}, now=now)
    text = html.read_text(encoding="utf-8")
    assert "<small>时段：" + label + "</small>" in text  # the period under the title
    assert "火点（近7天）" in text and text.count("火点 2026-") == EXPECTED_FIRES["7d"]  # the period's fire points
    pdf = run_export("map", project, tmp_path / "map.pdf", {"period": "30d"}, now=now)
    assert "时段：近30天" in _pdf_text(pdf).replace(" ", "")
    atlas = run_export("map", project, tmp_path / "atlas.pdf", {"period": "30d", "atlas": True}, now=now)
    pages = [p for p in _pdf_text(atlas).replace(" ", "").split("\f") if p.strip()]
    assert len(pages) == 2 and all("时段：近30天" in p for p in pages)  # the overview and the township's page
    ledger = run_export("ledger", project, tmp_path / "ledger.xlsx", {"period": Period("7d")}, now=now)
    book = openpyxl.load_workbook(ledger)
    notes = {r[0].value: r[1].value for r in book["说明"].iter_rows(min_row=2)}
    assert notes["时段"] == label and notes["问题数"] == "2"
    assert book["整改台账"].max_row == 1 + 2
    ranking = run_export("ranking", project, tmp_path / "rank.xlsx", {"period": Period("30d")}, now=now)
    notes = {r[0].value: r[1].value for r in openpyxl.load_workbook(ranking)["说明"].iter_rows(min_row=2)}
    assert notes["统计时段(北京时间)"] == Period("30d").label(now)


def test_the_fire_points_of_the_selected_check_are_highlighted(window, qtbot):
    from gridwatch.storage.workflow import create_fire_checks

    w = window
    with qtbot.waitSignal(w.workflow.changed, timeout=WAIT):
        w.workflow.run(create_fire_checks, since=NOW - dt.timedelta(hours=60), now=NOW - dt.timedelta(minutes=5))
    w.task_panel.set_filter("open")
    checks = [r for r in w.task_panel.frame.to_dict("records") if r["kind"] == "fire_check"]
    assert len(checks) == 3  # one per Beijing day with a detection in the last 60 hours
    assert not len(w.canvas.highlighted_indices("fire_point"))
    first = sorted(checks, key=lambda r: r["created_at"])[0]
    assert w.task_panel.select_task(first["uuid"])
    qtbot.waitUntil(lambda: len(w.canvas.highlighted_indices("fire_point")), timeout=WAIT)
    frame = w.data.layers["fire_point"].frame
    marked = set(frame["uuid"].astype(object).to_numpy()[w.canvas.highlighted_indices("fire_point")])
    from gridwatch.storage import queries

    assert marked == set(queries.check_fire_points(w.project_path, first["uuid"])) and len(marked) == 1
    w.task_panel.table.clearSelection()
    qtbot.waitUntil(lambda: not len(w.canvas.highlighted_indices("fire_point")), timeout=WAIT)


def test_the_coverage_panel_follows_the_period(window, qtbot):
    w = window
    panel = w.coverage_panel
    assert panel.period_days() == 7 and panel.period_end is None  # the window's last 7 days
    for kind, days in (("30d", 30), ("24h", 1), ("month", 6)):  # this month: 1 to 6 December
        w.time_bar.control.set_period(Period(kind))
        assert panel.period_days() == days, kind
    w.time_bar.control.set_period(Period("all"))
    assert panel.period_days() == 6  # "all" keeps the panel's own choice
    # a past range: its days, coverage as of its last day
    panel.show()
    panel.raise_()
    w.time_bar.control.set_period(Period.parse("2026-11-01..2026-11-10"))
    assert panel.period_days() == 10 and panel.period_end == dt.datetime(2026, 11, 11, tzinfo=BJ)
    qtbot.waitUntil(lambda: panel.summary.text().startswith("Up to 2026-11-10 · Last 10 days: 0 of 2 cells"),
                    timeout=WAIT)
    w.time_bar.control.set_period(Period("7d"))
    assert panel.period_end is None
    qtbot.waitUntil(lambda: panel.summary.text().startswith("Last 7 days: 0 of 2 cells"), timeout=WAIT)


def test_the_cli_lists_tasks_and_findings_of_a_period(tmp_path, capsys):
    from gridwatch.cli import main

    project = make_project(tmp_path / "district.gpkg")  # untouched by the tests that add checks
    week = "2026-11-29..2026-12-06"  # a custom range: the same days whatever the clock says
    for command, n_week, n_all in (("tasks", 2, 3), ("findings", 2, 3)):
        assert main([command, str(project), "--period", week]) == 0
        assert capsys.readouterr().out.splitlines()[-1] == f"{n_week} {command}; period 2026-11-29 至 2026-12-06"
        assert main([command, str(project)]) == 0
        assert capsys.readouterr().out.splitlines()[-1] == f"{n_all} {command}"
    assert main(["findings", str(project), "--period", "2026-11-01..2026-12-06", "--json"]) == 0
    assert capsys.readouterr().out.count('"uuid"') == 3  # the one closed 15 days ago was open then
