"""GET /leases/ authorization: the documented errors word for word, the case-insensitive scheme, and the check
order (authorization before anything about the parameters)."""

from __future__ import annotations

import pytest

from .support.travtus import error_of, travtus_fixture  # noqa: F401 - fixture

pytestmark = [pytest.mark.travtus]

MISSING = "Your request does not include an 'Authorization' header with a bearer token for your account."
INVALID = "The bearer token you have provided in the 'Authorization' header is invalid."
EXPIRED = "The bearer token you have provided in the 'Authorization' header has expired. Please obtain a new one."


def test_missing_authorization_header_is_400_missing_authorization(travtus):
    response = travtus.leases({"identifier": "lease-1"}, headers={})
    assert error_of(response) == (400, "missing_authorization", MISSING)


def test_blank_authorization_header_counts_as_missing(travtus):
    response = travtus.leases({"identifier": "lease-1"}, headers={"Authorization": ""})
    assert error_of(response) == (400, "missing_authorization", MISSING)


def test_unknown_bearer_token_is_401_invalid_authorization(travtus):
    response = travtus.leases({"identifier": "lease-1"}, token="not-a-real-token")
    assert error_of(response) == (401, "invalid_authorization", INVALID)


@pytest.mark.parametrize("value", ["Basic c2FuZGJveC1jbGllbnQ6c2FuZGJveC1zZWNyZXQ=", "Token {token}", "{token}",
                                   "Bearer", "Bearer {token} extra", "Bearer: {token}"])
def test_header_that_is_not_bearer_and_a_token_is_401_invalid_authorization(travtus, value):
    response = travtus.leases({"identifier": "lease-1"}, headers={"Authorization": value.format(token=travtus.token)})
    assert error_of(response) == (401, "invalid_authorization", INVALID)


@pytest.mark.needs("TRAVTUS_EXPIRED_TOKEN")
def test_expired_token_is_401_expired_token(travtus, variables):
    response = travtus.leases({"identifier": "lease-1"}, token=variables("TRAVTUS_EXPIRED_TOKEN"))
    assert error_of(response) == (401, "expired_token", EXPIRED)


@pytest.mark.sandbox
@pytest.mark.parametrize("scheme", ["bearer", "Bearer", "BEARER", "bEaReR"])
def test_bearer_scheme_is_case_insensitive(travtus, scheme):
    response = travtus.leases({"identifier": "lease-1"}, headers=travtus.headers(scheme=scheme))
    assert response.status_code == 200
    assert [lease["identifier"] for lease in response.json()["data"]] == ["lease-1"]


@pytest.mark.sandbox
def test_extra_spaces_between_scheme_and_token_are_tolerated(travtus):
    response = travtus.leases({"identifier": "lease-1"}, headers={"Authorization": "bearer   trv_sandbox_full "})
    assert response.status_code == 200


# -- check order: authorization first ---------------------------------------------------------------------

def test_missing_header_is_reported_before_missing_search_parameters(travtus):
    assert error_of(travtus.leases({}, headers={}))[1] == "missing_authorization"


def test_invalid_token_is_reported_before_an_invalid_date(travtus):
    response = travtus.leases({"start_date": "2023-02-30"}, token="not-a-real-token")
    assert error_of(response)[1] == "invalid_authorization"


@pytest.mark.needs("TRAVTUS_EXPIRED_TOKEN")
def test_expired_token_is_reported_before_conflicting_group_identifiers(travtus, variables):
    response = travtus.leases({"group_ids": "group-1", "group_external_refs": "community-1"},
                              token=variables("TRAVTUS_EXPIRED_TOKEN"))
    assert error_of(response)[1] == "expired_token"
