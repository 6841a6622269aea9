"""Find anything on the map by name: townships, villages, cells, key areas (monitoring stations),
construction sites, mines, zones, and people (their cells); by a Chinese name (partial), a code, or
pinyin (``hlz`` or ``huolu`` for 获鹿镇) through pypinyin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Optional

import numpy as np

from .data import MapData

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Map layers searched, in the order their hits are listed (places first, then sources and zones).
SEARCH_LAYERS = ("township", "village", "grid_cell", "key_area", "construction_site", "mine", "coal_ban_zone",
                 "fireworks_ban_zone")
#: The kind of a hit that is a person: the map shows (and highlights) their cells.
PERSON = "inspector"

#: Full pinyin is matched inside a name from this many letters on (shorter: at its start), so "zh" does
#: not find every 镇 (zhen).
FULL_PINYIN_MIN = 4
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


@dataclass(frozen=True)
class SearchHit:
    layer: str  # the map layer the hit is shown on
    index: int  # feature position in the layer (a person's first cell)
    code: str
    name: str
    bounds: tuple[float, float, float, float]
    #: "" for a feature of ``layer``; :data:`PERSON` for a person (``indices`` are their cells).
    kind: str = ""
    indices: tuple[int, ...] = ()
    #: A word on what the hit is beyond its layer (a person's role code).
    detail: str = ""

    @property
    def features(self) -> tuple[int, ...]:
        """The features to highlight."""
        return self.indices or (self.index,)


@dataclass
class SearchResult:
    """The hits shown (at most the limit) and how many there were in all."""

    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0

    @property
    def cut(self) -> bool:
        return self.total > len(self.hits)


@lru_cache(maxsize=65536)
def _run_pinyin(run: str) -> tuple[str, str]:
    from pypinyin import lazy_pinyin

    full = lazy_pinyin(run)
    return "".join(s[:1] for s in full), "".join(full)


def pinyin_keys(name: str) -> tuple[str, str]:
    """``(initials, full pinyin)`` of a name, lower case, other characters kept (获鹿镇 -> hlz, huoluzhen).

    Runs of Chinese characters are converted as phrases (so place names get their usual readings) and
    cached, so the many cell names made of a village name and 1号网格 cost little.
    """
    initials, full, pos = [], [], 0
    for m in _HAN.finditer(name):
        other = name[pos:m.start()].lower()
        i, f = _run_pinyin(m.group())
        initials += [other, i]
        full += [other, f]
        pos = m.end()
    rest = name[pos:].lower()
    return "".join(initials + [rest]), "".join(full + [rest])


def is_pinyin_query(text: str) -> bool:
    """Latin letters (and digits) only: may be pinyin."""
    return bool(text) and text.isascii() and any(c.isalpha() for c in text) and text.replace(" ", "").isalnum()


def matches_text(name: str, query: str) -> bool:
    """Whether ``query`` finds ``name``: a part of it, or of its pinyin initials or full pinyin."""
    q = query.strip().lower()
    if not q or q in name.lower():
        return True
    return is_pinyin_query(q) and _pinyin_finds(q.replace(" ", ""), *pinyin_keys(name))


def _pinyin_finds(q: str, initials: str, full: str) -> bool:
    """Whether pinyin query ``q`` (no spaces) finds a name by its pinyin initials or full pinyin."""
    return q in initials or full.startswith(q) or (len(q) >= FULL_PINYIN_MIN and q in full)


class TextMatcher:
    """:func:`matches_text` over many names asked again and again (a list filtered as the user types): each
    name lowered once, and put in pinyin once, when a query first needs it."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.lower = [n.lower() for n in names]
        self._keys: Optional[list[tuple[str, str]]] = None

    def found(self, query: str) -> list[bool]:
        """For every name, whether ``query`` finds it: a part of it, or of its pinyin initials or full pinyin."""
        q = query.strip().lower()
        if not q:
            return [True] * len(self.names)
        hits = [q in low for low in self.lower]
        if is_pinyin_query(q):
            if self._keys is None:  # each different name once (a list's roles and townships repeat)
                keys = {n: pinyin_keys(n) for n in set(self.names)}
                self._keys = [keys[n] for n in self.names]
            q = q.replace(" ", "")
            hits = [hit or _pinyin_finds(q, initials, full) for hit, (initials, full) in zip(hits, self._keys)]
        return hits


class SearchIndex:
    """Names, codes and pinyin keys of every searchable feature of a map, built once per map."""

    def __init__(self, data: MapData) -> None:
        self.data = data
        self.layers: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        for name in SEARCH_LAYERS:
            layer = data.layers.get(name)
            if layer is None or layer.count == 0 or "name" not in layer.frame.columns:
                continue
            frame = layer.frame
            names = frame["name"].fillna("").astype(str).to_numpy(dtype=object)
            codes = (frame["code"].fillna("").astype(str) if "code" in frame.columns
                     else pd.Series([""] * len(frame))).to_numpy(dtype=object)
            keys = [pinyin_keys(n) for n in names]
            self.layers[name] = (names, codes, np.array([k[0] for k in keys], dtype=object),
                                 np.array([k[1] for k in keys], dtype=object))


def search_index(data: MapData) -> SearchIndex:
    """The map's search index (built on first use and kept with the map)."""
    index = getattr(data, "_search_index", None)
    if index is None:
        index = SearchIndex(data)
        data._search_index = index  # type: ignore[attr-defined]
    return index


