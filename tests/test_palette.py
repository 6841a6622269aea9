"""One colour-blind-safe palette: every theme's colours stay apart for normal vision and for simulated
deuteranopia and protanopia, and the themes drawn together do not share colours."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from gridwatch.analysis.coverage import COVERAGE_CLASSES
from gridwatch.layers import LAYERS
from gridwatch.layers.palette import DUST_GRADE, FINDING_STATUS, FIRE_STATUS, HIGHLIGHT, THEMES

#: Machado, Oliveira & Fernandes (2009) full-severity simulation matrices (linear RGB).
CVD = {
    "normal": np.eye(3),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}


def _lin(c: np.ndarray) -> np.ndarray:
    c = c / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb: tuple[int, int, int], vision: str) -> np.ndarray:
    """CIELAB of an sRGB colour as someone with ``vision`` sees it."""
    lin = np.clip(CVD[vision] @ _lin(np.asarray(rgb[:3], dtype=float)), 0, 1)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def distance(a, b, vision: str) -> float:
    return float(np.linalg.norm(lab(a, vision) - lab(b, vision)))


@pytest.mark.parametrize("vision", list(CVD))
@pytest.mark.parametrize("theme", list(THEMES))
def test_each_theme_keeps_its_classes_apart(theme, vision):
    colours = list(THEMES[theme].values())
    worst = min(distance(a, b, vision) for a, b in itertools.combinations(colours, 2))
    assert worst > 12, f"{theme} has two colours within ΔE {worst:.1f} for {vision}"


def test_themes_drawn_together_do_not_share_colours():
    """Fire points over coverage fills next to sites: no colour of one theme stands for another's."""
    for (n1, t1), (n2, t2) in itertools.combinations([("fire", FIRE_STATUS), ("sites", DUST_GRADE),
                                                      ("coverage", THEMES["coverage"])], 2):
        for vision in CVD:
            for a in t1.values():
                for b in t2.values():
                    if max(a[:3]) < 60 or min(a[:3]) > 160 and max(a[:3]) - min(a[:3]) < 20:
                        continue  # black and greys/white mean "settled" in any theme
                    assert distance(a, b, vision) > 10, (n1, a, n2, b, vision)
    # the attention colours are not the highlight's
    for c in (FIRE_STATUS["unverified"], DUST_GRADE["C"], FINDING_STATUS["found"]):
        assert distance(c, HIGHLIGHT, "normal") > 40


def test_the_map_layers_and_coverage_use_the_palette():
    assert LAYERS["fire_point"].style.categories == FIRE_STATUS
    assert LAYERS["construction_site"].style.categories == DUST_GRADE
    assert [c.rgba for c in COVERAGE_CLASSES] == list(THEMES["coverage"].values())
