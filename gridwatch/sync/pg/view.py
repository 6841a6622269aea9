"""A live view of a PostGIS district for the office: a read-only GeoPackage kept up to date from the server.

The office opens a server district in the app as it opens a project file: the whole district is read
into a GeoPackage (:func:`.store.download`, one snapshot of the server) beside which a small sidecar
(``VIEW.gpkg.live.json``) says which server and district it shows and through which server change
number it holds.  Refreshing reads only what changed since then (:func:`.rows.read_changes`), writes
it into a copy of the file and puts the copy in its place (``os.replace``): the app, which may be
reading the view, never meets a file half written or a journal it cannot roll back.  The app opens the
file read-only (no edit, no sync): the office changes nothing on the server through it; supervisors
who edit work on a checked-out working copy and sync.

Crash safety: the file is written before its sidecar, and a pull is idempotent (rows changed since the
sidecar's change number are rewritten as the server holds them), so a view interrupted anywhere is
made right by the next refresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any, Optional

from ...errors import SyncError
from ...storage.gpkg import fsync_dir, fsync_file
from ...storage.project import check_project
from ..files import _discard, _now_text, _write_json
from . import rows as R
from .address import PasswordPrompt, connect, parse
from .schema import read_tables

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


def open_view(address: str, folder: os.PathLike[str] | str, *,
              prompt: Optional[PasswordPrompt] = None) -> Path:
    """The live view of the district at ``address`` in ``folder``: read whole the first time, refreshed
    from what changed since when it is there already.  Returns its path."""
    from .store import district_of, download

    addr = parse(str(address))
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    con = connect(addr, prompt=prompt)
    try:
        schema = district_of(con, addr)
        addr = addr.with_district(schema)
        target = view_path(root, addr.public)
        info = live_info(target)
        if target.is_file() and info is not None and info.get("address") == addr.public:
            _refresh(con, schema, target, info)
            return target
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
