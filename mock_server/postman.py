"""Postman collections (schema v2.1) and environments, built from each partner spec when they are asked for.

One request per operation of the spec, in its order and grouped by its tags. Each request carries what the spec
asks for: the credentials of the operation's security requirement (as headers where the spec allows it), its
required parameters, its date window from the parameters' examples, and for a write the first example body with
the credentials replaced by variables. Each has a test script asserting the operation's documented success status.
Values one request gets and another needs travel in collection variables: the spec's response `links` (a created
property's id for the PUT) and a bearer token an operation answers (Travtus's token request).

The variable names are the Leasey document's §13 (`base_url`, `api_token`, `company_id`, `company_password`) and,
for Travtus, `base_url`, `client_id` and `client_secret`; the environment gives them this sandbox's values.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .spec import load_yaml

if TYPE_CHECKING:
    from .api import Api
    from .spec import Operation, Parameter

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
NAMESPACE = uuid.UUID("6f0c7a52-3f5e-4d8e-9a57-6b1e2f0c9d41")  # stable ids: a re-import replaces, not duplicates
DATE_WINDOW = ("start_date", "end_date")  # optional parameters sent with their spec example: the document's windows


def ref(variable: str) -> str:
    """A Postman variable reference, `{{name}}`."""
    return "{{" + variable + "}}"


@dataclass(frozen=True)
class Variables:
    """How one API's credentials become Postman variables."""

    environment: tuple[str, ...]  # the environment's variables, in order
    schemes: dict[str, str]  # security scheme -> the variable holding its value
    fields: dict[str, str] = field(default_factory=dict)  # parameter or body field -> variable
    secret: frozenset[str] = frozenset()  # environment variables shown masked in Postman


VARIABLES = {
    "leasey": Variables(
        environment=("base_url", "api_token", "company_id", "company_password"),
        schemes={"bearerAuth": "api_token", "tokenQuery": "api_token", "companyPassword": "company_password",
                 "companyPasswordQuery": "company_password"},
        fields={"company_id": "company_id", "password": "company_password"},
        secret=frozenset({"api_token", "company_password"})),
    "travtus": Variables(
        environment=("base_url", "client_id", "client_secret"),
        schemes={"bearerAuth": "access_token"},  # not in the environment: the token request stores it
        fields={"client_id": "client_id", "client_secret": "client_secret"},
        secret=frozenset({"client_secret"})),
}


def environment_values(fixture_dir: str | Path, api_name: str, base_url: str) -> dict[str, str]:
    """This sandbox's value of each environment variable, read from the fixture file (where they are written)."""
    path = Path(fixture_dir) / f"{api_name}.yaml"
    fixture = load_yaml(path.read_text()) if path.is_file() else {}
    values = {"base_url": base_url}
    if api_name == "leasey" and fixture:
        company = fixture["companies"][0]
        values.update(api_token=fixture["api_token"], company_id=str(company["id"]), company_password=company["password"])
    elif api_name == "travtus" and fixture:
        client = fixture["clients"][0]
        values.update(client_id=client["client_id"], client_secret=client["client_secret"])
    return values


def environment(api: Api, values: dict[str, str]) -> dict[str, Any]:
    names = VARIABLES[api.name]
    return {
        "id": str(uuid.uuid5(NAMESPACE, f"{api.name} environment")),
        "name": f"{api.spec.title} (sandbox)",
        "values": [{"key": name, "value": values.get(name, ""), "type": "secret" if name in names.secret else "default",
                    "enabled": True} for name in names.environment],
        "_postman_variable_scope": "environment",
    }


