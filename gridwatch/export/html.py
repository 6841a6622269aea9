"""Interactive HTML map of a project (folium + Leaflet), self-contained and safe to open offline.

One file holds everything: Leaflet's script and style sheet (vendored in ``resources/web/leaflet``,
images as ``data:`` URIs), a small GridWatch runtime (``resources/web/gridwatch_map.js``) and the data.
No tile layer is added unless asked for (``tiles=``), so the map opens and works with no network.

Layers (each an overlay in the layer control): township boundaries with labels, villages, grid cells
(coloured by days since their last inspection; never-inspected cells stand out), coal-ban and
fireworks-ban zones, mines, construction sites (grade colours), key areas when the project has them,
recent fire points (``fire_days``) and findings (status colours).  Clicking a feature opens a popup
(for a cell: code, township, village, inspector, last inspection, open findings; for a finding:
category, status, severity, description, deadline, cell).

Why no user text can run as script
----------------------------------
folium puts popup and tooltip text into the page as HTML, and ``${...}`` inside its popup templates
runs as JavaScript.  This module uses none of that: a layer travels as JSON *data* (geometries, style
indices, popup values) inside one ``gridwatch.layer({...})`` call, serialised with ``<``, ``>``, ``&``,
``'``, U+2028 and U+2029 escaped as ``\\uXXXX``, so no ``</script>`` or comment can close the script
early and no backtick or ``${`` is ever inside a template literal.  In the browser the runtime puts
every value into the page with ``textContent`` (never ``innerHTML``).  The few HTML strings built
here (title, legend, layer names, tile attribution) pass every value through :func:`html_text`.

folium has a second channel: branca renders the output of each element's template again as a Jinja
template, so ``{{ ... }}`` in a name would be *evaluated at export time* (template injection).  Project
text therefore never enters a folium template: layers, title, legend and assets are added as raw
elements, and :func:`script_json` / :func:`html_text` also escape any ``{`` that could open a delimiter.

Size: coordinates are rounded to 6 decimals (about 0.1 m), popup columns with repeated values
(township, village, inspector names) are stored once with an index per feature, and layers of more
than :data:`CANVAS_THRESHOLD` features draw on a canvas instead of one SVG path each.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import math
import os
import re
from pathlib import Path
from typing import Any, Iterable, Optional
from urllib.parse import urlsplit

import numpy as np

from ..domain.vocabulary import COVERAGE_BASES
from ..tasks import CancelToken, ProgressCallback, Steps
from ..times import BEIJING
from .files import ExportError, checked_target, write_atomically
from .html_layers import MapLayer, _usable, build_layers

#: Vendored web assets (Leaflet and the GridWatch runtime).
WEB = Path(__file__).resolve().parent.parent.parent / "resources" / "web"


# --------------------------------------------------------------------------------------------
# Safe serialisation


def html_text(value: str) -> str:
    """``value`` escaped for HTML, with braces as character references (no Jinja delimiter left)."""
    return html.escape(value, quote=True).replace("{", "&#123;").replace("}", "&#125;")


# --------------------------------------------------------------------------------------------
# Page assembly (folium)


def _asset(name: str) -> str:
    p = WEB / name
    try:
        return p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{p}: web asset missing or unreadable ({exc.strerror}); reinstall GridWatch") from exc


def _inline_assets() -> str:
    """Leaflet + GridWatch runtime, inlined; images as data: URIs; no URL left to fetch."""
    js = _asset("leaflet/leaflet.js")
    js = re.sub(r"^//# sourceMappingURL=.*$", "", js, flags=re.M)
    css = _asset("leaflet/leaflet.css")

    def data_uri(m: "re.Match[str]") -> str:
        img = WEB / "leaflet" / m.group(1)
        try:
            raw = img.read_bytes()
        except OSError as exc:
            raise ExportError(f"{img}: web asset missing ({exc.strerror}); reinstall GridWatch") from exc
        return "url(data:image/png;base64," + base64.b64encode(raw).decode("ascii") + ")"

    css = re.sub(r"url\((images/[A-Za-z0-9_.-]+\.png)\)", data_uri, css)
    css += "\n" + _asset("gridwatch_map.css")
    runtime = _asset("gridwatch_map.js")
    for text, tag in ((js + runtime, "</script"), (css, "</style")):
        if tag in text.lower():  # the vendored files are trusted, but a stray end tag would break the page
            raise ExportError(f"{WEB}: a web asset contains {tag}; it cannot be inlined")
    return ("<link rel=\"icon\" href=\"data:,\">\n<style>\n" + css + "\n</style>\n<script>\n" + js + "\n</script>\n"
            "<script>\n" + runtime + "\n</script>\n")


def _legend_html(layers: list[MapLayer]) -> str:
    parts = ['<details class="gw-legend" open><summary>图例</summary>']
    for layer in layers:
        if not layer.legend or not len(layer):
            continue
        parts.append("<h4>" + html_text(layer.title) + "</h4>")
        for colour, text, kind in layer.legend:
            cls = ' class="dot"' if kind == "dot" else ""
            parts.append(f'<div><i{cls} style="background:{html_text(colour)}"></i>{html_text(text)}</div>')
    parts.append("</details>")
    return "".join(parts) if len(parts) > 2 else ""


def render_html(layers: list[MapLayer], facts: dict[str, Any], *, tiles: Optional[str] = None,
                tiles_attribution: Optional[str] = None) -> str:
    """The complete page for ``layers`` as text.

    branca renders the output of every element's template *again* as a Jinja template
    (``Element(script(...))``), so text that reached a folium template could run ``{{ ... }}`` at
    export time.  Everything carrying project text is therefore added as :class:`_Raw` elements,
    which render their text verbatim; the folium elements used (map, layer control, fit bounds,
    tile layer) carry only fixed strings, numbers and escaped names.
    """
    import folium
    from branca.element import Element, MacroElement
    from folium.map import Layer
    from folium.template import Template

    class _Raw(Element):
        """Text put into the page as it is (never rendered as a template)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self._name = "GridWatchRaw"
            self.text = text

        def render(self, **kwargs: Any) -> str:
            return self.text

    class Panes(MacroElement):
        # Only the map's variable name goes into this template.  The scale bar is metric only
        # (Leaflet's default adds miles and feet, which nobody here reads).
        _template = Template("{% macro script(this, kwargs) %}gridwatch.panes({{ this._parent.get_name() }});"
                             "L.control.scale({imperial: false, metric: true, maxWidth: 160})"
                             ".addTo({{ this._parent.get_name() }});{% endmacro %}")

    class VectorLayer(Layer):
        _template = Template("")

        def __init__(self, layer: MapLayer) -> None:
            # Leaflet's layer control shows names as HTML: escape them.
            super().__init__(name=html_text(f"{layer.title}（{len(layer)}）"), overlay=True, control=True,
                             show=layer.show)
            self._name = "GridWatchLayer"
            self.payload = layer.payload()

        def render(self, **kwargs: Any) -> None:
            self.get_root().script.add_child(
                _Raw(f"var {self.get_name()} = gridwatch.layer({self.payload});\n"), name=self.get_name())
            super().render(**kwargs)  # then Layer adds ``.addTo(map)`` when shown

    bounds = _bounds(layers)
    m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=11,
                   tiles=None, control_scale=False, zoom_snap=0.25)
    # No CDN links: Leaflet is inlined below, and nothing here needs jQuery, Bootstrap or icon fonts.
    m.default_js = []
    m.default_css = []
    root = m.get_root()
    title = "网格化环境监管地图"
    place = facts.get("district") or ""
    if facts.get("township"):
        place = f"{place} {facts['township']}".strip()
    heading = html_text(f"{place} {title}".strip())
    root.header.add_child(_Raw("<title>" + heading + "</title>\n" + _inline_assets()), name="gw_assets")
    if tiles:
        host = urlsplit(tiles).netloc or "tiles"
        folium.TileLayer(tiles=tiles, attr=html_text(tiles_attribution or host), name="底图", overlay=False,
                         control=True).add_to(m)
    m.add_child(Panes())  # before the layers: panes must exist when they are added
    for layer in layers:
        m.add_child(VectorLayer(layer))
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    stamp = facts["now"].astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    root.html.add_child(_Raw(
        '<div class="gw-title">' + heading + "<small>" + html_text("时段：" + (facts.get("period") or "全部"))
        + "</small><small>" + html_text(f"导出于 {stamp}（北京时间）") + "</small></div>"
        + _legend_html(layers)), name="gw_title")
    return root.render()


