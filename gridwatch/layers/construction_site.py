"""施工工地 construction site: dust control ("six 100%"), graded A/B/C.

Sites are points (reported by address) or polygons (surveyed footprint).  Sites within 3 km of a
key area must reach grade A (checked by the analysis issue).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd



from ..domain.vocabulary import DUST_GRADES
from .base import POINTS_OR_POLYGONS, Field, Style, layer_spec, name_field, parent_code_field, row_label, uuid_field
from .palette import DUST_GRADE

GRADES = DUST_GRADES


def _dates_in_order(frame: pd.DataFrame) -> list[str]:
    import pandas as pd

    out: list[str] = []
    if "start_date" not in frame.columns or "end_date" not in frame.columns:
        return out
    for i, (s, e) in enumerate(zip(frame["start_date"].tolist(), frame["end_date"].tolist())):
        if s is not None and e is not None and not pd.isna(s) and not pd.isna(e) and e < s:
            out.append(f"construction_site {row_label(frame, i)}: end_date {e} is before start_date {s}")
    return out


SPEC = layer_spec(
    "construction_site", ("施工工地", "Construction sites"), "sources", POINTS_OR_POLYGONS,
    (uuid_field(), name_field("工地名称"), Field("developer", "TEXT", "建设单位", "Developer"),
     Field("area_m2", "REAL", "占地面积(m²)", "Area (m²)"),
     Field("dust_grade", "TEXT", "扬尘管控等级", "Dust grade", required=True, choices=GRADES),
     Field("online_monitor", "BOOLEAN", "在线监测", "Online dust monitor"),
     Field("start_date", "DATE", "开工日期", "Start date"), Field("end_date", "DATE", "竣工日期", "End date"),
     parent_code_field("township"),
     # schema 5: "5000平方米以上建筑工地安装在线监测和视频监控" (gridwatch.analysis.plan_rules)
     Field("video_monitor", "BOOLEAN", "视频监控", "Video monitoring")),
    Style(stroke=(40, 40, 40, 255), stroke_width=1.0, marker="square", marker_size=8.0, category_field="dust_grade",
          categories=dict(DUST_GRADE),
          label_max_scale=40_000),
    rules=(_dates_in_order,), indexed=("township_code",),
)
