"""The joint review of a complete plan (A4 §1.a.1, §1.b, §1.3; DESIGN.md "Joint review")."""

from __future__ import annotations

import pytest

from workflow.core.spec import Actor

from .builders import (
    COORDINATOR,
    COORDINATOR_ASSIGNMENT,
    ENSCHEDE,
    HENGELO,
    HOSPITAL,
    IMPACT,
    INSURER,
    MAKER,
    SECOND,
    complete_joint_review,
    plan_in,
    register,
)

# -- the regional coordinator (A4 §1.b.3) ----------------------------------------------------------


def test_is_coordinator_from_other_region__refused_for_the_plans_own_region() -> None:
    """Rule is_coordinator_from_other_region (A4 §1.b.3: regional coordinators never assess
    plans of their own region).

    Given a Twente plan in joint review, when Enschede assigns a coordinator from Twente,
    then it is refused and no coordinator is assigned.
    """
    run = plan_in("joint_review")
    run.refuse("assign_regional_coordinator", ENSCHEDE,
               {"org": "Regiocoördinator Twente", "region": "Twente"},
               rule="is_coordinator_from_other_region", seed="A4 §1.b.3")
    assert "regional_coordinator" not in run.plan.facts


def test_is_coordinator_from_other_region__allowed_for_another_region() -> None:
    """Rule is_coordinator_from_other_region (A4 §1.b.3).

    Given a Twente plan in joint review, when Enschede assigns the Achterhoek coordinator,
    then that coordinator is on record and may review.
    """
    run = plan_in("joint_review")
    run.fire("assign_regional_coordinator", ENSCHEDE, COORDINATOR_ASSIGNMENT)
    assert run.plan.facts["regional_coordinator"] == COORDINATOR_ASSIGNMENT
    run.fire("submit_review", COORDINATOR, {"verdict": "conditional"})


def test_has_named_org__refused_assigning_a_coordinator_without_org() -> None:
    """Rule has_named_org (A4 §1.b.3; DESIGN.md "Payloads": assign_regional_coordinator
    {org, region}).

    Given a plan in joint review, when a coordinator is assigned with a blank organisation,
    then it is refused (without the `org` field at all, by the payload schema).
    """
    run = plan_in("joint_review")
    run.refuse("assign_regional_coordinator", ENSCHEDE, {"org": " ", "region": "Achterhoek"},
               rule="has_named_org", seed="A4 §1.b.3")
    run.refuse("assign_regional_coordinator", ENSCHEDE, {"region": "Achterhoek"},
               rule="payload_matches_schema", seed="A4 §1.b.3")


@pytest.mark.parametrize("trigger", ["assign_regional_coordinator", "waive_regional_coordinator"])
def test_participating_municipality__refused_for_a_plan_without_municipality(
    trigger: str,
) -> None:
    """Rule: only a participating municipality assigns or waives the regional coordinator
    (A4 §1.b.3: coordinators assess only plans in which municipalities take part; DESIGN.md
    "Joint review" cites A4 §1.b.3 for this refusal).

    Given a plan in joint review with no municipality listed or joined, when a municipality
    assigns or waives a coordinator, then it is refused citing A4 §1.b.3, nothing changes.
    """
    run = plan_in("joint_review", municipalities=[])
    run.refuse(trigger, ENSCHEDE, COORDINATOR_ASSIGNMENT, rule="is_party_of_plan",
               seed="A4 §1.b.3")


def test_participating_municipality__allowed_once_joined() -> None:
    """Rule: a municipality that joined as financier takes part (A4 §1.b.3, §1.a.1).

    Given a plan without listed municipalities that Hengelo joined, when Hengelo assigns the
    Achterhoek coordinator in the joint review, then it is assigned.
    """
    run = plan_in("joint_review", municipalities=[], join=[HENGELO])
    run.fire("assign_regional_coordinator", HENGELO, COORDINATOR_ASSIGNMENT)
    assert run.plan.facts["regional_coordinator"]["org"] == COORDINATOR.org


