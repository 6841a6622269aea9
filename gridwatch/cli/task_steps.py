"""Working a task from the command line: start it, finish it (a fire-point check with what the
check found, e.g. ``--result industrial_heat`` for a kiln or plant found on site), or cancel it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..domain.vocabulary import FIRE_CHECK_RESULTS, RESULT_TITLES, title
from ..errors import GridWatchError
from .common import USER_ENV, _about, _user, command, project_arg


def cmd_task(args: argparse.Namespace) -> int:
    from ..storage import Project
    from ..storage.workflow import change_assignment

    path: Path = args.project
    if args.result is not None and args.action != "finish":
        raise GridWatchError(f"{path}: --result goes with finish (what a fire-point check found)")
    with _about(path):
        Project.open(path, migrate=True)  # writes go to a current project (an older one is backed up first)
        actor = _user(args, path, f"{args.action} a task")
        edit = change_assignment(path, actor, args.task, args.action, result=args.result, notes=args.notes or "",
                                 reason=args.reason or "")
    fires = sum(1 for c in edit.changes if c.table == "fire_point")
    extra = f"; {fires} fire point(s) recorded as {title(RESULT_TITLES, args.result)}" if args.result else ""
    print(f"{edit.title}: task {args.task}{extra}")
    return 0


def add_parsers(sub: Any) -> None:
    """task"""
    results = ", ".join(f"{c} ({title(RESULT_TITLES, c)})" for c in FIRE_CHECK_RESULTS)
    p = command(sub, "task", cmd_task, help="start, finish or cancel one task (a fire-point check is finished "
                "with its result)")
    project_arg(p)
    p.add_argument("action", choices=["start", "finish", "cancel"])
    p.add_argument("--task", required=True, metavar="UUID")
    p.add_argument("--user", metavar="NAME", help=f"the person doing this (default: ${USER_ENV})")
    p.add_argument("--result", choices=list(FIRE_CHECK_RESULTS), help="finishing a fire-point check: what it "
                   "found: " + results.replace("%", "%%"))
    p.add_argument("--notes", help="finishing: what you found")
    p.add_argument("--reason", help="cancelling: why (required)")
