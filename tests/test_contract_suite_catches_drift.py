"""A contract suite that passes everything proves nothing: point it at deliberately deviating targets
(a proxy in front of a served mock that breaks one documented behaviour) and require a reported failure."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from contract_tests.support.deviant import DeviantProxy
from contract_tests.support.served import ServedMock

ROOT = Path(__file__).resolve().parents[1]
SCHEMATHESIS = "contract_tests/test_schemathesis.py"

# deviation -> (api, contract tests to run, a test that must be among the failures)
CASES = {
    "renamed_field": ("leasey", ["contract_tests/test_leasey_reports.py", "-k", "every_documented_field"],
                      "test_report_rows_carry_every_documented_field"),
    "wrong_type": ("leasey", ["contract_tests/test_leasey_reports.py", "-k", "showings_filter_on_showing_start"],
                   "test_showings_filter_on_showing_start"),
    "undocumented_status": ("leasey", ["contract_tests/test_leasey_writes.py", "-k", "minimal_create"],
                            "test_minimal_create_answers_exactly_the_always_present_fields"),
    "changed_message": ("leasey", ["contract_tests/test_leasey_auth.py", "-k", "incorrect_password"],
                        "test_incorrect_password_is_invalid_company_password"),
    "ignored_date_filter": ("leasey", ["contract_tests/test_leasey_reports.py", "-k", "inclusive or filter_on"],
                            "test_showings_start_and_end_are_inclusive"),
    "cross_company_write": ("leasey", ["contract_tests/test_leasey_writes.py", "-k", "another_companys_property"],
                            "test_update_of_another_companys_property_is_the_same_404"),
    "first_validation_detail_only": ("leasey", ["contract_tests/test_leasey_writes.py", "-k", "collected"],
                                     "test_all_failing_fields_are_collected_in_one_response"),
    "put_replaces_unsent_fields": ("leasey", ["contract_tests/test_leasey_writes.py", "-k", "only_the_fields_sent"],
                                   "test_only_the_fields_sent_change"),
    "company_id_checked_before_token": ("leasey", ["contract_tests/test_leasey_auth.py", "-k", "checked_before"],
                                        "test_token_is_checked_before_company_id"),
    "cursor_repeats_a_page": ("travtus", ["contract_tests/test_travtus_pagination.py", "-k", "walk"], "walk"),
    "group_scope_leak": ("travtus", ["contract_tests/test_travtus_leases.py", "contract_tests/test_travtus_auth.py",
                                     "-k", "group"], "group"),
    # The property-based layer alone, with no scenario written for the break:
    "renamed_field/schemathesis": ("leasey", [SCHEMATHESIS, "--operation", "GET /reports/properties"],
                                   "leasey_operation"),
    "wrong_type/schemathesis": ("leasey", [SCHEMATHESIS, "--operation", "GET /reports/showings"], "leasey_operation"),
}


@pytest.fixture(scope="module")
def mock(tmp_path_factory):
    served = ServedMock(tmp_path_factory.mktemp("drift-mock"))
    yield served
    served.stop()


def run_suite(base_url: str, api: str, selection: list[str], junit: Path) -> tuple[int, list[str]]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *selection, "--base-url", base_url,
               "--api", api, "--sandbox-data", "--allow-writes", f"--junitxml={junit}", "--report-dir", str(junit.parent)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    failed = [case.get("name") for case in ET.parse(junit).iter("testcase")
              if case.find("failure") is not None or case.find("error") is not None]
    return result.returncode, failed


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_suite_reports_the_deviation(mock, tmp_path, name):
    api, selection, expected = CASES[name]
    proxy = DeviantProxy(mock.root, name.split("/")[0])
    try:
        code, failed = run_suite(f"{proxy.root}/{api}", api, selection, tmp_path / "junit.xml")
    finally:
        proxy.stop()
    assert code == 1, f"the suite passed against a target with deviation {name!r}"
    assert any(expected in test for test in failed), f"{name}: failures were {failed}"


def test_the_same_selections_pass_against_the_faithful_mock(mock, tmp_path):
    """Control: without a deviation the selected scenarios pass, so the failures above are the deviations'."""
    for name, (api, selection, _) in sorted(CASES.items()):
        if "/" in name:
            continue
        code, failed = run_suite(f"{mock.root}/{api}", api, selection, tmp_path / f"{name}.xml")
        assert code == 0 and not failed, f"{name}: {failed}"
