"""Who may do what on the server, generated from the domain: group roles, grants, row-level security
and the judge trigger.

* one group role per role of :data:`gridwatch.domain.vocabulary.ROLES` and district
  (``gw_<district>_<role>``), read at generation time, so a role the domain adds (the township chief)
  gets its group; each person is a login in one group, mapped to their row of the people table
  (``gw_login``);
* row-level security from the domain's table rules: the tables only an administrator changes
  (:data:`gridwatch.domain.policy.ADMIN_TABLES`), the append-only logs, and for inspectors the rows of
  their own cells and records (fire points of their cells, their inspections, their photos);
* the judge: a trigger on every table that runs the domain's own code
  (:func:`gridwatch.domain.steps.judge_steps` over :func:`gridwatch.domain.row_rules.judge_row_change`),
  stored in the schema when it is published, as the person behind the login; so the server refuses
  exactly what the laptop's sync refuses, whatever the laptop's files say.  Refusals carry SQLSTATE
  ``GW403`` and the domain's message.
"""

from __future__ import annotations

import inspect
from typing import Any

from ... import errors
from ...domain import lifecycle, policy, row_rules, settle, steps, vocabulary
from ...domain.policy import ADMIN_TABLES
from ...domain.vocabulary import ROLES
from .schema import SERVER_COLUMNS, TableDef

#: SQLSTATE of a refusal by the judge.
REFUSED = "GW403"
#: The domain modules the server runs, in import order (module name under the package, source).
DOMAIN_MODULES = (("errors", errors), ("domain", None), ("domain.vocabulary", vocabulary),
                  ("domain.lifecycle", lifecycle), ("domain.policy", policy), ("domain.row_rules", row_rules),
                  ("domain.settle", settle), ("domain.steps", steps))
#: Tables inspectors write only in their own cells or records (from the domain's inspector rules).
_INSPECTOR_ROWS = {
    "fire_point": ("UPDATE", "cell_code IN (SELECT {s}.gw_my_cells())"),
    "inspection": ("ALL", "inspector_uuid = {s}.gw_me() OR cell_code IN (SELECT {s}.gw_my_cells())"),
    "attachment": ("ALL", "added_by = {s}.gw_me()"),
}
_APPEND_ONLY = ("audit_log", "sync_log")


def group_role(schema: str, role: str) -> str:
    """The group role of ``role`` in district ``schema``."""
    return f"gw_{schema}_{role}"


def domain_sources() -> list[tuple[str, str]]:
    """(module, source) of the domain code the judge runs: this GridWatch's own."""
    out = []
    for name, module in DOMAIN_MODULES:
        out.append((name, "" if module is None else inspect.getsource(module)))
    return out


def create_roles(cur: Any, schema: str) -> list[str]:
    """The district's group roles (created if missing); returns their names."""
    from psycopg import sql

    names = []
    for role in ROLES:
        name = group_role(schema, role)
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
        names.append(name)
    return names


def domain_digest() -> str:
    """A fingerprint of the domain code the judge runs (recorded in ``gw_project`` as ``domain_digest``)."""
    import hashlib

    h = hashlib.sha256()
    for name, source in domain_sources():
        h.update(name.encode("utf-8") + b"\0" + source.encode("utf-8") + b"\0")
    return h.hexdigest()


def create_policies(cur: Any, schema: str, tables: list[TableDef]) -> None:
    """The login map and the refusal log (kept by an upgrade), then what :func:`install_policies` makes."""
    from psycopg import sql

    S = sql.Identifier(schema)
    cur.execute(sql.SQL("CREATE TABLE {}.gw_login (login text PRIMARY KEY, person_uuid text NOT NULL)").format(S))
    cur.execute(sql.SQL("CREATE TABLE {}.gw_sync_refused (sync_uuid text NOT NULL, tbl text NOT NULL, row_key text, "
                        "message text, at timestamptz NOT NULL DEFAULT now(), "
                        "db_user text NOT NULL DEFAULT session_user)").format(S))
    install_policies(cur, schema, tables)


