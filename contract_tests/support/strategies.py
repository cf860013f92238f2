"""Hypothesis strategies built from the spec's JSON Schemas (the subset the Leasey property object uses)."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import strategies as st

_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=20)


def deref(document: dict, node):
    """Resolve local $refs recursively; keywords beside a $ref are kept (OpenAPI 3.1)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target = document
            for token in node["$ref"][2:].split("/"):
                target = target[token]
            merged = {**deref(document, target), **{k: v for k, v in node.items() if k != "$ref"}}
            return {k: deref(document, v) for k, v in merged.items()}
        return {k: deref(document, v) for k, v in node.items()}
    if isinstance(node, list):
        return [deref(document, v) for v in node]
    return node


def from_schema(schema: dict) -> st.SearchStrategy:
    if "allOf" in schema:
        merged = {}
        for part in schema["allOf"]:
            merged.setdefault("properties", {}).update(part.get("properties", {}))
            merged["required"] = sorted({*merged.get("required", []), *part.get("required", [])})
            for key in ("type", "additionalProperties"):
                if key in part:
                    merged[key] = part[key]
        return from_schema(merged)
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    types = schema.get("type", "object")
    if isinstance(types, list):
        return st.one_of([from_schema({**schema, "type": t}) for t in types])
    if types == "null":
        return st.none()
    if types == "boolean":
        return st.booleans()
    if types == "integer":
        return st.integers(min_value=max(schema.get("minimum", -1000), -1000),
                           max_value=min(schema.get("maximum", 10_000), 10_000))
    if types == "number":
        low, high = int(schema.get("minimum", -1000)) * 2, int(min(schema.get("maximum", 10_000), 10_000)) * 2
        return st.integers(min_value=low, max_value=high).map(lambda n: n / 2)
    if types == "string":
        if schema.get("format") == "date":
            return st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
        if schema.get("format") == "email":
            return st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.example", fullmatch=True)
        if schema.get("format") == "uri":
            return st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9]{0,8}", fullmatch=True)
        if "pattern" in schema:
            pattern = schema["pattern"]
            if pattern == "^https://":
                return st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9]{1,8}\.jpg", fullmatch=True)
            # ECMA-262, as the server reads a pattern (mock_server.spec.ecma_pattern): \d is ASCII digits.
            return st.from_regex(re.compile(pattern, re.ASCII), fullmatch=True).filter(lambda s: len(s) < 30)
        return _TEXT
    if types == "array":
        return st.lists(from_schema(schema.get("items", {})), max_size=5, unique=schema.get("uniqueItems", False))
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    return st.fixed_dictionaries(
        {name: from_schema(properties[name]) for name in required},
        optional={name: from_schema(sub) for name, sub in properties.items() if name not in required})
