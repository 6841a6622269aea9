"""Run every benchmark and append the results to benchmarks/RESULTS.md.

``python -m benchmarks [--repeats N]``; makes the stress district first if it is missing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gridwatch.storage.schema import SCHEMA_VERSION

from . import (
    bench_coverage,
    bench_export,
    bench_export_html,
    bench_field,
    bench_import,
    bench_open_read,
    bench_pg,
    bench_render,
    bench_sync,
    bench_ui,
    bench_workflow,
)
from ._harness import CONFIG, PEAK_RSS, append_results, run_snippet

GENERATE = PEAK_RSS + """
import json, time
from gridwatch.sample import write_sample
from gridwatch.sample.city import write_city
t0 = time.perf_counter()
if {scale!r} == "city":  # ten stress districts, written one county at a time
    write_city({path!r}, overwrite=True)
else:
    write_sample({path!r}, scale={scale!r}, overwrite=True)
print(json.dumps({{"seconds": time.perf_counter() - t0, "peak_mb": peak_mb()}}))
"""


def _schema(path) -> int:
    import sqlite3
    from contextlib import closing

    from gridwatch.layers import LAYERS
    from gridwatch.storage.schema import WORKFLOW_TABLES

    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as con:
        row = con.execute("SELECT value FROM gridwatch_meta WHERE key = 'schema_version'").fetchone()
        for name, spec in list(LAYERS.items()) + list(WORKFLOW_TABLES.items()):
            cols = {r[0] for r in con.execute("SELECT name FROM pragma_table_info(?)", (name,))}
            if not set(spec.field_names) <= cols:
                return -1  # made by a development version of this schema: regenerate
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale", choices=["stress", "tiny", "city"], default="stress",
                        help="stress: the measurement; tiny: every benchmark on a tiny district (the test suite's "
                             "smoke test: it runs, nothing is timed against a target)")
    parser.add_argument("--data", type=Path, help="folder of the generated district and scratch files "
                                                  "(default benchmarks/data)")
    parser.add_argument("--results", type=Path, help="results file to append to (default benchmarks/RESULTS.md)")
    parser.add_argument("--only", help="run one benchmark",
                        choices=["open", "render", "import", "workflow", "sync", "coverage", "html", "maps", "ui",
                                 "pg", "field"])
    args = parser.parse_args()
    CONFIG.scale = args.scale
    if args.data is not None:
        CONFIG.data = args.data.resolve()
    if args.results is not None:
        CONFIG.results = args.results.resolve()
    sections = []
    CONFIG.data.mkdir(parents=True, exist_ok=True)
    want = {args.only} if args.only else {"open", "render", "import", "workflow", "sync", "coverage", "html", "maps",
                                          "ui", "pg", "field"}
    if want == {"field"}:  # the field benchmark runs on the sample district alone
        print("in the field ...", flush=True)
        section = bench_field.run(args.repeats)
        append_results(section)
        print(section)
        return
    if CONFIG.district.exists() and _schema(CONFIG.district) != SCHEMA_VERSION:
        print(f"the {CONFIG.scale} district has schema {_schema(CONFIG.district)}, not {SCHEMA_VERSION}: "
              "regenerating", flush=True)
        CONFIG.district.unlink()
    if not CONFIG.district.exists():
        print(f"generating the {CONFIG.scale} district ...", flush=True)
        gen = run_snippet(GENERATE.format(path=str(CONFIG.district), scale=CONFIG.scale), timeout=3600)
        sections.append(
            f"### Generate the {CONFIG.scale} district (`gridwatch sample --scale {CONFIG.scale}`)\n\n"
            f"| seconds (one run) | peak MB | file MB |\n|---:|---:|---:|\n"
            f"| {gen['seconds']:.1f} | {gen['peak_mb']:.0f} | {CONFIG.district.stat().st_size / 2**20:.0f} |\n"
        )
    if "open" in want:
        print("open + read every layer ...", flush=True)
        sections.append(bench_open_read.run(args.repeats))
    if "render" in want:
        print("map rendering ...", flush=True)
        sections.append(bench_render.run(args.repeats))
    if "import" in want:
        print("FIRMS import ...", flush=True)
        sections.append(bench_import.run(CONFIG.size(max(3, args.repeats // 2), args.repeats)))
    if "workflow" in want:
        print("workflow ...", flush=True)
        sections.append(bench_workflow.run())
    if "sync" in want:
        print("sync ...", flush=True)
        sections.append(bench_sync.run())
    if "coverage" in want:
        print("coverage ...", flush=True)
        sections.append(bench_coverage.run())
    if "html" in want:
        print("HTML map ...", flush=True)
        sections.append(bench_export_html.run(CONFIG.size(max(3, args.repeats // 2), args.repeats)))
    if "maps" in want:
        print("PDF atlas ...", flush=True)
        sections.append(bench_export.run(CONFIG.size(max(3, args.repeats // 2), args.repeats)))
    if "ui" in want:
        print("the window's answers ...", flush=True)
        sections.append(bench_ui.run())
    if "pg" in want:
        print("PostGIS shared project ...", flush=True)
        sections.append(bench_pg.run())
    if "field" in want:
        print("in the field ...", flush=True)
        sections.append(bench_field.run(args.repeats))
    append_results("\n".join(sections))
    print("\n".join(sections))


if __name__ == "__main__":
    main()
