"""A contract suite that passes everything proves nothing: point it at deliberately deviating targets (a proxy in
front of a served mock that breaks one documented behaviour) and require a reported failure, in both modes:

- as against a stage: the stage's credentials in the environment the way a partner sets them (README, Against a
  stage), no --sandbox-data, no --allow-writes; only invariants, refused writes and optional credentials;
- as against the sandbox: --sandbox-data --allow-writes.

Every deviation of contract_tests/support/deviant.py has a case. The runs are subprocesses started together
(RUNNERS at a time, each on a served mock of its own) by one module fixture; each case then reads its result."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from contract_tests.support.credentials import VARIABLES
from contract_tests.support.deviant import DEVIATIONS, DeviantProxy
from contract_tests.support.served import ServedMock

ROOT = Path(__file__).resolve().parents[1]
SCHEMATHESIS = "contract_tests/test_schemathesis.py"
RUNNERS = 3
LEASEY_AUTH, LEASEY_REPORTS, LEASEY_WRITES = (f"contract_tests/test_leasey_{m}.py" for m in ("auth", "reports", "writes"))
TRAVTUS_AUTH, TRAVTUS_LEASES, TRAVTUS_PAGINATION, TRAVTUS_INVARIANTS = (
    f"contract_tests/test_travtus_{m}.py" for m in ("auth", "leases", "pagination", "invariants"))

# The stage's credentials, set as a partner sets them: the sandbox's own values behind the proxy. TRAVTUS_SEARCH
# is left unset, as a partner would first run it: the invariants then use the document's example search.
STAGE_ENVIRONMENT = {name: value for name, (_, value) in VARIABLES.items() if name != "TRAVTUS_SEARCH"}
MODES = {"stage": [], "sandbox": ["--sandbox-data", "--allow-writes"]}
BLIND = object()  # a mode that cannot see the deviation (why: in the comment beside it)

# deviation -> (api, contract tests to run, {mode: a test that must be among the failures, or BLIND})
CASES = {
    "renamed_field": ("leasey", [LEASEY_REPORTS, "-k", "every_documented_field"],
                      "test_report_rows_carry_every_documented_field"),
    "wrong_type": ("leasey", [LEASEY_REPORTS, "-k", "showings_filter_on_showing_start"],
                   "test_showings_filter_on_showing_start"),
    # Only a successful create answers 201: a target that may not be written to cannot show a wrong 2xx.
    "undocumented_status": ("leasey", [LEASEY_WRITES, "-k", "minimal_create"],
                            {"stage": BLIND, "sandbox": "test_minimal_create_answers_exactly_the_always_present_fields"}),
    "changed_message": ("leasey", [LEASEY_AUTH, "-k", "incorrect_password"],
                        "test_incorrect_password_is_invalid_company_password"),
    "ignored_date_filter": ("leasey", [LEASEY_REPORTS, "-k", "inclusive or filter_on"],
                            "test_showings_start_and_end_are_inclusive"),
    "cross_company_write": ("leasey", [LEASEY_WRITES, "-k", "another_company"],
                            {"stage": "test_my_password_does_not_write_for_another_company",
                             "sandbox": "test_update_of_another_companys_property_is_the_same_404"}),
    "first_validation_detail_only": ("leasey", [LEASEY_WRITES, "-k", "collected"],
                                     "test_all_failing_fields_are_collected_in_one_response"),
    # Unsent fields are lost only on an accepted update: it needs a listing of one's own to change.
    "put_replaces_unsent_fields": ("leasey", [LEASEY_WRITES, "-k", "only_the_fields_sent"],
                                   {"stage": BLIND, "sandbox": "test_only_the_fields_sent_change"}),
    "cursor_repeats_a_page": ("travtus", [TRAVTUS_INVARIANTS, TRAVTUS_PAGINATION, "-k", "walk"],
                              {"stage": "test_the_cursor_walk_ends_exactly_at_count", "sandbox": "walk"}),
    "group_scope_leak": ("travtus", [TRAVTUS_LEASES, TRAVTUS_AUTH, "-k", "group or scope"],
                         {"stage": "test_a_limited_token_does_not_read_a_group_outside_its_scope", "sandbox": "group"}),
    "company_id_checked_before_token": ("leasey", [LEASEY_AUTH, "-k", "checked_before"],
                                        "test_token_is_checked_before_company_id"),
    "validation_answered_400": ("leasey", [LEASEY_WRITES, "-k", "enum_values_outside"],
                                "test_enum_values_outside_the_list_are_422_with_the_full_list"),
    "foreign_put_answered_200": ("leasey", [LEASEY_WRITES, "-k", "unknown_property"],
                                 "test_update_of_an_unknown_property_is_404"),
    "next_cursor_always_null": ("travtus", [TRAVTUS_INVARIANTS, "-k", "short_of_count"],
                                "test_a_page_short_of_count_carries_next_cursor"),
    "reworded_expired_token_message": ("travtus", [TRAVTUS_AUTH, "-k", "expired_token_is_401"],
                                       "test_expired_token_is_401_expired_token"),
    "offset_ignored": ("travtus", [TRAVTUS_INVARIANTS, "-k", "offset_and_limit"],
                       "test_offset_and_limit_agree_with_the_cursor_walk"),
    "count_is_the_page_size": ("travtus", [TRAVTUS_INVARIANTS, "-k", "ends_exactly"],
                               "test_the_cursor_walk_ends_exactly_at_count"),
    "confirmed_counts_every_showing": ("leasey", [LEASEY_REPORTS, "-k", "counts_agree"],
                                       "test_property_counts_agree_with_the_other_reports"),
    "token_length_debug_dropped": ("leasey", [LEASEY_AUTH, "-k", "length_mismatch"],
                                   "test_token_length_mismatch_reports_both_lengths"),
    "cors_origin_dropped": ("leasey", [LEASEY_REPORTS, "-k", "every_origin"], "test_every_origin_is_allowed"),
    "missing_authorization_answered_401": ("travtus", [TRAVTUS_AUTH, "-k", "missing_authorization_header"],
                                           "test_missing_authorization_header_is_400_missing_authorization"),
    "both_group_identifiers_accepted": ("travtus", [TRAVTUS_LEASES, "-k", "both_group_identifiers_provided"],
                                        "test_both_group_identifiers_provided_is_400"),
    "properties_report_filters_by_date": ("leasey", [LEASEY_REPORTS, "-k", "ignores_date"],
                                          "test_properties_report_ignores_date_parameters"),
    "limit_checked_before_token": ("leasey", [LEASEY_REPORTS, "-k", "token_before_limit"],
                                   "test_property_leads_checks_the_token_before_limit"),
    "null_instead_of_empty_string": ("leasey", [LEASEY_REPORTS, "-k", "every_documented_field"],
                                     "test_report_rows_carry_every_documented_field"),
    "ignored_property_filter": ("leasey", [LEASEY_REPORTS, "-k", "filter_by_property_id"],
                                "test_property_leads_filter_by_property_id"),
    "allow_lists_undocumented_methods": ("leasey", [LEASEY_REPORTS, "-k", "405_with_allow"],
                                         "test_wrong_method_is_405_with_allow"),
    # The property-based layer alone, with no scenario written for the break:
    "renamed_field/schemathesis": ("leasey", [SCHEMATHESIS, "--operation", "GET /reports/properties"],
                                   "leasey_operation"),
    "wrong_type/schemathesis": ("leasey", [SCHEMATHESIS, "--operation", "GET /reports/showings"], "leasey_operation"),
}


def expected(name: str, mode: str):
    wanted = CASES[name][2]
    return wanted[mode] if isinstance(wanted, dict) else wanted


RUNS = [(name, mode) for name in sorted(CASES) for mode in MODES if expected(name, mode) is not BLIND]


def _controls() -> dict[tuple[str, str], list[str]]:
    """(api, mode) -> one selection holding every case's scenarios (files and -k expressions joined)."""
    joined: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for name, (api, selection, _) in CASES.items():
        if "/" in name:
            continue
        files, expressions = joined.setdefault((api, "all"), ([], []))
        k = selection.index("-k")
        files += [f for f in selection[:k] if f not in files]
        expressions.append(f"({selection[k + 1]})")
    return {(api, mode): [*files, "-k", " or ".join(expressions)]
            for (api, _), (files, expressions) in joined.items() for mode in MODES}


