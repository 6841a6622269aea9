"""Typed errors raised by the GridWatch core, each with a stable code.

Every message is written for the person at the keyboard: it names the file, layer, row or
field concerned and says what to do.  The CLI prints ``str(error)`` (English) on one line and exits
with status 2; the UI shows :func:`gridwatch.messages.message_text` of it, which looks the error up
by its ``key`` (a message with parameters) or its ``code`` (its kind) and translates it.
"""

from __future__ import annotations

from typing import Any, Optional


class GridWatchError(Exception):
    """Base class of every error GridWatch raises on purpose."""

    #: The kind of error, stable across versions and languages (see :data:`ERROR_CODES`).
    code = "error"

    def __init__(self, message: str = "", *, key: Optional[str] = None, **params: Any) -> None:
        super().__init__(message)
        #: The message's id in :mod:`gridwatch.messages` (None: only the code's title is translated).
        self.key = key
        #: The values the message names (people, states, files), for the translated message.
        self.params = params


class DataSourceError(GridWatchError):
    """A file could not be used as a GridWatch project or data source."""

    code = "bad_file"


class BadInputFile(DataSourceError):
    """An input file (to import, a photo) cannot be read or used."""

    code = "bad_input_file"


class DamagedProject(DataSourceError):
    """The project file is truncated, damaged or lacks GridWatch's schema."""

    code = "damaged_project"


class LayerImportError(GridWatchError):
    """Features could not be imported into a project layer."""

    code = "import_failed"


class CRSError(GridWatchError):
    """A coordinate reference system is missing, unknown or unsuitable."""

    code = "bad_crs"


class StorageError(GridWatchError):
    """Reading or writing the project GeoPackage failed."""

    code = "storage"


class DiskFull(StorageError):
    """The disk (or the user's quota) is full; nothing was written."""

    code = "disk_full"


class ReadOnlyFile(StorageError):
    """The file or its folder cannot be written (read-only medium, folder or file); nothing was written."""

    code = "read_only"


class FileLocked(StorageError):
    """Another program holds the project's write lock (it is writing the file just now)."""

    code = "locked"


class UnfinishedWrite(DataSourceError):
    """A program stopped mid-write and its journal cannot be rolled back here (a read-only folder)."""

    code = "unfinished_write"


class NotFound(StorageError):
    """A person, cell, township, task or finding named by the user is not in the project."""

    code = "not_found"


class SharedProjectError(StorageError):
    """A write was aimed at a shared project's snapshot, which only syncs may change."""

    code = "shared_project"


class SchemaVersionError(StorageError):
    """The project was written by a newer GridWatch, or cannot be migrated."""

    code = "schema_version"


class ValidationError(GridWatchError):
    """Feature attributes, geometries or a form's values break the rules."""

    code = "invalid_input"


class SyncError(GridWatchError):
    """Synchronising with the shared project failed."""

    code = "sync_failed"


class ShareUnavailable(SyncError):
    """The shared folder cannot be reached, read or written."""

    code = "share_unavailable"


class InvalidTransition(GridWatchError):
    """A status change or an action is not allowed."""

    code = "not_allowed"


class InvalidStep(InvalidTransition):
    """The step is not possible from the record's current state (or misses what it needs)."""

    code = "invalid_step"


class RefusedByRole(InvalidTransition):
    """The person's role (or their relation to the record) does not allow the action."""

    code = "refused_by_role"


class Cancelled(GridWatchError):
    """A long operation was cancelled by the user; nothing was written."""

    code = "cancelled"


#: Every error code, for the translation catalogue's completeness test.
ERROR_CODES: tuple[str, ...] = tuple(sorted({
    cls.code for cls in (GridWatchError, DataSourceError, BadInputFile, DamagedProject, UnfinishedWrite,
                         LayerImportError, CRSError, StorageError, DiskFull, ReadOnlyFile, FileLocked, NotFound,
                         SharedProjectError, SchemaVersionError, ValidationError, SyncError, ShareUnavailable,
                         InvalidTransition, InvalidStep, RefusedByRole, Cancelled)}))
