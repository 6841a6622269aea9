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
  (:func:`gridwatch.domain.steps.judge_steps` over :func:`gridwatch.domain.policy.judge_row_change`),
  stored in the schema when it is published, as the person behind the login; so the server refuses
  exactly what the laptop's sync refuses, whatever the laptop's files say.  Refusals carry SQLSTATE
  ``GW403`` and the domain's message.
"""

from __future__ import annotations

import inspect
from typing import Any

from ... import errors
from ...domain import lifecycle, policy, policy_steps, steps, vocabulary
from ...domain.policy import ADMIN_TABLES
from ...domain.vocabulary import ROLES
from .schema import SERVER_COLUMNS, TableDef

#: SQLSTATE of a refusal by the judge.
REFUSED = "GW403"
#: The domain modules the server runs, in import order (module name under the package, source).
DOMAIN_MODULES = (("errors", errors), ("domain", None), ("domain.vocabulary", vocabulary),
                  ("domain.lifecycle", lifecycle), ("domain.policy", policy), ("domain.policy_steps", policy_steps),
                  ("domain.steps", steps))
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


def create_policies(cur: Any, schema: str, tables: list[TableDef]) -> None:
    """Grants, row-level security, the login map, the conflict recorder and the judge."""
    from psycopg import sql

    S = sql.Identifier(schema)
    groups = create_roles(cur, schema)
    G = sql.SQL(", ").join(sql.Identifier(g) for g in groups)
    cur.execute(sql.SQL("CREATE TABLE {}.gw_login (login text PRIMARY KEY, person_uuid text NOT NULL)").format(S))
    cur.execute(sql.SQL("CREATE TABLE {}.gw_domain_source (ord int PRIMARY KEY, module text NOT NULL UNIQUE, "
                        "source text NOT NULL, magic text, code bytea)").format(S))
    cur.execute(sql.SQL("CREATE TABLE {}.gw_sync_refused (sync_uuid text NOT NULL, tbl text NOT NULL, row_key text, "
                        "message text, at timestamptz NOT NULL DEFAULT now(), "
                        "db_user text NOT NULL DEFAULT session_user)").format(S))
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
        cur.execute(sql.SQL("CREATE TRIGGER gw_1_judge BEFORE INSERT OR UPDATE OR DELETE ON {}.{} FOR EACH ROW "
                            "EXECUTE FUNCTION {}.gw_judge()").format(S, T, S))


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
        "@SERVER_COLUMNS@", repr(sorted(SERVER_COLUMNS)))


def warm_source(schema: str) -> str:
    """The PL/Python body of ``gw_judge_warm()`` of district ``schema`` (the judge's start-up alone)."""
    return _LOAD.replace("@SCHEMA@", schema) + "\nreturn None\n"


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
_LOAD = r'''
import json, sys, types
SCHEMA = "@SCHEMA@"
PKG = "gridwatch_server_" + SCHEMA
Q = plpy.quote_ident(SCHEMA) + "."
dom = GD.get(PKG)
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
    dom = GD[PKG] = (sys.modules[PKG + ".domain.policy"], sys.modules[PKG + ".domain.steps"])
'''

_JUDGE = _LOAD + r'''
policy, steps = dom
xid_plan = GD.get(PKG + ":xid")
if xid_plan is None:  # prepared once per session: this runs for every row
    xid_plan = GD[PKG + ":xid"] = plpy.prepare("SELECT txid_current()::text || '/' || current_user AS x")
xid = plpy.execute(xid_plan)[0]["x"]
tx = GD.get(PKG + ":tx")
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
        tx["audits"] = {}
        tx["columns"] = {}
    GD[PKG + ":tx"] = tx
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
context = policy.RowContext(cells=tx["cells"], inspections=frozenset(tx["inspections"]), people=tx["people"],
                            restored=frozenset(tx["restored"]))
row = after if after is not None else before
uid = row.get("uuid")
if table == "audit_log":
    why = policy.judge_row_change(actor, table, kind, before, after, context)
else:
    audits = tx["audits"].pop(uid, []) if uid else []
    why = steps.judge_steps(actor, tx["by_name"], table, kind, before, after, audits, context, cols)
if why is not None:
    plpy.error("%s: %s %s refused: %s" % (actor.name, kind, table, why.message), detail=json.dumps(
        {"key": why.key, "code": why.code, "table": table, "uuid": uid}, ensure_ascii=False, default=str),
        sqlstate="@REFUSED@")
if table == "audit_log" and kind == "insert" and after.get("row_uuid"):
    tx["audits"].setdefault(after["row_uuid"], []).append(after)
elif table == "inspection" and kind == "insert" and after.get("inspector_uuid") == actor.uuid:
    tx["inspections"].add(after.get("uuid"))
elif table == "sync_conflict" and kind == "update" and after.get("status") == "restored":
    tx["restored"].add((after.get("table_name"), after.get("row_uuid")))
return None
'''
