"""Travtus handlers, one per operationId: read the request through the spec, call the backend, serialise.

Find Leases checks, in this order (FIDELITY.md, Travtus API): rate limit (when on), authorization, each parameter's
validity in the spec's order, at least one search parameter, then the group-identifier conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import request

from .. import digests
from ..record import current
from . import errors
from .models import Cursor, LeaseSearch, PageRequest, TravtusBackend
from .ratelimit import shared_limiter

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1
LIST_PARAMETERS = ("group_ids", "group_external_refs")  # comma-separated


def create_token(call):
    backend: TravtusBackend = call.backend
    client_id = request.form.get("client_id") if request.mimetype == FORM else None
    _throttle(call, "token", lambda: f"client:{client_id}" if client_id else None)
    if request.mimetype != FORM:
        raise errors.oauth_invalid_request(f"The request body must be {FORM}.")
    schema = call.api.spec.component("TokenRequest")
    for name in schema["required"]:  # spec order: client_id, client_secret, grant_type
        values = request.form.getlist(name)
        if len(values) > 1:  # RFC 6749 §3.2: parameters must not be included more than once
            raise errors.oauth_invalid_request(f"The parameter '{name}' is included more than once.")
        if not values or not values[0]:
            raise errors.oauth_invalid_request(f"The request is missing the required parameter '{name}'.")
    grant_type = request.form["grant_type"]
    if grant_type not in schema["properties"]["grant_type"]["enum"]:
        raise errors.oauth_unsupported_grant_type(grant_type)
    token = backend.issue_token(request.form["client_id"], request.form["client_secret"],
                                sent_authorization="Authorization" in request.headers)
    current().client_id = request.form["client_id"]  # who the journal and the request log say the request came from
    return token, 200, NO_STORE


def claimed(backend: TravtusBackend, key: str) -> str | None:
    """The client a request is for, authenticated or not: the token form's client_id, or the owner of its bearer
    token. What fault rules match on (mock_server/pipeline.py)."""
    if key != "client_id":
        return None
    if errors.at_token_endpoint():
        return request.form.get("client_id") or None
    parts = (request.headers.get("Authorization") or "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return backend.client_of(parts[1])


def find_leases(call):
    backend: TravtusBackend = call.backend
    _throttle(call, "api", _bearer_key)
    principal = backend.authenticate(request.headers.get("Authorization"))
    current().client_id = principal.client_id
    values = _read_parameters(call)
    search = {p.name: values[p.name] for p in call.operation.parameters
              if p.extensions.get("x-search-parameter") and values[p.name] is not None}
    if not search:
        raise errors.no_search_parameters()
    if "group_ids" in search and "group_external_refs" in search:
        raise errors.both_group_identifiers_provided()
    page = PageRequest(cursor=values["after_id"], offset=values["offset"], limit=values["limit"])
    return backend.find_leases(principal, LeaseSearch(**search), page), 200


def _read_parameters(call) -> dict:
    """Every query parameter in the spec's order, coerced by its schema (the first invalid one answers).

    A blank value counts as not given where the schema admits any string (identifier, refs, after_id); a
    blank date or number is malformed like any other bad value. Dates become `date`s, the group lists
    tuples, after_id a Cursor.
    """
    strict = {p.name for p in call.operation.parameters
              if p.schema.get("format") or p.schema.get("type") in ("integer", "number")}
    source = {key: value for key, value in request.args.to_dict(flat=True).items() if value.strip() or key in strict}
    values = {}
    for parameter in call.operation.parameters:
        value = call.api.spec.read_parameter(parameter, source)
        if value is not None and parameter.schema.get("format") == "date":
            value = _date(parameter.name, value)
        elif value is not None and parameter.name in LIST_PARAMETERS:
            value = tuple(item.strip() for item in value.split(",") if item.strip()) or None
        elif value is not None and parameter.name == "after_id":
            value = Cursor.decode(value)
        values[parameter.name] = value
    return values


def _date(name: str, value: str) -> date:
    """The spec's `format: date` already rejected anything but a real YYYY-MM-DD day; parse it strictly anyway."""
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise errors.date_format_invalid(name) from None


def _bearer_key() -> str:
    """Limits apply "per API key": the presented token (its digest: bucket keys are stored), or the caller's
    address when there is none."""
    parts = (request.headers.get("Authorization") or "").split()
    if not parts:
        return f"address:{request.remote_addr}"
    return "token:" + digests.digest(parts[-1], digests.RATE_BUCKET)


def _throttle(call, kind: str, key_of: Callable[[], str | None]) -> None:
    """The bucket's key is worked out only when limits are on (off by default: no digest per request then)."""
    limiter = shared_limiter(call.backend.store, call.backend.rate_limits)
    if limiter is None:
        return
    key = (key_of() or f"address:{request.remote_addr}").replace("\x00", "\ufffd")  # a bucket key is stored text
    retry_after = limiter.take(kind, key)
    if retry_after is not None:
        raise errors.rate_limit_exceeded(retry_after)
