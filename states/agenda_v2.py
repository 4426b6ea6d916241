"""What transformation@2 waits for: transformation@1's agenda (states/agenda.py) with the
duties and optional triggers v2 adds or changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from states import agenda as v1
from states.guards_v2 import QUICK_TEST_REVIEWS, committing_orgs, municipalities
from workflow.core.plan import Plan
from workflow.core.spec import Actor, Agenda, Duty, Transition


def review_owed(plan: Plan, actor: Actor) -> bool:
    """In the quick test the second insurer's review; in the joint review @1's reviews, a
    care office's, and the regional coordinator's unless waived."""
    if plan.state == "quick_test_under_review":
        reviews: dict[str, Any] = plan.facts.get(QUICK_TEST_REVIEWS, {})
        return actor.role == "second_insurer" and not any(
            r["role"] == "second_insurer" for r in reviews.values())
    if actor.role == "care_office":
        return not any(r["org"] == actor.org for r in plan.facts.get("reviews", {}).values())
    return v1.review_owed(plan, actor)


def commitment_owed(plan: Plan, actor: Actor) -> bool:
    if plan.state != "joint_review":
        return False
    return actor.org in committing_orgs(plan.attrs, plan.facts) and actor.org not in (
        plan.facts.get("commitments", []))


def waiver_open(plan: Plan, actor: Actor) -> bool:
    """No coordinator assigned: each participating municipality assigns one or waives."""
    return (plan.facts.get("regional_coordinator") is None
            and actor.org in municipalities(plan.attrs, plan.facts)
            and actor.org not in plan.facts.get("coordinator_waivers", []))


def unreported_kpis(plan: Plan, actor: Actor) -> list[str]:
    kpis: dict[str, dict[str, Any]] = plan.facts.get("kpis", {})
    return [k for k, v in kpis.items()
            if v["status"] != "confirmed" and not v.get("evidence")]


def kpis_to_report(plan: Plan, actor: Actor) -> bool:
    """One to-do while any open KPI lacks its report: the payload names the KPI and its
    evidence, which the to-do lists as what it needs."""
    return bool(unreported_kpis(plan, actor))


def reported_kpis(plan: Plan, actor: Actor) -> list[str]:
    kpis: dict[str, dict[str, Any]] = plan.facts.get("kpis", {})
    return [k for k, v in kpis.items() if v["status"] == "open" and v.get("evidence")]


def settlement_owed(plan: Plan, actor: Actor) -> bool:
    """In accountability the settlement waits for the costs it settles (A4 §3.a.4): costs
    recorded after `settle` would void it and ask for it again. After a no-go
    (`settlement_due`) it is owed at once."""
    return plan.state != "accountability" or bool(plan.facts.get("cost_records"))


def _duties() -> tuple[Duty, ...]:
    changed = {
        "settle": replace(v1.DUTIES[[d.trigger for d in v1.DUTIES].index("settle")],
                          owed=settlement_owed),
        "submit_review": replace(v1.DUTIES[[d.trigger for d in v1.DUTIES].index(
            "submit_review")], owed=review_owed),
        "record_commitment": replace(v1.DUTIES[[d.trigger for d in v1.DUTIES].index(
            "record_commitment")], owed=commitment_owed),
        "confirm_kpi": Duty("confirm_kpi", "Confirm KPI {item}, or pay it partially",
                            owed=reported_kpis, instead=("pay_partially",), item_key="kpi"),
    }
    duties = [changed.get(d.trigger, d) for d in v1.DUTIES]
    at = [d.trigger for d in duties].index("confirm_kpi")
    duties.insert(at, Duty("report_kpi", "Report the KPIs achieved, each with its evidence",
                           owed=kpis_to_report))
    duties.insert(at, Duty("waive_regional_coordinator",
                           "Waive the regional coordinator, or assign one",
                           owed=waiver_open, instead=("assign_regional_coordinator",),
                           before=v1.DECISION))
    return tuple(duties)


DUTIES = _duties()
OPTIONAL = frozenset({
    *(v1.OPTIONAL - {"waive_regional_coordinator"}),
    "contact_board_level", "refer_to_governance_group", "amend_contract",
    "grant_single_applicant",
})
RESTS_ON = {**v1.RESTS_ON, "submit_review": "A4 §1.3", "record_commitment": "A4 §1.b.1"}


def agenda(transitions: Iterable[Transition]) -> Agenda:
    return v1.agenda_for(transitions, duties=DUTIES, optional=OPTIONAL,
                         tolerated=frozenset(), rests_on=RESTS_ON)
