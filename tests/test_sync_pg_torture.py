"""The sync torture against the PostGIS shared project (issue 19): twenty laptops, four syncing at
once (all against the server at the same time, no lock file), random edits fitting each role
(tools/sync_laptop.py, journaled), about one sync in four SIGKILLed inside a chosen stage, and on
some inspectors' laptops edits their role forbids, made with plain SQLite after making the sync's
base say they are an administrator (so the laptop's own check lets them through: only the server
stands in the way).

Then every laptop syncs twice around, and: the server (downloaded into a GeoPackage) and every
laptop agree on the workflow tables (the forged rows aside, which stay on their laptops); every
journaled edit is on the server or recorded in ``sync_conflict`` and nothing on the server comes
from nowhere (the same journal check as the shared folder's torture); every forbidden edit was
refused by the server (``gw_sync_refused``) and none of its values is on the server; refusals were
reported only for forged rows; ``sync_log`` holds every completed sync once; nothing is pending;
every file passes SQLite's integrity check.

Short form in the suite (2 rounds of 5-12 edits); ``GRIDWATCH_TORTURE=long`` runs 30 rounds of 10-30
(``GRIDWATCH_TORTURE_ROUNDS``); ``GRIDWATCH_TORTURE_SEED`` as for the shared folder's torture.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
import signal
import sqlite3
import time
import traceback
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from gridwatch.storage.gpkg import register_gpkg_functions
from gridwatch.sync import checkout, sync, sync_dir
from gridwatch.sync.pg.publish import publish
from gridwatch.sync.pg.store import download

from . import test_sync_torture as tt


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The sample district without its two months of work: these tests count the rows they make."""
    from .conftest import bare_sample_in

    return bare_sample_in(tmp_path_factory.mktemp("bare"))

PG_KILL_POINTS = (
    ("SYNC-START", 2, 1.0),
    ("checking local edits", 1, 0.06),
    ("connecting to the server", 1, 0.02),
    ("reading the server's changes", 1, 0.03),
    ("merging", 1, 0.08),
    ("sending to the server", 3, 0.04),
    ("updating this laptop", 3, 0.04),
)
SHORT = tt.Plan(rounds=2, edits=(5, 12))
LONG_PLAN = tt.Plan(rounds=int(tt.os.environ.get("GRIDWATCH_TORTURE_ROUNDS", "30")), edits=(10, 30))
LAPTOPS = 20
AT_ONCE = 4


def _forge(path: Path, sql: str, args: tuple = ()) -> None:
    with closing(sqlite3.connect(path, timeout=30)) as con:
        register_gpkg_functions(con)
        con.execute(sql, args)
        con.commit()


class Forger:
    """Forbidden edits with plain SQLite on inspectors' laptops (the base made to say "admin")."""

    def __init__(self, sample: Path, rng: random.Random) -> None:
        self.rng = rng
        self.sample = sample
        self.forged: dict[Path, set[str]] = {}  # laptop -> keys of the rows it forged
        self.values: list[tuple[str, str, str, object]] = []  # (table, key, column, forged value)
        self.person_keys: set[str] = set()

    def forge(self, lp: Path, person: tuple[str, str]) -> None:
        uuid, name = person
        keys = self.forged.setdefault(lp, set())
        with closing(sqlite3.connect(f"file:{self.sample}?mode=ro", uri=True)) as con:
            cell = con.execute("SELECT uuid FROM grid_cell WHERE inspector_uuid != ? ORDER BY random() LIMIT 1",
                               (uuid,)).fetchone()[0]
            fire = con.execute("SELECT f.uuid FROM fire_point f JOIN grid_cell c ON c.code = f.cell_code WHERE "
                               "c.inspector_uuid != ? ORDER BY random() LIMIT 1", (uuid,)).fetchone()[0]
            boss = con.execute("SELECT name FROM inspector WHERE role = 'supervisor' LIMIT 1").fetchone()[0]
        _forge(sync_dir(lp) / "base.gpkg", "UPDATE inspector SET role = 'admin' WHERE uuid = ?", (uuid,))
        name_value = f"伪造{self.rng.randrange(10**6)}"
        _forge(lp, "UPDATE grid_cell SET name = ? WHERE uuid = ?", (name_value, cell))
        audit = f"forged-{self.rng.randrange(10**9)}"
        _forge(lp, "INSERT INTO audit_log (uuid, at, user_name, action, table_name) VALUES (?, '2026-12-01T00:00:00Z', "
                   "?, 'close', 'finding')", (audit, boss))
        _forge(lp, "UPDATE fire_point SET status = 'outside_cell' WHERE uuid = ?", (fire,))
        keys |= {cell, audit, fire}
        self.person_keys.add(uuid)  # the role forged in the base only: checked on the server's value
        self.values += [("grid_cell", cell, "name", name_value), ("audit_log", audit, "uuid", audit),
                        ("inspector", uuid, "role", "admin")]


