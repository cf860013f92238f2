"""`make bench`: the sandbox served as `make serve` serves it (gunicorn, 2 workers, loopback), measured in one run.

Prints one Markdown report; nothing in it passes or fails.

1. Throughput at fixture size: requests/s, p50 and p99 at concurrency 1, 8 and 32 for the ceiling (a trivial
   JSON endpoint on the same stack) and the partner endpoints, each as a ratio to the ceiling at the same
   concurrency. wrk (Debian's; installed when missing and run as root) drives it, for --duration seconds per
   cell, aimed at 127.0.0.1 only; without wrk, a small threaded Python client does (slower: it says so).
2. Scale: the database of bench/scale.py (100,000 properties, 1,000,000 showings and leads in one company, a
   Travtus client with 1,000,000 leases; generated once, cached under var/bench/), sequential latencies of a
   one-month showings report, a page of /properties/leads, and Travtus cursor pages at depth 1, 1,000, 10,000.
3. Cold start (process start to the first 200) and peak memory (VmHWM) of each gunicorn worker, both sizes.

Every server runs on a throwaway copy of its database (writes grow it) on a free port.

    .venv/bin/python bench/run.py [--duration 5] [--skip-scale] [--output FILE]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import scale  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LUA = Path(__file__).resolve().parent / "wrk" / "request.lua"
HOST = "127.0.0.1"
NOW = scale.NOW
LEASEY_TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"  # fixtures/leasey.yaml
COMPANY, PASSWORD = 123, "sandbox-pass-123"
COMPANY_2, PASSWORD_2 = 456, "sandbox-pass-456"
TRAVTUS_CLIENT, TRAVTUS_SECRET, TRAVTUS_TOKEN = "sandbox-client", "sandbox-secret", "trv_sandbox_full"
HEALTH_PATHS = ("/_sandbox/health", "/")  # the ceiling: the trivial endpoint, or the index until it exists


# -- the server ---------------------------------------------------------------------------------------

class Server:
    """`mock-server serve` on a free loopback port, as `make serve` runs it (2 workers, default threads)."""

    def __init__(self, db: Path, log: Path, extra: tuple[str, ...] = (), url: str | None = None):
        self.db, self.log, self.extra = db, log, extra
        self.db_url = url or f"sqlite:///{db}"
        self.port = _free_port()
        self.process = None
        self.cold_start = None
        self.health = None

    def start(self) -> Server:
        started = time.perf_counter()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "mock-server"), "serve", "--host", HOST, "--port", str(self.port), "--workers", "2",
                 "--db", self.db_url, *self.extra], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = started + 120
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}); see {self.log}")
            status = _status(self.port, "/")
            if status == 200:
                self.cold_start = time.perf_counter() - started
                break
            time.sleep(0.01)
        else:
            raise RuntimeError(f"no 200 within 120 s; see {self.log}")
        self.health = next((p for p in HEALTH_PATHS if _status(self.port, p) == 200), "/")
        return self

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def workers(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(c) for c in children]

    def peak_rss_mb(self) -> dict[str, float]:
        """VmHWM (peak resident set) of the master and of each worker, in MB."""
        peaks = {"master": _vm_hwm(self.process.pid)}
        for number, pid in enumerate(self.workers(), start=1):
            peaks[f"worker {number}"] = _vm_hwm(pid)
        return peaks

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # gunicorn: graceful shutdown of the master and its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _copy(db: Path, to: Path) -> Path:
    """A copy of a SQLite database (and its write-ahead log, if one was left)."""
    for suffix in ("", "-wal"):
        if Path(f"{db}{suffix}").exists():
            shutil.copyfile(f"{db}{suffix}", f"{to}{suffix}")
    return to


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _status(port: int, path: str) -> int | None:
    try:
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        connection.request("GET", path)
        status = connection.getresponse().status
        connection.close()
        return status
    except OSError:
        return None


def _vm_hwm(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Client:
    """A keep-alive HTTP client for set-up calls and sequential latency samples."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=600)

    def call(self, method: str, path: str, headers: dict | None = None, body: str | None = None):
        try:
            self.connection.request(method, path, body=body, headers=headers or {})
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):  # the server closed an idle keep-alive
            self.connection.close()
            self.connection = http.client.HTTPConnection(HOST, self.port, timeout=600)
            self.connection.request(method, path, body=body, headers=headers or {})
            response = self.connection.getresponse()
        data = response.read()
        return response.status, (json.loads(data) if data else None)

    def timed(self, path: str, headers: dict) -> tuple[int, float, float, bytes]:
        """(status, ms to the status line and headers, ms to the last byte, body) of one GET."""
        started = time.perf_counter()
        self.connection.request("GET", path, headers=headers)
        response = self.connection.getresponse()
        first = time.perf_counter()
        data = response.read()
        return response.status, (first - started) * 1000, (time.perf_counter() - started) * 1000, data


