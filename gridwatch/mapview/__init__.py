"""Map engine without Qt: viewport maths, display-ready geometry, rasterising, labels, queries.

The UI draws with QPainter from the arrays prepared here; everything that can be done with numpy
(point markers, density rasters, label collision, hit tests) is done here so it is testable
without a display and runs off the GUI thread.
"""

from .viewport import Viewport

__all__ = ["Viewport"]
