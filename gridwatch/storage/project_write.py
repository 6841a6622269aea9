"""Writing a whole GridWatch project file: :func:`write_project` (split from :mod:`.project`, which
re-exports everything here, so ``from gridwatch.storage.project import write_project`` keeps working).

The file is built from layer frames all at once, into a temporary file that is moved into place.
"""

from __future__ import annotations

import datetime as _dt
import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional

from .. import __version__
from ..crs import PROJECT_EPSG
from ..errors import CRSError, GridWatchError, StorageError, ValidationError
from ..layers import LAYERS
from ..layers.base import LayerSpec
from ..tasks import CancelToken, ProgressCallback, Steps
from . import density
from .failures import disk_full, file_problem, read_only
from .gpkg import connect_readwrite, fsync_file, gpkg_datetime, index_sql, quote_ident, sqlite_tables, transaction
from .schema import META_TABLE, SCHEMA_VERSION, WORKFLOW_TABLES, TableSpec

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    import pyogrio
else:
    from ..lazy import gpd, pd, pyogrio

GEOMETRY_COLUMN = "geom"
#: GeoPackage version written. 1.2 rather than GDAL's default 1.4: QGIS 3.22 / GDAL 3.6, still
#: common in district offices, warn on every open of a 1.4 file; 1.2 has everything we use.
GPKG_VERSION = "1.2"
FID_COLUMN = "fid"


# --------------------------------------------------------------------------------------------
# Writing a project


def _check_frame(spec: LayerSpec | TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the spec's columns in order, validated."""
    if isinstance(spec, LayerSpec):
        problems = spec.validate(frame)
        if problems:
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise ValidationError("; ".join(problems[:5]) + more)
    cols = list(spec.field_names)
    extra_missing = [c for c in cols if c not in frame.columns]
    out = frame.copy()
    for c in extra_missing:
        dtype = spec_field_dtype(spec, c)
        # a missing whole-number column is empty (NULL), not a column of zeros
        out[c] = pd.Series([None] * len(out), index=out.index, dtype="Int64" if dtype == "int64" else dtype)
    keep = cols + (["geometry"] if isinstance(out, gpd.GeoDataFrame) else [])
    return out[keep]


def spec_field_dtype(spec: LayerSpec | TableSpec, name: str) -> Any:
    for f in spec.fields:
        if f.name == name:
            return f.pandas_dtype
    raise KeyError(name)


def _as_geoframe(spec_name: str, frame: Optional[pd.DataFrame], spec: LayerSpec | TableSpec,
                 geometry_type: Optional[str]) -> pd.DataFrame:
    if frame is None:
        frame = spec.empty_frame()
        if geometry_type is not None:
            frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=PROJECT_EPSG))
        return frame
    if geometry_type is not None:
        if not isinstance(frame, gpd.GeoDataFrame):
            raise ValidationError(f"{spec_name}: a map layer needs geometries")
        if frame.crs is None:
            raise CRSError(f"{spec_name}: the layer has no CRS; reproject it to EPSG:{PROJECT_EPSG} first")
        if frame.crs.to_epsg() != PROJECT_EPSG:
            raise CRSError(
                f"{spec_name}: the layer is in {frame.crs.to_string()}; the project stores EPSG:"
                f"{PROJECT_EPSG} (CGCS2000), reproject it first"
            )
    return _check_frame(spec, frame)


def _write_frame(tmp: Path, name: str, frame: pd.DataFrame, geometry_type: Optional[str],
                 description: str) -> None:
    # Millisecond DATETIME text ("...T02:05:11.000Z") is the form the GeoPackage spec requires;
    # older GDAL/QGIS warn about anything else.
    options = {"FID": FID_COLUMN, "DESCRIPTION": description, "DATETIME_PRECISION": "MILLISECOND"}
    kwargs: dict[str, Any] = {"layer": name, "driver": "GPKG", "layer_options": options,
                              "dataset_options": {"VERSION": GPKG_VERSION}}
    if geometry_type is not None:
        options["GEOMETRY_NAME"] = GEOMETRY_COLUMN
        kwargs["geometry_type"] = "Unknown" if geometry_type == "GEOMETRY" else geometry_type
        kwargs["promote_to_multi"] = geometry_type.startswith("Multi")
    if len(frame):
        kwargs["use_arrow"] = True
    pyogrio.write_dataframe(frame, tmp, **kwargs)


