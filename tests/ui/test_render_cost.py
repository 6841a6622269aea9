"""Cost follows what is visible: zoomed in, a layer with a few features on screen paints and composites
an image of just their part of the view, and the map looks the same as when every layer paints it all."""

from __future__ import annotations

import numpy as np
import pytest

from gridwatch.mapview import Viewport
from gridwatch.mapview.data import load_map
from gridwatch.storage import Project
from gridwatch.ui.map import render as R


@pytest.fixture(scope="module")
def data(sample_path):
    return load_map(Project.open(sample_path))


def _pixels(img) -> np.ndarray:
    img = img.convertToFormat(img.Format.Format_ARGB32)
    return np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.width(), 4).astype(int)


def _views(data):
    vp = Viewport.for_bounds(data.extent, 1200, 800)
    return [vp, vp.zoom(4.0), vp.zoom(16.0).pan(300, 100)]


def test_window_of_a_view_puts_every_point_where_the_view_does():
    vp = Viewport.for_bounds((114.0, 38.0, 114.6, 38.3), 1600, 1000)
    sub = vp.window(300, 120, 400, 250)
    lon, lat = vp.to_map(np.array([300.0, 512.5, 699.0]), np.array([120.0, 200.25, 369.0]))
    px, py = sub.to_screen(lon, lat)
    assert np.allclose(px, [0.0, 212.5, 399.0]) and np.allclose(py, [0.0, 80.25, 249.0])
    assert sub.res == vp.res and (sub.width, sub.height) == (400, 250)


def test_zoomed_layers_paint_only_their_part_of_the_view(qapp, data):
    cropped = 0
    for vp in _views(data):
        full_area = vp.width * vp.height
        for name, layer in data.layers.items():
            parts = R.render_layer(layer, vp)
            assert len(parts) <= 1  # one image per layer (fill, outlines and markers flattened) for the cache
            rect = R.crop_rect(layer, vp)
            if rect is not None:
                cropped += 1
                # The layer's images are the size of its part of the view, and composited there.
                assert all(img.width() * img.height() <= R.CROP_MAX_SHARE * full_area for img, _ in parts)
                assert all(img.target.width() == rect[2] and img.target.height() == rect[3] for img, _ in parts)
            # What the user sees is the same map (a few antialiased edge pixels may differ by a shade).
            mine = _pixels(R.compose(parts, vp.width, vp.height))
            whole = _pixels(R.compose(R._render_layer(layer, vp), vp.width, vp.height))
            differ = (np.abs(mine - whole).max(axis=2) > 8).sum()
            assert differ <= 0.002 * full_area, (name, vp, differ)
    assert cropped >= 5  # mines, sites, zones, key areas when zoomed in


def test_layers_that_fill_the_view_are_not_cropped(qapp, data):
    vp = Viewport.for_bounds(data.extent, 1200, 800)
    for name in ("township", "village", "grid_cell", "fire_point"):
        assert R.crop_rect(data.layers[name], vp) is None


def test_a_finished_job_lets_go_of_what_its_work_held(qtbot):
    # The runner keeps finished jobs a while; they must not keep their work's data (a render's closure held
    # the previous view's layer images: the app grew with every pan and zoom).
    import gc
    import weakref

    from gridwatch.errors import Cancelled
    from gridwatch.ui.jobs import Job

    class Images:
        pass

    held = Images()
    alive = weakref.ref(held)
    job = Job(lambda progress, cancel, held=held: len(str(held)), "render")
    failing = Images()
    alive_failing = weakref.ref(failing)

    def cancelled(progress, cancel, failing=failing):
        raise Cancelled("stopped")

    job2 = Job(cancelled, "render")
    del held, failing, cancelled
    with qtbot.waitSignal(job.succeeded, timeout=10_000):
        job.start()
    with qtbot.waitSignal(job2.failed, timeout=10_000):
        job2.start()
    job.wait(10)
    job2.wait(10)
    gc.collect()
    assert alive() is None and alive_failing() is None
    assert isinstance(job2.error, Cancelled)  # the outcome is still there for whoever asks
