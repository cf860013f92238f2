"""Loads an OpenAPI document and turns it into routes, parameter coercers and schema validators.

Nothing here knows about Leasey or Travtus: every route, parameter type, enum and required field
comes from the YAML file. Each API renders the generic errors raised here in its own wire format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator, ValidationError, validators

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when built with it: ~10x faster start-up


def load_yaml(text: str):
    """yaml.safe_load, by libyaml where PyYAML has it (the same safe subset)."""
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Query and path numbers are ASCII digits only (\d would take '١٢٣' or '１２３'), matched whole (with fullmatch:
# $ would let a trailing newline through, and int() reads all of these).
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")


@lru_cache(maxsize=256)
def ecma_pattern(pattern: str) -> re.Pattern:
    """A schema `pattern` with the meaning JSON Schema gives it (ECMA-262, as jsonschema-rs and every other
    implementation read it), in Python's re: `\\d` and `\\w` ASCII only (Python's would take '١٢٣'), and `$`
    the end of the text (Python's also matches before a final newline)."""
    out, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "[]":
            in_class = char == "["
        elif char == "$" and not in_class:
            char = r"\Z"
        out.append(char)
    return re.compile("".join(out), re.ASCII)


def _pattern(validator, pattern: str, instance, schema):
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# The request validator: Draft 2020-12 with `pattern` read as ECMA-262 (ecma_pattern).
RequestValidator = validators.extend(Draft202012Validator, {"pattern": _pattern})


class ParameterError(Exception):
    """A request parameter is missing, of the wrong type, or outside its schema."""

    def __init__(self, name: str, location: str, kind: str, schema: dict, detail: str = ""):
        super().__init__(f"{location} parameter {name}: {kind} {detail}".strip())
        self.name = name
        self.location = location
        self.kind = kind  # "missing" | "type" | "invalid" | "unknown_field" (a deepObject member not in the schema)
        self.schema = schema
        self.detail = detail

    @property
    def expected_type(self) -> str:
        types = self.schema.get("type", "string")
        return types if isinstance(types, str) else next(t for t in types if t != "null")


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    schema: dict
    style: str
    explode: bool
    extensions: dict = field(default_factory=dict)


@dataclass
class Operation:
    operation_id: str
    method: str
    path: str
    handler: str
    parameters: list[Parameter]
    request_body: dict | None
    responses: dict
    security: list[dict]
    extensions: dict
    body_schema: dict | None = None  # the JSON request body's schema, dereferenced

    @property
    def flask_rule(self) -> str:
        return re.sub(r"{([^}]+)}", r"<\1>", self.path)

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(f"{self.operation_id} has no parameter {name!r}")

    def response_schema(self, status: int, media_type: str = "application/json") -> dict | None:
        response = self.responses.get(str(status)) or self.responses.get(f"{str(status)[0]}XX")
        if response is None:
            response = self.responses.get("default")
        if response is None:
            return None
        return (response.get("content") or {}).get(media_type, {}).get("schema")

    @property
    def request_schema_properties(self) -> list[str]:
        """Top-level fields of the JSON request body."""
        return list((self.body_schema or {}).get("properties", {}))

    def documents_status(self, status: int) -> bool:
        return str(status) in self.responses or f"{str(status)[0]}XX" in self.responses


class Spec:
    """One OpenAPI 3.1 document, dereferenced on demand."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.document: dict = load_yaml(self.path.read_text())
        self._validators: dict[int, tuple[dict, Draft202012Validator]] = {}
        self._compiled: dict[int, tuple[dict, Any]] = {}

    @property
    def title(self) -> str:
        return self.document["info"]["title"]

    def resolve(self, node: Any) -> Any:
        """Follow `$ref`s at the top of `node` (not deep)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            node = self._pointer(node["$ref"])
            seen += 1
            if seen > 32:
                raise ValueError("reference cycle")
        return node

    def deref(self, node: Any) -> Any:
        """Return `node` with every `$ref` replaced by its target, recursively (the spec has no cycles)."""
        if isinstance(node, dict) and "$ref" in node and len(node) > 1:
            # OpenAPI 3.1: keywords beside $ref (default, description) apply too; they win over the target's.
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            return {**self.deref({"$ref": node["$ref"]}), **self.deref(siblings)}
        node = self.resolve(node)
        if isinstance(node, dict):
            return {key: self.deref(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self.deref(value) for value in node]
        return node

    def _pointer(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"only local references are supported: {ref}")
        node: Any = self.document
        for token in ref[2:].split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node

    def component(self, name: str) -> dict:
        """A component schema, dereferenced: enums, names and extensions are read from here."""
        return self.deref(self.document["components"]["schemas"][name])

    def validator(self, schema: dict) -> Draft202012Validator:
        """A validator for a schema object taken from this document (its `$ref`s resolve against it)."""
        cached = self._validators.get(id(schema))
        if cached is None or cached[0] is not schema:
            validator = RequestValidator(self.deref(schema), format_checker=Draft202012Validator.FORMAT_CHECKER)
            cached = self._validators[id(schema)] = (schema, validator)
        return cached[1]

    def compiled_validator(self, schema: dict):
        """The same schema compiled by jsonschema-rs (formats checked): for checking whole response bodies,
        where the Python validator costs 0.3-1 ms a row. Its messages are not the API's: requests are still
        judged by `validator()`, whose wording the error details repeat."""
        cached = self._compiled.get(id(schema))
        if cached is None or cached[0] is not schema:
            compiled = jsonschema_rs.Draft202012Validator(self.deref(schema), validate_formats=True)
            cached = self._compiled[id(schema)] = (schema, compiled)
        return cached[1]

    def component_validator(self, name: str) -> Draft202012Validator:
        return self.validator(self.document["components"]["schemas"][name])

    @cached_property
    def operations(self) -> list[Operation]:
        operations = []
        for path, item in self.document.get("paths", {}).items():
            item = self.resolve(item)
            shared = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                raw = item[method]
                parameters = [self._parameter(p) for p in [*shared, *raw.get("parameters", [])]]
                body = self.resolve(raw.get("requestBody")) if raw.get("requestBody") else None
                responses = {code: self.resolve(resp) for code, resp in raw.get("responses", {}).items()}
                operations.append(
                    Operation(
                        operation_id=raw["operationId"],
                        method=method.upper(),
                        path=path,
                        handler=raw.get("x-handler", raw["operationId"]),
                        parameters=parameters,
                        request_body=body,
                        responses=responses,
                        security=raw.get("security", self.document.get("security", [])),
                        extensions={k: v for k, v in raw.items() if k.startswith("x-")},
                        body_schema=self.deref(((body or {}).get("content") or {}).get("application/json", {})
                                               .get("schema")),
                    )
                )
        return operations

    def operation(self, operation_id: str) -> Operation:
        for operation in self.operations:
            if operation.operation_id == operation_id:
                return operation
        raise KeyError(operation_id)

    def _parameter(self, raw: dict) -> Parameter:
        raw = self.resolve(raw)
        location = raw["in"]
        return Parameter(
            name=raw["name"],
            location=location,
            required=raw.get("required", location == "path"),
            schema=self.deref(raw.get("schema", {})),
            style=raw.get("style", "form" if location in ("query", "cookie") else "simple"),
            explode=raw.get("explode", raw.get("style", "form") == "form"),
            extensions={k: v for k, v in raw.items() if k.startswith("x-")},
        )

    # -- parameter coercion -------------------------------------------------------------------

    def read_parameter(self, parameter: Parameter, source: dict[str, Any]) -> Any:
        """Read one parameter from a mapping of raw values (query args, headers or path args).

        Returns None when an optional parameter is absent and has no default. Raises ParameterError.
        """
        schema = parameter.schema
        if parameter.style == "deepObject":
            prefix = f"{parameter.name}["
            raw = {key[len(prefix):-1]: value for key, value in source.items()
                   if key.startswith(prefix) and key.endswith("]")}
            if not raw:
                return self._absent(parameter)
            value = {}
            for key, item in raw.items():
                item_schema = schema.get("properties", {}).get(key)
                if item_schema is None:
                    if schema.get("additionalProperties", True) is False:
                        raise ParameterError(f"{parameter.name}[{key}]", parameter.location, "unknown_field",
                                             schema, "is not a known field")
                    item_schema = {"type": "string"}
                value[key] = self._coerce(f"{parameter.name}[{key}]", parameter.location, item, item_schema)
        else:
            raw = source.get(parameter.name)
            if raw is None:
                return self._absent(parameter)
            value = self._coerce(parameter.name, parameter.location, raw, schema)
        errors = sorted(self.validator(schema).iter_errors(value), key=lambda e: list(e.path))
        if errors:
            raise ParameterError(parameter.name, parameter.location, "invalid", schema, errors[0].message)
        return value

    def _absent(self, parameter: Parameter) -> Any:
        if parameter.required:
            raise ParameterError(parameter.name, parameter.location, "missing", parameter.schema)
        return parameter.schema.get("default")

    @staticmethod
    def _coerce(name: str, location: str, raw: str, schema: dict) -> Any:
        types = schema.get("type", "string")
        types = [types] if isinstance(types, str) else list(types)
        if "\x00" in raw:  # no engine's text column can hold it (PostgreSQL refuses it): invalid everywhere
            kind = "invalid" if "string" in types else "type"  # not a number at all, or a string out of shape
            raise ParameterError(name, location, kind, schema, "holds U+0000 (NUL)")
        if "null" in types and raw == "":
            return None
        if "integer" in types:
            if _INTEGER.fullmatch(raw):
                try:
                    return int(raw)
                except ValueError:  # over int()'s 4,300 digits: far outside any range the APIs take
                    raise ParameterError(name, location, "invalid", schema, "has too many digits") from None
        elif "number" in types:
            if _NUMBER.fullmatch(raw):
                return float(raw)
        elif "boolean" in types:
            if raw in ("true", "false"):
                return raw == "true"
        else:
            return raw
        raise ParameterError(name, location, "type", schema, raw)
