"""PostgreSQL, the shared engine, beside SQLite: the same answers, migrations, health, and several hosts on one
database (a throwaway cluster: contract_tests/support/postgres.py; the tests skip, with the reason, without
PostgreSQL). The contract suite and the control-API tests run on it too: `SANDBOX_TEST_ENGINE=postgresql`."""

from __future__ import annotations

import pickle
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa

from contract_tests.support import postgres
from contract_tests.support.served import FIXED_NOW, ServedMock
from mock_server import digests, migrate
from mock_server import store as store_tables
from mock_server.app import create_app
from mock_server.store import Store

TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"
LEASEY = {"Authorization": f"Bearer {TOKEN}", "X-Company-Password": "sandbox-pass-123"}
TRAVTUS = {"Authorization": "Bearer trv_sandbox_full"}
WRITE = {"Authorization": f"Bearer {TOKEN}"}

needs_postgres = pytest.mark.skipif(postgres.unavailable() is not None, reason=postgres.unavailable() or "")


def _sqlite(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'sandbox.db'}"


def _engines(tmp_path) -> dict[str, str]:
    urls = {"sqlite": _sqlite(tmp_path)}
    if postgres.unavailable() is None:
        urls["postgresql"] = postgres.database_url()
    return urls


# -- the same answers on both engines ------------------------------------------------------------------------

def _answers(url: str) -> list:
    app = create_app({"DATABASE_URL": url, "NOW": FIXED_NOW})
    client = app.test_client()
    answers = []
    for path in ("/leasey/reports/properties?company_id=123", "/leasey/reports/showings?company_id=123",
                 "/leasey/reports/leads?company_id=123&start_date=2020-01-01",
                 "/leasey/properties/leads?company_id=123&password=sandbox-pass-123&limit=500"):
        response = client.get(path, headers=LEASEY)
        answers.append((path, response.status_code, response.get_json()))
    # A whole cursor walk, forwards.
    path = "/travtus/leases/?start_date=2023-01-17"
    walk = client.get("/travtus/leases/?group_ids=group-1,group-2,group-3&limit=37", headers=TRAVTUS).get_json()
    pages = [walk]
    while walk["pagination"]["next_cursor"]:
        walk = client.get(f"/travtus/leases/?group_ids=group-1,group-2,group-3&limit=37"
                          f"&after_id={walk['pagination']['next_cursor']}", headers=TRAVTUS).get_json()
        pages.append(walk)
    answers.append(("walk", len(pages), pages))
    answers.append((path, 200, client.get(path, headers=TRAVTUS).get_json()))
    return answers


@needs_postgres
def test_reports_and_cursor_walks_are_identical_on_sqlite_and_postgresql(tmp_path):
    urls = _engines(tmp_path)
    on_sqlite, on_postgresql = _answers(urls["sqlite"]), _answers(urls["postgresql"])
    assert [a[:2] for a in on_sqlite] == [a[:2] for a in on_postgresql]
    for (what, _, sqlite_body), (_, _, postgresql_body) in zip(on_sqlite, on_postgresql, strict=True):
        assert sqlite_body == postgresql_body, what
    assert on_sqlite[4][1] > 5  # the walk had pages to compare


