"""What a plan waits for now, from whom: the definition's agenda, judged by the engine.

A step is *ready* when an organisation of the plan owes the duty (the agenda says so) and
the engine would accept the duty's own trigger now. Simulation and calibration share this
one judgement: a simulated actor's delay starts when its step becomes ready, and calibration
measures delays from the same moment in a recorded log.

A cheaper path than `todo.worklists` (which asks the engine about every trigger for every
organisation): only the duties whose transition leaves the plan's state for the actor's role
are judged, by that transition's own guards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from workflow.core.context import Context
from workflow.core.engine import ProcessEngine
from workflow.core.plan import OPEN, Plan
from workflow.core.spec import Actor, Duty, Guard, Transition
from workflow.simulate.behaviour import CHOSEN, READY, chosen_item, ready_payload

NONE: dict[str, Any] = {}
"""The empty payload the readiness check shares (guards only read it)."""

Key = tuple[str, str, str, str | None]
"""(duty trigger, organisation, role, item): one owed step."""


class Ready(NamedTuple):
    key: Key
    duty: Duty
    actor: Actor
    item: str | None


class _Step(NamedTuple):
    """A duty as one role may take it from one state: its transition's guards for that role."""

    duty: Duty
    transition: Transition
    guards: tuple[Guard, ...]


class Owed:
    """The ready steps of a plan, for one definition's engine."""

    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine
        d = engine.definition
        self.region_triggers = {tr.trigger for tr in d.region.transitions}
        agenda = d.agenda
        tolerated = agenda.tolerated if agenda is not None else frozenset()
        duties = agenda.duties if agenda is not None else ()
        self._main = self._table(duties, d.transitions, tolerated)
        self._region = self._table(duties, d.region.transitions, tolerated)
        self.duties = {duty.trigger: duty for duty in duties}
        self._finals, self._open_in = d.finals, d.region.open_in
        self._actors, self._membership = d.actors, d.membership

    @staticmethod
    def _table(duties: Sequence[Duty], transitions: Sequence[Transition],
               tolerated: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[_Step]]:
        """(state, role) → the duties that role may take there, with their guards."""
        table: dict[tuple[str, str], list[_Step]] = defaultdict(list)
        for duty in duties:
            for tr in transitions:
                if tr.trigger != duty.trigger:
                    continue
                for role in tr.roles:
                    if (duty.trigger, role) in tolerated:
                        continue
                    guards = tuple(g for g in tr.guards
                                   if g.only_for is None or role in g.only_for)
                    for src in tr.sources:
                        if all(step.duty is not duty for step in table[(src, role)]):
                            table[(src, role)].append(_Step(duty, tr, guards))
        return table

    def owed_now(self, plan: Plan, duty: Duty, actor: Actor, item: str | None) -> bool:
        """Is this step still owed (its state unchanged is the caller's check)?"""
        if duty.owed is None:
            return True
        found = duty.owed(plan, actor)
        if isinstance(found, bool):
            return found
        return item in found

    def ready(self, plan: Plan, at: datetime, skip: Collection[Key] = ()) -> list[Ready]:
        """Every step the plan waits for that its transition would accept now, but those in
        `skip` (already under way).

        Judged on the definition's own transitions (role, state, membership, guards) without
        raising a refusal per step not yet possible, which would cost most of a run; the act
        itself then goes through `ProcessEngine.apply`, which judges it in full."""
        if plan.state in self._finals or self._actors is None:
            return []
        found: list[Ready] = []
        utc = at.astimezone(UTC)
        due = frozenset(name for name, dl in plan.deadlines.items()
                        if dl.status == OPEN and dl.expires_at <= utc)
        region_open = plan.state in self._open_in
        for actor in self._actors(plan):
            steps = self._main.get((plan.state, actor.role), [])
            if region_open:
                steps = [*steps, *self._region.get((plan.escalation, actor.role), ())]
            for duty, tr, guards in steps:
                owed = True if duty.owed is None else duty.owed(plan, actor)
                if not owed:
                    continue
                if not tr.any_org and not self._membership[actor.role](plan, actor):
                    continue
                items: Sequence[str | None] = (
                    [None] if isinstance(owed, bool) else list(owed)
                ) if duty.trigger not in CHOSEN else [chosen_item(plan)]
                for item in items:
                    key = (duty.trigger, actor.org, actor.role, item)
                    if key in skip:
                        continue
                    payload = (READY.get(duty.trigger, NONE) if item is None
                               else {"kpi": item}) if duty.trigger not in CHOSEN else (
                        ready_payload(duty.trigger, item, plan))
                    ctx = Context(plan, actor, payload, at, duty.trigger, due)
                    if all(g.check(ctx) for g in guards):
                        found.append(Ready(key, duty, actor, item))
        return found

    def settles(self, trigger: str) -> list[Duty]:
        """The duties a fired trigger settles: its own, or one it stands instead of."""
        return [d for d in self.duties.values() if trigger == d.trigger or trigger in d.instead]