# -- load generation -----------------------------------------------------------------------------------

def ensure_wrk() -> str | None:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install -y wrk) ...", file=sys.stderr, flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet).returncode != 0:
            subprocess.run(["apt-get", "update"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "wrk"], **quiet)
    return shutil.which("wrk")


class Load:
    """One cell of the table: `connections` concurrent closed-loop clients for `duration` seconds."""

    def __init__(self, wrk: str | None, duration: float):
        self.wrk, self.duration = wrk, duration

    def run(self, url: str, connections: int, env: dict) -> dict:
        if self.wrk:
            return self._wrk(url, connections, env)
        return _python_load(url, connections, env, self.duration)

    def _wrk(self, url: str, connections: int, env: dict) -> dict:
        threads = min(2, connections)
        command = [self.wrk, f"-t{threads}", f"-c{connections}", f"-d{int(self.duration)}s", "--timeout", "30s",
                   "-s", str(LUA), url]
        output = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True,
                                timeout=self.duration + 60).stdout
        line = next((x for x in output.splitlines() if x.startswith("BENCH_RESULT ")), None)
        if line is None:
            raise RuntimeError(f"wrk printed no result: {output}")
        raw = json.loads(line[len("BENCH_RESULT "):])
        return {"rps": raw["requests"] / (raw["duration_us"] / 1e6), "p50": raw["p50_us"] / 1000,
                "p99": raw["p99_us"] / 1000, "requests": raw["requests"],
                "errors": sum(raw["errors"].values())}


def _python_load(url: str, connections: int, env: dict, duration: float) -> dict:
    """Fallback without wrk: threads with keep-alive connections (the GIL caps it well below wrk)."""
    parsed = urllib.parse.urlsplit(url)
    path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    mode = env.get("BENCH_MODE", "get")
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def worker(number: int) -> None:
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        counter = 0
        while time.perf_counter() < stop:
            counter += 1
            method, target, headers, body = _python_request(mode, path, env, number, counter)
            started = time.perf_counter()
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                samples.append(elapsed)
                errors[0] += response.status >= 400

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ordered = sorted(samples) or [float("nan")]
    return {"rps": len(samples) / elapsed, "p50": statistics.median(ordered) * 1000,
            "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, "requests": len(samples),
            "errors": errors[0]}


def _python_request(mode: str, path: str, env: dict, number: int, counter: int):
    headers = {}
    if env.get("BENCH_AUTHORIZATION"):
        headers["Authorization"] = env["BENCH_AUTHORIZATION"]
    credentials = {"company_id": int(env.get("BENCH_COMPANY_ID", COMPANY)), "password": env.get("BENCH_PASSWORD")}
    if mode == "create":
        headers["Content-Type"] = "application/json"
        prop = {"name": f"Bench House {number}-{counter}", "address": f"{counter} Bench Street", "city": "Toronto",
                "province_state": "ON", "country": "Canada", "bedrooms": 2, "bathrooms": 1, "rent_amount": 2400}
        return "POST", "/leasey/properties", headers, json.dumps({**credentials, "property": prop})
    if mode == "update":
        headers["Content-Type"] = "application/json"
        uuids = env["BENCH_UUIDS"].split(",")
        prop = {"rent_amount": 2000 + counter % 500, "description": f"Updated by the benchmark, pass {counter}"}
        return "PUT", f"/leasey/properties/{uuids[(counter + number) % len(uuids)]}", headers, json.dumps(
            {**credentials, "property": prop})
    if mode == "token":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": env["BENCH_CLIENT_ID"],
                                       "client_secret": env["BENCH_CLIENT_SECRET"]})
        return "POST", path, headers, body
    if env.get("BENCH_PASSWORD"):
        headers["X-Company-Password"] = env["BENCH_PASSWORD"]
    return "GET", path, headers, None


