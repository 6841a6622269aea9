"""A database file's first bytes (its header: page size, page count, change counter) read without dropping
this process's SQLite locks on it.

POSIX locks belong to the process: closing *any* descriptor of a file drops every lock the process holds on
it, also those an SQLite connection of another thread holds in the middle of its write transaction.  Another
program could then write the file at the same time and damage it.  So the header is read through one
descriptor per file kept open for the life of the process, never closed while the file exists; a
descriptor of a file deleted since (a sync's temporary copy) is closed at the next read, so that its
disk space is given back (no program can open a deleted file, so no lock on it matters).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

_fds: "OrderedDict[tuple[int, int], int]" = OrderedDict()  # (device, inode) -> descriptor
_lock = threading.Lock()
#: Beyond this many files the longest unused is let go (its descriptor closed).
KEEP = 256


def read_head(path: os.PathLike[str] | str, n: int = 100) -> tuple[int, bytes]:
    """``(size, first n bytes)`` of the file at ``path``; raises OSError as ``open`` does."""
    if not hasattr(os, "pread"):  # pragma: no cover - Windows has no POSIX locks to lose
        with open(path, "rb") as fh:
            return os.fstat(fh.fileno()).st_size, fh.read(n)
    st = os.stat(path)
    key = (st.st_dev, st.st_ino)
    with _lock:
        _let_go_of_deleted()
        fd = _fds.get(key)
        if fd is None:
            fd = os.open(path, os.O_RDONLY)
            own = os.fstat(fd)
            key = (own.st_dev, own.st_ino)  # the file as opened (a rename may have put another in place)
            if key in _fds:
                _spare.append(fd)  # a second descriptor of a kept file: closing it would drop the locks too
                fd = _fds[key]
            else:
                _fds[key] = fd
        _fds.move_to_end(key)
        while len(_fds) > KEEP:
            os.close(_fds.popitem(last=False)[1])
        return os.fstat(fd).st_size, os.pread(fd, n, 0)


_spare: list[int] = []


def _let_go_of_deleted() -> None:
    for key, fd in list(_fds.items()):
        if os.fstat(fd).st_nlink == 0:
            os.close(fd)
            del _fds[key]
    for fd in list(_spare):
        if os.fstat(fd).st_nlink == 0:
            os.close(fd)
            _spare.remove(fd)
