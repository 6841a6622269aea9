"""The server judge's SQL fast path (issue 19): what the domain passes whatever the row holds is decided
without starting Python on the server; everything else still goes to the domain's code."""

from __future__ import annotations

import psycopg

from .test_sync_pg import district, sample_path  # noqa: F401  (fixtures)


def _unjudged(pg_cluster, db: str, login: str, *calls: tuple[str, str, str | None], audit_by: str | None = None,
              row: str = "r-1") -> list[bool]:
    with psycopg.connect(f"host={pg_cluster.folder} user={login} dbname={db}") as con:
        if audit_by is not None:  # an audit row of this transaction for the row, in someone's name
            con.execute("INSERT INTO d130110.audit_log (uuid, at, user_name, action, table_name, row_uuid) "
                        "VALUES ('a-fast', '2026-12-06T08:00:00Z', %s, 'edit', 'mine', %s)", (audit_by, row))
        out = [con.execute("SELECT d130110.gw_unjudged(%s, %s, %s)", c).fetchone()[0] for c in calls]
        con.rollback()
    return out


def test_the_fast_path_passes_what_the_domain_passes_unseen_and_nothing_else(district, pg_cluster):
    db, sup, insp = district["db"], district["sup"], district["insp"]
    admin = next(p for p in district["who"].values() if p.role == "admin")
    assert _unjudged(pg_cluster, db, admin.name, ("mine", "update", "r-1"), ("grid_cell", "update", "r-1"),
                     ("finding", "update", "r-1"), ("sync_log", "insert", "r-1")) == [True, True, False, True]
    assert _unjudged(pg_cluster, db, sup.name, ("mine", "update", "r-1"), ("grid_cell", "update", "r-1"),
                     ("audit_log", "insert", "a-1"), ("assignment", "insert", "r-1")) == [True, False, True, False]
    assert _unjudged(pg_cluster, db, insp.name, ("mine", "update", "r-1"), ("fire_point", "update", "r-1"),
                     ("audit_log", "insert", "a-1"), ("sync_log", "insert", "r-1")) == [False, False, False, True]
    # a step in someone else's name goes to the domain's code (it is judged as that person)
    assert _unjudged(pg_cluster, db, sup.name, ("mine", "update", "r-1"), audit_by=insp.name) == [False]
    assert _unjudged(pg_cluster, db, sup.name, ("mine", "update", "r-1"), audit_by=sup.name) == [True]
    # the district's owner (publishing, the conflict recorder) is not judged, as before
    assert _unjudged(pg_cluster, db, "gridwatch", ("finding", "update", "r-1")) == [True]
