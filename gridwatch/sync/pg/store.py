"""Check out from and sync with a PostGIS shared project: the laptop side.

The laptop works exactly as with a shared folder: a GeoPackage working copy, its base (the server's
state at the last sync, through server change number ``server_seq`` in ``state.json``) and the
change tracking.  A sync

1. diffs base -> working copy and takes out what the user's role may not send
   (:func:`gridwatch.sync.prepare._full_changes`: the laptop's own check, as now);
2. pulls the rows changed on the server since ``server_seq`` into a copy of the base (one snapshot);
3. merges with the same machinery and domain rules as a shared folder (fids aligned by uuid,
   pygeodiff rebase, :func:`gridwatch.sync.settle.settle_conflicts`, deletes against edits recorded);
4. pushes the difference in one transaction (:class:`.rows.Pusher`): updates and deletes only apply to
   the row version it merged against, else nothing is written and it pulls and merges again; the
   server's judge refuses what the person may not do (those edits stay on the laptop, reported);
5. pulls again (its own rows come back with the server's fids, and whatever others committed
   meanwhile) and brings the working copy and base up to date with
   :func:`gridwatch.sync.finish._finish` (in place, keeping edits made during the sync).

Crash safety: the stage is in ``state.json`` before the push (``pushing``, with the sync's uuid), so a
killed sync is finished (the server holds its ``sync_log`` row) or cleanly redone by the next one.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
import uuid as _uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Optional

from ...errors import Cancelled, GridWatchError, SyncError
from ...storage.project import check_project
from ...tasks import CancelToken, ProgressCallback, Steps
from .. import sharelog
from ..changes import SYNC_LOG, _clear_dirty, _geodiff_for, _geodiff_tmp, install_tracking, recount_density
from ..files import (
    STATE_VERSION,
    Readers,
    SyncContext,
    SyncReport,
    _copy_durably,
    _current_schema,
    _discard,
    _heal,
    _load_state,
    _now_text,
    _write_json,
    sync_dir,
)
from ..finish import _finish
from ..permissions import _person
from ..prepare import _full_changes, _Ours
from ..settle import _align_fids, _log_sync, _record_deleted_edits, settle_conflicts
from ..workcopy import WorkingCopyLock
from . import rows as R
from . import upload as U
from .address import Address, PasswordPrompt, connect, parse
from .quick import sent_from_diff, sync_quick
from .schema import SERVER_SCHEMA_VERSION, TableDef, read_tables
from .upgrade import check_server_schema

#: How often a sync pulls and merges again when rows it sends changed on the server meanwhile.
RETRIES = 8


#: The schemas holding a ``gw_project`` table this login may see (what ``information_schema.tables``
#: lists, read from the catalog directly: the view cost ~5 ms of a fresh session's time).
_DISTRICTS = ("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
              "WHERE c.relname = 'gw_project' AND c.relkind IN ('r', 'p', 'v', 'f') "
              "AND (pg_has_role(c.relowner, 'USAGE') "
              "OR has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') "
              "OR has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')) ORDER BY 1")


def district_of(con: Any, addr: Address) -> str:
    """The district's schema: the address's, or the database's only GridWatch district."""
    with con.cursor() as cur:
        cur.execute(_DISTRICTS)
        found = [r[0] for r in cur.fetchall()]
    con.rollback()
    if addr.district is not None:
        if addr.district not in found:
            raise SyncError(f"{addr.public}: no district {addr.district} on this server (there are: "
                            f"{', '.join(found) or 'none'})")
        return addr.district
    if len(found) != 1:
        raise SyncError(f"{addr.public}: {'no' if not found else len(found)} GridWatch district(s) in this database"
                        + (f" ({', '.join(found)}); add ?district=NAME to the address" if found else
                           "; publish one first (gridwatch publish PROJECT ADDRESS)"))
    return found[0]


