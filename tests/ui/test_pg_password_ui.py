"""The app asks for a server's password (issue 19): when a check-out, a sync or a live view connects to a
server that wants a password the usual places (.pgpass, service file, PGPASSWORD) lack, a password dialog
asks on the GUI thread (the connection waits on its worker); the password is kept in memory for the
session only (the next sync does not ask) and never written to the working copy or the settings; Cancel
says so in Chinese and leaves nothing half done.  Real cluster: a login that must give its password
(scram-sha-256)."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QThread
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QWidget

from gridwatch.sync import sync_dir
from gridwatch.sync.pg.publish import add_login, publish
from gridwatch.ui import i18n, jobs
from gridwatch.ui.sync import password as pw
from gridwatch.ui.sync.dialogs import CheckoutDialog, SyncDialog
from gridwatch.ui.sync.live import LiveViewBar, OpenServerDialog

from ..test_sync_pg import people

WAIT = 60_000  # ms
D = "d130110"
LOGIN, PASSWORD, NEW_PASSWORD = "gw_pw_sup", "冬防-pw 7788", "秋收-pw 9911"


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    from ..conftest import bare_sample_in

    return bare_sample_in(tmp_path_factory.mktemp("bare"))


def admin(pg_cluster, db: str) -> psycopg.Connection:
    return psycopg.connect(f"host={pg_cluster.folder} user=gridwatch dbname={db}", autocommit=True)


@pytest.fixture(scope="module")
def guarded(pg_cluster, sample_path):
    """A district whose supervisor logs in as LOGIN, which must give its password (scram-sha-256); the
    cluster's other logins unchanged."""
    db = "pwui"
    pg_cluster.create_database(db)
    publish(sample_path, pg_cluster.url(db), logins=True)
    sup = people(sample_path)["supervisor"]
    hba = pg_cluster.data / "pg_hba.conf"
    before = hba.read_text()
    with admin(pg_cluster, db) as con:
        with con.cursor() as cur:
            add_login(cur, D, LOGIN, sup.uuid, "supervisor", PASSWORD)
        hba.write_text(f"local all {LOGIN} scram-sha-256\n" + before)
        con.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)
    yield {"db": db, "url": pg_cluster.url(db, user=LOGIN), "sup": sup}
    hba.write_text(before)
    with admin(pg_cluster, db) as con:
        con.execute("SELECT pg_reload_conf()")


@pytest.fixture
def prompt(qtbot, monkeypatch, tmp_path):
    """The app's prompt installed (as the app does when it starts), every dialog it shows recorded with
    whether it was shown on the GUI thread; removed afterwards (and the session's passwords forgotten)."""
    monkeypatch.setenv("GRIDWATCH_DATA_DIR", str(tmp_path / "data"))
    shown: list[tuple[str, bool]] = []
    show = pw._show

    def recording(where, reply):  # type: ignore[no-untyped-def]
        shown.append((where, QThread.currentThread() is QCoreApplication.instance().thread()))
        show(where, reply)

    monkeypatch.setattr(pw, "_show", recording)
    pw.remove_password_prompt()
    pw.install_password_prompt()
    yield shown
    pw.remove_password_prompt()
    i18n.install("en")


def find(parent, cls, name):
    w = parent.findChild(cls, name)
    assert w is not None, name
    return w


def password_dialog() -> pw.PasswordDialog | None:
    for w in QApplication.topLevelWidgets():
        if isinstance(w, pw.PasswordDialog) and w.isVisible():
            return w
    return None


def answer(qtbot, text: str | None, address: str) -> None:
    """Wait for the password dialog, check what it shows, type ``text`` and OK (None: Cancel)."""
    qtbot.waitUntil(lambda: password_dialog() is not None, timeout=WAIT)
    dialog = password_dialog()
    assert dialog is not None and dialog.isModal()
    shown = find(dialog, QLabel, "pgPasswordAddress").text()  # the address, without any password
    assert shown == address or shown == f"{address}&district={D}", shown
    assert find(dialog, QLabel, "pgPasswordLogin").text() == LOGIN
    field = find(dialog, QLineEdit, "pgPassword")
    assert field.echoMode() == QLineEdit.EchoMode.Password
    if text is None:
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    else:
        for ch in text:  # typed (QTest types Latin-1 only: the Chinese characters as an input method gives them)
            if ord(ch) < 128:
                qtbot.keyClicks(field, ch)
            else:
                field.insert(ch)
        assert field.text() == text
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: password_dialog() is None, timeout=WAIT)


