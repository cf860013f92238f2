"""What gunicorn refuses before the app sees it (a long request line, too many or too long headers, broken framing)
is answered in the JSON error shape of the API the path is under, with a status the specs document."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contract_tests.support.served import ServedMock

from . import raw_http

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"
URI_TOO_LONG = "The request line (method, path and query) is longer than 4,094 bytes."
HEADERS_TOO_LARGE = "The request has more than 100 header fields, or one longer than 8,190 bytes."
NOT_HTTP = "The request is not well-formed HTTP/1.1: {}."
FRAMING = "Content-Length and Transfer-Encoding are repeated, malformed or sent together"

# path -> how that API shapes an error of a status with a message
SHAPES = {
    "/leasey/reports/showings": lambda status, phrase, code, message: {"error": phrase, "message": message},
    "/travtus/leases/": lambda status, phrase, code, message: {"error": {"type": code, "message": message}},
    "/travtus/oauth2/token": lambda status, phrase, code, message: {"error": "invalid_request",
                                                                      "error_description": message},
    "/_sandbox/journal": lambda status, phrase, code, message: {"error": code, "message": message},
    "/": lambda status, phrase, code, message: {"error": phrase, "message": message},
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    mock = ServedMock(tmp_path_factory.mktemp("refusals"), workers=1)
    yield mock
    mock.stop()


def head(port: int, target: str, extra: list[str] | None = None, method: str = "GET") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(extra or [])]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def assert_json_refusal(answer, status: int, body: dict) -> None:
    assert answer.headers["content-type"] == "application/json"
    assert (answer.status, answer.json()) == (status, body)


@pytest.mark.parametrize("path", SHAPES)
def test_a_request_line_over_4094_bytes_is_414_in_the_apis_shape(served, path):
    answer = raw_http.exchange(served.port, head(served.port, f"{path}?q=" + "a" * 4100))
    assert_json_refusal(answer, 414, SHAPES[path](414, "Request-URI Too Long", "uri_too_long", URI_TOO_LONG))


@pytest.mark.parametrize("path", SHAPES)
def test_over_100_headers_is_431_in_the_apis_shape(served, path):
    answer = raw_http.exchange(served.port, head(served.port, path, [f"X-Header-{n}: {n}" for n in range(101)]))
    assert_json_refusal(answer, 431, SHAPES[path](431, "Request Header Fields Too Large",
                                                 "request_header_fields_too_large", HEADERS_TOO_LARGE))


def test_a_header_over_8190_bytes_is_431(served):
    answer = raw_http.exchange(served.port, head(served.port, "/leasey/reports/showings", ["X-Big: " + "b" * 8200]))
    assert_json_refusal(answer, 431, {"error": "Request Header Fields Too Large", "message": HEADERS_TOO_LARGE})


@pytest.mark.parametrize("path", SHAPES)
def test_content_length_with_transfer_encoding_is_400_in_the_apis_shape(served, path):
    answer = raw_http.exchange(served.port, head(served.port, path, [
        "Content-Length: 5", "Transfer-Encoding: chunked"], method="POST") + b"0\r\n\r\n")
    assert_json_refusal(answer, 400, SHAPES[path](400, "Bad Request", "bad_request", NOT_HTTP.format(FRAMING)))


@pytest.mark.parametrize(("raw", "detail"), [
    (b"GET /leasey/reports/showings HTTP/1.1\nHost: x\n\n", "a line ends with a bare LF or CR instead of CRLF"),
    (b"GET /leasey/reports/showings HTTP/1.1\r\nHost: x\r\nX-A: b\rc\r\n\r\n",
     "a header is malformed (a control character, or a bare CR or LF)"),
    (b"GET /leasey/reports/showings HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", FRAMING),
    (b"POST /leasey/reports/showings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", FRAMING),
    (b"POST /leasey/reports/showings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: br\r\n\r\n",
     "Transfer-Encoding names a coding the sandbox does not know"),
    (b"GET /leasey/reports/showings HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", "a header name is malformed"),
])
def test_malformed_http_is_400_in_the_apis_shape(served, raw, detail):
    answer = raw_http.exchange(served.port, raw)
    assert_json_refusal(answer, 400, {"error": "Bad Request", "message": NOT_HTTP.format(detail)})


def test_a_malformed_chunked_body_is_400_not_500(served):
    answer = raw_http.exchange(served.port, raw_http.request_head(served.port, "POST", "/leasey/properties", {
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
        + b"zz\r\n{}\r\n0\r\n\r\n")
    assert_json_refusal(answer, 400, {"error": "Bad Request",
                                      "message": NOT_HTTP.format("the chunked body is malformed")})


def test_the_refusals_leave_no_traceback_and_no_html(served):
    raw_http.exchange(served.port, head(served.port, "/?q=" + "a" * 5000))
    log = served.log_path.read_text()
    assert "Traceback" not in log and "<html>" not in log


def test_every_operation_documents_400_414_and_431():
    for name in ("leasey", "travtus", "sandbox"):
        document = yaml.safe_load((ROOT / "openapi" / f"{name}.yaml").read_text())
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "responses" in operation:
                    assert {"400", "414", "431"} <= set(operation["responses"]), (name, method, path)
