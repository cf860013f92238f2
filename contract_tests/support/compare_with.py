"""`--compare-with URL`: every request a scenario sends to the target is sent to a second target too, and the two
answers are compared the way `mock-server compare` compares a recording with a replay (mock_server/fidelity): for
example the sandbox and a stage side by side in one run. The differences go in <report-dir>/fidelity-report.* and
the terminal summary, and fail the run; the scenarios' own results are unchanged. A write is sent to the second
target only with --allow-writes on the command line (the served mock allows writes to itself, not to a stage)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from mock_server.fidelity import apis, report
from mock_server.fidelity.cassette import CREDENTIALS, Message, joined, read_body
from mock_server.fidelity.replay import Pairing

PAIRING = pytest.StashKey[Pairing]()
SIDES = ("target", "--compare-with")
READS = ("GET", "HEAD", "OPTIONS")  # what is sent to the second target without --allow-writes


def add_options(group) -> None:
    group.addoption("--compare-with", metavar="[API=]URL", action="append",
                    help="send each scenario request to this target too and compare the answers (a root serving "
                         "every API under /<api>, or API=URL; repeatable)")
    group.addoption("--compare-credentials", choices=["sandbox", "env"],
                    help="the second target's credentials (default: the sandbox's own when the first target is not "
                         "the sandbox, the environment's when it is)")


def configure(config) -> None:
    """With --compare-with, this module's fixture and hooks join the run."""
    if config.getoption("--compare-with"):
        config.pluginmanager.register(sys.modules[__name__], "compare-with")


def _values(kind: str) -> dict[str, str]:
    if kind == "sandbox":
        return dict(apis.sandbox_credentials())
    return {name: os.environ[name] for name in CREDENTIALS if os.environ.get(name)}


@pytest.fixture(scope="session", autouse=True)
def _compare_with(request, target):
    config = request.config
    first = "sandbox" if target.is_sandbox else "env"
    second = config.getoption("--compare-credentials") or ("env" if first == "sandbox" else "sandbox")
    pairing = config.stash[PAIRING] = Pairing(_values(first), _values(second),
                                              apis.parse_bases(config.getoption("--compare-with")),
                                              same_data=first == second == "sandbox")  # both hold the fixtures
    http, recorder = request.getfixturevalue("http"), request.getfixturevalue("recorder")

    writes = config.getoption("--allow-writes")  # given on the command line: the served mock's own does not count

    def mirror(response, *args, **kwargs):
        api = next((name for name, base in target.base_urls.items() if response.url.startswith(base)), None)
        if api is not None and (writes or response.request.method in READS):
            pairing.observe(api, *_messages(response, target.base_urls[api]), test=recorder.current_test or "")
        return response

    http.hooks["response"].append(mirror)
    yield


def pytest_sessionfinish(session):
    pairing = session.config.stash.get(PAIRING, None)
    if pairing is None or not pairing.results:
        return
    results = pairing.finish()
    target = ", ".join(session.config.getoption("--compare-with"))
    directory = Path(session.config.getoption("--report-dir"))
    report.write(results, directory, "the contract scenarios", target, SIDES)
    if report.summarise(results).differing and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, config):
    pairing = config.stash.get(PAIRING, None)
    if pairing is None or not pairing.results:
        return
    terminalreporter.write_line(report.table(pairing.results))
    for result in pairing.results:
        for difference in result.differences:
            terminalreporter.write_line(f"{pairing.tests.get(result.exchange.index)}: {result.exchange.label}: "
                                        f"{difference.text(SIDES)}")
    terminalreporter.write_line(f"fidelity report: {Path(config.getoption('--report-dir')) / 'fidelity-report.md'}")


def _messages(response, base: str) -> tuple[Message, Message]:
    """The request a scenario sent and the answer it got, as a cassette keeps them."""
    sent = response.request
    parts = urlsplit(sent.url)
    body = sent.body.encode() if isinstance(sent.body, str) else (sent.body or b"")
    headers = {k: v for k, v in sent.headers.items() if k.lower() not in ("content-length", "host", "connection")}
    request = Message(headers=headers, body=read_body(body, sent.headers.get("Content-Type")), method=sent.method,
                      path=unquote(parts.path[len(urlsplit(base).path):]) or "/",
                      query=[list(pair) for pair in parse_qsl(parts.query, keep_blank_values=True)])
    answer = Message(headers=joined(response.headers.items()), status=response.status_code,
                     body=read_body(response.content, response.headers.get("Content-Type")))
    return request, answer
