"""Working with the shared project: check out a working copy and sync it (conflicts: :mod:`.conflicts`).

The dialogs live in :mod:`.checkout` and :mod:`.syncdialog` (shared pieces in :mod:`.common`); this module
keeps the names they were always imported by.

* :class:`CheckoutDialog` (File > Check out shared project): the shared project file, where the
  laptop's working copy goes and who works on it (the people are read from the shared file,
  read-only); :func:`gridwatch.sync.checkout` runs on a worker thread.
* :class:`SyncDialog` (File > Sync): :func:`gridwatch.sync.sync` on a worker thread with progress,
  cancel and a summary; every error (share unreachable, lock held, damaged file) is shown inside
  the dialog, which stays usable.

Both run as jobs of the "sync" queue (:mod:`gridwatch.ui.jobs`): one at a time, results back on
the GUI thread, so the window never freezes.
"""

from __future__ import annotations

from ...app.syncstate import is_working_copy, read_state
from .checkout import CheckoutDialog, read_people
from .common import ERROR_STYLE, PERSON_ROLE, _error_label, _show_error, jobs_running
from .syncdialog import SyncDialog

__all__ = ["ERROR_STYLE", "PERSON_ROLE", "CheckoutDialog", "SyncDialog", "_error_label", "_show_error",
           "is_working_copy", "jobs_running", "read_people", "read_state"]
