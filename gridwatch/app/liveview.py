"""The office's live view of a PostGIS district, for the UI and the CLI (no Qt).

A server district opens in the app as a read-only GeoPackage kept up to date from the server
(:mod:`gridwatch.sync.pg.view`): opened, refreshed on demand and on a timer, never edited.  The views
live in the user's data folder (``live/``), one file per server district, so opening the same district
again only reads what changed since.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

from ..sync.pg.address import is_server_address
from ..sync.pg.view import LIVE_READ_ONLY, live_info, open_view, refresh_view
from ..userdata import user_data_dir

__all__ = ["LIVE_READ_ONLY", "is_live_view", "is_server_address", "live_info", "open_live_view", "refresh_live_view",
           "views_folder"]


def views_folder() -> Path:
    """Where this computer keeps its live views."""
    return user_data_dir() / "live"


def is_live_view(path: Optional[os.PathLike[str] | str]) -> bool:
    """Whether ``path`` is a live view of a server district (opened read-only)."""
    return path is not None and live_info(path) is not None


def open_live_view(address: str, folder: Optional[Path] = None) -> Path:
    """The live view of the district at ``address`` (read from the server: run it off the GUI thread)."""
    return open_view(address, folder if folder is not None else views_folder())


def refresh_live_view(path: os.PathLike[str] | str) -> dict[str, Any]:
    """Pull what changed on the server into the live view ``path``; its new :func:`live_info`."""
    return refresh_view(path)