def _login_query(schema: str, with_server_schema: bool = False) -> Any:
    from psycopg import sql

    q = ("SELECT (SELECT i.name FROM {s}.gw_login l JOIN {s}.inspector i ON i.uuid = l.person_uuid "
         "WHERE l.login = current_user), (SELECT r.rolsuper OR pg_has_role(current_user, n.nspowner, 'MEMBER') "
         "FROM pg_roles r, pg_namespace n WHERE r.rolname = current_user AND n.nspname = %s), current_user")
    if with_server_schema:
        q += (", (SELECT value FROM {s}.gw_project WHERE key = 'server_schema'), "
              "(SELECT value FROM {s}.gw_project WHERE key = 'domain_digest')")
    return sql.SQL(q).format(s=sql.Identifier(schema))


def _login_person(con: Any, schema: str, user: str, where: str) -> None:
    """The login must be ``user``'s (or the district's maintainer acting for an active person)."""
    with con.cursor() as cur:
        cur.execute(_login_query(schema), (schema,))
        name, maint, login = cur.fetchone()
    con.rollback()
    _check_login(name, maint, login, schema, user, where)


def _check_login(name: Optional[str], maint: Optional[bool], login: str, schema: str, user: str, where: str) -> None:
    if name is not None and name == user:
        return
    if name is None and maint:
        return
    if name is None:
        raise SyncError(f"{where}: login {login} is not a person of district {schema}; ask the administrator to add "
                        "it (gridwatch server-login)")
    raise SyncError(f"{where}: login {login} belongs to {name}, not {user}; sync with your own login")


def open_district(con: Any, addr: Address, user: str) -> str:
    """The district a sync works on, checked as :func:`district_of`, :func:`_login_person` and
    :func:`~.upgrade.check_server_schema` check it, in one round trip when the address names the
    district (as a working copy's does): a fresh session's catalog queries were a good part of a
    one-edit sync's time on the server."""
    import psycopg

    if addr.district is not None:
        schema = addr.district
        try:
            with con.cursor() as cur:
                cur.execute(_login_query(schema, with_server_schema=True), (schema,))
                name, maint, login, version, digest = cur.fetchone()
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
            con.rollback()  # no such district here (or not one of this login's): said as district_of says it
        else:
            con.rollback()
            _check_login(name, maint, login, schema, user, addr.public)
            check_server_schema(con, schema, addr.public, recorded=(version, digest))
            return schema
    schema = district_of(con, addr)
    _login_person(con, schema, user, addr.public)
    check_server_schema(con, schema, addr.public)  # an older server would refuse new codes
    return schema


def checkout(address: str, local: Path | str, user: str, *, prompt: Optional[PasswordPrompt] = None) -> Path:
    """Make ``local`` a working copy of the district at ``address`` for ``user``."""
    addr = parse(str(address))
    lp = Path(local).resolve()
    if lp.exists():
        raise SyncError(f"{lp}: exists already; choose another name for the working copy")
    if not lp.parent.is_dir():
        raise SyncError(f"{lp.parent}: folder does not exist")
    con = connect(addr, prompt=prompt)
    folder = sync_dir(lp)
    folder.mkdir(exist_ok=True)
    work = folder / f"checkout-{_uuid.uuid4().hex[:8]}"
    work.mkdir()
    try:
        schema = district_of(con, addr)
        addr = addr.with_district(schema)
        _login_person(con, schema, user, addr.public)
        base = work / "base.gpkg"
        mark = download(con, schema, base)
        meta = check_project(base)
        if str(meta.get("schema_version")) != _current_schema():
            raise SyncError(f"{addr.public}: the district has schema {meta.get('schema_version')}; this GridWatch "
                            f"writes {_current_schema()}")
        _person(base, user)
        _copy_durably(base, folder / "base.gpkg")
    except GridWatchError:
        con.close()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    con.close()
    _copy_durably(folder / "base.gpkg", lp)
    install_tracking(lp)
    _clear_dirty(lp)
    _write_json(folder / "state.json", {"version": STATE_VERSION, "kind": "postgis", "shared": addr.public,
                                        "user": user, "server_seq": mark, "checked_out": _now_text(),
                                        "last_sync": None, "pending": None})
    return lp


