"""`mock-server fixtures generate`: large seeded data, bulk-inserted (placeholder until issue 7 lands)."""

from __future__ import annotations


def register(fixture_commands, common) -> None:
    """Add the `generate` sub-command to `mock-server fixtures`; `common` adds --db/--now/--api."""