NUL_REQUESTS = [
    ("POST", "/leasey/properties", WRITE, '{"company_id": 123, "password": "sandbox-pass-123", "property": '
     '{"name": "A\\u0000b", "address": "1 Road", "city": "Toronto", "province_state": "ON", "country": "Canada"}}',
     400, {"error": "Bad Request", "message": "Malformed JSON: the request body must be a JSON object"}),
    ("GET", "/leasey/reports/showings?company_id=123&start_date=2026-01-01%00", LEASEY, None,
     400, {"error": "Bad Request", "message": "start_date must be an ISO-8601 date-time: YYYY-MM-DDTHH:MM:SS"}),
    ("GET", "/leasey/reports/showings?company_id=12%003", LEASEY, None,
     400, {"error": "Bad Request", "message": "company_id must be an integer"}),
    ("GET", "/leasey/properties/leads?company_id=123&password=sandbox-pass-123&property_id=a%00b", LEASEY, None,
     400, {"error": "Bad Request", "message": "property_id must be a UUID"}),
    ("GET", "/travtus/leases/?identifier=a%00b", TRAVTUS, None, 400, {"error": {
        "type": "invalid_parameter",
        "message": "The value provided for 'identifier' is not valid. It does not match the expected format."}}),
]


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_nul_in_any_string_gets_the_same_documented_400_on_both_engines(tmp_path, engine):
    if engine == "postgresql" and postgres.unavailable():
        pytest.skip(postgres.unavailable())
    url = _engines(tmp_path)[engine]
    client = create_app({"DATABASE_URL": url, "NOW": FIXED_NOW}).test_client()
    before = client.get("/leasey/reports/properties?company_id=123", headers=LEASEY).get_json()
    for method, path, headers, body, status, answer in NUL_REQUESTS:
        response = client.open(path, method=method, headers=headers, data=body,
                               content_type="application/json" if body else None)
        assert (response.status_code, response.get_json()) == (status, answer), path
    token = client.post("/travtus/oauth2/token", data={"client_id": "sandbox\x00client", "client_secret": "x",
                                                         "grant_type": "client_credentials"})
    assert token.status_code == 401 and token.get_json()["error"] == "invalid_client"
    assert client.get("/leasey/reports/properties?company_id=123", headers=LEASEY).get_json() == before
    journal = client.get("/_sandbox/journal", query_string={"limit": 20}).get_json()["entries"]
    assert len(journal) == len(NUL_REQUESTS) + 3  # every request journaled (a NUL path included), none lost


# -- migrations ------------------------------------------------------------------------------------------------

def test_the_head_revision_start_up_checks_for_is_alembics():
    assert migrate.HEAD == migrate.head()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_migrations_build_exactly_the_schema_the_code_declares(tmp_path, engine):
    if engine == "postgresql" and postgres.unavailable():
        pytest.skip(postgres.unavailable())
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = Store(_engines(tmp_path)[engine])
    assert migrate.upgrade(store) == migrate.head()
    with store.engine.connect() as connection:
        # SQLite keeps the declared length of a column it never enforced (String(200) and Text are both TEXT).
        context = MigrationContext.configure(connection, opts={"compare_type": engine != "sqlite"})
        assert compare_metadata(context, migrate.target_metadata()) == []


