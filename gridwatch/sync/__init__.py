"""Sync between a laptop's working copy and the shared project (pygeodiff, a lock file, whole-file
replacement of the shared GeoPackage)."""

from .engine import SyncReport, checkout, sync, sync_dir
from .lock import SharedLock, read_lock

__all__ = ["SyncReport", "SharedLock", "checkout", "read_lock", "sync", "sync_dir"]
