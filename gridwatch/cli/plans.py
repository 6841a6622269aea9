"""The work plans' duties (issue 17): ``assess`` (the township assessment), ``veto``, ``warning``,
``calendar``, ``settings`` and ``downgrade``; the Word bulletins are ``export bulletin``,
``export fire-bulletin`` and ``export notice`` (in :mod:`.exports`)."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import GridWatchError
from .common import (
    _about,
    _beijing,
    _check_project,
    _due_arg,
    _text,
    _user,
    _write_json,
    _write_table,
    command,
    project_arg,
)


def _today() -> _dt.date:
    from ..times import BEIJING

    return _dt.datetime.now(_dt.timezone.utc).astimezone(BEIJING).date()


def _migrated(path: Path) -> None:
    """Writes go to a current project: an older one is backed up and upgraded first (as the app does)."""
    from ..storage import Project

    Project.open(path, migrate=True)


def cmd_assess(args: argparse.Namespace) -> int:
    from ..analysis.assessment import assessment_from_project, current_period, parse_assessment_period
    from ..analysis.bulletin import parse_weights

    path: Path = args.project
    period = parse_assessment_period(args.period) if args.period else \
        current_period(args.kind, _today()).previous() if args.kind == "month" else current_period(args.kind, _today())
    weights = parse_weights(args.weights) if args.weights else None
    with _about(path):
        _check_project(path)
        result = assessment_from_project(path, period, weights=weights)
    t = result.table
    if args.json:
        cols = ["rank", "tied", "township_code", "name", "score", "prev_rank", "rank_change", "score_change",
                "fires_straw", "fires_other", "fires_unverified", "fires_industrial_heat", "fires_not_counted",
                "deduction_yuan", "veto",
                "period"]
        _write_json(t[cols])
        return 0
    print(f"{period.label_zh} ({period.label}) 乡镇考核排名")
    import pandas as pd

    rows = []
    for _, r in t.iterrows():
        change = r["rank_change"]
        moved = "" if pd.isna(change) else f"{int(change):+d}" if int(change) else "0"
        rows.append([_text(r["rank"]) + ("=" if r["tied"] else ""), _text(r["name"]), _text(r["score"]), moved,
                     _text(r["fires_straw"]), _text(r["fires_other"]), _text(r["fires_unverified"]),
                     _text(r["fires_industrial_heat"]), f"{float(r['deduction_yuan']) / 10_000:g}", _text(r["veto"])])
    _write_table(["排名", "乡镇", "得分", "名次变化", "秸秆", "其他", "未核查", "工业热源", "扣减(万元)", "一票否决"],
                 rows, right=(2, 3, 4, 5, 6, 7, 8))
    print(f"{len(t)} townships; '=' marks a shared rank; vetoed townships are last")
    return 0


def cmd_veto(args: argparse.Namespace) -> int:
    from ..storage import plans

    path: Path = args.project
    with _about(path):
        _check_project(path) if args.list else _migrated(path)
        if args.list:
            frame = plans.vetoes(path)
            if args.json:
                _write_json(frame)
            else:
                _write_table(["uuid", "township", "item", "date", "reason"],
                             [[_text(r["uuid"]), _text(r["township_code"]), _text(r["item"]), _text(r["occurred_on"]),
                               _text(r["reason"])] for _, r in frame.iterrows()])
                print(f"{len(frame)} veto items")
            return 0
        actor = _user(args, path, "setting a veto item")
        if args.lift:
            plans.lift_veto(path, actor, args.lift, args.reason or "")
            print(f"lifted veto item {args.lift}")
            return 0
        if not (args.township and args.item and args.date):
            raise GridWatchError(f"{path}: give --township, --item, --date and --reason (or --list, --lift UUID)")
        edit = plans.set_veto(path, actor, args.township, args.item, args.date, args.reason or "")
    print(f"set veto item {edit.created('assessment_veto')[0]}: {args.township} {args.item} on {args.date}")
    return 0


def _date_arg(text: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write YYYY-MM-DD") from None


def _warning_key(path: Path, key: str) -> str:
    from ..storage import plans

    if key != "latest":
        return key
    frame = plans.warnings(path)
    if not len(frame):
        raise GridWatchError(f"{path}: no heavy-pollution warning has been declared")
    return str(frame["uuid"].iloc[0])


def _list_warnings(args: argparse.Namespace, path: Path) -> int:
    from ..domain.vocabulary import WARNING_LEVEL_TITLES, title
    from ..storage import plans
    from ..storage.warning_end import record_ended_warnings, stored_summaries
    from .common import USER_ENV

    name = (args.user or os.environ.get(USER_ENV, "")).strip()
    if name:  # the office's copy keeps the summaries of warnings that have ended meanwhile
        _migrated(path)
        record_ended_warnings(path, _user(args, path, "recording warning summaries"))
    frame = plans.warnings(path)
    kept = stored_summaries(path)
    if args.json:
        out = frame.assign(summary=[kept.get(u) for u in frame["uuid"]])
        _write_json(out)
        return 0
    now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    rows = []
    for _, r in frame.iterrows():
        s = kept.get(r["uuid"])
        state = ("ended early" if s["ended_early"] else "ended") if s else \
            "in force" if r["starts_at"] <= now < r["ends_at"] else "declared" if now < r["starts_at"] else \
            "ended (summary not kept yet)"
        rows.append([_text(r["uuid"]), title(WARNING_LEVEL_TITLES, r["level"]), _beijing(r["starts_at"]),
                     _beijing(r["ends_at"]), state] +
                    ([_text(s["sites_under_way"]), _text(s["checked"]), _text(s["breaches"]), _text(s["unchecked"])]
                     if s else ["", "", "", ""]) + [_text(r["note"])])
    _write_table(["uuid", "level", "from", "to", "state", "sites", "checked", "breaches", "unchecked", "note"], rows,
                 right=(5, 6, 7, 8))
    print(f"{len(frame)} warnings; {len(kept)} ended with their summary kept")
    return 0


def _show_summary(args: argparse.Namespace, path: Path) -> int:
    from ..domain.vocabulary import WARNING_LEVEL_TITLES, title
    from ..storage import plans
    from ..storage.warning_end import stored_summaries, summary_sheets

    key = _warning_key(path, args.summary)
    kept = stored_summaries(path).get(key)
    if kept is None:  # in force (or not yet recorded by the office): as it stands now
        row, sites = plans.warning_summary(path, key)
        kept = {"level": row["level"], "starts_at": row["starts_at"], "ends_at": row["ends_at"], "ended_early": False,
                "produced_at": None, "sites": [{k: (bool(v) if k == "checked" else v) for k, v in s.items()}
                                               for s in sites.to_dict("records")],
                "sites_under_way": len(sites), "checked": int(sites["checked"].sum()) if len(sites) else 0,
                "breaches": int(sites["breaches"].sum()) if len(sites) else 0}
        kept["unchecked"] = kept["sites_under_way"] - kept["checked"]
        if args.out:
            raise GridWatchError(f"{path}: warning {key} has no kept summary yet (it is in force, or the office has "
                                 "not recorded its end); export it once it has ended")
    if args.out:
        from ..export.tables import write_tables

        out = write_tables(summary_sheets(kept), args.out)
        print(f"wrote {out}")
        return 0
    if args.json:
        json.dump(kept, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    when = f"; summary kept {_beijing(kept['produced_at'])}" if kept["produced_at"] else "; as it stands now"
    print(f"{title(WARNING_LEVEL_TITLES, kept['level'])} {_beijing(kept['starts_at'])} 至 {_beijing(kept['ends_at'])}"
          + ("（提前解除）" if kept["ended_early"] else "") + when)
    _write_table(["工地", "网格", "已检查", "问题"],
                 [[_text(s["name"]), _text(s["cell_code"]), "是" if s["checked"] else "否", _text(s["breaches"])]
                  for s in kept["sites"]], right=(3,))
    print(f"{kept['sites_under_way']} sites under way: {kept['checked']} checked, {kept['breaches']} breaches found, "
          f"{kept['unchecked']} unchecked")
    return 0


def cmd_warning(args: argparse.Namespace) -> int:
    from ..domain.vocabulary import WARNING_LEVEL_TITLES, title
    from ..storage import plans

    path: Path = args.project
    with _about(path):
        if args.list:
            _check_project(path)
            return _list_warnings(args, path)
        if args.summary:
            _check_project(path)
            return _show_summary(args, path)
        _migrated(path)
        if args.end:
            from ..storage.warning_end import end_warning, stored_summaries

            key = _warning_key(path, args.end)
            end_warning(path, _user(args, path, "ending a warning"), key, reason=args.note or "")
            s = stored_summaries(path)[key]
            print(f"ended warning {key} at {_beijing(s['ends_at'])}: {s['sites_under_way']} sites under way, "
                  f"{s['checked']} checked, {s['breaches']} breaches found, {s['unchecked']} unchecked (kept)")
            return 0
        if not (args.level and args.start and args.end_time):
            raise GridWatchError(f"{path}: give --level, --from and --to (or --list, --summary UUID|latest, "
                                 "--end UUID|latest)")
        actor = _user(args, path, "declaring a warning")
        edit = plans.declare_warning(path, actor, args.level, args.start, args.end_time, note=args.note or "")
    n = len(edit.created("assignment"))
    print(f"declared {title(WARNING_LEVEL_TITLES, args.level)} ({args.level}) from {args.start:%Y-%m-%d %H:%M} to "
          f"{args.end_time:%Y-%m-%d %H:%M}; {n} construction-site checks due {args.start:%Y-%m-%d} 23:59")
    return 0


def _calendar_edits(args: argparse.Namespace, current: dict[str, Any]) -> dict[str, Any]:
    """The calendar with ``--interval SEASON:CLASS=DAYS`` and ``--kinds SEASON=KIND[,KIND]`` applied
    (checked by the core when stored)."""
    import copy

    out = copy.deepcopy(current)
    for item in args.interval or []:
        where, sep, days = item.partition("=")
        season, sep2, cls = where.partition(":")
        if not (sep and sep2):
            raise GridWatchError(f"--interval {item!r}: write SEASON:CLASS=DAYS, e.g. winter:coal_ban_zone=7")
        out.setdefault(season.strip(), {}).setdefault("intervals", {})[cls.strip()] = days.strip()
    for item in args.kinds or []:
        season, sep, kinds = item.partition("=")
        if not sep or not kinds.strip():
            raise GridWatchError(f"--kinds {item!r}: write SEASON=KIND[,KIND...], e.g. winter=coal_ban,patrol")
        out.setdefault(season.strip(), {})["task_kinds"] = [k.strip() for k in kinds.split(",") if k.strip()]
    return out


def cmd_calendar(args: argparse.Namespace) -> int:
    from ..domain.calendar import SEASONS, fireworks_ban_period, report_deadlines, season_of, spring_festival
    from ..domain.plans import settings_from_meta
    from ..domain.seasonal import CELL_CLASS_TITLES, CELL_CLASSES, DEFAULT_CALENDAR, season_plan

    settings = settings_from_meta({})
    if args.project is not None:
        from ..storage import plans

        with _about(args.project):
            _check_project(args.project)
            if args.interval or args.kinds or args.reset:
                current = plans.read_settings(args.project)["calendar"]
                new = DEFAULT_CALENDAR if args.reset else _calendar_edits(args, current)
                _migrated(args.project)
                actor = _user(args, args.project, "changing the calendar")
                plans.set_settings(args.project, actor, {"calendar": new})
                print("calendar " + ("reset to the plans' defaults" if args.reset else "changed"))
            settings = plans.read_settings(args.project)
    elif args.interval or args.kinds or args.reset:
        raise GridWatchError("give the project whose calendar to change: gridwatch calendar PROJECT --interval ...")
    today = args.date or _today()
    years = [args.year] if args.year else [today.year, today.year + 1]
    season = season_of(today)
    plan = season_plan(settings, today)
    print(f"{today}: {season.title_zh} ({season.title_en}), focus {season.focus_zh}; new tasks default to "
          f"{plan.default_kind}" + ("; fireworks ban period" if plan.fireworks_ban else ""))
    calendar = settings["calendar"]
    _write_table(["季节", "月份"] + [CELL_CLASS_TITLES[c][0] for c in CELL_CLASSES] + ["任务类型"],
                 [[s.title_zh, ",".join(str(m) for m in s.months)] +
                  [f"{calendar[s.key]['intervals'][c]:g}" for c in CELL_CLASSES] +
                  [",".join(calendar[s.key]["task_kinds"])] for s in SEASONS], right=tuple(range(2, 8)))
    print("patrol interval in days; a cell in several classes keeps the shortest; the fireworks-ban zone's "
          "interval applies during the fireworks ban only")
    for y in years:
        a, b = fireworks_ban_period(y, settings["fireworks_days_before"], settings["fireworks_days_after"])
        print(f"fireworks ban {y}: {a} to {b} (春节 {spring_festival(y)})")
    for key, day in report_deadlines(today, settings["township_report_day"], settings["bulletin_day"]):
        print(f"next {key.replace('_', ' ')} deadline: {day}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    from ..domain.plans import SETTINGS
    from ..storage import plans

    path: Path = args.project
    with _about(path):
        _check_project(path)
        if args.set:
            values: dict[str, Any] = {}
            for item in args.set:
                key, sep, value = item.partition("=")
                if not sep:
                    raise GridWatchError(f"--set {item!r}: write KEY=VALUE, e.g. deduction_straw_yuan=500000")
                values[key.strip()] = value.strip()
            current = plans.set_settings(path, _user(args, path, "changing settings"), values)
        else:
            current = plans.read_settings(path)
    if args.json:
        json.dump(current, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    _write_table(["key", "value", "default", "setting"],
                 [[k, _text(current[k]), _text(s.default), s.title_zh] for k, s in SETTINGS.items()])
    return 0


def cmd_downgrade(args: argparse.Namespace) -> int:
    from ..storage import plans

    path: Path = args.project
    with _about(path):
        _migrated(path)
        actor = _user(args, path, "downgrading a site")
        edit = plans.downgrade_site(path, actor, args.site, args.grade, args.reason or "")
    print(f"{edit.title}; reason: {args.reason}")
    return 0


def add_parsers(sub: Any) -> None:
    """assess, veto, warning, calendar, settings, downgrade"""
    from ..domain.vocabulary import DUST_GRADES, VETO_ITEMS, WARNING_LEVELS

    p = command(sub, "assess", cmd_assess, help="the township assessment (考核): ranking with fire deductions, ties, "
                "veto items and the change against the previous period")
    project_arg(p)
    p.add_argument("--period", metavar="PERIOD", help="2026-11 (month), 2026-Q4 (quarter) or 2026 (year); default: "
                   "last month, or this quarter / year with --kind")
    p.add_argument("--kind", choices=["month", "quarter", "year"], default="month", help="without --period")
    p.add_argument("--weights", metavar="NAME=W,...", help="indicator weights (as for export ranking)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p = command(sub, "veto", cmd_veto, help="set, lift or list veto items (一票否决) of townships")
    project_arg(p)
    p.add_argument("--user", help="the supervisor or administrator acting")
    p.add_argument("--township", metavar="CODE_OR_NAME")
    p.add_argument("--item", choices=VETO_ITEMS)
    p.add_argument("--date", type=_date_arg, metavar="YYYY-MM-DD", help="when it happened (every period holding it)")
    p.add_argument("--reason", help="what happened, the evidence (required)")
    p.add_argument("--lift", metavar="UUID", help="lift this veto item (with --reason)")
    p.add_argument("--list", action="store_true")
    p.add_argument("--json", action="store_true")
    p = command(sub, "warning", cmd_warning, help="declare a heavy-pollution warning (orange and red: a check of "
                "every construction site under way, due that day), list them, or summarise one")
    project_arg(p)
    p.add_argument("--user", help="the supervisor or administrator declaring")
    p.add_argument("--level", choices=WARNING_LEVELS)
    p.add_argument("--from", dest="start", type=_due_arg, metavar="'YYYY-MM-DD HH:MM'", help="start (Beijing time)")
    p.add_argument("--to", dest="end_time", type=_due_arg, metavar="'YYYY-MM-DD HH:MM'", help="end (Beijing time)")
    p.add_argument("--note", help="the warning's text or number (with --end: why it ends early)")
    p.add_argument("--end", metavar="UUID|latest", help="end a warning in force now; its summary is kept")
    p.add_argument("--list", action="store_true", help="every warning with its kept summary (with --user from the "
                   "office: first keep the summaries of warnings that have ended)")
    p.add_argument("--summary", metavar="UUID|latest", help="sites checked, breaches found, unchecked sites (kept "
                   "at the end; while in force, as it stands)")
    p.add_argument("--out", type=Path, metavar="FILE.xlsx|.csv", help="with --summary: export the kept summary")
    p.add_argument("--json", action="store_true")
    p = command(sub, "calendar", cmd_calendar, help="the seasonal calendar (patrol interval per cell class, default "
                "task kinds; show or change), the fireworks ban around the Spring Festival, the next deadlines")
    p.add_argument("project", type=Path, nargs="?", help="GridWatch project (its settings); default the plans' values")
    p.add_argument("--year", type=int, help="the fireworks ban of this year (default this and next)")
    p.add_argument("--date", type=_date_arg, metavar="YYYY-MM-DD", help="the day to show (default today)")
    p.add_argument("--interval", action="append", metavar="SEASON:CLASS=DAYS", help="change a patrol interval, e.g. "
                   "winter:coal_ban_zone=7 (seasons: winter, dust, ozone, autumn; classes: mine_or_grade_c_site, "
                   "coal_ban_zone, fireworks_ban_zone, construction_site, fire_prone, other); repeatable")
    p.add_argument("--kinds", action="append", metavar="SEASON=KIND[,KIND]", help="the season's task kinds, the "
                   "first one the default of new tasks, e.g. winter=coal_ban,fireworks,patrol; repeatable")
    p.add_argument("--reset", action="store_true", help="back to the plans' calendar")
    p.add_argument("--user", help="the supervisor or administrator changing the calendar")
    p = command(sub, "settings", cmd_settings, help="show or change the plans' settings (deductions, ban days, "
                "deadlines, the warning level that stops earthwork)")
    project_arg(p)
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="change a setting (repeatable)")
    p.add_argument("--user", help="the supervisor or administrator acting")
    p.add_argument("--json", action="store_true")
    p = command(sub, "downgrade", cmd_downgrade, help="downgrade a construction site's dust grade with a reason")
    project_arg(p)
    p.add_argument("--user", help="the supervisor or administrator acting")
    p.add_argument("--site", required=True, metavar="UUID")
    p.add_argument("--grade", required=True, choices=DUST_GRADES)
    p.add_argument("--reason", required=True)
    add_checklist_parser(sub)
    add_campaign_parser(sub)


def cmd_checklist(args: argparse.Namespace) -> int:
    from ..domain.checklists import item_title
    from ..storage.checklists import checklist_results, record_checklist, task_checklist
    from ..storage.plans import read_settings

    path: Path = args.project
    with _about(path):
        _migrated(path)
        task, items = task_checklist(path, args.task)
        if args.show:
            done = checklist_results(path, args.task)
            names = read_settings(path)["checklist_titles"]
            _write_table(["item", "检查项", "recorded"],
                         [[i, item_title(i, names), "; ".join(
                             ("合格" if r["passed"] else "不合格") + (f"：{r['note']}" if r["note"] else "")
                             for _, r in done[done["item"] == i].iterrows())] for i in items])
            return 0
        failed: dict[str, str] = {}
        for part in args.fail or []:
            item, _, note = part.partition("=")
            failed[item.strip()] = note.strip()
        results = {i: (i not in failed, failed.get(i, "")) for i in items}
        results.update({i: (False, n) for i, n in failed.items() if i not in results})  # unknown: refused below
        actor = _user(args, path, "recording a checklist")
        edit = record_checklist(path, actor, args.task, results, make_findings=args.findings)
    n_failed = sum(1 for ok, _ in results.values() if not ok)
    print(f"{task['kind']} checklist of task {args.task}: {len(results)} items: {len(results) - n_failed} passed, "
          f"{n_failed} failed; {len(edit.created('finding'))} findings recorded")
    for warning in edit.warnings:
        print(f"note: {warning}")
    return 0


def add_checklist_parser(sub: Any) -> None:
    p = command(sub, "checklist", cmd_checklist, help="record the checklist of a task in progress (construction "
                "sites' six 100%%, coal-ban and fireworks items); failed items may become findings at once")
    project_arg(p)
    p.add_argument("--task", required=True, metavar="UUID")
    p.add_argument("--user", help="who inspects (the task's assignee, a chief or a supervisor)")
    p.add_argument("--fail", action="append", metavar="ITEM[=NOTE]", help="a failed item (repeatable); the others "
                   "passed")
    p.add_argument("--findings", action="store_true", help="every failed item also becomes a finding")
    p.add_argument("--show", action="store_true", help="list the task's checklist and what was recorded")


def cmd_campaign(args: argparse.Namespace) -> int:
    from ..domain.campaigns import TEMPLATES
    from ..storage import campaigns as camp

    path: Path = args.project
    with _about(path):
        if args.list or args.progress:
            _check_project(path)
        else:
            _migrated(path)
        if args.action == "advance":
            from ..app.upkeep import upkeep

            actor = _user(args, path, "creating campaign rounds")
            edit = camp.advance_campaigns(path, actor)
            kept = upkeep(path, actor).summaries  # the office's other upkeep: ended warnings' summaries
            print(f"{edit.title}; {len(edit.created('assignment'))} tasks created"
                  + (f"; kept the summary of {len(kept)} ended warning(s)" if kept else ""))
            return 0
        if args.list:
            frame = camp.campaigns(path)
            _write_table(["uuid", "campaign", "kind", "every"],
                         [[_text(r["uuid"]), _text(r["title"]), _text(r["kind"]), f"{r['every_days']} d"]
                          for _, r in frame.iterrows()])
            print(f"{len(frame)} campaigns")
            return 0
        if args.progress:
            key = args.progress
            if key == "latest":
                frame = camp.campaigns(path)
                if not len(frame):
                    raise GridWatchError(f"{path}: no campaign has been started")
                key = str(frame["uuid"].iloc[0])
            info, rounds, towns = camp.campaign_progress(path, key)
            if args.json:
                json.dump({"campaign": info, "rounds": rounds.to_dict("records"),
                           "townships": towns.to_dict("records")},
                          sys.stdout, ensure_ascii=False, indent=2, default=str)
                sys.stdout.write("\n")
                return 0
            print(info["title"])
            _write_table(["轮次", "开始", "结束", "任务", "完成", "未完成", "超期", "完成率(%)"],
                         [[_text(r["round"]), _text(r["first_day"]), _text(r["last_day"]),
                           _text(r["tasks"]) if r["made"] else "待建", _text(r["done"]), _text(r["open"]),
                           _text(r["overdue"]), _text(r["done_pct"])]
                          for _, r in rounds.iterrows()], right=(3, 4, 5, 6, 7))
            _write_table(["乡镇", "任务", "完成", "超期", "完成率(%)"],
                         [[_text(r["township"]), _text(r["tasks"]), _text(r["done"]), _text(r["overdue"]),
                           _text(r["done_pct"])] for _, r in towns.iterrows()], right=(1, 2, 3, 4))
            return 0
        if not args.template:
            raise GridWatchError(f"{path}: give --template ({', '.join(TEMPLATES)}), or --list, --progress")
        township = None
        if args.township:
            from .common import _township_code

            township = _township_code(path, args.township)
        actor = _user(args, path, "starting a campaign")
        edit = camp.start_campaign(path, actor, args.template, first_day=args.first, last_day=args.last,
                                   township_code=township)
    print(f"started {edit.title}: {len(edit.created('assignment'))} tasks now (later rounds when they begin); "
          f"campaign {edit.created('campaign')[0]}")
    return 0


def add_campaign_parser(sub: Any) -> None:
    from ..domain.campaigns import TEMPLATES

    p = command(sub, "campaign", cmd_campaign, help="start a campaign (专项行动) from its template: one task per cell "
                "per round, the rounds begun so far; 'advance' makes the rounds that have begun since (the office); "
                "list campaigns; show one's progress")
    p.add_argument("action", nargs="?", choices=["advance"], help="advance: create the tasks of every round that has "
                   "begun and has none yet (supervisors, administrators; idempotent)")
    project_arg(p)
    p.add_argument("--template", choices=list(TEMPLATES))
    p.add_argument("--from", dest="first", type=_date_arg, metavar="YYYY-MM-DD", help="first day (default: the "
                   "template's season or the fireworks ban, from today)")
    p.add_argument("--to", dest="last", type=_date_arg, metavar="YYYY-MM-DD", help="last day")
    p.add_argument("--township", metavar="CODE_OR_NAME", help="only this township")
    p.add_argument("--user", help="who starts it (a chief in their township, a supervisor, an administrator)")
    p.add_argument("--list", action="store_true")
    p.add_argument("--progress", metavar="UUID|latest", help="tasks done, open and overdue per round and township")
    p.add_argument("--json", action="store_true")
