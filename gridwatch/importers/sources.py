"""Open the files district offices actually receive, and say plainly what was found.

Supported sources:

* **Shapefile**: the ``.shp`` (with its ``.shx``/``.dbf`` beside it), or a ``.zip`` holding one or
  several (choose with ``layer``).  Text is often GBK-encoded and the ``.cpg`` is often missing
  or wrong, so the DBF text is decoded here byte by byte: UTF-8 strictly, then GB18030 (a
  superset of GBK and GB2312 that also holds names such as 湖㳇镇 or 㮾梨街道).  A ``.cpg`` is
  honoured when the text decodes with it.
* **GeoJSON**, **GeoPackage** (several layers: choose with ``layer``), **KML/KMZ** (GDAL's LIBKML
  or KML driver).
* **CSV** (UTF-8 with or without BOM, UTF-16, GB18030) and **XLSX** tables whose longitude and
  latitude columns are found by name (经度/纬度, 中心经度/中心纬度, 东经/北纬, lon/lat,
  longitude/latitude, lng, x/y, also with units such as ``经度(°)``); ``x_field``/``y_field``
  choose them explicitly.  Every column is kept as text; the geometry holds the points.

Coordinate reference systems: the ``.prj`` or the file's own CRS is used.  A file without one
is taken as EPSG:4490 (CGCS2000 degrees) only when every coordinate lies inside China's
longitude/latitude box, and the :class:`SourceInfo` notes say so; otherwise :class:`CRSError`
asks for ``--crs``.  :func:`read_source` returns the frame in the source CRS; the caller
reprojects.

Zip archives are checked member by member before anything is written (:func:`safe_extract_zip`):
path traversal, symlinks, nested zips, encryption, too many members, too many bytes, zip bombs
and overlapping members are refused.

Layer and field names read from files are data: they are passed to GDAL as arguments
(``layer=``), never written into SQL.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import math
import os
import re
import shutil
import stat
import struct
import tempfile
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence, Union

import geopandas
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS as _ProjCRS
from pyproj.exceptions import CRSError as _ProjCRSError

from ..crs import PROJECT_EPSG
from ..errors import CRSError, LayerImportError

__all__ = ["SourceInfo", "inspect_source", "read_source", "safe_extract_zip", "CHINA_LONLAT_BOX",
           "SUPPORTED_SUFFIXES"]

PathLike = Union[str, os.PathLike]

#: (min lon, min lat, max lon, max lat): a file without a CRS whose coordinates all lie inside
#: this box is taken as CGCS2000 degrees (EPSG:4490).
CHINA_LONLAT_BOX = (73.0, 3.0, 136.0, 54.0)

_FORMAT_BY_SUFFIX = {
    ".shp": "shapefile",
    ".zip": "zip",
    ".geojson": "geojson",
    ".json": "geojson",
    ".gpkg": "gpkg",
    ".kml": "kml",
    ".kmz": "kml",
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
SUPPORTED_SUFFIXES = tuple(sorted(_FORMAT_BY_SUFFIX))

_CRS_EXAMPLES = ("e.g. --crs EPSG:4490 for CGCS2000 longitude/latitude degrees, or --crs EPSG:4547 for "
                 "CGCS2000 / 3-degree Gauss-Kruger CM 114E metres")

# Members smaller than this are never refused for their compression ratio alone: they cannot
# inflate into anything harmful, and tiny or blank-padded files legitimately compress very well.
_RATIO_MIN_BYTES = 1 << 20
_ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bzip2",
                zipfile.ZIP_LZMA: "lzma"}
_DBF_SCAN_BYTES = 64 << 20  # how much of a .dbf the encoding check reads


# --------------------------------------------------------------------------------------------
# result


@dataclass
class SourceInfo:
    """What :func:`inspect_source` found in a file, and what a user should know about it."""

    path: Path
    """What the user chose (the .zip, not the member inside it)."""
    format: str
    """"shapefile", "geojson", "gpkg", "kml", "csv" or "xlsx"."""
    layers: list[str]
    """Layer names (GeoPackage/KML/zip may hold several; sheets for XLSX; others one)."""
    layer: str
    """The layer that is (or would be) read."""
    feature_count: int
    geometry_type: Optional[str]
    fields: list[str]
    """Source field names, as decoded (Chinese names intact)."""
    encoding: Optional[str]
    """Shapefile/CSV: the encoding used to read text ("UTF-8", "GB18030", ...)."""
    encoding_source: str
    """"cpg", "detected", "cpg-wrong-detected", "user" or "utf-8" (formats that are always UTF-8)."""
    crs: Optional[str]
    """"EPSG:nnnn" when identifiable, else WKT; None when missing."""
    crs_source: str
    """"prj" (shapefile), "file", "guessed", "user" or "missing"."""
    notes: list[str] = field(default_factory=list)
    """What a user should know, one sentence each."""


# --------------------------------------------------------------------------------------------
# public API


def inspect_source(path: PathLike, *, layer: Optional[str] = None, encoding: Optional[str] = None,
                   crs: Any = None, workdir: Optional[PathLike] = None, x_field: Optional[str] = None,
                   y_field: Optional[str] = None) -> SourceInfo:
    """Describe ``path`` without importing it: format, layers, fields, count, encoding, CRS, notes.

    Raises the same errors :func:`read_source` would (an ambiguous or unknown layer, a missing
    CRS that cannot be guessed, a refused zip, undetectable coordinate columns), so a file that
    inspects cleanly also reads.  A :class:`LayerImportError` about the layer carries the
    choices in its ``layers`` attribute; one about coordinate columns carries ``fields``.
    """
    with _opened(path, layer, workdir) as src:
        info, _ = src.load(encoding=encoding, crs=crs, x_field=x_field, y_field=y_field, want_frame=False)
    return info


def read_source(path: PathLike, *, layer: Optional[str] = None, encoding: Optional[str] = None, crs: Any = None,
                workdir: Optional[PathLike] = None, max_features: Optional[int] = None,
                x_field: Optional[str] = None, y_field: Optional[str] = None) -> geopandas.GeoDataFrame:
    """Read ``path`` into a GeoDataFrame in the source CRS (set on the frame).

    Features with NULL geometry are kept (the caller counts them).  ``frame.attrs`` holds
    ``encoding``, ``notes`` and ``source`` (the :class:`SourceInfo` fields as plain values).
    """
    if max_features is not None and max_features < 0:
        raise LayerImportError(f"max_features must be 0 or more, not {max_features}")
    with _opened(path, layer, workdir) as src:
        info, frame = src.load(encoding=encoding, crs=crs, x_field=x_field, y_field=y_field, want_frame=True,
                               max_features=max_features)
    assert frame is not None
    frame.attrs["encoding"] = info.encoding
    frame.attrs["notes"] = list(info.notes)
    frame.attrs["source"] = {
        "path": str(info.path), "format": info.format, "layer": info.layer, "layers": list(info.layers),
        "feature_count": info.feature_count, "geometry_type": info.geometry_type, "fields": list(info.fields),
        "encoding": info.encoding, "encoding_source": info.encoding_source, "crs": info.crs,
        "crs_source": info.crs_source,
    }
    return frame


def safe_extract_zip(zip_path: PathLike, dest_dir: PathLike, *, max_members: int = 2000,
                     max_total_bytes: int = 2 * 1024**3, max_ratio: float = 100) -> list[Path]:
    """Unpack ``zip_path`` into ``dest_dir`` after checking every member; return the files written.

    Refused (:class:`LayerImportError` naming the zip and the member, nothing written): absolute
    paths or ``..`` components, symlinks, nested ``.zip`` members, encrypted members, unsupported
    compression, duplicate names, overlapping members, more than ``max_members`` entries, more
    than ``max_total_bytes`` uncompressed in total, and members over 1 MiB that inflate more
    than ``max_ratio`` times.  Member names stored in GBK without the UTF-8 flag (zips made on
    Chinese Windows) are decoded as GB18030.  If writing fails part-way, what was written is
    removed again.
    """
    zip_path = Path(zip_path)
    dest = Path(dest_dir)
    with _open_zip(zip_path) as zf:
        plan = _plan_zip(zf, zip_path, max_members=max_members, max_total_bytes=max_total_bytes,
                         max_ratio=max_ratio)
        dest_real = Path(os.path.realpath(dest))
        for info, parts in plan:
            target = os.path.realpath(dest_real.joinpath(*parts))
            if not (target + os.sep).startswith(str(dest_real) + os.sep) or target == str(dest_real):
                raise LayerImportError(f"{zip_path}: member {'/'.join(parts)!r} would be written outside "
                                       f"{dest} (through a symlink there); nothing was unpacked.")
        return _extract_plan(zf, zip_path, plan, dest)


# --------------------------------------------------------------------------------------------
# zip checking and unpacking


@contextlib.contextmanager
def _open_zip(zip_path: Path) -> Iterator[zipfile.ZipFile]:
    if not zip_path.is_file():
        raise LayerImportError(f"{zip_path} does not exist or is not a file; choose the .zip again.")
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise LayerImportError(f"{zip_path} is not a readable zip archive ({e}); it may be damaged or "
                               "incompletely downloaded: fetch it again or unzip it yourself.") from e
    with zf:
        yield zf


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author meant it (GBK names from Chinese Windows decoded)."""
    if info.flag_bits & 0x800:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")  # zipfile decoded the raw bytes as cp437
    unicode_path = _unicode_path_extra(info.extra, raw)
    if unicode_path is not None:
        return unicode_path
    for codec in ("ascii", "utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def _unicode_path_extra(extra: bytes, raw_name: bytes) -> Optional[str]:
    """Info-ZIP Unicode Path extra field (0x7075), used when it matches the stored name."""
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack("<HH", extra[i:i + 4])
        data = extra[i + 4:i + 4 + size]
        i += 4 + size
        if tag == 0x7075 and len(data) >= 5 and data[0] == 1:
            (crc,) = struct.unpack("<I", data[1:5])
            if crc == zlib.crc32(raw_name):
                try:
                    return data[5:].decode("utf-8")
                except UnicodeDecodeError:
                    return None
    return None


def _plan_zip(zf: zipfile.ZipFile, zip_path: Path, *, max_members: int, max_total_bytes: int,
              max_ratio: float) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    """Check every member; return (info, path parts) for each, or raise naming the culprit."""
    infos = zf.infolist()
    refuse = "; nothing was unpacked."
    if len(infos) > max_members:
        raise LayerImportError(f"{zip_path} holds {len(infos):,} members, more than the {max_members:,} "
                               f"GridWatch unpacks{refuse} Unzip it yourself and choose the file you need.")
    plan: list[tuple[zipfile.ZipInfo, list[str]]] = []
    seen: dict[str, str] = {}
    total = 0
    for info in infos:
        name = _member_name(info)
        shown = repr(name)
        norm = name.replace("\\", "/")
        if norm.startswith("/") or re.match(r"^[A-Za-z]:", norm):
            raise LayerImportError(f"{zip_path}: member {shown} has an absolute path{refuse}")
        parts = [p for p in norm.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise LayerImportError(f"{zip_path}: member {shown} points outside the folder it is unpacked into "
                                   f"('..' in its path: a path-traversal attack){refuse}")
        if not parts:
            raise LayerImportError(f"{zip_path}: member {shown} has no usable name{refuse}")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise LayerImportError(f"{zip_path}: member {shown} is a symbolic link{refuse}")
        if info.flag_bits & 0x1:
            raise LayerImportError(f"{zip_path}: member {shown} is encrypted (password-protected){refuse} "
                                   "Unzip it yourself and choose the files.")
        is_dir = norm.endswith("/")
        if not is_dir and parts[-1].lower().endswith(".zip"):
            raise LayerImportError(f"{zip_path}: member {shown} is itself a zip; nested archives are not "
                                   f"unpacked{refuse} Unzip the outer archive and choose the inner zip.")
        if not is_dir and info.compress_type not in _ZIP_METHODS:
            method = "Deflate64" if info.compress_type == 9 else f"method {info.compress_type}"
            raise LayerImportError(f"{zip_path}: member {shown} uses {method} compression, which GridWatch cannot "
                                   f"unpack{refuse} Re-zip it with ordinary (Deflate) compression.")
        key = "/".join(parts)
        folded = key.casefold()
        if folded in seen and not is_dir:
            raise LayerImportError(f"{zip_path}: member {shown} appears twice (also as {seen[folded]!r}){refuse}")
        if not is_dir:
            seen[folded] = name
            ratio = info.file_size / info.compress_size if info.compress_size else math.inf
            if info.file_size > _RATIO_MIN_BYTES and ratio > max_ratio:
                raise LayerImportError(
                    f"{zip_path}: member {shown} would inflate from {info.compress_size:,} to {info.file_size:,} "
                    f"bytes ({'' if math.isinf(ratio) else f'{ratio:,.0f}x, '}more than {max_ratio:g}x): this "
                    f"looks like a zip bomb{refuse}")
            total += info.file_size
        plan.append((info, parts))
    if total > max_total_bytes:
        biggest = max((i for i, _ in plan), key=lambda i: i.file_size)
        raise LayerImportError(f"{zip_path} would unpack to {total:,} bytes, more than the {max_total_bytes:,} "
                               f"allowed (largest member {_member_name(biggest)!r}, {biggest.file_size:,} "
                               f"bytes){refuse}")
    # Members whose data overlap (several names for the same compressed bytes) are a zip-bomb trick.
    by_offset = sorted(infos, key=lambda i: i.header_offset)
    for a, b in zip(by_offset, by_offset[1:]):
        if a.header_offset + 30 + a.compress_size > b.header_offset:
            raise LayerImportError(f"{zip_path}: members {_member_name(a)!r} and {_member_name(b)!r} overlap "
                                   f"(a zip-bomb trick){refuse}")
    return plan


def _extract_plan(zf: zipfile.ZipFile, zip_path: Path, plan: list[tuple[zipfile.ZipInfo, list[str]]],
                  dest: Path) -> list[Path]:
    created_dirs: list[Path] = []
    written: list[Path] = []

    def mkdirs(d: Path) -> None:
        missing = []
        while not d.exists():
            missing.append(d)
            d = d.parent
        for m in reversed(missing):
            m.mkdir()
            created_dirs.append(m)

    current = ""
    try:
        mkdirs(dest)
        for info, parts in plan:
            current = "/".join(parts)
            target = dest.joinpath(*parts)
            if info.orig_filename.endswith("/") or info.is_dir():
                mkdirs(target)
                continue
            mkdirs(target.parent)
            if target.is_symlink():
                raise LayerImportError(f"{zip_path}: member {current!r} would overwrite a symbolic link in {dest}; "
                                       "nothing was unpacked.")
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
            fd = os.open(target, flags, 0o644)
            written.append(target)
            size = 0
            with os.fdopen(fd, "wb") as out, zf.open(info) as src:
                while True:
                    block = src.read(1 << 20)
                    if not block:
                        break
                    size += len(block)
                    if size > info.file_size:
                        raise LayerImportError(f"{zip_path}: member {current!r} holds more data than its header "
                                               "declares (a damaged or hostile zip); nothing was unpacked.")
                    out.write(block)
        return written
    except BaseException as e:
        for p in reversed(written):
            with contextlib.suppress(OSError):
                p.unlink()
        for d in reversed(created_dirs):
            with contextlib.suppress(OSError):
                d.rmdir()
        if isinstance(e, (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, ValueError)) and not \
                isinstance(e, LayerImportError):
            raise LayerImportError(f"{zip_path}: member {current!r} could not be unpacked ({e}); the zip may be "
                                   "damaged: fetch it again. Nothing was unpacked.") from e
        raise


# --------------------------------------------------------------------------------------------
# finding the file to read


@dataclass
class _Target:
    user_path: Path
    path: Path          # the file GDAL/pandas reads
    fmt: str
    label: str          # how messages name it
    layers: Optional[list[str]] = None   # zip/directory: candidate names; None: ask the file
    layer: Optional[str] = None          # the layer requested of the file itself
    notes: list[str] = field(default_factory=list)


@contextlib.contextmanager
def _opened(path: PathLike, layer: Optional[str], workdir: Optional[PathLike]) -> Iterator["_Source"]:
    p = Path(path)
    if not p.exists():
        raise LayerImportError(f"{p} does not exist; check the path and choose the file again.")
    if p.is_dir():
        yield _Source(_pick_from_folder(p, p, str(p), layer, zip_path=None))
        return
    fmt = _format_of(p)
    if fmt != "zip":
        yield _Source(_Target(user_path=p, path=p, fmt=fmt, label=str(p), layer=layer))
        return
    if workdir is not None:
        Path(workdir).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="gridwatch-zip-", dir=None if workdir is None else str(workdir)))
    try:
        safe_extract_zip(p, tmp)
        yield _Source(_pick_from_folder(tmp, p, str(p), layer, zip_path=p))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _format_of(p: Path) -> str:
    suffix = p.suffix.lower()
    if suffix in _FORMAT_BY_SUFFIX:
        return _FORMAT_BY_SUFFIX[suffix]
    if suffix in (".dbf", ".shx", ".prj", ".cpg"):
        raise LayerImportError(f"{p} is one part of a shapefile; choose the .shp beside it (or the .zip holding all "
                               "the parts).")
    if suffix == ".xls":
        raise LayerImportError(f"{p} is an old Excel .xls workbook; open it in Excel or WPS and save it as .xlsx "
                               "(or CSV), then choose that.")
    raise LayerImportError(f"{p}: GridWatch cannot read {suffix or 'files without an extension'}; choose a "
                           f"shapefile (.shp or .zip), GeoJSON, GeoPackage, KML/KMZ, CSV or XLSX.")


