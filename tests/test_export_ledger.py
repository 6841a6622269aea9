"""The findings ledger (整改台账) and the township ranking exports, read back as a user's spreadsheet
would read them; on the hand-computed district of test_stats."""

from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from gridwatch.cli import main
from gridwatch.errors import GridWatchError
from gridwatch.export.tables import ExportError, ledger_sheets, write_tables

from .test_stats import NOW, T1, T2, T3, write_district


@pytest.fixture
def district(tmp_path):
    return write_district(tmp_path / "district.gpkg")


def sheet_rows(path, name):
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return list(rows[0]), [dict(zip(rows[0], r)) for r in rows[1:]]


def test_ledger_xlsx_has_chinese_titles_names_and_beijing_times(district, tmp_path, capsys):
    out = tmp_path / "台账.xlsx"
    assert main(["export", "ledger", str(district), "--out", str(out)]) == 0
    assert "8 findings, 3 overdue" in capsys.readouterr().out  # f2, f3, f5: open and past their deadlines today
    assert openpyxl.load_workbook(out).sheetnames == ["整改台账", "分类统计", "说明"]
    header, rows = sheet_rows(out, "整改台账")
    for title in ("序号", "编号", "乡镇", "村/社区", "网格", "问题类别", "问题描述", "发现时间", "发现人", "状态",
                  "整改期限", "是否超期", "整改情况", "核查情况", "驳回次数", "销号时间"):
        assert title in header
    assert [r["序号"] for r in rows] == list(range(1, 9))
    first = rows[0]  # oldest: f5, found 20 Oct 02:00 UTC = 10:00 Beijing
    assert first["发现时间"] == "2025-10-20 10:00" and first["乡镇"] == "二镇" and first["村/社区"] == "乙村"
    assert first["问题类别"] == "秸秆/露天焚烧" and first["状态"] == "发现" and first["是否超期"] == "是"
    assert first["整改期限"] == "2025-10-30" and first["发现人"] == "张三" and first["网格"] == "网格C"
    by_desc = {r["问题描述"]: r for r in rows}
    assert by_desc["正常描述"]["驳回次数"] == 2 and by_desc["正常描述"]["状态"] == "已销号"
    assert by_desc["正常描述"]["是否超期"] == "否"  # closed
    _, counts = sheet_rows(out, "分类统计")
    total = counts[-1]
    assert total["问题类别"] == "合计" and total["合计"] == 8 and total["已销号"] == 2 and total["发现"] == 3


def test_ledger_overdue_days_at_a_given_time(district):
    ledger = ledger_sheets(district, now=NOW)["整改台账"]
    late = ledger[ledger["是否超期"] == "是"]
    # on 20 Nov (Beijing): f5 deadline 30 Oct -> 21 days; f2 15 Nov -> 5 days; f3 is due that day
    assert sorted(late["超期天数"].tolist()) == [5, 21]


