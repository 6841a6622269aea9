"""Start the desktop app: ``gridwatch`` (the sample district) or ``gridwatch open PROJECT``."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Optional

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMessageBox

from ..errors import GridWatchError
from ..mapview.memory import keep_big_blocks_mapped
from ..userdata import ensure_sample_project, user_data_dir
from . import i18n, jobs
from .window.main_window import MainWindow

ORG = "GridWatch"


def make_settings() -> QSettings:
    """Settings in ``$GRIDWATCH_CONFIG_DIR`` (tests) or the user's config folder."""
    config = os.environ.get("GRIDWATCH_CONFIG_DIR")
    if config:
        return QSettings(str(Path(config) / "gridwatch.ini"), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG, "GridWatch")


def setup_logging() -> Path:
    log_dir = user_data_dir() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "gridwatch.log"
    logging.basicConfig(filename=str(path), level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return path


def create_app(argv: Optional[list[str]] = None) -> QApplication:
    keep_big_blocks_mapped()  # freed images and arrays go back to the system (gridwatch.mapview.memory)
    app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
    app.setOrganizationName(ORG)
    app.setApplicationName("GridWatch")
    font = QFont()
    font.setFamilies(["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "sans-serif"])
    app.setFont(font)
    return app  # type: ignore[return-value]


def create_window(project: Optional[Path] = None) -> MainWindow:
    """The main window with the language from settings, opening ``project`` or the sample."""
    settings = make_settings()
    i18n.install(str(settings.value("language", "system")))
    window = MainWindow(settings)
    try:
        path = Path(project) if project is not None else ensure_sample_project()
    except GridWatchError as exc:
        QMessageBox.critical(window, QCoreApplication.translate("MainWindow", "Cannot open project"),
                             i18n.error_text(exc))
        return window
    window.open_project(path)
    return window


def run(project: Optional[Path] = None) -> int:
    """Run the app until the window closes; returns the exit status."""
    log_path = setup_logging()
    app = create_app()

    def excepthook(exc_type, exc, tb):  # type: ignore[no-untyped-def]
        # Never a silent exit or a raw traceback: log it and tell the user where the log is.
        logging.getLogger("gridwatch").error("unexpected error", exc_info=(exc_type, exc, tb))
        QMessageBox.critical(None, "GridWatch", f"{exc_type.__name__}: {exc}\n\n{log_path}")

    sys.excepthook = excepthook
    from .sync.password import install_password_prompt

    install_password_prompt()  # a server that wants a password asks for it in a dialog (kept in memory only)
    window = create_window(project)
    window.show_default()
    return finish(app.exec())


def finish(status: int) -> int:
    """After the event loop: stop the background jobs; if one cannot be stopped, end the process now
    instead of letting the interpreter's exit wait for it for ever."""
    if jobs.shutdown(timeout=15.0):
        return status
    logging.getLogger("gridwatch").error("background work did not stop within 15 s; ending the process")
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
