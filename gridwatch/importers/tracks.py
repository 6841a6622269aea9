"""Patrol tracks from phones and receivers: GPX, KML/KMZ and NMEA logs, for one person and day.

GPX is read with GDAL's GPX driver (track points, else route points, with their times; gpxpy names
what is wrong in a file GDAL cannot read).  KML as the common
Chinese outdoor and map apps export it (两步路, 六只脚, 奥维 and Google's own): ``gx:Track`` with
``when``/``gx:coord`` pairs, or placemarks whose ``TimeStamp`` dates a point; a ``LineString``
without times is refused (a track without times proves nothing about when someone walked).  KMZ
is the same KML zipped.  A file is read whole and checked before anything is written; bad files
get one line naming the file and what is wrong, and nothing is written.
"""

from __future__ import annotations

import datetime as _dt
import os
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from ..domain.policy import Actor
from ..errors import BadInputFile
from ..storage.tracks import TrackPoints, add_track
from ..tasks import CancelToken, ProgressCallback
from ..times import BEIJING
from .nmea import fixes_arrays, read_nmea_log

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: The biggest KML a KMZ may unpack to (a day of points every second is a few MB).
MAX_KML_BYTES = 200 * 1024 * 1024
#: Extensions by reader.
KINDS = {".gpx": "gpx", ".kml": "kml", ".kmz": "kml", ".nmea": "gps", ".nma": "gps", ".log": "gps"}


@dataclass(frozen=True)
class TrackFile:
    """What a track file held: its points, its kind (``gpx``, ``kml``, ``gps``) and the days they fall on."""

    path: Path
    source: str
    points: TrackPoints

    @property
    def days(self) -> list[_dt.date]:
        """Beijing-time days the points fall on."""
        t = pd.to_datetime(self.points.times).tz_localize("UTC").tz_convert(BEIJING)
        return sorted({d for d in t.date})


def read_track_file(path: os.PathLike[str] | str) -> TrackFile:
    """Read a GPX, KML, KMZ or NMEA file.

    Raises
    ------
    BadInputFile
        Not readable, not the format its name says, no points with times, or coordinates that are
        not longitude/latitude.
    """
    p = Path(path)
    kind = KINDS.get(p.suffix.lower())
    if kind is None:
        raise BadInputFile(f"{p}: not a track file GridWatch reads; choose a .gpx, .kml, .kmz or NMEA .nmea/.log file")
    if not p.is_file():
        raise BadInputFile(f"{p}: no such file")
    if p.suffix.lower() == ".gpx":
        points = _read_gpx(p)
    elif p.suffix.lower() in (".kml", ".kmz"):
        points = _read_kml(p)
    else:
        lon, lat, times, acc = fixes_arrays(read_nmea_log(p))
        points = TrackPoints(lon, lat, times, acc)
    if len(points) == 0:
        raise BadInputFile(f"{p}: no track points with a time; export the track with its times "
                           "(in the app: export as GPX track, not as a route or a line)")
    if (np.abs(points.lon) > 180).any() or (np.abs(points.lat) > 90).any() or \
            not (np.isfinite(points.lon).all() and np.isfinite(points.lat).all()):
        raise BadInputFile(f"{p}: coordinates that are not longitude/latitude degrees")
    return TrackFile(p, kind, points)


