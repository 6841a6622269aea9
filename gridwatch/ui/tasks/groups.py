"""Groups of the task list (by township, inspector or state) and each group's progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ...app.store import ASSIGNMENT_STATUSES
from ...domain.vocabulary import TASK_STATUS_TITLES, title

#: Ways to group the task list, in menu order ("" = a flat list).
GROUPINGS = ("township", "assignee", "status", "")
#: Above this many tasks, groups start collapsed: a supervisor first sees one line per group.
COLLAPSE_FROM = 60


@dataclass
class Progress:
    """Tasks of a group: how many, done, cancelled, open and overdue."""

    total: int = 0
    done: int = 0
    cancelled: int = 0
    overdue: int = 0

    @property
    def counted(self) -> int:
        """Tasks that count towards progress (cancelled ones do not)."""
        return self.total - self.cancelled

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.counted) if self.counted else 0

    def add(self, rec: dict[str, Any]) -> None:
        self.total += 1
        status = rec.get("status")
        self.done += status == "done"
        self.cancelled += status == "cancelled"
        self.overdue += bool(rec.get("overdue"))


@dataclass
class Group:
    key: str
    label: str
    order: Any
    records: list[dict[str, Any]] = field(default_factory=list)


def group_key(rec: dict[str, Any], grouping: str, lang: str) -> tuple[str, str, Any]:
    """``(key, label, sort key)`` of the group ``rec`` belongs to."""
    if grouping == "township":
        name = str(rec.get("township_name") or "")
        return str(rec.get("township_code") or ""), name, (not name, str(rec.get("township_code") or ""))
    if grouping == "assignee":
        name = str(rec.get("assignee_name") or "")
        return str(rec.get("assignee_uuid") or ""), name, (not name, name)
    status = str(rec.get("status") or "")
    order = ASSIGNMENT_STATUSES.index(status) if status in ASSIGNMENT_STATUSES else 9
    return status, title(TASK_STATUS_TITLES, status, lang), (order,)


def make_groups(records: Iterable[dict[str, Any]], grouping: str, lang: str) -> list[Group]:
    """The groups of ``records`` in display order (records keep their order within a group)."""
    groups: dict[str, Group] = {}
    for rec in records:
        key, label, order = group_key(rec, grouping, lang)
        groups.setdefault(key, Group(key, label, order)).records.append(rec)
    return sorted(groups.values(), key=lambda g: g.order)


def progress_of(records: Iterable[dict[str, Any]], grouping: str, lang: str) -> dict[str, Progress]:
    """Progress per group key over ``records`` (all tasks, whatever the list shows)."""
    out: dict[str, Progress] = {}
    for rec in records:
        key = group_key(rec, grouping, lang)[0]
        out.setdefault(key, Progress()).add(rec)
    return out
