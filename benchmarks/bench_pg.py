"""The PostGIS shared project against the shared folder (issue 19), in one run on this machine.

* **50 laptops at once**: 50 working copies of the sample district (a shared folder's and a PostGIS
  district's), each with one edit; 50 worker processes forked before the clock starts (so interpreter
  start-up is not measured), each syncing its working copy with its own connection, released at the same
  moment.  Time until all are done, and the 95th percentile of one sync.  The shared folder's syncs take
  turns on its lock file; the server's pull, merge and push run side by side.
* **10,000 edits from one laptop** on the stress district (fire-point check results), shared folder vs
  PostGIS; the same edits, each sync timed.
* **The stress district published** (`gridwatch publish`), and one laptop checking it out.

The server is a throwaway PostgreSQL 15 + PostGIS cluster (tests/pgcluster.py) with fsync on (durable),
on this machine's local socket.  ``python -m benchmarks --only pg``; ``GRIDWATCH_BENCH_PG=concurrent``
runs the 50 laptops alone (``=bulk``: the rest alone), ``GRIDWATCH_BENCH_PG_KINDS=pg`` leaves the
shared folder out of them (quick iterations on the server's side).
"""

from __future__ import annotations

import os

from ._harness import CONFIG, PEAK_RSS, run_snippet

CONCURRENT = PEAK_RSS + """
import json, multiprocessing as mp, os, shutil, sqlite3, statistics, sys, time
from pathlib import Path
sys.path.insert(0, {root_dir!r})
from tests.pgcluster import Cluster
from gridwatch.sync import checkout, sync
from gridwatch.sync.pg.publish import publish
from gridwatch.storage.gpkg import connect_readwrite, transaction
N = {n}
root = Path({root!r})
shutil.rmtree(root, ignore_errors=True)
(root / "share").mkdir(parents=True)
sample = Path({sample!r})
shared = root / "share" / "district.gpkg"
shutil.copyfile(sample, shared)
con = sqlite3.connect(sample)
admin = con.execute("SELECT name FROM inspector WHERE role = 'admin'").fetchone()[0]
fids = [r[0] for r in con.execute("SELECT fid FROM mine ORDER BY fid")]
con.close()
cluster = Cluster(durable=True, max_connections=200).start()
try:
    url = cluster.create_database("bench")
    publish(sample, url, logins=True)
    laptops = {{kind: [] for kind in {kinds!r}}}
    for kind in laptops:
        for i in range(N + 1):  # the last one warms the parent (below), as a running app is warm
            folder = root / kind / f"l{{i:02d}}"
            folder.mkdir(parents=True)
            src = shared if kind == "share" else cluster.url("bench", user=admin)
            lp = checkout(src, folder / "p.gpkg", admin)
            with connect_readwrite(lp) as c:
                with transaction(c):
                    c.execute("UPDATE mine SET operator = ? WHERE fid = ?", (f"operator {{kind}} {{i}}", fids[i % len(fids)]))
            laptops[kind].append(lp)

    def worker(lp, start, out):
        import resource
        start.wait()
        t0 = time.perf_counter()
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        def cpu():
            r1 = resource.getrusage(resource.RUSAGE_SELF)
            return (r1.ru_utime - r0.ru_utime, r1.ru_stime - r0.ru_stime)
        try:
            rep = sync(lp, lock_wait=600)
            out.put((time.perf_counter() - t0, time.perf_counter(), rep.refused, None, cpu()))
        except Exception as exc:
            out.put((time.perf_counter() - t0, time.perf_counter(), 0, repr(exc), cpu()))

    # One sync of each kind in the parent before the clock: the modules and libraries a sync loads on first
    # use are loaded, as in an app that has been running; then the parent's objects are frozen out of the
    # cyclic GC, so that the forked workers do not copy its pages when they collect (what a pre-forking
    # server does); neither is part of a sync.
    import gc
    for kind in laptops:
        sync(laptops[kind].pop(), lock_wait=600)
    gc.collect()
    gc.freeze()
    res = {{}}
    ctx = mp.get_context("fork")

    def server_cpu():
        # CPU seconds of the server so far: the postmaster's and its ended sessions' (each sync's session
        # ends with it; the postmaster adds its CPU when it reaps it)
        pid = int((cluster.data / "postmaster.pid").read_text().split()[0])
        f = open(f"/proc/{{pid}}/stat").read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in f[11:15]) / os.sysconf("SC_CLK_TCK")

    for kind in laptops:
        start, out = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=worker, args=(lp, start, out)) for lp in laptops[kind]]
        for p in procs:
            p.start()
        time.sleep(2.0)  # every worker forked and waiting
        load = os.getloadavg()[0]
        cpu0 = server_cpu()
        t0 = time.perf_counter()
        start.set()
        got = [out.get(timeout=1200) for _ in procs]
        for p in procs:
            p.join()
        time.sleep(0.5)  # the last sessions reaped
        server = (server_cpu() - cpu0) / len(procs)
        errors = [g[3] for g in got if g[3]]
        secs = sorted(g[0] for g in got)
        res[kind] = dict(all_done=max(g[1] for g in got) - t0, p95=secs[int(0.95 * (len(secs) - 1))],
                         median=statistics.median(secs), errors=len(errors), first_error=errors[:1],
                         user_median=statistics.median(g[4][0] for g in got),
                         sys_median=statistics.median(g[4][1] for g in got),
                         cpu_mean=sum(g[4][0] + g[4][1] for g in got) / len(got), server_cpu=server, load=load)
    print(json.dumps(res))
finally:
    cluster.stop()
    shutil.rmtree(root, ignore_errors=True)
"""

