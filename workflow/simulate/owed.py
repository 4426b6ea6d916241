"""What a plan waits for now, from whom: the definition's agenda, judged by the engine.

A step is *ready* when an organisation of the plan owes the duty (the agenda says so) and
the engine would accept the duty's own trigger now. Simulation and calibration share this
one judgement: a simulated actor's delay starts when its step becomes ready, and calibration
measures delays from the same moment in a recorded log.

A cheaper path than `todo.worklists` (which asks the engine about every trigger for every
organisation): only the duties whose transition leaves the plan's state for the actor's role
are judged, and only their own trigger is checked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from workflow.core.engine import Command, ProcessEngine
from workflow.core.errors import Refused
from workflow.core.plan import Plan
from workflow.core.spec import Actor, Duty
from workflow.simulate.behaviour import ready_payload

Key = tuple[str, str, str, str | None]
"""(duty trigger, organisation, role, item): one owed step."""


class Ready(NamedTuple):
    key: Key
    duty: Duty
    actor: Actor
    item: str | None


class Owed:
    """The ready steps of a plan, for one definition's engine."""

    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine
        d = engine.definition
        self.region_triggers = {tr.trigger for tr in d.region.transitions}
        agenda = d.agenda
        self._main: dict[tuple[str, str], list[Duty]] = defaultdict(list)
        self._region: dict[tuple[str, str], list[Duty]] = defaultdict(list)
        tolerated = agenda.tolerated if agenda is not None else frozenset()
        for duty in agenda.duties if agenda is not None else ():
            for tr in d.transitions:
                if tr.trigger == duty.trigger:
                    for src in tr.sources:
                        for role in tr.roles:
                            if (duty.trigger, role) not in tolerated and \
                                    duty not in self._main[(src, role)]:
                                self._main[(src, role)].append(duty)
            for tr in d.region.transitions:
                if tr.trigger == duty.trigger:
                    for src in tr.sources:
                        for role in tr.roles:
                            if duty not in self._region[(src, role)]:
                                self._region[(src, role)].append(duty)
        self.duties = {duty.trigger: duty for duty in (agenda.duties if agenda else ())}
        self._finals = d.finals
        self._actors = d.actors

    def owed_now(self, plan: Plan, duty: Duty, actor: Actor, item: str | None) -> bool:
        """Is this step still owed (its state unchanged is the caller's check)?"""
        if duty.owed is None:
            return True
        found = duty.owed(plan, actor)
        if isinstance(found, bool):
            return found
        return item in found

    def ready(self, plan: Plan, at: datetime, skip: Collection[Key] = ()) -> list[Ready]:
        """Every step the plan waits for that the engine would accept now, but those in
        `skip` (already under way: judging them again would cost the most of a run)."""
        if plan.state in self._finals or self._actors is None:
            return []
        found: list[Ready] = []
        check = self.engine.check
        for actor in self._actors(plan):
            duties = self._main.get((plan.state, actor.role), ())
            esc = self._region.get((plan.escalation, actor.role), ())
            for duty in (*duties, *esc):
                owed = True if duty.owed is None else duty.owed(plan, actor)
                if not owed:
                    continue
                items: Sequence[str | None] = [None] if isinstance(owed, bool) else list(owed)
                for item in items:
                    key = (duty.trigger, actor.org, actor.role, item)
                    if key in skip:
                        continue
                    cmd = Command(duty.trigger, actor, ready_payload(duty.trigger, item), at)
                    try:
                        check(plan, cmd)
                    except Refused:
                        continue
                    found.append(Ready(key, duty, actor, item))
        return found

    def settles(self, trigger: str) -> list[Duty]:
        """The duties a fired trigger settles: its own, or one it stands instead of."""
        return [d for d in self.duties.values() if trigger == d.trigger or trigger in d.instead]
