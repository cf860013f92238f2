"""The Travtus API: OAuth2 client-credentials tokens and Find Leases (GET /leases/)."""

from .models import TravtusBackend


def create_backend(store, clock, spec, settings) -> TravtusBackend:
    backend = TravtusBackend(store, clock, spec)
    backend.rate_limits = settings.travtus_rate_limit  # parsed at start-up (mock_server/settings.py); None: off
    return backend
