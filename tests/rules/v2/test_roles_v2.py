"""Who may fire what under transformation@2 (DESIGN-v2.md, with DESIGN.md "Who acts" where v2
names nothing), checked trigger by trigger and role by role.

The expected role sets are written out here by hand from the two contracts, never read from
the definition: a definition that lets the wrong role fire a trigger fails this table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from workflow.core.errors import Refused
from workflow.core.spec import Actor

from ..builders import (
    AUDITOR,
    COORDINATOR,
    COORDINATOR_ASSIGNMENT,
    ENSCHEDE,
    IMPACT,
    INSURER,
    MAKER,
    NZA,
    SECOND,
    SYSTEM,
    T0,
    Run,
    escalated_to,
    registration,
)
from ..role_table import ISSUE, REASON, Row, assert_verdict, row
from .builders import CONDITIONAL, DEFINITION, ENGINE, EVIDENCE, complete_joint_review, plan_in_v2

PM, CI, SI = "plan_maker", "coordinating_insurer", "second_insurer"
MUNI, RC, NZA_ROLE = "municipality", "regional_coordinator", "nza"
BOARD, SYSTEM_ROLE, AUDITOR_ROLE, CARE = "governance_board", "system", "auditor", "care_office"

CARE_OFFICE = Actor(CARE, "Zorgkantoor Twente", "Twente")
BOARD_ACTOR = Actor(BOARD, "Bestuurlijke groep AZWA")
MEMBER: dict[str, Actor] = {
    PM: MAKER, CI: INSURER, SI: SECOND, MUNI: ENSCHEDE, RC: COORDINATOR, NZA_ROLE: NZA,
    BOARD: BOARD_ACTOR, SYSTEM_ROLE: SYSTEM, AUDITOR_ROLE: AUDITOR, CARE: CARE_OFFICE,
}
"""For each role, an actor that belongs to the sample plan in that role (the regional
coordinator once assigned, the care office once joined)."""

V2_ROLES = {PM, CI, SI, MUNI, RC, NZA_ROLE, BOARD, SYSTEM_ROLE, AUDITOR_ROLE, CARE}
"""DESIGN.md's nine roles and the care office of DESIGN-v2.md "Other financiers"."""
PARTIES = {PM, CI, SI, MUNI, CARE}
"""Any party of the plan (DESIGN-v2.md "Escalation": request_flying_brigade)."""


def _state(state: str, **options: Any) -> Callable[[], Run]:
    return lambda: plan_in_v2(state, join=[CARE_OFFICE], **options)


def _intent_without_financier() -> Run:
    return plan_in_v2("intent", municipalities=[])


def _with_character(state: str) -> Callable[[], Run]:
    def build() -> Run:
        run = plan_in_v2(state)
        run.fire("agree_character", INSURER, {"character": "scaling"})
        return run
    return build


def _review_with_coordinator() -> Run:
    run = plan_in_v2("joint_review", social_domain=True, join=[CARE_OFFICE])
    run.fire("assign_regional_coordinator", ENSCHEDE, COORDINATOR_ASSIGNMENT)
    return run


def _reviewed_by_insurers() -> Run:
    run = plan_in_v2("joint_review")
    run.fire("submit_review", INSURER, {"verdict": "positive"})
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    return run


def _quick_test_reviewed() -> Run:
    run = plan_in_v2("quick_test_under_review")
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    return run


def _reported(kpi: str) -> Callable[[], Run]:
    def build() -> Run:
        run = plan_in_v2("in_implementation")
        run.fire("report_kpi", MAKER, {"kpi": kpi, "evidence": EVIDENCE})
        return run
    return build


def _kpis_settled() -> Run:
    run = plan_in_v2("in_implementation")
    run.fire("decide_go", INSURER, {"kpi": "k2"})
    for kid in ("k1", "k2"):
        run.fire("report_kpi", MAKER, {"kpi": kid, "evidence": EVIDENCE})
        run.fire("confirm_kpi", INSURER, {"kpi": kid})
    return run


def _committed_to_amendment() -> Run:
    run = plan_in_v2("in_implementation")
    for org in ("Huisartsen Twente", "ZGT"):
        run.fire("record_commitment", Actor(PM, org, "Twente"),
                 {"amendment": {"kpis": [KPI_AGREEMENT]}})
    return run


