"""From intent to an approved quick test (A4 §1.a, §1.3.1, §1.5.1, §1.8.1)."""

from __future__ import annotations

from .builders import INSURER, MAKER, SECOND, plan_in, register


def test_has_agreed_character__refused_without_character() -> None:
    """Rule has_agreed_character (A4 §1.8.1: plan makers and insurer fix the character of
    the plan before the quick test).

    Given a registered plan whose character was not agreed, when the plan maker submits the
    quick test, then it is refused and nothing changes.
    """
    run = plan_in("intent")
    run.refuse("submit_quick_test", MAKER, rule="has_agreed_character", seed="A4 §1.8.1")
    assert run.state == "intent"


def test_has_agreed_character__allowed_with_character() -> None:
    """Rule has_agreed_character (A4 §1.8.1).

    Given a plan whose character was agreed as scaling, when the plan maker submits the
    quick test, then the quick test is submitted and the character is on record.
    """
    run = plan_in("intent")
    run.fire("agree_character", INSURER, {"character": "scaling"})
    run.fire("submit_quick_test", MAKER)
    assert run.state == "quick_test_submitted"
    assert run.plan.facts["character"] == "scaling"


def test_is_valid_character__refused_for_another_character() -> None:
    """Rule is_valid_character (A4 §1.8.1: innovation or scaling).

    Given a registered plan, when the insurer agrees the character 'pilot', then it is
    refused, by the payload schema that allows innovation and scaling alone, and no
    character is on record.
    """
    run = plan_in("intent")
    refusal = run.refuse("agree_character", INSURER, {"character": "pilot"},
                         rule="payload_matches_schema", seed="A4 §1.8.1")
    assert refusal.message.startswith("character must be one of innovation, scaling")
    assert run.plan.facts["character"] is None


def test_is_valid_character__allowed_for_innovation() -> None:
    """Rule is_valid_character (A4 §1.8.1).

    Given a registered plan, when the insurer agrees the character innovation, then it is
    recorded and the plan stays in intent.
    """
    run = plan_in("intent")
    run.fire("agree_character", INSURER, {"character": "innovation"})
    assert (run.state, run.plan.facts["character"]) == ("intent", "innovation")


def test_agree_character__refused_after_the_quick_test() -> None:
    """Rule allowed_in_state (A4 §1.8.1: the character is fixed before the quick test).

    Given a submitted quick test, when the insurer agrees another character, then it is
    refused and the agreed character stands.
    """
    run = plan_in("quick_test_submitted")
    run.refuse("agree_character", INSURER, {"character": "scaling"},
               rule="allowed_in_state", seed="A4 §1.8.1")
    assert run.plan.facts["character"] == "innovation"


def test_hold_start_meeting__recommended_not_required() -> None:
    """A4 §1.a.2: a start meeting is recommended, not required.

    Given a registered plan with an agreed character, when the plan maker submits the quick
    test without a start meeting, then it is accepted; a plan that held one may too.
    """
    run = plan_in("quick_test_submitted")
    assert "hold_start_meeting" not in run.triggers
    met = plan_in("quick_test_submitted", start_meeting=True)
    assert met.triggers[:2] == ["register_plan", "hold_start_meeting"]


def test_has_second_insurer__refused_without_second_insurer() -> None:
    """Rule has_second_insurer (A4 §1.3.1: the second insurer is involved from the start).

    Given a plan registered without a second insurer, when the coordinating insurer holds the
    start meeting, or the plan maker submits the quick test, then both are refused.
    """
    run = register(second_insurer=None)
    run.refuse("hold_start_meeting", INSURER, rule="has_second_insurer", seed="A4 §1.3.1")
    run.fire("agree_character", INSURER, {"character": "innovation"})
    run.refuse("submit_quick_test", MAKER, rule="has_second_insurer", seed="A4 §1.3.1")


def test_has_second_insurer__allowed_after_naming_one() -> None:
    """Rule has_second_insurer (A4 §1.3.1).

    Given a plan registered without a second insurer, when the coordinating insurer names
    one, then the start meeting is held and the named insurer reviews as second insurer.
    """
    run = register(second_insurer=None)
    run.fire("name_second_insurer", INSURER, {"org": SECOND.org})
    run.fire("hold_start_meeting", INSURER)
    assert run.state == "start_meeting_held"
    assert run.plan.facts["second_insurer"] == SECOND.org


def test_has_named_org__refused_naming_no_second_insurer() -> None:
    """Rule has_named_org (A4 §1.3.1).

    Given a registered plan, when the insurer names a second insurer without an org, then it
    is refused and the registered second insurer stays.
    """
    run = plan_in("intent")
    run.refuse("name_second_insurer", INSURER, {"org": " "}, rule="has_named_org",
               seed="A4 §1.3.1")
    assert run.plan.facts["second_insurer"] == SECOND.org


def test_has_missing_list__refused_without_saying_what_is_missing() -> None:
    """Rule has_missing_list (A4 §1.5.1: the decision term runs from a complete request).

    Given a submitted quick test, when the insurer asks for information without a list of
    what is missing, then it is refused.
    """
    run = plan_in("quick_test_submitted")
    run.refuse("request_information", INSURER, {"missing": []}, rule="has_missing_list",
               seed="A4 §1.5.1")


def test_has_missing_list__allowed_and_back_with_resubmission() -> None:
    """Rule has_missing_list (A4 §1.5.1).

    Given a submitted quick test, when the insurer asks for the budget per year, then the
    quick test is incomplete with that request on record, and the plan maker resubmits it.
    """
    run = plan_in("quick_test_submitted")
    run.fire("request_information", INSURER, {"missing": ["begroting per jaar"]})
    assert run.state == "quick_test_incomplete"
    assert run.plan.facts["information_requested"] == ["begroting per jaar"]
    run.fire("resubmit_quick_test", MAKER)
    assert run.state == "quick_test_submitted"


def test_accept_quick_test_as_complete__starts_the_decision_term() -> None:
    """A4 §1.5.1: a decision within 4 weeks of a complete quick test.

    Given a submitted quick test, when the insurer accepts it as complete, then it is under
    review and quick_test_decision runs; approving it starts plan_submission (A4 §1.5.2).
    """
    run = plan_in("quick_test_submitted")
    run.fire("accept_quick_test_as_complete", INSURER)
    assert run.plan.deadlines["quick_test_decision"].is_open
    run.fire("approve_quick_test", INSURER)
    assert run.state == "plan_in_preparation"
    assert run.plan.deadlines["quick_test_decision"].status == "met"
    assert run.plan.deadlines["plan_submission"].is_open


def test_reject_quick_test__refused_without_reason() -> None:
    """Rule has_reason (A4 §1.5.1; DESIGN.md "Payloads": reject_* carries a reason).

    Given a quick test under review, when the insurer rejects it without a reason, then it
    is refused and the quick test stays under review.
    """
    run = plan_in("quick_test_under_review")
    run.refuse("reject_quick_test", INSURER, {"reason": ""}, rule="has_reason",
               seed="A4 §1.5.1")


def test_reject_quick_test__allowed_with_reason() -> None:
    """Rule has_reason (A4 §1.5.1).

    Given a quick test under review, when the insurer rejects it with a reason, then the plan
    is rejected and the decision deadline is met.
    """
    run = plan_in("quick_test_under_review")
    run.fire("reject_quick_test", INSURER, {"reason": "Geen regionale impact"})
    assert run.state == "rejected"
    assert run.plan.deadlines["quick_test_decision"].status == "met"
