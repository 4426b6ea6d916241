"""The use cases: load a plan, apply a command with the engine, save, in one transaction.

This is the Python API an insurer's case-management system embeds; the CLI only calls it.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

import orjson

import states
from workflow.core import todo
from workflow.core.bounds import (
    BadInput,
    Limits,
    check_actor,
    check_event_size,
    check_name,
    check_optional_name,
    check_payload,
    check_year,
    instant,
)
from workflow.core.clock import Clock, SystemClock
from workflow.core.engine import Command, Outcome, Permission, ProcessEngine
from workflow.core.errors import AZWA, Refused, StaleWrite, UnknownPlan
from workflow.core.events import Event, canonical
from workflow.core.phrase import Phrase
from workflow.core.plan import Deadline, Plan, StoredPlan
from workflow.core.spec import REGISTER, Actor, Definition
from workflow.core.text import normal_name
from workflow.core.timecalc import local_date, plain
from workflow.core.todo import Todo, Worklist
from workflow.service.logs import enabled as log_enabled
from workflow.service.logs import get_logger
from workflow.store.heads import Signer
from workflow.store.protocol import PlanSummary, Store
from workflow.store.sql import SqlStore

ActorLike = Actor | Mapping[str, Any]


class Fired:
    """What a command did: the plan after it and the events it appended.

    `plan` is the caller's own copy, decoded from what was stored when first asked for, so
    later commands never change it under the caller's hands.
    """

    __slots__ = ("_plan", "events", "repeated")

    def __init__(self, plan: Plan | StoredPlan, events: list[Event], repeated: bool = False
                 ) -> None:
        self._plan = plan
        self.events = events
        self.repeated = repeated
        """True when the command id was seen before and nothing new was applied."""

    @property
    def plan(self) -> Plan:
        if isinstance(self._plan, StoredPlan):
            self._plan = self._plan.plan()
        return self._plan

    def head(self) -> dict[str, Any]:
        """The plan's head (`Plan.head`: id, seq, state, escalation and the rest but its
        append-only history), decoded without that history: enough for an answer that names
        where the plan stands, at a fraction of decoding the whole plan."""
        if isinstance(self._plan, StoredPlan):
            return dict(orjson.loads(self._plan.head))
        return self._plan.head()


def as_actor(actor: ActorLike) -> Actor:
    """The caller's actor; BadInput (a ValueError) naming the field when it is malformed."""
    return check_actor(actor)


def _text_id(plan_id: str) -> str:
    return check_name(plan_id, "plan_id")


def _new_store(db_url: str | None, signing_key: bytes | None) -> SqlStore:
    """The store at `db_url`, created if missing; StoreUnavailable (one line, as the command
    line gives) for a URL or file that cannot be used."""
    from workflow.store.opening import open_or_create

    return open_or_create(db_url, Signer(signing_key) if signing_key is not None else None)


def _already_registered(plan_id: str) -> Refused:
    return Refused("unique_plan_id", "A4 §1.a.2",
                   Phrase("A plan with id {plan_id!r} is already registered",
                          plan_id=plan_id),
                   trigger=REGISTER, plan_id=plan_id)


WAKE_WITHIN = timedelta(hours=1)
RETRIES = 50
"""How often a command that lost the race is judged again before it gives up (StaleWrite):
many more than 8 writers on one plan ever need."""
STALE_SHARE = 0.5
"""Above this share of stale working copies lately, plans are loaded afresh per command."""
_ASK = object()
"""`Engine._seen`: the store was not asked yet what a command id was used for."""


def _back_off(attempt: int) -> None:
    """Sleep a random while, longer after each lost race, so writers that collided do not
    collide again in step (at most about 50 ms)."""
    time.sleep(random.uniform(0, min(0.05, 0.0005 * 2 ** attempt)))


def command_digest(trigger: str, actor: Actor, payload: Mapping[str, Any]) -> str:
    """What a command id stands for: SHA-256 of the trigger, the actor and the payload."""
    return hashlib.sha256(canonical({"trigger": trigger, "actor": actor.to_dict(),
                                     "payload": dict(payload)})).hexdigest()


