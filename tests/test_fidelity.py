"""Fidelity as a number: a "stage" (a served sandbox behind the deviating proxy of contract_tests/support/deviant.py)
is recorded by `mock-server record` and replayed by `mock-server compare`. Through the faithful proxy nothing
differs; with each deviation the comparison names the operation, the exchange and what differs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests

from contract_tests.support.deviant import DEVIATIONS, DeviantProxy
from contract_tests.support.served import FIXED_NOW, ServedMock, free_port
from mock_server.fidelity import apis, report
from mock_server.fidelity.cassette import COMPANY_IDS, CREDENTIALS, Exchange, Message, Scrubber, fill, load
from mock_server.fidelity.compare import (
    Comparison,
    Difference,
    Result,
    apply_allow_list,
    load_allow_list,
    placeholder_names,
)
from mock_server.fidelity.record import Recorder, RecordingProxy
from mock_server.fidelity.replay import replay

ROOT = Path(__file__).resolve().parents[1]
# pytest for a selection of contract scenarios, without the plugins they do not use (a second of start-up each)
QUICK = ("-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:schemathesis", "-p", "no:anyio")
SANDBOX = apis.sandbox_credentials()  # the stage is a sandbox: its credentials are the recorder's
SECRETS = [SANDBOX[name] for name in ("LEASEY_API_TOKEN", "LEASEY_COMPANY_PASSWORD", "LEASEY_OTHER_COMPANY_PASSWORD",
                                      "TRAVTUS_CLIENT_SECRET", "TRAVTUS_TOKEN", "TRAVTUS_LIMITED_TOKEN")]
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{2,}\.eyJ")



def test_the_recorder_names_every_credential_as_the_contract_suite_does():
    """A partner records while the contract suite runs with its variables: each credential variable the suite
    takes is one the recorder turns into a placeholder, and the sandbox's own values are the suite's."""
    from contract_tests.support import credentials as suite

    credential_variables = {*suite.SECRET_VARIABLES, "LEASEY_COMPANY_ID", "LEASEY_OTHER_COMPANY_ID",
                            "TRAVTUS_CLIENT_ID"}
    assert credential_variables - set(CREDENTIALS) == set()
    assert {"LEASEY_COMPANY_ID", "LEASEY_OTHER_COMPANY_ID"} <= set(COMPANY_IDS)
    assert {name: SANDBOX[name] for name in credential_variables} == {
        name: suite.VARIABLES[name][1] for name in credential_variables}

# Scenarios of every kind the comparison maps: create -> update -> read (property_id, url_slug), issued tokens,
# cursor walks forward and back; with the checks of authentication and validation.
CONTRACT_SCENARIOS = {
    "leasey": ["contract_tests/test_leasey_auth.py", "contract_tests/test_leasey_writes.py"],
    "travtus": ["contract_tests/test_travtus_tokens.py", "contract_tests/test_travtus_pagination.py",
                "-k", "client_credentials or each_request or invalid_client or missing_field or cursor_walk_visits"
                      " or previous_cursor_goes_back or opaque or count_follows"],
}


# Reads whose rows, counts and windows depend on the data, and writes read back.
OTHER_DATA_SCENARIOS = ("window or inclusive or filter or documented_field or agree or property_leads_filter"
                        " or minimal_create or defaults_show or url_slug or only_the_fields")


class FaithfulProxy(DeviantProxy):
    """The deviating proxy with no deviation: proves the proxy itself changes nothing a comparison sees."""

    def __init__(self, upstream: str):
        super().__init__(upstream, next(iter(DEVIATIONS)))
        self.rewrite_request = self.rewrite_response = None


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    served = ServedMock(tmp_path_factory.mktemp("fidelity-stage"))
    snapshot = requests.post(f"{served.root}/_sandbox/snapshots", json={"name": "fixtures"}, timeout=30)
    assert snapshot.status_code == 201, snapshot.text
    yield served
    served.stop()


def reset(root: str) -> None:
    """The sandbox back to its fixtures (a snapshot restores in half the time of a reset)."""
    assert requests.post(f"{root}/_sandbox/snapshots/fixtures/restore", timeout=30).status_code == 200


@pytest.fixture(scope="module")
def proxy(stage):
    """One deviating proxy for every deviation (each test sets which): starting and stopping one costs 0.5 s."""
    proxy = FaithfulProxy(stage.root)
    yield proxy
    proxy.stop()


def test_contract_scenarios_recorded_through_the_faithful_proxy_replay_without_a_difference(stage, proxy, tmp_path):
    # Given the contract scenarios run against the stage through `mock-server record`
    reset(stage.root)
    cassette, port = tmp_path / "stage.yaml", free_port()
    recorder = subprocess.Popen([sys.executable, "-m", "mock_server.cli", "record", "--upstream", proxy.root,
                                 "--port", str(port), "--cassette", str(cassette)], cwd=ROOT,
                                env={**os.environ, **SANDBOX}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/_sandbox/health")
        runs = [subprocess.Popen([sys.executable, "-m", "pytest", *QUICK, *selection,
                                  "--base-url", f"http://127.0.0.1:{port}/{api}", "--api", api, "--sandbox-data",
                                  "--allow-writes", "--report-dir", str(tmp_path / api)], cwd=ROOT, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                for api, selection in CONTRACT_SCENARIOS.items()]  # side by side: each waits on the server mostly
        for run in runs:
            output = run.communicate(timeout=300)[0]
            assert run.returncode == 0, output[-3000:]
    finally:
        recorder.terminate()
        recorded = recorder.communicate(timeout=20)[0]
    assert "exchanges recorded" in recorded, recorded
    text = cassette.read_text()
    header, exchanges = load(cassette)
    # Then the cassette holds the scenarios' traffic, with no credential in it, only their placeholders
    assert len(exchanges) > 100 and {x.operation for x in exchanges} >= {"create_property", "update_property",
                                                                          "find_leases", "create_token"}
    assert not [secret for secret in SECRETS if secret in text] and not JWT.search(text)
    assert "${LEASEY_API_TOKEN}" in text and "${TRAVTUS_CLIENT_SECRET}" in text
    assert re.search(r"company_id: !number '?\$\{LEASEY_COMPANY_ID\}", text)  # a JSON number on replay

    # When `mock-server compare` replays it against a sandbox it starts on a fresh database
    compared = subprocess.run([sys.executable, "-m", "mock_server.cli", "compare", str(cassette), "--now", FIXED_NOW,
                               "--report-dir", str(tmp_path / "fidelity")], cwd=ROOT, capture_output=True, text=True,
                              timeout=300, env={k: v for k, v in os.environ.items() if k not in SANDBOX})
    # Then every exchange matches, and the reports say so
    assert compared.returncode == 0, compared.stdout[-4000:] + compared.stderr[-2000:]
    assert f"fidelity 100.0%: {len(exchanges)} of {len(exchanges)} exchanges match" in compared.stdout
    suite = ET.parse(tmp_path / "fidelity" / "fidelity-junit.xml").getroot()
    assert suite.get("tests") == str(len(exchanges)) and suite.get("failures") == "0"
    assert "**Fidelity 100.0%**" in (tmp_path / "fidelity" / "fidelity-report.md").read_text()
    assert "Fidelity 100.0%" in (tmp_path / "fidelity" / "fidelity-report.html").read_text()


def test_a_stage_with_data_of_its_own_replays_on_the_sandbox_without_a_difference(stage, tmp_path):
    # Given a stage whose data is not the sandbox's (a company provisioned as a tenant: its own properties, leads,
    # showings, buildings and credentials), and the contract suite's reads and writes run against it as a stage
    reset(stage.root)
    company = requests.post(f"{stage.root}/_sandbox/tenants/leasey", json={"properties": 12}, timeout=30).json()
    given = {"LEASEY_API_TOKEN": company["credentials"]["api_token"],
             "LEASEY_COMPANY_ID": str(company["credentials"]["company_id"]),
             "LEASEY_COMPANY_PASSWORD": company["credentials"]["password"]}
    cassette = tmp_path / "other-data.yaml"
    recording = RecordingProxy(Recorder({None: stage.root}, cassette, given)).start()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LEASEY_", "TRAVTUS_"))}
    try:
        run = subprocess.run([sys.executable, "-m", "pytest", *QUICK, "contract_tests/test_leasey_reports.py",
                              "contract_tests/test_leasey_writes.py", "-k", OTHER_DATA_SCENARIOS,
                              "--base-url", f"{recording.root}/leasey", "--api", "leasey", "--allow-writes",
                              "--report-dir", str(tmp_path / "leasey")],
                             cwd=ROOT, env={**environment, **given}, text=True, capture_output=True, timeout=300)
        assert run.returncode == 0, run.stdout[-3000:]
    finally:
        recording.stop()
    # When it is replayed with the sandbox's own company (other rows, other counts, other people)
    exchanges = load(cassette)[1]
    results = replay(exchanges, {None: stage.root}, SANDBOX)
    # Then nothing the data decides is reported: only what it does not would be
    assert [f"{r.exchange.label}: {d.text()}" for r in results for d in r.differences] == []
    assert len(results) > 15 and {r.exchange.operation for r in results} >= {
        "get_showings_report", "get_leads_report", "get_properties_report", "create_property", "update_property"}
    assert any(r.exchange.response.json != r.replayed.json for r in results if r.exchange.response.status == 200)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


# -- each deviation, named ----------------------------------------------------------------------------------------

def scripted_scenarios(root: str) -> None:
    """A partner's integration tests in small: reads, filters, errors, create -> update -> read, a cursor walk."""
    http = requests.Session()
    leasey, travtus = f"{root}/leasey", f"{root}/travtus"
    token, password, company = SANDBOX["LEASEY_API_TOKEN"], SANDBOX["LEASEY_COMPANY_PASSWORD"], SANDBOX["LEASEY_COMPANY_ID"]
    read = {"Authorization": f"Bearer {token}", "X-Company-Password": password}
    write = {"Authorization": f"Bearer {token}"}

    def report_of(kind, **params):
        return http.get(f"{leasey}/reports/{kind}", params={"company_id": company, **params}, headers=read)

    report_of("showings")
    report_of("showings", start_date="2020-01-01")
    report_of("showings", start_date="2026-05-01", end_date="2026-05-31")
    http.get(f"{leasey}/reports/showings", params={"company_id": company},
             headers={**read, "X-Company-Password": "wrong-password"})
    http.get(f"{leasey}/reports/showings", params={"company_id": "abc"})
    http.post(f"{leasey}/reports/showings", headers=read)
    http.options(f"{leasey}/reports/showings", headers={"Origin": "https://partner.example",
                                                        "Access-Control-Request-Method": "GET"})
    leads = http.get(f"{leasey}/properties/leads", params={"company_id": company, "password": password},
                     headers=write).json()
    http.get(f"{leasey}/properties/leads", headers=write,
             params={"company_id": company, "password": password, "property_id": leads[0]["Property_ID"]})
    http.get(f"{leasey}/properties/leads", params={"company_id": company, "password": password, "limit": "0"},
             headers={"Authorization": "Bearer " + "x" * len(token)})

    def create(prop, company_id=int(company), password=password):
        return http.post(f"{leasey}/properties", headers=write,
                         json={"company_id": company_id, "password": password, "property": prop})

    listing = {"name": "Fidelity Listing", "address": "1 Test St", "city": "Toronto", "province_state": "ON",
               "country": "Canada"}
    created = create({**listing, "features": [{"id": 1, "value": 1}], "suite_unit": "4"}).json()
    report_of("properties")
    http.put(f"{leasey}/properties/{created['property_id']}", headers=write,
             json={"company_id": int(company), "password": password, "property": {"rent_amount": "2200"}})
    create({"address": "1 Test St", "unit_type": "studio"})
    other = create(listing, int(SANDBOX["LEASEY_OTHER_COMPANY_ID"]), SANDBOX["LEASEY_OTHER_COMPANY_PASSWORD"]).json()
    http.put(f"{leasey}/properties/{other['property_id']}", headers=write,
             json={"company_id": int(company), "password": password, "property": {"rent_amount": "1"}})
    report_of("properties")

    issued = http.post(f"{travtus}/oauth2/token", data={"client_id": SANDBOX["TRAVTUS_CLIENT_ID"], "grant_type":
                                                        "client_credentials",
                                                        "client_secret": SANDBOX["TRAVTUS_CLIENT_SECRET"]}).json()
    bearer = {"Authorization": f"Bearer {issued['access_token']}"}
    http.get(f"{travtus}/leases/", params={"start_date": "2023-01-17"}, headers=bearer)
    cursor, pages = None, 0
    while pages < 3:
        page = http.get(f"{travtus}/leases/", headers=bearer, params={"group_ids": "group-1,group-2,group-3", "limit": 10,
                                                                      **({"after_id": cursor} if cursor else {})}).json()
        cursor, pages = page["pagination"]["next_cursor"], pages + 1
    http.get(f"{travtus}/leases/", params={"group_ids": "group-2"},
             headers={"Authorization": f"Bearer {SANDBOX['TRAVTUS_LIMITED_TOKEN']}"})
    http.get(f"{travtus}/leases/", params={"start_date": "2023-01-17"},
             headers={"Authorization": f"Bearer {SANDBOX['TRAVTUS_EXPIRED_TOKEN']}"})
    http.get(f"{travtus}/leases/", headers=bearer)
    http.get(f"{travtus}/leases/", params={"start_date": "2023-01-17"})


