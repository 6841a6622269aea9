"""Briefing exports: maps, atlas, web map, findings ledger, coverage and ranking tables (one runner: app.exports)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..domain.vocabulary import FINDING_STATUSES
from ..errors import GridWatchError
from .common import (
    _about,
    _check_project,
    _days_arg,
    _layer_kinds,
    _split,
    _township_code,
    command,
    end_progress,
    progress_printer,
    project_arg,
)

PERIOD_HELP = ("24h, 7d, 30d, month, all or YYYY-MM-DD..YYYY-MM-DD (Beijing days): fire points detected and "
               "findings open in it; printed on the output")


def _period_arg(text: str):  # type: ignore[no-untyped-def]
    from ..app.periods import Period
    from ..errors import ValidationError

    try:
        return Period.parse(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc).replace("--period ", "")) from None


def cmd_export_coverage(args: argparse.Namespace) -> int:
    from ..app.exports import build_sheets
    from ..app.periods import parse_pairs, parse_periods
    from ..export.tables import write_tables

    periods = parse_periods(args.days, "--days")
    intervals = parse_pairs(args.intervals, "--intervals", "coal_ban_zone=7")
    sheets, cov = build_sheets("coverage", args.project, {"periods": periods, "intervals": intervals,
                                                          "basis": args.basis})
    out = write_tables(sheets, args.out)
    first = periods[0]
    print(f"wrote {out}: {len(cov.townships)} townships, {len(cov.cells)} cells; "
          f"{int(cov.cells[f'inspections_{first}d'].gt(0).sum())} cells inspected in the last {first} days, "
          f"{int(cov.cells['overdue'].sum())} overdue")
    return 0


def cmd_export_ledger(args: argparse.Namespace) -> int:
    from ..app.exports import table_sheets
    from ..export.tables import write_tables

    path: Path = args.project
    statuses = _split(args.status or "")
    with _about(path):
        _check_project(path)
        township = _township_code(path, args.township) if args.township else None
        sheets = table_sheets("ledger", path, {"statuses": statuses or None, "township": township,
                                               "period": args.period})
    out = write_tables(sheets, args.out)
    ledger = sheets["整改台账"]
    overdue = int((ledger["是否超期"] == "是").sum()) if len(ledger) else 0
    print(f"wrote {out}: {len(ledger)} findings, {overdue} overdue")
    return 0


def cmd_export_ranking(args: argparse.Namespace) -> int:
    from ..analysis.stats import month_period, parse_weights, period_label
    from ..app.exports import table_sheets
    from ..export.tables import write_tables

    path: Path = args.project
    weights = parse_weights(args.weights) if args.weights else None
    period = month_period(args.month)
    with _about(path):
        _check_project(path)
        sheets = table_sheets("ranking", path, {"month": args.month, "weights": weights,
                                                "period": None if args.month else args.period})
    out = write_tables(sheets, args.out)
    top = sheets["考核排名"].head(3)
    best = ", ".join(f"{r['排名']}. {r['乡镇']} {r['综合得分']}" for _, r in top.iterrows())
    what = args.period.label() if args.period is not None and not args.month else period_label(period)
    print(f"wrote {out}: {len(sheets['考核排名'])} townships ranked for {what}; {best}")
    return 0


def _html_layers() -> tuple[str, ...]:
    from ..export.html_layers import HTML_LAYERS

    return HTML_LAYERS


def cmd_export_html(args: argparse.Namespace) -> int:
    from ..app.exports import run_export

    path: Path = args.project
    show = sys.stderr.isatty()
    layers = _split(args.layers) if args.layers else None
    with _about(path):
        _check_project(path)
    options = {"layers": layers, "township": args.township, "fire_days": args.fire_days,
               "coverage_colours": not args.no_coverage, "tiles": args.tiles, "period": args.period,
               "coverage_basis": args.coverage_basis}
    # Errors name the project or the output file themselves (an --out problem is not the project's).
    out = run_export("html", path, args.out, options, progress=progress_printer(show))
    end_progress(show)
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MB); open it in a browser, no network needed"
          + (" (except the base map tiles)" if args.tiles else ""))
    return 0


def cmd_export_map(args: argparse.Namespace) -> int:
    from ..app.exports import run_export

    show = not args.quiet and sys.stderr.isatty()
    layers = tuple(_split(args.layers)) if args.layers else None
    if args.layers is not None and not layers:
        raise GridWatchError(f"--layers {args.layers!r}: name layers separated by commas, e.g. township,fire_point")
    if args.fire_days is not None and args.fire_days <= 0:
        raise GridWatchError(f"--fire-days {args.fire_days}: give a number of days greater than 0")
    if args.no_overview and not args.atlas:
        raise GridWatchError("--no-overview goes with --atlas")
    options = {"title": args.title, "subtitle": args.subtitle, "paper": args.paper,
               "orientation": "landscape" if args.landscape else "portrait", "dpi": args.dpi, "layers": layers,
               "theme": args.theme, "fire_days": args.fire_days, "labels": not args.no_labels,
               "overview": not args.no_overview, "atlas": args.atlas,
               "extent": None if args.atlas else args.township,
               "townships": _split(args.township) if args.atlas and args.township else None,
               "period": args.period, "coverage_basis": args.coverage_basis}
    # Errors name the project or the output file themselves (no _about: an --out problem is not the project's).
    out = run_export("map", args.project, args.out, options, progress=progress_printer(show, 30))
    end_progress(show)
    print(f"wrote {out}")
    return 0


def cmd_export_document(args: argparse.Namespace) -> int:
    from ..app.exports import run_export

    path: Path = args.project
    with _about(path):
        _check_project(path)
    kind = {"bulletin": "bulletin", "fire-bulletin": "fire_bulletin", "notice": "notice"}[args.what]
    options = {"assessment_period": getattr(args, "assessment_period", None), "map": not getattr(args, "no_map", False),
               "period": getattr(args, "period", None), "finding": getattr(args, "finding", None)}
    if kind == "bulletin" and args.weights:
        from ..analysis.bulletin import parse_weights

        options["weights"] = parse_weights(args.weights)
    out = run_export(kind, path, args.out, options)
    print(f"wrote {out}")
    return 0


def add_parsers(sub: Any) -> None:
    """export map|html|ledger|coverage|ranking"""
    p = sub.add_parser("export", help="export tables for briefings (coverage, findings ledger, ranking)")
    ex = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    q = command(ex, "coverage", cmd_export_coverage,
                help="patrol coverage per township, inspector and cell (.xlsx or .csv)")
    project_arg(q)
    q.add_argument("--out", type=Path, required=True, help="file to write (.xlsx: three sheets; .csv: townships)")
    q.add_argument("--days", default="7,30", metavar="N,M", help="periods in days (default 7,30)")
    q.add_argument("--intervals", default="", metavar="CLASS=DAYS,...",
                   help="patrol interval per cell class (default coal_ban_zone=7,mine_or_grade_c_site=3.5,"
                        "other=14)")
    q.add_argument("--basis", choices=["reported", "tracks", "both"], default="reported",
                   help="what counts as a visit: reported inspections (default), cells walked by patrol track, "
                        "or both")
    q = command(ex, "map", cmd_export_map,
                help="briefing map of the district or a township (.pdf or .png); --atlas: a PDF "
                     "with one page per township",
                description="Print-ready map: title, date, legend, scale bar, north arrow, CRS note. "
                            "Layers theme: the chosen layers in the app's styles; coverage theme: cells "
                            "coloured by days since their last inspection (never-inspected cells hatched).")
    project_arg(q)
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
    q.add_argument("--coverage-basis", choices=["reported", "tracks", "both"], default="reported",
                   help="coverage theme: count reported inspections (default), patrol tracks, or both")
    q.add_argument("--layers", metavar="A,B,C", help="layers to draw (default: all; " + ", ".join(_layer_kinds())
                   + ")")
    q.add_argument("--title", help="map title (default: district + township + 网格化环境监管图)")
    q.add_argument("--subtitle", help="a line under the title")
    q.add_argument("--fire-days", type=int, metavar="DAYS", help="only fire points of the last DAYS days")
    q.add_argument("--period", type=_period_arg, metavar="PERIOD",
                   help=PERIOD_HELP)
    q.add_argument("--no-labels", action="store_true", help="no township and village names")
    q.add_argument("--quiet", action="store_true", help="no progress output")
    q = command(ex, "ledger", cmd_export_ledger,
                help="the findings ledger (整改台账) with status and deadlines (.xlsx or .csv)")
    project_arg(q)
    q.add_argument("--out", type=Path, required=True,
                   help="file to write (.xlsx: ledger and counts by category; .csv: the ledger)")
    q.add_argument("--status", metavar="STATUS[,STATUS]",
                   help="only findings in these states: " + ", ".join(FINDING_STATUSES))
    q.add_argument("--township", metavar="CODE_OR_NAME", help="only this township (code or name)")
    q.add_argument("--period", type=_period_arg, metavar="PERIOD",
                   help=PERIOD_HELP)
    q = command(ex, "ranking", cmd_export_ranking,
                help="the monthly township ranking (考核排名) for the bulletin (.xlsx or .csv)")
    project_arg(q)
    q.add_argument("--out", type=Path, required=True,
                   help="file to write (.xlsx: ranking, indicators, fire checks, notes; .csv: the ranking)")
    q.add_argument("--month", metavar="YYYY-MM", help="month to rank (Beijing time; default this month)")
    q.add_argument("--period", type=_period_arg, metavar="PERIOD",
                   help=PERIOD_HELP + " (instead of --month)")

    q.add_argument("--weights", metavar="NAME=W,...",
                   help="indicator weights, e.g. coverage=0.3,closure=0.25,overdue=0.15,fire_in_time=0.15,"
                        "fires=0.15 (indicators not named weigh 0; default those values)")
    q = command(ex, "bulletin", cmd_export_document,
                help="the bulletin (月通报 / 季评比 / 年考核) as a Word document (.docx)")
    project_arg(q)
    q.add_argument("--out", type=Path, required=True, help="file to write (.docx)")
    q.add_argument("--period", dest="assessment_period", metavar="PERIOD",
                   help="2026-11 (month), 2026-Q4 (quarter) or 2026 (year); default last month")
    q.add_argument("--weights", metavar="NAME=W,...", help="indicator weights (as for export ranking)")
    q.add_argument("--no-map", action="store_true", help="without the district map")
    q = command(ex, "fire-bulletin", cmd_export_document, help="the fire-point bulletin (火点通报) as .docx")
    project_arg(q)
    q.add_argument("--out", type=Path, required=True, help="file to write (.docx)")
    q.add_argument("--period", type=_period_arg, metavar="PERIOD", help=PERIOD_HELP + " (default this month)")
    q = command(ex, "notice", cmd_export_document, help="the assignment notice (交办单) of one finding as .docx")
    project_arg(q)
    q.add_argument("--out", type=Path, required=True, help="file to write (.docx)")
    q.add_argument("--finding", required=True, metavar="UUID", help="the finding")
    q = command(ex, "html", cmd_export_html, help="an interactive HTML map (opens offline in any browser)",
                description="Write one self-contained .html file: cells coloured by days since their last "
                            "inspection, boundaries, zones, mines, sites, findings (and recent fire points), "
                            "each a layer to switch on and off, with a popup per feature.")
    project_arg(q)
    q.add_argument("--out", type=Path, required=True, help="file to write (.html)")
    q.add_argument("--township", metavar="CODE_OR_NAME", help="only this township (code or name)")
    q.add_argument("--layers", metavar="LAYER[,LAYER...]",
                   help="layers to include (default: all but fire points): " + ", ".join(_html_layers()))
    q.add_argument("--fire-days", type=_days_arg, metavar="N", help="add fire points detected in the last N days")
    q.add_argument("--period", type=_period_arg, metavar="PERIOD",
                   help=PERIOD_HELP)
    q.add_argument("--no-coverage", action="store_true", help="plain cells, not coloured by days since inspection")
    q.add_argument("--coverage-basis", choices=["reported", "tracks", "both"], default="reported",
                   help="what counts as a patrol for the cells' colours: reported inspections, patrol tracks or both")
    q.add_argument("--tiles", metavar="URL",
                   help="base map tile URL template, e.g. https://host/{z}/{x}/{y}.png (needs the network to show)")
