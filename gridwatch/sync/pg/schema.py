"""A district's schema on the server: the GeoPackage's tables, codes and constraints as PostGIS
tables, plus the change table, row versions and the triggers that fill them.

Tables and columns are read from the project being published (so a newer schema's columns come
along); code lists (CHECK constraints) and indexes come from the same specs the GeoPackage schema is
built from (:func:`gridwatch.storage.schema.all_specs`, whose code lists are the domain vocabulary's).
Every identifier reaches SQL through :class:`psycopg.sql.Identifier` after being checked against the
names read from the project; every value as a literal or a parameter.
"""

from __future__ import annotations

import sqlite3
import zlib
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Optional

from ...domain.settle import LIFECYCLE_TABLES
from ...storage.schema import DENSITY_POINTS_TABLE, DENSITY_TABLE, all_specs
from ..history import DIRTY_TABLE, ro_uri

#: The version of what GridWatch generates in a district's schema from the domain: the code lists' CHECK
#: constraints, the judge and its domain code, the row-level security policies, the triggers (recorded in
#: ``gw_project`` as ``server_schema``; a district without the record is version 1).  Raise it when they
#: change in a way a district published earlier must catch up with (``gridwatch server-upgrade``,
#: :mod:`.upgrade`); a code the domain gains is noticed without it (:func:`.upgrade.missing_codes`).
SERVER_SCHEMA_VERSION = 2

#: Server-only columns: the row version, and on audit rows who sent them and when the server took them.
VERSION = "gw_version"
AUDIT_STAMP = ("gw_db_user", "gw_server_at")
SERVER_COLUMNS = frozenset({VERSION, *AUDIT_STAMP})

_TYPES = {"INTEGER": "bigint", "INT": "bigint", "BOOLEAN": "bigint", "TINYINT": "bigint", "SMALLINT": "bigint",
          "MEDIUMINT": "bigint", "REAL": "double precision", "FLOAT": "double precision",
          "DOUBLE": "double precision", "BLOB": "bytea"}
_GEOMETRY_TYPES = {"POINT": "Point", "LINESTRING": "LineString", "POLYGON": "Polygon", "MULTIPOINT": "MultiPoint",
                   "MULTILINESTRING": "MultiLineString", "MULTIPOLYGON": "MultiPolygon",
                   "GEOMETRYCOLLECTION": "GeometryCollection", "GEOMETRY": "Geometry"}


@dataclass(frozen=True)
class TableDef:
    """One table of the district as the GeoPackage has it."""

    name: str
    columns: tuple[tuple[str, str], ...]  # (name, GeoPackage type), fid first
    geometry: Optional[tuple[str, str, int]] = None  # (column, GeoPackage geometry type, SRS id)

    @cached_property
    def key(self) -> str:
        """The column that names a row across copies: ``uuid``, or ``key`` for the metadata table."""
        names = self.names
        return "uuid" if "uuid" in names else "key"

    @cached_property
    def names(self) -> tuple[str, ...]:  # (cached: asked for every row a sync sends)
        return tuple(c for c, _ in self.columns)

    @property
    def geom(self) -> Optional[str]:
        return self.geometry[0] if self.geometry else None


def read_tables(gpkg: Path, con: Optional[sqlite3.Connection] = None) -> list[TableDef]:
    """The district's tables as the GeoPackage ``gpkg`` holds them (the local tracking table left out);
    ``con``: a read-only connection of it (left open)."""
    if con is None:
        with closing(sqlite3.connect(ro_uri(gpkg), uri=True)) as own:
            return read_tables(gpkg, own)
    out = []
    geoms = {t: (c, g.upper(), int(s)) for t, c, g, s in
             con.execute("SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns")}
    tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE table_name NOT IN (?, ?, ?) "
                                        "ORDER BY 1", (DIRTY_TABLE, DENSITY_TABLE, DENSITY_POINTS_TABLE))]
    known = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for t in tables:
        if t not in known:
            continue
        cols = tuple((r[1], (r[2] or "TEXT").upper()) for r in
                     con.execute("SELECT * FROM pragma_table_info(?)", (t,)))
        out.append(TableDef(t, cols, geoms.get(t)))
    return out


