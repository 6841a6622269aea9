"""A language change that meets an error in one widget (its project folder gone, say) reaches every
other widget and leaves Qt with no pending error: the error is reported, nothing crashes later."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QWidget

from gridwatch.errors import ReadOnlyFile
from gridwatch.ui.widgets import retranslate_safely


class Panel(QWidget):
    retranslated: list[str] = []

    def __init__(self, name: str, fail: bool) -> None:
        super().__init__()
        self.name, self.fail = name, fail

    def retranslate(self) -> None:
        if self.fail:
            raise ReadOnlyFile(f"{self.name}: the file or its folder is read-only")
        Panel.retranslated.append(self.name)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.LanguageChange:
            retranslate_safely(self)
        super().changeEvent(event)


def test_an_error_in_one_widget_is_reported_and_the_others_still_retranslate(qtbot, monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: reported.append(e))
    parent = QWidget()
    qtbot.addWidget(parent)
    panels = [Panel(f"p{i}", fail=i % 3 == 0) for i in range(9)]
    for p in panels:
        p.setParent(parent)
    method = Panel.__dict__["changeEvent"]
    refs = sys.getrefcount(method)
    Panel.retranslated.clear()
    for _ in range(3):
        for p in panels:
            QCoreApplication.sendEvent(p, QEvent(QEvent.Type.LanguageChange))
    assert sorted(set(Panel.retranslated)) == [f"p{i}" for i in range(9) if i % 3]
    assert len(reported) == 9 and all(isinstance(e, ReadOnlyFile) for e in reported)
    assert "p0" in str(reported[0])
    # shiboken 6.11-6.12 released a reference to the override on each lookup made while an error was
    # pending; with nothing pending the class keeps its method
    assert sys.getrefcount(method) >= refs
    late = Panel("late", fail=False)  # a new widget of the class still works
    QCoreApplication.sendEvent(late, QEvent(QEvent.Type.LanguageChange))
    assert Panel.retranslated[-1] == "late"
