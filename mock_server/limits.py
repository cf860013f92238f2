"""What a request may be and how long it may take to arrive; the answers to one that breaks a limit.

Every limit is documented in the three specs (each operation's 400, 408, 413, 414 and 431) and in FIDELITY.md,
Hardening. The body limit is enforced by Flask (MAX_CONTENT_LENGTH: a Content-Length over it is refused before
anything is read, a chunked body as soon as it passes it); the request line, the header and the time limits by
the gunicorn worker (mock_server/worker.py), which answers them in the same JSON shapes.
"""

from __future__ import annotations

from gunicorn.http.errors import ParseException
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

BODY_LIMIT = 1 << 20  # bytes of request body (1 MiB); a Lambda behind API Gateway refuses bodies over 6 MB
REQUEST_LINE_LIMIT = 4094  # bytes of "METHOD target HTTP/1.1" (gunicorn's limit_request_line)
HEADER_FIELDS_LIMIT = 100  # header fields (limit_request_fields)
HEADER_FIELD_LIMIT = 8190  # bytes of one header field, name and value (limit_request_field_size)
READ_TIMEOUT = 5  # seconds one read of the request may wait for the client
REQUEST_DEADLINE = 30  # seconds the whole request (line, headers and body) may take to arrive
WRITE_TIMEOUT = 30  # seconds one write of the answer may wait for the client to take it

MESSAGES = {
    400: "The request is not well-formed HTTP/1.1: {detail}.",
    408: (f"The request did not arrive in time: the sandbox waits at most {READ_TIMEOUT} seconds for each part of "
          f"it and {REQUEST_DEADLINE} seconds for all of it."),
    413: f"The request body is larger than {BODY_LIMIT:,} bytes (1 MiB), the most the sandbox accepts.",
    414: f"The request line (method, path and query) is longer than {REQUEST_LINE_LIMIT:,} bytes.",
    431: (f"The request has more than {HEADER_FIELDS_LIMIT} header fields, or one longer than "
          f"{HEADER_FIELD_LIMIT:,} bytes."),
}
BODY_ENDED_EARLY = "the body ended before the length its headers announced"
MALFORMED_CHUNKS = "the chunked body is malformed"


class ReadTimeout(TimeoutError):
    """The client sent nothing for READ_TIMEOUT seconds, or the request took longer than REQUEST_DEADLINE.

    A TimeoutError, so that gunicorn's own drain of an unread body (which expects one) gives up on it."""


class MalformedBody(BadRequest):
    """A chunked body gunicorn's parser refused while the app read it (a bad chunk size or terminator)."""


def message(status: int, detail: str = "") -> str:
    return MESSAGES[status].format(detail=detail)


def read_body(request) -> bytes:
    """The request body, read once and kept (`request.get_data(cache=True)`); over the limit it is 413.

    Werkzeug refuses a Content-Length over MAX_CONTENT_LENGTH before reading, but stops reading a chunked body at
    the limit without a word: one more byte of it means the body is too large."""
    try:
        data = request.get_data(cache=True)
    except ParseException:  # gunicorn's, from the chunked body as it is read (not an OSError: Werkzeug lets it by)
        raise MalformedBody() from None
    limit = request.max_content_length
    if limit is not None and len(data) >= limit and request.content_length is None \
            and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
    return data
