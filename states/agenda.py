"""What transformation@1 waits for, apart from what it merely allows.

A to-do is a trigger an organisation may fire now and that the process is waiting for from
it: a missing review or commitment, a decision, an open KPI, the next step of the main line.
Everything else an organisation may fire (escalate, withdraw, extend a deadline) is optional.
The engine computes the lists from this table and the plan's facts (workflow/core/todo.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from states.guards import CHARACTERS, committing_orgs
from workflow.core.plan import Plan
from workflow.core.spec import Actor, Agenda, Duty, Transition


def _reviewed(plan: Plan, role: str, org: str | None = None) -> bool:
    reviews: dict[str, Any] = plan.facts.get("reviews", {})
    for r in reviews.values():  # noqa: SIM110 - a generator per call would cost more here
        if r["role"] == role and org in (None, r["org"]):
            return True
    return False


def character_open(plan: Plan, actor: Actor) -> bool:
    return plan.facts.get("character") not in CHARACTERS


def review_owed(plan: Plan, actor: Actor) -> bool:
    """The reviews approval needs (A4 §1.3, §1.b.2, §1.b.3): both insurers, a municipality
    on a social-domain plan, and the assigned regional coordinator."""
    role = actor.role
    if role in ("coordinating_insurer", "second_insurer"):
        return not _reviewed(plan, role)
    if role == "municipality":
        return bool(plan.attrs.get("social_domain")) and not _reviewed(plan, role)
    if role == "regional_coordinator":
        assigned = plan.facts.get("regional_coordinator") or {}
        return assigned.get("org") == actor.org and not _reviewed(plan, role, actor.org)
    return False


def social_domain_undecided(plan: Plan, actor: Actor) -> bool:
    return bool(plan.attrs.get("social_domain")) and "social_domain_approval" not in plan.facts


def commitment_owed(plan: Plan, actor: Actor) -> bool:
    """Each party and participating municipality commits; the insurers do not (A4 §1.b.1)."""
    return actor.org in committing_orgs(plan.attrs, plan.facts) and actor.org not in (
        plan.facts.get("commitments", [])
    )


def feedback_owed(plan: Plan, actor: Actor) -> bool:
    return not plan.facts.get("joint_feedback")


def open_kpis(plan: Plan, actor: Actor) -> list[str]:
    kpis: dict[str, dict[str, Any]] = plan.facts.get("kpis", {})
    return [kid for kid, kpi in kpis.items() if kpi["status"] == "open"]


def undecided_go_no_go(plan: Plan, actor: Actor) -> list[str]:
    kpis: dict[str, dict[str, Any]] = plan.facts.get("kpis", {})
    return [kid for kid, kpi in kpis.items() if kpi["go_no_go"] and kpi["decision"] is None]


def costs_owed(plan: Plan, actor: Actor) -> bool:
    """The lawfulness judgement needs cost registration (A4 §3.a.5): awaited once the plan is
    in accountability without any; during implementation recording costs is optional."""
    return plan.state == "accountability" and not plan.facts.get("cost_records")


def monitoring_owed(plan: Plan, actor: Actor) -> bool:
    """As for costs: the judgement needs monitoring and adjustment (A4 §3.a.5)."""
    return plan.state == "accountability" and not plan.facts.get("monitoring_records")


DECISION = "plan_decision"

DUTIES = (  # each `says` gets its seed paragraph in agenda_for
    Duty("name_second_insurer", "Name the second insurer, involved from the start"),
    Duty("agree_character", "Agree the character, innovation or scaling",
         owed=character_open),
    Duty("submit_quick_test", "Submit the quick test"),
    Duty("resubmit_quick_test", "Resubmit the quick test with what was missing"),
    Duty("accept_quick_test_as_complete",
         "Judge the quick test complete, or ask for what is missing",
         instead=("request_information",)),
    Duty("approve_quick_test", "Decide on the quick test",
         instead=("reject_quick_test",)),
    Duty("submit_plan", "Submit the transformation plan"),
    Duty("resubmit_plan", "Resubmit the plan with what was missing"),
    Duty("accept_plan_as_complete",
         "Judge the plan complete, or ask for what is missing",
         instead=("request_information",)),
    Duty("submit_review", "Review the plan", owed=review_owed, before=DECISION),
    Duty("approve_social_domain_parts", "Approve or decline the social-domain parts",
         owed=social_domain_undecided, instead=("decline_social_domain_parts",),
         before=DECISION),
    Duty("record_commitment", "Commit to the plan", owed=commitment_owed,
         before=DECISION),
    Duty("share_joint_feedback", "Share the one joint feedback of both insurers",
         owed=feedback_owed, before=DECISION),
    Duty("approve_plan", "Decide on the plan",
         instead=("reject_plan", "request_revision")),
    Duty("sign_contract", "Sign the agreement with its KPIs"),
    Duty("issue_payment_decision", "Issue the payment decision"),
    Duty("confirm_kpi", "Confirm KPI {item}, or pay it partially", owed=open_kpis,
         instead=("pay_partially",), item_key="kpi"),
    Duty("decide_go", "Decide go or no-go at KPI {item}", owed=undecided_go_no_go,
         instead=("decide_no_go",), item_key="kpi"),
    Duty("complete_implementation", "Complete the implementation"),
    Duty("record_costs", "Register the costs the judgement needs", owed=costs_owed),
    Duty("record_monitoring", "Record monitoring and adjustment",
         owed=monitoring_owed),
    Duty("settle", "Settle the funds"),
    Duty("give_lawfulness_judgement", "Give the lawfulness judgement"),
    Duty("hold_board_meeting", "Hold the board meeting within 2 weeks",
         instead=("resolve_escalation",)),
)

OPTIONAL = frozenset({
    "join_as_financier", "hold_start_meeting", "request_information", "reject_quick_test",
    "reject_plan", "request_revision", "assign_regional_coordinator",
    "waive_regional_coordinator", "decline_social_domain_parts", "pay_partially",
    "decide_no_go", "withdraw", "close_lapsed", "extend_deadline", "escalate",
    "request_flying_brigade", "resolve_escalation",
})
"""Allowed, never awaited: the process moves on without them (the alternatives of a duty
settle it another way and are listed with it)."""

TOLERATED = frozenset({
    ("record_commitment", "coordinating_insurer"),
    ("record_commitment", "second_insurer"),
})
"""An insurer's commitment is accepted and changes nothing (its approval is its commitment,
DESIGN.md record_commitment), so logs recorded when transformation@1 still required it
replay to the same result; it is never offered."""

RESTS_ON = {
    # Recorded under A4 §3.a.1 (the transitions' seed), awaited because the lawfulness
    # judgement needs cost registration and monitoring (A4 §3.a.5): see costs_owed.
    "record_costs": "A4 §3.a.5",
    "record_monitoring": "A4 §3.a.5",
}
"""The duties awaited for another paragraph's sake than their transition's."""


def agenda_for(
    transitions: Iterable[Transition], *, duties: tuple[Duty, ...] = DUTIES,
    optional: frozenset[str] = OPTIONAL, tolerated: frozenset[tuple[str, str]] = TOLERATED,
    rests_on: dict[str, str] | None = None,
) -> Agenda:
    """The agenda, each duty's line citing its seed: its transition's paragraph (one, for
    every transition of the trigger), or the one RESTS_ON names; copied by hand, the two
    drifted apart. Another version passes its own duties and lists."""
    rests = RESTS_ON if rests_on is None else rests_on
    seeds: dict[str, set[str]] = {}
    for transition in transitions:
        seeds.setdefault(transition.trigger, set()).add(transition.seed)
    made = []
    for duty in duties:
        found = {rests[duty.trigger]} if duty.trigger in rests else seeds.get(
            duty.trigger, set())
        if len(found) != 1:
            raise ValueError(f"duty {duty.trigger}: its transitions cite {sorted(found)}, "
                             "not one paragraph; name the one it rests on in RESTS_ON")
        made.append(replace(duty, says=f"{duty.says} ({found.pop()})"))
    return Agenda(duties=tuple(made), optional=optional, tolerated=tolerated)