# deviation -> what the comparison must name: (operation, kind of difference, a part of where it is)
NAMED = {
    "renamed_field": ("get_properties_report", "fields", "/[]"),
    "wrong_type": ("get_showings_report", "type", "/[]/Bedrooms"),
    "undocumented_status": ("create_property", "status", "status"),
    "changed_message": ("get_showings_report", "error", "/message"),
    "ignored_date_filter": ("get_showings_report", "filter", "start_date=2020-01-01"),
    "cross_company_write": ("update_property", "status", "status"),
    "first_validation_detail_only": ("create_property", "error", "/details"),
    "put_replaces_unsent_fields": ("get_properties_report", "change", "(the row of "),
    "cursor_repeats_a_page": ("find_leases", "ids", "/pagination/next_cursor"),
    "group_scope_leak": ("find_leases", "status", "status"),
    "company_id_checked_before_token": ("get_showings_report", "status", "status"),
    "reworded_expired_token_message": ("find_leases", "error", "/error/message"),
    "limit_checked_before_token": ("list_property_leads", "status", "status"),
    "null_instead_of_empty_string": ("get_properties_report", "type", "/[]/Suite_Number"),
    "ignored_property_filter": ("list_property_leads", "filter", "property_id="),
    "allow_lists_undocumented_methods": ("get_showings_report (POST)", "header", "Allow"),
}


