"""Several writers at once on one plan, on a SQLite file and on PostgreSQL.

Threads stand in for case systems and tick workers sharing one database. Every accepted
command is stored once, a writer that lost a race is told so (StaleWrite) and stores nothing,
and the log stays one unbroken chain that replays to the stored plan.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from workflow import Actor, Engine, FakeClock, Refused, StaleWrite
from workflow.core.events import Event
from workflow.core.plan import Deadline, Plan, StoredPlan
from workflow.service import demo
from workflow.store.sql import SqlStore

from .scenario import PLAN_ID, START, assert_log_is_sound, close, play

T = TypeVar("T")

HOSPITAL, INSURER, MAKER, SECOND, ENSCHEDE = (
    demo.HOSPITAL, demo.INSURER, demo.MAKER, demo.SECOND, demo.ENSCHEDE)
COMMITTING = (MAKER, HOSPITAL, ENSCHEDE)


class BarrierStore(SqlStore):
    """Holds its first save until every writer sharing the barrier has read the plan."""

    def __init__(self, url: str, barrier: threading.Barrier) -> None:
        super().__init__(url)
        self.barrier = barrier
        self.held = False

    def save(self, plan: Plan, events: Sequence[Event], *, expected_seq: int | None,
             deadlines: Sequence[Deadline], command_id: str | None = None,
             **options: Any) -> StoredPlan:
        if not self.held:
            self.held = True
            self.barrier.wait(timeout=30)
        return super().save(plan, events, expected_seq=expected_seq, deadlines=deadlines,
                            command_id=command_id, **options)


def run_together(tasks: list[Callable[[], T]]) -> list[T]:
    """Start every task at once on its own thread; their results, or their first error."""
    start = threading.Barrier(len(tasks))

    def go(task: Callable[[], T]) -> T:
        start.wait(timeout=30)
        return task()

    with ThreadPoolExecutor(max_workers=len(tasks)) as pool:
        futures = [pool.submit(go, task) for task in tasks]
        return [f.result(timeout=120) for f in futures]


def commit_until_stored(engine: Engine, actor: Actor, at: Any, stale: Counter[str]) -> int:
    """Fire one commitment, retrying after a lost race; the number of tries it took."""
    for attempt in range(1, 50):
        try:
            engine.fire(PLAN_ID, "record_commitment", actor, at=at,
                        command_id=f"commit-{actor.org}")
            return attempt
        except StaleWrite:
            stale[actor.org] += 1
    raise AssertionError(f"{actor.org} never got its commitment stored")


@pytest.mark.parametrize("copy", ["fresh", "working copy"])
def test_racing_commitments_are_each_stored_once(db_url: str, copy: str) -> None:
    """A4 §1.b.1: every party commits to the plan; each commitment is one event, also when all
    parties commit at the same moment through their own systems.

    Given a plan in joint review and five parties, each with its own Engine on one database
    (reading the plan afresh, or holding a working copy from an earlier command)
    When all five record their commitment at once, retrying with the same command id when told
    their read was stale
    Then each commitment is stored exactly once, the plan lists all five, and the log verifies
    and replays to the stored plan.
    """
    setup = Engine(db_url, FakeClock(START))
    at = play(setup, PLAN_ID, "approve_social_domain_parts") + timedelta(days=1)
    length = len(setup.history(PLAN_ID))
    engines = [Engine(db_url, FakeClock(START)) for _ in COMMITTING]
    if copy == "working copy":
        for engine, actor in zip(engines, COMMITTING, strict=True):
            with pytest.raises(Refused):
                engine.fire(PLAN_ID, "approve_quick_test", actor, at=at)
    stale: Counter[str] = Counter()
    try:
        tries = run_together([
            (lambda e=e, a=a: commit_until_stored(e, a, at, stale))  # type: ignore[misc]
            for e, a in zip(engines, COMMITTING, strict=True)
        ])
        log = assert_log_is_sound(setup, PLAN_ID)
        commitments = [e.actor["org"] for e in log if e.trigger == "record_commitment"]
        assert sorted(commitments) == sorted(a.org for a in COMMITTING)
        assert len(log) == length + len(COMMITTING)
        assert sorted(setup.state(PLAN_ID).facts["commitments"]) == sorted(commitments)
        assert sum(tries) == len(COMMITTING) + sum(stale.values())
    finally:
        for engine in (setup, *engines):
            close(engine)


@pytest.mark.parametrize("pinned", [False, True], ids=["unpinned", "pinned"])
def test_of_writers_that_read_the_same_version_one_wins_and_the_others_are_judged_again(
    db_url: str, pinned: bool,
) -> None:
    """A4 §1.3 (reviews in parallel) with DESIGN.md "Event log": of several commands that read
    the same version of a plan, one is stored first; the others are judged again on the
    fresh plan and stored, unless the caller pinned the version it read (`expected_seq`):
    then they are refused whole as stale and store nothing.

    Given a plan in joint review and four reviewers' Engines held until all have read it
    When all four save their review at once (pinning the version read, or not)
    Then unpinned, all four reviews are stored once each; pinned, exactly one is stored and
    three are refused as stale, and retried they are all in the plan once each.
    """
    setup = Engine(db_url, FakeClock(START))
    at = play(setup, PLAN_ID, "accept_plan_as_complete") + timedelta(days=1)
    coordinator = Actor("regional_coordinator", "Regiocoördinator Noord", "Groningen")
    setup.fire(PLAN_ID, "assign_regional_coordinator", ENSCHEDE,
               {"org": coordinator.org, "region": coordinator.region}, at=at)
    length = len(setup.history(PLAN_ID))
    seq = setup.state(PLAN_ID).seq
    reviewers = (INSURER, SECOND, ENSCHEDE, coordinator)
    barrier = threading.Barrier(len(reviewers))
    engines = [Engine(store=BarrierStore(db_url, barrier), clock=FakeClock(START))
               for _ in reviewers]

    def review(engine: Engine, actor: Actor) -> str:
        try:
            engine.fire(PLAN_ID, "submit_review", actor, {"verdict": "positive"}, at=at,
                        expected_seq=seq if pinned else None)
        except StaleWrite:
            return "stale"
        return "stored"

    try:
        results = run_together([
            (lambda e=e, a=a: review(e, a))  # type: ignore[misc]
            for e, a in zip(engines, reviewers, strict=True)
        ])
        log = assert_log_is_sound(setup, PLAN_ID)
        if pinned:
            assert sorted(results) == ["stale", "stale", "stale", "stored"]
            assert len(log) == length + 1
            assert len(setup.state(PLAN_ID).facts["reviews"]) == 1
            for engine, actor, result in zip(engines, reviewers, results, strict=True):
                if result == "stale":
                    engine.fire(PLAN_ID, "submit_review", actor, {"verdict": "positive"},
                                at=at)
            log = assert_log_is_sound(setup, PLAN_ID)
        else:
            assert results == ["stored"] * 4
        reviewed = Counter(e.actor["org"] for e in log if e.trigger == "submit_review")
        assert reviewed == Counter(a.org for a in reviewers)
    finally:
        for engine in (setup, *engines):
            close(engine)


def quick_tests_under_review(engine: Engine, count: int) -> list[str]:
    """`count` plans with a running quick-test decision deadline, one a day apart."""
    ids = [f"QT-{n}" for n in range(1, count + 1)]
    for n, pid in enumerate(ids):
        play(engine, pid, "accept_quick_test_as_complete",
             start=f"2027-01-{11 + n:02d}T09:00:00+01:00")
    return ids


def test_two_tick_workers_at_once_expire_each_deadline_once(db_url: str) -> None:
    """A4 §1.5.1 with DESIGN.md "Deadlines": a deadline that passes unmet produces one
    `deadline_expired` event, however many tick workers run.

    Given five plans with a passed quick-test decision deadline and two tick workers
    When both workers tick at the same moment
    Then together they expire each deadline exactly once, and every log verifies and replays.
    """
    setup = Engine(db_url, FakeClock(START))
    ids = quick_tests_under_review(setup, 5)
    workers = [Engine(db_url, FakeClock(START)) for _ in range(2)]
    now = "2027-06-01T00:00:00+02:00"
    try:
        ticked = run_together([(lambda w=w: w.tick(now)) for w in workers])  # type: ignore[misc]
        expired = [(e.plan_id, e.payload["deadline"]) for batch in ticked for e in batch]
        assert sorted(expired) == [(pid, "quick_test_decision") for pid in ids]
        for pid in ids:
            log = assert_log_is_sound(setup, pid)
            assert [e.trigger for e in log].count("deadline_expired") == 1
        assert setup.tick(now) == []
    finally:
        for engine in (setup, *workers):
            close(engine)


def test_tick_worker_that_lost_the_race_retries_and_expires_nothing_twice(db_url: str) -> None:
    """A4 §1.5.1: two tick workers that both read a plan with a passed deadline do not both
    expire it; the one whose save comes second rereads the plan and finds nothing left to do.

    Given one plan with a passed quick-test decision deadline
    When two tick workers, both holding the plan as read, save at the same moment
    Then the deadline is expired once in all, by one of them.
    """
    setup = Engine(db_url, FakeClock(START))
    quick_tests_under_review(setup, 1)
    barrier = threading.Barrier(2)
    workers = [Engine(store=BarrierStore(db_url, barrier), clock=FakeClock(START))
               for _ in range(2)]
    now = "2027-06-01T00:00:00+02:00"
    try:
        ticked = run_together([(lambda w=w: w.tick(now)) for w in workers])  # type: ignore[misc]
        assert sorted(len(batch) for batch in ticked) == [0, 1]
        log = assert_log_is_sound(setup, "QT-1")
        assert [e.trigger for e in log].count("deadline_expired") == 1
    finally:
        for engine in (setup, *workers):
            close(engine)


def test_an_engine_whose_copies_go_stale_reads_afresh_and_back(db_url: str) -> None:
    """Two Engines take turns on one plan: the first one's working copy is stale at every
    command, so after a few refused saves (`stale_copies`) it reads the plan before each
    command instead and stops paying for them; once the other stops writing, the copies it
    compares with each read are current again and it goes back to judging on them."""
    first, second = Engine(db_url, FakeClock(START)), Engine(db_url, FakeClock(START))
    try:
        at = play(first, PLAN_ID, "record_costs")
        costs = {"amount_eur": 10, "period": "2027-H1"}
        for _ in range(30):
            for engine in (first, second):
                at += timedelta(minutes=1)
                engine.fire(PLAN_ID, "record_costs", MAKER, costs, at=at)
        assert 3 <= first.stale_copies <= 10
        assert first.lost_races == 0
        taken = first.stale_copies
        for _ in range(40):  # alone now: its copies serve again
            at += timedelta(minutes=1)
            first.fire(PLAN_ID, "record_costs", MAKER, costs, at=at)
        assert first.stale_copies == taken
        assert first._stale_share < 0.5
        assert_log_is_sound(first, PLAN_ID)
    finally:
        close(second)
        close(first)
