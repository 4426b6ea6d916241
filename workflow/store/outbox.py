"""The webhook outbox and the HTTP service's command answers, written in the command's own
transaction.

A notification that is written after the command commits can be lost by a crash in
between; one written before can announce a command that never committed. So the store calls
`Outbox.on_save` inside the transaction that saves the plan (`SqlStore.on_save`): the
outbox rows and the command's events commit together or not at all, and a delivery worker
sends them afterwards, at least once, in order per plan and subscriber.

Two tables, both only appended to by commands:
- `webhook_outbox`: one row per notification and subscriber, with its delivery state
  (`pending`, `delivered`, `dead` after too many failures).
- `command_answers`: the answer the service gave to a command that carried a command id
  (`Idempotency-Key`), so a retry gets the first answer back word for word.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, Text, text
from sqlmodel import Field, SQLModel

from workflow.core.events import Event
from workflow.core.plan import Plan
from workflow.store.sqlrun import Runner

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
DEADLINE_EXPIRED = "deadline_expired"
STATE_CHANGED = "state_changed"
ESCALATION_CHANGED = "escalation_changed"
COMMAND_REFUSED = "command_refused"
KINDS = (DEADLINE_EXPIRED, ESCALATION_CHANGED, STATE_CHANGED, COMMAND_REFUSED)
"""What a subscriber can be told; its CloudEvents type is `nl.azwa.<kind>`."""
TYPE_PREFIX = "nl.azwa."


class OutboxRow(SQLModel, table=True):
    """One notification for one subscriber, and how its delivery went."""

    __tablename__ = "webhook_outbox"
    __table_args__ = (
        Index("ix_webhook_outbox_queue", "status", "subscriber", "plan_id", "id"),
    )
    id: int | None = Field(default=None, sa_column=Column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True))
    subscriber: str
    plan_id: str
    kind: str
    message_id: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    status: str
    attempts: int = 0
    next_at_us: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_error: str | None = None
    delivered_at_us: int | None = Field(default=None, sa_column=Column(BigInteger))


class CommandAnswerRow(SQLModel, table=True):
    """The answer to an accepted command that carried a command id."""

    __tablename__ = "command_answers"
    command_id: str = Field(primary_key=True)
    plan_id: str
    body: str = Field(sa_column=Column(Text, nullable=False))


OUTBOX = OutboxRow.__table__  # type: ignore[attr-defined]
ANSWERS = CommandAnswerRow.__table__  # type: ignore[attr-defined]

OLD_STATE = "SELECT state, escalation FROM plans WHERE plan_id = :plan_id"
INSERT_ROW = (
    "INSERT INTO webhook_outbox (subscriber, plan_id, kind, message_id, body, created_at_us, "
    "status, attempts, next_at_us) VALUES (:subscriber, :plan_id, :kind, :message_id, :body, "
    ":created_at_us, 'pending', 0, :created_at_us)"
)
INSERT_ANSWER = (
    "INSERT INTO command_answers (command_id, plan_id, body) VALUES (:command_id, :plan_id, "
    ":body)"
)
READY = text(
    "SELECT o.id, o.subscriber, o.plan_id, o.kind, o.message_id, o.body, o.attempts "
    "FROM webhook_outbox o WHERE o.status = 'pending' AND o.next_at_us <= :now AND o.id = ("
    "SELECT min(p.id) FROM webhook_outbox p WHERE p.status = 'pending' "
    "AND p.subscriber = o.subscriber AND p.plan_id = o.plan_id) ORDER BY o.id LIMIT :limit"
)
"""Per subscriber and plan only the oldest pending notification: a later one waits until
the earlier one is delivered or dead, so each plan's notifications arrive in order."""


def now_us() -> int:
    return time.time_ns() // 1000


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscriber's name and the kinds of notification it wants (all when empty)."""

    name: str
    kinds: frozenset[str] = frozenset()

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True, slots=True)
class Message:
    """One notification, as a subscriber receives it (a CloudEvent)."""

    plan_id: str
    kind: str
    message_id: str
    body: dict[str, Any]