def download(con: Any, schema: str, target: Path) -> int:
    """The whole district into a new GeoPackage ``target`` (from the server's template); returns the
    change number it holds through.

    ``target`` is a file of the caller's work folder (copied durably afterwards), so it is loaded as a
    bulk load: one transaction, no journal fsyncs, a large page cache, and the tables' indexes built
    after their rows rather than row by row (a million rows: minutes less)."""
    from psycopg import sql

    from ...storage.gpkg import connect_readwrite, quote_ident, sqlite_tables

    with con.transaction(), con.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute(sql.SQL("SELECT data FROM {}.gw_project WHERE key = 'template'").format(sql.Identifier(schema)))
        target.write_bytes(bytes(cur.fetchone()[0]))
        tables = read_tables(target)
        mark = R.watermark(cur, schema)
        with closing(connect_readwrite(target)) as db:
            db.execute("PRAGMA synchronous = OFF")
            db.execute("PRAGMA cache_size = -262144")  # 256 MiB
            names = sqlite_tables(db)
            wanted = {t.name for t in tables}
            indexes = [(n, q) for n, t, q in db.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
                if t in wanted]
            db.execute("BEGIN IMMEDIATE")
            try:
                for name, _q in indexes:
                    db.execute("DROP INDEX " + quote_ident(name, [n for n, _ in indexes]))
                for t in tables:
                    qt = quote_ident(t.name, names)
                    cols = ", ".join(quote_ident(c, t.names) for c in t.names)
                    insert = "INSERT INTO " + qt + " (" + cols + ") VALUES (" + ",".join("?" for _ in t.names) + ")"
                    # GDAL's per-row triggers (R-tree, feature count) are set aside while the rows go in; the
                    # R-tree gets the envelopes computed with the blobs, the count is set once
                    rtree = f"rtree_{t.name}_{t.geom}" if t.geom else None
                    setaside = [(n, q) for n, q in db.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                        "AND name IN (?, ?)", (t.name, f"{rtree}_insert", f"trigger_insert_feature_count_{t.name}"))]
                    for n, _q in setaside:
                        db.execute("DROP TRIGGER " + quote_ident(n, [m for m, _ in setaside]))
                    boxes: list[tuple[Any, float, float, float, float]] = []
                    for part in R.fetch_rows(cur, schema, t, envelopes=boxes if rtree in names else None):
                        db.executemany(insert, part)
                        if boxes:
                            db.executemany("INSERT OR REPLACE INTO " + quote_ident(str(rtree), names)
                                           + " VALUES (?, ?, ?, ?, ?)", boxes)
                            boxes.clear()
                    for _n, q in setaside:
                        db.execute(q)  # GDAL's own CREATE TRIGGER statements, as they were
                    if "gpkg_ogr_contents" in names:
                        db.execute("UPDATE gpkg_ogr_contents SET feature_count = (SELECT count(*) FROM " + qt + ") "
                                   "WHERE lower(table_name) = lower(?)", (t.name,))
                for _name, q in indexes:
                    db.execute(q)  # the template's own CREATE INDEX statements, as they were
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
    return mark


# --- sync --------------------------------------------------------------------------------------------------


