"""What the in-process tests share: a fresh sandbox app on its own in-memory database, at a fixed sandbox time."""

from __future__ import annotations

import pytest

from mock_server.app import create_app

NOW = "2026-06-01T12:00:00"  # the sandbox clock of every in-process test that does not set its own
TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"  # fixtures/leasey.yaml's API token


def new_app(**config):
    """A sandbox on a fresh in-memory database at NOW, the fixtures loaded; `config` adds or overrides settings."""
    return create_app({"DATABASE_URL": "sqlite://", "NOW": NOW, **config})


@pytest.fixture
def make_app():
    """new_app as a fixture: `make_app(APIS=("travtus",))`."""
    return new_app


@pytest.fixture(scope="module")
def client():
    """A test client of one sandbox (both APIs) shared by a module's tests that only read."""
    return new_app().test_client()
