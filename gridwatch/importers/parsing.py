"""Reading what people write in files: column headers and numbers in degrees.

One header normaliser (field mapping, coordinate columns, fire tables) and one degrees parser
(coordinates in tables, fire-point tables): ``经度(°)``, ``Longitude [WGS84]`` and ``lon`` all
become ``lon...`` keys; ``东经116°23′45.6″``, ``116.396E`` and ``-33.5`` all become numbers.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any, Optional

_BRACKETED = re.compile(r"\(.*?\)|\[.*?\]|【.*?】|<.*?>|\(.*$")
_SEPARATORS = re.compile(r"[\s_\-.·/:：]+")


def header_key(header: Any, units: Optional[re.Pattern[str]] = None) -> str:
    """``header`` reduced for matching: NFKC (full-width brackets become plain), lower case, without
    bracketed parts, spaces or separators, and without a trailing unit matched by ``units`` (twice:
    ``经度°/deg``)."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    key = _SEPARATORS.sub("", _BRACKETED.sub("", text))
    if units is not None:
        for _ in range(2):
            key = units.sub("", key)
    return key


_HEMISPHERE_WORDS = {"东经": "E", "北纬": "N", "西经": "W", "南纬": "S"}
_DMS = re.compile(
    r"^([NSEW东西南北])?\s*([+-]?\d+(?:\.\d+)?)\s*(?:[°度]|\s|:)?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*(?:['′’分]|:)?\s*)?"
    r"(?:(\d+(?:\.\d+)?)\s*(?:\"|″|”|''|′′|秒)?\s*)?"
    r"([NSEW东西南北])?$", re.IGNORECASE)
#: What a hand-written number may carry after it (fire tables: ``12.3MW``, ``85%``).
_NUMBER_UNITS = re.compile(r"(MW|兆瓦|DEG|%)$", re.IGNORECASE)


def parse_degrees(text: Any, *, loose: bool = False) -> Optional[float]:
    """Decimal degrees (or metres), or degrees-minutes-seconds such as ``116°23′45.6″E`` /
    ``东经116度23分45秒``; None when the text is no such number.

    ``loose`` also accepts thousands separators, spaces and a unit after the number (``1,234.5``,
    ``12.3MW``), as people type them into fire tables.
    """
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", str(text)).strip().replace("−", "-")
    if loose:
        s = _NUMBER_UNITS.sub("", s.replace(",", "").replace(" ", ""))
    if not s:
        return None
    s = re.sub(r"^(东经|北纬|西经|南纬)", lambda m: _HEMISPHERE_WORDS[m.group(1)], s)
    s = re.sub(r"(东经|北纬|西经|南纬)$", lambda m: _HEMISPHERE_WORDS[m.group(1)], s)
    try:
        v = float(s.rstrip("°度"))
        return v if math.isfinite(v) else None
    except ValueError:
        pass
    m = _DMS.match(s)
    if not m or (m.group(1) and m.group(5)):
        return None
    deg, mins, secs = float(m.group(2)), float(m.group(3) or 0), float(m.group(4) or 0)
    if mins >= 60 or secs >= 60 or (m.group(4) and not m.group(3)):
        return None
    value = abs(deg) + mins / 60 + secs / 3600
    hemi = (m.group(1) or m.group(5) or "").upper()
    negative = deg < 0 or str(m.group(2)).startswith("-") or hemi in ("S", "W", "西", "南")
    return -value if negative else value
