"""One simulation run: plans arrive and move through the real engine in simulated time.

A discrete-event loop (heapq) over simulated days. Every act goes through `ProcessEngine`
(registration, role, guards, transition, deadlines, the hash-chained event), so the log a run
writes replays like a recorded one. What the loop adds is behaviour: when a step becomes
ready (workflow.simulate.owed) its actor acts after a delay drawn from the scenario, or,
for an assessing step, waits for a free assessor of its organisation first (pools.py).
No I/O and no wall clock: a run's result depends on the scenario, its seed and run number.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from workflow.core.engine import Command, ProcessEngine
from workflow.core.errors import Refused
from workflow.core.events import Event, LineSealer
from workflow.core.plan import Plan
from workflow.core.spec import Actor, Definition, shared
from workflow.core.timecalc import AMSTERDAM, epoch_date, epoch_text
from workflow.simulate import behaviour
from workflow.simulate.calendar import working_time
from workflow.simulate.delays import Delay
from workflow.simulate.owed import Key, Owed, Ready
from workflow.simulate.pools import Pools
from workflow.simulate.scenario import Scenario

ARRIVE, FIRE, SERVED = 0, 1, 2
_from_epoch = datetime.fromtimestamp
_new = tuple.__new__
"""A command made from its fields directly, past the named tuple's own `__new__`."""


def ladder_of(definition: Definition) -> dict[str, int]:
    """Escalation step → its height on the definition's own ladder (`none`, the initial
    step, is 0): four steps above it under transformation@1, three under @2."""
    return {step: n for n, step in enumerate(definition.region.states)}

MAX_REFUSALS = 200
DAY = 86_400
ESCALATION = ("escalation", "", "", None)
PLAN_MAKER = ("plan_maker",)
"""Who opens an escalation: the plan's first plan maker party."""
MARKS = {
    "submit_quick_test": "quick_test_submitted",
    "approve_quick_test": "quick_test_decided", "reject_quick_test": "quick_test_decided",
    "submit_plan": "plan_submitted",
    "approve_plan": "plan_decided", "reject_plan": "plan_decided",
    "sign_contract": "contracted",
}
"""Stage moments a timeline records: the first time each happens (decisions: the last)."""
LAST = frozenset({"quick_test_decided", "plan_decided"})


class Action:
    """A scheduled act: who fires what, and the plan's state it was decided in."""

    __slots__ = ("actor", "esc", "key", "owed_at", "payload", "seq", "state", "trigger")

    def __init__(self, key: Key, trigger: str, actor: Actor, payload: dict[str, Any],
                 state: str, esc: str, owed_at: float, seq: int = -1) -> None:
        self.key, self.trigger, self.actor, self.payload = key, trigger, actor, payload
        self.state, self.esc, self.owed_at = state, esc, owed_at
        self.seq = seq
        """The plan's `seq` when the act was decided: every change to a plan is an event,
        so a plan still at that seq is the plan the act was judged owed on."""


@dataclass(slots=True)
class SimPlan:
    """One simulated plan: the engine's plan, its log, and the moments a timeline reports."""

    plan_id: str
    arrived: float
    index: int = 0
    """Its place in the run's list of plans."""
    plan: Plan | None = None
    events: list[Event] = field(default_factory=list)
    lines: bytearray = field(default_factory=bytearray)
    """Its log as JSON Lines, for a run that keeps it so (`Run(as_lines=True)`): one buffer
    a plan, which the sealer writes each line into. Kept one by one, lines leave the heap
    in pieces: a line cost twice as much to make."""
    logged: int = 0
    """Events kept, as `events` or as `lines`."""
    marks: dict[str, float] = field(default_factory=dict)
    pending: set[Key] = field(default_factory=set)
    done: set[Key] = field(default_factory=set)
    """Steps taken in the plan's present state and escalation step: a duty that leaves
    both as they are (hold the board meeting) is taken once per visit."""
    where: tuple[str, str] = ("", "")
    escalation_drawn: bool = False
    top_step: int = 0
    refusals: int = 0
    paid: list[tuple[float, int]] = field(default_factory=list)
    ended: float | None = None
    tracked: tuple[str, ...] = ()
    """Forecast: the deadlines running at the start, whose outcome is asked."""