def _database_at(tmp_path, engine: str, revision: str) -> tuple[str, Store]:
    """A fresh database of the engine with the schema of an older revision (PostgreSQL skipped without it)."""
    if engine == "postgresql" and postgres.unavailable():
        pytest.skip(postgres.unavailable())
    url = _engines(tmp_path)[engine]
    store = Store(url)
    assert migrate.upgrade(store, revision) == revision
    return url, store


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_database_at_the_first_revision_with_data_upgrades_with_its_data_intact(tmp_path, engine):
    url, store = _database_at(tmp_path, engine, migrate.BASELINE)
    with store.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO companies (id, name, api_password, country, daily_rate, "
                                   "market_rent_enabled, use_custom_application_link) VALUES "
                                   "(4242, 'Kept Co', 'kept-pass', 'Canada', 1.5, false, false)"))
        connection.execute(sa.text("INSERT INTO sbx_journal (api, method, path, status, entry) VALUES "
                                   "('leasey', 'GET', '/leasey/reports/leads', 200, '{\"status\": 200}')"))
    store.engine.dispose()

    # A sandbox of this version starts on it: the schema is upgraded, nothing is lost, nothing is reloaded.
    app = create_app({"DATABASE_URL": url, "NOW": FIXED_NOW})
    with Store(url).engine.connect() as connection:
        assert migrate.current(connection) == migrate.head()
        assert connection.execute(sa.text("SELECT name, api_password FROM companies WHERE id = 4242")).one() == (
            "Kept Co", digests.digest("kept-pass", digests.COMPANY_PASSWORD))  # 0004: credentials as digests
        assert connection.execute(sa.text("SELECT count(*) FROM sbx_journal")).scalar() == 1
        assert connection.execute(sa.text("SELECT count(*) FROM companies")).scalar() == 1  # no fixtures over it
    # What the new revisions brought works: a 468-character Travtus token (varchar(200) before, on PostgreSQL).
    with Store(url).engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO trv_clients (client_id, client_secret, name) VALUES ('c', 's', 'n')"))
        connection.execute(sa.text("INSERT INTO trv_tokens (token, client_id, group_ids, always_expired) "
                                   "VALUES (:token, 'c', '[]', false)"), {"token": "t" * 468})
    assert app.test_client().get("/_sandbox/health").status_code == 200


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_credentials_stored_in_clear_before_revision_0004_become_digests_and_still_authenticate(tmp_path, engine):
    """Migration 0004: the tables, a tenant's record and a stored snapshot lose every credential in clear."""
    url, store = _database_at(tmp_path, engine, "0003")
    clear = ("kept-pass-4242", "kept-secret-4242", "kept-static-4242", TOKEN)
    snapshot = {"companies": [(4242, "Kept Co", "kept-pass-4242", "Canada", 1.5, False, False, None)],
                "settings": [("leasey_api_token", TOKEN)], "trv_clients": [("kept-client", "kept-secret-4242", "n")],
                "trv_tokens": [("kept-static-4242", None, [], None, False)],
                "users": [tuple({"id": 42420, "company_id": 4242, "first_name": "A", "last_name": "B",
                                 "email": "a@b.example", "is_admin": True, "is_primary_admin": True}.get(column.name)
                                for column in store_tables.users.columns)]}
    with store.engine.begin() as connection:  # as revision 0003's code wrote them: in clear
        connection.execute(sa.text("INSERT INTO settings (key, value) VALUES ('leasey_api_token', :v)"),
                           {"v": f'"{TOKEN}"'})
        connection.execute(sa.text("INSERT INTO companies (id, name, api_password, country, daily_rate, "
                                   "market_rent_enabled, use_custom_application_link) VALUES "
                                   "(4242, 'Kept Co', 'kept-pass-4242', 'Canada', 1.5, false, false)"))
        connection.execute(sa.text("INSERT INTO users (id, company_id, first_name, last_name, email, is_admin, "
                                   "is_primary_admin) VALUES (42420, 4242, 'A', 'B', 'a@b.example', true, true)"))
        connection.execute(sa.text("INSERT INTO trv_clients (client_id, client_secret, name) "
                                   "VALUES ('kept-client', 'kept-secret-4242', 'n')"))
        connection.execute(sa.text("INSERT INTO trv_tokens (token, client_id, group_ids, always_expired) "
                                   "VALUES ('kept-static-4242', NULL, '[]', false)"))
        connection.execute(sa.text("INSERT INTO sbx_tenants (id, api, name, recipe, credentials, created_at, "
                                   "last_used_at) VALUES ('leasey-4242', 'leasey', 'Kept Co', :r, :c, "
                                   "'2099-01-01 00:00:00', '2099-01-01 00:00:00')"),  # (not idle)
                           {"r": '{"company_id": 4242, "seed": 1, "properties": 1, "leads": 1, "showings": 1}',
                            "c": f'{{"api_token": "{TOKEN}", "company_id": 4242, "password": "kept-pass-4242"}}'})
        connection.execute(sa.text("INSERT INTO sbx_snapshots (name, created_at, rows, data) "
                                   "VALUES ('old', '2026-06-01 00:00:00', 5, :d)"),
                           {"d": zlib.compress(pickle.dumps(snapshot))})
    store.engine.dispose()

    app = create_app({"DATABASE_URL": url, "NOW": FIXED_NOW})  # upgrades to the head, loads nothing over it
    with Store(url).engine.connect() as connection:
        tables = [connection.execute(sa.text(query)).scalar() for query in (
            "SELECT api_password FROM companies", "SELECT client_secret FROM trv_clients",
            "SELECT token FROM trv_tokens", "SELECT value FROM settings WHERE key = 'leasey_api_token'",
            "SELECT credentials FROM sbx_tenants")]
        stored = pickle.loads(zlib.decompress(connection.execute(sa.text("SELECT data FROM sbx_snapshots")).scalar()))
    text = repr((tables, stored))
    assert [value for value in clear if value in text] == []
    if engine == "sqlite":  # nor is one left in the file's free space (secure_delete) or its WAL
        files = b"".join(path.read_bytes() for path in tmp_path.glob("sandbox.db*"))
        assert [value for value in clear if value.encode() in files] == []
    assert tables[:3] == [digests.digest("kept-pass-4242", digests.COMPANY_PASSWORD),
                          digests.digest("kept-secret-4242", digests.CLIENT_SECRET),
                          digests.digest("kept-static-4242", digests.STATIC_TOKEN)]
    client = app.test_client()
    assert client.get("/leasey/reports/properties?company_id=4242", headers={
        "Authorization": f"Bearer {TOKEN}", "X-Company-Password": "kept-pass-4242"}).status_code == 200
    assert client.post("/travtus/oauth2/token", data={"client_id": "kept-client", "client_secret": "kept-secret-4242",
                                                      "grant_type": "client_credentials"}).status_code == 200
    assert client.post("/_sandbox/snapshots/old/restore").status_code == 200  # the rewritten snapshot restores
    assert client.get("/leasey/reports/properties?company_id=4242", headers={
        "Authorization": f"Bearer {TOKEN}", "X-Company-Password": "kept-pass-4242"}).status_code == 200


