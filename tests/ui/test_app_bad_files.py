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


# --- the dialogs that read or write a file the window holds open -------------------------------------
# A project can turn bad under an open window: the USB stick is pulled, another program takes its lock,
# the disk fills up.  The export dialog and the sync dialog say so in their own status line (the CLI
# failure matrix's words), name the file, leave every file as it was, and stay usable.

def _cli_words(role: str, kind: str, command: str = "") -> str | None:
    from ..test_cli_failures import FAILS_WITH, SYNC_WORDS

    if (command, kind) in SYNC_WORDS:
        return SYNC_WORDS[(command, kind)]
    return FAILS_WITH[kind][role]


def _skip_if_nothing_is_read_only(kind: str) -> None:
    import os

    if kind == "read_only" and os.geteuid() == 0 and not damage.sharefs.can_mount():
        pytest.skip("as root without a file system to remount read-only, nothing is read-only")


@pytest.mark.parametrize("kind", damage.KINDS)
def test_the_export_dialog_on_every_kind_of_file(kind, qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings, Qt

    from gridwatch.ui import i18n
    from gridwatch.ui.data.export_dialog import ExportDialog, workers_running

    _skip_if_nothing_is_read_only(kind)
    monkeypatch.setenv("GRIDWATCH_BUSY_TIMEOUT", "0.2")
    i18n.install("en")
    hot = damage.hot_journal_pair(SAMPLE, tmp_path / "hot") if kind == "hot_journal" else None
    with damage.damaged(kind, SAMPLE, tmp_path / kind, monkeypatch=monkeypatch, hot=hot) as path:
        out_dir = path.parent if kind in ("full_disk", "read_only") else tmp_path / "out"
        out_dir.mkdir(exist_ok=True)
        target = out_dir / "台账.csv"
        before = damage.listing(path.parent)
        dialog = ExportDialog(path, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.set_kind("ledger")
        qtbot.waitUntil(lambda: not dialog.preview_busy, timeout=60_000)
        dialog.out_edit.setText(str(target))
        with qtbot.waitSignal(dialog.exportFinished, timeout=60_000) as done:
            qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
        status = dialog.status.text()
        after = damage.listing(path.parent)
        dialog.close()
        qtbot.waitUntil(lambda: not workers_running(), timeout=60_000)
    want = _cli_words("export", kind)
    if kind == "read_only":
        want = "read-only"  # the target folder is on the same read-only disk
    assert "Traceback" not in status and 'File "' not in status, status
    if want is None:
        assert done.args[0] is not None and target.exists(), status
        return
    assert done.args[0] is None, status
    assert want.lower() in status.lower() and "c62828" in dialog.status.styleSheet(), status
    named = target if kind in ("full_disk", "read_only") else path
    assert str(named) in status or str(named.parent) in status, status
    assert not target.exists()
    if kind != "hot_journal":
        assert after == before


@pytest.mark.parametrize("kind", damage.KINDS)
def test_the_sync_dialog_on_every_kind_of_working_copy(kind, qtbot, tmp_path, sample_path, monkeypatch):
    import shutil

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QPushButton

    from gridwatch.sync import checkout
    from gridwatch.ui import i18n
    from gridwatch.ui.sync.dialogs import SyncDialog, jobs_running

    _skip_if_nothing_is_read_only(kind)
    if kind == "full_disk" and not damage.sharefs.can_mount():
        pytest.skip("an injected full disk covers the project's own writes, not the sync's files")
    monkeypatch.setenv("GRIDWATCH_BUSY_TIMEOUT", "0.2")
    i18n.install("en")
    share = tmp_path / "share"
    share.mkdir()
    shutil.copyfile(sample_path, share / "district.gpkg")
    (tmp_path / "laptop").mkdir()
    laptop = checkout(share / "district.gpkg", tmp_path / "laptop" / "project.gpkg", "文秀兰")
    along = ("." + laptop.name + ".sync",)
    hot = damage.hot_journal_pair(laptop, tmp_path / "hot") if kind == "hot_journal" else None
    with damage.damaged(kind, laptop, tmp_path / kind, along=along, monkeypatch=monkeypatch, hot=hot) as path:
        before = damage.listing(path.parent)
        dialog = SyncDialog(path)
        qtbot.addWidget(dialog)
        dialog.show()
        outcome: list[str] = []
        dialog.failed.connect(lambda m: outcome.append("failed: " + m))
        dialog.synced.connect(lambda report: outcome.append("synced"))
        if kind == "missing":  # said at once; nothing to sync
            error = dialog.findChild(QLabel, "syncError")
            assert error.isVisible() and "not a working copy" in error.text(), error.text()
            assert not dialog.findChild(QPushButton, "syncStart").isEnabled()
            dialog.close()
            return
        qtbot.mouseClick(dialog.findChild(QPushButton, "syncStart"), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(outcome), timeout=60_000)
        error = dialog.findChild(QLabel, "syncError")
        shown = error.text() if error.isVisible() else ""
        after = damage.listing(path.parent)
        dialog.close()
        qtbot.waitUntil(lambda: not jobs_running(), timeout=60_000)
    want = _cli_words("write", kind, "sync")
    assert "Traceback" not in outcome[0] and 'File "' not in outcome[0], outcome
    if want is None:
        assert outcome == ["synced"], outcome
        return
    assert outcome[0].startswith("failed") and want in outcome[0] and want in shown, (outcome, shown)
    assert str(path.parent) in shown, shown
    assert after == before


@pytest.mark.parametrize("kind", damage.KINDS)
def test_the_import_dialog_on_every_kind_of_project(kind, qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from gridwatch.ui import i18n
    from gridwatch.ui.data.import_dialog import ImportDialog
    from gridwatch.ui.data.import_parts import jobs_running

    from .test_import_dialog import check, choose_kind, gb18030_site_shapefile, import_button, summary, wait_preview

    _skip_if_nothing_is_read_only(kind)
    monkeypatch.setenv("GRIDWATCH_BUSY_TIMEOUT", "0.2")
    i18n.install("en")
    source = gb18030_site_shapefile(tmp_path / "工地数据")
    hot = damage.hot_journal_pair(SAMPLE, tmp_path / "hot") if kind == "hot_journal" else None
    with damage.damaged(kind, SAMPLE, tmp_path / kind, monkeypatch=monkeypatch, hot=hot) as path:
        before = damage.listing(path.parent)
        dialog = ImportDialog(path, user="文秀兰")
        qtbot.addWidget(dialog)
        dialog.show()
        imported: list[object] = []
        dialog.imported.connect(imported.append)
        choose_kind(dialog, "construction_site")
        dialog.set_file(source)
        wait_preview(qtbot, dialog)
        text = check(qtbot, dialog)
        if import_button(dialog).isEnabled():
            qtbot.mouseClick(dialog.findChild(QPushButton, "importRun"), Qt.MouseButton.LeftButton)
            qtbot.waitUntil(lambda: not dialog.busy_working(), timeout=60_000)
            text = summary(dialog).text()
        after = damage.listing(path.parent)
        dialog.cancel()
        qtbot.waitUntil(lambda: not jobs_running(), timeout=60_000)
        dialog.close()
    want = _cli_words("write", kind)
    assert "Traceback" not in text and 'File "' not in text, text
    if want is None:
        assert imported, text
        return
    assert not imported and want.lower() in text.lower() and str(path) in text, text
    assert summary(dialog).property("error") is True
    assert after == before
