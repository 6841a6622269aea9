"""Seeded sync torture: ten laptops edit at random, sync in random order, some syncs are SIGKILLed.

Each laptop is a working copy checked out from one shared project (2 supervisors, 8 inspectors who
have cells).  Every round, in a random order and two laptops at a time (so syncs also queue on each
other's lock), each laptop runs ``tools/sync_laptop.py``: a random number of random edits fitting its
user's role (tasks, fire checks, findings with photos, the whole finding loop, corrections, undo of
a finding = a delete), journaled, then a sync.  About one sync in four is killed with SIGKILL inside
a chosen stage (the helper prints ``SYNC-START`` and ``STAGE <progress message>``; the test waits for
the stage, sleeps a random few ms and kills).  A killed sync may leave a dead lock (stale after 2 s
here; the helper scales the lock heartbeat down to 0.5 s to match) and a half-done sync that the
laptop's next sync must finish or discard, after the laptop has gone on editing.  Each laptop gets
its own TMPDIR, as it would be its own computer (pygeodiff's temp file names are the same in every
process: see tools/sync_laptop.py).

After the rounds every laptop syncs twice around without kills.  Then:

(a) ``PRAGMA integrity_check`` is ok on the shared file and on every laptop (copy and base), and the
    finding layer's spatial index and feature count match the table;
(b) every laptop's workflow tables equal the shared file's (by uuid, fid ignored);
(c) every journaled edit (the helper journals each row it wrote, after the commit) is in the
    shared file with the value written, unless that row and column has a ``sync_conflict`` row
    or another journaled edit wrote it too; inserted rows exist unless journaled as deleted
    (undo), deleted rows are gone; no uuid appears twice; no value appears in the shared file
    that no edit wrote (an edit landing on another record shows up here), the audit log holds
    exactly the journaled audit rows, every overridden value in ``sync_conflict`` is a value some
    edit wrote, no sync refused an edit the workflow allowed, and ``sync_log`` has one row per
    sync that landed;
(d) no lock file is left beside the shared file, no laptop has a sync pending;
(e) GDAL's validate_gpkg passes on the shared file.

Field-office faults are mixed in (``GRIDWATCH_TORTURE_FAULTS=0`` turns them off): the shared folder copied
to a USB stick and later put back over the share (copied over it, or restored as a backup; the last one
right before the final syncs), the snapshot backed up and put back after a compaction, the snapshot
edited by another program (journaled like a laptop's edits), a window in which the share is read-only
or full (when the machine lets the test mount a tmpfs of its own for the share), a second process
recording edits on a laptop while it syncs, and a second sync of the same working copy.

The short version runs in the suite (3 rounds of 10-20 edits per laptop, every fault once, ~40 s on 2
cores); ``GRIDWATCH_TORTURE=long`` runs 100 rounds of 10-40 (``GRIDWATCH_TORTURE_ROUNDS``) with random
faults.  ``GRIDWATCH_TORTURE_SEED`` picks the seed
(printed on failure with where the files were kept; the interleaving of two laptops at once and the
kill moments depend on timing, so a seed fixes the edits and the kill plan, not every byte);
``GRIDWATCH_TORTURE_JOBS`` how many laptops act at once (1 = one after the other).  Two diagnosis
knobs: ``GRIDWATCH_TORTURE_RESYNC_AFTER_KILL=1`` (a laptop whose sync was killed syncs before
editing again) and ``GRIDWATCH_TORTURE_PATCH=FILE`` (the helper runs FILE before each sync, to try
a fix of the sync core by monkeypatching it).

The failures it found are reproduced deterministically at the end of this file.
"""

from __future__ import annotations

import collections
import concurrent.futures
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import traceback
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest

from gridwatch.sync import SyncReport, checkout, read_lock, sync, sync_dir
from gridwatch.sync.engine import compact_shared
from gridwatch.sync.lock import lock_path
from gridwatch.sync.sharelog import log_dir

from . import sharefs

ROOT = Path(__file__).resolve().parent.parent
HELPER = ROOT / "tools" / "sync_laptop.py"
SEED = int(os.environ.get("GRIDWATCH_TORTURE_SEED", "20251120"))
JOBS = max(1, int(os.environ.get("GRIDWATCH_TORTURE_JOBS", "2")))
LONG = os.environ.get("GRIDWATCH_TORTURE", "").lower() == "long"
#: Diagnosis: a laptop whose sync was killed syncs again before editing (sidesteps the edits-after-a-
#: killed-upload path, to look for other problems while that one is open).
RESYNC_AFTER_KILL = os.environ.get("GRIDWATCH_TORTURE_RESYNC_AFTER_KILL", "") == "1"
#: Diagnosis: a Python file the helper runs before each sync (a candidate fix monkeypatching the sync
#: core); the last syncs then also go through the helper.
PATCH = os.environ.get("GRIDWATCH_TORTURE_PATCH", "")
STALE_AFTER = 2.0
#: Tables every laptop must hold exactly as the shared file does after the last syncs.
COMPARED = ("assignment", "inspection", "finding", "attachment", "fire_point", "sync_conflict", "audit_log")
#: Tables whose every value must come from the sample or from a journaled edit.
EDITED = ("assignment", "inspection", "finding", "attachment", "fire_point")


