"""pytest plugin `partner_sandbox` (installed with the package): fixtures for a partner's own test suite.

    def test_my_report_import(leasey_sandbox):
        rows = my_client(leasey_sandbox.base_url, leasey_sandbox.api_token,
                         leasey_sandbox.company_id, leasey_sandbox.company_password).properties()
        assert rows

`leasey_sandbox` and `travtus_sandbox` give each test a fresh, isolated tenant (a Leasey company, a Travtus client)
of one sandbox per test run: the first fixture used starts `mock-server serve` on a free loopback port, or attaches
to the sandbox given by `--sandbox-url` or SANDBOX_URL (with SANDBOX_ADMIN_TOKEN when it has an admin token). Both
offer `journal(**filters)`, `fault(...)`, `clock` and `reset()`; faults are removed, the clock put back and the
tenant deleted after the test. The clock is the sandbox's one clock: tests that move it must not run in parallel
against the same sandbox.

Nothing happens unless a test asks for one of these fixtures: the plugin imports only the standard library.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT = 60  # seconds for a started sandbox to answer
JOURNAL_WINDOW = 1000  # newest journal entries read to find a tenant's (the journal's default capacity)


class SandboxError(RuntimeError):
    """The sandbox's control API refused a call."""


def pytest_addoption(parser):
    group = parser.getgroup("partner_sandbox", "partner API sandbox (leasey_sandbox, travtus_sandbox fixtures)")
    group.addoption("--sandbox-url", default=os.environ.get("SANDBOX_URL"),
                    help="root URL of a running sandbox to use, e.g. http://127.0.0.1:8080 (env SANDBOX_URL); "
                         "default: start one on a free loopback port")


class Control:
    """The control API (/_sandbox) of one sandbox, over urllib (the package's runtime needs no HTTP client)."""

    def __init__(self, root: str, admin_token: str | None = None):
        self.root = root.rstrip("/")
        self.admin_token = admin_token

    def call(self, method: str, path: str, body: dict | None = None, query: dict | None = None) -> Any:
        url = f"{self.root}/_sandbox{path}"
        if query:
            url += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.admin_token:
            headers["Authorization"] = f"Bearer {self.admin_token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as refused:
            raise SandboxError(f"{method} {url}: {refused.code} {refused.read().decode(errors='replace')}") from None
        return json.loads(text) if text else None


class SandboxServer:
    """One sandbox for the test run: started here (and stopped at the end), or one that was already running."""

    def __init__(self, root: str, control: Control, process: subprocess.Popen | None = None,
                 log_path: Path | None = None):
        self.root, self.control, self.process, self.log_path = root, control, process, log_path

    @classmethod
    def start(cls, workdir: Path) -> SandboxServer:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        log_path = workdir / "sandbox.log"
        command = [sys.executable, "-m", "mock_server.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--db", f"sqlite:///{workdir / 'sandbox.db'}", "--workers", "1"]
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SANDBOX_ADMIN_TOKEN")}
        with open(log_path, "w") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        server = cls(f"http://127.0.0.1:{port}", Control(f"http://127.0.0.1:{port}"), process, log_path)
        server.wait_ready()
        return server

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the sandbox exited early:\n{self.log_path.read_text()}")
            try:
                self.control.call("GET", "/health")
                return
            except (OSError, SandboxError):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the sandbox at {self.root} did not answer within {START_TIMEOUT}s") from None
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


class Clock:
    """The sandbox clock. What it was before this test first moved it is put back after the test."""

    def __init__(self, control: Control):
        self._control = control
        self._saved: tuple[dict, float] | None = None

    def now(self) -> datetime:
        return datetime.fromisoformat(self._control.call("GET", "/clock")["now"])

    def set(self, when: datetime, frozen: bool = False) -> datetime:
        self._save()
        return datetime.fromisoformat(self._control.call("PUT", "/clock", {"now": when.isoformat(),
                                                                            "frozen": frozen})["now"])

    def advance(self, seconds: float) -> datetime:
        self._save()
        return datetime.fromisoformat(self._control.call("POST", "/clock/advance", {"seconds": int(seconds)})["now"])

    def _save(self) -> None:
        if self._saved is None:
            self._saved = (self._control.call("GET", "/clock"), time.monotonic())

    def restore(self) -> None:
        if self._saved is None:
            return
        state, at = self._saved
        self._saved = None
        if state["frozen"]:
            self._control.call("PUT", "/clock", {"now": state["now"], "frozen": True})
        elif state["offset_seconds"] == 0:
            self._control.call("DELETE", "/clock")
        else:  # running with an offset: where it would be now had nobody touched it
            later = datetime.fromisoformat(state["now"]) + timedelta(seconds=time.monotonic() - at)
            self._control.call("PUT", "/clock", {"now": later.isoformat(timespec="seconds"), "frozen": False})


