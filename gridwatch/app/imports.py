"""What the UI imports files with: the importers' API the import dialog and field tools use.

The UI reaches the core's importers only through this module (the app layer), so what the
windows depend on is listed in one place (tests/test_architecture.py holds the UI to it)."""

from __future__ import annotations

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
