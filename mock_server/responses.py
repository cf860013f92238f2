"""JSON answers: the one wire encoding, whole answers, and long arrays streamed in batches (checked as they go)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import orjson
from flask import Response

from .record import current
from .rows import Rows
from .selfcheck import HEADER as VIOLATION_HEADER
from .selfcheck import row_checker
from .spec import Operation

if TYPE_CHECKING:
    from .api import Api

STREAM_AFTER_BYTES = 1 << 20  # a JSON array longer than this is streamed
STREAM_BATCH = 1000  # rows per streamed chunk


def dump_json(body: Any) -> bytes:
    """The wire form of every JSON answer (orjson: UTF-8, no ASCII escaping, keys in their order)."""
    try:
        return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # beyond orjson's range (an integer past 64 bits): the standard library's
        return json.dumps(body, ensure_ascii=False).encode()


def json_response(body: Any, status: int, headers: dict | None = None, data: bytes | None = None) -> Response:
    data = dump_json(body) if data is None else data
    response = Response(data, status=status, mimetype="application/json")
    record = current()
    record.response_body = body  # the self-check and the journal read it back without parsing the JSON
    record.response_bytes = len(data)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handler_response(api: Api, operation: Operation, result: tuple) -> Response:
    """What a handler returned — (body, status) or (body, status, headers) — as the response sent."""
    body, status, headers = (result + ({},))[:3] if len(result) == 2 else result
    if status == 204:
        return Response(status=204, headers=headers)
    if isinstance(body, Rows):
        return rows_response(api, operation, body, status, headers)
    return json_response(body, status, headers)


def rows_response(api: Api, operation: Operation, answer: Rows, status: int, headers: dict) -> Response:
    rows = iter(answer.rows)
    head, encoded, size = [], [], 0
    for row in rows:
        head.append(row)
        encoded.append(dump_json(row))
        size += len(encoded[-1]) + 1
        if size >= STREAM_AFTER_BYTES:
            break
    else:  # it all fits: an ordinary answer, checked and journaled whole
        return json_response(head, status, headers, data=b"[" + b",".join(encoded) + b"]")
    # Streamed: the rows read so far are checked before the status line goes out; the rest as they are sent
    # (a problem found then can only be logged: the headers are gone).
    record = current()
    record.streamed = True
    record.response_body = b"[" + b",".join(encoded)  # what the journal keeps is the start of it anyway
    check, sample = row_checker(api, operation, status)
    problem = check(head if sample is None else head[:sample], 0) if check else None
    del head
    prefix, index = record.response_body, len(encoded)
    del encoded

    def body():
        yield prefix
        batch, last, at = [], [], index
        for row in rows:
            batch.append(row)
            if len(batch) == STREAM_BATCH:
                yield _batch(batch, check if sample is None else None, at)
                last = batch[-sample:] if sample else []
                at, batch = at + len(batch), []
        if batch:
            yield _batch(batch, check if sample is None else None, at)
            last = (last + batch)[-sample:] if sample else []
            at += len(batch)
        if check and sample and last:  # the sample's last rows
            check(last, at - len(last))
        yield b"]"

    response = Response(body(), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        response.headers[key] = value
    if problem:
        response.headers[VIOLATION_HEADER] = problem[:300]
    return response


def _batch(rows: list, check, index: int) -> bytes:
    if check:
        check(rows, index)
    return b"," + b",".join(dump_json(row) for row in rows)
