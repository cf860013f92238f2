"""Control API handlers, one per operationId of openapi/sandbox.yaml."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import request

from .. import jsonbody, limits
from . import Control, errors
from .state import NotFound
from .tenants import leasey_tenant_id

NO_CONTENT = ({}, 204)


def _control(call) -> Control:
    return call.backend


def _body(call, required: bool = True) -> dict:
    """The JSON body, validated against the operation's schema (the first problem answers 400)."""
    raw = limits.read_body(request)  # over the body limit: 413 (mock_server/api.py)
    if not raw:
        if required:
            raise errors.invalid("A JSON body is required")
        return {}
    if request.mimetype != "application/json":  # a form or text/plain body is what another site's page can send
        raise errors.refused(415, "The body must be JSON, sent with Content-Type: application/json.")
    try:  # strictly: NaN, Infinity and nesting deeper than jsonbody.MAX_DEPTH are not a JSON object either
        body = jsonbody.read_object(raw)
    except jsonbody.NotText:
        raise errors.invalid("The body must be UTF-8 text") from None
    except jsonbody.MalformedJson:
        raise errors.invalid("The body must be a JSON object") from None
    problems = sorted(call.api.spec.validator(call.operation.body_schema).iter_errors(body),
                      key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        where = "/".join(map(str, first.absolute_path)) or "body"
        message = first.validator_value.get("description") if first.validator == "not" else first.message
        raise errors.invalid(f"{where}: {message}")
    return body


def _base_url() -> str:
    return request.host_url.rstrip("/")


def get_health(call):
    """Answers, and reaches the database: one bounded read of the shared state version (a load balancer takes a
    host that answers 503 out)."""
    try:
        _control(call).store.version()
    except Exception as unreachable:  # any driver error is the same verdict: this host cannot serve
        reason = str(getattr(unreachable, "orig", None) or unreachable).strip().splitlines()[0][:200]
        return {"status": "unavailable", "reason": f"the database cannot be reached: {reason}"}, 503
    return {"status": "ok"}, 200


# -- state ------------------------------------------------------------------------------------------

def _reset_result(call, what: str):
    return {"reset": what, "now": _control(call).clock.now().isoformat()}, 200


def reset_all(call):
    _control(call).state.reset_all()
    return _reset_result(call, "all")


def reset_leasey_company(call):
    control = _control(call)
    company_id = call.param("company_id")
    tenant = control.tenants.get(leasey_tenant_id(company_id))
    try:
        if tenant is not None:
            control.tenants.reset(tenant)
        else:
            control.state.reset_leasey_company(company_id)
    except NotFound as missing:
        raise errors.not_found(str(missing)) from None
    return _reset_result(call, f"leasey company {company_id}")


def reset_travtus_client(call):
    control = _control(call)
    client_id = call.param("client_id")
    tenant = control.tenants.get(client_id)
    if tenant is not None and tenant["api"] == "travtus":
        control.tenants.reset(tenant)
    elif client_id in control.state.travtus_fixture_clients():
        control.state.reset_travtus_fixtures()
    else:
        raise errors.not_found(f"Travtus client {client_id} is neither in the fixtures nor a tenant")
    return _reset_result(call, f"travtus client {client_id}")


def list_snapshots(call):
    return _control(call).state.snapshots(), 200


def create_snapshot(call):
    return _control(call).state.snapshot(_body(call)["name"]), 201


def delete_snapshot(call):
    name = call.param("name")
    if not _control(call).state.forget(name):
        raise errors.not_found(f"No snapshot named {name}")
    return NO_CONTENT


def restore_snapshot(call):
    try:
        return _control(call).state.restore(call.param("name")), 200
    except NotFound as missing:
        raise errors.not_found(str(missing)) from None


# -- journal ----------------------------------------------------------------------------------------

def get_journal(call):
    journal = _control(call).journal
    entries = journal.entries(**call.params())
    return {"capacity": journal.capacity, "count": len(entries), "entries": entries}, 200


def clear_journal(call):
    _control(call).journal.clear()
    return NO_CONTENT


# -- faults -----------------------------------------------------------------------------------------

def list_faults(call):
    return _control(call).faults.all(), 200


def create_fault(call):
    body = _body(call)
    schema = call.operation.body_schema["properties"]
    return _control(call).faults.add(body.get("match", {}), body["action"],
                                     body.get("times", schema["times"]["default"]),
                                     body.get("probability", schema["probability"]["default"])), 201


def clear_faults(call):
    _control(call).faults.remove()
    return NO_CONTENT


def get_fault(call):
    fault_id = call.param("fault_id")
    fault = _control(call).faults.get(fault_id)
    if fault is None:
        raise errors.not_found(f"No fault rule {fault_id}")
    return fault, 200


def delete_fault(call):
    fault_id = call.param("fault_id")
    if not _control(call).faults.remove(fault_id):
        raise errors.not_found(f"No fault rule {fault_id}")
    return NO_CONTENT


# -- clock ------------------------------------------------------------------------------------------

EARLIEST, LATEST = datetime(1970, 1, 1), datetime(9000, 12, 31, 23, 59, 59)  # openapi/sandbox.yaml, Timestamp


def _within_range(moment: datetime) -> datetime:
    """The clock stays where date arithmetic (two years back, a year ahead) cannot overflow."""
    if not EARLIEST <= moment <= LATEST:
        raise errors.invalid(f"The sandbox clock must stay between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return moment


def get_clock(call):
    return _control(call).clock.describe(), 200


def set_clock(call):
    body = _body(call)
    try:
        moment = datetime.fromisoformat(body["now"])
    except ValueError:
        raise errors.invalid(f"now: '{body['now']}' is not a real date-time") from None
    clock = _control(call).clock
    clock.set(_within_range(moment), frozen=body.get("frozen", False))
    return clock.describe(), 200


def follow_real_time(call):
    clock = _control(call).clock
    clock.follow_real_time()
    return clock.describe(), 200


def advance_clock(call):
    body = _body(call)
    clock = _control(call).clock
    seconds = body.get("seconds", 0) + 86_400 * body.get("days", 0)
    try:
        _within_range(clock.now() + timedelta(seconds=seconds))
    except OverflowError:
        raise errors.invalid("The clock cannot move that far") from None
    clock.advance(seconds)
    return clock.describe(), 200


# -- tenants ----------------------------------------------------------------------------------------

def list_tenants(call):
    tenants = _control(call).tenants
    tenants.expire_idle()
    return [tenants.public(record, _base_url()) for record in tenants.all()], 200


def create_leasey_tenant(call):
    tenants = _control(call).tenants
    tenants.expire_idle()
    return tenants.create_leasey(_body(call, required=False), _base_url()), 201


def create_travtus_tenant(call):
    tenants = _control(call).tenants
    tenants.expire_idle()
    return tenants.create_travtus(_body(call, required=False), _base_url()), 201


def get_tenant(call):
    tenants = _control(call).tenants
    tenants.expire_idle()
    record = tenants.get(call.param("tenant_id"))
    if record is None:
        raise errors.not_found(f"No tenant {call.param('tenant_id')}")
    return tenants.public(record, _base_url()), 200


def delete_tenant(call):
    if not _control(call).tenants.remove(call.param("tenant_id")):
        raise errors.not_found(f"No tenant {call.param('tenant_id')}")
    return NO_CONTENT


# -- billing ----------------------------------------------------------------------------------------

def list_billing_items(call):
    return _control(call).state.billing_items(**call.params()), 200