def write_project(
    path: os.PathLike[str] | str,
    *,
    district_name: str,
    county_code: str,
    layers: Optional[Mapping[str, gpd.GeoDataFrame]] = None,
    tables: Optional[Mapping[str, pd.DataFrame]] = None,
    overwrite: bool = False,
    created_at: Optional[_dt.datetime] = None,
    extra_meta: Optional[Mapping[str, str]] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> Path:
    """Write a complete project file at ``path``.

    Layers and tables not given are created empty.  Frames are validated first; the file is
    built in a temporary file beside ``path``, flushed to disk and moved into place with
    :func:`os.replace`, so ``path`` is either the old file or the complete new one.

    Parameters
    ----------
    path : path-like
        Where to write the ``.gpkg``.
    district_name, county_code : str
        The district this project covers (county code: 6 digits).
    layers : mapping of str to GeoDataFrame, optional
        Map layers by kind (see :data:`gridwatch.layers.LAYERS`), in EPSG:4490.
    tables : mapping of str to DataFrame, optional
        Workflow tables by name (see :data:`gridwatch.storage.schema.WORKFLOW_TABLES`).
    overwrite : bool
        Replace an existing file; otherwise an existing ``path`` is an error.
    created_at : datetime, optional
        Time stamp recorded in the metadata and in ``gpkg_contents`` (default: now), so a
        generator can write reproducible files.
    """
    target = Path(path)
    layers = dict(layers or {})
    tables = dict(tables or {})
    unknown = [k for k in layers if k not in LAYERS] + [k for k in tables if k not in WORKFLOW_TABLES]
    if unknown:
        raise StorageError(f"{target}: unknown layer or table name(s): {', '.join(unknown)}")
    if target.exists() and not overwrite:
        raise StorageError(f"{target}: file exists; choose another name or allow overwriting")
    if not target.parent.is_dir():
        raise StorageError(f"{target}: folder {target.parent} does not exist")
    created = (created_at or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    stamp = gpkg_datetime(created)

    specs: list[tuple[str, LayerSpec | TableSpec, Optional[str], str]] = []
    for name, lspec in LAYERS.items():
        specs.append((name, lspec, lspec.geometry_type, f"{lspec.title_zh} {lspec.title_en}"))
    for name, tspec in WORKFLOW_TABLES.items():
        specs.append((name, tspec, tspec.geometry_type, f"{tspec.title_zh} {tspec.title_en}"))

    steps = Steps(progress, cancel, [("check", 1)] + [(s[0], 1 + len(layers.get(s[0], ())) / 5000) for s in specs]
                  + [("finish", 1)])
    steps.start("check", "checking layers")
    frames = {}
    for name, spec, gtype, _ in specs:
        source = layers.get(name) if name in LAYERS else tables.get(name)
        frames[name] = _as_geoframe(name, source, spec, gtype)
        steps.report(1.0)

    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp.gpkg", dir=target.parent)
    except OSError as exc:
        raise _write_problem(target, exc) or exc from exc
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # GDAL must create the file itself
    old_date = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    try:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
        for name, spec, gtype, description in specs:
            steps.start(name, f"writing {name}")
            _write_frame(tmp, name, frames[name], gtype, description)
        steps.start("finish", "indexing")
        with closing(connect_readwrite(tmp)) as con:
            with transaction(con):
                for name, spec, _, _ in specs:
                    for f in spec.fields:
                        if f.unique:
                            con.execute(index_sql(con, name, f.name, unique=True))
                    for col in spec.indexed:
                        con.execute(index_sql(con, name, col, unique=False))
                meta = {
                    "schema_version": str(SCHEMA_VERSION),
                    "district_name": district_name,
                    "county_code": county_code,
                    "crs": f"EPSG:{PROJECT_EPSG}",
                    "created_at": stamp,
                    "created_by": f"GridWatch {__version__}",
                }
                meta.update(extra_meta or {})
                con.execute("DELETE FROM " + quote_ident(META_TABLE, sqlite_tables(con)))
                con.executemany(
                    "INSERT INTO " + quote_ident(META_TABLE, sqlite_tables(con)) + " (key, value) VALUES (?, ?)",
                    sorted(meta.items()),
                )
                # The fire points' density counts and the triggers that keep them (schema 6).
                density.create(con, stamp)
                # Keep gpkg_contents' extents in step with the data (QGIS uses them for "zoom to layer").
                _refresh_contents_extents(con, [s[0] for s in specs if s[2] is not None])
            con.execute("VACUUM")
        steps.report(0.9)
        fsync_file(tmp)
        os.replace(tmp, target)
        fsync_file(target)
        steps.report(1.0)
    except BaseException as exc:
        for leftover in (tmp, Path(str(tmp) + "-journal")):
            try:
                leftover.unlink()
            except FileNotFoundError:
                pass
        problem = _write_problem(target, exc)
        if problem is not None:
            raise problem from exc
        raise
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old_date})
    return target


def _write_problem(target: Path, exc: BaseException) -> Optional[GridWatchError]:
    """A full disk, a read-only folder or another failure of GDAL or SQLite while ``target`` was written, as one
    line (nothing was left behind: the temp file is gone, an existing file untouched)."""
    if isinstance(exc, OSError):  # named after the target, not the temp file beside it
        return file_problem(target, OSError(exc.errno, exc.strerror))
    if isinstance(exc, sqlite3.Error):
        return file_problem(target, exc)
    if isinstance(exc, pyogrio.errors.DataSourceError | pyogrio.errors.DataLayerError | pyogrio.errors.FieldError):
        text = str(exc)
        if "disk is full" in text or "No space left" in text:
            return disk_full(target)
        if "readonly" in text or "Read-only" in text or "Permission denied" in text:
            return read_only(target)
        return StorageError(f"{target}: could not be written ({text[-200:]}); nothing was written")
    return None


def _refresh_contents_extents(con: sqlite3.Connection, names: list[str]) -> None:
    tables = sqlite_tables(con)
    for name in names:
        rtree = f"rtree_{name}_{GEOMETRY_COLUMN}"
        if rtree not in tables:
            continue
        row = con.execute(
            "SELECT MIN(minx), MIN(miny), MAX(maxx), MAX(maxy) FROM " + quote_ident(rtree, tables)
        ).fetchone()
        con.execute(
            "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
            (*row, name),
        )