def test_user_text_never_becomes_a_formula(district, tmp_path):
    xlsx = tmp_path / "l.xlsx"
    write_tables(ledger_sheets(district, now=NOW), xlsx)
    ws = openpyxl.load_workbook(xlsx)["整改台账"]
    header = [c.value for c in ws[1]]
    col = header.index("问题描述") + 1
    cells = {ws.cell(row=r, column=col).value: ws.cell(row=r, column=col) for r in range(2, ws.max_row + 1)}
    for text in ("=1+2", "+cmd", "-5 吨", "@SUM(A1)"):
        assert cells[text].data_type == "s" and cells[text].quotePrefix  # the text itself, shown as text
    with zipfile.ZipFile(xlsx) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere
    csv_path = tmp_path / "l.csv"
    assert main(["export", "ledger", str(district), "--out", str(csv_path)]) == 0
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Chinese
    rows = list(csv.DictReader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    descriptions = {r["问题描述"] for r in rows}
    assert {"'=1+2", "'+cmd", "'-5 吨", "'@SUM(A1)", "正常描述"} <= descriptions
    assert not any(d.startswith(("=", "+", "-", "@")) for d in descriptions)


def test_ledger_filters_by_status_and_township(district, tmp_path, capsys):
    out = tmp_path / "l.csv"
    assert main(["export", "ledger", str(district), "--out", str(out), "--status", "found", "--township", "二镇"]) == 0
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert sorted(r["问题描述"] for r in rows) == ["y", "z"]  # f5 and f6: the found ones of 二镇
    assert main(["export", "ledger", str(district), "--out", str(out), "--status", "found,closed",
                 "--township", T1]) == 0
    rows = list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert sorted(r["状态"] for r in rows) == ["发现", "已销号", "已销号"]  # f7 | f1, f8
    capsys.readouterr()
    assert main(["export", "ledger", str(district), "--out", str(out), "--status", "open"]) == 2
    assert "unknown finding status 'open'" in capsys.readouterr().err
    assert main(["export", "ledger", str(district), "--out", str(out), "--township", "九镇"]) == 2
    assert "no township" in capsys.readouterr().err


def test_ranking_export_for_a_past_month(district, tmp_path, capsys):
    """November judged at its end (1 Dec 00:00 Beijing; the run is later):

    overdue: T1 f2 f3 + a1 = 3 over 2 cells = 1.5; T2 f5 + a2 k3 k4 = 4 over 4 cells = 1.0 -> scores 0, 33.3, 100
    coverage: E (21 Nov) now counts: T1 1/2, T2 C E 2/4, T3 1/2 = 50 % each
    fire points: the ranking is the assessment's (issue 17): only confirmed burning counts, and every
    detection here is unverified (T1 2, T2 4, shown apart), so every township scores 100 on fires
    T1 = .3*50 + .25*40 + .15*0 + .15*100 + .15*100 = 55.0
    T2 = .3*50 + .25*50 + .15*33.33 + .15*0 + .15*100 = 15 + 12.5 + 5 + 15 = 47.5
    T3 = (.3*50 + .15*100 + .15*100) / .6 = 75.0
    """
    out = tmp_path / "排名.xlsx"
    assert main(["export", "ranking", str(district), "--out", str(out), "--month", "2025-11"]) == 0
    assert "3 townships ranked for 2025-11; 1. 三镇 75.0" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["考核排名", "乡镇指标", "火点核查", "说明"]
    _, rows = sheet_rows(out, "考核排名")
    assert [(r["排名"], r["乡镇"], r["综合得分"]) for r in rows] == [(1, "三镇", 75.0), (2, "一镇", 55.0),
                                                                   (3, "二镇", 47.5)]
    assert rows[2]["超期问题和任务(每网格)得分"] == 33.3 and rows[2]["巡查覆盖率(%)"] == 50.0
    assert [(r["火点:秸秆焚烧"], r["火点:未核查"], r["扣减(元)"], r["并列"]) for r in rows] == [
        (0, 0, 0, None), (0, 2, 0, None), (0, 4, 0, None)]
    assert all(r["一票否决"] is None for r in rows)
    _, fires = sheet_rows(out, "火点核查")
    t2 = next(r for r in fires if r["乡镇代码"] == T2)
    assert (t2["火点数"], t2["超时核查"], t2["超期未核查"], t2["未派核查任务"]) == (4, 1, 2, 1)  # p5's check is late now
    _, notes = sheet_rows(out, "说明")
    assert notes[0]["内容"] == "2025-11"
    csv_path = tmp_path / "排名.csv"
    assert main(["export", "ranking", str(district), "--out", str(csv_path), "--month", "2025-11",
                 "--weights", "closure=1"]) == 0
    rows = list(csv.DictReader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    assert [r["乡镇代码"] for r in rows] == [T2, T1, T3]  # 50 % > 40 % > no findings
    assert [r["排名"] for r in rows] == ["1", "2", ""]
    capsys.readouterr()
    assert main(["export", "ranking", str(district), "--out", str(csv_path), "--weights", "coverage=-1"]) == 2
    assert "zero or positive" in capsys.readouterr().err
    assert main(["export", "ranking", str(district), "--out", str(csv_path), "--month", "11/2025"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err


def _chattr(flag: str, path) -> bool:
    if shutil.which("chattr") is None:
        return False
    return subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_an_unwritable_target_leaves_the_old_file(district, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "台账.xlsx"
    target.write_bytes(b"old ledger")
    sheets = ledger_sheets(district, now=NOW)
    # the file itself cannot be replaced (immutable; works even for root)
    if not _chattr("+i", target):
        pytest.skip("chattr +i is not available here")
    try:
        with pytest.raises(ExportError, match="cannot be written.*old file, if any, is unchanged"):
            write_tables(sheets, target)
    finally:
        _chattr("-i", target)
    assert target.read_bytes() == b"old ledger"
    assert sorted(p.name for p in folder.iterdir()) == ["台账.xlsx"]  # no temp file left
    # the folder takes no new file
    assert _chattr("+i", folder)
    try:
        with pytest.raises(GridWatchError, match="cannot be written in .*choose a folder"):
            write_tables(sheets, target)
    finally:
        _chattr("-i", folder)
    assert target.read_bytes() == b"old ledger"
    write_tables(sheets, target)  # writable again: replaced whole
    assert openpyxl.load_workbook(target).sheetnames == ["整改台账", "分类统计", "说明"]
