"""Plans at known points of the process, built from the demo's actors, payloads and times."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import states
from workflow.audit.replay import rebuild
from workflow.core.engine import Command, ProcessEngine
from workflow.core.events import Event, verify_chain
from workflow.core.plan import Deadline, Plan
from workflow.core.timecalc import parse_at
from workflow.service import demo
from workflow.service.api import Engine
from workflow.store.protocol import Store
from workflow.store.sql import SqlStore

START = demo.START
PLAN_ID = demo.PLAN_ID


def day(n: int, minute: int = 0, start: str = START) -> datetime:
    """`n` days after the demo's start (its own offset), plus `minutes`."""
    return parse_at(start) + timedelta(days=n, minutes=minute)


def play(engine: Engine, plan_id: str, until: str, *, start: str = START,
         ticks: bool = True) -> datetime:
    """Run the demo on `plan_id` up to and including the first step firing `until`; the
    moment of that step. With `ticks=False` due deadlines stay open until the next command."""
    return demo.play(engine, plan_id, until=until, start=start, ticks=ticks)


@dataclass(frozen=True, slots=True)
class Save:
    """What the service hands the store for one command."""

    trigger: str
    plan: Plan
    events: list[Event]
    expected_seq: int | None
    deadlines: list[Deadline]

    def into(self, store: Store, command_id: str | None = None) -> None:
        store.save(copy.deepcopy(self.plan), self.events, expected_seq=self.expected_seq,
                   deadlines=copy.deepcopy(self.deadlines), command_id=command_id)


def _changed(plan: Plan, before: dict[str, tuple[Any, ...]]) -> list[Deadline]:
    return [copy.deepcopy(d) for n, d in plan.deadlines.items()
            if before.get(n) != (d.status, d.expires_at)]


def _snapshot(plan: Plan) -> dict[str, tuple[Any, ...]]:
    return {n: (d.status, d.expires_at) for n, d in plan.deadlines.items()}


def demo_saves(plan_id: str = PLAN_ID, start: str = START) -> Iterator[Save]:
    """The demo as the store sees it: each save with the plan as it was right after it."""
    process = ProcessEngine(states.DEFAULT)
    plan: Plan | None = None
    for step, at in demo.moments(start):
        if step.trigger == "register_plan":
            assert step.actor is not None
            outcome = process.register(plan_id, step.actor, dict(step.payload), at)
            plan = outcome.plan
            yield Save(step.trigger, copy.deepcopy(plan), outcome.events, None,
                       copy.deepcopy(list(plan.deadlines.values())))
            continue
        assert plan is not None
        read_seq, before = plan.seq, _snapshot(plan)
        if step.actor is None:
            events = process.expire(plan, at)
            if not events:
                continue
        else:
            events = process.apply(
                plan, Command(step.trigger, step.actor, dict(step.payload), at)).events
        yield Save(step.trigger, copy.deepcopy(plan), events, read_seq, _changed(plan, before))


def close(engine: Engine) -> None:
    """Dispose of an Engine's connection pool, as a process does when it ends."""
    store = engine.store
    assert isinstance(store, SqlStore)
    store.close()


def deadline_rows(deadlines: list[Deadline] | dict[str, Deadline]) -> dict[str, tuple[Any, ...]]:
    """Deadlines as the deadlines table keeps them (the plan also counts extensions)."""
    items = deadlines.values() if isinstance(deadlines, dict) else deadlines
    return {d.name: (d.started_at, d.due, d.expires_at, d.status, d.closed_at) for d in items}


def assert_log_is_sound(engine: Engine, plan_id: str) -> list[Event]:
    """The plan's stored log: seq 1..n, an unbroken chain, and it replays to the stored plan."""
    events = engine.history(plan_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert verify_chain(e.to_dict() for e in events) == []
    assert rebuild(events).to_dict() == engine.state(plan_id).to_dict()
    return events
