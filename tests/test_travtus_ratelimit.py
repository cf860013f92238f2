"""Travtus rate limiting: the token bucket, the setting, and the 429 answers (off by default)."""

from __future__ import annotations

import pytest

from mock_server.store import Store
from mock_server.travtus.ratelimit import DOCUMENTED, Limit, SharedRateLimiter, parse_setting

from .conftest import new_app

TOKEN_FORM = {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "grant_type": "client_credentials"}


def make_client(setting):
    app = new_app(APIS=("travtus",), TRAVTUS_RATE_LIMIT=setting)
    return app.test_client()


def new_store() -> Store:
    store = Store("sqlite://")
    store.create_all()
    return store


def limiter(limits, clock):
    """A limiter on a database of its own, as one server's workers share one."""
    return SharedRateLimiter(new_store(), limits, clock=clock)


class FakeTime:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_bucket_allows_the_burst_then_asks_to_wait():
    time = FakeTime()
    bucket = limiter({"api": Limit(rate=2, burst=3)}, clock=time)
    assert [bucket.take("api", "k") for _ in range(3)] == [None, None, None]
    assert bucket.take("api", "k") == 1
    time.now += 0.5  # one token back at 2/s
    assert bucket.take("api", "k") is None
    assert bucket.take("api", "k") == 1


def test_buckets_are_per_key():
    bucket = limiter({"api": Limit(rate=1, burst=1)}, clock=FakeTime())
    assert bucket.take("api", "a") is None
    assert bucket.take("api", "a") == 1
    assert bucket.take("api", "b") is None


def test_retry_after_is_whole_seconds_until_one_token():
    bucket = limiter({"token": Limit(rate=0.25, burst=1)}, clock=FakeTime())
    bucket.take("token", "k")
    assert bucket.take("token", "k") == 4


@pytest.mark.parametrize("setting", [None, False, "", "off"])
def test_rate_limiting_is_off_unless_configured(setting):
    assert parse_setting(setting) is None


def test_documented_limits():
    assert parse_setting("documented") == DOCUMENTED
    assert DOCUMENTED == {"token": Limit(100, 200), "api": Limit(10_000, 5_000)}


def test_setting_overrides_some_kinds():
    assert parse_setting("token=5/10") == {"token": Limit(5, 10), "api": Limit(10_000, 5_000)}
    assert parse_setting({"api": (1, 2)})["api"] == Limit(1, 2)


@pytest.mark.parametrize("setting", ["leases=1/2", "token=1", "token=0/5", "token"])
def test_bad_settings_are_refused(setting):
    with pytest.raises(ValueError):
        parse_setting(setting)


def test_default_app_does_not_limit():
    client = make_client(None)
    statuses = {client.get("/travtus/leases/?identifier=lease-1",
                           headers={"Authorization": "Bearer trv_sandbox_full"}).status_code for _ in range(30)}
    assert statuses == {200}


def test_leases_answer_429_with_retry_after_past_the_burst_per_token():
    client = make_client("api=0.5/2")
    full = {"Authorization": "Bearer trv_sandbox_full"}
    assert [client.get("/travtus/leases/?identifier=lease-1", headers=full).status_code for _ in range(2)] == [200, 200]
    response = client.get("/travtus/leases/?identifier=lease-1", headers=full)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.get_json()["error"]["type"] == "rate_limit_exceeded"
    assert "X-Sandbox-Spec-Violation" not in response.headers
    other = client.get("/travtus/leases/?identifier=lease-1", headers={"Authorization": "Bearer trv_sandbox_group_a"})
    assert other.status_code == 200


def test_token_endpoint_answers_429_past_its_burst_per_client():
    client = make_client("token=1/2")
    assert [client.post("/travtus/oauth2/token", data=TOKEN_FORM).status_code for _ in range(2)] == [200, 200]
    response = client.post("/travtus/oauth2/token", data=TOKEN_FORM)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.get_json()["error"]["type"] == "rate_limit_exceeded"
    assert "X-Sandbox-Spec-Violation" not in response.headers


def test_shared_buckets_are_one_bucket_for_every_limiter_on_the_database():
    """Two limiters on one database (as two gunicorn workers are) spend from the same bucket."""
    store = new_store()
    time = FakeTime()
    one, two = (SharedRateLimiter(store, {"api": Limit(rate=2, burst=3)}, clock=time) for _ in range(2))
    assert [one.take("api", "k"), two.take("api", "k"), one.take("api", "k")] == [None, None, None]
    assert two.take("api", "k") == 1 and one.take("api", "k") == 1
    time.now += 0.5  # one token back at 2/s, for whichever process asks first
    assert two.take("api", "k") is None
    assert one.take("api", "k") == 1
    assert one.take("api", "other") is None


@pytest.mark.served
def test_two_workers_share_the_limit(tmp_path):
    """Served with 2 workers and a burst of 3: exactly 3 of 12 quick token requests pass, whichever worker answers."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from contract_tests.support.served import ServedMock

    mock = ServedMock(tmp_path, workers=2, extra_args=("--travtus-rate-limit", "token=0.01/3"))
    try:
        def ask(_):
            return requests.post(f"{mock.root}/travtus/oauth2/token", data=TOKEN_FORM, timeout=30,
                                 headers={"X-Sandbox-Fault": "latency=300"}).status_code  # both workers busy

        statuses, pids = [], set()
        for _ in range(10):  # rounds until both workers have answered (which worker accepts is up to the kernel)
            with ThreadPoolExecutor(12) as pool:
                statuses += pool.map(ask, range(12))
            pids = {line.split()[1] for line in mock.log_path.read_text().splitlines() if "/oauth2/token" in line}
            if len(pids) == 2:
                break
        assert len(pids) == 2, "both workers should have answered some"
        assert statuses.count(200) == 3 and statuses.count(429) == len(statuses) - 3
    finally:
        mock.stop()
