"""GET /leases/: the documented errors word for word, each filter (exact match), group scoping per token, and
both paths. Expected results are computed from the full walk (`every_lease`), not hard-coded counts."""

from __future__ import annotations

import pytest

from .support.travtus import (  # noqa: F401 - fixtures
    ALL_GROUPS,
    error_of,
    every_lease_fixture,
    identifiers,
    travtus_fixture,
)

pytestmark = [pytest.mark.travtus]

NO_SEARCH = "At least one search parameter is required to find leases."
BOTH_GROUPS = ("You have provided both a group id and group external reference for the find leases operation. "
               "Please only provide one of the two.")
NOT_FOUND = "There are no lease records matching the provided parameters."
DATE_INVALID = ("The value provided for '{name}' is not a valid date. "
                "Dates must be ISO 8601 formatted strings: YYYY-MM-DD.")
GROUP_A = "trv_sandbox_group_a"

# The document's example leases, with the address the reference adds (its values are the sandbox's).
LEASE_1 = {
    "identifier": "lease-1", "start_date": "2023-01-17", "end_date": "2023-12-17", "move_in_date": "2023-01-17",
    "landlord_id": "landlord-id-1",
    "tenants": [{"tenant_id": "tenant-id-1", "tenant_external_ref": "tenant-external-ref-1"}],
    "unit_id": "unit-id-1", "unit_external_ref": "unit-external-ref-1",
    "address": {"building_name": "Harbor View", "address_line_1": "100 Atlantic Avenue", "address_line_2": "Apt 101",
                "city": "Boston", "country": "US", "state": "MA", "postal_code": "02110", "latitude": 42.3601,
                "longitude": -71.0512},
    "is_furnished": False, "minimum_days_notice": 30, "deposit": 1400.0, "rent": 700.0}
LEASE_2_TENANTS = [{"tenant_id": "tenant-id-2", "tenant_external_ref": "tenant-external-ref-2"},
                   {"tenant_id": "tenant-id-3", "tenant_external_ref": "tenant-external-ref-3"}]


def found(travtus, params: dict, token: str | None = None) -> list[str]:
    """Every identifier the search returns, across pages."""
    leases, _ = travtus.cursor_walk(params, token=token)
    return identifiers(leases)


# -- documented errors ------------------------------------------------------------------------------------

def test_no_search_parameters_is_400(travtus):
    assert error_of(travtus.leases({})) == (400, "no_search_parameters", NO_SEARCH)


@pytest.mark.parametrize("params", [{"offset": 0}, {"limit": 10}, {"offset": 5, "limit": 5},
                                    {"after_id": "YWZ0ZXI6MTAw"}])
def test_pagination_parameters_are_not_search_parameters(travtus, params):
    assert error_of(travtus.leases(params)) == (400, "no_search_parameters", NO_SEARCH)


def test_both_group_identifiers_provided_is_400(travtus):
    response = travtus.leases({"group_ids": "group-1", "group_external_refs": "community-1"})
    assert error_of(response) == (400, "both_group_identifiers_provided", BOTH_GROUPS)


def test_no_matching_lease_is_404_not_found(travtus):
    assert error_of(travtus.leases({"identifier": "no-such-lease"})) == (404, "not_found", NOT_FOUND)


@pytest.mark.parametrize("name", ["start_date", "end_date", "move_in_date"])
@pytest.mark.parametrize("value", ["2023-02-30", "2023-1-5", "garbage", "2023/01/17", "20230117", "17-01-2023",
                                   "2023-01-17T00:00:00", "2023-13-01", "0000-01-01"])
def test_malformed_date_is_400_date_format_invalid(travtus, name, value):
    response = travtus.leases({name: value})
    assert error_of(response) == (400, "date_format_invalid", DATE_INVALID.format(name=name))


@pytest.mark.parametrize("name, value, hint", [
    ("offset", "-1", "It must be an integer greater than or equal to 0."),
    ("offset", "abc", "It must be an integer greater than or equal to 0."),
    ("offset", "1.5", "It must be an integer greater than or equal to 0."),
    ("limit", "0", "It must be an integer greater than or equal to 1."),
    ("limit", "-3", "It must be an integer greater than or equal to 1."),
    ("limit", "ten", "It must be an integer greater than or equal to 1."),
    ("after_id", "not-a-cursor",
     "Pass the pagination.next_cursor or pagination.previous_cursor value of a previous response."),
    ("address[latitude]", "north", "It must be a number."),
])
def test_invalid_paging_or_address_value_is_400_invalid_parameter_naming_it(travtus, name, value, hint):
    response = travtus.leases({"identifier": "lease-1", name: value})
    assert error_of(response) == (400, "invalid_parameter", f"The value provided for '{name}' is not valid. {hint}")


