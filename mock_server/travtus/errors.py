"""Travtus errors (placeholder until the Travtus issue lands)."""

from ..errors import ApiError


class TravtusError(ApiError):
    def __init__(self, status, type_, message, headers=None):
        super().__init__(status, headers)
        self.type, self.message = type_, message

    def body(self):
        return {"error": {"type": self.type, "message": self.message}}


def not_found():
    return TravtusError(404, "not_found", "Not found")


def method_not_allowed(allowed):
    return TravtusError(405, "method_not_allowed", "Method not allowed", {"Allow": allowed})


def from_parameter(error):
    return TravtusError(400, "invalid_parameter", str(error))


def internal():
    return TravtusError(500, "internal_error", "An internal error occurred while processing your request.")