def pg_type(table: TableDef, column: str, gpkg_type: str) -> str:
    """The server's type of a column (a PostGIS geometry for the geometry column; dates stay text, as
    the GeoPackage stores them, so values go both ways unchanged)."""
    if table.geometry and column == table.geometry[0]:
        kind = _GEOMETRY_TYPES.get(table.geometry[1], "Geometry")
        return f"geometry({kind},{int(table.geometry[2])})"
    # the layer and table specs say what a column holds (GDAL declares the photo columns TEXT, yet they
    # hold BLOBs); the declared type for columns the specs do not know
    spec = all_specs().get(table.name)
    for f in getattr(spec, "fields", ()):
        if f.name == column:
            return _TYPES.get(f.type, "text")
    base = gpkg_type.split("(")[0].strip()
    return _TYPES.get(base, "text")


def lock_key(schema: str) -> int:
    """The advisory lock that numbers a district's changes in commit order (one per schema)."""
    return zlib.crc32(schema.encode("utf-8")) & 0x7FFFFFFF


def create_tables(cur: Any, schema: str, tables: list[TableDef]) -> None:
    """Create the schema's tables, constraints, indexes and change table (the triggers come after the
    rows are loaded: :func:`create_change_triggers`)."""
    from psycopg import sql

    S = sql.Identifier(schema)
    specs = all_specs()
    cur.execute(sql.SQL("CREATE SCHEMA {}").format(S))
    cur.execute(sql.SQL("CREATE SEQUENCE {}.gw_seq").format(S))
    cur.execute(sql.SQL("CREATE TABLE {}.gw_change (seq bigint PRIMARY KEY, tbl text NOT NULL, row_key text, "
                        "op \"char\" NOT NULL, at timestamptz NOT NULL DEFAULT now(), "
                        "db_user text NOT NULL DEFAULT session_user)").format(S))
    cur.execute(sql.SQL("CREATE INDEX ON {}.gw_change (tbl, row_key)").format(S))
    create_history(cur, schema)
    for t in tables:
        T = sql.Identifier(t.name)
        cols: list[sql.Composable] = [sql.SQL("fid bigserial PRIMARY KEY")]
        for name, typ in t.columns:
            if name == "fid":
                continue
            cols.append(sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type(t, name, typ))))
        cols.append(sql.SQL("{} bigint NOT NULL DEFAULT 0").format(sql.Identifier(VERSION)))
        if t.name == "audit_log":
            cols += [sql.SQL("gw_db_user text"), sql.SQL("gw_server_at timestamptz")]
        cur.execute(sql.SQL("CREATE TABLE {}.{} ({})").format(S, T, sql.SQL(", ").join(cols)))
        cur.execute(sql.SQL("ALTER TABLE {}.{} ADD CONSTRAINT {} UNIQUE ({})").format(
            S, T, sql.Identifier(f"{t.name}_{t.key}_unique"), sql.Identifier(t.key)))
        spec = specs.get(t.name)
        for col in getattr(spec, "indexed", ()) or ():
            if col in t.names:
                cur.execute(sql.SQL("CREATE INDEX ON {}.{} ({})").format(S, T, sql.Identifier(col)))
        if t.geom:
            cur.execute(sql.SQL("CREATE INDEX ON {}.{} USING gist ({})").format(S, T, sql.Identifier(t.geom)))
    add_code_checks(cur, schema, tables)


def create_history(cur: Any, schema: str) -> None:
    """``gw_history``: earlier versions of the lifecycle tables' rows, written by the server only (a
    trigger): the judge judges a step taken offline from the version its author saw, and no laptop can
    invent one."""
    from psycopg import sql

    S = sql.Identifier(schema)
    cur.execute(sql.SQL("CREATE TABLE {}.gw_history (tbl text NOT NULL, row_key text NOT NULL, gw_version bigint "
                        "NOT NULL, row jsonb NOT NULL)").format(S))
    cur.execute(sql.SQL("CREATE INDEX ON {}.gw_history (tbl, row_key, gw_version)").format(S))


def code_check_name(table: str, column: str) -> str:
    """The name of the CHECK constraint that holds ``table.column`` to its code list."""
    return f"{table}_{column}_codes"


def code_lists(tables: Optional[list[TableDef]] = None) -> dict[tuple[str, str], tuple[str, ...]]:
    """``(table, column) -> codes`` of every coded column this GridWatch's domain knows (of ``tables``, when
    given: the columns a district has)."""
    have = None if tables is None else {t.name: set(t.names) for t in tables}
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for name, spec in all_specs().items():
        for f in getattr(spec, "fields", ()):
            if f.choices and (have is None or f.name in have.get(name, ())):
                out[(name, f.name)] = tuple(f.choices)
    return out


