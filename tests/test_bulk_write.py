"""A big fire-point import (a bulk load: triggers set aside, R-tree packed, counts and heat-source flags worked out
in bulk) leaves exactly what the per-row triggers and a fresh refresh would have left: the same R-tree entries bit for
bit in a tree SQLite itself checks and keeps editing, the same density counts, the same heat-source flags; a valid
GeoPackage."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest

from gridwatch.importers.pipeline import ImportOptions, import_file
from gridwatch.storage import Project, bulk, rtree_pack
from gridwatch.storage.gpkg import connect_readwrite, transaction
from gridwatch.storage.heat_sources import refresh_heat_sources

from .test_density import assert_counts_current, point_blob


def sqlite_boxes(con: sqlite3.Connection, boxes: np.ndarray) -> list[tuple]:
    """The boxes as SQLite's own R*Tree stores them (inserted one by one into a scratch tree)."""
    con.execute("CREATE VIRTUAL TABLE temp.scratch USING rtree(id, minx, maxx, miny, maxy)")
    con.executemany("INSERT INTO temp.scratch VALUES (?, ?, ?, ?, ?)",
                    [(i + 1, *map(float, b)) for i, b in enumerate(boxes)])
    rows = con.execute("SELECT minx, maxx, miny, maxy FROM temp.scratch ORDER BY id").fetchall()
    con.execute("DROP TABLE temp.scratch")
    return rows


def test_boxes_are_rounded_to_floats_exactly_as_sqlite_rounds_them():
    rng = np.random.default_rng(5)
    d = np.concatenate([rng.uniform(-180, 180, 4000), rng.uniform(-1e-3, 1e-3, 500), [0.0, 1.0, -1.0, 114.3001]])
    lo, hi = np.minimum(d, d[::-1]), np.maximum(d, d[::-1])
    boxes = np.column_stack([lo, hi, lo, hi])
    with closing(sqlite3.connect(":memory:")) as con:
        want = sqlite_boxes(con, boxes)
    got = np.column_stack([rtree_pack.round_down(lo), rtree_pack.round_up(hi), rtree_pack.round_down(lo),
                           rtree_pack.round_up(hi)]).astype(float)
    assert [tuple(r) for r in got.tolist()] == want
    assert (got[:, 0] <= lo).all() and (got[:, 1] >= hi).all()  # outwards: every box holds its point


@pytest.mark.parametrize("old, new", [(0, 3), (40, 30), (700, 5000), (20_000, 9_000)])
def test_a_packed_tree_answers_every_query_as_a_tree_built_by_sqlite(old, new):
    rng = np.random.default_rng(old + new)
    x, y = rng.uniform(113.9, 114.6, old + new), rng.uniform(37.7, 38.3, old + new)
    with closing(sqlite3.connect(":memory:", isolation_level=None)) as con:
        for name in ("rtree_t_geom", "reference"):
            con.execute(f"CREATE VIRTUAL TABLE {name} USING rtree(id, minx, maxx, miny, maxy)")
        rows = [(i + 1, x[i], x[i], y[i], y[i]) for i in range(old + new)]
        con.executemany("INSERT INTO rtree_t_geom VALUES (?, ?, ?, ?, ?)", rows[:old])
        con.executemany("INSERT INTO reference VALUES (?, ?, ?, ?, ?)", rows)
        con.execute("BEGIN")
        assert rtree_pack.rebuild(con, "rtree_t_geom", np.arange(old + 1, old + new + 1),
                                  np.column_stack([x[old:], x[old:], y[old:], y[old:]]))
        con.execute("COMMIT")
        assert con.execute("SELECT rtreecheck('rtree_t_geom')").fetchone()[0] == "ok"
        assert con.execute("SELECT * FROM rtree_t_geom ORDER BY id").fetchall() == \
            con.execute("SELECT * FROM reference ORDER BY id").fetchall()
        window = "SELECT id FROM {} WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ? ORDER BY id"
        for _ in range(30):
            x0, y0, w = rng.uniform(113.9, 114.6), rng.uniform(37.7, 38.3), rng.uniform(0, 0.2)
            args = (x0 + w, x0, y0 + w, y0)
            assert con.execute(window.format("rtree_t_geom"), args).fetchall() == \
                con.execute(window.format("reference"), args).fetchall()
        # SQLite goes on inserting into and deleting from the packed tree
        con.executemany("INSERT INTO rtree_t_geom VALUES (?, 114.2, 114.2, 38.0, 38.0)",
                        [(10**6 + i,) for i in range(500)])
        con.execute("DELETE FROM rtree_t_geom WHERE id % 3 = 0")
        assert con.execute("SELECT rtreecheck('rtree_t_geom')").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*) FROM rtree_t_geom").fetchone()[0] == \
            len([i for i in range(1, old + new + 1) if i % 3]) + len([i for i in range(500) if (10**6 + i) % 3])


