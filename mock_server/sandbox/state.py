"""Reset (everything, one Leasey company, one Travtus client) and named snapshots of the partner-API state."""

from __future__ import annotations

import pickle
import zlib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, insert, select

from .. import store as tables
from ..clock import Clock
from ..fixtures import load_fixtures
from ..leasey import fixtures as leasey_fixtures
from ..leasey.catalog import Catalog
from ..spec import Spec, load_yaml
from ..store import Store
from ..travtus import fixtures as travtus_fixtures
from ..travtus.models import revoke_tokens
from .tables import snapshots, tenants

CLOCK_KEY = "clock"  # the clock is not state: a reset or a restore keeps the time


class NotFound(LookupError):
    pass


class State:
    def __init__(self, store: Store, clock: Clock, fixture_dir: Path, spec_dir: Path, apis: tuple[str, ...]):
        self.store = store
        self.clock = clock
        self.fixture_dir = fixture_dir
        self.spec_dir = spec_dir
        self.apis = apis
        self._fixtures: dict[str, dict] = {}
        self._specs: dict[str, Spec] = {}

    def fixtures(self, api: str) -> dict:
        """The API's fixture file, parsed once per process (read-only: the loaders build rows from it)."""
        if api not in self._fixtures:
            path = self.fixture_dir / f"{api}.yaml"
            self._fixtures[api] = load_yaml(path.read_text()) if path.exists() else {}
        return self._fixtures[api]

    # -- reset ------------------------------------------------------------------------------------

    def reset_all(self) -> None:
        load_fixtures(self.store, self.clock, self.fixture_dir, self.spec_dir, self.apis)
        with self.store.begin() as connection:
            connection.execute(delete(tenants))

    def reset_leasey_company(self, company_id: int, tenant_company: dict | None = None) -> None:
        """Delete everything of one company and load it again: from the fixtures, or a tenant's recipe."""
        data = self.fixtures("leasey")
        company = tenant_company or next((c for c in data.get("companies", []) if c["id"] == company_id), None)
        if company is None:
            raise NotFound(f"Leasey company {company_id} is neither in the fixtures nor a tenant")
        now = self.clock.now()
        with self.store.begin() as connection:
            delete_leasey_company(connection, company_id)
            leasey_fixtures.load_company(connection, now, data, Catalog(self._spec("leasey")), company)

    def reset_travtus_fixtures(self) -> None:
        """Every Travtus row that no tenant owns (the fixture client, its groups, the static tokens) anew."""
        data = self.fixtures("travtus")
        now = self.clock.now()
        with self.store.begin() as connection:
            tenant_clients = select(tenants.c.id).where(tenants.c.api == "travtus")
            owned = select(tables.trv_groups.c.id).where(tables.trv_groups.c.client_id.not_in(tenant_clients) |
                                                    tables.trv_groups.c.client_id.is_(None))
            delete_travtus_groups(connection, owned)
            connection.execute(delete(tables.trv_tokens).where(tables.trv_tokens.c.client_id.not_in(tenant_clients) |
                                                          tables.trv_tokens.c.client_id.is_(None)))
            connection.execute(delete(tables.trv_persons).where(tables.trv_persons.c.group_id.is_(None)))
            connection.execute(delete(tables.trv_clients).where(tables.trv_clients.c.client_id.not_in(tenant_clients)))
            travtus_fixtures.load(connection, now, data, self._spec("travtus"))
            revoke_tokens(connection, [client["client_id"] for client in data.get("clients", [])])

    def travtus_fixture_clients(self) -> set[str]:
        return {client["client_id"] for client in self.fixtures("travtus").get("clients", [])}

    def _spec(self, api: str) -> Spec:
        if api not in self._specs:
            self._specs[api] = Spec(self.spec_dir / f"{api}.yaml")
        return self._specs[api]

    def billing_items(self, company_id: int | None = None, property_id: int | None = None) -> list[dict]:
        items = tables.billing_items
        query = select(items).order_by(items.c.created_at, items.c.id)
        if company_id is not None:
            query = query.where(items.c.company_id == company_id)
        if property_id is not None:
            query = query.where(items.c.property_id == property_id)
        with self.store.connect() as connection:
            # str(): the row's keys are SQLAlchemy quoted_name objects, which the compiled self-check refuses (a 500)
            return [{**{str(k): v for k, v in row._mapping.items()}, "created_at": row.created_at.isoformat()}
                    for row in connection.execute(query)]

    # -- snapshots --------------------------------------------------------------------------------

    def snapshot(self, name: str) -> dict:
        rows = 0
        content = {}
        with self.store.connect() as connection:
            for table in _state_tables():
                query = select(table)
                if table is tables.settings:
                    query = query.where(tables.settings.c.key != CLOCK_KEY)
                content[table.name] = [tuple(row) for row in connection.execute(query)]
                rows += len(content[table.name])
        data = zlib.compress(pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL), 6)
        created = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        with self.store.begin() as connection:
            connection.execute(delete(snapshots).where(snapshots.c.name == name))
            connection.execute(insert(snapshots).values(name=name, created_at=created, rows=rows, data=data))
        return {"name": name, "created_at": created.isoformat() + "Z", "rows": rows}

    def restore(self, name: str) -> dict:
        with self.store.begin() as connection:
            row = connection.execute(select(snapshots).where(snapshots.c.name == name)).first()
            if row is None:
                raise NotFound(f"No snapshot named {name}")
            content = pickle.loads(zlib.decompress(row.data))  # noqa: S301 - written by this server only
            ordered = _state_tables()
            for table in reversed(ordered):
                query = delete(table)
                if table is tables.settings:
                    query = query.where(tables.settings.c.key != CLOCK_KEY)
                connection.execute(query)
            for table in ordered:
                records = content.get(table.name, [])
                columns = [column.name for column in table.columns]
                for start in range(0, len(records), 5000):
                    connection.execute(insert(table), [dict(zip(columns, record, strict=True))
                                                       for record in records[start:start + 5000]])
        return {"name": row.name, "created_at": row.created_at.isoformat() + "Z", "rows": row.rows}

    def snapshots(self) -> list[dict]:
        with self.store.connect() as connection:
            return [{"name": row.name, "created_at": row.created_at.isoformat() + "Z", "rows": row.rows}
                    for row in connection.execute(select(snapshots.c.name, snapshots.c.created_at, snapshots.c.rows)
                                                  .order_by(snapshots.c.created_at, snapshots.c.name))]

    def forget(self, name: str) -> bool:
        with self.store.begin() as connection:
            return connection.execute(delete(snapshots).where(snapshots.c.name == name)).rowcount > 0


