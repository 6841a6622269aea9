"""Fire-point density counts stored in the project (schema 6): kept current by triggers through every door
(import, edits, a plain SQLite client, a sync), equal to a fresh count, valid GeoPackage; the reads the map
draws a big fire layer from (counts, a period's points, a view's points)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gridwatch.storage import Project, density
from gridwatch.storage.gpkg import connect_readwrite, transaction
from gridwatch.times import in_window

from .conftest import SAMPLE

UTC = dt.timezone.utc


def point_blob(lon: float, lat: float) -> bytes:
    import shapely

    from gridwatch.storage.gpkg import geometry_to_blob

    return geometry_to_blob(shapely.Point(lon, lat), 4490, "POINT")


def stored_counts(path: Path) -> pd.DataFrame:
    with closing(sqlite3.connect(path)) as con:
        rows = con.execute('SELECT level, ix, iy, "count" FROM fire_density').fetchall()
    return pd.DataFrame(rows, columns=["level", "ix", "iy", "count"]).sort_values(
        ["level", "ix", "iy"]).reset_index(drop=True)


def counted_afresh(path: Path) -> pd.DataFrame:
    """The same counts made independently: every fire point read with GDAL, binned with numpy."""
    _, xy = Project.open(path).read_point_layer("fire_point", columns=["status"])
    xy = xy[np.isfinite(xy).all(axis=1)]  # a point without a geometry is on no square
    out = []
    for level, cell in density.LEVEL_CELLS.items():
        k = round(1 / cell)
        part = pd.DataFrame({"level": level, "ix": np.floor(xy[:, 0] * k).astype(np.int64),
                             "iy": np.floor(xy[:, 1] * k).astype(np.int64)})
        out.append(part.groupby(["level", "ix", "iy"]).size().rename("count").reset_index())
    return pd.concat(out).sort_values(["level", "ix", "iy"]).reset_index(drop=True)


def assert_counts_current(path: Path) -> None:
    got, want = stored_counts(path), counted_afresh(path)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


@pytest.fixture
def project(tmp_path) -> Path:
    dst = tmp_path / "project.gpkg"
    shutil.copyfile(SAMPLE, dst)
    Project.open(dst, migrate=True)
    return dst


def test_the_bundled_sample_holds_its_counts_and_is_a_valid_geopackage(tmp_path, gpkg_validator):
    with closing(sqlite3.connect(SAMPLE)) as con:
        assert con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'fire_density'").fetchone() == (
            "attributes",)
        n = con.execute("SELECT COUNT(*) FROM fire_point").fetchone()[0]
        # every level counts every point once
        assert con.execute('SELECT level, SUM("count") FROM fire_density GROUP BY level').fetchall() == [
            (1, n), (2, n), (3, n)]
    assert_counts_current(SAMPLE)
    gpkg_validator(SAMPLE)


def test_a_hand_placed_point_lands_in_the_squares_worked_out_by_hand(project):
    # 114.3001 E, 38.1001 N: level 1 floor(114.3001 * 1024) = 117043, floor(38.1001 * 1024) = 39014;
    # level 2 (x 256): 29260, 9753; level 3 (x 64): 7315, 2438
    with closing(connect_readwrite(project)) as con, transaction(con):
        con.execute("DELETE FROM fire_point")
        con.execute("INSERT INTO fire_point (uuid, geom, detected_utc, detected_local, source, status) "
                    "VALUES ('x', ?, '2026-11-30T17:30:00.000Z', '2026-12-01T01:30:00+08:00', 'VIIRS', 'unverified')",
                    (point_blob(114.3001, 38.1001),))
    assert stored_counts(project).values.tolist() == [[1, 117043, 39014, 1], [2, 29260, 9753, 1], [3, 7315, 2438, 1]]


def test_counts_follow_edits_moves_time_shifts_and_plain_sqlite_deletes(project):
    with closing(connect_readwrite(project)) as con, transaction(con):
        fids = [r[0] for r in con.execute("SELECT fid FROM fire_point ORDER BY fid LIMIT 4")]
        con.execute("UPDATE fire_point SET status = 'no_burning' WHERE fid = ?", (fids[0],))
        con.execute("UPDATE fire_point SET geom = ? WHERE fid = ?", (point_blob(114.21, 38.02), fids[1]))
        con.execute("UPDATE fire_point SET detected_utc = '2026-11-01T03:00:00.000Z' WHERE fid = ?", (fids[2],))
        con.execute("UPDATE fire_point SET geom = NULL WHERE fid = ?", (fids[3],))
    assert_counts_current(project)
    # a client without GDAL's geometry functions can still delete fire points (and the counts follow)
    with closing(sqlite3.connect(project)) as con:
        con.execute("DELETE FROM fire_point WHERE fid IN (SELECT fid FROM fire_point ORDER BY fid DESC LIMIT 5)")
        con.commit()
    assert_counts_current(project)
    # moving the whole project in time (the first-run copy of the bundled sample does this)
    from gridwatch.storage.timeshift import shift_project_times

    shift_project_times(project, 3)
    assert_counts_current(project)


def test_counts_are_current_after_a_fire_point_import(project, tmp_path):
    from gridwatch.importers.pipeline import ImportOptions, import_file

    cells = Project.open(project).read_layer("grid_cell")
    pts = [(p.x, p.y) for p in cells.iloc[[10, 500, 1500, 1501]].geometry.representative_point()]
    lines = ["latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,"
             "frp,daynight"]
    lines += [f"{lat:.5f},{lon:.5f},320.1,1.0,1.0,2026-12-04,1735,Aqua,77,6.1NRT,290.2,12.3,N" for lon, lat in pts]
    src = tmp_path / "firms.csv"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = stored_counts(project)
    report = import_file(project, src, ImportOptions(kind="fire_point"))
    assert report.imported == 4
    after = stored_counts(project)
    # four new detections at every level
    assert (after.groupby("level")["count"].sum() - before.groupby("level")["count"].sum()).tolist() == [4, 4, 4]
    assert_counts_current(project)


def test_counts_are_current_on_every_copy_after_a_sync(tmp_path, monkeypatch):
    from gridwatch.importers.pipeline import ImportOptions, import_file
    from gridwatch.sync import checkout, engine, sync

    from .conftest import clear_work

    monkeypatch.setattr(engine, "COMPACT_AFTER", 0)  # fold every sync into the shared file, to read it
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(SAMPLE, shared)
    clear_work(shared)
    people = Project.open(shared).read_table("inspector")
    boss = str(people[people["role"] == "supervisor"]["name"].iloc[0])
    laptops = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        laptops.append(checkout(shared, tmp_path / name / "project.gpkg", boss))
    a, b = laptops
    cells = Project.open(a).read_layer("grid_cell")
    pts = [(p.x, p.y) for p in cells.iloc[[20, 700]].geometry.representative_point()]
    src = tmp_path / "firms.csv"
    src.write_text("latitude,longitude,acq_date,acq_time,satellite,confidence,frp\n"
                   + "".join(f"{lat:.5f},{lon:.5f},2026-12-05,0530,Terra,80,10.0\n" for lon, lat in pts),
                   encoding="utf-8")
    assert import_file(a, src, ImportOptions(kind="fire_point", user=boss)).imported == 2
    with closing(connect_readwrite(a)) as con, transaction(con):  # and a deletion travels too
        con.execute("DELETE FROM fire_point WHERE fid = (SELECT MIN(fid) FROM fire_point)")
    sync(a)
    sync(b)
    n = sum(1 for _ in Project.open(b).read_point_layer("fire_point", columns=["status"])[0].index)
    assert n == len(Project.open(a).read_point_layer("fire_point", columns=["status"])[0])
    for copy in (a, b, shared):
        assert_counts_current(copy)
    assert stored_counts(b).equals(stored_counts(a))


# --- what the map reads ----------------------------------------------------------------------------


def test_a_period_is_read_as_its_points_exactly(project):
    from gridwatch.mapview.stored import DensityStore

    frame, xy = Project.open(project).read_point_layer("fire_point", columns=["detected_utc", "status"])
    last = pd.Timestamp(frame["detected_utc"].astype(object).max()).to_pydatetime()
    store = DensityStore(project)
    assert store.total == len(xy)
    # 7 days and 5 h back to 3 h before the last detection: cuts days at both ends, to the second
    for window in [(last - dt.timedelta(days=7, hours=5, minutes=17), last - dt.timedelta(hours=3)),
                   (last - dt.timedelta(days=30), None), (None, last), (last, None)]:
        want = in_window(frame["detected_utc"], window)
        got, got_xy = store.window_points(window)
        assert len(got) == want.sum() and want.sum() > 0
        assert sorted(map(tuple, got_xy)) == sorted(map(tuple, xy[want]))
        assert sorted(got["status"]) == sorted(frame["status"].astype(object)[want])


def test_the_stored_counts_of_a_level_are_every_point_binned(project):
    from gridwatch.mapview.stored import DensityStore

    _, xy = Project.open(project).read_point_layer("fire_point", columns=["status"])
    store = DensityStore(project)
    for level in density.LEVEL_CELLS:
        bins = store.bins(level)
        ix, iy = density.squares(xy, level)
        want = pd.Series(1, index=pd.MultiIndex.from_arrays([ix, iy])).groupby(level=[0, 1]).sum()
        got = pd.Series(bins.count, index=pd.MultiIndex.from_arrays([bins.ix, bins.iy])).sort_index()
        assert got.to_dict() == want.to_dict()
        # bin centres: half a square from the corner
        assert np.allclose(bins.xy[:, 0], (bins.ix + 0.5) * density.LEVEL_CELLS[level])
    # at most how many points a view holds: the coarse squares it touches hold them all
    minx, miny = np.percentile(xy, 30, axis=0)
    maxx, maxy = np.percentile(xy, 60, axis=0)
    inside = ((xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy)).sum()
    assert inside <= store.in_view((minx, miny, maxx, maxy)) <= len(xy)
    frame, view_xy = store.view_points((minx, miny, maxx, maxy))
    assert len(view_xy) == inside
