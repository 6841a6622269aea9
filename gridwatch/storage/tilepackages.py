"""Raster tile packages on disk (SQLite): MBTiles and GeoPackage tiles, read-only.

Storage runs every SQL statement of GridWatch, so the two SQLite tile formats are read here; the
basemap package (:mod:`gridwatch.basemap`) decodes, mosaics and reprojects what these return.
Tables and columns are the ones the specifications fix (MBTiles 1.3: ``metadata``, ``tiles`` with
TMS rows; GeoPackage 1.2: ``gpkg_tile_matrix_set``, ``gpkg_tile_matrix`` and a tile table named in
``gpkg_contents``); a tile table's name is checked against the file's own tables before use.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import BadInputFile
from .gpkg import quote_ident, sqlite_tables


def _open(path: Path) -> sqlite3.Connection:
    try:
        con = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, check_same_thread=False)
        con.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
        return con
    except sqlite3.DatabaseError as exc:
        raise BadInputFile(f"{path}: not an SQLite tile package ({exc})") from exc


@dataclass
class TilePackageInfo:
    """What a tile package says about itself."""

    kind: str  # "mbtiles" or "gpkg"
    metadata: dict[str, str] = field(default_factory=dict)
    min_zoom: int = 0
    max_zoom: int = 0
    table: str = "tiles"
    #: GeoPackage tiles: the tile matrix set's srs_id and organisation name (EPSG:3857 expected).
    srs: str = "EPSG:3857"


class SqliteTiles:
    """Read tiles of an MBTiles file or a GeoPackage tile table by XYZ (Google/OSM) address.

    One connection per reader; :meth:`tile` may be called from one worker thread at a time.
    """

    def __init__(self, path: os.PathLike[str] | str) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise BadInputFile(f"{self.path}: no such file")
        self._con = _open(self.path)
        self.info = self._read_info()

    def close(self) -> None:
        self._con.close()

    def _read_info(self) -> TilePackageInfo:
        con = self._con
        tables = sqlite_tables(con)
        if "gpkg_contents" in tables:
            row = con.execute("SELECT c.table_name, s.organization, s.organization_coordsys_id, c.description "
                              "FROM gpkg_contents c JOIN gpkg_spatial_ref_sys s ON s.srs_id = c.srs_id "
                              "WHERE c.data_type = 'tiles' ORDER BY c.table_name LIMIT 1").fetchone()
            if row is None:
                raise BadInputFile(f"{self.path}: a GeoPackage without a tile layer (no 'tiles' in gpkg_contents)")
            table = str(row[0])
            quote_ident(table, tables)  # must be a table of this file
            zooms = con.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM gpkg_tile_matrix WHERE table_name = ?",
                                (table,)).fetchone()
            meta = {"name": table, "description": str(row[3] or "")}
            # free-text metadata a producer left (GDAL writes none; some tools use gpkg_metadata)
            if "gpkg_metadata" in tables:
                for (text,) in con.execute("SELECT metadata FROM gpkg_metadata"):
                    meta["description"] += " " + str(text or "")[:2000]
            return TilePackageInfo("gpkg", meta, int(zooms[0] or 0), int(zooms[1] or 0), table,
                                   f"{row[1]}:{row[2]}".upper())
        if "tiles" in tables and "metadata" in tables:
            meta = {str(k): str(v) for k, v in con.execute("SELECT name, value FROM metadata")}
            zooms = con.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
            lo = int(meta.get("minzoom", zooms[0] or 0))
            hi = int(meta.get("maxzoom", zooms[1] or 0))
            return TilePackageInfo("mbtiles", meta, lo, hi)
        raise BadInputFile(f"{self.path}: neither MBTiles (tables metadata, tiles) nor GeoPackage tiles")

    def tile_matrix(self, zoom: int) -> Optional[tuple[int, int, int, int]]:
        """GeoPackage: (matrix_width, matrix_height, tile_width, tile_height) of ``zoom``."""
        if self.info.kind != "gpkg":
            return None
        row = self._con.execute("SELECT matrix_width, matrix_height, tile_width, tile_height FROM gpkg_tile_matrix "
                                "WHERE table_name = ? AND zoom_level = ?", (self.info.table, zoom)).fetchone()
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]), int(row[3]))

    def matrix_set_bounds(self) -> Optional[tuple[float, float, float, float]]:
        if self.info.kind != "gpkg":
            return None
        row = self._con.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_tile_matrix_set WHERE table_name = ?",
                                (self.info.table,)).fetchone()
        return None if row is None else tuple(float(v) for v in row)  # type: ignore[return-value]

    def tile(self, z: int, x: int, y: int) -> Optional[bytes]:
        """The encoded image of tile ``z/x/y`` (XYZ: row 0 at the top), or None if the package lacks it."""
        if self.info.kind == "mbtiles":
            row = self._con.execute("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
                                    "AND tile_row = ?", (z, x, (1 << z) - 1 - y)).fetchone()
        else:
            table = quote_ident(self.info.table, [self.info.table])
            row = self._con.execute("SELECT tile_data FROM " + table + " WHERE zoom_level = ? AND tile_column = ? "
                                    "AND tile_row = ?", (z, x, y)).fetchone()
        return None if row is None else bytes(row[0])


def write_mbtiles(path: os.PathLike[str] | str, metadata: dict[str, str],
                  tiles: dict[tuple[int, int, int], bytes]) -> Path:
    """Write an MBTiles file (temp file + rename): ``tiles`` by XYZ address (tools and tests make packages)."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.tmp")
    if tmp.exists():
        tmp.unlink()
    with closing(sqlite3.connect(tmp)) as con:
        con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        con.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
        con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        con.executemany("INSERT INTO metadata VALUES (?, ?)", sorted(metadata.items()))
        con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                        [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in sorted(tiles.items())])
        con.commit()
    os.replace(tmp, target)
    return target
