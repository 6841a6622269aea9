"""What went wrong with a file, in one line a person can act on.

SQLite and the operating system report a full disk, a read-only folder or a file another program
is writing with codes ("database or disk is full", errno 28, "attempt to write a readonly
database"); :func:`file_problem` turns them into GridWatch's typed errors, naming the file and
saying that nothing was written.  Every door that opens or writes a project file goes through it
(storage's connections and transactions, the export writers, the CLI's last resort).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Optional

from ..errors import DamagedProject, DiskFull, FileLocked, GridWatchError, ReadOnlyFile, StorageError

#: How long a command waits for another program's write lock before saying the file is in use (seconds);
#: ``GRIDWATCH_BUSY_TIMEOUT`` overrides it (scripts that should fail fast, tests).
DEFAULT_BUSY_TIMEOUT = 10.0

# SQLite's primary result codes (the low byte of an extended code).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT = 5, 6, 8, 10, 11
SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 13, 14, 26

_FULL_ERRNOS = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}


def busy_timeout() -> float:
    """Seconds to wait for another writer's lock (:data:`DEFAULT_BUSY_TIMEOUT` or $GRIDWATCH_BUSY_TIMEOUT)."""
    try:
        value = float(os.environ.get("GRIDWATCH_BUSY_TIMEOUT", DEFAULT_BUSY_TIMEOUT))
    except ValueError:
        return DEFAULT_BUSY_TIMEOUT
    return value if value >= 0 else DEFAULT_BUSY_TIMEOUT


def size_text(n: float) -> str:
    """``n`` bytes for people: 0 bytes, 512 KB, 3.4 MB, 12 GB."""
    if n < 1024:
        return f"{int(n)} bytes"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if n >= 10 else f"{n:.1f} {unit}"
    return f"{n:.0f} TB"  # pragma: no cover


def free_space(path: os.PathLike[str] | str) -> str:
    """Free space on the file system holding ``path`` (its nearest existing folder), as text."""
    p = Path(path)
    for folder in (p, *p.parents):
        try:
            if folder.is_dir():
                return size_text(shutil.disk_usage(folder).free)
        except OSError:
            continue
    return "unknown"


def disk_full(path: os.PathLike[str] | str, *, what: str = "nothing was written; the file is as it was") -> DiskFull:
    free = free_space(Path(path).parent)
    return DiskFull(f"{path}: the disk is full ({free} free there); {what}. Free some space (or choose another "
                    "folder) and try again", key="file.disk_full", path=str(path), free=free)


def read_only(path: os.PathLike[str] | str, detail: str = "") -> ReadOnlyFile:
    more = f" ({detail})" if detail else ""
    return ReadOnlyFile(f"{path}: the file or its folder is read-only{more}; nothing was written. Copy the project "
                        "to a folder you may write to, or ask for write access, and try again",
                        key="file.read_only", path=str(path))


def locked(path: os.PathLike[str] | str) -> FileLocked:
    return FileLocked(f"{path}: another program is writing this file just now (it is locked); nothing was written. "
                      "Wait for it to finish, or close it, and try again", key="file.locked", path=str(path))


def sqlite_code(exc: BaseException) -> Optional[int]:
    """SQLite's primary result code of ``exc`` (None when it has none)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()  # errors raised before Python knew the code (rare)
    for needle, value in (("disk is full", SQLITE_FULL), ("readonly database", SQLITE_READONLY),
                          ("database is locked", SQLITE_BUSY), ("malformed", SQLITE_CORRUPT),
                          ("not a database", SQLITE_NOTADB), ("unable to open", SQLITE_CANTOPEN)):
        if needle in text:
            return value
    return None


def file_problem(path: os.PathLike[str] | str, exc: BaseException, doing: str = "written") -> GridWatchError:
    """The GridWatch error for ``exc`` (an ``sqlite3.Error`` or ``OSError``) met while ``path`` was being
    ``doing`` ("read", "written", "opened")."""
    if isinstance(exc, GridWatchError):
        return exc
    if isinstance(exc, OSError):
        name = exc.filename or path
        if exc.errno in _FULL_ERRNOS:
            return disk_full(name)
        if exc.errno in _READ_ONLY_ERRNOS:
            return read_only(name, exc.strerror or "")
        return StorageError(f"{name}: could not be {doing} ({exc.strerror or exc}); nothing was written")
    code = sqlite_code(exc)
    if code == SQLITE_FULL:
        return disk_full(path)
    if code == SQLITE_READONLY:
        return read_only(path)
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return locked(path)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return DamagedProject(f"{path}: damaged GeoPackage ({exc}); restore it from a backup")
    if code == SQLITE_CANTOPEN:
        folder = Path(path).parent
        if not os.access(folder, os.W_OK) and doing != "read":
            return read_only(path, f"folder {folder} cannot be written")
        return StorageError(f"{path}: cannot be {doing} ({exc}); check that the file and its folder are there "
                            "and may be used")
    if code == SQLITE_IOERR:
        return StorageError(f"{path}: disk input/output error while it was {doing} ({exc}); nothing was written. "
                            "Check the disk or the network connection, then try again")
    return StorageError(f"{path}: could not be {doing} ({exc})")


def is_file_error(exc: BaseException) -> bool:
    """Whether :func:`file_problem` knows ``exc`` (an SQLite or operating-system error)."""
    return isinstance(exc, (sqlite3.Error, OSError))