def _firms_csv(path: Path, project: Path, n: int, seed: int, day: str) -> Path:
    cells = Project.open(project).read_layer("grid_cell", columns=["code"])
    minx, miny, maxx, maxy = cells.total_bounds
    rng = np.random.default_rng(seed)
    lines = ["latitude,longitude,acq_date,acq_time,satellite,confidence,frp"]
    # a third of them at a few places, detected on many days: heat sources
    lon = np.where(np.arange(n) % 3 == 0, np.round(minx + (maxx - minx) * 0.37, 5), rng.uniform(minx, maxx, n))
    lat = np.where(np.arange(n) % 3 == 0, np.round(miny + (maxy - miny) * 0.52, 5), rng.uniform(miny, maxy, n))
    days = np.datetime64(day) + (np.arange(n) % 25).astype("timedelta64[D]")
    lines += [f"{la:.5f},{lo:.5f},{d},{(i * 7) % 24:02d}{i % 60:02d},Aqua,{i % 100},12.3"
              for i, (lo, la, d) in enumerate(zip(lon, lat, days.astype(str)))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_bulk_import_leaves_what_the_triggers_and_a_refresh_would(tmp_path, bare_copy, monkeypatch, gpkg_validator):
    monkeypatch.setattr(bulk, "BULK_ROWS", 200)  # the sample's 129 fire points: 600 new ones are a bulk load
    with closing(sqlite3.connect(bare_copy)) as con:
        before = con.execute("SELECT COUNT(*) FROM fire_point").fetchone()[0]
        triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall()
        indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall()
    report = import_file(bare_copy, _firms_csv(tmp_path / "a.csv", bare_copy, 600, 1, "2025-10-01"),
                         ImportOptions(kind="fire_point"))
    assert report.imported > 400 and report.imported * 4 >= before  # a bulk load (bulk.write_features)
    with closing(sqlite3.connect(bare_copy)) as con:
        # the triggers and indexes set aside are back, word for word
        assert con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").fetchall() \
            == triggers
        assert con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").fetchall() \
            == indexes
        assert con.execute("SELECT rtreecheck('rtree_fire_point_geom')").fetchone()[0] == "ok"
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # packed: full leaves under one root (SQLite's insertions leave its nodes a third empty or more)
        size, nodes = con.execute("SELECT (SELECT length(data) FROM rtree_fire_point_geom_node WHERE nodeno = 1), "
                                  "COUNT(*) FROM rtree_fire_point_geom_node").fetchone()
        assert nodes == -(-(before + report.imported) // ((size - 4) // 24)) + 1
        fids, blobs = zip(*con.execute("SELECT fid, geom FROM fire_point ORDER BY fid").fetchall())
        from gridwatch.storage.gpkg import blob_points_xy

        xy = blob_points_xy(list(blobs))
        stored = con.execute("SELECT id, minx, maxx, miny, maxy FROM rtree_fire_point_geom ORDER BY id").fetchall()
        # every fire point has the entry SQLite's trigger would have stored for it, and no other entry is there
        assert [r[0] for r in stored] == list(fids)
        assert [r[1:] for r in stored] == sqlite_boxes(con, np.column_stack([xy[:, 0], xy[:, 0], xy[:, 1], xy[:, 1]]))
        flags = con.execute("SELECT heat_source FROM fire_point ORDER BY fid").fetchall()
        assert 0 < sum(f[0] for f in flags) < len(flags)  # the repeated place is a heat source, the rest not
        count = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'fire_point'").fetchone()
        assert count[0] == before + report.imported
    assert_counts_current(bare_copy)
    # a refresh from scratch changes no flag
    with closing(connect_readwrite(bare_copy)) as con, transaction(con):
        assert refresh_heat_sources(con) == 0
    # small imports and edits afterwards go through SQLite's own R*Tree insertion into the packed tree
    monkeypatch.setattr(bulk, "BULK_ROWS", 50_000)
    report = import_file(bare_copy, _firms_csv(tmp_path / "b.csv", bare_copy, 40, 2, "2025-10-20"),
                         ImportOptions(kind="fire_point"))
    assert report.imported > 20
    with closing(connect_readwrite(bare_copy)) as con, transaction(con):
        con.execute("UPDATE fire_point SET geom = ? WHERE fid = (SELECT MIN(fid) FROM fire_point)",
                    (point_blob(114.3001, 38.1001),))
        con.execute("DELETE FROM fire_point WHERE fid % 5 = 0")
    with closing(sqlite3.connect(bare_copy)) as con:
        assert con.execute("SELECT rtreecheck('rtree_fire_point_geom')").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*) FROM fire_point").fetchone()[0] == \
            con.execute("SELECT COUNT(*) FROM rtree_fire_point_geom").fetchone()[0]
    assert_counts_current(bare_copy)
    gpkg_validator(bare_copy)
