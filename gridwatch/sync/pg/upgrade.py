"""``gridwatch server-upgrade ADDRESS``: a district published by an earlier GridWatch brought up to this one.

What a district's schema holds that is generated from the domain (the code lists' CHECK constraints, the
domain code the judge runs and its triggers, the fast path's table, the row-level security policies and
grants, the change and history triggers) is fixed when the district is published.  When the domain
changes (a code added, such as the fire-check result ``industrial_heat``; a rule of a step) a district
published before keeps the old: the server would refuse the new values with a constraint violation.

* The server records which server schema built the district (``gw_project``: ``server_schema``,
  :data:`.schema.SERVER_SCHEMA_VERSION`; ``domain_digest``, the domain code's fingerprint).
* A laptop's sync first asks (:func:`check_server_schema`): a district whose recorded version is older
  than this GridWatch's, or whose CHECK constraints lack a code this GridWatch's domain has
  (:func:`missing_codes`, read from the constraints themselves), is refused before anything is sent,
  with a message naming the district and the command its administrator runs.
* :func:`upgrade` (the district's administrator: a superuser or a member of the role that owns the
  district's schema) drops what was generated and generates it again from the current domain, in one
  transaction that holds every table of the district: every row, the change table, the history, the
  conflicts, the logins and the refusal log are kept (counted before and after).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional
from urllib.parse import parse_qsl, urlencode, urlsplit

from ...errors import SyncError
from .address import connect, parse
from .schema import SERVER_SCHEMA_VERSION, code_check_name, code_lists, lock_key

#: A quoted literal of a constraint's definition as ``pg_get_constraintdef`` writes it.
_LITERAL = re.compile(r"'((?:[^']|'')*)'")


@dataclass
class UpgradeReport:
    district: str = ""
    from_version: int = 0
    to_version: int = SERVER_SCHEMA_VERSION
    codes_added: list[str] = field(default_factory=list)  # "table.column: code"
    judge_changed: bool = False
    rows: int = 0  # every row of the district's tables, the same before and after
    conflicts: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        what = (f"server schema {self.from_version} -> {self.to_version}"
                + (f"; codes added: {', '.join(self.codes_added)}" if self.codes_added else "")
                + ("; the judge's domain code replaced" if self.judge_changed else ""))
        return (f"district {self.district}: {what}; constraints, judge, policies and triggers made again from this "
                f"GridWatch's domain; {self.rows} rows and {self.conflicts} sync conflicts kept "
                f"({self.seconds:.1f} s)")


def recorded_version(cur: Any, schema: str) -> int:
    """The server schema version recorded for district ``schema`` (1: published before it was recorded)."""
    from psycopg import sql

    cur.execute(sql.SQL("SELECT value FROM {}.gw_project WHERE key = 'server_schema'").format(sql.Identifier(schema)))
    row = cur.fetchone()
    try:
        return int(row[0]) if row and row[0] is not None else 1
    except ValueError:
        return 1


def missing_codes(cur: Any, schema: str) -> list[str]:
    """``table.column: code`` for every code this GridWatch's domain has that the district's CHECK
    constraints refuse (read from the constraints on the server)."""
    known = {code_check_name(t, c): (t, c, codes) for (t, c), codes in code_lists().items()}
    cur.execute("SELECT k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN pg_namespace n "
                "ON n.oid = k.connamespace WHERE n.nspname = %s AND k.contype = 'c' AND k.conname LIKE %s",
                (schema, "%\\_codes"))
    out = []
    for name, definition in cur.fetchall():
        if name not in known:
            continue
        table, column, codes = known[name]
        have = {m.replace("''", "'") for m in _LITERAL.findall(definition)}
        out += [f"{table}.{column}: {c}" for c in codes if c not in have]
    return out


def upgrade_command(address: str, schema: str) -> str:
    """The command the district's administrator runs: ``address`` without the laptop's login, password
    and district, and the district named."""
    if address.lower().startswith(("postgres://", "postgresql://")):
        parts = urlsplit(address)
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "district"])
        where = (f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}" + (f"?{query}" if query else ""))
    else:
        where = " ".join(w for w in address.split() if w.split("=", 1)[0].lower() not in ("user", "password",
                                                                                           "district"))
    return f"gridwatch server-upgrade '{where}' --district {schema}"


def check_server_schema(con: Any, schema: str, where: str,
                        recorded: Optional[tuple[Optional[str], Optional[str]]] = None) -> None:
    """Refuse (SyncError ``pg.server_outdated``) to sync with district ``schema`` when its server schema is
    older than this GridWatch's: nothing has been sent.

    ``recorded``: the district's ``server_schema`` and ``domain_digest`` as the caller read them.  A
    district generated (published or upgraded) from this very domain at this server schema has the
    domain's codes in its constraints, so they are not read again; anything else is checked in full."""
    if recorded is not None:
        version, digest = recorded
        if version is not None and str(version) == str(SERVER_SCHEMA_VERSION) and digest == _current_digest():
            return
    with con.cursor() as cur:
        found = recorded_version(cur, schema)
        missing = missing_codes(cur, schema) if found <= SERVER_SCHEMA_VERSION else []
    con.rollback()
    if found >= SERVER_SCHEMA_VERSION and not missing:
        return
    command = upgrade_command(where, schema)
    codes = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
    raise SyncError(
        f"{where}: district {schema} was set up on the server by an older GridWatch (server schema {found}, this "
        f"GridWatch needs {SERVER_SCHEMA_VERSION}" + (f"; codes the server does not accept yet: {codes}" if missing
                                                      else "")
        + "), so this sync sent nothing and your edits are safe on this laptop; the district's database "
        f"administrator must run: {command}", key="pg.server_outdated", district=schema, found=found,
        needed=SERVER_SCHEMA_VERSION, command=command, codes_zh=f"；服务器还不接受的代码：{codes}" if missing else "")


