"""Application factory: builds the state, mounts each API from its spec, and renders every error in one place."""

from __future__ import annotations

import importlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import orjson
from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import ClientDisconnected, HTTPException

from . import migrate
from .clock import Clock
from .errors import ApiError
from .record import NO_BODY, current
from .rows import Rows
from .sandbox import limits, traffic
from .spec import Operation, ParameterError, Spec
from .store import Store

# The folder holding openapi/ and fixtures/: the checkout, or in an installed copy mock_server/data (setup.py ships
# both folders there as the packages mock_server.data.openapi and mock_server.data.fixtures).
ROOT = next((folder for folder in (Path(__file__).resolve().parent / "data", Path(__file__).resolve().parent.parent)
             if (folder / "openapi").is_dir()), Path(__file__).resolve().parent.parent)
API_NAMES = ("leasey", "travtus")
DEFAULTS = {
    "DATABASE_URL": f"sqlite:///{Path.cwd() / 'var' / 'sandbox.db'}",  # ./var/sandbox.db where the server starts
    "APIS": API_NAMES,
    "MOUNT_AT_ROOT": False,  # True: serve the single API in APIS at "/" instead of "/<name>"
    "SPEC_DIR": str(ROOT / "openapi"),
    "FIXTURE_DIR": str(ROOT / "fixtures"),
    "NOW": None,  # ISO timestamp: the sandbox clock starts there (and keeps running)
    "FREEZE_CLOCK": False,
    "LOAD_FIXTURES": "if-empty",  # "if-empty" | "always" | "never"
    # Validate every response against the spec and flag violations: "full" checks every item (compiled, it costs
    # less than walking a body for a sample did); True checks arrays longer than SELF_CHECK_SAMPLE items on
    # their first and last SELF_CHECK_SAMPLE / 2.
    "SELF_CHECK": "full",
    "SELF_CHECK_SAMPLE": 10,
    "TRAVTUS_RATE_LIMIT": None,  # None: off; "documented", or "token=100/200,api=10000/5000" (rate/burst per kind)
    "ADMIN_TOKEN": None,  # the control API (/_sandbox) needs `Authorization: Bearer <it>` when set
    "JOURNAL_SIZE": 1000,  # requests the journal keeps (0: no journal)
    "TENANT_IDLE_SECONDS": 86_400,  # a tenant unused this long (real time) is removed
    "AUTO_MIGRATE": True,  # upgrade the schema at start-up (False: refuse to start on an older schema)
    # Request bodies (Flask/Werkzeug): a larger one is refused with 413 before it is read (Content-Length) or as
    # soon as it passes the limit (chunked); a form field or file may be as large as the body (FIDELITY, Hardening).
    "MAX_CONTENT_LENGTH": limits.BODY_LIMIT,
    "MAX_FORM_MEMORY_SIZE": limits.BODY_LIMIT,
}
CONTROL_NAME, CONTROL_PREFIX = "sandbox", "/_sandbox"
log = logging.getLogger("mock_server")