# -- section 1: fixture size --------------------------------------------------------------------------------

def _listings(client: Client, name: str, street: str, count: int = 20) -> list[str]:
    """`count` new listings of company 123 (the targets of PUT cells); their property ids."""
    uuids = []
    for number in range(count):
        status, body = client.call("POST", "/leasey/properties", {"Authorization": f"Bearer {LEASEY_TOKEN}",
                                                                 "Content-Type": "application/json"},
                                   json.dumps({"company_id": COMPANY, "password": PASSWORD, "property": {
                                       "name": f"{name} {number}", "address": f"{number} {street}",
                                       "city": "Toronto", "province_state": "ON", "country": "Canada"}}))
        assert status == 201, body
        uuids.append(body["property_id"])
    return uuids


def fixture_endpoints(server: Server) -> list[tuple[str, str, dict]]:
    """(label, path and query, wrk environment) per measured endpoint, with the set-up they need."""
    client = Client(server.port)
    leasey = {"BENCH_AUTHORIZATION": f"Bearer {LEASEY_TOKEN}", "BENCH_COMPANY_ID": str(COMPANY),
              "BENCH_PASSWORD": PASSWORD}
    uuids = _listings(client, "Bench Update Target", "Bench Road")  # for the PUT cell to cycle through
    travtus = {"BENCH_AUTHORIZATION": f"Bearer {TRAVTUS_TOKEN}"}
    search = "group_ids=group-1,group-2,group-3"
    status, first = client.call("GET", f"/travtus/leases/?{search}", {"Authorization": f"Bearer {TRAVTUS_TOKEN}"})
    assert status == 200 and first["pagination"]["next_cursor"], first
    company = f"company_id={COMPANY}"
    return [
        ("GET /leasey/reports/properties", f"/leasey/reports/properties?{company}", leasey),
        ("GET /leasey/reports/showings (default window)", f"/leasey/reports/showings?{company}", leasey),
        ("GET /leasey/reports/leads (default window)", f"/leasey/reports/leads?{company}", leasey),
        ("GET /leasey/properties/leads?limit=500", f"/leasey/properties/leads?{company}&limit=500", leasey),
        ("POST /leasey/properties", "/leasey/properties", {**leasey, "BENCH_MODE": "create"}),
        ("PUT /leasey/properties/{id}", "/leasey/properties", {**leasey, "BENCH_MODE": "update",
                                                               "BENCH_UUIDS": ",".join(uuids)}),
        ("GET /travtus/leases/ (first page)", f"/travtus/leases/?{search}", travtus),
        ("GET /travtus/leases/ (cursor page 2)",
         f"/travtus/leases/?{search}&after_id={first['pagination']['next_cursor']}", travtus),
        ("POST /travtus/oauth2/token", "/travtus/oauth2/token", {
            "BENCH_MODE": "token", "BENCH_CLIENT_ID": TRAVTUS_CLIENT, "BENCH_CLIENT_SECRET": TRAVTUS_SECRET}),
    ]


def throughput(server: Server, load: Load, concurrencies: list[int]) -> list[dict]:
    cells = []
    endpoints = [(f"ceiling: GET {server.health}", server.health, {})] + fixture_endpoints(server)
    for label, path, env in endpoints:
        for connections in concurrencies:
            result = load.run(server.url + path, connections, env)
            cells.append({"endpoint": label, "c": connections, **result})
            print(f"  {label:<48} c={connections:<3} {result['rps']:8.1f} req/s  p50 {result['p50']:8.1f} ms  "
                  f"p99 {result['p99']:8.1f} ms  errors {result['errors']}", file=sys.stderr, flush=True)
    ceiling = {cell["c"]: cell["rps"] for cell in cells if cell["endpoint"].startswith("ceiling")}
    for cell in cells:
        cell["ratio"] = cell["rps"] / ceiling[cell["c"]]
    return cells


