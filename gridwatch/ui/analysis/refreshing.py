"""What the coverage panel and the dashboard share: recomputing on a worker thread, debounced, the
newest answer wins (an older one that arrives late is dropped), and the status line says when."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QTimer

from ...times import BEIJING
from ..jobs import Job


class Refreshing:
    """Mixin for a QWidget with ``path``, ``status`` (a QLabel), ``refresh()`` and ``loadFailed``."""

    def _init_refreshing(self, delay_ms: int) -> None:
        self._generation = 0
        self._loading = False
        self._job: Optional[Job] = None
        self._debounce = QTimer(self)  # type: ignore[arg-type]
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(delay_ms)
        self._debounce.timeout.connect(self.refresh)  # type: ignore[attr-defined]

    def _follow(self, controller: Any, on_user_changed: Callable[..., Any]) -> None:
        """Follow the workflow controller (its project, edits, user and reloads), then show the project."""
        if controller is not None:
            controller.changed.connect(self.schedule_refresh)
            controller.userChanged.connect(on_user_changed)
            controller.reloaded.connect(self.schedule_refresh)
            if getattr(controller, "path", None) is not None:
                self.path = Path(controller.path)  # type: ignore[attr-defined]
        self.retranslate()  # type: ignore[attr-defined]
        if self.path is not None:  # type: ignore[attr-defined]
            self.refresh()  # type: ignore[attr-defined]

    def schedule_refresh(self, *_args: Any) -> None:
        """Recompute after a short pause (a burst of edits or spin-box steps recomputes once)."""
        if self.path is not None:  # type: ignore[attr-defined]
            self._debounce.start()

    @property
    def loading(self) -> bool:
        return self._loading

    def _next_generation(self) -> int:
        """A new computation starts: answers of the ones before it are dropped."""
        self._debounce.stop()
        self._generation += 1
        return self._generation

    def _newest(self, job: Optional[Job]) -> None:
        """``job`` is the newest computation (None: there is none now, e.g. the project closed): the one
        before it is cancelled if it still works (a computation in a child process is killed), and its
        answer, if it still comes, is dropped."""
        old, self._job = self._job, job
        if job is None:
            self._generation += 1
            self._loading = False
        if old is not None and old is not job and not old.done:
            old.cancel()

    def _answered(self, job: Job) -> bool:
        """Whether ``job`` is the newest computation (it then no longer loads)."""
        if job.tag != self._generation:
            return False  # a newer computation is on its way
        self._loading = False
        return True

    def _say_updated(self, text: str) -> None:
        """``text`` ("Updated at %s", translated by the panel) with the Beijing time now."""
        self.status.setText(text % _dt.datetime.now(BEIJING).strftime("%H:%M:%S"))  # type: ignore[attr-defined]

    def _say_failed(self, job: Job, text: str, message: str) -> None:
        """The newest computation failed: ``text`` (translated, with %s) in the status line."""
        if self._answered(job):
            self.status.setText(text % message)  # type: ignore[attr-defined]
            self.loadFailed.emit(message)  # type: ignore[attr-defined]
