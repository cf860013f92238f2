"""Benchmark: GET /leases/ latency at page 1 vs cursor pages deep in a large table (keyset, not OFFSET scans).

Builds a SQLite database with N leases (default 1,000,000) by bulk insert, then calls the Travtus backend through
the Flask test client (in process: no sockets, no gunicorn; the response self-check is switched off so the numbers
are the backend's) and prints p50/p95 over the calls for: the first page, cursor pages at depth 1,000 and 10,000
(depth = page number at 100 per page; with 1M leases depth 10,000 is the last page), and, for contrast, the same
pages reached with offset. It also times the SQL page query alone, without the count every response carries.

    .venv/bin/python bench/travtus_cursor.py [--leases 1000000] [--calls 50] [--db PATH] [--keep]

It prints numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mock_server.app import create_app  # noqa: E402
from mock_server.store import Store  # noqa: E402
from mock_server.travtus.models import MAX_PAGE, Cursor  # noqa: E402

TOKEN = "trv_bench_full"
GROUPS = ("group-1", "group-2", "group-3")
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def build(path: Path, leases: int, seed: int = 7) -> None:
    """Schema from mock_server.store, rows by executemany in one transaction (fast, and the same tables)."""
    Store(f"sqlite:///{path}").create_all()
    rng = random.Random(seed)
    units = max(1, leases // 50)
    tenants = max(1, leases // 4)
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    with connection:
        connection.execute("INSERT INTO trv_clients VALUES ('bench-client', 'bench-secret', 'Benchmark')")
        connection.executemany("INSERT INTO trv_groups VALUES (?, ?, ?, 'bench-client')",
                               [(g, f"community-{i}", f"Group {i}") for i, g in enumerate(GROUPS, 1)])
        connection.execute("INSERT INTO trv_tokens VALUES (?, NULL, ?, NULL, 0)", (TOKEN, '["group-1","group-2","group-3"]'))
        connection.executemany("INSERT INTO trv_persons VALUES (?, ?, ?, 'Landlord', 'LLC', NULL, NULL, 1)",
                               [(f"landlord-{g}", g, f"LL-{g}") for g in GROUPS])
        connection.executemany(
            "INSERT INTO trv_units VALUES (?, ?, ?, ?, 'Bench Tower', ?, ?, ?, 'MA', 'US', '02110', 42.36, -71.05)",
            ((f"unit-{u}", GROUPS[u % 3], f"U-{u}", str(u), f"{u} Main Street", f"Apt {u % 100}",
              ("Boston", "Cambridge", "Somerville")[u % 3]) for u in range(units)))
        connection.executemany(
            "INSERT INTO trv_persons VALUES (?, ?, ?, 'First', 'Last', NULL, NULL, 0)",
            ((f"tenant-{p}", GROUPS[p % 3], f"T-{p}") for p in range(tenants)))
        day0 = date(2015, 1, 1)

        def lease_rows():
            for seq in range(1, leases + 1):
                unit = rng.randrange(units)
                start = day0 + timedelta(days=rng.randrange(4000))
                yield (seq, f"lease-{seq}", GROUPS[unit % 3], f"unit-{unit}", f"landlord-{GROUPS[unit % 3]}",
                       start.isoformat(), (start + timedelta(days=364)).isoformat(), start.isoformat(),
                       rng.random() < 0.15, 30, 2000.0, 2000.0)

        connection.executemany("INSERT INTO trv_leases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", lease_rows())
        connection.executemany("INSERT INTO trv_lease_tenants VALUES (?, ?, ?)",
                               ((seq, f"tenant-{(seq * 7 + k) % tenants}", k)
                                for seq in range(1, leases + 1) for k in range(1 + (seq % 3 == 0))))
    connection.execute("ANALYZE")
    connection.close()
    print(f"built {leases:,} leases, {units:,} units, {tenants:,} tenants in {time.perf_counter() - started:.1f}s")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def time_calls(client, params: dict, calls: int) -> tuple[list[float], dict]:
    samples, body = [], None
    for _ in range(calls):
        started = time.perf_counter()
        response = client.get("/travtus/leases/", query_string=params, headers=HEADERS)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
    return samples, body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leases", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--db", help="database file (default: a temporary file, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    args = parser.parse_args(argv)

    workdir = None
    if args.db:
        path = Path(args.db)
    else:
        workdir = tempfile.TemporaryDirectory(prefix="travtus-bench-")
        path = Path(workdir.name) / "bench.db"
    if not path.exists():
        build(path, args.leases)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "APIS": ("travtus",), "LOAD_FIXTURES": "never",
                      "NOW": "2026-06-01T12:00:00", "SELF_CHECK": False})
    client = app.test_client()
    store = app.extensions["sandbox"].store
    with store.connect() as connection:
        total = connection.exec_driver_sql("SELECT count(*) FROM trv_leases").scalar()
    last_page = -(-total // MAX_PAGE)
    depths = [d for d in (1, 1_000, 10_000) if d <= last_page] + ([last_page] if last_page not in (1, 1_000, 10_000)
                                                                   else [])
    print(f"{total:,} leases, {last_page:,} pages of {MAX_PAGE}; {args.calls} calls each; Flask test client, "
          f"in process, self-check off; SQLite {sqlite3.sqlite_version}\n")

    for label, search in (("all three groups (group_ids=group-1,group-2,group-3)", {"group_ids": ",".join(GROUPS)}),
                          ("one group (group_ids=group-2)", {"group_ids": "group-2"})):
        count = client.get("/travtus/leases/", query_string={**search, "limit": 1}, headers=HEADERS).get_json()
        matching = count["pagination"]["count"]
        print(f"== {label}: {matching:,} matching, {-(-matching // MAX_PAGE):,} pages")
        for depth in depths:
            if depth > -(-matching // MAX_PAGE):
                continue
            if depth == 1:
                samples, body = time_calls(client, search, args.calls)
                print(f"  page {depth:>6,} (first page)         {percentiles(samples)}")
                continue
            cursor = _cursor_for_page(store, search, depth)
            samples, body = time_calls(client, {**search, "after_id": cursor}, args.calls)
            assert len(body["data"]) > 0
            print(f"  page {depth:>6,} via after_id cursor  {percentiles(samples)}")
            samples, _ = time_calls(client, {**search, "offset": (depth - 1) * MAX_PAGE}, max(5, args.calls // 5))
            print(f"  page {depth:>6,} via offset (contrast) {percentiles(samples)}")
        print()

    print("== SQL only: the keyset page query (LIMIT 101), no count, no serialisation, all groups")
    with store.connect() as connection:
        for depth in depths:
            after = (depth - 1) * MAX_PAGE
            sql = ("SELECT seq FROM trv_leases JOIN trv_units ON trv_units.id = trv_leases.unit_id "
                   "WHERE trv_leases.group_id IN ('group-1', 'group-2', 'group-3') AND trv_leases.seq > ? "
                   "ORDER BY trv_leases.seq LIMIT 101")
            samples = []
            for _ in range(args.calls):
                started = time.perf_counter()
                connection.exec_driver_sql(sql, (after,)).all()
                samples.append(time.perf_counter() - started)
            print(f"  page {depth:>6,}  {percentiles(samples)}")
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, (0,)).all()
        print("  plan, all groups: " + " | ".join(row[-1] for row in plan))
        one = sql.replace("IN ('group-1', 'group-2', 'group-3')", "IN ('group-2')")
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + one, (0,)).all()
        print("  plan, one group:  " + " | ".join(row[-1] for row in plan))
        for label, sql in (("count(*), token sees every group (no group condition)", "SELECT count(*) FROM trv_leases"),
                           ("count(*), one group", "SELECT count(*) FROM trv_leases WHERE group_id IN ('group-2')")):
            samples = []
            for _ in range(max(5, args.calls // 5)):
                started = time.perf_counter()
                connection.exec_driver_sql(sql).scalar()
                samples.append(time.perf_counter() - started)
            print(f"  {label:<56} {percentiles(samples)}")
    print("\nEvery response carries pagination.count (total matching), computed exactly on each call: it costs the")
    print("same at every depth and is most of a deep page's time; the page itself is a keyset seek.")

    store.engine.dispose()
    if workdir is not None and not args.keep:
        workdir.cleanup()
    elif args.keep or args.db:
        print(f"\ndatabase kept at {path}")
    return 0


def _cursor_for_page(store, search: dict, page: int) -> str:
    """The next_cursor a walk would hold before `page`: the seq of the last lease of the page before it."""
    groups = [g.strip() for g in search["group_ids"].split(",")]
    marks = ", ".join("?" for _ in groups)
    with store.connect() as connection:
        seq = connection.exec_driver_sql(
            f"SELECT seq FROM trv_leases WHERE group_id IN ({marks}) ORDER BY seq LIMIT 1 OFFSET ?",
            (*groups, (page - 1) * MAX_PAGE - 1)).scalar()
    return Cursor("after", seq).encode()


if __name__ == "__main__":
    sys.exit(main())
