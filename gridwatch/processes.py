"""A long core function in a child process, so the app's own interpreter lock stays free.

The map is painted by Python on the GUI thread.  A heavy analysis on a worker *thread* (pandas
merges, shapely over every cell, a list built from a million SQLite rows) holds the interpreter
lock inside C calls for tens of milliseconds at a time, and the GUI thread waits for it: a pan
frame of the 10x city took 338 ms while the coverage panel recomputed.  Run in a child process,
such a function shares no lock with the GUI at all.

:func:`run_in_process` is for pure-core functions (no Qt) defined at module level, that take
picklable arguments (a project path, times, rules) and return a picklable result (frames,
dataclasses of frames).  Progress comes back through a pipe; cancelling kills the child (it
holds no writes: analyses only read).  Errors come back as the same exceptions, GridWatch errors
with their message keys, so the UI translates them like any other; the child's traceback is
chained to them (``__cause__``).

Children are forked from a server process that has imported the heavy libraries once
(``forkserver``: a fork of the app itself, with its threads and Qt, would not be safe); where
there is none (Windows), they are spawned.  The first call starts the server (a second or two, on
the caller's worker thread); later calls start a child in about 50 ms.  As with any
``multiprocessing`` start but ``fork``, the child imports the main script under another name: a
script that starts process jobs keeps its own work under ``if __name__ == "__main__":`` (the
``gridwatch`` command, ``python -m``, ``python -c`` and pytest are fine).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import traceback
from typing import Any, Callable, Optional, Sequence

from .tasks import CancelToken, ProgressCallback

#: Imported once by the fork server, so its children start with them.
PRELOAD = ("numpy", "pandas", "shapely", "pyogrio", "geopandas", "gridwatch.analysis.coverage")
#: The child's niceness above the app's: on a laptop's two cores the analysis yields the CPU to the
#: GUI thread (a pan frame) and the map's render instead of taking its even share.
NICENESS = 10
#: How often the waiting thread looks at its cancel token (seconds).
POLL_SECONDS = 0.05

_LOCK = threading.Lock()
_CONTEXT: list[Any] = []
#: The children working now: pid -> the function's name.
_RUNNING: dict[int, str] = {}


def running() -> dict[int, str]:
    """The child processes working now (pid -> the name of the function each runs)."""
    with _LOCK:
        return dict(_RUNNING)


def _context() -> Any:
    with _LOCK:
        if not _CONTEXT:
            ctx: Any
            if "forkserver" in multiprocessing.get_all_start_methods():
                ctx = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(list(PRELOAD))
            else:  # pragma: no cover - Windows
                ctx = multiprocessing.get_context("spawn")
            _CONTEXT.append(ctx)
        return _CONTEXT[0]


def prepare() -> None:
    """Start the fork server now (it imports :data:`PRELOAD`, a second or two), so the first
    :func:`run_in_process` does not wait for it; from a worker thread."""
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


class RemoteTraceback(Exception):
    """The child's traceback, chained to the error it raised (shown in the log under the error)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return "\n\nIn the child process:\n" + self.text


def run_in_process(fn: Callable[..., Any], args: Sequence[Any] = (), kwargs: Optional[dict[str, Any]] = None, *,
                   progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None,
                   with_progress: bool = False) -> Any:
    """``fn(*args, **kwargs)`` in a child process; its result (or its exception, raised here).

    ``with_progress``: ``fn`` takes a ``progress`` keyword argument; its reports arrive at
    ``progress`` here.  ``cancel``: checked every :data:`POLL_SECONDS`; once set the child is
    killed and :class:`~gridwatch.errors.Cancelled` raised.  The caller's thread waits without the
    interpreter lock (on the pipe), so this is meant for a worker thread (a UI ``Job``)."""
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    env = {k: v for k, v in os.environ.items() if k.startswith("GRIDWATCH_")}
    raw = hasattr(os, "readv") and ctx.get_start_method() != "spawn"  # a POSIX pipe: read straight into buffers
    child = ctx.Process(target=_child_main, args=(sender, fn, tuple(args), dict(kwargs or {}), with_progress, env, raw),
                        name="gridwatch-" + getattr(fn, "__name__", "work"), daemon=True)
    try:
        child.start()
        with _LOCK:
            _RUNNING[child.pid] = child.name
        sender.close()
        while True:
            if cancel is not None:
                cancel.raise_if_cancelled()
            if not receiver.poll(POLL_SECONDS):
                continue
            try:
                kind, payload = receiver.recv()
                if kind == "ok-raw":  # the result's pickle, then its big buffers (arrays, Arrow columns) raw
                    head, sizes = payload
                    return pickle.loads(head, buffers=[_read_exactly(receiver.fileno(), n) for n in sizes])
            except EOFError:
                child.join(5)
                raise RuntimeError(f"the worker process of {getattr(fn, '__name__', 'work')} ended without an "
                                   f"answer (exit code {child.exitcode})") from None
            if kind == "progress":
                if progress is not None:
                    progress(*payload)
            elif kind == "ok":
                return payload
            else:
                error, text = payload
                raise error from RemoteTraceback(text)
    finally:
        if child.pid is not None:
            if child.exitcode is None:
                child.kill()
            child.join(10)
            with _LOCK:
                _RUNNING.pop(child.pid, None)
        receiver.close()


def _read_exactly(fd: int, size: int) -> bytearray:
    """``size`` bytes from pipe ``fd``, read into one buffer.  The interpreter lock is free while each
    piece is read; a 30 MB result unpickled from one message held it ~10-80 ms (copies of every column),
    from its pickle's head and these buffers ~1 ms."""
    buf = bytearray(size)
    view, got = memoryview(buf), 0
    while got < size:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            raise EOFError
        got += n
    return buf


def _child_main(conn: Any, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                with_progress: bool, env: dict[str, str], raw: bool = False) -> None:
    """In the child: run ``fn`` and send what came of it (``raw``: big buffers raw after the pickle)."""
    os.environ.update(env)
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    _end_with_parent()
    if with_progress:
        kwargs["progress"] = lambda fraction, message: conn.send(("progress", (float(fraction), str(message))))
    views: list[memoryview] = []
    try:
        message = _answer(fn(*args, **kwargs), raw, views)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
        text = traceback.format_exc()
        try:
            message = pickle.dumps(("error", (exc, text)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an error that does not pickle: its type and text
            message = pickle.dumps(("error", (RuntimeError(f"{type(exc).__name__}: {exc}"), text)))
        views.clear()
    conn.send_bytes(message)
    for view in views:
        sent = 0
        while sent < view.nbytes:
            sent += os.write(conn.fileno(), view[sent:])
    conn.close()


def _answer(result: Any, raw: bool, views: list[memoryview]) -> bytes:
    """The message that carries ``result``; with ``raw`` its big buffers go to ``views``, to be sent after it."""
    if raw:
        buffers: list[pickle.PickleBuffer] = []
        try:
            head = pickle.dumps(result, protocol=5, buffer_callback=buffers.append)
            views[:] = [b.raw() for b in buffers]
            return pickle.dumps(("ok-raw", (head, [v.nbytes for v in views])), protocol=5)
        except BufferError:  # a buffer that is not contiguous: all in the message
            views.clear()
    return pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL)


def _end_with_parent() -> None:
    """The child ends when the app does (even killed), instead of finishing an answer nobody reads."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
