"""Travtus's errors: `{"error": {"type", "message"}}` on the lease endpoints, RFC 6749 §5.2 on the token endpoint.

Messages marked (doc) are word for word from the Find Leases page (travtus-leases-api.txt) or the public docs'
auth-error table; the others are sandbox wording for cases the docs do not cover (FIDELITY.md, Travtus API).
"""

from __future__ import annotations

from flask import request

from ..errors import ApiError
from ..spec import ParameterError

MISSING_AUTHORIZATION = (  # (doc) 400 on the leases page; 401 on the webhook-portal and tasks pages
    "Your request does not include an 'Authorization' header with a bearer token for your account.")
EXPIRED_TOKEN = (  # (doc)
    "The bearer token you have provided in the 'Authorization' header has expired. Please obtain a new one.")
INVALID_AUTHORIZATION = "The bearer token you have provided in the 'Authorization' header is invalid."  # (doc)
NO_SEARCH_PARAMETERS = "At least one search parameter is required to find leases."  # (doc)
BOTH_GROUP_IDENTIFIERS = (  # (doc) captioned "for the tenant find operation", but the message says leases
    "You have provided both a group id and group external reference for the find leases operation. "
    "Please only provide one of the two.")
NO_LEASES = "There are no lease records matching the provided parameters."  # (doc)
INTERNAL = "An internal error occurred while processing your request."  # (doc, the communities page's 500)
DATE_FORMAT_INVALID = ("The value provided for '{name}' is not a valid date. "
                       "Dates must be ISO 8601 formatted strings: YYYY-MM-DD.")
INVALID_PARAMETER = "The value provided for '{name}' is not valid. {hint}"
INVALID_CURSOR_HINT = "Pass the pagination.next_cursor or pagination.previous_cursor value of a previous response."
RATE_LIMITED = ("Too many requests. Retry after the number of seconds in the Retry-After header, "
                "backing off exponentially.")


class TravtusError(ApiError):
    """An error of the lease endpoints: `{"error": {"type": ..., "message": ...}}`."""

    def __init__(self, status: int, type_: str, message: str, headers: dict | None = None):
        super().__init__(status, headers)
        self.type = type_
        self.message = message

    def body(self) -> dict:
        return {"error": {"type": self.type, "message": self.message}}


class OAuthError(ApiError):
    """An error of the token endpoint, RFC 6749 §5.2 (the docs give none: sandbox choice)."""

    def __init__(self, status: int, code: str, description: str, headers: dict | None = None):
        super().__init__(status, headers)
        self.code = code
        self.description = description

    def body(self) -> dict:
        return {"error": self.code, "error_description": self.description}


# -- lease endpoints ------------------------------------------------------------------------------

def missing_authorization() -> TravtusError:
    return TravtusError(400, "missing_authorization", MISSING_AUTHORIZATION)


def expired_token() -> TravtusError:
    return TravtusError(401, "expired_token", EXPIRED_TOKEN)


def invalid_authorization() -> TravtusError:
    return TravtusError(401, "invalid_authorization", INVALID_AUTHORIZATION)


def no_search_parameters() -> TravtusError:
    return TravtusError(400, "no_search_parameters", NO_SEARCH_PARAMETERS)


def both_group_identifiers_provided() -> TravtusError:
    return TravtusError(400, "both_group_identifiers_provided", BOTH_GROUP_IDENTIFIERS)


def no_leases() -> TravtusError:
    return TravtusError(404, "not_found", NO_LEASES)


def date_format_invalid(name: str) -> TravtusError:
    return TravtusError(400, "date_format_invalid", DATE_FORMAT_INVALID.format(name=name))


def invalid_parameter(name: str, hint: str) -> TravtusError:
    return TravtusError(400, "invalid_parameter", INVALID_PARAMETER.format(name=name, hint=hint))


def invalid_cursor() -> TravtusError:
    return invalid_parameter("after_id", INVALID_CURSOR_HINT)


def rate_limit_exceeded(retry_after: int) -> TravtusError:
    return TravtusError(429, "rate_limit_exceeded", RATE_LIMITED, {"Retry-After": str(retry_after)})


# -- token endpoint -------------------------------------------------------------------------------

