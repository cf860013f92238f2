"""HTTP/1.1 over a bare socket, for requests no client library sends: partial bodies, huge lengths, broken framing."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float  # from the first byte sent to the end of the answer

    def json(self):
        return json.loads(self.body)


def connect(port: int, timeout: float = 30) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def send(sock: socket.socket, data: bytes) -> bool:
    """Send what the server still takes; False once it stopped reading (closed or reset the connection)."""
    try:
        sock.sendall(data)
        return True
    except (BrokenPipeError, ConnectionResetError):
        return False


def read_answer(sock: socket.socket, started: float | None = None) -> Answer:
    """One response: the head, then a Content-Length body (or everything until the server closes)."""
    started = time.monotonic() if started is None else started
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a full answer: {data[:200]!r}")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", -1))
    while length < 0 or len(body) < length:
        try:
            chunk = sock.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        body += chunk
    return Answer(int(lines[0].split()[1]), headers, body[:length] if length >= 0 else body, time.monotonic() - started)


def exchange(port: int, *parts: bytes, timeout: float = 30) -> Answer:
    """Send the parts (stopping when the server stops reading) and read the answer."""
    with connect(port, timeout) as sock:
        started = time.monotonic()
        for part in parts:
            if not send(sock, part):
                break
        return read_answer(sock, started)


def request_head(port: int, method: str, target: str, headers: dict[str, str] | None = None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
