"""DESIGN-v2.md "One joint assessment; a negative verdict blocks approval" (A4 §1.3.2, §1.b),
"Regional coordinator: co-assesses unless waived" (A4 §1.b.3), "Commitment" (A4 §1.b.1) and
"Other financiers" (A4 §1.a.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from states import settings
from workflow.core.spec import Actor

from ..builders import (
    COORDINATOR,
    COORDINATOR_ASSIGNMENT,
    ENSCHEDE,
    HENGELO,
    INSURER,
    MAKER,
    SECOND,
)
from .builders import CONDITIONAL, complete_joint_review, plan_in_v2

CARE = Actor("care_office", "Zorgkantoor Twente", "Twente")


def test_submit_review__a_conditional_verdict_names_its_conditions() -> None:
    """DESIGN-v2.md: a verdict is positive, conditional (with conditions) or negative.

    Given a plan in joint review, when the second insurer gives a conditional verdict without
    conditions, then it is refused; with conditions it is recorded with them.
    """
    run = plan_in_v2("joint_review")
    run.refuse("submit_review", SECOND, {"verdict": "conditional"},
               rule="has_conditions_if_conditional", seed="A4 §1.3")
    run.fire("submit_review", SECOND, CONDITIONAL)
    review = run.plan.facts["reviews"][f"second_insurer:{SECOND.org}"]
    assert review["conditions"] == CONDITIONAL["conditions"]


def test_submit_review__a_second_review_replaces_the_first_as_a_revision() -> None:
    """DESIGN-v2.md: a second submit_review by the same organisation replaces its verdict and
    is recorded as a revision of it, never silently.

    Given a negative review by the second insurer, when it reviews again positively, then the
    verdict is positive with the negative one under revisions; a `replaces` naming another
    verdict than the standing one is refused.
    """
    run = plan_in_v2("joint_review")
    run.fire("submit_review", SECOND, {"verdict": "negative"})
    run.refuse("submit_review", SECOND, {"verdict": "positive", "replaces": "conditional"},
               rule="names_replaced_verdict_if_given")
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    review = run.plan.facts["reviews"][f"second_insurer:{SECOND.org}"]
    assert review["verdict"] == "positive"
    assert [r["verdict"] for r in review["revisions"]] == ["negative"]


@pytest.mark.parametrize(("who", "options"), [
    (SECOND, {}),
    (INSURER, {}),
    (ENSCHEDE, {"social_domain": True}),
    (COORDINATOR, {"coordinator": "assigned"}),
], ids=["second insurer", "coordinating insurer", "municipality, social domain",
        "assigned coordinator"])
def test_approve_plan__refused_while_a_negative_verdict_stands(
    who: Actor, options: dict[str, object]
) -> None:
    """DESIGN-v2.md: approve_plan needs no negative verdict from either insurer, from a
    participating municipality on a social-domain plan, or from the assigned coordinator.

    Given a plan ready for approval, when that reviewer's verdict turns negative, then
    approve_plan is refused by has_no_negative_verdict; request_revision is still allowed.
    """
    run = complete_joint_review(plan_in_v2("joint_review", **options))
    run.fire("submit_review", who, {"verdict": "negative"})
    refusal = run.refuse("approve_plan", INSURER, rule="has_no_negative_verdict",
                         seed="A4 §1.3.2, §1.b")
    assert who.org in refusal.reason
    rejected = run.clone()
    rejected.fire("reject_plan", INSURER, {"reason": "Negatief oordeel"})
    assert rejected.state == "rejected"
    run.fire("request_revision", INSURER, {"reason": "Negatief oordeel"})
    assert run.state == "plan_in_preparation"


def test_approve_plan__a_municipalitys_negative_verdict_outside_the_social_domain() -> None:
    """DESIGN-v2.md: a municipality's negative verdict blocks only a social-domain plan.

    Given a plan without social-domain parts ready for approval, when the municipality
    reviews negatively, then the plan is approved all the same.
    """
    run = complete_joint_review(plan_in_v2("joint_review"))
    run.fire("submit_review", ENSCHEDE, {"verdict": "negative"})
    run.fire("approve_plan", INSURER)
    assert run.state == "approved"


def test_regional_coordinator__required_unless_every_municipality_waives() -> None:
    """A4 §1.b.3 as DESIGN-v2.md reads it: the coordinator's review is required by default;
    dropped only when every participating municipality waived.

    Given a plan with two participating municipalities and everything else done, when only
    Enschede waived, then approval is refused; when Hengelo waives too, it is approved.
    """
    run = complete_joint_review(plan_in_v2("joint_review", join=[HENGELO]),
                                skip=["commitments"])
    for actor in (MAKER, Actor("plan_maker", "ZGT", "Twente"), ENSCHEDE, HENGELO):
        run.fire("record_commitment", actor)
    assert run.plan.facts["coordinator_waivers"] == [ENSCHEDE.org, HENGELO.org]
    partial = plan_in_v2("joint_review", join=[HENGELO])
    partial.options["coordinator"] = "none"
    partial.fire("waive_regional_coordinator", ENSCHEDE)
    complete_joint_review(partial)
    partial.refuse("approve_plan", INSURER, rule="has_coordinator_review_unless_waived",
                   seed="A4 §1.b.3")
    partial.fire("waive_regional_coordinator", HENGELO)
    partial.fire("approve_plan", INSURER)
    run.fire("approve_plan", INSURER)
    assert (partial.state, run.state) == ("approved", "approved")


def test_regional_coordinator__assigned_and_reviewed_allows_approval() -> None:
    """A4 §1.b.3: with a coordinator assigned, its review is what approval needs.

    Given a plan whose coordinator was assigned, when it has not reviewed, approval is
    refused; after its review the plan is approved.
    """
    run = complete_joint_review(plan_in_v2("joint_review", coordinator="assigned"),
                                skip=["coordinator_review"])
    run.refuse("approve_plan", INSURER, rule="has_coordinator_review_unless_waived")
    run.fire("submit_review", COORDINATOR, {"verdict": "positive"})
    run.fire("approve_plan", INSURER)
    assert run.state == "approved"


def test_regional_coordinator__not_needed_without_municipalities() -> None:
    """A4 §1.b.3: the coordinator assesses only plans municipalities take part in.

    Given a plan without participating municipalities, when it is approved without any
    coordinator, then it is approved.
    """
    run = complete_joint_review(plan_in_v2("joint_review", municipalities=[]))
    run.fire("approve_plan", INSURER)
    assert run.state == "approved"


@pytest.mark.parametrize("region", ["twente", "  TWENTE ", "Twente"])
def test_assign_regional_coordinator__own_region_compared_as_a_code(region: str) -> None:
    """DESIGN-v2.md: region names are compared as codes, case and surrounding spaces ignored
    (A4 §1.b.3: never a plan of its own region).

    Given a plan of region Twente, when a coordinator of region {region!r} is assigned, then
    it is refused; one of the Achterhoek is assigned.
    """
    run = plan_in_v2("joint_review")
    run.refuse("assign_regional_coordinator", ENSCHEDE, {"org": "RC", "region": region},
               rule="is_coordinator_from_other_region", seed="A4 §1.b.3")
    run.fire("assign_regional_coordinator", ENSCHEDE, COORDINATOR_ASSIGNMENT)
    assert run.plan.facts["regional_coordinator"]["org"] == COORDINATOR.org


def test_assign_regional_coordinator__refused_for_an_unknown_region() -> None:
    """DESIGN-v2.md: the known regions are a setting (azwa's own rule: a code from the list).

    Given a plan in joint review, when a coordinator of a region not in the list is assigned,
    then it is refused by is_known_region citing azwa.
    """
    run = plan_in_v2("joint_review")
    run.refuse("assign_regional_coordinator", ENSCHEDE, {"org": "RC", "region": "Atlantis"},
               rule="is_known_region", seed="azwa")


def test_known_regions__the_shipped_list_is_replaceable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DESIGN-v2.md: the known regions are a list shipped with the package, replaceable
    (AZWA_REGIONS_FILE).

    Given a file listing Atlantis, when the setting names it, then Atlantis is known and
    Twente no longer is; without the setting the shipped list holds.
    """
    assert "twente" in settings.known_regions()
    path = tmp_path / "regions.txt"
    path.write_text("Atlantis\n\n  Lemurië \n", encoding="utf-8")
    monkeypatch.setenv("AZWA_REGIONS_FILE", str(path))
    settings.known_regions.cache_clear()
    try:
        assert settings.known_regions() == {"atlantis", "lemurië"}
    finally:
        settings.known_regions.cache_clear()


def test_waive_regional_coordinator__refused_for_a_care_office() -> None:
    """DESIGN-v2.md "Other financiers": only municipalities approve social-domain parts and
    waive the regional coordinator.

    Given a plan a care office joined, when the care office waives or approves the social
    domain, then it is refused by role_may_fire.
    """
    run = plan_in_v2("joint_review", join=[CARE], social_domain=True)
    run.refuse("waive_regional_coordinator", CARE, rule="role_may_fire")
    run.refuse("approve_social_domain_parts", CARE, rule="role_may_fire")


def test_record_commitment__every_party_and_financier_but_not_the_insurers() -> None:
    """DESIGN-v2.md "Commitment" (A4 §1.b.1): every party and participating municipality or
    other financier commits; the insurers do not.

    Given a plan a care office joined, when everything but the care office's commitment is
    done, approval is refused naming it; an insurer's commitment is refused; after the care
    office committed the plan is approved.
    """
    run = plan_in_v2("joint_review", join=[CARE])
    complete_joint_review(run, skip=[f"commitment:{CARE.org}"])
    refusal = run.refuse("approve_plan", INSURER, rule="has_all_commitments", seed="A4 §1.b.1")
    assert CARE.org in refusal.reason
    run.refuse("record_commitment", SECOND, rule="role_may_fire")
    run.fire("record_commitment", CARE)
    run.fire("approve_plan", INSURER)
    assert run.state == "approved"


def test_join_as_financier__municipality_or_care_office_of_its_own_kind() -> None:
    """DESIGN-v2.md "Other financiers" (A4 §1.a.1): join_as_financier takes kind municipality
    or care_office, the actor's own; a domain-transcending plan is served by a care office.

    Given a domain-transcending plan without financiers, when the start meeting is held it is
    refused; a care office joining as a municipality is refused; joined as care_office, the
    start meeting is held and the care office is on record with its kind and region.
    """
    run = plan_in_v2("intent", municipalities=[], domain_transcending=True)
    run.refuse("hold_start_meeting", INSURER, rule="has_financiers_if_domain_transcending",
               seed="A4 §1.a.1")
    run.refuse("join_as_financier", CARE, {"kind": "municipality"}, rule="is_own_kind")
    run.fire("join_as_financier", CARE, {"kind": "care_office"})
    run.refuse("join_as_financier", CARE, {"kind": "care_office"}, rule="is_new_financier")
    run.fire("hold_start_meeting", INSURER)
    assert run.plan.facts["joined"] == [{"org": CARE.org, "region": "Twente",
                                         "kind": "care_office"}]
