"""The second insurer is named once from the start; a changed verdict is on record as one;
approval needs the commitment of the parties and municipalities, not of the insurers.

A4 §1.3.1 ("vanaf het begin betrokken"), A4 §1.3 and §1.3.2 (one joint assessment), A4 §1.b.1
("alle betrokken partijen ... commitment ... voordat zorgverzekeraars het plan goedkeuren")
with DESIGN.md `record_commitment`: "the two insurers do not".
"""

from __future__ import annotations

import pytest

from tests.rules.builders import (
    ENGINE,
    ENSCHEDE,
    HOSPITAL,
    INSURER,
    MAKER,
    SECOND,
    complete_joint_review,
    plan_in,
    register,
)
from workflow.core import todo

OTHER = "CZ"


# -- name_second_insurer: once, before the quick test (A4 §1.3.1) ---------------------------------


@pytest.mark.parametrize("state", ["intent", "start_meeting_held"])
def test_is_second_insurer_open__refused_when_one_is_named(state: str) -> None:
    """Rule is_second_insurer_open (A4 §1.3.1).

    Given a plan whose second insurer was named at registration, when the coordinating
    insurer names another one before the quick test, then it is refused and the first stays.
    """
    run = plan_in(state)
    run.refuse("name_second_insurer", INSURER, {"org": OTHER}, rule="is_second_insurer_open",
               seed="A4 §1.3.1")
    assert run.plan.facts["second_insurer"] == SECOND.org


def test_is_second_insurer_open__allowed_once_when_none_was_named() -> None:
    """Rule is_second_insurer_open (A4 §1.3.1).

    Given a plan registered without a second insurer, when the coordinating insurer names
    one, then it is accepted; naming a second one after that is refused.
    """
    run = register(second_insurer=None)
    run.fire("name_second_insurer", INSURER, {"org": OTHER})
    assert run.plan.facts["second_insurer"] == OTHER
    run.refuse("name_second_insurer", INSURER, {"org": SECOND.org},
               rule="is_second_insurer_open")


@pytest.mark.parametrize("state", ["quick_test_submitted", "plan_in_preparation",
                                   "joint_review", "approved"])
def test_name_second_insurer__refused_from_the_quick_test_on(state: str) -> None:
    """Rule allowed_in_state (A4 §1.3.1: the second insurer is involved from the start; the
    quick test and the start meeting already need it, so it is never named during the review).

    Given a plan at or past the quick test, when the insurer names a second insurer, then it
    is refused as not possible in that state.
    """
    run = plan_in(state)
    refusal = run.refuse("name_second_insurer", INSURER, {"org": OTHER},
                         rule="allowed_in_state", seed="A4 §1.3.1")
    assert "possible in: intent, start_meeting_held" in refusal.reason


# -- submit_review twice: the event names the verdict it replaces (A4 §1.3) -----------------------


def test_is_first_review_or_replaces__refused_second_review_without_marker() -> None:
    """Rule is_first_review_or_replaces (A4 §1.3).

    Given a plan the second insurer reviewed positively, when it submits another verdict
    without saying what it replaces, or naming a verdict it did not give, then it is refused
    and the refusal says what to give; the first verdict stands.
    """
    run = plan_in("joint_review")
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    refusal = run.refuse("submit_review", SECOND, {"verdict": "negative"},
                         rule="is_first_review_or_replaces", seed="A4 §1.3")
    assert '"replaces": "positive"' in refusal.reason
    run.refuse("submit_review", SECOND, {"verdict": "negative", "replaces": "conditional"},
               rule="is_first_review_or_replaces")
    assert run.plan.facts["reviews"][f"second_insurer:{SECOND.org}"]["verdict"] == "positive"


def test_is_first_review_or_replaces__refused_first_review_claiming_to_replace() -> None:
    """Rule is_first_review_or_replaces (A4 §1.3).

    Given a plan the second insurer has not reviewed, when its review says it replaces a
    verdict, then it is refused: there is nothing to replace.
    """
    run = plan_in("joint_review")
    run.refuse("submit_review", SECOND, {"verdict": "negative", "replaces": "positive"},
               rule="is_first_review_or_replaces")


