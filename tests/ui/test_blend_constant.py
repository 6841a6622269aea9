"""Translucent thin lines laid onto a layer's pixels in numpy (gridwatch.mapview.raster.blend_constant) give
the pixels QPainter gives laying an image of those lines over the layer."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QPainter

from gridwatch.mapview.raster import blend_constant
from gridwatch.ui.map.images import image_from_array, painting


def _premultiplied(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    alpha = rng.integers(0, 256, (h, w)).astype(np.uint16)
    alpha[::7] = 255  # many opaque pixels, as on a layer's fills
    alpha[1::11] = 0
    colour = rng.integers(0, 256, (h, w, 3)).astype(np.uint16) * alpha[..., None] // 255
    return np.dstack([colour, alpha]).astype(np.uint8)


@pytest.mark.parametrize("rgba", [(150, 150, 150, 200), (20, 30, 110, 255), (255, 255, 255, 1), (90, 0, 0, 0)])
def test_a_translucent_colour_blended_in_numpy_gives_qpainters_pixels(qapp, rgba):
    rng = np.random.default_rng(sum(rgba))
    h, w = 64, 96
    beneath = _premultiplied(rng, h, w)
    r, g, b, a = rgba
    value = int(np.array([[round(b * a / 255), round(g * a / 255), round(r * a / 255), a]],
                         dtype=np.uint8).view(np.uint32)[0, 0])
    index = rng.integers(0, h * w, 3000)  # pixels of lines: some come twice (where segments meet)
    lines = np.zeros((h, w, 4), dtype=np.uint8)
    lines.view(np.uint32).reshape(-1)[index] = value

    expected = beneath.copy()
    with painting(image_from_array(expected)) as p:
        p.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        p.drawImage(0, 0, image_from_array(lines))
    got = beneath.copy()
    blend_constant(got.view(np.uint32).reshape(-1), index, value)
    assert np.array_equal(got, expected)
    untouched = np.ones(h * w, dtype=bool)
    untouched[index] = False
    assert np.array_equal(got.reshape(-1, 4)[untouched], beneath.reshape(-1, 4)[untouched])
