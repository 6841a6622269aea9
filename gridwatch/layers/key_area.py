"""重点区域 key area: a place whose surroundings are held to a stricter standard.

Air-quality monitoring stations (国控/省控/市控站点), schools, hospitals, residential
concentrations: marked by the district as points or polygons.  Construction sites within
``buffer_m`` (3 km unless set) of a key area must reach dust grade A; the rule checks in
:mod:`gridwatch.analysis.rules` measure it.
"""

from ..domain.vocabulary import KEY_AREA_KINDS
from .base import POINTS_OR_POLYGONS, Field, Style, layer_spec, name_field, parent_code_field, uuid_field

KINDS = KEY_AREA_KINDS
#: Radius within which sites must be grade A, when a key area does not set its own.
DEFAULT_BUFFER_M = 3000.0

SPEC = layer_spec(
    "key_area", ("重点区域", "Key areas"), "key_areas", POINTS_OR_POLYGONS,
    (uuid_field(), name_field(), Field("kind", "TEXT", "类型", "Kind", required=True, choices=KINDS),
     Field("buffer_m", "REAL", "管控半径(m)", "Control radius (m)"), parent_code_field("township"),
     Field("note", "TEXT", "备注", "Note")),
    Style(stroke=(20, 30, 110, 255), stroke_width=1.6, fill=(60, 90, 220, 70), hatch="cross", marker="triangle",
          marker_size=14.0, category_field="kind",
          categories={"national_station": (20, 40, 190, 240), "provincial_station": (70, 120, 230, 235),
                      "city_station": (120, 170, 240, 235), "school": (150, 70, 200, 120),
                      "hospital": (220, 60, 140, 120), "residential": (110, 110, 190, 110),
                      "built_up": (150, 150, 150, 60),
                      "other": (130, 130, 160, 110)}, label_max_scale=80_000),
    indexed=("kind",),
)
