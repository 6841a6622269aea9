"""Patrol tracks (巡查轨迹): the rules of recording them and of counting them as proof of a patrol.

No SQL, no Qt.  One :class:`TrackRules` holds every number a district may want to set: how often a
point is recorded while a task is in progress, how long tracks are kept, when a cell counts as
walked, and how near (in space and time) a track must come to an inspection for its 签到 check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Mapping

from ..errors import GridWatchError


@dataclass(frozen=True)
class TrackRules:
    """Numbers of track recording, coverage by track and the sign-in (签到) check.

    Parameters
    ----------
    interval_s : float
        Seconds between two recorded points while a task is in progress.
    retention_days : int
        Days a track is kept in the project (0: for ever); older points are removed by the
        person who recorded them (their own laptop) when recording starts.
    min_minutes : float
        A cell counts as walked on a day when a track stays in it at least this long ...
    min_fraction : float
        ... or when a ``buffer_m`` band along the track covers at least this share of the cell.
    buffer_m : float
        Half-width in metres of the band a walker is taken to see along the track.
    max_gap_s : float
        A gap longer than this between two points is not counted as time spent in a cell
        (the receiver was off, or the phone in a pocket indoors).
    signin_distance_m : float
        An inspection is signed in when a track point of its inspector lies within this
        distance of its cell ...
    signin_window_min : float
        ... no earlier than this many minutes before it started and no later than after it finished.
    """

    interval_s: float = 10.0
    retention_days: int = 400
    min_minutes: float = 10.0
    min_fraction: float = 0.3
    buffer_m: float = 50.0
    max_gap_s: float = 300.0
    signin_distance_m: float = 200.0
    signin_window_min: float = 30.0

    def __post_init__(self) -> None:
        checks = {
            "interval_s": 1.0 <= self.interval_s <= 3600.0,
            "retention_days": 0 <= self.retention_days <= 36500,
            "min_minutes": 0.0 <= self.min_minutes <= 24 * 60,
            "min_fraction": 0.0 <= self.min_fraction <= 1.0,
            "buffer_m": 0.0 <= self.buffer_m <= 5000.0,
            "max_gap_s": 1.0 <= self.max_gap_s <= 86400.0,
            "signin_distance_m": 0.0 <= self.signin_distance_m <= 50_000.0,
            "signin_window_min": 0.0 <= self.signin_window_min <= 24 * 60,
        }
        bad = [k for k, ok in checks.items() if not ok]
        if bad:
            raise GridWatchError(f"track setting {bad[0]} = {getattr(self, bad[0])!r} is out of range")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "TrackRules":
        """Rules from stored settings; unknown keys are ignored, missing ones keep their default."""
        known = {f.name: f.type for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key in known and value not in (None, ""):
                try:
                    kwargs[key] = int(value) if key == "retention_days" else float(value)
                except (TypeError, ValueError):
                    raise GridWatchError(f"track setting {key} = {value!r} is not a number") from None
        return cls(**kwargs)


#: The project-metadata key prefix the rules are stored under (``track.min_minutes`` ...).
META_PREFIX = "track."
