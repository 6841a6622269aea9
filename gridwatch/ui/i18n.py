"""Language: Qt translators for GridWatch's own strings and Qt's standard dialogs."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

TRANSLATIONS = Path(__file__).resolve().parent.parent.parent / "resources" / "translations"
LANGUAGES = ("system", "zh_CN", "en")

_installed: list[QTranslator] = []


def resolve(setting: str, system_locale: Optional[str] = None) -> str:
    """The language to use for a setting: ``system`` follows the locale (Chinese or English)."""
    if setting in ("zh_CN", "en"):
        return setting
    name = system_locale or QLocale.system().name()
    return "zh_CN" if name.startswith("zh") else "en"


def install(language: str) -> str:
    """Switch the application's translators to ``language`` (a setting); returns the one used.

    Qt then sends every widget a LanguageChange event; widgets re-read their texts in
    ``retranslate()``.
    """
    app = QCoreApplication.instance()
    lang = resolve(language)
    for tr in _installed:
        app.removeTranslator(tr)
    _installed.clear()
    if lang == "zh_CN":
        ours = QTranslator()
        if ours.load(str(TRANSLATIONS / "gridwatch_zh_CN.qm")):
            app.installTranslator(ours)
            _installed.append(ours)
        qt = QTranslator()
        if qt.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt)
            _installed.append(qt)
    _current[0] = lang
    return lang


_current = ["en"]


def current() -> str:
    """The language in use (``zh_CN`` or ``en``)."""
    return _current[0]


def error_text(exc: BaseException) -> str:
    """A core error's message in the current language (looked up by its code; see domain.messages)."""
    from ..domain.messages import message_text
    from ..errors import GridWatchError

    return message_text(exc, current()) if isinstance(exc, GridWatchError) else str(exc)
