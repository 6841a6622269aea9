"""GeoPackage geometry blobs <-> PostGIS: the same geometry, byte for byte, both ways.

A GeoPackage blob is a small header (``GP``, flags, SRS id, an envelope) and standard WKB; the server
keeps a PostGIS ``geometry`` column (so QGIS and SQL see real geometries).  Going up, the header is
dropped and the SRID put into the WKB (EWKB); coming down, the header is rebuilt as GDAL writes it
(little endian, an XY envelope except for points, the empty flag), so a row that went to the server
and back is the same bytes and pygeodiff sees no change.
"""

from __future__ import annotations

import struct
from typing import Any, Optional, Sequence

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def gpkg_to_ewkb(blob: Optional[bytes], srid: int) -> Optional[bytes]:
    """EWKB (with ``srid``) of a GeoPackage geometry blob; None for NULL."""
    if blob is None:
        return None
    b = bytes(blob)
    if len(b) < 8 or b[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    n = _ENVELOPE_BYTES.get((b[3] >> 1) & 0x07)
    if n is None:
        raise ValueError("GeoPackage geometry blob with an invalid envelope flag")
    wkb = b[8 + n:]
    order = "<" if wkb[0] == 1 else ">"
    gtype = struct.unpack(order + "I", wkb[1:5])[0]
    return wkb[:1] + struct.pack(order + "I", gtype | 0x20000000) + struct.pack(order + "i", srid) + wkb[5:]


def blobs_from_wkb(wkbs: Sequence[Optional[bytes]], srs_id: int,
                   envelopes: Optional[list[tuple[int, float, float, float, float]]] = None) -> list[Optional[bytes]]:
    """GeoPackage blobs for WKB values (as ``ST_AsBinary(geom, 'NDR')`` returns them), as GDAL writes them.

    ``envelopes``: filled with ``(index, minx, maxx, miny, maxy)`` of every non-empty geometry (what the
    GeoPackage's R-tree holds for it)."""
    import shapely

    out: list[Optional[bytes]] = [None] * len(wkbs)
    present = [i for i, w in enumerate(wkbs) if w is not None]
    if not present:
        return out
    geoms = shapely.from_wkb([bytes(wkbs[i]) for i in present])  # type: ignore[arg-type]
    empty = shapely.is_empty(geoms)
    bounds = shapely.bounds(geoms)
    types = shapely.get_type_id(geoms)
    srs = struct.pack("<i", srs_id)
    for k, i in enumerate(present):
        wkb = bytes(wkbs[i])  # type: ignore[arg-type]
        if empty[k]:
            out[i] = b"GP\x00" + bytes([0x01 | 0x10]) + srs + wkb
            continue
        minx, miny, maxx, maxy = bounds[k]
        if types[k] == 0:  # a point: no envelope
            out[i] = b"GP\x00\x01" + srs + wkb
        else:
            out[i] = b"GP\x00\x03" + srs + struct.pack("<4d", minx, maxx, miny, maxy) + wkb
        if envelopes is not None:
            envelopes.append((i, float(minx), float(maxx), float(miny), float(maxy)))
    return out


def as_gpkg_value(value: Any) -> Any:
    """A value read from the server as the GeoPackage stores it (memoryview -> bytes)."""
    if isinstance(value, memoryview):
        return bytes(value)
    return value
