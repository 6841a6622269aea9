"""GDAL's reads of a project file (pyogrio), each inside :func:`~gridwatch.storage.gate.gdal_reading`.

GDAL has its own SQLite; a read of a file that a ``sqlite3`` transaction of this process is writing
could read it half written and drop the writer's locks (see :mod:`.gate`).  Every pyogrio read of a
project goes through these, with pyogrio's own arguments and results.
"""

from __future__ import annotations

import os
from typing import Any

from .gate import gdal_reading


def read_arrow(path: os.PathLike[str] | str, **kwargs: Any) -> Any:
    import pyogrio

    with gdal_reading(path):
        return pyogrio.read_arrow(path, **kwargs)


def read_dataframe(path: os.PathLike[str] | str, **kwargs: Any) -> Any:
    import pyogrio

    with gdal_reading(path):
        return pyogrio.read_dataframe(path, **kwargs)


def read_info(path: os.PathLike[str] | str, **kwargs: Any) -> Any:
    import pyogrio

    with gdal_reading(path):
        return pyogrio.read_info(path, **kwargs)
