"""Printed briefing maps (PNG/PDF): page sizes, Chinese glyphs embedded and rendered, atlas pages,
the coverage theme's colours, true scale, atomic writes and cancelling, the CLI.

Real files throughout: GeoPackages written with write_project, PDFs rendered by poppler's pdftoppm
under an empty fontconfig (so only glyphs embedded in the PDF can appear).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image, ImageFilter
from pyproj import Geod
from shapely.geometry import Point, box

from gridwatch.analysis.coverage import COVERAGE_CLASSES
from gridwatch.cli import main
from gridwatch.crs import gauss_kruger_epsg
from gridwatch.errors import Cancelled
from gridwatch.export.fonts import find_cjk_font, font_from_file
from gridwatch.export.map_layout import _layout
from gridwatch.export.maps import (
    MapSpec,
    build_map_figure,
    export_atlas,
    export_map,
)
from gridwatch.export.tables import ExportError
from gridwatch.storage import Project, write_project
from gridwatch.tasks import CancelToken

NOW = dt.datetime(2025, 11, 20, 4, 0, tzinfo=dt.timezone.utc)
COUNTY = "130110"
T_EAST, T_WEST = "130110100", "130110101"
PERSON = "00000000-0000-4000-8000-0000000000aa"


def _uuid(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def ago(days: float) -> str:
    return (NOW - dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.fixture(scope="module")
def small_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two townships side by side (0.04 deg x 0.03 deg each near 114E 38N), one village each, two
    cells per village.  Cells: A inspected 3 days ago, B 10 days, C 20 days, D never."""
    towns = gpd.GeoDataFrame({
        "uuid": [_uuid(1), _uuid(2)], "code": [T_EAST, T_WEST], "name": ["东镇", "西乡"],
        "county_code": [COUNTY, COUNTY]},
        geometry=[box(114.04, 38.0, 114.08, 38.03), box(114.0, 38.0, 114.04, 38.03)], crs=4490)
    villages = gpd.GeoDataFrame({
        "uuid": [_uuid(3), _uuid(4)], "code": [T_EAST + "001", T_WEST + "001"], "name": ["东村", "西村"],
        "township_code": [T_EAST, T_WEST], "kind": ["village", "village"]}, geometry=list(towns.geometry), crs=4490)
    cells = gpd.GeoDataFrame({
        "uuid": [_uuid(10 + i) for i in range(4)],
        "code": [T_WEST + "001001", T_WEST + "001002", T_EAST + "001001", T_EAST + "001002"],
        "name": ["西一", "西二", "东一", "东二"],
        "village_code": [T_WEST + "001"] * 2 + [T_EAST + "001"] * 2,
        "township_code": [T_WEST] * 2 + [T_EAST] * 2, "level": ["grid"] * 4, "inspector_uuid": [PERSON] * 4},
        geometry=[box(114.0, 38.0, 114.02, 38.03), box(114.02, 38.0, 114.04, 38.03),
                  box(114.04, 38.0, 114.06, 38.03), box(114.06, 38.0, 114.08, 38.03)], crs=4490)
    fires = gpd.GeoDataFrame({
        "uuid": [_uuid(20), _uuid(21)],
        "detected_utc": pd.to_datetime([NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=40)], utc=True),
        "detected_local": ["2025-11-18T12:00:00+08:00", "2025-10-11T12:00:00+08:00"],
        "source": ["VIIRS", "VIIRS"], "confidence": [80, 90], "status": ["unverified", "burning_confirmed"]},
        geometry=[Point(114.01, 38.01), Point(114.05, 38.02)], crs=4490)
    sites = gpd.GeoDataFrame({"uuid": [_uuid(30)], "name": ["一号工地"], "dust_grade": ["C"]},
                             geometry=[Point(114.07, 38.01)], crs=4490)
    people = pd.DataFrame({"uuid": [PERSON], "name": ["张网格"], "role": ["inspector"]})
    inspections = pd.DataFrame({
        "uuid": [_uuid(40), _uuid(41), _uuid(42)], "cell_code": list(cells["code"][:3]),
        "inspector_uuid": [PERSON] * 3, "kind": ["patrol"] * 3,
        "started_at": pd.to_datetime([ago(3), ago(10), ago(20)], utc=True)})
    # Written once for the module: every test only reads it.
    path = tmp_path_factory.mktemp("project") / "small.gpkg"
    return write_project(path, district_name="测试区", county_code=COUNTY,
                         layers={"township": towns, "village": villages, "grid_cell": cells, "fire_point": fires,
                                 "construction_site": sites},
                         tables={"inspector": people, "inspection": inspections})


