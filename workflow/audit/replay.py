"""Replay event logs through the engine of the definition each plan was registered under.

Each event is checked as if fired live: the same ProcessEngine, the same roles and guards,
deadlines computed from the events' own `at`. Nothing here knows a rule of the process; what
replay adds is the audit around it (DESIGN.md "Event log: the audit contract"):

- a refused event is a violation (its rule and seed paragraph) and is skipped;
- a `deadline_expired` event is accepted where it agrees with the deadline the engine computed
  and is a violation where it does not; a log without them (another system's) gets them
  computed, because the engine expires due deadlines before every command;
- each plan's hash chain is `ok`, `absent` (no event carries a hash) or `broken` (which event).

A whole log of many plans is read and replayed as it streams by `workflow.audit.logfile`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import states
from workflow.core import migration
from workflow.core.engine import Command, ProcessEngine
from workflow.core.errors import AZWA, Refused
from workflow.core.events import DEFINITION_MIGRATED, Event, digest, sealed
from workflow.core.money import empty_funds, funds_eur
from workflow.core.phrase import Phrase
from workflow.core.plan import GENESIS, Plan
from workflow.core.spec import DEADLINE_EXPIRED, REGISTER, SYSTEM_ROLE, Actor
from workflow.core.timecalc import local_date, parse_iso

CHAIN_OK, CHAIN_ABSENT, CHAIN_BROKEN = "ok", "absent", "broken"
EVENT_KEYS = frozenset(
    ("plan_id", "seq", "at", "trigger", "actor", "payload", "definition", "prev_hash", "hash")
)


_ENGINES: dict[str, ProcessEngine] = {}
_TRIGGERS: dict[str, frozenset[str]] = {}


def engine_for(ref: str, *, hashing: bool = True) -> ProcessEngine:
    """The engine of a definition version, built once per process; `hashing` False for a
    plan whose log carries no hashes (another system's): its events need none."""
    key = ref if hashing else f"{ref} unhashed"
    found = _ENGINES.get(key)
    if found is None:
        found = _ENGINES[key] = ProcessEngine(states.get(ref), hashing=hashing)
    return found


def triggers_of(ref: str) -> frozenset[str]:
    """Every trigger a log of this definition may carry, `deadline_expired` and
    `definition_migrated` included."""
    found = _TRIGGERS.get(ref)
    if found is None:
        found = _TRIGGERS[ref] = frozenset(
            {*states.get(ref).triggers(), DEADLINE_EXPIRED, DEFINITION_MIGRATED})
    return found


_ACTORS: dict[tuple[Any, Any, Any], Actor] = {}


def actor_of(data: Mapping[str, Any]) -> Actor:
    """The actor of an event; the few actors of a log are made once each."""
    key = (data.get("role"), data.get("org"), data.get("region"))
    found = _ACTORS.get(key)
    if found is None:
        if len(_ACTORS) > 10_000:
            _ACTORS.clear()
        found = _ACTORS[key] = Actor.from_dict(data)
    return found


def definition_ref(event: Mapping[str, Any], at: datetime) -> str:
    """The definition a plan is replayed under: the event's own, else the one then in force."""
    ref = event.get("definition")
    if ref:
        states.get(str(ref))
        return str(ref)
    return states.in_force(states.DEFAULT.name, local_date(at).isoformat()).ref


@dataclass(frozen=True, slots=True)
class Violation:
    """An event the rules refuse (skipped), or a log that disagrees with the computation."""

    seq: int
    trigger: str
    reason: str
    rule: str = ""
    seed: str = ""
    line: int = 0
    refusal: Refused | None = field(default=None, compare=False, repr=False)
    """The refusal behind it, whose texts a report says in the reader's language."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"seq": self.seq, "trigger": self.trigger, "reason": self.reason,
                                "rule": self.rule, "seed": self.seed}
        if self.line:
            data["line"] = self.line
        return data


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """Where a plan's hash chain breaks, and why."""

    seq: int
    reason: str
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"seq": self.seq, "reason": self.reason}
        if self.line:
            data["line"] = self.line
        return data


