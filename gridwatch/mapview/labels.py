"""Label placement: as many labels as fit, none overlapping, most important first.

Greedy placement over a coarse occupancy grid: a candidate box is accepted when no accepted box
intersects it.  Because the screen is finite and labels have a minimum size, the number of labels
is bounded by the screen area whatever the number of features, so labels never pile up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np


@dataclass(frozen=True)
class PlacedLabel:
    x: float  # centre, pixels
    y: float
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 (pixels)


def place_labels(
    px: np.ndarray,
    py: np.ndarray,
    texts: Iterable[str],
    priority: np.ndarray,
    text_size: Callable[[str], tuple[float, float]],
    width: int,
    height: int,
    padding: float = 3.0,
    occupied: list[tuple[float, float, float, float]] | None = None,
    limit: int = 2000,
) -> list[PlacedLabel]:
    """Place labels centred on ``(px, py)``; returns the accepted ones.

    ``occupied`` boxes (labels of layers drawn above) are avoided as well and accepted boxes are
    appended to it, so several layers can share one screen without overlaps.
    """
    texts = list(texts)
    occupied = occupied if occupied is not None else []
    cell = 48.0
    grid: dict[tuple[int, int], list[int]] = {}
    boxes: list[tuple[float, float, float, float]] = []

    def cells_of(b: tuple[float, float, float, float]):
        for gx in range(int(b[0] // cell), int(b[2] // cell) + 1):
            for gy in range(int(b[1] // cell), int(b[3] // cell) + 1):
                yield gx, gy

    def add(b: tuple[float, float, float, float]) -> None:
        boxes.append(b)
        for key in cells_of(b):
            grid.setdefault(key, []).append(len(boxes) - 1)

    def free(b: tuple[float, float, float, float]) -> bool:
        for key in cells_of(b):
            for i in grid.get(key, ()):
                o = boxes[i]
                if b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]:
                    return False
        return True

    for b in occupied:
        add(b)
    inside = (px >= 0) & (px < width) & (py >= 0) & (py < height)
    order = np.flatnonzero(inside)
    order = order[np.argsort(-priority[order], kind="stable")]
    placed: list[PlacedLabel] = []
    for i in order:
        text = texts[i]
        if not text:
            continue
        w, h = text_size(text)
        b = (px[i] - w / 2 - padding, py[i] - h / 2 - padding, px[i] + w / 2 + padding, py[i] + h / 2 + padding)
        if b[0] < 0 or b[1] < 0 or b[2] > width or b[3] > height or not free(b):
            continue
        add(b)
        occupied.append(b)
        placed.append(PlacedLabel(float(px[i]), float(py[i]), str(text), b))
        if len(placed) >= limit:
            break
    return placed