def _state_tables() -> list:
    """Every partner-API table, parents first, and the tenant registry (a restore brings tenants back too)."""
    return [*tables.metadata.sorted_tables, tenants]


def delete_leasey_company(connection, company_id: int) -> None:
    """Every row that belongs to the company, children first: found through company_id or a parent that has it."""
    for table in reversed(tables.metadata.sorted_tables):
        condition = _owned_by_company(table, company_id)
        if condition is not None:
            connection.execute(delete(table).where(condition))


def _owned_by_company(table, company_id: int):
    if table is tables.companies:
        return tables.companies.c.id == company_id
    if "company_id" in table.c:
        return table.c.company_id == company_id
    for column in table.columns:
        for key in column.foreign_keys:
            parent = key.column.table
            if parent is not tables.companies and "company_id" in parent.c:
                return column.in_(select(key.column).where(parent.c.company_id == company_id))
    return None


def delete_travtus_groups(connection, group_ids) -> None:
    """Groups (a list or a subquery of ids) with their leases, tenancies, units and people."""
    leases = select(tables.trv_leases.c.seq).where(tables.trv_leases.c.group_id.in_(group_ids))
    connection.execute(delete(tables.trv_lease_tenants).where(tables.trv_lease_tenants.c.lease_seq.in_(leases)))
    connection.execute(delete(tables.trv_leases).where(tables.trv_leases.c.group_id.in_(group_ids)))
    connection.execute(delete(tables.trv_units).where(tables.trv_units.c.group_id.in_(group_ids)))
    connection.execute(delete(tables.trv_persons).where(tables.trv_persons.c.group_id.in_(group_ids)))
    connection.execute(delete(tables.trv_groups).where(tables.trv_groups.c.id.in_(group_ids)))


def next_lease_seq(connection) -> int:
    return (connection.execute(select(func.max(tables.trv_leases.c.seq))).scalar() or 0) + 1
