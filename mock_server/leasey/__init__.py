"""The Leasey External API v2 (reports and property listings)."""

from .models import LeaseyBackend


def create_backend(store, clock, spec, settings) -> LeaseyBackend:
    return LeaseyBackend(store, clock, spec)
