"""Who edits a server district through the office's live view (issue 19).

A live view of a PostGIS district (:mod:`gridwatch.sync.pg.view`) is read-write for the district
office's supervisors and administrators: each of their actions is sent to the server at once, where
the server's own checks (the judge, row-level security, triggers) accept or refuse it.  Everyone
else's live view is read-only: inspectors and township chiefs work on checked-out working copies and
sync, as in the field.  No SQL, no Qt.
"""

from __future__ import annotations

from typing import Optional

#: Roles whose live view is read-write (:data:`gridwatch.domain.vocabulary.ROLES` codes).
LIVE_EDITOR_ROLES = ("supervisor", "admin")


def edits_live_view(role: Optional[str]) -> bool:
    """Whether a person of ``role`` edits the server through the live view (else it is read-only)."""
    return role in LIVE_EDITOR_ROLES
