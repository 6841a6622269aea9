"""An area layer as the first paint needs it, read straight from the GeoPackage with sqlite3: the geometry and
the attributes the map draws (the style's category, the label); every other attribute is read when first asked
for (``LayerData.frame``; the window reads them on a worker after its first paint).  No Qt.

Reading through GDAL (pyogrio) imports geopandas and pandas (0.7 s) and builds a data frame of every attribute
of every feature; the first painted map needs neither.  A layer this cannot read (a geometry blob it does not
know, a flag column in the style) is read the usual way (:func:`~gridwatch.mapview.data.prepare_layer`).
"""

from __future__ import annotations

from contextlib import closing
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import shapely

from ..layers import LAYERS
from ..storage.gpkg import column_names, connect_readonly, quote_ident, sqlite_tables

if TYPE_CHECKING:
    from ..storage.project import Project
    from .data import LayerData

#: Doubles of a GeoPackage blob's envelope, by its envelope flag.
_ENVELOPE = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def blobs_to_geometries(blobs: list[Optional[bytes]]) -> np.ndarray:
    """Shapely geometries of GeoPackage geometry blobs (None for NULL or empty ones), decoded in one call."""
    if blobs and all(b is not None for b in blobs):
        first = blobs[0]
        assert first is not None
        flags = first[3] if len(first) >= 8 and first[:2] == b"GP" else None
        n = _ENVELOPE.get((flags >> 1) & 0x07) if flags is not None and not flags & 0x30 else None
        if n is not None and all(b[3] == flags and b[:2] == b"GP" for b in blobs):  # type: ignore[index]
            head = 8 + 8 * n  # one header length for all: cut in one pass
            return shapely.from_wkb(np.array([b[head:] for b in blobs], dtype=object))  # type: ignore[index]
    wkb: list[Optional[bytes]] = []
    for b in blobs:
        if b is None or len(b) < 8 or b[:2] != b"GP" or b[3] & 0x10:  # NULL, not a blob, or flagged empty
            wkb.append(None)
            continue
        n = _ENVELOPE.get((b[3] >> 1) & 0x07)
        if n is None or b[3] & 0x20:  # an invalid envelope, or an extended geometry type
            raise ValueError("a GeoPackage geometry blob this reader does not decode")
        wkb.append(b[8 + 8 * n:])
    return shapely.from_wkb(np.array(wkb, dtype=object))


def _single_rings(blobs: list[Any]) -> Optional[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """``(ring xy, ring offsets, ring feature, bounds)`` of blobs that are all polygons of one ring (a Polygon, or a
    MultiPolygon of one part, without holes: cells, villages, townships), read from the bytes with numpy in a few
    vectorised steps, no geometry object made (little-endian 2D WKB, one envelope kind); None when they are not."""
    n = len(blobs)
    if n == 0 or any(b is None for b in blobs):
        return None
    flags = blobs[0][3] if len(blobs[0]) > 3 else 0x30
    env = _ENVELOPE.get((flags >> 1) & 0x07)
    if flags & 0x30 or env is None:  # empty or extended: not for this reader
        return None
    head = 8 + 8 * env
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=n)
    if (lengths < head + 13 + 16).any():  # shorter than a polygon of one ring with one vertex
        return None
    width = head + 22  # the headers of a multipolygon of one polygon (a polygon's are shorter)
    hdr = np.frombuffer(b"".join([b[:width] for b in blobs]), dtype=np.uint8)
    if len(hdr) != n * width:
        return None
    hdr = hdr.reshape(n, width)

    def u32(at: int) -> np.ndarray:
        b = hdr[:, at:at + 4].astype(np.uint32)
        return b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16) | (b[:, 3] << 24)

    w = head  # the WKB: byte order, type, parts (or rings), then a multipolygon's polygon
    if not ((hdr[:, 0] == 71) & (hdr[:, 1] == 80) & (hdr[:, 3] == flags) & (hdr[:, w] == 1)).all():
        return None
    kind = u32(w + 1)
    multi = kind == 6
    if not (multi | (kind == 3)).all() or (multi & (lengths < width + 16)).any():
        return None
    one_ring = np.where(multi, (hdr[:, w + 9] == 1) & (u32(w + 10) == 3) & (u32(w + 14) == 1), True)
    if not ((u32(w + 5) == 1) & one_ring).all():  # one part (multipolygon) or one ring (polygon)
        return None
    first = np.where(multi, w + 22, w + 13)  # where the vertices start; their count just before
    count = np.where(multi, u32(w + 18), u32(w + 9)).astype(np.int64)
    if (count < 1).any() or (first + 16 * count != lengths).any():
        return None
    # every blob's vertices run from ``first`` to its end: cut off the headers, join the rest (one copy)
    skip = first.tolist()
    xy = np.frombuffer(b"".join([b[k:] for b, k in zip(blobs, skip)]), dtype="<f8").reshape(-1, 2).astype(np.float64)
    offsets = np.concatenate([[0], np.cumsum(count)]).astype(np.int64)
    at = offsets[:-1]
    bounds = np.column_stack([np.minimum.reduceat(xy[:, 0], at), np.minimum.reduceat(xy[:, 1], at),
                              np.maximum.reduceat(xy[:, 0], at), np.maximum.reduceat(xy[:, 1], at)])
    return xy, offsets, np.arange(n, dtype=np.int64), bounds