_DATABASES = itertools.count()


@pytest.fixture
def pg_office(tmp_path: Path, sample_path: Path, pg_cluster):
    rng = random.Random(tt.SEED)
    db = f"torture{rng.randrange(10**6)}_{next(_DATABASES)}"  # the short and long forms in one session
    pg_cluster.create_database(db)
    publish(sample_path, pg_cluster.url(db), logins=True)
    with closing(sqlite3.connect(f"file:{sample_path}?mode=ro", uri=True)) as con:
        sups = con.execute("SELECT name, uuid FROM inspector WHERE role = 'supervisor' ORDER BY name").fetchall()
        insps = con.execute("SELECT i.name, i.uuid FROM inspector i WHERE i.role = 'inspector' AND EXISTS (SELECT 1 "
                            "FROM grid_cell c WHERE c.inspector_uuid = i.uuid) ORDER BY i.name").fetchall()
        cells = [r[0] for uid in (u for _, u in insps) for r in
                 con.execute("SELECT code FROM grid_cell WHERE inspector_uuid = ? ORDER BY code LIMIT 2", (uid,))]
    team = tmp_path / "team.json"
    team.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    owners = (sups * 2 + insps + rng.sample(insps, 3))[:LAPTOPS]
    laptops, users, persons = [], {}, {}
    for i, (name, uid) in enumerate(owners):
        folder = tmp_path / f"laptop{i:02d}"
        folder.mkdir()
        lp = checkout(pg_cluster.url(db, user=name), folder / "project.gpkg", name)
        laptops.append(lp)
        users[lp] = name
        persons[lp] = (uid, name)
    # (the Office's shared path is only looked at for a shared folder's lock file: none here)
    office = tt.Office(tmp_path, tmp_path / "no-shared-folder.gpkg", team, laptops, users)
    return office, db, persons, {lp for lp, (u, _) in persons.items() if u in {x for _, x in insps}}


