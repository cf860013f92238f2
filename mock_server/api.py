"""A mounted API and the HTTP around its handlers: routing from the spec, the dispatcher, error rendering.

Every API — the partner APIs and the control API — is mounted the same way: one URL rule per spec path, one
handler per operationId (a missing one is a start-up error), and every error rendered by one handler in the
shape of the API the path is under.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Protocol

from flask import Blueprint, Flask, Response, request
from werkzeug.exceptions import ClientDisconnected, HTTPException

from . import limits
from .clock import Clock
from .errors import ApiError
from .record import current
from .responses import handler_response, json_response
from .selfcheck import check_response
from .settings import Settings
from .spec import Operation, ParameterError, Spec
from .store import Store

CONTROL_NAME, CONTROL_PREFIX = "sandbox", "/_sandbox"
EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
log = logging.getLogger("mock_server")


class ApiErrors(Protocol):
    """What the HTTP layer asks of every API's errors module (mock_server/<api>/errors.py): the error to raise, in
    that API's documented shape. Checked when the API is mounted."""

    def not_found(self) -> ApiError: ...
    def method_not_allowed(self, allowed: str) -> ApiError: ...
    def from_parameter(self, error: ParameterError) -> ApiError: ...
    def internal(self) -> ApiError: ...
    def refused(self, status: int, message: str, path: str | None = None) -> ApiError: ...


class PartnerErrors(ApiErrors, Protocol):
    """A partner API's errors also answer the faults the control API injects (mock_server/pipeline.py)."""

    def fault(self, status: int, retry_after: int | None = None) -> ApiError: ...
    def invalid_fault_header(self, message: str) -> ApiError: ...


def _claims_nothing(backend: Any, key: str) -> None:
    return None


@dataclass
class Api:
    """One API as mounted: its spec, one handler per operationId, and its error shapes."""

    name: str
    spec: Spec
    handlers: dict[str, Callable]
    errors: ApiErrors
    backend: Any
    prefix: str = ""
    path_operations: dict[str, dict[str, Operation]] = field(default_factory=dict)
    # Endpoints the spec opens to anyone (`security: []` on every operation at the path): no credential asked.
    open_endpoints: frozenset[str] = frozenset()
    # What a request says it is for, authenticated or not ("company_id", "client_id": what fault rules match on);
    # the handlers module's claimed(backend, key), None for a key the API has no such thing for.
    claimed: Callable[[Any, str], Any] = _claims_nothing


class Call:
    """What a handler receives: the operation, the request, and spec-driven parameter reading."""

    def __init__(self, api: Api, operation: Operation, path_args: dict):
        self.api = api
        self.operation = operation
        self.path_args = path_args
        self.request = request

    @property
    def backend(self):
        return self.api.backend

    def _source(self, location: str) -> dict:
        if location == "query":
            return request.args.to_dict(flat=True)
        if location == "header":
            return dict(request.headers)
        if location == "path":
            return self.path_args
        raise ValueError(location)

    def param(self, name: str) -> Any:
        """One parameter, coerced and validated by its schema (raises ParameterError)."""
        parameter = self.operation.parameter(name)
        return self.api.spec.read_parameter(parameter, self._source(parameter.location))

    def params(self) -> dict[str, Any]:
        """Every parameter of the operation, in the spec's order."""
        return {p.name: self.api.spec.read_parameter(p, self._source(p.location))
                for p in self.operation.parameters}


def is_control_path(path: str) -> bool:
    return path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/")


def mount(app: Flask, name: str, prefix: str, spec: Spec, store: Store, clock: Clock, settings: Settings) -> Api:
    """Mounts the API `mock_server.<name>` (its handlers and errors modules, its backend) at `prefix`."""
    package = importlib.import_module(f"mock_server.{name}")
    handlers_module = importlib.import_module(f"mock_server.{name}.handlers")
    errors_module = importlib.import_module(f"mock_server.{name}.errors")
    _check_errors(errors_module, ApiErrors if name == CONTROL_NAME else PartnerErrors)
    api = Api(name=name, spec=spec, handlers={}, errors=errors_module,
              backend=package.create_backend(store, clock, spec, settings), prefix=prefix,
              claimed=getattr(handlers_module, "claimed", _claims_nothing))

    for operation in spec.operations:
        handler = getattr(handlers_module, operation.handler, None)
        if handler is None:
            raise RuntimeError(f"{name}: the spec's operation {operation.operation_id} has no handler "
                               f"{handlers_module.__name__}.{operation.handler}")
        api.handlers[operation.handler] = handler
        api.path_operations.setdefault(operation.flask_rule, {})[operation.method] = operation
    api.open_endpoints = frozenset(f"{name}.{rule}" for rule, operations in api.path_operations.items()
                                   if all(operation.security == [] for operation in operations.values()))

    blueprint = Blueprint(name, __name__, url_prefix=prefix or None)
    for rule in api.path_operations:
        blueprint.add_url_rule(rule, endpoint=rule, view_func=_dispatcher(api, rule), methods=EVERY_METHOD,
                               provide_automatic_options=False, strict_slashes=True)
    # Anything else under the prefix is this API's own 404.
    unknown = _unknown_path(api)
    blueprint.add_url_rule("/<path:rest>", endpoint="unknown", view_func=unknown, methods=EVERY_METHOD,
                           provide_automatic_options=False)
    if prefix:
        blueprint.add_url_rule("/", endpoint="unknown_root", view_func=unknown, methods=EVERY_METHOD,
                               provide_automatic_options=False)
    app.register_blueprint(blueprint)
    return api


