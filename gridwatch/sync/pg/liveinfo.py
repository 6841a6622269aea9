"""Whether a file is a live view of a server district, and which: its sidecar, read without the PostGIS client
(the app asks this of every project it opens).  No Qt."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

#: The sidecar of a live view: ``VIEW.gpkg`` + this.
LIVE_SUFFIX = ".live.json"

#: Why a live view cannot be edited (with the view's path); translated by the key ``project.live_read_only``.
LIVE_READ_ONLY = ("{path}: this is a live view of a server district, read-only and refreshed from the server; "
                  "to edit, check out a working copy (File > Check out, or gridwatch checkout ADDRESS LOCAL "
                  "--user NAME) and sync it")


def _sidecar(path: Path) -> Path:
    return Path(str(path) + LIVE_SUFFIX)


def live_info(path: os.PathLike[str] | str) -> Optional[dict[str, Any]]:
    """What the live view ``path`` shows (address, district, server change number, refreshed when),
    or None when ``path`` is not a live view."""
    side = _sidecar(Path(path))
    try:
        info = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("kind") == "live-view" else None


def is_editable(info: Optional[dict[str, Any]]) -> bool:
    """Whether the live view of ``info`` (:func:`live_info`) is a supervisor's read-write one."""
    return bool(info and info.get("editable"))
