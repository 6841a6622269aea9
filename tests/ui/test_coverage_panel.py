"""The coverage panel on a copy of the sample district: its tables equal the core's coverage, the
patrol rule changes the overdue count and is remembered, a township row chooses its cells, and the
map switch colours the real main window's grid cells by days since the last visit (legend with counts)."""

from __future__ import annotations

import datetime as dt
import os
import time

import numpy as np
import pytest
import shapely
from PySide6.QtCore import QSettings, Qt

from gridwatch.analysis.coverage import COVERAGE_CLASSES, cell_classes, coverage_from_project
from gridwatch.errors import Cancelled
from gridwatch.processes import running
from gridwatch.storage import Project
from gridwatch.storage.workflow import Actor, change_assignment, create_assignments
from gridwatch.ui import i18n
from gridwatch.ui.analysis.coverage_panel import CoveragePanel
from gridwatch.ui.jobs import stop_jobs
from gridwatch.ui.session import WorkflowController

from .test_main_window import wait_render, window  # noqa: F401 - the real main window fixture

WAIT = 30_000
NOW = dt.datetime(2025, 11, 20, 4, 0, tzinfo=dt.timezone.utc)
BACKGROUND = np.array([250, 250, 246])


def _supervisor(path) -> Actor:
    people = Project.open(path).read_table("inspector")
    row = people[people["role"] == "supervisor"].sort_values("name").iloc[0]
    return Actor(row["uuid"], row["name"], "supervisor")


def _inspect(path, actor: Actor, code: str, when: dt.datetime) -> None:
    """A patrol of cell ``code`` started at ``when`` (as the supervisor records it)."""
    task = create_assignments(path, actor, [code], "patrol", now=when - dt.timedelta(hours=1)).created("assignment")[0]
    change_assignment(path, actor, task, "start", now=when)


@pytest.fixture
def project(sample_copy, qapp):
    """The sample with five patrols at known ages (days before NOW):

    coal-ban cell K1 2 d, coal-ban cell K2 10 d (overdue under the 7-day rule), mine/grade-C cell M 5 d
    (overdue under 3.5 d), other cell O1 exactly 7 d, other cell O2 20 d (overdue under 14 d).
    """
    i18n.install("en")
    path = sample_copy
    p = Project.open(path)
    cells = p.read_layer("grid_cell")
    cls = cell_classes(cells, p.read_layer("coal_ban_zone"), p.read_layer("mine"), p.read_layer("construction_site"))
    by = {k: cells.loc[cls == k, "code"].tolist() for k in ("coal_ban_zone", "mine_or_grade_c_site", "other")}
    chosen = {"K1": (by["coal_ban_zone"][0], 2), "K2": (by["coal_ban_zone"][1], 10),
              "M": (by["mine_or_grade_c_site"][0], 5), "O1": (by["other"][0], 7), "O2": (by["other"][1], 20)}
    sup = _supervisor(path)
    for code, days in chosen.values():
        _inspect(path, sup, code, NOW - dt.timedelta(days=days))
    yield path, sup, {k: v[0] for k, v in chosen.items()}, cells


@pytest.fixture
def settings(tmp_path):
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    s.setValue("coverage/follow_calendar", False)  # these tests edit the panel's own rule
    return s


@pytest.fixture
def panel(project, settings, qtbot):
    path, sup, _, _ = project
    settings.setValue("user", sup.name)
    controller = WorkflowController(settings)
    controller.set_project(path)
    w = CoveragePanel(controller, settings, now=NOW)
    qtbot.addWidget(w)
    w.resize(700, 800)
    w.show()
    qtbot.waitUntil(lambda: w.coverage is not None and not w.loading, timeout=WAIT)
    yield w
    qtbot.waitUntil(lambda: not controller.busy, timeout=WAIT)


def refreshed(qtbot, w):
    qtbot.waitUntil(lambda: not w.loading and not w._debounce.isActive(), timeout=WAIT)