def sync_count(pg_cluster, db: str) -> int:
    with admin(pg_cluster, db) as con:
        return con.execute(sql.SQL("SELECT count(*) FROM {}.sync_log").format(sql.Identifier(D))).fetchone()[0]


def no_password_in(*roots: Path) -> None:
    """No file under ``roots`` holds the passwords, in any form a program might write them."""
    forms = [p.encode(enc) for p in (PASSWORD, NEW_PASSWORD) for enc in ("utf-8", "utf-16-le")]
    forms += [quote(p).encode() for p in (PASSWORD, NEW_PASSWORD)]
    files = [f for r in roots for f in ([r] if r.is_file() else r.rglob("*")) if f.is_file()]
    assert files
    for f in files:
        data = f.read_bytes()
        assert not any(form in data for form in forms), f


def check_out(qtbot, dialog: CheckoutDialog, user: str) -> Path:
    combo = find(dialog, QComboBox, "checkoutUser")
    combo.setCurrentIndex(combo.findData(user))
    with qtbot.waitSignal(dialog.checkedOut, timeout=WAIT) as got:
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    return Path(got.args[0])


def run_sync(qtbot, local: Path) -> SyncDialog:
    dialog = SyncDialog(local)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    return dialog


def test_check_out_and_sync_ask_for_the_password_once_and_never_write_it(guarded, prompt, pg_cluster, qtbot,
                                                                         tmp_path):
    settings_file = tmp_path / "settings.ini"
    dialog = CheckoutDialog(QSettings(str(settings_file), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show()
    error = find(dialog, QLabel, "checkoutError")
    # typing the address reads the people without a prompt: the dialog says to press Enter
    find(dialog, QLineEdit, "checkoutShared").setText(guarded["url"])
    qtbot.waitUntil(lambda: error.isVisible() and not dialog.reading_people, timeout=WAIT)
    assert "press Enter" in error.text() and prompt == []
    # Enter in the address field: the password dialog, on the GUI thread, with the address and login
    qtbot.keyClick(find(dialog, QLineEdit, "checkoutShared"), Qt.Key.Key_Return)
    answer(qtbot, PASSWORD, guarded["url"])
    qtbot.waitUntil(lambda: not dialog.reading_people, timeout=WAIT)
    assert not error.isVisible() and find(dialog, QComboBox, "checkoutUser").count() > 0
    assert prompt == [(guarded["url"], True)]
    local = check_out(qtbot, dialog, guarded["sup"].name)
    state = json.loads((sync_dir(local) / "state.json").read_text(encoding="utf-8"))
    assert state["kind"] == "postgis" and LOGIN in state["shared"]
    # the check-out and two syncs later in the session: not asked again
    for _ in range(2):
        sync_dialog = run_sync(qtbot, local)
        with qtbot.waitSignal(sync_dialog.synced, timeout=WAIT) as done:
            pass
        assert done.args[0].refused == 0
    assert len(prompt) == 1
    assert sync_count(pg_cluster, guarded["db"]) >= 2
    # neither the working copy, its base and sync state, the user's data folder nor the settings hold it
    no_password_in(local, sync_dir(local), tmp_path / "data", settings_file)
    with closing(sqlite3.connect(local)) as con:
        assert con.execute("SELECT count(*) FROM inspector").fetchone()[0] > 0


def test_cancel_says_so_in_chinese_and_leaves_nothing_half_done(guarded, prompt, pg_cluster, qtbot, tmp_path):
    i18n.install("zh_CN")
    dialog = CheckoutDialog(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show()
    find(dialog, QLineEdit, "checkoutShared").setText(guarded["url"])
    dialog.load_people()  # as Enter does
    answer(qtbot, PASSWORD, guarded["url"])
    qtbot.waitUntil(lambda: not dialog.reading_people and find(dialog, QComboBox, "checkoutUser").count() > 0,
                    timeout=WAIT)
    target = tmp_path / "copy.gpkg"
    find(dialog, QLineEdit, "checkoutLocal").setText(str(target))
    # the administrator changes the password meanwhile: the session's is refused, the check-out asks; Cancel
    with admin(pg_cluster, guarded["db"]) as con:
        con.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(LOGIN), sql.Literal(NEW_PASSWORD)))
    try:
        combo = find(dialog, QComboBox, "checkoutUser")
        combo.setCurrentIndex(combo.findData(guarded["sup"].name))
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
        answer(qtbot, None, guarded["url"])
        error = find(dialog, QLabel, "checkoutError")
        qtbot.waitUntil(lambda: not dialog.running and error.isVisible(), timeout=WAIT)
        assert error.text().startswith(f"没有输入服务器 {guarded['url']}") and "的密码，已取消" in error.text()
        assert "什么也没有做" in error.text()
        assert not target.exists() and not sync_dir(target).exists() and dialog.isVisible()
        # Check out again: asked again; the new password
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
        with qtbot.waitSignal(dialog.checkedOut, timeout=WAIT):
            answer(qtbot, NEW_PASSWORD, guarded["url"])
        assert target.is_file() and len(prompt) == 3
        synced = sync_count(pg_cluster, guarded["db"])
        state = (sync_dir(target) / "state.json").read_text(encoding="utf-8")

        # a new session (the app started again): the sync asks; Cancel, then a wrong password, then the right one
        pw.remove_password_prompt()
        pw.install_password_prompt()
        sync_dialog = run_sync(qtbot, target)
        answer(qtbot, None, guarded["url"])
        qtbot.waitUntil(lambda: not sync_dialog.running and sync_dialog._job is None, timeout=WAIT)
        sync_error = find(sync_dialog, QLabel, "syncError")
        assert sync_error.isVisible() and sync_error.text().startswith(f"没有输入服务器 {guarded['url']}")
        assert "的密码，已取消" in sync_error.text()
        assert sync_count(pg_cluster, guarded["db"]) == synced
        assert (sync_dir(target) / "state.json").read_text(encoding="utf-8") == state
        sync_dialog.start()
        answer(qtbot, "wrong", guarded["url"])
        qtbot.waitUntil(lambda: sync_dialog._job is None, timeout=WAIT)
        assert sync_error.text().startswith(f"服务器 {guarded['url']}&district={D} 不接受这个密码（password "
                                            f"authentication failed for user \"{LOGIN}\"）")
        assert sync_count(pg_cluster, guarded["db"]) == synced
        with qtbot.waitSignal(sync_dialog.synced, timeout=WAIT):
            sync_dialog.start()
            answer(qtbot, NEW_PASSWORD, guarded["url"])
        assert sync_count(pg_cluster, guarded["db"]) == synced + 1
        assert all(on_gui for _where, on_gui in prompt) and len(prompt) == 6
        no_password_in(target, sync_dir(target), tmp_path / "settings.ini")
    finally:
        with admin(pg_cluster, guarded["db"]) as con:
            con.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(LOGIN), sql.Literal(PASSWORD)))


