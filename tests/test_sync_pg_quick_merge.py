"""A PostGIS sync whose rows others changed meanwhile merges them row by row, without files (issue 19:
50 laptops at once, some editing the same mine): the same rows and the same recorded conflicts as the
full merge with files, and a row that changes between the read and the push is read and merged again."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest

from gridwatch.storage.gpkg import connect_readwrite, transaction
from gridwatch.storage.workflow import edit_finding, record_finding
from gridwatch.sync import checkout, sync
from gridwatch.sync.pg import quick, store
from gridwatch.sync.pg.publish import publish

from .test_sync_pg import first_cell, people, rows_by_key


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    from .conftest import bare_sample_in

    return bare_sample_in(tmp_path_factory.mktemp("bare"))


_N = [0]


def _world(pg_cluster: Any, sample_path: Path, folder: Path) -> dict[str, Any]:
    """A district on the server, two supervisors' laptops, a finding both know, the first mine's uuid."""
    _N[0] += 1
    db = f"qm{_N[0]}"
    pg_cluster.create_database(db)
    publish(sample_path, pg_cluster.url(db), logins=True)
    who = people(sample_path)
    sup = who["supervisor"]
    laptops = []
    for name in ("a", "b"):
        (folder / name).mkdir(parents=True)
        laptops.append(checkout(pg_cluster.url(db, user=sup.name), folder / name / "p.gpkg", sup.name))
    a, b = laptops
    finding = record_finding(a, sup, category="scattered_coal", longitude=114.3, latitude=38.1,
                             cell_code=first_cell(sample_path, who["inspector"]), description="原描述",
                             now=dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.timezone.utc)).created("finding")[0]
    sync(a)
    sync(b)
    with closing(sqlite3.connect(sample_path)) as con:
        mine = con.execute("SELECT uuid FROM mine ORDER BY fid LIMIT 1").fetchone()[0]
    return {"db": db, "sup": sup, "a": a, "b": b, "finding": finding, "mine": mine}


def _edit_mine(path: Path, mine: str, **values: Any) -> None:
    with closing(connect_readwrite(path)) as con, transaction(con):
        for col, v in values.items():
            con.execute(f'UPDATE mine SET "{col}" = ? WHERE uuid = ?', (v, mine))


def _server(pg_cluster: Any, db: str) -> psycopg.Connection:
    return psycopg.connect(f"host={pg_cluster.folder} user=gridwatch dbname={db}", autocommit=True)


def _outcome(pg_cluster: Any, w: dict[str, Any]) -> dict[str, Any]:
    """What the server holds of the two rows and their recorded conflicts (without the conflicts' own
    uuids and times), and that both laptops hold the same."""
    with _server(pg_cluster, w["db"]) as con:
        mine = con.execute("SELECT name, kind, status, operator FROM d130110.mine WHERE uuid = %s",
                           (w["mine"],)).fetchone()
        finding = con.execute("SELECT description, severity, responsible_party FROM d130110.finding WHERE uuid = %s",
                              (w["finding"],)).fetchone()
        names = {w["mine"]: "the mine", w["finding"]: "the finding"}
        conflicts = sorted((t, names.get(r, r), *rest) for t, r, *rest in con.execute(
            "SELECT table_name, row_uuid, column_name, kept_value, other_value, kept_by, other_by, rule, status "
            "FROM d130110.sync_conflict").fetchall())
    sync(w["a"])
    for table in ("mine", "finding", "sync_conflict", "audit_log"):
        assert rows_by_key(w["a"], table) == rows_by_key(w["b"], table), table
    return {"mine": mine, "finding": finding, "conflicts": conflicts}


def _offline_edits(w: dict[str, Any]) -> None:
    """Both laptops change the mine and the finding; the later edit of the finding is b's."""
    a, b, sup = w["a"], w["b"], w["sup"]
    _edit_mine(a, w["mine"], operator="甲公司", name="甲矿")
    _edit_mine(b, w["mine"], operator="乙公司", kind="clay")
    edit_finding(a, sup, w["finding"], description="甲的描述", severity=3,
                 now=dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.timezone.utc))
    edit_finding(b, sup, w["finding"], description="乙的描述", responsible_party="某厂",
                 now=dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.timezone.utc))


