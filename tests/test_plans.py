"""The work plans' records on the sample district (issue 17): settings, veto items, heavy-pollution
warnings and their site checks, site downgrades, who may; the CLI doors; the Word bulletins as a reader
sees them (LibreOffice headless converts them to PDF, pdftoppm renders them)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from gridwatch.analysis.assessment import AssessmentPeriod, assessment_from_project
from gridwatch.domain.policy import Actor, RowContext, judge_row_change
from gridwatch.errors import InvalidTransition, NotFound, StorageError, ValidationError
from gridwatch.storage import plans
from gridwatch.storage.workflow import find_actor, undo

BJ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=BJ)  # the sample's as-of day


def rows(path: Path, sql: str, args: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


def people(path: Path) -> tuple[Actor, Actor, Actor]:
    sup = find_actor(path, rows(path, "SELECT name FROM inspector WHERE role = 'supervisor' LIMIT 1")[0][0])
    admin = find_actor(path, rows(path, "SELECT name FROM inspector WHERE role = 'admin' LIMIT 1")[0][0])
    inspector = find_actor(path, rows(path, "SELECT name FROM inspector WHERE role = 'inspector' LIMIT 1")[0][0])
    return sup, admin, inspector


def test_a_warning_creates_a_check_of_every_site_under_way_due_that_day(sample_copy):
    sup, _, inspector = people(sample_copy)
    start, end = dt.datetime(2026, 12, 8, 8, 0, tzinfo=BJ), dt.datetime(2026, 12, 10, 23, 59, tzinfo=BJ)
    under_way = {r[0] for r in rows(sample_copy, "SELECT uuid FROM construction_site WHERE start_date <= ? "
                                                 "AND end_date >= ?", ("2026-12-08", "2026-12-08"))}
    assert 50 < len(under_way) < 220  # some sites have not started or are finished: they get no check
    with pytest.raises(InvalidTransition, match="supervisor or admin may declare"):
        plans.declare_warning(sample_copy, inspector, "orange", start, end, now=NOW)
    yellow = plans.declare_warning(sample_copy, sup, "yellow", start, end, now=NOW)
    assert yellow.created("assignment") == []  # yellow does not stop earthwork
    undo(sample_copy, sup, yellow)
    assert rows(sample_copy, "SELECT COUNT(*) FROM pollution_warning") == [(0,)]
    edit = plans.declare_warning(sample_copy, sup, "orange", start, end, note="第3号", now=NOW)
    tasks = rows(sample_copy, "SELECT target_uuid, kind, due_at, priority, assignee_uuid, notes FROM assignment "
                              "WHERE uuid IN (%s)" % ",".join("?" * len(edit.created("assignment"))),  # noqa: S608
                 tuple(edit.created("assignment")))
    assert {t[0] for t in tasks} == under_way and len(tasks) == len(under_way)
    assert {t[1:4] for t in tasks} == {("construction_dust", "2026-12-08T15:59:00.000Z", 1)}  # 23:59 Beijing
    assert all(t[4] and t[5].startswith("橙色预警：停止工地土石方作业") for t in tasks)
    assert plans.warning_in_force(sample_copy, dt.datetime(2026, 12, 9, tzinfo=BJ))["level"] == "orange"
    assert plans.warning_in_force(sample_copy, dt.datetime(2026, 12, 11, tzinfo=BJ)) is None
    # two sites checked (one by its task, one by a construction-dust visit to its cell with a finding)
    key = edit.created("pollution_warning")[0]
    first, second = sorted(under_way)[:2]
    from gridwatch.storage.gpkg import connect_readwrite, transaction

    with closing(connect_readwrite(sample_copy)) as con, transaction(con):
        con.execute("UPDATE assignment SET status = 'done', finished_at = '2026-12-08T06:00:00.000Z' "
                    "WHERE target_uuid = ? AND kind = 'construction_dust'", (first,))
        cell = con.execute("SELECT cell_code FROM assignment WHERE target_uuid = ?", (second,)).fetchone()[0]
        con.execute("INSERT INTO inspection (uuid, cell_code, inspector_uuid, kind, started_at) "
                    "VALUES ('i-1', ?, 'p', 'construction_dust', '2026-12-09T01:00:00.000Z')", (cell,))
        con.execute("INSERT INTO finding (uuid, cell_code, category, status, found_at) "
                    "VALUES ('f-1', ?, 'construction_dust', 'found', '2026-12-09T01:30:00.000Z')", (cell,))
    row, sites = plans.warning_summary(sample_copy, key)
    assert row["level"] == "orange" and len(sites) == len(under_way)
    checked = set(sites.loc[sites["checked"], "uuid"])
    assert {first, second} <= checked
    assert sites.set_index("uuid").loc[second, "breaches"] >= 1
    # once a check is done the declaration can no longer be undone (the core refuses, nothing changes)
    with pytest.raises(StorageError, match="changed meanwhile"):
        undo(sample_copy, sup, edit)
    assert rows(sample_copy, "SELECT COUNT(*) FROM pollution_warning") == [(1,)]
    with pytest.raises(ValidationError, match="end after"):
        plans.declare_warning(sample_copy, sup, "red", end, start)


def test_veto_items_put_a_township_last_and_are_audited(sample_copy):
    sup, admin, inspector = people(sample_copy)
    before = assessment_from_project(sample_copy, AssessmentPeriod("month", 2026, 11), now=NOW).table
    top = before.iloc[0]
    with pytest.raises(InvalidTransition):
        plans.set_veto(sample_copy, inspector, top["name"], "falsified_data", dt.date(2026, 11, 12), "造假")
    with pytest.raises(ValidationError, match="reason"):
        plans.set_veto(sample_copy, sup, top["name"], "falsified_data", dt.date(2026, 11, 12), " ")
    with pytest.raises(NotFound, match="no township"):
        plans.set_veto(sample_copy, sup, "不存在镇", "falsified_data", dt.date(2026, 11, 12), "造假")
    edit = plans.set_veto(sample_copy, sup, top["name"], "falsified_data", dt.date(2026, 11, 12), "监测站旁洒水", now=NOW)
    after = assessment_from_project(sample_copy, AssessmentPeriod("month", 2026, 11), now=NOW).table
    last = after.iloc[-1]
    assert last["township_code"] == top["township_code"] and last["rank"] == len(after)
    assert last["veto"] == "监测数据造假：监测站旁洒水" and last["score"] == top["score"]
    assert after.iloc[0]["township_code"] == before.iloc[1]["township_code"]  # everyone else moves up one
    december = assessment_from_project(sample_copy, AssessmentPeriod("month", 2026, 10), now=NOW).table
    assert december["veto"].isna().all()  # a November item does not touch October
    audit = rows(sample_copy, "SELECT user_name, action, details FROM audit_log WHERE row_uuid = ?",
                 (edit.created("assessment_veto")[0],))
    assert audit == [(sup.name, "set_veto", "监测站旁洒水")]
    plans.lift_veto(sample_copy, admin, edit.created("assessment_veto")[0], "复核后撤销")
    assert len(plans.vetoes(sample_copy)) == 0


def test_settings_downgrades_and_the_sync_judge(sample_copy):
    sup, admin, inspector = people(sample_copy)
    with pytest.raises(InvalidTransition):
        plans.set_settings(sample_copy, inspector, {"deduction_straw_yuan": 1})
    with pytest.raises(ValidationError, match="deduction_straw_yuan"):
        plans.set_settings(sample_copy, sup, {"deduction_straw_yuan": "abc"})
    assert plans.set_settings(sample_copy, sup, {"deduction_straw_yuan": "300000"})["deduction_straw_yuan"] == 300_000
    assert plans.read_settings(sample_copy)["deduction_straw_yuan"] == 300_000
    site, grade = rows(sample_copy, "SELECT uuid, dust_grade FROM construction_site WHERE dust_grade = 'A' LIMIT 1")[0]
    with pytest.raises(StorageError, match="lower grade"):
        plans.downgrade_site(sample_copy, sup, site, "A", "复查")
    edit = plans.downgrade_site(sample_copy, sup, site, "C", "裸土未苫盖，冲洗设施停用")
    assert rows(sample_copy, "SELECT dust_grade FROM construction_site WHERE uuid = ?", (site,)) == [("C",)]
    assert rows(sample_copy, "SELECT details, old_values, new_values FROM audit_log WHERE row_uuid = ? "
                             "AND action = 'downgrade_site'", (site,)) == \
        [("裸土未苫盖，冲洗设施停用", '{"dust_grade": "A"}', '{"dust_grade": "C"}')]
    undo(sample_copy, sup, edit)
    # what the sync's judge says of rows of the new tables
    row = {"uuid": "v", "township_code": "130110100", "set_by": sup.uuid}
    assert judge_row_change(sup, "assessment_veto", "insert", None, row) is None
    assert judge_row_change(inspector, "assessment_veto", "insert", None, {**row, "set_by": inspector.uuid}) is not None
    assert judge_row_change(Actor("c", "张", "chief", "130110100"), "pollution_warning", "insert", None,
                            {"uuid": "w", "declared_by": "c"}, RowContext()) is not None
    assert judge_row_change(sup, "pollution_warning", "insert", None, {"uuid": "w", "declared_by": admin.uuid}) \
        .key == "step.other_person"


def test_an_older_project_gains_the_tables_when_a_command_writes(tmp_path, sample_path):
    from gridwatch.cli import main
    from gridwatch.storage.migrations import MIGRATIONS

    path = tmp_path / "old.gpkg"
    shutil.copyfile(sample_path, path)
    with closing(sqlite3.connect(path)) as con, con:  # back to schema 4: no new tables, no video column
        for t in ("assessment_veto", "pollution_warning", "checklist_result", "campaign"):
            con.execute(f"DROP TABLE {t}")  # noqa: S608 - fixed names
            con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (t,))
            con.execute("DELETE FROM gpkg_ogr_contents WHERE table_name = ?", (t,))
        con.execute("ALTER TABLE construction_site DROP COLUMN video_monitor")
        con.execute("UPDATE gridwatch_meta SET value = '4' WHERE key = 'schema_version'")
    assert 4 in MIGRATIONS
    assert len(plans.vetoes(path)) == 0 and len(plans.warnings(path)) == 0  # readable as it is
    sup = rows(path, "SELECT name FROM inspector WHERE role = 'supervisor' LIMIT 1")[0][0]
    assert main(["veto", str(path), "--user", sup, "--township", "获鹿镇", "--item", "other", "--date", "2026-11-02",
                 "--reason", "测试"]) == 0
    from gridwatch.storage.schema import SCHEMA_VERSION

    # 4 -> 5 -> 6 (schema 6: issue 18's density counts)
    assert rows(path, "SELECT value FROM gridwatch_meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
    assert len(list(tmp_path.glob("old.schema-v4.*.backup.gpkg"))) == 1


def test_cli_assess_warning_calendar(sample_copy, capsys):
    from gridwatch.cli import main

    sup = rows(sample_copy, "SELECT name FROM inspector WHERE role = 'supervisor' LIMIT 1")[0][0]
    assert main(["assess", str(sample_copy), "--period", "2026-11", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 13 and [d["rank"] for d in data] == sorted(d["rank"] for d in data)
    assert {"fires_straw", "fires_unverified", "deduction_yuan", "rank_change", "veto"} <= set(data[0])
    assert main(["warning", str(sample_copy), "--user", sup, "--level", "red", "--from", "2026-12-08 08:00",
                 "--to", "2026-12-09 08:00"]) == 0
    assert "construction-site checks due 2026-12-08 23:59" in capsys.readouterr().out
    assert main(["warning", str(sample_copy), "--summary", "latest"]) == 0
    assert "0 checked, 0 breaches found" in capsys.readouterr().out.splitlines()[-1]
    assert main(["calendar", "--year", "2026"]) == 0
    assert "fireworks ban 2026: 2026-02-10 to 2026-03-03 (春节 2026-02-17)" in capsys.readouterr().out
    assert main(["warning", str(sample_copy), "--level", "red", "--from", "2026-12-08", "--to", "2026-12-09"]) == 2
    assert "needs --user" in capsys.readouterr().err


# --- the Word documents as a reader sees them ---------------------------------------------------------


def to_pdf(docx: Path) -> Path:
    """LibreOffice headless (its own profile in the test's folder) converts the document to PDF."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "libreoffice-writer is installed by scripts/setup.sh --test"
    profile = docx.parent / "lo-profile"
    res = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
                          "--convert-to", "pdf", "--outdir", str(docx.parent), str(docx)],
                         capture_output=True, text=True, timeout=240)
    pdf = docx.with_suffix(".pdf")
    assert res.returncode == 0 and pdf.exists(), res.stderr
    return pdf


