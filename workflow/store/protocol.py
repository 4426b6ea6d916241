"""What the service needs from a store; the engine never sees one.

Any backend that keeps these promises serves: `save` writes a command's events, the plan's
new state and its changed deadlines together or not at all, and refuses a stale version.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from workflow.core.events import Event
from workflow.core.plan import Deadline, Plan, StoredPlan


@dataclass(frozen=True, slots=True)
class PlanSummary:
    plan_id: str
    title: str
    region: str
    track: str
    state: str
    escalation: str
    definition: str
    seq: int
    next_due: str | None
    """The due day (ISO date, Europe/Amsterdam) of the earliest open deadline, if any."""
    next_deadline: str | None = None
    """That deadline's name."""
    next_expires_at: datetime | None = None
    """The instant it expires: the first moment after its due day."""
    breaches: tuple[str, ...] = ()
    """Deadlines the plan missed, in the order they expired."""
    expired: tuple[tuple[str, str], ...] = ()
    """(name, due day) of its deadline rows marked expired, the latest first: read when it
    has no open deadline, so a reader can tell an act still owed after `tick`."""


@dataclass(frozen=True, slots=True)
class DueDeadline:
    plan_id: str
    name: str
    expires_at: datetime


class Store(Protocol):
    def create_schema(self) -> None:
        """Create the tables if they do not exist (idempotent)."""

    def load(self, plan_id: str) -> Plan | None:
        """The stored plan, its `seq` being the version a save must match."""

    def save(
        self,
        plan: Plan,
        events: Sequence[Event],
        *,
        expected_seq: int | None,
        deadlines: Sequence[Deadline],
        command_id: str | None = None,
        command_digest: str | None = None,
        wake_before: datetime | None = None,
    ) -> StoredPlan:
        """Append events, write the plan and the changed deadlines in one transaction.

        `expected_seq` None means a new plan (refused if the id exists); otherwise the stored
        plan must still be at that seq, or StaleWrite is raised and nothing is written. A
        `command_id` already stored raises StaleWrite too (nothing written): the caller asks
        `command` what it was. An open deadline expiring before `wake_before` wakes the
        deadline workers. Returns the plan as stored (its JSON, as text), a snapshot
        nobody else holds.
        """

    def command_events(self, command_id: str) -> list[Event] | None:
        """The events a command id produced before, or None if it was never applied."""

    def command(self, command_id: str) -> tuple[str, str | None, list[Event]] | None:
        """A stored command id's plan, digest (None when stored without one) and events;
        None if it was never used."""

    def events(self, plan_id: str) -> list[Event]:
        """A plan's log in seq order."""

    def iter_events(self, plan_id: str | None = None) -> Iterator[Event]:
        """Every stored event, plan by plan in seq order, streamed."""

    def due(self, now: datetime, limit: int | None = None) -> list[DueDeadline]:
        """Open deadlines that expire at or before `now`, earliest first (by index)."""

    def stored_deadlines(self, plan_id: str) -> list[Deadline]:
        """The deadline rows of a plan, as stored (audit compares them to a replay)."""

    def plans(
        self,
        *,
        state: str | None = None,
        region: str | None = None,
        track: str | None = None,
        limit: int = 1000,
    ) -> list[PlanSummary]:
        """Registered plans, newest activity first; region and track match ignoring case and
        surrounding spaces."""

    def plan_ids(self) -> Iterator[str]:
        """Every plan id, in registration order."""
