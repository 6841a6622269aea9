"""What the UI shares a project with: the sync's API (file share and PostGIS server) the dialogs use.

The UI reaches the core's sync only through this module (the app layer), so what the
windows depend on is listed in one place (tests/test_architecture.py holds the UI to it).

Each name is read from its module when first used (PEP 562): the window's conflicts panel is built at start,
the sync engine and the PostGIS client are imported when a sync or a conflict list needs them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import module_getattr

if TYPE_CHECKING:
    from ..sync import sync, sync_dir
    from ..sync.conflicts import conflicts, decode_value, review_conflict
    from ..sync.pg.address import forget_passwords, is_server_address, set_password_prompt
    from ..sync.pg.city import city_view
    from ..sync.pg.store import server_people

_FROM = {
    "sync": "..sync",
    "sync_dir": "..sync",
    "conflicts": "..sync.conflicts",
    "decode_value": "..sync.conflicts",
    "review_conflict": "..sync.conflicts",
    "forget_passwords": "..sync.pg.address",
    "is_server_address": "..sync.pg.address",
    "set_password_prompt": "..sync.pg.address",
    "city_view": "..sync.pg.city",
    "server_people": "..sync.pg.store",
}

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


__getattr__ = module_getattr(globals(), __package__, _FROM)
