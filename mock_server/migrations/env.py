"""Alembic's environment for the sandbox's schema: run by mock_server/migrate.py on the connection it gives."""

from __future__ import annotations

from alembic import context

from mock_server.migrate import target_metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=target_metadata(),
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
