"""Issue 17 in the app, the parts the office works with: a supervisor lifts a veto item with a reason
(audited; the ranking follows), the work-plan settings and checklists dialog (supervisors only,
checked by the domain, one transaction), a fire check finished as an industrial heat source, and the
checklist results shown in the cell's and the finding's details."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialogButtonBox

from gridwatch.storage import Project, plans, queries
from gridwatch.storage.checklists import checklist_results, record_checklist
from gridwatch.storage.workflow import change_assignment, create_assignments, find_actor
from gridwatch.ui import i18n
from gridwatch.ui.analysis.plans import AssessmentDialog
from gridwatch.ui.analysis.ranking_view import RANKING_COLUMNS
from gridwatch.ui.analysis.settings_dialog import SettingsDialog
from gridwatch.ui.session import WorkflowController

WAIT = 60000
BJ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=BJ)


@pytest.fixture
def chinese(qapp):
    before = i18n.current()
    i18n.install("zh_CN")
    yield
    i18n.install(before)


def rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


def controller_for(path, tmp_path, role, qtbot=None):
    people = Project.open(path).read_table("inspector")
    name = people[people["role"] == role]["name"].iloc[0]
    settings = QSettings(str(tmp_path / f"{role}.ini"), QSettings.Format.IniFormat)
    settings.setValue("user", name)
    ctl = WorkflowController(settings)
    ctl.set_project(path)
    assert ctl.actor is not None and ctl.actor.role == role
    return ctl


def townships(path):
    tw = Project.open(path).read_layer("township", columns=["code", "name"])
    return list(zip(tw["code"], tw["name"]))


def test_a_supervisor_lifts_a_veto_with_a_reason_and_the_ranking_follows(sample_copy, tmp_path, qtbot, chinese):
    ctl = controller_for(sample_copy, tmp_path, "supervisor")
    (code, name), = rows(sample_copy, "SELECT code, name FROM township ORDER BY code LIMIT 1")
    plans.set_veto(sample_copy, ctl.actor, code, "falsified_data", dt.date(2026, 11, 12), "监测站旁洒水")
    dialog = AssessmentDialog(ctl, townships(sample_copy))
    qtbot.addWidget(dialog)
    dialog.now = NOW
    dialog.period_edit.setText("2026-11")
    dialog.show()
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=WAIT)
    veto_col = RANKING_COLUMNS.index("veto")
    assert dialog.table.item(12, 1).text() == name and "监测数据造假" in dialog.table.item(12, veto_col).text()
    # the veto items on record, with their township, item, date and reason
    assert dialog.veto_list.rowCount() == 1
    assert [dialog.veto_list.item(0, c).text() for c in range(4)] == [name, "监测数据造假", "2026-11-12", "监测站旁洒水"]
    assert dialog.lift_button.isEnabled()
    # lifting needs one chosen in the list, then a reason (the core refuses an empty one, in Chinese)
    dialog.lift_veto()
    assert dialog.veto_error.text() == "请在列表中选择要撤销的一票否决事项。"
    dialog.veto_list.selectRow(0)
    dialog.lift_veto()
    qtbot.waitUntil(lambda: dialog.veto_error.isVisibleTo(dialog) and "理由" in dialog.veto_error.text(),
                    timeout=WAIT)
    assert dialog.veto_error.text() == "撤销一票否决须填写理由" and dialog.lift_button.isEnabled()
    assert rows(sample_copy, "SELECT COUNT(*) FROM assessment_veto") == [(1,)]
    before = dialog.result
    dialog.veto_reason.setText("复核：洒水为正常降尘作业")
    dialog.lift_veto()
    qtbot.waitUntil(lambda: dialog.result is not before and dialog.veto_list.rowCount() == 0, timeout=WAIT)
    assert rows(sample_copy, "SELECT COUNT(*) FROM assessment_veto") == [(0,)]
    # the ranking no longer has a veto; the lifting is audited with its reason and undoable
    assert all(dialog.table.item(r, veto_col).text() == "" for r in range(13))
    audit = rows(sample_copy, "SELECT user_name, details FROM audit_log WHERE action = 'lift_veto'")
    assert audit == [(ctl.actor.name, "复核：洒水为正常降尘作业")]
    assert ctl.undo_stack.count() == 1


def test_an_inspector_may_not_lift_a_veto_or_change_the_settings(sample_copy, tmp_path, qtbot, chinese):
    ctl = controller_for(sample_copy, tmp_path, "inspector")
    dialog = AssessmentDialog(ctl, townships(sample_copy))
    qtbot.addWidget(dialog)
    assert not dialog.lift_button.isEnabled() and "一票否决" in dialog.lift_button.toolTip()
    settings = SettingsDialog(ctl)
    qtbot.addWidget(settings)
    save = settings.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled() and "督查员或管理员" in save.toolTip()
    assert settings.error.text() == save.toolTip()


def test_the_office_edits_the_settings_and_checklists_in_one_transaction(bare_copy, tmp_path, qtbot, chinese):
    ctl = controller_for(bare_copy, tmp_path, "supervisor")
    dialog = SettingsDialog(ctl)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "工作方案设置"
    assert [dialog.tabs.tabText(i) for i in range(2)] == ["考核和报送期限", "检查清单"]
    assert dialog.labels["deduction_straw_yuan"].text() == "秸秆焚烧火点扣减(元/个):"
    assert dialog.editors["deduction_straw_yuan"].value() == 500_000  # the plans' default
    assert dialog.editors["earthwork_stop_level"].currentText() == "橙色预警"
    dialog.editors["deduction_straw_yuan"].setValue(300_000)
    dialog.editors["township_report_day"].setValue(29)
    # the construction sites' six items: move covering first, drop wet work, add stoves, rename fencing
    dialog.kind.setCurrentIndex(dialog.kind.findData("construction_dust"))
    assert [dialog.items.item(i).text() for i in range(dialog.items.count())][:2] == ["工地周边围挡", "物料堆放和裸土覆盖"]
    dialog.items.setCurrentRow(1)
    dialog.move_item(-1)
    dialog.items.setCurrentRow(4)
    assert dialog.items.currentItem().text() == "拆迁工地湿法作业"
    dialog.remove_item()
    dialog.add_choice.setCurrentIndex(dialog.add_choice.findData("stoves"))
    dialog.add_item()
    dialog.items.setCurrentRow(1)
    dialog.rename_edit.setText("围挡封闭")
    dialog.rename_item()
    assert [dialog.items.item(i).text() for i in range(dialog.items.count())] == [
        "物料堆放和裸土覆盖", "围挡封闭", "出入车辆清洗", "施工现场路面硬化", "渣土车辆密闭运输", "无燃煤炉具"]
    # a day the plans do not allow: a clear Chinese error naming the setting; nothing written
    dialog.accept()
    assert dialog.error.text() == "乡镇月报截止日：29 不可用，应为1 至 28 的整数" and dialog.isVisible()
    assert rows(bare_copy, "SELECT COUNT(*) FROM gridwatch_meta WHERE key LIKE 'setting.%'") == [(0,)]
    dialog.editors["township_report_day"].setValue(26)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.accept()
    stored = plans.read_settings(bare_copy)
    assert stored["deduction_straw_yuan"] == 300_000 and stored["township_report_day"] == 26
    assert stored["checklists"]["construction_dust"] == ("covering", "fencing", "vehicle_washing", "hardened_roads",
                                                         "sealed_transport", "stoves")
    assert stored["checklists"]["coal_ban"] == ("coal_sold", "coal_burnt", "stoves")  # other kinds unchanged
    assert stored["checklist_titles"] == {"fencing": "围挡封闭"}
    # one audit row per changed setting, nothing for the unchanged ones
    audit = rows(bare_copy, "SELECT row_uuid, new_values FROM audit_log WHERE action = 'set_setting' ORDER BY row_uuid")
    assert [k for k, _ in audit] == ["setting.checklist_titles", "setting.checklists", "setting.deduction_straw_yuan",
                                     "setting.township_report_day"]
    assert json.loads(json.loads(audit[2][1])["value"]) == 300_000
    # the renamed item is what a failed item's finding says
    sup = ctl.actor
    code, who = rows(bare_copy, "SELECT c.code, p.name FROM grid_cell c JOIN inspector p ON p.uuid = "
                                "c.inspector_uuid LIMIT 1")[0]
    task = create_assignments(bare_copy, sup, [code], "construction_dust").created("assignment")[0]
    inspector = find_actor(bare_copy, who)
    change_assignment(bare_copy, inspector, task, "start")
    answers = {i: (i != "fencing", "南侧缺口" if i == "fencing" else "") for i in stored["checklists"]["construction_dust"]}
    record_checklist(bare_copy, inspector, task, answers, make_findings=True)
    assert rows(bare_copy, "SELECT description FROM finding") == [("【围挡封闭】不合格：南侧缺口",)]
    # the dialog fits a field laptop's screen
    assert dialog.width() <= 1366 and dialog.height() <= 768


def test_checklist_results_in_the_cell_and_finding_details(bare_copy, tmp_path, qtbot, chinese):
    from gridwatch.ui.findings.panel import FindingsPanel
    from gridwatch.ui.map.panels import NAME_ROLE, IdentifyPanel

    ctl = controller_for(bare_copy, tmp_path, "supervisor")
    code, who = rows(bare_copy, "SELECT c.code, p.name FROM grid_cell c JOIN inspector p ON p.uuid = "
                                "c.inspector_uuid LIMIT 1")[0]
    task = create_assignments(bare_copy, ctl.actor, [code], "coal_ban").created("assignment")[0]
    inspector = find_actor(bare_copy, who)
    change_assignment(bare_copy, inspector, task, "start")
    edit = record_checklist(bare_copy, inspector, task, {"coal_sold": (True, ""), "coal_burnt": (False, "两户燃用散煤"),
                                                         "stoves": (True, "")}, make_findings=True)
    finding = edit.created("finding")[0]
    (inspection,), = rows(bare_copy, "SELECT uuid FROM inspection WHERE assignment_uuid = ?", (task,))
    # the cell panel: the inspection with its three items under it, the failed one leading to its finding
    panel = IdentifyPanel()
    qtbot.addWidget(panel)
    checks = checklist_results(bare_copy, cell_code=code)
    assert checks["inspection_uuid"].tolist() == [inspection] * 3
    panel.show_records(queries.tasks(bare_copy, cell_code=code), queries.inspections(bare_copy, cell_code=code),
                       queries.findings(bare_copy, cell_code=code), checks)
    visits = panel.records.topLevelItem(1)
    assert visits.childCount() == 1
    visit = visits.child(0)
    items = [[visit.child(i).text(c) for c in range(3)] for i in range(visit.childCount())]
    assert items == [["✓ 无散煤销售", "合格", ""], ["✗ 无散煤燃用", "不合格", "两户燃用散煤"], ["✓ 无燃煤炉具", "合格", ""]]
    assert visit.child(1).data(0, NAME_ROLE) == ("finding", finding)
    with qtbot.waitSignal(panel.recordChosen) as chosen:
        panel.records.itemDoubleClicked.emit(visit.child(1), 0)
    assert chosen.args == ["finding", finding]
    # the finding's details: the item it came from and the inspection
    findings = FindingsPanel(ctl)
    qtbot.addWidget(findings)
    findings.show()
    qtbot.waitUntil(lambda: findings.table.rowCount() == 1, timeout=WAIT)
    assert findings.select_finding(finding)
    text = findings.detail.text()
    assert "来自检查清单项：无散煤燃用（不合格） · 两户燃用散煤 · 检查：禁煤检查，" + who + "，开始于 " in text
    # a finding recorded otherwise says nothing of a checklist
    assert findings._origin_line({"uuid": "nothing"}) == ""
