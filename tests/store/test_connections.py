"""Connections to a server database: what one command costs in round trips, the settings a
URL and the environment give, and one line when the server cannot be reached."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from typer.testing import CliRunner

from workflow import Engine, FakeClock
from workflow.cli.main import app
from workflow.service import demo
from workflow.store.sql import SqlStore
from workflow.store.url import StoreUnavailable

from . import pgtrace
from .scenario import PLAN_ID, START, close, play

COSTS = {"amount_eur": 10, "period": "2027-H1"}


def round_trips(engine: Engine, work: Callable[[], Any]) -> int:
    """How often the client waited for the server during `work` on the store's connection."""
    store = engine.store
    assert isinstance(store, SqlStore)
    return pgtrace.round_trips(store._connection().connection().dbapi_connection.pgconn, work)


def test_a_command_on_postgresql_costs_one_round_trip(pg_url: str) -> None:
    """One persisted command with a command id: one round trip on the plan the Engine
    holds (one statement, store/pgsave.py), two when it loads the plan first, the
    command-id check included, and no connection taken from the pool per command; a
    repeated id costs the refused save and one read of the plan and of what the id did."""
    engine = Engine(pg_url, FakeClock(START))
    try:
        at = play(engine, PLAN_ID, "record_costs")
        store = engine.store
        assert isinstance(store, SqlStore)
        checkouts: list[object] = []
        event.listen(store.engine, "checkout", lambda *args: checkouts.append(args))
        held = round_trips(engine, lambda: engine.fire(
            PLAN_ID, "record_costs", demo.MAKER, COSTS, at=at + timedelta(minutes=1),
            command_id="c-1"))
        engine._cache.clear()  # as an Engine that never saw the plan
        fresh = round_trips(engine, lambda: engine.fire(
            PLAN_ID, "record_costs", demo.MAKER, COSTS, at=at + timedelta(minutes=2),
            command_id="c-2"))
        assert (held, fresh) == (1, 2)
        assert checkouts == []
        again = round_trips(engine, lambda: engine.fire(
            PLAN_ID, "record_costs", demo.MAKER, COSTS, at=at + timedelta(minutes=3),
            command_id="c-2"))
        assert again == 2  # a repeated id: the attempt, then the lookup of what it did
    finally:
        close(engine)


def test_a_command_after_the_server_ended_the_connection_is_stored_once(pg_url: str) -> None:
    """The server ends the held connection between two commands (a restart, an idle
    timeout): the next one-statement save finds it gone, looks up whether its head is
    stored, runs on a new connection, and the command is in the log once."""
    import psycopg

    from tests.pg import DSN

    engine = Engine(pg_url, FakeClock(START))
    try:
        at = play(engine, PLAN_ID, "record_costs")
        store = engine.store
        assert isinstance(store, SqlStore)
        backend = store._connection().connection().dbapi_connection.info.backend_pid
        with psycopg.connect(DSN, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        fired = engine.fire(PLAN_ID, "record_costs", demo.MAKER, COSTS,
                            at=at + timedelta(minutes=1), command_id="after-restart")
        assert not fired.repeated
        assert [e.seq for e in store.command_events("after-restart") or []] == [
            e.seq for e in fired.events]
        seqs = [e.seq for e in store.events(PLAN_ID)]
        assert seqs == list(range(1, len(seqs) + 1))
    finally:
        close(engine)


def test_settings_from_the_url_and_the_environment(
    pg_url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`statement_timeout` (ms) and `pool_size` come from the URL, else AZWA_DB_*: a
    statement over the limit is cancelled by the server; the URL's value wins."""
    SqlStore(pg_url).close()  # the tables first: 50 ms is no limit for DDL on a busy server
    monkeypatch.setenv("AZWA_DB_STATEMENT_TIMEOUT_MS", "50")
    monkeypatch.setenv("AZWA_DB_POOL_SIZE", "3")
    store = SqlStore(pg_url, create=False)
    try:
        assert store.engine.pool.size() == 3  # type: ignore[attr-defined]
        with store.engine.connect() as conn, pytest.raises(Exception, match="statement timeout"):
            conn.execute(text("SELECT pg_sleep(0.5)"))
    finally:
        store.close()
    store = SqlStore(f"{pg_url}&statement_timeout=2000&pool_size=7", create=False)
    try:
        assert store.engine.pool.size() == 7  # type: ignore[attr-defined]
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT pg_sleep(0.1), 1")).one()[1] == 1
    finally:
        store.close()


@pytest.mark.parametrize("value", ["-1", "soon", "0"])
def test_a_setting_that_is_no_whole_number_is_refused_in_one_line(
    monkeypatch: pytest.MonkeyPatch, value: str,
) -> None:
    monkeypatch.setenv("AZWA_DB_POOL_SIZE", value)
    with pytest.raises(StoreUnavailable, match=r"AZWA_DB_POOL_SIZE: pool_size=.* is not a "
                       r"whole number of at least 1"):
        SqlStore("postgresql+psycopg://postgres@127.0.0.1:5432/test", create=False)


def test_an_unreachable_server_is_one_line_exit_2() -> None:
    """No server on the port: every command says so in one line and exits 2, after the
    connect timeout rather than hanging."""
    result = CliRunner().invoke(app, [
        "plan", "list", "--db", "postgresql+psycopg://azwa@127.0.0.1:9/azwa?connect_timeout=2"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("cannot use the database postgresql+psycopg://azwa@127.0.0.1:9/")
    assert "connection" in lines[0].lower()
    worker = CliRunner().invoke(app, [
        "worker", "--once", "--db", "postgresql+psycopg://azwa@127.0.0.1:9/azwa"])
    assert worker.exit_code == 2 and len(worker.output.strip().splitlines()) == 1
