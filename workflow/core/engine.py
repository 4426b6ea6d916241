"""Apply one command to one plan: role check, guards, transition, deadlines, event out.

No I/O and no wall clock: the caller passes the plan and the moment. One `transitions`
machine per definition (and one for the escalation region) is built and validated once; the
hot path reads where each (state, trigger) lands from a table taken from those machines'
own events (`ProcessEngine.table`), a dict lookup instead of a trigger through the library
(MEASURED.md: a bare trigger costs as much as the rest of a command).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from transitions import Machine

from workflow.core.context import Context
from workflow.core.errors import AZWA, Refused
from workflow.core.events import Event, Sealer, sealed
from workflow.core.payload import PayloadSchema, Problem, problems
from workflow.core.permission import Permission as Permission
from workflow.core.phrase import Phrase, Terms, joined
from workflow.core.plan import CANCELLED, EXPIRED, MET, OPEN, Deadline, Plan
from workflow.core.spec import (
    AIM,
    DEADLINE_EXPIRED,
    REGISTER,
    SYSTEM_ACTOR,
    Actor,
    DeadlineSpec,
    Definition,
    Guard,
    Transition,
)
from workflow.core.timecalc import due_date, expiry_instant, format_at, parse_iso

PAYLOAD_RULE = "payload_matches_schema"


class Command(NamedTuple):
    """A trigger fired by an actor at a moment; `at_text` keeps a foreign log's timestamp.

    A named tuple: made once per event, and a frozen dataclass costs twice as much to make."""

    trigger: str
    actor: Actor
    payload: dict[str, Any]
    at: datetime
    at_text: str | None = None


@dataclass(slots=True)
class Outcome:
    plan: Plan
    events: list[Event] = field(default_factory=list)


class _Model:
    """The proxy model the shared machines move; never one per plan."""

    state: str


class _ReadTracker(dict[str, Any]):
    """An empty payload that notes whether a guard looked at it."""

    read = False

    def get(self, key: str, default: Any = None) -> Any:
        self.read = True
        return default

    def __getitem__(self, key: str) -> Any:
        self.read = True
        raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        self.read = True
        return False


_NOTHING_DUE: frozenset[str] = frozenset()


def _unsealed(
    plan_id: str, seq: int, at: str, trigger: str, actor: dict[str, Any],
    payload: dict[str, Any], definition: str, prev_hash: str,
) -> Event:
    """An event without a hash: replaying a log that carries none, there is none to match."""
    return Event(plan_id, seq, at, trigger, actor, payload, definition, prev_hash, "")


def _due_now(plan: Plan, at: datetime) -> frozenset[str]:
    """The open deadlines of a plan that expire at or before `at`."""
    if not plan.deadlines:
        return _NOTHING_DUE
    return _due_by(plan, at.astimezone(UTC))


def _due_by(plan: Plan, utc: datetime) -> frozenset[str]:
    """`_due_now` for an instant in UTC: expiries are in UTC too, so no offset is computed
    per comparison (across zones each costs two)."""
    due: list[str] | None = None
    for name, dl in plan.deadlines.items():  # a loop, not a list comprehension: no frame
        if dl.status == OPEN and dl.expires_at <= utc:  # of its own for every command
            if due is None:
                due = [name]
            else:
                due.append(name)
    return _NOTHING_DUE if due is None else frozenset(due)


def _payload_problems(seed: str, found: list[Problem]) -> tuple[tuple[str, str, str], ...]:
    """A payload's problems as a refusal lists them: the payload rule, each by its path."""
    return tuple((PAYLOAD_RULE, seed, Phrase("{path} {what}", path=path, what=what))
                 for path, what in found)


