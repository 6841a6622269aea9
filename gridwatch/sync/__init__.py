"""Sync between a laptop's working copy and the shared project (pygeodiff, a lock file, a shared
snapshot GeoPackage plus a log of small changeset files).

The names below are read from their modules when first used (PEP 562): the app asks whether a file is a
working copy (:mod:`gridwatch.sync.files`) while it opens, without importing the sync engine."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import SyncReport, checkout, compact_shared, sync, sync_dir
    from .lock import SharedLock, read_lock

_FROM = {"SyncReport": "engine", "checkout": "engine", "compact_shared": "engine", "sync": "engine",
         "sync_dir": "engine", "SharedLock": "lock", "read_lock": "lock"}

__all__ = ["SyncReport", "SharedLock", "checkout", "compact_shared", "read_lock", "sync", "sync_dir"]


def __getattr__(name: str) -> Any:
    module = _FROM.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module("." + module, __name__), name)
    globals()[name] = value
    return value
