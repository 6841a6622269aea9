"""What an edit is called, in the user's language (the undo menu, messages).

The core names each edit in Chinese (``Edit.title``, kept in the audit log); the English UI must not
show "Undo 火点核查任务 507 个".  The title is made again here from what the edit did: its action, the
rows it created or changed, and the code lists' titles.  No Qt.
"""

from __future__ import annotations

from ..domain.vocabulary import FINDING_ACTION_TITLES, KIND_TITLES, TASK_ACTION_TITLES, title
from ..storage.edits import Edit


def edit_title(edit: Edit, language: str = "zh_CN") -> str:
    """``edit`` named for ``language`` (undo/redo prefixes dropped: the undo menu adds its own)."""
    zh = language.startswith("zh")
    action = edit.action
    for word in ("undo ", "redo "):
        if action.startswith(word):
            action = action[len(word):]
    tables = {c.table for c in edit.changes}
    created = [c for c in edit.changes if c.before is None and c.after is not None]
    if action == "create":
        tasks = [c for c in created if c.table == "assignment"]
        if tasks:
            n = len(tasks)
            kinds = {str((c.after or {}).get("kind") or "") for c in tasks}
            if kinds == {"fire_check"}:
                return f"火点核查任务 {n} 个" if zh else f"{n} fire-point check(s)"
            kind = title(KIND_TITLES, kinds.pop(), language) if len(kinds) == 1 else ""
            if zh:
                return f"派发{kind or '检查'}任务 {n} 个"
            return f"Assign {n} task(s)" + (f": {kind}" if kind else "")
        if any(c.table == "finding" for c in created):
            return "记录问题" if zh else "Record finding"
        if any(c.table == "attachment" for c in created):
            return "添加照片" if zh else "Add photos"
        people = [c for c in created if c.table == "inspector"]
        if people:
            name = str((people[0].after or {}).get("name") or "")
            return f"新增人员 {name}" if zh else f"Add person {name}"
    if action in TASK_ACTION_TITLES and "assignment" in tables:
        return f"{title(TASK_ACTION_TITLES, action, language)}" + (" 任务" if zh else " (task)")
    if action in FINDING_ACTION_TITLES and "finding" in tables:
        return f"{title(FINDING_ACTION_TITLES, action, language)}" + (" 问题" if zh else " (finding)")
    if action == "edit":
        if "inspector" in tables:
            row = next(c for c in edit.changes if c.table == "inspector")
            name = str((row.after or row.before or {}).get("name") or "")
            return f"修改人员 {name}" if zh else f"Change person {name}"
        cells = [c for c in edit.changes if c.table == "grid_cell"]
        if cells:
            return f"网格员调整 {len(cells)} 个网格" if zh else f"Give {len(cells)} cell(s) to an inspector"
        if "finding" in tables:
            return "修改问题" if zh else "Correct finding"
    if action == "remove track":
        n = len(edit.changes)
        return f"删除巡查轨迹（{n} 个点）" if zh else f"Remove patrol track ({n} points)"
    if action in ("review accept", "review restore"):
        if zh:
            return "同步冲突 " + ("确认" if action.endswith("accept") else "恢复")
        return "Accept sync conflict" if action.endswith("accept") else "Restore overwritten value"
    return edit.title
