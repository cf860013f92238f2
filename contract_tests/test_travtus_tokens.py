"""POST /oauth2/token: the client-credentials grant, its RFC 6749 §5.2 errors, and token expiry on the server clock.

The docs give the request and the 200 body only; the error codes and descriptions asserted here are the
sandbox's RFC 6749 choice (FIDELITY.md, Travtus API), hence `sandbox` on those tests.
"""

from __future__ import annotations

import base64
import json

import pytest

from .support.travtus import ALL_GROUPS, TOKEN_FORM, travtus_fixture  # noqa: F401 - fixture

pytestmark = [pytest.mark.travtus]


def oauth_error(response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body.get("error_description")


@pytest.mark.needs("TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET")
def test_client_credentials_grant_issues_a_bearer_token_valid_for_3600_seconds(travtus):
    response = travtus.request_token()
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["access_token"]


@pytest.mark.needs("TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET")
def test_token_response_is_not_cacheable(travtus):
    response = travtus.request_token()
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Pragma"] == "no-cache"


@pytest.mark.sandbox
def test_issued_token_reads_leases_of_every_sandbox_group(travtus):
    token = travtus.request_token(TOKEN_FORM).json()["access_token"]
    with_issued = travtus.page(ALL_GROUPS, token=token)
    with_static = travtus.page(ALL_GROUPS, token="trv_sandbox_full")
    assert with_issued == with_static


@pytest.mark.sandbox
def test_issued_token_is_a_jwt_expiring_3600_seconds_after_issue(travtus):
    token = travtus.request_token(TOKEN_FORM).json()["access_token"]
    header, claims, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert claims["token_use"] == "access"
    assert claims["client_id"] == "sandbox-client"
    assert claims["exp"] - claims["iat"] == 3600


@pytest.mark.sandbox
def test_each_request_gets_a_new_token(travtus):
    assert travtus.request_token(TOKEN_FORM).json()["access_token"] != \
        travtus.request_token(TOKEN_FORM).json()["access_token"]


@pytest.mark.sandbox
def test_form_with_a_charset_parameter_is_accepted(travtus):
    body = "client_id=sandbox-client&client_secret=sandbox-secret&grant_type=client_credentials"
    response = travtus.http.post(f"{travtus.base_url}/oauth2/token", data=body,
                                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"})
    assert response.status_code == 200


# -- expiry ---------------------------------------------------------------------------------------

@pytest.mark.sandbox
def test_issued_token_still_works_just_before_it_expires(travtus, sandbox_control):
    token = travtus.request_token(TOKEN_FORM).json()["access_token"]
    with sandbox_control.clock_moved(3590):
        assert travtus.leases({"identifier": "lease-1"}, token=token).status_code == 200


@pytest.mark.sandbox
def test_issued_token_expires_after_3600_seconds_of_the_server_clock(travtus, sandbox_control):
    token = travtus.request_token(TOKEN_FORM).json()["access_token"]
    assert travtus.leases({"identifier": "lease-1"}, token=token).status_code == 200
    with sandbox_control.clock_moved(3601):
        response = travtus.leases({"identifier": "lease-1"}, token=token)
    assert response.status_code == 401
    assert response.json() == {"error": {
        "type": "expired_token",
        "message": "The bearer token you have provided in the 'Authorization' header has expired. "
                   "Please obtain a new one."}}


@pytest.mark.sandbox
def test_a_new_token_works_after_the_old_one_expired(travtus, sandbox_control):
    old = travtus.request_token(TOKEN_FORM).json()["access_token"]
    with sandbox_control.clock_moved(7200):
        new = travtus.request_token(TOKEN_FORM).json()["access_token"]
        assert travtus.leases({"identifier": "lease-1"}, token=old).status_code == 401
        assert travtus.leases({"identifier": "lease-1"}, token=new).status_code == 200


# -- RFC 6749 §5.2 errors (sandbox choice) --------------------------------------------------------------

@pytest.mark.sandbox
@pytest.mark.parametrize("field", ["client_id", "client_secret", "grant_type"])
def test_missing_field_is_invalid_request(travtus, field):
    form = {key: value for key, value in TOKEN_FORM.items() if key != field}
    assert oauth_error(travtus.request_token(form)) == (
        400, "invalid_request", f"The request is missing the required parameter '{field}'.")


@pytest.mark.sandbox
def test_empty_field_is_invalid_request(travtus):
    assert oauth_error(travtus.request_token({**TOKEN_FORM, "client_secret": ""})) == (
        400, "invalid_request", "The request is missing the required parameter 'client_secret'.")


@pytest.mark.sandbox
def test_json_body_is_invalid_request(travtus):
    response = travtus.http.post(f"{travtus.base_url}/oauth2/token", json=TOKEN_FORM)
    assert oauth_error(response) == (
        400, "invalid_request", "The request body must be application/x-www-form-urlencoded.")


@pytest.mark.sandbox
def test_repeated_parameter_is_invalid_request(travtus):
    form = [("client_id", "sandbox-client"), ("client_id", "other"), ("client_secret", "sandbox-secret"),
            ("grant_type", "client_credentials")]
    assert oauth_error(travtus.request_token(form)) == (
        400, "invalid_request", "The parameter 'client_id' is included more than once.")


@pytest.mark.sandbox
@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "CLIENT_CREDENTIALS"])
def test_other_grant_type_is_unsupported_grant_type(travtus, grant_type):
    assert oauth_error(travtus.request_token({**TOKEN_FORM, "grant_type": grant_type})) == (
        400, "unsupported_grant_type", f"The grant type '{grant_type}' is not supported; use 'client_credentials'.")


@pytest.mark.sandbox
def test_wrong_secret_is_invalid_client(travtus):
    response = travtus.request_token({**TOKEN_FORM, "client_secret": "wrong"})
    assert oauth_error(response) == (401, "invalid_client", "Client authentication failed.")
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.sandbox
def test_unknown_client_is_invalid_client(travtus):
    response = travtus.request_token({**TOKEN_FORM, "client_id": "nobody"})
    assert oauth_error(response) == (401, "invalid_client", "Client authentication failed.")


@pytest.mark.sandbox
def test_invalid_client_that_sent_an_authorization_header_gets_www_authenticate(travtus):
    response = travtus.request_token({**TOKEN_FORM, "client_secret": "wrong"},
                                     headers={"Authorization": "Basic c2FuZGJveC1jbGllbnQ6d3Jvbmc="})
    assert oauth_error(response)[:2] == (401, "invalid_client")
    assert response.headers["WWW-Authenticate"] == 'Basic realm="travtus"'


@pytest.mark.sandbox
def test_missing_field_is_reported_before_a_bad_grant_type_or_client(travtus):
    response = travtus.request_token({"client_id": "nobody", "grant_type": "password"})
    assert oauth_error(response)[:2] == (400, "invalid_request")
