"""``gridwatch publish SOURCE postgresql://…``: a district onto the server, with nothing lost.

``SOURCE`` is a GeoPackage project, a working copy, or a shared folder's project (its snapshot plus
every change file, rebuilt as a sync would, under the shared lock).  Everything goes in one database
transaction: the district's schema (:mod:`.schema`), its rows (history included: ``sync_log``,
``sync_conflict``, ``audit_log``), the change triggers, the roles, policies and judge
(:mod:`.policy_sql`), an empty copy of the GeoPackage (the template laptops check out into), and,
when asked, a login for every active person.  A failure leaves the database as it was.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ...errors import SyncError
from ...storage.gpkg import is_shared_snapshot, quote_ident
from ...storage.project import check_project
from ...storage.schema import DENSITY_POINTS_TABLE, DENSITY_TABLE
from ...tasks import CancelToken, ProgressCallback, Steps
from ..history import DIRTY_TABLE, ro_uri
from ..workcopy import consistent_copy
from .address import connect, parse
from .geom import gpkg_to_ewkb
from .policy_sql import create_policies, domain_digest, group_role
from .schema import SERVER_SCHEMA_VERSION, TableDef, create_change_triggers, create_tables, read_tables


@dataclass
class PublishReport:
    district: str = ""
    tables: int = 0
    rows: int = 0
    logins: list[str] = field(default_factory=list)
    seconds: float = 0.0


def default_district(gpkg: Path) -> str:
    """``d`` + the county code of the project (a valid schema name)."""
    with closing(sqlite3.connect(ro_uri(gpkg), uri=True)) as con:
        row = con.execute("SELECT value FROM gridwatch_meta WHERE key = 'county_code'").fetchone()
    code = "".join(ch for ch in str(row[0] if row else "") if ch.isalnum()).lower()
    return "d" + (code or "district")


def _source_state(source: Path, work: Path) -> Path:
    """The whole project as one local file: a shared folder's project rebuilt from its snapshot and
    change files (under its lock), anything else copied consistently."""
    copy = work / "source.gpkg"
    if is_shared_snapshot(source):
        from .. import sharelog
        from ..engine import _rebuild_shared
        from ..lock import SharedLock

        with SharedLock(source, "gridwatch publish", wait_seconds=60.0):
            state, skipped = _rebuild_shared(source, sharelog.entries(source), work)
        if skipped:
            raise SyncError(f"{source}: {len(skipped)} change file(s) no longer fit the shared project; run "
                            f"`gridwatch doctor {source}` first, then publish")
        shutil.move(str(state), copy)
    else:
        consistent_copy(source, copy)
    return copy


def empty_template(src: Path, dst: Path, tables: list[TableDef]) -> None:
    """An empty GeoPackage with ``src``'s schema (tables, indexes, triggers, GeoPackage metadata), for
    laptops to check out into: the same file layout as the project, without its rows."""
    # the density counts start empty too: the triggers count the fire points a checkout inserts
    data = {t.name for t in tables} | {DIRTY_TABLE, DENSITY_TABLE, DENSITY_POINTS_TABLE}
    with closing(sqlite3.connect(ro_uri(src), uri=True)) as s, closing(sqlite3.connect(dst)) as d:
        d.execute("PRAGMA application_id = " + str(int(s.execute("PRAGMA application_id").fetchone()[0])))
        d.execute("PRAGMA user_version = " + str(int(s.execute("PRAGMA user_version").fetchone()[0])))
        d.execute("PRAGMA journal_mode = DELETE")
        items = s.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").fetchall()
        virtual = {n for t, n, q in items if t == "table" and q.upper().startswith("CREATE VIRTUAL")}
        shadow = {f"{v}_{suffix}" for v in virtual for suffix in ("node", "parent", "rowid")}
        for kind, name, text in items:
            if name.startswith("sqlite_") or name in shadow:
                continue
            d.execute(text)
        names = {n for k, n, _ in items if k == "table"} - data - virtual - shadow
        for name in sorted(names):
            qn = quote_ident(name, names)
            rows = s.execute("SELECT * FROM " + qn).fetchall()
            if rows:
                d.executemany("INSERT INTO " + qn + " VALUES (" + ", ".join("?" for _ in rows[0]) + ")", rows)
        d.commit()
        d.execute("VACUUM")


def publish(source: Path | str, address: str, *, district: Optional[str] = None, logins: bool = False,
            progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None) -> PublishReport:
    """Publish the project ``source`` as district ``district`` (default ``d<county code>``, or the
    address's ``district=``) on the server at ``address``; with ``logins``, create a login for every
    active person named as the person (an administrator sets their passwords).

    Raises SyncError: the source is not a current GridWatch project, the district exists already,
    the server lacks PostGIS or PL/Python, or the login may not create schemas and roles.
    """
    import time

    import psycopg
    from psycopg import sql

    t0 = time.perf_counter()
    src = Path(source).resolve()
    if not src.is_file():
        raise SyncError(f"{src}: project not found")
    addr = parse(address)
    steps = Steps(progress, cancel, [("read", 1), ("schema", 1), ("rows", 6), ("policies", 1)])
    steps.start("read", "reading the project")
    work = Path(tempfile.mkdtemp(prefix="gridwatch-publish-"))
    try:
        state = _source_state(src, work)
        meta = check_project(state)
        from ...storage.schema import SCHEMA_VERSION

        if str(meta.get("schema_version")) != str(SCHEMA_VERSION):
            raise SyncError(f"{src}: schema {meta.get('schema_version')}; open it with this GridWatch to upgrade it "
                            "before publishing")
        name = district or addr.district or default_district(state)
        addr = addr.with_district(name)
        tables = read_tables(state)
        template = work / "template.gpkg"
        empty_template(state, template, tables)
        report = PublishReport(district=name, tables=len(tables))
        with connect(addr) as con, con.cursor() as cur:
            steps.start("schema", "creating the district on the server")
            cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (name,))
            if cur.fetchone() is not None:
                raise SyncError(f"{addr.public}: district {name} exists already on this server; choose another "
                                "name with --district, or check out from it")
            try:
                cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
                cur.execute("CREATE EXTENSION IF NOT EXISTS plpython3u")
                create_tables(cur, name, tables)
            except psycopg.errors.InsufficientPrivilege as exc:
                raise SyncError(f"{addr.public}: this login may not set up a district ({exc.diag.message_primary}); "
                                "publish as the server's administrator (see README: server setup)") from None
            except psycopg.errors.UndefinedFile as exc:
                raise SyncError(f"{addr.public}: the server lacks PostGIS or PL/Python ({exc.diag.message_primary}); "
                                "install postgresql-15-postgis-3 and postgresql-plpython3-15") from None
            steps.start("rows", "copying the rows")
            for i, t in enumerate(tables):
                report.rows += _copy_rows(cur, name, t, state)
                steps.report((i + 1) / len(tables))
            steps.start("policies", "roles, policies and triggers")
            create_change_triggers(cur, name, tables)
            create_policies(cur, name, tables)
            S = sql.Identifier(name)
            cur.execute(sql.SQL("CREATE TABLE {}.gw_project (key text PRIMARY KEY, value text, data bytea)").format(S))
            cur.execute(sql.SQL("INSERT INTO {}.gw_project (key, value, data) VALUES ('template', NULL, %s), "
                                "('published_at', %s, NULL), ('published_from', %s, NULL), "
                                "('schema_version', %s, NULL)").format(S),
                        (template.read_bytes(), _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                         str(src), str(SCHEMA_VERSION)))
            record_server_schema(cur, name)
            cur.execute(sql.SQL("GRANT SELECT ON {}.gw_project, {}.gw_change TO {}").format(
                S, S, sql.SQL(", ").join(sql.Identifier(group_role(name, r)) for r in _roles())))
            if logins:
                report.logins = _create_logins(cur, name)
            steps.report(1.0)
            if cancel is not None and cancel.cancelled:
                from ...errors import Cancelled

                raise Cancelled("publish cancelled; nothing was written to the server")
            con.commit()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report.seconds = time.perf_counter() - t0
    return report


def record_server_schema(cur: Any, schema: str) -> None:
    """Record in ``gw_project`` that this GridWatch's server schema built the district's generated parts
    (:data:`.schema.SERVER_SCHEMA_VERSION`, the domain code's fingerprint, when)."""
    from psycopg import sql

    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    cur.executemany(sql.SQL("INSERT INTO {}.gw_project (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                            "SET value = EXCLUDED.value").format(sql.Identifier(schema)),
                    [("server_schema", str(SERVER_SCHEMA_VERSION)), ("domain_digest", domain_digest()),
                     ("server_schema_at", now)])


def _roles() -> tuple[str, ...]:
    from ...domain.vocabulary import ROLES

    return ROLES


def _copy_rows(cur: Any, schema: str, t: TableDef, gpkg: Path) -> int:
    """COPY every row of ``t`` (fids kept; geometries as EWKB), then move the fid sequence past them."""
    from psycopg import sql

    names = t.names
    geom = names.index(t.geom) if t.geom else -1
    srid = t.geometry[2] if t.geometry else 0
    n = 0
    with closing(sqlite3.connect(ro_uri(gpkg), uri=True)) as con:
        rows = con.execute("SELECT " + ", ".join(quote_ident(c, names) for c in names) + " FROM "
                           + quote_ident(t.name, [t.name]))
        stmt = sql.SQL("COPY {}.{} ({}) FROM STDIN").format(sql.Identifier(schema), sql.Identifier(t.name),
                                                           sql.SQL(", ").join(sql.Identifier(c) for c in names))
        with cur.copy(stmt) as cp:
            for row in rows:
                if geom >= 0 and row[geom] is not None:
                    row = list(row)
                    row[geom] = gpkg_to_ewkb(row[geom], srid).hex()  # type: ignore[union-attr]
                cp.write_row(row)
                n += 1
    cur.execute(sql.SQL("SELECT setval(pg_get_serial_sequence({}, 'fid'), GREATEST((SELECT max(fid) FROM {}.{}), 0) "
                        "+ 1, false)").format(sql.Literal(f'{schema}."{t.name}"'), sql.Identifier(schema),
                                              sql.Identifier(t.name)))
    return n


def _create_logins(cur: Any, schema: str) -> list[str]:
    """A login per active person (named as the person), in the group of their role."""
    from psycopg import sql

    S = sql.Identifier(schema)
    cur.execute(sql.SQL("SELECT uuid, name, role FROM {}.inspector WHERE active IS NULL OR active = 1").format(S))
    made = []
    for uuid, name, role in cur.fetchall():
        add_login(cur, schema, name, uuid, role)
        made.append(name)
    return made


def add_login(cur: Any, schema: str, login: str, person_uuid: str, role: str, password: Optional[str] = None) -> None:
    """Make ``login`` a login of the person ``person_uuid`` in the group of ``role`` (created if missing)."""
    from psycopg import sql

    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,))
    if cur.fetchone() is None:
        cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
    if password:
        cur.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(login), sql.Literal(password)))
    cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group_role(schema, role)), sql.Identifier(login)))
    cur.execute(sql.SQL("INSERT INTO {}.gw_login (login, person_uuid) VALUES (%s, %s) ON CONFLICT (login) DO UPDATE "
                        "SET person_uuid = EXCLUDED.person_uuid").format(sql.Identifier(schema)), (login, person_uuid))


