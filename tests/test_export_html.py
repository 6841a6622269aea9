"""The interactive HTML map: self-contained, offline, escaped, in real headless Chromium.

A small hand-made district (two townships, four cells, known inspections and findings) whose village,
inspector and finding texts carry script-injection strings is exported; Chromium (with every request
that is not a local file refused and counted) must show the layers, toggle them, open popups with those
strings as plain text, and never run any of them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from gridwatch.cli import main
from gridwatch.export.html import export_html
from gridwatch.export.html_layers import COVERAGE_BUCKETS, HTML_LAYERS, NEVER_COLOUR, script_json
from gridwatch.export.tables import ExportError
from gridwatch.storage import Project, write_project

from .conftest import sha256

NOW = dt.datetime(2025, 11, 20, 4, 0, tzinfo=dt.timezone.utc)  # 12:00 Beijing time
CHROMIUM = os.environ.get("GRIDWATCH_CHROMIUM", "/usr/bin/chromium")
# Each would set window.__pwned if any of it ran as markup or script.
EVIL_VILLAGE = "<img src=x onerror=window.__pwned=1>村"
EVIL_PERSON = "${window.__pwned=2}张`三`"
EVIL_TEXT = "</script><script>window.__pwned=3</script>{{7*7}} `${window.__pwned=4}` <b>粗</b>"


def ago(days: float) -> pd.Timestamp:
    return pd.Timestamp(NOW - dt.timedelta(days=days))


def uid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    """Townships T1 (cells A, B) and T2 (cells C, D); 0.01° square cells side by side."""
    path = tmp_path_factory.mktemp("html") / "district.gpkg"
    towns = gpd.GeoDataFrame({"uuid": [uid(1), uid(2)], "code": ["130110100", "130110101"], "name": ["一镇", "二镇"],
                              "county_code": ["130110"] * 2},
                             geometry=[box(114.0, 38.0, 114.02, 38.01), box(114.02, 38.0, 114.04, 38.01)], crs=4490)
    villages = gpd.GeoDataFrame({"uuid": [uid(3), uid(4)], "code": ["130110100001", "130110101001"],
                                 "name": [EVIL_VILLAGE, "二村"], "township_code": ["130110100", "130110101"],
                                 "kind": ["village", "village"]},
                                geometry=list(towns.geometry), crs=4490)
    codes = ["130110100001001", "130110100001002", "130110101001001", "130110101001002"]
    cells = gpd.GeoDataFrame({"uuid": [uid(10 + i) for i in range(4)], "code": codes,
                              "name": ["甲格", "乙格", "丙格", "丁格"],
                              "village_code": [c[:12] for c in codes], "township_code": [c[:9] for c in codes],
                              "level": ["grid"] * 4, "inspector_uuid": [uid(20), uid(20), uid(21), uid(21)]},
                             geometry=[box(114.0 + i * 0.01, 38.0, 114.01 + i * 0.01, 38.01) for i in range(4)],
                             crs=4490)
    people = pd.DataFrame({"uuid": [uid(20), uid(21), uid(22)], "name": [EVIL_PERSON, "李四", "王督查"],
                           "role": ["inspector", "inspector", "supervisor"], "active": [True] * 3})
    inspections = pd.DataFrame({"uuid": [uid(30), uid(31), uid(32)], "cell_code": [codes[0], codes[0], codes[1]],
                                "inspector_uuid": [uid(20)] * 3, "kind": ["patrol"] * 3,
                                "started_at": pd.Series([ago(2), ago(9), ago(20)]).astype("datetime64[ms, UTC]")})
    findings = gpd.GeoDataFrame({
        "uuid": [uid(40), uid(41)], "cell_code": [codes[0], codes[2]], "category": ["scattered_coal", "other"],
        "severity": [2, 1], "description": [EVIL_TEXT, "已处理"], "status": ["found", "closed"],
        "rectify_deadline": [dt.date(2025, 11, 15), dt.date(2025, 12, 31)], "found_by": [uid(20), uid(21)],
        "found_at": pd.Series([ago(6), ago(30)]).astype("datetime64[ms, UTC]"), "reject_count": [0, 0],
    }, geometry=[Point(114.005, 38.005), Point(114.025, 38.005)], crs=4490)
    mines = gpd.GeoDataFrame({"uuid": [uid(50)], "name": ["石灰岩矿"], "kind": ["limestone"], "status": ["operating"]},
                             geometry=[box(114.031, 38.001, 114.034, 38.004)], crs=4490)
    sites = gpd.GeoDataFrame({"uuid": [uid(51)], "name": ["某工地"], "dust_grade": ["C"], "online_monitor": [False]},
                             geometry=[Point(114.036, 38.007)], crs=4490)
    zones = gpd.GeoDataFrame({"uuid": [uid(52)], "name": ["禁煤区"], "legal_basis": ["区政府通告"],
                              "in_force_from": [dt.date(2020, 1, 1)]},
                             geometry=[box(114.0, 38.0, 114.012, 38.01)], crs=4490)
    fires = gpd.GeoDataFrame({
        "uuid": [uid(60), uid(61), uid(62)],
        "detected_utc": pd.Series([ago(1), ago(3), ago(40)]).astype("datetime64[ms, UTC]"),
        "detected_local": ["2025-11-19 12:00", "2025-11-17 12:00", "2025-10-11 12:00"],
        "source": ["VIIRS"] * 3, "confidence": [80, 60, 90], "status": ["unverified", "no_burning", "unverified"],
        "township_code": ["130110100", "130110101", "130110100"],
    }, geometry=[Point(114.002, 38.002), Point(114.032, 38.008), Point(114.004, 38.004)], crs=4490)
    write_project(path, district_name="测<试>区{{7*7}}", county_code="130110",
                  layers={"township": towns, "village": villages, "grid_cell": cells, "mine": mines,
                          "construction_site": sites, "coal_ban_zone": zones, "fire_point": fires},
                  tables={"inspector": people, "inspection": inspections, "finding": findings})
    return path


@pytest.fixture(scope="module")
def exported(district, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out") / "map.html"
    export_html(district, out, fire_days=7, now=NOW)
    return out


class _Tags(HTMLParser):
    """Every start tag with its attributes (script bodies are data, not tags, as in a browser)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


