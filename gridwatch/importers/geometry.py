"""Geometries from files as they come: empty, 3D, invalid, of the wrong type, with coordinates that are not
numbers, or far from the district; each problem said with the rows it is in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely

from ..errors import LayerImportError
from ..layers.base import LayerSpec

if TYPE_CHECKING:
    import geopandas as gpd
else:
    from ..lazy import gpd

if TYPE_CHECKING:
    from ..storage.project import Project
    from .pipeline import ImportReport


def clean_geometries(frame: gpd.GeoDataFrame, spec: LayerSpec, report: "ImportReport") -> gpd.GeoDataFrame:
    """Drop empty geometries (counted), flatten Z/M, repair invalid ones (each repair reported with its row) and
    refuse coordinates that are not numbers or geometry types the layer does not take."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    report.empty_dropped = int(empty.sum())
    frame = frame.loc[~empty].copy()
    geoms = geoms[~empty]
    refuse_non_finite(frame, report.file)
    rows = frame["__row"].to_numpy()
    if shapely.has_z(geoms).any() or _has_m(geoms):
        report.converted.append("Z/M coordinates dropped: GridWatch stores 2D geometry")
        geoms = shapely.force_2d(geoms)
    allowed = set(spec.accepted_geometries)
    wants_areas = bool(allowed & {"Polygon", "MultiPolygon"})
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        fixed = shapely.make_valid(geoms[invalid])
        if wants_areas:
            # make_valid may return a collection with stray lines: keep the area part.
            fixed = np.array([g if g.geom_type in ("Polygon", "MultiPolygon") else
                              shapely.collection_extract(g, 3) for g in fixed], dtype=object)
        geoms[invalid] = fixed
        for r, reason in zip(rows[invalid], reasons):
            report.repaired.append(f"row {r}: {reason}")
    types = shapely.get_type_id(geoms)
    names = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon",
             7: "GeometryCollection"}
    # Single-part multipoints fit a point layer.
    if "Point" in allowed:
        single = (types == 4) & (shapely.get_num_geometries(geoms) == 1)
        if single.any():
            geoms[single] = shapely.get_geometry(geoms[single], 0)
            types = shapely.get_type_id(geoms)
    wrong = np.array([names.get(int(t), "?") not in allowed for t in types])
    if wrong.any():
        kinds = sorted({names.get(int(t), "?") for t in types[wrong]})
        raise LayerImportError(
            f"{report.file}: {int(wrong.sum())} feature(s) are {', '.join(kinds)} but the {spec.name} layer "
            f"takes {', '.join(spec.accepted_geometries)} (first at source row {int(rows[wrong][0])}); "
            "choose the right layer kind or file"
        )
    now_empty = shapely.is_empty(geoms)
    if now_empty.any():
        report.empty_dropped += int(now_empty.sum())
        frame = frame.loc[~now_empty].copy()
        geoms = geoms[~now_empty]
    frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
    return frame


def _has_m(geoms: np.ndarray) -> bool:
    try:
        return bool(shapely.has_m(geoms).any())
    except AttributeError:  # shapely without M support
        return False


def refuse_non_finite(frame: gpd.GeoDataFrame, label: str) -> None:
    """Refuse features with coordinates that are not numbers (NaN, Infinity: GeoJSON written by scripts)."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return
    coords, index = shapely.get_coordinates(geoms[present], return_index=True)
    bad_coords = ~np.isfinite(coords).all(axis=1)
    if not bad_coords.any():
        return
    bad = np.flatnonzero(present)[np.unique(index[bad_coords])]
    rows = frame["__row"].to_numpy()[bad]
    shown = ", ".join(str(int(r)) for r in rows[:10]) + (f" and {len(rows) - 10} more" if len(rows) > 10 else "")
    raise LayerImportError(f"{label}: {len(rows)} feature(s) have coordinates that are not numbers (NaN or "
                           f"Infinity): row(s) {shown}; correct or remove them in the file, then import again")


#: Features farther than this from the district are refused unless the user allows them (--allow-outside).
FAR_OUTSIDE_KM = 5.0


def district_area(project: "Project") -> "shapely.Geometry | None":
    """The district as one area (its townships, else its cells), EPSG:4490; None while it has no boundaries."""
    for layer in ("township", "grid_cell"):
        areas = project.read_layer(layer, columns=[])
        geoms = np.asarray(areas.geometry.values, dtype=object)
        geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        if len(geoms):
            return shapely.union_all(shapely.make_valid(geoms))
    return None


def _km_to(geoms: np.ndarray, area: "shapely.Geometry") -> np.ndarray:
    """Distance in km from each geometry (EPSG:4490 degrees) to ``area``: along the earth between the nearest
    points (a sphere; a few metres off at district scale, right for a point on another continent)."""
    km = np.zeros(len(geoms))
    outside = np.flatnonzero(shapely.distance(geoms, area) > 0)
    if len(outside):
        ends = shapely.get_coordinates(shapely.shortest_line(geoms[outside], area)).reshape(-1, 2, 2)
        lon1, lat1, lon2, lat2 = (np.radians(ends[:, i, j]) for i, j in ((0, 0), (0, 1), (1, 0), (1, 1)))
        h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        km[outside] = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return km


def outside_district(frame: gpd.GeoDataFrame, project: "Project", report: "ImportReport", *, allow: bool,
                     label: str) -> None:
    """Refuse features far outside the district (more than :data:`FAR_OUTSIDE_KM`): a wrong file, or a wrong or
    missing CRS; ``allow`` imports them anyway.  Features just outside are imported and said in the notes."""
    district = district_area(project)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if district is None or not len(geoms):
        if district is None and len(geoms):
            report.notes.append("the project has no township or cell boundaries yet: where the features lie was "
                                "not checked")
        return
    km = _km_to(geoms, district)
    rows = frame["__row"].to_numpy()
    name = project.district_name or "the district"

    def listed(idx: np.ndarray) -> str:
        order = idx[np.argsort(-km[idx])][:5]
        more = f" and {len(idx) - 5} more" if len(idx) > 5 else ""
        return ", ".join(f"row {int(rows[i])} ({km[i]:,.1f} km)" for i in order) + more

    far = np.flatnonzero(km > FAR_OUTSIDE_KM)
    close = np.flatnonzero((km > 0) & (km <= FAR_OUTSIDE_KM))
    if len(far) and not allow:
        raise LayerImportError(
            f"{label}: {len(far)} of {len(geoms)} feature(s) lie far outside {name} (more than "
            f"{FAR_OUTSIDE_KM:g} km from its boundary): {listed(far)}. Check that this is the right file and that its "
            "coordinate system is right (--crs); to import them anyway, use --allow-outside")
    if len(far):
        report.notes.append(f"{len(far)} feature(s) far outside {name} imported as asked (--allow-outside): "
                            f"{listed(far)}")
    if len(close):
        report.notes.append(f"{len(close)} feature(s) lie just outside {name} (within {FAR_OUTSIDE_KM:g} km of its "
                            f"boundary): {listed(close)}")
