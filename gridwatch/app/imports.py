"""What the UI imports files with: the importers' API the import dialog and field tools use.

The UI reaches the core's importers only through this module (the app layer), so what the
windows depend on is listed in one place (tests/test_architecture.py holds the UI to it).

Each name is read from its importer module when first used (PEP 562): the main window needs the GPS's
range error at start, not the importers (pyproj, geopandas, the GPX reader: 0.3 s before the first paint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import module_getattr

if TYPE_CHECKING:
    from ..importers.fires import looks_like_fire_table
    from ..importers.nmea import UERE_M
    from ..importers.pipeline import (
        TABLE_SUFFIXES,
        ImportOptions,
        ImportReport,
        PreparedImport,
        commit_import,
        guess_field_map,
        prepare_import,
    )
    from ..importers.sources import inspect_source, read_source
    from ..importers.tracks import import_track

_FROM = {
    "looks_like_fire_table": "fires",
    "UERE_M": "nmea",
    "TABLE_SUFFIXES": "pipeline",
    "ImportOptions": "pipeline",
    "ImportReport": "pipeline",
    "PreparedImport": "pipeline",
    "commit_import": "pipeline",
    "guess_field_map": "pipeline",
    "prepare_import": "pipeline",
    "inspect_source": "sources",
    "read_source": "sources",
    "import_track": "tracks",
}

__all__ = [
    "ImportOptions",
    "ImportReport",
    "PreparedImport",
    "TABLE_SUFFIXES",
    "UERE_M",
    "commit_import",
    "guess_field_map",
    "import_track",
    "inspect_source",
    "looks_like_fire_table",
    "prepare_import",
    "read_source",
]


__getattr__ = module_getattr(globals(), __package__, {k: "..importers." + v for k, v in _FROM.items()})
