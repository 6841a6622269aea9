"""Sync between a laptop's working copy and the shared project (pygeodiff, a lock file, a shared
snapshot GeoPackage plus a log of small changeset files).

The names below are read from their modules when first used (PEP 562): the app asks whether a file is a
working copy (:mod:`gridwatch.sync.files`) while it opens, without importing the sync engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import module_getattr

if TYPE_CHECKING:
    from .engine import SyncReport, checkout, compact_shared, sync, sync_dir
    from .lock import SharedLock, read_lock

_FROM = {"SyncReport": "engine", "checkout": "engine", "compact_shared": "engine", "sync": "engine",
         "sync_dir": "engine", "SharedLock": "lock", "read_lock": "lock"}

__all__ = ["SyncReport", "SharedLock", "checkout", "compact_shared", "read_lock", "sync", "sync_dir"]


__getattr__ = module_getattr(globals(), __name__, {k: "." + v for k, v in _FROM.items()})
