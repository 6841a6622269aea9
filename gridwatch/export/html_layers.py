"""The layers of the HTML map, read from the project: features as compact coordinate arrays and popup
texts, serialised safely."""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence

import numpy as np

from ..analysis.coverage import COVERAGE_CLASSES
from ..domain.places import resolve_township as find_township
from ..domain.vocabulary import choice_title
from ..layers import LAYERS
from ..tasks import Steps
from ..times import BEIJING, Window, beijing_text, finding_ends, in_window, overlaps
from .files import ExportError

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Layers the HTML map can hold, bottom to top.
HTML_LAYERS: tuple[str, ...] = tuple(
    k for k in ("grid_cell", "village", "township", "coal_ban_zone", "fireworks_ban_zone", "mine",
                "construction_site", "key_area", "fire_point", "finding")
    if k in LAYERS or k == "finding"
)


#: Layers exported when none are named (fire points join them when ``fire_days`` is given).
DEFAULT_LAYERS: tuple[str, ...] = tuple(k for k in HTML_LAYERS if k != "fire_point")


#: Layers shown when the map opens (the others are ticked on in the layer control).
SHOWN_AT_START = {"grid_cell", "township", "coal_ban_zone", "fireworks_ban_zone", "mine", "construction_site",
                  "key_area", "fire_point", "finding"}


#: A layer with more features than this draws on one canvas (an SVG path each gets slow in browsers).
CANVAS_THRESHOLD = 5000


#: Decimal places kept in coordinates (6: about 0.1 m).
DECIMALS = 6


FINDING_TITLE = "问题"


def _rgb_hex(rgba: Sequence[int]) -> str:
    """``#rrggbb`` of an RGBA colour (the alpha is dropped)."""
    return "#%02x%02x%02x" % tuple(rgba[:3])


#: (upper bound in days, colour, legend text); cells never inspected get :data:`NEVER_COLOUR`.  The
#: classes and colours of the app's map and the PDF maps (gridwatch.analysis.coverage).
COVERAGE_BUCKETS: tuple[tuple[float, str, str], ...] = tuple(
    (c.max_days if c.max_days is not None else math.inf, _rgb_hex(c.rgba), c.title_zh)
    for c in COVERAGE_CLASSES if c.key != "never")


NEVER_COLOUR = _rgb_hex(next(c.rgba for c in COVERAGE_CLASSES if c.key == "never"))


FINDING_COLOURS = {"found": "#d62728", "assigned": "#ff7f0e", "rectified": "#1f77b4", "verified": "#2ca02c",
                   "closed": "#8c8c8c"}


SEVERITY_TITLES = {1: "一般", 2: "较重", 3: "严重"}


CELL_CLASS_TITLES = {"coal_ban_zone": "禁煤区网格", "mine_or_grade_c_site": "含矿山或C级工地", "other": "一般网格"}


_PANES = {"grid_cell": "gw-areas", "village": "gw-lines", "township": "gw-lines", "coal_ban_zone": "gw-areas",
          "fireworks_ban_zone": "gw-areas", "mine": "gw-sources", "construction_site": "gw-sources",
          "key_area": "gw-sources", "fire_point": "gw-points", "finding": "gw-findings"}


def _status_titles() -> tuple[dict[str, str], dict[str, str]]:
    from ..domain.vocabulary import CATEGORY_TITLES, FINDING_STATUS_TITLES  # the app's own Chinese titles

    return ({k: zh for k, (zh, _en) in FINDING_STATUS_TITLES.items()},
            {k: zh for k, (zh, _en) in CATEGORY_TITLES.items()})


_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027", "\u2028": "\\u2028",
                   "\u2029": "\\u2029", "{": "\\u007b"}


# A "{" followed by "{", "%" or "#" only occurs inside JSON strings (structurally an object opens
# with '"' or '}'), where "\u007b" is the same character: no Jinja delimiter survives.
_SCRIPT_ESCAPE_RE = re.compile("[<>&'\u2028\u2029]|\\{(?=[{%#])")