def test_a_database_made_before_migrations_is_taken_as_the_first_revision(tmp_path):
    url = _sqlite(tmp_path)
    store = Store(url)
    migrate.upgrade(store, migrate.BASELINE)
    with store.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE alembic_version"))  # as create_all() left it
    create_app({"DATABASE_URL": url, "NOW": FIXED_NOW})
    with Store(url).engine.connect() as connection:
        assert migrate.current(connection) == migrate.head()


def test_no_migrate_refuses_an_older_schema_with_the_command_to_run(tmp_path):
    url = _sqlite(tmp_path)
    migrate.upgrade(Store(url), migrate.BASELINE)
    with pytest.raises(migrate.SchemaBehind, match="mock-server db upgrade"):
        create_app({"DATABASE_URL": url, "AUTO_MIGRATE": False})


# -- health ----------------------------------------------------------------------------------------------------

@needs_postgres
def test_health_answers_503_with_the_reason_when_the_database_is_gone(tmp_path):
    url = postgres.database_url()
    mock = ServedMock(tmp_path, database_url=url, workers=1)
    try:
        assert requests.get(f"{mock.root}/_sandbox/health", timeout=10).json() == {"status": "ok"}
        name = url.rsplit("/", 1)[1]
        admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
        health = requests.get(f"{mock.root}/_sandbox/health", timeout=30)
        assert health.status_code == 503
        assert health.json()["status"] == "unavailable"
        assert health.json()["reason"].startswith("the database cannot be reached: ")
        report = requests.get(f"{mock.root}/leasey/reports/properties?company_id=123", headers=LEASEY, timeout=30)
        assert report.status_code == 500 and report.json()["error"] == "Internal Server Error"
    finally:
        mock.stop()


# -- two hosts, one state --------------------------------------------------------------------------------------

def _control(host: ServedMock, method: str, path: str, **kwargs):
    return requests.request(method, f"{host.root}/_sandbox{path}", timeout=30, **kwargs)


def _create(host: ServedMock, name: str):
    return requests.post(f"{host.root}/leasey/properties", headers=WRITE, timeout=60, json={
        "company_id": 123, "password": "sandbox-pass-123",
        "property": {"name": name, "address": "1 Shared Road", "city": "Toronto", "province_state": "ON",
                     "country": "Canada"}})


