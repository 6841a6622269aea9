"""Page layout of a briefing map in millimetres (frame, title, legend, scale bar) and small drawing helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional, Sequence

import numpy as np
import shapely

from .map_spec import PAPER_MM, MapSpec

#: Screen pixels of the app's styles to printed points.
PX_TO_PT = 0.55


_MM_PER_PT = 25.4 / 72.0


def _paths(geoms: np.ndarray) -> list:
    """One compound :class:`~matplotlib.path.Path` per (multi)polygon, holes included."""
    from matplotlib.path import Path as MPath

    if len(geoms) == 0:
        return []
    geoms = shapely.orient_polygons(np.asarray(geoms, dtype=object))
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), MPath.LINETO, dtype=MPath.code_type)
    first = np.r_[0, np.flatnonzero(np.diff(ring_of)) + 1]
    codes[first] = MPath.MOVETO
    codes[np.r_[first[1:] - 1, len(coords) - 1]] = MPath.CLOSEPOLY
    feature_of = part_of[ring_part][ring_of]
    cuts = np.searchsorted(feature_of, np.arange(len(geoms) + 1))
    return [MPath(coords[a:b], codes[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]


def _group(paths: list, keys: Sequence[Any]) -> tuple[list, list]:
    """Paths with equal keys joined into one compound path: (paths, their keys), first-seen order."""
    from matplotlib.path import Path as MPath

    members: dict[Any, list] = {}
    for path, key in zip(paths, keys):
        members.setdefault(key, []).append(path)
    return [MPath.make_compound_path(*ps) for ps in members.values()], list(members)


def _rgba(c: Sequence[int], alpha: Optional[float] = None) -> tuple[float, float, float, float]:
    a = (c[3] / 255.0 if len(c) > 3 else 1.0) if alpha is None else alpha
    return (c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, a)


def _pt(px: float) -> float:
    return max(0.2, px * PX_TO_PT)


def _is_point(frame) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.asarray(shapely.get_type_id(np.asarray(frame.geometry.values, dtype=object))) == 0


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def x1(self) -> float:
        return self.x + self.w

    @property
    def y1(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class _Layout:
    width: float
    height: float
    k: float  # text size factor (A3 prints larger text)
    border: _Box
    title_y: float
    subtitle_y: float
    rule_y: float
    map: _Box
    panel: _Box
    legend: _Box
    notes: _Box
    portrait: bool


def _layout(spec: MapSpec) -> _Layout:
    short, long = PAPER_MM[spec.paper]
    portrait = spec.orientation == "portrait"
    W, H = (short, long) if portrait else (long, short)
    k = (short / 210.0) ** 0.6
    m = 10.0
    border = _Box(m, m, W - 2 * m, H - 2 * m)
    band = 21.0 * k
    tick = 5.0 * k  # room for coordinate labels left of and below the frame
    top = m + band + 3.0
    if portrait:
        ph = 56.0 * k
        panel = _Box(m + 3, H - m - 3 - ph, W - 2 * m - 6, ph)
        mp = _Box(m + 3 + tick, top, W - 2 * m - 6 - tick, panel.y - 3 - tick - top)
        legend = _Box(panel.x, panel.y + 2, panel.w * 0.66, panel.h - 2)
        notes = _Box(panel.x + panel.w * 0.68, panel.y + 2, panel.w * 0.32, panel.h - 2)
    else:
        pw = 70.0 * k
        panel = _Box(W - m - 3 - pw, top, pw, H - m - 3 - top)
        mp = _Box(m + 3 + tick, top, panel.x - 4 - (m + 3 + tick), H - m - 3 - tick - top)
        nh = 36.0 * k
        legend = _Box(panel.x + 3, panel.y, panel.w - 3, panel.h - nh - 2)
        notes = _Box(panel.x + 3, panel.y1 - nh, panel.w - 3, nh)
    return _Layout(W, H, k, border, m + 9.0 * k, m + 16.5 * k, m + band, mp, panel, legend, notes, portrait)


def _fig_rect(lay: _Layout, b: _Box) -> list[float]:
    return [b.x / lay.width, 1.0 - b.y1 / lay.height, b.w / lay.width, b.h / lay.height]


def _text_mm(text: str, size_pt: float) -> float:
    """Approximate printed width (mm) of ``text`` at ``size_pt`` (CJK characters are 1 em wide)."""
    em = size_pt * _MM_PER_PT
    return sum(em if ord(ch) > 0x2E80 else 0.56 * em for ch in text)


def fit_line(text: str, avail_mm: float, size_pt: float, min_pt: float, k: float = 1.0,
             lines: int = 1) -> tuple[str, float]:
    """``text`` and the size (pt, before ``k``) at which it fits ``avail_mm``: as large as possible down to
    ``min_pt``, then (``lines`` 2) broken into two lines at a separator or between characters, and only as
    a last resort cut with "…".  A title of any length stays inside the frame."""
    steps = [size_pt - 0.5 * i for i in range(int((size_pt - min_pt) / 0.5) + 1)]
    for s in steps:
        if _text_mm(text, s * k) <= avail_mm:
            return text, s
    if lines >= 2 and len(text) > 1:
        for s in steps:
            two = _two_lines(text, avail_mm, s * k)
            if two is not None:
                return two, s
        text = _two_lines(text, avail_mm, min_pt * k, cut=True) or text
        return text, min_pt
    while _text_mm(text, min_pt * k) > avail_mm and len(text) > 2:
        text = text[:-2] + "…"
    return text, min_pt


def _two_lines(text: str, avail_mm: float, size: float, cut: bool = False) -> Optional[str]:
    """``text`` as two lines that each fit, broken at the separator (space, ·, 、) nearest the middle or,
    failing that, between characters; with ``cut`` the second line is shortened with "…" to fit."""
    best: Optional[tuple[float, int]] = None
    for i in range(1, len(text)):
        first, second = text[:i].rstrip(), text[i:].lstrip(" ·")
        if not first or not second:
            continue
        a, b = _text_mm(first, size), _text_mm(second, size)
        if a <= avail_mm and (b <= avail_mm or cut):
            sep = text[i - 1] in " ·、，,）)" or text[i] in " ·（("
            score = abs(a - b) - (avail_mm * 0.3 if sep else 0.0)
            if best is None or score < best[0]:
                best = (score, i)
    if best is None:
        return None
    first, second = text[:best[1]].rstrip(), text[best[1]:].lstrip(" ·")
    while cut and _text_mm(second, size) > avail_mm and len(second) > 2:
        second = second[:-2] + "…"
    return first + "\n" + second


def _nice_length(max_m: float) -> float:
    """The longest 1-2-5 length (metres) not above ``max_m``."""
    exp = math.floor(math.log10(max_m))
    for step in (5, 2, 1):
        if step * 10 ** exp <= max_m:
            return float(step * 10 ** exp)
    return float(10 ** exp)


def _fit_extent(bounds: Sequence[float], frame: _Box, pad: float) -> tuple[float, float, float, float]:
    """``bounds`` padded and widened to the frame's aspect, so map units are square."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    cx, cy = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    w, h = w * (1 + 2 * pad), h * (1 + 2 * pad)
    aspect = frame.w / frame.h
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _dms(value: float, pos: str, neg: str) -> str:
    v = abs(value)
    d = int(v + 1e-9)
    mins = (v - d) * 60.0
    m = int(round(mins))
    if m == 60:
        d, m = d + 1, 0
    return f"{d}°{m:02d}′{pos if value >= 0 else neg}"