@dataclass(slots=True)
class PlanReplay:
    """One plan being replayed: the rebuilt plan, its violations and its chain status."""

    plan_id: str
    plan: Plan | None = None
    violations: list[Violation] = field(default_factory=list)
    chain_absent: bool = False
    """Some event of the plan carried no hash."""
    chain_breaks: list[int] = field(default_factory=list)
    """The seq of each event where the chain breaks (details in `links`)."""
    links: list[BrokenLink] = field(default_factory=list)
    events: int = 0
    last_seq: int = 0
    definition: str | None = None
    _prev_hash: str = GENESIS
    _hashed: int = 0
    _unhashed: int = 0
    _first_unhashed: tuple[int, int] | None = None
    _engine: ProcessEngine | None = None
    triggers: frozenset[str] = frozenset()
    """Every trigger its definition knows, once registered (looked up once, not per event)."""
    _finals: frozenset[str] = frozenset()
    _late: list[Event] = field(default_factory=list)
    """Expiries the last command produced after its own event (a deadline that started past
    due): the log's next `deadline_expired` events are these."""

    # -- the audit verdict ----------------------------------------------------------------------

    @property
    def chain(self) -> str:
        if self.links:
            return CHAIN_BROKEN
        return CHAIN_OK if self._hashed else CHAIN_ABSENT

    @property
    def ok(self) -> bool:
        return not self.violations and self.chain != CHAIN_BROKEN

    @property
    def finished(self) -> bool:
        """The plan is in a final state of its definition: nothing can happen to it any more."""
        return self.plan is not None and self.plan.state in self._finals

    # -- one event ------------------------------------------------------------------------------

    def step(self, event: Mapping[str, Any], at: datetime | None = None, line: int = 0) -> None:
        """Apply one event of this plan's log (the plan's events come in seq order)."""
        seq, trigger = int(event["seq"]), str(event["trigger"])
        when = at if at is not None else parse_iso(str(event["at"]))
        self.events += 1
        produced: Event | None = None
        try:
            if self.events > 1 and seq <= self.last_seq:
                raise Refused("seq_in_order", AZWA, Phrase(
                    "seq {seq} comes after seq {last}: an event repeated or out of order",
                    seq=seq, last=self.last_seq))
            gap = self.last_seq + 1
            self.last_seq = seq
            if seq > gap:
                missing = str(gap) if seq == gap + 1 else f"{gap}–{seq - 1}"
                self._violation(seq, trigger, line, Refused(
                    "seq_follows_on", AZWA, Phrase("seq {missing} missing before seq {seq}",
                                                   missing=missing, seq=seq)))
            if trigger == DEADLINE_EXPIRED:
                produced = self._late.pop(0) if self._is_late(event) else self._expiry(
                    event, seq, when)
            elif trigger == DEFINITION_MIGRATED:
                produced = self._migrated(event, seq, when)
            else:
                self._late.clear()
                produced = self._command(event, trigger, when)
        except Refused as refusal:
            self._violation(seq, trigger, line, refusal)
        self._check_chain(event, seq, line, produced)

    def _violation(self, seq: int, trigger: str, line: int, refusal: Refused) -> None:
        self.violations.append(
            Violation(seq, trigger, refusal.reason, refusal.rule, refusal.seed, line, refusal))

    def _command(self, event: Mapping[str, Any], trigger: str, at: datetime) -> Event:
        actor = actor_of(event["actor"])
        payload = event.get("payload") or {}  # the line is read once: no copy needed
        at_text = str(event["at"])
        if trigger == REGISTER:
            if self.plan is not None:
                raise Refused("is_new_plan", "A4 §1.a.2", Phrase("The plan is registered already"))
            try:
                self.definition = definition_ref(event, at)
            except KeyError as exc:
                raise Refused("known_definition", AZWA, str(exc.args[0])) from None
            self._engine = engine_for(self.definition, hashing="hash" in event)
            self.triggers = triggers_of(self.definition)
            self._finals = self._engine.definition.finals
            outcome = self._engine.register(self.plan_id, actor, payload, at, at_text)
            self.plan = outcome.plan
            return outcome.events[0]
        if self.plan is None:
            raise Refused("registered_first", AZWA,
                          Phrase("The plan was never registered: its register_plan was refused "
                                 "or missing"))
        if "definition" in event:
            self._same_definition(event)
        engine = self._engine or engine_for(self.plan.definition)
        outcome = engine.apply(self.plan, Command(trigger, actor, payload, at, at_text))
        last = outcome.events[-1]
        if last.trigger == trigger:
            return last
        own = next(i for i in range(len(outcome.events) - 1, -1, -1)
                   if outcome.events[i].trigger == trigger)
        self._late = outcome.events[own + 1:]
        return outcome.events[own]

    def _is_late(self, event: Mapping[str, Any]) -> bool:
        """The log records an expiry the last command produced after itself, as produced."""
        if not self._late:
            return False
        expected = self._late[0]
        payload = event.get("payload") or {}
        return (actor_of(event.get("actor") or {}).role == SYSTEM_ROLE
                and payload.get("deadline") == expected.payload["deadline"]
                and event.get("at") == expected.at and self._check_late(event, payload))

    def _check_late(self, event: Mapping[str, Any], payload: Mapping[str, Any]) -> bool:
        self._same_definition(event)
        self._check_due(str(payload.get("deadline")), payload, self._late[0].payload["due"])
        return True

    def _same_definition(self, event: Mapping[str, Any]) -> None:
        assert self.plan is not None
        ref = event.get("definition")
        if ref is not None and ref != self.plan.definition:
            raise Refused("same_definition", AZWA,
                          Phrase("The event names definition {ref!r}; the plan was registered "
                                 "under {own}", ref=ref, own=self.plan.definition))

    def _expiry(self, event: Mapping[str, Any], seq: int, at: datetime) -> Event:
        """A `deadline_expired` from the log: accepted only as the engine computes it."""
        if self.plan is None:
            raise Refused("registered_first", AZWA,
                          Phrase("The plan was never registered: its register_plan was refused "
                                 "or missing"))
        self._same_definition(event)
        role = actor_of(event["actor"]).role
        if role != SYSTEM_ROLE:
            raise Refused("role_may_fire", "A4 §1.5",
                          Phrase("A {role} may not record deadline_expired; only the system "
                                 "does", role=role))
        payload = event.get("payload") or {}
        name = str(payload.get("deadline"))
        found = self.plan.deadlines.get(name)
        if found is None or not found.is_open:
            raise self._disagree(name, Phrase("at all") if found is None else Phrase("any more"))
        if found.expires_at != at:
            raise self._disagree(name, Phrase("at that moment"))
        self._check_due(name, payload, found.due.isoformat())
        # The engine expires every deadline due by then; one due at the same instant that the
        # log names in an event of its own is held back for that event, so the breaches come
        # in the log's order (the service writes them by name, an in-memory engine by age).
        names = [n for n, d in self.plan.deadlines.items() if d is found or d.expires_at != at]
        expired = (self._engine or engine_for(self.plan.definition)).expire(self.plan, at, names)
        return next(e for e in expired if e.payload.get("deadline") == name)

    def _migrated(self, event: Mapping[str, Any], seq: int, at: datetime) -> Event:
        """The plan moves to the version the event names; later events run under it."""
        plan = self.plan
        if plan is None:
            raise Refused("registered_first", AZWA, Phrase("The plan was never registered"))
        payload = event.get("payload") or {}
        target = str(payload.get("to"))
        if payload.get("from") != plan.definition or event.get("definition") != target:
            raise Refused("migrated_from_current", AZWA,
                          Phrase("The migration names {origin!r} → {target!r}; the plan runs "
                                 "under {ref}", origin=payload.get("from"), target=target,
                                 ref=plan.definition))
        try:
            self._engine = engine_for(target, hashing="hash" in event)
        except KeyError as exc:
            raise Refused("known_definition", AZWA, str(exc.args[0])) from None
        self.triggers, self._finals = triggers_of(target), self._engine.definition.finals
        migration.apply(plan, dict(payload))
        self.definition = target
        actor, body = dict(event["actor"]), dict(payload)
        produced = (sealed(plan.plan_id, seq, str(event["at"]), DEFINITION_MIGRATED, actor,
                           body, target, plan.last_hash) if "hash" in event else
                    Event(plan.plan_id, seq, str(event["at"]), DEFINITION_MIGRATED, actor,
                          body, target, plan.last_hash, ""))
        plan.seq, plan.last_hash = seq, produced.hash
        if plan.last_at is None or at > plan.last_at:
            plan.last_at = at
        return produced

    @staticmethod
    def _disagree(name: str, when: str) -> Refused:
        return Refused("deadline_expired_as_computed", "A4 §1.5", Phrase(
            "No running deadline {deadline!r} expires {when} by the rules", deadline=name,
            when=when))

    @staticmethod
    def _check_due(name: str, payload: Mapping[str, Any], due: Any) -> None:
        if "due" in payload and payload["due"] != due:
            raise Refused("deadline_expired_as_computed", "A4 §1.5", Phrase(
                "Deadline {deadline!r} is due on {due}, not {given}", deadline=name, due=due,
                given=payload["due"]))

    # -- the hash chain -------------------------------------------------------------------------

    def _check_chain(
        self, event: Mapping[str, Any], seq: int, line: int, produced: Event | None
    ) -> None:
        if "hash" not in event and "prev_hash" not in event:
            self.chain_absent = True
            if self._hashed:
                self._break(seq, line, "carries no hash while the plan's other events do")
            else:
                self._unhashed += 1
                if self._first_unhashed is None:
                    self._first_unhashed = (seq, line)
            return
        if self._unhashed and self._first_unhashed is not None:
            first_seq, first_line = self._first_unhashed
            self._break(first_seq, first_line, "carries no hash while the plan's other events do")
            self._first_unhashed = None
        self._hashed += 1
        claimed = event.get("hash")
        if event.get("prev_hash") != self._prev_hash:
            self._break(seq, line, "prev_hash is not the hash of the event before")
        if not _reproduced(event, seq, produced) and claimed != digest(event):
            self._break(seq, line, "hash does not match the event's content")
        self._prev_hash = str(claimed)

    def _break(self, seq: int, line: int, reason: str) -> None:
        self.chain_breaks.append(seq)
        self.links.append(BrokenLink(seq, reason, line))

    # -- memory ---------------------------------------------------------------------------------

    def retire(self) -> None:
        """Drop what no later event can need once the plan is in a final state.

        Nothing can happen to a plan in a final state (the engine refuses any trigger there
        before it reads the plan's attributes or facts), so a long log keeps only each
        finished plan's outcome: state, escalation, deadlines, breaches, funds, chain.
        """
        if self.plan is None:
            return
        self.plan.attrs = {}
        self.plan.facts = {}
        self.plan.escalation_history = []

    # -- the end of the log -----------------------------------------------------------------------

    def finish(self, now: datetime | None = None) -> None:
        """With `now`, deadlines still unmet then are breaches too (`--now`)."""
        if now is None or self.plan is None:
            return
        engine = engine_for(self.plan.definition)
        if self.plan.state not in engine.definition.finals:
            # As the service's deadline clock would: it reads the plan from the store, with
            # its deadlines in name order, so deadlines due together expire by name.
            self.plan.deadlines = dict(sorted(self.plan.deadlines.items()))
            engine.expire(self.plan, now)

    def result(self) -> dict[str, Any]:
        """The plan's entry in `azwa replay --json` (DESIGN.md "Auditor interface")."""
        plan = self.plan
        return {
            "state": plan.state if plan else None,
            "escalation": plan.escalation if plan else None,
            "breaches": list(plan.breaches) if plan else [],
            "missed_aims": list(plan.missed_aims) if plan else [],
            "violations": [v.to_dict() for v in self.violations],
            "funds": funds_eur(plan.funds if plan else empty_funds()),
            "definition": self.definition,
            "chain": self.chain,
            "events": self.events,
        }


def _reproduced(event: Mapping[str, Any], seq: int, produced: Event | None) -> bool:
    """The engine re-made exactly this event, so its hash is the event's own digest.

    Saves hashing every event twice: when every field the engine does not copy from the log
    (seq, prev_hash, definition, the actor as the engine reads it) agrees and the hashes
    agree, the log's event and the engine's are the same canonical JSON.
    """
    return (
        produced is not None
        and produced.hash == event.get("hash")
        and produced.seq == seq
        and type(event.get("seq")) is int
        and produced.prev_hash == event.get("prev_hash")
        and len(event) == len(EVENT_KEYS)
        and produced.definition == event.get("definition")
        and produced.actor == event.get("actor")
        and produced.at == event.get("at")
        and produced.trigger == event.get("trigger")
        and produced.plan_id == event.get("plan_id")
        and produced.payload == event.get("payload")
    )


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
