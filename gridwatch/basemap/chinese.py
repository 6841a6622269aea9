"""Chinese web-map tiles: recognise GCJ-02 / BD-09 packages, and the offsets that line them up.

Web maps published in China (高德/AutoNavi, 腾讯, Google's China tiles; 百度 on top of that) draw
their tiles in GCJ-02 ("Mars coordinates"), an obfuscated datum that puts them a few hundred metres
off WGS 84 / CGCS2000; 百度 adds BD-09.  A package says so only in its metadata (name, attribution,
description, a ``crs``/``coordinate_system`` key or the tile URL it was fetched from), so that is
what is read.  天地图 (Tianditu) tiles are CGCS2000 and need no shift.

A recognised package is refused by default; with ``shift`` the map samples each tile where the
datum would put the point (:func:`wgs84_to_gcj02`, :func:`gcj02_to_bd09`), which lines it up to
a metre or two, and says so in its note.
"""

from __future__ import annotations

import math
import re
from typing import Mapping, Optional

import numpy as np

#: Datum names by what a package's metadata says.
_BD09 = re.compile(r"bd[-_ ]?09|baidu|百度|bdimg|map\.baidu", re.I)
_GCJ02 = re.compile(r"gcj[-_ ]?02|\bgcj\b|火星|autonavi|amap|高德|is\.autonavi|webrd0|webst0|tencent|腾讯|"
                    r"map\.qq|gtimg|google\.cn|ditu\.google|mt\d?\.google\.cn", re.I)
_CGCS = re.compile(r"tianditu|天地图|cgcs\s?2000|epsg[:_ ]?4490", re.I)

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323


def detect_datum(metadata: Mapping[str, str]) -> Optional[str]:
    """``"gcj02"``, ``"bd09"`` or None (WGS 84 / CGCS2000, or nothing said) from a package's metadata."""
    text = " ".join(f"{k} {v}" for k, v in metadata.items() if isinstance(v, str) or isinstance(k, str))
    if _BD09.search(text):
        return "bd09"
    if _GCJ02.search(text):
        return "gcj02"
    return None


def says_cgcs2000(metadata: Mapping[str, str]) -> bool:
    """Whether the package says it is 天地图 / CGCS2000 (no shift needed)."""
    return bool(_CGCS.search(" ".join(f"{k} {v}" for k, v in metadata.items())))


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon > 73.66) & (lon < 135.05) & (lat > 3.86) & (lat < 53.55)


def _dlat(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _dlon(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    r += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where GCJ-02 puts WGS 84 / CGCS2000 points (unchanged outside China)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlat = _dlat(lon - 105.0, lat - 35.0)
    dlon = _dlon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sq = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * math.pi)
    dlon = (dlon * 180.0) / (_A / sq * np.cos(rad) * math.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where BD-09 puts GCJ-02 points."""
    x_pi = math.pi * 3000.0 / 180.0
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * x_pi)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * x_pi)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def to_datum(lon: np.ndarray, lat: np.ndarray, datum: Optional[str]) -> tuple[np.ndarray, np.ndarray]:
    """Where a package drawn in ``datum`` shows the CGCS2000 points ``lon, lat``."""
    if datum is None:
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    glon, glat = wgs84_to_gcj02(lon, lat)
    if datum == "gcj02":
        return glon, glat
    if datum == "bd09":
        return gcj02_to_bd09(glon, glat)
    raise ValueError(f"unknown datum {datum!r}")