def record_and_compare(stage: ServedMock, proxy: DeviantProxy, deviation: str | None, cassette: Path):
    """The scripted scenarios recorded through the proxy with the deviation, then replayed against the stage's own
    sandbox, back to its fixtures."""
    proxy.rewrite_request, proxy.rewrite_response = DEVIATIONS[deviation] if deviation else (None, None)
    reset(stage.root)
    recording = RecordingProxy(Recorder({None: proxy.root}, cassette, SANDBOX)).start()
    try:
        scripted_scenarios(recording.root)
    finally:
        recording.stop()
        proxy.rewrite_request = proxy.rewrite_response = None
    reset(stage.root)
    return replay(load(cassette)[1], {None: stage.root}, SANDBOX)


def test_the_scripted_scenarios_through_the_faithful_proxy_differ_in_nothing(stage, proxy, tmp_path):
    results = record_and_compare(stage, proxy, None, tmp_path / "faithful.yaml")
    assert len(results) >= 25
    assert [d.text() for r in results for d in r.differences] == []
    assert report.summarise(results).score == 1.0
    # and compared as holding the same data (types, optional fields, every value of what it created): still none
    reset(stage.root)
    strictly = replay(load(tmp_path / "faithful.yaml")[1], {None: stage.root}, SANDBOX, same_data=True)
    assert [d.text() for r in strictly for d in r.differences] == []


