"""A command id names one command (`azwa` rule command_id_names_one_command): asked again
with the same trigger, actor and payload it is answered as seen before; with another, it
is refused, also when both arrive at once or race to register the same plan."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

from workflow import Engine, FakeClock, Refused
from workflow.service import demo

from .scenario import PLAN_ID, START, assert_log_is_sound, close, play
from .test_concurrency import BarrierStore, run_together
from .test_service import InterleavingStore

MAKER, INSURER, SECOND = demo.MAKER, demo.INSURER, demo.SECOND
COSTS = {"amount_eur": 1200, "period": "2027-H1"}


@pytest.fixture
def implementing(engine: Engine) -> Any:
    """A plan in implementation (A4 §3.a.5: costs are recorded) and the moment after."""
    return play(engine, PLAN_ID, "record_costs") + timedelta(days=1)


def test_the_same_command_under_its_id_again_is_answered_as_seen(
    engine: Engine, implementing: Any,
) -> None:
    """The client that lost its answer sends the command again: nothing new is stored and
    it gets the first answer's events."""
    first = engine.fire(PLAN_ID, "record_costs", MAKER, COSTS, at=implementing,
                        command_id="costs-1")
    again = engine.fire(PLAN_ID, "record_costs", MAKER, COSTS,
                        at=implementing + timedelta(hours=1), command_id="costs-1")
    assert again.repeated and not first.repeated
    assert [e.to_dict() for e in again.events] == [e.to_dict() for e in first.events]
    assert engine.state(PLAN_ID).seq == first.events[-1].seq


@pytest.mark.parametrize(("trigger", "actor", "payload"), [
    ("record_costs", MAKER, {"amount_eur": 9999, "period": "2027-H1"}),
    ("record_monitoring", INSURER, {"summary": "on track"}),
    ("record_costs", demo.Actor("plan_maker", "ZGT", "Twente"), COSTS),
], ids=["another payload", "another trigger", "another actor"])
def test_another_command_under_a_used_id_is_refused(
    engine: Engine, implementing: Any, trigger: str, actor: Any, payload: dict[str, Any],
) -> None:
    """The same id with another payload, trigger or actor is refused in one line naming
    the rule, and nothing of it is stored (it used to be answered with the first's events
    as if it had been applied)."""
    engine.fire(PLAN_ID, "record_costs", MAKER, COSTS, at=implementing, command_id="costs-1")
    seq = engine.state(PLAN_ID).seq
    with pytest.raises(Refused) as refused:
        engine.fire(PLAN_ID, trigger, actor, payload, at=implementing + timedelta(hours=1),
                    command_id="costs-1")
    assert refused.value.rule == "command_id_names_one_command"
    assert "already used for another command" in refused.value.reason
    assert engine.state(PLAN_ID).seq == seq
    assert_log_is_sound(engine, PLAN_ID)


@pytest.mark.parametrize("same", [True, False], ids=["same command", "another command"])
def test_two_commands_under_one_id_arriving_at_once(db_url: str, same: bool) -> None:
    """Two case systems send a command under one id at the same moment (both read the plan
    before either saved): one is stored; the other is answered as seen when it is the same
    command, refused when it is another."""
    setup = Engine(db_url, FakeClock(START))
    at = play(setup, PLAN_ID, "record_costs") + timedelta(days=1)
    seq = setup.state(PLAN_ID).seq
    barrier = threading.Barrier(2)
    engines = [Engine(store=BarrierStore(db_url, barrier), clock=FakeClock(START))
               for _ in range(2)]
    payloads = [COSTS, COSTS if same else {"amount_eur": 1, "period": "2027-H2"}]

    def send(engine: Engine, payload: dict[str, Any]) -> str:
        try:
            fired = engine.fire(PLAN_ID, "record_costs", MAKER, payload, at=at,
                                command_id="costs-1")
        except Refused as refusal:
            return refusal.rule
        return "repeated" if fired.repeated else "stored"

    try:
        results = run_together([(lambda e=e, p=p: send(e, p))  # type: ignore[misc]
                                for e, p in zip(engines, payloads, strict=True)])
        expected = "repeated" if same else "command_id_names_one_command"
        assert sorted(results) == sorted(["stored", expected])
        assert setup.state(PLAN_ID).seq == seq + 1
        assert_log_is_sound(setup, PLAN_ID)
    finally:
        for engine in (setup, *engines):
            close(engine)


def test_a_registration_that_lost_the_race_to_itself_is_answered_as_seen(db_url: str) -> None:
    """A4 §1.a.2 (a plan id is registered once): two processes send the same registration
    under one command id at once; the later is answered as seen (repeated), not refused as
    a duplicate plan id."""
    first = Engine(store=InterleavingStore(db_url), clock=FakeClock(START))
    second = Engine(db_url, FakeClock(START))
    try:
        store = first.store
        assert isinstance(store, InterleavingStore)
        won: list[Any] = []
        store.meanwhile = lambda: won.append(second.register(
            PLAN_ID, MAKER, demo.REGISTRATION, at=START, command_id="reg-1"))
        fired = first.register(PLAN_ID, MAKER, demo.REGISTRATION, at=START,
                               command_id="reg-1")
        assert fired.repeated and not won[0].repeated
        assert [e.to_dict() for e in fired.events] == [e.to_dict() for e in won[0].events]
        assert len(second.history(PLAN_ID)) == 1
    finally:
        close(first)
        close(second)


@pytest.mark.parametrize("command_id", ["reg-2", None], ids=["other id", "no id"])
def test_a_registration_of_a_taken_plan_id_under_another_command_is_refused(
    db_url: str, command_id: str | None,
) -> None:
    """A4 §1.a.2: the refused case: another registration of a taken plan id (another
    command id, or none) is refused as a duplicate; under the same command id with other
    attributes it is refused as another command."""
    engine = Engine(db_url, FakeClock(START))
    try:
        engine.register(PLAN_ID, MAKER, demo.REGISTRATION, at=START, command_id="reg-1")
        with pytest.raises(Refused) as refused:
            engine.register(PLAN_ID, MAKER, demo.REGISTRATION, at=START,
                            command_id=command_id)
        assert refused.value.rule == "unique_plan_id"
        with pytest.raises(Refused) as other:
            engine.register(PLAN_ID, MAKER, {**demo.REGISTRATION, "title": "Anders"},
                            at=START, command_id="reg-1")
        assert other.value.rule == "command_id_names_one_command"
    finally:
        close(engine)


def test_registrations_racing_under_one_command_id_never_refuse_each_other(
    db_url: str,
) -> None:
    """Four processes' Engines register the same plan under one command id at once, ten
    times over: each time one is stored and the rest are answered as seen."""
    engines = [Engine(db_url, FakeClock(START)) for _ in range(4)]
    try:
        for round_ in range(10):
            pid, command_id = f"{PLAN_ID}-{round_}", f"reg-{round_}"

            def register(engine: Engine, pid: str = pid, command_id: str = command_id) -> bool:
                return engine.register(pid, MAKER, demo.REGISTRATION, at=START,
                                       command_id=command_id).repeated

            results = run_together([(lambda e=e: register(e))  # type: ignore[misc]
                                    for e in engines])
            assert sorted(results) == [False, True, True, True]
    finally:
        for engine in engines:
            close(engine)
