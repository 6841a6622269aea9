"""The one worker runner of the UI: a function off the GUI thread, its progress, cancel and errors
delivered back on the GUI thread.

Work runs on Python threads, never on ``QThreadPool`` threads: pyproj keeps a per-thread PROJ
context that dangles on reused Qt pool threads and crashes (pyproj issue 1509).  A :class:`Job`
is created on the GUI thread and kept alive by this module until its work is over, so a job that
outlives the dialog that started it emits into nothing instead of into a deleted object.
Core errors arrive translated (:func:`gridwatch.ui.i18n.error_text`); anything else is logged with
its traceback and reported as a readable line.

Heavy periodic analyses (the coverage panel's) run as :func:`in_process` work: the job's thread
only waits on a child process (:mod:`gridwatch.processes`), so the analysis never holds this
process's interpreter lock while the GUI thread paints; cancelling the job kills the child.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from concurrent import futures
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Callable, Optional

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QThread, Signal

from ..errors import Cancelled, GridWatchError
from ..processes import run_in_process
from ..tasks import CancelToken, ProgressCallback
from . import i18n

log = logging.getLogger("gridwatch.ui")

Work = Callable[[ProgressCallback, CancelToken], Any]

#: Jobs started, kept alive here (with the last few finished ones, whose outcome may still be on its
#: way to the GUI thread: a queued signal of a deleted sender would be dropped).
_JOBS: list["Job"] = []
_KEEP_FINISHED = 64
_LOCK = threading.Lock()
#: The job this worker thread runs (None: not a job's thread).
_CURRENT = threading.local()


class Job(QObject):
    """``work(progress, cancel)`` on a worker thread; its outcome as signals on the GUI thread.

    Every signal carries the job first, so a widget connects its own methods (the connection dies
    with the widget) and ignores the outcome of a job it no longer waits for (``job is not
    self._job``).  ``failed`` carries the message for the user and its kind: ``"cancelled"``,
    ``"error"`` (a GridWatch error: the user can act on it) or ``"bug"`` (logged with its traceback);
    the exception is ``job.error``.  ``tag`` is the starter's own data (a generation, a kind).
    """

    progressed = Signal(object, float, str)  # job, fraction, message
    succeeded = Signal(object, object)  # job, result
    failed = Signal(object, str, str)  # job, message, kind

    def __init__(self, work: Work, name: str, executor: Optional[Executor] = None, tag: Any = None) -> None:
        super().__init__()
        self.work = work
        self.name = name
        self.executor = executor
        self.tag = tag
        self.error: Optional[BaseException] = None
        self._future: Optional[futures.Future[None]] = None
        self._thread: Optional[threading.Thread] = None
        self.cancel_token = CancelToken()
        self.done = False

    def start(self) -> "Job":
        """Start the work (on ``executor``, or a thread of its own); returns the job."""
        with _LOCK:
            finished = [j for j in _JOBS if j.done]
            _JOBS[:] = [j for j in _JOBS if not j.done] + finished[-_KEEP_FINISHED:] + [self]
        if self.executor is not None:
            self._future = self.executor.submit(self._run)
        else:
            self._thread = threading.Thread(target=self._run, name="gridwatch-" + self.name, daemon=True)
            self._thread.start()
        return self

    def wait(self, timeout: Optional[float] = None) -> bool:
        """Block until the work is over (closing a widget, tests); whether it is."""
        if self._future is not None:
            futures.wait([self._future], timeout=timeout)
        elif self._thread is not None:
            self._thread.join(timeout)
        return self.done

    def cancel(self) -> None:
        """Ask the work to stop at its next check; ``failed`` then says "cancelled"."""
        self.cancel_token.cancel()

    @property
    def running(self) -> bool:
        return not self.done

    def _run(self) -> None:
        _CURRENT.job = self
        try:
            self.cancel_token.raise_if_cancelled()  # cancelled while it waited in its queue: never starts
            result = self.work(lambda f, m: self.progressed.emit(self, float(f), str(m)), self.cancel_token)
            self.succeeded.emit(self, result)
        except Cancelled as exc:
            self.error = exc
            self.failed.emit(self, i18n.error_text(exc), "cancelled")
        except GridWatchError as exc:
            self.error = exc
            log.info("%s failed: %s", self.name, exc)
            self.failed.emit(self, i18n.error_text(exc), "error")
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the app: log it, say it plainly
            self.error = exc
            log.error("%s failed:\n%s", self.name, traceback.format_exc())
            self.failed.emit(self, f"{type(exc).__name__}: {exc}", "bug")
        finally:
            # A finished job is kept a while (see _JOBS) but not what its work held: a render's closure holds
            # the previous view's layer images, and an error's traceback the frames of the work.  Kept, 64
            # finished renders grew the app by ~17 MB per pan or zoom.
            self.work = _done_work
            if self.error is not None:
                self.error.__traceback__ = None
            _CURRENT.job = None
            self.done = True


def _done_work(progress: ProgressCallback, cancel: CancelToken) -> None:
    raise RuntimeError("this job has already run")


def in_process(fn: Callable[..., Any], *args: Any, with_progress: bool = False, **kwargs: Any) -> Work:
    """Job work that runs the pure-core ``fn(*args, **kwargs)`` in a child process
    (:func:`gridwatch.processes.run_in_process`): ``fn`` is a module-level function, its arguments and
    result pickle.  ``with_progress``: ``fn`` takes ``progress=`` and its reports reach the job's
    ``progressed``.  The job's cancel kills the child; its errors arrive as from a thread."""
    def work(progress: ProgressCallback, cancel: CancelToken) -> Any:
        return run_in_process(fn, args, kwargs, progress=progress, cancel=cancel, with_progress=with_progress)
    return work


