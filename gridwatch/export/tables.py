"""Table exports (CSV, XLSX) written to a temp file beside the target and moved into place.

An existing file is either left as it was or replaced whole, never truncated half-way.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from ..analysis.coverage import Coverage
from ..times import Window, finding_ends, overlaps
from .files import ExportError, checked_target, write_atomically

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: Chinese column titles of the coverage tables (the office's briefing language).
COVERAGE_TITLES = {
    "code": "网格编码", "township_code": "乡镇代码", "name": "名称", "inspector_uuid": "网格员",
    "cell_class": "网格类别", "interval_days": "巡查周期(天)", "last_inspection": "最近检查(北京时间)",
    "days_since": "距今天数", "never_inspected": "从未检查", "overdue": "超期未巡", "open_findings": "未销号问题",
    "cells": "网格数",
}
CLASS_TITLES = {"coal_ban_zone": "禁煤区网格", "mine_or_grade_c_site": "含矿山或C级工地", "other": "一般网格"}


def _titles(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    titles = dict(COVERAGE_TITLES)
    for col in out.columns:
        days = str(col).rsplit("_", 1)[-1][:-1]
        if str(col).startswith("inspections_"):
            titles[col] = "近" + days + "天检查次数"
        elif str(col).startswith("covered_"):
            titles[col] = "近" + days + "天已检查网格"
        elif str(col).startswith("coverage_"):
            titles[col] = "近" + days + "天覆盖率(%)"
    if "cell_class" in out.columns:
        out["cell_class"] = out["cell_class"].map(CLASS_TITLES).fillna(out["cell_class"])
    if "last_inspection" in out.columns:
        t = pd.to_datetime(out["last_inspection"], utc=True)
        out["last_inspection"] = t.dt.tz_convert("Asia/Shanghai").dt.strftime("%Y-%m-%d %H:%M")
    if "days_since" in out.columns:
        out["days_since"] = out["days_since"].round(1)
    return out.rename(columns=titles)


#: First characters that make a spreadsheet read a cell as a formula (CSV/Excel formula injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (openpyxl refuses them); they are dropped.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_safe(value: Any) -> Any:
    """``value`` as the CSV cell will really hold it, made safe (CSV only).

    Line breaks of every kind become one ``\\n`` inside the cell, which the writer then quotes (a bare
    carriage return left unquoted ends the row where Excel reads it, and the text after it starts a
    new row, perhaps with a live formula).  Text a spreadsheet would run as a formula, also after
    leading blanks or line breaks, is prefixed by ``'``.
    """
    if not isinstance(value, str):
        return value
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith(FORMULA_START) or text.lstrip(" \t\n\u3000").startswith(FORMULA_START[:4]):
        return "'" + text
    return text


def write_csv(frame: pd.DataFrame, path: os.PathLike[str] | str) -> None:
    """``frame`` as CSV for Excel: UTF-8 with a BOM, CRLF line ends, every cell through :func:`csv_safe`
    (headers too) and quoted when it holds a line break, a comma or a quote."""
    safe = frame.map(csv_safe)
    safe.columns = [csv_safe(str(c)) for c in frame.columns]
    safe.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, _dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # XLSX has no time zones; callers pass Beijing time
    return value


def _text_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _write_xlsx(tmp: Path, sheets: Mapping[str, pd.DataFrame]) -> None:
    """Every text cell is written as text (never as a formula), with a bold frozen header row."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name, frame in sheets.items():
        ws = book.create_sheet(title=str(name)[:31])
        widths = [_text_width(str(c)) for c in frame.columns]
        for j, col in enumerate(frame.columns, start=1):
            cell = ws.cell(row=1, column=j, value=_ILLEGAL_XML.sub("", str(col)))
            cell.font = bold
        for i, row in enumerate(frame.itertuples(index=False, name=None), start=2):
            for j, raw in enumerate(row, start=1):
                value = _cell_value(raw)
                cell = ws.cell(row=i, column=j)
                if isinstance(value, str):
                    value = _ILLEGAL_XML.sub("", value)
                    cell.value = value
                    cell.data_type = "s"  # "=1+2" typed by an inspector stays text
                    if value.startswith(FORMULA_START):
                        cell.quotePrefix = True  # and stays text when someone edits the cell
                    if i < 300:
                        widths[j - 1] = max(widths[j - 1], _text_width(value))
                else:
                    cell.value = value
                    if i < 300 and value is not None:
                        widths[j - 1] = max(widths[j - 1], len(str(value)))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(6, w + 2))
        ws.freeze_panes = "A2"
        if len(frame.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{max(1, len(frame) + 1)}"
    if not book.sheetnames:
        book.create_sheet("Sheet1")
    # Built in memory, then written in one go: a full disk then fails in our own write, and no
    # half-written zip object is left to fail again when it is garbage-collected.
    buffer = io.BytesIO()
    book.save(buffer)
    tmp.write_bytes(buffer.getbuffer())


def write_tables(sheets: Mapping[str, pd.DataFrame], out: os.PathLike[str] | str) -> Path:
    """Write ``sheets`` to ``out``: XLSX (one sheet each) or CSV (the first sheet, UTF-8 with BOM for Excel).

    Text is written as text: in XLSX as string cells (quote-prefixed when it starts like a
    formula), in CSV prefixed with ``'`` when it starts with ``= + - @`` (formula injection).
    The file is written beside ``out``, flushed and moved into place: an existing file is either
    replaced whole or left as it was.
    """
    target = Path(out)
    if target.suffix.lower() not in (".xlsx", ".csv"):
        raise ExportError(f"{target}: export to .xlsx or .csv")
    target = checked_target(target, (".xlsx", ".csv"))

    def write(tmp: Path) -> None:
        if target.suffix.lower() == ".csv":
            write_csv(next(iter(sheets.values())), tmp)
        else:
            _write_xlsx(tmp, sheets)

    return write_atomically(target, write)


def coverage_sheets(cov: Coverage, inspector_names: Mapping[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """The coverage tables with Chinese titles: townships, inspectors, cells."""
    cells = cov.cells.copy()
    if inspector_names is not None:
        cells["inspector_uuid"] = cells["inspector_uuid"].map(inspector_names).fillna(cells["inspector_uuid"])
    inspectors = cov.inspectors.drop(columns=["inspector_uuid"]) if "name" in cov.inspectors.columns \
        else cov.inspectors
    return {"乡镇覆盖率": _titles(cov.townships), "网格员覆盖率": _titles(inspectors), "网格巡查": _titles(cells)}


# --- the findings ledger (整改台账) ---------------------------------------------------------------

#: Ledger columns: Chinese title per source column, in the order of the sheet.
LEDGER_TITLES = {
    "seq": "序号", "short_id": "编号", "township_name": "乡镇", "village_name": "村/社区", "cell_name": "网格",
    "cell_code": "网格编码", "category": "问题类别", "severity": "严重程度", "description": "问题描述",
    "responsible_party": "责任主体", "found_at": "发现时间", "found_by_name": "发现人", "status": "状态",
    "rectify_deadline": "整改期限", "overdue": "是否超期", "overdue_days": "超期天数",
    "assigned_by_name": "交办人", "rectify_note": "整改情况", "rectified_at": "整改时间",
    "rectified_by_name": "整改记录人", "verify_note": "核查情况", "verified_at": "核查时间",
    "verified_by_name": "核查人", "reject_count": "驳回次数", "reject_reason": "驳回原因",
    "closed_at": "销号时间", "closed_by_name": "销号人", "photo_count": "照片数", "location_note": "位置提示",
    "longitude": "经度", "latitude": "纬度", "uuid": "唯一标识",
}
_LEDGER_EXTRA_SQL = ("SELECT uuid, assigned_by, rectified_by, rectified_at, verified_by, verified_at, closed_by, "
                     "closed_at FROM finding")


def ledger_frame(project_path: os.PathLike[str] | str, *, statuses: Optional[Sequence[str]] = None,
                 township: Optional[str] = None, now: Optional[_dt.datetime] = None,
                 window: Optional[Window] = None) -> pd.DataFrame:
    """The findings ledger as codes and values (one row per finding, oldest first): place names,
    category, status, deadline, ``overdue`` and ``overdue_days`` (at the Beijing date of ``now``),
    the loop's notes, times and people (names), rejections, photo count.

    ``statuses`` keeps only findings in these states; ``township`` is a code or (part of) a name;
    ``window`` (the period control's) keeps the findings open at some time in it.
    """
    from contextlib import closing

    from ..storage import queries
    from ..storage.gpkg import connect_readonly
    from ..storage.project import check_project
    from ..storage.schema import FINDING_STATUSES
    from ..times import BEIJING

    check_project(project_path)
    wanted = list(dict.fromkeys(statuses or ()))
    bad = [s for s in wanted if s not in FINDING_STATUSES]
    if bad:
        raise ExportError(f"unknown finding status {bad[0]!r}; statuses: {', '.join(FINDING_STATUSES)}")
    t = now or _dt.datetime.now(_dt.timezone.utc)
    frame = queries.findings(project_path, township=township, now=t)
    if wanted:
        frame = frame[frame["status"].isin(wanted)]
    with closing(connect_readonly(project_path)) as con:
        cur = con.execute(_LEDGER_EXTRA_SQL)
        extra = pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description], dtype=object)
        names = dict(con.execute("SELECT uuid, name FROM inspector").fetchall())
    frame = frame.merge(extra, on="uuid", how="left", suffixes=("", "_extra"))
    frame = frame[[c for c in frame.columns if not c.endswith("_extra")]]
    if window is not None:
        frame = frame[overlaps(frame["found_at"], finding_ends(frame), window)]
    for who in ("assigned_by", "rectified_by", "verified_by", "closed_by"):
        frame[who + "_name"] = frame[who].map(names)
    frame = frame.sort_values(["found_at", "uuid"], kind="mergesort").reset_index(drop=True)
    today = t.astimezone(BEIJING).date()
    deadline = pd.to_datetime(frame["rectify_deadline"].astype(object), errors="coerce", format="ISO8601")
    frame["overdue_days"] = [int((today - d.date()).days) if o and d is not pd.NaT else None
                             for o, d in zip(frame["overdue"], deadline)]
    frame.insert(0, "seq", range(1, len(frame) + 1))
    frame.insert(1, "short_id", frame["uuid"].astype(str).str[:8].str.upper())
    return frame


def ledger_sheets(project_path: os.PathLike[str] | str, *, statuses: Optional[Sequence[str]] = None,
                  township: Optional[str] = None, now: Optional[_dt.datetime] = None,
                  period: Optional[tuple[Window, str]] = None) -> dict[str, pd.DataFrame]:
    """The findings ledger (整改台账) with Chinese titles, Beijing times and Chinese category and
    status names, a category x status count sheet (分类统计) and what the ledger covers (说明:
    the period, the moment, the filters).  See :func:`ledger_frame`."""
    from ..analysis.stats import findings_by_category_status
    from ..domain.vocabulary import CATEGORY_TITLES, FINDING_STATUS_TITLES, SEVERITY_TITLES
    from ..times import BEIJING, beijing_text

    frame = ledger_frame(project_path, statuses=statuses, township=township, now=now,
                         window=period[0] if period is not None else None)
    out = frame[[c for c in LEDGER_TITLES if c in frame.columns]].copy()
    out["category"] = out["category"].map(lambda c: CATEGORY_TITLES.get(c, (c,))[0])
    out["status"] = out["status"].map(lambda c: FINDING_STATUS_TITLES.get(c, (c,))[0])
    out["severity"] = out["severity"].map(
        lambda v: SEVERITY_TITLES.get(int(v), (str(v),))[0] if v is not None and v == v else None)
    for col in ("found_at", "rectified_at", "verified_at", "closed_at"):
        out[col] = out[col].map(lambda v: beijing_text(v) or None)
    out["overdue"] = out["overdue"].map({True: "是", False: "否"})
    out["reject_count"] = out["reject_count"].fillna(0).astype(int)
    out["photo_count"] = out["photo_count"].fillna(0).astype(int)
    out["overdue_days"] = out["overdue_days"].astype("Int64")
    counts = findings_by_category_status(frame[["category", "status"]])
    counts = counts.rename(index=lambda c: CATEGORY_TITLES.get(c, (c,))[0],
                           columns=lambda c: FINDING_STATUS_TITLES.get(c, (c,))[0])
    counts["合计"] = counts.sum(axis=1)
    counts.loc["合计"] = counts.sum(axis=0)
    counts = counts.reset_index().rename(columns={"category": "问题类别"})
    counts.columns.name = None
    t = now or _dt.datetime.now(_dt.timezone.utc)
    notes = pd.DataFrame({"项目": ["时段", "统计时间(北京时间)", "问题状态", "乡镇", "问题数"],
                          "内容": [period[1] if period is not None else "全部",
                                 f"{t.astimezone(BEIJING):%Y-%m-%d %H:%M}",
                                 "、".join(FINDING_STATUS_TITLES.get(s, (s,))[0] for s in statuses or ()) or "全部",
                                 township or "全部", str(len(out))]})
    return {"整改台账": out.rename(columns=LEDGER_TITLES), "分类统计": counts, "说明": notes}


# --- the township ranking (考核排名) -------------------------------------------------------------

SUMMARY_TITLES = {
    "township_code": "乡镇代码", "name": "乡镇", "cells": "网格数", "inspections": "检查次数",
    "covered_cells": "已巡查网格", "coverage_pct": "巡查覆盖率(%)", "findings": "发现问题",
    "findings_closed": "整改到位(已核查或销号)", "closure_pct": "问题整改率(%)", "findings_overdue": "超期未整改问题",
    "tasks_overdue": "超期未完成任务", "overdue_per_cell": "每网格超期数", "fire_points": "火点数",
    "fire_in_time": "按时核查火点", "checks_due": "应核查火点", "fire_in_time_pct": "火点按时核查率(%)",
    "median_hours_to_check": "监测至核查完成中位时长(小时)", "fires_per_cell": "每网格火点数",
    "score": "综合得分", "rank": "排名",
}
FIRE_TITLES = {
    "township_code": "乡镇代码", "name": "乡镇", "fire_points": "火点数", "in_time": "按时核查", "late": "超时核查",
    "cancelled": "任务撤销", "overdue": "超期未核查", "pending": "核查中(未到期)", "no_check": "未派核查任务",
    "checks_due": "应核查火点", "fire_in_time_pct": "按时核查率(%)",
    "median_hours_to_check": "监测至核查完成中位时长(小时)",
}


def _assessment_titles() -> dict[str, str]:
    from ..analysis import stats
    from ..domain.vocabulary import ASSESSMENT_FIRE_KIND_TITLES, title

    titles = dict(SUMMARY_TITLES)
    titles.update({"score_" + k: stats.INDICATOR_TITLES_ZH[k] + "得分" for k in stats.INDICATORS})
    titles.update({"fires_" + k: "火点:" + title(ASSESSMENT_FIRE_KIND_TITLES, k) for k in ASSESSMENT_FIRE_KIND_TITLES})
    titles.update({"tied": "并列", "prev_rank": "上期排名", "rank_change": "名次变化(正为上升)",
                   "score_change": "得分变化", "deduction_yuan": "扣减(元)", "veto": "一票否决",
                   "fire_points": "计入火点(秸秆+其他)", "fires_per_cell": "每网格计入火点(折算秸秆)",
                   "period": "考核期"})
    return titles


def ranking_sheets(project_path: os.PathLike[str] | str, *, month: Optional[str] = None,
                   weights: Optional[Mapping[str, float]] = None,
                   now: Optional[_dt.datetime] = None,
                   period_of: Optional[tuple[Window, str]] = None) -> dict[str, pd.DataFrame]:
    """The township assessment ranking (issue 17) with Chinese titles: 考核排名 (rank, shared ranks,
    score, change against the previous period, fire points by kind, deductions, veto items, then the
    indicator scores and values), 乡镇指标 (every indicator), 火点核查 (fire follow-up) and 说明
    (period, weights, rules).

    ``period_of``: the period control's ``(window, label)`` instead of a month (an open start is the
    start of 2000, an open end ``now``)."""
    from ..analysis import stats
    from ..analysis.assessment import FIRE_KINDS, assessment_inputs, period_for_window
    from ..storage.plans import read_settings, vetoes

    t = now or _dt.datetime.now(_dt.timezone.utc)
    if period_of is not None and month is None:
        start, end = period_of[0]
        period = (start or _dt.datetime(2000, 1, 1, tzinfo=_dt.timezone.utc), end or t)
    else:
        period_of = None
        period = stats.month_period(month, now=now)
    frames = stats.read_frames(project_path)
    settings = read_settings(project_path)
    inputs = assessment_inputs(frames, period_for_window(*period), now=t, settings=settings,
                               vetoes=vetoes(project_path))
    ranked = inputs.rank(weights)
    w = stats.validate_weights(weights)
    ranked["tied"] = ranked["tied"].map({True: "是", False: ""})
    cols = (["rank", "tied", "name", "township_code", "score", "rank_change", "prev_rank", "score_change"]
            + ["fires_" + k for k in FIRE_KINDS] + ["deduction_yuan", "veto"]
            + ["score_" + k for k in stats.INDICATORS]
            + ["cells", "coverage_pct", "findings", "closure_pct", "findings_overdue", "tasks_overdue", "fire_points",
               "fire_in_time_pct"])
    titles = _assessment_titles()
    rank_sheet = ranked[cols].rename(columns=titles)
    fires = stats.fire_followup(frames.fire_points, frames.assignments, now, period=period,
                                township_names=frames.township_names).townships
    fires.columns.name = None
    wan = float(settings["deduction_straw_yuan"]) / 10_000, float(settings["deduction_other_yuan"]) / 10_000
    notes = pd.DataFrame({"项目": ["统计时段(北京时间)" if period_of is not None else "统计月份(北京时间)", "统计时间",
                                 "对比上期"]
                          + [stats.INDICATOR_TITLES_ZH[k] + "权重" for k in stats.INDICATORS]
                          + ["火点扣减", "得分规则", "整改率", "超期", "火点按时核查率", "排名", "一票否决"],
                          "内容": [period_of[1] if period_of is not None else stats.period_label(period),
                                 t.astimezone(_dt.timezone(_dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M"),
                                 inputs.period.previous().label_zh if inputs.previous_summary is not None else "无",
                                 *[f"{w[k]:.3f}" for k in stats.INDICATORS],
                                 f"确认秸秆焚烧每个火点扣减{wan[0]:g}万元，其他可燃物每个火点{wan[1]:g}万元；未核查的火点另列，"
                                 "核查为未发现焚烧、不在本网格或工业热源的火点不计入",
                                 "综合得分为各指标得分(0-100)的加权平均；百分比指标即得分；每网格超期数和每网格计入火点数"
                                 "(其他焚烧按扣减比例折算为秸秆焚烧)按 100×(1−本乡镇值/全区最高值) 计分；"
                                 "无法计算的指标不计入该乡镇",
                                 "本期发现的问题中已核查或已销号的比例",
                                 "未整改到位且已过整改期限的问题(含以前时段)，及已过截止时间仍未完成的任务",
                                 "本期火点中核查任务在截止时间前完成的比例(未到期的和未派任务的火点不计入)",
                                 "得分相同者名次相同(并列)，按乡镇代码排列",
                                 "本期内有一票否决事项的乡镇排在最后，不论得分"]})
    return {"考核排名": rank_sheet, "乡镇指标": inputs.summary.rename(columns=titles),
            "火点核查": fires.rename(columns=FIRE_TITLES), "说明": notes}
