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
from workflow.core.spec import Actor, Duty, Guard, Predicate, Transition
from workflow.core.spec import Owed as Owed_
from workflow.simulate.behaviour import CHOSEN, READY, chosen_item, instead_payload, ready_payload

NONE: dict[str, Any] = {}
"""The empty payload the readiness check shares (guards only read it)."""

Key = tuple[str, str, str, str | None]
"""(duty trigger, organisation, role, item): one owed step."""


class Ready(NamedTuple):
    key: Key
    duty: Duty
    actor: Actor
    item: str | None
    options: tuple[str, ...] = ()
    """The duty's alternatives (`Duty.instead`) the definition accepts now, when its own
    trigger is refused (`Owed.instead`); empty for a step whose own trigger is accepted."""


class _Step(NamedTuple):
    """A duty as one role may take it from one state: its transition's guards for that role."""

    duty: Duty
    transition: Transition
    checks: list[Predicate]
    """The guards' predicates, in the order readiness asks them: a guard that refuses
    moves to the front (`ready`), as it will most likely refuse next time too. All must
    hold, and a guard only reads, so the order changes nothing but the time taken."""
    whole: bool
    """Owed as one step, without items (no `Duty.item_key`, not chosen): the step is known
    by (trigger, organisation, role, None) before its `owed` is asked."""
    trigger: str
    owed: Owed_ | None
    chosen: bool
    """The duty's trigger is in `CHOSEN`: its item is the one the actor picks."""
    payload: dict[str, Any]
    """What the readiness check hands the guards when the step names no item."""


_NOTHING: frozenset[str] = frozenset()
_new = tuple.__new__
"""A named tuple made from its fields directly, past its own `__new__` (a Python call): a
readiness check makes one per step found."""


