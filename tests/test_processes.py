"""A core function in a child process (gridwatch.processes): its result and progress come back, a cancel
kills the child at once (a 60-second call ends within seconds and leaves no process behind), and its errors
arrive as the same GridWatch errors, translatable, with the child's traceback chained."""

from __future__ import annotations

import os
import threading
import time

import pytest

from gridwatch.analysis.coverage import coverage_from_project
from gridwatch.domain.messages import message_text
from gridwatch.errors import Cancelled, DataSourceError
from gridwatch.processes import RemoteTraceback, run_in_process, running
from gridwatch.tasks import CancelToken


def _gone(pid: int, timeout: float = 10.0) -> bool:
    """Whether process ``pid`` no longer exists (killed and reaped) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_the_coverage_computed_in_a_child_equals_the_one_computed_here_and_reports_its_steps(sample_path):
    import datetime as dt

    now = dt.datetime(2025, 11, 20, 4, 0, tzinfo=dt.timezone.utc)
    heard: list[tuple[float, str]] = []
    there = run_in_process(coverage_from_project, (sample_path,), {"now": now, "periods": (7, 30)},
                           progress=lambda f, m: heard.append((f, m)), with_progress=True)
    here = coverage_from_project(sample_path, now=now, periods=(7, 30))
    assert there.cells.equals(here.cells) and there.townships.equals(here.townships)
    assert len(there.cells) > 100 and there.cells["overdue"].any()
    fractions = [f for f, _ in heard]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert "reading the visits" in [m for _, m in heard]


def test_cancelling_kills_the_child_at_once_and_leaves_no_process():
    cancel = CancelToken()
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            run_in_process(time.sleep, (60,), cancel=cancel)
        except BaseException as exc:  # noqa: BLE001 - what the caller sees
            outcome.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    deadline = time.monotonic() + 60  # the first call starts the fork server
    children: list[int] = []
    while not children and time.monotonic() < deadline:
        children = [pid for pid, name in running().items() if name == "gridwatch-sleep"]
        time.sleep(0.02)
    assert children, "the child process never started"
    pid = children[0]
    time.sleep(0.3)
    t0 = time.monotonic()
    cancel.cancel()
    caller.join(10)
    assert not caller.is_alive(), "the call went on after its cancel"
    assert time.monotonic() - t0 < 3.0
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled)
    assert _gone(pid), f"the child {pid} still runs after the cancel"
    assert not running()


def test_a_gridwatch_error_in_the_child_arrives_as_itself_in_chinese_with_the_childs_traceback(tmp_path):
    not_a_project = tmp_path / "notes.gpkg"
    not_a_project.write_text("not a GeoPackage")
    with pytest.raises(DataSourceError) as caught:
        run_in_process(coverage_from_project, (not_a_project,))
    exc = caught.value
    here = pytest.raises(DataSourceError, coverage_from_project, not_a_project).value
    assert str(exc) == str(here) and exc.code == here.code and exc.key == here.key
    chinese = message_text(exc, "zh_CN")
    assert chinese == message_text(here, "zh_CN") and any("\u4e00" <= ch <= "\u9fff" for ch in chinese)
    assert isinstance(exc.__cause__, RemoteTraceback) and "coverage_from_project" in exc.__cause__.text


def test_a_child_that_dies_without_an_answer_is_an_error_naming_its_exit_code():
    with pytest.raises(RuntimeError, match=r"_exit ended without an answer \(exit code 3\)"):
        run_in_process(os._exit, (3,))
