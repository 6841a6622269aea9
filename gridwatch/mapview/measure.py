"""Measuring on the map: a distance along clicked points and the area they enclose, in metres in the
district's CGCS2000 Gauss-Kruger zone (never in degrees).  No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from ..crs import PROJECT_EPSG, measuring_epsg

#: One mu (亩), the Chinese land unit: 10,000/15 square metres.
MU_M2 = 10_000.0 / 15.0


@dataclass(frozen=True)
class Measurement:
    """Length of the path through the points (metres) and, from three points on, the area of the
    polygon they close (square metres)."""

    points: int
    length_m: float
    area_m2: float

    @property
    def area_km2(self) -> float:
        return self.area_m2 / 1e6

    @property
    def area_mu(self) -> float:
        return self.area_m2 / MU_M2


@lru_cache(maxsize=8)
def _transformer(epsg: int):  # type: ignore[no-untyped-def]
    from pyproj import Transformer

    return Transformer.from_crs(PROJECT_EPSG, epsg, always_xy=True)


def measure(points: Sequence[tuple[float, float]]) -> Measurement:
    """Measure a path of lon/lat points (EPSG:4490) in the Gauss-Kruger zone of their bounds."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(pts) == 0:
        return Measurement(0, 0.0, 0.0)
    bounds = (float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max()))
    x, y = _transformer(measuring_epsg(bounds)).transform(pts[:, 0], pts[:, 1])
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    length = float(np.hypot(np.diff(x), np.diff(y)).sum()) if len(pts) > 1 else 0.0
    area = 0.0
    if len(pts) >= 3:  # the shoelace formula over the closed ring
        area = float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2.0)
    return Measurement(len(pts), length, area)


def distance_text(metres: float) -> tuple[float, str]:
    """``(value, unit)`` for a distance: metres below 1 km, else kilometres."""
    return (metres, "m") if metres < 1000 else (metres / 1000.0, "km")


def area_text(m2: float) -> tuple[float, str]:
    """``(value, unit)`` for an area: m² below 0.1 km², else km²."""
    return (m2, "m²") if m2 < 100_000 else (m2 / 1e6, "km²")