def server_districts(address: str) -> list[str]:
    """The GridWatch districts (schemas) of the database at ``address``."""
    con = connect(parse(address))
    try:
        with con.cursor() as cur:
            cur.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = 'gw_project' "
                        "ORDER BY 1")
            return [r[0] for r in cur.fetchall()]
    finally:
        con.close()


def upgrade(address: str, *, district: Optional[str] = None) -> UpgradeReport:
    """Make district ``district`` (default: the address's, or the database's only one) of the server at
    ``address`` again from this GridWatch's domain, keeping every row (see the module docstring).

    Raises SyncError: the login is not the district's administrator (``pg.upgrade_not_admin``), or the
    district's rows hold codes this GridWatch no longer knows (nothing changed then)."""
    import psycopg

    from .store import district_of

    t0 = time.perf_counter()
    addr = parse(address)
    if district:
        addr = addr.with_district(district)
    con = connect(addr)
    work = Path(tempfile.mkdtemp(prefix="gridwatch-upgrade-"))
    try:
        schema = district_of(con, addr)
        report = UpgradeReport(district=schema)
        with con.transaction(), con.cursor() as cur:
            _become_owner(cur, schema, addr.public)
            tables = _district_tables(cur, schema, work)
            _hold(cur, schema, [t.name for t in tables])
            before = _counts(cur, schema, [t.name for t in tables])
            report.from_version = recorded_version(cur, schema)
            report.codes_added = missing_codes(cur, schema)
            report.judge_changed = _digest(cur, schema) != _current_digest()
            _drop_generated(cur, schema)
            try:
                _generate(cur, schema, tables)
            except psycopg.errors.CheckViolation as exc:
                raise SyncError(f"{addr.public}: district {schema} holds rows with codes this GridWatch no longer "
                                f"knows ({exc.diag.message_primary}); nothing was changed") from None
            after = _counts(cur, schema, [t.name for t in tables])
            if after != before:  # cannot happen: nothing above writes a row; never commit if it did
                raise SyncError(f"{addr.public}: district {schema}: the upgrade would change rows ({before} -> "
                                f"{after}); nothing was changed")
            report.rows = sum(n for t, n in before.items() if not t.startswith("gw_"))
            report.conflicts = before.get("sync_conflict", 0)
    finally:
        con.close()
        shutil.rmtree(work, ignore_errors=True)
    report.seconds = time.perf_counter() - t0
    return report


def _current_digest() -> str:
    from .policy_sql import domain_digest

    return domain_digest()


def _digest(cur: Any, schema: str) -> Optional[str]:
    from psycopg import sql

    cur.execute(sql.SQL("SELECT value FROM {}.gw_project WHERE key = 'domain_digest'").format(sql.Identifier(schema)))
    row = cur.fetchone()
    return str(row[0]) if row else None


def _become_owner(cur: Any, schema: str, where: str) -> None:
    """Only the district's administrator upgrades it; what it makes belongs to the schema's owner, as
    what publishing made does."""
    from psycopg import sql

    cur.execute("SELECT r.rolsuper OR pg_has_role(current_user, n.nspowner, 'MEMBER'), current_user, "
                "pg_get_userbyid(n.nspowner) FROM pg_roles r, pg_namespace n WHERE r.rolname = current_user "
                "AND n.nspname = %s", (schema,))
    row = cur.fetchone()
    if row is None or not row[0]:
        login = row[1] if row else "?"
        raise SyncError(f"{where}: login {login} may not upgrade district {schema}: only its database administrator "
                        "(the login that published it, or a member of that role) may run gridwatch server-upgrade",
                        key="pg.upgrade_not_admin", login=login, district=schema)
    if row[1] != row[2]:
        cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(row[2])))


