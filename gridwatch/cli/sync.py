"""Field laptops: check out a working copy, sync it, compact and check the shared project, list conflicts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .common import command, end_progress, progress_printer, project_arg


def ask_password_on_terminal() -> None:
    """A server that wants a password no usual place (.pgpass, service file, PGPASSWORD) has: ask for it
    on the terminal, never echoed, never stored (scripts without a terminal get the one-line error)."""
    from ..sync.pg.address import set_password_prompt

    if sys.stdin.isatty():
        import getpass

        set_password_prompt(lambda where: getpass.getpass(f"password for {where}: ") or None)


def cmd_checkout(args: argparse.Namespace) -> int:
    from ..app.field import checkout_with_basemaps

    ask_password_on_terminal()
    local = checkout_with_basemaps(args.shared, args.local, args.user)
    print(f"checked out {args.shared} to {local} for {args.user}; edit it offline, then `gridwatch sync {local}`")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from ..sync import sync

    ask_password_on_terminal()
    show = not args.json and sys.stderr.isatty()
    kept = _office_upkeep(args.local)
    report = sync(args.local, progress=progress_printer(show), lock_wait=args.wait)
    end_progress(show)
    if args.json:
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(report.summary() + f" ({report.seconds:.1f} s)")
        if kept:
            print("  office upkeep before the sync: " + kept)
        for m in report.messages:
            print("  " + m)
    # refused edits stay on the laptop: a script must notice (documented in README)
    return SYNC_REFUSED_STATUS if report.refused else 0


def _office_upkeep(local: Any) -> str:
    """On the office's working copy: keep ended warnings' summaries and make the campaign rounds that have
    begun, so this sync sends them (other copies: nothing).  Never stops the sync."""
    import sqlite3

    from ..app.syncstate import read_state
    from ..app.upkeep import upkeep
    from ..errors import GridWatchError
    from ..storage.workflow import find_actor

    name = str(read_state(local).get("user") or "")
    if not name:
        return ""
    try:
        return upkeep(local, find_actor(local, name)).text("en")
    except (GridWatchError, OSError, sqlite3.Error):  # the sync itself names what is wrong with the copy
        return ""


#: ``gridwatch sync`` exit status when the sync went through but refused edits (they stay on the laptop).
SYNC_REFUSED_STATUS = 3


def cmd_doctor(args: argparse.Namespace) -> int:
    from ..sync.doctor import doctor

    ask_password_on_terminal()
    rep = doctor(args.shared, check_only=args.check, laptops=tuple(args.laptop or ()))
    for line in rep.lines():
        print(line)
    return 0 if rep.healthy else 1


def cmd_publish(args: argparse.Namespace) -> int:
    from ..sync.pg.publish import publish

    ask_password_on_terminal()
    show = sys.stderr.isatty()
    rep = publish(args.source, args.server, district=args.district, logins=args.logins,
                  progress=progress_printer(show))
    end_progress(show)
    print(f"published {args.source} as district {rep.district}: {rep.tables} tables, {rep.rows} rows"
          + (f", {len(rep.logins)} login(s)" if rep.logins else "") + f" ({rep.seconds:.1f} s)")
    return 0


def cmd_server_upgrade(args: argparse.Namespace) -> int:
    from ..sync.pg.upgrade import server_districts, upgrade

    ask_password_on_terminal()
    names = server_districts(args.server) if args.all else [args.district]
    for name in names:
        print(upgrade(args.server, district=name).summary())
    return 0


def _missing(v: Any) -> bool:
    """A missing value of a table cell (None, NaN, pandas' NA), not a list or text."""
    import pandas as pd

    return v is None or (not isinstance(v, (str, list, dict)) and bool(pd.isna(v)))


def cmd_city(args: argparse.Namespace) -> int:
    from ..analysis.stats import parse_weights
    from ..sync.pg.city import city_view

    ask_password_on_terminal()
    view = city_view(args.server, month=args.month, weights=parse_weights(args.weights) if args.weights else None)
    d, t = view.districts, view.townships
    if args.json:
        def records(frame: Any) -> list[dict[str, Any]]:
            return [{k: (None if _missing(v) else v) for k, v in r.items()} for r in frame.to_dict("records")]

        json.dump({"period": [p.isoformat() for p in view.period], "districts": records(d), "townships": records(t),
                   "skipped": view.skipped}, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0

    def num(v: Any) -> str:
        return "-" if _missing(v) else f"{v:g}"

    print(f"{len(d)} district(s), {view.period[0]:%Y-%m}, ranked by the work plans' assessment")
    print("rank  district      name        score  cells  coverage%  findings  closure%  overdue  fire checks in time%")
    for r in d.itertuples():
        print(f"{num(r.rank):>3}{'=' if r.tied else ' '}  {r.district:<13} {r.name:<10} {num(r.score):>5}  "
              f"{r.cells:>5}  {num(r.coverage_pct):>9}  {r.findings:>8}  {num(r.closure_pct):>8}  "
              f"{r.findings_overdue + r.tasks_overdue:>7}  {num(r.fire_in_time_pct):>8}")
    for note in view.notes:
        print(f"note: {note}")
    print(f"townships ranked across the city ({len(t)}):")
    for r in t.head(args.top).itertuples():
        tie = "=" if r.tied else " "
        veto = f"  veto: {r.veto}" if not _missing(r.veto) else ""
        print(f"{num(r.rank):>4}{tie} {r.district_name} {r.name}  score {num(r.score)}  coverage "
              f"{num(r.coverage_pct)}%  burning fire points {num(r.fire_points)}  deduction {num(r.deduction_yuan)} "
              f"yuan{veto}")
    for s in view.skipped:
        print(f"not readable with this login: {s}")
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    from ..sync import compact_shared

    n = compact_shared(args.shared)
    print(f"{args.shared}: {n} synced change(s) folded in" if n else f"{args.shared}: already holds every sync")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from ..storage.project import check_project
    from ..sync.conflicts import conflicts, decode_value

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


def add_parsers(sub: Any) -> None:
    """checkout, sync, doctor, compact, publish, server-upgrade, city, conflicts"""
    p = command(sub, "checkout", cmd_checkout, help="make a working copy of the shared project for this laptop",
                description="Copy the shared project (on a share or a USB stick) to a working copy this "
                            "laptop edits offline, with the base copy that sync needs.")
    p.add_argument("shared", help="the shared project (.gpkg), or a server: postgresql://HOST/DB?district=NAME")
    p.add_argument("local", type=Path, help="the working copy to create (.gpkg)")
    p.add_argument("--user", metavar="NAME", required=True, help="who works on this laptop (people table)")

    p = command(sub, "sync", cmd_sync, help="sync a working copy with its shared project",
                description="Send this laptop's edits to the shared project and bring everyone else's. "
                            "Same-field conflicts are settled by the domain rules and recorded; edits the "
                            "user's role may not make are refused and stay on the laptop.")
    p.add_argument("local", type=Path, help="the working copy (.gpkg)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                   help="how long to wait for another laptop's sync to finish (default 60)")

    p = command(sub, "doctor", cmd_doctor, help="check a shared folder and repair what can be repaired safely",
                description="Checks the shared project: lock, temp files, journals, integrity, change files "
                            "that no longer fit (a folder put back from a USB stick or a backup), edits made "
                            "to the shared file by other programs; repairs what a sync would repair itself. "
                            "Exit status 0: healthy (maybe after repairs), 1: problems that need a person.")
    p.add_argument("shared", help="the shared project (.gpkg in the shared folder, or a postgresql:// address)")
    p.add_argument("--check", action="store_true", help="only check; change nothing")
    p.add_argument("--laptop", action="append", type=Path, metavar="LOCAL",
                   help="a working copy to compare with the share (repeatable)")

    p = command(sub, "compact", cmd_compact,
                help="fold a shared project's change log into its GeoPackage (for QGIS, backups)")
    p.add_argument("shared", help="the shared project (.gpkg) in the shared folder")

    p = command(sub, "publish", cmd_publish,
                help="publish a project or a shared folder to a PostgreSQL + PostGIS server",
                description="Create the district on a PostGIS server (one schema per district) with the "
                            "same tables, codes and history, the roles and policies the server enforces, and "
                            "optionally a login per person. Credentials: service file, .pgpass, PGPASSWORD.")
    p.add_argument("source", type=Path, help="the project, working copy or shared folder's project (.gpkg)")
    p.add_argument("server", help="postgresql://HOST/DATABASE (or service=NAME)")
    p.add_argument("--district", metavar="NAME", help="schema name (default: d + the county code)")
    p.add_argument("--logins", action="store_true", help="create a login for every active person (named as the "
                   "person, in the group of their role); set passwords with ALTER ROLE or .pgpass")

    p = command(sub, "server-upgrade", cmd_server_upgrade,
                help="bring a district published by an earlier GridWatch up to this one's server schema",
                description="Makes the district's code-list constraints, judge (the domain's code), row-level "
                            "security policies and triggers again from this GridWatch's domain, in one "
                            "transaction, keeping every row, the history and the conflicts. Run it as the "
                            "district's database administrator after updating GridWatch, when laptops' syncs "
                            "say the server schema is older.")
    p.add_argument("server", help="postgresql://ADMIN@HOST/DATABASE (or service=NAME)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--district", metavar="NAME", help="the district (default: the address's, or the only one)")
    which.add_argument("--all", action="store_true", help="every GridWatch district of the database")

    p = command(sub, "city", cmd_city,
                help="coverage and the township ranking across the districts of a PostGIS database",
                description="Reads every district published to one database (live, read-only) and shows "
                            "each district's indicators for a month and one ranking of all their townships.")
    p.add_argument("server", help="postgresql://HOST/DATABASE (or service=NAME)")
    p.add_argument("--month", metavar="YYYY-MM", help="the month (default: this month, Beijing time)")
    p.add_argument("--weights", metavar="NAME=W,...", help="ranking weights, as for export ranking")
    p.add_argument("--top", type=int, default=20, help="townships to list (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON (every township) instead of a table")

    p = command(sub, "conflicts", cmd_conflicts, help="list sync conflicts of a project")
    project_arg(p)
    p.add_argument("--all", action="store_true", help="also reviewed ones")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
