"""Dense point layers at small scales as clusters with counts (fire points when zoomed out). No Qt."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Fire points are clustered at scales smaller than 1:CLUSTER_FROM_SCALE...
CLUSTER_FROM_SCALE = 40_000
#: ...when at least this many are on screen.
CLUSTER_MIN_POINTS = 150
#: Size of a cluster cell on screen, in pixels.
CLUSTER_CELL_PX = 56.0


@dataclass
class Clusters:
    """Clusters in screen pixels: centre, number of points, and how many need attention."""

    x: np.ndarray
    y: np.ndarray
    count: np.ndarray
    attention: np.ndarray

    def __len__(self) -> int:
        return len(self.count)


def cluster_points(px: np.ndarray, py: np.ndarray, attention: np.ndarray, cell: float = CLUSTER_CELL_PX
                   ) -> Clusters:
    """Group screen points into ``cell``-pixel squares: one cluster per occupied square, at the mean
    position of its points; ``attention`` (bool per point) is counted per cluster."""
    if len(px) == 0:
        e = np.empty(0)
        return Clusters(e, e, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    gx = np.floor(px / cell).astype(np.int64)
    gy = np.floor(py / cell).astype(np.int64)
    key = (gx - gx.min()) * (int(gy.max() - gy.min()) + 1) + (gy - gy.min())
    _, inv = np.unique(key, return_inverse=True)
    count = np.bincount(inv)
    x = np.bincount(inv, weights=px) / count
    y = np.bincount(inv, weights=py) / count
    att = np.bincount(inv, weights=attention.astype(np.float64)).astype(np.int64)
    return Clusters(x, y, count.astype(np.int64), att)


def cluster_radius(count: np.ndarray) -> np.ndarray:
    """Circle radius (px) of clusters: grows with the log of the count, 6 to 17 px (apart at the cell size)."""
    return np.clip(5.0 + 1.9 * np.log2(np.maximum(count, 1)), 6.0, 17.0)
