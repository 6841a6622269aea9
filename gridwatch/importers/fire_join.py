"""Fire points on their way into a project: the file's rows as points, joined to the district's cells, each
detection stored once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np
import shapely

from ..crs import PROJECT_EPSG
from ..errors import LayerImportError
from ..storage.project import Project
from .parsing import header_key

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd

if TYPE_CHECKING:
    from .pipeline import ImportReport


def fire_frame(source_frame: gpd.GeoDataFrame, name: str, report: "ImportReport",
               field_map: Mapping[str, str]) -> gpd.GeoDataFrame:
    """The file's rows as fire points (:func:`~gridwatch.importers.fires.normalize_fire_table`), in EPSG:4490."""
    from .fires import normalize_fire_table

    raw = pd.DataFrame(source_frame.drop(columns=source_frame.geometry.name))
    missing = [src for src in field_map if src not in raw.columns]
    if missing:
        raise LayerImportError(f"{name}: --field-map names source field(s) {', '.join(missing)}, which the file "
                               f"does not have; its fields: {', '.join(map(str, raw.columns))}")
    # SRC=DST: the normaliser recognises DST names (longitude, latitude, acq_date, acq_time,
    # detected_utc, detected_local, satellite, source, confidence, frp).
    raw = raw.rename(columns=dict(field_map))
    cols = {header_key(c) for c in raw.columns}
    if not cols & {"longitude", "lon", "经度", "中心经度", "东经", "x"}:
        pts = source_frame.to_crs(PROJECT_EPSG).geometry
        raw["longitude"] = pts.x.astype(str)
        raw["latitude"] = pts.y.astype(str)
    fires, notes = normalize_fire_table(raw, name=name)
    report.notes += notes
    lon, lat = fires["longitude"].to_numpy(), fires["latitude"].to_numpy()
    points = np.asarray(source_frame.geometry.values, dtype=object)
    if not (len(points) == len(lon) and shapely.is_geometry(points).all()
            and np.array_equal(shapely.get_x(points), lon) and np.array_equal(shapely.get_y(points), lat)):
        points = shapely.points(lon, lat)  # the reader's points are not exactly these: made anew
    geom = gpd.GeoSeries(points, index=fires.index, crs=PROJECT_EPSG)
    out = gpd.GeoDataFrame(fires.drop(columns=["longitude", "latitude"]), geometry=geom)
    out["__row"] = fires["row"].to_numpy() if "row" in fires.columns else np.arange(1, len(fires) + 1)
    return out


def _join_cells(frame: gpd.GeoDataFrame, project: Project) -> tuple[np.ndarray, np.ndarray]:
    """Index of the containing cell for every point (-1 outside) and the cells frame."""
    cells = project.read_layer("grid_cell", columns=["code", "village_code", "township_code"])
    # The cells' boxes first (the tree), then the exact test for the candidate pairs cell by cell against
    # prepared cells (``contains_xy``: a point on a cell's edge is in neither, as with ``within``); a
    # third of the CPU of asking GEOS ``within`` for every point.
    polys = np.asarray(cells.geometry.values)
    geoms = np.asarray(frame.geometry.values)
    pt, cell = shapely.STRtree(polys).query(geoms)
    order = np.argsort(cell, kind="stable")
    pt, cell = pt[order], cell[order]
    shapely.prepare(polys)
    inside = shapely.contains_xy(polys[cell], shapely.get_x(geoms)[pt], shapely.get_y(geoms)[pt])
    cell_of = np.full(len(frame), -1, dtype=np.int64)
    cell_of[pt[inside]] = cell[inside]
    return cell_of, cells


def _existing_fire_keys(project: Project) -> pd.DataFrame:
    """(x, y, time in ms, source) of the detections already in the project."""
    import pyarrow as pa
    import pyarrow.compute as pc

    frame, xy = project.read_point_layer("fire_point", columns=["detected_utc", "source"])  # not all 16 columns
    # Straight from the Arrow columns: converting a million timestamps through text takes seconds.
    times = pa.array(frame["detected_utc"].array).cast(pa.timestamp("ms", tz="UTC")).cast(pa.int64())
    source = pa.array(frame["source"].array)
    return pd.DataFrame({
        "x": np.round(xy[:, 0], 6), "y": np.round(xy[:, 1], 6),
        "t": pc.fill_null(times, 0).to_numpy(zero_copy_only=False),
        "s": np.asarray(pc.fill_null(source, "").to_numpy(zero_copy_only=False), dtype=object),
    })


def join_fire_points(out: gpd.GeoDataFrame, project: Project, report: "ImportReport", *, append: bool
                     ) -> gpd.GeoDataFrame:
    """Fire points joined to their cell, village and township; points outside every cell and detections already
    stored (same place, time and source; in the file or, when appending, in the project) counted and dropped."""
    cell_of, cells = _join_cells(out, project)
    inside = cell_of >= 0
    report.outside = int((~inside).sum())
    out = out.loc[inside].copy()
    c = cells.iloc[cell_of[inside]]
    out["cell_code"] = c["code"].to_numpy()
    out["village_code"] = c["village_code"].to_numpy()
    out["township_code"] = c["township_code"].to_numpy()
    out["status"] = "unverified"
    # Not a heat source until the refresh after the write says so (in the same transaction): the refresh then
    # rewrites only the new heat sources, not every new row.
    out["heat_source"] = False
    utc = out["detected_utc"]
    # Beijing time as ISO text, written by numpy in C (pandas' strftime is a Python call per row)
    beijing = (utc + pd.Timedelta(hours=8)).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    local = pd.Series(np.char.add(np.datetime_as_string(beijing.astype("datetime64[s]"), unit="s"), "+08:00"),
                      index=out.index, dtype=object)
    local[utc.isna().to_numpy()] = np.nan
    if "day" in out.columns:  # day precision: the date alone, as the file gives it
        day = out["day"].astype(object)
        local = local.where(day.isna(), day)
        out = out.drop(columns="day")
    out["detected_local"] = local
    # The same detection twice (in the file, or already imported) is stored once.
    keys = pd.DataFrame({
        "x": np.round(shapely.get_x(np.asarray(out.geometry.values)), 6),
        "y": np.round(shapely.get_y(np.asarray(out.geometry.values)), 6),
        "t": np.asarray(utc.astype("datetime64[ms, UTC]").astype("int64")),
        "s": out["source"].astype(str).to_numpy(),
    })
    keep = ~keys.duplicated().to_numpy()
    if append:
        existing = _existing_fire_keys(project)
        if len(existing):
            seen = keys.merge(existing.drop_duplicates(), how="left", on=["x", "y", "t", "s"], indicator=True)
            keep &= (seen["_merge"] == "left_only").to_numpy()
    report.duplicates = int((~keep).sum())
    out = out.loc[keep].copy()
    return out