def sync(local: Path | str, *, progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None,
         lock_wait: float = 60.0, prompt: Optional[PasswordPrompt] = None, **_ignored: Any) -> SyncReport:
    """Sync the working copy ``local`` with its PostGIS shared project (see the module docstring)."""
    t0 = time.perf_counter()
    lp = Path(local).resolve()
    report = SyncReport()
    steps = Steps(progress, cancel, [("check", 1), ("lock", 1), ("download", 3), ("merge", 3), ("upload", 3),
                                     ("finish", 2)])
    steps.start("check", "checking local edits")
    with WorkingCopyLock(lp, wait_seconds=lock_wait, cancel=cancel):
        state = _load_state(lp)
        folder = sync_dir(lp)
        for pattern in ("work-*", "finish-*", "checkout-*"):
            for old in folder.glob(pattern):
                shutil.rmtree(old, ignore_errors=True)
        work = folder / f"work-{_uuid.uuid4().hex[:8]}"
        work.mkdir()
        try:
            for db in (lp, folder / "base.gpkg"):
                _heal(db)
            steps.start("lock", "connecting to the server")
            addr = parse(state["shared"])
            con = connect(addr, prompt=prompt)
            try:
                schema = open_district(con, addr, state["user"])  # an older server would refuse new codes
                readers = Readers()  # the files' read-only connections, for the steps before the sync writes
                try:
                    tables = read_tables(folder / "base.gpkg", readers.get(folder / "base.gpkg"))
                    if state.get("pending"):
                        readers.close()
                        _recover(con, schema, tables, lp, state, report)
                    _sync(con, schema, tables, lp, state, report, steps, work, cancel, readers)
                finally:
                    readers.close()
            finally:
                con.close()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    report.seconds = time.perf_counter() - t0
    return report


def _sync(con: Any, schema: str, tables: list[TableDef], lp: Path, state: dict, report: SyncReport, steps: Steps,
          work: Path, cancel: Optional[CancelToken], readers: Optional[Readers] = None) -> None:
    folder = sync_dir(lp)
    ctx = SyncContext(lp, state, work, report, steps, readers=readers)
    try:
        with ctx.reading(ctx.base) as b:  # from the base: the server's people, not the laptop's edits
            ctx.person = _person(ctx.base, ctx.user, b)
        quick = sync_quick(con, schema, tables, ctx, steps)
    finally:
        if ctx.readers is not None:  # closed before anything writes the files
            ctx.readers.close()
            ctx.readers = None
    if quick:
        return
    ours = _full_changes(ctx)
    steps.report(1.0)
    sync_uuid = str(_uuid.uuid4())
    since = int(state["server_seq"])
    sent = folder / "pending-sent.gpkg"
    for _attempt in range(RETRIES):
        rep = SyncReport(messages=list(report.messages), recovered=report.recovered)
        steps.start("download", "reading the server's changes")
        theirs = work / "theirs.gpkg"
        _discard(theirs)
        shutil.copyfile(ctx.base, theirs)
        mark, pulled = R.pull(con, schema, tables, theirs, since)
        steps.start("merge", "merging")
        merged = _merge(ctx, ours, theirs if pulled else ctx.base, set(pulled), sync_uuid, rep)
        scope = None if ours.tables is None else set(ours.tables) | set(pulled) | {SYNC_LOG, "sync_conflict"}
        groups, log_row, conflict_rows = U.operations(tables, theirs if pulled else ctx.base, merged, work, ours,
                                                      scope)
        if cancel is not None and cancel.cancelled:
            raise Cancelled("sync cancelled; nothing was sent")
        steps.start("upload", "sending to the server")
        _discard(sent)
        shutil.copyfile(ours.file, sent)  # type: ignore[arg-type]
        state["pending"] = {"sync_uuid": sync_uuid, "stage": "pushing", "mode": "file", "fast": False,
                            "scope": sorted({c.table for c in ours.changes} | set(pulled)
                                            | {SYNC_LOG, "sync_conflict"}),
                            "report": rep.to_dict()}
        _write_json(folder / "state.json", state)
        try:
            pusher = R.Pusher(con, schema, tables, mark, ctx.person["role"])
            refused = pusher.push(groups, U.Finish(schema, sync_uuid, log_row, conflict_rows, rep))
        except R.Stale:
            state["pending"] = None
            _write_json(folder / "state.json", state)
            continue
        steps._cancel = None  # the server has our changes: finish regardless
        report.__dict__.update(rep.__dict__)
        U.refused_report(report, [(g[-1].table, g[-1].key, why) for g, why in refused])
        break
    else:
        raise SyncError(f"{state['shared']}: the rows this laptop sends kept changing on the server; sync again "
                        "(your edits are safe on this laptop)")
    steps.start("finish", "updating this laptop")
    _land(con, schema, tables, lp, state, [(g[-1].table, g[-1].key, why) for g, why in refused])


