"""Typed errors raised by the GridWatch core.

Every message is written for the person at the keyboard: it names the file, layer, row or
field concerned and says what to do.  The UI shows ``str(error)`` in a dialog; the CLI prints it
on one line and exits with status 2.
"""

from __future__ import annotations


class GridWatchError(Exception):
    """Base class of every error GridWatch raises on purpose."""


class DataSourceError(GridWatchError):
    """A file could not be used as a GridWatch project or data source."""


class LayerImportError(GridWatchError):
    """Features could not be imported into a project layer."""


class CRSError(GridWatchError):
    """A coordinate reference system is missing, unknown or unsuitable."""


class StorageError(GridWatchError):
    """Reading or writing the project GeoPackage failed."""


class SharedProjectError(StorageError):
    """A write was aimed at a shared project's snapshot, which only syncs may change."""


class SchemaVersionError(StorageError):
    """The project was written by a newer GridWatch, or cannot be migrated."""


class ValidationError(GridWatchError):
    """Feature attributes or geometries break a layer's rules."""


class SyncError(GridWatchError):
    """Synchronising with the shared project failed."""


class InvalidTransition(GridWatchError):
    """A status change is not allowed from the current state."""


class Cancelled(GridWatchError):
    """A long operation was cancelled by the user; nothing was written."""
