"""Sync under the faults field offices really cause (issue 12): a shared folder copied back from a USB
stick, a snapshot restored from a backup, scripts writing while the laptop syncs, two syncs of one
working copy, a read-only or full share, the shared file edited by another program, odd locks.

Every test reproduces the fault first with real files; the promise checked is always the same:
every edit ends in the shared project or in ``sync_conflict``, or stays on its laptop and is
reported.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from gridwatch.errors import SyncError
from gridwatch.storage import Project, queries
from gridwatch.storage.workflow import Actor, create_assignments, record_finding
from gridwatch.sync import checkout, engine, read_lock, sharelog, sync
from gridwatch.sync.engine import compact_shared
from gridwatch.sync.lock import SharedLock, lock_path

from . import sharefs

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0)


def people(path):
    return Project.open(path).read_table("inspector")


def actor(path, role, n=0) -> Actor:
    row = people(path).query("role == @role").iloc[n]
    return Actor(row["uuid"], row["name"], role)


def cell_of(path, n):
    cells = Project.open(path).read_layer("grid_cell")
    return cells.iloc[n]


def owner_of(path, cell) -> Actor:
    row = people(path).set_index("uuid").loc[cell["inspector_uuid"]]
    return Actor(cell["inspector_uuid"], row["name"], "inspector")


def finding_here(path, who: Actor, cell, text: str) -> str:
    c = cell.geometry.representative_point()
    return record_finding(path, who, category="scattered_coal", longitude=c.x, latitude=c.y, cell_code=cell["code"],
                          description=text, now=NOW).created("finding")[0]


def finding_uuids(path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return {r[0] for r in con.execute("SELECT uuid FROM finding")}


def shared_state(shared: Path, tmp: Path) -> Path:
    """The whole shared project as one file (snapshot plus the change log), without touching the share."""
    out = tmp / f"shared-state-{time.monotonic_ns()}.gpkg"
    shutil.copyfile(shared, out)
    work = tmp / f"apply-{time.monotonic_ns()}"
    work.mkdir()
    sharelog.apply_entries(out, sharelog.missing_from(out, sharelog.entries(shared)), work)
    return out


def integrity(path) -> str:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture
def office(tmp_path, sample_path):
    """A shared folder with the district project (change-log mode, as in the field)."""
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)

    def laptop(name: str, user: str) -> Path:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        return checkout(shared, folder / "project.gpkg", user)

    return shared, laptop


def copy_folder_back(stick: Path, share: Path, *, restore: bool) -> None:
    """The stick's older copy goes back over the share: ``restore`` replaces the folder as a backup
    restore does; otherwise it is copied over it (files only the share has stay, as with cp -r).
    Modification times travel with the files (cp -a, Explorer)."""
    if restore:
        shutil.rmtree(share)
        shutil.copytree(stick, share, copy_function=shutil.copy2)
    else:
        shutil.copytree(stick, share, copy_function=shutil.copy2, dirs_exist_ok=True)


# --- the shared folder goes back in time ------------------------------------------------------------


@pytest.mark.parametrize("restore", [False, True], ids=["copied-over", "restored"])
def test_share_copied_back_from_a_usb_stick_loses_no_finding(office, tmp_path, restore):
    shared, laptop = office
    c1, c2 = cell_of(shared, 10), cell_of(shared, 200)
    ins_a, ins_b = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b, o = laptop("a", ins_a.name), laptop("b", ins_b.name), laptop("o", actor(shared, "admin").name)
    f1 = finding_here(a, ins_a, c1, "F1")
    sync(a)
    sync(b)
    stick = tmp_path / "stick"
    shutil.copytree(shared.parent, stick, copy_function=shutil.copy2)  # the USB copy
    f2 = finding_here(a, ins_a, c1, "F2")
    sync(a)
    sync(b)  # b now holds F2 as well
    assert f2 in finding_uuids(b)
    copy_folder_back(stick, shared.parent, restore=restore)
    if restore:
        assert f2 not in finding_uuids(shared_state(shared, tmp_path))

    # b syncs first: it must not take the rollback for a delete, and it sends F2 back
    rb = sync(b)
    if restore:
        assert rb.rolled_back and any("went back in time" in m for m in rb.messages)
    assert f2 in finding_uuids(b)
    assert f2 in finding_uuids(shared_state(shared, tmp_path))
    f3 = finding_here(b, ins_b, c2, "F3")
    sync(b)
    ra = sync(a)  # no uncaught pygeodiff error, and nothing lost
    f4 = finding_here(a, ins_a, c1, "F4")
    sync(a)
    sync(o)
    sync(b)
    sync(a)
    state = shared_state(shared, tmp_path)
    for path in (state, a, b, o):
        assert {f1, f2, f3, f4} <= finding_uuids(path), path
        assert integrity(path) == "ok"
    assert ra.refused == 0
    assert compact_shared(shared) >= 0  # compaction works on the repaired log
    assert {f1, f2, f3, f4} <= finding_uuids(shared)
    with closing(sqlite3.connect(shared)) as con:
        assert con.execute("SELECT COUNT(*) FROM finding GROUP BY uuid HAVING COUNT(*) > 1").fetchall() == []


def test_a_laptop_that_synced_after_the_copy_resends_what_the_share_lost(office, tmp_path):
    """The case of the report: A synced F2 after the USB copy, the copy came back, B recorded one more
    finding; A's next syncs failed for good and F2 was gone from the share and from B."""
    shared, laptop = office
    c1, c2 = cell_of(shared, 10), cell_of(shared, 200)
    ins_a, ins_b = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b = laptop("a", ins_a.name), laptop("b", ins_b.name)
    stick = tmp_path / "stick"
    shutil.copytree(shared.parent, stick, copy_function=shutil.copy2)
    f2 = finding_here(a, ins_a, c1, "F2")
    sync(a)
    copy_folder_back(stick, shared.parent, restore=True)
    f3 = finding_here(b, ins_b, c2, "F3")
    sync(b)  # b never had F2: nothing to detect on its side
    ra = sync(a)
    assert ra.rolled_back and ra.sent >= 1
    sync(b)
    for path in (a, b, shared_state(shared, tmp_path)):
        assert {f2, f3} <= finding_uuids(path)
    assert sync(a).rolled_back is False  # repaired once, then quiet


