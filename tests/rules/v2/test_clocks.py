"""DESIGN-v2.md "Clocks start when the complete document is received" (A4 §1.5.1, §1.5.3)."""

from __future__ import annotations

from datetime import date, timedelta

from ..builders import INSURER, MAKER, SECOND, local
from .builders import plan_in_v2

DAY = timedelta(days=1)


def test_quick_test_decision__runs_from_the_receipt_of_the_complete_quick_test() -> None:
    """A4 §1.5.1 "binnen 4 weken na ontvangst van een complete aanvraag".

    Given a quick test submitted on 1 February 2027 and accepted as complete on 10 February,
    then quick_test_decision is due 4 weeks after 1 February (1 March), not after 10 February.
    """
    run = plan_in_v2("intent")
    run.fire("agree_character", INSURER, {"character": "innovation"})
    run.fire("submit_quick_test", MAKER, at=local(2027, 2, 1))
    run.fire("accept_quick_test_as_complete", INSURER, at=local(2027, 2, 10))
    deadline = run.plan.deadlines["quick_test_decision"]
    assert deadline.due == date(2027, 3, 1)
    assert deadline.started_at == "2027-02-01T09:00:00+01:00"


def test_quick_test_decision__runs_from_the_resubmission_that_turned_out_complete() -> None:
    """A4 §1.5.1: a request_information stops nothing; the clock starts at the resubmission
    of the complete version.

    Given a quick test submitted 1 February, found incomplete, resubmitted 15 February and
    accepted 16 February, then the decision is due 15 March (4 weeks after the resubmission).
    """
    run = plan_in_v2("intent")
    run.fire("agree_character", INSURER, {"character": "innovation"})
    run.fire("submit_quick_test", MAKER, at=local(2027, 2, 1))
    run.fire("request_information", INSURER, {"missing": ["begroting"]}, at=local(2027, 2, 3))
    assert "quick_test_decision" not in run.plan.deadlines
    run.fire("resubmit_quick_test", MAKER, at=local(2027, 2, 15))
    run.fire("accept_quick_test_as_complete", INSURER, at=local(2027, 2, 16))
    assert run.plan.deadlines["quick_test_decision"].due == date(2027, 3, 15)


def test_quick_test_decision__already_expired_at_acceptance_expires_at_once() -> None:
    """A4 §1.5.1: a deadline already expired at acceptance produces deadline_expired at once.

    Given a quick test submitted 1 February 2027 and accepted only on 10 March (after the due
    1 March), when it is accepted, then the same command records deadline_expired and the
    breach; a quick test accepted within the 4 weeks has none.
    """
    run = plan_in_v2("intent")
    run.fire("agree_character", INSURER, {"character": "innovation"})
    run.fire("submit_quick_test", MAKER, at=local(2027, 2, 1))
    late = run.clone()
    events = late.fire("accept_quick_test_as_complete", INSURER, at=local(2027, 3, 10))
    assert [e.trigger for e in events] == ["accept_quick_test_as_complete", "deadline_expired"]
    assert events[1].payload == {"deadline": "quick_test_decision", "due": "2027-03-01"}
    assert events[1].at == events[0].at
    assert late.plan.breaches == ["quick_test_decision"]
    in_time = run.fire("accept_quick_test_as_complete", INSURER, at=local(2027, 3, 1, 23))
    assert [e.trigger for e in in_time] == ["accept_quick_test_as_complete"]
    assert run.plan.breaches == []


def test_plan_decision__runs_from_the_receipt_of_the_complete_plan() -> None:
    """A4 §1.5.3 "binnen 8 weken na ontvangst van het complete transformatieplan".

    Given a plan submitted and accepted as complete 3 weeks later, then plan_decision is due
    8 weeks after the submission.
    """
    run = plan_in_v2("plan_submitted")
    submitted = run.at
    run.fire("accept_plan_as_complete", INSURER, at=submitted + 21 * DAY)
    assert run.plan.deadlines["plan_decision"].due == (submitted + 56 * DAY).date()


