"""The rules panel on a real copy of the sample district: run the checks on a worker thread, filter
by rule, double-click to zoom, assign hits in one undoable action, roles and language."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QSettings, Qt

from gridwatch.analysis.rules import RULES, check_rules
from gridwatch.storage import Project
from gridwatch.ui import i18n
from gridwatch.ui.analysis.rules import COLUMNS, RulesDock, RulesPanel
from gridwatch.ui.session import WorkflowController

WAIT = 30000
#: The checks run now: the bare copy's fire points end yesterday, some of them in the coal-ban zone.
NOW = dt.datetime.now(dt.timezone.utc)



@pytest.fixture
def sample_copy(bare_copy):
    """The sample district without its two months of work: these tests count what they make."""
    return bare_copy

@pytest.fixture
def english(qapp):
    before = i18n.current()
    i18n.install("en")
    yield
    i18n.install(before)


@pytest.fixture
def people(sample_copy):
    return Project.open(sample_copy).read_table("inspector")


def make_controller(path, tmp_path, name):
    settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
    settings.setValue("user", name)
    ctl = WorkflowController(settings)
    ctl.set_project(path)
    return ctl


@pytest.fixture
def controller(sample_copy, tmp_path, people, english):
    ctl = make_controller(sample_copy, tmp_path, people[people["role"] == "supervisor"]["name"].iloc[0])
    assert ctl.actor is not None and ctl.actor.role == "supervisor"
    yield ctl
    ctl.undo_stack.clear()


@pytest.fixture
def panel(controller, qtbot):
    p = RulesPanel(controller)
    p.now = NOW
    qtbot.addWidget(p)
    p.resize(1100, 600)
    p.show()
    yield p
    p.cancel()
    p.wait()


def run(panel, qtbot):
    with qtbot.waitSignal(panel.checked, timeout=WAIT) as blocker:
        panel.run_button.click()
        assert panel.running and panel.run_button.text() == "Stop"
    return blocker.args[0]


def column(panel, name):
    c = COLUMNS.index(name)
    return [panel.table.item(r, c).text() for r in range(panel.table.rowCount())]


def open_tasks(path):
    tasks = Project.open(path).read_table("assignment")
    return tasks[tasks["status"] == "assigned"]


def test_run_lists_hits_and_the_filter_narrows_them(panel, qtbot, sample_copy):
    assert panel.table.rowCount() == 0 and not panel.assign_all.isEnabled()
    report = run(panel, qtbot)
    expected = check_rules(sample_copy, now=NOW)
    assert report.counts() == expected.counts() and report.counts()["site_near_key_area"] > 0
    assert panel.table.rowCount() == len(expected.hits)
    assert panel.run_button.text() == "Run checks" and not panel.running
    assert panel.status.text().startswith(f"{len(expected.hits)} hits:")
    assert panel.rule_combo.itemText(0) == f"All rules ({len(expected.hits)})"
    site_title = RULES["site_near_key_area"][1]
    panel.rule_combo.setCurrentIndex(panel.rule_combo.findData("site_near_key_area"))
    assert panel.rule_combo.currentText() == f"{site_title} ({report.counts()['site_near_key_area']})"
    assert set(column(panel, "rule")) == {site_title}
    assert panel.table.rowCount() == report.counts()["site_near_key_area"]
    messages = column(panel, "message")
    assert all("须达 A 级" in m for m in messages) and any("国控站点" in m for m in messages)
    assert all(c.isdigit() and len(c) == 15 for c in column(panel, "cell"))
    assert all(column(panel, "township"))


def test_parameters_reach_the_checks(panel, qtbot):
    base = run(panel, qtbot).counts()
    panel.same_radius.setChecked(True)
    panel.radius.setValue(1.0)
    panel.mine_days.setValue(700)
    panel.fire_days.setValue(1)
    assert panel.parameters() == {"radius_m": 1000.0, "mine_days": 700, "fire_days": 1}
    narrow = run(panel, qtbot).counts()
    assert 0 < narrow["site_near_key_area"] < base["site_near_key_area"]
    assert narrow["mine_not_inspected"] == base["mine_not_inspected"] == 36  # never inspected: always flagged
    assert narrow["fire_in_coal_ban"] < base["fire_in_coal_ban"]


def test_double_click_asks_the_map_to_zoom_to_the_feature(panel, qtbot):
    run(panel, qtbot)
    panel.rule_combo.setCurrentIndex(panel.rule_combo.findData("mine_not_inspected"))
    hit = panel.table.item(0, 0).data(Qt.ItemDataRole.UserRole)
    mines = Project.open(panel.controller.path).read_layer("mine").set_index("uuid")
    with qtbot.waitSignal(panel.zoomToBounds, timeout=2000) as zoom, \
            qtbot.waitSignal(panel.hitActivated, timeout=2000) as activated:
        panel.table.itemDoubleClicked.emit(panel.table.item(0, 3))
    assert zoom.args == pytest.approx(list(mines.loc[hit.uuid].geometry.bounds))
    assert activated.args[0].uuid == hit.uuid and activated.args[0].layer == "mine"


def test_assign_selected_then_all_in_one_undoable_edit_each(panel, controller, qtbot, sample_copy):
    run(panel, qtbot)
    panel.rule_combo.setCurrentIndex(panel.rule_combo.findData("site_near_key_area"))
    n_sites = panel.table.rowCount()
    panel.due.setDate(QDate(2025, 12, 5))
    panel.table.selectRow(0)
    chosen = panel.selected_hits()
    assert len(chosen) == 1 and panel.assign_selected.isEnabled()
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        panel.assign_selected.click()
    tasks = open_tasks(sample_copy)
    assert tasks["target_uuid"].tolist() == [chosen[0].uuid]
    assert tasks["kind"].tolist() == ["construction_dust"] and tasks["cell_code"].tolist() == [chosen[0].cell_code]
    assert str(tasks["due_at"].iloc[0])[:16] in ("2025-12-05 10:00", "2025-12-05T10:00")  # 18:00 Beijing
    assert panel.status.text().startswith("Assigned 1 tasks")
    # All shown: the one already assigned is not assigned twice.
    with qtbot.waitSignal(controller.changed, timeout=WAIT):
        panel.assign_all.click()
    assert len(open_tasks(sample_copy)) == n_sites
    assert f"Assigned {n_sites - 1} tasks" in panel.status.text() and "已有未完成的任务" in panel.status.text()
    assert controller.undo_stack.count() == 2
    controller.undo_stack.undo()
    qtbot.waitUntil(lambda: len(open_tasks(sample_copy)) == 1, timeout=WAIT)


def test_a_long_list_shows_its_head_and_says_so(panel, qtbot, monkeypatch):
    from gridwatch.ui.analysis import rules as rules_ui

    monkeypatch.setattr(rules_ui, "MAX_ROWS", 5)
    report = run(panel, qtbot)
    assert panel.table.rowCount() == 5 and len(panel.shown_hits()) == len(report.hits) > 5
    assert "the list shows the first 5" in panel.status.text()
    panel.rule_combo.setCurrentIndex(panel.rule_combo.findData("finding_overdue"))  # none in the sample
    assert panel.table.rowCount() == 0 and "first 5" not in panel.status.text()


def test_inspectors_see_hits_but_cannot_assign(sample_copy, tmp_path, people, english, qtbot):
    name = people[people["role"] == "inspector"]["name"].iloc[0]
    ctl = make_controller(sample_copy, tmp_path, name)
    p = RulesPanel(ctl)
    p.now = NOW
    qtbot.addWidget(p)
    run(p, qtbot)
    p.table.selectRow(0)
    assert p.table.rowCount() > 0
    assert not p.assign_all.isEnabled() and not p.assign_selected.isEnabled()
    assert "supervisor" in p.assign_all.toolTip()
    p.assign(p.shown_hits())
    assert "supervisor" in p.status.text() and open_tasks(sample_copy).empty


def test_a_new_run_replaces_the_old_and_stop_drops_it(panel, qtbot):
    panel.run()
    panel.cancel()
    assert not panel.running and panel.status.text() == "Stopped."
    panel.wait()
    qtbot.wait(50)
    assert panel.table.rowCount() == 0  # the stopped run's result never arrives
    run(panel, qtbot)
    assert panel.table.rowCount() > 0


def test_chinese_texts_and_dock(controller, qtbot):
    i18n.install("zh_CN")
    try:
        dock = RulesDock(controller)
        qtbot.addWidget(dock)
        dock.panel.now = NOW
        assert dock.objectName() == "rulesDock"
        with qtbot.waitSignal(dock.panel.checked, timeout=WAIT):
            dock.panel.run()
        assert dock.panel.table.item(0, 0).text() in {zh for zh, _ in RULES.values()}
    finally:
        i18n.install("en")


def test_screenshot(panel, qtbot, tmp_path):
    run(panel, qtbot)
    panel.table.selectRow(0)
    path = tmp_path / "rules_panel.png"
    assert panel.grab().save(str(path))
    assert path.stat().st_size > 10_000