CONTROLS = _controls()


def run_suite(base_url: str, api: str, mode: str, selection: list[str], junit: Path) -> tuple[int, list[str], str]:
    plugins = [] if SCHEMATHESIS in selection else ["-p", "no:schemathesis"]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:partner_sandbox", *plugins,
               *selection, "--base-url", base_url, "--api", api, "--rps", "0", *MODES[mode], f"--junitxml={junit}",
               "--report-dir", str(junit.parent)]
    environment = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    if mode == "stage":
        environment.update(STAGE_ENVIRONMENT)
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, env=environment)
    try:
        cases = list(ET.parse(junit).iter("testcase"))
    except (FileNotFoundError, ET.ParseError):
        return result.returncode, [], result.stdout[-3000:] + result.stderr[-3000:]
    failed = [case.get("name") for case in cases
              if case.find("failure") is not None or case.find("error") is not None]
    return result.returncode, failed, result.stdout[-3000:]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("drift-runs")


@pytest.fixture(scope="module")
def results(work, tmp_path_factory):
    """Every deviation run and every control run, RUNNERS at a time, each runner with a served mock of its own
    (runs that write must not change what a concurrent run reads)."""
    mocks: queue.Queue[ServedMock] = queue.Queue()

    def on_a_mock(job):
        mock = mocks.get()
        try:
            return job(mock)
        finally:
            mocks.put(mock)

    def deviation(run):
        def job(mock):
            name, mode = run
            api, selection, _ = CASES[name]
            proxy = DeviantProxy(mock.root, name.split("/")[0])
            try:
                return run, run_suite(f"{proxy.root}/{api}", api, mode, selection,
                                      work / f"{name.replace('/', '-')}-{mode}" / "junit.xml")
            finally:
                proxy.stop()
        return on_a_mock(job)

    def control(key):
        api, mode = key
        return on_a_mock(lambda mock: (key, run_suite(f"{mock.root}/{api}", api, mode, CONTROLS[key],
                                                      work / f"control-{api}-{mode}" / "junit.xml")))

    with ThreadPoolExecutor(RUNNERS) as pool:
        for mock in pool.map(lambda n: ServedMock(tmp_path_factory.mktemp(f"drift-mock-{n}")), range(RUNNERS)):
            mocks.put(mock)
        try:
            found = dict(pool.map(deviation, RUNS))
            found.update(pool.map(control, CONTROLS))
        finally:
            while not mocks.empty():
                mocks.get().stop()
    return found


