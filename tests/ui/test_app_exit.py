"""Closing the app soon after opening a project: background jobs are cancelled and joined, and the process
exits.  (It used to hang for ever, now and then: the interpreter's exit waited in pyarrow's thread pool
while a coverage job was inside ``to_pandas``; or it crashed.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ..conftest import ROOT, SAMPLE

_CLOSE_SOON = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from gridwatch.ui.app import create_app, create_window, finish

app = create_app()
window = create_window(Path(sys.argv[1]))
window.show()
delay = int(sys.argv[2])
QTimer.singleShot(delay, window.close)
QTimer.singleShot(delay + 5, app.quit)
sys.exit(finish(app.exec()))
"""


def test_closing_the_window_right_after_open_leaves_no_job_running(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    from gridwatch.ui import i18n
    from gridwatch.ui.app import create_app, make_settings
    from gridwatch.ui.jobs import jobs_running
    from gridwatch.ui.window.main_window import MainWindow

    create_app()
    i18n.install("en")
    for delay in (0, 20, 60, 120, 200, 300, 450, 700, 1000, 1500):
        window = MainWindow(make_settings())
        qtbot.addWidget(window)
        window.show()
        window.open_project(SAMPLE)
        qtbot.wait(delay)
        window.close()
        assert not jobs_running(), f"a background job outlived the window closed {delay} ms after open"


@pytest.mark.parametrize("delay", [100, 150, 200, 250, 300, 400])
def test_the_app_exits_when_closed_right_after_open(delay, tmp_path):
    env = {**os.environ, "GRIDWATCH_CONFIG_DIR": str(tmp_path / "config"), "GRIDWATCH_DATA_DIR": str(tmp_path / "data"),
           "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    try:
        res = subprocess.run([sys.executable, "-c", _CLOSE_SOON, str(SAMPLE), str(delay)], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the app did not exit within 2 minutes of closing its window {delay} ms after open")
    assert res.returncode == 0, res.stderr[-2000:]
