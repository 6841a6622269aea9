"""One process, three SQLite libraries: GDAL's, pygeodiff's and Python's accesses of a project take turns.

GDAL (through pyogrio) carries its own copy of SQLite, pygeodiff another, Python's ``sqlite3`` module a
third.  SQLite's locks are POSIX advisory locks, which belong to the process, not to a connection: one
library cannot see the locks another holds in the same process, and closing any descriptor of the file
drops every lock the process holds on it (SQLite's documented "multiple copies of SQLite in one
application" trap).  So while a ``sqlite3`` transaction of this process writes a GeoPackage, a GDAL read
of it in another thread may read half-written pages, take the writer's journal for a left-over and fail
("attempt to write a readonly database", "gpkg_contents is missing": 4 of 5 reads failed under a
steady writer), and on closing drop the writer's locks so that another program could write at the same
time.

The gate keeps the libraries apart, per file: any number of GDAL reads at once (:func:`gdal_reading`),
or any number of ``sqlite3`` write transactions (:func:`sqlite_writing`; SQLite orders those itself),
or pygeodiff's work on the file (:func:`geodiff_using`), never two libraries at once.  A waiting side
is let in next, so a stream of map reads never starves an edit, nor an edit stream the map.  A thread
already inside the gate for a file passes again on the same side; on another side it is refused
(a GDAL read inside the thread's own write transaction would read it half written: no turn helps).
Other programs are unaffected: between processes SQLite's own locks work.  Every write goes through
:class:`~gridwatch.storage.gpkg.transaction` (or :func:`sqlite_writing` around its own ``BEGIN``),
every GDAL read of a project through :mod:`.gdalread`.  ``sqlite3`` reads are not gated: when pygeodiff
writes the working copy (a sync), :func:`geodiff_writing` holds an exclusive lock of ``sqlite3``'s
own beside it, so they wait for it and never see its journal as a left-over.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import AbstractContextManager, contextmanager
from typing import Iterator

from .failures import busy_timeout

#: The SQLite libraries in the process: GDAL's (pyogrio), Python's ``sqlite3``, pygeodiff's.
GDAL, SQLITE, GEODIFF = "gdal", "sqlite3", "geodiff"
SIDES = (GDAL, SQLITE, GEODIFF)


class _Gate:
    """Turns between the libraries for one file (a phase-fair lock of several sides).

    A side enters at once while no other side is inside, waiting or let in.  When the last of a side
    leaves, the turn passes to the next waiting side (in a fixed round): exactly the threads of it
    waiting then get a pass, and newcomers of every other side wait behind them."""

    def __init__(self) -> None:
        self.cond = threading.Condition(threading.Lock())
        self.active = dict.fromkeys(SIDES, 0)
        self.waiting = dict.fromkeys(SIDES, 0)
        self.passes = dict.fromkeys(SIDES, 0)
        self.holders: dict[int, tuple[str, int]] = {}  # thread id -> (its side, how many times inside)
        self.users = 0  # threads inside, waiting or on the way in (under _gates_lock)
        self.deferred: list[int] = []  # descriptors to close when the last user leaves (under _gates_lock)

    def _free_for(self, side: str) -> bool:
        return not any(self.active[o] or self.waiting[o] or self.passes[o] for o in SIDES if o != side)

    def enter(self, side: str, where: str) -> None:
        me = threading.get_ident()
        with self.cond:
            held = self.holders.get(me)
            if held is not None:
                if held[0] != side:
                    # e.g. a GDAL read inside the thread's own sqlite3 write transaction: GDAL would read
                    # the file half written (and drop the transaction's locks); no turn can make that safe
                    raise RuntimeError(f"{where}: {side} access inside this thread's own {held[0]} access "
                                       "of the same file (finish one before starting the other)")
                self.holders[me] = (side, held[1] + 1)
                self.active[side] += 1
                return
            self.waiting[side] += 1
            try:
                while not self.passes[side] and not self._free_for(side):
                    self.cond.wait()
            except BaseException:  # interrupted while waiting: leave the turns as if it never came
                self.waiting[side] -= 1
                if self.passes[side] > self.waiting[side]:
                    self.passes[side] = self.waiting[side]
                    if not self.active[side] and not self.passes[side]:
                        self._hand_on(side)
                self.cond.notify_all()  # sides that waited behind this one look again
                raise
            if self.passes[side]:
                self.passes[side] -= 1
            self.waiting[side] -= 1
            self.active[side] += 1
            self.holders[me] = (side, 1)

    def leave(self, side: str) -> None:
        me = threading.get_ident()
        with self.cond:
            held = self.holders.get(me)
            if held is None or held[0] != side:
                raise RuntimeError(f"leaving the {side} side of a file's gate this thread is not inside")
            self.active[side] -= 1
            if held[1] > 1:
                self.holders[me] = (side, held[1] - 1)
                return
            del self.holders[me]
            if not self.active[side]:
                self._hand_on(side)

    def _hand_on(self, side: str) -> None:
        """``side`` is out: the next side in the round that waits gets a pass for each of its threads."""
        self.passes[side] = 0
        i = SIDES.index(side)
        for k in range(1, len(SIDES)):
            nxt = SIDES[(i + k) % len(SIDES)]
            if self.waiting[nxt]:
                self.passes[nxt] = self.waiting[nxt]
                break
        self.cond.notify_all()


_gates: dict[str, _Gate] = {}
_gates_lock = threading.Lock()


def _take(key: str) -> _Gate:
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = _Gate()
        gate.users += 1
        return gate


def _give_back(key: str, gate: _Gate) -> None:
    with _gates_lock:
        gate.users -= 1
        if not gate.users:  # nobody inside or on the way in: forget the file (syncs make many temp files)
            del _gates[key]
            for fd in gate.deferred:  # no lock of this process on the file now: closing drops nothing
                os.close(fd)


def close_when_idle(path: os.PathLike[str] | str, fd: int) -> None:
    """Close ``fd`` (a plain descriptor of ``path``) now if nobody is inside the file's gate, else when the
    last one leaves: closing a descriptor drops every POSIX lock the process holds on the file, also the
    write lock of a transaction another thread is in the middle of."""
    key = os.path.realpath(os.fspath(path))
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            os.close(fd)
        else:
            gate.deferred.append(fd)


@contextmanager
def _inside(path: os.PathLike[str] | str, side: str) -> Iterator[None]:
    if not os.fspath(path):  # a database in memory: no file, no other library
        yield
        return
    key = os.path.realpath(os.fspath(path))
    gate = _take(key)
    try:
        gate.enter(side, os.fspath(path))
        try:
            yield
        finally:
            gate.leave(side)
    finally:
        _give_back(key, gate)


def gdal_reading(path: os.PathLike[str] | str) -> AbstractContextManager[None]:
    """``with gdal_reading(path):`` GDAL opens, reads and closes ``path`` while no ``sqlite3`` transaction
    of this process writes it."""
    return _inside(path, GDAL)


def sqlite_writing(path: os.PathLike[str] | str) -> AbstractContextManager[None]:
    """``with sqlite_writing(path):`` a ``sqlite3`` write transaction on ``path`` while no GDAL read of it
    in this process is open."""
    return _inside(path, SQLITE)


def geodiff_using(path: os.PathLike[str] | str) -> AbstractContextManager[None]:
    """``with geodiff_using(path):`` pygeodiff (a third SQLite) reads or writes ``path`` while neither GDAL
    nor a ``sqlite3`` transaction of this process is at it."""
    return _inside(path, GEODIFF)


@contextmanager
def geodiff_writing(path: os.PathLike[str] | str) -> Iterator[None]:
    """``with geodiff_writing(path):`` pygeodiff writes ``path`` in place (applies a changeset to it).

    Besides the turn (:func:`geodiff_using`), a ``sqlite3`` connection of this process holds the file's
    write lock meanwhile.  ``sqlite3`` connections of the process keep their locks in the library, so they
    see that one, but not pygeodiff's: without it a connection opened for writing meanwhile (a track
    written while the sync runs) would take pygeodiff's journal for one a killed writer left and roll it
    back under it, which damages the file."""
    with _inside(path, GEODIFF):
        con = sqlite3.connect(os.fspath(path), timeout=busy_timeout(), isolation_level=None)
        try:
            con.execute("BEGIN EXCLUSIVE")
            try:
                yield
            finally:
                con.execute("ROLLBACK")
        finally:
            con.close()
