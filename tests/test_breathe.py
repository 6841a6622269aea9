"""A worker thread in a long loop steps aside now and then so the GUI thread can take the interpreter lock
(gridwatch.tasks.breathe); the GUI thread itself never sleeps in it."""

from __future__ import annotations

import threading
import time

import gridwatch.tasks as tasks


def _loop(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        tasks.breathe()


def test_a_worker_steps_aside_every_few_milliseconds_and_the_gui_thread_never(monkeypatch):
    slept: list[tuple[str, float]] = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        slept.append((threading.current_thread().name, seconds))
        real_sleep(seconds)

    monkeypatch.setattr(tasks.time, "sleep", sleep)
    _loop(0.05)  # this (the main) thread: the GUI's
    assert slept == []
    worker = threading.Thread(target=_loop, args=(0.05,), name="render-worker")
    worker.start()
    worker.join()
    assert all(name == "render-worker" and s == tasks.BREATHE_FOR for name, s in slept)
    # now and then (every BREATHE_EVERY seconds: about 20 times in 50 ms), not on every call (thousands)
    assert 3 <= len(slept) <= 0.05 / tasks.BREATHE_EVERY + 1
