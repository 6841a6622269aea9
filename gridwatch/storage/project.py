"""The GridWatch project: one GeoPackage that holds a whole district.

:func:`write_project` (in :mod:`.project_write`, re-exported here) creates a project file from layer
frames (all at once, into a temporary file that is moved into place); :func:`check_project` tells
whether a file is a usable project without changing a byte of it; :class:`Project` reads layers and
tables and summarises them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy as np

from ..errors import DamagedProject, DataSourceError, GridWatchError, SchemaVersionError, StorageError
from ..layers import LAYERS
from ..tasks import CancelToken, ProgressCallback, Steps
from . import gdalread
from .failures import SQLITE_BUSY, SQLITE_IOERR, SQLITE_LOCKED, file_problem, sqlite_code
from .gpkg import (
    GPKG_APPLICATION_IDS,
    connect_readonly,
    inspect_file,
    is_shared_snapshot,
    quote_ident,
    roll_back_hot_journal,
    sqlite_tables,
)
from .project_write import (  # noqa: F401  (re-exported: the writing half of this module)
    FID_COLUMN,
    GEOMETRY_COLUMN,
    GPKG_VERSION,
    spec_field_dtype,
    write_project,
)
from .schema import META_TABLE, REQUIRED_TABLES, REQUIRED_TABLES_BY_VERSION, SCHEMA_VERSION, WORKFLOW_TABLES

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    import pyogrio
else:
    from ..lazy import gpd, pd, pyogrio


@dataclass
class LayerInfo:
    """Summary of one layer or table of a project."""

    name: str
    title_zh: str
    title_en: str
    kind: str  # "layer" (map layer) or "table" (workflow / metadata)
    feature_count: int
    geometry_type: Optional[str] = None
    crs: Optional[str] = None
    extent: Optional[tuple[float, float, float, float]] = None  # minx, miny, maxx, maxy


@dataclass
class ProjectInfo:
    """What ``gridwatch info`` reports."""

    path: str
    district_name: str
    county_code: str
    schema_version: int
    crs: str
    layers: list[LayerInfo] = field(default_factory=list)
    tables: list[LayerInfo] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------------------------
# Checking a file


def _read_meta(con: sqlite3.Connection, path: Path) -> dict[str, str]:
    q = "SELECT key, value FROM " + quote_ident(META_TABLE, sqlite_tables(con))
    try:
        return {k: v for k, v in con.execute(q)}
    except sqlite3.DatabaseError as exc:
        raise DamagedProject(f"{path}: GridWatch metadata table cannot be read ({exc})") from exc


def _read_problem(path: Path, exc: sqlite3.Error) -> GridWatchError:
    """A project that could not be read: locked by a writer, or else damaged."""
    if sqlite_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR):
        return file_problem(path, exc, "read")
    return DamagedProject(f"{path}: damaged GeoPackage ({exc}); restore it from a backup")


def _journal_beside(path: Path) -> bool:
    for suffix in ("-journal", "-wal"):
        try:
            if Path(str(path) + suffix).stat().st_size > 0:
                return True
        except OSError:
            continue
    return False


def _check_a_copy(path: Path) -> dict[str, str]:
    """Check a shared project's snapshot that another program is writing, or died writing (a journal beside
    it), on a local copy: SQLite finishes or undoes that write on the copy, never on the share."""
    with tempfile.TemporaryDirectory(prefix="gridwatch-check-") as tmp:
        copy = Path(tmp) / path.name
        try:
            shutil.copyfile(path, copy)
            for suffix in ("-journal", "-wal"):
                if Path(str(path) + suffix).exists():
                    shutil.copyfile(str(path) + suffix, str(copy) + suffix)
        except OSError as exc:
            raise file_problem(path, exc, "read") from exc
        try:
            roll_back_hot_journal(copy, copy_of=path)
            return check_project(copy)
        except GridWatchError as exc:
            text = str(exc).replace(str(copy), str(path))
            raise type(exc)(text, key=exc.key, **{k: (str(path) if v == str(copy) else v)
                                                 for k, v in exc.params.items()}) from exc


def check_project(path: os.PathLike[str] | str, *, thorough: bool = True) -> dict[str, str]:
    """Check that ``path`` is an intact GridWatch project and return its metadata.

    Opens the file read-only; whatever the outcome the file is left byte-identical, except that a
    journal a killed writer left beside it is rolled back first (the file is then exactly as it was
    before that unfinished write: nothing saved is lost).  ``thorough`` (the default) reads every
    required table whole; a write's check reads their first pages only.

    Raises
    ------
    DataSourceError
        One line naming the file and the problem: missing, not SQLite, not a GeoPackage,
        truncated or damaged, or a GeoPackage without GridWatch's schema; a journal left by a
        killed writer that cannot be rolled back (read-only folder: :class:`UnfinishedWrite`).
    FileLocked
        Another program is writing the file just now.
    SchemaVersionError
        The project was written by a newer GridWatch.
    """
    p = Path(path)
    if is_shared_snapshot(p) and _journal_beside(p):
        return _check_a_copy(p)
    roll_back_hot_journal(p)  # a killed writer's journal: undo its half-written change first
    inspect_file(p)
    try:
        with closing(connect_readonly(p)) as con:
            app_id = con.execute("PRAGMA application_id").fetchone()[0]
            tables = sqlite_tables(con)
            if app_id not in GPKG_APPLICATION_IDS and not {"gpkg_contents", "gpkg_spatial_ref_sys"} <= tables:
                raise DamagedProject(f"{p}: not a GeoPackage (an SQLite database without GeoPackage tables)")
            if "gpkg_contents" not in tables:
                raise DamagedProject(f"{p}: not a valid GeoPackage (gpkg_contents table missing)")
            if META_TABLE not in tables:
                raise DataSourceError(
                    f"{p}: a GeoPackage but not a GridWatch project (no {META_TABLE} table); "
                    "bring its layers into a project with `gridwatch import`"
                )
            meta = _read_meta(con, p)
            try:
                required = REQUIRED_TABLES_BY_VERSION.get(int(meta.get("schema_version", "")), REQUIRED_TABLES)
            except ValueError:
                required = REQUIRED_TABLES
            missing = [t for t in required if t not in tables]
            if missing:
                raise DataSourceError(
                    f"{p}: GridWatch project is missing table(s) {', '.join(missing)}; "
                    "restore it from a backup or the shared copy"
                )
            # Touch every required table so a damaged page surfaces here, not mid-session.  Before
            # each write (``thorough=False``) the first page does: counting a million fire points
            # took 30 ms of every 60 ms finding step, and the write reads the pages it changes.
            for t in required:
                qt = quote_ident(t, tables)
                con.execute("SELECT COUNT(*) FROM " + qt if thorough else "SELECT 1 FROM " + qt + " LIMIT 1").fetchone()
    except sqlite3.DatabaseError as exc:
        raise _read_problem(p, exc) from exc
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise DamagedProject(f"{p}: GridWatch metadata has no valid schema_version") from None
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"{p}: written by a newer GridWatch (schema version {version}, this one reads up to "
            f"{SCHEMA_VERSION}); update GridWatch to open it"
        )
    return meta


# --------------------------------------------------------------------------------------------
# Reading a project


class Project:
    """An open GridWatch project file.

    Use :meth:`open`; the file is checked first and a clear :class:`DataSourceError` is raised
    for anything that is not an intact GridWatch project.
    """

    def __init__(self, path: Path, meta: dict[str, str]) -> None:
        self.path = path
        self.meta = meta

    @classmethod
    def open(cls, path: os.PathLike[str] | str, *, migrate: bool = False, thorough: bool = True) -> "Project":
        """Open ``path``; with ``migrate=True`` an older schema is backed up, then migrated.  ``thorough=False``:
        the check reads the first page of every table, not every table whole (see :func:`check_project`; the
        app's map opens so and checks thoroughly after its first paint)."""
        p = Path(path)
        meta = check_project(p, thorough=thorough)
        if int(meta["schema_version"]) < SCHEMA_VERSION:
            if not migrate:
                raise SchemaVersionError(
                    f"{p}: schema version {meta['schema_version']} is older than {SCHEMA_VERSION}; "
                    "open it for editing to upgrade it (a backup is made first)"
                )
            from .migrations import migrate_project

            try:
                migrate_project(p)
            except OSError as exc:  # the backup copy beside it: a full disk, a read-only folder
                raise file_problem(p, exc, "upgraded (its backup copy could not be written)") from exc
            meta = check_project(p)
        return cls(p, meta)

    @property
    def district_name(self) -> str:
        return self.meta.get("district_name", "")

    @property
    def schema_version(self) -> int:
        return int(self.meta["schema_version"])

    def read_layer(
        self,
        name: str,
        *,
        bbox: Optional[tuple[float, float, float, float]] = None,
        columns: Optional[list[str]] = None,
        fid_index: bool = False,
    ) -> gpd.GeoDataFrame:
        """Read map layer ``name`` as a GeoDataFrame (one row per feature, ``uuid`` identifies it; ``fid_index``:
        indexed by the features' fid, to line the rows up with another read)."""
        if name not in LAYERS and not (name in WORKFLOW_TABLES and WORKFLOW_TABLES[name].geometry_type):
            raise StorageError(f"{self.path}: {name!r} is not a map layer")
        if fid_index:
            return self._read(name, bbox=bbox, columns=columns, fid_as_index=True)
        return self._read(name, bbox=bbox, columns=columns)

    def read_table(self, name: str, *, columns: Optional[list[str]] = None) -> pd.DataFrame:
        """Read workflow table ``name`` as a DataFrame."""
        if name not in WORKFLOW_TABLES:
            raise StorageError(f"{self.path}: {name!r} is not a workflow table")
        return self._read(name, columns=columns)

    def _read(self, name: str, **kwargs: Any) -> pd.DataFrame:
        try:
            # Rows are identified by their unique-indexed ``uuid``; asking GDAL for the fid as
            # index costs about 0.5 s per million rows, so frames keep a plain RangeIndex.
            return gdalread.read_dataframe(self.path, layer=name, use_arrow=True, **kwargs)
        except pyogrio.errors.DataSourceError as exc:
            raise DataSourceError(f"{self.path}: layer {name} cannot be read ({exc})") from exc

    def read_point_layer(self, name: str, columns: Optional[Sequence[str]] = None,
                         with_fids: bool = False) -> tuple[pd.DataFrame, "np.ndarray"]:
        """Read a point layer as (attributes, ``(n, 2)`` lon/lat array) without shapely objects.

        Columns are Arrow-backed (no conversion cost); this is how the map loads a million fire
        points in well under a second.  ``columns``: only these attributes (the map's, read before
        the rest); ``with_fids``: the frame's index is the features' fid (to line up a later read).
        """
        from .gpkg import wkb_points_xy

        try:
            meta, table = gdalread.read_arrow(self.path, layer=name, columns=columns, return_fids=with_fids)
        except pyogrio.errors.DataSourceError as exc:
            raise DataSourceError(f"{self.path}: layer {name} cannot be read ({exc})") from exc
        geom_name = meta.get("geometry_name") or "wkb_geometry"
        xy = wkb_points_xy(table.column(geom_name))
        frame = _attributes(table.drop_columns([geom_name]), meta.get("fid_column") if with_fids else None)
        return frame, xy

    def read_attributes(self, name: str, columns: Sequence[str]) -> pd.DataFrame:
        """Some attributes of a layer, no geometry, indexed by fid (Arrow-backed)."""
        try:
            meta, table = gdalread.read_arrow(self.path, layer=name, columns=list(columns), read_geometry=False,
                                             return_fids=True)
        except pyogrio.errors.DataSourceError as exc:
            raise DataSourceError(f"{self.path}: layer {name} cannot be read ({exc})") from exc
        return _attributes(table, meta.get("fid_column"))

    def read_all_layers(
        self, *, progress: Optional[ProgressCallback] = None, cancel: Optional[CancelToken] = None
    ) -> dict[str, gpd.GeoDataFrame]:
        """Read every map layer; reports progress per layer and honours ``cancel``."""
        steps = Steps(progress, cancel, [(n, 1) for n in LAYERS])
        out: dict[str, gpd.GeoDataFrame] = {}
        for name in LAYERS:
            steps.start(name, f"reading {name}")
            out[name] = self.read_layer(name)
            steps.report(1.0)
        return out

    def info(self) -> ProjectInfo:
        """Summarise every layer and table: feature count, geometry type, CRS and extent."""
        return project_info(self.path, self.meta)


def _attributes(table: Any, fid: Optional[str]) -> pd.DataFrame:
    """An Arrow table read by pyogrio as a frame of Arrow-backed columns (its fid column ``fid``, when
    given, as the index)."""
    fid = fid if fid and fid in table.column_names else None
    frame = (table.drop_columns([fid]) if fid else table).to_pandas(types_mapper=pd.ArrowDtype)
    if fid:
        frame.index = pd.Index(table.column(fid).to_numpy(), name="fid")
    return frame


def _srs_label(con: sqlite3.Connection, srs_id: int) -> str:
    row = con.execute(
        "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (srs_id,)
    ).fetchone()
    if row is None:
        return f"srs_id {srs_id}"
    return f"{row[0].upper()}:{row[1]}"


def project_info(path: os.PathLike[str] | str, meta: Optional[dict[str, str]] = None) -> ProjectInfo:
    """Summary of the project at ``path`` (checked and opened read-only)."""
    p = Path(path)
    meta = meta if meta is not None else check_project(p)
    info = ProjectInfo(
        path=str(p),
        district_name=meta.get("district_name", ""),
        county_code=meta.get("county_code", ""),
        schema_version=int(meta["schema_version"]),
        crs=meta.get("crs", ""),
    )
    try:
        with closing(connect_readonly(p)) as con:
            tables = sqlite_tables(con)
            geom_cols = {
                r[0]: (r[1], r[2], r[3])
                for r in con.execute("SELECT table_name, column_name, geometry_type_name, srs_id "
                                     "FROM gpkg_geometry_columns")
            }
            entries: list[tuple[str, str, str, str]] = [(n, s.title_zh, s.title_en, "layer") for n, s in LAYERS.items()]
            entries += [(n, s.title_zh, s.title_en, "table") for n, s in WORKFLOW_TABLES.items()]
            for name, zh, en, kind in entries:
                if name not in tables:  # an older schema without this layer (read-only: not migrated)
                    continue
                count = con.execute("SELECT COUNT(*) FROM " + quote_ident(name, tables)).fetchone()[0]
                li = LayerInfo(name=name, title_zh=zh, title_en=en, kind=kind, feature_count=int(count))
                if name in geom_cols:
                    col, gtype, srs_id = geom_cols[name]
                    li.geometry_type = gtype
                    li.crs = _srs_label(con, srs_id)
                    rtree = f"rtree_{name}_{col}"
                    if rtree in tables and count:
                        minx, miny, maxx, maxy = con.execute(
                            "SELECT MIN(minx), MIN(miny), MAX(maxx), MAX(maxy) FROM " + quote_ident(rtree, tables)
                        ).fetchone()
                        li.extent = (minx, miny, maxx, maxy)
                (info.layers if kind == "layer" else info.tables).append(li)
    except sqlite3.DatabaseError as exc:
        raise _read_problem(p, exc) from exc
    return info