def script_json(value: Any) -> str:
    """``value`` as JSON that is safe inside an inline ``<script>``.

    ``<``, ``>``, ``&``, ``'`` and the line separators U+2028/U+2029 become ``\\uXXXX`` escapes, so the
    text can close no script element, open no comment and break no string; the result is a JSON
    (hence JavaScript) expression, never a template literal.  A ``{`` that would start a Jinja
    delimiter (``{{``, ``{%``, ``{#``) is escaped too, in case any text is ever rendered as a template.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _SCRIPT_ESCAPE_RE.sub(lambda m: _SCRIPT_ESCAPES[m.group(0)], text)


def _text(value: Any) -> Optional[str]:
    """A cell value as display text; None for missing values."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else f"{value:g}"
    if isinstance(value, (np.floating,)):
        return _text(float(value))
    if isinstance(value, (np.integer,)):
        return str(int(value))
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, (_dt.date, pd.Timestamp)) and not isinstance(value, _dt.datetime):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _column(values: Sequence[Optional[str]]) -> Any:
    """A popup column: a plain list, or distinct values plus an index when values repeat a lot."""
    values = list(values)
    distinct: dict[Optional[str], int] = {}
    for v in values:
        if v not in distinct:
            distinct[v] = len(distinct)
            if len(distinct) * 2 > len(values):
                return values
    index = [distinct[v] for v in values]
    return {"d": list(distinct), "i": index}


_COORD_RE = re.compile(r"(-?[0-9.]+(?:e[-+]?[0-9]+)?) (-?[0-9.]+(?:e[-+]?[0-9]+)?)")


def _geometry_text(geoms: np.ndarray) -> tuple[list[str], list[int], list[str]]:
    """(types, type index per feature, coordinates as JSON text per feature), lon/lat rounded.

    WKT with ``rounding_precision`` does the rounding in GEOS; a few substitutions turn it into the
    nested arrays of GeoJSON ``coordinates`` (a point is ``[lon,lat]``).
    """
    import shapely

    if len(geoms) == 0:
        return [], [], []
    wkt = shapely.to_wkt(geoms, rounding_precision=DECIMALS, trim=True)
    types: list[str] = []
    type_index: list[int] = []
    coords: list[str] = []
    for text in wkt:
        name, _, body = text.partition(" ")
        kind = {"POINT": "Point", "LINESTRING": "LineString",
                "MULTILINESTRING": "MultiLineString", "POLYGON": "Polygon", "MULTIPOLYGON": "MultiPolygon"}[name]
        if kind not in types:
            types.append(kind)
        type_index.append(types.index(kind))
        body = _COORD_RE.sub(r"[\1,\2]", body).replace("(", "[").replace(")", "]").replace(", ", ",")
        if kind == "Point":
            body = body[1:-1]  # "[[x,y]]" -> "[x,y]"
        coords.append(body)
    return types, type_index, coords


def _usable(geoms: np.ndarray) -> np.ndarray:
    import shapely

    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kinds = np.asarray(shapely.get_type_id(np.where(ok, geoms, None)))
    return ok & np.isin(kinds, [0, 1, 3, 5, 6])  # points, lines, polygons (no layer takes multipoints)


@dataclass
class MapLayer:
    """One overlay: its features' geometries, styles, popup values and tooltips."""

    key: str
    title: str
    geoms: np.ndarray
    labels: list[str]
    values: list[list[Optional[str]]]  # one list per label, one value per feature
    styles: list[dict[str, Any]]
    style_index: Optional[list[int]] = None
    tips: Optional[list[Optional[str]]] = None
    name_col: Optional[int] = None
    label: bool = False  # tooltips are permanent labels
    stroke_only: bool = False  # only the outline takes clicks
    show: bool = True
    legend: list[tuple[str, str, str]] = field(default_factory=list)  # (colour, text, "box"|"dot")

    def __len__(self) -> int:
        return len(self.geoms)

    def payload(self) -> str:
        """The ``gridwatch.layer`` argument: a JavaScript object literal safe inside ``<script>``."""
        keep = _usable(self.geoms)
        idx = np.flatnonzero(keep)
        types, type_index, coords = _geometry_text(self.geoms[idx])
        spec: dict[str, Any] = {
            "key": self.key, "title": self.title, "pane": _PANES.get(self.key, "overlayPane"),
            "labels": self.labels, "name_col": self.name_col, "label": self.label,
            "stroke_only": self.stroke_only, "canvas": len(idx) > CANVAS_THRESHOLD,
            "styles": self.styles, "types": types,
            "type": type_index if len(types) > 1 else None,
            "style": [self.style_index[i] for i in idx] if self.style_index is not None and len(self.styles) > 1
            else None,
            "cols": [_column([col[i] for i in idx]) for col in self.values],
            "tips": [self.tips[i] for i in idx] if self.tips is not None else None,
        }
        # Coordinates are digits, signs, dots, commas and brackets only (built above); the rest
        # goes through script_json.  "geom" is spliced in as text to avoid a second parse.
        head = script_json(spec)
        return head[:-1] + ',"geom":[' + ",".join(coords) + "]}"


