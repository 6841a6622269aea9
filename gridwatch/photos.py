"""Photos that inspectors attach to findings.

Photos are stored inside the project GeoPackage as BLOBs by the storage layer; this module only
reads a file (or bytes), checks that it is an image GridWatch can show, and returns a
:class:`Photo` with the original bytes, a small JPEG thumbnail and what the EXIF says about when
and where it was taken.  :func:`photo_flags` then compares that with a grid cell and a task's time
window so a supervisor notices photos taken far away or at the wrong time.

Pure core: no Qt, no SQL, never writes anywhere, and no global Pillow settings are changed, so it
is safe to call from worker threads.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import math
import os
import stat
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
import shapely

# Register the plugins for the accepted formats explicitly: Image.open(formats=...) only looks at
# plugins that are already loaded, and the MPO (multi-picture JPEG) plugin is not preloaded.
from PIL import (  # noqa: E402,F401  (imported for their registration side effect)
    BmpImagePlugin,
    GifImagePlugin,
    Image,
    JpegImagePlugin,
    MpoImagePlugin,
    PngImagePlugin,
    TiffImagePlugin,
    WebPImagePlugin,
)

from .errors import ValidationError
from .photo_exif import BEIJING, _exif_position, _exif_time, _orientation

__all__ = [
    "MAX_PHOTO_BYTES",
    "MAX_PHOTO_PIXELS",
    "THUMBNAIL_SIZE",
    "TIME_SLACK",
    "BEIJING",
    "Photo",
    "read_photo",
    "photo_flags",
    "describe_flags",
]

#: Largest photo file accepted (25 MiB).
MAX_PHOTO_BYTES = 25 * 1024 * 1024
#: Largest image accepted in pixels (width x height after decoding the header): 100 megapixels.
MAX_PHOTO_PIXELS = 100_000_000
#: Longest side of the JPEG thumbnail, in pixels.
THUMBNAIL_SIZE = 160
#: JPEG quality of the thumbnail.
THUMBNAIL_QUALITY = 85
#: A photo taken up to this long before the task starts or after it ends is still "in time".
TIME_SLACK = _dt.timedelta(hours=1)

# Metres per degree for the local equirectangular approximation used by photo_flags.
_M_PER_DEG_LON_AT_EQUATOR = 111_320.0
_M_PER_DEG_LAT = 110_540.0

# Pillow format -> MIME type, for the formats GridWatch accepts.  Only these plugins are tried
# when opening a file, so exotic formats (EPS, which would run Ghostscript, etc.) are never parsed.
_MIME_BY_FORMAT = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",  # JPEG with extra frames (many phones); readable as a plain JPEG
    "PNG": "image/png",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
    "BMP": "image/bmp",
    "GIF": "image/gif",
}
# Formats passed to Image.open: MPO files are opened by the JPEG plugin, which returns an MPO image.
_OPEN_FORMATS = tuple(f for f in _MIME_BY_FORMAT if f != "MPO")


_FIX_HINT = "save it as JPEG or PNG and add it again"


@dataclass(frozen=True)
class Photo:
    """A photo read by :func:`read_photo`.

    ``taken_at`` is timezone-aware and in UTC.  It comes from EXIF ``DateTimeOriginal`` (falling
    back to ``DateTimeDigitized``, then ``DateTime``) combined with the matching
    ``OffsetTimeOriginal`` / ``OffsetTimeDigitized`` / ``OffsetTime`` tag.  When the photo has
    no offset tag -- most cameras and many phones -- the time is assumed to be **Beijing time
    (UTC+8)**.  ``None`` when no time tag is present or it cannot be parsed
    (e.g. ``"0000:00:00 00:00:00"``).

    ``longitude`` / ``latitude`` are decimal degrees (south and west negative) from the EXIF GPS
    tags, or ``None`` when absent, malformed (zero denominator), out of range, or exactly 0,0
    (written by devices without a GPS fix).

    ``width`` / ``height`` are as displayed, i.e. after applying the EXIF orientation.
    ``thumbnail`` is an RGB JPEG whose longest side is at most :data:`THUMBNAIL_SIZE` pixels,
    with the EXIF orientation applied and any transparency flattened onto white.
    """

    filename: str
    data: bytes = field(repr=False)
    mime_type: str
    sha256: str
    width: int
    height: int
    taken_at: Optional[_dt.datetime]
    longitude: Optional[float]
    latitude: Optional[float]
    thumbnail: bytes = field(repr=False)

    @property
    def has_position(self) -> bool:
        """True when both longitude and latitude are known."""
        return self.longitude is not None and self.latitude is not None


# --------------------------------------------------------------------------------------------
# Reading


#: What Pillow raises on a damaged or truncated image file.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, KeyError, ZeroDivisionError, MemoryError)


def read_photo(
    source: str | os.PathLike | bytes,
    filename: str | None = None,
    *,
    max_bytes: int = MAX_PHOTO_BYTES,
) -> Photo:
    """Read a photo from a file path or from bytes and return a :class:`Photo`.

    ``filename`` is the name shown to the user (its base name is used); by default the base name
    of the path, or ``"photo"`` for bytes.  The file is read once and never written.

    Raises :class:`~gridwatch.errors.ValidationError` with a one-line message naming the file
    when it is missing or unreadable, empty, larger than ``max_bytes``, not an image format
    GridWatch accepts (JPEG, PNG, WebP, TIFF, BMP, GIF), damaged or truncated, or larger than
    :data:`MAX_PHOTO_PIXELS` pixels.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        name = _display_name(filename) or "photo"
        data = bytes(source)
        if len(data) > max_bytes:
            raise _too_big(name, len(data), max_bytes)
    else:
        path = os.fspath(source)
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        name = _display_name(filename) or _display_name(path) or path
        data = _read_file(path, name, max_bytes)

    if not data:
        raise ValidationError(f"{name}: the file is empty (0 bytes); choose the original photo and add it again")

    fmt, img_size, orientation, taken_at, lon, lat, thumbnail = _decode(data, name)
    width, height = img_size
    if orientation in (5, 6, 7, 8):  # transposed or rotated by 90 degrees
        width, height = height, width

    return Photo(
        filename=name,
        data=data,
        mime_type=_MIME_BY_FORMAT[fmt],
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        taken_at=taken_at,
        longitude=lon,
        latitude=lat,
        thumbnail=thumbnail,
    )


