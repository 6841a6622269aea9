"""A throwaway PostgreSQL 15 cluster (Debian's packages) for tests and benchmarks.

``initdb`` + ``pg_ctl`` in a temporary folder, the socket in that folder, no TCP.  PostgreSQL refuses
to run as root, and CI runs as root: then the cluster runs as the unprivileged system user
``gridwatch-pg`` that ``scripts/setup.sh --test`` creates (``runuser``), owning the folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

BIN = Path("/usr/lib/postgresql/15/bin")
SYSTEM_USER = "gridwatch-pg"
SUPERUSER = "gridwatch"


def available() -> Optional[str]:
    """None when a cluster can be started here, else why not (one line)."""
    if not (BIN / "initdb").exists():
        return "PostgreSQL 15 is not installed (bash scripts/setup.sh --test installs it)"
    if not Path("/usr/share/postgresql/15/extension/postgis.control").exists():
        return "PostGIS 3 for PostgreSQL 15 is not installed (postgresql-15-postgis-3)"
    if not Path("/usr/share/postgresql/15/extension/plpython3u.control").exists():
        return "PL/Python for PostgreSQL 15 is not installed (postgresql-plpython3-15)"
    if os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            return f"system user {SYSTEM_USER} is missing (bash scripts/setup.sh --test creates it)"
    return None


class Cluster:
    """``with Cluster() as c: c.url("postgres")``: a private server for as long as the block runs."""

    def __init__(self, *, durable: bool = False, max_connections: int = 120) -> None:
        self.durable = durable
        self.max_connections = max_connections
        self.folder = Path(tempfile.mkdtemp(prefix="gwpg-"))
        self.data = self.folder / "data"
        self.started = False

    def _as_owner(self, args: list[str]) -> list[str]:
        return (["runuser", "-u", SYSTEM_USER, "--"] + args) if os.geteuid() == 0 else args

    def start(self) -> "Cluster":
        why = available()
        if why:
            raise RuntimeError(why)
        if os.geteuid() == 0:
            shutil.chown(self.folder, SYSTEM_USER, SYSTEM_USER)
        os.chmod(self.folder, 0o755)
        subprocess.run(self._as_owner([str(BIN / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "-A", "trust",
                                       "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, capture_output=True, timeout=300)
        # PostGIS loaded once by the postmaster, as scripts/server_setup.sh sets up a server: every session
        # (each sync opens one) otherwise loads the library at its first geometry, ~15 ms of CPU
        opts = ["-c listen_addresses=''", f"-c unix_socket_directories={self.folder}",
                f"-c max_connections={self.max_connections}", "-c shared_buffers=128MB",
                # little WAL on disk: nothing replicates from a test cluster, and recycled segments are enough
                "-c wal_level=minimal", "-c max_wal_senders=0", "-c max_wal_size=128MB", "-c min_wal_size=32MB",
                "-c shared_preload_libraries=postgis-3"]
        if not self.durable:
            opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        subprocess.run(self._as_owner([str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "log"),
                                       "-o", " ".join(opts), "-w", "-t", "120", "start"]),
                       check=True, capture_output=True, timeout=180)
        self.started = True
        return self

    def stop(self) -> None:
        if self.started:
            subprocess.run(self._as_owner([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w",
                                           "stop"]), capture_output=True, timeout=120)
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = SUPERUSER, **params: str) -> str:
        """A ``postgresql://`` address of ``database`` on this cluster's socket."""
        from urllib.parse import quote, urlencode

        query = urlencode({"host": str(self.folder), **params})
        return f"postgresql://{quote(user)}@/{quote(database)}?{query}"

    def create_database(self, name: str) -> str:
        import psycopg
        from psycopg import sql

        with psycopg.connect(f"host={self.folder} user={SUPERUSER} dbname=postgres", autocommit=True) as con:
            con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
