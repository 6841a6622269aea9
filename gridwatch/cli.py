"""``gridwatch`` command line: scripted office work over the same core functions the app uses.

Every failure the user can act on is printed as one line, ``gridwatch: error: <file>: <problem>``,
with exit status 2; files named on the command line are never modified by a failed command.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import unicodedata
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .domain.vocabulary import CATEGORY_TITLES, FINDING_STATUS_TITLES, KIND_TITLES, TASK_STATUS_TITLES, title
from .errors import GridWatchError

log = logging.getLogger("gridwatch")

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _fmt_extent(extent: Optional[tuple[float, float, float, float]]) -> str:
    if extent is None:
        return "-"
    minx, miny, maxx, maxy = extent
    return f"{minx:.5f},{miny:.5f} : {maxx:.5f},{maxy:.5f}"


def cmd_info(args: argparse.Namespace) -> int:
    from .storage import project_info

    info = project_info(args.project)
    if args.json:
        json.dump(info.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    out.write(f"{info.district_name} (county {info.county_code})  {info.path}\n")
    out.write(f"GridWatch schema v{info.schema_version}, CRS {info.crs} (CGCS2000)\n\n")
    out.write("Map layers\n")
    out.write(_pad("  layer", 22) + _pad("title", 20) + "features".rjust(9) + "  " + _pad("geometry", 14)
              + _pad("CRS", 11) + "extent (lon,lat min : max)\n")
    for li in info.layers:
        out.write(
            _pad("  " + li.name, 22) + _pad(li.title_zh, 20) + f"{li.feature_count:>9,}  "
            + _pad(li.geometry_type or "-", 14) + _pad(li.crs or "-", 11) + _fmt_extent(li.extent) + "\n"
        )
    out.write("\nWorkflow tables\n")
    for li in info.tables:
        geom = f"  ({li.geometry_type}, {li.crs})" if li.geometry_type else ""
        out.write(_pad("  " + li.name, 22) + _pad(li.title_zh, 20) + f"{li.feature_count:>9,}{geom}\n")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    from .storage import check_project

    check_project(args.project)  # a clear one-line error before any window appears
    from .ui.app import run

    return run(args.project)


def cmd_import(args: argparse.Namespace) -> int:
    from .importers.pipeline import ImportOptions, commit_import, prepare_import

    field_map: dict[str, str] = {}
    for item in args.field_map or []:
        if "=" not in item:
            raise GridWatchError(f"--field-map {item!r}: write SRC=DST (source field = layer field)")
        src, dst = item.split("=", 1)
        field_map[src.strip()] = dst.strip()
    options = ImportOptions(kind=args.layer, source_layer=args.source_layer, field_map=field_map,
                            encoding=args.encoding, crs=_crs_arg(args.crs),
                            mode="replace" if args.replace else "append", user=args.user or "")
    prepared = prepare_import(args.project, args.file, options)
    if args.dry_run:
        print(prepared.report.summary())
        print("dry run: nothing written")
        return 0
    report = commit_import(prepared)
    print(report.summary())
    return 0


def _crs_arg(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    return f"EPSG:{value}" if value.isdigit() else value


def cmd_sample(args: argparse.Namespace) -> int:
    from .sample import write_sample

    show = not args.quiet and sys.stderr.isatty()

    def progress(fraction: float, message: str) -> None:
        if show:
            sys.stderr.write(f"\r{fraction * 100:5.1f}%  {message:<40}")
            sys.stderr.flush()

    path = write_sample(args.out, scale=args.scale, seed=args.seed, overwrite=args.overwrite, progress=progress)
    if show:
        sys.stderr.write("\n")
    print(f"wrote {path}")
    return 0


# --- office work: assigning tasks, fire-point checks, task and finding lists -------------------

USER_ENV = "GRIDWATCH_USER"


class _about:
    """``with _about(path):`` makes every GridWatchError inside it one line that names ``path``.

    ``scratch`` is a working copy (``--dry-run``) whose name is replaced by the user's file.
    """

    def __init__(self, path: Path, scratch: Optional[Path] = None) -> None:
        self.path = path
        self.scratch = scratch

    def __enter__(self) -> "_about":
        return self

    def __exit__(self, kind, exc, tb) -> bool:  # type: ignore[no-untyped-def]
        if exc is None or not isinstance(exc, GridWatchError):
            return False
        text = " ".join(str(exc).splitlines())
        if self.scratch is not None:
            text = text.replace(str(self.scratch), str(self.path))
        if str(self.path) not in text:
            text = f"{self.path}: {text}"
        if text == str(exc):
            return False
        try:
            new = type(exc)(text)
        except Exception:  # pragma: no cover - every GridWatchError takes one message
            new = GridWatchError(text)
        raise new from exc


def _check_project(path: Path) -> None:
    """A clear one-line error for a bad, missing or outdated project file, before anything else."""
    from .storage import Project

    Project.open(path)


def _user(args: argparse.Namespace, path: Path, why: str):  # type: ignore[no-untyped-def]
    """The acting person from ``--user`` or $GRIDWATCH_USER."""
    from .storage.workflow import find_actor

    name = (args.user or os.environ.get(USER_ENV, "")).strip()
    if not name:
        raise GridWatchError(f"{path}: who is doing this? {why} needs --user NAME (or set {USER_ENV})")
    return find_actor(path, name)


def _beijing(text: object) -> str:
    """Stored UTC time text as ``YYYY-MM-DD HH:MM`` Beijing time ('' when empty)."""
    from .times import beijing_text

    return beijing_text(text, keep_invalid=True)

def _due_arg(text: str):  # type: ignore[no-untyped-def]
    """``--due``: 'YYYY-MM-DD HH:MM' or a bare date (23:59 that day), Beijing time."""
    import datetime as _dt

    from .storage.queries import BEIJING

    value = text.strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            t = _dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        if fmt == "%Y-%m-%d":
            t = t.replace(hour=23, minute=59)
        return t.replace(tzinfo=BEIJING)
    raise argparse.ArgumentTypeError(f"{text!r}: write YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (Beijing time)")


def _days_arg(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 0 < days <= 366:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of days between 0 and 366")
    return days


def _hours_arg(text: str) -> float:
    try:
        hours = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours") from None
    if not 0 < hours <= 24 * 365:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of hours greater than 0")
    return hours


def _plain(value: object) -> object:
    """A DataFrame cell as plain JSON: numpy scalars unwrapped, NaN/NA/NaT as None."""
    import pandas as pd

    if hasattr(value, "item") and not isinstance(value, (list, dict, str, bytes)):
        try:
            value = value.item()  # type: ignore[union-attr]
        except (ValueError, AttributeError):
            pass
    if isinstance(value, (list, tuple, dict)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def _write_json(frame) -> None:  # type: ignore[no-untyped-def]
    records = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]
    json.dump(records, sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def _write_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> None:
    """Columns as wide as their widest cell (CJK characters count double)."""
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        parts = [(" " * (w - _width(c)) + c) if i in right else _pad(c, w)
                 for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts).rstrip() + "\n"

    out = sys.stdout
    out.write(line(headers))
    for r in rows:
        out.write(line(r))


def _text(value: object) -> str:
    v = _plain(value)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))  # an integer column read as float because of a NULL
    return "" if v is None else str(v)


def _count(value: object) -> int:
    v = _plain(value)
    return int(v) if isinstance(v, (int, float)) else 0


def _townships(path: Path) -> list[tuple[str, str]]:
    from .storage import Project

    frame = Project.open(path).read_layer("township", columns=["code", "name"])
    return [(str(c), str(n)) for c, n in zip(frame["code"], frame["name"])]


def _township_code(path: Path, value: str) -> str:
    """A township given by code or name (or an unambiguous part of its name) -> its code."""
    from .domain.places import resolve_township

    return resolve_township(_townships(path), value, path)[0]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def _assign_targets(args: argparse.Namespace) -> tuple[list[str], Optional[str], Optional[list[str]], str]:
    """(cell codes, target layer, target uuids, description) from the one target option given."""
    from .storage.workflow import TARGET_LAYERS, cells_for_features, cells_in_area

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
    from .storage.queries import BEIJING

    return f"due {due.astimezone(BEIJING):%Y-%m-%d %H:%M} (Beijing time)" if due is not None else "no due time"


def cmd_assign(args: argparse.Namespace) -> int:
    import shutil
    import tempfile
    from collections import Counter

    from .storage import queries
    from .storage.workflow import create_assignments, find_actor

    path: Path = args.project
    with _about(path):
        _check_project(path)
        actor = _user(args, path, "assigning tasks")
        assignee = find_actor(path, args.assignee).uuid if args.assignee else None
        codes, layer, targets, where = _assign_targets(args)
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
                edit = create_assignments(scratch, actor, codes, args.kind, **options)
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
        edit = create_assignments(path, actor, codes, args.kind, **options)
    rows = [c.after for c in edit.changes if c.table == "assignment" and c.before is None and c.after]
    cells = len({r["cell_code"] for r in rows})
    print(f"created {len(edit.created('assignment'))} tasks ({args.kind}) in {cells} cells{where}, "
          f"{_due_text(args.due)}")
    for w in edit.warnings:
        print(f"warning: {w}")
    return 0


def _fire_checks(args: argparse.Namespace) -> int:
    import datetime as _dt

    from .storage.workflow import create_fire_checks

    path: Path = args.project
    with _about(path):
        _check_project(path)
        actor = _user(args, path, "creating fire-point checks")
        town = _township_code(path, args.township) if args.township else None
        hours = args.deadline_hours if args.deadline_hours is not None else 24.0
        now = _dt.datetime.now(_dt.timezone.utc)
        since = now - _dt.timedelta(days=args.since_days) if args.since_days is not None else None
        edit = create_fire_checks(path, actor, deadline=_dt.timedelta(hours=hours), township_code=town, since=since,
                                  now=now)
    checks = len(edit.created("assignment"))
    fires = sum(1 for c in edit.changes if c.table == "fire_point")
    print(f"created {checks} fire-point checks for {fires} fire points"
          + (f" in township {args.township}" if town else "")
          + f", {_due_text(now + _dt.timedelta(hours=hours))}")
    return 0


def cmd_tasks(args: argparse.Namespace) -> int:
    from .storage import queries
    from .storage.workflow import find_actor

    parser: argparse.ArgumentParser = args.parser
    listing = [opt for opt, on in (("--assignee", args.assignee), ("--mine", args.mine), ("--overdue", args.overdue),
                                   ("--due-today", args.due_today), ("--open", args.open), ("--json", args.json))
               if on]
    if args.from_fire_points:
        if listing:
            parser.error(f"--from-fire-points creates checks; it cannot be combined with {', '.join(listing)}")
        return _fire_checks(args)
    for opt, value in (("--township", args.township), ("--deadline-hours", args.deadline_hours),
                       ("--since-days", args.since_days)):
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
    if args.json:
        _write_json(frame)
        return 0
    rows = []
    for t in frame.itertuples(index=False):
        status = title(TASK_STATUS_TITLES, t.status) + (" 逾期" if t.overdue else "")
        fires = str(_count(t.fire_count)) if t.kind == "fire_check" else ""
        rows.append([_beijing(t.due_at) or "-", status, title(KIND_TITLES, t.kind), _text(t.township_name),
                     _text(t.village_name), _text(t.cell_code), _text(t.assignee_name), fires])
    if rows:
        _write_table(["due (Beijing)", "status", "kind", "township", "village", "cell", "assignee", "fires"], rows,
                     right=(7,))
    print(f"{len(rows)} tasks")
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
    from .storage import queries

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
    if args.json:
        _write_json(frame)
        return 0
    rows = []
    for f in frame.itertuples(index=False):
        rows.append([_beijing(f.found_at), title(FINDING_STATUS_TITLES, f.status),
                     title(CATEGORY_TITLES, f.category), _text(f.severity), _text(f.township_name),
                     _text(f.village_name), _text(f.cell_code), _text(f.responsible_party) or "-",
                     _text(f.rectify_deadline) or "-", str(_count(f.photo_count)), _finding_flags(f)])
    if rows:
        _write_table(["found (Beijing)", "status", "category", "sev", "township", "village", "cell", "responsible",
                      "deadline", "photos", "flags"], rows, right=(3, 9))
    print(f"{len(rows)} findings")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    """List the rule hits (grouped by rule, with a count line); with --assign make them tasks."""
    from .analysis.rules import RULES, check_rules, hits_to_assignments

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
            edit = hits_to_assignments(path, actor, report.hits, due_at=args.due, priority=args.priority)
        tasks = edit.created("assignment")
        print(f"created {len(tasks)} tasks for {total} hits, {_due_text(args.due)}")
        for w in edit.warnings:
            print(f"warning: {w}")
    return 0


def _layer_kinds() -> tuple[str, ...]:
    from .layers import LAYERS

    return tuple(LAYERS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gridwatch",
        description="GridWatch: grid-based environmental field supervision (网格化环境监管).",
    )
    parser.add_argument("--version", action="version", version=f"GridWatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("open", help="open a project in the desktop app")
    p.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    p.set_defaults(func=cmd_open)

    p = sub.add_parser("info", help="list a project's layers: feature count, geometry, CRS, extent")
    p.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("import", help="import a file into a project layer (all or nothing)")
    p.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    p.add_argument("file", type=Path, help="shapefile (.shp or .zip), GeoJSON, GeoPackage, KML, CSV or XLSX")
    p.add_argument("--layer", required=True, choices=list(_layer_kinds()), help="project layer to import into")
    p.add_argument("--source-layer", help="layer inside the file (GeoPackage, KML, zip with several)")
    p.add_argument("--field-map", action="append", metavar="SRC=DST",
                   help="source field SRC fills layer field DST (repeatable)")
    p.add_argument("--encoding", help="text encoding of the file (default: .cpg or detected)")
    p.add_argument("--crs", help="CRS of the file when it has none, e.g. 4490 or EPSG:4547")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--append", action="store_true", help="add to the layer (default)")
    mode.add_argument("--replace", action="store_true", help="replace the layer's features")
    p.add_argument("--user", help="name recorded in the audit log (default: login name)")
    p.add_argument("--dry-run", action="store_true", help="check and summarise, write nothing")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("sample", help="generate the sample district (or a stress district)")
    p.add_argument("--out", type=Path, required=True, help="GeoPackage to write")
    p.add_argument("--scale", choices=["default", "stress"], default="default",
                   help="default: ~2,400 cells; stress: 20,000 cells and 1,000,000 fire points")
    p.add_argument("--seed", type=int, default=2025, help="random seed (same seed, same district)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing file")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=cmd_sample)

    from .storage.schema import ASSIGNMENT_KINDS, FINDING_CATEGORIES, FINDING_STATUSES

    user_help = f"the person doing this, as in the people table (default: ${USER_ENV})"
    p = sub.add_parser("assign", help="assign inspection tasks to cells, a village, a township or features",
                       description="Create one task per cell, for the cell's inspector unless --assignee. "
                                   "Only a supervisor or administrator may assign.")
    p.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    p.add_argument("--user", metavar="NAME", help=user_help)
    p.add_argument("--kind", required=True, choices=list(ASSIGNMENT_KINDS), help="kind of inspection")
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
    p.set_defaults(func=cmd_assign)

    p = sub.add_parser("tasks", help="list tasks, or create fire-point checks (--from-fire-points)",
                       description="List tasks (overdue first, then by due time), or with --from-fire-points "
                                   "create one check per cell per Beijing day for unverified fire points.")
    p.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    p.add_argument("--user", metavar="NAME", help=user_help)
    p.add_argument("--from-fire-points", action="store_true",
                   help="create fire-point checks for unverified fire points not yet in a check")
    p.add_argument("--deadline-hours", type=_hours_arg, metavar="HOURS",
                   help="with --from-fire-points: time allowed for a check (default 24)")
    p.add_argument("--township", metavar="CODE_OR_NAME", help="with --from-fire-points: only this township")
    p.add_argument("--since-days", type=_days_arg, metavar="DAYS",
                   help="with --from-fire-points: only detections of the last DAYS days")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--assignee", metavar="NAME", help="only this person's tasks")
    who.add_argument("--mine", action="store_true", help="only the tasks of --user")
    p.add_argument("--overdue", action="store_true", help="only open tasks past their due time")
    p.add_argument("--due-today", action="store_true", help="only open tasks due today (Beijing time)")
    p.add_argument("--open", action="store_true", help="only tasks not done or cancelled")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_tasks, parser=p)

    p = sub.add_parser("findings", help="list findings (problems found in inspections)")
    p.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    p.add_argument("--status", choices=list(FINDING_STATUSES), help="only findings in this state")
    p.add_argument("--township", metavar="CODE_OR_NAME", help="township code or (part of its) name")
    p.add_argument("--category", choices=list(FINDING_CATEGORIES), help="only this category")
    p.add_argument("--overdue", action="store_true", help="only findings past their rectification deadline")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_findings)

    from .analysis.rules import RULES

    p = sub.add_parser("rules", help="rule checks: sites near key areas, fires in the coal-ban zone, mines, "
                                     "overdue findings",
                       description="List the features the work plans' rules flag, by rule, with a count line; "
                                   "with --assign turn every hit into a task (one action, undoable in the app).")
    p.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
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
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("checkout", help="make a working copy of the shared project for this laptop",
                       description="Copy the shared project (on a share or a USB stick) to a working copy this "
                                   "laptop edits offline, with the base copy that sync needs.")
    p.add_argument("shared", type=Path, help="the shared project (.gpkg)")
    p.add_argument("local", type=Path, help="the working copy to create (.gpkg)")
    p.add_argument("--user", metavar="NAME", required=True, help="who works on this laptop (people table)")
    p.set_defaults(func=cmd_checkout)

    p = sub.add_parser("sync", help="sync a working copy with its shared project",
                       description="Send this laptop's edits to the shared project and bring everyone else's. "
                                   "Same-field conflicts are settled by the domain rules and recorded; edits the "
                                   "user's role may not make are refused and stay on the laptop.")
    p.add_argument("local", type=Path, help="the working copy (.gpkg)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                   help="how long to wait for another laptop's sync to finish (default 60)")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("export", help="export tables for briefings (coverage, findings ledger, ranking)")
    ex = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    q = ex.add_parser("coverage", help="patrol coverage per township, inspector and cell (.xlsx or .csv)")
    q.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    q.add_argument("--out", type=Path, required=True, help="file to write (.xlsx: three sheets; .csv: townships)")
    q.add_argument("--days", default="7,30", metavar="N,M", help="periods in days (default 7,30)")
    q.add_argument("--intervals", default="", metavar="CLASS=DAYS,...",
                   help="patrol interval per cell class (default coal_ban_zone=7,mine_or_grade_c_site=3.5,"
                        "other=14)")
    q.set_defaults(func=cmd_export_coverage)
    q = ex.add_parser("map", help="briefing map of the district or a township (.pdf or .png); --atlas: a PDF "
                                  "with one page per township",
                      description="Print-ready map: title, date, legend, scale bar, north arrow, CRS note. "
                                  "Layers theme: the chosen layers in the app's styles; coverage theme: cells "
                                  "coloured by days since their last inspection (never-inspected cells hatched).")
    q.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    q.add_argument("--out", type=Path, required=True, help="file to write (.pdf or .png; an atlas is .pdf)")
    q.add_argument("--paper", type=str.upper, choices=["A4", "A3"], default="A4", help="paper size (default A4)")
    q.add_argument("--landscape", action="store_true", help="landscape page (default portrait)")
    q.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300)")
    q.add_argument("--township", metavar="CODE_OR_NAME",
                   help="map one township (with --atlas: only these townships, comma-separated)")
    q.add_argument("--atlas", action="store_true", help="PDF: an overview page, then one page per township")
    q.add_argument("--no-overview", action="store_true", help="with --atlas: no overview page")
    q.add_argument("--theme", choices=["layers", "coverage"], default="layers",
                   help="layers (default) or coverage (days since the last inspection)")
    q.add_argument("--layers", metavar="A,B,C", help="layers to draw (default: all; " + ", ".join(_layer_kinds())
                   + ")")
    q.add_argument("--title", help="map title (default: district + township + 网格化环境监管图)")
    q.add_argument("--subtitle", help="a line under the title")
    q.add_argument("--fire-days", type=int, metavar="DAYS", help="only fire points of the last DAYS days")
    q.add_argument("--no-labels", action="store_true", help="no township and village names")
    q.add_argument("--quiet", action="store_true", help="no progress output")
    q.set_defaults(func=cmd_export_map)
    q = ex.add_parser("ledger", help="the findings ledger (整改台账) with status and deadlines (.xlsx or .csv)")
    q.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    q.add_argument("--out", type=Path, required=True,
                   help="file to write (.xlsx: ledger and counts by category; .csv: the ledger)")
    q.add_argument("--status", metavar="STATUS[,STATUS]",
                   help="only findings in these states: " + ", ".join(FINDING_STATUSES))
    q.add_argument("--township", metavar="CODE_OR_NAME", help="only this township (code or name)")
    q.set_defaults(func=cmd_export_ledger)
    q = ex.add_parser("ranking", help="the monthly township ranking (考核排名) for the bulletin (.xlsx or .csv)")
    q.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    q.add_argument("--out", type=Path, required=True,
                   help="file to write (.xlsx: ranking, indicators, fire checks, notes; .csv: the ranking)")
    q.add_argument("--month", metavar="YYYY-MM", help="month to rank (Beijing time; default this month)")
    q.add_argument("--weights", metavar="NAME=W,...",
                   help="indicator weights, e.g. coverage=0.3,closure=0.25,overdue=0.15,fire_in_time=0.15,"
                        "fires=0.15 (indicators not named weigh 0; default those values)")
    q.set_defaults(func=cmd_export_ranking)
    q = ex.add_parser("html", help="an interactive HTML map (opens offline in any browser)",
                      description="Write one self-contained .html file: cells coloured by days since their last "
                                  "inspection, boundaries, zones, mines, sites, findings (and recent fire points), "
                                  "each a layer to switch on and off, with a popup per feature.")
    q.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    q.add_argument("--out", type=Path, required=True, help="file to write (.html)")
    q.add_argument("--township", metavar="CODE_OR_NAME", help="only this township (code or name)")
    q.add_argument("--layers", metavar="LAYER[,LAYER...]",
                   help="layers to include (default: all but fire points): " + ", ".join(_html_layers()))
    q.add_argument("--fire-days", type=_days_arg, metavar="N", help="add fire points detected in the last N days")
    q.add_argument("--no-coverage", action="store_true", help="plain cells, not coloured by days since inspection")
    q.add_argument("--tiles", metavar="URL",
                   help="base map tile URL template, e.g. https://host/{z}/{x}/{y}.png (needs the network to show)")
    q.set_defaults(func=cmd_export_html)

    p = sub.add_parser("compact", help="fold a shared project's change log into its GeoPackage (for QGIS, backups)")
    p.add_argument("shared", type=Path, help="the shared project (.gpkg) in the shared folder")
    p.set_defaults(func=cmd_compact)
    p = sub.add_parser("conflicts", help="list sync conflicts of a project")
    p.add_argument("project", type=Path, help="GridWatch project (.gpkg)")
    p.add_argument("--all", action="store_true", help="also reviewed ones")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_conflicts)
    return parser


def cmd_checkout(args: argparse.Namespace) -> int:
    from .sync import checkout

    local = checkout(args.shared, args.local, args.user)
    print(f"checked out {args.shared} to {local} for {args.user}; edit it offline, then `gridwatch sync {local}`")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from .sync import sync

    def progress(fraction: float, message: str) -> None:
        if not args.json and sys.stderr.isatty():
            sys.stderr.write(f"\r{fraction * 100:5.1f}%  {message:<40}")
            sys.stderr.flush()

    report = sync(args.local, progress=progress, lock_wait=args.wait)
    if not args.json and sys.stderr.isatty():
        sys.stderr.write("\n")
    if args.json:
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(report.summary() + f" ({report.seconds:.1f} s)")
        for m in report.messages:
            print("  " + m)
    return 0


def cmd_export_coverage(args: argparse.Namespace) -> int:
    from .analysis.coverage import coverage_from_project, rules_from_intervals
    from .export.tables import coverage_sheets, write_tables
    from .storage import Project

    try:
        periods = tuple(int(d) for d in str(args.days).split(",") if d.strip())
    except ValueError:
        raise GridWatchError(f"--days {args.days!r}: give whole days separated by commas, e.g. 7,30") from None
    if not periods or min(periods) <= 0:
        raise GridWatchError(f"--days {args.days!r}: give whole days separated by commas, e.g. 7,30")
    intervals: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in str(args.intervals).split(","))):
        key, sep, value = part.partition("=")
        if not sep:
            raise GridWatchError(f"--intervals {args.intervals!r}: give CLASS=DAYS pairs, e.g. coal_ban_zone=7")
        intervals[key.strip()] = value.strip()
    cov = coverage_from_project(args.project, periods=periods, rules=rules_from_intervals(intervals))
    people = Project.open(args.project).read_table("inspector")
    out = write_tables(coverage_sheets(cov, dict(zip(people["uuid"], people["name"]))), args.out)
    town = cov.townships
    first = periods[0]
    print(f"wrote {out}: {len(town)} townships, {len(cov.cells)} cells; "
          f"{int(cov.cells[f'inspections_{first}d'].gt(0).sum())} cells inspected in the last {first} days, "
          f"{int(cov.cells['overdue'].sum())} overdue")
    return 0


def cmd_export_ledger(args: argparse.Namespace) -> int:
    from .export.tables import ledger_sheets, write_tables

    path: Path = args.project
    statuses = [s.strip() for s in str(args.status or "").split(",") if s.strip()]
    with _about(path):
        _check_project(path)
        township = _township_code(path, args.township) if args.township else None
        sheets = ledger_sheets(path, statuses=statuses or None, township=township)
    out = write_tables(sheets, args.out)
    ledger = sheets["整改台账"]
    overdue = int((ledger["是否超期"] == "是").sum()) if len(ledger) else 0
    print(f"wrote {out}: {len(ledger)} findings, {overdue} overdue")
    return 0


def cmd_export_ranking(args: argparse.Namespace) -> int:
    from .analysis.stats import month_period, parse_weights, period_label
    from .export.tables import ranking_sheets, write_tables

    path: Path = args.project
    weights = parse_weights(args.weights) if args.weights else None
    period = month_period(args.month)
    with _about(path):
        _check_project(path)
        sheets = ranking_sheets(path, month=args.month, weights=weights)
    out = write_tables(sheets, args.out)
    top = sheets["考核排名"].head(3)
    best = ", ".join(f"{r['排名']}. {r['乡镇']} {r['综合得分']}" for _, r in top.iterrows())
    print(f"wrote {out}: {len(sheets['考核排名'])} townships ranked for {period_label(period)}; {best}")
    return 0


def _html_layers() -> tuple[str, ...]:
    from .export.html import HTML_LAYERS

    return HTML_LAYERS


def cmd_export_html(args: argparse.Namespace) -> int:
    from .export.html import export_html

    path: Path = args.project
    show = sys.stderr.isatty()

    def progress(fraction: float, message: str) -> None:
        if show:
            sys.stderr.write(f"\r{fraction * 100:5.1f}%  {message:<40}")
            sys.stderr.flush()

    layers = _split(args.layers) if args.layers else None
    with _about(path):
        _check_project(path)
        out = export_html(path, args.out, layers=layers, township=args.township, fire_days=args.fire_days,
                          coverage_colours=not args.no_coverage, tiles=args.tiles, progress=progress)
    if show:
        sys.stderr.write("\n")
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MB); open it in a browser, no network needed"
          + (" (except the base map tiles)" if args.tiles else ""))
    return 0


def cmd_export_map(args: argparse.Namespace) -> int:
    from .export.maps import MapSpec, export_atlas, export_map

    show = not args.quiet and sys.stderr.isatty()

    def progress(fraction: float, message: str) -> None:
        if show:
            sys.stderr.write(f"\r{fraction * 100:5.1f}%  {message:<30}")
            sys.stderr.flush()

    layers = tuple(_split(args.layers)) if args.layers else None
    if args.layers is not None and not layers:
        raise GridWatchError(f"--layers {args.layers!r}: name layers separated by commas, e.g. township,fire_point")
    if args.fire_days is not None and args.fire_days <= 0:
        raise GridWatchError(f"--fire-days {args.fire_days}: give a number of days greater than 0")
    spec = MapSpec(title=args.title, subtitle=args.subtitle, paper=args.paper,
                   orientation="landscape" if args.landscape else "portrait", dpi=args.dpi, layers=layers,
                   theme=args.theme, fire_days=args.fire_days, labels=not args.no_labels,
                   overview=not args.no_overview)
    # Errors name the project or the output file themselves (no _about: an --out problem is not the project's).
    if args.atlas:
        towns = _split(args.township) if args.township else None
        out = export_atlas(args.project, args.out, spec, progress=progress, townships=towns)
    else:
        if args.no_overview:
            raise GridWatchError("--no-overview goes with --atlas")
        out = export_map(args.project, args.out, _with_extent(spec, args.township), progress=progress)
    if show:
        sys.stderr.write("\n")
    print(f"wrote {out}")
    return 0


def _with_extent(spec, township: Optional[str]):  # type: ignore[no-untyped-def]
    """``spec`` showing ``township`` (code or name), or the district when None."""
    from dataclasses import replace

    return replace(spec, extent=township) if township else spec


def cmd_compact(args: argparse.Namespace) -> int:
    from .sync import compact_shared

    n = compact_shared(args.shared)
    print(f"{args.shared}: {n} synced change(s) folded in" if n else f"{args.shared}: already holds every sync")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from .storage.project import check_project
    from .sync.conflicts import conflicts, decode_value

    check_project(args.project)
    frame = conflicts(args.project, status=None if args.all else "open")
    if args.json:
        json.dump([{k: (None if v != v else v) for k, v in r.items()} for r in frame.to_dict("records")],
                  sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    for r in frame.itertuples():
        kept, other = decode_value(r.kept_value), decode_value(r.other_value)
        short = [("<%d bytes>" % len(v)) if isinstance(v, bytes) else str(v) for v in (kept, other)]
        print(f"{r.at[:16].replace('T', ' ')}  {r.table_name}.{r.column_name}  kept {short[0]!r} ({r.kept_by})  "
              f"overridden {short[1]!r} ({r.other_by})  [{r.rule}; {r.status}]")
    print(f"{len(frame)} conflict(s)")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        # No command: the desktop app on the user's copy of the sample district.
        from .ui.app import run

        return run(None)
    try:
        return int(args.func(args))
    except GridWatchError as exc:
        sys.stderr.write(f"gridwatch: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("gridwatch: interrupted; nothing was written\n")
        return 130
    except BrokenPipeError:
        # Output piped into `head` or a closed pager: stop quietly, like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
