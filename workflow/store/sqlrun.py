"""The hot path of the SQL store: prebuilt statements on one held DBAPI connection.

Building SQLAlchemy statements per command costs about three times a bare sqlite3 write
(MEASURED.md; docs/benchmarks.md); prebuilt SQL on the DBAPI connection costs about 1.2
times, and checking a connection out of the pool and back per command (with a ping on
PostgreSQL) another 50–75 µs. So a store holds one connection (`Held`), used by one thread
at a time, and replaced when it is found lost. SQLite and PostgreSQL take this path; any
other database runs the same statements through SQLAlchemy `text()`, slower but portable.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

Params = Mapping[str, Any]

LOAD_PLAN = (
    "SELECT 0, p.data, h.sig, '', 0 FROM plans p LEFT JOIN heads h ON h.plan_id = p.plan_id "
    "AND h.seq = p.seq WHERE p.plan_id = :plan_id UNION ALL "
    "SELECT 1, entry, NULL, kind, n FROM plan_appended WHERE plan_id = :plan_id "
    "ORDER BY 1, 4, 5"
)
"""A plan in one statement (one snapshot, one round trip): first its row with the signature
of its last head, which the next command's head chains to; then its appended entries."""
LOAD_PLAN_DATA = "SELECT data FROM plans WHERE plan_id = :plan_id"
LOAD_APPENDED = (
    "SELECT kind, entry FROM plan_appended WHERE plan_id = :plan_id ORDER BY kind, n"
)
COUNT_APPENDED = (
    "SELECT count(*) FROM plan_appended WHERE plan_id = :plan_id AND kind = :kind"
)
INSERT_APPENDED = (
    "INSERT INTO plan_appended (plan_id, kind, n, entry) VALUES (:plan_id, :kind, :n, :entry)"
)
APPEND_NEW = INSERT_APPENDED + " ON CONFLICT (plan_id, kind, n) DO NOTHING"
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
    "INSERT INTO commands (command_id, plan_id, seq, digest) "
    "VALUES (:command_id, :plan_id, :seq, :digest)"
)
LOAD_COMMAND = "SELECT plan_id, digest FROM commands WHERE command_id = :command_id"
EVENT_COLUMNS = ("plan_id", "seq", "at", "at_us", "trigger", "actor", "payload", "definition",
                 "prev_hash", "hash", "command_id")
_CLAIM = (
    "SELECT p.plan_id, p.data, h.sig FROM deadlines d JOIN plans p ON p.plan_id = d.plan_id "
    "LEFT JOIN heads h ON h.plan_id = p.plan_id AND h.seq = p.seq "
    "WHERE d.status = 'open' AND d.expires_at_us <= :now_us "
    "ORDER BY d.expires_at_us LIMIT :limit"
)
"""Ordered by the (status, expires_at_us) index alone, so the server walks the index and
stops after `limit` rows it could lock, instead of sorting every due row per claim."""
CLAIM_DUE = _CLAIM + " FOR UPDATE OF p SKIP LOCKED"
"""PostgreSQL: the plans of the earliest due deadlines that no other worker holds, locked
until the batch commits (a plan with two due deadlines comes twice)."""
CLAIM_DUE_SQLITE = _CLAIM
BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"
"""SQLite: take the write lock before reading what to write, so workers take turns."""
COMMAND_EVENTS = (
    "SELECT plan_id, seq, at, at_us, trigger, actor, payload, definition, prev_hash, hash, "
    "command_id FROM events WHERE command_id = :command_id ORDER BY plan_id, seq"
)
HEAD_HASH = "SELECT hash FROM heads WHERE plan_id = :plan_id AND seq = :seq"
NOTIFY_DEADLINE = "SELECT pg_notify('azwa_deadlines', :expires_at_us)"
"""PostgreSQL: wakes the workers listening (`azwa worker`) when a deadline due soon is
written; sent at commit, so a worker never looks before the row is visible."""
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


