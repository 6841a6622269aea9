"""In the field: basemaps (``gridwatch basemap add|list|remove``) and patrol tracks
(``gridwatch track import|list|remove|check``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import GridWatchError
from .common import _beijing, _user, _write_table, command, project_arg


def cmd_basemap_add(args: argparse.Namespace) -> int:
    from ..basemap import add_basemap

    entry = add_basemap(args.project, args.file, name=args.name, shift_gcj=args.shift_gcj02)
    print(f"added basemap {entry.name!r} ({entry.kind}) to {args.project}: {entry.note}")
    return 0


def cmd_basemap_list(args: argparse.Namespace) -> int:
    from ..basemap import list_basemaps
    from .common import _check_project

    _check_project(args.project)
    items = list_basemaps(args.project)
    if not items:
        print(f"{args.project}: no basemaps; add one with `gridwatch basemap add {args.project} FILE`")
        return 0
    _write_table(["name", "kind", "file", "note"], [[b.name, b.kind, b.file, b.note] for b in items])
    return 0


def cmd_basemap_remove(args: argparse.Namespace) -> int:
    from ..basemap import remove_basemap

    remove_basemap(args.project, args.name)
    print(f"removed basemap {args.name!r} from {args.project}")
    return 0


def _person(path: Path, name: str):  # type: ignore[no-untyped-def]
    from ..storage.writes import find_actor

    return find_actor(path, name)


def cmd_track_import(args: argparse.Namespace) -> int:
    from ..importers.tracks import import_track

    actor = _user(args, args.project, "importing a track")
    person = _person(args.project, args.person) if args.person else actor
    track, n = import_track(args.project, actor, args.file, inspector_uuid=person.uuid, day=args.day)
    print(f"imported {n} points of {person.name} from {args.file.name} into {args.project} (track {track})")
    return 0


def cmd_track_list(args: argparse.Namespace) -> int:
    from ..storage import queries
    from ..storage.tracks import track_summaries
    from .common import _check_project

    _check_project(args.project)
    tracks = track_summaries(args.project)
    names = dict(zip(*(queries.people(args.project)[c] for c in ("uuid", "name"))))
    if not len(tracks):
        print(f"{args.project}: no patrol tracks")
        return 0
    _write_table(["track", "person", "source", "points", "from", "to"],
                 [[t.track_uuid, names.get(t.inspector_uuid, t.inspector_uuid), t.source, str(t.points),
                   _beijing(t.first), _beijing(t.last)] for t in tracks.itertuples()], right=(3,))
    return 0


def cmd_track_remove(args: argparse.Namespace) -> int:
    from ..storage.tracks import remove_track

    actor = _user(args, args.project, "removing a track")
    n = remove_track(args.project, actor, args.track)
    print(f"removed track {args.track} ({n} points) from {args.project}")
    return 0


def cmd_track_check(args: argparse.Namespace) -> int:
    """签到: inspections of the last days with no track of their inspector near their cell."""
    import datetime as _dt

    from ..analysis.track_coverage import signin_check_from_project
    from ..domain.tracks import TrackRules
    from ..storage import queries

    end = _dt.datetime.now(_dt.timezone.utc)
    rules = TrackRules(signin_distance_m=args.distance, signin_window_min=args.window)
    out = signin_check_from_project(args.project, start=end - _dt.timedelta(days=args.days), end=end, rules=rules)
    flagged = out[~out["signed_in"]]
    names = dict(zip(*(queries.people(args.project)[c] for c in ("uuid", "name"))))
    print(f"{len(out)} inspections in the last {args.days:g} days; {len(flagged)} without a track within "
          f"{args.distance:g} m of their cell (±{args.window:g} min)")
    rows = [[_beijing(r.started_at), str(r.cell_code), names.get(r.inspector_uuid, str(r.inspector_uuid)),
             "-" if r.nearest_m != r.nearest_m else f"{r.nearest_m:.0f} m"] for r in flagged.itertuples()]
    if rows:
        _write_table(["started", "cell", "inspector", "nearest track"], rows[: args.limit])
        if len(rows) > args.limit:
            sys.stdout.write(f"... and {len(rows) - args.limit} more\n")
    return 0


def _date(text: str):  # type: ignore[no-untyped-def]
    import datetime as _dt

    try:
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD") from None


def add_parsers(sub: Any) -> None:
    """basemap add|list|remove, track import|list|remove|check"""
    p = sub.add_parser("basemap", help="offline basemaps drawn beneath the layers (tile packages, OpenStreetMap)")
    bm = p.add_subparsers(dest="basemap_command", metavar="ACTION", required=True)
    q = command(bm, "add", cmd_basemap_add, help="register a tile package (.mbtiles, .gpkg, .pmtiles) or an "
                "OpenStreetMap extract (.osm.pbf) as a basemap of the project; a checkout carries it")
    project_arg(q)
    q.add_argument("file", type=Path, help="tile package or .osm.pbf extract")
    q.add_argument("--name", help="name shown in the layers panel (default: the file name)")
    q.add_argument("--shift-gcj02", action="store_true",
                   help="draw a package whose metadata says GCJ-02 (高德/腾讯 web tiles) shifted into place "
                        "instead of refusing it (BD-09 is always refused)")
    q = command(bm, "list", cmd_basemap_list, help="list the project's basemaps")
    project_arg(q)
    q = command(bm, "remove", cmd_basemap_remove, help="remove a basemap")
    project_arg(q)
    q.add_argument("name")

    p = sub.add_parser("track", help="patrol tracks (巡查轨迹): import from phones and receivers, list, check")
    tr = p.add_subparsers(dest="track_command", metavar="ACTION", required=True)
    q = command(tr, "import", cmd_track_import, help="import a GPX, KML/KMZ or NMEA log as one person's track "
                "(all or nothing)")
    project_arg(q)
    q.add_argument("file", type=Path, help=".gpx, .kml, .kmz or an NMEA log (.nmea, .log)")
    q.add_argument("--person", help="whose track (default: the user)")
    q.add_argument("--day", type=_date, metavar="YYYY-MM-DD", help="import only this Beijing-time day's points")
    q.add_argument("--user", help="who imports (default: $GRIDWATCH_USER)")
    q = command(tr, "list", cmd_track_list, help="list the project's tracks")
    project_arg(q)
    q = command(tr, "remove", cmd_track_remove, help="remove one track (imported by mistake)")
    project_arg(q)
    q.add_argument("track", help="the track's id (see `gridwatch track list`)")
    q.add_argument("--user", help="who removes it (default: $GRIDWATCH_USER)")
    q = command(tr, "check", cmd_track_check, help="签到 check: inspections with no track near their cell")
    project_arg(q)
    q.add_argument("--days", type=float, default=7.0, help="inspections of the last N days (default 7)")
    q.add_argument("--distance", type=float, default=200.0, help="metres from the cell (default 200)")
    q.add_argument("--window", type=float, default=30.0, help="minutes before and after the visit (default 30)")
    q.add_argument("--limit", type=int, default=50, help="list at most this many (default 50)")


__all__ = ["add_parsers", "GridWatchError"]
