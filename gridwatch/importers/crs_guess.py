"""The coordinate system of a file: what it declares, what the user typed, or a guess from its coordinates."""

from __future__ import annotations

import contextlib
import math
import re
from typing import Any, Optional

from pyproj import CRS as _ProjCRS
from pyproj.exceptions import CRSError as _ProjCRSError

from ..crs import PROJECT_EPSG
from ..errors import CRSError

#: (min lon, min lat, max lon, max lat): a file without a CRS whose coordinates all lie inside
#: this box is taken as CGCS2000 degrees (EPSG:4490).
CHINA_LONLAT_BOX = (73.0, 3.0, 136.0, 54.0)


_CRS_EXAMPLES = ("e.g. --crs EPSG:4490 for CGCS2000 longitude/latitude degrees, or --crs EPSG:4547 for "
                 "CGCS2000 / 3-degree Gauss-Kruger CM 114E metres")


def _parse_user_crs(crs: Any) -> _ProjCRS:
    value = crs
    if isinstance(value, str) and value.strip().isdigit():
        value = f"EPSG:{value.strip()}"
    try:
        return _ProjCRS.from_user_input(value)
    except (_ProjCRSError, TypeError, ValueError) as e:
        raise CRSError(f"{crs!r} is not a coordinate reference system GridWatch recognises ({e}); give an EPSG code, "
                       f"{_CRS_EXAMPLES}.") from e


def _crs_text(c: _ProjCRS, original: Optional[str] = None) -> str:
    if original and re.fullmatch(r"EPSG:\d+", original):
        return original
    auth = c.to_authority(min_confidence=90)
    if auth and auth[0] == "EPSG":
        return f"EPSG:{auth[1]}"
    return c.to_wkt()


def _finite(bounds: Any) -> Optional[tuple[float, float, float, float]]:
    if bounds is None:
        return None
    try:
        b = tuple(float(v) for v in bounds)
    except (TypeError, ValueError):
        return None
    if len(b) != 4 or not all(math.isfinite(v) for v in b):
        return None
    return b  # type: ignore[return-value]


