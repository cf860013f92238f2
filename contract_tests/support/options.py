"""Command-line choices known before collection (schemathesis builds its cases at import time)."""

BASE_URL: str | None = None  # None: the served sandbox
