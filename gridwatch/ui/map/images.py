"""Images the map renderer draws into: QImages over numpy arrays (no copy), colours (split from
:mod:`.render`, which re-exports them)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Optional

import numpy as np
from PySide6.QtGui import QColor, QImage, QPainter

Part = tuple[QImage, float]


@contextmanager
def painting(img: QImage) -> Iterator[QPainter]:
    """A painter on ``img`` that is always ended, also when a render is cancelled mid-way."""
    p = QPainter(img)
    try:
        yield p
    finally:
        p.end()


class ArrayImage(QImage):
    """A QImage drawn straight from a numpy array's memory (no copy); it keeps the array alive."""

    def __init__(self, arr: np.ndarray) -> None:
        arr = np.ascontiguousarray(arr)
        h, w = arr.shape[:2]
        super().__init__(arr.data, w, h, 4 * w, QImage.Format.Format_ARGB32_Premultiplied)
        self._array = arr


def new_image(width: int, height: int) -> QImage:
    """A transparent image to paint on. Backed by ``np.zeros`` (calloc): no fill pass needed."""
    return ArrayImage(np.zeros((max(1, height), max(1, width), 4), dtype=np.uint8))


def image_from_array(arr: np.ndarray) -> QImage:
    """Wrap a (h, w, 4) premultiplied BGRA array as a QImage without copying it."""
    return ArrayImage(arr)


def qcolor(rgba: tuple[int, int, int, int], alpha: Optional[int] = None) -> QColor:
    r, g, b, a = rgba
    return QColor(r, g, b, a if alpha is None else alpha)
