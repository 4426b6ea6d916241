"""The plan row is rewritten per command; the escalation history, which only grows, is
appended beside it. A database written before that still loads and moves its
lists over on the plan's next command."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.bench.common import ESCALATION_CYCLE
from workflow import Engine, FakeClock
from workflow.core.engine import Command
from workflow.core.timecalc import parse_at
from workflow.service import demo
from workflow.store.sql import SqlStore

from .scenario import START, close, day


def _row(engine: Engine, plan_id: str) -> str:
    store = engine.store
    assert isinstance(store, SqlStore)
    with store.engine.connect() as conn:
        return str(conn.execute(sa.text("SELECT data FROM plans WHERE plan_id = :p"),
                                {"p": plan_id}).scalar_one())


def _cycles(engine: Engine, plan_id: str, count: int, start_day: int) -> None:
    for k in range(count * len(ESCALATION_CYCLE)):
        actor, trigger, payload = ESCALATION_CYCLE[k % len(ESCALATION_CYCLE)]
        engine.fire(plan_id, trigger, actor, payload, at=day(start_day, k))


def test_the_plan_row_does_not_grow_with_the_history(db_url: str) -> None:
    engine = Engine(db_url, FakeClock(START))
    try:
        demo.play(engine, "P-1", before="escalate")
        _cycles(engine, "P-1", 1, 70)
        size = len(_row(engine, "P-1"))
        _cycles(engine, "P-1", 6, 71)
        plan = engine.state("P-1")
        assert len(plan.escalation_history) == 7 * 5
        assert len(_row(engine, "P-1")) == size
        assert "escalation_history" not in json.loads(_row(engine, "P-1"))
        fresh = Engine(db_url, FakeClock(START))  # nothing cached: read back from the store
        assert fresh.state("P-1") == plan
        assert fresh.state("P-1").escalation_history == plan.escalation_history
        close(fresh)
    finally:
        close(engine)


def test_what_fire_returns_is_the_whole_plan_and_the_callers_own(db_url: str) -> None:
    engine = Engine(db_url, FakeClock(START))
    try:
        demo.play(engine, "P-1", before="escalate")
        (maker, trigger, payload), (insurer, _, again) = ESCALATION_CYCLE[:2]
        first = engine.fire("P-1", trigger, maker, payload, at=day(70)).plan
        later = engine.fire("P-1", trigger, insurer, again, at=day(71)).plan
        assert [h["to"] for h in first.escalation_history] == [first.escalation]
        assert len(later.escalation_history) == 2  # and `first` kept what it was:
        assert len(first.escalation_history) == 1
        assert later == engine.state("P-1")
        assert later.breaches == first.breaches == ["quick_test_decision"]
    finally:
        close(engine)


def test_a_database_written_before_the_appended_table_loads_and_moves_over(
    db_url: str,
) -> None:
    engine = Engine(db_url, FakeClock(START))
    demo.play(engine, "P-1", before="escalate")
    _cycles(engine, "P-1", 1, 70)
    whole = engine.state("P-1")
    close(engine)
    # What the store wrote before: the whole plan in the row, no plan_appended table.
    store = SqlStore(db_url)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE plans SET data = :d WHERE plan_id = 'P-1'"),
                     {"d": json.dumps(whole.to_dict(), ensure_ascii=False)})
        conn.execute(sa.text("DROP TABLE plan_appended"))
        conn.execute(sa.text("DROP TABLE alembic_version"))  # before schema versions
    store.close()

    old = SqlStore(db_url, create=False)  # a read of the old database as it is
    assert old.load("P-1") == whole
    old.close()

    upgraded = SqlStore(db_url)  # what `azwa init` and every command do: create what is new
    SqlStore(db_url).close()  # twice: idempotent
    engine = Engine(store=upgraded, clock=FakeClock(START))
    assert engine.state("P-1") == whole
    _cycles(engine, "P-1", 1, 72)
    assert "escalation_history" not in json.loads(_row(engine, "P-1"))
    moved = engine.state("P-1")
    assert moved.escalation_history[: len(whole.escalation_history)] == \
        whole.escalation_history
    assert len(moved.escalation_history) == len(whole.escalation_history) + 5
    assert moved.breaches == whole.breaches
    assert parse_at(moved.escalation_history[-1]["at"]) == day(72, 4)
    close(engine)


def test_a_lost_connection_is_replaced_without_failing_a_command(db_url: str) -> None:
    """The store holds one connection and pings nothing per command: when the server has
    dropped it (a restart, an idle timeout), the command runs on a new one."""
    engine = Engine(db_url, FakeClock(START))
    try:
        demo.play(engine, "P-1", before="escalate")
        store = engine.store
        assert isinstance(store, SqlStore)
        held = store._connection()
        lost = held.connection()
        if store.engine.dialect.name == "postgresql":
            pid = lost.dbapi_connection.info.backend_pid
            with store.engine.connect() as other:
                other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        else:
            lost.dbapi_connection.close()  # SQLite: the nearest thing to a lost connection
            held._raw = lost
        maker, trigger, payload = ESCALATION_CYCLE[0]
        fired = engine.fire("P-1", trigger, maker, payload, at=day(70))
        assert fired.events[-1].trigger == trigger
        assert held.connection() is not lost
        assert engine.history("P-1")[-1] == fired.events[-1]
    finally:
        close(engine)


def test_a_save_returns_the_whole_plan_as_text_that_later_saves_do_not_change(
    db_url: str,
) -> None:
    engine = Engine(db_url, FakeClock(START))
    try:
        demo.play(engine, "P-1", before="escalate")
        store = engine.store
        assert isinstance(store, SqlStore)
        plan = engine.state("P-1")
        process = engine.process(plan.definition)
        snapshots = []
        for k, (actor, trigger, payload) in enumerate(ESCALATION_CYCLE[:3]):
            before = plan.seq
            outcome = process.apply(plan, Command(trigger, actor, payload, day(70, k)))
            snapshots.append((store.save(plan, outcome.events, expected_seq=before,
                                         deadlines=list(plan.deadlines.values())),
                              plan.to_dict()))
        for snapshot, then in snapshots:
            assert json.loads(snapshot.json()) == then
            assert snapshot.plan().to_dict() == then
        assert len(snapshots[0][1]["escalation_history"]) == 1
        assert engine.state("P-1") == plan
    finally:
        close(engine)