def map_attributes(name: str) -> list[str]:
    """The attributes of area layer ``name`` its drawing needs: the category and the label."""
    spec = LAYERS[name]
    return [c for c in dict.fromkeys([spec.style.category_field, spec.label_field]) if c]


def read_area_layer(project: "Project", name: str) -> Optional["LayerData"]:
    """Area layer ``name`` of ``project`` for the map (geometry, category, label; the rest later), or None when
    it has to be read the usual way."""
    from .data import LayerData, make_pieces, shape_layer

    spec = LAYERS[name]
    style = spec.style
    if style.flag_category is not None:
        return None  # flags need the data frame's rules
    with closing(connect_readonly(project.path)) as con:
        tables = sqlite_tables(con)
        if name not in tables or "gpkg_geometry_columns" not in tables:
            return None
        found = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,)).fetchone()
        info = con.execute("SELECT name, pk FROM pragma_table_info(?)", (name,)).fetchall()
        keys = [n for n, pk in info if pk]
        if found is None or len(keys) != 1:
            return None
        columns = column_names(con, name)
        wanted = [c for c in map_attributes(name) if c in columns]
        select = [keys[0], found[0]] + wanted
        sql = ("SELECT " + ", ".join(quote_ident(c, columns) for c in select) + " FROM " + quote_ident(name, tables)
               + " ORDER BY " + quote_ident(keys[0], columns))
        rows = con.execute(sql).fetchall()
    fids = np.array([r[0] for r in rows], dtype=np.int64)
    blobs = [r[1] for r in rows]
    values = {c: np.array([r[2 + i] for r in rows], dtype=object) for i, c in enumerate(wanted)}
    uniform = _single_rings(blobs)
    if uniform is not None:  # the drawing arrays from the bytes; the shapely geometries when first used
        ring_xy, ring_offsets, ring_feature, bounds = uniform
        data = LayerData(name=name, spec=spec, frame=None, geoms=None, bounds=bounds)
        data.defer_geometries(lambda: blobs_to_geometries(blobs))
    else:
        try:
            geoms = blobs_to_geometries(blobs)
        except (ValueError, shapely.errors.GEOSException):
            return None
        bounds = shapely.bounds(geoms) if len(geoms) else np.empty((0, 4))
        data = LayerData(name=name, spec=spec, frame=None, geoms=geoms, bounds=bounds)
    if style.category_field:
        cats = tuple(style.categories)
        data.categories = cats
        index = {c: i for i, c in enumerate(cats)}
        col = values.get(style.category_field)
        data.category = (np.array([index.get(v, -1) if isinstance(v, str) else -1 for v in col], dtype=np.int16)
                         if col is not None else np.full(len(fids), -1, dtype=np.int16))
    else:
        data.category = np.full(len(fids), -1, dtype=np.int16)
    if spec.label_field:
        data._label_values = values.get(spec.label_field)
    data._fids = fids
    data._rest = lambda: whole_frame(project, name, fids)
    if uniform is not None:
        data.ring_xy, data.ring_offsets, data.ring_feature = ring_xy, ring_offsets, ring_feature
        make_pieces(data)
    else:
        shape_layer(data)
    return data


def whole_frame(project: "Project", name: str, fids: np.ndarray) -> Any:
    """Every attribute of area layer ``name`` (a GeoDataFrame, as :meth:`Project.read_layer` reads it), in the
    order of ``fids`` (the map's read: a file changed since cannot shift its rows)."""
    frame = project.read_layer(name, fid_index=True)
    frame = frame[~frame.index.duplicated()].reindex(fids)
    return frame.reset_index(drop=True)