def _snapshot(plan: Plan) -> dict[str, tuple[str, datetime]]:
    return {n: (d.status, d.expires_at) for n, d in plan.deadlines.items()}


def _changed(plan: Plan, before: dict[str, tuple[str, datetime]]) -> list[Deadline]:
    return [
        d for n, d in plan.deadlines.items() if before.get(n) != (d.status, d.expires_at)
    ]


class Engine:
    """Plans on a database, moved by commands under the process rules.

    `Engine("sqlite:///azwa.db", clock)`; the clock is asked for the time only when a
    command gives no `at`, so tests and simulations pass a FakeClock or explicit times.
    """

    def __init__(
        self,
        db_url: str | None = None,
        clock: Clock | None = None,
        *,
        store: Store | None = None,
        definition: Definition | None = None,
        cache_size: int = 1024,
        signing_key: bytes | None = None,
    ) -> None:
        """`signing_key` signs each plan's chain heads (default: the key configured in
        AZWA_SIGNING_KEY_FILE or AZWA_SIGNING_KEY, else heads are recorded unsigned).
        `cache_size`: how many plans are kept as working copies, judged on without a read
        (0: none, every command reads its plan afresh).

        Raises StoreUnavailable, with one line, when the database cannot be used; reads the
        limits of an event (AZWA_MAX_LINE_BYTES, AZWA_MAX_DEPTH) once."""
        self.limits = Limits.from_env()
        self.store: Store = store if store is not None else _new_store(db_url, signing_key)
        self.clock = clock if clock is not None else SystemClock()
        self.definition = definition if definition is not None else states.DEFAULT
        self._pinned = definition is not None
        """A definition given: every plan registers under it; else under the one in force
        on the registration's date (states.in_force)."""
        self._processes: dict[str, ProcessEngine] = {}
        self._cache: OrderedDict[str, Plan] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self.log = get_logger()
        self.lost_races = 0
        """Saves refused because another writer changed the plan first, each followed by
        judging the command again (a measure of contention, for monitoring); saves of a
        working copy that had gone stale are counted apart, in `stale_copies`."""
        self.stale_copies = 0
        self._stale_share = 0.0
        self._wakes = isinstance(self.store, SqlStore)
        """Whether the store takes `wake_before` (a store of another kind may not)."""

    @classmethod
    def open(cls, db_url: str | None = None, clock: Clock | None = None, *, write: bool = True,
             **options: Any) -> Engine:
        """An Engine on a database `azwa init` (or `Engine(db_url)`) already made; creates
        nothing. Raises StoreUnavailable, with one line, when there is none or it is unusable
        (`write=False`: it is only read, so a read-only file serves)."""
        from workflow.store.opening import open_existing

        return cls(clock=clock, store=open_existing(db_url, write=write), **options)

    def process(self, ref: str | None = None) -> ProcessEngine:
        """The engine of a definition version (`transformation@1`), built once."""
        ref = ref or self.definition.ref
        found = self._processes.get(ref)
        if found is None:
            found = self._processes[ref] = ProcessEngine(states.get(ref))
        return found

    def definition_at(self, when: datetime | str | None = None) -> Definition:
        """The definition a plan registered at `when` runs under, for good: this Engine's
        own when one was given, else the one in force on that day (states.in_force)."""
        if self._pinned:
            return self.definition
        return states.in_force(self.definition.name, local_date(self._at(when)).isoformat())

    def _registering(self, when: datetime) -> ProcessEngine:
        return self.process(self.definition_at(when).ref)

    def _at(self, at: datetime | str | None, name: str = "at") -> datetime:
        """The moment of a command or read: `at`, else the clock's now; BadInput naming the
        argument for a text that is no ISO-8601 instant with an offset."""
        if isinstance(at, str):
            return instant(check_name(at, name), name)
        value: Any = self.clock.now() if at is None else at
        if not isinstance(value, datetime):
            raise BadInput(Phrase("{name} must be an ISO-8601 text or a datetime, not {kind}",
                                  name=name, kind=type(value).__name__))
        if value.tzinfo is None:
            raise BadInput(Phrase("{name}: needs a time zone (an offset such as +01:00)",
                                  name=name))
        return plain(check_year(value, name))

    def _load(self, plan_id: str) -> Plan:
        plan = self.store.load(plan_id)
        if plan is None:
            raise UnknownPlan(Phrase("no plan {plan!r}", plan=plan_id))
        return plan

    def _take(self, plan_id: str) -> tuple[Plan, bool]:
        """The plan to judge a command on: this Engine's working copy, or a fresh load.

        A working copy goes stale when another process writes the plan; the version check
        on save catches that, and the command is then judged again on a fresh load. When
        most copies have turned out stale lately (other writers busy on the same plans),
        the plan is loaded afresh instead: one read costs less than a refused write.
        """
        with self._cache_lock:
            cached = self._cache.pop(plan_id, None)
        if cached is None:
            return self._load(plan_id), False
        if self._stale_share > STALE_SHARE:
            fresh = self._load(plan_id)
            self._copy_was(stale=fresh.seq != cached.seq)  # whether the copy would have done
            return fresh, False
        return cached, True

    def _copy_was(self, stale: bool) -> None:
        """Note whether a working copy was still current at its save (or, while plans are
        loaded afresh, at the load)."""
        self._stale_share = self._stale_share * 0.9 + (0.1 if stale else 0.0)

    def _keep(self, plan: Plan) -> None:
        if self._cache_size <= 0:
            return
        with self._cache_lock:
            self._cache[plan.plan_id] = plan
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    # -- commands --------------------------------------------------------------------------------

    def register(
        self,
        plan_id: str,
        actor: ActorLike,
        attrs: Mapping[str, Any],
        *,
        at: datetime | str | None = None,
        command_id: str | None = None,
    ) -> Fired:
        """Register a plan under the current definition (`register_plan`).

        BadInput (a ValueError naming the field) for input no store can take: see `fire`."""
        plan_id, command_id = _text_id(plan_id), check_optional_name(command_id, "command_id")
        who, when = as_actor(actor), self._at(at)
        attrs, size = check_payload(attrs, "attrs", self.limits)
        check_event_size("attrs", attrs, size, self.limits, plan_id, REGISTER, who.role, who.org,
                         who.region or "")
        digest = command_digest(REGISTER, who, attrs) if command_id is not None else None
        try:
            if self.store.load(plan_id) is not None:  # the id rule before any other
                if command_id is not None and (
                        seen := self._seen(command_id, plan_id, digest)):
                    return Fired(self._load(plan_id), seen, repeated=True)
                raise _already_registered(plan_id)
            outcome = self._registering(when).register(plan_id, who, dict(attrs), when)
            stored = self.store.save(outcome.plan, outcome.events, expected_seq=None,
                                     deadlines=list(outcome.plan.deadlines.values()),
                                     command_id=command_id, command_digest=digest,
                                     **self._wake())
        except Refused as refusal:
            self._refused(refusal, plan_id, REGISTER, who)
            raise
        except StaleWrite:  # the id is taken: by this very command, or by another
            if command_id is not None and (seen := self._seen(command_id, plan_id, digest)):
                return Fired(self._load(plan_id), seen, repeated=True)
            taken = _already_registered(plan_id)
            self._refused(taken, plan_id, REGISTER, who)
            raise taken from None
        self._accepted(outcome)
        return Fired(stored, outcome.events)

    def fire(
        self,
        plan_id: str,
        trigger: str,
        actor: ActorLike,
        payload: Mapping[str, Any] | None = None,
        *,
        at: datetime | str | None = None,
        command_id: str | None = None,
        expected_seq: int | None = None,
    ) -> Fired:
        """Fire a trigger on a plan; raises Refused (nothing stored) when the rules forbid it.

        The same `command_id` twice applies once: the second call returns the first's events.
        `expected_seq` refuses the command when the plan moved on since the caller read it.

        BadInput (a ValueError naming the field) for input no store can take, before any
        rule looks at it: an id, trigger or actor field that is no text, longer than
        MAX_ID_CHARS, with a lone surrogate or a NUL; a payload that is no JSON object, nests
        deeper than AZWA_MAX_DEPTH, holds such a text, or would make an event longer than a
        log line (AZWA_MAX_LINE_BYTES); an `at` that is no ISO-8601 instant with an offset in
        the years 1900–2200.
        """
        plan_id, command_id = _text_id(plan_id), check_optional_name(command_id, "command_id")
        trigger = check_name(trigger, "trigger")
        who, when = as_actor(actor), self._at(at)
        data, size = check_payload({} if payload is None else payload, "payload", self.limits)
        check_event_size("payload", data, size, self.limits, plan_id, trigger, who.role, who.org,
                         who.region or "")
        digest = command_digest(trigger, who, data) if command_id is not None else None
        reread: Plan | None = None
        for attempt in range(1, RETRIES + 1):
            plan, cached = (reread, False) if reread is not None else self._take(plan_id)
            reread = None
            if expected_seq is not None and plan.seq != expected_seq:
                if cached:
                    continue
                if command_id is not None and (seen := self._seen(command_id, plan_id, digest)):
                    return Fired(self._load(plan_id), seen, repeated=True)
                raise StaleWrite(Phrase("plan {plan} is at seq {seq}, not {expected}",
                                        plan=plan_id, seq=plan.seq, expected=expected_seq))
            # The clock is read per try, after the plan: a command another writer stored
            # just before is not taken for one from the future (time_moves_forward).
            cmd = Command(trigger, who, data, when if at is not None else self._at(None))
            read_seq, before = plan.seq, _snapshot(plan)
            try:
                outcome = self.process(plan.definition).apply(plan, cmd)
            except Refused as refusal:
                if cached:
                    continue  # another process may have moved the plan: judge it afresh
                if command_id is not None and (seen := self._seen(command_id, plan_id, digest)):
                    return Fired(self._load(plan_id), seen, repeated=True)
                self._keep(plan)
                self._refused(refusal, plan_id, trigger, who)
                raise
            try:
                stored = self.store.save(
                    plan, outcome.events, expected_seq=read_seq,
                    deadlines=_changed(plan, before), command_id=command_id,
                    command_digest=digest, **self._wake())
            except StaleWrite as stale:
                # The plan and the command id as stored now, if the store read them with
                # the refusal (one round trip); else each is read when needed.
                found = stale.reread
                if command_id is not None and (seen := self._seen(
                        command_id, plan_id, digest, found[1] if found else _ASK)):
                    return Fired(found[0] if found and found[0] else self._load(plan_id),
                                 seen, repeated=True)
                if expected_seq is not None:
                    raise
                reread = found[0] if found else None
                if cached:
                    self.stale_copies += 1
                    self._copy_was(stale=True)
                else:
                    self.lost_races += 1
                    _back_off(attempt)
                continue
            if cached:
                self._copy_was(stale=False)
            self._keep(plan)
            self._accepted(outcome)
            return Fired(stored, outcome.events)
        raise StaleWrite(Phrase("plan {plan} kept changing: {tries} tries lost the race to "
                                "other writers; try again", plan=plan_id, tries=RETRIES))

    def migrate(self, plan_id: str, to: str, actor: ActorLike | None = None, *,
                at: datetime | str | None = None, dry_run: bool = False) -> Fired:
        """Move a live plan to definition version `to`, recording `definition_migrated` in its
        chain, only when its whole history replays clean under `to`; Refused naming the first
        divergence otherwise. `actor`: the plan's coordinating insurer (the default); anyone
        else is refused. `dry_run`: judge only, store nothing (no events returned)."""
        from workflow.service.migration import first_divergence, migrator

        plan_id, when = _text_id(plan_id), self._at(at)
        given = None if actor is None else as_actor(actor)
        plan = self._load(plan_id)
        who = migrator(plan, given)
        target = self.process(check_name(to, "to"))
        if plan.definition == target.definition.ref or plan.state in target.definition.finals:
            raise Refused("migrates_a_live_plan_to_another_version", AZWA,
                          f"Plan {plan_id} is {plan.state} under {plan.definition}; nothing to "
                          f"migrate to {to}", plan_id=plan_id, trigger="definition_migrated")
        found = first_divergence(plan, self.store.events(plan_id), target)
        if not isinstance(found, Plan):
            raise Refused("history_replays_clean", AZWA, f"Plan {plan_id} cannot move to {to}: "
                          f"{found}", plan_id=plan_id, trigger="definition_migrated")
        if dry_run:
            return Fired(plan, [])
        from workflow.core import migration
        from workflow.core.events import DEFINITION_MIGRATED, sealed
        from workflow.core.timecalc import format_at

        if plan.last_at is not None and when < plan.last_at:
            raise Refused("time_moves_forward", AZWA, "The migration lies before the plan's "
                          "last event", plan_id=plan_id, trigger=DEFINITION_MIGRATED)
        read_seq = plan.seq
        moved = migration.payload_for(plan, found, plan.definition, to)
        event = sealed(plan_id, plan.seq + 1, format_at(when), DEFINITION_MIGRATED,
                       who.to_dict(), moved, to, plan.last_hash)
        migration.apply(plan, moved)
        plan.seq, plan.last_hash, plan.last_at = event.seq, event.hash, when
        stored = self.store.save(plan, [event], expected_seq=read_seq, deadlines=[])
        with self._cache_lock:
            self._cache.pop(plan_id, None)
        return Fired(stored, [event])

    def _wake(self) -> dict[str, datetime]:
        """`wake_before` for a save: deadlines due within the hour wake the workers."""
        return {"wake_before": self.clock.now() + WAKE_WITHIN} if self._wakes else {}

    def _seen(self, command_id: str, plan_id: str, digest: str | None,
              found: tuple[str, str | None, list[Event]] | object | None = _ASK
              ) -> list[Event] | None:
        """The events a command id already produced on this plan, if it was this command;
        refused when the id was used for another plan or another command. `found`: what
        `store.command` said, when it was read already (`_ASK`: ask it now)."""
        if found is _ASK:
            found = self.store.command(command_id)
        if not isinstance(found, tuple):
            return None
        other_plan, stored_digest, events = cast(tuple[str, str | None, list[Event]], found)
        if other_plan != plan_id:
            raise Refused("command_id_names_one_command", AZWA,
                          f"Command id {command_id!r} was already used for plan "
                          f"{other_plan}", plan_id=plan_id)
        if stored_digest is not None and digest is not None and stored_digest != digest:
            raise Refused("command_id_names_one_command", AZWA,
                          f"Command id {command_id!r} was already used for another command "
                          f"on plan {plan_id} (another trigger, actor or payload)",
                          plan_id=plan_id)
        return events

    def tick(self, now: datetime | str | None = None) -> list[Event]:
        """Expire every deadline due at or before `now`, exactly once, in due order.

        Rows come from the store earliest first; each expires its plan up to that row's own
        moment, so the events of several plans interleave in due order.
        """
        when = self._at(now, "now")
        done: list[Event] = []
        for due in self.store.due(when):
            done += self._expire_plan(due.plan_id, min(due.expires_at, when))
        return done

    def _expire_plan(self, plan_id: str, when: datetime) -> list[Event]:
        for _attempt in range(3):
            plan = self._load(plan_id)
            read_seq, before = plan.seq, _snapshot(plan)
            events = self.process(plan.definition).expire(plan, when)
            if not events:
                return []
            try:
                self.store.save(plan, events, expected_seq=read_seq,
                                deadlines=_changed(plan, before))
            except StaleWrite:
                continue
            with self._cache_lock:
                self._cache.pop(plan_id, None)
            self._accepted(Outcome(plan, events))
            return events
        return []

    # -- reads -------------------------------------------------------------------------------------

    def state(self, plan_id: str) -> Plan:
        return self._load(_text_id(plan_id))

    def history(self, plan_id: str) -> list[Event]:
        plan_id = _text_id(plan_id)
        self._load(plan_id)
        return self.store.events(plan_id)

    def allowed(
        self, plan_id: str, actor: ActorLike, at: datetime | str | None = None
    ) -> list[Permission]:
        """Which triggers this actor may fire now, and why each other one is refused."""
        plan_id, who, when = _text_id(plan_id), as_actor(actor), self._at(at)
        plan = self._load(plan_id)
        return self.process(plan.definition).allowed(plan, who, when)

    def next_steps(
        self, plan_id: str, at: datetime | str | None = None
    ) -> dict[tuple[str, str], list[Permission]]:
        """Per (role, org) of the plan, every organisation in each role it acts in: the
        triggers it may fire now, to-dos and optional ones alike (see `todo` to tell them
        apart), each with what its payload needs."""
        plan_id, when = _text_id(plan_id), self._at(at)
        plan = self._load(plan_id)
        return todo.steps(self.process(plan.definition), plan, when)

    def todo(self, plan_id: str, at: datetime | str | None = None) -> list[Worklist]:
        """Per organisation of the plan (once per role it acts in): what the process waits
        for from it now, what it may also do, and when it has nothing to do, why."""
        plan_id, when = _text_id(plan_id), self._at(at)
        plan = self._load(plan_id)
        return todo.worklists(self.process(plan.definition), plan, when)

    def todos(self, org: str, at: datetime | str | None = None) -> list[Todo]:
        """Every to-do of one organisation across all plans, earliest due first.

        Reads every stored plan (fine for hundreds of plans; an index of who owes what
        comes when the store needs one).
        """
        org, when = check_name(org, "org"), self._at(at)
        wanted = normal_name(org)  # "menzis " finds Menzis, as the guards compare names
        found: list[Todo] = []
        for plan_id in list(self.store.plan_ids()):
            plan = self._load(plan_id)
            process = self.process(plan.definition)
            actors = process.definition.actors
            names = {a.org for a in (actors(plan) if actors is not None else [])}
            for name in sorted(n for n in names if isinstance(n, str)
                               and normal_name(n) == wanted):
                found += todo.owed_by(process, plan, when, name)
        return todo.order(found)

    def plans(
        self,
        *,
        state: str | None = None,
        region: str | None = None,
        track: str | None = None,
        limit: int = 1000,
    ) -> list[PlanSummary]:
        """Registered plans, newest activity first; region and track ignore case and
        surrounding spaces."""
        state, region = check_optional_name(state, "state"), check_optional_name(region, "region")
        track = check_optional_name(track, "track")
        if type(limit) is not int or limit < 0:
            raise BadInput(Phrase("limit must be a whole number of at least 0, not {value}",
                                  value=f"{limit!r:.40}"))
        return self.store.plans(state=state, region=region, track=track, limit=limit)

    # -- logging -----------------------------------------------------------------------------------

    def _accepted(self, outcome: Outcome) -> None:
        if not log_enabled(logging.INFO):
            return
        for e in outcome.events:
            self.log.info("accepted", plan_id=e.plan_id, seq=e.seq, trigger=e.trigger,
                          role=e.actor["role"], org=e.actor["org"], at=e.at,
                          state=outcome.plan.state)

    def _refused(self, refusal: Refused, plan_id: str, trigger: str, actor: Actor) -> None:
        if not log_enabled(logging.WARNING):
            return
        self.log.warning("refused", plan_id=plan_id, trigger=trigger, role=actor.role,
                         org=actor.org, rule=refusal.rule, seed=refusal.seed,
                         reason=refusal.reason)
