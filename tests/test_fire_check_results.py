"""Checked as an industrial heat source (核查为工业热源, issue 17): a fire-point check result of its
own, defined once in the domain, recorded from the CLI (and the app: tests/ui), never counted in the
assessment and shown apart from the other kinds; and the module split of the rule checks."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gridwatch.analysis.assessment import FIRE_KINDS, fire_counts, fire_kinds
from gridwatch.domain.heat_sources import counts_as_burning
from gridwatch.domain.vocabulary import (
    ASSESSMENT_FIRE_KIND_TITLES,
    FIRE_BURNING_RESULTS,
    FIRE_CHECK_RESULTS,
    FIRE_CLEARED_RESULTS,
    FIRE_RESULT_ASSESSMENT_KIND,
    RESULT_TITLES,
    title,
)
from gridwatch.storage.workflow import change_assignment, create_fire_checks, find_actor

UTC = dt.timezone.utc
WINDOW = (dt.datetime(2026, 11, 1, tzinfo=UTC), dt.datetime(2026, 12, 1, tzinfo=UTC))


def rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


def test_the_domain_defines_the_result_its_titles_and_how_it_counts():
    assert "industrial_heat" in FIRE_CHECK_RESULTS
    assert title(RESULT_TITLES, "industrial_heat") == "核查为工业热源"
    assert title(RESULT_TITLES, "industrial_heat", "en") == "Industrial heat source (checked)"
    assert title(ASSESSMENT_FIRE_KIND_TITLES, "industrial_heat") == "工业热源"
    # every result is either burning or cleared, and has its assessment kind
    assert set(FIRE_BURNING_RESULTS) | set(FIRE_CLEARED_RESULTS) == set(FIRE_CHECK_RESULTS)
    assert set(FIRE_RESULT_ASSESSMENT_KIND) == set(FIRE_CHECK_RESULTS)
    assert FIRE_KINDS == ("straw", "other", "unverified", "industrial_heat", "not_counted")
    # straw counts: a plain detection, a flagged heat source a check found burning; never one a check
    # found to be an industrial heat source, flagged or not
    heat = np.array([False, True, True, False, True])
    status = np.array(["unverified", "unverified", "burning_confirmed", "industrial_heat", "industrial_heat"],
                      dtype=object)
    assert counts_as_burning(heat, status).tolist() == [True, False, True, False, False]


def test_industrial_heat_sources_are_shown_apart_and_never_deducted():
    def fire(town, status, day, heat=False):
        return {"township_code": town, "status": status, "detected_utc": f"2026-11-{day:02d}T03:00:00.000Z",
                "heat_source": heat}

    frame = pd.DataFrame([fire("A", "burning_confirmed", 3), fire("A", "burning_confirmed", 4),
                          fire("A", "industrial_heat", 5), fire("A", "industrial_heat", 6, heat=True),
                          fire("A", "industrial_heat", 7, heat=True),
                          fire("B", "burning_other", 8), fire("B", "industrial_heat", 9), fire("B", "no_burning", 9)])
    assert fire_kinds(frame).tolist() == ["straw", "straw", "industrial_heat", "industrial_heat", "industrial_heat",
                                          "other", "industrial_heat", "not_counted"]
    counts = fire_counts(frame, WINDOW, ["A", "B"]).set_index("township_code")
    cols = ["fires_" + k for k in FIRE_KINDS]
    # A: 2 straw, 3 industrial heat; B: 1 other, 1 industrial heat, 1 no burning
    assert counts.loc["A", cols].tolist() == [2, 0, 0, 3, 0]
    assert counts.loc["B", cols].tolist() == [0, 1, 0, 1, 1]
    # 2 x 50万 for A, 1 x 10万 for B: the heat sources cost nothing
    assert counts["deduction_yuan"].tolist() == [1_000_000, 100_000]


def test_a_fire_check_finished_from_the_cli_as_an_industrial_heat_source(bare_copy: Path, capsys):
    from gridwatch.analysis.assessment import assessment_from_project, current_period
    from gridwatch.cli import main

    sup = find_actor(bare_copy, rows(bare_copy, "SELECT name FROM inspector WHERE role = 'supervisor'")[0][0])
    now = dt.datetime.now(UTC)
    edit = create_fire_checks(bare_copy, sup, since=now - dt.timedelta(days=2), now=now)
    task = edit.created("assignment")[0]
    (who,), = rows(bare_copy, "SELECT p.name FROM assignment a JOIN inspector p ON p.uuid = a.assignee_uuid "
                              "WHERE a.uuid = ?", (task,))
    fires = rows(bare_copy, "SELECT township_code, detected_utc FROM fire_point WHERE check_uuid = ?", (task,))
    assert fires
    town = fires[0][0]
    change_assignment(bare_copy, find_actor(bare_copy, who), task, "start")
    # the CLI lists the result with its Chinese title
    with pytest.raises(SystemExit):
        main(["task", str(bare_copy), "finish", "--task", task, "--user", who, "--result", "burning"])
    assert "industrial_heat" in capsys.readouterr().err
    assert main(["task", str(bare_copy), "finish", "--task", task, "--user", who, "--result", "industrial_heat",
                 "--notes", "石灰窑"]) == 0
    assert f"{len(fires)} fire point(s) recorded as 核查为工业热源" in capsys.readouterr().out
    assert rows(bare_copy, "SELECT DISTINCT status FROM fire_point WHERE check_uuid = ?", (task,)) == \
        [("industrial_heat",)]
    assert rows(bare_copy, "SELECT status, result FROM assignment WHERE uuid = ?", (task,)) == \
        [("done", "industrial_heat")]
    # the assessment of the month of the check shows them apart and deducts nothing for them
    table = assessment_from_project(bare_copy, current_period("month", now.astimezone(
        dt.timezone(dt.timedelta(hours=8))).date()), with_previous=False).table.set_index("township_code")
    bj = pd.to_datetime([t for _, t in fires], utc=True).tz_convert("Asia/Shanghai")
    in_month = int((bj.strftime("%Y-%m") == table["period"].iloc[0]).sum())
    assert table.loc[town, "fires_industrial_heat"] == in_month
    assert table.loc[town, "fires_straw"] + table.loc[town, "fires_other"] == 0
    assert table.loc[town, "deduction_yuan"] == 0


def test_the_rule_checks_are_split_and_still_one_api():
    import gridwatch.analysis.rule_helpers as helpers
    import gridwatch.analysis.rules as rules

    assert rules.CellLocator is helpers.CellLocator  # callers keep importing it from rules
    root = Path(rules.__file__).parent
    for name in ("rules.py", "rule_helpers.py", "plan_rules.py", "assessment.py", "stats.py"):
        assert len((root / name).read_text(encoding="utf-8").splitlines()) <= 600, name


def test_the_sample_records_its_heat_source_checks_and_every_table_lists_them_apart(sample_copy, tmp_path, capsys):
    """The sample's checks of recognised heat sources found industrial heat sources: 8 fire points in
    October 2026, 4 in 获鹿镇 (130110100) and 4 in 铜冶镇 (130110101)."""
    import json

    import docx

    from gridwatch.app.exports import run_export
    from gridwatch.cli import main

    assert rows(sample_copy, "SELECT township_code, COUNT(*) FROM fire_point WHERE status = 'industrial_heat' "
                             "GROUP BY 1") == [("130110100", 4), ("130110101", 4)]
    assert main(["assess", str(sample_copy), "--period", "2026-10", "--json"]) == 0
    data = {d["township_code"]: d for d in json.loads(capsys.readouterr().out)}
    assert data["130110100"]["fires_industrial_heat"] == 4 and data["130110101"]["fires_industrial_heat"] == 4
    assert sum(d["fires_industrial_heat"] for d in data.values()) == 8
    assert main(["assess", str(sample_copy), "--period", "2026-10"]) == 0
    assert "工业热源" in capsys.readouterr().out.splitlines()[1]
    # the bulletin's fire table: a column of its own, 8 in all, nothing deducted for them
    out = run_export("bulletin", sample_copy, tmp_path / "月通报.docx", {"assessment_period": "2026-10"},
                     now=dt.datetime(2026, 11, 3, tzinfo=UTC))
    table = next(t for t in docx.Document(str(out)).tables if "工业热源" in [c.text for c in t.rows[0].cells])
    header = [c.text for c in table.rows[0].cells]
    total = [c.text for c in table.rows[-1].cells]
    assert total[0] == "合计" and total[header.index("工业热源")] == "8"