def _hex(rgba: Sequence[int]) -> tuple[str, float]:
    r, g, b, a = rgba
    return f"#{r:02x}{g:02x}{b:02x}", round(a / 255.0, 2)


def _spec_styles(key: str, frame: pd.DataFrame) -> tuple[list[dict[str, Any]], Optional[list[int]], list]:
    """Leaflet path options from the layer's default style (as the desktop map draws it)."""
    style = LAYERS[key].style
    colour, opacity = _hex(style.stroke)
    base: dict[str, Any] = {"color": colour, "opacity": opacity, "weight": max(1.0, style.stroke_width * 1.5)}
    if style.fill is not None:
        fill, fill_op = _hex(style.fill)
        base.update(fill=True, fillColor=fill, fillOpacity=max(0.15, fill_op))
    else:
        base.update(fill=False)
    if style.marker:
        base["radius"] = max(4.0, style.marker_size * 0.8)
    if not style.category_field or style.category_field not in frame.columns:
        return [base], None, []
    cats = list(style.categories)
    styles = []
    legend = []
    for cat in cats:
        c, op = _hex(style.categories[cat])
        s = dict(base, fill=True, fillColor=c, fillOpacity=max(0.5, op))
        styles.append(s)
        legend.append((c, choice_title(cat), "box"))
    styles.append(dict(base, fill=True, fillColor="#999999", fillOpacity=0.5))
    pos = {c: i for i, c in enumerate(cats)}
    index = [pos.get(v, len(cats)) for v in style.category_values(frame).tolist()]
    present = set(index)
    return styles, index, [entry for i, entry in enumerate(legend) if i in present]


def _spec_layer(key: str, frame: Any, town_names: dict[str, str]) -> MapLayer:
    """A map layer drawn from its spec: every field with its Chinese title, coded values translated."""
    spec = LAYERS[key]
    labels: list[str] = []
    values: list[list[Optional[str]]] = []
    name_col = None
    for f in spec.fields:
        if f.name == "uuid" or f.name not in frame.columns:
            continue
        col = frame[f.name].tolist()
        if f.name == "township_code":
            labels.append("乡镇")
            values.append([_text(town_names.get(v, v)) for v in col])
            continue
        if f.name == spec.label_field:
            name_col = len(labels)
        labels.append(f.title_zh)
        if f.choices is not None:
            values.append([choice_title(v) if isinstance(v, str) else _text(v) for v in col])
        elif f.type == "DATETIME":
            values.append([beijing_text(v) or None for v in col])
        else:
            values.append([_text(v) for v in col])
    styles, index, legend = _spec_styles(key, frame)
    tips = [_text(v) for v in frame[spec.label_field].tolist()] if spec.label_field else None
    return MapLayer(key=key, title=spec.title_zh, geoms=np.asarray(frame.geometry.values, dtype=object),
                    labels=labels, values=values, styles=styles, style_index=index, tips=tips,
                    name_col=name_col, legend=legend,
                    stroke_only=key in ("coal_ban_zone", "fireworks_ban_zone"))


def resolve_township(towns: pd.DataFrame, value: str, path: Path) -> str:
    """A township given by code, name or an unambiguous part of its name -> its code."""
    return find_township(zip(towns["code"], towns["name"]), value, path, ExportError)[0]


def _intersecting(frame: Any, area: Any) -> Any:
    if area is None or len(frame) == 0:
        return frame
    import shapely

    shapely.prepare(area)
    mask = shapely.intersects(area, np.asarray(frame.geometry.values, dtype=object))
    return frame[mask]