def test_is_coordinator_open__refused_after_a_waiver() -> None:
    """Rule is_coordinator_open (A4 §1.b.3: participating municipalities may forgo the
    co-assessment by a regional coordinator).

    Given a plan whose municipality waived the regional coordinator, when a coordinator is
    assigned, then it is refused and the waiver stands.
    """
    run = plan_in("joint_review")
    run.fire("waive_regional_coordinator", ENSCHEDE)
    run.refuse("assign_regional_coordinator", ENSCHEDE, COORDINATOR_ASSIGNMENT,
               rule="is_coordinator_open", seed="A4 §1.b.3")
    assert run.plan.facts["coordinator_waived"] is True


def test_is_coordinator_open__refused_waiving_after_assignment() -> None:
    """Rule is_coordinator_open (A4 §1.b.3).

    Given a plan with an assigned coordinator, when the municipality waives the coordinator,
    or assigns a second one, then both are refused.
    """
    run = plan_in("joint_review")
    run.fire("assign_regional_coordinator", ENSCHEDE, COORDINATOR_ASSIGNMENT)
    run.refuse("waive_regional_coordinator", ENSCHEDE, rule="is_coordinator_open",
               seed="A4 §1.b.3")
    run.refuse("assign_regional_coordinator", ENSCHEDE,
               {"org": "Regiocoördinator Zeeland", "region": "Zeeland"},
               rule="is_coordinator_open", seed="A4 §1.b.3")


def test_is_coordinator_open__allowed_to_waive_while_open() -> None:
    """Rule is_coordinator_open (A4 §1.b.3).

    Given a plan in joint review, when its municipality waives the coordinator, then the
    waiver is on record and approval needs no coordinator review.
    """
    run = plan_in("joint_review", coordinator="waived")
    complete_joint_review(run)
    run.fire("approve_plan", INSURER)
    assert run.state == "approved"


# -- reviews, social domain, commitments, joint feedback -------------------------------------------


def test_has_verdict__refused_without_a_known_verdict() -> None:
    """Rule has_verdict (A4 §1.3; DESIGN.md "Payloads": positive, negative or conditional).

    Given a plan in joint review, when the second insurer reviews with verdict 'maybe', then
    it is refused, by the payload schema that allows the three verdicts alone, naming the
    field, and no review is recorded.
    """
    run = plan_in("joint_review")
    refusal = run.refuse("submit_review", SECOND, {"verdict": "maybe"},
                         rule="payload_matches_schema", seed="A4 §1.3")
    assert refusal.message.startswith("verdict must be one of positive, negative, conditional")
    assert run.plan.facts["reviews"] == {}


@pytest.mark.parametrize("verdict", ["positive", "negative", "conditional"])
def test_has_verdict__allowed_for_each_verdict(verdict: str) -> None:
    """Rule has_verdict (A4 §1.3: the second insurer reviews in parallel).

    Given a plan in joint review, when the second insurer reviews with this verdict, then the
    review is recorded with it and the plan stays in joint review.
    """
    run = plan_in("joint_review")
    run.fire("submit_review", SECOND, {"verdict": verdict})
    assert run.state == "joint_review"
    assert run.plan.facts["reviews"][f"second_insurer:{SECOND.org}"]["verdict"] == verdict


@pytest.mark.parametrize("trigger", ["approve_social_domain_parts", "decline_social_domain_parts"])
def test_is_social_domain_plan__refused_for_a_plan_without_social_domain(trigger: str) -> None:
    """Rule is_social_domain_plan (A4 §1.b.1: the municipality approves the parts that
    concern the social domain).

    Given a plan without social-domain parts in joint review, when the municipality approves
    or declines social-domain parts, then it is refused.
    """
    run = plan_in("joint_review", social_domain=False)
    payload = {"reason": "n.v.t."} if trigger == "decline_social_domain_parts" else {}
    run.refuse(trigger, ENSCHEDE, payload, rule="is_social_domain_plan", seed="A4 §1.b.1")


def test_is_social_domain_plan__allowed_for_a_social_domain_plan() -> None:
    """Rule is_social_domain_plan (A4 §1.b.1).

    Given a social-domain plan in joint review, when the municipality approves the
    social-domain parts, then the explicit approval is on record.
    """
    run = plan_in("joint_review", social_domain=True)
    run.fire("approve_social_domain_parts", ENSCHEDE)
    assert run.plan.facts["social_domain_approval"] is True


