"""The control API's errors: `{"error": "<code>", "message": "<text>"}` (openapi/sandbox.yaml, Error)."""

from __future__ import annotations

from flask import request

from ..errors import ApiError
from ..spec import ParameterError


class ControlError(ApiError):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(status, headers)
        self.code = code
        self.message = message

    def body(self) -> dict:
        return {"error": self.code, "message": self.message}


def unauthorized() -> ControlError:
    return ControlError(401, "unauthorized", "The control API needs 'Authorization: Bearer <admin token>'.",
                        {"WWW-Authenticate": 'Bearer realm="sandbox-control"'})


def invalid(message: str) -> ControlError:
    return ControlError(400, "invalid_request", message)


def not_found(message: str | None = None) -> ControlError:
    return ControlError(404, "not_found", message or f"There is no control endpoint at {request.method} {request.path}.")


def method_not_allowed(allowed: str) -> ControlError:
    return ControlError(405, "method_not_allowed", f"Use {allowed} on {request.path}.", {"Allow": allowed})


def internal() -> ControlError:
    return ControlError(500, "internal_error", "Unexpected error in the control API.")


REFUSAL_CODES = {400: "bad_request", 403: "forbidden", 408: "request_timeout", 413: "payload_too_large",
                 414: "uri_too_long", 415: "unsupported_media_type", 431: "request_header_fields_too_large"}


def refused(status: int, message: str, path: str | None = None) -> ControlError:
    """A request refused before any operation runs (limits, a slow or malformed request, a foreign Host or Origin,
    a body that is not JSON): FIDELITY.md, Hardening."""
    return ControlError(status, REFUSAL_CODES.get(status, "bad_request"), message)


def from_parameter(error: ParameterError) -> ControlError:
    if error.location == "path" and error.kind != "missing":
        return invalid(f"{error.name} in the path is not valid: {error.detail or 'wrong type'}")
    if error.kind == "missing":
        return invalid(f"{error.name} is required")
    return invalid(f"{error.name} is not valid: {error.detail}")
