"""Syncs running on threads of one process each give geodiff their own temp folder, and leave the
process's TMPDIR as they found it (it named a finished sync's removed folder, and every later sync of the
process failed with "Unable to open changeset file for writing")."""

from __future__ import annotations

import os
import threading
import time

from gridwatch.sync.changes import _geodiff_tmp


def test_threads_each_see_their_own_folder_and_the_variable_is_restored(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "outer"))
    wrong: list[str] = []
    start = threading.Barrier(6)

    def sync(i: int) -> None:
        folder = tmp_path / f"work-{i}"
        start.wait()
        for _ in range(100):
            with _geodiff_tmp(folder):
                time.sleep(0.0002)  # geodiff at work: other threads run meanwhile
                seen = os.environ.get("TMPDIR")
                if seen != str(folder) + os.sep:
                    wrong.append(f"sync {i} saw {seen}")
                with _geodiff_tmp(folder / "inner"):  # a nested step of the same sync
                    pass
                if os.environ.get("TMPDIR") != str(folder) + os.sep:
                    wrong.append(f"sync {i}: its folder was not restored after a nested step")

    threads = [threading.Thread(target=sync, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
    assert os.environ["TMPDIR"] == str(tmp_path / "outer")
