"""The shared state version (one row every process checks per request), and text columns without a length:
every string the API accepts or issues fits (a Travtus token is 468 characters; names have no documented limit).

SQLite never enforced the lengths (TEXT affinity): there only the new table is created.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, column, former length, nullable)
BOUNDED = [
    ("companies", "name", 200, False),
    ("companies", "api_password", 200, False),
    ("companies", "country", 100, False),
    ("roles", "name", 100, False),
    ("sbx_journal", "api", 20, False),
    ("sbx_journal", "method", 10, False),
    ("sbx_journal", "path", 2000, False),
    ("sbx_journal", "client_id", 100, True),
    ("sbx_rate_buckets", "kind", 20, False),
    ("sbx_rate_buckets", "key", 300, False),
    ("sbx_snapshots", "name", 64, False),
    ("sbx_tenants", "id", 120, False),
    ("sbx_tenants", "api", 20, False),
    ("sbx_tenants", "name", 200, False),
    ("settings", "key", 64, False),
    ("trv_clients", "client_id", 100, False),
    ("trv_clients", "client_secret", 200, False),
    ("trv_clients", "name", 200, False),
    ("buildings", "name", 200, False),
    ("persons", "first_name", 100, False),
    ("persons", "last_name", 100, False),
    ("persons", "email", 200, True),
    ("persons", "phone", 40, True),
    ("trv_groups", "id", 64, False),
    ("trv_groups", "external_ref", 100, False),
    ("trv_groups", "name", 200, False),
    ("trv_groups", "client_id", 100, True),
    ("trv_tokens", "token", 200, False),
    ("trv_tokens", "client_id", 100, True),
    ("users", "first_name", 100, False),
    ("users", "last_name", 100, False),
    ("users", "email", 200, False),
    ("users", "phone", 40, True),
    ("team_members", "email", 200, False),
    ("team_members", "first_name", 100, False),
    ("team_members", "last_name", 100, False),
    ("team_members", "timezone", 64, True),
    ("trv_persons", "id", 64, False),
    ("trv_persons", "group_id", 64, True),
    ("trv_persons", "external_ref", 100, True),
    ("trv_persons", "first_name", 100, True),
    ("trv_persons", "last_name", 100, True),
    ("trv_persons", "email_address", 200, True),
    ("trv_persons", "phone_number", 40, True),
    ("trv_units", "id", 64, False),
    ("trv_units", "group_id", 64, False),
    ("trv_units", "external_ref", 100, True),
    ("trv_units", "unit_number", 40, True),
    ("trv_units", "building_name", 200, True),
    ("trv_units", "address_line_1", 200, True),
    ("trv_units", "address_line_2", 200, True),
    ("trv_units", "city", 100, True),
    ("trv_units", "state", 100, True),
    ("trv_units", "country", 100, True),
    ("trv_units", "postal_code", 20, True),
    ("properties", "uuid", 36, False),
    ("properties", "slug", 300, False),
    ("properties", "name", 300, False),
    ("properties", "suite_unit", 100, True),
    ("properties", "address", 300, False),
    ("properties", "city", 200, False),
    ("properties", "province_state", 200, False),
    ("properties", "country", 200, False),
    ("properties", "postal_code", 40, True),
    ("properties", "rent_payment_frequency", 40, False),
    ("properties", "renewal_frequency", 60, False),
    ("properties", "unit_type", 40, False),
    ("properties", "rental_space", 40, False),
    ("properties", "contact_first_name", 100, True),
    ("properties", "contact_last_name", 100, True),
    ("properties", "contact_email", 200, True),
    ("properties", "contact_phone", 40, True),
    ("properties", "contact_dial_code", 8, True),
    ("properties", "status", 20, False),
    ("trv_leases", "identifier", 64, False),
    ("trv_leases", "group_id", 64, False),
    ("trv_leases", "unit_id", 64, False),
    ("trv_leases", "landlord_id", 64, True),
    ("billing_items", "marketplace", 40, False),
    ("leads", "source", 60, False),
    ("property_marketplaces", "marketplace", 40, False),
    ("trv_lease_tenants", "person_id", 64, False),
    ("applications", "status", 60, False),
    ("applications", "tenancy_application_status", 60, True),
    ("applications", "approval_status", 60, True),
    ("showings", "status", 40, False),
]


def upgrade() -> None:
    if not sa.inspect(op.get_bind()).has_table("sbx_state_version"):  # (a pre-release build made it already)
        table = op.create_table(
            "sbx_state_version",
            sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.bulk_insert(table, [{"id": 1, "version": 1}])
    if op.get_bind().dialect.name != "sqlite":
        for name, column, length, nullable in BOUNDED:
            op.alter_column(name, column, type_=sa.Text(), existing_type=sa.String(length), existing_nullable=nullable)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for name, column, length, nullable in BOUNDED:
            op.alter_column(name, column, type_=sa.String(length), existing_type=sa.Text(), existing_nullable=nullable)
    op.drop_table("sbx_state_version")
