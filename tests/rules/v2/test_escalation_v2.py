"""DESIGN-v2.md "Escalation: three steps, an aim, a referral" (A4 §1.4)."""

from __future__ import annotations

from ..builders import ENSCHEDE, INSURER, MAKER, Run, escalated_to
from .builders import plan_in_v2

ISSUE = {"issue": "Geen overeenstemming over personeel"}


def _board_level() -> Run:
    return escalated_to("board_level", build=plan_in_v2)


def test_escalate__the_ladder_ends_at_board_level() -> None:
    """DESIGN-v2.md: none → bilateral → convened → board_level; v1's governance step is gone.

    Given an escalation at board level, when the coordinating insurer escalates further, then
    it is refused by allowed_in_state and the step stays board_level.
    """
    run = _board_level()
    run.refuse("escalate", INSURER, ISSUE, rule="allowed_in_state")
    assert run.escalation == "board_level"


def test_board_meeting__a_missed_aim_is_never_a_breach() -> None:
    """A4 §1.4.3 "het streven is om binnen twee weken": board_meeting has kind aim; its expiry
    is recorded as a missed aim, never as a breach.

    Given an escalation at board level, when the two weeks pass without a meeting, then the
    deadline_expired event is recorded, missed_aims lists board_meeting and breaches do not.
    """
    run = _board_level()
    events = run.expire(run.plan.deadlines["board_meeting"].expires_at)
    assert [e.payload["deadline"] for e in events] == ["board_meeting"]
    assert run.plan.missed_aims == ["board_meeting"]
    assert run.plan.breaches == []


def test_board_meeting__held_in_time_meets_the_aim() -> None:
    """A4 §1.4.3: a board meeting within two weeks meets the aim; nothing is missed."""
    run = _board_level()
    run.fire("hold_board_meeting", INSURER)
    run.expire(run.plan.deadlines["board_meeting"].expires_at)
    assert run.plan.deadlines["board_meeting"].status == "met"
    assert run.plan.missed_aims == []


def test_contact_board_level__a_plan_maker_only_after_the_missed_aim() -> None:
    """A4 §1.4.4: the contact list lets providers act themselves when the aim is not kept.

    Given an escalation at board level, when a plan maker contacts the board level before the
    two weeks passed, then it is refused; after the missed aim it is recorded, the step kept.
    """
    run = _board_level()
    run.refuse("contact_board_level", MAKER, {"contact": "Bestuurder ZGT"},
               rule="is_board_meeting_missed", seed="A4 §1.4.4")
    run.at = run.plan.deadlines["board_meeting"].expires_at
    run.fire("contact_board_level", MAKER, {"contact": "Bestuurder ZGT"})
    assert run.plan.facts["board_contacts"] == [{"contact": "Bestuurder ZGT",
                                                 "by": MAKER.org}]
    assert run.escalation == "board_level"


def test_refer_to_governance_group__at_convened_or_board_level_changes_no_step() -> None:
    """A4 §1.4.5: the problem goes to the bestuurlijke groep in generic terms; no step changes.

    Given an escalation at the bilateral step, the referral is refused; at convened it is
    recorded and the step stays convened.
    """
    run = escalated_to("bilateral", build=plan_in_v2)
    run.refuse("refer_to_governance_group", INSURER, ISSUE, rule="allowed_in_state",
               seed="A4 §1.4.5")
    run.fire("escalate", INSURER, ISSUE)
    run.fire("refer_to_governance_group", INSURER, ISSUE)
    assert run.escalation == "convened"
    assert run.plan.facts["referrals"][0]["issue"] == ISSUE["issue"]


def test_request_flying_brigade__any_party_while_escalation_is_open() -> None:
    """A4 §1.4.6: any party of the plan may ask the Vliegende Brigade at any moment
    escalation is open (the plan worked out or carried out, A4 §1.4.1).

    Given a plan in preparation without escalation, when a municipality asks the brigade,
    then it is recorded; during the quick test it is refused; without a question, refused.
    """
    run = plan_in_v2("plan_in_preparation")
    run.refuse("request_flying_brigade", ENSCHEDE, {"question": ""}, rule="has_question")
    run.fire("request_flying_brigade", ENSCHEDE, {"question": "Waar zit het knelpunt?"})
    assert run.plan.facts["flying_brigade_question"] == "Waar zit het knelpunt?"
    early = plan_in_v2("quick_test_under_review")
    early.refuse("request_flying_brigade", MAKER, {"question": "Waar?"},
                 rule="escalation_only_while_worked_out_or_carried_out", seed="A4 §1.4.1")
