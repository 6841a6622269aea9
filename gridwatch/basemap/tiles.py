"""Raster tile packages (MBTiles, GeoPackage tiles, PMTiles) drawn into the map's CGCS2000 view.

Tiles are Web Mercator (EPSG:3857, XYZ addressing).  The map shows CGCS2000 degrees with a fixed
x scale (:mod:`gridwatch.mapview.viewport`), so a view is filled by sampling the tiles: for each
output column its longitude, for each output row its latitude, each turned into a Mercator pixel
of the zoom level closest to the view's scale (CGCS2000 and WGS 84 agree to centimetres: no datum
shift).  Without a GCJ-02 shift the lookup is separable (a column index per column, a row index
per row), so a full view costs one fancy-indexing pass.  Decoded tiles are kept in a small
least-recently-used cache shared by the views of one package.
"""

from __future__ import annotations

import io
import math
import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import BadInputFile
from ..tasks import CancelToken
from .chinese import detect_datum, to_datum

TILE = 256
#: Most tiles one view may read (beyond it a coarser zoom is used).
MAX_TILES = 96
#: Decoded tiles kept per package.
CACHE_TILES = 256
MAX_LAT = 85.05112878


class TileSource:
    """A raster tile package: ``tile(z, x, y)`` gives encoded bytes (PNG/JPEG/WebP) or None."""

    path: Path
    kind: str
    metadata: dict[str, str]
    min_zoom: int
    max_zoom: int

    def tile(self, z: int, x: int, y: int) -> Optional[bytes]:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:
        pass


class SqliteTileSource(TileSource):
    """MBTiles or GeoPackage tiles (read by :mod:`gridwatch.storage.tilepackages`)."""

    def __init__(self, path: Path) -> None:
        from ..storage.tilepackages import SqliteTiles

        self.path = path
        self._tiles = SqliteTiles(path)
        info = self._tiles.info
        self.kind = info.kind
        self.metadata = dict(info.metadata)
        self.min_zoom, self.max_zoom = info.min_zoom, info.max_zoom
        if info.kind == "gpkg" and info.srs not in ("EPSG:3857", "EPSG:900913"):
            raise BadInputFile(f"{path}: its tiles are in {info.srs}; GridWatch draws Web Mercator (EPSG:3857) "
                               "tile packages; make them with gdal_translate -of GPKG "
                               "-co TILING_SCHEME=GoogleMapsCompatible")
        if info.kind == "gpkg":
            self._check_gpkg_grid()
        self._lock = threading.Lock()

    def _check_gpkg_grid(self) -> None:
        bounds = self._tiles.matrix_set_bounds()
        world = 20037508.342789244
        if bounds is None or any(abs(abs(b) - world) > 1.0 for b in bounds):
            raise BadInputFile(f"{self.path}: its tile matrix set is not the whole Web Mercator world "
                               f"(bounds {bounds}); GridWatch reads GoogleMapsCompatible tiling only")

    def tile(self, z: int, x: int, y: int) -> Optional[bytes]:
        with self._lock:  # one SQLite connection, one reader at a time
            return self._tiles.tile(z, x, y)

    def close(self) -> None:
        self._tiles.close()


class PMTilesSource(TileSource):
    """PMTiles v3 (read with the ``pmtiles`` package; raster tile types only)."""

    def __init__(self, path: Path) -> None:
        from pmtiles.reader import MmapSource, Reader
        from pmtiles.tile import TileType

        self.path = path
        self.kind = "pmtiles"
        try:
            self._fh = open(path, "rb")
            self._reader = Reader(MmapSource(self._fh))
            header = self._reader.header()
            meta = self._reader.metadata()
        except Exception as exc:  # the library raises its own and struct/json errors on a bad file
            raise BadInputFile(f"{path}: not a PMTiles v3 archive ({type(exc).__name__}: {exc})") from exc
        if header["tile_type"] not in (TileType.PNG, TileType.JPEG, TileType.WEBP):
            raise BadInputFile(f"{path}: holds {header['tile_type'].name} tiles; GridWatch draws raster "
                               "(PNG, JPEG, WebP) tiles; vector basemaps come from an OpenStreetMap .osm.pbf")
        self.metadata = {str(k): (v if isinstance(v, str) else str(v)) for k, v in dict(meta or {}).items()}
        self.min_zoom, self.max_zoom = int(header["min_zoom"]), int(header["max_zoom"])
        self._lock = threading.Lock()

    def tile(self, z: int, x: int, y: int) -> Optional[bytes]:
        with self._lock:
            data = self._reader.get(z, x, y)
        return None if data is None else bytes(data)

    def close(self) -> None:
        self._fh.close()