@functools.lru_cache(maxsize=512)
def to_pyformat(sql: str) -> str:
    """A statement's `:name` parameters as psycopg's `%(name)s`, converted once."""
    return _NAMED.sub(r"%(\1)s", sql)


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

    def all(self, sql: str, params: Params) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def together(self, queries: Sequence[tuple[str, Params]]) -> list[list[tuple[Any, ...]]]:
        """The rows of several queries (a pipeline sends them in one round trip)."""
        return [self.all(sql, params) for sql, params in queries]

    def queue(self, sql: str, params: Params) -> None:
        """Execute once, its result not needed now (a pipeline sends it with the next)."""
        self.run(sql, params)

    def expect(self, sql: str, params: Params, refusal: Callable[[], Exception]) -> None:
        """Execute once; raise `refusal()` unless it touched exactly one row (checked at the
        latest when the transaction's statements have all run, before it commits)."""
        if self.run(sql, params) != 1:
            raise refusal()


class DbapiRunner(Runner):
    def __init__(self, cursor: Any, paramstyle: str) -> None:
        self.cursor, self.pyformat = cursor, paramstyle == "pyformat"

    def _sql(self, sql: str) -> str:
        return to_pyformat(sql) if self.pyformat else sql

    def one(self, sql: str, params: Params) -> Any:
        self.cursor.execute(self._sql(sql), params)
        row = self.cursor.fetchone()
        return None if row is None else row[0]

    def run(self, sql: str, params: Params) -> int:
        self.cursor.execute(self._sql(sql), params)
        return int(self.cursor.rowcount)

    def many(self, sql: str, rows: Sequence[Params]) -> None:
        self.cursor.executemany(self._sql(sql), rows)

    def all(self, sql: str, params: Params) -> list[tuple[Any, ...]]:
        self.cursor.execute(self._sql(sql), params)
        return [tuple(row) for row in self.cursor.fetchall()]


class PipelineRunner(DbapiRunner):
    """psycopg in pipeline mode: the writes of a command go to the server together and
    come back in one round trip, instead of one per statement (BEGIN included).

    A statement whose result is read (`one`, `all`, `run`'s count) waits for everything
    queued before it; `queue` and `many` do not wait; `expect` checks its row count when
    the pipeline is flushed, before the transaction commits."""

    def __init__(self, conn: Any, pipeline: Any) -> None:
        super().__init__(conn.cursor(), "pyformat")
        self.conn, self.pipeline = conn, pipeline
        self.checks: list[tuple[Any, Callable[[], Exception]]] = []

    def _cursor(self, sql: str, params: Params) -> Any:
        cursor = self.conn.cursor()
        cursor.execute(self._sql(sql), params)
        return cursor

    def one(self, sql: str, params: Params) -> Any:
        row = self._cursor(sql, params).fetchone()
        return None if row is None else row[0]

    def all(self, sql: str, params: Params) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._cursor(sql, params).fetchall()]

    def together(self, queries: Sequence[tuple[str, Params]]) -> list[list[tuple[Any, ...]]]:
        cursors = [self._cursor(sql, params) for sql, params in queries]
        return [[tuple(row) for row in cursor.fetchall()] for cursor in cursors]

    def run(self, sql: str, params: Params) -> int:
        cursor = self._cursor(sql, params)
        self.pipeline.sync()
        return int(cursor.rowcount)

    def queue(self, sql: str, params: Params) -> None:
        self.cursor.execute(self._sql(sql), params)  # its result is never read

    def expect(self, sql: str, params: Params, refusal: Callable[[], Exception]) -> None:
        self.checks.append((self._cursor(sql, params), refusal))

    def many(self, sql: str, rows: Sequence[Params]) -> None:
        self.cursor.executemany(self._sql(sql), rows)

    def check(self) -> None:
        """The deferred row counts, once the pipeline has ended (its results are in)."""
        checks, self.checks = self.checks, []
        for cursor, refusal in checks:
            if cursor.rowcount != 1:
                raise refusal()


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

    def all(self, sql: str, params: Params) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.conn.execute(text(sql), params)]


FAST_DIALECTS = {"sqlite", "postgresql"}


