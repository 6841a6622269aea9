"""GridWatch: desktop GIS for grid-based environmental field supervision.

The package is a pure-Python core (no Qt anywhere outside :mod:`gridwatch.ui`).
"""

__version__ = "0.1.0"
