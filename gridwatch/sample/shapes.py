"""Shapes of the sample district: growing regions over a point graph, blobs, hills, key areas, names made unique."""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Callable, Optional

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import MultiPoint, Polygon, box

from ..domain.vocabulary import KEY_AREA_KIND_TITLES, title
from ..layers.base import uuids_from_rng

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd

#: The stress district's fire season: March to November of this year (the year of the bundled
#: sample's as-of date, 2026-12-01).
SEASON_YEAR = 2026


def _adjacency(points: np.ndarray) -> list[np.ndarray]:
    """Neighbour lists of the Voronoi cells of ``points`` (= Delaunay edges)."""
    edges = shapely.delaunay_triangles(MultiPoint(points), only_edges=True)
    coords = shapely.get_coordinates(edges).reshape(-1, 2, 2)
    index = {(float(x), float(y)): i for i, (x, y) in enumerate(points)}
    a = np.fromiter((index[(float(x), float(y))] for x, y in coords[:, 0]), dtype=np.int64, count=len(coords))
    b = np.fromiter((index[(float(x), float(y))] for x, y in coords[:, 1]), dtype=np.int64, count=len(coords))
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    splits = np.searchsorted(src, np.arange(len(points) + 1))
    return [dst[splits[i]:splits[i + 1]] for i in range(len(points))]


def _grow(
    seeds: list[int],
    allowed: np.ndarray,
    adj: list[np.ndarray],
    pts: np.ndarray,
    rng: np.random.Generator,
    speed: Optional[np.ndarray] = None,
) -> np.ndarray:
    """Label each allowed node with the seed that reaches it first (randomised Dijkstra)."""
    n = len(pts)
    label = np.full(n, -1, dtype=np.int64)
    best = np.full(n, np.inf)
    heap: list[tuple[float, int, int]] = []
    for k, s in enumerate(seeds):
        best[s] = 0.0
        heap.append((0.0, int(s), k))
    heapq.heapify(heap)
    noise = rng.uniform(0.55, 1.75, size=n)
    spd = np.ones(len(seeds)) if speed is None else speed
    while heap:
        d, node, k = heapq.heappop(heap)
        if label[node] != -1:
            continue
        label[node] = k
        for nb in adj[node]:
            if not allowed[nb] or label[nb] != -1:
                continue
            step = float(np.hypot(*(pts[nb] - pts[node]))) * noise[nb] / spd[k]
            nd = d + step
            if nd < best[nb]:
                best[nb] = nd
                heapq.heappush(heap, (nd, int(nb), k))
    return label


def _spread_seeds(candidates: np.ndarray, pts: np.ndarray, k: int, fixed: list[int],
                  rng: np.random.Generator) -> list[int]:
    """Pick ``k`` candidate nodes spread apart (farthest-point sampling with jitter)."""
    chosen = list(fixed)
    if not chosen:
        chosen.append(int(candidates[rng.integers(len(candidates))]))
    dmin = np.full(len(candidates), np.inf)
    for c in chosen:
        dmin = np.minimum(dmin, np.hypot(*(pts[candidates] - pts[c]).T))
    while len(chosen) < k:
        score = dmin * rng.uniform(0.75, 1.0, size=len(candidates))
        nxt = int(candidates[int(np.argmax(score))])
        chosen.append(nxt)
        dmin = np.minimum(dmin, np.hypot(*(pts[candidates] - pts[nxt]).T))
    return chosen


def _blob(cx: float, cy: float, radius: float, rng: np.random.Generator, n: int = 24,
          roughness: float = 0.18) -> Polygon:
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = radius * (1 + rng.uniform(-roughness, roughness, size=n))
    return Polygon(np.column_stack([cx + r * np.cos(theta), cy + r * np.sin(theta)])).buffer(0)


def _order_key(geoms: np.ndarray) -> np.ndarray:
    """Reading order (north to south, then west to east) of geometries, for numbering codes."""
    c = shapely.centroid(geoms)
    x, y = shapely.get_x(c), shapely.get_y(c)
    row = np.floor(-y / 400.0)
    return np.lexsort((x, row))