def test_tables_show_the_core_coverage(panel, project, qtbot):
    path, _, chosen, cells = project
    core = coverage_from_project(path, now=NOW, periods=(7, 30), rules=panel.rules())  # the panel's own rule
    assert panel.period_days() == 7
    towns = core.townships.set_index("name")
    rows = panel.table_rows("townships")
    assert len(rows) == 13 and sum(r[1] for r in rows) == 2400
    for name, n, covered, pct, never, overdue, open_findings in rows:
        t = towns.loc[name]
        assert (n, covered, never, overdue, open_findings) == (
            t["cells"], t["covered_7d"], t["never_inspected"], t["overdue"], t["open_findings"])
        assert pct == pytest.approx(t["coverage_7d"])
    # by hand: 3 cells inspected in the last 7 days (K1, M, and O1 at exactly 7 days; not K2, O2);
    # overdue = 2395 never inspected + K2 (10 > 7) + M (5 > 3.5) + O2 (20 > 14); O1 (7 <= 14) is not
    assert sum(r[2] for r in rows) == 3
    assert sum(r[4] for r in rows) == 2395 and sum(r[5] for r in rows) == 2398
    assert "3 of 2400 cells inspected" in panel.summary.text()
    people = core.inspectors.set_index("inspector_uuid")
    for row in panel.table_rows("inspectors"):
        match = people[people["name"] == row[0]]
        assert len(match) == 1 and row[1:3] == [match["cells"].iloc[0], match["covered_7d"].iloc[0]]
    # 30 days: all five patrols count
    panel.period_box.setCurrentIndex(1)
    assert sum(r[2] for r in panel.table_rows("townships")) == 5
    assert panel.township_table.horizontalHeaderItem(3).text() == "Coverage %"
    # a custom period is computed on the worker: 6 days leaves out O1 (7 d) and K2, O2
    panel.period_box.setCurrentIndex(2)
    panel.custom_days.setValue(6)
    refreshed(qtbot, panel)
    assert 6 in panel.coverage.periods
    assert sum(r[2] for r in panel.table_rows("townships")) == 2


def test_the_coal_ban_interval_changes_overdue_and_is_remembered(panel, project, settings, qtbot):
    _, _, chosen, cells = project
    town_k2 = cells.loc[cells["code"] == chosen["K2"], "township_code"].iloc[0]

    def overdue_of(code):
        row = panel.township_table
        for r in range(row.rowCount()):
            if row.item(r, 0).toolTip() == code:
                return row.item(r, 5).data(Qt.ItemDataRole.DisplayRole)
        raise AssertionError(code)

    before_total = int(panel.coverage.cells["overdue"].sum())
    before_town = overdue_of(town_k2)
    assert before_total == 2398
    panel.interval_spins["coal_ban_zone"].setValue(30.0)  # K2, 10 days ago, is no longer overdue
    refreshed(qtbot, panel)
    assert dict(panel.coverage.rules)["coal_ban_zone"] == 30.0
    assert int(panel.coverage.cells["overdue"].sum()) == before_total - 1
    assert overdue_of(town_k2) == before_town - 1
    panel.interval_spins["mine_or_grade_c_site"].setValue(6.0)  # M, 5 days ago, neither
    refreshed(qtbot, panel)
    assert int(panel.coverage.cells["overdue"].sum()) == before_total - 2
    # remembered: a new panel on the same settings starts with the edited rule
    again = CoveragePanel(None, settings, now=NOW)
    qtbot.addWidget(again)
    assert again.intervals() == {"coal_ban_zone": 30.0, "mine_or_grade_c_site": 6.0, "other": 14.0}
    again.reset_intervals()
    assert again.intervals()["coal_ban_zone"] == 7.0


