"""One record per request: what the pipeline, the dispatcher and the handlers learn about it as it goes.

The pipeline opens it when the request starts (`open_record`) and everything after reads or fills the same
object (`current()`), instead of attributes spread over `flask.g`.
"""

from __future__ import annotations

import time
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from typing import Any

NO_BODY = object()  # response_body before a JSON response was rendered


@dataclass(slots=True)
class RequestRecord:
    started: float = field(default_factory=time.perf_counter)
    api: Any = None  # the mounted Api the request is for (partner or control), once known
    operation: Any = None  # the spec Operation, once routed to one
    fault: str | None = None  # the fault rule id (or "header") that answered instead of the handler
    dropped: bool = False  # the connection was dropped by a fault
    company_id: int | None = None  # the Leasey company it authenticated as
    client_id: str | None = None  # the Travtus client it authenticated as
    response_body: Any = NO_BODY  # the JSON value sent, kept for the self-check and the journal
    response_bytes: int = 0
    streamed: bool = False  # the body is sent as it is made (checked by the streamer, not after the response)


_current: ContextVar[RequestRecord | None] = ContextVar("sandbox_request", default=None)


def open_record() -> tuple[RequestRecord, Token]:
    record = RequestRecord()
    return record, _current.set(record)


def close_record(token: Token) -> None:
    _current.reset(token)


def current() -> RequestRecord:
    """The record of the request being served (a throwaway one outside a request: nothing reads it)."""
    return _current.get() or RequestRecord()
