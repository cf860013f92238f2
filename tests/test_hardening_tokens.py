"""Issued Travtus tokens are JWTs signed with PyJWT by a key made once per sandbox database, verified by their
signature (never stored, never looked up), revoked by their client's not-before; the static tokens keep working."""

from __future__ import annotations

import calendar
import warnings
from datetime import datetime

import jwt
import pytest
import sqlalchemy as sa

from mock_server import store as tables
from mock_server.app import create_app
from mock_server.travtus.models import NOT_BEFORE_SETTING, SIGNING_KEY_SETTING

CLIENT, SECRET = "sandbox-client", "sandbox-secret"
NOW = "2026-06-01T12:00:00"
INVALID = {"error": {"type": "invalid_authorization",
                     "message": "The bearer token you have provided in the 'Authorization' header is invalid."}}
EXPIRED = {"error": {"type": "expired_token", "message": (
    "The bearer token you have provided in the 'Authorization' header has expired. Please obtain a new one.")}}


@pytest.fixture
def app(tmp_path):
    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/tokens.db", "NOW": NOW, "FREEZE_CLOCK": True})


@pytest.fixture
def client(app):
    return app.test_client()


def token(client, client_id=CLIENT, secret=SECRET) -> str:
    response = client.post("/travtus/oauth2/token", data={
        "client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def leases(client, bearer: str, **params):
    return client.get("/travtus/leases/", query_string=params or {"identifier": "lease-1"},
                      headers={"Authorization": f"Bearer {bearer}"})


def setting(app, key):
    return app.extensions["sandbox"].store.get_setting(key)


def token_rows(app) -> int:
    with app.extensions["sandbox"].store.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(tables.trv_tokens)).scalar()


def test_an_issued_token_is_a_jwt_signed_with_the_databases_key_carrying_what_authorization_needs(app, client):
    issued = token(client)
    key = setting(app, SIGNING_KEY_SETTING)
    assert isinstance(key, str) and len(key) >= 48
    claims = jwt.decode(issued, key, algorithms=["HS256"], options={"verify_exp": False})
    assert jwt.get_unverified_header(issued) == {"alg": "HS256", "typ": "JWT", "kid": "travtus-sandbox"}
    assert claims["client_id"] == CLIENT and claims["token_use"] == "access"
    assert claims["groups"] == ["group-1", "group-2", "group-3"]
    assert claims["iat"] == calendar.timegm(datetime.fromisoformat(NOW).timetuple())  # the sandbox clock
    assert claims["exp"] - claims["iat"] == 3600
    assert leases(client, issued).status_code == 200


def test_issued_tokens_are_not_stored(app, client):
    before = token_rows(app)
    for _ in range(5):
        assert leases(client, token(client)).status_code == 200
    assert token_rows(app) == before == 3  # the three static sandbox tokens


def test_a_token_signed_with_another_key_or_none_is_invalid(app, client):
    claims = jwt.decode(token(client), options={"verify_signature": False})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)  # (short keys: that is the point)
        forgeries = (jwt.encode(claims, "guessed-key", algorithm="HS256"),
                     jwt.encode(claims, "travtus-sandbox-signing-key", algorithm="HS256"),  # the old constant
                     jwt.encode(claims, None, algorithm="none"),
                     jwt.encode({**claims, "groups": ["group-1"]}, "x" * 64, algorithm="HS512"))
    for forged in forgeries:
        assert (leases(client, forged).status_code, leases(client, forged).get_json()) == (401, INVALID)


def test_a_token_expires_on_the_sandbox_clock(client):
    issued = token(client)
    assert client.post("/_sandbox/clock/advance", json={"seconds": 3599}).status_code == 200
    assert leases(client, issued).status_code == 200
    assert client.post("/_sandbox/clock/advance", json={"seconds": 1}).status_code == 200
    assert (leases(client, issued).status_code, leases(client, issued).get_json()) == (401, EXPIRED)


