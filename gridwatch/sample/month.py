"""The bundled sample's living two months: its fire points and its supervision work as layer and table frames.

The fire points come from :mod:`.fires` (own random stream ``(seed, 5)``), their persistent heat
sources are recognised by the domain rule (:mod:`gridwatch.domain.heat_sources`), and the work of
:mod:`.work` (stream ``(seed, 6)``) checks them, patrols the cells and follows its findings.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from ..analysis.coverage import cell_classes
from ..crs import PROJECT_EPSG
from ..domain.heat_sources import beijing_days, heat_sources
from ..layers.base import uuids_from_rng
from ..storage.gpkg import blob_to_geometry
from ..storage.schema import WORKFLOW_TABLES
from .fires import living_fires
from .tracks import sample_tracks
from .work import DAYS, WorkInput, generate_work

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd


@dataclass
class Place:
    """Where things can happen, in the generator's projected metres and cell order."""

    cpts: np.ndarray  # cell centres
    farmland: np.ndarray  # cell indices
    hills: np.ndarray
    plain: np.ndarray  # cells of the plain near the town, where industry is
    spacing: float
    cell_tree: shapely.STRtree
    cell_codes: np.ndarray
    village_of_cell: np.ndarray
    township_of_cell: np.ndarray
    to_geo: Any  # pyproj Transformer to EPSG:4490


@dataclass
class Month:
    fires: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    tables: dict[str, pd.DataFrame]


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Workflow rows as written by the app (ISO text) converted to the column types of the schema."""
    spec = WORKFLOW_TABLES[name]
    out = frame.copy()
    for f in spec.fields:
        if f.name not in out.columns:
            continue
        if f.type == "DATETIME":
            out[f.name] = pd.to_datetime(out[f.name], utc=True, format="ISO8601").astype("datetime64[ms, UTC]")
        elif f.type == "DATE":
            out[f.name] = [None if v is None or v != v else _dt.date.fromisoformat(str(v)) for v in out[f.name]]
        elif f.type == "INTEGER":
            out[f.name] = pd.array(out[f.name], dtype="Int64")
    return out


def living_month(seed: int, as_of: _dt.date, place: Place, cells: gpd.GeoDataFrame, coal: gpd.GeoDataFrame,
                 mines: gpd.GeoDataFrame, sites: gpd.GeoDataFrame, people: pd.DataFrame) -> Month:
    """Fire points, workflow tables and the sites as changed by the work, for the days before ``as_of``."""
    frng = np.random.default_rng([seed, 5])
    first_day = np.datetime64(as_of - _dt.timedelta(days=DAYS), "D")
    cp = place.cpts
    f = living_fires(frng, first_day, DAYS, cp[place.farmland], cp[place.hills], cp[place.plain], place.spacing,
                     place.cell_tree)
    lon, lat = place.to_geo.transform(f.x, f.y)
    utc = pd.DatetimeIndex(f.utc).tz_localize("UTC")
    heat = heat_sources(np.asarray(lon), np.asarray(lat), beijing_days(f.utc), f.source_type)
    fires = gpd.GeoDataFrame(
        {
            "uuid": uuids_from_rng(frng, len(f.x)),
            "detected_utc": utc.astype("datetime64[ms, UTC]"),
            "detected_local": np.asarray((utc + pd.Timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                                         dtype=object),
            "source": f.source,
            "satellite": f.satellite,
            "confidence": f.confidence,
            "frp": f.frp,
            "cell_code": place.cell_codes[f.cell],
            "village_code": place.village_of_cell[f.cell],
            "township_code": place.township_of_cell[f.cell],
            "status": np.full(len(f.x), "unverified", dtype=object),
            "check_uuid": np.full(len(f.x), None, dtype=object),
            "source_type": pd.array(np.where(np.isnan(f.source_type), pd.NA, f.source_type), dtype="Int64"),
            "heat_source": heat,
        },
        geometry=gpd.GeoSeries(shapely.points(np.column_stack([lon, lat])), crs=PROJECT_EPSG),
    )
    classes = cell_classes(cells, coal, mines, sites)
    wrng = np.random.default_rng([seed, 6])
    rural = sorted(c for c in cells["township_code"].unique() if c[6] in "12" and not c.endswith("100"))
    inp = WorkInput(as_of=as_of, cells=cells.assign(cell_class=classes), people=people,
                    fires=fires.assign(plant=f.plant), sites=sites, mines=mines,
                    township_codes=sorted(cells["township_code"].unique()), lagging=str(wrng.choice(rural)))
    work = generate_work(inp, wrng)
    # the tracks have their own random state: the rest of the month is as it was before they came
    track_points, track_audit = sample_tracks(np.random.default_rng([seed, 7]), work.tables["inspection"],
                                              dict(zip(cells["code"], cells.geometry)),
                                              dict(zip(people["uuid"], people["name"])), as_of)
    work.tables["audit_log"] = pd.concat([work.tables["audit_log"], pd.DataFrame(track_audit)], ignore_index=True)
    for uid, (status, check) in work.fire_status.items():
        at = fires.index[fires["uuid"] == uid]
        fires.loc[at, "status"] = status
        fires.loc[at, "check_uuid"] = check
    sites = sites.copy()
    for uid, grade in work.site_grades.items():
        sites.loc[sites["uuid"] == uid, "dust_grade"] = grade
    tables: dict[str, pd.DataFrame] = {}
    for name, frame in work.tables.items():
        if frame.empty:
            continue
        if name == "finding":
            geom = gpd.GeoSeries([blob_to_geometry(b) for b in frame["geom"]], crs=PROJECT_EPSG)
            tables[name] = gpd.GeoDataFrame(_typed(name, frame.drop(columns="geom")), geometry=geom)
        else:
            tables[name] = _typed(name, frame)
    if len(track_points):
        tables["track_point"] = track_points
    return Month(fires, sites, tables)
