"""Turns the spec's JSON Schema verdict on a property object into the document's 422 `details` strings.

Two formats are documented word for word: `"name" is required.` and
`"unit_type" invalid: "studio". Valid values: ["apartment", "house", ...]`. The others follow their style.
"""

from __future__ import annotations

import json

from jsonschema.exceptions import ValidationError

from ..spec import Spec

TYPE_NAMES = {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "a boolean",
               "array": "an array", "object": "an object", "null": "null"}
_FORMAT_NAMES = {"date": "a date (YYYY-MM-DD)", "email": "an email address", "uri": "a URL", "uuid": "a UUID"}


def property_errors(spec: Spec, schema_name: str, value) -> list[str]:
    """Every field-level problem of a property object, each once, required fields first."""
    schema = spec.document["components"]["schemas"][schema_name]
    field_order = list(spec.component("PropertyInput")["properties"])
    found: dict[str, tuple] = {}
    for error in spec.validator(schema).iter_errors(value):
        for field, message in _messages(error):
            top = field.split(".")[0].split("[")[0]
            rank = (0 if message.endswith(" is required.") else 1,
                    field_order.index(top) if top in field_order else len(field_order), field)
            found.setdefault(field, (rank, message))
    return [message for _, message in sorted(found.values())]


def _field(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _messages(error: ValidationError):
    path = list(error.absolute_path)
    field = _field(path)
    kind, expected, instance, schema = error.validator, error.validator_value, error.instance, error.schema
    if kind == "required":
        for name in expected:
            if isinstance(instance, dict) and name not in instance:
                yield _field([*path, name]), f'"{_field([*path, name])}" is required.'
    elif kind == "additionalProperties":
        known = set(schema.get("properties", {}))
        for name in instance:
            if name not in known:
                yield _field([*path, name]), f'"{_field([*path, name])}" is not a known field.'
    elif kind == "enum":
        yield field, f'"{field}" invalid: {json.dumps(instance)}. Valid values: {json.dumps(expected)}'
    elif kind == "const":
        yield field, f'"{field}" invalid: {json.dumps(instance)}. Valid values: {json.dumps([expected])}'
    elif kind == "type":
        types = [expected] if isinstance(expected, str) else [t for t in expected if t != "null"]
        nullable = not isinstance(expected, str) and "null" in expected
        wanted = " or ".join(TYPE_NAMES[t] for t in types) + (" or null" if nullable else "")
        yield field, f'"{field}" must be {wanted}.'
    elif kind == "pattern":
        yield field, f'"{field}" {schema.get("x-pattern-message", f"must match {expected}")}.'
    elif kind == "format":
        yield field, f'"{field}" must be {_FORMAT_NAMES.get(expected, expected)}.'
    elif kind == "minimum":
        yield field, f'"{field}" must be greater than or equal to {expected}.'
    elif kind == "maximum":
        yield field, f'"{field}" must be less than or equal to {expected}.'
    elif kind == "minLength":
        yield field, f'"{field}" must not be empty.'
    elif kind == "maxLength":  # (never the value itself: it may be a megabyte long)
        yield field, f'"{field}" must be at most {expected} characters long.'
    elif kind == "maxItems":
        yield field, f'"{field}" must not have more than {expected} items.'
    elif kind == "uniqueItems":
        yield field, f'"{field}" must not contain duplicates.'
    elif kind == "minProperties":
        yield field, f'"{field}" must not be empty.'
    else:
        yield field, f'"{field}" invalid: {error.message}.'
