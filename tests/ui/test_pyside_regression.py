"""PySide6 must not be a release that drops references to None.

PySide6 6.12.0 on CPython 3.11 decrements None's reference count on every wrapped call that
returns None (QPolygonF.resize among them); pyqtgraph's curve path rebuilding then ends in
"Fatal Python error: none_dealloc" within about 56 updates. ``pyqtgraph_curve_stress.py`` drives
exactly those code paths; it runs in a child process so a crash fails this test instead of
killing the test session.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import PySide6

SCRIPT = Path(__file__).with_name("pyqtgraph_curve_stress.py")


def test_pinned_pyside_is_not_the_broken_release():
    assert PySide6.__version__ != "6.12.0"


def test_pyqtgraph_curve_rebuilds_do_not_crash_or_leak_none():
    res = subprocess.run(
        [sys.executable, str(SCRIPT), "600"],
        capture_output=True, text=True, timeout=600, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert "none_dealloc" not in res.stderr
    assert res.returncode == 0, f"exit {res.returncode}\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}"
    assert res.stdout.strip().splitlines()[-1] == "OK 600 updates"