@dataclass
class Plan:
    rounds: int
    edits: tuple[int, int]
    kill_rate: float = 0.25


#: Where syncs are killed: (the helper's progress line to wait for, weight, longest delay after it in s;
#: a sync of the sample takes ~0.15 s, its upload and finish ~30 ms each).  "SYNC-START" is anywhere in
#: the sync: the delay is then a fraction of a typical sync's time.
KILL_POINTS = (
    ("SYNC-START", 2, 1.3),
    ("checking local edits", 1, 0.06),
    ("waiting for the shared project", 1, 0.02),
    ("reading the shared project", 1, 0.03),
    ("merging", 1, 0.08),
    ("writing the shared project", 3, 0.04),
    ("updating this laptop", 3, 0.04),
)

#: Field-office faults mixed in (issue 12): the share rolled back from a USB stick or a backup, the snapshot
#: edited by another program, a read-only or full share, edits on a laptop during its own sync, two syncs of
#: one copy.  ``GRIDWATCH_TORTURE_FAULTS=0`` turns them off.
FAULTS = os.environ.get("GRIDWATCH_TORTURE_FAULTS", "1") != "0"

SHORT = Plan(rounds=3, edits=(10, 20))
#: The long form: 100 rounds of ten laptops (over 1,000 syncs with the faults mixed in);
#: ``GRIDWATCH_TORTURE_ROUNDS`` changes the number of rounds.
LONG_PLAN = Plan(rounds=int(os.environ.get("GRIDWATCH_TORTURE_ROUNDS", "100")), edits=(10, 40))


# --- reading a project ----------------------------------------------------------------------------


def plain(v: Any) -> Any:
    """A value as the helper journals it: BLOBs as ``{"sha256": ...}``."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"sha256": hashlib.sha256(bytes(v)).hexdigest()}
    return v


def key(v: Any) -> str:
    return json.dumps(plain(v), sort_keys=True, ensure_ascii=False)


def load(path: Path, tables=COMPARED) -> tuple[dict[str, dict[str, dict[str, Any]]], list[str]]:
    """``{table: {uuid: {column: value}}}`` (fid left out, BLOBs hashed) and duplicate uuids found."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    dups = []
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        for t in tables:
            cur = con.execute(f'SELECT * FROM "{t}"')
            names = [d[0] for d in cur.description]
            rows: dict[str, dict[str, Any]] = {}
            for r in cur.fetchall():
                rec = {k: plain(v) for k, v in zip(names, r) if k != "fid"}
                if rec["uuid"] in rows:
                    dups.append(f"{path.name}: {t} {rec['uuid']}")
                rows[rec["uuid"]] = rec
            out[t] = rows
    return out, dups


