"""Expiry order and timestamp reading as replay relies on them: deadlines due at the same
instant expire in one order whoever expires them; a time without offset is never guessed."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest

import states
from workflow.core.engine import Command, ProcessEngine
from workflow.core.plan import Plan
from workflow.core.timecalc import parse_at
from workflow.service import demo

ENGINE = ProcessEngine(states.DEFAULT)
LATER = parse_at("2027-10-02T09:00:00+02:00")


def contracted_with_kpis_due_together() -> Plan:
    """The demo plan in implementation, its two KPIs due the same day, listed k2 first."""
    plan: Plan | None = None
    for step, at in demo.moments():
        if step.trigger == "register_plan":
            assert step.actor is not None
            plan = ENGINE.register("TW-2027-009", step.actor, dict(step.payload), at).plan
            continue
        assert plan is not None
        if step.actor is None:
            ENGINE.expire(plan, at)
            continue
        payload = dict(step.payload)
        if step.trigger == "sign_contract":
            kpis = copy.deepcopy(demo.CONTRACT["kpis"])[::-1]
            for kpi in kpis:
                kpi["due"] = "2027-09-30"
            payload = {"kpis": kpis}
        ENGINE.apply(plan, Command(step.trigger, step.actor, payload, at))
        if step.trigger == "issue_payment_decision":
            return plan
    raise AssertionError("the demo never reached implementation")


def expired_by(how: str, plan: Plan, at: datetime) -> list[str]:
    if how == "expire":
        ENGINE.expire(plan, at)
    else:
        ENGINE.apply(plan, Command("record_monitoring", demo.INSURER, {"summary": "ok"}, at))
    return [b for b in plan.breaches if b.startswith("kpi:")]


def test_expire_and_apply_order_same_instant_deadlines_alike() -> None:
    """A4 §1.7.4, DESIGN.md "Deadlines": two KPI deadlines due the same day expire in the same
    order whether the deadline clock (`expire`) or a command (`apply`) expires them."""
    # Given two copies of a plan whose KPIs k2 and k1 (in that order) fall due together
    by_clock, by_command = contracted_with_kpis_due_together(), contracted_with_kpis_due_together()
    # When the clock expires them in one, a later command in the other
    # Then both record the breaches in the same order
    assert expired_by("expire", by_clock, LATER) == expired_by("apply", by_command, LATER)


def test_apply_orders_same_instant_deadlines_by_name() -> None:
    """A4 §1.7.4: the allowed half — a command expires same-day deadlines by name."""
    # Given a plan whose KPIs k2 and k1 fall due together
    plan = contracted_with_kpis_due_together()
    # When a later command expires them, Then k1 comes before k2
    assert expired_by("apply", plan, LATER) == ["kpi:k1", "kpi:k2"]


def test_a_timestamp_without_offset_is_refused_in_every_iso_spelling() -> None:
    """DESIGN.md "Event log": `at` is ISO-8601 with an offset; one without an offset is
    refused, never guessed — also in the ordinal-date spelling (2027-011 = 11 January)."""
    # Given an ISO ordinal date and time without offset
    # When it is parsed, Then it is refused
    with pytest.raises(ValueError):
        parse_at("2027-011T09:00")


def test_a_timestamp_with_offset_is_read_in_the_ordinal_spelling() -> None:
    """DESIGN.md "Event log": the allowed half — with an offset the same spelling is read."""
    # Given the ordinal date with an offset, When it is parsed, Then it is 11 January 09:00
    assert parse_at("2027-011T09:00+01:00").isoformat() == "2027-01-11T09:00:00+01:00"
