"""Persistent heat sources among fire points: recognised on a hand-made series, kept from the import on,
drawn apart and left out of straw-burning counts unless a check confirms burning (issue 15)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import numpy as np
import pandas as pd

from gridwatch.analysis import stats
from gridwatch.domain.heat_sources import beijing_days, counts_as_burning, heat_sources
from gridwatch.importers.pipeline import ImportOptions, import_file
from gridwatch.mapview.data import prepare_point_layer
from gridwatch.storage import Project

KILN = (114.3000, 38.1000)
M = 1 / 111_000  # about a metre in degrees of latitude


def series(*places: tuple[tuple[float, float], list[int], float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lon, lat, day) of detections: each place detected on its days, scattered by ``jitter`` metres."""
    rng = np.random.default_rng(7)
    lon, lat, day = [], [], []
    for (x, y), days, jitter in places:
        for d in days:
            lon.append(x + rng.normal(0, jitter) * M * 1.27)
            lat.append(y + rng.normal(0, jitter) * M)
            day.append(d)
    return np.array(lon), np.array(lat), np.array(day)


def test_a_kiln_seen_day_after_day_is_a_heat_source_straw_fires_are_not():
    kiln = (KILN, [100, 102, 103, 107, 110, 118], 120.0)  # six days within three weeks, ~120 m scatter
    straw = ((114.35, 38.05), [104, 104, 105], 250.0)  # a field burning over two days
    near = ((KILN[0] + 0.03, KILN[1]), [103], 100.0)  # a straw fire 2.6 km from the kiln
    lon, lat, day = series(kiln, straw, near)
    flags = heat_sources(lon, lat, day)
    assert flags.tolist() == [True] * 6 + [False] * 4


def test_the_days_must_be_many_close_together_and_over_weeks():
    five = (KILN, [1, 5, 9, 13, 17], 100.0)  # five days: not yet a pattern
    spread = ((114.4, 38.2), [0, 12, 24, 36, 48, 60], 100.0)  # six days, but never six within 30 days
    burst = ((114.45, 38.25), [40, 41, 42, 43, 44, 45], 200.0)  # neighbouring fields burning, day after day
    lon, lat, day = series(five, spread, burst)
    assert not heat_sources(lon, lat, day).any()
    lon, lat, day = series((KILN, [1, 5, 9, 13, 17, 20], 100.0))
    assert heat_sources(lon, lat, day).all()


def test_firms_type_2_is_a_heat_source_at_once_and_burning_confirmed_still_counts():
    lon, lat, day = series(((114.2, 38.0), [3], 0.0), ((114.25, 38.0), [3], 0.0))
    flags = heat_sources(lon, lat, day, np.array([2.0, np.nan]))
    assert flags.tolist() == [True, False]
    assert counts_as_burning(flags, np.array(["no_burning", "unverified"], dtype=object)).tolist() == [False, True]
    assert counts_as_burning(flags, np.array(["burning_confirmed", "unverified"], dtype=object)).tolist() == [True,
                                                                                                             True]
    # Beijing days: 17:00 UTC is already the next day in Beijing
    t = np.array(["2026-11-03T15:59:00", "2026-11-03T16:00:00"], dtype="datetime64[s]")
    assert (beijing_days(t)[1] - beijing_days(t)[0]) == 1


def _firms_csv(path, rows) -> None:
    head = "latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,instrument,confidence,version," \
           "bright_t31,frp,daynight,type\n"
    path.write_text(head + "".join(
        f"{lat:.5f},{lon:.5f},330.1,1.0,1.0,{d},0530,Aqua,MODIS,80,6.1NRT,290.0,12.5,D,{t}\n"
        for lon, lat, d, t in rows), encoding="utf-8")


def test_imported_detections_are_recognised_drawn_apart_and_left_out_of_counts(tmp_path, bare_copy):
    """A FIRMS file with a kiln seen on six days and one type-2 detection, imported into the sample."""
    cells = Project.open(bare_copy).read_layer("grid_cell")
    inside = cells.geometry.iloc[200].representative_point()
    other = cells.geometry.iloc[1500].representative_point()
    start = dt.date.today() - dt.timedelta(days=20)
    rows = [(inside.x + 0.0005 * (i % 2), inside.y, (start + dt.timedelta(days=2 * i)).isoformat(), 0)
            for i in range(6)]
    rows.append((other.x, other.y, (start + dt.timedelta(days=3)).isoformat(), 2))
    src = tmp_path / "firms.csv"
    _firms_csv(src, rows)
    people = Project.open(bare_copy).read_table("inspector")
    sup = people[people["role"] == "supervisor"]["name"].iloc[0]
    import_file(bare_copy, src, ImportOptions(kind="fire_point", user=sup))
    with closing(sqlite3.connect(bare_copy)) as con:
        got = pd.read_sql("SELECT uuid, source_type, heat_source, status FROM fire_point ORDER BY fid DESC LIMIT 7", con)
        audit = con.execute("SELECT details FROM audit_log WHERE action = 'import' ORDER BY fid DESC").fetchone()[0]
    assert got["heat_source"].sum() == 7 and sorted(got["source_type"].tolist()) == [0] * 6 + [2]
    assert '"heat_sources_changed"' in audit
    # drawn as a heat source, unless a check confirmed burning
    frame, xy = Project.open(bare_copy).read_point_layer("fire_point")
    layer = prepare_point_layer("fire_point", frame, xy)
    kind = np.array(layer.categories, dtype=object)[layer.category]
    new = frame["uuid"].isin(got["uuid"]).to_numpy()
    assert set(kind[new]) == {"heat_source"}
    # left out of the fire counts: the week's follow-up counts them apart
    f = stats.read_frames(bare_copy)
    now = dt.datetime.now(dt.timezone.utc)
    follow = stats.fire_followup(f.fire_points, f.assignments, now, period=(now - dt.timedelta(days=30), now))
    assert follow.heat_sources >= 7
    assert not set(got["uuid"]) & set(stats.straw_fires(f.fire_points)[0]["uuid"])