def collection(api: Api) -> dict[str, Any]:
    names = VARIABLES[api.name]
    links = _links(api)
    stored = sorted({*links_targets(links), *(v for v in names.schemes.values() if v not in names.environment)})
    folders: dict[str, list] = {tag.get("name"): [] for tag in api.spec.document.get("tags", [])}
    for operation in api.spec.operations:
        tag = (api.spec.document["paths"][operation.path][operation.method.lower()].get("tags") or ["Other"])[0]
        folders.setdefault(tag, []).append(_item(api, operation, names, links))
    descriptions = {tag["name"]: tag.get("description", "") for tag in api.spec.document.get("tags", [])}
    info = api.spec.document["info"]
    return {
        "info": {
            "_postman_id": str(uuid.uuid5(NAMESPACE, f"{api.name} collection")),
            "name": f"{info['title']} (sandbox)",
            "description": f"Generated from the sandbox's spec of {info['title']} {info['version']}. Import it with "
                           "its environment (postman-environment.json), or point `base_url` and the credentials at "
                           "another stage.",
            "schema": SCHEMA,
        },
        "item": [{"name": tag, "description": descriptions.get(tag, ""), "item": items}
                 for tag, items in folders.items() if items],
        "variable": [{"key": name, "value": "", "type": "string"} for name in stored],
    }


@dataclass(frozen=True)
class Link:
    """A response value that becomes a later request's parameter (the spec's `links`)."""

    source: str  # operationId answering it
    pointer: str  # JSON pointer into its body, e.g. /property_id
    target: str  # operationId taking it
    parameter: str  # the parameter's name there, also the collection variable's


def _links(api: Api) -> list[Link]:
    """The links whose target comes later in the collection (the spec's order): a link to an earlier or the same
    operation (a page cursor) has no value yet when its target runs."""
    order = {operation.operation_id: index for index, operation in enumerate(api.spec.operations)}
    found = []
    for operation in api.spec.operations:
        for code, response in operation.responses.items():
            if not code.startswith("2"):
                continue
            for link in (response.get("links") or {}).values():
                link = api.spec.resolve(link)
                for parameter, expression in (link.get("parameters") or {}).items():
                    if (isinstance(expression, str) and expression.startswith("$response.body#")
                            and order.get(link.get("operationId"), -1) > order[operation.operation_id]):
                        found.append(Link(operation.operation_id, expression[len("$response.body#"):],
                                          link["operationId"], parameter))
    return found


def links_targets(links: list[Link]) -> set[str]:
    return {link.parameter for link in links}


def success_status(operation: Operation) -> int:
    return min(int(code) for code in operation.responses if code.isdigit() and code.startswith("2"))


def _item(api: Api, operation: Operation, names: Variables, links: list[Link]) -> dict[str, Any]:
    raw_operation = api.spec.document["paths"][operation.path][operation.method.lower()]
    fed = {link.parameter for link in links if link.target == operation.operation_id}
    requirement = _preferred_requirement(api, operation)
    request: dict[str, Any] = {"method": operation.method, "header": [], "description": raw_operation.get("description", "")}
    query = []
    auth = {"type": "noauth"}
    schemes = api.spec.document.get("components", {}).get("securitySchemes", {})
    for scheme_name in requirement:
        scheme, variable = schemes[scheme_name], ref(names.schemes[scheme_name])
        if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer":
            auth = {"type": "bearer", "bearer": [{"key": "token", "value": variable, "type": "string"}]}
        elif scheme.get("in") == "header":
            request["header"].append({"key": scheme["name"], "value": variable})
        elif scheme.get("in") == "query":
            query.append({"key": scheme["name"], "value": variable})
    request["auth"] = auth

    path = operation.path
    examples = _examples(api, operation)
    for parameter in operation.parameters:
        example = examples.get((parameter.name, parameter.location))
        value = _parameter_value(parameter, example, names, fed)
        if parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", value or ref(parameter.name))
        elif parameter.location == "query":
            entry = {"key": parameter.name, "value": value if value is not None else str(example or "")}
            if value is None:
                entry["disabled"] = True  # shown with its example, for a person to turn on
            query.append(entry)
        elif parameter.location == "header" and value is not None:
            request["header"].append({"key": parameter.name, "value": value})
    segments = path.strip("/").split("/") + ([""] if path.endswith("/") and path != "/" else [])
    raw_query = "&".join(f"{q['key']}={q['value']}" for q in query if not q.get("disabled"))
    request["url"] = {"raw": "{{base_url}}" + path + (f"?{raw_query}" if raw_query else ""),
                      "host": ["{{base_url}}"], "path": segments, **({"query": query} if query else {})}
    body = _body(api, operation, names)
    if body:
        request["body"] = body
        if body["mode"] == "raw":
            request["header"].append({"key": "Content-Type", "value": "application/json"})
    return {"name": raw_operation.get("summary") or f"{operation.method} {operation.path}",
            "event": [{"listen": "test", "script": {"type": "text/javascript",
                                                    "exec": _test_script(api, operation, names, links)}}],
            "request": request}


