"""A database file's first bytes (its header: page size, page count, change counter) read without dropping
this process's SQLite locks on it.

POSIX locks belong to the process: closing *any* descriptor of a file drops every lock the process holds on
it, also those an SQLite connection of another thread holds in the middle of its write transaction.  Another
program could then write the file at the same time and damage it.  Every write of this process, and every
read of another SQLite library, holds the file's gate (:mod:`.gate`): while anybody is inside it, the
descriptor the header was read through is closed only when the gate is left by the last of them.  No
descriptor is kept longer (an idle file's is closed at once: a USB stick can be ejected).
"""

from __future__ import annotations

import os

from .gate import close_when_idle


def read_head(path: os.PathLike[str] | str, n: int = 100) -> tuple[int, bytes]:
    """``(size, first n bytes)`` of the file at ``path``; raises OSError as ``open`` does."""
    if not hasattr(os, "pread"):  # pragma: no cover - Windows has no POSIX locks to lose
        with open(path, "rb") as fh:
            return os.fstat(fh.fileno()).st_size, fh.read(n)
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.fstat(fd).st_size, os.pread(fd, n, 0)
    finally:
        close_when_idle(path, fd)


def change_counter(path: os.PathLike[str] | str) -> int:
    """SQLite's file change counter (header bytes 24-27): +1 for every committed write transaction."""
    return int.from_bytes(read_head(path, 28)[1][24:28], "big")
