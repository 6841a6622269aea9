"""Screenshots of the field features for README.md: a raster basemap with a replayed GPS position and a
patrol track, and the OpenStreetMap basemap.

Run under a virtual screen, from the checkout:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tools/field_screenshots.py --size 1366x768
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python tools/field_screenshots.py --size 1600x1000

``docs/field-raster-<W>.png``: the sample district (its first-run copy) over a tile package made by
:func:`gridwatch.basemap.demo.demo_tiles` (a generated test pattern with each tile's z/x/y, not
imagery), the walk of tests/data/patrol_walk.nmea imported as the inspector's track and replayed as
the GPS position (accuracy circle, the cell I am in).  ``docs/field-tracks-<W>.png``: the sample's
own patrol tracks of everybody on its busiest recent day where they are densest, with the cells of the
visits the 签到 check finds no track near highlighted.  ``docs/field-osm-<W>.png``: a small demo grid
laid over the real OpenStreetMap extract ../shared/realdata/osm/sample.osm.pbf (Welwyn Garden City,
England: the only real extract at hand; © OpenStreetMap contributors, ODbL) with it as the basemap.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1366x768")
    ap.add_argument("--lang", default="zh_CN")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gridwatch-field-"))
    os.environ["GRIDWATCH_CONFIG_DIR"] = str(tmp / "config")
    os.environ["GRIDWATCH_DATA_DIR"] = str(tmp / "data")
    from screenshot import _rendered, _wait  # type: ignore[import-not-found]

    from gridwatch.basemap import add_basemap
    from gridwatch.basemap.demo import demo_tiles, grid_district
    from gridwatch.importers.nmea import read_nmea_log
    from gridwatch.storage import Project, queries
    from gridwatch.storage.tilepackages import write_mbtiles
    from gridwatch.storage.tracks import TrackPoints, add_track
    from gridwatch.ui.app import create_app, create_window, make_settings
    from gridwatch.userdata import ensure_sample_project

    width = args.size.split("x")[0]
    log = ROOT / "tests" / "data" / "patrol_walk.nmea"
    path = Path(ensure_sample_project())
    project = Project.open(path)
    cells = project.read_layer("grid_cell").sort_values("code")
    person = str(cells["inspector_uuid"].dropna().iloc[0])
    people = queries.people(path).set_index("uuid")
    fixes = read_nmea_log(log)
    sup = people[people["role"] == "supervisor"].iloc[0]
    from gridwatch.domain.policy import Actor

    add_track(path, Actor(str(people.index[people["role"] == "supervisor"][0]), str(sup["name"]), "supervisor"),
              TrackPoints.from_lists([f.lon for f in fixes], [f.lat for f in fixes], [f.time for f in fixes],
                                     [f.accuracy_m for f in fixes]), inspector_uuid=person, source="gps")
    bbox = tuple(float(v) for v in cells.total_bounds)
    lon0, lat0 = fixes[0].lon, fixes[0].lat
    near = (lon0 - 0.02, lat0 - 0.015, lon0 + 0.02, lat0 + 0.015)
    tiles = demo_tiles(bbox, range(9, 13))
    tiles.update(demo_tiles(near, range(13, 16)))
    mb = write_mbtiles(tmp / "演示瓦片.mbtiles", {"name": "演示瓦片 (generated test tiles)", "format": "png",
                                                 "minzoom": "9", "maxzoom": "15"}, tiles)
    add_basemap(path, mb, name="演示瓦片")

    app = create_app()
    settings = make_settings()
    settings.setValue("language", args.lang)
    settings.setValue("user", str(people.loc[person, "name"]))
    settings.setValue("ask_user_on_start", False)
    settings.sync()
    window = create_window(path)
    w, h = (int(v) for v in args.size.split("x"))
    window.resize(w, h)
    window.show()
    _wait(lambda: window.data is not None)
    window.choose_basemap(1)
    window.field_panel.show()
    window.field_panel.raise_()
    fp = window.field_panel
    fp.person_combo.setCurrentIndex(max(0, fp.person_combo.findData(person)))
    from PySide6.QtCore import QDate

    from gridwatch.times import BEIJING

    day = fixes[0].time.astimezone(BEIJING).date()
    fp.day_edit.setDate(QDate(day.year, day.month, day.day))
    window.show_tracks()
    _wait(lambda: len(window.gps_overlay.tracks) == 1)
    window.start_gps("replay", str(log))
    _wait(lambda: window.gps.last is not None)
    # a few minutes into the walk, as the replay reaches it (the log's own position and accuracy)
    mid = fixes[len(fixes) // 3]
    window._on_position(mid.lon, mid.lat, window.gps.last[2], mid.time)
    window.canvas.zoom_to((mid.lon - 0.004, mid.lat - 0.0022, mid.lon + 0.004, mid.lat + 0.0022))
    _wait(lambda: _rendered(window))
    app.processEvents()
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"field-raster-{width}.png"
    window.grab().save(str(out))
    print(f"wrote {out}")
    window.stop_gps()
    window.gps_overlay.position = None
    _tracks_shot(window, path, cells, args.out / f"field-tracks-{width}.png")
    window.close()

    realdata = ROOT.parent / "shared" / "realdata" / "osm" / "sample.osm.pbf"
    demo = grid_district(tmp / "osm-demo.gpkg", (-0.2415, 51.7600, -0.2163, 51.7743), columns=4, rows=3)
    add_basemap(demo, realdata, name="OpenStreetMap")
    settings.setValue("basemap/osm-demo.gpkg", "OpenStreetMap")
    settings.sync()
    window = create_window(demo)
    window.resize(w, h)
    window.show()
    _wait(lambda: window.data is not None)
    window.field_panel.show()
    window.field_panel.raise_()
    window.canvas.zoom_to((-0.2400, 51.7610, -0.2250, 51.7700))
    _wait(lambda: _rendered(window))
    app.processEvents()
    out = args.out / f"field-osm-{width}.png"
    window.grab().save(str(out))
    print(f"wrote {out}")
    window.close()
    return 0


def _tracks_shot(window, path: Path, cells, out: Path) -> None:  # type: ignore[no-untyped-def]
    """The sample's own patrol tracks of everybody on its busiest recent day, where they are densest, with the
    cells of the visits the 签到 check finds no track near highlighted."""
    import numpy as np
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QApplication
    from screenshot import _rendered, _wait  # type: ignore[import-not-found]

    from gridwatch.storage.tracks import read_tracks
    from gridwatch.times import BEIJING

    tracks = read_tracks(path)
    days = tracks["recorded_at"].dt.tz_convert(BEIJING).dt.date
    yesterday = datetime.datetime.now(BEIJING).date() - datetime.timedelta(days=1)
    recent = tracks[(days <= yesterday) & (days > yesterday - datetime.timedelta(days=7))]
    day = recent["recorded_at"].dt.tz_convert(BEIJING).dt.date.value_counts().idxmax()
    of_day = tracks[days == day]
    # the densest 4 km x 2.5 km of that day's tracks
    lon, lat = of_day["lon"].to_numpy(), of_day["lat"].to_numpy()
    w, h = 0.045, 0.0225
    corners = [(x, y) for x in np.linspace(lon.min(), lon.max() - w, 12)
               for y in np.linspace(lat.min(), lat.max() - h, 12)]
    best = max(corners, key=lambda c: int(((lon >= c[0]) & (lon < c[0] + w) & (lat >= c[1]) & (lat < c[1] + h)).sum()))
    box = (best[0], best[1], best[0] + w, best[1] + h)
    window.choose_basemap(0)
    fp = window.field_panel
    fp.person_combo.setCurrentIndex(0)  # everybody
    fp.day_edit.setDate(QDate(day.year, day.month, day.day))
    window.show_tracks()
    _wait(lambda: len(window.gps_overlay.tracks) > 1)
    window.last_signin = None
    window.signin_check()
    _wait(lambda: getattr(window, "last_signin", None) is not None)
    window.canvas.zoom_to(tuple(float(v) for v in box))
    _wait(lambda: _rendered(window))
    QApplication.processEvents()
    window.grab().save(str(out))
    print(f"wrote {out}")


if __name__ == "__main__":
    raise SystemExit(main())
