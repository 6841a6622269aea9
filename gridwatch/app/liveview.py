"""The office's live view of a PostGIS district, for the UI and the CLI (no Qt).

A server district opens in the app as a GeoPackage kept up to date from the server
(:mod:`gridwatch.sync.pg.view`): opened, refreshed on demand and on a timer.  The views live in the
user's data folder (``live/``), one file per server district, so opening the same district again only
reads what changed since.

Who edits (:func:`gridwatch.domain.live.edits_live_view`): a supervisor's or administrator's view is
read-write.  Each of their actions goes to the server at once (:func:`live_edit`): the edit is applied
to the view, then sent in one sync (one server transaction, judged by the server as a laptop's edits
are: the judge, row-level security, the triggers that stamp the audit rows with the database user).
What the server refuses, or cannot receive because it is out of reach, is taken out of the view again
and said in a :class:`~gridwatch.errors.SyncError` with a translated message; the view then shows the
server's state.  Everyone else's view is read-only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Optional

from ..domain.messages import message_text
from ..domain.policy import Actor
from ..errors import GridWatchError, SyncError
from ..storage import queries
from ..storage.edits import Edit
from ..sync.pg.address import is_server_address, remember_password
from ..sync.pg.liveinfo import LIVE_READ_ONLY, is_editable, live_info
from ..sync.workcopy import consistent_copy
from ..userdata import user_data_dir

__all__ = ["LIVE_READ_ONLY", "is_editable_live_view", "is_live_view", "is_server_address", "live_edit", "live_info",
           "open_live_view", "refresh_live_view", "views_folder"]

#: The prefix of the server's reasons in a sync report (:func:`gridwatch.sync.pg.upload.refused_report`).
_SERVER_REFUSED = "refused by the server: "


def views_folder() -> Path:
    """Where this computer keeps its live views."""
    return user_data_dir() / "live"


def is_live_view(path: Optional[os.PathLike[str] | str]) -> bool:
    """Whether ``path`` is a live view of a server district."""
    return path is not None and live_info(path) is not None


def is_editable_live_view(path: Optional[os.PathLike[str] | str]) -> bool:
    """Whether ``path`` is a supervisor's (or administrator's) read-write live view."""
    return path is not None and is_editable(live_info(path))


def open_live_view(address: str, folder: Optional[Path] = None) -> Path:
    """The live view of the district at ``address`` (read from the server: run it off the GUI thread)."""
    from ..sync.pg.view import open_view  # the PostGIS client: when a view is opened, not when the app starts

    remember_password(address)  # a password written in it serves the view's later refreshes and edits
    return open_view(address, folder if folder is not None else views_folder())


def refresh_live_view(path: os.PathLike[str] | str) -> dict[str, Any]:
    """Pull what changed on the server into the live view ``path``; its new :func:`live_info`."""
    from ..sync.pg.view import refresh_view

    return refresh_view(path)


def live_edit(path: os.PathLike[str] | str, actor: Actor, fn: Callable[..., Edit], *args: Any, **kwargs: Any) -> Edit:
    """Apply ``fn(path, actor, *args, **kwargs)`` (a storage.workflow function) to the editable live view
    ``path`` and send it to the server at once (run it off the GUI thread).

    Raises
    ------
    SyncError
        The server refused the edit (``live.refused``: the reason as the domain words it when the
        view's copy of the server's state says why, else the server's own), or could not be reached
        (``live.offline``): the edit is taken out again and the view shows the server's state.  Cut
        off while sending (``live.unsure``): the next refresh finds out whether the server has it.
    GridWatchError
        The edit itself was refused before anything was sent (the view is unchanged).
    """
    from ..sync.pg.view import put_back, sending_unfinished, sync_view

    target = Path(path)
    edit = fn(target, actor, *args, **kwargs)
    try:
        _info, report = sync_view(target)
    except GridWatchError as exc:
        if sending_unfinished(target):
            raise SyncError(f"{target}: the connection to the server was lost while sending this edit ({exc}); "
                            "the next refresh finds out whether the server has it", key="live.unsure",
                            reason=str(exc), reason_zh=message_text(exc)) from exc
        put_back(target)
        raise SyncError(f"the server could not receive this edit, so nothing changed ({exc}); try again when "
                        "it is reachable", key="live.offline", reason=str(exc), reason_zh=message_text(exc)) from exc
    if report.refused:
        put_back(target)
        english, chinese = _why_refused(target, actor, fn, args, kwargs, report.messages)
        raise SyncError(f"the server refused this edit; the view shows the server's state again: {english}",
                        key="live.refused", reason=english, reason_zh=chinese)
    return edit


def _why_refused(path: Path, actor: Actor, fn: Callable[..., Edit], args: tuple, kwargs: dict,
                 messages: list[str]) -> tuple[str, str]:
    """Why the server refused (English, Chinese): the edit tried again on a copy of the server's state,
    as the person now is there, so the domain says why in its own (translated) words; failing that,
    the server's reason as it gave it."""
    server = next((m[len(_SERVER_REFUSED):] for m in messages if m.startswith(_SERVER_REFUSED)), "")
    work = Path(tempfile.mkdtemp(prefix="live-why-"))
    try:
        copy = work / "server.gpkg"
        consistent_copy(path, copy)
        people = queries.people(copy)
        row = people[(people["uuid"] == actor.uuid) & (people["active"].fillna(1) != 0)]
        if not len(row):
            english = f"{actor.name} is no longer an active person of the district on the server"
            return english, f"{actor.name}已不是服务器上本区的在职人员"
        r = row.iloc[0]
        town = r.get("township_code")
        now = Actor(str(r["uuid"]), str(r["name"]), str(r["role"]), str(town) if isinstance(town, str) and town
                    else None)
        try:
            fn(copy, now, *args, **kwargs)
        except GridWatchError as exc:
            return str(exc), message_text(exc)
    except Exception:  # noqa: BLE001 - only to word the reason: the server's own words then
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return server, "服务器的理由：" + server if server else "服务器拒绝了这项修改"
