"""Where a request's time goes, in process (Flask test client, no sockets): each benchmarked GET timed with the
server's response self-check on (the default) and off, and optionally a pyinstrument profile of one of them.

    .venv/bin/python bench/profile.py [--db sqlite:///var/sandbox.db] [--calls 20] [--profile reports/showings]

With no --db, a fresh in-memory sandbox with the fixtures. It prints numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mock_server.app import create_app  # noqa: E402

LEASEY = {"Authorization": "Bearer lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d",
          "X-Company-Password": "sandbox-pass-123"}
TRAVTUS = {"Authorization": "Bearer trv_sandbox_full"}
REQUESTS = [
    ("reports/properties", "/leasey/reports/properties?company_id=123", LEASEY),
    ("reports/showings", "/leasey/reports/showings?company_id=123", LEASEY),
    ("reports/leads", "/leasey/reports/leads?company_id=123", LEASEY),
    ("properties/leads", "/leasey/properties/leads?company_id=123&limit=500", LEASEY),
    ("travtus/leases", "/travtus/leases/?group_ids=group-1,group-2,group-3", TRAVTUS),
]


def timed(client, path: str, headers: dict, calls: int) -> tuple[float, int]:
    response = client.get(path, headers=headers)  # warm-up
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    rows = len(body["data"]) if isinstance(body, dict) else len(body)
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        client.get(path, headers=headers)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="sqlite://")
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--profile", help="label of one request to profile with pyinstrument (self-check on)")
    args = parser.parse_args(argv)

    clients = {}
    for check in (True, "full", False):
        app = create_app({"DATABASE_URL": args.db, "SELF_CHECK": check, "NOW": "2026-11-22T12:00:00"})
        clients[check] = app.test_client()
    print("| request | rows | p50 ms, self-check sampled | every item | off | share of every-item check |")
    print("|---|--:|--:|--:|--:|--:|")
    for label, path, headers in REQUESTS:
        on, rows = timed(clients[True], path, headers, args.calls)
        full, _ = timed(clients["full"], path, headers, args.calls)
        off, _ = timed(clients[False], path, headers, args.calls)
        print(f"| GET /{label} | {rows} | {on:.2f} | {full:.2f} | {off:.2f} | {(full - off) / full:.0%} |")
    if args.profile:
        from pyinstrument import Profiler

        label, path, headers = next(r for r in REQUESTS if r[0] == args.profile)
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(args.calls):
                clients["full"].get(path, headers=headers)  # the default
        print(profiler.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