def _display_name(name: str | None) -> str:
    if not name:
        return ""
    return os.path.basename(str(name).replace("\\", "/").rstrip("/"))


def _read_file(path: str, name: str, max_bytes: int) -> bytes:
    try:
        if os.path.isdir(path):
            raise ValidationError(f"{name}: is a folder, not a photo; choose an image file")
        # Opened without waiting (a FIFO would block for ever waiting for a writer), then only a regular
        # file is read: not a pipe, a device (/dev/zero, /dev/random) or a socket.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise ValidationError(f"{name}: is not a regular file (a pipe, device or socket), not a photo; "
                                      "choose an image file")
            if st.st_size > max_bytes:
                raise _too_big(name, st.st_size, max_bytes)
            data = fh.read(max_bytes + 1)  # the file may have grown since fstat()
    except FileNotFoundError:
        raise ValidationError(f"{name}: file not found; check that it was not moved or deleted and add it "
                              "again") from None
    except PermissionError:
        raise ValidationError(f"{name}: permission denied; copy the photo somewhere you can read and add it "
                              "again") from None
    except IsADirectoryError:
        raise ValidationError(f"{name}: is a folder, not a photo; choose an image file") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ValidationError(f"{name}: cannot be read ({reason}); copy the photo to this computer and add it "
                              "again") from None
    if len(data) > max_bytes:
        raise _too_big(name, len(data), max_bytes)
    return data


def _too_big(name: str, size: int, limit: int) -> ValidationError:
    return ValidationError(
        f"{name}: {_format_size(size)} is larger than the {_format_size(limit)} limit; "
        "export it at a smaller size or lower quality and add it again"
    )


def _format_size(n: int) -> str:
    mib = 1024 * 1024
    if n >= mib:
        value = n / mib
        text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
        return f"{text} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def _sniff_format(data: bytes) -> str:
    """Name a few common formats Pillow (as GridWatch uses it) does not open."""
    head = data[:32]
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis"):
            return "HEIC"
        if brand in (b"avif", b"avis"):
            return "AVIF"
        if brand in (b"mif1", b"msf1"):
            return "HEIF"
        return "video or ISO media"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"8BPS"):
        return "Photoshop PSD"
    if head.startswith(b"RIFF") and head[8:12] != b"WEBP":
        return "RIFF media"
    if head.lstrip().startswith((b"<?xml", b"<svg")):
        return "SVG/XML"
    if head.startswith(b"PK\x03\x04"):
        return "ZIP archive"
    return ""


