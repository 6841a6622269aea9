"""A laptop keeps recording its patrol track and drawing its map while it syncs with the shared folder.

The sync writes the working copy with pygeodiff (its own SQLite), the track writer with Python's
``sqlite3``, the map reads with GDAL's: three SQLite libraries in one process, whose locks cannot see
each other (see gridwatch.storage.gate).  Nothing may be lost or damaged, and nothing may fail.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from contextlib import closing

from gridwatch.storage import Project
from gridwatch.storage.tracks import TrackPoints, add_track, read_tracks
from gridwatch.storage.workflow import create_assignments
from gridwatch.sync import sync

from .test_sync import NOW, actor, office  # noqa: F401 - fixture

TRACK = 30


def _count(path, table: str) -> int:
    with closing(sqlite3.connect(path)) as con:
        return con.execute("SELECT COUNT(*) FROM " + table).fetchone()[0]  # noqa: S608 - fixed names


def test_tracks_recorded_and_the_map_drawn_during_syncs_are_all_kept_and_sent(office):  # noqa: F811
    shared, laptop = office
    sup, sup2 = actor(shared, "supervisor"), actor(shared, "supervisor", 1)
    ins = actor(shared, "inspector")
    field, desk = laptop("field", sup.name), laptop("desk", sup2.name)
    cells = list(Project.open(shared).read_layer("grid_cell", columns=["code"])["code"].astype(str))
    stop = threading.Event()
    errors: list[str] = []
    tracks = [0]
    reads = [0]
    t0 = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.timezone.utc)

    def record() -> None:  # the field panel's GPS recorder: a track written every few hundred ms
        while not stop.is_set():
            i = tracks[0]
            times = [t0 + dt.timedelta(minutes=i, seconds=s) for s in range(TRACK)]
            pts = TrackPoints.from_lists([114.3 + 1e-5 * s for s in range(TRACK)], [38.1] * TRACK, times)
            try:
                add_track(field, sup, pts, inspector_uuid=ins.uuid, source="gps")
                tracks[0] += 1
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(f"track {i}: {exc}")
            time.sleep(0.05)

    def draw() -> None:  # the map and the track panel reading the working copy
        project = Project.open(field)
        while not stop.is_set():
            try:
                assert len(project.read_layer("grid_cell", columns=["code"])) == len(cells)
                assert len(read_tracks(field)) % TRACK == 0, "a track read half written"
                reads[0] += 1
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(f"read: {exc}")

    threads = [threading.Thread(target=record), threading.Thread(target=draw)]
    for t in threads:
        t.start()
    try:
        for round_ in range(3):
            # the office assigns a batch of cells; the field laptop syncs them in while it records
            create_assignments(desk, sup2, cells[200 * round_:200 * (round_ + 1)], "patrol", now=NOW)
            sync(desk)
            report = sync(field)
            assert report.received >= 200
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not errors, errors[:3]
    assert tracks[0] >= 5 and reads[0] >= 5
    with closing(sqlite3.connect(field)) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _count(field, "track_point") == TRACK * tracks[0]  # every track written during the syncs is kept
    assert _count(field, "assignment") == 600
    sync(field)  # ... and sent: the office gets them all
    sync(desk)
    assert _count(desk, "track_point") == TRACK * tracks[0]