@pytest.mark.parametrize("deviation", sorted(NAMED))
def test_compare_names_the_operation_the_exchange_and_what_differs(stage, proxy, tmp_path, deviation):
    results = record_and_compare(stage, proxy, deviation, tmp_path / "stage.yaml")
    operation, kind, where = NAMED[deviation]
    found = [(r, d) for r in results for d in r.differences
             if d.operation == operation and d.kind == kind and where in d.where]
    assert found, f"{deviation}: " + "; ".join(f"{d.operation} {d.text()}" for r in results for d in r.differences)
    result, difference = found[0]
    assert result.exchange.index == difference.index and result.exchange.operation == operation
    assert report.summarise(results).score < 1.0
    # the report names the exchange (its index, method and path) and the difference
    written = report.markdown(results, "stage.yaml", "the sandbox")
    assert f"### #{result.exchange.index} {operation} — `{result.exchange.request.method} " in written
    assert f"**{kind}** `{difference.where}`" in written


def test_an_allow_listed_difference_is_known_with_its_reason(stage, proxy, tmp_path):
    results = record_and_compare(stage, proxy, "changed_message", tmp_path / "stage.yaml")
    allowed = load_allow_list("- {operation: get_showings_report, kind: error, where: /message,\n"
                              "   reason: the stage words a wrong password differently (ticket 42)}\n")
    apply_allow_list(results, allowed)
    summary = report.summarise(results)
    assert summary.differing == 0 and summary.known == 1 and summary.score < 1.0
    assert "known: the stage words a wrong password differently (ticket 42)" in report.markdown(results, "c", "t")
    with pytest.raises(ValueError, match="every entry needs a reason"):
        load_allow_list("- {kind: error}\n")


