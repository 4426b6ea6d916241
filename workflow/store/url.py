"""Which database a command means: `--db`, else AZWA_DATABASE_URL, else ./azwa.db.

Kept apart from the SQL store so the command line can name a database, and catch the error
that says it cannot be used, without importing SQLAlchemy.
"""

from __future__ import annotations

import os
from pathlib import Path

from workflow.core.errors import AzwaError

DEFAULT_URL = "sqlite:///azwa.db"


class StoreUnavailable(AzwaError):
    """The database cannot be used as asked; the message says why on one line."""


def resolve_url(db: str | None = None) -> str:
    """`--db`, else AZWA_DATABASE_URL, else ./azwa.db; a bare path means an SQLite file."""
    value = db or os.environ.get("AZWA_DATABASE_URL") or DEFAULT_URL
    if "://" not in value:
        value = f"sqlite:///{Path(value)}"
    return value