def test_decline_social_domain_parts__refused_without_reason() -> None:
    """Rule has_reason (A4 §1.b.1; DESIGN.md "Payloads": decline carries a reason).

    Given a social-domain plan in joint review, when the municipality declines with a blank
    reason, then it is refused (without one at all, by the payload schema); with a reason the
    decline is on record.
    """
    run = plan_in("joint_review", social_domain=True)
    run.refuse("decline_social_domain_parts", ENSCHEDE, {"reason": ""}, rule="has_reason",
               seed="A4 §1.b.1")
    run.refuse("decline_social_domain_parts", ENSCHEDE, rule="payload_matches_schema",
               seed="A4 §1.b.1")
    run.fire("decline_social_domain_parts", ENSCHEDE, {"reason": "Structurele kosten"})
    assert run.plan.facts["social_domain_approval"] is False


def test_is_not_committed_yet__refused_for_a_second_commitment() -> None:
    """Rule is_not_committed_yet (A4 §1.b.1: every party commits demonstrably, once).

    Given a plan in joint review to which ZGT committed, when ZGT commits again, then it is
    refused; the commitment is on record once.
    """
    run = plan_in("joint_review")
    run.fire("record_commitment", HOSPITAL)
    run.refuse("record_commitment", HOSPITAL, rule="is_not_committed_yet", seed="A4 §1.b.1")
    assert run.plan.facts["commitments"] == [HOSPITAL.org]


def test_has_both_insurer_reviews__refused_sharing_feedback_before_the_second_review() -> None:
    """Rule has_both_insurer_reviews (A4 §1.3.2: one joint feedback of the coordinating and
    the second insurer).

    Given a plan reviewed by the coordinating insurer only, when the joint feedback is shared,
    then it is refused; after the second insurer's review it is shared.
    """
    run = plan_in("joint_review")
    run.fire("submit_review", INSURER, {"verdict": "positive"})
    run.refuse("share_joint_feedback", INSURER, rule="has_both_insurer_reviews",
               seed="A4 §1.3.2")
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    run.fire("share_joint_feedback", INSURER)
    assert run.plan.facts["joint_feedback"] is True


# -- approve_plan: six conditions ------------------------------------------------------------------

APPROVAL_CASES = [
    pytest.param("coordinating_review", "has_both_insurer_reviews", "A4 §1.3",
                 id="no-coordinating-insurer-review"),
    pytest.param("second_review", "has_both_insurer_reviews", "A4 §1.3",
                 id="no-second-insurer-review"),
    pytest.param("municipality_review", "has_municipality_review_if_social_domain",
                 "A4 §1.b.2", id="no-municipality-review"),
    pytest.param("coordinator_review", "has_coordinator_review_if_assigned", "A4 §1.b.3",
                 id="no-coordinator-review"),
    pytest.param("social_domain_approval", "has_social_domain_approval", "A4 §1.b.1",
                 id="no-social-domain-approval"),
    pytest.param("commitment:ZGT", "has_all_commitments", "A4 §1.b.1",
                 id="no-commitment-of-one-party"),
    pytest.param("joint_feedback", "has_joint_feedback", "A4 §1.3.2", id="no-joint-feedback"),
]


@pytest.mark.parametrize(("skip", "rule", "seed"), APPROVAL_CASES)
def test_approve_plan__refused_without_each_condition(skip: str, rule: str, seed: str) -> None:
    """Rules of approve_plan (DESIGN.md "Joint review"; A4 §1.3, §1.3.2, §1.b.1–§1.b.3).

    Given a social-domain plan with an assigned regional coordinator in joint review where
    everything approval needs was done except this one condition, when the coordinating
    insurer approves, then it is refused by that condition's rule and nothing changes.
    """
    run = plan_in("joint_review", social_domain=True, coordinator="assigned")
    complete_joint_review(run, skip=[skip])
    refusal = run.refuse("approve_plan", INSURER, rule=rule, seed=seed)
    if skip.startswith("commitment:"):
        assert HOSPITAL.org in refusal.reason
    assert run.state == "joint_review"