def _preferred_requirement(api: Api, operation: Operation) -> dict:
    """The first security requirement that sends no credential in the query (§2: keep passwords out of logs)."""
    schemes = api.spec.document.get("components", {}).get("securitySchemes", {})
    for requirement in operation.security:
        if all(schemes.get(name, {}).get("in") != "query" for name in requirement):
            return requirement
    return operation.security[0] if operation.security else {}


def _parameter_value(parameter: Parameter, example: Any, names: Variables, fed: set[str]) -> str | None:
    """The value sent, or None for a parameter listed disabled."""
    if parameter.name in fed:
        return ref(parameter.name)
    if parameter.name in names.fields:
        return ref(names.fields[parameter.name])
    if (parameter.name in DATE_WINDOW or parameter.required) and example is not None:
        return str(example)
    return None


def _examples(api: Api, operation: Operation) -> dict[tuple[str, str], Any]:
    """(name, location) -> the parameter's example in the spec (Spec keeps schemas, not examples)."""
    path_item = api.spec.resolve(api.spec.document["paths"][operation.path])
    raw_parameters = [*path_item.get("parameters", []), *path_item[operation.method.lower()].get("parameters", [])]
    found = {}
    for raw in map(api.spec.resolve, raw_parameters):
        example = raw.get("example", next(iter((raw.get("examples") or {}).values()), {}).get("value"))
        found[(raw["name"], raw["in"])] = example
    return found


def _body(api: Api, operation: Operation, names: Variables) -> dict[str, Any] | None:
    if not operation.request_body:
        return None
    content = operation.request_body.get("content", {})
    media_type = next(iter(content))
    examples = content[media_type].get("examples") or {}
    first = api.spec.resolve(next(iter(examples.values()))) if examples else {}
    value = first.get("value", content[media_type].get("example", {}))
    schema = api.spec.deref(content[media_type].get("schema", {}))
    properties = schema.get("properties", {})
    if media_type == "application/x-www-form-urlencoded":
        return {"mode": "urlencoded", "urlencoded": [
            {"key": key, "value": ref(names.fields[key]) if key in names.fields else str(item), "type": "text"}
            for key, item in value.items()]}
    text = json.dumps({key: ref(names.fields[key]) if key in names.fields else item for key, item in value.items()},
                      indent=2, ensure_ascii=False)
    for key, variable in names.fields.items():
        kind = properties.get(key, {}).get("type")
        if key in value and (kind in ("integer", "number") or (isinstance(kind, list) and "integer" in kind)):
            text = text.replace(f'"{key}": "{{{{{variable}}}}}"', f'"{key}": {{{{{variable}}}}}')  # a number, unquoted
    return {"mode": "raw", "raw": text, "options": {"raw": {"language": "json"}}}


def _test_script(api: Api, operation: Operation, names: Variables, links: list[Link]) -> list[str]:
    status = success_status(operation)
    lines = [f'pm.test("answers {status}, as documented for {operation.operation_id}", function () {{',
             f"    pm.response.to.have.status({status});",
             "});"]
    schema = api.spec.resolve(operation.response_schema(status) or {})
    stores = [(link.pointer, link.parameter) for link in links if link.source == operation.operation_id]
    token_variables = [v for v in names.schemes.values() if v not in names.environment]
    stores += [(f"/{v}", v) for v in dict.fromkeys(token_variables) if v in (api.spec.deref(schema).get("properties") or {})]
    if schema:
        lines += ['pm.test("answers JSON", function () {', "    pm.response.to.be.json;", "});"]
    if stores:
        lines.append(f"if (pm.response.code === {status}) {{")
        lines.append("    const body = pm.response.json();")
        for pointer, variable in dict.fromkeys(stores):
            access = "".join(f"[{json.dumps(token)}]" for token in pointer.strip("/").split("/"))
            lines.append(f'    pm.collectionVariables.set("{variable}", body{access});  // used by later requests')
        lines.append("}")
    return lines
