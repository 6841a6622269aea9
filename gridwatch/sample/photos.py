"""Small synthetic site photos for the sample's findings, with EXIF time and GPS as a phone writes them.

Each photo is a plain drawing of the scene (sky, ground and what was found: a coal heap, a smoking
field, an uncovered earth pile, a kitchen vent ...), tinted per photo; the "after" photo of a
rectification shows the scene cleaned up.  Same random state, same bytes.
"""

from __future__ import annotations

import datetime as _dt
import io
from typing import Optional

import numpy as np
from PIL import Image, ImageDraw
from PIL import TiffImagePlugin as _T

SIZE = (288, 216)
QUALITY = 55

#: Scene colours per finding category: (ground, object).
_SCENES = {
    "scattered_coal": ((150, 140, 120), (30, 30, 32)),
    "open_burning": ((170, 150, 90), (90, 80, 70)),
    "construction_dust": ((165, 145, 115), (140, 110, 70)),
    "fireworks": ((140, 140, 140), (200, 40, 40)),
    "mine_dust": ((160, 150, 140), (120, 115, 110)),
    "scattered_polluter": ((130, 130, 125), (70, 90, 110)),
    "catering_fumes": ((120, 120, 120), (180, 170, 160)),
    "other": ((140, 150, 120), (100, 100, 100)),
}


def _dms(value: float) -> tuple[_T.IFDRational, _T.IFDRational, _T.IFDRational]:
    v = abs(value)
    d = int(v)
    m = int((v - d) * 60)
    s = round(((v - d) * 60 - m) * 60 * 100)
    return _T.IFDRational(d, 1), _T.IFDRational(m, 1), _T.IFDRational(s, 100)


def scene_photo(rng: np.random.Generator, category: str, taken_local: _dt.datetime,
                lon: Optional[float], lat: Optional[float], *, after: bool = False) -> bytes:
    """JPEG bytes of one photo; ``taken_local`` is Beijing time (EXIF with offset +08:00)."""
    ground, thing = _SCENES.get(category, _SCENES["other"])
    tint = rng.integers(-12, 13, 3)
    img = Image.new("RGB", SIZE, tuple(int(c) for c in np.clip(np.array((170, 195, 225)) + tint, 0, 255)))
    draw = ImageDraw.Draw(img)
    horizon = int(rng.integers(90, 130))
    draw.rectangle((0, horizon, SIZE[0], SIZE[1]), fill=tuple(int(c) for c in np.clip(np.array(ground) + tint, 0, 255)))
    for _ in range(3):  # buildings or trees on the horizon
        x0 = int(rng.integers(0, SIZE[0] - 60))
        h = int(rng.integers(15, 45))
        draw.rectangle((x0, horizon - h, x0 + int(rng.integers(25, 70)), horizon), fill=(110, 110, 105))
    cx, cy = int(rng.integers(80, 240)), int(rng.integers(horizon + 30, 210))
    if after:  # cleaned up: a swept patch and a sign
        swept = tuple(int(c) for c in np.clip(np.array(ground) + 25, 0, 255))
        draw.ellipse((cx - 60, cy - 18, cx + 60, cy + 18), fill=swept)
        draw.rectangle((cx + 70, cy - 40, cx + 74, cy + 10), fill=(90, 90, 90))
        draw.rectangle((cx + 55, cy - 60, cx + 95, cy - 38), fill=(30, 120, 60))
    else:
        w = int(rng.integers(40, 90))
        draw.polygon([(cx - w, cy + 20), (cx, cy - int(rng.integers(20, 50))), (cx + w, cy + 20)], fill=thing)
        if category in ("open_burning", "catering_fumes", "scattered_polluter"):
            for k in range(4):  # smoke
                r = 12 + 6 * k
                draw.ellipse((cx - r + 8 * k, cy - 50 - 22 * k - r, cx + r + 8 * k, cy - 50 - 22 * k + r),
                             fill=(200 - 10 * k, 200 - 10 * k, 200 - 10 * k))
    exif = Image.Exif()
    stamp = taken_local.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x010F] = "Xiaomi"
    exif[0x0110] = "Redmi Note 12"
    exif[0x0132] = stamp
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = stamp
    sub[0x9011] = "+08:00"
    if lon is not None and lat is not None:
        gps = exif.get_ifd(0x8825)
        gps[1], gps[2] = "N", _dms(lat)
        gps[3], gps[4] = "E", _dms(lon)
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=QUALITY, optimize=True)
    return out.getvalue()
