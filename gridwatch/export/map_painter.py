"""Drawing a map page with matplotlib: layers in the app's styles, labels, legend, scale bar, north arrow, CRS note."""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
import shapely

from ..analysis.coverage import COVERAGE_CLASSES, OVERDUE_OUTLINE, OVERDUE_TITLE
from ..crs import PROJECT_EPSG
from ..domain.vocabulary import choice_title
from ..layers import LAYERS
from ..layers.base import LayerSpec
from ..times import BEIJING
from .fonts import CJKFont
from .map_data import _Data
from .map_layout import (
    _MM_PER_PT,
    PX_TO_PT,
    _dms,
    _fig_rect,
    _fit_extent,
    _group,
    _is_point,
    _layout,
    _nice_length,
    _paths,
    _pt,
    _rgba,
    _text_mm,
    fit_line,
)
from .map_spec import MapSpec

#: Hatch patterns of the coverage classes (denser than the zones': a class must read at cell size).
_COVERAGE_HATCH = {"cross": "xx", "diagonal": "///"}


_HATCH = {"diagonal": "////", "cross": "xxx"}


_MARKERS = {"circle": "o", "square": "s", "triangle": "^"}


@dataclass
class _Page:
    """What one page shows: its extent, the focus township (atlas/township pages), texts."""

    title: str
    subtitle: str
    focus: Optional[str] = None  # township code
    page_numbers: Optional[dict[str, int]] = None  # overview page of an atlas: township -> page


@dataclass
class _Legend:
    kind: str  # header, group, poly, line, marker
    label: str
    style: dict[str, Any] = field(default_factory=dict)
    member: bool = False  # a category under the group title above it


