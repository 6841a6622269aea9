"""What the UI reads and writes in a project: the storage layer's API the windows use.

The UI reaches the core's storage only through this module (the app layer), so what the
windows depend on is listed in one place (tests/test_architecture.py holds the UI to it)."""

from __future__ import annotations

from ..storage import Project, campaigns, plans, queries
from ..storage.checklists import checklist_results, finding_origin, record_checklist, task_checklist
from ..storage.density import LEVEL_CELLS
from ..storage.edits import Edit
from ..storage.plans import default_task_kind, read_settings
from ..storage.schema import (
    ASSIGNMENT_KINDS,
    ASSIGNMENT_STATUSES,
    FINDING_CATEGORIES,
    FINDING_STATUSES,
    FIRE_CHECK_RESULTS,
    WORKFLOW_TABLES,
)
from ..storage.tracks import TrackPoints, add_track, prune_tracks, read_tracks, remove_track_edit, track_summaries
from ..storage.warning_end import end_warning, stored_summaries, summary_sheets, warning_on_map
from ..storage.workflow import (
    TARGET_LAYERS,
    cells_for_features,
    cells_in_area,
    change_assignment,
    change_finding,
    create_assignments,
    create_fire_checks,
    edit_finding,
    fire_check_preview,
    fire_check_since,
    record_finding,
    save_person,
    set_cell_inspector,
)

__all__ = [
    "ASSIGNMENT_KINDS",
    "ASSIGNMENT_STATUSES",
    "Edit",
    "FINDING_CATEGORIES",
    "FINDING_STATUSES",
    "FIRE_CHECK_RESULTS",
    "LEVEL_CELLS",
    "Project",
    "TARGET_LAYERS",
    "TrackPoints",
    "WORKFLOW_TABLES",
    "add_track",
    "campaigns",
    "cells_for_features",
    "cells_in_area",
    "change_assignment",
    "change_finding",
    "checklist_results",
    "create_assignments",
    "create_fire_checks",
    "default_task_kind",
    "edit_finding",
    "end_warning",
    "finding_origin",
    "fire_check_preview",
    "fire_check_since",
    "plans",
    "prune_tracks",
    "queries",
    "read_settings",
    "read_tracks",
    "record_checklist",
    "record_finding",
    "remove_track_edit",
    "save_person",
    "set_cell_inspector",
    "stored_summaries",
    "summary_sheets",
    "task_checklist",
    "track_summaries",
    "warning_on_map",
]