def _merge(ctx: SyncContext, ours: _Ours, theirs: Path, pulled: set[str], sync_uuid: str, report: SyncReport) -> Path:
    """Our changes on top of the server's (the shared folder's merge: aligned fids, pygeodiff rebase,
    the domain's conflict rules), with this sync's log row.  Returns the merged file."""
    merged = ctx.work / "merged.gpkg"
    _discard(merged)
    shutil.copyfile(ours.file, merged)  # type: ignore[arg-type]
    if theirs != ctx.base:
        conflicts = ctx.work / "conflicts.json"
        conflicts.unlink(missing_ok=True)
        scope = None if ours.tables is None else set(ours.tables) | pulled | {SYNC_LOG}
        rebase_from = _align_fids(ctx.base, theirs, merged, ctx.work, scope)
        with _geodiff_tmp(ctx.work):
            _geodiff_for(scope).rebase(str(rebase_from), str(theirs), str(merged), str(conflicts))
        recount_density(merged, scope)  # pygeodiff rebased with the triggers off
        report.conflicts += settle_conflicts(conflicts, merged, ours.file, theirs, ctx.user, sync_uuid,  # type: ignore[arg-type]
                                             rebase_from)
        deleted = [c for c in ours.changes if c.kind == "delete" and not any(c is r for r in ours.refused)]
        if deleted:
            report.conflicts += _record_deleted_edits(deleted, theirs, merged, ctx.user, sync_uuid)
        with closing(sqlite3.connect(ctx.base)) as b:
            known = {r[0] for r in b.execute("SELECT uuid FROM sync_log")}
        with closing(sqlite3.connect(theirs)) as t:
            report.received = int(sum((s or 0) for u, s in t.execute("SELECT uuid, sent FROM sync_log")
                                      if u not in known))
    report.refused = len(ours.refused)
    report.sent = len(ours.changes) - len(ours.refused)
    sent_tables = {c.table for c in ours.changes if not any(c is r for r in ours.refused)}
    if report.conflicts:
        sent_tables.add("sync_conflict")
    _log_sync(merged, sync_uuid, ctx.user, report, sent_tables | {SYNC_LOG})
    _clear_dirty(merged)
    return merged


def _land(con: Any, schema: str, tables: list[TableDef], lp: Path, state: dict,
          refused: list[tuple[str, str, str]]) -> None:
    """After the push: the server's state now (base + everything since ``server_seq``, our own rows
    included) becomes ``pending.gpkg``; what was sent, less what the server refused, ``pending-sent.gpkg``;
    then the working copy and base are brought up to date (:func:`gridwatch.sync.finish._finish`)."""
    folder = sync_dir(lp)
    pending = folder / "pending.gpkg"
    _discard(pending)
    shutil.copyfile(folder / "base.gpkg", pending)
    mark, pulled = R.pull(con, schema, tables, pending, int(state["server_seq"]))
    if refused:
        U.revert(folder / "pending-sent.gpkg", folder / "base.gpkg", tables, refused)
    p = state["pending"]
    p["scope"] = sorted(set(p.get("scope") or ()) | set(pulled))
    state["server_seq"] = mark
    p["stage"] = "uploaded"
    # from here on the files' way finishes it, also a quick sync that fell back to it: a quick sync's
    # recovery would land it again from the old base after the working copy took these rows
    p["mode"] = "file"
    _write_json(folder / "state.json", state)
    _finish(lp, state)


