"""The map viewport: which part of the district a canvas of ``width`` x ``height`` pixels shows.

Coordinates are CGCS2000 degrees.  On screen a degree of longitude is drawn ``cos(lat0)`` times
as wide as a degree of latitude, with ``lat0`` fixed for the project: at district scale that keeps
true proportions (shapes are not stretched east-west) whatever the window size, and panning never
changes the aspect.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Union

import numpy as np

#: Metres per degree of latitude (CGCS2000 ellipsoid, mean).
METRES_PER_DEGREE = 111_320.0
#: Screen pixel size assumed for scale denominators (96 dpi).
PIXEL_METRES = 0.0254 / 96.0

Number = Union[float, np.ndarray]


@dataclass(frozen=True)
class Viewport:
    """Immutable view state; every change returns a new viewport."""

    cx: float  # centre longitude
    cy: float  # centre latitude
    res: float  # degrees of latitude per pixel
    width: int
    height: int
    lat0: float  # reference latitude of the project (sets the x scale)

    @property
    def kx(self) -> float:
        """Screen width of one degree of longitude relative to one of latitude."""
        return math.cos(math.radians(self.lat0))

    # --- transforms -----------------------------------------------------------------------
    def to_screen(self, lon: Number, lat: Number) -> tuple[Number, Number]:
        px = self.width / 2.0 + (lon - self.cx) * self.kx / self.res
        py = self.height / 2.0 - (lat - self.cy) / self.res
        return px, py

    def to_map(self, px: Number, py: Number) -> tuple[Number, Number]:
        lon = self.cx + (px - self.width / 2.0) * self.res / self.kx
        lat = self.cy - (py - self.height / 2.0) * self.res
        return lon, lat

    def affine(self) -> tuple[float, float, float, float]:
        """``(sx, ox, sy, oy)`` with ``px = sx * lon + ox`` and ``py = sy * lat + oy``."""
        sx = self.kx / self.res
        sy = -1.0 / self.res
        return sx, self.width / 2.0 - self.cx * sx, sy, self.height / 2.0 - self.cy * sy

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(min_lon, min_lat, max_lon, max_lat)`` shown."""
        lon0, lat1 = self.to_map(0.0, 0.0)
        lon1, lat0 = self.to_map(float(self.width), float(self.height))
        return (float(lon0), float(lat0), float(lon1), float(lat1))

    # --- changes --------------------------------------------------------------------------
    def pan(self, dx: float, dy: float) -> "Viewport":
        """Move the map by ``dx, dy`` pixels (drag to the right shows what lies west)."""
        return replace(self, cx=self.cx - dx * self.res / self.kx, cy=self.cy + dy * self.res)

    def zoom(self, factor: float, anchor_px: float | None = None, anchor_py: float | None = None) -> "Viewport":
        """Zoom in by ``factor`` (> 1 zooms in) keeping the map point under the anchor fixed."""
        ax = self.width / 2.0 if anchor_px is None else anchor_px
        ay = self.height / 2.0 if anchor_py is None else anchor_py
        lon, lat = self.to_map(ax, ay)
        res = self.res / factor
        cx = lon - (ax - self.width / 2.0) * res / self.kx
        cy = lat + (ay - self.height / 2.0) * res
        return replace(self, cx=float(cx), cy=float(cy), res=res)

    def resized(self, width: int, height: int) -> "Viewport":
        """Same centre and scale on a canvas of a new size."""
        return replace(self, width=max(1, int(width)), height=max(1, int(height)))

    def window(self, x0: int, y0: int, width: int, height: int) -> "Viewport":
        """The pixels ``[x0, x0 + width) x [y0, y0 + height)`` of this view as a view of their own (same
        scale): a point at ``(px, py)`` here is at ``(px - x0, py - y0)`` there."""
        lon, lat = self.to_map(x0 + width / 2.0, y0 + height / 2.0)
        return replace(self, cx=float(lon), cy=float(lat), width=max(1, int(width)), height=max(1, int(height)))

    def fit(self, bounds: tuple[float, float, float, float], margin: float = 0.04) -> "Viewport":
        """Show ``bounds`` (lon/lat) whole, centred, with ``margin`` of the canvas around it."""
        minx, miny, maxx, maxy = bounds
        w = max((maxx - minx) * self.kx, 1e-9)
        h = max(maxy - miny, 1e-9)
        usable = 1.0 - 2 * margin
        res = max(w / (self.width * usable), h / (self.height * usable))
        return replace(self, cx=(minx + maxx) / 2.0, cy=(miny + maxy) / 2.0, res=res)

    @classmethod
    def for_bounds(cls, bounds: tuple[float, float, float, float], width: int, height: int) -> "Viewport":
        lat0 = (bounds[1] + bounds[3]) / 2.0
        return cls(0.0, lat0, 1.0, width, height, lat0).fit(bounds)

    # --- scale ----------------------------------------------------------------------------
    @property
    def metres_per_pixel(self) -> float:
        return self.res * METRES_PER_DEGREE

    @property
    def scale_denominator(self) -> float:
        """Map scale 1:N on a 96 dpi screen."""
        return self.metres_per_pixel / PIXEL_METRES


def nice_scale_bar(metres_per_pixel: float, max_pixels: float = 160.0) -> tuple[float, float, str]:
    """Length of a round scale bar: ``(metres, pixels, label)`` no longer than ``max_pixels``."""
    target = metres_per_pixel * max_pixels
    exp = math.floor(math.log10(max(target, 1e-9)))
    best = 10.0**exp
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0**exp <= target:
            best = m * 10.0**exp
    label = f"{best / 1000:g} km" if best >= 1000 else f"{best:g} m"
    return best, best / metres_per_pixel, label
