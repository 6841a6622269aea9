"""禁煤区 coal-ban zone: scattered coal may not be sold, stored or burnt."""

from ._zone import ZONE_FIELDS
from .base import LayerSpec, Style

SPEC = LayerSpec(
    name="coal_ban_zone",
    title_zh="禁煤区",
    title_en="Coal-ban zones",
    group="zones",
    geometry_type="MultiPolygon",
    accepted_geometries=("Polygon", "MultiPolygon"),
    fields=ZONE_FIELDS,
    label_field="name",
    style=Style(stroke=(120, 72, 20, 255), stroke_width=1.2, fill=(150, 95, 40, 50), hatch="diagonal"),
)
