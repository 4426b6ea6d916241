"""Replay a plan's events through the engine of the definition it was registered under.

Each event is checked as if fired live: the same ProcessEngine, the same guards, deadlines
computed from the events' own `at`. Nothing here knows a rule of the process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import states
from workflow.engine import Command, ProcessEngine
from workflow.errors import Refused
from workflow.events import Event, digest
from workflow.plan import GENESIS, Plan
from workflow.spec import DEADLINE_EXPIRED, REGISTER, Actor
from workflow.timecalc import local_date, parse_at

_ENGINES: dict[str, ProcessEngine] = {}


def engine_for(ref: str) -> ProcessEngine:
    found = _ENGINES.get(ref)
    if found is None:
        found = _ENGINES[ref] = ProcessEngine(states.get(ref))
    return found


@dataclass(frozen=True, slots=True)
class Violation:
    seq: int
    trigger: str
    reason: str
    rule: str = ""
    seed: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "trigger": self.trigger, "reason": self.reason}


@dataclass(slots=True)
class PlanReplay:
    """One plan being replayed: the rebuilt plan, its violations and its chain status."""

    plan_id: str
    plan: Plan | None = None
    violations: list[Violation] = field(default_factory=list)
    chain_absent: bool = False
    chain_breaks: list[int] = field(default_factory=list)
    _prev_hash: str = GENESIS

    def step(self, event: Mapping[str, Any]) -> None:
        """Apply one event of this plan's log (in seq order)."""
        self._check_chain(event)
        seq, trigger = int(event["seq"]), str(event["trigger"])
        at_text = str(event["at"])
        at = parse_at(at_text)
        actor = Actor.from_dict(event["actor"])
        payload = dict(event.get("payload") or {})
        try:
            if trigger == REGISTER:
                if self.plan is not None:
                    raise Refused("is_new_plan", "A4 §1.a.2", "The plan is registered already")
                ref = event.get("definition") or states.in_force(
                    states.DEFAULT.name, local_date(at).isoformat()).ref
                outcome = engine_for(str(ref)).register(
                    self.plan_id, actor, payload, at, at_text)
                self.plan = outcome.plan
            elif self.plan is None:
                raise Refused("registered_first", "DESIGN.md",
                              "The first event of a plan must be register_plan")
            elif trigger == DEADLINE_EXPIRED:
                self._expiry(seq, payload, at)
            else:
                engine_for(self.plan.definition).apply(
                    self.plan, Command(trigger, actor, payload, at, at_text))
        except Refused as refusal:
            self.violations.append(
                Violation(seq, trigger, refusal.reason, refusal.rule, refusal.seed))

    def _expiry(self, seq: int, payload: Mapping[str, Any], at: Any) -> None:
        assert self.plan is not None
        name = str(payload.get("deadline"))
        found = self.plan.deadlines.get(name)
        if found is None or not found.is_open or found.expires_at != at:
            raise Refused("deadline_expired_as_computed", "A4 §1.5",
                          f"No running deadline {name!r} expires at that moment")
        engine_for(self.plan.definition).expire(self.plan, at)

    def _check_chain(self, event: Mapping[str, Any]) -> None:
        if "hash" not in event and "prev_hash" not in event:
            self.chain_absent = True
            return
        if event.get("prev_hash") != self._prev_hash or event.get("hash") != digest(event):
            self.chain_breaks.append(int(event["seq"]))
        self._prev_hash = str(event.get("hash"))


def rebuild(events: Iterable[Event | Mapping[str, Any]]) -> Plan:
    """The plan a single plan's log gives; raises ValueError on any violation."""
    replay: PlanReplay | None = None
    for item in events:
        event = item.to_dict() if isinstance(item, Event) else item
        if replay is None:
            replay = PlanReplay(str(event["plan_id"]))
        replay.step(event)
    if replay is None or replay.plan is None:
        raise ValueError("no register_plan event")
    if replay.violations:
        raise ValueError(f"replay found violations: {replay.violations}")
    return replay.plan