def integrity(path: Path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return "; ".join(r[0] for r in con.execute("PRAGMA integrity_check"))


def rtree_problems(path: Path) -> list[str]:
    """The finding layer's spatial index must hold exactly the findings with a geometry."""
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        fids = {r[0] for r in con.execute("SELECT fid FROM finding WHERE geom IS NOT NULL")}
        ids = {r[0] for r in con.execute("SELECT id FROM rtree_finding_geom")}
        count = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'finding'").fetchone()
        n = con.execute("SELECT COUNT(*) FROM finding").fetchone()[0]
    out = []
    if fids != ids:
        out.append(f"{path}: rtree_finding_geom ids differ from finding fids "
                   f"(missing {sorted(fids - ids)[:5]}, extra {sorted(ids - fids)[:5]})")
    if count is not None and count[0] is not None and count[0] != n:
        out.append(f"{path}: gpkg_ogr_contents says {count[0]} findings, the table has {n}")
    return out


# --- the office --------------------------------------------------------------------------------------


@dataclass
class Office:
    root: Path
    shared: Path
    team: Path
    laptops: list[Path]
    users: dict[Path, str]
    mounted: bool = False  # the share is a file system of its own (tmpfs): it can turn read-only or fill up

    @property
    def office_journal(self) -> Path:
        """Where edits made to the shared file by "another program" are journaled (as a laptop's are)."""
        return self.root / "office" / "project.gpkg"


#: The share's own file system: what a share holds after the rounds is printed with the summary.
SHARE_BYTES = 1024 * 1024 * 1024


def share_usage(share: Path, most: int = 8) -> str:
    """What takes the room on the share: its size and largest files (a share must not fill up with leftovers)."""
    files = sorted(((p.stat().st_size, p) for p in share.rglob("*") if p.is_file()), reverse=True, key=lambda t: t[0])
    total = sum(size for size, _ in files)
    top = ", ".join(f"{p.relative_to(share)} {size / 2**20:.1f} MB" for size, p in files[:most])
    return f"share holds {total / 2**20:.1f} MB in {len(files)} files (largest: {top})"
@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The sample district without its two months of work: the torture journals and checks every row it
    makes against the district as it was."""
    from .conftest import SAMPLE, clear_work

    path = tmp_path_factory.mktemp("bare") / "sample.gpkg"
    shutil.copyfile(SAMPLE, path)
    return clear_work(path)


@pytest.fixture
def torture_office(tmp_path: Path, sample_path: Path):
    """A shared project and ten laptops: two supervisors and eight inspectors who have cells."""
    rng = random.Random(SEED)
    share = tmp_path / "share"
    mounted = FAULTS and sharefs.mount(share, SHARE_BYTES)
    share.mkdir(exist_ok=True)
    (tmp_path / "office").mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)
    with closing(sqlite3.connect(f"file:{shared}?mode=ro", uri=True)) as con:
        sups = [r[0] for r in con.execute("SELECT name FROM inspector WHERE role = 'supervisor' "
                                          "AND (active IS NULL OR active = 1) ORDER BY name")]
        with_cells = con.execute(
            "SELECT i.name, i.uuid FROM inspector i WHERE i.role = 'inspector' AND (i.active IS NULL OR i.active = 1) "
            "AND EXISTS (SELECT 1 FROM grid_cell c WHERE c.inspector_uuid = i.uuid) ORDER BY i.name").fetchall()
        assert len(sups) >= 2 and len(with_cells) >= 8, "the sample needs 2 supervisors and 8 inspectors with cells"
        inspectors = rng.sample(with_cells, 8)
        cells: list[str] = []
        for _, uid in inspectors:
            codes = [r[0] for r in con.execute(
                "SELECT code FROM grid_cell WHERE inspector_uuid = ? ORDER BY "
                "(SELECT COUNT(*) FROM fire_point f WHERE f.cell_code = grid_cell.code AND f.status = 'unverified') "
                "DESC, code", (uid,))]
            cells += codes[:2] + rng.sample(codes[2:], min(2, len(codes) - 2))
    team = tmp_path / "team.json"
    team.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    laptops, users = [], {}
    for i, name in enumerate(sups[:2] + [n for n, _ in inspectors]):
        folder = tmp_path / f"laptop{i:02d}"
        folder.mkdir()
        local = checkout(shared, folder / "project.gpkg", name)
        laptops.append(local)
        users[local] = name
    yield Office(tmp_path, shared, team, laptops, users, mounted)
    if mounted:
        sharefs.unmount(share)


# --- what field offices do to a shared folder ---------------------------------------------------------


class ShareFaults:
    """Between rounds: the share copied to a USB stick and later copied back over it or restored as a
    backup, the snapshot backed up and put back after a compaction, the snapshot edited by another
    program (journaled like a laptop's edits), and during a round a window in which the share is
    read-only or full (only when it is a file system of its own)."""

    def __init__(self, office: Office, rng: random.Random, counts: collections.Counter) -> None:
        self.office, self.rng, self.counts = office, rng, counts
        self.stick: Optional[Path] = None
        self.backup: Optional[Path] = None
        self.window: Optional[threading.Thread] = None

    def before_round(self, r: int, rounds: int) -> None:
        if self.window is not None:
            self.window.join()
        rng = self.rng
        if not LONG:  # the short form meets every fault once
            plan = {0: ["stick"], 1: ["backup", "direct", "read_only"], 2: ["restore_snapshot", "direct", "full"]}
            for what in plan.get(r, []):
                self.do(what)
            return
        if self.stick is None or rng.random() < 0.15:
            self.do("stick")
        elif rng.random() < 0.2:
            self.do("restore_stick")
        if self.backup is None or rng.random() < 0.15:
            self.do("backup")
        elif rng.random() < 0.15:
            self.do("restore_snapshot")
        if rng.random() < 0.3:
            self.do("direct")
        if rng.random() < 0.3:
            self.do(rng.choice(["read_only", "full"]))

    def before_final_syncs(self) -> None:
        """The harshest: an old copy of the whole folder goes back right before everyone's last syncs."""
        if self.window is not None:
            self.window.join()
        if self.stick is not None:
            self.do("restore_stick")

    def do(self, what: str) -> None:
        share = self.office.shared.parent
        if what == "stick":
            self.stick = self.office.root / f"stick-{self.counts['copied to a stick'] + 1}"
            shutil.copytree(share, self.stick, copy_function=shutil.copy2)
            self.counts["copied to a stick"] += 1
        elif what == "restore_stick" and self.stick is not None:
            replace = self.rng.random() < 0.5
            if replace:  # a backup restore: the folder as it was
                for child in share.iterdir():
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            shutil.copytree(self.stick, share, copy_function=shutil.copy2, dirs_exist_ok=True)
            self.counts["folder put back (replaced)" if replace else "folder put back (copied over)"] += 1
        elif what == "backup":
            self.backup = self.office.root / "snapshot-backup.gpkg"
            shutil.copy2(self.office.shared, self.backup)
            self.counts["snapshot backed up"] += 1
        elif what == "restore_snapshot" and self.backup is not None:
            compact_shared(self.office.shared, lock_wait=120)
            shutil.copy2(self.backup, self.office.shared)
            self.counts["snapshot put back after a compaction"] += 1
        elif what == "direct":
            if self.direct_edit():
                self.counts["snapshot edited by another program"] += 1
        elif what in ("read_only", "full") and self.office.mounted:
            seconds = self.rng.uniform(0.3, 2.5)
            self.window = threading.Thread(target=self._window, args=(what, seconds), daemon=True)
            self.window.start()
            self.counts["share " + what.replace("_", "-")] += 1

    def _window(self, what: str, seconds: float) -> None:
        share = self.office.shared.parent
        if what == "read_only":
            sharefs.read_only(share, True)
            time.sleep(seconds)
            sharefs.read_only(share, False)
        else:
            try:
                sharefs.fill(share)
                time.sleep(seconds)
            finally:  # whatever happened, the share gets its room back
                sharefs.free(share)

    def direct_edit(self) -> bool:
        """Another program (GDAL-based, as QGIS) corrects a finding's description in the shared file."""
        from gridwatch.storage.gpkg import register_gpkg_functions

        shared = self.office.shared
        with closing(sqlite3.connect(shared, isolation_level=None, timeout=30)) as con:
            register_gpkg_functions(con)
            rows = con.execute("SELECT uuid FROM finding ORDER BY uuid").fetchall()
            if not rows:
                return False
            uid = self.rng.choice(rows)[0]
            text = f"办公室直接修改 #{self.rng.randrange(10**6)}"
            try:
                con.execute("UPDATE finding SET description = ? WHERE uuid = ?", (text, uid))
            except sqlite3.OperationalError as exc:
                raise AssertionError(f"{exc}: {share_usage(shared.parent)}") from exc
        line = {"user": "office (another program)", "action": "direct edit", "table": "finding", "uuid": uid,
                "op": "update", "values": {"description": text}}
        journal = self.office.office_journal
        with open(journal.with_name(journal.name + ".edits.jsonl"), "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
        return True


# --- running the laptops ---------------------------------------------------------------------------


@dataclass
class Run:
    laptop: Path
    edits: int
    seed: int
    kill: Optional[tuple[str, float]]  # None: let the sync finish; else (stage, delay): kill that long into it
    compact_after: int = 1000
    extra_writer: int = 0  # edits a second process makes on the same working copy while it syncs
    double_sync: bool = False  # a second sync of the same working copy started while this one runs
    extra_syncs: int = 0  # of those second syncs, how many completed
    returncode: Optional[int] = None
    result: dict[str, Any] = field(default_factory=dict)
    killed_at: Optional[float] = None
    stage: Optional[str] = None  # a killed sync: "<target> +<ms>: <its pending stage>"; "done" if it ended first
    held_lock: bool = False
    stderr: str = ""


class Torture:
    def __init__(self, office: Office, plan: Plan, seed: int) -> None:
        self.office = office
        self.plan = plan
        self.rng = random.Random(seed)
        self.runs: list[Run] = []
        self.sync_seconds: list[float] = []
        self.logs = office.root / "logs"
        self.logs.mkdir(exist_ok=True)
        self.faults = FAULTS
        self.fault_counts: collections.Counter = collections.Counter()
        self.share_faults = ShareFaults(office, self.rng, self.fault_counts) if self.faults else None

    def typical_sync(self) -> float:
        return statistics.median(self.sync_seconds[-20:]) if self.sync_seconds else 0.5

    def execute(self, run: Run, n: int) -> Run:
        cmd = [sys.executable, str(HELPER), str(run.laptop), "--seed", str(run.seed), "--edits", str(run.edits),
               "--team", str(self.office.team), "--sync", "--stale-after", str(STALE_AFTER), "--lock-wait", "120",
               # the shared change log folded into the snapshot after every sync, now and then, or never
               "--compact-after", str(run.compact_after)]
        err_path = self.logs / f"{n:04d}-{run.laptop.parent.name}.stderr"
        with open(err_path, "w", encoding="utf-8") as err:
            # Each laptop is its own computer: its own temp folder.  (pygeodiff names its temp files
            # with an unseeded rand(), the same names in every process, so two processes rebasing at
            # once on one computer share /tmp/geodiff_fa37Jn_*.bin; TMPDIR is used verbatim as a prefix.)
            tmp = run.laptop.parent / "tmp"
            tmp.mkdir(exist_ok=True)
            env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(tmp) + os.sep)
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, encoding="utf-8", env=env)
            extras: list[subprocess.Popen] = []
            try:
                target, delay = run.kill if run.kill is not None else (None, 0.0)
                if target == "SYNC-START":  # anywhere: a fraction of a typical sync's time
                    delay *= self.typical_sync()
                started = reached = False
                while not reached and (target is not None or not started):
                    line = proc.stdout.readline()
                    if not line:
                        break  # ended (or crashed) before reaching the stage
                    if line.strip() == "SYNC-START" and not started:
                        started = True
                        extras = self.start_extras(run, n, env)
                    reached = target is not None and line.strip() in (target, "STAGE " + target)
                if reached:
                    run.killed_at = delay
                    time.sleep(delay)
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                        proc.wait()
                        state = json.loads((sync_dir(run.laptop) / "state.json").read_text(encoding="utf-8"))
                        pending = state.get("pending")
                        run.stage = f"{target} +{delay * 1000:.0f} ms: " + (
                            pending["stage"] if pending else "nothing pending")
                        held = read_lock(self.office.shared) or {}
                        run.held_lock = held.get("pid") == proc.pid
                    else:
                        run.stage = "done"  # finished before the kill
                out, _ = proc.communicate(timeout=600)
                for extra in extras:
                    extra.communicate(timeout=600)
                    if extra.returncode == 0 and "--sync" in extra.args:
                        run.extra_syncs += 1
                    if extra.returncode not in (0, 3):
                        pytest.fail(f"[seed {SEED}] a second process on {run.laptop.parent.name} failed with status "
                                    f"{extra.returncode}:\n{(self.logs / f'{n:04d}-extra.stderr').read_text()[-4000:]}",
                                    pytrace=False)
            except BaseException:
                for p in [proc, *extras]:
                    p.kill()
                    p.wait()
                raise
        run.returncode = proc.returncode
        run.stderr = err_path.read_text(encoding="utf-8")
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if lines:
            run.result = json.loads(lines[-1])
            if "sync" in run.result:
                self.sync_seconds.append(run.result["sync"]["seconds"])
        return run

    def start_extras(self, run: Run, n: int, env: dict[str, str]) -> list[subprocess.Popen]:
        """While the laptop's sync runs: a script recording edits on the same working copy, and/or a
        second sync of it (a second window)."""
        out = []
        err = open(self.logs / f"{n:04d}-extra.stderr", "a", encoding="utf-8")
        if run.extra_writer:
            out.append(subprocess.Popen([sys.executable, str(HELPER), str(run.laptop), "--seed", str(run.seed + 1),
                                         "--edits", str(run.extra_writer), "--team", str(self.office.team),
                                         "--no-undo"], stdout=subprocess.DEVNULL, stderr=err, env=env))
        if run.double_sync:
            out.append(subprocess.Popen([sys.executable, str(HELPER), str(run.laptop), "--sync", "--stale-after",
                                         str(STALE_AFTER), "--lock-wait", "120"], stdout=subprocess.DEVNULL,
                                        stderr=err, env=env))
        err.close()
        return out

    def round(self, r: int) -> None:
        order = list(self.office.laptops)
        self.rng.shuffle(order)
        runs = []
        killed_last = {run.laptop for run in self.runs[-len(order):] if run.returncode == -signal.SIGKILL}
        for lp in order:
            kill = None
            if self.rng.random() < self.plan.kill_rate:
                target = self.rng.choices([s for s, _, _ in KILL_POINTS], [w for _, w, _ in KILL_POINTS])[0]
                kill = (target, self.rng.uniform(0.0, dict((s, d) for s, _, d in KILL_POINTS)[target]))
            edits = self.rng.randint(*self.plan.edits)
            if RESYNC_AFTER_KILL and lp in killed_last:
                edits = 0
            run = Run(lp, edits, self.rng.randrange(2**31), kill, self.rng.choice((0, 3, 1000)))
            if self.faults and self.rng.random() < 0.2:
                run.extra_writer = self.rng.randint(3, 10)
                self.fault_counts["edits during the own sync"] += 1
            if self.faults and self.rng.random() < 0.1:
                run.double_sync = True
                self.fault_counts["two syncs of one copy"] += 1
            runs.append(run)
        base = len(self.runs)
        if self.share_faults is not None:
            self.share_faults.before_round(r, self.plan.rounds)
        with concurrent.futures.ThreadPoolExecutor(max_workers=JOBS) as pool:
            done = list(pool.map(lambda a: self.execute(*a), [(run, base + i) for i, run in enumerate(runs)]))
        self.runs += done
        with open(self.logs / "runs.jsonl", "a", encoding="utf-8") as fh:
            for run in done:
                fh.write(json.dumps({"round": r, "laptop": run.laptop.parent.name, "edits": run.edits,
                                     "seed": run.seed, "kill": run.kill, "stage": run.stage,
                                     "held_lock": run.held_lock, "returncode": run.returncode,
                                     "result": run.result}, ensure_ascii=False) + "\n")
        for run in done:
            if run.returncode not in (0, 3) and run.returncode != -signal.SIGKILL:
                pytest.fail(f"[seed {SEED}] round {r}: {run.laptop.parent.name} ({self.office.users[run.laptop]}) "
                            f"failed with status {run.returncode}:\n{run.stderr[-4000:]}\n{self.summary()}\n"
                            f"files kept in {self.office.root}", pytrace=False)
            if run.returncode == -signal.SIGKILL and run.killed_at is None:
                pytest.fail(f"[seed {SEED}] {run.laptop.parent.name} died of SIGKILL nobody sent:\n{run.stderr}")

    def summary(self) -> str:
        killed = [r for r in self.runs if r.returncode == -signal.SIGKILL]
        stages = collections.Counter(r.stage.split(": ")[-1] + (" (lock held)" if r.held_lock else "")
                                     for r in killed)
        errors = [r.result.get("sync_error", "") for r in self.runs if r.returncode == 3]
        done = collections.Counter()
        refused = 0
        for r in self.runs:
            for k, v in r.result.get("edits", {}).get("done", {}).items():
                done[k] += v
            refused += r.result.get("edits", {}).get("refused", 0)
        conflicts = sum(r.result.get("sync", {}).get("conflicts", 0) for r in self.runs)
        return (f"seed {SEED}, {len(self.runs)} laptop runs, {len(killed)} syncs killed ({dict(stages)}), "
                f"faults {dict(self.fault_counts)}, "
                f"{len(errors)} sync errors {errors[:3]}, {sum(done.values())} edits {dict(done)}, {refused} refused "
                f"by the workflow, {conflicts} conflicts settled, median sync {self.typical_sync():.2f} s")


# --- the journal ---------------------------------------------------------------------------------------


def read_journals(laptops: list[Path]) -> list[dict[str, Any]]:
    lines = []
    for lp in laptops:
        path = lp.with_name(lp.name + ".edits.jsonl")
        if path.exists():
            for i, text in enumerate(path.read_text(encoding="utf-8").splitlines()):
                line = json.loads(text)
                line["laptop"], line["n"] = lp.parent.name, i
                lines.append(line)
    return lines


def check_journal(shared: Path, sample: Path, journal: list[dict[str, Any]]) -> list[str]:
    """Every journaled write is in ``shared`` or accounted for; nothing in ``shared`` comes from nowhere."""
    problems: list[str] = []
    final, dups = load(shared)
    problems += dups
    original, _ = load(sample, EDITED)
    writes: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    deleted: set[str] = set()
    inserted: dict[str, str] = {}
    inserted_cols: dict[str, set[str]] = {}
    for line in journal:
        if line["op"] == "delete":
            deleted.add(line["uuid"])
            continue
        if line["op"] == "insert":
            inserted[line["uuid"]] = line["table"]
            inserted_cols[line["uuid"]] = set(line["values"])
        for col, v in line["values"].items():
            writes[(line["uuid"], col)][key(v)] += 1
    conflicted = {(r["row_uuid"], r["column_name"]) for r in final["sync_conflict"].values()}
    conflicted_rows = {r["row_uuid"] for r in final["sync_conflict"].values()}

    def where(line: dict[str, Any]) -> str:
        return f"{line['laptop']} line {line['n']} ({line['user']}: {line['action']}) {line['table']} {line['uuid']}"

    # 1. every journaled write survives or is accounted for
    for line in journal:
        row = final[line["table"]].get(line["uuid"]) if line["table"] in final else None
        if line["op"] == "delete":
            if row is not None:
                problems.append(f"{where(line)}: deleted (undo) but still in the shared file")
            continue
        if line["uuid"] in deleted:
            if row is not None:
                problems.append(f"{where(line)}: row deleted by an undo is back in the shared file")
            continue
        if row is None:
            why = " (it has a sync_conflict row)" if line["uuid"] in conflicted_rows else ""
            problems.append(f"{where(line)}: {line['op']} lost: row missing from the shared file{why}")
            continue
        for col, v in line["values"].items():
            if key(row.get(col)) == key(v):
                continue
            if (line["uuid"], col) in conflicted or sum(writes[(line["uuid"], col)].values()) > 1:
                continue
            problems.append(f"{where(line)}: {col} = {v!r} lost: shared has {row.get(col)!r} and no sync_conflict row")

    # 2. nothing in the shared file comes from nowhere
    for t in EDITED:
        for uid, row in final[t].items():
            orig = original[t].get(uid)
            if orig is None and inserted.get(uid) != t:
                problems.append(f"{t} {uid}: in the shared file but no laptop created it")
                continue
            for col, v in row.items():
                allowed = set(writes.get((uid, col), ()))
                if orig is not None:
                    allowed.add(key(orig.get(col)))
                elif col not in inserted_cols[uid]:
                    allowed.add(key(None))  # a column the insert left to its default
                if key(v) not in allowed:
                    problems.append(f"{t} {uid}: {col} = {v!r} was written by no edit (allowed: {sorted(allowed)[:4]})")
    journaled_audit = {line["uuid"]: line["values"] for line in journal if line["table"] == "audit_log"}
    for uid, row in final["audit_log"].items():
        if uid not in journaled_audit:
            problems.append(f"audit_log {uid}: in the shared file but no edit wrote it")
        elif {k: key(v) for k, v in row.items()} != {k: key(v) for k, v in journaled_audit[uid].items()}:
            problems.append(f"audit_log {uid}: changed since it was written")

    # 3. the overridden values recorded in sync_conflict are values some edit wrote
    for c in final["sync_conflict"].values():
        if c["column_name"] == "*" or c["other_value"] is None:
            continue
        other = json.loads(c["other_value"])
        if isinstance(other, dict) and "base64" in other:
            import base64

            other = {"sha256": hashlib.sha256(base64.b64decode(other["base64"])).hexdigest()}
        orig = original.get(c["table_name"], {}).get(c["row_uuid"])
        allowed = set(writes.get((c["row_uuid"], c["column_name"]), ()))
        if orig is not None:
            allowed.add(key(orig.get(c["column_name"])))
        elif c["column_name"] not in inserted_cols.get(c["row_uuid"], ()):
            allowed.add(key(None))
        if key(other) not in allowed:
            problems.append(f"sync_conflict {c['uuid']}: {c['table_name']} {c['row_uuid']} {c['column_name']}: "
                            f"other value {other!r} was written by no edit")
    return problems


# --- the test ------------------------------------------------------------------------------------------


def torture(office: Office, plan: Plan, sample: Path, validator) -> str:  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    print(f"sync torture: seed {SEED} (GRIDWATCH_TORTURE_SEED), {JOBS} at once, files in {office.root}")
    game = Torture(office, plan, SEED)
    for r in range(plan.rounds):
        game.round(r)
    if game.share_faults is not None:
        game.share_faults.before_final_syncs()
    # every laptop twice around, no kills: everyone gets everyone's changes
    finals = []
    for _ in range(2):
        for lp in office.laptops:
            if PATCH:
                run = game.execute(Run(lp, 0, 0, None), len(game.runs) + len(finals))
                if run.returncode != 0 or "sync" not in run.result:
                    pytest.fail(f"[seed {SEED}] last sync of {lp.parent.name} failed:\n{run.stderr[-4000:]}")
                finals.append(SyncReport(**run.result["sync"]))
            else:
                try:
                    finals.append(sync(lp, lock_wait=120, stale_after=STALE_AFTER))
                except Exception:
                    pytest.fail(f"[seed {SEED}] last sync of {lp.parent.name} failed:\n{traceback.format_exc()}\n"
                                f"{game.summary()}\nfiles kept in {office.root}")
    summary = game.summary() + f"; {time.monotonic() - t0:.0f} s; " + share_usage(office.shared.parent)
    print(summary)

    def fail(problems: list[str], what: str) -> None:
        if problems:  # the share is a file system of its own, gone at teardown: keep a copy to look at
            shutil.copytree(office.shared.parent, office.root / "share-kept", dirs_exist_ok=True)
            pytest.fail(f"[seed {SEED}] {what}: {len(problems)} problem(s):\n  " + "\n  ".join(problems[:30])
                        + f"\n{summary}\nfiles kept in {office.root}", pytrace=False)

    shared = office.shared
    # the shared file itself, with the change log folded in, is what everyone must equal
    compact_shared(shared)
    # (a) integrity
    fail([f"{p}: {res}" for p in [shared, *office.laptops, *(sync_dir(lp) / "base.gpkg" for lp in office.laptops)]
          if (res := integrity(p)) != "ok"], "integrity_check")
    fail(sum((rtree_problems(p) for p in [shared, *office.laptops]), []), "GeoPackage spatial index / counts")
    # (b) every laptop equals the shared file
    want, dups = load(shared)
    fail(dups, "duplicate uuids in the shared file")
    problems = []
    for lp in office.laptops:
        got, dups = load(lp)
        problems += dups
        for t in COMPARED:
            if got[t] != want[t]:
                missing = set(want[t]) - set(got[t])
                extra = set(got[t]) - set(want[t])
                differ = [u for u in set(want[t]) & set(got[t]) if want[t][u] != got[t][u]]
                problems.append(f"{lp.parent.name}: {t} differs from the shared file: {len(missing)} missing, "
                                f"{len(extra)} extra, {len(differ)} different (e.g. {sorted(differ)[:2]})")
    fail(problems, "laptops differ from the shared file after the last syncs")
    # (c) every edit is in the shared file or in sync_conflict
    journal = read_journals([*office.laptops, office.office_journal])
    assert journal, "no edits were journaled"
    fail(check_journal(shared, sample, journal), "journaled edits against the shared file")
    refused = [m for m in [m for r in game.runs for m in r.result.get("sync", {}).get("messages", [])]
               + [m for rep in finals for m in rep.messages] if m.startswith("refused")]
    fail(refused, "the sync refused edits the workflow allowed")
    with closing(sqlite3.connect(f"file:{shared}?mode=ro", uri=True)) as con:
        logged = con.execute("SELECT COUNT(*), COUNT(DISTINCT uuid) FROM sync_log").fetchone()
    completed = sum(1 for r in game.runs if r.returncode == 0) + len(finals) + sum(r.extra_syncs for r in game.runs)
    killed = sum(1 for r in game.runs if r.returncode == -signal.SIGKILL)
    fail([] if logged[0] == logged[1] and completed <= logged[0] <= completed + killed else
         [f"sync_log has {logged[0]} rows ({logged[1]} distinct); {completed} syncs completed, {killed} killed"],
         "sync history")
    # (d) no lock left, nothing pending
    fail([str(lock_path(shared))] if lock_path(shared).exists() else [], "lock file left")
    fail([f"{lp.parent.name}: {s['pending']}" for lp in office.laptops
          if (s := json.loads((sync_dir(lp) / "state.json").read_text(encoding="utf-8")))["pending"]],
         "syncs still pending")
    # (e) GDAL's validator
    validator(shared)
    # not failures, but worth knowing: what killed syncs leave behind
    litter = [p.name for p in shared.parent.iterdir() if p != shared and p != log_dir(shared)]
    litter += [f"{log_dir(shared).name}/{p.name}" for p in log_dir(shared).glob(".*")]
    litter += [f"{lp.parent.name}/{p.name}" for lp in office.laptops for p in sync_dir(lp).iterdir()
               if p.name not in ("base.gpkg", "state.json", "sync.lock")]
    if litter:
        summary += f"; left behind by killed syncs: {litter}"
        print(f"left behind by killed syncs: {litter}")
    orphans = [u for u, a in want["attachment"].items() if a["finding_uuid"] not in want["finding"]]
    if orphans:  # photos added on one laptop to a finding undone on another: the delete won
        summary += f"; {len(orphans)} photo(s) of deleted findings"
        print(f"{len(orphans)} photo(s) of deleted findings: {orphans[:5]}")
    return summary


def test_sync_torture_short(torture_office, sample_path, gpkg_validator):
    t0 = time.monotonic()
    summary = torture(torture_office, SHORT, sample_path, gpkg_validator)
    assert time.monotonic() - t0 < 300, summary  # the suite's budget is 90 s on 2 cores; this is a hang guard


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="set GRIDWATCH_TORTURE=long for the long sync torture")
@pytest.mark.timeout(0)  # runs for an hour or more by design
def test_sync_torture_long(torture_office, sample_path, gpkg_validator):
    torture(torture_office, LONG_PLAN, sample_path, gpkg_validator)


