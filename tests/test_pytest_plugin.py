"""The `partner_sandbox` pytest plugin (mock_server/pytest_plugin.py), run by an inner pytest the way a partner's
suite runs it: attached to a served sandbox, each test on a tenant of its own, everything it changed put back;
and inert for a suite that uses none of its fixtures (this repository's own run loads it too)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from contract_tests.support.served import ServedMock

INNER = '''
from datetime import datetime


def test_a_tenant_each_with_the_documented_attributes(leasey_sandbox, travtus_sandbox):
    assert leasey_sandbox.base_url.endswith("/leasey") and leasey_sandbox.company_id >= 1000
    assert len(leasey_sandbox.api_token) == 48 and leasey_sandbox.company_password
    assert travtus_sandbox.base_url.endswith("/travtus") and travtus_sandbox.client_id and travtus_sandbox.client_secret


def test_changes_are_the_tests_own(leasey_sandbox):
    leasey_sandbox.fault(status=503, path="/reports/*", method="get", times=5)
    leasey_sandbox.fault(latency_ms=10)
    leasey_sandbox.clock.set(datetime(2030, 1, 1), frozen=True)
    assert leasey_sandbox.clock.now() == datetime(2030, 1, 1)
    assert leasey_sandbox.clock.advance(60) == datetime(2030, 1, 1, 0, 1)


def test_the_journal_has_this_tenants_requests_only(leasey_sandbox, travtus_sandbox):
    import urllib.request, urllib.error
    for company in (leasey_sandbox.company_id, 123):
        try:
            urllib.request.urlopen(f"{leasey_sandbox.base_url}/reports/leads?company_id={company}")
        except urllib.error.HTTPError as refused:
            assert refused.code == 401
    entries = leasey_sandbox.journal(path="/reports/leads", status=401, limit=5)
    assert [e["query"]["company_id"] for e in entries] == [str(leasey_sandbox.company_id)]
    assert travtus_sandbox.journal() == []
'''


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    mock = ServedMock(tmp_path_factory.mktemp("plugin"), workers=1)
    yield mock
    mock.stop()


def inner_pytest(folder: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=folder,
                          capture_output=True, text=True, timeout=300, env=env or dict(os.environ))


def control(served: ServedMock, path: str):
    return requests.get(f"{served.root}/_sandbox{path}", timeout=10).json()


def test_each_test_gets_its_tenant_and_everything_is_put_back_after_it(served, tmp_path):
    (tmp_path / "test_inner.py").write_text(INNER)
    clock_before = control(served, "/clock")

    result = inner_pytest(tmp_path, "--sandbox-url", served.root)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    assert control(served, "/faults") == []
    assert control(served, "/tenants") == []
    clock_after = control(served, "/clock")
    assert clock_after["frozen"] is False and abs(clock_after["offset_seconds"] - clock_before["offset_seconds"]) <= 2


def test_sandbox_url_comes_from_the_environment_too(served, tmp_path):
    (tmp_path / "test_inner.py").write_text(INNER)

    result = inner_pytest(tmp_path, "-k", "documented_attributes", env={**os.environ, "SANDBOX_URL": served.root})

    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr


def test_a_suite_that_uses_no_fixture_of_the_plugin_never_touches_a_sandbox(tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")

    # an address nothing listens on: the plugin must not even try it
    result = inner_pytest(tmp_path, "--sandbox-url", "http://127.0.0.1:9", "-p", "partner_sandbox")

    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr


def test_the_plugin_is_loaded_in_this_run_and_idle(request):
    assert request.config.pluginmanager.hasplugin("partner_sandbox")
    assert "partner_sandbox_server" not in request.fixturenames
