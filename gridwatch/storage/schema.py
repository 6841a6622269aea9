"""The project schema: map layers plus the workflow and metadata tables.

Version 6 of the schema (version 1 plus, in 2, the workflow columns for task results, the finding
loop and photo flags; in 3, the ``key_area`` layer; in 4, the township grid chief role, a person's
village and the fire points' FIRMS type and persistent heat-source flag; in 5, the assessment's veto
items, heavy-pollution warnings, checklist results, campaigns, the construction sites' video monitoring
and the patrol-track layer ``track_point``; in 6, the fire-point density counts ``fire_density``, derived
data kept by triggers, :mod:`gridwatch.storage.density`);
:mod:`gridwatch.storage.migrations` upgrades older files).  Every table carries a text ``uuid``
(stable across copies and syncs) besides the GeoPackage integer ``fid``.  Later versions add a step to
:mod:`gridwatch.storage.migrations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from ..domain.vocabulary import (  # noqa: F401 - re-exported: the schema's code lists
    ASSIGNMENT_KINDS,
    ASSIGNMENT_STATUSES,
    CAMPAIGNS,
    CHECKLIST_ITEMS,
    CONFLICT_STATUSES,
    FINDING_CATEGORIES,
    FINDING_STATUSES,
    FIRE_CHECK_RESULTS,
    ROLES,
    TRACK_SOURCES,
    VETO_ITEMS,
    WARNING_LEVELS,
)
from ..layers import LAYERS
from ..layers.base import Field, uuid_field

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Schema version written by this GridWatch.
SCHEMA_VERSION = 6
#: Key/value table holding schema version, district, CRS.
META_TABLE = "gridwatch_meta"

# The code lists (CHECK constraints) come from the one vocabulary.


@dataclass(frozen=True)
class TableSpec:
    """A workflow table: fields and, for located records, a geometry type."""

    name: str
    title_zh: str
    title_en: str
    fields: tuple[Field, ...]
    geometry_type: Optional[str] = None
    indexed: tuple[str, ...] = ()

    def empty_frame(self) -> pd.DataFrame:
        return pd.DataFrame({f.name: pd.Series([], dtype=f.pandas_dtype) for f in self.fields})

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _t(name: str, type_: str, zh: str, en: str, **kw) -> Field:  # type: ignore[no-untyped-def]
    return Field(name, type_, zh, en, **kw)


WORKFLOW_TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "inspector", "人员", "People",
            (
                uuid_field(),
                _t("name", "TEXT", "姓名", "Name", required=True),
                _t("role", "TEXT", "角色", "Role", required=True, choices=ROLES),
                _t("phone", "TEXT", "电话", "Phone"),
                _t("township_code", "TEXT", "所属乡镇", "Township code"),
                _t("active", "BOOLEAN", "在岗", "Active"),
                # schema 4: the village a grid inspector works in (网格员 are organised by village)
                _t("village_code", "TEXT", "所属村/社区", "Village code"),
            ),
            indexed=("name",),
        ),
        TableSpec(
            "assignment", "任务", "Assignments",
            (
                uuid_field(),
                _t("kind", "TEXT", "任务类型", "Kind", required=True, choices=ASSIGNMENT_KINDS),
                _t("cell_code", "TEXT", "网格编码", "Cell code", required=True),
                _t("target_layer", "TEXT", "对象图层", "Target layer"),
                _t("target_uuid", "TEXT", "对象", "Target"),
                _t("assignee_uuid", "TEXT", "执行人", "Assignee", required=True),
                _t("due_at", "DATETIME", "截止时间", "Due"),
                _t("priority", "INTEGER", "优先级", "Priority"),
                _t("notes", "TEXT", "备注", "Notes"),
                _t("status", "TEXT", "状态", "Status", required=True, choices=ASSIGNMENT_STATUSES),
                _t("created_by", "TEXT", "派发人", "Created by"),
                _t("created_at", "DATETIME", "派发时间", "Created"),
                _t("updated_at", "DATETIME", "更新时间", "Updated"),
                # schema 2
                _t("started_at", "DATETIME", "开始时间", "Started"),
                _t("finished_at", "DATETIME", "完成时间", "Finished"),
                _t("cancelled_at", "DATETIME", "撤销时间", "Cancelled"),
                _t("result", "TEXT", "核查结果", "Result", choices=FIRE_CHECK_RESULTS),
                _t("status_note", "TEXT", "状态说明", "Status note"),
            ),
            indexed=("cell_code", "assignee_uuid", "status"),
        ),
        TableSpec(
            "inspection", "检查", "Inspections",
            (
                uuid_field(),
                _t("assignment_uuid", "TEXT", "任务", "Assignment"),
                _t("cell_code", "TEXT", "网格编码", "Cell code", required=True),
                _t("inspector_uuid", "TEXT", "检查人", "Inspector", required=True),
                _t("kind", "TEXT", "检查类型", "Kind", required=True, choices=ASSIGNMENT_KINDS),
                _t("started_at", "DATETIME", "开始时间", "Started"),
                _t("finished_at", "DATETIME", "完成时间", "Finished"),
                _t("notes", "TEXT", "备注", "Notes"),
            ),
            indexed=("cell_code", "assignment_uuid", "started_at"),
        ),
        TableSpec(
            "finding", "问题", "Findings",
            (
                uuid_field(),
                _t("inspection_uuid", "TEXT", "检查", "Inspection"),
                _t("cell_code", "TEXT", "网格编码", "Cell code", required=True),
                _t("category", "TEXT", "问题类别", "Category", required=True, choices=FINDING_CATEGORIES),
                _t("severity", "INTEGER", "严重程度", "Severity"),
                _t("description", "TEXT", "问题描述", "Description"),
                _t("status", "TEXT", "状态", "Status", required=True, choices=FINDING_STATUSES),
                _t("rectify_deadline", "DATE", "整改期限", "Rectification deadline"),
                _t("responsible_party", "TEXT", "责任主体", "Responsible party"),
                _t("found_by", "TEXT", "发现人", "Found by"),
                _t("found_at", "DATETIME", "发现时间", "Found"),
                _t("updated_at", "DATETIME", "更新时间", "Updated"),
                # schema 2
                _t("location_note", "TEXT", "位置提示", "Location warning"),
                _t("assigned_by", "TEXT", "交办人", "Assigned by"),
                _t("rectify_note", "TEXT", "整改说明", "Rectification note"),
                _t("rectified_by", "TEXT", "整改记录人", "Rectification recorded by"),
                _t("rectified_at", "DATETIME", "整改时间", "Rectified"),
                _t("verify_note", "TEXT", "核查意见", "Verification note"),
                _t("verified_by", "TEXT", "核查人", "Verified by"),
                _t("verified_at", "DATETIME", "核查时间", "Verified"),
                _t("reject_reason", "TEXT", "驳回原因", "Rejection reason"),
                _t("reject_count", "INTEGER", "驳回次数", "Times rejected"),
                _t("closed_by", "TEXT", "销号人", "Closed by"),
                _t("closed_at", "DATETIME", "销号时间", "Closed"),
            ),
            geometry_type="Point",
            indexed=("cell_code", "status", "inspection_uuid"),
        ),
        TableSpec(
            "attachment", "附件", "Attachments",
            (
                uuid_field(),
                _t("finding_uuid", "TEXT", "问题", "Finding", required=True),
                _t("role", "TEXT", "用途", "Role", choices=("evidence", "after")),
                _t("filename", "TEXT", "文件名", "File name"),
                _t("mime_type", "TEXT", "类型", "MIME type"),
                _t("sha256", "TEXT", "校验值", "SHA-256"),
                _t("taken_at", "DATETIME", "拍摄时间", "Taken"),
                _t("longitude", "REAL", "经度", "Longitude"),
                _t("latitude", "REAL", "纬度", "Latitude"),
                _t("data", "BLOB", "内容", "Content"),
                _t("created_at", "DATETIME", "上传时间", "Added"),
                # schema 2
                _t("thumbnail", "BLOB", "缩略图", "Thumbnail"),
                _t("flags", "TEXT", "提示", "Flags"),
                _t("added_by", "TEXT", "上传人", "Added by"),
            ),
            indexed=("finding_uuid",),
        ),
        # schema 5: patrol tracks, one row per recorded position (巡查轨迹)
        TableSpec(
            "track_point", "巡查轨迹", "Patrol tracks",
            (
                uuid_field(),
                _t("track_uuid", "TEXT", "轨迹", "Track", required=True),
                _t("inspector_uuid", "TEXT", "巡查人", "Inspector", required=True),
                _t("assignment_uuid", "TEXT", "任务", "Assignment"),
                _t("recorded_at", "DATETIME", "记录时间", "Recorded", required=True),
                _t("accuracy_m", "REAL", "精度(米)", "Accuracy (m)"),
                _t("source", "TEXT", "来源", "Source", required=True, choices=TRACK_SOURCES),
            ),
            geometry_type="Point",
            indexed=("inspector_uuid", "recorded_at", "track_uuid"),
        ),
        TableSpec(
            "audit_log", "操作日志", "Audit log",
            (
                uuid_field(),
                _t("at", "DATETIME", "时间", "Time", required=True),
                _t("user_name", "TEXT", "用户", "User", required=True),
                _t("action", "TEXT", "操作", "Action", required=True),
                _t("table_name", "TEXT", "表", "Table"),
                _t("row_uuid", "TEXT", "对象", "Row"),
                _t("old_values", "TEXT", "原值", "Old values"),
                _t("new_values", "TEXT", "新值", "New values"),
                _t("details", "TEXT", "说明", "Details"),
            ),
            indexed=("row_uuid", "at"),
        ),
        TableSpec(
            "sync_conflict", "同步冲突", "Sync conflicts",
            (
                uuid_field(),
                _t("sync_uuid", "TEXT", "同步", "Sync"),
                _t("at", "DATETIME", "时间", "Time", required=True),
                _t("table_name", "TEXT", "表", "Table", required=True),
                _t("row_uuid", "TEXT", "对象", "Row"),
                _t("column_name", "TEXT", "字段", "Field"),
                _t("kept_value", "TEXT", "保留值", "Kept value"),
                _t("other_value", "TEXT", "被覆盖值", "Overridden value"),
                _t("kept_by", "TEXT", "保留方", "Kept from"),
                _t("other_by", "TEXT", "覆盖方", "Overridden from"),
                _t("rule", "TEXT", "规则", "Rule"),
                _t("status", "TEXT", "处理状态", "Review status", choices=CONFLICT_STATUSES),
                _t("reviewed_by", "TEXT", "审核人", "Reviewed by"),
                _t("reviewed_at", "DATETIME", "审核时间", "Reviewed"),
            ),
            indexed=("row_uuid", "status"),
        ),
        TableSpec(
            "sync_log", "同步记录", "Sync history",
            (
                uuid_field(),
                _t("at", "DATETIME", "时间", "Time", required=True),
                _t("user_name", "TEXT", "用户", "User", required=True),
                _t("host", "TEXT", "计算机", "Computer"),
                _t("sent", "INTEGER", "上传", "Sent"),
                _t("received", "INTEGER", "下载", "Received"),
                _t("conflicts", "INTEGER", "冲突", "Conflicts"),
                _t("refused", "INTEGER", "拒绝", "Refused"),
                _t("details", "TEXT", "说明", "Details"),
                _t("tables_changed", "TEXT", "变更的表", "Tables changed"),
            ),
            indexed=("at",),
        ),
        # schema 5 (issue 17): veto items of the assessment and heavy-pollution warnings
        TableSpec(
            "assessment_veto", "一票否决", "Veto items",
            (
                uuid_field(),
                _t("township_code", "TEXT", "乡镇代码", "Township code", required=True),
                _t("item", "TEXT", "否决事项", "Item", required=True, choices=VETO_ITEMS),
                _t("occurred_on", "DATE", "发生日期", "Date", required=True),
                _t("reason", "TEXT", "理由", "Reason", required=True),
                _t("set_by", "TEXT", "设定人", "Set by"),
                _t("set_at", "DATETIME", "设定时间", "Set"),
            ),
            indexed=("township_code",),
        ),
        TableSpec(
            "pollution_warning", "重污染天气预警", "Heavy-pollution warnings",
            (
                uuid_field(),
                _t("level", "TEXT", "预警级别", "Level", required=True, choices=WARNING_LEVELS),
                _t("starts_at", "DATETIME", "开始时间", "Starts", required=True),
                _t("ends_at", "DATETIME", "结束时间", "Ends", required=True),
                _t("note", "TEXT", "说明", "Note"),
                _t("declared_by", "TEXT", "发布人", "Declared by"),
                _t("declared_at", "DATETIME", "发布时间", "Declared"),
            ),
            indexed=("starts_at",),
        ),
        # schema 5: checklist items recorded with an inspection (a failed one may become a finding)
        TableSpec(
            "checklist_result", "检查清单", "Checklist results",
            (
                uuid_field(),
                _t("assignment_uuid", "TEXT", "任务", "Task"),
                _t("inspection_uuid", "TEXT", "检查", "Inspection"),
                _t("cell_code", "TEXT", "网格编码", "Cell code", required=True),
                _t("item", "TEXT", "检查项", "Item", required=True, choices=CHECKLIST_ITEMS),
                _t("passed", "BOOLEAN", "合格", "Passed", required=True),
                _t("note", "TEXT", "说明", "Note"),
                _t("finding_uuid", "TEXT", "问题", "Finding"),
                _t("recorded_by", "TEXT", "记录人", "Recorded by"),
                _t("recorded_at", "DATETIME", "记录时间", "Recorded"),
            ),
            indexed=("assignment_uuid", "cell_code"),
        ),
        # schema 5: campaigns (专项行动); their tasks name the campaign as their target
        TableSpec(
            "campaign", "专项行动", "Campaigns",
            (
                uuid_field(),
                _t("template", "TEXT", "模板", "Template", required=True, choices=CAMPAIGNS),
                _t("title", "TEXT", "名称", "Title", required=True),
                _t("kind", "TEXT", "任务类型", "Task kind", required=True, choices=ASSIGNMENT_KINDS),
                _t("first_day", "DATE", "开始日期", "First day", required=True),
                _t("last_day", "DATE", "结束日期", "Last day", required=True),
                _t("every_days", "INTEGER", "每轮天数", "Days per round", required=True),
                _t("township_code", "TEXT", "乡镇代码", "Township code"),
                _t("created_by", "TEXT", "发起人", "Started by"),
                _t("created_at", "DATETIME", "发起时间", "Started"),
            ),
        ),
        TableSpec(
            META_TABLE, "项目信息", "Project metadata",
            (
                _t("key", "TEXT", "项", "Key", required=True, unique=True),
                _t("value", "TEXT", "值", "Value"),
            ),
        ),
    )
}

#: Tables schema 5 added (issue 17).
PLAN_TABLES_V5 = ("assessment_veto", "pollution_warning", "checklist_result", "campaign")
#: Derived tables: computed from the others (by triggers) in every copy, never synced.
DENSITY_TABLE = "fire_density"
DENSITY_POINTS_TABLE = "fire_density_point"
#: Every table a GridWatch project must hold, map layers first.
REQUIRED_TABLES: tuple[str, ...] = tuple(LAYERS) + tuple(WORKFLOW_TABLES) + (DENSITY_TABLE, DENSITY_POINTS_TABLE)
#: Tables a schema-5 project has (the migration to schema 6 adds the fire-point density counts).
REQUIRED_TABLES_V5: tuple[str, ...] = tuple(t for t in REQUIRED_TABLES if t not in (DENSITY_TABLE,
                                                                                    DENSITY_POINTS_TABLE))
#: Tables a schema-4 (or 3) project has (the migration to schema 5 adds the plans' tables and the tracks).
REQUIRED_TABLES_V4: tuple[str, ...] = tuple(t for t in REQUIRED_TABLES_V5
                                            if t not in PLAN_TABLES_V5 and t != "track_point")
#: Tables a schema-2 project has (the migration to schema 3 adds the key-area layer).
REQUIRED_TABLES_V2: tuple[str, ...] = tuple(t for t in REQUIRED_TABLES_V4 if t != "key_area")
#: Tables a schema-1 project has (the migration to schema 2 adds the sync tables).
REQUIRED_TABLES_V1: tuple[str, ...] = tuple(t for t in REQUIRED_TABLES_V2 if t not in ("sync_conflict", "sync_log"))
#: Tables a project of each schema version must hold.
REQUIRED_TABLES_BY_VERSION: dict[int, tuple[str, ...]] = {1: REQUIRED_TABLES_V1, 2: REQUIRED_TABLES_V2,
                                                           3: REQUIRED_TABLES_V4, 4: REQUIRED_TABLES_V4,
                                                           5: REQUIRED_TABLES_V5, 6: REQUIRED_TABLES}


def all_specs() -> dict[str, object]:
    """Map layers and workflow tables by table name."""
    out: dict[str, object] = dict(LAYERS)
    out.update(WORKFLOW_TABLES)
    return out
