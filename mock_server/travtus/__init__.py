"""The Travtus API: OAuth2 client-credentials tokens and Find Leases (GET /leases/)."""

from .models import TravtusBackend


def create_backend(store, clock, spec, config) -> TravtusBackend:
    return TravtusBackend(store, clock, spec)
