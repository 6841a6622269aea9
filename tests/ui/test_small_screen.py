"""Everything fits a 1366x768 field laptop: the main window with its status bar and task buttons, every
dock tab, the dashboard, and every dialog with its buttons.  Runs in a child process whose Qt screen
is 1366x768 (Qt's offscreen platform takes the screen size from a config file)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ..conftest import SAMPLE

SCRIPT = Path(__file__).with_name("small_screen_check.py")


def test_the_window_and_every_dialog_fit_1366x768(tmp_path, realdata):
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"synchronousWindowSystemEvents": False, "windowFrameMargins": False,
                                  "screens": [{"name": "field laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    res = subprocess.run([sys.executable, str(SCRIPT), str(SAMPLE),
                          str(realdata / "firms" / "world_fires_1_day_modis_c61.csv")],
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
                              "TMPDIR": str(tmp_path)})  # the child's copy of the district goes with tmp_path
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads(res.stdout.strip().splitlines()[-1])
    assert report["screen"][2:] == [1366, 768]
    assert report["problems"] == [], "\n".join(report["problems"])
    assert report["window"][2] <= 1366 and report["window"][3] <= 768
    assert set(report["dialogs"]) == {"import", "export", "assign", "fire checks", "people", "history", "user",
                                      "checkout", "city"}
