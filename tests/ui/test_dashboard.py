"""The dashboard on a copy of the sample district: charts equal the core statistics, weights re-rank
the table at once, an edit through the workflow controller updates the charts, and a chart saves as
a PNG of its size.  The Chinese axis labels are checked by a screenshot (see the report)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import numpy as np
import pytest
from PySide6.QtCore import QDate, QSettings
from PySide6.QtGui import QImage

from gridwatch.analysis import stats
from gridwatch.storage.gpkg import blob_to_geometry, connect_readwrite
from gridwatch.storage.workflow import Actor, change_assignment, create_assignments, record_finding
from gridwatch.ui import i18n
from gridwatch.ui.analysis.dashboard import DashboardWidget
from gridwatch.ui.session import WorkflowController

WAIT = 30_000


def _rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


@pytest.fixture
def sample_copy(bare_copy):
    """The sample district without its two months of work (fire points moved to end yesterday)."""
    return bare_copy


@pytest.fixture
def project(sample_copy, qapp):
    """The sample with two finished patrols this week and two findings (one in 获鹿镇, one in 铜冶镇)."""
    i18n.install("zh_CN")
    path = sample_copy
    sup = Actor(*_rows(path, "SELECT uuid, name, role FROM inspector WHERE role = 'supervisor' ORDER BY name")[0])
    for town in ("130110100", "130110101"):
        code, who, blob = _rows(path, "SELECT code, inspector_uuid, geom FROM grid_cell WHERE township_code = ? "
                                      "ORDER BY code LIMIT 1", (town,))[0]
        ins = Actor(*_rows(path, "SELECT uuid, name, role FROM inspector WHERE uuid = ?", (who,))[0])
        task = create_assignments(path, sup, [code], "patrol").created("assignment")[0]
        change_assignment(path, ins, task, "start")
        pt = blob_to_geometry(blob).representative_point()
        record_finding(path, ins, assignment_uuid=task, category="scattered_coal", longitude=pt.x, latitude=pt.y,
                       description="散煤")
    yield path, sup
    i18n.install("en")


@pytest.fixture
def controller(project, tmp_path, qtbot):
    path, sup = project
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("user", sup.name)
    c = WorkflowController(settings)
    c.set_project(path)
    yield c
    qtbot.waitUntil(lambda: not c.busy, timeout=WAIT)


@pytest.fixture
def dashboard(controller, qtbot):
    w = DashboardWidget(controller)
    qtbot.addWidget(w)
    w.resize(1300, 1250)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.data is not None, timeout=WAIT)
    return w


def bar_values(item, key):
    return np.asarray(item.opts[key], dtype=float)


def test_charts_show_the_core_statistics(dashboard, project):
    path, _ = project
    expected = stats.dashboard_stats(path, now=dashboard.data.now, period=dashboard.data.period)  # the last 30 days
    # inspections per week: one bar per week the period (30 days) overlaps, heights = the core's counts;
    # this week has our two patrols
    heights = bar_values(dashboard.week_bars, "height")
    assert len(heights) in (5, 6) and heights.tolist() == expected.per_week["inspections"].tolist()
    assert heights[-1] == 2
    first_week = expected.per_week["week_start"].iloc[0]
    assert first_week <= dashboard.data.period[0] < first_week + dt.timedelta(days=7)
    # findings: one horizontal bar per category in each status layer; 2 found scattered coal
    found = bar_values(dashboard.finding_bars["found"], "width")
    assert len(found) == 10 and found.tolist() == expected.by_category_status["found"].tolist()  # 10 categories
    assert found[0] == 2 and found.sum() == 2
    axis = dashboard.finding_plot.getAxis("left")
    assert [label for _, label in axis._tickLevels[0]][:2] == ["散煤", "秸秆/露天焚烧"]
    # townships: 13 bars, overdue = core numbers, names on the axis
    assert len(bar_values(dashboard.closure_bars, "width")) == 13
    assert bar_values(dashboard.overdue_findings_bars, "width").tolist() == \
        expected.townships["findings_overdue"].tolist()
    towns = [label for _, label in dashboard.closure_plot.getAxis("left")._tickLevels[0]]
    assert towns[0] == "获鹿镇" and len(towns) == 13
    # fire follow-up: stacked weekly bars summing to the core's weekly counts
    total = sum(bar_values(b, "height") for b in dashboard.fire_bars.values())
    assert total.tolist() == expected.fires.weekly_outcomes.sum(axis=1).tolist()
    # ranking table = the core's assessment ranking with the shown weights (issue 17: fire points by
    # kind, shared ranks, veto items last, the change against the previous period)
    core = expected.ranking(dashboard.weights())
    assert {"fires_straw", "fires_industrial_heat", "deduction_yuan", "veto", "rank_change"} <= set(core.columns)
    assert dashboard.ranking_names() == core["name"].tolist()
    assert dashboard.ranking_table.item(0, 2).text() == f"{core['score'].iloc[0]:.1f}"
    header = [dashboard.ranking_table.horizontalHeaderItem(c).text()
              for c in range(dashboard.ranking_table.columnCount())]
    assert header[:5] == ["排名", "乡镇", "得分", "名次变化", "秸秆焚烧"] and "工业热源" in header


def test_changing_a_weight_reorders_the_ranking_at_once(dashboard, qtbot):
    last_month = QDate.currentDate().addMonths(-1)
    with qtbot.waitSignal(dashboard.refreshed, timeout=WAIT):  # the sample's fire season (moved to end yesterday)
        dashboard.month_edit.setDate(QDate(last_month.year(), last_month.month(), 1))
    assert dashboard.period_control.period().kind == "custom" and dashboard.month() == \
        f"{last_month.year():04d}-{last_month.month():02d}"
    for key in stats.DEFAULT_WEIGHTS:
        dashboard.weight_spins[key].setValue(0.0)
    assert dashboard.weight_error.isVisibleTo(dashboard)  # all zero: refused, last ranking kept
    dashboard.weight_spins["coverage"].setValue(1.0)
    assert not dashboard.weight_error.isVisibleTo(dashboard)
    by_coverage = dashboard.ranking_names()
    # nothing was inspected last month (only this week's two patrols): a 13-way tie at rank 1, by code
    assert by_coverage[:3] == ["获鹿镇", "铜冶镇", "寺家庄镇"]
    assert {dashboard.ranking_table.item(r, 0).text() for r in range(13)} == {"1（并列）"}  # shared, and said so
    dashboard.weight_spins["coverage"].setValue(0.0)
    dashboard.weight_spins["fires"].setValue(1.0)
    # the assessment's fire indicator counts confirmed burning only (every detection here is unverified:
    # all tie), so confirm some of last month's: two straw fires in one township, five other-burning
    # fires (each 10/50 of a straw fire: one straw-equivalent) in another, and reload
    start = dt.datetime(last_month.year(), last_month.month(), 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    end = (start + dt.timedelta(days=32)).replace(day=1)
    utc = [t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") for t in (start, end)]
    path = dashboard.path
    busiest = _rows(path, "SELECT township_code, COUNT(*) FROM fire_point WHERE detected_utc >= ? AND detected_utc < ? "
                          "GROUP BY 1 HAVING COUNT(*) >= 5 ORDER BY 2 DESC, 1 LIMIT 2", utc)
    (straw_town, _), (other_town, _) = busiest
    with closing(connect_readwrite(path)) as con:  # autocommit, with the functions GDAL's triggers call
        for town, status, n in ((straw_town, "burning_confirmed", 2), (other_town, "burning_other", 5)):
            con.execute("UPDATE fire_point SET status = ? WHERE uuid IN (SELECT uuid FROM fire_point WHERE "
                        "township_code = ? AND detected_utc >= ? AND detected_utc < ? ORDER BY detected_utc LIMIT ?)",
                        (status, town, *utc, n))
    with qtbot.waitSignal(dashboard.refreshed, timeout=WAIT):
        dashboard.refresh()
    by_fires = dashboard.ranking_names()
    cells = dict(_rows(path, "SELECT township_code, COUNT(*) FROM grid_cell GROUP BY 1"))
    # straw-equivalents per cell: 2 / cells(straw town) and 1 / cells(other town); the worse scores 0,
    # the other 100 x (1 - its / worst); the eleven others 100, sharing rank 1
    per_cell = {straw_town: round(2 / cells[straw_town], 4), other_town: round(1 / cells[other_town], 4)}  # as kept
    worse, better = sorted(per_cell, key=lambda c: -per_cell[c])
    ranked = dashboard.ranking_frame.set_index("township_code")
    assert ranked.loc[worse, ["rank", "score"]].tolist() == [13, 0.0]
    assert ranked.loc[better, ["rank", "score"]].tolist() == [12, round(100 * (1 - per_cell[better] / per_cell[worse]),
                                                                        1)]
    assert ranked.loc[straw_town, "deduction_yuan"] == 1_000_000 and ranked.loc[other_town, "deduction_yuan"] == 500_000
    assert (ranked["rank"] == 1).sum() == 11 and ranked.loc[ranked["rank"] == 1, "tied"].all()
    assert dashboard.ranking_table.item(12, 8).text() in ("100", "50")  # the deduction in 10,000 yuan
    assert by_fires != by_coverage
    # the weights are remembered
    again = DashboardWidget(None, dashboard.settings)
    assert again.weights()["fires"] == 1.0 and again.weights()["coverage"] == 0.0
    again.deleteLater()


def test_an_edit_through_the_controller_updates_the_charts(dashboard, controller, qtbot):
    path = controller.path
    code, blob = _rows(path, "SELECT code, geom FROM grid_cell WHERE township_code = '130110102' ORDER BY code "
                             "LIMIT 1")[0]
    pt = blob_to_geometry(blob).representative_point()
    before = bar_values(dashboard.finding_bars["found"], "width").copy()
    with qtbot.waitSignal(dashboard.refreshed, timeout=WAIT):
        controller.run(record_finding, category="fireworks", longitude=pt.x, latitude=pt.y, cell_code=code,
                       description="烟花")
    after = bar_values(dashboard.finding_bars["found"], "width")
    assert after[3] == before[3] + 1  # fireworks is the fourth category
    assert "3" in dashboard.charts["findings"].note.text()
    # undo: the chart goes back
    with qtbot.waitSignal(dashboard.refreshed, timeout=WAIT):
        controller.undo_stack.undo()
    assert bar_values(dashboard.finding_bars["found"], "width").tolist() == before.tolist()


def test_saving_a_chart_writes_a_png_of_its_size(dashboard, tmp_path):
    out = tmp_path / "weeks.png"
    out.write_bytes(b"old")
    dashboard.save_chart_image("weeks", out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = QImage(str(out))
    size = dashboard.charts["weeks"].graphics.ci.boundingRect().size().toSize()
    band = img.height() - size.height()  # the caption above the chart: its title and period
    assert not img.isNull() and abs(img.width() - size.width()) <= 1 and 30 <= band <= 80
    now = dashboard.now or dt.datetime.now(dt.timezone.utc)
    assert img.text("Title") == "每周检查次数"
    assert img.text("Period") == "时段：" + dashboard.period_control.period().label(now, "zh_CN")
    caption = {img.pixelColor(x, y).name() for x in range(0, img.width() // 2, 2) for y in range(0, band, 2)}
    assert "#ffffff" in caption and len(caption) > 3  # text printed on the white band
    # the picture is not blank: blue bars are in it
    colors = {img.pixelColor(x, y).name() for x in range(0, img.width(), 7) for y in range(band, img.height(), 7)}
    assert "#1e88e5" in colors
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".weeks")) == []  # no temp left


def test_a_month_without_data_and_another_project(dashboard, qtbot, sample_path):
    with qtbot.waitSignal(dashboard.refreshed, timeout=WAIT):
        dashboard.month_edit.setDate(dashboard.month_edit.date().addMonths(-1 * 12 * 5))
    assert dashboard.data.by_category_status.to_numpy().sum() == 0
    assert bar_values(dashboard.finding_bars["found"], "width").sum() == 0
    with qtbot.waitSignal(dashboard.refreshed, timeout=WAIT):
        dashboard.set_project(sample_path)
    assert dashboard.path == sample_path
