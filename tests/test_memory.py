"""Freed big arrays go back to the operating system (gridwatch.mapview.memory), so the map's memory
is what it holds, not what it once touched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SNIPPET = """
import json, sys
import numpy as np
from gridwatch.mapview.memory import keep_big_blocks_mapped, return_freed_memory
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
fixed = keep_big_blocks_mapped() if sys.argv[1] == "fixed" else False
a = np.ones(8 << 20, np.uint8); del a  # the first big block freed (glibc then raises its threshold)
before = rss()
images, small = [], []
for _ in range(30):  # a render's worth of layer images (90 MB), and small arrays made between them
    images.append(np.ones(3 << 20, np.uint8))
    small.append(np.ones(1000, np.uint8))
del images
print(json.dumps({"fixed": fixed, "kept_mb": rss() - before}))
"""


def _kept(mode: str) -> dict:
    res = subprocess.run([sys.executable, "-c", SNIPPET, mode], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_freed_layer_images_are_given_back():
    fixed, default = _kept("fixed"), _kept("default")
    assert fixed["fixed"] is True
    assert fixed["kept_mb"] < 15  # 90 MB of images freed: given back
    assert default["kept_mb"] > fixed["kept_mb"] + 40  # what glibc kept without it
