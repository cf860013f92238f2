"""Secrets out of everything the sandbox records: the journal and the request log."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

MASK = "***"
SECRET_HEADERS = frozenset({"authorization", "x-company-password", "x-sandbox-admin-token", "cookie"})
SECRET_FIELDS = frozenset({"password", "token", "client_secret", "access_token", "refresh_token", "api_token"})
_CONTAINERS = (dict, list)  # what fields() copies (a tuple: faster in isinstance than dict | list)


def header(name: str, value: str) -> str:
    """A header value as it may be recorded: the scheme word of Authorization is kept, the credential is not."""
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, credential = value.strip().partition(" ")
    if name.lower() == "authorization" and credential:
        return f"{scheme} {MASK}"
    return MASK


def headers(items) -> dict[str, str]:
    return {name: header(name, value) for name, value in items}


def fields(value: Any) -> Any:
    """A JSON-like value with every secret-named field (at any depth) replaced.

    Copied from a work list, not by recursion: no nesting depth can exhaust the stack."""
    if not isinstance(value, _CONTAINERS):
        return value
    result = [None]
    work = [(value, result, 0)]  # (a container to copy, where its copy goes, under which key or index)
    while work:
        source, parent, slot = work.pop()
        if isinstance(source, dict):
            copy: Any = {}
            for key, item in source.items():
                if isinstance(key, str) and key.lower() in SECRET_FIELDS:
                    copy[key] = MASK
                elif isinstance(item, _CONTAINERS):
                    copy[key] = None
                    work.append((item, copy, key))
                else:
                    copy[key] = item
        else:
            copy = []
            for index, item in enumerate(source):
                if isinstance(item, _CONTAINERS):
                    copy.append(None)
                    work.append((item, copy, index))
                else:
                    copy.append(item)
        parent[slot] = copy
    return result[0]


def query_string(raw: str) -> str:
    """A URL query string with secret-named parameters replaced (order and repeats kept)."""
    if not raw:
        return ""
    pairs = parse_qsl(raw, keep_blank_values=True)
    return urlencode([(key, MASK if key.lower() in SECRET_FIELDS else value) for key, value in pairs], safe="*/:,")
