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

import contextlib
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Optional

import shapely
import shapely.errors
from pyproj import CRS as _ProjCRS

from ..errors import LayerImportError
from .crs_guess import CHINA_LONLAT_BOX, _finite, _parse_user_crs, _resolve_crs
from .encodings import _shapefile_encoding
from .tables import _load_table, _match_name
from .target import _FORMAT_BY_SUFFIX, SourceInfo, _format_of, _layer_error, _listing, _sidecar, _Target
from .zips import PathLike, check_archive, safe_extract_zip

if TYPE_CHECKING:
    import geopandas
    import pyogrio
else:
    from ..lazy import gpd as geopandas
    from ..lazy import pyogrio

__all__ = ["SourceInfo", "inspect_source", "read_source", "safe_extract_zip", "CHINA_LONLAT_BOX",
           "SUPPORTED_SUFFIXES"]


SUPPORTED_SUFFIXES = tuple(sorted(_FORMAT_BY_SUFFIX))


# --------------------------------------------------------------------------------------------
# public API


def inspect_source(path: PathLike, *, layer: Optional[str] = None, encoding: Optional[str] = None,
                   crs: Any = None, workdir: Optional[PathLike] = None, x_field: Optional[str] = None,
                   y_field: Optional[str] = None, assumed_crs: Optional[tuple[str, str]] = None) -> SourceInfo:
    """Describe ``path`` without importing it: format, layers, fields, count, encoding, CRS, notes.

    Raises the same errors :func:`read_source` would (an ambiguous or unknown layer, a missing
    CRS that cannot be guessed, a refused zip, undetectable coordinate columns), so a file that
    inspects cleanly also reads.  A :class:`LayerImportError` about the layer carries the
    choices in its ``layers`` attribute; one about coordinate columns carries ``fields``.

    ``assumed_crs``: (CRS, why) for a file that has none when ``crs`` is not given (fire-point tables:
    WGS 84 longitude/latitude); messages then give that reason, never "you gave".
    """
    with _opened(path, layer, workdir) as src:
        info, _ = src.load(encoding=encoding, crs=crs, x_field=x_field, y_field=y_field, want_frame=False,
                           assumed_crs=assumed_crs)
    return info


def read_source(path: PathLike, *, layer: Optional[str] = None, encoding: Optional[str] = None, crs: Any = None,
                workdir: Optional[PathLike] = None, max_features: Optional[int] = None,
                x_field: Optional[str] = None, y_field: Optional[str] = None,
                assumed_crs: Optional[tuple[str, str]] = None) -> geopandas.GeoDataFrame:
    """Read ``path`` into a GeoDataFrame in the source CRS (set on the frame).

    Features with NULL geometry are kept (the caller counts them).  ``frame.attrs`` holds
    ``encoding``, ``notes`` and ``source`` (the :class:`SourceInfo` fields as plain values).
    """
    if max_features is not None and max_features < 0:
        raise LayerImportError(f"max_features must be 0 or more, not {max_features}")
    with _opened(path, layer, workdir) as src:
        info, frame = src.load(encoding=encoding, crs=crs, x_field=x_field, y_field=y_field, want_frame=True,
                               max_features=max_features, assumed_crs=assumed_crs)
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


# --------------------------------------------------------------------------------------------
# finding the file to read


@contextlib.contextmanager
def _opened(path: PathLike, layer: Optional[str], workdir: Optional[PathLike]) -> Iterator["_Source"]:
    p = Path(path)
    if not p.exists():
        raise LayerImportError(f"{p} does not exist; check the path and choose the file again.")
    if p.is_dir():
        yield _Source(_pick_from_folder(p, p, str(p), layer, zip_path=None))
        return
    if not p.is_file():  # a pipe or a device: reading it could wait for ever
        raise LayerImportError(f"{p} is not a regular file (a pipe, device or socket); choose the data file itself.")
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


# --------------------------------------------------------------------------------------------
# reading


class _Source:
    def __init__(self, target: _Target):
        self.t = target

    def load(self, *, encoding: Optional[str], crs: Any, x_field: Optional[str], y_field: Optional[str],
             want_frame: bool, max_features: Optional[int] = None, assumed_crs: Optional[tuple[str, str]] = None
             ) -> tuple[SourceInfo, Optional[geopandas.GeoDataFrame]]:
        t = self.t
        user_crs = _parse_user_crs(crs) if crs is not None and str(crs).strip() != "" else None
        assumed = (_parse_user_crs(assumed_crs[0]), assumed_crs[1]) if assumed_crs else None
        if t.fmt in ("csv", "xlsx"):
            return _load_table(t, encoding, user_crs, x_field, y_field, max_features, assumed)
        if x_field is not None or y_field is not None:
            t.notes.append(f"x_field/y_field apply to CSV and XLSX tables only; {t.label} has its own geometry.")
        return _load_ogr(t, encoding, user_crs, want_frame, max_features, assumed)


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


def _unreadable_geometries(t: _Target, kwargs: dict[str, Any]) -> LayerImportError:
    """Which features' geometries cannot be built (a polygon ring of two points, a ring that is not closed), by
    row, as one error."""
    _meta, table = pyogrio.read_arrow(t.path, **kwargs)
    column = _meta.get("geometry_name") or "wkb_geometry"
    bad: list[str] = []
    count = 0
    for i, wkb in enumerate(table.column(column).to_pylist()):
        if wkb is None:
            continue
        try:
            shapely.from_wkb(wkb)
        except shapely.errors.GEOSException as exc:
            count += 1
            if len(bad) < 5:
                reason = str(exc).split(":", 1)[-1].strip() or type(exc).__name__
                bad.append(f"row {i + 1} ({reason})")
    more = f" and {count - 5} more" if count > 5 else ""
    return LayerImportError(
        f"{t.label}: {count} feature(s) have geometries that cannot be read: {', '.join(bad)}{more}. A polygon ring "
        "needs at least 4 points, the last one the same as the first. Correct or remove these features in the "
        "program that made the file (QGIS: Vector > Geometry Tools > Check Validity), then import again.")


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
              max_features: Optional[int], assumed: Optional[tuple[_ProjCRS, str]] = None
              ) -> tuple[SourceInfo, Optional[geopandas.GeoDataFrame]]:
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
                check_archive(t.path, "KMZ file")  # GDAL reads it in place: check it like any zip first
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
                                        user_crs, notes, missing_why=missing_why, assumed=assumed)
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
        try:
            frame = pyogrio.read_dataframe(t.path, **kwargs)
        except shapely.errors.GEOSException as exc:  # a geometry GEOS cannot even build
            raise _unreadable_geometries(t, kwargs) from exc
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