def test_tables_sort_by_number_and_a_row_chooses_its_cells(panel, project, qtbot):
    table = panel.township_table
    table.sortItems(1, Qt.SortOrder.DescendingOrder)  # cells
    counts = [r[1] for r in panel.table_rows("townships")]
    assert counts == sorted(counts, reverse=True) and counts[0] > 300  # by number, not text
    first = table.item(0, 0)
    with qtbot.waitSignal(panel.cellsChosen, timeout=WAIT) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(first).center())
    assert blocker.args == ["township_code", first.toolTip()]
    # the supervisor may assign the township's overdue cells: they all are (never inspected)
    assert panel.assign_button.isEnabled()
    with qtbot.waitSignal(panel.assignRequested, timeout=WAIT) as blocker:
        panel.assign_button.click()
    codes, text = blocker.args
    assert len(codes) == counts[0] and first.text() in text


# --- the map in the real main window ------------------------------------------------------------


def canvas_rgb(w) -> np.ndarray:
    img = w.canvas._image.convertToFormat(w.canvas._image.Format.Format_RGB32)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine() // 4, 4)
    return arr[:, : img.width(), 2::-1].astype(int)  # B, G, R -> R, G, B


def blended(rgba, opacity: float) -> np.ndarray:
    return np.array(rgba[:3]) * opacity + BACKGROUND * (1 - opacity)


def share_of(w, cell_geom, color, tol: float = 8.0) -> float:
    """Share of sample pixels inside the cell (away from its label) that have ``color``."""
    vp = w.canvas.viewport
    minx, miny, maxx, maxy = cell_geom.bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, 40), np.linspace(miny, maxy, 40))
    inside = shapely.contains_xy(cell_geom.buffer(-(maxx - minx) * 0.05), xs, ys)
    px, py = vp.to_screen(xs[inside], ys[inside])
    lx, ly = vp.to_screen(*cell_geom.representative_point().coords[0])
    keep = np.hypot(px - lx, py - ly) > 40  # the cell's name is drawn at its label point
    rgb = canvas_rgb(w)
    px, py = px[keep].astype(int), py[keep].astype(int)
    ok = (px >= 0) & (px < rgb.shape[1]) & (py >= 0) & (py < rgb.shape[0])
    values = rgb[py[ok], px[ok]]
    assert len(values) > 200
    return float((np.abs(values - color).max(axis=1) <= tol).mean())