def _check_errors(module, protocol: type) -> None:
    """The module has every function of the protocol (and of the protocols it extends, defined here)."""
    members = {name for base in protocol.__mro__ if base.__module__ == __name__
               for name, value in vars(base).items() if callable(value) and not name.startswith("_")}
    missing = sorted(name for name in members if not callable(getattr(module, name, None)))
    if missing:
        raise RuntimeError(f"{module.__name__} has no {', '.join(missing)} ({protocol.__name__}, mock_server/api.py)")


def _dispatcher(api: Api, rule: str):
    operations = api.path_operations[rule]
    allowed = ", ".join(operations)

    def view(**path_args):
        record = current()
        record.api = api
        operation = operations.get(request.method)
        if operation is None:
            if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
                return _preflight(allowed)
            raise api.errors.method_not_allowed(allowed)
        record.operation = operation
        return handler_response(api, operation, api.handlers[operation.handler](Call(api, operation, path_args)))

    view.__name__ = f"{api.name}_{rule}"
    return view


def _unknown_path(api: Api):
    def view(rest: str = ""):
        current().api = api
        raise api.errors.not_found()

    view.__name__ = f"{api.name}_unknown"
    return view


def _preflight(allowed: str) -> Response:
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = allowed
    response.headers["Access-Control-Allow-Headers"] = request.headers.get(
        "Access-Control-Request-Headers", "Authorization, Content-Type, X-Company-Password")
    response.headers["Access-Control-Max-Age"] = "600"
    return response


def register_error_handling(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def render_api_error(error: ApiError):
        return json_response(error.body(), error.status, error.headers)

    @app.errorhandler(ParameterError)
    def render_parameter_error(error: ParameterError):
        return render_api_error(current().api.errors.from_parameter(error))

    def api_of_request() -> Api | None:
        record = current()
        if record.api is None:  # routing failed before any view ran: find the API by its URL prefix
            record.api = api_at(app, request.path)
        return record.api

    def render_refusal(status: int, message: str):
        api = api_of_request()
        if api is not None:
            return render_api_error(api.errors.refused(status, message))
        return json_response({"error": HTTPStatus(status).phrase, "message": message}, status)

    @app.errorhandler(413)
    def render_body_too_large(error):
        return render_refusal(413, limits.message(413))

    @app.errorhandler(limits.MalformedBody)
    def render_malformed_body(error):
        return render_refusal(400, limits.message(400, limits.MALFORMED_CHUNKS))

    @app.errorhandler(ClientDisconnected)
    def render_unfinished_body(error):
        """The body stopped coming: too slow (the worker's read timeout, mock_server/worker.py), or shorter
        than its Content-Length. Werkzeug wraps either in ClientDisconnected (a 400)."""
        if isinstance(error.__context__, limits.ReadTimeout):
            return render_refusal(408, limits.message(408))
        return render_refusal(400, limits.message(400, limits.BODY_ENDED_EARLY))

    @app.errorhandler(404)
    def render_not_found(error):
        api = api_of_request()
        if api is not None:
            return render_api_error(api.errors.not_found())
        return json_response({"error": "Not Found", "message": f"Nothing is served at {request.path}"}, 404)

    @app.errorhandler(405)
    def render_method_not_allowed(error):
        allowed = ", ".join(m for m in (error.valid_methods or []) if m not in ("HEAD", "OPTIONS", "TRACE"))
        api = api_of_request()
        if api is not None:  # a method Werkzeug does not route at all (e.g. QUERY): the spec's methods
            operations = _operations_at(app, api)
            return render_api_error(api.errors.method_not_allowed(", ".join(operations) if operations else allowed))
        return json_response({"error": "Method Not Allowed", "message": f"Use {allowed}"}, 405, {"Allow": allowed})

    @app.errorhandler(Exception)
    def render_unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        api = api_of_request()
        if api is not None:
            return render_api_error(api.errors.internal())
        return json_response({"error": "Internal Server Error", "message": "Unexpected error"}, 500)


def api_at(app: Flask, path: str) -> Api | None:
    """The mounted API (partner or control) whose prefix the path is under, the longest prefix first."""
    apis = [*app.extensions["sandbox"].apis.values(), app.extensions["sandbox"].control]
    matches = [a for a in apis if path == a.prefix or path.startswith(a.prefix + "/")]
    return max(matches, key=lambda a: len(a.prefix), default=None)


def refusal(app: Flask, path: str | None, status: int, message: str) -> tuple[dict, dict]:
    """The body and headers of a request refused before Flask saw it (the gunicorn worker's own refusals), in the
    error shape of the API its path is under; outside every API, the shape of the site's own errors."""
    api = api_at(app, path) if path is not None else None
    if api is None:
        return {"error": HTTPStatus(status).phrase, "message": message}, {}
    error = api.errors.refused(status, message, path)
    return error.body(), error.headers


def _operations_at(app: Flask, api: Api) -> dict[str, Operation] | None:
    """The spec operations at the request's path, found by routing it with a method the view accepts."""
    adapter = app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, _ = adapter.match(method="GET")
    except HTTPException:
        return None
    return api.path_operations.get(endpoint.split(".", 1)[-1])


def after_request(response: Response) -> Response:
    if not is_control_path(request.path):
        response.headers["Access-Control-Allow-Origin"] = "*"  # the partner APIs; never the control API
    check_response(response)
    return response
