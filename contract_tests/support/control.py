"""The sandbox's control API (openapi/sandbox.yaml, under /_sandbox) as the contract tests use it: the clock and the
billing items, over HTTP, so the sandbox-only scenarios run against `make serve` as well as a served mock."""

from __future__ import annotations

from contextlib import contextmanager

import requests


class SandboxControl:
    def __init__(self, url: str, headers: dict):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(headers)

    def _call(self, method: str, path: str, **kwargs):
        response = self.session.request(method, f"{self.url}{path}", timeout=30, **kwargs)
        assert response.ok, f"{method} /_sandbox{path} -> {response.status_code}: {response.text[:300]}"
        return response.json()

    def advance_clock(self, seconds: int) -> dict:
        return self._call("POST", "/clock/advance", json={"seconds": seconds})

    @contextmanager
    def clock_moved(self, seconds: int):
        """Move the sandbox clock (every worker reads it), and put it back afterwards."""
        self.advance_clock(seconds)
        try:
            yield
        finally:
            self.advance_clock(-seconds)

    def billing_items(self, company_id: int, property_id: int | None = None) -> list[dict]:
        params = {"company_id": company_id, **({"property_id": property_id} if property_id is not None else {})}
        return self._call("GET", "/billing-items", params=params)
