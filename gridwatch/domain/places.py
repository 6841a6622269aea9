"""Finding places the way people name them: a township by its code, its name or part of its name."""

from __future__ import annotations

from typing import Iterable

from ..errors import GridWatchError


def resolve_township(towns: Iterable[tuple[str, str]], value: str, where: object = "",
                     error: type[GridWatchError] = GridWatchError) -> tuple[str, str]:
    """(code, name) of the township among ``towns`` ((code, name) pairs) given by code, name or an
    unambiguous part of its name; ``error`` (prefixed with ``where``, e.g. the file) otherwise."""
    pairs = [(str(c), str(n)) for c, n in towns]
    exact = [p for p in pairs if value in p]
    found = exact or [p for p in pairs if value and value in p[1]]
    prefix = f"{where}: " if where else ""
    if len(found) == 1:
        return found[0]
    if not found:
        raise error(f"{prefix}no township with code or name {value!r}; townships: " + ", ".join(n for _, n in pairs))
    raise error(f"{prefix}{len(found)} townships match {value!r}; give the code ("
                + ", ".join(c for c, _ in found[:5]) + ")")
