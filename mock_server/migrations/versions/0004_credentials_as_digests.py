"""Credentials at rest as digests (mock_server/digests.py): company passwords, Travtus client secrets, static
Travtus tokens, the Leasey API token and tenants' credentials, in the tables and in every stored snapshot. Rate-limit
buckets keyed by a token in clear are dropped (a bucket is runtime state: it refills anyway).

One way: a digest cannot be turned back into its credential, so there is no downgrade.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import pickle
import zlib

import sqlalchemy as sa
from alembic import op

from mock_server import digests

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, key column, credential column, the credential's place in a snapshot's row tuples, purpose)
COLUMNS = [
    ("companies", "id", "api_password", 2, digests.COMPANY_PASSWORD),
    ("trv_clients", "client_id", "client_secret", 1, digests.CLIENT_SECRET),
    ("trv_tokens", "token", "token", 0, digests.STATIC_TOKEN),
]


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":  # the space a credential leaves is zeroed, not left in a free block
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
    for table, key, column, _position, purpose in COLUMNS:
        rows = connection.execute(sa.text(f"SELECT {key}, {column} FROM {table}")).all()  # noqa: S608 - names above
        for row_key, value in rows:
            if not digests.is_digest(value):
                connection.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE {key} = :key"),  # noqa: S608
                                   {"value": digests.digest(value, purpose), "key": row_key})
    settings = sa.table("settings", sa.column("key", sa.Text), sa.column("value", sa.JSON))
    token = connection.execute(sa.select(settings.c.value).where(settings.c.key == "leasey_api_token")).scalar()
    if token is not None:
        connection.execute(settings.update().where(settings.c.key == "leasey_api_token")
                           .values(value=_api_token(token)))
    tenants = sa.table("sbx_tenants", sa.column("id", sa.Text), sa.column("credentials", sa.JSON))
    for tenant_id, credentials in connection.execute(sa.select(tenants.c.id, tenants.c.credentials)).all():
        connection.execute(tenants.update().where(tenants.c.id == tenant_id)
                           .values(credentials=_tenant_credentials(credentials)))
    connection.execute(sa.text("DELETE FROM sbx_rate_buckets WHERE key LIKE 'token:%'"))
    for name, data in connection.execute(sa.text("SELECT name, data FROM sbx_snapshots")).all():
        content = pickle.loads(zlib.decompress(data))  # noqa: S301 - written by this server only
        connection.execute(sa.text("UPDATE sbx_snapshots SET data = :data WHERE name = :name"),
                           {"data": zlib.compress(pickle.dumps(_sealed(content), protocol=pickle.HIGHEST_PROTOCOL),
                                                  6), "name": name})


def downgrade() -> None:
    raise NotImplementedError("credentials stored as digests cannot be turned back into credentials")


def _api_token(stored):
    return stored if isinstance(stored, dict) else digests.api_token_setting(stored)


def _tenant_credentials(credentials: dict) -> dict:
    sealed = {key: value for key, value in credentials.items() if key != "api_token"}
    for key, purpose in (("password", digests.COMPANY_PASSWORD), ("client_secret", digests.CLIENT_SECRET)):
        if key in sealed:
            sealed[key] = digests.digest(sealed[key], purpose)
    return sealed


def _sealed(content: dict) -> dict:
    """A snapshot ({table: [row tuples in column order]}) with its credentials as digests."""
    for table, _key, _column, position, purpose in COLUMNS:
        content[table] = [(*row[:position], digests.digest(row[position], purpose), *row[position + 1:])
                          for row in content.get(table, [])]
    content["settings"] = [(key, _api_token(value) if key == "leasey_api_token" else value)
                           for key, value in content.get("settings", [])]
    if "sbx_tenants" in content:  # (id, api, name, recipe, credentials, created_at, last_used_at)
        content["sbx_tenants"] = [(*row[:4], _tenant_credentials(row[4]), *row[5:])
                                  for row in content["sbx_tenants"]]
    return content
