"""Small widget helpers every panel and dialog uses."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from PySide6.QtCore import QObject

W = TypeVar("W", bound=QObject)


def named(widget: W, name: str, **signals: Callable[..., Any]) -> W:
    """``widget`` with object name ``name`` (tests, style sheets and saved state find it by it) and
    each of its ``signals`` (``clicked=...``, ``textEdited=...``) connected."""
    widget.setObjectName(name)
    for signal, slot in signals.items():
        getattr(widget, signal).connect(slot)
    return widget
