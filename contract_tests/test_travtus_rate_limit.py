"""Rate limiting (documented: 429 when a limit is exceeded; off by default in the sandbox), against a second
served mock started with small limits (`--travtus-rate-limit`, one worker so one set of buckets)."""

from __future__ import annotations

import pytest
import requests

from .support.conformance import ConformanceRecorder
from .support.served import ServedMock
from .support.travtus import TOKEN_FORM, error_of, travtus_fixture  # noqa: F401 - fixture

pytestmark = [pytest.mark.travtus, pytest.mark.sandbox]

RATE_LIMITED = ("Too many requests. Retry after the number of seconds in the Retry-After header, "
                "backing off exponentially.")


@pytest.fixture(scope="module")
def limited(tmp_path_factory, target):
    """(session, base URL) of a mock limited to bursts of 3 at 0.2 request/s, responses checked against the spec."""
    if not target.is_sandbox:
        pytest.skip("starts its own sandbox")
    mock = ServedMock(tmp_path_factory.mktemp("rate-limited-mock"), workers=1,
                      extra_args=("--travtus-rate-limit", "token=0.2/3,api=0.2/3"))
    base = mock.root + "/travtus"
    recorder = ConformanceRecorder({"travtus": base})
    session = requests.Session()
    session.hooks["response"].append(recorder)
    yield session, base
    session.close()
    mock.stop()
    problems = [o for o in recorder.observations if o.problem]
    assert not problems, [(o.method, o.url, o.status, o.problem) for o in problems]


def test_rate_limiting_is_off_by_default(travtus):
    statuses = {travtus.leases({"identifier": "lease-1"}).status_code for _ in range(40)}
    assert statuses == {200}


def test_leases_past_the_burst_get_429_rate_limit_exceeded_with_retry_after(limited):
    session, base = limited
    headers = {"Authorization": "Bearer trv_sandbox_full"}
    statuses = [session.get(f"{base}/leases/", params={"identifier": "lease-1"}, headers=headers).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = session.get(f"{base}/leases/", params={"identifier": "lease-1"}, headers=headers)
    assert error_of(response) == (429, "rate_limit_exceeded", RATE_LIMITED)
    assert int(response.headers["Retry-After"]) >= 1


def test_leases_limits_are_per_token(limited):
    session, base = limited
    for _ in range(4):
        session.get(f"{base}/leases/", params={"identifier": "lease-1"},
                    headers={"Authorization": "Bearer trv_sandbox_expired"})
    response = session.get(f"{base}/leases/", params={"identifier": "lease-1"},
                           headers={"Authorization": "Bearer trv_sandbox_group_a"})
    assert response.status_code == 200


def test_token_endpoint_past_its_burst_gets_429(limited):
    session, base = limited
    statuses = [session.post(f"{base}/oauth2/token", data=TOKEN_FORM).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
