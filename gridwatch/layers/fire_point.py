"""火点 satellite fire point: each must be checked on site and counts against its township.

``detected_utc`` is the acquisition time in UTC as the satellite centre reports it;
``detected_local`` is the same instant in Beijing time (UTC+8) as ISO text, which is what
inspectors and bulletins use.  ``heat_source`` marks detections of a persistent industrial heat
source (kilns, plants: the same place day after day, or FIRMS type 2); they are drawn apart and
kept out of straw-burning counts unless a check confirms burning.  ``cell_code``,
``village_code`` and ``township_code`` record where the point falls (filled by the spatial join
on import).
"""

from ..domain.vocabulary import FIRE_BURNING_RESULTS, FIRE_SOURCES, FIRE_STATUSES
from .base import POINTS, Field, Style, layer_spec, parent_code_field, uuid_field
from .palette import FIRE_OUTLINE, FIRE_STATUS

SOURCES = FIRE_SOURCES
STATUSES = FIRE_STATUSES

SPEC = layer_spec(
    "fire_point", ("火点", "Fire points"), "fires", POINTS,
    (uuid_field(), Field("detected_utc", "DATETIME", "监测时间(UTC)", "Detected (UTC)", required=True),
     Field("detected_local", "TEXT", "监测时间(北京时间)", "Detected (Beijing time)", required=True),
     Field("source", "TEXT", "数据源", "Source", required=True, choices=SOURCES),
     Field("satellite", "TEXT", "卫星", "Satellite"), Field("confidence", "INTEGER", "置信度", "Confidence (0-100)"),
     Field("frp", "REAL", "火辐射功率(MW)", "FRP (MW)"),
     Field("cell_code", "TEXT", "网格编码", "Cell code", pattern=r"\d{15}"), parent_code_field("village"),
     parent_code_field("township"),
     Field("status", "TEXT", "核查状态", "Verification status", required=True, choices=STATUSES),
     # schema 2: the fire-point check (assignment) that covers this point
     Field("check_uuid", "TEXT", "核查任务", "Check task"),
     # schema 4: FIRMS's own type (0 vegetation fire, 2 static land source ...) and the persistent
     # heat source recognised from repeated detections (gridwatch.domain.heat_sources)
     Field("source_type", "INTEGER", "火点类型(FIRMS)", "FIRMS type"),
     Field("heat_source", "BOOLEAN", "持续热源", "Persistent heat source")),
    Style(stroke=FIRE_OUTLINE, stroke_width=0.5, marker="circle", marker_size=5.0, category_field="status",
          categories=dict(FIRE_STATUS), flag_category=("heat_source", "heat_source"),
          flag_keeps=FIRE_BURNING_RESULTS),
    label_field=None, indexed=("cell_code", "township_code", "detected_utc", "check_uuid"),
)
