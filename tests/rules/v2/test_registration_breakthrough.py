"""DESIGN-v2.md "Monitoring fields" (A4 §4), "Breakthrough track" (MP) and "Citations"."""

from __future__ import annotations

import pytest

from states import settings
from workflow.core.errors import Refused

from ...modelplan.v2_support import LINDEBOOM, NOORDERHAVEN, example_v2, renamed
from ..builders import HOSPITAL, INSURER, MAKER, modelplan_example, registration
from .builders import DEFINITION, ENGINE, register_v2
from .builders import plan_in_v2 as plan_in

MODELPLAN_INCOMPLETE = {"modelplan": {"applicants": []}}


def test_register_plan__sector_and_provider_size_are_optional_and_listed() -> None:
    """DESIGN-v2.md "Monitoring fields": register_plan takes a sector of the shipped list and
    a provider_size (small | large) per party, both optional (A4 §4.a.1).

    Given a registration with sector ggz and a small provider it is registered; one with an
    unknown sector or size is refused by the payload rule naming the field.
    """
    parties = [{"org": MAKER.org, "role": "plan_maker", "provider_size": "small"},
               {"org": "ZGT", "role": "plan_maker"}]
    run = register_v2(sector="ggz", parties=parties)
    assert run.plan.attrs["sector"] == "ggz"
    assert "ggz" in settings.SECTORS and "other" in settings.SECTORS
    for bad in ({"sector": "kapper"}, {"parties": [{"org": MAKER.org, "provider_size": "xl"}]}):
        with pytest.raises(Refused) as refused:
            ENGINE.register("TW-BAD", MAKER, registration(**bad), run.at)
        assert refused.value.rule == "payload_matches_schema"


def test_grant_single_applicant__by_the_coordinating_insurer_on_the_breakthrough_track() -> None:
    """DESIGN-v2.md "Breakthrough track" (MP BE12): the exemption from the joint application
    is granted by the coordinating insurer with a reason, not claimed in the document.

    Given a breakthrough plan, a plan maker granting it is refused, a grant without reason is
    refused, and the insurer's grant sets single_applicant_granted; on the transformation
    track it is refused.
    """
    run = plan_in("intent", track="breakthrough")
    run.refuse("grant_single_applicant", MAKER, {"reason": "Alleen"}, rule="role_may_fire")
    run.refuse("grant_single_applicant", INSURER, {"reason": " "}, rule="has_reason",
               seed="MP BE12")
    run.fire("grant_single_applicant", INSURER, {"reason": "Eén aanbieder in de regio"})
    assert run.plan.attrs["single_applicant_granted"] is True
    run.refuse("grant_single_applicant", INSURER, {"reason": "Nogmaals"},
               rule="is_single_applicant_open")
    plan_in("intent").refuse("grant_single_applicant", INSURER, {"reason": "Alleen"},
                             rule="is_breakthrough_plan", seed="MP BE12")


def test_submit_plan__a_breakthrough_plan_is_checked_against_the_modelplan() -> None:
    """DESIGN-v2.md "Breakthrough track" (MP BE1–BE14): submit_plan on the breakthrough track
    runs the modelplan checks (states/modelplan_v2.py).

    Given a breakthrough plan in preparation, an empty modelplan is refused by
    has_complete_modelplan, and so is v1's example (no business case in figures, BE2); the
    v2 example, its applicants the plan's parties, is submitted.
    """
    run = plan_in("plan_in_preparation", track="breakthrough")
    run.refuse("submit_plan", MAKER, MODELPLAN_INCOMPLETE, rule="has_complete_modelplan",
               seed="MP BE1–BE14")
    refused = run.refuse("submit_plan", MAKER, {"modelplan": modelplan_example()},
                         rule="has_complete_modelplan", seed="MP BE1–BE14")
    assert "BE2 business_case" in refused.reason
    names = {NOORDERHAVEN: MAKER.org, LINDEBOOM: HOSPITAL.org}
    run.fire("submit_plan", MAKER, {"modelplan": example_v2(renamed(names))})
    assert run.state == "plan_submitted"


def _seeds(trigger: str) -> set[str]:
    return {t.seed for t in DEFINITION.all_transitions() if t.trigger == trigger}


def _guard_seed(name: str) -> set[str]:
    return {g.seed for t in DEFINITION.all_transitions() for g in t.guards if g.name == name}


@pytest.mark.parametrize(("trigger", "seed"), [
    ("extend_deadline", "azwa"), ("withdraw", "azwa"), ("request_revision", "azwa"),
    ("close_lapsed", "azwa"), ("accept_quick_test_as_complete", "azwa"),
    ("accept_plan_as_complete", "azwa"), ("contact_board_level", "A4 §1.4.4"),
    ("refer_to_governance_group", "A4 §1.4.5"), ("request_flying_brigade", "A4 §1.4.6"),
])
def test_citations__corrected_in_v2(trigger: str, seed: str) -> None:
    """DESIGN-v2.md "Citations": every rule cites the paragraph its sentence is in; the rules
    the seeds do not state (withdrawal, lapse, the acceptance acts, extension, revision) cite
    azwa."""
    assert _seeds(trigger) == {seed}


def test_citations__kpis_and_the_missed_aim() -> None:
    """DESIGN-v2.md "Citations": has_valid_kpis cites A4 §3.a.5 (was §1.6.2), and the missed
    board meeting is judged under A4 §1.4.4, the paragraph of the contact list."""
    assert _guard_seed("has_valid_kpis") == {"A4 §3.a.5"}
    assert _guard_seed("is_board_meeting_missed") == {"A4 §1.4.4"}
    assert not _guard_seed("is_board_meeting_expired")
