"""The Travtus API: OAuth2 client-credentials tokens and GET /leases."""


def create_backend(store, clock, spec):
    return None
