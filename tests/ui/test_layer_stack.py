"""A new view (a zoom, a pan) draws the layers under the fire points into one image, not one image each: the
map is the same (up to Qt's rounding), a hatch is anchored to the map however its layer is drawn, and a
layer changed later (hidden, faded, refilled by a theme) is drawn again while the period's fire points
alone redraw only themselves."""

from __future__ import annotations

import numpy as np
import pytest

from gridwatch.mapview import Viewport
from gridwatch.mapview.data import load_map
from gridwatch.storage import Project
from gridwatch.tasks import CancelToken
from gridwatch.ui.map import render as R
from gridwatch.ui.map import renderpass as RP


@pytest.fixture(scope="module")
def data(sample_path):
    return load_map(Project.open(sample_path))


def _pixels(img) -> np.ndarray:
    img = img.convertToFormat(img.Format.Format_ARGB32_Premultiplied)
    return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4).astype(int)


def _request(data, vp: Viewport) -> RP.RenderRequest:
    order = list(data.layers)
    return RP.RenderRequest(1, vp, order, {n: RP.LayerState() for n in order}, np.empty(0, dtype=np.int64), 0)


def test_a_new_view_draws_the_layers_into_one_image_and_the_map_is_the_same(qapp, data, monkeypatch):
    full = Viewport.for_bounds(data.extent, 900, 600)
    views = [full, full.zoom(4.0), full.zoom(4.0).pan(137, -61), full.zoom(16.0, 300, 200)]
    stacked = [RP.render(data, _request(data, vp), CancelToken()) for vp in views]
    monkeypatch.setattr(RP, "stack_runs", lambda data, req: {})  # every layer in an image of its own
    alone = [RP.render(data, _request(data, vp), CancelToken()) for vp in views]
    for vp, a, b in zip(views, stacked, alone):
        keys = [k for k in a.parts if RP.stack_members(k)]
        assert len(keys) == 1 and RP.stack_members(keys[0]) == [n for n in data.layers if n != "fire_point"]
        assert len(a.parts[keys[0]][1]) == 1  # one view-sized image for all of them
        assert not set(RP.stack_members(keys[0])) & set(a.parts)
        diff = np.abs(_pixels(a.image) - _pixels(b.image)).max(axis=2)
        # The same map but for Qt's rounding, and where two fills of one layer overlap (both show in the
        # stack, as they do when each feature is drawn over the one before: 277 pixels of two mines in the
        # zoomed view).  A hatch out of step changes 2 % of the full view.
        assert (diff > 2).sum() <= 300, (vp, int((diff > 2).sum()))
        assert (diff > 0).mean() < 0.5


def test_a_hatch_is_anchored_to_the_map(qapp, data):
    zones = data.layers["coal_ban_zone"]
    vp = Viewport.for_bounds(data.extent, 900, 600)

    def drawn(parts, view):
        return _pixels(R.compose(parts, view.width, view.height))

    whole = drawn(R._render_layer(zones, vp), vp)
    assert R.crop_rect(zones, vp) is not None  # the layer is drawn for its part of the view only...
    assert np.array_equal(drawn(R.render_layer(zones, vp), vp), whole)  # ...with the same hatch
    moved = vp.pan(5, 3)  # the map moves 5 px right and 3 down: so does the hatch
    assert np.array_equal(drawn(R._render_layer(zones, moved), moved)[3:, 5:], whole[:-3, :-5])


def test_a_layer_changed_in_a_view_drawn_as_one_image_is_drawn_again(qtbot, data):
    from gridwatch.ui.map.canvas import MapCanvas

    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(900, 600)
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.set_data(data)
    stack = next(k for k in canvas._parts if RP.stack_members(k))
    image = canvas._parts[stack][1][0][0]
    # The fire points of another period redraw themselves only: the stack is laid on again.
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.refresh_layer("fire_point")
    assert canvas._parts[stack][1][0][0] is image
    shown = _pixels(canvas._image)
    # A faded-out layer is gone from the map, as a hidden one is.
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.set_layer_opacity("mine", 0.0)
    faded = _pixels(canvas._image)
    assert (np.abs(faded - shown).max(axis=2) > 30).sum() > 50
    assert stack not in canvas._parts and "mine" in canvas._parts and "township" in canvas._parts
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.set_layer_opacity("mine", 1.0)
        canvas.set_layer_visible("mine", False)
    assert np.array_equal(_pixels(canvas._image), faded)
    # A layer redrawn (its values changed) in a view drawn as one image: the image is not laid on again.
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.set_layer_visible("mine", True)
    with qtbot.waitSignal(canvas.renderFinished, timeout=60_000):
        canvas.zoom_by(2.0)
    stack = next(k for k in canvas._parts if RP.stack_members(k))
    canvas.refresh_layer("grid_cell")
    assert stack not in canvas._parts


def test_a_raster_at_bin_resolution_first_on_a_stack_is_scaled_onto_it(qapp):
    # A density raster (a point layer's, 3-px bins) as the first thing drawn on a stack (the layers beneath
    # it hidden): scaled onto the view-sized image, which later layers draw on.
    from gridwatch.mapview.lines import Polylines
    from gridwatch.ui.map.images import ArrayImage, LayerImage

    rng = np.random.default_rng(3)
    raster = rng.integers(0, 256, (27, 34, 4), dtype=np.uint8)
    raster[..., :3] = np.minimum(raster[..., :3], raster[..., 3:])  # premultiplied
    stack = LayerImage(100, 80, stacked=True)
    stack.add(ArrayImage(raster.copy()), 1.0)
    assert stack.array is not None and stack.array.shape == (80, 100, 4)
    expected = _pixels(R.compose([(ArrayImage(raster.copy()), 1.0)], 100, 80))
    assert np.array_equal(_pixels(R.compose(stack.parts(), 100, 80)), expected)
    lines = Polylines(np.array([5.0, 95.0]), np.array([70.0, 70.0]))
    R._add_lines(stack, lines, (0, 0, 0, 255))  # a later layer's outline: drawn across the whole view
    assert (stack.array[70, 5:96, 3] == 255).all()