def pg_torture(office: tt.Office, db: str, persons: dict, inspectors: set, plan: tt.Plan, sample: Path, cluster,
               monkeypatch) -> str:
    monkeypatch.setattr(tt, "KILL_POINTS", PG_KILL_POINTS)
    monkeypatch.setattr(tt, "JOBS", AT_ONCE)
    t0 = time.monotonic()
    game = tt.Torture(office, plan, tt.SEED)
    game.faults, game.share_faults = False, None
    broken: list[str] = []
    execute = game.execute

    def checked(run, n):  # a laptop right after a sync that finished: its copy equals its base
        run = execute(run, n)
        if run.returncode != 0 or "sync" not in run.result:
            return run  # (a killed one may have left a journal that only its next sync rolls back)
        if run.extra_writer:
            return run  # a second process edited the copy meanwhile: edits after the sync are not in the base
        got, dups = tt.load(run.laptop)
        broken.extend(f"run {n} {run.laptop.parent.name}: {d}" for d in dups)
        if not run.result.get("sync", {}).get("refused"):
            base, _ = tt.load(sync_dir(run.laptop) / "base.gpkg")
            for t in tt.COMPARED:
                if got[t] != base[t]:
                    broken.append(f"run {n} {run.laptop.parent.name}: {t}: {len(set(base[t]) - set(got[t]))} missing, "
                                  f"{len(set(got[t]) - set(base[t]))} extra after {run.result.get('sync')}")
        return run

    game.execute = checked
    forger = Forger(sample, random.Random(tt.SEED + 1))
    forgers = sorted(inspectors)[:3]
    for r in range(plan.rounds):
        if r < len(forgers):
            forger.forge(forgers[r], persons[forgers[r]])
        game.round(r)
        assert not broken, f"working copies that differ from their base right after a sync: {broken[:5]}"
    finals = []
    for _ in range(2):
        for lp in office.laptops:
            pending = json.loads((sync_dir(lp) / "state.json").read_text(encoding="utf-8"))["pending"]
            if pending:  # for diagnosis: the laptop's files before the sync that finishes a killed one
                keep = office.root / f"before-recovery-{lp.parent.name}"
                if not keep.exists():
                    shutil.copytree(lp.parent, keep)
            try:
                finals.append((lp, sync(lp, lock_wait=120)))
                with open(office.root / "finals.jsonl", "a", encoding="utf-8") as fh:
                    fh.write(json.dumps({"laptop": lp.parent.name, **finals[-1][1].to_dict()}, ensure_ascii=False)
                             + "\n")
            except Exception:
                pytest.fail(f"[seed {tt.SEED}] last sync of {lp.parent.name} failed:\n{traceback.format_exc()}\n"
                            f"{game.summary()}\nfiles kept in {office.root}")
    summary = game.summary() + f"; {time.monotonic() - t0:.0f} s"
    print(summary)

    def fail(problems: list[str], what: str) -> None:
        if problems:
            pytest.fail(f"[seed {tt.SEED}] {what}: {len(problems)} problem(s):\n  " + "\n  ".join(problems[:30])
                        + f"\n{summary}\nfiles kept in {office.root}", pytrace=False)

    shared = office.root / "server.gpkg"
    with psycopg.connect(f"host={cluster.folder} user=gridwatch dbname={db}") as con:
        download(con, "d130110", shared)
        refused_keys = {r[0] for r in con.execute("SELECT row_key FROM d130110.gw_sync_refused")}
        server_values = {}
        for table, key, column, _v in forger.values:
            row = con.execute(f'SELECT "{column}" FROM d130110."{table}" WHERE uuid = %s', (key,)).fetchone()
            server_values[(table, key, column)] = None if row is None else row[0]
        logged = con.execute("SELECT count(*), count(DISTINCT uuid) FROM d130110.sync_log").fetchone()
        # for diagnosis (files kept on failure): the server's change table and refusals
        with open(office.root / "server-changes.tsv", "w", encoding="utf-8") as fh:
            for r in con.execute("SELECT seq, tbl, row_key, op, db_user, at FROM d130110.gw_change ORDER BY seq"):
                fh.write("\t".join(map(str, r)) + "\n")
            for r in con.execute("SELECT * FROM d130110.gw_sync_refused"):
                fh.write("REFUSED\t" + "\t".join(map(str, r)) + "\n")
    # (a) integrity
    fail([f"{p}: {res}" for p in [shared, *office.laptops, *(sync_dir(lp) / "base.gpkg" for lp in office.laptops)]
          if (res := tt.integrity(p)) != "ok"], "integrity_check")
    # (b) every laptop equals the server, its own forged rows aside
    want, dups = tt.load(shared)
    fail(dups, "duplicate uuids on the server")
    problems = []
    for lp in office.laptops:
        got, dups = tt.load(lp)
        problems += dups
        mine = forger.forged.get(lp, set())
        for t in tt.COMPARED:
            g = {k: v for k, v in got[t].items() if k not in mine}
            w = {k: v for k, v in want[t].items() if k not in mine}
            if g != w:
                differ = [u for u in set(w) & set(g) if w[u] != g[u]]
                problems.append(f"{lp.parent.name}: {t} differs from the server: {len(set(w) - set(g))} missing, "
                                f"{len(set(g) - set(w))} extra, {len(differ)} different (e.g. {sorted(differ)[:2]})")
    fail(problems, "laptops differ from the server after the last syncs")
    # (c) the journal: 0 lost, nothing from nowhere
    journal = tt.read_journals(office.laptops)
    assert journal, "no edits were journaled"
    fail(tt.check_journal(shared, sample, journal), "journaled edits against the server")
    # every forbidden edit refused by the server, none of its values there; refusals only of forged rows
    forged_keys = set().union(*forger.forged.values()) if forger.forged else set()
    assert forged_keys, "no forbidden edits were made"
    fail(sorted(forged_keys - refused_keys), "forbidden edits the server did not refuse")
    fail([f"{t} {k} {c} = {v!r} reached the server" for t, k, c, v in forger.values
          if server_values[(t, k, c)] == v], "forbidden values on the server")
    reports = [(r.laptop, m) for r in game.runs for m in r.result.get("sync", {}).get("messages", [])]
    reports += [(lp, m) for lp, rep in finals for m in rep.messages]
    fail([f"{lp.parent.name}: {m}" for lp, m in reports if m.startswith("refused")
          and (lp not in forger.forged or not any(k in m for k in forger.forged[lp] | forger.person_keys))
          and not m.startswith("refused: ")], "refusals of edits the workflow allowed")
    fail([f"{lp.parent.name}: {m}" for lp, m in reports if m.startswith("refused: ") and lp not in forger.forged],
         "laptop refusals on laptops that forged nothing")
    completed = sum(1 for r in game.runs if r.returncode == 0) + len(finals)
    killed = sum(1 for r in game.runs if r.returncode == -signal.SIGKILL)
    fail([] if logged[0] == logged[1] and completed <= logged[0] <= completed + killed else
         [f"sync_log has {logged[0]} rows ({logged[1]} distinct); {completed} syncs completed, {killed} killed"],
         "sync history")
    fail([f"{lp.parent.name}: {s['pending']}" for lp in office.laptops
          if (s := json.loads((sync_dir(lp) / "state.json").read_text(encoding="utf-8")))["pending"]],
         "syncs still pending")
    assert killed > 0 or plan.rounds < 2, summary
    summary += (f"; server: {logged[0]} syncs logged, {len(refused_keys)} row(s) refused (all {len(forged_keys)} "
                f"forged ones among them), {len(want['sync_conflict'])} conflicts recorded")
    print(summary)
    return summary


def test_pg_sync_torture_short(pg_office, sample_path, pg_cluster, monkeypatch):
    office, db, persons, inspectors = pg_office
    t0 = time.monotonic()
    summary = pg_torture(office, db, persons, inspectors, SHORT, sample_path, pg_cluster, monkeypatch)
    # a hang guard, not a speed check: on 2 shared cores at a load of 14 the short form took 427 s (seed 7)
    assert time.monotonic() - t0 < 1200, summary


@pytest.mark.slow
@pytest.mark.skipif(not tt.LONG, reason="set GRIDWATCH_TORTURE=long for the long sync torture")
@pytest.mark.timeout(0)  # runs for an hour or more by design
def test_pg_sync_torture_long(pg_office, sample_path, pg_cluster, monkeypatch):
    office, db, persons, inspectors = pg_office
    pg_torture(office, db, persons, inspectors, LONG_PLAN, sample_path, pg_cluster, monkeypatch)
