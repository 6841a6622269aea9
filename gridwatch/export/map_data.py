"""The project data a map draws, read once per map or atlas in the map's projected CRS."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ..analysis.coverage import COVERAGE_CLASSES
from ..crs import PROJECT_EPSG, gauss_kruger_epsg
from ..domain.places import resolve_township as find_township
from ..layers import LAYERS
from ..tasks import Steps
from ..times import in_window
from .files import ExportError
from .map_spec import MapSpec

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd


@dataclass
class _Data:
    path: Path
    district: str
    epsg: int
    layers: dict[str, Any]  # name -> GeoDataFrame in ``epsg``
    towns: Any  # GeoDataFrame: code, name, geometry (projected)
    coverage: Optional[pd.DataFrame] = None  # per grid_cell row: cls (index in COVERAGE_CLASSES), overdue
    categories: dict[str, list[str]] = field(default_factory=dict)  # layer -> category values drawn
    fire_range: Optional[tuple[_dt.datetime, _dt.datetime]] = None


def _read(path: Path, spec: MapSpec, steps: Steps) -> _Data:
    from ..storage import Project

    project = Project.open(path)
    steps.report(0.05, "读取图层")
    names = ["township"] + [n for n in spec.layers or () if n != "township"]
    frames: dict[str, Any] = {}
    for i, name in enumerate(names):
        frames[name] = project.read_layer(name)
        steps.report(0.1 + 0.5 * (i + 1) / len(names))
    towns = frames["township"]
    if len(towns) == 0:
        raise ExportError(f"{path}: the project has no townships; import the township boundaries first")
    bounds = towns.to_crs(PROJECT_EPSG).total_bounds if towns.crs is not None else towns.total_bounds
    epsg = gauss_kruger_epsg((bounds[0] + bounds[2]) / 2.0)
    now = spec.now or _dt.datetime.now(_dt.timezone.utc)
    fire_range = None
    if "fire_point" in frames and spec.window is not None:  # the period's fire points only
        fires = frames["fire_point"]
        frames["fire_point"] = fires[in_window(fires["detected_utc"], spec.window)]
        fire_range = spec.window
    projected = {}
    for name, frame in frames.items():
        frame = frame[~(frame.geometry.is_empty | frame.geometry.isna())]
        if frame.crs is None:
            frame = frame.set_crs(PROJECT_EPSG)
        projected[name] = frame.to_crs(epsg).reset_index(drop=True)
    steps.report(0.75, "投影")
    data = _Data(path=path, district=project.district_name, epsg=epsg,
                 layers={n: projected[n] for n in names if n in (spec.layers or ())},
                 towns=projected["township"][["code", "name", "geometry"]], fire_range=fire_range)
    if spec.theme == "coverage":
        from ..analysis.coverage import coverage_classes, coverage_from_project

        cov = coverage_from_project(path, now=now, basis=spec.coverage_basis)
        cells = data.layers["grid_cell"]
        # The classes shared with the app's map and the HTML map (gridwatch.analysis.coverage).
        index = {c.key: i for i, c in enumerate(COVERAGE_CLASSES)}
        by_code = pd.DataFrame({"cls": coverage_classes(cov).map(index).astype(int).to_numpy(),
                                "overdue": cov.cells["overdue"].astype(bool).to_numpy()},
                               index=cov.cells["code"].astype(str).to_numpy())
        row = by_code.reindex(cells["code"].astype(str).to_numpy())
        never = index["never"]
        cls = row["cls"].fillna(never).astype(int).to_numpy()
        data.coverage = pd.DataFrame({
            "cls": cls,
            # outlined like the app's map: visited before and overdue now (never-visited cells have
            # their own strong colour; outlining them too buries the map in black lines)
            "overdue": row["overdue"].astype("boolean").fillna(True).astype(bool).to_numpy() & (cls != never),
            "township_code": cells["township_code"].astype(str).to_numpy()})
    for name, frame in data.layers.items():
        st = LAYERS[name].style
        values = st.category_values(frame)
        if values is not None:
            present = set(values.dropna().astype(str))
            data.categories[name] = [c for c in st.categories if c in present] + sorted(
                present - set(st.categories))
    steps.report(1.0)
    return data


def resolve_township(towns: pd.DataFrame, value: str, path: Path | str = "") -> tuple[str, str]:
    """(code, name) of the township given by code, name or an unambiguous part of its name."""
    return find_township(zip(towns["code"], towns["name"]), value, path, ExportError)
