"""The gunicorn worker `mock-server serve` runs: gthread, with every read of a request bounded in time.

gunicorn's gthread worker gives each connection a thread once its first bytes arrive and then reads the rest of
the request (headers, then the body, read by the app) with a blocking socket and no timeout: a client that stops
half way holds that thread for ever, and a few of them starve every other request of the process. Here each read
waits at most limits.READ_TIMEOUT seconds and the whole request may take limits.REQUEST_DEADLINE; then the
request is answered 408 in its API's shape (the app's handler when the app was reading the body, this worker's
when gunicorn was still reading the head) and the connection is closed. Writes of the answer wait at most
limits.WRITE_TIMEOUT for the client to take them.
"""

from __future__ import annotations

import errno
import logging
import time
from http import HTTPStatus

from gunicorn import util
from gunicorn.http import errors as http_errors
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers.gthread import TConn, ThreadWorker

from . import limits
from .api import is_control_path, refusal
from .responses import dump_json

access_log = logging.getLogger("mock_server.access")


# What is wrong with a request gunicorn refuses, by its exception (the class's first match in this order). gunicorn
# answers 414, 431, 501 (an unknown transfer coding), 417 (an expectation) or 400, as an HTML page; the sandbox
# answers in the API's JSON shape, with 400 for every malformed request (the specs document 400, 414 and 431).
REFUSALS = (
    (http_errors.LimitRequestLine, 414, ""),
    (http_errors.LimitRequestHeaders, 431, ""),
    (http_errors.InvalidResponseHeader, None, ""),  # the app's own fault: gunicorn's 500
    (http_errors.InvalidResponseHeaderName, None, ""),
    (http_errors.UnsupportedTransferCoding, 400, "Transfer-Encoding names a coding the sandbox does not know"),
    (http_errors.ExpectationFailed, 400, "the only expectation accepted is 100-continue"),
    (http_errors.ObsoleteFolding, 400, "a header is folded over several lines"),
    (http_errors.InvalidHeaderName, 400, "a header name is malformed"),
    (http_errors.InvalidHeader, 400, "a header is malformed (a control character, or a bare CR or LF)"),
    (http_errors.InvalidChunkSize, 400, "the chunked body is malformed"),
    (http_errors.ChunkMissingTerminator, 400, "the chunked body is malformed"),
    (http_errors.InvalidChunkExtension, 400, "the chunked body is malformed"),
    (http_errors.InvalidHTTPVersion, 400, "the HTTP version is not 1.0 or 1.1"),
    (http_errors.ParseException, 400, "the request line is malformed"),
)
FRAMING = "Content-Length and Transfer-Encoding are repeated, malformed or sent together"
BARE_LINE_END = "a line ends with a bare LF or CR instead of CRLF"


def refusal_of(exc: Exception) -> tuple[int, str] | None:
    """(status, message) of a request gunicorn's parser refused; None for an error that is not the client's."""
    for kind, status, detail in REFUSALS:
        if isinstance(exc, kind):
            if status is None:
                return None
            if status != 400:
                return status, limits.message(status)
            if "bare" in str(exc).lower():
                detail = BARE_LINE_END
            elif str(getattr(exc, "hdr", "")).upper() in ("CONTENT-LENGTH", "TRANSFER-ENCODING"):
                detail = FRAMING
            return 400, limits.message(400, detail)
    return None


def target_of(request) -> tuple[str | None, str | None]:
    """(method, path) of a request as far as it was read: parsed, or the start of its request line."""
    if request is None:
        return None, None
    if getattr(request, "path", None):
        return request.method, request.path
    start = getattr(request, "line_start", b"").decode("latin-1").split(" ")
    if len(start) < 2 or not start[1].startswith("/"):
        return None, None
    return start[0], start[1].split("?", 1)[0].split("#", 1)[0]


class RequestTimedOut(Exception):
    """The head of a request did not arrive in time (not an OSError: gunicorn logs those with a traceback)."""

    def __init__(self, request: Request):
        super().__init__("the request head did not arrive in time")
        self.request = request


class TimedUnreader(SocketUnreader):
    """Reads of one request, each bounded by READ_TIMEOUT and all by the request's deadline."""

    deadline = float("inf")

    def chunk(self, size_hint=None):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise limits.ReadTimeout("the request took longer than its deadline")
        self.sock.settimeout(min(limits.READ_TIMEOUT, left))
        try:
            return super().chunk(size_hint)
        except TimeoutError:
            raise limits.ReadTimeout("the client sent nothing in time") from None
        finally:
            self.sock.settimeout(limits.WRITE_TIMEOUT)


class SandboxRequest(Request):
    """gunicorn's request parser, whose failures say what they know of the request (its path, when read)."""

    line_start = b""  # the first bytes of a request line that could not be read whole

    def parse(self, unreader):
        try:
            return super().parse(unreader)
        except TimeoutError:
            raise RequestTimedOut(self) from None
        except http_errors.ParseException as error:
            error.req = getattr(error, "req", None) or self
            raise

    def set_body_reader(self):
        try:
            super().set_body_reader()
        except http_errors.ParseException as error:
            error.req = getattr(error, "req", None) or self
            raise

    def read_line(self, unreader, buf, limit=0):
        try:
            return super().read_line(unreader, buf, limit)
        except http_errors.ParseException:
            self.line_start = bytes(buf[:200])
            raise


class TimedConn(TConn):
    def init(self):
        super().init()  # (again for every request of a kept-alive connection: it only sets the socket blocking)
        if not isinstance(self.parser, RequestParser):
            return
        unreader = self.parser.unreader
        if type(unreader) is SocketUnreader:
            unreader.__class__ = TimedUnreader
        self.parser.mesg_class = SandboxRequest
        unreader.deadline = time.monotonic() + limits.REQUEST_DEADLINE
        self.sock.settimeout(limits.WRITE_TIMEOUT)


class SandboxWorker(ThreadWorker):
    def accept(self, listener):
        """gthread's accept, with a TimedConn."""
        try:
            client_sock, client_addr = listener.accept()
            self.nr_conns += 1
            client_sock.setblocking(True)
            self.enqueue_req(TimedConn(self.cfg, client_sock, client_addr, listener.getsockname()))
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise

    def handle_error(self, req, client, addr, exc):
        if isinstance(exc, RequestTimedOut):
            self._refuse(client, addr, exc.request, 408, limits.message(408))
            return
        refused = refusal_of(exc)
        if refused is None:
            super().handle_error(req, client, addr, exc)
            return
        # (gunicorn's warning quotes the request line, which may hold a credential: the name of the error only)
        self.log.warning("Invalid request from ip=%s: %s (%d)", (addr or ("-",))[0], type(exc).__name__, refused[0])
        self._refuse(client, addr, req or getattr(exc, "req", None), *refused)

    def _refuse(self, sock, addr, request: Request | None, status: int, message: str) -> None:
        """Answer in the JSON shape of the API the request's path is under, then close (gunicorn's own answer is an
        HTML page)."""
        method, path = target_of(request)
        body, headers = refusal(self.wsgi, path, status, message)
        if path is None or not is_control_path(path):
            headers = {**headers, "Access-Control-Allow-Origin": "*"}  # as the app answers the partner APIs
        data = dump_json(body)
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "Connection: close",
                "Content-Type: application/json", f"Content-Length: {len(data)}",
                *(f"{name}: {value}" for name, value in headers.items())]
        client = (addr or ("-",))[0]
        access_log.info("%s %s %s%s %s %.1fms%s", client, method or "-", path or "-", "", status, 0.0, "")
        try:
            util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)
        except OSError:
            self.log.debug("the refusal could not be sent")
