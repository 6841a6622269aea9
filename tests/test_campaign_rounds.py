"""Campaigns round by round (issue 17): starting one makes only the rounds begun so far, each later round
is made when it begins by the district office (idempotent, never doubled, refused to others), and two
office laptops that both make the same round end up with one set of tasks after syncing."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from contextlib import closing

import pytest

from gridwatch.app.upkeep import upkeep
from gridwatch.domain.messages import message_text
from gridwatch.errors import InvalidTransition
from gridwatch.storage import Project
from gridwatch.storage.campaigns import (
    advance_campaigns,
    campaign_cells,
    campaign_progress,
    round_task_uuid,
    start_campaign,
)
from gridwatch.storage.workflow import Actor, find_actor
from gridwatch.sync import checkout, engine, sync

from .conftest import clear_work

BJ = dt.timezone(dt.timedelta(hours=8))


def rows(path, sql, args=()):
    with closing(sqlite3.connect(path)) as con:
        return con.execute(sql, args).fetchall()


def by_role(path, role, n=0) -> Actor:
    return find_actor(path, rows(path, "SELECT name FROM inspector WHERE role = ? ORDER BY name", (role,))[n][0])


def test_a_winter_campaign_makes_one_week_at_a_time(bare_copy):
    sup = by_role(bare_copy, "supervisor")
    cells = campaign_cells(bare_copy, "coal_ban_zone", dt.date(2026, 12, 6))
    n = len(cells)
    # started on 6 Dec for the winter: 6 Dec to 28 Feb is 85 days, 13 weekly rounds; only the first is made
    edit = start_campaign(bare_copy, sup, "winter_coal_ban", now=dt.datetime(2026, 12, 6, 9, tzinfo=BJ))
    key = edit.created("campaign")[0]
    assert len(edit.created("assignment")) == n
    assert set(edit.created("assignment")) == {round_task_uuid(key, 1, c) for c in cells}
    # nothing new until round 2 begins on 13 Dec
    assert advance_campaigns(bare_copy, sup, now=dt.datetime(2026, 12, 12, 23, tzinfo=BJ)).changes == []
    # the office opens the project on 20 Dec: rounds 2 (13-19 Dec) and 3 (20-26 Dec) have begun
    done = upkeep(bare_copy, sup, now=dt.datetime(2026, 12, 20, 8, tzinfo=BJ))
    assert done.tasks == 2 * n and "冬防期禁煤专项行动第 2 轮、冬防期禁煤专项行动第 3 轮" in done.rounds_title
    assert upkeep(bare_copy, sup, now=dt.datetime(2026, 12, 20, 9, tzinfo=BJ)).tasks == 0  # idempotent
    assert rows(bare_copy, "SELECT COUNT(*), COUNT(DISTINCT uuid) FROM assignment WHERE target_uuid = ?",
                (key,)) == [(3 * n, 3 * n)]
    assert rows(bare_copy, "SELECT due_at, COUNT(*) FROM assignment WHERE target_uuid = ? GROUP BY due_at "
                           "ORDER BY due_at", (key,)) == [("2026-12-12T15:59:00.000Z", n),
                                                          ("2026-12-19T15:59:00.000Z", n),
                                                          ("2026-12-26T15:59:00.000Z", n)]
    _, by_round, _ = campaign_progress(bare_copy, key, now=dt.datetime(2026, 12, 20, 9, tzinfo=BJ))
    assert len(by_round) == 13 and by_round["made"].sum() == 3 and by_round["tasks"].sum() == 3 * n
    # 12 full weeks end on 27 Feb; round 13 is 28 Feb alone
    assert (by_round["round"].iloc[-1], by_round["first_day"].iloc[-1], by_round["last_day"].iloc[-1]) == \
        (13, "2027-02-28", "2027-02-28")
    # rounds 1 and 2 ended by 19 Dec 23:59 with nothing done: every task overdue; round 3 is under way
    assert by_round["overdue"].tolist()[:3] == [n, n, 0]


def test_only_the_office_makes_rounds(bare_copy):
    chief, inspector = by_role(bare_copy, "chief"), by_role(bare_copy, "inspector")
    for who in (chief, inspector):
        with pytest.raises(InvalidTransition) as info:
            advance_campaigns(bare_copy, who)
        assert "只有督查员或管理员可以创建专项行动的下一轮任务" in message_text(info.value, "zh_CN")
        assert upkeep(bare_copy, who).tasks == 0  # on their laptops the upkeep does nothing
    # a chief's campaign of their township: its later rounds come from the office
    start_campaign(bare_copy, chief, "winter_coal_ban", first_day=dt.date(2026, 12, 7), last_day=dt.date(2026, 12, 20),
                   now=dt.datetime(2026, 12, 6, tzinfo=BJ))
    first = rows(bare_copy, "SELECT COUNT(*) FROM assignment")[0][0]
    edit = advance_campaigns(bare_copy, by_role(bare_copy, "supervisor"), now=dt.datetime(2026, 12, 14, tzinfo=BJ))
    assert len(edit.created("assignment")) == first
    assert {r[0][:9] for r in rows(bare_copy, "SELECT cell_code FROM assignment")} == {chief.township_code}


def test_two_office_laptops_making_the_same_round_sync_to_one_set(tmp_path, sample_path, monkeypatch):
    monkeypatch.setattr(engine, "COMPACT_AFTER", 0)
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)
    clear_work(shared)
    sup_a, sup_b = by_role(shared, "supervisor", 0), by_role(shared, "supervisor", 1)
    a = checkout(shared, tmp_path / "a.gpkg", sup_a.name)
    (tmp_path / "b").mkdir()
    b = checkout(shared, tmp_path / "b" / "b.gpkg", sup_b.name)
    edit = start_campaign(a, sup_a, "winter_coal_ban", first_day=dt.date(2026, 12, 7), last_day=dt.date(2027, 1, 3),
                          now=dt.datetime(2026, 12, 6, tzinfo=BJ))
    key, n = edit.created("campaign")[0], len(edit.created("assignment"))
    sync(a)
    sync(b)
    # round 2 begins on 14 Dec: both office laptops open the project that morning and make it
    when = dt.datetime(2026, 12, 14, 8, tzinfo=BJ)
    made_a = advance_campaigns(a, sup_a, now=when).created("assignment")
    made_b = advance_campaigns(b, sup_b, now=when + dt.timedelta(minutes=5)).created("assignment")
    assert len(made_a) == n and sorted(made_a) == sorted(made_b)  # the same rows on both laptops
    sync(a)
    report = sync(b)  # B sends rows the share holds already (the same uuids): aligned, not doubled
    assert (report.conflicts, report.refused) == (0, 0)
    sync(a)
    for path in (shared, a, b):
        assert rows(path, "SELECT COUNT(*), COUNT(DISTINCT uuid) FROM assignment WHERE target_uuid = ?",
                    (key,)) == [(2 * n, 2 * n)], path
    assert Project.open(shared).read_table("assignment")["status"].eq("assigned").all()


def test_the_office_sync_makes_and_sends_begun_rounds(tmp_path, sample_path, monkeypatch, capsys):
    from gridwatch.cli import main

    monkeypatch.setattr(engine, "COMPACT_AFTER", 0)
    share = tmp_path / "share"
    share.mkdir()
    shared = share / "district.gpkg"
    shutil.copyfile(sample_path, shared)
    clear_work(shared)
    sup = by_role(shared, "supervisor")
    office = checkout(shared, tmp_path / "office.gpkg", sup.name)
    today = dt.datetime.now(dt.timezone.utc).astimezone(BJ).date()
    # started a week ago (then only its first round); the second round began today
    edit = start_campaign(office, sup, "winter_coal_ban", first_day=today - dt.timedelta(days=7),
                          last_day=today + dt.timedelta(days=6),
                          now=dt.datetime.combine(today - dt.timedelta(days=7), dt.time(9), BJ))
    key, n = edit.created("campaign")[0], len(edit.created("assignment"))
    assert main(["sync", str(office)]) == 0
    assert "office upkeep before the sync: created " + str(n) in capsys.readouterr().out
    assert rows(shared, "SELECT COUNT(*) FROM assignment WHERE target_uuid = ?", (key,)) == [(2 * n,)]
    assert main(["sync", str(office)]) == 0
    assert "office upkeep" not in capsys.readouterr().out


def test_cli_campaign_advance(bare_copy, capsys):
    from gridwatch.cli import main

    sup = by_role(bare_copy, "supervisor")
    today = dt.datetime.now(dt.timezone.utc).astimezone(BJ).date()
    start_campaign(bare_copy, sup, "spring_dust", first_day=today - dt.timedelta(days=8),
                   last_day=today + dt.timedelta(days=5), now=dt.datetime.combine(today - dt.timedelta(days=8),
                                                                                 dt.time(9), BJ))
    # round 2 began yesterday: the cells holding a site under way then (sites start and finish: the set
    # of round 1, a week earlier, may differ)
    n = len(campaign_cells(bare_copy, "active_sites", today - dt.timedelta(days=1)))
    assert main(["campaign", "advance", str(bare_copy), "--user", sup.name]) == 0
    assert f"春季扬尘治理专项行动第 2 轮（{n} 个）; {n} tasks created" in capsys.readouterr().out
    assert main(["campaign", "advance", str(bare_copy), "--user", sup.name]) == 0
    assert "0 tasks created" in capsys.readouterr().out
    chief = by_role(bare_copy, "chief")
    assert main(["campaign", "advance", str(bare_copy), "--user", chief.name]) != 0
    assert "may create the campaigns' next rounds" in capsys.readouterr().err
    assert main(["campaign", str(bare_copy), "--progress", "latest"]) == 0
    assert "待建" not in capsys.readouterr().out  # both rounds made
