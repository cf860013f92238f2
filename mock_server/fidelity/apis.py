"""What recording and comparing know of the two APIs: their specs (to name operations and read schemas), where
a URL puts each one, the sandbox's own credentials (read from the fixtures), and one plain HTTP exchange."""

from __future__ import annotations

import gzip
import http.client
import re
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from ..settings import API_NAMES, ROOT
from ..spec import Operation, Spec, load_yaml


@cache
def spec(api: str) -> Spec:
    return Spec(Path(ROOT) / "openapi" / f"{api}.yaml")


@cache
def _routes(api: str) -> list[tuple[re.Pattern, Operation]]:
    """The spec's operations as path patterns, literal paths before templated ones (/properties/leads before
    /properties/{property_id})."""
    routes = [(re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path)) + "$"), op)
              for op in spec(api).operations]
    return sorted(routes, key=lambda route: route[1].path.count("{"))


def operation(api: str, method: str, path: str) -> Operation | None:
    """The operation a request is for: by method and path, or, for a method the path does not take, the
    path's first operation (the 405 is still that path's answer)."""
    on_path = [op for pattern, op in _routes(api) if pattern.match(path)]
    return next((op for op in on_path if op.method == method.upper()), on_path[0] if on_path else None)


def operation_id(api: str, method: str, path: str) -> str | None:
    found = operation(api, method, path)
    if found is None:
        return None
    return found.operation_id if found.method == method.upper() else f"{found.operation_id} ({method.upper()})"


def parse_bases(values: list[str] | None) -> dict[str | None, str]:
    """`[api=]URL` options: {api: URL} for one API at URL's root, {None: URL} for a root serving every API
    under /<api> (like `mock-server serve`)."""
    bases: dict[str | None, str] = {}
    for value in values or []:
        name, sep, url = value.partition("=")
        if sep and name in API_NAMES:
            bases[name] = url.rstrip("/")
        else:
            bases[None] = value.rstrip("/")
    return bases


def base_url(bases: dict[str | None, str], api: str) -> str | None:
    """Where `api` is served: its own URL, or /<api> under the shared root."""
    if api in bases:
        return bases[api]
    return f"{bases[None]}/{api}" if None in bases else None


@cache
def sandbox_credentials() -> dict[str, str]:
    """The sandbox's own credentials under the recorder's names (fixtures/*.yaml are where they are defined)."""
    leasey = load_yaml((Path(ROOT) / "fixtures" / "leasey.yaml").read_text())
    travtus = load_yaml((Path(ROOT) / "fixtures" / "travtus.yaml").read_text())
    companies = [c for c in leasey["companies"] if any(u.get("is_admin") for u in c.get("users", []))]
    no_admin = next(c for c in leasey["companies"] if not any(u.get("is_admin") for u in c.get("users", [])))
    client = travtus["clients"][0]
    tokens = travtus["tokens"]
    every = next(t["token"] for t in tokens if t["group_ids"] == "all" and not t.get("always_expired"))
    limited = next(t["token"] for t in tokens if t["group_ids"] != "all")
    expired = next(t["token"] for t in tokens if t.get("always_expired"))
    return {"LEASEY_API_TOKEN": leasey["api_token"], "LEASEY_COMPANY_ID": str(companies[0]["id"]),
            "LEASEY_COMPANY_PASSWORD": companies[0]["password"],
            "LEASEY_OTHER_COMPANY_ID": str(companies[1]["id"]), "LEASEY_OTHER_COMPANY_PASSWORD": companies[1]["password"],
            "LEASEY_NO_ADMIN_COMPANY_ID": str(no_admin["id"]), "LEASEY_NO_ADMIN_COMPANY_PASSWORD": no_admin["password"],
            "TRAVTUS_CLIENT_ID": client["client_id"], "TRAVTUS_CLIENT_SECRET": client["client_secret"],
            "TRAVTUS_TOKEN": every, "TRAVTUS_LIMITED_TOKEN": limited, "TRAVTUS_EXPIRED_TOKEN": expired}


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes  # as sent on the wire (compressed if it was)

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def decoded(self) -> bytes:
        """The body with its Content-Encoding (gzip, deflate) undone: what the cassette keeps."""
        encoding = (self.header("Content-Encoding") or "").lower()
        try:
            if encoding == "gzip":
                return gzip.decompress(self.body)
            if encoding == "deflate":
                return zlib.decompress(self.body)
        except (OSError, zlib.error):
            pass
        return self.body


def send(method: str, url: str, headers: list[tuple[str, str]], body: bytes, timeout: float = 60) -> Answer:
    """One HTTP exchange, nothing added or followed (no redirects, no retries, no decoding)."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.netloc, timeout=timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body or method.upper() in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return Answer(response.status, list(response.getheaders()), response.read())
    finally:
        connection.close()
