"""GDAL's reads and Python's writes of one project in one process take turns (gridwatch.storage.gate).

GDAL brings its own SQLite; POSIX locks belong to the process, so without the gate a map read or a
track read while the same app writes tracks or findings failed ("attempt to write a readonly
database": 4 of 5 reads under a steady writer) or read the file half written.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
from contextlib import closing

import numpy as np
import pytest

from gridwatch.domain.policy import Actor
from gridwatch.storage import Project
from gridwatch.storage.gate import gdal_reading, sqlite_writing
from gridwatch.storage.gpkg import connect_readwrite, transaction
from gridwatch.storage.tracks import TrackPoints, add_track, read_tracks

from .conftest import clear_work

TRACK = 40  # points per track: a read that sees a part of a track saw the file half written


@pytest.fixture
def bare(tmp_path, sample_path):
    path = tmp_path / "p.gpkg"
    shutil.copyfile(sample_path, path)
    return clear_work(path)


def _inspector(path) -> Actor:
    row = Project.open(path).read_table("inspector").query("role == 'inspector'").iloc[0]
    return Actor(row["uuid"], row["name"], "inspector", row.get("township_code"))


def test_tracks_and_map_layers_read_while_the_same_app_writes_tracks(bare):
    ins = _inspector(bare)
    t0 = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.timezone.utc)
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def record() -> None:  # the field panel's track writer: one transaction per track
        try:
            i = 0
            while not stop.is_set():
                times = [t0 + dt.timedelta(minutes=i, seconds=s) for s in range(TRACK)]
                pts = TrackPoints.from_lists([114.3 + 1e-5 * s for s in range(TRACK)], [38.1] * TRACK, times)
                add_track(bare, ins, pts, inspector_uuid=ins.uuid, source="gps")
                i += 1
                written.append(i)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    writer = threading.Thread(target=record)
    writer.start()
    seen = []
    try:
        deadline = time.monotonic() + 6.0
        project = Project.open(bare)
        while time.monotonic() < deadline and not failures:
            n = len(read_tracks(bare))
            seen.append(n)
            assert n % TRACK == 0, f"read {n} track points: a track read half written"
            cells = project.read_layer("grid_cell", columns=["code"])
            assert len(cells) > 0
    finally:
        stop.set()
        writer.join(30)
    assert not failures, failures
    assert len(written) >= 5 and len(seen) >= 5
    assert seen == sorted(seen) and seen[-1] > 0  # the reads saw the tracks come in, whole
    assert len(read_tracks(bare)) == TRACK * len(written)


def test_a_waiting_edit_goes_before_later_map_reads(tmp_path):
    path = tmp_path / "a.gpkg"
    path.write_bytes(b"")
    order: list[str] = []
    first_in = threading.Event()

    def read(name: str, hold: float, signal: threading.Event | None = None) -> None:
        with gdal_reading(path):
            order.append(name + " in")
            if signal is not None:
                signal.set()
            time.sleep(hold)
        order.append(name + " out")

    def write() -> None:
        with sqlite_writing(path):
            order.append("edit in")
            time.sleep(0.05)
        order.append("edit out")

    a = threading.Thread(target=read, args=("read 1", 0.3, first_in))
    a.start()
    first_in.wait(5)
    w = threading.Thread(target=write)
    w.start()
    time.sleep(0.1)  # the edit waits for read 1
    b = threading.Thread(target=read, args=("read 2", 0.0))
    b.start()
    for t in (a, w, b):
        t.join(5)
    assert order.index("edit in") > order.index("read 1 out")  # never both at once
    assert order.index("edit out") < order.index("read 2 in")  # the later read waited its turn


def test_a_gdal_read_inside_the_threads_own_write_transaction_is_refused_not_waited_for(bare):
    # GDAL would read the file half written (once the transaction spills pages) and drop its locks:
    # no turn makes that safe, so it is a programming error, said at once rather than a hang
    got: list[BaseException] = []

    def work() -> None:
        try:
            with closing(connect_readwrite(bare)) as con, transaction(con, bare):
                con.execute("UPDATE inspector SET phone = phone")
                Project.open(bare).read_layer("township", columns=["name"])
        except BaseException as exc:  # noqa: BLE001 - checked below
            got.append(exc)

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(20)
    assert not t.is_alive(), "the read waited for its own transaction"
    assert len(got) == 1 and isinstance(got[0], RuntimeError) and "inside this thread's own sqlite3" in str(got[0])
    assert len(Project.open(bare).read_layer("township", columns=["name"])) > 0  # the gate is open again


def test_a_failed_begin_leaves_the_gate_open(bare, tmp_path):
    holder = connect_readwrite(bare)
    holder.execute("BEGIN IMMEDIATE")  # another writer (the same library, so SQLite's lock applies)
    try:
        con = connect_readwrite(bare)
        con.execute("PRAGMA busy_timeout = 50")
        with pytest.raises(Exception):
            with transaction(con, bare):
                pass
        con.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    got = []
    t = threading.Thread(target=lambda: got.append(len(Project.open(bare).read_layer("township"))))
    t.start()
    t.join(10)
    assert got and got[0] > 0 and np.isfinite(got[0])


def test_three_libraries_never_overlap_on_a_file_and_none_starves(tmp_path):
    from gridwatch.storage.gate import geodiff_using

    path = tmp_path / "b.gpkg"
    path.write_bytes(b"")
    doors = {"gdal": gdal_reading, "sqlite3": sqlite_writing, "geodiff": geodiff_using}
    inside: dict[str, int] = dict.fromkeys(doors, 0)
    lock = threading.Lock()
    overlaps: list[dict[str, int]] = []
    done = dict.fromkeys(doors, 0)
    rng = np.random.default_rng(7)
    holds = rng.uniform(0, 0.004, size=(3, 4, 40))

    def run(i: int, side: str, j: int) -> None:
        for hold in holds[i, j]:
            with doors[side](path):
                with lock:
                    inside[side] += 1
                    if sum(1 for v in inside.values() if v) > 1:
                        overlaps.append(dict(inside))
                time.sleep(hold)
                with lock:
                    inside[side] -= 1
            with lock:
                done[side] += 1

    threads = [threading.Thread(target=run, args=(i, side, j), daemon=True)
               for i, side in enumerate(doors) for j in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not overlaps
    assert done == dict.fromkeys(doors, 4 * 40)  # every thread of every side got through
    from gridwatch.storage import gate

    assert str(path.resolve()) not in gate._gates  # an idle file is forgotten (syncs make many temp files)


def test_pygeodiff_writing_the_working_copy_beside_the_apps_reads_and_writes_damages_nothing(tmp_path):
    # a sync applies the shared project's changes to the working copy with pygeodiff (a third SQLite)
    # while the field panel writes a track and the map reads: pygeodiff's lock is invisible to the app's
    # SQLite, which took its journal for a left-over and rolled it back under it ("database disk image
    # is malformed")
    import sqlite3

    import pygeodiff

    from gridwatch.storage.gate import geodiff_writing
    from gridwatch.storage.gpkg import connect_readonly

    base, full, lp = tmp_path / "base.sqlite", tmp_path / "full.sqlite", tmp_path / "lp.sqlite"
    with closing(sqlite3.connect(base)) as c:
        c.execute("CREATE TABLE t (fid INTEGER PRIMARY KEY, v TEXT)")
        c.execute("CREATE TABLE notes (fid INTEGER PRIMARY KEY, v TEXT)")
        c.commit()
    shutil.copyfile(base, full)
    n = 30_000
    with closing(sqlite3.connect(full)) as c:
        c.executemany("INSERT INTO t VALUES (?, ?)", [(i, "x" * 200) for i in range(1, n + 1)])
        c.commit()
    gd = pygeodiff.GeoDiff()
    fwd, back = tmp_path / "fwd.diff", tmp_path / "back.diff"
    gd.create_changeset(str(base), str(full), str(fwd))
    gd.invert_changeset(str(fwd), str(back))
    shutil.copyfile(base, lp)
    stop = threading.Event()
    seen: dict[object, int] = {}
    errors: list[str] = []
    applied = [0]

    def sync() -> None:
        try:
            while not stop.is_set():
                with geodiff_writing(lp):
                    gd.apply_changeset(str(lp), str(fwd if applied[0] % 2 == 0 else back))
                applied[0] += 1
                time.sleep(0.03)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(f"apply: {exc}")

    def read() -> None:
        while not stop.is_set():
            try:
                with closing(connect_readonly(lp)) as c:
                    k = c.execute("SELECT COUNT(*) FROM t").fetchone()[0]
                seen[k] = seen.get(k, 0) + 1
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(f"read: {exc}")

    def write() -> None:
        i = 0
        while not stop.is_set():
            try:
                with closing(connect_readwrite(lp)) as c, transaction(c, lp):
                    c.execute("INSERT INTO notes (v) VALUES (?)", (f"note {i}",))
                i += 1
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(f"write: {exc}")
            time.sleep(0.01)

    threads = [threading.Thread(target=f) for f in (sync, read, write)]
    for t in threads:
        t.start()
    time.sleep(4)
    stop.set()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    assert applied[0] >= 4 and set(seen) <= {0, n} and len(seen) == 2  # whole states only, both seen
    with closing(sqlite3.connect(lp)) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("SELECT COUNT(*) FROM notes").fetchone()[0] > 10


def test_checking_a_project_while_this_process_writes_it_keeps_other_programs_out(bare):
    # check_project reads the file's header before every action; it used to open and close the file, and
    # closing any descriptor of a file drops every lock the process holds on it: another program could
    # then write while another thread of this one was in the middle of its own write
    import subprocess
    import sys

    from gridwatch.storage.project import check_project
    from gridwatch.sync.files import _change_counter

    other = ("import sqlite3, sys\n"
             "c = sqlite3.connect(sys.argv[1], timeout=0)\n"
             "c.execute('BEGIN IMMEDIATE')\n")
    inside, checked = threading.Event(), threading.Event()
    refused: list[bool] = []

    def write() -> None:  # the app's track writer, in the middle of its transaction
        with closing(connect_readwrite(bare)) as con, transaction(con, bare):
            con.execute("UPDATE inspector SET phone = phone")
            inside.set()
            checked.wait(30)
            got = subprocess.run([sys.executable, "-c", other, str(bare)], capture_output=True, text=True,
                                 timeout=60)
            refused.append(got.returncode != 0 and "locked" in got.stderr)

    fds_before = len(os.listdir("/proc/self/fd"))
    t = threading.Thread(target=write)
    t.start()
    inside.wait(30)
    check_project(bare)  # another thread checks the project meanwhile (the field panel, a finding)
    _change_counter(bare)
    checked.set()
    t.join(60)
    assert refused == [True], "another program could write during our write"
    assert len(os.listdir("/proc/self/fd")) <= fds_before  # the header's descriptors are closed after it
    got = subprocess.run([sys.executable, "-c", other, str(bare)], capture_output=True, text=True, timeout=60)
    assert got.returncode == 0, got.stderr  # and once we are done, another program may write
