"""The Leasey rules as plain functions, without an app or a server: the 422 detail strings, slugs, the report
buckets, Days_Listed and the defaults (one test per documented behaviour; the section of the document cited)."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from mock_server.leasey.catalog import Catalog
from mock_server.leasey.portfolio import Slugs
from mock_server.leasey.reports import days_listed
from mock_server.leasey.validation import property_errors
from mock_server.spec import Spec

SPEC = Spec(Path(__file__).resolve().parent.parent / "openapi" / "leasey.yaml")
CATALOG = Catalog(SPEC)
VALID = {"name": "Maple 1", "address": "1 Maple St", "city": "Toronto", "province_state": "ON", "country": "Canada"}


def test_a_missing_required_field_is_reported_in_the_documented_format():  # §13
    assert property_errors(SPEC, "PropertyCreate", {k: v for k, v in VALID.items() if k != "name"}) == [
        '"name" is required.']


def test_an_unlisted_enum_value_lists_the_valid_ones():  # §13: "unit_type" invalid: "studio". Valid values: [...]
    details = property_errors(SPEC, "PropertyCreate", {**VALID, "unit_type": "studio"})
    assert details == [f'"unit_type" invalid: "studio". Valid values: {CATALOG.enum("UnitType")}'.replace("'", '"')]


def test_every_failing_field_is_reported_once_required_ones_first():
    details = property_errors(SPEC, "PropertyCreate", {"bedrooms": "two", "unit_type": "studio"})
    required = [d for d in details if d.endswith(" is required.")]
    assert details[:len(required)] == required and len(required) >= 5
    assert len(details) == len(set(details))


def test_a_valid_property_has_no_errors():
    assert property_errors(SPEC, "PropertyCreate", VALID) == []


@pytest.mark.parametrize("name, suite, slug", [("Maple Court", "101", "maple-court-101"),  # §5 {name}-{suite_unit}
                                               ("12 King St. W", None, "12-king-st-w"),
                                               ("Château ###", None, "ch-teau"), ("!!!", None, "property")])
def test_the_slug_is_name_then_suite_lower_case_and_dashed(name, suite, slug):
    assert CATALOG.slug_base(name, suite) == slug


def test_a_taken_slug_takes_the_first_free_suffix():
    assert CATALOG.slug("Unit 1", None, {"unit-1", "unit-1-2", "unit-1-4"}) == "unit-1-3"


def test_the_generators_slugs_follow_the_write_paths_rule():
    """portfolio.Slugs counts per base to stay linear at scale; it gives what Catalog.slug gives, name by name."""
    rng, taken, fast = random.Random(5), set(), Slugs(CATALOG)
    for _ in range(400):
        name, suite = rng.choice(["Unit", "Unit 1", "Unit 1-2", "Oak"]), rng.choice([None, "1", "2", "1-2"])
        expected = CATALOG.slug(name, suite, taken)
        taken.add(expected)
        assert fast.take(name, suite) == expected


@pytest.mark.parametrize("schema, count, label", [
    ("LeadStatus", 0, "No Leads"), ("LeadStatus", 1, "1-5 Leads"), ("LeadStatus", 5, "1-5 Leads"),  # §4
    ("LeadStatus", 6, "6-10 Leads"), ("LeadStatus", 10, "6-10 Leads"), ("LeadStatus", 11, "10+ Leads"),
    ("LeaseStatus", 0, "No Active Leases"), ("LeaseStatus", 1, "1 Active Lease"), ("LeaseStatus", 2, "Multiple Leases"),
])
def test_counts_fall_in_the_documented_buckets(schema, count, label):
    assert CATALOG.bucket(schema, count) == label


@pytest.mark.parametrize("start, end, days", [
    (date(2026, 5, 1), None, 31),  # still listed: days since marketing start (§4)
    (date(2026, 5, 1), date(2026, 5, 11), 10),  # ended: the days it was on the market
    (date(2026, 5, 1), date(2026, 7, 1), 31),  # an end in the future counts to today
    (date(2026, 7, 1), None, 0),  # starts later: never negative
    (None, None, 0),
])
def test_days_listed(start, end, days):
    assert days_listed(start, end, date(2026, 6, 1)) == days


@pytest.mark.parametrize("bedrooms, occupancy", [(0, 0), (0.5, 1), (1, 2), (2.5, 5), (4, 8)])
def test_max_occupancy_defaults_to_bedrooms_times_two(bedrooms, occupancy):  # §6
    assert CATALOG.max_occupancy(bedrooms) == occupancy


def test_the_section_6_defaults_come_from_the_spec():
    defaults = CATALOG.property_defaults
    assert (defaults["rent_payment_frequency"], defaults["renewal_frequency"], defaults["unit_type"],
            defaults["rental_space"], defaults["furnishing"], defaults["storage_available"]) == (
        "monthly", "month to month", "apartment", "entire place", 2, 2)
