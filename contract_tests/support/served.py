"""Starts the mock as partners run it (`mock-server serve`, gunicorn, real sockets) on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from mock_server.processes import stop_group

FIXED_NOW = "2026-06-01T12:00:00"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ENGINE_VARIABLE = "SANDBOX_TEST_ENGINE"  # "postgresql": every served mock on a fresh PostgreSQL database


def test_engine() -> str:
    return os.environ.get(ENGINE_VARIABLE, "sqlite")


class ServedMock:
    """A `mock-server serve` subprocess with its own fresh database: SQLite, or a PostgreSQL database of the
    tests' throwaway cluster when SANDBOX_TEST_ENGINE=postgresql (skipped, with the reason, without one)."""

    def __init__(self, workdir: Path, now: str = FIXED_NOW, workers: int = 2, extra_args: tuple[str, ...] = (),
                 database_url: str | None = None):
        self.port = free_port()
        self.db_path = workdir / "sandbox.db"
        self.database_url = database_url or self._database_url()
        self.root = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "server.log"
        command = [sys.executable, "-m", "mock_server.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                   "--db", self.database_url, "--now", now, "--workers", str(workers), "--self-check", "full",
                   *extra_args]
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()  # a server that never became ready is not left running
            raise

    def _database_url(self) -> str:
        if test_engine() != "postgresql":
            return f"sqlite:///{self.db_path}"
        import pytest

        from . import postgres

        if postgres.unavailable():
            pytest.skip(postgres.unavailable())
        return postgres.database_url()

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mock-server exited early:\n{self.log_path.read_text()}")
            try:
                # /_sandbox/health, not /: with one API served at the root, / is that API's 404
                if requests.get(self.root + "/_sandbox/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"mock-server did not answer within {timeout}s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        stop_group(self.process)
        self._log.close()