def test_unknown_address_field_is_400_invalid_parameter(travtus):
    response = travtus.leases({"address[street]": "Main"})
    status, kind, message = error_of(response)
    assert (status, kind) == (400, "invalid_parameter")
    assert message.startswith("The value provided for 'address[street]' is not valid. It is not a known field")


# -- check order after authorization: validity, search presence, group conflict --------------------------

def test_invalid_parameter_is_reported_before_missing_search_parameters(travtus):
    assert error_of(travtus.leases({"offset": "-1"}))[1] == "invalid_parameter"


def test_invalid_date_is_reported_before_conflicting_group_identifiers(travtus):
    response = travtus.leases({"group_ids": "group-1", "group_external_refs": "community-1", "end_date": "x"})
    assert error_of(response)[1] == "date_format_invalid"


def test_first_invalid_parameter_in_the_spec_order_is_the_one_reported(travtus):
    response = travtus.leases({"limit": "0", "start_date": "bad", "offset": "-1"})
    assert error_of(response) == (400, "date_format_invalid", DATE_INVALID.format(name="start_date"))


# -- the document's example and both paths ----------------------------------------------------------------

@pytest.mark.sandbox
@pytest.mark.parametrize("path", ["/leases/", "/leases"])
def test_documented_example_query_returns_the_example_leases(travtus, path):
    response = travtus.leases({"start_date": "2023-01-17"}, token=GROUP_A, path=path)
    assert response.status_code == 200
    body = response.json()
    assert body["data"][0] == LEASE_1
    assert body["data"][1]["tenants"] == LEASE_2_TENANTS
    assert [(lease["identifier"], lease["is_furnished"], lease["deposit"], lease["rent"]) for lease in body["data"]] \
        == [("lease-1", False, 1400.0, 700.0), ("lease-2", True, 1600.0, 800.0)]
    assert body["pagination"] == {"count": 2, "next_cursor": None, "previous_cursor": None}


@pytest.mark.sandbox
def test_both_paths_answer_the_same(travtus):
    assert travtus.page(ALL_GROUPS) == travtus.leases(ALL_GROUPS, path="/leases").json()


@pytest.mark.sandbox
def test_response_uses_data_and_pagination_not_the_leftover_leases_key(travtus):
    body = travtus.page({"identifier": "lease-1"})
    assert set(body) == {"data", "pagination"}


# -- filters: exact match on each, combined with AND ------------------------------------------------------

@pytest.mark.sandbox
def test_identifier_filter_is_exact(travtus):
    assert found(travtus, {"identifier": "lease-1"}) == ["lease-1"]
    assert error_of(travtus.leases({"identifier": "lease"}))[0] == 404
    assert error_of(travtus.leases({"identifier": "LEASE-1"}))[0] == 404


