"""An OpenStreetMap extract (.osm.pbf or .osm) as a vector basemap: roads, rivers, water, settlements.

GDAL's OSM driver reads the extract (through pyogrio); its features are sorted into five themes and
written once, clipped to the district and a margin, into a small GeoPackage beside the project
(the basemap folder), which is what the map loads.  Names come from ``name:zh`` where the extract
has it, else ``name``.

=========  =============================================================================
theme      OSM features
=========  =============================================================================
water      polygons: natural=water, waterway=riverbank, landuse=reservoir/basin, water=*
areas      polygons: landuse=residential / village green, place=* areas (settlements)
rivers     lines: waterway=river/stream/canal/drain/ditch
roads      lines: highway=* with a class (major, minor, path) for the drawing width
places     points: place=city/town/village/hamlet/suburb/neighbourhood/locality (labels)
=========  =============================================================================
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..errors import BadInputFile

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    import pyogrio
else:
    from ..lazy import gpd, pd, pyogrio

THEMES = ("water", "areas", "rivers", "roads", "places")
MAJOR_ROADS = {"motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link", "primary_link",
               "secondary_link"}
MINOR_ROADS = {"tertiary", "tertiary_link", "unclassified", "residential", "living_street", "service", "road"}
RIVERS = {"river", "stream", "canal", "drain", "ditch"}
PLACE_KINDS = ("city", "town", "suburb", "village", "hamlet", "neighbourhood", "locality", "isolated_dwelling")
_TAG = re.compile(r'"([^"]+)"=>"((?:[^"\\]|\\.)*)"')


def _tags(other: object) -> dict[str, str]:
    return dict(_TAG.findall(other)) if isinstance(other, str) else {}


def _read(path: Path, layer: str, bbox: Optional[tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    old = pyogrio.get_gdal_config_option("OSM_USE_CUSTOM_INDEXING")
    # extracts cut by tools that do not sort node ids (as the sample's) need GDAL's plain indexing
    pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": "NO"})
    try:
        return pyogrio.read_dataframe(path, layer=layer, bbox=bbox)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
        raise BadInputFile(f"{path}: not a readable OpenStreetMap extract ({str(exc).splitlines()[0][:120]})") from exc
    finally:
        pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": old})


def _name(frame: pd.DataFrame) -> pd.Series:
    zh = frame["other_tags"].map(lambda t: _tags(t).get("name:zh")) if "other_tags" in frame else None
    name = frame["name"] if "name" in frame else pd.Series([None] * len(frame), index=frame.index)
    return zh.fillna(name) if zh is not None else name


def read_osm(path: os.PathLike[str] | str,
             bbox: Optional[tuple[float, float, float, float]] = None) -> dict[str, gpd.GeoDataFrame]:
    """The five themes of an extract (EPSG:4326 = CGCS2000 at map scale), optionally within ``bbox``.

    Raises
    ------
    BadInputFile
        Not an OSM extract GDAL can read, or nothing of the themes in it (in ``bbox``).
    """
    p = Path(path)
    if not p.is_file():
        raise BadInputFile(f"{p}: no such file")
    if p.suffix.lower() not in (".pbf", ".osm"):
        raise BadInputFile(f"{p}: not an OpenStreetMap extract (.osm.pbf or .osm)")
    lines = _read(p, "lines", bbox)
    polys = _read(p, "multipolygons", bbox)
    points = _read(p, "points", bbox)
    out: dict[str, gpd.GeoDataFrame] = {}
    lt = lines["other_tags"].map(_tags) if "other_tags" in lines else pd.Series([{}] * len(lines))
    highway = lines["highway"] if "highway" in lines else pd.Series([None] * len(lines), index=lines.index)
    waterway = lines["waterway"] if "waterway" in lines else pd.Series([None] * len(lines), index=lines.index)
    road = highway.notna()
    cls = highway.map(lambda h: "major" if h in MAJOR_ROADS else "minor" if h in MINOR_ROADS else "path")
    out["roads"] = gpd.GeoDataFrame({"name": _name(lines)[road], "class": cls[road]},
                                    geometry=lines.geometry[road], crs=lines.crs)
    river = waterway.isin(RIVERS)
    out["rivers"] = gpd.GeoDataFrame({"name": _name(lines)[river], "class": waterway[river]},
                                     geometry=lines.geometry[river], crs=lines.crs)
    del lt
    pt = polys["other_tags"].map(_tags) if "other_tags" in polys else pd.Series([{}] * len(polys), index=polys.index)
    natural = polys["natural"] if "natural" in polys else pd.Series([None] * len(polys), index=polys.index)
    landuse = polys["landuse"] if "landuse" in polys else pd.Series([None] * len(polys), index=polys.index)
    place = polys["place"] if "place" in polys else pd.Series([None] * len(polys), index=polys.index)
    water = (natural == "water") | landuse.isin(["reservoir", "basin"]) | \
        pt.map(lambda t: t.get("waterway") == "riverbank" or "water" in t)
    areas = ~water & (landuse.isin(["residential", "village_green"]) | place.notna())
    out["water"] = gpd.GeoDataFrame({"name": _name(polys)[water]}, geometry=polys.geometry[water], crs=polys.crs)
    out["areas"] = gpd.GeoDataFrame({"name": _name(polys)[areas], "class": landuse[areas].fillna(place[areas])},
                                    geometry=polys.geometry[areas], crs=polys.crs)
    pplace = points["place"] if "place" in points else pd.Series([None] * len(points), index=points.index)
    named = pplace.isin(PLACE_KINDS) & _name(points).notna()
    out["places"] = gpd.GeoDataFrame({"name": _name(points)[named], "class": pplace[named]},
                                     geometry=points.geometry[named], crs=points.crs)
    if not sum(len(f) for f in out.values()):
        where = f" within {bbox}" if bbox else ""
        raise BadInputFile(f"{p}: no roads, rivers, water or settlements{where}; is it the extract of this district?")
    return {k: v.reset_index(drop=True) for k, v in out.items()}


def write_osm_basemap(themes: dict[str, gpd.GeoDataFrame], target: os.PathLike[str] | str) -> Path:
    """Write the themes as layers of one GeoPackage (temp file, then moved into place)."""
    t = Path(target)
    tmp = t.with_name(f".{t.stem}.tmp.gpkg")
    if tmp.exists():
        tmp.unlink()
    for name in THEMES:
        frame = themes.get(name)
        if frame is None or not len(frame):
            continue
        pyogrio.write_dataframe(frame.to_crs(4490), tmp, layer=name, driver="GPKG", append=tmp.exists())
    os.replace(tmp, t)
    return t


def load_osm_basemap(path: os.PathLike[str] | str) -> dict[str, gpd.GeoDataFrame]:
    """The themes of a basemap GeoPackage written by :func:`write_osm_basemap`."""
    p = Path(path)
    have = {str(name) for name, _ in pyogrio.list_layers(p)}
    return {name: pyogrio.read_dataframe(p, layer=name) for name in THEMES if name in have}