def _cells_layer(cells: Any, cov: Any, town_names: dict[str, str], village_names: dict[str, str],
                 people: dict[str, str], colour: bool) -> MapLayer:
    c = cov.cells.set_index("code")
    codes = cells["code"].astype(str).tolist()
    days = c["days_since"].reindex(codes).to_numpy(dtype=float)
    last = c["last_inspection"].reindex(codes)
    overdue = c["overdue"].reindex(codes).fillna(True).to_numpy(dtype=bool)
    never = c["never_inspected"].reindex(codes).fillna(True).to_numpy(dtype=bool)
    interval = c["interval_days"].reindex(codes).to_numpy(dtype=float)
    classes = c["cell_class"].reindex(codes).tolist()
    open_findings = c["open_findings"].reindex(codes).fillna(0).astype(int).tolist()
    base = {"color": "#7a7a7a", "weight": 0.8, "opacity": 0.9, "fill": True}
    legend: list[tuple[str, str, str]] = []
    if colour:
        styles = [dict(base, fillColor=col, fillOpacity=0.45) for _, col, _ in COVERAGE_BUCKETS]
        styles.append(dict(base, fillColor=NEVER_COLOUR, fillOpacity=0.5))
        bounds = np.array([b for b, _, _ in COVERAGE_BUCKETS])
        index = np.searchsorted(bounds, np.nan_to_num(days, nan=0.0), side="left")
        index = np.where(never, len(COVERAGE_BUCKETS), index).astype(int).tolist()
        legend = [(col, "距上次检查 " + text, "box") for _, col, text in COVERAGE_BUCKETS]
        legend.append((NEVER_COLOUR, "从未巡查", "box"))
    else:
        styles = [dict(base, fillColor="#ffffff", fillOpacity=0.05)]
        index = None
    state = ["从未检查" if n else ("超期未巡" if o else "按期") for n, o in zip(never, overdue)]
    values = [
        codes,
        [_text(v) for v in cells["name"].tolist()],
        [_text(town_names.get(v, v)) for v in cells["township_code"].tolist()],
        [_text(village_names.get(v, v)) for v in cells["village_code"].tolist()],
        [_text(people.get(v, v)) if isinstance(v, str) else None for v in cells["inspector_uuid"].tolist()],
        [beijing_text(v) or "从未检查" for v in last.tolist()],
        [None if math.isnan(d) else f"{d:.1f}" for d in days],
        state,
        [None if math.isnan(d) else _text(d) for d in interval],
        [CELL_CLASS_TITLES.get(k, _text(k)) for k in classes],
        [str(n) for n in open_findings],
    ]
    labels = ["网格编码", "网格名称", "乡镇", "村/社区", "网格员", "最近检查(北京时间)", "距今天数", "巡查状态",
              "巡查周期(天)", "网格类别", "未销号问题"]
    return MapLayer(key="grid_cell", title="网格", geoms=np.asarray(cells.geometry.values, dtype=object),
                    labels=labels, values=values, styles=styles, style_index=index,
                    tips=[_text(v) for v in cells["name"].tolist()], name_col=1, legend=legend)


def _findings_layer(findings: pd.DataFrame) -> MapLayer:
    import shapely

    status_titles, category_titles = _status_titles()
    geoms = shapely.points(findings["longitude"].to_numpy(dtype=float), findings["latitude"].to_numpy(dtype=float))
    statuses = list(FINDING_COLOURS)
    styles = [{"color": "#222222", "weight": 1.2, "opacity": 1.0, "fill": True, "fillColor": c, "fillOpacity": 0.9,
               "radius": 7} for c in FINDING_COLOURS.values()]
    styles.append(dict(styles[0], fillColor="#999999"))
    index = [statuses.index(s) if s in statuses else len(statuses) for s in findings["status"].tolist()]
    deadline = []
    for d, late in zip(findings["rectify_deadline"].tolist(), findings["overdue"].tolist()):
        t = _text(d)
        deadline.append(None if t is None else (t + "（已逾期）" if late else t))
    cell = [(_text(c) or "") + (f"（{n}）" if _text(n) else "")
            for c, n in zip(findings["cell_code"].tolist(), findings["cell_name"].tolist())]
    category = [category_titles.get(v, _text(v)) for v in findings["category"].tolist()]
    values = [
        category,
        [status_titles.get(v, _text(v)) for v in findings["status"].tolist()],
        [SEVERITY_TITLES.get(int(v), _text(v)) if _text(v) is not None else None
         for v in findings["severity"].tolist()],
        [_text(v) for v in findings["description"].tolist()],
        deadline,
        [_text(v) for v in findings["responsible_party"].tolist()],
        cell,
        [_text(v) for v in findings["village_name"].tolist()],
        [_text(v) for v in findings["township_name"].tolist()],
        [_text(v) for v in findings["found_by_name"].tolist()],
        [beijing_text(v) or None for v in findings["found_at"].tolist()],
        [_text(v) for v in findings["reject_reason"].tolist()],
        [_text(v) for v in findings["location_note"].tolist()],
    ]
    labels = ["问题类别", "状态", "严重程度", "问题描述", "整改期限", "责任主体", "网格", "村/社区", "乡镇",
              "发现人", "发现时间(北京时间)", "驳回原因", "位置提示"]
    tips = [f"{c or ''} · {status_titles.get(s, s)}" for c, s in zip(category, findings["status"].tolist())]
    legend = [(c, "问题：" + status_titles.get(s, s), "dot") for s, c in FINDING_COLOURS.items()]
    return MapLayer(key="finding", title=FINDING_TITLE, geoms=np.asarray(geoms, dtype=object), labels=labels,
                    values=values, styles=styles, style_index=index, tips=tips, name_col=0, legend=legend)