def _pick_from_folder(root: Path, user_path: Path, label: str, layer: Optional[str],
                      zip_path: Optional[Path]) -> _Target:
    """Choose the data file inside an unpacked zip (or a folder): shapefiles first, chosen by ``layer``."""
    found: list[tuple[Path, str]] = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if any(part.startswith(".") or part == "__MACOSX" for part in rel.parts) or not p.is_file():
            continue
        fmt = _FORMAT_BY_SUFFIX.get(p.suffix.lower())
        if fmt and fmt != "zip":
            found.append((p, fmt))
    where = f"{zip_path}" if zip_path is not None else f"the folder {root}"
    if not found:
        raise LayerImportError(f"{where} holds no shapefile (.shp), GeoJSON, GeoPackage, KML, CSV or XLSX; "
                               "check that it is the right file.")
    shps = [(p, f) for p, f in found if f == "shapefile"]
    chosen = shps or found
    names = _candidate_names([p for p, _ in chosen], root, strip_suffix=bool(shps))
    inner_layer: Optional[str] = None
    if len(chosen) == 1:
        idx = 0
        inner_layer = layer if not shps else None
        if shps and layer is not None and _match_name(layer, names) is None:
            raise _layer_error(f"{where} has no shapefile {layer!r}; it holds {_listing(names)}.", names)
    else:
        if layer is None:
            kind = "shapefiles" if shps else "data files"
            raise _layer_error(f"{where} holds {len(chosen)} {kind}: {_listing(names)}; choose one with "
                               "--source-layer NAME.", names)
        match = _match_name(layer, names)
        if match is None:
            raise _layer_error(f"{where} has no layer {layer!r}; it holds {_listing(names)}. Choose one of them "
                               "with --source-layer NAME.", names)
        idx = names.index(match)
    path, fmt = chosen[idx]
    rel = path.relative_to(root).as_posix()
    member_label = f"{rel} in {zip_path}" if zip_path is not None else str(path)
    target = _Target(user_path=user_path, path=path, fmt=fmt, label=member_label, layer=inner_layer)
    if shps:
        target.layers = names
        target.layer = names[idx]
    if zip_path is not None:
        target.notes.append(f"Read {rel} from {zip_path.name}.")
    return target


