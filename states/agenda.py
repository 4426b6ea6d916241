"""What transformation@1 waits for, apart from what it merely allows.

A to-do is a trigger an organisation may fire now and that the process is waiting for from
it: a missing review or commitment, a decision, an open KPI, the next step of the main line.
Everything else an organisation may fire (escalate, withdraw, extend a deadline) is optional.
The engine computes the lists from this table and the plan's facts (workflow/core/todo.py).
"""

from __future__ import annotations

from typing import Any

from states.guards import CHARACTERS, committing_orgs
from workflow.core.plan import Plan
from workflow.core.spec import Actor, Agenda, Duty


def _reviewed(plan: Plan, role: str, org: str | None = None) -> bool:
    reviews: dict[str, Any] = plan.facts.get("reviews", {})
    return any(r["role"] == role and org in (None, r["org"]) for r in reviews.values())


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

DUTIES = (
    Duty("name_second_insurer", "Name the second insurer, involved from the start (A4 §1.3.1)"),
    Duty("agree_character", "Agree the character, innovation or scaling (A4 §1.8.1)",
         owed=character_open),
    Duty("submit_quick_test", "Submit the quick test (A4 §1.8.1)"),
    Duty("resubmit_quick_test", "Resubmit the quick test with what was missing (A4 §1.5.1)"),
    Duty("accept_quick_test_as_complete",
         "Judge the quick test complete, or ask for what is missing (A4 §1.5.1)",
         instead=("request_information",)),
    Duty("approve_quick_test", "Decide on the quick test (A4 §1.5.1)",
         instead=("reject_quick_test",)),
    Duty("submit_plan", "Submit the transformation plan (A4 §1.5.2)"),
    Duty("resubmit_plan", "Resubmit the plan with what was missing (A4 §1.5.3)"),
    Duty("accept_plan_as_complete",
         "Judge the plan complete, or ask for what is missing (A4 §1.5.3)",
         instead=("request_information",)),
    Duty("submit_review", "Review the plan (A4 §1.3)", owed=review_owed, before=DECISION),
    Duty("approve_social_domain_parts", "Approve or decline the social-domain parts (A4 §1.b.1)",
         owed=social_domain_undecided, instead=("decline_social_domain_parts",),
         before=DECISION),
    Duty("record_commitment", "Commit to the plan (A4 §1.b.1)", owed=commitment_owed,
         before=DECISION),
    Duty("share_joint_feedback", "Share the one joint feedback of both insurers (A4 §1.3.2)",
         owed=feedback_owed, before=DECISION),
    Duty("approve_plan", "Decide on the plan (A4 §1.5.3)",
         instead=("reject_plan", "request_revision")),
    Duty("sign_contract", "Sign the agreement with its KPIs (A4 §1.7)"),
    Duty("issue_payment_decision", "Issue the payment decision (A4 §3.a.5)"),
    Duty("confirm_kpi", "Confirm KPI {item}, or pay it partially (A4 §1.7.4)", owed=open_kpis,
         instead=("pay_partially",), item_key="kpi"),
    Duty("decide_go", "Decide go or no-go at KPI {item} (A4 §1.7.6)", owed=undecided_go_no_go,
         instead=("decide_no_go",), item_key="kpi"),
    Duty("complete_implementation", "Complete the implementation (A4 §3.a.5)"),
    Duty("record_costs", "Register the costs the judgement needs (A4 §3.a.5)", owed=costs_owed),
    Duty("record_monitoring", "Record monitoring and adjustment (A4 §3.a.5)",
         owed=monitoring_owed),
    Duty("settle", "Settle the funds (A4 §3.a.4)"),
    Duty("give_lawfulness_judgement", "Give the lawfulness judgement (A4 §3.a.5)"),
    Duty("hold_board_meeting", "Hold the board meeting within 2 weeks (A4 §1.4.3)",
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

AGENDA = Agenda(duties=DUTIES, optional=OPTIONAL, tolerated=TOLERATED)