@pytest.mark.sandbox
@pytest.mark.parametrize("name", ["start_date", "end_date", "move_in_date"])
def test_date_filter_is_an_exact_match_not_a_bound(travtus, every_lease, name):
    dated = [lease for lease in every_lease if lease[name]]
    value = sorted(lease[name] for lease in dated)[len(dated) // 2]  # a date in the middle of the range
    expected = [lease["identifier"] for lease in every_lease if lease[name] == value]
    assert found(travtus, {name: value}) == expected
    assert any(lease[name] > value for lease in dated) and any(lease[name] < value for lease in dated)


@pytest.mark.sandbox
def test_start_date_of_the_example_returns_only_leases_starting_that_day(travtus, every_lease):
    assert found(travtus, {"start_date": "2023-01-17"}) == ["lease-1", "lease-2", "lease-3"]
    assert any(lease["start_date"] > "2023-01-17" for lease in every_lease)


@pytest.mark.sandbox
def test_group_ids_filter_takes_a_comma_separated_list(travtus):
    one, two = found(travtus, {"group_ids": "group-1"}), found(travtus, {"group_ids": "group-2"})
    both = found(travtus, {"group_ids": "group-1,group-2"})
    assert one and two and not set(one) & set(two)
    assert sorted(both) == sorted(one + two)


@pytest.mark.sandbox
def test_group_ids_list_tolerates_spaces_and_empty_items(travtus):
    assert found(travtus, {"group_ids": " group-1 , group-2,,"}) == found(travtus, {"group_ids": "group-1,group-2"})


@pytest.mark.sandbox
def test_group_external_refs_filter_matches_the_groups_with_those_refs(travtus):
    assert found(travtus, {"group_external_refs": "community-1, community-3"}) == \
        found(travtus, {"group_ids": "group-1,group-3"})


@pytest.mark.sandbox
def test_unit_identifier_filter(travtus, every_lease):
    assert found(travtus, {"unit_identifier": "unit-id-1"}) == ["lease-1"]
    unit = every_lease[-1]["unit_id"]
    assert found(travtus, {"unit_identifier": unit}) == [lease["identifier"] for lease in every_lease
                                                           if lease["unit_id"] == unit]


@pytest.mark.sandbox
def test_unit_external_ref_filter(travtus, every_lease):
    assert found(travtus, {"unit_external_ref": "unit-external-ref-2"}) == ["lease-2"]
    ref = every_lease[-1]["unit_external_ref"]
    assert found(travtus, {"unit_external_ref": ref}) == [lease["identifier"] for lease in every_lease
                                                           if lease["unit_external_ref"] == ref]


@pytest.mark.sandbox
def test_address_field_matches_case_insensitively(travtus, every_lease):
    expected = [lease["identifier"] for lease in every_lease if lease["address"]["city"] == "Boston"]
    assert expected
    assert found(travtus, {"address[city]": "boston"}) == expected
    assert found(travtus, {"address[city]": "BOSTON"}) == expected


@pytest.mark.sandbox
def test_more_address_fields_narrow_the_search(travtus, every_lease):
    params = {"address[city]": "Boston", "address[address_line_2]": "apt 101"}
    assert found(travtus, params) == [lease["identifier"] for lease in every_lease
                                      if lease["address"]["city"] == "Boston"
                                      and lease["address"]["address_line_2"] == "Apt 101"]
    assert len(found(travtus, params)) < len(found(travtus, {"address[city]": "Boston"}))


@pytest.mark.sandbox
def test_address_is_an_exact_match_not_a_substring(travtus):
    assert error_of(travtus.leases({"address[city]": "Bost"})) == (404, "not_found", NOT_FOUND)


@pytest.mark.sandbox
def test_address_latitude_and_longitude_match_exactly(travtus, every_lease):
    params = {"address[latitude]": "42.3601", "address[longitude]": "-71.0512"}
    assert found(travtus, params) == [lease["identifier"] for lease in every_lease
                                      if lease["address"]["latitude"] == 42.3601
                                      and lease["address"]["longitude"] == -71.0512]
    assert error_of(travtus.leases({"address[latitude]": "42.36"}))[0] == 404


@pytest.mark.sandbox
def test_filters_combine_with_and(travtus, every_lease):
    params = {"group_ids": "group-2", "address[city]": "Denver"}
    denver = [lease["identifier"] for lease in every_lease if lease["address"]["city"] == "Denver"]
    assert found(travtus, params) == denver
    assert error_of(travtus.leases({"group_ids": "group-1", "address[city]": "Denver"}))[0] == 404


# -- group scoping -----------------------------------------------------------------------------------------

@pytest.mark.sandbox
def test_group_a_token_sees_a_strict_subset_of_the_full_token(travtus, every_lease):
    group_a = found(travtus, ALL_GROUPS, token=GROUP_A)
    assert set(group_a) < set(identifiers(every_lease))
    assert group_a == found(travtus, {"group_ids": "group-1"}, token="trv_sandbox_full")


@pytest.mark.sandbox
def test_without_a_group_filter_a_token_gets_every_group_it_can_access(travtus):
    assert found(travtus, {"start_date": "2023-01-17"}, token="trv_sandbox_full") == ["lease-1", "lease-2", "lease-3"]
    assert found(travtus, {"start_date": "2023-01-17"}, token=GROUP_A) == ["lease-1", "lease-2"]


@pytest.mark.sandbox
@pytest.mark.parametrize("params", [{"group_ids": "group-2"}, {"group_external_refs": "community-2"},
                                    {"identifier": "lease-3"}, {"unit_identifier": "unit-id-3"},
                                    {"address[city]": "Austin"}, {"group_ids": "group-404"}])
def test_asking_for_a_group_outside_the_token_is_404_not_found(travtus, params):
    assert error_of(travtus.leases(params, token=GROUP_A)) == (404, "not_found", NOT_FOUND)


@pytest.mark.needs("TRAVTUS_LIMITED_TOKEN", "TRAVTUS_OUT_OF_SCOPE_GROUP")
def test_a_limited_token_does_not_read_a_group_outside_its_scope(travtus, variables):
    group = {"group_ids": variables("TRAVTUS_OUT_OF_SCOPE_GROUP")}
    assert travtus.leases(group).status_code == 200, "TRAVTUS_OUT_OF_SCOPE_GROUP: a group TRAVTUS_TOKEN reads"
    assert error_of(travtus.leases(group, token=variables("TRAVTUS_LIMITED_TOKEN"))) == (404, "not_found", NOT_FOUND)


@pytest.mark.sandbox
def test_outside_groups_in_a_list_are_dropped_silently(travtus):
    assert found(travtus, {"group_ids": "group-1,group-2"}, token=GROUP_A) == \
        found(travtus, {"group_ids": "group-1"}, token="trv_sandbox_full")
