"""The service on a real database: load, apply, save as one command, on SQLite and PostgreSQL.

Every refused command leaves the database as it was; two writers racing for one plan never
both win; a command sent twice is applied once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from workflow import Actor, Engine, FakeClock, Refused, StaleWrite, UnknownPlan
from workflow.core.events import Event
from workflow.core.plan import Deadline, Plan, StoredPlan
from workflow.core.timecalc import parse_at
from workflow.service import demo
from workflow.store.sql import SqlStore

from .scenario import PLAN_ID, START, assert_log_is_sound, close, day, deadline_rows, play

INSURER, MAKER, SECOND, NZA = demo.INSURER, demo.MAKER, demo.SECOND, demo.NZA


def stored(engine: Engine, plan_id: str = PLAN_ID) -> tuple[object, ...]:
    """Everything the database holds of a plan: the plan, the log and the deadline rows."""
    store = engine.store
    return (
        engine.state(plan_id).to_dict(),
        [e.to_dict() for e in engine.history(plan_id)],
        deadline_rows(store.stored_deadlines(plan_id)),
    )


class InterleavingStore(SqlStore):
    """A store that lets another writer in between a command's read and its save."""

    meanwhile: Callable[[], object] | None = None

    def save(self, plan: Plan, events: Sequence[Event], *, expected_seq: int | None,
             deadlines: Sequence[Deadline], command_id: str | None = None,
             **options: Any) -> StoredPlan:
        other, self.meanwhile = self.meanwhile, None
        if other is not None:
            other()
        return super().save(plan, events, expected_seq=expected_seq, deadlines=deadlines,
                            command_id=command_id, **options)


# -- the whole process on a database ---------------------------------------------------------------


def test_demo_plan_is_stored_as_the_engine_left_it_after_every_command(engine: Engine) -> None:
    """DESIGN.md "Event log": after every command the stored plan is the one the command
    produced, and replaying the stored log gives it again (A4 §1.5.1 breach, §3.a.5 close).

    Given the demo played command by command on the database
    When the plan is read back after each command
    Then it equals the plan the command returned; at the end the plan is closed with one
    breach, and its log verifies and replays to the stored plan.
    """
    for step, at in demo.moments():
        if step.actor is None:
            engine.tick(at)
            continue
        if step.trigger == "register_plan":
            fired = engine.register(PLAN_ID, step.actor, step.payload, at=at)
        else:
            fired = engine.fire(PLAN_ID, step.trigger, step.actor, step.payload, at=at)
        assert engine.state(PLAN_ID).to_dict() == fired.plan.to_dict()
        assert [e.to_dict() for e in engine.history(PLAN_ID)[-len(fired.events):]] == [
            e.to_dict() for e in fired.events]
    plan = engine.state(PLAN_ID)
    assert (plan.state, plan.breaches) == ("closed", ["quick_test_decision"])
    assert_log_is_sound(engine, PLAN_ID)


# -- refused commands ----------------------------------------------------------------------------

REFUSALS: list[tuple[str, str, Actor, dict[str, Any], str]] = [
    # (what, trigger, actor, payload, rule)
    ("role may not fire", "approve_quick_test", MAKER, {}, "role_may_fire"),
    ("another insurer", "approve_quick_test", Actor("coordinating_insurer", "CZ"), {},
     "is_party_of_plan"),
    ("not in this state", "submit_plan", MAKER, demo.IMPACT, "allowed_in_state"),
    ("guard fails", "reject_quick_test", INSURER, {"reason": " "}, "has_reason"),
    ("payload malformed", "reject_quick_test", INSURER, {}, "payload_matches_schema"),
    ("unknown trigger", "approve_everything", INSURER, {}, "known_trigger"),
    ("registered already", "register_plan", MAKER, demo.REGISTRATION, "is_new_plan"),
    ("system role", "approve_quick_test", Actor("system", "azwa"), {}, "role_may_fire"),
]


