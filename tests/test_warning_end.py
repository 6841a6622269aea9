"""The end of a heavy-pollution warning (issue 17): a supervisor ends it early, or its end passes; the
summary (sites under way, checked, breaches, unchecked) is produced then and kept - later checks do not
change it - listed with the warnings and exported; only the office records it."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing

import openpyxl
import pytest

from gridwatch.domain.messages import message_text
from gridwatch.errors import InvalidTransition, StorageError
from gridwatch.storage import plans
from gridwatch.storage.gpkg import connect_readwrite, transaction
from gridwatch.storage.warning_end import end_warning, record_ended_warnings, stored_summaries
from gridwatch.storage.workflow import find_actor, undo

BJ = dt.timezone(dt.timedelta(hours=8))
START, END = dt.datetime(2026, 12, 8, 8, 0, tzinfo=BJ), dt.datetime(2026, 12, 10, 8, 0, tzinfo=BJ)


def rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


def _who(path, role):
    return find_actor(path, rows(path, "SELECT name FROM inspector WHERE role = ? ORDER BY name", (role,))[0][0])


@pytest.fixture
def warned(sample_copy):
    """An orange warning 8 Dec 08:00 to 10 Dec 08:00; two sites alone in their cells checked on 8 Dec, one
    of them with a construction-dust finding in its cell on 9 Dec."""
    sup = _who(sample_copy, "supervisor")
    edit = plans.declare_warning(sample_copy, sup, "orange", START, END, now=dt.datetime(2026, 12, 7, tzinfo=BJ))
    key = edit.created("pollution_warning")[0]
    _, sites = plans.warning_summary(sample_copy, key)
    alone = sites[sites["cell_code"].map(sites["cell_code"].value_counts()) == 1].sort_values("uuid")
    a, b = alone["uuid"].iloc[0], alone["uuid"].iloc[1]
    with closing(connect_readwrite(sample_copy)) as con, transaction(con):
        con.execute("UPDATE assignment SET status = 'done', finished_at = '2026-12-08T06:00:00.000Z' "
                    "WHERE target_uuid IN (?, ?) AND kind = 'construction_dust'", (a, b))
        cell = con.execute("SELECT cell_code FROM assignment WHERE target_uuid = ?", (b,)).fetchone()[0]
        con.execute("INSERT INTO finding (uuid, cell_code, category, status, found_at) "
                    "VALUES ('f-1', ?, 'construction_dust', 'found', '2026-12-09T01:30:00.000Z')", (cell,))
    return sample_copy, sup, key, len(sites), (a, b)


def test_ending_early_keeps_the_summary_of_that_moment(warned, tmp_path, capsys):
    path, sup, key, n, (a, b) = warned
    inspector = _who(path, "inspector")
    with pytest.raises(InvalidTransition):
        end_warning(path, inspector, key, now=dt.datetime(2026, 12, 9, 12, tzinfo=BJ))
    with pytest.raises(StorageError) as early:
        end_warning(path, sup, key, now=dt.datetime(2026, 12, 8, 7, tzinfo=BJ))
    assert message_text(early.value, "zh_CN") == "预警要到 2026-12-08 08:00 才开始，不能在开始前解除；如发布有误，请撤销发布"
    edit = end_warning(path, sup, key, reason="空气质量好转", now=dt.datetime(2026, 12, 9, 12, tzinfo=BJ))
    assert rows(path, "SELECT ends_at FROM pollution_warning WHERE uuid = ?", (key,)) == [("2026-12-09T04:00:00.000Z",)]
    assert plans.warning_in_force(path, dt.datetime(2026, 12, 9, 13, tzinfo=BJ)) is None
    s = stored_summaries(path)[key]
    assert (s["sites_under_way"], s["checked"], s["breaches"], s["unchecked"], s["ended_early"]) == \
        (n, 2, 1, n - 2, True)
    assert s["produced_by"] == sup.name and s["ends_at"] == "2026-12-09T04:00:00.000Z"
    assert {x["uuid"] for x in s["sites"] if x["checked"]} == {a, b}
    # a check finished after the end does not change the kept summary
    with closing(connect_readwrite(path)) as con, transaction(con):
        con.execute("UPDATE assignment SET status = 'done', finished_at = '2026-12-09T06:00:00.000Z' "
                    "WHERE kind = 'construction_dust' AND status = 'assigned'")
    assert stored_summaries(path)[key]["checked"] == 2
    with pytest.raises(StorageError) as again:
        end_warning(path, sup, key, now=dt.datetime(2026, 12, 9, 14, tzinfo=BJ))
    assert message_text(again.value, "zh_CN") == "预警已于 2026-12-09 12:00 结束"
    # the list shows it, the summary exports (Chinese headers, one row per site)
    from gridwatch.cli import main

    assert main(["warning", str(path), "--list"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(key))
    assert "ended early" in line and f"{n}" in line.split() and f"{n - 2}" in line.split()
    out = tmp_path / "汇总.xlsx"
    assert main(["warning", str(path), "--summary", key, "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    head = [c.value for c in book["预警"][1]]
    assert head[:4] == ["预警级别", "开始时间", "结束时间", "提前解除"]
    assert [c.value for c in book["预警"][2]][:8] == ["橙色预警", "2026-12-08 08:00", "2026-12-09 12:00", "是", n, 2, 1,
                                                      n - 2]
    assert book["工地检查"].max_row == n + 1
    # undo puts the old end back: the warning is in force again and will get a summary of its own end
    undo(path, sup, edit)
    assert plans.warning_in_force(path, dt.datetime(2026, 12, 9, 13, tzinfo=BJ))["uuid"] == key
    assert key not in stored_summaries(path)


def test_a_warning_that_runs_out_is_summed_up_once_by_the_office(warned, capsys):
    path, sup, key, n, _ = warned
    inspector = _who(path, "inspector")
    after = dt.datetime(2026, 12, 10, 9, tzinfo=BJ)
    assert record_ended_warnings(path, inspector, after) == []  # not the office: nothing written
    assert record_ended_warnings(path, sup, dt.datetime(2026, 12, 10, 7, tzinfo=BJ)) == []  # still in force
    assert record_ended_warnings(path, sup, after) == [key]
    assert record_ended_warnings(path, sup, after + dt.timedelta(hours=1)) == []  # kept once
    s = stored_summaries(path)[key]
    assert (s["checked"], s["breaches"], s["unchecked"], s["ended_early"]) == (2, 1, n - 2, False)
    assert rows(path, "SELECT COUNT(*) FROM audit_log WHERE action = 'warning_summary'") == [(1,)]
    from gridwatch.cli import main

    assert main(["warning", str(path), "--summary", "latest", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ends_at"] == "2026-12-10T00:00:00.000Z" and data["unchecked"] == n - 2
