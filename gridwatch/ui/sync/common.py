"""What the check-out, sync, live-view and city dialogs share: the sync job queues and the red error label."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from .. import jobs as _jobs
from ..jobs import queue

ERROR_STYLE = "color: #c62828;"
PERSON_ROLE = Qt.ItemDataRole.UserRole + 3  # a person's role code in the user list


# --- worker jobs -------------------------------------------------------------------------------------


#: One worker: a checkout or sync at a time, in order.
_POOL = queue("sync")
#: Reading a server's people for the check-out dialog (beside a sync that may be running).
_PEOPLE_POOL = queue("checkout-people")


def jobs_running() -> bool:
    """True while a checkout or sync started here is still running (tests wait for this)."""
    return _jobs.jobs_running("checkout") or _jobs.jobs_running("sync")


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _show_error(label: QLabel, message: str) -> None:
    label.setText(message)
    label.setVisible(bool(message))

