"""Parts of the import dialog: the preview read on a worker (first features, a map), its jobs, option snapshots."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
import shapely
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF

from ...crs import PROJECT_EPSG
from ...tasks import CancelToken
from .. import jobs as _jobs
from ..jobs import Job, queue

log = logging.getLogger("gridwatch.ui")


#: Source features shown in the preview table and map.
PREVIEW_ROWS = 200


#: Size of the preview map in pixels.
MAP_SIZE = (300, 210)


#: Encodings offered besides "Auto"; the box is editable for anything else.
ENCODINGS = ("UTF-8", "GB18030", "GBK")


_ERROR_STYLE = "color: #c62828;"


_EPSG = re.compile(r"^\s*(?:epsg\s*:?\s*)?(\d{4,6})\s*(?:\(.*\))?\s*$", re.IGNORECASE)


_SUFFIX = re.compile(r"\s*\([^()]*\)\s*$")


#: Worker threads of import dialogs (previews, checks and imports; two at a time).
_WORKERS = queue("import", 2)


def _job(work: Any, what: str) -> Job:
    """A job of this dialog on its two worker threads; ``handled`` once the dialog took its outcome."""
    job = Job(work, "import", executor=_WORKERS)
    job.what = what  # type: ignore[attr-defined]
    job.handled = False  # type: ignore[attr-defined]
    return job


def jobs_running() -> bool:
    """True while any import-dialog worker is still running (tests wait for this)."""
    return _jobs.jobs_running("import")


@dataclass
class _Preview:
    info: Any  # gridwatch.importers.sources.SourceInfo
    frame: Any  # GeoDataFrame, first PREVIEW_ROWS features as read
    image: QImage
    fields: list[str]
    #: The file is a satellite fire-point table (FIRMS and the like): import it as fire points.
    fire_table: bool = False


def _field_names(info: Any, frame: Any) -> list[str]:
    """Source field names from ``info.fields`` (names, (name, type) pairs or objects)."""
    names: list[str] = []
    for f in list(getattr(info, "fields", None) or []):
        if isinstance(f, str):
            names.append(f)
        elif isinstance(f, (tuple, list)) and f:
            names.append(str(f[0]))
        elif hasattr(f, "name"):
            names.append(str(f.name))
        else:
            names.append(str(f))
    if not names and frame is not None:
        geom = getattr(frame, "_geometry_column_name", None)
        names = [str(c) for c in frame.columns if c != geom and getattr(frame[c].dtype, "name", "") != "geometry"]
    return names


def preview_image(frame: Any, width: int = MAP_SIZE[0], height: int = MAP_SIZE[1]) -> QImage:
    """Draw ``frame``'s geometries (reprojected to EPSG:4490) fitted into a ``width`` x ``height`` image."""
    img = QImage(max(1, width), max(1, height), QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(QColor(250, 250, 246))
    if frame is None or len(frame) == 0 or getattr(frame, "geometry", None) is None:
        return img
    geo = frame.geometry
    if geo.crs is not None:
        try:
            if geo.crs.to_epsg() != PROJECT_EPSG:
                geo = geo.to_crs(PROJECT_EPSG)
        except Exception:  # noqa: BLE001 - an odd CRS: draw the coordinates as they are
            log.info("preview: cannot reproject %s to EPSG:%s", geo.crs, PROJECT_EPSG, exc_info=True)
    geoms = np.asarray(geo.values, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return img
    geoms = shapely.force_2d(geoms)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return img
    geographic = -180.0 <= minx and maxx <= 360.0 and -90.0 <= miny and maxy <= 90.0
    kx = math.cos(math.radians((miny + maxy) / 2)) if geographic else 1.0
    span = 0.005 if geographic else 500.0  # a single point or a thin strip still gets a frame
    w, h = max((maxx - minx) * kx, span), max(maxy - miny, span)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    margin = 10
    scale = min((width - 2 * margin) / w, (height - 2 * margin) / h)

    def poly(coords: np.ndarray) -> QPolygonF:
        xs = width / 2 + (coords[:, 0] - cx) * kx * scale
        ys = height / 2 - (coords[:, 1] - cy) * scale
        return QPolygonF([QPointF(float(x), float(y)) for x, y in zip(xs, ys)])

    p = QPainter(img)
    try:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        stroke = QPen(QColor(30, 90, 160), 1.2)
        fill = QColor(60, 130, 210, 90)
        for part in shapely.get_parts(geoms):
            t = shapely.get_type_id(part)
            if t == 3:  # polygon
                path = QPainterPath()
                path.setFillRule(Qt.FillRule.OddEvenFill)
                for ring in [part.exterior, *part.interiors]:
                    path.addPolygon(poly(shapely.get_coordinates(ring)))
                    path.closeSubpath()
                p.setPen(stroke)
                p.setBrush(fill)
                p.drawPath(path)
            elif t in (1, 2):  # line, ring
                p.setPen(stroke)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawPolyline(poly(shapely.get_coordinates(part)))
            elif t == 0:  # point
                pt = poly(shapely.get_coordinates(part))[0]
                p.setPen(QPen(QColor(120, 30, 0), 1.0))
                p.setBrush(QColor(255, 110, 0, 220))
                p.drawEllipse(pt, 3.5, 3.5)
    finally:
        p.end()
    return img


def _read_preview(path: Path, layer: Optional[str], encoding: Optional[str], crs: Optional[str],
                  cancel: CancelToken) -> _Preview:
    from ...app.imports import TABLE_SUFFIXES, inspect_source, looks_like_fire_table, read_source
    from ...errors import CRSError

    try:
        info = inspect_source(path, layer=layer, encoding=encoding, crs=crs)
    except CRSError:
        # A satellite fire table carries no CRS and covers the world (FIRMS): its coordinates are WGS84
        # longitude/latitude, as the import reads them.  Any other file still needs its CRS named.
        if crs is not None or path.suffix.lower() not in TABLE_SUFFIXES:
            raise
        info = inspect_source(path, layer=layer, encoding=encoding, crs="EPSG:4326")
        if not looks_like_fire_table(_field_names(info, None)):
            raise
        crs = "EPSG:4326"
    cancel.raise_if_cancelled()
    frame = read_source(path, layer=getattr(info, "layer", None) or layer, encoding=encoding, crs=crs,
                        max_features=PREVIEW_ROWS)
    frame = frame.iloc[:PREVIEW_ROWS]
    cancel.raise_if_cancelled()
    image = preview_image(frame)
    fields = _field_names(info, frame)
    fire = path.suffix.lower() in TABLE_SUFFIXES and looks_like_fire_table(fields)
    return _Preview(info, frame, image, fields, fire)


@dataclass(frozen=True)
class _Snapshot:
    """Everything the check depends on; Import needs the snapshot the check was made with."""

    file: str
    kind: str
    source_layer: Optional[str]
    encoding: Optional[str]
    crs: Optional[str]
    mode: str
    field_map: tuple[tuple[str, str], ...]
    #: Replacements of values the layer does not allow: ((field, value, replacement), ...).
    value_map: tuple[tuple[str, str, str], ...] = ()


def _crs_string(crs: Any) -> str:
    """'EPSG:4326' for a pyproj CRS, an EPSG int or text; '' when unknown."""
    if crs is None:
        return ""
    if isinstance(crs, int):
        return f"EPSG:{crs}"
    if hasattr(crs, "to_epsg"):
        try:
            code = crs.to_epsg()
        except Exception:  # noqa: BLE001
            code = None
        if code:
            return f"EPSG:{code}"
        return crs.to_string() if hasattr(crs, "to_string") else str(crs)
    return str(crs)
