"""`azwa audit verify`: re-derive every stored plan from its events and compare.

A plan is in order when its events replay without a violation, its hash chain holds, and what
the replay gives (state, escalation, deadlines, breaches, escalation history, funds, facts, seq,
last hash) is exactly what is stored: in the plan's JSON, in the plan row's own columns and in
its deadline rows. A tampered row or a lost event shows up as a difference. Against an
insider who rewrites events, rows and chain together, the signed heads (workflow.audit.
signatures) and the anchors kept outside the database (workflow.audit.anchors) hold. A row
that cannot be read at all is a problem of kind `corrupt`, never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from workflow.audit import signatures
from workflow.audit.anchors import Anchors, Tracker
from workflow.audit.replay import CHAIN_BROKEN, PlanReplay
from workflow.core.events import Event
from workflow.core.phrase import Phrase
from workflow.core.plan import Plan
from workflow.store.heads import Signer
from workflow.store.opening import unusable_as_one_line
from workflow.store.protocol import Store
from workflow.store.sql import EVENTS, PLANS
from workflow.store.url import CorruptRow, StoreUnavailable, described

ROW_COLUMNS = ("definition", "state", "escalation", "seq")


@contextmanager
def reading() -> Iterator[None]:
    """Turn a database error while reading, or a stored row that cannot be decoded (a
    payload that is not JSON, a text that is not), into a StoreUnavailable of one line."""
    with unusable_as_one_line():
        try:
            yield
        except CorruptRow as exc:  # already one line naming table, plan and column
            raise StoreUnavailable(exc.args[0]) from None
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise StoreUnavailable(Phrase("a stored row cannot be read (run azwa audit verify): "
                                          "{reason}", reason=described(exc))) from None


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a stored plan."""

    plan_id: str
    kind: str
    """`chain`, `violation`, `differs`, `no_events`, `no_plan`, `head` (the signed heads),
    `corrupt` (a row that cannot be read), `deleted`, `rolled_back` or `forged` (against
    the anchors), or `log` (an exported log that is not the database's)."""
    message: str
    seq: int | None = None
    field: str | None = None
    stored: Any = None
    replayed: Any = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"plan_id": self.plan_id, "kind": self.kind,
                                "message": self.message}
        if self.seq is not None:
            data["seq"] = self.seq
        if self.field is not None:
            data.update(field=self.field, stored=self.stored, replayed=self.replayed)
        return data


@dataclass(slots=True)
class Verified:
    plans: int = 0
    events: int = 0
    problems: list[Problem] = field(default_factory=list)
    signing: str = "none"
    """`signed`, `unsigned`, `unchecked` or `none` (see signatures.Tally)."""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad_plans(self) -> list[str]:
        return list(dict.fromkeys(p.plan_id for p in self.problems))

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "plans": self.plans, "events": self.events,
                "signing": self.signing, "notes": self.notes,
                "bad_plans": self.bad_plans(), "problems": [p.to_dict() for p in self.problems]}


Read = Event | Problem


def _decoded(row: Any) -> Read:
    """A stored event row, or a `corrupt` problem naming what cannot be read."""
    try:
        actor, payload = json.loads(row.actor), json.loads(row.payload)
    except (TypeError, ValueError) as exc:
        return Problem(str(row.plan_id), "corrupt", Phrase(
            "the event row at seq {seq} cannot be read: actor or payload is not JSON ({why})",
            seq=row.seq, why=described(exc)), seq=row.seq)
    for name in ("at", "trigger", "definition", "prev_hash", "hash"):
        if type(getattr(row, name)) is not str:
            return Problem(str(row.plan_id), "corrupt", Phrase(
                "the event row at seq {seq} cannot be read: {name} is not a text",
                seq=row.seq, name=name), seq=row.seq)
    if type(actor) is not dict or type(payload) is not dict:
        return Problem(str(row.plan_id), "corrupt", Phrase(
            "the event row at seq {seq} cannot be read: actor and payload must be JSON "
            "objects", seq=row.seq), seq=row.seq)
    return Event(row.plan_id, row.seq, row.at, row.trigger, actor, payload, row.definition,
                 row.prev_hash, row.hash)


def _stored_events(store: Store) -> Iterator[tuple[str, Read]]:
    """Every stored event, plan by plan in seq order; a row that cannot be read as a problem."""
    engine = getattr(store, "engine", None)
    if engine is None:
        for event in store.iter_events():
            yield event.plan_id, event
        return
    query = select(EVENTS).order_by(EVENTS.c.plan_id, EVENTS.c.seq)
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=1000).execute(query):
            yield str(row.plan_id), _decoded(row)


def _grouped(items: Iterator[tuple[str, Read]]) -> Iterator[tuple[str, list[Read]]]:
    """Consecutive events of one plan (the store streams them plan by plan in seq order)."""
    current: str | None = None
    batch: list[Read] = []
    for plan_id, item in items:
        if plan_id != current:
            if current is not None:
                yield current, batch
            current, batch = plan_id, []
        batch.append(item)
    if current is not None:
        yield current, batch


