"""Bodies are bounded: over 1 MiB is 413 in each API's error shape, refused before it is read whole; the Leasey
property fields and arrays have documented maximums, answered with the document's 422 detail style."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from contract_tests.support.served import ServedMock
from mock_server import limits

from . import raw_http
from .conftest import new_app

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"
COMPANY, PASSWORD = 123, "sandbox-pass-123"
LEASEY = {"Authorization": f"Bearer {TOKEN}"}
TRAVTUS = {"Authorization": "Bearer trv_sandbox_full"}
TOO_LARGE = "The request body is larger than 1,048,576 bytes (1 MiB), the most the sandbox accepts."
LISTING = {"name": "Bounded", "address": "1 Test St", "city": "Toronto", "province_state": "ON", "country": "Canada"}
OVER = limits.BODY_LIMIT + 1


@pytest.fixture(scope="module")
def app():
    return new_app()


@pytest.fixture
def client(app):
    return app.test_client()


def create(client, **fields):
    return client.post("/leasey/properties", headers=LEASEY, json={
        "company_id": COMPANY, "password": PASSWORD, "property": {**LISTING, **fields}})


def properties(client) -> list:
    return client.get("/leasey/reports/properties", query_string={"company_id": COMPANY},
                      headers={**LEASEY, "X-Company-Password": PASSWORD}).get_json()


def assert_refused(response, status: int, body: dict) -> None:
    assert (response.status_code, response.get_json()) == (status, body)
    assert "X-Sandbox-Spec-Violation" not in response.headers  # the status is documented for the operation


# -- 413 in each API's shape ---------------------------------------------------------------------------------

def test_a_leasey_write_over_1_mib_is_413_and_writes_nothing(client):
    before = len(properties(client))
    response = create(client, description="d" * OVER)
    assert_refused(response, 413, {"error": "Request Entity Too Large", "message": TOO_LARGE})
    assert len(properties(client)) == before


def test_a_leasey_read_with_a_body_over_1_mib_is_413(client):
    response = client.get("/leasey/reports/properties", query_string={"company_id": COMPANY}, data=b"x" * OVER,
                          headers={**LEASEY, "X-Company-Password": PASSWORD})
    assert_refused(response, 413, {"error": "Request Entity Too Large", "message": TOO_LARGE})


def test_a_travtus_token_request_over_1_mib_is_the_rfc_6749_invalid_request_413(client):
    response = client.post("/travtus/oauth2/token", data={
        "client_id": "sandbox-client", "client_secret": "s" * OVER, "grant_type": "client_credentials"})
    assert_refused(response, 413, {"error": "invalid_request", "error_description": TOO_LARGE})


def test_a_travtus_lease_request_with_a_body_over_1_mib_is_payload_too_large(client):
    response = client.get("/travtus/leases/", query_string={"identifier": "lease-1"}, data=b"x" * OVER,
                          headers=TRAVTUS)
    assert_refused(response, 413, {"error": {"type": "payload_too_large", "message": TOO_LARGE}})


def test_a_control_request_over_1_mib_is_payload_too_large(client):
    response = client.post("/_sandbox/faults", data=json.dumps({"action": {"status": 503}, "pad": "p" * OVER}),
                           headers={"Content-Type": "application/json"})
    assert_refused(response, 413, {"error": "payload_too_large", "message": TOO_LARGE})
    assert client.get("/_sandbox/faults").get_json() == []


def test_a_body_of_exactly_1_mib_is_read(client):
    body = json.dumps({"company_id": COMPANY, "password": PASSWORD, "property": {**LISTING, "name": "Exactly 1 MiB"}})
    body += " " * (limits.BODY_LIMIT - len(body))
    response = client.post("/leasey/properties", data=body, headers={**LEASEY, "Content-Type": "application/json"})
    assert response.status_code == 201, response.get_json()


def test_the_refused_body_is_journaled_as_its_status_without_a_body(client):
    assert client.delete("/_sandbox/journal").status_code == 204
    create(client, description="d" * OVER)
    [entry] = client.get("/_sandbox/journal").get_json()["entries"]
    assert (entry["path"], entry["status"], entry["request_body"]) == ("/leasey/properties", 413, None)


# -- field and array maximums (422) ------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "limit"), [("name", 255), ("address", 255), ("city", 100), ("postal_code", 20),
                                             ("description", 10_000), ("suite_unit", 50)])
def test_a_property_string_over_its_documented_maximum_is_422(client, field, limit):
    at_limit = create(client, **{field: "A" * limit})
    assert at_limit.status_code == 201, at_limit.get_json()
    over = create(client, **{field: "A" * (limit + 1)})
    assert over.status_code == 422
    assert over.get_json()["details"] == [f'"{field}" must be at most {limit} characters long.']


@pytest.mark.parametrize(("field", "item", "limit"), [
    ("photos", {"url": "https://cdn.example.com/p.jpg"}, 50),
    ("team_members", {"email": "agent@example.com"}, 50),
    ("restrictions", None, 5),
])
def test_a_property_array_over_its_documented_maximum_is_422(client, field, item, limit):
    values = list(range(1, limit + 2)) if item is None else [item] * (limit + 1)
    response = create(client, **{field: values})
    assert response.status_code == 422
    assert f'"{field}" must not have more than {limit} items.' in response.get_json()["details"]


def test_a_too_long_value_is_never_repeated_in_the_answer(client):
    response = create(client, name="N" * 500_000, owner_contact={"first_name": "F" * 5000})
    assert response.status_code == 422
    assert response.get_json()["details"] == ['"name" must be at most 255 characters long.',
                                              '"owner_contact.first_name" must be at most 100 characters long.']
    assert len(response.get_data()) < 500


def test_every_operation_documents_413_and_the_leasey_limits_are_in_the_spec():
    for name in ("leasey", "travtus", "sandbox"):
        document = yaml.safe_load((ROOT / "openapi" / f"{name}.yaml").read_text())
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                takes_a_body = name != "sandbox" or "requestBody" in operation  # partner bodies are always read
                assert ("413" in operation["responses"]) == takes_a_body, (name, method, path)
    schema = yaml.safe_load((ROOT / "openapi" / "leasey.yaml").read_text())["components"]["schemas"]["PropertyInput"]
    assert schema["properties"]["name"]["maxLength"] == 255 and schema["properties"]["photos"]["maxItems"] == 50


# -- over real HTTP: refused before it is read whole ---------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    mock = ServedMock(tmp_path_factory.mktemp("bodies"), workers=1)
    yield mock
    mock.stop()


def test_a_60_mb_put_is_refused_from_its_content_length_without_reading_it(served):
    head = raw_http.request_head(served.port, "PUT", "/leasey/properties/a3f7b2d1-e894-4c1a-b5f0-1234567890ab", {
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "Content-Length": str(60 << 20)})
    with raw_http.connect(served.port, timeout=10) as sock:
        started = time.monotonic()
        assert raw_http.send(sock, head + b"{" + b" " * 65_535)
        answer = raw_http.read_answer(sock, started)
        assert (answer.status, answer.json()) == (413, {"error": "Request Entity Too Large", "message": TOO_LARGE})
        assert answer.headers["content-type"] == "application/json" and answer.seconds < 5
        assert not raw_http.send(sock, b" " * (60 << 20))  # the server stopped reading: the connection is closed


def test_a_chunked_body_is_refused_once_it_passes_1_mib(served):
    head = raw_http.request_head(served.port, "POST", "/travtus/oauth2/token", {
        "Content-Type": "application/x-www-form-urlencoded", "Transfer-Encoding": "chunked"})
    chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"  # 64 KiB each, and never the last (empty) chunk
    with raw_http.connect(served.port, timeout=10) as sock:
        started = time.monotonic()
        raw_http.send(sock, head)
        for _ in range(40):  # 2.5 MiB offered
            if not raw_http.send(sock, chunk):
                break
        answer = raw_http.read_answer(sock, started)
    assert (answer.status, answer.json()) == (413, {"error": "invalid_request", "error_description": TOO_LARGE})