# --- the file itself --------------------------------------------------------------------------


def test_file_is_self_contained_with_no_external_url(exported):
    text = exported.read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(text)
    refs = [(t, a.get("src") or a.get("href") or "") for t, a in parser.tags if t in ("script", "link", "img")]
    assert not [r for r in refs if re.match(r"(?i)\s*(https?:)?//", r[1])], refs
    assert not [t for t, a in parser.tags if t == "script" and a.get("src")]  # everything inline
    scripts = [t for t, _ in parser.tags if t == "script"]
    assert len(scripts) >= 3  # Leaflet, the GridWatch runtime, the map
    assert 'version="1.9.4"' in text or 't.version="1.9.4"' in text  # the vendored Leaflet is inlined
    assert "cdn.jsdelivr" not in text and "cdnjs" not in text and "code.jquery" not in text
    assert "images/layers.png" not in text and "data:image/png;base64," in text
    assert "sourceMappingURL" not in text


def test_injected_text_is_never_raw_in_the_page(exported):
    text = exported.read_text(encoding="utf-8")
    for raw in ("<img src=x", "</script><script>window.__pwned", "<b>粗</b>"):
        assert raw not in text
    assert text.lower().count("</script>") == text.lower().count("<script")  # no early end tag
    # Values travel as JSON strings inside a normal call, escaped for <script>.
    assert script_json(EVIL_TEXT) in text and script_json(EVIL_VILLAGE) in text
    assert "\\u003c/script\\u003e\\u003cscript\\u003ewindow.__pwned=3" in text
    assert "<title>测&lt;试&gt;区&#123;&#123;7*7&#125;&#125; 网格化环境监管地图</title>" in text
    assert "区49" not in text and "\\u003e49" not in text  # no template ran at export
    assert "\\u007b{7*7}}" in text  # and none could run later: the delimiter is escaped