def _differences(path: str, stored: Any, replayed: Any) -> Iterator[tuple[str, Any, Any]]:
    """Leaf paths where two JSON-like values differ."""
    if isinstance(stored, dict) and isinstance(replayed, dict):
        for key in sorted(set(stored) | set(replayed), key=str):
            yield from _differences(f"{path}.{key}" if path else str(key),
                                    stored.get(key), replayed.get(key))
    elif stored != replayed or (type(stored) is not type(replayed) and not (
            isinstance(stored, int | float) and isinstance(replayed, int | float))):
        yield path, stored, replayed


def _row(store: Store, plan_id: str) -> dict[str, Any] | None:
    """The plan row's own columns, which a query reads without opening the JSON."""
    engine = getattr(store, "engine", None)
    if engine is None:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(*(PLANS.c[name] for name in ROW_COLUMNS)).where(PLANS.c.plan_id == plan_id)
        ).mappings().first()
    return dict(row) if row is not None else None


def check_plan(store: Store, plan_id: str, events: list[Event]) -> list[Problem]:
    """Replay one stored plan and compare it with every place it is stored."""
    replay = PlanReplay(plan_id)
    for event in events:
        replay.step(event.to_dict())
    problems = [
        Problem(plan_id, "chain", Phrase("hash chain broken at seq {seq}: {reason}",
                                         seq=link.seq, reason=link.reason), seq=link.seq)
        for link in replay.links
    ]
    if replay.chain != CHAIN_BROKEN and events and events[0].seq != 1:
        problems.append(Problem(plan_id, "chain", Phrase("the log does not start at seq 1"),
                                seq=1))
    problems += [
        Problem(plan_id, "violation", v.reason, seq=v.seq) for v in replay.violations
    ]
    stored = store.load(plan_id)
    if stored is None:
        return [*problems, Problem(plan_id, "no_plan", Phrase(
            "events are stored for a plan that is not"))]
    if replay.plan is None:
        return [*problems, Problem(plan_id, "differs", Phrase(
            "the events do not register the plan"))]
    problems += _compare(plan_id, stored, replay.plan)
    row = _row(store, plan_id)
    if row is not None:
        for name in ROW_COLUMNS:
            if row[name] != getattr(replay.plan, name):
                problems.append(Problem(
                    plan_id, "differs", Phrase("plan row column {name} differs from the replay",
                                               name=name),
                    field=f"row.{name}", stored=row[name], replayed=getattr(replay.plan, name)))
    rows = {d.name: d.to_dict() for d in store.stored_deadlines(plan_id)}
    mine = {name: d.to_dict() for name, d in replay.plan.deadlines.items()}
    for data in (*rows.values(), *mine.values()):
        data.pop("extensions", None)
    for path, was, now in _differences("", rows, mine):
        problems.append(Problem(plan_id, "differs", Phrase(
            "deadline row {path} differs from the replay", path=path),
                                field=f"deadline_rows.{path}",
                                stored=was, replayed=now))
    return problems


def _compare(plan_id: str, stored: Plan, replayed: Plan) -> list[Problem]:
    return [
        Problem(plan_id, "differs", Phrase("stored {path} differs from the replay", path=path),
                field=path,
                stored=was, replayed=now)
        for path, was, now in _differences("", stored.to_dict(), replayed.to_dict())
    ]


CORRUPT = (TypeError, ValueError, KeyError, AttributeError, OverflowError)
"""What a row that is not what the engine wrote raises while it is decoded or replayed."""


def _checked(store: Store, plan_id: str, items: list[Read]) -> list[Problem]:
    events = [e for e in items if isinstance(e, Event)]
    problems = [p for p in items if isinstance(p, Problem)]
    try:
        return problems + check_plan(store, plan_id, events)
    except CORRUPT as exc:
        return [*problems, Problem(plan_id, "corrupt", Phrase(
            "a stored row of the plan cannot be read: {why}", why=described(exc)))]


def _heads_checked(engine: Any, plan_id: str, events: list[Event], signer: Signer,
                   tally: signatures.Tally) -> list[Problem]:
    try:
        return [Problem(plan_id, "head", message, seq=seq) for message, seq in signatures.check(
            events, signatures.stored_heads(engine, plan_id), signer, tally)]
    except CORRUPT as exc:
        return [Problem(plan_id, "corrupt", Phrase(
            "a head row of the plan cannot be read: {why}", why=described(exc)))]


def _registry_checked(engine: Any, seen: set[str], signer: Signer,
                      tally: signatures.Tally) -> list[tuple[str, str, int | None]]:
    try:
        return signatures.check_registry(engine, seen, signer, tally)
    except CORRUPT as exc:
        return [("", f"a row of the plan registry cannot be read: {described(exc)}", None)]


