"""What a person sees: the landing page at "/", each API's spec file, and its interactive docs (mock_server/docs.py)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable

import yaml
from flask import Blueprint, Flask, Response, render_template, request

from . import postman
from .api import Api
from .context import sandbox
from .docs import Credential, register_docs, sandbox_credentials, served_servers
from .responses import json_response
from .spec import load_yaml

WEB = "web"  # mock_server/web: templates/ and static/, served at /_site (a prefix no API uses)


def register_site(app: Flask, apis: dict[str, Api]) -> None:
    """apis: the partner APIs. The control API (/_sandbox), when the app has one, gets its docs and spec file too."""
    control: Api | None = getattr(app.extensions.get("sandbox"), "control", None)
    documented = [*apis.values(), *([control] if control else [])]
    has_landing_page = not any(api.prefix == "" for api in apis.values())  # else "/" belongs to the API at the root
    credentials = {api.name: sandbox_credentials(app.config["FIXTURE_DIR"], api.name) for api in apis.values()}

    site = Blueprint("site", __name__, template_folder=f"{WEB}/templates", static_folder=f"{WEB}/static",
                     static_url_path="/_site")
    if has_landing_page:
        _register_index(site, apis, control, credentials)
    for api in documented:
        site.add_url_rule(f"{api.prefix}/openapi.yaml", endpoint=f"{api.name}_spec_file", view_func=_spec_file(api),
                          methods=["GET"])
    for api in apis.values():
        if api.name in postman.VARIABLES:
            _register_postman(site, api, app.config["FIXTURE_DIR"])
    register_docs(site, documented, credentials, has_landing_page)
    app.register_blueprint(site)


def _spec_file(api: Api):
    render = spec_file_renderer(api)

    def view():
        return Response(render(request.host_url.rstrip("/") + api.prefix), mimetype="application/yaml")

    return view


def _register_postman(site: Blueprint, api: Api, fixture_dir: str) -> None:
    """`<prefix>/postman.json` and `<prefix>/postman-environment.json`: built from the spec on each request, the
    environment aimed at this sandbox as the request reached it (mock_server/postman.py)."""

    def download(body: dict, filename: str) -> Response:
        response = Response(json.dumps(body, indent=2, ensure_ascii=False), mimetype="application/json")
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
        return response

    def collection():
        return download(postman.collection(api), f"{api.name}.postman_collection.json")

    def environment():
        values = postman.environment_values(fixture_dir, api.name, request.host_url.rstrip("/") + api.prefix)
        return download(postman.environment(api, values), f"{api.name}-sandbox.postman_environment.json")

    site.add_url_rule(f"{api.prefix}/postman.json", endpoint=f"{api.name}_postman", view_func=collection,
                      methods=["GET"])
    site.add_url_rule(f"{api.prefix}/postman-environment.json", endpoint=f"{api.name}_postman_environment",
                      view_func=environment, methods=["GET"])


TOP_LEVEL_SERVERS = re.compile(r"^servers:[^\n]*\n(?:(?:[ \t-][^\n]*)?\n)*", re.MULTILINE)


def spec_file_renderer(api: Api) -> Callable[[str], str]:
    """base_url -> the spec file as written (comments, order, wording), its top-level `servers` block replaced by
    served_servers(). Should the file not lend itself to that, the parsed document is written out instead."""
    text = api.spec.path.read_text()
    found = TOP_LEVEL_SERVERS.search(text)

    def whole_document(base_url: str) -> str:
        document = {**api.spec.document, "servers": served_servers(api, base_url)}
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)

    if found is None:
        return whole_document
    before, after = text[:found.start()], text[found.end():]

    def edited(base_url: str) -> str:
        servers = yaml.safe_dump(served_servers(api, base_url), sort_keys=False, allow_unicode=True)
        return f"{before}servers:\n{textwrap.indent(servers, '  ')}{after}"

    probe = "http://sandbox.invalid:1/probe"
    if load_yaml(edited(probe)) != {**api.spec.document, "servers": served_servers(api, probe)}:
        return whole_document
    return edited


def _register_index(site: Blueprint, apis: dict[str, Api], control: Api | None,
                    credentials: dict[str, list[Credential]]) -> None:
    @site.get("/")
    def index():
        # Browsers ask for text/html first; clients that send no Accept, */* or application/json get JSON.
        wants_html = request.accept_mimetypes.best_match(["application/json", "text/html"]) == "text/html"
        response = _landing_page(apis, control, credentials) if wants_html else _index_json(apis, control)
        response.vary.add("Accept")
        return response


def _links(api: Api, root: str) -> dict[str, str]:
    return {"base_url": f"{root}{api.prefix}", "spec": f"{root}{api.prefix}/openapi.yaml",
            "docs": f"{root}{api.prefix}/docs"}


def _index_json(apis: dict[str, Api], control: Api | None) -> Response:
    root = request.host_url.rstrip("/")
    body = {
        "name": "Partner API sandbox",
        "apis": [{
            "name": api.name,
            "title": api.spec.title,
            "version": api.spec.document["info"]["version"],
            **_links(api, root),
            "operations": [f"{op.method} {op.path}" for op in api.spec.operations],
        } for api in apis.values()],
        "now": sandbox().clock.now().isoformat(),
    }
    if control is not None:
        body["control"] = _links(control, root)
    return json_response(body, 200)


def _landing_page(apis: dict[str, Api], control: Api | None, credentials: dict[str, list[Credential]]) -> Response:
    root = request.host_url.rstrip("/")
    partner = [{"api": api, "base_url": f"{root}{api.prefix}", "credentials": credentials[api.name],
                "postman": api.name in postman.VARIABLES} for api in apis.values()]
    html = render_template("index.html", partner=partner, control=control, root=root,
                           now=sandbox().clock.now().isoformat())
    return Response(html, mimetype="text/html")