@pytest.fixture
def sample_project(sample_copy: Path) -> Path:
    """The bundled sample district, upgraded to the current schema if it is older (a copy)."""
    Project.open(sample_copy, migrate=True)
    return sample_copy


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def render_pdf(pdf: Path, out_stem: Path, dpi: int, tmp_path: Path, page: int = 1) -> Image.Image:
    """pdftoppm under a fontconfig with no fonts at all: only glyphs embedded in the PDF render."""
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f'<dir>{tmp_path / "no-fonts"}</dir><cachedir>{tmp_path / "fc-cache"}</cachedir>'
                    "</fontconfig>", encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png", str(pdf),
                    str(out_stem)], check=True, env=env, capture_output=True, timeout=120)
    return Image.open(str(out_stem) + ".png").convert("L")


def title_crop(img: Image.Image, spec: MapSpec, dpi: int) -> np.ndarray:
    lay = _layout(spec.checked())

    def px(mm: float) -> int:
        return int(round(mm / 25.4 * dpi))

    crop = img.convert("L").crop((px(lay.border.x + 2), px(lay.title_y - 6), px(lay.border.x1 - 2),
                                  px(lay.title_y + 6)))
    return np.asarray(crop.filter(ImageFilter.GaussianBlur(1.5)), dtype=float) / 255.0


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised cross-correlation of the ink of two equally sized grey images (1 = identical)."""
    x, y = 1.0 - a, 1.0 - b
    x, y = x - x.mean(), y - y.mean()
    return float((x * y).sum() / np.sqrt((x * x).sum() * (y * y).sum()))


# --- page sizes -----------------------------------------------------------------------------


def test_sample_district_as_a4_png_and_pdf(sample_project, tmp_path):
    from gridwatch.sample.generator import BUNDLED_AS_OF

    as_of = dt.datetime.combine(BUNDLED_AS_OF, dt.time(0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    spec = MapSpec(now=as_of, fire_days=30)  # the sample's last month of fire points
    png = export_map(sample_project, tmp_path / "map.png", spec)
    with Image.open(png) as img:
        assert img.size == (2480, 3508)  # A4 portrait at 300 dpi
        assert round(img.info["dpi"][0]) == 300
        rgb = np.asarray(img.convert("RGB"))
    assert (rgb < 250).any(axis=2).mean() > 0.12  # the page is drawn on, not blank
    assert oct(png.stat().st_mode & 0o777) == oct(0o666 & ~_umask())  # not the temp file's private 0600
    pdf = export_map(sample_project, tmp_path / "map.pdf", spec)
    info = pdfinfo(pdf)
    assert info["Pages"] == "1" and "(A4)" in info["Page size"]
    assert info["Title"] == "鹿泉区网格化环境监管图"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # every font embedded


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a3_landscape_pdf_and_png_sizes(small_project, tmp_path):
    spec = MapSpec(now=NOW, paper="A3", orientation="landscape", dpi=100)
    info = pdfinfo(export_map(small_project, tmp_path / "a3.pdf", spec))
    w, h = (float(v) for v in re.findall(r"[\d.]+", info["Page size"])[:2])
    assert (round(w), round(h)) == (1191, 842)  # 420 x 297 mm in points
    with Image.open(export_map(small_project, tmp_path / "a3.png", spec)) as img:
        assert img.size == (1654, 1169)  # 420 x 297 mm at 100 dpi


# --- Chinese text -----------------------------------------------------------------------------


def test_every_character_drawn_is_in_the_font(sample_project):
    """Titles, legend, notes, township and village names: no character falls back to a box."""
    font = find_cjk_font()
    for extent in ("district", "获鹿镇"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
            fig, _, texts = build_map_figure(sample_project, MapSpec(now=NOW, extent=extent, dpi=72))
            fig.savefig(os.devnull, format="png")
        regular = "".join(t for t, bold in texts if not bold)
        bold = "".join(t for t, bold in texts if bold)
        assert "获鹿镇" in bold and "图例" in bold and re.search("[\u4e00-\u9fff]", regular)
        assert font.missing(regular) == "" and font.missing(bold, bold=True) == ""


def test_pdf_shows_chinese_without_the_font_installed(small_project, tmp_path):
    """pdftoppm with no fonts available renders the title like the PNG (glyphs are embedded); the
    same map drawn with a Latin-only font renders boxes, and the comparison tells them apart."""
    import matplotlib

    dpi = 100
    spec = MapSpec(now=NOW, dpi=dpi, title="测试区网格化环境监管图")
    reference = title_crop(Image.open(export_map(small_project, tmp_path / "ref.png", spec)), spec, dpi)
    real = title_crop(render_pdf(export_map(small_project, tmp_path / "real.pdf", spec), tmp_path / "real", dpi,
                                 tmp_path), spec, dpi)
    latin = font_from_file(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    assert latin.missing(spec.title or "") != ""  # the control really lacks the glyphs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tofu_pdf = export_map(small_project, tmp_path / "tofu.pdf", spec, font=latin)
    tofu = title_crop(render_pdf(tofu_pdf, tmp_path / "tofu", dpi, tmp_path), spec, dpi)
    assert (1.0 - reference).mean() > 0.03  # there is a title to compare
    assert similarity(real, reference) > 0.9
    assert similarity(tofu, reference) < 0.8


# --- content ----------------------------------------------------------------------------------


def _pixel(fig, ax, lon: float, lat: float, epsg: int) -> tuple[int, int]:
    from pyproj import Transformer

    x, y = Transformer.from_crs(4490, epsg, always_xy=True).transform(lon, lat)
    px, py = ax.transData.transform((x, y))
    return int(round(px)), int(round(fig.bbox.height - py))


def test_coverage_theme_colours_cells_by_days_since_inspection(small_project, tmp_path):
    import json
    import sqlite3
    from contextlib import closing

    # the district's calendar: ordinary cells every 14 days in the autumn (the plans' default is monthly)
    with closing(sqlite3.connect(small_project)) as con, con:
        con.execute("INSERT INTO gridwatch_meta (key, value) VALUES (?, ?)",
                    ("setting.calendar", json.dumps({"autumn": {"intervals": {"other": 14}}})))
    spec = MapSpec(now=NOW, theme="coverage", dpi=100, labels=False)
    fig, ax, texts = build_map_figure(small_project, spec)
    epsg = gauss_kruger_epsg(114.04)
    with Image.open(export_map(small_project, tmp_path / "cov.png", spec)) as img:
        rgb = np.asarray(img.convert("RGB")).astype(int)
    assert rgb.shape[:2] == (round(fig.bbox.height), round(fig.bbox.width))

    def share(lon: float, lat: float, color) -> float:  # type: ignore[no-untyped-def]
        x, y = _pixel(fig, ax, lon, lat, epsg)
        window = rgb[y - 6:y + 7, x - 6:x + 7].reshape(-1, 3)
        return float((np.abs(window - np.array(color[:3])).max(axis=1) <= 6).mean())

    # A: 3 days -> "7天内"; B: 10 days -> "8–14天"; C: 20 days -> "15–30天"; D: never -> its colour + hatch
    assert share(114.01, 38.015, COVERAGE_CLASSES[0].rgba) > 0.9
    assert share(114.03, 38.015, COVERAGE_CLASSES[1].rgba) > 0.9
    assert share(114.05, 38.015, COVERAGE_CLASSES[2].rgba) > 0.9
    never = COVERAGE_CLASSES[-1]
    assert never.key == "never" and never.hatch
    assert 0.3 < share(114.07, 38.015, never.rgba) < 0.95  # the strong colour, crossed by the hatch
    assert share(114.07, 38.015, COVERAGE_CLASSES[3].rgba) == 0.0
    legend = [t for t, _ in texts]
    assert f"{never.title_zh}  (1)" in legend and "7天内  (1)" in legend and "30天以上  (0)" in legend
    # visited and overdue under the district's 14-day autumn rule of ordinary cells (20 Nov): C (20 days);
    # D (never) has its colour
    assert "曾巡查但超期  (1)" in legend


def test_scale_bar_and_frame_are_true_to_scale(small_project, tmp_path):
    """Measured on the printed page, the two townships' width times the printed scale is their
    width on the ground, and the scale bar's length is the distance its label says."""
    from matplotlib.patches import Rectangle

    dpi = 100
    spec = MapSpec(now=NOW, dpi=dpi, layers=("township",))
    fig, ax, texts = build_map_figure(small_project, spec)
    epsg = gauss_kruger_epsg(114.04)
    (x0, y0), (x1, _) = _pixel(fig, ax, 114.0, 38.0, epsg), _pixel(fig, ax, 114.08, 38.0, epsg)
    scale = int(next(t for t, _ in texts if t.startswith("1:"))[2:].replace(",", ""))
    printed_mm = (x1 - x0) / dpi * 25.4
    ground_m = Geod(ellps="GRS80").inv(114.0, 38.0, 114.08, 38.0)[2]
    assert printed_mm * scale / 1000.0 == pytest.approx(ground_m, rel=0.01)
    bar = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_zorder() == 11]
    assert len(bar) == 4
    length_m = sum(p.get_width() for p in bar)
    label = next(t for t, _ in texts if t.endswith(" km") or t.endswith(" m"))
    value, unit = label.split()
    assert length_m == pytest.approx(float(value) * (1000.0 if unit == "km" else 1.0))
    mantissa = float(value) / 10 ** math.floor(math.log10(float(value)))
    assert round(mantissa, 6) in (1.0, 2.0, 5.0)  # a round 1-2-5 length
    left = min(p.get_x() for p in bar)
    (px0, _), (px1, _) = ax.transData.transform([(left, 0.0), (left + length_m, 0.0)])
    assert (px1 - px0) / dpi * 25.4 * scale / 1000.0 == pytest.approx(length_m, rel=0.01)