def verify(
    store: Store,
    on_plan: Callable[[], None] | None = None,
    *,
    signer: Signer | None = None,
    anchors: Anchors | None = None,
) -> Verified:
    """Every stored plan re-derived from its events; every difference is a problem.

    The events are checked against the plan's signed heads (with `signer`'s key, default
    the configured one) and, given `anchors`, against each plan's anchored head. `on_plan`
    is called after each plan (the command line moves a progress bar with it)."""
    signer = signer if signer is not None else Signer.from_env()
    result = Verified()
    seen: set[str] = set()
    engine = getattr(store, "engine", None)
    tally = signatures.Tally(present=engine is not None and signatures.has_heads(engine))
    tracker = Tracker(anchors) if anchors is not None else None
    with reading():
        for plan_id, items in _grouped(_stored_events(store)):
            seen.add(plan_id)
            result.plans += 1
            result.events += len(items)
            result.problems += _checked(store, plan_id, items)
            events = [e for e in items if isinstance(e, Event)]
            if tally.present:
                assert engine is not None
                result.problems += _heads_checked(engine, plan_id, events, signer, tally)
            if tracker is not None:
                for event in events:
                    tracker.see(event.to_dict())
            if on_plan is not None:
                on_plan()
        for plan_id in store.plan_ids():
            if plan_id not in seen:
                result.plans += 1
                result.problems.append(
                    Problem(plan_id, "no_events", Phrase("a stored plan has no events at all")))
        if tally.present:
            assert engine is not None
            for plan_id in signatures.plans_with_heads(engine):
                if plan_id not in seen:
                    result.problems.append(Problem(
                        plan_id, "deleted", Phrase("signed heads are stored for a plan whose "
                                                   "events are gone: the plan was deleted")))
            flagged = {p.plan_id for p in result.problems if p.kind == "deleted"}
            for plan_id, message, seq in _registry_checked(engine, seen, signer, tally):
                if plan_id not in flagged or "deleted" not in message:
                    result.problems.append(Problem(
                        plan_id, "deleted" if plan_id not in seen else "head", message,
                        seq=seq))
    if tracker is not None:
        result.problems += [Problem(f.plan_id, f.kind, f.message, seq=f.seq)
                            for f in tracker.findings("the database")]
    result.signing = tally.status
    result.notes = tally.notes()
    return result


@dataclass(slots=True)
class LogCompared:
    """An exported log against the database: the problems, and what the log does not reach."""

    events: int = 0
    problems: list[Problem] = field(default_factory=list)
    newer: int = 0
    """Events stored after a plan's last event in the log (the database moved on)."""


def compare_log(store: Store, events: Iterable[Mapping[str, Any]]) -> LogCompared:
    """Each event of an exported log against the stored event of the same plan and seq.

    Differs (a field changed in the log or in the database), missing from the database (it
    was deleted or rolled back), missing from the log (up to the log's last seq of a plan).
    Plans the log does not hold, and events after its last one, are newer than the log."""
    out = LogCompared()
    current: str | None = None
    stored: dict[int, Read] = {}
    seen: dict[str, set[int]] = {}
    for event in events:
        out.events += 1
        plan_id, seq = str(event["plan_id"]), int(event["seq"])
        if plan_id != current:
            current = plan_id
            stored = {_seq(item): item for _, item in _stored_events_of(store, plan_id)}
            if not stored:
                if plan_id not in seen:
                    out.problems.append(Problem(plan_id, "log", "the plan is in the log but "
                                                "not in the database: it was deleted"))
                seen.setdefault(plan_id, set())
                continue
        seen.setdefault(plan_id, set()).add(seq)
        found = stored.get(seq)
        if not stored:
            continue
        if found is None:
            out.problems.append(Problem(plan_id, "log", f"seq {seq} is in the log but not in "
                                        f"the database: it was deleted", seq=seq))
        elif isinstance(found, Problem):
            out.problems.append(found)
        else:
            mine = found.to_dict()
            fields = sorted(k for k in set(mine) | set(event) if mine.get(k) != event.get(k))
            if fields:
                out.problems.append(Problem(plan_id, "log", f"seq {seq} differs between the "
                                            f"log and the database in {', '.join(fields)}",
                                            seq=seq))
    for plan_id, seqs in seen.items():
        if not seqs:
            continue
        held = [s for s, _ in ((_seq(i), i) for _, i in _stored_events_of(store, plan_id))]
        lost = [s for s in held if s <= max(seqs) and s not in seqs]
        if lost:
            out.problems.append(Problem(plan_id, "log", f"seq {_spans(lost)} in the database "
                                        f"but not in the log", seq=lost[0]))
        out.newer += sum(1 for s in held if s > max(seqs))
    return out


def _seq(item: Read) -> int:
    return item.seq if isinstance(item, Event) else int(item.seq or 0)


def _stored_events_of(store: Store, plan_id: str) -> Iterator[tuple[str, Read]]:
    engine = getattr(store, "engine", None)
    if engine is None:
        for event in store.iter_events(plan_id):
            yield plan_id, event
        return
    query = select(EVENTS).where(EVENTS.c.plan_id == plan_id).order_by(EVENTS.c.seq)
    with engine.connect() as conn:
        for row in conn.execute(query):
            yield plan_id, _decoded(row)


def _spans(seqs: list[int]) -> str:
    return ", ".join(str(s) for s in seqs[:5]) + (f" and {len(seqs) - 5} more"
                                                   if len(seqs) > 5 else "")
