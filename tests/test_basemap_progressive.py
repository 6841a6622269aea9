"""A tile basemap drawn progressively: what is decoded is drawn at once, the tiles a view lacks stand in from a
neighbouring zoom level (scaled) until they are read, and the render pass never waits for their decoding."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
import pytest

from gridwatch.basemap.demo import tile_range
from gridwatch.basemap.tiles import TileRenderer, open_tiles
from gridwatch.storage.tilepackages import write_mbtiles

from .test_basemap import BBOX, _view

RED, BLUE = (200, 30, 30), (30, 30, 200)


def _solid(rgb: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), rgb).save(buf, format="PNG")
    return buf.getvalue()


def two_level_package(path: Path) -> Path:
    """Zoom 13 all red, zoom 14 all blue, over BBOX: whichever level a pixel comes from shows."""
    tiles = {}
    for z, rgb in ((13, RED), (14, BLUE)):
        data = _solid(rgb)
        xs, ys = tile_range(BBOX, z)
        tiles.update({(z, x, y): data for x in xs for y in ys})
    return write_mbtiles(path, {"name": "two levels", "format": "png", "minzoom": "13", "maxzoom": "14"}, tiles)


def _share(img: np.ndarray, rgb: tuple[int, int, int]) -> float:
    """Share of the view's pixels of colour ``rgb`` (the array is BGRA)."""
    b, g, r = rgb[2], rgb[1], rgb[0]
    return float(((img[..., 0] == b) & (img[..., 1] == g) & (img[..., 2] == r) & (img[..., 3] == 255)).mean())


def test_a_view_draws_what_is_decoded_and_stands_in_from_other_levels(tmp_path):
    r = TileRenderer(open_tiles(two_level_package(tmp_path / "two.mbtiles")))
    extent, w, h = _view()  # a zoom-14 view
    need = r.tiles_for(extent, w, h)
    assert need and {k[0] for k in need} == {14}
    # nothing decoded: nothing drawn, and it says so; no tile was read for it
    img, complete = r.render_available(extent, w, h)
    assert not complete and img[..., 3].max() == 0 and r.tiles_read == 0
    # the coarser level decoded (a zoom out was seen before): its tiles stand in, scaled up
    coarse = r.tiles_for(extent, w, h, -1)
    assert {k[0] for k in coarse} == {13} and len(coarse) <= len(need)
    assert r.load(coarse) == len(coarse)
    img, complete = r.render_available(extent, w, h)
    assert not complete and _share(img, RED) == 1.0
    # the view's own tiles read: the view is complete, and what the blocking draw gives
    assert r.missing(need) == need and r.load(need) == len(need) and r.missing(need) == []
    img, complete = r.render_available(extent, w, h)
    assert complete and _share(img, BLUE) == 1.0
    assert np.array_equal(img, r.render_bgra(extent, w, h))
    # the same place zoomed out (an eighth of the pixels): level 13, decoded already (red); a fresh renderer with only
    # the finer level decoded draws it from the finer tiles scaled down (blue) until its own are read
    w2, h2 = w // 8, h // 8
    assert {k[0] for k in r.tiles_for(extent, w2, h2)} == {13}
    img, complete = r.render_available(extent, w2, h2)
    assert complete and _share(img, RED) == 1.0
    fresh = TileRenderer(open_tiles(tmp_path / "two.mbtiles"))
    fresh.load(fresh.tiles_for(extent, w2, h2, +1))
    img, complete = fresh.render_available(extent, w2, h2)
    assert not complete and _share(img, BLUE) == 1.0


def test_the_render_pass_does_not_wait_for_tiles_and_the_canvas_completes_the_basemap(tmp_path, qtbot):
    pytest.importorskip("PySide6")
    from gridwatch.basemap.registry import Basemap
    from gridwatch.mapview.viewport import Viewport
    from gridwatch.tasks import CancelToken
    from gridwatch.ui.map.basemap import BasemapDrawer
    from gridwatch.ui.map.canvas import MapCanvas
    from gridwatch.ui.map.renderpass import LayerState, RenderRequest, render

    folder = tmp_path / "p.basemaps"
    folder.mkdir()
    two_level_package(folder / "two.mbtiles")
    (tmp_path / "p.gpkg").write_bytes(b"")
    drawer = BasemapDrawer(tmp_path / "p.gpkg", Basemap("two", "tiles", "two.mbtiles"))
    extent, w, h = _view()
    from gridwatch.mapview.data import MapData

    data = MapData(layers={})
    vp = Viewport.for_bounds(extent, w, h)
    # hold the package's tile reads until the render pass has returned: a pass that waited for its tiles
    # would never return (the gate's timeout then fails the test), not merely be slow
    source = drawer._tiles.source
    read = source.tile
    gate = threading.Event()
    source.tile = lambda z, x, y: (gate.wait(30), read(z, x, y))[1]
    req = RenderRequest(1, vp, [], {}, np.empty(0, dtype=np.int64), 0, basemap=drawer, basemap_version=1)
    first = render(data, req, CancelToken())
    assert first.basemap_pending is not None and not any(k.startswith("basemap:") for k in first.parts)
    assert not first.basemap_pending.done() and not gate.is_set(), "the pass waited for its tiles"
    gate.set()
    first.basemap_pending.result(timeout=30)
    req2 = RenderRequest(2, vp, [], {}, np.empty(0, dtype=np.int64), 0, cached=first.parts, basemap=drawer,
                         basemap_version=1)
    second = render(data, req2, CancelToken())
    assert second.basemap_pending is None and "basemap:1" in second.parts
    px = second.image.pixelColor(w // 2, h // 2)
    assert (px.red(), px.green(), px.blue()) == BLUE
    assert LayerState().visible
    # the canvas shows the stand-in image first and renders again by itself when the tiles are in
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(w, h)
    canvas.set_basemap(BasemapDrawer(tmp_path / "p.gpkg", Basemap("two", "tiles", "two.mbtiles")))
    canvas.set_data(data)
    canvas.set_viewport(vp, immediate=True)
    qtbot.waitUntil(lambda: not canvas.is_rendering and canvas._image is not None, timeout=30_000)
    assert not canvas.basemap_pending and any(k.startswith("basemap:") for k in canvas._parts)
    px = canvas._image.pixelColor(w // 2, h // 2)
    assert (px.red(), px.green(), px.blue()) == BLUE
    canvas.shutdown()