def test_snapshot_restored_after_a_compaction_is_repaired_by_whoever_holds_the_lost_syncs(office, tmp_path):
    shared, laptop = office
    c1, c2 = cell_of(shared, 10), cell_of(shared, 200)
    ins_a, ins_b = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b, c = laptop("a", ins_a.name), laptop("b", ins_b.name), laptop("c", actor(shared, "admin").name)
    backup = tmp_path / "district-backup.gpkg"
    shutil.copy2(shared, backup)
    f2 = finding_here(a, ins_a, c1, "F2")
    sync(a)
    f3 = finding_here(b, ins_b, c2, "F3")
    sync(b)
    compact_shared(shared)  # F2 now lives only in the snapshot (the log keeps just the newest entry)
    assert [e.sync_uuid for e in sharelog.entries(shared)] == [sharelog.entries(shared)[-1].sync_uuid]
    shutil.copy2(backup, shared)  # the old snapshot comes back
    assert f2 not in finding_uuids(shared_state(shared, tmp_path))
    rc = sync(c)  # c never had F2: it cannot know, and syncs normally
    assert not rc.rolled_back and f2 not in finding_uuids(c)
    ra = sync(a)
    assert ra.rolled_back and any("went back in time" in m for m in ra.messages)
    for who in (b, c, a):
        sync(who)
    for path in (a, b, c, shared_state(shared, tmp_path)):
        assert {f2, f3} <= finding_uuids(path), path
    # a new laptop checked out now sees everything, and the snapshot alone holds it after a compaction
    d = laptop("d", ins_b.name)
    assert {f2, f3} <= finding_uuids(d)
    compact_shared(shared)
    assert {f2, f3} <= finding_uuids(shared)


# --- the laptop's own file while its sync runs ----------------------------------------------------------

