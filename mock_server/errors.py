"""The base of every error the sandbox answers with; each partner API subclasses it with its own wire shape."""

from __future__ import annotations


class ApiError(Exception):
    """An error response: a status, a JSON body, and optional headers."""

    status = 500

    def __init__(self, status: int | None = None, headers: dict | None = None):
        super().__init__(status or self.status)
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})

    def body(self) -> dict:
        raise NotImplementedError