def _settled() -> Run:
    run = plan_in_v2("accountability")
    run.fire("settle", INSURER, {"repayment_terms": "In twee termijnen"})
    return run


def _submission_expired() -> Run:
    run = plan_in_v2("plan_in_preparation")
    run.at = run.plan.deadlines["plan_submission"].expires_at
    return run


def _breakthrough() -> Run:
    return plan_in_v2("intent", track="breakthrough")


def _ladder(step: str) -> Callable[[], Run]:
    return lambda: escalated_to(step, build=plan_in_v2)


def _aim_missed() -> Run:
    run = escalated_to("board_level", build=plan_in_v2)
    run.at = run.plan.deadlines["board_meeting"].expires_at
    return run


KPI_AGREEMENT = {"id": "k3", "description": "Extra wijkteam", "amount_eur": 10000,
                 "due": "2028-06-30", "go_no_go": False}

TABLE: tuple[Row, ...] = (
    row("register_plan", "new", {PM}, _state("intent"), source="DESIGN.md: register_plan (PM)"),
    row("join_as_financier", "intent (municipality)", {MUNI}, _intent_without_financier,
        {"kind": "municipality"}, source="DESIGN-v2 Other financiers: join_as_financier",
        conditional={CARE: "is_own_kind"}),
    row("join_as_financier", "intent (care office)", {CARE}, _intent_without_financier,
        {"kind": "care_office"}, source="DESIGN-v2 Other financiers: kind care_office",
        conditional={MUNI: "is_own_kind"}),
    row("name_second_insurer", "intent", {CI}, _state("intent", second_insurer=None),
        {"org": "CZ"}, source="DESIGN.md; A4 §1.3.1"),
    row("agree_character", "intent", {CI}, _state("intent"), {"character": "innovation"},
        source="DESIGN.md: agree_character (CI)"),
    row("hold_start_meeting", "intent", {CI}, _state("intent"), source="DESIGN.md (CI)"),
    row("submit_quick_test", "intent", {PM}, _with_character("intent"),
        source="DESIGN.md: submit_quick_test (PM)"),
    row("request_information", "quick_test_submitted", {CI}, _state("quick_test_submitted"),
        {"missing": ["begroting"]}, source="DESIGN.md (CI)"),
    row("resubmit_quick_test", "quick_test_incomplete", {PM}, _state("quick_test_incomplete"),
        source="DESIGN.md (PM)"),
    row("accept_quick_test_as_complete", "quick_test_submitted", {CI},
        _state("quick_test_submitted"), source="DESIGN.md (CI)"),
    row("submit_review", "quick_test_under_review", {SI}, _state("quick_test_under_review"),
        {"verdict": "positive"}, source="DESIGN-v2 Payloads: submit_review in "
        "quick_test_under_review (second insurer)"),
    row("approve_quick_test", "quick_test_under_review", {CI}, _quick_test_reviewed,
        source="DESIGN-v2: decided by the CI after the second insurer's review"),
    row("reject_quick_test", "quick_test_under_review", {CI}, _quick_test_reviewed, REASON,
        source="DESIGN-v2: decided by the CI after the second insurer's review"),
    row("submit_plan", "plan_in_preparation", {PM}, _state("plan_in_preparation"), IMPACT,
        source="DESIGN.md (PM)"),
    row("request_information", "plan_submitted", {CI}, _state("plan_submitted"),
        {"missing": ["KPI's"]}, source="DESIGN.md (CI)"),
    row("resubmit_plan", "plan_incomplete", {PM}, _state("plan_incomplete"), IMPACT,
        source="DESIGN.md (PM)"),
    row("accept_plan_as_complete", "plan_submitted", {CI}, _state("plan_submitted"),
        source="DESIGN.md (CI)"),
    row("submit_review", "joint_review", {CI, SI, MUNI, RC, CARE}, _review_with_coordinator,
        CONDITIONAL, source="DESIGN.md reviewers; DESIGN-v2: a care office reviews like a "
        "municipality"),
    row("assign_regional_coordinator", "joint_review", {MUNI}, _state("joint_review"),
        COORDINATOR_ASSIGNMENT, source="DESIGN.md (municipality)"),
    row("waive_regional_coordinator", "joint_review", {MUNI}, _state("joint_review"),
        source="DESIGN-v2: only municipalities waive the regional coordinator"),
    row("approve_social_domain_parts", "joint_review", {MUNI},
        _state("joint_review", social_domain=True),
        source="DESIGN-v2: only municipalities approve social-domain parts"),
    row("decline_social_domain_parts", "joint_review", {MUNI},
        _state("joint_review", social_domain=True), REASON, source="DESIGN.md (municipality)"),
    row("record_commitment", "joint_review", {PM, MUNI, CARE}, _state("joint_review"),
        source="DESIGN-v2 Commitment: parties and financiers, not the insurers"),
    row("record_commitment", "in_implementation", {PM}, _state("in_implementation"),
        {"amendment": {"kpis": [KPI_AGREEMENT]}},
        source="DESIGN-v2: the plan maker's commitment to an amendment"),
    row("share_joint_feedback", "joint_review", {CI}, _reviewed_by_insurers,
        source="DESIGN.md (CI)"),
    row("approve_plan", "joint_review", {CI}, lambda: complete_joint_review(
        plan_in_v2("joint_review")), source="DESIGN.md (CI)"),
    row("reject_plan", "joint_review", {CI}, _state("joint_review"), REASON,
        source="DESIGN.md (CI)"),
    row("request_revision", "joint_review", {CI}, _state("joint_review"), REASON,
        source="DESIGN.md (CI)"),
    row("sign_contract", "approved", {CI}, _state("approved"), {"kpis": [KPI_AGREEMENT]},
        source="DESIGN.md (CI)"),
    row("issue_payment_decision", "contracted", {NZA_ROLE}, _state("contracted"),
        source="DESIGN.md (nza)"),
    row("report_kpi", "in_implementation", {PM}, _state("in_implementation"),
        {"kpi": "k1", "evidence": EVIDENCE}, source="DESIGN-v2: report_kpi (plan maker)"),
    row("confirm_kpi", "in_implementation", {CI}, _reported("k1"), {"kpi": "k1"},
        source="DESIGN.md (CI), after report_kpi"),
    row("pay_partially", "in_implementation", {CI}, _state("in_implementation"),
        {"kpi": "k1", "amount_eur": 20000, "reason": "Deels behaald",
         "efforts_delivered": True}, source="DESIGN.md; A4 §1.7.5"),
    row("amend_contract", "in_implementation", {CI}, _committed_to_amendment,
        {"kpis": [KPI_AGREEMENT], "reason": "Bijgesteld na de go/no-go"},
        source="DESIGN-v2: amend_contract (coordinating insurer)"),
    row("decide_go", "in_implementation", {CI}, _state("in_implementation"), {"kpi": "k2"},
        source="DESIGN.md (CI)"),
    row("decide_no_go", "in_implementation", {CI}, _state("in_implementation"), {"kpi": "k2"},
        source="DESIGN.md (CI)"),
    row("record_costs", "in_implementation", {PM, CI}, _state("in_implementation"),
        {"amount_eur": 1000, "period": "2027-Q1"}, source="A4 §3.a.3"),
    row("record_monitoring", "in_implementation", {PM, CI}, _state("in_implementation"),
        {"summary": "Op koers"}, source="A4 §3.a.1"),
    row("complete_implementation", "in_implementation", {CI}, _kpis_settled,
        source="DESIGN.md (CI)"),
    row("settle", "accountability", {CI}, _state("accountability"),
        {"repayment_terms": "In twee termijnen"}, source="DESIGN-v2: settle (CI)"),
    row("settle", "settlement_due", {CI}, _state("settlement_due"),
        source="DESIGN-v2: settle ends a no-go in terminated (CI)"),
    row("give_lawfulness_judgement", "accountability", {NZA_ROLE}, _settled,
        {"verdict": "lawful"}, source="DESIGN-v2: give_lawfulness_judgement (NZa)"),
    row("withdraw", "intent", {PM}, _state("intent"), {"reason": "Partijen stoppen"},
        source="DESIGN.md (PM)"),
    row("close_lapsed", "plan_in_preparation", {CI}, _submission_expired,
        source="DESIGN.md (CI)"),
    row("extend_deadline", "plan_in_preparation", {CI}, _state("plan_in_preparation"),
        {"deadline": "plan_submission", "until": "2027-12-31", "reason": "Zomerstop"},
        source="DESIGN-v2: extend_deadline (coordinating insurer, with a reason)"),
    row("grant_single_applicant", "intent (breakthrough)", {CI}, _breakthrough,
        {"reason": "Eén aanbieder in de regio"},
        source="DESIGN-v2 Breakthrough: granted by the coordinating insurer"),
    row("escalate", "none", {PM, CI, SI, MUNI}, _state("plan_in_preparation"),
        {**ISSUE, "contact": "J. de Vries"}, source="DESIGN.md: step 1 by any party"),
    row("escalate", "bilateral", {CI}, _ladder("bilateral"), ISSUE,
        source="DESIGN.md: steps 2 and 3 by the coordinating insurer"),
    row("escalate", "convened", {CI}, _ladder("convened"), ISSUE,
        source="DESIGN.md: steps 2 and 3 by the coordinating insurer"),
    row("hold_board_meeting", "board_level", {CI}, _ladder("board_level"),
        source="DESIGN.md: step 3, the coordinating insurer takes the initiative"),
    row("contact_board_level", "board_level", {PM}, _aim_missed, {"contact": "Bestuurder ZGT"},
        source="DESIGN-v2: after a missed aim a plan maker contacts the board level"),
    row("refer_to_governance_group", "convened", {CI}, _ladder("convened"), ISSUE,
        source="DESIGN-v2: refer_to_governance_group (coordinating insurer)"),
    row("request_flying_brigade", "none", PARTIES, _state("plan_in_preparation"),
        {"question": "Waar zit het knelpunt?"},
        source="DESIGN-v2: any party of the plan, at any moment escalation is open"),
    row("resolve_escalation", "board_level", {CI}, _ladder("board_level"),
        source="DESIGN.md: resolve_escalation by the coordinating insurer"),
)