def test_request_revision__leaves_plan_decision_running_and_restarts_nothing() -> None:
    """DESIGN-v2.md: request_revision is not a decision; plan_decision keeps running from the
    first complete plan and plan_submission does not start again (A4 §1.5.3).

    Given a plan in joint review, when the coordinating insurer requests a revision, then
    plan_decision stays open with its due day; after the revised plan is submitted and
    accepted again, the decision is still due on that first day and plan_submission is met.
    """
    run = plan_in_v2("joint_review")
    due = run.plan.deadlines["plan_decision"].due
    run.fire("request_revision", INSURER, {"reason": "KPI's scherper"})
    assert run.state == "plan_in_preparation"
    assert run.plan.deadlines["plan_decision"].is_open
    assert run.plan.deadlines["plan_submission"].status == "met"
    run.fire("submit_plan", MAKER, {"impact": {"criteria": ["care_use"],
                                               "transition_goals": "Zorg dichtbij",
                                               "regional_plan": "Regioplan Twente"}},
             at=run.at + 20 * DAY)
    run.fire("accept_plan_as_complete", INSURER)
    assert run.plan.deadlines["plan_decision"].due == due
    assert run.plan.deadlines["plan_submission"].status == "met"


def test_request_revision__does_not_meet_the_decision_deadline() -> None:
    """DESIGN-v2.md (v1 counted a revision request as meeting the deadline; v2 does not).

    Given a plan whose revision was requested, when the 8 weeks pass without a decision, then
    plan_decision is a breach.
    """
    run = plan_in_v2("joint_review")
    run.fire("request_revision", INSURER, {"reason": "KPI's scherper"})
    expires = run.plan.deadlines["plan_decision"].expires_at
    run.expire(expires)
    assert run.plan.breaches == ["plan_decision"]


def test_extend_deadline__refused_for_the_deciding_partys_own_decision_deadline() -> None:
    """DESIGN-v2.md: the deciding party cannot move its own decision deadlines (A4 §1.5.3).

    Given a quick test under review, when the coordinating insurer extends
    quick_test_decision, then it is refused by is_movable_deadline and nothing changes.
    """
    run = plan_in_v2("quick_test_under_review")
    run.refuse("extend_deadline", INSURER, {"deadline": "quick_test_decision",
                                            "until": "2027-06-30", "reason": "Drukte"},
               rule="is_movable_deadline", seed="A4 §1.5.3")
    review = plan_in_v2("joint_review")
    review.refuse("extend_deadline", INSURER, {"deadline": "plan_decision",
                                               "until": "2027-12-31", "reason": "Drukte"},
                  rule="is_movable_deadline")


def test_extend_deadline__allowed_for_plan_submission_and_a_kpi() -> None:
    """DESIGN-v2.md: extend_deadline applies to plan_submission and kpi:<id> (with a reason).

    Given a plan in preparation and a plan in implementation, when the coordinating insurer
    extends plan_submission and kpi:k1, then each moves to the new day.
    """
    run = plan_in_v2("plan_in_preparation")
    run.fire("extend_deadline", INSURER, {"deadline": "plan_submission", "until": "2027-12-31",
                                          "reason": "Zomerstop"})
    assert run.plan.deadlines["plan_submission"].due == date(2027, 12, 31)
    impl = plan_in_v2("in_implementation")
    impl.fire("extend_deadline", INSURER, {"deadline": "kpi:k1", "until": "2027-09-30",
                                           "reason": "Later opgeleverd"})
    assert impl.plan.deadlines["kpi:k1"].due == date(2027, 9, 30)


def test_quick_test__decided_after_the_second_insurers_review() -> None:
    """DESIGN-v2.md: one assessment; the coordinating insurer decides the quick test after
    submit_review by the second insurer (A4 §1.3.2).

    Given a quick test under review, when the coordinating insurer approves it before the
    second insurer reviewed, then it is refused; after the review it is approved.
    """
    run = plan_in_v2("quick_test_under_review")
    run.refuse("approve_quick_test", INSURER, rule="has_second_insurer_quick_test_review",
               seed="A4 §1.3.2")
    run.refuse("reject_quick_test", INSURER, {"reason": "Geen impact"},
               rule="has_second_insurer_quick_test_review")
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    run.fire("approve_quick_test", INSURER)
    assert run.state == "plan_in_preparation"
    assert run.plan.facts["reviews"] == {}