def _candidate_names(paths: list[Path], root: Path, strip_suffix: bool) -> list[str]:
    stems = [p.stem if strip_suffix else p.name for p in paths]
    if len(set(s.casefold() for s in stems)) == len(stems):
        return stems
    rels = [p.relative_to(root).as_posix() for p in paths]
    return [r[: -len(p.suffix)] if strip_suffix else r for r, p in zip(rels, paths)]


def _match_name(wanted: Any, names: Sequence[str]) -> Optional[str]:
    w = str(wanted)
    if w in names:
        return w
    for cand in (w, Path(w).stem if Path(w).suffix.lower() in _FORMAT_BY_SUFFIX else w):
        folded = [n for n in names if n.casefold() == cand.casefold()]
        if len(folded) == 1:
            return folded[0]
    return None


def _listing(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _layer_error(message: str, names: Sequence[str]) -> LayerImportError:
    err = LayerImportError(message)
    err.layers = list(names)  # type: ignore[attr-defined]  # for a UI that offers the choice
    return err


# --------------------------------------------------------------------------------------------
# reading


class _Source:
    def __init__(self, target: _Target):
        self.t = target

    def load(self, *, encoding: Optional[str], crs: Any, x_field: Optional[str], y_field: Optional[str],
             want_frame: bool, max_features: Optional[int] = None
             ) -> tuple[SourceInfo, Optional[geopandas.GeoDataFrame]]:
        t = self.t
        user_crs = _parse_user_crs(crs) if crs is not None and str(crs).strip() != "" else None
        if t.fmt in ("csv", "xlsx"):
            return _load_table(t, encoding, user_crs, x_field, y_field, max_features)
        if x_field is not None or y_field is not None:
            t.notes.append(f"x_field/y_field apply to CSV and XLSX tables only; {t.label} has its own geometry.")
        return _load_ogr(t, encoding, user_crs, want_frame, max_features)


@contextlib.contextmanager
def _gdal(label: str, notes: list[str], doing: str = "read") -> Iterator[None]:
    """Turn GDAL failures into one clear LayerImportError; keep GDAL's warnings as notes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
                pyogrio.errors.GeometryError, pyogrio.errors.FeatureError, pyogrio.errors.CRSError) as e:
            raise LayerImportError(f"{label} could not be {doing}: {e}. Check that the file is complete and "
                                   "opens in QGIS; if it came by e-mail or chat, fetch it again.") from e
        except UnicodeDecodeError as e:
            # Typically a UTF-8 shapefile whose Chinese field name was cut mid-character at the
            # format's 10-byte limit (乡镇代码 is 12 bytes in UTF-8).
            raise LayerImportError(
                f"{label}: a field name or value is not valid text in the file's encoding ({e.reason} at byte "
                f"{e.start}); shapefile field names are cut at 10 bytes, which splits Chinese characters in "
                "UTF-8. Re-save the file with shorter field names or as GB18030, or try --encoding GB18030."
            ) from e
    for w in caught:
        if "pyogrio" in (w.filename or "") or issubclass(w.category, RuntimeWarning):
            msg = f"{label}: {w.message}"
            if msg not in notes:
                notes.append(msg)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _kml_driver(t: _Target) -> str:
    drivers = pyogrio.list_drivers()
    if "LIBKML" in drivers:
        return "LIBKML"
    if "KML" in drivers:
        if t.path.suffix.lower() == ".kmz":
            raise LayerImportError(f"{t.label}: this GDAL has no LIBKML driver, which .kmz needs; unzip the .kmz "
                                   "and choose the doc.kml inside it.")
        return "KML"
    raise LayerImportError(f"{t.label}: this GDAL build reads neither LIBKML nor KML; convert the file to "
                           "GeoJSON or GeoPackage first.")


def _load_ogr(t: _Target, encoding: Optional[str], user_crs: Optional[_ProjCRS], want_frame: bool,
              max_features: Optional[int]) -> tuple[SourceInfo, Optional[geopandas.GeoDataFrame]]:
    notes = t.notes
    enc: Optional[str] = "UTF-8"
    enc_source = "utf-8"
    prj: Optional[Path] = None
    if t.fmt == "shapefile":
        prj = _check_shapefile_parts(t)
        enc, enc_source = _shapefile_encoding(t, encoding)
    else:
        if encoding is not None:
            notes.append(f"{_FORMAT_TITLE[t.fmt]} text is always UTF-8; the encoding {encoding!r} was not used.")
        if t.fmt == "kml":
            _kml_driver(t)
            if t.path.suffix.lower() == ".kmz":
                with _open_zip(t.path) as zf:  # GDAL reads it in place: check it like any zip first
                    _plan_zip(zf, t.path, max_members=2000, max_total_bytes=2 * 1024**3, max_ratio=100)
    with _gdal(t.label, notes, "opened"):
        listed = pyogrio.list_layers(t.path)
    layer_types = [(str(n), None if g is None else str(g)) for n, g in listed]
    if t.fmt == "shapefile":
        ogr_layer = layer_types[0][0] if layer_types else t.path.stem
        layers = t.layers if t.layers is not None else [t.path.stem]
        chosen = t.layer if t.layers is not None else t.path.stem
        if t.layers is None and t.layer is not None and _match_name(t.layer, [chosen, ogr_layer]) is None:
            raise _layer_error(f"{t.label} is a single shapefile, layer {chosen!r}; it has no layer {t.layer!r}.",
                               [chosen])
    else:
        layers = [n for n, _ in layer_types]
        ogr_layer = chosen = _pick_layer(t.label, layer_types, t.layer)
    assert chosen is not None
    kwargs: dict[str, Any] = {"layer": ogr_layer}
    if t.fmt == "shapefile":
        kwargs["encoding"] = enc
    with _gdal(t.label, notes):
        meta = pyogrio.read_info(t.path, force_feature_count=True, force_total_bounds=True, **kwargs)
    bounds = _finite(meta.get("total_bounds"))
    file_crs = meta.get("crs")
    missing_why = ""
    if t.fmt == "shapefile":
        missing_why = " (no .prj beside the .shp)" if prj is None else " (its .prj could not be understood)"
    crs_text, crs_source = _resolve_crs(t.label, file_crs, "prj" if t.fmt == "shapefile" else "file", bounds,
                                        user_crs, notes, missing_why=missing_why)
    info = SourceInfo(
        path=t.user_path, format=t.fmt, layers=list(layers), layer=chosen,
        feature_count=int(meta.get("features", -1)), geometry_type=meta.get("geometry_type"),
        fields=[str(f) for f in meta.get("fields", [])], encoding=enc if t.fmt == "shapefile" else "UTF-8",
        encoding_source=enc_source, crs=crs_text, crs_source=crs_source, notes=notes)
    if not want_frame:
        return info, None
    if max_features is not None:
        kwargs["max_features"] = max_features
    with _gdal(t.label, notes):
        frame = pyogrio.read_dataframe(t.path, **kwargs)
    if not isinstance(frame, geopandas.GeoDataFrame):  # a table without geometry
        frame = geopandas.GeoDataFrame(frame, geometry=[None] * len(frame))
    frame = frame.set_crs(crs_text, allow_override=True) if crs_text is not None else frame
    return info, frame


_FORMAT_TITLE = {"shapefile": "Shapefile", "geojson": "GeoJSON", "gpkg": "GeoPackage", "kml": "KML",
                 "csv": "CSV", "xlsx": "XLSX"}


def _pick_layer(label: str, layers: list[tuple[str, Optional[str]]], wanted: Optional[str]) -> str:
    names = [n for n, _ in layers]
    if not names:
        raise LayerImportError(f"{label} holds no layers; check that it is the right file.")
    if wanted is not None:
        match = _match_name(wanted, names)
        if match is None:
            raise _layer_error(f"{label} has no layer {wanted!r}; its layers are {_listing(names)}. Choose one of "
                               "them with --source-layer NAME.", names)
        return match
    if len(names) == 1:
        return names[0]
    spatial = [n for n, g in layers if g is not None]
    if len(spatial) == 1:
        return spatial[0]
    raise _layer_error(f"{label} holds {len(names)} layers: {_listing(names)}; choose one with "
                       "--source-layer NAME.", names)


def _check_shapefile_parts(t: _Target) -> Optional[Path]:
    """Raise if the .shx or .dbf is missing; return the .prj (or None)."""
    for ext, what in ((".shx", "index"), (".dbf", "attribute table")):
        if _sidecar(t.path, ext) is None:
            raise LayerImportError(
                f"{t.label}: the {ext} ({what}) beside it is missing. A shapefile is several files with the "
                "same name (.shp, .shx, .dbf, .prj, .cpg): copy them all, or send them zipped together.")
    return _sidecar(t.path, ".prj")


def _sidecar(shp: Path, ext: str) -> Optional[Path]:
    for cand in (shp.with_suffix(ext), shp.with_suffix(ext.upper())):
        if cand.is_file():
            return cand
    with contextlib.suppress(OSError):
        for p in shp.parent.iterdir():
            if p.stem == shp.stem and p.suffix.lower() == ext and p.is_file():
                return p
    return None


# --------------------------------------------------------------------------------------------
# shapefile encoding

_GB_FAMILY = {"gbk", "gb2312", "gb18030", "hz"}
_CODEPAGES = {65001: "utf-8", 936: "gbk", 20936: "gb2312", 54936: "gb18030", 950: "big5", 1252: "cp1252",
              28591: "latin-1", 437: "cp437", 874: "cp874", 932: "cp932", 949: "cp949"}
_GDAL_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030", "iso8859-1": "ISO-8859-1", "latin-1": "ISO-8859-1",
               "big5": "BIG5"}


def _codec_of(label: str) -> Optional[str]:
    """Python codec name for an encoding label (.cpg text, a user's choice), or None."""
    s = label.strip().strip("\x00\ufeff").strip()
    if not s:
        return None
    m = re.fullmatch(r"(?:ANSI|CP|OEM|WINDOWS-?)?\s*(\d+)", s, flags=re.IGNORECASE)
    name = _CODEPAGES.get(int(m.group(1)), f"cp{m.group(1)}") if m else s
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _effective(codec: str) -> str:
    """GBK, GB2312 and CP936 are read as GB18030: a byte-compatible superset that keeps 湖㳇镇."""
    if codec == "utf-8-sig":
        return "utf-8"
    return "gb18030" if codec in _GB_FAMILY else codec


def _gdal_name(codec: str) -> str:
    return _GDAL_NAMES.get(codec, codec.upper())


def _dbf_text(dbf: Path) -> tuple[list[tuple[bytes, bool]], Optional[str]]:
    """Non-ASCII field names and text values of a .dbf as raw bytes, each with "fills its width".

    Returns ([], problem) when the file cannot be parsed (GDAL will then report it).
    """
    out: dict[bytes, bool] = {}
    try:
        with open(dbf, "rb") as f:
            head = f.read(32)
            if len(head) < 32:
                return [], "the .dbf is too short"
            (nrec,) = struct.unpack("<I", head[4:8])
            hlen, rlen = struct.unpack("<HH", head[8:12])
            desc = f.read(max(0, hlen - 32))
            fields: list[tuple[int, int]] = []
            offset = 1
            for i in range(0, len(desc) - 31, 32):
                d = desc[i:i + 32]
                if d[0] == 0x0D:
                    break
                name = d[:11].split(b"\x00")[0].rstrip(b" ")
                if any(b >= 0x80 for b in name):
                    out[name] = False
                ftype = chr(d[11])
                width = d[16] + (d[17] << 8 if ftype == "C" else 0)
                if ftype == "C" and width:
                    fields.append((offset, width))
                offset += d[16] + (d[17] << 8 if ftype == "C" else 0)
            if rlen <= 0 or not fields or nrec == 0:
                return list(out.items()), None
            f.seek(hlen)
            n = min(nrec, max(1, _DBF_SCAN_BYTES // rlen))
            data = f.read(n * rlen)
    except OSError as e:
        return [], str(e)
    n = len(data) // rlen
    if n == 0:
        return list(out.items()), None
    rows = np.frombuffer(data[: n * rlen], dtype=np.uint8).reshape(n, rlen)
    for start, width in fields:
        if start + width > rlen:
            continue
        block = rows[:, start:start + width]
        hit = np.nonzero((block >= 0x80).any(axis=1))[0]
        if len(hit) == 0:
            continue
        for raw in np.unique(np.ascontiguousarray(block[hit]).view(f"S{width}").ravel()):
            # numpy's S dtype drops trailing NULs; strip the DBF's space padding as well
            value = bytes(raw).rstrip(b" \x00")
            if value:
                out[value] = len(value) >= width
    return list(out.items()), None


def _decodes(samples: list[tuple[bytes, bool]], codec: str) -> bool:
    for raw, full in samples:
        for cut in range(0, 4 if full else 1):  # a value cut at the field width may end mid-character
            try:
                raw[: len(raw) - cut].decode(codec)
                break
            except UnicodeDecodeError:
                continue
        else:
            return False
    return True


def _plausible(samples: list[tuple[bytes, bool]], codec: str) -> float:
    """Share of the decoded non-ASCII characters that ordinary Chinese text uses."""
    good = total = 0
    for raw, _ in samples[:5000]:
        text = raw.decode(codec, errors="ignore")
        for ch in text:
            o = ord(ch)
            if o < 0x80:
                continue
            total += 1
            if (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3134F or 0x3000 <= o <= 0x303F
                    or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F or 0xF900 <= o <= 0xFAFF
                    or o in (0xB0, 0xB7, 0xD7)
                    or 0x2460 <= o <= 0x24FF or 0x2160 <= o <= 0x217F):
                good += 1
    return good / total if total else 1.0


def _shapefile_encoding(t: _Target, encoding: Optional[str]) -> tuple[str, str]:
    """(GDAL encoding name, encoding_source) for a shapefile, with notes added to ``t.notes``."""
    dbf = _sidecar(t.path, ".dbf")
    assert dbf is not None
    samples, problem = _dbf_text(dbf)
    if encoding is not None:
        codec = _codec_of(str(encoding))
        if codec is None:
            raise LayerImportError(f"{t.label}: {encoding!r} is not a text encoding GridWatch knows; use e.g. "
                                   "GB18030 (also reads GBK/GB2312), UTF-8 or Big5.")
        codec = _effective(codec)
        if samples and not _decodes(samples, codec):
            t.notes.append(f"{t.label}: some text in {dbf.name} does not decode as {_gdal_name(codec)}, the encoding "
                           "you chose; those characters may show wrongly.")
        return _gdal_name(codec), "user"

    cpg = _sidecar(t.path, ".cpg")
    cpg_label = None
    cpg_codec = None
    if cpg is not None:
        with contextlib.suppress(OSError):
            cpg_label = cpg.read_bytes()[:200].decode("ascii", errors="ignore").strip().strip("\ufeff\x00").strip()
        cpg_codec = _codec_of(cpg_label) if cpg_label else None
        if cpg_label and cpg_codec is None:
            t.notes.append(f"{t.label}: its .cpg names an unknown encoding {cpg_label!r}; the encoding was "
                           "detected from the text instead.")
    if problem:
        t.notes.append(f"{t.label}: {dbf.name} could not be checked for its text encoding ({problem}).")

    if not samples:  # ASCII only: every encoding reads it the same
        if cpg_codec is not None:
            return _gdal_name(_effective(cpg_codec)), "cpg"
        return "UTF-8", "detected"

    utf_ok = _decodes(samples, "utf-8")
    gb_ok = _decodes(samples, "gb18030")

    def wrong(codec: str) -> tuple[str, str]:
        t.notes.append(f"{t.label}: its .cpg says {cpg_label} but the text only decodes as {_gdal_name(codec)}: "
                       f"read as {_gdal_name(codec)}.")
        return _gdal_name(codec), "cpg-wrong-detected"

    def undecodable(codec: str, source: str) -> tuple[str, str]:
        t.notes.append(f"{t.label}: some text in {dbf.name} decodes neither as UTF-8 nor as GB18030; it was read as "
                       f"{_gdal_name(codec)} and some characters may show wrongly. If names look garbled, choose the "
                       "encoding yourself (--encoding).")
        return _gdal_name(codec), source

    if cpg_codec is not None:
        eff = _effective(cpg_codec)
        if eff == "utf-8":
            if utf_ok:
                return "UTF-8", "cpg"
            if gb_ok:
                return wrong("gb18030")
            return undecodable("utf-8", "cpg")
        # Valid multi-byte UTF-8 almost never arises from GBK or single-byte text by chance.
        if utf_ok and _plausible(samples, "utf-8") >= 0.5:
            return wrong("utf-8")
        if _decodes(samples, eff):
            return _gdal_name(eff), "cpg"
        if gb_ok:
            return wrong("gb18030")
        return undecodable(eff, "cpg")

    why = "has no .cpg" if cpg is None else "has an unusable .cpg"
    if utf_ok and (not gb_ok or _plausible(samples, "utf-8") >= _plausible(samples, "gb18030")):
        if cpg is not None:
            t.notes.append(f"{t.label} {why}; its text decodes as UTF-8: read as UTF-8.")
        return "UTF-8", "detected"
    if gb_ok:
        t.notes.append(f"{t.label} {why}; its text decodes as GB18030 (Chinese GBK/GB2312 and beyond): read as "
                       "GB18030.")
        return "GB18030", "detected"
    return undecodable("gb18030", "detected")


# --------------------------------------------------------------------------------------------
# CRS


def _parse_user_crs(crs: Any) -> _ProjCRS:
    value = crs
    if isinstance(value, str) and value.strip().isdigit():
        value = f"EPSG:{value.strip()}"
    try:
        return _ProjCRS.from_user_input(value)
    except (_ProjCRSError, TypeError, ValueError) as e:
        raise CRSError(f"{crs!r} is not a coordinate reference system GridWatch recognises ({e}); give an EPSG code, "
                       f"{_CRS_EXAMPLES}.") from e


def _crs_text(c: _ProjCRS, original: Optional[str] = None) -> str:
    if original and re.fullmatch(r"EPSG:\d+", original):
        return original
    auth = c.to_authority(min_confidence=90)
    if auth and auth[0] == "EPSG":
        return f"EPSG:{auth[1]}"
    return c.to_wkt()


def _finite(bounds: Any) -> Optional[tuple[float, float, float, float]]:
    if bounds is None:
        return None
    try:
        b = tuple(float(v) for v in bounds)
    except (TypeError, ValueError):
        return None
    if len(b) != 4 or not all(math.isfinite(v) for v in b):
        return None
    return b  # type: ignore[return-value]


def _in_box(b: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    return b[0] >= box[0] and b[1] >= box[1] and b[2] <= box[2] and b[3] <= box[3]


def _fmt_bounds(b: tuple[float, float, float, float]) -> str:
    return f"x {b[0]:.6g} to {b[2]:.6g}, y {b[1]:.6g} to {b[3]:.6g}"


def _degrees_possible(b: tuple[float, float, float, float]) -> bool:
    return -180.0 - 1e-9 <= b[0] and b[2] <= 180.0 + 1e-9 and -90.0 - 1e-9 <= b[1] and b[3] <= 90.0 + 1e-9


def _crs_hint(b: tuple[float, float, float, float], swap_hint: str) -> str:
    minx, miny, maxx, maxy = b
    swapped = (miny, minx, maxy, maxx)
    if _degrees_possible(b):
        if _in_box(swapped, CHINA_LONLAT_BOX):
            return f" The x and y values look swapped (latitude where longitude should be){swap_hint}."
        return (" They look like longitude/latitude degrees outside China; if that is right, give --crs EPSG:4326 "
                "(WGS 84) or --crs EPSG:4490.")
    zone_lo, zone_hi = int(minx // 1_000_000), int(maxx // 1_000_000)
    if zone_lo == zone_hi and 0 <= miny and maxy <= 6.5e6:
        if 25 <= zone_lo <= 45:
            return (f" The eastings start with a zone number ({zone_lo}): probably CGCS2000 / 3-degree Gauss-Kruger "
                    f"zone {zone_lo}, --crs EPSG:{4513 + zone_lo - 25}.")
        if 13 <= zone_lo <= 23:
            return (f" The eastings start with a zone number ({zone_lo}): probably CGCS2000 / 6-degree Gauss-Kruger "
                    f"zone {zone_lo}, --crs EPSG:{4491 + zone_lo - 13}.")
    if 0 <= minx and maxx <= 1_000_000 and 0 <= miny and maxy <= 6.5e6:
        return (" They look like Gauss-Kruger metres without a zone number, so the central meridian cannot be read "
                "from them: ask the sender, then give e.g. --crs EPSG:4547 (CM 114E; EPSG:4534-4554 cover CM 75E "
                "to 135E).")
    return ""


def _resolve_crs(label: str, file_crs: Optional[str], kind: str, bounds: Optional[tuple[float, float, float, float]],
                 user_crs: Optional[_ProjCRS], notes: list[str], *, missing_why: str = "",
                 swap_hint: str = "") -> tuple[Optional[str], str]:
    """(CRS text, crs_source); raise CRSError when it cannot be known or contradicts the coordinates."""
    said = "its .prj" if kind == "prj" else "the file"
    if user_crs is not None:
        text = _crs_text(user_crs)
        if bounds is not None and user_crs.is_geographic and not _degrees_possible(bounds):
            raise CRSError(f"{label}: you gave {text} ({user_crs.name}, degrees) but the coordinates "
                           f"({_fmt_bounds(bounds)}) "
                           f"are not degrees; they look like projected metres. Give the projected CRS instead, "
                           f"{_CRS_EXAMPLES}.{_crs_hint(bounds, swap_hint)}")
        if file_crs:
            with contextlib.suppress(_ProjCRSError):
                fc = _ProjCRS.from_user_input(file_crs)
                if not fc.equals(user_crs, ignore_axis_order=True):
                    notes.append(f"{label}: {said} says {_crs_text(fc, file_crs) if fc.to_epsg() else fc.name}; "
                                 f"using {text} as you asked.")
        return text, "user"
    if file_crs:
        try:
            fc = _ProjCRS.from_user_input(file_crs)
        except _ProjCRSError:
            fc = None
        if fc is not None:
            text = _crs_text(fc, file_crs)
            if bounds is not None and fc.is_geographic and not _degrees_possible(bounds):
                raise CRSError(f"{label}: {said} says {fc.name} (degrees) but the coordinates ({_fmt_bounds(bounds)}) "
                               f"are far outside longitude/latitude, so {said} is wrong. Give the right CRS with "
                               f"--crs EPSG:nnnn (it overrides {said}), {_CRS_EXAMPLES}.{_crs_hint(bounds, swap_hint)}")
            if bounds is not None and fc.is_projected and _in_box(bounds, CHINA_LONLAT_BOX):
                notes.append(f"{label}: {said} says {fc.name} (metres) but the coordinates look like longitude/"
                             "latitude degrees; if the layer lands in the wrong place, give --crs EPSG:4490.")
            return text, kind
        missing_why = missing_why or f" ({said} names a CRS GridWatch cannot read)"
    if bounds is None:
        notes.append(f"{label} has no coordinate reference system{missing_why} and no coordinates to check; "
                     f"GridWatch assumes EPSG:{PROJECT_EPSG} (CGCS2000 degrees).")
        return f"EPSG:{PROJECT_EPSG}", "guessed"
    if _in_box(bounds, CHINA_LONLAT_BOX):
        notes.append(f"{label} has no coordinate reference system{missing_why}; every coordinate lies within China's "
                     f"longitude/latitude range, so GridWatch assumes EPSG:{PROJECT_EPSG} (CGCS2000 degrees). If that "
                     "is wrong, give the right one with --crs.")
        return f"EPSG:{PROJECT_EPSG}", "guessed"
    raise CRSError(f"{label} has no coordinate reference system{missing_why}, and its coordinates "
                   f"({_fmt_bounds(bounds)}) "
                   f"are not longitude/latitude inside China, so GridWatch will not guess. Give it with --crs "
                   f"EPSG:nnnn, {_CRS_EXAMPLES}.{_crs_hint(bounds, swap_hint)}")


# --------------------------------------------------------------------------------------------
# CSV and XLSX tables

_X_EXACT = ["longitude", "lon", "lng", "long", "经度", "中心经度", "中心点经度", "东经", "经度坐标", "gps经度",
            "x", "xcoord", "x坐标", "pointx", "坐标x", "横坐标"]
_Y_EXACT = ["latitude", "lat", "纬度", "中心纬度", "中心点纬度", "北纬", "纬度坐标", "gps纬度",
            "y", "ycoord", "y坐标", "pointy", "坐标y", "纵坐标"]
_X_PART = ("经度", "longitude")
_Y_PART = ("纬度", "latitude")


def _norm_header(name: str) -> str:
    s = unicodedata.normalize("NFKC", str(name)).strip().lower()
    s = re.sub(r"\(.*?\)|\[.*?\]|【.*?】|<.*?>", "", s)
    s = re.sub(r"[\s_\-./:：]+", "", s)
    s = re.sub(r"(°|度数|degrees?|deg|dd|wgs84|cgcs2000)$", "", s)
    return s


def _find_coord_columns(columns: list[str], x_field: Optional[str], y_field: Optional[str], label: str
                        ) -> tuple[Optional[str], Optional[str], list[str]]:
    """(x column, y column, notes); None where nothing matches."""
    notes: list[str] = []
    for given, what in ((x_field, "x_field"), (y_field, "y_field")):
        if given is not None and given not in columns:
            stripped = [c for c in columns if c.strip() == str(given).strip()]
            if len(stripped) != 1:
                err = LayerImportError(f"{label} has no column {given!r} (given as {what}); its columns are "
                                       f"{_listing(columns)}.")
                err.fields = list(columns)  # type: ignore[attr-defined]
                raise err

    def resolve(given: Optional[str]) -> Optional[str]:
        if given is None:
            return None
        return given if given in columns else next(c for c in columns if c.strip() == str(given).strip())

    def pick(exact: list[str], partial: tuple[str, ...], avoid: Optional[str]) -> Optional[str]:
        normed = {c: _norm_header(c) for c in columns if c != avoid}
        for want in exact:
            hits = [c for c, n in normed.items() if n == want]
            if hits:
                return hits[0]
        hits = [c for c, n in normed.items() if any(p in n for p in partial)]
        return hits[0] if len(hits) >= 1 else None

    x = resolve(x_field)
    y = resolve(y_field)
    if x is None:
        x = pick(_X_EXACT, _X_PART, y)
    if y is None:
        y = pick(_Y_EXACT, _Y_PART, x)
    if x is not None and y is not None and (x_field is None or y_field is None):
        others = [c for c in columns if c not in (x, y) and
                  (_norm_header(c) in _X_EXACT + _Y_EXACT or any(p in _norm_header(c) for p in _X_PART + _Y_PART))]
        if others:
            notes.append(f"{label}: coordinates read from columns {x!r} and {y!r} (other candidates: "
                         f"{_listing(others)}); choose others with x_field/y_field.")
    return x, y, notes


_DMS = re.compile(
    r"^([NSEW东西南北])?\s*([+-]?\d+(?:\.\d+)?)\s*(?:[°度]|\s|:)?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*(?:['′’分]|:)?\s*)?"
    r"(?:(\d+(?:\.\d+)?)\s*(?:\"|″|”|''|′′|秒)?\s*)?"
    r"([NSEW东西南北])?$", re.IGNORECASE)


def _parse_coordinate(text: str) -> Optional[float]:
    """Decimal degrees or metres, or degrees-minutes-seconds such as 116°23′45.6″E / 东经116度23分45秒."""
    s = unicodedata.normalize("NFKC", text).strip().replace("−", "-")
    s = re.sub(r"^(东经|北纬|西经|南纬)", lambda m: {"东经": "E", "北纬": "N", "西经": "W", "南纬": "S"}[m.group(1)], s)
    try:
        v = float(s.rstrip("°度"))
        return v if math.isfinite(v) else None
    except ValueError:
        pass
    m = _DMS.match(s)
    if not m or (m.group(1) and m.group(5)):
        return None
    deg, mins, secs = float(m.group(2)), float(m.group(3) or 0), float(m.group(4) or 0)
    if mins >= 60 or secs >= 60 or (m.group(4) and not m.group(3)):
        return None
    value = abs(deg) + mins / 60 + secs / 3600
    hemi = (m.group(1) or m.group(5) or "").upper()
    negative = deg < 0 or str(m.group(2)).startswith("-") or hemi in ("S", "W", "西", "南")
    return -value if negative else value


def _coordinates(values: pd.Series, column: str, label: str, first_row: int, row_word: str) -> np.ndarray:
    """Floats (NaN for blanks); raise naming the row and column of the first unreadable value."""
    s = values.astype(str).str.strip()
    blank = (s == "").to_numpy()
    out = np.array(pd.to_numeric(s.where(~blank, None), errors="coerce"), dtype=float)  # a writable copy
    bad = np.nonzero(~blank & ~np.isfinite(out))[0]
    for i in bad:
        v = _parse_coordinate(s.iloc[i])
        if v is None:
            raise LayerImportError(f"{label}: {row_word} {first_row + i}, column {column!r}: {s.iloc[i]!r} is not a "
                                   "coordinate (expected decimal degrees such as 116.3975, or 116°23′51″); correct "
                                   "it or clear the cell.")
        out[i] = v
    return out


def _detect_text_encoding(data: bytes, label: str, encoding: Optional[str]) -> tuple[str, str, str, list[str]]:
    """(text, encoding name, encoding_source, notes) for a CSV file's bytes."""
    notes: list[str] = []
    if encoding is not None:
        codec = _codec_of(str(encoding))
        if codec is None:
            raise LayerImportError(f"{label}: {encoding!r} is not a text encoding GridWatch knows; use e.g. GB18030, "
                                   "UTF-8 or Big5.")
        codec = _effective(codec)
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        try:
            return data.decode(codec), _gdal_name(codec), "user", notes
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise LayerImportError(f"{label} does not decode as {_gdal_name(codec)} (the encoding you chose): "
                                   f"line {line} has bytes it cannot read. Choose another encoding, or leave it "
                                   "empty to detect it.") from e
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "UTF-8", "detected", notes
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise LayerImportError(f"{label} starts with a UTF-8 marker but line {line} is not UTF-8; save it again "
                                   "as 'CSV UTF-8' and retry.") from e
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16", "detected", notes
        except UnicodeDecodeError as e:
            raise LayerImportError(f"{label} looks like UTF-16 text but does not decode as such; save it again as "
                                   "'CSV UTF-8' and retry.") from e
    try:
        return data.decode("utf-8"), "UTF-8", "detected", notes
    except UnicodeDecodeError as e:
        utf_error = e
    try:
        text = data.decode("gb18030")
        notes.append(f"{label} is not UTF-8; its text decodes as GB18030 (Chinese GBK/GB2312 and beyond): read as "
                     "GB18030.")
        return text, "GB18030", "detected", notes
    except UnicodeDecodeError:
        line = data[: utf_error.start].count(b"\n") + 1
        raise LayerImportError(f"{label} decodes neither as UTF-8 nor as GB18030 (line {line} first goes wrong); "
                               "save it again as 'CSV UTF-8', or choose its encoding (--encoding).") from utf_error


def _read_csv_table(t: _Target, encoding: Optional[str], max_rows: Optional[int]
                    ) -> tuple[pd.DataFrame, str, str, list[str]]:
    try:
        data = t.path.read_bytes()
    except OSError as e:
        raise LayerImportError(f"{t.label} could not be read: {e}") from e
    text, enc, enc_source, notes = _detect_text_encoding(data, t.label, encoding)
    del data
    first_line = text.split("\n", 1)[0]
    if t.path.suffix.lower() == ".tsv":
        sep = "\t"
    else:
        counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
        sep = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    if not text.strip():
        return pd.DataFrame(), enc, enc_source, notes
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
                         nrows=max_rows, skipinitialspace=False, skip_blank_lines=True)
    except (pd.errors.ParserError, ValueError) as e:
        raise LayerImportError(f"{t.label} is not a well-formed table: {e}. Open it in Excel or WPS, check the rows "
                               "named, and save it again as CSV.") from e
    df.columns = [str(c).strip() for c in df.columns]
    return df, enc, enc_source, notes


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if hasattr(v, "isoformat"):
        text = v.isoformat()
        return text[:-9] if text.endswith("T00:00:00") else text.replace("T", " ")
    return str(v)


def _read_xlsx_table(t: _Target, layer: Optional[str], x_field: Optional[str], y_field: Optional[str],
                     max_rows: Optional[int]) -> tuple[pd.DataFrame, list[str], str, int, list[str]]:
    """(table, sheet names, chosen sheet, Excel row number of the first data row, notes)."""
    import openpyxl

    notes: list[str] = []
    try:
        wb = openpyxl.load_workbook(t.path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for damaged or foreign files
        raise LayerImportError(f"{t.label} could not be opened as an Excel workbook ({type(e).__name__}: {e}); save "
                               "it again as .xlsx from Excel or WPS.") from e
    try:
        sheets = list(wb.sheetnames)

        def rows_of(name: str, limit: Optional[int] = None) -> list[tuple]:
            out = []
            for row in wb[name].iter_rows(values_only=True):
                out.append(row)
                if limit is not None and len(out) >= limit:
                    break
            return out

        def header_at(rows: list[tuple]) -> Optional[int]:
            """Index of the header row: the first of the top 20 naming coordinate columns."""
            for i, row in enumerate(rows[:20]):
                cols = [_cell_text(v).strip() for v in row]
                if any(cols):
                    x, y, _ = _find_coord_columns([c for c in cols if c], x_field if x_field in cols else None,
                                                  y_field if y_field in cols else None, t.label)
                    if x is not None and y is not None:
                        return i
            return None

        if layer is not None:
            match = _match_name(layer, sheets)
            if match is None:
                raise _layer_error(f"{t.label} has no sheet {layer!r}; its sheets are {_listing(sheets)}. Choose "
                                   "one with --source-layer NAME.", sheets)
            sheet = match
        elif len(sheets) == 1:
            sheet = sheets[0]
        else:
            heads = {s: rows_of(s, 20) for s in sheets}
            used = [s for s in sheets if any(any(_cell_text(v).strip() for v in r) for r in heads[s])]
            with_coords = [s for s in used if header_at(heads[s]) is not None]
            if len(used) == 1:
                sheet = used[0]
            elif len(with_coords) == 1:
                sheet = with_coords[0]
                notes.append(f"{t.label}: read sheet {sheet!r}, the only one with coordinate columns.")
            else:
                raise _layer_error(f"{t.label} has {len(used)} sheets with data: {_listing(used)}; choose one with "
                                   "--source-layer NAME.", sheets)
        rows = rows_of(sheet, None if max_rows is None else max_rows + 21)
    finally:
        wb.close()
    nonblank = [i for i, r in enumerate(rows) if any(_cell_text(v).strip() for v in r)]
    if not nonblank:
        return pd.DataFrame(), sheets, sheet, 2, notes
    h = header_at(rows)
    if h is None:
        h = nonblank[0]
    elif h != nonblank[0]:
        notes.append(f"{t.label}: sheet {sheet!r} has its header on row {h + 1}; the rows above it were skipped.")
    header = [_cell_text(v).strip() for v in rows[h]]
    body = rows[h + 1:]
    width = max([len(header)] + [len(r) for r in body])
    # drop trailing columns with neither a header nor data
    used_cols = [j for j in range(width) if (j < len(header) and header[j]) or
                 any(j < len(r) and r[j] is not None and _cell_text(r[j]).strip() for r in body)]
    names: list[str] = []
    for j in used_cols:
        base = header[j] if j < len(header) and header[j] else f"column_{j + 1}"
        name, k = base, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    # trailing blank rows are not data
    while body and not any(_cell_text(v).strip() for v in body[-1]):
        body.pop()
    if max_rows is not None:
        body = body[:max_rows]
    data = {name: [_cell_text(r[j]) if j < len(r) else "" for r in body] for name, j in zip(names, used_cols)}
    df = pd.DataFrame(data, columns=names, dtype=str)
    return df, sheets, sheet, h + 2, notes


def _load_table(t: _Target, encoding: Optional[str], user_crs: Optional[_ProjCRS], x_field: Optional[str],
                y_field: Optional[str], max_features: Optional[int]
                ) -> tuple[SourceInfo, geopandas.GeoDataFrame]:
    notes = t.notes
    if t.fmt == "csv":
        df, enc, enc_source, more = _read_csv_table(t, encoding, max_features)
        layers = [t.path.stem]
        layer = t.path.stem
        if t.layer is not None and _match_name(t.layer, layers) is None:
            raise _layer_error(f"{t.label} is a single table, {layer!r}; it has no layer {t.layer!r}.", layers)
        first_row, row_word = 2, "row"
    else:
        if encoding is not None:
            notes.append(f"XLSX text is always Unicode; the encoding {encoding!r} was not used.")
        df, layers, layer, first_row, more = _read_xlsx_table(t, t.layer, x_field, y_field, max_features)
        enc, enc_source, row_word = None, "utf-8", "row"
        row_word = f"sheet {layer!r} row"
    notes.extend(more)
    columns = [str(c) for c in df.columns]
    x_col, y_col, more = _find_coord_columns(columns, x_field, y_field, t.label)
    notes.extend(more)
    if x_col is None or y_col is None:
        missing = "longitude (x)" if x_col is None else "latitude (y)"
        err = LayerImportError(
            f"{t.label}: no {missing} column found among {_listing(columns) or 'no columns'}. "
            "Name the columns 经度/纬度 (or longitude/latitude), or choose them with x_field/y_field.")
        err.fields = columns  # type: ignore[attr-defined]
        raise err
    if x_col == y_col:
        raise LayerImportError(f"{t.label}: the same column {x_col!r} was chosen for x and y; choose two columns.")
    xs = _coordinates(df[x_col], x_col, t.label, first_row, row_word)
    ys = _coordinates(df[y_col], y_col, t.label, first_row, row_word)
    one_missing = np.nonzero(np.isnan(xs) != np.isnan(ys))[0]
    if len(one_missing):
        i = int(one_missing[0])
        col = x_col if np.isnan(xs[i]) else y_col
        raise LayerImportError(f"{t.label}: {row_word} {first_row + i} has a value in only one coordinate column "
                               f"({col!r} is empty); fill it or clear both.")
    has = ~np.isnan(xs)
    if (~has).any():
        notes.append(f"{t.label}: {int((~has).sum()):,} rows have no coordinates; they are kept without a location.")
    bounds = _finite((xs[has].min(), ys[has].min(), xs[has].max(), ys[has].max())) if has.any() else None
    swap_hint = f": choose x_field={y_col!r}, y_field={x_col!r}"
    crs_text, crs_source = _resolve_crs(t.label, None, "file", bounds, user_crs, notes,
                                        missing_why=" (tables carry none)", swap_hint=swap_hint)
    geoms = np.full(len(df), None, dtype=object)
    if has.any():
        geoms[has] = shapely.points(xs[has], ys[has])
    geom_name = "geometry"
    while geom_name in df.columns:
        geom_name = "_" + geom_name
    series = geopandas.GeoSeries(geoms, index=df.index)
    if geom_name == "geometry":
        frame = geopandas.GeoDataFrame(df, geometry=series, crs=crs_text)
    else:
        frame = geopandas.GeoDataFrame(df.assign(**{geom_name: series}), geometry=geom_name, crs=crs_text)
    info = SourceInfo(path=t.user_path, format=t.fmt, layers=list(layers), layer=layer, feature_count=len(df),
                      geometry_type="Point", fields=columns, encoding=enc, encoding_source=enc_source,
                      crs=crs_text, crs_source=crs_source, notes=notes)
    return info, frame