def install_policies(cur: Any, schema: str, tables: list[TableDef]) -> None:
    """Everything generated from the domain for who may do what: the group roles, grants, row-level
    security, the domain's code and the judge, the fast path, the conflict recorder.  Made when a
    district is published, and made again by an upgrade (:mod:`.upgrade`, after it dropped the old)."""
    from psycopg import sql

    S = sql.Identifier(schema)
    groups = create_roles(cur, schema)
    G = sql.SQL(", ").join(sql.Identifier(g) for g in groups)
    cur.execute(sql.SQL("CREATE TABLE {}.gw_domain_source (ord int PRIMARY KEY, module text NOT NULL UNIQUE, "
                        "source text NOT NULL, magic text, code bytea)").format(S))
    for i, (name, source) in enumerate(domain_sources()):
        cur.execute(sql.SQL("INSERT INTO {}.gw_domain_source VALUES (%s, %s, %s)").format(S), (i, name, source))
    # The sources compiled once by the server's own Python (its bytecode, by magic number): every session's
    # first judged row loads them instead of compiling 1,000+ lines again (half the server's start-up cost
    # of a sync).  A server whose Python changed since compiles them from the source, as before.
    cur.execute(sql.SQL("DO LANGUAGE plpython3u {}").format(sql.Literal(_COMPILE.replace("@SCHEMA@", repr(schema)))))
    cur.execute(sql.SQL("""
CREATE FUNCTION {s}.gw_me() RETURNS text LANGUAGE sql STABLE AS $f$
  SELECT person_uuid FROM {s}.gw_login WHERE login = current_user $f$""").format(s=S))
    cur.execute(sql.SQL("""
CREATE FUNCTION {s}.gw_my_cells() RETURNS SETOF text LANGUAGE sql STABLE AS $f$
  SELECT g.code FROM {s}.grid_cell g JOIN {s}.gw_login l ON g.inspector_uuid = l.person_uuid
  WHERE l.login = current_user $f$""").format(s=S))
    _conflict_recorder(cur, schema, next(t for t in tables if t.name == "sync_conflict"))
    _fast_path(cur, schema, tables)
    cur.execute(sql.SQL("CREATE FUNCTION {}.gw_judge() RETURNS trigger LANGUAGE plpython3u AS {}").format(
        S, sql.Literal(judge_source(schema))))
    cur.execute(sql.SQL("CREATE FUNCTION {}.gw_judge_warm() RETURNS void LANGUAGE plpython3u AS {}").format(
        S, sql.Literal(warm_source(schema))))
    cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(S, G))
    cur.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(S, G))
    cur.execute(sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA {} TO {}").format(S, G))
    cur.execute(sql.SQL("GRANT INSERT ON {}.gw_sync_refused TO {}").format(S, G))
    for t in tables:
        T = sql.Identifier(t.name)
        cur.execute(sql.SQL("GRANT INSERT, UPDATE, DELETE ON {}.{} TO {}").format(S, T, G))
        cur.execute(sql.SQL("ALTER TABLE {}.{} ENABLE ROW LEVEL SECURITY").format(S, T))
        cur.execute(sql.SQL("CREATE POLICY gw_read ON {}.{} FOR SELECT TO {} USING (true)").format(S, T, G))
        for role, group in zip(ROLES, groups):
            for command, rule in _write_rules(role, t.name):
                cur.execute(sql.SQL("CREATE POLICY {} ON {}.{} FOR {} TO {} {}").format(
                    sql.Identifier(f"gw_{role}_{command.lower()}"), S, T, sql.SQL(command), sql.Identifier(group),
                    sql.SQL(_using_check(command, rule.format(s=sql.Identifier(schema).as_string(cur))))))
        # the judge in three triggers (one per kind of change), each asking the SQL fast path first: the
        # domain's code (PL/Python) runs only for the changes the domain must look at
        key = sql.SQL("NULL::text") if t.key != "uuid" else None
        for op, rec in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            cur.execute(sql.SQL("CREATE TRIGGER {} BEFORE {} ON {}.{} FOR EACH ROW "
                                "WHEN (NOT {}.gw_unjudged({}, {}, {})) EXECUTE FUNCTION {}.gw_judge()").format(
                sql.Identifier(f"gw_1_judge_{op.lower()}"), sql.SQL(op), S, T, S, sql.Literal(t.name),
                sql.Literal(op.lower()), key or sql.SQL(rec + ".uuid"), S))


def _fast_path(cur: Any, schema: str, tables: list[TableDef]) -> None:
    """``gw_unjudged(table, kind, row uuid)``: whether the judge may pass a change without the domain's
    code, decided in SQL.  True for the district's maintainers (the judge passes them anyway), and for
    the (role, table, kind) the domain says pass whatever the row holds
    (:func:`gridwatch.domain.row_rules.passes_unseen`, read into ``gw_unseen`` here), when no audit row
    this transaction wrote for that row names anyone but the person (their steps are judged as them).
    Who the login is, is read once per transaction (a transaction-local setting, keyed by the current
    user: a SECURITY DEFINER function runs as its owner)."""
    from psycopg import sql

    S = sql.Identifier(schema)
    cur.execute(sql.SQL("CREATE TABLE {}.gw_unseen (role text, tbl text, op text, PRIMARY KEY (role, tbl, op))")
                .format(S))
    rows = [(role, t.name, kind) for role in ROLES for t in tables for kind in ("insert", "update", "delete")
            if row_rules.passes_unseen(role, t.name, kind)]
    cur.executemany(sql.SQL("INSERT INTO {}.gw_unseen VALUES (%s, %s, %s)").format(S), rows)
    cur.execute(sql.SQL("""
CREATE FUNCTION {s}.gw_unjudged(tbl text, op text, row_key text) RETURNS boolean LANGUAGE plpgsql
SET search_path = pg_catalog AS $f$
DECLARE
  me text := current_setting('gridwatch.judge_actor', true);
  head text := current_user || chr(31) || {schema} || chr(31);
  who_role text;
  who_name text;
BEGIN
  IF me IS NULL OR left(me, length(head)) <> head THEN
    IF (SELECT r.rolsuper OR pg_has_role(current_user, n.nspowner, 'MEMBER') FROM pg_roles r, pg_namespace n
        WHERE r.rolname = current_user AND n.nspname = {schema}) THEN
      who_role := 'maintainer';
    ELSE
      SELECT i.role, i.name INTO who_role, who_name FROM {s}.gw_login l JOIN {s}.inspector i ON i.uuid = l.person_uuid
      WHERE l.login = current_user AND (i.active IS NULL OR i.active = 1);
    END IF;
    me := head || coalesce(who_role, '') || chr(31) || coalesce(who_name, '');
    PERFORM set_config('gridwatch.judge_actor', me, true);
  END IF;
  who_role := split_part(me, chr(31), 3);
  who_name := split_part(me, chr(31), 4);
  IF who_role = 'maintainer' THEN
    RETURN true;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM {s}.gw_unseen u WHERE u.role = who_role AND u.tbl = $1 AND u.op = $2) THEN
    RETURN false;
  END IF;
  RETURN row_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM {s}.audit_log a WHERE a.row_uuid = row_key AND a.gw_server_at = now()
    AND a.gw_db_user = session_user AND a.user_name IS DISTINCT FROM who_name);
END $f$""").format(s=S, schema=sql.Literal(schema)))
    cur.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {}.gw_unjudged(text, text, text) TO PUBLIC").format(S))


def _write_rules(role: str, table: str) -> list[tuple[str, str]]:
    """(command, row condition) pairs a role's group may write in ``table`` (nothing: read only)."""
    if role == "admin":
        return [("ALL", "true")]
    if table in ADMIN_TABLES:
        return []
    if table in _APPEND_ONLY:
        return [("INSERT", "true")]
    if role == "inspector" and table in _INSPECTOR_ROWS:
        command, rule = _INSPECTOR_ROWS[table]
        return [(command, rule)]
    return [("INSERT", "true"), ("UPDATE", "true"), ("DELETE", "true")]


def _using_check(command: str, rule: str) -> str:
    if command == "INSERT":
        return f"WITH CHECK ({rule})"
    if command == "DELETE":
        return f"USING ({rule})"
    return f"USING ({rule}) WITH CHECK ({rule})"


def _conflict_recorder(cur: Any, schema: str, table: TableDef) -> None:
    """``gw_record_conflicts(sync_uuid, rows)``: the conflicts a sync's merge recorded, inserted as open
    conflicts of that sync (the sync records them; only a supervisor reviews them)."""
    from psycopg import sql

    S = sql.Identifier(schema)
    cols = [c for c, _ in table.columns if c not in ("fid", "status", "reviewed_by", "reviewed_at")
            and c not in SERVER_COLUMNS]
    cur.execute(sql.SQL("""
CREATE FUNCTION {s}.gw_record_conflicts(sync text, rows jsonb) RETURNS integer LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog AS $f$
  INSERT INTO {s}.sync_conflict ({cols}, status)
  SELECT {rcols}, 'open' FROM jsonb_to_recordset(rows) AS r({defs}) WHERE r.sync_uuid = sync
  ON CONFLICT (uuid) DO NOTHING
  RETURNING 1 $f$""").format(
        s=S, cols=sql.SQL(", ").join(sql.Identifier(c) for c in cols),
        rcols=sql.SQL(", ").join(sql.SQL("r.") + sql.Identifier(c) for c in cols),
        defs=sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c)) for c in cols)))