def _decode(data: bytes, name: str):
    """Open, check and decode ``data``; return format, raw size, orientation, time, lon, lat, thumb."""
    damaged = (f"{name}: damaged image (the file is truncated or corrupt); copy the original photo from the camera "
               "or phone again and add it")

    # 1. Identify the format and check the header cheaply; verify() checks e.g. PNG CRCs.
    try:
        with Image.open(io.BytesIO(data), formats=_OPEN_FORMATS) as probe:
            fmt = probe.format
            _check_pixels(probe.size, name)
            probe.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(name, None) from None
    except Image.UnidentifiedImageError:
        what = _sniff_format(data)
        if what:
            raise ValidationError(f"{name}: not a photo GridWatch can read ({what}); {_FIX_HINT}") from None
        raise ValidationError(f"{name}: not a photo GridWatch can read; {_FIX_HINT}") from None
    except _DAMAGED:
        raise ValidationError(damaged) from None

    if fmt not in _MIME_BY_FORMAT:  # pragma: no cover - formats= restricts this already
        raise ValidationError(f"{name}: not a photo GridWatch can read ({fmt}); {_FIX_HINT}")

    # 2. Decode the pixels (verify() leaves the image unusable, so open again).
    try:
        with Image.open(io.BytesIO(data), formats=_OPEN_FORMATS) as img:
            size = img.size
            try:
                exif = img.getexif()
            except Exception:  # malformed EXIF must not reject an otherwise good photo
                exif = Image.Exif()
            if fmt in ("JPEG", "MPO"):
                # Let libjpeg decode at a reduced scale; it still reads the whole stream, so a
                # truncated file is still detected.
                img.draft(None, (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))
            img.load()
            thumbnail = _make_thumbnail(img, exif)
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(name, None) from None
    except _DAMAGED:
        raise ValidationError(damaged) from None

    orientation = _orientation(exif)
    taken_at = _exif_time(exif)
    lon, lat = _exif_position(exif)
    return fmt, size, orientation, taken_at, lon, lat, thumbnail


def _check_pixels(size: tuple[int, int], name: str) -> None:
    w, h = size
    if w <= 0 or h <= 0:
        raise ValidationError(f"{name}: damaged image (it has no pixels); copy the original photo again and add it")
    if w * h > MAX_PHOTO_PIXELS:
        raise _too_many_pixels(name, (w, h))


def _too_many_pixels(name: str, size: Optional[tuple[int, int]]) -> ValidationError:
    limit = MAX_PHOTO_PIXELS / 1e6
    if size:
        mp = size[0] * size[1] / 1e6
        what = f"{size[0]}x{size[1]} pixels ({mp:.0f} megapixels) is more than the {limit:.0f} megapixel limit"
    else:
        what = f"the image is far more than the {limit:.0f} megapixel limit"
    return ValidationError(f"{name}: {what}; resize it and add it again")


# Orientation tag value -> transpose that shows the image upright (as ImageOps.exif_transpose).
_TRANSPOSE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _make_thumbnail(img: Image.Image, exif: Image.Exif) -> bytes:
    """RGB JPEG, longest side <= THUMBNAIL_SIZE, upright according to the EXIF orientation.

    The orientation is applied to the small image with the same transposes as
    :func:`PIL.ImageOps.exif_transpose` (which needs the image's own EXIF and would transpose
    the full-size image).
    """
    thumb = img.copy()
    thumb.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.LANCZOS)
    thumb = _to_rgb(thumb)
    method = _TRANSPOSE_FOR_ORIENTATION.get(_orientation(exif))
    if method is not None:
        thumb = thumb.transpose(method)
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=THUMBNAIL_QUALITY, optimize=True)
    return out.getvalue()