def test_township_page_and_layers(small_project, tmp_path):
    spec = MapSpec(now=NOW, extent="西乡", dpi=72, fire_days=7)
    fig, ax, texts = build_map_figure(small_project, spec)
    titles = [t for t, _ in texts]
    assert titles[0] == "测试区西乡网格化环境监管图"
    assert "相邻区域（淡化）" in titles and "火点（近7天）" in titles and "C级" in titles
    assert any(t.startswith("坐标系：CGCS2000") for t in titles) and any("EPSG:4547" in t for t in titles)
    # points drawn: the fire point of the last 7 days in 西乡; the older one and the site lie in 东镇
    points = [line for line in ax.lines if line.get_marker() not in (None, "None", "")]
    assert sum(len(line.get_xdata()) for line in points) == 1


# --- atlas, atomicity, errors -------------------------------------------------------------------


def test_atlas_has_one_page_per_township(small_project, tmp_path):
    seen = []
    out = export_atlas(small_project, tmp_path / "atlas.pdf", MapSpec(now=NOW),
                       progress=lambda f, m: seen.append(f))
    assert pdfinfo(out)["Pages"] == "3"  # overview + 2 townships
    assert seen == sorted(seen) and seen[-1] == 1.0
    page = render_pdf(out, tmp_path / "p3", 40, tmp_path, page=3)
    assert page.size == (331, 468)  # A4 at 40 dpi
    no_cover = export_atlas(small_project, tmp_path / "atlas2.pdf", MapSpec(now=NOW, overview=False))
    assert pdfinfo(no_cover)["Pages"] == "2"


