"""How workflow codes read to people (Chinese, English): task kinds and states, finding
categories and states, fire-check results, loop actions.  Files store the short English codes."""

from __future__ import annotations

KIND_TITLES = {
    "patrol": ("巡查", "Routine patrol"),
    "unannounced": ("暗访", "Unannounced visit"),
    "fire_check": ("火点核查", "Fire-point check"),
    "construction_dust": ("工地扬尘检查", "Construction dust check"),
    "coal_ban": ("禁煤检查", "Coal-ban check"),
    "fireworks": ("烟花爆竹检查", "Fireworks check"),
    "mine": ("矿山检查", "Mine check"),
}
TASK_STATUS_TITLES = {
    "assigned": ("待检查", "Assigned"),
    "in_progress": ("检查中", "In progress"),
    "done": ("已完成", "Done"),
    "cancelled": ("已撤销", "Cancelled"),
}
CATEGORY_TITLES = {
    "scattered_coal": ("散煤", "Scattered coal"),
    "open_burning": ("秸秆/露天焚烧", "Straw or open burning"),
    "construction_dust": ("扬尘", "Construction dust"),
    "fireworks": ("烟花爆竹", "Fireworks sale or use"),
    "mine_dust": ("矿山扬尘", "Mine dust"),
    "scattered_polluter": ("散乱污", "Scattered polluting enterprise"),
    "catering_fumes": ("餐饮油烟", "Catering fumes"),
    "other": ("其他", "Other"),
}
FINDING_STATUS_TITLES = {
    "found": ("发现", "Found"),
    "assigned": ("已交办", "Assigned for rectification"),
    "rectified": ("已整改", "Rectified"),
    "verified": ("已核查", "Verified"),
    "closed": ("已销号", "Closed"),
}
RESULT_TITLES = {
    "burning_confirmed": ("确认焚烧", "Burning confirmed"),
    "no_burning": ("未发现焚烧", "No burning found"),
    "outside_cell": ("不在本网格", "Outside the cell"),
}
FINDING_ACTION_TITLES = {
    "assign": ("交办", "Assign for rectification"),
    "rectify": ("整改", "Record rectification"),
    "verify": ("核查通过", "Verify"),
    "reject": ("驳回", "Reject"),
    "close": ("销号", "Close"),
}
TASK_ACTION_TITLES = {
    "start": ("开始检查", "Start"),
    "finish": ("完成", "Finish"),
    "cancel": ("撤销", "Cancel task"),
}
SEVERITY_TITLES = {1: ("一般", "Minor"), 2: ("较重", "Serious"), 3: ("严重", "Grave")}
PRIORITY_TITLES = {1: ("紧急", "Urgent"), 2: ("普通", "Normal"), 3: ("低", "Low")}
ROLE_TITLES = {"inspector": ("网格员", "Inspector"), "supervisor": ("督查员", "Supervisor"),
               "admin": ("管理员", "Administrator")}


def title(table: dict, code: object, language: str = "zh_CN") -> str:
    """The title of ``code`` in ``table`` for ``language`` (the code itself if unknown)."""
    pair = table.get(code)  # type: ignore[call-overload]
    if pair is None:
        return "" if code is None else str(code)
    return pair[0] if language.startswith("zh") else pair[1]
