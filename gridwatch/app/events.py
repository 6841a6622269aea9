"""A tiny observer: the session's change events, with no Qt (the UI bridges them to Qt signals)."""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class Event(Generic[T]):
    """Callbacks called in order with one value; a callback that raises does not stop the others."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[T], Any]] = []

    def connect(self, callback: Callable[[T], Any]) -> None:
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callable[[T], Any]) -> None:
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, value: T) -> None:
        errors: list[BaseException] = []
        for callback in list(self._callbacks):
            try:
                callback(value)
            except Exception as exc:  # noqa: BLE001 - every listener hears the change; the first error is raised
                errors.append(exc)
        if errors:
            raise errors[0]
