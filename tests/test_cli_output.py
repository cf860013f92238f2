"""`mock-server --version`, and `serve --log-format json`: the request line as one JSON object, masked as the text
line is (mock_server.pipeline writes the line; mock_server.cli formats it)."""

from __future__ import annotations

import io
import json
import logging
from importlib.metadata import version

import pytest

from mock_server.cli import JsonRequestLine, main

from .conftest import new_app

TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"


def test_version_prints_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])

    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"mock-server {version('partner-sandbox')}"


@pytest.fixture
def access_lines():
    """The request lines of one app, as text and as JSON, side by side."""
    streams = {"text": io.StringIO(), "json": io.StringIO()}
    handlers = []
    for kind, stream in streams.items():
        handler = logging.StreamHandler(stream)
        handler.setFormatter(JsonRequestLine() if kind == "json" else logging.Formatter("%(message)s"))
        handlers.append(handler)
    access = logging.getLogger("mock_server.access")
    level = access.level
    access.setLevel(logging.INFO)  # setLevel, not .level: it clears the loggers' isEnabledFor cache
    for handler in handlers:
        access.addHandler(handler)
    yield lambda: ([line for line in streams["text"].getvalue().splitlines()],
                   [json.loads(line) for line in streams["json"].getvalue().splitlines()])
    for handler in handlers:
        access.removeHandler(handler)
    access.setLevel(level)


def test_the_json_line_carries_the_text_lines_values_with_secrets_masked(access_lines):
    client = new_app().test_client()

    client.get(f"/leasey/properties/leads?company_id=123&password=sandbox-pass-123&token={TOKEN}")
    client.post("/travtus/oauth2/token", data={"client_id": "sandbox-client", "client_secret": "sandbox-secret",
                                               "grant_type": "client_credentials"})
    client.get("/leasey/reports/leads?company_id=456", headers={"X-Sandbox-Fault": "drop"})

    text, lines = access_lines()
    assert len(text) == len(lines) == 3
    leads, token, dropped = lines
    assert {key: leads[key] for key in ("client", "method", "path", "query", "status", "company_id")} == {
        "client": "127.0.0.1", "method": "GET", "path": "/leasey/properties/leads",
        "query": "company_id=123&password=***&token=***", "status": 200, "company_id": 123}
    assert token["path"] == "/travtus/oauth2/token" and token["status"] == 200 and token["client_id"] == "sandbox-client"
    assert dropped["status"] == 0 and dropped["dropped"] is True and dropped["fault"] == "header"
    for line, record in zip(text, lines, strict=True):
        assert "sandbox-pass-123" not in json.dumps(record) and TOKEN not in json.dumps(record)
        assert isinstance(record["latency_ms"], float) and {"time", "pid"} <= record.keys()
        # the same request line: every value of the text line is in the JSON object
        words = line.split(" ")
        assert words[:3] == [record["client"], record["method"], record["path"] + (f"?{record['query']}" if record["query"]
                                                                                   else "")]
        assert words[3] == (str(record["status"]) if not record.get("dropped") else "dropped")


def test_a_line_that_is_not_a_request_line_is_kept_as_its_message():
    record = logging.LogRecord("mock_server.access", logging.INFO, __file__, 1, "something %s", ("else",), None)

    assert json.loads(JsonRequestLine().format(record))["message"] == "something else"
