"""The journal's order: when each request finished (entries are written in batches, so ids follow the writes).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sbx_journal") as batch:
        batch.add_column(sa.Column("finished_ns", sa.BigInteger(), nullable=True))
        batch.create_index("ix_sbx_journal_finished_ns", ["finished_ns"])


def downgrade() -> None:
    with op.batch_alter_table("sbx_journal") as batch:
        batch.drop_index("ix_sbx_journal_finished_ns")
        batch.drop_column("finished_ns")