def test_cancelled_atlas_leaves_the_old_file_untouched(small_project, tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "atlas.pdf"
    target.write_bytes(b"%PDF old briefing")
    token = CancelToken()

    def progress(fraction: float, message: str) -> None:
        if message.startswith("第2/"):
            token.cancel()  # the user presses Cancel while page 2 is drawn

    with pytest.raises(Cancelled):
        export_atlas(small_project, target, MapSpec(now=NOW), progress=progress, cancel=token)
    assert target.read_bytes() == b"%PDF old briefing"
    assert sorted(p.name for p in out_dir.iterdir()) == ["atlas.pdf"]  # no temp file left behind


def test_clear_errors_and_nothing_written(small_project, tmp_path):
    with pytest.raises(ExportError, match="ending in .png or .pdf"):
        export_map(small_project, tmp_path / "map.svg")
    with pytest.raises(ExportError, match="no township with code or name '北镇'; townships: 东镇, 西乡"):
        export_map(small_project, tmp_path / "map.pdf", MapSpec(extent="北镇"))
    with pytest.raises(ExportError, match="unknown layer"):
        export_map(small_project, tmp_path / "map.pdf", MapSpec(layers=("township", "roads")))
    with pytest.raises(ExportError, match="multi-page PDF"):
        export_atlas(small_project, tmp_path / "atlas.png")
    with pytest.raises(ExportError, match="does not exist"):
        export_map(small_project, tmp_path / "missing" / "map.pdf")
    assert list(tmp_path.iterdir()) == []


def test_no_chinese_font_is_a_clear_error(tmp_path, monkeypatch):
    """Without any CJK font (empty resources, no Noto, fontconfig offers only Latin fonts) the
    error says what to install."""
    import gridwatch.export.fonts as fonts

    monkeypatch.setattr(fonts, "NOTO_DIRS", (tmp_path / "none",))
    monkeypatch.setattr(fonts, "_fontconfig_candidates", lambda: [
        Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"])
    fonts.find_cjk_font.cache_clear()
    try:
        with pytest.raises(ExportError, match="fonts-noto-cjk"):
            fonts.find_cjk_font(tmp_path / "empty")
    finally:
        fonts.find_cjk_font.cache_clear()


def test_font_in_resources_is_preferred(tmp_path):
    import gridwatch.export.fonts as fonts

    noto = fonts.find_cjk_font().path
    (tmp_path / "fonts").mkdir()
    shutil.copyfile(noto, tmp_path / "fonts" / "office.ttc")
    try:
        chosen = fonts.find_cjk_font(tmp_path / "fonts")
    finally:
        fonts.find_cjk_font.cache_clear()
    assert chosen.path == tmp_path / "fonts" / "office.ttc" and chosen.name == "Noto Sans CJK SC"


# --- CLI --------------------------------------------------------------------------------------


def test_cli_export_map(small_project, tmp_path, capsys):
    out = tmp_path / "east.png"
    rc = main(["export", "map", str(small_project), "--out", str(out), "--township", "东镇", "--landscape",
               "--dpi", "50", "--theme", "coverage", "--title", "巡查覆盖"])
    assert rc == 0 and f"wrote {out}" in capsys.readouterr().out
    with Image.open(out) as img:
        assert img.size == (585, 413)  # A4 landscape at 50 dpi
    atlas = tmp_path / "atlas.pdf"
    assert main(["export", "map", str(small_project), "--out", str(atlas), "--atlas", "--paper", "a3",
                 "--layers", "township,grid_cell,fire_point", "--fire-days", "30"]) == 0
    assert pdfinfo(atlas)["Pages"] == "3" and "(A3)" in pdfinfo(atlas)["Page size"]
    capsys.readouterr()
    old = atlas.read_bytes()
    for extra, message in (
        (["--township", "北镇"], "no township with code or name '北镇'"),
        (["--layers", "township,roads"], "unknown layer(s) roads"),
        (["--atlas", "--township", "东镇,北镇"], "no township with code or name '北镇'"),
        (["--no-overview"], "--no-overview goes with --atlas"),
    ):
        assert main(["export", "map", str(small_project), "--out", str(atlas)] + extra) == 2
        err = capsys.readouterr().err
        assert err.startswith("gridwatch: error: ") and message in err, err
    assert main(["export", "map", str(small_project), "--out", str(tmp_path / "atlas.png"), "--atlas"]) == 2
    assert "multi-page PDF" in capsys.readouterr().err
    assert atlas.read_bytes() == old
