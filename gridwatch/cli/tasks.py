"""Office work: assigning tasks, fire-point checks, task and finding lists, rule checks."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from pathlib import Path
from typing import Any, Optional

from ..domain.vocabulary import CATEGORY_TITLES, FINDING_STATUS_TITLES, KIND_TITLES, TASK_STATUS_TITLES, title
from ..errors import GridWatchError
from .common import (
    USER_ENV,
    _about,
    _beijing,
    _check_project,
    _count,
    _days_arg,
    _due_arg,
    _hours_arg,
    _pad,
    _split,
    _text,
    _township_code,
    _townships,
    _user,
    _write_json,
    _write_table,
    command,
    project_arg,
)


def _assign_targets(args: argparse.Namespace) -> tuple[list[str], Optional[str], Optional[list[str]], str]:
    """(cell codes, target layer, target uuids, description) from the one target option given."""
    from ..storage.workflow import TARGET_LAYERS, cells_for_features, cells_in_area

    path = args.project
    if args.cells is not None:
        codes = _split(args.cells)
        if not codes:
            raise GridWatchError(f"{path}: --cells needs cell codes, e.g. --cells 130110100001001,130110100001002")
        return codes, None, None, ""
    if args.village is not None:
        return cells_in_area(path, village=args.village), None, None, f" of village {args.village}"
    if args.township is not None:
        return cells_in_area(path, township=args.township), None, None, f" of township {args.township}"
    layer, sep, ids = args.features.partition(":")
    layer = layer.strip()
    uuids = _split(ids)
    if not sep or not layer or not uuids:
        raise GridWatchError(f"{path}: --features {args.features!r}: write LAYER:UUID[,UUID...] "
                             f"(layers: {', '.join(TARGET_LAYERS)})")
    pairs = cells_for_features(path, layer, uuids)
    return [c for c, _ in pairs], layer, [u for _, u in pairs], f" for {len(pairs)} {layer} feature(s)"


def _due_text(due) -> str:  # type: ignore[no-untyped-def]
    from ..storage.queries import BEIJING

    return f"due {due.astimezone(BEIJING):%Y-%m-%d %H:%M} (Beijing time)" if due is not None else "no due time"


def cmd_assign(args: argparse.Namespace) -> int:
    import shutil
    import tempfile
    from collections import Counter

    from ..storage import queries
    from ..storage.workflow import create_assignments, find_actor

    path: Path = args.project
    with _about(path):
        _check_project(path)
        actor = _user(args, path, "assigning tasks")
        assignee = find_actor(path, args.assignee).uuid if args.assignee else None
        codes, layer, targets, where = _assign_targets(args)
        if args.kind is None:  # the season of the task's date decides (the calendar's first kind)
            from ..storage.plans import default_task_kind
            from ..times import BEIJING

            day = (args.due or _dt.datetime.now(_dt.timezone.utc)).astimezone(BEIJING).date()
            args.kind = default_task_kind(path, day, layer)
            print(f"kind: {args.kind} (the default on {day}; --kind to choose another)")
    options = dict(due_at=args.due, assignee_uuid=assignee, priority=args.priority, notes=args.notes or "",
                   target_layer=layer, target_uuids=targets)
    if args.dry_run:
        # The core checks everything (role, cells, inspectors) on a scratch copy; the project is only read.
        with tempfile.TemporaryDirectory(prefix="gridwatch-dry-run-") as tmp:
            scratch = Path(tmp) / path.name
            with _about(path, scratch):
                try:
                    shutil.copyfile(path, scratch)
                except OSError as exc:
                    raise GridWatchError(f"{path}: cannot make a scratch copy for the dry run ({exc})") from exc
                edit = _session(scratch, actor.name).run(create_assignments, codes, args.kind, **options)
        people = queries.people(path)
        names = dict(zip(people["uuid"], people["name"]))
        rows = [c.after for c in edit.changes if c.table == "assignment" and c.before is None and c.after]
        cells = len({r["cell_code"] for r in rows})
        print(f"would create {len(rows)} tasks ({args.kind}) in {cells} cells{where}, {_due_text(args.due)}")
        for uid, n in Counter(r["assignee_uuid"] for r in rows).most_common():
            print(_pad(f"  {names.get(uid, uid)}", 12) + f"{n:>6} tasks")
        print("dry run: nothing written")
        return 0
    with _about(path):
        edit = _session(path, actor.name).run(create_assignments, codes, args.kind, **options)
    rows = [c.after for c in edit.changes if c.table == "assignment" and c.before is None and c.after]
    cells = len({r["cell_code"] for r in rows})
    print(f"created {len(edit.created('assignment'))} tasks ({args.kind}) in {cells} cells{where}, "
          f"{_due_text(args.due)}")
    for w in edit.warnings:
        print(f"warning: {w}")
    return 0


def _fire_checks(args: argparse.Namespace) -> int:
    import datetime as _dt

    from ..storage.workflow import create_fire_checks, fire_check_since

    path: Path = args.project
    with _about(path):
        _check_project(path)
        actor = _user(args, path, "creating fire-point checks")
        town = _township_code(path, args.township) if args.township else None
        hours = args.deadline_hours if args.deadline_hours is not None else 24.0
        now = _dt.datetime.now(_dt.timezone.utc)
        if args.since_days is not None:  # said outright: every detection of those days
            since, what = now - _dt.timedelta(days=args.since_days), f"of the last {args.since_days:g} day(s)"
        else:  # by default only what came in since the last run, at most the last 24 hours
            window = _dt.timedelta(hours=args.since_hours if args.since_hours is not None else 24.0)
            since, last = fire_check_since(path, now=now, window=window)
            what = f"since {_beijing_minute(since)} (Beijing time; " + (
                f"last run {_beijing_minute(last)})" if last is not None else "no earlier run)")
        edit = _session(path, actor.name).run(create_fire_checks, deadline=_dt.timedelta(hours=hours),
                                             township_code=town, since=since, now=now)
    checks = len(edit.created("assignment"))
    fires = sum(1 for c in edit.changes if c.table == "fire_point")
    print(f"created {checks} fire-point checks for {fires} fire points detected {what}"
          + (f" in township {args.township}" if town else "")
          + f", {_due_text(now + _dt.timedelta(hours=hours))}")
    return 0


def _beijing_minute(t) -> str:  # type: ignore[no-untyped-def]
    from ..times import BEIJING

    return f"{t.astimezone(BEIJING):%Y-%m-%d %H:%M}"


def cmd_tasks(args: argparse.Namespace) -> int:
    from ..storage import queries
    from ..storage.workflow import find_actor

    parser: argparse.ArgumentParser = args.parser
    listing = [opt for opt, on in (("--assignee", args.assignee), ("--mine", args.mine), ("--overdue", args.overdue),
                                   ("--due-today", args.due_today), ("--open", args.open), ("--json", args.json),
                                   ("--period", args.period))
               if on]
    if args.since_days is not None and args.since_hours is not None:
        parser.error("--since-days and --since-hours: give one of them")
    if args.from_fire_points:
        if listing:
            parser.error(f"--from-fire-points creates checks; it cannot be combined with {', '.join(listing)}")
        return _fire_checks(args)
    for opt, value in (("--township", args.township), ("--deadline-hours", args.deadline_hours),
                       ("--since-days", args.since_days), ("--since-hours", args.since_hours)):
        if value is not None:
            parser.error(f"{opt} goes with --from-fire-points")
    path: Path = args.project
    with _about(path):
        _check_project(path)
        who = None
        if args.mine:
            who = _user(args, path, "--mine").uuid
        elif args.assignee:
            who = find_actor(path, args.assignee).uuid
        frame = queries.tasks(path, assignee_uuid=who, due_today=args.due_today, overdue_only=args.overdue,
                              open_only=args.open)
    from ..times import task_ends

    # --period: the tasks alive in it (an open task older than the period stays)
    return _show_list(args, frame, "tasks", ("created_at", task_ends), _task_row,
                      ["due (Beijing)", "status", "kind", "township", "village", "cell", "assignee", "fires"], (7,))


def _task_row(t) -> list[str]:  # type: ignore[no-untyped-def]
    status = title(TASK_STATUS_TITLES, t.status) + (" 逾期" if t.overdue else "")
    fires = str(_count(t.fire_count)) if t.kind == "fire_check" else ""
    return [_beijing(t.due_at) or "-", status, title(KIND_TITLES, t.kind), _text(t.township_name),
            _text(t.village_name), _text(t.cell_code), _text(t.assignee_name), fires]


def _show_list(args: argparse.Namespace, frame: Any, noun: str, lifetime: tuple[str, Any], row: Any,
               headers: list[str], right: tuple[int, ...]) -> int:
    """Print a list command's rows that lived during --period (``lifetime``: the column each began at and
    the function giving when each ended, for :func:`gridwatch.times.overlaps`): JSON with --json, else a
    table (``row`` makes a table row of a record) and a count line."""
    if args.period is not None:
        from ..times import overlaps

        start, ends = lifetime
        frame = frame[overlaps(frame[start], ends(frame), args.period.window())]
    if args.json:
        _write_json(frame)
        return 0
    rows = [row(r) for r in frame.itertuples(index=False)]
    if rows:
        _write_table(headers, rows, right=right)
    print(f"{len(rows)} {noun}" + (f"; period {args.period.label()}" if args.period is not None else ""))
    return 0


def _finding_flags(f) -> str:  # type: ignore[no-untyped-def]
    flags = []
    if f.overdue:
        flags.append("逾期")
    if _text(f.location_note):
        flags.append("位置在网格外")
    if _count(f.flagged_photos):
        flags.append(f"照片存疑{_count(f.flagged_photos)}")
    if _count(f.reject_count):
        flags.append(f"退回{_count(f.reject_count)}次")
    return " ".join(flags)


def cmd_findings(args: argparse.Namespace) -> int:
    from ..storage import queries

    path: Path = args.project
    with _about(path):
        _check_project(path)
        if args.township:
            towns = _townships(path)
            if not any(args.township == c or args.township in n for c, n in towns):
                raise GridWatchError(f"{path}: no township with code or name {args.township!r}; townships: "
                                     + ", ".join(n for _, n in towns))
        frame = queries.findings(path, status=args.status, category=args.category, township=args.township,
                                 overdue_only=args.overdue)
    from ..times import finding_ends

    # --period: the findings open at some time in it
    return _show_list(args, frame, "findings", ("found_at", finding_ends), _finding_row,
                      ["found (Beijing)", "status", "category", "sev", "township", "village", "cell", "responsible",
                       "deadline", "photos", "flags"], (3, 9))


def _finding_row(f) -> list[str]:  # type: ignore[no-untyped-def]
    return [_beijing(f.found_at), title(FINDING_STATUS_TITLES, f.status),
            title(CATEGORY_TITLES, f.category), _text(f.severity), _text(f.township_name),
            _text(f.village_name), _text(f.cell_code), _text(f.responsible_party) or "-",
            _text(f.rectify_deadline) or "-", str(_count(f.photo_count)), _finding_flags(f)]


def cmd_rules(args: argparse.Namespace) -> int:
    """List the rule hits (grouped by rule, with a count line); with --assign make them tasks."""
    from ..analysis.rule_tasks import hits_to_assignments
    from ..analysis.rules import RULES, check_rules

    path: Path = args.project
    if args.assign and args.due is None:
        raise GridWatchError(f"{path}: --assign needs --due YYYY-MM-DD (the tasks' due date)")
    if args.radius_km is not None and not args.radius_km > 0:
        raise GridWatchError(f"{path}: --radius-km must be more than 0")
    with _about(path):
        _check_project(path)
        actor = _user(args, path, "assigning rule hits") if args.assign else None
        report = check_rules(path, radius_m=args.radius_km * 1000 if args.radius_km is not None else None,
                             mine_days=args.mine_days, fire_days=args.fire_days, rules=args.rule or None)
    counts = report.counts()
    wanted = [r for r in RULES if not args.rule or r in args.rule]
    if args.json and not args.assign:
        json.dump({"now": report.now.isoformat(), "radius_m": report.radius_m, "mine_days": report.mine_days,
                   "fire_days": report.fire_days, "counts": {r: counts[r] for r in wanted},
                   "hits": [h.to_dict() for h in report.hits]},
                  sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    if not args.json:
        for rule in wanted:
            hits = report.by_rule(rule)
            print(f"{RULES[rule][0]} ({RULES[rule][1]}): {len(hits)}")
            if hits:
                _write_table(["township", "cell", "name", "message"],
                             [[h.township, h.cell_code or "", h.name, h.message] for h in hits])
            print()
    total = sum(counts[r] for r in wanted)
    print(f"{total} hits: " + ", ".join(f"{r} {counts[r]}" for r in wanted))
    if args.assign:
        if not report.hits:
            print("nothing to assign")
            return 0
        with _about(path):
            edit = _session(path, actor.name).run(hits_to_assignments, report.hits, due_at=args.due,
                                                 priority=args.priority)
        tasks = edit.created("assignment")
        print(f"created {len(tasks)} tasks for {total} hits, {_due_text(args.due)}")
        for w in edit.warnings:
            print(f"warning: {w}")
    return 0


def add_parsers(sub: Any) -> None:
    """assign, tasks, findings, rules"""
    from ..domain.vocabulary import ASSIGNMENT_KINDS, FINDING_CATEGORIES, FINDING_STATUSES
    from .exports import _period_arg  # the one period parser of the CLI

    user_help = f"the person doing this, as in the people table (default: ${USER_ENV})"
    p = command(sub, "assign", cmd_assign, help="assign inspection tasks to cells, a village, a township or features",
                description="Create one task per cell, for the cell's inspector unless --assignee. "
                            "Only a supervisor or administrator may assign.")
    project_arg(p)
    p.add_argument("--user", metavar="NAME", help=user_help)
    p.add_argument("--kind", choices=list(ASSIGNMENT_KINDS), help="kind of inspection (default: a feature layer's "
                   "own kind, else the seasonal calendar's first kind for the due date, e.g. coal_ban in winter)")
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--cells", metavar="CODE[,CODE...]", help="cell codes")
    where.add_argument("--village", metavar="CODE_OR_NAME", help="every cell of a village")
    where.add_argument("--township", metavar="CODE_OR_NAME", help="every cell of a township")
    where.add_argument("--features", metavar="LAYER:UUID[,UUID...]",
                       help="features to inspect (fire_point, construction_site, mine, coal_ban_zone, "
                            "fireworks_ban_zone), one task each in the cell holding it")
    p.add_argument("--assignee", metavar="NAME", help="give every task to this person")
    p.add_argument("--due", type=_due_arg, metavar="'YYYY-MM-DD HH:MM'",
                   help="due time, Beijing time (a bare date means 23:59 that day)")
    p.add_argument("--priority", type=int, choices=[1, 2, 3], default=2, help="1 high, 2 normal (default), 3 low")
    p.add_argument("--notes", help="notes for the inspectors")
    p.add_argument("--dry-run", action="store_true", help="check and show what would be created, write nothing")

    p = command(sub, "tasks", cmd_tasks, help="list tasks, or create fire-point checks (--from-fire-points)",
                description="List tasks (overdue first, then by due time), or with --from-fire-points "
                            "create one check per cell per Beijing day for unverified fire points "
                            "detected since the last run (at most the last 24 hours; --since-hours, "
                            "--since-days to change).")
    project_arg(p)
    p.add_argument("--user", metavar="NAME", help=user_help)
    p.add_argument("--from-fire-points", action="store_true",
                   help="create fire-point checks for unverified fire points not yet in a check")
    p.add_argument("--deadline-hours", type=_hours_arg, metavar="HOURS",
                   help="with --from-fire-points: time allowed for a check (default 24)")
    p.add_argument("--township", metavar="CODE_OR_NAME", help="with --from-fire-points: only this township")
    p.add_argument("--since-hours", type=_hours_arg, metavar="HOURS",
                   help="with --from-fire-points: detections since the last run, at most HOURS back (default 24)")
    p.add_argument("--since-days", type=_days_arg, metavar="DAYS",
                   help="with --from-fire-points: every detection of the last DAYS days, also those before the "
                        "last run")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--assignee", metavar="NAME", help="only this person's tasks")
    who.add_argument("--mine", action="store_true", help="only the tasks of --user")
    p.add_argument("--overdue", action="store_true", help="only open tasks past their due time")
    p.add_argument("--due-today", action="store_true", help="only open tasks due today (Beijing time)")
    p.add_argument("--open", action="store_true", help="only tasks not done or cancelled")
    p.add_argument("--period", type=_period_arg, metavar="PERIOD",
                   help="24h, 7d, 30d, month, all or YYYY-MM-DD..YYYY-MM-DD (Beijing days): only the tasks alive "
                        "in it (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(parser=p)

    p = command(sub, "findings", cmd_findings, help="list findings (problems found in inspections)")
    project_arg(p)
    p.add_argument("--status", choices=list(FINDING_STATUSES), help="only findings in this state")
    p.add_argument("--township", metavar="CODE_OR_NAME", help="township code or (part of its) name")
    p.add_argument("--category", choices=list(FINDING_CATEGORIES), help="only this category")
    p.add_argument("--overdue", action="store_true", help="only findings past their rectification deadline")
    p.add_argument("--period", type=_period_arg, metavar="PERIOD",
                   help="24h, 7d, 30d, month, all or YYYY-MM-DD..YYYY-MM-DD (Beijing days): only the findings "
                        "open at some time in it (default: all)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    from ..analysis.rules import RULES

    p = command(sub, "rules", cmd_rules, help="rule checks: sites near key areas, fires in the coal-ban zone, mines, "
                                              "overdue findings",
                description="List the features the work plans' rules flag, by rule, with a count line; "
                            "with --assign turn every hit into a task (one action, undoable in the app).")
    project_arg(p)
    p.add_argument("--radius-km", type=float, metavar="KM",
                   help="control radius around every key area (default: each key area's own, 3 km unless set)")
    p.add_argument("--mine-days", type=int, default=30, metavar="DAYS",
                   help="flag mines not inspected for more than DAYS days (default 30)")
    p.add_argument("--fire-days", type=int, default=30, metavar="DAYS",
                   help="fire points detected in the last DAYS days (default 30)")
    p.add_argument("--rule", action="append", choices=list(RULES), help="only this rule (repeatable)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--assign", action="store_true", help="make every hit a task (supervisors and administrators)")
    p.add_argument("--user", metavar="NAME", help=user_help)
    p.add_argument("--due", type=_due_arg, metavar="YYYY-MM-DD", help="with --assign: the tasks' due date "
                                                                       "(Beijing time; a bare date means 23:59)")
    p.add_argument("--priority", type=int, choices=[1, 2, 3], default=1, help="with --assign: 1 high (default)")


def _session(path: Path, user: str):  # type: ignore[no-untyped-def]
    """The app session (imported when a command runs: building the parser stays light, so the
    desktop app's start-up does not wait for pandas)."""
    from ..app.session import Session

    return Session(path, user)
