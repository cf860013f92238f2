"""Each Leasey message constant is the text sent on every path that sends it: the read reports, the property
leads list (password in the query), and the two writes (company and password in the JSON body)."""

from __future__ import annotations

import pytest

from mock_server.leasey import errors

from .conftest import TOKEN

PROPERTY = "00000000-0000-4000-8000-000000000000"  # (a write fails before the property is looked up)
READS = [("GET", "/leasey/reports/showings", "header"), ("GET", "/leasey/reports/properties", "header"),
         ("GET", "/leasey/properties/leads", "query")]
WRITES = [("POST", "/leasey/properties"), ("PUT", f"/leasey/properties/{PROPERTY}")]


def send(client, method, path, *, token=TOKEN, company_id=123, password="sandbox-pass-123", where="header",
         body_extra=None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    if method == "GET":
        query = {} if company_id is None else {"company_id": company_id}
        if password is not None and where == "query":
            query["password"] = password
        elif password is not None:
            headers["X-Company-Password"] = password
        return client.get(path, query_string=query, headers=headers)
    body = {} if company_id is None else {"company_id": company_id}
    if password is not None:
        body["password"] = password
    body.update(body_extra if body_extra is not None else {"property": {}})
    return client.open(path, method=method, json=body, headers=headers)


def everywhere(**request):
    return [pytest.param(method, path, where, request, id=f"{method} {path}") for method, path, where in READS] + [
        pytest.param(method, path, "body", request, id=f"{method} {path}") for method, path in WRITES]


def message_of(response, status):
    assert response.status_code == status, response.get_json()
    return response.get_json()["message"]


@pytest.mark.parametrize("method, path, where, request_", everywhere(token=None))
def test_token_missing(client, method, path, where, request_):
    assert message_of(send(client, method, path, where=where, **request_), 401) == errors.TOKEN_MISSING


@pytest.mark.parametrize("method, path, where, request_", everywhere(token="x" * len(TOKEN)))
def test_token_invalid(client, method, path, where, request_):
    assert message_of(send(client, method, path, where=where, **request_), 401) == errors.TOKEN_INVALID


@pytest.mark.parametrize("method, path, where, request_", everywhere(token=TOKEN[:-1]))
def test_token_length_mismatch(client, method, path, where, request_):
    assert message_of(send(client, method, path, where=where, **request_), 401) == errors.TOKEN_LENGTH_MISMATCH


@pytest.mark.parametrize("method, path, where, request_", everywhere(company_id=None))
def test_company_id_required(client, method, path, where, request_):
    assert message_of(send(client, method, path, where=where, **request_), 400) == errors.REQUIRED.format(
        name="company_id")


@pytest.mark.parametrize("method, path, where, request_", everywhere(company_id="abc"))
def test_company_id_not_integer(client, method, path, where, request_):
    assert message_of(send(client, method, path, where=where, **request_), 400) == errors.COMPANY_ID_NOT_INTEGER


@pytest.mark.parametrize("method, path, where, request_", everywhere(company_id=999_999))
def test_company_not_found(client, method, path, where, request_):
    assert message_of(send(client, method, path, where=where, **request_), 401) == errors.COMPANY_NOT_FOUND.format(
        id=999_999)


@pytest.mark.parametrize("method, path, where, request_", everywhere(password="wrong"))
def test_password_invalid(client, method, path, where, request_):
    assert message_of(send(client, method, path, where=where, **request_), 401) == errors.PASSWORD_INVALID


@pytest.mark.parametrize("method, path, where, request_", everywhere(company_id=789, password="sandbox-pass-789"))
def test_no_admin(client, method, path, where, request_):
    assert message_of(send(client, method, path, where=where, **request_), 400) == errors.NO_ADMIN.format(id=789)


@pytest.mark.parametrize("method, path, where", [(m, p, w) for m, p, w in READS])
def test_password_missing_on_reads(client, method, path, where):
    assert message_of(send(client, method, path, where=where, password=None), 401) == errors.PASSWORD_MISSING


@pytest.mark.parametrize("method, path", WRITES)
def test_body_password_missing_on_writes(client, method, path):
    assert message_of(send(client, method, path, password=None), 401) == errors.BODY_PASSWORD_MISSING


@pytest.mark.parametrize("method, path", WRITES)
def test_validation_failed_on_writes(client, method, path):
    if method == "PUT":  # the property must exist for its fields to be checked
        path = path.replace(PROPERTY, _new_property(client))
    response = send(client, method, path, body_extra={"property": {"name": "", "bedrooms": "many"}})
    assert message_of(response, 422) == errors.VALIDATION_FAILED


@pytest.mark.parametrize("method, path", WRITES)
@pytest.mark.parametrize("body, message", [
    ({"property": []}, errors.MUST_BE.format(name="property", kind="an object")),
    ({}, errors.REQUIRED.format(name="property")),
    ({"property": {}, "colour": "red"}, errors.UNKNOWN_FIELDS.format(names="colour")),
])
def test_envelope_messages_on_writes(client, method, path, body, message):
    assert message_of(send(client, method, path, body_extra=body), 400) == message


def _new_property(client) -> str:
    created = send(client, "POST", "/leasey/properties", body_extra={"property": {
        "name": "Message test", "address": "1 Test St", "city": "Toronto", "province_state": "ON",
        "country": "Canada"}})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["property_id"]
