"""Replays a cassette, in order, against a target (by default a sandbox started here on a fresh database) and
compares each answer with the recorded one (compare.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlencode

from ..processes import stop_group
from . import apis
from .cassette import MAX_ITEMS, MAX_TEXT, Exchange, Message, Scrubber, bound, joined, read_body
from .compare import Comparison, Difference, Result, placeholder_names


def replay(exchanges: list[Exchange], bases: dict[str | None, str], values: dict[str, str],
           max_items: int = MAX_ITEMS, max_text: int = MAX_TEXT, same_data: bool = False,
           placeholders: Collection[str] | None = None) -> list[Result]:
    """`placeholders`: the credentials the recorder was given (the cassette header's); by default the ones the
    cassette holds."""
    comparison = Comparison(values, same_data, placeholder_names(exchanges) if placeholders is None else placeholders)
    results = [result for exchange in exchanges
               if (result := replay_one(comparison, exchange, bases, max_items, max_text)) is not None]
    return with_sequence(comparison, results)


def replay_one(comparison: Comparison, exchange: Exchange, bases: dict[str | None, str],
               max_items: int = MAX_ITEMS, max_text: int = MAX_TEXT) -> Result | None:
    """The recorded request sent to the target (None: the target does not serve its API) and compared."""
    base = apis.base_url(bases, exchange.api)
    if base is None:
        return None
    try:
        method, path, query, headers, body = comparison.prepare(exchange)
    except KeyError as missing:
        return Result(exchange, None, [Difference(exchange.index, exchange.operation or "", "transport",
                                                  "credentials", "recorded", str(missing.args[0]))])
    url = base + path + (f"?{urlencode(query)}" if query else "")
    try:
        answer = apis.send(method, url, headers, body)
    except OSError as failed:
        return Result(exchange, None, [Difference(exchange.index, exchange.operation or "", "transport",
                                                  "connection", "an answer", str(failed))])
    response_body, cut = bound(read_body(answer.decoded(), answer.header("Content-Type")), max_items, max_text,
                               comparison.own_replayed())
    replayed = Message(headers=joined(answer.headers), body=response_body, truncated=cut, status=answer.status)
    return Result(exchange, replayed, comparison.compare(exchange, replayed))


def with_sequence(comparison: Comparison, results: list[Result]) -> list[Result]:
    """The results with the sequence's differences (cursor walks, filter effects) added to their exchanges."""
    by_index = {result.exchange.index: result for result in results}
    operations = {index: result.exchange.operation or result.exchange.request.path for index, result in by_index.items()}
    for difference in comparison.finish(operations):
        by_index[difference.index].differences.append(difference)
    return results


class Pairing:
    """Two targets side by side (the contract suite's --compare-with): each exchange seen with the first is sent
    to the second, scrubbed and mapped as a recorded one would be, and the answers compared."""

    def __init__(self, first: dict[str, str], second: dict[str, str], second_bases: dict[str | None, str],
                 same_data: bool = False):
        self.scrubber = Scrubber(first)
        self.comparison = Comparison(second, same_data, set(self.scrubber.given))
        self.bases = second_bases
        self.results: list[Result] = []
        self.tests: dict[int, str] = {}  # exchange index -> the test that sent it

    def observe(self, api: str, request: Message, response: Message, test: str = "") -> Result | None:
        index = len(self.tests) + 1
        self.tests[index] = test
        bounded, cut = bound(response.body, keep=frozenset(self.comparison.own))
        response = Message(headers=response.headers, body=bounded, truncated=cut, status=response.status)
        exchange = Exchange(index, api, apis.operation_id(api, request.method, request.path),
                            self.scrubber.message(request), self.scrubber.message(response))
        result = replay_one(self.comparison, exchange, self.bases)
        if result is not None:
            self.results.append(result)
        return result

    def finish(self) -> list[Result]:
        return with_sequence(self.comparison, self.results)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnSandbox:
    """`mock-server serve` on a free loopback port and a fresh SQLite database, for one comparison."""

    def __init__(self, now: str | None = None):
        self.folder = tempfile.TemporaryDirectory(prefix="fidelity-")
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "mock_server.cli", "serve", "--port", str(self.port), "--workers", "1",
                   "--db", f"sqlite:///{Path(self.folder.name) / 'sandbox.db'}", *(["--now", now] if now else [])]
        self.log = open(Path(self.folder.name) / "server.log", "w")  # noqa: SIM115 - closed in stop()
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SANDBOX_NOW")}
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)

    def __enter__(self) -> OwnSandbox:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the sandbox did not start:\n{Path(self.log.name).read_text()}")
            try:
                if apis.send("GET", f"{self.root}/_sandbox/health", [], b"", timeout=2).status == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the sandbox did not answer within 60 s")

    def __exit__(self, *_exc) -> None:
        stop_group(self.process)
        self.log.close()
        self.folder.cleanup()
