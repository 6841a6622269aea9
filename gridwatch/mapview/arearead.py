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


def map_attributes(name: str) -> list[str]:
    """The attributes of area layer ``name`` its drawing needs: the category and the label."""
    spec = LAYERS[name]
    return [c for c in dict.fromkeys([spec.style.category_field, spec.label_field]) if c]


def read_area_layer(project: "Project", name: str) -> Optional["LayerData"]:
    """Area layer ``name`` of ``project`` for the map (geometry, category, label; the rest later), or None when
    it has to be read the usual way."""
    from .data import LayerData, shape_layer

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
    try:
        geoms = blobs_to_geometries([r[1] for r in rows])
    except (ValueError, shapely.errors.GEOSException):
        return None
    values = {c: np.array([r[2 + i] for r in rows], dtype=object) for i, c in enumerate(wanted)}
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
    shape_layer(data)
    return data


def whole_frame(project: "Project", name: str, fids: np.ndarray) -> Any:
    """Every attribute of area layer ``name`` (a GeoDataFrame, as :meth:`Project.read_layer` reads it), in the
    order of ``fids`` (the map's read: a file changed since cannot shift its rows)."""
    frame = project.read_layer(name, fid_index=True)
    frame = frame[~frame.index.duplicated()].reindex(fids)
    return frame.reset_index(drop=True)
