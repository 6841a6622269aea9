"""Sync between a laptop's working copy and the shared project (pygeodiff, a lock file, a shared
snapshot GeoPackage plus a log of small changeset files)."""

from .engine import SyncReport, checkout, compact_shared, sync, sync_dir
from .lock import SharedLock, read_lock

__all__ = ["SyncReport", "SharedLock", "checkout", "compact_shared", "read_lock", "sync", "sync_dir"]