def mixed(server: Server, load: Load, connections: int = 32) -> dict:
    """90% report reads across both companies (properties, showings, leads of 123 and 456), 10% PUTs."""
    client = Client(server.port)
    uuids = _listings(client, "Bench Mixed Target", "Mixed Road")
    env = {"BENCH_MODE": "mixed", "BENCH_AUTHORIZATION": f"Bearer {LEASEY_TOKEN}", "BENCH_COMPANY_ID": str(COMPANY),
           "BENCH_PASSWORD": PASSWORD, "BENCH_COMPANY_ID_2": str(COMPANY_2), "BENCH_PASSWORD_2": PASSWORD_2,
           "BENCH_UUIDS": ",".join(uuids)}
    result = load.run(server.url + "/leasey/reports/properties", connections, env)
    print(f"  mixed (90% reads of both companies, 10% PUT) c={connections} {result['rps']:8.1f} req/s  "
          f"p50 {result['p50']:8.1f} ms  p99 {result['p99']:8.1f} ms  errors {result['errors']}",
          file=sys.stderr, flush=True)
    return {"c": connections, **result}


def postgresql(report: dict, work: Path, load: Load, concurrencies: list[int]) -> None:
    """The fixture-size rows again with the sandbox on PostgreSQL (a throwaway cluster on loopback, the tests'
    contract_tests/support/postgres.py), as a column beside SQLite's."""
    from contract_tests.support import postgres

    if postgres.unavailable():
        print(f"  postgresql: {postgres.unavailable()}", file=sys.stderr, flush=True)
        report["postgresql_missing"] = postgres.unavailable()
        return
    url = postgres.database_url()
    server = Server(work / "pg-unused.db", work / "pg.log", url=url).start()
    print(f"throughput at fixture size on PostgreSQL ({server.url}) ...", file=sys.stderr, flush=True)
    try:
        cells = throughput(server, load, concurrencies)
    finally:
        server.stop()
    by_cell = {(cell["endpoint"].replace("ceiling: ", ""), cell["c"]): cell for cell in cells}
    for cell in report.get("throughput", []):
        twin = by_cell.get((cell["endpoint"].replace("ceiling: ", ""), cell["c"]))
        if twin:
            cell["pg_rps"], cell["pg_p50"] = twin["rps"], twin["p50"]


PRISM_VERSION = "5.16.0"  # @stoplight/prism-cli, from the npm registry


def ensure_prism() -> Path | None:
    """Prism (the open-source mock server a partner would pick instead), installed once under var/bench/."""
    prefix = ROOT / "var" / "bench" / f"prism-{PRISM_VERSION}"
    binary = prefix / "node_modules" / ".bin" / "prism"
    if binary.exists():
        return binary
    if not shutil.which("npm"):
        return None
    prefix.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent",
                             f"@stoplight/prism-cli@{PRISM_VERSION}"], capture_output=True, text=True, timeout=600)
    if result.returncode != 0 or not binary.exists():
        print(f"  prism: npm install failed: {result.stderr[-500:]}", file=sys.stderr, flush=True)
        return None
    return binary


