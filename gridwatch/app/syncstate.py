"""What a working copy has not yet sent, and how its last sync went: always in view in the app.

Read from the working copy's sync state (``sync_dir``, its ``state.json``) and the tables its change
triggers marked (``dirty_tables``), the audit log (edits since the last sync) and the ``sync_log`` (the
last sync's counts).  Asks nothing of the sync's internals.  No Qt.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..storage import queries
from ..sync.files import sync_dir
from ..times import parse_stored_time

#: Unsynced edits older than this are worth a warning before the app closes.
STALE_AFTER = _dt.timedelta(days=1)


def read_state(local: os.PathLike[str] | str) -> dict[str, Any]:
    """The working copy's sync state (shared path, user, last sync); ``{}`` if it has none or it is unreadable."""
    try:
        return dict(json.loads((sync_dir(Path(local)) / "state.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return {}


def is_working_copy(path: Optional[os.PathLike[str] | str]) -> bool:
    """Whether ``path`` is a laptop's working copy of a shared project (it has sync state)."""
    return path is not None and (sync_dir(Path(path)) / "state.json").exists()


@dataclass
class SyncStatus:
    """A working copy's pending edits and last sync."""

    working_copy: bool = False
    #: Edits (one per action of a person) made on this laptop since its last sync.
    pending: int = 0
    #: When the oldest of them was made (UTC), None if none.
    oldest_pending: Optional[_dt.datetime] = None
    #: Tables changed since the last sync (also by other programs); None: not tracked.
    changed_tables: Optional[set[str]] = None
    last_sync: Optional[_dt.datetime] = None
    checked_out: Optional[_dt.datetime] = None
    #: The last sync's counts from the sync log (sent, received, conflicts, refused), {} if unknown.
    last_result: dict[str, Any] = field(default_factory=dict)

    @property
    def has_pending(self) -> bool:
        return self.pending > 0 or bool(self.changed_tables)

    def stale(self, now: Optional[_dt.datetime] = None, after: _dt.timedelta = STALE_AFTER) -> bool:
        """Whether some edit has waited longer than ``after`` to be sent."""
        if not self.has_pending:
            return False
        since = self.oldest_pending or self.last_sync or self.checked_out
        now = now or _dt.datetime.now(_dt.timezone.utc)
        return since is not None and now - since > after


def sync_status(path: os.PathLike[str] | str) -> SyncStatus:
    """The pending edits and last sync of the project at ``path`` (``working_copy`` False for other projects)."""
    state = read_state(path)
    if not state:
        return SyncStatus()
    status = SyncStatus(working_copy=True, last_sync=parse_stored_time(state.get("last_sync")),
                        checked_out=parse_stored_time(state.get("checked_out")))
    since = state.get("last_sync") or state.get("checked_out")
    try:
        from ..sync.changes import dirty_tables  # the sync's modules: when a working copy's status is read

        status.changed_tables = dirty_tables(Path(path))
        if status.changed_tables is None or status.changed_tables:
            status.pending, oldest = queries.edits_since(path, since)
            status.oldest_pending = parse_stored_time(oldest)
        if status.last_sync is not None:
            status.last_result = queries.last_sync_entry(path, str(state.get("user") or "") or None)
    except Exception as exc:  # noqa: BLE001 - a damaged or busy copy (sqlite, OS errors): shown, never fatal
        status.last_result = {"error": str(exc)}
    return status