@dataclass
class Api:
    """One partner API as mounted: its spec, one handler per operationId, and its error shapes."""

    name: str
    spec: Spec
    handlers: dict[str, Callable]
    errors: Any  # module with not_found(), method_not_allowed(allowed), from_parameter(exc), internal()
    backend: Any
    prefix: str = ""
    path_operations: dict[str, dict[str, Operation]] = field(default_factory=dict)


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


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json.sort_keys = False
    app.config.update(DEFAULTS)
    app.config.update(_from_environment())
    app.config.update(config or {})

    if app.config["DATABASE_URL"].startswith("sqlite:///") and ":memory:" not in app.config["DATABASE_URL"]:
        Path(app.config["DATABASE_URL"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    store = Store(app.config["DATABASE_URL"])
    clock = Clock(store)
    names = tuple(app.config["APIS"])

    from .fixtures import load_fixtures

    def set_clock_and_load() -> None:
        if app.config["NOW"]:
            clock.set(datetime.fromisoformat(app.config["NOW"]), frozen=app.config["FREEZE_CLOCK"])
        load_fixtures(store, clock, Path(app.config["FIXTURE_DIR"]), Path(app.config["SPEC_DIR"]), names)

    def needs_fixtures() -> bool:
        return app.config["LOAD_FIXTURES"] == "always" or (app.config["LOAD_FIXTURES"] == "if-empty"
                                                            and store.is_empty())

    # The schema by migrations, and the fixtures into an empty database: once, whoever starts first.
    migrate.prepare(store, auto=app.config["AUTO_MIGRATE"], load_if=needs_fixtures, load=set_clock_and_load)
    if app.config["NOW"]:  # (again when the fixtures were there already: the clock is this start's)
        clock.set(datetime.fromisoformat(app.config["NOW"]), frozen=app.config["FREEZE_CLOCK"])

    apis = {}
    for name in names:
        prefix = "" if app.config["MOUNT_AT_ROOT"] and len(names) == 1 else f"/{name}"
        apis[name] = _mount(app, name, prefix, store, clock)
    control = _mount(app, CONTROL_NAME, CONTROL_PREFIX, store, clock)
    app.extensions["sandbox"] = Sandbox(store=store, clock=clock, apis=apis, control=control)
    traffic.install(app)

    from .site import register_site

    register_site(app, apis)
    _register_error_handling(app)
    app.after_request(_after_request)
    return app


@dataclass
class Sandbox:
    store: Store
    clock: Clock
    apis: dict[str, Api]  # the partner APIs
    control: Api  # the control API, /_sandbox


def sandbox() -> Sandbox:
    return current_app.extensions["sandbox"]


def _from_environment() -> dict:
    values = {}
    if os.environ.get("DATABASE_URL"):
        values["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if os.environ.get("SANDBOX_NOW"):
        values["NOW"] = os.environ["SANDBOX_NOW"]
    if os.environ.get("SANDBOX_ADMIN_TOKEN"):
        values["ADMIN_TOKEN"] = os.environ["SANDBOX_ADMIN_TOKEN"]
    if os.environ.get("SANDBOX_SPEC_DIR"):
        values["SPEC_DIR"] = os.environ["SANDBOX_SPEC_DIR"]
    return values


def _mount(app: Flask, name: str, prefix: str, store: Store, clock: Clock) -> Api:
    package = importlib.import_module(f"mock_server.{name}")
    spec_path = Path(app.config["SPEC_DIR"]) / f"{name}.yaml"
    if name == CONTROL_NAME and not spec_path.exists():  # a SPEC_DIR of partner specs only: ours is built in
        spec_path = ROOT / "openapi" / spec_path.name
    spec = Spec(spec_path)
    handlers_module = importlib.import_module(f"mock_server.{name}.handlers")
    errors_module = importlib.import_module(f"mock_server.{name}.errors")
    api = Api(name=name, spec=spec, handlers={}, errors=errors_module,
              backend=package.create_backend(store, clock, spec, app.config), prefix=prefix)

    for operation in spec.operations:
        handler = getattr(handlers_module, operation.handler, None)
        if handler is None:
            raise RuntimeError(f"{name}: the spec's operation {operation.operation_id} has no handler "
                               f"{handlers_module.__name__}.{operation.handler}")
        api.handlers[operation.handler] = handler
        api.path_operations.setdefault(operation.flask_rule, {})[operation.method] = operation

    blueprint = Blueprint(name, __name__, url_prefix=prefix or None)
    every_method = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
    for rule in api.path_operations:
        blueprint.add_url_rule(rule, endpoint=rule, view_func=_dispatcher(api, rule), methods=every_method,
                               provide_automatic_options=False, strict_slashes=True)
    # Anything else under the prefix is this API's own 404.
    unknown = _unknown_path(api)
    blueprint.add_url_rule("/<path:rest>", endpoint="unknown", view_func=unknown, methods=every_method,
                           provide_automatic_options=False)
    if prefix:
        blueprint.add_url_rule("/", endpoint="unknown_root", view_func=unknown, methods=every_method,
                               provide_automatic_options=False)
    app.register_blueprint(blueprint)
    return api


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
        result = api.handlers[operation.handler](Call(api, operation, path_args))
        body, status, headers = (result + ({},))[:3] if len(result) == 2 else result
        if status == 204:
            return Response(status=204, headers=headers)
        if isinstance(body, Rows):
            return _rows_response(api, operation, body, status, headers)
        return _json_response(body, status, headers)

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


def dump_json(body: Any) -> bytes:
    """The wire form of every JSON answer (orjson: UTF-8, no ASCII escaping, keys in their order)."""
    try:
        return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # beyond orjson's range (an integer past 64 bits): the standard library's
        return json.dumps(body, ensure_ascii=False).encode()


STREAM_AFTER_BYTES = 1 << 20  # a JSON array longer than this is streamed
STREAM_BATCH = 1000  # rows per streamed chunk


def _rows_response(api: Api, operation: Operation, answer: Rows, status: int, headers: dict) -> Response:
    rows = iter(answer.rows)
    head, encoded, size = [], [], 0
    for row in rows:
        head.append(row)
        encoded.append(dump_json(row))
        size += len(encoded[-1]) + 1
        if size >= STREAM_AFTER_BYTES:
            break
    else:  # it all fits: an ordinary answer, checked and journaled whole
        return _json_response(head, status, headers, data=b"[" + b",".join(encoded) + b"]")
    # Streamed: the rows read so far are checked before the status line goes out; the rest as they are sent
    # (a problem found then can only be logged: the headers are gone).
    record = current()
    record.streamed = True
    record.response_body = b"[" + b",".join(encoded)  # what the journal keeps is the start of it anyway
    check, sample = _row_checker(api, operation, status)
    problem = check(head if sample is None else head[:sample], 0) if check else None
    del head
    prefix, index = record.response_body, len(encoded)
    del encoded

    def body():
        yield prefix
        batch, last, at = [], [], index
        for row in rows:
            batch.append(row)
            if len(batch) == STREAM_BATCH:
                yield _batch(batch, check if sample is None else None, at)
                last = batch[-sample:] if sample else []
                at, batch = at + len(batch), []
        if batch:
            yield _batch(batch, check if sample is None else None, at)
            last = (last + batch)[-sample:] if sample else []
            at += len(batch)
        if check and sample and last:  # the sample's last rows
            check(last, at - len(last))
        yield b"]"

    response = Response(body(), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if problem:
        response.headers["X-Sandbox-Spec-Violation"] = problem[:300]
    return response


def _batch(rows: list, check, index: int) -> bytes:
    if check:
        check(rows, index)
    return b"," + b",".join(dump_json(row) for row in rows)


def _row_checker(api: Api, operation: Operation, status: int):
    """Checks rows of a streamed array against the array's item schema; returns the first problem (logged)."""
    mode = current_app.config["SELF_CHECK"]
    schema = operation.response_schema(status)
    items = api.spec.resolve(schema).get("items") if mode and schema is not None else None
    if items is None:
        return None, None
    validator = api.spec.compiled_validator(items)
    sample = None if mode == "full" else max(1, int(current_app.config["SELF_CHECK_SAMPLE"]) // 2)

    def check(rows: list, start: int):
        for offset, row in enumerate(rows):
            first = None if validator.is_valid(row) else next(iter(validator.iter_errors(row)), None)
            if first is not None:
                where = "/".join(map(str, [start + offset, *first.instance_path]))
                problem = f"{where}: {first.message}"
                log.error("spec violation on %s %s (streamed): %s", operation.method, operation.path, problem)
                return problem
        return None
    return check, sample


def _json_response(body: Any, status: int, headers: dict | None = None, data: bytes | None = None) -> Response:
    data = dump_json(body) if data is None else data
    response = Response(data, status=status, mimetype="application/json")
    record = current()
    record.response_body = body  # the self-check and the journal read it back without parsing the JSON
    record.response_bytes = len(data)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _register_error_handling(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def render_api_error(error: ApiError):
        return _json_response(error.body(), error.status, error.headers)

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
        return _json_response({"error": HTTPStatus(status).phrase, "message": message}, status)

    @app.errorhandler(413)
    def render_body_too_large(error):
        return render_refusal(413, limits.message(413))

    @app.errorhandler(limits.MalformedBody)
    def render_malformed_body(error):
        return render_refusal(400, limits.message(400, limits.MALFORMED_CHUNKS))

    @app.errorhandler(ClientDisconnected)
    def render_unfinished_body(error):
        """The body stopped coming: too slow (the worker's read timeout, mock_server/sandbox/worker.py), or shorter
        than its Content-Length. Werkzeug wraps either in ClientDisconnected (a 400)."""
        if isinstance(error.__context__, limits.ReadTimeout):
            return render_refusal(408, limits.message(408))
        return render_refusal(400, limits.message(400, limits.BODY_ENDED_EARLY))

    @app.errorhandler(404)
    def render_not_found(error):
        api = api_of_request()
        if api is not None:
            return render_api_error(api.errors.not_found())
        return _json_response({"error": "Not Found", "message": f"Nothing is served at {request.path}"}, 404)

    @app.errorhandler(405)
    def render_method_not_allowed(error):
        allowed = ", ".join(m for m in (error.valid_methods or []) if m not in ("HEAD", "OPTIONS", "TRACE"))
        api = api_of_request()
        if api is not None:  # a method Werkzeug does not route at all (e.g. QUERY): the spec's methods
            operations = _operations_at(app, api)
            return render_api_error(api.errors.method_not_allowed(", ".join(operations) if operations else allowed))
        return _json_response({"error": "Method Not Allowed", "message": f"Use {allowed}"}, 405, {"Allow": allowed})

    @app.errorhandler(Exception)
    def render_unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        api = api_of_request()
        if api is not None:
            return render_api_error(api.errors.internal())
        return _json_response({"error": "Internal Server Error", "message": "Unexpected error"}, 500)


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


def _after_request(response: Response) -> Response:
    if not (request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/")):
        response.headers["Access-Control-Allow-Origin"] = "*"  # the partner APIs; never the control API
    record = current()
    operation: Operation | None = record.operation
    if (operation is not None and current_app.config["SELF_CHECK"] and response.mimetype == "application/json"
            and record.fault is None and not record.streamed):  # an injected fault is meant to break the contract
        problem = _spec_violation(record.api, operation, response)
        if problem:
            log.error("spec violation on %s %s: %s", operation.method, operation.path, problem)
            response.headers["X-Sandbox-Spec-Violation"] = problem[:300]
    return response


def _spec_violation(api: Api, operation: Operation, response: Response) -> str | None:
    if not operation.documents_status(response.status_code):
        return f"status {response.status_code} is not documented for {operation.operation_id}"
    schema = operation.response_schema(response.status_code)
    if schema is None:
        return None
    body = current().response_body
    if body is NO_BODY:
        body = response.get_json()
    config = current_app.config
    sampled = body if config["SELF_CHECK"] == "full" else _sample(body, int(config["SELF_CHECK_SAMPLE"]))
    validator = api.spec.compiled_validator(schema)
    first = None if validator.is_valid(sampled) else next(iter(validator.iter_errors(sampled)), None)
    if first is None:
        return None
    where = "/".join(map(str, first.instance_path)) or "(root)"
    return f"{where}{' (of a sample)' if sampled is not body else ''}: {first.message}"


def _sample(value: Any, size: int) -> Any:
    """`value` with every array longer than `size` cut to its first and last size/2 items (the self-check
    of a 40,000-row report then costs what a 40-row one does; every row is built by the same code)."""
    if isinstance(value, list):
        items = value if len(value) <= size else value[:size // 2] + value[-(size // 2):]
        sampled = [_sample(item, size) for item in items]
        return value if len(items) == len(value) and all(a is b for a, b in zip(sampled, value, strict=True)) \
            else sampled
    if isinstance(value, dict):
        sampled = {key: _sample(item, size) for key, item in value.items()}
        return value if all(sampled[key] is item for key, item in value.items()) else sampled
    return value