def test_the_map_switch_colours_cells_by_days_since_the_last_visit(window, qtbot):
    window.act_coverage.trigger()  # Analysis > Patrol coverage: the window's own panel, bound to its map
    panel = window.coverage_panel
    chosen = []
    panel.cellsChosen.connect(lambda column, value: chosen.append((column, value)))
    panel.set_project(window.project_path)
    qtbot.waitUntil(lambda: panel.coverage is not None and not panel.loading, timeout=WAIT)
    for name in ("fire_point", "construction_site", "mine", "coal_ban_zone", "fireworks_ban_zone", "key_area"):
        if name in window.layers_panel.items:
            window.layers_panel.set_visible(name, False)
    cells = window.data.layers["grid_cell"]
    from gridwatch.analysis.coverage import coverage_class_counts

    cov = panel.coverage
    never_codes = set(cov.cells.loc[cov.cells["never_inspected"].astype(bool), "code"])
    index = int(np.flatnonzero(cells.frame["code"].isin(never_codes).to_numpy())[0])  # a cell nobody visited yet
    counts = coverage_class_counts(cov)
    overdue = int((cov.cells["overdue"].astype(bool) & ~cov.cells["never_inspected"].astype(bool)).sum())
    geom = cells.geoms[index]
    window.canvas.zoom_to(cells.features_bounds(np.array([index])))
    wait_render(qtbot, window)
    never = next(c for c in COVERAGE_CLASSES if c.key == "never")
    never_color = blended(never.rgba, 0.72)
    plain = canvas_rgb(window)
    assert share_of(window, geom, never_color) < 0.02
    assert share_of(window, geom, BACKGROUND, tol=3) > 0.9  # plain cells: no fill
    assert window.layers_panel.legend_texts("grid_cell") == []

    panel.map_mode.click()
    assert panel.theme is not None and window.canvas.themes["grid_cell"] is panel.theme
    wait_render(qtbot, window)
    # never inspected: a hatched dark magenta
    assert share_of(window, geom, never_color) > 0.5
    assert share_of(window, geom, blended(never.hatch_rgba, 0.72)) > 0.05  # the hatch
    assert np.abs(canvas_rgb(window) - plain).max(axis=2).astype(bool).mean() > 0.5  # the map changed
    legend = window.layers_panel.legend_texts("grid_cell")
    titles = ["Within 7 days", "8–14 days", "15–30 days", "Over 30 days", "Never inspected"]
    assert legend == [f"{t}  ({n:,})" for t, n in zip(titles, counts)] + [f"Visited, now overdue  ({overdue:,})"]
    assert counts["never"] > 0 and counts["within_7"] > 0  # the sample's month: recent patrols, and gaps

    # a patrol recorded now through the workflow: the cell turns green after the debounced recompute
    sup = _supervisor(window.project_path)
    window.settings.setValue("user", sup.name)
    window.workflow.set_user(sup.name)
    code = str(cells.frame["code"].iloc[index])
    task = create_assignments(window.project_path, sup, [code], "patrol").created("assignment")[0]
    with qtbot.waitSignal(panel.refreshed, timeout=WAIT):
        window.workflow.run(change_assignment, task, "start")
    wait_render(qtbot, window)
    green = blended(COVERAGE_CLASSES[0].rgba, 0.72)
    assert share_of(window, geom, green) > 0.9
    assert window.layers_panel.legend_texts("grid_cell")[0] == f"Within 7 days  ({counts['within_7'] + 1:,})"
    assert window.layers_panel.legend_texts("grid_cell")[4] == f"Never inspected  ({counts['never'] - 1:,})"

    # clicking the township row asks for its cells
    town = str(cells.frame["township_code"].iloc[index])
    table = panel.township_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).toolTip() == town)
    panel.show()
    table.scrollToItem(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(row, 0)).center())
    assert chosen[-1] == ("township_code", town)
    # ... and the window selects them and zooms to them
    assert len(window.selected) and set(cells.frame["township_code"].iloc[window.selected]) == {town}
    window.set_selection(np.empty(0, dtype=np.int64))
    window.canvas.zoom_to(cells.features_bounds(np.array([index])))

    # switched off: plain cells and no legend again
    panel.map_mode.click()
    wait_render(qtbot, window)
    assert "grid_cell" not in window.canvas.themes
    assert share_of(window, geom, green) < 0.02 and share_of(window, geom, BACKGROUND, tol=3) > 0.9
    assert window.layers_panel.legend_texts("grid_cell") == []
    assert window.settings.value("coverage/map_mode") in (False, "false")


def test_a_hidden_panel_computes_when_shown(project, settings, qtbot):
    path, sup, _, _ = project
    controller = WorkflowController(settings)
    controller.set_project(path)
    w = CoveragePanel(controller, settings, now=NOW)
    qtbot.addWidget(w)
    qtbot.wait(300)
    assert w.coverage is None and not w.loading  # nobody looks: nothing computed
    w.show()
    qtbot.waitUntil(lambda: w.coverage is not None and not w.loading, timeout=WAIT)
    assert int(w.coverage.cells["overdue"].sum()) == 2398