def _key_areas(seed: int, town: np.ndarray, R: float, district_geom, t_geoms: np.ndarray,  # type: ignore[no-untyped-def]
               t_names: list[str], t_codes: list[str], geo: Callable[[np.ndarray], gpd.GeoSeries]) -> gpd.GeoDataFrame:
    """Key areas: three air-quality monitoring stations and a school campus near the town.

    Drawn from their own generator (seeded from ``seed``), so adding them changed no other layer.
    The stations stand where the construction sites cluster, so the sample has sites within 3 km
    that are not grade A for the rule checks to find.
    """
    krng = np.random.default_rng([seed, 3])
    plan = [("national_station", 0.0, 0.05), ("provincial_station", 0.22, 0.12), ("city_station", 0.35, 0.1)]
    geoms: list = []
    kinds: list[str] = []
    for kind, dist, spread in plan:
        for _ in range(200):
            angle = krng.uniform(0, 2 * np.pi)
            c = town + dist * R * np.array([np.cos(angle), np.sin(angle)]) + krng.normal(0, spread * R * 0.2, 2)
            p = shapely.Point(c)
            if district_geom.contains(p.buffer(500)) and all(p.distance(g) > 2500 for g in geoms):
                geoms.append(p)
                kinds.append(kind)
                break
    for _ in range(200):  # a school campus: a rotated rectangle of about 6 ha
        c = town + krng.normal(0, 0.12 * R, 2)
        w, h = krng.uniform(220, 320), krng.uniform(160, 240)
        rect = shapely.affinity.rotate(box(c[0] - w / 2, c[1] - h / 2, c[0] + w / 2, c[1] + h / 2),
                                       krng.uniform(0, 90))
        if district_geom.contains(rect) and all(rect.distance(g) > 1500 for g in geoms):
            geoms.append(rect)
            kinds.append("school")
            break
    garr = np.array(geoms, dtype=object)
    town_of = _township_of(garr, t_geoms)
    level = {k: title(KEY_AREA_KIND_TITLES, k).removesuffix("站点") for k in KEY_AREA_KIND_TITLES
             if k.endswith("_station")}  # 国控, 省控, 市控
    short = [t_names[t].replace("河北", "") for t in town_of]
    names = [f"{s}空气质量监测站({level[k]})" if k in level else f"{s}第一中学" for s, k in zip(short, kinds)]
    notes = ["环境空气质量自动监测站点(示例)" if k in level else "学校(示例)" for k in kinds]
    return gpd.GeoDataFrame(
        {"uuid": uuids_from_rng(krng, len(geoms)), "name": names, "kind": kinds, "buffer_m": 3000.0,
         "township_code": [t_codes[t] for t in town_of], "note": notes},
        geometry=geo(garr),
    )


def _connected_core(inside: np.ndarray, adj: list[np.ndarray], order: np.ndarray, n: int) -> np.ndarray:
    """Keep the largest connected part of ``inside`` and top it up to ``n`` cells from ``order``."""
    inside = inside.copy()
    for _ in range(20):
        comp = np.full(len(inside), -1, dtype=np.int64)
        sizes = []
        for start in np.flatnonzero(inside):
            if comp[start] != -1:
                continue
            k = len(sizes)
            stack = [int(start)]
            comp[start] = k
            size = 0
            while stack:
                node = stack.pop()
                size += 1
                for nb in adj[node]:
                    if inside[nb] and comp[nb] == -1:
                        comp[nb] = k
                        stack.append(int(nb))
            sizes.append(size)
        main = int(np.argmax(sizes))
        inside &= comp == main
        if inside.sum() >= n:
            return inside
        # Add the next-deepest cells that touch the main part.
        for cand in order:
            if inside.sum() >= n:
                break
            if not inside[cand] and any(inside[nb] for nb in adj[cand]):
                inside[cand] = True
    return inside


def _hill_score(xy: np.ndarray, cx: float, cy: float, R: float, rng: Optional[np.random.Generator]) -> np.ndarray:
    """Higher in the west, with a low-frequency wobble; > 0.28 counts as hilly."""
    u = (xy[:, 0] - cx) / R
    v = (xy[:, 1] - cy) / R
    wobble = 0.12 * np.sin(3.1 * v + 0.7) + 0.08 * np.sin(5.3 * v + 2.0 * u + 1.3) + 0.05 * np.cos(7.7 * u - 0.4)
    return -u + wobble


def _township_of(geoms: np.ndarray, t_geoms: np.ndarray) -> np.ndarray:
    if len(geoms) == 0:
        return np.zeros(0, dtype=np.int64)
    tree = shapely.STRtree(t_geoms)
    reps = shapely.point_on_surface(geoms)
    hit = tree.query(reps, predicate="within")
    out = np.zeros(len(geoms), dtype=np.int64)
    out[hit[0]] = hit[1]
    return out


def _days_in_month(month: np.ndarray) -> np.ndarray:
    return np.array([pd.Period(f"{SEASON_YEAR}-{m:02d}").days_in_month for m in month])


def _dedupe(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for n in names:
        k = seen.get(n, 0) + 1
        seen[n] = k
        out.append(n if k == 1 else f"{n}({k}期)")
    return out
