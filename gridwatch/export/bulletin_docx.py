"""Bulletins as Word documents (python-docx): the monthly bulletin (月通报), the fire-point bulletin
(火点通报) and the assignment notice (交办单) of one finding (issue 17).

Each is written to a temp file and moved into place (:func:`~gridwatch.export.files.write_atomically`).
Chinese text is set in the East Asian font slot (Noto Sans CJK SC, which scripts/setup.sh installs;
Word and LibreOffice substitute another Chinese font where it is missing); user text reaches the
document as text runs, never as markup.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Sequence

from ..analysis.assessment import FIRE_KINDS, Assessment, AssessmentPeriod, assessment_from_project, fire_counts
from ..domain.calendar import report_deadlines
from ..domain.vocabulary import (
    ASSESSMENT_FIRE_KIND_TITLES,
    ASSESSMENT_PERIOD_TITLES,
    CATEGORY_TITLES,
    DEADLINE_TITLES,
    FINDING_STATUS_TITLES,
    FIRE_STATUS_TITLES,
    title,
)
from ..tasks import CancelToken, ProgressCallback, Steps
from ..times import BEIJING, beijing_text
from .files import ExportError, checked_target, write_atomically

if TYPE_CHECKING:
    import pandas as pd
else:
    from ..lazy import pd

#: The East Asian font named in the documents.
CJK_FONT = "Noto Sans CJK SC"
KIND_HEADERS = {k: title(ASSESSMENT_FIRE_KIND_TITLES, k) for k in ASSESSMENT_FIRE_KIND_TITLES}


def _document() -> Any:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        try:
            style = doc.styles[name]
        except KeyError:
            continue
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for slot in ("w:eastAsia", "w:ascii", "w:hAnsi"):
            fonts.set(qn(slot), CJK_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)
    section = doc.sections[0]
    from docx.shared import Cm

    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(2.0)
    return doc


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "—"
    try:
        if pd.isna(value):
            return "—"
    except (TypeError, ValueError):
        pass
    return str(value)


def _table(doc: Any, headers: Sequence[str], rows: Sequence[Sequence[Any]],
           widths_cm: Optional[Sequence[float]] = None) -> Any:
    """A bordered table: a bold header row, then ``rows`` (missing values as —); ``widths_cm`` per column
    (the page holds 17 cm)."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.autofit = widths_cm is None
    for cell, text in zip(table.rows[0].cells, headers):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = _cell_text(value)
    if widths_cm is not None:
        from docx.shared import Cm

        for column, width in zip(table.columns, widths_cm):
            for cell in column.cells:
                cell.width = Cm(width)
    return table