def _to_rgb(img: Image.Image) -> Image.Image:
    mode = img.mode
    if mode == "RGB":
        return img
    if mode.startswith("I;16") or mode in ("I", "F"):
        # 16-bit / float greyscale: scale to 8 bits instead of clipping everything to white.
        arr = np.asarray(img, dtype=np.float64)
        hi = float(np.nanmax(arr)) if arr.size else 0.0
        lo = float(np.nanmin(arr)) if arr.size else 0.0
        if mode.startswith("I;16") or (mode == "I" and lo >= 0 and hi <= 65535):
            lo, hi = 0.0, 65535.0
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        arr8 = np.clip(np.nan_to_num((arr - lo) * scale), 0, 255).astype(np.uint8)
        return Image.fromarray(arr8, "L").convert("RGB")
    has_alpha = mode in ("RGBA", "LA", "La", "RGBa", "PA") or (mode == "P" and "transparency" in img.info) \
        or (mode in ("L", "RGB") and "transparency" in img.info)
    if has_alpha:
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


# --------------------------------------------------------------------------------------------
# Flags


def photo_flags(
    photo: Photo,
    *,
    cell=None,
    window: tuple[_dt.datetime, _dt.datetime] | None = None,
    max_distance_m: float = 500.0,
) -> list[str]:
    """Return machine-readable flags a supervisor should notice; ``[]`` means nothing to note.

    In this order:

    * ``"no_time"`` -- the photo has no usable capture time;
    * ``"no_position"`` -- the photo has no GPS position;
    * ``"far_from_cell:<metres>"`` -- ``cell`` (a shapely geometry in lon/lat degrees,
      EPSG:4490 / WGS84) is given, the photo has a position, and it is more than
      ``max_distance_m`` from the cell; ``<metres>`` is the rounded integer distance;
    * ``"outside_task_time"`` -- ``window = (start, end)`` (timezone-aware) is given, the
      capture time is known and is more than :data:`TIME_SLACK` (1 hour) before ``start`` or
      after ``end``.

    Distances use a local equirectangular approximation around the photo position (accurate
    to well under 1 % at grid-cell scales), so no pyproj and it is thread-safe.
    """
    flags: list[str] = []
    if photo.taken_at is None:
        flags.append("no_time")
    if photo.longitude is None or photo.latitude is None:
        flags.append("no_position")
    elif cell is not None and not shapely.is_empty(cell):
        distance = _distance_m(photo.longitude, photo.latitude, cell)
        if distance > max_distance_m:
            flags.append(f"far_from_cell:{int(round(distance))}")
    if window is not None and photo.taken_at is not None:
        start, end = window
        if start.tzinfo is None or start.utcoffset() is None or end.tzinfo is None or end.utcoffset() is None:
            raise ValueError("photo_flags: window start and end must be timezone-aware datetimes")
        if photo.taken_at < start - TIME_SLACK or photo.taken_at > end + TIME_SLACK:
            flags.append("outside_task_time")
    return flags


def _distance_m(lon: float, lat: float, geom) -> float:
    """Approximate distance in metres from (lon, lat) to ``geom`` (lon/lat degrees)."""
    kx = math.cos(math.radians(lat)) * _M_PER_DEG_LON_AT_EQUATOR
    ky = _M_PER_DEG_LAT

    def to_local(coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords, dtype=np.float64)
        out[:, 0] = (coords[:, 0] - lon) * kx
        out[:, 1] = (coords[:, 1] - lat) * ky
        return out

    local = shapely.transform(geom, to_local)
    return float(shapely.distance(local, shapely.Point(0.0, 0.0)))


_FLAG_TEXT = {
    "no_time": "照片无拍摄时间",
    "no_position": "照片无位置信息",
    "outside_task_time": "拍摄时间不在任务时间内",
}


def describe_flags(flags: list[str]) -> str:
    """Short Chinese text for the UI, e.g. ``"拍摄位置距网格 1,234 米；拍摄时间不在任务时间内"``.

    Unknown flags are shown as they are; an empty list gives ``""``.
    """
    parts: list[str] = []
    for flag in flags:
        if flag.startswith("far_from_cell:"):
            try:
                metres = int(flag.split(":", 1)[1])
            except ValueError:
                parts.append("拍摄位置远离网格")
            else:
                parts.append(f"拍摄位置距网格 {metres:,} 米")
        else:
            parts.append(_FLAG_TEXT.get(flag, flag))
    return "；".join(parts)