def prism(load: Load, work: Path, concurrencies: list[int]) -> list[dict]:
    """Prism serving openapi/leasey.yaml (static examples) on loopback, the properties report measured."""
    binary = ensure_prism()
    if binary is None:
        return []
    port = _free_port()
    with open(work / "prism.log", "ab") as log:
        process = subprocess.Popen([str(binary), "mock", "-h", HOST, "-p", str(port), str(ROOT / "openapi" / "leasey.yaml")],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    path = f"/reports/properties?company_id={COMPANY}"
    headers = {"Authorization": f"Bearer {LEASEY_TOKEN}", "X-Company-Password": PASSWORD}
    try:
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            try:
                connection = http.client.HTTPConnection(HOST, port, timeout=5)
                connection.request("GET", path, headers=headers)
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            print("  prism: no 200 within 60 s", file=sys.stderr, flush=True)
            return []
        env = {"BENCH_AUTHORIZATION": f"Bearer {LEASEY_TOKEN}", "BENCH_PASSWORD": PASSWORD}
        cells = []
        for connections in concurrencies:
            result = load.run(f"http://{HOST}:{port}{path}", connections, env)
            print(f"  prism GET /reports/properties c={connections:<3} {result['rps']:8.1f} req/s  "
                  f"p50 {result['p50']:8.1f} ms  errors {result['errors']}", file=sys.stderr, flush=True)
            cells.append({"c": connections, **result})
        return cells
    finally:
        process.terminate()
        process.wait(timeout=30)


SERVER_KINDS = ("gunicorn-gthread", "gunicorn-sync", "granian")


def server_kinds(db: Path, work: Path, load: Load) -> list[dict]:
    """The same app under each server `mock-server serve --server` offers: ceiling and two reports at c=32."""
    rows = []
    for kind in SERVER_KINDS:
        copy = _copy(db, work / f"server-{kind}.db")
        server = Server(copy, work / f"server-{kind}.log", extra=("--server", kind)).start()
        leasey = {"BENCH_AUTHORIZATION": f"Bearer {LEASEY_TOKEN}", "BENCH_PASSWORD": PASSWORD}
        row = {"server": kind}
        for label, path, env in (("ceiling", server.health, {}),
                                 ("properties", f"/leasey/reports/properties?company_id={COMPANY}", leasey),
                                 ("showings", f"/leasey/reports/showings?company_id={COMPANY}", leasey)):
            row[label] = load.run(server.url + path, 32, env)["rps"]
        print(f"  server {kind:<18} ceiling {row['ceiling']:8.1f}  properties {row['properties']:7.1f}  "
              f"showings {row['showings']:7.1f} req/s (c=32)", file=sys.stderr, flush=True)
        server.stop()
        rows.append(row)
    return rows


# -- section 2: scale ------------------------------------------------------------------------------------------

def sample(client: Client, path: str, headers: dict, calls: int, budget: float) -> dict:
    """Sequential calls (one warm-up first): p50 / p99 (the largest sample when there are few) in ms, the p50
    of the time to the first byte (status line and headers), and rows per second at the p50."""
    status, body = client.call("GET", path, headers)
    assert status == 200, (path, status, body)
    rows = len(body["data"]) if isinstance(body, dict) and "data" in body else len(body)
    del body
    samples, firsts = [], []
    stop = time.perf_counter() + budget
    while len(samples) < calls and (len(samples) < 3 or time.perf_counter() < stop):
        status, first, total, _ = client.timed(path, headers)
        samples.append(total)
        firsts.append(first)
        assert status == 200
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    return {"rows": rows, "calls": len(samples), "p50": p50, "first_byte": statistics.median(firsts),
            "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], "rows_per_s": rows / p50 * 1000}


def scale_latencies(server: Server, credentials: dict, calls: int) -> list[dict]:
    client = Client(server.port)
    company = credentials["leasey"]["companies"][0]
    headers = {"Authorization": f"Bearer {credentials['leasey']['api_token']}",
               "X-Company-Password": company["password"]}
    cid = company["company_id"]
    results = []
    month = _previous_month(credentials["now"])
    results.append({"what": f"GET /leasey/reports/showings, one month ({month[0]} .. {month[1]})",
                    **sample(client, f"/leasey/reports/showings?company_id={cid}&start_date={month[0]}"
                                     f"&end_date={month[1]}", headers, calls, 60)})
    day = month[1]
    results.append({"what": f"GET /leasey/reports/showings, one day ({day})",
                    **sample(client, f"/leasey/reports/showings?company_id={cid}&start_date={day}&end_date={day}",
                             headers, calls, 30)})
    results.append({"what": "GET /leasey/properties/leads?limit=500 (newest 500 of 1,000,000 leads)",
                    **sample(client, f"/leasey/properties/leads?company_id={cid}&limit=500", headers, calls, 30)})

    trv = credentials["travtus"]["clients"][0]
    form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": trv["client_id"],
                                   "client_secret": trv["client_secret"]})
    status, token = client.call("POST", "/travtus/oauth2/token",
                                {"Content-Type": "application/x-www-form-urlencoded"}, form)
    assert status == 200, token
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    search = "group_ids=" + ",".join(trv["groups"])
    for depth in (1, 1_000, 10_000):
        path = f"/travtus/leases/?{search}"
        if depth > 1:  # the cursor a walk holds before page `depth`: after the last lease of page depth - 1
            path += f"&after_id={_cursor(trv['first_seq'] + (depth - 1) * 100 - 1)}"
        results.append({"what": f"GET /travtus/leases/ page {depth:,} of {trv['leases'] // 100:,} "
                                f"({'first page' if depth == 1 else 'after_id cursor'})",
                        **sample(client, path, bearer, calls * 2, 30)})
    return results