class _Painter:
    """Draws pages of one export onto :class:`~matplotlib.figure.Figure` objects."""

    def __init__(self, data: _Data, spec: MapSpec, font: CJKFont) -> None:
        from pyproj import Transformer

        self.data = data
        self.spec = spec
        self.font = font
        self.lay = _layout(spec)
        self.k = self.lay.k
        self.to_geo = Transformer.from_crs(data.epsg, PROJECT_EPSG, always_xy=True)
        self.texts: list[tuple[str, bool]] = []  # every text drawn and whether bold (tests check glyphs)

    # -- text ------------------------------------------------------------------------------
    def fp(self, size: float, bold: bool = False):  # type: ignore[no-untyped-def]
        return self.font.properties(size * self.k, bold=bold)

    def text(self, ax, x, y, s, size, *, bold=False, **kw):  # type: ignore[no-untyped-def]
        self.texts.append((s, bold))
        return ax.text(x, y, s, fontproperties=self.fp(size, bold), **kw)

    # -- figure ----------------------------------------------------------------------------
    def figure(self, for_png: bool):  # type: ignore[no-untyped-def]
        from matplotlib.figure import Figure

        lay = self.lay
        if for_png:
            # Whole pixels: an A4 page at 300 dpi is exactly 2480 x 3508 px.
            px = [round(v / 25.4 * self.spec.dpi) for v in (lay.width, lay.height)]
            size = ((px[0] + 0.01) / self.spec.dpi, (px[1] + 0.01) / self.spec.dpi)
        else:
            size = (lay.width / 25.4, lay.height / 25.4)
        fig = Figure(figsize=size, dpi=self.spec.dpi, facecolor="white")
        return fig

    def draw(self, fig, page: _Page) -> None:  # type: ignore[no-untyped-def]
        from matplotlib.patches import Rectangle

        lay = self.lay
        sheet = fig.add_axes([0, 0, 1, 1], zorder=0)
        sheet.set_xlim(0, lay.width)
        sheet.set_ylim(lay.height, 0)
        sheet.set_axis_off()
        b = lay.border
        sheet.add_patch(Rectangle((b.x, b.y), b.w, b.h, fill=False, lw=0.9, ec="#222222"))
        # Long district names and titles shrink, then wrap, to stay inside the frame.
        title, size = fit_line(page.title, b.w - 8, 17, 11, self.k, lines=2)
        title_y = lay.title_y - (1.0 * self.k if "\n" in title else 0.0)
        self.text(sheet, lay.width / 2, title_y, title, size, bold=True, ha="center", va="center",
                  color="#111111", linespacing=1.05)
        subtitle, size = fit_line(page.subtitle, b.w - 8, 8.5, 6.5, self.k)
        self.text(sheet, lay.width / 2, lay.subtitle_y, subtitle, size, ha="center", va="center", color="#333333")
        sheet.plot([b.x, b.x1], [lay.rule_y, lay.rule_y], lw=0.6, color="#222222")
        p = lay.panel
        if lay.portrait:
            sheet.plot([b.x, b.x1], [p.y - 1.5, p.y - 1.5], lw=0.6, color="#222222")
        else:
            sheet.plot([p.x - 1.5, p.x - 1.5], [lay.rule_y, b.y1], lw=0.6, color="#222222")

        ax = fig.add_axes(_fig_rect(lay, lay.map), zorder=1)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_linewidth(0.9)
            spine.set_color("#111111")
        ax.set_facecolor("white")
        extent = self.extent(page)
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        counts = self.draw_layers(ax, extent, page)
        self.draw_labels(ax, extent, page)
        self.draw_ticks(sheet, extent)
        scale = self.draw_scale_bar(ax, extent)
        self.draw_north_arrow(ax, extent)
        self.draw_legend(sheet, page, counts)
        self.draw_notes(sheet, scale)

    # -- extent ----------------------------------------------------------------------------
    def extent(self, page: _Page) -> tuple[float, float, float, float]:
        towns = self.data.towns
        if page.focus is not None:
            geom = towns.geometry[towns["code"] == page.focus]
            return _fit_extent(geom.total_bounds, self.lay.map, 0.06)
        return _fit_extent(towns.total_bounds, self.lay.map, 0.025)

    def subset(self, frame, extent):  # type: ignore[no-untyped-def]
        if len(frame) == 0:
            return frame
        idx = frame.sindex.query(shapely.box(*extent), predicate="intersects")
        return frame.iloc[np.sort(idx)]

    # -- layers ----------------------------------------------------------------------------
    def draw_layers(self, ax, extent, page: _Page) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        from matplotlib.collections import PathCollection
        from matplotlib.patches import PathPatch

        counts: dict[str, Any] = {}
        order = list(self.data.layers)
        # Fills first (zones, mines, coverage), then outlines (cells < villages < townships), then points.
        outline_z = {"grid_cell": 4.0, "village": 4.5, "township": 5.0}
        for z, name in enumerate(order):
            spec: LayerSpec = LAYERS[name]
            st = spec.style
            frame = self.subset(self.data.layers[name], extent)
            is_pt = _is_point(frame) if len(frame) else np.zeros(0, dtype=bool)
            counts[name] = int(len(frame))
            polys = frame[~is_pt]
            if name == "grid_cell" and self.data.coverage is not None:
                counts["coverage"] = self.draw_coverage(ax, polys, page)
            elif len(polys):
                # One compound path per colour: the PDF gets a few long paths instead of thousands of
                # short ones (3x faster to write, same look; features of a layer do not overlap).
                paths = _paths(polys.geometry.values)
                values = st.category_values(polys)
                if values is not None or st.fill is not None:
                    default = st.fill or (200, 200, 200, 150)
                    keys = (values.astype(str).map(lambda v: st.categories.get(v, default)).tolist()
                            if values is not None else [default] * len(paths))
                    groups, faces = _group(paths, keys)
                    coll = PathCollection(groups, facecolors=[_rgba(f) for f in faces], edgecolors=[_rgba(st.stroke)],
                                          linewidths=_pt(st.stroke_width), zorder=1.0 + z * 0.01)
                    if st.hatch:
                        coll.set_hatch(_HATCH.get(st.hatch, "///"))
                        coll.set_hatchcolor(_rgba(st.stroke, 0.55))
                        coll.set_hatch_linewidth(0.35)
                    ax.add_collection(coll, autolim=False)
                else:
                    coll = PathCollection(_group(paths, [0] * len(paths))[0], facecolors="none",
                                          edgecolors=[_rgba(st.stroke)], linewidths=_pt(st.stroke_width),
                                          zorder=outline_z.get(name, 4.2))
                    ax.add_collection(coll, autolim=False)
            pts = frame[is_pt]
            if len(pts):
                xy = shapely.get_coordinates(np.asarray(pts.geometry.values, dtype=object))
                values = st.category_values(pts)  # a fire point of a heat source is drawn as one
                default = st.fill or (230, 90, 0, 230)
                keys = (values.astype(str).map(lambda v: st.categories.get(v, default)).to_numpy()
                        if values is not None else np.array([default] * len(pts), dtype=object))
                # Markers of one colour as one line of markers (a PDF XObject stamped at each point).
                for color in dict.fromkeys(keys.tolist()):
                    sel = np.fromiter((k == color for k in keys), dtype=bool, count=len(keys))
                    ax.plot(xy[sel, 0], xy[sel, 1], linestyle="none", marker=_MARKERS.get(st.marker or "circle", "o"),
                            markersize=st.marker_size * PX_TO_PT * 1.15, markerfacecolor=_rgba(color),
                            markeredgecolor=_rgba(st.stroke, 0.9), markeredgewidth=0.25, zorder=6.0 + z * 0.01)
        if page.focus is not None:
            towns = self.data.towns
            focus = towns.geometry[towns["code"] == page.focus].union_all()
            rest = shapely.difference(shapely.box(*extent).buffer(abs(extent[2] - extent[0])), focus)
            for path in _paths(np.array([rest], dtype=object)):
                ax.add_patch(PathPatch(path, facecolor=(1, 1, 1, 0.62), edgecolor="none", zorder=7.5))
            st = LAYERS["township"].style
            for path in _paths(np.array([focus], dtype=object)):
                ax.add_patch(PathPatch(path, facecolor="none", edgecolor=_rgba(st.stroke),
                                       lw=_pt(st.stroke_width) * 1.5, zorder=7.6))
        return counts

    def draw_coverage(self, ax, cells, page: _Page) -> list[int]:  # type: ignore[no-untyped-def]
        from matplotlib.collections import PathCollection

        cov = self.data.coverage
        assert cov is not None
        rows = cells.index.to_numpy()
        cls = cov["cls"].to_numpy()[rows]
        overdue = cov["overdue"].to_numpy()[rows]
        paths = _paths(cells.geometry.values)
        edge = (1, 1, 1, 0.9)
        groups, keys = _group(paths, [int(c) for c in cls])
        for path, key in zip(groups, keys):
            c = COVERAGE_CLASSES[key]
            coll = PathCollection([path], facecolors=[_rgba(c.rgba)], edgecolors=[edge], linewidths=0.15,
                                  zorder=1.5 + 0.01 * key)
            if c.hatch:
                coll.set_hatch(_COVERAGE_HATCH.get(c.hatch, "xx"))
                coll.set_hatchcolor(_rgba(c.hatch_rgba, 0.85))
                coll.set_hatch_linewidth(0.4)
            ax.add_collection(coll, autolim=False)
        if overdue.any():
            late = _group([p for p, o in zip(paths, overdue) if o], [0] * int(overdue.sum()))[0]
            ax.add_collection(PathCollection(late, facecolors="none", edgecolors=[_rgba(OVERDUE_OUTLINE, 0.8)],
                                             linewidths=0.55, zorder=4.1), autolim=False)
        # Counts for the legend: the focus township's cells, or every cell of the district.
        scope = cov if page.focus is None else cov[cov["township_code"] == page.focus]
        return [int((scope["cls"] == i).sum()) for i in range(len(COVERAGE_CLASSES))] + [int(scope["overdue"].sum())]

    # -- labels ----------------------------------------------------------------------------
    def draw_labels(self, ax, extent, page: _Page) -> None:  # type: ignore[no-untyped-def]
        import matplotlib.patheffects as pe

        from ..mapview.labels import place_labels

        if not self.spec.labels:
            return
        lay = self.lay
        sx = lay.map.w / (extent[2] - extent[0])  # mm per metre
        halo = [pe.withStroke(linewidth=2.4, foreground=(1, 1, 1, 0.9))]
        occupied: list[tuple[float, float, float, float]] = []

        def to_mm(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return (x - extent[0]) * sx, (extent[3] - y) * sx

        def place(frame, texts, size, bold, color, priority, margin=1.0):  # type: ignore[no-untyped-def]
            if len(frame) == 0:
                return
            pts = shapely.point_on_surface(np.asarray(frame.geometry.values, dtype=object))
            xy = shapely.get_coordinates(pts)
            px, py = to_mm(xy[:, 0], xy[:, 1])
            h_line = size * self.k * _MM_PER_PT * 1.25

            def text_size(t: str) -> tuple[float, float]:
                parts = t.split("\n")
                return max(_text_mm(s, size * self.k) for s in parts), h_line * len(parts)

            placed = place_labels(px, py, texts, np.asarray(priority, dtype=float), text_size, lay.map.w - margin,
                                  lay.map.h - margin, padding=0.8, occupied=occupied)
            for lab in placed:
                x = extent[0] + lab.x / sx
                y = extent[3] - lab.y / sx
                t = self.text(ax, x, y, lab.text, size, bold=bold, ha="center", va="center", color=color,
                              zorder=9, linespacing=1.1)
                t.set_path_effects(halo)

        towns = self.data.towns
        if page.focus is None:
            names = list(towns["name"].astype(str))
            if page.page_numbers:
                names = [f"{n}\n第{page.page_numbers.get(c, 0)}页" for n, c in zip(names, towns["code"])]
            area = shapely.area(np.asarray(towns.geometry.values, dtype=object))
            place(towns, names, 8.5, True, "#3b1f52", area)
            return
        focus = towns[towns["code"] == page.focus]
        others = self.subset(towns[towns["code"] != page.focus], extent)
        place(focus, list(focus["name"].astype(str)), 11, True, "#3b1f52", [1e18])
        if "village" in self.data.layers:
            villages = self.data.layers["village"]
            villages = villages[villages["township_code"].astype(str) == page.focus]
            area = shapely.area(np.asarray(villages.geometry.values, dtype=object))
            place(villages, list(villages["name"].astype(str)), 6.2, False, "#333333", area)
        if len(others):
            clipped = others.copy()
            clipped["geometry"] = others.geometry.intersection(shapely.box(*extent))
            area = shapely.area(np.asarray(clipped.geometry.values, dtype=object))
            place(clipped, list(clipped["name"].astype(str)), 8, False, "#777777", area)

    # -- frame furniture ---------------------------------------------------------------------
    def draw_ticks(self, sheet, extent) -> None:  # type: ignore[no-untyped-def]
        """Longitude labels below the frame and latitude labels left of it (degrees-minutes)."""
        lay = self.lay
        mb = lay.map
        xs = np.linspace(extent[0], extent[2], 400)
        ys = np.linspace(extent[1], extent[3], 400)
        lon_bottom, _ = self.to_geo.transform(xs, np.full_like(xs, extent[1]))
        _, lat_left = self.to_geo.transform(np.full_like(ys, extent[0]), ys)
        span = max(lon_bottom[-1] - lon_bottom[0], 1e-6)
        steps_deg = [1 / 60, 2 / 60, 5 / 60, 10 / 60, 15 / 60, 0.5, 1.0]
        step = next((s for s in steps_deg if span / s <= 6), 1.0)
        size = 6.0
        tick = 1.4
        for lon in np.arange(math.ceil(lon_bottom[0] / step) * step, lon_bottom[-1], step):
            x = float(np.interp(lon, lon_bottom, xs))
            xm = mb.x + (x - extent[0]) / (extent[2] - extent[0]) * mb.w
            if not mb.x + 4 < xm < mb.x1 - 4:
                continue
            sheet.plot([xm, xm], [mb.y1, mb.y1 + tick], lw=0.5, color="#111111")
            self.text(sheet, xm, mb.y1 + tick + 0.4, _dms(lon, "E", "W"), size, ha="center", va="top",
                      color="#222222")
        for lat in np.arange(math.ceil(lat_left[0] / step) * step, lat_left[-1], step):
            y = float(np.interp(lat, lat_left, ys))
            ym = mb.y1 - (y - extent[1]) / (extent[3] - extent[1]) * mb.h
            if not mb.y + 4 < ym < mb.y1 - 4:
                continue
            sheet.plot([mb.x - tick, mb.x], [ym, ym], lw=0.5, color="#111111")
            self.text(sheet, mb.x - tick - 0.4, ym, _dms(lat, "N", "S"), size, ha="right", va="center",
                      rotation=90, rotation_mode="anchor", color="#222222")

    def draw_scale_bar(self, ax, extent) -> float:  # type: ignore[no-untyped-def]
        """A 4-segment bar of a round length, bottom left; returns the scale denominator."""
        from matplotlib.patches import Rectangle

        lay = self.lay
        m_per_mm = (extent[2] - extent[0]) / lay.map.w
        length = _nice_length(lay.map.w * 0.28 * m_per_mm)
        x0 = extent[0] + 6 * m_per_mm
        y0 = extent[1] + 7 * m_per_mm
        bar_h = 1.5 * self.k * m_per_mm
        seg = length / 4
        ax.add_patch(Rectangle((x0 - 3 * m_per_mm, y0 - 4.5 * m_per_mm), length + 11 * m_per_mm, 12 * m_per_mm * self.k,
                               facecolor=(1, 1, 1, 0.85), edgecolor=(0.3, 0.3, 0.3, 0.6), lw=0.3, zorder=10))
        for i in range(4):
            ax.add_patch(Rectangle((x0 + i * seg, y0), seg, bar_h, facecolor="#111111" if i % 2 == 0 else "white",
                                   edgecolor="#111111", lw=0.4, zorder=11))
        unit, div = ("km", 1000.0) if length >= 1000 else ("m", 1.0)

        def fmt(v: float) -> str:
            v = v / div
            return f"{v:g}"

        for pos, label in ((0.0, "0"), (length / 2, fmt(length / 2)), (length, fmt(length) + " " + unit)):
            self.text(ax, x0 + pos, y0 + bar_h + 0.8 * m_per_mm, label, 6.5, ha="center", va="bottom", zorder=12,
                      color="#111111")
        denom = m_per_mm * 1000.0
        self.text(ax, x0 + length / 2, y0 - 0.8 * m_per_mm, f"1:{_round_scale(denom):,}", 6.5, ha="center",
                  va="top", zorder=12, color="#111111")
        return denom

    def draw_north_arrow(self, ax, extent) -> None:  # type: ignore[no-untyped-def]
        """Arrow to true north (grid convergence applied), top right."""
        from matplotlib.patches import Circle, Polygon

        lay = self.lay
        m_per_mm = (extent[2] - extent[0]) / lay.map.w
        r = 5.5 * self.k * m_per_mm
        cx = extent[2] - 11.5 * self.k * m_per_mm
        cy = extent[3] - 17.5 * self.k * m_per_mm
        lon, lat = self.to_geo.transform(cx, cy)
        from pyproj import Transformer

        fwd = Transformer.from_crs(PROJECT_EPSG, self.data.epsg, always_xy=True)
        nx, ny = fwd.transform(lon, lat + 0.01)
        theta = math.atan2(nx - cx, ny - cy)  # clockwise from grid up
        ux, uy = math.sin(theta), math.cos(theta)
        vx, vy = uy, -ux  # to the right

        def at(a: float, b: float) -> tuple[float, float]:
            return cx + r * (a * ux + b * vx), cy + r * (a * uy + b * vy)

        ax.add_patch(Circle((cx, cy + 0.9 * r), 1.75 * r, facecolor=(1, 1, 1, 0.85), edgecolor=(0.3, 0.3, 0.3, 0.6),
                            lw=0.3, zorder=10))
        tip, base, left, right = at(1, 0), at(-0.35, 0), at(-1, -0.45), at(-1, 0.45)
        ax.add_patch(Polygon([tip, left, base], closed=True, facecolor="white", edgecolor="#111111", lw=0.6,
                             zorder=11))
        ax.add_patch(Polygon([tip, right, base], closed=True, facecolor="#111111", edgecolor="#111111", lw=0.6,
                             zorder=11))
        tx, ty = at(1.55, 0)
        self.text(ax, tx, ty, "北", 8, bold=True, ha="center", va="center", zorder=12, color="#111111")

    # -- legend and notes --------------------------------------------------------------------
    def legend_entries(self, page: _Page, counts: dict[str, Any]) -> list[_Legend]:
        out = [_Legend("header", "图例")]
        for name in self.data.layers:
            spec = LAYERS[name]
            st = spec.style
            frame = self.data.layers[name]
            if len(frame) == 0:
                continue
            if name == "grid_cell" and self.data.coverage is not None:
                out.append(_Legend("group", "网格：距最近一次巡查"))
                cls_counts = counts.get("coverage") or [0] * (len(COVERAGE_CLASSES) + 1)
                for i, c in enumerate(COVERAGE_CLASSES):
                    style = {"face": _rgba(c.rgba), "edge": (1, 1, 1, 1)}
                    if c.hatch:
                        style.update(hatch=_COVERAGE_HATCH.get(c.hatch, "xx"), hatchcolor=_rgba(c.hatch_rgba, 0.85))
                    out.append(_Legend("poly", f"{c.title_zh}  ({cls_counts[i]:,})", style, True))
                out.append(_Legend("poly", f"{OVERDUE_TITLE[0]}  ({cls_counts[-1]:,})",
                                   {"face": (1, 1, 1, 1), "edge": _rgba(OVERDUE_OUTLINE, 0.8), "lw": 0.9}, True))
                continue
            title = spec.title_zh
            if name == "fire_point":
                title = "火点" + (f"（{self.spec.period_label.split('（')[0]}）" if self.spec.period_label else "")
            is_pt = _is_point(frame)
            marker = _MARKERS.get(st.marker or "circle", "o")
            cats = self.data.categories.get(name)
            if cats:
                out.append(_Legend("group", title))
                for c in cats:
                    color = _rgba(st.categories.get(c, st.fill or (200, 200, 200, 150)))
                    if is_pt.any():
                        out.append(_Legend("marker", choice_title(c), {"face": color, "edge": _rgba(st.stroke),
                                                                      "marker": marker,
                                                                      "size": st.marker_size * PX_TO_PT * 1.15},
                                           True))
                    else:
                        out.append(_Legend("poly", choice_title(c), {"face": color, "edge": _rgba(st.stroke),
                                                                    "lw": _pt(st.stroke_width),
                                                                    "hatch": _HATCH.get(st.hatch or "", None)},
                                           True))
            elif is_pt.all():
                out.append(_Legend("marker", title, {"face": _rgba(st.fill or (230, 90, 0, 230)),
                                                     "edge": _rgba(st.stroke), "marker": marker,
                                                     "size": st.marker_size * PX_TO_PT * 1.15}))
            elif st.fill is not None:
                out.append(_Legend("poly", title, {"face": _rgba(st.fill), "edge": _rgba(st.stroke),
                                                   "lw": _pt(st.stroke_width), "hatch": _HATCH.get(st.hatch or "")}))
            else:
                out.append(_Legend("line", title, {"edge": _rgba(st.stroke), "lw": _pt(st.stroke_width)}))
        if page.focus is not None:
            out.append(_Legend("poly", "相邻区域（淡化）",
                               {"face": (0.85, 0.85, 0.85, 1), "edge": (0.6, 0.6, 0.6, 1), "lw": 0.3}))
        return out

    def draw_legend(self, sheet, page: _Page, counts: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
        from matplotlib.lines import Line2D
        from matplotlib.patches import Rectangle

        entries = self.legend_entries(page, counts)
        box = self.lay.legend
        ncols = 2 if self.lay.portrait else 1
        heights = {"header": 6.0, "group": 4.8, "poly": 4.1, "line": 4.1, "marker": 4.1}
        scale = 1.0
        while True:
            cols = self._flow(entries, heights, box.h, scale)
            if len(cols) <= ncols or scale <= 0.62:
                break
            scale -= 0.06
        if len(cols) > ncols:
            ncols = len(cols)
        col_w = box.w / ncols
        k = self.k * scale
        for ci, col in enumerate(cols):
            x = box.x + ci * col_w
            y = box.y
            for e in col:
                h = heights[e.kind] * k
                cy = y + h / 2
                if e.kind == "header":
                    self.text(sheet, x, cy, e.label, 9.5 * scale, bold=True, va="center", color="#111111")
                elif e.kind == "group":
                    self.text(sheet, x, cy + 0.3 * k, e.label, 7.6 * scale, bold=True, va="center", color="#222222")
                else:
                    sw, sh = 7.0 * k, 3.0 * k
                    s = e.style
                    if e.kind == "poly":
                        rect = Rectangle((x + 1, cy - sh / 2), sw, sh, facecolor=s.get("face"),
                                         edgecolor=s.get("edge"), lw=s.get("lw", 0.4))
                        if s.get("hatch"):
                            rect.set_hatch(s["hatch"])
                            rect.set_hatchcolor(s.get("hatchcolor", s.get("edge")))
                            rect.set_hatch_linewidth(0.35)
                        sheet.add_patch(rect)
                    elif e.kind == "line":
                        sheet.add_line(Line2D([x + 1, x + 1 + sw], [cy, cy], color=s["edge"],
                                              lw=max(0.5, s["lw"] * 1.2)))
                    else:
                        sheet.add_line(Line2D([x + 1 + sw / 2], [cy], marker=s["marker"], markersize=s["size"],
                                              markerfacecolor=s["face"], markeredgecolor=s["edge"],
                                              markeredgewidth=0.3, linestyle="none"))
                    self.text(sheet, x + sw + 3, cy, e.label, 7.2 * scale, va="center", color="#111111")
                y += h

    def _flow(self, entries: list[_Legend], heights: dict[str, float], avail: float,
              scale: float) -> list[list[_Legend]]:
        """Entries in columns of height ``avail``; a group (title and its entries) is kept in one
        column when it fits in one."""
        k = self.k * scale
        blocks: list[list[_Legend]] = []
        for e in entries:
            if e.member and blocks:
                blocks[-1].append(e)
            else:
                blocks.append([e])
        cols: list[list[_Legend]] = [[]]
        used = 0.0
        for block in blocks:
            h = sum(heights[e.kind] * k for e in block)
            if used + h > avail and cols[-1] and h <= avail:
                cols.append([])
                used = 0.0
            for e in block:
                eh = heights[e.kind] * k
                if used + eh > avail and cols[-1]:
                    cols.append([])
                    used = 0.0
                cols[-1].append(e)
                used += eh
        return cols

    def draw_notes(self, sheet, scale: float) -> None:  # type: ignore[no-untyped-def]
        box = self.lay.notes
        spec = self.spec
        now_bj = (spec.now or _dt.datetime.now(_dt.timezone.utc)).astimezone(BEIJING)
        cm = 75 + 3 * (self.data.epsg - 4534)
        lines = [
            ("说明", True),
            (f"比例尺 1:{_round_scale(scale):,}（{spec.paper}原大打印）", False),
            ("坐标系：CGCS2000 (EPSG:4490)", False),
            (f"投影：高斯-克吕格3度带 中央经线{cm}°E", False),
            (f"（EPSG:{self.data.epsg}）", False),
        ]
        name, _, span = (spec.period_label or "全部").partition("（")
        lines.append((f"时段：{name}", False))
        if span:  # the times on a line of their own: the notes column is narrow
            lines.append(("（" + span, False))
        lines += [
            (f"数据：{self.data.district or ''} {self.data.path.name}", False),
            (f"GridWatch 制图  {now_bj:%Y-%m-%d}", False),
        ]
        size = 7.0
        line_h = 4.1 * self.k
        avail = box.w - 1
        y = box.y + line_h / 2
        if not self.lay.portrait:
            y = box.y1 - line_h * (len(lines) - 0.5) - 1
        for text, bold in lines:
            s = 7.6 if bold else size
            while _text_mm(text, s * self.k) > avail and len(text) > 4:
                text = text[:-2] + "…"
            self.text(sheet, box.x, y, text, s, bold=bold, va="center", color="#111111" if bold else "#222222")
            y += line_h


def _round_scale(denom: float) -> int:
    """Scale denominator rounded to three significant digits (1:124,837 -> 1:125,000)."""
    if denom <= 0:
        return 0
    digits = int(math.floor(math.log10(denom))) - 2
    return int(round(denom / 10 ** digits) * 10 ** digits)