def test_a_live_view_asks_once_and_closing_while_asked_does_not_hang(guarded, prompt, pg_cluster, qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    dialog = OpenServerDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    address = guarded["url"] + f"&district={D}"
    find(dialog, QLineEdit, "liveAddress").setText(address)
    with qtbot.waitSignal(dialog.opened, timeout=WAIT) as got:
        dialog.start()
        answer(qtbot, PASSWORD, address)
    view = Path(got.args[0])
    holder = QWidget()
    qtbot.addWidget(holder)
    bar = LiveViewBar(holder)
    bar.set_project(view)
    bar.refresh()  # a supervisor's view: a sync with the server, the password from memory
    qtbot.waitUntil(lambda: not bar.refreshing, timeout=WAIT)
    assert bar.problem == "" and len(prompt) == 1
    no_password_in(view.parent, tmp_path / "settings.ini")

    # a new session; the window closes while a refresh waits for the password: no deadlock, the job ends
    pw.remove_password_prompt()
    pw.install_password_prompt()
    bar.refresh()
    qtbot.waitUntil(lambda: password_dialog() is not None, timeout=WAIT)
    t0 = time.monotonic()
    assert jobs.stop_jobs(timeout=10.0)
    assert time.monotonic() - t0 < 3.0
    qtbot.waitUntil(lambda: not bar.refreshing, timeout=WAIT)
    assert bar.problem  # the refresh failed (no password), and said so
    password_dialog().reject()  # type: ignore[union-attr]


def test_the_city_view_asks_too(guarded, prompt, qtbot, tmp_path):
    from PySide6.QtWidgets import QPushButton, QTableWidget

    from gridwatch.ui.sync.city import CityDialog

    dialog = CityDialog(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(dialog)
    dialog.show()
    find(dialog, QLineEdit, "cityAddress").setText(guarded["url"])
    qtbot.mouseClick(find(dialog, QPushButton, "cityShow"), Qt.MouseButton.LeftButton)
    answer(qtbot, PASSWORD, guarded["url"])
    districts = find(dialog, QTableWidget, "cityDistricts")
    qtbot.waitUntil(lambda: districts.rowCount() == 1, timeout=WAIT)
    assert districts.item(0, 2).text() == D and prompt == [(guarded["url"], True)]
    no_password_in(tmp_path / "settings.ini")
