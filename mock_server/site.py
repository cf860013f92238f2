"""What a person sees: the landing page at "/" and each API's spec file."""

from __future__ import annotations

from flask import Flask, Response, request

from .app import Api, _json_response, sandbox


def register_site(app: Flask, apis: dict[str, Api]) -> None:
    _register_index(app, apis)


def _register_index(app: Flask, apis: dict[str, Api]) -> None:
    if any(api.prefix == "" for api in apis.values()):
        return

    @app.get("/")
    def index():
        root = request.host_url.rstrip("/")
        return _json_response({
            "name": "Partner API sandbox",
            "apis": [{
                "name": api.name,
                "title": api.spec.title,
                "version": api.spec.document["info"]["version"],
                "base_url": f"{root}{api.prefix}",
                "spec": f"{root}{api.prefix}/openapi.yaml",
                "operations": [f"{op.method} {op.path}" for op in api.spec.operations],
            } for api in apis.values()],
            "now": sandbox().clock.now().isoformat(),
        }, 200)

    @app.get("/<name>/openapi.yaml")
    def spec_file(name: str):
        api = apis.get(name)
        if api is None:
            return _json_response({"error": "Not Found", "message": f"No API named {name}"}, 404)
        return Response(api.spec.path.read_text(), mimetype="application/yaml")