def _rank(text: str, names: np.ndarray, codes: np.ndarray, initials: np.ndarray, full: np.ndarray
          ) -> tuple[np.ndarray, np.ndarray]:
    """(positions, match quality 0 best) of the features ``text`` finds."""
    s_names, s_codes = pd.Series(names, dtype=object), pd.Series(codes, dtype=object)
    if text.isdigit():
        mask = s_codes.str.startswith(text).to_numpy(dtype=bool)
        quality = np.where(codes == text, 0, 2)
        return np.flatnonzero(mask), quality[mask]
    lower = text.lower()
    contains = s_names.str.lower().str.contains(lower, regex=False).to_numpy(dtype=bool)
    quality = np.where(names == text, 0, np.where(s_names.str.startswith(text).to_numpy(dtype=bool), 1, 2))
    if is_pinyin_query(text):
        q = lower.replace(" ", "")
        s_i, s_f = pd.Series(initials, dtype=object), pd.Series(full, dtype=object)
        by_initials = s_i.str.startswith(q).to_numpy(dtype=bool)
        in_initials = s_i.str.contains(q, regex=False).to_numpy(dtype=bool)
        in_full = (s_f.str.contains(q, regex=False) if len(q) >= FULL_PINYIN_MIN
                   else s_f.str.startswith(q)).to_numpy(dtype=bool)
        exact = (initials == q) | (full == q)
        py_quality = np.where(exact, 0, np.where(by_initials | s_f.str.startswith(q).to_numpy(dtype=bool), 1, 3))
        quality = np.where(contains, quality, py_quality)
        contains = contains | in_initials | in_full
    return np.flatnonzero(contains), quality[contains]


def search_all(data: MapData, text: str, people: Optional[pd.DataFrame] = None, limit: int = 50) -> SearchResult:
    """Everything ``text`` finds on the map, best first, at most ``limit`` (``total`` says how many).

    Exact matches first, then names starting with the text (or its pinyin), then the rest; within
    that, townships before villages before cells before the other layers, then shorter names.
    Digits match codes (and people's phone numbers' last digits); Latin letters also match pinyin
    initials or full pinyin.  ``people`` (the inspector table) adds people: a person's hit shows their
    cells.
    """
    text = text.strip()
    if not text:
        return SearchResult()
    index = search_index(data)
    scored: list[tuple[tuple, SearchHit]] = []
    total = 0
    for rank, name in enumerate(SEARCH_LAYERS):
        if name not in index.layers:
            continue
        layer = data.layers[name]
        names, codes, initials, full = index.layers[name]
        found, quality = _rank(text, names, codes, initials, full)
        total += len(found)
        if len(found) > limit * 4:  # only the best can be shown: keep the best few of a big layer
            keep = np.argsort(quality, kind="stable")[: limit * 4]
            found, quality = found[keep], quality[keep]
        for i, q in zip(found.tolist(), quality.tolist()):
            b = layer.bounds[i]
            scored.append(((q, rank, len(names[i]), codes[i]),
                           SearchHit(name, i, codes[i], names[i], (float(b[0]), float(b[1]), float(b[2]),
                                                                   float(b[3])))))
    if people is not None and len(people) and "grid_cell" in data.layers:
        for hit, q in _people_hits(data, text, people):
            total += 1
            scored.append(((q, -1, len(hit.name), hit.code), hit))
    scored.sort(key=lambda kv: kv[0])
    return SearchResult([h for _, h in scored[:limit]], total)


def _people_hits(data: MapData, text: str, people: pd.DataFrame) -> list[tuple[SearchHit, int]]:
    cells = data.layers["grid_cell"]
    owners = cells.frame["inspector_uuid"].fillna("").astype(str).to_numpy() \
        if "inspector_uuid" in cells.frame.columns else np.array([], dtype=object)
    active = people[people["active"].fillna(1) != 0] if "active" in people.columns else people
    out = []
    for p in active.to_dict("records"):
        name = str(p.get("name") or "")
        phone = "".join(ch for ch in str(p.get("phone") or "") if ch.isdigit())
        if text.isdigit():
            hit_q = 1 if len(text) >= 3 and phone.endswith(text) else None
        elif name == text:
            hit_q = 0
        elif matches_text(name, text):
            hit_q = 1 if name.startswith(text) or pinyin_keys(name)[0].startswith(text.lower()) else 2
        else:
            hit_q = None
        if hit_q is None:
            continue
        mine = np.flatnonzero(owners == str(p.get("uuid")))
        if len(mine):
            bounds = cells.features_bounds(mine) or (0.0, 0.0, 0.0, 0.0)
            first = int(mine[0])
        else:
            bounds, first = (float("nan"),) * 4, -1
        out.append((SearchHit("grid_cell", first, phone[-4:], name, tuple(float(v) for v in bounds),  # type: ignore[arg-type]
                              kind=PERSON, indices=tuple(int(i) for i in mine), detail=str(p.get("role") or "")),
                    hit_q))
    return out


def search_places(data: MapData, text: str, limit: int = 50) -> list[SearchHit]:
    """The hits of :func:`search_all` without people (kept for callers that list places only)."""
    return search_all(data, text, None, limit).hits


def parent_names(data: MapData, layer: str, index: int) -> dict[str, str]:
    """Names of the township and village a feature belongs to (by its codes)."""
    row = data.layers[layer].row(index)
    out: dict[str, str] = {}
    for parent, col in (("township", "township_code"), ("village", "village_code")):
        code = row.get(col) if col in row.index else None
        pl = data.layers.get(parent)
        if isinstance(code, str) and pl is not None:
            match = pl.frame.loc[pl.frame["code"] == code, "name"]
            if len(match):
                out[parent] = str(match.iloc[0])
    return out


def as_text(value: object) -> str:
    """A value as a user reads it in a panel."""
    if value is None:
        return ""
    try:
        if pd.isna(value):  # type: ignore[arg-type]
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S") + (" UTC" if value.tzinfo else "")
    if isinstance(value, (bool, np.bool_)):
        return "✓" if value else "✗"
    return str(value)