def _read_gpx(p: Path) -> TrackPoints:
    """Track points (else route points) with their times, read by GDAL's GPX driver.

    gpxpy parses a 50,000-point track in about 3.5 s, over the whole import budget; GDAL reads it in
    0.3 s.  gpxpy still names what is wrong in a file GDAL cannot read (:func:`_gpx_problem`).
    """
    import pyogrio

    try:
        layers = {str(name) for name, _ in pyogrio.list_layers(p)}
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise BadInputFile(f"{p}: not a valid GPX file ({_gpx_problem(p, exc)})") from exc
    untimed = 0
    for layer in ("track_points", "route_points"):
        if layer not in layers:
            continue
        try:
            frame = pyogrio.read_dataframe(p, layer=layer, columns=["time", "hdop"])
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
            raise BadInputFile(f"{p}: not a valid GPX file ({_gpx_problem(p, exc)})") from exc
        if not len(frame):
            continue
        times = pd.to_datetime(frame["time"], utc=True)
        timed = times.notna().to_numpy()
        untimed += int((~timed).sum())
        if not timed.any():
            continue
        xy = np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()])[timed]
        hdop = pd.to_numeric(frame["hdop"], errors="coerce").to_numpy(dtype=float)[timed] \
            if "hdop" in frame else np.full(int(timed.sum()), np.nan)
        t = times[timed].dt.tz_localize(None).to_numpy("datetime64[ns]")
        order = np.argsort(t, kind="stable")
        return TrackPoints(xy[order, 0], xy[order, 1], t[order], (hdop * 5.0)[order])
    if untimed:
        raise BadInputFile(f"{p}: {untimed} points but none has a time; export the track with its times")
    return _points([])


def _gpx_problem(p: Path, exc: Exception) -> str:
    """What is wrong with a GPX file, in gpxpy's words where it can say (else GDAL's)."""
    import gpxpy
    import gpxpy.gpx

    try:
        with open(p, encoding="utf-8-sig", errors="replace") as fh:
            gpxpy.parse(fh)
    except (gpxpy.gpx.GPXException, ValueError) as bad:
        return str(bad).splitlines()[0][:120]
    except OSError as bad:
        return bad.strerror or str(bad)
    return str(exc).splitlines()[0][:120]


def _points(rows: list[tuple[float, float, Any, Optional[float]]]) -> TrackPoints:
    if not rows:
        return TrackPoints(np.empty(0), np.empty(0), np.empty(0, dtype="datetime64[ns]"), np.empty(0))
    times = [t if getattr(t, "tzinfo", None) is not None else (t.replace(tzinfo=_dt.timezone.utc)
                                                               if isinstance(t, _dt.datetime) else t)
             for _, _, t, _ in rows]
    return TrackPoints.from_lists([r[0] for r in rows], [r[1] for r in rows], times, [r[3] for r in rows])


def _kml_text(p: Path) -> bytes:
    if p.suffix.lower() != ".kmz":
        try:
            return p.read_bytes()
        except OSError as exc:
            raise BadInputFile(f"{p}: cannot be read ({exc.strerror or exc})") from exc
    try:
        with zipfile.ZipFile(p) as zf:
            members = [i for i in zf.infolist() if i.filename.lower().endswith(".kml") and not i.is_dir()]
            if not members:
                raise BadInputFile(f"{p}: a KMZ without a .kml inside")
            # doc.kml is the main document by convention; else the first one
            info = next((i for i in members if i.filename.lower().endswith("doc.kml")), members[0])
            if info.file_size > MAX_KML_BYTES:
                raise BadInputFile(f"{p}: its KML unpacks to {info.file_size // 2**20} MB, more than a track can be")
            with zf.open(info) as fh:
                data = fh.read(MAX_KML_BYTES + 1)
            if len(data) > MAX_KML_BYTES:
                raise BadInputFile(f"{p}: its KML unpacks to more than {MAX_KML_BYTES // 2**20} MB")
            return data
    except zipfile.BadZipFile as exc:
        raise BadInputFile(f"{p}: not a KMZ (zip) file ({exc})") from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kml_time(text: Optional[str]) -> Optional[_dt.datetime]:
    if not text:
        return None
    s = text.strip().replace("Z", "+00:00")
    try:
        t = _dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    # KML times without a zone are UTC by the standard; phone apps in China write Beijing time
    # with +08:00 when they mean it.
    return t if t.tzinfo is not None else t.replace(tzinfo=_dt.timezone.utc)