def judge_source(schema: str) -> str:
    """The PL/Python body of the judge trigger of district ``schema``."""
    return _JUDGE.replace("@SCHEMA@", schema).replace("@REFUSED@", REFUSED).replace(
        "@SERVER_COLUMNS@", repr(sorted(SERVER_COLUMNS))).replace("@DIGEST@", domain_digest()[:16])


def warm_source(schema: str) -> str:
    """The PL/Python body of ``gw_judge_warm()`` of district ``schema`` (the judge's start-up alone)."""
    return _LOAD.replace("@SCHEMA@", schema).replace("@DIGEST@", domain_digest()[:16]) + "\nreturn None\n"


_COMPILE = r'''
import importlib.util, marshal
Q = plpy.quote_ident(@SCHEMA@) + "."
plan = plpy.prepare("UPDATE " + Q + "gw_domain_source SET magic = $1, code = $2 WHERE ord = $3",
                    ["text", "bytea", "int"])
for r in plpy.execute("SELECT ord, module, source FROM " + Q + "gw_domain_source WHERE source <> ''"):
    code = compile(r["source"], "<gridwatch " + r["module"] + ">", "exec")
    plpy.execute(plan, [importlib.util.MAGIC_NUMBER.hex(), marshal.dumps(code), r["ord"]])
'''

