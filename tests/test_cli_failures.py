"""The CLI failure matrix: every command on every kind of damaged or odd file (tests/damage.py).

What a user must get, whatever the file:

* a command that cannot do its work prints **one line** on stderr, ``gridwatch: error: <file>: ...``,
  naming the file and saying what is wrong in plain words (a full disk as a full disk, a lock as
  another program writing), exits with status 2, and leaves every file as it was -- no traceback, no
  "Exception ignored" afterwards, no journal or temp file left behind;
* a project whose writer was killed mid-transaction (a hot journal) is rolled back and works;
* a read-only project or one on a full disk can still be read; what would write says why it cannot.

The same table is the README's "bad files" paragraph.  Runs in-process (``gridwatch.cli.main``) over
files shared per module, so the 150-odd cases take well under a minute.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from gridwatch.cli import main

from . import damage
from .damage import KINDS, damaged

SUPERVISOR = "文秀兰"
P, OUT = "{P}", "{O}"

#: command: (template file it works on, arguments, what it does with that file)
#: "read": only reads it; "write": changes it; "export": reads it and writes the file {O}.
COMMANDS: dict[str, tuple[str, list[str], str]] = {
    "open": ("project", ["open", P], "read"),  # the desktop app (its window replaced by a stub here)
    "info": ("project", ["info", P], "read"),
    "info --json": ("project", ["info", P, "--json"], "read"),
    "tasks": ("project", ["tasks", P, "--overdue"], "read"),
    "findings": ("project", ["findings", P, "--json"], "read"),
    "rules": ("project", ["rules", P, "--rule", "mine_not_inspected"], "read"),
    "conflicts": ("project", ["conflicts", P, "--all"], "read"),
    "assign --dry-run": ("project", ["assign", P, "--user", SUPERVISOR, "--kind", "patrol", "--cells",
                                     "130110100001001", "--dry-run"], "read"),
    "assign": ("project", ["assign", P, "--user", SUPERVISOR, "--kind", "patrol", "--cells", "130110100001001"],
               "write"),
    "tasks --from-fire-points": ("project", ["tasks", P, "--from-fire-points", "--since-days", "366", "--user",
                                              SUPERVISOR], "write"),
    "rules --assign": ("project", ["rules", P, "--rule", "mine_not_inspected", "--assign", "--user", SUPERVISOR,
                                   "--due", "2030-12-31"], "write"),
    "import": ("project", ["import", P, "{SITE}", "--layer", "construction_site", "--user", SUPERVISOR], "write"),
    "export ledger": ("project", ["export", "ledger", P, "--out", OUT + ".csv"], "export"),
    "export ranking": ("project", ["export", "ranking", P, "--out", OUT + ".xlsx"], "export"),
    "export coverage": ("project", ["export", "coverage", P, "--out", OUT + ".xlsx"], "export"),
    "export html": ("project", ["export", "html", P, "--out", OUT + ".html", "--layers", "township"], "export"),
    "export map": ("project", ["export", "map", P, "--out", OUT + ".pdf", "--layers", "township", "--no-labels"],
                   "export"),
    "sync": ("laptop", ["sync", P], "write"),
    "checkout": ("shared", ["checkout", P, OUT + ".gpkg", "--user", SUPERVISOR], "export"),
    "compact": ("shared", ["compact", P], "write"),
    "doctor --check": ("shared", ["doctor", P, "--check"], "read"),
}

#: What each kind of file gets, by what the command does with it: None = works (status 0); else the
#: words of the one-line error (status 2).
FAILS_WITH: dict[str, dict[str, str | None]] = {
    "missing": {"read": "file not found", "write": "file not found", "export": "file not found"},
    "empty": {"read": "file is empty", "write": "file is empty", "export": "file is empty"},
    "truncated": {"read": "truncated GeoPackage", "write": "truncated GeoPackage", "export": "truncated GeoPackage"},
    "read_only": {"read": None, "write": "read-only", "export": None},
    "locked": {"read": "another program is writing", "write": "another program is writing",
               "export": "another program is writing"},
    "foreign_schema": {"read": "not a GridWatch project", "write": "not a GridWatch project",
                       "export": "not a GridWatch project"},
    "newer_schema": {"read": "newer GridWatch", "write": "newer GridWatch", "export": "newer GridWatch"},
    "hot_journal": {"read": None, "write": None, "export": None},
    "full_disk": {"read": None, "write": "disk is full", "export": "disk is full"},
}

#: Where the sync engine's own words differ (it, not this matrix, decides them): the shared project's
#: commands take the share's lock (so a read-only or full share stops them) and read the snapshot
#: through their own checks.
SYNC_WORDS: dict[tuple[str, str], str | None] = {
    ("sync", "missing"): "not a working copy",
    ("checkout", "missing"): "shared project not found",
    ("checkout", "read_only"): "read-only",
    ("checkout", "full_disk"): "shared folder is full",
    ("compact", "missing"): "shared project not found",
    ("compact", "read_only"): "read-only",
    ("compact", "locked"): None,  # the snapshot is replaced whole, never written in place
    ("compact", "hot_journal"): None,  # nothing to fold in (with change files: "open in another program")
    ("compact", "full_disk"): "shared folder is full",
    ("doctor --check", "missing"): "shared project not found",
    ("doctor --check", "empty"): "shared project cannot be read",
    ("doctor --check", "truncated"): "shared project cannot be read",
    ("doctor --check", "foreign_schema"): "shared project cannot be read",
    ("doctor --check", "newer_schema"): None,  # its integrity is fine
    ("doctor --check", "locked"): None,  # it reads the snapshot as an immutable file
}

#: Where the sync engine does what it should not (reported to its owner, kept visible here).
SYNC_KNOWN: dict[tuple[str, str], str] = {}


def expected(command: str, kind: str) -> str | None:
    if (command, kind) in SYNC_WORDS:
        return SYNC_WORDS[(command, kind)]
    return FAILS_WITH[kind][COMMANDS[command][2]]


def _cases() -> list:  # type: ignore[type-arg]
    return [pytest.param(c, k, marks=pytest.mark.xfail(reason=SYNC_KNOWN[(c, k)], strict=True))
            if (c, k) in SYNC_KNOWN else pytest.param(c, k) for c in COMMANDS for k in KINDS]


@pytest.fixture(scope="module")
def templates(tmp_path_factory, sample_path) -> dict[str, tuple[Path, tuple[str, ...], tuple[Path, Path]]]:
    """Intact files to damage: a project, a shared project (snapshot + change log), a laptop's working
    copy of it; each with its hot-journal pair."""
    from gridwatch.sync import checkout

    from .conftest import clear_work

    base = tmp_path_factory.mktemp("intact")
    bare = clear_work(Path(shutil.copyfile(sample_path, base / "bare.gpkg")))  # every command has work to do
    project = base / "project" / "project.gpkg"
    project.parent.mkdir()
    shutil.copyfile(bare, project)
    for folder in ("share", "laptop-share"):  # the laptop syncs with a share of its own: this one stays as it is
        shared = base / folder / "district.gpkg"
        shared.parent.mkdir()
        shutil.copyfile(bare, shared)
        Path(str(shared) + "-changes").mkdir()
    laptop = base / "laptop" / "project.gpkg"
    laptop.parent.mkdir()
    checkout(shared, laptop, SUPERVISOR)
    shared = base / "share" / "district.gpkg"
    out: dict[str, tuple[Path, tuple[str, ...], tuple[Path, Path]]] = {}
    for name, path, along in (("project", project, ()), ("shared", shared, (shared.name + "-changes",)),
                              ("laptop", laptop, ("." + laptop.name + ".sync",))):
        hot = damage.hot_journal_pair(path, base / "hot" / name)
        out[name] = (path, along, hot)
    return out


@pytest.fixture(scope="module")
def site_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("import") / "site.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "新建工地", "dust_grade": "A"},
        "geometry": {"type": "Point", "coordinates": [114.35, 38.08]}}]}, ensure_ascii=False), encoding="utf-8")
    return path


def run(argv: list[str], capsys) -> tuple[int, str, str, list[str]]:  # type: ignore[no-untyped-def]
    """``gridwatch ARGV`` in-process: status, stdout, stderr and what was raised unseen (``Exception ignored``)."""
    unseen: list[str] = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = lambda u: unseen.append(f"{u.exc_type.__name__}: {u.exc_value}")
    try:
        status = main(argv)
        gc.collect()
    finally:
        sys.unraisablehook = old_hook
    captured = capsys.readouterr()
    return status, captured.out, captured.err, unseen


def _killed_write_undone(path: Path) -> None:
    assert not Path(str(path) + "-journal").exists()
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        assert con.execute("SELECT COUNT(*) FROM inspector WHERE phone = ?", (damage.KILLED_MARK,)).fetchone()[0] == 0
        assert con.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'killed_spill'").fetchone()[0] == 0


@pytest.mark.parametrize(("command", "kind"), _cases())
def test_every_command_on_every_kind_of_file(command, kind, templates, site_file, tmp_path, capsys, monkeypatch):
    template, args, role = COMMANDS[command]
    intact, along, hot = templates[template]
    monkeypatch.setenv("GRIDWATCH_BUSY_TIMEOUT", "0.2")
    if command == "open":
        import gridwatch.ui.app

        monkeypatch.setattr(gridwatch.ui.app, "run", lambda project: 0)  # the checks before any window are the CLI's
    if kind == "read_only" and os.geteuid() == 0 and not damage.sharefs.can_mount():
        pytest.skip("as root without a file system to remount read-only, nothing is read-only")
    with damaged(kind, intact, tmp_path / "files", along=along, monkeypatch=monkeypatch, hot=hot) as path:
        if kind == "full_disk" and not damage.sharefs.can_mount() and template != "project":
            pytest.skip("an injected full disk covers the project's own writes, not the sync's files")
        out_dir = path.parent if kind == "full_disk" else tmp_path
        out = out_dir / "out"
        argv = [a.replace(P, str(path)).replace(OUT, str(out)).replace("{SITE}", str(site_file)) for a in args]
        watched = path.parent
        before = damage.listing(watched)
        status, stdout, stderr, unseen = run(argv, capsys)
        after = damage.listing(watched)
    want = expected(command, kind)
    assert "Traceback" not in stderr and not unseen, (stderr, unseen)
    errors = [line for line in stderr.splitlines() if line.startswith("gridwatch: error:")]
    if want is None:
        assert status == (1 if command == "doctor --check" and kind == "hot_journal" else 0), stderr
        assert not errors, stderr
        if kind == "hot_journal" and template != "shared":
            _killed_write_undone(path)
        if role != "write" and kind != "hot_journal" and command != "compact":
            assert after == before, "a command that only reads changed a file"
        return
    assert status == 2, (status, stdout, stderr)
    assert len(stderr.splitlines()) == 1, stderr
    line = errors[0]
    named = out if role == "export" and kind == "full_disk" else path
    if template != "project":  # the sync engine may name the folder, or the file in it it could not write
        named = path.parent
    assert str(named) in line and want in line, line
    assert after == before, "a failed command changed or left a file"


def test_an_injected_full_disk_gives_the_same_line(templates, tmp_path, capsys, monkeypatch):
    """Where no file system can be filled (no mount allowed), the full disk is injected; the words are the same."""
    intact, _along, _hot = templates["project"]
    monkeypatch.setattr(damage.sharefs, "mount", lambda folder, size: False)
    with damaged("full_disk", intact, tmp_path / "files", monkeypatch=monkeypatch) as path:
        before = damage.listing(path.parent)
        status, _out, err, unseen = run(["assign", str(path), "--user", SUPERVISOR, "--kind", "patrol", "--cells",
                                         "130110100001001"], capsys)
        assert status == 2 and not unseen and f"{path}: the disk is full" in err and err.count("\n") == 1, err
        status, _out, err, unseen = run(["export", "ledger", str(path), "--out", str(path.parent / "l.csv")], capsys)
        assert status == 2 and not unseen and "l.csv: the disk is full" in err and err.count("\n") == 1, err
        assert damage.listing(path.parent) == before


def test_a_writer_mid_transaction_lets_readers_read_and_stops_writers(templates, tmp_path, capsys, monkeypatch):
    """Another program inside a write transaction (SQLite's RESERVED lock, before its commit): lists and
    exports work; an assignment waits for it, then says so and writes nothing."""
    import subprocess

    intact, _along, _hot = templates["project"]
    monkeypatch.setenv("GRIDWATCH_BUSY_TIMEOUT", "0.2")
    path = tmp_path / "project.gpkg"
    shutil.copyfile(intact, path)
    script = ("import sqlite3, sys, time\n"
              "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
              "con.execute('BEGIN IMMEDIATE')\n"
              "con.execute(\"UPDATE inspector SET phone = 'pending'\")\n"
              "sys.stdout.write('in\\n'); sys.stdout.flush(); time.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "in"
        assert run(["tasks", str(path), "--json"], capsys)[0] == 0
        before = damage.sha256_of(path)
        status, _out, err, _unseen = run(["assign", str(path), "--user", SUPERVISOR, "--kind", "patrol", "--cells",
                                          "130110100001001"], capsys)
        assert status == 2 and "another program is writing" in err and err.count("\n") == 1, err
        assert damage.sha256_of(path) == before
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_writers_journal_in_a_read_only_folder_is_explained_not_called_damage(templates, tmp_path, capsys):
    """The rollback needs to write; on a read-only medium GridWatch says what happened, that nothing is lost
    and how to open it, instead of calling the file truncated."""
    intact, _along, hot = templates["project"]
    with damage.own_disk(tmp_path / "disk", 24 << 20) as mounted:
        if not mounted and os.geteuid() == 0:
            pytest.skip("as root without a file system to remount read-only, nothing is read-only")
        path = tmp_path / "disk" / "project.gpkg"
        shutil.copyfile(hot[0], path)
        shutil.copyfile(hot[1], str(path) + "-journal")
        if mounted:
            damage.sharefs.read_only(path.parent, True)
        else:
            damage._chmod_tree(path.parent, writable=False)
        try:
            for argv in (["info", str(path)], ["tasks", str(path)], ["export", "ledger", str(path), "--out",
                                                                      str(tmp_path / "l.xlsx")]):
                status, _out, err, _unseen = run(argv, capsys)
                assert status == 2 and err.count("\n") == 1, err
                assert "stopped in the middle of writing" in err and "Nothing is lost" in err, err
                assert "project.gpkg-journal" in err and "truncated" not in err, err
        finally:
            if mounted:
                damage.sharefs.read_only(path.parent, False)
            else:
                damage._chmod_tree(path.parent, writable=True)


def test_a_shared_project_with_a_dead_writers_journal_is_checked_on_a_copy(templates, tmp_path, capsys):
    """The shared file is never written in place: a journal another program left there is undone on a copy
    for the check (checkout works), and stays for `gridwatch doctor` to roll back."""
    _intact, _along, hot = templates["shared"]
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(hot[0], shared)
    shutil.copyfile(hot[1], str(shared) + "-journal")
    Path(str(shared) + "-changes").mkdir()
    from gridwatch.storage import check_project
    from gridwatch.storage.schema import SCHEMA_VERSION

    assert check_project(shared)["schema_version"] == str(SCHEMA_VERSION)
    assert Path(str(shared) + "-journal").exists()
    status, _out, err, _unseen = run(["checkout", str(shared), str(tmp_path / "mine.gpkg"), "--user", SUPERVISOR],
                                     capsys)
    assert status == 0 and "gridwatch-check" not in err, err  # nothing said about the copy that was checked
    _killed_write_undone(tmp_path / "mine.gpkg")
    # reading the share itself needs the journal rolled back there: what to run is said
    status, _out, err, _unseen = run(["tasks", str(shared)], capsys)
    assert status == 2 and err.count("\n") == 1 and f"`gridwatch doctor {shared}` rolls back" in err, err
    assert run(["doctor", str(shared)], capsys)[0] == 0
    assert run(["tasks", str(shared)], capsys)[0] == 0
    _killed_write_undone(shared)


@pytest.mark.parametrize("kind", ["read_only", "full_disk"])
def test_sample_into_a_folder_that_cannot_take_it(kind, tmp_path, capsys, monkeypatch):
    """`gridwatch sample --out` on a full disk or into a read-only folder: one line, nothing left behind."""
    with damage.own_disk(tmp_path / "disk", 2 << 20) as mounted:
        if not mounted:
            pytest.skip("needs a file system of its own to fill or make read-only")
        folder = tmp_path / "disk"
        if kind == "full_disk":
            damage.sharefs.fill(folder)
        else:
            damage.sharefs.read_only(folder, True)
        try:
            before = sorted(p.name for p in folder.iterdir())
            status, _out, err, unseen = run(["sample", "--out", str(folder / "d.gpkg"), "--quiet"], capsys)
            assert status == 2 and not unseen and err.count("\n") == 1, err
            assert f"{folder / 'd.gpkg'}: " in err and ("disk is full" if kind == "full_disk" else "read-only") in err
            assert sorted(p.name for p in folder.iterdir()) == before
        finally:
            if kind == "read_only":
                damage.sharefs.read_only(folder, False)


def test_conflicts_with_a_stored_value_that_is_not_json(sample_copy, capsys):
    """A sync_conflict row edited by another program (its value not JSON): listed as the text it holds."""
    from .conftest import clear_work

    clear_work(sample_copy)  # this conflict alone
    import uuid

    with closing(sqlite3.connect(sample_copy)) as con:
        cols = [r[1] for r in con.execute("PRAGMA table_info(sync_conflict)")]
        row = {"uuid": str(uuid.uuid4()), "sync_uuid": str(uuid.uuid4()), "at": "2026-12-01T08:00:00.000Z",
               "table_name": "finding", "row_uuid": str(uuid.uuid4()), "column_name": "description",
               "kept_value": "{not json", "other_value": '{"base64": "%%%"}', "kept_by": "甲", "other_by": "乙",
               "rule": "later_edit", "status": "accepted"}
        con.execute(f"INSERT INTO sync_conflict ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                    list(row.values()))
        con.commit()
    assert set(row) <= set(cols)
    status, out, err, unseen = run(["conflicts", str(sample_copy), "--all"], capsys)
    assert status == 0 and not err and not unseen, err
    assert "kept '{not json'" in out and "1 conflict(s)" in out
    status, out, err, _unseen = run(["conflicts", str(sample_copy), "--all", "--json"], capsys)
    assert status == 0 and json.loads(out)[0]["kept_value"] == "{not json"
