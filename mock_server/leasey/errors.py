"""Leasey's errors: `{"error": "<reason phrase>", "message": "<documented message>"}`, and the 422 format.

Messages marked (doc) are word for word from the document's authentication-errors table, section 11 or
section 14; the others are sandbox wording for cases the document lists without a message (FIDELITY.md).
"""

from __future__ import annotations

from http import HTTPStatus

from flask import request

from ..errors import ApiError
from ..spec import ParameterError
from .validation import TYPE_NAMES

EXPECTED_TOKEN_LENGTH = 48

TOKEN_MISSING = "Authentication token required"  # (doc)
TOKEN_INVALID = "Invalid authentication token"  # (doc)
TOKEN_LENGTH_MISMATCH = (  # (doc)
    "The provided token does not match the expected token — verify you are copying the full token "
    f"(expected length: {EXPECTED_TOKEN_LENGTH} characters)")
PASSWORD_MISSING = "X-Company-Password header is required"  # (doc)
BODY_PASSWORD_MISSING = "password is required"
PASSWORD_INVALID = "Invalid company password"  # (doc)
COMPANY_NOT_FOUND = "Company {id} not found"  # (doc)
NO_ADMIN = "No admin user found for company {id}. Contact support."  # (doc)
# A parameter or body field: one text whether it came in the query, a path or the JSON body (`kind` from
# validation.TYPE_NAMES), so editing it changes every path that sends it.
REQUIRED = "{name} is required"
MUST_BE = "{name} must be {kind}"
COMPANY_ID_NOT_INTEGER = MUST_BE.format(name="company_id", kind=TYPE_NAMES["integer"])  # (doc, section 14)
MUST_BE_UUID = "{name} must be a UUID"
MUST_BE_BETWEEN = "{name} must be between {minimum} and {maximum}"
INVALID = "{name} is invalid: {detail}"
DATE_FORMAT = "{name} must be an ISO-8601 date-time: YYYY-MM-DDTHH:MM:SS"
MALFORMED_JSON = "Malformed JSON: the request body must be a JSON object"
UNKNOWN_FIELDS = "Unknown field(s) in the request body: {names}"
V1_ACTION = ("The action field was removed in v2: POST /properties always creates a property; "
             "update with PUT /properties/{property_id}")
VALIDATION_FAILED = "Validation failed. See 'details' for field-level errors."  # (doc)
PROPERTY_NOT_FOUND = "Property not found"
NO_ROUTE = "No route matches {method} {path}"
METHOD_NOT_ALLOWED = "Method {method} is not allowed on {path}. Allowed: {allowed}"
INTERNAL = "Internal server error"


class LeaseyError(ApiError):
    def __init__(self, status: int, message: str, debug: dict | None = None, headers: dict | None = None):
        super().__init__(status, headers)
        self.message = message
        self.debug = debug

    def body(self) -> dict:
        body = {"error": HTTPStatus(self.status).phrase, "message": self.message}
        if self.debug is not None:
            body["debug"] = self.debug
        return body


class ValidationFailed(ApiError):
    """422: every failing field of the request, in one response."""

    status = 422

    def __init__(self, details: list[str]):
        super().__init__()
        self.details = details

    def body(self) -> dict:
        return {"error": "Unprocessable Entity", "message": VALIDATION_FAILED, "details": self.details}


def unauthorized(message: str, debug: dict | None = None) -> LeaseyError:
    return LeaseyError(401, message, debug)


def bad_request(message: str) -> LeaseyError:
    return LeaseyError(400, message)


# v1 request shapes (the document's "What changed in v2.0" tables) and the v2 call that replaces each.
V1_HINTS = {
    ("POST", "/reports"): "POST /reports was removed in v2: use GET /reports/showings, GET /reports/leads or "
                          "GET /reports/properties with company_id as a query parameter and the "
                          "X-Company-Password header",
    ("PUT", "/properties"): "PUT /properties was removed in v2: send PUT /properties/{property_id} with the "
                            "property ID in the URL path",
}


def _v1_hint() -> str | None:
    path = request.path.rstrip("/")
    for (method, suffix), hint in V1_HINTS.items():
        if request.method == method and path.endswith(suffix):
            return hint
    return None


def not_found(message: str | None = None) -> LeaseyError:
    return LeaseyError(404, message or _v1_hint() or NO_ROUTE.format(method=request.method, path=request.path))


def property_not_found() -> LeaseyError:
    return LeaseyError(404, PROPERTY_NOT_FOUND)


def method_not_allowed(allowed: str) -> LeaseyError:
    message = _v1_hint() or METHOD_NOT_ALLOWED.format(method=request.method, path=request.path, allowed=allowed)
    return LeaseyError(405, message, headers={"Allow": allowed})


def internal() -> LeaseyError:
    return LeaseyError(500, INTERNAL)


FAULT_MESSAGES = {  # sandbox wording: the document lists 500 without a message and no 429/502/503/504 at all
    429: "Too many requests. Retry after the number of seconds in the Retry-After header.",
    500: INTERNAL,
    502: "Bad gateway: the upstream service did not answer. Retry with exponential backoff.",
    503: "Service temporarily unavailable. Retry after the number of seconds in the Retry-After header.",
    504: "Gateway timeout: the upstream service took too long to answer. Retry with exponential backoff.",
}


def fault(status: int, retry_after: int | None = None) -> LeaseyError:
    """An injected fault (the control API's fault rules) in Leasey's error shape."""
    return LeaseyError(status, FAULT_MESSAGES[status],
                       headers={"Retry-After": str(retry_after)} if retry_after is not None else None)


def refused(status: int, message: str, path: str | None = None) -> LeaseyError:
    """A request the sandbox refuses before any operation runs (body, request line or header limits, a slow or
    malformed request: FIDELITY.md, Hardening), in the error shape of every other Leasey error."""
    return LeaseyError(status, message)


def invalid_fault_header(message: str) -> LeaseyError:
    return bad_request(message)


def from_parameter(error: ParameterError) -> LeaseyError:
    """A query or path parameter the spec rejects: 400 (a malformed path id is a 404: the property is not there)."""
    if error.location == "path":
        return property_not_found()
    if error.kind == "missing":
        return bad_request(REQUIRED.format(name=error.name))
    schema = error.schema
    if error.kind == "type":
        return bad_request(MUST_BE.format(name=error.name, kind=TYPE_NAMES.get(error.expected_type,
                                                                                 "a " + error.expected_type)))
    if "pattern" in schema:
        return bad_request(DATE_FORMAT.format(name=error.name))
    if schema.get("format") == "uuid":
        return bad_request(MUST_BE_UUID.format(name=error.name))
    if "minimum" in schema or "maximum" in schema:
        return bad_request(MUST_BE_BETWEEN.format(name=error.name, minimum=schema.get("minimum"),
                                                  maximum=schema.get("maximum")))
    return bad_request(INVALID.format(name=error.name, detail=error.detail))

