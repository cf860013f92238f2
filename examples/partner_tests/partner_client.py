"""Stands for a partner's own integration code: what the tests beside it exercise against the sandbox.

A Leasey client whose report reads retry 5xx answers with backoff (the document's §15 advice, shortened here), and a
Travtus leases reader that fetches an OAuth2 token and gets a new one when it has expired.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request


def _call(url: str, headers: dict, body: dict | None = None, method: str = "GET") -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={**headers, **({"Content-Type": "application/json"} if data else {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as answer:
        return answer.code, json.loads(answer.read() or b"null")


class LeaseyClient:
    def __init__(self, base_url: str, api_token: str, company_id: int, company_password: str, backoff: float = 0.05):
        self.base_url, self.company_id, self.company_password, self.backoff = base_url, company_id, company_password, backoff
        self.headers = {"Authorization": f"Bearer {api_token}", "X-Company-Password": company_password}

    def create_property(self, listing: dict) -> str:
        status, body = _call(f"{self.base_url}/properties", self.headers, method="POST",
                             body={"company_id": self.company_id, "password": self.company_password, "property": listing})
        if status != 201:
            raise RuntimeError(f"create property: {status} {body}")
        return body["property_id"]  # the document: store it, updates need it

    def report(self, name: str, **params) -> list[dict]:
        query = urllib.parse.urlencode({"company_id": self.company_id, **params})
        for attempt in range(4):
            status, body = _call(f"{self.base_url}/reports/{name}?{query}", self.headers)
            if status < 500:
                break
            time.sleep(self.backoff * 2 ** attempt)
        if status != 200:
            raise RuntimeError(f"{name} report: {status} {body}")
        return body


class TravtusLeases:
    def __init__(self, base_url: str, client_id: str, client_secret: str):
        self.base_url, self.client_id, self.client_secret = base_url, client_id, client_secret
        self.token: str | None = None

    def _new_token(self) -> str:
        form = urllib.parse.urlencode({"client_id": self.client_id, "client_secret": self.client_secret,
                                       "grant_type": "client_credentials"}).encode()
        with urllib.request.urlopen(urllib.request.Request(f"{self.base_url}/oauth2/token", data=form),
                                    timeout=60) as response:
            return json.loads(response.read())["access_token"]

    def leases(self, **params) -> list[dict]:
        for _ in range(2):
            self.token = self.token or self._new_token()
            status, body = _call(f"{self.base_url}/leases/?{urllib.parse.urlencode(params)}",
                                {"Authorization": f"Bearer {self.token}"})
            if status != 401:
                break
            self.token = None  # expired: one new token, one more try
        if status != 200:
            raise RuntimeError(f"leases: {status} {body}")
        return body["data"]