@dataclass
class _Tenant:
    """What both fixtures share: the tenant's id, the control API, the clock and the fault rules it added."""

    tenant_id: str
    base_url: str
    clock: Clock
    _control: Control = field(repr=False)
    _faults: list[int] = field(default_factory=list, repr=False)

    _who: str = field(default="", init=False, repr=False)  # the journal's and fault match's key: company_id/client_id

    def _whose(self) -> Any:
        raise NotImplementedError

    def _full_path(self, path: str | None) -> str | None:
        """A path as the partner's code sees it (relative to base_url) with the API's prefix: what the sandbox sees."""
        if path is None:
            return None
        prefix = urllib.parse.urlsplit(self.base_url).path.rstrip("/")
        return path if not prefix or path == prefix or path.startswith(prefix + "/") else prefix + path

    def journal(self, method: str | None = None, path: str | None = None, status: int | None = None,
                limit: int | None = None) -> list[dict]:
        """This tenant's requests, newest first, secrets masked; `path` relative to base_url, may be a glob.

        A request is the tenant's when it authenticated as the tenant, or when it names the tenant (Leasey: the
        company_id of its query or JSON body; Travtus: the token form's client_id): so a faulted request, which never
        reaches authentication, is there too. A Travtus call whose token did not authenticate names no client.
        """
        query = {"method": method, "path": self._full_path(path), "status": status, "limit": JOURNAL_WINDOW}
        entries = [entry for entry in self._control.call("GET", "/journal", query=query)["entries"] if self._names(entry)]
        return entries if limit is None else entries[:limit]

    def _names(self, entry: dict) -> bool:
        mine = self._whose()
        body = entry.get("request_body") if isinstance(entry.get("request_body"), dict) else {}
        named = [entry.get(self._who), (entry.get("query") or {}).get(self._who), body.get(self._who)]
        return any(value is not None and str(value) == str(mine) for value in named)

    def fault(self, status: int | None = None, latency_ms: int | None = None, drop: bool = False,
              path: str | None = None, method: str | None = None, times: int | None = None) -> dict:
        """A fault rule matching this tenant's requests only (and `path`, relative to base_url, `method`), for the
        next `times` requests or always; removed after the test."""
        action = {key: value for key, value in (("status", status), ("latency_ms", latency_ms)) if value is not None}
        if drop:
            action["drop"] = True
        match = {self._who: self._whose()}
        if path is not None:
            match["path"] = self._full_path(path)
        if method is not None:
            match["method"] = method.upper()
        rule = self._control.call("POST", "/faults", {"match": match, "action": action, "times": times})
        self._faults.append(rule["id"])
        return rule

    def reset(self) -> None:
        raise NotImplementedError

    def _tear_down(self) -> None:
        for fault_id in self._faults:
            try:
                self._control.call("DELETE", f"/faults/{fault_id}")
            except SandboxError:  # already fired its `times`, or removed by the test
                pass
        self._control.call("DELETE", f"/tenants/{self.tenant_id}")


@dataclass
class LeaseySandbox(_Tenant):
    api_token: str = ""
    company_id: int = 0
    company_password: str = field(default="", repr=False)

    _who: str = field(default="company_id", init=False, repr=False)

    def _whose(self) -> int:
        return self.company_id

    def reset(self) -> None:
        """The company back to what it was when the tenant was created."""
        self._control.call("POST", f"/reset/leasey/companies/{self.company_id}")


@dataclass
class TravtusSandbox(_Tenant):
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    token_url: str = ""
    group_ids: list[str] = field(default_factory=list)

    _who: str = field(default="client_id", init=False, repr=False)

    def _whose(self) -> str:
        return self.client_id

    def reset(self) -> None:
        """The client's groups, units and leases back to what they were when the tenant was created."""
        self._control.call("POST", f"/reset/travtus/clients/{self.client_id}")


@pytest.fixture(scope="session")
def partner_sandbox_server(request, tmp_path_factory) -> SandboxServer:
    """The run's sandbox: the one at --sandbox-url / SANDBOX_URL, or one started here on a free loopback port."""
    url = request.config.getoption("sandbox_url")
    if url:
        server = SandboxServer(url.rstrip("/"), Control(url, os.environ.get("SANDBOX_ADMIN_TOKEN")))
        server.wait_ready()
        yield server
        return
    server = SandboxServer.start(tmp_path_factory.mktemp("partner-sandbox"))
    yield server
    server.stop()


@pytest.fixture
def sandbox_clock(partner_sandbox_server) -> Clock:
    """The sandbox clock, put back after the test (shared by leasey_sandbox and travtus_sandbox in one test)."""
    clock = Clock(partner_sandbox_server.control)
    yield clock
    clock.restore()


@pytest.fixture
def leasey_sandbox(partner_sandbox_server, sandbox_clock) -> LeaseySandbox:
    """A fresh Leasey company of its own: base_url, api_token, company_id, company_password."""
    control = partner_sandbox_server.control
    tenant = control.call("POST", "/tenants/leasey", {})
    credentials = tenant["credentials"]
    sandbox = LeaseySandbox(tenant_id=tenant["id"], base_url=tenant["base_url"], clock=sandbox_clock, _control=control,
                            api_token=credentials["api_token"], company_id=credentials["company_id"],
                            company_password=credentials["password"])
    yield sandbox
    sandbox._tear_down()


@pytest.fixture
def travtus_sandbox(partner_sandbox_server, sandbox_clock) -> TravtusSandbox:
    """A fresh Travtus client of its own: base_url, client_id, client_secret (and token_url, group_ids)."""
    control = partner_sandbox_server.control
    tenant = control.call("POST", "/tenants/travtus", {})
    credentials = tenant["credentials"]
    sandbox = TravtusSandbox(tenant_id=tenant["id"], base_url=tenant["base_url"], clock=sandbox_clock, _control=control,
                             client_id=credentials["client_id"], client_secret=credentials["client_secret"],
                             token_url=credentials["token_url"], group_ids=list(credentials["group_ids"]))
    yield sandbox
    sandbox._tear_down()
