"""Commands keep a digest of their trigger, actor and payload, so that the same command id
with another command is refused instead of answered with the first one's events.

Commands stored before keep NULL: they are taken to be the command they are asked as.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    held = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("commands")}
    if "digest" not in held:  # a database whose version row was lost keeps its column
        op.add_column("commands", sa.Column("digest", sa.String(), nullable=True))