def test_resetting_the_client_revokes_its_earlier_tokens_and_new_ones_work(app, client):
    earlier = token(client)
    assert client.post(f"/_sandbox/reset/travtus/clients/{CLIENT}").status_code == 200
    assert setting(app, NOT_BEFORE_SETTING).keys() == {CLIENT}
    assert (leases(client, earlier).status_code, leases(client, earlier).get_json()) == (401, INVALID)
    assert leases(client, token(client)).status_code == 200
    assert leases(client, "trv_sandbox_full").status_code == 200


def test_a_reset_then_a_clock_moved_back_does_not_revoke_new_tokens(client):
    """The not-before is real time: the sandbox clock moving back must not make fresh tokens look older."""
    assert client.post(f"/_sandbox/reset/travtus/clients/{CLIENT}").status_code == 200
    assert client.post("/_sandbox/clock/advance", json={"days": -30}).status_code == 200
    assert leases(client, token(client), start_date="2023-01-17").status_code == 200


def test_a_tenant_reset_or_removal_revokes_its_tokens(client):
    tenant = client.post("/_sandbox/tenants/travtus").get_json()
    credentials = tenant["credentials"]
    first = token(client, credentials["client_id"], credentials["client_secret"])
    group = {"group_ids": credentials["group_ids"][0]}
    assert leases(client, first, **group).status_code == 200
    assert client.post(f"/_sandbox/reset/travtus/clients/{credentials['client_id']}").status_code == 200
    assert leases(client, first, **group).get_json() == INVALID
    second = token(client, credentials["client_id"], credentials["client_secret"])
    assert leases(client, second, **group).status_code == 200
    assert client.delete(f"/_sandbox/tenants/{tenant['id']}").status_code == 204
    assert leases(client, second, **group).get_json() == INVALID


def test_a_full_reset_replaces_the_key_and_every_issued_token_with_it(app, client):
    earlier, key = token(client), setting(app, SIGNING_KEY_SETTING)
    assert client.post("/_sandbox/reset").status_code == 200
    assert leases(client, earlier).get_json() == INVALID
    assert leases(client, token(client)).status_code == 200 and setting(app, SIGNING_KEY_SETTING) != key


def test_the_documented_static_tokens_keep_working(client):
    assert leases(client, "trv_sandbox_full").status_code == 200
    only_one = leases(client, "trv_sandbox_group_a", group_ids="group-2")
    assert only_one.status_code == 404 and leases(client, "trv_sandbox_group_a", group_ids="group-1").status_code == 200
    assert leases(client, "trv_sandbox_expired").get_json() == EXPIRED


def test_two_processes_on_one_database_share_the_key_and_the_revocations(tmp_path):
    url = f"sqlite:///{tmp_path}/shared.db"
    one = create_app({"DATABASE_URL": url, "NOW": NOW}).test_client()
    other = create_app({"DATABASE_URL": url, "NOW": NOW}).test_client()
    issued = token(one)
    assert leases(other, issued).status_code == 200
    assert other.post(f"/_sandbox/reset/travtus/clients/{CLIENT}").status_code == 200
    assert leases(one, issued).get_json() == INVALID


def test_rows_of_tokens_issued_before_signing_are_purged(app, client):
    with app.extensions["sandbox"].store.begin() as connection:
        connection.execute(tables.trv_tokens.insert().values(token="legacy.issued.token", client_id=CLIENT,
                                                             group_ids=["group-1"], always_expired=False))
    assert token_rows(app) == 4
    token(client)  # the first signed token makes the key, and drops the rows
    assert token_rows(app) == 3
    assert leases(client, "legacy.issued.token").get_json() == INVALID


def test_the_signing_key_is_masked_in_the_journal(app, client):
    token(client)
    key = setting(app, SIGNING_KEY_SETTING)
    assert client.delete("/_sandbox/journal").status_code == 204
    leases(client, "trv_sandbox_full", identifier=key)
    entries = client.get("/_sandbox/journal").get_json()["entries"]
    assert entries[0]["query"]["identifier"] == "***" and key not in str(entries)
