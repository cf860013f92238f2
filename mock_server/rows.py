"""A handler's answer that is a JSON array of rows made one at a time (a report)."""

from __future__ import annotations

from collections.abc import Iterable


class Rows:
    """Sent as one body when it is small, streamed when it is not (mock_server/responses.py), so a worker's memory
    does not grow with the row count."""

    def __init__(self, rows: Iterable[dict]):
        self.rows = rows