def open_tiles(path: os.PathLike[str] | str) -> TileSource:
    """A tile source for an ``.mbtiles``, ``.gpkg`` or ``.pmtiles`` file (by its content, checked)."""
    p = Path(path)
    if not p.is_file():
        raise BadInputFile(f"{p}: no such file")
    with open(p, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"PMTiles"):
        return PMTilesSource(p)
    if head.startswith(b"SQLite format 3"):
        return SqliteTileSource(p)
    raise BadInputFile(f"{p}: not a tile package GridWatch reads (MBTiles, GeoPackage tiles or PMTiles)")


def _decode(data: bytes) -> Optional[np.ndarray]:
    """A tile as premultiplied BGRA bytes viewed as one uint32 per pixel (the QImage ARGB32 layout), so a
    view is one gather of 32-bit words and no per-view colour conversion."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.size != (TILE, TILE):
                im = im.resize((TILE, TILE))
            rgba = np.asarray(im.convert("RGBA"))
    except Exception:  # a damaged tile is drawn as empty, not a failed map
        return None
    bgra = np.empty_like(rgba)
    alpha = rgba[..., 3]
    if alpha.min() == 255:
        bgra[..., 0], bgra[..., 1], bgra[..., 2] = rgba[..., 2], rgba[..., 1], rgba[..., 0]
    else:
        a = alpha.astype(np.uint16)
        for i, j in ((0, 2), (1, 1), (2, 0)):
            bgra[..., i] = (rgba[..., j].astype(np.uint16) * a // 255).astype(np.uint8)
    bgra[..., 3] = alpha
    return bgra.view(np.uint32).reshape(TILE, TILE)


class TileRenderer:
    """Draws one tile package into views, with a cache of decoded tiles."""

    def __init__(self, source: TileSource, datum: Optional[str] = None) -> None:
        self.source = source
        self.datum = datum
        self._cache: OrderedDict[tuple[int, int, int], Optional[np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()
        self.tiles_read = 0

    @classmethod
    def for_file(cls, path: os.PathLike[str] | str, shift_gcj: bool = False) -> "TileRenderer":
        src = open_tiles(path)
        datum = detect_datum(src.metadata)
        if datum is not None and not shift_gcj:
            raise BadInputFile(f"{path}: {describe_datum(datum)}; refused (use --shift-gcj02 to shift GCJ-02 tiles)")
        if datum == "bd09":
            raise BadInputFile(f"{path}: {describe_datum(datum)}; BD-09 tiles use Baidu's own tile grid and cannot "
                               "be lined up; use 天地图 (CGCS2000) or WGS 84 tiles")
        return cls(src, datum)

    def _tile(self, z: int, x: int, y: int) -> Optional[np.ndarray]:
        key = (z, x, y)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        data = self.source.tile(z, x, y)
        img = _decode(data) if data is not None else None
        with self._lock:
            self.tiles_read += 1
            self._cache[key] = img
            while len(self._cache) > CACHE_TILES:
                self._cache.popitem(last=False)
        return img

    def zoom_for(self, lon_per_px: float) -> int:
        """The zoom whose tile pixels are as fine as ``lon_per_px`` degrees of longitude, in the package's range."""
        z = math.ceil(math.log2(360.0 / (TILE * max(lon_per_px, 1e-12))))
        return int(min(max(z, self.source.min_zoom), self.source.max_zoom))

    def render(self, extent: tuple[float, float, float, float], width: int, height: int,
               cancel: Optional[CancelToken] = None) -> np.ndarray:
        """RGBA ``(height, width, 4)`` uint8 image of ``extent`` (min lon, min lat, max lon, max lat)
        on a canvas linear in longitude and latitude; transparent where the package has no tile."""
        bgra = self.render_bgra(extent, width, height, cancel)
        out = bgra.copy()
        out[..., 0], out[..., 2] = bgra[..., 2], bgra[..., 0]
        return out

    def render_bgra(self, extent: tuple[float, float, float, float], width: int, height: int,
                    cancel: Optional[CancelToken] = None) -> np.ndarray:
        """As :meth:`render`, as premultiplied BGRA (``(height, width, 4)`` uint8, the QImage ARGB32 layout)."""
        lon0, lat0, lon1, lat1 = extent
        out = np.zeros((height, width, 4), dtype=np.uint8)
        if width <= 0 or height <= 0:
            return out
        lons = lon0 + (np.arange(width) + 0.5) * (lon1 - lon0) / width
        lats = lat1 - (np.arange(height) + 0.5) * (lat1 - lat0) / height
        z = self.zoom_for((lon1 - lon0) / width)
        while True:
            if self.datum is None:
                px = _merc_x(lons, z)
                py = _merc_y(np.clip(lats, -MAX_LAT, MAX_LAT), z)
                gx, gy = px[None, :], py[:, None]
                xs = (np.floor(px.min() / TILE), np.floor(px.max() / TILE))
                ys = (np.floor(py.min() / TILE), np.floor(py.max() / TILE))
            else:
                glon, glat = to_datum(*np.meshgrid(lons, lats), self.datum)
                gx, gy = _merc_x(glon, z), _merc_y(np.clip(glat, -MAX_LAT, MAX_LAT), z)
                xs = (np.floor(gx.min() / TILE), np.floor(gx.max() / TILE))
                ys = (np.floor(gy.min() / TILE), np.floor(gy.max() / TILE))
            count = (xs[1] - xs[0] + 1) * (ys[1] - ys[0] + 1)
            if count <= MAX_TILES or z <= self.source.min_zoom:
                break
            z -= 1
        tx0, tx1 = int(xs[0]), int(xs[1])
        ty0, ty1 = int(ys[0]), int(ys[1])
        n = 1 << z
        mosaic = np.zeros(((ty1 - ty0 + 1) * TILE, (tx1 - tx0 + 1) * TILE), dtype=np.uint32)
        any_tile = False
        for ty in range(max(ty0, 0), min(ty1, n - 1) + 1):
            for tx in range(tx0, tx1 + 1):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                img = self._tile(z, tx % n, ty)
                if img is None:
                    continue
                r0, c0 = (ty - ty0) * TILE, (tx - tx0) * TILE
                mosaic[r0:r0 + TILE, c0:c0 + TILE] = img
                any_tile = True
        if not any_tile:
            return out
        ci = np.clip(np.floor(gx - tx0 * TILE).astype(np.int64), 0, mosaic.shape[1] - 1)
        ri = np.clip(np.floor(gy - ty0 * TILE).astype(np.int64), 0, mosaic.shape[0] - 1)
        # (h, 1) x (1, w) without a shift: one separable gather of 32-bit pixels
        return np.ascontiguousarray(mosaic[ri, ci]).view(np.uint8).reshape(height, width, 4)


def _merc_x(lon: np.ndarray, z: int) -> np.ndarray:
    return (np.asarray(lon) + 180.0) / 360.0 * TILE * (1 << z)


def _merc_y(lat: np.ndarray, z: int) -> np.ndarray:
    phi = np.radians(np.asarray(lat))
    return (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / math.pi) / 2.0 * TILE * (1 << z)


def describe_datum(datum: Optional[str]) -> str:
    """One phrase for the note a user reads."""
    if datum == "gcj02":
        return "the package says its tiles are GCJ-02 (高德/腾讯 style web tiles, a few hundred metres off CGCS2000)"
    if datum == "bd09":
        return "the package says its tiles are BD-09 (百度), off CGCS2000 by up to a kilometre"
    return "Web Mercator tiles in WGS 84 / CGCS2000"