def _fires_layer(attrs: pd.DataFrame, xy: np.ndarray, town_names: dict[str, str]) -> MapLayer:
    import shapely

    spec = LAYERS["fire_point"]
    frame = pd.DataFrame({k: attrs[k].astype(object).where(attrs[k].notna(), None).tolist()
                          for k in attrs.columns if k != "uuid"})
    styles, index, legend = _spec_styles("fire_point", frame)
    legend = [(c, "火点：" + t, "dot") for c, t, _ in legend]
    values = [
        [_text(v) for v in frame["detected_local"]],
        [choice_title(v) if isinstance(v, str) else None for v in frame["source"]],
        [_text(v) for v in frame["satellite"]],
        [_text(v) for v in frame["confidence"]],
        [_text(v) for v in frame["frp"]],
        [_text(v) for v in frame["cell_code"]],
        [_text(town_names.get(v, v)) if isinstance(v, str) else None for v in frame["township_code"]],
        [choice_title(v) if isinstance(v, str) else None for v in frame["status"]],
    ]
    labels = ["监测时间(北京时间)", "数据源", "卫星", "置信度", "火辐射功率(MW)", "网格编码", "乡镇", "核查状态"]
    geoms = shapely.points(xy[:, 0], xy[:, 1]) if len(xy) else np.empty(0, dtype=object)
    return MapLayer(key="fire_point", title=spec.title_zh, geoms=np.asarray(geoms, dtype=object), labels=labels,
                    values=values, styles=styles, style_index=index,
                    tips=["火点 " + (t or "") for t in values[0]], name_col=0, legend=legend)


