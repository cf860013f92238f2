"""GET /leases/ pagination invariants any target must keep, on a search the suite finds itself (no sandbox data):
a page whose `count` exceeds the records seen so far carries a `next_cursor`; the cursor walk ends exactly at
`count`; offset and limit agree with the cursor walk; no page holds more than 100 records."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from .support.travtus import identifiers, travtus_fixture  # noqa: F401 - fixture

pytestmark = [pytest.mark.travtus]

DOCUMENT_EXAMPLE = "start_date=2023-01-17"  # the document's own example query
PAGES = 4  # the walk's page size is chosen so a walk takes about this many pages


@pytest.fixture(scope="module")
def search(travtus, target) -> tuple[dict, int]:
    """(a search matching at least two leases, how many it matches): TRAVTUS_SEARCH, else the document's example."""
    params = dict(parse_qsl(target.variable("TRAVTUS_SEARCH") or DOCUMENT_EXAMPLE))
    response = travtus.leases(params)
    count = response.json()["pagination"]["count"] if response.status_code == 200 else 0
    if count < 2:
        too_few(target, f"{'&'.join(f'{k}={v}' for k, v in params.items())} matched {count} lease(s); "
                        "two or more are needed")
    return params, count


def too_few(target, why: str):
    if not target.variable("TRAVTUS_SEARCH"):
        pytest.skip(f"waits for TRAVTUS_SEARCH ({why})")
    pytest.skip(f"TRAVTUS_SEARCH: {why}")


def page_size(count: int) -> int:
    return min(100, max(1, -(-count // PAGES)))


def walk(travtus, params: dict, limit: int) -> tuple[list[dict], list[dict]]:
    """Follow next_cursor, checking at each page that a count beyond the records seen comes with a next_cursor."""
    leases, pages, cursor, seen_cursors = [], [], None, set()
    while True:
        body = travtus.page({**params, "limit": limit, **({"after_id": cursor} if cursor else {})})
        leases += body["data"]
        pages.append(body["pagination"])
        cursor = body["pagination"]["next_cursor"]
        count = body["pagination"]["count"]
        if count > len(leases):
            assert cursor, (f"page {len(pages)}: count {count} but {len(leases)} records seen, "
                            f"and next_cursor is {cursor!r}")
        if not cursor:
            return leases, pages
        assert cursor not in seen_cursors, f"next_cursor {cursor!r} came back on page {len(pages)}"
        seen_cursors.add(cursor)
        assert len(leases) <= count, f"{len(leases)} records walked for count {count}"


def test_a_page_short_of_count_carries_next_cursor(travtus, search):
    params, count = search
    _, pages = walk(travtus, params, page_size(count))
    assert len(pages) == -(-count // page_size(count))
    assert pages[-1]["next_cursor"] is None


def test_the_cursor_walk_ends_exactly_at_count(travtus, search):
    params, count = search
    leases, pages = walk(travtus, params, page_size(count))
    names = identifiers(leases)
    assert len(names) == len(set(names)), "a lease came twice"
    assert len(names) == count == pages[-1]["count"]
    assert all(page["count"] == count for page in pages)


def test_offset_and_limit_agree_with_the_cursor_walk(travtus, search):
    params, count = search
    limit = page_size(count)
    leases, _ = walk(travtus, params, limit)
    assert travtus.offset_walk(params, limit=limit) == leases
    assert travtus.page({**params, "offset": 1, "limit": 1})["data"] == leases[1:2]


def test_a_page_holds_at_most_100_records(travtus, search, target):
    params, count = search
    if count <= 100:
        too_few(target, f"the search matches {count} leases; this check needs more than 100")
    body = travtus.page({**params, "limit": 1000})
    assert len(body["data"]) == 100 and body["pagination"]["next_cursor"]
