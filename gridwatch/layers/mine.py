"""露天矿山 open-pit mine: dust control, closure and rehabilitation."""

from ..domain.vocabulary import MINE_KINDS, MINE_STATUSES
from .base import POLYGONS, Field, Style, layer_spec, name_field, parent_code_field, uuid_field
from .palette import MINE_STATUS

KINDS = MINE_KINDS
STATUSES = MINE_STATUSES

SPEC = layer_spec(
    "mine", ("露天矿山", "Open-pit mines"), "sources", POLYGONS,
    (uuid_field(), name_field("矿山名称"), Field("kind", "TEXT", "矿种", "Kind", required=True, choices=KINDS),
     Field("status", "TEXT", "状态", "Status", required=True, choices=STATUSES),
     Field("operator", "TEXT", "经营单位", "Operator"), parent_code_field("township")),
    Style(stroke=(90, 60, 30, 255), stroke_width=1.0, fill=(170, 120, 70, 160), category_field="status",
          categories=dict(MINE_STATUS), label_max_scale=60_000),
    indexed=("township_code",),
)
