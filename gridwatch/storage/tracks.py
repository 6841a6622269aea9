"""Patrol tracks in the project (``track_point``, schema 5): write a track in one transaction, read them back.

A track is a run of points with one ``track_uuid``: a recording while a task was in progress, or one
imported GPX/KML file.  Points are evidence: written once (with one audit row), removed whole (a
track imported by mistake, or older than the retention), never edited (see
:func:`gridwatch.domain.policy.judge_row_change`).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import uuid as _uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np

from ..domain.policy import Actor
from ..domain.row_rules import why_not_record_track
from ..domain.vocabulary import TRACK_SOURCES
from ..errors import DataSourceError, GridWatchError, NotFound
from ..tasks import CancelToken, ProgressCallback, Steps
from . import gdalread
from .edits import Edit
from .gpkg import connect_readonly, connect_readwrite, gpkg_datetime, transaction
from .project import check_project
from .schema import WORKFLOW_TABLES

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd

TABLE = "track_point"


@dataclass(frozen=True)
class TrackPoints:
    """Positions of one person in time order: longitude/latitude (CGCS2000 = WGS 84 at GPS accuracy), UTC times.

    ``times`` is a ``datetime64[ns]`` array in UTC; ``accuracy_m`` may be NaN where unknown.
    """

    lon: np.ndarray
    lat: np.ndarray
    times: np.ndarray
    accuracy_m: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.lon)
        if not (len(self.lat) == len(self.times) == len(self.accuracy_m) == n):
            raise ValueError("track point arrays differ in length")

    def __len__(self) -> int:
        return len(self.lon)

    @classmethod
    def from_lists(cls, lon: Sequence[float], lat: Sequence[float], times: Sequence[Any],
                   accuracy_m: Optional[Sequence[Optional[float]]] = None) -> "TrackPoints":
        t = pd.to_datetime(pd.Series(list(times)), utc=True).dt.tz_localize(None).to_numpy("datetime64[ns]")
        acc = np.asarray([np.nan if a is None else a for a in accuracy_m], dtype=float) if accuracy_m is not None \
            else np.full(len(lon), np.nan)
        order = np.argsort(t, kind="stable")
        return cls(np.asarray(lon, dtype=float)[order], np.asarray(lat, dtype=float)[order], t[order], acc[order])


def add_track(path: os.PathLike[str] | str, actor: Actor, points: TrackPoints, *, inspector_uuid: str,
              source: str, assignment_uuid: Optional[str] = None, track_uuid: Optional[str] = None,
              details: Optional[dict[str, Any]] = None, progress: Optional[ProgressCallback] = None,
              cancel: Optional[CancelToken] = None) -> str:
    """Write ``points`` as one track of ``inspector_uuid`` (all or nothing); returns the track's uuid.

    Raises
    ------
    RefusedByRole
        ``actor`` may not record tracks of that person (see the domain policy).
    NotFound
        No such person in the project.
    DataSourceError
        The points are empty or hold coordinates that are not longitude/latitude.
    """
    from .bulk import write_features

    p = Path(path)
    check_project(p)
    if source not in TRACK_SOURCES:
        raise ValueError(f"unknown track source {source!r}")
    refusal = why_not_record_track(actor, inspector_uuid)
    if refusal is not None:
        raise refusal.error()
    with closing(connect_readonly(p)) as con:
        if con.execute("SELECT 1 FROM inspector WHERE uuid = ?", (inspector_uuid,)).fetchone() is None:
            raise NotFound(f"{p}: no person {inspector_uuid} in the people table")
    if len(points) == 0:
        raise DataSourceError("the track has no points with a position and a time; nothing was written")
    ok = np.isfinite(points.lon) & np.isfinite(points.lat)
    if not ok.all() or (np.abs(points.lon) > 180).any() or (np.abs(points.lat) > 90).any():
        raise DataSourceError("the track holds positions that are not longitude/latitude degrees; nothing was written")
    track = track_uuid or str(_uuid.uuid4())
    n = len(points)
    frame = gpd.GeoDataFrame({
        "uuid": _uuids(n),
        "track_uuid": track,
        "inspector_uuid": inspector_uuid,
        "assignment_uuid": assignment_uuid,
        "recorded_at": pd.to_datetime(points.times, utc=True),
        "accuracy_m": np.where(np.isfinite(points.accuracy_m), points.accuracy_m, np.nan),
        "source": source,
    }, geometry=gpd.points_from_xy(points.lon, points.lat), crs=4490)
    frame.loc[~np.isfinite(points.accuracy_m), "accuracy_m"] = None
    info = {"track_uuid": track, "inspector_uuid": inspector_uuid, "points": n, "source": source,
            **(details or {})}
    steps = Steps(progress, cancel, [("write", 4), ("index", 1)])
    try:
        write_features(p, WORKFLOW_TABLES[TABLE], frame, replace=False, user=actor.name,  # type: ignore[arg-type]
                       details=info, steps=steps)
    except sqlite3.Error as exc:
        raise GridWatchError(f"{p}: the track could not be written ({exc}); nothing was written") from exc
    return track


ALL_COLUMNS = ("uuid", "track_uuid", "inspector_uuid", "assignment_uuid", "recorded_at", "accuracy_m", "source")


def _uuids(n: int) -> list[str]:
    """``n`` random (version 4) UUIDs as text, made in bulk (a point each: 50,000 in milliseconds)."""
    raw = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    h = raw.tobytes().hex()
    return [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-{h[i + 12:i + 16]}-{h[i + 16:i + 20]}-{h[i + 20:i + 32]}"
            for i in range(0, 32 * n, 32)]


def read_tracks(path: os.PathLike[str] | str, *, inspector_uuids: Optional[Sequence[str]] = None,
                start: Optional[_dt.datetime] = None, end: Optional[_dt.datetime] = None,
                columns: Sequence[str] = ALL_COLUMNS) -> pd.DataFrame:
    """Track points (optionally of some people, in ``[start, end)``), ordered by person and time.

    Columns: ``uuid``, ``track_uuid``, ``inspector_uuid``, ``assignment_uuid``, ``recorded_at``
    (``datetime64[ns, UTC]``), ``accuracy_m``, ``source`` (or those of ``columns``; ``inspector_uuid``
    and ``recorded_at`` always), ``lon``, ``lat``.  A project older than schema 5 has no tracks: an
    empty frame.  The layer is read whole as Arrow columns through GDAL (about 0.5 s per million
    points, far faster than rows through sqlite3) and filtered with numpy.
    """
    import pyogrio

    from .gpkg import wkb_points_xy

    cols = [c for c in ALL_COLUMNS if c in columns or c in ("inspector_uuid", "recorded_at")]
    with closing(connect_readonly(path)) as con:
        if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone() is None:
            return _empty(cols)
        if con.execute("SELECT 1 FROM track_point LIMIT 1").fetchone() is None:
            return _empty(cols)
    try:
        _meta, table = gdalread.read_arrow(path, layer=TABLE, columns=cols)
    except pyogrio.errors.DataSourceError as exc:
        raise DataSourceError(f"{path}: the patrol tracks cannot be read ({exc})") from exc
    geom_name = next(n for n in table.column_names if n not in cols)
    t = table.column("recorded_at").to_numpy().astype("datetime64[ns]")
    keep = np.ones(len(t), dtype=bool)
    if start is not None:
        keep &= t >= np.datetime64(_naive_utc(start), "ns")
    if end is not None:
        keep &= t < np.datetime64(_naive_utc(end), "ns")
    # people as dictionary codes: sorting and filtering integers, not 36-character strings
    enc = table.column("inspector_uuid").combine_chunks().dictionary_encode()
    people = np.asarray(enc.dictionary.to_pylist(), dtype=object)
    code = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    if inspector_uuids is not None:
        keep &= np.isin(code, np.flatnonzero(np.isin(people, np.asarray(list(inspector_uuids), dtype=object))))
    idx = np.flatnonzero(keep)
    if not len(idx):
        return _empty(cols)
    rank = np.argsort(np.argsort(people.astype(str)))  # codes in the order of the uuids
    order = idx[np.lexsort((t[idx], rank[code[idx]]))]
    frame = pd.DataFrame({c: np.asarray(table.column(c).to_numpy(zero_copy_only=False), dtype=object)[order]
                          for c in cols if c not in ("recorded_at", "accuracy_m", "inspector_uuid")})
    frame["inspector_uuid"] = pd.Categorical.from_codes(code[order], categories=people)
    frame["recorded_at"] = pd.Series(pd.DatetimeIndex(t[order]).tz_localize("UTC"))
    if "accuracy_m" in cols:
        frame["accuracy_m"] = pd.to_numeric(pd.Series(table.column("accuracy_m").to_numpy(zero_copy_only=False)
                                                      [order]))
    xy = wkb_points_xy(table.column(geom_name).take(order))
    frame["lon"], frame["lat"] = xy[:, 0], xy[:, 1]
    return frame[[c for c in cols] + ["lon", "lat"]]


def _naive_utc(t: _dt.datetime) -> _dt.datetime:
    if t.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return t.astimezone(_dt.timezone.utc).replace(tzinfo=None)


def _empty(cols: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    frame["recorded_at"] = pd.Series([], dtype="datetime64[ns, UTC]")
    frame["accuracy_m"] = pd.Series([], dtype=float)
    frame["lon"] = pd.Series([], dtype=float)
    frame["lat"] = pd.Series([], dtype=float)
    return frame


def track_summaries(path: os.PathLike[str] | str) -> pd.DataFrame:
    """One row per track: ``track_uuid``, ``inspector_uuid``, ``source``, ``points``, ``first``, ``last``."""
    with closing(connect_readonly(path)) as con:
        if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone() is None:
            rows = []
        else:
            rows = con.execute("SELECT track_uuid, inspector_uuid, MIN(source), COUNT(*), MIN(recorded_at), "
                               "MAX(recorded_at) FROM track_point GROUP BY track_uuid, inspector_uuid "
                               "ORDER BY MIN(recorded_at)").fetchall()
    return pd.DataFrame(rows, columns=["track_uuid", "inspector_uuid", "source", "points", "first", "last"])


def remove_track(path: os.PathLike[str] | str, actor: Actor, track_uuid: str) -> int:
    """Remove every point of one track (one transaction, one audit row); returns how many."""
    return len(remove_track_edit(path, actor, track_uuid))


def remove_track_edit(path: os.PathLike[str] | str, actor: Actor, track_uuid: str) -> Edit:
    """Remove every point of one track as an undoable :class:`~gridwatch.storage.edits.Edit` (one
    transaction, one audit row ``remove track`` naming the track, its person and its points; the points
    go to the other laptops as deletes at the next sync).  Whether ``actor`` may is asked of the domain
    policy (:func:`gridwatch.domain.policy.why_not_remove_track`).

    Raises
    ------
    NotFound
        No track ``track_uuid`` in the project.
    RefusedByRole
        ``actor`` may not remove it.
    """
    from ..domain.row_rules import why_not_remove_track
    from .edits import RowChange
    from .writes import _write

    p = Path(path)

    def build(con: sqlite3.Connection) -> Edit:
        cur = con.execute("SELECT * FROM track_point WHERE track_uuid = ? ORDER BY recorded_at, fid", (track_uuid,))
        names = [d[0] for d in cur.description]
        rows = [{k: v for k, v in zip(names, r) if k != "fid"} for r in cur.fetchall()]
        if not rows:
            raise NotFound(f"{p}: no track {track_uuid}")
        why = why_not_remove_track(actor, rows[0])
        if why is not None:
            raise why.error()
        details = {"track_uuid": track_uuid, "inspector_uuid": rows[0]["inspector_uuid"], "points": len(rows),
                   "source": rows[0]["source"], "first": rows[0]["recorded_at"], "last": rows[-1]["recorded_at"]}
        return Edit("remove track", f"删除巡查轨迹（{len(rows)} 个点）",
                    [RowChange(TABLE, r["uuid"], r, None) for r in rows],
                    details=json.dumps(details, ensure_ascii=False), one_audit_row=True)

    return _write(p, actor, build)


def prune_tracks(path: os.PathLike[str] | str, actor: Actor, retention_days: int,
                 now: Optional[_dt.datetime] = None) -> int:
    """Remove ``actor``'s own track points older than ``retention_days`` (0 keeps them all); returns how many."""
    if retention_days <= 0:
        return 0
    p = Path(path)
    t = (now or _dt.datetime.now(_dt.timezone.utc)) - _dt.timedelta(days=retention_days)
    with closing(connect_readwrite(p)) as con:
        with transaction(con, p):
            n = con.execute("DELETE FROM track_point WHERE inspector_uuid = ? AND recorded_at < ?",
                            (actor.uuid, gpkg_datetime(t))).rowcount
            if n:
                _audit(con, actor, "prune tracks", {"before": gpkg_datetime(t), "points": n})
    return int(n)


def _audit(con: sqlite3.Connection, actor: Actor, action: str, details: dict[str, Any]) -> None:
    con.execute("INSERT INTO audit_log (uuid, at, user_name, action, table_name, row_uuid, old_values, new_values, "
                "details) VALUES (?, ?, ?, ?, ?, NULL, NULL, NULL, ?)",
                (str(_uuid.uuid4()), gpkg_datetime(_dt.datetime.now(_dt.timezone.utc)), actor.name, action, TABLE,
                 json.dumps(details, ensure_ascii=False)))
