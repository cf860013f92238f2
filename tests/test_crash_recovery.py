"""kill -9 of the whole server while writes are in flight: after a restart every write it acknowledged is there
(three rounds, on one SQLite database: WAL, synchronous=NORMAL; a killed process loses nothing it committed)."""

from __future__ import annotations

import os
import signal
import threading
import time

import requests

from contract_tests.support.served import ServedMock

TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"
READ = {"Authorization": f"Bearer {TOKEN}", "X-Company-Password": "sandbox-pass-123"}


def _slugs(mock: ServedMock) -> set[str]:
    rows = requests.get(f"{mock.root}/leasey/reports/properties?company_id=123", headers=READ, timeout=60).json()
    return {row["Property_URL_Slug"] for row in rows}


def test_every_acknowledged_write_survives_kill_9_of_the_whole_server(tmp_path):
    acknowledged: list[str] = []
    lock = threading.Lock()
    database_url = None
    for round_number in range(3):
        workdir = tmp_path / f"round{round_number}"
        workdir.mkdir()
        mock = ServedMock(workdir, database_url=database_url, workers=2)
        database_url = mock.database_url
        assert set(acknowledged) <= _slugs(mock)  # what the previous round acknowledged, after its kill
        stop = threading.Event()

        def writer(number: int, mock=mock, stop=stop, round_number=round_number) -> None:
            session, count = requests.Session(), 0
            while not stop.is_set():
                count += 1
                try:
                    response = session.post(f"{mock.root}/leasey/properties", timeout=10, json={
                        "company_id": 123, "password": "sandbox-pass-123", "property": {
                            "name": f"Crash {round_number}-{number}-{count}", "address": "9 Kill Street",
                            "city": "Toronto", "province_state": "ON", "country": "Canada"}},
                        headers={"Authorization": f"Bearer {TOKEN}"})
                except requests.RequestException:
                    return  # the server is gone: this write was never acknowledged
                if response.status_code == 201:
                    with lock:
                        acknowledged.append(response.json()["url_slug"])

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        os.killpg(mock.process.pid, signal.SIGKILL)  # the master and its workers, mid-write
        stop.set()
        for thread in threads:
            thread.join()
        mock.process.wait(timeout=30)
        mock.stop()
    (tmp_path / "after").mkdir()
    final = ServedMock(tmp_path / "after", database_url=database_url, workers=1)
    try:
        print(f"3 rounds of kill -9: {len(acknowledged)} acknowledged writes, all checked after restarts")
        assert len(acknowledged) > 30
        assert set(acknowledged) <= _slugs(final)
    finally:
        final.stop()
