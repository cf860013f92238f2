"""The spec drives the app: routes, coercion, value lists; and the self-check flags a response that breaks it."""

import dataclasses
from pathlib import Path

import pytest
import requests
import yaml

from contract_tests.support.conformance import ConformanceRecorder
from mock_server.spec import ParameterError, Spec

from .conftest import new_app

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"


@pytest.fixture(scope="module")
def app():
    return new_app(APIS=("leasey",))


def test_every_spec_operation_is_routed(app):
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    spec = Spec(ROOT / "openapi" / "leasey.yaml")
    for operation in spec.operations:
        assert "/leasey" + operation.flask_rule in rules


def test_an_operation_without_a_handler_is_a_start_up_error(tmp_path):
    document = yaml.safe_load((ROOT / "openapi" / "leasey.yaml").read_text())
    document["paths"]["/reports/tenants"] = {"get": {"operationId": "get_tenants_report", "responses": {}}}
    (tmp_path / "leasey.yaml").write_text(yaml.safe_dump(document))
    with pytest.raises(RuntimeError, match="get_tenants_report has no handler"):
        new_app(APIS=("leasey",), SPEC_DIR=str(tmp_path))


@pytest.mark.parametrize("name", ["unit_number", "identifier"])
def test_a_search_parameter_the_code_does_not_filter_on_is_a_start_up_error(tmp_path, name):
    """A new x-search-parameter with no LeaseSearch field and filter (unit_number), or one the spec no longer marks
    (identifier), stops the start instead of answering 500, or ignoring the filter, when it is sent."""
    document = yaml.safe_load((ROOT / "openapi" / "travtus.yaml").read_text())
    if name == "identifier":
        del document["components"]["parameters"]["identifier"]["x-search-parameter"]
    else:
        document["paths"]["/leases/"]["get"]["parameters"].append(
            {"name": name, "in": "query", "x-search-parameter": True, "schema": {"type": "string"}})
    (tmp_path / "travtus.yaml").write_text(yaml.safe_dump(document, allow_unicode=True))
    with pytest.raises(RuntimeError, match=f"x-search-parameter names .*'{name}'|LeaseSearch's fields .*'{name}'"):
        new_app(APIS=("travtus",), SPEC_DIR=str(tmp_path))


def test_an_errors_module_short_of_the_protocol_is_a_start_up_error():
    """Each API's errors module is what the HTTP layer calls: one without fault() would fail only when a fault
    rule fired."""
    import types

    from mock_server.api import PartnerErrors, _check_errors
    from mock_server.leasey import errors

    broken = types.ModuleType("broken_errors")
    broken.__dict__.update({name: getattr(errors, name) for name in ("not_found", "method_not_allowed",
                                                                      "from_parameter", "internal", "refused")})
    with pytest.raises(RuntimeError, match="broken_errors has no fault, invalid_fault_header"):
        _check_errors(broken, PartnerErrors)
    _check_errors(errors, PartnerErrors)  # the real one is complete


def test_the_endpoints_open_without_the_admin_token_are_those_the_spec_marks_security_none():
    app = new_app(APIS=("leasey",))
    assert app.extensions["sandbox"].control.open_endpoints == frozenset({"sandbox./health"})


def test_enum_added_to_the_spec_is_accepted_without_code_changes(tmp_path):
    document = yaml.safe_load((ROOT / "openapi" / "leasey.yaml").read_text())
    document["components"]["schemas"]["UnitType"]["enum"].append("loft")
    document["components"]["schemas"]["UnitTypeLabel"]["enum"].append("Loft")
    (tmp_path / "leasey.yaml").write_text(yaml.safe_dump(document, allow_unicode=True))
    app = new_app(APIS=("leasey",), SPEC_DIR=str(tmp_path))
    response = app.test_client().post("/leasey/properties", headers={"Authorization": f"Bearer {TOKEN}"}, json={
        "company_id": 123, "password": "sandbox-pass-123",
        "property": {"name": "Loft 1", "address": "1 A St", "city": "Toronto", "province_state": "ON",
                     "country": "Canada", "unit_type": "loft"}})
    assert response.status_code == 201, response.get_json()


def test_integer_parameters_are_coerced_strictly():
    spec = Spec(ROOT / "openapi" / "leasey.yaml")
    parameter = spec.operation("get_showings_report").parameter("company_id")
    assert spec.read_parameter(parameter, {"company_id": "123"}) == 123
    for raw in ('"123"', "12.0", "abc", ""):
        with pytest.raises(ParameterError) as caught:
            spec.read_parameter(parameter, {"company_id": raw})
        assert caught.value.kind == "type"
    with pytest.raises(ParameterError) as caught:
        spec.read_parameter(parameter, {})
    assert caught.value.kind == "missing"