def _read_kml(p: Path) -> TrackPoints:
    data = _kml_text(p)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise BadInputFile(f"{p}: not valid KML (XML error at line {exc.position[0]}, column {exc.position[1]})") \
            from exc
    if _local(root.tag) != "kml":
        raise BadInputFile(f"{p}: not a KML document (its root element is <{_local(root.tag)}>)")
    rows: list[tuple[float, float, Any, Optional[float]]] = []
    untimed_lines = 0
    for el in root.iter():
        name = _local(el.tag)
        if name == "Track":  # gx:Track (and KML 2.3's Track): when[i] goes with coord[i]
            whens = [_kml_time(c.text) for c in el if _local(c.tag) == "when"]
            coords = [c.text for c in el if _local(c.tag) == "coord"]
            if len(whens) != len(coords):
                raise BadInputFile(f"{p}: a track with {len(whens)} times but {len(coords)} positions")
            for i, (t, c) in enumerate(zip(whens, coords)):
                parts = (c or "").split()
                if t is None or len(parts) < 2:
                    raise BadInputFile(f"{p}: track point {i + 1} has no valid time or position ({c!r})")
                try:
                    rows.append((float(parts[0]), float(parts[1]), t, None))
                except ValueError:
                    raise BadInputFile(f"{p}: track point {i + 1}: {c!r} is not 'longitude latitude'") from None
        elif name == "Placemark":
            stamp = next((w for w in el.iter() if _local(w.tag) == "when"), None)
            point = next((c for c in el.iter() if _local(c.tag) == "Point"), None)
            if any(_local(c.tag) == "Track" for c in el.iter()):
                continue  # read by the Track branch
            if point is not None and stamp is not None:
                coords = next((c.text for c in point.iter() if _local(c.tag) == "coordinates"), None)
                t = _kml_time(stamp.text)
                parts = (coords or "").strip().split(",")
                if t is not None and len(parts) >= 2:
                    try:
                        rows.append((float(parts[0]), float(parts[1]), t, None))
                    except ValueError:
                        raise BadInputFile(f"{p}: placemark position {coords!r} is not 'longitude,latitude'") from None
            elif any(_local(c.tag) == "LineString" for c in el.iter()):
                untimed_lines += 1
    if not rows and untimed_lines:
        raise BadInputFile(f"{p}: {untimed_lines} line(s) without times; export the track as a 'track' "
                           "(gx:Track, with times) or as GPX")
    return _points(rows)


def points_of_day(points: TrackPoints, day: _dt.date) -> TrackPoints:
    """The points that fall on Beijing-time ``day``."""
    t = pd.to_datetime(points.times).tz_localize("UTC").tz_convert(BEIJING)
    keep = np.asarray(t.date == day)
    return TrackPoints(points.lon[keep], points.lat[keep], points.times[keep], points.accuracy_m[keep])


def import_track(project: os.PathLike[str] | str, actor: Actor, file: os.PathLike[str] | str, *,
                 inspector_uuid: str, day: Optional[_dt.date] = None,
                 progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None) -> tuple[str, int]:
    """Read ``file`` and write it as one track of ``inspector_uuid`` (only ``day``'s points when given).

    Returns ``(track uuid, points written)``.  Nothing is written when the file is bad, holds no
    point of ``day``, or ``actor`` may not record tracks of that person.
    """
    tf = read_track_file(file)
    points = tf.points
    if day is not None:
        points = points_of_day(points, day)
        if len(points) == 0:
            days = ", ".join(d.isoformat() for d in tf.days[:5]) or "none"
            raise BadInputFile(f"{tf.path}: no point on {day.isoformat()} (Beijing time); the file holds {days}")
    track = add_track(project, actor, points, inspector_uuid=inspector_uuid, source=tf.source,
                      details={"file": tf.path.name, "day": day.isoformat() if day else None},
                      progress=progress, cancel=cancel)
    return track, len(points)
