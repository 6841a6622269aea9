"""Demo and test tile packages: Web Mercator tiles drawn from a formula, so where each pixel lies is known.

Every tile is a pale relief-like shading computed from its pixels' longitude and latitude, with
its ``z/x/y`` address and a thin border; ``markers`` (lon, lat) are drawn as 5x5 red squares at the
exact Mercator pixel of the point (optionally where GCJ-02 would put it, to make a GCJ-02 package).
Not imagery: a package whose alignment a test (or a user looking at a screenshot) can check.
"""

from __future__ import annotations

import io
import math
from typing import Iterable, Optional

import numpy as np

from .chinese import wgs84_to_gcj02

TILE = 256


def tile_range(bbox: tuple[float, float, float, float], z: int) -> tuple[range, range]:
    """XYZ columns and rows of zoom ``z`` covering ``bbox`` (lon/lat)."""
    n = 1 << z

    def tx(lon: float) -> int:
        return int((lon + 180.0) / 360.0 * n)

    def ty(lat: float) -> int:
        phi = math.radians(lat)
        return int((1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0 * n)

    return range(tx(bbox[0]), tx(bbox[2]) + 1), range(ty(bbox[3]), ty(bbox[1]) + 1)


def demo_tiles(bbox: tuple[float, float, float, float], zooms: Iterable[int],
               markers: Iterable[tuple[float, float]] = (), datum: Optional[str] = None,
               image_format: str = "PNG") -> dict[tuple[int, int, int], bytes]:
    """Encoded tiles by XYZ address covering ``bbox`` at ``zooms``."""
    from PIL import Image, ImageDraw

    marks = list(markers)
    if datum == "gcj02" and marks:
        glon, glat = wgs84_to_gcj02(np.array([m[0] for m in marks]), np.array([m[1] for m in marks]))
        marks = list(zip(glon.tolist(), glat.tolist()))
    out: dict[tuple[int, int, int], bytes] = {}
    for z in zooms:
        n = 1 << z
        xs, ys = tile_range(bbox, z)
        for x in xs:
            for y in ys:
                px = (x * TILE + np.arange(TILE) + 0.5) / (TILE * n)
                py = (y * TILE + np.arange(TILE) + 0.5) / (TILE * n)
                lon = px * 360.0 - 180.0
                lat = np.degrees(np.arctan(np.sinh(math.pi * (1 - 2 * py))))
                glon, glat = np.meshgrid(lon, lat)
                shade = 0.5 + 0.25 * np.sin(glon * 90.0) * np.cos(glat * 70.0) + 0.15 * np.sin(glon * 23 + glat * 31)
                rgb = np.stack([205 + 30 * shade, 215 + 25 * shade, 190 + 20 * shade], axis=-1)
                img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
                draw = ImageDraw.Draw(img)
                draw.rectangle([0, 0, TILE - 1, TILE - 1], outline=(150, 150, 140))
                draw.text((6, 6), f"{z}/{x}/{y}", fill=(110, 110, 100))
                for mlon, mlat in marks:
                    mx = (mlon + 180.0) / 360.0 * TILE * n - x * TILE
                    phi = math.radians(mlat)
                    my = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0 * TILE * n - y * TILE
                    if -3 <= mx < TILE + 3 and -3 <= my < TILE + 3:
                        draw.rectangle([int(mx) - 2, int(my) - 2, int(mx) + 2, int(my) + 2], fill=(230, 0, 0))
                buf = io.BytesIO()
                img.save(buf, format=image_format)
                out[(z, x, y)] = buf.getvalue()
    return out


def grid_district(path, bbox: tuple[float, float, float, float], *, columns: int = 4, rows: int = 3,
                  name: str = "演示区", county_code: str = "990101"):  # type: ignore[no-untyped-def]
    """A small demo project whose cells tile ``bbox`` (one township, one village, one inspector).

    For showing a basemap where the only real extract at hand lies (the OSM sample is in England).
    """
    import uuid

    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from ..storage.project import write_project

    minx, miny, maxx, maxy = bbox
    dx, dy = (maxx - minx) / columns, (maxy - miny) / rows
    town, village = county_code + "001", county_code + "001001"
    person = str(uuid.UUID(int=1))
    cells, codes = [], []
    for r in range(rows):
        for c in range(columns):
            cells.append(box(minx + c * dx, miny + r * dy, minx + (c + 1) * dx, miny + (r + 1) * dy))
            codes.append(f"{village}{len(codes) + 1:03d}")
    outline = box(*bbox)
    layers = {
        "township": gpd.GeoDataFrame({"uuid": [str(uuid.UUID(int=2))], "code": [town], "name": ["演示镇"],
                                      "county_code": [county_code]}, geometry=[outline], crs=4490),
        "village": gpd.GeoDataFrame({"uuid": [str(uuid.UUID(int=3))], "code": [village], "name": ["演示村"],
                                     "township_code": [town], "kind": ["village"]}, geometry=[outline], crs=4490),
        "grid_cell": gpd.GeoDataFrame({"uuid": [str(uuid.UUID(int=100 + i)) for i in range(len(codes))],
                                       "code": codes, "name": [f"{i + 1}号网格" for i in range(len(codes))],
                                       "village_code": village, "township_code": town, "level": "grid",
                                       "inspector_uuid": person}, geometry=cells, crs=4490),
    }
    people = pd.DataFrame({"uuid": [person, str(uuid.UUID(int=4))], "name": ["演示网格员", "演示督查员"],
                           "role": ["inspector", "supervisor"], "active": [True, True],
                           "township_code": [town, None], "village_code": [village, None]})
    write_project(path, district_name=name, county_code=county_code, layers=layers, tables={"inspector": people})
    return path
