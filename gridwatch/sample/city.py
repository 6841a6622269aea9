"""A city's worth of districts for benchmarks (``gridwatch sample --scale city``): ten stress districts side by
side, each under a real county code of Shijiazhuang (石家庄市, 1301xx), so township, village and cell codes
stay realistic 9-, 12- and 15-digit codes nesting in their county: 200,000 cells and 10,000,000 fire points.

Written as a stream: one county is generated, written (the first through :func:`write_project`, the others
appended through GDAL, which runs the project's triggers, density counts included), and let go before the
next, so memory stays that of one stress district (about 1.2 GB), not ten.  The file is built beside the
target and moved into place at the end.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import numpy as np
import pyogrio
import shapely

from ..crs import PROJECT_EPSG
from ..errors import StorageError
from ..layers import LAYERS
from ..storage.project_write import FID_COLUMN, _as_geoframe, write_project
from ..storage.schema import WORKFLOW_TABLES
from ..tasks import CancelToken, ProgressCallback, Steps
from .generator import COUNTY_CODE, COUNTY_NAME, COUNTY_SHORT, GENERATED_AT, District, generate_district

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
else:
    from ..lazy import gpd, pd

#: Counties of the generated city: real county codes and names of Shijiazhuang.
CITY_COUNTIES: tuple[tuple[str, str, str], ...] = (
    ("130110", "鹿泉区", "鹿泉"), ("130102", "长安区", "长安"), ("130104", "桥西区", "桥西"),
    ("130105", "新华区", "新华"), ("130107", "井陉矿区", "矿区"), ("130108", "裕华区", "裕华"),
    ("130109", "藁城区", "藁城"), ("130111", "栾城区", "栾城"), ("130121", "井陉县", "井陉"),
    ("130123", "正定县", "正定"),
)
CITY_CODE = "130100"
CITY_NAME = "石家庄市(示例城市)"
#: Counties side by side: columns of the layout, and the step between counties in degrees (a stress district
#: spans about 1.0 x 0.75 degrees).
COLUMNS = 5
STEP = (1.1, 0.85)
#: Code columns that hold a county's codes (township, village and cell codes begin with the county code).
_CODE_COLUMNS = ("code", "county_code", "township_code", "village_code", "cell_code")


def _recode(frame: pd.DataFrame, code: str, name: str, short: str) -> pd.DataFrame:
    """The district's codes under county ``code``, its names under the county's name."""
    out = frame.copy()
    for col in out.columns:
        if col in _CODE_COLUMNS:
            values = out[col].astype(object)
            starts = values.map(lambda v: isinstance(v, str) and v.startswith(COUNTY_CODE)).to_numpy(bool)
            out.loc[starts, col] = [code + v[len(COUNTY_CODE):] for v in values[starts]]
        elif col == "name" or col in ("operator", "developer", "legal_basis"):
            out[col] = out[col].astype(object).map(
                lambda v: v.replace(COUNTY_NAME, name).replace(COUNTY_SHORT, short) if isinstance(v, str) else v)
    return out


def _shifted(frame: gpd.GeoDataFrame, dx: float, dy: float) -> gpd.GeoDataFrame:
    geoms = shapely.transform(np.asarray(frame.geometry.values, dtype=object), lambda c: c + np.array([dx, dy]))
    return gpd.GeoDataFrame(frame.drop(columns=frame.geometry.name), geometry=gpd.GeoSeries(geoms, crs=PROJECT_EPSG),
                            index=frame.index)


def county(k: int, seed: int, progress: Optional[ProgressCallback] = None,
           cancel: Optional[CancelToken] = None, scale: str = "stress") -> District:
    """County ``k`` of the city: a stress district (seed ``seed + k``) recoded and moved to its place."""
    code, name, short = CITY_COUNTIES[k]
    district = generate_district(scale, seed + k, progress=progress, cancel=cancel)
    dx, dy = (k % COLUMNS) * STEP[0], -(k // COLUMNS) * STEP[1]
    for layer, frame in list(district.layers.items()):
        recoded = _recode(frame, code, name, short) if layer != "fire_point" else frame
        if layer == "fire_point":  # a million rows: only the code columns change
            recoded = frame.copy()
            for col in ("cell_code", "village_code", "township_code"):
                recoded[col] = code + recoded[col].astype(str).str.slice(len(COUNTY_CODE))
        district.layers[layer] = _shifted(recoded, dx, dy)
    district.tables = {t: _recode(f, code, name, short) for t, f in district.tables.items()}
    return district


def _append(path: Path, name: str, frame: pd.DataFrame) -> None:
    spec = LAYERS.get(name) or WORKFLOW_TABLES[name]
    gtype = spec.geometry_type
    frame = _as_geoframe(name, frame, spec, gtype)
    if not len(frame):
        return
    kwargs = {"layer": name, "driver": "GPKG", "append": True, "use_arrow": True,
              "layer_options": {"FID": FID_COLUMN}}
    if gtype is not None:
        kwargs["promote_to_multi"] = gtype.startswith("Multi")
    pyogrio.write_dataframe(frame, path, **kwargs)


def write_city(path: os.PathLike[str] | str, seed: int = 2025, *, counties: int = len(CITY_COUNTIES),
               overwrite: bool = False, progress: Optional[ProgressCallback] = None,
               cancel: Optional[CancelToken] = None, scale: str = "stress") -> Path:
    """Generate the city (``counties`` of its counties, all ten by default) into ``path``, one county at a time.
    ``scale``: each county's size (``tiny`` for tests)."""
    target = Path(path)
    if target.exists() and not overwrite:
        raise StorageError(f"{target}: file exists; choose another name or allow overwriting")
    if not 1 <= counties <= len(CITY_COUNTIES):
        raise ValueError(f"a city of 1 to {len(CITY_COUNTIES)} counties, not {counties}")
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.city.tmp.gpkg")
    steps = Steps(progress, cancel, [(f"county{k}", 1) for k in range(counties)])
    try:
        for k in range(counties):
            steps.start(f"county{k}", f"county {k + 1} of {counties}")
            district = county(k, seed, cancel=cancel, scale=scale)
            if k == 0:
                write_project(tmp, district_name=CITY_NAME, county_code=CITY_CODE, layers=district.layers,
                              tables=district.tables, overwrite=True, created_at=GENERATED_AT,
                              extra_meta={"generator": f"gridwatch sample --scale city --seed {seed}"
                                          + (f" ({counties} counties)" if counties < len(CITY_COUNTIES) else "")},
                              cancel=cancel)
            else:
                for name, frame in {**district.layers, **district.tables}.items():
                    _append(tmp, name, frame)
            del district
            gc.collect()
            steps.report(1.0)
        from ..storage.gpkg import fsync_file

        fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
