"""`mock-server record`: a proxy that forwards each request to the stage unchanged and writes the exchange to a
cassette (cassette.py), credentials scrubbed. Both APIs under /leasey and /travtus, or one at the root."""

from __future__ import annotations

import logging
import threading
import time
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from werkzeug.serving import make_server

from ..settings import API_NAMES
from . import apis
from .cassette import (
    HOP_HEADERS,
    MAX_ITEMS,
    MAX_TEXT,
    OWN_IDS,
    Exchange,
    Message,
    Scrubber,
    Writer,
    bound,
    joined,
    read_body,
)

log = logging.getLogger("mock_server.fidelity")


class Recorder:
    """A WSGI app: forwards to the upstreams and records every partner-API exchange."""

    def __init__(self, upstreams: dict[str | None, str], cassette: Path, given: dict[str, str], api: str = "all",
                 max_items: int = MAX_ITEMS, max_text: int = MAX_TEXT):
        self.upstreams = upstreams
        self.api = api
        self.scrubber = Scrubber(given)
        self.max_items, self.max_text = max_items, max_text
        self.own: set[str] = set()  # ids the stage issued to the recorded writes: their rows are kept past max_items
        self._lock = threading.Lock()
        names = API_NAMES if api == "all" else (api,)
        self.writer = Writer(cassette, {name: self.upstream(name) for name in names if self.upstream(name)},
                             sorted(given),
                             {"max_items": max_items, "max_text": max_text})

    def upstream(self, api: str) -> str | None:
        """The stage's base URL of `api`; with one API proxied at the root, a plain --upstream URL is its base."""
        if self.api != "all":
            return self.upstreams.get(api) or self.upstreams.get(None)
        return apis.base_url(self.upstreams, api)

    def route(self, path: str) -> tuple[str | None, str, str | None]:
        """(api, path relative to its base, upstream URL to forward to)."""
        if self.api != "all":
            upstream = self.upstream(self.api)
            return self.api, path, upstream and upstream + path
        for name in API_NAMES:
            if path == f"/{name}" or path.startswith(f"/{name}/"):
                relative = path[len(name) + 1:] or "/"
                upstream = self.upstream(name)
                return name, relative, upstream and upstream + relative
        root = self.upstreams.get(None)
        return None, path, root and root + path

    def __call__(self, environ, start_response):
        raw_path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/"))
        raw_path = raw_path.split("?", 1)[0]
        query = environ.get("QUERY_STRING", "")
        method = environ["REQUEST_METHOD"]
        headers = [(key[5:].replace("_", "-").title(), value) for key, value in environ.items()
                   if key.startswith("HTTP_") and key[5:].replace("_", "-").lower() not in HOP_HEADERS]
        if environ.get("CONTENT_TYPE"):
            headers.append(("Content-Type", environ["CONTENT_TYPE"]))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        chunked = not length and environ.get("wsgi.input_terminated")  # a chunked body: read to its end
        body = environ["wsgi.input"].read() if chunked else environ["wsgi.input"].read(length) if length else b""
        api, relative, upstream = self.route(raw_path)
        if upstream is None:
            start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
            return [f"mock-server record: no upstream for {raw_path}\n".encode()]
        started = time.perf_counter()
        try:
            answer = apis.send(method, upstream + (f"?{query}" if query else ""), headers, body)
        except OSError as failed:
            start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
            return [f"mock-server record: the upstream did not answer: {failed}\n".encode()]
        elapsed = (time.perf_counter() - started) * 1000
        if api is not None:
            try:
                self.record(api, method, relative, query, headers, body, answer, elapsed)
            except Exception:  # noqa: BLE001 - the client gets its answer whatever the cassette's trouble
                log.exception("could not record %s %s", method, relative)
        passed = [(k, v) for k, v in answer.headers if k.lower() not in HOP_HEADERS or k.lower() == "content-encoding"]
        start_response(f"{answer.status} {_reason(answer.status)}", passed)
        return [answer.body]

    def record(self, api, method, path, query, headers, body, answer, elapsed) -> None:
        path = unquote(path)
        content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
        request_body, request_cut = bound(read_body(body, content_type), self.max_items, self.max_text)
        response_body = read_body(answer.decoded(), answer.header("Content-Type"))
        if method in ("POST", "PUT") and answer.status < 300 and isinstance(response_body.get("json"), dict):
            with self._lock:
                self.own |= {v for k, v in response_body["json"].items() if k in OWN_IDS and isinstance(v, str)}
        response_body, response_cut = bound(response_body, self.max_items, self.max_text, frozenset(self.own))
        request = Message(headers=joined(headers), body=request_body, truncated=request_cut, method=method,
                          path=path, query=[list(pair) for pair in parse_qsl(query, keep_blank_values=True)])
        response = Message(headers=joined((k, v) for k, v in answer.headers
                                           if k.lower() not in HOP_HEADERS | {"date", "server"}),
                           body=response_body, truncated=response_cut, status=answer.status)
        scrub = self.scrubber.message
        self.writer.write(Exchange(self.writer.next_index(), api, apis.operation_id(api, method, path),
                                   scrub(request), scrub(response), elapsed))


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class RecordingProxy:
    """The recorder served on host:port in a thread (port 0: a free one); `root` is its URL."""

    def __init__(self, recorder: Recorder, host: str = "127.0.0.1", port: int = 0):
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.recorder = recorder
        self.server = make_server(host, port, recorder, threaded=True)
        self.root = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> RecordingProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