def _recover(con: Any, schema: str, tables: list[TableDef], lp: Path, state: dict, report: SyncReport) -> None:
    """Finish or drop a sync that was interrupted."""
    folder = sync_dir(lp)
    p = state["pending"]
    report.recovered = True
    if p.get("mode") == "quick" and p["stage"] in ("pushing", "local_done"):
        if p["stage"] == "pushing" and not R.landed(con, schema, p["sync_uuid"]):
            state["pending"] = None
            _write_json(folder / "state.json", state)
        elif sharelog.holds(folder / "base.gpkg", p["sync_uuid"]):
            state["pending"] = None  # killed after the base was written: the next pull brings the rest again
            _write_json(folder / "state.json", state)
        else:
            sent_from_diff(lp)
            refused = R.refused_of(con, schema, p["sync_uuid"])
            con.rollback()
            _land(con, schema, tables, lp, state, refused)
        (folder / "pending-ours.diff").unlink(missing_ok=True)
        return
    if p["stage"] == "pushing":
        if not R.landed(con, schema, p["sync_uuid"]):
            for name in ("pending.gpkg", "pending-sent.gpkg"):
                _discard(folder / name)
            state["pending"] = None
            _write_json(folder / "state.json", state)
            return
        refused = R.refused_of(con, schema, p["sync_uuid"])
        con.rollback()
        _land(con, schema, tables, lp, state, refused)
        return
    _finish(lp, state)


def doctor(address: str) -> tuple[list[str], list[str], list[str]]:
    """Check a PostGIS district: reachable, its triggers and row-level security in place, its change
    log.  Returns (ok, fixed, problems); nothing is changed."""
    from psycopg import sql

    addr = parse(address)
    ok: list[str] = []
    problems: list[str] = []
    con = connect(addr)
    try:
        schema = district_of(con, addr)
        ok.append(f"{addr.public}: district {schema} reachable")
        try:
            check_server_schema(con, schema, addr.public)
            ok.append(f"server schema {SERVER_SCHEMA_VERSION}: the code lists, judge and policies of this GridWatch")
        except SyncError as exc:
            problems.append(f"district {schema}: server schema older than this GridWatch's; laptops cannot sync "
                            f"until its administrator runs: {exc.params['command']}")
        with con.cursor() as cur:
            cur.execute("SELECT c.relname, c.relrowsecurity, array(SELECT t.tgname::text FROM pg_trigger t "
                        "WHERE t.tgrelid = c.oid AND NOT t.tgisinternal) FROM pg_class c JOIN pg_namespace n ON "
                        "n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r' AND c.relname NOT LIKE "
                        "'gw\\_%%'", (schema,))
            for name, rls, triggers in cur.fetchall():
                judge = {"gw_1_judge"} if "gw_1_judge" in triggers else {  # (one trigger, before the fast path)
                    "gw_1_judge_insert", "gw_1_judge_update", "gw_1_judge_delete"}
                missing = (judge | {"gw_2_stamp", "gw_3_log"}) - set(triggers)
                if missing or not rls:
                    problems.append(f"table {name}: " + ", ".join(sorted(missing) + ([] if rls else
                                                                                      ["row-level security off"]))
                                    + "; publish the district again or restore it from a backup")
            cur.execute(sql.SQL("SELECT count(*), coalesce(max(seq), 0) FROM {}.gw_change").format(
                sql.Identifier(schema)))
            n, top = cur.fetchone()
            cur.execute(sql.SQL("SELECT count(*) FROM {}.sync_log").format(sql.Identifier(schema)))
            ok.append(f"{cur.fetchone()[0]} sync(s) recorded; {n} change(s) in the change table (last {top})")
        con.rollback()
    finally:
        con.close()
    if not problems:
        ok.append("every table has its judge, change triggers and row-level security")
    return ok, [], problems


def server_people(address: str, *, ask: bool = True) -> tuple[str, list[tuple[str, str]]]:
    """(district, [(name, role)]) of the active people of the district at ``address`` (for the check-out
    dialog's list of who works on the laptop); ``ask=False``: no password prompt (:func:`.address.connect`)."""
    from psycopg import sql

    addr = parse(address)
    con = connect(addr, ask=ask)
    try:
        schema = district_of(con, addr)
        with con.cursor() as cur:
            cur.execute(sql.SQL("SELECT name, role FROM {}.inspector WHERE active IS NULL OR active = 1 "
                                "ORDER BY role, name").format(sql.Identifier(schema)))
            people = [(str(n), str(r)) for n, r in cur.fetchall()]
        con.rollback()
    finally:
        con.close()
    return schema, people