def cloud_event(kind: str, message_id: str, plan_id: str, at: str, data: dict[str, Any],
                source: str) -> dict[str, Any]:
    """A CloudEvents 1.0 event in structured JSON mode."""
    return {
        "specversion": "1.0", "id": message_id, "source": source,
        "type": TYPE_PREFIX + kind, "subject": plan_id, "time": at,
        "datacontenttype": "application/json", "data": data,
    }


def messages(plan: Plan, events: Sequence[Event], before: tuple[str, str] | None,
             source: str) -> list[Message]:
    """What a save tells subscribers: each expired deadline, then a change of escalation
    step and a change of state (once each, from what was stored to what is saved)."""
    found: list[Message] = []
    for e in events:
        if e.trigger == DEADLINE_EXPIRED:
            mid = f"{e.plan_id}/{e.seq}/{DEADLINE_EXPIRED}"
            found.append(Message(e.plan_id, DEADLINE_EXPIRED, mid, cloud_event(
                DEADLINE_EXPIRED, mid, e.plan_id, e.at,
                {"plan_id": e.plan_id, "seq": e.seq, "deadline": e.payload.get("deadline"),
                 "due": e.payload.get("due"), "state": plan.state}, source)))
    if not events:
        return found
    last = events[-1]
    old_state, old_escalation = before if before is not None else (None, None)
    changes = ((ESCALATION_CHANGED, old_escalation, plan.escalation),
               (STATE_CHANGED, old_state, plan.state))
    for kind, old, new in changes:
        if old == new or (kind == ESCALATION_CHANGED and old is None):
            continue
        mid = f"{plan.plan_id}/{last.seq}/{kind}"
        found.append(Message(plan.plan_id, kind, mid, cloud_event(
            kind, mid, plan.plan_id, last.at,
            {"plan_id": plan.plan_id, "seq": last.seq, "from": old, "to": new,
             "trigger": last.trigger, "actor": last.actor}, source)))
    return found


def refusal_message(plan_id: str, at: str, data: dict[str, Any], source: str) -> Message:
    mid = f"{plan_id}/refused/{uuid.uuid4().hex}"
    return Message(plan_id, COMMAND_REFUSED, mid,
                   cloud_event(COMMAND_REFUSED, mid, plan_id, at, data, source))


def _rows(found: Iterable[Message], subscribers: Sequence[Subscription]) -> list[dict[str, Any]]:
    created = now_us()
    return [
        {"subscriber": s.name, "plan_id": m.plan_id, "kind": m.kind,
         "message_id": m.message_id, "body": json.dumps(m.body, ensure_ascii=False),
         "created_at_us": created}
        for m in found for s in subscribers if s.wants(m.kind)
    ]


Answer = Callable[[Plan, Sequence[Event]], dict[str, Any]]


