"""The schema of azwa 0.1.0, the release before migrations.

Each table and index is created only when missing: a database made by that release (which
`azwa init` grew table by table) is brought to exactly this version, then stamped.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES: dict[str, tuple[list[sa.Column[Any]], list[tuple[str, list[str]]]]] = {
    "plans": ([
        sa.Column("plan_id", sa.String(), primary_key=True),
        sa.Column("definition", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("region", sa.String(), nullable=False),
        sa.Column("track", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("escalation", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("registered_at_us", sa.BigInteger(), nullable=False),
        sa.Column("updated_at_us", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
    ], [("ix_plans_updated_at_us", ["updated_at_us"]), ("ix_plans_state", ["state"]),
        ("ix_plans_region", ["region"])]),
    "events": ([
        sa.Column("plan_id", sa.String(), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("trigger", sa.String(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("definition", sa.String(), nullable=False),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.Column("command_id", sa.String(), nullable=True),
    ], [("ix_events_command_id", ["command_id"])]),
    "commands": ([
        sa.Column("command_id", sa.String(), primary_key=True),
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
    ], []),
    "deadlines": ([
        sa.Column("plan_id", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), primary_key=True),
        sa.Column("due", sa.String(), nullable=False),
        sa.Column("started_at", sa.String(), nullable=False),
        sa.Column("expires_at_us", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("closed_at", sa.String(), nullable=True),
    ], [("ix_deadlines_status_expires", ["status", "expires_at_us"])]),
    "plan_appended": ([
        sa.Column("plan_id", sa.String(), primary_key=True),
        sa.Column("kind", sa.String(), primary_key=True),
        sa.Column("n", sa.Integer(), primary_key=True),
        sa.Column("entry", sa.Text(), nullable=False),
    ], []),
    "heads": ([
        sa.Column("plan_id", sa.String(), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("hash", sa.String(), nullable=False),
        sa.Column("at", sa.String(), nullable=False),
        sa.Column("key_id", sa.String(), nullable=False),
        sa.Column("prev_sig", sa.String(), nullable=False),
        sa.Column("sig", sa.String(), nullable=False),
    ], []),
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    present = set(inspector.get_table_names())
    for name, (columns, indexes) in TABLES.items():
        if name not in present:
            op.create_table(name, *columns)
            held: set[str] = set()
        else:
            held = {str(i["name"]) for i in inspector.get_indexes(name)}
        for index, on in indexes:
            if index not in held:
                op.create_index(index, name, on)
