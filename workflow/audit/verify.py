"""`azwa audit verify`: re-derive every stored plan from its events and compare.

A plan is in order when its events replay without a violation, its hash chain holds, and what
the replay gives (state, escalation, deadlines, breaches, escalation history, funds, facts, seq,
last hash) is exactly what is stored: in the plan's JSON, in the plan row's own columns and in
its deadline rows. A tampered row or a lost event shows up as a difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from workflow.audit.replay import CHAIN_BROKEN, PlanReplay
from workflow.core.events import Event
from workflow.core.plan import Plan
from workflow.store.opening import open_existing, unusable_as_one_line
from workflow.store.protocol import Store
from workflow.store.sql import PLANS, SqlStore
from workflow.store.url import StoreUnavailable

ROW_COLUMNS = ("definition", "state", "escalation", "seq")


StoreError = StoreUnavailable
"""The database cannot be opened or read (the store's one error for it)."""


def open_store(db: str | None) -> SqlStore:
    """The store at `--db` (else AZWA_DATABASE_URL, else ./azwa.db), for reading only; the
    one way every command opens an existing database (workflow.store.opening)."""
    return open_existing(db, write=False)


@contextmanager
def reading() -> Iterator[None]:
    """Turn a database error while reading into a StoreError of one line."""
    with unusable_as_one_line():
        yield


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a stored plan."""

    plan_id: str
    kind: str
    """`chain`, `violation`, `differs`, `no_events` or `no_plan`."""
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

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad_plans(self) -> list[str]:
        return list(dict.fromkeys(p.plan_id for p in self.problems))

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "plans": self.plans, "events": self.events,
                "bad_plans": self.bad_plans(), "problems": [p.to_dict() for p in self.problems]}


def _grouped(events: Iterator[Event]) -> Iterator[tuple[str, list[Event]]]:
    """Consecutive events of one plan (the store streams them plan by plan in seq order)."""
    current: str | None = None
    batch: list[Event] = []
    for event in events:
        if event.plan_id != current:
            if current is not None:
                yield current, batch
            current, batch = event.plan_id, []
        batch.append(event)
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
        Problem(plan_id, "chain", f"hash chain broken at seq {link.seq}: {link.reason}",
                seq=link.seq)
        for link in replay.links
    ]
    if replay.chain != CHAIN_BROKEN and events and events[0].seq != 1:
        problems.append(Problem(plan_id, "chain", "the log does not start at seq 1", seq=1))
    problems += [
        Problem(plan_id, "violation", v.reason, seq=v.seq) for v in replay.violations
    ]
    stored = store.load(plan_id)
    if stored is None:
        return [*problems, Problem(plan_id, "no_plan", "events are stored for a plan that is "
                                                        "not")]
    if replay.plan is None:
        return [*problems, Problem(plan_id, "differs", "the events do not register the plan")]
    problems += _compare(plan_id, stored, replay.plan)
    row = _row(store, plan_id)
    if row is not None:
        for name in ROW_COLUMNS:
            if row[name] != getattr(replay.plan, name):
                problems.append(Problem(
                    plan_id, "differs", f"plan row column {name} differs from the replay",
                    field=f"row.{name}", stored=row[name], replayed=getattr(replay.plan, name)))
    rows = {d.name: d.to_dict() for d in store.stored_deadlines(plan_id)}
    mine = {name: d.to_dict() for name, d in replay.plan.deadlines.items()}
    for data in (*rows.values(), *mine.values()):
        data.pop("extensions", None)
    for path, was, now in _differences("", rows, mine):
        problems.append(Problem(plan_id, "differs", f"deadline row {path} differs from the "
                                                    f"replay", field=f"deadline_rows.{path}",
                                stored=was, replayed=now))
    return problems


def _compare(plan_id: str, stored: Plan, replayed: Plan) -> list[Problem]:
    return [
        Problem(plan_id, "differs", f"stored {path} differs from the replay", field=path,
                stored=was, replayed=now)
        for path, was, now in _differences("", stored.to_dict(), replayed.to_dict())
    ]


def verify(store: Store, on_plan: Callable[[], None] | None = None) -> Verified:
    """Every stored plan re-derived from its events; every difference is a problem.

    `on_plan` is called after each plan (the command line moves a progress bar with it)."""
    result = Verified()
    seen: set[str] = set()
    with reading():
        for plan_id, events in _grouped(store.iter_events()):
            seen.add(plan_id)
            result.plans += 1
            result.events += len(events)
            result.problems += check_plan(store, plan_id, events)
            if on_plan is not None:
                on_plan()
        for plan_id in store.plan_ids():
            if plan_id not in seen:
                result.plans += 1
                result.problems.append(
                    Problem(plan_id, "no_events", "a stored plan has no events at all"))
    return result
