"""Every credential the sandbox knows is masked wherever it appears, not only under known names: in the journal
(unlisted query names, custom headers, the path, multipart and text bodies) and in every log line (the request log
on stdout, errors and database messages on stderr)."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import time

import pytest
import requests

from contract_tests.support.served import ServedMock
from mock_server.sandbox import masking

from .conftest import new_app

TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"
PASSWORD, CLIENT, SECRET = "sandbox-pass-123", "sandbox-client", "sandbox-secret"
ADMIN = "adm!n t0ken/for the test"
LEASEY = {"Authorization": f"Bearer {TOKEN}", "X-Company-Password": PASSWORD}
KNOWN = (TOKEN, PASSWORD, SECRET, "sandbox-pass-456", "trv_sandbox_full", ADMIN)


@pytest.fixture(scope="module")
def app():
    return new_app(ADMIN_TOKEN=ADMIN)


@pytest.fixture
def client(app):
    client = app.test_client()
    assert client.delete("/_sandbox/journal", headers=ADMIN_HEADER).status_code == 204
    return client


ADMIN_HEADER = {"Authorization": f"Bearer {ADMIN}"}


def journal(client) -> list[dict]:
    return client.get("/_sandbox/journal", headers=ADMIN_HEADER).get_json()["entries"]


def issued_token(client) -> str:
    return client.post("/travtus/oauth2/token", data={
        "client_id": CLIENT, "client_secret": SECRET, "grant_type": "client_credentials"}).get_json()["access_token"]


def assert_nowhere(text: str, *secrets: str) -> None:
    assert [secret for secret in secrets if secret in text] == []


def test_secrets_under_unlisted_query_names_and_custom_headers_are_masked(client):
    client.get("/leasey/reports/properties", query_string={"company_id": 123, "my_key": PASSWORD, "x": SECRET},
               headers={**LEASEY, "X-Custom-Auth": TOKEN, "X-Static": "trv_sandbox_full", "X-Admin": ADMIN})
    [entry] = journal(client)
    assert entry["query"] == {"company_id": "123", "my_key": "***", "x": "***"}
    assert (entry["request_headers"]["X-Custom-Auth"], entry["request_headers"]["X-Static"],
            entry["request_headers"]["X-Admin"]) == ("***", "***", "***")
    assert_nowhere(json.dumps(entry), *KNOWN)


def test_a_secret_in_the_path_is_masked(client):
    assert client.get(f"/leasey/reports/{PASSWORD}/x").status_code == 404
    [entry] = journal(client)
    assert entry["path"] == "/leasey/reports/***/x"
    assert client.get("/_sandbox/journal", query_string={"path": "/leasey/reports/***/x"},
                      headers=ADMIN_HEADER).get_json()["count"] == 1


def test_secrets_in_a_multipart_body_are_masked(client):
    client.post("/leasey/properties", headers={"Authorization": f"Bearer {TOKEN}"}, data={
        "notes": f"my secret is {SECRET}", "upload": (__import__("io").BytesIO(f"token={TOKEN}".encode()), "a.txt")},
        content_type="multipart/form-data")
    [entry] = journal(client)
    assert isinstance(entry["request_body"], str) and "my secret is ***" in entry["request_body"]
    assert_nowhere(json.dumps(entry), TOKEN, SECRET)


def test_an_issued_token_is_masked_wherever_it_is_sent(client):
    token = issued_token(client)
    client.get("/travtus/leases/", query_string={"identifier": token}, headers={"X-Token-Copy": token,
                                                                               "Authorization": "Bearer " + token})
    client.post("/leasey/properties", headers={"Authorization": f"Bearer {TOKEN}"},
                json={"company_id": 123, "note": f"see {token}", "password": PASSWORD, "property": {}})
    entries = journal(client)
    assert_nowhere(json.dumps(entries), token, TOKEN, PASSWORD)
    assert entries[1]["query"]["identifier"] == "***" and entries[0]["request_body"]["note"] == "see ***"


def test_client_credentials_in_basic_form_and_percent_encoded_are_masked(client):
    basic = base64.b64encode(f"{CLIENT}:{SECRET}".encode()).decode()
    client.get("/leasey/reports/properties?company_id=123&q=" + requests.utils.quote(ADMIN, safe=""),
               headers={**LEASEY, "X-Forwarded-Auth": f"Basic {basic}"})
    [entry] = journal(client)
    assert entry["request_headers"]["X-Forwarded-Auth"] == "Basic ***" and entry["query"]["q"] == "***"


def test_a_new_tenants_credentials_are_masked(client):
    tenant = client.post("/_sandbox/tenants/leasey", json={"properties": 1, "leads": 1, "showings": 1},
                         headers=ADMIN_HEADER).get_json()["credentials"]
    client.get("/leasey/reports/properties", query_string={"company_id": tenant["company_id"], "copy": tenant["password"]},
               headers={"Authorization": f"Bearer {TOKEN}", "X-Company-Password": tenant["password"]})
    [entry] = journal(client)
    assert entry["status"] == 200 and entry["query"]["copy"] == "***"


def test_masking_thousands_of_secrets_is_one_fast_pattern():
    class Store:  # what KnownSecrets reads: a snapshot to memoise in, and the stored values
        def snapshot(self):
            return self

        def memo(self, key, load):
            return load()

    secrets = masking.KnownSecrets(Store())
    secrets._stored = lambda: [f"generated-{n:016x}" for n in range(5000)] + ["sandbox-pass-1", "sandbox-pass-12"]
    text = ("lorem ipsum " * 5000) + "generated-0000000000000abc and sandbox-pass-12 and sandbox-pass-1"
    pattern = secrets.patterns()[0]
    started = time.perf_counter()
    masked = pattern.sub(masking.MASK, text)
    assert time.perf_counter() - started < 0.5
    assert masked.endswith("*** and *** and ***")  # the longest secret wins where one is a prefix of another
    assert secrets.text("short 123 stays") == "short 123 stays"


# -- the logs -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(tmp_path_factory):
    mock = ServedMock(tmp_path_factory.mktemp("secrets"), workers=1)
    yield mock
    mock.stop()


def test_the_request_log_masks_secrets_in_the_path_and_under_any_query_name(served):
    token = requests.post(f"{served.root}/travtus/oauth2/token", data={
        "client_id": CLIENT, "client_secret": SECRET, "grant_type": "client_credentials"}, timeout=30).json()
    requests.get(f"{served.root}/leasey/{PASSWORD}/x", params={"k": TOKEN, "t": token["access_token"]}, timeout=30)
    time.sleep(0.5)
    log = served.log_path.read_text()
    assert "/leasey/***/x?k=***&t=***" in log
    assert_nowhere(log, TOKEN, PASSWORD, token["access_token"])


def test_a_database_error_puts_no_credential_on_stderr(served):
    """The statement's parameters of a failed tenant creation hold the API token and the new tenant's password."""
    with sqlite3.connect(served.db_path) as database:
        database.execute("CREATE TRIGGER refuse_tenants BEFORE INSERT ON sbx_tenants "
                         "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    try:
        response = requests.post(f"{served.root}/_sandbox/tenants/leasey", json={"properties": 1}, timeout=30)
    finally:
        with sqlite3.connect(served.db_path) as database:
            database.execute("DROP TRIGGER refuse_tenants")
    assert response.status_code == 500
    time.sleep(0.5)
    log = served.log_path.read_text()
    assert "refused by the test" in log and "Traceback" in log  # the error is there, its credentials are not
    assert TOKEN not in log
    assert re.findall(r"tenant-[A-Za-z0-9_-]{24}", log) == []


# -- at rest: the database file ------------------------------------------------------------------------------

def test_no_credential_is_in_the_database_file_in_clear(served):
    """Each credential sent in every place a request can carry it, a tenant of each API made, used, reset and
    snapshotted: neither the database file (and its WAL) nor the log holds a credential's value; the credentials
    still work, and a tenant's secret is shown once, in the answer that created it."""
    root = served.root
    leasey = requests.post(f"{root}/_sandbox/tenants/leasey", json={"properties": 1, "leads": 1, "showings": 1},
                           timeout=60).json()
    travtus = requests.post(f"{root}/_sandbox/tenants/travtus", json={"units_per_group": 1}, timeout=60).json()
    tenant_password, tenant_secret = leasey["credentials"]["password"], travtus["credentials"]["client_secret"]
    # Of a shape masking knows: a process that did not make them (the database holds digests) still masks them.
    assert masking.BY_SHAPE[0].fullmatch(tenant_password) and masking.BY_SHAPE[0].fullmatch(tenant_secret)
    issued = requests.post(f"{root}/travtus/oauth2/token", data={
        "client_id": travtus["id"], "client_secret": tenant_secret, "grant_type": "client_credentials"},
        timeout=30).json()["access_token"]
    # (this server has no admin token: ADMIN is no credential of it)
    plaintext = (*(known for known in KNOWN if known != ADMIN), "sandbox-pass-789", "trv_sandbox_group_a",
                 "trv_sandbox_expired", tenant_password,
                 tenant_secret, issued)
    company = leasey["credentials"]["company_id"]
    for secret in plaintext:  # in a path, a query under any name, a custom header, a JSON and a form body
        requests.get(f"{root}/leasey/reports/{secret}", params={"company_id": 123, "q": secret},
                     headers={"X-Copy": secret, "Authorization": f"Bearer {secret}"}, timeout=30)
        requests.post(f"{root}/leasey/properties", json={"company_id": 123, "password": secret, "note": secret},
                      headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        requests.post(f"{root}/travtus/oauth2/token", data={"client_id": CLIENT, "client_secret": secret,
                                                            "grant_type": "client_credentials"}, timeout=30)
        requests.get(f"{root}/travtus/leases/", headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    # Every credential still authenticates: the documented ones, the tenants', after a reset and a snapshot.
    requests.post(f"{root}/_sandbox/snapshots", json={"name": "at-rest"}, timeout=60).raise_for_status()
    requests.post(f"{root}/_sandbox/reset/leasey/companies/{company}", timeout=60).raise_for_status()
    requests.post(f"{root}/_sandbox/snapshots/at-rest/restore", timeout=60).raise_for_status()
    for company_id, password in ((123, PASSWORD), (company, tenant_password)):
        assert requests.get(f"{root}/leasey/reports/properties", params={"company_id": company_id}, headers={
            "Authorization": f"Bearer {TOKEN}", "X-Company-Password": password}, timeout=30).status_code == 200
    for client_id, secret in ((CLIENT, SECRET), (travtus["id"], tenant_secret)):
        assert requests.post(f"{root}/travtus/oauth2/token", data={
            "client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"},
            timeout=30).status_code == 200
    assert requests.get(f"{root}/travtus/leases/", params={"group_ids": "group-1"},
                        headers={"Authorization": "Bearer trv_sandbox_full"}, timeout=30).status_code == 200
    # Shown once: a listing or a read of the tenant has no password or client secret.
    listed = {tenant["id"]: tenant["credentials"] for tenant in requests.get(f"{root}/_sandbox/tenants",
                                                                             timeout=30).json()}
    assert listed[leasey["id"]] == {"api_token": TOKEN, "company_id": company}
    assert set(listed[travtus["id"]]) == {"client_id", "token_url", "group_ids"}

    assert requests.get(f"{root}/_sandbox/journal", timeout=30).json()["count"] > 0  # (the journal is flushed)
    with sqlite3.connect(served.db_path) as database:
        database.execute("PRAGMA wal_checkpoint(PASSIVE)")
    stored = b"".join(path.read_bytes() for path in served.db_path.parent.glob(served.db_path.name + "*"))
    assert [secret for secret in plaintext if secret.encode() in stored] == []
    assert_nowhere(served.log_path.read_text(), *plaintext)
