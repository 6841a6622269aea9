"""The seasonal calendar in the app (issue 17): on today's real date the dashboard's focus and a new
task's kind are the season's (the winter prevention period on 2026-12-06); the calendar dialog lets a
supervisor change the district's calendar and shows an inspector why not."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pytest
from PySide6.QtCore import QDate, QDateTime, QSettings, QTime

from gridwatch.domain.calendar import season_of
from gridwatch.storage import Project, plans
from gridwatch.ui import i18n
from gridwatch.ui.analysis.calendar_dialog import CalendarDialog
from gridwatch.ui.analysis.plans import banner_text
from gridwatch.ui.session import WorkflowController
from gridwatch.ui.tasks.dialogs import AssignDialog

WAIT = 60000
BJ = dt.timezone(dt.timedelta(hours=8))
#: By hand from the plans: each season's focus line and the default kind of a new task.
EXPECTED = {"winter": ("冬防期：散煤、烟花爆竹（默认任务：禁煤检查）", "coal_ban"),
            "dust": ("春季扬尘：扬尘（默认任务：工地扬尘检查）", "construction_dust"),
            "ozone": ("夏季臭氧：VOCs、臭氧（默认任务：巡查）", "patrol"),
            "autumn": ("秋季秸秆禁烧：秸秆焚烧、颗粒物（默认任务：火点核查）", "fire_check")}


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
    return ctl


def first_cell(path) -> str:
    with closing(sqlite3.connect(path)) as con:
        return con.execute("SELECT code FROM grid_cell ORDER BY code LIMIT 1").fetchone()[0]


def test_today_the_dashboard_and_a_new_task_follow_the_season(bare_copy, tmp_path, qtbot, chinese):
    today = dt.datetime.now(dt.timezone.utc).astimezone(BJ).date()  # the real date: 2026-12-06, the winter
    if today.month in (12, 1, 2):
        assert season_of(today).key == "winter"
    focus, _ = EXPECTED[season_of(today).key]
    assert banner_text(bare_copy, None).startswith(focus)
    ctl = controller_for(bare_copy, tmp_path, "supervisor")
    dialog = AssignDialog(ctl, [first_cell(bare_copy)])
    qtbot.addWidget(dialog)
    due_day = today + dt.timedelta(days=1)  # the dialog's due time: tomorrow 18:00
    assert dialog.kind_combo.currentData() == EXPECTED[season_of(due_day).key][1]
    # a due date in the spring dust season offers the dust check; once the user picks a kind, it stays
    dialog.due_edit.setDateTime(QDateTime(QDate(2027, 3, 10), QTime(18, 0), dialog.due_edit.timeZone()))
    assert dialog.kind_combo.currentData() == "construction_dust"
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("unannounced"))
    dialog.kind_combo.activated.emit(dialog.kind_combo.currentIndex())
    dialog.due_edit.setDateTime(QDateTime(QDate(2027, 10, 10), QTime(18, 0), dialog.due_edit.timeZone()))
    assert dialog.kind_combo.currentData() == "unannounced"
    # a construction site's task is its dust check whatever the season
    site = AssignDialog(ctl, [first_cell(bare_copy)], target_layer="construction_site", target_uuids=["x"])
    qtbot.addWidget(site)
    assert site.kind_combo.currentData() == "construction_dust"


def test_a_supervisor_changes_the_calendar_an_inspector_sees_why_not(bare_copy, tmp_path, qtbot, chinese):
    ctl = controller_for(bare_copy, tmp_path, "supervisor")
    dialog = CalendarDialog(ctl)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.width() <= 1366 and dialog.height() <= 768
    assert dialog.table.verticalHeaderItem(0).text().startswith("冬防期")
    assert dialog.table.horizontalHeaderItem(1).text() == "禁煤区网格"
    assert dialog.spins[("winter", "coal_ban_zone")].value() == 7.0
    assert dialog.kinds["winter"].currentText() == "禁煤检查"
    dialog.spins[("winter", "coal_ban_zone")].setValue(5.0)
    dialog.kinds["winter"].setCurrentIndex(dialog.kinds["winter"].findData("patrol"))
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save()
    winter = plans.read_settings(bare_copy)["calendar"]["winter"]
    assert winter["intervals"]["coal_ban_zone"] == 5.0
    assert winter["task_kinds"] == ["patrol", "coal_ban", "fireworks"]  # the chosen default first, the rest kept
    assert dialog.status.text() == "已保存。"
    if season_of(dt.datetime.now(dt.timezone.utc).astimezone(BJ).date()).key == "winter":
        assert "（默认任务：巡查）" in banner_text(bare_copy, None)
    # the plans' defaults button puts them back in the table (saved only on Save)
    dialog.defaults_button.click()
    assert dialog.spins[("winter", "coal_ban_zone")].value() == 7.0 and dialog.kinds["winter"].currentData() == \
        "coal_ban"
    inspector = controller_for(bare_copy, tmp_path, "inspector")
    seen = CalendarDialog(inspector)
    qtbot.addWidget(seen)
    save = seen.buttons.button(seen.buttons.StandardButton.Save)
    assert not save.isEnabled() and "修改考核和日历设置" in save.toolTip()
    assert not seen.spins[("winter", "coal_ban_zone")].isEnabled()
    assert seen.spins[("winter", "coal_ban_zone")].value() == 5.0  # the district's values, read-only
