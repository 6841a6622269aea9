"""The work plans in the app (issue 17) on a real copy of the sample district: the assessment dialog
computes on the worker, a supervisor sets a veto item (the township goes last), the bulletin is
written as a Word document; the warning dialog declares an orange warning that creates the site
checks; an inspector sees both greyed with the reason; the dashboard's banner names the warning."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pytest
from PySide6.QtCore import QDate, QDateTime, QSettings, QTime

from gridwatch.storage import Project
from gridwatch.ui import i18n
from gridwatch.ui.analysis.plans import AssessmentDialog, WarningDialog, banner_text
from gridwatch.ui.analysis.ranking_view import RANKING_COLUMNS
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


def controller_for(path, tmp_path, role):
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


def test_assessment_dialog_ranks_sets_a_veto_and_writes_the_bulletin(sample_copy, tmp_path, qtbot, chinese):
    ctl = controller_for(sample_copy, tmp_path, "supervisor")
    dialog = AssessmentDialog(ctl, townships(sample_copy))
    qtbot.addWidget(dialog)
    dialog.now = NOW
    dialog.period_edit.setText("2026-11")
    dialog.show()
    dialog.compute()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=WAIT)
    assert dialog.table.rowCount() == 13
    assert dialog.table.horizontalHeaderItem(4).text() == "秸秆焚烧"
    first = dialog.table.item(0, 1).text()
    # a veto item against the first township puts it last
    dialog.veto_town.setCurrentIndex(dialog.veto_town.findText(first))
    dialog.veto_item.setCurrentIndex(0)
    dialog.veto_date.setDate(QDate(2026, 11, 12))
    dialog.veto_reason.setText("监测站旁洒水")
    before = dialog.result
    dialog.set_veto()
    qtbot.waitUntil(lambda: dialog.result is not before and dialog.table.item(12, 1).text() == first, timeout=WAIT)
    assert "监测数据造假" in dialog.table.item(12, RANKING_COLUMNS.index("veto")).text()
    assert ctl.undo_stack.count() == 1  # the veto is undoable like every edit
    out = tmp_path / "通报.docx"
    job = dialog.export_bulletin(out)
    qtbot.waitUntil(lambda: "已写入" in dialog.status.text(), timeout=WAIT)
    assert job is not None and out.exists() and str(out) in dialog.status.text()
    dialog.resize(1366 - 40, 768 - 80)  # fits a field laptop's screen


def test_warning_dialog_declares_and_the_dashboard_banner_shows_it(sample_copy, tmp_path, qtbot, chinese):
    ctl = controller_for(sample_copy, tmp_path, "supervisor")
    dialog = WarningDialog(ctl)
    qtbot.addWidget(dialog)
    start = QDateTime(QDate(2026, 12, 8), QTime(8, 0))
    dialog.start.setDateTime(start)
    dialog.end.setDateTime(start.addDays(2))
    dialog.level.setCurrentIndex(dialog.level.findData("orange"))
    assert dialog.level.currentText() == "橙色预警"
    dialog.note.setText("第3号")
    dialog.show()
    with qtbot.waitSignal(dialog.finished, timeout=WAIT):
        dialog.accept()
    with closing(sqlite3.connect(sample_copy)) as con:
        assert con.execute("SELECT level, note FROM pollution_warning").fetchall() == [("orange", "第3号")]
        n = con.execute("SELECT COUNT(*) FROM assignment WHERE kind = 'construction_dust' AND due_at = ?",
                        ("2026-12-08T15:59:00.000Z",)).fetchone()[0]
    assert n > 50
    text = banner_text(sample_copy, dt.datetime(2026, 12, 9, 9, 0, tzinfo=BJ))
    assert "冬防期" in text and "⚠ 橙色预警 至 12-10 08:00：停止工地土石方作业" in text
    assert "月通报截止 12-28（还有 19 天）" in text
    assert "预警" not in banner_text(sample_copy, dt.datetime(2026, 12, 11, tzinfo=BJ))
    again = WarningDialog(ctl)  # the latest warning's summary
    qtbot.addWidget(again)
    assert again.summary.text().startswith(f"最近一次：橙色预警，2026-12-08 08:00 至 2026-12-10 08:00。在建工地 {n} 个，"
                                           f"已检查 0 个，发现问题 0 个，未检查 {n} 个。")


def test_an_inspector_sees_why_not(sample_copy, tmp_path, qtbot, chinese):
    ctl = controller_for(sample_copy, tmp_path, "inspector")
    warning = WarningDialog(ctl)
    qtbot.addWidget(warning)
    ok = warning.buttons.button(warning.buttons.StandardButton.Ok)
    assert not ok.isEnabled() and "发布重污染天气预警" in ok.toolTip()
    dialog = AssessmentDialog(ctl, townships(sample_copy))
    qtbot.addWidget(dialog)
    assert not dialog.veto_button.isEnabled() and "一票否决" in dialog.veto_button.toolTip()


def test_checklist_dialog_records_the_six_items_and_findings(bare_copy, tmp_path, qtbot, chinese):
    from gridwatch.storage.checklists import task_checklist
    from gridwatch.storage.workflow import change_assignment, create_assignments, find_actor
    from gridwatch.ui.tasks.checklist import ChecklistDialog

    with closing(sqlite3.connect(bare_copy)) as con:
        code, who = con.execute("SELECT c.code, p.name FROM grid_cell c JOIN inspector p ON p.uuid = "
                                "c.inspector_uuid LIMIT 1").fetchone()
        sup_name = con.execute("SELECT name FROM inspector WHERE role = 'supervisor' LIMIT 1").fetchone()[0]
    task = create_assignments(bare_copy, find_actor(bare_copy, sup_name), [code],
                              "construction_dust").created("assignment")[0]
    change_assignment(bare_copy, find_actor(bare_copy, who), task, "start")
    settings = QSettings(str(tmp_path / "inspector.ini"), QSettings.Format.IniFormat)
    settings.setValue("user", who)
    ctl = WorkflowController(settings)
    ctl.set_project(bare_copy)
    row, items = task_checklist(bare_copy, task)
    dialog = ChecklistDialog(ctl, row, items)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 6 and dialog.table.cellWidget(0, 0).text() == "工地周边围挡"
    assert dialog.windowTitle() == "检查清单：工地扬尘检查"
    dialog.passed[1].setChecked(False)
    dialog.notes[1].setText("裸土未覆盖")
    dialog.show()
    with qtbot.waitSignal(dialog.finished, timeout=WAIT):
        dialog.accept()
    with closing(sqlite3.connect(bare_copy)) as con:
        assert con.execute("SELECT category, description FROM finding").fetchall() == \
            [("construction_dust", "【物料堆放和裸土覆盖】不合格：裸土未覆盖")]
        assert con.execute("SELECT COUNT(*), SUM(passed) FROM checklist_result").fetchone() == (6, 5)


def test_campaign_dialog_starts_one_and_shows_its_rounds(bare_copy, tmp_path, qtbot, chinese):
    from gridwatch.ui.tasks.campaign import CampaignDialog

    ctl = controller_for(bare_copy, tmp_path, "supervisor")
    dialog = CampaignDialog(ctl)
    qtbot.addWidget(dialog)
    dialog.now = NOW
    dialog.template.setCurrentIndex(dialog.template.findData("winter_coal_ban"))
    assert dialog.template.currentText() == "冬防期禁煤专项行动"
    dialog.first.setDate(QDate(2026, 12, 7))
    dialog.last.setDate(QDate(2026, 12, 27))
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.chosen.count() == 1 and dialog.rounds.rowCount() == 3, timeout=WAIT)
    assert [dialog.rounds.item(i, 1).text() for i in range(3)] == ["2026-12-07", "2026-12-14", "2026-12-21"]
    assert dialog.status.text().startswith("1 个乡镇") or "个任务，已完成 0 个" in dialog.status.text()
    assert ctl.undo_stack.count() == 1
    # today (6 Dec) only the first round is made; the others show when they will be
    n = int(dialog.rounds.item(0, 3).text())
    assert n > 0 and [dialog.rounds.item(i, 3).text() for i in (1, 2)] == ["开始后建立"] * 2
    assert dialog.status.text().endswith("已建轮次：1 / 3")


def test_the_campaign_view_makes_the_rounds_that_have_begun(bare_copy, tmp_path, qtbot, chinese):
    from gridwatch.storage.campaigns import start_campaign
    from gridwatch.ui.tasks.campaign import CampaignDialog

    today = dt.datetime.now(dt.timezone.utc).astimezone(BJ).date()
    ctl = controller_for(bare_copy, tmp_path, "supervisor")
    # started ten days ago for three weeks: [t-10, t-4], [t-3, t+3], [t+4, t+10]; then only round 1 was made
    edit = start_campaign(bare_copy, ctl.actor, "winter_coal_ban", first_day=today - dt.timedelta(days=10),
                          last_day=today + dt.timedelta(days=10),
                          now=dt.datetime.combine(today - dt.timedelta(days=10), dt.time(9), BJ))
    n = len(edit.created("assignment"))
    dialog = CampaignDialog(ctl)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.rounds.rowCount() == 3, timeout=WAIT)
    assert dialog.advance_button.isEnabled()
    dialog.advance()
    qtbot.waitUntil(lambda: dialog.rounds.item(1, 3) is not None and dialog.rounds.item(1, 3).text() == str(n),
                    timeout=WAIT)
    assert dialog.rounds.item(2, 3).text() == "开始后建立"  # round 3 begins in four days
    assert dialog.status.text().endswith(f"{2 * n:,} 个任务，已完成 0 个；已建轮次：2 / 3")
    inspector = controller_for(bare_copy, tmp_path, "inspector")
    seen = CampaignDialog(inspector)
    qtbot.addWidget(seen)
    assert not seen.advance_button.isEnabled() and "创建专项行动的下一轮任务" in seen.advance_button.toolTip()


def test_downgrade_dialog_lowers_a_sites_grade_with_its_reason(sample_copy, tmp_path, qtbot, chinese):
    from gridwatch.ui.analysis.plans import DowngradeDialog

    ctl = controller_for(sample_copy, tmp_path, "supervisor")
    with closing(sqlite3.connect(sample_copy)) as con:
        site, name = con.execute("SELECT uuid, name FROM construction_site WHERE dust_grade = 'A' LIMIT 1").fetchone()
    dialog = DowngradeDialog(ctl, site, name)
    qtbot.addWidget(dialog)
    assert dialog.grade.currentText() == "C级"
    dialog.reason.setText("裸土未覆盖")
    dialog.show()
    with qtbot.waitSignal(dialog.finished, timeout=WAIT):
        dialog.accept()
    with closing(sqlite3.connect(sample_copy)) as con:
        assert con.execute("SELECT dust_grade FROM construction_site WHERE uuid = ?", (site,)).fetchone() == ("C",)
        assert con.execute("SELECT details FROM audit_log WHERE row_uuid = ? AND action = 'downgrade_site'",
                           (site,)).fetchone() == ("裸土未覆盖",)


def test_the_findings_panel_writes_a_findings_assignment_notice(sample_copy, tmp_path, qtbot, chinese):
    from gridwatch.app.periods import Period
    from gridwatch.ui.findings.panel import FindingsPanel

    ctl = controller_for(sample_copy, tmp_path, "supervisor")
    panel = FindingsPanel(ctl)
    qtbot.addWidget(panel)
    panel.resize(1100, 800)
    panel.show()
    panel.set_period(Period.parse("all"))
    qtbot.waitUntil(lambda: panel.table.rowCount() > 0, timeout=WAIT)
    with closing(sqlite3.connect(sample_copy)) as con:
        key = con.execute("SELECT finding_uuid FROM attachment WHERE role = 'evidence' LIMIT 1").fetchone()[0]
    assert panel.select_finding(key)
    qtbot.waitUntil(lambda: panel.notice_button.isVisibleTo(panel), timeout=WAIT)
    assert panel.notice_button.text() == "交办单（Word）…"
    out = tmp_path / "交办单.docx"
    panel.write_notice(out)
    qtbot.waitUntil(lambda: out.exists() and "已写入" in panel.count.text(), timeout=WAIT)
