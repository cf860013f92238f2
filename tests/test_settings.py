"""Settings: defaults, then the environment, then the mapping given; each value typed, a bad one refused when the
app is made rather than on the first request that reads it."""

from __future__ import annotations

import pytest

from mock_server.settings import Settings
from mock_server.travtus.ratelimit import DOCUMENTED, Limit


def test_the_mapping_wins_over_the_environment_over_the_defaults(monkeypatch):
    monkeypatch.setenv("SANDBOX_NOW", "2026-01-02T03:04:05")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-environment.db")
    settings = Settings.of(Settings.layered({"DATABASE_URL": "sqlite://"}))
    assert settings.database_url == "sqlite://"
    assert settings.now.isoformat() == "2026-01-02T03:04:05"
    assert settings.journal_size == 1000 and settings.self_check == "full"


@pytest.mark.parametrize("given, typed", [(True, "sample"), ("sample", "sample"), ("full", "full"),
                                          (False, "off"), ("off", "off")])
def test_self_check_is_one_of_sample_full_off(given, typed):
    assert Settings.of(Settings.layered({"SELF_CHECK": given})).self_check == typed


def test_the_rate_limit_is_parsed_once_at_start_up():
    settings = Settings.of(Settings.layered({"TRAVTUS_RATE_LIMIT": "token=5/10"}))
    assert settings.travtus_rate_limit == {**DOCUMENTED, "token": Limit(5.0, 10)}


@pytest.mark.parametrize("config, named", [
    ({"TRAVTUS_RATE_LIMIT": "token=fast"}, "TRAVTUS_RATE_LIMIT"),
    ({"SELF_CHECK": "sometimes"}, "SELF_CHECK"),
    ({"LOAD_FIXTURES": "maybe"}, "LOAD_FIXTURES"),
    ({"APIS": ("leasey", "stripe")}, "APIS"),
])
def test_a_bad_setting_stops_create_app_naming_it(make_app, config, named):
    with pytest.raises(ValueError, match=named):
        make_app(**config)
