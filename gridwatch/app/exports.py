"""One export runner for every export kind, used by ``gridwatch export`` and the export dialog.

Options are plain dicts (as the dialog's form and the CLI's arguments give them); the runner picks
the core function, writes through a temp file (the export modules do) and reports progress.
"""

from __future__ import annotations

import datetime as _dt
import threading
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import ValidationError
from ..tasks import CancelToken, ProgressCallback

#: Every export kind: map (PDF/PNG, or a PDF atlas), web map (HTML), findings ledger, coverage and ranking tables.
KINDS = ("map", "html", "ledger", "coverage", "ranking", "bulletin", "fire_bulletin", "notice")
#: Word documents (issue 17): the bulletin of a month, quarter or year; the fire-point bulletin; a finding's
#: assignment notice.
DOCUMENT_KINDS = ("bulletin", "fire_bulletin", "notice")
TABLE_KINDS = ("ledger", "coverage", "ranking")

#: Matplotlib's cached FreeType fonts are shared by all figures and not thread-safe: map previews
#: and map exports draw one at a time.
RENDER_LOCK = threading.Lock()


def locked_render(cancel: CancelToken, work: Callable[[], Any]) -> Any:
    """Run ``work()`` holding :data:`RENDER_LOCK`, checking ``cancel`` while waiting for it."""
    while not RENDER_LOCK.acquire(timeout=0.1):
        cancel.raise_if_cancelled()
    try:
        cancel.raise_if_cancelled()
        return work()
    finally:
        RENDER_LOCK.release()


def period_of(options: dict[str, Any], now: Optional[_dt.datetime] = None) -> Optional[tuple[Any, str]]:
    """``(window, label)`` of the export's ``period`` option (a :class:`~gridwatch.app.periods.Period`
    or its text, e.g. ``7d``), for the moment ``now``; None without one."""
    from .periods import Period

    value = options.get("period")
    if value is None:
        return None
    period = value if isinstance(value, Period) else Period.parse(value)
    t = now or _dt.datetime.now(_dt.timezone.utc)
    return period.window(t), period.label(t)


def build_sheets(kind: str, project_path: Path, options: dict[str, Any],
                 now: Optional[_dt.datetime] = None) -> tuple[dict[str, Any], Any]:
    """(sheets, the coverage they were made from or None) of a table export."""
    from ..export import tables

    if kind == "ledger":
        return tables.ledger_sheets(project_path, statuses=options.get("statuses"), township=options.get("township"),
                                    now=now, period=period_of(options, now)), None
    if kind == "coverage":
        from ..analysis.coverage import coverage_from_project, rules_from_intervals
        from ..storage import Project

        intervals = options.get("intervals")
        cov = coverage_from_project(project_path, now=now, periods=options["periods"],
                                    basis=options.get("basis") or "reported",
                                    **({"rules": rules_from_intervals(intervals)} if intervals else {}))
        people = Project.open(project_path).read_table("inspector", columns=["uuid", "name"])
        return tables.coverage_sheets(cov, dict(zip(people["uuid"], people["name"]))), cov
    if kind == "ranking":
        return tables.ranking_sheets(project_path, month=options.get("month"), weights=options.get("weights"),
                                     now=now, period_of=period_of(options, now)), None
    raise ValidationError(f"unknown table export {kind!r}; kinds: {', '.join(TABLE_KINDS)}")


def table_sheets(kind: str, project_path: Path, options: dict[str, Any],
                 now: Optional[_dt.datetime] = None) -> dict[str, Any]:
    """The sheets (Chinese titles) of a table export: ``ledger`` (statuses, township), ``coverage``
    (periods, intervals) or ``ranking`` (month, weights)."""
    return build_sheets(kind, project_path, options, now)[0]


def export_tables(kind: str, project_path: Path, out_path: Path, options: dict[str, Any], *,
                  now: Optional[_dt.datetime] = None, progress: Optional[ProgressCallback] = None,
                  cancel: Optional[CancelToken] = None) -> tuple[Path, dict[str, Any], Any]:
    """Write a table export; returns (file, its sheets, the coverage it was made from or None)."""
    from ..export.tables import write_tables

    report = progress or (lambda f, m: None)
    report(0.05, "读取项目")
    sheets, coverage = build_sheets(kind, project_path, options, now)
    if cancel is not None:
        cancel.raise_if_cancelled()
    report(0.6, "写入文件")
    out = write_tables(sheets, out_path)
    report(1.0, "")
    return Path(out), sheets, coverage


