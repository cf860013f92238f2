"""Interactive docs: Swagger UI for each mounted API, aimed at this sandbox, with the sandbox credentials entered.

The Swagger UI assets come from the flask-swagger-ui package (only its `dist` folder: the page and its start-up
script are ours), so the docs work offline. The sandbox credentials are read from the fixture files, the one
place they are written down.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, render_template, request, send_from_directory, url_for

from .spec import load_yaml

if TYPE_CHECKING:
    from .api import Api

SWAGGER_UI_DIST = Path(str(files("flask_swagger_ui") / "dist"))


@dataclass(frozen=True)
class Credential:
    """One sandbox credential as a person reads it, and the spec's security schemes it satisfies."""

    label: str
    value: str
    schemes: tuple[str, ...] = ()


def _leasey_credentials(fixture: dict) -> list[Credential]:
    company = fixture["companies"][0]
    return [
        Credential("API token", fixture["api_token"], ("bearerAuth", "tokenQuery")),
        Credential("company_id", str(company["id"])),
        Credential("company password", company["password"], ("companyPassword", "companyPasswordQuery")),
    ]


def _travtus_credentials(fixture: dict) -> list[Credential]:
    client = fixture["clients"][0]
    token = next(t["token"] for t in fixture["tokens"] if t.get("group_ids") == "all" and not t.get("always_expired"))
    return [
        Credential("client_id", client["client_id"]),
        Credential("client_secret", client["client_secret"]),
        Credential("bearer token (every group)", token, ("bearerAuth",)),
    ]


CREDENTIAL_READERS = {"leasey": _leasey_credentials, "travtus": _travtus_credentials}


def sandbox_credentials(fixture_dir: str | Path, api_name: str) -> list[Credential]:
    """The credentials a person uses on this API in the sandbox; none for an API without a fixture file."""
    reader = CREDENTIAL_READERS.get(api_name)
    path = Path(fixture_dir) / f"{api_name}.yaml"
    if reader is None or not path.is_file():
        return []
    return reader(load_yaml(path.read_text()))


def preauthorizations(api: Api, credentials: list[Credential]) -> dict[str, str]:
    """Scheme name -> value for the schemes of each operation's first (preferred) security requirement.

    Swagger UI sends every authorized scheme of every alternative, so authorizing a fallback too (Leasey's
    `?token=`) would send the credential twice; it stays for the person to fill in.
    """
    schemes = api.spec.document.get("components", {}).get("securitySchemes", {})
    preferred = {name for op in api.spec.operations for requirement in op.security[:1] for name in requirement}
    values = {scheme: c.value for c in credentials for scheme in c.schemes}
    return {name: values[name] for name in sorted(preferred) if name in values and _preauthorizable(schemes.get(name, {}))}


def _preauthorizable(scheme: dict) -> bool:
    """Swagger UI's preauthorizeApiKey fills an API key or a bearer token; basic and OAuth2 need other calls."""
    return scheme.get("type") == "apiKey" or (scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer")


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def served_servers(api: Api, base_url: str) -> list[dict[str, str]]:
    """The servers a served spec names: this sandbox as it was reached (the request's scheme, host and port) first,
    then the documented ones. The spec's own loopback entry is this sandbox on its default port: it is left out."""
    documented = [server for server in api.spec.document.get("servers", [])
                  if urlsplit(server.get("url", "")).hostname not in (*LOOPBACK_HOSTS, "::1")]
    return [{"url": base_url, "description": "This sandbox"}, *documented]


def docs_document(api: Api, base_url: str) -> dict[str, Any]:
    """The spec as the docs page gets it: the same document, with this sandbox first among its servers."""
    document = copy.deepcopy(api.spec.document)
    document["servers"] = served_servers(api, base_url)
    return document


def register_docs(blueprint: Blueprint, apis: list[Api], credentials: dict[str, list[Credential]],
                  has_landing_page: bool) -> None:
    """Adds `<prefix>/docs` and `<prefix>/docs/openapi.json` per API, and the Swagger UI assets, to the blueprint."""

    @blueprint.get("/_site/swagger-ui/<path:filename>")
    def swagger_ui(filename: str):
        return send_from_directory(SWAGGER_UI_DIST, filename)

    for api in apis:
        _register_api_docs(blueprint, api, credentials.get(api.name, []), has_landing_page)


def _register_api_docs(blueprint: Blueprint, api: Api, credentials: list[Credential], has_landing_page: bool) -> None:
    def docs_page():
        ui_config = {  # read by web/static/docs.js
            "specUrl": url_for(f".{api.name}_docs_spec"),
            "preauthorize": preauthorizations(api, credentials),
        }
        return render_template("docs.html", api=api, base_url=request.host_url.rstrip("/") + api.prefix,
                               credentials=credentials, ui_config=ui_config, has_landing_page=has_landing_page)

    def docs_spec():
        document = docs_document(api, request.host_url.rstrip("/") + api.prefix)
        return Response(json.dumps(document, ensure_ascii=False, default=str), mimetype="application/json")

    blueprint.add_url_rule(f"{api.prefix}/docs", endpoint=f"{api.name}_docs", view_func=docs_page, methods=["GET"])
    blueprint.add_url_rule(f"{api.prefix}/docs/openapi.json", endpoint=f"{api.name}_docs_spec", view_func=docs_spec,
                           methods=["GET"])
