"""Travtus handlers (placeholder until the Travtus issue lands)."""

from .errors import TravtusError


def create_token(call):
    raise TravtusError(500, "internal_error", "not implemented yet")


def find_leases(call):
    raise TravtusError(500, "internal_error", "not implemented yet")