def _district_tables(cur: Any, schema: str, work: Path) -> list[Any]:
    """The district's tables as published (from the template GeoPackage the server keeps)."""
    from psycopg import sql

    from .schema import read_tables

    cur.execute(sql.SQL("SELECT data FROM {}.gw_project WHERE key = 'template'").format(sql.Identifier(schema)))
    row = cur.fetchone()
    if row is None or row[0] is None:
        raise SyncError(f"district {schema}: the server holds no template of it; publish it again")
    template = work / "template.gpkg"
    template.write_bytes(bytes(row[0]))
    return read_tables(template)


def _hold(cur: Any, schema: str, tables: list[str]) -> None:
    """Every table of the district for the upgrade's transaction (syncs wait, then find the new), then the
    district's change lock."""
    from psycopg import sql

    S = sql.Identifier(schema)
    cur.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
                "AND c.relkind = 'r' AND c.relname LIKE %s ORDER BY 1", (schema, "gw\\_%"))
    names = list(tables) + [r[0] for r in cur.fetchall()]
    cur.execute(sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
        sql.SQL(", ").join(sql.SQL("{}.{}").format(S, sql.Identifier(n)) for n in names)))
    cur.execute("SELECT pg_advisory_xact_lock(4711, %s)", (lock_key(schema),))


def _counts(cur: Any, schema: str, tables: list[str]) -> dict[str, int]:
    """Rows of every table of the district (its data, change table, history, logins, refusal log)."""
    from psycopg import sql

    names = list(tables) + ["gw_change", "gw_login", "gw_sync_refused"]
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", (sql.SQL("{}.gw_history").format(
        sql.Identifier(schema)).as_string(cur),))
    if cur.fetchone()[0]:
        names.append("gw_history")
    out = {}
    for name in names:
        cur.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(name)))
        out[name] = int(cur.fetchone()[0])
    return out


def _drop_generated(cur: Any, schema: str) -> None:
    """What publishing generated from the domain: the policies, triggers and CHECK constraints of the code
    lists, the domain's code and fast-path tables, the functions (without CASCADE: anything else that
    uses them stops the upgrade, nothing of it is dropped)."""
    from psycopg import sql

    S = sql.Identifier(schema)
    cur.execute("SELECT tablename, policyname FROM pg_policies WHERE schemaname = %s AND policyname LIKE %s",
                (schema, "gw\\_%"))
    for table, name in cur.fetchall():
        cur.execute(sql.SQL("DROP POLICY {} ON {}.{}").format(sql.Identifier(name), S, sql.Identifier(table)))
    cur.execute("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal AND t.tgname LIKE %s",
                (schema, "gw\\_%"))
    for table, name in cur.fetchall():
        cur.execute(sql.SQL("DROP TRIGGER {} ON {}.{}").format(sql.Identifier(name), S, sql.Identifier(table)))
    cur.execute("SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND k.contype = 'c' "
                "AND k.conname LIKE %s", (schema, "%\\_codes"))
    for table, name in cur.fetchall():
        cur.execute(sql.SQL("ALTER TABLE {}.{} DROP CONSTRAINT {}").format(S, sql.Identifier(table),
                                                                         sql.Identifier(name)))
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}.gw_domain_source, {}.gw_unseen").format(S, S))
    cur.execute(sql.SQL("""
DO $d$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = {} AND p.proname LIKE 'gw\\_%' LOOP
    EXECUTE format('DROP FUNCTION %s', f);
  END LOOP;
END $d$""").format(sql.Literal(schema)))


def _generate(cur: Any, schema: str, tables: list[Any]) -> None:
    """What publishing generates from the domain, made again (publish's own code)."""
    from psycopg import sql

    from .policy_sql import install_policies
    from .publish import record_server_schema
    from .schema import add_code_checks, create_change_triggers, create_history

    add_code_checks(cur, schema, tables)
    cur.execute("SELECT to_regclass(%s) IS NULL", (sql.SQL("{}.gw_history").format(
        sql.Identifier(schema)).as_string(cur),))
    if cur.fetchone()[0]:  # published before the server kept the lifecycle rows' versions
        create_history(cur, schema)
    create_change_triggers(cur, schema, tables)
    install_policies(cur, schema, tables)
    record_server_schema(cur, schema)