class ProcessEngine:
    """The rules of one definition, applied to plans handed in by the caller."""

    def __init__(self, definition: Definition, *, hashing: bool = True,
                 sealer: Sealer | None = None) -> None:
        self.definition = d = definition
        self.hashing = hashing
        """False: events carry no hash (replaying a log that has none: nothing to compare)."""
        self._make: Sealer = sealer if sealer is not None else sealed if hashing else _unsealed
        """Makes each event; given `sealer` (a `LineSealer`), that one, which seals as
        `sealed` does and keeps more of what it made."""
        self.machines = (
            self._machine(_Model(), d.states, d.initial, d.transitions),
            self._machine(_Model(), d.region.states, d.region.initial, d.region.transitions),
        )
        self.table = self._table_of(*self.machines)
        """(state, trigger) -> the state the machine lands in, for both machines."""
        self._finals, self._open_in = d.finals, d.region.open_in
        self._ladder_start, self._membership = d.region.initial, d.membership
        self._index: dict[tuple[str, str], Transition] = {}
        self._roles: dict[str, frozenset[str]] = defaultdict(frozenset)
        self._seed: dict[str, str] = {}
        self._region_triggers = {tr.trigger for tr in d.region.transitions}
        for tr in (*d.transitions, *d.region.transitions):
            for src in tr.sources:
                self._index[(src, tr.trigger)] = tr
            self._roles[tr.trigger] |= tr.roles
            self._seed.setdefault(tr.trigger, tr.seed)
        self._roles[REGISTER] = d.registration.roles
        self._judged = {
            (id(tr), role): tuple(g for g in tr.guards if g.only_for is None or role in g.only_for)
            for tr in (*d.transitions, *d.region.transitions, d.registration)
            for role in tr.roles
        }
        """(transition, role) -> the guards that judge that role (`_guards_for`), made once.
        Keyed by identity: the definition, which this engine holds for its life, keeps every
        transition alive, so no key can stand for another; any other transition is judged
        by `_guards_for` as it comes."""
        self._payloads: dict[str, PayloadSchema] = dict(d.payloads)
        self._bodies = {trigger: schema.body for trigger, schema in d.payloads.items()}
        """Per trigger its payload's fields; `valid_fields` of a dict is True when `problems`
        finds nothing. Looked up per call (it is compiled on first use), not wrapped: a
        wrapper is one more call per command."""
        self._region_deadlines = [
            spec.name for spec in d.deadlines
            if any(trig in self._region_triggers for trig in spec.started_by)
        ]
        self._starts: dict[str, list[DeadlineSpec]] = defaultdict(list)
        self._meets: dict[str, list[DeadlineSpec]] = defaultdict(list)
        self._anchors: dict[str, list[str]] = defaultdict(list)
        """Per trigger: the deadlines whose clock runs from its moment (`anchor_by`)."""
        self._aims = frozenset(spec.name for spec in d.deadlines if spec.kind == AIM)
        for spec in d.deadlines:
            for trig in spec.anchor_by:
                self._anchors[trig].append(spec.name)
            for trig in spec.started_by:
                self._starts[trig].append(spec)
            for trig in spec.met_by:
                self._meets[trig].append(spec)

    @staticmethod
    def _machine(
        model: _Model, states: tuple[str, ...], initial: str, transitions: tuple[Transition, ...]
    ) -> Machine:
        machine = Machine(
            model=model, states=list(states), initial=initial, auto_transitions=False
        )
        for tr in transitions:
            machine.add_transition(tr.trigger, list(tr.sources), tr.dest)
        return machine

    @staticmethod
    def _table_of(*machines: Machine) -> dict[tuple[str, str], str]:
        """Where each (source state, trigger) lands, read from the machines' own events: one
        definition, and the library decides what a transition means (an internal one, dest
        None, stays where it is)."""
        table: dict[tuple[str, str], str] = {}
        for machine in machines:
            for trigger, event in machine.events.items():
                for source, transitions in event.transitions.items():
                    dest = transitions[0].dest
                    table[(source, trigger)] = source if dest is None else dest
        return table

    # -- commands ------------------------------------------------------------------------------

    def register(
        self, plan_id: str, actor: Actor, payload: dict[str, Any], at: datetime,
        at_text: str | None = None,
    ) -> Outcome:
        """Create a plan in the initial state; refused like any other command."""
        d, tr = self.definition, self.definition.registration
        if not isinstance(plan_id, str) or not plan_id.strip():
            raise Refused("has_plan_id", "A4 §1.a.2", "A plan needs a non-empty plan_id",
                          trigger=REGISTER)
        attrs: dict[str, Any] = {"second_insurer": None, "municipalities": []}
        if isinstance(payload, dict):
            attrs.update(payload)
        plan = Plan(plan_id, d.ref, d.initial, d.region.initial, attrs)
        cmd = Command(REGISTER, actor, payload, at, at_text)
        ctx = Context(plan, actor, payload, at, REGISTER)
        self._check_role(tr, ctx)
        self._check_payload(tr, ctx)
        self._check_guards(tr, ctx)
        if tr.effect is not None:
            tr.effect(plan, ctx)
        return Outcome(plan, [self._append(plan, cmd, at_text or format_at(at))])

    def apply(self, plan: Plan, cmd: Command) -> Outcome:
        """Apply a command; on refusal the plan is left exactly as it was."""
        at = cmd.at
        utc = at if at.tzinfo is UTC else at.astimezone(UTC)  # a log's moments are in UTC
        ctx, tr = self._check(plan, cmd, utc)
        events = self._expire_due(plan, ctx.due_now) if ctx.due_now else []
        at_text = cmd.at_text or format_at(cmd.at)
        late = self._fire(plan, tr, ctx, at_text)
        events.append(self._append(plan, cmd, at_text, utc))
        for name in late:  # started already past due (a clock anchored at an earlier event)
            events.append(self._expire_one(plan, name, cmd.at, at_text))
        return Outcome(plan, events)

    def expire(
        self, plan: Plan, now: datetime, names: Collection[str] | None = None
    ) -> list[Event]:
        """Expire every open deadline due at or before `now`, in due order, once each; given
        `names`, only those of them (replay holds back one a later log event names)."""
        due = _due_now(plan, now)
        return self._expire_due(plan, due if names is None else due.intersection(names))

    def check(self, plan: Plan, cmd: Command) -> tuple[Context, Transition]:
        """Every rule a command must pass, judged without changing anything."""
        return self._check(plan, cmd, cmd.at.astimezone(UTC))

    def _check(self, plan: Plan, cmd: Command, utc: datetime) -> tuple[Context, Transition]:
        """`check` with the command's moment in UTC, the zone of every instant it is compared
        with (`last_at`, the expiries)."""
        if cmd.trigger == REGISTER:
            raise Refused("is_new_plan", "A4 §1.a.2", Phrase(
                "Plan {plan_id} is already registered", plan_id=plan.plan_id),
                trigger=cmd.trigger, plan_id=plan.plan_id)
        at, payload = cmd.at, cmd.payload
        ctx = Context(plan, cmd.actor, payload, at, cmd.trigger,
                      _due_by(plan, utc) if plan.deadlines else _NOTHING_DUE)
        try:
            tr = self._select(ctx)
            if plan.last_at is not None and utc < plan.last_at:
                self._check_time(ctx)
        except Refused as refusal:  # a refusal lists every rule that fails: the payload's too
            raise self._and_payload(refusal, cmd.trigger, payload) from None
        body = self._bodies.get(tr.trigger)  # the compiled schema: a valid payload costs
        if type(payload) is not dict or (  # no words
                body is not None and not body.valid_fields(payload)):
            self._check_payload(tr, ctx)
        if tr.guards:
            self._check_guards(tr, ctx)
        return ctx, tr

    @staticmethod
    def _check_time(ctx: Context) -> None:
        """An event's moment may not lie before the plan's last event (azwa's own rule)."""
        last = ctx.plan.last_at
        if last is not None and ctx.at < last:
            raise Refused(
                "time_moves_forward", AZWA,
                Phrase("{at} lies before the plan's last event ({last})",
                       at=format_at(ctx.at), last=format_at(last)),
                trigger=ctx.trigger, plan_id=ctx.plan.plan_id)

    def allowed(self, plan: Plan, actor: Actor, at: datetime) -> list[Permission]:
        """What this actor may fire now, and for every other trigger why not."""
        answers: list[Permission] = []
        due_now = _due_now(plan, at)
        for trigger in self.definition.triggers():
            if trigger == REGISTER:
                continue
            payload = _ReadTracker()
            needs: list[str] = []
            blocking: list[Guard] = []
            try:
                ctx = Context(plan, actor, payload, at, trigger, due_now)
                tr = self._select(ctx)
                self._check_time(ctx)
                for guard in self._guards_for(tr, ctx):
                    payload.read = False
                    if not guard.check(ctx):
                        if payload.read:
                            needs.append(guard.message)
                        else:
                            blocking.append(guard)
                if blocking:
                    raise self._refusal(blocking, ctx)
            except Refused as refusal:
                answers.append(Permission(trigger, False, refusal.reason))
                continue
            schema = self._payloads.get(trigger)
            answers.append(Permission(
                trigger, True, None, tuple(needs),
                fields=schema.required if schema is not None else (),
                optional=schema.optional if schema is not None else ()))
        return answers

    # -- the steps ---------------------------------------------------------------------------

    def _select(self, ctx: Context) -> Transition:
        """The transition this command takes, or the first rule it breaks."""
        plan, trigger, actor = ctx.plan, ctx.trigger, ctx.actor
        in_region = trigger in self._region_triggers
        tr = self._index.get((plan.escalation if in_region else plan.state, trigger))
        if (
            tr is not None
            and actor.role in tr.roles
            and plan.state not in self._finals
            and (not in_region or plan.state in self._open_in)
            and (tr.any_org or self._membership[actor.role](plan, actor))
        ):
            return tr
        self._diagnose(ctx)
        raise AssertionError("unreachable: _diagnose raises")  # pragma: no cover

    def _diagnose(self, ctx: Context) -> None:
        """Name the rule a command breaks before its guards, in the order users expect."""
        d, plan, trigger = self.definition, ctx.plan, ctx.trigger
        ids: dict[str, Any] = {"trigger": trigger, "plan_id": plan.plan_id}
        if trigger not in self._roles or trigger == DEADLINE_EXPIRED:
            raise Refused("known_trigger", AZWA, Phrase(
                "{name!r} is not a trigger of {ref}", name=trigger, ref=d.ref), **ids)
        if plan.state in d.finals:
            raise Refused("final_state_is_final", AZWA,
                          Phrase("The plan is {state}; nothing can happen after that",
                                 state=plan.state), **ids)
        if ctx.actor.role not in self._roles[trigger]:
            raise Refused("role_may_fire", self._seed[trigger],
                          Phrase("A {role} may not {trigger}; only {roles} may",
                                 role=ctx.actor.role, trigger=trigger,
                                 roles=Terms("role", sorted(self._roles[trigger]), "or")),
                          **ids)
        in_region = trigger in self._region_triggers
        if in_region and plan.state not in d.region.open_in:
            raise Refused("escalation_only_while_worked_out_or_carried_out", d.region.open_seed,
                          Phrase("Escalation is open only while the plan is worked out or "
                                 "carried out, not in {state}", state=plan.state), **ids)
        key = plan.escalation if in_region else plan.state
        tr = self._index.get((key, trigger))
        if tr is None:
            where = sorted({s for (s, trig) in self._index if trig == trigger})
            raise Refused("allowed_in_state", self._seed[trigger],
                          Phrase("{trigger} is not possible while the escalation is at "
                                 "{escalation} (possible in: {steps})", trigger=trigger,
                                 escalation=key, steps=Terms("escalation", where))
                          if in_region else
                          Phrase("{trigger} is not possible while the plan is in {state} "
                                 "(possible in: {states})", trigger=trigger, state=key,
                                 states=Terms("state", where)), **ids)
        self._check_role(tr, ctx)
        raise Refused("is_party_of_plan", d.membership_seed.get(ctx.actor.role, "A4 §1.a.3"),
                      Phrase("{org} is not this plan's {role}", org=ctx.actor.org,
                             role=ctx.actor.role), **ids)

    @staticmethod
    def _check_role(tr: Transition, ctx: Context) -> None:
        if ctx.actor.role not in tr.roles:
            raise Refused("role_may_fire", tr.seed,
                          Phrase("A {role} may not {trigger} here; only {roles} may",
                                 role=ctx.actor.role, trigger=tr.trigger,
                                 roles=Terms("role", sorted(tr.roles), "or")),
                          trigger=tr.trigger, plan_id=ctx.plan.plan_id)

    def _check_payload(self, tr: Transition, ctx: Context) -> None:
        """The payload holds the fields its trigger declares, each of its type, and nothing
        else; every problem is named by its field path, all in one refusal."""
        schema = self._payloads.get(tr.trigger)
        if schema is not None:
            found = problems(schema, ctx.payload)
        elif not isinstance(ctx.payload, dict):  # nothing declared: still one object
            found = [("payload", Phrase("must be an object of fields"))]
        else:
            return
        if found:
            listed = _payload_problems(tr.seed, found)
            raise Refused(PAYLOAD_RULE, tr.seed, listed[0][2], trigger=ctx.trigger,
                          plan_id=ctx.plan.plan_id, problems=listed)

    def _and_payload(self, refusal: Refused, trigger: str, payload: Any) -> Refused:
        """A refusal before the payload was judged, with the payload's problems added."""
        schema = self._payloads.get(trigger)
        if schema is None:
            return refusal
        if type(payload) is dict and schema.body.valid_fields(payload):
            return refusal
        found = problems(schema, payload)
        if not found:
            return refusal
        seed = self._seed.get(trigger, refusal.seed)
        listed = _payload_problems(seed, found)
        return Refused(refusal.rule, refusal.seed, refusal.message, trigger=refusal.trigger,
                       plan_id=refusal.plan_id, details=refusal.details,
                       problems=(*refusal.problems, *listed))

    @staticmethod
    def _guards_for(tr: Transition, ctx: Context) -> list[Guard]:
        """The guards that judge this actor: those without `only_for`, or for its role."""
        return [g for g in tr.guards if g.only_for is None or ctx.actor.role in g.only_for]

    def _check_guards(self, tr: Transition, ctx: Context) -> None:
        """Every guard is judged, so a refusal lists all the rules that fail, not the first."""
        failed: list[Guard] | None = None
        guards = self._judged.get((id(tr), ctx.actor.role))
        for guard in guards if guards is not None else self._guards_for(tr, ctx):
            if not guard.check(ctx):
                if failed is None:
                    failed = []
                failed.append(guard)
        if failed:
            raise self._refusal(failed, ctx)

    @staticmethod
    def _refusal(guards: list[Guard], ctx: Context) -> Refused:
        """One refusal for the failing guards: the first as its rule, all under `problems`."""
        listed: list[tuple[str, str, str]] = []
        first_details: tuple[str, ...] = ()
        for i, guard in enumerate(guards):
            explained = guard.explain(ctx) if guard.explain is not None else ""
            details = (explained,) if explained else ()
            if i == 0:
                first_details = details
            listed.append((guard.name, guard.seed, joined(Phrase(guard.message), explained)))
        first = guards[0]
        return Refused(first.name, first.seed, first.message, trigger=ctx.trigger,
                       plan_id=ctx.plan.plan_id, details=first_details, problems=tuple(listed))

    def _fire(self, plan: Plan, tr: Transition, ctx: Context, at_text: str) -> list[str]:
        """Change the plan; returns the deadlines it started that were due already."""
        in_region = tr.trigger in self._region_triggers
        before = plan.escalation
        if in_region:
            plan.escalation = self.table[(before, tr.trigger)]
        else:
            plan.state = self.table[(plan.state, tr.trigger)]
        if tr.effect is not None:
            tr.effect(plan, ctx)
        if in_region:
            plan.escalation_history.append({
                "at": at_text, "trigger": tr.trigger, "from": before, "to": plan.escalation,
                "by": ctx.actor.org, "role": ctx.actor.role,
                **{k: ctx.payload[k] for k in ("issue", "contact") if k in ctx.payload},
            })
        for spec in self._meets.get(tr.trigger, ()):
            name = spec.name
            if spec.met_key is not None:
                name = f"{spec.name}:{ctx.payload.get(spec.met_key)}"
            found = plan.deadlines.get(name)
            if found is not None and found.is_open:
                found.status, found.closed_at = MET, at_text
        anchored = self._anchors.get(tr.trigger)
        if anchored:
            moments = plan.facts.setdefault("anchors", {})
            for name in anchored:
                moments[name] = at_text
        late: list[str] = []
        for spec in self._starts.get(tr.trigger, ()):
            landed = plan.escalation if in_region else plan.state
            if (spec.started_into is None or spec.started_into == landed) and (
                    spec.restart or spec.name not in plan.deadlines):
                late += self._start(plan, spec, ctx, at_text)
        if plan.state in self._finals:
            self._finish(plan, tr.trigger, at_text)
        elif plan.state not in self._open_in and plan.escalation != self._ladder_start:
            self._close_escalation(plan, tr.trigger, at_text)
        return late

    @staticmethod
    def _start(plan: Plan, spec: DeadlineSpec, ctx: Context, at_text: str) -> list[str]:
        """Start a deadline (or one per item); returns those due already at the command's
        moment, which only a clock anchored at an earlier event can be."""
        if spec.length is not None:
            start, started_at = ctx.at, at_text
            if spec.anchor_by:
                anchor = plan.facts.get("anchors", {}).get(spec.name)
                if anchor is not None:
                    start, started_at = parse_iso(anchor), anchor
            due = due_date(start, spec.length)
            expires = expiry_instant(due)
            plan.deadlines[spec.name] = Deadline(spec.name, started_at, due, expires)
            return [spec.name] if spec.anchor_by and expires <= ctx.at else []
        for item in ctx.payload.get(spec.per_item or "", []):
            name = f"{spec.name}:{item[spec.item_key]}"
            due = date.fromisoformat(str(item[spec.item_due]))
            plan.deadlines[name] = Deadline(name, at_text, due, expiry_instant(due))
        return []

    def _finish(self, plan: Plan, trigger: str, at_text: str) -> None:
        """A final state cancels every running deadline and closes an open escalation."""
        for dl in plan.deadlines.values():
            if dl.status == OPEN:
                dl.status, dl.closed_at = CANCELLED, at_text
        self._close_escalation(plan, trigger, at_text)

    def _close_escalation(self, plan: Plan, trigger: str, at_text: str) -> None:
        """Leaving the phase in which escalation is open (A4 §1.4.1) closes the ladder and
        cancels the deadlines it started (the board meeting)."""
        region = self.definition.region
        if plan.escalation == region.initial:
            return
        for name in self._region_deadlines:
            found = plan.deadlines.get(name)
            if found is not None and found.status == OPEN:
                found.status, found.closed_at = CANCELLED, at_text
        plan.escalation_history.append({
            "at": at_text, "trigger": trigger, "from": plan.escalation, "to": region.initial,
            "by": "system", "role": "system", "issue": f"closed: plan is {plan.state}",
        })
        plan.escalation = region.initial

    def _expire_due(self, plan: Plan, names: frozenset[str]) -> list[Event]:
        """Expire these deadlines in due order (ties by name), whoever asks: a command or
        the deadline clock."""
        events: list[Event] = []
        for name in sorted(names, key=lambda n: (plan.deadlines[n].expires_at, n)):
            at = plan.deadlines[name].expires_at
            events.append(self._expire_one(plan, name, at, format_at(at)))
        return events

    def _expire_one(self, plan: Plan, name: str, at: datetime, at_text: str) -> Event:
        """One deadline passes unmet at `at`: a breach, or for an aim a missed aim."""
        dl = plan.deadlines[name]
        dl.status, dl.closed_at = EXPIRED, at_text
        aim = bool(self._aims) and name.split(":", 1)[0] in self._aims
        (plan.missed_aims if aim else plan.breaches).append(name)
        cmd = Command(DEADLINE_EXPIRED, SYSTEM_ACTOR,
                      {"deadline": name, "due": dl.due.isoformat()}, at)
        return self._append(plan, cmd, at_text)

    def _append(
        self, plan: Plan, cmd: Command, at_text: str, utc: datetime | None = None
    ) -> Event:
        """Seal the event; `last_at` is kept in UTC (as the store reads it back), so the next
        command compares within one zone."""
        event = self._make(plan.plan_id, plan.seq + 1, at_text, cmd.trigger, cmd.actor.to_dict(),
                     cmd.payload, plan.definition, plan.last_hash)
        plan.seq, plan.last_hash = event.seq, event.hash
        if utc is None:
            utc = cmd.at.astimezone(UTC)
        if plan.last_at is None or utc > plan.last_at:
            plan.last_at = utc
        return event