def test_self_check_flags_a_response_that_breaks_the_spec(app, monkeypatch):
    backend = app.extensions["sandbox"].apis["leasey"].backend
    original = backend.get_properties_report
    monkeypatch.setattr(backend, "get_properties_report",
                        lambda company: [{**row, "Bedrooms": str(row["Bedrooms"])} for row in original(company)])
    response = app.test_client().get("/leasey/reports/properties?company_id=123", headers={
        "Authorization": f"Bearer {TOKEN}", "X-Company-Password": "sandbox-pass-123"})
    assert "Bedrooms" in response.headers["X-Sandbox-Spec-Violation"]


def test_conformance_recorder_flags_a_renamed_field():
    recorder = ConformanceRecorder({"leasey": "http://sandbox.test/leasey"})
    request = requests.Request("GET", "http://sandbox.test/leasey/reports/properties?company_id=1",
                               headers={"Authorization": "Bearer x", "X-Company-Password": "p"}).prepare()
    response = requests.Response()
    response.status_code, response.url, response.request = 200, request.url, request
    response.headers["Content-Type"] = "application/json"
    response._content = b'[{"PropertyID": 1}]'
    recorder(response)
    assert recorder.observations[-1].problem is not None


def test_one_api_can_be_served_alone_at_the_root():
    app = new_app(APIS=("leasey",), MOUNT_AT_ROOT=True)
    response = app.test_client().get("/reports/properties?company_id=123", headers={
        "Authorization": f"Bearer {TOKEN}", "X-Company-Password": "sandbox-pass-123"})
    assert response.status_code == 200 and len(response.get_json()) >= 30


def test_the_index_lists_what_is_served():
    app = new_app()
    body = app.test_client().get("/").get_json()
    assert [api["name"] for api in body["apis"]] == ["leasey", "travtus"]
    assert body["apis"][0]["base_url"].endswith("/leasey")


def test_the_self_check_samples_long_arrays_unless_full():
    """Long report bodies are checked on their first and last rows (SELF_CHECK=True) or on every row ("full")."""
    from flask import Response

    from mock_server.record import close_record, open_record
    from mock_server.selfcheck import spec_violation

    app = new_app(APIS=("leasey",))
    client = app.test_client()
    rows = client.get("/leasey/reports/properties?company_id=123", headers={
        "Authorization": f"Bearer {TOKEN}", "X-Company-Password": "sandbox-pass-123"}).get_json()
    api = app.extensions["sandbox"].apis["leasey"]
    operation = api.spec.operation("get_properties_report")
    body = (rows * 4)[:120]
    broken_middle = [*body[:60], {**body[60], "Bedrooms": "many"}, *body[61:]]
    broken_first = [{**body[0], "Bedrooms": "many"}, *body[1:]]
    verdicts = {}
    for mode in (True, "full"):
        sandbox = app.extensions["sandbox"]
        sandbox.settings = dataclasses.replace(sandbox.settings, self_check="sample" if mode is True else mode)
        for name, candidate in (("middle", broken_middle), ("first", broken_first), ("clean", body)):
            with app.test_request_context():
                record, token = open_record()
                record.response_body = candidate
                verdicts[mode, name] = spec_violation(api, operation, Response(status=200))
                close_record(token)
    assert verdicts[True, "middle"] is None and verdicts[True, "clean"] is None
    assert "Bedrooms" in verdicts[True, "first"] and "sample" in verdicts[True, "first"]
    assert "60/Bedrooms" in verdicts["full", "middle"] and verdicts["full", "clean"] is None


@pytest.mark.served
def test_a_sandbox_served_on_an_in_memory_database_answers_its_reports(tmp_path):
    """`mock-server serve --db sqlite://`: one worker (the only process that sees that database), every report
    200 (the showings report once answered 500: a second connection opened while one was held)."""
    from contract_tests.support.served import ServedMock

    mock = ServedMock(tmp_path, database_url="sqlite://", workers=2)
    try:
        headers = {"Authorization": f"Bearer {TOKEN}", "X-Company-Password": "sandbox-pass-123"}
        for report in ("properties", "showings", "leads"):
            response = requests.get(f"{mock.root}/leasey/reports/{report}?company_id=123", headers=headers, timeout=30)
            assert response.status_code == 200 and len(response.json()) > 0, report
        leases = requests.get(f"{mock.root}/travtus/leases/?start_date=2023-01-17", timeout=30,
                              headers={"Authorization": "Bearer trv_sandbox_full"})
        assert leases.status_code == 200
        assert "one worker" in mock.log_path.read_text()
    finally:
        mock.stop()