CASES = [pytest.param(r, role, id=f"{r.trigger}@{r.situation}-{role}")
         for r in TABLE for role in sorted(V2_ROLES)]


def _fire(r: Row, actor: Actor) -> Refused | None:
    run = r.build()
    if r.trigger == "register_plan":
        try:
            ENGINE.register("TW-NEW", actor, registration(
                parties=[{"org": actor.org, "role": "plan_maker"}]), T0)
        except Refused as refusal:
            return refusal
        return None
    return run.attempt(r.trigger, actor, r.payload)


@pytest.mark.parametrize(("r", "role"), CASES)
def test_role_may_fire__v2_table(r: Row, role: str) -> None:
    """Rule role_may_fire under transformation@2 (DESIGN-v2.md; each row names its source).

    Given a plan where the trigger is possible, when an actor of each role fires it, then a
    role the table does not list is refused by role_may_fire and nothing changes, and a listed
    role is accepted, or refused only by the further rule the row names.
    """
    refusal = _fire(r, MEMBER[role])
    assert_verdict(r, role, refusal)


def test_v2_role_table__covers_every_trigger_of_the_definition() -> None:
    """Rule role_may_fire (DESIGN-v2.md): every trigger of transformation@2 has a row.

    Given the definition's triggers, when compared with the hand-written table, then none is
    missing and the table names no stray one.
    """
    assert set(DEFINITION.triggers()) == {r.trigger for r in TABLE}


def test_v2_roles__are_the_design_roles_and_the_care_office() -> None:
    """DESIGN-v2.md "Other financiers": the roles are DESIGN.md's nine and the care office."""
    assert set(DEFINITION.roles) == V2_ROLES


def test_v2_governance_board__fires_nothing() -> None:
    """DESIGN-v2.md "Escalation": the governance step is gone; the coordinating insurer refers
    a problem to the bestuurlijke groep (A4 §1.4.5), which fires no trigger here."""
    assert not [r.trigger for r in TABLE if BOARD in r.roles]
