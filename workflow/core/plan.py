"""The state of one plan: what the engine reads and writes, stored as JSON.

A plan is rebuilt from its row for each command (never one long-lived machine model per
plan: MEASURED.md shows those leak) and is exactly what replaying its events gives.

The escalation history only grows, by one entry per escalation step, without bound
(`APPEND_ONLY`). A store keeps it apart from the rest (`head()`), which is rewritten per
command, so a command costs the same on a plan's first day and its five-hundredth event.
(The breaches grow too, but by one per expired deadline: they stay in the head, where
listings read them.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workflow.core.money import empty_funds, load_funds, load_kpi_facts
from workflow.core.timecalc import from_micros, to_micros

OPEN, MET, EXPIRED, CANCELLED = "open", "met", "expired", "cancelled"
GENESIS = "0" * 64
APPEND_ONLY = ("escalation_history",)
"""The parts of a plan that only grow: entries are appended, never changed or removed."""


@dataclass(slots=True)
class Stored:
    """What a store holds of a plan's append-only parts, kept with the plan in memory: the
    JSON of each entry it has, per `APPEND_ONLY` list, so a save appends only the new ones
    and a snapshot of the whole plan copies references, not text. Not part of the plan's
    value (not compared, not replayed)."""

    entries: tuple[list[str], ...] = field(default_factory=lambda: ([],))


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """A plan as a store saved it: the JSON of its head and of each append-only entry, text
    nobody can change afterwards, decoded only when asked for."""

    head: str
    appended: tuple[tuple[str, ...], ...]

    def json(self) -> str:
        """The whole plan's JSON."""
        lists = "".join(f',"{kind}":[{",".join(entries)}]'
                        for kind, entries in zip(APPEND_ONLY, self.appended, strict=True))
        return f"{self.head[:-1]}{lists}}}"

    def plan(self) -> Plan:
        """A new Plan of this snapshot."""
        data = json.loads(self.head)
        for kind, entries in zip(APPEND_ONLY, self.appended, strict=True):
            data[kind] = [json.loads(entry) for entry in entries]
        return Plan.from_dict(data)


@dataclass(slots=True)
class Deadline:
    """A running or finished deadline; `expires_at` is the first instant after the due day."""

    name: str
    started_at: str
    due: date
    expires_at: datetime
    status: str = OPEN
    closed_at: str | None = None
    extensions: int = 0
    _micros: tuple[datetime, int] | None = field(default=None, compare=False, repr=False)
    """`expires_at` in microseconds, for the instant it was computed for (saved per command)."""

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def expires_us(self) -> int:
        """`expires_at` as stored: microseconds since the epoch."""
        cached = self._micros
        if cached is None or cached[0] is not self.expires_at:
            cached = self._micros = (self.expires_at, to_micros(self.expires_at))
        return cached[1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "started_at": self.started_at,
            "due": self.due.isoformat(),
            "expires_at_us": self.expires_us,
            "status": self.status,
            "closed_at": self.closed_at,
            "extensions": self.extensions,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deadline:
        micros = int(data["expires_at_us"])
        expires = from_micros(micros)
        return cls(
            name=data["name"],
            started_at=data["started_at"],
            due=date.fromisoformat(data["due"]),
            expires_at=expires,
            status=data["status"],
            closed_at=data.get("closed_at"),
            extensions=int(data.get("extensions", 0)),
            _micros=(expires, micros),
        )


@dataclass(slots=True)
class Plan:
    """One plan's whole state.

    `attrs` is what registration gave; `facts` is what the process has recorded since
    (character, reviews, commitments, KPIs, costs): the rules read both.
    """

    plan_id: str
    definition: str
    state: str
    escalation: str
    attrs: dict[str, Any]
    facts: dict[str, Any] = field(default_factory=dict)
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    breaches: list[str] = field(default_factory=list)
    missed_aims: list[str] = field(default_factory=list)
    """Aims (deadline kind `aim`) that passed unmet: recorded, never breaches."""
    escalation_history: list[dict[str, Any]] = field(default_factory=list)
    funds: dict[str, int] = field(default_factory=empty_funds)
    """Whole cents (`paid_cents`, `costs_cents`, `refund_cents`): sums stay exact."""
    seq: int = 0
    last_hash: str = GENESIS
    last_at: datetime | None = None
    stored: Stored = field(default_factory=Stored, compare=False, repr=False)

    def open_deadlines(self) -> list[Deadline]:
        return sorted(
            (d for d in self.deadlines.values() if d.is_open), key=lambda d: (d.expires_at, d.name)
        )

    def appended(self) -> tuple[list[Any], ...]:
        """The append-only parts, in `APPEND_ONLY` order."""
        return (self.escalation_history,)

    def to_dict(self) -> dict[str, Any]:
        """Everything replay must reproduce, as JSON-ready data."""
        data = self.head()
        data["escalation_history"] = list(self.escalation_history)
        return data

    def head(self) -> dict[str, Any]:
        """Everything but the append-only parts: what a store rewrites per command."""
        return {
            "plan_id": self.plan_id,
            "definition": self.definition,
            "state": self.state,
            "escalation": self.escalation,
            "attrs": self.attrs,
            "facts": self.facts,
            "deadlines": {k: d.to_dict() for k, d in sorted(self.deadlines.items())},
            "breaches": list(self.breaches),
            **({"missed_aims": list(self.missed_aims)} if self.missed_aims else {}),
            "funds": dict(self.funds),
            "seq": self.seq,
            "last_hash": self.last_hash,
            "last_at_us": to_micros(self.last_at) if self.last_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        last = data.get("last_at_us")
        return cls(
            plan_id=data["plan_id"],
            definition=data["definition"],
            state=data["state"],
            escalation=data["escalation"],
            attrs=data["attrs"],
            facts=load_kpi_facts(data.get("facts", {})),
            deadlines={k: Deadline.from_dict(v) for k, v in data.get("deadlines", {}).items()},
            breaches=list(data.get("breaches", [])),
            missed_aims=list(data.get("missed_aims", [])),
            escalation_history=list(data.get("escalation_history", [])),
            funds=load_funds(data.get("funds")),
            seq=int(data.get("seq", 0)),
            last_hash=data.get("last_hash", GENESIS),
            last_at=from_micros(int(last)) if last is not None else None,
        )
