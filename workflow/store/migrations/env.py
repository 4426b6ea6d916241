"""Alembic's entry point: runs the migrations on the connection workflow.store.schema hands
over (there is no alembic.ini; `azwa db upgrade` is the command)."""

from __future__ import annotations

from alembic import context

from workflow.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata(),
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
