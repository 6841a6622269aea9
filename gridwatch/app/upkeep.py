"""The district office's upkeep of the work plans (issue 17), shared by the app (on opening a project,
which every sync does) and the CLI (``gridwatch campaign advance``): keep the summary of every
heavy-pollution warning that has ended, and create the tasks of every campaign round that has begun.

Only the office's copy does it (supervisors and administrators, asked of the domain policy); on anyone
else's it does nothing.  Both steps are idempotent."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import Optional

from ..domain.policy import Action, Actor, may


@dataclass
class Upkeep:
    """What the upkeep did: warnings whose summary it kept, campaign tasks it created (and the edit's title)."""

    summaries: list[str] = field(default_factory=list)
    tasks: int = 0
    rounds_title: str = ""

    def text(self, language: str = "zh_CN") -> str:
        if language.startswith("zh"):
            parts = ([f"已保存 {len(self.summaries)} 个结束预警的汇总"] if self.summaries else []) + \
                ([self.rounds_title] if self.tasks else [])
            return "；".join(parts)
        parts = ([f"kept the summary of {len(self.summaries)} ended warning(s)"] if self.summaries else []) + \
            ([f"created {self.tasks} task(s) of campaign rounds that began"] if self.tasks else [])
        return "; ".join(parts)


def upkeep(path: os.PathLike[str] | str, actor: Optional[Actor], now: Optional[_dt.datetime] = None) -> Upkeep:
    """Keep ended warnings' summaries and create begun campaign rounds (the office only)."""
    from ..storage.campaigns import advance_campaigns
    from ..storage.warning_end import record_ended_warnings

    out = Upkeep()
    if actor is None:
        return out
    out.summaries = record_ended_warnings(path, actor, now)
    if may(actor, Action.CREATE_CAMPAIGN_ROUNDS):
        edit = advance_campaigns(path, actor, now=now)
        out.tasks = len(edit.created("assignment"))
        out.rounds_title = edit.title
    return out
