"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a temporary directory, a free loopback
port, a non-root owner (PostgreSQL refuses to run as root), stopped when the test process ends.

`cluster()` starts it on first use and returns it; `database_url()` creates a fresh database in it. Where
PostgreSQL is not installed (tools/ensure-postgresql could not install it) `unavailable()` says why, and the
tests that need it skip with that reason.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

from .served import free_port

_lock = threading.Lock()
_cluster: Cluster | None = None
_reason: str | None = None
OWNER = "postgres"  # Debian's package creates this user; as root the cluster runs as it


def _binaries() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(f"{candidate}/initdb", os.X_OK) and os.access(f"{candidate}/pg_ctl", os.X_OK):
            return Path(candidate)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb and shutil.which("pg_ctl") else None


class Cluster:
    def __init__(self, binaries: Path):
        self.binaries = binaries
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sandbox-pg-"))
        self.data = self.root / "data"
        self.as_owner: list[str] = []
        if os.geteuid() == 0:
            self.as_owner = ["runuser", "-u", OWNER, "--"]
            shutil.chown(self.root, OWNER)
        self.user = OWNER if self.as_owner else (os.environ.get("USER") or "postgres")
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "--encoding=UTF8", "--locale=C",
                  "--no-sync")
        log = self.root / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(log), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                  f"-c max_connections=200 -c full_page_writes=off", "start")
        atexit.register(self.stop)

    def _run(self, program: str, *args: str) -> None:
        subprocess.run([*self.as_owner, str(self.binaries / program), *args], check=True, capture_output=True,
                       text=True, timeout=120)

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        import psycopg

        name = name or f"sandbox_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self.as_owner, str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                            "stop"], capture_output=True, timeout=60)
            shutil.rmtree(self.root, ignore_errors=True)


def cluster() -> Cluster | None:
    """The test process's cluster, started on first use; None (see unavailable()) when there is no PostgreSQL."""
    global _cluster, _reason
    with _lock:
        if _cluster is None and _reason is None:
            binaries = _binaries()
            if binaries is None:
                _reason = ("PostgreSQL is not installed (tools/ensure-postgresql installs Debian's postgresql "
                           "with root); the PostgreSQL tests skip")
            else:
                try:
                    _cluster = Cluster(binaries)
                except (subprocess.SubprocessError, OSError) as failed:
                    stderr = getattr(failed, "stderr", "") or ""
                    _reason = f"a throwaway PostgreSQL cluster could not start: {failed} {stderr.strip()[-300:]}"
        return _cluster


def unavailable() -> str | None:
    cluster()
    return _reason


def database_url() -> str:
    """A fresh, empty database on the cluster."""
    found = cluster()
    if found is None:
        raise RuntimeError(_reason)
    return found.create_database()
