"""Credentials for a PostGIS shared project (issue 19): from the usual PostgreSQL places (.pgpass,
PGPASSWORD) or a prompt on the terminal; never stored."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

import psycopg
import pytest
from psycopg import sql

from gridwatch.errors import SyncError
from gridwatch.sync.pg.address import connect
from gridwatch.sync.pg.publish import publish

from .conftest import ROOT


@pytest.fixture(scope="module")
def sample_path(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The sample district without its two months of work: these tests count the rows they make."""
    from .conftest import bare_sample_in

    return bare_sample_in(tmp_path_factory.mktemp("bare"))

LOGIN, PASSWORD = "gw_pw_admin", "geheim 口令"


@pytest.fixture(scope="module")
def guarded(pg_cluster, sample_path):
    """A district and an administrator login that must give its password (scram), the rest of the
    cluster's logins unchanged."""
    pg_cluster.create_database("creds")
    publish(sample_path, pg_cluster.url("creds"))
    hba = pg_cluster.data / "pg_hba.conf"
    before = hba.read_text()
    with psycopg.connect(f"host={pg_cluster.folder} user=gridwatch dbname=creds", autocommit=True) as con:
        con.execute(sql.SQL("CREATE ROLE {} LOGIN SUPERUSER PASSWORD {}").format(sql.Identifier(LOGIN),
                                                                               sql.Literal(PASSWORD)))
        hba.write_text(f"local all {LOGIN} scram-sha-256\n" + before)
        con.execute("SELECT pg_reload_conf()")
    time.sleep(0.5)
    yield pg_cluster.url("creds", user=LOGIN)
    hba.write_text(before)
    with psycopg.connect(f"host={pg_cluster.folder} user=gridwatch dbname=creds", autocommit=True) as con:
        con.execute("SELECT pg_reload_conf()")


def _run(args, env=None):
    return subprocess.run([sys.executable, "-m", "gridwatch", *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def test_without_a_password_the_server_says_so_in_one_line(guarded):
    with pytest.raises(SyncError, match="cannot connect") as info:
        connect(guarded)
    assert PASSWORD not in str(info.value)
    res = _run(["doctor", guarded])
    assert res.returncode == 2 and "cannot connect" in res.stderr and "Traceback" not in res.stderr


def test_a_prompt_is_asked_with_the_address_and_its_answer_used(guarded):
    asked = []
    con = connect(guarded, prompt=lambda where: asked.append(where) or PASSWORD)
    try:
        assert con.execute("SELECT current_user").fetchone()[0] == LOGIN
    finally:
        con.close()
    assert asked == [guarded]


def test_pgpass_and_pgpassword_are_read(guarded, tmp_path, pg_cluster):
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:creds:{LOGIN}:{PASSWORD}\n", encoding="utf-8")
    pgpass.chmod(0o600)
    res = _run(["doctor", guarded], env={"PGPASSFILE": str(pgpass)})
    assert res.returncode == 0, res.stdout + res.stderr
    res = _run(["doctor", guarded], env={"PGPASSWORD": PASSWORD})
    assert res.returncode == 0, res.stdout + res.stderr


def test_the_command_line_asks_on_the_terminal(guarded):
    """``gridwatch doctor`` on a terminal asks for the password (not echoed) and goes on."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: gridwatch on the pty
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "gridwatch", "doctor", guarded])
    out = b""
    answered = False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if not answered and b"password for" in out:
            os.write(fd, PASSWORD.encode("utf-8") + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    text = out.decode("utf-8", "replace")
    assert answered, text
    assert PASSWORD not in text  # not echoed
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "judge" in text
