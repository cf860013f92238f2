"""What happens around every request: the admin-token gate, faults, the journal, tenant use and the request log.

Partner-API requests are faulted before their handler runs and journaled after it; control-API requests
are checked for the admin token; every request, whatever it is, gets one masked log line.
"""

from __future__ import annotations

import hmac
import logging
import time
from contextlib import ExitStack
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException

from . import limits
from .api import CONTROL_NAME
from .context import sandbox
from .record import NO_BODY, close_record, current, open_record
from .sandbox import errors as control_errors
from .sandbox import masking, origin
from .sandbox.faults import HEADER, Action, HeaderError, drop_connection, parse_header
from .sandbox.journal import Pending

EXPIRY_SWEEP_SECONDS = 60
access_log = logging.getLogger("mock_server.access")


def install(app: Flask) -> None:
    app.extensions["sandbox.hosts"] = origin.HostPolicy.of(app.extensions["sandbox"].settings)  # what /_sandbox answers
    app.before_request(_before)
    app.after_request(_after)
    app.teardown_request(_teardown)


def _open(state) -> None:
    """The request's record, its one read of the shared state, its one moment on the sandbox clock."""
    record, token = open_record()
    scope = ExitStack()
    scope.callback(close_record, token)
    scope.enter_context(state.store.pinned())
    scope.enter_context(state.clock.pinned())
    g.scope = scope
    return record


def _teardown(_error=None) -> None:
    scope = g.pop("scope", None)
    if scope is not None:
        scope.close()


def _partner_api():
    return sandbox().apis.get(request.blueprint or "")


def _before():
    state = sandbox()
    record = _open(state)
    if request.blueprint == CONTROL_NAME:
        if request.endpoint not in state.control.open_endpoints:  # (health: probed by any name; no state)
            origin.check(current_app.extensions["sandbox.hosts"], request)
            _require_admin_token()
        return None
    api = _partner_api()
    if api is None:
        return None
    record.api = api
    try:
        limits.read_body(request)  # kept for the journal; form parsing reads the cached copy
    except HTTPException:  # too large, too slow, ended early or malformed: answered in api.py, not read again
        g.body_unread = True
        raise
    control = state.control.backend
    _sweep_idle_tenants(control)
    action = _fault_action(api, control)
    if action is None:
        return None
    record.fault = action.source
    if action.latency_ms:
        time.sleep(action.latency_ms / 1000)
    if action.drop:
        drop_connection(request.environ)
        record.dropped = True
        return Response(status=503)  # nobody reads it: the connection is closed
    if action.status:
        retry_after = 1 if action.status in (429, 503) else None
        raise api.errors.fault(action.status, retry_after)
    return None


def _require_admin_token() -> None:
    expected = sandbox().settings.admin_token
    if not expected:
        return
    scheme, _, token = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise control_errors.unauthorized()


def _fault_action(api, control) -> Action | None:
    header = request.headers.get(HEADER)
    if header is not None:
        allowed = control.spec.component("FaultAction")["properties"]["status"]["enum"]
        try:
            return parse_header(header, allowed)
        except HeaderError as bad:
            raise api.errors.invalid_fault_header(str(bad)) from None
    return control.faults.action_for(_RequestFacts(api))


class _RequestFacts:
    """What a fault rule may match on; the company or client is read only when a rule asks for it."""

    def __init__(self, api):
        self.api = api
        self.path = request.path
        self._values = {"api": api.name, "method": request.method}

    def get(self, key: str):
        if key not in self._values:
            self._values[key] = self.api.claimed(self.api.backend, key)
        return self._values[key]


_last_sweep = [0.0]


def _sweep_idle_tenants(control) -> None:
    now = time.monotonic()
    if now - _last_sweep[0] >= EXPIRY_SWEEP_SECONDS:
        _last_sweep[0] = now
        control.tenants.expire_idle()


def _after(response: Response) -> Response:
    record = current()
    latency_ms = round((time.perf_counter() - record.started) * 1000, 2)
    fault = record.fault
    if fault is not None:
        response.headers[HEADER] = fault
    api = _partner_api()
    company_id, client_id = record.company_id, record.client_id
    status = 0 if record.dropped else response.status_code
    if api is not None:
        state = sandbox()
        control = state.control.backend
        _journal(control, state.clock, api.name, status, latency_ms, response, record)
        if status < 400:
            control.tenants.touch_caller(company_id, client_id)
    _log_line(status, latency_ms, company_id, client_id, fault)
    return response


def _journal(control, clock, api: str, status: int, latency_ms: float, response: Response, record) -> None:
    raw = None
    if record.dropped:
        response_body = None
    elif record.response_body is not NO_BODY and response.mimetype == "application/json":
        response_body = record.response_body  # the value sent: the writer masks it, nobody parses it again
        raw = None if record.streamed else response.get_data()
    else:
        response_body = response.get_data()
    control.journal.record(Pending(
        at=datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z",
        sandbox_time=clock.now().isoformat(), api=api, method=request.method, path=request.path,
        query=request.args.to_dict(), status=status, latency_ms=latency_ms, company_id=record.company_id,
        client_id=record.client_id, request_headers=list(request.headers.items()),
        request_body=b"" if g.get("body_unread") else request.get_data(cache=True), request_mimetype=request.mimetype,
        response_body=response_body, response_mimetype=response.mimetype,
        response_size=record.response_bytes, fault=record.fault, finished_ns=time.time_ns(), response_raw=raw))


def _log_line(status: int, latency_ms: float, company_id, client_id, fault) -> None:
    query = masking.query_string(request.query_string.decode("latin-1"))
    who = f" company={company_id}" if company_id is not None else ""
    who += f" client={client_id}" if client_id is not None else ""
    who += f" fault={fault}" if fault is not None else ""
    access_log.info("%s %s %s%s %s %.1fms%s", request.remote_addr, request.method, request.path,
                    f"?{query}" if query else "", status or "dropped", latency_ms, who)
