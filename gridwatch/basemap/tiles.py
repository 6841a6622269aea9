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
#: Decoded tiles kept per package (256 KB each).
CACHE_TILES = 256
#: Coarser zoom levels searched for a stand-in of a tile not decoded yet.
STAND_IN_LEVELS = 3
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
        self._closed = False

    def _check_gpkg_grid(self) -> None:
        bounds = self._tiles.matrix_set_bounds()
        world = 20037508.342789244
        if bounds is None or any(abs(abs(b) - world) > 1.0 for b in bounds):
            raise BadInputFile(f"{self.path}: its tile matrix set is not the whole Web Mercator world "
                               f"(bounds {bounds}); GridWatch reads GoogleMapsCompatible tiling only")

    def tile(self, z: int, x: int, y: int) -> Optional[bytes]:
        with self._lock:  # one SQLite connection, one reader at a time
            if self._closed:
                return None
            return self._tiles.tile(z, x, y)

    def close(self) -> None:
        # under the lock: a worker may be reading a tile (closing the connection under it crashed)
        with self._lock:
            self._closed = True
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
            if self._fh.closed:
                return None
            data = self._reader.get(z, x, y)
            return None if data is None else bytes(data)  # copied before the file's map may close

    def close(self) -> None:
        with self._lock:
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
    view is one gather of 32-bit words and no per-view colour conversion.  Pillow packs the pixels
    straight into that layout (raw mode ``BGRa``, premultiplying as it packs): a third faster than
    converting with numpy afterwards."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.size != (TILE, TILE):
                im = im.resize((TILE, TILE))
            if im.mode != "RGBA":
                im = im.convert("RGBA")
            raw = im.tobytes("raw", "BGRa")
    except Exception:  # a damaged tile is drawn as empty, not a failed map
        return None
    return np.frombuffer(raw, dtype=np.uint32).reshape(TILE, TILE)


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

    def _cached(self, key: tuple[int, int, int]) -> tuple[bool, Optional[np.ndarray]]:
        """(known, tile): whether ``key`` was read already (a tile the package lacks is known as None)."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return True, self._cache[key]
        return False, None

    def _stand_in(self, z: int, x: int, y: int) -> Optional[np.ndarray]:
        """Tile ``(z, x, y)`` made from decoded tiles of other zoom levels while its own is not read yet:
        the part of a coarser tile scaled up (nearest pixel), or its four finer tiles scaled down."""
        for d in range(1, STAND_IN_LEVELS + 1):
            if z - d < 0:
                break
            known, parent = self._cached((z - d, x >> d, y >> d))
            if not known:
                continue
            if parent is None:
                return None  # the package has nothing there at the coarser level either
            size = TILE >> d
            r0, c0 = (y & ((1 << d) - 1)) * size, (x & ((1 << d) - 1)) * size
            block = parent[r0:r0 + size, c0:c0 + size]
            return np.repeat(np.repeat(block, 1 << d, axis=0), 1 << d, axis=1)
        out = None
        for dy in (0, 1):
            for dx in (0, 1):
                known, child = self._cached((z + 1, 2 * x + dx, 2 * y + dy))
                if not known:
                    return None
                if child is not None:
                    if out is None:
                        out = np.zeros((TILE, TILE), dtype=np.uint32)
                    half = TILE // 2
                    out[dy * half:(dy + 1) * half, dx * half:(dx + 1) * half] = child[::2, ::2]
        return out

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
        return self._draw(extent, width, height, cancel, read=True)[0]

    def render_available(self, extent: tuple[float, float, float, float], width: int, height: int,
                         cancel: Optional[CancelToken] = None) -> tuple[np.ndarray, bool]:
        """As :meth:`render_bgra` without reading a tile: tiles not decoded yet are drawn from decoded
        tiles of neighbouring zoom levels (scaled) or left transparent.  Returns the image and whether
        every tile of the view was there (the image is then what :meth:`render_bgra` draws)."""
        return self._draw(extent, width, height, cancel, read=False)

    def tiles_for(self, extent: tuple[float, float, float, float], width: int, height: int,
                  zoom_offset: int = 0) -> list[tuple[int, int, int]]:
        """The tiles a view needs (``zoom_offset`` levels finer or coarser: the neighbouring levels a
        zoom in or out will need), centre first."""
        plan = self._plan(extent, width, height)
        if plan is None:
            return []
        z, _gx, _gy, (tx0, tx1), (ty0, ty1) = plan
        zz = z + zoom_offset
        if zz < self.source.min_zoom or zz > self.source.max_zoom:
            return []
        if zoom_offset >= 0:
            f = 1 << zoom_offset
            xs, ys = (tx0 * f, (tx1 + 1) * f - 1), (ty0 * f, (ty1 + 1) * f - 1)
        else:
            f = 1 << -zoom_offset
            xs, ys = (tx0 // f, tx1 // f), (ty0 // f, ty1 // f)
        n = 1 << zz
        keys = [(zz, tx % n, ty) for ty in range(max(ys[0], 0), min(ys[1], n - 1) + 1)
                for tx in range(xs[0], xs[1] + 1)]
        cx, cy = (xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2
        keys.sort(key=lambda k: (k[1] - cx) ** 2 + (k[2] - cy) ** 2)
        return keys

    def missing(self, keys: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        """The ``keys`` not read yet."""
        with self._lock:
            return [k for k in keys if k not in self._cache]

    def load(self, keys: list[tuple[int, int, int]], cancel: Optional[CancelToken] = None) -> int:
        """Read and decode ``keys`` into the cache (those not there yet); returns how many were read."""
        n = 0
        for key in self.missing(keys):
            if cancel is not None:
                cancel.raise_if_cancelled()
            try:
                self._tile(*key)
            except Exception:  # an unreadable tile is drawn as empty, and never asked for again
                with self._lock:
                    self._cache[key] = None
            n += 1
        return n

    def _plan(self, extent: tuple[float, float, float, float], width: int, height: int
              ) -> Optional[tuple[int, np.ndarray, np.ndarray, tuple[int, int], tuple[int, int]]]:
        """The zoom of a view, its pixels' positions in that zoom's Mercator pixels, and its tile range."""
        lon0, lat0, lon1, lat1 = extent
        if width <= 0 or height <= 0:
            return None
        lons = lon0 + (np.arange(width) + 0.5) * (lon1 - lon0) / width
        lats = lat1 - (np.arange(height) + 0.5) * (lat1 - lat0) / height
        z = self.zoom_for((lon1 - lon0) / width)
        while True:
            if self.datum is None:
                px = _merc_x(lons, z)
                py = _merc_y(np.clip(lats, -MAX_LAT, MAX_LAT), z)
                gx, gy = px[None, :], py[:, None]
            else:
                glon, glat = to_datum(*np.meshgrid(lons, lats), self.datum)
                gx, gy = _merc_x(glon, z), _merc_y(np.clip(glat, -MAX_LAT, MAX_LAT), z)
            xs = (int(np.floor(gx.min() / TILE)), int(np.floor(gx.max() / TILE)))
            ys = (int(np.floor(gy.min() / TILE)), int(np.floor(gy.max() / TILE)))
            count = (xs[1] - xs[0] + 1) * (ys[1] - ys[0] + 1)
            if count <= MAX_TILES or z <= self.source.min_zoom:
                return z, gx, gy, xs, ys
            z -= 1

    def _draw(self, extent: tuple[float, float, float, float], width: int, height: int,
              cancel: Optional[CancelToken], read: bool) -> tuple[np.ndarray, bool]:
        out = np.zeros((max(height, 0), max(width, 0), 4), dtype=np.uint8)
        plan = self._plan(extent, width, height)
        if plan is None:
            return out, True
        z, gx, gy, (tx0, tx1), (ty0, ty1) = plan
        n = 1 << z
        mosaic = np.zeros(((ty1 - ty0 + 1) * TILE, (tx1 - tx0 + 1) * TILE), dtype=np.uint32)
        any_tile, complete = False, True
        for ty in range(max(ty0, 0), min(ty1, n - 1) + 1):
            for tx in range(tx0, tx1 + 1):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                if read:
                    img = self._tile(z, tx % n, ty)
                else:
                    known, img = self._cached((z, tx % n, ty))
                    if not known:
                        complete = False
                        img = self._stand_in(z, tx % n, ty)
                if img is None:
                    continue
                r0, c0 = (ty - ty0) * TILE, (tx - tx0) * TILE
                mosaic[r0:r0 + TILE, c0:c0 + TILE] = img
                any_tile = True
        if not any_tile:
            return out, complete
        ci = np.clip(np.floor(gx - tx0 * TILE).astype(np.int64), 0, mosaic.shape[1] - 1)
        ri = np.clip(np.floor(gy - ty0 * TILE).astype(np.int64), 0, mosaic.shape[0] - 1)
        # (h, 1) x (1, w) without a shift: one separable gather of 32-bit pixels
        return np.ascontiguousarray(mosaic[ri, ci]).view(np.uint8).reshape(height, width, 4), complete


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
