"""网格 grid cell: the smallest unit of responsibility, patrolled by one grid inspector.

Cells tile their village with no gaps or overlaps.  A cell's code is its village's 12-digit code
followed by three digits.  ``level`` is ``grid`` for an ordinary fourth-level cell and
``special`` for a "+1" special-purpose cell (an industrial park, a mine area).
"""

from ..domain.vocabulary import CELL_LEVELS
from .base import Field, LayerSpec, Style, nests_in, uuid_field

LEVELS = CELL_LEVELS

SPEC = LayerSpec(
    name="grid_cell",
    title_zh="网格",
    title_en="Grid cells",
    group="boundaries",
    geometry_type="MultiPolygon",
    accepted_geometries=("Polygon", "MultiPolygon"),
    fields=(
        uuid_field(),
        Field("code", "TEXT", "网格编码", "Code", required=True, unique=True, pattern=r"\d{15}"),
        Field("name", "TEXT", "网格名称", "Name", required=True),
        Field("village_code", "TEXT", "村级代码", "Village code", required=True, pattern=r"\d{12}"),
        Field("township_code", "TEXT", "乡镇代码", "Township code", required=True, pattern=r"\d{9}"),
        Field("level", "TEXT", "网格级别", "Level", required=True, choices=LEVELS),
        Field("inspector_uuid", "TEXT", "网格员", "Inspector"),
    ),
    label_field="name",
    style=Style(stroke=(150, 150, 150, 200), stroke_width=0.5, label_max_scale=15_000),
    rules=(
        nests_in("code", "village_code", "grid_cell"),
        nests_in("village_code", "township_code", "grid_cell"),
    ),
    indexed=("code", "village_code", "township_code", "inspector_uuid"),
)
