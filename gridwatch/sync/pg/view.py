"""A live view of a PostGIS district for the office: a GeoPackage kept up to date from the server.

The office opens a server district in the app as it opens a project file: the whole district is read
into a GeoPackage (:func:`.store.download`, one snapshot of the server) beside which a small sidecar
(``VIEW.gpkg.live.json``) says which server and district it shows and through which server change
number it holds.  Refreshing reads only what changed since then (:func:`.rows.read_changes`), writes
it into a copy of the file and puts the copy in its place (``os.replace``): the app, which may be
reading the view, never meets a file half written or a journal it cannot roll back.

Who edits: the person behind the login decides (:func:`gridwatch.domain.live.edits_live_view`).  A
supervisor's or administrator's view is a working copy of the district (checked out for that person,
``editable`` in the sidecar): each action is applied to it and sent to the server at once (one sync,
one server transaction, judged by the server as any laptop's; :func:`gridwatch.app.liveview.live_edit`),
and a refresh is a sync that pulls what others changed.  What the server refuses, or could not
receive, is taken out again (:func:`put_back`): the view never holds an edit the server does not
have.  Everyone else's view is the read-only snapshot above (inspectors and chiefs work on
checked-out working copies and sync).

Crash safety: the file is written before its sidecar, and a pull is idempotent (rows changed since the
sidecar's change number are rewritten as the server holds them), so a view interrupted anywhere is
made right by the next refresh.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, Optional

from ...domain.live import edits_live_view
from ...errors import SyncError
from ...storage.gpkg import fsync_dir, fsync_file
from ...storage.project import check_project
from ..files import _discard, _load_state, _now_text, _write_json, sync_dir
from . import rows as R
from .address import PasswordPrompt, connect, parse
from .liveinfo import LIVE_READ_ONLY, LIVE_SUFFIX, _sidecar, is_editable, live_info  # noqa: F401 (re-exported)
from .schema import read_tables


def server_text(address: str) -> str:
    """A server address as people read it: ``HOST/DATABASE`` (a local socket folder: ``local``)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(parse(address).conninfo)
    except Exception:  # noqa: BLE001 - only for showing: the address as written
        return address
    host = str(params.get("host") or "localhost")
    host = "local" if host.startswith("/") else host
    port = f":{params['port']}" if params.get("port") and str(params["port"]) != "5432" else ""
    return f"{host}{port}/{params.get('dbname', '')}"


def view_path(folder: Path, address: str) -> Path:
    """Where the live view of ``address`` is kept in ``folder`` (one file per server district)."""
    addr = parse(address)
    digest = hashlib.sha1(addr.public.encode("utf-8")).hexdigest()[:10]
    return folder / f"live-{addr.district or 'district'}-{digest}.gpkg"


def login_person(con: Any, schema: str) -> Optional[tuple[str, str, str]]:
    """``(uuid, name, role)`` of the active person behind this login in district ``schema`` (None: the
    login is no person of the district, e.g. its maintainer)."""
    from psycopg import sql

    with con.cursor() as cur:
        cur.execute(sql.SQL("SELECT i.uuid, i.name, i.role FROM {s}.gw_login l JOIN {s}.inspector i "
                            "ON i.uuid = l.person_uuid WHERE l.login = current_user "
                            "AND (i.active IS NULL OR i.active = 1)").format(s=sql.Identifier(schema)))
        row = cur.fetchone()
    con.rollback()
    return (str(row[0]), str(row[1]), str(row[2])) if row else None




def _remove_view(target: Path) -> None:
    """A view that cannot be brought up to date as it is (another person's, or read-only where it
    should be editable): removed with its sidecar and sync folder, to be read again."""
    _discard(target)
    _sidecar(target).unlink(missing_ok=True)
    shutil.rmtree(sync_dir(target), ignore_errors=True)


def open_view(address: str, folder: os.PathLike[str] | str, *,
              prompt: Optional[PasswordPrompt] = None) -> Path:
    """The live view of the district at ``address`` in ``folder``: read whole the first time, refreshed
    from what changed since when it is there already.  Returns its path.

    A supervisor's or administrator's login gets an editable view (a working copy checked out for
    that person); any other login a read-only snapshot."""
    from .store import checkout, district_of, download

    addr = parse(str(address))
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    con = connect(addr, prompt=prompt)
    try:
        schema = district_of(con, addr)
        addr = addr.with_district(schema)
        target = view_path(root, addr.public)
        info = live_info(target)
        person = login_person(con, schema)
        editable = person is not None and edits_live_view(person[2])
        known = target.is_file() and info is not None and info.get("address") == addr.public
        if editable and person is not None:
            if known and is_editable(info) and info.get("user_uuid") == person[0]:  # type: ignore[union-attr]
                con.close()
                sync_view(target, prompt=prompt)
                return target
            con.close()
            _remove_view(target)
            name = str(person[1])
            checkout(str(address), target, name, prompt=prompt)
            meta = check_project(target)
            _write_json(_sidecar(target), {"kind": "live-view", "address": addr.public, "district": schema,
                                           "name": str(meta.get("district_name") or schema),
                                           "server": server_text(addr.public),
                                           "server_seq": _load_state(target)["server_seq"],
                                           "refreshed": _now_text(), "changed": None, "editable": True,
                                           "user": name, "user_uuid": person[0], "role": person[2]})
            return target
        if known and not is_editable(info):
            _refresh(con, schema, target, info)  # type: ignore[arg-type]
            return target
        _remove_view(target)
        tmp = target.with_name(target.name + ".part")
        _discard(tmp)
        try:
            mark = download(con, schema, tmp)
            os.replace(tmp, target)
            fsync_dir(root)
        finally:
            _discard(tmp)
        name = str(check_project(target).get("district_name") or schema)
        _write_json(_sidecar(target), {"kind": "live-view", "address": addr.public, "district": schema,
                                       "name": name, "server": server_text(addr.public), "server_seq": mark,
                                       "refreshed": _now_text(), "changed": None})
        return target
    finally:
        if not con.closed:
            con.close()


