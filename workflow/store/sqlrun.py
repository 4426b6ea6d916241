"""The hot path of the SQL store: prebuilt statements on the pooled DBAPI connection.

Building SQLAlchemy statements per command costs about three times a bare sqlite3 write
(MEASURED.md; docs/benchmarks.md); prebuilt SQL on the pool's own DBAPI connection costs
about 1.2 times. SQLite and PostgreSQL take this path; any other database runs the same
statements through SQLAlchemy `text()`, slower but portable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

Params = Mapping[str, Any]

LOAD_PLAN = "SELECT data FROM plans WHERE plan_id = :plan_id"
INSERT_PLAN = (
    "INSERT INTO plans (plan_id, definition, title, region, track, state, escalation, seq, "
    "registered_at_us, updated_at_us, data) VALUES (:plan_id, :definition, :title, :region, "
    ":track, :state, :escalation, :seq, :registered_at_us, :updated_at_us, :data)"
)
UPDATE_PLAN = (
    "UPDATE plans SET definition = :definition, state = :state, escalation = :escalation, "
    "seq = :seq, updated_at_us = :updated_at_us, data = :data "
    "WHERE plan_id = :plan_id AND seq = :expected_seq"
)
INSERT_EVENT = (
    "INSERT INTO events (plan_id, seq, at, at_us, trigger, actor, payload, definition, "
    "prev_hash, hash, command_id) VALUES (:plan_id, :seq, :at, :at_us, :trigger, :actor, "
    ":payload, :definition, :prev_hash, :hash, :command_id)"
)
INSERT_COMMAND = (
    "INSERT INTO commands (command_id, plan_id, seq) VALUES (:command_id, :plan_id, :seq)"
)
_DEADLINE_COLUMNS = "plan_id, name, due, started_at, expires_at_us, status, closed_at"
INSERT_DEADLINE = (
    f"INSERT INTO deadlines ({_DEADLINE_COLUMNS}) VALUES (:plan_id, :name, :due, :started_at, "
    ":expires_at_us, :status, :closed_at)"
)
UPSERT_DEADLINE = INSERT_DEADLINE + (
    " ON CONFLICT (plan_id, name) DO UPDATE SET due = excluded.due, "
    "started_at = excluded.started_at, expires_at_us = excluded.expires_at_us, "
    "status = excluded.status, closed_at = excluded.closed_at"
)
UPDATE_DEADLINE = (
    "UPDATE deadlines SET due = :due, started_at = :started_at, expires_at_us = :expires_at_us,"
    " status = :status, closed_at = :closed_at WHERE plan_id = :plan_id AND name = :name"
)

_NAMED = re.compile(r":(\w+)")


class Runner:
    """Runs the store's statements in one transaction on one connection."""

    upsert = True

    def one(self, sql: str, params: Params) -> Any:
        raise NotImplementedError

    def run(self, sql: str, params: Params) -> int:
        """Execute once; the number of rows it touched."""
        raise NotImplementedError

    def many(self, sql: str, rows: Sequence[Params]) -> None:
        raise NotImplementedError


class DbapiRunner(Runner):
    def __init__(self, cursor: Any, paramstyle: str) -> None:
        self.cursor, self.pyformat = cursor, paramstyle == "pyformat"

    def _sql(self, sql: str) -> str:
        return _NAMED.sub(r"%(\1)s", sql) if self.pyformat else sql

    def one(self, sql: str, params: Params) -> Any:
        self.cursor.execute(self._sql(sql), params)
        row = self.cursor.fetchone()
        return None if row is None else row[0]

    def run(self, sql: str, params: Params) -> int:
        self.cursor.execute(self._sql(sql), params)
        return int(self.cursor.rowcount)

    def many(self, sql: str, rows: Sequence[Params]) -> None:
        self.cursor.executemany(self._sql(sql), rows)


class AlchemyRunner(Runner):
    upsert = False

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def one(self, sql: str, params: Params) -> Any:
        return self.conn.execute(text(sql), params).scalar_one_or_none()

    def run(self, sql: str, params: Params) -> int:
        return int(self.conn.execute(text(sql), params).rowcount)

    def many(self, sql: str, rows: Sequence[Params]) -> None:
        self.conn.execute(text(sql), list(rows))


FAST_DIALECTS = {"sqlite", "postgresql"}


@contextmanager
def transaction(engine: Engine, *, write: bool = True) -> Iterator[Runner]:
    """One transaction: committed when the block ends, rolled back when it raises.

    A read (`write=False`) is ended with a rollback, which costs nothing to undo.
    """
    if engine.dialect.name not in FAST_DIALECTS:
        with engine.begin() as conn:
            yield AlchemyRunner(conn)
        return
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            yield DbapiRunner(cursor, engine.dialect.paramstyle)
            if write:
                raw.commit()
            else:
                raw.rollback()
        except BaseException:
            raw.rollback()
            raise
        finally:
            cursor.close()
    finally:
        raw.close()


def upsert_deadlines(runner: Runner, rows: Sequence[Params]) -> None:
    if runner.upsert:
        runner.many(UPSERT_DEADLINE, rows)
        return
    for row in rows:
        if runner.run(UPDATE_DEADLINE, row) == 0:
            runner.run(INSERT_DEADLINE, row)
