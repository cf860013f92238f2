"""Helpers the Travtus contract tests share: credentials, authorised GET /leases calls, and cursor/offset walks."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest

from mock_server.store import Store, trv_lease_tenants, trv_leases

ALL_GROUPS = {"group_ids": "group-1,group-2,group-3"}  # a search that matches every sandbox lease
TOKEN_FORM = {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "grant_type": "client_credentials"}


class Travtus:
    """GET /leases/ and POST /oauth2/token against one base URL, through the spec-checking session."""

    def __init__(self, http, base_url: str, creds: dict):
        self.http = http
        self.base_url = base_url
        self.creds = creds

    @property
    def token(self) -> str:
        return self.creds["token"]

    def headers(self, token: str | None = None, scheme: str = "Bearer") -> dict:
        return {"Authorization": f"{scheme} {token or self.token}"}

    def leases(self, params: dict | None = None, token: str | None = None, headers: dict | None = None,
               path: str = "/leases/"):
        return self.http.get(f"{self.base_url}{path}", params=params,
                             headers=self.headers(token) if headers is None else headers)

    def request_token(self, data=None, **kwargs):
        form = {"client_id": self.creds["client_id"], "client_secret": self.creds["client_secret"],
                "grant_type": "client_credentials"} if data is None else data
        return self.http.post(f"{self.base_url}/oauth2/token", data=form, **kwargs)

    def page(self, params: dict, token: str | None = None) -> dict:
        response = self.leases(params, token)
        assert response.status_code == 200, response.text
        return response.json()

    def cursor_walk(self, params: dict, token: str | None = None, limit: int | None = None,
                    between_pages=None) -> tuple[list[dict], list[dict]]:
        """Follow next_cursor from the first page to the last: (leases, pagination of each page)."""
        leases, paginations, cursor, seen = [], [], None, set()
        while True:
            query = dict(params)
            if limit is not None:
                query["limit"] = limit
            if cursor is not None:
                query["after_id"] = cursor
            body = self.page(query, token)
            leases += body["data"]
            paginations.append(body["pagination"])
            cursor = body["pagination"]["next_cursor"]
            if cursor is None:
                return leases, paginations
            assert cursor not in seen, f"next_cursor {cursor!r} came back: the walk would never end"
            seen.add(cursor)
            if between_pages is not None:
                between_pages(len(paginations))
            # `count` bounds the walk: more pages than it allows (plus inserts during it) means a loop.
            most = body["pagination"]["count"] // max(1, len(body["data"])) + 3
            assert len(paginations) <= most, f"the cursor walk passed {most} pages for count {body['pagination']['count']}"

    def offset_walk(self, params: dict, limit: int, token: str | None = None) -> list[dict]:
        leases, offset = [], 0
        while True:
            body = self.page({**params, "offset": offset, "limit": limit}, token)
            leases += body["data"]
            offset += limit
            if offset >= body["pagination"]["count"]:
                return leases


def identifiers(leases: list[dict]) -> list[str]:
    return [lease["identifier"] for lease in leases]


def error_of(response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"]["type"], body["error"]["message"]


# Test modules import these fixtures by their function names (`travtus_fixture`) and ask for them by `name`.
@pytest.fixture(scope="session", name="travtus")
def travtus_fixture(http, travtus_url, target):
    if travtus_url is None:
        pytest.skip("the target does not serve the travtus API")
    client = Travtus(http, travtus_url, dict(target.credentials("travtus")))
    if not client.creds.get("token") and client.creds.get("client_id"):  # a real stage given client credentials
        client.creds["token"] = client.request_token().json()["access_token"]
    return client


@pytest.fixture(scope="session", name="every_lease")
def every_lease_fixture(travtus, target) -> list[dict]:
    """The sandbox's leases in walk order, as trv_sandbox_full sees them (the reference other tests compare to)."""
    if not target.is_sandbox:
        pytest.skip("needs the sandbox's fixture data")
    leases, _ = travtus.cursor_walk(ALL_GROUPS, token="trv_sandbox_full")
    return leases


@contextmanager
def extra_leases(database_url: str, count: int, group_id: str = "group-1", unit_id: str = "unit-id-1",
                 prefix: str = "contract-new"):
    """Insert leases straight into the served mock's database; remove them afterwards. Yields an inserter."""
    store = Store(database_url)
    inserted: list[str] = []

    def insert(n: int = count) -> list[str]:
        names = [f"{prefix}-{len(inserted) + i + 1}" for i in range(n)]
        with store.begin() as connection:
            for name in names:
                seq = connection.execute(trv_leases.insert().values(
                    identifier=name, group_id=group_id, unit_id=unit_id, landlord_id="landlord-id-1",
                    start_date=date(2026, 7, 1), end_date=date(2027, 6, 30), move_in_date=date(2026, 7, 1),
                    is_furnished=False, minimum_days_notice=30, deposit=2000.0, rent=2000.0)).inserted_primary_key[0]
                connection.execute(trv_lease_tenants.insert().values(lease_seq=seq, person_id="tenant-id-1",
                                                                     position=0))
        inserted.extend(names)
        return names

    try:
        yield insert
    finally:
        with store.begin() as connection:
            seqs = [row.seq for row in connection.execute(
                trv_leases.select().where(trv_leases.c.identifier.in_(inserted)))]
            connection.execute(trv_lease_tenants.delete().where(trv_lease_tenants.c.lease_seq.in_(seqs)))
            connection.execute(trv_leases.delete().where(trv_leases.c.seq.in_(seqs)))
        store.engine.dispose()
