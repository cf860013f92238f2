"""Schema migrations (Alembic, mock_server/migrations/): the database is created and upgraded by them, so a
long-lived shared database survives a new sandbox version.

`prepare()` is what start-up runs: under one lock shared by every process and host on the database (a
PostgreSQL advisory lock; for a SQLite file, a lock file beside it), upgrade to the newest revision (unless
told not to) and load the fixtures into an empty database, so hosts starting at the same moment on an empty
database create the schema and load the fixtures once. A database made before migrations existed (tables, no
alembic_version) is recognised as the first revision.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import MetaData, inspect, text

from .store import Store, metadata, runtime_metadata

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"  # the schema create_all() made before migrations
HEAD = "0004"  # the newest revision (tests/test_postgres.py checks it is Alembic's head): a start on a database
# already there reads alembic_version and never imports Alembic (a quarter of a second of start-up)
_ADVISORY_KEY = 72_011_2026  # pg_advisory_lock's key: "the sandbox's schema and fixtures"


class SchemaBehind(RuntimeError):
    pass


def target_metadata() -> MetaData:
    """Every table the sandbox has, in one MetaData (what autogenerate compares with)."""
    from .sandbox.tables import control_metadata

    combined = MetaData()
    for part in (metadata, control_metadata, runtime_metadata):
        for table in part.tables.values():
            table.to_metadata(combined)
    return combined


def _config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config(None)).get_current_head()


def current(connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(store: Store, revision: str = "head") -> str:
    """Bring the schema to `revision`; returns the revision it is at."""
    if revision in ("head", HEAD):
        with store.engine.connect() as connection:
            if current(connection) == HEAD:
                return HEAD
    from alembic import command

    with store.engine.begin() as connection:
        if current(connection) is None and inspect(connection).has_table("companies"):
            command.stamp(_config(connection), BASELINE)  # made by create_all() before migrations
        command.upgrade(_config(connection), revision)
        reached = current(connection)
    if store.engine.dialect.name == "sqlite" and not store.in_memory:
        # The upgraded pages into the file now: what a revision rewrote (0004's credentials) is not left in the
        # file's old pages until some later checkpoint.
        with store.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return reached


@contextmanager
def exclusive(store: Store):
    """One process at a time, across processes and hosts on this database."""
    if store.in_memory:
        yield
        return
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
                connection.commit()
        return
    database = store.engine.url.database
    if store.engine.dialect.name != "sqlite" or not database:
        yield
        return
    with open(f"{database}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def prepare(store: Store, auto: bool, load_if: Callable[[], bool], load: Callable[[], None]) -> None:
    """Start-up: the schema at the newest revision (upgraded when `auto`, else checked), then `load()` when
    `load_if()` says so, all under the database's lock."""
    with exclusive(store):
        if auto:
            upgrade(store)
        else:
            with store.engine.connect() as connection:
                at = current(connection)
            if at != HEAD:
                raise SchemaBehind(f"the database's schema is at revision {at or 'none'}, this sandbox needs "
                                   f"{HEAD}: run `mock-server db upgrade` (or start without --no-migrate)")
        store.ensure_version_row()
        if load_if():
            load()
