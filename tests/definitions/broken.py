"""Deliberately broken copies of transformation@1, each with one known fault."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import states
from workflow.core.context import Context
from workflow.core.plan import EXPIRED, OPEN, Plan
from workflow.core.spec import Definition, Transition
from workflow.core.timecalc import expiry_instant

V1 = states.get("transformation@1")


def with_dead_end() -> Definition:
    """`put_on_hold` leads from intent to a state nothing leaves: a dead end."""
    hold = Transition("put_on_hold", ("intent",), "on_hold",
                      frozenset({"coordinating_insurer"}), "azwa")
    return dataclasses.replace(V1, version=91, states=(*V1.states, "on_hold"),
                               transitions=(*V1.transitions, hold))


def _reopen(plan: Plan, ctx: Context) -> None:
    """A faulty extension: it moves a deadline, and reopens one that already expired."""
    deadline = plan.deadlines[str(ctx.payload["deadline"])]
    deadline.due = deadline.due + timedelta(days=30)
    deadline.expires_at = expiry_instant(deadline.due)
    if deadline.status == EXPIRED:
        deadline.status, deadline.closed_at = OPEN, None


def with_deadline_expiring_twice() -> Definition:
    """`extend_deadline` without its "running deadline" guard, reopening an expired one."""
    main = tuple(
        dataclasses.replace(t, guards=(), effect=_reopen) if t.trigger == "extend_deadline"
        else t for t in V1.transitions)
    return dataclasses.replace(V1, version=92, transitions=main)


def with_trigger_for_nobody() -> Definition:
    """`hold_start_meeting` may be fired only by a role the definition does not have."""
    main = tuple(
        dataclasses.replace(t, roles=frozenset({"chair"})) if t.trigger == "hold_start_meeting"
        else t for t in V1.transitions)
    return dataclasses.replace(V1, version=93, transitions=main)
