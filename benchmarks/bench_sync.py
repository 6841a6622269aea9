"""Sync on the stress district (20,000 cells, 1,000,000 fire points, ~390 MB), beside raw pygeodiff.

Two laptops are checked out from a shared copy of the stress district.  Laptop B makes N edits and
syncs first, so laptop A's sync must download, rebase and upload.  Laptop A makes N edits of its
own (an administrator, so nothing is refused) and syncs: that sync is timed.  In the same process,
on copies of the same files, the raw pygeodiff work for the same changes is timed: create the
changeset base -> A, rebase A onto B's shared file, apply A's rebased changeset to a copy of the
shared file.  N = 1 and N = 10,000 (fire-point check results).
"""

from __future__ import annotations

import shutil

from ._harness import CONFIG, PEAK_RSS, run_snippet

SNIPPET = PEAK_RSS + """
import json, shutil, sqlite3, time
from pathlib import Path
import pygeodiff
from gridwatch.storage.gpkg import connect_readwrite, transaction
from gridwatch.sync import checkout, sync
root = Path({root!r})
n = {n}
if root.exists():
    shutil.rmtree(root)
(root / "share").mkdir(parents=True)
(root / "a").mkdir(); (root / "b").mkdir()
shared = root / "share" / "district.gpkg"
shutil.copyfile({stress!r}, shared)
con = sqlite3.connect(shared)
admin = con.execute("SELECT name FROM inspector WHERE role = 'admin'").fetchone()[0]
fids = [r[0] for r in con.execute("SELECT fid FROM fire_point WHERE status = 'unverified' ORDER BY fid LIMIT ?",
                                  (2 * n,))]
con.close()
a = checkout(shared, root / "a" / "p.gpkg", admin)
b = checkout(shared, root / "b" / "p.gpkg", admin)

def edit(path, ids, status):
    with connect_readwrite(path) as c:
        with transaction(c):
            c.executemany("UPDATE fire_point SET status = ? WHERE fid = ?", [(status, i) for i in ids])

def one_edit(path, sql):
    with connect_readwrite(path) as c:
        with transaction(c):
            c.execute(sql)

if n == 1:  # a day's single correction on each laptop: a mine's operator, a site's dust grade
    one_edit(b, "UPDATE mine SET operator = 'B-' || COALESCE(operator, '') WHERE fid = 1")
    sync(b)
    one_edit(a, "UPDATE construction_site SET dust_grade = CASE dust_grade WHEN 'A' THEN 'B' ELSE 'A' END WHERE fid = 1")
else:  # a season's bulk of fire-point check results on each laptop
    edit(b, fids[1::2], "no_burning")
    sync(b)
    edit(a, fids[0::2], "burning_confirmed")
base = a.parent / (".p.gpkg.sync") / "base.gpkg"
# raw pygeodiff on copies of the same files (same run)
raw = root / "raw"; raw.mkdir()
gd = pygeodiff.GeoDiff()
gd.set_tables_to_skip(["gridwatch_sync_dirty"])  # GridWatch's local change tracking
shutil.copyfile(a, raw / "mine.gpkg"); shutil.copyfile(shared, raw / "theirs.gpkg")
t0 = time.perf_counter()
gd.create_changeset(str(base), str(raw / "mine.gpkg"), str(raw / "mine.diff"))
t_create = time.perf_counter() - t0
t0 = time.perf_counter()
gd.rebase(str(base), str(raw / "theirs.gpkg"), str(raw / "mine.gpkg"), str(raw / "conflicts.json"))
t_rebase = time.perf_counter() - t0
gd.create_changeset(str(raw / "theirs.gpkg"), str(raw / "mine.gpkg"), str(raw / "up.diff"))
t0 = time.perf_counter()
gd.apply_changeset(str(raw / "theirs.gpkg"), str(raw / "up.diff"))
t_apply = time.perf_counter() - t0
size = (raw / "up.diff").stat().st_size
shutil.rmtree(raw)
t0 = time.perf_counter()
report = sync(a)
t_sync = time.perf_counter() - t0
out = dict(n=n, sync=t_sync, create=t_create, rebase=t_rebase, apply=t_apply, changeset_kb=size / 1024,
           sent=report.sent, received=report.received, conflicts=report.conflicts, peak_mb=peak_mb())
shutil.rmtree(root)
print(json.dumps(out))
"""


def run(repeats: int = 1) -> str:
    rows = []
    for n in (1, CONFIG.size(10_000, 20)):
        r = run_snippet(SNIPPET.format(root=str(CONFIG.data / "sync_bench"), n=n, stress=str(CONFIG.district)),
                        timeout=7200)
        raw = r["create"] + r["rebase"] + r["apply"]
        rows.append(f"| {n:,} | {r['sync']:.2f} | {r['create']:.2f} | {r['rebase']:.2f} | {r['apply']:.2f} "
                    f"| {raw:.2f} | **{r['sync'] / raw:.2f}** | {r['changeset_kb']:.0f} | {r['sent']:,} / "
                    f"{r['received']:,} | {r['peak_mb']:.0f} |")
    shutil.rmtree(CONFIG.data / "sync_bench", ignore_errors=True)
    return (
        "### Sync on the stress district (`benchmarks/bench_sync.py`)\n\n"
        "Laptop B syncs N edits first; laptop A then syncs N edits of its own (timed), which downloads,\n"
        "rebases and uploads. Raw pygeodiff on copies of the same files in the same run: create the\n"
        "changeset, rebase onto the shared file, apply to the shared file.\n\n"
        "| edits | GridWatch sync s | geodiff create s | rebase s | apply s | raw total s | ratio | changeset KB "
        "| sent / received | peak MB |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n"
        + "\n".join(rows) + "\n"
    )
