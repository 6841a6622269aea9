"""乡镇/街道 township or subdistrict: the level below the county."""

from .base import POLYGONS, Style, code_field, layer_spec, name_field, nests_in, parent_code_field, uuid_field

SPEC = layer_spec(
    "township", ("乡镇/街道", "Townships"), "boundaries", POLYGONS,
    (uuid_field(), code_field("乡镇代码", 9), name_field(), parent_code_field("county", required=True)),
    Style(stroke=(88, 36, 120, 255), stroke_width=2.2, label_max_scale=1_000_000),
    rules=(nests_in("code", "county_code", "township"),), indexed=("code",),
)
