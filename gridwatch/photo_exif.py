"""EXIF of a photo: when it was taken (with its UTC offset, else Beijing time), where (GPS), how it is
turned."""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Any, Optional

from PIL import Image

#: Time zone assumed for EXIF times without an offset tag (China Standard Time, UTC+8).
BEIJING = _dt.timezone(_dt.timedelta(hours=8), "UTC+08:00")


# EXIF tag numbers.
_TAG_ORIENTATION = 0x0112
_TAG_DATETIME = 0x0132
_TAG_EXIF_IFD = 0x8769
_TAG_GPS_IFD = 0x8825
_TAG_DATETIME_ORIGINAL = 0x9003
_TAG_DATETIME_DIGITIZED = 0x9004
_TAG_OFFSET_TIME = 0x9010
_TAG_OFFSET_TIME_ORIGINAL = 0x9011
_TAG_OFFSET_TIME_DIGITIZED = 0x9012
_GPS_LATITUDE_REF = 1
_GPS_LATITUDE = 2
_GPS_LONGITUDE_REF = 3
_GPS_LONGITUDE = 4


# (date/time tag, offset tags to try in order), most trustworthy first.
_TIME_TAGS = (
    (_TAG_DATETIME_ORIGINAL, (_TAG_OFFSET_TIME_ORIGINAL, _TAG_OFFSET_TIME)),
    (_TAG_DATETIME_DIGITIZED, (_TAG_OFFSET_TIME_DIGITIZED, _TAG_OFFSET_TIME)),
    (_TAG_DATETIME, (_TAG_OFFSET_TIME,)),
)


_EXIF_DATETIME_RE = re.compile(
    r"^\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?\s*$"
)


_EXIF_OFFSET_RE = re.compile(r"^\s*([+-])(\d{2}):?(\d{2})\s*$")


def _orientation(exif: Image.Exif) -> int:
    try:
        value = int(exif.get(_TAG_ORIENTATION, 1))
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= 8 else 1


def _ifd(exif: Image.Exif, tag: int) -> dict:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:
        return {}


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if isinstance(value, (tuple, list)):  # some writers store ASCII as a one-element tuple
        if len(value) != 1:
            return None
        return _text(value[0])
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "").strip() or None


def _exif_time(exif: Image.Exif) -> Optional[_dt.datetime]:
    exif_ifd = _ifd(exif, _TAG_EXIF_IFD)

    def lookup(tag: int) -> Any:
        # Standard place is the Exif sub-IFD; some writers put them in IFD0.
        return exif_ifd.get(tag, exif.get(tag))

    for time_tag, offset_tags in _TIME_TAGS:
        local = _parse_exif_datetime(_text(lookup(time_tag)))
        if local is None:
            continue
        tz = None
        for offset_tag in offset_tags:
            tz = _parse_exif_offset(_text(lookup(offset_tag)))
            if tz is not None:
                break
        return local.replace(tzinfo=tz or BEIJING).astimezone(_dt.timezone.utc)
    return None


def _parse_exif_datetime(text: Optional[str]) -> Optional[_dt.datetime]:
    m = _EXIF_DATETIME_RE.match(text) if text else None
    if not m:
        return None
    try:
        return _dt.datetime(*(int(g) for g in m.groups()))
    except ValueError:  # 0000:00:00 00:00:00, month 13, ...
        return None


def _parse_exif_offset(text: Optional[str]) -> Optional[_dt.timezone]:
    m = _EXIF_OFFSET_RE.match(text) if text else None
    if not m:
        return None
    sign, hours, minutes = m.groups()
    delta = _dt.timedelta(hours=int(hours), minutes=int(minutes))
    if int(minutes) >= 60 or delta > _dt.timedelta(hours=14):
        return None
    return _dt.timezone(-delta if sign == "-" else delta)


def _rational(value: Any) -> Optional[float]:
    """A float from an IFDRational, a (num, den) pair or a number; None if undefined."""
    num = getattr(value, "numerator", None)
    den = getattr(value, "denominator", None)
    if num is None and isinstance(value, (tuple, list)) and len(value) == 2:
        num, den = value
    if num is not None and den is not None:
        try:
            num, den = float(num), float(den)
        except (TypeError, ValueError):
            return None
        if den == 0:
            return None
        result = num / den
    else:
        try:
            result = float(value)
        except (TypeError, ValueError):
            return None
    return result if math.isfinite(result) else None


def _dms(value: Any) -> Optional[float]:
    if value is None:
        return None
    if not isinstance(value, (tuple, list)):
        value = (value,)
    if not 1 <= len(value) <= 3:
        return None
    parts = [_rational(v) for v in value]
    if any(p is None or p < 0 for p in parts):
        return None
    parts += [0.0] * (3 - len(parts))
    degrees, minutes, seconds = parts
    return degrees + minutes / 60.0 + seconds / 3600.0


def _exif_position(exif: Image.Exif) -> tuple[Optional[float], Optional[float]]:
    gps = _ifd(exif, _TAG_GPS_IFD)
    if not gps:
        return None, None
    lat = _dms(gps.get(_GPS_LATITUDE))
    lon = _dms(gps.get(_GPS_LONGITUDE))
    if lat is None or lon is None:
        return None, None
    lat_ref = (_text(gps.get(_GPS_LATITUDE_REF)) or "N").upper()[:1]
    lon_ref = (_text(gps.get(_GPS_LONGITUDE_REF)) or "E").upper()[:1]
    if lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
        return None, None
    if lat_ref == "S":
        lat = -lat
    if lon_ref == "W":
        lon = -lon
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None, None
    if lat == 0.0 and lon == 0.0:  # "null island": written by devices without a GPS fix
        return None, None
    return lon, lat