def test_the_contract_suite_compares_each_scenario_request_with_a_second_target(stage, proxy, tmp_path):
    # Given the stage's sandbox as the target and the same sandbox behind a deviation as the second target
    reset(stage.root)
    proxy.rewrite_request, proxy.rewrite_response = DEVIATIONS["changed_message"]
    try:
        run = subprocess.run([sys.executable, "-m", "pytest", *QUICK,
                              "contract_tests/test_leasey_auth.py", "-k", "password", "--base-url",
                              f"{stage.root}/leasey", "--api", "leasey", "--sandbox-data", "--compare-with", proxy.root,
                              "--compare-credentials", "sandbox", "--report-dir", str(tmp_path)],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    finally:
        proxy.rewrite_request = proxy.rewrite_response = None
    # Then the scenarios pass, the run fails on the pair's difference, and the report names it
    assert run.returncode == 1 and " passed" in run.stdout and " failed" not in run.stdout, run.stdout[-3000:]
    assert ("test_incorrect_password_is_invalid_company_password: #" in run.stdout
            and "error /message: target Invalid company password, --compare-with Invalid password" in run.stdout)
    assert "Invalid password" in (tmp_path / "fidelity-report.md").read_text()


def test_credentials_become_placeholders_or_stand_ins_of_the_same_length_and_replay_as_they_were(stage, tmp_path):
    # Given one API recorded at the root (`record --api leasey`), with right, wrong and truncated credentials
    reset(stage.root)
    cassette = tmp_path / "leasey.yaml"
    recording = RecordingProxy(Recorder({None: f"{stage.root}/leasey"}, cassette, SANDBOX, api="leasey")).start()
    token, password = SANDBOX["LEASEY_API_TOKEN"], SANDBOX["LEASEY_COMPANY_PASSWORD"]
    try:
        for bearer, given in ((token, password), (token, "not-the-password"), (token[:32], password)):
            requests.get(f"{recording.root}/reports/properties", params={"company_id": SANDBOX["LEASEY_COMPANY_ID"]},
                         headers={"Authorization": f"Bearer {bearer}", "X-Company-Password": given}, timeout=30)
    finally:
        recording.stop()
    text = cassette.read_text()
    _, exchanges = load(cassette)
    sent = [(x.request.header("Authorization"), x.request.header("X-Company-Password")) for x in exchanges]
    # Then the given ones are named placeholders and the others stand-ins of their length, never the values
    assert sent[0] == ("Bearer ${LEASEY_API_TOKEN}", "${LEASEY_COMPANY_PASSWORD}")
    assert sent[1][0] == sent[0][0] and len(sent[1][1]) == len("not-the-password") and "not-the-password" not in text
    assert len(sent[2][0]) == len(f"Bearer {token[:32]}") and token[:32] not in text
    assert [x.response.status for x in exchanges] == [200, 401, 401]
    # and replayed against the API at its root they answer as they did: the wrong password, the length mismatch
    results = replay(exchanges, {"leasey": f"{stage.root}/leasey"}, SANDBOX)
    assert [d.text() for r in results for d in r.differences] == []
    assert "token_received_length: 32" in text


# -- every documented error, recorded and compared (issue 24) -----------------------------------------------------

# The README's workflow: the stage credentials the contract tests take, in the environment; the fixtures' other
# companies and tokens are variables of the partner's own, named with `record --credential NAME`.
README_VARIABLES = ("LEASEY_API_TOKEN", "LEASEY_COMPANY_ID", "LEASEY_COMPANY_PASSWORD", "TRAVTUS_CLIENT_ID",
                    "TRAVTUS_CLIENT_SECRET", "TRAVTUS_TOKEN")
OWN_VARIABLES = {"LEASEY_OTHER_COMPANY": SANDBOX["LEASEY_OTHER_COMPANY_ID"],
                 "LEASEY_OTHER_PASSWORD": SANDBOX["LEASEY_OTHER_COMPANY_PASSWORD"],
                 "LEASEY_NOADMIN_COMPANY": SANDBOX["LEASEY_NO_ADMIN_COMPANY_ID"],
                 "LEASEY_NOADMIN_PASSWORD": SANDBOX["LEASEY_NO_ADMIN_COMPANY_PASSWORD"],
                 "TRAVTUS_GROUP_A_TOKEN": SANDBOX["TRAVTUS_LIMITED_TOKEN"],
                 "TRAVTUS_OLD_TOKEN": SANDBOX["TRAVTUS_EXPIRED_TOKEN"]}
# Documented errors a recording of requests cannot hold: the stage's state (an injected fault, rate limits, off by
# default), or what a proxy does not pass on as sent (a request too slow, a request not well-formed HTTP/1.1).
# Two examples of openapi/leasey.yaml the sandbox words otherwise (`Property not found`, `Method POST is not allowed
# on …`): drawn by their status (404, 405) here.
WORDED_OTHERWISE = {("leasey", "Property not found or does not belong to your company"),
                    ("leasey", "The method is not allowed for the requested URL.")}
NOT_FROM_A_REQUEST = frozenset({"unexpected", "internal_error", "rate_limit_exceeded", "request_timeout",
                                "malformed_request", "bad_request"})


def documented_errors() -> set[tuple[str, str]]:
    """(api, message) of every error example in the specs (a Travtus one by its type or OAuth code; the refusals'
    examples are listed under each of their statuses)."""
    found = set()
    for api in ("leasey", "travtus"):
        spec = apis.spec(api)
        for operation in spec.operations:
            for status, response in operation.responses.items():
                content = (spec.deref(response).get("content") or {}).values() if int(status) >= 400 else ()
                for name, example in ((n, e) for media in content for n, e in (media.get("examples") or {}).items()):
                    if name not in NOT_FROM_A_REQUEST:
                        found.add((api, error_identity(spec.deref(example)["value"])))
    return found


def error_identity(body) -> str:
    """A Travtus error by its type (OAuth code), a Leasey one by its message, the numbers in it aside."""
    error = body.get("error") if isinstance(body, dict) else None
    return error["type"] if isinstance(error, dict) else re.sub("[0-9]+", "#", body.get("message") or error)


def every_documented_error(root: str) -> None:
    """Requests that draw each documented error of both APIs, with each company, client and token of the fixtures."""
    http = requests.Session()
    leasey, travtus = f"{root}/leasey", f"{root}/travtus"
    token = SANDBOX["LEASEY_API_TOKEN"]
    companies = [(SANDBOX[f"{who}_ID"], SANDBOX[f"{who}_PASSWORD"])
                 for who in ("LEASEY_COMPANY", "LEASEY_OTHER_COMPANY", "LEASEY_NO_ADMIN_COMPANY")]
    (company, password), (other, other_password), (no_admin, no_admin_password) = companies
    wrong_token = token[:-1] + ("0" if token[-1] != "0" else "1")
    for kind in ("showings", "leads", "properties"):
        url = f"{leasey}/reports/{kind}"
        for params, headers in (
                ({"company_id": company}, {}),  # token missing
                ({"company_id": company}, {"Authorization": f"Bearer {wrong_token}", "X-Company-Password": password}),
                ({"company_id": company}, {"Authorization": f"Bearer {token[:32]}", "X-Company-Password": password}),
                ({"company_id": company}, {"Authorization": f"Bearer {token}"}),  # password missing
                ({"company_id": other}, {"Authorization": f"Bearer {token}", "X-Company-Password": password}),
                ({"company_id": "999"}, {"Authorization": f"Bearer {token}", "X-Company-Password": password}),
                ({"company_id": "abc"}, {"Authorization": f"Bearer {token}", "X-Company-Password": password}),
                ({}, {"Authorization": f"Bearer {token}", "X-Company-Password": password}),
                ({"company_id": no_admin}, {"Authorization": f"Bearer {token}", "X-Company-Password": no_admin_password}),
                ({"company_id": company, "start_date": "yesterday"} if kind != "properties" else {"company_id": "-1"},
                 {"Authorization": f"Bearer {token}", "X-Company-Password": password})):
            http.get(url, params=params, headers=headers)
        http.post(url, headers={"Authorization": f"Bearer {token}", "X-Company-Password": password})
    read = {"Authorization": f"Bearer {token}", "X-Company-Password": other_password}
    http.get(f"{leasey}/reports/showings", params={"company_id": other, "filler": "x" * 5000}, headers=read)
    http.get(f"{leasey}/reports/showings", params={"company_id": other}, headers={**read, "X-Filler": "x" * 9000})
    http.get(f"{leasey}/properties/leads", params={"company_id": other, "password": other_password, "limit": "0"},
             headers={"Authorization": f"Bearer {token}"})
    http.get(f"{leasey}/properties/leads", params={"company_id": no_admin, "password": no_admin_password},
             headers={"Authorization": f"Bearer {token}"})
    write = {"Authorization": f"Bearer {token}"}
    listing = {"name": "Fidelity Listing", "address": "1 Test St", "city": "Toronto", "province_state": "ON",
               "country": "Canada"}
    for body in ({"company_id": int(company), "password": password, "property": {"address": "", "bedrooms": "two"}},
                 {"company_id": "abc", "password": password, "property": listing},
                 {"company_id": int(company), "property": listing},
                 {"company_id": int(other), "password": password, "property": listing},
                 {"company_id": int(no_admin), "password": no_admin_password, "property": listing},
                 {"company_id": 999, "password": password, "property": listing}):
        http.post(f"{leasey}/properties", json=body, headers=write)
    http.post(f"{leasey}/properties", data="{not json", headers={**write, "Content-Type": "application/json"})
    http.post(f"{leasey}/properties", json={"company_id": int(company), "password": password, "property": listing,
                                            "filler": "x" * 1_100_000}, headers=write)
    http.put(f"{leasey}/properties/00000000-0000-4000-8000-000000000000", headers=write,
             json={"company_id": int(company), "password": password, "property": {"rent_amount": "1"}})
    http.delete(f"{leasey}/properties/00000000-0000-4000-8000-000000000000", headers=write)
    http.get(f"{leasey}/no/such/path", headers=write)

    client_id, secret = SANDBOX["TRAVTUS_CLIENT_ID"], SANDBOX["TRAVTUS_CLIENT_SECRET"]
    for form in ({"grant_type": "client_credentials", "client_id": client_id},
                 {"grant_type": "password", "client_id": client_id, "client_secret": secret},
                 {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret + "x"}):
        http.post(f"{travtus}/oauth2/token", data=form)
    http.post(f"{travtus}/oauth2/token", data={"grant_type": "client_credentials"}, auth=(client_id, "wrong"))
    http.get(f"{travtus}/oauth2/token")
    bearer = {"Authorization": f"Bearer {SANDBOX['TRAVTUS_TOKEN']}"}
    for params, headers in (({"start_date": "2023-01-17"}, {}),
                            ({"start_date": "2023-01-17"}, {"Authorization": "Bearer not-a-token"}),
                            ({"start_date": "2023-01-17"}, {"Authorization": f"Bearer {SANDBOX['TRAVTUS_EXPIRED_TOKEN']}"}),
                            ({"group_ids": "group-2"}, {"Authorization": f"Bearer {SANDBOX['TRAVTUS_LIMITED_TOKEN']}"}),
                            ({}, bearer),
                            ({"group_ids": "group-1", "group_external_refs": "community-1"}, bearer),
                            ({"start_date": "17-01-2023"}, bearer),
                            ({"start_date": "2023-01-17", "limit": "0"}, bearer),
                            ({"start_date": "2023-01-17", "after_id": "not-a-cursor"}, bearer),
                            ({"start_date": "2099-01-01"}, bearer),
                            ({"start_date": "2023-01-17", "filler": "x" * 5000}, bearer)):
        http.get(f"{travtus}/leases/", params=params, headers=headers)
    http.get(f"{travtus}/leases", params={"start_date": "2023-01-17"}, headers={**bearer, "X-Filler": "x" * 9000})
    http.post(f"{travtus}/leases/", headers=bearer)
    http.post(f"{travtus}/leases/", json={"filler": "x" * 1_100_000}, headers=bearer)  # JSON: a cassette keeps it whole
    http.get(f"{travtus}/no/such/path", headers=bearer)


def test_every_documented_error_recorded_through_the_faithful_proxy_compares_with_no_difference(stage, proxy,
                                                                                                tmp_path):
    # Given every documented error of both APIs drawn through `mock-server record` in front of the faithful proxy,
    # each company, client and token of the fixtures named as a credential as the README says
    reset(stage.root)
    cassette, port = tmp_path / "errors.yaml", free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LEASEY_", "TRAVTUS_"))}
    named = {**{name: SANDBOX[name] for name in README_VARIABLES}, **OWN_VARIABLES}
    own = [option for name in OWN_VARIABLES for option in ("--credential", name)]
    recorder = subprocess.Popen([sys.executable, "-m", "mock_server.cli", "record", "--upstream", proxy.root,
                                 "--port", str(port), "--cassette", str(cassette), *own], cwd=ROOT,
                                env={**environment, **named}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/_sandbox/health")
        every_documented_error(f"http://127.0.0.1:{port}")
    finally:
        recorder.terminate()
        recorded = recorder.communicate(timeout=20)[0]
    assert "exchanges recorded" in recorded, recorded
    header, exchanges = load(cassette)
    assert set(header["placeholders"]) == set(named)
    text = cassette.read_text()
    assert not [value for value in named.values() if len(value) > 3 and value in text]
    assert "company ${LEASEY_NOADMIN_COMPANY}. Contact support." in text
    # and the recording holds each error the specs document, and only errors
    values = {**SANDBOX, **OWN_VARIABLES}
    drawn = {(x.api, error_identity(fill(x.response.json, values))) for x in exchanges}
    assert documented_errors() - drawn == WORDED_OTHERWISE
    assert {"Not Found", "Method Not Allowed"} <= {x.response.json["error"] for x in exchanges if x.api == "leasey"}
    assert all(x.response.status >= 400 for x in exchanges)

    # When `mock-server compare` replays it on a fresh sandbox (the partner's own variables in its environment)
    compared = subprocess.run([sys.executable, "-m", "mock_server.cli", "compare", str(cassette), "--now", FIXED_NOW,
                               "--report-dir", str(tmp_path / "fidelity")], cwd=ROOT, capture_output=True, text=True,
                              timeout=300, env={**environment, **OWN_VARIABLES})
    # Then every exchange matches: 100%, no difference
    assert compared.returncode == 0, compared.stdout[-4000:] + compared.stderr[-2000:]
    assert f"fidelity 100.0%: {len(exchanges)} of {len(exchanges)} exchanges match; 0 differ" in compared.stdout
    suite = ET.parse(tmp_path / "fidelity" / "fidelity-junit.xml").getroot()
    assert suite.get("tests") == str(len(exchanges)) and suite.get("failures") == "0"


def test_a_company_that_is_no_placeholder_names_itself_alike_on_both_sides():
    # Given the recording: the no-admin company's password named as a partner's own credential, its id not
    recorder_given = {"LEASEY_API_TOKEN": SANDBOX["LEASEY_API_TOKEN"], "LEASEY_COMPANY_ID": SANDBOX["LEASEY_COMPANY_ID"],
                      "LEASEY_NOADMIN_PASSWORD": SANDBOX["LEASEY_NO_ADMIN_COMPANY_PASSWORD"]}
    no_admin = SANDBOX["LEASEY_NO_ADMIN_COMPANY_ID"]
    answer = Message(status=400, headers={"Content-Type": "application/json"}, body={"json": {
        "error": "Bad Request", "message": f"No admin user found for company {no_admin}. Contact support."}})
    request = Message(method="GET", path="/reports/showings", query=[["company_id", no_admin]], headers={
        "Authorization": f"Bearer {SANDBOX['LEASEY_API_TOKEN']}",
        "X-Company-Password": recorder_given["LEASEY_NOADMIN_PASSWORD"]})
    scrub = Scrubber(recorder_given).message
    exchange = Exchange(1, "leasey", "get_showings_report", scrub(request), scrub(answer))
    # When the sandbox (every credential of its own known, the no-admin company's id among them) answers the same
    target = {**SANDBOX, "LEASEY_NOADMIN_PASSWORD": recorder_given["LEASEY_NOADMIN_PASSWORD"]}
    # Then its message is templated with the names the recording had, as the stage's was: no difference
    assert Comparison(target, placeholders=sorted(recorder_given)).compare(exchange, answer) == []
    # and so it is when the names are the ones the cassette holds (replay's default)
    assert Comparison(target, placeholders=placeholder_names([exchange])).compare(exchange, answer) == []


def test_a_difference_never_shows_two_equal_strings():
    # Given a property the stage created, and an error that names the stage's id where the sandbox's belongs
    comparison = Comparison(SANDBOX)
    created = Exchange(1, "leasey", "create_property", Message(method="POST", path="/properties"), Message(
        status=201, headers={"Content-Type": "application/json"},
        body={"json": {"success": True, "property_id": "stage-property-1"}}))
    comparison.compare(created, Message(status=201, headers={"Content-Type": "application/json"},
                                        body={"json": {"success": True, "property_id": "sandbox-property-1"}}))
    failed = Message(status=404, headers={"Content-Type": "application/json"},
                     body={"json": {"error": "Not Found", "message": "Property stage-property-1 not found"}})
    read = Exchange(2, "leasey", "update_property", Message(method="PUT", path="/properties/stage-property-1"), failed)
    # When the sandbox's answer reads the same as the stage's
    [difference] = comparison.compare(read, failed)
    # Then the difference shows what was compared: the stage's id as its name, the sandbox's message as it came
    assert difference.text() == ("error /message: stage Property {property_id} not found, "
                                 "sandbox Property stage-property-1 not found")
    written = report.markdown([Result(read, failed, [difference])], "c.yaml", "t")
    assert "stage `Property {property_id} not found`, sandbox `Property stage-property-1 not found`" in written
    assert "Property {property_id} not found" in report.html_page([Result(read, failed, [difference])], "c", "t")
    # and two long values that differ past the cut show where they differ
    long = Difference(3, "find_leases", "error", "/error/message", "a" * 400 + "b", "a" * 400 + "c")
    stage_side, sandbox_side = long.shown()
    assert stage_side != sandbox_side and stage_side.endswith("b") and sandbox_side.endswith("c")
    # and values that read alike but are not alike (a string and a number) show their types
    assert Difference(4, "op", "value", "/x", "1", 1).text() == "value /x: stage string 1, sandbox number 1"
