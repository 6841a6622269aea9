"""Printed briefing maps: PNG and PDF pages of the district or one township, and a township atlas.

A page has a title and date line, the map in a metric frame with coordinate ticks, a scale bar and
a north arrow, and a panel with the legend (every drawn layer and category), the scale, the
coordinate system and a producer line.  Two themes:

``layers``
    the chosen layers in the app's styles (:mod:`gridwatch.layers`): boundaries, ban zones, mines,
    construction sites by dust grade, fire points by check status, key areas.
``coverage``
    grid cells coloured by days since their last inspection (:func:`coverage_from_project`), in
    the classes the app and the HTML map use (:data:`gridwatch.analysis.coverage.COVERAGE_CLASSES`):
    cells never inspected get a strong colour and a hatch so they stand out in grey print too;
    cells visited before and overdue under their patrol rule get a dark outline.  The legend counts each class.

The map is drawn in the CGCS2000 3-degree Gauss-Kruger zone of the district (the projection
Chinese survey offices use at county scale; :func:`gridwatch.crs.gauss_kruger_epsg`), so the
frame has true proportions and the scale bar is right in metres.  The north arrow points to true
north (the grid convergence is applied).

Only matplotlib's Agg (PNG) and PDF backends are used, through :class:`matplotlib.figure.Figure`:
no pyplot, no GUI backend, no global figure state, so the UI may export on a worker thread.
Chinese text uses the font of :mod:`gridwatch.export.fonts`; PDFs embed the glyphs.

Every file is written to a temp file beside the target, flushed and moved into place
(:func:`os.replace`); a failed or cancelled export leaves an existing file as it was.  An atlas is
a multi-page PDF (an overview page, then one page per township); a PNG atlas is refused — export
a township's page as PNG with ``extent=<township>`` instead.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import replace
from pathlib import Path
from typing import Optional, Sequence

from ..tasks import CancelToken, ProgressCallback, Steps
from ..times import BEIJING
from .files import ExportError, checked_target, write_atomically
from .fonts import CJKFont, find_cjk_font
from .map_data import _Data, _read, resolve_township
from .map_painter import _Page, _Painter
from .map_spec import DEFAULT_LAYERS, PAPER_MM, THEMES, MapSpec

__all__ = ["MapSpec", "export_map", "export_atlas", "build_map_figure", "resolve_township", "PAPER_MM", "THEMES",
           "DEFAULT_LAYERS"]

# --------------------------------------------------------------------------------------------
# Writing files


def _default_title(data: _Data, spec: MapSpec, town: str = "") -> str:
    if spec.title:
        return f"{town} · {spec.title}" if town else spec.title
    what = "网格巡查覆盖图" if spec.theme == "coverage" else "网格化环境监管图"
    return f"{data.district}{town}{what}"


def _subtitle(spec: MapSpec, extra: str = "") -> str:
    now_bj = (spec.now or _dt.datetime.now(_dt.timezone.utc)).astimezone(BEIJING)
    parts = []
    if spec.subtitle:
        parts.append(spec.subtitle)
    if spec.theme == "coverage":
        parts.append(f"巡查数据截至 {now_bj:%Y-%m-%d %H:%M}（北京时间）")
    else:
        parts.append(f"制图日期 {now_bj:%Y-%m-%d}")
    if extra:
        parts.append(extra)
    return "    ".join(parts)


def _prepare(project_path: os.PathLike[str] | str, spec: MapSpec, steps: Steps,
             font: Optional[CJKFont]) -> tuple[_Painter, Optional[tuple[str, str]]]:
    spec = spec.checked()
    font = font or find_cjk_font()
    steps.start("read", "读取项目")
    data = _read(Path(project_path), spec, steps)
    town = None
    if spec.extent and spec.extent != "district":
        town = resolve_township(data.towns, spec.extent, project_path)
    return _Painter(data, spec, font), town


def build_map_figure(project_path: os.PathLike[str] | str, spec: MapSpec = MapSpec(), *, for_png: bool = True,
                     font: Optional[CJKFont] = None):  # type: ignore[no-untyped-def]
    """The map page as a :class:`matplotlib.figure.Figure` (for previews and tests).

    Returns ``(figure, map_axes, texts)``: ``map_axes`` draws in the projected CRS of the page
    (``map_axes.transData`` maps projected metres to figure pixels), ``texts`` lists every text
    drawn on the page as ``(text, bold)``.
    """
    steps = Steps(None, None, [("read", 1)])
    painter, town = _prepare(project_path, spec, steps, font)
    fig = painter.figure(for_png)
    page = _single_page(painter, town)
    painter.draw(fig, page)
    return fig, fig.axes[1], list(painter.texts)


def _single_page(painter: _Painter, town: Optional[tuple[str, str]]) -> _Page:
    if town is None:
        return _Page(_default_title(painter.data, painter.spec), _subtitle(painter.spec))
    return _Page(_default_title(painter.data, painter.spec, town[1]), _subtitle(painter.spec), focus=town[0])


def export_map(
    project_path: os.PathLike[str] | str,
    out_path: os.PathLike[str] | str,
    spec: MapSpec = MapSpec(),
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    font: Optional[CJKFont] = None,
) -> Path:
    """Write one map page of ``project_path`` to ``out_path`` (``.png`` or ``.pdf`` by suffix).

    Parameters
    ----------
    project_path : path-like
        The GridWatch project (.gpkg).
    out_path : path-like
        File to write; an existing file is replaced whole, or left as it was if the export fails.
    spec : MapSpec
        Title, paper, layers, theme, extent (``"district"`` or a township).
    progress, cancel
        Progress callback and cancel token (see :mod:`gridwatch.tasks`).
    font : CJKFont, optional
        The font for all text (default: :func:`~gridwatch.export.fonts.find_cjk_font`).

    Raises
    ------
    ExportError
        Wrong suffix, missing folder, unknown township or layer, no Chinese font, write failure.
    Cancelled
        ``cancel`` was set; nothing was written.
    """
    target = checked_target(out_path, (".png", ".pdf"))
    steps = Steps(progress, cancel, [("read", 2), ("draw", 1), ("save", 2)])
    painter, town = _prepare(project_path, spec, steps, font)
    for_png = target.suffix.lower() == ".png"
    steps.start("draw", "绘制地图")
    fig = painter.figure(for_png)
    painter.draw(fig, _single_page(painter, town))
    steps.start("save", "写入文件")
    title = fig.axes[0].texts[0].get_text() if fig.axes and fig.axes[0].texts else "GridWatch"

    def write(tmp: Path) -> None:
        if for_png:
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(fig)
            fig.savefig(tmp, format="png", dpi=painter.spec.dpi, metadata={"Software": "GridWatch",
                                                                           "Title": title})
        else:
            from matplotlib.backends.backend_pdf import FigureCanvasPdf

            FigureCanvasPdf(fig)
            fig.savefig(tmp, format="pdf", dpi=painter.spec.dpi,
                        metadata={"Title": title, "Creator": "GridWatch", "Producer": "GridWatch (matplotlib)"})
        steps.report(0.9)

    out = write_atomically(target, write)
    steps.report(1.0)
    return out


def export_atlas(
    project_path: os.PathLike[str] | str,
    out_path: os.PathLike[str] | str,
    spec: MapSpec = MapSpec(),
    *,
    progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelToken] = None,
    font: Optional[CJKFont] = None,
    townships: Optional[Sequence[str]] = None,
) -> Path:
    """Write a multi-page PDF atlas: an overview of the district (``spec.overview``), then one page
    per township (its extent, neighbours greyed, its name in the title).

    ``townships``: codes or names of the townships to include (default: all, in code order).
    PNG is refused (an atlas is one file of many pages): export single townships as PNG with
    :func:`export_map` and ``MapSpec(extent=...)``.  Cancelling leaves an existing file untouched.
    """
    target = Path(out_path)
    if target.suffix.lower() == ".png":
        raise ExportError(f"{target}: an atlas is a multi-page PDF; give a .pdf file name (or export one "
                          "township as PNG with --township)")
    target = checked_target(target, (".pdf",))
    spec = spec.checked()
    report = progress or (lambda fraction, message: None)
    read_share = 0.15  # of the whole progress bar; the pages share the rest
    steps0 = Steps(lambda f, m: report(read_share * f, m), cancel, [("read", 1)])
    painter, _ = _prepare(project_path, replace(spec, extent="district"), steps0, font)
    towns = painter.data.towns.sort_values("code")
    if townships is not None:
        codes = [resolve_township(towns, t, project_path)[0] for t in townships]
        towns = towns[towns["code"].isin(codes)]
    pages: list[_Page] = []
    first = 2 if spec.overview else 1
    numbers = {str(c): first + i for i, c in enumerate(towns["code"])}
    total = len(towns) + (1 if spec.overview else 0)
    if spec.overview:
        pages.append(_Page(_default_title(painter.data, spec), _subtitle(spec, f"乡镇图集 第1/{total}页"),
                           page_numbers=numbers))
    for code, name in zip(towns["code"].astype(str), towns["name"].astype(str)):
        pages.append(_Page(_default_title(painter.data, spec, name),
                           _subtitle(spec, f"{painter.data.district} 乡镇图集 第{numbers[code]}/{total}页"),
                           focus=code))
    steps = Steps(lambda f, m: report(read_share + (1.0 - read_share) * f, m), cancel,
                  [(f"page{i}", 1) for i in range(len(pages))] + [("save", 0.2)])

    def write(tmp: Path) -> None:
        from matplotlib.backends.backend_pdf import FigureCanvasPdf, PdfPages

        with PdfPages(tmp, metadata={"Title": _default_title(painter.data, spec) + " 乡镇图集",
                                     "Creator": "GridWatch", "Producer": "GridWatch (matplotlib)"}) as pdf:
            for i, page in enumerate(pages):
                steps.start(f"page{i}", f"第{i + 1}/{len(pages)}页")
                fig = painter.figure(for_png=False)
                FigureCanvasPdf(fig)
                painter.draw(fig, page)
                pdf.savefig(fig, dpi=painter.spec.dpi)
                steps.report(1.0)
        steps.start("save", "写入文件")

    out = write_atomically(target, write)
    steps.report(1.0)
    return out
