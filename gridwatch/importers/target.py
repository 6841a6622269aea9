"""The file a source names, once found: a path inside a folder or an unpacked zip, its format and the name to show."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from ..errors import LayerImportError

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


@dataclass
class _Target:
    user_path: Path
    path: Path          # the file GDAL/pandas reads
    fmt: str
    label: str          # how messages name it
    layers: Optional[list[str]] = None   # zip/directory: candidate names; None: ask the file
    layer: Optional[str] = None          # the layer requested of the file itself
    notes: list[str] = field(default_factory=list)


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


def _listing(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _layer_error(message: str, names: Sequence[str]) -> LayerImportError:
    err = LayerImportError(message)
    err.layers = list(names)  # type: ignore[attr-defined]  # for a UI that offers the choice
    return err


def _sidecar(shp: Path, ext: str) -> Optional[Path]:
    for cand in (shp.with_suffix(ext), shp.with_suffix(ext.upper())):
        if cand.is_file():
            return cand
    with contextlib.suppress(OSError):
        for p in shp.parent.iterdir():
            if p.stem == shp.stem and p.suffix.lower() == ext and p.is_file():
                return p
    return None


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
