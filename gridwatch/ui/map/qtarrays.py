"""Qt geometry from numpy arrays without a Python object per vertex.

* ``QPolygonF``: sized once, then filled through a numpy view of its memory.
* ``QPainterPath``: the binary form ``QDataStream`` reads (element count, then type/x/y per
  element, then the start of the current subpath and the fill rule) is assembled with numpy and
  read back in one call.  A path with 100,000 vertices takes a few milliseconds.

These few lines replace importing pyqtgraph on the way to the first paint (about 0.45 s).
"""

from __future__ import annotations

import numpy as np
import shiboken6
from PySide6.QtCore import QByteArray, QDataStream
from PySide6.QtGui import QPainterPath, QPolygonF

_MOVE_TO, _LINE_TO = 0, 1  # QPainterPath.ElementType
_ELEMENT = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])


def polygonf(x: np.ndarray, y: np.ndarray) -> QPolygonF:
    """A QPolygonF with vertices ``(x[i], y[i])``."""
    n = len(x)
    poly = QPolygonF()
    poly.resize(n)
    if n:
        view = np.frombuffer(shiboken6.VoidPtr(poly.data(), 16 * n, True), dtype=np.float64).reshape(n, 2)
        view[:, 0] = x
        view[:, 1] = y
    return poly


def path_from_runs(x: np.ndarray, y: np.ndarray, run_lengths: np.ndarray) -> QPainterPath:
    """One QPainterPath of polylines: vertices are consecutive runs of ``run_lengths``."""
    n = len(x)
    path = QPainterPath()
    if n == 0:
        return path
    elements = np.empty(n, dtype=_ELEMENT)
    elements["type"] = _LINE_TO
    starts = np.cumsum(run_lengths) - run_lengths
    elements["type"][starts] = _MOVE_TO
    elements["x"] = x
    elements["y"] = y
    tail = np.array([int(starts[-1]), 0], dtype=">i4")  # start of the last subpath, OddEvenFill
    data = np.array([n], dtype=">i4").tobytes() + elements.tobytes() + tail.tobytes()
    stream = QDataStream(QByteArray(data))
    stream >> path
    return path
