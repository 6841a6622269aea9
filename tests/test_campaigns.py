"""Campaigns (专项行动) from their templates (issue 17): rounds by hand, one action making every
task, the progress view, who may; on a copy of the sample district without its work."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing

import pytest

from gridwatch.domain.campaigns import TEMPLATES, default_days, rounds
from gridwatch.errors import InvalidTransition, ValidationError
from gridwatch.storage.campaigns import advance_campaigns, campaign_cells, campaign_progress, start_campaign
from gridwatch.storage.gpkg import connect_readwrite, transaction
from gridwatch.storage.workflow import find_actor, undo

BJ = dt.timezone(dt.timedelta(hours=8))


def rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


def test_rounds_and_default_days():
    # 1 Dec to 28 Feb, weekly: 13 rounds, the last one 23-28 Feb (6 days)
    r = rounds(dt.date(2026, 12, 1), dt.date(2027, 2, 28), 7)
    assert len(r) == 13 and r[0] == (dt.date(2026, 12, 1), dt.date(2026, 12, 7))
    assert r[-1] == (dt.date(2027, 2, 23), dt.date(2027, 2, 28))
    # the winter from today (6 Dec) to the end of February; the autumn campaign waits for October
    assert default_days(TEMPLATES["winter_coal_ban"], dt.date(2026, 12, 6)) == (dt.date(2026, 12, 6),
                                                                                dt.date(2027, 2, 28))
    assert default_days(TEMPLATES["straw_burning"], dt.date(2026, 12, 6)) == (dt.date(2027, 10, 1),
                                                                             dt.date(2027, 11, 30))
    # the fireworks ban of 2027: 腊月二十三 (30 Jan) to 元宵 (20 Feb)
    assert default_days(TEMPLATES["fireworks_ban"], dt.date(2026, 12, 6)) == (dt.date(2027, 1, 30),
                                                                             dt.date(2027, 2, 20))


def test_a_fireworks_campaign_in_one_action_and_its_progress(bare_copy):
    sup = find_actor(bare_copy, rows(bare_copy, "SELECT name FROM inspector WHERE role = 'supervisor'")[0][0])
    inspector = find_actor(bare_copy, rows(bare_copy, "SELECT name FROM inspector WHERE role = 'inspector'")[0][0])
    with pytest.raises(InvalidTransition, match="may assign inspections"):
        start_campaign(bare_copy, inspector, "fireworks_ban")
    now = dt.datetime(2026, 12, 6, 10, tzinfo=BJ)
    cells = campaign_cells(bare_copy, "fireworks_ban_zone", dt.date(2027, 1, 30))
    assert 0 < len(cells) < len(rows(bare_copy, "SELECT code FROM grid_cell"))
    edit = start_campaign(bare_copy, sup, "fireworks_ban", now=now)
    # 30 Jan to 20 Feb is 22 days: rounds of 3 days -> 8 (the last one is 20 Feb alone); on 6 Dec only the
    # first round's tasks are made, the others when they begin
    assert len(edit.created("assignment")) == len(cells)
    key = edit.created("campaign")[0]
    assert rows(bare_copy, "SELECT MIN(due_at), MAX(due_at), COUNT(DISTINCT cell_code), MIN(kind) FROM assignment "
                           "WHERE target_uuid = ?", (key,)) == \
        [("2027-02-01T15:59:00.000Z", "2027-02-01T15:59:00.000Z", len(cells), "fireworks")]
    # on 3 Feb the office's upkeep makes round 2 (2-4 Feb); again the same day: nothing more
    assert len(advance_campaigns(bare_copy, sup, now=dt.datetime(2027, 2, 3, 8, tzinfo=BJ)).created("assignment")) \
        == len(cells)
    assert advance_campaigns(bare_copy, sup, now=dt.datetime(2027, 2, 3, 9, tzinfo=BJ)).changes == []
    # two tasks of round 1 done, one cancelled; on 3 Feb round 1 is past due
    with closing(connect_readwrite(bare_copy)) as con, transaction(con):
        first = [r[0] for r in con.execute("SELECT uuid FROM assignment WHERE target_uuid = ? AND due_at = ? "
                                           "ORDER BY cell_code LIMIT 3", (key, "2027-02-01T15:59:00.000Z"))]
        con.execute("UPDATE assignment SET status = 'done' WHERE uuid IN (?, ?)", first[:2])
        con.execute("UPDATE assignment SET status = 'cancelled' WHERE uuid = ?", (first[2],))
    info, by_round, towns = campaign_progress(bare_copy, key, now=dt.datetime(2027, 2, 3, tzinfo=BJ))
    assert info["title"] == "春节烟花爆竹禁放专项行动（2027-01-30 至 2027-02-20）"
    one = by_round.iloc[0]
    n = len(cells)
    assert (one["round"], one["first_day"], one["last_day"]) == (1, "2027-01-30", "2027-02-01")
    assert [one["tasks"], one["done"], one["cancelled"], one["open"], one["overdue"]] == [n, 2, 1, n - 3, n - 3]
    assert one["done_pct"] == round(200 / n, 1)
    assert by_round["overdue"].iloc[1:].sum() == 0  # round 2 is due on 4 Feb
    assert by_round["tasks"].tolist() == [n, n, 0, 0, 0, 0, 0, 0] and by_round["made"].tolist() == [True] * 2 + \
        [False] * 6
    assert by_round["last_day"].iloc[-1] == "2027-02-20" and by_round["done_pct"].iloc[2:].isna().all()
    assert towns["tasks"].sum() == 2 * n and towns["done"].sum() == 2
    with pytest.raises(ValidationError, match="before its first day"):
        start_campaign(bare_copy, sup, "winter_coal_ban", first_day=dt.date(2027, 1, 1),
                       last_day=dt.date(2026, 12, 1))


def test_a_chiefs_campaign_covers_their_township_and_undo_takes_it_back(bare_copy):
    chief_name, town = rows(bare_copy, "SELECT name, township_code FROM inspector WHERE role = 'chief'")[0]
    chief = find_actor(bare_copy, chief_name)
    edit = start_campaign(bare_copy, chief, "winter_coal_ban", first_day=dt.date(2026, 12, 7),
                          last_day=dt.date(2026, 12, 20), now=dt.datetime(2026, 12, 6, tzinfo=BJ))
    codes = {r[0] for r in rows(bare_copy, "SELECT cell_code FROM assignment")}
    assert codes and {c[:9] for c in codes} == {town}
    assert len(edit.created("assignment")) == len(codes)  # the first of two weeks; the second when it begins
    undo(bare_copy, chief, edit)
    assert rows(bare_copy, "SELECT COUNT(*) FROM assignment") == [(0,)]
    assert rows(bare_copy, "SELECT COUNT(*) FROM campaign") == [(0,)]


def test_cli_campaign(bare_copy, capsys):
    from gridwatch.cli import main

    sup = rows(bare_copy, "SELECT name FROM inspector WHERE role = 'supervisor'")[0][0]
    assert main(["campaign", str(bare_copy), "--template", "spring_dust", "--from", "2027-03-01", "--to",
                 "2027-03-14", "--user", sup]) == 0
    out = capsys.readouterr().out
    assert out.startswith("started 春季扬尘治理专项行动（2027-03-01 至 2027-03-14）：2 轮，已建 1 轮 ")
    assert main(["campaign", str(bare_copy), "--progress", "latest"]) == 0
    out = capsys.readouterr().out
    assert "2027-03-08  2027-03-14" in out


def test_the_sync_judge_on_campaign_rows():
    from gridwatch.domain.policy import Actor, RowContext, judge_row_change

    sup, chief, inspector = Actor("s", "督", "supervisor"), Actor("c", "长", "chief", "130110100"), \
        Actor("i", "员", "inspector")
    row = {"uuid": "k", "template": "winter_coal_ban", "township_code": "130110100", "created_by": "s"}
    assert judge_row_change(sup, "campaign", "insert", None, row) is None
    assert judge_row_change(inspector, "campaign", "insert", None, {**row, "created_by": "i"}) is not None
    assert judge_row_change(chief, "campaign", "insert", None, {**row, "created_by": "c"}, RowContext()) is None
    assert judge_row_change(chief, "campaign", "insert", None,
                            {**row, "created_by": "c", "township_code": "130110101"}, RowContext()).key == \
        "township.other"
    assert judge_row_change(sup, "campaign", "insert", None, {**row, "created_by": "x"}).key == "step.other_person"