#: The domain's modules loaded into the session (once: ``GD`` lives as long as the connection): the first part of
#: the judge, and all of ``gw_judge_warm()``, which a sync calls before it takes the district's change lock so
#: that this start-up (most of the server's cost of a small sync) runs beside other laptops' pushes, not in turn.
#: What it keeps in ``GD`` is keyed by the domain code's fingerprint too: a session that outlives an upgrade
#: loads the new code at its next judged row.
_LOAD = r'''
import json, sys, types
SCHEMA = "@SCHEMA@"
PKG = "gridwatch_server_" + SCHEMA
KEY = PKG + "@@DIGEST@"
Q = plpy.quote_ident(SCHEMA) + "."
dom = GD.get(KEY)
if dom is None:
    for name in (PKG, PKG + ".domain"):
        m = types.ModuleType(name)
        m.__path__ = []
        m.__package__ = name
        sys.modules[name] = m
    import importlib.util, marshal
    magic = importlib.util.MAGIC_NUMBER.hex()
    for r in plpy.execute("SELECT * FROM " + Q + "gw_domain_source ORDER BY ord"):
        name = PKG + "." + r["module"]
        if r["source"]:
            m = types.ModuleType(name)
            m.__package__ = name.rpartition(".")[0]
            sys.modules[name] = m
            if r.get("code") is not None and r.get("magic") == magic:  # compiled at publish by this Python
                code = marshal.loads(r["code"])
            else:
                code = compile(r["source"], "<gridwatch " + r["module"] + ">", "exec")
            exec(code, m.__dict__)
    dom = GD[KEY] = (sys.modules[PKG + ".domain.policy"], sys.modules[PKG + ".domain.steps"],
                     sys.modules[PKG + ".domain.row_rules"])
'''