def test_the_panel_follows_the_seasonal_calendar(project, settings, qtbot):
    from gridwatch.domain.plans import settings_from_meta
    from gridwatch.domain.seasonal import season_plan

    path, sup, chosen, _ = project
    settings.setValue("coverage/follow_calendar", True)
    settings.setValue("user", sup.name)
    controller = WorkflowController(settings)
    controller.set_project(path)
    w = CoveragePanel(controller, settings, now=NOW)
    qtbot.addWidget(w)
    w.show()
    w.refresh()
    refreshed(qtbot, w)
    # 20 Nov 2025 (Beijing) is in the autumn straw-burning season: coal-ban cells monthly, like the others
    assert w.coverage.rules == season_plan(settings_from_meta({}), dt.date(2025, 11, 20)).rules()
    assert not w.interval_spins["coal_ban_zone"].isEnabled()
    assert w.calendar_label.text().startswith("Autumn straw-burning ban: ")
    assert "Cells in the coal-ban zone 30 d" in w.calendar_label.text()
    cells = w.coverage.cells.set_index("code")
    # K2 (coal-ban, 10 days) and O2 (20 days) are within 30 days now; M (mine, 5 days) is still overdue (3.5)
    assert not cells.loc[chosen["K2"], "overdue"] and not cells.loc[chosen["O2"], "overdue"]
    assert cells.loc[chosen["M"], "overdue"]
    w.calendar_check.setChecked(False)  # the panel's own what-if rule again
    refreshed(qtbot, w)
    assert dict(w.coverage.rules)["coal_ban_zone"] == 7.0 and w.interval_spins["coal_ban_zone"].isEnabled()
    assert str(settings.value("coverage/follow_calendar")).lower() == "false"


def _computing() -> list[int]:
    """The child processes computing a coverage now."""
    return [pid for pid, name in running().items() if name == "gridwatch-coverage_from_project"]


def test_the_coverage_is_computed_in_a_process_a_newer_refresh_and_closing_kill(panel, qtbot):
    """Off the GUI's interpreter lock: the coverage runs in a child process.  A refresh that replaces a running
    one kills it (no core spent on an answer nobody reads) and the newest result shows; closing the window
    (stop_jobs) kills the one running at once, and the panel says it was cancelled."""
    panel.refresh()
    first = panel._job
    panel.refresh()
    second = panel._job
    qtbot.waitUntil(lambda: first.done and second.done and not panel.loading, timeout=WAIT)
    assert isinstance(first.error, Cancelled) and second.error is None
    assert panel.status.text().startswith("Updated at") and int(panel.coverage.cells["overdue"].sum()) == 2398
    assert not _computing()
    panel.refresh()
    third = panel._job
    qtbot.waitUntil(lambda: bool(_computing()) or third.done, timeout=WAIT)
    pids = _computing()
    assert pids, "the coverage ended before it could be cancelled"
    t0 = time.monotonic()
    assert stop_jobs(10) and time.monotonic() - t0 < 3.0
    assert isinstance(third.error, Cancelled) and not _computing()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    qtbot.waitUntil(lambda: not panel.loading, timeout=WAIT)
    assert panel.status.text() == "Coverage could not be computed: " + i18n.error_text(third.error)


def test_progress_shows_and_a_failure_in_the_process_is_said_in_chinese(project, settings, qtbot, tmp_path):
    i18n.install("zh_CN")
    try:
        w = CoveragePanel(None, settings, now=NOW)
        qtbot.addWidget(w)
        w.show()
        seen: list[str] = []
        w.status.setText = lambda text, _set=w.status.setText: (seen.append(text), _set(text))[1]
        w.set_project(project[0])
        qtbot.waitUntil(lambda: w.coverage is not None and not w.loading, timeout=WAIT)
        assert "正在更新… 60%" in seen and w.status.text().startswith("更新于")
        broken = tmp_path / "broken.gpkg"
        broken.write_bytes(b"\0" * 4096)  # not a GeoPackage
        w.set_project(broken)
        qtbot.waitUntil(lambda: not w.loading, timeout=WAIT)
        assert w.coverage is None and w.status.text().startswith("无法计算巡查覆盖：")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in w.status.text()[len("无法计算巡查覆盖："):])
    finally:
        i18n.install("en")
