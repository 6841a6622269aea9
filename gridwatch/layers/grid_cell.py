"""网格 grid cell: the smallest unit of responsibility, patrolled by one grid inspector.

Cells tile their village with no gaps or overlaps.  A cell's code is its village's 12-digit code
followed by three digits.  ``level`` is ``grid`` for an ordinary fourth-level cell and
``special`` for a "+1" special-purpose cell (an industrial park, a mine area).
"""

from ..domain.vocabulary import CELL_LEVELS
from .base import POLYGONS, Field, Style, code_field, layer_spec, name_field, nests_in, parent_code_field, uuid_field

LEVELS = CELL_LEVELS

SPEC = layer_spec(
    "grid_cell", ("网格", "Grid cells"), "boundaries", POLYGONS,
    (uuid_field(), code_field("网格编码", 15), name_field("网格名称"), parent_code_field("village", required=True),
     parent_code_field("township", required=True),
     Field("level", "TEXT", "网格级别", "Level", required=True, choices=LEVELS),
     Field("inspector_uuid", "TEXT", "网格员", "Inspector")),
    Style(stroke=(150, 150, 150, 200), stroke_width=0.5, label_max_scale=15_000),
    rules=(nests_in("code", "village_code", "grid_cell"), nests_in("village_code", "township_code", "grid_cell")),
    indexed=("code", "village_code", "township_code", "inspector_uuid"),
)
