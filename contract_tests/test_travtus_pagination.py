"""GET /leases/ pagination: the cursor walk, offset/limit, the 100-record cap, previous_cursor, and a walk that
stays exact while leases are being added."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .support.travtus import (  # noqa: F401 - fixtures
    ALL_GROUPS,
    every_lease_fixture,
    extra_leases,
    identifiers,
    travtus_fixture,
)

pytestmark = [pytest.mark.travtus, pytest.mark.sandbox]


def test_cursor_walk_visits_every_lease_exactly_once(travtus):
    leases, pages = travtus.cursor_walk(ALL_GROUPS)
    names = identifiers(leases)
    assert len(names) == len(set(names))  # no repeats
    assert len(names) == pages[0]["count"]  # no gaps
    assert len(names) >= 300 and len(pages) >= 4
    assert all(page["count"] == pages[0]["count"] for page in pages)


def test_cursors_are_null_at_the_ends_and_set_in_between(travtus):
    _, pages = travtus.cursor_walk(ALL_GROUPS)
    assert pages[0]["previous_cursor"] is None
    assert pages[-1]["next_cursor"] is None
    assert all(page["next_cursor"] for page in pages[:-1])
    assert all(page["previous_cursor"] for page in pages[1:])


def test_every_page_but_the_last_has_100_records(travtus):
    sizes, cursor = [], None
    while True:
        body = travtus.page({**ALL_GROUPS, **({"after_id": cursor} if cursor else {})})
        sizes.append(len(body["data"]))
        cursor = body["pagination"]["next_cursor"]
        if cursor is None:
            break
    assert set(sizes[:-1]) == {100}
    assert 1 <= sizes[-1] <= 100


def test_offset_limit_walk_equals_the_cursor_walk(travtus, every_lease):
    assert travtus.offset_walk(ALL_GROUPS, limit=100) == every_lease
    assert travtus.offset_walk(ALL_GROUPS, limit=37) == every_lease


def test_cursor_walk_with_a_small_limit_equals_the_default_walk(travtus, every_lease):
    leases, pages = travtus.cursor_walk(ALL_GROUPS, limit=45)
    assert leases == every_lease
    assert len(pages) == -(-len(every_lease) // 45)


def test_limit_above_100_returns_at_most_100_records(travtus):
    body = travtus.page({**ALL_GROUPS, "limit": 500})
    assert len(body["data"]) == 100
    assert body["pagination"]["next_cursor"] is not None


def test_limit_above_100_walk_still_visits_everything(travtus, every_lease):
    leases, _ = travtus.cursor_walk(ALL_GROUPS, limit=1000)
    assert leases == every_lease


def test_count_is_the_total_matching_not_the_page_size(travtus, every_lease):
    body = travtus.page({**ALL_GROUPS, "limit": 5})
    assert len(body["data"]) == 5
    assert body["pagination"]["count"] == len(every_lease)


def test_count_follows_the_filters(travtus, every_lease):
    body = travtus.page({"group_ids": "group-1", "limit": 1})
    assert 0 < body["pagination"]["count"] < len(every_lease)


def test_previous_cursor_goes_back_one_page(travtus, every_lease):
    first = travtus.page({**ALL_GROUPS, "limit": 20})
    second = travtus.page({**ALL_GROUPS, "limit": 20, "after_id": first["pagination"]["next_cursor"]})
    third = travtus.page({**ALL_GROUPS, "limit": 20, "after_id": second["pagination"]["next_cursor"]})
    back = travtus.page({**ALL_GROUPS, "limit": 20, "after_id": third["pagination"]["previous_cursor"]})
    assert back["data"] == second["data"] == every_lease[20:40]
    assert back["pagination"] == second["pagination"]


def test_walking_back_from_the_last_page_reaches_the_first(travtus, every_lease):
    _, pages = travtus.cursor_walk(ALL_GROUPS)
    leases, cursor = [], pages[-1]["previous_cursor"]
    while cursor:
        body = travtus.page({**ALL_GROUPS, "after_id": cursor})
        leases = body["data"] + leases
        cursor = body["pagination"]["previous_cursor"]
    assert leases == every_lease[:100 * (len(pages) - 1)]


def test_a_cursor_is_opaque_and_survives_a_round_trip(travtus):
    cursor = travtus.page(ALL_GROUPS)["pagination"]["next_cursor"]
    again = travtus.page(ALL_GROUPS)["pagination"]["next_cursor"]
    assert cursor == again
    assert "lease" not in cursor


def test_walk_during_inserts_visits_every_original_lease_exactly_once(travtus, sandbox_db, every_lease):
    with extra_leases(sandbox_db, count=3, prefix="walk-insert") as insert:
        added: list[str] = []
        leases, pages = travtus.cursor_walk(ALL_GROUPS, between_pages=lambda _page: added.extend(insert()))
        names = identifiers(leases)
        assert len(names) == len(set(names))
        original = [name for name in names if not name.startswith("walk-insert")]
        assert original == identifiers(every_lease)  # each once, in the original order
        new = names[len(original):]  # leases added during the walk come after every original one
        assert set(new) <= set(added) and new
        assert pages[-1]["count"] == len(every_lease) + len(added)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True)
@given(offset=st.integers(min_value=0, max_value=420), limit=st.integers(min_value=1, max_value=150))
def test_any_offset_and_limit_is_a_slice_of_the_walk(travtus, every_lease, offset, limit):
    body = travtus.page({**ALL_GROUPS, "offset": offset, "limit": limit})
    assert body["data"] == every_lease[offset:offset + min(limit, 100)]
    assert body["pagination"]["count"] == len(every_lease)
    assert (body["pagination"]["next_cursor"] is None) == (offset + min(limit, 100) >= len(every_lease))
    assert (body["pagination"]["previous_cursor"] is None) == (offset == 0)
