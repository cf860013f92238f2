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
from mock_server.fidelity.cassette import COMPANY_IDS, CREDENTIALS, load
from mock_server.fidelity.compare import apply_allow_list, load_allow_list
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
