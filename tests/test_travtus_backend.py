"""Travtus through the Flask test client: the parts a served mock makes awkward (405, unknown paths, cursor
edge cases, fixture data checked against the spec, determinism)."""

from __future__ import annotations

import base64
from datetime import date

import pytest

from mock_server.travtus import errors
from mock_server.travtus.models import Cursor

from .conftest import new_app

NOW = "2026-06-01T12:00:00"
FULL = {"Authorization": "Bearer trv_sandbox_full"}
GROUP_A = {"Authorization": "Bearer trv_sandbox_group_a"}
ALL_GROUPS = {"group_ids": "group-1,group-2,group-3"}


def make_app(**config):
    return new_app(APIS=("travtus",), **config)


@pytest.fixture(scope="module")
def app():
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


def get(client, path="/travtus/leases/", headers=FULL, **params):
    response = client.get(path, query_string=params, headers=headers)
    assert "X-Sandbox-Spec-Violation" not in response.headers, response.headers["X-Sandbox-Spec-Violation"]
    return response


def walk(client, headers=FULL, limit=None, **params) -> list[dict]:
    leases, cursor = [], None
    while True:
        extra = {"after_id": cursor} if cursor else {}
        if limit:
            extra["limit"] = limit
        body = get(client, headers=headers, **params, **extra).get_json()
        leases += body["data"]
        cursor = body["pagination"]["next_cursor"]
        if cursor is None:
            return leases


# -- fixture data -------------------------------------------------------------------------------------

def test_every_fixture_lease_validates_against_the_lease_schema(app, client):
    validator = app.extensions["sandbox"].apis["travtus"].spec.component_validator("Lease")
    leases = walk(client, **ALL_GROUPS)
    for lease in leases:
        problems = [error.message for error in validator.iter_errors(lease)]
        assert not problems, (lease["identifier"], problems)


def test_fixture_data_has_past_current_and_future_leases_several_tenants_and_furnished_ones(client):
    leases = walk(client, **ALL_GROUPS)
    today = date.fromisoformat(NOW[:10])
    starts = [date.fromisoformat(lease["start_date"]) for lease in leases]
    ends = [date.fromisoformat(lease["end_date"]) for lease in leases if lease["end_date"]]
    assert len(leases) >= 300
    assert any(end < today for end in ends)
    assert any(start > today for start in starts)
    assert any(start <= today <= date.fromisoformat(lease["end_date"])
               for start, lease in zip(starts, leases, strict=True) if lease["end_date"])
    assert any(len(lease["tenants"]) > 1 for lease in leases)
    assert any(lease["is_furnished"] for lease in leases)
    assert len({lease["address"]["city"] for lease in leases}) >= 4


def test_fixture_leases_are_identical_on_every_load(client):
    other = make_app().test_client()
    assert walk(other, **ALL_GROUPS) == walk(client, **ALL_GROUPS)


def test_group_a_token_sees_a_strict_subset(client):
    full = {lease["identifier"] for lease in walk(client, **ALL_GROUPS)}
    group_a = {lease["identifier"] for lease in walk(client, headers=GROUP_A, **ALL_GROUPS)}
    assert group_a < full
    assert group_a == {lease["identifier"] for lease in walk(client, group_ids="group-1")}


def test_generated_leases_never_start_on_the_documented_example_date(client):
    body = get(client, start_date="2023-01-17").get_json()
    assert [lease["identifier"] for lease in body["data"]] == ["lease-1", "lease-2", "lease-3"]


# -- framework errors in Travtus's shape ----------------------------------------------------------------

def test_unsupported_method_is_405_with_allow(client):
    response = client.delete("/travtus/leases/", headers=FULL)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.get_json()["error"]["type"] == "method_not_allowed"


def test_get_on_the_token_endpoint_is_405(client):
    response = client.get("/travtus/oauth2/token")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"


def test_unknown_path_is_not_found_in_the_error_envelope(client):
    response = client.get("/travtus/units/", headers=FULL)
    assert response.status_code == 404
    assert response.get_json() == {"error": {
        "type": "not_found", "message": "There is no endpoint at GET /travtus/units/."}}


