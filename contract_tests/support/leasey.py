"""A thin Leasey client for scenarios: auth placed the way the document says, nothing else hidden."""

from __future__ import annotations

import uuid


class LeaseyClient:
    def __init__(self, http, base_url: str, creds: dict):
        self.http = http
        self.base = base_url
        self.token = creds["token"]
        self.company_id = creds["company_id"]
        self.password = creds["password"]

    def auth_headers(self, password: str | None = None) -> dict:
        return {"Authorization": f"Bearer {self.token}", "X-Company-Password": password or self.password}

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.http.get(self.base + path, params=params, headers=headers, timeout=60)

    def report(self, kind: str, company_id: int | None = None, password: str | None = None, **params):
        params = {"company_id": company_id or self.company_id, **params}
        return self.get(f"/reports/{kind}", params, self.auth_headers(password))

    def rows(self, kind: str, **params) -> list[dict]:
        response = self.report(kind, **params)
        assert response.status_code == 200, response.text
        return response.json()

    def body(self, prop: dict, **overrides) -> dict:
        return {"company_id": self.company_id, "password": self.password, "property": prop, **overrides}

    def create(self, prop: dict, **overrides):
        return self.http.post(f"{self.base}/properties", json=self.body(prop, **overrides),
                              headers={"Authorization": f"Bearer {self.token}"}, timeout=60)

    def update(self, property_id: str, prop: dict, **overrides):
        return self.http.put(f"{self.base}/properties/{property_id}", json=self.body(prop, **overrides),
                             headers={"Authorization": f"Bearer {self.token}"}, timeout=60)

    def created(self, prop: dict) -> dict:
        response = self.create(prop)
        assert response.status_code == 201, response.text
        return response.json()

    def listing(self, url_slug: str) -> dict:
        """The properties-report row of a listing, found by its slug."""
        matches = [row for row in self.rows("properties") if row["Property_URL_Slug"] == url_slug]
        assert len(matches) == 1, f"{len(matches)} rows with slug {url_slug}"
        return matches[0]


def new_listing(**fields) -> dict:
    """A minimal valid property, named `contract-test …` so a stage's owner can find and remove it."""
    tag = uuid.uuid4().hex[:8]
    return {"name": f"contract-test {tag}", "address": "1 Test St", "city": "Toronto", "province_state": "ON",
            "country": "Canada", **fields}
