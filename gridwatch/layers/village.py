"""村/社区 village or urban community: the level below the township."""

from ..domain.vocabulary import VILLAGE_KINDS
from .base import Field, LayerSpec, Style, nests_in, uuid_field

KINDS = VILLAGE_KINDS  # 村委会 / 居委会

SPEC = LayerSpec(
    name="village",
    title_zh="村/社区",
    title_en="Villages",
    group="boundaries",
    geometry_type="MultiPolygon",
    accepted_geometries=("Polygon", "MultiPolygon"),
    fields=(
        uuid_field(),
        Field("code", "TEXT", "村级代码", "Code", required=True, unique=True, pattern=r"\d{12}"),
        Field("name", "TEXT", "名称", "Name", required=True),
        Field("township_code", "TEXT", "乡镇代码", "Township code", required=True, pattern=r"\d{9}"),
        Field("kind", "TEXT", "类型", "Kind", required=True, choices=KINDS),
    ),
    label_field="name",
    style=Style(stroke=(110, 110, 110, 255), stroke_width=1.2, label_max_scale=60_000),
    rules=(nests_in("code", "township_code", "village"),),
    indexed=("code", "township_code"),
)