@pytest.mark.parametrize(("trigger", "actor", "payload", "rule"),
                         [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
def test_refused_command_stores_nothing(
    engine: Engine, trigger: str, actor: Actor, payload: dict[str, Any], rule: str
) -> None:
    """DESIGN.md "Who acts": a refused command is refused with its rule and changes nothing
    (A4 §1.5.1 for the quick-test decision used here).

    Given a plan whose quick test is under review, its decision deadline running
    When a command the rules forbid is fired
    Then it is refused naming the rule, and the plan, the log and the deadline rows are as
    before; the allowed command after it is stored.
    """
    at = play(engine, PLAN_ID, "accept_quick_test_as_complete")
    before = stored(engine)
    with pytest.raises(Refused) as refused:
        engine.fire(PLAN_ID, trigger, actor, payload, at=at + timedelta(days=1))
    assert refused.value.rule == rule
    assert stored(engine) == before
    fired = engine.fire(PLAN_ID, "approve_quick_test", INSURER, at=at + timedelta(days=1))
    assert engine.state(PLAN_ID).to_dict() == fired.plan.to_dict()


def test_refused_command_after_a_deadline_passed_does_not_store_the_expiry(
    engine: Engine,
) -> None:
    """A4 §1.5.1 with DESIGN.md "Deadlines": a deadline expires as part of the next accepted
    command or tick; a refused command stores neither the expiry nor anything else.

    Given a quick test under review whose 4-week decision deadline has passed
    When a refused command arrives after the deadline
    Then no `deadline_expired` event is stored and the deadline is still running in the
    database; the next tick expires it once.
    """
    at = play(engine, PLAN_ID, "accept_quick_test_as_complete", ticks=False)
    late = at + timedelta(weeks=6)
    before = stored(engine)
    with pytest.raises(Refused):
        engine.fire(PLAN_ID, "approve_quick_test", MAKER, at=late)
    assert stored(engine) == before
    assert [(d.plan_id, d.name) for d in engine.store.due(late)] == [
        (PLAN_ID, "quick_test_decision")]
    expired = engine.tick(late)
    assert [(e.trigger, e.payload["deadline"]) for e in expired] == [
        ("deadline_expired", "quick_test_decision")]
    assert engine.tick(late) == []


def test_command_before_the_plans_last_event_is_refused_and_stores_nothing(
    engine: Engine,
) -> None:
    """DESIGN.md "Replay": time moves only forward for a plan.

    Given a plan whose last event is at t
    When a command is fired at a moment before t
    Then it is refused and nothing is stored; at t itself it is accepted.
    """
    at = play(engine, PLAN_ID, "accept_quick_test_as_complete")
    before = stored(engine)
    with pytest.raises(Refused) as refused:
        engine.fire(PLAN_ID, "approve_quick_test", INSURER, at=at - timedelta(seconds=1))
    assert refused.value.rule == "time_moves_forward"
    assert stored(engine) == before
    engine.fire(PLAN_ID, "approve_quick_test", INSURER, at=at)
    assert engine.state(PLAN_ID).state == "plan_in_preparation"


def test_command_at_a_time_without_zone_is_rejected_and_stores_nothing(engine: Engine) -> None:
    """DESIGN.md "Event log": every `at` is an instant with an offset, never guessed.

    Given a registered plan
    When a command gives a time without a time zone
    Then it is rejected and nothing is stored.
    """
    play(engine, PLAN_ID, "register_plan")
    before = stored(engine)
    with pytest.raises(ValueError):
        engine.fire(PLAN_ID, "hold_start_meeting", INSURER, at=datetime(2027, 1, 12, 9))
    assert stored(engine) == before


def test_refused_registration_stores_nothing(engine: Engine) -> None:
    """A4 §1.a.2: an incomplete registration, or one by an outsider, registers no plan; a
    second registration of a plan id leaves the first as it was.

    Given an empty database
    When an incomplete registration and a registration by a non-party are fired
    Then both are refused and no plan exists; when the plan is registered and registered
    again, the second is refused and the first is kept.
    """
    incomplete = {**demo.REGISTRATION, "title": ""}
    with pytest.raises(Refused) as refused:
        engine.register(PLAN_ID, MAKER, incomplete, at=START)
    assert refused.value.rule == "is_valid_registration"
    with pytest.raises(Refused) as refused:
        engine.register(PLAN_ID, Actor("plan_maker", "Onbekende Zorg BV"), demo.REGISTRATION,
                        at=START)
    assert refused.value.rule == "is_registrant_a_party"
    with pytest.raises(UnknownPlan):
        engine.state(PLAN_ID)
    assert engine.plans() == []
    engine.register(PLAN_ID, MAKER, demo.REGISTRATION, at=START)
    before = stored(engine)
    with pytest.raises(Refused) as refused:
        engine.register(PLAN_ID, MAKER, {**demo.REGISTRATION, "title": "Anders"}, at=day(1))
    assert refused.value.rule == "unique_plan_id"
    assert stored(engine) == before


# -- optimistic concurrency ------------------------------------------------------------------------


def test_a_command_that_lost_the_race_is_judged_again_on_the_fresh_plan(db_url: str) -> None:
    """DESIGN.md "Event log" (one chain per plan, A4 §1.3 joint review): two case systems
    that read the same plan cannot both append to what they read; the later command is
    judged again on the plan as it now is, and stored when the rules still allow it.

    Given two Engines on one database and a plan in joint review
    When both read the plan and fire a review, the second Engine's save landing first
    Then both reviews are stored, the later one after the earlier, and the log is sound.
    """
    first = Engine(store=InterleavingStore(db_url), clock=FakeClock(START))
    second = Engine(db_url, FakeClock(START))
    try:
        at = play(second, PLAN_ID, "accept_plan_as_complete")
        length = len(second.history(PLAN_ID))
        first_store = first.store
        assert isinstance(first_store, InterleavingStore)
        first_store.meanwhile = lambda: second.fire(
            PLAN_ID, "submit_review", SECOND, {"verdict": "negative"}, at=at + timedelta(hours=1))
        fired = first.fire(PLAN_ID, "submit_review", INSURER, {"verdict": "positive"},
                           at=at + timedelta(hours=1))
        assert [e.seq for e in fired.events] == [length + 2]
        assert engine_reviews(second) == {"second_insurer:Zilveren Kruis": "negative",
                                          "coordinating_insurer:Menzis": "positive"}
        assert_log_is_sound(second, PLAN_ID)
    finally:
        close(first)
        close(second)


def test_a_command_the_fresh_plan_no_longer_allows_is_refused_by_its_rule(db_url: str) -> None:
    """A4 §1.3: an organisation reviews once (a second review names the verdict it
    replaces). When its own other system stored a review between this command's read and
    save, the command judged again is refused by that rule, and stores nothing."""
    first = Engine(store=InterleavingStore(db_url), clock=FakeClock(START))
    second = Engine(db_url, FakeClock(START))
    try:
        at = play(second, PLAN_ID, "accept_plan_as_complete")
        length = len(second.history(PLAN_ID))
        first_store = first.store
        assert isinstance(first_store, InterleavingStore)
        first_store.meanwhile = lambda: second.fire(
            PLAN_ID, "submit_review", INSURER, {"verdict": "negative"}, at=at + timedelta(hours=1))
        with pytest.raises(Refused) as refused:
            first.fire(PLAN_ID, "submit_review", INSURER, {"verdict": "positive"},
                       at=at + timedelta(hours=1))
        assert "reviewed already (negative)" in refused.value.reason
        assert len(second.history(PLAN_ID)) == length + 1
        assert engine_reviews(second) == {"coordinating_insurer:Menzis": "negative"}
    finally:
        close(first)
        close(second)


def test_a_caller_that_pinned_the_version_it_read_is_told_it_is_stale(db_url: str) -> None:
    """DESIGN.md "Event log": `expected_seq` says "only on the plan as I saw it": when
    another command got there first, the caller is refused as stale and nothing is stored;
    a retry without the pin succeeds."""
    first = Engine(store=InterleavingStore(db_url), clock=FakeClock(START))
    second = Engine(db_url, FakeClock(START))
    try:
        at = play(second, PLAN_ID, "accept_plan_as_complete")
        seen = second.state(PLAN_ID).seq
        first_store = first.store
        assert isinstance(first_store, InterleavingStore)
        first_store.meanwhile = lambda: second.fire(
            PLAN_ID, "submit_review", SECOND, {"verdict": "negative"}, at=at + timedelta(hours=1))
        with pytest.raises(StaleWrite):
            first.fire(PLAN_ID, "submit_review", INSURER, {"verdict": "positive"},
                       at=at + timedelta(hours=1), expected_seq=seen)
        assert engine_reviews(second) == {"second_insurer:Zilveren Kruis": "negative"}
        first.fire(PLAN_ID, "submit_review", INSURER, {"verdict": "positive"},
                   at=at + timedelta(hours=1))
        assert len(engine_reviews(second)) == 2
        assert_log_is_sound(second, PLAN_ID)
    finally:
        close(first)
        close(second)


def engine_reviews(engine: Engine) -> dict[str, str]:
    return {k: v["verdict"] for k, v in engine.state(PLAN_ID).facts["reviews"].items()}


def test_second_of_two_registrations_of_one_id_is_refused(db_url: str) -> None:
    """A4 §1.a.2: a plan id is registered once, also when two registrations race.

    Given two Engines on one database
    When both register the same plan id, the second Engine's registration landing first
    Then the first is refused as a duplicate and the stored plan is the second's.
    """
    first = Engine(store=InterleavingStore(db_url), clock=FakeClock(START))
    second = Engine(db_url, FakeClock(START))
    try:
        first_store = first.store
        assert isinstance(first_store, InterleavingStore)
        first_store.meanwhile = lambda: second.register(
            PLAN_ID, MAKER, {**demo.REGISTRATION, "title": "Tweede"}, at=START)
        with pytest.raises(Refused) as refused:
            first.register(PLAN_ID, MAKER, demo.REGISTRATION, at=START)
        assert refused.value.rule == "unique_plan_id"
        assert second.state(PLAN_ID).attrs["title"] == "Tweede"
        assert len(second.history(PLAN_ID)) == 1
    finally:
        close(first)
        close(second)


def test_expected_seq_that_moved_on_is_refused(engine: Engine) -> None:
    """DESIGN.md "Event log": a caller that read version n of a plan may say so; if the plan
    has moved on, the command is refused and nothing is stored.

    Given a plan at seq n
    When a command says it expects seq n - 1
    Then it is refused as stale and nothing is stored; expecting seq n, it is applied.
    """
    at = play(engine, PLAN_ID, "hold_start_meeting")
    seq = engine.state(PLAN_ID).seq
    before = stored(engine)
    with pytest.raises(StaleWrite):
        engine.fire(PLAN_ID, "agree_character", INSURER, {"character": "scaling"}, at=at,
                    expected_seq=seq - 1)
    assert stored(engine) == before
    fired = engine.fire(PLAN_ID, "agree_character", INSURER, {"character": "scaling"}, at=at,
                        expected_seq=seq)
    assert fired.plan.seq == seq + 1
    assert engine.state(PLAN_ID).facts["character"] == "scaling"


# -- an Engine's working copy against another Engine's writes -------------------------------------


def two_engines(db_url: str) -> tuple[Engine, Engine]:
    return Engine(db_url, FakeClock(START)), Engine(db_url, FakeClock(START))


def test_command_allowed_only_on_an_outdated_copy_is_refused(db_url: str) -> None:
    """A4 §1.5.1: once the quick test is under review, information can no longer be requested;
    an Engine that last saw the quick test as submitted must not decide otherwise.

    Given Engine A that submitted the quick test, and Engine B that then accepted it as complete
    When A requests information, which the quick test as A last saw it would allow
    Then the request is refused as not possible in `quick_test_under_review`, and the plan
    stays as B left it.
    """
    a, b = two_engines(db_url)
    try:
        at = play(a, PLAN_ID, "submit_quick_test")
        b.fire(PLAN_ID, "accept_quick_test_as_complete", INSURER, at=at)
        before = stored(b)
        with pytest.raises(Refused) as refused:
            a.fire(PLAN_ID, "request_information", INSURER, {"missing": ["begroting"]}, at=at)
        assert refused.value.rule == "allowed_in_state"
        assert stored(b) == before
    finally:
        close(a)
        close(b)


def test_command_refused_only_on_an_outdated_copy_is_applied(db_url: str) -> None:
    """A4 §1.8.1: the quick test may be submitted once the character is agreed, whichever
    system recorded the agreement.

    Given Engine A that held the start meeting, and Engine B that then agreed the character
    When A's plan maker submits the quick test
    Then it is applied on the plan as stored, with the character B recorded.
    """
    a, b = two_engines(db_url)
    try:
        at = play(a, PLAN_ID, "hold_start_meeting")
        b.fire(PLAN_ID, "agree_character", INSURER, {"character": "scaling"}, at=at)
        fired = a.fire(PLAN_ID, "submit_quick_test", MAKER, at=at)
        assert fired.plan.state == "quick_test_submitted"
        assert b.state(PLAN_ID).facts["character"] == "scaling"
        assert_log_is_sound(b, PLAN_ID)
    finally:
        close(a)
        close(b)


def test_no_write_of_another_engine_is_lost(db_url: str) -> None:
    """A4 §1.3: both insurers and the municipality review in parallel, each through its own
    system; every review is kept.

    Given Engine A that recorded the coordinating insurer's review, and Engine B that then
    recorded the second insurer's
    When A records the municipality's review
    Then the plan holds all three reviews and the log verifies and replays.
    """
    a, b = two_engines(db_url)
    try:
        at = play(a, PLAN_ID, "accept_plan_as_complete")
        a.fire(PLAN_ID, "submit_review", INSURER, {"verdict": "positive"}, at=at)
        b.fire(PLAN_ID, "submit_review", SECOND, {"verdict": "positive"}, at=at)
        a.fire(PLAN_ID, "submit_review", demo.ENSCHEDE, {"verdict": "conditional"}, at=at)
        assert engine_reviews(b) == {"coordinating_insurer:Menzis": "positive",
                                     "second_insurer:Zilveren Kruis": "positive",
                                     "municipality:Gemeente Enschede": "conditional"}
        assert_log_is_sound(b, PLAN_ID)
    finally:
        close(a)
        close(b)


def test_deadline_expired_by_another_engine_is_not_expired_again(db_url: str) -> None:
    """A4 §1.5.1 with DESIGN.md "Deadlines": one `deadline_expired` event per passed deadline,
    also when another process's tick expired it after this Engine last saw the plan.

    Given Engine A that accepted the quick test, and Engine B whose tick then expired its
    decision deadline
    When A approves the quick test after the deadline
    Then the approval is applied and the log holds one `deadline_expired`, B's.
    """
    a, b = two_engines(db_url)
    try:
        at = play(a, PLAN_ID, "accept_quick_test_as_complete", ticks=False)
        late = at + timedelta(weeks=6)
        assert len(b.tick(late)) == 1
        fired = a.fire(PLAN_ID, "approve_quick_test", INSURER, at=late)
        assert [e.trigger for e in fired.events] == ["approve_quick_test"]
        log = assert_log_is_sound(b, PLAN_ID)
        assert [e.trigger for e in log].count("deadline_expired") == 1
        assert b.state(PLAN_ID).breaches == ["quick_test_decision"]
    finally:
        close(a)
        close(b)


# -- idempotent commands ---------------------------------------------------------------------------


def test_same_command_id_twice_applies_once(db_url: str) -> None:
    """DESIGN.md "Event log": every accepted trigger is one event; a command resent (a retry
    after a lost answer) is recognised by its id, also by an Engine started later.

    Given a command with an id that expired a deadline and approved the quick test
    When the same command id is sent again, to the same and to a new Engine
    Then each answers `repeated` with the first call's events and the log does not grow,
    though the trigger itself would now be refused.
    """
    engine = Engine(db_url, FakeClock(START))
    try:
        at = play(engine, PLAN_ID, "accept_quick_test_as_complete", ticks=False)
        late = at + timedelta(weeks=5)
        fired = engine.fire(PLAN_ID, "approve_quick_test", INSURER, at=late, command_id="c-42")
        assert [e.trigger for e in fired.events] == ["deadline_expired", "approve_quick_test"]
        assert not fired.repeated
        log = [e.to_dict() for e in engine.history(PLAN_ID)]
        again = engine.fire(PLAN_ID, "approve_quick_test", INSURER, at=late, command_id="c-42")
        assert again.repeated
        assert [e.to_dict() for e in again.events] == [e.to_dict() for e in fired.events]
        assert [e.to_dict() for e in engine.history(PLAN_ID)] == log
        assert again.plan.to_dict() == fired.plan.to_dict()
    finally:
        close(engine)
    restarted = Engine(db_url, FakeClock(START))
    try:
        third = restarted.fire(PLAN_ID, "approve_quick_test", INSURER, at=late,
                               command_id="c-42")
        assert third.repeated
        assert [e.to_dict() for e in third.events] == [e.to_dict() for e in fired.events]
        assert [e.to_dict() for e in restarted.history(PLAN_ID)] == log
        with pytest.raises(Refused):
            restarted.fire(PLAN_ID, "approve_quick_test", INSURER, at=late, command_id="c-43")
    finally:
        close(restarted)


def test_command_resent_through_another_engine_mid_save_applies_once(db_url: str) -> None:
    """A4 §3.a.1 and §3.a.4 with DESIGN.md "Event log": costs are recorded once per command;
    a command resent through a second system while the first is still saving it (a retry
    after a timeout) must not be recorded twice, or the refund computed at settlement is wrong.

    Given Engine A that has been working on a plan in implementation, and Engine B
    When A records costs with command id `cost-1`, and while A saves, the same command with
    the same id arrives through B and is stored first
    Then the costs are recorded once: one `record_costs` event, 100,000 euro of costs;
    A answers that the command was a repeat (or that its save was stale), never a second entry.
    """
    a = Engine(store=InterleavingStore(db_url), clock=FakeClock(START))
    b = Engine(db_url, FakeClock(START))
    try:
        at = play(a, PLAN_ID, "issue_payment_decision")
        costs = {"amount_eur": 100000, "period": "2027-H1"}
        a_store = a.store
        assert isinstance(a_store, InterleavingStore)
        a_store.meanwhile = lambda: b.fire(PLAN_ID, "record_costs", MAKER, costs, at=at,
                                           command_id="cost-1")
        answer: Any
        try:
            answer = a.fire(PLAN_ID, "record_costs", MAKER, costs, at=at, command_id="cost-1")
        except StaleWrite as stale:
            answer = stale
        log = assert_log_is_sound(b, PLAN_ID)
        assert [e.trigger for e in log].count("record_costs") == 1
        assert b.state(PLAN_ID).funds["costs_cents"] == 100000_00
        assert isinstance(answer, StaleWrite) or answer.repeated
    finally:
        close(a)
        close(b)


def test_same_registration_id_twice_registers_once(engine: Engine) -> None:
    """A4 §1.a.2: a registration resent with its command id registers one plan.

    Given a plan registered with a command id
    When the registration is sent again with that id
    Then it answers `repeated` with the first event and the plan has one event.
    """
    fired = engine.register(PLAN_ID, MAKER, demo.REGISTRATION, at=START, command_id="reg-1")
    again = engine.register(PLAN_ID, MAKER, demo.REGISTRATION, at=START, command_id="reg-1")
    assert again.repeated
    assert [e.to_dict() for e in again.events] == [e.to_dict() for e in fired.events]
    assert len(engine.history(PLAN_ID)) == 1


def test_refused_command_leaves_its_command_id_unused(engine: Engine) -> None:
    """DESIGN.md "Who acts": a refused command changes nothing, its id included.

    Given a command with an id that is refused
    When a command the rules allow is sent with that id
    Then it is applied, not answered as a repeat.
    """
    at = play(engine, PLAN_ID, "register_plan")
    with pytest.raises(Refused):
        engine.fire(PLAN_ID, "submit_quick_test", MAKER, at=at, command_id="c-1")
    assert engine.store.command_events("c-1") is None
    fired = engine.fire(PLAN_ID, "hold_start_meeting", INSURER, at=at, command_id="c-1")
    assert not fired.repeated
    assert engine.state(PLAN_ID).state == "start_meeting_held"


# -- ticks and the clock changes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accepted_at", "just_before", "expiry"),
    [
        # started in winter time, due after the clocks went forward (A4 §1.5.1: 4 weeks)
        ("2027-03-10T10:00:00+01:00", "2027-04-07T23:59:59.999999+02:00",
         "2027-04-07T22:00:00+00:00"),
        # started in summer time, due after the clocks went back
        ("2027-10-10T10:00:00+02:00", "2027-11-07T23:59:59.999999+01:00",
         "2027-11-07T23:00:00+00:00"),
    ],
    ids=["into-summer-time", "into-winter-time"],
)
def test_tick_expires_a_deadline_at_the_first_instant_after_its_due_day(
    engine: Engine, accepted_at: str, just_before: str, expiry: str
) -> None:
    """A4 §1.5.1 with DESIGN.md "Deadlines": the quick-test decision is due at the end of the
    Amsterdam day 4 weeks on, across a clock change, and expires exactly once.

    Given a quick test accepted as complete 4 weeks before a clock change
    When the clock ticks at the last microsecond of the due day, then at the next local
    midnight given in UTC, then again
    Then the first tick expires nothing, the second expires the deadline with an event at that
    midnight, and the third expires nothing.
    """
    start = parse_at(accepted_at) - timedelta(days=40)
    play(engine, PLAN_ID, "resubmit_quick_test", start=start.isoformat())
    engine.fire(PLAN_ID, "accept_quick_test_as_complete", INSURER, at=accepted_at)
    assert engine.tick(just_before) == []
    assert engine.store.due(parse_at(just_before)) == []
    expired = engine.tick(expiry)
    assert [(e.trigger, e.payload["deadline"]) for e in expired] == [
        ("deadline_expired", "quick_test_decision")]
    assert parse_at(expired[0].at) == parse_at(expiry)
    assert expired[0].at.endswith("T00:00:00" + just_before[-6:])
    assert engine.tick(expiry) == []
    assert engine.tick(parse_at(expiry) + timedelta(days=400)) == []
    assert engine.state(PLAN_ID).breaches == ["quick_test_decision"]
    assert_log_is_sound(engine, PLAN_ID)


def test_tick_expires_across_plans_in_due_order(engine: Engine) -> None:
    """A4 §1.5.1: one tick expires every due deadline of every plan, earliest first.

    Given three plans, registered in another order than their quick-test decisions fall due
    When one tick runs after all of them
    Then it expires all three, in the order they fell due, and a second tick expires nothing.
    """
    starts = {"P-3": "2027-01-13T09:00:00+01:00", "P-1": "2027-01-11T09:00:00+01:00",
              "P-2": "2027-01-12T09:00:00+01:00"}
    for pid, start in starts.items():
        play(engine, pid, "accept_quick_test_as_complete", start=start)
    expired = engine.tick("2027-06-01T00:00:00+02:00")
    assert [e.plan_id for e in expired] == ["P-1", "P-2", "P-3"]
    assert engine.tick("2027-06-01T00:00:00+02:00") == []


# -- reading plans -------------------------------------------------------------------------------


def test_plans_filter_by_state_and_region(engine: Engine) -> None:
    """DESIGN.md "Plan attributes": plans are listed by state and region, newest activity
    first, with their next due deadline.

    Given two plans in Twente at different states and one in Rijnmond
    When plans are listed by state, by region and by both
    Then each list holds exactly the matching plans.
    """
    play(engine, "TW-1", "accept_quick_test_as_complete")
    play(engine, "TW-2", "hold_start_meeting", start="2027-01-12T09:00:00+01:00")
    rijnmond = {**demo.REGISTRATION, "region": "Rijnmond", "title": "Rijnmond samen"}
    engine.register("RM-1", MAKER, rijnmond, at="2027-01-13T09:00:00+01:00")

    def ids(**kw: Any) -> list[str]:
        return [p.plan_id for p in engine.plans(**kw)]

    assert ids() == ["TW-1", "TW-2", "RM-1"]
    assert ids(region="Twente") == ["TW-1", "TW-2"]
    assert ids(state="intent") == ["RM-1"]
    assert ids(state="start_meeting_held", region="Twente") == ["TW-2"]
    assert ids(state="intent", region="Twente") == []
    assert ids(region="Utrecht") == []
    assert ids(limit=1) == ["TW-1"]
    summary = engine.plans(state="quick_test_under_review")[0]
    assert (summary.region, summary.title, summary.track) == (
        "Twente", "Samen sterker in de wijk", "transformation")
    assert (summary.next_due, summary.next_deadline) == ("2027-03-12", "quick_test_decision")
    assert summary.next_expires_at == parse_at("2027-03-13T00:00:00+01:00")


def test_unknown_plan_is_reported_as_unknown(engine: Engine) -> None:
    """DESIGN.md "Who acts": a command or read for a plan nobody registered says so.

    Given an empty database
    When a plan id nobody registered is read or fired at
    Then each answer is UnknownPlan, and nothing is stored.
    """
    with pytest.raises(UnknownPlan):
        engine.state("NOPE-1")
    with pytest.raises(UnknownPlan):
        engine.history("NOPE-1")
    with pytest.raises(UnknownPlan):
        engine.allowed("NOPE-1", INSURER, START)
    with pytest.raises(UnknownPlan):
        engine.fire("NOPE-1", "hold_start_meeting", INSURER, at=START)
    assert engine.plans() == []
    assert engine.tick(START) == []


def test_command_id_used_for_another_plan_is_refused(engine: Engine) -> None:
    """DESIGN.md "Event log": a command id names one command, so one plan.

    Given a command id that was applied to one plan
    When the same id comes with a command for another plan
    Then it is refused, naming the plan the id belongs to, and the other plan is unchanged;
    and the database itself holds at most one row per command id.
    """
    at = play(engine, PLAN_ID, "register_plan")
    engine.fire(PLAN_ID, "hold_start_meeting", INSURER, at=at, command_id="c-7")
    play(engine, "OTHER", "register_plan")
    before = engine.state("OTHER").to_dict()
    with pytest.raises(Refused) as refused:
        engine.fire("OTHER", "hold_start_meeting", INSURER, at=at, command_id="c-7")
    assert refused.value.rule == "command_id_names_one_command"
    assert PLAN_ID in refused.value.message
    assert engine.state("OTHER").to_dict() == before
    with pytest.raises(StaleWrite):
        plan = engine.state("OTHER")
        engine.store.save(plan, [], expected_seq=plan.seq, deadlines=[], command_id="c-7")