def test_script_json_escapes_every_way_out_of_a_script():
    out = script_json("</script><!-- ' & \u2028\u2029 ${x} `y`")
    assert not re.search("[<>&'\u2028\u2029]", out)
    assert out == '"\\u003c/script\\u003e\\u003c!-- \\u0027 \\u0026 \\u2028\\u2029 ${x} `y`"'


def test_bad_options_raise_and_leave_an_existing_file_as_it_was(district, tmp_path):
    out = tmp_path / "map.html"
    out.write_text("old map", encoding="utf-8")
    before = sha256(out)
    with pytest.raises(ExportError, match="no township .*'三镇'"):
        export_html(district, out, township="三镇", now=NOW)
    with pytest.raises(ExportError, match="fire_point layer needs a period"):
        export_html(district, out, layers=["grid_cell", "fire_point"], now=NOW)
    with pytest.raises(ExportError, match="unknown layer"):
        export_html(district, out, layers=["grid_cell", "roads"], now=NOW)
    with pytest.raises(ExportError, match=r"\.html"):
        export_html(district, tmp_path / "map.pdf", now=NOW)
    with pytest.raises(ExportError, match="tiles"):
        export_html(district, out, tiles="javascript:alert(1)", now=NOW)
    assert sha256(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]  # no temp file left
    export_html(district, out, now=NOW)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cancel_writes_nothing(district, tmp_path):
    from gridwatch.errors import Cancelled
    from gridwatch.tasks import CancelToken

    token = CancelToken()

    def progress(fraction, message):
        if fraction > 0.2:
            token.cancel()

    with pytest.raises(Cancelled):
        export_html(district, tmp_path / "map.html", now=NOW, progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_tiles_are_opt_in(district, tmp_path):
    out = export_html(district, tmp_path / "t.html", now=NOW, tiles="https://tiles.example/{z}/{x}/{y}.png",
                      tiles_attribution="<b>©</b> 示例")
    text = out.read_text(encoding="utf-8")
    assert "https://tiles.example/{z}/{x}/{y}.png" in text
    assert "<b>©</b>" not in text  # the attribution is escaped (Leaflet shows it as HTML)
    assert "tiles.example" not in exported_default(district, tmp_path)


def exported_default(district: Path, tmp_path: Path) -> str:
    return export_html(district, tmp_path / "plain.html", now=NOW).read_text(encoding="utf-8")


def test_cli_export_html(district, tmp_path, capsys):
    out = tmp_path / "cli.html"
    assert main(["export", "html", str(district), "--out", str(out), "--township", "二镇",
                 "--layers", "grid_cell,township,finding"]) == 0
    assert "wrote" in capsys.readouterr().out and out.exists()
    text = out.read_text(encoding="utf-8")
    assert "130110101001001" in text and "130110100001001" not in text  # only 二镇's cells
    assert main(["export", "html", str(district), "--out", str(out), "--township", "三镇"]) == 2
    assert "no township" in capsys.readouterr().err
    assert main(["export", "html", str(district), "--out", str(out), "--layers", "fire_point"]) == 2
    assert "--fire-days" in capsys.readouterr().err


# --- in headless Chromium with the network refused -------------------------------------------


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extras include it
        pytest.fail("playwright is missing: pip install -r requirements.lock (test extras)")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install the chromium package (scripts/setup.sh --test)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND"])
        yield b
        b.close()


class Page:
    """A page that refuses and records every request that would leave the machine."""

    def __init__(self, browser, path: Path, size=(1200, 800)) -> None:
        self.context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_selector(".leaflet-control-layers")
        self.page.wait_for_timeout(300)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def count(self, key: str) -> int:
        return self.page.locator(f"path.gw-{key}").count()

    def pwned(self):
        return self.page.evaluate("() => window.__pwned")

    def click_lonlat(self, lon: float, lat: float) -> None:
        if self.page.locator(".leaflet-popup").count():
            # closed through the map (a click on the little close cross can miss while the popup still pans
            # into view on a loaded machine)
            self.page.evaluate(
                """() => window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)]
                    .closePopup()""")
            self.page.wait_for_selector(".leaflet-popup", state="detached")
        # After closing: an opened popup may have panned the map.
        x, y = self.page.evaluate(
            """([lon, lat]) => {
                const map = window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)];
                const p = map.latLngToContainerPoint([lat, lon]);
                const r = map.getContainer().getBoundingClientRect();
                return [r.left + p.x, r.top + p.y];
            }""", [lon, lat])
        self.page.mouse.click(x, y)
        self.page.wait_for_selector(".leaflet-popup-content")

    def popup_text(self) -> str:
        return self.page.locator(".leaflet-popup-content").inner_text()

    def close(self) -> None:
        self.context.close()


def test_map_loads_offline_with_its_layers(browser, exported):
    p = Page(browser, exported)
    try:
        page = p.page
        for pane in ("map", "tile", "overlay", "marker", "popup", "tooltip"):
            assert page.locator(f".leaflet-{pane}-pane").count() == 1
        assert p.count("grid_cell") == 4 and p.count("township") == 2 and p.count("finding") == 2
        assert p.count("mine") == 1 and p.count("construction_site") == 1 and p.count("coal_ban_zone") == 1
        assert p.count("fire_point") == 2  # the 40-day-old detection is outside --fire-days 7
        assert p.count("village") == 0  # villages start switched off
        assert page.locator(".leaflet-tooltip.gw-label").all_inner_texts() == ["一镇", "二镇"]
        labels = [t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
        expected = {"grid_cell": "网格（4）", "village": "村/社区（2）", "township": "乡镇/街道（2）",
                    "coal_ban_zone": "禁煤区（1）", "fireworks_ban_zone": "禁燃禁放区（0）", "mine": "露天矿山（1）",
                    "construction_site": "施工工地（1）", "key_area": "重点区域（0）",
                    "fire_point": "火点（近7天）（2）", "finding": "问题（2）"}
        assert labels == [expected[k] for k in HTML_LAYERS]
        # Coverage colours: A inspected 2 days ago, B 20 days ago, C and D never.
        fills = page.locator("path.gw-grid_cell").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
        assert fills == [COVERAGE_BUCKETS[0][1], COVERAGE_BUCKETS[2][1], NEVER_COLOUR, NEVER_COLOUR]
        # Switching a layer off removes its paths; on brings them back.
        box = page.locator(".leaflet-control-layers-overlays label", has_text="网格（4）").locator("input")
        box.uncheck()
        assert p.count("grid_cell") == 0 and p.count("township") == 2
        box.check()
        assert p.count("grid_cell") == 4
        page.locator(".leaflet-control-layers-overlays label", has_text="村/社区").locator("input").check()
        assert p.count("village") == 2
        assert p.blocked == [] and p.errors == [] and p.dialogs == []
        assert page.evaluate("() => [...document.querySelectorAll('script[src], link[href], img[src]')]"
                             ".map(e => e.src || e.href).filter(u => !u.startsWith('data:'))") == []
    finally:
        p.close()


def test_popups_show_cell_and_finding_details_as_plain_text(browser, exported):
    p = Page(browser, exported)
    try:
        p.click_lonlat(114.008, 38.008)  # cell A, away from the finding and the fire points
        text = p.popup_text()
        assert text.splitlines()[0] == "网格：甲格"
        for want in ("130110100001001", "一镇", EVIL_VILLAGE, EVIL_PERSON, "2025-11-18 12:00", "2.0", "按期",
                     "禁煤区网格", "未销号问题\t1"):
            assert want in text, (want, text)
        assert p.page.locator(".leaflet-popup-content img").count() == 0
        p.click_lonlat(114.005, 38.005)  # the finding in cell A
        text = p.popup_text()
        for want in ("问题：散煤", "发现", "较重", EVIL_TEXT, "2025-11-15（已逾期）", "130110100001001（甲格）",
                     "2025-11-14 12:00"):
            assert want in text, (want, text)
        assert "49" not in text  # {{7*7}} was not evaluated by any template engine
        assert p.page.locator(".leaflet-popup-content b, .leaflet-popup-content script").count() == 0
        p.click_lonlat(114.038, 38.002)  # cell D: never inspected
        text = p.popup_text()
        assert "从未检查" in text and "李四" in text and "130110101001002" in text
        assert p.pwned() is None and p.errors == [] and p.blocked == [] and p.dialogs == []
    finally:
        p.close()


def test_no_injected_string_runs_after_every_popup_and_tooltip(browser, exported):
    p = Page(browser, exported)
    try:
        page = p.page
        page.locator(".leaflet-control-layers-overlays label", has_text="村/社区").locator("input").check()
        texts = page.evaluate(
            """() => {
                const map = window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)];
                const out = [];
                map.eachLayer(l => {
                    const tip = l.getTooltip && l.getTooltip();
                    if (tip) { l.openTooltip(); out.push(tip.getElement().textContent); }
                    const pop = l.getPopup && l.getPopup();
                    if (pop) { l.openPopup(); out.push(pop.getElement().textContent); }
                });
                return out;
            }""")
        assert len(texts) >= 2 * 13  # every feature has a popup; most have a tooltip
        joined = "\n".join(texts)
        assert EVIL_VILLAGE in joined and EVIL_PERSON in joined and EVIL_TEXT in joined
        # Real mouse over every path: hover tooltips are built from the data too.
        for path in page.locator("path.leaflet-interactive").all():
            path.hover(force=True)
        page.mouse.move(5, 5)
        assert p.pwned() is None
        assert page.locator(".leaflet-pane img, .leaflet-pane script, .leaflet-pane b").count() == 0
        assert p.blocked == [] and p.errors == [] and p.dialogs == []
    finally:
        p.close()


def test_the_sample_district_loads_with_every_feature(browser, sample_path, tmp_path):
    copy = tmp_path / "sample.gpkg"
    shutil.copyfile(sample_path, copy)
    project = Project.open(copy, migrate=True)
    counts = {k: len(project.read_layer(k)) for k in ("grid_cell", "township", "mine", "construction_site")}
    out = export_html(copy, tmp_path / "sample.html", now=NOW)
    assert out.stat().st_size < 3 * 2**20
    p = Page(browser, out, size=(1000, 700))
    try:
        for key, n in counts.items():
            assert p.count(key) == n, key
        p.page.screenshot(path=str(tmp_path / "sample.png"))
        assert p.blocked == [] and p.errors == []
    finally:
        p.close()


def test_large_layers_draw_on_a_canvas_and_still_open_popups(browser, district, tmp_path, monkeypatch):
    import gridwatch.export.html_layers as module

    monkeypatch.setattr(module, "CANVAS_THRESHOLD", 3)  # the 4 cells count as "large"
    out = export_html(district, tmp_path / "canvas.html", now=NOW, layers=["grid_cell", "township"])
    p = Page(browser, out)
    try:
        assert p.count("grid_cell") == 0 and p.count("township") == 2
        assert p.page.locator(".leaflet-gw-areas-pane canvas").count() == 1
        p.click_lonlat(114.025, 38.005)  # cell C
        text = p.popup_text()
        assert text.startswith("网格：丙格") and "从未检查" in text
        assert p.pwned() is None and p.errors == [] and p.blocked == []
    finally:
        p.close()



def test_scale_bar_is_metric_and_cells_can_be_plain(browser, district, tmp_path):
    from gridwatch.export.html import export_html

    plain = export_html(district, tmp_path / "plain.html", coverage_colours=False)
    p = Page(browser, plain)
    try:
        lines = p.page.locator(".leaflet-control-scale-line").all_inner_texts()
        assert len(lines) == 1 and re.fullmatch(r"\d+ (m|km)", lines[0].strip()), lines  # no miles or feet
        fills = set(p.page.locator("path.gw-grid_cell").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))"))
        assert NEVER_COLOUR not in fills and COVERAGE_BUCKETS[0][1] not in fills  # the plain theme
        legend = p.page.locator(".gw-legend").all_inner_texts()
        assert not any("从未巡查" in t for t in legend)
    finally:
        p.close()
