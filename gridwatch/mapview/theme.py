"""Thematic colouring of an area layer: each feature filled by its class instead of the layer style.

A :class:`FeatureTheme` is plain data (numpy arrays and RGBA tuples, no Qt): the class index of
every feature of a layer, the colour and hatch of each class, and an optional set of features to
outline strongly.  The UI renderer draws it; :func:`coverage_theme` builds the patrol-coverage
theme of the grid cells (days since the last inspection, overdue cells outlined).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np

from ..analysis.coverage import COVERAGE_CLASSES, OVERDUE_OUTLINE, Coverage, coverage_classes
from ..layers.base import RGBA

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd


@dataclass(eq=False)
class FeatureTheme:
    """Per-feature classes of one layer and how each class is drawn.

    ``classes[i]`` indexes ``colors``/``hatches`` for feature ``i`` (-1: no fill).  ``emphasis``
    (bool per feature, optional) marks features outlined with ``emphasis_color`` at
    ``emphasis_width`` pixels.  :meth:`counts` gives the features per class, for a legend.
    """

    classes: np.ndarray
    colors: tuple[RGBA, ...]
    hatches: tuple[Optional[str], ...]
    hatch_colors: tuple[RGBA, ...]
    fill_opacity: float = 0.72
    emphasis: Optional[np.ndarray] = None
    emphasis_color: RGBA = OVERDUE_OUTLINE
    emphasis_width: float = 2.0
    #: Thin outline of every feature (None: the layer style's stroke).
    outline: Optional[RGBA] = None

    def __post_init__(self) -> None:
        self.classes = np.asarray(self.classes, dtype=np.int16)
        n = len(self.colors)
        if len(self.hatches) != n or len(self.hatch_colors) != n:
            raise ValueError("a theme needs one colour, hatch and hatch colour per class")
        if len(self.classes) and (self.classes.max() >= n or self.classes.min() < -1):
            raise ValueError("theme class index out of range")
        if self.emphasis is not None:
            self.emphasis = np.asarray(self.emphasis, dtype=bool)
            if len(self.emphasis) != len(self.classes):
                raise ValueError("theme emphasis needs one flag per feature")

    @property
    def count(self) -> int:
        return len(self.classes)

    def counts(self) -> list[int]:
        """Features per class, in class order."""
        ok = self.classes[self.classes >= 0]
        return np.bincount(ok, minlength=len(self.colors)).astype(int).tolist()

    def emphasised(self) -> int:
        return int(self.emphasis.sum()) if self.emphasis is not None else 0


def coverage_theme(codes: Sequence[str] | np.ndarray | pd.Series, cov: Coverage,
                   fill_opacity: float = 0.72) -> FeatureTheme:
    """The coverage theme for cells with these ``codes`` (in the map layer's feature order).

    Cells are filled by :data:`~gridwatch.analysis.coverage.COVERAGE_CLASSES` (days since the last
    inspection; never inspected hatched) and outlined strongly when they were visited before but are
    overdue now under their patrol rule (never-inspected cells are overdue by definition; outlining
    them too would bury the map in black lines where few cells are patrolled).  Cells the coverage
    does not know (added since it was computed) get no fill and no outline.
    """
    cls = coverage_classes(cov).cat.codes.to_numpy()
    pos = pd.Index(cov.cells["code"].astype(str).to_numpy()).get_indexer(
        np.asarray(codes, dtype=object).astype(str))
    found = pos >= 0
    classes = np.full(len(pos), -1, dtype=np.int16)
    classes[found] = cls[pos[found]]
    overdue = np.zeros(len(pos), dtype=bool)
    late = cov.cells["overdue"].to_numpy(dtype=bool) & ~cov.cells["never_inspected"].to_numpy(dtype=bool)
    overdue[found] = late[pos[found]]
    return FeatureTheme(classes=classes, colors=tuple(c.rgba for c in COVERAGE_CLASSES),
                        hatches=tuple(c.hatch for c in COVERAGE_CLASSES),
                        hatch_colors=tuple(c.hatch_rgba for c in COVERAGE_CLASSES),
                        fill_opacity=fill_opacity, emphasis=overdue,
                        # white cell borders read on every class colour and on the hatch
                        outline=(255, 255, 255, 170))
