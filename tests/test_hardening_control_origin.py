"""The control API refuses what another web page can send: it answers no CORS headers, takes bodies only as
application/json, and checks Host (DNS rebinding) and Origin (cross-site requests); the partner APIs keep their *."""

from __future__ import annotations

import json

import pytest
import requests

from contract_tests.support.served import ServedMock

from . import raw_http
from .conftest import new_app

TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"
PORT = 8080
SERVED = {"BIND_HOST": "127.0.0.1", "BIND_PORT": PORT}  # what `mock-server serve` tells the app
ATTACKER = "https://attacker.example"
RULE = {"match": {"path": "/leasey/*"}, "action": {"status": 503}}


@pytest.fixture(scope="module")
def app():
    return new_app(**SERVED)


@pytest.fixture
def client(app):
    client = app.test_client()
    yield client
    assert at(client, "localhost:8080", "DELETE", "/_sandbox/faults").status_code == 204


def at(client, host: str, method: str, path: str, **kwargs):
    return client.open(path, method=method, base_url=f"http://{host}", **kwargs)


def faults(client) -> list:
    return at(client, "127.0.0.1:8080", "GET", "/_sandbox/faults").get_json()


def test_the_control_api_sends_no_cors_headers_and_the_partner_apis_keep_theirs(client):
    control = at(client, "127.0.0.1:8080", "GET", "/_sandbox/faults")
    assert control.status_code == 200 and "Access-Control-Allow-Origin" not in control.headers
    docs = at(client, "127.0.0.1:8080", "GET", "/_sandbox/docs/openapi.json")
    assert docs.status_code == 200 and "Access-Control-Allow-Origin" not in docs.headers
    partner = at(client, "127.0.0.1:8080", "GET", "/leasey/reports/properties", query_string={"company_id": 123},
                 headers={"Authorization": f"Bearer {TOKEN}", "X-Company-Password": "sandbox-pass-123"})
    assert partner.status_code == 200 and partner.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                          None])
def test_json_sent_as_anything_but_application_json_is_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = at(client, "127.0.0.1:8080", "POST", "/_sandbox/faults", data=json.dumps(RULE), headers=headers)
    assert (response.status_code, response.get_json()) == (415, {
        "error": "unsupported_media_type", "message": "The body must be JSON, sent with Content-Type: application/json."})
    assert faults(client) == []
    assert at(client, "127.0.0.1:8080", "POST", "/_sandbox/faults", json=RULE).status_code == 201


def test_a_cross_site_request_is_403_and_changes_nothing(client):
    assert at(client, "127.0.0.1:8080", "POST", "/_sandbox/faults", json=RULE).status_code == 201
    for method, path in (("DELETE", "/_sandbox/faults"), ("POST", "/_sandbox/reset"), ("GET", "/_sandbox/tenants"),
                         ("OPTIONS", "/_sandbox/faults")):
        response = at(client, "127.0.0.1:8080", method, path, headers={
            "Origin": ATTACKER, "Access-Control-Request-Method": "DELETE"})
        assert (response.status_code, response.get_json()) == (403, {"error": "forbidden", "message": (
            "The control API takes no cross-site requests: Origin 'https://attacker.example' is not this sandbox "
            "(http://127.0.0.1:8080).")}), (method, path)
        assert "Access-Control-Allow-Origin" not in response.headers
    assert len(faults(client)) == 1


def test_a_page_of_the_sandbox_itself_is_same_origin(client):
    response = at(client, "127.0.0.1:8080", "POST", "/_sandbox/faults", json=RULE,
                  headers={"Origin": "http://127.0.0.1:8080"})
    assert response.status_code == 201


@pytest.mark.parametrize("host", ["attacker.example:8080", "127.0.0.1:9999", "localhost", "10.0.0.7:8080"])
def test_a_host_that_does_not_name_this_sandbox_is_403(client, host):
    """DNS rebinding: the attacker's name, resolved to 127.0.0.1, makes its page same-origin with the sandbox."""
    response = at(client, host, "GET", "/_sandbox/tenants")
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert repr(host) in response.get_json()["message"] and "--public-host" in response.get_json()["message"]


@pytest.mark.parametrize("host", ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST:8080"])
def test_loopback_names_on_the_bound_port_are_always_accepted(client, host):
    assert at(client, host, "GET", "/_sandbox/tenants").status_code == 200


def test_health_answers_whatever_the_host(client):
    assert at(client, "attacker.example:8080", "GET", "/_sandbox/health").status_code == 200


def test_the_public_host_and_a_wildcard_bind(monkeypatch):
    monkeypatch.setenv("SANDBOX_PUBLIC_HOST", "sandbox.example.com, other.example.com:8443")
    app = new_app(BIND_HOST="0.0.0.0", BIND_PORT=PORT, ADMIN_TOKEN="adm")
    client, admin = app.test_client(), {"Authorization": "Bearer adm"}
    for host, status in (("sandbox.example.com", 200), ("sandbox.example.com:443", 200), ("other.example.com:8443", 200),
                         ("other.example.com", 403), ("10.0.0.7:8080", 200), ("[fd00::7]:8080", 200),
                         ("10.0.0.7:9999", 403), ("evil.example:8080", 403)):
        assert at(client, host, "GET", "/_sandbox/faults", headers=admin).status_code == status, host


def test_the_partner_apis_answer_any_host_and_origin(client):
    response = at(client, "attacker.example:8080", "GET", "/travtus/leases/", query_string={"identifier": "lease-1"},
                  headers={"Authorization": "Bearer trv_sandbox_full", "Origin": ATTACKER})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"


# -- served: the bound address, --public-host ----------------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    mock = ServedMock(tmp_path_factory.mktemp("origin"), workers=1, extra_args=("--public-host", "sandbox.test"))
    yield mock
    mock.stop()


@pytest.mark.parametrize(("host", "status"), [("127.0.0.1:{port}", 200), ("localhost:{port}", 200),
                                              ("sandbox.test", 200), ("sandbox.test:{port}", 200),
                                              ("rebound.example:{port}", 403), ("127.0.0.1:1", 403)])
def test_a_served_sandbox_checks_the_host_against_its_bind_and_public_name(served, host, status):
    head = f"GET /_sandbox/faults HTTP/1.1\r\nHost: {host.format(port=served.port)}\r\n\r\n".encode()
    answer = raw_http.exchange(served.port, head)
    assert answer.status == status and "access-control-allow-origin" not in answer.headers


def test_the_control_docs_fetch_their_spec_from_the_same_origin(served):
    page = requests.get(f"{served.root}/_sandbox/docs", timeout=30)
    spec = requests.get(f"{served.root}/_sandbox/docs/openapi.json", timeout=30,
                        headers={"Origin": served.root, "Referer": f"{served.root}/_sandbox/docs"})
    assert page.status_code == 200 and spec.status_code == 200 and spec.json()["info"]["title"]
    tried = requests.get(f"{served.root}/_sandbox/clock", headers={"Origin": served.root}, timeout=30)
    assert tried.status_code == 200  # "Try it out" from the docs page