def _cursor(seq: int) -> str:
    import base64

    return base64.urlsafe_b64encode(f"after:{seq}".encode()).decode().rstrip("=")


def _previous_month(now: str) -> tuple[str, str]:
    from datetime import date, timedelta

    first_of_this = date.fromisoformat(now[:10]).replace(day=1)
    last = first_of_this - timedelta(days=1)
    return last.replace(day=1).isoformat(), last.isoformat()


# -- the report ----------------------------------------------------------------------------------------------

def markdown(report: dict) -> str:
    lines = [f"# Sandbox benchmark ({report['date']})", "", f"Machine: {report['machine']}", "",
             f"Server: `mock-server serve --workers 2` (gunicorn gthread, default threads), loopback; "
             f"load: {report['load']}; {report['duration']} s per cell.", ""]
    if report.get("throughput"):
        lines += ["## Throughput at fixture size", "",
                  "| endpoint | c | req/s | p50 ms | p99 ms | × ceiling | errors | PostgreSQL req/s | PostgreSQL p50 ms |",
                  "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for cell in report["throughput"]:
            pg = (f"{cell['pg_rps']:.1f} | {cell['pg_p50']:.1f}" if "pg_rps" in cell
                  else report.get("postgresql_missing", "not measured") + " | ")
            lines.append(f"| {cell['endpoint']} | {cell['c']} | {cell['rps']:.1f} | {cell['p50']:.1f} | "
                         f"{cell['p99']:.1f} | {cell['ratio']:.2f} | {cell['errors']} | {pg} |")
        lines.append("")
    if report.get("mixed"):
        cell = report["mixed"]
        lines += ["## Mixed load", "", "| load | c | req/s | p50 ms | p99 ms | errors |", "|---|--:|--:|--:|--:|--:|",
                  f"| 90% report reads (properties, showings, leads of companies 123 and 456), 10% PUT | {cell['c']} | "
                  f"{cell['rps']:.1f} | {cell['p50']:.1f} | {cell['p99']:.1f} | {cell['errors']} |", ""]
    if report.get("prism"):
        ours = {cell["c"]: cell["rps"] for cell in report.get("throughput", [])
                if cell["endpoint"] == "GET /leasey/reports/properties"}
        lines += [f"## Beside Prism {PRISM_VERSION} (`prism mock openapi/leasey.yaml`, static examples)", "",
                  "| GET /reports/properties | c | Prism req/s | sandbox req/s | sandbox ÷ Prism |", "|---|--:|--:|--:|--:|"]
        for cell in report["prism"]:
            mine = ours.get(cell["c"], float("nan"))
            lines.append(f"| | {cell['c']} | {cell['rps']:.1f} | {mine:.1f} | {mine / cell['rps']:.2f} |")
        lines.append("")
    if report.get("servers_compared"):
        lines += ["## Servers (same app, same database, c=32)", "",
                  "| server | ceiling req/s | properties req/s | showings req/s |", "|---|--:|--:|--:|"]
        for row in report["servers_compared"]:
            lines.append(f"| {row['server']} | {row['ceiling']:.1f} | {row['properties']:.1f} | {row['showings']:.1f} |")
        lines.append("")
    if report.get("scale"):
        lines += [f"## Scale ({report['scale_data']})", "",
                  "| request | rows | calls | p50 ms | first byte p50 ms | p99 ms | rows/s |",
                  "|---|--:|--:|--:|--:|--:|--:|"]
        for row in report["scale"]:
            lines.append(f"| {row['what']} | {row['rows']:,} | {row['calls']} | {row['p50']:.1f} | "
                         f"{row['first_byte']:.1f} | {row['p99']:.1f} | {row['rows_per_s']:,.0f} |")
        lines.append("")
    targets = _targets(report)
    if targets:
        lines += ["## Targets", "", "| target | measured | met? |", "|---|---|---|"]
        lines += [f"| {what} | {measured} | {'yes' if met else '**no**'} |" for what, measured, met in targets]
        lines.append("")
    lines += ["## Cold start and memory", "",
              "| database | cold start to first 200 | peak RSS (VmHWM) master | per worker |", "|---|--:|--:|--:|"]
    for row in report["servers"]:
        workers = ", ".join(f"{v:.0f} MB" for k, v in row["rss"].items() if k != "master")
        lines.append(f"| {row['what']} | {row['cold_start']:.2f} s | {row['rss']['master']:.0f} MB | {workers} |")
    lines += ["", "## Time spent", "", "| part | seconds |", "|---|--:|"]
    lines += [f"| {part} | {seconds:.0f} |" for part, seconds in report["timing"].items()]
    return "\n".join(lines) + "\n"


def _targets(report: dict) -> list[tuple[str, str, bool]]:
    """Each target of the performance issue, with what this run measured."""
    found = []
    cells = {(cell["endpoint"], cell["c"]): cell for cell in report.get("throughput", [])}
    ratios = (("GET /leasey/reports/properties", 0.40), ("GET /leasey/reports/showings (default window)", 0.25),
              ("GET /leasey/reports/leads (default window)", 0.25), ("GET /leasey/properties/leads?limit=500", 0.25),
              ("GET /travtus/leases/ (first page)", 0.40), ("GET /travtus/leases/ (cursor page 2)", 0.40),
              ("POST /travtus/oauth2/token", 0.50), ("POST /leasey/properties", 0.15),
              ("PUT /leasey/properties/{id}", 0.15))
    for endpoint, wanted in ratios:
        cell = cells.get((endpoint, 32))
        if cell:
            found.append((f"{endpoint} at c=32 ≥ {wanted:.2f} × ceiling", f"{cell['ratio']:.2f} ({cell['rps']:.0f} req/s)",
                          cell["ratio"] >= wanted))
    latencies = (("GET /leasey/reports/properties", 3), ("GET /travtus/leases/ (first page)", 3),
                 ("GET /travtus/leases/ (cursor page 2)", 3), ("GET /leasey/reports/showings (default window)", 8),
                 ("GET /leasey/reports/leads (default window)", 8), ("POST /leasey/properties", 5),
                 ("PUT /leasey/properties/{id}", 5))
    for endpoint, wanted in latencies:
        cell = cells.get((endpoint, 1))
        if cell:
            found.append((f"{endpoint} p50 at c=1 ≤ {wanted} ms", f"{cell['p50']:.1f} ms", cell["p50"] <= wanted))
    ours = cells.get(("GET /leasey/reports/properties", 32))
    prisms = [cell for cell in report.get("prism", []) if cell["c"] == 32]
    if ours and prisms:
        ratio = ours["rps"] / prisms[0]["rps"]
        found.append(("properties report, sandbox ÷ Prism at c=32 ≥ 1", f"{ratio:.2f}", ratio >= 1))
    for row in report.get("scale", []):
        if row["what"].startswith("GET /leasey/reports/showings, one month"):
            found.append(("one-month showings report at scale ≤ 400 ms p50", f"{row['p50']:.0f} ms ({row['rows']:,} rows)",
                          row["p50"] <= 400))
            found.append(("… its first byte ≤ 100 ms", f"{row['first_byte']:.0f} ms", row["first_byte"] <= 100))
        if row["what"].startswith("GET /leasey/reports/showings, one day"):
            found.append(("one-day showings report at scale ≤ 20 ms p50", f"{row['p50']:.1f} ms", row["p50"] <= 20))
    for server in report.get("servers", []):
        workers = [v for k, v in server["rss"].items() if k != "master"]
        if server["what"].startswith("scale"):
            found.append(("worker peak RSS serving the one-month report ≤ 150 MB", f"{max(workers):.0f} MB",
                          max(workers) <= 150))
        elif server["what"].startswith("fixture size, existing"):
            found.append(("cold start ≤ 1 s at fixture size", f"{server['cold_start']:.2f} s", server["cold_start"] <= 1))
            found.append(("memory per worker ≤ 100 MB", f"{max(workers):.0f} MB", max(workers) <= 100))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=5, help="seconds per throughput cell (default 5)")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated (default 1,8,32)")
    parser.add_argument("--calls", type=int, default=20, help="sequential calls per scale request (default 20)")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-peers", action="store_true", help="no Prism and no server comparison")
    parser.add_argument("--skip-postgres", action="store_true", help="no PostgreSQL column")
    parser.add_argument("--output", help="also write the Markdown report to this file")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    timing: dict[str, float] = {}
    wrk = ensure_wrk()
    load = Load(wrk, args.duration)
    report = {"date": time.strftime("%Y-%m-%d"), "duration": args.duration, "servers": [], "timing": timing,
              "machine": f"{os.cpu_count()} cores, {_memory_gb():.0f} GB, {platform.platform()}, Python "
                         f"{platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}",
              "load": (subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.split(" [")[0]
                       if wrk else "Python threads (wrk not found: numbers are the client's limit)")}
    work = Path(tempfile.mkdtemp(prefix="bench-", dir=ROOT / "var" if (ROOT / "var").exists() else None))
    try:
        # Fixture size: an empty database (the first start loads the fixtures), then a restart on it.
        step = time.perf_counter()
        db = work / "fixture.db"
        pristine = work / "pristine.db"  # the fixtures just loaded: what every later server starts from
        for what in ("fixture size, empty database (loads the fixtures)", "fixture size, existing database"):
            server = Server(db, work / "fixture.log").start()
            if what.endswith("existing database") and not args.skip_throughput:
                print(f"throughput at fixture size ({server.url}) ...", file=sys.stderr, flush=True)
                report["throughput"] = throughput(server, load, [int(c) for c in args.concurrency.split(",")])
            report["servers"].append({"what": what, "cold_start": server.cold_start, "rss": server.peak_rss_mb()})
            server.stop()
            if not pristine.exists():
                for suffix in ("", "-wal"):
                    if Path(f"{db}{suffix}").exists():
                        shutil.copyfile(f"{db}{suffix}", f"{pristine}{suffix}")
        if not args.skip_throughput:  # on the fixtures as loaded, not after the POST cells' thousands of listings
            copy = _copy(pristine, work / "mixed.db")
            server = Server(copy, work / "mixed.log").start()
            report["mixed"] = mixed(server, load)
            server.stop()
        if not args.skip_throughput and not args.skip_postgres:
            postgresql(report, work, load, [int(c) for c in args.concurrency.split(",")])
        if not args.skip_throughput and not args.skip_peers:
            print("beside Prism, and the same app under each server ...", file=sys.stderr, flush=True)
            report["prism"] = prism(load, work, [int(c) for c in args.concurrency.split(",")])
            report["servers_compared"] = server_kinds(pristine, work, load)
        timing["fixture size: start-ups and throughput"] = time.perf_counter() - step

        if not args.skip_scale:
            step = time.perf_counter()
            print("scale database (bench/scale.py; generated once, then cached) ...", file=sys.stderr, flush=True)
            cached, credentials, seconds = scale.ensure()
            timing["scale: generating the data" if seconds else "scale: data cached"] = time.perf_counter() - step
            sizes = scale.SIZES
            report["scale_data"] = (f"{sizes['properties']:,} properties, {sizes['showings']:,} showings, "
                                    f"{sizes['leads']:,} leads in one company; {sizes['leases']:,} Travtus leases")
            step = time.perf_counter()
            copy = work / "scale.db"
            shutil.copyfile(cached, copy)
            timing["scale: copying the database"] = time.perf_counter() - step
            step = time.perf_counter()
            server = Server(copy, work / "scale.log").start()
            print(f"scale latencies ({server.url}) ...", file=sys.stderr, flush=True)
            report["scale"] = scale_latencies(server, credentials, args.calls)
            report["servers"].append({"what": "scale (copy of the cached database)", "cold_start": server.cold_start,
                                      "rss": server.peak_rss_mb()})
            server.stop()
            timing["scale: start-up and latencies"] = time.perf_counter() - step
    finally:
        shutil.rmtree(work, ignore_errors=True)
    timing["total"] = time.perf_counter() - began
    text = markdown(report)
    print(text)
    if args.output:
        Path(args.output).write_text(text)
    return 0


def _memory_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


if __name__ == "__main__":
    sys.exit(main())