class _AbortedPipeline(logging.Filter):
    """psycopg warns when a pipeline ends after a statement in it failed; the store turns
    that failure into its own error (StaleWrite, a one-line message), so the warning goes."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("error ignored terminating")


@functools.cache
def pipelined(driver: str) -> bool:
    """Whether PostgreSQL's statements go in pipeline mode: psycopg 3 on libpq 14 or later
    (psycopg2 and older libraries send one statement per round trip)."""
    if driver != "psycopg":
        return False
    import psycopg

    logging.getLogger("psycopg").addFilter(_AbortedPipeline())
    return bool(psycopg.Pipeline.is_supported())


class Held:
    """One DBAPI connection kept for a store's commands, one thread at a time.

    No ping per use: a connection found lost before its transaction committed is thrown
    away and the transaction runs again on a new one (`Disconnected`, `SqlStore._run`).
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lock = threading.Lock()
        self._raw: Any = None

    def connection(self) -> Any:
        if self._raw is None:
            raw = self.engine.raw_connection()
            if self.autocommit:
                # Out of the pool for good: it is never handed to anyone expecting the
                # driver's own transactions.
                raw.detach()
                driver: Any = raw.dbapi_connection
                driver.autocommit = True
            self._raw = raw
        return self._raw

    @property
    def autocommit(self) -> bool:
        """PostgreSQL in pipeline mode: the store says BEGIN itself, in the same round trip
        as the statements (the driver's own BEGIN waits for its answer first), and a read
        of one statement needs no transaction at all."""
        dialect = self.engine.dialect
        return dialect.name == "postgresql" and pipelined(dialect.driver)

    def drop(self) -> None:
        """Forget the connection (invalidated in the pool: it is not handed out again)."""
        raw, self._raw = self._raw, None
        if raw is not None:
            with contextlib.suppress(Exception):  # a connection already gone
                raw.invalidate()

    def close(self) -> None:
        with self.lock:
            raw, self._raw = self._raw, None
            if raw is not None:
                raw.close()


@contextmanager
def transaction(engine: Engine, *, write: bool = True, held: Held | None = None
                ) -> Iterator[Runner]:
    """One transaction: committed when the block ends, rolled back when it raises.

    A read (`write=False`) is ended with a rollback, which costs nothing to undo. With
    `held`, the held connection serves (under its lock); otherwise one from the pool.
    """
    if engine.dialect.name not in FAST_DIALECTS:
        with engine.begin() as conn:
            yield AlchemyRunner(conn)
        return
    if held is None:
        raw = engine.raw_connection()
        try:
            yield from _on(raw, engine, write, None)
        finally:
            raw.close()
        return
    with held.lock:
        yield from _on(held.connection(), engine, write, held)


class Disconnected(Exception):
    """The held connection was lost before its transaction committed: nothing was written,
    so the transaction may run again on a new connection (the cause is the driver's error)."""


def _on(raw: Any, engine: Engine, write: bool, held: Held | None) -> Iterator[Runner]:
    try:
        cursor = raw.cursor()
    except Exception as exc:
        if held is not None:
            held.drop()
            raise Disconnected(str(exc)) from exc
        raise
    ending = False
    try:
        if held is not None and held.autocommit and write:
            # BEGIN and every statement in one round trip (the pipeline ends when the
            # block does), the deferred checks, then COMMIT: two round trips a command.
            conn = raw.dbapi_connection
            with conn.pipeline() as pipeline:
                runner = PipelineRunner(conn, pipeline)
                runner.queue("BEGIN", {})
                yield runner
            runner.check()
        else:
            yield DbapiRunner(cursor, engine.dialect.paramstyle)
        ending = True
        if write:
            raw.commit()
        else:
            raw.rollback()
    except Exception as exc:
        lost = held is not None and broken(raw)
        if not lost:
            try:
                raw.rollback()
            except Exception:
                lost = held is not None
        if lost and held is not None:
            held.drop()
            if not ending:  # a failed commit may have committed: never run it again
                raise Disconnected(str(exc)) from exc
        raise
    except BaseException:
        with contextlib.suppress(Exception):
            raw.rollback()
        raise
    finally:
        with contextlib.suppress(Exception):  # the connection is gone with it
            cursor.close()


def broken(raw: Any) -> bool:
    """The connection itself failed, not a statement (psycopg marks it closed or broken)."""
    inner = getattr(raw, "dbapi_connection", raw)
    return bool(getattr(inner, "closed", False) or getattr(inner, "broken", False))


def upsert_deadlines(runner: Runner, rows: Sequence[Params]) -> None:
    if runner.upsert:
        runner.many(UPSERT_DEADLINE, rows)
        return
    for row in rows:
        if runner.run(UPDATE_DEADLINE, row) == 0:
            runner.run(INSERT_DEADLINE, row)
