"""The SQLite WAL is bounded: under a soak of reads and writes it stays under a bound, and once the sandbox is idle
it is checkpointed and truncated (it grew to 304 MB in a 3-minute soak and never shrank)."""

from __future__ import annotations

import os
import threading
import time

import pytest
import requests

from contract_tests.support import served as served_support
from contract_tests.support.served import ServedMock

TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"
LEASEY = {"Authorization": f"Bearer {TOKEN}", "X-Company-Password": "sandbox-pass-123"}
SOAK_SECONDS = float(os.environ.get("SANDBOX_SOAK_SECONDS", "25"))
WAL_BOUND = 64 << 20  # PRAGMA journal_size_limit (mock_server/store.py)
IDLE_BOUND = 1 << 20  # what is left once idle: a truncated WAL and whatever was written since


def wal_bytes(served: ServedMock) -> int:
    path = f"{served.db_path}-wal"
    return os.path.getsize(path) if os.path.exists(path) else 0


@pytest.fixture
def served(tmp_path):
    if served_support.test_engine() != "sqlite":
        pytest.skip("a SQLite WAL only")
    mock = ServedMock(tmp_path, workers=2, extra_args=("--journal-size", "200"))
    yield mock
    mock.stop()


def soak(root: str, stop: threading.Event, failures: list) -> None:
    """Reports (journaled with their answer, cut at 64 KiB), lease pages and property writes, back to back."""
    http = requests.Session()
    listing = http.post(f"{root}/leasey/properties", headers=LEASEY, json={
        "company_id": 123, "password": "sandbox-pass-123", "property": {
            "name": f"Soak {threading.get_ident()}", "address": "1 Soak St", "city": "Toronto",
            "province_state": "ON", "country": "Canada"}}).json()["property_id"]
    n = 0
    while not stop.is_set():
        n += 1
        answers = [
            http.get(f"{root}/leasey/reports/properties", params={"company_id": 123}, headers=LEASEY, timeout=30),
            http.get(f"{root}/travtus/leases/", params={"group_ids": "group-1", "limit": 100},
                     headers={"Authorization": "Bearer trv_sandbox_full"}, timeout=30),
            http.put(f"{root}/leasey/properties/{listing}", headers=LEASEY, timeout=30, json={
                "company_id": 123, "password": "sandbox-pass-123",
                "property": {"description": f"pass {n} " + "x" * 4000}}),
        ]
        failures.extend(a.status_code for a in answers if a.status_code not in (200, 201))


def test_the_wal_stays_bounded_under_a_soak_and_is_truncated_when_idle(served):
    stop, failures, sizes = threading.Event(), [], []
    workers = [threading.Thread(target=soak, args=(served.root, stop, failures)) for _ in range(6)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + SOAK_SECONDS
    while time.monotonic() < deadline:
        sizes.append(wal_bytes(served))
        time.sleep(0.25)
    stop.set()
    for worker in workers:
        worker.join(60)
    assert failures == []
    assert max(sizes) <= WAL_BOUND, f"the WAL reached {max(sizes):,} bytes"

    # Idle now: within a few seconds each worker's journal writer has checkpointed the WAL and truncated it.
    idle_deadline = time.monotonic() + 10
    while wal_bytes(served) > IDLE_BOUND and time.monotonic() < idle_deadline:
        time.sleep(0.25)
    assert wal_bytes(served) <= IDLE_BOUND, (f"{wal_bytes(served):,} bytes of WAL left when idle "
                                             f"(at most {max(sizes):,} during the soak)")
    assert requests.get(f"{served.root}/_sandbox/health", timeout=10).status_code == 200
