"""Project files: open in the app, list layers, import data, generate the sample district."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Optional

from ..errors import GridWatchError
from .common import _layer_kinds, _pad, command, end_progress, progress_printer, project_arg


def _fmt_extent(extent: Optional[tuple[float, float, float, float]]) -> str:
    if extent is None:
        return "-"
    minx, miny, maxx, maxy = extent
    return f"{minx:.5f},{miny:.5f} : {maxx:.5f},{maxy:.5f}"


def cmd_info(args: argparse.Namespace) -> int:
    from ..storage import project_info

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
    from ..storage import check_project

    check_project(args.project)  # a clear one-line error before any window appears
    from ..ui.app import run

    return run(args.project)


def cmd_import(args: argparse.Namespace) -> int:
    from ..importers.pipeline import ImportOptions, commit_import, prepare_import

    field_map: dict[str, str] = {}
    for item in args.field_map or []:
        if "=" not in item:
            raise GridWatchError(f"--field-map {item!r}: write SRC=DST (source field = layer field)")
        src, dst = item.split("=", 1)
        field_map[src.strip()] = dst.strip()
    options = ImportOptions(kind=args.layer, source_layer=args.source_layer, field_map=field_map,
                            encoding=args.encoding, crs=_crs_arg(args.crs),
                            mode="replace" if args.replace else "append", user=args.user or "",
                            allow_outside=args.allow_outside)
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
    from ..sample import write_sample

    show = not args.quiet and sys.stderr.isatty()
    if args.scale == "city":
        from ..sample.city import write_city

        path = write_city(args.out, seed=args.seed, counties=args.counties, overwrite=args.overwrite,
                          progress=progress_printer(show))
    else:
        path = write_sample(args.out, scale=args.scale, seed=args.seed, as_of=args.as_of, overwrite=args.overwrite,
                            progress=progress_printer(show))
    end_progress(show)
    print(f"wrote {path}")
    return 0


def add_open_parser(sub: Any) -> None:
    """open (also alone: the desktop app's start does not build the whole command line)."""
    p = command(sub, "open", cmd_open, help="open a project in the desktop app")
    project_arg(p)


def add_parsers(sub: Any) -> None:
    """open, info, import, sample"""
    add_open_parser(sub)

    p = command(sub, "info", cmd_info, help="list a project's layers: feature count, geometry, CRS, extent")
    project_arg(p)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = command(sub, "import", cmd_import, help="import a file into a project layer (all or nothing)")
    project_arg(p)
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
    p.add_argument("--allow-outside", action="store_true",
                   help="import features more than 5 km outside the district too (refused otherwise; fire points "
                        "outside every cell are never stored)")
    p.add_argument("--dry-run", action="store_true", help="check and summarise, write nothing")

    p = command(sub, "sample", cmd_sample, help="generate the sample district (or a stress district)")
    p.add_argument("--out", type=Path, required=True, help="GeoPackage to write")
    p.add_argument("--scale", choices=["default", "stress", "tiny", "city"], default="default",
                   help="default: ~2,400 cells; stress: 20,000 cells and 1,000,000 fire points; tiny: the stress "
                        "district in miniature (1,200 cells, 120,000 fire points; the benchmarks' smoke test); city: "
                        "ten stress districts under Shijiazhuang's county codes (200,000 cells, 10,000,000 fire "
                        "points), written one county at a time")
    p.add_argument("--counties", type=int, default=10, help="city only: how many of its ten counties (default 10)")
    p.add_argument("--seed", type=int, default=2025, help="random seed (same seed, same district)")
    p.add_argument("--as-of", type=_date_arg, metavar="YYYY-MM-DD",
                   help="the day after the sample's two months of work end (default: as bundled, 2026-12-01); "
                        "the dates are moved by whole days, as the first-run copy is moved to end yesterday")
    p.add_argument("--overwrite", action="store_true", help="replace an existing file")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def _date_arg(text: str):  # type: ignore[no-untyped-def]
    import datetime as _dt

    try:
        return _dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-12-07") from None
