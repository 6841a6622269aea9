"""乡镇/街道 township or subdistrict: the level below the county."""

from .base import Field, LayerSpec, Style, nests_in, uuid_field

SPEC = LayerSpec(
    name="township",
    title_zh="乡镇/街道",
    title_en="Townships",
    group="boundaries",
    geometry_type="MultiPolygon",
    accepted_geometries=("Polygon", "MultiPolygon"),
    fields=(
        uuid_field(),
        Field("code", "TEXT", "乡镇代码", "Code", required=True, unique=True, pattern=r"\d{9}"),
        Field("name", "TEXT", "名称", "Name", required=True),
        Field("county_code", "TEXT", "区县代码", "County code", required=True, pattern=r"\d{6}"),
    ),
    label_field="name",
    style=Style(stroke=(88, 36, 120, 255), stroke_width=2.2, label_max_scale=1_000_000),
    rules=(nests_in("code", "county_code", "township"),),
    indexed=("code",),
)
