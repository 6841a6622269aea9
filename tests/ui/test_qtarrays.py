"""numpy -> Qt geometry helpers build exactly the geometry asked for."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QPainterPath

from gridwatch.ui.map.qtarrays import path_from_runs, polygonf


def test_polygonf_holds_the_vertices(qapp):
    x = np.array([0.0, 10.5, 20.25])
    y = np.array([1.0, -2.0, 3.5])
    poly = polygonf(x, y)
    assert [(p.x(), p.y()) for p in poly] == list(zip(x, y))
    assert len(polygonf(np.empty(0), np.empty(0))) == 0


def test_path_from_runs_breaks_between_runs(qapp):
    x = np.array([0, 10, 10, 50, 60], dtype=float)
    y = np.array([0, 0, 10, 50, 50], dtype=float)
    path = path_from_runs(x, y, np.array([3, 2]))
    assert path.elementCount() == 5
    types = [path.elementAt(i).type for i in range(5)]
    assert types == [QPainterPath.ElementType.MoveToElement, QPainterPath.ElementType.LineToElement,
                     QPainterPath.ElementType.LineToElement, QPainterPath.ElementType.MoveToElement,
                     QPainterPath.ElementType.LineToElement]
    assert (path.elementAt(3).x, path.elementAt(3).y) == (50.0, 50.0)
    assert path.boundingRect().width() == 60 and path.boundingRect().height() == 50
    assert path_from_runs(np.empty(0), np.empty(0), np.empty(0, dtype=int)).isEmpty()
