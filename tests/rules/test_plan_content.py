"""What a submitted plan must contain (A4 §2.b.1 for the transformation track; MP for the
breakthrough track)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from .builders import IMPACT, INSURER, MAKER, modelplan_example, plan_in

IMPACT_SEED = "A4 §2.b.1"
MODELPLAN_SEED = "MP BE1–BE14"


def _impact(**changes: Any) -> dict[str, Any]:
    payload = copy.deepcopy(IMPACT)
    for key, value in changes.items():
        if value is None:
            payload["impact"].pop(key)
        else:
            payload["impact"][key] = value
    return payload


@pytest.mark.parametrize(
    ("missing", "payload"),
    [
        ("criteria", _impact(criteria=[])),
        ("criteria", _impact(criteria=None)),
        ("transition_goals", _impact(transition_goals=" ")),
        ("transition_goals", _impact(transition_goals=None)),
        ("regional_plan", _impact(regional_plan="")),
        ("regional_plan", _impact(regional_plan=None)),
        ("impact", {"kpis": ["plan delivered"]}),
    ],
    ids=["no-criterion", "criteria-absent", "blank-transition-goals",
         "no-transition-goals", "blank-regional-plan", "no-regional-plan", "no-impact"],
)
def test_has_impact_on_criteria__refused_without_each_item(
    missing: str, payload: dict[str, Any]
) -> None:
    """Rule has_impact_on_criteria (A4 §2.b.1: impact on at least one of the four criteria,
    and always on the transition goals and the regional plan).

    Given a transformation-track plan in preparation, when the plan maker submits it with one
    item of the impact missing, then it is refused naming that item and nothing changes.
    """
    run = plan_in("plan_in_preparation")
    refusal = run.refuse("submit_plan", MAKER, payload, rule="has_impact_on_criteria",
                         seed=IMPACT_SEED)
    assert missing in refusal.reason
    assert run.state == "plan_in_preparation"


def test_has_impact_on_criteria__refused_for_an_unknown_criterion() -> None:
    """Rule payload_matches_schema for submit_plan (A4 §1.5.2; the four criteria of A4 §2.b.1
    are the allowed values of `impact.criteria`).

    Given a transformation-track plan in preparation, when the plan maker submits it naming a
    criterion that is not one of the four, then it is refused naming the item and the four.
    """
    run = plan_in("plan_in_preparation")
    refusal = run.refuse("submit_plan", MAKER, _impact(criteria=["patient_satisfaction"]),
                         rule="payload_matches_schema", seed="A4 §1.5.2")
    assert refusal.message.startswith("impact.criteria[0] must be one of care_use")
    assert run.state == "plan_in_preparation"


@pytest.mark.parametrize(
    "criterion", ["care_use", "redistribution", "staff_deployment", "care_real_estate"]
)
def test_has_impact_on_criteria__allowed_with_one_criterion_goals_and_regional_plan(
    criterion: str,
) -> None:
    """Rule has_impact_on_criteria (A4 §2.b.1; the four criteria of the assessment
    framework, DESIGN.md "Plan content").

    Given a transformation-track plan in preparation, when the plan maker submits it with its
    impact on this one criterion, the transition goals and the regional plan, then the plan
    is submitted, its content on record, and plan_submission is met.
    """
    run = plan_in("plan_in_preparation")
    payload = _impact(criteria=[criterion])
    run.fire("submit_plan", MAKER, payload)
    assert run.state == "plan_submitted"
    assert run.plan.facts["content"]["impact"]["criteria"] == [criterion]
    assert run.plan.deadlines["plan_submission"].status == "met"


def test_has_impact_on_criteria__refused_on_resubmission_too() -> None:
    """Rule has_impact_on_criteria (A4 §2.b.1; A4 §1.5.3 resubmission).

    Given a plan sent back as incomplete, when the plan maker resubmits it without the
    regional plan, then it is refused; with it, the plan is submitted again.
    """
    run = plan_in("plan_incomplete")
    run.refuse("resubmit_plan", MAKER, _impact(regional_plan=None),
               rule="has_impact_on_criteria", seed=IMPACT_SEED)
    run.fire("resubmit_plan", MAKER, IMPACT)
    assert run.state == "plan_submitted"


def test_has_impact_on_criteria__not_asked_on_the_breakthrough_track() -> None:
    """Rule has_impact_on_criteria applies to the transformation track only (DESIGN.md
    "Plan content"; the breakthrough track has the modelplan instead).

    Given a breakthrough-track plan in preparation, when it is submitted with a complete
    modelplan and no impact section, then it is submitted.
    """
    run = plan_in("plan_in_preparation", track="breakthrough")
    run.fire("submit_plan", MAKER, {"modelplan": modelplan_example()})
    assert run.state == "plan_submitted"


def _incomplete_modelplan() -> dict[str, Any]:
    doc = modelplan_example()
    doc["basiseisen"]["3"] = ""
    doc["budget"][0]["year"] = 2029
    doc["applicants"] = doc["applicants"][:1]
    doc["joint_application_exemption"] = None
    return doc


def test_has_complete_modelplan__refused_with_findings_for_an_incomplete_modelplan() -> None:
    """Rule has_complete_modelplan (MP BE1–BE14: every basiseis addressed; BE4 budget only in
    2027–2028; BE12 a joint application of two or more parties).

    Given a breakthrough-track plan in preparation, when the plan maker submits a modelplan
    with basiseis 3 empty, a 2029 budget line and one applicant without an exemption, then it
    is refused and the refusal lists each finding with its basiseis; nothing changes.
    """
    run = plan_in("plan_in_preparation", track="breakthrough")
    refusal = run.refuse("submit_plan", MAKER, {"modelplan": _incomplete_modelplan()},
                         rule="has_complete_modelplan", seed=MODELPLAN_SEED)
    found = " ".join(refusal.details)
    assert "BE3 basiseisen.3" in found
    assert "BE4 budget[0].year" in found
    assert "BE12 applicants" in found


def test_has_complete_modelplan__refused_without_a_modelplan() -> None:
    """Rule has_complete_modelplan (MP; DESIGN.md "Payloads": breakthrough carries
    {"modelplan": {...}}).

    Given a breakthrough-track plan in preparation, when the plan maker submits only a
    transformation-track impact section, then it is refused.
    """
    run = plan_in("plan_in_preparation", track="breakthrough")
    run.refuse("submit_plan", MAKER, IMPACT, rule="has_complete_modelplan",
               seed=MODELPLAN_SEED)


def test_has_complete_modelplan__allowed_for_a_complete_modelplan() -> None:
    """Rule has_complete_modelplan (MP BE1–BE14).

    Given a breakthrough-track plan in preparation, when the plan maker submits the complete
    example modelplan, then the plan is submitted with the modelplan on record.
    """
    run = plan_in("plan_in_preparation", track="breakthrough")
    doc = modelplan_example()
    run.fire("submit_plan", MAKER, {"modelplan": doc})
    assert run.state == "plan_submitted"
    assert run.plan.facts["content"]["modelplan"]["title"] == doc["title"]


def test_has_complete_modelplan__refused_when_an_exemption_is_not_argued() -> None:
    """Rule has_complete_modelplan (MP BE12: a single applicant needs an argued exemption).

    Given a breakthrough plan with one applicant, when submitted without an exemption it is
    refused; with an argued exemption and its budget moved to that applicant, it is accepted.
    """
    run = plan_in("plan_in_preparation", track="breakthrough")
    doc = modelplan_example()
    doc["applicants"] = doc["applicants"][:1]
    doc["joint_application_exemption"] = None
    for line in doc["budget"]:
        line["provider"] = doc["applicants"][0]["org"]
    run.refuse("submit_plan", MAKER, {"modelplan": doc}, rule="has_complete_modelplan",
               seed=MODELPLAN_SEED)
    doc["joint_application_exemption"] = "Geen andere aanbieder in de regio biedt deze zorg."
    run.fire("submit_plan", MAKER, {"modelplan": doc})
    assert run.state == "plan_submitted"


def test_accept_plan_as_complete__starts_the_joint_review() -> None:
    """A4 §1.5.3: a decision within 8 weeks of the complete plan.

    Given a submitted plan, when the insurer accepts it as complete, then it is in joint
    review and plan_decision runs.
    """
    run = plan_in("plan_submitted")
    run.fire("accept_plan_as_complete", INSURER)
    assert run.state == "joint_review"
    assert run.plan.deadlines["plan_decision"].is_open