def test_submit_review__a_replaced_verdict_stays_on_record() -> None:
    """Rule is_first_review_or_replaces (A4 §1.3), allowed case.

    Given a plan the second insurer reviewed positively, when it submits a negative verdict
    that names the positive one it replaces, then it is accepted: the event carries
    `replaces`, the review is marked replaced and keeps the earlier verdicts in order.
    """
    run = plan_in("joint_review")
    run.fire("submit_review", SECOND, {"verdict": "positive"})
    first_at = run.plan.facts["reviews"][f"second_insurer:{SECOND.org}"]["at"]
    events = run.fire("submit_review", SECOND, {"verdict": "negative", "replaces": "positive"})
    assert events[-1].payload == {"verdict": "negative", "replaces": "positive"}
    run.fire("submit_review", SECOND, {"verdict": "conditional", "replaces": "negative"})
    review = run.plan.facts["reviews"][f"second_insurer:{SECOND.org}"]
    assert review["verdict"] == "conditional"
    assert review["replaced"] is True
    assert [r["verdict"] for r in review["revisions"]] == ["positive", "negative"]
    assert review["revisions"][0]["at"] == first_at


def test_submit_review__first_reviews_carry_no_revision() -> None:
    """A first review is recorded as before: no `replaced`, no `revisions` (A4 §1.3)."""
    run = plan_in("joint_review")
    run.fire("submit_review", INSURER, {"verdict": "positive"})
    review = run.plan.facts["reviews"][f"coordinating_insurer:{INSURER.org}"]
    assert "replaced" not in review and "revisions" not in review


# -- record_commitment: parties and municipalities, not the insurers (A4 §1.b.1) -----------------


def test_has_all_commitments__approved_without_the_insurers_commitment() -> None:
    """Rule has_all_commitments (A4 §1.b.1; DESIGN.md record_commitment: "the two insurers do
    not").

    Given a social-domain plan in joint review where both plan makers and the municipality
    committed and the insurers did not, when the coordinating insurer approves, then the plan
    is approved.
    """
    run = plan_in("joint_review", social_domain=True)
    complete_joint_review(run)
    assert sorted(run.plan.facts["commitments"]) == sorted([MAKER.org, HOSPITAL.org,
                                                            ENSCHEDE.org])
    run.fire("approve_plan", INSURER)
    assert run.state == "approved"


def test_has_all_commitments__refused_naming_only_parties_and_municipalities() -> None:
    """Rule has_all_commitments (A4 §1.b.1).

    Given a plan in joint review where nobody committed, when the insurer approves, then it
    is refused naming both plan makers and the municipality, and neither insurer.
    """
    run = plan_in("joint_review", social_domain=True)
    complete_joint_review(run, skip=["commitments"])
    refusal = run.refuse("approve_plan", INSURER, rule="has_all_commitments", seed="A4 §1.b.1")
    assert f"missing {MAKER.org}, {HOSPITAL.org}, {ENSCHEDE.org} [" in refusal.reason
    assert INSURER.org not in refusal.reason and SECOND.org not in refusal.reason


def test_record_commitment__an_insurers_commitment_is_harmless_and_never_offered() -> None:
    """An insurer's record_commitment is accepted (logs recorded when transformation@1 still
    asked for it replay unchanged) but changes nothing approval needs, and no insurer is ever
    told it may or must commit.

    Given a plan in joint review, when the second insurer commits, then it is accepted; the
    plan makers' commitments are still missing; and the insurers' lists hold no commitment.
    """
    run = plan_in("joint_review")
    run.fire("record_commitment", SECOND)
    complete_joint_review(run, skip=["commitments"])
    refusal = run.refuse("approve_plan", INSURER, rule="has_all_commitments")
    assert SECOND.org not in refusal.reason
    lists = {(w.actor.role, w.actor.org): w for w in todo.worklists(ENGINE, run.plan, run.at)}
    steps = todo.steps(ENGINE, run.plan, run.at)
    for insurer in (INSURER, SECOND):
        worklist = lists[(insurer.role, insurer.org)]
        assert "record_commitment" not in [t.trigger for t in worklist.todos]
        assert "record_commitment" not in worklist.may
        assert "record_commitment" not in [p.trigger for p in steps[(insurer.role, insurer.org)]]
