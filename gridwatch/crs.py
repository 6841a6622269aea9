"""Coordinate reference systems used by GridWatch.

Geometry is stored in CGCS2000 geographic coordinates (EPSG:4490), China's official datum.
Areas and distances are measured in the CGCS2000 3-degree Gauss-Kruger zone whose central
meridian is nearest the data (EPSG:4534 to 4554, central meridians 75E to 135E), the projection
Chinese surveying offices use for county-scale work.
"""

from __future__ import annotations

from .errors import CRSError

#: The CRS every project stores its geometry in.
PROJECT_EPSG = 4490

_GK3_FIRST_EPSG = 4534  # CGCS2000 / 3-degree Gauss-Kruger CM 75E
_GK3_FIRST_CM = 75
_GK3_LAST_CM = 135


def gauss_kruger_epsg(longitude: float) -> int:
    """Return the EPSG code of the CGCS2000 3-degree Gauss-Kruger CM zone for ``longitude``.

    Parameters
    ----------
    longitude : float
        Longitude in degrees east (for example the centre of a district).

    Raises
    ------
    CRSError
        If the longitude lies outside China's 3-degree zones (73.5E to 136.5E).
    """
    if not (_GK3_FIRST_CM - 1.5 <= longitude <= _GK3_LAST_CM + 1.5):
        raise CRSError(
            f"Longitude {longitude:.4f} is outside China's CGCS2000 Gauss-Kruger zones "
            "(73.5E-136.5E); check that the data is in degrees and in the right order (lon, lat)."
        )
    zone_index = int(round((longitude - _GK3_FIRST_CM) / 3.0))
    zone_index = max(0, min(zone_index, (_GK3_LAST_CM - _GK3_FIRST_CM) // 3))
    return _GK3_FIRST_EPSG + zone_index


def measuring_epsg(bounds: tuple[float, float, float, float]) -> int:
    """EPSG code of the projected CRS to measure data within ``bounds`` (lon/lat degrees)."""
    minx, _, maxx, _ = bounds
    return gauss_kruger_epsg((minx + maxx) / 2.0)