def test_every_deviation_has_a_case():
    assert set(DEVIATIONS) == {name.split("/")[0] for name in CASES}


@pytest.mark.parametrize("name, mode", RUNS, ids=[f"{name}-{mode}" for name, mode in RUNS])
def test_the_suite_reports_the_deviation(results, name, mode):
    code, failed, output = results[(name, mode)]
    assert code == 1, f"the suite passed (exit {code}) against a target with deviation {name!r}:\n{output}"
    assert any(expected(name, mode) in test for test in failed), f"{name} ({mode}): failures were {failed}"


def test_the_report_says_what_an_accepted_refused_write_may_have_changed(results, work):
    report = work / "foreign_put_answered_200-stage" / "contract-report.md"
    section = report.read_text().split("## Refused writes the target accepted", 1)[1].split("\n## ", 1)[0]
    assert "test_update_of_an_unknown_property_is_404" in section and "→ 200: may have changed property_id" in section


@pytest.mark.parametrize("api, mode", sorted(CONTROLS))
def test_the_same_selections_pass_against_the_faithful_mock(results, api, mode):
    """Control: without a deviation the selected scenarios pass (none skipped for want of a variable), so the
    failures above are the deviations'."""
    code, failed, output = results[(api, mode)]
    assert code == 0 and not failed, f"{api} ({mode}): {failed}\n{output}"
    assert "waits for" not in output
