"""The Postman collections and environments (mock_server/postman.py): what they carry, and newman running them
against a served sandbox with every assertion passing (Leasey document §13, Testing with Postman)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import requests

from contract_tests.support.served import ServedMock
from mock_server.postman import SCHEMA

from .conftest import new_app

ROOT = Path(__file__).resolve().parent.parent
NEWMAN = ROOT / "var" / "node" / "node_modules" / ".bin" / "newman"
SANDBOX = "http://sandbox.test:8080"


@pytest.fixture(scope="module")
def client():
    return new_app().test_client()


def get_json(client, path: str):
    response = client.get(path, base_url=SANDBOX)
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def requests_of(collection: dict) -> dict[str, dict]:
    """Request name -> item, across the tag folders."""
    return {item["name"]: item for folder in collection["item"] for item in folder["item"]}


def header(item: dict, name: str) -> str | None:
    return next((h["value"] for h in item["request"]["header"] if h["key"].lower() == name.lower()), None)


def test_each_collection_is_v2_1_with_one_request_per_operation_of_the_spec(client):
    app = client.application
    for name, api in app.extensions["sandbox"].apis.items():
        collection = get_json(client, f"/{name}/postman.json")
        assert collection["info"]["schema"] == SCHEMA
        items = requests_of(collection)
        assert [item["request"]["method"] for item in items.values()] == [op.method for op in api.spec.operations]
        for item in items.values():
            assert item["request"]["url"]["raw"].startswith("{{base_url}}/")
            test = "\n".join(item["event"][0]["script"]["exec"])
            assert "pm.response.to.have.status(" in test


def test_the_environments_carry_the_documents_variables_with_this_sandboxs_values(client):
    leasey = {v["key"]: v["value"] for v in get_json(client, "/leasey/postman-environment.json")["values"]}
    assert leasey == {"base_url": f"{SANDBOX}/leasey", "api_token": "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d",
                      "company_id": "123", "company_password": "sandbox-pass-123"}
    travtus = {v["key"]: v["value"] for v in get_json(client, "/travtus/postman-environment.json")["values"]}
    assert travtus == {"base_url": f"{SANDBOX}/travtus", "client_id": "sandbox-client", "client_secret": "sandbox-secret"}


def test_leasey_gets_send_the_password_header_and_writes_the_credentials_in_the_json_body(client):
    items = requests_of(get_json(client, "/leasey/postman.json"))
    for item in items.values():
        request = item["request"]
        assert request["auth"] == {"type": "bearer",
                                   "bearer": [{"key": "token", "value": "{{api_token}}", "type": "string"}]}
        if request["method"] == "GET":
            assert header(item, "X-Company-Password") == "{{company_password}}"
            assert {"key": "company_id", "value": "{{company_id}}"} in request["url"]["query"]
            assert "password=" not in request["url"]["raw"]  # §2: the header keeps it out of logs
        else:
            assert header(item, "Content-Type") == "application/json"
            raw = request["body"]["raw"]
            assert '"company_id": {{company_id}},' in raw and '"password": "{{company_password}}"' in raw
    showings = items["Showings report"]["request"]["url"]["raw"]
    assert showings.endswith("?company_id={{company_id}}&start_date=2024-11-01T00:00:00&end_date=2024-11-30T23:59:59")


def test_the_put_targets_the_property_the_post_created(client):
    items = requests_of(get_json(client, "/leasey/postman.json"))
    post, put = items["Create a property"], items["Update a property"]
    assert 'pm.collectionVariables.set("property_id", body["property_id"]);' in "\n".join(
        post["event"][0]["script"]["exec"])
    assert put["request"]["url"]["raw"] == "{{base_url}}/properties/{{property_id}}"
    assert list(items).index("Create a property") < list(items).index("Update a property")


def test_travtus_stores_the_issued_token_for_the_leases_requests(client):
    items = list(requests_of(get_json(client, "/travtus/postman.json")).values())
    token, *leases = items
    assert token["request"]["auth"] == {"type": "noauth"}
    assert {f["key"]: f["value"] for f in token["request"]["body"]["urlencoded"]} == {
        "client_id": "{{client_id}}", "client_secret": "{{client_secret}}", "grant_type": "client_credentials"}
    assert 'pm.collectionVariables.set("access_token", body["access_token"]);' in "\n".join(
        token["event"][0]["script"]["exec"])
    for lease in leases:
        assert lease["request"]["auth"]["bearer"][0]["value"] == "{{access_token}}"
        assert "start_date=2023-01-17" in lease["request"]["url"]["raw"]


def test_the_landing_page_links_the_collections_and_environments(client):
    page = client.get("/", base_url=SANDBOX, headers={"Accept": "text/html"}).text
    for api in ("leasey", "travtus"):
        assert f'href="/{api}/postman.json"' in page and f'href="/{api}/postman-environment.json"' in page


def newman_or_skip() -> Path:
    result = subprocess.run([str(ROOT / "tools" / "ensure-node-tools")], capture_output=True, text=True)
    if result.returncode == 3 and not os.environ.get("CI"):
        pytest.skip(f"no newman: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    return NEWMAN


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    mock = ServedMock(tmp_path_factory.mktemp("postman"), workers=1)
    yield mock
    mock.stop()


@pytest.mark.parametrize("api", ["leasey", "travtus"])
def test_newman_runs_the_collection_against_a_served_sandbox_and_every_assertion_passes(served, tmp_path, api):
    newman = newman_or_skip()
    # Given the collection and the environment as a person downloads them from the sandbox
    for name in ("postman", "postman-environment"):
        response = requests.get(f"{served.root}/{api}/{name}.json", timeout=10)
        assert response.status_code == 200
        (tmp_path / f"{name}.json").write_text(response.text)

    # When newman runs them
    report = tmp_path / "report.json"
    command = [str(newman), "run", str(tmp_path / "postman.json"), "-e", str(tmp_path / "postman-environment.json"),
               "--reporters", "cli,json", "--reporter-json-export", str(report), "--disable-unicode",
               "--timeout-request", "30000"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)

    # Then every request ran, each asserted something, and nothing failed
    assert result.returncode == 0, result.stdout + result.stderr
    run = json.loads(report.read_text())["run"]
    collection = json.loads((tmp_path / "postman.json").read_text())
    assert run["stats"]["requests"] == {"total": len(requests_of(collection)), "pending": 0, "failed": 0}
    assert run["failures"] == []
    for execution in run["executions"]:
        assertions = execution.get("assertions", [])
        assert assertions and all("error" not in a for a in assertions), execution["item"]["name"]
    assert run["stats"]["assertions"]["failed"] == 0 and run["stats"]["assertions"]["total"] >= 2 * len(run["executions"])