# --- what the torture found, made small ------------------------------------------------------------------
#
# Each of these is a deterministic reproduction of a failure the torture test ran into (fixed in
# the sync core: rows renumbered by uuid before replaying local edits; _finish idempotent).


class Killed(BaseException):
    """Stands for SIGKILL at a chosen point of a sync."""


def _two_supervisors(tmp_path: Path, sample_path: Path):  # type: ignore[no-untyped-def]
    from gridwatch.storage.workflow import find_actor, record_finding

    shared = tmp_path / "share" / "district.gpkg"
    shared.parent.mkdir()
    shutil.copyfile(sample_path, shared)
    with closing(sqlite3.connect(f"file:{shared}?mode=ro", uri=True)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM inspector WHERE role = 'supervisor' ORDER BY name")]
        cell = con.execute("SELECT code FROM grid_cell ORDER BY code LIMIT 1").fetchone()[0]
    laptops = []
    for tag, name in zip("ab", names):
        (tmp_path / tag).mkdir()
        lp = checkout(shared, tmp_path / tag / "project.gpkg", name)
        laptops.append((lp, find_actor(lp, name)))
    (a, actor_a), (b, actor_b) = laptops
    fa = record_finding(a, actor_a, cell_code=cell, category="other", longitude=114.3, latitude=38.1,
                        description="A's finding").created("finding")[0]
    fb = record_finding(b, actor_b, cell_code=cell, category="other", longitude=114.3, latitude=38.1,
                        description="B's finding").created("finding")[0]
    sync(b)  # B's finding takes the fid that A's finding has on A's laptop: A's sync renumbers A's
    return shared, (a, actor_a, fa), (b, actor_b, fb)


def _descriptions(shared: Path) -> dict[str, str]:
    if log_dir(shared).exists():
        compact_shared(shared)  # the shared file with the change log folded in
    with closing(sqlite3.connect(f"file:{shared}?mode=ro", uri=True)) as con:
        return dict(con.execute("SELECT uuid, description FROM finding"))


@pytest.mark.parametrize("how", ["edited while the sync runs", "edited after a sync killed after the upload"])
def test_an_edit_of_a_renumbered_row_stays_on_its_own_record(tmp_path, sample_path, monkeypatch, how):
    from gridwatch.storage.workflow import edit_finding
    from gridwatch.sync import engine

    shared, (a, actor_a, fa), (b, _, fb) = _two_supervisors(tmp_path, sample_path)
    if how == "edited while the sync runs":
        def progress(fraction: float, message: str) -> None:
            if message == "merging" and not _descriptions(a)[fa].startswith("corrected"):
                edit_finding(a, actor_a, fa, description="corrected by A")

        sync(a, progress=progress)
    else:
        def killed(lp, state):  # type: ignore[no-untyped-def]
            raise Killed("after the shared file was replaced")

        monkeypatch.setattr(engine, "_finish_any", killed)
        with pytest.raises(Killed):
            sync(a)
        monkeypatch.undo()
        edit_finding(a, actor_a, fa, description="corrected by A")
    sync(a)
    got = _descriptions(shared)
    assert (got[fa], got[fb]) == ("corrected by A", "B's finding")


@pytest.mark.parametrize("others_synced", [False, True], ids=["fast path", "others synced"])
@pytest.mark.parametrize("window", ["local updated, local_done not saved", "base replaced, pending not cleared"])
def test_a_sync_killed_inside_finish_is_finished_by_the_next(tmp_path, sample_path, monkeypatch, window,
                                                              others_synced):
    from gridwatch.storage.workflow import find_actor, record_finding
    from gridwatch.sync import finish

    if others_synced:
        shared, (a, actor_a, fa), _b = _two_supervisors(tmp_path, sample_path)
    else:
        shared = tmp_path / "district.gpkg"
        shutil.copyfile(sample_path, shared)
        with closing(sqlite3.connect(f"file:{shared}?mode=ro", uri=True)) as con:
            name = con.execute("SELECT name FROM inspector WHERE role = 'supervisor' ORDER BY name").fetchone()[0]
        a = checkout(shared, tmp_path / "project.gpkg", name)
        actor_a = find_actor(a, name)
        fa = record_finding(a, actor_a, cell_code="130110100001001", category="other", longitude=114.3,
                            latitude=38.1).created("finding")[0]
    real = finish._write_json

    def dying_write(path, data):  # type: ignore[no-untyped-def]
        p = data.get("pending")
        if window.startswith("local updated") and p and p.get("stage") == "local_done":
            raise Killed(window)
        if window.startswith("base replaced") and p is None and data.get("last_sync"):
            raise Killed(window)
        return real(path, data)

    monkeypatch.setattr(finish, "_write_json", dying_write)
    with pytest.raises(Killed):
        sync(a)
    monkeypatch.undo()
    report = sync(a)  # must finish the interrupted sync, not fail forever
    assert report.recovered
    assert fa in _descriptions(shared) and fa in _descriptions(a)
    assert sync(a).sent == 0
