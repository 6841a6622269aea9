"""Damaged and odd project files, made the way they happen in district offices.

Each kind of :data:`KINDS` turns an intact file (a project, a working copy, a shared project's
snapshot) into what a user may point GridWatch at:

* ``missing``, ``empty``, ``truncated`` (the first half: a copy cut short by a full stick or a broken
  transfer);
* ``read_only``: on a read-only file system (a tmpfs remounted ``ro`` when this machine may mount, as
  CI, running as root, may; otherwise the file and folder lose their write bits, which binds everyone
  but root);
* ``locked``: another process holds SQLite's exclusive lock on it (a writer in the middle of its commit);
* ``foreign_schema``: a GeoPackage that is not a GridWatch project (real data from pyogrio's tests);
* ``newer_schema``: written by a newer GridWatch (schema version 99);
* ``hot_journal``: a writer was SIGKILLed in the middle of a transaction that had already spilled
  pages into the file, and whose commit got as far as the new header (page count) -- the file reads
  as truncated until its journal is rolled back;
* ``full_disk``: on a file system with no byte left (a small tmpfs, filled); where mounting is not
  allowed the full disk is injected instead: SQLite writes fail with SQLITE_FULL and new files with
  ENOSPC (``inject_full_disk``).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator, Optional, Sequence

from . import sharefs
from .conftest import REALDATA

KINDS = ("missing", "empty", "truncated", "read_only", "locked", "foreign_schema", "newer_schema", "hot_journal",
         "full_disk")

#: What the killed writer changed, so a test can check that the rollback undid it.
KILLED_MARK = "half written"

_KILLED_WRITER = f"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA journal_mode = DELETE')
con.execute('BEGIN IMMEDIATE')
con.execute("UPDATE inspector SET phone = '{KILLED_MARK}'")
con.execute('PRAGMA cache_spill = 1')
con.execute('PRAGMA cache_size = 10')
con.execute('CREATE TABLE killed_spill (x BLOB)')
con.execute('INSERT INTO killed_spill VALUES (zeroblob(3000000))')
sys.stdout.write('ready\\n'); sys.stdout.flush()
time.sleep(120)
"""

_LOCKER = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('BEGIN EXCLUSIVE')
sys.stdout.write('locked\\n'); sys.stdout.flush()
time.sleep(600)
"""


def hot_journal_pair(intact: Path, folder: Path) -> tuple[Path, Path]:
    """``folder/<name>`` and its hot ``-journal``: ``intact`` after a writer was killed mid-commit."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / intact.name
    shutil.copyfile(intact, db)
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    finally:
        proc.kill()
        proc.wait()
    journal = Path(str(db) + "-journal")
    assert journal.stat().st_size > 0
    # The commit had begun: page 1 (the header, in the journal since CREATE TABLE changed it) already
    # carries the grown page count, the pages after it are not there yet.
    with open(db, "r+b") as fh:
        header = bytearray(fh.read(100))
        page_size = struct.unpack(">H", header[16:18])[0]
        pages = os.path.getsize(db) // page_size + 200
        header[28:32] = struct.pack(">I", pages)
        fh.seek(0)
        fh.write(header)
    return db, journal


def _copy(src: Path, dst: Path) -> None:
    if src.is_dir():
        shutil.copytree(src, dst)
    else:
        shutil.copyfile(src, dst)


@contextmanager
def locked_by_another_process(path: Path) -> Iterator[None]:
    proc = subprocess.Popen([sys.executable, "-c", _LOCKER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield
    finally:
        proc.kill()
        proc.wait()


@contextmanager
def own_disk(folder: Path, size: int) -> Iterator[bool]:
    """``folder`` as a tmpfs of ``size`` bytes (True), or a plain folder where mounting is not allowed (False)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = sharefs.mount(folder, size)
    try:
        yield mounted
    finally:
        if mounted:
            sharefs.unmount(folder)


def inject_full_disk(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Without a file system to fill: every SQLite write transaction fails with SQLITE_FULL and every
    new file (export temp files) with ENOSPC, as on a full disk."""
    from gridwatch.export import files
    from gridwatch.storage import gpkg

    def full(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = 13  # type: ignore[attr-defined]
        exc.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
        raise exc

    def no_space(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(gpkg.transaction, "__enter__", full)
    monkeypatch.setattr(files.tempfile, "mkstemp", no_space)


@contextmanager
def damaged(kind: str, intact: Path, where: Path, *, along: Sequence[str] = (), monkeypatch=None,  # type: ignore[no-untyped-def]
            hot: Optional[tuple[Path, Path]] = None) -> Iterator[Path]:
    """``where/<intact's name>`` made into ``kind`` from ``intact`` (with the siblings named in ``along``:
    a working copy's sync folder, a shared project's change log); yields its path.

    ``hot``: the (file, journal) pair of :func:`hot_journal_pair` for ``intact``.  ``monkeypatch`` is
    needed for an injected full disk."""
    where.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        folder = where
        if kind in ("read_only", "full_disk"):
            folder = where / "disk"
            size = sum(_size(intact.parent / n) for n in (intact.name, *along)) + (4 << 20)
            mounted = stack.enter_context(own_disk(folder, size))
        path = folder / intact.name
        if kind == "missing":
            yield path
            return
        for name in along:
            _copy(intact.parent / name, folder / name)
        if kind == "empty":
            path.write_bytes(b"")
        elif kind == "truncated":
            data = intact.read_bytes()
            path.write_bytes(data[: len(data) // 2])
        elif kind == "foreign_schema":
            shutil.copyfile(REALDATA / "badinput" / "pyogrio" / "test_gpkg_nulls.gpkg", path)
        elif kind == "hot_journal":
            assert hot is not None, "hot_journal needs the pair made by hot_journal_pair()"
            shutil.copyfile(hot[0], path)
            shutil.copyfile(hot[1], str(path) + "-journal")
        else:
            shutil.copyfile(intact, path)
        if kind == "newer_schema":
            with sqlite3.connect(path) as con:
                con.execute("UPDATE gridwatch_meta SET value = '99' WHERE key = 'schema_version'")
            con.close()
        elif kind == "locked":
            stack.enter_context(locked_by_another_process(path))
        elif kind == "read_only":
            if mounted:
                sharefs.read_only(folder, True)
                stack.callback(sharefs.read_only, folder, False)
            else:
                _chmod_tree(folder, writable=False)
                stack.callback(_chmod_tree, folder, True)
        elif kind == "full_disk":
            if mounted:
                sharefs.fill(folder)
            else:
                assert monkeypatch is not None, "an injected full disk needs monkeypatch"
                inject_full_disk(monkeypatch)
        yield path


def _size(p: Path) -> int:
    if p.is_dir():
        return sum(q.stat().st_size for q in p.rglob("*") if q.is_file())
    return p.stat().st_size if p.exists() else 0


def _chmod_tree(folder: Path, writable: bool) -> None:
    for p in sorted(folder.rglob("*"), reverse=not writable) + [folder]:
        mode = p.stat().st_mode
        p.chmod(mode | 0o200 if writable else mode & ~0o222)


def sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def listing(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256 (what a failed command must leave as it was); a working
    copy's empty ``sync.lock`` (the lock one sync per copy takes, kept between syncs) is not counted."""
    import hashlib

    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and p.name != "filler.bin" and not (p.name == "sync.lock" and p.stat().st_size == 0):
            out[str(p.relative_to(folder))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out
