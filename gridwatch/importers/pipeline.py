"""Bring a real-world file into a project layer, safely.

Two steps, so the app can show a summary before anything is written:

1. :func:`prepare_import` reads the source (any supported format), maps its fields onto the
   layer's fields, repairs invalid geometries (each repair reported), drops empty ones (counted),
   flattens Z/M, reprojects to EPSG:4490, joins fire points to their cell, village and township,
   drops fire points outside the district and detections already in the project, and validates
   the result against the layer's rules.  Nothing is written.
2. :func:`commit_import` writes the prepared rows and an audit-log entry in one SQLite
   transaction.  A failure or a cancel rolls everything back: the project file is left exactly as
   it was.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import sqlite3
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import numpy as np
import shapely

from ..crs import PROJECT_EPSG
from ..domain.policy import Action, Actor, require
from ..errors import LayerImportError, RefusedByRole
from ..layers import LAYERS
from ..layers.base import LayerSpec, uuids_from_rng
from ..storage.bulk import write_features
from ..storage.failures import SQLITE_BUSY, SQLITE_FULL, SQLITE_LOCKED, SQLITE_READONLY, file_problem, sqlite_code
from ..storage.gpkg import connect_readonly
from ..storage.project import Project, check_project
from ..tasks import CancelToken, ProgressCallback, Steps
from .badvalues import apply_value_map, leave_out_bad_rows
from .fire_join import fire_frame, join_fire_points
from .geometry import clean_geometries, outside_district
from .parsing import header_key

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd

#: Source field names (lower case, Chinese as is) that usually hold a target field.
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": ("code", "代码", "编码", "区划代码", "行政代码", "统计代码", "dm", "xzqdm", "bm", "网格编码", "gridcode"),
    "name": ("name", "名称", "mc", "xzqmc", "乡镇名称", "村名称", "网格名称", "村名", "镇名", "工地名称", "矿山名称",
             "项目名称"),
    "county_code": ("county_code", "区县代码", "县代码", "xdm"),
    "township_code": ("township_code", "乡镇代码", "镇代码", "xzdm", "街道代码"),
    "village_code": ("village_code", "村代码", "村级代码", "cdm", "社区代码"),
    "kind": ("kind", "类型", "lx", "矿种"),
    "level": ("level", "级别", "网格级别"),
    "legal_basis": ("legal_basis", "依据", "划定依据", "法律依据"),
    "in_force_from": ("in_force_from", "生效日期", "实施日期", "起始日期"),
    "in_force_to": ("in_force_to", "失效日期", "截止日期"),
    "status": ("status", "状态", "zt"),
    "operator": ("operator", "经营单位", "企业名称", "单位"),
    "developer": ("developer", "建设单位", "开发商"),
    "area_m2": ("area_m2", "面积", "占地面积", "mj"),
    "dust_grade": ("dust_grade", "等级", "扬尘等级", "管控等级", "评级"),
    "online_monitor": ("online_monitor", "在线监测", "监测设备"),
    "start_date": ("start_date", "开工日期", "开工时间"),
    "end_date": ("end_date", "竣工日期", "完工日期"),
    "buffer_m": ("buffer_m", "管控半径", "缓冲距离", "半径"),
    "note": ("note", "备注", "说明"),
}

#: Values that fill a required field the file does not have.
FIELD_DEFAULTS: dict[tuple[str, str], Any] = {
    ("village", "kind"): "village",
    ("grid_cell", "level"): "grid",
    ("fire_point", "status"): "unverified",
    ("key_area", "kind"): "other",
}

#: From this many rows an import rebuilds the layer's indexes instead of updating them row by row.

TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm"}

_TRUE = {"1", "true", "t", "yes", "y", "是", "有", "✓"}
_FALSE = {"0", "false", "f", "no", "n", "否", "无", ""}


@dataclass
class ImportOptions:
    """What the user chose (CLI options or the Import dialog)."""

    kind: str
    source_layer: Optional[str] = None
    field_map: dict[str, str] = field(default_factory=dict)  # source field -> target field
    encoding: Optional[str] = None
    crs: Optional[str] = None
    mode: str = "append"  # "append" or "replace"
    user: str = ""
    #: Layer fields to leave empty even if a source field's name matches ("(none)" in the dialog).
    unmapped: tuple[str, ...] = ()
    #: Import features far outside the district too (otherwise refused: a wrong file or CRS).
    allow_outside: bool = False
    #: Replacements of values the layer does not allow, per field: ``{"dust_grade": {"D": "C"}}``.
    value_map: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Leave out the rows whose coded or required values the layer does not allow (listed in the
    #: report's ``skipped``), instead of refusing the whole file.
    skip_bad_rows: bool = False


@dataclass
class ImportReport:
    """What an import did (or, before commit, will do)."""

    file: str
    kind: str
    mode: str
    read: int = 0
    imported: int = 0
    empty_dropped: int = 0
    repaired: list[str] = field(default_factory=list)
    converted: list[str] = field(default_factory=list)
    outside: int = 0
    duplicates: int = 0
    replaced: int = 0
    field_map: dict[str, str] = field(default_factory=dict)  # target -> source
    encoding: Optional[str] = None
    crs: Optional[str] = None
    notes: list[str] = field(default_factory=list)
    #: Rows left out (``skip_bad_rows``): ``{"row": source row, "field": name, "value": text}``.
    skipped: list[dict[str, Any]] = field(default_factory=list)
    #: The values left out, per field: ``{"dust_grade": {"D": 2}}`` (what a value map can replace).
    bad_values: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        lines = [f"{self.file} -> {self.kind} ({self.mode})",
                 f"read {self.read:,}, imported {self.imported:,}"]
        if self.empty_dropped:
            lines.append(f"dropped {self.empty_dropped:,} empty or NULL geometries")
        if self.repaired:
            lines.append(f"repaired {len(self.repaired):,} invalid geometries")
        if self.outside:
            lines.append(f"{self.outside:,} points outside the district (not stored)")
        if self.duplicates:
            lines.append(f"{self.duplicates:,} detections already in the project (skipped)")
        if self.replaced:
            lines.append(f"replaced {self.replaced:,} existing features")
        if self.skipped:
            rows = len({s["row"] for s in self.skipped})
            lines.append(f"left out {rows:,} rows with values the layer does not allow")
        lines += self.converted + self.notes
        return "\n".join(lines)


@dataclass
class PreparedImport:
    """Rows ready to write (EPSG:4490, target schema, validated) and the report so far."""

    project: Path
    source: Path
    options: ImportOptions
    frame: gpd.GeoDataFrame
    report: ImportReport
    source_sha256: str


# --------------------------------------------------------------------------------------------
# field mapping


def _norm(name: str) -> str:
    return header_key(name)


def guess_field_map(spec: LayerSpec, source_fields: list[str]) -> dict[str, str]:
    """``target -> source`` guesses: same name first, then the synonyms table."""
    by_norm = {_norm(f): f for f in source_fields}
    out: dict[str, str] = {}
    for f in spec.fields:
        if f.name == "uuid":
            continue
        for candidate in (f.name,) + FIELD_SYNONYMS.get(f.name, ()):
            src = by_norm.get(_norm(candidate))
            if src is not None and src not in out.values():
                out[f.name] = src
                break
    return out


def _to_text(series: pd.Series) -> pd.Series:
    """Text as a person typed it: 130110100.0 read from a spreadsheet becomes '130110100'."""

    def conv(v: Any) -> Any:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, (int, np.integer)):
            return str(int(v))
        s = str(v).strip()
        return s if s else None

    return series.map(conv).astype(object)


def _convert(series: pd.Series, type_: str, target: str, kind: str, name: str,
             rows: Optional[np.ndarray] = None) -> pd.Series:
    """``series`` as the layer field's type; a value that does not fit is refused naming its rows (``rows``:
    the file's row number of each value)."""
    numbers = np.arange(1, len(series) + 1) if rows is None else np.asarray(rows)

    def bad_rows(bad: pd.Series) -> tuple[list[int], list[Any]]:
        at = np.flatnonzero(bad.to_numpy())[:5]
        return [int(numbers[i]) for i in at], [series.iloc[i] for i in at]

    if type_ == "TEXT":
        return _to_text(series)
    if type_ in ("INTEGER", "REAL"):
        num = pd.to_numeric(series.replace("", np.nan), errors="coerce")
        bad = num.isna() & series.notna() & (series.astype(str).str.strip() != "")
        if bad.any():
            at, values = bad_rows(bad)
            raise LayerImportError(f"{name}: field {target} needs numbers; rows {at} hold {values}")
        return num.round().astype("Int64") if type_ == "INTEGER" else num.astype(float)
    if type_ == "BOOLEAN":
        text = series.astype(str).str.strip().str.lower()
        out = text.isin(_TRUE)
        bad = ~(out | text.isin(_FALSE) | series.isna())
        if bad.any():
            at, _values = bad_rows(bad)
            raise LayerImportError(f"{name}: field {target} needs yes/no (是/否, 1/0); rows {at} do not")
        return out
    if type_ in ("DATE", "DATETIME"):
        parsed = pd.to_datetime(series, errors="coerce")
        bad = parsed.isna() & series.notna() & (series.astype(str).str.strip() != "")
        if bad.any():
            at, values = bad_rows(bad)
            raise LayerImportError(f"{name}: field {target} needs dates; rows {at} hold {values}")
        if type_ == "DATE":
            return pd.Series([None if pd.isna(d) else d.date() for d in parsed], index=series.index, dtype=object)
        return parsed.dt.tz_localize("UTC") if parsed.dt.tz is None else parsed.dt.tz_convert("UTC")
    return series


