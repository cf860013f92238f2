"""`mock-server fixtures generate`: seeded bulk data beside the fixtures, served and checked over HTTP."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
import requests

from contract_tests.support.credentials import LEASEY_TOKEN
from contract_tests.support.served import FIXED_NOW, ServedMock

SIZES = {"companies": 1, "properties": 300, "showings": 3000, "leads": 2000, "clients": 1, "leases": 3000}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("generated")
    command = [sys.executable, "-m", "mock_server.cli", "fixtures", "generate", "--db",
               f"sqlite:///{workdir / 'sandbox.db'}", "--now", FIXED_NOW, "--seed", "11", "--quiet",
               *[f"--{name}={value}" for name, value in SIZES.items()]]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    credentials = json.loads(result.stdout)
    mock = ServedMock(workdir)  # serves the generated database (fixtures already in it), self-check full
    yield mock, credentials, workdir / "sandbox.db"
    mock.stop()


def test_the_counts_asked_for_are_in_the_database_beside_the_fixtures(generated):
    _, credentials, db = generated
    company = credentials["leasey"]["companies"][0]["company_id"]
    with sqlite3.connect(db) as connection:
        count = lambda sql, *args: connection.execute(sql, args).fetchone()[0]  # noqa: E731
        assert count("SELECT count(*) FROM properties WHERE company_id = ?", company) == SIZES["properties"]
        assert count("SELECT count(*) FROM showings WHERE company_id = ?", company) == SIZES["showings"]
        assert count("SELECT count(*) FROM leads WHERE company_id = ?", company) == SIZES["leads"]
        assert count("SELECT count(*) FROM companies WHERE id IN (123, 456, 789)") == 3
        client = credentials["travtus"]["clients"][0]["client_id"]
        assert count("SELECT count(*) FROM trv_leases JOIN trv_groups ON trv_groups.id = trv_leases.group_id "
                     "WHERE trv_groups.client_id = ?", client) == SIZES["leases"]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_generated_company_is_served_and_matches_the_spec(generated):
    mock, credentials, _ = generated
    company = credentials["leasey"]["companies"][0]
    headers = {"Authorization": f"Bearer {LEASEY_TOKEN}", "X-Company-Password": company["password"]}
    for kind in ("properties", "showings", "leads"):
        response = requests.get(f"{mock.root}/leasey/reports/{kind}", params={
            "company_id": company["company_id"], "start_date": "2024-01-01"}, headers=headers, timeout=120)
        assert response.status_code == 200 and response.json(), kind
        assert "X-Sandbox-Spec-Violation" not in response.headers, response.headers["X-Sandbox-Spec-Violation"]
    assert len(requests.get(f"{mock.root}/leasey/reports/properties", params={"company_id": company["company_id"]},
                            headers=headers, timeout=120).json()) == SIZES["properties"]
    fixture = requests.get(f"{mock.root}/leasey/reports/properties", params={"company_id": 123}, headers={
        "Authorization": f"Bearer {LEASEY_TOKEN}", "X-Company-Password": "sandbox-pass-123"}, timeout=60)
    assert fixture.status_code == 200 and len(fixture.json()) == 34


def test_the_generated_client_walks_its_leases_by_cursor(generated):
    mock, credentials, _ = generated
    client = credentials["travtus"]["clients"][0]
    token = requests.post(f"{mock.root}/travtus/oauth2/token", data={
        "client_id": client["client_id"], "client_secret": client["client_secret"],
        "grant_type": "client_credentials"}, timeout=30).json()["access_token"]
    params, seen, pages = {"group_ids": ",".join(client["groups"]), "limit": 100}, set(), 0
    while True:
        page = requests.get(f"{mock.root}/travtus/leases/", params=params,
                            headers={"Authorization": f"Bearer {token}"}, timeout=60)
        assert page.status_code == 200 and "X-Sandbox-Spec-Violation" not in page.headers
        seen.update(lease["identifier"] for lease in page.json()["data"])
        pages += 1
        cursor = page.json()["pagination"]["next_cursor"]
        if cursor is None:
            break
        params = {**params, "after_id": cursor}
    assert len(seen) == SIZES["leases"] and pages == SIZES["leases"] // 100


def test_the_contract_scenarios_pass_against_the_generated_sandbox(generated):
    """The generated database is a valid sandbox: the fixture-data scenarios still pass against it."""
    mock, _, _ = generated
    for api in ("leasey", "travtus"):
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "contract_tests",
                                 "-k", "not schemathesis and not stateful", "--base-url", f"{mock.root}/{api}",
                                 "--api", api, "--sandbox-data", "--allow-writes"],
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stdout[-4000:]
