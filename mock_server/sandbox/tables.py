"""The control API's own tables: kept apart from the partner APIs' data, so a reset or a restore never touches them."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Float, Integer, LargeBinary, MetaData, Table, Text

control_metadata = MetaData()

journal = Table(
    "sbx_journal", control_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("api", Text, nullable=False),
    Column("method", Text, nullable=False),
    Column("path", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("company_id", Integer, nullable=True),
    Column("client_id", Text, nullable=True),
    Column("entry", JSON, nullable=False),  # the whole masked entry as the API shows it
    # When the request finished (ns since the epoch): the order entries are listed in. Each process writes its
    # entries in batches, so the ids follow the order of the writes, not of the requests.
    Column("finished_ns", BigInteger, nullable=True, index=True),
    sqlite_autoincrement=True,  # ids only grow, even after a clear: the newest `capacity` are kept
)

faults = Table(
    "sbx_faults", control_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("match", JSON, nullable=False),
    Column("action", JSON, nullable=False),
    Column("times", Integer, nullable=True),
    Column("remaining", Integer, nullable=True),  # None: always
    Column("probability", Float, nullable=False),
    Column("fired", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False),
    sqlite_autoincrement=True,
)

snapshots = Table(
    "sbx_snapshots", control_metadata,
    Column("name", Text, primary_key=True),
    Column("created_at", DateTime, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),  # zlib-compressed pickle of {table: [row tuples]}
)

tenants = Table(
    "sbx_tenants", control_metadata,
    Column("id", Text, primary_key=True),
    Column("api", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("recipe", JSON, nullable=False),  # what re-creates it: the seed and sizes (used by reset)
    Column("credentials", JSON, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime, nullable=False),
)