def _slugs(host: ServedMock) -> set[str]:
    rows = requests.get(f"{host.root}/leasey/reports/properties?company_id=123", headers=LEASEY, timeout=60).json()
    return {row["Property_URL_Slug"] for row in rows}


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    """Two sandbox processes (2 workers each, their own ports) started at the same moment on one empty
    PostgreSQL database."""
    if postgres.unavailable():
        pytest.skip(postgres.unavailable())
    url = postgres.database_url()
    started: list[ServedMock] = []
    errors: list[BaseException] = []

    def start(number: int) -> None:
        try:
            started.append(ServedMock(tmp_path_factory.mktemp(f"host{number}"), database_url=url, workers=2))
        except BaseException as failed:  # noqa: BLE001 - reported below
            errors.append(failed)

    threads = [threading.Thread(target=start, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    yield started, url
    for host in started:
        host.stop()


def test_two_hosts_starting_at_once_on_an_empty_database_create_the_schema_and_fixtures_once(hosts):
    (first, second), url = hosts
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM companies")).scalar() == 3
        assert connection.execute(sa.text("SELECT count(*) FROM properties WHERE company_id = 123")).scalar() == 34
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == migrate.head()
    engine.dispose()
    assert _slugs(first) == _slugs(second) and len(_slugs(first)) == 34


def test_a_write_through_one_host_is_read_through_the_other_at_once(hosts):
    (first, second), _ = hosts
    created = _create(first, "Written On Host One")
    assert created.status_code == 201
    assert created.json()["url_slug"] in _slugs(second)


def test_journal_clock_tenants_snapshots_and_resets_are_shared_by_the_hosts(hosts):
    (first, second), _ = hosts
    assert _control(first, "DELETE", "/journal").status_code == 204
    requests.get(f"{second.root}/leasey/reports/properties?company_id=123", headers=LEASEY, timeout=30)
    entries = _control(first, "GET", "/journal").json()["entries"]
    assert [e["path"] for e in entries] == ["/leasey/reports/properties"]

    assert _control(first, "PUT", "/clock", json={"now": "2031-02-03T04:05:06", "frozen": True}).status_code == 200
    assert _control(second, "GET", "/clock").json()["now"] == "2031-02-03T04:05:06"
    assert _control(second, "DELETE", "/clock").json()["frozen"] is False

    tenant = _control(first, "POST", "/tenants/leasey", json={}).json()
    company, password = tenant["credentials"]["company_id"], tenant["credentials"]["password"]
    seen = requests.get(f"{second.root}/leasey/reports/properties?company_id={company}", timeout=30,
                        headers={"Authorization": f"Bearer {TOKEN}", "X-Company-Password": password})
    assert seen.status_code == 200 and len(seen.json()) > 0

    assert _control(first, "POST", "/snapshots", json={"name": "two-hosts"}).status_code == 201
    made = _create(second, "Gone After Restore")
    assert made.status_code == 201
    assert _control(first, "POST", "/snapshots/two-hosts/restore").status_code == 200
    assert made.json()["url_slug"] not in _slugs(second)
    assert _control(second, "POST", "/reset").status_code == 200
    assert len(_slugs(first)) == 34


def test_a_next_3_fault_rule_fires_exactly_3_times_across_both_hosts(hosts):
    (first, second), _ = hosts
    rule = _control(first, "POST", "/faults", json={"match": {"api": "leasey", "path": "/leasey/reports/leads"},
                                                   "action": {"status": 503}, "times": 3}).json()
    try:
        def call(number: int) -> int:
            host = (first, second)[number % 2]
            return requests.get(f"{host.root}/leasey/reports/leads?company_id=123", headers=LEASEY,
                                timeout=60).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(call, range(16)))
        assert statuses.count(503) == 3 and statuses.count(200) == 13
    finally:
        _control(first, "DELETE", f"/faults/{rule['id']}")


def test_rate_limit_buckets_are_shared_by_both_hosts(tmp_path):
    if postgres.unavailable():
        pytest.skip(postgres.unavailable())
    url = postgres.database_url()
    limit = ("--travtus-rate-limit", "token=0.001/4")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = ServedMock(tmp_path / "a", database_url=url, workers=2, extra_args=limit)
    second = ServedMock(tmp_path / "b", database_url=url, workers=2, extra_args=limit)
    try:
        form = {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "grant_type": "client_credentials"}
        statuses = [requests.post(f"{(first, second)[n % 2].root}/travtus/oauth2/token", data=form,
                                  timeout=30).status_code for n in range(8)]
        assert statuses.count(200) == 4 and statuses.count(429) == 4, statuses
    finally:
        first.stop()
        second.stop()


def test_32_writers_across_both_hosts_for_30_seconds_lose_nothing_and_get_no_5xx(hosts):
    (first, second), _ = hosts
    acknowledged: list[str] = []
    failures: list[tuple[int, str]] = []
    lock = threading.Lock()
    stop = time.monotonic() + 30

    def writer(number: int) -> None:
        host = (first, second)[number % 2]
        session = requests.Session()
        count = 0
        while time.monotonic() < stop:
            count += 1
            response = session.post(f"{host.root}/leasey/properties", headers=WRITE, timeout=60, json={
                "company_id": 123, "password": "sandbox-pass-123", "property": {
                    "name": f"Writer {number} Listing {count}", "address": "2 Busy Road", "city": "Toronto",
                    "province_state": "ON", "country": "Canada"}})
            with lock:
                if response.status_code == 201:
                    acknowledged.append(response.json()["url_slug"])
                else:
                    failures.append((response.status_code, response.text[:200]))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"32 writers, 30 s, two hosts: {len(acknowledged)} acknowledged writes, {len(failures)} failures")
    assert failures == []
    assert len(acknowledged) > 100
    assert set(acknowledged) <= _slugs(second) and set(acknowledged) <= _slugs(first)