def _bounds(layers: list[MapLayer]) -> tuple[float, float, float, float]:
    import shapely

    boxes = []
    for layer in layers:
        geoms = layer.geoms[_usable(layer.geoms)] if len(layer) else layer.geoms
        if len(geoms):
            boxes.append(shapely.total_bounds(geoms))
    if not boxes:
        return (114.0, 38.0, 114.6, 38.3)  # nothing to draw: a neutral view
    arr = np.array(boxes)
    minx, miny = arr[:, 0].min(), arr[:, 1].min()
    maxx, maxy = arr[:, 2].max(), arr[:, 3].max()
    if not all(map(math.isfinite, (minx, miny, maxx, maxy))):
        return (114.0, 38.0, 114.6, 38.3)
    return (float(minx), float(miny), float(maxx), float(maxy))


def export_html(
    project_path: os.PathLike[str] | str,
    out_path: os.PathLike[str] | str,
    *,
    layers: Optional[Iterable[str]] = None,
    township: Optional[str] = None,
    fire_days: Optional[float] = None,
    coverage_colours: bool = True,
    tiles: Optional[str] = None,
    tiles_attribution: Optional[str] = None,
    now: Optional[_dt.datetime] = None,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    period: Optional[tuple[Any, str]] = None,
    coverage_basis: str = "reported",
) -> Path:
    """Write an interactive HTML map of the project to ``out_path``.

    Parameters
    ----------
    project_path : path-like
        The project GeoPackage (only read).
    out_path : path-like
        The ``.html`` file to write; an existing file is replaced whole (temp file, fsync, rename).
    layers : iterable of str, optional
        Layers to include (names in :data:`HTML_LAYERS`); default :data:`DEFAULT_LAYERS`.
    township : str, optional
        Only this township (code, name or an unambiguous part of the name).
    fire_days : float, optional
        Add fire points detected in the last ``fire_days`` days (before ``now``).
    period : (window, label), optional
        The period control's choice: fire points detected in the window, findings open at some time
        in it; the label is printed under the title (``fire_days`` is the older way to say it).
    coverage_colours : bool
        Colour cells by days since their last inspection (light to dark blue; never inspected grey); False:
        plain cells (the theme for a map about something else, or a district nobody has patrolled yet).
    coverage_basis : str
        What counts as a patrol for those colours: ``reported`` inspections, patrol ``tracks`` or ``both``.
    tiles : str, optional
        A tile URL template (``https://.../{z}/{x}/{y}.png``) for a base map.  The map then needs the
        network for its background; without it (the default) the file works fully offline.
    now : datetime, optional
        The moment "days since" and "recent" refer to (default: now).
    progress, cancel
        See :mod:`gridwatch.tasks`.

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    ExportError
        Bad options, unknown township, missing web assets or an unwritable target.
    """
    target = Path(out_path)
    if target.suffix.lower() not in (".html", ".htm"):
        raise ExportError(f"{target}: an HTML map is written to a .html file")
    target = checked_target(target, (".html", ".htm"))
    if coverage_basis not in COVERAGE_BASES:
        raise ExportError(f"coverage basis {coverage_basis!r}: choose {', '.join(COVERAGE_BASES)}")
    if tiles is not None and not re.match(r"^https?://(?!.*\{[{%#])[^\s\"'<>`]+$", tiles):
        raise ExportError(f"tiles {tiles!r}: give an http(s) URL template such as https://host/{{z}}/{{x}}/{{y}}.png")
    steps = Steps(progress, cancel, [("read", 5), ("render", 3), ("write", 1)])
    steps.start("read", "reading the project")
    map_layers, facts = build_layers(project_path, layers=layers, township=township, fire_days=fire_days,
                                     coverage_colours=coverage_colours, now=now, steps=steps, period=period,
                                     coverage_basis=coverage_basis)
    steps.start("render", "building the map")
    text = render_html(map_layers, facts, tiles=tiles, tiles_attribution=tiles_attribution)
    steps.start("write", f"writing {target.name}")
    write_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))
    steps.report(1.0)
    return target
