"""Patrol tracks: NMEA, GPX/KML/KMZ import, the track layer across a sync, coverage by track, 签到."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import gpxpy
import gpxpy.gpx
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from gridwatch.analysis.coverage import coverage_from_project
from gridwatch.analysis.track_coverage import signin_check, walks
from gridwatch.domain.policy import Actor, judge_row_change
from gridwatch.domain.tracks import TrackRules
from gridwatch.errors import BadInputFile, RefusedByRole
from gridwatch.importers.nmea import NmeaReader, checksum, read_nmea_log
from gridwatch.importers.tracks import import_track
from gridwatch.storage import Project
from gridwatch.storage.schema import SCHEMA_VERSION
from gridwatch.storage.tracks import TrackPoints, add_track, read_tracks, remove_track

from .conftest import clear_work

DATA = Path(__file__).parent / "data"
LOG = DATA / "patrol_walk.nmea"
BJ = dt.timezone(dt.timedelta(hours=8))


def _people(path):
    return Project.open(path).read_table("inspector")


def _actor(path, role, n=0) -> Actor:
    row = _people(path).query("role == @role").iloc[n]
    return Actor(row["uuid"], row["name"], role, row.get("township_code"))


def _count(path) -> int:
    with closing(sqlite3.connect(path)) as con:
        return con.execute("SELECT COUNT(*) FROM track_point").fetchone()[0]


# --- NMEA -----------------------------------------------------------------------------------------


def test_real_sentences_parse_and_garbled_ones_are_dropped():
    # a u-blox receiver's GGA + RMC pair (checksums as the receiver sent them)
    gga = "$GPGGA,092750.000,5321.6802,N,00630.3372,W,1,8,1.03,61.7,M,55.2,M,,*76"
    rmc = "$GPRMC,092750.000,A,5321.6802,N,00630.3372,W,0.02,31.66,280511,,,A*43"
    r = NmeaReader()
    assert r.feed(gga) is None
    fix = r.feed(rmc)
    assert fix is not None
    assert fix.time == dt.datetime(2011, 5, 28, 9, 27, 50, tzinfo=dt.timezone.utc)
    assert fix.lat == pytest.approx(53.361337, abs=1e-6) and fix.lon == pytest.approx(-6.505620, abs=1e-6)
    assert fix.accuracy_m == pytest.approx(5.2, abs=0.1) and fix.satellites == 8  # HDOP 1.03 x 5 m
    assert checksum("GPRMC,092750.000,A,5321.6802,N,00630.3372,W,0.02,31.66,280511,,,A") == "43"
    # one byte flipped on the serial line: dropped, counted
    assert r.feed(rmc.replace("5321.6802", "5321.6812")) is None and r.bad_checksums == 1
    # no fix yet (status V): nothing
    assert r.feed("$GPRMC,092751.000,V,,,,,,,280511,,,N*" + checksum("GPRMC,092751.000,V,,,,,,,280511,,,N")) is None


def test_the_shipped_log_is_a_walk_through_the_sample_district(sample_path):
    """tests/data/patrol_walk.nmea (tools/make_nmea_log.py): every line is a checked sentence, the fixes are
    5 s apart at walking pace and stay in the cells of one inspector of the sample."""
    lines = LOG.read_text(encoding="ascii").splitlines()
    assert all(line.startswith("$GN") and line[-3] == "*" for line in lines)
    fixes = read_nmea_log(LOG)
    assert len(fixes) == len(lines) // 2 > 300
    steps = {(b.time - a.time).total_seconds() for a, b in zip(fixes, fixes[1:])}
    assert steps == {5.0}
    cells = Project.open(sample_path).read_layer("grid_cell")
    pts = gpd.GeoSeries(gpd.points_from_xy([f.lon for f in fixes], [f.lat for f in fixes]), crs=4490)
    hit = gpd.sjoin(gpd.GeoDataFrame(geometry=pts), cells[["inspector_uuid", "geometry"]], predicate="within")
    assert hit["inspector_uuid"].nunique() <= 3 and len(hit) >= 0.95 * len(fixes)


def test_a_file_that_is_not_nmea_is_refused_with_its_line(tmp_path):
    bad = tmp_path / "walk.nmea"
    bad.write_text(LOG.read_text().splitlines()[0] + "\nlatitude,longitude\n", encoding="ascii")
    with pytest.raises(BadInputFile, match=r"walk.nmea, line 2: not an NMEA 0183 sentence"):
        read_nmea_log(bad)


# --- import ---------------------------------------------------------------------------------------


def _gpx(path: Path, start: dt.datetime, n: int, lon=114.30, lat=38.09, step=1e-4, times=True) -> Path:
    g = gpxpy.gpx.GPX()
    trk = gpxpy.gpx.GPXTrack(name="巡查 两步路")
    seg = gpxpy.gpx.GPXTrackSegment()
    for i in range(n):
        seg.points.append(gpxpy.gpx.GPXTrackPoint(lat + i * step, lon + i * step,
                                                  time=start + dt.timedelta(seconds=10 * i) if times else None))
    trk.segments.append(seg)
    g.tracks.append(trk)
    path.write_text(g.to_xml(), encoding="utf-8")
    return path


def _kml(start: dt.datetime, n: int) -> str:
    whens = "".join(f"<when>{(start + dt.timedelta(seconds=10 * i)).isoformat()}</when>" for i in range(n))
    coords = "".join(f"<gx:coord>{114.30 + i * 1e-4} {38.09 + i * 1e-4} 80</gx:coord>" for i in range(n))
    return ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2" '
            'xmlns:gx="http://www.google.com/kml/ext/2.2"><Document><name>六只脚轨迹</name><Placemark>'
            f'<name>巡查</name><gx:Track>{whens}{coords}</gx:Track></Placemark></Document></kml>')


@pytest.fixture
def bare(tmp_path, sample_path):
    path = tmp_path / "p.gpkg"
    shutil.copyfile(sample_path, path)
    return clear_work(path)


def test_gpx_kml_and_kmz_import_for_a_person_and_day(bare, tmp_path):
    ins = _actor(bare, "inspector")
    day = dt.date(2026, 11, 20)
    start = dt.datetime(2026, 11, 20, 8, 0, tzinfo=BJ)
    gpx = _gpx(tmp_path / "a.gpx", start - dt.timedelta(hours=3), 40)  # 05:00-05:06:30 Beijing
    track, n = import_track(bare, ins, gpx, inspector_uuid=ins.uuid, day=day)
    assert n == 40 and _count(bare) == 40
    got = read_tracks(bare, inspector_uuids=[ins.uuid])
    assert got["recorded_at"].min() == pd.Timestamp("2026-11-19 21:00:00", tz="UTC")
    assert got["lon"].iloc[0] == pytest.approx(114.30) and set(got["source"]) == {"gpx"}
    kml = tmp_path / "b.kml"
    kml.write_text(_kml(start, 25), encoding="utf-8")
    assert import_track(bare, ins, kml, inspector_uuid=ins.uuid)[1] == 25
    kmz = tmp_path / "c.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.writestr("doc.kml", _kml(start + dt.timedelta(hours=2), 15))
    assert import_track(bare, ins, kmz, inspector_uuid=ins.uuid, day=day)[1] == 15
    assert _count(bare) == 80
    # a day the file does not hold: nothing written, the days it holds named
    with pytest.raises(BadInputFile, match="no point on 2026-11-21 .* holds 2026-11-20"):
        import_track(bare, ins, kml, inspector_uuid=ins.uuid, day=dt.date(2026, 11, 21))
    assert _count(bare) == 80
    # removing the imported track takes all its points
    assert remove_track(bare, ins, track) == 40 and _count(bare) == 40


@pytest.mark.parametrize("name, content, message", [
    ("cut.gpx", None, "not a valid GPX file"),
    ("notimes.gpx", "notimes", "none has a time"),
    ("line.kml", '<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><LineString><coordinates>114.3,38.1 '
                 '114.31,38.11</coordinates></LineString></Placemark></kml>', "line.s. without times"),
    ("broken.kml", "<kml><Placemark><gx:Track>", "not valid KML"),
    ("other.kml", "<gpx></gpx>", "not a KML document"),
    ("fake.kmz", "this is no zip", "not a KMZ"),
    ("track.csv", "a,b", "not a track file GridWatch reads"),
    ("far.gpx", "far", "not longitude/latitude"),
])
def test_bad_track_files_get_one_clear_line_and_nothing_is_written(bare, tmp_path, name, content, message):
    ins = _actor(bare, "inspector")
    path = tmp_path / name
    start = dt.datetime(2026, 11, 20, 8, 0, tzinfo=BJ)
    if content is None:
        good = _gpx(tmp_path / "good.gpx", start, 30).read_text()
        path.write_text(good[: len(good) // 2], encoding="utf-8")
    elif content == "notimes":
        _gpx(path, start, 5, times=False)
    elif content == "far":
        _gpx(path, start, 5, lon=500000.0, lat=4200000.0)
    else:
        path.write_text(content, encoding="utf-8")
    before = Path(bare).read_bytes()
    with pytest.raises(BadInputFile, match=message) as err:
        import_track(bare, ins, path, inspector_uuid=ins.uuid)
    assert name in str(err.value) and "\n" not in str(err.value)
    assert Path(bare).read_bytes() == before  # nothing written, not even an audit row


def test_who_may_record_tracks(bare, tmp_path):
    ins = _actor(bare, "inspector", 0)
    other = _actor(bare, "inspector", 1)
    sup = _actor(bare, "supervisor")
    gpx = _gpx(tmp_path / "a.gpx", dt.datetime(2026, 11, 20, 8, tzinfo=BJ), 10)
    with pytest.raises(RefusedByRole, match="only record or remove their own patrol tracks"):
        import_track(bare, other, gpx, inspector_uuid=ins.uuid)
    assert _count(bare) == 0
    import_track(bare, sup, gpx, inspector_uuid=ins.uuid)  # the office imports a phone's track for them
    row = {"inspector_uuid": ins.uuid, "source": "gps"}
    assert judge_row_change(ins, "track_point", "insert", None, row) is None
    assert judge_row_change(other, "track_point", "insert", None, row).key == "track.other"
    assert judge_row_change(sup, "track_point", "update", row, {"geom": b"x"}).key == "track.no_edit"
    assert judge_row_change(ins, "track_point", "update", row, {"recorded_at": "x"}).key == "track.no_edit"
    # removing: the inspector their own, a supervisor any; a chief only imported ones (a recording is evidence)
    chief = _actor(bare, "chief")
    assert judge_row_change(ins, "track_point", "delete", row, None) is None
    assert judge_row_change(other, "track_point", "delete", row, None).key == "track.other"
    assert judge_row_change(sup, "track_point", "delete", row, None) is None
    assert judge_row_change(chief, "track_point", "delete", row, None).key == "track.other"
    assert judge_row_change(chief, "track_point", "delete", {**row, "source": "gpx"}, None) is None


def test_a_50000_point_track_is_written_in_one_go(bare):
    ins = _actor(bare, "inspector")
    n = 50_000
    t0 = np.datetime64("2026-11-20T00:00:00", "ns")
    pts = TrackPoints(114.3 + np.arange(n) * 1e-6, 38.09 + np.arange(n) * 1e-6,
                      t0 + np.arange(n).astype("timedelta64[s]"), np.full(n, 4.0))
    add_track(bare, ins, pts, inspector_uuid=ins.uuid, source="gps")
    assert _count(bare) == n
    with closing(sqlite3.connect(bare)) as con:
        assert con.execute("SELECT COUNT(*) FROM rtree_track_point_geom").fetchone()[0] == n
        assert con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'track_point'"
                           ).fetchone()[0] == n


# --- migration and sync ---------------------------------------------------------------------------


def test_a_schema_4_project_gains_the_track_layer(tmp_path, gpkg_validator):
    path = tmp_path / "v2.gpkg"
    shutil.copyfile(DATA / "project_schema_v2.gpkg", path)
    project = Project.open(path, migrate=True)
    assert project.schema_version == SCHEMA_VERSION  # upgraded through 5 (tracks) to the current schema
    assert project.read_layer("track_point").empty
    with closing(sqlite3.connect(path)) as con:
        assert con.execute("SELECT data_type, srs_id FROM gpkg_contents WHERE table_name = 'track_point'"
                           ).fetchone() == ("features", 4490)
        assert con.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'idx_track_point_uuid'").fetchone()[0]
    gpkg_validator(path)


def test_a_track_recorded_on_a_laptop_travels_through_the_sync(tmp_path, sample_path, monkeypatch):
    from gridwatch.sync import checkout, engine, sync

    monkeypatch.setattr(engine, "COMPACT_AFTER", 0)
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)
    clear_work(shared)
    ins = _actor(shared, "inspector")
    sup = _actor(shared, "supervisor")
    (tmp_path / "f").mkdir()
    (tmp_path / "o").mkdir()
    field = checkout(shared, tmp_path / "f" / "p.gpkg", ins.name)
    office = checkout(shared, tmp_path / "o" / "p.gpkg", sup.name)
    fixes = read_nmea_log(LOG)
    pts = TrackPoints.from_lists([f.lon for f in fixes], [f.lat for f in fixes], [f.time for f in fixes],
                                 [f.accuracy_m for f in fixes])
    add_track(field, ins, pts, inspector_uuid=ins.uuid, source="gps")
    report = sync(field)
    assert report.refused == 0 and report.sent >= len(fixes)
    sync(office)
    got = read_tracks(office)
    assert len(got) == len(fixes) and set(got["inspector_uuid"]) == {ins.uuid}
    # another inspector's hand-made track point is refused at sync and stays on their laptop
    other = _actor(shared, "inspector", 1)
    (tmp_path / "g").mkdir()
    g = checkout(shared, tmp_path / "g" / "p.gpkg", other.name)
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    with closing(connect_readwrite(g)) as con, transaction(con):
        con.execute("UPDATE track_point SET recorded_at = '2026-01-01T00:00:00.000Z' "
                    "WHERE fid = (SELECT MIN(fid) FROM track_point)")
    r = sync(g)
    assert r.refused == 1 and "patrol tracks are not edited" in r.messages[0]


def test_a_removed_track_is_one_audited_undoable_edit_and_travels_through_the_sync_as_a_delete(
        tmp_path, sample_path, monkeypatch):
    from gridwatch.app.session import Session
    from gridwatch.storage.tracks import remove_track_edit
    from gridwatch.sync import checkout, engine, sync

    monkeypatch.setattr(engine, "COMPACT_AFTER", 0)  # the shared file itself holds every sync's result

    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)
    clear_work(shared)
    ins, other = _actor(shared, "inspector", 0), _actor(shared, "inspector", 1)
    sup = _actor(shared, "supervisor")
    fixes = read_nmea_log(LOG)
    pts = TrackPoints.from_lists([f.lon for f in fixes], [f.lat for f in fixes], [f.time for f in fixes],
                                 [f.accuracy_m for f in fixes])
    track = add_track(shared, ins, pts, inspector_uuid=ins.uuid, source="gps")
    for d in ("f", "o", "g"):
        (tmp_path / d).mkdir()
    field = checkout(shared, tmp_path / "f" / "p.gpkg", ins.name)
    office = checkout(shared, tmp_path / "o" / "p.gpkg", sup.name)
    g = checkout(shared, tmp_path / "g" / "p.gpkg", other.name)
    # another inspector may not remove it: refused, nothing written
    with pytest.raises(RefusedByRole, match="only record or remove their own patrol tracks"):
        remove_track_edit(g, other, track)
    assert _count(g) == len(fixes)
    # the supervisor removes it in the app: one edit, one audit row naming the track
    session = Session(office, sup.name)
    edit = session.run(remove_track_edit, track)
    assert len(edit) == len(fixes) and _count(office) == 0
    with closing(sqlite3.connect(office)) as con:
        rows = con.execute("SELECT action, user_name, row_uuid, details FROM audit_log WHERE table_name = 'track_point'"
                           " AND action LIKE '%remove track%'").fetchall()
    assert len(rows) == 1 and rows[0][:3] == ("remove track", sup.name, None)
    assert f'"track_uuid": "{track}"' in rows[0][3] and f'"points": {len(fixes)}' in rows[0][3]
    # undone: every point is back as it was (same uuids), with one audit row again
    before = set(read_tracks(field)["uuid"])
    session.undo()
    assert set(read_tracks(office)["uuid"]) == before and _count(office) == len(fixes)
    session.redo()
    assert _count(office) == 0
    # the sync carries the removal as deletes: the shared project and the inspector's laptop lose the track
    report = sync(office)
    assert report.refused == 0 and report.sent >= len(fixes)
    assert _count(shared) == 0
    sync(field)
    assert _count(field) == 0


# --- coverage by track ----------------------------------------------------------------------------


def _cell_and_tracks():
    """One 400 m x 400 m cell near 114.3E 38.1N and tracks of one person through it."""
    lon0, lat0 = 114.30, 38.10
    dlon, dlat = 400 / (111320 * np.cos(np.radians(lat0))), 400 / 111320
    cells = gpd.GeoDataFrame({"code": ["130110001001001", "130110001001002"]},
                             geometry=[box(lon0, lat0, lon0 + dlon, lat0 + dlat),
                                       box(lon0 + dlon, lat0, lon0 + 2 * dlon, lat0 + dlat)], crs=4490)
    return cells, lon0, lat0, dlon, dlat


def _track(lons, lats, start, step_s=10.0, who="p1"):
    t = pd.to_datetime([start + dt.timedelta(seconds=step_s * i) for i in range(len(lons))], utc=True)
    return pd.DataFrame({"inspector_uuid": who, "recorded_at": t, "lon": lons, "lat": lats})


def test_coverage_by_track_on_a_hand_made_cell_and_track():
    cells, lon0, lat0, dlon, dlat = _cell_and_tracks()
    rules = TrackRules(min_minutes=10, min_fraction=0.3, buffer_m=50)
    start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=BJ)
    # 12 minutes pottering about the middle of cell 1 (a few metres apart): walked by time
    n = 73
    stay = _track(lon0 + dlon / 2 + np.linspace(0, dlon / 20, n), np.full(n, lat0 + dlat / 2), start)
    w = walks(cells, stay, rules)
    row = w.set_index("cell_code").loc["130110001001001"]
    assert row["minutes"] == pytest.approx(12.0) and row["walked"] and row["fraction"] < 0.3
    assert row["day"] == dt.date(2026, 11, 20)
    # 5 minutes only: not walked
    short = stay.iloc[:31]
    assert not walks(cells, short, rules).set_index("cell_code").loc["130110001001001", "walked"]
    # three people sweep along cell 2 at three heights, 2 s a point: little time in it, but their
    # 100 m bands cover three quarters of it
    m = 60
    sweep = pd.concat([_track(np.linspace(lon0 + dlon, lon0 + 2 * dlon, m), np.full(m, lat0 + dlat * f),
                              start + dt.timedelta(hours=2), step_s=2.0, who=f"p{k}")
                       for k, f in enumerate((0.2, 0.5, 0.8))], ignore_index=True)
    w2 = walks(cells, sweep, rules).set_index("cell_code").loc["130110001001002"]
    assert w2["minutes"] < 10 and w2["fraction"] == pytest.approx(0.75, abs=0.1) and w2["walked"]
    # a gap longer than max_gap_s does not count as time in the cell
    gap = _track(np.full(3, lon0 + dlon / 2), np.full(3, lat0 + dlat / 2), start, step_s=3600)
    assert walks(cells, gap, rules)["minutes"].sum() == 0


def test_signin_check_flags_inspections_with_no_track_near():
    cells, lon0, lat0, dlon, dlat = _cell_and_tracks()
    start = dt.datetime(2026, 11, 20, 9, 0, tzinfo=BJ)
    tracks = _track(np.full(10, lon0 + dlon / 2), np.full(10, lat0 + dlat / 2), start)
    far = _track(np.full(10, lon0 + 0.1), np.full(10, lat0 + 0.1), start, who="p2")
    ins = pd.DataFrame({
        "uuid": ["a", "b", "c", "d"],
        "cell_code": ["130110001001001", "130110001001001", "130110001001002", "130110001001001"],
        "inspector_uuid": ["p1", "p1", "p2", "p3"],
        "started_at": [start.isoformat(), (start + dt.timedelta(hours=5)).isoformat(), start.isoformat(),
                       start.isoformat()],
        "finished_at": [None] * 4,
    })
    out = signin_check(cells, ins, pd.concat([tracks, far], ignore_index=True), TrackRules()).set_index("uuid")
    assert out.loc["a", "signed_in"] and out.loc["a", "nearest_m"] == 0.0
    assert not out.loc["b", "signed_in"] and out.loc["b", "track_points"] == 0  # hours later: no track then
    assert not out.loc["c", "signed_in"] and out.loc["c", "nearest_m"] > 5000  # a track, but 10 km away
    assert not out.loc["d", "signed_in"]  # no track at all


def test_coverage_panel_numbers_by_basis(bare):
    """The replayed walk makes its cells walked; basis 'tracks' counts them, 'both' adds the inspections."""
    ins = _actor(bare, "inspector")
    fixes = read_nmea_log(LOG)
    pts = TrackPoints.from_lists([f.lon for f in fixes], [f.lat for f in fixes], [f.time for f in fixes])
    person = Project.open(bare).read_layer("grid_cell").sort_values("code")["inspector_uuid"].dropna().iloc[0]
    add_track(bare, _actor(bare, "supervisor"), pts, inspector_uuid=person, source="gps")
    now = fixes[-1].time + dt.timedelta(hours=1)
    reported = coverage_from_project(bare, now=now, basis="reported")
    by_track = coverage_from_project(bare, now=now, basis="tracks")
    assert reported.cells["inspections_7d"].sum() == 0  # the work was cleared
    walked = by_track.cells[by_track.cells["inspections_7d"] > 0]
    assert 1 <= len(walked) <= 20 and set(walked["inspector_uuid"]) <= {person, *by_track.cells["inspector_uuid"]}
    both = coverage_from_project(bare, now=now, basis="both")
    assert both.cells["inspections_7d"].sum() == by_track.cells["inspections_7d"].sum()
    assert ins.role == "inspector"


# --- command line -----------------------------------------------------------------------------------


def test_track_and_basemap_commands(bare, tmp_path, capsys, realdata):
    from gridwatch.cli import main

    sup = _actor(bare, "supervisor")
    cells = Project.open(bare).read_layer("grid_cell").sort_values("code")
    person = _people(bare).set_index("uuid").loc[cells["inspector_uuid"].dropna().iloc[0], "name"]
    assert main(["track", "import", str(bare), str(LOG), "--person", person, "--user", sup.name]) == 0
    assert f"imported {len(read_nmea_log(LOG))} points of {person}" in capsys.readouterr().out
    assert main(["track", "list", str(bare)]) == 0
    listed = capsys.readouterr().out
    assert person in listed and "gps" in listed
    # a bad file: one line, exit 2, nothing written
    bad = tmp_path / "bad.gpx"
    bad.write_text("<gpx><trk>", encoding="utf-8")
    before = Path(bare).read_bytes()
    assert main(["track", "import", str(bare), str(bad), "--person", person, "--user", sup.name]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bad.gpx: not a valid GPX file" in err
    assert Path(bare).read_bytes() == before
    out = tmp_path / "cov.csv"
    # the walk's day is fixed in the log: a period of ten years reaches it whatever today is
    assert main(["export", "coverage", str(bare), "--out", str(out), "--basis", "tracks", "--days", "3650"]) == 0
    walked = pd.read_csv(out)
    assert walked["近3650天已检查网格"].sum() >= 5  # the replayed walk's cells count
    png = tmp_path / "cov.png"
    assert main(["export", "map", str(bare), "--out", str(png), "--theme", "coverage", "--coverage-basis", "tracks",
                 "--dpi", "60", "--quiet"]) == 0 and png.stat().st_size > 1000
    # the extract is of England: refused for this district with a line saying so
    assert main(["basemap", "add", str(bare), str(realdata / "osm" / "sample.osm.pbf")]) == 2
    assert "no roads, rivers, water or settlements within" in capsys.readouterr().err
    assert main(["basemap", "list", str(bare)]) == 0 and "no basemaps" in capsys.readouterr().out


def test_old_tracks_go_after_the_retention_only_for_their_owner(bare):
    from gridwatch.storage.tracks import prune_tracks

    ins, other = _actor(bare, "inspector", 0), _actor(bare, "inspector", 1)
    now = dt.datetime(2026, 12, 6, 12, tzinfo=dt.timezone.utc)
    for who, days in ((ins, 50), (ins, 5), (other, 50)):
        t = [now - dt.timedelta(days=days, seconds=10 * i) for i in range(10)]
        add_track(bare, who, TrackPoints.from_lists([114.3] * 10, [38.1] * 10, t), inspector_uuid=who.uuid,
                  source="gps")
    assert prune_tracks(bare, ins, 30, now=now) == 10
    left = read_tracks(bare)
    assert len(left) == 20 and len(left[left["inspector_uuid"] == other.uuid]) == 10
    assert prune_tracks(bare, ins, 0, now=now) == 0  # 0 keeps them for ever


def test_the_html_map_colours_cells_walked_by_track_when_asked(bare, tmp_path):
    """The web map's coverage colours can count patrol tracks (issue 20: "map and exports can use reported
    inspections, tracks, or both"): the replayed walk's cells read as patrolled with basis 'tracks'."""
    from gridwatch.cli import main
    from gridwatch.export.html_layers import build_layers

    fixes = read_nmea_log(LOG)
    pts = TrackPoints.from_lists([f.lon for f in fixes], [f.lat for f in fixes], [f.time for f in fixes])
    person = Project.open(bare).read_layer("grid_cell").sort_values("code")["inspector_uuid"].dropna().iloc[0]
    add_track(bare, _actor(bare, "supervisor"), pts, inspector_uuid=person, source="gps")
    now = fixes[-1].time + dt.timedelta(hours=1)

    def states(basis):
        layers, _facts = build_layers(bare, layers=["grid_cell"], now=now, coverage_basis=basis)
        cells = next(layer for layer in layers if layer.key == "grid_cell")
        return dict(zip(cells.values[0], cells.values[cells.labels.index("巡查状态")]))

    reported, tracks, both = states("reported"), states("tracks"), states("both")
    walked = {code for code, state in tracks.items() if state != "从未检查"}
    assert 1 <= len(walked) <= 20
    assert all(reported[code] == "从未检查" for code in walked)  # the work was cleared: only the walk counts
    assert {code for code, state in both.items() if state != "从未检查"} == walked
    out = tmp_path / "walked.html"
    assert main(["export", "html", str(bare), "--out", str(out), "--coverage-basis", "tracks"]) == 0
    assert out.stat().st_size > 10_000
    from gridwatch.export.files import ExportError
    from gridwatch.export.html import export_html

    with pytest.raises(ExportError, match="coverage basis 'walked': choose reported, tracks, both"):
        export_html(bare, tmp_path / "bad.html", coverage_basis="walked")
    assert not (tmp_path / "bad.html").exists()
