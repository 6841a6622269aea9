"""The server's policies agree with the domain's on every action x role (issue 19).

The district (the prepared world of tests/test_policy_agreement.py: tasks and findings in every state)
is published to a throwaway PostGIS cluster with a login per person.  For every action and every
persona, the action is taken on a copy of the project by the same person with an administrator's
rights (so the rows exist, as a laptop edited by hand would hold them), and the rows it wrote are
sent to the server under the persona's own login, as a sync sends them, in a transaction that is
rolled back afterwards.  The server (its row-level security, grants and judge trigger, all generated
from gridwatch/domain) must accept exactly what the domain's ``may`` allows, as the table says.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

import psycopg
import pytest

from gridwatch.domain.policy import Action, Actor, may
from gridwatch.domain.vocabulary import ROLES
from gridwatch.sync.pg import rows as R
from gridwatch.sync.pg.policy_sql import group_role
from gridwatch.sync.pg.publish import publish
from gridwatch.sync.pg.schema import lock_key, read_tables
from gridwatch.sync.pg.upload import operations

from .test_policy_agreement import CORE, EXPECTED, PERSONAS, World, target


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The sample district without its two months of work: these tests count the rows they make."""
    from .conftest import bare_sample_in

    return bare_sample_in(tmp_path_factory.mktemp("bare"))


@pytest.fixture(scope="module")
def served(tmp_path_factory, sample_path, pg_cluster):
    folder = tmp_path_factory.mktemp("agreement-pg")
    world = World(folder, sample_path)
    pg_cluster.create_database("agreement")
    publish(world.path, pg_cluster.url("agreement"), district="world", logins=True)
    yield world
    shutil.rmtree(folder, ignore_errors=True)  # a copy per action and person, not kept to the session's end


def server_door(action: Action, actor: Actor, w: World, cluster) -> tuple[bool, list[str]]:
    """Whether the server accepts the rows ``action`` writes, sent by ``actor``'s login."""
    path = w.copy(f"pg-{action.value}-{actor.uuid[:6]}")
    able = Actor(actor.uuid, actor.name, "admin")
    if action in (Action.IMPORT_LAYER, Action.REPLACE_LAYER):
        # the importer reads the role from the file: made an administrator for the import, then put back
        with closing(sqlite3.connect(path)) as con, con:
            con.execute("UPDATE inspector SET role = 'admin' WHERE uuid = ?", (actor.uuid,))
        CORE[action](path, able, w)
        with closing(sqlite3.connect(path)) as con, con:
            con.execute("UPDATE inspector SET role = ? WHERE uuid = ?", (actor.role, actor.uuid))
    else:
        CORE[action](path, able, w)
    tables = read_tables(w.path)
    work = path.parent / f"work-{action.value}-{actor.uuid[:6]}"
    work.mkdir()
    from gridwatch.sync.prepare import _Ours

    groups, _log, _conflicts = operations(tables, w.path, path, work, _Ours([], [], []))
    assert groups, f"{action.value} wrote nothing"
    refused: list[str] = []
    with psycopg.connect(f"host={cluster.folder} user={actor.name} dbname=agreement") as con:
        pusher = R.Pusher(con, "world", tables, 0)
        with con.transaction(force_rollback=True), con.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(4711, %s)", (lock_key("world"),))
            for g in groups:
                try:
                    with con.transaction():
                        pusher._apply(cur, g)
                except R.Refused as exc:
                    refused.append(f"{g[-1].table}: {exc}")
    return not refused, refused


def test_every_role_has_its_group_on_the_server(served, pg_cluster):
    with psycopg.connect(f"host={pg_cluster.folder} user=gridwatch dbname=agreement") as con:
        groups = {r[0] for r in con.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'gw\\_world\\_%'")}
    assert groups == {group_role("world", r) for r in ROLES}


@pytest.mark.slow
# a campaign round's rows are task inserts, which the server judges as assignments (a chief assigns in their
# township); that the office alone makes the later rounds is the core's rule (see test_policy_agreement)
@pytest.mark.parametrize("action", [a for a in Action if a is not Action.CREATE_CAMPAIGN_ROUNDS],
                         ids=lambda a: a.value)
def test_server_and_domain_agree_for_every_role(action, served, pg_cluster):
    rows = []
    for persona in PERSONAS:
        actor = served.people[persona]
        expected = persona in EXPECTED[action]
        policy = may(actor, action, target(action, served))
        accepted, why = server_door(action, actor, served, pg_cluster)
        for door, verdict in (("policy", policy), ("server", accepted)):
            if verdict != expected:
                rows.append(f"{action.value} by {persona} at {door}: {'allowed' if verdict else 'refused'}, expected "
                            f"{'allowed' if expected else 'refused'} {why[:2]}")
    assert rows == []


