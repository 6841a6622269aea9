"""村/社区 village or urban community: the level below the township."""

from ..domain.vocabulary import VILLAGE_KINDS
from .base import POLYGONS, Field, Style, code_field, layer_spec, name_field, nests_in, parent_code_field, uuid_field

KINDS = VILLAGE_KINDS  # 村委会 / 居委会

SPEC = layer_spec(
    "village", ("村/社区", "Villages"), "boundaries", POLYGONS,
    (uuid_field(), code_field("村级代码", 12), name_field(), parent_code_field("township", required=True),
     Field("kind", "TEXT", "类型", "Kind", required=True, choices=KINDS)),
    Style(stroke=(110, 110, 110, 255), stroke_width=1.2, label_max_scale=60_000),
    rules=(nests_in("code", "township_code", "village"),), indexed=("code", "township_code"),
)