_JUDGE = _LOAD + r'''
policy, steps, rules = dom
xid_plan = GD.get(KEY + ":xid")
if xid_plan is None:  # prepared once per session: this runs for every row
    xid_plan = GD[KEY + ":xid"] = plpy.prepare("SELECT txid_current()::text || '/' || current_user AS x")
xid = plpy.execute(xid_plan)[0]["x"]
tx = GD.get(KEY + ":tx")
if tx is None or tx["xid"] != xid:
    who = plpy.execute(
        "SELECT r.rolsuper OR pg_has_role(current_user, n.nspowner, 'MEMBER') AS maint, current_user AS login "
        "FROM pg_roles r, pg_namespace n WHERE r.rolname = current_user AND n.nspname = " + plpy.quote_literal(SCHEMA))
    tx = {"xid": xid, "maint": bool(who and who[0]["maint"]), "login": who[0]["login"] if who else None}
    if not tx["maint"]:
        me = plpy.execute(
            "SELECT i.uuid, i.name, i.role, to_jsonb(i) ->> 'township_code' AS township_code FROM " + Q +
            "gw_login l JOIN " + Q + "inspector i "
            "ON i.uuid = l.person_uuid "
            "WHERE l.login = current_user AND (i.active IS NULL OR i.active = 1)")
        if not me:
            plpy.error("login %s is not an active person of district %s" % (tx["login"], SCHEMA), sqlstate="@REFUSED@")
        actor = policy.Actor(me[0]["uuid"], me[0]["name"], me[0]["role"], me[0]["township_code"] or None)
        people = plpy.execute("SELECT uuid, name, role, active FROM " + Q + "inspector")
        tx["actor"] = actor
        tx["people"] = {p["uuid"]: p["role"] for p in people}
        tx["by_name"] = {p["name"]: policy.Actor(p["uuid"], p["name"], p["role"]) for p in people
                         if p["active"] is None or p["active"] == 1}
        tx["cells"] = frozenset(r["code"] for r in plpy.execute(
            "SELECT code FROM " + Q + "grid_cell WHERE inspector_uuid = " + plpy.quote_literal(actor.uuid)))
        tx["inspections"] = set(r["uuid"] for r in plpy.execute(
            "SELECT uuid FROM " + Q + "inspection WHERE inspector_uuid = " + plpy.quote_literal(actor.uuid)))
        tx["restored"] = set()
        tx["columns"] = {}
    GD[KEY + ":tx"] = tx
if tx["maint"]:
    return None
table = TD["table_name"]
kind = TD["event"].lower()
SERVER = set(@SERVER_COLUMNS@)
cols = tx["columns"].get(table)
if cols is None:
    cols = tx["columns"][table] = [r["attname"] for r in plpy.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = " + plpy.quote_literal(Q + plpy.quote_ident(table))
        + "::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum") if r["attname"] not in SERVER]
geoms = tx.setdefault("geoms", {})
if table not in geoms:
    geoms[table] = set(r["c"] for r in plpy.execute(
        "SELECT a.attname AS c FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = "
        + plpy.quote_literal(Q + plpy.quote_ident(table)) + "::regclass AND t.typname = 'geometry'"))

def clean(row):
    if row is None:
        return None
    out = {}
    for k, v in row.items():
        if k in SERVER:
            continue
        if k in geoms[table] and isinstance(v, str):
            v = bytes.fromhex(v)  # a geometry: compared as the laptop compares its blobs
        out[k] = v
    return out

before = clean(TD["old"]) if kind != "insert" else None
after = clean(TD["new"]) if kind != "delete" else None
actor = tx["actor"]
context = rules.RowContext(cells=tx["cells"], inspections=frozenset(tx["inspections"]), people=tx["people"],
                            restored=frozenset(tx["restored"]))
row = after if after is not None else before
uid = row.get("uuid")
if table == "audit_log":
    why = rules.judge_row_change(actor, table, kind, before, after, context)
else:
    audits = []
    if uid:  # the audit rows this transaction wrote for the row, in the order they came (the fast path passed
        # most of them without this judge seeing them)
        audit_plan = GD.get(KEY + ":audits")
        if audit_plan is None:
            audit_plan = GD[KEY + ":audits"] = plpy.prepare(
                "SELECT user_name, old_values, new_values FROM " + Q + "audit_log WHERE row_uuid = $1 "
                "AND gw_server_at = now() AND gw_db_user = session_user ORDER BY fid", ["text"])
        audits = list(plpy.execute(audit_plan, [uid]))
    hist_plan = GD.get(KEY + ":history")
    if hist_plan is None:  # prepared once per session; a district published before it kept versions: False
        found = plpy.execute("SELECT to_regclass(" + plpy.quote_literal(Q + "gw_history") + ") IS NOT NULL AS h")
        hist_plan = GD[KEY + ":history"] = plpy.prepare(
            "SELECT row::text AS r FROM " + Q + "gw_history WHERE tbl = $1 AND row_key = $2 "
            "ORDER BY gw_version DESC", ["text", "text"]) if found[0]["h"] else False

    def history():
        return [clean(json.loads(r["r"])) for r in plpy.execute(hist_plan, [table, uid])]

    why = steps.judge_steps(actor, tx["by_name"], table, kind, before, after, audits, context, cols,
                            history if hist_plan and uid and kind == "update" else None)
if why is not None:
    plpy.error("%s: %s %s refused: %s" % (actor.name, kind, table, why.message), detail=json.dumps(
        {"key": why.key, "code": why.code, "table": table, "uuid": uid}, ensure_ascii=False, default=str),
        sqlstate="@REFUSED@")
if table == "inspection" and kind == "insert" and after.get("inspector_uuid") == actor.uuid:
    tx["inspections"].add(after.get("uuid"))
elif table == "sync_conflict" and kind == "update" and after.get("status") == "restored":
    tx["restored"].add((after.get("table_name"), after.get("row_uuid")))
return None
'''