def test_rows_both_sides_changed_merge_without_files_as_the_full_merge_does(pg_cluster, sample_path, tmp_path,
                                                                               monkeypatch):
    outcomes = {}
    for way in ("full", "rows"):
        w = _world(pg_cluster, sample_path, tmp_path / way)
        _offline_edits(w)
        assert sync(w["a"]).conflicts == 0
        with monkeypatch.context() as m:
            if way == "full":
                m.setattr(quick, "merge_rows", lambda *a, **k: None)  # the merge with files decides
            else:
                def no_files(*a: Any, **k: Any) -> None:
                    raise AssertionError("the sync took the full merge with files")

                m.setattr(store, "_full_changes", no_files)
            rep = sync(w["b"])
        assert rep.refused == 0 and rep.sent >= 3
        outcomes[way] = (rep.conflicts, _outcome(pg_cluster, w))
    assert outcomes["rows"] == outcomes["full"]
    conflicts, got = outcomes["rows"]
    # the mine: b's operator is the edit synced last; a's name and b's kind both stand
    assert got["mine"][0] == "甲矿" and got["mine"][1] == "clay" and got["mine"][3] == "乙公司"
    # the finding: b's description is the later edit; a's severity and b's party both stand
    assert got["finding"] == ("乙的描述", 3, "某厂")
    lost = {(c[2], json.loads(c[3]), json.loads(c[4])) for c in got["conflicts"]}
    assert ("operator", "乙公司", "甲公司") in lost and ("description", "乙的描述", "甲的描述") in lost
    assert conflicts == len(got["conflicts"]) == 2
    assert all(c[5].endswith("(this sync)") for c in got["conflicts"])


def test_a_row_changed_between_the_read_and_the_push_is_read_and_merged_again(pg_cluster, sample_path, tmp_path,
                                                                              monkeypatch):
    w = _world(pg_cluster, sample_path, tmp_path)
    _edit_mine(w["b"], w["mine"], operator="乙公司")
    reads = []
    real = quick.R.read_changes

    def read_then_someone_commits(*args: Any, **kw: Any) -> Any:
        got = real(*args, **kw)
        reads.append(1)
        if len(reads) == 1:  # another writer changes the row after this sync read the server's changes
            with _server(pg_cluster, w["db"]) as con:
                con.execute("UPDATE d130110.mine SET operator = '丙公司', status = 'closed' WHERE uuid = %s",
                            (w["mine"],))
        return got

    def no_files(*a: Any, **k: Any) -> None:
        raise AssertionError("the sync took the full merge with files")

    monkeypatch.setattr(quick.R, "read_changes", read_then_someone_commits)
    monkeypatch.setattr(store, "_full_changes", no_files)
    rep = sync(w["b"])
    monkeypatch.undo()
    assert len(reads) >= 3  # read, pushed stale, read again, landed
    assert rep.refused == 0 and rep.conflicts == 1
    with _server(pg_cluster, w["db"]) as con:
        assert con.execute("SELECT operator, status FROM d130110.mine WHERE uuid = %s",
                           (w["mine"],)).fetchone() == ("乙公司", "closed")
        kept, other = con.execute("SELECT kept_value, other_value FROM d130110.sync_conflict").fetchone()
    assert (json.loads(kept), json.loads(other)) == ("乙公司", "丙公司")
    row = next(r for r in rows_by_key(w["b"], "mine").values() if r["uuid"] == w["mine"])
    assert (row["operator"], row["status"]) == ("乙公司", "closed")
    assert rows_by_key(w["b"], "sync_conflict") and not sync(w["b"]).conflicts
