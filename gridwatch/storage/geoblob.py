"""GeoPackage geometry blobs (split from :mod:`.gpkg`, which re-exports them): encoding and decoding, the
``ST_*`` functions GDAL's R-tree triggers call, and point coordinates read from blobs and WKB in bulk."""

from __future__ import annotations

import sqlite3
import struct
from typing import Any, Optional

from ..errors import StorageError

_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def blob_envelope(blob: Optional[bytes]) -> Optional[tuple[float, float, float, float]]:
    """``(minx, maxx, miny, maxy)`` of a GeoPackage geometry blob, None if NULL or empty."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        return None
    flags = blob[3]
    if flags & 0x10:  # empty geometry flag
        return None
    order = "<" if flags & 0x01 else ">"
    env_kind = (flags >> 1) & 0x07
    n = _ENVELOPE_DOUBLES.get(env_kind)
    if n is None:
        raise StorageError(f"invalid GeoPackage geometry header (envelope indicator {env_kind})")
    if n:
        minx, maxx, miny, maxy = struct.unpack(order + "4d", blob[8:40])
        return (minx, maxx, miny, maxy)
    wkb = blob[8:]
    # Points are written without an envelope: read the coordinates straight from the WKB.
    worder = "<" if wkb[0] == 1 else ">"
    gtype = struct.unpack(worder + "I", wkb[1:5])[0]
    if gtype % 1000 == 1 and len(wkb) >= 21:
        x, y = struct.unpack(worder + "2d", wkb[5:21])
        if x != x and y != y:  # NaN coordinates: empty point
            return None
        return (x, x, y, y)
    import shapely  # only for uncommon blobs without an envelope

    geom = shapely.from_wkb(bytes(wkb))
    if geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return (minx, maxx, miny, maxy)


def _envelope_part(index: int):  # type: ignore[no-untyped-def]
    def fn(blob: Optional[bytes]) -> Optional[float]:
        env = blob_envelope(blob)
        return None if env is None else env[index]

    return fn


def _is_empty(blob: Optional[bytes]) -> Optional[int]:
    if blob is None:
        return None
    return 1 if blob_envelope(blob) is None else 0


def register_gpkg_functions(con: sqlite3.Connection) -> None:
    """Register ``ST_MinX``/``ST_MaxX``/``ST_MinY``/``ST_MaxY``/``ST_IsEmpty`` on ``con``.

    GDAL's R-tree triggers call these; without them any insert or geometry update from plain
    sqlite3 fails with "no such function".
    """
    det = {"deterministic": True}
    con.create_function("ST_MinX", 1, _envelope_part(0), **det)
    con.create_function("ST_MaxX", 1, _envelope_part(1), **det)
    con.create_function("ST_MinY", 1, _envelope_part(2), **det)
    con.create_function("ST_MaxY", 1, _envelope_part(3), **det)
    con.create_function("ST_IsEmpty", 1, _is_empty, **det)


_MULTI_OF = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}


def conform_geometry(geom, geometry_type: Optional[str]):  # type: ignore[no-untyped-def]
    """Return ``geom`` fitted to a layer declared as ``geometry_type`` (GeoPackage type name).

    A single part is promoted to its multi type for a ``MULTI*`` layer (as GDAL does on write);
    a geometry that cannot fit (a point in a polygon layer) is refused.
    """
    import shapely

    if geometry_type is None or geometry_type.upper() in ("GEOMETRY", "GEOMETRYCOLLECTION"):
        return geom
    want = geometry_type.upper()
    have = geom.geom_type
    if have.upper() == want:
        return geom
    if _MULTI_OF.get(have, "").upper() == want:
        return getattr(shapely, _MULTI_OF[have])([geom])
    raise StorageError(f"a {have} cannot be stored in a {geometry_type} layer")


def geometry_to_blob(geom, srs_id: int, geometry_type: Optional[str] = None) -> bytes:  # type: ignore[no-untyped-def]
    """Encode a shapely geometry as a GeoPackage blob (little endian, XY envelope unless a point).

    With ``geometry_type`` (the layer's declared type) the geometry is first conformed to it.
    """
    import shapely

    if geom is None:
        raise StorageError("cannot encode a NULL geometry")
    geom = conform_geometry(geom, geometry_type)
    wkb = shapely.to_wkb(geom, byte_order=1, output_dimension=2)
    if geom.is_empty:
        return b"GP" + bytes([0, 0x01 | 0x10]) + struct.pack("<i", srs_id) + wkb
    if geom.geom_type == "Point":
        return b"GP" + bytes([0, 0x01]) + struct.pack("<i", srs_id) + wkb
    minx, miny, maxx, maxy = geom.bounds
    return b"GP" + bytes([0, 0x03]) + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy) + wkb


def blob_to_geometry(blob: Optional[bytes]):  # type: ignore[no-untyped-def]
    """Decode a GeoPackage geometry blob to a shapely geometry (None for NULL)."""
    import shapely

    if blob is None:
        return None
    b = bytes(blob)
    if len(b) < 8 or b[:2] != b"GP":
        raise StorageError("not a GeoPackage geometry blob")
    n = _ENVELOPE_DOUBLES.get((b[3] >> 1) & 0x07)
    if n is None:
        raise StorageError("GeoPackage geometry blob with an invalid envelope flag")
    return shapely.from_wkb(b[8 + 8 * n:])


def blob_points_xy(blobs: list[bytes]) -> Any:
    """``(n, 2)`` coordinates of GeoPackage point blobs (NaN for empty ones).  The blobs GDAL writes for points
    (no envelope, little-endian 2D WKB: 29 bytes) are read with numpy in one step; any other through shapely."""
    import numpy as np
    import shapely

    n = len(blobs)
    if n == 0:
        return np.empty((0, 2))
    if (np.fromiter(map(len, blobs), dtype=np.int64, count=n) == 29).all():
        rec = np.frombuffer(b"".join(blobs), dtype=np.uint8).reshape(n, 29)
        flags = rec[:, 3]
        if not (flags & 0x1E).any() and (rec[:, 8] == 1).all() and (rec[:, 9] == 1).all() \
                and not rec[:, 10:13].any():  # no envelope, not empty; WKB little-endian 2D point
            return np.ascontiguousarray(rec[:, 13:29]).view("<f8").reshape(n, 2).astype(np.float64)
    geoms = np.array([blob_to_geometry(b) for b in blobs], dtype=object)
    xy = np.full((n, 2), np.nan)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy[ok] = shapely.get_coordinates(geoms[ok])[: int(ok.sum())]
    return xy


def wkb_points_xy(wkb: Any) -> Any:
    """(n, 2) float array of the coordinates of a pyarrow binary array of 2D WKB points.

    GDAL hands points over as 21-byte little-endian WKB; those are read straight from the Arrow
    buffer with numpy (milliseconds for a million points, where building shapely points takes a
    second).  Anything else falls back to shapely.
    """
    import numpy as np
    import pyarrow as pa
    import shapely

    arr = wkb.combine_chunks() if isinstance(wkb, pa.ChunkedArray) else wkb
    n = len(arr)
    if n == 0:
        return np.empty((0, 2))
    if arr.null_count == 0 and arr.type in (pa.binary(), pa.large_binary()):
        off_type = np.int64 if arr.type == pa.large_binary() else np.int32
        offsets = np.frombuffer(arr.buffers()[1], dtype=off_type)[arr.offset:arr.offset + n + 1]
        data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
        if offsets[-1] - offsets[0] == 21 * n and np.all(np.diff(offsets) == 21):
            rec = data[offsets[0]:offsets[0] + 21 * n].reshape(n, 21)
            if np.all(rec[:, 0] == 1) and np.all(rec[:, 1] == 1) and not rec[:, 2:5].any():
                return np.ascontiguousarray(rec[:, 5:21]).view("<f8").reshape(n, 2).astype(np.float64)
    geoms = shapely.from_wkb(np.asarray(arr.to_pylist(), dtype=object))
    xy = np.full((n, 2), np.nan)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy[ok] = shapely.get_coordinates(geoms[ok])[: int(ok.sum())]
    return xy
