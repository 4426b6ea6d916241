"""Which database a command means: `--db`, else AZWA_DATABASE_URL, else ./azwa.db.

Kept apart from the SQL store so the command line can name a database, and catch the error
that says it cannot be used, without importing SQLAlchemy.
"""

from __future__ import annotations

import os
from pathlib import Path

from workflow.core.errors import AzwaError
from workflow.core.phrase import Phrase

DEFAULT_URL = "sqlite:///azwa.db"


class StoreUnavailable(AzwaError):
    """The database cannot be used as asked; the message says why on one line."""


class CorruptRow(AzwaError, ValueError):
    """A stored row the engine did not write: it cannot be read as what its column holds.

    Raised by the store's reads instead of whatever the decoding tripped over, so every
    command says the same one line (and the auditor's checks, which catch ValueError,
    report the plan as `corrupt`).
    """

    def __init__(self, table: str, plan_id: object, column: str, detail: str) -> None:
        self.table, self.plan_id, self.column = table, str(plan_id), column
        super().__init__(Phrase(
            "a stored row cannot be read: table {table}, plan {plan}, column {column} "
            "({detail}); run `azwa audit verify` to see every damaged plan", table=table,
            plan=self.plan_id, column=column, detail=detail))


def resolve_url(db: str | None = None) -> str:
    """`--db`, else AZWA_DATABASE_URL, else ./azwa.db; a bare path means an SQLite file."""
    value = db or os.environ.get("AZWA_DATABASE_URL") or DEFAULT_URL
    if "://" not in value:
        value = f"sqlite:///{Path(value)}"
    return value


def described(exc: BaseException) -> str:
    """An exception as one line for a message: its class and the first line of its text."""
    lines = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {lines[0] if lines else ''}"