def oauth_invalid_request(description: str) -> OAuthError:
    return OAuthError(400, "invalid_request", description)


def oauth_unsupported_grant_type(grant_type: str) -> OAuthError:
    return OAuthError(400, "unsupported_grant_type",
                      f"The grant type '{grant_type}' is not supported; use 'client_credentials'.")


def oauth_invalid_client(sent_authorization: bool) -> OAuthError:
    # RFC 6749 §5.2: WWW-Authenticate only when the client tried to authenticate with the Authorization header.
    headers = {"WWW-Authenticate": 'Basic realm="travtus"'} if sent_authorization else None
    return OAuthError(401, "invalid_client", "Client authentication failed.", headers)


# -- what the framework asks every API for --------------------------------------------------------

def not_found() -> TravtusError:
    """A path the API does not serve (the documented not_found type, with a message naming the path)."""
    return TravtusError(404, "not_found", f"There is no endpoint at {request.method} {request.path}.")


def method_not_allowed(allowed: str) -> TravtusError:
    return TravtusError(405, "method_not_allowed", "The method is not allowed for the requested URL.",
                        {"Allow": allowed})


def internal() -> TravtusError:
    return TravtusError(500, "internal_error", INTERNAL)


FAULTS = {  # status: (lease-endpoint type, RFC 6749 error code on the token endpoint, message)
    429: ("rate_limit_exceeded", "temporarily_unavailable", RATE_LIMITED),
    500: ("internal_error", "server_error", INTERNAL),
    502: ("bad_gateway", "temporarily_unavailable", "The upstream service did not answer. Retry with exponential backoff."),
    503: ("service_unavailable", "temporarily_unavailable",
          "The service is temporarily unavailable. Retry after the number of seconds in the Retry-After header."),
    504: ("gateway_timeout", "temporarily_unavailable",
          "The upstream service took too long to answer. Retry with exponential backoff."),
}


def at_token_endpoint(path: str | None = None) -> bool:
    """The request is for POST /oauth2/token, whose errors take the RFC 6749 shape (decided before routing ends)."""
    return (request.path if path is None else path).endswith("/oauth2/token")


REFUSAL_TYPES = {400: "bad_request", 408: "request_timeout", 413: "payload_too_large", 414: "uri_too_long",
                 431: "request_header_fields_too_large"}


def refused(status: int, message: str, path: str | None = None) -> ApiError:
    """A request refused before any operation runs (limits, a slow or malformed request: FIDELITY.md, Hardening).
    The token endpoint answers RFC 6749's invalid_request (§5.2 has no code for these), the lease endpoints their
    envelope with the status's own type."""
    if at_token_endpoint(path):
        return OAuthError(status, "invalid_request", message)
    return TravtusError(status, REFUSAL_TYPES.get(status, "bad_request"), message)


def fault(status: int, retry_after: int | None = None) -> ApiError:
    """An injected fault (the control API's fault rules): the token endpoint's RFC 6749 shape, or the lease one."""
    type_, oauth_code, message = FAULTS[status]
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if at_token_endpoint():
        return OAuthError(status, oauth_code, message, headers)
    return TravtusError(status, type_, message, headers)


def invalid_fault_header(message: str) -> ApiError:
    if at_token_endpoint():
        return oauth_invalid_request(message)
    return TravtusError(400, "invalid_parameter", message)


def from_parameter(error: ParameterError) -> TravtusError:
    """A query parameter the spec rejects: a date is `date_format_invalid`, anything else `invalid_parameter`."""
    schema = error.schema
    if schema.get("format") == "date":
        return date_format_invalid(error.name)
    if error.kind == "unknown_field":  # a deepObject member the schema does not list
        fields = ", ".join(schema.get("properties", {}))
        return invalid_parameter(error.name, f"It is not a known field; the known fields are {fields}.")
    return invalid_parameter(error.name, _hint(schema))


def _hint(schema: dict) -> str:
    kind = schema.get("type", "string")
    if kind == "integer":
        if "minimum" in schema:
            return f"It must be an integer greater than or equal to {schema['minimum']}."
        return "It must be an integer."
    if kind == "number":
        return "It must be a number."
    return "It does not match the expected format."