def refresh_view(path: os.PathLike[str] | str, *, prompt: Optional[PasswordPrompt] = None) -> dict[str, Any]:
    """Bring the live view ``path`` up to date with its server; returns its new :func:`live_info`
    (``changed``: the rows that changed since the last refresh)."""
    from .store import district_of

    target = Path(path)
    info = live_info(target)
    if info is None:
        raise SyncError(f"{target}: not a live view of a server district; open the district again "
                        "(File > Open server district)")
    if is_editable(info):
        return sync_view(target, prompt=prompt)[0]
    addr = parse(str(info["address"]))
    con = connect(addr, prompt=prompt)
    try:
        schema = district_of(con, addr)
        return _refresh(con, schema, target, info)
    finally:
        con.close()


def _refresh(con: Any, schema: str, target: Path, info: dict[str, Any]) -> dict[str, Any]:
    """What changed since the view's change number, written into a copy of the view that then replaces
    it (the app may be reading the view meanwhile: it never sees a file being written)."""
    tables = read_tables(target)
    mark, changed, rows = R.read_changes(con, schema, tables, int(info["server_seq"]))
    if changed:
        tmp = target.with_name(target.name + ".part")
        _discard(tmp)
        try:
            shutil.copyfile(target, tmp)
            R.write_rows(tmp, tables, changed, rows)
            fsync_file(tmp)
            os.replace(tmp, target)
            fsync_dir(target.parent)
        finally:
            _discard(tmp)
    info = {**info, "server_seq": mark, "refreshed": _now_text(), "changed": sum(len(k) for k in changed.values())}
    _write_json(_sidecar(target), info)
    return info


# --- a supervisor's editable view -------------------------------------------------------------------------


def sync_view(path: os.PathLike[str] | str, *, prompt: Optional[PasswordPrompt] = None) -> tuple[dict[str, Any], Any]:
    """Sync the editable live view ``path`` with its server (send its edit, pull what others changed);
    returns its new :func:`live_info` (``changed``: rows received) and the :class:`SyncReport`."""
    from .store import sync

    target = Path(path)
    info = live_info(target)
    if info is None:
        raise SyncError(f"{target}: not a live view of a server district; open the district again "
                        "(File > Open server district)")
    report = sync(target, prompt=prompt)
    info = {**info, "server_seq": _load_state(target)["server_seq"], "refreshed": _now_text(),
            "changed": int(report.received)}
    _write_json(_sidecar(target), info)
    return info, report


def sending_unfinished(path: os.PathLike[str] | str) -> bool:
    """Whether a sync of the view ``path`` was cut off while sending (the server may hold its edit: the
    next sync finds out and finishes it)."""
    try:
        return bool(_load_state(Path(path)).get("pending"))
    except (OSError, ValueError, SyncError):
        return False


def put_back(path: os.PathLike[str] | str) -> None:
    """Take every edit the server does not hold out of the editable view ``path``: its rows become the
    server's as of the last sync again (the base), written in place in one transaction (the app may be
    reading the view)."""
    import tempfile

    from ..changes import _clear_dirty, _geodiff_for, _geodiff_tmp, changes_of, install_tracking
    from ..files import _snapshot
    from ..workcopy import WorkingCopyLock, update_in_place

    target = Path(path)
    folder = sync_dir(target)
    with WorkingCopyLock(target, wait_seconds=60.0):
        work = Path(tempfile.mkdtemp(prefix="finish-", dir=folder))
        try:
            def server_state(mine: Path) -> Path:
                result = work / "server.gpkg"
                _discard(result)
                shutil.copyfile(folder / "base.gpkg", result)
                install_tracking(result)
                _clear_dirty(result)
                return result

            def rows_to_write(mine: Path, result: Path) -> list[tuple[str, str, int]]:
                d = work / "put-back.diff"
                d.unlink(missing_ok=True)
                with _geodiff_tmp(work):
                    _geodiff_for(None).create_changeset(str(mine), str(result), str(d))
                return [(c.table, c.kind, c.fid) for c in changes_of(d, result, work)]

            update_in_place(target, lambda dst: _snapshot(target, dst), server_state, rows_to_write, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
