"""Slow clients: a request that stops half way is cut after the read timeout (408 in its API's shape), so it cannot
hold a worker thread for ever and starve the requests behind it (the health checks of a load balancer)."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from contract_tests.support.served import ServedMock
from mock_server import limits
from mock_server.worker import TimedUnreader

from . import raw_http

TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"
TIMED_OUT = {"error": "Request Timeout", "message": (
    f"The request did not arrive in time: the sandbox waits at most {limits.READ_TIMEOUT} seconds for each part of "
    f"it and {limits.REQUEST_DEADLINE} seconds for all of it.")}
STALLED = 16  # twice the served mock's threads (2 workers of 4): however they are shared out, every thread is held
THREADS_PER_WORKER = 4


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    mock = ServedMock(tmp_path_factory.mktemp("slow"), workers=2)
    yield mock
    mock.stop()


def stall(port: int, kind: str) -> socket.socket:
    """A connection that sends part of a request and then nothing: half a body, or half a head."""
    sock = raw_http.connect(port, timeout=60)
    if kind == "body":
        sock.sendall(raw_http.request_head(port, "POST", "/leasey/properties", {
            "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json", "Content-Length": "1000"})
            + b'{"company_id": 123')
    else:
        sock.sendall(f"POST /leasey/properties HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: appl".encode())
    return sock


def test_connections_that_stop_half_way_do_not_starve_the_health_checks(served):
    stalled = [stall(served.port, "body" if n % 2 else "head") for n in range(STALLED)]
    try:
        time.sleep(0.5)  # every one has reached a thread (or a thread's queue)
        # However unevenly the two workers took them, one worker holds at most STALLED of them, THREADS_PER_WORKER
        # at a time, each for at most READ_TIMEOUT seconds.
        bound = -(-STALLED // THREADS_PER_WORKER) * limits.READ_TIMEOUT + 3
        waits = []
        for _ in range(5):
            started = time.monotonic()
            response = requests.get(f"{served.root}/_sandbox/health", timeout=bound)
            assert response.status_code == 200
            waits.append(time.monotonic() - started)
        assert max(waits) < bound

        # Each stalled request was answered 408 in Leasey's shape (its path is under /leasey), then closed.
        for sock in stalled:
            answer = raw_http.read_answer(sock)
            assert (answer.status, answer.json()) == (408, TIMED_OUT)
    finally:
        for sock in stalled:
            sock.close()
    log = served.log_path.read_text()
    assert "Traceback" not in log, log[-3000:]


def test_a_stalled_travtus_token_request_is_the_rfc_6749_invalid_request_408(served):
    with raw_http.connect(served.port, timeout=60) as sock:
        sock.sendall(raw_http.request_head(served.port, "POST", "/travtus/oauth2/token", {
            "Content-Type": "application/x-www-form-urlencoded", "Content-Length": "200"}) + b"client_id=sandbox")
        answer = raw_http.read_answer(sock)
    assert answer.status == 408
    assert answer.json() == {"error": "invalid_request", "error_description": TIMED_OUT["message"]}
    assert limits.READ_TIMEOUT - 1 < answer.seconds < limits.READ_TIMEOUT + 3


def test_a_request_that_keeps_dribbling_is_cut_at_its_deadline():
    """Each byte within the read timeout, but the whole request beyond its deadline (a slowloris)."""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        unreader = TimedUnreader(ours)
        unreader.deadline = time.monotonic() + 1.0
        received = b""
        with pytest.raises(limits.ReadTimeout):
            while True:
                theirs.sendall(b"x")
                received += unreader.chunk()
                time.sleep(0.2)
        assert 3 <= len(received) <= 6
        assert ours.gettimeout() == limits.WRITE_TIMEOUT  # what writes of the answer wait


def test_a_read_waits_at_most_the_read_timeout():
    ours, theirs = socket.socketpair()
    with ours, theirs:
        unreader = TimedUnreader(ours)
        unreader.deadline = time.monotonic() + 60
        started = time.monotonic()
        with pytest.raises(limits.ReadTimeout):
            unreader.chunk()
        assert limits.READ_TIMEOUT - 0.5 < time.monotonic() - started < limits.READ_TIMEOUT + 1


def test_every_operation_of_the_three_specs_documents_408():
    from pathlib import Path

    import yaml

    for name in ("leasey", "travtus", "sandbox"):
        document = yaml.safe_load((Path(__file__).resolve().parent.parent / "openapi" / f"{name}.yaml").read_text())
        operations = [(method, path, op) for path, item in document["paths"].items() for method, op in item.items()
                      if isinstance(op, dict) and "responses" in op]
        assert [(method, path) for method, path, op in operations if "408" not in op["responses"]] == [], name
