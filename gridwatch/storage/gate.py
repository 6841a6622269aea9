"""One process, two SQLite libraries: GDAL's reads of a project and Python's writes to it take turns.

GDAL (through pyogrio) carries its own copy of SQLite, Python's ``sqlite3`` module another.  SQLite's
locks are POSIX advisory locks, which belong to the process, not to a connection: one library cannot
see the locks the other holds in the same process, and closing any descriptor of the file drops every
lock the process holds on it (SQLite's documented "multiple copies of SQLite in one application" trap).
So while a ``sqlite3`` transaction of this process writes a GeoPackage, a GDAL read of it in another
thread may read half-written pages, take the writer's journal for a left-over and fail ("attempt to
write a readonly database", "gpkg_contents is missing": 4 of 5 reads failed under a steady writer),
and on closing drop the writer's locks so that another program could write at the same time.

:func:`gdal_reading` and :func:`sqlite_writing` keep the two apart, per file: any number of GDAL reads
at once, or any number of ``sqlite3`` write transactions at once (SQLite orders those itself), never
both.  Whichever side waits is let in next, so a stream of map reads never starves an edit, nor an
edit stream the map.  A thread already inside the gate for a file passes again (a read inside its own
write transaction cannot wait for that transaction to end).  Other programs are unaffected: between
processes SQLite's own locks work.  Every write goes through :class:`~gridwatch.storage.gpkg.transaction`,
which calls :func:`sqlite_writing`; every GDAL read of a project goes through :mod:`.gdalread`.
"""

from __future__ import annotations

import os
import threading
from contextlib import AbstractContextManager, contextmanager
from typing import Iterator

GDAL, SQLITE = 0, 1


class _Gate:
    """Turns between two sides for one file (a phase-fair two-sided lock).

    A side enters at once while the other is neither inside nor waiting.  When the last of a side
    leaves and the other side waits, the turn passes: exactly the threads waiting then get a pass, and
    newcomers of the side that left wait behind them."""

    def __init__(self) -> None:
        self.cond = threading.Condition(threading.Lock())
        self.active = [0, 0]
        self.waiting = [0, 0]
        self.passes = [0, 0]
        self.holders: dict[int, int] = {}  # thread id -> how many times it is inside

    def enter(self, side: int) -> None:
        me = threading.get_ident()
        other = 1 - side
        with self.cond:
            if self.holders.get(me):
                self.holders[me] += 1
                self.active[side] += 1
                return
            self.waiting[side] += 1
            while True:
                if self.passes[side]:
                    self.passes[side] -= 1
                    break
                if not self.active[other] and not self.waiting[other] and not self.passes[other]:
                    break
                self.cond.wait()
            self.waiting[side] -= 1
            self.active[side] += 1
            self.holders[me] = 1

    def leave(self, side: int) -> None:
        me = threading.get_ident()
        with self.cond:
            self.active[side] -= 1
            left = self.holders[me] - 1
            if left:
                self.holders[me] = left
                return
            del self.holders[me]
            if not self.active[side]:
                other = 1 - side
                self.passes[side] = 0
                self.passes[other] = self.waiting[other]
                self.cond.notify_all()


_gates: dict[str, _Gate] = {}
_gates_lock = threading.Lock()


def _gate(path: os.PathLike[str] | str) -> _Gate:
    key = os.path.realpath(os.fspath(path))
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = _Gate()
        return gate


@contextmanager
def _inside(path: os.PathLike[str] | str, side: int) -> Iterator[None]:
    if not os.fspath(path):  # a database in memory: no file, no other library
        yield
        return
    gate = _gate(path)
    gate.enter(side)
    try:
        yield
    finally:
        gate.leave(side)


def gdal_reading(path: os.PathLike[str] | str) -> AbstractContextManager[None]:
    """``with gdal_reading(path):`` GDAL opens, reads and closes ``path`` while no ``sqlite3`` transaction
    of this process writes it."""
    return _inside(path, GDAL)


def sqlite_writing(path: os.PathLike[str] | str) -> AbstractContextManager[None]:
    """``with sqlite_writing(path):`` a ``sqlite3`` write transaction on ``path`` while no GDAL read of it
    in this process is open."""
    return _inside(path, SQLITE)
