"""The database: engine, tables and transactions (SQLAlchemy 2 Core).

One SQLite file (WAL mode, busy timeout) is shared by every server process; any SQLAlchemy URL works
for a shared deployment. Reports are computed from these normalized tables by query, never stored twice.
"""

from __future__ import annotations

import json
import os
import threading
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    select,
    update,
)
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import Delete, Insert, Update

from . import digests
from .digests import Digest

metadata = MetaData()

settings = Table(
    "settings", metadata,
    Column("key", Text, primary_key=True),
    Column("value", JSON, nullable=True),
)

# One row: a number every change to what the processes hold in memory (settings, fault rules, companies and
# their admins, Travtus clients, groups and tokens, tenants) bumps in the same transaction (see Store).
runtime_metadata = MetaData()  # apart from `metadata`: resets, snapshots and fixture loads never touch it
state_version = Table(
    "sbx_state_version", runtime_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", Integer, nullable=False),
)

# Travtus rate-limit token buckets (mock_server/travtus/ratelimit.py): runtime state every worker shares.
rate_buckets = Table(
    "sbx_rate_buckets", runtime_metadata,
    Column("kind", Text, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated", Float, nullable=False),  # Unix time of the last refill
)

# --- Leasey -----------------------------------------------------------------------------------

companies = Table(
    "companies", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("api_password", Digest(digests.COMPANY_PASSWORD), nullable=False),  # never the value (digests.py)
    Column("country", Text, nullable=False, default="Canada"),
    Column("daily_rate", Float, nullable=False, default=0.0),
    Column("market_rent_enabled", Boolean, nullable=False, default=False),
    Column("use_custom_application_link", Boolean, nullable=False, default=False),
    Column("rental_application_url", Text, nullable=True),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id"), nullable=False, index=True),
    Column("person_id", Integer, nullable=True),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("phone", Text, nullable=True),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("is_primary_admin", Boolean, nullable=False, default=False),
)

roles = Table(
    "roles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
)

team_members = Table(
    "team_members", metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id"), nullable=False, index=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("person_id", Integer, nullable=False),
    Column("email", Text, nullable=False),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("role_id", Integer, nullable=True),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("timezone", Text, nullable=True),
    UniqueConstraint("company_id", "email"),
)

buildings = Table(
    "buildings", metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("number_of_units", Integer, nullable=True),
)

building_amenities = Table(
    "building_amenities", metadata,
    Column("building_id", ForeignKey("buildings.id"), primary_key=True),
    Column("amenity_id", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)

floorplans = Table(
    "floorplans", metadata,
    Column("id", Integer, primary_key=True),
    Column("building_id", ForeignKey("buildings.id"), nullable=False, index=True),
    Column("bedrooms", Float, nullable=False),
    Column("bathrooms", Float, nullable=False),
    UniqueConstraint("building_id", "bedrooms", "bathrooms"),
)

properties = Table(
    "properties", metadata,
    Column("id", Integer, primary_key=True),
    Column("uuid", Text, nullable=False, unique=True),
    Column("unit_id", Integer, nullable=False),
    Column("company_id", ForeignKey("companies.id"), nullable=False, index=True),
    Column("building_id", ForeignKey("buildings.id"), nullable=True, index=True),
    Column("floorplan_id", ForeignKey("floorplans.id"), nullable=True),
    Column("owner_user_id", ForeignKey("users.id"), nullable=True),
    Column("slug", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("suite_unit", Text, nullable=True),
    Column("address", Text, nullable=False),
    Column("city", Text, nullable=False),
    Column("province_state", Text, nullable=False),
    Column("country", Text, nullable=False),
    Column("postal_code", Text, nullable=True),
    Column("description", Text, nullable=True),
    Column("date_available", Date, nullable=True),
    Column("rent_amount", Float, nullable=False, default=0),
    Column("rent_market", Float, nullable=True),
    Column("security_deposit", Float, nullable=False, default=0),
    Column("rent_payment_frequency", Text, nullable=False),
    Column("renewal_frequency", Text, nullable=False),
    Column("unit_type", Text, nullable=False),
    Column("rental_space", Text, nullable=False),
    Column("bedrooms", Float, nullable=False, default=0),
    Column("bathrooms", Float, nullable=False, default=0),
    Column("size_sqft", Integer, nullable=False, default=0),
    Column("max_occupancy", Integer, nullable=False, default=0),
    Column("parking_stalls", Integer, nullable=True),
    Column("furnishing", Integer, nullable=False, default=2),
    Column("storage_available", Integer, nullable=False, default=2),
    Column("rental_application_url", Text, nullable=True),
    Column("contact_first_name", Text, nullable=True),
    Column("contact_last_name", Text, nullable=True),
    Column("contact_email", Text, nullable=True),
    Column("contact_phone", Text, nullable=True),
    Column("contact_dial_code", Text, nullable=True),
    Column("contact_notify_email", Boolean, nullable=True),
    Column("contact_notify_sms", Boolean, nullable=True),
    Column("status", Text, nullable=False, default="Active"),
    Column("marketing_start", Date, nullable=True),
    Column("marketing_end", Date, nullable=True),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    UniqueConstraint("company_id", "slug"),
)

property_features = Table(
    "property_features", metadata,
    Column("property_id", ForeignKey("properties.id"), primary_key=True),
    Column("feature_id", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)

property_restrictions = Table(
    "property_restrictions", metadata,
    Column("property_id", ForeignKey("properties.id"), primary_key=True),
    Column("restriction_id", Integer, primary_key=True),
)

property_photos = Table(
    "property_photos", metadata,
    Column("property_id", ForeignKey("properties.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("url", Text, nullable=False),
)

property_team_members = Table(
    "property_team_members", metadata,
    Column("property_id", ForeignKey("properties.id"), primary_key=True),
    Column("team_member_id", ForeignKey("team_members.id"), primary_key=True),
)

property_marketplaces = Table(
    "property_marketplaces", metadata,
    Column("property_id", ForeignKey("properties.id"), primary_key=True),
    Column("marketplace", Text, primary_key=True),
    Column("enabled", Boolean, nullable=False),
)

billing_items = Table(
    "billing_items", metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id"), nullable=False, index=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False),
    Column("marketplace", Text, nullable=False),
    Column("daily_rate", Float, nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("property_id", "marketplace"),
)

persons = Table(
    "persons", metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id"), nullable=False, index=True),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("email", Text, nullable=True),
    Column("phone", Text, nullable=True),
)

leads = Table(
    "leads", metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id"), nullable=False),
    Column("property_id", ForeignKey("properties.id"), nullable=False, index=True),
    Column("person_id", ForeignKey("persons.id"), nullable=False),
    Column("source", Text, nullable=False),
    Column("note", Text, nullable=True),
    Column("created_at", DateTime, nullable=False),
    Index("ix_leads_company_created", "company_id", "created_at"),
)

applications = Table(
    "applications", metadata,
    Column("id", Integer, primary_key=True),
    Column("lead_id", ForeignKey("leads.id"), nullable=False, unique=True),
    Column("applicant_id", Integer, nullable=False),
    Column("status", Text, nullable=False),
    Column("rating", Integer, nullable=True),
    Column("tenancy_application_status", Text, nullable=True),
    Column("approval_status", Text, nullable=True),
    Column("sent_at", DateTime, nullable=True),
    Column("received_at", DateTime, nullable=True),
)

showings = Table(
    "showings", metadata,
    Column("id", Integer, primary_key=True),
    Column("company_id", ForeignKey("companies.id"), nullable=False),
    Column("property_id", ForeignKey("properties.id"), nullable=False, index=True),
    Column("lead_id", ForeignKey("leads.id"), nullable=True),
    Column("team_member_id", ForeignKey("team_members.id"), nullable=False),
    Column("starts_at", DateTime, nullable=False),
    Column("ends_at", DateTime, nullable=False),
    Column("status", Text, nullable=False),
    Column("feedback", Text, nullable=True),
    Index("ix_showings_company_start", "company_id", "starts_at"),
)

leases = Table(
    "leases", metadata,
    Column("id", Integer, primary_key=True),
    Column("property_id", ForeignKey("properties.id"), nullable=False, index=True),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
)

# --- Travtus ----------------------------------------------------------------------------------

trv_clients = Table(
    "trv_clients", metadata,
    Column("client_id", Text, primary_key=True),
    Column("client_secret", Digest(digests.CLIENT_SECRET), nullable=False),
    Column("name", Text, nullable=False),
)

trv_groups = Table(
    "trv_groups", metadata,
    Column("id", Text, primary_key=True),
    Column("external_ref", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("client_id", ForeignKey("trv_clients.client_id"), nullable=True, index=True),
)

# A static sandbox bearer token (its digest) and the groups it may read. Issued tokens are signed, not stored.
trv_tokens = Table(
    "trv_tokens", metadata,
    Column("token", Digest(digests.STATIC_TOKEN), primary_key=True),
    Column("client_id", ForeignKey("trv_clients.client_id"), nullable=True),
    Column("group_ids", JSON, nullable=False),
    Column("expires_at", DateTime, nullable=True),  # None: never expires
    Column("always_expired", Boolean, nullable=False, default=False),
)

trv_units = Table(
    "trv_units", metadata,
    Column("id", Text, primary_key=True),
    Column("group_id", ForeignKey("trv_groups.id"), nullable=False, index=True),
    Column("external_ref", Text, nullable=True, index=True),
    Column("unit_number", Text, nullable=True),
    Column("building_name", Text, nullable=True),
    Column("address_line_1", Text, nullable=True),
    Column("address_line_2", Text, nullable=True),
    Column("city", Text, nullable=True),
    Column("state", Text, nullable=True),
    Column("country", Text, nullable=True),
    Column("postal_code", Text, nullable=True),
    Column("latitude", Float, nullable=True),
    Column("longitude", Float, nullable=True),
)

trv_persons = Table(
    "trv_persons", metadata,
    Column("id", Text, primary_key=True),
    Column("group_id", ForeignKey("trv_groups.id"), nullable=True),
    Column("external_ref", Text, nullable=True),
    Column("first_name", Text, nullable=True),
    Column("last_name", Text, nullable=True),
    Column("email_address", Text, nullable=True),
    Column("phone_number", Text, nullable=True),
    Column("is_landlord", Boolean, nullable=False, default=False),
)

# seq: the stable, ever-increasing order that keyset pagination walks.
trv_leases = Table(
    "trv_leases", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("identifier", Text, nullable=False, unique=True),
    Column("group_id", ForeignKey("trv_groups.id"), nullable=False),
    Column("unit_id", ForeignKey("trv_units.id"), nullable=False, index=True),
    Column("landlord_id", ForeignKey("trv_persons.id"), nullable=True),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=True),
    Column("move_in_date", Date, nullable=True),
    Column("is_furnished", Boolean, nullable=False, default=False),
    Column("minimum_days_notice", Integer, nullable=False, default=30),
    Column("deposit", Float, nullable=False, default=0),
    Column("rent", Float, nullable=False, default=0),
    Index("ix_trv_leases_group_seq", "group_id", "seq"),
    Index("ix_trv_leases_start", "start_date"),
    sqlite_autoincrement=True,  # a seq is never reused, even after a delete: cursors never skip a new lease
)

trv_lease_tenants = Table(
    "trv_lease_tenants", metadata,
    Column("lease_seq", ForeignKey("trv_leases.seq"), primary_key=True),
    Column("person_id", ForeignKey("trv_persons.id"), primary_key=True),
    Column("position", Integer, nullable=False, default=0),
)


# Writes to these tables change what every process holds in memory: each such statement bumps the version.
# Insert-only exceptions: a newly issued Travtus token is not in any cache (misses are never cached); an
# Update of a fault rule is its fire count (the rule itself is unchanged; exhausting one bumps, see Faults);
# an Update of a tenant is its last use.
_VERSIONED = {"settings": (Insert, Update, Delete), "companies": (Insert, Update, Delete),
              "users": (Insert, Update, Delete), "trv_clients": (Insert, Update, Delete),
              "trv_groups": (Insert, Update, Delete), "trv_tokens": (Update, Delete),
              "sbx_faults": (Insert, Delete), "sbx_tenants": (Insert, Delete)}
_BUMP = update(state_version).where(state_version.c.id == 1).values(version=state_version.c.version + 1)
_VERSION = select(state_version.c.version).where(state_version.c.id == 1)
_VERSION_SQL = "SELECT version FROM sbx_state_version WHERE id = 1"
WRITE_LOCK_KEY = 72_011_2027  # pg_advisory_xact_lock's key of the sandbox's write transactions
_SETTINGS = select(settings.c.key, settings.c.value)


@dataclass
class Snapshot:
    """What a process holds of the rarely changing state, valid while the shared version is `version`:
    the settings, and whatever else was looked up under this version (`memo`)."""

    version: int
    settings: dict[str, Any]
    memos: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def memo(self, key, load):
        """`load()` once per version (a None result is not kept: it may exist by the next request)."""
        try:
            return self.memos[key]
        except KeyError:
            value = load()
            if value is not None:
                with self.lock:
                    self.memos[key] = value
            return value


_LAZY: Any = object()  # pinned, not read yet
_pinned: ContextVar[Snapshot | None] = ContextVar("sandbox_snapshot", default=None)


class Store:
    """An engine plus the tables; `begin()` is one transaction; `snapshot()` the cached rarely-changing state."""

    def __init__(self, url: str):
        self.url = url
        self.in_memory = url in ("sqlite://", "sqlite:///:memory:")
        json_options = {"json_serializer": _dump_json, "json_deserializer": orjson.loads}
        if self.in_memory:
            # One shared connection so every thread sees the same in-memory database; the lock lets one
            # thread at a time use it.
            self.engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False},
                                        **json_options)
        elif url.startswith("sqlite"):
            self.engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **json_options)
        else:
            # A host that cannot reach its database says so within seconds (health, requests), never hangs.
            self.engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5},
                                        pool_size=10, max_overflow=20, **json_options)
        self._memory_lock = threading.RLock() if self.in_memory else None
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        event.listen(self.engine, "after_execute", _bump_version_on_change)
        if self.engine.dialect.name == "postgresql":
            event.listen(self.engine, "after_execute", _advance_sequence_past_explicit_ids)
        self._snapshot: Snapshot | None = None
        self._snapshot_lock = threading.Lock()
        self._local = threading.local()
        self._serialise_writes = self.engine.dialect.name == "postgresql"

    def create_all(self) -> None:
        """The partner tables and the state version, without migrations (tests of one part; the sandbox's own
        start-up goes through mock_server/migrate.py)."""
        metadata.create_all(self.engine)
        runtime_metadata.create_all(self.engine)
        self.ensure_version_row()

    def ensure_version_row(self) -> None:
        with self.begin() as connection:
            if connection.execute(_VERSION).first() is None:
                connection.execute(state_version.insert().values(id=1, version=1))

    def drop_all(self) -> None:
        metadata.drop_all(self.engine)

    def _guard(self):
        return self._memory_lock if self._memory_lock is not None else nullcontext()

    @contextmanager
    def begin(self):
        """One write transaction. On SQLite it takes the write lock first (BEGIN IMMEDIATE): a transaction
        that read and only then tried to write would fail at once if another process wrote in between,
        instead of waiting its turn (concurrent creates answered 500)."""
        with self._guard(), self.engine.connect() as connection:
            with connection.execution_options(sqlite_immediate=True).begin():
                if self._serialise_writes:
                    # PostgreSQL: the same one-writer-at-a-time as SQLite's write lock, across every host (a
                    # create that reads the taken slugs and then writes one must not race another).
                    connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                yield connection

    @contextmanager
    def connect(self):
        """Reads in one transaction: every statement sees the same state."""
        with self._guard(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def read(self):
        """Reads of one statement each (a report, a page): on SQLite no BEGIN and no ROLLBACK around them, the
        statement is its own transaction."""
        with self._guard(), self.engine.connect() as connection:
            yield connection.execution_options(sqlite_single_statement=True)

    def is_empty(self) -> bool:
        with self.connect() as connection:
            return connection.execute(select(companies.c.id).limit(1)).first() is None

    def get_setting(self, key: str, default=None):
        with self.connect() as connection:
            row = connection.execute(select(settings.c.value).where(settings.c.key == key)).first()
        return default if row is None else row.value

    def set_setting(self, key: str, value) -> None:
        with self.begin() as connection:
            connection.execute(settings.delete().where(settings.c.key == key))
            connection.execute(settings.insert().values(key=key, value=value))

    # -- the rarely changing state, held per process ---------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The state as of now: the request's pinned one inside a request, else checked against the shared
        version (one indexed read) and reloaded when another process (or this one) changed it."""
        pinned = _pinned.get()
        if pinned is _LAZY:  # a request's first look: read it now and keep it for the rest of the request
            pinned = self._load_snapshot()
            _pinned.set(pinned)
        if pinned is not None:
            return pinned
        return self._load_snapshot()

    def _load_snapshot(self) -> Snapshot:
        version = self.version()
        current = self._snapshot
        if current is not None and current.version == version:
            return current
        with self.read() as connection:
            loaded = Snapshot(version=version or 0, settings=dict(connection.execute(_SETTINGS).all()))
        with self._snapshot_lock:
            if self._snapshot is None or self._snapshot.version <= loaded.version:
                self._snapshot = loaded
        return loaded

    def version(self) -> int | None:
        """The shared version: one indexed read on this thread's own driver connection (no pool, no
        transaction: a few microseconds on SQLite), or through the pool for an in-memory database."""
        if self.in_memory:
            with self.read() as connection:
                return connection.execute(_VERSION).scalar()
        reader = getattr(self._local, "reader", None)
        if reader is None or self._local.pid != os.getpid():
            raw = self.engine.raw_connection()
            raw.detach()  # this thread's for good; not a pool connection a request could wait for
            self._local.reader, self._local.pid = raw, os.getpid()
            reader = raw
        try:
            cursor = reader.cursor()
            cursor.execute(_VERSION_SQL)
            row = cursor.fetchone()
            cursor.close()
            if not self.url.startswith("sqlite"):
                reader.rollback()  # end the read: the next one must see newer versions
            return row[0] if row else None
        except Exception:
            self._local.reader = None  # a broken connection: the next read opens a new one
            raise

    def cached_setting(self, key: str, default=None):
        return self.snapshot().settings.get(key, default)

    @contextmanager
    def pinned(self):
        """Inside: every snapshot() is the one read the first time one is asked for (one version read per
        request, and none for a request that needs no state)."""
        token = _pinned.set(_LAZY)
        try:
            yield
        finally:
            _pinned.reset(token)

    def repin(self) -> None:
        """After a change inside a pinned request (a clock move): read the new state for the rest of it."""
        if _pinned.get() is not None:
            _pinned.set(_LAZY)

    @staticmethod
    def bump(connection) -> None:
        """Every process drops what it holds of the state (for changes the statement rule does not see)."""
        connection.execute(_BUMP)


def _dump_json(value) -> str:
    """JSON columns (journal entries, snapshots' settings) written by orjson; what it cannot (an integer past
    64 bits, a NaN) by the standard library, as before."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return json.dumps(value)


def _bump_version_on_change(connection, clauseelement, multiparams, params, execution_options, result) -> None:
    kinds = _VERSIONED.get(getattr(getattr(clauseelement, "table", None), "name", None))
    if kinds is not None and isinstance(clauseelement, kinds):
        connection.execute(_BUMP)


def _advance_sequence_past_explicit_ids(connection, clauseelement, multiparams, params, execution_options,
                                        result) -> None:
    """PostgreSQL: an insert that gave a serial key explicitly (fixtures, restores, tenants, generated data)
    leaves the key's sequence behind; the next insert without one would take a used key. Move it past them
    (SQLite takes the next key from the table itself)."""
    if not isinstance(clauseelement, Insert):
        return
    table = clauseelement.table
    key = table.autoincrement_column if isinstance(table, Table) else None
    if key is None:
        return
    first = multiparams[0] if multiparams else params
    given = first[0] if isinstance(first, list | tuple) and first else first
    explicit = (isinstance(given, dict) and key.key in given) or key.key in (clauseelement._values or {})
    if explicit:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key.name}'), "
            f"GREATEST((SELECT MAX({key.name}) FROM {table.name}), 1))")


def _sqlite_begin(connection) -> None:
    """SQLAlchemy's recipe for pysqlite: the driver's own BEGIN is off (see _sqlite_pragmas); this one is ours."""
    options = connection.get_execution_options()
    if options.get("sqlite_single_statement"):
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate") else "BEGIN")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # the driver emits no BEGIN: _sqlite_begin does
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # A WAL that a checkpoint emptied is cut back to 64 MiB (SQLite keeps its largest size otherwise); the journal
    # writer checkpoints and truncates it when idle (mock_server/sandbox/journal.py, WalCheckpoints).
    cursor.execute("PRAGMA journal_size_limit=67108864")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()

