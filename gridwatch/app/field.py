"""Field work shared by the CLI and the app: a checkout that carries the basemaps, tracks, GPS settings.

No Qt.  The sync carries the project's rows; the basemaps live in a folder beside the project file
(:mod:`gridwatch.basemap.registry`), so a checkout from a shared folder copies that folder too.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Any, Optional, Union

from ..domain.tracks import TrackRules


def checkout_with_basemaps(shared: Union[str, os.PathLike[str]], local: os.PathLike[str] | str, user: str,
                           **kwargs: Any) -> Path:
    """:func:`gridwatch.sync.checkout`, then the shared project's basemaps copied beside the copy."""
    from ..basemap import carry_basemaps
    from ..sync import checkout

    path = checkout(shared, local, user, **kwargs)
    src = Path(os.fspath(shared)) if not str(shared).startswith(("postgres://", "postgresql://")) else None
    if src is not None and src.is_file():
        carry_basemaps(src, path)
    return Path(path)


def track_rules_from(values: Optional[dict[str, Any]] = None) -> TrackRules:
    """Track rules from settings (missing: the defaults)."""
    return TrackRules.from_mapping(values or {})


def day_window(day: _dt.date) -> tuple[_dt.datetime, _dt.datetime]:
    """The UTC start and end of a Beijing-time day."""
    from ..times import BEIJING

    start = _dt.datetime(day.year, day.month, day.day, tzinfo=BEIJING)
    return start.astimezone(_dt.timezone.utc), (start + _dt.timedelta(days=1)).astimezone(_dt.timezone.utc)