def build_layers(
    project_path: os.PathLike[str] | str,
    *,
    layers: Optional[Iterable[str]] = None,
    township: Optional[str] = None,
    fire_days: Optional[float] = None,
    coverage_colours: bool = True,
    now: Optional[_dt.datetime] = None,
    steps: Optional[Steps] = None,
    period: Optional[tuple[Window, str]] = None,
    coverage_basis: str = "reported",
) -> tuple[list[MapLayer], dict[str, Any]]:
    """The overlays of the HTML map and facts for its title (district, township, time, period).

    ``period``: ``(window, label)`` of the period control: the fire points detected in it and the
    findings open at some time in it (``fire_days`` is the older way to say "the last N days").
    ``coverage_basis``: what counts as a patrol for the cells' colours (reported inspections, patrol tracks or both).
    """
    from ..analysis.coverage import cell_classes, coverage, visits_by_basis
    from ..storage import Project, queries

    path = Path(project_path)
    t = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    if period is None and fire_days is not None:
        _wanted_layers(layers, fire_days, path)  # checks the number of days
        start = t - _dt.timedelta(days=float(fire_days))
        period = ((start, t + _dt.timedelta(microseconds=1)), f"近{_text(float(fire_days))}天（"
                  f"{start.astimezone(BEIJING):%Y-%m-%d %H:%M} 至 {t.astimezone(BEIJING):%Y-%m-%d %H:%M}）")
    # with a period, fire points come by default or when named (only those of the period)
    fires = fire_days is not None or (period is not None and (layers is None or "fire_point" in layers))
    wanted = _wanted_layers(layers, 1.0 if fires else None, path)
    window: Window = period[0] if period is not None else (None, None)
    tick = steps.report if steps is not None else (lambda fraction, message=None: None)
    project = Project.open(path)
    towns = project.read_layer("township")
    town_names = {str(c): str(n) for c, n in zip(towns["code"], towns["name"])}
    town_code = resolve_township(towns, township, path) if township else None
    area = None
    if town_code is not None:
        import shapely

        area = shapely.union_all(np.asarray(towns[towns["code"] == town_code].geometry.values, dtype=object))
    tick(0.1)
    villages = project.read_layer("village")
    village_names = {str(c): str(n) for c, n in zip(villages["code"], villages["name"])}
    people_frame = project.read_table("inspector", columns=["uuid", "name"])
    people = {str(u): str(n) for u, n in zip(people_frame["uuid"], people_frame["name"])}
    out: list[MapLayer] = []
    frames: dict[str, Any] = {}
    for key in ("grid_cell", "coal_ban_zone", "fireworks_ban_zone", "mine", "construction_site", "key_area"):
        if key in LAYERS:
            frames[key] = project.read_layer(key)
    tick(0.3)
    cells = frames["grid_cell"]
    if town_code is not None:
        cells = cells[cells["township_code"].astype(str) == town_code].reset_index(drop=True)
        villages = villages[villages["township_code"].astype(str) == town_code].reset_index(drop=True)
        towns = towns[towns["code"].astype(str) == town_code].reset_index(drop=True)
    for key in wanted:
        if key == "grid_cell":
            classes = cell_classes(cells, frames["coal_ban_zone"], frames["mine"], frames["construction_site"])
            inspections = visits_by_basis(path, cells, project.read_table("inspection",
                                                                          columns=["cell_code", "started_at"]),
                                          coverage_basis, now=t)
            finding_status = project.read_layer("finding", columns=["cell_code", "status"])
            cov = coverage(cells, inspections, pd.DataFrame(finding_status.drop(columns="geometry")), now=t,
                           classes=classes)
            out.append(_cells_layer(cells, cov, town_names, village_names, people, coverage_colours))
        elif key == "township":
            layer = _spec_layer("township", towns, town_names)
            layer.label = True
            out.append(layer)
        elif key == "village":
            out.append(_spec_layer("village", villages, town_names))
        elif key in ("coal_ban_zone", "fireworks_ban_zone", "mine", "construction_site", "key_area"):
            out.append(_spec_layer(key, _intersecting(frames[key], area), town_names))
        elif key == "fire_point":
            attrs, xy = project.read_point_layer("fire_point")
            mask = in_window(attrs["detected_utc"], window)
            if town_code is not None:
                mask &= (attrs["township_code"] == town_code).fillna(False).to_numpy(dtype=bool)
            layer = _fires_layer(attrs[mask].reset_index(drop=True), xy[mask], town_names)
            if period is not None:
                layer.title = f"{layer.title}（{period[1].split('（')[0]}）"
            out.append(layer)
        elif key == "finding":
            findings = queries.findings(path, now=t)
            findings = findings[findings["longitude"].notna() & findings["latitude"].notna()
                                & overlaps(findings["found_at"], finding_ends(findings), window)]
            if town_code is not None:
                findings = findings[findings["township_code"].astype(str) == town_code]
            out.append(_findings_layer(findings.reset_index(drop=True)))
        tick(0.3 + 0.7 * (wanted.index(key) + 1) / len(wanted))
    for layer in out:
        layer.show = layer.key in SHOWN_AT_START
    facts = {"district": project.district_name, "township": town_names.get(town_code) if town_code else None,
             "now": t, "fire_days": fire_days, "period": period[1] if period is not None else "全部"}
    return out, facts


def _wanted_layers(layers: Optional[Iterable[str]], fire_days: Optional[float], path: Path) -> list[str]:
    if layers is None:
        names = list(DEFAULT_LAYERS) + (["fire_point"] if fire_days is not None else [])
    else:
        names = [str(n).strip() for n in layers if str(n).strip()]
        unknown = [n for n in names if n not in HTML_LAYERS]
        if unknown:
            raise ExportError(f"{path}: unknown layer(s) {', '.join(unknown)} for the HTML map; "
                              f"layers: {', '.join(HTML_LAYERS)}")
        if "fire_point" in names and fire_days is None:
            raise ExportError(f"{path}: the fire_point layer needs a period: give fire_days (--fire-days N), "
                              "only fire points detected in the last N days are drawn")
        if fire_days is not None and "fire_point" not in names:
            names.append("fire_point")
    if fire_days is not None and not (0 < float(fire_days) <= 366):
        raise ExportError(f"{path}: fire_days {fire_days!r}: give a number of days between 0 and 366")
    return [k for k in HTML_LAYERS if k in names]
