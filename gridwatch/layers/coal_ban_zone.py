"""禁煤区 coal-ban zone: scattered coal may not be sold, stored or burnt."""

from ._zone import ZONE_FIELDS
from .base import POLYGONS, Style, layer_spec

SPEC = layer_spec("coal_ban_zone", ("禁煤区", "Coal-ban zones"), "zones", POLYGONS, ZONE_FIELDS,
                  Style(stroke=(120, 72, 20, 255), stroke_width=1.2, fill=(150, 95, 40, 50), hatch="diagonal"))