# -- pagination edge cases ------------------------------------------------------------------------------

def test_offset_past_the_end_is_an_empty_page_whose_previous_cursor_is_the_last_page(client):
    count = get(client, **ALL_GROUPS).get_json()["pagination"]["count"]
    body = get(client, offset=count + 5, limit=10, **ALL_GROUPS).get_json()
    assert body["data"] == []
    assert body["pagination"]["next_cursor"] is None
    last = get(client, after_id=body["pagination"]["previous_cursor"], limit=10, **ALL_GROUPS).get_json()
    assert [lease["identifier"] for lease in last["data"]] == \
        [lease["identifier"] for lease in walk(client, **ALL_GROUPS)][-10:]
    assert last["pagination"]["next_cursor"] is None


def test_previous_cursor_of_a_cursor_page_yields_the_page_before_it(client):
    first = get(client, limit=7, **ALL_GROUPS).get_json()
    second = get(client, limit=7, after_id=first["pagination"]["next_cursor"], **ALL_GROUPS).get_json()
    back = get(client, limit=7, after_id=second["pagination"]["previous_cursor"], **ALL_GROUPS).get_json()
    assert back["data"] == first["data"]
    assert back["pagination"]["previous_cursor"] is None  # it is the first page again
    assert back["pagination"]["next_cursor"] == first["pagination"]["next_cursor"]


def test_previous_cursor_of_an_offset_page_yields_the_records_before_it(client):
    reference = walk(client, **ALL_GROUPS)
    page = get(client, offset=30, limit=10, **ALL_GROUPS).get_json()
    back = get(client, limit=10, after_id=page["pagination"]["previous_cursor"], **ALL_GROUPS).get_json()
    assert back["data"] == reference[20:30]


def test_offset_after_a_cursor_skips_records_after_the_cursor(client):
    reference = walk(client, **ALL_GROUPS)
    first = get(client, limit=10, **ALL_GROUPS).get_json()
    page = get(client, limit=10, offset=5, after_id=first["pagination"]["next_cursor"], **ALL_GROUPS).get_json()
    assert page["data"] == reference[15:25]


@pytest.mark.parametrize("cursor", [
    "not-a-cursor", "YWZ0ZXI6", base64.urlsafe_b64encode(b"after:-1").decode(), "YWZ0ZXI6MTAw==",
    base64.urlsafe_b64encode(b"sideways:3").decode(), base64.urlsafe_b64encode(b"after:007").decode(), "\u00e9",
])
def test_cursor_decode_rejects_anything_it_did_not_encode(cursor):
    with pytest.raises(errors.TravtusError) as caught:
        Cursor.decode(cursor)
    assert caught.value.type == "invalid_parameter"


def test_cursor_round_trips():
    for cursor in (Cursor("after", 0), Cursor("after", 12345), Cursor("before", Cursor.END)):
        assert Cursor.decode(cursor.encode()) == cursor


def test_huge_offset_and_limit_are_answered_not_a_500(client):
    huge = "9" * 30
    body = get(client, identifier="lease-1", offset=huge).get_json()
    assert body["data"] == [] and body["pagination"]["count"] == 1
    assert [lease["identifier"] for lease in get(client, identifier="lease-1", limit=huge).get_json()["data"]] == \
        ["lease-1"]


# -- empty values -----------------------------------------------------------------------------------

def test_a_blank_search_parameter_counts_as_not_given(client):
    response = get(client, identifier="", unit_external_ref=" ")
    assert response.status_code == 400
    assert response.get_json()["error"]["type"] == "no_search_parameters"


def test_a_blank_date_is_malformed_not_absent(client):
    response = get(client, identifier="lease-1", start_date="")
    assert response.status_code == 400
    assert response.get_json()["error"]["type"] == "date_format_invalid"


def test_a_group_list_of_only_commas_counts_as_not_given(client):
    response = get(client, group_ids=" , ,")
    assert response.status_code == 400
    assert response.get_json()["error"]["type"] == "no_search_parameters"
