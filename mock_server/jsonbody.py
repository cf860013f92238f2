"""Request bodies parsed strictly: JSON as RFC 8259 defines it, nested at most MAX_DEPTH deep.

Python's json module accepts NaN, Infinity and -Infinity, which are not JSON, and recurses once per level
of nesting, so a body of a few kilobytes of brackets exhausted the stack (a 500 before authentication).
Here the nesting is measured first, without recursing, and a deeper body is malformed like any other.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # arrays and objects inside each other; the deepest documented request body nests 4 deep
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_OPENING = frozenset(b"[{")


class MalformedJson(ValueError):
    pass


class NotText(MalformedJson):
    """JSON escapes can spell lone surrogates (\\ud800), which are not text: no engine can store them."""


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the arrays and objects of a JSON text nest deeper than `limit` (brackets in strings aside)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:  # the usual case: too few brackets to be that deep
        return False
    depth = 0
    for byte in _STRING.sub(b"", raw).translate(None, _NOT_A_BRACKET):
        if byte in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _not_json(constant: str):
    raise MalformedJson(f"{constant} is not a JSON value")


def loads(raw: bytes) -> Any:
    """The JSON value of a request body; MalformedJson for anything that is not JSON or nests too deep."""
    if too_deep(raw):
        raise MalformedJson(f"the body nests deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(raw, parse_constant=_not_json)
    except MalformedJson:
        raise
    except ValueError as error:  # includes UnicodeDecodeError: bytes that are not UTF-8 (or -16, -32) text
        raise MalformedJson(str(error)) from None
    if b"\\u0000" in raw and holds_nul(value):
        raise MalformedJson("a string holds U+0000 (NUL), which is not text a database column can store")
    return value


def read_object(raw: bytes) -> dict:
    """The one reader of a request body that must be a JSON object, for every API: MalformedJson when it is not JSON
    or not an object, NotText when it is but its escapes spell a lone surrogate."""
    value = loads(raw)
    if not isinstance(value, dict):
        raise MalformedJson("the body is not a JSON object")
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise NotText("a string holds a lone surrogate") from None
    return value


def holds_nul(value: Any) -> bool:
    """Whether any string (or key) in a JSON value holds U+0000: PostgreSQL text cannot, so the sandbox refuses
    it on every engine alike (without recursing: the value may nest MAX_DEPTH deep)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
