"""`azwa db current` and `azwa db upgrade`: which schema version a database is at, and
bringing it to the one this release writes (the migrations are in workflow/store)."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.store import schema
from workflow.store.opening import create_or_upgrade, open_existing


@dataclass(frozen=True, slots=True)
class SchemaVersion:
    revision: str | None
    """The database's version; None for one made before versions (azwa 0.1.0)."""
    head: str
    """The version this release writes."""

    @property
    def at_head(self) -> bool:
        return self.revision == self.head


def current(db: str | None) -> SchemaVersion:
    """The schema version of the azwa database at `db` (it is only read)."""
    store = open_existing(db, write=False)
    try:
        with store.engine.connect() as conn:
            return SchemaVersion(schema.current(conn), schema.HEAD)
    finally:
        store.close()


def upgrade(db: str | None) -> tuple[SchemaVersion, SchemaVersion]:
    """Migrate the azwa database at `db` to this release's version; (before, after).
    Safe to run again, and from several processes at once."""
    before = current(db)
    create_or_upgrade(db).close()
    return before, SchemaVersion(schema.HEAD, schema.HEAD)
