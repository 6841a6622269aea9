"""Error and refusal messages by code, in Chinese and English.

The core raises errors with English messages (the CLI prints them as they are) plus a stable
``code`` and, for the messages people meet most, a ``key`` with the values they name.  The Chinese
UI shows :func:`message_text`: the message looked up by its key and filled in, or else the code's
title in front of the English text, so no core error reaches a Chinese dialog untranslated.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol

from .vocabulary import (
    FINDING_ACTION_TITLES,
    FINDING_STATUS_TITLES,
    ROLE_TITLES,
    TASK_ACTION_TITLES,
    TASK_STATUS_TITLES,
    title,
)

#: The kind of each error code, as a Chinese heading (errors.ERROR_CODES must all be here).
CODE_TITLES_ZH: dict[str, str] = {
    "error": "错误",
    "bad_file": "文件无法使用",
    "bad_input_file": "输入文件无法使用",
    "damaged_project": "项目文件已损坏",
    "import_failed": "导入失败",
    "bad_crs": "坐标系有误",
    "storage": "读写项目失败",
    "disk_full": "磁盘已满",
    "read_only": "文件只读",
    "locked": "文件正被占用",
    "unfinished_write": "文件有未完成的写入",
    "not_found": "未找到",
    "schema_version": "项目版本不符",
    "shared_project": "共享项目只读",
    "invalid_input": "输入有误",
    "sync_failed": "同步失败",
    "share_unavailable": "共享文件夹不可用",
    "not_allowed": "不允许的操作",
    "invalid_step": "不符合流程",
    "refused_by_role": "无权操作",
    "cancelled": "已取消",
}

#: What a role-only action is called in Chinese (the English ``what`` of a refusal).
WHAT_ZH: dict[str, str] = {
    "assign inspections": "派发检查任务",
    "create fire-point checks": "创建火点核查任务",
    "manage people": "管理人员",
    "change who is responsible for cells": "调整网格责任人",
    "review sync conflicts": "处理同步冲突",
    "change the assessment and calendar settings": "修改考核和日历设置",
    "set or lift veto items": "设定或撤销一票否决",
    "declare heavy-pollution warnings": "发布重污染天气预警",
    "downgrade construction sites": "工地降级",
    "create the campaigns' next rounds": "创建专项行动的下一轮任务",
}

#: Message templates by key: Chinese (filled by :func:`_zh_params`).
MESSAGES_ZH: dict[str, str] = {
    "actor.missing": "请先选择当前用户（设置 > 当前用户）。",
    "project.shared_read_only": ("这是共享项目（共享文件夹中供各笔记本同步的那一份），GridWatch 以只读方式打开；"
                                 "如需编辑，请检出一个工作副本（文件 > 检出共享项目，或 gridwatch checkout）并同步"),
    "project.live_read_only": ("这是服务器上某区的实时查看（只读，从服务器刷新）；如需编辑，请检出一个工作副本"
                               "（文件 > 检出共享项目，或 gridwatch checkout）并同步"),
    "live.refused": "服务器拒绝了这项修改，界面已恢复为服务器上的当前状态：{reason_zh}",
    "live.offline": ("无法连接服务器，这项修改没有保存（界面仍是服务器上的状态）；请在服务器可以连接时重试。"
                     "原因：{reason_zh}"),
    "live.unsure": "发送这项修改时与服务器的连接中断；下次刷新时会确认服务器是否已收到。原因：{reason_zh}",
    "pg.password_needed": ("服务器 {server} 要求输入密码（{reason}），而 .pgpass、服务文件和 PGPASSWORD 中都没有；"
                           "什么也没有做。"),
    "pg.password_cancelled": "没有输入服务器 {server} 的密码，已取消，什么也没有做（本机上的修改都还在）。",
    "pg.password_refused": "服务器 {server} 不接受这个密码（{reason}）；什么也没有做，请重试。",
    "pg.server_outdated": ("服务器上的区 {district} 是用较早版本的 GridWatch 建立的（服务器结构版本 {found}，"
                           "本机需要 {needed}{codes_zh}），为避免被拒，这次同步什么也没有发送，本机上的修改都还在。"
                           "请该区的数据库管理员运行：{command}，然后再同步。"),
    "pg.upgrade_not_admin": ("登录名 {login} 不能升级区 {district} 的服务器结构：只有该区的数据库管理员"
                             "（发布它的登录名或其所属角色的成员）可以运行 gridwatch server-upgrade。"),
    "role.unknown": "未知角色“{role}”",
    "role.only": "{name}是{role_zh}；只有{roles_zh}可以{what_zh}",
    "import.role": "{name}是{role_zh}；只有{roles_zh}可以{verb_zh}图层 {layer}",
    "import.replace_needs_user": "替换图层 {layer} 需要项目人员中的督查员或管理员（--user 姓名）",
    "task.not_assignee": "{name}不能操作此任务：任务已派给他人，只有被派人员或督查员可以操作",
    "finding.other_cell": "{name}不能为其他网格员网格内的问题登记整改",
    "finding.own_rectification": "{name}登记了这次整改，不能自己{action_zh}；须由督查员或其他网格员进行",
    "finding.needs_task": "{name}是网格员：问题须在进行中的任务下记录",
    "finding.task_not_started": "任务状态为“{status_zh}”；请先开始检查再记录问题",
    "finding.closed": "问题已销号，不能再修改",
    "finding.closed_photos": "问题已销号，不能再添加照片",
    "finding.not_finder": "{name}只能在交办前修改自己记录的问题；请联系督查员",
    "step.role": "{role_zh}不能{action_zh}（当前状态：{state_zh}）；需要{roles_zh}",
    "step.not_from": "{kind_zh}当前为“{state_zh}”，不能{action_zh}；{hint_zh}",
    "step.unknown_state": "{kind_zh}的状态“{state}”未知",
    "step.invalid": "{kind_zh}不能从“{source_zh}”改为“{target_zh}”",
    "step.other_person": "{column} 必须是操作人 {name}",
    "audit.other_name": "{name}不能以他人（{other}）的名义写操作记录",
    "audit.append_only": "操作记录不能修改或删除",
    "table.admin_only": "只有管理员可以修改 {table}",
    "table.office_only": "只有督查员或管理员可以修改 {table}",
    "checklist.other": "检查清单由检查人本人在其检查中记录",
    "checklist.columns": "已记录的检查项只能转为问题，不能修改",
    "setting.unknown": "没有名为 {setting} 的设置",
    "setting.bad": "{title}：{value} 不可用，应为{hint}",
    "veto.reason": "设定一票否决须填写理由（发生了什么、依据）",
    "veto.lift_reason": "撤销一票否决须填写理由",
    "calendar.shape": "季节日历格式有误：每个季节（winter 冬防期、dust 春季扬尘、ozone 夏季臭氧、autumn 秋季秸秆禁烧）"
                      "须给出各类网格的巡查间隔（天）和默认任务类型",
    "calendar.season": "季节日历：没有季节“{season}”；可用 winter（冬防期）、dust（春季扬尘）、ozone（夏季臭氧）、"
                       "autumn（秋季秸秆禁烧）",
    "calendar.class": "季节日历（{season_zh}）：没有网格类别“{cls}”",
    "calendar.days": "季节日历（{season_zh}）：{class_zh}的巡查间隔须大于 0 天且不超过 366 天，不能是“{days}”",
    "calendar.kind": "季节日历（{season_zh}）：没有任务类型“{kind}”",
    "warning.not_started": "预警要到 {starts} 才开始，不能在开始前解除；如发布有误，请撤销发布",
    "warning.ended": "预警已于 {ends} 结束",
    "lunar.year": "{year} 年：农历日期只能算 1900 至 2099 年",
    "file.disk_full": ("{path}：磁盘已满（所在磁盘剩余 {free}）；没有写入任何内容，原有文件保持不变。"
                       "请腾出磁盘空间后重试"),
    "file.read_only": ("{path}：文件或所在文件夹是只读的，无法写入；没有写入任何内容。请把项目复制到可以写入的文件夹，"
                       "或取得写入权限后重试"),
    "file.locked": "{path}：另一个程序正在写入此文件（文件被锁定）；没有写入任何内容。请等它写完或关闭它后重试",
    "file.unfinished_write": ("{path}：有程序在写入此文件时中断，旁边的 {journal} 记录着未完成的修改；"
                              "由于{folder}只读，无法把它撤回。数据没有丢失：请把这两个文件一起复制到可写的文件夹，"
                              "在那里打开副本"),
    "table.not_chief": "网格长不能修改 {table}",
    "track.no_edit": "巡查轨迹不能修改；如有错误，请删除该轨迹后重新导入",
    "track.other": "{name}只能记录或删除自己的巡查轨迹",
    "fire_point.chief": "网格长只能登记本乡镇火点的核查结果",
    "township.missing": "{name}是网格长，但没有所属乡镇；请管理员设置",
    "township.other": "{name}是乡镇 {township} 的网格长，不能操作乡镇 {other} 的网格",
}


class _HasMessage(Protocol):
    code: str


def _roles_zh(roles: Any) -> str:
    return "或".join(title(ROLE_TITLES, r) for r in (roles or ()))


def _zh_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The values of a message, with Chinese titles for the codes among them."""
    out: dict[str, Any] = {k: ("" if v is None else v) for k, v in params.items()}
    kind = str(params.get("kind", ""))
    states = FINDING_STATUS_TITLES if kind == "finding" else TASK_STATUS_TITLES
    actions = FINDING_ACTION_TITLES if kind == "finding" else TASK_ACTION_TITLES
    out["role_zh"] = title(ROLE_TITLES, params.get("role"))
    out["roles_zh"] = _roles_zh(params.get("roles"))
    out["what_zh"] = WHAT_ZH.get(str(params.get("what", "")), str(params.get("what", "")))
    out["verb_zh"] = "替换" if params.get("replace") else "导入到"
    out["kind_zh"] = {"finding": "问题", "assignment": "任务"}.get(kind, kind)
    out["status_zh"] = title(TASK_STATUS_TITLES, params.get("status"))
    for name in ("state", "source", "target"):
        out[f"{name}_zh"] = title(states, params.get(name))
    action = params.get("action")
    out["action_zh"] = title(actions, action) if action in actions else title(
        {**FINDING_ACTION_TITLES, **TASK_ACTION_TITLES}, action)
    allowed = params.get("allowed") or ()
    out["hint_zh"] = ("可以：" + "、".join(title(actions, a) for a in allowed)) if allowed else "流程已结束"
    return out


def message_text(error: Any, language: str = "zh_CN") -> str:
    """The message of a GridWatch error or policy refusal for ``language``.

    English: the message as raised.  Chinese: the template of its ``key`` filled with its values,
    or the title of its ``code`` in front of the English message.
    """
    english = str(getattr(error, "message", None) or error)
    if not language.startswith("zh"):
        return english
    key = getattr(error, "key", None)
    params = getattr(error, "params", None) or {}
    if key in MESSAGES_ZH:
        try:
            return MESSAGES_ZH[key].format(**_zh_params(params))
        except (KeyError, IndexError, ValueError):
            pass  # a template that misses a value: fall back to the code's title
    code = str(getattr(error, "code", "error"))
    return f"{CODE_TITLES_ZH.get(code, CODE_TITLES_ZH['error'])}：{english}"