def test_approve_plan__refused_when_the_municipality_declined_social_domain_parts() -> None:
    """Rule has_social_domain_approval (A4 §1.b.1: without the municipality's approval the
    integral plan cannot be approved).

    Given a social-domain plan where everything was done but the municipality declined the
    social-domain parts, when the insurer approves, then it is refused.
    """
    run = plan_in("joint_review", social_domain=True)
    complete_joint_review(run, skip=["social_domain_approval"])
    run.fire("decline_social_domain_parts", ENSCHEDE, {"reason": "Structurele kosten"})
    run.refuse("approve_plan", INSURER, rule="has_social_domain_approval", seed="A4 §1.b.1")


def test_approve_plan__allowed_with_all_six_conditions() -> None:
    """Rules of approve_plan (DESIGN.md "Joint review"; A4 §1.3, §1.b).

    Given a social-domain plan with an assigned coordinator where both insurers, the
    municipality and the coordinator reviewed, the municipality approved the social-domain
    parts, every party committed and the joint feedback was shared, when the insurer
    approves, then the plan is approved and plan_decision is met.
    """
    run = plan_in("joint_review", social_domain=True, coordinator="assigned")
    complete_joint_review(run)
    run.fire("approve_plan", INSURER)
    assert run.state == "approved"
    assert run.plan.deadlines["plan_decision"].status == "met"


def test_approve_plan__allowed_without_municipal_parts_for_a_plain_plan() -> None:
    """Rules of approve_plan: the municipality's review and approval are needed only for a
    social-domain plan, the coordinator's only when assigned (A4 §1.b.1–§1.b.3).

    Given a plan without social domain and without a coordinator, reviewed by both insurers,
    committed by every party and with joint feedback, when the insurer approves, then it is.
    """
    run = plan_in("joint_review", social_domain=False)
    complete_joint_review(run)
    assert {r["role"] for r in run.plan.facts["reviews"].values()} == {
        "coordinating_insurer", "second_insurer"}
    run.fire("approve_plan", INSURER)
    assert run.state == "approved"


def test_has_all_commitments__needs_a_joined_municipality_too() -> None:
    """Rule has_all_commitments (A4 §1.b.1: all involved parties commit before approval).

    Given a plan Hengelo joined as financier, where every other party committed, when the
    insurer approves, then it is refused naming Hengelo; after Hengelo commits it is approved.
    """
    run = plan_in("joint_review", join=[HENGELO])
    complete_joint_review(run, skip=[f"commitment:{HENGELO.org}"])
    refusal = run.refuse("approve_plan", INSURER, rule="has_all_commitments",
                         seed="A4 §1.b.1")
    assert HENGELO.org in refusal.reason
    run.fire("record_commitment", HENGELO)
    run.fire("approve_plan", INSURER)
    assert run.state == "approved"


# -- after the review ------------------------------------------------------------------------------


def test_request_revision__refused_without_reason() -> None:
    """Rule has_reason (A4 §1.5.3; DESIGN.md "Payloads": request_revision carries a reason).

    Given a plan in joint review, when the insurer requests a revision with a blank reason,
    then it is refused (without one at all, by the payload schema).
    """
    run = plan_in("joint_review")
    run.refuse("request_revision", INSURER, {"reason": "  "}, rule="has_reason",
               seed="A4 §1.5.3")
    run.refuse("request_revision", INSURER, rule="payload_matches_schema", seed="A4 §1.5.3")


def test_request_revision__allowed_and_the_revised_plan_is_reviewed_afresh() -> None:
    """request_revision (DESIGN.md "Main lifecycle"; A4 §1.5.3).

    Given a reviewed plan in joint review, when the insurer requests a revision with a reason,
    then the plan is back in preparation, plan_decision is met, and the resubmitted plan
    needs new reviews before approval.
    """
    run = plan_in("joint_review")
    complete_joint_review(run)
    run.fire("request_revision", INSURER, {"reason": "KPI's scherper"})
    assert run.state == "plan_in_preparation"
    assert run.plan.deadlines["plan_decision"].status == "met"
    run.fire("submit_plan", MAKER, IMPACT)
    run.fire("accept_plan_as_complete", INSURER)
    run.refuse("approve_plan", INSURER, rule="has_both_insurer_reviews", seed="A4 §1.3")


