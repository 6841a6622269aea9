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



RENDERS = r"""
import json, sys
from concurrent.futures import ThreadPoolExecutor
import numpy as np
from gridwatch.mapview.memory import keep_big_blocks_mapped, reuse_blocks_up_to
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
keep_big_blocks_mapped()  # as the app starts
if sys.argv[1] == "reuse":
    reuse_blocks_up_to(1000 * 1600 * 4)  # as the canvas does for its view
kept = []
def image():
    out = np.zeros((1000, 1600, 4), np.uint8)
    out[:, ::64] = 1  # drawn on every page
    return out
def render():  # layer images of a 1600 x 1000 view, the last few kept (the canvas's cache)
    for _ in range(30):
        kept.append(image())
        if len(kept) > 8:
            kept.pop(0)
worker = ThreadPoolExecutor(1)  # the render worker
for _ in range(3):
    worker.submit(render).result()
held = rss()
kept.pop(0)  # an image of the last render freed...
freed = rss()
kept.append(worker.submit(image).result())  # ...and the next one drawn
drawn = rss()
kept.clear()
before_big = rss()
big = [np.ones(40 << 20, np.uint8) for _ in range(3)]  # bigger than a view's image: mapped, given back
del big
print(json.dumps({"given_back_on_free": held - freed, "new_pages_drawn": drawn - freed,
                  "big_kept": rss() - before_big}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_a_renders_layer_images_reuse_the_pages_of_the_last_renders():
    runs = {}
    for mode in ("mapped", "reuse"):
        res = subprocess.run([sys.executable, "-c", RENDERS, mode], capture_output=True, text=True, cwd=ROOT,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
        assert res.returncode == 0, res.stderr
        runs[mode] = json.loads(res.stdout.strip().splitlines()[-1])
    image_mb = 1000 * 1600 * 4 / 2**20
    # Mapped afresh (how big blocks are served otherwise): a freed image's pages go, the next one's come anew.
    assert runs["mapped"]["given_back_on_free"] > image_mb / 2
    assert runs["mapped"]["new_pages_drawn"] > image_mb / 2
    # Reused: the next image is drawn on the freed one's pages, no page faulted in.
    assert runs["reuse"]["given_back_on_free"] < 1, runs
    assert runs["reuse"]["new_pages_drawn"] < 1, runs
    # Blocks bigger than a view's image are still given back when freed.
    assert runs["reuse"]["big_kept"] < 10, runs


HUGE = r"""
import json, sys
import numpy as np
from gridwatch.mapview.memory import keep_big_blocks_mapped
if sys.argv[1] == "fixed":
    keep_big_blocks_mapped()  # as the app starts
image = np.zeros((1000, 1600, 4), np.uint8)  # a view's image
address = image.ctypes.data + image.nbytes // 2
flags = []
with open("/proc/self/smaps") as f:
    inside = False
    for line in f:
        head = line.split()[0]
        if "-" in head and not head.endswith(":"):
            lo, hi = (int(x, 16) for x in head.split("-"))
            inside = lo <= address < hi
        elif inside and head == "VmFlags:":
            flags = line.split()[1:]
print(json.dumps({"flags": flags}))
"""


@pytest.mark.skipif(not Path("/sys/kernel/mm/transparent_hugepage").exists(),
                    reason="a Linux kernel with transparent huge pages")
def test_a_view_sized_image_asks_for_no_huge_pages():
    # numpy marks big arrays for huge pages; made by compacting memory on the first touch, one stalled a
    # render (and the GUI waiting for it) for 10-40 ms.  The app's start turns that off.
    def flags(mode: str) -> list[str]:
        res = subprocess.run([sys.executable, "-c", HUGE, mode], capture_output=True, text=True, cwd=ROOT,
                             env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout.strip().splitlines()[-1])["flags"]

    assert flags("default") and "hg" in flags("default")  # what numpy does by itself
    assert flags("fixed") and "hg" not in flags("fixed")