def _change(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "—"
    v = int(value)
    return f"↑{v}" if v > 0 else (f"↓{-v}" if v < 0 else "持平")


def _wan(yuan: float) -> str:
    return f"{yuan / 10_000:g}"


def _save(doc: Any, out: Path) -> Path:
    def write(tmp: Path) -> None:
        doc.save(str(tmp))

    return write_atomically(out, write)


def _district(project_path: os.PathLike[str] | str) -> str:
    from ..storage import Project

    return Project.open(project_path).district_name or "本区"


def _map_png(project_path: os.PathLike[str] | str, window: tuple[_dt.datetime, _dt.datetime], label: str,
             now: _dt.datetime) -> Optional[bytes]:
    """The district map of the period as PNG bytes (None when it cannot be drawn: no Chinese font)."""
    from .map_spec import MapSpec
    from .maps import export_map

    with tempfile.TemporaryDirectory(prefix="gridwatch-bulletin-") as folder:
        png = Path(folder) / "map.png"
        try:
            export_map(project_path, png, MapSpec(dpi=110, now=min(now, window[1]), window=window,
                                                  period_label=label))
        except ExportError:
            return None
        return png.read_bytes()


def monthly_bulletin(project_path: os.PathLike[str] | str, out_path: os.PathLike[str] | str,
                     period: AssessmentPeriod, *, weights: Optional[dict[str, float]] = None,
                     now: Optional[_dt.datetime] = None, signed_on: Optional[_dt.date] = None,
                     with_map: bool = True, progress: Optional[ProgressCallback] = None,
                     cancel: Optional[CancelToken] = None) -> tuple[Path, Assessment]:
    """Write the bulletin (月通报; a quarter's 季评比 or a year's 年考核 alike) of ``period`` as .docx:
    ranking with change, fire points per township by kind, coverage, overdue and rejected findings,
    the district map, the signed-off date and the reporting deadlines."""
    from ..storage import queries

    target = checked_target(out_path, (".docx",))
    t = now or _dt.datetime.now(_dt.timezone.utc)
    steps = Steps(progress, cancel, [("assess", 3), ("map", 2), ("write", 1)])
    steps.start("assess", "考核排名")
    result = assessment_from_project(project_path, period, weights=weights, now=t)
    table = result.table
    district = _district(project_path)
    doc = _document()
    doc.add_heading(f"{district}大气污染防治网格化监管{title(ASSESSMENT_PERIOD_TITLES, period.kind)}", level=0)
    first, last = period.days()
    doc.add_paragraph(f"通报时段：{period.label_zh}（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}，北京时间）")

    doc.add_heading("一、乡镇考核排名", level=1)
    _table(doc, ["排名", "乡镇", "综合得分", "较上期", "秸秆焚烧火点", "其他焚烧火点", "扣减(万元)", "一票否决"],
           [[(f"{r['rank']}（并列）" if r["tied"] else r["rank"]), r["name"], r["score"], _change(r["rank_change"]),
             r["fires_straw"], r["fires_other"], _wan(float(r["deduction_yuan"])), r["veto"]]
            for _, r in table.iterrows()], widths_cm=[1.6, 3.4, 1.6, 1.4, 1.5, 1.5, 1.6, 4.4])
    doc.add_paragraph("综合得分相同者名次并列；有一票否决事项的乡镇排在最后。火点扣减：秸秆焚烧每个"
                      f"{_wan(float(result.settings['deduction_straw_yuan']))}万元，其他可燃物每个"
                      f"{_wan(float(result.settings['deduction_other_yuan']))}万元；未核查火点和核查为工业热源的火点"
                      "单列，均不扣减；核查为未发现焚烧、不在本网格的及未核查的持续热源不计入。")

    doc.add_heading("二、火点情况（按乡镇、焚烧类型）", level=1)
    rows = [[r["name"]] + [int(r["fires_" + k]) for k in FIRE_KINDS] + [_wan(float(r["deduction_yuan"]))]
            for _, r in table.sort_values("township_code").iterrows()]
    totals = table[["fires_" + k for k in FIRE_KINDS]].sum()
    rows.append(["合计"] + [int(totals["fires_" + k]) for k in FIRE_KINDS]
                + [_wan(float(table["deduction_yuan"].sum()))])
    _table(doc, ["乡镇"] + [KIND_HEADERS[k] for k in FIRE_KINDS] + ["扣减(万元)"], rows)

    doc.add_heading("三、网格巡查覆盖", level=1)
    _table(doc, ["乡镇", "网格数", "已巡查网格", "覆盖率(%)", "问题数", "整改率(%)"],
           [[r["name"], r["cells"], r["covered_cells"], r["coverage_pct"], r["findings"], r["closure_pct"]]
            for _, r in table.sort_values("township_code").iterrows()])

    doc.add_heading("四、超期和被驳回的问题", level=1)
    found = queries.findings(project_path)
    names = dict(zip(table["township_code"], table["name"]))
    ref_day = min(t, period.window()[1] - _dt.timedelta(seconds=1)).astimezone(BEIJING).date().isoformat()
    deadline = found["rectify_deadline"].astype(object).map(lambda v: None if v is None or v != v else str(v)[:10]) \
        if len(found) else pd.Series(dtype=object)
    open_ = found["status"].isin(("found", "assigned", "rectified")) if len(found) else pd.Series(dtype=bool)
    late = open_ & deadline.notna() & (deadline.fillna("9999") < ref_day) if len(found) else open_
    rejected = pd.to_numeric(found["reject_count"], errors="coerce").fillna(0) > 0 if len(found) else open_
    picked = found[late | rejected] if len(found) else found
    if len(picked):
        counts = pd.to_numeric(picked["reject_count"], errors="coerce").fillna(0).astype(int)
        _table(doc, ["乡镇", "网格", "类别", "状态", "整改期限", "驳回次数", "责任主体"],
               [[names.get(str(r["cell_code"])[:9], str(r["cell_code"])[:9]), r["cell_name"] or r["cell_code"],
                 title(CATEGORY_TITLES, r["category"]), title(FINDING_STATUS_TITLES, r["status"]),
                 deadline.get(i), counts.get(i), r["responsible_party"]]
                for i, r in picked.iterrows()])
        doc.add_paragraph(f"共 {len(picked)} 个：超期 {int(late.sum())} 个，被驳回过 {int(rejected.sum())} 个。")
    else:
        doc.add_paragraph("无超期或被驳回的问题。")
    steps.start("map", "绘制全区图")
    if with_map:
        png = _map_png(project_path, period.window(), period.label_zh, t)
        doc.add_heading("五、全区图", level=1)
        if png is not None:
            from docx.shared import Cm

            doc.add_picture(io.BytesIO(png), width=Cm(15))
        else:
            doc.add_paragraph("（未找到中文字体，未能绘制地图）")
    steps.start("write", "写入文件")
    signed = signed_on or t.astimezone(BEIJING).date()
    doc.add_paragraph("")
    doc.add_paragraph(f"签发日期：{signed.year}年{signed.month}月{signed.day}日")
    deadlines = report_deadlines(signed, result.settings["township_report_day"], result.settings["bulletin_day"])
    doc.add_paragraph("；".join(f"{title(DEADLINE_TITLES, k)}：{d:%Y-%m-%d}" for k, d in deadlines))
    out = _save(doc, target)
    steps.report(1.0)
    return out, result


def fire_bulletin(project_path: os.PathLike[str] | str, out_path: os.PathLike[str] | str,
                  window: tuple[_dt.datetime, _dt.datetime], label: str, *,
                  now: Optional[_dt.datetime] = None) -> Path:
    """The fire-point bulletin (火点通报) of ``window``: counts per township by kind, then every fire
    point that counts (straw or other burning confirmed) or is still unchecked, by detection time."""
    from ..analysis.stats import read_frames
    from ..storage.plans import read_settings

    target = checked_target(out_path, (".docx",))
    f = read_frames(project_path)
    settings = read_settings(project_path)
    codes = sorted(f.township_names)
    counts = fire_counts(f.fire_points, window, codes, settings)
    doc = _document()
    doc.add_heading(f"{_district(project_path)}火点通报", level=0)
    doc.add_paragraph(f"通报时段：{label}（北京时间）")
    doc.add_heading("一、各乡镇火点", level=1)
    _table(doc, ["乡镇"] + [KIND_HEADERS[k] for k in FIRE_KINDS] + ["扣减(万元)"],
           [[f.township_names.get(r["township_code"], r["township_code"])] + [int(r["fires_" + k]) for k in FIRE_KINDS]
            + [_wan(float(r["deduction_yuan"]))] for _, r in counts.iterrows()])
    doc.add_heading("二、火点明细（确认焚烧和未核查）", level=1)
    from ..analysis.assessment import fire_kinds
    from ..times import utc_series

    fp = f.fire_points
    if len(fp):
        when = utc_series(fp["detected_utc"])
        s, e = (pd.Timestamp(x).tz_convert("UTC") for x in window)
        fp = fp[(when >= s) & (when < e)].copy()
        fp["kind"] = fire_kinds(fp)
        fp = fp[fp["kind"].isin(("straw", "other", "unverified"))].sort_values("detected_utc")
    rows = [[beijing_text(r["detected_utc"]), f.township_names.get(r["township_code"], r["township_code"]),
             r["cell_code"], title(FIRE_STATUS_TITLES, r["status"])] for _, r in fp.iterrows()] if len(fp) else []
    if rows:
        _table(doc, ["监测时间", "乡镇", "网格", "核查结果"], rows)
    else:
        doc.add_paragraph("本时段无确认焚烧或未核查的火点。")
    t = now or _dt.datetime.now(_dt.timezone.utc)
    d = t.astimezone(BEIJING).date()
    doc.add_paragraph(f"签发日期：{d.year}年{d.month}月{d.day}日")
    return _save(doc, target)


def assignment_notice(project_path: os.PathLike[str] | str, out_path: os.PathLike[str] | str, finding_uuid: str,
                      *, now: Optional[_dt.datetime] = None) -> Path:
    """The assignment notice (交办单) of one finding, one page: cell, place, photo, deadline,
    responsible party."""
    from ..storage import queries

    target = checked_target(out_path, (".docx",))
    row = queries.finding_row(project_path, finding_uuid)
    if not row:
        raise ExportError(f"{project_path}: no finding {finding_uuid}; nothing was written")
    photos = queries.attachments(project_path, finding_uuid, with_data=True)
    doc = _document()
    doc.add_heading(f"{_district(project_path)}环境问题交办单", level=0)
    cell = str(row.get("cell_code") or "")
    towns = dict(queries.townships(project_path))
    from ..storage.gpkg import blob_to_geometry

    geom = blob_to_geometry(row.get("geom"))
    where = ""
    if geom is not None and geom.geom_type == "Point":
        where = f"东经 {geom.x:.5f}°，北纬 {geom.y:.5f}°"
    _table(doc, ["项目", "内容"], [
        ["乡镇", towns.get(cell[:9], cell[:9])],
        ["网格", cell],
        ["位置", "；".join(p for p in (where, str(row.get("location_note") or "")) if p) or "—"],
        ["问题类别", title(CATEGORY_TITLES, row.get("category"))],
        ["问题描述", row.get("description")],
        ["发现时间", beijing_text(row.get("found_at"))],
        ["当前状态", title(FINDING_STATUS_TITLES, row.get("status"))],
        ["整改期限", str(row.get("rectify_deadline") or "")[:10] or "—"],
        ["责任主体", row.get("responsible_party")],
    ])
    evidence = photos[photos["role"] == "evidence"] if len(photos) else photos
    data = evidence["data"].iloc[0] if len(evidence) else None
    if data is not None:
        from docx.shared import Cm

        doc.add_paragraph("现场照片：")
        try:
            doc.add_picture(io.BytesIO(bytes(data)), height=Cm(8))
        except Exception:  # an image python-docx cannot place (an odd format): the notice without it
            doc.add_paragraph("（照片格式无法插入，请在 GridWatch 中查看）")
    t = now or _dt.datetime.now(_dt.timezone.utc)
    d = t.astimezone(BEIJING).date()
    doc.add_paragraph("请责任单位按期整改，整改完成后上传整改照片，由网格长或督查员核查。")
    doc.add_paragraph(f"交办日期：{d.year}年{d.month}月{d.day}日")
    return _save(doc, target)
