"""Schema versions: which one a database is at, and bringing it to the newest (HEAD).

The migrations are Alembic's, in workflow/store/migrations/versions (shipped in the
package). An empty database gets the tables of the models and the HEAD stamp at once (the
suite checks that this equals running every migration); a database at an older version, or
made by azwa 0.1.0 before there were versions, is migrated. Alembic is imported only then.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, inspect, text
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0003"
"""The newest migration's revision: what this release reads and writes."""
VERSION_TABLE = "alembic_version"
AZWA_TABLES = ("plans", "events", "commands", "deadlines", "plan_appended", "heads")
MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK = "SELECT pg_advisory_xact_lock(7236943)"
"""PostgreSQL: processes creating or migrating one database at once take turns."""


def metadata() -> MetaData:
    """The azwa tables as the models declare them (nothing else another module declared)."""
    from workflow.store import heads, outbox, sql

    found = MetaData()
    for table in (sql.PLANS, sql.EVENTS, sql.COMMANDS, sql.DEADLINES, sql.APPENDED,
                  heads.HEADS, outbox.OUTBOX, outbox.ANSWERS):
        table.to_metadata(found)
    return found


def current(conn: Connection) -> str | None:
    """The database's revision; None when it has none (empty, or made before versions)."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    value = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return None if value is None else str(value)


def revisions() -> list[str]:
    """Every revision, oldest first, read from the migration files' names."""
    return sorted(p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to HEAD; (the revision before, HEAD). Safe to run again and from
    several processes at once."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(_LOCK))
        before = current(conn)
        tables = set(inspect(conn).get_table_names())
        if before == HEAD:
            if not set(AZWA_TABLES) <= tables:  # a table dropped by hand: made again
                metadata().create_all(conn)
            return before, HEAD
        if before is None and not tables & set(AZWA_TABLES):
            metadata().create_all(conn)
            _stamp(conn, HEAD)
        else:
            _migrate(conn)
    return before, HEAD


def _stamp(conn: Connection, revision: str) -> None:
    Table(VERSION_TABLE, MetaData(), Column("version_num", String(32), nullable=False),
          PrimaryKeyConstraint("version_num", name="alembic_version_pkc")).create(conn)
    conn.execute(text(f"INSERT INTO {VERSION_TABLE} (version_num) VALUES (:v)"),
                 {"v": revision})


def _migrate(conn: Connection, target: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(conn), target)


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's configuration for the packaged migrations (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        config.attributes["connection"] = conn
    return config