WRITER = r'''
import datetime as dt, sys, time
from gridwatch.storage.workflow import Actor, record_finding
path, uuid, name, code, lon, lat, n = sys.argv[1:8]
who = Actor(uuid, name, "supervisor")
for i in range(int(n)):
    for attempt in range(5):
        try:
            fid = record_finding(path, who, category="scattered_coal", longitude=float(lon), latitude=float(lat),
                                 cell_code=code, description=f"script {i}").created("finding")[0]
            break
        except Exception as exc:  # a refused edit is a failure of the test, reported as such
            print("FAILED", i, type(exc).__name__, exc, flush=True)
            time.sleep(0.2)
    else:
        continue
    print("OK", fid, flush=True)
    time.sleep(0.01)
'''


def test_a_script_recording_findings_while_the_same_laptop_syncs_loses_nothing(office, tmp_path):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    cell = cell_of(shared, 10)
    p = cell.geometry.representative_point()
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    writer = subprocess.Popen([sys.executable, str(script), str(a), sup.uuid, sup.name, cell["code"], str(p.x),
                               str(p.y), "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    errors = []
    syncs = 0
    while writer.poll() is None:
        try:
            sync(a, compact_after=3)  # compactions too, as in the field
            syncs += 1
        except SyncError as exc:  # a clear message is acceptable; a crash or a loss is not
            errors.append(str(exc))
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    written = [line.split()[1] for line in out.splitlines() if line.startswith("OK")]
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    assert failed == [] and len(written) == 120
    assert syncs >= 3, errors
    sync(a)
    state = shared_state(shared, tmp_path)
    assert set(written) <= finding_uuids(a)
    assert set(written) <= finding_uuids(state)
    with closing(sqlite3.connect(state)) as con:
        audited = {r[0] for r in con.execute("SELECT row_uuid FROM audit_log WHERE table_name = 'finding'")}
    assert set(written) <= audited
    assert integrity(a) == "ok"


def test_two_syncs_of_one_working_copy_take_turns(office, tmp_path):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    cell = cell_of(shared, 10)
    made = [finding_here(a, sup, cell, f"F{i}") for i in range(3)]
    results: list[object] = []
    gate = threading.Event()

    def run():
        gate.wait()
        try:
            results.append(sync(a))
        except Exception as exc:  # noqa: BLE001 - collected and checked below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(120)
    assert len(results) == 2
    for r in results:
        assert isinstance(r, engine.SyncReport) or (isinstance(r, SyncError) and "already running" in str(r)), r
    sync(a)
    assert set(made) <= finding_uuids(shared_state(shared, tmp_path))
    assert not engine._load_state(a).get("pending")


def test_a_second_sync_of_the_same_copy_says_a_sync_is_running(office):
    shared, laptop = office
    a = laptop("a", actor(shared, "supervisor").name)
    from gridwatch.sync.workcopy import WorkingCopyLock

    with WorkingCopyLock(a, wait_seconds=0):
        with pytest.raises(SyncError, match="already running"):
            sync(a, lock_wait=0.3)


# --- a read-only or full share, odd locks ----------------------------------------------------------------


class Share:
    """A shared folder on its own small file system (tmpfs), so it can really turn read-only or fill up.
    Where this machine may not mount, the same faults are raised by the file system calls instead."""

    def __init__(self, folder: Path, size: int, monkeypatch) -> None:
        self.folder, self.monkeypatch, self.fault = folder, monkeypatch, None
        self.mounted = sharefs.mount(folder, size)
        if not self.mounted:
            self._inject()

    def _inject(self) -> None:
        real_open, real_replace, real_mkstemp = os.open, os.replace, __import__("tempfile").mkstemp
        share = self

        def inside(p) -> bool:
            return share.fault is not None and str(Path(p).resolve()).startswith(str(share.folder.resolve()))

        def fault_open(path, flags, mode=0o777, *a, **kw):
            if inside(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise OSError(share.fault, os.strerror(share.fault), str(path))
            return real_open(path, flags, mode, *a, **kw)

        def fault_replace(src, dst, *a, **kw):
            if inside(dst):
                raise OSError(share.fault, os.strerror(share.fault), str(dst))
            return real_replace(src, dst, *a, **kw)

        def fault_mkstemp(*a, dir=None, **kw):
            if dir is not None and inside(dir):
                raise OSError(share.fault, os.strerror(share.fault), str(dir))
            return real_mkstemp(*a, dir=dir, **kw)

        self.monkeypatch.setattr(os, "open", fault_open)
        self.monkeypatch.setattr(os, "replace", fault_replace)
        self.monkeypatch.setattr("tempfile.mkstemp", fault_mkstemp)

    def read_only(self, on: bool) -> None:
        if self.mounted:
            sharefs.read_only(self.folder, on)
        else:
            self.fault = errno.EROFS if on else None

    def fill(self) -> None:
        if self.mounted:
            sharefs.fill(self.folder)
        else:
            self.fault = errno.ENOSPC

    def free(self) -> None:
        if self.mounted:
            sharefs.free(self.folder)
        else:
            self.fault = None

    def close(self) -> None:
        if self.mounted:
            sharefs.unmount(self.folder)


@pytest.fixture
def small_office(tmp_path, sample_path, monkeypatch):
    share = Share(tmp_path / "share", sample_path.stat().st_size * 3, monkeypatch)
    shared = share.folder / "district.gpkg"
    shutil.copyfile(sample_path, shared)

    def laptop(name: str, user: str) -> Path:
        folder = tmp_path / name
        folder.mkdir(exist_ok=True)
        return checkout(shared, folder / "project.gpkg", user)

    yield shared, laptop, share
    share.close()


def test_a_share_that_turns_read_only_mid_sync_says_so_and_does_not_block_the_next_sync(small_office):
    shared, laptop, share = small_office
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    f1 = finding_here(a, sup, cell_of(shared, 10), "F1")

    def turn_read_only(fraction, message):
        if message == "reading the shared project":
            share.read_only(True)

    with pytest.raises(SyncError, match="read-only"):
        sync(a, progress=turn_read_only)
    share.read_only(False)
    assert f1 in finding_uuids(a)  # the edit is safe on the laptop
    # the lock the sync could not remove does not hold anybody up: this laptop takes it over at once
    report = sync(a, lock_wait=1.0)
    assert report.sent >= 1 and read_lock(shared) is None
    assert f1 in finding_uuids(shared_state(shared, shared.parent.parent))


def test_a_full_share_says_it_is_full_and_leaves_no_lock_behind(small_office):
    shared, laptop, share = small_office
    sup = actor(shared, "supervisor")
    a, b = laptop("a", sup.name), laptop("b", actor(shared, "supervisor", 1).name)
    f1 = finding_here(a, sup, cell_of(shared, 10), "F1")
    share.fill()
    with pytest.raises(SyncError, match="full"):
        sync(a, lock_wait=1.0)
    assert not lock_path(shared).exists() or read_lock(shared) is not None  # never a lock without an owner
    share.free()
    sync(b, lock_wait=1.0)  # nobody waits two minutes
    assert sync(a, lock_wait=1.0).sent >= 1
    assert f1 in finding_uuids(shared_state(shared, shared.parent.parent))


def test_a_lock_without_an_owner_is_stale_at_once(office):
    shared, laptop = office
    a = laptop("a", actor(shared, "supervisor").name)
    lock_path(shared).write_bytes(b"")  # what a sync that could not write its lock left (full share)
    t0 = time.monotonic()
    sync(a, lock_wait=5.0)
    assert time.monotonic() - t0 < 5.0 and read_lock(shared) is None


def test_two_syncs_taking_over_the_same_stale_lock_do_not_both_hold_it(office, monkeypatch):
    shared, _ = office
    dead = SharedLock(shared, "killed")
    dead._try_create()
    old = time.time() - 600
    os.utime(dead.path, (old, old))
    first, second = SharedLock(shared, "first"), SharedLock(shared, "second")
    # second looks at the dead lock and decides it is stale ...
    held = read_lock(shared)
    assert second._stale(held)
    # ... first takes it over meanwhile ...
    first.acquire()
    try:
        # ... then second moves what it takes for the dead lock: it must give first's lock back
        second._take_over(held)
        assert first.still_mine() and not second.still_mine()
        assert second.took_over is None
    finally:
        first.release()
    assert read_lock(shared) is None


def test_a_laptop_frozen_before_its_final_rename_does_not_fork_the_log(office, monkeypatch):
    """A sync passes its lock check, the laptop is suspended for minutes, its lock turns stale and
    another laptop syncs; when the first wakes up its entry must not stand beside the other's."""
    shared, laptop = office
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b = laptop("a", sup.name), laptop("b", sup2.name)
    fa = finding_here(a, sup, cell_of(shared, 10), "A")
    fb = finding_here(b, sup2, cell_of(shared, 200), "B")
    real_replace = os.replace
    log = sharelog.log_dir(shared)
    froze = []

    def frozen_replace(src, dst, *args, **kw):
        if Path(dst).parent == log and not froze:
            froze.append(1)
            # meanwhile: a's lock is taken over as stale and b syncs
            os.utime(lock_path(shared), (time.time() - 600, time.time() - 600))
            sync(b, lock_wait=5.0)
        return real_replace(src, dst, *args, **kw)

    monkeypatch.setattr(os, "replace", frozen_replace)
    with pytest.raises(SyncError, match="taken over"):
        sync(a, lock_wait=5.0)
    monkeypatch.setattr(os, "replace", real_replace)
    numbers = [e.seq for e in sharelog.entries(shared)]
    assert len(numbers) == len(set(numbers))
    sync(a, lock_wait=5.0)
    sync(b)
    for path in (a, b, shared_state(shared, shared.parent.parent)):
        assert {fa, fb} <= finding_uuids(path)


def test_a_snapshot_changed_with_the_same_size_and_time_is_noticed(office, tmp_path):
    """FAT sticks keep 2-second times and no inode numbers: a snapshot replaced or edited in place with
    the same size and time must still be seen as changed."""
    shared, laptop = office
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b = laptop("a", sup.name), laptop("b", sup2.name)
    sync(a)
    sync(b)
    st = shared.stat()
    # another program (GDAL-based, as QGIS) corrects a township name in place: same size, same time
    from gridwatch.storage.gpkg import register_gpkg_functions

    with closing(sqlite3.connect(shared, isolation_level=None)) as con:
        register_gpkg_functions(con)
        row = con.execute("SELECT fid, name FROM township ORDER BY fid LIMIT 1").fetchone()
        con.execute("UPDATE township SET name = ? WHERE fid = ?", (row[1][::-1], row[0]))
    os.utime(shared, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert shared.stat().st_size == st.st_size and shared.stat().st_mtime_ns == st.st_mtime_ns
    report = sync(a)
    assert any("edited directly" in m for m in report.messages)
    with closing(sqlite3.connect(a)) as con:
        assert con.execute("SELECT name FROM township WHERE fid = ?", (row[0],)).fetchone()[0] == row[1][::-1]


# --- the shared snapshot written by someone else --------------------------------------------------------


def test_an_office_edit_made_on_the_shared_file_itself_is_folded_in_and_nobody_is_stuck(office, tmp_path):
    """An office user opened the shared snapshot directly (an older GridWatch, a script, QGIS) and made
    edits; the change log written before does not fit it any more.  Syncs and checkouts go on, the edit
    becomes part of the shared project, and nothing a laptop sent is lost."""
    shared, laptop = office
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b = laptop("a", sup.name), laptop("b", sup2.name)
    fa = finding_here(a, sup, cell_of(shared, 10), "A")
    sync(a)  # entry 1 (fid of the finding, audit rows, sync_log row)
    # GridWatch refuses to write the shared file ...
    from gridwatch.errors import SharedProjectError

    with pytest.raises(SharedProjectError, match="shared project"):
        finding_here(shared, sup2, cell_of(shared, 300), "refused")
    # ... so the office edits a copy of it elsewhere (or an older GridWatch, or a script) and puts it back,
    # with new rows under the fids the log already used
    elsewhere = tmp_path / "desk" / "district.gpkg"
    elsewhere.parent.mkdir()
    shutil.copy2(shared, elsewhere)
    direct = finding_here(elsewhere, sup2, cell_of(shared, 300), "written on the shared file")
    task = create_assignments(elsewhere, sup2, [cell_of(shared, 301)["code"]], "patrol",
                              now=NOW).created("assignment")[0]
    shutil.copy2(elsewhere, shared)
    fb = finding_here(b, sup2, cell_of(shared, 200), "B")
    rb = sync(b)
    assert any("edited directly" in m or "set aside" in m for m in rb.messages), rb.messages
    ra = sync(a)
    c = laptop("c", actor(shared, "admin").name)  # a new checkout works
    for who in (b, a, c):
        sync(who)
    for path in (a, b, c, shared_state(shared, tmp_path)):
        got = finding_uuids(path)
        assert {fa, fb, direct} <= got, path
        assert task in set(queries.tasks(path)["uuid"])
        assert integrity(path) == "ok"
    assert ra.refused == 0
    compact_shared(shared)
    assert {fa, fb, direct} <= finding_uuids(shared)


# --- gridwatch sync's exit status, gridwatch doctor ------------------------------------------------------


def gridwatch(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gridwatch", *map(str, args)], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_gridwatch_sync_exits_3_when_it_refused_edits(office):
    shared, laptop = office
    ins = owner_of(shared, cell_of(shared, 10))
    f = laptop("f", ins.name)
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    assert gridwatch("sync", f).returncode == 0
    with closing(connect_readwrite(f)) as con, transaction(con):
        con.execute("UPDATE township SET name = name || '（改）' WHERE fid = 1")
    res = gridwatch("sync", f)
    assert res.returncode == 3, res.stderr
    assert "1 refused" in res.stdout and "only an administrator may change township" in res.stdout


def test_doctor_finds_and_repairs_what_field_offices_do_to_shared_folders(office, tmp_path):
    shared, laptop = office
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    a, b = laptop("a", sup.name), laptop("b", sup2.name)
    res = gridwatch("doctor", shared)
    assert res.returncode == 0 and "problem:" not in res.stdout, res.stdout
    stick = tmp_path / "stick"
    shutil.copytree(shared.parent, stick, copy_function=shutil.copy2)
    f1 = finding_here(a, sup, cell_of(shared, 10), "F1")
    sync(a)
    f2 = finding_here(b, sup2, cell_of(shared, 200), "F2")
    sync(b)
    copy_folder_back(stick, shared.parent, restore=True)  # the folder goes back in time
    f3 = finding_here(b, sup2, cell_of(shared, 201), "F3")
    # a dead sync's lock without an owner, and temp files of killed writes
    lock_path(shared).write_bytes(b"")
    (sharelog.log_dir(shared) / ".entry-x.tmp").write_bytes(b"half")
    check = gridwatch("doctor", shared, "--check", "--laptop", a, "--laptop", b)
    assert check.returncode == 1
    assert "lock left by a sync that died" in check.stdout and "temp file" in check.stdout
    assert f"{a} holds 1 sync(s) the shared project lost" in check.stdout
    assert lock_path(shared).exists()  # --check changes nothing
    fixed = gridwatch("doctor", shared, "--laptop", a)
    assert "fixed: removed a lock" in fixed.stdout and "fixed: deleted 1 temp file" in fixed.stdout, fixed.stdout
    assert not lock_path(shared).exists()
    sync(a)  # the laptops send what the share lost
    sync(b)
    sync(a)
    for path in (a, b, shared_state(shared, tmp_path)):
        assert {f1, f2, f3} <= finding_uuids(path)
    final = gridwatch("doctor", shared, "--laptop", a, "--laptop", b)
    assert final.returncode == 0, final.stdout
    assert "everything it synced is in the shared project" in final.stdout


def test_cli_commands_that_write_refuse_a_shared_project_and_leave_it_untouched(office):
    shared, laptop = office
    sup = actor(shared, "supervisor")
    laptop("a", sup.name)  # checked out: the shared folder now holds its change log
    from .conftest import sha256

    before = sha256(shared)
    code = cell_of(shared, 10)["code"]
    res = gridwatch("assign", shared, "--user", sup.name, "--kind", "patrol", "--cells", code)
    assert res.returncode == 2 and "shared project" in res.stderr and "check out a working copy" in res.stderr
    assert res.stderr.count("\n") == 1  # one line, no traceback
    assert gridwatch("tasks", shared).returncode == 0  # reading is fine
    assert sha256(shared) == before


def test_a_working_copy_left_with_a_hot_journal_by_a_killed_sync_opens_and_syncs(office, tmp_path):
    """A sync killed while it wrote the working copy leaves a hot journal; reading the copy (app, CLI,
    a script) rolls it back instead of failing with "attempt to write a readonly database"."""
    shared, laptop = office
    sup = actor(shared, "supervisor")
    a = laptop("a", sup.name)
    f1 = finding_here(a, sup, cell_of(shared, 10), "F1")
    script = ("import sqlite3, os, sys\n"
              "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "con.execute('PRAGMA journal_mode = DELETE')\n"
              "con.execute('BEGIN IMMEDIATE')\n"
              "con.execute(\"UPDATE inspector SET phone = 'half written'\")\n"
              "con.execute('PRAGMA cache_spill = 1')\n"
              "con.execute('CREATE TABLE spill (x BLOB)')\n"
              "con.execute('INSERT INTO spill VALUES (zeroblob(50000000))')\n"
              "sys.stdout.write('ready\\n'); sys.stdout.flush()\n"
              "import time; time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(a)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    proc.kill()  # SIGKILL in the middle of the transaction
    proc.wait()
    assert Path(str(a) + "-journal").stat().st_size > 0
    from gridwatch.storage.workflow import find_actor

    assert find_actor(a, sup.name).uuid == sup.uuid  # a read-only open works, after the rollback
    assert not Path(str(a) + "-journal").exists() or Path(str(a) + "-journal").stat().st_size == 0
    with closing(sqlite3.connect(a)) as con:
        assert con.execute("SELECT description FROM finding WHERE uuid = ?", (f1,)).fetchone()[0] == "F1"
        assert con.execute("SELECT COUNT(*) FROM inspector WHERE phone = 'half written'").fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'spill'").fetchone()[0] == 0
    assert sync(a).sent >= 1


# --- the sync checks what the app checks (issue 13: one policy at every door) -------------------------------


def test_an_inspectors_hand_edits_that_skip_the_loop_are_refused_at_sync_and_stay_on_the_laptop(office, tmp_path):
    """With plain SQLite on an inspector's working copy: a finding moved straight from found to closed
    naming a supervisor as closer, a supervisor's finding in the inspector's own cell deleted, and an
    audit row written under another person's name.  The sync refuses each (the domain policy decides, as
    in the app), the share never sees them, and the laptop keeps them."""
    from gridwatch.storage.gpkg import register_gpkg_functions

    shared, laptop = office
    sup = actor(shared, "supervisor")
    cell = cell_of(shared, 10)
    ins = owner_of(shared, cell)
    o, f = laptop("o", sup.name), laptop("f", ins.name)
    mine = finding_here(o, sup, cell, "the supervisor's finding in the inspector's cell")
    other = finding_here(o, sup, cell, "to be closed by hand")
    sync(o)
    sync(f)
    with closing(sqlite3.connect(f, isolation_level=None)) as con:
        register_gpkg_functions(con)
        con.execute("BEGIN")
        con.execute("UPDATE finding SET status = 'closed', closed_by = ?, closed_at = '2026-12-06T10:00:00Z' "
                    "WHERE uuid = ?", (sup.uuid, other))
        con.execute("DELETE FROM finding WHERE uuid = ?", (mine,))
        con.execute("INSERT INTO audit_log (uuid, at, user_name, action, table_name, row_uuid) "
                    "VALUES ('00000000-0000-4000-8000-000000000001', '2026-12-06T10:00:00Z', ?, 'close', "
                    "'finding', NULL)", (sup.name,))
        con.execute("COMMIT")
    report = sync(f)
    assert report.refused == 3, report.messages
    text = "\n".join(report.messages)
    assert "may not close" in text or "cannot move a finding from found to closed" in text
    assert "deleted only by whoever recorded it" in text
    assert "audit entries in the name of" in text
    state = shared_state(shared, tmp_path)
    with closing(sqlite3.connect(state)) as con:
        assert con.execute("SELECT status FROM finding WHERE uuid = ?", (other,)).fetchone()[0] == "found"
        assert con.execute("SELECT COUNT(*) FROM finding WHERE uuid = ?", (mine,)).fetchone()[0] == 1
        assert con.execute("SELECT COUNT(*) FROM audit_log WHERE uuid = '00000000-0000-4000-8000-000000000001'"
                           ).fetchone()[0] == 0
    with closing(sqlite3.connect(f)) as con:  # still on the laptop, for its user to see
        assert con.execute("SELECT status FROM finding WHERE uuid = ?", (other,)).fetchone()[0] == "closed"
    assert gridwatch("sync", f).returncode == 3  # refused again, and said so


def test_rows_trading_fids_with_rows_above_them_are_aligned_without_a_clash(tmp_path, sample_path):
    """Found by the long torture: two rows whose fids the shared state swapped, with another row right
    above them, made the alignment park a row on an occupied fid (UNIQUE constraint failed)."""
    from gridwatch.storage.gpkg import connect_readwrite, transaction
    from gridwatch.sync.settle import _align_fids

    from .conftest import clear_work

    base, theirs, merged = (tmp_path / f"{n}.gpkg" for n in ("base", "theirs", "merged"))
    shutil.copyfile(sample_path, base)
    clear_work(base)  # no tasks: these three are the table
    rows = [(3, "00000000-0000-4000-8000-00000000000a"), (5, "00000000-0000-4000-8000-00000000000b"),
            (6, "00000000-0000-4000-8000-00000000000c")]
    code = cell_of(base, 10)["code"]
    who = actor(base, "supervisor")
    with closing(connect_readwrite(base)) as con, transaction(con):
        for fid, uid in rows:
            con.execute("INSERT INTO assignment (fid, uuid, kind, cell_code, assignee_uuid, status) "
                        "VALUES (?, ?, 'patrol', ?, ?, 'assigned')", (fid, uid, code, who.uuid))
    shutil.copyfile(base, theirs)
    shutil.copyfile(base, merged)
    with closing(connect_readwrite(theirs)) as con, transaction(con):  # the shared state swapped 3 and 5
        con.execute("UPDATE assignment SET fid = 100 WHERE fid = 3")
        con.execute("UPDATE assignment SET fid = 3 WHERE fid = 5")
        con.execute("UPDATE assignment SET fid = 5 WHERE fid = 100")
    work = tmp_path / "work"
    work.mkdir()
    aligned = _align_fids(base, theirs, merged, work, {"assignment"})
    for path in (aligned, merged):
        with closing(sqlite3.connect(path)) as con:
            got = dict(con.execute("SELECT uuid, fid FROM assignment"))
        assert got[rows[0][1]] == 5 and got[rows[1][1]] == 3 and got[rows[2][1]] == 6


def test_a_grid_chiefs_tasks_outside_the_township_are_refused_at_sync(office, tmp_path):
    """A township grid chief assigns within the township: the app says so, and so does the sync when the
    chief's working copy was edited by hand (the sync's judge knows the chief's township)."""
    from gridwatch.storage.gpkg import register_gpkg_functions

    shared, laptop = office
    chiefs = people(shared).query("role == 'chief'")
    chief = chiefs.iloc[0]
    town = str(chief["township_code"])
    cells = Project.open(shared).read_layer("grid_cell")
    inside = str(cells.loc[cells["code"].str[:9] == town, "code"].iloc[0])
    outside = str(cells.loc[cells["code"].str[:9] != town, "code"].iloc[0])
    c = laptop("chief", str(chief["name"]))
    made = {}
    with closing(sqlite3.connect(c, isolation_level=None)) as con:
        register_gpkg_functions(con)
        con.execute("BEGIN")
        for n, code in enumerate((inside, outside)):
            uid = f"00000000-0000-4000-8000-00000000010{n}"
            con.execute("INSERT INTO assignment (uuid, kind, cell_code, assignee_uuid, status, created_at, due_at, "
                        "created_by) VALUES (?, 'patrol', ?, ?, 'assigned', '2026-12-06T02:00:00Z', "
                        "'2026-12-08T10:00:00Z', ?)", (uid, code, chief["uuid"], chief["uuid"]))
            made[code] = uid
        con.execute("COMMIT")
    report = sync(c)
    assert report.refused == 1 and "may not act in township" in report.messages[0], report.messages
    state = shared_state(shared, tmp_path)
    with closing(sqlite3.connect(state)) as con:
        got = {r[0] for r in con.execute("SELECT uuid FROM assignment WHERE uuid IN (?, ?)", tuple(made.values()))}
    assert made[outside] not in got and made[inside] in got, report.messages
