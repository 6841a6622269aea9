"""露天矿山 open-pit mine: dust control, closure and rehabilitation."""

from ..domain.vocabulary import MINE_KINDS, MINE_STATUSES
from .base import Field, LayerSpec, Style, uuid_field

KINDS = MINE_KINDS
STATUSES = MINE_STATUSES

SPEC = LayerSpec(
    name="mine",
    title_zh="露天矿山",
    title_en="Open-pit mines",
    group="sources",
    geometry_type="MultiPolygon",
    accepted_geometries=("Polygon", "MultiPolygon"),
    fields=(
        uuid_field(),
        Field("name", "TEXT", "矿山名称", "Name", required=True),
        Field("kind", "TEXT", "矿种", "Kind", required=True, choices=KINDS),
        Field("status", "TEXT", "状态", "Status", required=True, choices=STATUSES),
        Field("operator", "TEXT", "经营单位", "Operator"),
        Field("township_code", "TEXT", "乡镇代码", "Township code", pattern=r"\d{9}"),
    ),
    label_field="name",
    style=Style(
        stroke=(90, 60, 30, 255),
        stroke_width=1.0,
        fill=(170, 120, 70, 160),
        category_field="status",
        categories={
            "operating": (196, 120, 40, 190),
            "closed": (140, 140, 140, 170),
            "rehabilitating": (90, 170, 80, 170),
        },
        label_max_scale=60_000,
    ),
    indexed=("township_code",),
)