_QUEUES: dict[str, ThreadPoolExecutor] = {}


def queue(name: str, workers: int = 1) -> ThreadPoolExecutor:
    """The job queue ``name``: jobs given it as ``executor`` run ``workers`` at a time, in order
    (one queue per kind of work: edits in the order they were made, one sync at a time)."""
    with _LOCK:
        if name not in _QUEUES:
            _QUEUES[name] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gridwatch-" + name)
        return _QUEUES[name]


def run_job(work: Work, name: str, *, succeeded: Optional[Callable[[Job, Any], Any]] = None,
            failed: Optional[Callable[[Job, str, str], Any]] = None,
            progressed: Optional[Callable[[Job, float, str], Any]] = None,
            executor: Optional[Executor] = None, tag: Any = None) -> Job:
    """Start ``work`` as a :class:`Job` with these handlers (bound methods of widgets) connected;
    they are called on the GUI thread."""
    job = Job(work, name, executor, tag)
    if succeeded is not None:
        job.succeeded.connect(succeeded)
    if failed is not None:
        job.failed.connect(failed)
    if progressed is not None:
        job.progressed.connect(progressed)
    return job.start()


def jobs_running(name: Optional[str] = None) -> bool:
    """Whether any job (named ``name``, when given) is still working."""
    with _LOCK:
        return any(not j.done and (name is None or j.name == name) for j in _JOBS)


# --- asking the user from a worker ------------------------------------------------------------------------

#: ``start(reply)`` runs on the GUI thread (it shows something and calls ``reply(answer)`` later);
#: :func:`ask_on_gui_thread` waits for the answer.
Start = Callable[[Callable[[Any], None]], None]


class _Question:
    """One question a worker waits on: answered once (the user, or :func:`stop_jobs` giving up)."""

    def __init__(self, start: Start, default: Any) -> None:
        self.start, self.default, self.answer = start, default, default
        self.answered = threading.Event()

    def reply(self, answer: Any) -> None:
        if not self.answered.is_set():
            self.answer = answer
            self.answered.set()

    def ask(self) -> None:
        try:
            self.start(self.reply)
        except Exception:  # noqa: BLE001 - a question that cannot be shown is not answered: the default
            log.error("asking the user failed:\n%s", traceback.format_exc())
            self.reply(self.default)


class _Asker(QObject):
    """Lives on the GUI thread: a worker's question arrives by a queued signal and is shown there."""

    asked = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.asked.connect(self._ask, Qt.ConnectionType.QueuedConnection)

    def _ask(self, question: _Question) -> None:
        question.ask()


_ASKER: list[_Asker] = []
_WAITING: set[_Question] = set()


def _on_gui_thread() -> bool:
    app = QCoreApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def prepare_asking() -> None:
    """Make ready, on the GUI thread, what :func:`ask_on_gui_thread` needs (once)."""
    if not _ASKER and _on_gui_thread():
        _ASKER.append(_Asker())


def ask_on_gui_thread(start: Start, default: Any = None) -> Any:
    """Ask the user something from any thread and wait for the answer: ``start(reply)`` runs on the GUI
    thread, shows a (non-blocking) dialog and calls ``reply(answer)`` when the user is done.

    A worker waits without holding the GUI thread (which goes on painting and handling events); on the
    GUI thread itself a local event loop waits.  :func:`stop_jobs` (a window closing) answers every
    waiting question with ``default`` (and a job cancelled meanwhile stops waiting), so a worker that
    asks can never keep the app from closing."""
    app = QCoreApplication.instance()
    if app is None:
        return default
    question = _Question(start, default)
    if _on_gui_thread():
        loop = QEventLoop()
        question.start(lambda answer: (question.reply(answer), loop.quit()))
        if not question.answered.is_set():
            loop.exec()
        return question.answer
    if not _ASKER:
        return default  # prepare_asking() was never called on the GUI thread: nobody to ask
    job: Optional[Job] = getattr(_CURRENT, "job", None)
    with _LOCK:
        _WAITING.add(question)
    try:
        _ASKER[0].asked.emit(question)
        while not question.answered.wait(0.2):
            if job is not None and job.cancel_token.cancelled:  # stop_jobs: the window is closing
                question.reply(default)
    finally:
        with _LOCK:
            _WAITING.discard(question)
    return question.answer


def stop_jobs(timeout: float = 10.0) -> bool:
    """Cancel every job that is not over and wait up to ``timeout`` seconds in all for them to end
    (a window closing); whether they all did.  Jobs check their cancel token between steps; a step
    inside a library (a pyarrow conversion) ends on its own, usually within a second.  A job waiting
    for the user's answer (:func:`ask_on_gui_thread`) gets the question's default at once."""
    with _LOCK:
        live = [j for j in _JOBS if not j.done]
        waiting = list(_WAITING)
    for question in waiting:
        question.reply(question.default)
    for job in live:
        job.cancel()
    deadline = time.monotonic() + timeout
    for job in live:
        job.wait(max(0.0, deadline - time.monotonic()))
    return all(j.done for j in live)


def shutdown(timeout: float = 10.0) -> bool:
    """Before the interpreter exits: stop every job (:func:`stop_jobs`) and the queues' threads.

    A worker still inside pyarrow or GDAL when Python finalises can hang the exit for ever (pyarrow's
    thread pool waits at exit for tasks that need the interpreter); the caller ends the process
    without waiting (``os._exit``) when this returns False."""
    ok = stop_jobs(timeout)
    with _LOCK:
        pools = list(_QUEUES.values())
        _QUEUES.clear()
    for pool in pools:
        pool.shutdown(wait=False, cancel_futures=True)
    return ok
