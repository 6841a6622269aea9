"""Which of the finest stored fire-point counts a zoomed view reads (see
:meth:`gridwatch.mapview.stored.DensityStore.bins_for`): the squares around the view, not the whole level.
No Qt."""

from __future__ import annotations

from typing import Optional

import numpy as np

from ..storage import density
from .raster import DensityBins

Extent = tuple[float, float, float, float]
#: Columns and rows of squares, first and last included: ``(ix0, iy0, ix1, iy1)``.
Squares = tuple[int, int, int, int]
#: A view reads the finest counts of the part of the map around it when that part is less than this share of
#: the map's squares; else the whole level, once.
WINDOW_SHARE = 0.5
#: What a window of counts reads beyond each side of its view, as a share of the view's width or height.
WINDOW_MARGIN = 0.25


def holds(outer: Squares, inner: Squares) -> bool:
    """Whether the squares ``outer`` hold all of ``inner``."""
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def squares_window(level: int, extent: Extent, coarsest: DensityBins) -> Optional[tuple[Squares, Squares, bool]]:
    """``(squares a view of ``extent`` needs, squares to read, whether any of them can hold a fire point)`` of
    ``level``; None: read the whole level (the view shows much of the map).  ``coarsest``: every square of the
    coarsest level (the map's extent; squares beyond it hold no fire point and are not read).

    The squares to read reach :data:`WINDOW_MARGIN` of the view beyond each of its sides (a pan that far
    reads nothing), from and to whole squares twice as wide (their counts are made from these)."""
    if not len(coarsest.count):
        return None
    per = round(coarsest.cell / density.LEVEL_CELLS[level])
    k = 1.0 / density.LEVEL_CELLS[level]
    minx, miny, maxx, maxy = extent
    # the squares whose centres the view may show, one more each side (see DensityBins.density)
    need = (int(np.floor(minx * k)) - 2, int(np.floor(miny * k)) - 2,
            int(np.floor(maxx * k)) + 2, int(np.floor(maxy * k)) + 2)
    mx = int(np.ceil(WINDOW_MARGIN * (need[2] - need[0])))
    my = int(np.ceil(WINDOW_MARGIN * (need[3] - need[1])))
    # the map's squares: those within the coarsest level's occupied squares
    data = (int(coarsest.ix.min()) * per, int(coarsest.iy.min()) * per,
            (int(coarsest.ix.max()) + 1) * per - 1, (int(coarsest.iy.max()) + 1) * per - 1)
    lo_x, lo_y = max(need[0] - mx, data[0]), max(need[1] - my, data[1])
    hi_x, hi_y = min(need[2] + mx, data[2]), min(need[3] + my, data[3])
    touches = hi_x >= lo_x and hi_y >= lo_y
    if not touches:  # off the map, margin and all: nothing to read (a pan within the margin, nothing again)
        lo_x, lo_y, hi_x, hi_y = need[0] - mx, need[1] - my, need[2] + mx, need[3] + my
    else:
        # no square lies beyond the map's: a view reaching past its edge needs only those within
        need = (max(need[0], data[0]), max(need[1], data[1]), min(need[2], data[2]), min(need[3], data[3]))
    read = (lo_x - lo_x % 2, lo_y - lo_y % 2, hi_x + 1 - hi_x % 2, hi_y + 1 - hi_y % 2)
    area = (read[2] - read[0] + 1) * (read[3] - read[1] + 1)
    if touches and area >= WINDOW_SHARE * (data[2] - data[0] + 1) * (data[3] - data[1] + 1):
        return None
    return need, read, touches


def squares_extent(level: int, squares: Squares) -> Extent:
    """The map extent (degrees) of ``squares`` of ``level``."""
    cell = density.LEVEL_CELLS[level]
    return squares[0] * cell, squares[1] * cell, (squares[2] + 1) * cell, (squares[3] + 1) * cell
