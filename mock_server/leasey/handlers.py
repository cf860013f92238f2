"""Leasey handlers, one per operationId: read the request through the spec, call the backend, serialise."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask import request

from .. import jsonbody
from ..record import current
from ..rows import Rows
from . import errors
from .models import LeaseyBackend
from .validation import TYPE_NAMES

_ASCII_INTEGER = re.compile(r"-?[0-9]+")


def claimed(backend: LeaseyBackend, key: str) -> int | None:
    """The company a request names (query, then JSON body), authenticated or not: what fault rules match on
    (mock_server/pipeline.py). Only ASCII digits name one, as in the spec's integer parameters (int() would read
    '١٢٣' or '123\\n')."""
    if key != "company_id":
        return None
    raw = request.args.get("company_id")
    if raw is None and request.is_json:
        try:
            body = jsonbody.loads(request.get_data(cache=True))
        except jsonbody.MalformedJson:
            body = None
        raw = body.get("company_id") if isinstance(body, dict) else None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and _ASCII_INTEGER.fullmatch(raw):
        return int(raw)
    return None


def _authenticate_read(call, password_in_query: bool = False):
    """Section 2 check order: token, company_id, password present, company exists, password, admin."""
    backend: LeaseyBackend = call.backend
    backend.check_token(request.headers.get("Authorization"), request.args.get("token"))
    company_id = call.param("company_id")
    password = request.args.get("password") if password_in_query else None
    password = password or request.headers.get("X-Company-Password")
    if not password:
        raise errors.unauthorized(errors.PASSWORD_MISSING)
    company = backend.authenticate_company(company_id, password)
    current().company_id = company.id  # who the journal and the request log say the request came from
    return company


def _moment(call, name: str, default: datetime | None = None) -> datetime | None:
    """An inclusive date bound. A bare date means the whole day: 00:00:00 for start, 23:59:59 for end."""
    raw = call.param(name)
    if raw is None:
        return default
    try:
        if "T" in raw:
            return datetime.fromisoformat(raw)
        day = datetime.fromisoformat(raw).date()
    except ValueError:
        raise errors.bad_request(errors.DATE_FORMAT.format(name=name)) from None
    return datetime.combine(day, time.max.replace(microsecond=0) if name == "end_date" else time.min)


def _start_of_year(call) -> datetime:
    return datetime(call.backend.clock.now().year, 1, 1)


def get_showings_report(call):
    company = _authenticate_read(call)
    start = _moment(call, "start_date", _start_of_year(call))
    end = _moment(call, "end_date")
    return Rows(call.backend.get_showings_report(company, start, end)), 200


def get_leads_report(call):
    company = _authenticate_read(call)
    start = _moment(call, "start_date", _start_of_year(call))
    end = _moment(call, "end_date")
    return Rows(call.backend.get_leads_report(company, start, end)), 200


def get_properties_report(call):
    company = _authenticate_read(call)
    return Rows(call.backend.get_properties_report(company)), 200


def list_property_leads(call):
    company = _authenticate_read(call, password_in_query=True)
    start, end = _moment(call, "start_date"), _moment(call, "end_date")
    property_id, limit = call.param("property_id"), call.param("limit")
    return call.backend.list_property_leads(company, start, end, property_id, limit), 200


def _authenticate_write(call) -> tuple:
    """Writes: token, then the JSON body's company_id and password, in the read side's order."""
    backend: LeaseyBackend = call.backend
    backend.check_token(request.headers.get("Authorization"), request.args.get("token"))
    try:  # strictly: NaN, Infinity, lone surrogates and nesting deeper than jsonbody.MAX_DEPTH are malformed too
        body = jsonbody.read_object(request.get_data(cache=True))
    except jsonbody.MalformedJson:
        raise errors.bad_request(errors.MALFORMED_JSON) from None
    if "action" in body:
        raise errors.bad_request(errors.V1_ACTION)
    if "company_id" not in body:
        raise errors.bad_request(errors.REQUIRED.format(name="company_id"))
    company_id = body["company_id"]
    if isinstance(company_id, float) and company_id.is_integer():
        company_id = int(company_id)  # JSON Schema: 123.0 is an integer
    if not isinstance(company_id, int) or isinstance(company_id, bool):
        raise errors.bad_request(errors.COMPANY_ID_NOT_INTEGER)
    password = body.get("password")
    if password in (None, ""):
        raise errors.unauthorized(errors.BODY_PASSWORD_MISSING)
    if not isinstance(password, str):
        raise errors.bad_request(errors.MUST_BE.format(name="password", kind=TYPE_NAMES["string"]))
    company = backend.authenticate_company(company_id, password)
    current().company_id = company.id
    unknown = sorted(set(body) - set(call.operation.request_schema_properties))
    if unknown:
        raise errors.bad_request(errors.UNKNOWN_FIELDS.format(names=", ".join(unknown)))
    if "property" not in body:
        raise errors.bad_request(errors.REQUIRED.format(name="property"))
    if not isinstance(body["property"], dict):
        raise errors.bad_request(errors.MUST_BE.format(name="property", kind=TYPE_NAMES["object"]))
    return company, body["property"]


def create_property(call):
    company, data = _authenticate_write(call)
    return call.backend.listings.create(company, data), 201


def update_property(call):
    company, data = _authenticate_write(call)
    property_id = call.param("property_id")
    return call.backend.listings.update(company, property_id, data), 200