class Run:
    """One run of a scenario: `simulate()` fills `plans`, `pools` and `waits`."""

    def __init__(self, scenario: Scenario, engine: ProcessEngine, seed: int, run: int,
                 *, prefix: str | None = None, keep_events: bool = True,
                 as_lines: bool = False) -> None:
        self.scenario = scenario
        self.sealer = LineSealer() if keep_events and as_lines else None
        self.engine = engine if self.sealer is None else ProcessEngine(
            engine.definition, sealer=self.sealer)
        """With `as_lines`, an engine of the same definition whose sealer keeps each event
        as its line while it seals it (`LineSealer`)."""
        self.rng = random.Random(f"{seed}:{run}")
        self.prefix = prefix if prefix is not None else f"R{run:03d}-"
        self.keep_events = keep_events
        self.as_lines = as_lines
        """Keep each event as its line of events.jsonl, made from the bytes its hash covers
        while the event is sealed, instead of the event itself: a third of the memory, no
        event encoded twice and no pass over a run's every event at its end."""
        self.owed = Owed(self.engine)
        self.calendar = working_time(scenario.start, scenario.calendar)
        self.base = datetime.combine(scenario.start, time(0), AMSTERDAM).astimezone(UTC)
        self._base_epoch = round(self.base.timestamp())
        self.pools = Pools(scenario)
        self.plans: list[SimPlan] = []
        self.heap: list[tuple[float, int, int, int, Any]] = []
        self._n = 0
        self._arriving: list[int] = []
        """Plan indexes in order of arrival (`simulate`); `_next_arrival` the next to push."""
        self._next_arrival = 0
        self.assessed = frozenset(scenario.assessed)
        self.ladder = ladder_of(engine.definition)
        self.ladder_start = engine.definition.region.initial
        self.open_in = engine.definition.region.open_in
        self.finals = engine.definition.finals
        self.now = 0.0
        self.last_t = 0.0
        self._delays: dict[tuple[str, str], Delay] = {}
        self._last_t, self._last_seconds = 0.0, 0
        self._last_at: datetime | None = None
        self._last_text: str | None = None

    # -- time ----------------------------------------------------------------------------------

    def at(self, t: float) -> datetime:
        """The instant of simulated moment `t`; the last one is kept, as an act and the
        scheduling after it ask for the same moment (a pure function of `t`)."""
        if t == self._last_t and self._last_at is not None:
            return self._last_at
        seconds = round(t * DAY)
        # the base is a whole second: the same instant as base + timedelta(seconds=...), at
        # half the cost (no timedelta made and added)
        found = self._last_at = _from_epoch(self._base_epoch + seconds, UTC)
        self._last_t, self._last_seconds, self._last_text = t, seconds, None
        return found

    def text_of(self, t: float) -> str:
        """`format_at(self.at(t))`, the moment as events carry it (`epoch_text`), kept with
        the last instant."""
        at = self.at(t)
        text = self._last_text
        if text is None:
            text = self._last_text = epoch_text(self._base_epoch + self._last_seconds, at)
        return text

    def day_of(self, t: float) -> date:
        """The Amsterdam date of simulated moment `t` (`at(t)`'s local date)."""
        return epoch_date(self._base_epoch + round(t * DAY))

    def t_of(self, at: datetime) -> float:
        return (at - self.base).total_seconds() / DAY

    def push(self, t: float, kind: int, index: int, data: Any) -> None:
        self._n += 1
        heapq.heappush(self.heap, (t, self._n, kind, index, data))

    # -- arrivals ------------------------------------------------------------------------------

    def arrivals(self, count: int) -> list[float]:
        """The arrival moments of `count` plans: fixed days, or a Poisson stream whose rate
        follows the monthly profile (thinning)."""
        a = self.scenario.arrivals
        if a.dates:
            return [float((d - self.scenario.start).days) for d in a.dates[:count]]
        peak = max(a.profile) if a.profile else 1.0
        rate = a.per_month * peak * 12 / 365.25  # per day, at the peak
        times: list[float] = []
        t = 0.0
        while len(times) < count:
            t += self.rng.expovariate(rate)
            if a.profile:
                month = self.day_of(t).month
                if self.rng.random() * peak >= a.profile[month - 1]:
                    continue
            times.append(t)
        return times

    def simulate(self, count: int, until: float | None = None) -> Run:
        times = self.arrivals(count)
        for i, t in enumerate(times):
            self.plans.append(SimPlan(f"{self.prefix}{i + 1:05d}", t, i))
        # Arrivals enter the heap one at a time, each when the one before it arrives, with
        # the number it has among them (plan i: i + 1), as if all had been pushed first: the
        # heap keeps the acts under way, not every plan still to come, and pops the same
        # entries in the same order.
        self._arriving = sorted(range(len(times)), key=times.__getitem__)  # ties: by number
        self._n = len(times)
        self._arrive_next()
        return self.loop(until)

    def _arrive_next(self) -> None:
        """Push the next arrival, if a plan is still to come."""
        if self._next_arrival < len(self._arriving):
            i = self._arriving[self._next_arrival]
            self._next_arrival += 1
            heapq.heappush(self.heap, (self.plans[i].arrived, i + 1, ARRIVE, i, None))

    def loop(self, until: float | None = None) -> Run:
        heap, pop = self.heap, heapq.heappop
        while heap:
            t, _, kind, index, data = heap[0]
            if until is not None and t > until:
                break
            pop(heap)
            self.now = t
            sp = self.plans[index]
            if kind == FIRE:
                self.fire(sp, data, t)
            elif kind == SERVED:
                org, action = data
                self.fire(sp, action, t)
                self.start_next(org, t)
            else:
                self._arrive_next()
                self.register(sp, t)
        self.last_t = self.now
        self.pools.close(self.now)
        return self

    # -- acting --------------------------------------------------------------------------------

    def register(self, sp: SimPlan, t: float) -> None:
        org, payload = behaviour.registration(self.scenario, self.rng, sp.plan_id)
        actor = shared("plan_maker", org, payload["region"])
        if self.sealer is not None:
            sp.lines = self.sealer.open(sp.plan_id)
        outcome = self.engine.register(sp.plan_id, actor, payload, self.at(t),
                                       self.text_of(t))
        sp.plan = outcome.plan
        self.record(sp, outcome.events, t)
        sp.marks["registered"] = t
        if sp.index == len(self.plans) - 1:
            self.pools.arrivals_end(t)
        self.schedule(sp, t)

    def fire(self, sp: SimPlan, action: Action, t: float) -> None:
        plan = sp.plan
        assert plan is not None
        sp.pending.discard(action.key)
        if self.stale(plan, action):
            self.schedule(sp, t)
            return
        try:
            outcome = self.engine.apply(plan, _new(Command, (
                action.trigger, action.actor, action.payload, self.at(t), self.text_of(t))))
        except Refused:
            sp.refusals += 1
            if sp.refusals < MAX_REFUSALS:
                self.schedule(sp, t)
            return
        self.record(sp, outcome.events, t)
        self.mark(sp, action, t)
        if action.key is not ESCALATION:
            sp.done.add(action.key)
        self.schedule(sp, t)

    def stale(self, plan: Plan, action: Action) -> bool:
        """The plan moved on since the act was decided: it is not owed any more."""
        if plan.seq == action.seq:
            return False  # the plan it was judged owed on, unchanged
        if action.key is ESCALATION or action.key[0] in self.owed.region_triggers:
            # a step of the ladder: gone when the ladder moved or the phase ended
            return plan.escalation != action.esc or plan.state not in self.open_in
        if plan.state != action.state:
            return True
        duty = self.owed.duties.get(action.key[0])
        return duty is not None and not self.owed.owed_now(plan, duty, action.actor,
                                                           action.key[3])

    def record(self, sp: SimPlan, events: list[Event], t: float) -> None:
        if self.keep_events:
            if self.sealer is None:
                sp.events.extend(events)
            sp.logged += len(events)  # as lines: written by the sealer
        plan = sp.plan
        if plan is not None and plan.state in self.finals and sp.ended is None:
            sp.ended = t

    def mark(self, sp: SimPlan, action: Action, t: float) -> None:
        name = MARKS.get(action.trigger)
        if name is not None and (name in LAST or name not in sp.marks):
            sp.marks[name] = t
        if action.trigger in ("confirm_kpi", "pay_partially"):
            kpi = sp.plan.facts["kpis"][action.payload["kpi"]] if sp.plan else {}
            sp.paid.append((t, int(kpi.get("paid_cents", 0))))
        if action.trigger == "escalate" and sp.plan is not None:
            sp.top_step = max(sp.top_step, self.ladder.get(sp.plan.escalation, 0))

    # -- deciding what happens next ------------------------------------------------------------

    def schedule(self, sp: SimPlan, t: float) -> None:
        plan = sp.plan
        assert plan is not None
        if plan.state in self.finals:
            return
        if sp.where != (plan.state, plan.escalation):
            sp.where = (plan.state, plan.escalation)
            sp.done.clear()
        at = self.at(t)
        found = self.owed.ready(plan, at, sp.pending | sp.done if sp.done else sp.pending)
        if not found and not sp.pending:
            # nothing owed is accepted and nothing under way: a refused decision (a negative
            # verdict blocks approval under transformation@2) is settled another way
            found = [r for r in self.owed.instead(plan, at) if r.key not in sp.done]
        for ready in found:
            self.plan_step(sp, ready, t)
        if plan.state in self.open_in and (
                not sp.escalation_drawn or plan.escalation != self.ladder_start):
            self.escalation(sp, t)  # else none is to be drawn: not asked after every act

    def plan_step(self, sp: SimPlan, ready: Ready, t: float) -> None:
        plan = sp.plan
        assert plan is not None
        trigger, payload = ready.duty.trigger, None
        if ready.options:
            trigger, payload = behaviour.decide_instead(self.scenario, self.rng, trigger,
                                                        ready.options)
        elif trigger == "sign_contract":
            payload = behaviour.contract(self.scenario, self.rng, self.day_of(t))
        else:
            trigger, payload = behaviour.decide(self.scenario, self.rng, plan, trigger,
                                                ready.item)
        action = Action(ready.key, trigger, ready.actor, payload, plan.state, plan.escalation,
                        t, plan.seq)
        sp.pending.add(ready.key)
        index = sp.index
        if ready.duty.trigger in behaviour.KPI_TIMED and ready.item is not None:
            self.push(self.kpi_moment(plan, ready.item, t), FIRE, index, action)
            return
        role = ready.actor.role
        delay = self.delay(trigger, role).sample(self.rng)
        if trigger in self.assessed and role in Pools.ROLES:
            self.pools.enqueue(self, ready.actor.org, index, action, t, delay)
            return
        self.push(self.calendar.add(t, delay), FIRE, index, action)

    def delay(self, trigger: str, role: str) -> Delay:
        """The scenario's delay for this trigger and role, looked up once per run."""
        found = self._delays.get((trigger, role))
        if found is None:
            found = self._delays[(trigger, role)] = self.scenario.delay(trigger, role)
        return found

    def kpi_moment(self, plan: Plan, kpi: str, t: float) -> float:
        """A KPI is settled before its due day, or (missed) after it."""
        due = date.fromisoformat(plan.facts["kpis"][kpi]["due"])
        due_t = self.t_of(datetime.combine(due, time(12), AMSTERDAM).astimezone(UTC))
        if self.rng.random() < self.scenario.branches["kpi_missed"]:
            late = self.delay("confirm_kpi", "coordinating_insurer").sample(self.rng)
            return max(t, due_t + 1 + late)
        return max(t, due_t - self.rng.uniform(0, 30))

    def escalation(self, sp: SimPlan, t: float) -> None:
        """An escalation is drawn once, when the plan first may escalate; each step then goes
        up or is resolved by the scenario's step probabilities."""
        plan = sp.plan
        assert plan is not None
        if plan.state not in self.open_in or ESCALATION in sp.pending:
            return
        step = self.ladder.get(plan.escalation, 0)
        if step == 0:
            if sp.escalation_drawn:
                return
            sp.escalation_drawn = True
            if self.rng.random() >= self.scenario.branches["escalation"]:
                return
            actor = self.engine.definition.actors(plan, PLAN_MAKER)[0]  # type: ignore[misc]
            trigger, payload = "escalate", behaviour.escalation_payload(0)
        else:
            actor = shared("coordinating_insurer", plan.attrs["coordinating_insurer"], None)
            steps = self.scenario.escalation_steps
            top = len(self.ladder) - 1
            up = step <= len(steps) and step < top and self.rng.random() < steps[step - 1]
            trigger = "escalate" if up else "resolve_escalation"
            payload = behaviour.escalation_payload(step) if up else {}
        delay = self.delay(trigger, actor.role).sample(self.rng)
        sp.pending.add(ESCALATION)
        self.push(self.calendar.add(t, delay), FIRE, sp.index,
                  Action(ESCALATION, trigger, actor, payload, plan.state, plan.escalation, t,
                         plan.seq))

    def start_next(self, org: str, t: float) -> None:
        self.pools.release(self, org, t)

