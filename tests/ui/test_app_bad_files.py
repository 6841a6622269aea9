"""The app's doors over damaged and odd files (tests/damage.py), as in the CLI failure matrix: opening
every kind of file, and an edit in a project that can be read but not written."""

from __future__ import annotations

import pytest

from gridwatch.storage import workflow

from .. import damage
from ..conftest import SAMPLE

#: What opening each kind shows: None = it opens; else words of the dialog (English UI).
OPENS = {
    "missing": "file not found",
    "empty": "file is empty",
    "truncated": "truncated GeoPackage",
    "read_only": None,
    "locked": "another program is writing",
    "foreign_schema": "not a GridWatch project",
    "newer_schema": "newer GridWatch",
    "hot_journal": None,
    "full_disk": None,
}


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GRIDWATCH_BUSY_TIMEOUT", "0.2")
    from gridwatch.ui import i18n
    from gridwatch.ui.app import create_app, make_settings
    from gridwatch.ui.window.main_window import MainWindow

    create_app()
    i18n.install("en")
    w = MainWindow(make_settings())
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()
    i18n.install("en")


def _open(window, qtbot, path):  # type: ignore[no-untyped-def]
    """Open ``path``: (loaded?, message)."""
    outcome: list[tuple[bool, str]] = []
    window.projectLoaded.connect(lambda p: outcome.append((True, p)))
    window.projectFailed.connect(lambda m: outcome.append((False, m)))
    window.open_project(path)
    qtbot.waitUntil(lambda: bool(outcome), timeout=30_000)
    window.projectLoaded.disconnect()
    window.projectFailed.disconnect()
    return outcome[0]


def test_opening_every_kind_of_file(window, qtbot, tmp_path, monkeypatch):
    hot = damage.hot_journal_pair(SAMPLE, tmp_path / "hot")
    for kind in damage.KINDS:
        if kind == "read_only" and not damage.sharefs.can_mount():
            import os

            if os.geteuid() == 0:
                continue  # nothing is read-only to root without a read-only file system
        with damage.damaged(kind, SAMPLE, tmp_path / kind, monkeypatch=monkeypatch, hot=hot) as path:
            before = damage.listing(path.parent)
            loaded, message = _open(window, qtbot, path)
            want = OPENS[kind]
            if want is None:
                assert loaded, (kind, message)
                if kind == "hot_journal":
                    assert not path.with_name(path.name + "-journal").exists()
                else:
                    assert damage.listing(path.parent) == before
                continue
            assert not loaded and want in message and str(path) in message, (kind, message)
            assert "Traceback" not in message
            box = window._error_box
            assert box is not None and box.isVisible() and want in box.text()
            box.close()
            assert damage.listing(path.parent) == before


@pytest.mark.parametrize(("kind", "words", "chinese"), [("read_only", "read-only", "文件或所在文件夹是只读的"),
                                                         ("full_disk", "disk is full", "磁盘已满")])
def test_an_edit_the_file_cannot_take_says_why_in_the_users_language(kind, words, chinese, window, qtbot, tmp_path,
                                                                      monkeypatch):
    import os

    if kind == "read_only" and os.geteuid() == 0 and not damage.sharefs.can_mount():
        pytest.skip("as root without a file system to remount read-only, nothing is read-only")
    from gridwatch.ui import i18n

    with damage.damaged(kind, SAMPLE, tmp_path / kind, monkeypatch=monkeypatch) as path:
        before = damage.listing(path.parent)
        loaded, message = _open(window, qtbot, path)
        assert loaded, message
        wf = window.workflow
        wf.set_user("文秀兰")
        for language, expected in (("en", words), ("zh_CN", chinese)):
            i18n.install(language)
            with qtbot.waitSignal(wf.failed, timeout=30_000) as sig:
                wf.run(workflow.create_assignments, ["130110100001001"], "patrol")
            assert expected in sig.args[0] and str(path) in sig.args[0], sig.args[0]
        i18n.install("en")  # while the file is still there: panels re-read it when the language changes
        qtbot.wait(100)
        assert damage.listing(path.parent) == before
