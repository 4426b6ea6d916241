"""What a guard sees: the plan, the actor, the payload and the moment of the command.

Deadlines that are due before the command's moment count as expired here even though the
plan has not yet recorded it: guards are judged before anything changes, so a refused
command changes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workflow.core.actor import Actor
from workflow.core.plan import EXPIRED, Plan


@dataclass(slots=True)
class Context:
    plan: Plan
    actor: Actor
    payload: dict[str, Any]
    at: datetime
    trigger: str
    due_now: frozenset[str] = frozenset()
    """Open deadlines that expire at or before `at`."""

    def is_expired(self, deadline: str) -> bool:
        found = self.plan.deadlines.get(deadline)
        if found is None:
            return False
        return found.status == EXPIRED or deadline in self.due_now

    def is_running(self, deadline: str) -> bool:
        found = self.plan.deadlines.get(deadline)
        return found is not None and found.is_open and deadline not in self.due_now

    @property
    def facts(self) -> dict[str, Any]:
        return self.plan.facts

    @property
    def attrs(self) -> dict[str, Any]:
        return self.plan.attrs
