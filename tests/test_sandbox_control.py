"""The control API (/_sandbox) and multi-process serving, over real HTTP against `mock-server serve` (2 workers)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import yaml

from contract_tests.support.credentials import LEASEY_TOKEN
from contract_tests.support.served import ServedMock

COMPANY, PASSWORD = 123, "sandbox-pass-123"
OTHER_COMPANY, OTHER_PASSWORD = 456, "sandbox-pass-456"
CLIENT, SECRET = "sandbox-client", "sandbox-secret"
FAULT_STATUSES = (429, 500, 502, 503, 504)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    mock = ServedMock(tmp_path_factory.mktemp("control"), workers=2)
    yield mock
    mock.stop()


@pytest.fixture
def root(served):
    return served.root


@pytest.fixture(autouse=True)
def _clean(served):
    """Each test starts without fault rules; every control response it got must match openapi/sandbox.yaml."""
    start = len(served.log_path.read_text())
    yield
    response = requests.delete(f"{served.root}/_sandbox/faults", timeout=10)
    assert response.status_code == 204
    log = served.log_path.read_text()[start:]
    assert "spec violation" not in log and "Traceback" not in log, log[-3000:]


def leasey_headers(password=PASSWORD):
    return {"Authorization": f"Bearer {LEASEY_TOKEN}", "X-Company-Password": password}


def properties(root, company=COMPANY, password=PASSWORD, **headers):
    return requests.get(f"{root}/leasey/reports/properties", params={"company_id": company},
                        headers={**leasey_headers(password), **headers}, timeout=30)


def create_listing(root, company=COMPANY, password=PASSWORD, **fields):
    listing = {"name": f"Control Test {time.monotonic_ns()}", "address": "1 Test St", "city": "Toronto",
               "province_state": "ON", "country": "Canada", **fields}
    response = requests.post(f"{root}/leasey/properties", json={
        "company_id": company, "password": password, "property": listing},
        headers={"Authorization": f"Bearer {LEASEY_TOKEN}"}, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def token(root, client=CLIENT, secret=SECRET):
    response = requests.post(f"{root}/travtus/oauth2/token", data={
        "client_id": client, "client_secret": secret, "grant_type": "client_credentials"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def leases(root, bearer, **params):
    return requests.get(f"{root}/travtus/leases/", params=params or {"group_ids": "group-1", "limit": 5},
                        headers={"Authorization": f"Bearer {bearer}"}, timeout=30)


def control(method, root, path, **kwargs):
    return requests.request(method, f"{root}/_sandbox{path}", timeout=60, **kwargs)


# -- serving: shared state across workers, concurrent writes -----------------------------------------------

def worker_pids(served, marker: str) -> set[str]:
    return {line.split()[1] for line in served.log_path.read_text().splitlines() if marker in line}


def test_a_write_through_one_worker_is_read_through_every_other_at_once(served, root):
    created = create_listing(root)
    slug = created["url_slug"]
    marker = f"probe-{time.monotonic_ns()}"

    def read(_):  # a new connection each time, slowed down so both workers take some
        response = requests.get(f"{root}/leasey/reports/properties", params={"company_id": COMPANY, "probe": marker},
                                headers={**leasey_headers(), "X-Sandbox-Fault": "latency=150"}, timeout=30)
        assert response.status_code == 200
        return any(row["Property_URL_Slug"] == slug for row in response.json())

    seen = []
    for _ in range(10):  # rounds until both workers have served some (which one accepts is up to the kernel)
        with ThreadPoolExecutor(16) as pool:
            seen += pool.map(read, range(32))
        if len(worker_pids(served, marker)) == 2:
            break
    assert all(seen)
    assert len(worker_pids(served, marker)) == 2, "the reads were not served by both workers"


def test_concurrent_puts_to_one_property_are_all_applied_without_a_500(root):
    property_id = create_listing(root)["property_id"]
    changes = [{"rent_amount": 2345.0}, {"description": "Concurrent description"}, {"bedrooms": 3},
               {"bathrooms": 2.5}, {"size_sqft": 987}, {"parking_stalls": 2}, {"max_occupancy": 5},
               {"suite_unit": "77B"}, {"postal_code": "M5V 1A1"}, {"furnishing": 1}]

    def put(change):
        return requests.put(f"{root}/leasey/properties/{property_id}",
                            json={"company_id": COMPANY, "password": PASSWORD, "property": change},
                            headers={"Authorization": f"Bearer {LEASEY_TOKEN}"}, timeout=60)

    with ThreadPoolExecutor(len(changes)) as pool:
        statuses = [response.status_code for response in pool.map(put, changes)]
    assert statuses == [200] * len(changes)
    row = next(r for r in properties(root).json() if r["Suite_Number"] == "77B")
    assert (row["Rent_Amount"], row["Description"], row["Bedrooms"], row["Bathrooms"], row["Square_Footage"],
            row["Parking_Stalls"], row["Max_Occupancy"], row["Postal_Code"], row["Furnishing"]) == (
        2345.0, "Concurrent description", 3, 2.5, 987, 2, 5, "M5V 1A1", "Furnished")


def test_concurrent_creates_with_one_name_all_succeed_with_distinct_slugs(root):
    name = f"Same Name {time.monotonic_ns()}"

    def post(_):
        return requests.post(f"{root}/leasey/properties", json={"company_id": COMPANY, "password": PASSWORD, "property": {
            "name": name, "address": "1 Test St", "city": "Toronto", "province_state": "ON", "country": "Canada"}},
            headers={"Authorization": f"Bearer {LEASEY_TOKEN}"}, timeout=60)

    with ThreadPoolExecutor(12) as pool:
        responses = list(pool.map(post, range(12)))
    assert [r.status_code for r in responses] == [201] * 12, [r.text for r in responses if r.status_code != 201]
    assert len({r.json()["url_slug"] for r in responses}) == 12


# -- reset and snapshots ---------------------------------------------------------------------------------

def test_reset_of_one_company_leaves_another_untouched(root):
    before = len(properties(root).json())
    mine, theirs = create_listing(root), create_listing(root, OTHER_COMPANY, OTHER_PASSWORD)
    others_before = properties(root, OTHER_COMPANY, OTHER_PASSWORD).json()

    response = control("POST", root, f"/reset/leasey/companies/{COMPANY}")
    assert response.status_code == 200 and response.json()["reset"] == f"leasey company {COMPANY}"

    slugs = {row["Property_URL_Slug"] for row in properties(root).json()}
    assert mine["url_slug"] not in slugs and len(slugs) <= before
    assert properties(root, OTHER_COMPANY, OTHER_PASSWORD).json() == others_before
    assert theirs["url_slug"] in {row["Property_URL_Slug"] for row in others_before}


def test_reset_of_the_travtus_client_revokes_its_tokens_and_unknown_ids_are_404(root):
    bearer = token(root)
    assert leases(root, bearer).status_code == 200
    assert control("POST", root, f"/reset/travtus/clients/{CLIENT}").status_code == 200
    assert leases(root, bearer).json()["error"]["type"] == "invalid_authorization"
    assert leases(root, "trv_sandbox_full").status_code == 200
    assert control("POST", root, "/reset/travtus/clients/nobody").json()["error"] == "not_found"
    assert control("POST", root, "/reset/leasey/companies/999999").status_code == 404


def test_snapshot_and_restore_round_trip_the_whole_state(root):
    reports = ("properties", "leads", "showings")
    before = {kind: requests.get(f"{root}/leasey/reports/{kind}", params={"company_id": COMPANY},
                                 headers=leasey_headers(), timeout=30).json() for kind in reports}
    leases_before = leases(root, "trv_sandbox_full", limit=100).json()
    saved = control("POST", root, "/snapshots", json={"name": "round-trip"})
    assert saved.status_code == 201 and saved.json()["rows"] > 1000

    create_listing(root)
    tenant = control("POST", root, "/tenants/leasey", json={"properties": 3, "leads": 5, "showings": 2}).json()
    assert len(properties(root).json()) == len(before["properties"]) + 1

    restored = control("POST", root, "/snapshots/round-trip/restore")
    assert restored.status_code == 200 and restored.json()["rows"] == saved.json()["rows"]
    after = {kind: requests.get(f"{root}/leasey/reports/{kind}", params={"company_id": COMPANY},
                                headers=leasey_headers(), timeout=30).json() for kind in reports}
    assert after == before
    assert leases(root, "trv_sandbox_full", limit=100).json() == leases_before
    assert tenant["id"] not in {t["id"] for t in control("GET", root, "/tenants").json()}
    assert "round-trip" in {s["name"] for s in control("GET", root, "/snapshots").json()}
    assert control("DELETE", root, "/snapshots/round-trip").status_code == 204
    assert control("POST", root, "/snapshots/round-trip/restore").status_code == 404
    assert control("POST", root, "/snapshots", json={"name": "../etc"}).json()["error"] == "invalid_request"


# -- journal -----------------------------------------------------------------------------------------------

def test_the_journal_records_requests_and_masks_every_secret_in_it_and_in_the_log(served, root):
    assert control("DELETE", root, "/journal").status_code == 204
    requests.get(f"{root}/leasey/properties/leads", params={
        "company_id": COMPANY, "password": PASSWORD, "token": LEASEY_TOKEN, "limit": 2}, timeout=30)
    properties(root)
    create_listing(root)
    bearer = token(root)
    leases(root, bearer)
    requests.post(f"{root}/travtus/oauth2/token", auth=(CLIENT, SECRET), data={"grant_type": "client_credentials"},
                  timeout=30)
    secrets = [PASSWORD, LEASEY_TOKEN, SECRET, bearer]

    journal = control("GET", root, "/journal", params={"limit": 50})
    assert journal.status_code == 200
    text = journal.text + served.log_path.read_text()
    assert [secret for secret in secrets if secret in text] == []
    entries = journal.json()["entries"]
    assert [e["path"] for e in entries] == ["/travtus/oauth2/token", "/travtus/leases/", "/travtus/oauth2/token",
                                            "/leasey/properties", "/leasey/reports/properties",
                                            "/leasey/properties/leads"]
    by_path = {e["path"]: e for e in reversed(entries)}
    assert by_path["/leasey/properties/leads"]["query"]["password"] == "***"
    assert by_path["/leasey/reports/properties"]["request_headers"]["Authorization"] == "Bearer ***"
    assert by_path["/leasey/reports/properties"]["request_headers"]["X-Company-Password"] == "***"
    assert by_path["/leasey/properties"]["request_body"]["password"] == "***"
    assert by_path["/leasey/properties"]["company_id"] == COMPANY and by_path["/leasey/properties"]["status"] == 201
    assert by_path["/travtus/leases/"]["client_id"] == CLIENT
    first_token = entries[2]
    assert first_token["request_body"]["client_secret"] == "***"
    assert first_token["response_body"]["access_token"] == "***"
    assert all(e["latency_ms"] >= 0 and e["at"].endswith("Z") for e in entries)


def test_the_journal_filters_by_path_status_company_and_client_and_clears(root):
    control("DELETE", root, "/journal")
    properties(root)
    properties(root, OTHER_COMPANY, OTHER_PASSWORD)
    properties(root, password="wrong")
    leases(root, token(root))

    def paths(**params):
        return [(e["path"], e["status"]) for e in control("GET", root, "/journal", params=params).json()["entries"]]

    assert paths(path="/leasey/reports/*", status=401) == [("/leasey/reports/properties", 401)]
    assert paths(company_id=OTHER_COMPANY) == [("/leasey/reports/properties", 200)]
    assert paths(client_id=CLIENT) == [("/travtus/leases/", 200), ("/travtus/oauth2/token", 200)]
    assert paths(api="travtus", method="POST") == [("/travtus/oauth2/token", 200)]
    assert len(paths(limit=2)) == 2
    assert control("GET", root, "/journal", params={"status": "abc"}).json()["error"] == "invalid_request"
    assert control("DELETE", root, "/journal").status_code == 204
    assert control("GET", root, "/journal").json()["entries"] == []


def test_the_journal_keeps_only_its_capacity(tmp_path):
    mock = ServedMock(tmp_path, workers=1, extra_args=("--journal-size", "5"))
    try:
        for _ in range(8):
            properties(mock.root)
        journal = control("GET", mock.root, "/journal").json()
        assert journal["capacity"] == 5 and journal["count"] == 5
        ids = [e["id"] for e in journal["entries"]]
        assert ids == sorted(ids, reverse=True) and ids[0] == 8
    finally:
        mock.stop()


# -- faults ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", FAULT_STATUSES)
def test_a_fault_rule_answers_its_status_with_each_apis_own_error_body(root, status):
    rule = control("POST", root, "/faults", json={"action": {"status": status}})
    assert rule.status_code == 201
    leasey = properties(root)
    assert leasey.status_code == status and leasey.headers["X-Sandbox-Fault"] == str(rule.json()["id"])
    assert set(leasey.json()) == {"error", "message"} and leasey.json()["error"].lower() == leasey.reason.lower()
    lease = leases(root, "trv_sandbox_full")
    assert lease.status_code == status and set(lease.json()["error"]) == {"type", "message"}
    oauth = requests.post(f"{root}/travtus/oauth2/token", data={"client_id": CLIENT}, timeout=30)
    assert oauth.status_code == status and set(oauth.json()) == {"error", "error_description"}
    assert ("Retry-After" in leasey.headers) == (status in (429, 503))
    assert control("GET", root, f"/faults/{rule.json()['id']}").json()["fired"] == 3


def test_the_leasey_500_is_the_documented_one(root):
    control("POST", root, "/faults", json={"match": {"api": "leasey"}, "action": {"status": 500}})
    response = properties(root)
    assert response.status_code == 500
    assert response.json() == {"error": "Internal Server Error", "message": "Internal server error"}


def test_a_fault_for_the_next_n_requests_then_normal_service(root):
    rule = control("POST", root, "/faults", json={
        "match": {"api": "leasey", "path": "/leasey/reports/*", "method": "GET"}, "action": {"status": 503},
        "times": 2}).json()
    assert [properties(root).status_code for _ in range(4)] == [503, 503, 200, 200]
    assert control("GET", root, f"/faults/{rule['id']}").json() | {"created_at": None} == {
        **rule, "remaining": 0, "fired": 2, "created_at": None}


def test_a_fault_matches_only_its_company_or_client(root):
    control("POST", root, "/faults", json={"match": {"company_id": OTHER_COMPANY}, "action": {"status": 502}})
    control("POST", root, "/faults", json={"match": {"client_id": CLIENT}, "action": {"status": 504}})
    assert properties(root).status_code == 200
    assert properties(root, OTHER_COMPANY, OTHER_PASSWORD).status_code == 502
    assert leases(root, "trv_sandbox_full").status_code == 200  # a static token belongs to no client
    tenant = control("POST", root, "/tenants/travtus", json={"units_per_group": 2}).json()["credentials"]
    assert leases(root, token(root, tenant["client_id"], tenant["client_secret"]),
                  group_ids=tenant["group_ids"][0]).status_code == 200
    response = requests.post(f"{root}/travtus/oauth2/token", data={
        "client_id": CLIENT, "client_secret": SECRET, "grant_type": "client_credentials"}, timeout=30)
    assert response.status_code == 504


def test_probability_decides_how_often_a_rule_fires(root):
    never = control("POST", root, "/faults", json={"action": {"status": 500}, "probability": 0}).json()
    assert {properties(root).status_code for _ in range(10)} == {200}
    control("DELETE", root, f"/faults/{never['id']}")
    half = control("POST", root, "/faults", json={"action": {"status": 500}, "probability": 0.5}).json()
    statuses = [properties(root).status_code for _ in range(60)]
    assert 10 <= statuses.count(500) <= 50, statuses  # P(outside) < 1e-6
    assert control("GET", root, f"/faults/{half['id']}").json()["fired"] == statuses.count(500)


def test_latency_delays_the_answer_and_drop_closes_the_connection(root):
    control("POST", root, "/faults", json={"match": {"path": "/travtus/leases/"}, "action": {"latency_ms": 400}})
    started = time.monotonic()
    assert leases(root, "trv_sandbox_full").status_code == 200
    assert time.monotonic() - started >= 0.4
    control("DELETE", root, "/faults")
    control("POST", root, "/faults", json={"match": {"api": "leasey"}, "action": {"drop": True}})
    with pytest.raises(requests.ConnectionError):
        properties(root)
    # The client saw the connection end before the server finished with the request: wait for its entry.
    deadline = time.monotonic() + 10
    while not (entries := control("GET", root, "/journal", params={"status": 0}).json()["entries"]):
        assert time.monotonic() < deadline, "the dropped request was not journaled"
        time.sleep(0.1)
    assert entries[0]["path"] == "/leasey/reports/properties" and entries[0]["fault"] is not None


def test_a_faulted_write_changes_nothing(root):
    count = len(properties(root).json())
    control("POST", root, "/faults", json={"match": {"method": "POST", "api": "leasey"}, "action": {"status": 503}})
    response = requests.post(f"{root}/leasey/properties", json={"company_id": COMPANY, "password": PASSWORD, "property": {
        "name": "Never", "address": "1 St", "city": "Toronto", "province_state": "ON", "country": "Canada"}},
        headers={"Authorization": f"Bearer {LEASEY_TOKEN}"}, timeout=30)
    assert response.status_code == 503
    control("DELETE", root, "/faults")
    assert len(properties(root).json()) == count


def test_the_fault_header_for_quick_tries(root):
    response = properties(root, **{"X-Sandbox-Fault": "status=503;latency=100"})
    assert response.status_code == 503 and response.headers["X-Sandbox-Fault"] == "header"
    assert leases(root, "trv_sandbox_full").status_code == 200  # only that request
    with pytest.raises(requests.ConnectionError):
        properties(root, **{"X-Sandbox-Fault": "drop"})
    bad = properties(root, **{"X-Sandbox-Fault": "status=418"})
    assert bad.status_code == 400 and "X-Sandbox-Fault" in bad.json()["message"]


def test_fault_rules_are_validated_by_the_spec(root):
    for body in ({"action": {}}, {"action": {"status": 404}}, {"action": {"status": 503, "drop": True}},
                 {"action": {"status": 503}, "probability": 2}, {"action": {"status": 503}, "times": 0},
                 {"match": {"verb": "GET"}, "action": {"status": 503}}):
        response = control("POST", root, "/faults", json=body)
        assert response.status_code == 400 and response.json()["error"] == "invalid_request", body
    assert control("GET", root, "/faults").json() == []
    assert control("GET", root, "/faults/99999").status_code == 404


# -- clock -----------------------------------------------------------------------------------------------------

def test_moving_the_clock_expires_a_token_and_moves_days_listed(root):
    original = control("GET", root, "/clock").json()
    bearer = token(root)
    listed = {r["Property_ID"]: r["Days_Listed"] for r in properties(root).json()}
    try:
        moved = control("POST", root, "/clock/advance", json={"seconds": 3601})
        assert moved.status_code == 200
        assert leases(root, bearer).json()["error"]["type"] == "expired_token"
        control("POST", root, "/clock/advance", json={"days": 10})
        later = {r["Property_ID"]: r["Days_Listed"] for r in properties(root).json()}
        assert any(later[pid] == days + 10 for pid, days in listed.items() if days is not None)
        frozen = control("PUT", root, "/clock", json={"now": "2030-01-02T03:04:05", "frozen": True}).json()
        assert frozen == {"now": "2030-01-02T03:04:05", "frozen": True, "offset_seconds": 0}
        time.sleep(1.1)
        assert control("GET", root, "/clock").json()["now"] == "2030-01-02T03:04:05"
        real = control("DELETE", root, "/clock").json()
        assert real["offset_seconds"] == 0 and not real["frozen"]
    finally:
        control("PUT", root, "/clock", json={"now": original["now"], "frozen": False})


# -- tenants ----------------------------------------------------------------------------------------------------

def test_two_leasey_tenants_are_isolated_from_each_other_and_the_fixtures(root):
    one = control("POST", root, "/tenants/leasey", json={"properties": 5, "leads": 20, "showings": 10, "seed": 7})
    two = control("POST", root, "/tenants/leasey", json={"properties": 5, "leads": 20, "showings": 10, "seed": 7})
    assert one.status_code == two.status_code == 201
    a, b = one.json()["credentials"], two.json()["credentials"]
    assert a["company_id"] != b["company_id"] and a["password"] != b["password"]
    assert a["api_token"] == LEASEY_TOKEN
    a_rows = properties(root, a["company_id"], a["password"]).json()
    assert len(a_rows) == 5 and len(properties(root, b["company_id"], b["password"]).json()) == 5
    assert properties(root, b["company_id"], a["password"]).status_code == 401
    created = create_listing(root, a["company_id"], a["password"])
    assert created["url_slug"] in {r["Property_URL_Slug"] for r in properties(root, a["company_id"], a["password"]).json()}
    assert created["url_slug"] not in {r["Property_URL_Slug"] for r in
                                       properties(root, b["company_id"], b["password"]).json()}
    foreign = requests.put(f"{root}/leasey/properties/{created['property_id']}", json={
        "company_id": b["company_id"], "password": b["password"], "property": {"rent_amount": 1.0}},
        headers={"Authorization": f"Bearer {LEASEY_TOKEN}"}, timeout=30)
    assert foreign.status_code == 404
    assert control("POST", root, f"/reset/leasey/companies/{a['company_id']}").status_code == 200
    assert properties(root, a["company_id"], a["password"]).json() == a_rows
    assert control("DELETE", root, f"/tenants/{one.json()['id']}").status_code == 204
    assert properties(root, a["company_id"], a["password"]).status_code == 401
    assert control("GET", root, f"/tenants/{one.json()['id']}").status_code == 404


def test_two_travtus_tenants_see_only_their_own_groups(root):
    a = control("POST", root, "/tenants/travtus", json={"units_per_group": 4}).json()["credentials"]
    b = control("POST", root, "/tenants/travtus", json={"units_per_group": 4}).json()["credentials"]
    token_a, token_b = token(root, a["client_id"], a["client_secret"]), token(root, b["client_id"], b["client_secret"])
    own = leases(root, token_a, group_ids=a["group_ids"][0], limit=100)
    assert own.status_code == 200 and own.json()["data"]
    assert all(lease["unit_id"].startswith(a["client_id"] + "-") for lease in own.json()["data"])
    assert leases(root, token_a, group_ids=b["group_ids"][0]).status_code == 404
    assert leases(root, token_b, group_ids="group-1").status_code == 404
    mine = leases(root, token_b, group_ids=",".join(b["group_ids"]), limit=100).json()["data"]
    assert mine and all(lease["unit_id"].startswith(b["client_id"] + "-") for lease in mine)
    assert leases(root, "trv_sandbox_full", group_ids=a["group_ids"][0]).status_code == 404


def test_idle_tenants_expire(tmp_path):
    mock = ServedMock(tmp_path, workers=1, extra_args=("--tenant-idle", "2"))
    try:
        tenant = control("POST", mock.root, "/tenants/travtus", json={"units_per_group": 1}).json()
        credentials = tenant["credentials"]
        assert tenant["expires_after_idle_seconds"] == 2
        token(mock.root, credentials["client_id"], credentials["client_secret"])
        time.sleep(3)
        assert control("GET", mock.root, "/tenants").json() == []
        response = requests.post(f"{mock.root}/travtus/oauth2/token", data={
            "client_id": credentials["client_id"], "client_secret": credentials["client_secret"],
            "grant_type": "client_credentials"}, timeout=30)
        assert response.status_code == 401
    finally:
        mock.stop()


# -- billing items ----------------------------------------------------------------------------------------------

def test_billing_items_are_read_only_and_filtered(root):
    items = control("GET", root, "/billing-items", params={"company_id": COMPANY})
    assert items.status_code == 200 and all(item["company_id"] == COMPANY for item in items.json())
    assert control("POST", root, "/billing-items", json={}).status_code == 405
    assert control("DELETE", root, "/billing-items").headers["Allow"] == "GET"


# -- the admin token ------------------------------------------------------------------------------------------

def test_the_admin_token_guards_the_control_api_but_not_the_partner_apis(tmp_path):
    mock = ServedMock(tmp_path, workers=1, extra_args=("--admin-token", "s3cret-admin"))
    try:
        assert control("GET", mock.root, "/clock").status_code == 401
        wrong = control("GET", mock.root, "/clock", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized"
        assert control("GET", mock.root, "/clock", headers={"Authorization": "Bearer s3cret-admin"}).status_code == 200
        assert control("GET", mock.root, "/health").status_code == 200
        assert properties(mock.root).status_code == 200
        assert "s3cret-admin" not in mock.log_path.read_text()
    finally:
        mock.stop()


def test_the_server_refuses_a_non_loopback_address_without_an_admin_token(tmp_path):
    refused = subprocess.run([sys.executable, "-m", "mock_server.cli", "serve", "--host", "0.0.0.0", "--port", "0",
                              "--db", f"sqlite:///{tmp_path / 'x.db'}"], capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "admin token" in refused.stderr


# -- graceful shutdown --------------------------------------------------------------------------------------------

def test_graceful_shutdown_loses_no_acknowledged_write(tmp_path):
    mock = ServedMock(tmp_path, workers=2)
    outcome = {}

    def slow_write():
        outcome["response"] = requests.post(f"{mock.root}/leasey/properties", json={
            "company_id": COMPANY, "password": PASSWORD, "property": {
                "name": "Written during shutdown", "address": "9 Last St", "city": "Toronto",
                "province_state": "ON", "country": "Canada"}},
            headers={"Authorization": f"Bearer {LEASEY_TOKEN}", "X-Sandbox-Fault": "latency=1500"}, timeout=30)

    writer = threading.Thread(target=slow_write)
    writer.start()
    time.sleep(0.5)
    mock.stop()  # SIGTERM while the write is in flight
    writer.join()
    assert outcome["response"].status_code == 201
    slug = outcome["response"].json()["url_slug"]
    again = ServedMock(tmp_path, workers=1, database_url=mock.database_url)  # the same database again
    try:
        assert slug in {row["Property_URL_Slug"] for row in properties(again.root).json()}
    finally:
        again.stop()


# -- development mode -------------------------------------------------------------------------------------------

def test_development_mode_reloads_when_a_spec_changes(tmp_path):
    import os
    import shutil

    from contract_tests.support.served import free_port

    specs = tmp_path / "openapi"
    shutil.copytree(Path(__file__).resolve().parent.parent / "openapi", specs)
    port = free_port()
    log = open(tmp_path / "dev.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server.cli", "serve", "--reload", "--port", str(port),
         "--db", f"sqlite:///{tmp_path / 'dev.db'}"], stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "SANDBOX_SPEC_DIR": str(specs)}, start_new_session=True)
    root = f"http://127.0.0.1:{port}"

    def title() -> str | None:
        try:
            index = requests.get(root + "/", headers={"Accept": "application/json"}, timeout=5).json()
        except requests.ConnectionError:
            return None
        return next(api["title"] for api in index["apis"] if api["name"] == "leasey")

    def wait_for(expected: str) -> bool:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if title() == expected:
                return True
            time.sleep(0.3)
        return False

    try:
        original = yaml.safe_load((specs / "leasey.yaml").read_text())["info"]["title"]
        assert wait_for(original), (tmp_path / "dev.log").read_text()
        text = (specs / "leasey.yaml").read_text()
        (specs / "leasey.yaml").write_text(text.replace(f"title: {original}", "title: Edited while serving", 1))
        assert wait_for("Edited while serving"), (tmp_path / "dev.log").read_text()
        assert properties(root).status_code == 200
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
        log.close()
