"""Core errors reach Chinese dialogs in Chinese (looked up by their code), English ones as raised."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from gridwatch.storage import Project
from gridwatch.storage.workflow import create_assignments
from gridwatch.ui import i18n
from gridwatch.ui.session import WorkflowController


def test_a_refused_edit_is_told_in_the_ui_language(qtbot, sample_copy, tmp_path, monkeypatch):
    people = Project.open(sample_copy).read_table("inspector")
    name = str(people[people["role"] == "inspector"]["name"].iloc[0])
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    settings.setValue("user", name)
    controller = WorkflowController(settings)
    controller.set_project(sample_copy)
    cell = str(Project.open(sample_copy).read_layer("grid_cell")["code"].iloc[0])
    for language, expected in (("zh_CN", f"{name}是网格员；只有网格长或督查员或管理员可以派发检查任务"),
                               ("en", f"{name} is inspector; only a chief or supervisor or admin may assign inspections")):
        monkeypatch.setattr(i18n, "_current", [language])
        with qtbot.waitSignal(controller.failed, timeout=10_000) as blocker:
            controller.run(create_assignments, [cell], "patrol")
        assert blocker.args == [expected]
    assert controller.refusal("assign_tasks") == f"{name} is inspector; only a chief or supervisor or admin may assign inspections"
