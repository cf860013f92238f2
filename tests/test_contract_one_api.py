"""`make contract` for one API alone, as a partner holding only that API's credentials runs it (README, Against a
stage): against a served sandbox under the API's prefix, and with the API alone at the root. The run collects and
passes, its schemathesis layer runs, and the sandbox's journal shows that the API not chosen was never contacted."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from contract_tests.support.credentials import VARIABLES
from contract_tests.support.served import ServedMock

ROOT = Path(__file__).resolve().parents[1]
# the API's own variables (a partner's); a few scenarios and the schemathesis layer on one operation; an optional
# variable left unset and a scenario that waits for it
ONLY = {
    "leasey": ({n: VARIABLES[n][1] for n in ("LEASEY_API_TOKEN", "LEASEY_COMPANY_ID", "LEASEY_COMPANY_PASSWORD")},
               "GET /reports/showings", "incorrect_password or unknown_company or operation_meets",
               ("LEASEY_OTHER_COMPANY_PASSWORD", "test_another_companys_password_does_not_open_a_company")),
    # Client credentials, not a token: the schemathesis layer must ask this API's own /oauth2/token for one.
    "travtus": ({n: VARIABLES[n][1] for n in ("TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET")},
                "GET /leases/", "unknown_bearer or no_matching_lease or operation_meets",
                ("TRAVTUS_EXPIRED_TOKEN", "test_expired_token_is_401_expired_token")),
}
OTHER_API_PATHS = {"leasey": ("/oauth2/token", "/leases"), "travtus": ("/reports", "/properties")}
RUNS = [(api, where) for api in ONLY for where in ("prefix", "root")]


def make_contract(api: str, where: str, work: Path) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """`make contract` with only `api`'s variables against a fresh sandbox: (the run, the sandbox's journal)."""
    (work / "mock").mkdir()
    mock = ServedMock(work / "mock", extra_args=() if where == "prefix" else ("--api", api))
    try:
        variables, operation, scenarios, (_, waiting) = ONLY[api]
        environment = {k: v for k, v in os.environ.items() if k not in VARIABLES and not k.startswith("MAKE")}
        base_url = f"{mock.root}/{api}" if where == "prefix" else mock.root
        selection = f"{scenarios} or {waiting}"
        arguments = f"-p no:cacheprovider --rps 0 --examples 1 --report-dir {work} -k '{selection}'"
        # -o: the venv is the one this test runs in; make must not reinstall it under the other runs (a stamp
        # older than setup.py made several runs reinstall the package at once, and one found no mock-server).
        result = subprocess.run(["make", "--no-print-directory", "-o", ".venv/.installed", "-o", ".venv/.installed-runtime",
                                 "contract", f"BASE_URL={base_url}", f"API={api}",
                                 f"PYTEST_ARGS={arguments} --operation '{operation}'"],
                                cwd=ROOT, capture_output=True, text=True, timeout=600, env={**environment, **variables})
        journal = requests.get(f"{mock.root}/_sandbox/journal", params={"limit": 1000}, timeout=10).json()["entries"]
        return result, journal
    finally:
        mock.stop()


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    """The four runs at once, each on a sandbox of its own: (api, where) -> (run, journal, report directory)."""
    def one(run):
        work = tmp_path_factory.mktemp("-".join(run))
        return run, (*make_contract(*run, work), work)

    with ThreadPoolExecutor(len(RUNS)) as pool:
        return dict(pool.map(one, RUNS))


@pytest.mark.parametrize("api, where", RUNS)
def test_make_contract_for_one_api_never_contacts_the_other(runs, api, where):
    result, journal, work = runs[(api, where)]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    outcomes = {case.get("name"): case.find("skipped") is None for case in ET.parse(work / "junit.xml").iter("testcase")}
    layer = [ran for name, ran in outcomes.items() if name.startswith(f"test_{api}_operation_meets_its_contract")]
    assert layer and all(layer), f"the schemathesis layer did not run: {outcomes}"
    other = "travtus" if api == "leasey" else "leasey"
    strays = [f"{e['method']} {e['path']}" for e in journal
              if e["api"] == other or e["path"].startswith(OTHER_API_PATHS[api])]
    assert journal and not strays, f"the {other} API was contacted: {strays[:5]}"


@pytest.mark.parametrize("api", ONLY)
def test_the_report_lists_what_a_missing_variable_left_unchecked(runs, api):
    _, _, work = runs[(api, "prefix")]
    name, waiting = ONLY[api][3]
    report = (work / "contract-report.md").read_text()
    section = report.split("## Left unchecked for want of a variable", 1)[1].split("\n## ", 1)[0]
    assert f"`{name}`" in section and waiting in section, section
