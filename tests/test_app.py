"""The application layer shared by CLI and UI: session (actor, undo, change events), periods, exports."""

from __future__ import annotations

import datetime as dt

import pytest

from gridwatch.app.events import Event
from gridwatch.app.exports import KINDS, run_export
from gridwatch.app.periods import parse_pairs, parse_periods
from gridwatch.app.session import Session
from gridwatch.errors import RefusedByRole, ValidationError
from gridwatch.storage import Project, queries
from gridwatch.storage.workflow import create_assignments, save_person

BJ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2025, 11, 20, 9, 0, tzinfo=BJ)


def name_of(path, role):
    people = Project.open(path).read_table("inspector")
    return str(people[people["role"] == role]["name"].iloc[0])


def test_periods_and_pairs():
    assert parse_periods("7,30") == (7, 30) and parse_periods("7，30") == (7, 30)
    for bad in ("", "0", "7,x", "-3"):
        with pytest.raises(ValidationError, match="give whole days"):
            parse_periods(bad, "--days")
    assert parse_pairs("coal_ban_zone=7, other=14", "--intervals", "x=1") == {"coal_ban_zone": "7", "other": "14"}
    with pytest.raises(ValidationError, match="KEY=VALUE"):
        parse_pairs("coal_ban_zone", "--intervals", "x=1")


def test_event_calls_every_listener_then_raises_the_first_error():
    heard = []
    e: Event[int] = Event()

    def bad(v):
        raise RuntimeError("boom")

    e.connect(bad)
    e.connect(heard.append)
    with pytest.raises(RuntimeError):
        e.emit(3)
    assert heard == [3]
    e.disconnect(bad)
    e.emit(4)
    assert heard == [3, 4]


def test_session_runs_edits_as_its_user_with_undo_redo_and_events(bare_copy):
    sample_copy = bare_copy
    session = Session(sample_copy, name_of(sample_copy, "supervisor"))
    assert session.actor is not None and session.actor.role == "supervisor"
    seen = []
    session.changed.connect(seen.append)
    cell = str(Project.open(sample_copy).read_layer("grid_cell")["code"].iloc[0])
    edit = session.run(create_assignments, [cell], "patrol", now=NOW)
    assert seen == [edit] and len(queries.tasks(sample_copy)) == 1
    session.undo()
    assert len(queries.tasks(sample_copy)) == 0 and len(seen) == 2
    session.redo()
    assert len(queries.tasks(sample_copy)) == 1 and len(seen) == 3
    assert session.may("assign_tasks") and not session.may("manage_people")
    session.set_user("无此人")
    assert session.actor is None and not session.undo_stack
    with pytest.raises(RefusedByRole):
        session.run(create_assignments, [cell], "patrol", now=NOW)


def test_session_follows_its_user_renamed(sample_copy):
    admin = name_of(sample_copy, "admin")
    session = Session(sample_copy, admin)
    users = []
    session.user_changed.connect(users.append)
    me = session.actor
    session.run(save_person, name=admin + "乙", role="admin", person_uuid=me.uuid, now=NOW)
    assert session.actor.name == admin + "乙" and session.actor.uuid == me.uuid and users[-1] == session.actor


@pytest.mark.parametrize("kind", ["ledger", "coverage", "ranking"])
def test_one_runner_writes_every_table_export(sample_copy, tmp_path, kind):
    options = {"ledger": {}, "coverage": {"periods": (7, 30)}, "ranking": {"month": "2025-11"}}[kind]
    progress = []
    out = run_export(kind, sample_copy, tmp_path / f"{kind}.xlsx", options, now=NOW,
                     progress=lambda f, m: progress.append(f))
    assert out.exists() and out.stat().st_size > 0 and progress[-1] == 1.0
    assert kind in KINDS