def _due(plan: Plan, at: datetime) -> frozenset[str]:
    """The plan's open deadlines due at or before `at`."""
    if not plan.deadlines:
        return _NOTHING
    utc = at if at.tzinfo is UTC else at.astimezone(UTC)  # a simulated moment is in UTC
    due = [name for name, dl in plan.deadlines.items()
           if dl.status == OPEN and dl.expires_at <= utc]
    return frozenset(due) if due else _NOTHING


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
        self._transitions = d.transitions
        self._instead: dict[tuple[str, str, str], tuple[Guard, ...] | None] = {}
        """(state, role, trigger) → that trigger's guards for the role there (None: no
        transition), asked only for a plan that waits for nothing else (`instead`)."""
        self._actors = d.actors
        self._at: dict[tuple[str, str | None], dict[str, list[_Step]]] = {}
        """(state, escalation step or None while the ladder is closed) → role → its steps:
        `_main`'s then `_region`'s, joined once. Safe to keep: made from the definition's
        own tables, which never change after the engine is built."""

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
                    checks = [g.check for g in tr.guards
                              if g.only_for is None or role in g.only_for]
                    for src in tr.sources:
                        if all(step.duty is not duty for step in table[(src, role)]):
                            chosen = duty.trigger in CHOSEN
                            table[(src, role)].append(_Step(
                                duty, tr, list(checks), duty.item_key is None and not chosen,
                                duty.trigger, duty.owed, chosen,
                                READY.get(duty.trigger, NONE)))
        return table

    def owed_now(self, plan: Plan, duty: Duty, actor: Actor, item: str | None) -> bool:
        """Is this step still owed (its state unchanged is the caller's check)?"""
        if duty.owed is None:
            return True
        found = duty.owed(plan, actor)
        if isinstance(found, bool):
            return found
        return item in found

    def _steps_at(self, state: str, escalation: str | None) -> dict[str, list[_Step]]:
        """Every role's steps in this state (and escalation step, when the ladder is open),
        in the order `ready` judges them: the main line's, then the ladder's."""
        found = self._at.get((state, escalation))
        if found is None:
            roles = {role for (src, role) in self._main if src == state}
            if escalation is not None:
                roles |= {role for (src, role) in self._region if src == escalation}
            found = self._at[(state, escalation)] = {
                role: [*self._main.get((state, role), ()),
                       *(self._region.get((escalation, role), ()) if escalation is not None
                         else ())]
                for role in roles}
        return found

    def ready(self, plan: Plan, at: datetime, skip: Collection[Key] = ()) -> list[Ready]:
        """Every step the plan waits for that its transition would accept now, but those in
        `skip` (already under way).

        Judged on the definition's own transitions (role, state, membership, guards) without
        raising a refusal per step not yet possible, which would cost most of a run; the act
        itself then goes through `ProcessEngine.apply`, which judges it in full. Nothing
        changes the plan while it is judged, so an actor's membership is asked once and
        the deadlines due once, when a guard first needs them."""
        state = plan.state
        if state in self._finals or self._actors is None:
            return []
        where = (state, plan.escalation if state in self._open_in else None)
        by_role = self._at.get(where) or self._steps_at(*where)
        found: list[Ready] = []
        due: frozenset[str] | None = None
        # only the roles with a step here; each actor listed is a member of the plan in its
        # role (`ActorsOf`), so no step's membership is asked again
        for actor in self._actors(plan, by_role):
            role, org = actor.role, actor.org
            # one context per actor, its payload and trigger set per step: guards read it
            # and keep nothing of it
            ctx: Context | None = None
            for duty, _, checks, whole, trigger, owes, chosen, plain in by_role[role]:
                if whole and (trigger, org, role, None) in skip:
                    continue  # under way or taken: whether still owed changes nothing
                owed = True if owes is None else owes(plan, actor)
                if not owed:
                    continue
                items: Sequence[str | None] = (  # `owed` is True or the items owed
                    (None,) if owed is True else list(owed)) if not chosen else [
                    chosen_item(plan)]
                for item in items:
                    key = (trigger, org, role, item)
                    if key in skip:
                        continue
                    if checks:
                        if due is None:
                            due = _due(plan, at)
                        payload = (plain if item is None else {"kpi": item}) if not chosen \
                            else ready_payload(trigger, item, plan)
                        if ctx is None:
                            ctx = Context(plan, actor, payload, at, trigger, due)
                        else:
                            ctx.payload, ctx.trigger = payload, trigger
                        for check in checks:  # a loop, not all(): no generator per step
                            if not check(ctx):
                                if check is not checks[0]:  # first next time
                                    checks.remove(check)
                                    checks.insert(0, check)
                                break
                        else:
                            found.append(_new(Ready, (key, duty, actor, item, ())))
                        continue
                    found.append(_new(Ready, (key, duty, actor, item, ())))
        return found

    def instead(self, plan: Plan, at: datetime) -> list[Ready]:
        """For a plan that waits for nothing else: each owed duty whose own trigger the
        definition refuses now, with the alternatives (`Duty.instead`) it accepts instead.

        Under transformation@2 a standing negative verdict refuses `approve_plan`; the
        coordinating insurer may then only request a revision or reject the plan. Judged by
        the alternatives' own transitions and guards, so the rules stay in the definition.
        Asked only when `ready` found nothing and nothing is under way: no cost per event."""
        state = plan.state
        if state in self._finals or self._actors is None:
            return []
        by_role = self._steps_at(state, plan.escalation if state in self._open_in else None)
        found: list[Ready] = []
        due = _due(plan, at)
        for actor in self._actors(plan, by_role):
            for duty, _, checks, *_ in by_role[actor.role]:
                if not duty.instead or duty.trigger in CHOSEN:
                    continue
                owed = True if duty.owed is None else duty.owed(plan, actor)
                if owed is not True:
                    continue  # items (KPIs) are settled one by one, never blocked as a whole
                own = Context(plan, actor, READY.get(duty.trigger, NONE), at, duty.trigger, due)
                if all(check(own) for check in checks):
                    continue
                options = tuple(alt for alt in duty.instead
                                if self._accepts(plan, actor, duty.trigger, alt, at, due))
                if options:
                    found.append(Ready((duty.trigger, actor.org, actor.role, None), duty,
                                       actor, None, options))
        return found

    def _accepts(self, plan: Plan, actor: Actor, duty: str, trigger: str, at: datetime,
                 due: frozenset[str]) -> bool:
        """Would the definition accept `trigger` from this actor now, with the payload the
        simulation gives it in place of `duty`?"""
        key = (plan.state, actor.role, trigger)
        if key not in self._instead:
            self._instead[key] = next(
                (tuple(g for g in tr.guards if g.only_for is None or actor.role in g.only_for)
                 for tr in self._transitions
                 if tr.trigger == trigger and plan.state in tr.sources
                 and actor.role in tr.roles), None)
        guards = self._instead[key]
        if guards is None:
            return False
        ctx = Context(plan, actor, instead_payload(duty, trigger), at, trigger, due)
        return all(g.check(ctx) for g in guards)

    def settles(self, trigger: str) -> list[Duty]:
        """The duties a fired trigger settles: its own, or one it stands instead of."""
        return [d for d in self.duties.values() if trigger == d.trigger or trigger in d.instead]