def pdf_text(pdf: Path) -> str:
    """The PDF's text without spaces (pdftotext puts them between digits and Chinese characters)."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return out.replace(" ", "")


def test_the_monthly_bulletin_reads_complete_in_chinese(sample_copy, tmp_path):
    from gridwatch.app.exports import run_export

    sup, _, _ = people(sample_copy)
    plans.set_veto(sample_copy, sup, "获鹿镇", "falsified_data", dt.date(2026, 11, 12), "监测站旁洒水", now=NOW)
    out = run_export("bulletin", sample_copy, tmp_path / "月通报.docx", {"assessment_period": "2026-11"}, now=NOW)
    pdf = to_pdf(out)
    text = pdf_text(pdf)
    for words in ("鹿泉区大气污染防治网格化监管月通报", "通报时段：2026年11月", "一、乡镇考核排名", "二、火点情况",
                  "三、网格巡查覆盖", "四、超期和被驳回的问题", "五、全区图", "签发日期：2026年12月1日",
                  "月通报截止：2026-12-28", "13获鹿镇81.4↓12"):  # vetoed: last, with its score
        assert words in text, words
    table = assessment_from_project(sample_copy, AssessmentPeriod("month", 2026, 11), now=NOW).table
    for name in table["name"]:  # every township in the ranking and the fire and coverage tables
        assert text.count(name[:4]) >= 3, name  # a long name wraps in its cell
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts  # the Chinese text is set in a Chinese font, embedded (no missing glyphs)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
                   check=True, timeout=120)
    from PIL import Image

    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    assert page.getextrema()[0] < 80  # ink on the page: the tables are drawn
    # the district map is in it (an image inside the document)
    import zipfile

    assert any(n.startswith("word/media/") for n in zipfile.ZipFile(out).namelist())


def test_the_fire_bulletin_and_an_assignment_notice(sample_copy, tmp_path):
    from gridwatch.app.exports import run_export
    from gridwatch.export.files import ExportError

    fire = run_export("fire_bulletin", sample_copy, tmp_path / "火点通报.docx", {"period": "30d"}, now=NOW)
    text = pdf_text(to_pdf(fire))
    assert "鹿泉区火点通报" in text and "秸秆焚烧" in text and "确认秸秆焚烧" in text
    finding, cell = rows(sample_copy, "SELECT f.uuid, f.cell_code FROM finding f JOIN attachment a ON "
                                      "a.finding_uuid = f.uuid AND a.role = 'evidence' "
                                      "WHERE f.responsible_party IS NOT NULL LIMIT 1")[0]
    notice = run_export("notice", sample_copy, tmp_path / "交办单.docx", {"finding": finding}, now=NOW)
    pdf = to_pdf(notice)
    text = pdf_text(pdf)
    assert "环境问题交办单" in text and cell in text and "整改期限" in text and "责任主体" in text
    assert "Pages:           1" in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    with pytest.raises(ExportError, match="no finding"):
        run_export("notice", sample_copy, tmp_path / "x.docx", {"finding": "nope"})
    assert not (tmp_path / "x.docx").exists()