def _in_box(b: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    return b[0] >= box[0] and b[1] >= box[1] and b[2] <= box[2] and b[3] <= box[3]


def _fmt_bounds(b: tuple[float, float, float, float]) -> str:
    return f"x {b[0]:.6g} to {b[2]:.6g}, y {b[1]:.6g} to {b[3]:.6g}"


def _degrees_possible(b: tuple[float, float, float, float]) -> bool:
    return -180.0 - 1e-9 <= b[0] and b[2] <= 180.0 + 1e-9 and -90.0 - 1e-9 <= b[1] and b[3] <= 90.0 + 1e-9


def _looks_swapped(b: tuple[float, float, float, float]) -> bool:
    """Latitude where the longitude should be: swapped, the coordinates are degrees inside China."""
    minx, miny, maxx, maxy = b
    return _in_box((miny, minx, maxy, maxx), CHINA_LONLAT_BOX) and not _in_box(b, CHINA_LONLAT_BOX)


def _crs_hint(b: tuple[float, float, float, float], swap_hint: str) -> str:
    minx, miny, maxx, maxy = b
    if _looks_swapped(b):  # before any guess at metres: 38..40 by 114..116 is not a Gauss-Kruger grid
        return (f" The x and y values look swapped: latitudes ({minx:.6g} to {maxx:.6g}) where the longitudes "
                f"should be, and longitudes ({miny:.6g} to {maxy:.6g}) where the latitudes should be{swap_hint}.")
    if _degrees_possible(b):
        return (" They look like longitude/latitude degrees outside China; if that is right, give --crs EPSG:4326 "
                "(WGS 84) or --crs EPSG:4490.")
    zone_lo, zone_hi = int(minx // 1_000_000), int(maxx // 1_000_000)
    if zone_lo == zone_hi and 0 <= miny and maxy <= 6.5e6:
        if 25 <= zone_lo <= 45:
            return (f" The eastings start with a zone number ({zone_lo}): probably CGCS2000 / 3-degree Gauss-Kruger "
                    f"zone {zone_lo}, --crs EPSG:{4513 + zone_lo - 25}.")
        if 13 <= zone_lo <= 23:
            return (f" The eastings start with a zone number ({zone_lo}): probably CGCS2000 / 6-degree Gauss-Kruger "
                    f"zone {zone_lo}, --crs EPSG:{4491 + zone_lo - 13}.")
    if 0 <= minx and maxx <= 1_000_000 and 0 <= miny and maxy <= 6.5e6:
        return (" They look like Gauss-Kruger metres without a zone number, so the central meridian cannot be read "
                "from them: ask the sender, then give e.g. --crs EPSG:4547 (CM 114E; EPSG:4534-4554 cover CM 75E "
                "to 135E).")
    return ""


def _resolve_crs(label: str, file_crs: Optional[str], kind: str, bounds: Optional[tuple[float, float, float, float]],
                 user_crs: Optional[_ProjCRS], notes: list[str], *, missing_why: str = "",
                 swap_hint: str = "", assumed: Optional[tuple[_ProjCRS, str]] = None) -> tuple[Optional[str], str]:
    """(CRS text, crs_source); raise CRSError when it cannot be known or contradicts the coordinates.

    ``assumed``: (CRS, why) taken for a file without one when the user gave none (fire-point tables are
    WGS 84 longitude/latitude); messages then say why it was assumed, never that the user gave it."""
    said = "its .prj" if kind == "prj" else "the file"
    if user_crs is None and assumed is not None and not file_crs:
        crs, why = assumed
        text = _crs_text(crs)
        if bounds is not None and crs.is_geographic and not _degrees_possible(bounds):
            hint = _crs_hint(bounds, swap_hint) or f" Give their CRS with --crs EPSG:nnnn, {_CRS_EXAMPLES}."
            raise CRSError(f"{label}: {why}, but the coordinates ({_fmt_bounds(bounds)}) are not longitude/latitude "
                           f"degrees.{hint}")
        if bounds is not None and _looks_swapped(bounds):
            raise CRSError(f"{label}: {why}.{_crs_hint(bounds, swap_hint)}")
        return text, "guessed"
    if user_crs is not None:
        text = _crs_text(user_crs)
        if bounds is not None and user_crs.is_geographic and not _degrees_possible(bounds):
            looks = "" if _looks_swapped(bounds) else "; they look like projected metres. Give the projected CRS " \
                                                      f"instead, {_CRS_EXAMPLES}"
            raise CRSError(f"{label}: you gave {text} ({user_crs.name}, degrees) but the coordinates "
                           f"({_fmt_bounds(bounds)}) are not longitude/latitude degrees{looks}."
                           f"{_crs_hint(bounds, swap_hint)}")
        if file_crs:
            with contextlib.suppress(_ProjCRSError):
                fc = _ProjCRS.from_user_input(file_crs)
                if not fc.equals(user_crs, ignore_axis_order=True):
                    notes.append(f"{label}: {said} says {_crs_text(fc, file_crs) if fc.to_epsg() else fc.name}; "
                                 f"using {text} as you asked.")
        return text, "user"
    if file_crs:
        try:
            fc = _ProjCRS.from_user_input(file_crs)
        except _ProjCRSError:
            fc = None
        if fc is not None:
            text = _crs_text(fc, file_crs)
            if bounds is not None and fc.is_geographic and not _degrees_possible(bounds):
                raise CRSError(f"{label}: {said} says {fc.name} (degrees) but the coordinates ({_fmt_bounds(bounds)}) "
                               f"are far outside longitude/latitude, so {said} is wrong. Give the right CRS with "
                               f"--crs EPSG:nnnn (it overrides {said}), {_CRS_EXAMPLES}.{_crs_hint(bounds, swap_hint)}")
            if bounds is not None and fc.is_projected and _in_box(bounds, CHINA_LONLAT_BOX):
                notes.append(f"{label}: {said} says {fc.name} (metres) but the coordinates look like longitude/"
                             "latitude degrees; if the layer lands in the wrong place, give --crs EPSG:4490.")
            return text, kind
        missing_why = missing_why or f" ({said} names a CRS GridWatch cannot read)"
    if bounds is None:
        notes.append(f"{label} has no coordinate reference system{missing_why} and no coordinates to check; "
                     f"GridWatch assumes EPSG:{PROJECT_EPSG} (CGCS2000 degrees).")
        return f"EPSG:{PROJECT_EPSG}", "guessed"
    if _looks_swapped(bounds):
        raise CRSError(f"{label}:{_crs_hint(bounds, swap_hint)}")
    if _in_box(bounds, CHINA_LONLAT_BOX):
        notes.append(f"{label} has no coordinate reference system{missing_why}; every coordinate lies within China's "
                     f"longitude/latitude range, so GridWatch assumes EPSG:{PROJECT_EPSG} (CGCS2000 degrees). If that "
                     "is wrong, give the right one with --crs.")
        return f"EPSG:{PROJECT_EPSG}", "guessed"
    raise CRSError(f"{label} has no coordinate reference system{missing_why}, and its coordinates "
                   f"({_fmt_bounds(bounds)}) "
                   f"are not longitude/latitude inside China, so GridWatch will not guess. Give it with --crs "
                   f"EPSG:nnnn, {_CRS_EXAMPLES}.{_crs_hint(bounds, swap_hint)}")
