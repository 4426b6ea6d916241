"""Who may fire what (DESIGN.md "Who acts"), checked trigger by trigger and role by role.

The expected role sets are written out here by hand from DESIGN.md, never read from the
definition: a definition that lets the wrong role fire a trigger fails this table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from workflow.core.errors import Refused
from workflow.core.spec import Actor

from .builders import (
    COORDINATOR,
    COORDINATOR_ASSIGNMENT,
    DEFINITION,
    ENGINE,
    ENSCHEDE,
    HENGELO,
    IMPACT,
    INSURER,
    MAKER,
    MEMBER,
    OUTSIDER_INSURER,
    SECOND,
    STEP,
    T0,
    Run,
    complete_joint_review,
    escalated_to,
    plan_in,
    registration,
)
from .role_table import ISSUE, REASON, Row, assert_verdict, row

PM, CI, SI = "plan_maker", "coordinating_insurer", "second_insurer"
MUNI, RC, NZA = "municipality", "regional_coordinator", "nza"
BOARD, SYSTEM, AUDITOR = "governance_board", "system", "auditor"

DESIGN_ROLES = {PM, CI, SI, MUNI, RC, NZA, BOARD, SYSTEM, AUDITOR}
"""The roles of DESIGN.md "Who acts"."""

PARTIES = {PM, CI, SI, MUNI}
"""The parties of a plan: plan makers, both insurers, a participating municipality."""

# -- situations in which a trigger is possible -----------------------------------------------------


def _intent_without_municipality() -> Run:
    return plan_in("intent", municipalities=[])


def _with_character(state: str) -> Callable[[], Run]:
    def build() -> Run:
        run = plan_in(state)
        run.fire("agree_character", INSURER, {"character": "scaling"})
        return run
    return build


def _review_with_coordinator() -> Run:
    run = plan_in("joint_review", social_domain=True)
    run.fire("assign_regional_coordinator", ENSCHEDE, COORDINATOR_ASSIGNMENT)
    return run


def _reviewed_by_insurers() -> Run:
    run = plan_in("joint_review")
    run.fire("submit_review", INSURER, {"verdict": "positive"})
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    return run


def _ready_for_approval() -> Run:
    return complete_joint_review(plan_in("joint_review"))


def _kpis_settled() -> Run:
    run = plan_in("in_implementation")
    run.fire("decide_go", INSURER, {"kpi": "k2"})
    run.fire("confirm_kpi", INSURER, {"kpi": "k1"})
    run.fire("confirm_kpi", INSURER, {"kpi": "k2"})
    return run


def _submission_expired() -> Run:
    run = plan_in("plan_in_preparation")
    run.at = run.plan.deadlines["plan_submission"].expires_at
    return run


def _state(state: str, **options: Any) -> Callable[[], Run]:
    return lambda: plan_in(state, **options)


def _ladder(step: str) -> Callable[[], Run]:
    return lambda: escalated_to(step)


PARTIAL = {"kpi": "k1", "amount_eur": 20000, "reason": "Deels behaald",
           "efforts_delivered": True}

TABLE: tuple[Row, ...] = (
    row("register_plan", "new", {PM}, _state("intent"),
        source="Main lifecycle: intent <- register_plan (plan_maker)"),
    row("join_as_financier", "intent", {MUNI}, _intent_without_municipality,
        source="Payloads: join_as_financier (municipality)"),
    row("name_second_insurer", "intent", {CI}, _state("intent", second_insurer=None),
        {"org": "CZ"}, source="Who acts: coordinating_insurer runs the process; A4 §1.3.1"),
    row("agree_character", "intent", {CI}, _state("intent"), {"character": "innovation"},
        source="Payloads: agree_character (coordinating_insurer)"),
    row("hold_start_meeting", "intent", {CI}, _state("intent"),
        source="Main lifecycle: hold_start_meeting (coordinating_insurer)"),
    row("submit_quick_test", "intent", {PM}, _with_character("intent"),
        source="Main lifecycle: submit_quick_test (plan_maker)"),
    row("submit_quick_test", "start_meeting_held", {PM},
        _with_character("start_meeting_held"),
        source="Main lifecycle: from intent or start_meeting_held"),
    row("request_information", "quick_test_submitted", {CI}, _state("quick_test_submitted"),
        {"missing": ["begroting"]},
        source="Main lifecycle: request_information (coordinating_insurer)"),
    row("resubmit_quick_test", "quick_test_incomplete", {PM},
        _state("quick_test_incomplete"),
        source="Main lifecycle: back with resubmit_quick_test (plan_maker)"),
    row("accept_quick_test_as_complete", "quick_test_submitted", {CI},
        _state("quick_test_submitted"),
        source="Main lifecycle: accept_quick_test_as_complete (coordinating_insurer)"),
    row("approve_quick_test", "quick_test_under_review", {CI},
        _state("quick_test_under_review"),
        source="Main lifecycle: approve_quick_test (coordinating_insurer)"),
    row("reject_quick_test", "quick_test_under_review", {CI},
        _state("quick_test_under_review"), REASON,
        source="Main lifecycle: reject_quick_test (coordinating_insurer)"),
    row("submit_plan", "plan_in_preparation", {PM}, _state("plan_in_preparation"), IMPACT,
        source="Main lifecycle: submit_plan (plan_maker)"),
    row("request_information", "plan_submitted", {CI}, _state("plan_submitted"),
        {"missing": ["KPI's"]},
        source="Main lifecycle: plan_incomplete <- request_information; CI runs the process"),
    row("resubmit_plan", "plan_incomplete", {PM}, _state("plan_incomplete"), IMPACT,
        source="Who acts: plan_maker submits the plan; back with resubmit_plan"),
    row("accept_plan_as_complete", "plan_submitted", {CI}, _state("plan_submitted"),
        source="Main lifecycle: accept_plan_as_complete (coordinating_insurer)"),
    row("submit_review", "joint_review", {CI, SI, MUNI, RC}, _review_with_coordinator,
        {"verdict": "positive"},
        source="Joint review: submit_review (coordinating_insurer, second_insurer, "
               "municipality, regional_coordinator)"),
    row("assign_regional_coordinator", "joint_review", {MUNI}, _state("joint_review"),
        COORDINATOR_ASSIGNMENT, source="Joint review: assign_regional_coordinator (municipality)"),
    row("waive_regional_coordinator", "joint_review", {MUNI}, _state("joint_review"),
        source="Joint review: waive_regional_coordinator (municipality)"),
    row("approve_social_domain_parts", "joint_review", {MUNI},
        _state("joint_review", social_domain=True),
        source="Joint review: approve_social_domain_parts (municipality)"),
    row("decline_social_domain_parts", "joint_review", {MUNI},
        _state("joint_review", social_domain=True), REASON,
        source="Joint review: decline_social_domain_parts (municipality)"),
    row("record_commitment", "joint_review", PARTIES, _state("joint_review"),
        source="Joint review: record_commitment (each party)"),
    row("share_joint_feedback", "joint_review", {CI}, _reviewed_by_insurers,
        source="Joint review: share_joint_feedback (coordinating_insurer)"),
    row("approve_plan", "joint_review", {CI}, _ready_for_approval,
        source="Main lifecycle: approve_plan (coordinating_insurer)"),
    row("reject_plan", "joint_review", {CI}, _state("joint_review"), REASON,
        source="Main lifecycle: reject_plan (coordinating_insurer)"),
    row("request_revision", "joint_review", {CI}, _state("joint_review"), REASON,
        source="request_revision (coordinating_insurer)"),
    row("sign_contract", "approved", {CI}, _state("approved"),
        {"kpis": [{"id": "k1", "description": "Plan opgeleverd", "amount_eur": 1000,
                   "due": "2027-12-31", "go_no_go": False}]},
        source="Main lifecycle: sign_contract (coordinating_insurer)"),
    row("issue_payment_decision", "contracted", {NZA}, _state("contracted"),
        source="Main lifecycle: issue_payment_decision (nza)"),
    row("confirm_kpi", "in_implementation", {CI}, _state("in_implementation"), {"kpi": "k1"},
        source="Implementation: confirm_kpi (coordinating_insurer)"),
    row("pay_partially", "in_implementation", {CI}, _state("in_implementation"), PARTIAL,
        source="Implementation: pay_partially; A4 §1.7.5 the coordinating insurer decides"),
    row("decide_go", "in_implementation", {CI}, _state("in_implementation"), {"kpi": "k2"},
        source="Main lifecycle: decide_no_go (coordinating_insurer); decide_go its twin"),
    row("decide_no_go", "in_implementation", {CI}, _state("in_implementation"), {"kpi": "k2"},
        source="Main lifecycle: decide_no_go (coordinating_insurer)"),
    row("record_costs", "in_implementation", {PM, CI}, _state("in_implementation"),
        {"amount_eur": 1000, "period": "2027-Q1"},
        source="A4 §3.a.3: the coordinating insurer and the providers keep the cost records"),
    row("record_monitoring", "in_implementation", {PM, CI}, _state("in_implementation"),
        {"summary": "Op koers"},
        source="A4 §3.a.1: insurer and providers together keep a finger on the pulse"),
    row("complete_implementation", "in_implementation", {CI}, _kpis_settled,
        source="Main lifecycle: complete_implementation (coordinating_insurer)"),
    row("settle", "accountability", {CI}, _state("accountability"),
        source="Who acts: coordinating_insurer decides; A4 §3.a.4"),
    row("give_lawfulness_judgement", "accountability", {NZA}, _state("accountability"),
        source="Main lifecycle: give_lawfulness_judgement (nza)"),
    row("withdraw", "intent", {PM}, _state("intent"), {"reason": "Partijen stoppen"},
        source="Main lifecycle: withdraw (plan_maker)"),
    row("close_lapsed", "plan_in_preparation", {CI}, _submission_expired,
        source="Main lifecycle: close_lapsed (coordinating_insurer)"),
    row("extend_deadline", "quick_test_under_review", {CI}, _state("quick_test_under_review"),
        {"deadline": "quick_test_decision", "until": "2027-03-31", "reason": "Zomerstop"},
        source="extend_deadline (coordinating_insurer, with a reason)"),
    row("escalate", "none", PARTIES, _state("plan_in_preparation"),
        {**ISSUE, "contact": "J. de Vries"},
        source="Escalation: step 1 by any party of the plan"),
    row("escalate", "bilateral", {CI}, _ladder("bilateral"), ISSUE,
        source="Escalation: steps 2 to 4 by the coordinating insurer"),
    row("escalate", "convened", {CI}, _ladder("convened"), ISSUE,
        source="Escalation: steps 2 to 4 by the coordinating insurer"),
    row("escalate", "board_level", {CI, BOARD, PM}, _ladder("board_level"), ISSUE,
        source="Escalation: step 4 also by the governance board, and by a plan maker once "
               "board_meeting expired (A4 §1.4.4)",
        conditional={PM: "is_board_meeting_expired"}),
    row("hold_board_meeting", "board_level", {CI}, _ladder("board_level"),
        source="Escalation: step 3, the coordinating insurer takes the initiative"),
    row("request_flying_brigade", "board_level", {CI, BOARD}, _ladder("board_level"),
        source="Escalation: request_flying_brigade by the coordinating insurer or the board"),
    row("request_flying_brigade", "governance", {CI, BOARD}, _ladder("governance"),
        source="Escalation: request_flying_brigade at step 3 or 4"),
    row("resolve_escalation", "bilateral", {CI}, _ladder("bilateral"),
        source="Escalation: resolve_escalation by the coordinating insurer"),
    row("resolve_escalation", "board_level", {CI}, _ladder("board_level"),
        source="Escalation: resolve_escalation by the coordinating insurer"),
    row("resolve_escalation", "governance", {CI, BOARD}, _ladder("governance"),
        source="Escalation: or by the governance board at step 4"),
)

CASES = [
    pytest.param(r, role, id=f"{r.trigger}@{r.situation}-{role}")
    for r in TABLE
    for role in DEFINITION.roles
]


def _fire(r: Row, actor: Actor) -> tuple[Run, Refused | None]:
    run = r.build()
    if r.trigger == "register_plan":
        payload = registration(parties=[{"org": actor.org, "role": "plan_maker"}])
        before = run.plan.to_dict()
        try:
            ENGINE.register("TW-NEW", actor, payload, T0)
        except Refused as refusal:
            assert run.plan.to_dict() == before
            return run, refusal
        return run, None
    return run, run.attempt(r.trigger, actor, r.payload)


@pytest.mark.parametrize(("r", "role"), CASES)
def test_role_may_fire__table(r: Row, role: str) -> None:
    """Rule role_may_fire (DESIGN.md "Who acts"; the source of each row is in the table).

    Given a plan where the trigger is possible, when an actor of each role fires it, then a
    role the table does not list is refused by role_may_fire and nothing changes, and a listed
    role (acting for an organisation that belongs to the plan) is not refused for its role:
    with a valid payload it is accepted, or refused only by the further rule the row names.
    """
    refusal = _fire(r, MEMBER[role])[1]
    assert_verdict(r, role, refusal)


def test_role_table__covers_every_trigger_of_the_definition() -> None:
    """Rule role_may_fire (DESIGN.md "Who acts"): every trigger has a row in the table.

    Given the definition's triggers, when compared with the hand-written table, then none is
    missing (a new trigger needs its roles decided here) and the table names no stray one.
    """
    assert set(DEFINITION.triggers()) == {r.trigger for r in TABLE}


def test_roles__are_the_roles_of_the_design() -> None:
    """DESIGN.md "Who acts": the definition knows exactly the nine roles of the contract.

    Given the definition, when its roles are listed, then they are the nine of DESIGN.md.
    """
    assert set(DEFINITION.roles) == DESIGN_ROLES


@pytest.mark.parametrize("role", [SYSTEM, AUDITOR])
def test_role_may_fire__system_and_auditor_fire_nothing(role: str) -> None:
    """Rule role_may_fire (DESIGN.md "Who acts": system expires deadlines only, auditor
    fires nothing).

    Given the role table, when its rows are read, then neither role may fire any trigger.
    """
    assert not [r.trigger for r in TABLE if role in r.roles]
    run = plan_in("plan_in_preparation")
    run.refuse("submit_plan", MEMBER[role], IMPACT, rule="role_may_fire", seed="A4 §1.5.2")


# -- membership: acting for an organisation of the plan --------------------------------------------


def test_is_party_of_plan__refused_for_another_coordinating_insurer() -> None:
    """Rule is_party_of_plan (A4 §1.a.3; DESIGN.md "Who acts").

    Given a submitted quick test of a plan coordinated by Menzis, when another insurer acting
    as coordinating insurer accepts it as complete, then it is refused and nothing changes.
    """
    run = plan_in("quick_test_submitted")
    run.refuse("accept_quick_test_as_complete", OUTSIDER_INSURER, rule="is_party_of_plan",
               seed="A4 §1.a.3")


def test_is_party_of_plan__allowed_for_the_plans_coordinating_insurer() -> None:
    """Rule is_party_of_plan (A4 §1.a.3).

    Given a submitted quick test, when the plan's own coordinating insurer accepts it as
    complete, then the quick test is under review.
    """
    run = plan_in("quick_test_submitted")
    run.fire("accept_quick_test_as_complete", INSURER)
    assert run.state == "quick_test_under_review"


def test_is_party_of_plan__refused_for_an_organisation_that_is_no_party() -> None:
    """Rule is_party_of_plan (A4 §1.a.2: the plan makers are the parties that submit it).

    Given a plan in preparation, when an organisation that is not among the plan's parties
    submits the plan as a plan maker, then it is refused and nothing changes.
    """
    run = plan_in("plan_in_preparation")
    run.refuse("submit_plan", Actor(PM, "Ziekenhuis Elders", "Twente"), IMPACT,
               rule="is_party_of_plan", seed="A4 §1.a.2")


def test_is_party_of_plan__refused_for_another_second_insurer() -> None:
    """Rule is_party_of_plan (A4 §1.3.1: the second insurer is the one named for the plan).

    Given a plan in joint review whose second insurer is Zilveren Kruis, when CZ reviews as
    second insurer, then it is refused; when Zilveren Kruis reviews, it is recorded.
    """
    run = plan_in("joint_review")
    run.refuse("submit_review", Actor(SI, "CZ"), {"verdict": "positive"},
               rule="is_party_of_plan", seed="A4 §1.3.1")
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    assert {r["org"] for r in run.plan.facts["reviews"].values()} == {SECOND.org}


def test_is_party_of_plan__refused_for_an_unassigned_regional_coordinator() -> None:
    """Rule is_party_of_plan (A4 §1.b.3: the regional coordinator is optional and assigned).

    Given a plan in joint review without an assigned regional coordinator, when a regional
    coordinator reviews it, then it is refused; once assigned, its review is recorded.
    """
    run = plan_in("joint_review")
    run.refuse("submit_review", COORDINATOR, {"verdict": "positive"},
               rule="is_party_of_plan", seed="A4 §1.b.3")
    run.fire("assign_regional_coordinator", ENSCHEDE, COORDINATOR_ASSIGNMENT)
    run.fire("submit_review", COORDINATOR, {"verdict": "positive"})
    assert f"{RC}:{COORDINATOR.org}" in run.plan.facts["reviews"]


def test_is_party_of_plan__refused_for_a_municipality_that_does_not_participate() -> None:
    """Rule is_party_of_plan (A4 §1.b.3: a municipality assesses only plans it takes part in).

    Given a plan in joint review in which Hengelo does not participate, when Hengelo reviews,
    then it is refused; after Hengelo joined as a financier earlier, its review is recorded.
    """
    run = plan_in("joint_review")
    refusal = run.refuse("submit_review", HENGELO, {"verdict": "positive"},
                         rule="is_party_of_plan")
    assert HENGELO.org in refusal.message
    joined = plan_in("joint_review", join=[HENGELO])
    joined.fire("submit_review", HENGELO, {"verdict": "positive"})
    assert f"{MUNI}:{HENGELO.org}" in joined.plan.facts["reviews"]


# -- triggers and states ---------------------------------------------------------------------------


def test_known_trigger__refused_for_an_unknown_trigger() -> None:
    """Rule known_trigger (DESIGN.md "Main lifecycle": only the triggers of the definition).

    Given a plan, when a trigger the definition does not know is fired, then it is refused.
    """
    run = plan_in("intent")
    run.refuse("approve_everything", INSURER, rule="known_trigger", seed="azwa")


def test_known_trigger__refused_for_deadline_expired_fired_by_hand() -> None:
    """Rule known_trigger (DESIGN.md "Deadlines": deadline_expired comes from the clock only).

    Given a plan with a running deadline, when someone fires deadline_expired as a command,
    then it is refused and the deadline keeps running.
    """
    run = plan_in("quick_test_under_review")
    run.refuse("deadline_expired", INSURER, {"deadline": "quick_test_decision"},
               rule="known_trigger", seed="azwa")
    assert run.plan.deadlines["quick_test_decision"].is_open


def test_allowed_in_state__refused_out_of_order() -> None:
    """Rule allowed_in_state (DESIGN.md "Main lifecycle"; submit_plan comes after the quick
    test, A4 §1.5.2).

    Given a plan that has only registered its intent, when the plan maker submits the plan,
    then it is refused and the plan stays in intent.
    """
    run = plan_in("intent")
    refusal = run.refuse("submit_plan", MAKER, IMPACT, rule="allowed_in_state",
                         seed="A4 §1.5.2")
    assert "plan_in_preparation" in refusal.message


def test_allowed_in_state__allowed_in_its_state() -> None:
    """Rule allowed_in_state (A4 §1.5.2).

    Given a plan in preparation, when the plan maker submits the plan, then it is submitted.
    """
    run = plan_in("plan_in_preparation")
    run.fire("submit_plan", MAKER, IMPACT, at=run.at + STEP)
    assert run.state == "plan_submitted"
