"""What the UI shares a project with: the sync's API (file share and PostGIS server) the dialogs use.

The UI reaches the core's sync only through this module (the app layer), so what the
windows depend on is listed in one place (tests/test_architecture.py holds the UI to it)."""

from __future__ import annotations

from ..sync import sync, sync_dir
from ..sync.conflicts import conflicts, decode_value, review_conflict
from ..sync.pg.address import forget_passwords, is_server_address, set_password_prompt
from ..sync.pg.city import city_view
from ..sync.pg.store import server_people

__all__ = [
    "city_view",
    "conflicts",
    "decode_value",
    "forget_passwords",
    "is_server_address",
    "review_conflict",
    "server_people",
    "set_password_prompt",
    "sync",
    "sync_dir",
]
