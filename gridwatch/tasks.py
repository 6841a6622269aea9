"""Progress reporting and cancellation for long core operations.

Core functions that may take more than a moment accept ``progress`` and ``cancel`` keyword
arguments.  They call ``progress(fraction, message)`` now and then and call
``cancel.raise_if_cancelled()`` between steps, so the UI can run them on a worker thread, show a
progress bar and stop them.  Nothing here imports Qt.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional

from .errors import Cancelled

#: ``progress(fraction, message)`` with ``fraction`` in ``[0, 1]``.
ProgressCallback = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """Progress callback that ignores every report."""


class CancelToken:
    """A thread-safe flag a UI sets and a worker checks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the operation to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        """Raise :class:`~gridwatch.errors.Cancelled` if cancellation was requested."""
        if self._event.is_set():
            raise Cancelled("Operation cancelled; nothing was written.")


class Steps:
    """Split one progress callback into weighted sequential steps.

    ``steps = Steps(progress, cancel, [("cells", 3), ("fires", 1)])`` then
    ``steps.start("cells")`` ... ``steps.report(0.5)`` reports overall progress and checks for
    cancellation each time.
    """

    def __init__(
        self,
        progress: Optional[ProgressCallback],
        cancel: Optional[CancelToken],
        weights: list[tuple[str, float]],
    ) -> None:
        self._progress = progress or no_progress
        self._cancel = cancel
        total = float(sum(w for _, w in weights)) or 1.0
        self._offsets: dict[str, tuple[float, float]] = {}
        acc = 0.0
        for name, w in weights:
            self._offsets[name] = (acc / total, w / total)
            acc += w
        self._current = weights[0][0] if weights else ""
        self._message = ""

    def start(self, name: str, message: str = "") -> None:
        """Begin step ``name``; reports its start."""
        self._current = name
        self._message = message or name
        self.report(0.0)

    def report(self, fraction: float, message: str | None = None) -> None:
        """Report ``fraction`` of the current step done; raises if cancelled."""
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        start, width = self._offsets.get(self._current, (0.0, 0.0))
        frac = min(1.0, max(0.0, start + width * min(1.0, max(0.0, fraction))))
        self._progress(frac, message or self._message)


#: A worker thread that has held on to the interpreter for this long (seconds) lets others have it.
BREATHE_EVERY = 0.005
#: How long it then steps aside (seconds): longer than another thread takes to wake up and take the lock.
BREATHE_FOR = 0.0002
_breath = threading.local()


def breathe() -> None:
    """Called often in a long loop on a worker thread: every :data:`BREATHE_EVERY` seconds, step aside for a
    moment so a waiting thread (the GUI's) can take Python's interpreter lock.

    A worker that makes many short calls which each let go of the lock (Qt drawing, small numpy steps) takes
    it straight back after each one, before a thread woken to take it is running: the GUI thread then waited
    up to 60 ms while a city's township outlines were stroked (measured), though no call held the lock for
    more than a fraction of a millisecond.  A real sleep, however short, lets the woken thread in (a city's
    full render on the render thread, a busy analysis beside it: GUI stalls of 35-58 ms before, none over
    8 ms stepping aside every 5 ms, 17 ms every 8 ms).  Does nothing on the main thread."""
    now = time.perf_counter()
    last = getattr(_breath, "last", None)
    if last is None:
        if threading.current_thread() is threading.main_thread():
            _breath.last = float("inf")  # never on the GUI thread
            return
        _breath.last = now
        return
    if now - last >= BREATHE_EVERY:
        time.sleep(BREATHE_FOR)
        _breath.last = time.perf_counter()