def test_reject_plan__refused_without_reason() -> None:
    """Rule has_reason (A4 §1.5.3; DESIGN.md "Payloads": reject_* carries a reason).

    Given a plan in joint review, when the insurer rejects it without a reason, then it is
    refused; with a reason the plan is rejected.
    """
    run = plan_in("joint_review")
    run.refuse("reject_plan", INSURER, {"reason": "  "}, rule="has_reason", seed="A4 §1.5.3")
    run.fire("reject_plan", INSURER, {"reason": "Onvoldoende impact"})
    assert run.state == "rejected"


# -- other financiers (A4 §1.a.1) -----------------------------------------------------------------


def test_is_new_financier__refused_for_a_municipality_that_takes_part() -> None:
    """Rule is_new_financier (A4 §1.a.1: the other financiers join from the first contact).

    Given a plan listing Enschede, when Enschede joins as financier, then it is refused; when
    Hengelo joins, it takes part.
    """
    run = plan_in("intent")
    run.refuse("join_as_financier", ENSCHEDE, rule="is_new_financier", seed="A4 §1.a.1")
    run.fire("join_as_financier", HENGELO)
    assert run.plan.facts["joined"] == [{"org": HENGELO.org, "region": "Twente"}]
    run.refuse("join_as_financier", HENGELO, rule="is_new_financier", seed="A4 §1.a.1")


def test_join_as_financier__refused_once_the_plan_is_approved() -> None:
    """Rule allowed_in_state (A4 §1.a.1: financiers join while the plan is being made).

    Given an approved plan, when Hengelo joins as financier, then it is refused.
    """
    run = plan_in("approved")
    run.refuse("join_as_financier", HENGELO, rule="allowed_in_state", seed="A4 §1.a.1")


def test_has_financiers_if_domain_transcending__refused_without_a_financier() -> None:
    """Rule has_financiers_if_domain_transcending (A4 §1.a.1: for a domain-transcending plan
    the other financiers join from the first contact).

    Given a domain-transcending plan without any municipality, when the insurer holds the
    start meeting or the plan maker submits the quick test, then both are refused.
    """
    run = register(domain_transcending=True, municipalities=[])
    run.refuse("hold_start_meeting", INSURER, rule="has_financiers_if_domain_transcending",
               seed="A4 §1.a.1")
    run.fire("agree_character", INSURER, {"character": "innovation"})
    run.refuse("submit_quick_test", MAKER, rule="has_financiers_if_domain_transcending",
               seed="A4 §1.a.1")


def test_has_financiers_if_domain_transcending__allowed_after_a_municipality_joined() -> None:
    """Rule has_financiers_if_domain_transcending (A4 §1.a.1).

    Given a domain-transcending plan without municipalities, when Hengelo joins as financier,
    then the start meeting is held and the quick test submitted.
    """
    run = register(domain_transcending=True, municipalities=[])
    run.fire("join_as_financier", HENGELO)
    run.fire("hold_start_meeting", INSURER)
    run.fire("agree_character", INSURER, {"character": "innovation"})
    run.fire("submit_quick_test", MAKER)
    assert run.state == "quick_test_submitted"


def test_has_financiers_if_domain_transcending__a_listed_municipality_counts() -> None:
    """Rule has_financiers_if_domain_transcending (A4 §1.a.1).

    Given a domain-transcending plan that listed Enschede at registration, when the insurer
    holds the start meeting, then it is held.
    """
    run = register(domain_transcending=True)
    run.fire("hold_start_meeting", INSURER)
    assert run.state == "start_meeting_held"


def test_join_as_financier__by_a_municipality_of_another_region() -> None:
    """join_as_financier (DESIGN.md "Payloads": the actor's org joins, with its region).

    Given a registered plan, when a municipality of another region joins, then it is recorded
    with its own region.
    """
    run = plan_in("intent")
    run.fire("join_as_financier", Actor("municipality", "Gemeente Zwolle", "IJsselland"))
    assert run.plan.facts["joined"][-1] == {"org": "Gemeente Zwolle", "region": "IJsselland"}
