"""The webhook outbox and the HTTP service's command answers (`azwa serve`,
workflow/store/outbox.py): written in a command's own transaction, so every database has
them whether or not a service ever ran on it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    held = set(sa.inspect(op.get_bind()).get_table_names())
    if "webhook_outbox" not in held:  # `azwa serve` before 0003 made it itself
        op.create_table(
            "webhook_outbox",
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                      primary_key=True, autoincrement=True),
            sa.Column("subscriber", sa.String(), nullable=False),
            sa.Column("plan_id", sa.String(), nullable=False),
            sa.Column("kind", sa.String(), nullable=False),
            sa.Column("message_id", sa.String(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("created_at_us", sa.BigInteger(), nullable=False),
            sa.Column("status", sa.String(), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("next_at_us", sa.BigInteger(), nullable=False),
            sa.Column("last_error", sa.String(), nullable=True),
            sa.Column("delivered_at_us", sa.BigInteger(), nullable=True),
        )
        op.create_index("ix_webhook_outbox_queue", "webhook_outbox",
                        ["status", "subscriber", "plan_id", "id"])
    if "command_answers" not in held:
        op.create_table(
            "command_answers",
            sa.Column("command_id", sa.String(), primary_key=True),
            sa.Column("plan_id", sa.String(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
        )
