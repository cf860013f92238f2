"""What tests/ shares: its two tiers named (in-process tests use the Flask test client; `served` ones start
`mock-server serve`, gunicorn on a free port), and a fresh sandbox app on its own in-memory database at a fixed
sandbox time for the in-process ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from mock_server.app import create_app

NOW = "2026-06-01T12:00:00"  # the sandbox clock of every in-process test that does not set its own
TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"  # fixtures/leasey.yaml's API token


# A test module serves a real sandbox when it uses one of these: the whole module is of the served tier.
_SERVING = ("ServedMock", "subprocess", "raw_http")


def pytest_configure(config):
    config.addinivalue_line("markers", "served: starts a real server (mock-server serve, gunicorn) or a process")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        module = getattr(item, "module", None)
        if (module is not None and item.path.is_relative_to(here)
                and any(name in vars(module) for name in _SERVING)):
            item.add_marker(pytest.mark.served)


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