def add_code_checks(cur: Any, schema: str, tables: list[TableDef]) -> None:
    """A CHECK constraint per coded column: the domain's code list (or NULL)."""
    from psycopg import sql

    S = sql.Identifier(schema)
    for (table, column), codes in code_lists(tables).items():
        cur.execute(sql.SQL("ALTER TABLE {}.{} ADD CONSTRAINT {} CHECK ({} IS NULL OR {} IN ({}))").format(
            S, sql.Identifier(table), sql.Identifier(code_check_name(table, column)), sql.Identifier(column),
            sql.Identifier(column), sql.SQL(", ").join(sql.Literal(c) for c in codes)))


def create_change_triggers(cur: Any, schema: str, tables: list[TableDef]) -> None:
    """Row versions and the change table.  Every writer (a sync, the app, QGIS) takes the district's
    advisory lock before it numbers a change and holds it to its commit, so change numbers are in
    commit order: a laptop that pulled through number N has seen every change up to N."""
    from psycopg import sql

    S = sql.Identifier(schema)
    key = sql.Literal(lock_key(schema))
    seq = sql.Literal(f"{schema}.gw_seq")
    cur.execute(sql.SQL("""
CREATE FUNCTION {s}.gw_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $f$
BEGIN
  PERFORM pg_advisory_xact_lock(4711, {key});
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  NEW.gw_version := nextval({seq}::regclass);
  RETURN NEW;
END $f$""").format(s=S, key=key, seq=seq))
    cur.execute(sql.SQL("""
CREATE FUNCTION {s}.gw_stamp_audit() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
  NEW.gw_db_user := session_user;
  NEW.gw_server_at := now();
  RETURN NEW;
END $f$""").format(s=S))
    for keycol in ("uuid", "key"):
        K = sql.Identifier(keycol)
        cur.execute(sql.SQL("""
CREATE FUNCTION {s}.{fn}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $f$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO {s}.gw_change (seq, tbl, row_key, op) VALUES (nextval({seq}::regclass), TG_TABLE_NAME, OLD.{k}, 'D');
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.{k} IS DISTINCT FROM NEW.{k} THEN
    INSERT INTO {s}.gw_change (seq, tbl, row_key, op) VALUES (nextval({seq}::regclass), TG_TABLE_NAME, OLD.{k}, 'D');
  END IF;
  INSERT INTO {s}.gw_change (seq, tbl, row_key, op) VALUES (NEW.gw_version, TG_TABLE_NAME, NEW.{k}, left(TG_OP, 1));
  RETURN NULL;
END $f$""").format(s=S, fn=sql.Identifier(f"gw_log_{keycol}"), k=K, seq=seq))
    cur.execute(sql.SQL("""
CREATE FUNCTION {s}.gw_keep_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog AS $f$
BEGIN
  INSERT INTO {s}.gw_history (tbl, row_key, gw_version, row)
  VALUES (TG_TABLE_NAME, OLD.uuid, OLD.gw_version, to_jsonb(OLD) - coalesce(TG_ARGV, ARRAY[]::text[]));
  RETURN NULL;
END $f$""").format(s=S))
    for t in tables:
        T = sql.Identifier(t.name)
        if t.name in LIFECYCLE_TABLES and t.key == "uuid":
            # geometries and BLOBs are left out of the kept versions: no lifecycle rule reads them
            bulky = [c for c, typ in t.columns if c == t.geom or pg_type(t, c, typ) == "bytea"]
            cur.execute(sql.SQL("CREATE TRIGGER gw_4_history AFTER UPDATE ON {}.{} FOR EACH ROW "
                                "EXECUTE FUNCTION {}.gw_keep_version({})").format(
                S, T, S, sql.SQL(", ").join(sql.Literal(c) for c in bulky)))
        cur.execute(sql.SQL("CREATE TRIGGER gw_2_stamp BEFORE INSERT OR UPDATE OR DELETE ON {}.{} FOR EACH ROW "
                            "EXECUTE FUNCTION {}.gw_stamp()").format(S, T, S))
        cur.execute(sql.SQL("CREATE TRIGGER gw_3_log AFTER INSERT OR UPDATE OR DELETE ON {}.{} FOR EACH ROW "
                            "EXECUTE FUNCTION {}.{}()").format(S, T, S, sql.Identifier(f"gw_log_{t.key}")))
        if t.name == "audit_log":
            cur.execute(sql.SQL("CREATE TRIGGER gw_2_stamp_audit BEFORE INSERT OR UPDATE ON {}.{} FOR EACH ROW "
                                "EXECUTE FUNCTION {}.gw_stamp_audit()").format(S, T, S))