class Outbox:
    """Installed on a SQL store: writes notifications and command answers with each save."""

    def __init__(self, store: Any, subscribers: Sequence[Subscription], *,
                 answer: Answer | None = None, source: str = "/azwa") -> None:
        self.store, self.subscribers = store, tuple(subscribers)
        self.answer, self.source = answer, source

    def install(self) -> Outbox:
        """Create the tables if missing and hook into the store's saves."""
        SQLModel.metadata.create_all(self.store.engine, tables=[OUTBOX, ANSWERS])
        self.store.on_save = self.on_save
        return self

    def on_save(self, run: Runner, plan: Plan, events: Sequence[Event],
                command_id: str | None) -> None:
        """Inside the save's transaction, before the plan row is written."""
        if self.subscribers and events:
            old = run.all(OLD_STATE, {"plan_id": plan.plan_id})
            before = (str(old[0][0]), str(old[0][1])) if old else None
            rows = _rows(messages(plan, events, before, self.source), self.subscribers)
            if rows:
                run.many(INSERT_ROW, rows)
        if command_id is not None and self.answer is not None:
            run.queue(INSERT_ANSWER, {"command_id": command_id, "plan_id": plan.plan_id,
                                    "body": json.dumps(self.answer(plan, events),
                                                       ensure_ascii=False)})

    def refused(self, plan_id: str, at: str, data: dict[str, Any]) -> None:
        """A refusal, in its own transaction (nothing else was written)."""
        rows = _rows([refusal_message(plan_id, at, data, self.source)], self.subscribers)
        if rows:
            with self.store.engine.begin() as conn:
                conn.execute(text(INSERT_ROW), rows)

    def first_answer(self, command_id: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as conn:
            body = conn.execute(text("SELECT body FROM command_answers WHERE command_id = :c"),
                                {"c": command_id}).scalar_one_or_none()
        return None if body is None else dict(json.loads(body))


@dataclass(frozen=True, slots=True)
class Pending:
    id: int
    subscriber: str
    plan_id: str
    kind: str
    message_id: str
    body: str
    attempts: int


class Queue:
    """The delivery side of the outbox: what to send next, and what came of it."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        SQLModel.metadata.create_all(engine, tables=[OUTBOX, ANSWERS])

    def ready(self, limit: int = 100, now: int | None = None) -> list[Pending]:
        with self.engine.connect() as conn:
            rows = conn.execute(READY, {"now": now_us() if now is None else now,
                                        "limit": limit}).all()
        return [Pending(*row) for row in rows]

    def delivered(self, row_id: int) -> None:
        self._update("status = 'delivered', attempts = attempts + 1, last_error = NULL, "
                     "delivered_at_us = :now", row_id, now=now_us())

    def failed(self, row_id: int, error: str, next_at_us: int, dead: bool) -> None:
        self._update("status = :status, attempts = attempts + 1, last_error = :error, "
                     "next_at_us = :next", row_id, status=DEAD if dead else PENDING,
                     error=error[:500], next=next_at_us)

    def _update(self, assignments: str, row_id: int, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(f"UPDATE webhook_outbox SET {assignments} WHERE id = :id"),
                         {"id": row_id, **params})

    def counts(self) -> dict[str, dict[str, int]]:
        """Per subscriber: how many notifications are pending, delivered and dead."""
        found: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for subscriber, status, n in conn.execute(text(
                    "SELECT subscriber, status, count(*) FROM webhook_outbox "
                    "GROUP BY subscriber, status ORDER BY subscriber, status")):
                found.setdefault(subscriber, {PENDING: 0, DELIVERED: 0, DEAD: 0})[status] = n
        return found

    def dead(self, limit: int = 1000) -> list[dict[str, Any]]:
        """The dead-letter list: notifications given up on, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT id, subscriber, plan_id, kind, message_id, attempts, last_error "
                "FROM webhook_outbox WHERE status = 'dead' ORDER BY id LIMIT :limit"),
                {"limit": limit}).all()
        keys = ("id", "subscriber", "plan_id", "kind", "message_id", "attempts", "last_error")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    def retry(self, ids: Sequence[int] = (), subscriber: str | None = None) -> int:
        """Send dead notifications again (all, or those named): pending, attempts reset."""
        where, params = "status = 'dead'", {"now": now_us()}
        if ids:
            where += " AND id IN (" + ", ".join(f":id{i}" for i in range(len(ids))) + ")"
            params.update({f"id{i}": int(v) for i, v in enumerate(ids)})
        if subscriber is not None:
            where += " AND subscriber = :subscriber"
            params["subscriber"] = subscriber  # type: ignore[assignment]
        with self.engine.begin() as conn:
            return int(conn.execute(text(
                "UPDATE webhook_outbox SET status = 'pending', attempts = 0, "
                f"next_at_us = :now WHERE {where}"), params).rowcount)