# --------------------------------------------------------------------------------------------
# prepare


_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")


def _sha256(path: Path) -> str:
    """Fingerprint of the file and, for a shapefile, of the parts beside it (.dbf, .prj...)."""
    h = hashlib.sha256()
    parts = [path]
    if path.suffix.lower() == ".shp":
        parts += [q for q in (path.with_suffix(ext) for ext in _SIDECARS) if q.exists()]
    for part in parts:
        h.update(part.name.encode("utf-8"))
        with open(part, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def prepare_import(
    project_path: os.PathLike[str] | str,
    source_path: os.PathLike[str] | str,
    options: ImportOptions,
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> PreparedImport:
    """Read, map, repair, reproject, join and validate; write nothing.  See the module doc."""
    from .sources import read_source

    project_path = Path(project_path)
    source = Path(source_path)
    if options.kind not in LAYERS:
        raise LayerImportError(f"unknown layer kind {options.kind!r}; choose one of {', '.join(LAYERS)}")
    if options.mode not in ("append", "replace"):
        raise LayerImportError(f"mode must be append or replace, not {options.mode!r}")
    check_project(project_path)
    if options.mode == "replace" or options.user:  # refused before the file is even read (commit checks again)
        _check_import_role(project_path, options.user, options.kind, options.mode)
    project = Project.open(project_path)
    spec = LAYERS[options.kind]
    steps = Steps(progress, cancel, [("read", 3), ("map", 1), ("join", 2), ("validate", 1)])
    report = ImportReport(file=str(source), kind=options.kind, mode=options.mode)
    steps.start("read", "reading")
    assumed = None
    if options.crs is None and options.kind == "fire_point" and source.suffix.lower() in TABLE_SUFFIXES:
        # Satellite fire tables (FIRMS, provincial centres) give WGS84 longitude/latitude;
        # WGS84 and CGCS2000 differ by centimetres here.
        assumed = ("EPSG:4326", "fire-point tables are read as WGS 84 longitude/latitude (the table names no CRS)")
        report.notes.append("coordinates read as WGS84 longitude/latitude (fire-point table without a CRS)")
    frame = read_source(source, layer=options.source_layer, encoding=options.encoding, crs=options.crs,
                        assumed_crs=assumed)
    report.read = len(frame)
    report.encoding = getattr(frame, "attrs", {}).get("encoding")
    report.crs = frame.crs.to_string() if frame.crs is not None else None
    report.notes += list(frame.attrs.get("notes", [])) if hasattr(frame, "attrs") else []
    # Row numbers as a spreadsheet program shows them (tables), else the feature's number in the file.
    rows = np.asarray(frame.attrs.get("rows", ()))
    frame = frame.reset_index(drop=True)
    frame["__row"] = rows if len(rows) == len(frame) else np.arange(1, len(frame) + 1)
    steps.report(1.0)

    steps.start("map", "mapping fields")
    if options.kind == "fire_point":
        out = fire_frame(frame, source.name, report, options.field_map)
    else:
        frame = clean_geometries(frame, spec, report)
        frame = frame.to_crs(PROJECT_EPSG) if frame.crs is not None else frame.set_crs(PROJECT_EPSG)
        outside_district(frame, project, report, allow=options.allow_outside, label=str(source))
        mapping = guess_field_map(spec, [c for c in frame.columns if c not in ("__row", frame.geometry.name)])
        for src, dst in options.field_map.items():
            if src not in frame.columns:
                raise LayerImportError(f"{source.name}: --field-map names source field {src!r}, which the file "
                                       f"does not have; its fields: {', '.join(map(str, frame.columns[:-2]))}")
            if dst not in spec.field_names:
                raise LayerImportError(f"{source.name}: --field-map target {dst!r} is not a field of "
                                       f"{spec.name}; fields: {', '.join(spec.field_names)}")
            mapping = {k: v for k, v in mapping.items() if v != src}
            mapping[dst] = src
        for target in options.unmapped:
            mapping.pop(target, None)
        report.field_map = dict(mapping)
        out = gpd.GeoDataFrame({"__row": frame["__row"].to_numpy()}, geometry=frame.geometry.values, crs=PROJECT_EPSG)
        for f in spec.fields:
            if f.name == "uuid":
                continue
            if f.name in mapping:
                out[f.name] = _convert(frame[mapping[f.name]].reset_index(drop=True), f.type, f.name,
                                       options.kind, source.name, frame["__row"].to_numpy()).to_numpy()
            elif (options.kind, f.name) in FIELD_DEFAULTS:
                out[f.name] = FIELD_DEFAULTS[(options.kind, f.name)]
        # Codes nest (county 6, township 9, village 12 digits): parent codes the file lacks
        # follow from the feature's own code, or, for townships, from the project's county.
        if "code" in out.columns:
            for parent, digits in (("county_code", 6), ("township_code", 9), ("village_code", 12)):
                if parent in spec.field_names and parent not in mapping and parent not in out.columns:
                    out[parent] = out["code"].map(lambda c, d=digits: c[:d] if isinstance(c, str) and len(c) > d
                                                  else None).astype(object)
        if options.kind == "township" and out.get("county_code") is not None:
            county = project.meta.get("county_code")
            if county:
                out["county_code"] = out["county_code"].fillna(county)
    steps.report(1.0)

    steps.start("join", "joining to cells")
    if options.kind == "fire_point":
        out = join_fire_points(out, project, report, append=options.mode == "append")
    elif "township_code" in spec.field_names and out.get("township_code") is None:
        towns = project.read_layer("township", columns=["code"])
        tree = shapely.STRtree(np.asarray(towns.geometry.values))
        reps = shapely.point_on_surface(np.asarray(out.geometry.values))
        hit = tree.query(reps, predicate="within")
        codes = np.full(len(out), None, dtype=object)
        codes[hit[0]] = towns["code"].to_numpy()[hit[1]]
        out["township_code"] = codes
    steps.report(1.0)

    steps.start("validate", "checking rules")
    out = apply_value_map(out, spec, options.value_map)
    if options.skip_bad_rows:
        out = leave_out_bad_rows(out, spec, report.skipped, report.bad_values)
    rng = np.random.default_rng()
    out = out.reset_index(drop=True)
    out.insert(0, "uuid", uuids_from_rng(rng, len(out)))
    target = out.drop(columns="__row")
    problems = spec.validate(target)
    unique_codes = "code" in spec.field_names and spec.field("code").unique
    if unique_codes and options.mode == "append" and not problems:
        existing = set(project.read_layer(spec.name, columns=["code"])["code"].astype(str))
        clash = np.flatnonzero(target["code"].astype(str).isin(existing).to_numpy())
        problems += [f"{spec.name} row {i + 1}: code {target['code'].iloc[i]} is already in the project "
                     "(use --replace to replace the layer)" for i in clash[:10]]
    if problems:
        # The rule messages count rows of the cleaned frame; say which rows of the file they are.
        rows = out["__row"].to_numpy()

        def source_row(m: re.Match) -> str:
            i = int(m.group(1)) - 1
            return f"row {rows[i] if 0 <= i < len(rows) else m.group(1)}"

        shown = [re.sub(r"row (\d+)", source_row, p) for p in problems[:10]]
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise LayerImportError(f"{source.name}: does not fit layer {spec.name}: " + "; ".join(shown) + more)
    report.imported = len(target)
    steps.report(1.0)
    return PreparedImport(project_path, source, options, target, report, _sha256(source))


# --------------------------------------------------------------------------------------------
# commit


def commit_import(
    prepared: PreparedImport,
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> ImportReport:
    """Write the prepared rows and an audit entry in one transaction (all or nothing)."""
    path = prepared.project
    spec = LAYERS[prepared.options.kind]
    report = prepared.report
    steps = Steps(progress, cancel, [("write", 4), ("index", 1)])
    if _sha256(prepared.source) != prepared.source_sha256:
        raise LayerImportError(f"{prepared.source}: the file changed since it was checked; import it again")
    check_project(path)
    mode = prepared.options.mode
    user = prepared.options.user if mode == "replace" else (prepared.options.user or _current_user())
    _check_import_role(path, user, spec.name, mode)
    details = report.to_dict()
    details["repaired"] = details["repaired"][:500]
    details["source_sha256"] = prepared.source_sha256
    try:
        report.replaced = write_features(path, spec, prepared.frame, replace=prepared.options.mode == "replace",
                                         user=user, details=details, steps=steps)
    except sqlite3.Error as exc:
        if sqlite_code(exc) in (SQLITE_FULL, SQLITE_READONLY, SQLITE_BUSY, SQLITE_LOCKED):
            raise file_problem(path, exc) from exc
        raise LayerImportError(f"{path}: writing {spec.name} failed ({exc}); the project is unchanged") from exc
    return report


def _check_import_role(path: Path, user: str, layer: str, mode: str) -> None:
    """Refuse imports the named person's role may not make (:mod:`gridwatch.domain.policy`).

    Boundaries (township, village, cell) are an administrator's; zones, sites, mines and fire
    points a supervisor's or administrator's; inspectors record findings, they do not import.
    Appending under a name that is not a person of the project (a script run by IT) is allowed;
    replacing a layer always needs a person of the project who may (``--user``).
    """
    replace = mode == "replace"
    with closing(connect_readonly(path)) as con:
        row = con.execute("SELECT uuid, name, role FROM inspector WHERE name = ? AND (active IS NULL OR active = 1)",
                          (user,)).fetchone() if user else None
    actor = Actor(*row) if row else None
    if replace and actor is None:
        who = f"nobody called {user!r} is in the people table" if user else "no --user NAME was given"
        raise RefusedByRole(f"{path}: replacing {layer} needs a supervisor or an administrator of the project; {who}",
                            key="import.replace_needs_user", layer=layer, user=user)
    require(actor, Action.REPLACE_LAYER if replace else Action.IMPORT_LAYER, {"layer": layer})


def _current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"


def import_file(
    project_path: os.PathLike[str] | str,
    source_path: os.PathLike[str] | str,
    options: ImportOptions,
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
) -> ImportReport:
    """:func:`prepare_import` then :func:`commit_import`."""
    steps = Steps(progress, cancel, [("prepare", 2), ("commit", 1)])
    steps.start("prepare", "checking")
    prepared = prepare_import(project_path, source_path, options,
                              progress=lambda f, m: steps.report(f, m), cancel=cancel)
    steps.start("commit", "writing")
    return commit_import(prepared, progress=lambda f, m: steps.report(f, m), cancel=cancel)
