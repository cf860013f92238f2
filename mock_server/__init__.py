"""A stateful, spec-driven sandbox of the Leasey External API v2 and the Travtus API."""