BULK = PEAK_RSS + """
import json, shutil, sqlite3, sys, time
from pathlib import Path
sys.path.insert(0, {root_dir!r})
from tests.pgcluster import Cluster
from gridwatch.sync import checkout, sync
from gridwatch.sync.pg.publish import publish
from gridwatch.storage.gpkg import connect_readwrite, transaction
n = {n}
root = Path({root!r})
shutil.rmtree(root, ignore_errors=True)
(root / "share").mkdir(parents=True)
(root / "a").mkdir(); (root / "b").mkdir()
stress = Path({stress!r})
shared = root / "share" / "district.gpkg"
shutil.copyfile(stress, shared)
con = sqlite3.connect(stress)
admin = con.execute("SELECT name FROM inspector WHERE role = 'admin'").fetchone()[0]
uuids = [r[0] for r in con.execute("SELECT uuid FROM fire_point WHERE status = 'unverified' ORDER BY fid LIMIT ?", (n,))]
con.close()

def edit(path):
    with connect_readwrite(path) as c:
        with transaction(c):
            c.executemany("UPDATE fire_point SET status = 'no_burning' WHERE uuid = ?", [(u,) for u in uuids])

out = {{}}
cluster = Cluster(durable=True).start()
try:
    url = cluster.create_database("bench")
    t0 = time.perf_counter()
    rep = publish(stress, url, logins=True)
    out["publish"] = time.perf_counter() - t0
    out["rows"] = rep.rows
    t0 = time.perf_counter()
    b = checkout(cluster.url("bench", user=admin), root / "b" / "p.gpkg", admin)
    out["checkout_pg"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    a = checkout(shared, root / "a" / "p.gpkg", admin)
    out["checkout_share"] = time.perf_counter() - t0
    edit(a)
    edit(b)
    t0 = time.perf_counter()
    ra = sync(a)
    out["sync_share"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rb = sync(b)
    out["sync_pg"] = time.perf_counter() - t0
    out["sent_share"], out["sent_pg"] = ra.sent, rb.sent
    out["peak_mb"] = peak_mb()
finally:
    cluster.stop()
    shutil.rmtree(root, ignore_errors=True)
print(json.dumps(out))
"""


def run(repeats: int = 1, n_laptops: int = 0, n_edits: int = 0) -> str:
    n_laptops = n_laptops or CONFIG.size(50, 2)
    n_edits = n_edits or CONFIG.size(10_000, 20)
    from ._harness import ROOT

    parts = os.environ.get("GRIDWATCH_BENCH_PG", "all")
    kinds = [k for k in ("share", "pg") if k in os.environ.get("GRIDWATCH_BENCH_PG_KINDS", "share,pg").split(",")]
    sample = ROOT / "sample_data" / "luquan_sample.gpkg"
    out = ""
    if parts in ("all", "concurrent"):
        c = run_snippet(CONCURRENT.format(root_dir=str(ROOT), root=str(CONFIG.data / "pg_bench"), sample=str(sample),
                                          n=n_laptops, kinds=kinds), timeout=3600)
        out += (
            "### PostGIS shared project vs shared folder (`benchmarks/bench_pg.py`)\n\n"
            f"{n_laptops} laptops (working copies of the sample district), one edit each, {n_laptops} worker processes "
            "forked before the clock, released at once; each sync opens its own connection. Server: a throwaway "
            "PostgreSQL 15.18 + PostGIS 3.3 cluster on the local socket, fsync on.\n\n"
            "| shared project | all done s | p95 one sync s | median s | laptop CPU per sync, user + sys ms (median) "
            "| laptop + server CPU per sync ms (mean) | load at start | errors |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|\n")
        names = {"share": "shared folder (takes turns on its lock)", "pg": "PostGIS"}
        for kind in kinds:
            r = c[kind]
            out += (f"| {names[kind]} | {r['all_done']:.2f} | {r['p95']:.2f} | {r['median']:.2f} "
                    f"| {r['user_median'] * 1000:.0f} + {r['sys_median'] * 1000:.0f} "
                    f"| {r['cpu_mean'] * 1000:.0f} + {r['server_cpu'] * 1000:.0f} | {r['load']:.1f} "
                    f"| {r['errors']} |\n")
        if len(kinds) == 2:
            ratio = c["pg"]["all_done"] / c["share"]["all_done"]
            out += f"\nRatio PostGIS / shared folder, all done: **{ratio:.2f}**\n"
    if parts in ("all", "bulk"):
        b = run_snippet(BULK.format(root_dir=str(ROOT), root=str(CONFIG.data / "pg_bulk"), stress=str(CONFIG.district),
                                    n=n_edits),
                        timeout=7200)
        out += (
            f"\nStress district ({b['rows']:,} rows): publish {b['publish']:.1f} s; check out one laptop: PostGIS "
            f"{b['checkout_pg']:.1f} s, shared folder {b['checkout_share']:.1f} s.\n\n"
            f"{n_edits:,} fire-point check results from one laptop, one sync: shared folder {b['sync_share']:.2f} s, "
            f"PostGIS {b['sync_pg']:.2f} s (ratio **{b['sync_pg'] / b['sync_share']:.2f}**; sent {b['sent_share']:,} / "
            f"{b['sent_pg']:,}; peak {b['peak_mb']:.0f} MB).\n"
        )
    return out