def map_spec(options: dict[str, Any], now: Optional[_dt.datetime] = None):  # type: ignore[no-untyped-def]
    """The :class:`~gridwatch.export.maps.MapSpec` of the map options (missing ones: the spec's defaults)."""
    from ..export.maps import MapSpec

    keys = ("subtitle", "fire_days", "labels", "overview", "coverage_basis")
    extra = {k: options[k] for k in keys if k in options}
    period = period_of(options, now)
    if period is not None:  # the period control's choice, printed on the map
        extra.update(window=period[0], period_label=period[1])
    layers = options.get("layers")
    return MapSpec(title=options.get("title") or None, paper=options.get("paper", "A4"),
                   orientation=options.get("orientation", "portrait"), dpi=int(options.get("dpi", 300)),
                   layers=tuple(layers) if layers is not None else None, theme=options.get("theme", "layers"),
                   extent="district" if options.get("atlas") else (options.get("extent") or "district"), now=now,
                   **extra)


def run_export(kind: str, project_path: Path, out_path: Path, options: dict[str, Any], *,
               now: Optional[_dt.datetime] = None, progress: Optional[ProgressCallback] = None,
               cancel: Optional[CancelToken] = None) -> Path:
    """Write one export of ``kind`` to ``out_path``; returns the file written."""
    report = progress or (lambda f, m: None)
    token = cancel or CancelToken()
    if kind == "map":
        from ..export.maps import export_atlas, export_map

        spec = map_spec(options, now)
        if options.get("atlas"):
            towns = options.get("townships")
            return locked_render(token, lambda: export_atlas(project_path, out_path, spec, progress=report,
                                                             cancel=token, **({"townships": towns} if towns else {})))
        return locked_render(token, lambda: export_map(project_path, out_path, spec, progress=report, cancel=token))
    if kind == "html":
        from ..export.html import export_html

        extra = {k: options[k] for k in ("coverage_colours", "tiles", "coverage_basis") if k in options}
        return export_html(project_path, out_path, layers=options.get("layers"), township=options.get("township"),
                           fire_days=options.get("fire_days"), now=now, progress=report, cancel=token,
                           period=period_of(options, now), **extra)
    if kind in DOCUMENT_KINDS:
        return export_document(kind, project_path, out_path, options, now=now, progress=report, cancel=token)
    return export_tables(kind, project_path, out_path, options, now=now, progress=report, cancel=token)[0]


def export_document(kind: str, project_path: Path, out_path: Path, options: dict[str, Any], *,
                    now: Optional[_dt.datetime] = None, progress: Optional[ProgressCallback] = None,
                    cancel: Optional[CancelToken] = None) -> Path:
    """A Word document: ``bulletin`` (options: assessment ``period`` text such as 2026-11 / 2026-Q4 / 2026,
    default last month; ``weights``; ``map``), ``fire_bulletin`` (the period control's ``period``, default
    this month) or ``notice`` (``finding``: its uuid)."""
    from ..analysis.assessment import current_period, parse_assessment_period
    from ..export import bulletin_docx
    from ..times import BEIJING

    t = now or _dt.datetime.now(_dt.timezone.utc)
    token = cancel or CancelToken()
    if kind == "bulletin":
        text = options.get("assessment_period")
        period = parse_assessment_period(text) if text else \
            current_period("month", t.astimezone(BEIJING).date()).previous()
        return locked_render(token, lambda: bulletin_docx.monthly_bulletin(
            project_path, out_path, period, weights=options.get("weights"), now=t,
            with_map=options.get("map", True), progress=progress, cancel=token)[0])
    if kind == "fire_bulletin":
        window = period_of({"period": options.get("period") or "month"}, t)
        assert window is not None
        (start, end), label = window
        start = start or _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc)
        return bulletin_docx.fire_bulletin(project_path, out_path, (start, end or t), label, now=t)
    if kind == "notice":
        if not options.get("finding"):
            raise ValidationError("an assignment notice needs a finding: choose one in the findings panel")
        return bulletin_docx.assignment_notice(project_path, out_path, str(options["finding"]), now=t)
    raise ValidationError(f"unknown document {kind!r}; documents: {', '.join(DOCUMENT_KINDS)}")
